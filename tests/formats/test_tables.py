"""Tests for facs.formats._tables: frames/events tables on disk, and their errors."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import facs.formats
from facs import InputError
from facs.formats import (
    EVENT_COLUMNS,
    empty_events,
    read_events,
    read_frames,
    write_events,
    write_frames,
    write_summary,
)
from facs.series import CODE_COLUMNS, FRAME_COLUMNS, SIDE_COLUMNS, empty_frames

# --------------------------------------------------------------------------- fixtures


def make_frames(n: int = 12, *, seed: int = 0) -> pd.DataFrame:
    """One face over ``n`` frames at 30 fps, frame 5 without a face, plus extra columns."""
    rng = np.random.default_rng(seed)
    rows = pd.DataFrame({c: np.zeros(n) for c in FRAME_COLUMNS})
    rows["frame"] = np.arange(n)
    rows["time_s"] = np.arange(n) / 30
    rows["face"] = 0
    rows["success"] = 1
    rows["confidence"] = rng.uniform(0.5, 1, n)
    rows[["yaw", "pitch", "roll"]] = rng.normal(0, 10, (n, 3))
    codes = list(CODE_COLUMNS + SIDE_COLUMNS)
    rows[codes] = rng.uniform(0, 5, (n, len(codes)))
    if n > 5:
        rows.loc[5, ["face", "success"]] = [-1, 0]
        rows.loc[5, [*codes, "confidence", "yaw", "pitch", "roll"]] = np.nan
    table = pd.concat([empty_frames(), rows], ignore_index=True)
    table["mouthSmileLeft"] = rng.uniform(0, 1, n)
    table["lm000_x"] = rng.uniform(0, 1, n)
    table["code"] = ["12", "", "1+2", "6+12C", "25", "", "4", "4", "4", "4", "4", "L12A"][:n]
    out: pd.DataFrame = table.astype({"frame": "int64", "face": "int64", "success": "int64"})
    return out


def make_events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "face": [0, 0, 1],
            "code": ["12", "L12", "1+2"],
            "side": ["", "L", ""],
            "onset_s": [0.1, 0.2, 1.0],
            "apex_s": [0.5, 0.2, 1.25],
            "offset_s": [0.9, 0.3, 2.0],
            "peak": [3.2, 1.0, 4.9],
            "letter": ["C", "A", "E"],
            "onset_frame": [3, 6, 30],
        }
    )


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def frames_csv(tmp_path: Path, **edits: Any) -> Path:
    """A valid frames CSV, with some columns replaced."""
    table = make_frames(4)
    for col, value in edits.items():
        table[col] = value
    path = tmp_path / "frames.csv"
    table.to_csv(path, index=False)
    return path


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_frames_round_trip_keeps_dtypes_and_nan(tmp_path: Path, suffix: str) -> None:
    frames = make_frames()
    path = write_frames(frames, tmp_path / f"frames.{suffix}")
    assert path == tmp_path / f"frames.{suffix}"
    back = read_frames(path)
    assert back.columns.tolist() == frames.columns.tolist()
    assert back.dtypes.to_dict() == frames.dtypes.to_dict()
    numeric = [c for c in frames.columns if c != "code"]
    assert back[numeric].isna().equals(frames[numeric].isna())
    atol = 1e-3 if suffix == "csv" else 0.0
    np.testing.assert_allclose(back[numeric], frames[numeric], atol=atol, rtol=0)
    assert back["code"].tolist() == frames["code"].tolist()
    assert [p.name for p in tmp_path.iterdir()] == [f"frames.{suffix}"]


def test_csv_text_rounds_floats_keeps_ints_and_no_index(tmp_path: Path) -> None:
    frames = make_frames()
    frames.loc[0, "AU12"] = 1.23456
    frames.loc[0, "AU06"] = -0.0 + 1e-9  # rounds to 0, written without a minus sign
    frames.loc[0, "lm000_x"] = 0.123456789
    path = write_frames(frames, tmp_path / "frames.csv")
    header, first, *_ = path.read_text(encoding="utf-8").splitlines()
    assert header.split(",")[:3] == ["frame", "time_s", "face"]
    row = dict(zip(header.split(","), first.split(","), strict=True))
    assert (row["frame"], row["face"], row["success"]) == ("0", "0", "1")
    assert row["AU12"] == "1.235"
    assert row["AU06"] == "0.0"
    assert row["lm000_x"] == "0.12346"  # landmarks keep 5 decimals
    lines = path.read_text(encoding="utf-8").splitlines()
    assert ",," not in lines[1 + 1]  # frame 1 has a face
    assert ",,,," in lines[1 + 5]  # frame 5 has none: NaN → empty fields


def test_csv_full_precision_when_asked(tmp_path: Path) -> None:
    frames = make_frames(3)
    path = write_frames(frames, tmp_path / "frames.csv", decimals=None)
    np.testing.assert_allclose(read_frames(path)["yaw"], frames["yaw"], rtol=1e-15)


def test_empty_frames_round_trip(tmp_path: Path) -> None:
    for suffix in ("csv", "parquet"):
        back = read_frames(write_frames(empty_frames(), tmp_path / f"f.{suffix}"))
        assert back.shape == (0, len(FRAME_COLUMNS))
        assert back.dtypes.to_dict() == empty_frames().dtypes.to_dict()


def test_format_from_name_and_explicit(tmp_path: Path) -> None:
    frames = make_frames(3)
    pq = write_frames(frames, tmp_path / "a.pq")
    assert pq.read_bytes()[:4] == b"PAR1"
    plain = write_frames(frames, tmp_path / "frames.out", format="parquet")
    assert plain.read_bytes()[:4] == b"PAR1"
    with pytest.raises(InputError, match=r"cannot write parquet to .*b\.csv"):
        write_frames(frames, tmp_path / "b.csv", format="parquet")
    assert not (tmp_path / "b.csv").exists()


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_events_round_trip(tmp_path: Path, suffix: str) -> None:
    events = make_events()
    back = read_events(write_events(events, tmp_path / f"events.{suffix}"))
    assert back.columns.tolist() == events.columns.tolist()
    assert back["code"].tolist() == ["12", "L12", "1+2"]  # "12" stays a string
    assert back["side"].tolist() == ["", "L", ""]
    assert back["face"].dtype == "int64" and back["peak"].dtype == "float64"
    np.testing.assert_allclose(back["apex_s"], events["apex_s"])
    assert back["onset_frame"].tolist() == [3, 6, 30]


def test_empty_events_round_trip(tmp_path: Path) -> None:
    back = read_events(write_events(empty_events(), tmp_path / "events.csv"))
    assert back.columns.tolist() == list(EVENT_COLUMNS)
    assert len(back) == 0


def test_summary_json(tmp_path: Path) -> None:
    path = write_summary({"faces": 2, "r": np.float64("nan"), "codes": ["12"]}, tmp_path / "s.json")
    assert json.loads(path.read_text(encoding="utf-8")) == {"faces": 2, "r": None, "codes": ["12"]}


# --------------------------------------------------------------------------- atomicity


def test_failed_write_keeps_previous_file_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = write_frames(make_frames(3), tmp_path / "frames.csv")
    before = target.read_bytes()

    def half_then_boom(self: pd.DataFrame, path: Path, **kwargs: object) -> None:
        Path(path).write_text("frame,time_s\n0,", encoding="utf-8")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(pd.DataFrame, "to_csv", half_then_boom)
    with pytest.raises(RuntimeError, match="disk on fire"):
        write_frames(make_frames(), target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["frames.csv"]
    with pytest.raises(RuntimeError):
        write_frames(make_frames(), tmp_path / "new.csv")
    assert not (tmp_path / "new.csv").exists()


def test_unwritable_target_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "frames.csv").mkdir()
    with pytest.raises(InputError, match=r"cannot write .*frames\.csv"):
        write_frames(make_frames(3), tmp_path / "frames.csv")
    assert [p.name for p in tmp_path.iterdir()] == ["frames.csv"]


# --------------------------------------------------------------------------- read errors


@pytest.mark.parametrize("column", ["AU99", "AU12_X", "AD05", "au12", "AU12_r"])
def test_unknown_code_column(tmp_path: Path, column: str) -> None:
    path = frames_csv(tmp_path, **{column: 1.0})
    with pytest.raises(InputError, match=re.escape(f"unknown column {column!r} in {path}")):
        read_frames(path)


def test_unknown_code_column_is_refused_on_write(tmp_path: Path) -> None:
    frames = make_frames(3)
    frames["AU99"] = 0.0
    with pytest.raises(InputError, match="unknown column 'AU99' in frames table"):
        write_frames(frames, tmp_path / "frames.csv")
    assert list(tmp_path.iterdir()) == []


def test_extra_columns_are_kept(tmp_path: Path) -> None:
    path = frames_csv(tmp_path, browInnerUp=0.5, lm477_z=0.01, note="x")
    back = read_frames(path)
    assert {"browInnerUp", "lm477_z", "note", "mouthSmileLeft", "code"} <= set(back.columns)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"cannot read .*nope\.csv: no such file"):
        read_frames(tmp_path / "nope.csv")


def test_empty_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "frames.csv", "")
    with pytest.raises(InputError, match=r"frames\.csv: the file is empty"):
        read_frames(path)


def test_garbled_csv_names_the_line(tmp_path: Path) -> None:
    path = frames_csv(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] += ",1,2,3"
    write_csv(path, "\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"frames\.csv, line 4: expected \d+ fields, found \d+"):
        read_frames(path)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "frames.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe" * 20)
    with pytest.raises(InputError, match=r"frames\.csv"):
        read_frames(path)


def test_not_a_number_names_line_and_column(tmp_path: Path) -> None:
    path = frames_csv(tmp_path, AU12=["0.5", "1", "lots", "2"])
    with pytest.raises(InputError, match=r"line 4\): column 'AU12' holds 'lots', not a number"):
        read_frames(path)


def test_fractional_frame_number(tmp_path: Path) -> None:
    path = frames_csv(tmp_path, frame=[0, 1, 2.5, 3])
    with pytest.raises(InputError, match=r"column 'frame' must hold whole numbers"):
        read_frames(path)


def test_missing_meta_column(tmp_path: Path) -> None:
    table = make_frames(3).drop(columns=["time_s"])
    path = tmp_path / "frames.parquet"
    table.to_parquet(path)
    with pytest.raises(InputError, match=r"frames\.parquet: missing column\(s\) time_s"):
        read_frames(path)


def test_intensity_out_of_range(tmp_path: Path) -> None:
    path = frames_csv(tmp_path, AU04=7.0)
    with pytest.raises(InputError, match="within 0–5"):
        read_frames(path)


_HEADER = "frame,time_s,face,success,confidence,yaw,pitch,roll,AU01,AU12"


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        (["0,0,0,1,1,0,0,0,1,2", "1,0.03,0,1,1,0,0,0,inf,3"],
         "row 2 (frame 1), column AU01: intensity inf is not within 0–5"),
        (["0,0,0,1,1,0,0,0,-2,2"], "row 1 (frame 0), column AU01: intensity -2 is not within"),
        (["0,0.2,0,1,1,0,0,0,1,2", "1,0.1,0,1,1,0,0,0,1,3"],
         "row 2 (frame 1): time goes back from 0.2 s to 0.1 s for face 0"),
        (["0,0,0,1,1,0,0,0,1,2", "0,0,0,1,1,0,0,0,1,2"], "row 2: two rows for face 0, frame 0"),
        (["0,0,0,1,1,999,0,0,1,2"], "row 1 (frame 0): yaw 999 is not an angle"),
        (["0,inf,0,1,1,0,0,0,1,2"], "row 1 (frame 0): time_s inf is not a time"),
        (["0,0,0,1,1,0,0,0,1,2", "1,0.03,0,1,1,0,0"],
         "line 3: 7 fields where the header has 10: the file looks cut short"),
    ],
)  # fmt: skip
def test_a_bad_frame_row_is_named(tmp_path: Path, rows: list[str], says: str) -> None:
    path = tmp_path / "frames.csv"
    path.write_text("\n".join([_HEADER, *rows]))  # no line break at the end
    with pytest.raises(InputError, match=re.escape(says)):
        read_frames(path)
    path.write_text("\n".join([_HEADER, "0,0,0,1,1,0,0,0,1,2", "1,0.03,0,1,1,0,0,0,,"]) + "\n")
    assert len(read_frames(path)) == 2  # empty cells (a covered region) are no cut
    path.write_text("\n".join([_HEADER, "0,0,0,1,1,0,0,0,1,2", "1,0.03,0,1,1,0,0"]) + "\n")
    assert len(read_frames(path)) == 2  # a short row that ends as rows do: empty cells
    path.write_text("\r".join([_HEADER, "0,0,0,1,1,0,0,0,1,2", "1,0.03,0,1,1,0,0,0,1,2"]))
    assert len(read_frames(path)) == 2  # old Mac line ends (csv.Error escaped)


def test_unknown_suffix(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "frames.txt", "frame\n")
    with pytest.raises(InputError, match=r"unknown table type '\.txt'"):
        read_frames(path)


def test_bad_parquet(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "frames.parquet", "frame,time_s\n0,0\n")
    with pytest.raises(InputError, match=r"frames\.parquet: not a readable Parquet file"):
        read_frames(path)


# --------------------------------------------------------------------------- events errors


def events_csv(tmp_path: Path, row: int, **edits: Any) -> Path:
    events = make_events()
    for col, value in edits.items():
        events[col] = events[col].astype(object)
        events.loc[row, col] = value
    path = tmp_path / "events.csv"
    events.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("row", "edits", "message"),
    [
        (1, {"code": "12+99"}, r"row 2 \(line 3\): code '12\+99' is not valid FACS: unknown code"),
        (0, {"code": ""}, r"row 1 \(line 2\): code '' is not valid FACS"),
        (2, {"apex_s": 0.5}, r"row 3 \(line 4\): .*onset_s ≤ apex_s ≤ offset_s, got \(1, 0.5, 2\)"),
        (0, {"offset_s": 0.4}, r"row 1 .*onset_s ≤ apex_s ≤ offset_s, got \(0.1, 0.5, 0.4\)"),
        (0, {"onset_s": "soon"}, r"row 1 \(line 2\): column 'onset_s' holds 'soon', not a number"),
        (1, {"peak": 6.0}, r"row 2 .*peak must be within 0–5, got 6$"),
        (1, {"letter": "F"}, r"row 2 .*letter must be one of A–E, got 'F'"),
        (0, {"letter": "A"}, r"row 1 .*letter 'A' does not match peak 3.2, which reads 'C'"),
        (1, {"peak": 0.3}, r"row 2 .*letter 'A' does not match peak 0.3, which reads ''"),
        (2, {"letter": ""}, r"row 3 .*letter '' does not match peak 4.9, which reads 'E'"),
        (0, {"code": "12C"}, r"row 1 .*code '12C' carries its own letter and letter is 'C'"),
    ],
)
def test_events_errors(tmp_path: Path, row: int, edits: dict[str, Any], message: str) -> None:
    path = events_csv(tmp_path, row, **edits)
    with pytest.raises(InputError, match=re.escape(str(path)) + ", " + message):
        read_events(path)


def test_a_column_named_twice_or_a_huge_face_is_refused(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    make_events().assign(code2=["6", "L6", "4"]).rename(columns={"code2": "code"}).to_csv(
        events, index=False
    )
    with pytest.raises(InputError, match="column 'code' appears twice in the header"):
        read_events(events)  # the first copy was read silently
    frames = tmp_path / "frames.csv"
    table = make_frames(3)
    pd.concat([table, table[["AU12"]]], axis=1).to_csv(frames, index=False)
    with pytest.raises(InputError, match="column 'AU12' appears twice"):
        read_frames(frames)  # was "unknown column 'AU12.1'"
    huge = events_csv(tmp_path, 0, face="99999999999999999999999")
    with pytest.raises(InputError, match=r"row 1 .*'face' holds 1e\+23, larger than 2\*\*53"):
        read_events(huge)  # wrapped to -2**63: every huge id one face


def test_a_letter_with_peak_0_is_a_letter_with_no_peak_measured(tmp_path: Path) -> None:
    events = read_events(events_csv(tmp_path, 0, peak=0.0))
    assert (events.loc[0, "peak"], events.loc[0, "letter"]) == (0.0, "C")


def test_events_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    make_events().drop(columns=["apex_s", "letter"]).to_parquet(path)
    with pytest.raises(InputError, match=r"missing column\(s\) apex_s, letter"):
        read_events(path)


def test_events_checked_on_write(tmp_path: Path) -> None:
    events = make_events()
    events.loc[2, "code"] = "Q7"
    with pytest.raises(InputError, match=r"events table, row 3: code 'Q7' is not valid FACS"):
        write_events(events, tmp_path / "events.csv")
    assert list(tmp_path.iterdir()) == []


def test_events_parquet_rows_have_no_line(tmp_path: Path) -> None:
    events = make_events()
    events.loc[0, "apex_s"] = 5.0
    path = tmp_path / "events.parquet"
    events.to_parquet(path)
    with pytest.raises(InputError, match=r"events\.parquet, row 1: event times"):
        read_events(path)


# --------------------------------------------------------------------------- public surface


def test_all_is_sorted_and_exported() -> None:
    names = facs.formats.__all__
    assert names == sorted(names)
    for name in names:
        assert hasattr(facs.formats, name), name
    public = {n for n in vars(facs.formats) if not n.startswith("_")} - {"annotations"}
    modules = {n for n in public if type(getattr(facs.formats, n)).__name__ == "module"}
    assert public - modules == set(names)


def test_one_sniffer_tells_facs_tables(tmp_path: Path) -> None:
    """read_coding, detect_format and agree tell events from frames by one rule."""
    from facs.convert import detect_format
    from facs.formats import read_coding
    from facs.formats._tables import table_kind
    from facs.series import empty_frames

    events = tmp_path / "ev.csv"
    write_events(
        pd.DataFrame({"face": [0], "code": ["12"], "side": [None], "onset_s": [0.0],
                      "apex_s": [0.5], "offset_s": [1.0], "peak": [3.0], "letter": ["C"]}),
        events,
    )  # fmt: skip
    frames = write_frames(empty_frames(), tmp_path / "fr.parquet")
    assert read_coding(events)[0] == "events" and len(read_coding(events)[1]) == 1
    assert read_coding(frames)[0] == "frames"
    assert detect_format(events) == detect_format(frames) == "facs"
    assert table_kind([" code ", "onset_s", "offset_s"]) == "events"
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="neither an events table"):
        read_coding(other)
    with pytest.raises(InputError, match=r"no such file|not found|cannot"):
        read_coding(tmp_path / "missing.csv")


@pytest.mark.parametrize("side", ["L", "R", "T", "B", "U", "A", "S", "V", "Z", "G", "K"])
def test_every_side_prefix_of_the_notation_is_read(tmp_path: Path, side: str) -> None:
    # what an ELAN tier or a coder's table may hold: S (symmetrical), A, V-Z and G-K
    path = tmp_path / "events.csv"
    path.write_text(
        f"face,code,side,onset_s,apex_s,offset_s,peak,letter\n0,12,{side},0.5,0.6,1.0,3,C\n"
    )
    assert read_events(path)["side"].tolist() == [side]


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        ("0,12,Q,0.5,0.6,1.0,3,C", "side must be empty or one of L, R, U, T, B, A, S, V"),
        ("0,12,,0.5,0.6,1.0,3,C,extra", "line 2: 9 fields where the header has 8"),
        ("0,R6,L,0.5,0.6,1.0,3,C", "code 'R6' is side R but side is 'L'"),
        ("0,M59,,1,1,2,0,A", "M59 (Head nod up and down (movement)) takes no intensity, got A"),
        ("0,50,,0.5,1.0,2.0,3.0,C", "50 (Speech) takes no intensity, got C"),
    ],
)
def test_a_bad_side_or_a_field_too_many_is_named(tmp_path: Path, row: str, fragment: str) -> None:
    path = tmp_path / "events.csv"
    path.write_text(f"face,code,side,onset_s,apex_s,offset_s,peak,letter\n{row}\n")
    with pytest.raises(InputError, match=re.escape(fragment)):
        read_events(path)
