"""The AU stage over a FaceBatch: choose each face's neutral, score every frame.

Array functions with no file or chunk in sight (:func:`facs.code` keeps the
chunk store and the orchestration):

- :func:`baseline_rows` picks, from one face's frames, those its neutral is
  taken from (a marked span, or the calmest uncovered frames);
- :func:`select_baseline` makes the neutral from those rows (or says to use
  the population's or the actor's);
- :func:`estimate` scores a batch of one face against that neutral.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from facs._errors import InputError
from facs.au._estimator import (
    MIN_BASELINE_FRAMES,
    Baseline,
    Estimator,
    calm_frames,
    find_baseline,
)
from facs.face._batch import FaceBatch

__all__ = ["baseline_rows", "estimate", "select_baseline"]


def baseline_rows(
    blendshapes: np.ndarray,
    time_s: np.ndarray,
    *,
    covered: np.ndarray | None = None,
    neutral: tuple[float, float] | None = None,
    most: int | None = None,
) -> np.ndarray:
    """Rows of one face's frames (in time order) to take its neutral from.

    In the marked ``neutral`` span (seconds) if one is given; otherwise the
    calmest uncovered frames (:func:`facs.au._estimator.calm_frames`, at most
    ``most``), in time order. Empty when none qualifies.

    >>> bs = np.zeros((20, 52), np.float32); bs[:10, 3] = 0.9  # active, then calm
    >>> baseline_rows(bs, np.arange(20) / 10, most=5).tolist()
    [10, 12, 14, 16, 19]
    >>> baseline_rows(bs, np.arange(20) / 10, neutral=(0.0, 0.25)).tolist()
    [0, 1, 2]
    """
    if neutral is not None:
        return np.flatnonzero((time_s >= neutral[0]) & (time_s <= neutral[1]))
    calm = blendshapes.astype(np.float64)
    if covered is not None:
        calm = np.where(covered[:, None], np.nan, calm)  # a covered frame is no neutral
    if int(np.isfinite(calm).all(axis=1).sum()) < MIN_BASELINE_FRAMES:
        return np.zeros(0, dtype=np.int64)
    return np.sort(calm_frames(calm, most))


def select_baseline(
    candidates: FaceBatch | None,
    estimator: Estimator,
    *,
    neutral: tuple[float, float] | None = None,
    actor: Any = None,
    own: bool = True,
) -> Baseline:
    """One face's neutral from its candidate rows (see :func:`baseline_rows`).

    The actor's calibrated neutral when ``actor`` is given (and no span is
    marked); the population's when ``own`` is False (a still, a clip too
    short) or there are too few candidates; else the candidates' median,
    checked region by region against the population (a take with no calm
    moment, :func:`facs.au._estimator.find_baseline`).
    """
    if neutral is None and actor is not None:
        return actor.neutral  # type: ignore[no-any-return]
    if neutral is None and (not own or candidates is None or len(candidates) < MIN_BASELINE_FRAMES):
        return estimator.population
    if candidates is None or not len(candidates):
        span = "" if neutral is None else f" {neutral[0]:g}-{neutral[1]:g} s"
        raise InputError(f"no face found in the neutral span{span}")
    aligned, size = estimator.align(candidates.landmarks_px())
    return find_baseline(
        aligned=aligned,
        blendshapes=candidates.blendshapes,
        pose=candidates.pose,
        size=size,
        time_s=candidates.time_s,
        population=estimator.population,
        span=neutral,
        estimator=estimator,
        picks=None if neutral is not None else np.arange(len(candidates)),
    )


def estimate(
    batch: FaceBatch, baseline: Baseline, estimator: Estimator
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Every code and side column (0–5) of one face's rows, and its size per row.

    >>> from facs.au import load_estimator
    >>> est = load_estimator()
    >>> cols, size = estimate(FaceBatch.empty(640, 360), est.population, est)
    >>> len(cols["AU12"]), size.shape
    (0, (0,))
    """
    aligned, size = estimator.align(batch.landmarks_px())
    cols = estimator.estimate(
        aligned=aligned,
        size=size,
        blendshapes=batch.blendshapes,
        pose=batch.pose,
        baseline=baseline,
    )
    return cols, size
