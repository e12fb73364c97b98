"""Tests for facs.emotions: prototypes as data, matching and suggestions."""

from __future__ import annotations

from collections import Counter

import pytest

from facs import Code, FACSError
from facs.emotions import SOURCES, match_emotions, normalise_emotion, prototypes, suggest


def test_prototypes_are_valid_and_tagged() -> None:
    protos = prototypes()
    assert {p.source for p in protos} == set(SOURCES)
    for p in protos:
        assert p.type in ("prototype", "variant")
        assert str(Code.parse(p.code)) == p.code  # canonical in the data
        for opt in (*p.optional, *p.optional_all):
            Code.parse(opt)
    counts = Counter(p.source for p in protos)
    assert counts["wikipedia"] == 7


@pytest.mark.parametrize(
    ("code", "emotion"),
    [
        ("6+12", "happiness"),
        ("1+2+5B+26", "surprise"),
        ("1+4+15", "sadness"),
        ("1+2+4+5+20+26", "fear"),
        ("4+5+7+23", "anger"),
        ("R12A+R14A", "contempt"),
        ("L12A+L14A", "contempt"),
        ("9+16+15", "disgust"),
    ],
)
def test_full_matches(code: str, emotion: str) -> None:
    best = match_emotions(code)[0]
    assert (best.emotion, best.match) == (emotion, "full")
    assert best.missing == () and best.extra == ()


def test_partial_match_lists_missing_and_extra() -> None:
    matches = match_emotions("1+4+15+12")
    sad = next(m for m in matches if m.emotion == "sadness")
    assert sad.match == "partial" and "12" in sad.extra
    happy = next(m for m in match_emotions("12+4") if m.emotion == "happiness")
    assert happy.match == "partial"


def test_options_are_honoured() -> None:
    # fear 1+2+4+5+20 may take one of 25/26/27, not two
    assert any(m.match == "full" and m.emotion == "fear" for m in match_emotions("1+2+4+5+20+25"))
    both = [m for m in match_emotions("1+2+4+5+20+26+27") if m.emotion == "fear"]
    assert both and all(m.match == "partial" for m in both)


def test_contempt_needs_one_side() -> None:
    assert not any(m.emotion == "contempt" and m.match == "full" for m in match_emotions("12A+14A"))


def test_full_matches_come_first() -> None:
    ms = match_emotions("1+2+5B+26")
    fulls = [m.match == "full" for m in ms]
    assert fulls == sorted(fulls, reverse=True)


def test_suggest() -> None:
    happy = suggest("happy")
    assert happy[0].type == "prototype"
    assert "6+12" in {p.code for p in happy}
    assert {p.source for p in suggest("fear")} >= {"fig2002", "wikipedia"}
    assert normalise_emotion("Happily-Surprised") == "happily surprised"
    with pytest.raises(FACSError, match="unknown emotion"):
        suggest("boredom")
    with pytest.raises(FACSError, match="unknown source"):
        suggest("fear", source="nope")
    # a source that has no prototype of this emotion (the CLI indexed an empty list)
    with pytest.raises(ValueError, match="du2014 lists no prototype for contempt; the sources"):
        suggest("contempt", source="du2014")
    with pytest.raises(ValueError, match="an emotion is a word"):
        suggest(None)  # type: ignore[arg-type]


def test_neutral_matches_nothing() -> None:
    assert match_emotions("0") == []
    assert match_emotions("70") == []


def test_the_manuals_prototypes_raise_no_warning() -> None:
    """A prototype straight from the manual (surprise 1+2+5B+26 …) is not warned about."""
    from facs.emotions import prototypes
    from facs.notation import Code

    manual = [p for p in prototypes() if p.source == "fig2002"]
    assert any(str(p.code) == "1+2+5B+26" for p in manual)
    for p in manual:
        assert Code.parse(str(p.code)).warnings == [], (
            str(p.code),
            Code.parse(str(p.code)).warnings,
        )


def test_one_sided_codes_of_a_prototype_share_a_side() -> None:
    """Contempt U12+U14: 12 on one side and 14 on the other is not a full match."""
    from facs.emotions import match_emotions

    def contempt(code: str) -> str:
        return next(m.match for m in match_emotions(code) if m.emotion == "contempt")

    assert contempt("L12C+L14") == contempt("R12A+R14A") == contempt("U12+U14") == "full"
    assert contempt("L12C+R14") == "partial"
    mixed = next(m for m in match_emotions("L12C+R14") if m.emotion == "contempt")
    assert any("one side" in r for r in mixed.remarks)


def test_a_one_sided_action_is_half_of_a_bilateral_one() -> None:
    """L6+R12 read 'happiness, full'; L12 ranked happiness full above contempt."""
    from facs.emotions import match_emotions

    for code in ("L6+R12", "L12"):
        assert all(m.match == "partial" for m in match_emotions(code)), code
    first = match_emotions("L6+R12")[0]
    assert first.score == 0.5 and "prototype has 6 on both sides, code has L6" in first.remarks
    assert match_emotions("6+12")[0].match == "full"
    assert match_emotions("R12A+R14A")[0].emotion == "contempt"
