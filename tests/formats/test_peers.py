"""Tests for facs.formats._peers: OpenFace, py-feat, FACET and Affectiva importers."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facs import InputError
from facs.formats import (
    PEER_TOOLS,
    PeerData,
    PeerTool,
    detect_peer,
    facet_intensity,
    read_peer,
)
from facs.series import CODE_COLUMNS, FRAME_COLUMNS, SIDE_COLUMNS, validate_frames
from facs.timeline import EVENT_TABLE_COLUMNS

SHARED_DATA = Path(
    os.environ.get("FACS_DATA_DIR", Path(__file__).resolve().parents[3] / "shared" / "data")
)
PEER_DIR = SHARED_DATA / "peer-formats"
OPENFACE_AUS = ["01", "02", "04", "05", "06", "07", "09", "10", "12", "14", "15", "17",
                "20", "23", "25", "26", "45"]  # fmt: skip


def _raw(tool: PeerTool) -> Callable[..., pd.DataFrame]:
    """read_peer's imported table for one tool (what the tool wrote, mapped, not smoothed)."""

    def read(path: Path, **options: Any) -> pd.DataFrame:
        return read_peer(path, tool, **options).raw

    read.__name__ = f"read_{tool}"
    return read


read_openface, read_pyfeat = _raw("openface"), _raw("pyfeat")
read_facet, read_affectiva = _raw("facet"), _raw("affectiva")


@pytest.fixture(scope="session")
def peer_dir() -> Path:
    """The shared peer-format samples, or a skip naming what is missing."""
    if not PEER_DIR.is_dir():
        pytest.skip(f"peer-format samples not found at {PEER_DIR} (set FACS_DATA_DIR)")
    return PEER_DIR


# --------------------------------------------------------------------------- synthetic files


def openface_csv(
    path: Path,
    n: int = 40,
    *,
    fps: float = 30.0,
    au12: np.ndarray | None = None,
    faces: int = 1,
    fail: tuple[int, ...] = (),
) -> Path:
    """An OpenFace-like CSV (", " separators, 1-based frames) with a smile in the middle."""
    rows = []
    if au12 is None:  # a smooth smile, apex 3.0 (C) at frame 20
        au12 = np.round(3.0 * np.clip(np.sin(np.pi * (np.arange(n) - 10) / 20), 0, None), 4)
    for i in range(n):
        for face in range(faces):
            ok = 0 if i in fail else 1
            row = {"frame": i + 1, "face_id": face, "timestamp": round(i / fps, 4),
                   "confidence": 0.98, "success": ok, "gaze_0_x": 0.1,
                   "pose_Tx": 1.0, "pose_Rx": 0.1, "pose_Ry": -0.2, "pose_Rz": 0.05,
                   "x_0": 300.0}  # fmt: skip
            for au in OPENFACE_AUS:
                row[f"AU{au}_r"] = 0.0
            row["AU12_r"] = float(au12[i]) if ok else 0.0
            for au in OPENFACE_AUS:
                row[f"AU{au}_c"] = int(row[f"AU{au}_r"] >= 1)
            row["AU28_c"] = 0
            rows.append(row)
    table = pd.DataFrame(rows)
    path.write_text(table.to_csv(index=False).replace(",", ", "), encoding="utf-8")
    return path


def pyfeat_csv(path: Path, n: int = 3) -> Path:
    aus = ["AU01", "AU02", "AU04", "AU11", "AU12", "AU25", "AU43"]
    rows = []
    for i in range(n):
        row = {"frame": i, "FaceRectX": 10.0, "FaceScore": 0.99, "x_0": 1.0}
        row.update({a: 0.1 for a in aus})
        row["AU12"] = 0.8
        row.update(Pitch=5.0, Roll=-3.0, Yaw=10.0, happiness=0.9, input="a.jpg")
        rows.append(row)
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def facet_txt(path: Path, n: int = 20) -> Path:
    header = ["StudyName", "EventSource", "Timestamp", "NoOfFaces", "Joy Evidence",
              "AU1 Evidence", "AU12 Evidence", "AU43 Evidence", "Yaw Degrees",
              "Pitch Degrees", "Roll Degrees"]  # fmt: skip
    lines = ["#Study : test", "#Version : 6.1", "", "\t".join(header)]
    for i in range(n):
        lines.append("\t".join(["S", "ET", str(i * 33 + 5)] + [""] * 8))  # eye-tracker row
        au12 = "2.5" if 5 <= i < 15 else "-1.5"
        lines.append("\t".join(["S", "Emotient FACET", str(i * 33 + 10), "1", "0.3", "-2",
                                au12, "-3", "10", "5", "-4"]))  # fmt: skip
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def affectiva_json(path: Path, records: object) -> Path:
    path.write_text(json.dumps(records, indent=1), encoding="utf-8")
    return path


def assert_frames_schema(frames: pd.DataFrame) -> None:
    assert list(frames.columns[: len(FRAME_COLUMNS)]) == list(FRAME_COLUMNS)
    assert frames[["frame", "face", "success"]].dtypes.eq("int64").all()
    validate_frames(frames)
    ok = frames["success"] == 1
    assert frames.loc[~ok, list(CODE_COLUMNS)].isna().all().all()
    assert (frames.loc[~ok, "face"] == -1).all()


# --------------------------------------------------------------------------- OpenFace


def test_openface_synthetic(tmp_path: Path) -> None:
    path = openface_csv(tmp_path / "of.csv")
    frames = read_openface(path)
    assert_frames_schema(frames)
    assert frames["frame"].tolist() == list(range(40))  # 1-based → 0-based
    assert frames["AU12"].max() == pytest.approx(3.0)
    assert (frames["AU12_L"] == frames["AU12"]).all() and (frames["AU12_R"] == frames["AU12"]).all()
    assert frames["AU16"].isna().all() and frames["AU51"].isna().all()  # not scored: NaN
    assert frames["AU04"].eq(0).all()  # scored and absent: 0
    assert frames["yaw"].iloc[0] == pytest.approx(np.degrees(0.2))  # yaw = -Ry
    assert frames["pitch"].iloc[0] == pytest.approx(-np.degrees(0.1))  # pitch = -Rx
    assert frames["roll"].iloc[0] == pytest.approx(np.degrees(0.05))  # roll = Rz


def test_openface_events_match_the_timeline(tmp_path: Path) -> None:
    data = read_peer(openface_csv(tmp_path / "of.csv"))
    assert isinstance(data, PeerData) and data.tool == "openface"
    assert list(data.events.columns) == list(EVENT_TABLE_COLUMNS)
    events = data.events[["code", "side", "letter"]].to_dict("records")
    assert events == [{"code": "12", "side": None, "letter": "C"}]
    assert data.frames["code"].iloc[20] == "12C"
    assert data.mapped["AU12_r"] == "AU12" and data.mapped["pose_Ry"] == "yaw"
    assert data.mapped["AU45_r"] == "AU43"
    # Blinks and winks come from the closure: 0 where it was read, as in facs's own frames.
    seen = data.frames["AU43"].notna()
    assert (data.frames.loc[seen, ["AU45", "AU45_L", "AU46_R"]] == 0).all().all()
    assert "presence only" in data.unmapped["AU28_c"]
    assert data.unmapped["x_0"] == "facial landmark"
    assert any("NaN" in note for note in data.notes)


def test_openface_failed_frames_and_faces(tmp_path: Path) -> None:
    frames = read_openface(openface_csv(tmp_path / "of.csv", faces=2, fail=(3, 4)))
    assert_frames_schema(frames)
    failed = frames[frames["success"] == 0]
    assert failed["frame"].tolist() == [3, 4]  # one face-less row per frame
    assert sorted(frames.loc[frames["success"] == 1, "face"].unique()) == [0, 1]


def test_openface_gate(tmp_path: Path) -> None:
    au12 = np.full(20, 0.8)  # below the presence classifier's 1.0 in our synthetic _c
    path = openface_csv(tmp_path / "of.csv", n=20, au12=au12)
    assert read_openface(path)["AU12"].max() == pytest.approx(0.8)
    assert read_openface(path, gate=True)["AU12"].max() == 0.0


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.lists(
        st.floats(min_value=0, max_value=5, allow_nan=False, width=32), min_size=1, max_size=30
    ),
    fps=st.sampled_from([24.0, 25.0, 30.0, 60.0]),
)
def test_openface_values_roundtrip(tmp_path: Path, values: list[float], fps: float) -> None:
    au12 = np.round(np.asarray(values, dtype=np.float64), 4)
    path = openface_csv(tmp_path / "of.csv", n=len(au12), fps=fps, au12=au12)
    frames = read_openface(path)
    np.testing.assert_allclose(frames["AU12"].to_numpy(), au12, atol=1e-9)
    np.testing.assert_allclose(frames["time_s"], np.round(np.arange(len(au12)) / fps, 4))
    assert frames["frame"].tolist() == list(range(len(au12)))


def test_openface_sample(peer_dir: Path) -> None:
    data = read_peer(peer_dir / "OpenFace_Test.csv")
    raw = data.raw
    assert data.tool == "openface"
    assert len(raw) == 100 and raw["success"].eq(1).all()
    assert raw["time_s"].is_monotonic_increasing and raw["time_s"].iloc[-1] == pytest.approx(0.099)
    assert raw["AU12"].max() == 0.0  # a neutral face: no smile
    assert raw["AU04"].max() == pytest.approx(1.093, abs=1e-3)
    assert raw["AU43"].max() == pytest.approx(1.405, abs=1e-3)  # from AU45_r
    assert raw["pitch"].mean() == pytest.approx(-np.degrees(0.3479), abs=0.01)
    assert len(data.unmapped) > 300  # landmarks, shape parameters, gaze …
    assert set(data.frames.columns) >= set(FRAME_COLUMNS) | {"code"}


# --------------------------------------------------------------------------- py-feat


def test_pyfeat_synthetic(tmp_path: Path) -> None:
    data = read_peer(pyfeat_csv(tmp_path / "feat.csv"), fps=25)
    raw = data.raw
    assert_frames_schema(raw)
    assert data.tool == "pyfeat"
    assert raw["AU12"].tolist() == pytest.approx([4.0] * 3)  # 0.8 × 5
    assert raw["time_s"].tolist() == pytest.approx([0, 0.04, 0.08])
    assert raw["yaw"].iloc[0] == -10 and raw["pitch"].iloc[0] == -5 and raw["roll"].iloc[0] == -3
    assert "AU11" in data.unmapped and "does not code AU11" in data.unmapped["AU11"]
    assert raw["confidence"].iloc[0] == pytest.approx(0.99)


def test_pyfeat_sample(peer_dir: Path) -> None:
    frames = read_pyfeat(peer_dir / "Feat_Test.csv")
    assert len(frames) == 1 and frames["success"].iloc[0] == 1
    assert frames["AU12"].iloc[0] == pytest.approx(0.964379 * 5)
    assert frames["yaw"].iloc[0] == pytest.approx(-4.869262)
    assert frames["AU16"].isna().all()


def test_pyfeat_out_of_range(tmp_path: Path) -> None:
    path = pyfeat_csv(tmp_path / "feat.csv")
    text = path.read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    row = text[2].split(",")
    row[header.index("AU12")] = "1.7"
    text[2] = ",".join(row)
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"feat\.csv line 3, column AU12: '1\.7' is outside"):
        read_pyfeat(path)


# --------------------------------------------------------------------------- FACET


def test_facet_synthetic(tmp_path: Path) -> None:
    data = read_peer(facet_txt(tmp_path / "imotions.txt"))
    raw = data.raw
    assert_frames_schema(raw)
    assert data.tool == "facet" and len(raw) == 20  # eye-tracker rows skipped
    assert raw["time_s"].iloc[:2].tolist() == pytest.approx([0.010, 0.043])
    assert raw["AU12"].max() == pytest.approx(facet_intensity(2.5))
    assert raw["yaw"].iloc[0] == 10 and raw["pitch"].iloc[0] == -5 and raw["roll"].iloc[0] == 4
    assert [e["code"] for e in data.events.to_dict("records")] == ["12"]
    assert data.unmapped["Joy Evidence"].startswith("emotion")


def test_facet_intensity_is_monotone() -> None:
    x = np.linspace(-6, 6, 121)
    y = facet_intensity(x)
    assert np.all(np.diff(y) > 0) and y[0] >= 0 and y[-1] <= 5
    assert facet_intensity(2.0) == pytest.approx(2.5)


@pytest.mark.parametrize(("name", "rows", "aus"), [
    ("iMotions_Test_v5.txt", 264, 20), ("iMotions_Test_v6.txt", 519, 20),
])  # fmt: skip
def test_facet_samples(peer_dir: Path, name: str, rows: int, aus: int) -> None:
    data = read_peer(peer_dir / name)
    raw = data.raw
    assert data.tool == "facet" and len(raw) == rows
    assert raw["time_s"].is_monotonic_increasing
    assert sum(v.startswith("AU") for v in data.mapped.values()) == aus
    assert raw.loc[raw["success"] == 1, "AU01"].between(0, 5).all()
    assert raw["yaw"].abs().max() < 45


# --------------------------------------------------------------------------- Affectiva


def test_affectiva_records_and_faces(tmp_path: Path) -> None:
    records = [
        {"timestamp": t / 10, "faces": [
            {"id": 7, "expressions": {"smile": 90 if 3 <= t < 8 else 0, "browRaise": 0,
                                      "smirk": 50}},
            {"id": 9, "expressions": {"smile": 0, "browRaise": 60}},
        ]}
        for t in range(12)
    ]  # fmt: skip
    data = read_peer(affectiva_json(tmp_path / "aff.json", records))
    raw = data.raw
    assert_frames_schema(raw)
    assert sorted(raw["face"].unique()) == [0, 1]
    assert raw.loc[raw["face"] == 0, "AU12"].max() == pytest.approx(4.5)
    assert raw.loc[raw["face"] == 1, "AU02"].max() == pytest.approx(3.0)
    assert "side not reported" in data.unmapped["smirk"]
    assert {(e["face"], e["code"]) for e in data.events.to_dict("records")} == {(0, "12"), (1, "2")}


def test_affectiva_two_records_at_one_time_are_refused(tmp_path: Path) -> None:
    records = [{"Timestamp": t, "smile": 50} for t in (0.0, 0.1, 0.1, 0.2)]
    with pytest.raises(InputError, match=r"records 2 and 3 are the same face at Timestamp 0.1"):
        read_peer(affectiva_json(tmp_path / "aff.json", records))
    # Photos, one record per file, all at Timestamp 0: a face per file, as in one photo.
    photos = [{"Timestamp": 0, "FileName": f"p{i}.jpg", "smile": 20 * i} for i in range(3)]
    raw = read_peer(affectiva_json(tmp_path / "photos.json", photos)).raw
    assert sorted(raw["face"]) == [0, 1, 2] and raw["AU12"].tolist() == [0.0, 1.0, 2.0]


def test_affectiva_sample(peer_dir: Path) -> None:
    frames = read_affectiva(peer_dir / "sample_affectiva-api-app_output.json")
    assert len(frames) == 1
    assert frames["AU12"].iloc[0] == 5.0  # smile 100
    assert frames["AU06"].iloc[0] == pytest.approx(94.1810073852539 / 20)
    assert frames["AU23"].isna().all()  # Affectiva has no lip tightener


# --------------------------------------------------------------------------- errors and detection


def test_detect(tmp_path: Path) -> None:
    assert detect_peer(openface_csv(tmp_path / "a.csv")) == "openface"
    assert detect_peer(pyfeat_csv(tmp_path / "b.csv")) == "pyfeat"
    assert detect_peer(facet_txt(tmp_path / "c.txt")) == "facet"
    assert detect_peer(affectiva_json(tmp_path / "d.json", {"smile": 1})) == "affectiva"
    assert set(PEER_TOOLS) == {"openface", "pyfeat", "facet", "affectiva"}


def test_detect_samples(peer_dir: Path) -> None:
    tools = {p.name: detect_peer(p) for p in sorted(peer_dir.iterdir())}
    assert tools == {
        "Feat_Test.csv": "pyfeat",
        "OpenFace_Test.csv": "openface",
        "iMotions_Test_v5.txt": "facet",
        "iMotions_Test_v6.txt": "facet",
        "sample_affectiva-api-app_output.json": "affectiva",
    }


def test_unknown_tool(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(
        InputError, match=r"cannot tell which tool wrote .*x\.csv: expected OpenFace"
    ):
        read_peer(path)
    with pytest.raises(InputError, match="unknown tool"):
        read_peer(path, "noldus")  # type: ignore[arg-type]


def test_bad_number_names_file_line_column(tmp_path: Path) -> None:
    path = openface_csv(tmp_path / "OpenFace_Test.csv", n=10)
    lines = path.read_text(encoding="utf-8").splitlines()
    header = [c.strip() for c in lines[0].split(",")]
    row = lines[6].split(", ")
    row[header.index("AU12_r")] = "abc"
    lines[6] = ", ".join(row)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(
        InputError, match=r"OpenFace_Test\.csv line 7, column AU12_r: 'abc' is not a number"
    ):
        read_peer(path)


def test_blank_lines_keep_line_numbers(tmp_path: Path) -> None:
    path = facet_txt(tmp_path / "im.txt", n=4)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(6, "")  # a blank line inside the table
    bad = lines[8].split("\t")
    bad[6] = "x1"  # AU12 Evidence
    lines[8] = "\t".join(bad)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(
        InputError, match=r"im\.txt line 9, column AU12 Evidence: 'x1' is not a number"
    ):
        read_facet(path)


def test_a_quoted_field_over_two_lines_keeps_line_numbers(tmp_path: Path) -> None:
    """A note column with a line break inside quotes: the bad value's line is still true."""
    path = pyfeat_csv(tmp_path / "feat.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] += ",note"
    lines[1] += ',"two\nlines"'  # the record on lines 2-3
    for i in range(2, len(lines)):
        lines[i] += ",x"
    header = lines[0].split(",")
    bad = lines[3].split(",")  # the record on line 5
    bad[header.index("AU12")] = "oops"
    lines[3] = ",".join(bad)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"feat\.csv line 5, column AU12: 'oops' is not a number"):
        read_pyfeat(path)


def test_too_many_fields(tmp_path: Path) -> None:
    path = pyfeat_csv(tmp_path / "feat.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] += ",1,2"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"feat\.csv line 3: \d+ fields where the header has \d+"):
        read_pyfeat(path)


def test_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "of.csv"
    path.write_text("frame, success, AU12_r\n1, 1, 0.5\n", encoding="utf-8")
    with pytest.raises(InputError, match="no timestamp column"):
        read_openface(path)
    path.write_text("frame, timestamp, success\n1, 0, 1\n", encoding="utf-8")
    with pytest.raises(InputError, match="no OpenFace AU intensity columns"):
        read_openface(path)
    txt = tmp_path / "im.txt"
    txt.write_text("#Study : x\nEventSource\tAU1 Evidence\nEmotient FACET\t1\n", encoding="utf-8")
    with pytest.raises(InputError, match="no Timestamp column"):
        read_facet(txt)


@pytest.mark.parametrize("reader", [read_openface, read_pyfeat, read_facet, read_affectiva])
def test_empty_and_missing(tmp_path: Path, reader: object) -> None:
    assert callable(reader)
    empty = tmp_path / "empty.csv"
    empty.write_text("\n  \n", encoding="utf-8")
    with pytest.raises(InputError, match="the file is empty"):
        reader(empty)
    with pytest.raises(InputError, match="no such file"):
        reader(tmp_path / "nope.csv")


def test_bad_json(tmp_path: Path) -> None:
    path = tmp_path / "aff.json"
    path.write_text('[\n  {"smile": 1,\n   "browRaise": }\n]\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"aff\.json line 3, column 17: not valid JSON"):
        read_peer(path)


def test_json_bad_value(tmp_path: Path) -> None:
    path = affectiva_json(tmp_path / "aff.json", [{"Timestamp": 0, "smile": 1},
                                                  {"Timestamp": 1, "smile": "high"}])  # fmt: skip
    with pytest.raises(
        InputError, match=r"aff\.json line \d+, column \d+ \(smile\): 'high' is not a number"
    ):
        read_affectiva(path)
    path = affectiva_json(tmp_path / "aff.json", [{"Timestamp": 0, "smile": 140}])
    with pytest.raises(InputError, match=r"outside Affectiva's 0–100"):
        read_affectiva(path)
    path = affectiva_json(tmp_path / "aff.json", [{"Timestamp": 0, "joy": 1}])
    with pytest.raises(InputError, match="no Affectiva expression keys"):
        read_affectiva(path)


def test_error_line_is_the_editor_line(tmp_path: Path) -> None:
    """The reported line holds the reported value."""
    path = facet_txt(tmp_path / "im.txt", n=6)
    lines = path.read_text(encoding="utf-8").splitlines()
    bad = lines[11].split("\t")
    bad[7] = "oops"  # AU43 Evidence
    lines[11] = "\t".join(bad)
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_facet(path)
    m = re.search(r"line (\d+), column (.+?):", str(info.value))
    assert m is not None
    line, column = int(m.group(1)), m.group(2)
    header = lines[3].split("\t")
    assert lines[line - 1].split("\t")[header.index(column)] == "oops"


def test_side_columns_complete(tmp_path: Path) -> None:
    frames = read_openface(openface_csv(tmp_path / "of.csv"))
    for col in SIDE_COLUMNS:
        base = col[:-2]
        both = frames[base].isna() & frames[col].isna()
        same = frames[base] == frames[col]
        assert (both | same).all(), col


def test_values_are_kept_as_the_tool_wrote_them(tmp_path: Path) -> None:
    """OpenFace's AU04_r 0.97 stays 0.97 in frames (issue 17); smooth=True smooths."""
    au12 = np.zeros(40)
    au12[20] = 0.97  # a one-frame peak the smoothing would pull down
    path = openface_csv(tmp_path / "of.csv", au12=au12)
    kept = read_peer(path)
    assert kept.frames["AU12"].max() == pytest.approx(0.97)
    assert read_peer(path, smooth=True).frames["AU12"].max() < 0.9
    assert not any("implausible" in n for n in kept.notes)


def test_an_implausible_frame_rate_is_a_note(tmp_path: Path) -> None:
    path = openface_csv(tmp_path / "of.csv", fps=1000.0)
    assert any("1000 fps" in n and "implausible" in n for n in read_peer(path).notes)


def test_a_cut_short_empty_backwards_or_tab_split_file_is_refused(
    tmp_path: Path, peer_dir: Path
) -> None:
    text = (peer_dir / "iMotions_Test_v6.txt").read_text(encoding="utf-8", errors="replace")
    (tmp_path / "cut.txt").write_text(text[:50_000], encoding="utf-8")
    with pytest.raises(InputError, match="without a line break: it looks cut short"):
        read_peer(tmp_path / "cut.txt", "facet")
    whole = read_peer(peer_dir / "iMotions_Test_v6.txt", "facet")  # short tab lines are fine
    assert len(whole.raw) > 0
    # a last row that drops its trailing empty fields as other rows do, with no line break
    # after it, is a row like them, not a cut
    lines = text.rstrip("\r\n").splitlines()
    width = max(len(line.split("\t")) for line in lines[-50:])
    rows = [line for line in lines if len(line.split("\t")) == width]
    short = "\t".join(rows[-1].split("\t")[:-1])  # a full row less its last field
    (tmp_path / "short.txt").write_text("\n".join([*lines, short, short]), encoding="utf-8")
    assert len(read_peer(tmp_path / "short.txt", "facet").raw) == len(whole.raw) + 2
    header = (peer_dir / "Feat_Test.csv").read_text().splitlines()[0]
    (tmp_path / "empty.csv").write_text(header + "\n")
    with pytest.raises(InputError, match="no data rows"):
        read_peer(tmp_path / "empty.csv", "pyfeat")
    table = pd.read_csv(openface_csv(tmp_path / "of.csv", 10), skipinitialspace=True)
    table["timestamp"] = table["timestamp"].to_numpy()[::-1]
    (tmp_path / "back.csv").write_text(table.to_csv(index=False))
    with pytest.raises(InputError, match=r"time goes back .* rows must be in time order"):
        read_peer(tmp_path / "back.csv", "openface")
    (tmp_path / "tab.csv").write_text(table.to_csv(index=False, sep="\t"))
    with pytest.raises(InputError, match="split by tabs; OpenFace writes commas"):
        read_peer(tmp_path / "tab.csv", "openface")


def test_unimported_columns_are_one_note_per_reason(peer_dir: Path) -> None:
    from facs.convert import read_any

    notes = read_any(peer_dir / "OpenFace_Test.csv").notes
    landmark = [n for n in notes if "(facial landmark)" in n]
    assert len(landmark) == 1 and "(340 columns)" in landmark[0]
    assert len([n for n in notes if "not imported" in n]) < 10
