"""The perception chunk store: each part of an input perceived to disk, resumably.

:func:`facs.code` (and each task of :func:`facs.code_many`) perceives an input
in parts (time ranges), each into ``partP_NNNNN.npz`` chunks of
:data:`CHUNK_FRAMES` frames, written atomically and fsynced; an interrupted
part resumes after its last good chunk. The split itself is stored
(``spans.json``) so a resumed run keeps it. This module imports no pandas and
no AU model: a process that only perceives starts fast.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from facs._errors import FACSError, InputError
from facs._progress import Progress
from facs.face._appearance import APPEARANCE_POINTS
from facs.face._hands import LOOK_FIELDS, hands_unavailable

__all__ = ["CHUNK_FRAMES", "stored_spans"]

#: Frames per perception chunk on disk.
CHUNK_FRAMES = 256


def _store_key(path: Path, start: float | None, end: float | None, max_faces: int) -> str:
    st = path.stat() if path.is_file() else None
    ident = f"{path.resolve()}|{st.st_size if st else ''}|{st.st_mtime_ns if st else ''}"
    hands = "hands" if hands_unavailable() is None else "no-hands"  # a store is one or the other
    # v3: chunks carry looks for hands; v4: a lone face is never smoothed (Landmarker.num_faces)
    ident += f"|{start}|{end}|{max_faces}|{hands}|v4"
    return hashlib.sha1(ident.encode()).hexdigest()[:16]


def _save_chunk(target: Path, rows: list[Any]) -> None:
    """Write one chunk of FrameFaces atomically."""
    frames = np.array([(r.frame, r.time_s, r.width, r.height) for r in rows], dtype=np.float64)
    faces = [(r.frame, f) for r in rows for f in r.faces]
    n = len(faces)
    n_samples = len(APPEARANCE_POINTS)
    n_points, n_shapes = (
        (faces[0][1].landmarks.shape[0], faces[0][1].blendshapes.shape[0]) if n else (478, 52)
    )
    data: dict[str, Any] = {
        "frames": frames.reshape(-1, 4),
        "face_frame": np.array([i for i, _ in faces], dtype=np.int64),
        "face_id": np.array([f.face for _, f in faces], dtype=np.int64),
        "landmarks": np.array([f.landmarks for _, f in faces], dtype=np.float32).reshape(
            n, n_points, 3
        ),
        "blendshapes": np.array([f.blendshapes for _, f in faces], dtype=np.float32).reshape(
            n, n_shapes
        ),
        "pose": np.array([(f.yaw, f.pitch, f.roll) for _, f in faces], dtype=np.float32).reshape(
            n, 3
        ),
        "confidence": np.array([f.confidence for _, f in faces], dtype=np.float32),
        "appearance": np.array(
            [
                f.appearance if f.appearance is not None else np.zeros((n_samples, 3), np.uint8)
                for _, f in faces
            ],
            dtype=np.uint8,
        ).reshape(n, n_samples, 3),
        "hand": np.array(
            [f.hand if f.hand is not None else np.full(len(LOOK_FIELDS), np.nan) for _, f in faces],
            dtype=np.float32,
        ).reshape(n, len(LOOK_FIELDS)),
    }
    # Not *.npz (never globbed as a chunk), one per process (two writers never share one).
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        np.savez(handle, **data)
        handle.flush()
        os.fsync(handle.fileno())  # on disk before it is named: a crash leaves no half chunk
    tmp.replace(target)
    _fsync_dir(target.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


#: What a damaged chunk raises when read (truncated zip, bad header, object arrays).
_BAD_CHUNK = (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile)
_CHUNK_KEYS = ("frames", "face_frame", "face_id", "landmarks", "blendshapes", "pose", "confidence",
               "appearance", "hand")  # fmt: skip


def _load_chunk(path: Path) -> dict[str, np.ndarray]:
    with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as z:
        out = {k: z[k] for k in z.files}
    missing = [k for k in _CHUNK_KEYS if k not in out]
    if missing:
        raise KeyError(f"{path.name}: no {', '.join(missing)}")
    return out


def _good_chunks(folder: Path, part: int) -> list[tuple[Path, np.ndarray]]:
    """The part's chunks that read back whole, in order, each with its ``frames`` array.

    A chunk cut short by a crash or a full disk, or emptied by hand, is
    deleted with every later chunk of its part, so the part resumes from the
    last good one instead of failing every rerun. Each chunk is read once
    here; the resume point and the progress count use what was read.
    """
    chunks = sorted(folder.glob(f"part{part}_*.npz"))
    good: list[tuple[Path, np.ndarray]] = []
    for k, chunk in enumerate(chunks):
        try:
            good.append((chunk, _load_chunk(chunk)["frames"]))
        except _BAD_CHUNK:
            for later in chunks[k:]:
                later.unlink(missing_ok=True)
            (folder / f"part{part}.done").unlink(missing_ok=True)
            break
    return good


def _perceive_part(
    path: str,
    store: str,
    part: int,
    start: float | None,
    end: float | None,
    max_faces: int,
    fps: float | None,
    counter: Any = None,
) -> None:
    """Perceive one time range into ``store/part{part}_*.npz``, resuming if chunks exist."""
    from facs.face import perceive, probe

    folder = Path(store)
    done_marker = folder / f"part{part}.done"
    chunks = _good_chunks(folder, part)
    if done_marker.exists():
        return
    resume = start
    last_index = -1
    if chunks:
        last = chunks[-1][1]
        if len(last):
            resume = float(last[-1, 1])
            last_index = int(last[-1, 0])
        if counter is not None:
            with counter.get_lock():
                counter.value += sum(len(frames) for _, frames in chunks)
    info = probe(path, fps=fps)
    rows: list[Any] = []
    number = len(chunks)
    for item in perceive(path, info=info, start=resume, end=end, max_faces=max_faces, fps=fps):
        if item.frame <= last_index:  # already stored before the interruption
            continue
        rows.append(item)
        if counter is not None:
            with counter.get_lock():
                counter.value += 1
        if len(rows) >= CHUNK_FRAMES:
            _save_chunk(folder / f"part{part}_{number:05d}.npz", rows)
            number += 1
            rows = []
    if rows:
        _save_chunk(folder / f"part{part}_{number:05d}.npz", rows)
    done_marker.touch()


def _worker_entry(args: tuple[Any, ...]) -> str | None:
    try:
        _perceive_part(*args)
    except FACSError as err:
        return str(err)
    return None


#: Shortest time range one perception process is given (seconds): ``--workers`` beyond
#: a clip's length over this is not used.
MIN_PART_S = 1.0


def _ranges(
    start: float | None, end: float | None, duration: float | None, workers: int
) -> list[tuple[float | None, float | None]]:
    if workers <= 1 or not duration:
        return [(start, end)]
    t0 = start or 0.0
    t1 = min(end, duration) if end is not None else duration
    edges = np.linspace(t0, t1, workers + 1)
    spans: list[tuple[float | None, float | None]] = []
    for i in range(workers):
        spans.append(
            (start if i == 0 else float(edges[i]), end if i == workers - 1 else float(edges[i + 1]))
        )
    return spans


def stored_spans(
    store: Path, spans: list[tuple[float | None, float | None]]
) -> list[tuple[float | None, float | None]]:
    """The time ranges of the store's parts: those stored by an earlier run, else ``spans``.

    An interrupted run resumed with another number of workers (or another
    batch cut) must keep the parts its chunks belong to, or frames would be
    perceived twice or not at all; the first run writes its cut beside them.
    """
    from facs.formats._atomic import write_text_atomic

    saved = store / "spans.json"
    try:
        return [(a, b) for a, b in json.loads(saved.read_text())["spans"]]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    store.mkdir(parents=True, exist_ok=True)
    write_text_atomic(saved, json.dumps({"spans": spans}))
    return spans


def _run_perception(
    path: Path,
    store: Path,
    *,
    start: float | None,
    end: float | None,
    max_faces: int,
    workers: int,
    fps: float | None,
    expected: int | None,
    progress: Progress | None,
) -> int:
    """Perceive the whole input into ``store``; returns the number of parts."""
    from facs.face import probe

    info = probe(path, fps=fps)
    parts = workers if info.kind == "video" else 1
    if info.duration_s:
        # no part shorter than MIN_PART_S: a process costs about a second to start
        span = (min(end, info.duration_s) if end is not None else info.duration_s) - (start or 0)
        parts = max(1, min(parts, int(span // MIN_PART_S)))
    wanted = _ranges(start, end, info.duration_s, parts)
    spans = stored_spans(store, wanted)
    # This process perceives part 0 itself while children take the others: one process
    # start-up less, and the imports already made here are not paid again.
    ctx = mp.get_context("spawn")
    shared = ctx.Value("l", 0)
    jobs = [(str(path), str(store), i, s, e, max_faces, fps) for i, (s, e) in enumerate(spans)]
    pool = (
        ctx.Pool(len(jobs) - 1, initializer=_init_worker, initargs=(shared,))
        if len(jobs) > 1
        else None
    )
    import threading

    stop = threading.Event()
    shown = -1

    def tick() -> None:
        nonlocal shown
        if progress is not None and shared.value != shown:
            shown = shared.value
            progress(shown, expected)

    def watch() -> None:
        while not stop.wait(0.2):
            tick()

    watcher = threading.Thread(target=watch, daemon=True)
    errors: list[str] = []
    try:
        result = pool.map_async(_worker_entry_shared, jobs[1:]) if pool is not None else None
        watcher.start()
        error = _worker_entry((*jobs[0], shared))
        if error:
            errors.append(error)
        if result is not None:
            while not result.ready():
                result.wait(0.2)
            errors += [e for e in result.get() if e]
    finally:
        stop.set()
        if watcher.is_alive():
            watcher.join()
        if pool is not None:
            pool.terminate()
            pool.join()
    tick()
    if errors:
        raise InputError(errors[0])
    return len(spans)


_SHARED: Any = None


def _init_worker(shared: Any) -> None:
    global _SHARED
    _SHARED = shared


def _worker_entry_shared(args: tuple[Any, ...]) -> str | None:
    return _worker_entry((*args, _SHARED))
