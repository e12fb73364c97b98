"""Scan / range-of-motion pose lists, written as a ``facs calibrate --script`` CSV."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from facs._errors import InputError, ParameterError
from facs.catalogue import catalogue
from facs.emotions import prototypes
from facs.notation import INTENSITY_LETTERS, Action, Code
from facs.rigs._audit import audit, common_combinations
from facs.rigs._rig import Rig

__all__ = ["SCANLIST_COLUMNS", "Pose", "scanlist", "write_scanlist"]

#: Longest hold or gap of a pose (seconds).
MAX_HOLD_S = 600.0
#: CSV columns: ``start, end, code`` are what :func:`facs.au.read_script` reads;
#: ``group`` and ``label`` are extra columns it ignores.
SCANLIST_COLUMNS = ("start", "end", "code", "group", "label")
_UPPER = (1, 2, 4, 5, 6, 7)
_LOWER = (9, 10, 12, 14, 15, 16, 17, 18, 20, 22, 23, 24, 25, 26, 27, 28)
_MISC_AD = (19, 29, 30, 34)
_HEAD = (51, 52, 53, 54, 55, 56, 57, 58)
_EYES = (61, 62, 63, 64)
_SIDED = (1, 2, 4, 5, 6, 7, 9, 10, 12, 14, 15, 16, 20)


@dataclass(frozen=True)
class Pose:
    """One pose of a scan list: a span of ``hold`` seconds performing ``code``."""

    start: float
    end: float
    code: str
    group: str
    label: str

    def row(self) -> list[str]:
        """The CSV row."""
        return [f"{self.start:g}", f"{self.end:g}", self.code, self.group, self.label]


def _with_letter(code: str, letter: str | None) -> str:
    if letter is None:
        return str(Code.parse(code))
    actions = [
        a
        if a.intensity is not None or not catalogue[_key(a)].intensity
        else Action(a.number, letter, a.side, a.movement)
        for a in Code.parse(code)
    ]
    return str(Code.from_actions(actions))


def _key(action: Action) -> str:
    return f"AD{action.number}" if action.kind == "AD" else str(action.number)


def _name(code: str) -> str:
    parts = []
    for a in Code.parse(code):
        side = {"L": "left ", "R": "right ", "T": "upper ", "B": "lower "}.get(a.side or "", "")
        parts.append(side + catalogue[_key(a)].name.lower())
    return " + ".join(parts)


def scanlist(
    rig: Rig | None = None,
    *,
    hold: float = 3.0,
    gap: float = 1.0,
    intensity: str | None = "E",
    emotions: bool = True,
) -> list[Pose]:
    """An ordered list of FACS poses covering every scored code and common combinations.

    Order: neutral; upper-face AUs (1, 2, 4, 5, 6, 7), each both sides then
    left and right alone where the rig can pose a side alone; lower-face AUs
    (9 … 28) likewise; descriptors (AD19, AD29, AD30 left/right, AD34); lids
    (43 closed, 46 wink left/right; 45 is a blink, not a held pose); the
    curated combinations (1+2+4, 6+12+25, 12+15 …); the FACS 2002 emotion
    prototypes; head positions 51–58 and eye positions 61–64 last (they move
    the face in the frame); neutral again to check drift.

    Parameters
    ----------
    rig : Rig, optional
        Keep only poses the rig can express (and one-sided poses only where
        it has separate side channels), adding the FACS codes it has shapes
        for but the coder does not score (e.g. MetaHuman 11, 13, 38, 39).
    hold, gap : float
        Seconds each pose is held, and unscripted seconds between poses
        (time to move; calibration ignores unscripted frames).
    intensity : str or None
        Letter added to every action without one (``E`` = maximum, as scans
        ask for; ``None`` leaves them bare, which calibration reads as C).
    emotions : bool
        Include the emotion prototypes.

    Examples
    --------
    >>> poses = scanlist()
    >>> [(p.start, p.end, p.code) for p in poses[:3]]
    [(0.0, 3.0, '0'), (4.0, 7.0, '1E'), (8.0, 11.0, 'L1E')]
    """
    if intensity is not None and intensity not in INTENSITY_LETTERS:
        raise InputError(f"intensity must be one of A–E, not {intensity!r}")
    if not (math.isfinite(hold) and 0 < hold <= MAX_HOLD_S):
        raise ParameterError(f"hold must be a number of seconds above 0 and at most "
                             f"{MAX_HOLD_S:g}, got {hold:g}")  # fmt: skip
    if not (math.isfinite(gap) and 0 <= gap <= MAX_HOLD_S):
        raise ParameterError(f"gap must be a number of seconds from 0 to {MAX_HOLD_S:g}, "
                             f"got {gap:g}")  # fmt: skip
    result = audit(rig) if rig is not None else None
    support = {c.label: c for c in result.codes} if result else {}

    def can(label: str, side: str | None = None) -> bool:
        if result is None:
            return True
        s = support.get(label)
        if s is None:
            return False
        if side is None:
            return s.expressible
        return s.independent_sides

    plan: list[tuple[str, str]] = [("0", "neutral")]

    def add_au(number: int, group: str, kind: str = "") -> None:
        label = f"{kind}{number}"
        if not can(label):
            return
        plan.append((label, group))
        if number in _SIDED and can(label, "L"):
            plan.extend([(f"L{label}", group), (f"R{label}", group)])

    for n in _UPPER:
        add_au(n, "upper face")
    for n in _LOWER:
        add_au(n, "lower face")
    if result is not None:
        for code, _shapes in result.other:
            try:
                parsed = Code.parse(code)
            except ValueError:
                continue
            if parsed and not any(c == str(parsed) for c, _ in plan):
                plan.append((str(parsed), "rig only"))
    for n in _MISC_AD:
        if can(f"AD{n}"):
            plan.append((f"AD{n}", "descriptors"))
            if n == 30:
                plan[-1:] = [("LAD30", "descriptors"), ("RAD30", "descriptors")]
    if can("43"):
        plan.append(("43", "lids"))
        if can("43", "L"):
            plan.extend([("L46", "lids"), ("R46", "lids")])
    combos = [c for c in common_combinations() if c[1] == "curated"]
    if emotions:
        combos += [
            (str(p.required), p.source, f"{p.emotion} prototype")
            for p in prototypes()
            if p.source == "fig2002" and p.type == "prototype" and len(p.required) >= 1
        ]
    checks = {c.code: c for c in audit(rig, combinations=combos).combinations} if rig else {}
    seen = {c for c, _ in plan}
    for code, _source, label in combos:
        if code in seen or (rig is not None and not checks[code].expressible):
            continue
        seen.add(code)
        plan.append((code, "emotion" if "prototype" in label else "combination"))
    for n in _HEAD:
        if can(str(n)):
            plan.append((str(n), "head"))
    for n in _EYES:
        if can(str(n)):
            plan.append((str(n), "eyes"))
    plan.append(("0", "neutral"))

    poses: list[Pose] = []
    t = 0.0
    for code, group in plan:
        text = "0" if code == "0" else _with_letter(_fix_ad(code), intensity)
        label = "neutral, relaxed face" if code == "0" else _name(text)
        poses.append(Pose(round(t, 3), round(t + hold, 3), text, group, label))
        t += hold + gap
    return poses


def _fix_ad(code: str) -> str:
    # "LAD30" is not notation: a side prefix goes before the number ("L30" with AD kind)
    return code.replace("LAD", "L").replace("RAD", "R")


def _scanlist_csv(poses: list[Pose]) -> str:
    """The CSV text (header :data:`SCANLIST_COLUMNS`) of a pose list."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(SCANLIST_COLUMNS)
    for pose in poses:
        writer.writerow(pose.row())
    return buf.getvalue()


def write_scanlist(poses: list[Pose], target: str | Path | TextIO) -> Path | None:
    """Write a pose list as a calibration script CSV (header :data:`SCANLIST_COLUMNS`).

    ``target`` is a path (written atomically; returned) or an open text
    stream such as ``sys.stdout`` (None is returned).

    >>> import io
    >>> buf = io.StringIO()
    >>> write_scanlist(scanlist(hold=1.0, gap=0.5)[:1], buf)
    >>> buf.getvalue().splitlines()[0] == ",".join(SCANLIST_COLUMNS)
    True
    """
    text = _scanlist_csv(poses)
    if hasattr(target, "write"):
        target.write(text)
        return None
    from facs.formats._atomic import write_text_atomic

    return write_text_atomic(target, text)
