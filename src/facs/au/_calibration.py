"""Actor calibration: fit the estimator to one person from a range-of-motion take.

A range-of-motion (ROM) take is planned as a script: rows of ``start, end,
code`` (seconds, FACS code the actor performs in that span, ``0`` for a
neutral span). Calibration does two things for that actor:

1. **Neutral.** The actor's own neutral face (the script's ``0`` spans, else
   the calmest frames of the take) replaces the automatic per-clip baseline,
   so an expressive clip with no calm moment is still measured against rest.
2. **Gain.** Within the scripted spans the target of every output is
   known: the scripted codes at their letter (C when no letter is given),
   following the time course the generic model sees (ramps up, holds, comes
   down), everything else absent. For each output the take exercises, a gain
   and an offset map the generic output onto the target (least squares,
   shrunk towards gain 1 and offset 0); outputs the take does not exercise
   stay as they were. (A full ridge correction on the features overfits one
   take and lost accuracy on held-out segments: see benchmarks/README.md.)

The result is a small JSON file (``actor.json``) that ``facs code --actor``
applies.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from facs._errors import CodeError, InputError
from facs.au._estimator import (
    MIN_BASELINE_FRAMES,
    Baseline,
    Estimator,
    Model,
    calm_frames,
    median_baseline,
)
from facs.formats._delimited import records
from facs.notation import Action, Code

__all__ = [
    "Actor",
    "ScriptRow",
    "apply_actor",
    "fit_actor",
    "read_actor",
    "read_script",
    "script_targets",
    "write_actor",
]

#: Intensity (0–5) assumed for a scripted code without a letter.
DEFAULT_INTENSITY = 3.0
#: Shrinkage of each gain/offset towards (1, 0), per frame (larger = closer to generic).
CORRECTION_ALPHA = 1.0
#: Gains are kept within these bounds.
GAIN_RANGE = (0.5, 2.5)
ACTOR_FORMAT = "facs-actor/1"


@dataclass(frozen=True)
class ScriptRow:
    """One planned span of a range-of-motion take."""

    start: float
    end: float
    code: Code
    line: int


def _seconds(text: str) -> float:
    from facs._validate import parse_clock

    return parse_clock(text)  # one clock for every time a user types (an InputError)


def read_script(path: str | Path) -> list[ScriptRow]:
    """Read a ROM script: CSV with columns ``start``, ``end``, ``code``.

    Times are seconds (or ``M:SS.s``). Errors name the file, line and value.
    """
    from facs.formats._delimited import bom_encoding

    src = Path(path)
    if src.is_dir():
        raise InputError(f"{src}: a folder, not a script file")
    if not src.is_file():
        raise InputError(f"{src}: no such script file")
    try:
        data = src.read_bytes()
        text = data.decode(bom_encoding(data[:4]))
    except OSError as err:
        raise InputError(f"{src}: cannot read the script ({err.strerror or err})") from None
    except UnicodeDecodeError as err:
        raise InputError(f"{src}: not a UTF-8 or UTF-16 text file (byte {err.start})") from None
    numbered = records(text)
    if not numbered:
        raise InputError(f"{src}: the script has no rows")
    aliases = {"start_s": "start", "end_s": "end", "facs": "code"}
    fields = [aliases.get(f.strip().lower(), f.strip().lower()) for f in numbered[0][1]]
    twice = sorted({f for f in fields if f and fields.count(f) > 1})
    if twice:  # the last copy won: a script with two code columns fitted the other code
        raise InputError(f"{src}: column {twice[0]} appears twice in the header (start_s is "
                         "start, end_s end, facs code)")  # fmt: skip
    missing = {"start", "end", "code"} - set(fields)
    if missing:
        raise InputError(
            f"{src}: missing column(s) {', '.join(sorted(missing))} (need start, end, code)"
        )
    rows: list[ScriptRow] = []
    for line, cells in numbered[1:]:
        record = {k: (cells[j] if j < len(cells) else "") for j, k in enumerate(fields) if k}
        times = []
        for column in ("start", "end"):
            try:
                times.append(_seconds(record[column]))
            except ValueError as err:
                raise InputError(f"{src}, line {line}, column {column}: {err}") from None
        start, end = times
        if not (math.isfinite(start) and math.isfinite(end)) or end <= start:
            raise InputError(f"{src}, line {line}: end must be after start")
        try:
            code = Code.parse(record["code"])
        except CodeError as err:
            raise InputError(f"{src}, line {line}: {err}") from None
        rows.append(ScriptRow(start, end, code, line))
    if not rows:
        raise InputError(f"{src}: the script has no rows")
    if not any(r.code for r in rows):
        raise InputError(f"{src}: the script holds neutral (0) rows only: nothing to calibrate")
    for r in rows:
        if r.code:
            continue
        for other in rows:
            if other.code and other.start < r.end and r.start < other.end:
                # the neutral would be the median of the action's frames
                raise InputError(
                    f"{src}, line {r.line}: the neutral span {r.start:g}–{r.end:g} s overlaps "
                    f"line {other.line} ({other.code}, {other.start:g}–{other.end:g} s)"
                )
    return rows


def _output_targets(action: Action, outputs: tuple[str, ...]) -> list[str]:
    """Model outputs an action drives (both sides unless it has one)."""
    number = action.number
    if action.kind == "AD":
        base = f"AD{number:02d}"
    elif number in (45, 46):
        base = "AU43"  # eye closure, whatever its timing
    else:
        base = f"AU{number:02d}"
    if base in outputs:
        return [base]
    sides = ["L", "R"] if action.side not in ("L", "R") else [action.side]
    return [f"{base}_{s}" for s in sides if f"{base}_{s}" in outputs]


def script_targets(
    rows: list[ScriptRow],
    time_s: np.ndarray,
    generic: np.ndarray,
    outputs: tuple[str, ...],
    *,
    motion: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Per-frame targets from a script.

    Returns ``(targets (N, K), used (N,) bool, notes)``: frames inside a
    scripted span are used; each scripted output follows the generic model's
    time course in the span, scaled to the scripted letter (or
    ``DEFAULT_INTENSITY``); other outputs are 0 there.
    """
    targets = np.zeros((len(time_s), len(outputs)))
    used = np.zeros(len(time_s), dtype=bool)
    index = {o: k for k, o in enumerate(outputs)}
    skipped: set[str] = set()
    for row in rows:
        inside = (time_s >= row.start) & (time_s <= row.end)
        if not inside.any():
            continue
        used |= inside
        for action in row.code:
            columns = _output_targets(action, outputs)
            if not columns:
                skipped.add(str(action))
                continue
            level = action.intensity_value or DEFAULT_INTENSITY
            for column in columns:
                k = index[column]
                course = np.clip(generic[inside, k], 0.0, None)
                if course.max() < 0.3 and motion is not None:
                    course = motion[inside]
                peak = course.max()
                shape = course / peak if peak > 1e-6 else np.ones(inside.sum())
                targets[inside, k] = np.maximum(targets[inside, k], level * shape)
    notes = [f"not calibrated (no model output): {', '.join(sorted(skipped))}"] if skipped else []
    return targets, used, notes


@dataclass(frozen=True)
class Actor:
    """One actor's calibration: own neutral face and a correction of the estimator."""

    name: str
    neutral: Baseline
    outputs: tuple[str, ...]
    gain: np.ndarray  # (K,)
    offset: np.ndarray  # (K,)
    info: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form (arrays as nested lists, 6 significant digits)."""

        def arr(a: np.ndarray) -> Any:
            return np.round(np.asarray(a, dtype=float), 6).tolist()

        return {
            "format": ACTOR_FORMAT,
            "name": self.name,
            "neutral": {
                "shape": arr(self.neutral.shape),
                "blendshapes": arr(self.neutral.blendshapes),
                "pose": arr(self.neutral.pose),
                "size": self.neutral.size,
                "frames": self.neutral.n_frames,
            },
            "outputs": list(self.outputs),
            "gain": arr(self.gain),
            "offset": arr(self.offset),
            "info": self.info,
        }


def write_actor(actor: Actor, path: str | Path) -> Path:
    """Write ``actor.json`` atomically."""
    from facs.formats._atomic import write_json_atomic

    return write_json_atomic(Path(path), actor.to_json())


def read_actor(path: str | Path) -> Actor:
    """Read an ``actor.json``; errors name the file and what is wrong."""
    src = Path(path)
    try:
        data = json.loads(src.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{src}: no such actor file") from None
    except (OSError, ValueError) as err:
        raise InputError(f"{src}: not a readable actor file ({err})") from None
    if not isinstance(data, dict) or data.get("format") != ACTOR_FORMAT:
        raise InputError(f"{src}: not a facs actor file (expected format {ACTOR_FORMAT})")
    try:
        n = data["neutral"]
        neutral = Baseline(
            shape=np.asarray(n["shape"], dtype=np.float32),
            blendshapes=np.asarray(n["blendshapes"], dtype=np.float32),
            pose=np.asarray(n["pose"], dtype=np.float64),
            size=float(n["size"]) if n["size"] is not None else float("nan"),
            kind="actor",
            n_frames=int(n["frames"]),
        )
        actor = Actor(
            name=str(data["name"]),
            neutral=neutral,
            outputs=tuple(data["outputs"]),
            gain=np.asarray(data["gain"], dtype=np.float64),
            offset=np.asarray(data["offset"], dtype=np.float64),
            info=dict(data.get("info", {})),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise InputError(f"{src}: damaged actor file ({err})") from None
    problem = _actor_problem(actor)
    if problem:
        raise InputError(f"{src}: damaged actor file: {problem}; calibrate again")
    return actor


def _actor_problem(actor: Actor) -> str | None:
    """What makes a (hand-edited or damaged) actor unusable, as :func:`fit_actor` never
    writes it; ``None`` when it is sound."""
    n = actor.neutral
    shapes = {
        "neutral.shape": (n.shape, (478, 3)),
        "neutral.blendshapes": (n.blendshapes, (52,)),
        "neutral.pose": (n.pose, (3,)),
        "offset": (actor.offset, actor.gain.shape),
    }
    for name, (value, want) in shapes.items():
        if value.shape != want:
            wanted = "×".join(str(d) for d in want)
            got = "×".join(str(d) for d in value.shape) or "a single number"
            return f"{name} must be {wanted} numbers, got {got}"
    if actor.gain.ndim != 1:
        return "gain must be a list of numbers"
    for name, value in (("neutral.shape", n.shape), ("neutral.blendshapes", n.blendshapes),
                        ("neutral.pose", n.pose), ("offset", actor.offset)):  # fmt: skip
        if not np.isfinite(value).all():
            return f"{name} holds a value that is not a finite number"
    lo, hi = GAIN_RANGE
    bad = np.flatnonzero(~((actor.gain >= lo) & (actor.gain <= hi)))
    if bad.size:
        return f"gain[{bad[0]}] is {actor.gain[bad[0]]:g}, not within {lo:g}–{hi:g}"
    bad = np.flatnonzero(~((actor.offset >= -1.0) & (actor.offset <= 1.0)))
    if bad.size:
        return f"offset[{bad[0]}] is {actor.offset[bad[0]]:g}, not within -1–1"
    if math.isfinite(n.size) and n.size <= 0:
        return f"neutral.size must be above 0, got {n.size:g}"
    if not math.isnan(n.size) and not math.isfinite(n.size):
        return "neutral.size is not a finite number"
    if n.n_frames is not None and n.n_frames < 1:
        return f"neutral.frames must be at least 1, got {n.n_frames}"
    return None


def apply_actor(estimator: Estimator, actor: Actor) -> Estimator:
    """The estimator with the actor's correction (and checks it fits the model)."""
    model = estimator.model
    if tuple(actor.outputs) != tuple(model.outputs):
        raise InputError(
            f"actor {actor.name!r} was calibrated for another estimator version; calibrate again"
        )
    if actor.gain.shape != (len(model.outputs),) or actor.offset.shape != actor.gain.shape:
        raise InputError(f"actor {actor.name!r}: correction has the wrong shape; calibrate again")
    return replace(estimator, model=replace(model, correction=(actor.gain, actor.offset)))


def fit_actor(
    *,
    estimator: Estimator,
    aligned: np.ndarray,
    blendshapes: np.ndarray,
    pose: np.ndarray,
    size: np.ndarray,
    time_s: np.ndarray,
    rows: list[ScriptRow],
    name: str = "actor",
    alpha: float = CORRECTION_ALPHA,
) -> Actor:
    """Fit an actor from one face's ROM frames (aligned landmarks etc.) and its script."""
    ok = np.isfinite(aligned).all(axis=(1, 2)) & np.isfinite(blendshapes).all(axis=1)
    if ok.sum() < 10:
        raise InputError("the range-of-motion take has fewer than 10 frames with a face")
    aligned, blendshapes, pose, size, time_s = (
        aligned[ok],
        blendshapes[ok],
        pose[ok],
        size[ok],
        time_s[ok],
    )
    unseen = [r for r in rows if r.code and not ((time_s >= r.start) & (time_s <= r.end)).any()]
    left_out: list[str] = []
    if unseen:
        where = ", ".join(f"line {r.line} ({r.start:g}–{r.end:g} s, {r.code})" for r in unseen)
        seen = f"the take's face is seen from {time_s[0]:.2f} to {time_s[-1]:.2f} s"
        if len(unseen) == sum(1 for r in rows if r.code):
            raise InputError(f"no scripted action falls within the take: {where}; {seen}")
        left_out.append(f"script rows with no frame of the face, left out: {where} ({seen})")
    late = [r for r in rows if r.end > time_s[-1] + 1.0 and r.start <= time_s[-1]]
    if late:
        where = ", ".join(f"line {r.line} ends at {r.end:g} s" for r in late)
        left_out.append(f"{where}, after the take's last frame with a face at "
                        f"{time_s[-1]:.2f} s (times in milliseconds?)")  # fmt: skip
    neutral_rows = [r for r in rows if not r.code]
    enough = True  # unscripted frames enough for an automatic baseline
    if neutral_rows:
        span = np.zeros(len(time_s), dtype=bool)
        for r in neutral_rows:
            span |= (time_s >= r.start) & (time_s <= r.end)
        chosen = np.flatnonzero(span)
        if chosen.size == 0:
            raise InputError("no face in the script's neutral (0) spans")
        if chosen.size < MIN_BASELINE_FRAMES:
            left_out.append(
                f"the neutral (0) spans hold {chosen.size} frames with a face; an automatic "
                f"baseline takes at least {MIN_BASELINE_FRAMES}: a longer neutral span is "
                "steadier"
            )
    else:
        scripted = np.zeros(len(time_s), dtype=bool)
        for r in rows:
            scripted |= (time_s >= r.start) & (time_s <= r.end)
        enough = (~scripted).sum() >= MIN_BASELINE_FRAMES
        pool = np.flatnonzero(~scripted) if enough else np.arange(len(time_s))
        chosen = pool[calm_frames(blendshapes[pool])]  # the rule of every automatic baseline
    neutral = median_baseline(aligned, blendshapes, pose, size, chosen, "actor")
    model: Model = estimator.model
    z = model.standardise(model.features(aligned, blendshapes, neutral))
    generic = np.clip(model.generic(z), 0.0, 5.0)
    motion = np.linalg.norm(aligned - neutral.shape, axis=(1, 2))
    motion = motion / (motion.max() + 1e-9)
    targets, used, notes = script_targets(rows, time_s, generic, model.outputs, motion=motion)
    notes = [*left_out, *notes]
    if used.sum() < 10:
        raise InputError("the script's spans cover fewer than 10 frames with a face")
    gain = np.ones(len(model.outputs))
    offset = np.zeros(len(model.outputs))
    exercised = targets[used].max(axis=0) >= 1.0
    for k in np.flatnonzero(exercised):
        g, t = generic[used, k], targets[used, k]
        # min |a g + b - t|^2 + alpha n ((a - 1)^2 + b^2)
        lam = alpha * len(g)
        a_mat = np.array([[g @ g + lam, g.sum()], [g.sum(), len(g) + lam]])
        rhs = np.array([g @ t + lam, t.sum()])
        a, b = np.linalg.solve(a_mat, rhs)
        gain[k] = float(np.clip(a, *GAIN_RANGE))
        offset[k] = float(np.clip(b, -1.0, 1.0))
    info = {
        "frames": len(time_s),
        "scripted_frames": int(used.sum()),
        "rows": len(rows),
        "neutral_frames": int(chosen.size),
        "neutral_from": "script 0 spans"
        if neutral_rows
        else "calmest unscripted frames"
        if enough
        else "calmest frames (every frame is scripted)",
        "alpha": alpha,
        "notes": notes,
        "estimator": estimator.info.get("method", ""),
    }
    info["exercised"] = [model.outputs[k] for k in np.flatnonzero(exercised)]
    return Actor(name, neutral, model.outputs, gain, offset, info)
