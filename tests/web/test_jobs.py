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


def test_a_job_cut_off_after_writing_everything_is_done_on_restart() -> None:
    from facs.web._jobs import Jobs

    rows = [
        {"id": "a", "video": "v1", "state": "running", "created": 1.0},
        {"id": "b", "video": "v2", "state": "running", "created": 2.0},
    ]
    jobs = Jobs(lambda *a: None, history=rows, finished=lambda job: job.video == "v1")
    assert jobs.get("a").state == "done"  # type: ignore[union-attr]
    assert jobs.get("b").state == "interrupted"  # type: ignore[union-attr]
    jobs.shutdown()


def test_a_coding_child_dies_with_its_server(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """SIGKILL the server: its coding child goes too instead of writing on."""
    import os
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "server.py"
    script.write_text(
        "import multiprocessing as mp, sys, time\n"
        "from facs.web._jobs import _die_with_parent\n"
        "def child():\n"
        "    _die_with_parent()\n"
        "    time.sleep(60)\n"
        "if __name__ == '__main__':\n"
        "    p = mp.get_context('spawn').Process(target=child, daemon=False)\n"
        "    p.start()\n"
        "    print(p.pid, flush=True)\n"
        "    time.sleep(60)\n"
    )
    server = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    child = int(server.stdout.readline())  # type: ignore[union-attr]
    time.sleep(1.0)  # the child has armed its signal
    os.kill(server.pid, signal.SIGKILL)
    server.wait()
    server.stdout.close()  # type: ignore[union-attr]
    for _ in range(40):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        # a zombie reaped by init also counts as gone
        with open(f"/proc/{child}/stat") as stat:
            if stat.read().split()[2] == "Z":
                break
        time.sleep(0.1)
    else:
        os.kill(child, signal.SIGKILL)
        raise AssertionError("the coding child outlived its server")
