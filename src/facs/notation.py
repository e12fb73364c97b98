"""FACS notation: parse, validate and format FACS code strings.

A FACS string is items joined by ``+``. Each item is an optional side prefix,
an optional ``AU``/``AD`` prefix, a code number and an optional intensity
letter A–E: ``1+2+4B+R12C+25+26``, ``G7D+6C``, ``T22+B28``, ``M59``.

>>> from facs import Code
>>> code = Code.parse("L12B + R2C")
>>> str(code)
'R2C+L12B'
>>> [a.name for a in code]
['Outer brow raiser', 'Lip corner puller']
>>> Code.parse("1+99")
Traceback (most recent call last):
...
facs._errors.CodeError: unknown code 99 (token '99' at position 2 in '1+99')
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from facs._errors import CodeError
from facs.catalogue import Entry, Kind, catalogue, load_toml

__all__ = [
    "INTENSITY_LETTERS",
    "INTENSITY_WORDS",
    "SIDE_WORDS",
    "Action",
    "Code",
    "intensity_to_letter",
    "letter_to_intensity",
]

INTENSITY_LETTERS = "ABCDE"
INTENSITY_WORDS: dict[str, str] = {
    "A": "trace",
    "B": "slight",
    "C": "marked or pronounced",
    "D": "severe or extreme",
    "E": "maximum",
}
#: Side and asymmetry prefixes (FACS_REFERENCE.md §2b).
SIDE_WORDS: dict[str, str] = {
    "L": "left side only (subject's left)",
    "R": "right side only (subject's right)",
    "U": "one side only, side not stated",
    "T": "top lip only",
    "B": "bottom lip only",
    "A": "asymmetrical, amount not stated",
    "S": "symmetrical",
    **{
        c: f"asymmetrical, left stronger by {i} step{'s' * (i > 1)}"
        for i, c in enumerate("VWXYZ", 1)
    },
    **{
        c: f"asymmetrical, right stronger by {i} step{'s' * (i > 1)}"
        for i, c in enumerate("GHIJK", 1)
    },
}
_LR_SIDES = frozenset("LRUASVWXYZGHIJK")
_TB_SIDES = frozenset("TBS")  # S (symmetrical) as in S1's S22, S28
_SIDE_ORDER = {s: i for i, s in enumerate("LRTBUASVWXYZGHIJK")}
_PAIRED = ({"L", "R"}, {"T", "B"})  # sides that may stand together for one code

_ITEM = re.compile(r"^(?P<pre>[A-Z]*)(?P<num>[0-9]+)(?P<suf>[A-Z]*)$", re.ASCII)
#: Longest FACS string accepted (characters): a coding of a whole face is far shorter
#: (every scored code with a side and a letter is under 400), and parsing stays cheap.
MAX_CODE_CHARS = 2000
#: Most digits in a code number (the largest FACS number has 2).
_MAX_DIGITS = 3
_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DIGITS = frozenset("0123456789")


def _scan_item(item: str) -> tuple[str, str, str] | None:
    """``(prefix, number, suffix)`` of an upper-case item, in one pass; None if malformed.

    The prefix is letters (a side and/or AU/AD) and spaces (``L AU 12``);
    the caller checks that its words are whole tokens (``A U12`` is not).
    Linear in the item's length, whatever it holds.

    >>> _scan_item("RAU12C"), _scan_item("L AU 12"), _scan_item("L" + " " * 5 + "x")
    (('RAU', '12', 'C'), ('L AU ', '12', ''), None)
    """
    n = len(item)
    i = 0
    while i < n and (item[i] in _UPPER or item[i] in " \t"):
        i += 1
    pre = item[:i]
    j = i
    while j < n and item[j] in _DIGITS:
        j += 1
    num, suf = item[i:j], item[j:]
    if not num or any(c not in _UPPER for c in suf):
        return None
    return pre, num, suf


def intensity_to_letter(intensity: float | None) -> str | None:
    """Letter for a 0–5 intensity: 0 (or below 0.5) is absent, 1 = A … 5 = E.

    Values are rounded to the nearest step.

    >>> [intensity_to_letter(x) for x in (0, 0.4, 0.6, 2.5, 3.2, 5, 7)]
    [None, None, 'A', 'C', 'C', 'E', 'E']
    """
    if intensity is None or not math.isfinite(intensity) or intensity < 0.5:
        return None
    step = min(5, math.floor(intensity + 0.5))
    return INTENSITY_LETTERS[step - 1]


def letter_to_intensity(letter: str | None) -> int:
    """0–5 number for an intensity letter (``None`` is 0, absent).

    >>> letter_to_intensity("C"), letter_to_intensity(None)
    (3, 0)
    """
    if letter is None:
        return 0
    up = letter.strip().upper()
    if len(up) != 1 or up not in INTENSITY_LETTERS:
        raise CodeError(f"bad intensity letter {letter!r}: use A, B, C, D or E")
    return INTENSITY_LETTERS.index(up) + 1


def _entry_for(number: int, *, movement: bool) -> Entry | None:
    key = f"M{number}" if movement else str(number)
    return catalogue.get_entry(key)


@dataclass(frozen=True)
class Action:
    """One scored item of a FACS code: a number with optional side and intensity.

    Parameters
    ----------
    number
        The code number (12 for AU12, 19 for AD19, 59 for M59).
    intensity
        ``None`` or a letter A–E.
    side
        ``None`` or a prefix letter (see ``SIDE_WORDS``).
    movement
        True for an ``M`` movement code (M55, M59 …).

    Examples
    --------
    >>> a = Action(12, intensity="C", side="R")
    >>> str(a), a.kind, a.name, a.intensity_value
    ('R12C', 'AU', 'Lip corner puller', 3)
    >>> Action(17, side="L")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    facs._errors.CodeError: 17 (Chin raiser) cannot be scored with side prefix L: ...
    """

    number: int
    intensity: str | None = None
    side: str | None = None
    movement: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.number, bool) or not isinstance(self.number, numbers.Integral):
            raise CodeError(
                f"a code number must be a whole number such as 12, got {self.number!r}"
                + (" (Code.parse reads text)" if isinstance(self.number, str) else "")
            )
        object.__setattr__(self, "number", int(self.number))  # numpy's integers too
        for name in ("intensity", "side"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise CodeError(f"{name} must be a letter or None, got {value!r}")
        entry = _entry_for(self.number, movement=self.movement)
        if entry is None:
            what = f"M{self.number}" if self.movement else str(self.number)
            hint = " (AU3 is Baby FACS, not adult FACS)" if what == "3" else ""
            raise CodeError(f"unknown code {what}{hint}")
        if self.intensity is not None:
            if self.intensity not in INTENSITY_LETTERS or len(self.intensity) != 1:
                raise CodeError(f"bad intensity {self.intensity!r} on {entry.key}: use A–E")
            if not entry.intensity:
                raise CodeError(
                    f"{entry.key} ({entry.name}) takes no intensity, got {self.intensity}"
                )
        if self.side is not None:
            if self.side not in SIDE_WORDS:
                raise CodeError(f"bad side prefix {self.side!r} on {entry.key}")
            allowed = (_LR_SIDES if entry.unilateral else frozenset()) | (
                _TB_SIDES if entry.one_lip else frozenset()
            )
            if self.side not in allowed:
                if not allowed:
                    reason = "it has no one-sided form"
                elif entry.one_lip:
                    reason = "it takes only T (top lip), B (bottom lip) or S (symmetrical)"
                else:
                    reason = "T/B (one lip) apply only to 22 and 28"
                raise CodeError(
                    f"{entry.key} ({entry.name}) cannot be scored with side prefix "
                    f"{self.side}: {reason}"
                )

    @property
    def entry(self) -> Entry:
        """The catalogue entry of this code."""
        found = _entry_for(self.number, movement=self.movement)
        assert found is not None  # checked in __post_init__
        return found

    @property
    def key(self) -> str:
        """Catalogue key: ``"12"``, ``"M59"``."""
        return f"M{self.number}" if self.movement else str(self.number)

    @property
    def kind(self) -> Kind:
        """``AU``, ``AD``, ``head``, ``eye``, ``gross``, ``visibility`` or ``movement``."""
        return self.entry.kind

    @property
    def name(self) -> str:
        """Name of the code, e.g. ``"Lip corner puller"``."""
        return self.entry.name

    @property
    def intensity_value(self) -> int:
        """Intensity as 0–5 (0 when no letter is given)."""
        return letter_to_intensity(self.intensity)

    @property
    def intensity_word(self) -> str | None:
        """``trace`` … ``maximum``, or ``None``."""
        return None if self.intensity is None else INTENSITY_WORDS[self.intensity]

    @property
    def side_word(self) -> str | None:
        """What the side prefix means, or ``None``."""
        return None if self.side is None else SIDE_WORDS[self.side]

    def sort_key(self) -> tuple[int, int, int, int]:
        """Canonical order: number, plain before M-code, side, intensity."""
        side = -1 if self.side is None else _SIDE_ORDER[self.side]
        return (self.number, int(self.movement), side, self.intensity_value)

    def __str__(self) -> str:
        return f"{self.side or ''}{'M' if self.movement else ''}{self.number}{self.intensity or ''}"

    @classmethod
    def parse(cls, text: str) -> Action:
        """Parse one item such as ``R12C``, ``AU4``, ``AD19`` or ``B28``.

        >>> Action.parse("au12c")
        Action(number=12, intensity='C', side=None, movement=False)
        """
        code = Code.parse(text)
        if len(code) != 1:
            raise CodeError(
                f"expected one item, got {len(code)}", text=text, token=text, position=0
            )
        return code.actions[0]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description of this item."""
        e = self.entry
        return {
            "code": str(self),
            "number": self.number,
            "kind": e.kind,
            "name": e.name,
            "muscles": list(e.muscles),
            "intensity": self.intensity,
            "intensity_value": self.intensity_value,
            "intensity_word": self.intensity_word,
            "side": self.side,
            "side_word": self.side_word,
        }


def _split_items(text: str) -> Iterator[tuple[str, int]]:
    """Yield ``(item, offset)`` for each ``+``-separated item, whitespace stripped."""
    start = 0
    for raw in text.split("+"):
        stripped = raw.strip()
        lead = len(raw) - len(raw.lstrip())
        yield stripped, start + (lead if stripped else 0)
        start += len(raw) + 1


_LETTER_APART = re.compile(r"(\d)\s+([A-Ea-e])(?![A-Za-z0-9])")
_SEPARATOR = re.compile(r"\s*[,;/&]\s*|\s+")


def _suggestion(item: str, text: str) -> str | None:
    """The whole code with this item written as notation, when an obvious fix makes it parse.

    >>> _suggestion("43 45", "43 45"), _suggestion("12 c", "6+12 c"), _suggestion("x", "x")
    ('43+45', '6+12C', None)
    """
    if len(item) > 200:
        return None
    fixed = _LETTER_APART.sub(lambda m: m.group(1) + m.group(2).upper(), item)
    fixed = "+".join(part for part in _SEPARATOR.split(fixed) if part)
    if fixed == item:
        return None
    candidate = text.replace(item, fixed, 1)
    try:
        return str(Code.parse(candidate))
    except CodeError:
        return None


#: The neutral face written alone: ``0``, ``00``, ``000`` … with an optional ``AU``.
_NEUTRAL_ITEM = re.compile(r"\s*(?:AU\s*)?0+\s*")


def _parse_item(item: str, *, text: str, position: int) -> tuple[Action, str | None]:
    """Parse one stripped item; returns the action and an optional note."""

    def fail(message: str) -> CodeError:
        return CodeError(message, text=text, token=item, position=position)

    if not item:
        what = "empty code" if not text.strip() else "empty item (a '+' with nothing beside it)"
        raise fail(what)
    scanned = _scan_item(item.upper())
    if scanned is None:
        shown = item if len(item) <= 40 else item[:37] + "..."
        hint = _suggestion(item, text)
        raise fail(
            f"malformed item {shown!r}: expected [side][AU|AD]number[A-E], e.g. R12C"
            + (f"; did you mean {hint}?" if hint else "")
        )
    words, digits, suffix = scanned
    parts = words.split()
    typed_words = [w for w in parts if w in ("AU", "AD")]
    side_words = [w for w in parts if len(w) == 1 and w in SIDE_WORDS]
    if len(parts) > 1 and not (len(parts) == 2 and len(typed_words) == len(side_words) == 1):
        # "A U12": a space may only part a side from AU/AD ("L AU12")
        raise fail(f"malformed item {item!r}: a space splits {words.strip()!r}")
    pre = "".join(parts)
    if len(digits) > _MAX_DIGITS:
        raise fail(f"unknown code {digits[:12]}{'...' if len(digits) > 12 else ''}")
    number = int(digits)
    side: str | None = None
    typed: str | None = None
    movement = False
    if pre in ("AU", "AD"):
        typed = pre
    elif pre == "M":
        movement = True
    elif len(pre) == 1:
        side = pre
    elif len(pre) == 3 and pre[0] in SIDE_WORDS and pre[1:] in ("AU", "AD"):
        side, typed = pre[0], pre[1:]
    elif len(pre) == 3 and pre[:2] in ("AU", "AD") and pre[2] in SIDE_WORDS:
        typed, side = pre[:2], pre[2]
    elif pre:
        raise fail(f"unknown prefix {pre!r} in {item!r}: sides are {', '.join(SIDE_WORDS)}")
    if side is not None and side not in SIDE_WORDS:
        raise fail(f"unknown side prefix {side!r} in {item!r}: use {', '.join(SIDE_WORDS)}")
    if len(suffix) > 1 or (suffix and suffix not in INTENSITY_LETTERS):
        raise fail(f"bad intensity {suffix!r} in {item!r}: intensity is one letter A–E")
    entry = _entry_for(number, movement=movement)
    if entry is None:
        shown = f"M{number}" if movement else str(number)
        if movement and _entry_for(number, movement=False) is not None:
            raise fail(f"{shown} is not a movement code")
        hint = " (AU3 is Baby FACS, not adult FACS)" if shown == "3" else ""
        raise fail(f"unknown code {shown}{hint}")
    note = None
    if typed == "AD" and entry.kind != "AD":
        raise fail(f"{number} is not an action descriptor ({entry.name} is {entry.kind} {number})")
    if typed == "AU" and entry.kind == "AD":
        note = f"{number} ({entry.name}) is an action descriptor: AD{number}"
    try:
        action = Action(number, intensity=suffix or None, side=side, movement=movement)
    except CodeError as err:
        raise fail(err.message) from None
    return action, note


@dataclass(frozen=True)
class Code:
    """An ordered, validated set of FACS items.

    ``str(code)`` is the canonical notation: numeric order, no spaces, no
    ``AU``/``AD`` prefixes. An empty code is the neutral face, ``0``.

    Examples
    --------
    >>> c = Code.parse("1+2+5B+26")
    >>> str(c), len(c), 5 in c
    ('1+2+5B+26', 4, True)
    >>> Code.parse("26+au1+ 2 + 5b") == c
    True
    >>> Code.parse("4+5+43").warnings
    ['5 and 43 are mutually exclusive: do not score both in one event (S1 facs_exclusives.csv; S5)']
    """

    actions: tuple[Action, ...] = ()
    notes: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        if any(not isinstance(a, Action) for a in self.actions):
            bad = next(a for a in self.actions if not isinstance(a, Action))
            raise CodeError(f"a code is made of Actions, got {bad!r} (Code.parse reads text)")
        if any(a.number == 0 and not a.movement for a in self.actions):
            if len(self.actions) > 1:
                raise CodeError("0 (neutral face) cannot be combined with other codes")
            object.__setattr__(self, "actions", ())  # the neutral face: no action
        ordered = tuple(sorted(self.actions, key=Action.sort_key))
        seen: dict[str, list[Action]] = {}
        unique: list[Action] = []
        for action in ordered:
            same = seen.setdefault(action.key, [])
            if action in same:
                continue
            for other in same:
                _check_compatible(other, action)
            same.append(action)
            unique.append(action)
        object.__setattr__(self, "actions", tuple(unique))

    @classmethod
    def parse(cls, text: str) -> Code:
        """Parse a FACS string; raise ``CodeError`` naming the bad token and its position.

        >>> str(Code.parse("AU12C + AU6B"))
        '6B+12C'
        >>> Code.parse("1++2")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        facs._errors.CodeError: empty item (...) (token '' at position 2 in '1++2')
        """
        if not isinstance(text, str):
            raise CodeError(f"a FACS code must be a string, got {type(text).__name__}")
        if len(text) > MAX_CODE_CHARS:
            raise CodeError(f"code too long: {len(text)} characters, at most {MAX_CODE_CHARS}")
        actions: list[Action] = []
        notes: list[str] = []
        neutral_at: tuple[str, int] | None = None
        for item, position in _split_items(text):
            if _NEUTRAL_ITEM.fullmatch(item.upper()):
                neutral_at = (item, position)
                continue
            action, note = _parse_item(item, text=text, position=position)
            if note:
                notes.append(note)
            if action in actions:
                notes.append(f"{action} is written twice")
                continue
            for prior in actions:
                if prior.key == action.key:
                    try:
                        _check_compatible(prior, action)
                    except CodeError as err:
                        raise CodeError(
                            err.message, text=text, token=item, position=position
                        ) from None
            actions.append(action)
        if neutral_at is not None and actions:
            token, position = neutral_at
            raise CodeError(
                "0 (neutral face) cannot be combined with other codes",
                text=text,
                token=token,
                position=position,
            )
        return cls(tuple(actions), notes=tuple(notes))

    @classmethod
    def from_actions(cls, actions: Iterable[Action]) -> Code:
        """Build a code from actions (sorted and checked).

        >>> str(Code.from_actions([Action(12, "C"), Action(6)]))
        '6+12C'
        """
        return cls(tuple(actions))

    def __str__(self) -> str:
        return "+".join(str(a) for a in self.actions) or "0"

    def __iter__(self) -> Iterator[Action]:
        return iter(self.actions)

    def __len__(self) -> int:
        return len(self.actions)

    def __bool__(self) -> bool:
        return bool(self.actions)

    def __contains__(self, item: object) -> bool:
        if isinstance(item, Action):
            return item in self.actions
        if isinstance(item, int) and not isinstance(item, bool):
            return any(a.number == item and not a.movement for a in self.actions)
        if isinstance(item, str):
            try:
                wanted = Action.parse(item)
            except CodeError:
                return False
            return any(_matches(a, wanted) for a in self.actions)
        return False

    def __add__(self, other: Code | str) -> Code:
        other_code = Code.parse(other) if isinstance(other, str) else other
        return Code(self.actions + other_code.actions, notes=self.notes + other_code.notes)

    @property
    def numbers(self) -> frozenset[int]:
        """Code numbers present (M-codes excluded)."""
        return frozenset(a.number for a in self.actions if not a.movement)

    def get(self, number: int) -> tuple[Action, ...]:
        """Items with this number (several when scored per side)."""
        return tuple(a for a in self.actions if a.number == number and not a.movement)

    @property
    def warnings(self) -> list[str]:
        """Combination rules this code breaks or should be checked against (FACS §2d)."""
        return list(self.notes) + _combination_warnings(self)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: canonical string, items and warnings."""
        return {
            "code": str(self),
            "actions": [a.to_dict() for a in self.actions],
            "warnings": self.warnings,
        }


def _check_compatible(a: Action, b: Action) -> None:
    """Two items of one code may stand together only as L+R or T+B."""
    if a.side is not None and b.side is not None and {a.side, b.side} in _PAIRED:
        return
    if a.side == b.side:
        raise CodeError(f"{a.key} is scored twice with conflicting values: {a} and {b}")
    raise CodeError(f"{a.key} is scored twice with conflicting sides: {a} and {b}")


def _matches(action: Action, pattern: Action) -> bool:
    """Whether ``action`` is an instance of ``pattern`` (unset fields match anything)."""
    return (
        action.number == pattern.number
        and action.movement == pattern.movement
        and (pattern.side is None or action.side == pattern.side)
        and (pattern.intensity is None or action.intensity == pattern.intensity)
    )


@cache
def _exclusives() -> tuple[tuple[Action, Action, str], ...]:
    rules = load_toml("rules.toml")
    return tuple((_pattern(r["a"]), _pattern(r["b"]), str(r["source"])) for r in rules["exclusive"])


def _pattern(text: str) -> Action:
    m = _ITEM.match(text)
    if m is None:
        raise ValueError(f"rules.toml: bad pattern {text!r}")
    return Action(
        int(m.group("num")), intensity=m.group("suf") or None, side=m.group("pre") or None
    )


def _opposite_sides(x: Action, y: Action) -> bool:
    """One item on the left and the other on the right: an exclusive pair's two
    actions then move different halves of the face (L5+R43: one lid up, the other
    shut), which the rule does not forbid."""
    return {x.side, y.side} == {"L", "R"}


def _combination_warnings(code: Code) -> list[str]:
    out: list[str] = []
    for a, b, source in _exclusives():
        if any(
            _matches(x, a) and _matches(y, b) and not _opposite_sides(x, y)
            for x in code
            for y in code
        ):
            out.append(
                f"{a} and {b} are mutually exclusive: do not score both in one event ({source})"
            )
    nums = code.numbers
    # No warning for 26 or 27 without 25: FACS's own prototypes write them so
    # (surprise 1+2+5B+26, 1+2+5B+27), and the rule is unverified.
    for wink in code.get(46):
        if wink.side is None:
            out.append("46 (wink) is one-sided by definition: write L46 or R46")
        elif wink.side not in ("L", "R", "U"):
            out.append(f"{wink} (wink) closes one eye: write L46 or R46 (U46 when the side "
                       "is unknown); both eyes closed is 45 (blink) or 43")  # fmt: skip
    out += _visibility_warnings(code)
    if 45 in nums:
        out.append("45 (blink) needs timing: it cannot be scored from a still image")
    if 5 in nums and nums & {53, 63}:
        out.append(
            "5 with head or eyes up: looking up raises the lid; "
            "score 5 only if not caused by the position"
        )
    if 43 in nums and nums & {54, 64}:
        out.append(
            "43 with head or eyes down: looking down lowers the lid; "
            "score 43 only if not caused by the position"
        )
    for action in code:
        entry = action.entry
        if entry.legacy:
            out.append(
                f"{action.number} ({entry.name}) is a 1978 code, not in FACS 2002: "
                f"{entry.replaced_by}"
            )
    for number in sorted(nums):
        sides = {a.side: a.intensity for a in code.get(number)}
        if number == 46 and {"L", "R"} <= set(sides):
            out.append("L46+R46 closes both eyes: that is no wink but 45 (blink) or 43 (closed)")
            continue
        if set(sides) == {"L", "R"} and sides["L"] == sides["R"]:
            out.append(
                f"L{number}{sides['L'] or ''}+R{number}{sides['R'] or ''} is the same as "
                f"{number}{sides['L'] or ''} (both sides, equal)"
            )
    return out


#: What each visibility code says cannot be seen, as the coder blanks it: 70 the brows
#: (1, 2, 4), 71 the eyes (lids and gaze), 72 the lower face (nose down, descriptors
#: included), 73 and 74 every action and eye position (head positions stay scorable).
_HIDDEN_BY: dict[int, tuple[str, Callable[[Action], bool]]] = {
    70: ("the brows", lambda a: a.kind == "AU" and a.number in (1, 2, 4)),
    71: (
        "the eyes",
        lambda a: (
            a.kind == "eye" or (a.kind == "AU" and a.number in (5, 6, 7, 41, 42, 43, 44, 45, 46))
        ),
    ),
    72: ("the lower face", lambda a: a.kind in ("AU", "AD") and 8 <= a.number <= 39),
    73: ("the face", lambda a: a.kind in ("AU", "AD", "eye")),
    74: ("the face (unscorable)", lambda a: a.kind in ("AU", "AD", "eye")),
}


def _visibility_warnings(code: Code) -> list[str]:
    """A visibility code (70–74) beside actions scored where it says nothing is seen.

    >>> _visibility_warnings(Code.parse("72+1+12"))
    ['72 says the lower face cannot be seen, but 12 is scored there']
    """
    out = []
    for cover in code:
        if cover.kind != "visibility" or cover.number not in _HIDDEN_BY:
            continue
        where, hidden = _HIDDEN_BY[cover.number]
        inside = [str(a) for a in code if a.kind != "visibility" and hidden(a)]
        if inside:
            verb = "is" if len(inside) == 1 else "are"
            out.append(f"{cover.number} says {where} cannot be seen, but {'+'.join(inside)} "
                       f"{verb} scored there")  # fmt: skip
    return out
