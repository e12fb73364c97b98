"""Shared pieces of the command line: consoles, error handling, JSON output."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from facs._errors import USER_ERRNOS, FACSError, InputError, ParameterError

__all__ = [
    "EXIT_USER_ERROR",
    "console",
    "err_console",
    "input_path",
    "print_json",
    "progress_bar",
    "quiet_native_logs",
    "user_errors",
]

EXIT_USER_ERROR = 2


def input_path(value: str, hint: str) -> Path:
    """``value`` as a path, refusing the empty string (a usage error naming ``hint``).

    ``Path("")`` is ".": ``facs batch "$TAKES"`` with ``TAKES`` unset would otherwise
    code every video under the current folder.
    """
    if not value.strip():
        raise typer.BadParameter("an empty path (an unset shell variable?)", param_hint=hint)
    return Path(value)


def same_place(source: Path, output: Path) -> bool:
    """Whether writing ``output`` would overwrite ``source`` (or a coding's table inside it)."""
    try:
        src, out = source.resolve(), output.resolve()
    except OSError:
        return False
    return out == src or (src.is_dir() and out.is_relative_to(src) and out.name in (
        "frames.csv", "events.csv", "summary.json"))  # fmt: skip


def refuse_writing_over_inputs(output: Path, *inputs: Path, what: str = "the output") -> None:
    """An InputError when ``output`` is one of the command's inputs (it would be lost)."""
    from facs._errors import InputError

    for source in inputs:
        if source.exists() and same_place(source, output):
            raise InputError(
                f"{output} is an input of this command: write {what} elsewhere (the input "
                "would be lost)"
            )


console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


@contextmanager
def user_errors(*, as_json: bool = False) -> Iterator[None]:
    """Turn a :class:`FACSError` into one red line on stderr and exit status 2.

    With ``as_json`` (a command's ``--json``) the error is one JSON object on
    stdout instead: ``{"error": message}``, and for a bad code also ``code``,
    ``token`` and ``position``.
    """
    try:
        try:
            yield
        except OSError as err:
            if err.errno not in USER_ERRNOS:
                raise
            # the file system refused (permissions, a full or read-only disk): the user's
            # to fix; said like any bad input, naming the file
            where = f"{err.filename}: " if err.filename else ""
            raise InputError(f"{where}{err.strerror or err}") from None
    except FACSError as err:
        message = " ".join(str(err).split())
        if isinstance(err, ParameterError):  # about an argument: name the flag typed
            message = _flag_names(message)
        if as_json:
            report: dict[str, Any] = {"error": " ".join(getattr(err, "message", message).split())}
            for key in ("text", "token", "position"):
                if getattr(err, key, None) not in (None, ""):
                    report["code" if key == "text" else key] = getattr(err, key)
            print_json(report)
        else:
            from rich.markup import escape

            # escaped: messages hold brackets ("[side][AU|AD]number") that are not markup
            err_console.print(
                f"[bold red]error:[/] {escape(message)}", markup=True, highlight=False
            )
        raise typer.Exit(EXIT_USER_ERROR) from None
    except KeyboardInterrupt:
        err_console.print("[yellow]interrupted[/]")
        raise typer.Exit(130) from None


#: The library's parameters a command line user gives as these flags.
_FLAGS = {"max_faces": "--max-faces", "workers": "--workers", "part_s": "--part-seconds",
          "span_s": "--span", "start": "--start", "end": "--end", "fps": "--fps",
          "threshold": "--threshold", "tolerance_s": "--tolerance", "bin_s": "--bin",
          "codes": "--codes", "names": "--names", "align": "--align",
          "neutral": "--neutral", "identity": "--identity", "transition": "--transition",
          "hold": "--hold", "gap": "--gap", "size": "--size"}  # fmt: skip
_ABOUT_PARAMETERS = re.compile(r"^([a-z_]+(?:, [a-z_]+)*)(:| must | applies | apply )")


def _flag_names(message: str) -> str:
    """A :class:`ParameterError`'s message about its parameters (``max_faces must be …``,
    ``codes: …``, ``tolerance_s, bin_s apply to …``) with the flags' names instead (other
    errors start with file names, which may be any word).

    >>> _flag_names("max_faces must be an integer from 1 to 100, got 0")
    '--max-faces must be an integer from 1 to 100, got 0'
    >>> _flag_names("tolerance_s, bin_s apply to events tables, not frames")
    '--tolerance, --bin apply to events tables, not frames'
    >>> _flag_names("start 5 s is past the end")
    'start 5 s is past the end'
    """
    found = _ABOUT_PARAMETERS.match(message)
    if not found or not all(n in _FLAGS for n in found.group(1).split(", ")):
        return message
    flags = ", ".join(_FLAGS[n] for n in found.group(1).split(", "))
    return flags + message[found.end(1) :]


def print_json(data: Any) -> None:
    """Write one JSON document to stdout (no Rich markup, no wrapping)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


@contextmanager
def quiet_native_logs() -> Iterator[None]:
    """:func:`facs.face._quiet.quiet_native_logs`, with the error console kept on the terminal."""
    from facs.face._quiet import quiet_native_logs as quiet

    with quiet() as real:
        if real is None:  # nothing was re-pointed (FACS_DEBUG, a captured stderr)
            yield
            return
        # Rich's console follows sys.stderr unless given a file: hand it the real
        # stderr for the run, then give back exactly what it had (None: follow again).
        saved = err_console._file
        err_console.file = real
        try:
            yield
        finally:
            err_console._file = saved


def progress_bar(label: str, *extra: str, quiet: bool = False) -> Any:
    """A Rich progress bar on stderr: label, bar, n/total, %, elapsed, remaining.

    ``extra`` are column templates inserted before the times (``"{task.fields[fps]} fps"``).
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
        *(TextColumn(t) for t in extra), TimeElapsedColumn(), TimeRemainingColumn(),
    )  # fmt: skip
    return Progress(*columns, console=err_console, disable=quiet, transient=False)
