"""Timeline: smoothing, eyelid classification, events and per-frame FACS codes.

The last stage of automatic coding (DESIGN.md, data flow). It takes the frames
table of :mod:`facs.series` (per face and frame, code intensities 0–5) and
turns it into FACS: a canonical code string per frame and a list of events
with onset, apex and offset::

    frames ─► smooth ─► classify_eyelids ─► hide_gaze_while_shut ─► exclusives ─┬─► frame_codes
                                                                                └─► detect_events

(``frame_codes``: one FACS string per row; ``detect_events``: onset, apex, offset;
exclusives: of two codes FACS forbids together, the weaker is dropped.)

:func:`process` runs the whole chain; it is the call the coder uses.

Conventions
-----------
- Each face is a *track*: its rows in frame order. A track is interrupted
  where the face's frame numbers jump (the face was lost) and wherever a
  value is NaN (a ``success = 0`` row): nothing is smoothed, merged or
  extended across an interruption.
- ``fps`` may be given; when it is ``None`` the frame interval is the median
  step of ``time_s``. Windows are given in seconds and applied in rows, so a
  variable frame rate is handled through that median interval.
- The duration of a span of frames is ``offset_s - onset_s`` plus one frame
  interval: the time its frames cover (three frames at 30 fps last 0.1 s).

Examples
--------
>>> import numpy as np, pandas as pd
>>> from facs.series import FRAME_COLUMNS
>>> frames = pd.DataFrame(0.0, index=range(30), columns=FRAME_COLUMNS).assign(
...     frame=range(30), time_s=np.arange(30) / 30, face=0, success=1)
>>> frames.loc[8:20, ["AU12", "AU12_L", "AU12_R"]] = 3.0
>>> coded, events = process(frames)
>>> coded["code"].iloc[[0, 14]].tolist()
['0', '12C']
>>> events[["code", "side", "letter", "onset_frame", "offset_frame"]].to_dict("records")
[{'code': '12', 'side': None, 'letter': 'C', 'onset_frame': 7, 'offset_frame': 21}]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
import pandas as pd

from facs._errors import InputError, ParameterError
from facs.notation import (
    INTENSITY_LETTERS,
    Action,
    _exclusives,
    intensity_to_letter,
    letter_to_intensity,
)
from facs.series import CODE_COLUMNS, CODED, SIDE_COLUMNS, column_code, validate_frames

__all__ = [
    "EVENT_TABLE_COLUMNS",
    "Event",
    "classify_eyelids",
    "detect_events",
    "events_to_list",
    "frame_codes",
    "hide_gaze_while_shut",
    "process",
    "smooth",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

#: Every column of the events table the timeline writes, in order; the first eight are
#: :data:`facs.formats.EVENT_COLUMNS`, the ones an events table must have.
EVENT_TABLE_COLUMNS: tuple[str, ...] = (
    "face", "code", "side", "onset_s", "apex_s", "offset_s", "peak", "letter",
    "onset_frame", "apex_frame", "offset_frame", "column", "apex_code",
)  # fmt: skip

_ALL_CODE_COLUMNS: tuple[str, ...] = CODE_COLUMNS + SIDE_COLUMNS
_EYELID_COLUMNS = frozenset(f"AU{n}{s}" for n in (43, 45, 46) for s in ("", "_L", "_R"))
_BLINK_COLUMNS = frozenset({"AU45", "AU45_L", "AU45_R"})
_GAZE_COLUMNS = ("AU61", "AU62", "AU63", "AU64")
_BLINK_MIN_FRAMES = 2
_DEFAULT_INTERVAL = 1.0 / 30.0  # used when time_s cannot tell (a single frame)
_EPS = 1e-9  # tolerance for comparing durations built from float times
_N_STATES = 7  # per code and side: inactive, active without letter, A … E


# ---------------------------------------------------------------- tracks


@dataclass(frozen=True)
class _Track:
    """One face's rows in frame order.

    ``breaks[i]`` is True when the face was lost between ``rows[i]`` and
    ``rows[i + 1]`` (its frame numbers jump by more than the usual step).
    """

    face: int
    rows: IntArray
    breaks: BoolArray


def _tracks(frames: pd.DataFrame) -> list[_Track]:
    """Split a frames table into one track per face (``face = -1`` rows skipped, and rows
    whose face was not found, ``success = 0``: their codes are no frame's codes either)."""
    if frames.empty:
        return []
    face = frames["face"].to_numpy(dtype=np.int64)
    face = np.where(frames["success"].to_numpy() == 0, -1, face)
    frame = frames["frame"].to_numpy(dtype=np.int64)
    order = np.lexsort((frame, face))
    bounds = np.flatnonzero(np.diff(face[order])) + 1
    out: list[_Track] = []
    for rows in np.split(order, bounds):
        fid = int(face[rows[0]])
        if fid < 0:
            continue
        steps = np.diff(frame[rows])
        forward = steps[steps > 0]
        usual = float(np.median(forward)) if forward.size else 1.0
        out.append(_Track(fid, rows.astype(np.intp), steps > 1.5 * usual))
    return out


def _frame_interval(frames: pd.DataFrame, fps: float | None) -> float:
    """Seconds per frame: ``1 / fps``, or the median step of ``time_s``."""
    if fps is not None:
        _check_positive("fps", fps)
        return 1.0 / fps
    t = frames["time_s"].to_numpy(dtype=np.float64)
    steps = np.diff(np.unique(t[np.isfinite(t)]))
    steps = steps[steps > 0]
    return float(np.median(steps)) if steps.size else _DEFAULT_INTERVAL


def _runs(mask: BoolArray, breaks: BoolArray) -> tuple[IntArray, IntArray]:
    """Start and (exclusive) end of each run of True in ``mask``, split at ``breaks``."""
    if mask.size == 0:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty
    joined = mask[:-1] & mask[1:] & ~breaks  # row i continues into row i + 1
    starts = np.flatnonzero(mask & ~np.concatenate(([False], joined)))
    ends = np.flatnonzero(mask & ~np.concatenate((joined, [False]))) + 1
    return starts.astype(np.intp), ends.astype(np.intp)


def _hysteresis(
    x: FloatArray, breaks: BoolArray, *, on: float, off: float
) -> tuple[IntArray, IntArray]:
    """Runs where ``x >= off`` that reach ``on`` somewhere (NaN counts as below)."""
    above = x >= off
    starts, ends = _runs(above, breaks)
    if starts.size == 0:
        return starts, ends
    peaks = np.maximum.reduceat(np.where(above, x, -np.inf), starts)
    keep = peaks >= on
    return starts[keep], ends[keep]


def _widen_to_motion(
    x: FloatArray,
    breaks: BoolArray,
    starts: IntArray,
    ends: IntArray,
    *,
    floor: float,
) -> tuple[IntArray, IntArray]:
    """Each run ``[start, end)`` of ``x`` widened back and forward while ``x`` keeps
    falling away from it and stays at or above ``floor``: to where the movement into
    the run began and where the movement out of it ended. A local minimum, a NaN, a
    break or the neighbouring run stops it."""
    starts, ends = starts.copy(), ends.copy()
    for k in range(len(starts)):
        lo = ends[k - 1] if k else 0
        hi = starts[k + 1] if k + 1 < len(starts) else len(x)
        s, e = int(starts[k]), int(ends[k])
        while s > lo and not breaks[s - 1] and floor <= x[s - 1] < x[s]:
            s -= 1
        while e < hi and not breaks[e - 1] and floor <= x[e] < x[e - 1]:
            e += 1
        starts[k], ends[k] = s, e
    return starts, ends


def _held_s(x: FloatArray, breaks: BoolArray, interval: float, *, near: float = 0.9) -> float:
    """Longest time (s) ``x`` stays at ``near`` × its peak or more: from the first to the
    last frame of its longest such run (one frame: 0)."""
    if not np.isfinite(x).any():
        return 0.0
    starts, ends = _runs(np.nan_to_num(x, nan=-np.inf) >= near * np.nanmax(x), breaks)
    return float((ends - starts).max() - 1) * interval if starts.size else 0.0


def _check_positive(name: str, value: float, *, allow_zero: bool = False) -> None:
    ok = math.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        what = "a number ≥ 0" if allow_zero else "a positive number"
        raise InputError(f"{name} must be {what}, got {value!r}")


def _code_columns(frames: pd.DataFrame) -> list[str]:
    present = set(frames.columns)
    return [c for c in _ALL_CODE_COLUMNS if c in present]


# ---------------------------------------------------------------- smoothing


def _window_frames(window_s: float, interval: float) -> int:
    """Odd window length in frames for a window in seconds."""
    n = round(window_s / interval)
    return max(1, n + 1 if n % 2 == 0 else n)


def _filter(segment: FloatArray, window: int, *, median: bool) -> FloatArray:
    """Optional centred median of 3, then a centred Savitzky–Golay, along axis 0.

    Edges repeat the end values (``mode="nearest"``). The Savitzky–Golay fit is
    quartic from 7 frames on (it keeps sharp, lopsided apexes in place) and
    quadratic on 5; shorter windows leave the values as they are.
    """
    from scipy.ndimage import median_filter
    from scipy.signal import savgol_filter

    n = segment.shape[0]
    if median and n >= 3:
        segment = median_filter(segment, size=(3, 1), mode="nearest")
    length = min(window, n if n % 2 else n - 1)
    if length >= 5:
        segment = savgol_filter(segment, length, 4 if length >= 7 else 2, axis=0, mode="nearest")
    return segment


def _smooth_block(block: FloatArray, breaks: BoolArray, window: int, *, median: bool) -> FloatArray:
    """Filter each column of a track's block on its uninterrupted finite runs."""
    finite = np.isfinite(block)
    groups: dict[bytes, list[int]] = {}  # columns sharing one NaN pattern go together
    for j in range(block.shape[1]):
        groups.setdefault(finite[:, j].tobytes(), []).append(j)
    for cols in groups.values():
        starts, ends = _runs(finite[:, cols[0]], breaks)
        for s, e in zip(starts, ends, strict=True):
            block[s:e, cols] = _filter(block[s:e, cols], window, median=median)
    return block


def _bilateral_is_max(values: FloatArray, cols: Sequence[str]) -> None:
    """Set each sided code's bilateral column to the larger side, in place."""
    index = {c: j for j, c in enumerate(cols)}
    for code in CODED:
        b, left, right = code.column, f"{code.column}_L", f"{code.column}_R"
        if code.sided and b in index and left in index and right in index:
            both = np.fmax(values[:, index[left]], values[:, index[right]])
            values[:, index[b]] = np.where(np.isnan(both), values[:, index[b]], both)


def smooth(
    frames: pd.DataFrame,
    *,
    fps: float | None = None,
    window_s: float = 0.2,
    eyelid_window_s: float = 0.1,
) -> pd.DataFrame:
    """Zero-phase smoothing of every code column, per face.

    Each column of each face is filtered on its uninterrupted runs of finite
    values: a centred median of 3 frames (removes one-frame spikes), then a
    centred Savitzky–Golay filter (local polynomial fit, quartic from 7
    frames on). Both are symmetric, so nothing lags, and the polynomial fit
    keeps apexes in place (within a frame up to 60 fps, even for lopsided
    triangles) and peak heights instead of flattening them. The eyelid
    columns (``AU43*``, ``AU45*``, ``AU46*``) get no median and the short
    ``eyelid_window_s``, so a 3-frame blink at 30 fps is left whole and a
    0.1 s blink keeps more than 85 % of its peak at any frame rate.

    Parameters
    ----------
    frames : pandas.DataFrame, shape (n_rows, n_columns)
        A frames table (schema in :mod:`facs.series`).
    fps : float, optional
        Frame rate. ``None`` estimates it from the median step of ``time_s``
        (windows are applied in rows, scaled by that median interval).
    window_s : float
        Savitzky–Golay window for the other code columns, in seconds
        (0 turns smoothing off).
    eyelid_window_s : float
        Window for the eyelid columns, in seconds.

    Returns
    -------
    pandas.DataFrame, shape (n_rows, n_columns)
        A new table; the input is untouched. Code values are clipped to
        0–5, NaN stays exactly where it was (nothing is filled across a gap or
        spread from it), and each sided code's bilateral column is again the
        larger side. Other columns are copied as they are.

    Raises
    ------
    InputError
        If ``frames`` is not a valid frames table or an option is out of range.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from facs.series import FRAME_COLUMNS
    >>> frames = pd.DataFrame(0.0, index=range(14), columns=FRAME_COLUMNS).assign(
    ...     frame=range(14), time_s=np.arange(14) / 30, face=0, success=1)
    >>> frames["AU25"] = [0, 4, 0, 0, 0, 1, 2.5, 3.5, 4, 3.5, 2.5, 1, 0, 0]
    >>> au25 = smooth(frames)["AU25"]  # the one-frame spike goes, the apex stays
    >>> float(au25[1]), int(au25.idxmax()), round(float(au25.max()), 1)
    (0.0, 8, 3.7)
    """
    validate_frames(frames)
    _check_positive("window_s", window_s, allow_zero=True)
    _check_positive("eyelid_window_s", eyelid_window_s, allow_zero=True)
    interval = _frame_interval(frames, fps)
    out = frames.copy()
    cols = _code_columns(frames)
    if frames.empty:
        return out
    values = frames[cols].to_numpy(dtype=np.float64, copy=True)
    eyelid = np.array([c in _EYELID_COLUMNS for c in cols])
    windows = (  # (columns, window in frames, median of 3 first)
        (np.flatnonzero(~eyelid), _window_frames(window_s, interval), True),
        (np.flatnonzero(eyelid), _window_frames(eyelid_window_s, interval), False),
    )
    for track in _tracks(frames):
        for which, window, median in windows:
            if which.size and window >= 3:
                rows_cols = np.ix_(track.rows, which)
                values[rows_cols] = _smooth_block(
                    values[rows_cols], track.breaks, window, median=median
                )
    _bilateral_is_max(values, cols)
    out[cols] = np.clip(values, 0.0, 5.0)
    return out


# ---------------------------------------------------------------- eyelids


def classify_eyelids(
    frames: pd.DataFrame,
    *,
    fps: float | None = None,
    closed: float = 2.5,
    blink_max_s: float = 0.5,
    release: float = 0.5,
    pause_s: float = 0.15,
) -> pd.DataFrame:
    """Tell blinks (45), winks (46) and eye closure or droop (43) apart.

    The estimator writes each eye's raw closure into ``AU43_L`` / ``AU43_R``
    and leaves 45 and 46 at 0; what a closure *is* depends on its duration
    and its sides (FACS_REFERENCE.md §2d, eyelid family):

    - 45 blink: a fast close and reopen with no pause. With both eyes, a
      closure of more than ½ s is scored 43E instead.
    - 46 wink: a one-sided closure.
    - 43 graded: partial lowering is droop (43B), full relaxation closed (43E).

    Per face, an *episode* starts where either eye's closure reaches
    ``closed`` and extends back and forward while either eye stays at or
    above ``closed / 2`` (hysteresis; a NaN row or a lost face ends it). It is
    timed from where the lids began to close to where they stopped
    reopening: widened while the closure keeps falling away from it, down to
    ``release`` (0.5, where a code is present) or a local minimum (a lid
    resting half low, 43, is no part of a blink within it). Timing only the
    half-closed middle read a 0.63 s closure (shut for 0.23 s) as a blink
    (benchmarks/README.md, "Blink or closure"). Then:

    - one eye reaches ``closed`` and the other stays below ``closed / 2``
      throughout: a wink. That eye's values move to ``AU46_L`` or ``AU46_R``
      (and ``AU46``) and its ``AU43`` side is zeroed there; the other eye's
      ``AU43`` side is kept.
    - otherwise (both eyes at least half closed, one of them fully): if the
      episode lasts at most ``blink_max_s`` and the lids do not pause shut
      (they stay at 90 % or more of the episode's peak for at most
      ``pause_s``), a blink: both eyes' values move to ``AU45_L``,
      ``AU45_R`` (and ``AU45``) and ``AU43*`` is zeroed there; if it lasts
      longer or pauses, it stays 43 (a full closure reads 43E). Blinks peak
      for one or two frames at 30 fps, real and rendered; a closure held
      shut for 0.23 s read 7–9 frames (benchmarks/README.md, "Blink or
      closure"), and its timed length sits at ½ s, where one frame of
      landmark lag decided it.
    - lid lowering that never reaches ``closed`` is no episode and stays 43
      (droop, e.g. 43B).
    - a face seen in one frame only (a still image) has no timing, and FACS
      scores no blink from a still: shut eyes there stay 43 (a one-eyed
      closure is still a wink).

    Parameters
    ----------
    frames : pandas.DataFrame
        A frames table, usually smoothed. Without ``AU43_L``/``AU43_R`` the
        bilateral ``AU43`` stands for both eyes (no wink can be found).
    fps : float, optional
        Frame rate; ``None`` estimates it from ``time_s``.
    closed : float
        Closure (0–5) at which an eye counts as closed.
    blink_max_s : float
        Longest episode still scored as a blink, in seconds.
    release : float
        Closure (0–5) down to which an episode's closing and reopening are
        followed; at most ``closed``.
    pause_s : float
        Longest time, in seconds, the lids of a blink stay at 90 % or more
        of its peak closure.

    Returns
    -------
    pandas.DataFrame
        A new table with ``AU43*``, ``AU45*``, ``AU46*`` rewritten (missing
        45/46 columns are added at the end); each bilateral eyelid column is
        the larger side. Running it twice changes nothing more.

    Raises
    ------
    InputError
        If ``frames`` is not a valid frames table or an option is out of range.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from facs.series import FRAME_COLUMNS
    >>> frames = pd.DataFrame(0.0, index=range(12), columns=FRAME_COLUMNS).assign(
    ...     frame=range(12), time_s=np.arange(12) / 30, face=0, success=1)
    >>> frames.loc[3:5, ["AU43_L", "AU43_R", "AU43"]] = [[2, 2, 2], [5, 5, 5], [2, 2, 2]]
    >>> out = classify_eyelids(frames)
    >>> out.loc[2:6, ["AU43", "AU45", "AU45_L"]].to_numpy().tolist()
    [[0.0, 0.0, 0.0], [0.0, 2.0, 2.0], [0.0, 5.0, 5.0], [0.0, 2.0, 2.0], [0.0, 0.0, 0.0]]
    """
    validate_frames(frames)
    _check_positive("closed", closed)
    _check_positive("blink_max_s", blink_max_s)
    _check_positive("release", release)
    _check_positive("pause_s", pause_s)
    if release > closed:
        raise InputError(f"release must be at most closed ({closed!r}), got {release!r}")
    interval = _frame_interval(frames, fps)
    out = frames.copy()
    sided = "AU43_L" in out.columns and "AU43_R" in out.columns
    if not sided and "AU43" not in out.columns:
        return out
    left_col, right_col = ("AU43_L", "AU43_R") if sided else ("AU43", "AU43")
    base = out[left_col].to_numpy(dtype=np.float64)
    targets = ["AU43", "AU45", "AU46"]
    if sided:
        targets += [f"AU{n}_{s}" for n in (43, 45, 46) for s in ("L", "R")]
    for col in targets:  # add missing 45/46 columns: 0 where the eye was seen
        if col not in out.columns:
            out[col] = np.where(np.isfinite(base), 0.0, np.nan)
    v = {c: out[c].to_numpy(dtype=np.float64, copy=True) for c in targets}
    left = out[left_col].to_numpy(dtype=np.float64)
    right = out[right_col].to_numpy(dtype=np.float64)
    t = out["time_s"].to_numpy(dtype=np.float64)
    half = closed / 2.0
    touched = np.zeros(len(out), dtype=bool)

    def move(rows: IntArray, side: str, source: FloatArray, dest: int) -> None:
        """Move one eye's closure from 43 into ``dest`` (45 or 46) on these rows."""
        src = source[rows]
        if sided:
            v[f"AU{dest}_{side}"][rows] = src
            v[f"AU43_{side}"][rows] = np.where(np.isnan(src), np.nan, 0.0)
        else:
            v[f"AU{dest}"][rows] = src
            v["AU43"][rows] = np.where(np.isnan(src), np.nan, 0.0)

    for track in _tracks(out):
        lt, rt = left[track.rows], right[track.rows]
        both = np.fmax(lt, rt)
        starts, ends = _hysteresis(both, track.breaks, on=closed, off=half)
        starts, ends = _widen_to_motion(both, track.breaks, starts, ends, floor=release)
        for s, e in zip(starts, ends, strict=True):
            rows = track.rows[s:e]
            l_max = float(np.max(np.nan_to_num(lt[s:e], nan=0.0)))
            r_max = float(np.max(np.nan_to_num(rt[s:e], nan=0.0)))
            duration = t[rows[-1]] - t[rows[0]] + interval
            touched[rows] = True
            if sided and l_max >= closed and r_max < half:
                move(rows, "L", left, 46)
            elif sided and r_max >= closed and l_max < half:
                move(rows, "R", right, 46)
            elif (
                len(track.rows) > 1  # a still: no timing, so no blink (FACS), the closure is 43
                and duration <= blink_max_s + _EPS
                and _held_s(both[s:e], track.breaks[s : e - 1], interval) <= pause_s + _EPS
            ):  # short and no pause shut (the pause is timed only for a short episode)
                move(rows, "L", left, 45)
                if sided:
                    move(rows, "R", right, 45)
    if sided:
        for n in (43, 45, 46):
            both = np.fmax(v[f"AU{n}_L"], v[f"AU{n}_R"])
            v[f"AU{n}"] = np.where(touched & ~np.isnan(both), both, v[f"AU{n}"])
    out[targets] = np.column_stack([v[c] for c in targets])
    return out


def _bridge(x: FloatArray, gap: BoolArray) -> FloatArray:
    """``x`` with each run of ``gap`` rows drawn straight between the rows on either side
    (held at the one side there is; NaN with neither)."""
    out = x.copy()
    starts, ends = _runs(gap, np.zeros(max(len(x) - 1, 0), dtype=bool))
    for s, e in zip(starts, ends, strict=True):
        before = x[s - 1] if s > 0 else np.nan
        after = x[e] if e < len(x) else np.nan
        if np.isnan(before) and np.isnan(after):
            out[s:e] = np.nan
        elif np.isnan(before) or np.isnan(after):
            out[s:e] = after if np.isnan(before) else before
        else:
            out[s:e] = before + (after - before) * np.arange(1, e - s + 1) / (e - s + 1)
    return out


def hide_gaze_while_shut(frames: pd.DataFrame, *, closed: float = 2.5) -> pd.DataFrame:
    """Eye position (61–64) where both eyes are shut: bridged over a blink, else not scored.

    Under closed lids the iris cannot be seen, and a landmarker guesses it:
    MediaPipe puts it low, so shut eyes read as eyes down (64) and a crying
    face's closed eyes as a long 64. FACS scores eye position only where the
    eyes can be seen. After :func:`classify_eyelids`:

    - a blink (``AU45`` above 0: the whole episode, closing to reopening) does
      not move the eyes, so 61–64 are drawn straight across it from the rows
      on either side (held at one side at a track's edge);
    - where both eyes stay shut (each side's ``AU43`` at ``closed`` or more,
      or the bilateral ``AU43`` without sides) 61–64 are NaN: not scored, as
      under a cover, and events end there. A wink (46) leaves the open eye,
      which still shows where the eyes point.

    Runs never cross a lost face or a NaN row. Tables without gaze or eyelid
    columns are returned unchanged (as a copy).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from facs.series import FRAME_COLUMNS
    >>> frames = pd.DataFrame(0.0, index=range(8), columns=FRAME_COLUMNS).assign(
    ...     frame=range(8), time_s=np.arange(8) / 30, face=0, success=1)
    >>> frames["AU64"] = [1.0, 1.0, 4.0, 4.0, 1.0, 0.5, 0.5, 0.5]
    >>> frames.loc[2:3, "AU45"] = 5.0  # a blink: the eyes did not move
    >>> frames.loc[6:7, ["AU43", "AU43_L", "AU43_R"]] = 5.0  # shut: not seen
    >>> hide_gaze_while_shut(frames)["AU64"].tolist()
    [1.0, 1.0, 1.0, 1.0, 1.0, 0.5, nan, nan]
    """
    _check_positive("closed", closed)
    out = frames.copy()
    gaze = [c for c in _GAZE_COLUMNS if c in out.columns]
    if not gaze or not {"AU43", "AU43_L", "AU43_R"} & set(out.columns):
        return out

    def col(*names: str) -> FloatArray:
        """The first of these columns the table has (zeros with none)."""
        use = next((n for n in names if n in out.columns), None)
        return out[use].to_numpy(dtype=np.float64) if use else np.zeros(len(out))

    blink = np.fmax(col("AU45"), np.fmax(col("AU45_L"), col("AU45_R"))) > 0
    shut = (col("AU43_L", "AU43") >= closed) & (col("AU43_R", "AU43") >= closed)
    tracks = _tracks(out)
    for c in gaze:
        values = out[c].to_numpy(dtype=np.float64, copy=True)
        for track in tracks:
            x, at = values[track.rows], blink[track.rows]
            bridged = np.full(len(x), np.nan)
            # stretches a blink may be drawn across: NaN rows and lost faces interrupt
            starts, ends = _runs(np.isfinite(x) | at, track.breaks)
            for a, b in zip(starts, ends, strict=True):
                bridged[a:b] = _bridge(x[a:b], at[a:b])
            bridged[shut[track.rows] & ~at] = np.nan
            values[track.rows] = bridged
        out[c] = values
    return out


#: Codes :func:`classify_eyelids` splits itself (a wink beside the other eye's droop).
_EYELID_FAMILY = frozenset({43, 45, 46})
_PAIR_SIDES = ("L", "R")


@dataclass(frozen=True)
class _Item:
    """One side of a code in an exclusive pair: its columns and where it counts."""

    column: str  # the side's column (the code's own column if unsided)
    bilateral: str  # the code's own column, used when the side's is missing
    low: float  # from this value the item matches its pattern


@cache
def _exclusive_items() -> tuple[tuple[_Item, _Item], ...]:
    """The catalogue's mutually exclusive pairs the frames table can show, per side.

    Each pair appears once for the left and once for the right side (an unsided
    code's column on both). ``low`` is presence (0.5) or a letter's lower edge
    (``7E``: 4.5). Patterns with a lip prefix (``B28``, ``T22``) are left out: the
    table has no top and bottom lip columns; so are pairs within 43/45/46, which
    :func:`classify_eyelids` decides.
    """
    coded = {c.number: c for c in CODED}
    out = []
    for a, b, _source in _exclusives():
        if a.side or b.side or {a.number, b.number} <= _EYELID_FAMILY:
            continue
        if a.number not in coded or b.number not in coded:
            continue
        for side in _PAIR_SIDES:
            pair = []
            for item in (a, b):
                code = coded[item.number]
                column = f"{code.column}_{side}" if code.sided else code.column
                low = letter_to_intensity(item.intensity) - 0.5 if item.intensity else 0.5
                pair.append(_Item(column, code.column, low))
            out.append((pair[0], pair[1]))
    return tuple(out)


def _drop_exclusives(frames: pd.DataFrame) -> pd.DataFrame:
    """Of codes FACS scores as mutually exclusive (``rules.toml``: 24 lip presser and
    25 lips part, 5 lid raiser and 43 closure, 25 and 34 puff, 18 and 28, 61 and 62, …)
    and present in one frame on one side, the stronger are kept and the others set to
    0 (absent) there.

    A coder reading each code on its own can score both (the lips part while the
    model's 24 reads a trace); the FACS string would break the catalogue's own
    rule. Per frame the present items are taken strongest first, each kept unless
    it conflicts with one already kept (24A, 25B and 34C keep 34C and 24A); ties
    keep the pair's first code. A sided code without side columns is read from its
    bilateral column. Bilateral columns stay the larger side where a side changed.

    >>> import numpy as np, pandas as pd
    >>> from facs.series import FRAME_COLUMNS
    >>> frames = pd.DataFrame(0.0, index=range(3), columns=FRAME_COLUMNS).assign(
    ...     frame=range(3), time_s=np.arange(3) / 30, face=0, success=1)
    >>> frames["AU24"], frames["AU25"] = [1.0, 1.0, 0.0], [0.0, 2.0, 2.0]
    >>> out = _drop_exclusives(frames)
    >>> out["AU24"].tolist(), out["AU25"].tolist()
    ([1.0, 0.0, 0.0], [0.0, 2.0, 2.0])
    """
    out = frames.copy()
    present_cols = set(out.columns)
    entries: list[tuple[str, float]] = []  # (column, low), in first-seen order
    edges: list[tuple[int, int]] = []
    for pair in _exclusive_items():
        ids = []
        for item in pair:
            column = item.column if item.column in present_cols else item.bilateral
            if column not in present_cols:
                break
            if (column, item.low) not in entries:
                entries.append((column, item.low))
            ids.append(entries.index((column, item.low)))
        if len(ids) == 2 and ids[0] != ids[1]:
            edges.append((ids[0], ids[1]))
    if not edges:
        return out
    k = len(entries)
    conflict = np.zeros((k, k), dtype=bool)
    for i, j in edges:
        conflict[i, j] = conflict[j, i] = True
    values = np.column_stack([out[c].to_numpy(dtype=np.float64) for c, _ in entries])
    lows = np.array([low for _, low in entries])
    present = values >= lows  # NaN is never present
    involved = present & (present.astype(np.int64) @ conflict.astype(np.int64) > 0)
    rows = np.flatnonzero(involved.any(axis=1))
    if rows.size == 0:
        return out
    v, p = values[rows], present[rows]
    # strongest first; ties in entry order (a pair's first code was seen first)
    order = np.argsort(-np.where(p, v, -np.inf), axis=1, kind="stable")
    kept = np.zeros_like(p)
    at = np.arange(len(rows))
    for rank in range(k):
        pick = order[:, rank]
        clash = (kept & conflict[pick]).any(axis=1)
        kept[at, pick] = p[at, pick] & ~clash
    zeroed: dict[str, BoolArray] = {}  # column -> rows set to 0
    for e, (column, _low) in enumerate(entries):
        hit = np.zeros(len(out), dtype=bool)
        hit[rows] = p[:, e] & ~kept[:, e]
        if hit.any():
            zeroed[column] = zeroed.get(column, hit) | hit
            out[column] = np.where(hit, 0.0, out[column].to_numpy(dtype=np.float64))
    none = np.zeros(len(out), dtype=bool)
    for code in CODED:  # the bilateral column, only where one of its sides was set to 0
        cols = [code.column, f"{code.column}_L", f"{code.column}_R"]
        hit = zeroed.get(cols[1], none) | zeroed.get(cols[2], none)
        if code.sided and hit.any() and set(cols) <= present_cols:
            block = out[cols].to_numpy(dtype=np.float64)[hit]
            _bilateral_is_max(block, cols)
            bilateral = out[code.column].to_numpy(dtype=np.float64, copy=True)
            bilateral[hit] = block[:, 0]
            out[code.column] = bilateral
    return out


# ---------------------------------------------------------------- per-frame codes


@cache
def _tokens(number: int, side: str | None) -> tuple[str, ...]:
    """Token per state: ``""`` (inactive), bare code, then intensities A … E."""
    return (
        "",
        str(Action(number, side=side)),
        *(str(Action(number, intensity=letter, side=side)) for letter in INTENSITY_LETTERS),
    )


@cache
def _pair_tokens(number: int) -> tuple[str, ...]:
    """Token for each (left state, right state), indexed ``left * 7 + right``."""
    both, left, right = _tokens(number, None), _tokens(number, "L"), _tokens(number, "R")
    table: list[str] = []
    for sl in range(_N_STATES):
        for sr in range(_N_STATES):
            if sl == sr:
                table.append(both[sl])
            else:
                table.append("+".join(tok for tok in (left[sl], right[sr]) if tok))
    return tuple(table)


def _states(values: FloatArray, threshold: float) -> npt.NDArray[np.uint8]:
    """0 inactive (or NaN), 1 active without a letter (below 0.5), 2–6 letters A–E."""
    step = np.clip(np.floor(values + 0.5), 0.0, 5.0)  # as intensity_to_letter
    lettered = np.where(values >= 0.5, 1.0 + step, 1.0)
    return np.where(values >= threshold, lettered, 0.0).astype(np.uint8)


def frame_codes(frames: pd.DataFrame, *, threshold: float = 0.5) -> pd.Series:
    """One canonical FACS string per row.

    Every code whose value is at least ``threshold`` is written with its
    intensity letter (:func:`~facs.notation.intensity_to_letter`; a value
    below 0.5 has no letter). A sided code is read from its side columns:
    the same letter on both sides is bilateral (``12C``), one side only is
    prefixed (``L12B``), different letters give both (``L12B+R12D``). Tokens
    come from :class:`~facs.notation.Action` in canonical order, so every
    string parses with :meth:`Code.parse <facs.notation.Code.parse>` and
    formats back to itself.

    Parameters
    ----------
    frames : pandas.DataFrame, shape (n_rows, n_columns)
        A frames table; only its code columns (and ``success``) are read.
    threshold : float
        Lowest value that counts as present.

    Returns
    -------
    pandas.Series of str, shape (n_rows,)
        Named ``code``, aligned with ``frames.index``: ``""`` for rows with
        ``success = 0`` (or no finite code value), ``"0"`` when nothing is
        active.

    Raises
    ------
    InputError
        If ``frames`` has no code column or ``threshold`` is not positive.

    Examples
    --------
    >>> import pandas as pd
    >>> from facs.series import FRAME_COLUMNS
    >>> rows = [{"AU12": 3, "AU12_L": 3, "AU12_R": 3, "AU06_R": 1.2, "AU06": 1.2},
    ...         {"AU12": 4, "AU12_L": 2, "AU12_R": 4, "AU25": 0.3},
    ...         {}, {"success": 0}]
    >>> frames = pd.DataFrame(rows, columns=FRAME_COLUMNS).fillna(0.0)
    >>> frames["success"] = [1, 1, 1, 0]
    >>> frame_codes(frames).tolist()
    ['R6A+12C', 'L12B+R12D', '0', '']
    """
    _check_positive("threshold", threshold)
    present = set(frames.columns)
    slots: list[tuple[list[str], tuple[str, ...]]] = []
    for code in sorted(CODED, key=lambda c: c.number):
        b, left, right = code.column, f"{code.column}_L", f"{code.column}_R"
        if code.sided and left in present and right in present:
            slots.append(([left, right], _pair_tokens(code.number)))
        elif b in present:
            slots.append(([b], _tokens(code.number, None)))
        elif code.sided and (left in present or right in present):
            side = "L" if left in present else "R"
            slots.append(([f"{b}_{side}"], _tokens(code.number, side)))
    if not slots:
        raise InputError("frames table: no code columns (expected e.g. AU01, AU12_L)")
    n = len(frames)
    if n == 0:
        return pd.Series([], index=frames.index, name="code", dtype="str")
    cols = [c for slot_cols, _ in slots for c in slot_cols]
    values = frames[cols].to_numpy(dtype=np.float64)
    states = _states(values, threshold)
    keys = np.empty((n, len(slots)), dtype=np.uint8)
    j = 0
    for k, (slot_cols, _) in enumerate(slots):
        if len(slot_cols) == 2:
            keys[:, k] = states[:, j] * _N_STATES + states[:, j + 1]
        else:
            keys[:, k] = states[:, j]
        j += len(slot_cols)
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    texts = np.full(len(unique), "", dtype=object)
    for k, (_, table) in enumerate(slots):  # slot by slot, in canonical order
        tokens = np.asarray(table, dtype=object)[unique[:, k]]
        sep = np.where((texts != "") & (unique[:, k] != 0), "+", "")
        texts = texts + sep + tokens
    texts[texts == ""] = "0"
    codes = texts[inverse.reshape(-1)]
    failed = np.isnan(values).all(axis=1)
    hidden = _visibility_tokens(frames)
    if hidden is not None:  # covered regions: their visibility code, after the actions
        shown = hidden != ""
        codes = np.where(shown & (codes == "0"), "", codes)
        codes = np.where(shown & (codes != ""), codes + "+", codes) + hidden
        failed &= ~shown
    if "success" in present:
        failed |= frames["success"].to_numpy(dtype=np.float64) == 0
    codes[failed] = ""
    return pd.Series(codes, index=frames.index, name="code", dtype="str")


def _visibility_tokens(frames: pd.DataFrame) -> npt.NDArray[np.object_] | None:
    """Per row, the FACS visibility codes of its covered regions ("72", "70+71", "73"),
    or "74" where the face is there but unscorable (turned away)."""
    from facs.au._visibility import COVER_CODES, COVER_COLUMNS, UNSCORABLE_COLUMN

    has_covers = all(c in frames.columns for c in COVER_COLUMNS)
    if not has_covers and UNSCORABLE_COLUMN not in frames.columns:
        return None
    out = np.full(len(frames), "", dtype=object)
    if has_covers:
        flags = frames[list(COVER_COLUMNS)].to_numpy(dtype=np.float64) >= 0.5
        for k, number in enumerate(COVER_CODES.values()):
            token = np.where(flags[:, k], str(number), "")
            out = np.where((out != "") & (token != ""), out + "+", out) + token
        out[flags.all(axis=1)] = "73"  # the entire face
    if UNSCORABLE_COLUMN in frames.columns:
        out[frames[UNSCORABLE_COLUMN].to_numpy(dtype=np.float64) >= 0.5] = "74"
    return out


# ---------------------------------------------------------------- events


@dataclass(frozen=True)
class Event:
    """One occurrence of a code on one face: onset, apex and offset.

    Attributes
    ----------
    face : int
        Face id.
    code : str
        FACS item without intensity: ``"12"`` (both sides), ``"L12"``,
        ``"R46"``, ``"19"`` (AD19), ``"51"``.
    column : str
        Frames-table column the event was found in (``"AU12"``, ``"AU12_L"``,
        ``"AD19"``); a bilateral event of a sided code names the bilateral
        column.
    side : str or None
        ``"L"``, ``"R"`` or ``None`` (both sides or not sided).
    onset_s, apex_s, offset_s : float
        Times of the first, peak and last frame, in seconds.
    onset_frame, apex_frame, offset_frame : int
        The same as frame numbers.
    peak : float
        Intensity at the apex, 0–5.
    letter : str
        ``intensity_to_letter(peak)``, A–E.

    Examples
    --------
    >>> e = Event(face=0, code="R12", column="AU12_R", side="R", onset_s=0.1,
    ...           apex_s=0.3, offset_s=0.5, onset_frame=3, apex_frame=9,
    ...           offset_frame=15, peak=3.2, letter="C")
    >>> str(e.action), e.duration_s
    ('R12C', 0.4)
    """

    face: int
    code: str
    column: str
    side: str | None
    onset_s: float
    apex_s: float
    offset_s: float
    onset_frame: int
    apex_frame: int
    offset_frame: int
    peak: float
    letter: str

    def __post_init__(self) -> None:
        what = f"event {self.code} at frame {self.onset_frame}"
        if not self.onset_s <= self.apex_s <= self.offset_s:
            raise InputError(
                f"{what}: need onset_s ≤ apex_s ≤ offset_s, got "
                f"{self.onset_s}, {self.apex_s}, {self.offset_s}"
            )
        if not self.onset_frame <= self.apex_frame <= self.offset_frame:
            raise InputError(
                f"{what}: need onset_frame ≤ apex_frame ≤ offset_frame, got "
                f"{self.onset_frame}, {self.apex_frame}, {self.offset_frame}"
            )
        if not 0.0 <= self.peak <= 5.0:
            raise InputError(f"{what}: peak must be within 0–5, got {self.peak}")
        if self.side not in (None, "L", "R"):
            raise InputError(f"{what}: side must be 'L', 'R' or None, got {self.side!r}")
        if self.letter != intensity_to_letter(self.peak):
            raise InputError(
                f"{what}: letter {self.letter!r} does not match peak {self.peak} "
                f"({intensity_to_letter(self.peak)!r})"
            )

    @property
    def action(self) -> Action:
        """The event as a scored item, e.g. ``R12C``."""
        return Action(int(self.code.lstrip("LR")), intensity=self.letter, side=self.side)

    @property
    def duration_s(self) -> float:
        """``offset_s - onset_s`` (the frames cover one frame interval more)."""
        return self.offset_s - self.onset_s


def _column_events(
    x: FloatArray,
    t: FloatArray,
    breaks: BoolArray,
    *,
    on: float,
    off: float,
    interval: float,
    merge_gap_s: float,
    min_duration_s: float,
    min_frames: int,
) -> list[tuple[int, int]]:
    """Hysteresis spans ``[start, end)`` of one track's column: merged, then filtered."""
    starts, ends = _hysteresis(x, breaks, on=on, off=off)
    if starts.size > 1:
        after, before = starts[1:], ends[:-1]  # next start, previous (exclusive) end
        gap_s = t[after] - t[before - 1] - interval
        n_breaks = np.concatenate(([0], np.cumsum(breaks)))
        n_nan = np.concatenate(([0], np.cumsum(np.isnan(x))))
        blocked = (n_breaks[after] > n_breaks[before - 1]) | (n_nan[after] > n_nan[before])
        merge = ~blocked & (gap_s < merge_gap_s - _EPS)
        starts = starts[np.concatenate(([True], ~merge))]
        ends = ends[np.concatenate((~merge, [True]))]
    duration = t[ends - 1] - t[starts] + interval
    keep = (ends - starts >= min_frames) & (duration >= min_duration_s - _EPS)
    return list(zip(starts[keep].tolist(), ends[keep].tolist(), strict=True))


@dataclass(frozen=True)
class _Plan:
    """Columns scanned for one code: one column, or a left/right pair."""

    number: int
    columns: tuple[str, ...]
    bilateral: str


def _plan(frames: pd.DataFrame, columns: Sequence[str] | None) -> list[_Plan]:
    present = set(frames.columns)
    if columns is None:
        wanted = {c for c in _ALL_CODE_COLUMNS if c in present}
    else:
        if isinstance(columns, str):
            columns = [columns]
        unknown = [c for c in columns if c not in _ALL_CODE_COLUMNS]
        if unknown:
            raise InputError(
                f"columns: not code columns: {', '.join(map(str, unknown))} "
                "(expected e.g. AU12, AU12_L, AD19)"
            )
        absent = [c for c in columns if c not in present]
        if absent:
            raise InputError(f"columns: not in the frames table: {', '.join(absent)}")
        wanted = set(columns)
    plans: list[_Plan] = []
    for code in sorted(CODED, key=lambda c: c.number):
        b, left, right = code.column, f"{code.column}_L", f"{code.column}_R"
        has_sides = code.sided and left in present and right in present
        if has_sides and (b in wanted or (left in wanted and right in wanted)):
            plans.append(_Plan(code.number, (left, right), b))
            continue
        for col in (b, left, right):
            if col in wanted:
                plans.append(_Plan(code.number, (col,), b))
    return plans


def _overlap_groups(
    left: list[tuple[int, int]], right: list[tuple[int, int]]
) -> list[list[tuple[str, int, int]]]:
    """Group left and right spans that overlap in time (connected components)."""
    tagged = [("L", s, e) for s, e in left] + [("R", s, e) for s, e in right]
    spans = sorted(tagged, key=lambda span: span[1])
    groups: list[list[tuple[str, int, int]]] = []
    end = -1
    for span in spans:
        if groups and span[1] < end:
            groups[-1].append(span)
            end = max(end, span[2])
        else:
            groups.append([span])
            end = span[2]
    return groups


def detect_events(
    *,
    frames: pd.DataFrame,
    on: float = 1.0,
    off: float = 0.5,
    min_duration_s: float = 0.1,
    merge_gap_s: float = 0.1,
    columns: Sequence[str] | None = None,
    fps: float | None = None,
) -> pd.DataFrame:
    """Find events (onset, apex, offset) in every code column, per face.

    Hysteresis: an event is entered where a value reaches ``on``; its onset
    goes back to where the value rose to ``off`` and its offset is the last
    frame before it falls below ``off``. Events of one column closer than
    ``merge_gap_s`` (the time spent below ``off``) are merged, then events
    shorter than ``min_duration_s`` are dropped; blinks (``AU45*``) are short
    by nature and need only 2 frames. The apex is the first frame of the
    maximum, the peak its value. NaN rows and lost faces interrupt: nothing
    spans or merges across them.

    A sided code is read from its side columns, never also from its
    bilateral column. When the left and right events of an episode overlap
    and peak at the same letter, one bilateral event is reported (code
    ``"12"``, side ``None``, column ``"AU12"``, apex and peak from the
    larger side); otherwise each side gets its own (``"L12"``, ``"R12"``).

    Parameters
    ----------
    frames : pandas.DataFrame
        A frames table, usually smoothed and eyelid-classified.
    on : float
        Level that starts an event (at least 0.5, the lowest lettered value).
    off : float
        Level that ends it, ``0 < off ≤ on``.
    min_duration_s : float
        Shortest event kept, in seconds (its frames' span).
    merge_gap_s : float
        Events of one column separated by less than this are merged.
    columns : sequence of str, optional
        Columns to scan (default: every code column present). A sided code's
        bilateral column stands for its two side columns; a lone side column
        is scanned alone.
    fps : float, optional
        Frame rate; ``None`` estimates it from ``time_s``.

    Returns
    -------
    pandas.DataFrame
        One row per event, columns :data:`EVENT_TABLE_COLUMNS`: ``face``, ``code``,
        ``side``, ``onset_s``, ``apex_s``, ``offset_s``, ``peak``, ``letter``,
        ``onset_frame``, ``apex_frame``, ``offset_frame``, ``column`` and
        ``apex_code`` (:func:`frame_codes` of the whole face at the apex),
        sorted by onset, face and code.

    Raises
    ------
    InputError
        If ``frames`` is not a valid frames table, a column is unknown or an
        option is out of range.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from facs.series import FRAME_COLUMNS
    >>> frames = pd.DataFrame(0.0, index=range(30), columns=FRAME_COLUMNS).assign(
    ...     frame=range(30), time_s=np.arange(30) / 30, face=0, success=1)
    >>> frames.loc[5:15, ["AU12_L", "AU12"]] = 2.0
    >>> frames.loc[10, ["AU12_L", "AU12"]] = 3.4
    >>> frames.loc[20:25, "AU25"] = 1.2
    >>> detect_events(frames=frames)[["code", "column", "apex_frame", "letter", "apex_code"]]
      code  column  apex_frame letter apex_code
    0  L12  AU12_L          10      C      L12C
    1   25    AU25          20      A       25A
    """
    if not math.isfinite(on) or on < 0.5:
        raise InputError(f"on must be at least 0.5 (the lowest lettered intensity), got {on!r}")
    _check_positive("off", off)
    if off > on:
        raise InputError(f"off must not exceed on, got off={off!r} > on={on!r}")
    _check_positive("min_duration_s", min_duration_s, allow_zero=True)
    _check_positive("merge_gap_s", merge_gap_s, allow_zero=True)
    validate_frames(frames)
    interval = _frame_interval(frames, fps)
    plans = _plan(frames, columns)
    scanned = sorted({c for p in plans for c in p.columns})
    matrix = frames[scanned].to_numpy(dtype=np.float64)
    data = {c: matrix[:, j] for j, c in enumerate(scanned)}
    time_s = frames["time_s"].to_numpy(dtype=np.float64)
    found: list[_Found] = []
    for track in _tracks(frames):
        t = time_s[track.rows]
        for plan in plans:
            x = {c: data[c][track.rows] for c in plan.columns}
            spans = {
                c: _column_events(
                    x[c],
                    t,
                    track.breaks,
                    on=on,
                    off=off,
                    interval=interval,
                    merge_gap_s=merge_gap_s,
                    min_duration_s=0.0 if c in _BLINK_COLUMNS else min_duration_s,
                    min_frames=_BLINK_MIN_FRAMES if c in _BLINK_COLUMNS else 1,
                )
                for c in plan.columns
            }
            if len(plan.columns) == 1:
                col = plan.columns[0]
                side = col[-1] if col.endswith(("_L", "_R")) else None
                found += [_Found.of(track, col, side, x[col], s, e) for s, e in spans[col]]
                continue
            left, right = plan.columns
            both = np.fmax(x[left], x[right])  # the bilateral signal: the larger side
            for group in _overlap_groups(spans[left], spans[right]):
                cols = [left if side == "L" else right for side, _, _ in group]
                parts = [
                    _Found.of(track, c, side, x[c], s, e)
                    for c, (side, s, e) in zip(cols, group, strict=True)
                ]
                if sorted(p.side or "" for p in parts) == ["L", "R"] and (
                    intensity_to_letter(parts[0].peak) == intensity_to_letter(parts[1].peak)
                ):
                    s = min(g[1] for g in group)
                    e = max(g[2] for g in group)
                    found.append(_Found.of(track, plan.bilateral, None, both, s, e))
                else:
                    found += parts
    return _events_table(frames, found)


@dataclass(frozen=True)
class _Found:
    """One event while detecting: face, column, side and global row positions."""

    face: int
    column: str
    side: str | None
    first: int
    apex: int
    last: int
    peak: float

    @classmethod
    def of(
        cls, track: _Track, column: str, side: str | None, x: FloatArray, s: int, e: int
    ) -> _Found:
        """Event over track positions ``[s, e)`` of signal ``x``; apex at the first maximum."""
        a = s + int(x[s:e].argmax())
        rows = track.rows
        return cls(
            track.face, column, side, int(rows[s]), int(rows[a]), int(rows[e - 1]), float(x[a])
        )


_SIDE_RANK = {None: 0, "L": 1, "R": 2}


def _events_table(frames: pd.DataFrame, found: list[_Found]) -> pd.DataFrame:
    """The events table (columns :data:`EVENT_TABLE_COLUMNS`), sorted by onset, face and code."""
    time_s = frames["time_s"].to_numpy(dtype=np.float64)
    frame_no = frames["frame"].to_numpy(dtype=np.int64)
    first = np.array([f.first for f in found], dtype=np.intp)
    apex = np.array([f.apex for f in found], dtype=np.intp)
    last = np.array([f.last for f in found], dtype=np.intp)
    faces = np.array([f.face for f in found], dtype=np.int64)
    number = np.array([int(f.column[2:4]) for f in found], dtype=np.int64)
    rank = np.array([_SIDE_RANK[f.side] for f in found], dtype=np.int64)
    order = np.lexsort((rank, number, faces, time_s[first]))
    found = [found[i] for i in order]
    first, apex, last, faces = first[order], apex[order], last[order], faces[order]
    apex_codes = frame_codes(frames.take(apex)) if found else pd.Series([], dtype="str")
    table = pd.DataFrame(
        {
            "face": faces,
            "code": pd.Series([column_code(f.column) for f in found], dtype="str"),
            "side": pd.Series([f.side for f in found], dtype=object),
            "onset_s": time_s[first],
            "apex_s": time_s[apex],
            "offset_s": time_s[last],
            "peak": np.array([f.peak for f in found], dtype=np.float64),
            "letter": pd.Series([intensity_to_letter(f.peak) for f in found], dtype="str"),
            "onset_frame": frame_no[first],
            "apex_frame": frame_no[apex],
            "offset_frame": frame_no[last],
            "column": pd.Series([f.column for f in found], dtype="str"),
            "apex_code": pd.Series(apex_codes.to_numpy(), dtype="str"),
        }
    )
    return table


def events_to_list(events: pd.DataFrame) -> list[Event]:
    """The rows of an events table as :class:`Event` objects.

    A side read back as NaN (from CSV or Parquet) becomes ``None``.

    Raises
    ------
    InputError
        If a column is missing or a row breaks an :class:`Event` invariant.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame([{"face": 0, "code": "45", "side": None, "onset_s": 1.0,
    ...     "apex_s": 1.1, "offset_s": 1.2, "peak": 5.0, "letter": "E",
    ...     "onset_frame": 30, "apex_frame": 33, "offset_frame": 36, "column": "AU45"}])
    >>> [str(e.action) for e in events_to_list(table)]
    ['45E']
    """
    needed = [c for c in EVENT_TABLE_COLUMNS if c != "apex_code"]
    missing = [c for c in needed if c not in events.columns]
    if missing:
        raise InputError(f"events table: missing column(s) {', '.join(missing)}")
    out: list[Event] = []
    for rec in events[needed].to_dict("records"):
        side = rec["side"]
        out.append(
            Event(
                face=int(rec["face"]),
                code=str(rec["code"]),
                column=str(rec["column"]),
                side=None if side is None or pd.isna(side) else str(side),
                onset_s=float(rec["onset_s"]),
                apex_s=float(rec["apex_s"]),
                offset_s=float(rec["offset_s"]),
                onset_frame=int(rec["onset_frame"]),
                apex_frame=int(rec["apex_frame"]),
                offset_frame=int(rec["offset_frame"]),
                peak=float(rec["peak"]),
                letter=str(rec["letter"]),
            )
        )
    return out


# ---------------------------------------------------------------- pipeline


#: Head and eye positions: measured angles, which :func:`floor_traces` leaves alone.
_POSITION_CODES = frozenset(range(51, 65))


def floor_traces(frames: pd.DataFrame, floor: float) -> pd.DataFrame:
    """Code values below ``floor`` set to 0 and ``[floor, 0.5)`` stretched onto ``[0, 0.5)``.

    Values at A (0.5) or more are untouched, so each frame's code and every event stay
    as they were; head and eye positions (51–64) are measured angles and keep their
    small values. NaN (not scored) stays NaN.

    >>> import numpy as np, pandas as pd
    >>> from facs.series import FRAME_COLUMNS
    >>> t = pd.DataFrame(0.0, index=range(5), columns=FRAME_COLUMNS)
    >>> t["AU12"] = [0.05, 0.1, 0.3, 0.5, np.nan]; t["AU51"] = 0.05
    >>> out = floor_traces(t, 0.1)
    >>> out["AU12"].round(3).tolist(), out["AU51"].tolist()[:1]
    ([0.0, 0.0, 0.25, 0.5, nan], [0.05])
    """
    if not 0.0 <= floor < 0.5:
        raise ParameterError(f"floor must be at least 0 and below 0.5, got {floor!r}")
    out = frames.copy()
    columns = [c for c in _code_columns(out) if int(c[2:4]) not in _POSITION_CODES]
    values = out[columns].to_numpy(dtype=np.float64)
    lifted = np.clip((values - floor) * 0.5 / (0.5 - floor), 0.0, None)
    out[columns] = np.where(values < 0.5, lifted, values)
    return out


def process(
    frames: pd.DataFrame,
    *,
    fps: float | None = None,
    smooth_values: bool = True,
    trace_floor: float = 0.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Smooth, classify the eyelids, code every frame and find the events.

    Parameters
    ----------
    frames : pandas.DataFrame
        A raw frames table from the estimator.
    fps : float, optional
        Frame rate; ``None`` estimates it from ``time_s``.
    trace_floor : float, default 0
        :func:`floor_traces` after smoothing (``facs code`` passes the estimator's
        :data:`~facs.au._estimator.TRACE_FLOOR`; another tool's values are its own).
    smooth_values : bool, default True
        Smooth every code column first (:func:`smooth`); False keeps the
        values as they are (another tool's output, already its own).

    Returns
    -------
    frames : pandas.DataFrame
        The smoothed, eyelid-classified table with a new last column ``code``
        (:func:`frame_codes`).
    events : pandas.DataFrame
        :func:`detect_events` on it.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from facs.series import FRAME_COLUMNS
    >>> frames = pd.DataFrame(0.0, index=range(30), columns=FRAME_COLUMNS).assign(
    ...     frame=range(30), time_s=np.arange(30) / 30, face=0, success=1)
    >>> frames.loc[10:12, ["AU43_L", "AU43_R", "AU43"]] = 5.0  # a 0.1 s blink
    >>> coded, events = process(frames, fps=30)
    >>> coded["code"].iloc[11], events[["code", "letter", "apex_frame"]].values.tolist()
    ('45E', [['45', 'E', 10]])
    """
    smoothed = smooth(frames, fps=fps) if smooth_values else frames.copy()
    classified = _drop_exclusives(hide_gaze_while_shut(classify_eyelids(smoothed, fps=fps)))
    if trace_floor:
        classified = floor_traces(classified, trace_floor)
    classified = classified.drop(columns="code", errors="ignore")
    classified["code"] = frame_codes(classified)
    return classified, detect_events(frames=classified, fps=fps)
