"""One coding's outputs as one set: what they were made with, and the mark that they are whole.

``facs code -o OUT`` and ``facs batch`` (one ``OUT/<name>/`` per video) write
frames, events, summary (and plot) atomically, then the completion mark
``.facs-complete.json`` last, holding the settings they were made with. A run
killed while saving leaves no mark and is redone; a later run with the same
settings finds the mark and skips the work.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from facs._errors import InputError

__all__ = ["COMPLETE", "WORK", "finished", "locked", "mark_complete", "output_settings"]

#: Written last, after every output: the settings the outputs were made with.
COMPLETE = ".facs-complete.json"
#: The perception chunk store inside an output folder (resumable; removed when done).
WORK = ".facs-work"


def output_settings(source: Path, **options: object) -> dict[str, object]:
    """What a finished set of outputs must have been made with to count as this run's.

    The input's resolved path, size and modification time, the facs version
    and the coding options (paths as text).
    """
    from facs import __version__

    st = source.stat()
    return {
        "input": str(source.resolve()),
        "size": st.st_size if source.is_file() else None,
        "mtime_ns": st.st_mtime_ns,
        "facs": __version__,
        **{k: (str(v) if isinstance(v, Path) else v) for k, v in options.items()},
    }


def needed_files(settings: dict[str, Any]) -> list[str]:
    """The files a whole set holds for these settings."""
    needed = ["frames.csv", "events.csv", "summary.json"]
    if settings.get("plot"):
        needed.append("timeline.png")
    if settings.get("format") == "parquet":
        needed += ["frames.parquet", "events.parquet"]
    return needed


def finished(outdir: Path, settings: dict[str, Any]) -> bool:
    """Every output is there and the completion mark names these very settings."""
    try:
        done = json.loads((outdir / COMPLETE).read_text())
    except (OSError, ValueError):
        return False
    return done == settings and all((outdir / n).exists() for n in needed_files(settings))


def mark_complete(outdir: Path, settings: dict[str, Any]) -> Path:
    """Write the completion mark (atomically): call it after every other output."""
    from facs.formats._atomic import write_text_atomic

    return write_text_atomic(outdir / COMPLETE, json.dumps(settings, indent=1))


@contextlib.contextmanager
def locked(outdir: Path, *, lock: str, who: str) -> Iterator[None]:
    """Hold an output folder for this run: a second run on it is refused, not left to collide.

    ``lock`` is the lock file's name inside the folder; ``who`` names the run
    in the message a second one gets (``"`facs code`"``, ``"batch"``).
    """
    import fcntl

    if outdir.exists() and not outdir.is_dir():
        raise InputError(f"{outdir}: the output must be a folder, and this is a file")
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        (outdir / lock).touch(exist_ok=True)
    except OSError as err:
        raise InputError(f"cannot write to {outdir}: {err.strerror or err}") from None
    with open(outdir / lock, "a+") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(
                f"{outdir}: another {who} is writing there; wait for it to finish or choose "
                "another output folder"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
