"""Coding jobs: run the coder on a workspace video in the background.

One job runs at a time. Its state (``queued``, ``running``, ``done``,
``error``, ``cancelled``, or ``interrupted`` when the server stopped while it
ran), frames done and expected, step and error message are polled by the page
and kept in the workspace database, so a restarted server still knows what
happened. The default coder runs :func:`facs.code` in a child process: the
server stays responsive, and cancelling a job ends that process (the coder's
work folder is kept, so coding the video again resumes where it stopped).
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "ACTIVE",
    "Coder",
    "Job",
    "JobBusy",
    "JobCancelled",
    "JobProgress",
    "Jobs",
    "default_coder",
]

#: ``progress(done, total, step)``: frames done, frames expected (``None`` if unknown), step name.
#: A coding job's progress: (frames done, frames expected or None, the step's name).
JobProgress = Callable[[int, "int | None", str], None]
#: ``coder(video, outdir, progress, cancelled)`` codes ``video`` into ``outdir``; it must
#: return soon after ``cancelled`` is set, raising :class:`JobCancelled`.
#: ``coder(video, outdir, progress, cancelled, **options)``; options (start, end, neutral, actor)
#: are passed only when given, so a four-argument coder still works without them.
Coder = Callable[..., None]
State = Literal["queued", "running", "done", "error", "cancelled", "interrupted"]
#: States of a job that has not ended.
ACTIVE = ("queued", "running")


class JobCancelled(Exception):
    """The job was cancelled from the page."""


class JobBusy(Exception):
    """Another coding job is still running."""


@dataclass
class Job:
    """One coding job, as the page sees it."""

    id: str
    video: str
    state: State = "queued"
    done: int = 0
    total: int | None = None
    step: str = ""
    error: str | None = None
    created: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the job."""
        return asdict(self)


def _child(
    video: str, outdir: str, done: Any, total: Any, results: Any, options: dict[str, Any]
) -> None:
    """Body of the coding process: code ``video``, save to ``outdir``, report on ``results``."""
    _die_with_parent()
    try:
        from facs.coding import code
        from facs.face._quiet import quiet_native_logs
        from facs.web._playback import make_playback

        def progress(d: int, t: int | None) -> None:
            done.value, total.value = int(d), -1 if t is None else int(t)

        out = Path(outdir)
        with quiet_native_logs():
            coding = code(Path(video), progress=progress, workdir=out / ".facs-work", **options)
        coding.save(out, plot=False)
        results.put(("step", "playback copy"))
        make_playback(Path(video), out)
        results.put(("ok", ""))
    except BaseException as err:  # reported to the page
        results.put(("error", " ".join(str(err).split()) or type(err).__name__))


def _die_with_parent() -> None:
    """End this coding child when the server that started it dies (even by SIGKILL).

    Linux: the kernel sends SIGKILL when the parent goes (``prctl
    PR_SET_PDEATHSIG``). Elsewhere, and as a fallback, a watchdog thread ends
    the process once its parent id changes.
    """
    import os
    import signal
    import sys

    parent = os.getppid()
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1
        except OSError:
            pass

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(0.5)

    threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:  # the parent went before the signal was armed
        os._exit(1)


def default_coder(
    video: Path, outdir: Path, progress: JobProgress, cancelled: threading.Event, **options: Any
) -> None:
    """Code ``video`` with :func:`facs.code` in a child process and save it to ``outdir``.

    Also writes a browser-playable copy of the video when the browser cannot
    play the original (see :mod:`facs.web._playback`).
    """
    ctx = mp.get_context("spawn")
    done, total = ctx.Value("q", 0), ctx.Value("q", -1)
    results = ctx.Queue()
    proc = ctx.Process(
        target=_child, args=(str(video), str(outdir), done, total, results, options), daemon=True
    )
    proc.start()
    step, outcome = "coding", None
    try:
        while True:
            proc.join(0.25)
            try:
                while True:
                    kind, message = results.get_nowait()
                    if kind == "step":
                        # the finished step's last count first: a short video can finish
                        # coding and move on between two polls
                        progress(done.value, None if total.value < 0 else total.value, step)
                        step = message
                    else:
                        outcome = (kind, message)
            except queue.Empty:
                pass
            progress(done.value, None if total.value < 0 else total.value, step)
            if cancelled.is_set():
                raise JobCancelled("cancelled")
            if outcome is not None or not proc.is_alive():
                break
    finally:
        if proc.is_alive():
            proc.terminate()
            proc.join(5)
            if proc.is_alive():
                proc.kill()
        results.close()
    if outcome is None:
        raise RuntimeError(f"the coding process stopped (exit code {proc.exitcode})")
    if outcome[0] == "error":
        raise RuntimeError(outcome[1])


class Jobs:
    """Start coding jobs one at a time and report their progress.

    Parameters
    ----------
    coder : Coder
        What a job runs (:func:`default_coder` unless a test passes another).
    persist : callable, optional
        Called with a job's dict whenever its state changes (the app stores it).
    history : list of dict, optional
        Jobs stored by an earlier server; those still queued or running are
        marked ``interrupted`` (and persisted).

    Examples
    --------
    >>> import tempfile
    >>> def coder(video, outdir, progress, cancelled):
    ...     progress(1, 1, "coding")
    >>> jobs = Jobs(coder)
    >>> job = jobs.start("clip", Path("clip.mp4"), Path(tempfile.mkdtemp()))
    >>> jobs.wait(job.id, timeout=5).state
    'done'
    """

    def __init__(
        self,
        coder: Coder,
        *,
        persist: Callable[[dict[str, Any]], None] | None = None,
        history: list[dict[str, Any]] | None = None,
        finished: Callable[[Job], bool] | None = None,
    ) -> None:
        self._coder = coder
        self._persist = persist
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._cancel: dict[str, threading.Event] = {}
        self._stopping = False
        for row in sorted(history or [], key=lambda r: float(r.get("created", 0.0))):
            job = Job(**{k: row[k] for k in Job.__dataclass_fields__ if k in row})
            if job.state in ACTIVE:
                if finished is not None and finished(job):  # its outputs were all written
                    job.state, job.error = "done", None
                else:
                    job.state, job.error = "interrupted", "the server stopped while this job ran"
                self._save(job)
            self._jobs[job.id] = job

    def _save(self, job: Job) -> None:
        if self._persist is not None:
            self._persist(job.to_dict())

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

    def start(
        self, video: str, path: Path, outdir: Path, options: Mapping[str, Any] | None = None
    ) -> Job:
        """Start coding ``path`` into ``outdir`` in a background thread.

        ``options`` (``start``, ``end``, ``neutral``, ``actor``) go to the coder
        as keywords, as :func:`facs.code` takes them.

        Raises
        ------
        JobBusy
            A job is queued or running.
        """
        with self._lock:
            if any(j.state in ACTIVE for j in self._jobs.values()):
                raise JobBusy("a coding job is already running; wait for it or cancel it")
            job = Job(id=uuid.uuid4().hex[:12], video=video, created=time.time())
            self._jobs[job.id] = job
            self._cancel[job.id] = threading.Event()
            thread = threading.Thread(
                target=self._run,
                args=(job, path, outdir, dict(options or {})),
                name=f"facs-job-{job.id}",
                daemon=True,
            )
            self._threads[job.id] = thread
            self._save(job)
        thread.start()
        return Job(**asdict(job))

    def cancel(self, job_id: str) -> Job | None:
        """Ask a queued or running job to stop; ``None`` if there is no such job."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                return None
            if job.state in ACTIVE:
                self._cancel[job_id].set()
            return Job(**asdict(job))

    def _run(self, job: Job, path: Path, outdir: Path, options: dict[str, Any]) -> None:
        cancelled = self._cancel[job.id]

        def progress(done: int, total: int | None, step: str = "coding") -> None:
            with self._lock:
                job.done, job.total = int(done), None if total is None else int(total)
                job.step = step

        with self._lock:
            job.state, job.step = "running", "starting"
            self._save(job)
        try:
            if cancelled.is_set():
                raise JobCancelled("cancelled")
            self._coder(path, outdir, progress, cancelled, **options)
            if cancelled.is_set():
                raise JobCancelled("cancelled")
        except JobCancelled:
            with self._lock:
                if self._stopping:
                    job.state, job.error = "interrupted", "the server stopped while this job ran"
                else:
                    job.state, job.error = "cancelled", "cancelled from the page"
                self._save(job)
            return
        except Exception as err:  # reported to the page, not raised in a thread
            message = " ".join(str(err).split()) or type(err).__name__
            with self._lock:
                job.state, job.error = "error", message
                self._save(job)
            return
        with self._lock:
            job.state, job.step = "done", ""
            if job.total is not None:
                job.done = job.total
            self._save(job)

    def wait(self, job_id: str, timeout: float | None = None) -> Job:
        """Block until a job ends (tests, shutdown) and return it."""
        thread = self._threads[job_id]
        thread.join(timeout)
        job = self.get(job_id)
        assert job is not None
        return job

    def shutdown(self, timeout: float = 10.0) -> None:
        """Cancel running jobs and wait for their threads (server shutdown)."""
        with self._lock:
            self._stopping = True
            events = list(self._cancel.values())
            threads = list(self._threads.values())
        for e in events:
            e.set()
        for t in threads:
            t.join(timeout)
