"""Coding jobs: the coder's child process, cancelling, stopping the server."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from facs.web._jobs import JobCancelled, Jobs, default_coder

from ._helpers import write_clip


def test_default_coder_codes_in_a_child_process_and_reports_progress(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "grey.avi", frames=12)
    seen: list[tuple[int, int | None, str]] = []
    default_coder(clip, tmp_path / "out", lambda *a: seen.append(a), threading.Event())
    names = {p.name for p in (tmp_path / "out").iterdir()}
    assert {"frames.csv", "events.csv", "summary.json", "playback.mp4"} <= names
    assert (12, 12, "coding") in seen and seen[-1][2] == "playback copy"


def test_default_coder_reports_the_childs_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video")
    with pytest.raises(RuntimeError, match=r"bad\.mp4"):
        default_coder(bad, tmp_path / "out", lambda *a: None, threading.Event())


def test_cancelling_ends_the_child_process(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "grey.avi", frames=12)
    cancelled = threading.Event()
    cancelled.set()
    start = time.monotonic()
    with pytest.raises(JobCancelled):
        default_coder(clip, tmp_path / "out", lambda *a: None, cancelled)
    assert time.monotonic() - start < 5
    assert not (tmp_path / "out" / "events.csv").exists()


def test_stopping_the_server_marks_running_jobs_interrupted(tmp_path: Path) -> None:
    stored: dict[str, dict[str, object]] = {}

    def slow(video: Path, outdir: Path, progress: object, cancelled: threading.Event) -> None:
        assert cancelled.wait(10)
        raise JobCancelled("cancelled")

    jobs = Jobs(slow, persist=lambda job: stored.__setitem__(job["id"], job))
    job = jobs.start("clip", tmp_path / "clip.mp4", tmp_path)
    jobs.shutdown()
    assert jobs.get(job.id) is not None
    assert stored[job.id]["state"] == "interrupted"
    again = Jobs(slow, history=list(stored.values()))
    assert again.latest("clip") == jobs.get(job.id)
