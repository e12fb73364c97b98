"""Tests for facs.au._regions and the shipped estimator's use of them."""

from __future__ import annotations

import numpy as np

from facs.au._estimator import load_estimator
from facs.au._regions import REGIONS, region_of
from facs.face import BLENDSHAPE_NAMES


def test_regions_are_symmetric_enough_to_mirror() -> None:
    est = load_estimator()
    ref = est.reference
    for name, region in REGIONS.items():
        pts = np.array(region.points)
        mirrored = ref[pts] * np.array([-1.0, 1.0, 1.0])
        nearest = np.array([np.argmin(((ref - p) ** 2).sum(1)) for p in mirrored])
        missing = set(nearest.tolist()) - set(pts.tolist())
        assert len(missing) <= 0.1 * len(pts), (name, sorted(missing))


def test_every_region_prefix_names_a_blendshape() -> None:
    for region in REGIONS.values():
        for prefix in region.blendshapes:
            assert any(n.startswith(prefix) for n in BLENDSHAPE_NAMES), prefix


def test_codes_map_to_their_region() -> None:
    assert region_of("AU04_L") == "brows"
    assert region_of("AU06_R") == "eyes"
    assert region_of("AU09_L") == "nose"
    assert region_of("AU63") == "gaze"
    assert region_of("AU15_L") == region_of("AD19") == "lower"


def test_shipped_model_reads_each_code_from_its_region_only() -> None:
    model = load_estimator().model
    n_geo = len(model.points) * 3
    pairs = [] if model.pairs is None else [tuple(p) for p in model.pairs.tolist()]
    n_bs = len(BLENDSHAPE_NAMES)
    block = n_geo + n_bs + len(pairs)
    blocks = [0, block] if model.rectified else [0]  # features, then their positive parts
    assert model.weights.shape[0] == block * len(blocks)
    geo_points = np.repeat(model.points, 3)
    for k, out in enumerate(model.outputs):
        region = REGIONS[region_of(out)]
        for start in blocks:
            w = model.weights[start : start + block, k]
            used = np.flatnonzero(w[:n_geo])
            assert set(geo_points[used].tolist()) <= set(region.points), out
            shapes = [BLENDSHAPE_NAMES[i] for i in np.flatnonzero(w[n_geo : n_geo + n_bs])]
            assert all(s.startswith(region.blendshapes) for s in shapes), (out, shapes)
            distances = {pairs[i] for i in np.flatnonzero(w[n_geo + n_bs :])}
            assert distances <= set(region.distances), (out, distances)


def test_distance_pairs_are_their_own_mirror_image() -> None:
    # Training adds each clip's mirror image (benchmarks/loro.py mirror_clip): a region's
    # pairs must map onto themselves when the face is flipped left to right.
    from facs.synth._model import _mirror_index

    mirror = _mirror_index(load_estimator().reference)
    for name, region in REGIONS.items():
        pairs = {frozenset(p) for p in region.distances}
        assert {frozenset(mirror[list(p)].tolist()) for p in pairs} == pairs, name
    assert load_estimator().model.pairs is not None
