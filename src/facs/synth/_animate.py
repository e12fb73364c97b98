"""Animations: timed transitions between codes, and replays of coded frames tables.

A timeline is codes joined by ``->``; each step may carry its own hold in
seconds after ``@``. The face moves from one step to the next in
``transition`` seconds (smooth-step easing of the meshes, not of the codes)
and then holds the step.

>>> [(str(s.code), s.hold) for s in parse_timeline("0 -> 6+12C@1.5 -> 0")]
[('0', 0.5), ('6+12C', 1.5), ('0', 0.5)]
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from facs._errors import CodeError, InputError, ParameterError
from facs._progress import Progress
from facs._validate import check_positive
from facs.notation import Code
from facs.synth._model import (
    Mesh,
    _code_levels,
    _column_levels,
    deform,
    deform_columns,
    load_face_model,
)
from facs.synth._render import _Canvas, _check_suffix

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CLIP_SUFFIXES",
    "DEFAULT_HOLD",
    "DEFAULT_TRANSITION",
    "Progress",
    "Step",
    "animate",
    "parse_timeline",
    "replay",
]

#: Suffixes :func:`animate` and :func:`replay` write.
CLIP_SUFFIXES = (".mp4", ".gif")
DEFAULT_TRANSITION = 0.6  # seconds from one step to the next
DEFAULT_HOLD = 0.5  # seconds each step is held

_HOLD = re.compile(r"^(?P<code>.*?)\s*@\s*(?P<hold>[^@]*)$")


@dataclass(frozen=True)
class Step:
    """One step of a timeline: a code and how long it is held (seconds)."""

    code: Code
    hold: float


def parse_timeline(
    text: str, *, transition: float = DEFAULT_TRANSITION, hold: float = DEFAULT_HOLD
) -> tuple[Step, ...]:
    """Parse ``"0 -> 6+12C@1.5 -> 0"`` into steps.

    Parameters
    ----------
    text : str
        Codes separated by ``->``; ``CODE@SECONDS`` sets that step's hold.
    transition : float
        Unused here (the same for every step); checked to be ≥ 0.
    hold : float
        Hold of steps written without ``@``.

    Returns
    -------
    tuple of Step

    Raises
    ------
    CodeError
        An empty step, a bad hold or a bad code; the message names the step
        (1-based) and the position in ``text``. A timeline longer than
        :data:`MAX_TIMELINE_S`.

    Examples
    --------
    >>> parse_timeline("0 -> 99")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    facs._errors.CodeError: step 2 ('99'): unknown code 99 (token '99' at position 5 in '0 -> 99')
    """
    for name, value in (("transition", transition), ("hold", hold)):
        if not (math.isfinite(value) and value >= 0):
            raise ParameterError(f"{name} must be a number of seconds ≥ 0, got {value:g}")
    steps: list[Step] = []
    offset = 0
    for number, raw in enumerate(text.split("->"), 1):
        item = raw.strip()
        at = offset + len(raw) - len(raw.lstrip())
        offset += len(raw) + 2
        where = f"step {number} ({item!r})"
        if not item:
            raise CodeError(f"{where}: empty step", text=text, token=item, position=at)
        step_hold = hold
        code_text = item
        match = _HOLD.match(item)
        if match:
            code_text = match.group("code")
            try:
                step_hold = float(match.group("hold"))
            except ValueError:
                step_hold = -1.0
            if not (step_hold >= 0 and math.isfinite(step_hold)):
                raise CodeError(
                    f"{where}: the hold after '@' must be seconds ≥ 0, e.g. 6+12C@1.5",
                    text=text, token=item, position=at,
                )  # fmt: skip
        try:
            code = Code.parse(code_text)
        except CodeError as err:
            position = at + (err.position or 0)
            raise CodeError(
                f"{where}: {err.message}", text=text, token=err.token or item, position=position
            ) from None
        steps.append(Step(code, step_hold))
    total = sum(s.hold for s in steps) + transition * (len(steps) - 1)
    if total > MAX_TIMELINE_S:
        raise CodeError(
            f"the timeline lasts {total:g} s; at most {MAX_TIMELINE_S:g} s ("
            f"{MAX_TIMELINE_S / 60:g} minutes) is made: shorten it (fewer steps, shorter holds)",
            text=text, token=text, position=0,
        )  # fmt: skip
    return tuple(steps)


#: Longest timeline made, in seconds: 0 -> 12@100000 asked for 2.5 million frames
#: (67 hours of rendering) without a word.
MAX_TIMELINE_S = 600.0


def _smoothstep(u: float) -> float:
    u = min(max(u, 0.0), 1.0)
    return u * u * (3 - 2 * u)


Levels = dict[int, tuple[float, float]]


def _mix(a: Levels, b: Levels, share: float) -> Levels:
    out: Levels = {}
    for n in a.keys() | b.keys():
        (al, ar), (bl, br) = a.get(n, (0.0, 0.0)), b.get(n, (0.0, 0.0))
        out[n] = ((1 - share) * al + share * bl, (1 - share) * ar + share * br)
    return out


def timeline_shares(
    steps: Sequence[Step], *, fps: float, transition: float
) -> Iterator[tuple[float, int, float]]:
    """Yield ``(time_s, k, share)`` for every frame: step ``k`` is ``share`` (0–1) of the way in.

    Step 0 is held; each later step is reached over ``transition`` seconds
    (smoothstep) and then held. ``share`` is 1 while a step is held.

    >>> steps = parse_timeline("0@0.5 -> 12E@0.5")
    >>> [(t, k, round(s, 2)) for t, k, s in timeline_shares(steps, fps=4, transition=0.5)]
    [(0.0, 0, 1.0), (0.25, 0, 1.0), (0.5, 1, 0.0), (0.75, 1, 0.5), (1.0, 1, 1.0), (1.25, 1, 1.0)]
    """
    bounds: list[tuple[float, float, int]] = []  # (start, end, step index)
    t = 0.0
    for k, step in enumerate(steps):
        length = step.hold + (transition if k else 0.0)
        bounds.append((t, t + length, k))
        t += length
    count = max(1, round(t * fps))
    for frame in range(count):
        now = frame / fps
        start, _end, k = next((b for b in bounds if now < b[1]), bounds[-1])
        if k == 0 or now - start >= transition:
            yield now, k, 1.0
            continue
        yield now, k, _smoothstep((now - start) / transition) if transition > 0 else 1.0


def timeline_levels(
    steps: Sequence[Step], *, fps: float, transition: float
) -> Iterator[tuple[float, Levels]]:
    """Yield ``(time_s, levels)`` for every frame: how much of each code, per side (0–1)."""
    levels = [_code_levels(s.code) for s in steps]
    for now, k, share in timeline_shares(steps, fps=fps, transition=transition):
        yield now, levels[k] if share >= 1.0 or k == 0 else _mix(levels[k - 1], levels[k], share)


def _timeline_frames(
    steps: Sequence[Step], *, fps: float, transition: float, identity: int | None = None
) -> Iterator[tuple[float, Mesh, Levels, Step, Step | None, float]]:
    """Yield ``(time_s, mesh, levels, target, previous, share)`` for every frame."""
    meshes = [deform(s.code, identity=identity) for s in steps]
    levels = [_code_levels(s.code) for s in steps]
    for now, k, share in timeline_shares(steps, fps=fps, transition=transition):
        if k == 0 or share >= 1.0:
            yield now, meshes[k], levels[k], steps[k], None, 1.0
            continue
        mesh = (1 - share) * meshes[k - 1] + share * meshes[k]
        yield now, mesh, _mix(levels[k - 1], levels[k], share), steps[k], steps[k - 1], share


def _check_clip(path: Path) -> str:
    return _check_suffix(path, CLIP_SUFFIXES)


#: The fastest clip :func:`animate` and :func:`replay` write.
MAX_CLIP_FPS = 120.0


def _check_fps(fps: float) -> float:
    check_positive("fps", fps, most=MAX_CLIP_FPS)
    return float(fps)


def _write_clip(
    frames: Iterator[npt.NDArray[np.uint8]], path: Path, *, fps: float, size: tuple[int, int]
) -> Path:
    """Write RGB frames to an mp4 (PyAV) or gif (Pillow) atomically; return the path."""
    from facs.formats._atomic import atomic_path

    fmt = _check_clip(path)
    width, height = size
    with atomic_path(path) as tmp:
        if fmt == "gif":
            from PIL import Image

            images = [Image.fromarray(f).quantize(colors=255, dither=Image.Dither.NONE)
                      for f in frames]  # fmt: skip
            if not images:
                raise InputError(f"{path}: no frames to write")
            images[0].save(tmp, format="GIF", save_all=True, append_images=images[1:],
                           duration=max(20, round(1000 / fps)), loop=0, optimize=False)  # fmt: skip
        else:
            _write_mp4(frames, tmp, fps=fps, width=width - width % 2, height=height - height % 2)
    return path


def _write_mp4(
    frames: Iterator[npt.NDArray[np.uint8]], tmp: Path, *, fps: float, width: int, height: int
) -> None:
    from fractions import Fraction

    import av

    codec = "libx264" if "libx264" in av.codecs_available else "mpeg4"
    with av.open(str(tmp), mode="w", format="mp4") as container:
        stream = container.add_stream(codec, rate=Fraction(fps).limit_denominator(1001))
        assert isinstance(stream, av.VideoStream)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        if codec == "libx264":
            stream.options = {"crf": "20", "preset": "medium"}
        else:
            stream.bit_rate = 4_000_000
        for rgb in frames:
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb[:height, :width]),
                                               format="rgb24")  # fmt: skip
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def _counted(
    frames: Iterator[npt.NDArray[np.uint8]], total: int, progress: Progress | None
) -> Iterator[npt.NDArray[np.uint8]]:
    for done, frame in enumerate(frames, 1):
        yield frame
        if progress is not None:
            progress(done, total)


def animate(
    timeline: str | Sequence[Step],
    path: str | os.PathLike[str],
    *,
    fps: float = 25.0,
    view: str = "front",
    size: tuple[int, int] = (480, 560),
    transition: float = DEFAULT_TRANSITION,
    progress: Progress | None = None,
    identity: int | None = None,
) -> Path:
    """Render a timeline of codes to an mp4 or gif clip (by suffix), atomically.

    Parameters
    ----------
    timeline : str or sequence of Step
        ``"0 -> 6+12C -> 0"`` (see :func:`parse_timeline`) or parsed steps.
    path : str or os.PathLike
        ``.mp4`` (H.264 when PyAV has libx264, else MPEG-4 part 2; yuv420p)
        or ``.gif``.
    fps : float
        Frames per second.
    view : {"front", "three-quarter", "profile"}
        Camera.
    size : (int, int)
        Width and height in pixels (an mp4 drops an odd last row or column).
    transition : float
        Seconds from one step to the next.
    progress : callable, optional
        Called as ``progress(done, total)`` after each frame.
    identity : int, optional
        Whose face (:func:`~facs.synth.identities`; default the mean face).

    Returns
    -------
    pathlib.Path
        The clip written.

    Raises
    ------
    CodeError
        A step does not parse.
    InputError
        Bad suffix, fps or view.
    """
    target = Path(path)
    _check_clip(target)
    rate = _check_fps(fps)
    steps = (
        parse_timeline(timeline, transition=transition)
        if isinstance(timeline, str)
        else (tuple(timeline))
    )
    if not steps:
        raise InputError("the timeline has no steps")
    canvas = _Canvas(size, view, load_face_model(identity))
    total = max(1, round((sum(s.hold for s in steps) + transition * (len(steps) - 1)) * rate))

    def frames() -> Iterator[npt.NDArray[np.uint8]]:
        for now, mesh, levels, target_step, previous, share in _timeline_frames(
            steps, fps=rate, transition=transition, identity=identity
        ):
            where = (
                f"{previous.code} → {target_step.code}  {share:4.0%}"
                if previous is not None
                else f"{target_step.code}"
            )
            corner = f"t {now:5.2f} s  {where}"
            yield canvas.draw(mesh, target_step.code, corner=corner, levels=levels)

    return _write_clip(_counted(frames(), total, progress), target, fps=rate, size=size)


def _face_rows(frames: pd.DataFrame, face: int, source: str) -> pd.DataFrame:
    faces = sorted(int(f) for f in frames["face"].unique() if f >= 0)
    rows = frames[(frames["face"] == face) | (frames["face"] < 0) | (frames["success"] == 0)]
    if face not in faces:
        shown = ", ".join(map(str, faces)) or "none"
        raise InputError(f"{source}: no face {face} in the table (faces: {shown})")
    # one row per frame: this face's row, or a no-face row when it was not found
    rows = rows.assign(_mine=(rows["face"] == face) & (rows["success"] == 1))
    rows = rows.sort_values(["frame", "_mine"]).drop_duplicates("frame", keep="last")
    return rows.sort_values("frame")


def replay(
    frames_csv: str | os.PathLike[str],
    path: str | os.PathLike[str],
    *,
    face: int = 0,
    fps: float | None = None,
    view: str = "front",
    size: tuple[int, int] = (480, 560),
    progress: Progress | None = None,
    identity: int | None = None,
    on_note: Callable[[str], None] | None = None,
) -> Path:
    """Replay a coded frames table on the canonical face (mp4 or gif by suffix).

    Each row's code columns (``AU12``, ``AU12_L`` … 0–5) deform the face
    (:func:`~facs.synth.deform_columns`); frames where the face was not found
    (``success = 0``) show the neutral face greyed. Each frame carries its
    time and its FACS string (the table's ``code`` column).

    Parameters
    ----------
    frames_csv : str or os.PathLike
        A frames table (``OUTDIR/frames.csv`` from ``facs code``, or Parquet).
    path : str or os.PathLike
        ``.mp4`` or ``.gif``.
    face : int
        Which face id to replay.
    fps : float, optional
        Output frame rate; default: the table's own (from ``time_s``).
    view, size, progress, identity
        As for :func:`animate`.
    on_note : callable, optional
        Told, in a sentence, when rows are left out by default: a table faster than
        120 fps (the most a clip is written at) is replayed at 120 fps.

    Returns
    -------
    pathlib.Path
        The clip written.

    Raises
    ------
    InputError
        The table is missing or malformed, the face is not in it, or the
        suffix, fps or view is bad.
    """
    from facs.formats import read_frames

    target = Path(path)
    _check_clip(target)
    table = read_frames(frames_csv)
    if table.empty:
        raise InputError(f"{frames_csv}: the frames table has no rows")
    rows = _face_rows(table, face, str(frames_csv))
    times = rows["time_s"].to_numpy(dtype=float)
    if fps is None:
        steps = np.diff(times)
        steps = steps[np.isfinite(steps) & (steps > 0)]
        fps = float(1 / np.median(steps)) if steps.size else 25.0
        if fps > MAX_CLIP_FPS and on_note is not None:
            on_note(
                f"the table runs at {fps:.4g} fps; replayed at {MAX_CLIP_FPS:g} fps, the most a"
                f" clip is written at, so about {1 - MAX_CLIP_FPS / fps:.0%} of its rows are not"
                " shown"
            )
        fps = min(max(fps, 1.0), MAX_CLIP_FPS)
    rate = _check_fps(fps)
    model = load_face_model(identity)
    canvas = _Canvas(size, view, model)
    neutral = model.neutral
    records = rows.to_dict("records")
    # resample to the output rate: the row at or before each output time
    start = float(times[0]) if np.isfinite(times[0]) else 0.0
    duration = float(np.nanmax(times) - start) if np.isfinite(times).any() else 0.0
    count = max(1, math.floor(duration * rate + 1e-9) + 1)
    picks = np.searchsorted(times, start + np.arange(count) / rate, side="right") - 1
    picks = np.clip(picks, 0, len(records) - 1)

    def frames() -> Iterator[npt.NDArray[np.uint8]]:
        cache: dict[int, npt.NDArray[np.uint8]] = {}
        for k in picks.tolist():
            if k in cache:
                yield cache[k]
                continue
            row = records[k]
            found = int(row["success"]) == 1 and int(row["face"]) == face
            raw_code = str(row.get("code", "") or "") if found else ""
            if raw_code in ("nan", "None"):
                raw_code = ""
            mesh = deform_columns(row, identity=identity) if found else neutral
            title = raw_code or ("0" if found else "no face")
            image = canvas.draw(
                mesh, None, title=title, names="",
                corner=f"t {float(row['time_s']):6.2f} s  frame {int(row['frame'])}",
                grey=not found, levels=_column_levels(row) if found else {},
            )  # fmt: skip
            cache = {k: image}
            yield image

    return _write_clip(_counted(frames(), count, progress), target, fps=rate, size=size)
