"""The AU stage over a FaceBatch: choose each face's neutral, score every frame.

Array functions with no file or chunk in sight (:func:`facs.code` keeps the
chunk store and the orchestration):

- :func:`baseline_rows` picks, from one face's frames, those its neutral is
  taken from (a marked span, or the calmest uncovered frames);
- :func:`select_baseline` makes the neutral from those rows (or says to use
  the population's or the actor's);
- :func:`estimate` scores a batch of one face against that neutral;
- :func:`face_rows` makes those scores frames-table rows (covered regions
  blank, visibility flags, pose, box);
- :func:`add_head_positions` scores 51–58 over each face's whole series.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from facs._errors import InputError
from facs.au._estimator import (
    MIN_BASELINE_FRAMES,
    Baseline,
    Estimator,
    calm_frames,
    find_baseline,
)
from facs.face._batch import FaceBatch

__all__ = ["add_head_positions", "baseline_rows", "estimate", "face_rows", "select_baseline"]


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
    aligned, size = estimator.align(
        candidates.landmarks_px(), candidates.pose, candidates.blendshapes
    )
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
    aligned, size = estimator.align(batch.landmarks_px(), batch.pose, batch.blendshapes)
    cols = estimator.estimate(
        aligned=aligned,
        size=size,
        blendshapes=batch.blendshapes,
        pose=batch.pose,
        baseline=baseline,
    )
    return cols, size


def face_rows(
    rows: FaceBatch,
    baseline: Baseline,
    estimator: Estimator,
    covered: np.ndarray,
    by_hand: np.ndarray | None = None,
    *,
    turned: np.ndarray | None = None,
) -> pd.DataFrame:
    """One face's frames-table rows: scores, covered regions blank, pose and box.

    A face turned too far from the camera (``turned``, (rows,); by default
    :func:`facs.au._visibility.unscorable` of these rows' pose: FACS 74) has every
    code blank but its head position, and ``unscorable`` 1.

    ``covered`` (rows, 3) says per row whether the brows, eyes and lower face
    are hidden (:func:`facs.au._visibility.covered_regions`); a hidden region's
    codes are blank (NaN: not scored) where the face is not acting
    (:func:`~facs.au._visibility.acting_not_covered`; ``by_hand`` (rows, 3):
    the covers a hand was seen making, which stay), and ``covered_*`` says so.
    A ``_size`` column (face size per row) is left for :func:`add_head_positions`.

    >>> from facs.au import load_estimator
    >>> est = load_estimator()
    >>> face_rows(FaceBatch.empty(64, 64), est.population, est, np.zeros((0, 3), bool)).shape[0]
    0
    """
    from facs.au._visibility import (
        COVER_CODES,
        COVER_COLUMNS,
        UNSCORABLE_COLUMN,
        acting_not_covered,
        region_columns,
        unscorable,
    )
    from facs.series import BOX_COLUMNS

    cols, size = estimate(rows, baseline, estimator)
    flags = acting_not_covered(covered, cols, by_hand, rows.time_s)
    for k, region in enumerate(COVER_CODES):
        for column in region_columns(list(cols), region):
            cols[column][flags[:, k]] = np.nan  # not scored where it cannot be seen
    if turned is None:
        turned = unscorable(rows.pose)  # 74: too far from the camera; head position still scored
    if turned.any():
        for column in {c for region in COVER_CODES for c in region_columns(list(cols), region)}:
            cols[column][turned] = np.nan
    table = pd.DataFrame(cols)
    for k, column in enumerate(COVER_COLUMNS):
        table[column] = flags[:, k].astype(float)
    table[UNSCORABLE_COLUMN] = turned.astype(float)
    face = rows.face if len(rows) else np.zeros(0, np.int64)
    table.insert(0, "frame", rows.frame)
    table.insert(1, "time_s", rows.time_s)
    table.insert(2, "face", face)
    table.insert(3, "success", 1)
    table.insert(4, "confidence", rows.confidence)
    for k, name in enumerate(("yaw", "pitch", "roll")):
        table.insert(5 + k, name, rows.pose[:, k])
    table["_size"] = size
    for name, v in zip(BOX_COLUMNS, rows.boxes().T, strict=True):
        table[name] = np.round(v, 1)
    return table


def add_head_positions(frames: pd.DataFrame, baselines: dict[int, Baseline]) -> pd.DataFrame:
    """Score head positions (51–58) over each face's whole series, in place of the row scores.

    Head codes need the face's whole track (a steady lean, not one frame's
    jitter: :func:`facs.au._estimator.head_series`); ``frames`` must be in
    time order per face and carry the ``_size`` column of :func:`face_rows`,
    which is dropped.
    """
    from facs.au._estimator import head_series

    if "_size" not in frames.columns:
        return frames
    face_of = frames["face"].to_numpy()
    for gid, baseline in baselines.items():
        at = np.flatnonzero(face_of == gid)
        head = head_series(
            frames["time_s"].to_numpy(float)[at],
            frames[["yaw", "pitch", "roll"]].to_numpy(float)[at],
            frames["_size"].to_numpy(float)[at],
            baseline,
        )
        for column, v in head.items():
            frames.loc[at, column] = v
    return frames.drop(columns="_size")
