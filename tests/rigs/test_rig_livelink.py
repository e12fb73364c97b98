"""Live Link Face CSV (facs.rigs._livelink)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from facs import InputError
from facs.rigs import (
    LIVELINK_COLUMNS,
    frames_to_weights,
    load_rig,
    read_livelink,
    weights_to_frames,
    write_livelink,
)


def _sample(path: Path, *, columns: tuple[str, ...] = LIVELINK_COLUMNS, rows: int = 4) -> Path:
    lines = [",".join(["Timecode", "BlendShapeCount", *columns])]
    lower = [c.lower() for c in columns]
    for i in range(rows):
        values = ["0"] * len(columns)
        if "jawopen" in lower:
            values[lower.index("jawopen")] = f"{0.2 * i:.2f}"
        if "headyaw" in lower:
            values[lower.index("headyaw")] = "0.2618"  # 15 degrees
        lines.append(",".join([f"10:20:30:{56 + i:02d}.{i}00", str(len(columns)), *values]))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_read_by_name_any_order_and_case(tmp_path: Path) -> None:
    shuffled = tuple(reversed(LIVELINK_COLUMNS))
    cols = tuple(c.lower() if i % 2 else c for i, c in enumerate(shuffled))
    df = read_livelink(_sample(tmp_path / "take.csv", columns=cols))
    assert df.attrs["fps"] == 60.0  # frame numbers up to 59
    assert df["jawOpen"].tolist() == pytest.approx([0.0, 0.2, 0.4, 0.6])
    assert df["time_s"].iloc[1] == pytest.approx((57.1 - 56.0) / 60)
    assert df["timecode"].iloc[0] == "10:20:30:56.000"
    frames, _ = weights_to_frames(df, load_rig("livelink"))
    assert frames["AU26"].tolist() == pytest.approx([0.0, 1.0, 2.0, 3.0])
    assert frames["AU51"].iloc[0] == pytest.approx(2.5, abs=1e-3)


def test_missing_columns_nan_and_unknown_columns(tmp_path: Path) -> None:
    df = read_livelink(_sample(tmp_path / "a.csv", columns=("JawOpen", "HeadYaw")), fps=60)
    assert np.isnan(df["eyeBlinkLeft"]).all()
    assert "eyeBlinkLeft" in df.attrs["missing_columns"]
    bad = _sample(tmp_path / "b.csv", columns=("JawOpen", "Smirk"))
    with pytest.raises(InputError, match=r"unknown column.*Smirk"):
        read_livelink(bad)
    assert read_livelink(bad, strict=False).attrs["unknown_columns"] == ["Smirk"]
    twice = _sample(tmp_path / "c.csv", columns=("JawOpen", "jawopen"))
    with pytest.raises(InputError, match=r"c\.csv, line 1: column jawopen appears twice"):
        read_livelink(twice, strict=False)  # the same channel, not an unknown one


def test_timecodes_out_of_order_or_past_the_rate_are_named(tmp_path: Path) -> None:
    path = _sample(tmp_path / "t.csv", columns=("JawOpen",))
    lines = path.read_text().splitlines()
    lines[2] = lines[2].replace("10:20:30:57.100", "10:20:30:50.100")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"line 3: timecode '10:20:30:50.100' is before"):
        read_livelink(path)
    with pytest.raises(InputError, match=r"line 2: timecode '10:20:30:56.000' counts frame 56"):
        read_livelink(_sample(tmp_path / "u.csv", columns=("JawOpen",)), fps=30)


def test_degrees_option(tmp_path: Path) -> None:
    path = _sample(tmp_path / "d.csv", columns=("HeadYaw",))
    path.write_text(path.read_text().replace("0.2618", "15"))
    df = read_livelink(path, degrees=True)
    assert df["HeadYaw"].iloc[0] == pytest.approx(np.radians(15))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,b\n1,2\n", "no Timecode column"),
        ("Timecode,JawOpen\nnoon,0.1\n", "line 2: bad timecode"),
        ("Timecode,JawOpen\n00:00:00:01.000,abc\n", "line 2, column JawOpen: not a number"),
        ("Timecode,JawOpen\n00:00:00:01.000\n", "line 2: 1 fields"),
    ],
)
def test_bad_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        read_livelink(path)
    with pytest.raises(InputError, match="no such"):
        read_livelink(tmp_path / "nope.csv")


def test_write_round_trip(tmp_path: Path) -> None:
    df = read_livelink(_sample(tmp_path / "in.csv"), fps=60)
    out = write_livelink(df, tmp_path / "out.csv")
    again = read_livelink(out, fps=60)
    pd.testing.assert_frame_equal(again, df, check_like=True, check_exact=False, rtol=1e-5)
    header = out.read_text().splitlines()[0].split(",")
    assert header[:2] == ["Timecode", "BlendShapeCount"] and len(header) == 63


def test_frames_to_livelink_file(tmp_path: Path) -> None:
    frames = pd.DataFrame(
        {"time_s": [0.0, 0.5], "AU12_L": [0.0, 5.0], "AU12_R": [0.0, 2.5], "AU52": [0.0, 5.0]}
    )
    weights, _ = frames_to_weights(frames, load_rig("livelink"))
    path = write_livelink(weights, tmp_path / "w.csv", fps=30)
    back = read_livelink(path, fps=30)
    assert back["time_s"].tolist() == pytest.approx([0.0, 0.5])
    assert back.loc[1, "mouthSmileLeft"] == pytest.approx(1.0, abs=1e-4)
    assert back.loc[1, "HeadYaw"] == pytest.approx(-np.radians(30), abs=1e-4)
    assert not list(tmp_path.glob(".*tmp*"))
