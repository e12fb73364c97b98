"""Tests for facs.au._geometry: pose normalisation."""

from __future__ import annotations

import numpy as np
import pytest

from facs.au._geometry import STABLE_POINTS, align, procrustes_fit, to_canonical_axes


def _rotation(yaw: float, pitch: float, roll: float) -> np.ndarray:
    y, p, r = np.radians([yaw, pitch, roll])
    ry = np.array([[np.cos(y), 0, np.sin(y)], [0, 1, 0], [-np.sin(y), 0, np.cos(y)]])
    rx = np.array([[1, 0, 0], [0, np.cos(p), -np.sin(p)], [0, np.sin(p), np.cos(p)]])
    rz = np.array([[np.cos(r), -np.sin(r), 0], [np.sin(r), np.cos(r), 0], [0, 0, 1]])
    return ry @ rx @ rz


@pytest.mark.parametrize("pose", [(0, 0, 0), (25, -10, 5), (-30, 12, -8)])
def test_align_removes_pose_scale_and_translation(pose: tuple[float, float, float]) -> None:
    rng = np.random.default_rng(1)
    ref = rng.normal(size=(478, 3))
    moved = 120.0 * ref @ _rotation(*pose).T + np.array([300.0, 200.0, 10.0])
    aligned, size = align(to_canonical_axes(moved)[None], ref, return_scale=True)
    assert np.allclose(aligned[0], ref, atol=1e-3)
    # The size weighs depth at SIZE_DEPTH_WEIGHT: exact for a frontal face, a few per
    # cent off when turned (the estimator's size_pose fit takes that part out).
    assert size[0] == pytest.approx(120.0, rel=1e-4 if pose == (0, 0, 0) else 0.05)


@pytest.mark.parametrize("pose", [(0, 0, 0), (25, -10, 5), (-30, 12, -8)])
def test_size_follows_distance_at_any_pose(pose: tuple[float, float, float]) -> None:
    """At a fixed pose the size grows exactly with the face's scale (head forward/back)."""
    rng = np.random.default_rng(3)
    ref = rng.normal(size=(478, 3))
    faces = np.stack([s * ref @ _rotation(*pose).T + 5.0 for s in (100.0, 106.0)])
    _, size = align(to_canonical_axes(faces), ref, return_scale=True)
    assert size[1] / size[0] == pytest.approx(1.06, rel=1e-6)


def test_expression_survives_alignment() -> None:
    """Moving non-stable points (an expression) is kept after alignment."""
    rng = np.random.default_rng(2)
    ref = rng.normal(size=(478, 3))
    face = ref.copy()
    mouth = [i for i in (61, 291, 13, 14) if i not in STABLE_POINTS]
    face[mouth, 1] += 0.2
    moved = 50.0 * face @ _rotation(15, 5, 0).T
    aligned = align(to_canonical_axes(moved)[None], ref)
    assert np.allclose(aligned[0][mouth] - ref[mouth], [0, 0.2, 0], atol=1e-3)


def test_nan_rows_stay_nan() -> None:
    ref = np.random.default_rng(3).normal(size=(478, 3))
    pts = np.stack([to_canonical_axes(ref), np.full((478, 3), np.nan)])
    out = align(pts, ref)
    assert np.isfinite(out[0]).all() and np.isnan(out[1]).all()


def test_procrustes_is_batched() -> None:
    rng = np.random.default_rng(4)
    target = rng.normal(size=(30, 3))
    src = np.stack([target * s for s in (1.0, 2.0, 0.5)])
    scale, rot, _ = procrustes_fit(src, target)
    assert np.allclose(scale, [1.0, 0.5, 2.0])
    assert np.allclose(rot, np.eye(3)[None].repeat(3, axis=0), atol=1e-8)


def test_a_brow_raise_moving_the_forehead_leaves_the_size() -> None:
    """The forehead skin moves with 1 and 2; the size (57/58) is measured without it."""
    from facs.au._geometry import FOREHEAD_POINTS, SIZE_POINTS

    assert not set(FOREHEAD_POINTS) & set(SIZE_POINTS)
    rng = np.random.default_rng(4)
    ref = rng.normal(size=(478, 3))
    raised = ref.copy()
    raised[list(FOREHEAD_POINTS), 1] += 0.3
    faces = np.stack([80.0 * ref @ _rotation(10, 5, 0).T, 80.0 * raised @ _rotation(10, 5, 0).T])
    _, size = align(to_canonical_axes(faces), ref, return_scale=True)
    assert size[1] == pytest.approx(size[0], rel=1e-9)
