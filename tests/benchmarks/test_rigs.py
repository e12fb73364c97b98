"""Face-rig clips (benchmarks/rigs): schedule and labels, the renderer, the Rocketbox loader."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np
import pytest

RIGS = Path(__file__).resolve().parents[2] / "benchmarks" / "rigs"
if str(RIGS) not in sys.path:
    sys.path.insert(0, str(RIGS))

import render_clips as rc  # noqa: E402
from _mesh import RigFace  # noqa: E402


# --------------------------------------------------------------------------- schedule
def _shape_names(*names: str) -> dict[str, np.ndarray]:
    return {n: np.zeros((1, 3), np.float32) for n in names}


SHAPES = _shape_names(
    "AU01", "AU04", "AU12", "L_AU12", "R_AU12", "AU26", "AU43", "AU45", "L_AU46", "R_AU46",
    "AU61", "L_AU30", "R_AU30", "AU19",
)  # fmt: skip


def test_segment_shape_and_peaks() -> None:
    curve = rc.segment_curve(0.6)
    assert len(curve) == 21 and curve[0] == curve[-1] == 0.0
    assert np.allclose(curve[1:7], [0.6 * k / 7 for k in range(1, 7)])
    assert curve[7:14] == (0.6,) * 7 and np.allclose(curve[14:20], curve[6:0:-1])
    segs, n = rc.build_schedule(SHAPES, clip=0)
    assert segs[0].start == rc.LEAD and n == segs[-1].end + 1 + rc.TAIL
    for a, b in itertools.pairwise(segs):
        assert b.start == a.end + 1
    by = {s.name: s for s in segs}
    assert len(by["blink"].curve) == 10 and by["blink"].peak == 1.0
    assert by["L46"].peak == by["R46"].peak == 1.0
    peaks = [s.peak for s in segs if s.name not in ("blink", "L46", "R46")]
    assert set(peaks) == {0.3, 0.6, 1.0}
    # peaks rotate over clips; one-sided sides alternate with the clip
    segs1, _ = rc.build_schedule(SHAPES, clip=1)
    assert segs1[0].peak == 0.6 and segs[0].peak == 0.3
    assert "L12" in by and "R12" in {s.name for s in segs1}
    assert [s.name for s in segs][:4] == ["1", "4", "12", "26"]
    assert "19+26" in by and "L30" in by and "R30" in by and "51" in by and "58" in by
    names = [s.name for s in segs]
    combos = names[names.index("61") + 1 :]  # 6, 2, 5, 15 ... are absent: left out
    assert combos == ["12", "1+26", "1+4", "4", "R12", "12+26", "1+4", "12"]


def test_label_columns_max_of_sides_and_absent_codes() -> None:
    cols = rc.label_columns(SHAPES)
    assert cols[:2] == ["frame", "time_s"] and cols[-4:] == list(rc.POSE_COLUMNS)
    assert "AU02" not in cols and "L_AU02" not in cols and "AU06" not in cols  # absent codes
    assert {"AU12", "L_AU12", "R_AU12", "AU30", "L_AU30", "AU46", "R_AU46", "AU51"} <= set(cols)
    assert "L_AU01" not in cols  # 1 has no sides here
    segs, n = rc.build_schedule(SHAPES, clip=0)
    states = rc.frame_states(segs, n, (5.0, -2.0, 1.0))
    rows = rc.label_rows(SHAPES, states)
    table = np.array([[float(x) for x in r] for r in rows])
    c = {name: i for i, name in enumerate(cols)}
    assert len(rows) == n and np.allclose(table[:, 0], np.arange(n))
    for code in ("AU12", "AU30", "AU46"):  # AUxx is the max of its sides, always
        sides = np.maximum(table[:, c["L_" + code]], table[:, c["R_" + code]])
        assert np.allclose(table[:, c[code]], sides)
    by = {s.name: s for s in segs}
    mid = by["L12"].start + 10
    assert table[mid, c["L_AU12"]] == by["L12"].peak and table[mid, c["R_AU12"]] == 0
    both = by["12"].start + 10
    assert table[both, c["L_AU12"]] == table[both, c["R_AU12"]] == table[both, c["AU12"]] > 0
    assert states[mid].weights == {"L_AU12": by["L12"].peak}
    yaw = by["51"].start + 10
    assert np.isclose(table[yaw, c["yaw_deg"]], 5.0 + 30 * by["51"].peak)
    assert np.isclose(table[0, c["pitch_deg"]], -2.0) and table[-1, 2:-4].sum() == 0


# --------------------------------------------------------------------------- renderer
def _sphere(radius: float = 5.0, n: int = 24) -> RigFace:
    lat, lon = np.meshgrid(np.linspace(0, np.pi, n), np.linspace(0, 2 * np.pi, 2 * n))
    v = np.c_[
        (np.sin(lat) * np.cos(lon)).ravel(),
        np.cos(lat).ravel(),
        (np.sin(lat) * np.sin(lon)).ravel(),
    ]
    from scipy.spatial import ConvexHull

    v = np.unique(np.round(v, 6), axis=0) * radius
    hull = ConvexHull(v)
    tris = hull.simplices.astype(np.int32)
    # orient counter-clockwise seen from outside
    a, b, c = v[tris[:, 0]], v[tris[:, 1]], v[tris[:, 2]]
    flip = (np.cross(b - a, c - a) * a).sum(1) < 0
    tris[flip] = tris[flip][:, ::-1]
    colours = np.tile(np.float32([0.8, 0.6, 0.5]), (len(v), 1))
    colours[v[:, 2] > 0.8 * radius] = [0.1, 0.1, 0.9]  # a blue "nose" patch at +z
    bump = np.zeros_like(v, dtype=np.float32)
    bump[:, 0] = np.where(v[:, 0] > 0, 2.0, 0.0)  # a shape pushing the +x half outwards
    return RigFace(
        rig="test",
        identity="sphere",
        vertices=v.astype(np.float32),
        triangles=tris,
        colours=colours,
        shapes={"L_AU12": bump},
        pivot=np.zeros(3, np.float32),
    )


@pytest.fixture(scope="module")
def renderer():
    from _render import Renderer

    try:
        r = Renderer(160, 120, samples=4)
    except RuntimeError as exc:
        pytest.skip(f"no OpenGL context: {exc}")
    yield r
    r.release()


def _blue_centre(img: np.ndarray) -> np.ndarray:
    blue = (img[:, :, 2] > 150) & (img[:, :, 0] < 100)
    ys, xs = np.nonzero(blue)
    return np.array([xs.mean(), ys.mean()])


def test_renderer_draws_a_lit_sphere(renderer) -> None:
    from _render import Camera, Lighting

    face = _sphere()
    cam = Camera(position=(0.0, 0.0, 40.0), fov_deg=30)
    light = Lighting(direction=(0.0, 0.0, 1.0), ambient=0.3, background=(0.0, 0.0, 0.0))
    img = renderer.render(face, camera=cam, lighting=light)
    assert img.shape == (120, 160, 3) and img.dtype == np.uint8
    fg = img.sum(2) > 0
    ys, xs = np.nonzero(fg)
    assert abs(xs.mean() - 80) < 2 and abs(ys.mean() - 60) < 2  # centred
    # radius 5 cm at 40 cm with 30° vertical FOV: 5 / (40 tan 15°) * 60 px ≈ 28 px
    assert 24 < (ys.max() - ys.min()) / 2 < 32
    assert img[60, 80].sum() > img[60, int(xs.min()) + 2].sum()  # lit centre, darker rim
    assert np.array_equal(img, renderer.render(face, camera=cam, lighting=light))  # deterministic
    # the shape moves pixels on the subject's left = image right
    bumped = renderer.render(face, {"L_AU12": 1.0}, camera=cam, lighting=light)
    fg2 = bumped.sum(2) > 0
    assert np.nonzero(fg2)[1].max() > xs.max() + 3 and np.nonzero(fg2)[1].min() >= xs.min() - 1


def test_renderer_pose_convention(renderer) -> None:
    from _render import Camera, Lighting

    face = _sphere()
    cam = Camera(position=(0.0, 0.0, 40.0), fov_deg=30)
    light = Lighting(direction=(0.0, 0.0, 1.0), background=(0.0, 0.0, 0.0))
    c0 = _blue_centre(renderer.render(face, camera=cam, lighting=light))
    yaw = _blue_centre(renderer.render(face, yaw=30, camera=cam, lighting=light))
    pitch = _blue_centre(renderer.render(face, pitch=20, camera=cam, lighting=light))
    assert yaw[0] > c0[0] + 5 and abs(yaw[1] - c0[1]) < 1  # turned to the subject's left
    assert pitch[1] < c0[1] - 5  # up
    near = renderer.render(face, forward_cm=3, camera=cam, lighting=light)
    assert (near.sum(2) > 0).sum() > (
        renderer.render(face, camera=cam, lighting=light).sum(2) > 0
    ).sum()


def test_head_rotation_roll() -> None:
    from _render import head_rotation

    top = head_rotation(0, 0, 20) @ np.array([0.0, 1.0, 0.0])
    assert top[0] > 0.3  # top of the head towards the subject's left (+x)
    nose = head_rotation(30, 0, 0) @ np.array([0.0, 0.0, 1.0])
    assert nose[0] > 0.4


# --------------------------------------------------------------------------- Rocketbox
@pytest.fixture(scope="module")
def rocketbox_faces(shared_data):  # type: ignore[no-untyped-def]
    if not (shared_data / "rigs" / "rocketbox").is_dir():
        pytest.skip("rigs/rocketbox not in the shared data")
    pytest.importorskip("ufbx")
    import os

    os.environ.setdefault("FACS_SHARED_DATA", str(shared_data))
    import rocketbox

    rocketbox.SOURCE = shared_data / "rigs" / "rocketbox"
    return rocketbox.faces(2)


def test_rocketbox_heads(rocketbox_faces) -> None:
    assert [f.info["head"] for f in rocketbox_faces] == [
        "Female_Adult_01_facial",
        "Male_Adult_08_facial",
    ]
    assert len({f.identity for f in rocketbox_faces}) == 2
    for face in rocketbox_faces:
        labels = [k for k in face.shapes if "AU" in k]
        assert len(labels) >= 40
        assert {"AU12", "L_AU12", "R_AU12", "AU43", "L_AU46", "R_AU46", "AU45"} <= set(labels)
        v = face.vertices
        assert v.dtype == np.float32 and face.triangles.max() < len(v)
        assert 15 < np.ptp(v[:, 1]) < 60  # cm: head and neck
        # sides: the L shapes move vertices on +x (the subject's left) more than on -x
        for code in ("AU12", "AU02", "AU46"):
            left = np.linalg.norm(face.shapes["L_" + code], axis=1)
            right = np.linalg.norm(face.shapes["R_" + code], axis=1)
            assert left[v[:, 0] > 0].sum() > 3 * left[v[:, 0] < 0].sum(), code
            assert right[v[:, 0] < 0].sum() > 3 * right[v[:, 0] > 0].sum(), code
        jaw_left = face.shapes["L_AU30"][:, 0].sum()  # jaw towards the subject's left: +x
        assert jaw_left > 0 > face.shapes["R_AU30"][:, 0].sum()
        assert face.shapes["AU61"][:, 0].sum() > 0  # eyes turn to the subject's left
        # the face looks along +z: the nose tip is the front-most point near the midline
        mid = np.abs(v[:, 0]) < 1
        assert v[mid, 2].max() > face.pivot[2] + 8
        assert set(face.info["arkit_shapes"]) >= {"AK_44_MouthSmileLeft", "AK_25_JawOpen"}
        assert face.colours.shape == v.shape and 0 <= face.colours.min() <= face.colours.max() <= 1


# --------------------------------------------------------------------------- Rocketbox, ARKit
def test_rocketbox_arkit_name() -> None:
    import rocketbox_arkit as rba

    assert rba.arkit_name("AK_03_BrowInnerUp") == "browInnerUp"
    assert rba.arkit_name("AK_25_JawOpen") == "jawOpen"
    with pytest.raises(ValueError, match="AU_12"):
        rba.arkit_name("AU_12_LipCornerPuller")


def test_rocketbox_arkit_faces(rocketbox_faces) -> None:  # type: ignore[no-untyped-def]
    """The same heads, another identity seed, every shape from the ARKit channels."""
    import rocketbox_arkit as rba

    faces = rba.faces(2)
    assert [f.rig for f in faces] == ["rocketbox_arkit"] * 2
    # seed 1: other proportions and colours than the rocketbox rig's (seed 0)
    assert {f.identity for f in faces}.isdisjoint({f.identity for f in rocketbox_faces})
    assert not np.allclose(faces[0].vertices, rocketbox_faces[0].vertices)
    for face, au in zip(faces, rocketbox_faces, strict=True):
        v = face.vertices
        assert "AU25" not in face.shapes  # no ARKit shape parts the lips without the jaw
        assert {"AU12", "L_AU12", "R_AU12", "AU43", "L_AU46", "AU61", "AU19"} <= set(face.shapes)
        for code in ("AU12", "AU02", "AU46"):
            left = np.linalg.norm(face.shapes["L_" + code], axis=1)
            right = np.linalg.norm(face.shapes["R_" + code], axis=1)
            assert left[v[:, 0] > 0].sum() > 3 * left[v[:, 0] < 0].sum(), code
            assert right[v[:, 0] < 0].sum() > 3 * right[v[:, 0] > 0].sum(), code
        # a smile from mouthSmileLeft/Right, not the head's AU_12 shape (another artist's)
        a, b = face.shapes["AU12"].ravel(), au.shapes["AU12"].ravel()
        cos = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
        assert 0.3 < cos < 0.99, cos
        assert face.info["mapping"]["AU12"]["arkit"] == {"mouthSmileLeft": 1.0,
                                                         "mouthSmileRight": 1.0}  # fmt: skip
