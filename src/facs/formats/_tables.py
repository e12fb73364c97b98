"""Frames and events tables on disk: CSV and Parquet, written atomically.

Readers check what they read and raise :class:`~facs.InputError` naming the
file and, where it helps, the line, row, column and value. Writers check what
they are given the same way, so that what one writes the other reads.

>>> import tempfile
>>> from facs.series import empty_frames
>>> path = write_frames(empty_frames(), Path(tempfile.mkdtemp()) / "frames.csv")
>>> path.name, read_frames(path).columns[:4].tolist()
('frames.csv', ['frame', 'time_s', 'face', 'success'])
"""

from __future__ import annotations

import contextlib
import math
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from facs._errors import CodeError, InputError
from facs._validate import MAX_TAKE_S
from facs.formats._atomic import atomic_path, write_json_atomic
from facs.formats._delimited import data_row_line
from facs.notation import SIDE_WORDS, Code, intensity_to_letter
from facs.series import CODE_COLUMNS, FRAME_COLUMNS, SIDE_COLUMNS, validate_frames

__all__ = [
    "EVENT_COLUMNS",
    "TableFormat",
    "TableKind",
    "empty_events",
    "read_coding",
    "read_events",
    "read_frames",
    "write_events",
    "write_frames",
    "write_summary",
]

TableFormat = Literal["csv", "parquet"]
TableKind = Literal["events", "frames"]
PathLike = str | os.PathLike[str]

#: Latest event time a table may hold (seconds; 10 days): far times are a unit mistake,
#: and one at 1e308 s could be stored but not exported.
MAX_EVENT_S = MAX_TAKE_S

#: Required columns of an events table, in order.
EVENT_COLUMNS: tuple[str, ...] = (
    "face", "code", "side", "onset_s", "apex_s", "offset_s", "peak", "letter",
)  # fmt: skip
_EVENT_INT = ("face",)
_EVENT_FLOAT = ("onset_s", "apex_s", "offset_s", "peak")
_EVENT_STR = ("code", "side", "letter")

_FRAME_INT = ("frame", "face", "success")
_FRAME_FLOAT = tuple(c for c in FRAME_COLUMNS if c not in _FRAME_INT)
_FRAME_STR = ("code",)  # per-frame FACS string, when a writer adds one
_KNOWN_CODE_COLUMNS = frozenset(CODE_COLUMNS) | frozenset(SIDE_COLUMNS)
_CODE_LIKE = re.compile(r"^\s*(AU|AD)\s*\d", re.IGNORECASE)
_LANDMARK = re.compile(r"^lm\d+_[xyz]$")
_LANDMARK_DECIMALS = 5  # normalised image coordinates: 3 decimals is ~2 px in HD video
_PARQUET_SUFFIXES = (".parquet", ".pq")
_CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".csv.xz", ".csv.zst", ".csv.zip")
_LETTERS = frozenset({"", "A", "B", "C", "D", "E"})
#: Every prefix the notation knows (ELAN keeps S, A, V-K), or none.
_SIDES = frozenset({*SIDE_WORDS, "", None})


# --------------------------------------------------------------------------- formats


def _suffix_format(path: Path) -> TableFormat | None:
    name = path.name.lower()
    if name.endswith(_PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(_CSV_SUFFIXES):
        return "csv"
    return None


def _write_format(path: Path, format: TableFormat | None) -> TableFormat:
    by_name = _suffix_format(path)
    if format is None:
        return by_name or "csv"
    if format not in ("csv", "parquet"):
        raise ValueError(f"`format` must be 'csv' or 'parquet', got {format!r}")
    if by_name is not None and by_name != format:
        raise InputError(
            f"cannot write {format} to {path}: the name says {by_name}"
            f" (name it *.{'parquet' if format == 'parquet' else 'csv'})"
        )
    return format


def _read_format(path: Path) -> TableFormat:
    fmt = _suffix_format(path)
    if fmt is None:
        raise InputError(
            f"cannot read {path}: unknown table type {path.suffix or '(no suffix)'!r}"
            " (expected .csv or .parquet)"
        )
    return fmt


@contextlib.contextmanager
def _output_errors(path: Path) -> Iterator[None]:
    """Turn an OS error while writing ``path`` into one clear :class:`InputError`."""
    try:
        yield
    except OSError as err:
        reason = err.strerror or str(err)
        raise InputError(f"cannot write {path}: {reason}") from err


# --------------------------------------------------------------------------- reading


def _read_raw(path: Path, fmt: TableFormat, *, str_columns: Sequence[str]) -> pd.DataFrame:
    source = str(path)
    if not path.exists():
        raise InputError(f"cannot read {source}: no such file")
    if path.is_dir():
        raise InputError(f"cannot read {source}: it is a folder, not a file")
    if fmt == "parquet":
        return _read_parquet(path)
    try:
        table = pd.read_csv(path, dtype=dict.fromkeys(str_columns, "str"), low_memory=False)
        if not isinstance(table.index, pd.RangeIndex):
            # pandas takes the first column as the index when the lines have more fields
            # than the header names: every value would sit one column off
            raise InputError(_long_lines_message(path, len(table.columns)))
        _check_last_line(path, len(table.columns))
        _check_repeated_columns(source, [str(c) for c in table.columns])
        return table
    except pd.errors.EmptyDataError:
        raise InputError(f"cannot read {source}: the file is empty") from None
    except pd.errors.ParserError as err:
        raise InputError(_csv_parse_message(source, str(err))) from None
    except UnicodeDecodeError as err:
        raise InputError(f"cannot read {source}: not a UTF-8 text CSV (byte {err.start})") from None
    except OSError as err:
        raise InputError(f"cannot read {source}: {err.strerror or err}") from None


def _check_repeated_columns(source: str, columns: list[str]) -> None:
    """Refuse a header naming one column twice: pandas keeps both as ``code`` and
    ``code.1``, and only the first was read (a frames table then named ``AU12.1``)."""
    names = set(columns)
    for name in columns:
        base, dot, number = name.rpartition(".")
        if dot and number.isdigit() and base in names:
            raise InputError(f"{source}: column {base!r} appears twice in the header")


def _check_last_line(path: Path, names: int) -> None:
    """Refuse a CSV whose last line has fewer fields than the header's ``names`` and no
    line break after it: the file was cut mid-row (pandas pads it with empty cells)."""
    import csv

    if path.suffix.lower() != ".csv":
        return  # compressed: pandas read it whole; not looked at here
    try:
        with open(path, "rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - 65536))
            tail = handle.read()
    except OSError:
        return
    if tail.endswith((b"\n", b"\r")):
        return  # the last row ends as every row does: short rows read as empty cells
    last = tail.decode("utf-8", errors="replace").rsplit("\n", 1)[-1]
    if not last.strip() or '"' in last or "\r" in last:
        return  # a quoted field may span lines, old Mac line ends: not judged from the tail
    try:
        fields = len(next(csv.reader([last]), []))
    except csv.Error:
        return
    if fields < names:
        with open(path, "rb") as handle:  # the line's number, read only to name it
            number = 1 + sum(
                chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")
            )
        raise InputError(f"{path}, line {number}: {fields} fields where the header has {names}: "
                         "the file looks cut short")  # fmt: skip


def _long_lines_message(path: Path, names: int) -> str:
    """Which line has more fields than the header's ``names``."""
    import csv

    with (
        contextlib.suppress(OSError, UnicodeDecodeError, csv.Error),
        open(path, newline="", encoding="utf-8-sig") as handle,
    ):  # a compressed CSV is not read here: the plain message below
        reader = csv.reader(handle)
        next(reader, None)
        for row in reader:
            if len(row) > names:
                return (f"{path}, line {reader.line_num}: {len(row)} fields where the header "
                        f"has {names}")  # fmt: skip
    return f"{path}: its lines have more fields than the header has ({names})"


def _csv_parse_message(source: str, message: str) -> str:
    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if m:
        expected, line, saw = m.groups()
        return f"{source}, line {line}: expected {expected} fields, found {saw}"
    m = re.search(r"line (\d+)", message)
    detail = message.strip().splitlines()[-1] if message.strip() else "parse error"
    detail = detail.removeprefix("Error tokenizing data. ")
    if m:
        return f"{source}, line {m.group(1)}: not a valid CSV ({detail})"
    return f"cannot read {source}: not a valid CSV ({detail})"


def _read_parquet(path: Path) -> pd.DataFrame:
    import pyarrow as pa

    try:
        return pd.read_parquet(path, engine="pyarrow")
    except (pa.ArrowException, OSError, ValueError) as err:
        detail = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise InputError(f"cannot read {path}: not a readable Parquet file ({detail})") from None


def _float_or_nan(text: str) -> float:
    try:
        value = float(text)
    except (ValueError, OverflowError):
        return float("nan")
    return value if math.isfinite(value) else float("nan")


def _where(fmt: TableFormat | None, position: int, source: str = "") -> str:
    """Human location of 0-based data row ``position``: for a CSV file, its true line.

    The line is found only when an error is reported (blank lines and quoted
    line breaks counted as the file has them, :mod:`facs.formats._delimited`).
    """
    if fmt == "csv":
        line = None
        with contextlib.suppress(OSError, UnicodeDecodeError):
            line = data_row_line(Path(source).read_text(encoding="utf-8-sig"), position)
        return f"row {position + 1} (line {line if line is not None else position + 2})"
    return f"row {position + 1}"


#: The largest whole number a frame, face or time column may hold (2**53: every whole
#: number up to it is exact as a float, and it is far from int64's wrap at 2**63).
_LARGEST_WHOLE = float(2**53)


def _conform(
    table: pd.DataFrame,
    *,
    ints: Sequence[str],
    floats: Sequence[str],
    strings: Sequence[str],
    source: str,
    fmt: TableFormat | None,
) -> pd.DataFrame:
    """Give the known columns their schema dtypes, naming the first bad value."""
    out = table.copy()
    for col in (*ints, *floats):
        if col not in out.columns:
            continue
        values = out[col]
        if pd.api.types.is_bool_dtype(values):
            values = values.astype("int64")
        if not pd.api.types.is_numeric_dtype(values):
            try:
                numbers = pd.to_numeric(values, errors="coerce")
            except OverflowError:  # an integer too large for any number type
                numbers = pd.to_numeric(values.astype(str).map(_float_or_nan), errors="coerce")
            bad = np.flatnonzero(numbers.isna().to_numpy() & values.notna().to_numpy())
            if bad.size:
                i = int(bad[0])
                raise InputError(
                    f"{source}, {_where(fmt, i, source)}: column {col!r} holds"
                    f" {values.iloc[i]!r}, not a number"
                )
            values = numbers
        if col in ints:
            floats_ = values.to_numpy(dtype="float64")
            bad = np.flatnonzero(~np.isfinite(floats_) | (floats_ != np.round(floats_)))
            if bad.size:
                i = int(bad[0])
                raise InputError(
                    f"{source}, {_where(fmt, i, source)}: column {col!r} must hold whole numbers,"
                    f" got {values.iloc[i]!r}"
                )
            bad = np.flatnonzero(np.abs(floats_) > _LARGEST_WHOLE)
            if bad.size:  # past 2**63 it wrapped to -2**63: huge face ids became one face
                i = int(bad[0])
                raise InputError(
                    f"{source}, {_where(fmt, i, source)}: column {col!r} holds"
                    f" {float(floats_[i]):g}, larger than 2**53 ({_LARGEST_WHOLE:.0f})"
                )
            out[col] = values.astype("int64")
        else:
            out[col] = values.astype("float64")
    for col in strings:
        if col in out.columns:
            text = out[col].astype("object")
            out[col] = text.where(text.notna(), "").astype("str")
    return out


def _check_code_columns(columns: Sequence[Any], source: str) -> None:
    for col in columns:
        name = str(col)
        if _CODE_LIKE.match(name) and name not in _KNOWN_CODE_COLUMNS:
            raise InputError(
                f"unknown column {name!r} in {source}"
                " (code columns are named like AU01, AU12_L, AU12_R, AD19)"
            )


def read_frames(path: PathLike) -> pd.DataFrame:
    """Read a frames table (``.csv`` or ``.parquet``) and check it.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`write_frames` (or any table with the
        columns of :mod:`facs.series`). The suffix picks the reader.

    Returns
    -------
    pandas.DataFrame
        The table, with ``frame``, ``face``, ``success`` as int64, the other
        schema columns as float64 (NaN kept) and extra columns (blendshapes,
        landmarks ``lm000_x`` …, a ``code`` string) kept as read.

    Raises
    ------
    InputError
        The file is missing, empty or not a table; a line does not parse; a
        value is not a number; a column looks like a code column but is not
        one (``AU99``, ``AU12_X``); required columns are missing; intensities
        are outside 0–5.
    """
    p = Path(path)
    source = str(path)
    fmt = _read_format(p)
    raw = _read_raw(p, fmt, str_columns=_FRAME_STR)
    _check_code_columns(list(raw.columns), source)
    frames = _conform(
        raw, ints=_FRAME_INT, floats=_FRAME_FLOAT, strings=_FRAME_STR, source=source, fmt=fmt
    )
    return validate_frames(frames, source=source)


def _validate_events(events: pd.DataFrame, *, source: str, fmt: TableFormat | None) -> None:
    missing = [c for c in EVENT_COLUMNS if c not in events.columns]
    if missing:
        raise InputError(f"{source}: missing column(s) {', '.join(missing)}")
    parsed: dict[str, Code | CodeError] = {}  # each distinct code parsed once
    for i, value in enumerate(events["code"].tolist()):
        text = "" if value is None else str(value)
        if text not in parsed:
            try:
                parsed[text] = Code.parse(text)
            except CodeError as err:
                parsed[text] = err
        error = parsed[text]
        if isinstance(error, CodeError):
            raise InputError(
                f"{source}, {_where(fmt, i, source)}: code {text!r} is not valid FACS: {error}"
            )
    times = events[["onset_s", "apex_s", "offset_s"]].to_numpy(dtype="float64")
    bad = np.flatnonzero(~np.isfinite(times).all(axis=1))
    if bad.size:
        i = int(bad[0])
        raise InputError(
            f"{source}, {_where(fmt, i, source)}: event times must be numbers, got {_row(times[i])}"
        )
    bad = np.flatnonzero((times < 0).any(axis=1) | (times > MAX_EVENT_S).any(axis=1))
    if bad.size:
        i = int(bad[0])
        raise InputError(
            f"{source}, {_where(fmt, i, source)}: event times must lie within 0-{MAX_EVENT_S:g} s"
            f" (10 days), got {_row(times[i])}"
        )
    bad = np.flatnonzero((times[:, 0] > times[:, 1]) | (times[:, 1] > times[:, 2]))
    if bad.size:
        i = int(bad[0])
        raise InputError(
            f"{source}, {_where(fmt, i, source)}: event times must satisfy"
            f" onset_s ≤ apex_s ≤ offset_s, got {_row(times[i])}"
        )
    peak = events["peak"].to_numpy(dtype="float64")
    bad = np.flatnonzero(~(np.isfinite(peak) & (peak >= 0) & (peak <= 5)))
    if bad.size:
        i = int(bad[0])
        where = _where(fmt, i, source)
        raise InputError(f"{source}, {where}: peak must be within 0–5, got {float(peak[i]):g}")
    for i, side in enumerate(events["side"].tolist()):
        if side not in _SIDES and not (isinstance(side, float) and math.isnan(side)):
            raise InputError(
                f"{source}, {_where(fmt, i, source)}: side must be empty or one of "
                f"{', '.join(SIDE_WORDS)}, got {side!r}"
            )
    for i, (code, side) in enumerate(zip(events["code"].tolist(), events["side"].tolist(),
                                         strict=True)):  # fmt: skip
        if not isinstance(side, str) or not side:
            continue
        actions = parsed["" if code is None else str(code)].actions  # type: ignore[union-attr]
        own = actions[0].side if len(actions) == 1 else None
        if own is not None and own != side:
            # "R6" with side L: the frames followed one and an ELAN export the other
            raise InputError(
                f"{source}, {_where(fmt, i, source)}: code {code!r} is side {own} but side is "
                f"{side!r}"
            )
    for i, letter in enumerate(events["letter"].tolist()):
        if letter not in _LETTERS:
            raise InputError(
                f"{source}, {_where(fmt, i, source)}: letter must be one of A–E, got {letter!r}"
            )
    for i, (value, letter) in enumerate(zip(peak.tolist(), events["letter"].tolist(),
                                            strict=True)):  # fmt: skip
        wanted = peak_letter(value)
        given = letter if isinstance(letter, str) else ""
        if given != wanted and not (value == 0 and given):
            raise InputError(
                f"{source}, {_where(fmt, i, source)}: letter {given!r} does not match peak"
                f" {value:g}, which reads {wanted!r}; change one of them (a letter with"
                " peak 0 is a letter with no peak measured)"
            )
    lettered: dict[str, str | None] = {}
    for i, (code, letter) in enumerate(zip(events["code"].tolist(), events["letter"].tolist(),
                                           strict=True)):  # fmt: skip
        if not isinstance(letter, str) or not letter:
            continue
        own = parsed["" if code is None else str(code)]
        if isinstance(own, Code) and any(a.intensity for a in own.actions):
            raise InputError(
                f"{source}, {_where(fmt, i, source)}: code {code!r} carries its own letter and"
                f" letter is {letter!r}: write the code without it ("
                f"{str(own).rstrip('ABCDE')!r}) and the letter in the letter column"
            )
        text = f"{code}{letter}"
        if text not in lettered:
            try:
                Code.parse(text)
                lettered[text] = None
            except CodeError as err:
                lettered[text] = str(err).split(" (token ")[0]
        if lettered[text] is not None:
            # 50C, M59A: accepted here, then refused by the ELAN writer
            raise InputError(f"{source}, {_where(fmt, i, source)}: {lettered[text]}")


def peak_letter(peak: float) -> str:
    """The letter an event's peak (0–5) reads: none below A (0.5), as events are written.

    >>> peak_letter(0.3), peak_letter(0.5), peak_letter(2.9)
    ('', 'A', 'C')
    """
    return intensity_to_letter(peak) or ""


def _row(values: np.ndarray) -> str:
    return "(" + ", ".join(f"{float(v):g}" for v in values) + ")"


def read_events(path: PathLike) -> pd.DataFrame:
    """Read an events table (``.csv`` or ``.parquet``) and check it.

    Required columns are :data:`EVENT_COLUMNS`; extra columns (``onset_frame``
    …) are kept. ``code``, ``side`` and ``letter`` are strings (missing as
    ``""``), ``face`` int64, times and ``peak`` float64.

    Raises
    ------
    InputError
        The file is missing or not a table; a required column is missing; a
        code does not parse as FACS; times are not numbers or not
        ``onset_s ≤ apex_s ≤ offset_s``; ``peak`` outside 0–5; ``letter`` not
        one of A–E. The message names the file, the row and the value.
    """
    p = Path(path)
    source = str(path)
    fmt = _read_format(p)
    raw = _read_raw(p, fmt, str_columns=_EVENT_STR)
    missing = [c for c in EVENT_COLUMNS if c not in raw.columns]
    if missing:
        raise InputError(f"{source}: missing column(s) {', '.join(missing)}")
    events = _conform(
        raw, ints=_EVENT_INT, floats=_EVENT_FLOAT, strings=_EVENT_STR, source=source, fmt=fmt
    )
    _validate_events(events, source=source, fmt=fmt)
    return events


# --------------------------------------------------------------------------- writing


def _csv_ready(table: pd.DataFrame, decimals: int | None) -> pd.DataFrame:
    if decimals is None:
        return table
    floats = [c for c in table.columns if pd.api.types.is_float_dtype(table[c])]
    if not floats:
        return table
    places = {c: max(decimals, _LANDMARK_DECIMALS) if _LANDMARK.match(str(c)) else decimals
              for c in floats}  # fmt: skip
    out = table.round(places)
    out[floats] = out[floats] + 0.0  # -0.0 → 0.0
    return out


def _write_table(
    table: pd.DataFrame, path: Path, fmt: TableFormat, *, decimals: int | None
) -> Path:
    with _output_errors(path), atomic_path(path) as tmp:
        if fmt == "csv":
            _csv_ready(table, decimals).to_csv(tmp, index=False, na_rep="", lineterminator="\n")
        else:
            table.to_parquet(tmp, engine="pyarrow", index=False)
    return path


def write_frames(
    frames: pd.DataFrame,
    path: PathLike,
    *,
    format: TableFormat | None = None,
    decimals: int | None = 3,
) -> Path:
    """Write a frames table to CSV or Parquet atomically.

    Parameters
    ----------
    frames : pandas.DataFrame
        A frames table (:mod:`facs.series`); extra columns are written too.
    path : str or os.PathLike
        Where to write; missing folders are created.
    format : {"csv", "parquet"}, optional
        Default: from the name (``.parquet``/``.pq`` → Parquet, anything
        else CSV). A format that contradicts the name is an error.
    decimals : int or None, default 3
        CSV only: float columns are rounded to this many decimals (landmark
        columns ``lm000_x`` … keep at least 5); ``None`` keeps full precision.
        NaN is written as an empty field, integers as integers, no index.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    InputError
        The table is not a valid frames table, or the file cannot be written.
    """
    target = Path(path)
    fmt = _write_format(target, format)
    source = "frames table"
    _check_code_columns(list(frames.columns), source)
    table = _conform(
        frames, ints=_FRAME_INT, floats=_FRAME_FLOAT, strings=(), source=source, fmt=None
    )
    validate_frames(table, source=source)
    return _write_table(table, target, fmt, decimals=decimals)


def empty_events() -> pd.DataFrame:
    """An events table with no rows and the required columns.

    >>> empty_events().columns.tolist()
    ['face', 'code', 'side', 'onset_s', 'apex_s', 'offset_s', 'peak', 'letter']
    """
    dtypes = {c: "int64" if c in _EVENT_INT else "float64" if c in _EVENT_FLOAT else "str"
              for c in EVENT_COLUMNS}  # fmt: skip
    return pd.DataFrame({c: pd.Series([], dtype=d) for c, d in dtypes.items()})


def write_events(
    events: pd.DataFrame,
    path: PathLike,
    *,
    format: TableFormat | None = None,
    decimals: int | None = 3,
) -> Path:
    """Write an events table to CSV or Parquet atomically.

    The table is checked as :func:`read_events` checks it; ``format`` and
    ``decimals`` work as in :func:`write_frames`. Returns the path written.
    """
    target = Path(path)
    fmt = _write_format(target, format)
    table = checked_events(events)
    return _write_table(table, target, fmt, decimals=decimals)


def checked_events(events: pd.DataFrame, *, source: str = "events table") -> pd.DataFrame:
    """``events`` with the schema's dtypes, checked as :func:`read_events` checks a file
    (an InputError naming the row otherwise)."""
    if not isinstance(events, pd.DataFrame):
        raise InputError(f"{source}: not a table (a pandas DataFrame), got {type(events).__name__}")
    missing = [c for c in EVENT_COLUMNS if c not in events.columns]
    if missing:
        raise InputError(f"{source}: missing column(s) {', '.join(missing)}")
    table = _conform(
        events, ints=_EVENT_INT, floats=_EVENT_FLOAT, strings=_EVENT_STR, source=source, fmt=None
    )
    _validate_events(table, source=source, fmt=None)
    return table


#: The columns that say which facs table a header is (the readers check the rest).
EVENTS_SIGNATURE = ("code", "onset_s", "offset_s")
FRAMES_SIGNATURE = ("frame", "time_s", "face", "success")


def table_kind(columns: Sequence[Any]) -> TableKind | None:
    """Which facs table a header belongs to: the one sniffer of facs tables.

    Events tables have ``code``, ``onset_s`` and ``offset_s``; frames tables
    ``frame``, ``time_s``, ``face`` and ``success``; anything else is None.
    :func:`read_coding`, :func:`facs.convert.detect_format` and
    :func:`facs.reliability.agree` all decide by it.

    >>> table_kind(["face", "code", "side", "onset_s", "apex_s", "offset_s"])
    'events'
    >>> table_kind(["frame", "time_s", "face", "success", "AU12"]), table_kind(["AU01_r"])
    ('frames', None)
    """
    names = {str(c).strip() for c in columns}
    if set(EVENTS_SIGNATURE) <= names:
        return "events"
    if set(FRAMES_SIGNATURE) <= names:
        return "frames"
    return None


def _header(path: Path) -> list[str] | None:
    """The column names of a table file, or None when it cannot be read as one."""
    try:
        if _read_format(path) == "parquet":
            import pyarrow.parquet as pq

            return list(pq.read_schema(path).names)
        return [str(c) for c in pd.read_csv(path, nrows=0).columns]
    except Exception:  # the real reader names what is wrong
        return None


def read_coding(path: PathLike) -> tuple[TableKind, pd.DataFrame]:
    """Read a facs events or frames table (CSV or Parquet), telling which by its header;
    an ELAN ``.eaf`` file's FACS tiers as events (:func:`read_eaf`); a folder
    ``facs code`` wrote as its ``events.csv`` (else its ``frames.csv``).

    Returns
    -------
    ("events" or "frames", pandas.DataFrame)
        The kind (:func:`table_kind`) and the table as :func:`read_events` or
        :func:`read_frames` reads it.

    Raises
    ------
    InputError
        The file is missing or unreadable (as the reader reports it), or its
        header is neither kind (the message names the file and both kinds'
        columns).
    """
    p = Path(path)
    if p.is_dir():
        inside = next((p / n for n in ("events.csv", "frames.csv") if (p / n).is_file()), None)
        if inside is None:
            raise InputError(f"{p}: a folder without events.csv or frames.csv (from facs code)")
        p = inside
    if p.suffix.lower() == ".eaf":
        from facs.formats._elan import read_eaf

        return "events", read_eaf(p)
    columns = _header(p)
    if columns is None:
        return "events", read_events(p)  # let the reader name what is wrong
    kind = table_kind(columns)
    if kind is None and len(columns) == 1:
        for sep, name in ((";", "';'"), ("\t", "tabs")):
            if table_kind([c.strip() for c in columns[0].split(sep)]) is not None:
                raise InputError(f"{path}: its columns are separated by {name}; a facs table "
                                 "uses commas")  # fmt: skip
    if kind is None:
        raise InputError(
            f"{path} is neither an events table (columns {', '.join(EVENT_COLUMNS)})"
            f" nor a frames table (columns {', '.join(FRAME_COLUMNS[:8])}, AU01 …)"
        )
    return kind, read_events(p) if kind == "events" else read_frames(p)


def write_summary(summary: Mapping[str, Any], path: PathLike) -> Path:
    """Write a summary dict as JSON (UTF-8, indent 2, NaN as ``null``) atomically.

    Returns the path written.
    """
    target = Path(path)
    with _output_errors(target):
        return write_json_atomic(target, summary)
