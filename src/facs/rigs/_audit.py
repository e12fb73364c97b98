"""Rig audit: which codes and sides a rig expresses, and which combinations need correctives."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from facs.catalogue import catalogue
from facs.emotions import prototypes
from facs.notation import Action, Code
from facs.rigs._rig import Rig
from facs.series import CODED, CodedCode

__all__ = [
    "Audit",
    "CodeSupport",
    "ComboCheck",
    "audit",
    "common_combinations",
    "corrective_pairs",
]

#: Catalogue regions whose codes, summed, deform the same tissue (rule 3).
SHARED_REGIONS = frozenset(
    {"brows", "eyes", "cheeks", "nose", "upper lip", "lip corners", "lips", "lower lip", "chin"}
)


@cache
def _combinations_data() -> dict[str, Any]:
    text = resources.files("facs.rigs").joinpath("combinations.toml").read_text("utf-8")
    return tomllib.loads(text)


def corrective_pairs() -> dict[frozenset[int], str]:
    """Curated pairs whose linear sum is known to look wrong, with the reason.

    >>> corrective_pairs()[frozenset({6, 12})].split(":")[0]
    'cheek raise and lip corner pull push the same cheek mass'
    """
    return {frozenset(p["codes"]): str(p["reason"]) for p in _combinations_data()["pair"]}


def common_combinations() -> list[tuple[str, str, str]]:
    """``(code, source, label)`` of every combination the audit checks, deduplicated.

    The curated list of ``combinations.toml`` first, then the required codes of
    every emotion prototype and variant (:func:`facs.emotions.prototypes`).

    >>> common_combinations()[0]
    ('1+2', 'curated', 'brows raised')
    """
    out: dict[str, tuple[str, str, str]] = {}
    for c in _combinations_data()["combination"]:
        code = str(Code.parse(c["code"]))
        out.setdefault(code, (code, "curated", str(c.get("note", ""))))
    for p in prototypes():
        code = str(p.required)
        if len(p.required) >= 2:
            out.setdefault(code, (code, p.source, f"{p.emotion} {p.type}"))
    return list(out.values())


def _coded(action: Action) -> CodedCode | None:
    kind = "AD" if action.kind == "AD" else None
    for c in CODED:
        if c.number == action.number and (kind is None) == (c.kind != "AD"):
            return c
    return None


@dataclass(frozen=True)
class CodeSupport:
    """How a rig expresses one frames-table code."""

    column: str
    label: str
    name: str
    sided: bool
    #: shapes raising the code per side ("L", "R") or for both ("")
    shapes: dict[str, tuple[str, ...]]

    @property
    def expressible(self) -> bool:
        """At least one shape raises the code (either side)."""
        return any(self.shapes.values())

    @property
    def independent_sides(self) -> bool:
        """Each side can be posed alone (a shape raises L but not R and vice versa)."""
        if not self.sided:
            return False
        left, right = set(self.shapes.get("L", ())), set(self.shapes.get("R", ()))
        return bool(left - right) and bool(right - left)

    @property
    def status(self) -> str:
        """``full``, ``both sides only`` (no one-sided pose), ``one side only`` or ``no``."""
        if not self.expressible:
            return "no"
        if not self.sided or self.independent_sides:
            return "full"
        if self.shapes.get("L") and self.shapes.get("R"):
            return "both sides only"
        return "one side only"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "code": self.label,
            "column": self.column,
            "name": self.name,
            "status": self.status,
            "independent_sides": self.independent_sides,
            "shapes": {k or "both": list(v) for k, v in self.shapes.items()},
        }


@dataclass(frozen=True)
class ComboCheck:
    """One combination checked against a rig."""

    code: str
    source: str
    label: str
    expressible: bool
    missing: tuple[str, ...]
    corrective: bool
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "code": self.code,
            "source": self.source,
            "label": self.label,
            "expressible": self.expressible,
            "missing": list(self.missing),
            "needs_corrective": self.corrective,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Audit:
    """The result of :func:`audit`."""

    rig: Rig
    codes: tuple[CodeSupport, ...]
    other: tuple[tuple[str, tuple[str, ...]], ...]  # FACS codes with shapes but no column
    combinations: tuple[ComboCheck, ...]

    @property
    def expressible(self) -> tuple[CodeSupport, ...]:
        """Codes the rig can raise."""
        return tuple(c for c in self.codes if c.expressible)

    @property
    def missing(self) -> tuple[CodeSupport, ...]:
        """Codes the rig cannot raise."""
        return tuple(c for c in self.codes if not c.expressible)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``facs rig audit --json``)."""
        rig = self.rig
        return {
            "rig": rig.name,
            "title": rig.title,
            "preset": rig.preset or rig.name,
            "shapes": {
                "total": len(rig.shapes),
                **rig.counts(),
                "unknown": list(rig.unknown),
                "unmapped": [
                    {"shape": s.name, "facs": s.facs, "reason": s.reason}
                    for s in rig.shapes
                    if s.status != "mapped"
                ],
            },
            "codes": [c.to_dict() for c in self.codes],
            "cannot_express": [c.label for c in self.missing],
            "other_facs": [{"code": code, "shapes": list(names)} for code, names in self.other],
            "combinations": [c.to_dict() for c in self.combinations],
            "corrective_rule": CORRECTIVE_RULE,
        }


CORRECTIVE_RULE = (
    "a combination needs a corrective shape when all its actions are expressible and two of "
    "them (different codes) (1) are raised by one and the same rig shape, (2) form a pair "
    "known from rigging practice to sum wrongly (combinations.toml), or (3) act in the same "
    "facial region (catalogue region: brows, eyes, cheeks, nose, upper lip, lip corners, lips, "
    "lower lip, chin)"
)


def _support(rig: Rig, code: CodedCode) -> CodeSupport:
    entry = catalogue[code.column]
    label = f"AD{code.number}" if code.kind == "AD" else str(code.number)
    column = "AU43" if code.number in (45, 46) and code.kind == "AU" else code.column
    if code.sided:  # 45 blink / 46 wink: the closure channel, told apart by timing
        shapes = {s: tuple(x.name for x in rig.drivers(f"{column}_{s}")) for s in ("L", "R")}
    else:
        shapes = {"": tuple(x.name for x in rig.drivers(code.column))}
    return CodeSupport(code.column, label, entry.name, code.sided, shapes)


def _columns_of(action: Action, code: CodedCode) -> list[str]:
    if not code.sided:
        return [code.column]
    sides = [action.side] if action.side in ("L", "R") else ["L", "R"]
    return [f"{code.column}_{s}" for s in sides]


def _check(
    rig: Rig, code: str, source: str, label: str, support: dict[str, CodeSupport]
) -> ComboCheck:
    parsed = Code.parse(code)
    missing: list[str] = []
    shapes_of: dict[int, set[str]] = {}
    actions: list[Action] = []
    for action in parsed:
        coded = _coded(action)
        needed = _columns_of(action, coded) if coded else []
        if action.side == "U":
            needed = needed[:1]  # one side, either
        ok = coded is not None and all(rig.drivers(c) for c in needed)
        if coded is not None and action.side == "U":
            ok = any(rig.drivers(c) for c in _columns_of(action, coded))
        if not ok:
            missing.append(str(action))
            continue
        actions.append(action)
        shapes_of[action.number] = {s.name for c in needed for s in rig.drivers(c)}
    reasons: list[str] = []
    if not missing:
        pairs = corrective_pairs()
        nums = sorted({a.number for a in actions})
        for i, a in enumerate(nums):
            for b in nums[i + 1 :]:
                shared = shapes_of[a] & shapes_of[b]
                if shared:
                    reasons.append(
                        f"{a}+{b}: one shape raises both ({', '.join(sorted(shared))}), "
                        "so they move in a fixed proportion unless a split or corrective "
                        "shape is added"
                    )
                if frozenset({a, b}) in pairs:
                    reasons.append(f"{a}+{b}: {pairs[frozenset({a, b})]}")
                elif _same_region(a, b, parsed):
                    region = catalogue[_key(a, parsed)].region
                    reasons.append(f"{a}+{b}: same region ({region})")
    return ComboCheck(
        code, source, label, not missing, tuple(missing), bool(reasons), tuple(reasons)
    )


def _key(number: int, code: Code) -> str:
    action = code.get(number)[0]
    return f"AD{number}" if action.kind == "AD" else str(number)


def _same_region(a: int, b: int, code: Code) -> bool:
    ra = catalogue[_key(a, code)].region
    rb = catalogue[_key(b, code)].region
    return ra == rb and ra in SHARED_REGIONS


def audit(rig: Rig, *, combinations: list[tuple[str, str, str]] | None = None) -> Audit:
    """Which codes and sides ``rig`` expresses, and which combinations need correctives.

    Parameters
    ----------
    rig : Rig
        From :func:`load_rig`.
    combinations : list of (code, source, label), optional
        Combinations to check; default :func:`common_combinations`.

    Returns
    -------
    Audit
        Per frames-table code the shapes raising each side; FACS codes the
        rig has shapes for but the frames table does not score (``other``);
        per combination whether every action is expressible (sides included)
        and whether it needs a corrective shape, with the reasons
        (:data:`CORRECTIVE_RULE`).

    Examples
    --------
    >>> from facs.rigs import load_rig
    >>> result = audit(load_rig("arkit"))
    >>> [c.label for c in result.missing]
    ['23', '27', '51', '52', '53', '54', '55', '56', '57', '58']
    >>> one = next(c for c in result.combinations if c.code == "6+12")
    >>> one.expressible, one.corrective
    (True, True)
    """
    codes = tuple(_support(rig, c) for c in CODED)
    support = {c.column: c for c in codes}
    other: dict[str, list[str]] = {}
    for s in rig.shapes:
        if s.status == "not-scored":
            other.setdefault(s.facs, []).append(s.name)
    checks = tuple(
        _check(rig, code, source, label, support)
        for code, source, label in (combinations or common_combinations())
    )
    return Audit(rig, codes, tuple((k, tuple(v)) for k, v in other.items()), checks)
