"""Coding jobs: run the coder on a workspace video in a background thread.

One job runs at a time; its state (``queued``, ``running``, ``done``,
``error``), frames done and expected, and error message are polled by the page.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

__all__ = ["Coder", "Job", "JobBusy", "Jobs", "default_coder"]

#: ``coder(video, outdir, progress)`` codes ``video`` and writes its outputs to ``outdir``.
Coder = Callable[[Path, Path, Callable[[int, int | None], None]], None]
State = Literal["queued", "running", "done", "error"]


def default_coder(video: Path, outdir: Path, progress: Callable[[int, int | None], None]) -> None:
    """Code ``video`` with :func:`facs.code` and save frames, events and summary to ``outdir``."""
    from facs.coding import code

    coding = code(video, progress=progress, workdir=outdir / ".facs-work")
    coding.save(outdir, plot=False)


@dataclass
class Job:
    """One coding job, as the page sees it."""

    id: str
    video: str
    state: State = "queued"
    done: int = 0
    total: int | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the job."""
        return asdict(self)


class JobBusy(Exception):
    """Another coding job is still running."""


class Jobs:
    """Start coding jobs one at a time and report their progress.

    Parameters
    ----------
    coder : Coder
        What a job runs (:func:`default_coder` unless a test passes another).

    Examples
    --------
    >>> import tempfile
    >>> def coder(video, outdir, progress):
    ...     progress(1, 1)
    >>> jobs = Jobs(coder)
    >>> job = jobs.start("clip", Path("clip.mp4"), Path(tempfile.mkdtemp()))
    >>> jobs.wait(job.id, timeout=5).state
    'done'
    """

    def __init__(self, coder: Coder) -> None:
        self._coder = coder
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._threads: dict[str, threading.Thread] = {}

    def get(self, job_id: str) -> Job | None:
        """The job with this id (a snapshot copy), or ``None``."""
        with self._lock:
            job = self._jobs.get(job_id)
            return None if job is None else Job(**asdict(job))

    def latest(self, video: str) -> Job | None:
        """The most recent job of a video, or ``None``."""
        with self._lock:
            found = [j for j in self._jobs.values() if j.video == video]
            return Job(**asdict(found[-1])) if found else None

    def start(self, video: str, path: Path, outdir: Path) -> Job:
        """Start coding ``path`` into ``outdir`` in a background thread.

        Raises
        ------
        JobBusy
            A job is queued or running.
        """
        with self._lock:
            if any(j.state in ("queued", "running") for j in self._jobs.values()):
                raise JobBusy("a coding job is already running; wait for it to finish")
            job = Job(id=uuid.uuid4().hex[:12], video=video)
            self._jobs[job.id] = job
            thread = threading.Thread(
                target=self._run, args=(job, path, outdir), name=f"facs-job-{job.id}", daemon=True
            )
            self._threads[job.id] = thread
        thread.start()
        return Job(**asdict(job))

    def _run(self, job: Job, path: Path, outdir: Path) -> None:
        def progress(done: int, total: int | None) -> None:
            with self._lock:
                job.done, job.total = int(done), None if total is None else int(total)

        with self._lock:
            job.state = "running"
        try:
            self._coder(path, outdir, progress)
        except Exception as err:  # reported to the page, not raised in a thread
            message = " ".join(str(err).split()) or type(err).__name__
            with self._lock:
                job.state, job.error = "error", message
            return
        with self._lock:
            job.state = "done"
            if job.total is not None:
                job.done = job.total

    def wait(self, job_id: str, timeout: float | None = None) -> Job:
        """Block until a job ends (tests, shutdown) and return it."""
        thread = self._threads[job_id]
        thread.join(timeout)
        job = self.get(job_id)
        assert job is not None
        return job
