"""The frames table (``AUSeries``): per-frame code intensities for every face.

One row per face per frame (a frame with no face gives one row with
``face = -1`` and ``success = 0``). Columns, in this order:

- ``frame`` (int, 0-based decode index), ``time_s`` (float, seconds from the
  stream start), ``face`` (int, stable id per face, -1 when none),
  ``success`` (0/1), ``confidence`` (0–1), ``yaw``, ``pitch``, ``roll``
  (degrees; yaw > 0 face turned to the subject's left, pitch > 0 face up,
  roll > 0 head tilted to the subject's left);
- one column per coded code, 0–5 (0 absent, 1 = A … 5 = E): ``AU01`` … ``AU46``,
  ``AU51`` … ``AU64`` (head and eye positions), ``AD19`` … (descriptors);
- then the side columns ``AU01_L``, ``AU01_R`` … for the paired codes
  (subject's left and right). The bilateral column is the larger side.

Rows with ``success = 0`` hold NaN in every code column.

>>> CODE_COLUMNS[:3]
('AU01', 'AU02', 'AU04')
>>> column_code("AU12_L")
'L12'
>>> empty_frames().columns[:5].tolist()
['frame', 'time_s', 'face', 'success', 'confidence']
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from facs._errors import InputError

__all__ = [
    "BOX_COLUMNS",
    "CODED",
    "CODE_COLUMNS",
    "FRAME_COLUMNS",
    "META_COLUMNS",
    "SIDE_COLUMNS",
    "CodedCode",
    "code_column",
    "column_code",
    "empty_frames",
    "validate_frames",
]


@dataclass(frozen=True)
class CodedCode:
    """A code the automatic coder scores: its column and whether it has sides."""

    number: int
    kind: str  # "AU", "AD", "head", "eye"
    sided: bool

    @property
    def column(self) -> str:
        """Column name: ``AU01``, ``AU51``, ``AD19``."""
        return f"{'AD' if self.kind == 'AD' else 'AU'}{self.number:02d}"


_SIDED_AU = {1, 2, 4, 5, 6, 7, 9, 10, 12, 14, 15, 16, 20, 43, 45, 46}
_AUS = [1, 2, 4, 5, 6, 7, 9, 10, 12, 14, 15, 16, 17, 18, 20, 22, 23, 24, 25, 26, 27, 28,
        43, 45, 46]  # fmt: skip
#: Every code the coder scores, in column order.
CODED: tuple[CodedCode, ...] = (
    *(CodedCode(n, "AU", n in _SIDED_AU) for n in _AUS),
    *(CodedCode(n, "head", False) for n in range(51, 59)),
    *(CodedCode(n, "eye", False) for n in range(61, 65)),
    CodedCode(19, "AD", False),
    CodedCode(29, "AD", False),
    CodedCode(30, "AD", True),  # side = direction the jaw moves
    CodedCode(34, "AD", False),
)
META_COLUMNS: tuple[str, ...] = (
    "frame", "time_s", "face", "success", "confidence", "yaw", "pitch", "roll",
)  # fmt: skip
CODE_COLUMNS: tuple[str, ...] = tuple(c.column for c in CODED)
SIDE_COLUMNS: tuple[str, ...] = tuple(
    f"{c.column}_{s}" for c in CODED if c.sided for s in ("L", "R")
)
FRAME_COLUMNS: tuple[str, ...] = META_COLUMNS + CODE_COLUMNS + SIDE_COLUMNS
#: Optional columns `facs code` adds after the code columns: each face's box in
#: pixels (left, top, width, height; from its landmarks), so faces can be told apart.
BOX_COLUMNS: tuple[str, ...] = ("box_x", "box_y", "box_w", "box_h")
#: Optional columns `facs code` adds after the box: 1 where a region is covered in that
#: frame (brows 70, eyes 71, lower face 72; all three 73), else 0 ...
COVER_COLUMNS: tuple[str, ...] = ("covered_brows", "covered_eyes", "covered_lower")
#: ... and 1 where the face is there but cannot be scored (FACS 74).
UNSCORABLE_COLUMN = "unscorable"
VISIBILITY_COLUMNS: tuple[str, ...] = (*COVER_COLUMNS, UNSCORABLE_COLUMN)
_INT_COLUMNS = ("frame", "face", "success")


def code_column(number: int, *, kind: str = "AU", side: str | None = None) -> str:
    """Frames-table column for a code and side.

    >>> code_column(12, side="L"), code_column(19, kind="AD")
    ('AU12_L', 'AD19')
    """
    base = f"{'AD' if kind == 'AD' else 'AU'}{number:02d}"
    return f"{base}_{side}" if side else base


def column_code(column: str) -> str:
    """FACS item for a code column (no intensity): ``AU12_L`` → ``L12``.

    >>> column_code("AD19"), column_code("AU04")
    ('19', '4')
    """
    base, _, side = column.partition("_")
    return f"{side}{int(base[2:])}"


def empty_frames() -> pd.DataFrame:
    """An empty frames table with every column and the right dtypes."""
    data: dict[str, pd.Series] = {}
    for col in FRAME_COLUMNS:
        dtype = "int64" if col in _INT_COLUMNS else "float64"
        data[col] = pd.Series([], dtype=dtype)
    return pd.DataFrame(data)


def faceless_rows(frame: np.ndarray, time_s: np.ndarray) -> pd.DataFrame:
    """Rows for frames in which no face was found: ``face = -1``, ``success = 0``, NaN codes.

    >>> faceless_rows(np.array([3]), np.array([0.1]))[["frame", "face", "success"]].values.tolist()
    [[3, -1, 0]]
    """
    rows = pd.DataFrame({c: np.nan for c in FRAME_COLUMNS}, index=range(len(frame)))
    rows["frame"] = np.asarray(frame).astype(int)
    rows["time_s"] = np.asarray(time_s, dtype=float)
    rows["face"] = -1
    rows["success"] = 0
    rows["confidence"] = 0.0
    return rows


def validate_frames(frames: pd.DataFrame, *, source: str = "frames table") -> pd.DataFrame:
    """Check a frames table: required columns present, values in range.

    Unknown extra columns (blendshapes, landmarks from ``--raw``) are kept.
    Raises :class:`InputError` naming the first problem.
    """
    missing = [c for c in META_COLUMNS if c not in frames.columns]
    if missing:
        raise InputError(f"{source}: missing column(s) {', '.join(missing)}")
    codes = [c for c in frames.columns if c in CODE_COLUMNS or c in SIDE_COLUMNS]
    if not codes:
        raise InputError(f"{source}: no code columns (expected e.g. AU01, AU12_L)")
    values = frames[codes].to_numpy(dtype=float)
    bad = ~np.isnan(values) & ~((values >= 0) & (values <= 5))  # inf too
    if bad.any():
        i, j = (int(k[0]) for k in np.nonzero(bad))
        raise InputError(
            f"{source}, {_row_name(frames, i)}, column {codes[j]}: intensity "
            f"{values[i, j]:g} is not within 0–5"
        )
    _check_times_and_pose(frames, source)
    return frames


def _row_name(frames: pd.DataFrame, i: int) -> str:
    """``row 3 (frame 120)``: the table's row (from 1) and its frame number."""
    frame = frames["frame"].iloc[i]
    return f"row {i + 1}" + (f" (frame {int(frame)})" if pd.notna(frame) else "")


def _shown(value: object) -> str:
    """A cell as a message quotes it: numbers as numbers (``inf``, ``1.7``), a blank as
    ``empty``, text quoted."""
    if isinstance(value, str):
        return repr(value)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return repr(value)
    return "empty" if math.isnan(number) else f"{number:g}"


def _check_times_and_pose(frames: pd.DataFrame, source: str) -> None:
    """Times are finite, each face's rows go forward in time with one row per frame, and
    head angles are angles."""
    times = pd.to_numeric(frames["time_s"], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(times))
    if bad.size:
        i = int(bad[0])
        shown = frames["time_s"].iloc[i]
        raise InputError(f"{source}, {_row_name(frames, i)}: time_s {_shown(shown)} is not a "
                         "time" + (" (every row needs one)" if pd.isna(shown) else ""))  # fmt: skip
    for column, lowest in (("frame", 0), ("face", -1), ("success", 0)):
        raw = frames[column]
        numbers = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        whole = np.isfinite(numbers) & (numbers == np.round(numbers)) & (numbers >= lowest)
        if column == "success":
            whole &= numbers <= 1
        bad = np.flatnonzero(~whole)
        if bad.size:
            i = int(bad[0])
            want = {"frame": "a whole number from 0", "face": "a whole number from -1 (no face)",
                    "success": "0 or 1"}[column]  # fmt: skip
            raise InputError(f"{source}, row {i + 1}: {column} {_shown(raw.iloc[i])} is not "
                             f"{want}")  # fmt: skip
    for angle in ("yaw", "pitch", "roll"):
        values = pd.to_numeric(frames[angle], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isnan(values) & ~(np.abs(values) <= 180))
        if bad.size:
            i = int(bad[0])
            raise InputError(f"{source}, {_row_name(frames, i)}: {angle} {values[i]:g} is not "
                             "an angle within ±180°")  # fmt: skip
    keyed = pd.DataFrame({"face": frames["face"].to_numpy(), "frame": frames["frame"].to_numpy(),
                          "time_s": times})  # fmt: skip
    twice = np.flatnonzero(keyed.duplicated(["face", "frame"]).to_numpy())
    if twice.size:
        i = int(twice[0])
        raise InputError(f"{source}, row {i + 1}: two rows for face {keyed['face'].iloc[i]}, "
                         f"frame {keyed['frame'].iloc[i]}")  # fmt: skip
    for column in ("frame", "time_s"):  # each face's rows go forward in frames and in time
        step = keyed.groupby("face", sort=False)[column].diff().to_numpy()
        back = np.flatnonzero(step < 0)
        if not back.size:
            continue
        i = int(back[0])
        now, face = keyed[column].iloc[i], keyed["face"].iloc[i]
        if column == "frame":
            raise InputError(f"{source}, row {i + 1}: frame {now} comes after frame "
                             f"{now - step[i]:g} for face {face}: rows must be in frame "
                             "order")  # fmt: skip
        raise InputError(f"{source}, {_row_name(frames, i)}: time goes back from "
                         f"{now - step[i]:g} s to {now:g} s for face {face}: rows must be in "
                         "time order")  # fmt: skip
