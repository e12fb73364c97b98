"""Shared pieces of the command line: consoles, error handling, JSON output."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console

from facs._errors import FACSError

__all__ = [
    "EXIT_USER_ERROR",
    "console",
    "err_console",
    "print_json",
    "quiet_native_logs",
    "user_errors",
]

EXIT_USER_ERROR = 2
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a :class:`FACSError` into one red line on stderr and exit status 2."""
    try:
        yield
    except FACSError as err:
        message = " ".join(str(err).split())
        err_console.print(f"[bold red]error:[/] {message}", markup=True, highlight=False)
        raise typer.Exit(EXIT_USER_ERROR) from None
    except KeyboardInterrupt:
        err_console.print("[yellow]interrupted[/]")
        raise typer.Exit(130) from None


def print_json(data: Any) -> None:
    """Write one JSON document to stdout (no Rich markup, no wrapping)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


@contextmanager
def quiet_native_logs() -> Iterator[None]:
    """:func:`facs.face._quiet.quiet_native_logs`, with the error console kept on the terminal."""
    from facs.face._quiet import quiet_native_logs as quiet

    old = err_console.file  # read before sys.stderr is re-pointed (Rich may follow it)
    with quiet() as real:
        if real is not None:
            err_console.file = real
        try:
            yield
        finally:
            err_console.file = old
