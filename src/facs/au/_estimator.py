"""AU estimation: neutral baseline, features and the fitted linear model.

The estimator follows DESIGN.md ("Automatic coding"):

1. landmarks are pose-normalised (:mod:`facs.au._geometry`);
2. a neutral baseline per face is subtracted (automatic from the calmest
   frames, a marked span, or a population neutral for stills);
3. features are the neutral-subtracted aligned landmarks and blendshapes;
4. a regularised linear model (ridge, fitted on the synthetic
   range-of-motion set, see ``benchmarks/fit_estimator.py``) maps features to
   per-side AU intensities in one matrix product per batch;
5. head positions 51–58 come from the head pose relative to the baseline
   pose, and 27 from an extreme jaw opening (no training labels exist).

The model file ``estimator.npz`` ships inside the package.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np

from facs._errors import ModelError
from facs.au._geometry import OUTER_EYE, align, to_canonical_axes
from facs.series import CODE_COLUMNS, CODED, SIDE_COLUMNS

__all__ = [
    "Baseline",
    "BaselineKind",
    "Estimator",
    "LinearModel",
    "Model",
    "blendshape_mapping",
    "calm_frames",
    "calm_scores",
    "calm_spread",
    "expression_total",
    "find_baseline",
    "frontal_reference",
    "head_series",
    "lips_apart",
    "load_estimator",
    "median_baseline",
    "pair_distances",
]

BaselineKind = Literal["auto", "span", "partial", "manual", "population", "actor"]
#: Fewest frames an automatic baseline is built from; below, the population neutral is used.
MIN_BASELINE_FRAMES = 10
#: Share of the calmest frames that form the automatic baseline.
CALM_SHARE = 0.2
_NOT_EXPRESSION = ("_neutral", "eyeLook")
#: Head position scaling: degrees (or % size change) that reach intensity 5 (E).
HEAD_FULL = {"yaw": 30.0, "pitch": 20.0, "roll": 20.0, "size": 0.06}
#: A dead zone below which head motion is not scored (tracker jitter). The size's
#: (1.2 %) was chosen by the rig left out (57/58 r 0.677 / 0.683 / 0.678 / 0.667 at
#: 0.6 / 0.9 / 1.2 / 1.5 %; benchmarks/head_size.py): within 0.01 of the best r (the
#: tie rule of benchmarks/loro.py), the one with fewest frames read as a head thrust
#: while the brows or the jaw act (brows 7 / 5 / 3 / 2 %, jaw 18 / 13 / 9 / 6 %)
#: among those within 0.01.
HEAD_DEAD = {"yaw": 2.0, "pitch": 2.0, "roll": 2.0, "size": 0.012}
#: Head signals are median-filtered over this many frames before scoring, so
#: single-frame landmark jitter never reaches a letter (see :func:`head_series`).
HEAD_MEDIAN_FRAMES = 5
#: 57/58 compare the face's size with its median over this window (seconds,
#: centred): a seated person's slow lean or drift in the frame is posture, not a
#: head thrust; a thrust and its return within the window still score.
HEAD_DISTANCE_WINDOW_S = 3.0


def _blendshape_names() -> tuple[str, ...]:
    from facs.face import BLENDSHAPE_NAMES

    return BLENDSHAPE_NAMES


@cache
def _expression_mask() -> np.ndarray:
    return np.array([not n.startswith(_NOT_EXPRESSION) for n in _blendshape_names()])


def calm_scores(blendshapes: np.ndarray, region: str | None = None) -> np.ndarray:
    """Expression activity per frame: the sum of expression blendshapes (lower = calmer).

    With ``region`` (a key of :data:`facs.au._regions.REGIONS`), only that
    region's expression blendshapes count.
    """
    mask = _expression_mask() if region is None else _region_mask(region)
    return np.asarray(np.nansum(blendshapes[:, mask], axis=1), dtype=np.float64)


#: Regions whose neutral is judged on its own: the brows may rest while the mouth
#: laughs. Every landmark belongs to the last region that lists it.
NEUTRAL_REGIONS = ("nose", "brows", "eyes", "lower")
#: A region's candidate neutral is no neutral when, read against the population
#: neutral, any of its codes reaches this (C), or 25 (lips apart) reaches
#: ``NEUTRAL_MAX_LIPS`` (B). Above identity differences: the calm frames of the 22
#: synthetic-rom identities read at most 1.99 (18, one face) and 25 at most 0.79;
#: the real neutral faces here at most 0.58.
NEUTRAL_MAX = 2.5
NEUTRAL_MAX_LIPS = 1.5
#: A take's calm frames are no one state (so no neutral) when the typical one, read
#: against their median, still shows this much summed over every code of the face
#: (:func:`calm_spread`, summed over the regions). Whole clips with a neutral, rendered
#: and real, reach at most 3.0 (a FACSHuman clip whose calmest frames include weak
#: lower-face actions; real ones 1.4); the Pexels take, which cries and then laughs,
#: 5.4 (benchmarks/README.md, "Takes with no calm moment").
NEUTRAL_SPREAD = 4.0
#: Calm frames further apart than this (seconds) are separate moments (runs); a run of
#: at least ``MIN_CALM_RUN`` frames may be a take's neutral when its calm frames are no
#: one state (:func:`_calmest_run`).
CALM_RUN_GAP_S = 0.5
MIN_CALM_RUN = 5
#: A calm run is a rest (and the take's neutral) when it reads at most this summed over
#: the face's codes against the population neutral. Set between the real neutral clips
#: (2.2) and the Pexels take's least expressive run (3.7, which as a neutral put 9E and
#: 10D through its laugh); rendered identities far from the population read up to 4.9,
#: so such a face with a short rest falls back to the population for its most mixed
#: region (benchmarks/README.md, "Takes with no calm moment").
NEUTRAL_RUN_MAX = 3.0


@cache
def _region_mask(region: str) -> np.ndarray:
    from facs.au._regions import REGIONS

    prefixes = REGIONS[region].blendshapes
    return np.array(
        [n.startswith(prefixes) and not n.startswith(_NOT_EXPRESSION) for n in _blendshape_names()]
    )


@cache
def _region_points() -> dict[str, np.ndarray]:
    """Landmark indices per neutral region (each landmark in one region)."""
    from facs.au._regions import REGIONS

    owner: dict[int, str] = {}
    for region in NEUTRAL_REGIONS:
        for point in REGIONS[region].points:
            owner[point] = region
    return {r: np.array(sorted(p for p, o in owner.items() if o == r)) for r in NEUTRAL_REGIONS}


def calm_frames(blendshapes: np.ndarray, most: int | None = None) -> np.ndarray:
    """Indices of the calmest frames: the baseline's candidates.

    The calmest ``CALM_SHARE`` of the rows with scores, at least
    ``MIN_BASELINE_FRAMES``, thinned evenly (in calm order) to ``most``.
    """
    ok = np.flatnonzero(np.isfinite(blendshapes).all(axis=1))
    n = max(MIN_BASELINE_FRAMES, round(CALM_SHARE * ok.size))
    chosen = ok[np.argsort(calm_scores(blendshapes[ok]), kind="stable")[:n]]
    if most is not None and chosen.size > most:
        chosen = chosen[np.linspace(0, chosen.size - 1, most).astype(int)]
    return np.asarray(chosen)


@dataclass(frozen=True)
class Baseline:
    """The neutral face a face's frames are compared with."""

    shape: np.ndarray  # (478, 3) aligned landmarks
    blendshapes: np.ndarray  # (52,)
    pose: np.ndarray  # (3,) yaw, pitch, roll in degrees
    size: float  # face size in pixels per reference unit (nan for population)
    kind: BaselineKind
    n_frames: int = 0
    span: tuple[float, float] | None = None
    #: Regions (:data:`NEUTRAL_REGIONS`) whose neutral is the population's because
    #: the face's own calmest frames there still showed an expression.
    population_regions: tuple[str, ...] = ()
    #: Why each of :attr:`population_regions` has no neutral of its own: (region, reason).
    why: tuple[tuple[str, str], ...] = ()
    #: Why the neutral is one calm run (kind "span") rather than all the calm frames.
    span_why: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Summary for ``summary.json``."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "frames": self.n_frames,
            "span_s": list(self.span) if self.span else None,
            "pose_deg": [round(float(v), 2) for v in self.pose],
        }
        if self.span_why:
            out["why_span"] = self.span_why
        if self.kind in ("auto", "partial", "span"):
            out["regions"] = {
                r: "population" if r in self.population_regions else "own calm frames"
                for r in NEUTRAL_REGIONS
            }
            if self.why:
                out["why_population"] = dict(self.why)
        return out


def find_baseline(
    *,
    aligned: np.ndarray,
    blendshapes: np.ndarray,
    pose: np.ndarray,
    size: np.ndarray,
    time_s: np.ndarray,
    population: Baseline,
    span: tuple[float, float] | None = None,
    estimator: Estimator | None = None,
    picks: np.ndarray | None = None,
) -> Baseline:
    """The neutral baseline of one face.

    With ``span`` (seconds), the frames in it are the neutral (a user-marked
    span). Otherwise the calmest ``CALM_SHARE`` of the frames with a face
    (lowest expression-blendshape activity) are. The baseline is their
    median. With fewer than ``MIN_BASELINE_FRAMES`` usable frames (a still,
    a very short clip) the population neutral is returned.

    With ``estimator``, the take may hold no calm moment (crying, then
    laughing): the candidate (the calmest frames' median) is read against the
    population neutral, region by region (:data:`NEUTRAL_REGIONS`); a region
    whose codes still reach ``NEUTRAL_MAX`` there (or whose lips are apart)
    has no neutral in this take and takes the population's (``kind``
    "partial", or "population" when no region has one; the nose follows the
    lower face, as 9 reads the upper lip too; :attr:`Baseline.why` says why);
    the brows may rest while the mouth laughs. Before that, the calm frames
    may be no one state (:func:`calm_spread` summed at ``NEUTRAL_SPREAD`` or
    more: moments of a crying and of a laugh): then the least expressive calm
    run is the neutral if it reads like a resting face (``NEUTRAL_RUN_MAX``;
    ``kind`` "span"), and otherwise the region mixed most takes the
    population's. ``picks`` are the calm frames when the caller
    chose them (:func:`calm_frames` over a whole video; rows of the arrays
    passed). Taking each region's neutral from its own calmest frames instead
    was measured and dropped: more false events on the real reference
    (benchmarks/README.md, "Takes with no calm moment").
    """
    if span is None and estimator is not None:
        return _regional_baseline(
            aligned, blendshapes, pose, size, population, estimator, picks=picks, time_s=time_s
        )
    ok = np.isfinite(aligned).all(axis=(1, 2)) & np.isfinite(blendshapes).all(axis=1)
    kind: BaselineKind = "auto"
    if span is not None:
        ok &= (time_s >= span[0]) & (time_s <= span[1])
        kind = "manual"
        chosen = np.flatnonzero(ok)
        if chosen.size == 0:
            from facs._errors import InputError

            raise InputError(f"no face found in the neutral span {span[0]:g}-{span[1]:g} s")
    else:
        candidates = np.flatnonzero(ok)
        if candidates.size < MIN_BASELINE_FRAMES:
            return population
        scores = calm_scores(blendshapes[candidates])
        n = max(MIN_BASELINE_FRAMES, round(CALM_SHARE * candidates.size))
        chosen = candidates[np.argsort(scores, kind="stable")[:n]]
    return replace(median_baseline(aligned, blendshapes, pose, size, chosen, kind), span=span)


def median_baseline(
    aligned: np.ndarray,
    blendshapes: np.ndarray,
    pose: np.ndarray,
    size: np.ndarray,
    rows: np.ndarray,
    kind: BaselineKind,
) -> Baseline:
    """The neutral made of frames ``rows``: their median shape, blendshapes, pose and size."""
    return Baseline(
        shape=np.median(aligned[rows], axis=0).astype(np.float32),
        blendshapes=np.median(blendshapes[rows], axis=0).astype(np.float32),
        pose=np.median(pose[rows], axis=0).astype(np.float64),
        size=float(np.median(size[rows])),
        kind=kind,
        n_frames=int(np.asarray(rows).size),
    )


def _regional_baseline(
    aligned: np.ndarray,
    blendshapes: np.ndarray,
    pose: np.ndarray,
    size: np.ndarray,
    population: Baseline,
    estimator: Estimator,
    *,
    picks: np.ndarray | None,
    time_s: np.ndarray | None = None,
) -> Baseline:
    ok = np.isfinite(aligned).all(axis=(1, 2)) & np.isfinite(blendshapes).all(axis=1)
    if int(ok.sum()) < MIN_BASELINE_FRAMES:
        return population
    rows = np.flatnonzero(ok)
    every = rows[calm_frames(blendshapes[rows])] if picks is None else picks[ok[picks]]
    calm = median_baseline(aligned, blendshapes, pose, size, every, "auto")
    shape, scores = calm.shape.copy(), calm.blendshapes.copy()
    points = _region_points()
    # Calm frames that are no one state (the onsets of a crying and of a laugh): no neutral
    # in the regions that differ most among them.
    spread = calm_spread(aligned, blendshapes, pose, size, every, estimator, median=calm)
    why: dict[str, str] = {}
    span: tuple[float, float] | None = None
    span_why = ""
    total = sum(v for v, _ in spread.values())
    if total >= NEUTRAL_SPREAD:
        run, level = _calmest_run(aligned, blendshapes, every, time_s, population, estimator)
        if run is not None and time_s is not None and level <= NEUTRAL_RUN_MAX:
            # A short rest among the expressions: one coherent moment that reads like a
            # resting face, so the neutral has no seams and no other moment blended in.
            # The head's rest stays the median over every calm frame (51-58 are not
            # expressions, and a run may be turned).
            every = run
            moment = median_baseline(aligned, blendshapes, pose, size, run, "span")
            shape, scores = moment.shape, moment.blendshapes
            span = (round(float(time_s[run[0]]), 3), round(float(time_s[run[-1]]), 3))
            span_why = (
                f"the calmest frames are no one state (the typical one reads {total:.1f} "
                "summed over the face's codes against their median); the calm run at "
                f"{span[0]:g}-{span[1]:g} s reads like a resting face ({level:.1f} against "
                "the population neutral) and is the neutral"
            )
        else:
            # No rest at all: the region mixed most takes the population's neutral.
            region, (mixed, top) = max(spread.items(), key=lambda kv: kv[1][0])
            rest = "" if run is None else f"; its least expressive calm run reads {level:.1f}"
            why[region] = (
                f"the take's calmest frames are no one state (the typical one reads "
                f"{total:.1f} summed over the face's codes against their median, {mixed:.1f} "
                f"here, most: {top}{rest} against the population neutral)"
            )
    # Read the candidate against the population neutral: what still shows is no neutral.
    read = _against_population(estimator, population, shape[None], scores[None])
    from facs.au._regions import region_of

    for column, value in sorted(read.items(), key=lambda kv: -float(np.nan_to_num(kv[1][0]))):
        if column[:4] in _HEAD_AND_GAZE or not np.isfinite(value[0]):
            continue
        region = region_of(column)
        limit = NEUTRAL_MAX_LIPS if column == "AU25" else NEUTRAL_MAX
        if region in NEUTRAL_REGIONS and region not in why and float(value[0]) >= limit:
            why[region] = (
                f"its calmest frames read {column[:4]} {float(value[0]):.1f} against the "
                "population neutral"
            )
    # 9 is read from the upper lip as much as from the nose (the nose region lists the
    # lip's points, which the lower face owns): half its neutral from the population and
    # half from the take read a lip-to-nose gap that is not there (9E through the Pexels
    # laugh). The brows also read points of the eyes, but making them follow the eyes
    # lost the crying's 4 on the real reference (benchmarks/README.md), so they do not.
    if "lower" in why and "nose" not in why:
        why["nose"] = "it shares the upper lip with the lower face, which has no neutral"
    expressive = set(why)
    for region in expressive:
        shape[points[region]] = population.shape[points[region]]
        mask = _region_mask(region)
        scores[mask] = population.blendshapes[mask]
    kind: BaselineKind = (
        ("span" if span else "auto")
        if not expressive
        else "population"
        if expressive == set(NEUTRAL_REGIONS)
        else "partial"
    )
    return Baseline(
        shape=shape,
        blendshapes=scores,
        pose=calm.pose,
        size=calm.size,
        kind=kind,
        n_frames=int(every.size),
        span=span,
        population_regions=tuple(r for r in NEUTRAL_REGIONS if r in expressive),
        why=tuple((r, why[r]) for r in NEUTRAL_REGIONS if r in expressive),
        span_why=span_why,
    )


def _calmest_run(
    aligned: np.ndarray,
    blendshapes: np.ndarray,
    every: np.ndarray,
    time_s: np.ndarray | None,
    population: Baseline,
    estimator: Estimator,
) -> tuple[np.ndarray | None, float]:
    """The calm frames' least expressive run (rows in time order) and its reading, or None.

    ``every`` is split where consecutive calm frames are more than
    :data:`CALM_RUN_GAP_S` apart (or five times their median spacing, when
    they were thinned); runs of at least :data:`MIN_CALM_RUN` frames
    are read (their median) against the population neutral, and the one whose
    codes sum lowest is returned with that sum. Identity offsets are common to
    every run, so the choice is between moments of one face.
    """
    if time_s is None:
        return None, float("nan")
    order = np.sort(every)
    steps = np.diff(time_s[order])
    # Calm frames thinned evenly (a long take keeps MAX_BASELINE_FRAMES of them) lie
    # further apart inside a run: the gap that splits runs grows with their spacing.
    typical = float(np.median(steps)) if steps.size else 0.0
    cuts = np.flatnonzero(steps > max(CALM_RUN_GAP_S, 5.0 * typical)) + 1
    runs = [r for r in np.split(order, cuts) if r.size >= MIN_CALM_RUN]
    if not runs or (len(runs) == 1 and runs[0].size == order.size):
        return None, float("nan")  # one run holding every calm frame is the mix itself
    shapes = np.stack([np.median(aligned[r], axis=0) for r in runs]).astype(np.float32)
    scores = np.stack([np.median(blendshapes[r], axis=0) for r in runs]).astype(np.float32)
    total = expression_total(_against_population(estimator, population, shapes, scores))
    best = int(np.argmin(total))
    return runs[best], float(total[best])


def _against_population(
    estimator: Estimator, population: Baseline, shapes: np.ndarray, scores: np.ndarray
) -> dict[str, np.ndarray]:
    """Neutral candidates (N aligned shapes, N blendshape rows) read against the population.

    On the model's own scale (letters unstretched: ``NEUTRAL_MAX`` and
    ``NEUTRAL_RUN_MAX`` are on it), frontal, at unit size.
    """
    n = len(shapes)
    return estimator.estimate(
        aligned=shapes,
        size=np.ones(n),
        blendshapes=scores,
        pose=np.zeros((n, 3)),
        baseline=population,
        letters=False,
        withhold=False,  # a neutral is judged on every reading, as its thresholds were set
    )


def expression_total(read: dict[str, np.ndarray]) -> np.ndarray:
    """Per row, the sum over every code but head and gaze positions (NaN as 0)."""
    codes = [c for c in CODE_COLUMNS if c[:4] not in _HEAD_AND_GAZE]
    return np.asarray(np.sum([np.nan_to_num(read[c]) for c in codes], axis=0))


def calm_spread(
    aligned: np.ndarray,
    blendshapes: np.ndarray,
    pose: np.ndarray,
    size: np.ndarray,
    every: np.ndarray,
    estimator: Estimator,
    *,
    median: Baseline | None = None,
) -> dict[str, tuple[float, str]]:
    """How far a face's calm frames ``every`` are from being one state, per region.

    Each calm frame is read against the calm frames' own median (unstretched,
    the model's scale); per region (:data:`NEUTRAL_REGIONS`) the result is the
    typical (median) frame's sum over the region's codes (both sides read as
    one), and the code that adds most to it. 25 is left out: it is the lips'
    gap, not a change from the median (:func:`lips_apart`). A resting face's
    calm frames differ by landmark noise; a take whose calmest frames are the
    onsets of a crying and of a laugh does not (benchmarks/README.md, "Takes
    with no calm moment").
    """
    from facs.au._regions import region_of

    if median is None:  # the calm frames' median (the caller may have it already)
        median = median_baseline(aligned, blendshapes, pose, size, every, "auto")
    read = estimator.estimate(
        aligned=aligned[every],
        size=size[every],
        blendshapes=blendshapes[every],
        pose=pose[every],
        baseline=median,
        letters=False,
        withhold=False,
    )
    out: dict[str, tuple[float, str]] = {}
    for region in NEUTRAL_REGIONS:
        columns = [
            c
            for c in CODE_COLUMNS
            if c[:4] not in _HEAD_AND_GAZE and c != "AU25" and region_of(c) == region
        ]
        if not columns:
            continue
        values = np.stack([np.nan_to_num(read[c], nan=0.0) for c in columns])
        top = columns[int(np.argmax(np.median(values, axis=1)))]
        out[region] = (float(np.median(values.sum(axis=0))), top)
    return out


_HEAD_AND_GAZE = tuple(f"AU{n}" for n in (*range(51, 59), 61, 62, 63, 64))


#: Outputs at or below this are never stretched by :attr:`Model.letter_gain`: 0.5 is
#: where a frame's code is present and 1.0 where an event starts (``detect_events``'s
#: ``on``), so frames and events stay exactly what they were; only letters move.
LETTER_KNEE = 1.0


#: Readings below this are the model's noise, read as 0 in `facs code`'s frames; from it
#: up to A (0.5) they are stretched back onto 0–0.5 (:func:`facs.timeline.floor_traces`,
#: applied after the timeline's smoothing, so presence, events and letters cannot move).
#: A linear model leaves a trace of every code on a face at rest, and where the truth is
#: 0 that trace is error. Chosen by the rig left out (README.md, "A floor under traces"):
#: mean r over the four left-out rigs 0.648 with none, 0.653 at 0.1, 0.652 at 0.2, 0.648
#: at 0.3; chosen on three rigs alone it is 0.1 in each of the four folds. Head and eye
#: positions (51–64) are measured positions, not contractions, and keep their small
#: values: floored, Rocketbox's 63 fell under the raw mapping (0.14 → 0.09, raw 0.13).
TRACE_FLOOR = 0.1


def pair_distances(points: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Distances (N, D) between the landmark pairs ``pairs`` (D, 2) of ``points`` (N, 478, 3).

    >>> pts = np.zeros((1, 478, 3)); pts[0, 1] = (3.0, 4.0, 0.0)
    >>> pair_distances(pts, np.array([[0, 1]])).tolist()
    [[5.0]]
    """
    pairs = np.asarray(pairs)
    diff = points[:, pairs[:, 0]] - points[:, pairs[:, 1]]
    return np.asarray(np.sqrt((diff.astype(np.float64) ** 2).sum(-1)), dtype=np.float32)


def stretch_letters(out: np.ndarray, gain: np.ndarray | float) -> np.ndarray:
    """Values (0–5) above :data:`LETTER_KNEE` stretched by ``gain`` (per column), clipped at 5."""
    stretched = np.where(out > LETTER_KNEE, LETTER_KNEE + (out - LETTER_KNEE) * gain, out)
    return np.asarray(np.clip(stretched, 0.0, 5.0))


@dataclass(frozen=True)
class Model:
    """Neutral-subtracted features → per-side intensities (0–5), batched.

    A ridge head on the standardised features, optionally blended with a
    small multilayer perceptron on their principal components (``basis``),
    and optionally corrected for one actor (``correction``: a gain and an
    offset per output fitted on the actor's range-of-motion take, see
    :mod:`facs.au._calibration`).
    Prediction is a few matrix products per batch.
    """

    outputs: tuple[str, ...]
    points: np.ndarray  # landmark indices used as features
    mean: np.ndarray  # (F,)
    scale: np.ndarray  # (F,)
    weights: np.ndarray  # (F, K) ridge head
    bias: np.ndarray  # (K,)
    basis: np.ndarray | None = None  # (F, P): standardised features → whitened components
    layers: tuple[tuple[np.ndarray, np.ndarray], ...] = ()
    mlp_weight: float = 0.0
    correction: tuple[np.ndarray, np.ndarray] | None = None  # per-output gain (K,), offset (K,)
    #: Also the positive part of every feature: a movement up and one down get their own
    #: weight (a brow raised reads as 1, lowered as 4), still one matrix product.
    rectified: bool = False
    #: Per output, how far letters above :data:`LETTER_KNEE` are stretched (``None``: not
    #: at all; see :meth:`stretch`). A linear fit reads an unseen face's apex low
    #: (regression towards the mean); the gain, fitted on left-out rigs
    #: (benchmarks/loro.py ``letter_gains``), brings the apex back to its letter without
    #: moving presence or events at all. Applied last, after a still's noise floor.
    letter_gain: np.ndarray | None = None
    #: Landmark pairs (D, 2) whose distance minus the neutral's is a feature too
    #: (:attr:`facs.au._regions.Region.distances`); ``None`` for models fitted without.
    pairs: np.ndarray | None = None

    def features(
        self, aligned: np.ndarray, blendshapes: np.ndarray, baseline: Baseline
    ) -> np.ndarray:
        """Neutral-subtracted features, shape (N, F): landmarks, blendshapes, pair
        distances (and their positive parts when ``rectified``)."""
        geo = (aligned[:, self.points] - baseline.shape[self.points]).reshape(len(aligned), -1)
        parts = [geo, blendshapes - baseline.blendshapes]
        if self.pairs is not None and len(self.pairs):
            parts.append(pair_distances(aligned, self.pairs)
                         - pair_distances(baseline.shape[None], self.pairs))  # fmt: skip
        x = np.concatenate(parts, axis=1)
        return np.concatenate([x, np.maximum(x, 0.0)], axis=1) if self.rectified else x

    def standardise(self, features: np.ndarray) -> np.ndarray:
        """Features scaled as the model was fitted."""
        return np.asarray((features - self.mean) / self.scale)

    def components(self, z: np.ndarray) -> np.ndarray:
        """Whitened principal components of standardised features (or ``z`` itself)."""
        return z if self.basis is None else np.asarray(z @ self.basis)

    def generic(self, z: np.ndarray) -> np.ndarray:
        """Output of the generic (uncalibrated) model, unclipped."""
        out = z @ self.weights + self.bias
        if self.layers and self.mlp_weight > 0:
            h = self.components(z)
            for w, b in self.layers[:-1]:
                h = np.maximum(h @ w + b, 0.0)
            w, b = self.layers[-1]
            mlp = 5.0 * (h @ w + b)
            out = (1.0 - self.mlp_weight) * out + self.mlp_weight * mlp
        return np.asarray(out)

    def stretch(self, out: np.ndarray) -> np.ndarray:
        """Outputs (0–5) with letters above :data:`LETTER_KNEE` stretched by ``letter_gain``.

        Not for the outputs a model corrected for one actor corrects: the correction
        already maps them onto that actor's letters.
        """
        if self.letter_gain is None:
            return out
        gain = np.broadcast_to(np.asarray(self.letter_gain, dtype=float), out.shape[-1:])
        if self.correction is not None:
            corrected = (self.correction[0] != 1.0) | (self.correction[1] != 0.0)
            gain = np.where(corrected, 1.0, gain)
        return stretch_letters(out, gain)

    def predict(self, features: np.ndarray) -> np.ndarray:
        """Outputs 0–5, shape (N, K)."""
        z = self.standardise(features)
        out = self.generic(z)
        if self.correction is not None:
            gain, offset = self.correction
            out = gain * out + offset
        return np.asarray(np.clip(out, 0.0, 5.0))


LinearModel = Model  # the first estimator's name


def blendshape_mapping() -> list[tuple[str, str]]:
    """``(shape, column)`` pairs of the raw blendshape → AU mapping."""
    text = resources.files("facs.au").joinpath("blendshapes.toml").read_text("utf-8")
    return [(m["shape"], m["column"]) for m in tomllib.loads(text)["map"]]


def raw_blendshape_columns(blendshapes: np.ndarray, baseline: Baseline) -> dict[str, np.ndarray]:
    """The raw mapping: neutral-subtracted blendshape scores × 5, per frames column."""
    index = {n: i for i, n in enumerate(_blendshape_names())}
    sums: dict[str, list[np.ndarray]] = {}
    delta = blendshapes - baseline.blendshapes
    for shape, column in blendshape_mapping():
        sums.setdefault(column, []).append(delta[:, index[shape]])
    return {c: np.clip(5.0 * np.mean(v, axis=0), 0.0, 5.0) for c, v in sums.items()}


def frontal_reference(shapes: np.ndarray, *, iterations: int = 5) -> np.ndarray:
    """Mean face by generalised Procrustes, turned frontal, in inter-ocular units.

    Parameters
    ----------
    shapes : ndarray, shape (N, 478, 3)
        Pixel landmarks of neutral faces.
    """
    ref = _normalise(to_canonical_axes(shapes[0]))
    for _ in range(iterations):
        aligned = align(shapes, ref)
        assert isinstance(aligned, np.ndarray)
        ref = _normalise(np.nanmean(aligned, axis=0))
    return ref.astype(np.float32)


def _normalise(shape: np.ndarray) -> np.ndarray:
    """Centre, turn frontal (eye line = x, forehead-chin = y) and scale to unit eye distance."""
    right, left = shape[OUTER_EYE[0]], shape[OUTER_EYE[1]]
    x = left - right
    x /= np.linalg.norm(x)
    y = shape[10] - shape[152]
    y -= x * (y @ x)
    y /= np.linalg.norm(y)
    z = np.cross(x, y)
    rot = np.stack([x, y, z])
    out = (shape - shape.mean(axis=0)) @ rot.T
    return np.asarray(out / np.linalg.norm(out[OUTER_EYE[1]] - out[OUTER_EYE[0]]))


def _head_columns(pose: np.ndarray, size: np.ndarray, baseline: Baseline) -> dict[str, np.ndarray]:
    delta = pose - baseline.pose
    out: dict[str, np.ndarray] = {}

    def ramp(values: np.ndarray, key: str) -> np.ndarray:
        v = np.maximum(np.abs(values) - HEAD_DEAD[key], 0.0)
        return np.asarray(np.clip(5.0 * v / (HEAD_FULL[key] - HEAD_DEAD[key]), 0.0, 5.0))

    yaw, pitch, roll = delta[:, 0], delta[:, 1], delta[:, 2]
    out["AU51"] = np.where(yaw > 0, ramp(yaw, "yaw"), 0.0)  # turned to the subject's left
    out["AU52"] = np.where(yaw < 0, ramp(yaw, "yaw"), 0.0)
    out["AU53"] = np.where(pitch > 0, ramp(pitch, "pitch"), 0.0)
    out["AU54"] = np.where(pitch < 0, ramp(pitch, "pitch"), 0.0)
    out["AU55"] = np.where(roll > 0, ramp(roll, "roll"), 0.0)
    out["AU56"] = np.where(roll < 0, ramp(roll, "roll"), 0.0)
    if np.isfinite(baseline.size) and baseline.size > 0:
        change = size / baseline.size - 1.0
        out["AU57"] = np.where(change > 0, ramp(change, "size"), 0.0)
        out["AU58"] = np.where(change < 0, ramp(change, "size"), 0.0)
    else:
        out["AU57"] = out["AU58"] = np.zeros(len(pose))
    return out


_JAW_OPEN = 25  # BLENDSHAPE_NAMES.index("jawOpen"), checked in the tests


def size_drift_basis(pose: np.ndarray, blendshapes: np.ndarray) -> np.ndarray:
    """(N, 3) head pose (degrees) and (N, 52) blendshapes -> (N, 6) terms the size drifts with.

    The size of a face turned (yaw) or bowed (pitch) away from the camera is
    misread by a few per cent (MediaPipe's depth is a guess), and an open jaw
    swells it too; these are the terms a fit of log size uses: yaw², pitch²,
    pitch, |yaw|, |pitch| (per 100 degrees) and ``jawOpen``.
    """
    p = np.asarray(pose, dtype=np.float64)
    yaw, pitch = p[:, 0], p[:, 1]
    jaw = np.asarray(blendshapes, dtype=np.float64)[:, _JAW_OPEN]
    angles = np.stack([yaw**2, pitch**2, pitch, np.abs(yaw), np.abs(pitch)], axis=1) / 100.0
    return np.concatenate([angles, jaw[:, None]], axis=1)


def drift_free_size(
    size: np.ndarray, pose: np.ndarray, blendshapes: np.ndarray, coef: np.ndarray | None
) -> np.ndarray:
    """The face's size with what its pose and jaw explain taken out (``coef``: log-size fit).

    >>> size = np.array([100.0, 100.0]); pose = np.array([[0.0, 0, 0], [20.0, 0, 0]])
    >>> coef = np.array([-0.01, 0, 0, 0, 0, 0])
    >>> drift_free_size(size, pose, np.zeros((2, 52)), coef).round(1).tolist()
    [100.0, 104.1]
    """
    if coef is None or not len(size):
        return np.asarray(size, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.asarray(size * np.exp(-(size_drift_basis(pose, blendshapes) @ coef)))


def _rolling_median(
    values: np.ndarray,
    half: np.ndarray | int,
    *,
    times: np.ndarray | None = None,
    window_s: float = 0.0,
) -> np.ndarray:
    """Centred running median ignoring NaN: ``half`` frames each side, or ``window_s`` of time.

    Frame ``i``'s window is ``values[lo:hi]`` (cut at the ends; in time, every frame
    within ``window_s / 2`` of it). Windows of the same shape around their frame (all
    but the ends and gaps of a steady video) are taken at once, in blocks.
    """
    import warnings

    values = np.asarray(values, dtype=np.float64)
    n = len(values)
    out = np.full(n, np.nan)
    if not n:
        return out
    idx = np.arange(n)
    if times is None:
        lo, hi = np.maximum(idx - int(half), 0), np.minimum(idx + int(half) + 1, n)
    else:
        lo = np.searchsorted(times, times - window_s / 2, side="left")
        hi = np.searchsorted(times, times + window_s / 2, side="right")
    shapes, group = np.unique(np.stack([idx - lo, hi - idx], axis=1), axis=0, return_inverse=True)
    group = group.ravel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a window of NaN only
        for g, (before, after) in enumerate(shapes):
            windows = np.lib.stride_tricks.sliding_window_view(values, int(before + after))
            rows = np.flatnonzero(group == g)
            for block in np.array_split(rows, max(1, len(rows) // 8192)):
                out[block] = np.nanmedian(windows[block - before], axis=1)
    return np.where(np.isfinite(values), out, np.nan)


def _turning(time_s: np.ndarray, smooth_pose: np.ndarray) -> np.ndarray:
    """Frames where the head turns, bows or tilts away from its steady pose.

    Steady is each angle's median over ``HEAD_DISTANCE_WINDOW_S``; a frame turns
    when one angle is off it by more than that angle's dead zone (a rotation that
    would be scored at all). There the face's size moves with the rotation, which
    no fit takes out fully, so 57/58 are not scored: on the rig left out, 57/58 r
    0.69 -> 0.86 and no turn, bow or tilt reads as a thrust (benchmarks/README.md,
    "Head forward and back").
    """
    out = np.zeros(len(time_s), dtype=bool)
    for k, key in enumerate(("yaw", "pitch", "roll")):
        angle = smooth_pose[:, k]
        steady = _rolling_median(angle, 0, times=time_s, window_s=HEAD_DISTANCE_WINDOW_S)
        with np.errstate(invalid="ignore"):
            out |= np.abs(angle - steady) > HEAD_DEAD[key]
    return out


def head_series(
    time_s: np.ndarray, pose: np.ndarray, size: np.ndarray, baseline: Baseline
) -> dict[str, np.ndarray]:
    """Head positions 51–58 (0–5) over one face's whole series, steady under jitter.

    Per frame, :meth:`Estimator.estimate` scores the pose against the
    baseline; over a series this replaces it: yaw, pitch, roll and size are
    median-filtered over ``HEAD_MEDIAN_FRAMES`` frames first (a one- or
    two-frame landmark glitch never becomes a head event), and 57/58 (head
    forward/back) measure the size against its median over the surrounding
    ``HEAD_DISTANCE_WINDOW_S`` rather than the baseline's: from one camera a
    head thrust and a seated person leaning or shifting in the frame both
    change the face's size, and only the quick change around a steady
    position is the action (on the Pexels clip the size drifts ±8 % with no
    thrust, while synthetic-rom's full 57 is +6 % for under a second). 57/58
    are not scored while the head turns, bows or tilts away from its steady
    pose (:func:`_turning`).

    Examples
    --------
    >>> est = load_estimator()
    >>> t = np.arange(90) / 30
    >>> pose = np.zeros((90, 3)); pose[40:60, 0] = 30.0; pose[50, 0] = -30  # a turn, one glitch
    >>> size = np.full(90, 100.0)
    >>> pop = est.population
    >>> base = Baseline(pop.shape, pop.blendshapes, np.zeros(3), 100.0, "auto")
    >>> cols = head_series(t, pose, size, base)
    >>> float(cols["AU51"][45]), float(cols["AU52"].max())
    (5.0, 0.0)
    """
    time_s = np.asarray(time_s, dtype=np.float64)
    half = HEAD_MEDIAN_FRAMES // 2
    smooth_pose = np.stack(
        [_rolling_median(np.asarray(pose[:, k], np.float64), half) for k in range(3)], axis=1
    )
    smooth_size = _rolling_median(np.asarray(size, np.float64), half)
    cols = _head_columns(smooth_pose, smooth_size, baseline)
    if np.isfinite(baseline.size) and baseline.size > 0 and len(time_s) > 1:
        steady = _rolling_median(smooth_size, 0, times=time_s, window_s=HEAD_DISTANCE_WINDOW_S)
        local = replace(baseline, size=1.0)
        moved = _head_columns(smooth_pose, smooth_size / steady, local)
        turning = _turning(time_s, smooth_pose)
        cols["AU57"] = np.where(turning, 0.0, moved["AU57"])
        cols["AU58"] = np.where(turning, 0.0, moved["AU58"])
    seen = np.isfinite(np.asarray(pose, np.float64)).all(axis=1)
    return {k: np.where(seen, np.nan_to_num(v, nan=0.0), np.nan) for k, v in cols.items()}


#: Code columns the estimator reads but ``facs code`` does not write (blank: not scored),
#: with why. AD19 (tongue show): MediaPipe's mesh has no tongue and its blendshapes no
#: tongueOut, so the reading follows the open mouth. On rigs left out of the fit it
#: reached A on 20 / 14 / 0 % of tongue-show frames and on 16 / 34 / 0 % of jaw drops
#: (26 at B or more) without a tongue (FACSHuman / anny / Rocketbox), and on the
#: synthesiser's face 26E read 2.0 where 19+25+26 read 1.2 (benchmarks/README.md,
#: "AD19 reads the open jaw").
WITHHELD: dict[str, str] = {
    "AD19": "not scored: MediaPipe sees no tongue; the reading follows the open mouth "
    "(on rigs left out it fired as often on jaw drops without a tongue as on tongue shows)",
}


@dataclass
class Estimator:
    """The AU estimator: reference shape, population neutral and fitted model."""

    reference: np.ndarray
    population: Baseline
    model: Model
    info: dict[str, Any] = field(default_factory=dict)
    #: Per-output noise floor under the population neutral (identity differences
    #: read as small actions); subtracted for stills and clips with no baseline.
    population_floor: np.ndarray | None = None
    #: Log face size against :func:`size_drift_basis`, fitted on rig frames with no head
    #: thrust: what turning, bowing and opening the jaw do to the measured size (57/58).
    size_drift: np.ndarray | None = None

    def _pooled(self, baseline: Baseline) -> np.ndarray:
        """Per model output: is it read against the population neutral?"""
        if baseline.kind == "population":
            return np.ones(len(self.model.outputs), dtype=bool)
        if not baseline.population_regions:
            return np.zeros(len(self.model.outputs), dtype=bool)
        from facs.au._regions import region_of

        return np.array([region_of(n) in baseline.population_regions for n in self.model.outputs])

    def align(
        self,
        landmarks_px: np.ndarray,
        pose: np.ndarray | None = None,
        blendshapes: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pose-normalised landmarks and face size per frame.

        With ``pose`` (degrees, as perceived) and ``blendshapes``, the size is
        freed of what the head's turn and bow and the jaw's opening do to it
        (:func:`drift_free_size`), so they do not read as head forward or back.
        """
        aligned, size = align(landmarks_px, self.reference, return_scale=True)
        if pose is not None and blendshapes is not None:
            size = drift_free_size(size, pose, blendshapes, self.size_drift)
        return aligned, size

    def estimate(
        self,
        *,
        aligned: np.ndarray,
        size: np.ndarray,
        blendshapes: np.ndarray,
        pose: np.ndarray,
        baseline: Baseline,
        letters: bool = True,
        withhold: bool = True,
    ) -> dict[str, np.ndarray]:
        """Every code and side column (0–5) for one face's frames.

        ``letters=False`` gives the model's own scale, which the neutral's thresholds
        are set on: outputs unstretched (:meth:`Model.stretch`) and 15 not yet taken
        from raised lip corners (:func:`corners_up_no_15`).
        The columns of :data:`WITHHELD` are NaN (not scored) unless ``withhold=False``
        (the benchmarks measure what the model reads there).

        Eye closure goes into ``AU43*`` for every closure (the timeline splits
        blinks 45 and winks 46 out by duration and side).
        """
        n = len(aligned)
        ok = np.isfinite(aligned).all(axis=(1, 2)) & np.isfinite(blendshapes).all(axis=1)
        cols: dict[str, np.ndarray] = {
            c: np.full(n, np.nan) for c in (*CODE_COLUMNS, *SIDE_COLUMNS)
        }
        if not ok.any():
            return cols
        feats = self.model.features(aligned[ok], blendshapes[ok], baseline)
        pred = self.model.predict(feats)
        # Outputs read against the population neutral (all, or a region with no calm).
        pooled = self._pooled(baseline)
        if self.population_floor is not None and pooled.any():
            floor = np.where(pooled, self.population_floor, 0.0)
            lifted = np.clip((pred - floor) * 5.0 / np.maximum(5.0 - floor, 1e-6), 0.0, 5.0)
            pred = np.where(pooled, lifted, pred)
        if letters:
            pred = self.model.stretch(pred)
        raw = raw_blendshape_columns(blendshapes[ok], baseline)
        values: dict[str, np.ndarray] = {c: np.zeros(int(ok.sum())) for c in cols}
        pooled_names = {n for n, p in zip(self.model.outputs, pooled, strict=True) if p}
        for k, name in enumerate(self.model.outputs):
            values[name] = pred[:, k]
        for column, v in raw.items():
            if column in self.model.outputs and column in pooled_names:
                # No own neutral (a still): the blendshapes, trained on real faces, are
                # averaged in (held-out F1 under the population neutral 0.34 -> 0.35,
                # AU12 0.33 -> 0.52; see benchmarks/README.md).
                values[column] = 0.5 * (values[column] + v)
            elif column not in self.model.outputs and column in values:
                base = column.split("_")[0]
                if base not in self.model.outputs and f"{base}_L" not in self.model.outputs:
                    values[column] = v  # fallback for columns the model lacks
        for code in CODED:
            if code.sided:
                left, right = values[f"{code.column}_L"], values[f"{code.column}_R"]
                if code.column in self.model.outputs and not (left.any() or right.any()):
                    left = right = values[code.column]
                values[f"{code.column}_L"], values[f"{code.column}_R"] = left, right
                values[code.column] = np.maximum(left, right)
        values.update(_head_columns(pose[ok], size[ok], baseline))
        values["AU27"], values["AU26"] = _mouth_stretch(aligned[ok], baseline, values["AU26"])
        values["AU25"] = lips_apart(aligned[ok], baseline)
        if letters:
            corners_up_no_15(values, aligned[ok], baseline)
        for c in ("AU45", "AU45_L", "AU45_R", "AU46", "AU46_L", "AU46_R"):
            values[c] = np.zeros(int(ok.sum()))
        for c, v in values.items():
            cols[c][ok] = v
        if withhold:
            for c in WITHHELD:
                cols[c][:] = np.nan
        return cols


#: Lip-corner rise over the lips' midline, beyond the neutral's (inter-ocular distances):
#: from the first 15 fades, at the second it is 0 (:func:`corners_up_no_15`).
CORNER_RISE_NO_15 = (0.03, 0.06)
#: Each side's lip corner (MediaPipe: 291 the subject's left, 61 the right) and the
#: lips' midline (13 upper, 14 lower inner lip).
_CORNERS = (("L", 291), ("R", 61))
_LIP_MIDLINE = (13, 14)


def corners_up_no_15(
    values: dict[str, np.ndarray], aligned: np.ndarray, baseline: Baseline
) -> None:
    """15 (lip corner depressor) where that side's lip corner is raised: none.

    15 pulls the corners down; a corner raised above the lips' midline cannot be in a 15
    of any strength, and a reading there comes from the rest of the mouth's shape (the
    lower lip drawn down and out in a broad open smile: ``single_face.mp4``'s smile read
    15 at D). The rise is the corner's height over the midline between the lips, less
    the neutral's: a turned or bowed head moves corners and midline alike (rigs' head
    turns and bows, mouth at rest: 95th percentile 0.016-0.022, largest 0.031; the
    corners alone rose up to 0.14). 15 fades from 0.03 to 0 at 0.06. Measured by the
    rig left out (benchmarks/README.md, "No 15 under raised lip corners"): 15's mean r
    over the four rigs 0.675 without, 0.680 with it, every rig gaining.

    >>> import numpy as np
    >>> base = Baseline(np.zeros((478, 3), np.float32), np.zeros(52), np.zeros(3), 1.0, "auto")
    >>> pts = np.zeros((4, 478, 3), np.float32); pts[:, 291, 1] = [0.0, 0.045, 0.08, 0.08]
    >>> pts[3, [13, 14], 1] = 0.08  # the whole mouth raised: no rise over its midline
    >>> v = {"AU15_L": np.full(4, 4.0), "AU15_R": np.full(4, 4.0), "AU15": np.full(4, 4.0)}
    >>> corners_up_no_15(v, pts, base); v["AU15_L"].round(3).tolist(), v["AU15"].tolist()
    ([4.0, 2.0, 0.0, 4.0], [4.0, 4.0, 4.0, 4.0])
    """
    start, stop = CORNER_RISE_NO_15
    top, bottom = _LIP_MIDLINE
    midline = (aligned[:, top, 1] + aligned[:, bottom, 1]) / 2
    midline = midline - (baseline.shape[top, 1] + baseline.shape[bottom, 1]) / 2
    for side, point in _CORNERS:
        rise = aligned[:, point, 1] - baseline.shape[point, 1] - midline
        values[f"AU15_{side}"] = values[f"AU15_{side}"] * np.clip(
            1.0 - (rise - start) / (stop - start), 0.0, 1.0
        )
    values["AU15"] = np.maximum(values["AU15_L"], values["AU15_R"])


#: Jaw drop (chin, in inter-ocular distances below the neutral) where 27 starts and
#: where it reaches E. FACSHuman's 26 at full strength drops the chin ≈ 0.19 (0.11–0.31
#: across the training faces); a wide mouth stretch drops it about twice as far.
MOUTH_STRETCH = (0.32, 0.55)
_CHIN = 152


def _mouth_stretch(
    aligned: np.ndarray, baseline: Baseline, jaw: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """27 (mouth stretch) from a jaw drop beyond the 26 range; 26 and 27 exclude each other.

    No labelled 27 exists in the training data, so this is a geometric rule
    (unvalidated): the chin's drop below the neutral, in inter-ocular units,
    ramps 27 from ``MOUTH_STRETCH[0]`` (absent) to ``MOUTH_STRETCH[1]`` (E).
    """
    drop = -(aligned[:, _CHIN, 1] - baseline.shape[_CHIN, 1])
    lo, hi = MOUTH_STRETCH
    stretch = np.clip(5.0 * (drop - lo) / (hi - lo), 0.0, 5.0)
    return stretch, np.where(stretch >= 1.0, 0.0, jaw)


#: Inner-lip gap (upper lip 13 to lower lip 14, inter-ocular units, beyond the
#: closed-lip gap) where 25 reaches A and where it reaches E: E is the lips as far
#: apart as a full jaw drop takes them (FACSHuman's 26 at 1.0: 0.35-0.38; its 26
#: labels no 25, against FACS: lips apart are 25 whatever the jaw does). FACSHuman's
#: own 25 at 1.0 parts the lips only 0.07-0.09 with the jaw still, which reads A.
LIPS_APART = (0.02, 0.40)
#: The closed-lip gap never exceeds this (MediaPipe's inner-lip contour does not
#: quite meet: 0.018-0.038 on closed synthetic-rom mouths); a baseline taken with
#: the lips apart (a take with no neutral) is not allowed to hide 25.
_CLOSED_GAP_MAX = 0.04
_UPPER_INNER_LIP, _LOWER_INNER_LIP = 13, 14


def lips_apart(aligned: np.ndarray, baseline: Baseline) -> np.ndarray:
    """25 (lips part) from the gap between the inner lips, whatever the jaw does.

    Geometric, in place of a fitted 25: the rigs label a jaw drop as 26 alone
    though its lips part, and label 25 with lip gaps from 0.07 (FACSHuman) up,
    so a model learns each rig's habit. Linear from ``LIPS_APART[0]`` (A) to
    ``LIPS_APART[1]`` (E) beyond the closed-lip gap of the baseline.

    Examples
    --------
    >>> est = load_estimator()
    >>> shape = est.population.shape.copy()
    >>> opened = shape.copy(); opened[_LOWER_INNER_LIP, 1] -= 0.2
    >>> [round(float(v), 1) for v in lips_apart(np.stack([shape, opened]), est.population)]
    [0.0, 2.6]
    """
    gap = aligned[:, _UPPER_INNER_LIP, 1] - aligned[:, _LOWER_INNER_LIP, 1]
    closed = float(baseline.shape[_UPPER_INNER_LIP, 1] - baseline.shape[_LOWER_INNER_LIP, 1])
    opened = gap - min(closed, _CLOSED_GAP_MAX)
    lo, hi = LIPS_APART
    a_level = 0.5  # the value where a letter (A) starts
    value = a_level + (5.0 - a_level) * (opened - lo) / (hi - lo)
    return np.asarray(np.where(opened >= lo, np.clip(value, 0.0, 5.0), 0.0))


def _model_path() -> Path:
    return Path(str(resources.files("facs.au").joinpath("estimator.npz")))


@cache
def load_estimator(path: str | None = None) -> Estimator:
    """Load the shipped (or a given) estimator file."""
    target = Path(path) if path else _model_path()
    if not target.exists():
        raise ModelError(f"estimator file missing: {target} (reinstall facs)")
    with np.load(target, allow_pickle=False) as z:
        info = json.loads(str(z["info"]))
        population = Baseline(
            shape=z["pop_shape"],
            blendshapes=z["pop_blendshapes"],
            pose=z["pop_pose"].astype(np.float64) if "pop_pose" in z.files else np.zeros(3),
            size=float("nan"),
            kind="population",
        )
        layers: list[tuple[np.ndarray, np.ndarray]] = []
        while f"layer{len(layers)}_w" in z.files:
            k = len(layers)
            layers.append((z[f"layer{k}_w"], z[f"layer{k}_b"]))
        model = Model(
            outputs=tuple(str(s) for s in z["outputs"]),
            points=z["points"],
            mean=z["mean"],
            scale=z["scale"],
            weights=z["weights"],
            bias=z["bias"],
            basis=z["basis"] if "basis" in z.files else None,
            layers=tuple(layers),
            mlp_weight=float(z["mlp_weight"]) if "mlp_weight" in z.files else 0.0,
            rectified=bool(z["rectified"]) if "rectified" in z.files else False,
            letter_gain=z["letter_gain"] if "letter_gain" in z.files else None,
            pairs=z["pairs"] if "pairs" in z.files else None,
        )
        floor = z["pop_floor"] if "pop_floor" in z.files else None
        return Estimator(
            reference=z["reference"],
            population=population,
            model=model,
            info=info,
            population_floor=floor,
            size_drift=z["size_drift"].astype(np.float64) if "size_drift" in z.files else None,
        )


def save_estimator(estimator: Estimator, path: Path) -> None:
    """Write an estimator file (used by the fitting script and calibration)."""
    m = estimator.model
    tmp = path.with_name(path.name + ".tmp.npz")
    arrays: dict[str, Any] = {
        "reference": estimator.reference.astype(np.float32),
        "pop_shape": estimator.population.shape.astype(np.float32),
        "pop_blendshapes": estimator.population.blendshapes.astype(np.float32),
        "pop_pose": np.asarray(estimator.population.pose, dtype=np.float32),
        "outputs": np.array(m.outputs),
        "points": m.points.astype(np.int32),
        "mean": m.mean.astype(np.float32),
        "scale": m.scale.astype(np.float32),
        "weights": m.weights.astype(np.float32),
        "bias": m.bias.astype(np.float32),
        "info": np.array(json.dumps(estimator.info)),
        "mlp_weight": np.array(m.mlp_weight),
        "rectified": np.array(m.rectified),
    }
    if estimator.size_drift is not None:
        arrays["size_drift"] = np.asarray(estimator.size_drift, dtype=np.float64)
    if estimator.population_floor is not None:
        arrays["pop_floor"] = estimator.population_floor.astype(np.float32)
    if m.pairs is not None:
        arrays["pairs"] = m.pairs.astype(np.int32)
    if m.letter_gain is not None:
        arrays["letter_gain"] = m.letter_gain.astype(np.float32)
    if m.basis is not None:
        arrays["basis"] = m.basis.astype(np.float32)
    for k, (w, b) in enumerate(m.layers):
        arrays[f"layer{k}_w"] = w.astype(np.float32)
        arrays[f"layer{k}_b"] = b.astype(np.float32)
    np.savez_compressed(tmp, **arrays)
    tmp.replace(path)
