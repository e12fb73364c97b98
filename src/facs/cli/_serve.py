"""``facs serve``: the local web page (issue 7)."""

from __future__ import annotations

import typer

__all__ = ["serve_cmd"]


def serve_cmd() -> None:
    """Start the local web page (placeholder until implemented)."""
    raise typer.Exit(2)
