"""The browser-playable copy of videos a browser cannot play."""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from facs.web._playback import PLAYBACK_NAME, browser_playable, make_playback

from ._helpers import write_clip


def _times(path: Path) -> list[float]:
    with av.open(str(path)) as container:
        return [round(float(f.time or 0.0), 3) for f in container.decode(video=0)]


def test_unplayable_video_gets_an_h264_copy_with_the_same_frames(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "take.avi", frames=20, size=(96, 64))
    assert not browser_playable(clip)
    copy = make_playback(clip, tmp_path / "out")
    assert copy == tmp_path / "out" / PLAYBACK_NAME
    with av.open(str(copy)) as container:
        ctx = container.streams.video[0].codec_context
        assert (ctx.name, ctx.pix_fmt, ctx.width, ctx.height) == ("h264", "yuv420p", 96, 64)
    assert _times(copy) == pytest.approx(_times(clip), abs=0.002)
    assert browser_playable(copy)
    assert not list((tmp_path / "out").glob(".*"))  # no temporary file left


def test_playable_video_needs_no_copy_and_an_old_copy_is_removed(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "take.mp4", frames=6)
    copy = make_playback(clip, tmp_path)
    assert copy is not None
    assert make_playback(copy, tmp_path / "again") is None  # H.264 mp4 plays as it is
    (tmp_path / "again" / PLAYBACK_NAME).parent.mkdir(exist_ok=True)
    (tmp_path / "again" / PLAYBACK_NAME).write_bytes(b"stale")
    assert make_playback(copy, tmp_path / "again") is None
    assert not (tmp_path / "again" / PLAYBACK_NAME).exists()


def test_wide_video_is_scaled_to_1280(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "wide.mkv", frames=3, size=(1920, 1080))
    copy = make_playback(clip, tmp_path)
    assert copy is not None
    with av.open(str(copy)) as container:
        ctx = container.streams.video[0].codec_context
        assert (ctx.width, ctx.height) == (1280, 720)


def test_not_a_video_is_not_playable(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video")
    assert not browser_playable(bad)
