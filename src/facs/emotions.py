"""Emotion prototypes: score a FACS code against them, suggest codes for an emotion.

The prototypes live in ``catalogue/emotions.toml``, each tagged with its
source: ``fig2002`` (FACS 2002 Investigator's Guide, via jmgirard/facs),
``wikipedia``, ``matsumoto2008`` and ``du2014``.

>>> from facs import Code
>>> best = match_emotions(Code.parse("6+12"))[0]
>>> best.emotion, best.match, best.source
('happiness', 'full', 'fig2002')
>>> [p.code for p in suggest("surprise") if p.source == "fig2002" and p.type == "prototype"]
['1+2+5B+26', '1+2+5B+27']
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from facs._errors import InputError
from facs.catalogue import load_toml
from facs.notation import Action, Code

__all__ = [
    "EMOTIONS",
    "SOURCES",
    "EmotionMatch",
    "Prototype",
    "explain_data",
    "match_emotions",
    "normalise_emotion",
    "prototypes",
    "suggest",
]

SOURCES: dict[str, str] = {
    "fig2002": "Ekman, Friesen & Hager (2002), FACS Investigator's Guide, table of emotion "
    "prototypes and major variants",
    "wikipedia": "Wikipedia, 'Facial Action Coding System', table of emotions and action units",
    "matsumoto2008": "Matsumoto & Ekman (2008), 'Facial expression analysis', Scholarpedia "
    "3(5):4237, table of emotions",
    "du2014": "Du, Tao & Martinez (2014), 'Compound facial expressions of emotion', PNAS "
    "111(15), Table 1",
}
#: Short citations for tables: author, year.
SOURCE_SHORT: dict[str, str] = {
    "fig2002": "Ekman et al. 2002",
    "wikipedia": "Wikipedia",
    "matsumoto2008": "Matsumoto & Ekman 2008",
    "du2014": "Du et al. 2014",
}
_SYNONYMS: dict[str, str] = {
    "happy": "happiness", "joy": "happiness", "smile": "happiness",
    "sad": "sadness", "sorrow": "sadness",
    "angry": "anger", "rage": "anger",
    "afraid": "fear", "fearful": "fear", "scared": "fear",
    "surprised": "surprise",
    "disgusted": "disgust",
    "contemptuous": "contempt",
}  # fmt: skip
_SCORED_KINDS = frozenset({"AU", "AD", "head", "eye"})
_ONE_SIDED = frozenset("LRU")


@dataclass(frozen=True)
class Prototype:
    """One emotion prototype or variant from a published table."""

    emotion: str
    type: Literal["prototype", "variant"]
    source: str
    code: str
    optional: tuple[str, ...]
    optional_all: tuple[str, ...]
    note: str

    @property
    def required(self) -> Code:
        """The required items as a :class:`Code`."""
        return _code(self.code)

    def display(self) -> str:
        """The prototype with its options, e.g. ``1+2+4+5+20 (+ 25, 26 or 27)``."""
        text = self.code
        if self.optional:
            alts = list(self.optional)
            text += (
                f" (+ {', '.join(alts[:-1])} or {alts[-1]})" if len(alts) > 1 else f" (+ {alts[0]})"
            )
        if self.optional_all:
            text += f" (± {'+'.join(self.optional_all)})"
        return text

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "emotion": self.emotion,
            "type": self.type,
            "source": self.source,
            "code": self.code,
            "optional": list(self.optional),
            "optional_all": list(self.optional_all),
            "display": self.display(),
            "note": self.note,
            "citation": SOURCES[self.source],
        }


@dataclass(frozen=True)
class EmotionMatch:
    """How a code compares with one prototype."""

    prototype: Prototype
    match: Literal["full", "partial"]
    score: float
    missing: tuple[str, ...]
    extra: tuple[str, ...]
    remarks: tuple[str, ...]

    @property
    def emotion(self) -> str:
        """The prototype's emotion."""
        return self.prototype.emotion

    @property
    def type(self) -> str:
        """``prototype`` or ``variant``."""
        return self.prototype.type

    @property
    def source(self) -> str:
        """Source key of the prototype."""
        return self.prototype.source

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form with the keys ``emotion``, ``type``, ``match`` and details."""
        return {
            "emotion": self.emotion,
            "type": self.type,
            "match": self.match,
            "source": self.source,
            "prototype": self.prototype.display(),
            "score": round(self.score, 3),
            "missing": list(self.missing),
            "extra": list(self.extra),
            "remarks": list(self.remarks),
        }


@cache
def _code(text: str) -> Code:
    return Code.parse(text)


@cache
def prototypes() -> tuple[Prototype, ...]:
    """Every prototype and variant, in file order.

    >>> len({p.source for p in prototypes()})
    4
    """
    out = []
    for raw in load_toml("emotions.toml")["prototype"]:
        proto = Prototype(
            emotion=raw["emotion"],
            type=raw["type"],
            source=raw["source"],
            code=raw["code"],
            optional=tuple(raw["optional"]),
            optional_all=tuple(raw["optional_all"]),
            note=raw["note"],
        )
        _code(proto.code)  # validate at load
        out.append(proto)
    return tuple(out)


EMOTIONS: tuple[str, ...] = (
    "happiness", "sadness", "surprise", "fear", "anger", "disgust", "contempt",
    "happily surprised", "appalled",
)  # fmt: skip


def normalise_emotion(name: str) -> str:
    """Canonical emotion name for a word such as ``happy`` or ``Angry``.

    >>> normalise_emotion("Fearful")
    'fear'
    """
    if not isinstance(name, str):
        raise InputError(f"an emotion is a word such as 'happy', got {name!r}")
    key = " ".join(name.lower().replace("-", " ").replace("_", " ").split())
    key = _SYNONYMS.get(key, key)
    known = {p.emotion for p in prototypes()}
    if key not in known:
        raise InputError(f"unknown emotion {name!r}; known: {', '.join(sorted(known))}")
    return key


def suggest(emotion: str, *, source: str | None = None) -> list[Prototype]:
    """Prototypes and variants for an emotion, prototypes first.

    >>> [p.code for p in suggest("happy", source="wikipedia")]
    ['6+12']
    """
    key = normalise_emotion(emotion)
    if source is not None and source not in SOURCES:
        raise InputError(f"unknown source {source!r}; known: {', '.join(SOURCES)}")
    found = [p for p in prototypes() if p.emotion == key and source in (None, p.source)]
    if not found:
        others = dict.fromkeys(p.source for p in prototypes() if p.emotion == key)
        raise InputError(
            f"source {source} lists no prototype for {key}; the sources that do: "
            f"{', '.join(others)}"
        )
    return sorted(found, key=lambda p: (p.type != "prototype", list(SOURCES).index(p.source)))


def _scored(code: Code) -> dict[int, list[Action]]:
    items: dict[int, list[Action]] = {}
    for action in code:
        if action.kind in _SCORED_KINDS and not action.movement:
            items.setdefault(action.number, []).append(action)
    return items


def _sides_disagree(
    code_items: dict[int, list[Action]],
    required: dict[int, Action],
    missing: list[str],
    remarks: list[str],
) -> int:
    """A prototype's one-sided codes are on one side (either, mirrored): ``L12+R14`` is not
    ``U12+U14``. The codes off that side join ``missing``; returns how many.

    >>> [m.match for m in match_emotions("L12C+R14") if m.emotion == "contempt"][:1]
    ['partial']
    >>> [m.match for m in match_emotions("L12C+L14") if m.emotion == "contempt"][:1]
    ['full']
    """
    one_sided = [n for n, want in required.items() if want.side in _ONE_SIDED
                 and str(want) not in missing]  # fmt: skip
    if len(one_sided) < 2:
        return 0
    options: dict[int, set[str]] = {}
    for n in one_sided:
        sides: set[str] = set()
        for got in code_items[n]:
            sides |= {"L", "R"} if got.side == "U" else {str(got.side)} & {"L", "R"}
        options[n] = sides
    best = max(("L", "R"), key=lambda side: sum(side in options[n] for n in one_sided))
    off = [n for n in one_sided if best not in options[n]]
    for n in off:
        missing.append(str(required[n]))
    if off:
        placed = ", ".join(f"{n} on {'/'.join(sorted(options[n]))}" for n in one_sided)
        remarks.append(f"the prototype has its one-sided codes on one side; the code has {placed}")
    return len(off)


def _compare(code_items: dict[int, list[Action]], proto: Prototype) -> EmotionMatch | None:
    required = {a.number: a for a in proto.required}
    optional = [int(x) for x in proto.optional]
    optional_all = {int(x) for x in proto.optional_all}
    present = set(code_items)
    missing: list[str] = []
    remarks: list[str] = []
    hit = 0
    one_sided = 0
    for number, want in required.items():
        got = code_items.get(number)
        if not got:
            missing.append(str(want))
            continue
        if want.side in _ONE_SIDED and not any(g.side in _ONE_SIDED for g in got):
            missing.append(str(want))
            remarks.append(f"{number} should be one-sided ({want})")
            continue
        if want.side is None and all(g.side in _ONE_SIDED for g in got):
            # the prototype's action on both sides, the code's on one only: half a match
            one_sided += 1
            remarks.append(f"prototype has {want} on both sides, code has "
                           f"{'+'.join(map(str, got))}")  # fmt: skip
        hit += 1
        if want.intensity and all(g.intensity and g.intensity != want.intensity for g in got):
            remarks.append(f"prototype has {want}, code has {'+'.join(map(str, got))}")
    hit -= _sides_disagree(code_items, required, missing, remarks)
    chosen = [n for n in optional if n in present]
    extra = sorted(present - set(required) - set(optional) - optional_all)
    extra += chosen[1:]  # only one alternative may be added
    if hit == 0:
        return None
    union = len(required) + len(extra)
    score = (hit - 0.5 * one_sided) / union if union else 0.0
    if not missing and not extra and not one_sided:
        return EmotionMatch(proto, "full", 1.0, (), (), tuple(remarks))
    if score < 0.5:
        return None
    extra_s = tuple(str(n) for n in sorted(extra))
    return EmotionMatch(proto, "partial", score, tuple(missing), extra_s, tuple(remarks))


def match_emotions(code: Code | str, *, include_partial: bool = True) -> list[EmotionMatch]:
    """Score a code against every prototype; full matches first, then by score.

    A full match holds every required item and nothing beyond the
    prototype's options. A partial match shares at least half of the union
    of required and extra items; it lists what is missing and extra. Only
    action units, descriptors and head/eye positions count.

    >>> m = match_emotions("1+4")
    >>> (m[0].emotion, m[0].match, m[0].missing)
    ('sadness', 'partial', ('15',))
    """
    parsed = Code.parse(code) if isinstance(code, str) else code
    items = _scored(parsed)
    if not items:
        return []
    found = [m for p in prototypes() if (m := _compare(items, p)) is not None]
    if not include_partial:
        found = [m for m in found if m.match == "full"]
    order = list(SOURCES)
    return sorted(
        found,
        key=lambda m: (
            m.match != "full",
            -m.score,
            m.type != "prototype",
            order.index(m.source),
        ),
    )


def explain_data(code: Code) -> dict[str, Any]:
    """A code explained as one JSON-ready document: each item, warnings, emotion matches.

    What ``facs explain --json`` prints and the web page's explainer shows.

    >>> sorted(explain_data(Code.parse("6+12")))[:3]
    ['actions', 'code', 'emotions']
    """
    data = code.to_dict()
    data["emotions"] = [m.to_dict() for m in match_emotions(code)]
    return data
