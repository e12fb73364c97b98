"""Automatic coding: a video, image or image folder in; AU curves, events and FACS strings out.

>>> import facs
>>> coding = facs.code("take.mp4")  # doctest: +SKIP
>>> coding.frames[["time_s", "AU12", "code"]].head()  # doctest: +SKIP
>>> coding.events  # doctest: +SKIP
>>> coding.save("out/")  # doctest: +SKIP

The run has three stages (DESIGN.md, data flow):

1. perception (:mod:`facs.face`): decode and find landmarks, blendshapes and
   head pose, written in chunks to a work folder, so memory stays flat and an
   interrupted run resumes where it stopped; with ``workers=2`` the time
   range is split between two processes;
2. estimation (:mod:`facs.au`): a neutral baseline per face, then AU
   intensities per frame, chunk by chunk;
3. timeline (:mod:`facs.timeline`): smoothing, blink/closure/wink, events
   and a FACS string per frame.
"""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from facs._chunks import (
    _load_chunk,
    _run_perception,
    _store_key,
)
from facs._errors import InputError, ParameterError
from facs._progress import Progress
from facs._summary import Summary, summarise
from facs._validate import check_max_faces, parse_span

__all__ = ["Coding", "Progress", "Summary", "code", "face_track", "parse_span"]

#: Clips shorter than this use the population neutral (no reliable baseline).
MIN_BASELINE_S = 1.0
#: Fewest frames a face must be seen in, in a video, to be coded (fewer: a stray detection).
MIN_FACE_FRAMES = 3
#: Most calm frames a baseline median is taken over.
MAX_BASELINE_FRAMES = 300
#: Neutrals taken from the take itself: their pose says where this face rests before
#: this camera (a population or an actor's neutral says nothing of it), so a face bowed
#: or raised far from it is 74 (:func:`facs.au._visibility.unscorable_from_neutral`).
OWN_NEUTRAL_KINDS = ("auto", "span", "partial", "manual")


def _stitch_ids(store: Path, parts: int) -> list[dict[int, int]]:
    """Map each part's local face ids onto global ids.

    A face at the start of a part is the face at the end of the last part that had
    faces, by the rule the tracker uses from frame to frame
    (:func:`facs.face._tracking.match_centres`, one face size); others get new ids.
    """
    from facs.face._batch import FaceBatch
    from facs.face._tracking import MAX_DISTANCE, box_centres_sizes, match_centres

    maps: list[dict[int, int]] = []
    next_id = 0
    last: dict[int, np.ndarray] = {}  # global id -> its last box in the part before
    for part in range(parts):
        first: dict[int, np.ndarray] = {}
        final: dict[int, np.ndarray] = {}
        for chunk in sorted(store.glob(f"part{part}_*.npz")):
            batch = FaceBatch.from_chunk(_load_chunk(chunk))
            for fid, box in zip(batch.face.tolist(), batch.corners(), strict=True):
                first.setdefault(fid, box)
                final[fid] = box
        local = sorted(first)
        known = sorted(last)
        mapping: dict[int, int] = {}
        if known and local:
            known_c, known_s = box_centres_sizes(np.array([last[g] for g in known]))
            new_c, _ = box_centres_sizes(np.array([first[f] for f in local]))
            for i, j in match_centres(known_c, known_s, new_c, MAX_DISTANCE):
                mapping[local[j]] = known[i]
        for fid in local:  # new faces, left to right as the tracker numbers them
            if fid not in mapping:
                mapping[fid] = next_id
                next_id += 1
        next_id = max([next_id, *(g + 1 for g in mapping.values())])
        maps.append(mapping)
        if final:  # a part with no face (or no frame) keeps the faces of the part before
            last = {mapping[f]: box for f, box in final.items()}
    return maps


# ------------------------------------------------------------------ estimation


def _estimate(
    store: Path,
    parts: int,
    *,
    neutral: tuple[float, float] | None,
    short: bool,
    raw: bool,
    actor: Any = None,
    drop_stray: bool = False,
) -> tuple[pd.DataFrame, dict[int, Any], pd.DataFrame | None]:
    """The AU stage over the chunk store: three passes, never all landmarks at once.

    1. every chunk as a :class:`~facs.face._batch.FaceBatch` with global face
       ids: which frames exist, each face's blendshapes, times and appearance;
       then covered regions per face (:mod:`facs.au._visibility`);
    2. per face, the rows its neutral is taken from, loaded, and the neutral
       (:func:`facs.au._batch.select_baseline`);
    3. per chunk and face, the codes (:func:`facs.au._batch.estimate`), with
       covered regions blanked; then head positions over each face's series.
    """
    from facs.au._batch import add_head_positions, baseline_rows, face_rows, select_baseline
    from facs.au._calibration import apply_actor
    from facs.au._estimator import load_estimator
    from facs.au._visibility import (
        COVER_CODES,
        VISIBILITY_COLUMNS,
        covered_regions,
        hand_covers,
        unscorable,
        unscorable_from_neutral,
    )
    from facs.face._batch import FaceBatch
    from facs.series import (
        BOX_COLUMNS,
        CODE_COLUMNS,
        FRAME_COLUMNS,
        SIDE_COLUMNS,
        faceless_rows,
    )

    est = load_estimator()
    if actor is not None:
        est = apply_actor(est, actor)
    maps = _stitch_ids(store, parts)
    stored = [(p, c) for p in range(parts) for c in sorted(store.glob(f"part{p}_*.npz"))]
    chunk_part = [p for p, _ in stored]
    chunk_paths = [c for _, c in stored]

    def batch_of(ci: int) -> tuple[dict[str, np.ndarray], FaceBatch]:
        d = _load_chunk(chunk_paths[ci])
        return d, FaceBatch.from_chunk(d, maps[chunk_part[ci]])  # stray faces: -1

    # Pass 1: per face, where its rows are and what is cheap to hold for all of them.
    rows_of: dict[int, list[tuple[int, np.ndarray]]] = {}  # face -> (chunk, row indices)
    seen: dict[int, list[FaceBatch]] = {}  # face -> rows without landmarks
    for ci in range(len(chunk_paths)):
        _, batch = batch_of(ci)
        for gid in batch.faces():
            sel = np.flatnonzero(batch.face == gid)
            rows_of.setdefault(gid, []).append((ci, sel))
            light = batch[sel]
            seen.setdefault(gid, []).append(
                dataclasses.replace(light, landmarks=np.zeros((len(sel), 0, 3), np.float32))
            )
    whole: dict[int, FaceBatch] = {gid: FaceBatch.concat(b) for gid, b in seen.items()}
    del seen
    # A face a video shows in fewer than MIN_FACE_FRAMES frames is a stray detection (a
    # shadow, a pattern, for a frame or two): dropped. The faces kept are numbered from 0
    # by first appearance, so the person on screen is face 0 even after a stray one.
    count = {gid: sum(len(sel) for _, sel in entries) for gid, entries in rows_of.items()}
    kept = [g for g in rows_of if not drop_stray or count[g] >= MIN_FACE_FRAMES]
    first = {g: float(whole[g].time_s.min()) for g in kept}
    order = sorted(kept, key=lambda g: (first[g], g))
    number = {g: k for k, g in enumerate(order)}
    rows_of = {number[g]: entries for g, entries in rows_of.items() if g in number}
    whole = {number[g]: w for g, w in whole.items() if g in number}
    maps = [{local: number.get(g, -1) for local, g in m.items()} for m in maps]
    # Per face, over its whole track: covered regions (70-73), the covers a hand was seen
    # making, and the frames turned away (74); each chunk takes its slice of the track.
    flags_of: dict[int, np.ndarray] = {}  # face -> (track rows, 3)
    hands_of: dict[int, np.ndarray] = {}
    away_of: dict[int, np.ndarray] = {}  # face -> (track rows,)
    span: dict[tuple[int, int], slice] = {}  # (chunk, face) -> its rows in the face's track
    for gid, entries in rows_of.items():
        face = whole[gid]
        away_of[gid] = unscorable(face.pose)
        cover = covered_regions(face.appearance, face.time_s, face.hand, away_of[gid], face.pose)
        flags_of[gid] = np.stack([cover[r] for r in COVER_CODES], axis=1)
        hidden_by = hand_covers(face.hand, face.time_s)
        hands_of[gid] = np.stack([hidden_by[r] for r in COVER_CODES], axis=1) & flags_of[gid]
        offset = 0
        for ci, sel in entries:
            span[ci, gid] = slice(offset, offset + len(sel))
            offset += len(sel)

    # Pass 2: each face's neutral from its chosen rows, loaded chunk by chunk.
    baselines: dict[int, Any] = {}
    for gid, entries in rows_of.items():
        face = whole[gid]
        hidden = flags_of[gid].any(axis=1) | away_of[gid]  # no neutral if covered or 74
        own = (not short and actor is None) or neutral is not None
        pick = (
            baseline_rows(face.blendshapes, face.time_s, covered=hidden, neutral=neutral,
                          most=MAX_BASELINE_FRAMES)
            if own else np.zeros(0, dtype=np.int64)
        )  # fmt: skip
        if neutral is not None and len(pick) > MAX_BASELINE_FRAMES:
            pick = pick[np.linspace(0, len(pick) - 1, MAX_BASELINE_FRAMES).astype(int)]
        chosen, parts_of = np.unique(pick), []
        for ci, sel in entries:
            at = span[ci, gid]
            local = chosen[(chosen >= at.start) & (chosen < at.stop)] - at.start
            if len(local):
                parts_of.append(batch_of(ci)[1][sel[local]])
        candidates = FaceBatch.concat(parts_of) if parts_of else None
        if neutral is not None and candidates is None:
            raise InputError(f"face {gid}: no frames in the neutral span {neutral}")
        baselines[gid] = select_baseline(candidates, est, neutral=neutral, actor=actor,
                                         own=own)  # fmt: skip
        if baselines[gid].kind in OWN_NEUTRAL_KINDS and np.isfinite(baselines[gid].pose).all():
            # bowed or raised far from its own neutral: 74 as well (head still scored)
            away_of[gid] |= unscorable_from_neutral(face.pose, baselines[gid].pose)
    del whole

    # Pass 3: estimate chunk by chunk.
    tables: list[pd.DataFrame] = []
    raw_tables: list[pd.DataFrame] = []
    for ci in range(len(chunk_paths)):
        d, batch = batch_of(ci)
        fr = d["frames"]
        present = set(batch.frame[batch.face >= 0].tolist())
        empty = [i for i in range(len(fr)) if int(fr[i, 0]) not in present]
        if empty:
            tables.append(faceless_rows(fr[empty, 0], fr[empty, 1]))
        for gid in (g for g in batch.faces() if g >= 0):
            rows = batch[batch.face == gid]
            at = span[ci, gid]
            tables.append(face_rows(rows, baselines[gid], est, flags_of[gid][at],
                                    hands_of[gid][at], turned=away_of[gid][at]))  # fmt: skip
            if raw:
                raw_tables.append(rows.raw_table())
    if tables:
        frames = pd.concat(tables, ignore_index=True)
    else:
        from facs.series import empty_frames

        frames = empty_frames()
    frames = frames.sort_values(["frame", "face"], kind="stable").reset_index(drop=True)
    frames = add_head_positions(frames, baselines)
    frames["frame"] = frames["frame"].astype("int64")
    frames["face"] = frames["face"].astype("int64")
    frames["success"] = frames["success"].astype("int64")
    ordered = [
        c for c in (*FRAME_COLUMNS, *BOX_COLUMNS, *VISIBILITY_COLUMNS) if c in frames.columns
    ]
    frames = frames[ordered]
    assert set(CODE_COLUMNS) | set(SIDE_COLUMNS) <= set(frames.columns)
    raw_df = None
    if raw:
        raw_df = (
            pd.concat(raw_tables, ignore_index=True)
            if raw_tables
            else pd.DataFrame(columns=["frame", "face"])
        )
    return frames, baselines, raw_df


def face_track(
    path: str | Path,
    *,
    start: float | None = None,
    end: float | None = None,
    workers: int = 1,
    workdir: str | Path | None = None,
    progress: Progress | None = None,
) -> dict[str, np.ndarray]:
    """Every frame of the face seen longest in a clip, pose-normalised.

    Returns arrays ``time_s`` (N,), ``aligned`` (N, 478, 3), ``size`` (N,),
    ``blendshapes`` (N, 52) and ``pose`` (N, 3). Used by calibration.
    """
    from facs.au._estimator import load_estimator
    from facs.face import probe
    from facs.face._batch import FaceBatch

    _check_workers(workers)
    src = Path(path)
    info = probe(src)
    est = load_estimator()
    cleanup = workdir is None
    root = Path(tempfile.mkdtemp(prefix="facs-")) if workdir is None else Path(workdir)
    store = root / _store_key(src, start, end, 1)
    store.mkdir(parents=True, exist_ok=True)
    try:
        parts = _run_perception(
            src, store, start=start, end=end, max_faces=1, workers=workers, fps=None,
            expected=info.n_frames, progress=progress,
        )  # fmt: skip
        maps = _stitch_ids(store, parts)
        rows: dict[int, list[tuple[np.ndarray, ...]]] = {}
        for part in range(parts):
            for chunk in sorted(store.glob(f"part{part}_*.npz")):
                batch = FaceBatch.from_chunk(_load_chunk(chunk), maps[part])
                for gid in batch.faces():
                    face = batch[batch.face == gid]
                    aligned, size = est.align(face.landmarks_px(), face.pose, face.blendshapes)
                    rows.setdefault(gid, []).append(
                        (face.time_s, aligned, size, face.blendshapes, face.pose)
                    )
    finally:
        if cleanup:
            shutil.rmtree(root, ignore_errors=True)
    if not rows:
        raise InputError(f"{src}: no face found in any frame")
    best = max(rows, key=lambda g: sum(len(r[0]) for r in rows[g]))
    keys = ("time_s", "aligned", "size", "blendshapes", "pose")
    return {k: np.concatenate([r[i] for r in rows[best]]) for i, k in enumerate(keys)}


# -------------------------------------------------------------------- results


@dataclass
class Coding:
    """The result of :func:`code`: frames, events and a summary."""

    frames: pd.DataFrame
    events: pd.DataFrame
    summary: Summary
    raw: pd.DataFrame | None = None

    def codes(self, face: int | None = None) -> pd.Series:
        """The FACS string of every frame (of one face, or all rows)."""
        rows = self.frames if face is None else self.frames[self.frames["face"] == face]
        return rows["code"]

    def save(
        self,
        outdir: str | Path,
        *,
        formats: tuple[str, ...] = ("csv",),
        plot: bool = True,
    ) -> list[Path]:
        """Write frames, events, summary (and the timeline plot) atomically.

        ``formats`` is one or both of ``"csv"`` and ``"parquet"`` (a single name is
        taken as one). Outputs an earlier save left in ``outdir`` that this one does
        not write are removed, so the folder holds one coding.
        """
        from facs.formats import write_events, write_frames, write_summary

        if isinstance(formats, str):
            formats = (formats,)
        unknown = [f for f in formats if f not in ("csv", "parquet")]
        if unknown or not formats:
            raise ParameterError(
                "formats must be one or both of 'csv' and 'parquet', got "
                + (", ".join(repr(f) for f in unknown) if unknown else "none")
            )
        from facs.formats._atomic import make_folder

        out = Path(outdir)
        make_folder(out, f"cannot write into {out}")
        written: list[Path] = []
        frames = self.frames
        if self.raw is not None:
            frames = frames.merge(self.raw, on=["frame", "face"], how="left")
        for fmt in formats:
            suffix = "csv" if fmt == "csv" else "parquet"
            written.append(write_frames(frames, out / f"frames.{suffix}", format=fmt))  # type: ignore[arg-type]
            written.append(write_events(self.events, out / f"events.{suffix}", format=fmt))  # type: ignore[arg-type]
        if plot:
            from facs.plot import plot_timeline

            title = Path(self.summary.input).name
            unclocked = self.summary.kind == "images" and not self.summary.fps
            written.append(
                plot_timeline(
                    self.frames,
                    self.events,
                    out / "timeline.png",
                    title=title,
                    x_label="image" if unclocked else "time (s)",
                )
            )
        written.append(write_summary(self.summary.to_dict(), out / "summary.json"))
        # One set: what an earlier run there wrote and this one does not (Parquet, the
        # plot) would describe another coding beside this one.
        for stale in {*_OPTIONAL_OUTPUTS} - {p.name for p in written}:
            (out / stale).unlink(missing_ok=True)
        return written


#: Outputs a coding writes only with some options; :meth:`Coding.save` removes
#: those an earlier run left in the folder that this run does not write.
_OPTIONAL_OUTPUTS = ("frames.csv", "events.csv", "frames.parquet", "events.parquet",
                     "timeline.png")  # fmt: skip


def _check_workers(workers: Any) -> None:
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ParameterError(f"workers must be a whole number of at least 1, got {workers!r}")


def _check_neutral(neutral: Any) -> tuple[float, float]:
    """A neutral span: two finite seconds, start before end (found before perceiving)."""
    try:
        lo, hi = (float(v) for v in neutral)
    except (TypeError, ValueError):
        raise ParameterError(f"neutral must be (start, end) in seconds, got {neutral!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and 0 <= lo < hi):
        raise ParameterError(
            f"neutral must be a span start-end with 0 <= start < end, got {lo:g}-{hi:g}"
        )
    return lo, hi


def code(
    path: str | Path,
    *,
    start: float | None = None,
    end: float | None = None,
    neutral: tuple[float, float] | None = None,
    max_faces: int = 4,
    workers: int = 1,
    raw: bool = False,
    fps: float | None = None,
    workdir: str | Path | None = None,
    progress: Progress | None = None,
    actor: str | Path | Any = None,
) -> Coding:
    """Code every face in a video, an image or a folder of images.

    Parameters
    ----------
    path
        Video (mp4, mov, avi, mkv, webm …), image, or folder of images.
    start, end
        Seconds; code only this range.
    neutral
        ``(start, end)`` seconds of a neutral span marked by hand; by default
        each face's calmest frames form its baseline.
    max_faces
        Most faces reported per frame (the largest). The landmarks do not depend
        on it: MediaPipe is always asked for at least two faces (``Landmarker``).
    workers
        Processes for perception (the time range is split between them).
    raw
        Keep the 52 blendshapes and 478 landmarks per row in ``Coding.raw``.
    fps
        Frame rate of an image folder.
    workdir
        Folder for perception chunks (resumable); a temporary one by default.
    progress
        Called with (frames done, frames expected).
    actor
        An ``actor.json`` from ``facs calibrate`` (or an :class:`~facs.au.Actor`):
        the actor's neutral and correction replace the generic ones.
    """
    from facs.au._calibration import read_actor
    from facs.face import probe

    if actor is not None and not hasattr(actor, "neutral"):
        actor = read_actor(actor)
    src = Path(path)
    for name, value in (("start", start), ("end", end)):
        if value is not None and not (
            isinstance(value, int | float) and math.isfinite(value) and value >= 0
        ):
            raise ParameterError(f"{name} must be a finite number of seconds >= 0, got {value!r}")
    if start is not None and end is not None and end <= start:
        raise ParameterError(f"end must be after start, got start={start:g}, end={end:g}")
    check_max_faces(max_faces)
    info = probe(src, fps=fps)
    if info.kind == "image":  # one frame: no time to cut, no other frame to be its neutral
        given = [
            n for n, v in (("start", start), ("end", end), ("neutral", neutral)) if v is not None
        ]
        if given:
            raise ParameterError(
                f"{src.name} is a photo (one frame): it has no time range or neutral span "
                f"to give ({'/'.join(given)} are for videos and image folders); a photo is "
                "read against the population's neutral, or an actor's"
            )
    _check_workers(workers)
    if neutral is not None:
        neutral = _check_neutral(neutral)
    if start is not None and info.duration_s is not None and start >= info.duration_s:
        raise ParameterError(
            f"start {start:g} s is past the end of {src.name} ({info.duration_s:g} s long)"
        )
    if neutral is not None and info.duration_s is not None:
        lo, hi = start or 0.0, min(end if end is not None else math.inf, info.duration_s)
        if neutral[1] < lo or neutral[0] > hi:  # found now, not after perceiving the clip
            coded = "the coded range" if start is not None or end is not None else src.name
            raise ParameterError(
                f"neutral: the span {neutral[0]:g}-{neutral[1]:g} s lies outside {coded} "
                f"({lo:g}-{hi:g} s)"
            )
    expected = info.n_frames
    if expected and info.fps and (start is not None or end is not None):
        t0 = start or 0.0
        t1 = end if end is not None else (info.duration_s or t0)
        expected = max(1, round((t1 - t0) * info.fps))
    began = time.perf_counter()
    first_frame = _warm_up_later_stages()

    def advanced(done: int, total: int | None) -> None:
        if done:
            first_frame.set()
        if progress is not None:
            progress(done, total)

    cleanup = workdir is None
    root = Path(tempfile.mkdtemp(prefix="facs-")) if workdir is None else Path(workdir)
    store = root / _store_key(src, start, end, max_faces)
    store.mkdir(parents=True, exist_ok=True)
    try:
        parts = _run_perception(
            src, store, start=start, end=end, max_faces=max_faces, workers=workers,
            fps=fps, expected=expected, progress=advanced,
        )  # fmt: skip
        return finish(
            src, info, store, parts, start=start, end=end, neutral=neutral, raw=raw,
            actor=actor, began=began, workers=workers,
        )  # fmt: skip
    finally:
        if cleanup:
            shutil.rmtree(root, ignore_errors=True)


def _warm_up_later_stages() -> threading.Event:
    """Import what the stages after perception need while perception runs.

    The AU model, the timeline and matplotlib take about a second to load;
    loaded in a background thread while the landmarker works (its inference
    releases the GIL), that second leaves the serial tail of a run. The thread
    waits for the returned event (set at the first perceived frame): started
    at once, it held the GIL against the landmarker's own import and model load
    and delayed the first frame by about 0.4 s.
    """
    first_frame = threading.Event()

    def load() -> None:
        first_frame.wait(timeout=30.0)
        try:
            from facs.au._estimator import load_estimator

            load_estimator()
            import matplotlib.backends.backend_agg
            import matplotlib.figure  # noqa: F401
            import scipy.ndimage
            import scipy.signal  # noqa: F401  (the timeline's filters: ~1 s to import)

            import facs.formats
            import facs.plot
            import facs.timeline  # noqa: F401
        except Exception:
            pass

    threading.Thread(target=load, name="facs-warm-up", daemon=True).start()
    return first_frame


def finish(
    src: Path,
    info: Any,
    store: Path,
    parts: int,
    *,
    start: float | None,
    end: float | None,
    neutral: tuple[float, float] | None,
    raw: bool,
    actor: Any,
    began: float,
    workers: int,
) -> Coding:
    """The stages after perception: AU estimation, timeline and summary, from the chunk store.

    ``store`` holds ``parts`` perceived parts (:func:`perceive_part`); ``began``
    is the run's start (``time.perf_counter()``) for the summary's timing.
    """
    from facs.timeline import process

    (store / "parts.json").write_text(json.dumps({"parts": parts}))
    span_s = None
    if info.kind == "video":
        span_s = (end if end is not None else (info.duration_s or 0.0)) - (start or 0.0)
    short = info.kind == "image" or (span_s is not None and span_s < MIN_BASELINE_S)
    frames, baselines, raw_df = _estimate(
        store, parts, neutral=neutral, short=short, raw=raw, actor=actor,
        drop_stray=info.kind == "video" and not short,
    )  # fmt: skip
    if frames.empty and (start is not None or end is not None):
        # the range lies in the container's length but after (or between) its frames
        where = f"{start or 0:g}-{'end' if end is None else f'{end:g}'}"
        why = (
            f"its frames end before the {info.duration_s:g} s the file gives as its length"
            if info.duration_s
            else f"it holds {info.n_frames} images, numbered from 0 when no frame rate is given"
        )
        raise InputError(
            f"{src.name}: no frame in the coded range {where}{' s' * bool(info.duration_s)} ({why})"
        )
    from facs.au._estimator import TRACE_FLOOR

    frames, events = process(frames, fps=info.fps, trace_floor=TRACE_FLOOR)
    elapsed = time.perf_counter() - began
    summary = summarise(
        src, info, frames, events, baselines, start=start, end=end, elapsed=elapsed,
        workers=workers, actor=actor,
    )  # fmt: skip
    return Coding(frames=frames, events=events, summary=summary, raw=raw_df)
