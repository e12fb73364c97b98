"""``facs rig audit`` and ``facs rig scanlist`` (issue 6)."""

from __future__ import annotations

import typer

__all__ = ["app"]

app = typer.Typer(help="Audit a facial rig's shapes; plan a FACS scan list.", no_args_is_help=True)
