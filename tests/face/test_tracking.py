"""Face ids across frames, on synthetic boxes (no model needed)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from facs.face import FaceTracker, landmarks_to_box
from facs.face._tracking import box_iou, match_centres


def box(cx: float, cy: float, size: float = 100.0) -> list[float]:
    half = size / 2
    return [cx - half, cy - half, cx + half, cy + half]


def test_landmarks_to_box() -> None:
    landmarks = np.array([[0.1, 0.2, 0.5], [0.3, 0.6, -0.5], [0.2, 0.4, 0.0]])
    np.testing.assert_allclose(landmarks_to_box(landmarks), [0.1, 0.2, 0.3, 0.6])
    np.testing.assert_allclose(landmarks_to_box(landmarks, width=200, height=100), [20, 20, 60, 60])
    with pytest.raises(ValueError, match="landmarks"):
        landmarks_to_box(np.zeros((0, 3)))


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([0, 0, 2, 2], [0, 0, 2, 2], 1.0),
        ([0, 0, 2, 2], [1, 0, 3, 2], 1 / 3),
        ([0, 0, 2, 2], [2, 2, 4, 4], 0.0),
        ([0, 0, 2, 2], [5, 5, 6, 6], 0.0),
        ([0, 0, 0, 0], [0, 0, 0, 0], 0.0),  # empty boxes: no division by zero
    ],
)
def test_box_iou(a: list[float], b: list[float], expected: float) -> None:
    assert box_iou([a], [b])[0, 0] == pytest.approx(expected)


def test_box_iou_is_symmetric(rng: np.random.Generator) -> None:
    corners = rng.uniform(0, 100, size=(6, 2, 2))
    boxes = np.concatenate([corners.min(axis=1), corners.max(axis=1)], axis=1)
    iou = box_iou(boxes, boxes)
    np.testing.assert_allclose(iou, iou.T)
    np.testing.assert_allclose(np.diag(iou), 1.0)
    assert np.all((iou >= 0) & (iou <= 1))


def test_still_faces_keep_their_ids(rng: np.random.Generator) -> None:
    tracker = FaceTracker()
    centres = np.array([[100.0, 100.0], [300.0, 120.0], [500.0, 90.0]])
    assert tracker.update([box(*c) for c in centres]) == [0, 1, 2]
    for _ in range(30):
        jitter = centres + rng.normal(0, 3, size=centres.shape)
        order = rng.permutation(3)  # MediaPipe reports faces in any order
        ids = tracker.update([box(*jitter[i]) for i in order])
        assert ids == [int(i) for i in order]


def test_new_faces_get_ids_left_to_right() -> None:
    tracker = FaceTracker()
    assert tracker.update([box(500, 100), box(100, 100), box(300, 100)]) == [2, 0, 1]


def test_crossing_faces_keep_their_ids() -> None:
    # Face 0 walks right, face 1 walks left; they pass through each other.
    tracker = FaceTracker()
    assert tracker.update([box(100, 200), box(500, 200)]) == [0, 1]
    for step in range(1, 21):
        left, right = 100 + 20 * step, 500 - 20 * step
        ids = tracker.update([box(right, 200), box(left, 200)])
        if left != right:  # at step 10 the boxes coincide: either answer is right
            assert ids == [1, 0], f"step {step}"


def test_crossing_with_occlusion() -> None:
    # While they overlap only the front face is detected; after, both again.
    tracker = FaceTracker()
    tracker.update([box(100, 200), box(500, 200)])
    for step in range(1, 21):
        left, right = 100 + 20 * step, 500 - 20 * step
        if abs(left - right) < 100:
            ids = tracker.update([box(left, 200)])
            assert ids == [0]
        else:
            assert tracker.update([box(left, 200), box(right, 200)]) == [0, 1], f"step {step}"


def test_disappearing_face_comes_back_within_the_gap() -> None:
    tracker = FaceTracker(max_gap=5)
    tracker.update([box(100, 100), box(400, 100)])
    for _ in range(5):
        assert tracker.update([box(100, 100)]) == [0]
    assert tracker.active_ids == [0, 1]
    assert tracker.update([box(100, 100), box(405, 102)]) == [0, 1]


def test_face_gone_too_long_gets_a_new_id() -> None:
    tracker = FaceTracker(max_gap=5)
    tracker.update([box(100, 100), box(400, 100)])
    for _ in range(6):
        tracker.update([box(100, 100)])
    assert tracker.active_ids == [0]
    assert tracker.update([box(100, 100), box(400, 100)]) == [0, 2]  # ids are never reused


def test_frames_without_faces() -> None:
    tracker = FaceTracker(max_gap=2)
    tracker.update([box(100, 100)])
    assert tracker.update(np.empty((0, 4))) == []
    assert tracker.update([]) == []
    assert tracker.update([box(102, 100)]) == [0]
    for _ in range(3):
        tracker.update([])
    assert tracker.update([box(102, 100)]) == [1]


def test_far_jump_is_a_new_face() -> None:
    tracker = FaceTracker(max_distance=1.0)
    tracker.update([box(100, 100)])
    assert tracker.update([box(350, 100)]) == [1]  # 2.5 face sizes away


def test_reset() -> None:
    tracker = FaceTracker()
    tracker.update([box(100, 100), box(300, 100)])
    tracker.reset()
    assert tracker.active_ids == []
    assert tracker.update([box(300, 100)]) == [0]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_gap": -1}, "max_gap"),
        ({"max_distance": 0}, "max_distance"),
        ({"velocity_smoothing": 1.5}, "velocity_smoothing"),
    ],
)
def test_bad_parameters(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        FaceTracker(**kwargs)


def test_non_finite_boxes_are_rejected() -> None:
    with pytest.raises(ValueError, match="finite"):
        FaceTracker().update([[0, 0, np.nan, 1]])


@given(st.integers(1, 5), st.integers(0, 2**32 - 1), st.booleans())
def test_one_face_shortcut_matches_the_optimal_assignment(
    n: int, seed: int, one_known: bool
) -> None:
    """With one known face or one new box, the nearest pair is what the solver returns."""
    from scipy.optimize import linear_sum_assignment

    rng = np.random.default_rng(seed)
    known = rng.uniform(0, 10, (1 if one_known else n, 2))
    sizes = rng.uniform(0.5, 3, len(known))
    centres = rng.uniform(0, 10, (n if one_known else 1, 2))
    cost = np.linalg.norm(known[:, None] - centres[None], axis=2) / sizes[:, None]
    rows, cols = linear_sum_assignment(np.where(cost <= 1.5, cost, 1e6))
    expected = [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if cost[r, c] <= 1.5]
    assert match_centres(known, sizes, centres, 1.5) == expected
