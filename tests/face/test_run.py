"""perceive: decoding and landmarking overlapped in two threads."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

import pytest

from facs._errors import InputError
from facs.face import FrameFaces, perceive


@pytest.mark.slow
def test_perceive_video(real_dir: Path, model_path: Path) -> None:
    seen: list[int] = []
    results = list(
        perceive(
            real_dir / "single_face.mp4",
            end=0.5,
            max_faces=2,
            on_frame=lambda r: seen.append(r.frame),
        )
    )
    assert all(isinstance(r, FrameFaces) for r in results)
    assert [r.frame for r in results] == list(range(15)) == seen
    assert all((r.width, r.height) == (640, 360) and len(r.faces) == 1 for r in results)


@pytest.mark.slow
def test_perceive_overlapping_threads_equals_one_frame_at_a_time(
    real_dir: Path, model_path: Path
) -> None:
    # perceive works out a frame's faces in a second thread while the landmarker infers
    # the next ones (up to _PENDING_FRAMES behind, so a long look for hands is caught up
    # later); the result must be what detect() gives frame after frame, hands included:
    # the hand over her mouth from about 2.6 s is in the span.
    import numpy as np

    from facs.face import Landmarker, decode_frames, probe
    from facs.face._hands import every_nth, hands_unavailable

    path = real_dir / "WolfgangLanger_Pexels.mp4"
    piped = list(perceive(path, end=3.5, max_faces=2))
    with Landmarker(max_faces=2, mode="video", hand_every=every_nth(probe(path).fps)) as landmarker:
        serial = [landmarker.detect(f) for f in decode_frames(path, end=3.5)]
    assert [r.frame for r in piped] == list(range(len(serial))) and len(serial) > 80
    looks = 0
    for got, want in zip(piped, serial, strict=True):
        assert [f.face for f in got.faces] == [f.face for f in want]
        for a, b in zip(got.faces, want, strict=True):
            np.testing.assert_array_equal(a.landmarks, b.landmarks)
            np.testing.assert_array_equal(a.appearance, b.appearance)
            assert (a.yaw, a.confidence) == (b.yaw, b.confidence)
            assert (a.hand is None) == (b.hand is None)
            if a.hand is not None:
                np.testing.assert_array_equal(a.hand, b.hand)
                looks += 1
    assert looks > 10 or hands_unavailable() is not None


@pytest.mark.slow
def test_perceive_stops_early_without_leaking_threads(real_dir: Path, model_path: Path) -> None:
    before = threading.active_count()
    stream = perceive(real_dir / "WolfgangLanger_Pexels.mp4", max_faces=1)
    assert len(list(itertools.islice(stream, 3))) == 3
    stream.close()
    assert threading.active_count() <= before


@pytest.mark.slow
def test_perceive_passes_decode_errors_on(tmp_path: Path, real_dir: Path, model_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("not a video")
    with pytest.raises(InputError, match="not a readable video"):
        list(perceive(path))
