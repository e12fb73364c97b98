"""Helpers for the web API tests: a tiny video, a fake coder, job polling."""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient

from conftest import smile_frames  # the one synthetic smile of the suite (tests/conftest.py)
from facs.coding import Coding, Summary
from facs.timeline import process
from facs.web._jobs import JobCancelled

UPLOAD_LIMIT = 2_000_000


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_clip(path: Path, frames: int = 12, size: tuple[int, int] = (64, 48)) -> Path:
    """A few grey frames encoded as a small MPEG-4 video."""
    import av

    width, height = size
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("mpeg4", rate=25)
        assert isinstance(stream, av.video.stream.VideoStream)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for i in range(frames):
            image = np.full((height, width, 3), (20 + 15 * i) % 230, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def fake_summary(source: str) -> Summary:
    """A summary for a coding made without a video (the app only checks summary.json exists)."""
    return dataclasses.replace(Summary.example(), input=source)


class FakeCoder:
    """Writes a synthetic smile coding instead of running the face model."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.gate.set()
        self.calls: list[Path] = []
        self.options: list[dict[str, object]] = []

    def __call__(
        self,
        video: Path,
        outdir: Path,
        progress: Callable[[int, int | None, str], None],
        cancelled: threading.Event,
        **options: object,
    ) -> None:
        self.calls.append(video)
        self.options.append(options)
        raw = smile_frames(smile=(4.0, 4.0), brow=0.0)
        for i in range(0, len(raw) + 1, 30):
            progress(i, len(raw), "coding")
        while not self.gate.wait(0.02):
            if cancelled.is_set():
                raise JobCancelled("cancelled")
        frames, events = process(raw)
        Coding(frames, events, fake_summary(str(video))).save(outdir, plot=False)


def wait_job(client: TestClient, job_id: str, timeout: float = 20) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["state"] not in ("queued", "running"):
            return dict(job)
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")
