"""``python -m facs`` runs the command line."""

from facs.cli import main

main()
