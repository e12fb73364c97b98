"""Importers of other AU tools' outputs: OpenFace 2, py-feat, iMotions FACET, Affectiva.

Each importer turns a tool's per-frame output into the frames table of
:mod:`facs.series` (the table ``facs code`` writes), and :func:`read_peer`
runs it through :func:`facs.timeline.process` so the events are found exactly
as for ``facs code``. The mapping tables (tool column → code column, scale,
head-pose signs) live in ``peers.toml`` beside this module, with their sources.

Conventions
-----------
- **NaN means not scored.** A code the tool does not score (OpenFace has no
  AU16, Affectiva no AU23, no tool here scores 51–64) is NaN in every row; 0
  means scored and absent. The timeline treats NaN as inactive, so such a
  column simply yields no event and no code; nothing is invented.
- **Sides.** None of these tools reports left and right: a sided code's
  ``_L`` and ``_R`` columns copy the bilateral value (the frames table's rule
  "bilateral = larger side" then holds), so events and FACS strings come out
  bilateral (``12C``), never one-sided.
- **Scales** (all onto 0–5, 0 absent, 1 = A … 5 = E): OpenFace ``AUxx_r``
  as is (a 0–5 regression); py-feat 0–1 × 5; FACET evidence (log10 odds)
  through ``5 / (1 + 10 ** (2 - evidence))``; Affectiva 0–100 ÷ 20. Values
  outside the tool's documented range are an error, not silently clipped.
- **Eyelids.** Lid closure (OpenFace AU45, py-feat and FACET AU43, Affectiva
  eyeClosure) goes to ``AU43``, the raw closure column of facs's own
  estimator; the timeline splits it into 45 (blink) and 43 by duration.
- **Rows without a face** (``success = 0``, no AU values) become the schema's
  face-less row: ``face = -1``, NaN codes and pose, one row per frame.

Errors name the file, the line as a text editor shows it and the column:
``OpenFace_Test.csv line 7, column AU12_r: 'abc' is not a number``.

Examples
--------
>>> import tempfile
>>> path = Path(tempfile.mkdtemp()) / "of.csv"
>>> _ = path.write_text(
...     "frame, face_id, timestamp, confidence, success, AU12_r, AU45_r\\n"
...     "1, 0, 0.000, 0.98, 1, 0.0, 0.1\\n"
...     "2, 0, 0.033, 0.98, 1, 2.6, 0.0\\n", encoding="utf-8")
>>> frames = read_peer(path).raw  # as imported; .frames and .events are after the timeline
>>> frames[["frame", "time_s", "AU12", "AU12_L", "AU43"]].to_numpy().tolist()
[[0.0, 0.0, 0.0, 0.0, 0.1], [1.0, 0.033, 2.6, 2.6, 0.0]]
>>> bool(frames["AU16"].isna().all())  # OpenFace does not score AU16
True
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast, get_args

import numpy as np
import numpy.typing as npt
import pandas as pd

from facs._errors import InputError
from facs.formats._delimited import bom_encoding, records
from facs.series import CODE_COLUMNS, CODED, FRAME_COLUMNS, empty_frames, validate_frames
from facs.timeline import process

__all__ = [
    "PEER_TOOLS",
    "PeerData",
    "PeerTool",
    "detect_peer",
    "facet_intensity",
    "read_peer",
]

PeerTool = Literal["openface", "pyfeat", "facet", "affectiva"]
#: The tools :func:`read_peer` reads.
PEER_TOOLS: tuple[PeerTool, ...] = cast(tuple[PeerTool, ...], get_args(PeerTool))
PathLike = str | os.PathLike[str]
FloatArray = npt.NDArray[np.float64]

_TOOL_NAMES: dict[PeerTool, str] = {
    "openface": "OpenFace",
    "pyfeat": "py-feat",
    "facet": "iMotions FACET",
    "affectiva": "Affectiva",
}
_SIDED = {c.column for c in CODED if c.sided}
_MISSING_TEXT = frozenset({"", "nan", "-nan", "na", "n/a", "null", "none"})
_TOLERANCE = 1e-6  # slack on documented ranges (float round-off in exports)


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, eq=False)
class PeerData:
    """A peer tool's output as facs tables, with a record of what was mapped.

    Attributes
    ----------
    tool : {"openface", "pyfeat", "facet", "affectiva"}
        Which tool wrote the file.
    source : pathlib.Path
        The file read.
    raw : pandas.DataFrame
        The imported frames table (schema of :mod:`facs.series`), values as
        the tool gave them on facs's scale: not smoothed.
    frames : pandas.DataFrame
        ``raw`` after :func:`facs.timeline.process`: smoothed, eyelids
        classified, with the per-frame FACS string in ``code``; what
        ``facs code`` writes as ``frames.csv``.
    events : pandas.DataFrame
        The events (:data:`facs.timeline.EVENT_TABLE_COLUMNS`), as ``events.csv``.
    mapped : dict of str to str
        Tool column → facs column it fills (``"AU12_r" → "AU12"``,
        ``"pose_Ry" → "yaw"``).
    unmapped : dict of str to str
        Tool column → why it was not imported.
    notes : tuple of str
        Scale conversions, sign flips, assumptions, in words.
    """

    tool: PeerTool
    source: Path
    raw: pd.DataFrame
    frames: pd.DataFrame
    events: pd.DataFrame
    mapped: dict[str, str]
    unmapped: dict[str, str]
    notes: tuple[str, ...]


@dataclass
class _Imported:
    table: pd.DataFrame
    mapped: dict[str, str] = field(default_factory=dict)
    unmapped: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- mapping data


@dataclass(frozen=True)
class _Spec:
    """One tool's section of ``peers.toml``."""

    columns: Mapping[str, str]
    reasons: Mapping[str, str]
    pose: Mapping[str, tuple[str, float]]  # facs angle → (tool column, sign)
    pose_unit: str
    scale: str
    midpoint: float
    width: float


@cache
def _spec(tool: PeerTool) -> _Spec:
    text = resources.files("facs.formats").joinpath("peers.toml").read_text(encoding="utf-8")
    raw: dict[str, Any] = tomllib.loads(text)[tool]
    pose: dict[str, tuple[str, float]] = {}
    for angle, column in raw.get("pose", {}).items():
        name = str(column)
        pose[angle] = (name[1:], -1.0) if name.startswith("-") else (name, 1.0)
    columns = {str(k): str(v) for k, v in raw["columns"].items()}
    unknown = sorted(set(columns.values()) - set(CODE_COLUMNS))
    if unknown:  # a packaging error, not a user error
        raise ValueError(f"peers.toml [{tool}]: not code columns: {', '.join(unknown)}")
    return _Spec(
        columns=columns,
        reasons={str(k): str(v) for k, v in raw.get("reasons", {}).items()},
        pose=pose,
        pose_unit=str(raw.get("pose_unit", "degrees")),
        scale=str(raw["scale"]),
        midpoint=float(raw.get("midpoint", 0.0)),
        width=float(raw.get("width", 1.0)),
    )


def facet_intensity(
    evidence: npt.ArrayLike, *, midpoint: float = 2.0, width: float = 1.0
) -> FloatArray:
    """FACET evidence (log10 odds of presence) → facs 0–5 intensity.

    ``5 / (1 + 10 ** ((midpoint - evidence) / width))``: a base-10 logistic,
    so evidence 1 (10:1 odds) stays below the first letter and 3 reads E.

    >>> facet_intensity([-2.0, 1.0, 1.4, 2.0, 3.0]).round(2).tolist()
    [0.0, 0.45, 1.0, 2.5, 4.55]
    """
    x = np.asarray(evidence, dtype=np.float64)
    with np.errstate(over="ignore"):
        out: FloatArray = 5.0 / (1.0 + np.power(10.0, (midpoint - x) / width))
    return out


def _scaled(spec: _Spec, values: FloatArray) -> FloatArray:
    if spec.scale == "identity":
        return values
    if spec.scale == "times5":
        return values * 5.0
    if spec.scale == "div20":
        return values / 20.0
    if spec.scale == "logistic10":
        return facet_intensity(values, midpoint=spec.midpoint, width=spec.width)
    raise ValueError(f"peers.toml: unknown scale {spec.scale!r}")


_RANGES: dict[str, tuple[float, float, str]] = {
    "identity": (0.0, 5.0, "0–5"),
    "times5": (0.0, 1.0, "0–1"),
    "div20": (0.0, 100.0, "0–100"),
}
_SCALE_NOTES: dict[str, str] = {
    "identity": "intensities used as they are (0–5 regression)",
    "times5": "intensities 0–1 multiplied by 5",
    "div20": "expression scores 0–100 divided by 20",
    "logistic10": "evidence (log10 odds) mapped by 5 / (1 + 10 ** (({m:g} - evidence) / {w:g}))",
}


# --------------------------------------------------------------------------- text and tables


def _read_text(path: Path, source: str, *, fallback: str | None = None) -> str:
    if not path.exists():
        raise InputError(f"cannot read {source}: no such file")
    if path.is_dir():
        raise InputError(f"cannot read {source}: it is a folder, not a file")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read {source}: {err.strerror or err}") from None
    if not data.strip():
        raise InputError(f"cannot read {source}: the file is empty")
    encoding = bom_encoding(data[:2])
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        if fallback is not None:
            return data.decode(fallback, errors="replace")
        line = data[: err.start].count(b"\n") + 1
        raise InputError(
            f"{source} line {line}: not UTF-8 text (byte {err.start} is {data[err.start]:#04x})"
        ) from None


@dataclass(frozen=True)
class _Rows:
    """The wanted columns of a delimited table as text, with each row's line number."""

    source: str
    names: tuple[str, ...]
    data: pd.DataFrame
    lines: npt.NDArray[np.int64]

    def where(self, row: int, column: str) -> str:
        return f"{self.source} line {int(self.lines[row])}, column {column}"

    def text(self, column: str) -> pd.Series:
        return self.data[column].fillna("").astype(str).str.strip()

    def numbers(self, column: str) -> FloatArray:
        """A column as floats (empty or ``nan`` → NaN), naming the first bad value."""
        text = self.text(column)
        values = pd.to_numeric(text.where(~text.str.lower().isin(_MISSING_TEXT)), errors="coerce")
        bad = np.flatnonzero(values.isna().to_numpy() & ~text.str.lower().isin(_MISSING_TEXT))
        if bad.size:
            i = int(bad[0])
            raise InputError(f"{self.where(i, column)}: {text.iloc[i]!r} is not a number")
        out: FloatArray = values.to_numpy(dtype=np.float64)
        return out

    def whole(self, column: str) -> FloatArray:
        values = self.numbers(column)
        bad = np.flatnonzero(np.isfinite(values) & (values != np.round(values)))
        if bad.size:
            i = int(bad[0])
            raise InputError(
                f"{self.where(i, column)}: {self.text(column).iloc[i]!r} is not a whole number"
            )
        return values


def _is_blank(line: str, sep: str) -> bool:
    return not line.replace(sep, "").strip()


def _header(text: str, source: str, *, sep: str, preamble: bool) -> tuple[int, list[str]]:
    """Index and names of the header line (``#`` lines and blank lines skipped first)."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if _is_blank(line, sep) or (preamble and line.lstrip().startswith("#")):
            continue
        names = [n.strip() for n in next(csv.reader([line], delimiter=sep))]
        return i, names
    raise InputError(f"cannot read {source}: no header line (only comments or blank lines)")


def _rows(
    text: str, source: str, *, sep: str, header: int, names: Sequence[str], wanted: Sequence[str]
) -> _Rows:
    """Read the ``wanted`` columns of the lines after ``header`` as text."""
    seen: set[str] = set()
    for name in wanted:
        if names.count(name) > 1 and name not in seen:
            raise InputError(f"{source} line {header + 1}: column {name} appears twice")
        seen.add(name)
    # Records after the header, each with the line it starts on (facs.formats._delimited):
    # blank lines and quoted fields that span lines are counted as the file has them.
    after = "".join(text.splitlines(keepends=True)[header + 1 :])
    found = [(n + header + 1, row) for n, row in records(after, sep=sep, skipinitialspace=True)]
    expected = len(names)
    for n, row in found:
        count = len(row)
        # Tab exports (iMotions) may drop trailing empty fields; a short CSV line is truncated.
        if count > expected or (count < expected and sep != "\t"):
            raise InputError(f"{source} line {n}: {count} fields where the header has {expected}")
    shortest_before = min((len(row) for _, row in found[:-1]), default=expected)
    if found and len(found[-1][1]) < shortest_before and not text.endswith(("\n", "\r")):
        # a last line shorter than every other, with no line break after it: the file was
        # cut mid-row (rows of a tab export may all drop trailing empty fields, so a short
        # last row as short as others is one of them)
        n, row = found[-1]
        raise InputError(
            f"{source} line {n}: {len(row)} fields where the header has {expected}, and the "
            "file ends there without a line break: it looks cut short"
        )
    wanted = list(dict.fromkeys(wanted))
    index = [names.index(n) for n in wanted]
    data = pd.DataFrame(
        {
            w: [row[j] if j < len(row) else "" for _, row in found]
            for w, j in zip(wanted, index, strict=True)
        },
        columns=wanted,
        dtype=object,
    )
    row_lines = np.array([n for n, _ in found], dtype=np.int64)
    return _Rows(source, tuple(names), data.reset_index(drop=True), row_lines)


def _check_range(rows: _Rows, column: str, values: FloatArray, scale: str, tool: str) -> None:
    if scale not in _RANGES:
        return
    low, high, words = _RANGES[scale]
    bad = np.flatnonzero(
        np.isfinite(values) & ((values < low - _TOLERANCE) | (values > high + _TOLERANCE))
    )
    if bad.size:
        i = int(bad[0])
        raise InputError(
            f"{rows.where(i, column)}: {rows.text(column).iloc[i]!r} is outside"
            f" {tool}'s {words} range"
        )


# --------------------------------------------------------------------------- assembly


def _assemble(
    *,
    source: str,
    frame: FloatArray,
    time_s: FloatArray,
    face: FloatArray,
    success: FloatArray,
    confidence: FloatArray,
    pose: Mapping[str, FloatArray],
    codes: Mapping[str, FloatArray],
) -> pd.DataFrame:
    """The frames table from per-row arrays (codes already on facs's 0–5 scale)."""
    n = len(frame)
    nan = np.full(n, np.nan)
    ok = success > 0
    data: dict[str, Any] = {c: nan for c in FRAME_COLUMNS}
    data.update(frame=frame, time_s=time_s, face=np.where(ok, face, -1.0))
    data.update(success=ok.astype(np.float64), confidence=np.where(ok, confidence, np.nan))
    for angle in ("yaw", "pitch", "roll"):
        data[angle] = np.where(ok, pose.get(angle, nan), np.nan)
    for column, values in codes.items():
        clipped = np.clip(values, 0.0, 5.0)
        data[column] = np.where(ok, clipped, np.nan)
        if column in _SIDED:
            data[f"{column}_L"] = data[f"{column}_R"] = data[column]
    if "AU43" in codes:  # the timeline moves blinks and winks out of the closure: 0 until then
        for column in ("AU45", "AU46"):
            for name in (column, f"{column}_L", f"{column}_R"):
                if name not in codes:
                    data[name] = np.where(np.isfinite(data["AU43"]), 0.0, np.nan)
    table = pd.DataFrame(data, columns=list(FRAME_COLUMNS))
    # One face-less row per frame, and none for a frame where some face was found.
    failed = ~ok
    if failed.any():
        with_face = set(table.loc[ok, "frame"].tolist())
        drop = failed & (
            table["frame"].isin(with_face).to_numpy() | table["frame"].duplicated().to_numpy()
        )
        table = table.loc[~drop]
    table = table.sort_values(["frame", "face"], kind="stable").reset_index(drop=True)
    dupes = table.loc[table["face"] >= 0].duplicated(["frame", "face"])
    if dupes.any():
        first = table.loc[table["face"] >= 0].loc[dupes]
        f, k = int(first["frame"].iloc[0]), int(first["face"].iloc[0])
        raise InputError(f"{source}: frame {f} holds face {k} twice")
    out = pd.concat([empty_frames(), table], ignore_index=True)
    out = out.astype({"frame": "int64", "face": "int64", "success": "int64"})
    return validate_frames(out, source=source)


def _pose(rows: _Rows, spec: _Spec, imported: _Imported, tool: str) -> dict[str, FloatArray]:
    pose: dict[str, FloatArray] = {}
    flipped: list[str] = []
    for angle, (column, sign) in spec.pose.items():
        if column not in rows.data.columns:
            continue
        values = rows.numbers(column)
        if spec.pose_unit == "radians":
            values = np.degrees(values)
        pose[angle] = sign * values
        imported.mapped[column] = angle
        if sign < 0:
            flipped.append(f"{angle} = -{column}")
    if pose:
        unit = " (radians → degrees)" if spec.pose_unit == "radians" else ""
        signs = f"; signs flipped to facs's convention: {', '.join(flipped)}" if flipped else ""
        imported.notes.append(f"head pose from {tool}{unit}{signs}")
    else:
        imported.notes.append("no head pose columns: yaw, pitch and roll are NaN")
    return pose


def _codes(
    rows: _Rows, spec: _Spec, imported: _Imported, tool: str, columns: Sequence[str]
) -> dict[str, FloatArray]:
    codes: dict[str, FloatArray] = {}
    for column in columns:
        values = rows.numbers(column)
        _check_range(rows, column, values, spec.scale, tool)
        target = spec.columns[column]
        codes[target] = _scaled(spec, values)
        imported.mapped[column] = target
    note = _SCALE_NOTES[spec.scale].format(m=spec.midpoint, w=spec.width)
    imported.notes.append(f"{tool}: {note}")
    _side_note(imported, codes)
    return codes


def _side_note(imported: _Imported, codes: Mapping[str, Any]) -> None:
    sided = sorted(c for c in codes if c in _SIDED)
    if sided:
        imported.notes.append(
            f"no sides reported: {', '.join(f'{c}_L/_R' for c in sided)} copy the bilateral value"
        )
    unscored = [c for c in CODE_COLUMNS if c not in codes]
    if "AU43" in codes:  # the timeline derives blinks and winks from the closure
        unscored = [c for c in unscored if c not in ("AU45", "AU46")]
        imported.notes.append("AU45 (blink) and AU46 (wink) come from AU43 through the timeline")
    if unscored:
        imported.notes.append(f"not scored by the tool (NaN): {', '.join(unscored)}")


def _any_value(codes: Mapping[str, FloatArray]) -> FloatArray:
    """1.0 for rows where the tool gave some code value, else 0.0."""
    found = np.zeros(len(next(iter(codes.values()))), dtype=bool)
    for values in codes.values():
        found |= np.isfinite(values)
    return found.astype(np.float64)


def _reason(column: str, spec: _Spec) -> str:
    if column in spec.reasons:
        return spec.reasons[column]
    rules: tuple[tuple[str, str], ...] = (
        (r"^(x|y|X|Y|Z)_\d+$", "facial landmark"),
        (r"^eye_lmk_", "eye landmark"),
        (r"^p_", "shape-model parameter"),
        (r"^gaze_", "gaze direction (facs scores eye positions 61–64 itself)"),
        (r"^pose_T", "head position; facs keeps rotation only"),
        (r"^AU\d+_c$", "presence (0/1) from a separate classifier; intensity comes from AUxx_r"),
        (r"^FaceRect|^FaceRect ", "face box"),
        (r"(?i)evidence$|intensity$", "emotion estimate, not a FACS code"),
        (r"^(LEFT|RIGHT)_EYE_|^NOSE_TIP| [XY]$", "facial point"),
    )
    for pattern, reason in rules:
        if re.search(pattern, column):
            return reason
    return "not a code, time, face or pose column"


def _unmapped(names: Sequence[str], spec: _Spec, imported: _Imported) -> None:
    for name in names:
        if name and name not in imported.mapped:
            imported.unmapped[name] = _reason(name, spec)


# --------------------------------------------------------------------------- OpenFace


def _import_openface(path: PathLike, *, gate: bool = False) -> _Imported:
    """Read an OpenFace 2.x CSV (not smoothed).

    Parameters
    ----------
    path : str or os.PathLike
        A CSV from ``FeatureExtraction``, ``FaceLandmarkVidMulti`` (faces by
        ``face_id``) or ``FaceLandmarkImg`` (faces by ``face``).
    gate : bool, default False
        Zero an ``AUxx_r`` intensity wherever OpenFace's presence classifier
        ``AUxx_c`` says 0. OpenFace's two outputs come from separate models;
        by default facs uses the intensities alone and lets the timeline's
        hysteresis (an event needs A, 1.0) decide presence.

    Returns
    -------
    _Imported
        ``table``, a frames table:
        Schema of :mod:`facs.series`. ``frame`` = OpenFace frame − 1,
        ``time_s`` = ``timestamp``, ``success`` and ``confidence`` as given,
        yaw = −deg(``pose_Ry``), pitch = −deg(``pose_Rx``), roll =
        deg(``pose_Rz``); ``AUxx_r`` as is (0–5), ``AU45_r`` into ``AU43``.

    Raises
    ------
    InputError
        Missing file, empty file, no AU columns, no timestamp column, a value
        that is not a number or outside 0–5 (file, line and column named).
    """
    source = str(path)
    spec = _spec("openface")
    text = _read_text(Path(path), source)
    header, names = _header(text, source, sep=",", preamble=False)
    intensity = [c for c in names if c in spec.columns]
    if not intensity:
        line = text.splitlines()[header] if text.strip() else ""
        for sep, word in (("\t", "tabs"), (";", "semicolons")):
            if line.count(sep) > line.count(","):
                raise InputError(
                    f"{source} line {header + 1}: the columns are split by {word}; OpenFace "
                    "writes commas (save it as comma-separated CSV)"
                )
        raise InputError(
            f"{source}: no OpenFace AU intensity columns (expected AU01_r … AU45_r);"
            " is it another tool's output? Name no format and its columns tell which"
        )
    has_frame, has_time = "frame" in names, "timestamp" in names
    if has_frame and not has_time:
        raise InputError(f"{source}: no timestamp column (OpenFace writes frame, timestamp, …)")
    face_col = next((c for c in ("face_id", "face") if c in names), None)
    presence = {c: f"{c[:-2]}_c" for c in intensity if f"{c[:-2]}_c" in names} if gate else {}
    meta = [c for c in ("frame", "timestamp", "success", "confidence") if c in names]
    pose_cols = [c for c, _ in _spec("openface").pose.values() if c in names]
    wanted = [*meta, *([face_col] if face_col else []), *pose_cols, *intensity, *presence.values()]
    rows = _rows(text, source, sep=",", header=header, names=names, wanted=wanted)
    n = len(rows.data)
    imported = _Imported(empty_frames())
    if has_frame:
        frame = rows.whole("frame")
        start = np.nanmin(frame) if n else 1.0
        if start >= 1:
            frame = frame - 1.0
            imported.notes.append("frame: OpenFace counts from 1, facs from 0 (frame - 1)")
        time_s = rows.numbers("timestamp")
        imported.mapped.update(frame="frame", timestamp="time_s")
    else:  # FaceLandmarkImg: one image
        frame, time_s = np.zeros(n), np.zeros(n)
        imported.notes.append("no frame or timestamp column (one image): frame 0, time 0")
    _require_finite(rows, "frame" if has_frame else None, frame)
    _require_finite(rows, "timestamp" if has_time else None, time_s)
    face = rows.whole(face_col) if face_col else np.zeros(n)
    if face_col:
        imported.mapped[face_col] = "face"
    success = rows.whole("success") if "success" in names else np.ones(n)
    if "success" in names:
        imported.mapped["success"] = "success"
    confidence = rows.numbers("confidence") if "confidence" in names else np.full(n, np.nan)
    if "confidence" in names:
        imported.mapped["confidence"] = "confidence"
    pose = _pose(rows, spec, imported, "OpenFace")
    codes = _codes(rows, spec, imported, "OpenFace", intensity)
    for column, flag in presence.items():
        present = rows.numbers(flag)
        target = spec.columns[column]
        codes[target] = np.where(present == 0, 0.0, codes[target])
        imported.mapped[flag] = f"{target} (gate)"
    if presence:
        imported.notes.append("gate=True: AUxx_r set to 0 where AUxx_c = 0")
    imported.table = _assemble(
        source=source,
        frame=frame,
        time_s=time_s,
        face=face,
        success=np.nan_to_num(success, nan=0.0),
        confidence=np.clip(confidence, 0.0, 1.0),
        pose=pose,
        codes=codes,
    )
    _unmapped(names, spec, imported)
    return imported


def _require_finite(rows: _Rows, column: str | None, values: FloatArray) -> None:
    if column is None:
        return
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        i = int(bad[0])
        raise InputError(f"{rows.where(i, column)}: no value (a number is required)")


# --------------------------------------------------------------------------- py-feat


_CLOCK = re.compile(r"^(?:(\d+):)?(\d+):(\d+(?:\.\d*)?)$")


def _seconds(rows: _Rows, column: str) -> FloatArray:
    """A time column in seconds, or as ``[HH:]MM:SS[.f]``."""
    text = rows.text(column)
    clock = text.str.match(_CLOCK.pattern)
    if not clock.any():
        return rows.numbers(column)
    out = np.full(len(text), np.nan)
    for i, value in enumerate(text.tolist()):
        m = _CLOCK.match(value)
        if m:
            h, mnt, s = m.groups()
            out[i] = int(h or 0) * 3600 + int(mnt) * 60 + float(s)
        elif value.lower() not in _MISSING_TEXT:
            raise InputError(f"{rows.where(i, column)}: {value!r} is not a time")
    return out


def _import_pyfeat(path: PathLike, *, fps: float | None = None) -> _Imported:
    """Read a py-feat (Fex) CSV (not smoothed).

    Parameters
    ----------
    path : str or os.PathLike
        A CSV written from py-feat's ``Detector`` results.
    fps : float, optional
        Frame rate for ``time_s = frame / fps`` when the file has no time
        column (``approx_time``, ``timestamp``); 30 when not given (noted in
        :attr:`PeerData.notes`).

    Returns
    -------
    _Imported
        ``table``, a frames table:
        Schema of :mod:`facs.series`: AU values 0–1 × 5, ``FaceScore`` as
        ``confidence``, yaw = −``Yaw``, pitch = −``Pitch``, roll = ``Roll``
        (degrees). Several faces in a frame are numbered in row order (or by
        ``Identity`` when present). A row with no AU value is a face-less row.

    Raises
    ------
    InputError
        As :func:`_import_openface`; AU values must lie within 0–1.
    """
    source = str(path)
    spec = _spec("pyfeat")
    text = _read_text(Path(path), source)
    header, names = _header(text, source, sep=",", preamble=False)
    aus = [c for c in names if c in spec.columns]
    if not aus:
        raise InputError(
            f"{source}: no py-feat AU columns (expected AU01, AU02, … beside FaceScore);"
            " is it another tool's output? Name no format and its columns tell which"
        )
    time_col = next((c for c in ("approx_time", "timestamp", "time_s", "time") if c in names), None)
    face_col = next((c for c in ("Identity", "identity") if c in names), None)
    meta = [c for c in ("frame", "FaceScore") if c in names]
    pose_cols = [c for c, _ in spec.pose.values() if c in names]
    extra = [c for c in (time_col, face_col) if c]
    wanted = [*meta, *extra, *pose_cols, *aus]
    rows = _rows(text, source, sep=",", header=header, names=names, wanted=wanted)
    n = len(rows.data)
    imported = _Imported(empty_frames())
    if "frame" in names:
        frame = rows.whole("frame")
        _require_finite(rows, "frame", frame)
        imported.mapped["frame"] = "frame"
    else:
        frame = np.arange(n, dtype=np.float64)
        imported.notes.append("no frame column: rows are frames 0, 1, …")
    if time_col:
        time_s = _seconds(rows, time_col)
        _require_finite(rows, time_col, time_s)
        imported.mapped[time_col] = "time_s"
    else:
        rate = 30.0 if fps is None else fps
        time_s = frame / rate
        how = "assumed, pass fps=" if fps is None else "given"
        imported.notes.append(f"no time column: time_s = frame / {rate:g} ({how})")
    if face_col:
        labels = rows.text(face_col)
        face: FloatArray = np.asarray(pd.factorize(labels)[0], dtype=np.float64)
        imported.mapped[face_col] = "face"
    else:
        face = np.asarray(pd.Series(frame).groupby(frame).cumcount(), dtype=np.float64)
        imported.notes.append("no identity column: faces numbered in row order within each frame")
    score = rows.numbers("FaceScore") if "FaceScore" in names else np.full(n, np.nan)
    if "FaceScore" in names:
        imported.mapped["FaceScore"] = "confidence"
    pose = _pose(rows, spec, imported, "py-feat")
    codes = _codes(rows, spec, imported, "py-feat", aus)
    found = _any_value(codes)
    imported.table = _assemble(
        source=source,
        frame=frame,
        time_s=time_s,
        face=face,
        success=found,
        confidence=np.clip(score, 0.0, 1.0),
        pose=pose,
        codes=codes,
    )
    _unmapped(names, spec, imported)
    return imported


# --------------------------------------------------------------------------- FACET


def _import_facet(path: PathLike) -> _Imported:
    """Read an iMotions export of Emotient FACET (tab-separated text).

    Parameters
    ----------
    path : str or os.PathLike
        The ``.txt`` export: ``#`` metadata lines, then a tab-separated table
        with ``Timestamp`` (ms), ``EventSource``, ``AUn Evidence`` columns and
        ``Yaw/Pitch/Roll Degrees``.

    Returns
    -------
    _Imported
        ``table``, a frames table:
        Schema of :mod:`facs.series`, one row per FACET sample (eye-tracker
        rows skipped), face 0; evidence → 0–5 by the base-10 logistic
        ``5 / (1 + 10 ** (2 - evidence))`` (:func:`facet_intensity`), yaw =
        ``Yaw Degrees``, pitch = −``Pitch Degrees``, roll = −``Roll Degrees``.

    Raises
    ------
    InputError
        As :func:`_import_openface`.
    """
    source = str(path)
    spec = _spec("facet")
    text = _read_text(Path(path), source, fallback="cp1252")
    header, names = _header(text, source, sep="\t", preamble=True)
    evidence = [c for c in names if c in spec.columns]
    if not evidence:
        raise InputError(
            f"{source}: no FACET evidence columns (expected 'AU1 Evidence', 'AU2 Evidence', …"
            " in a tab-separated iMotions export)"
        )
    if "Timestamp" not in names:
        raise InputError(f"{source}: no Timestamp column (iMotions writes Timestamp in ms)")
    meta = [c for c in ("Timestamp", "EventSource", "NoOfFaces") if c in names]
    pose_cols = [c for c, _ in spec.pose.values() if c in names]
    rows = _rows(
        text, source, sep="\t", header=header, names=names, wanted=[*meta, *pose_cols, *evidence]
    )
    imported = _Imported(empty_frames())
    if "EventSource" in names:
        keep = rows.text("EventSource").str.contains("FACET", case=False).to_numpy()
        imported.notes.append("rows whose EventSource names FACET (eye-tracker rows skipped)")
        imported.mapped["EventSource"] = "(row filter)"
    else:
        keep = np.ones(len(rows.data), dtype=bool)
    rows = _Rows(source, rows.names, rows.data.loc[keep].reset_index(drop=True), rows.lines[keep])
    n = len(rows.data)
    if n == 0:
        raise InputError(f"{source}: no FACET rows (EventSource never names Emotient FACET)")
    time_ms = rows.numbers("Timestamp")
    _require_finite(rows, "Timestamp", time_ms)
    imported.mapped["Timestamp"] = "time_s"
    imported.notes.append(
        "time_s = Timestamp / 1000; frames numbered 0, 1, … in file order"
        " (FrameNo restarts with each stimulus)"
    )
    faces = rows.numbers("NoOfFaces") if "NoOfFaces" in names else np.ones(n)
    if "NoOfFaces" in names:
        imported.mapped["NoOfFaces"] = "success"
    pose = _pose(rows, spec, imported, "FACET")
    codes = _codes(rows, spec, imported, "FACET", evidence)
    found = _any_value(codes)
    imported.notes.append("FACET reports no detection confidence: confidence is NaN")
    imported.table = _assemble(
        source=source,
        frame=np.arange(n, dtype=np.float64),
        time_s=time_ms / 1000.0,
        face=np.zeros(n),
        success=found * (np.nan_to_num(faces, nan=1.0) > 0),
        confidence=np.full(n, np.nan),
        pose=pose,
        codes=codes,
    )
    _unmapped(names, spec, imported)
    return imported


# --------------------------------------------------------------------------- Affectiva


def _json_position(text: str, key: str, value: Any) -> tuple[int, int]:
    """Line and column (1-based) of ``"key": value`` in ``text`` (best effort)."""
    pattern = re.escape(json.dumps(key)) + r"\s*:\s*" + re.escape(json.dumps(value))
    m = re.search(pattern, text) or re.search(re.escape(json.dumps(key)), text)
    if m is None:
        return 1, 1
    start = m.start()
    line = text.count("\n", 0, start) + 1
    return line, start - (text.rfind("\n", 0, start) + 1) + 1


def _records(document: Any, source: str) -> list[tuple[int, dict[str, Any]]]:
    """``(face, record)`` pairs: a record, a list of them, or a frame with ``faces``."""
    frames = document if isinstance(document, list) else [document]
    out: list[tuple[int, dict[str, Any]]] = []
    for i, item in enumerate(frames):
        if not isinstance(item, dict):
            raise InputError(f"{source}: item {i + 1} is a {type(item).__name__}, not an object")
        faces = item.get("faces")
        if isinstance(faces, list):
            for k, face in enumerate(faces):
                if not isinstance(face, dict):
                    raise InputError(f"{source}: item {i + 1}, face {k + 1} is not an object")
                flat = {**item, **face.get("expressions", {}), **face}
                flat.pop("faces", None)
                flat["__frame"] = i
                flat.setdefault("__face", face.get("id", face.get("faceId", k)))
                out.append((k, flat))
        else:
            flat = {**item, **item.get("expressions", {})}
            flat["__frame"] = i
            out.append((0, flat))
    return out


def _refuse_repeated_times(
    source: str, time_key: str, face_ids: np.ndarray, time_s: np.ndarray
) -> None:
    """Two records of one face at one time are two readings of one frame: refused, named.

    Kept, they became two rows of one moment (events doubled at that instant, and no
    way to tell which reading is right).
    """
    seen: dict[tuple[int, float], int] = {}
    for i, key in enumerate(zip(face_ids.tolist(), time_s.tolist(), strict=True)):
        if key in seen:
            raise InputError(
                f"{source}: records {seen[key] + 1} and {i + 1} are the same face at"
                f" {time_key} {key[1]:g}; keep one reading per face and time"
            )
        seen[key] = i


def _import_affectiva(path: PathLike) -> _Imported:
    """Read Affectiva (Affdex) JSON (not smoothed).

    Parameters
    ----------
    path : str or os.PathLike
        One record (``{"smile": 100, "browRaise": 0.02, …, "Timestamp": 0}``),
        a list of records (one per frame), or frames holding ``faces`` lists
        whose items carry ``expressions``.

    Returns
    -------
    _Imported
        ``table``, a frames table:
        Schema of :mod:`facs.series`: scores 0–100 ÷ 20, names mapped to AUs
        by ``peers.toml`` (smile → 12, browFurrow → 4, eyeClosure → 43 …);
        ``time_s`` = ``Timestamp`` (seconds); no pose, no confidence (NaN).

    Raises
    ------
    InputError
        Bad JSON (line and column from the parser), no expression keys, a
        score that is not a number or outside 0–100.
    """
    source = str(path)
    spec = _spec("affectiva")
    text = _read_text(Path(path), source)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(
            f"{source} line {err.lineno}, column {err.colno}: not valid JSON ({err.msg})"
        ) from None
    except (RecursionError, ValueError) as err:  # nested past Python's limit; huge integers
        reason = "nested too deeply" if isinstance(err, RecursionError) else str(err)[:80]
        raise InputError(f"{source}: not a readable JSON document ({reason})") from None
    records = _records(document, source)
    if not records:
        raise InputError(f"{source}: no records (an empty list)")
    keys = [k for k in spec.columns if any(k in r for _, r in records)]
    if not keys:
        raise InputError(
            f"{source}: no Affectiva expression keys (expected smile, browRaise, innerBrowRaise, …)"
        )
    n = len(records)
    imported = _Imported(empty_frames())

    def number(record: dict[str, Any], key: str) -> float:
        value = record.get(key)
        if value is None:
            return math.nan
        if isinstance(value, bool) or not isinstance(value, int | float):
            line, col = _json_position(text, key, value)
            raise InputError(
                f"{source} line {line}, column {col} ({key}): {value!r} is not a number"
            )
        return float(value)

    codes: dict[str, FloatArray] = {}
    for key in keys:
        values = np.array([number(r, key) for _, r in records], dtype=np.float64)
        bad = np.flatnonzero(
            np.isfinite(values) & ((values < -_TOLERANCE) | (values > 100 + _TOLERANCE))
        )
        if bad.size:
            value = records[int(bad[0])][1][key]
            line, col = _json_position(text, key, value)
            raise InputError(
                f"{source} line {line}, column {col} ({key}): {value!r}"
                " is outside Affectiva's 0–100"
            )
        codes[spec.columns[key]] = _scaled(spec, values)
        imported.mapped[key] = spec.columns[key]
    imported.notes.append(f"Affectiva: {_SCALE_NOTES[spec.scale]}")
    _side_note(imported, codes)
    time_key = next(
        (k for k in ("Timestamp", "timestamp", "time") if any(k in r for _, r in records)), None
    )
    frame = np.array([float(r["__frame"]) for _, r in records])
    if time_key:
        time_s = np.array([number(r, time_key) for _, r in records], dtype=np.float64)
        missing = np.flatnonzero(~np.isfinite(time_s))
        if missing.size:
            raise InputError(f"{source}: record {int(missing[0]) + 1} has no {time_key}")
        imported.mapped[time_key] = "time_s"
        imported.notes.append(f"time_s = {time_key} (seconds, as the Affdex SDK reports it)")
    else:
        time_s = frame / 30.0
        imported.notes.append("no timestamp: time_s = item / 30")
    # Photos run through affectiva-api-app come one record per file, each at Timestamp 0:
    # each file's faces are faces of their own, as the faces of one photo are.
    face_ids = pd.factorize(
        pd.Series([f"{r.get('FileName', '')}\x00{r.get('__face', k)}" for k, r in records])
    )[0]
    if time_key:
        _refuse_repeated_times(source, time_key, face_ids, time_s)
    found = _any_value(codes)
    imported.table = _assemble(
        source=source,
        frame=frame,
        time_s=time_s,
        face=face_ids.astype(np.float64),
        success=found,
        confidence=np.full(n, np.nan),
        pose={},
        codes=codes,
    )
    imported.notes.append("Affectiva JSON carries no head pose here: yaw, pitch and roll are NaN")
    seen = sorted({k for _, r in records for k in r if not k.startswith("__")})
    for key in seen:
        if key not in imported.mapped and key not in ("faces", "expressions"):
            imported.unmapped[key] = spec.reasons.get(key, "not an expression score")
    return imported


# --------------------------------------------------------------------------- dispatch


def detect_peer(path: PathLike) -> PeerTool:
    """Which tool wrote ``path``, from its suffix and header.

    Raises
    ------
    InputError
        The file is missing or empty, or matches no known tool.
    """
    p = Path(path)
    source = str(path)
    text = _read_text(p, source, fallback="cp1252")
    head = text.lstrip()
    if p.suffix.lower() == ".json" or head.startswith(("{", "[")):
        return "affectiva"
    lines = [ln for ln in text.splitlines()[:200] if ln.strip() and not ln.lstrip().startswith("#")]
    first = lines[0] if lines else ""
    names = {n.strip() for n in re.split(r"[\t,]", first)}
    if "\t" in first and any(n.endswith(" Evidence") and n.startswith("AU") for n in names):
        return "facet"
    if any(re.fullmatch(r"AU\d\d_[rc]", n) for n in names):
        return "openface"
    if any(re.fullmatch(r"AU\d\d", n) for n in names):
        return "pyfeat"
    raise InputError(
        f"cannot tell which tool wrote {source}: expected OpenFace (AU01_r, timestamp,"
        " success columns), py-feat (AU01 … and FaceScore columns), iMotions FACET"
        " (tab-separated, 'AU1 Evidence' columns) or Affectiva JSON (smile, browRaise …);"
        " name the tool (tool='openface' …)"
    )


_IMPORTERS: dict[PeerTool, Callable[..., _Imported]] = {
    "openface": _import_openface,
    "pyfeat": _import_pyfeat,
    "facet": _import_facet,
    "affectiva": _import_affectiva,
}


def read_peer(
    path: PathLike,
    tool: PeerTool | None = None,
    *,
    fps: float | None = None,
    gate: bool = False,
    smooth: bool = False,
) -> PeerData:
    """Import another AU tool's output as the frames table and events ``facs code`` writes.

    Parameters
    ----------
    path : str or os.PathLike
        The tool's output file.
    tool : {"openface", "pyfeat", "facet", "affectiva"}, optional
        Which tool wrote it; ``None`` tells from the suffix and header
        (:func:`detect_peer`).
    fps : float, optional
        Frame rate for the timeline (default: from ``time_s``) and, for
        py-feat files without a time column, for ``time_s``.
    gate : bool, default False
        OpenFace only: zero ``AUxx_r`` where ``AUxx_c`` is 0.
    smooth : bool, default False
        Smooth the values as ``facs code`` smooths its own; by default they
        stay as the tool wrote them (events and codes are found on them).

    Returns
    -------
    PeerData
        ``raw`` (imported), ``frames`` and ``events`` (after
        :func:`facs.timeline.process`), and what was mapped, dropped and why.

    Raises
    ------
    InputError
        Unknown tool, malformed file (file, line and column named).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "face.json"
    >>> _ = path.write_text('[{"Timestamp": 0, "smile": 80, "browRaise": 0},'
    ...                     ' {"Timestamp": 0.5, "smile": 10, "browRaise": 0}]')
    >>> data = read_peer(path)
    >>> data.tool, data.mapped["smile"], data.unmapped
    ('affectiva', 'AU12', {})
    >>> data.raw["AU12"].tolist()
    [4.0, 0.5]
    """
    if tool is None:
        tool = detect_peer(path)
    elif tool not in PEER_TOOLS:
        raise InputError(f"unknown tool {tool!r}: use one of {', '.join(PEER_TOOLS)}")
    options: dict[str, Any] = {}
    if tool == "pyfeat":
        options["fps"] = fps
    if tool == "openface":
        options["gate"] = gate
    imported = _IMPORTERS[tool](path, **options)
    _check_rows(imported.table, str(path))
    notes = [*imported.notes, *_rate_notes(imported.table)]
    frames, events = process(imported.table, fps=fps, smooth_values=smooth)
    return PeerData(
        tool=tool,
        source=Path(path),
        raw=imported.table,
        frames=frames,
        events=events,
        mapped=imported.mapped,
        unmapped=imported.unmapped,
        notes=tuple(notes),
    )


def _check_rows(table: pd.DataFrame, source: str) -> None:
    """A table with no rows, or whose times go back, is not a recording."""
    if table.empty:
        raise InputError(f"{source}: no data rows (only a header)")
    first = table.drop_duplicates("frame")
    times = first["time_s"].to_numpy(dtype=float)
    ok = np.isfinite(times)
    finite, frames = times[ok], first["frame"].to_numpy()[ok]
    back = np.flatnonzero(np.diff(finite) < 0)
    if len(back):
        k = int(back[0])
        raise InputError(
            f"{source}: time goes back from {finite[k]:g} s to {finite[k + 1]:g} s at frame "
            f"{frames[k + 1]}; rows must be in time order"
        )


#: Frame rates outside this range are reported (times in the wrong unit, frames as times).
PLAUSIBLE_FPS = (1.0, 240.0)


def _rate_notes(table: pd.DataFrame) -> list[str]:
    """A note when the times imply an implausible frame rate (0.001 s steps: 1000 fps)."""
    times = table["time_s"].to_numpy(dtype=float)
    steps = np.diff(np.unique(times[np.isfinite(times)]))
    if not len(steps) or np.median(steps) <= 0:
        return []
    step = float(np.median(steps))
    rate = 1.0 / step
    if PLAUSIBLE_FPS[0] <= rate <= PLAUSIBLE_FPS[1]:
        return []
    return [
        f"time steps of {step:g} s ({rate:.4g} fps) are implausible for video: are the times "
        "in another unit (ms, frames)? Check the file's time column"
    ]
