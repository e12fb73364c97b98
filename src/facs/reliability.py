"""Reliability: agreement between FACS coders, or between coders and the machine.

Two or more codings of the same video are compared code by code, on events
tables (``events.csv``: one row per scored action with onset, apex, offset)
or on frames tables (``frames.csv``: intensity 0–5 per code per frame):
:func:`agree_events` and :func:`agree_frames`, or :func:`agree`, which picks
one from the tables. Each code is keyed as its frames-table column: ``AU12``,
``AU12_L``, ``AD19``.

Statistics (every one ``None`` / NaN / JSON ``null`` where it is undefined):

``agreement_index``
    Ekman and Friesen's index, 2 × agreed / total scored. Events: agreed =
    events matched one-to-one (see :func:`match_events`), scored = events of
    both coders. Frames: agreed = frames both score (intensity above
    ``threshold``, 0 by default), scored = frames each scores, summed.
    With more than two coders: the mean over all pairs of coders.
``kappa``
    Chance-corrected agreement on occurrence: Cohen's kappa for two coders,
    Fleiss' kappa for three or more. Frames: over the frames every coder
    has a valid value for. Events: time is cut into bins of ``bin_s``
    seconds over the coded span of each face (earliest onset to latest
    offset of any coder, or ``span_s``); a coder scores a code in a bin
    when one of their events of it covers any part of the bin.
``f1``
    Detection F1 with the **first** table as the reference, 2 TP /
    (2 TP + FP + FN): matched events (events) or frames (frames). With more
    than two coders: the mean over the other coders. For two coders on
    events it equals the agreement index.
``icc``
    ICC(3,1) (two-way mixed, consistency, single rater) of the intensities.
    Events: on matched events (every coder's event matched to the same
    event of the first table), intensity = ``peak`` (or the letter's 1–5
    when ``peak`` is 0). Frames: on the valid frames where at least one coder
    scores the code (the many frames nobody scores would otherwise inflate
    it).
``weighted_kappa``
    Weighted Cohen's kappa on intensity letters, on the same events or
    frames as ``icc`` (``None`` with fewer than two): A–E (1–5) for events,
    0–5 (intensity rounded, 0 absent) for frames. Linear weights by default
    (a one-letter slip costs a quarter of a four-letter one): quadratic
    weights make the statistic asymptotically equal to the ICC already
    reported, linear ones say something else. With more than two coders:
    the mean over pairs.

``overall`` pools the codes: the agreement index is 2 × all agreed / all
scored (the classic FACS reliability figure; with more than two coders,
pooled per pair, then averaged over pairs), kappa is computed on every
code's occurrence units stacked, F1 on the summed TP/FP/FN, ICC and weighted
kappa on every code's intensity rows stacked.

On events, a letter is the ``letter`` column, else the code's own (``12C``),
else the ``peak`` rounded (:func:`facs.notation.intensity_to_letter`).

Examples
--------
>>> import pandas as pd
>>> def events(*rows):
...     return pd.DataFrame([dict(face=0, code=c, side="", onset_s=on, apex_s=on,
...         offset_s=off, peak=p, letter="") for c, on, off, p in rows])
>>> ann = events(("12", 1.0, 2.0, 3.0), ("6", 1.1, 1.9, 2.0), ("25", 5.0, 6.0, 1.0))
>>> bob = events(("12", 1.2, 2.2, 4.0), ("6", 3.0, 3.5, 2.0))
>>> result = agree([ann, bob], names=["ann", "bob"])
>>> result.per_code["agreement_index"].round(2).to_dict()
{'AU06': 0.0, 'AU12': 1.0, 'AU25': 0.0}
>>> round(float(result.overall["agreement_index"]), 2)  # 2 × 1 / (3 + 2)
0.4
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from facs._errors import CodeError, InputError, ParameterError
from facs.formats import EVENT_COLUMNS, read_coding
from facs.formats._tables import TableKind, table_kind
from facs.notation import SIDE_WORDS, Code, intensity_to_letter, letter_to_intensity
from facs.series import CODE_COLUMNS, META_COLUMNS, SIDE_COLUMNS, code_column, validate_frames

__all__ = [
    "STATISTICS",
    "Agreement",
    "Kind",
    "Weights",
    "agree",
    "agree_events",
    "agree_files",
    "agree_frames",
    "agreement_index",
    "cohen_kappa",
    "event_key",
    "f1_score",
    "fleiss_kappa",
    "icc_3_1",
    "match_events",
]

Kind = TableKind
Weights = Literal["linear", "quadratic"]
Align = Literal["auto", "frame", "time"]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: The statistics reported per code and overall, in order.
STATISTICS: tuple[str, ...] = ("agreement_index", "kappa", "f1", "icc", "weighted_kappa")
#: Fewer intensity pairs than this and an ICC comes with a warning (it swings wildly).
MIN_ICC_PAIRS = 10
#: Codings whose time extents overlap less than this share of the longer are warned about.
MIN_SPAN_OVERLAP = 0.5

_EPS = 1e-9  # seconds: float times built by sums (0.1 + 0.2) still compare as meant
_TINY = 1e-12
_FRAME_KEYS = frozenset(CODE_COLUMNS) | frozenset(SIDE_COLUMNS)
_KEY = re.compile(r"^(AU|AD|M)?(\d+)(?:_([LR]))?$")
_EVENT_LETTERS = (1, 2, 3, 4, 5)  # A–E
_FRAME_LETTERS = (0, 1, 2, 3, 4, 5)  # absent, A–E
_DEFAULT_INTERVAL = 1.0 / 30.0


# =========================================================================== statistics


def _vector(x: npt.ArrayLike, name: str) -> npt.NDArray[Any]:
    arr = np.asarray(x)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return arr


def _binary_pair(a: npt.ArrayLike, b: npt.ArrayLike) -> tuple[BoolArray, BoolArray]:
    x, y = _vector(a, "a"), _vector(b, "b")
    if x.shape != y.shape:
        raise ValueError(f"a and b differ in length: {x.size} and {y.size}")
    for arr, name in ((x, "a"), (y, "b")):
        if arr.size and not np.isin(arr, (0, 1)).all():
            raise ValueError(f"{name} must hold 0/1 or booleans")
    return x.astype(bool), y.astype(bool)


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if denominator <= 0 else float(numerator / denominator)


def agreement_index(a: npt.ArrayLike, b: npt.ArrayLike) -> float | None:
    """Ekman–Friesen agreement index of two occurrence vectors.

    ``2 × (units both score) / (units a scores + units b scores)``: the
    share of scored items the two coders agree on. Symmetric; equal to the
    F1 of either against the other.

    Parameters
    ----------
    a, b : array_like of bool or 0/1, shape (n,)
        Whether each coder scores the code in each unit (frame, bin).

    Returns
    -------
    float or None
        In [0, 1]; ``None`` when neither coder scores anything.

    Examples
    --------
    >>> agreement_index([1, 1, 0, 1], [1, 0, 0, 1])  # 2 × 2 / (3 + 2)
    0.8
    >>> agreement_index([0, 0], [0, 0]) is None
    True
    """
    x, y = _binary_pair(a, b)
    return _ratio(2.0 * float(np.sum(x & y)), float(x.sum() + y.sum()))


def f1_score(reference: npt.ArrayLike, predicted: npt.ArrayLike) -> float | None:
    """Detection F1 of ``predicted`` against ``reference``: 2 TP / (2 TP + FP + FN).

    Returns ``None`` when neither scores anything (TP + FP + FN = 0).

    >>> f1_score([1, 1, 0, 0], [1, 0, 1, 0])
    0.5
    """
    ref, pred = _binary_pair(reference, predicted)
    tp = float(np.sum(ref & pred))
    return _f1_counts(tp, float(np.sum(~ref & pred)), float(np.sum(ref & ~pred)))


def _f1_counts(tp: float, fp: float, fn: float) -> float | None:
    return _ratio(2.0 * tp, 2.0 * tp + fp + fn)


def _label_index(values: npt.NDArray[Any], labels: npt.NDArray[Any], name: str) -> IntArray:
    index = pd.Index(labels).get_indexer(pd.Index(values))
    if (index < 0).any():
        bad = values[np.flatnonzero(index < 0)[0]]
        raise ValueError(f"{name} holds {bad!r}, which is not among the labels")
    out: IntArray = np.asarray(index, dtype=np.int64)
    return out


def _labels(labels: npt.ArrayLike | None, *arrays: npt.NDArray[Any]) -> npt.NDArray[Any]:
    for arr in arrays:
        if arr.dtype.kind == "f" and not np.isfinite(arr).all():
            # NaN is no category: NaN == NaN counted as agreement (kappa 1.0 on [nan, 1])
            raise ValueError("ratings must be finite: leave unrated units out, not NaN")
    if labels is None:
        return np.unique(np.concatenate([a.ravel() for a in arrays]))
    out = np.asarray(labels)
    if out.ndim != 1 or len(pd.unique(out)) != out.size:
        raise ValueError("labels must be a one-dimensional list without repeats")
    return out


def cohen_kappa(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    *,
    labels: npt.ArrayLike | None = None,
    weights: Weights | None = None,
) -> float | None:
    """Cohen's kappa of two coders' categorical ratings of the same units.

    ``1 - Σ w·O / Σ w·E`` with ``O`` the observed joint proportions, ``E``
    the product of the marginals and ``w`` the disagreement weights: 0 on
    the diagonal and 1 elsewhere (plain kappa, ``(p_o - p_e) / (1 - p_e)``),
    ``|i - j|`` (linear) or ``(i - j)²`` (quadratic), ``i`` and ``j`` being
    positions in ``labels`` (as in scikit-learn).

    Parameters
    ----------
    a, b : array_like, shape (n,)
        Ratings of each unit by the two coders.
    labels : array_like, optional
        The ordered categories (default: the sorted values seen). Give them
        for weighted kappa, so that an unused middle category still counts
        in the distances.
    weights : {None, "linear", "quadratic"}
        Disagreement weights.

    Returns
    -------
    float or None
        ``None`` when undefined: no units, or chance agreement is already
        perfect (both coders always give the same single category).

    Examples
    --------
    >>> round(cohen_kappa([1, 1, 0, 0, 1, 0], [1, 1, 0, 1, 1, 0]), 3)
    0.667
    >>> cohen_kappa([1, 1, 1], [1, 1, 1]) is None
    True
    """
    x, y = _vector(a, "a"), _vector(b, "b")
    if x.shape != y.shape:
        raise ValueError(f"a and b differ in length: {x.size} and {y.size}")
    if weights not in (None, "linear", "quadratic"):
        raise ValueError(f"weights must be None, 'linear' or 'quadratic', got {weights!r}")
    if x.size == 0:
        return None
    cats = _labels(labels, x, y)
    k = cats.size
    cell = _label_index(x, cats, "a") * k + _label_index(y, cats, "b")
    observed = np.bincount(cell, minlength=k * k).reshape(k, k) / x.size
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    i, j = np.indices((k, k))
    if weights is None:
        w = (i != j).astype(np.float64)
    elif weights == "linear":
        w = np.abs(i - j).astype(np.float64)
    else:
        w = ((i - j) ** 2).astype(np.float64)
    chance = float(np.sum(w * expected))
    if chance <= _TINY:
        return None
    return 1.0 - float(np.sum(w * observed)) / chance


def fleiss_kappa(ratings: npt.ArrayLike, *, labels: npt.ArrayLike | None = None) -> float | None:
    """Fleiss' kappa: agreement of a fixed number of raters per unit.

    ``(P̄ - P̄e) / (1 - P̄e)`` with ``P̄`` the mean over units of the share of
    agreeing rater pairs, ``(Σ_j n_ij² - m) / (m (m - 1))``, and ``P̄e =
    Σ_j p_j²`` from the overall category proportions.

    Parameters
    ----------
    ratings : array_like, shape (n_units, m_raters)
        One category per unit and rater (at least two raters).
    labels : array_like, optional
        The categories (default: the values seen).

    Returns
    -------
    float or None
        ``None`` when there are no units or every rating is the same category.

    Examples
    --------
    >>> round(fleiss_kappa([[1, 1, 1], [0, 0, 0], [1, 1, 0], [0, 0, 0]]), 3)
    0.657
    """
    r = np.asarray(ratings)
    if r.ndim != 2 or r.shape[1] < 2:
        raise ValueError(f"ratings must have shape (units, raters ≥ 2), got {r.shape}")
    n, m = r.shape
    if n == 0:
        return None
    cats = _labels(labels, r)
    index = _label_index(r.ravel(), cats, "ratings").reshape(n, m)
    counts = np.column_stack([(index == j).sum(axis=1) for j in range(cats.size)]).astype(
        np.float64
    )
    p_unit = (np.sum(counts**2, axis=1) - m) / (m * (m - 1))
    p_cat = counts.sum(axis=0) / (n * m)
    chance = float(np.sum(p_cat**2))
    if 1.0 - chance <= _TINY:
        return None
    return (float(p_unit.mean()) - chance) / (1.0 - chance)


def icc_3_1(ratings: npt.ArrayLike) -> float | None:
    """ICC(3,1): two-way mixed, consistency, single rater (Shrout and Fleiss, 1979).

    ``(MS_R - MS_E) / (MS_R + (k - 1) MS_E)`` from the two-way ANOVA without
    replication of ``n`` targets × ``k`` raters: ``MS_R`` between targets,
    ``MS_E`` the residual. Raters' constant offsets do not count against
    it (a coder who always scores one letter higher agrees perfectly).

    Parameters
    ----------
    ratings : array_like, shape (n_targets, k_raters)
        Finite intensities.

    Returns
    -------
    float or None
        In [-1/(k-1), 1]; ``None`` with fewer than two targets or two raters,
        or when nothing varies once the raters' means are removed.

    Examples
    --------
    >>> icc_3_1([[1, 2], [2, 3], [3, 4], [5, 6]])  # rater 2 = rater 1 + 1
    1.0
    >>> round(icc_3_1([[1, 2], [2, 1], [3, 4], [4, 4]]), 3)
    0.766
    """
    x = np.asarray(ratings, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"ratings must have shape (targets, raters), got {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError("ratings must be finite numbers")
    n, k = x.shape
    if n < 2 or k < 2:
        return None
    grand = x.mean()
    ss_rows = k * float(np.sum((x.mean(axis=1) - grand) ** 2))
    ss_cols = n * float(np.sum((x.mean(axis=0) - grand) ** 2))
    ss_error = max(0.0, float(np.sum((x - grand) ** 2)) - ss_rows - ss_cols)
    ms_rows = ss_rows / (n - 1)
    ms_error = ss_error / ((n - 1) * (k - 1))
    denominator = ms_rows + (k - 1) * ms_error
    if denominator <= _TINY * max(1.0, float(np.max(np.abs(x))) ** 2):
        return None
    return float((ms_rows - ms_error) / denominator)


# =========================================================================== events


def _gap_ok(
    a: FloatArray, b: FloatArray, tolerance_s: float
) -> tuple[npt.NDArray[np.bool_], FloatArray]:
    """Which pairs match (gap ≤ tolerance) and how far apart their times are."""
    later_onset = np.maximum(a[:, None, 0], b[None, :, 0])
    earlier_offset = np.minimum(a[:, None, 2], b[None, :, 2])
    ok = later_onset - earlier_offset <= tolerance_s + _EPS
    distance = np.abs(a[:, None, :] - b[None, :, :]).sum(axis=2)
    return ok, distance


#: Above this many candidate pairs in one chained group (events each within the tolerance
#: of the next, e.g. a flickering machine coding of a long take) the group is matched in
#: overlapping windows of ``_WINDOW`` events: as one dense matrix, 8000 chained events
#: took 4.2 GB and 17 s (benchmarks/README.md, "Agreement on long codings").
_DENSE_PAIRS = 250_000
_WINDOW = 600
_WINDOW_KEEP = 400  # pairs whose events both lie in a window's first part are final


def _match_dense(
    a: FloatArray, b: FloatArray, ia: list[int], ib: list[int], tolerance_s: float
) -> list[tuple[int, int]]:
    """The most pairs, then the closest onsets, apexes and offsets (Hungarian algorithm)."""
    from scipy.optimize import linear_sum_assignment

    ok, distance = _gap_ok(a[ia], b[ib], tolerance_s)
    if not ok.any():
        return []
    # an unmatched pair costs more than all matched ones together
    scale = float(distance[ok].max()) + 1.0
    cost = np.where(ok, distance / scale, float(min(len(ia), len(ib)) + 1))
    rows, cols = linear_sum_assignment(cost)
    return [(ia[r], ib[c]) for r, c in zip(rows, cols, strict=True) if ok[r, c]]


def _match_windows(
    a: FloatArray, b: FloatArray, group: list[int], tolerance_s: float
) -> list[tuple[int, int]]:
    """:func:`_match_dense` over a long chained group, ``_WINDOW`` events at a time.

    ``group`` is the group's events in onset order (a's as 0…n-1, b's as n + j). Each
    window is matched whole; its pairs whose two events both fall in its first
    ``_WINDOW_KEEP`` events are kept, as are those events left unmatched there, and the
    next window starts after them. A pair cut by a window's end is matched again in the
    next, so a window's end changes a choice only where a better pairing would reach back
    more than ``_WINDOW - _WINDOW_KEEP`` events: on 20 random chains of 2400-4000 events
    the windows found the same pairs as one dense solution in every one (with windows of
    60 and 40, 11 of 200 smaller chains differed).
    """
    n = len(a)
    pairs: list[tuple[int, int]] = []
    rest = list(group)
    while rest:
        window = rest[:_WINDOW]
        ia = [p for p in window if p < n]
        ib = [p - n for p in window if p >= n]
        found = (
            [(i, j + n) for i, j in _match_dense(a, b, ia, ib, tolerance_s)] if ia and ib else []
        )
        if len(rest) <= _WINDOW:  # the last window: all of it is final
            return pairs + [(i, j - n) for i, j in found]
        keep = set(window[:_WINDOW_KEEP])
        inside = [(i, j) for i, j in found if i in keep and j in keep]
        crossing = {x for i, j in found if (i in keep) != (j in keep) for x in (i, j)}
        settled = keep - crossing  # matched inside, or left unmatched by the window
        if not settled:  # every kept event pairs across the edge: take those pairs as they are
            inside = [(i, j) for i, j in found if i in keep or j in keep]
            settled = {x for pair in inside for x in pair}
        pairs += [(i, j - n) for i, j in inside]
        rest = [p for p in rest if p not in settled]
    return pairs


def _match_times(a: FloatArray, b: FloatArray, tolerance_s: float) -> list[tuple[int, int]]:
    """One-to-one matching of two (n, 3) arrays of onset, apex, offset."""
    if len(a) == 0 or len(b) == 0:
        return []
    both = np.concatenate((a, b))
    order = np.argsort(both[:, 0], kind="stable")
    groups: list[list[int]] = []
    end = -math.inf
    for p in order.tolist():  # sweep: events more than the tolerance apart never match
        if not groups or both[p, 0] - end > tolerance_s + _EPS:
            groups.append([])
            end = -math.inf
        groups[-1].append(p)
        end = max(end, float(both[p, 2]))
    n = len(a)
    pairs: list[tuple[int, int]] = []
    for group in groups:
        ia = [p for p in group if p < n]
        ib = [p - n for p in group if p >= n]
        if not ia or not ib:
            continue
        if len(ia) * len(ib) > _DENSE_PAIRS:
            pairs += _match_windows(a, b, group, tolerance_s)
        else:
            pairs += _match_dense(a, b, ia, ib, tolerance_s)
    return sorted(pairs)


def match_events(
    a: pd.DataFrame, b: pd.DataFrame, *, tolerance_s: float = 0.5
) -> list[tuple[int, int]]:
    """Match two coders' events of one code, one to one.

    Two events *can* match when the gap between their intervals
    ``[onset_s, offset_s]`` is at most ``tolerance_s``: ``max(onsets) -
    min(offsets) ≤ tolerance_s``. They overlap (gap ≤ 0), or the later one
    starts within the tolerance of the end of the earlier one; onsets or
    apexes within the tolerance of each other always qualify. Among the
    matchings allowed, the one with the most pairs is taken (Hungarian
    algorithm), and among those the one with the smallest total
    ``|Δonset| + |Δapex| + |Δoffset|``.

    Parameters
    ----------
    a, b : pandas.DataFrame
        Events with ``onset_s``, ``apex_s``, ``offset_s`` (same code, face
        and side; nothing else is looked at).
    tolerance_s : float
        Largest gap, in seconds, between two events that match.

    Returns
    -------
    list of (int, int)
        Positions (0-based rows) in ``a`` and ``b`` of each matched pair,
        sorted.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"onset_s": [1.0, 4.0], "apex_s": [1.5, 4.2], "offset_s": [2.0, 4.4]})
    >>> b = pd.DataFrame({"onset_s": [2.3, 9.0], "apex_s": [2.5, 9.1], "offset_s": [3.0, 9.2]})
    >>> match_events(a, b, tolerance_s=0.5), match_events(a, b, tolerance_s=0.2)
    ([(0, 0)], [])
    """
    _check_number("tolerance_s", tolerance_s, allow_zero=True)
    cols = ["onset_s", "apex_s", "offset_s"]
    for table, name in ((a, "a"), (b, "b")):
        missing = [c for c in cols if c not in table.columns]
        if missing:
            raise InputError(f"events {name}: missing column(s) {', '.join(missing)}")
    arrays = []
    for table, name in ((a, "a"), (b, "b")):
        try:
            times = table[cols].to_numpy(dtype=np.float64)
        except (TypeError, ValueError):
            raise InputError(f"events {name}: event times must be numbers") from None
        bad = np.flatnonzero(
            ~np.isfinite(times).all(axis=1)
            | (times[:, 0] > times[:, 1])
            | (times[:, 1] > times[:, 2])
        )
        if bad.size:
            raise InputError(
                f"events {name}, row {bad[0] + 1}: event times must be numbers with"
                f" onset_s ≤ apex_s ≤ offset_s, got {times[bad[0]].tolist()}"
            )
        arrays.append(times)
    return _match_times(arrays[0], arrays[1], tolerance_s)


@cache
def _parsed(text: str) -> Code:
    return Code.parse(text)


def event_key(code: str, side: str | None = None) -> list[str]:
    """The per-code keys (frames-table column names) of one events-table row.

    The side comes from the code (``L12``) or else from the ``side`` column
    (``L`` or ``R``); other side prefixes (``U``, ``T`` …) count as the
    whole code. Action descriptors read ``AD19``, movement codes ``M59``;
    a row listing several items (``1+2``) stands for each; ``0`` for none.

    >>> event_key("L12"), event_key("12", "R"), event_key("19"), event_key("1+2")
    (['AU12_L'], ['AU12_R'], ['AD19'], ['AU01', 'AU02'])
    """
    keys: list[str] = []
    fallback = side if side in ("L", "R") else None
    for action in _parsed(code):
        if action.movement:
            keys.append(f"M{action.number}")
            continue
        s = action.side if action.side in ("L", "R") else fallback
        kind = "AD" if action.kind == "AD" else "AU"
        keys.append(code_column(action.number, kind=kind, side=s))
    return keys


def _side_text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip().upper()
    return text or None


def _event_rows(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """One coder's events as face, key, onset, apex, offset, intensity, letter."""
    missing = [c for c in EVENT_COLUMNS if c not in table.columns]
    if missing:
        raise InputError(f"{name}: missing column(s) {', '.join(missing)}")
    records: list[tuple[int, str, float, float, float, float, int]] = []
    rows = table[list(EVENT_COLUMNS)].to_dict("records")
    for i, rec in enumerate(rows):
        code = "" if rec["code"] is None else str(rec["code"]).strip()
        try:
            keys = event_key(code, _side_text(rec["side"]))
            face = int(rec["face"])
            times = [float(rec[c]) for c in ("onset_s", "apex_s", "offset_s")]
            peak = float(rec["peak"])
            letter = rec["letter"].strip().upper() if isinstance(rec["letter"], str) else ""
            value = letter_to_intensity(letter) if letter else 0
        except (CodeError, TypeError, ValueError) as err:
            raise InputError(f"{name}, row {i + 1}: {err}") from None
        if not all(math.isfinite(t) for t in times) or not times[0] <= times[1] <= times[2]:
            raise InputError(
                f"{name}, row {i + 1}: event times must be numbers with"
                f" onset_s ≤ apex_s ≤ offset_s, got {times}"
            )
        if not (math.isnan(peak) or 0 <= peak <= 5):
            raise InputError(f"{name}, row {i + 1}: peak must be within 0–5, got {peak:g}")
        side = _side_text(rec["side"])
        if side is not None and side not in SIDE_WORDS:
            raise InputError(
                f"{name}, row {i + 1}: side must be empty or one of {', '.join(SIDE_WORDS)},"
                f" got {rec['side']!r}"
            )
        own = _parsed(code).actions[0].side if len(_parsed(code)) == 1 else None
        if side is not None and own is not None and own != side:
            raise InputError(
                f"{name}, row {i + 1}: code {code!r} is side {own} but side is {side!r}"
            )
        for key, action in zip(keys, _parsed(code), strict=True):
            level = value or letter_to_intensity(action.intensity)
            if not level and math.isfinite(peak):
                level = letter_to_intensity(intensity_to_letter(peak))
            strength = peak if math.isfinite(peak) and peak > 0 else (float(level) or math.nan)
            records.append((face, key, times[0], times[1], times[2], strength, level))
    columns = ["face", "key", "onset_s", "apex_s", "offset_s", "intensity", "letter"]
    return pd.DataFrame.from_records(records, columns=columns)


def _merge_sides(rows: pd.DataFrame) -> pd.DataFrame:
    """Fold ``AU12_L``/``AU12_R`` into ``AU12``; overlapping events of one key become one."""
    if rows.empty:
        return rows
    rows = rows.assign(key=rows["key"].str.replace(r"_[LR]$", "", regex=True))
    rows = rows.sort_values(["face", "key", "onset_s"], kind="stable").reset_index(drop=True)
    merged: list[dict[str, Any]] = []
    for rec in rows.to_dict("records"):
        last = merged[-1] if merged else None
        if (
            last is not None
            and last["face"] == rec["face"]
            and last["key"] == rec["key"]
            and rec["onset_s"] <= last["offset_s"] + _EPS
        ):
            last["offset_s"] = max(last["offset_s"], rec["offset_s"])
            if np.nan_to_num(rec["intensity"]) > np.nan_to_num(last["intensity"]):
                for c in ("apex_s", "intensity", "letter"):
                    last[c] = rec[c]
            continue
        merged.append({str(c): v for c, v in rec.items()})
    return pd.DataFrame(merged, columns=rows.columns)


def _extent_warnings(
    coders: Sequence[str], extents: Sequence[tuple[float, float] | None], what: str
) -> list[str]:
    """Codings of one clip cover about the same time; say so when two do not."""
    spans = [(c, e) for c, e in zip(coders, extents, strict=True) if e is not None]
    for (a, (a0, a1)), (b, (b0, b1)) in itertools.combinations(spans, 2):
        longer = max(a1 - a0, b1 - b0)
        shared = min(a1, b1) - max(a0, b0)
        if longer > 0 and shared < MIN_SPAN_OVERLAP * longer:
            return [
                f"the codings cover different spans ({what} of {a}: {a0:g}-{a1:g} s, of {b}: "
                f"{b0:g}-{b1:g} s): are they of the same clip and range? Give a span to "
                "compare one range"
            ]
    return []


def _face_warnings(coders: Sequence[str], rows: Sequence[pd.DataFrame]) -> list[str]:
    """Two codings with events and no face in common compare nothing: say so (facs numbers
    faces from 0, a hand coder may start at 1)."""
    faces = [(c, set(r["face"].tolist())) for c, r in zip(coders, rows, strict=True) if len(r)]
    for (a, fa), (b, fb) in itertools.combinations(faces, 2):
        if not fa & fb:
            shown = ", ".join(str(f) for f in sorted(fa)), ", ".join(str(f) for f in sorted(fb))
            return [
                f"{a} codes face {shown[0]} and {b} face {shown[1]}: no face is coded by both, "
                "so nothing agrees (are the face numbers the same person's?)"
            ]
    return []


def _rate_warnings(coders: Sequence[str], tables: Sequence[pd.DataFrame]) -> list[str]:
    """Frames tables of one clip share a frame rate; say so when two do not."""
    rates = {}
    for coder, table in zip(coders, tables, strict=True):
        times = np.unique(table["time_s"].to_numpy(dtype=float))
        steps = np.diff(times[np.isfinite(times)])
        if len(steps):
            # the mean of the regular steps, not their median: times rounded to the
            # millisecond (a CSV) step 0.033 and 0.034 s at 30 fps, whose median reads 30.3
            regular = steps[steps <= 1.5 * np.median(steps)]
            total = float(regular.sum())
            rates[coder] = len(regular) / total if total > 0 else math.inf
    if len(rates) > 1 and max(rates.values()) > 1.01 * min(rates.values()):
        shown = ", ".join(f"{c} {r:.4g} fps" for c, r in rates.items())
        return [f"the frame rates differ ({shown}): rows are paired by time, are they one clip?"]
    return []


def _icc_warnings(result: Agreement) -> list[str]:
    """An ICC from few pairs swings wildly: name the codes and their n."""
    few = [
        f"{key} (n={int(row['n_intensity'])})"
        for key, row in result.per_code.iterrows()
        if math.isfinite(float(row["icc"])) and int(row["n_intensity"]) < MIN_ICC_PAIRS
    ]
    if not few:
        return []
    return [f"ICC from fewer than {MIN_ICC_PAIRS} pairs, read it as unreliable: {', '.join(few)}"]


def _pair_sides(rows: list[pd.DataFrame]) -> tuple[list[pd.DataFrame], int]:
    """A left and a right event of one code that overlap become that code's bilateral event,
    for the codes another coder scored bilaterally (``43`` against ``L43``+``R43``).

    FACS writes an action of both sides once (``L12C+R12C`` is ``12C``), so a
    coder's ``43`` and the machine's ``L43``+``R43`` are the same event. Codes
    no other coder wrote without a side keep their sides. Returns the rows and
    how many pairs were joined.
    """
    bilateral = [
        set(r["key"][~r["key"].str.contains(r"_[LR]$", regex=True)]) if not r.empty else set()
        for r in rows
    ]
    out, joined = [], 0
    for i, r in enumerate(rows):
        others = set().union(*(b for j, b in enumerate(bilateral) if j != i))
        if r.empty or not others:
            out.append(r)
            continue
        base = r["key"].str.replace(r"_[LR]$", "", regex=True)
        sided = r["key"].str.contains(r"_[LR]$", regex=True) & base.isin(others)
        keep = r[~sided]
        fused: list[dict[str, Any]] = []
        for (face, key), group in r[sided].assign(base=base[sided]).groupby(["face", "base"]):
            left: list[dict[str, Any]] = [
                {str(k): v for k, v in rec.items()}
                for rec in group[group["key"].str.endswith("_L")].to_dict("records")
            ]
            right: list[dict[str, Any]] = [
                {str(k): v for k, v in rec.items()}
                for rec in group[group["key"].str.endswith("_R")].to_dict("records")
            ]
            used: set[int] = set()
            for a in left:
                match = next((k for k, b in enumerate(right) if k not in used
                              and b["onset_s"] <= a["offset_s"] + _EPS
                              and a["onset_s"] <= b["offset_s"] + _EPS), None)  # fmt: skip
                if match is None:
                    fused.append({**a, "base": None})
                    continue
                used.add(match)
                b = right[match]
                strong = a if np.nan_to_num(a["intensity"]) >= np.nan_to_num(b["intensity"]) else b
                fused.append({
                    "face": face, "key": key, "onset_s": min(a["onset_s"], b["onset_s"]),
                    "apex_s": strong["apex_s"], "offset_s": max(a["offset_s"], b["offset_s"]),
                    "intensity": strong["intensity"], "letter": max(a["letter"], b["letter"]),
                })  # fmt: skip
                joined += 1
            fused += [{**b, "base": None} for k, b in enumerate(right) if k not in used]
        extra = pd.DataFrame(fused, columns=[*r.columns, "base"]).drop(columns="base")
        table = pd.concat([keep, extra], ignore_index=True) if len(extra) else keep
        out.append(table.sort_values(["face", "key", "onset_s"], kind="stable")
                   .reset_index(drop=True))  # fmt: skip
    return out, joined


# =========================================================================== gathering


def _pairs(k: int) -> list[tuple[int, int]]:
    return list(itertools.combinations(range(k), 2))


@dataclass
class _Units:
    """What one code (or all codes pooled) contributes to the statistics."""

    k: int
    counts: IntArray  # per coder: events, or frames scored
    agreed: FloatArray  # per pair of coders: matched events or frames both score
    scored: FloatArray  # per pair: events or scored frames of both
    confusion: FloatArray  # per other coder vs the first: TP, FP, FN
    occurrence: list[BoolArray] = field(default_factory=list)  # (units, k) each
    intensity: list[FloatArray] = field(default_factory=list)  # (targets, k) each
    letters: list[list[IntArray]] = field(default_factory=list)  # per pair: (n, 2) each

    @classmethod
    def empty(cls, k: int) -> _Units:
        n_pairs = len(_pairs(k))
        return cls(
            k,
            np.zeros(k, dtype=np.int64),
            np.zeros(n_pairs),
            np.zeros(n_pairs),
            np.zeros((k - 1, 3)),
            letters=[[] for _ in range(n_pairs)],
        )

    def add(self, other: _Units) -> None:
        self.counts = self.counts + other.counts
        self.agreed = self.agreed + other.agreed
        self.scored = self.scored + other.scored
        self.confusion = self.confusion + other.confusion
        self.occurrence += other.occurrence
        self.intensity += other.intensity
        for mine, theirs in zip(self.letters, other.letters, strict=True):
            mine += theirs

    @property
    def n_units(self) -> int:
        return sum(len(o) for o in self.occurrence)

    @property
    def n_intensity(self) -> int:
        return sum(len(x) for x in self.intensity)


def _mean(values: Iterable[float | None]) -> float | None:
    defined = [v for v in values if v is not None]
    return float(np.mean(defined)) if defined else None


def _statistics(u: _Units, *, letter_labels: Sequence[int], weights: Weights) -> dict[str, Any]:
    ai = _mean(_ratio(2.0 * a, s) for a, s in zip(u.agreed, u.scored, strict=True))
    occ = np.concatenate(u.occurrence) if u.occurrence else np.zeros((0, u.k), dtype=bool)
    if u.k == 2:
        kappa = cohen_kappa(occ[:, 0], occ[:, 1], labels=[False, True])
    else:
        kappa = fleiss_kappa(occ, labels=[False, True])
    f1 = _mean(_f1_counts(*row) for row in u.confusion.tolist())
    values = np.concatenate(u.intensity) if u.intensity else np.zeros((0, u.k))
    icc = icc_3_1(values)
    wk: list[float | None] = []
    for pair in u.letters:
        both = np.concatenate(pair) if pair else np.zeros((0, 2), dtype=np.int64)
        wk.append(
            cohen_kappa(both[:, 0], both[:, 1], weights=weights, labels=letter_labels)
            if len(both) >= 2
            else None
        )
    return {
        "agreement_index": ai,
        "kappa": kappa,
        "f1": f1,
        "icc": icc,
        "weighted_kappa": _mean(wk),
        "n_units": u.n_units,
        "n_intensity": u.n_intensity,
    }


def _spans(
    rows: list[pd.DataFrame], span_s: tuple[float, float] | None
) -> dict[int, tuple[float, float]]:
    """Time span of each face for the kappa bins: ``span_s``, or all coders' events."""
    every = pd.concat(rows, ignore_index=True)
    spans: dict[int, tuple[float, float]] = {}
    for face, group in every.groupby("face", sort=True):
        spans[int(cast(int, face))] = span_s or (
            float(group["onset_s"].min()),
            float(group["offset_s"].max()),
        )
    return spans


#: Most time bins per face and code for event agreement (~116 days at 1 s, ~11.6 days at
#: 0.1 s): the bins follow the latest time a file states.
MAX_BINS = 10_000_000


def _events_units(
    rows: list[pd.DataFrame],
    keys: list[str],
    *,
    tolerance_s: float,
    bin_s: float,
    spans: dict[int, tuple[float, float]],
) -> dict[str, _Units]:
    k = len(rows)
    times = ["onset_s", "apex_s", "offset_s"]
    out: dict[str, _Units] = {}
    for key in keys:
        units = _Units.empty(k)
        for face, (t0, t1) in spans.items():
            mine = [r[(r["face"] == face) & (r["key"] == key)].reset_index(drop=True) for r in rows]
            u = _Units.empty(k)
            u.counts = np.array([len(m) for m in mine], dtype=np.int64)
            n_bins = math.floor((t1 - t0) / bin_s + _EPS) + 1
            if n_bins > MAX_BINS:
                raise InputError(
                    f"face {face}: the codings span {t0:g}-{t1:g} s, {n_bins:,} bins of "
                    f"{bin_s:g} s, more than {MAX_BINS:,} (an event at {t1:g} s: a time in "
                    "the wrong unit?); check the times or give a larger bin"
                )
            occ = np.zeros((n_bins, k), dtype=bool)
            for c, m in enumerate(mine):
                inside = m[(m["offset_s"] >= t0 - _EPS) & (m["onset_s"] <= t1 + _EPS)]
                first = np.floor((inside["onset_s"].to_numpy() - t0) / bin_s + _EPS)
                last = np.floor((inside["offset_s"].to_numpy() - t0) / bin_s + _EPS)
                for s, e in zip(first.astype(int).tolist(), last.astype(int).tolist(), strict=True):
                    occ[max(s, 0) : min(e, n_bins - 1) + 1, c] = True
            u.occurrence.append(occ)
            matches: dict[tuple[int, int], list[tuple[int, int]]] = {}
            for p, (i, j) in enumerate(_pairs(k)):
                got = _match_times(
                    mine[i][times].to_numpy(dtype=np.float64),
                    mine[j][times].to_numpy(dtype=np.float64),
                    tolerance_s,
                )
                matches[(i, j)] = got
                u.agreed[p] = len(got)
                u.scored[p] = len(mine[i]) + len(mine[j])
                if got:
                    li = mine[i]["letter"].to_numpy()[[g[0] for g in got]]
                    lj = mine[j]["letter"].to_numpy()[[g[1] for g in got]]
                    keep = (li > 0) & (lj > 0)
                    u.letters[p].append(np.column_stack((li[keep], lj[keep])).astype(np.int64))
            for c in range(1, k):
                tp = len(matches[(0, c)])
                u.confusion[c - 1] = (tp, len(mine[c]) - tp, len(mine[0]) - tp)
            # ICC targets: events of the first coder matched by every other coder.
            partner = [dict(matches[(0, c)]) for c in range(1, k)]
            targets = [i for i in range(len(mine[0])) if all(i in p for p in partner)]
            if targets:
                grid = np.column_stack(
                    [mine[0]["intensity"].to_numpy()[targets]]
                    + [
                        mine[c]["intensity"].to_numpy()[[partner[c - 1][i] for i in targets]]
                        for c in range(1, k)
                    ]
                ).astype(np.float64)
                u.intensity.append(grid[np.isfinite(grid).all(axis=1)])
            units.add(u)
        out[key] = units
    return out


# =========================================================================== frames


def _interval(time_s: FloatArray) -> float:
    steps = np.diff(np.unique(time_s[np.isfinite(time_s)]))
    steps = steps[steps > 0]
    return float(np.median(steps)) if steps.size else _DEFAULT_INTERVAL


def _align_by_frame(tables: list[pd.DataFrame], names: list[str]) -> list[IntArray]:
    indexes: list[pd.MultiIndex] = []
    for table, name in zip(tables, names, strict=True):
        index = pd.MultiIndex.from_arrays(
            [table["face"].to_numpy(dtype=np.int64), table["frame"].to_numpy(dtype=np.int64)]
        )
        dup = index.duplicated() & (table["face"].to_numpy() >= 0)
        if dup.any():
            face, frame = index[int(np.flatnonzero(dup)[0])]
            raise InputError(f"{name}: two rows for face {face}, frame {frame}")
        indexes.append(index)
    ref = np.flatnonzero(tables[0]["face"].to_numpy() >= 0)
    positions = [ref.astype(np.int64)]
    for index in indexes[1:]:
        positions.append(index.get_indexer(indexes[0][ref]).astype(np.int64))
    keep = np.all(np.column_stack(positions) >= 0, axis=1)
    return [p[keep] for p in positions]


def _align_by_time(tables: list[pd.DataFrame]) -> list[IntArray]:
    ref = tables[0]
    t_ref = ref["time_s"].to_numpy(dtype=np.float64)
    f_ref = ref["face"].to_numpy(dtype=np.int64)
    rows = np.flatnonzero((f_ref >= 0) & np.isfinite(t_ref))
    rows = rows[np.lexsort((t_ref[rows], f_ref[rows]))]
    positions = [rows.astype(np.int64)]
    keep = np.ones(rows.size, dtype=bool)
    step_ref = _interval(t_ref)
    for table in tables[1:]:
        t = table["time_s"].to_numpy(dtype=np.float64)
        f = table["face"].to_numpy(dtype=np.int64)
        half = 0.5 * max(step_ref, _interval(t)) + _EPS
        found = np.full(rows.size, -1, dtype=np.int64)
        for face in np.unique(f_ref[rows]).tolist():
            want = np.flatnonzero(f_ref[rows] == face)
            theirs = np.flatnonzero((f == face) & np.isfinite(t))
            if not theirs.size:
                continue
            theirs = theirs[np.argsort(t[theirs], kind="stable")]
            tt = t[theirs]
            at = t_ref[rows[want]]
            j = np.clip(np.searchsorted(tt, at), 1, max(tt.size - 1, 1))
            j0 = np.clip(j - 1, 0, tt.size - 1)
            j1 = np.clip(j, 0, tt.size - 1)
            nearest = np.where(np.abs(tt[j0] - at) <= np.abs(tt[j1] - at), j0, j1)
            close = np.abs(tt[nearest] - at) <= half
            found[want[close]] = theirs[nearest[close]]
        positions.append(found)
        keep &= found >= 0
    return [p[keep] for p in positions]


def _align(
    tables: list[pd.DataFrame], names: list[str], align: Align
) -> tuple[list[IntArray], str]:
    if align == "time":
        return _align_by_time(tables), "time"
    by_frame = _align_by_frame(tables, names)
    if align == "frame":
        return by_frame, "frame"
    if by_frame[0].size:
        times = [
            t["time_s"].to_numpy(dtype=np.float64)[p] for t, p in zip(tables, by_frame, strict=True)
        ]
        half = 0.5 * _interval(tables[0]["time_s"].to_numpy(dtype=np.float64)) + _EPS
        if all(np.nanmax(np.abs(t - times[0]), initial=0.0) <= half for t in times[1:]):
            return by_frame, "frame"
    return _align_by_time(tables), "time"


def _frames_units(
    tables: list[pd.DataFrame],
    positions: list[IntArray],
    keys: list[str],
    *,
    threshold: float,
) -> dict[str, _Units]:
    k = len(tables)
    success = np.column_stack(
        [t["success"].to_numpy(dtype=np.float64)[p] for t, p in zip(tables, positions, strict=True)]
    )
    ok_rows = np.all(success == 1, axis=1)
    out: dict[str, _Units] = {}
    for key in keys:
        values = np.column_stack(
            [t[key].to_numpy(dtype=np.float64)[p] for t, p in zip(tables, positions, strict=True)]
        )
        values = values[ok_rows & np.isfinite(values).all(axis=1)]
        occ = values > threshold
        u = _Units.empty(k)
        u.counts = occ.sum(axis=0).astype(np.int64)
        u.occurrence.append(occ)
        scored = occ.any(axis=1)
        u.intensity.append(values[scored])
        letters = np.clip(np.floor(values[scored] + 0.5), 0, 5).astype(np.int64)
        for p, (i, j) in enumerate(_pairs(k)):
            u.agreed[p] = float(np.sum(occ[:, i] & occ[:, j]))
            u.scored[p] = float(occ[:, i].sum() + occ[:, j].sum())
            u.letters[p].append(letters[:, [i, j]])
        for c in range(1, k):
            ref, other = occ[:, 0], occ[:, c]
            u.confusion[c - 1] = (np.sum(ref & other), np.sum(~ref & other), np.sum(ref & ~other))
        out[key] = u
    return out


# =========================================================================== tables and keys


def _table_kind(table: pd.DataFrame, name: str) -> Kind:
    kind = table_kind(list(table.columns))
    if kind == "events":
        missing = [c for c in EVENT_COLUMNS if c not in table.columns]
        if missing:
            raise InputError(f"{name}: events table without column(s) {', '.join(missing)}")
        return kind
    if kind == "frames":
        return kind
    raise InputError(
        f"{name} is neither an events table (columns {', '.join(EVENT_COLUMNS)})"
        f" nor a frames table (columns {', '.join(META_COLUMNS)}, AU01 …)"
    )


def _frames_to_events(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """The machine's events of a frames table (a processed one is not smoothed again)."""
    from facs.timeline import detect_events, process

    try:
        validate_frames(table, source=name)
        if "code" in table.columns and not pd.api.types.is_numeric_dtype(table["code"]):
            return detect_events(frames=table)
        return process(table)[1]
    except InputError as err:
        message = str(err)
        raise InputError(message if name in message else f"{name}: {message}") from None


def _key_order(key: str) -> tuple[int, int, int, str]:
    m = _KEY.match(key)
    if m is None:
        return (10_000, 0, 0, key)
    prefix, number, side = m.groups()
    return (int(number), 1 if prefix == "M" else 0, {None: 0, "L": 1, "R": 2}[side], key)


def _requested(codes: Sequence[str]) -> list[tuple[str, bool]]:
    """Keys asked for, each with whether its side columns come along (plain ``12``)."""
    out: list[tuple[str, bool]] = []
    for text in codes:
        item = text.strip()
        if not item:
            continue
        direct = _KEY.match(item.upper())
        if direct and direct.group(1) in ("AU", "AD") and len(direct.group(2)) == 2:
            out.append((item.upper(), False))
            continue
        try:
            keys = event_key(item)
        except CodeError as err:
            raise ParameterError(f"codes: {item!r} is not a FACS code: {err}") from None
        if len(keys) != 1:
            raise ParameterError(f"codes: give one code per item, got {item!r}")
        out.append((keys[0], not keys[0].endswith(("_L", "_R"))))
    if not out:
        raise ParameterError("codes: no code given")
    return out


def _select_keys(
    available: Iterable[str], codes: Sequence[str] | None, *, strict: set[str] | None
) -> list[str]:
    """Keys to report: the available ones, or those asked for.

    ``strict`` (frames) is the set of keys every table has: asking for one
    outside it is an error.
    """
    have = set(available)
    if codes is None:
        return sorted(have, key=_key_order)
    if isinstance(codes, str):  # "12" or "12,6": not the characters 1 and 2
        codes = codes.split(",")
    chosen: set[str] = set()
    for key, with_sides in _requested(codes):
        if strict is not None and key not in strict:
            raise ParameterError(f"codes: no column {key} in every frames table")
        chosen.add(key)
        if with_sides:
            chosen |= {s for s in (f"{key}_L", f"{key}_R") if s in have}
    return sorted(chosen, key=_key_order)


def _check_number(name: str, value: float, *, allow_zero: bool = False) -> None:
    ok = isinstance(value, int | float) and math.isfinite(value)
    if not ok or value < 0 or (value == 0 and not allow_zero):
        what = "a number ≥ 0" if allow_zero else "a positive number"
        raise ParameterError(f"{name} must be {what}, got {value!r}")


def _coder_names(names: Sequence[str] | None, n: int) -> list[str]:
    if names is None:
        return [chr(ord("A") + i) if i < 26 else f"coder{i + 1}" for i in range(n)]
    out = [str(s).strip() for s in names]
    if len(out) != n:
        raise ParameterError(f"names: {len(out)} name(s) for {n} codings")
    if any(not s for s in out):
        raise ParameterError("names: a coder name is empty")
    if len(set(out)) != n:
        raise ParameterError(f"names: the names must differ, got {', '.join(out)}")
    return out


# =========================================================================== results


@dataclass(frozen=True)
class Agreement:
    """Agreement between two or more codings, per code and overall.

    Attributes
    ----------
    kind : {"events", "frames"}
        What was compared.
    coders : tuple of str
        Coder names; the first is the reference for F1.
    per_code : pandas.DataFrame
        Indexed by code key (``AU12``, ``AU12_L``, ``AD19``); columns
        :data:`STATISTICS` (NaN where undefined), ``n_units`` (frames or
        time bins kappa is computed on) and ``n_intensity`` (rows of the
        ICC).
    overall : pandas.Series
        The same fields pooled over every code.
    counts : pandas.DataFrame
        Indexed like ``per_code``, one column per coder: events scored
        (events) or frames scored (frames).
    settings : dict
        ``tolerance_s``, ``bin_s``, ``threshold``, ``weights``, ``alignment``,
        ``merge_sides``, ``converted`` (codings turned from frames into
        events): whatever applied.
    warnings : list of str
        What makes the figures doubtful: codings that cover different spans
        or run at different frame rates (are they of the same clip?), an ICC
        from fewer than :data:`MIN_ICC_PAIRS` pairs.
    """

    kind: Kind
    coders: tuple[str, ...]
    per_code: pd.DataFrame
    overall: pd.Series
    counts: pd.DataFrame
    settings: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The JSON document: ``kind``, ``coders``, settings, ``overall``, ``per_code``.

        Each of ``overall`` and ``per_code[key]`` holds the keys of
        :data:`STATISTICS` (``None`` where undefined), ``n`` (per coder),
        ``n_units`` and ``n_intensity``.
        """

        def entry(stats: pd.Series, n: pd.Series) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for name in STATISTICS:
                value = float(stats[name])
                out[name] = value if math.isfinite(value) else None
            out["n"] = {c: int(n[c]) for c in self.coders}
            out["n_units"] = int(stats["n_units"])
            out["n_intensity"] = int(stats["n_intensity"])
            return out

        return {
            "kind": self.kind,
            "coders": list(self.coders),
            "reference": self.coders[0],
            **self.settings,
            "warnings": list(self.warnings),
            "overall": entry(self.overall, self.counts.sum(axis=0)),
            "per_code": {
                str(key): entry(self.per_code.loc[key], self.counts.loc[key])
                for key in self.per_code.index
            },
        }


def _result(
    kind: Kind,
    coders: list[str],
    units: dict[str, _Units],
    *,
    letter_labels: Sequence[int],
    weights: Weights,
    settings: dict[str, Any],
    warnings: Sequence[str] = (),
) -> Agreement:
    """The statistics of every code and pooled; ``warnings`` gain the ICC's own (few pairs)."""
    k = len(coders)
    pooled = _Units.empty(k)
    rows: dict[str, dict[str, Any]] = {}
    counts: dict[str, list[int]] = {}
    for key, u in units.items():
        pooled.add(u)
        rows[key] = _statistics(u, letter_labels=letter_labels, weights=weights)
        counts[key] = u.counts.tolist()
    columns = [*STATISTICS, "n_units", "n_intensity"]
    per_code = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    per_code = per_code.astype(dict.fromkeys(STATISTICS, "float64"))
    per_code = per_code.astype({"n_units": "int64", "n_intensity": "int64"})
    per_code.index.name = "code"
    overall_stats = _statistics(pooled, letter_labels=letter_labels, weights=weights)
    overall = pd.Series(
        {c: np.nan if overall_stats[c] is None else overall_stats[c] for c in columns},
        dtype="float64",
        name="overall",
    )
    count_table = pd.DataFrame.from_dict(counts, orient="index", columns=coders, dtype="int64")
    count_table = count_table.reindex(per_code.index)
    count_table.index.name = "code"
    result = Agreement(kind, tuple(coders), per_code, overall, count_table, settings)
    return dataclasses.replace(result, warnings=[*warnings, *_icc_warnings(result)])


#: Options of :func:`agree_events` only, and of :func:`agree_frames` only.
_EVENTS_ONLY = ("tolerance_s", "bin_s", "span_s")
_FRAMES_ONLY = ("threshold", "align")


def _coders(tables: Sequence[pd.DataFrame], names: Sequence[str] | None) -> list[str]:
    if len(tables) < 2:
        raise InputError(f"agreement needs at least two codings, got {len(tables)}")
    return _coder_names(names, len(tables))


def _kinds(tables: Sequence[pd.DataFrame], coders: list[str]) -> list[Kind]:
    return [_table_kind(t, n) for t, n in zip(tables, coders, strict=True)]


def _check_weights(weights: Weights) -> None:
    if weights not in ("linear", "quadratic"):
        raise InputError(f"weights must be 'linear' or 'quadratic', got {weights!r}")


def agree_events(
    tables: Sequence[pd.DataFrame],
    *,
    names: Sequence[str] | None = None,
    tolerance_s: float = 0.5,
    bin_s: float | None = None,
    span_s: tuple[float, float] | None = None,
    codes: Sequence[str] | None = None,
    merge_sides: bool = False,
    weights: Weights = "linear",
) -> Agreement:
    """Agreement between two or more codings of the same video, event by event.

    Events of one code are matched one to one (:func:`match_events`); kappa
    is computed on time bins. Frames tables among ``tables`` (the machine's
    frames next to coders' events) are first turned into events by
    :mod:`facs.timeline` (a table with a ``code`` column is already
    processed: only its events are found).

    Parameters
    ----------
    tables : sequence of pandas.DataFrame
        Events tables (columns of :data:`facs.formats.EVENT_COLUMNS`), or
        frames tables (:mod:`facs.series`) to turn into events, one per
        coder; the first is the reference for F1.
    names : sequence of str, optional
        Coder names (default ``A``, ``B`` …).
    tolerance_s : float
        Largest gap between two events that match (:func:`match_events`).
    bin_s : float, optional
        Time bin for kappa, in seconds (default ``tolerance_s``, or 0.1 s
        when the tolerance is 0): a timing difference within the tolerance
        then costs at most one bin at either end.
    span_s : (float, float), optional
        The time span coded, for the kappa bins (default per face: the
        earliest onset to the latest offset of any coder).
    codes : sequence of str, optional
        Codes to report: FACS codes (``12``, ``L12``, ``19``; a code without
        side brings its side keys along when present) or keys (``AU12``,
        ``AU12_L``, ``AD19``: exactly that one). Default: every code any
        coder scored.
    merge_sides : bool
        Count ``L12``/``R12`` as ``12``: a coder's overlapping events of one
        code are merged into one.
    weights : {"linear", "quadratic"}
        Weights of the weighted kappa on the letters A–E.

    Returns
    -------
    Agreement
        ``kind`` ``"events"``; ``settings`` holds ``merge_sides``,
        ``tolerance_s``, ``bin_s``, ``span_s``, ``converted`` (the codings
        turned from frames into events) and ``weights``.

    Raises
    ------
    InputError
        Fewer than two tables; a table that is neither kind; no event in
        any table; a code asked for that is no FACS code; an option out of
        range.

    See Also
    --------
    agree : Chooses this function or :func:`agree_frames` from the tables.
    agree_frames : The same statistics, frame by frame.

    Examples
    --------
    >>> import pandas as pd
    >>> def events(*rows):
    ...     return pd.DataFrame([dict(face=0, code=c, side="", onset_s=on, apex_s=on,
    ...         offset_s=off, peak=3.0, letter="") for c, on, off in rows])
    >>> ann = events(("12", 1.0, 2.0), ("12", 5.0, 6.0))
    >>> bob = events(("12", 1.3, 2.4))
    >>> result = agree_events([ann, bob], tolerance_s=0.2)
    >>> round(float(result.per_code.loc["AU12", "agreement_index"]), 3)  # 2 × 1 / (2 + 1)
    0.667
    """
    coders = _coders(tables, names)
    _check_number("tolerance_s", tolerance_s, allow_zero=True)
    if bin_s is None:
        bin_s = tolerance_s if tolerance_s > 0 else 0.1
    _check_number("bin_s", bin_s)
    if span_s is not None:
        start, end = (float(v) for v in span_s)
        if not (math.isfinite(start) and math.isfinite(end) and start < end):
            raise InputError(f"span_s must be (start, end) with start < end, got {span_s!r}")
        span_s = (start, end)
    _check_weights(weights)
    kinds = _kinds(tables, coders)

    converted = [n for n, k in zip(coders, kinds, strict=True) if k == "frames"]
    rows = []
    for table, name, kind_of in zip(tables, coders, kinds, strict=True):
        events = _frames_to_events(table, name) if kind_of == "frames" else table
        rows.append(_event_rows(events, name))
    if all(r.empty for r in rows):
        raise InputError(f"no events in any coding ({', '.join(coders)})")
    paired = 0
    if merge_sides:
        rows = [_merge_sides(r) for r in rows]
    else:
        rows, paired = _pair_sides(rows)
    spans = _spans(rows, span_s)
    available = set().union(*(set(r["key"]) for r in rows))
    keys = _select_keys(available, codes, strict=None)
    units = _events_units(rows, keys, tolerance_s=tolerance_s, bin_s=bin_s, spans=spans)
    settings: dict[str, Any] = {
        "merge_sides": merge_sides,
        "sides_paired": paired,
        "tolerance_s": tolerance_s,
        "bin_s": bin_s,
        "span_s": span_s,
        "converted": converted,
        "weights": weights,
    }
    extents = [
        (float(r["onset_s"].min()), float(r["offset_s"].max())) if len(r) else None for r in rows
    ]
    warnings = [*_face_warnings(coders, rows), *_extent_warnings(coders, extents, "events")]
    if span_s is not None and not any(
        ((r["offset_s"] >= span_s[0]) & (r["onset_s"] <= span_s[1])).any() for r in rows
    ):
        warnings.append(f"no coder has an event in the span {span_s[0]:g}-{span_s[1]:g} s")
    unscored = [k for k in keys if k not in available]
    if unscored:
        warnings.append(f"no coder scored {', '.join(unscored)}")
    return _result(
        "events", coders, units, letter_labels=_EVENT_LETTERS, weights=weights, settings=settings,
        warnings=warnings,
    )  # fmt: skip


def agree_frames(
    tables: Sequence[pd.DataFrame],
    *,
    names: Sequence[str] | None = None,
    threshold: float = 0.0,
    codes: Sequence[str] | None = None,
    merge_sides: bool = False,
    align: Align = "auto",
    weights: Weights = "linear",
) -> Agreement:
    """Agreement between two or more codings of the same video, frame by frame.

    The tables' rows are paired (by frame number or by time); every
    statistic is computed on the frames every coder has a valid value for.

    Parameters
    ----------
    tables : sequence of pandas.DataFrame
        Frames tables (:mod:`facs.series`), one per coder; the first is the
        reference for F1.
    names : sequence of str, optional
        Coder names (default ``A``, ``B`` …).
    threshold : float
        A code occurs where its intensity is above this (default 0; 0.5
        counts only what rounds to a letter).
    codes : sequence of str, optional
        Codes to report: FACS codes (``12``, ``L12``, ``19``; a code without
        side brings its side keys along when present) or keys (``AU12``,
        ``AU12_L``, ``AD19``: exactly that one). Default: every code column
        all the tables share.
    merge_sides : bool
        Count ``L12``/``R12`` as ``12``: only the bilateral columns are kept.
    align : {"auto", "frame", "time"}
        Rows are paired by ``(face, frame)``, or by ``time_s`` (the nearest
        row of the same face within half a frame of the coarser table).
        ``auto`` pairs by frame unless paired rows' times differ by more
        than half a frame.
    weights : {"linear", "quadratic"}
        Weights of the weighted kappa on the letters 0–5 (intensity
        rounded, 0 absent).

    Returns
    -------
    Agreement
        ``kind`` ``"frames"``; ``settings`` holds ``merge_sides``,
        ``threshold``, ``alignment`` (``frame`` or ``time``) and ``weights``.

    Raises
    ------
    InputError
        Fewer than two tables; a table that is neither kind; an events
        table (:func:`agree_events` compares those); no frame common to all
        the tables; a code asked for that a table lacks; an option out of
        range.

    See Also
    --------
    agree : Chooses this function or :func:`agree_events` from the tables.
    agree_events : The same statistics on events (and on events mixed with frames).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from facs.series import FRAME_COLUMNS
    >>> def frames(values):
    ...     table = pd.DataFrame(0.0, index=range(6), columns=FRAME_COLUMNS)
    ...     return table.assign(frame=range(6), time_s=np.arange(6) / 30, face=0,
    ...                         success=1, AU12=values)
    >>> coder = frames([0, 2, 3, 3, 0, 0])
    >>> machine = frames([0, 1.6, 3.2, 2.6, 1, 0])
    >>> result = agree_frames([coder, machine], codes=["12"], names=["coder", "machine"])
    >>> result.per_code.loc["AU12", ["agreement_index", "f1", "weighted_kappa"]].round(3).tolist()
    [0.857, 0.857, 0.778]
    """
    coders = _coders(tables, names)
    if not (isinstance(threshold, int | float) and 0 <= threshold < 5):
        raise ParameterError(f"threshold must be within 0–5 (below 5), got {threshold!r}")
    _check_weights(weights)
    if align not in ("auto", "frame", "time"):
        raise InputError(f"align must be 'auto', 'frame' or 'time', got {align!r}")
    kinds = _kinds(tables, coders)
    if "events" in kinds:
        name = coders[kinds.index("events")]
        raise InputError(f"{name} is an events table; frames agreement needs frames tables")

    checked = [validate_frames(t, source=n) for t, n in zip(tables, coders, strict=True)]
    shared = set.intersection(*({str(c) for c in t.columns} & _FRAME_KEYS for t in checked))
    if merge_sides:
        shared = {c for c in shared if not c.endswith(("_L", "_R"))}
    if not shared:
        raise InputError(f"the frames tables share no code column ({', '.join(coders)})")
    keys = _select_keys(shared, codes, strict=shared)
    positions, alignment = _align(list(checked), coders, align)
    if positions[0].size == 0:
        raise InputError(
            f"no frame is common to all the frames tables ({', '.join(coders)}),"
            f" aligned by {alignment}"
        )
    units = _frames_units(list(checked), positions, keys, threshold=threshold)
    settings: dict[str, Any] = {
        "merge_sides": merge_sides,
        "threshold": threshold,
        "alignment": alignment,
        "weights": weights,
    }
    extents = [
        (float(t["time_s"].min()), float(t["time_s"].max())) if len(t) else None for t in checked
    ]
    return _result(
        "frames", coders, units, letter_labels=_FRAME_LETTERS, weights=weights, settings=settings,
        warnings=_extent_warnings(coders, extents, "frames") + _rate_warnings(coders, checked),
    )  # fmt: skip


def agree(
    tables: Sequence[pd.DataFrame], *, kind: Kind | Literal["auto"] = "auto", **options: Any
) -> Agreement:
    """Agreement between two or more codings of the same video: events or frames.

    Calls :func:`agree_events` or :func:`agree_frames` with ``options``.
    Their options differ:

    - both: ``names``, ``codes``, ``merge_sides``, ``weights``;
    - events only (:func:`agree_events`): ``tolerance_s``, ``bin_s``, ``span_s``;
    - frames only (:func:`agree_frames`): ``threshold``, ``align``.

    Parameters
    ----------
    tables : sequence of pandas.DataFrame
        Events tables (columns of :data:`facs.formats.EVENT_COLUMNS`) or
        frames tables (:mod:`facs.series`), one per coder; the first is the
        reference for F1.
    kind : {"auto", "events", "frames"}
        ``auto`` reads it from the columns: frames when every table is a
        frames table, else events (the frames tables among events tables,
        the machine's next to coders', are turned into events). ``events``
        turns every frames table into events; ``frames`` refuses events
        tables.
    **options
        The options of the function chosen, by keyword (see each).

    Returns
    -------
    Agreement

    Raises
    ------
    ParameterError
        An option of the other kind (``threshold`` or ``align`` for events,
        ``tolerance_s``, ``bin_s`` or ``span_s`` for frames); a ``kind``
        other than the three.
    InputError
        What the function chosen raises; with ``kind="auto"``, fewer than
        two tables, bad ``names`` or a table that is neither kind come first.
    TypeError
        An option neither function has.

    See Also
    --------
    agree_events, agree_frames, agree_files

    Examples
    --------
    >>> import pandas as pd
    >>> ann = pd.DataFrame([dict(face=0, code="12", side="", onset_s=1.0, apex_s=1.5,
    ...                          offset_s=2.0, peak=3.0, letter="C")])
    >>> bob = ann.assign(onset_s=1.2)
    >>> result = agree([ann, bob], tolerance_s=0.3)
    >>> result.kind, result.per_code.equals(agree_events([ann, bob], tolerance_s=0.3).per_code)
    ('events', True)
    >>> agree([ann, bob], threshold=0.5)
    Traceback (most recent call last):
    ...
    facs._errors.ParameterError: threshold applies to frames tables, not events
    """
    if kind not in ("auto", "events", "frames"):
        raise ParameterError(f"kind must be 'auto', 'events' or 'frames', got {kind!r}")
    chosen: Kind = "frames" if kind == "frames" else "events"
    mixed = False
    if kind == "auto":  # as agree_events and agree_frames would read the tables
        kinds = _kinds(tables, _coders(tables, options.get("names")))
        chosen = "frames" if all(k == "frames" for k in kinds) else "events"
        mixed = chosen == "events" and "frames" in kinds
    other: Kind = "frames" if chosen == "events" else "events"
    wrong = [o for o in (_FRAMES_ONLY if chosen == "events" else _EVENTS_ONLY) if o in options]
    if wrong:
        verb = "applies" if len(wrong) == 1 else "apply"
        why = " (events and frames tables together are compared as events)" if mixed else ""
        raise ParameterError(f"{', '.join(wrong)} {verb} to {other} tables, not {chosen}{why}")
    if chosen == "events":
        return agree_events(tables, **options)
    return agree_frames(tables, **options)


# =========================================================================== files


def _default_names(paths: Sequence[Path]) -> list[str]:
    candidates = (
        [p.stem for p in paths],
        [f"{p.parent.name}/{p.stem}" if p.parent.name else p.stem for p in paths],
        [str(p) for p in paths],
    )
    for names in candidates:
        if len(set(names)) == len(names):
            return names
    return [f"coder{i + 1}" for i in range(len(paths))]


def agree_files(
    paths: Sequence[str | Path], *, names: Sequence[str] | None = None, **options: Any
) -> Agreement:
    """:func:`agree` on files; coders are named after the files unless ``names`` is given.

    Default names are the file stems (``ann`` for ``ann.csv``), or
    ``folder/stem`` when stems repeat (``ann/events``, ``bob/events``).
    """
    if len(paths) < 2:
        raise InputError(f"agreement needs at least two files, got {len(paths)}")
    files = [Path(p) for p in paths]
    if names is not None and len(names) != len(files):
        raise ParameterError(f"names: {len(names)} name(s) for {len(files)} files")
    tables = [read_coding(p)[1] for p in files]
    return agree(tables, names=list(names) if names else _default_names(files), **options)
