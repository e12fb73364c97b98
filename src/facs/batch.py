"""Many videos, many machines: :func:`code_many` (``facs batch``) on Dask distributed.

>>> import facs
>>> result = facs.code_many(["sessions/"], "out/")  # doctest: +SKIP
>>> result.status[["video", "status", "frames", "faces", "seconds", "error"]]  # doctest: +SKIP
>>> result.frames()  # every video's frames as one table, a ``video`` column added  # doctest: +SKIP

Inputs are files, folders (their videos, recursively), glob patterns, or a
manifest: a CSV with a ``path`` column and, optionally, ``start``, ``end``,
``neutral`` (a span ``START-END``), ``actor`` (an actor file) and ``name``.
Each video is coded into ``OUT/<name>/`` exactly as ``facs code -o
OUT/<name>`` would, and the batch adds:

- ``OUT/dataset/frames/video=<name>/part.parquet`` and
  ``OUT/dataset/events/video=<name>/part.parquet``: one partitioned Parquet
  dataset each, which ``pandas.read_parquet`` and ``dask.dataframe.read_parquet``
  read as one table (the ``video`` column comes from the folder names);
- ``OUT/status.csv``: one row per video (video, path, status, frames, faces,
  events, seconds, error), rewritten as each video finishes.

How the work is cut: a video is split into time ranges (parts) so that every
worker has work (about one part per worker for one long video, one part per
clip for many short ones; at most :data:`MAX_PART_S` seconds a part, so a
long video spreads and a worker's memory stays flat). Each part is perceived
by one task into the video's chunk store (``OUT/<name>/.facs-work``); a last
task per video stitches the parts' face ids, estimates the AUs and writes the
outputs. Every file is written atomically under a name fixed by the video and
part, so a task that Dask reruns after its worker died rewrites the same files:
each video is in the dataset exactly once. Rerunning the same command skips
finished videos and resumes partial ones from their chunks.
"""

from __future__ import annotations

import contextlib
import glob as globlib
import math
import os
import re
import shutil
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from facs._errors import FACSError, InputError, ParameterError
from facs._validate import check_max_faces, parse_span

__all__ = ["BatchItem", "BatchResult", "BatchState", "code_many", "expand_inputs"]

#: Longest time range one task perceives (seconds): longer videos are split.
MAX_PART_S = 300.0
#: Shortest part worth a task of its own (seconds).
MIN_PART_S = 10.0
#: Columns of status.csv.
STATUS_COLUMNS = ("video", "path", "status", "frames", "faces", "events", "seconds", "error")
#: Video files a folder is searched for.
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".mpg", ".mpeg"})
#: Columns a manifest may have.
MANIFEST_COLUMNS = ("path", "start", "end", "neutral", "actor", "name")
DATASET = "dataset"
STATUS = "status.csv"
LOCK = ".facs-batch-lock"


# ------------------------------------------------------------------------ inputs


@dataclass(frozen=True)
class BatchItem:
    """One video of a batch and how to code it."""

    path: Path
    name: str
    start: float | None = None
    end: float | None = None
    neutral: tuple[float, float] | None = None
    actor: Path | None = None


def _is_glob(text: str) -> bool:
    return any(ch in text for ch in "*?[")


def _videos_in(folder: Path) -> list[Path]:
    found = [
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix.lower() in VIDEO_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    ]
    return sorted(found)


def _separator(path: Path) -> str:
    """A manifest's field separator: tabs in a ``.tsv``, commas in a ``.csv``."""
    return "\t" if path.suffix.lower() == ".tsv" else ","


def _manifest_columns(path: Path) -> list[str] | None:
    """The header of a CSV or TSV if it is a manifest (has a ``path`` column), else None."""
    from facs.formats._delimited import records

    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    rows = records(text[:65536].split("\n", 1)[0], sep=_separator(path))
    header = [c.strip().lower() for c in rows[0][1]] if rows else []
    return header if "path" in header else None


def _number(text: str, what: str, where: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        if "_" in text:  # float() reads "1_0" as 10
            raise ValueError(text)
        value = float(text)
    except ValueError:
        raise InputError(f"{where}: {what} {text!r} is not a number of seconds") from None
    if not (math.isfinite(value) and value >= 0):
        raise InputError(f"{where}: {what} must be a finite number of seconds >= 0, got {text}")
    return value


def read_manifest(path: str | Path) -> list[BatchItem]:
    """The items of a manifest CSV (relative paths are relative to the manifest's folder).

    Raises
    ------
    InputError
        No ``path`` column, an unknown column, an empty path, a bad time or
        span (file and line named).
    """
    from facs.formats._delimited import records

    src = Path(path)
    try:
        text = src.read_text(encoding="utf-8-sig")
    except OSError as err:
        raise InputError(f"{src}: cannot read the manifest ({err.strerror or err})") from None
    except UnicodeDecodeError:
        raise InputError(f"{src}: the manifest is not UTF-8 text") from None
    rows = records(text, sep=_separator(src))
    if not rows:
        raise InputError(f"{src}: the manifest is empty")
    header = [c.strip().lower() for c in rows[0][1]]
    twice = sorted({c for c in header if header.count(c) > 1})
    if twice:
        raise InputError(f"{src} line {rows[0][0]}: column(s) {', '.join(map(repr, twice))} "
                         "given twice")  # fmt: skip
    unknown = [c for c in header if c not in MANIFEST_COLUMNS]
    if unknown:
        raise InputError(
            f"{src} line {rows[0][0]}: unknown column(s) {', '.join(map(repr, unknown))}; "
            f"a manifest has {', '.join(MANIFEST_COLUMNS)} (only path is required)"
        )
    if "path" not in header:
        raise InputError(f"{src}: no 'path' column in the manifest")
    items = []
    for line, row in rows[1:]:
        where = f"{src} line {line}"
        if not any(c.strip() for c in row):
            continue  # a row of empty fields (",,") is a blank line
        if len(row) > len(header):
            raise InputError(f"{where}: {len(row)} fields where the header has {len(header)}")
        cell = dict(zip(header, [c.strip() for c in row] + [""] * (len(header) - len(row)),
                        strict=True))  # fmt: skip
        if not cell["path"]:
            raise InputError(f"{where}: empty path")
        video = Path(cell["path"]).expanduser()
        if not video.is_absolute():
            video = src.parent / video
        neutral = None
        if cell.get("neutral"):
            try:
                neutral = parse_span(cell["neutral"])
            except InputError as err:
                raise InputError(f"{where}: neutral: {err}") from None
        start = _number(cell.get("start", ""), "start", where)
        end = _number(cell.get("end", ""), "end", where)
        if start is not None and end is not None and end <= start:
            raise InputError(f"{where}: end {end:g} is not after start {start:g}")
        actor = cell.get("actor") or None
        actor_path = None
        if actor:
            actor_path = Path(actor).expanduser()
            if not actor_path.is_absolute():
                actor_path = src.parent / actor_path
        items.append(
            BatchItem(
                video, cell.get("name", ""), start=start, end=end, neutral=neutral, actor=actor_path
            )
        )
    if not items:
        raise InputError(f"{src}: the manifest lists no video (a header and no rows)")
    return items


#: Output names a video cannot have: ``OUT/dataset/`` is the Parquet dataset (a video
#: called ``dataset`` is coded into ``OUT/dataset-2/``).
RESERVED_NAMES = frozenset({"dataset"})


def _safe_name(text: str) -> str:
    """A folder name that is also a safe Parquet partition value."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "video"
    return name[:120]


def expand_inputs(inputs: Sequence[str | Path]) -> list[BatchItem]:
    """The videos a batch codes, each with a unique output name, in input order.

    Each input is a video or image file, a folder (its videos, recursively;
    hidden folders such as ``.facs-work`` are skipped), a glob pattern, or a
    manifest CSV (:func:`read_manifest`). The same file with the same options
    given twice is coded once. Names are the file stems (or a manifest's
    ``name``), made safe for folder names; on a clash the suffix is added when
    it tells the files apart (``take_mov``, ``take_mp4``), else the parent
    folder's name goes in front; then ``-2``, ``-3`` … (also for a video called
    ``dataset``, the dataset's folder). A ``.csv`` or ``.tsv`` input must be a manifest.

    Raises
    ------
    InputError
        A path that does not exist, a folder with no video, a pattern that
        matches nothing, a bad manifest; no input at all.
    """
    items: list[BatchItem] = []
    for entry in inputs:
        text = str(entry)
        p = Path(text).expanduser()
        if p.is_dir():
            found = _videos_in(p)
            if not found:
                raise InputError(
                    f"{p}: no video in this folder ({', '.join(sorted(VIDEO_SUFFIXES))}); "
                    "to code a folder of images as one clip, use facs code"
                )
            items += [BatchItem(v, "") for v in found]
        elif p.is_file() and p.suffix.lower() in (".csv", ".tsv"):
            if not _manifest_columns(p):  # a table is never a video
                raise InputError(
                    f"{p}: not a manifest: its first line must name a 'path' column "
                    f"(and any of {', '.join(c for c in MANIFEST_COLUMNS if c != 'path')}), "
                    f"separated by {'tabs' if p.suffix.lower() == '.tsv' else 'commas'}"
                )
            items += read_manifest(p)
        elif p.is_file():
            items.append(BatchItem(p, ""))
        elif _is_glob(text):
            matched = sorted(Path(m) for m in globlib.glob(text, recursive=True))
            files = [m for m in matched if m.is_file()]
            if not files:
                raise InputError(f"{text}: the pattern matches no file")
            items += [BatchItem(m, "") for m in files]
        else:
            from facs.face._video import missing_message

            raise InputError(missing_message(Path(text)))
    if not items:
        raise InputError("no input to code")
    unique: list[BatchItem] = []
    seen: set[tuple[Any, ...]] = set()
    for item in items:
        key = (item.path.resolve(), item.start, item.end, item.neutral, item.actor, item.name)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return _name(unique)


def _name(items: list[BatchItem]) -> list[BatchItem]:
    """Unique output names: the stem; on a clash the stem and its suffix (``take_mov``)
    when that tells them apart, else the parent folder in front; then ``-2``, ``-3`` …"""
    stems = [_safe_name(i.name or i.path.stem) for i in items]
    groups: dict[str, list[BatchItem]] = {}
    for item, stem in zip(items, stems, strict=True):
        groups.setdefault(stem, []).append(item)
    # out/dataset/ holds the Parquet dataset; names are compared casefolded, since on a
    # case-insensitive disk (macOS, Windows) "Dataset" and "Take"/"take" are one folder
    taken: set[str] = {n.casefold() for n in RESERVED_NAMES}
    named = []
    for item, stem in zip(items, stems, strict=True):
        base = stem
        group = groups[stem]
        if len(group) > 1 and not item.name:
            suffixes = [i.path.suffix.lower() for i in group]
            if len(set(suffixes)) == len(suffixes):
                base = _safe_name(f"{item.path.stem}_{item.path.suffix.lstrip('.')}")
            else:
                base = _safe_name(f"{item.path.parent.name}_{item.path.stem}")
        name, k = base, 2
        while name.casefold() in taken:
            name, k = f"{base}-{k}", k + 1
        taken.add(name.casefold())
        named.append(BatchItem(item.path, name, item.start, item.end, item.neutral, item.actor))
    return named


# ------------------------------------------------------------------------- plan


@dataclass
class _Job:
    """One video's plan: where it goes, how it is cut, what it was made with."""

    item: BatchItem
    outdir: Path
    store: Path
    range_s: tuple[float, float] | None  # the video's coded range (None: a still or a folder)
    settings: dict[str, Any]
    expected: int | None


def part_seconds(spans_s: Sequence[float], workers: int) -> float:
    """Length of a part so that ``workers`` have even work: total / workers, 10–300 s.

    >>> part_seconds([79.0], 2), part_seconds([20.0] * 8, 2), part_seconds([7200.0], 4)
    (39.5, 80.0, 300.0)
    """
    total = sum(spans_s)
    return min(MAX_PART_S, max(MIN_PART_S, total / max(workers, 1)))


def _n_parts(span_s: float, part_s: float) -> int:
    return max(1, math.ceil(span_s / part_s - 1e-6))


# ------------------------------------------------------------------------ tasks


def _quiet() -> contextlib.AbstractContextManager[Any]:
    from facs.face._quiet import quiet_native_logs

    return quiet_native_logs()


def _perceive_task(
    path: str, store: str, part: int, start: float | None, end: float | None,
    max_faces: int, fps: float | None,
) -> dict[str, Any]:  # fmt: skip
    """Perceive one part (runs on a worker); errors in the input come back as text."""
    from facs._chunks import _perceive_part

    began = time.time()
    try:
        with _quiet():
            _perceive_part(path, store, part, start, end, max_faces, fps)
    except FACSError as err:
        return {"part": part, "began": began, "error": str(err)}
    return {"part": part, "began": began, "error": None}


def _dataset_file(out: Path, table: str, name: str) -> Path:
    return out / DATASET / table / f"video={name}" / "part.parquet"


_INT_COLUMNS = {"frame", "face", "success", "onset_frame", "apex_frame", "offset_frame"}
_STR_COLUMNS = {"code", "side", "letter", "column", "apex_code"}


def _write_dataset_part(table: pd.DataFrame, columns: Sequence[str], target: Path) -> None:
    """One video's rows, every video with the same schema, written atomically."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays, fields = [], []
    for c in columns:
        if c in _INT_COLUMNS:
            kind = pa.int64()
        elif c in _STR_COLUMNS:
            kind = pa.string()
        else:
            kind = pa.float64()
        if c in table.columns:
            values = table[c]
            if c in _STR_COLUMNS:
                values = values.astype(object).where(values.notna(), None)
            arrays.append(pa.array(values.to_numpy(), type=kind, from_pandas=True))
        else:
            arrays.append(pa.nulls(len(table), type=kind))
        fields.append(pa.field(c, kind))
    data = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    pq.write_table(data, tmp)
    tmp.replace(target)


def _frame_columns() -> list[str]:
    from facs.au._visibility import VISIBILITY_COLUMNS
    from facs.series import BOX_COLUMNS, FRAME_COLUMNS

    return [*FRAME_COLUMNS, *BOX_COLUMNS, *VISIBILITY_COLUMNS, "code"]


def _finish_task(job: dict[str, Any], *parts: dict[str, Any]) -> dict[str, Any]:
    """Estimate, write one video's outputs and dataset parts (runs on a worker)."""
    from facs._outputs import COMPLETE, mark_complete
    from facs.au._calibration import read_actor
    from facs.coding import finish
    from facs.face import probe
    from facs.timeline import EVENT_TABLE_COLUMNS

    row = _row(job["name"], job["path"])
    began = min((p["began"] for p in parts), default=time.time())
    errors = [p["error"] for p in parts if p["error"]]
    if errors:
        return {**row, "status": "failed", "error": errors[0],
                "seconds": round(time.time() - began, 2)}  # fmt: skip
    out, outdir, store = Path(job["out"]), Path(job["outdir"]), Path(job["store"])
    try:
        with _quiet():
            src = Path(job["path"])
            info = probe(src, fps=job["fps"])
            actor = read_actor(job["actor"]) if job["actor"] else None
            coding = finish(
                src, info, store, len(parts), start=job["start"], end=job["end"],
                neutral=job["neutral"], raw=False, actor=actor,
                began=time.perf_counter() - (time.time() - began), workers=job["workers"],
            )  # fmt: skip
            (outdir / COMPLETE).unlink(missing_ok=True)
            coding.save(outdir, formats=tuple(job["formats"]), plot=job["plot"])
    except FACSError as err:
        return {**row, "status": "failed", "error": str(err),
                "seconds": round(time.time() - began, 2)}  # fmt: skip
    _write_dataset_part(coding.frames, _frame_columns(), _dataset_file(out, "frames", job["name"]))
    _write_dataset_part(
        coding.events, EVENT_TABLE_COLUMNS, _dataset_file(out, "events", job["name"])
    )
    mark_complete(outdir, job["settings"])  # last: the set is whole
    shutil.rmtree(store.parent, ignore_errors=True)
    s = coding.summary
    return {
        **row, "status": "coded", "frames": s.frames, "faces": s.faces,
        "events": len(coding.events), "seconds": round(time.time() - began, 2),
    }  # fmt: skip


def _row(name: str, path: str | Path) -> dict[str, Any]:
    return {"video": name, "path": str(path), "status": "", "frames": None, "faces": None,
            "events": None, "seconds": None, "error": None}  # fmt: skip


# ----------------------------------------------------------------------- result


@dataclass
class BatchState:
    """Where a batch stands, for a progress display."""

    videos_done: int = 0
    videos_total: int = 0
    failed: int = 0
    frames_done: int = 0
    frames_total: int | None = None
    dashboard: str | None = None
    workers: int = 0


BatchProgress = Callable[[BatchState], None]


@dataclass
class BatchResult:
    """What :func:`code_many` did: one status row per video, and where the outputs are."""

    out: Path
    status: pd.DataFrame
    elapsed_s: float = 0.0
    workers: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> pd.DataFrame:
        """The rows of videos that could not be coded, with their errors."""
        return self.status[self.status["status"] == "failed"]

    def frames(self) -> pd.DataFrame:
        """Every coded video's frames as one table (a ``video`` column says whose)."""
        return _read_dataset(self.out / DATASET / "frames")

    def events(self) -> pd.DataFrame:
        """Every coded video's events as one table (a ``video`` column says whose)."""
        return _read_dataset(self.out / DATASET / "events")


def _read_dataset(folder: Path) -> pd.DataFrame:
    if not folder.is_dir() or not any(folder.glob("video=*/part.parquet")):
        return pd.DataFrame()
    # part by part: a part written by an older facs may lack a newer column (unscorable),
    # and a dataset read at once takes its columns from the first part
    parts = sorted(folder.glob("video=*/part.parquet"))
    tables = [pd.read_parquet(p).assign(video=p.parent.name.split("=", 1)[1]) for p in parts]
    table = pd.concat(tables, ignore_index=True)
    table["video"] = table["video"].astype(str)
    return table


def _status_table(rows: dict[str, dict[str, Any]], order: list[str]) -> pd.DataFrame:
    table = pd.DataFrame([rows[n] for n in order if n in rows], columns=list(STATUS_COLUMNS))
    for column in ("frames", "faces", "events"):
        table[column] = table[column].astype("Int64")
    table["seconds"] = table["seconds"].astype("float64")
    return table


def _write_status(out: Path, rows: dict[str, dict[str, Any]], order: list[str]) -> None:
    from facs.formats._atomic import write_text_atomic

    write_text_atomic(out / STATUS, _status_table(rows, order).to_csv(index=False))


def _locked(out: Path) -> contextlib.AbstractContextManager[None]:
    from facs._outputs import locked

    return locked(out, lock=LOCK, who="batch")


@contextlib.contextmanager
def _client(
    client: Any, scheduler: str | None, workers: int | None
) -> Iterator[tuple[Any, str | None]]:
    """The Dask client to use: the one given, one on ``scheduler``, or a LocalCluster's."""
    if client is not None:
        yield client, _dashboard(client)
        return
    import logging

    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            own = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as err:
            raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {err}") from None
        try:
            yield own, _dashboard(own)
        finally:
            own.close()
        return
    n = workers or os.cpu_count() or 1
    # Worker processes start with Ctrl-C ignored (an ignored signal stays ignored in the
    # child): the terminal sends SIGINT to the whole group, and each worker printed a
    # traceback of its own while this process was already closing the cluster.
    main = threading.current_thread() is threading.main_thread()
    before = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        cluster = LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
            silence_logs=logging.ERROR,
        )  # fmt: skip
    finally:
        if main:
            signal.signal(signal.SIGINT, before)
    try:
        own = Client(cluster)
        try:
            yield own, _dashboard(own)
        finally:
            own.close()
    finally:
        cluster.close()


def _dashboard(client: Any) -> str | None:
    try:
        services = client.scheduler_info().get("services", {})
    except Exception:
        return None
    return str(client.dashboard_link) if "dashboard" in services else None


def _n_workers(client: Any) -> int:
    info = client.scheduler_info()
    return max(1, sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values()))


def _frames_seen(store: Path) -> int:
    from facs._chunks import CHUNK_FRAMES

    return len(list(store.glob("part*_*.npz"))) * CHUNK_FRAMES if store.is_dir() else 0


# ------------------------------------------------------------------------- main


def code_many(
    inputs: Sequence[str | Path],
    out: str | Path,
    *,
    client: Any = None,
    scheduler: str | None = None,
    workers: int | None = None,
    max_faces: int = 4,
    fps: float | None = None,
    part_s: float | None = None,
    formats: Sequence[str] = ("csv",),
    plot: bool = True,
    force: bool = False,
    progress: BatchProgress | None = None,
) -> BatchResult:
    """Code many videos on Dask distributed (the engine of ``facs batch``).

    Parameters
    ----------
    inputs
        Files, folders, glob patterns and manifests (:func:`expand_inputs`).
    out
        Output folder: ``out/<name>/`` per video, ``out/dataset/`` and
        ``out/status.csv`` (see the module notes).
    client
        A ``distributed.Client`` to run on (yours: it is left open).
    scheduler
        Address of a running scheduler (``tcp://host:8786``), e.g. one that
        dask-jobqueue or dask-kubernetes started; workers must see the same
        files at the same paths.
    workers
        Worker processes of the LocalCluster started when neither ``client``
        nor ``scheduler`` is given (default: one per core).
    max_faces, fps
        As :func:`facs.code`.
    part_s
        Longest time range a task perceives (default: :func:`part_seconds`).
    formats
        ``("csv",)`` or ``("csv", "parquet")`` per video (the dataset is always Parquet).
    plot
        Write each video's timeline.png.
    force
        Recode finished videos.
    progress
        Called with a :class:`BatchState` as work advances.

    Returns
    -------
    BatchResult
        A video that cannot be coded (missing, corrupt, no face …) is a
        ``failed`` row with its error; the others are coded.

    Raises
    ------
    InputError
        No input, a bad manifest, an unwritable output, an unreachable scheduler.
    """
    from facs._chunks import _store_key
    from facs._outputs import WORK, finished, output_settings
    from facs.face import probe

    check_max_faces(max_faces)
    if workers is not None and workers < 1:
        raise ParameterError(f"workers must be at least 1, got {workers}")
    if part_s is not None and not (math.isfinite(part_s) and part_s > 0):
        raise ParameterError(f"part_s must be a positive number of seconds, got {part_s}")
    fmt = "parquet" if "parquet" in formats else "csv"
    items = expand_inputs(inputs)
    root = Path(out)
    began = time.perf_counter()
    rows: dict[str, dict[str, Any]] = {}
    order = [i.name for i in items]
    state = BatchState(videos_total=len(items))
    with _locked(root):
        jobs: list[_Job] = []
        for item in items:
            row = _row(item.name, item.path)
            outdir = root / item.name
            try:
                info = probe(item.path, fps=fps)
                if item.actor is not None and not item.actor.is_file():
                    raise InputError(f"{item.actor}: no such actor file")
                if (item.start is not None and info.duration_s is not None
                        and item.start >= info.duration_s):  # fmt: skip
                    raise InputError(
                        f"start {item.start:g} s is past the end ({info.duration_s:g} s)"
                    )
            except FACSError as err:
                rows[item.name] = {**row, "status": "failed", "error": str(err)}
                state.videos_done += 1
                state.failed += 1
                continue
            neutral = None if item.neutral is None else f"{item.neutral[0]:g}-{item.neutral[1]:g}"
            settings = output_settings(
                item.path, start=item.start, end=item.end, neutral=neutral, format=fmt,
                raw=False, max_faces=max_faces, fps=fps, actor=item.actor, plot=plot,
            )  # fmt: skip
            frames_file = _dataset_file(root, "frames", item.name)
            if not force and finished(outdir, settings) and frames_file.exists():
                rows[item.name] = _done_before(item, outdir)
                state.videos_done += 1
                continue
            expected = info.n_frames
            if expected and info.fps and (item.start is not None or item.end is not None):
                t0 = item.start or 0.0
                t1 = item.end if item.end is not None else (info.duration_s or t0)
                expected = max(1, round((t1 - t0) * info.fps))
            store = outdir / WORK / _store_key(item.path, item.start, item.end, max_faces)
            range_s = None
            if info.kind == "video" and info.duration_s:
                t1 = min(item.end, info.duration_s) if item.end is not None else info.duration_s
                range_s = (item.start or 0.0, t1)  # cut into parts once workers are known
            jobs.append(_Job(item, outdir, store, range_s, settings, expected))
        state.frames_total = sum(j.expected or 0 for j in jobs) or None
        if progress is not None:
            progress(state)
        if jobs:
            _run(jobs, root, rows, order, state, client=client, scheduler=scheduler,
                 workers=workers, max_faces=max_faces, fps=fps, part_s=part_s,
                 formats=("csv", "parquet") if fmt == "parquet" else ("csv",), plot=plot,
                 progress=progress)  # fmt: skip
        _write_status(root, rows, order)
    table = _status_table(rows, order)
    return BatchResult(root, table, time.perf_counter() - began, state.workers)


def _done_before(item: BatchItem, outdir: Path) -> dict[str, Any]:
    from facs._summary import Summary

    row = {**_row(item.name, item.path), "status": "done before"}
    try:
        s = Summary.read(outdir / "summary.json")
    except InputError:
        return row
    events = sum(c.events for f in s.per_face.values() for c in f.codes.values())
    return {**row, "frames": s.frames, "faces": s.faces, "events": events, "seconds": 0.0}


def _split(job: _Job, part_s: float) -> list[tuple[float | None, float | None]]:
    """The job's parts: the split already stored (a resumed run keeps it), else a new one."""
    from facs._chunks import _ranges, stored_spans

    if job.range_s is None:
        wanted: list[tuple[float | None, float | None]] = [(job.item.start, job.item.end)]
    else:
        t0, t1 = job.range_s
        wanted = _ranges(job.item.start, job.item.end, t1, _n_parts(t1 - t0, part_s))
    return stored_spans(job.store, wanted)


def _run(
    jobs: list[_Job], root: Path, rows: dict[str, dict[str, Any]], order: list[str],
    state: BatchState, *, client: Any, scheduler: str | None, workers: int | None,
    max_faces: int, fps: float | None, part_s: float | None, formats: tuple[str, ...],
    plot: bool, progress: BatchProgress | None,
) -> None:  # fmt: skip
    from distributed import as_completed

    token = uuid.uuid4().hex[:8]
    with _client(client, scheduler, workers) as (dask, dashboard):
        if scheduler is not None or client is not None:
            dask.wait_for_workers(1, timeout=120)
        n = _n_workers(dask)
        state.dashboard = dashboard
        state.workers = n
        lengths = [j.range_s[1] - j.range_s[0] for j in jobs if j.range_s is not None]
        size = part_s or part_seconds(lengths or [0.0], n)
        finals = {}
        for job in jobs:
            spans = _split(job, size)
            name = job.item.name
            perceived = [
                dask.submit(
                    _perceive_task,
                    str(job.item.path),
                    str(job.store),
                    k,
                    a,
                    b,
                    max_faces,
                    fps,
                    key=f"facs-perceive-{name}-{k}-{token}",
                    pure=False,
                )
                for k, (a, b) in enumerate(spans)
            ]
            spec = {
                "name": name, "path": str(job.item.path), "out": str(root),
                "outdir": str(job.outdir), "store": str(job.store), "fps": fps,
                "start": job.item.start, "end": job.item.end, "neutral": job.item.neutral,
                "actor": str(job.item.actor) if job.item.actor else None,
                "formats": list(formats), "plot": plot, "settings": job.settings,
                "workers": len(spans),
            }  # fmt: skip
            final = dask.submit(
                _finish_task, spec, *perceived, key=f"facs-finish-{name}-{token}", pure=False
            )
            finals[final] = job
        pending = as_completed(list(finals))
        try:
            while not pending.is_empty():
                batch = pending.next_batch(block=False) if pending.has_ready() else []
                for done in batch:
                    job = finals[done]
                    try:
                        row = done.result()
                    except Exception as err:
                        row = {**_row(job.item.name, job.item.path), "status": "failed",
                               "error": f"{type(err).__name__}: {err}"}  # fmt: skip
                    rows[job.item.name] = row
                    state.videos_done += 1
                    state.failed += row["status"] == "failed"
                    _write_status(root, rows, order)
                if not batch:
                    time.sleep(0.25)
                _tick(jobs, finals, state, progress)
        except BaseException:
            dask.cancel(list(finals), force=True)
            raise


def _tick(
    jobs: list[_Job], finals: dict[Any, _Job], state: BatchState, progress: BatchProgress | None
) -> None:
    if progress is None:
        return
    done = {finals[f].item.name for f in finals if f.done()}
    seen = 0
    for job in jobs:
        if job.item.name in done:
            seen += job.expected or 0
        else:
            seen += min(_frames_seen(job.store), job.expected or 10**12)
    state.frames_done = seen
    progress(state)
