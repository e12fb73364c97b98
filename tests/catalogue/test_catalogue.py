"""Tests for facs.catalogue: completeness against FACS_REFERENCE.md §1 and queries."""

from __future__ import annotations

from collections import Counter

import pytest

from facs import CatalogueError, catalogue
from facs.catalogue import KINDS, REGIONS

AUS = [1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 20, 21, 22, 23, 24, 25,
       26, 27, 28, 31, 38, 39, 43, 45, 46]  # fmt: skip
ADS = [19, 29, 30, 32, 33, 34, 35, 36, 37]
HEAD = [51, 52, 53, 54, 55, 56, 57, 58]
EYES = [61, 62, 63, 64, 65, 66]
VISIBILITY = [70, 71, 72, 73, 74]
GROSS = [40, 50, 80, 81, 82, 84, 85, 91, 92, 97, 98]
LEGACY = [41, 42, 44]
MOVEMENT = ["M55", "M56", "M57", "M59", "M60", "M61", "M62", "M68", "M69", "M83"]


def test_every_reference_code_is_present() -> None:
    for n in AUS:
        assert catalogue[n].kind == "AU", n
    for n in ADS:
        assert catalogue[n].kind == "AD", n
    for n in HEAD:
        assert catalogue[n].kind == "head", n
    for n in EYES:
        assert catalogue[n].kind == "eye", n
    for n in VISIBILITY:
        assert catalogue[n].kind == "visibility", n
    for n in GROSS:
        assert catalogue[n].kind == "gross", n
    for key in MOVEMENT:
        assert catalogue[key].kind == "movement", key
    assert catalogue[68].group == "eye movement" and catalogue[69].group == "eye movement"
    assert catalogue[83].kind == "head"
    assert catalogue[0].kind == "neutral"
    assert 3 not in catalogue


def test_legacy_codes_say_what_replaced_them() -> None:
    for n in LEGACY:
        entry = catalogue[n]
        assert entry.legacy and entry.replaced_by
        assert not entry.intensity
    assert "43" in catalogue[41].replaced_by
    assert not any(e.legacy for e in catalogue.values() if e.number not in LEGACY)


def test_every_entry_is_complete() -> None:
    for entry in catalogue.values():
        assert entry.kind in KINDS and entry.region in REGIONS
        assert entry.name and entry.appearance, entry.key
        assert set(entry.sides) <= {"LR", "TB"}
        assert all(s.startswith("S") for s in entry.sources), entry.key
        if entry.kind == "AU" and entry.number not in (0,):
            assert entry.muscles, entry.key
    counts = Counter(e.kind for e in catalogue.values())
    assert counts["AU"] == len(AUS) + len(LEGACY)
    assert counts["AD"] == len(ADS)


def test_sides_and_intensity_follow_the_reference() -> None:
    assert catalogue[12].unilateral and catalogue[1].unilateral
    assert not catalogue[17].unilateral and not catalogue[26].unilateral
    assert catalogue[22].one_lip and catalogue[28].one_lip
    assert catalogue[54].intensity and not catalogue[70].intensity
    assert "intensity" in catalogue[61].unverified
    assert "orbicularis oculi" in catalogue[6].muscles[0]


@pytest.mark.parametrize(
    ("query", "key"),
    [("12", "12"), ("AU12", "12"), ("au 12", "12"), (12, "12"), ("AD19", "19"), ("AU19", "19"),
     ("M59", "M59"), ("m59", "M59"), ("AU01", "1"), ("51", "51")],
)  # fmt: skip
def test_lookup_by_number_and_label(query: object, key: str) -> None:
    assert catalogue[query].key == key


@pytest.mark.parametrize("query", ["3", "99", "AD12", "M12", "hello", "", True, None])
def test_unknown_lookup_raises(query: object) -> None:
    with pytest.raises(CatalogueError):
        catalogue[query]


def test_search_by_name_muscle_region() -> None:
    assert [e.number for e in catalogue.search("dimpler")] == [14]
    assert 12 in [e.number for e in catalogue.search("zygomaticus")]
    assert {e.number for e in catalogue.by_muscle("frontalis")} == {1, 2}
    assert {e.number for e in catalogue.entries(region="brows")} >= {1, 2, 4}
    assert all(e.kind == "AD" for e in catalogue.entries(kind="AD"))
    assert catalogue.search("tongue")[0].number == 19
    with pytest.raises(CatalogueError):
        catalogue.entries(kind="nonsense")
    with pytest.raises(CatalogueError):
        catalogue.entries(region="elbow")


def test_seed_syllabus_is_known() -> None:
    assert "vertical" in catalogue[23].notes.lower()
    assert "open-eyed blink" in catalogue[45].notes.lower()
    assert catalogue[65].name.lower() == "walleye"
    for n in (19, 32, 33, 34, 35, 36):
        assert catalogue[n].kind == "AD"
