"""``facs convert``: rig curves and other tools' files to and from FACS (issue 6)."""

from __future__ import annotations

import typer

__all__ = ["convert_cmd"]


def convert_cmd(source: str = typer.Argument(..., help="Input file.")) -> None:
    """Convert between formats (placeholder until implemented)."""
    raise typer.Exit(2)
