"""Bridges: read any supported file into facs tables, write them out in another format.

``facs convert IN --from X --to Y -o OUT`` is :func:`read_any` then
:func:`write_any`. Everything passes through facs's own tables: a frames table
(:mod:`facs.series`: per-frame code intensities 0–5, side columns) and an
events table (:data:`facs.timeline.EVENT_COLUMNS`).

======================= ======================================== =====================
``--from``              read by                                  gives
======================= ======================================== =====================
livelink                :func:`facs.rigs.read_livelink`          frames, events
arkit, meta, metahuman  a CSV of channel values (one column a    frames, events
                        channel, read by name; ``time_s`` or
                        ``frame`` optional)
openface, pyfeat,       :func:`facs.formats.read_peer`           frames, events
facet, affectiva
elan                    :func:`facs.formats.read_eaf`            events (frames
                                                                 rebuilt on demand)
facs                    a frames or events table (CSV/Parquet)   frames and/or events
                        or a ``facs code`` output folder
======================= ======================================== =====================

``--to``: ``facs`` (a folder: ``frames.csv``, ``events.csv``, ``timeline.png``),
``csv`` (the frames table as one CSV), ``eaf`` (ELAN), ``arkit``, ``meta``,
``metahuman`` (a CSV of channel values, 0–1) and ``livelink`` (a Live Link Face
CSV). Rig channels come from AU intensities through
:func:`facs.rigs.frames_to_weights`; AU intensities from rig channels through
:func:`facs.rigs.weights_to_frames`. Events become frames (for a rig or a CSV)
by :func:`events_to_frames`: each event rises linearly from 0 at onset to its
peak at apex and falls back to 0 at offset.

Every conversion returns what it could not map (:attr:`Converted.notes`), which
the command line prints.

>>> FROM_FORMATS[:3]
('livelink', 'arkit', 'meta')
"""

from __future__ import annotations

import csv
import math
import os
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from facs._errors import CodeError, InputError
from facs._validate import check_positive
from facs.series import CODE_COLUMNS, CODED, FRAME_COLUMNS, SIDE_COLUMNS, CodedCode

__all__ = [
    "FROM_FORMATS",
    "TO_FORMATS",
    "Converted",
    "FromFormat",
    "ToFormat",
    "code_frames",
    "convert",
    "detect_format",
    "events_to_frames",
    "read_any",
    "write_any",
]

FromFormat = Literal[
    "livelink", "arkit", "meta", "metahuman", "openface", "pyfeat", "facet", "affectiva",
    "elan", "facs", "code",
]  # fmt: skip
ToFormat = Literal["facs", "csv", "eaf", "arkit", "meta", "metahuman", "livelink"]
FROM_FORMATS: tuple[str, ...] = get_args(FromFormat)
TO_FORMATS: tuple[str, ...] = get_args(ToFormat)
_RIGS = ("arkit", "meta", "metahuman")
_PEERS = ("openface", "pyfeat", "facet", "affectiva")
_TIME_COLUMNS = ("time_s", "time", "timestamp", "seconds")
DEFAULT_EVENT_FPS = 30.0

PathLike = str | os.PathLike[str]


@dataclass
class Converted:
    """What was read, as facs tables, and what could not be mapped.

    Attributes
    ----------
    source : pathlib.Path
        The input.
    kind : str
        The input format (one of :data:`FROM_FORMATS`).
    frames : pandas.DataFrame or None
        The processed frames table (smoothed, eyelids classified, ``code``
        column), as ``facs code`` writes it; None for events-only inputs.
    events : pandas.DataFrame
        The events table.
    raw : pandas.DataFrame or None
        The frames as read, unsmoothed (used when writing rig channels, so a
        rig-to-rig conversion does not smooth the curves).
    notes : list of str
        Findings: unmapped columns and shapes, codes a target cannot express,
        scale conversions.
    """

    source: Path
    kind: str
    frames: pd.DataFrame | None
    events: pd.DataFrame
    raw: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


def _check_line_lengths(path: Path, width: int) -> None:
    """Refuse a CSV with a line of fewer or more cells than its header (pandas fills a short
    line's cells with NaN, which reads as a frame not scored). Empty cells are fine.

    The delimiter is sniffed from the first lines as pandas sniffs it; blank lines are
    skipped; the line named is the file's own (a quoted cell may span lines).
    """
    with open(path, newline="", encoding=_encoding(path)) as handle:
        header = handle.readline()
        handle.seek(0)
        try:
            dialect: Any = csv.Sniffer().sniff(header, delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(handle, dialect)
        for row in reader:
            if row and any(cell.strip() for cell in row) and len(row) != width:
                raise InputError(
                    f"{path}: line {reader.line_num} has {len(row)} cells where the header "
                    f"has {width} (a short or damaged line)"
                )


def _encoding(path: Path) -> str:
    """A text table's encoding by its byte-order mark: UTF-16, else UTF-8 (a BOM dropped;
    kept, it glued itself to the first column's name and the format went unrecognised)."""
    from facs.formats._delimited import bom_encoding

    try:
        with open(path, "rb") as handle:
            return bom_encoding(handle.read(2))
    except OSError:
        return "utf-8-sig"


def _read_table(path: Path, *, nrows: int | None = None) -> pd.DataFrame:
    """A CSV (or Parquet) of channel values, with messages naming the file.

    ``nrows`` reads only the first rows (enough to see the header).
    """
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            return pd.read_parquet(path)
        table = pd.read_csv(path, sep=None, engine="python", nrows=nrows, encoding=_encoding(path))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, expected a CSV file") from None
    except csv.Error as err:  # the delimiter sniffer gives up on a damaged first line
        raise InputError(f"{path}: not a readable table ({err})") from None
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the file is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OSError) as err:
        raise InputError(f"{path}: not a readable table: {' '.join(str(err).split())}") from None
    if nrows is None:
        _check_line_lengths(path, len(table.columns))
    return table


def detect_format(path: PathLike) -> FromFormat:
    """Tell the input format from the suffix and the header.

    Raises
    ------
    InputError
        Missing file, or a table none of the readers recognise.
    """
    from facs.formats import detect_peer
    from facs.formats._tables import table_kind

    p = Path(path)
    if p.is_dir():
        if (p / "frames.csv").exists() or (p / "events.csv").exists():
            return "facs"
        raise InputError(f"{p}: a folder without frames.csv or events.csv")
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if p.suffix.lower() == ".eaf":
        return "elan"
    if p.suffix.lower() == ".json":
        return "affectiva"
    head: list[str] = []
    if p.suffix.lower() in (".csv", ".txt", ".tsv", ".parquet", ".pq"):
        try:
            head = [str(c) for c in _read_table(p, nrows=5).columns]
        except InputError:
            head = []  # not a plain table (iMotions text has a preamble): ask the peer readers
    names = {c.strip().lower() for c in head}
    if {"timecode", "blendshapecount"} <= names:
        return "livelink"
    if table_kind(head) is not None:
        return "facs"  # an events or frames table
    from facs.rigs import load_rig

    best: tuple[int, str] = (0, "")
    for rig in _RIGS:
        channels = {s.name.lower() for s in load_rig(rig).shapes}
        best = max(best, (len(channels & names), rig))
    if best[0] >= 5:
        return best[1]  # type: ignore[return-value]
    try:
        return detect_peer(p)
    except InputError:
        raise InputError(
            f"{p}: cannot tell the format from its columns; name it ({', '.join(FROM_FORMATS)})"
        ) from None


def _process(
    raw: pd.DataFrame, fps: float | None, *, smooth: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame]:
    from facs.timeline import process

    return process(raw, fps=fps, smooth_values=smooth)


def _read_facs(path: Path) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    from facs.formats import empty_events, read_coding, read_events, read_frames

    if path.is_dir():
        frames = read_frames(path / "frames.csv") if (path / "frames.csv").exists() else None
        events = read_events(path / "events.csv") if (path / "events.csv").exists() else None
        if frames is None and events is None:
            raise InputError(f"{path}: a folder without frames.csv or events.csv")
        return frames, events if events is not None else empty_events()
    kind, table = read_coding(path)
    return (None, table) if kind == "events" else (table, empty_events())


def read_any(
    path: PathLike,
    kind: FromFormat | None = None,
    *,
    fps: float | None = None,
) -> Converted:
    """Read ``path`` as ``kind`` (detected when None) into facs tables.

    Parameters
    ----------
    path : str or os.PathLike
        The input file (or a ``facs code`` output folder for ``facs``).
    kind : str, optional
        One of :data:`FROM_FORMATS`.
    fps : float, optional
        Frame rate, where the input has frame numbers or timecodes only.

    Raises
    ------
    InputError
        Unknown format, unreadable or malformed file (the message names the
        file and, where the reader can, the line and column).
    """
    from facs.formats import read_eaf, read_peer
    from facs.rigs import load_rig, read_livelink, weights_to_frames

    source = Path(path)
    text = str(path)
    looks_like_code = "->" in text or "+" in text or not source.suffix
    if kind is None and not source.exists() and "/" not in text and looks_like_code:
        kind = "code"  # not a file: a code or a timed list (a bad one says what is wrong)
    if kind == "code":
        curves = code_frames(text, fps=fps or DEFAULT_EVENT_FPS)
        coded, found = _process(curves, fps or DEFAULT_EVENT_FPS)
        from facs.synth._animate import DEFAULT_HOLD, DEFAULT_TRANSITION

        note = (
            f"curves made from the code: each step held {DEFAULT_HOLD:g} s (or CODE@SECONDS), "
            f"reached over {DEFAULT_TRANSITION:g} s; intensities are the letters' (A = 1 … E "
            "= 5; no letter = C)"
        )
        return Converted(Path(text), "code", coded, found, curves, [note, *_code_notes(text)])
    if source.is_file() and source.stat().st_size == 0:
        raise InputError(f"{source}: the file is empty")
    if kind is None:
        kind = detect_format(source)
    if kind not in FROM_FORMATS:
        raise InputError(f"unknown input format {kind!r}: use one of {', '.join(FROM_FORMATS)}")
    if not source.exists():
        raise InputError(f"{source}: no such file")
    if kind in _PEERS:
        peer = read_peer(source, kind, fps=fps)  # type: ignore[arg-type]
        notes = _unmapped_notes(peer.unmapped)
        return Converted(source, kind, peer.frames, peer.events, peer.raw, [*notes, *peer.notes])
    if kind == "elan":
        return Converted(source, kind, None, read_eaf(source, fps=fps))
    if kind == "facs":
        frames, events = _read_facs(source)
        if frames is not None and events.empty:
            # a facs frames table is already smoothed: its events are found in the values
            # as they stand (smoothed again, every pass changed them)
            frames, events = _process(frames, fps, smooth=False)
        return Converted(source, kind, frames, events, frames)
    if kind == "livelink":
        weights = read_livelink(source, fps)
        rig = load_rig("livelink")
        raw, report = weights_to_frames(weights, rig, time_column="time_s", fps=fps)
    else:
        weights = _read_table(source)
        rig = load_rig(kind)
        time_column = next((c for c in weights.columns if str(c).lower() in _TIME_COLUMNS), None)
        try:
            raw, report = weights_to_frames(weights, rig, time_column=time_column, fps=fps)
        except InputError as err:
            raise InputError(f"{source}: {err}") from None
    frames, events = _process(raw, fps)
    return Converted(source, kind, frames, events, raw, report.lines())


def _code_notes(text: str) -> list[str]:
    """What a code's curves leave out or assume, said once each (the notation's warnings:
    of two codes FACS never scores together the curves keep the stronger; movements)."""
    from facs.synth._animate import parse_timeline

    notes: list[str] = []
    for step in parse_timeline(text):
        for warning in step.code.warnings:
            if "mutually exclusive" in warning:
                warning += "; the curves keep the stronger (on a tie the first)"
            notes.append(warning)
        for action in step.code.actions:
            if action.movement:
                notes.append(f"{action}: a movement (M) has no intensity curve; not converted")
            elif action.side == "U":
                notes.append(f"{action}: one side, not stated which; drawn on the left")
    return list(dict.fromkeys(notes))


#: Highest frame rate a conversion draws curves at (a timed list at 1e6 fps took 11 GB).
MAX_CONVERT_FPS = 1000.0


def code_frames(text: str, *, fps: float = DEFAULT_EVENT_FPS) -> pd.DataFrame:
    """A FACS code, or a timed list as ``facs animate`` reads it, as a raw frames table.

    ``"6+12D"`` is held :data:`~facs.synth.DEFAULT_HOLD` seconds; ``"0 ->
    6+12D@1.5 -> 0"`` steps from code to code (each held its ``@`` seconds,
    reached over :data:`~facs.synth.DEFAULT_TRANSITION` with a smoothstep).
    Intensities are the letters' (A = 1 … E = 5, no letter = C), per side; a
    bilateral column holds the larger side.

    >>> fr = code_frames("L12D+6B", fps=10)
    >>> len(fr), float(fr["AU12_L"].max()), float(fr["AU12_R"].max()), float(fr["AU06"].max())
    (5, 4.0, 0.0, 2.0)

    Raises
    ------
    CodeError
        A bad code or step (the step and position named).
    """
    from facs.series import CODED, FRAME_COLUMNS
    from facs.synth._animate import DEFAULT_TRANSITION, parse_timeline, timeline_levels

    check_positive("fps", fps, most=MAX_CONVERT_FPS)
    steps = parse_timeline(text)
    rows = list(timeline_levels(steps, fps=fps, transition=DEFAULT_TRANSITION))
    table = pd.DataFrame(0.0, index=range(len(rows)), columns=list(FRAME_COLUMNS))
    table["frame"] = np.arange(len(rows))
    table["time_s"] = [t for t, _ in rows]
    table["face"] = 0
    table["success"] = 1
    table["confidence"] = 1.0
    for coded in CODED:
        left = np.array([5.0 * lv.get(coded.number, (0.0, 0.0))[0] for _, lv in rows])
        right = np.array([5.0 * lv.get(coded.number, (0.0, 0.0))[1] for _, lv in rows])
        if coded.sided:
            table[f"{coded.column}_L"], table[f"{coded.column}_R"] = left, right
        table[coded.column] = np.maximum(left, right)
    for column in ("frame", "face", "success"):
        table[column] = table[column].astype("int64")
    return table


#: Most frames an events → frames rebuild makes (about 9 hours at 30 fps, ~700 MB): the
#: size follows the events' last time, which a file states and need not mean.
MAX_CURVE_FRAMES = 1_000_000


def events_to_frames(events: pd.DataFrame, *, fps: float = DEFAULT_EVENT_FPS) -> pd.DataFrame:
    """Rebuild a frames table from events: a linear rise to the peak at apex, then a fall.

    Each event of code ``c`` (side ``s``) rises linearly from 0 at ``onset_s``
    to ``peak`` at ``apex_s`` and falls back to 0 at ``offset_s``; overlapping
    events of one column take the larger value. Events without a peak take the
    value of their letter (A = 1 … E = 5; C when none). Codes the frames table
    does not score are dropped.

    >>> ev = pd.DataFrame({"face": [0], "code": ["12"], "side": [None], "onset_s": [0.0],
    ...                    "apex_s": [0.5], "offset_s": [1.0], "peak": [4.0], "letter": ["D"]})
    >>> fr = events_to_frames(ev, fps=10)
    >>> float(fr["AU12"].max()), float(fr.loc[fr["time_s"] == 0.5, "AU12_L"].iloc[0])
    (4.0, 4.0)
    """
    from facs.formats._tables import checked_events
    from facs.series import empty_frames

    check_positive("fps", fps)
    events = checked_events(events)  # peak 99 or onset after offset made impossible frames
    if events.empty:
        return empty_frames()
    columns = {str(c.number): c for c in CODED}
    end = float(events["offset_s"].max())
    n_frames = math.floor(end * fps) + 2
    if not math.isfinite(end) or n_frames > MAX_CURVE_FRAMES:
        raise InputError(
            f"events reach {end:g} s: at {fps:g} fps that is {n_frames:,} frames, more than "
            f"the {MAX_CURVE_FRAMES:,} a rebuilt frames table may hold (a time in the wrong "
            "unit?); lower the frame rate or split the coding"
        )
    times = np.arange(0.0, end + 1.0 / fps, 1.0 / fps)
    tables = []
    for face, group in events.groupby("face", sort=True):
        values: dict[str, np.ndarray] = {}
        for ev in group.to_dict("records"):
            found = _event_target(ev, columns)
            if found is None:
                continue
            coded, side = found
            raw_peak = ev.get("peak")
            peak = _letter_value(ev.get("letter"))
            if isinstance(raw_peak, int | float | np.number) and np.isfinite(raw_peak) and raw_peak:
                peak = float(raw_peak)
            onset, apex, offset = (float(ev[k]) for k in ("onset_s", "apex_s", "offset_s"))
            apex = min(max(apex, onset), offset)
            rise = np.clip((times - onset) / max(apex - onset, 1e-9), 0.0, 1.0)
            fall = np.clip((offset - times) / max(offset - apex, 1e-9), 0.0, 1.0)
            curve = peak * np.where(times <= apex, rise, fall)
            curve[(times < onset) | (times > offset)] = 0.0
            targets = [coded.column]
            if coded.sided:
                targets = [f"{coded.column}_{s}" for s in ((side,) if side else ("L", "R"))]
            for target in targets:
                values[target] = np.maximum(values.get(target, 0.0), curve)
        table = pd.DataFrame(0.0, index=range(len(times)), columns=list(FRAME_COLUMNS))
        table["frame"] = np.arange(len(times))
        table["time_s"] = times
        table["face"] = int(str(face))
        table["success"] = 1
        table["confidence"] = 1.0
        for column, curve in values.items():
            table[column] = curve
        for column in SIDE_COLUMNS:
            if column.endswith("_L"):
                base = column[:-2]
                table[base] = np.maximum(table[base], table[[f"{base}_L", f"{base}_R"]].max(axis=1))
        tables.append(table)
    out = pd.concat(tables, ignore_index=True).sort_values(["frame", "face"], kind="stable")
    for column in ("frame", "face", "success"):
        out[column] = out[column].astype(np.int64)
    return out.reset_index(drop=True)


def _event_target(
    event: dict[Any, Any], columns: dict[str, CodedCode]
) -> tuple[CodedCode, str | None] | None:
    """The coded code and side (L/R/None) of an events row, or None when not coded."""
    from facs.notation import Code

    text = str(event.get("code", "")).strip()
    try:
        actions = list(Code.parse(text))
    except CodeError:
        return None
    if len(actions) != 1 or actions[0].movement:
        return None
    action = actions[0]
    coded = columns.get(str(action.number))
    if coded is None or (coded.kind == "AD") != (action.kind == "AD"):
        return None
    side = event.get("side")
    side = side if side in ("L", "R") else action.side if action.side in ("L", "R") else None
    return coded, side


def _letter_value(letter: object) -> float:
    text = str(letter).strip().upper() if isinstance(letter, str) else ""
    return float("ABCDE".index(text) + 1) if text in ("A", "B", "C", "D", "E") else 3.0


def _frames_for_output(data: Converted, fps: float | None) -> tuple[pd.DataFrame, list[str]]:
    if data.raw is not None:
        return data.raw, []
    if data.frames is not None:
        return data.frames, []
    rate = fps or DEFAULT_EVENT_FPS
    note = f"frames rebuilt from the events at {rate:g} fps (linear onset → apex → offset)"
    return events_to_frames(data.events, fps=rate), [note]


def write_any(
    data: Converted,
    path: PathLike,
    kind: ToFormat,
    *,
    fps: float | None = None,
    media: PathLike | None = None,
) -> tuple[list[Path], list[str]]:
    """Write ``data`` as ``kind``; returns the files written and the notes of this step.

    Raises
    ------
    InputError
        Unknown output format, or a target that needs something the input
        lacks.
    """
    from facs.formats import write_eaf, write_frames
    from facs.rigs import frames_to_weights, load_rig, write_livelink

    target = Path(path)
    if kind not in TO_FORMATS:
        raise InputError(f"unknown output format {kind!r}: use one of {', '.join(TO_FORMATS)}")
    if kind == "eaf":
        if target.suffix.lower() != ".eaf":
            raise InputError(f"{target}: an ELAN file needs the .eaf suffix")
        linked = [] if media is None or Path(media).exists() else [
            f"{media}: no such file here; the ELAN file links it by this path (ELAN asks "
            "for the video when it cannot find it)"]  # fmt: skip
        return [write_eaf(data.events, target, media=media)], linked
    if kind == "facs":
        if target.suffix.lower() in _FILE_SUFFIXES and not target.is_dir():
            raise InputError(f"{target}: the facs format writes a folder; give a folder name")
        return _write_facs_folder(data, target, fps)
    frames, notes = _frames_for_output(data, fps)
    if kind == "csv":
        if target.suffix.lower() != ".csv":
            raise InputError(f"{target}: the csv format writes a .csv file")
        return [write_frames(frames, target)], notes
    if target.suffix.lower() != ".csv":
        raise InputError(f"{target}: the {kind} format writes a .csv file")
    from facs.formats._atomic import write_text_atomic

    rig = load_rig("livelink" if kind == "livelink" else kind)
    faces = sorted(int(f) for f in frames["face"].unique() if f >= 0) if "face" in frames else []
    if len(faces) > 1:  # a curve file drives one character: one file per face
        notes.append(
            f"{len(faces)} faces: one {kind} file per face "
            f"({', '.join(_face_target(target, f).name for f in faces)})"
        )
    written = []
    for face in faces or [0]:
        rows = _every_frame(frames, face) if faces else frames
        weights, report = frames_to_weights(rows.reset_index(drop=True), rig)
        notes += [line for line in report.lines() if line not in notes]
        out = _face_target(target, face) if len(faces) > 1 else target
        if kind == "livelink":
            # Columns NaN throughout are codes never scored (AD19), not frames left out.
            scored = [
                c for c in (*CODE_COLUMNS, *SIDE_COLUMNS) if c in rows and rows[c].notna().any()
            ]
            blank = int(rows[scored].isna().any(axis=1).sum())
            if blank:
                notes.append(
                    f"{blank} frame(s) with regions not scored (covered, turned away, no face): "
                    "their channels are written as rest (0), as a Live Link CSV has no empty cell"
                )
            written.append(write_livelink(weights, out, fps=fps or 60.0))
        else:
            csv = weights.to_csv(index=False, float_format="%.4f")
            written.append(write_text_atomic(out, csv))
    return written, notes


#: Suffixes of files, not folders: ``--to facs`` refuses them as its output folder.
_FILE_SUFFIXES = frozenset({".csv", ".tsv", ".eaf", ".json", ".parquet", ".txt", ".xlsx"})


def _every_frame(frames: pd.DataFrame, face: int) -> pd.DataFrame:
    """One face's rows with a row for every frame of the coding: where the face was not
    found its codes are NaN (a curve file's rest or empty cells), not a gap in time."""
    own = frames[frames["face"] == face]
    keys = ["frame", "time_s"] if "frame" in frames else ["time_s"]
    every = frames[keys].drop_duplicates(keys[0]).sort_values(keys[0])
    out = every.merge(own.drop(columns=keys[1:]), on=keys[0], how="left")
    out["face"] = face
    if "success" in out:
        out["success"] = out["success"].fillna(0).astype("int64")
    return out[[c for c in frames.columns if c in out.columns]].reset_index(drop=True)


def _face_target(target: Path, face: int) -> Path:
    """``take.csv`` → ``take_face1.csv``: one curve file per face of a coding."""
    return target.with_name(f"{target.stem}_face{face}{target.suffix}")


def _unmapped_notes(unmapped: dict[str, str]) -> list[str]:
    """One note per reason a peer's columns were not imported; a long list shortened
    (OpenFace's 400 landmark columns are one line, not 400).

    >>> _unmapped_notes({"x_0": "landmark", "x_1": "landmark", "x_2": "landmark",
    ...                  "x_3": "landmark", "gaze_0_x": "gaze"})
    ['x_0, x_1, x_2 … (4 columns): not imported (landmark)', 'gaze_0_x: not imported (gaze)']
    """
    by_reason: dict[str, list[str]] = {}
    for column, why in unmapped.items():
        by_reason.setdefault(why, []).append(column)
    out = []
    for why, columns in by_reason.items():
        shown = (
            ", ".join(columns)
            if len(columns) <= 3
            else (f"{', '.join(columns[:3])} … ({len(columns)} columns)")
        )
        out.append(f"{shown}: not imported ({why})")
    return out


def _write_facs_folder(
    data: Converted, folder: Path, fps: float | None
) -> tuple[list[Path], list[str]]:
    from facs.formats import write_events, write_frames
    from facs.plot import plot_timeline

    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: a file is there; the facs format is a folder (a new name)")
    notes: list[str] = []
    frames = data.frames
    if frames is None:
        raw, notes = _frames_for_output(data, fps)
        frames, _ = _process(raw, fps or DEFAULT_EVENT_FPS)
    # Written into a staging folder beside it, then moved in: a failure (a full disk at
    # the plot) left frames.csv and events.csv of a set that was never whole.
    place = folder.resolve()  # "-o ." has no name of its own
    staging = place.with_name(f".{place.name}.tmp-{os.getpid()}")
    try:
        staging.mkdir(parents=True, exist_ok=True)
        staged = [write_frames(frames, staging / "frames.csv"),
                  write_events(data.events, staging / "events.csv")]  # fmt: skip
        if len(frames):
            title = f"{data.source.name} ({data.kind})"
            staged.append(plot_timeline(frames, data.events, staging / "timeline.png", title=title))
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for path in staged:
            os.replace(path, folder / path.name)
            written.append(folder / path.name)
    except InputError as err:  # a writer's refusal names the file it would have become
        raise InputError(str(err).replace(str(staging), str(folder))) from None
    except OSError as err:
        raise InputError(f"cannot write {folder}: {err.strerror or err}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written, notes


def convert(
    source: PathLike,
    target: PathLike,
    *,
    from_format: FromFormat | None = None,
    to_format: ToFormat,
    fps: float | None = None,
    media: PathLike | None = None,
) -> Converted:
    """:func:`read_any` then :func:`write_any`; the returned notes cover both steps."""
    data = read_any(source, from_format, fps=fps)
    _, notes = write_any(data, target, to_format, fps=fps, media=media)
    return replace(data, notes=[*data.notes, *notes])
