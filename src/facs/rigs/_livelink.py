"""Live Link Face CSV files: read by column name, write atomically."""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from facs._errors import InputError
from facs._validate import check_positive
from facs.formats._delimited import records
from facs.rigs._rig import load_rig, normalise_name

__all__ = ["LIVELINK_COLUMNS", "read_livelink", "timecode_seconds", "write_livelink"]

#: Channel columns in the order of a Live Link Face CSV header (S9, nmfisher's
#: copy of the app's header). Files are read by name, so order does not matter.
LIVELINK_COLUMNS: tuple[str, ...] = (
    "EyeBlinkLeft",
    "EyeLookDownLeft",
    "EyeLookInLeft",
    "EyeLookOutLeft",
    "EyeLookUpLeft",
    "EyeSquintLeft",
    "EyeWideLeft",
    "EyeBlinkRight",
    "EyeLookDownRight",
    "EyeLookInRight",
    "EyeLookOutRight",
    "EyeLookUpRight",
    "EyeSquintRight",
    "EyeWideRight",
    "JawForward",
    "JawRight",
    "JawLeft",
    "JawOpen",
    "MouthClose",
    "MouthFunnel",
    "MouthPucker",
    "MouthRight",
    "MouthLeft",
    "MouthSmileLeft",
    "MouthSmileRight",
    "MouthFrownLeft",
    "MouthFrownRight",
    "MouthDimpleLeft",
    "MouthDimpleRight",
    "MouthStretchLeft",
    "MouthStretchRight",
    "MouthRollLower",
    "MouthRollUpper",
    "MouthShrugLower",
    "MouthShrugUpper",
    "MouthPressLeft",
    "MouthPressRight",
    "MouthLowerDownLeft",
    "MouthLowerDownRight",
    "MouthUpperUpLeft",
    "MouthUpperUpRight",
    "BrowDownLeft",
    "BrowDownRight",
    "BrowInnerUp",
    "BrowOuterUpLeft",
    "BrowOuterUpRight",
    "CheekPuff",
    "CheekSquintLeft",
    "CheekSquintRight",
    "NoseSneerLeft",
    "NoseSneerRight",
    "TongueOut",
    "HeadYaw",
    "HeadPitch",
    "HeadRoll",
    "LeftEyeYaw",
    "LeftEyePitch",
    "LeftEyeRoll",
    "RightEyeYaw",
    "RightEyePitch",
    "RightEyeRoll",
)
_ROTATIONS = frozenset(normalise_name(c) for c in LIVELINK_COLUMNS[52:])
_STANDARD_FPS = (24.0, 25.0, 30.0, 48.0, 50.0, 60.0, 120.0)
_TIMECODE = re.compile(r"^\s*(\d+):(\d{1,2}):(\d{1,2})[:;.](\d+(?:\.\d+)?)\s*$")


def timecode_seconds(timecode: str, fps: float) -> float:
    """Seconds of a Live Link timecode ``HH:MM:SS:FF.fff`` (FF = frame at ``fps``).

    >>> timecode_seconds("00:00:01:30.500", 60)
    1.5083333333333333
    >>> timecode_seconds("01:02:03:00.000", 30)
    3723.0
    """
    check_positive("fps", fps, most=1000)
    match = _TIMECODE.match(timecode) if isinstance(timecode, str) else None
    if not match:
        raise InputError(f"bad timecode {timecode!r} (expected HH:MM:SS:FF.fff)")
    h, m, s, ff = match.groups()
    if int(m) >= 60 or int(s) >= 60:
        raise InputError(f"bad timecode {timecode!r}: minutes and seconds run 00-59")
    if float(ff) >= math.ceil(fps):
        raise InputError(f"bad timecode {timecode!r}: frame {ff} is past the {fps:g} frames of a "
                         "second")  # fmt: skip
    return int(h) * 3600 + int(m) * 60 + int(s) + float(ff) / fps


def _infer_fps(frames: list[float]) -> float:
    top = max((math.floor(f) for f in frames if math.isfinite(f)), default=0)
    return next((r for r in _STANDARD_FPS if top < r), 60.0) if top >= 23 else 60.0


def read_livelink(
    path: str | Path, fps: float | None = None, *, degrees: bool = False, strict: bool = True
) -> pd.DataFrame:
    """Read a Live Link Face CSV into a weights table for the ``livelink`` rig.

    Columns are matched BY NAME, case-insensitively (``EyeBlinkLeft`` →
    ``eyeBlinkLeft``), never by position: the order differs between app
    versions and copies (FACS_REFERENCE.md 4c). ``BlendShapeCount`` is ignored.

    Parameters
    ----------
    path : str or pathlib.Path
        The CSV: header ``Timecode, BlendShapeCount``, the 52 ARKit names in
        PascalCase, then ``HeadYaw … RightEyeRoll``.
    fps : float, optional
        The app's frame rate, used to turn the ``FF.fff`` part of the timecode
        into seconds. ``None`` infers it: the smallest standard rate (24, 25,
        30, 48, 50, 60, 120) above the largest frame number in the file, or 60
        (the iPhone's ARKit rate) when the file is too short to tell.
    degrees : bool
        The file's rotations are in degrees (default: radians, unverified);
        they are converted to radians.
    strict : bool
        Unknown columns raise :class:`InputError` (default); with ``False``
        they are dropped and listed in ``df.attrs["unknown_columns"]``.

    Returns
    -------
    pandas.DataFrame
        ``frame``, ``time_s`` (seconds from the first row), ``timecode`` (as
        written), then the 61 channels under the rig's names (ARKit camelCase,
        rotations as in the file). Channels missing from the file are NaN and
        listed in ``df.attrs["missing_columns"]``; ``df.attrs["fps"]`` holds
        the frame rate used.

    Raises
    ------
    InputError
        Missing or unreadable file, no ``Timecode`` column, unknown columns
        (``strict``), a bad timecode or a non-numeric value (with its line).
    """
    src = Path(path)
    if not src.is_file():
        raise InputError(f"{src}: no such Live Link CSV")
    try:
        text = src.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{src}: cannot read the Live Link CSV ({err})") from None
    numbered = records(text)
    rows = [row for _, row in numbered]
    line_of = [line for line, _ in numbered]
    if not rows:
        raise InputError(f"{src}: empty file")
    header = [h.strip() for h in rows[0]]
    keys = [normalise_name(h) for h in header]
    if "timecode" not in keys:
        first = text.lstrip().split("\n", 1)[0]
        if len(header) == 1 and any(sep in first for sep in (";", "\t")):
            sep = "';'" if ";" in first else "tabs"
            raise InputError(
                f"{src}: its columns are separated by {sep}; a Live Link Face CSV uses commas"
            )
        raise InputError(f"{src}: no Timecode column (is this a Live Link Face CSV?)")
    rig = load_rig("livelink")
    channel_at: dict[str, int] = {}
    unknown: list[str] = []
    for j, (name, key) in enumerate(zip(header, keys, strict=True)):
        if key in ("timecode", "blendshapecount"):
            continue
        shape = rig.find(name)
        if shape is not None and shape.name in channel_at:
            raise InputError(f"{src}, line {line_of[0]}: column {name} appears twice")
        if shape is None:
            unknown.append(name or f"(column {j + 1} has no name)")
        else:
            channel_at[shape.name] = j
    if unknown and strict:
        raise InputError(
            f"{src}: unknown column(s) {', '.join(unknown)} (not Live Link Face channels: "
            "remove them)"
        )
    body = rows[1:]
    t_at = keys.index("timecode")
    width = len(header)
    for line, row in zip(line_of[1:], body, strict=True):
        if len(row) != width:
            raise InputError(f"{src}, line {line}: {len(row)} fields, the header has {width}")
    codes = [row[t_at].strip() for row in body]
    parts: list[tuple[int, float]] = []
    for line, code in zip(line_of[1:], codes, strict=True):
        match = _TIMECODE.match(code)
        if not match:
            raise InputError(
                f"{src}, line {line}: bad timecode {code!r} (expected HH:MM:SS:FF.fff)"
            )
        h, m, s, ff = match.groups()
        parts.append((int(h) * 3600 + int(m) * 60 + int(s), float(ff)))
    rate = fps if fps is not None else _infer_fps([ff for _, ff in parts])
    check_positive("fps", rate)
    seconds = np.array([whole + ff / rate for whole, ff in parts], dtype=np.float64)
    for i, (_, ff) in enumerate(parts):
        if ff >= rate:
            raise InputError(f"{src}, line {line_of[i + 1]}: timecode {codes[i]!r} counts frame "
                             f"{ff:g} of a second at {rate:g} fps")  # fmt: skip
    back = np.flatnonzero(np.diff(seconds) < 0)
    if back.size:
        i = int(back[0]) + 1
        raise InputError(f"{src}, line {line_of[i + 1]}: timecode {codes[i]!r} is before the "
                         f"line above's {codes[i - 1]!r} (rows must be in time order)")  # fmt: skip
    data: dict[str, Any] = {
        "frame": np.arange(len(body), dtype=np.int64),
        "time_s": seconds - seconds[0] if len(seconds) else seconds,
        "timecode": codes,
    }
    missing: list[str] = []
    for shape in rig.shapes:
        at = channel_at.get(shape.name)
        if at is None:
            data[shape.name] = np.full(len(body), np.nan)
            missing.append(shape.name)
            continue
        values = np.empty(len(body))
        for i, row in enumerate(body):
            cell = row[at].strip()
            try:
                values[i] = float(cell) if cell else np.nan
            except ValueError:
                raise InputError(
                    f"{src}, line {line_of[i + 1]}, column {header[at]}: not a number: {cell!r}"
                ) from None
        if degrees and normalise_name(shape.name) in _ROTATIONS:
            values = np.radians(values)
        data[shape.name] = values
    out = pd.DataFrame(data)
    out.attrs["fps"] = rate
    out.attrs["missing_columns"] = missing
    out.attrs["unknown_columns"] = unknown
    return out


def _timecode(seconds: float, fps: float) -> str:
    whole = math.floor(seconds + 1e-9)
    frame = (seconds - whole) * fps
    h, rem = divmod(int(whole), 3600)
    m, s = divmod(rem, 60)
    return f"{h:02d}:{m:02d}:{s:02d}:{frame:06.3f}"


def write_livelink(weights: pd.DataFrame, path: str | Path, *, fps: float = 60.0) -> Path:
    """Write a weights table as a Live Link Face CSV, atomically.

    Channels are taken by name (case-insensitive, any rig spelling of the 61
    Live Link channels); absent or NaN values are written as 0 (rest).
    Timecodes come from a ``timecode`` column when present, else from
    ``time_s`` (or the row number) at ``fps``.

    >>> import pandas as pd, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "take.csv"
    >>> _ = write_livelink(pd.DataFrame({"eyeBlinkLeft": [0.0, 1.0]}), out, fps=30)
    >>> read_livelink(out, fps=30)[["time_s", "eyeBlinkLeft"]].values.tolist()
    [[0.0, 0.0], [0.03333333333333333, 1.0]]
    """
    from facs.formats._atomic import write_text_atomic

    if not isinstance(weights, pd.DataFrame):
        raise InputError("weights must be a pandas DataFrame")
    check_positive("fps", fps)
    n = len(weights)
    by_key = {normalise_name(str(c)): c for c in weights.columns}
    if "timecode" in by_key:
        codes = [str(v) for v in weights[by_key["timecode"]]]
    else:
        times = (
            pd.to_numeric(weights["time_s"], errors="coerce").to_numpy(dtype=np.float64)
            if "time_s" in weights.columns
            else np.arange(n) / fps
        )
        codes = [
            _timecode(float(t) if np.isfinite(t) else i / fps, fps) for i, t in enumerate(times)
        ]
    columns: list[np.ndarray] = []
    for name in LIVELINK_COLUMNS:
        col = by_key.get(normalise_name(name))
        if col is None:
            columns.append(np.zeros(n))
        else:
            values = pd.to_numeric(weights[col], errors="coerce").to_numpy(dtype=np.float64)
            columns.append(np.nan_to_num(values, nan=0.0))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["Timecode", "BlendShapeCount", *LIVELINK_COLUMNS])
    for i in range(n):
        writer.writerow([codes[i], len(LIVELINK_COLUMNS), *(f"{c[i]:.6g}" for c in columns)])
    return write_text_atomic(path, buf.getvalue())
