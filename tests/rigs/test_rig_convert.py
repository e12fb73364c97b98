"""Weights ↔ frames conversion (facs.rigs._convert)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from facs import InputError
from facs.rigs import frames_to_weights, load_rig, weights_to_frames
from facs.rigs._convert import _channels
from facs.series import FRAME_COLUMNS, validate_frames

PRESETS = ["arkit", "livelink", "meta", "meta-v1", "metahuman"]


def _random_weights(rig_name: str, data: st.DataObject, n: int = 3) -> pd.DataFrame:
    rig = load_rig(rig_name)
    values = data.draw(
        hnp.arrays(np.float64, (n, len(rig.shapes)), elements=st.floats(0.0, 1.0, width=32))
    )
    weights = pd.DataFrame(values, columns=list(rig.names))
    for shape in rig.shapes:
        if shape.kind == "rotation":  # signed, radians: -0.5 … 0.5
            weights[shape.name] = weights[shape.name] - 0.5
    return weights


@pytest.mark.parametrize("name", PRESETS)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.large_base_example])
@given(data=st.data())
def test_round_trip_frames_weights_frames(name: str, data: st.DataObject) -> None:
    """frames a rig produced → weights → frames gives back every column it expresses."""
    rig = load_rig(name)
    frames, _ = weights_to_frames(_random_weights(name, data), rig, fps=30)
    weights, report = frames_to_weights(frames, rig)
    again, _ = weights_to_frames(weights, rig, fps=30)
    columns = list(_channels(rig).columns)
    np.testing.assert_allclose(again[columns], frames[columns], atol=0.02)
    assert not report.residual
    shapes = weights[[s.name for s in rig.shapes if s.kind == "shape"]].to_numpy()
    assert shapes.min() >= 0 and shapes.max() <= 1


@settings(max_examples=30, deadline=None)
@given(
    left=st.floats(0, 5),
    right=st.floats(0, 5),
    funnel=st.floats(0, 5),
    brow=st.floats(0, 5),
)
def test_sides_kept_and_shares_distributed(
    left: float, right: float, funnel: float, brow: float
) -> None:
    frames = pd.DataFrame(
        {"AU12_L": [left], "AU12_R": [right], "AU22": [funnel], "AU01_L": [brow], "AU01_R": [brow]}
    )
    weights, _ = frames_to_weights(frames, load_rig("meta"))
    row = weights.iloc[0]
    assert row["LipCornerPullerL"] == pytest.approx(left / 5, abs=1e-3)
    assert row["LipCornerPullerR"] == pytest.approx(right / 5, abs=1e-3)
    quads = [row[f"LipFunneler{q}"] for q in ("LB", "LT", "RB", "RT")]
    assert max(quads) - min(quads) < 1e-3  # an even share between redundant shapes
    assert quads[0] == pytest.approx(funnel / 5, abs=1e-3)
    back, _ = weights_to_frames(weights, load_rig("meta"))
    assert back.loc[0, "AU12"] == pytest.approx(max(left, right), abs=1e-2)


def test_frames_schema_and_unexpressed_nan() -> None:
    w = pd.DataFrame(
        {
            "jawOpen": [0.0, 0.5],
            "mouthClose": [0.0, 0.5],
            "eyeBlinkLeft": [0.0, 0.0],
            "time_s": [0.0, 0.1],
        }
    )
    frames, report = weights_to_frames(w, load_rig("arkit"))
    assert list(frames.columns[: len(FRAME_COLUMNS)]) == list(FRAME_COLUMNS)
    validate_frames(frames)
    assert frames.loc[1, "AU26"] == 2.5 and frames.loc[1, "AU25"] == 0.0  # lips closed
    assert np.isnan(frames.loc[1, "AU23"]) and "AU23" in report.unexpressed
    assert frames.loc[1, "AU45"] == 0.0  # closure lives in AU43 until classify_eyelids
    assert frames["time_s"].tolist() == [0.0, 0.1]
    assert len(report.missing_shapes) == 49


def test_livelink_head_rotation_to_positions() -> None:
    w = pd.DataFrame({"HeadYaw": [np.radians(15)], "HeadPitch": [-np.radians(20)]})
    frames, _ = weights_to_frames(w, load_rig("livelink"))
    assert frames.loc[0, "AU51"] == pytest.approx(2.5)
    assert frames.loc[0, "AU52"] == 0
    assert frames.loc[0, "AU54"] == pytest.approx(5.0)
    assert frames.loc[0, "yaw"] == pytest.approx(15.0)


def test_livelink_head_rotation_of_a_table_without_head_codes_is_its_angles() -> None:
    # a table with yaw/pitch/roll but no 51-58 exported a still head
    frames = pd.DataFrame({"yaw": [20.0, np.nan], "pitch": [-10.0, 0.0], "roll": [5.0, 5.0],
                           "AU12": [2.0, 2.0]})  # fmt: skip
    weights, _ = frames_to_weights(frames, load_rig("livelink"))
    assert weights["HeadPitch"].tolist() == pytest.approx([np.radians(-10), 0.0])
    assert weights["HeadRoll"].tolist() == pytest.approx([np.radians(5)] * 2)
    assert weights.loc[0, "HeadYaw"] == pytest.approx(np.radians(20))
    back, _ = weights_to_frames(weights, load_rig("livelink"))
    assert back.loc[0, ["yaw", "pitch", "roll"]].tolist() == pytest.approx([20.0, -10.0, 5.0])


def test_livelink_head_rotation_of_a_coded_table_keeps_its_codes() -> None:
    # facs's 51-58 are relative to the face's neutral: a resting tilt of -5 degrees read
    # back as an absolute angle became a head movement (54) after a round trip
    frames = pd.DataFrame({"yaw": [3.0, 3.0], "pitch": [-5.0, -5.0], "roll": [0.0, 0.0],
                           "AU12": [2.0, 2.0], "AU51": [0.0, 2.5], "AU54": [0.0, 0.0]})  # fmt: skip
    weights, _ = frames_to_weights(frames, load_rig("livelink"))
    back, _ = weights_to_frames(weights, load_rig("livelink"))
    assert back["AU51"].tolist() == pytest.approx([0.0, 2.5], abs=1e-6)
    assert back["AU54"].tolist() == pytest.approx([0.0, 0.0], abs=1e-6)


def test_folds_and_dropped() -> None:
    frames = pd.DataFrame({"AU45_L": [5.0], "AU45_R": [5.0], "AU27": [4.0], "AU23": [3.0]})
    weights, report = frames_to_weights(frames, load_rig("arkit"))
    assert weights.loc[0, "eyeBlinkLeft"] == pytest.approx(1.0, abs=1e-3)
    assert weights.loc[0, "jawOpen"] == pytest.approx(0.8, abs=1e-3)
    assert report.dropped == {"AU23": 3.0}
    assert ("AU27", "AU26") in report.folded
    assert any("AU23" in line for line in report.lines())


def test_meta_scale_and_range_errors() -> None:
    w = pd.DataFrame({"JawDrop": [0.0, 80.0]})
    with pytest.raises(InputError, match="0–100 scale: divide it by 100"):
        weights_to_frames(w, load_rig("meta"))
    frames, report = weights_to_frames(w, load_rig("meta"), scale=100)
    assert frames.loc[1, "AU26"] == pytest.approx(4.0)
    assert report.notes


def test_unknown_columns_reported_and_no_match_error() -> None:
    w = pd.DataFrame({"eyeBlinkLeft": [1.0], "smirk": [0.2]})
    _, report = weights_to_frames(w, load_rig("arkit"))
    assert report.unknown_columns == ("smirk",)
    with pytest.raises(InputError, match="no column"):
        weights_to_frames(pd.DataFrame({"smirk": [0.1]}), load_rig("arkit"))
    with pytest.raises(InputError, match=r"row 1 \(line 2 of a CSV\): 'x' is not a number"):
        weights_to_frames(pd.DataFrame({"jawOpen": ["x"]}), load_rig("arkit"))
    with pytest.raises(InputError, match="0–5"):
        frames_to_weights(pd.DataFrame({"AU12": [7.0]}), load_rig("arkit"))


@pytest.mark.parametrize(
    ("weights", "options", "says"),
    [
        ({"mouthSmileLeft": [np.inf, 0.2]}, {}, "row 1 (line 2 of a CSV): inf is not a weight"),
        ({"mouthSmileLeft": [0.1, -np.inf]}, {}, "row 2 (line 3 of a CSV): -inf is not a weight"),
        ({"mouthSmileLeft": [0.1]}, {"fps": 0}, "fps must be a positive number, got 0"),
        ({"mouthSmileLeft": [0.1]}, {"fps": float("nan")}, "fps must be a positive number"),
        ({"mouthSmileLeft": [0.1]}, {"face": 1.5}, "face must be a whole number from 0, got 1.5"),
        ({"mouthSmileLeft": [0.1]}, {"face": "x"}, "face must be a whole number from 0"),
        ({"time_s": [0.0, np.nan], "jawOpen": [0.1, 0.2]}, {}, "row 2: nan is not a time"),
        ({"time_s": [0.1, 0.0], "jawOpen": [0.1, 0.2]}, {}, "row 2: time goes back from 0.1 s"),
        ({"frame": [0, "x"], "jawOpen": [0.1, 0.2]}, {}, "row 2: 'x' is not a frame number"),
    ],
)
def test_weights_that_made_impossible_frames_are_refused(
    weights: dict, options: dict, says: str
) -> None:
    """inf read as a full shape (L12E); fps 0 gave times [nan, inf]; a text frame became -1."""
    import re

    with pytest.raises(InputError, match=re.escape(says)):
        weights_to_frames(pd.DataFrame(weights), load_rig("arkit"), **options)


def test_text_or_infinite_intensities_are_refused_on_the_way_back() -> None:
    frames = pd.DataFrame(0.0, index=range(2), columns=FRAME_COLUMNS).assign(
        frame=[0, 1], time_s=[0.0, 0.1], face=0, success=1
    )
    for bad in (np.inf, "a"):
        table = frames.astype({"AU12_L": object})
        table.loc[1, "AU12_L"] = bad
        with pytest.raises(InputError, match=r"row 2, column AU12_L: .* is not an intensity 0–5"):
            frames_to_weights(table, load_rig("arkit"))


def test_impossible_timecodes_are_refused() -> None:
    from facs.rigs import timecode_seconds

    for code, fps, says in (
        ("00:00:01:99.000", 30, "frame 99.000 is past the 30 frames of a second"),
        ("00:00:61:00.000", 30, "minutes and seconds run 00-59"),
        ("00:00:01:00.000", 0, "fps must be a positive number"),
        ("00:00:01:00.000", -30, "fps must be a positive number"),
    ):
        with pytest.raises(InputError, match=says):
            timecode_seconds(code, fps)
    assert timecode_seconds("00:00:01:29.500", 29.97) == pytest.approx(1 + 29.5 / 29.97)
