"""``facs agree``: agreement between coders, or coders and the machine (issue 6)."""

from __future__ import annotations

import typer

__all__ = ["agree_cmd"]


def agree_cmd(files: list[str] = typer.Argument(..., help="Events or frames files.")) -> None:
    """Agreement between two or more coders (placeholder until implemented)."""
    raise typer.Exit(2)
