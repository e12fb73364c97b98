"""Shared pieces of the command line: consoles, error handling, JSON output."""

from __future__ import annotations

import json
import os
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
    """Silence what native libraries (MediaPipe, TensorFlow Lite) print on fd 2.

    Python's own stderr (Rich progress bars, our error lines) is re-pointed to
    a duplicate of the real stderr, so only native log lines are dropped.
    Set ``FACS_DEBUG=1`` to keep them.
    """
    if os.environ.get("FACS_DEBUG") or not hasattr(sys.stderr, "fileno"):
        yield
        return
    try:
        fd = sys.stderr.fileno()
    except (OSError, ValueError):  # a captured stream (tests)
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    real = os.fdopen(os.dup(saved), "w", buffering=1)
    old_stderr, old_file = sys.stderr, err_console.file
    os.dup2(devnull, fd)
    sys.stderr = real
    err_console.file = real
    try:
        yield
    finally:
        real.flush()
        os.dup2(saved, fd)
        sys.stderr, err_console.file = old_stderr, old_file
        real.close()
        os.close(saved)
        os.close(devnull)
