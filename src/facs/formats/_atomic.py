"""Atomic writes: a temp file in the target's folder, fsync, then rename.

An interrupted or failed write leaves the previous file (or no file) and no
half-written one, so a run can be resumed safely.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> write_json_atomic(folder / "summary.json", {"mean": float("nan"), "n": 2}).name
'summary.json'
>>> print((folder / "summary.json").read_text(encoding="utf-8"), end="")
{
  "mean": null,
  "n": 2
}
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import secrets
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from facs._errors import USER_ERRNOS, InputError

__all__ = ["atomic_path", "to_jsonable", "write_json_atomic", "write_text_atomic"]


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable on POSIX; not possible (nor needed) everywhere.
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


#: Refusals of a whole disk, which a write may raise with no file named.
_DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})


def _refused_write(err: OSError, tmp: Path, target: Path) -> bool:
    """Whether ``err`` is the file system refusing this write (not an error about another
    file met inside the ``with`` block, e.g. an input that cannot be read)."""
    # ENOENT only when it names this write: a folder that takes no new files (/proc)
    if err.errno not in USER_ERRNOS and err.errno != errno.ENOENT:
        return False
    if err.filename is None:
        return err.errno in _DISK_ERRNOS
    named = {os.fspath(err.filename)} | ({os.fspath(err.filename2)} if err.filename2 else set())
    return bool(named & {str(tmp), str(target)})


def make_folder(folder: Path, refusal: str) -> None:
    """Create ``folder`` and its parents; an InputError starting ``refusal`` when it cannot
    be, naming the file in the way when one is (mkdir says only "File exists")."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        blocking = next((p for p in (folder, *folder.parents) if p.is_file()), None)
        if blocking is not None:
            raise InputError(f"{refusal}: {blocking} is a file, not a folder") from None
        raise InputError(f"{refusal}: {err.strerror or err}") from None


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temp path beside ``path``; on success move it onto ``path``.

    The temp file is named ``.<name>.tmp-<pid>-<random>`` in the same folder
    (so the final :func:`os.replace` is atomic). Write to it inside the
    ``with`` block; when the block ends normally it is fsynced and renamed
    onto ``path``. When the block raises, the temp file is removed, ``path``
    is left as it was and the exception propagates (a refusal of the file system,
    such as no permission, a full disk or ``path`` being a folder, as an
    :class:`~facs.InputError` naming ``path``). Missing parent folders are created.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write.

    Yields
    ------
    pathlib.Path
        Where to write.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "frames.csv"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("frame\\n0\\n", encoding="utf-8")
    ...     tmp.name.startswith(".frames.csv.tmp-")
    True
    >>> target.read_text(encoding="utf-8")
    'frame\\n0\\n'
    """
    target = Path(path)
    if target.is_dir():
        raise InputError(f"cannot write {target}: it is a folder")
    make_folder(target.parent, f"cannot write {target}")
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"nothing was written to the temp file for {target}")
        _fsync_file(tmp)
        os.replace(tmp, target)
    except BaseException as err:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        if isinstance(err, OSError) and _refused_write(err, tmp, target):
            # the file system said no (permissions, a full or read-only disk): the user's
            # to fix, so a message naming the file rather than a traceback
            raise InputError(f"cannot write {target}: {err.strerror}") from None
        raise
    _fsync_dir(target.parent)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8, newlines as given) to ``path`` atomically.

    Returns the path written.
    """
    target = Path(path)
    with atomic_path(target) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    return target


def to_jsonable(obj: Any) -> Any:
    """A copy of ``obj`` that :func:`json.dumps` accepts with ``allow_nan=False``.

    NaN and ±inf become ``None``; numpy scalars and arrays become Python
    numbers and lists; tuples and sets become lists; paths become strings.

    >>> to_jsonable({"r": np.float64("nan"), "n": np.int64(3), "t": (1, 2.5)})
    {'r': None, 'n': 3, 't': [1, 2.5]}
    """
    if isinstance(obj, bool | str) or obj is None:
        return obj
    if isinstance(obj, np.generic):
        return to_jsonable(obj.item())
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, list | tuple | set | frozenset):
        items = sorted(obj, key=str) if isinstance(obj, set | frozenset) else obj
        return [to_jsonable(v) for v in items]
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    raise TypeError(f"cannot write a {type(obj).__name__} to JSON: {obj!r}")


def write_json_atomic(path: str | os.PathLike[str], obj: Any) -> Path:
    """Write ``obj`` as UTF-8 JSON (indent 2, NaN as ``null``) atomically.

    Returns the path written.
    """
    text = json.dumps(to_jsonable(obj), ensure_ascii=False, indent=2, allow_nan=False)
    return write_text_atomic(path, text + "\n")
