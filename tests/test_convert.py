"""facs.convert: any supported input → facs tables → any supported output."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facs import InputError
from facs.convert import (
    FROM_FORMATS,
    TO_FORMATS,
    convert,
    detect_format,
    events_to_frames,
    read_any,
    write_any,
)
from facs.formats import read_events, read_frames
from facs.formats._tables import peak_letter

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
PEERS = Path(os.environ.get("FACS_DATA_DIR", DATA)) / "peer-formats"


def test_formats_listed() -> None:
    assert {"livelink", "arkit", "meta", "metahuman", "openface", "pyfeat", "facet",
            "affectiva", "elan", "facs", "code"} == set(FROM_FORMATS)  # fmt: skip
    assert {"facs", "csv", "eaf", "arkit", "meta", "metahuman", "livelink"} == set(TO_FORMATS)


@pytest.mark.parametrize("rig", ["arkit", "meta", "metahuman", "livelink"])
def test_rig_round_trip_keeps_curves_and_sides(coded: Path, tmp_path: Path, rig: str) -> None:
    out = tmp_path / f"{rig}.csv"
    data = read_any(coded, "facs")
    write_any(data, out, rig)  # type: ignore[arg-type]
    assert detect_format(out) == rig
    back = read_any(out, rig)  # type: ignore[arg-type]
    assert back.raw is not None and data.raw is not None
    n = min(len(back.raw), len(data.raw))
    for column in ("AU12_L", "AU12_R", "AU01"):
        a = data.raw[column].to_numpy()[:n]
        b = back.raw[column].to_numpy()[:n]
        assert np.corrcoef(a, b)[0, 1] > 0.95, column
        assert abs(a.max() - b.max()) < 0.6, column
    assert back.raw["AU12_L"].max() > back.raw["AU12_R"].max()  # left stays the stronger side
    assert {"12", "1"} <= set(back.events["code"].astype(str).str.lstrip("LR"))


def test_eaf_round_trip(coded: Path, tmp_path: Path) -> None:
    data = read_any(coded / "events.csv")
    assert data.kind == "facs" and data.frames is None
    eaf = tmp_path / "coded.eaf"
    write_any(data, eaf, "eaf")
    back = read_any(eaf)
    assert back.kind == "elan"
    key = ["code", "side", "letter"]
    a = data.events.sort_values(key).reset_index(drop=True)
    b = back.events.sort_values(key).reset_index(drop=True)
    assert a["code"].astype(str).tolist() == b["code"].astype(str).tolist()
    assert np.allclose(a["onset_s"], b["onset_s"], atol=1e-3)
    assert np.allclose(a["offset_s"], b["offset_s"], atol=1e-3)


def test_events_to_a_rig_rebuild_frames(coded: Path, tmp_path: Path) -> None:
    data = read_any(coded / "events.csv")
    files, notes = write_any(data, tmp_path / "ll.csv", "livelink", fps=30)
    assert any("rebuilt from the events" in n for n in notes)
    weights = pd.read_csv(files[0])
    assert weights["MouthSmileLeft"].max() > 0.3


def test_facs_folder_output_has_a_plot(coded: Path, tmp_path: Path) -> None:
    out = tmp_path / "again"
    converted = convert(coded / "frames.csv", out, to_format="facs")
    assert (out / "timeline.png").stat().st_size > 1000
    assert len(read_events(out / "events.csv")) == len(converted.events)
    assert len(read_frames(out / "frames.csv")) == 90
    # A folder name with a dot in it is a folder, not a file.
    convert(coded / "frames.csv", tmp_path / "take.d", to_format="facs")
    assert (tmp_path / "take.d" / "frames.csv").exists()


@pytest.mark.parametrize("rig", ["livelink", "arkit"])
def test_each_face_gets_its_own_curve_file(coded: Path, tmp_path: Path, rig: str) -> None:
    """Two faces' curves in one file would drive one character with both, frame by frame."""
    frames = read_frames(coded / "frames.csv")
    second = frames.assign(face=1)
    second[["AU12", "AU12_L", "AU12_R"]] = 0.0  # the second face does not smile
    both = pd.concat([frames, second], ignore_index=True).sort_values(["frame", "face"])
    both.to_csv(tmp_path / "two.csv", index=False)
    files, notes = write_any(read_any(tmp_path / "two.csv", "facs"), tmp_path / "out.csv", rig)  # type: ignore[arg-type]
    assert [f.name for f in files] == ["out_face0.csv", "out_face1.csv"]
    assert any("2 faces: one" in n for n in notes) and not (tmp_path / "out.csv").exists()
    smile = [pd.read_csv(f).filter(regex="(?i)mouthsmile").to_numpy().max() for f in files]
    assert len(pd.read_csv(files[0])) == len(pd.read_csv(files[1])) == 90
    assert smile[0] > 0.3 > smile[1]
    # Frames where a face was not found stay in its file (rest or empty), not a gap in time.
    lost = both[~((both["face"] == 1) & both["frame"].between(30, 59))]
    lost.to_csv(tmp_path / "lost.csv", index=False)
    files, _ = write_any(read_any(tmp_path / "lost.csv", "facs"), tmp_path / "l.csv", rig)  # type: ignore[arg-type]
    assert [len(pd.read_csv(f)) for f in files] == [90, 90]


@pytest.mark.skipif(not PEERS.exists(), reason="needs ../shared/data/peer-formats")
@pytest.mark.parametrize(
    ("name", "kind"),
    [("OpenFace_Test.csv", "openface"), ("Feat_Test.csv", "pyfeat"),
     ("iMotions_Test_v5.txt", "facet"), ("iMotions_Test_v6.txt", "facet"),
     ("sample_affectiva-api-app_output.json", "affectiva")],
)  # fmt: skip
def test_peer_files_are_detected_and_convert(name: str, kind: str, tmp_path: Path) -> None:
    assert detect_format(PEERS / name) == kind
    data = convert(PEERS / name, tmp_path / "out.csv", to_format="csv")
    assert data.kind == kind
    frames = read_frames(tmp_path / "out.csv")
    assert len(frames) > 0 and (frames["success"] == 1).any()
    arkit = convert(PEERS / name, tmp_path / "arkit.csv", to_format="arkit")
    assert any("cannot express" in n or "not imported" in n for n in arkit.notes) or arkit.notes


@given(
    onset=st.floats(0.0, 2.0),
    rise=st.floats(0.05, 1.0),
    fall=st.floats(0.05, 1.0),
    peak=st.floats(0.5, 5.0),
    side=st.sampled_from([None, "L", "R"]),
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_events_to_frames_peak_and_side(
    onset: float, rise: float, fall: float, peak: float, side: str | None
) -> None:
    events = pd.DataFrame({
        "face": [0], "code": ["12"], "side": [side], "onset_s": [onset],
        "apex_s": [onset + rise], "offset_s": [onset + rise + fall], "peak": [peak],
        "letter": [peak_letter(peak)],
    })  # fmt: skip
    frames = events_to_frames(events, fps=50)
    assert frames["AU12"].max() <= peak + 1e-9
    assert frames["AU12"].max() >= peak * (1 - 1 / (50 * min(rise, fall)) - 1e-9)
    left, right = frames["AU12_L"].max(), frames["AU12_R"].max()
    if side == "L":
        assert right == 0 and left > 0
    elif side == "R":
        assert left == 0 and right > 0
    else:
        assert left == right
    outside = frames[(frames["time_s"] < onset - 1e-9) | (frames["time_s"] > onset + rise + fall)]
    assert (outside["AU12"] == 0).all()


def test_errors_name_the_problem(tmp_path: Path, coded: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_any(tmp_path / "missing.csv", "arkit")
    junk = tmp_path / "junk.csv"
    junk.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="cannot tell the format"):
        detect_format(junk)
    data = read_any(coded, "facs")
    with pytest.raises(InputError, match=r"\.eaf suffix"):
        write_any(data, tmp_path / "x.txt", "eaf")
    with pytest.raises(InputError, match="writes a folder"):
        write_any(data, tmp_path / "x.csv", "facs")
    with pytest.raises(InputError, match="unknown output format"):
        write_any(data, tmp_path / "x.csv", "maya")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="fps must be a positive number"):
        events_to_frames(data.events, fps=0)
    # A damaged rig CSV names its line; an empty file and ';' columns say so.
    short = tmp_path / "short.csv"
    short.write_text("eyeBlinkLeft,jawOpen\n0.1,0.2\n0.3\n0.1,0.2\n")
    with pytest.raises(InputError, match=r"short\.csv: line 3 has 1 cells where the header has 2"):
        read_any(short, "arkit")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(InputError, match=r"empty\.csv: the file is empty"):
        read_any(tmp_path / "empty.csv")
    semi = tmp_path / "semi.csv"
    semi.write_text("Timecode;BlendShapeCount;EyeBlinkLeft\n00:00:00:00.000;61;0.1\n")
    with pytest.raises(InputError, match="separated by ';'; a Live Link Face CSV uses commas"):
        read_any(semi, "livelink")
    with pytest.raises(InputError, match="no such file"):  # a folder's name, not a code
        read_any(str(tmp_path / "missing") + "/")
    # What pandas reads well is not refused: a blank last line, ';' with a quoted ','.
    fine = tmp_path / "fine.csv"
    fine.write_text('"eyeBlinkLeft";jawOpen\n0.1;0.2\n0.3;0.4\n   \n')
    assert len(read_any(fine, "arkit").frames) == 2  # type: ignore[arg-type]


def test_empty_cells_of_a_covered_face_survive_a_round_trip(coded: Path, tmp_path: Path) -> None:
    """facs's own export leaves covered frames' cells empty; reading them back is no error."""
    frames = read_frames(coded / "frames.csv")
    frames.loc[10:20, ["AU12", "AU12_L", "AU12_R"]] = np.nan  # lower face covered
    frames.to_csv(tmp_path / "covered.csv", index=False)
    files, _ = write_any(read_any(tmp_path / "covered.csv", "facs"), tmp_path / "a.csv", "arkit")
    back = read_any(files[0], "arkit")
    assert back.raw is not None and len(back.raw) == len(frames)
    # Live Link has no empty cell: the covered frames are rest, and a note says so; the
    # columns facs code adds (box, covers) are no "unknown columns".
    frames = frames.assign(box_x=1.0, box_y=2.0, box_w=50.0, box_h=60.0, covered_brows=0,
                           covered_eyes=0, covered_lower=0, unscorable=0)  # fmt: skip
    frames.loc[10:20, "covered_lower"] = 1
    frames.to_csv(tmp_path / "covered.csv", index=False)
    _, notes = write_any(read_any(tmp_path / "covered.csv", "facs"), tmp_path / "l.csv", "livelink")
    assert any(n.startswith("11 frame(s) with regions not scored") for n in notes), notes
    assert not any("unknown columns" in n for n in notes), notes
    _, linked = write_any(read_any(coded / "events.csv"), tmp_path / "e.eaf", "eaf",
                          media=tmp_path / "take.mp4")  # fmt: skip
    assert linked and "no such file here" in linked[0]


def test_a_far_time_in_events_is_a_clear_error_not_gigabytes() -> None:
    ev = pd.DataFrame({"face": [0], "code": ["12"], "side": [None], "onset_s": [999_999_990.0],
                       "apex_s": [999_999_995.0], "offset_s": [1e9], "peak": [3.0],
                       "letter": ["C"]})  # fmt: skip
    with pytest.raises(InputError, match=r"row 1: event times must lie within 0-864000 s"):
        events_to_frames(ev, fps=30)  # past the 10 days a take may last
    ev[["onset_s", "apex_s", "offset_s"]] = [[799_990.0, 799_995.0, 800_000.0]]
    with pytest.raises(InputError, match="24,000,002 frames, more than the 1,000,000"):
        events_to_frames(ev, fps=30)
    ev["peak"] = 99.0
    with pytest.raises(InputError, match="row 1: peak must be within 0–5, got 99"):
        events_to_frames(ev, fps=30)  # rebuilt as an AU12 curve reaching 99


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("26+27", "26 and 27 are mutually exclusive"),
        ("0 -> 5+43 -> 0", "the curves keep the stronger"),
        ("U12", "U12: one side, not stated which; drawn on the left"),
        ("M59+12", "M59: a movement (M) has no intensity curve"),
        ("12+12", "12 is written twice"),
    ],
)
def test_what_a_codes_curves_leave_out_is_a_note(code: str, says: str) -> None:
    notes = read_any(code).notes
    assert any(says in n for n in notes), notes
    assert not any("exclusive" in n or "movement" in n for n in read_any("6+12").notes)


def test_a_byte_order_mark_or_a_semicolon_table_is_told_apart(tmp_path: Path) -> None:
    header = "frame,time_s,face,success,confidence,yaw,pitch,roll,AU01,AU12"
    text = f"{header}\n0,0,0,1,1,0,0,0,1,2\n1,0.033,0,1,1,0,0,0,2,3\n"
    (tmp_path / "bom.csv").write_text(text, encoding="utf-8-sig")
    assert detect_format(tmp_path / "bom.csv") == "facs"  # was read as py-feat, AU01 "x5"
    (tmp_path / "wide.csv").write_text(text, encoding="utf-16")
    assert detect_format(tmp_path / "wide.csv") == "facs"
    arkit = "browInnerUp,eyeBlinkLeft,eyeBlinkRight,jawOpen,mouthSmileLeft,mouthSmileRight\n"
    (tmp_path / "arkit16.csv").write_text(arkit + "0,0,0,0.2,0.5,0.5\n", encoding="utf-16")
    assert read_any(tmp_path / "arkit16.csv").kind == "arkit"  # the line check read UTF-8
    (tmp_path / "semi.csv").write_text(text.replace(",", ";"))
    with pytest.raises(InputError, match="separated by ';'; a facs table uses commas"):
        read_any(tmp_path / "semi.csv")


def test_a_facs_folder_that_fails_to_be_written_leaves_nothing(
    coded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import facs.plot

    def full(*args: object, **kwargs: object) -> None:
        raise InputError(f"cannot write {args[2]}: No space left on device")

    monkeypatch.setattr(facs.plot, "plot_timeline", full)
    with pytest.raises(InputError, match=r"out/timeline\.png: No space left"):
        write_any(read_any(coded), tmp_path / "out", "facs")
    names = [p.name for p in tmp_path.iterdir()]
    assert not any("out" in n for n in names), names  # frames.csv and events.csv were left


def test_a_facs_folder_can_be_written_into_the_current_folder(
    coded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    written, _ = write_any(read_any(coded / "frames.csv"), Path("."), "facs")
    assert sorted(p.name for p in here.iterdir()) == ["events.csv", "frames.csv", "timeline.png"]
    assert len(written) == 3
