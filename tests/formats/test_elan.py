"""Tests for facs.formats._elan: ELAN .eaf write and read."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facs import InputError
from facs.formats import read_eaf, read_events, write_eaf, write_events
from facs.notation import intensity_to_letter
from facs.series import FRAME_COLUMNS
from facs.timeline import EVENT_TABLE_COLUMNS, process

HUMAN_EAF = """<?xml version="1.0" encoding="UTF-8"?>
<ANNOTATION_DOCUMENT AUTHOR="coder" DATE="2020-01-01T00:00:00+00:00" FORMAT="3.0" VERSION="3.0">
    <HEADER MEDIA_FILE="" TIME_UNITS="milliseconds"/>
    <TIME_ORDER>
        <TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="1000"/>
        <TIME_SLOT TIME_SLOT_ID="ts2" TIME_VALUE="2000"/>
        <TIME_SLOT TIME_SLOT_ID="ts3"/>
        <TIME_SLOT TIME_SLOT_ID="ts4" TIME_VALUE="4000"/>
    </TIME_ORDER>
    <TIER LINGUISTIC_TYPE_REF="default" PARTICIPANT="Anna" ANNOTATOR="A" TIER_ID="FACS Anna">
        <ANNOTATION>
            <ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts2">
                <ANNOTATION_VALUE>1+2+AU4B</ANNOTATION_VALUE>
            </ALIGNABLE_ANNOTATION>
        </ANNOTATION>
        <ANNOTATION>
            <ALIGNABLE_ANNOTATION ANNOTATION_ID="a2" TIME_SLOT_REF1="ts3" TIME_SLOT_REF2="ts4">
                <ANNOTATION_VALUE>L12C</ANNOTATION_VALUE>
            </ALIGNABLE_ANNOTATION>
        </ANNOTATION>
    </TIER>
    <TIER LINGUISTIC_TYPE_REF="default" PARTICIPANT="Ben" TIER_ID="FACS Ben">
        <ANNOTATION>
            <ALIGNABLE_ANNOTATION ANNOTATION_ID="a3" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts4">
                <ANNOTATION_VALUE>AD19</ANNOTATION_VALUE>
            </ALIGNABLE_ANNOTATION>
        </ANNOTATION>
    </TIER>
    <TIER LINGUISTIC_TYPE_REF="default" TIER_ID="transcript">
        <ANNOTATION>
            <ALIGNABLE_ANNOTATION ANNOTATION_ID="a4" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts2">
                <ANNOTATION_VALUE>hello there</ANNOTATION_VALUE>
            </ALIGNABLE_ANNOTATION>
        </ANNOTATION>
    </TIER>
    <LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="default" TIME_ALIGNABLE="true"/>
</ANNOTATION_DOCUMENT>
"""


def make_events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "face": [0, 0, 0, 1, 0],
            "code": ["12", "L2", "R2", "45", "19"],
            "side": pd.Series([None, "L", "R", None, None], dtype=object),
            "onset_s": [0.5, 1.0, 1.1, 2.0, 3.0],
            "apex_s": [0.8, 1.1, 1.2, 2.0, 3.5],
            "offset_s": [1.5, 1.4, 1.3, 2.0, 4.0],
            "peak": [3.2, 1.0, 4.4, 5.0, 2.0],
            "letter": ["C", "A", "D", "E", "B"],
        }
    )


def test_write_is_valid_eaf(tmp_path: Path) -> None:
    path = write_eaf(make_events(), tmp_path / "out" / "take.eaf", media=tmp_path / "take.mp4")
    root = ET.parse(path).getroot()
    assert root.tag == "ANNOTATION_DOCUMENT" and root.get("FORMAT") == "3.0"
    assert [c.tag for c in root][:2] == ["HEADER", "TIME_ORDER"]
    media = root.find("HEADER/MEDIA_DESCRIPTOR")
    assert media is not None and media.get("RELATIVE_MEDIA_URL") == "../take.mp4"
    assert media.get("MIME_TYPE") == "video/mp4"
    tiers = [t.get("TIER_ID") for t in root.findall("TIER") if t.get("PARENT_REF") is None]
    assert tiers == ["face 0 AU2", "face 0 AU2 (2)", "face 0 AU12", "face 0 AD19", "face 1 AU45"]
    slots = {s.get("TIME_SLOT_ID"): int(s.get("TIME_VALUE", "-1")) for s in root.iter("TIME_SLOT")}
    assert list(slots.values()) == sorted(slots.values())
    for ann in root.iter("ALIGNABLE_ANNOTATION"):  # every annotation has positive length
        assert slots[ann.get("TIME_SLOT_REF1", "")] < slots[ann.get("TIME_SLOT_REF2", "")]
    types = {t.get("LINGUISTIC_TYPE_ID") for t in root.findall("LINGUISTIC_TYPE")}
    assert {t.get("LINGUISTIC_TYPE_REF") for t in root.findall("TIER")} <= types
    assert len(root.findall("CONSTRAINT")) == 4
    assert not list(tmp_path.glob("out/.*tmp*"))  # atomic: no temp file left


def test_no_overlap_within_a_tier(tmp_path: Path) -> None:
    events = make_events()
    events.loc[2, ["onset_s", "apex_s", "offset_s"]] = [1.2, 1.3, 1.35]  # R2 inside L2
    for mode in ("code", "face"):
        path = write_eaf(events, tmp_path / f"{mode}.eaf", tier=mode)  # type: ignore[arg-type]
        root = ET.parse(path).getroot()
        slots = {
            s.get("TIME_SLOT_ID"): int(s.get("TIME_VALUE", "0")) for s in root.iter("TIME_SLOT")
        }
        for tier in root.findall("TIER"):
            spans = sorted(
                (slots[a.get("TIME_SLOT_REF1", "")], slots[a.get("TIME_SLOT_REF2", "")])
                for a in tier.iter("ALIGNABLE_ANNOTATION")
            )
            assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans)), mode
        assert read_eaf(path)["code"].tolist() == ["12", "L2", "R2", "45", "19"]


def test_roundtrip(tmp_path: Path) -> None:
    events = make_events()
    back = read_eaf(write_eaf(events, tmp_path / "t.eaf"))
    assert list(back.columns) == [*EVENT_TABLE_COLUMNS, "tier", "annotator"]
    cols = ["face", "code", "side", "onset_s", "apex_s", "offset_s", "letter"]
    pd.testing.assert_frame_equal(back[cols], events[cols], check_dtype=False)
    np.testing.assert_allclose(back["peak"], events["peak"])
    assert back["column"].tolist() == ["AU12", "AU02_L", "AU02_R", "AU45", "AD19"]
    assert back.loc[0, "apex_code"] == "12C"
    assert back.loc[1, "apex_code"] == "L2A+R2D+12C"  # R2 starts at L2's apex


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 2),
            st.sampled_from(["1", "L12", "R12", "12", "25", "45", "19", "51", "L30", "M59"]),
            st.integers(0, 100_000),
            st.integers(0, 3000),
            st.floats(0, 1),
            st.floats(0.5, 5),
            st.booleans(),
        ),
        max_size=25,
    )
)
def test_roundtrip_random(
    tmp_path: Path, rows: list[tuple[int, str, int, int, float, float, bool]]
) -> None:
    records = []
    for face, code, onset, length, where, peak, lettered in rows:
        if code == "M59":  # a movement code takes no intensity
            lettered = False
        letter = (intensity_to_letter(peak) or "") if lettered else ""
        records.append(
            {"face": face, "code": code, "side": code[0] if code[0] in "LR" else None,
             "onset_s": onset / 1000, "apex_s": (onset + round(where * length)) / 1000,
             "offset_s": (onset + length) / 1000, "peak": peak if letter else 0.0, "letter": letter}
        )  # fmt: skip
    events = pd.DataFrame(records, columns=["face", "code", "side", "onset_s", "apex_s",
                                            "offset_s", "peak", "letter"])  # fmt: skip
    back = read_eaf(write_eaf(events, tmp_path / "r.eaf"), fps=1000)
    key = ["face", "code", "side", "letter", "onset_s", "apex_s", "offset_s"]

    def canon(table: pd.DataFrame) -> list[tuple[object, ...]]:
        rows_ = table[key].astype(object).where(table[key].notna(), None)
        return sorted(tuple(r) for r in rows_.itertuples(index=False))

    assert canon(back) == canon(events)
    assert (back["onset_frame"] == np.round(back["onset_s"] * 1000)).all()


def test_timeline_events_roundtrip(tmp_path: Path) -> None:
    frames = pd.DataFrame(0.0, index=range(60), columns=FRAME_COLUMNS).assign(
        frame=range(60), time_s=np.arange(60) / 30, face=0, success=1
    )
    frames.loc[8:25, ["AU12", "AU12_L", "AU12_R"]] = 3.0
    frames.loc[30:50, ["AU04", "AU04_L"]] = 2.0
    frames.loc[40:42, ["AU43", "AU43_L", "AU43_R"]] = 5.0  # a blink
    _, events = process(frames, fps=30)
    assert len(events) == 3
    back = read_eaf(write_eaf(events, tmp_path / "coded.eaf", media="take.mp4"), fps=30)
    for col in ("face", "code", "letter", "onset_frame", "apex_frame", "offset_frame", "column"):
        assert back[col].tolist() == events[col].tolist(), col
    np.testing.assert_allclose(back["apex_s"], events["apex_s"], atol=5e-4)
    np.testing.assert_allclose(back["peak"], events["peak"], atol=5e-4)
    write_events(back, tmp_path / "events.csv")  # a valid events table
    assert len(read_events(tmp_path / "events.csv")) == 3


def test_a_file_with_no_facs_tier_is_refused_not_read_as_no_events(tmp_path: Path) -> None:
    path = tmp_path / "words.eaf"
    words_only = re.sub(r'    <TIER LINGUISTIC_TYPE_REF="default" PARTICIPANT=.*?</TIER>\n', "",
                        HUMAN_EAF, flags=re.S)  # fmt: skip
    assert "FACS Anna" not in words_only and "transcript" in words_only
    path.write_text(words_only, encoding="utf-8")
    with pytest.raises(InputError, match=r"no FACS tier: the annotated tiers \(transcript\)"):
        read_eaf(path)


def test_read_human_coded(tmp_path: Path) -> None:
    path = tmp_path / "human.eaf"
    path.write_text(HUMAN_EAF, encoding="utf-8")
    events = read_eaf(path)
    assert events[["face", "code", "letter", "tier"]].values.tolist() == [
        [0, "1", "", "FACS Anna"],
        [0, "2", "", "FACS Anna"],
        [0, "4", "B", "FACS Anna"],
        [1, "19", "", "FACS Ben"],
        [0, "L12", "C", "FACS Anna"],
    ]
    assert events["apex_s"].tolist()[:3] == [1.5, 1.5, 1.5]  # middle when unknown
    twelve = events[events["code"] == "L12"].iloc[0]
    assert twelve["onset_s"] == 3.0 and twelve["peak"] == 3.0  # unaligned slot interpolated
    assert twelve["side"] == "L" and twelve["column"] == "AU12_L"
    assert events["annotator"].tolist()[0] == "A"
    assert (events["onset_frame"] == -1).all()
    assert events.loc[0, "apex_code"] == "1+2+4B"  # Ben (AD19) is another face
    only = read_eaf(path, tiers=["FACS Ben"])
    assert only["code"].tolist() == ["19"]


def test_bad_code_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.eaf"
    path.write_text(HUMAN_EAF.replace("L12C", "L12Q"), encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.eaf line 18, column \d+: tier 'FACS Anna': 'L12Q'"):
        read_eaf(path)


def test_malformed_xml(tmp_path: Path) -> None:
    path = tmp_path / "broken.eaf"
    path.write_text(HUMAN_EAF.replace("</TIER>", "</TIRE>", 1), encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.eaf line 21, column \d+: not valid XML"):
        read_eaf(path)


def test_not_elan_and_empty(tmp_path: Path) -> None:
    path = tmp_path / "x.eaf"
    path.write_text("<html/>", encoding="utf-8")
    with pytest.raises(InputError, match="not an ELAN file"):
        read_eaf(path)
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="the file is empty"):
        read_eaf(path)
    with pytest.raises(InputError, match="no such file"):
        read_eaf(tmp_path / "missing.eaf")
    path.write_text(HUMAN_EAF, encoding="utf-8")
    with pytest.raises(InputError, match="no tier 'nope'"):
        read_eaf(path, tiers=["nope"])


def test_write_rejects_bad_events(tmp_path: Path) -> None:
    events = make_events()
    events.loc[1, "code"] = "99"
    with pytest.raises(InputError, match=r"row 2: '99A' is not a FACS item"):
        write_eaf(events, tmp_path / "x.eaf")
    events = make_events()
    events.loc[0, "apex_s"] = 9.0
    with pytest.raises(InputError, match="onset_s ≤ apex_s ≤ offset_s"):
        write_eaf(events, tmp_path / "x.eaf")
    with pytest.raises(InputError, match="missing column"):
        write_eaf(make_events().drop(columns="letter"), tmp_path / "x.eaf")
    events = make_events()
    events.loc[1, "side"] = "R"  # code L2
    with pytest.raises(InputError, match=r"row 2: code 'L2' is side L but side is 'R'"):
        write_eaf(events, tmp_path / "x.eaf")
    assert not (tmp_path / "x.eaf").exists()


def test_the_side_column_of_a_bare_code_is_its_prefix(tmp_path: Path) -> None:
    events = make_events()
    events.loc[0, "side"] = "R"  # code "12", side R: R12C (the side was dropped: "12C")
    back = read_eaf(write_eaf(events, tmp_path / "x.eaf"))
    assert "R12" in back["code"].tolist()
    assert back.loc[back["code"] == "R12", "side"].tolist() == ["R"]


def test_entity_expansion_is_refused_at_once(tmp_path: Path) -> None:
    """A 1 KB "billion laughs" file once cost 204 s: a DTD is refused before it expands."""
    lol = "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(2, 10))
    path = tmp_path / "laughs.eaf"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY lol1 "lol">{lol}]>'
        "<ANNOTATION_DOCUMENT><TIER TIER_ID='12'><ANNOTATION><ALIGNABLE_ANNOTATION "
        "ANNOTATION_ID='a1' TIME_SLOT_REF1='t1' TIME_SLOT_REF2='t2'><ANNOTATION_VALUE>"
        "&lol9;</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION></TIER>"
        "</ANNOTATION_DOCUMENT>"
    )
    assert path.stat().st_size < 2_000
    with pytest.raises(InputError, match="document type declaration"):
        read_eaf(path)


def test_long_annotation_text_is_read_in_one_join(tmp_path: Path) -> None:
    events = pd.DataFrame({"face": [0], "code": ["12"], "side": [None], "onset_s": [0.0],
                           "apex_s": [0.5], "offset_s": [1.0], "peak": [3.0],
                           "letter": ["C"]})  # fmt: skip
    path = tmp_path / "a.eaf"
    write_eaf(events, path)
    text = path.read_text().replace(
        "<ANNOTATION_VALUE>C<", "<ANNOTATION_VALUE>" + "&#32;" * 50_000 + "C<"
    )
    path.write_text(text)
    back = read_eaf(path)  # 50 000 character chunks joined once, not re-joined each time
    assert back["letter"].tolist() == ["C"]


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(1, 20)), max_size=60))
def test_lanes_are_first_fit_and_never_overlap(spans: list[tuple[int, int]]) -> None:
    from facs.formats._elan import _lanes, _Out

    items = [_Out(0, 12, "", b, b + d, b, b + d, 3.0, f"12#{k}") for k, (b, d) in enumerate(spans)]
    lanes = _lanes(items)
    expected: list[list[_Out]] = []  # the plain first fit: the lowest lane free at the start
    for item in sorted(items, key=lambda o: (o.begin, o.end, o.value)):
        lane = next((x for x in expected if x[-1].end <= item.begin), None)
        if lane is None:
            expected.append([item])
        else:
            lane.append(item)
    assert lanes == expected
    for lane in lanes:
        assert all(a.end <= b.begin for a, b in itertools.pairwise(lane))


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (('TIME_VALUE="1000"', 'TIME_VALUE="-1000"'), "TIME_VALUE -1000 is before the start"),
        (('TIME_VALUE="1000"', 'TIME_VALUE="2500"'), "annotation 'a1' ends (2000 ms) before it"),
    ],
)
def test_times_before_the_media_or_backwards_are_named(
    tmp_path: Path, change: tuple[str, str], says: str
) -> None:
    path = tmp_path / "human.eaf"
    path.write_text(HUMAN_EAF.replace(*change))
    with pytest.raises(InputError, match=re.escape(says)):
        read_eaf(path)  # the backward one was dropped without a word
