"""Appearance samples under the landmarks."""

from __future__ import annotations

import numpy as np

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
