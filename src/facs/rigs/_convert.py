"""Conversion between rig channel values and frames-table AU intensities."""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.optimize import lsq_linear, nnls
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from facs._errors import InputError, ParameterError
from facs._validate import check_positive
from facs.rigs._rig import Rig, normalise_name
from facs.series import (
    BOX_COLUMNS,
    CODE_COLUMNS,
    CODED,
    META_COLUMNS,
    SIDE_COLUMNS,
    VISIBILITY_COLUMNS,
    empty_frames,
)

__all__ = ["DEFAULT_FPS", "Report", "frames_to_weights", "weights_to_frames"]

FloatArray = npt.NDArray[np.float64]

#: Frame rate assumed when the input has neither a time column nor ``fps``
#: (ARKit and Live Link Face capture at 60 fps).
DEFAULT_FPS = 60.0
#: Values this far outside 0–1 are clipped silently; further out is an error.
TOLERANCE = 0.05
#: Ridge penalty of the inverse: breaks ties between redundant shapes evenly
#: (identical shapes get equal weights) while changing the fit negligibly.
RIDGE = 1e-6
#: Codes a rig without their own channel reads through a neighbour (inverse only).
FOLDS: dict[str, str] = {"AU45": "AU43", "AU46": "AU43", "AU27": "AU26"}
_TIME_NAMES = ("time_s", "time", "timestamp", "seconds")
_SIDED = {c.column for c in CODED if c.sided}
_RESIDUAL_NOTE = 0.25
_CODE_NAME = re.compile(r"^A[UD]\d{2}(_[LR])?$")


@dataclass(frozen=True)
class Report:
    """What a conversion could not map, and how it was done.

    Attributes
    ----------
    rig : str
        Rig name.
    direction : {"to_frames", "to_weights"}
        ``to_frames`` = rig weights → AU intensities; ``to_weights`` = back.
    unknown_columns : tuple of str
        Input columns that are neither rig channels nor time/frame columns.
    missing_shapes : tuple of str
        Rig channels absent from the input, or all NaN (treated as not measured).
    unmapped_shapes : tuple of (str, str)
        Channels with no frames column, with the reason (``mouthLeft``, tongue …).
        For ``to_frames`` only those present in the input; for ``to_weights`` all
        (they are written as 0).
    unexpressed : tuple of str
        Frames code columns the rig cannot raise (NaN in ``to_frames`` output).
    dropped : dict of str to float
        ``to_weights``: codes with a positive intensity the rig cannot express,
        with their largest value.
    residual : dict of str to float
        ``to_weights``: columns the weights reproduce off by more than 0.25, with
        the largest absolute error (coupled channels, values over the range).
    folded : tuple of (str, str)
        ``to_weights``: codes read through a neighbour (``AU45`` → ``AU43``).
    clipped : int
        Values brought back into range (weights 0–1, intensities 0–5).
    notes : tuple of str
        Anything else worth knowing (time assumed, scale used …).
    """

    rig: str
    direction: Literal["to_frames", "to_weights"]
    unknown_columns: tuple[str, ...] = ()
    missing_shapes: tuple[str, ...] = ()
    unmapped_shapes: tuple[tuple[str, str], ...] = ()
    unexpressed: tuple[str, ...] = ()
    dropped: dict[str, float] = field(default_factory=dict)
    residual: dict[str, float] = field(default_factory=dict)
    folded: tuple[tuple[str, str], ...] = ()
    clipped: int = 0
    notes: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """Human-readable lines, one per finding (empty when nothing to say)."""
        out: list[str] = []
        if self.unknown_columns:
            out.append(f"unknown columns (ignored): {', '.join(self.unknown_columns)}")
        if self.missing_shapes:
            out.append(f"rig channels missing from the input: {', '.join(self.missing_shapes)}")
        if self.unmapped_shapes:
            out.append(
                "channels with no FACS column: "
                + "; ".join(f"{n} ({why})" for n, why in self.unmapped_shapes)
            )
        if self.unexpressed:
            out.append(f"codes the rig cannot express: {', '.join(self.unexpressed)}")
        if self.dropped:
            out.append(
                "not converted (rig cannot express): "
                + ", ".join(f"{c} (max {v:.2f})" for c, v in self.dropped.items())
            )
        if self.residual:
            out.append(
                "reproduced approximately: "
                + ", ".join(f"{c} (error up to {v:.2f})" for c, v in self.residual.items())
            )
        if self.folded:
            out.append("read through: " + ", ".join(f"{a} → {b}" for a, b in self.folded))
        if self.clipped:
            out.append(f"{self.clipped} value(s) clipped into range")
        out.extend(self.notes)
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "rig": self.rig,
            "direction": self.direction,
            "unknown_columns": list(self.unknown_columns),
            "missing_shapes": list(self.missing_shapes),
            "unmapped_shapes": [{"shape": n, "reason": r} for n, r in self.unmapped_shapes],
            "unexpressed": list(self.unexpressed),
            "dropped": {k: round(v, 4) for k, v in self.dropped.items()},
            "residual": {k: round(v, 4) for k, v in self.residual.items()},
            "folded": [list(p) for p in self.folded],
            "clipped": self.clipped,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class _Channels:
    """The rig as a linear map: channel values (N, K) → columns (N, C) = 5 V M."""

    labels: tuple[str, ...]  # one per channel ("HeadYaw+", "HeadYaw-" for rotations)
    shape_of: tuple[int, ...]  # shape index per channel
    sign: tuple[int, ...]  # +1 (a shape or a rotation's positive part) or -1
    upper: FloatArray  # (K,) upper bound of each channel
    columns: tuple[str, ...]  # driven columns, frames order
    matrix: FloatArray  # (K, C)


def _channels(rig: Rig) -> _Channels:
    labels: list[str] = []
    shape_of: list[int] = []
    sign: list[int] = []
    upper: list[float] = []
    rows: list[dict[str, float]] = []
    for k, shape in enumerate(rig.shapes):
        if not (shape.weights or shape.negative):
            continue
        parts = [(+1, shape.weights)] + ([(-1, shape.negative)] if shape.kind == "rotation" else [])
        for s, weights in parts:
            suffix = ("+" if s > 0 else "-") if shape.kind == "rotation" else ""
            labels.append(shape.name + suffix)
            shape_of.append(k)
            sign.append(s)
            upper.append(math.pi if shape.kind == "rotation" else 1.0)
            rows.append(dict(weights))
    used = {c for r in rows for c in r}
    columns = tuple(c for c in (*CODE_COLUMNS, *SIDE_COLUMNS) if c in used)
    matrix = np.array([[r.get(c, 0.0) for c in columns] for r in rows], dtype=np.float64)
    return _Channels(tuple(labels), tuple(shape_of), tuple(sign), np.array(upper), columns, matrix)


def _match_columns(df: pd.DataFrame, rig: Rig, skip: set[str]) -> tuple[dict[int, str], list[str]]:
    """Input column per rig shape index, and the unknown input columns."""
    found: dict[int, str] = {}
    unknown: list[str] = []
    index = {normalise_name(s.name): k for k, s in enumerate(rig.shapes)}
    for col in df.columns:
        name = str(col)
        if name in skip:
            continue
        k = index.get(normalise_name(name))
        if k is None or k in found:
            unknown.append(name)
        else:
            found[k] = name
    return found, unknown


def _frame_numbers(weights: pd.DataFrame) -> np.ndarray:
    """The table's ``frame`` column as whole numbers (a blank or text one is named)."""
    raw = weights["frame"]
    numbers = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(numbers) | (numbers != np.round(numbers)) | (numbers < 0))
    if bad.size:
        row = int(bad[0])
        raise InputError(f"column 'frame', row {row + 1}: {raw.iloc[row]!r} is not a frame "
                         "number")  # fmt: skip
    return numbers.astype(np.int64)


def _times(
    df: pd.DataFrame, time_column: str | None, fps: float | None
) -> tuple[FloatArray, str | None, list[str]]:
    notes: list[str] = []
    n = len(df)
    if time_column is None:
        lower = {str(c).lower(): str(c) for c in df.columns}
        time_column = next((lower[t] for t in _TIME_NAMES if t in lower), None)
    elif time_column not in df.columns:
        raise InputError(f"no time column {time_column!r} in the weights table")
    if time_column is not None:
        try:
            times = pd.to_numeric(df[time_column], errors="raise").to_numpy(dtype=np.float64)
        except (TypeError, ValueError):
            raise InputError(
                f"time column {time_column!r} must hold seconds (parse timecodes first, "
                "e.g. with read_livelink)"
            ) from None
        bad = np.flatnonzero(~np.isfinite(times))
        if bad.size:
            raise InputError(f"time column {time_column!r}, row {bad[0] + 1}: "
                             f"{times[bad[0]]:g} is not a time")  # fmt: skip
        back = np.flatnonzero(np.diff(times) < 0)
        if back.size:
            i = int(back[0]) + 1
            raise InputError(f"time column {time_column!r}, row {i + 1}: time goes back from "
                             f"{times[i - 1]:g} s to {times[i]:g} s")  # fmt: skip
        return times, time_column, notes
    rate = fps if fps is not None else DEFAULT_FPS
    if fps is None:
        notes.append(f"no time column: time_s = frame / {DEFAULT_FPS:g} fps assumed")
    return np.arange(n, dtype=np.float64) / rate, None, notes


def weights_to_frames(
    weights: pd.DataFrame,
    rig: Rig,
    *,
    time_column: str | None = None,
    fps: float | None = None,
    scale: float = 1.0,
    face: int = 0,
) -> tuple[pd.DataFrame, Report]:
    """Rig channel values → a frames table (:mod:`facs.series` schema).

    Each mapped channel value ``v`` (0–1 after dividing by ``scale``) adds
    ``5 * weight * v`` to the columns its mapping names; the sum is clipped to
    0–5; a sided code's bilateral column is its larger side. Rotations
    (Live Link head and eyes, radians) drive their positive and negative
    columns, and the head ones also fill ``yaw``/``pitch``/``roll`` in degrees.

    Missing values: a channel absent from the table, or NaN in a row, counts as
    0 as long as another channel drives the same column in that row; a column
    none of whose channels has a value is NaN. Columns the rig cannot raise
    at all are NaN ("not measured", listed in :attr:`Report.unexpressed`),
    except ``AU45``/``AU46`` when the rig has eye closure: like the coder, the
    closure is written to ``AU43`` and 45/46 are 0 until
    :func:`facs.timeline.classify_eyelids` splits blinks and winks out.

    Parameters
    ----------
    weights : pandas.DataFrame
        One column per channel, named as the rig names it (matched case- and
        separator-insensitively, so ``EyeBlinkLeft`` = ``eyeBlinkLeft``), plus
        optional ``frame`` and time columns. Other columns are reported.
    rig : Rig
        From :func:`load_rig`.
    time_column : str, optional
        Column of times in seconds; default: the first of ``time_s``, ``time``,
        ``timestamp``, ``seconds`` present, else ``frame / fps``.
    fps : float, optional
        Frame rate for tables without a time column (default 60, noted).
    scale : float
        Full-scale channel value (100 for Meta data reported as 0–100).
    face : int
        Value of the ``face`` column.

    Returns
    -------
    frames : pandas.DataFrame
        The frames table plus a ``code`` column (:func:`facs.timeline.frame_codes`).
    report : Report

    Raises
    ------
    InputError
        No column matches the rig, a value is not numeric (its row named), or
        values lie outside 0–``scale`` by more than 5 %. An empty cell is a
        frame not scored (a covered face in facs's own export) and stays NaN.

    Examples
    --------
    >>> import pandas as pd
    >>> from facs.rigs import load_rig
    >>> w = pd.DataFrame({"mouthSmileLeft": [0.0, 0.6], "mouthSmileRight": [0.0, 0.2],
    ...                   "cheekSquintLeft": [0.0, 0.5], "mouthLeft": [0.0, 0.3]})
    >>> frames, report = weights_to_frames(w, load_rig("arkit"), fps=30)
    >>> frames.loc[1, ["AU12_L", "AU12_R", "AU12", "AU06_L"]].tolist()
    [3.0, 1.0, 3.0, 2.5]
    >>> frames["code"].tolist()
    ['0', 'L6C+L12C+R12A']
    >>> report.unmapped_shapes
    (('mouthLeft', 'lateral slide of both lips: no FACS code (FACS_REFERENCE.md 4a, 5)'),)
    """
    from facs.timeline import frame_codes  # the timeline sits downstream of rigs

    if not isinstance(weights, pd.DataFrame):
        raise InputError("weights must be a pandas DataFrame")
    if not isinstance(rig, Rig):
        raise InputError(f"rig must be a Rig (load_rig({rig!r})), got {type(rig).__name__}")
    check_positive("scale", scale)
    if isinstance(face, bool) or not isinstance(face, numbers.Integral) or face < 0:
        raise ParameterError(f"face must be a whole number from 0, got {face!r}")
    if fps is not None:
        check_positive("fps", fps, most=1000)
    n = len(weights)
    times, tcol, notes = _times(weights, time_column, fps)
    skip = {c for c in ("frame", "timecode", "face") if c in weights.columns}
    if tcol is not None:
        skip.add(tcol)
    found, unknown = _match_columns(weights, rig, skip)
    if not found:
        raise InputError(
            f"no column of the weights table matches a {rig.name} channel "
            f"(columns: {', '.join(map(str, weights.columns[:6]))} …)"
        )
    ch = _channels(rig)
    raw = np.full((n, len(rig.shapes)), np.nan)
    clipped = 0
    for k, col in found.items():
        try:
            values = pd.to_numeric(weights[col], errors="raise").to_numpy(dtype=np.float64)
        except (TypeError, ValueError):
            bad = pd.to_numeric(weights[col], errors="coerce").isna() & weights[col].notna()
            row = int(np.flatnonzero(bad.to_numpy())[0]) if bad.any() else 0
            raise InputError(
                f"column {col!r}, row {row + 1} (line {row + 2} of a CSV): "
                f"{weights[col].iloc[row]!r} is not a number"
            ) from None
        shape = rig.shapes[k]
        infinite = np.flatnonzero(np.isinf(values))
        if infinite.size:  # inf read as a full shape (L12E), -inf as none
            row = int(infinite[0])
            raise InputError(
                f"column {col!r}, row {row + 1} (line {row + 2} of a CSV): "
                f"{values[row]:g} is not a weight"
            )
        if shape.kind == "shape":
            values = values / scale
            finite = values[np.isfinite(values)]
            if finite.size and (finite.min() < -TOLERANCE or finite.max() > 1 + TOLERANCE):
                raise InputError(
                    f"column {col!r}: values from {finite.min() * scale:.3g} to "
                    f"{finite.max() * scale:.3g} are outside 0–{scale:g} "
                    "(data on a 0–100 scale: divide it by 100)"
                )
            out = (values < 0) | (values > 1)
            clipped += int(out.sum())
            values = np.clip(values, 0.0, 1.0)
        raw[:, k] = values
    missing = tuple(
        s.name for k, s in enumerate(rig.shapes) if k not in found or np.isnan(raw[:, k]).all()
    )
    # channel values (N, K) and their availability
    chan = (
        np.stack(
            [np.maximum(raw[:, k] * s, 0.0) for k, s in zip(ch.shape_of, ch.sign, strict=True)],
            axis=1,
        )
        if ch.labels
        else np.zeros((n, 0))
    )
    known = np.isfinite(chan)
    intens = 5.0 * np.where(known, chan, 0.0) @ ch.matrix
    any_known = known.astype(np.float64) @ (ch.matrix != 0).astype(np.float64) > 0
    over = (intens < 0) | (intens > 5)
    clipped += int((over & any_known).sum())
    intens = np.where(any_known, np.clip(intens, 0.0, 5.0), np.nan)

    frames = empty_frames().reindex(range(n))
    frames["frame"] = _frame_numbers(weights) if "frame" in weights.columns else np.arange(n)
    frames["time_s"] = times
    frames["face"] = face
    has_any = np.isfinite(raw[:, list(found)]).any(axis=1)
    frames["success"] = has_any.astype("int64")
    frames["confidence"] = np.nan
    for col, k in zip(ch.columns, range(len(ch.columns)), strict=True):
        frames[col] = intens[:, k]
    closure = "AU43_L" in ch.columns or "AU43_R" in ch.columns
    for code in CODED:
        base = code.column
        if code.sided:
            left, right = f"{base}_L", f"{base}_R"
            if left in ch.columns or right in ch.columns:
                frames[base] = frames[[left, right]].max(axis=1, skipna=True)
                frames[left] = frames[left].fillna(0.0).where(frames[base].notna())
                frames[right] = frames[right].fillna(0.0).where(frames[base].notna())
    if closure:
        for col in ("AU45", "AU45_L", "AU45_R", "AU46", "AU46_L", "AU46_R"):
            frames[col] = np.where(np.isfinite(frames["AU43"]), 0.0, np.nan)
    for k, s in enumerate(rig.shapes):
        if s.kind == "rotation" and s.name.lower() in ("headyaw", "headpitch", "headroll"):
            frames[s.name.lower()[4:]] = np.degrees(raw[:, k])
    frames.loc[~has_any, [*CODE_COLUMNS, *SIDE_COLUMNS]] = np.nan
    bases = _expressed_bases(ch.columns) | ({"AU45", "AU46"} if closure else set())
    unexpressed = tuple(c for c in CODE_COLUMNS if c not in bases)
    frames["code"] = frame_codes(frames)
    present = set(found)
    report = Report(
        rig=rig.name,
        direction="to_frames",
        unknown_columns=tuple(unknown),
        missing_shapes=missing,
        unmapped_shapes=tuple(
            (s.name, s.reason or f"FACS {s.facs}")
            for k, s in enumerate(rig.shapes)
            if k in present and s.status != "mapped"
        ),
        unexpressed=unexpressed,
        clipped=clipped,
        notes=tuple(notes)
        + ((f"channel values divided by scale {scale:g}",) if scale != 1 else ()),
    )
    return frames, report


def _targets(
    frames: pd.DataFrame, columns: tuple[str, ...]
) -> tuple[FloatArray, list[tuple[str, str]]]:
    """Target intensities (N, C) for the driven columns, with 45/46/27 folded in."""
    n = len(frames)
    folded: list[tuple[str, str]] = []

    def column(col: str) -> FloatArray:
        base, _, side = col.partition("_")
        if col in frames.columns:
            values = pd.to_numeric(frames[col], errors="coerce").to_numpy(dtype=np.float64)
            if side and base in frames.columns:  # side missing in a row: use the bilateral
                bilateral = pd.to_numeric(frames[base], errors="coerce").to_numpy(np.float64)
                values = np.where(np.isnan(values), bilateral, values)
            return values
        if side and base in frames.columns:
            return pd.to_numeric(frames[base], errors="coerce").to_numpy(dtype=np.float64)
        return np.full(n, np.nan)

    out = np.empty((n, len(columns)))
    for j, col in enumerate(columns):
        values = column(col)
        base, _, side = col.partition("_")
        for src, dest in FOLDS.items():
            if dest != base:
                continue
            src_col = f"{src}_{side}" if side else src
            if src_col in columns or src in columns:
                continue
            other = column(src_col)
            if np.isfinite(other).any() and np.nanmax(np.where(np.isnan(other), 0, other)) > 0:
                folded.append((src_col, col))
            with np.errstate(invalid="ignore"):
                values = np.fmax(values, other)
        out[:, j] = values
    return out, folded


def _solve(a: FloatArray, y: FloatArray, upper: FloatArray) -> FloatArray:
    """min ||a w - y||² + RIDGE ||w||² over 0 <= w <= upper."""
    k = a.shape[1]
    aa = np.vstack([a, math.sqrt(RIDGE) * np.eye(k)])
    yy = np.concatenate([y, np.zeros(k)])
    w, _ = nnls(aa, yy)
    if np.any(w > upper + 1e-9):
        w = lsq_linear(aa, yy, bounds=(np.zeros(k), upper), method="bvls").x
    return np.asarray(np.clip(w, 0.0, upper), dtype=np.float64)


def _sign_options(ks: npt.NDArray[np.intp], ch: _Channels) -> list[npt.NDArray[np.bool_]]:
    """Masks of usable channels: one part (positive or negative) of each rotation.

    A rotation is one signed value, so its two parts cannot both be non-zero;
    each combination of signs is tried and the best fit kept.
    """
    pairs: dict[int, list[int]] = {}
    for j, k in enumerate(ks):
        if ch.labels[k].endswith(("+", "-")) and ch.upper[k] > 1:
            pairs.setdefault(ch.shape_of[k], []).append(j)
    masks = [np.ones(len(ks), dtype=bool)]
    for parts in pairs.values():
        if len(parts) != 2:
            continue
        grown = []
        for mask in masks:
            for drop in parts:
                m = mask.copy()
                m[drop] = False
                grown.append(m)
        masks = grown
    return masks


def _solve_signed(
    a: FloatArray, y: FloatArray, upper: FloatArray, options: list[npt.NDArray[np.bool_]]
) -> FloatArray:
    best: tuple[float, FloatArray] | None = None
    for mask in options:
        w = np.zeros(a.shape[1])
        w[mask] = _solve(a[:, mask], y, upper[mask])
        cost = float(np.sum((a @ w - y) ** 2) + RIDGE * np.sum(w**2))
        if best is None or cost < best[0] - 1e-12:
            best = (cost, w)
    assert best is not None
    return best[1]


def _own_extra(column: str) -> bool:
    """A column `facs code` adds beside the codes (face box, covered regions, 74), which a
    rig has no channel for by design: not an unknown column."""
    return column in BOX_COLUMNS or column in VISIBILITY_COLUMNS


def frames_to_weights(
    frames: pd.DataFrame, rig: Rig, *, scale: float = 1.0
) -> tuple[pd.DataFrame, Report]:
    """A frames table → rig channel values (the inverse of :func:`weights_to_frames`).

    Per frame, the channel values ``w`` (0–1; rotations in radians) minimise
    ``||5 M w - y||²`` (``M`` the rig's mapping matrix, ``y`` the target
    intensities of the columns the rig drives) with a tiny ridge penalty that
    shares an intensity evenly between redundant channels (the four Meta
    funnel quadrants, eyeLook shapes and eye rotations). It is solved by
    non-negative least squares (:func:`scipy.optimize.nnls`), falling back to
    bounded least squares (:func:`scipy.optimize.lsq_linear`) when a channel
    would pass 1, independently per connected block of the mapping, once per
    distinct target row.

    Sided codes are read from their side columns (the bilateral column where
    a side is missing). Where the rig lacks a code's own channel, it is read
    through a neighbour: 45 and 46 (blink, wink) through 43 (one closure
    channel), 27 through 26 (a wide jaw opening). NaN targets are left out of
    that row's fit; a channel whose columns are all NaN in a row is NaN.
    Channels with no frames column get 0 (rest).

    Parameters
    ----------
    frames : pandas.DataFrame
        A frames table (code columns 0–5; ``time_s`` and ``frame`` are kept).
    rig : Rig
        From :func:`load_rig`.
    scale : float
        Full-scale channel value of the output (100 for Meta 0–100 data).

    Returns
    -------
    weights : pandas.DataFrame
        ``frame`` and ``time_s`` when the input has them, then one column per
        rig channel, in rig order.
    report : Report
        Codes the rig cannot express (:attr:`Report.dropped`), columns
        reproduced only approximately (:attr:`Report.residual`), folds.

    Examples
    --------
    >>> import pandas as pd
    >>> from facs.rigs import load_rig
    >>> frames = pd.DataFrame({"AU12_L": [4.0], "AU12_R": [2.0], "AU22": [5.0], "AU11": [2.0]})
    >>> weights, report = frames_to_weights(frames, load_rig("meta"))
    >>> weights[["LipCornerPullerL", "LipCornerPullerR", "LipFunnelerLB"]].round(3).values.tolist()
    [[0.8, 0.4, 1.0]]
    >>> report.dropped
    {'AU11': 2.0}
    """
    if not isinstance(frames, pd.DataFrame):
        raise InputError("frames must be a pandas DataFrame")
    check_positive("scale", scale)
    ch = _channels(rig)
    n = len(frames)
    known_cols = [c for c in frames.columns if isinstance(c, str) and _is_code_column(c)]
    for col in known_cols:  # text and inf read as "no value" before: a channel left blank
        read = pd.to_numeric(frames[col], errors="coerce")
        bad = np.flatnonzero(
            (read.isna() & frames[col].notna()).to_numpy() | np.isinf(read.to_numpy(float))
        )
        if bad.size:
            row = int(bad[0])
            raise InputError(f"frames table, row {row + 1}, column {col}: "
                             f"{frames[col].iloc[row]!r} is not an intensity 0–5")  # fmt: skip
    targets, folded = _targets(frames, ch.columns)
    if not known_cols:
        raise InputError("frames table: no code columns (expected e.g. AU01, AU12_L)")
    finite = targets[np.isfinite(targets)]
    if finite.size and (finite.min() < -1e-9 or finite.max() > 5 + 1e-9):
        raise InputError("frames table: code intensities must be within 0–5")
    k_total = len(ch.labels)
    values = np.full((n, k_total), np.nan)
    # connected blocks of the channel-column graph
    owner = np.array(ch.shape_of)
    same_shape = owner[:, None] == owner[None, :]  # a rotation's two parts solve together
    incidence = csr_matrix(
        np.block(
            [
                [same_shape, ch.matrix != 0],
                [(ch.matrix != 0).T, np.zeros((len(ch.columns), len(ch.columns)))],
            ]
        )
    )
    n_blocks, labels = connected_components(incidence, directed=False)
    chan_block, col_block = labels[:k_total], labels[k_total:]
    for b in range(n_blocks):
        ks = np.flatnonzero(chan_block == b)
        cs = np.flatnonzero(col_block == b)
        if not len(ks) or not len(cs):
            continue
        sub = targets[:, cs]
        a_full = 5.0 * ch.matrix[np.ix_(ks, cs)].T  # (C_b, K_b)
        rounded = np.round(sub, 9)
        keys = np.where(np.isnan(rounded), np.inf, rounded)
        uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
        solved = np.full((len(uniq), len(ks)), np.nan)
        options = _sign_options(ks, ch)
        for u, row in enumerate(uniq):
            ok = np.isfinite(row)
            if not ok.any():
                continue
            solved[u] = _solve_signed(a_full[ok], row[ok], ch.upper[ks], options)
        values[:, ks] = solved[inverse.reshape(-1)]
    # back to channel values (rotations: positive part minus negative part)
    by_shape: dict[int, FloatArray] = {}
    for j, (k, s) in enumerate(zip(ch.shape_of, ch.sign, strict=True)):
        part = s * values[:, j]
        prev = by_shape.get(k)  # a rotation's two parts: NaN only when both are
        by_shape[k] = (
            part
            if prev is None
            else np.where(
                np.isnan(prev) & np.isnan(part), np.nan, np.nan_to_num(prev) + np.nan_to_num(part)
            )
        )
    columns: dict[str, Any] = {m: frames[m].to_numpy() for m in ("frame", "time_s") if m in frames}
    head_coded = any(
        c in frames and pd.to_numeric(frames[c], errors="coerce").notna().any()
        for c in (f"AU{n}" for n in range(51, 59))
    )
    for k, shape in enumerate(rig.shapes):
        solved_k = by_shape.get(k)
        if solved_k is None:
            columns[shape.name] = np.zeros(n)
        elif shape.kind == "rotation":
            columns[shape.name] = solved_k
        else:
            columns[shape.name] = solved_k * scale
        if (
            shape.kind == "rotation"
            and shape.name.lower() in ("headyaw", "headpitch", "headroll")
            and not head_coded
        ):
            # a table without head codes (51-58) keeps its measured angles; one with them is
            # exported from the codes, so that reading it back gives the same codes (absolute
            # angles read back as codes would turn a resting tilt into head movements)
            angle = frames.get(shape.name.lower()[4:])
            if angle is not None:
                degrees = pd.to_numeric(angle, errors="coerce").to_numpy(dtype=np.float64)
                measured = np.radians(degrees)
                columns[shape.name] = np.where(np.isfinite(measured), measured, columns[shape.name])
    out = pd.DataFrame(columns, index=frames.index)
    # how well the weights reproduce the targets
    recon = 5.0 * np.nan_to_num(values) @ ch.matrix
    recon = np.clip(recon, 0.0, 5.0)
    err = np.abs(recon - targets)
    residual: dict[str, float] = {}
    for j, col in enumerate(ch.columns):
        e = err[:, j][np.isfinite(err[:, j])]
        if e.size and e.max() > _RESIDUAL_NOTE:
            residual[col] = float(e.max())
    dropped: dict[str, float] = {}
    folded_src = {a for a, _ in folded} | {a.partition("_")[0] for a, _ in folded}
    driven = set(ch.columns)
    for col in known_cols:
        base, _, side = col.partition("_")
        if col in driven or base in driven or col in folded_src or base in folded_src:
            continue
        if side and (f"{base}_L" in driven or f"{base}_R" in driven):
            continue
        if base in _SIDED and not side and (f"{base}_L" in driven or f"{base}_R" in driven):
            continue
        v = pd.to_numeric(frames[col], errors="coerce").to_numpy(dtype=np.float64)
        if np.isfinite(v).any() and np.nanmax(v) > 0:
            dropped[col] = max(dropped.get(col, 0.0), float(np.nanmax(v)))
    report = Report(
        rig=rig.name,
        direction="to_weights",
        unknown_columns=tuple(
            str(c)
            for c in frames.columns
            if str(c) not in META_COLUMNS
            and str(c) != "code"
            and not _is_code_column(str(c))
            and not _own_extra(str(c))
        ),
        unmapped_shapes=tuple(
            (s.name, s.reason or f"FACS {s.facs}") for s in rig.shapes if s.status != "mapped"
        ),
        unexpressed=tuple(c for c in CODE_COLUMNS if c not in _expressed_bases(ch.columns)),
        dropped=dropped,
        residual=residual,
        folded=tuple(dict.fromkeys(folded)),
        notes=((f"channel values multiplied by scale {scale:g}",) if scale != 1 else ()),
    )
    return out, report


def _is_code_column(col: str) -> bool:
    """A frames code column, or any AU/AD column (``AU11``, ``AU13_L``) outside the schema."""
    return col in CODE_COLUMNS or col in SIDE_COLUMNS or bool(_CODE_NAME.match(col))


def _expressed_bases(columns: tuple[str, ...]) -> set[str]:
    return {c.partition("_")[0] for c in columns}
