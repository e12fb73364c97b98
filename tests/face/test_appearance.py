"""Appearance samples under the landmarks."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from facs.face._appearance import APPEARANCE_POINTS, APPEARANCE_REGIONS, sample_appearance


def test_samples_follow_the_image_under_each_point() -> None:
    img = np.zeros((100, 200, 3), np.uint8)
    img[:, 100:] = (250, 10, 10)
    lm = np.full((478, 3), 0.25, np.float32)
    lm[33, 0], lm[263, 0] = 0.2, 0.4  # inter-ocular 40 px: a 2 px square
    lm[APPEARANCE_POINTS[0], 0] = 0.9  # on the red half
    lm[APPEARANCE_POINTS[1]] = (1.4, -0.3, 0.0)  # outside the image: its edge
    out = sample_appearance(img, lm)
    assert out.shape == (len(APPEARANCE_POINTS), 3) and out.dtype == np.uint8
    assert out[0].tolist() == [250, 10, 10] and out[2].tolist() == [0, 0, 0]
    assert out[1].tolist() == [250, 10, 10]


def test_regions_cover_the_points_once() -> None:
    assert sum(len(v) for v in APPEARANCE_REGIONS.values()) == len(APPEARANCE_POINTS)
    assert list(APPEARANCE_REGIONS) == ["brows", "eyes", "lower"]


def _patch_means(image: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """The definition, one square at a time (squares cut off at the image's edges)."""
    h, w = image.shape[:2]
    xy = landmarks[list(APPEARANCE_POINTS), :2] * np.array([w, h], np.float32)
    eyes = landmarks[[33, 263], :2] * np.array([w, h], np.float32)
    r = max(1, round(0.05 * float(np.hypot(*(eyes[0] - eyes[1])))))
    x = np.clip(np.round(xy[:, 0]).astype(int), 0, w - 1)
    y = np.clip(np.round(xy[:, 1]).astype(int), 0, h - 1)
    out = np.empty((len(x), 3), np.uint8)
    for k in range(len(x)):
        patch = image[max(0, y[k] - r) : y[k] + r + 1, max(0, x[k] - r) : x[k] + r + 1]
        out[k] = patch.reshape(-1, patch.shape[-1])[:, :3].mean(axis=0).round()
    return out


@given(
    st.integers(5, 120),
    st.integers(5, 160),
    st.sampled_from([3, 4]),
    st.integers(0, 2**32 - 1),
    st.floats(0.0, 1.0),
)
def test_all_squares_at_once_equal_one_at_a_time(
    h: int, w: int, channels: int, seed: int, spread: float
) -> None:
    """The vectorised sampler gives exactly the per-square means, edges included."""
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, (h, w, channels), dtype=np.uint8)
    landmarks = rng.uniform(0.5 - spread, 0.5 + spread, (478, 3)).astype(np.float32)
    assert np.array_equal(sample_appearance(image, landmarks), _patch_means(image, landmarks))
