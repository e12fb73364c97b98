"""Keep face ids stable from frame to frame.

The landmarker reports the faces of each frame in no particular order. The
:class:`FaceTracker` matches them to the faces of the previous frames by the
distance between box centres, after predicting where each known face moved
(constant velocity), with an optimal (Hungarian) assignment. A face that is
not matched gets a new id; a face that goes missing keeps its id for
``max_gap`` frames, so a short occlusion or a missed detection does not turn
one person into two.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["FaceTracker", "box_iou", "landmarks_to_box"]

#: Farthest a face's box centre moves between two sightings, in face sizes
#: (square root of the box area), and still is the same face.
MAX_DISTANCE = 1.0


def landmarks_to_box(landmarks: ArrayLike, *, width: int = 1, height: int = 1) -> np.ndarray:
    """Bounding box of a set of landmarks.

    Parameters
    ----------
    landmarks : array_like, shape (N, 2) or (N, 3)
        Landmarks with x, y normalised to the image width and height (as
        MediaPipe gives them); a third column (z) is ignored.
    width, height : int, optional
        Image size; with the defaults the box stays in normalised units.

    Returns
    -------
    numpy.ndarray, shape (4,), float64
        ``x0, y0, x1, y1``.

    Examples
    --------
    >>> landmarks_to_box([[0.1, 0.2, 0.0], [0.3, 0.6, 0.0]], width=100, height=10)
    array([10.,  2., 30.,  6.])
    """
    points = np.asarray(landmarks, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] < 2 or len(points) == 0:
        raise ValueError(f"`landmarks` must have shape (N, 2) or (N, 3), got {points.shape}")
    x, y = points[:, 0] * width, points[:, 1] * height
    return np.array([x.min(), y.min(), x.max(), y.max()])


def box_iou(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """Intersection over union between two sets of boxes.

    Parameters
    ----------
    a : array_like, shape (N, 4)
    b : array_like, shape (M, 4)
        Boxes as ``x0, y0, x1, y1``.

    Returns
    -------
    numpy.ndarray, shape (N, M)

    Examples
    --------
    >>> box_iou([[0, 0, 2, 2]], [[1, 0, 3, 2], [5, 5, 6, 6]])
    array([[0.33333333, 0.        ]])
    """
    a = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 4)
    x0 = np.maximum(a[:, None, 0], b[None, :, 0])
    y0 = np.maximum(a[:, None, 1], b[None, :, 1])
    x1 = np.minimum(a[:, None, 2], b[None, :, 2])
    y1 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        iou = np.where(union > 0, inter / union, 0.0)
    return np.asarray(iou, dtype=np.float64)


def box_centres_sizes(boxes: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Centres (N, 2) and sizes (N,: square root of the area) of ``x0, y0, x1, y1`` boxes."""
    array = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    centres = np.column_stack([(array[:, 0] + array[:, 2]) / 2, (array[:, 1] + array[:, 3]) / 2])
    extent = np.clip(array[:, 2:] - array[:, :2], 0, None)
    return centres, np.sqrt(extent[:, 0] * extent[:, 1])


def match_centres(
    known: np.ndarray, sizes: np.ndarray, centres: np.ndarray, max_distance: float
) -> list[tuple[int, int]]:
    """The one rule that says two face boxes are the same face.

    Pairs ``(i, j)`` of known faces (centres ``known``, sizes ``sizes``) and
    new boxes (``centres``) by an optimal (Hungarian) assignment on the
    distance between centres in face sizes (of the known face); a pair
    farther apart than ``max_distance`` face sizes is no match. :class:`FaceTracker` uses it from
    frame to frame, :func:`facs.code` at the boundaries between the parts
    that worker processes coded.

    >>> match_centres(np.array([[0.0, 0], [10, 0]]), np.array([2.0, 2]),
    ...               np.array([[11.0, 0], [30, 0]]), 1.0)
    [(1, 0)]
    """
    if not len(known) or not len(centres):
        return []
    diff = known[:, None, :] - centres[None, :, :]
    cost = np.sqrt((diff * diff).sum(axis=2)) / np.maximum(sizes, 1e-9)[:, None]
    if len(known) == 1 or len(centres) == 1:  # one face each frame: the nearest, no solver
        r, c = np.unravel_index(int(np.argmin(cost)), cost.shape)
        return [(int(r), int(c))] if cost[r, c] <= max_distance else []
    from scipy.optimize import linear_sum_assignment

    # Pairs out of reach cost more than any set of pairs in reach, so the
    # assignment never trades a match for two impossible ones.
    gated = np.where(cost <= max_distance, cost, 1e6)
    rows, cols = linear_sum_assignment(gated)
    return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if cost[r, c] <= max_distance]


@dataclass
class _Track:
    id: int
    centre: np.ndarray  # (2,)
    size: float  # sqrt of box area
    velocity: np.ndarray  # (2,) per update
    missed: int = 0

    def predicted(self) -> np.ndarray:
        return np.asarray(self.centre + self.velocity * (self.missed + 1))


class FaceTracker:
    """Assign stable ids to the face boxes of successive frames.

    Parameters
    ----------
    max_gap : int, optional
        A face not seen for more than this many consecutive updates is
        forgotten; within the gap it gets its old id back when it reappears.
    max_distance : float, optional
        A box matches a known face only if its centre lies within this many
        face sizes (square root of the box area) of where that face was
        predicted to be.
    velocity_smoothing : float, optional
        Weight of the newest displacement in the running velocity estimate
        (0 disables motion prediction, 1 uses the last step only).

    Notes
    -----
    Call :meth:`update` once per processed frame, also for frames with no
    face, so that the gap counts are right. Ids start at 0 and are never
    reused; new faces seen in the same frame get ids from left to right.

    Examples
    --------
    >>> tracker = FaceTracker()
    >>> tracker.update([[0, 0, 10, 10], [50, 0, 60, 10]])
    [0, 1]
    >>> tracker.update([[52, 0, 62, 10], [1, 0, 11, 10]])
    [1, 0]
    """

    def __init__(
        self,
        *,
        max_gap: int = 5,
        max_distance: float = MAX_DISTANCE,
        velocity_smoothing: float = 0.5,
    ) -> None:
        if max_gap < 0:
            raise ValueError(f"`max_gap` must be >= 0, got {max_gap}")
        if max_distance <= 0:
            raise ValueError(f"`max_distance` must be > 0, got {max_distance}")
        if not 0 <= velocity_smoothing <= 1:
            raise ValueError(f"`velocity_smoothing` must be in [0, 1], got {velocity_smoothing}")
        self.max_gap = max_gap
        self.max_distance = max_distance
        self.velocity_smoothing = velocity_smoothing
        self._tracks: list[_Track] = []
        self._next_id = 0

    def reset(self) -> None:
        """Forget every face; the next ids start again at 0."""
        self._tracks = []
        self._next_id = 0

    @property
    def active_ids(self) -> list[int]:
        """Ids of the faces currently remembered (seen or within the gap)."""
        return sorted(track.id for track in self._tracks)

    def update(self, boxes: ArrayLike) -> list[int]:
        """Match this frame's boxes to the known faces.

        Parameters
        ----------
        boxes : array_like, shape (N, 4)
            Face boxes ``x0, y0, x1, y1`` (pixels or any unit, used
            consistently); ``N`` may be 0.

        Returns
        -------
        list of int
            The face id of each box, in the order of ``boxes``.
        """
        array = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
        if not np.all(np.isfinite(array)):
            raise ValueError("`boxes` must be finite")
        centres, sizes = box_centres_sizes(array)
        ids: list[int | None] = [None] * len(array)

        if self._tracks and len(array):
            predicted = np.array([track.predicted() for track in self._tracks])
            scale = np.array([track.size for track in self._tracks])
            for row, col in match_centres(predicted, scale, centres, self.max_distance):
                track = self._tracks[row]
                steps = track.missed + 1
                step_velocity = (centres[col] - track.centre) / steps
                alpha = self.velocity_smoothing
                track.velocity = (1 - alpha) * track.velocity + alpha * step_velocity
                track.centre = centres[col]
                track.size = float(sizes[col])
                track.missed = -1  # becomes 0 below
                ids[col] = track.id

        for track in self._tracks:
            track.missed += 1
        self._tracks = [track for track in self._tracks if track.missed <= self.max_gap]

        for col in sorted((i for i, v in enumerate(ids) if v is None), key=lambda i: centres[i, 0]):
            track = _Track(
                id=self._next_id, centre=centres[col], size=float(sizes[col]), velocity=np.zeros(2)
            )
            self._next_id += 1
            self._tracks.append(track)
            ids[col] = track.id
        return [int(i) for i in ids if i is not None]
