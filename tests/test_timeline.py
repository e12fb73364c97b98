"""Tests for facs.timeline: smoothing, eyelids, events and per-frame codes."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facs import Action, Code, InputError, intensity_to_letter
from facs.series import CODE_COLUMNS, CODED, FRAME_COLUMNS, SIDE_COLUMNS, empty_frames
from facs.timeline import (
    EVENT_TABLE_COLUMNS,
    Event,
    _hysteresis,
    _widen_to_motion,
    classify_eyelids,
    detect_events,
    events_to_list,
    frame_codes,
    hide_gaze_while_shut,
    process,
    smooth,
)

ALL_CODES = list(CODE_COLUMNS + SIDE_COLUMNS)
EYES = ("AU43", "AU43_L", "AU43_R")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240611)


def make_frames(
    n: int, *, fps: float = 30.0, face: int = 0, first: int = 0, **values: object
) -> pd.DataFrame:
    """A frames table of ``n`` frames of one face, all codes 0 except ``values``.

    A sided code given only by its sides gets the larger side as its bilateral
    column, as the schema says.
    """
    frame = np.arange(first, first + n, dtype=np.int64)
    data: dict[str, np.ndarray] = {c: np.zeros(n) for c in FRAME_COLUMNS}
    data.update(frame=frame, time_s=frame / fps, confidence=np.ones(n))
    data.update(face=np.full(n, face, dtype=np.int64), success=np.ones(n, dtype=np.int64))
    for col, v in values.items():
        data[col] = np.broadcast_to(np.asarray(v, dtype=float), (n,)).copy()
    for code in CODED:
        left, right = f"{code.column}_L", f"{code.column}_R"
        if code.sided and code.column not in values and (left in values or right in values):
            data[code.column] = np.fmax(data[left], data[right])
    return pd.DataFrame(data, columns=FRAME_COLUMNS)


def fail_rows(frames: pd.DataFrame, rows: slice | list[int]) -> pd.DataFrame:
    """Mark rows (by position) as success=0 with NaN codes."""
    out = frames.copy()
    success = out["success"].to_numpy(copy=True)
    success[rows] = 0
    codes = out[ALL_CODES].to_numpy(copy=True)
    codes[rows] = np.nan
    out["success"] = success
    out[ALL_CODES] = codes
    return out


def bump(
    n: int, fps: float, *, centre_s: float, rise_s: float, fall_s: float, peak: float = 4
) -> np.ndarray:
    """Triangle reaching ``peak`` at ``centre_s``."""
    t = np.arange(n) / fps
    up = np.clip(1 + (t - centre_s) / rise_s, 0, 1)
    down = np.clip(1 - (t - centre_s) / fall_s, 0, 1)
    return peak * np.where(t <= centre_s, up, down)


def gauss(n: int, fps: float, *, centre_s: float, sigma_s: float, peak: float = 4) -> np.ndarray:
    t = np.arange(n) / fps
    return peak * np.exp(-0.5 * ((t - centre_s) / sigma_s) ** 2)


def test_test_tables_follow_the_schema() -> None:
    frames = make_frames(3)
    assert tuple(frames.columns) == FRAME_COLUMNS
    pd.testing.assert_series_equal(frames.dtypes, empty_frames().dtypes)


# ---------------------------------------------------------------- smooth

SHAPES: dict[str, Callable[[int, float], np.ndarray]] = {
    "gauss 0.1 s": lambda n, fps: gauss(n, fps, centre_s=1.0, sigma_s=0.1),
    "gauss 0.25 s off-grid": lambda n, fps: gauss(n, fps, centre_s=1.013, sigma_s=0.25),
    "triangle symmetric": lambda n, fps: bump(n, fps, centre_s=1.0, rise_s=0.25, fall_s=0.25),
    "triangle fast rise": lambda n, fps: bump(n, fps, centre_s=1.0, rise_s=0.12, fall_s=0.5),
    "triangle slow rise": lambda n, fps: bump(n, fps, centre_s=1.0, rise_s=0.5, fall_s=0.12),
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("fps", [25.0, 30.0, 60.0])
@pytest.mark.parametrize("column", ["AU12_L", "AU43_L"])
def test_smoothing_keeps_the_apex(shape: str, fps: float, column: str) -> None:
    n = int(2 * fps)
    x = SHAPES[shape](n, fps)
    out = smooth(make_frames(n, fps=fps, **{column: x}))[column].to_numpy()
    assert abs(int(np.argmax(out)) - int(np.argmax(x))) <= 1
    assert out.max() >= 0.8 * x.max()


@pytest.mark.parametrize(
    "blink", [[2.5, 5, 2.5], [5, 5, 5], [1, 5, 1], [4, 5, 3]], ids=lambda b: str(b)
)
def test_three_frame_blink_survives_smoothing(blink: list[float]) -> None:
    x = np.zeros(30)
    x[12:15] = blink
    out = smooth(make_frames(30, AU43_L=x, AU43_R=x))
    for col in EYES:
        assert out[col].max() >= 0.8 * max(blink)
        assert int(out[col].to_numpy().argmax()) == 12 + int(np.argmax(blink))


@pytest.mark.parametrize("fps", [25.0, 50.0, 60.0, 120.0, 240.0])
def test_short_blink_survives_at_any_frame_rate(fps: float) -> None:
    n = int(fps)
    x = bump(n, fps, centre_s=0.5, rise_s=0.05, fall_s=0.05, peak=5)  # 0.1 s, sharp
    out = smooth(make_frames(n, fps=fps, AU43_L=x, AU43_R=x))
    assert out["AU43"].max() >= 0.8 * x.max()


def test_smoothing_removes_a_one_frame_spike() -> None:
    x = np.zeros(30)
    x[10] = 4
    assert smooth(make_frames(30, AU12_L=x))["AU12_L"].max() == 0


def test_smoothing_leaves_the_input_untouched(rng: np.random.Generator) -> None:
    frames = make_frames(40, AU12_L=rng.uniform(0, 5, 40), AU25=rng.uniform(0, 5, 40))
    frames = fail_rows(frames, [5, 6])
    before = frames.copy()
    out = smooth(frames)
    pd.testing.assert_frame_equal(frames, before)
    assert out is not frames
    assert list(out.columns) == list(frames.columns)
    pd.testing.assert_index_equal(out.index, frames.index)


def test_values_stay_within_0_to_5(rng: np.random.Generator) -> None:
    x = np.where(np.arange(60) % 20 < 10, 5.0, 0.0)  # hard square wave makes SG ring
    noisy = np.clip(rng.normal(2.5, 2.5, 60), 0, 5)
    out = smooth(make_frames(60, AU25=x, AU26=noisy, AU43_L=x))
    values = out[ALL_CODES].to_numpy()
    assert values.min() >= 0
    assert values.max() <= 5


def test_nan_gaps_are_kept_and_not_crossed(rng: np.random.Generator) -> None:
    n = 60
    before_gap = rng.uniform(0, 5, n)
    other = before_gap.copy()
    other[30:] = rng.uniform(0, 5, n - 30)  # differs only after the gap
    gap = list(range(25, 30))
    a = smooth(fail_rows(make_frames(n, AU12_L=before_gap, AU25=before_gap), gap))
    b = smooth(fail_rows(make_frames(n, AU12_L=other, AU25=other), gap))
    for col in ("AU12_L", "AU12", "AU25"):
        assert a[col].isna().to_numpy().nonzero()[0].tolist() == gap
        np.testing.assert_array_equal(a[col][:25], b[col][:25])


def test_nan_in_one_column_leaves_the_others_whole(rng: np.random.Generator) -> None:
    x = rng.uniform(0, 5, 40)
    frames = make_frames(40, AU25=x, AU26=x)
    frames.loc[10:12, "AU25"] = np.nan  # e.g. an import that lacks 25 there
    out = smooth(frames)
    assert out["AU25"].isna().to_numpy().nonzero()[0].tolist() == [10, 11, 12]
    assert out["AU26"].notna().all()
    np.testing.assert_allclose(out["AU26"], smooth(make_frames(40, AU26=x))["AU26"])


def test_a_step_across_a_gap_does_not_bleed() -> None:
    x = np.r_[np.zeros(20), np.full(20, 4.0)]
    out = smooth(fail_rows(make_frames(40, AU25=x), [19, 20]))["AU25"]
    np.testing.assert_array_equal(out[:19], 0.0)
    np.testing.assert_allclose(out[21:], 4.0)


def test_a_lost_face_interrupts_the_track() -> None:
    # frames 0-19 then 40-59: the face was not seen in between (no rows)
    a = make_frames(20, AU25=0.0)
    b = make_frames(20, first=40, AU25=4.0)
    out = smooth(pd.concat([a, b], ignore_index=True))["AU25"]
    np.testing.assert_array_equal(out[:20], 0.0)
    np.testing.assert_allclose(out[20:], 4.0)


def test_bilateral_column_stays_the_larger_side(rng: np.random.Generator) -> None:
    frames = make_frames(50, AU12_L=rng.uniform(0, 5, 50), AU12_R=rng.uniform(0, 5, 50))
    out = smooth(frames)
    np.testing.assert_allclose(out["AU12"], np.fmax(out["AU12_L"], out["AU12_R"]))


def test_faces_are_smoothed_separately() -> None:
    n = 60
    a = make_frames(n, face=0, AU25=bump(n, 30, centre_s=1, rise_s=0.3, fall_s=0.3))
    b = make_frames(n, face=1, AU25=0.0)
    both = pd.concat([a, b]).sort_values(["frame", "face"], kind="stable")
    both.index = pd.RangeIndex(2 * n) * 10  # a non-default index is kept
    out = smooth(both)
    pd.testing.assert_index_equal(out.index, both.index)
    assert (out.loc[out["face"] == 1, "AU25"] == 0).all()
    solo = smooth(a)["AU25"].to_numpy()
    np.testing.assert_allclose(out.loc[out["face"] == 0, "AU25"].to_numpy(), solo)


def test_variable_frame_rate(rng: np.random.Generator) -> None:
    n, fps = 90, 30.0
    frames = make_frames(n, fps=fps, AU12_L=gauss(n, fps, centre_s=1.5, sigma_s=0.15))
    frames["time_s"] += rng.uniform(-0.3, 0.3, n) / fps  # jittered timestamps
    out = smooth(frames)
    assert abs(int(out["AU12_L"].to_numpy().argmax()) - 45) <= 1
    # the estimated frame rate is the median step: same result as the nominal one
    pd.testing.assert_frame_equal(out, smooth(frames, fps=fps))


def test_fps_is_estimated_from_time() -> None:
    frames = make_frames(60, fps=25, AU25=gauss(60, 25, centre_s=1, sigma_s=0.1))
    pd.testing.assert_frame_equal(smooth(frames), smooth(frames, fps=25))
    assert not smooth(frames).equals(smooth(frames, fps=100))


def test_no_face_rows_pass_through() -> None:
    frames = pd.concat([make_frames(10, AU25=2.0), fail_rows(make_frames(3, face=-1), [0, 1, 2])])
    out = smooth(frames)
    assert out["AU25"].isna().sum() == 3
    np.testing.assert_allclose(out["AU25"].iloc[:10], 2.0)


# ---------------------------------------------------------------- eyelids


def eyes(n: int, left: np.ndarray | float, right: np.ndarray | float, **kw: object) -> pd.DataFrame:
    return make_frames(n, AU43_L=left, AU43_R=right, **kw)


def closure(n: int, start: int, frames: int, level: float = 5.0) -> np.ndarray:
    """Lids held at ``level`` for ``frames`` frames: a pause."""
    x = np.zeros(n)
    x[start : start + frames] = level
    return x


def peaked(n: int, start: int, frames: int, level: float = 5.0) -> np.ndarray:
    """A blink's shape: lids close and reopen with no pause (at 90 % of the peak for one
    or two frames, as real and rendered blinks are), every frame above 0.5."""
    x = np.zeros(n)
    mid = (frames - 1) / 2
    shape = 1 - np.abs(np.arange(frames) - mid) / (mid + 1)
    x[start : start + frames] = np.round(level * shape / shape.max(), 9)
    return x


def test_short_closure_of_both_eyes_is_a_blink() -> None:
    x = peaked(60, 20, 6)  # 0.2 s
    out = classify_eyelids(eyes(60, x, x))
    for side in ("", "_L", "_R"):
        np.testing.assert_array_equal(out[f"AU45{side}"], x)
        np.testing.assert_array_equal(out[f"AU43{side}"], 0.0)
        np.testing.assert_array_equal(out[f"AU46{side}"], 0.0)
    ev = detect_events(frames=out)
    assert ev[["code", "side", "letter", "column"]].values.tolist() == [["45", None, "E", "AU45"]]
    assert ev["onset_frame"].item() == 20 and ev["offset_frame"].item() == 25


def test_long_closure_stays_43e() -> None:
    x = closure(90, 20, 30)  # 1 s
    frames = eyes(90, x, x)
    out = classify_eyelids(frames)
    pd.testing.assert_frame_equal(out, frames)
    ev = detect_events(frames=out)
    assert ev[["code", "letter"]].values.tolist() == [["43", "E"]]
    assert frame_codes(out).iloc[30] == "43E"


@pytest.mark.parametrize(("frames_closed", "code"), [(15, "45"), (16, "43")])
def test_half_a_second_is_the_blink_limit(frames_closed: int, code: str) -> None:
    x = peaked(60, 10, frames_closed)  # 15 frames at 30 fps = 0.5 s
    ev = detect_events(frames=classify_eyelids(eyes(60, x, x)))
    assert ev["code"].tolist() == [code]


@pytest.mark.parametrize(("side", "other"), [("L", "R"), ("R", "L")])
def test_one_eye_closed_is_a_wink(side: str, other: str) -> None:
    closed = closure(60, 20, 9)
    slight = np.full(60, 0.8)  # the other eye narrows a little
    frames = make_frames(60, **{f"AU43_{side}": closed, f"AU43_{other}": slight})
    out = classify_eyelids(frames)
    np.testing.assert_array_equal(out[f"AU46_{side}"], closed)
    np.testing.assert_array_equal(out["AU46"], closed)
    np.testing.assert_array_equal(out[f"AU46_{other}"], 0.0)
    np.testing.assert_array_equal(out[f"AU43_{side}"], 0.0)
    np.testing.assert_array_equal(out[f"AU43_{other}"], slight)
    np.testing.assert_array_equal(out["AU43"], slight)
    assert (out[[c for c in out.columns if c.startswith("AU45")]] == 0).all().all()
    ev = detect_events(frames=out)
    assert ev[["code", "side", "letter", "column"]].values.tolist() == [
        [f"{side}46", side, "E", f"AU46_{side}"]
    ]
    assert frame_codes(out).iloc[22] == ("R43A+L46E" if side == "L" else "L43A+R46E")


@pytest.mark.parametrize("duration", [6, 45])
def test_droop_stays_43(duration: int) -> None:
    x = closure(90, 20, duration, level=2.0)  # never reaches 'closed' (2.5)
    frames = eyes(90, x, x)
    out = classify_eyelids(frames)
    pd.testing.assert_frame_equal(out, frames)
    ev = detect_events(frames=out)
    assert ev[["code", "letter"]].values.tolist() == [["43", "B"]]


def test_asymmetric_short_closure_is_a_blink_on_both_eyes() -> None:
    left, right = peaked(60, 20, 6, 5.0), peaked(60, 20, 6, 2.0)  # right at least half closed
    out = classify_eyelids(eyes(60, left, right))
    np.testing.assert_array_equal(out["AU45_L"], left)
    np.testing.assert_array_equal(out["AU45_R"], right)
    assert (out[list(EYES)] == 0).all().all()
    ev = detect_events(frames=out)
    assert sorted(ev["code"] + ev["letter"]) == ["L45E", "R45B"]


def test_blink_episode_extends_to_where_the_closure_ends() -> None:
    x = np.zeros(40)
    x[10:17] = [0.5, 1.3, 3, 5, 3, 1.3, 0.5]
    x[17] = 0.3  # below 0.5: the lids are open again
    out = classify_eyelids(eyes(40, x, x))
    np.testing.assert_array_equal(out["AU45"][10:17], x[10:17])  # ≥ 0.5 moves to 45
    np.testing.assert_array_equal(out["AU43"][10:17], 0.0)
    assert out["AU43"][17] == 0.3 and out["AU45"][17] == 0.0  # the rest stays 43


def test_slow_closure_is_timed_from_closing_to_reopening() -> None:
    # The rigs' 43 segment as the coder reads it (apex D): a 0.2 s ramp each way around
    # 0.23 s shut. Its middle (0.5 s) is at least half closed; as a whole (0.63 s) it
    # is 43, not a blink.
    ramp = np.linspace(0, 4, 8)[1:-1]
    x = np.zeros(60)
    x[10:29] = np.r_[ramp, np.full(7, 4.0), ramp[::-1]]
    ev = detect_events(frames=classify_eyelids(eyes(60, x, x)))
    assert ev["code"].tolist() == ["43"]
    blink = np.zeros(60)
    blink[10:16] = [1.7, 3.4, 5, 5, 3.4, 1.7]  # the rigs' 45: 0.2 s
    ev = detect_events(frames=classify_eyelids(eyes(60, blink, blink)))
    assert ev["code"].tolist() == ["45"]
    # Timed from the half-closed points (0.5 s), the same closure read as a blink; the
    # pause (7 frames shut, against one or two in a blink) now says 43 on its own too.
    ev = detect_events(frames=classify_eyelids(eyes(60, x, x), release=2.5 / 2, pause_s=1.0))
    assert ev["code"].tolist() == ["45"]
    ev = detect_events(frames=classify_eyelids(eyes(60, x, x), release=2.5 / 2))
    assert ev["code"].tolist() == ["43"]


@pytest.mark.parametrize(("held", "code"), [(1, "45"), (2, "45"), (5, "45"), (6, "43"), (7, "43")])
def test_a_blink_has_no_pause(held: int, code: str) -> None:
    # FACS: 45 is a fast close and reopen with no pause. Three ramp frames each way
    # around ``held`` frames shut: 0.23-0.43 s in all, under the 1/2 s limit, but shut
    # for more than 0.15 s (first to last of 6 frames at 30 fps) it is a closure.
    x = np.zeros(60)
    x[10 : 16 + held] = np.r_[[1.2, 2.5, 3.7], np.full(held, 5.0), [3.7, 2.5, 1.2]]
    out = classify_eyelids(eyes(60, x, x))
    ev = detect_events(frames=out)
    assert ev["code"].tolist() == [code]
    assert (out["AU45"].max() > 0) == (code == "45")


def test_blink_while_the_lids_droop_is_still_a_blink() -> None:
    # Lids resting half low (43A, 2 s) with a 0.2 s blink in the middle: the blink is
    # timed from the droop, not from where the droop began.
    x = np.full(90, 1.0)
    x[[0, 1, 88, 89]] = 0.0
    x[40:46] = [1.5, 3.4, 5, 5, 3.4, 1.5]
    out = classify_eyelids(eyes(90, x, x))
    assert out["AU45"][39:47].tolist() == x[39:47].tolist()  # from the droop and back
    assert (out["AU45"][:39] == 0).all() and (out["AU45"][47:] == 0).all()
    assert (out["AU43"][2:39] == 1.0).all() and (out["AU43"][47:88] == 1.0).all()


@given(st.lists(st.floats(0, 5, allow_nan=False), min_size=1, max_size=60))
def test_widened_episodes_never_overlap(values: list[float]) -> None:
    x = np.asarray(values)
    breaks = np.zeros(max(len(x) - 1, 0), dtype=bool)  # row i does not continue into i + 1
    breaks[len(x) // 2 - 1 :: 7] = True
    starts, ends = _hysteresis(x, breaks, on=2.5, off=1.25)
    wide_s, wide_e = _widen_to_motion(x, breaks, starts, ends, floor=0.5)
    assert (wide_s <= starts).all() and (wide_e >= ends).all()
    assert (wide_s[1:] >= wide_e[:-1]).all()
    for a, b in zip(wide_s, wide_e, strict=True):  # never across a break
        assert not breaks[a : b - 1].any() or (a, b) in set(zip(starts, ends, strict=True))


def test_classify_is_idempotent(rng: np.random.Generator) -> None:
    n = 300
    left = np.clip(rng.normal(0.5, 0.3, n), 0, 5)
    right = left.copy()
    left[[30, 31, 32, 100, 101, 200]] = 5.0  # blinks, a wink, one long closure
    right[[30, 31, 32]] = 5.0
    left[150:190] = right[150:190] = 4.5
    once = classify_eyelids(eyes(n, left, right))
    pd.testing.assert_frame_equal(classify_eyelids(once), once)


def test_eyelids_without_side_columns() -> None:
    x = peaked(40, 10, 5)
    frames = make_frames(40, AU43=x).drop(columns=[c for c in SIDE_COLUMNS if "AU4" in c])
    out = classify_eyelids(frames)
    np.testing.assert_array_equal(out["AU45"], x)
    np.testing.assert_array_equal(out["AU43"], 0.0)


def test_missing_45_46_columns_are_added() -> None:
    x = peaked(40, 10, 5)
    frames = eyes(40, x, x).drop(columns=["AU45", "AU45_L", "AU45_R", "AU46"])
    out = classify_eyelids(frames)
    np.testing.assert_array_equal(out["AU45_R"], x)
    assert list(out.columns[: len(frames.columns)]) == list(frames.columns)


def test_nan_splits_a_closure() -> None:
    x = peaked(60, 10, 20)  # 0.67 s, but the face is lost in the middle
    out = classify_eyelids(fail_rows(eyes(60, x, x), [19, 20]))
    assert out["AU45"].max() > 4 and out["AU43"].max() == 0
    assert out["AU45"].isna().sum() == 2


def test_shut_eyes_in_a_still_are_43_not_a_blink() -> None:
    # FACS: a blink cannot be scored from a still image (one frame: no timing)
    still = classify_eyelids(eyes(1, 4.0, 4.0))
    assert still[["AU43", "AU45"]].values.tolist() == [[4.0, 0.0]]
    assert frame_codes(still).tolist() == ["43D"]
    wink = classify_eyelids(eyes(1, 4.0, 0.0))
    assert frame_codes(wink).tolist() == ["L46D"]  # one eye shut is still a wink


# ------------------------------------------------------- eye position under shut lids


def test_gaze_is_drawn_straight_across_a_blink() -> None:
    x = peaked(40, 15, 6)
    gaze = np.full(40, 1.0)
    gaze[10:] = 3.0
    gaze[15:21] = 5.0  # the landmarker's iris drops as the lids close
    out = hide_gaze_while_shut(classify_eyelids(eyes(40, x, x, AU64=gaze)))
    blink = out["AU45"].to_numpy() > 0
    assert blink[15:21].all()
    np.testing.assert_allclose(out["AU64"].to_numpy()[blink], 3.0)  # 3 on either side
    np.testing.assert_array_equal(out["AU64"].to_numpy()[~blink], gaze[~blink])


def test_gaze_is_not_scored_while_both_eyes_stay_shut() -> None:
    x = closure(90, 20, 30)  # 1 s shut: 43E
    coded, events = process(eyes(90, x, x, AU64=3.0), fps=30)
    v = coded["AU64"].to_numpy()
    assert np.isnan(v[20:50]).all() and np.isfinite(np.r_[v[:20], v[50:]]).all()
    gaze = events[events["code"] == "64"]
    assert len(gaze) == 2  # ends where the eyes shut, starts again where they open
    assert gaze["offset_frame"].iloc[0] < 20 and gaze["onset_frame"].iloc[1] >= 50
    assert "64" not in coded["code"].iloc[30]


def test_a_wink_leaves_the_open_eye_to_show_the_gaze() -> None:
    out = hide_gaze_while_shut(classify_eyelids(eyes(60, closure(60, 20, 30), 0.5, AU62=2.0)))
    np.testing.assert_array_equal(out["AU62"], 2.0)


def test_gaze_bridging_stops_at_nan_rows_and_lost_faces() -> None:
    x = peaked(30, 10, 4)
    frames = eyes(30, x, x, AU61=np.linspace(0, 2.9, 30))
    frames = fail_rows(frames, [9])  # just before the blink: nothing to draw from there
    out = hide_gaze_while_shut(classify_eyelids(frames))
    blink = np.flatnonzero(out["AU45"].to_numpy() > 0)
    after = out["AU61"].iloc[blink[-1] + 1]
    np.testing.assert_allclose(out["AU61"].to_numpy()[blink], after)  # held from the far side
    assert np.isnan(out["AU61"].iloc[9])


def test_without_gaze_or_eyelid_columns_nothing_changes() -> None:
    frames = make_frames(10, AU12=2.0).drop(columns=["AU61", "AU62", "AU63", "AU64"])
    pd.testing.assert_frame_equal(hide_gaze_while_shut(frames), frames)
    with pytest.raises(InputError, match="closed"):
        hide_gaze_while_shut(frames, closed=0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.floats(0, 5, allow_nan=False), min_size=2, max_size=40),
    st.lists(st.floats(0, 5, allow_nan=False), min_size=2, max_size=40),
)
def test_gaze_moves_only_where_the_eyes_are_shut_or_blinking(
    lids: list[float], gaze: list[float]
) -> None:
    n = min(len(lids), len(gaze))
    x = np.array(lids[:n])
    out = hide_gaze_while_shut(classify_eyelids(eyes(n, x, x, AU63=np.array(gaze[:n]))))
    blink = out["AU45"].to_numpy() > 0
    shut = (out["AU43_L"].to_numpy() >= 2.5) & (out["AU43_R"].to_numpy() >= 2.5) & ~blink
    v = out["AU63"].to_numpy()
    free = ~blink & ~shut
    np.testing.assert_array_equal(v[free], np.array(gaze[:n])[free])
    assert np.isnan(v[shut]).all()
    finite = v[blink][np.isfinite(v[blink])]
    assert ((finite >= 0) & (finite <= 5)).all()


# ------------------------------------------------------- codes FACS never scores together


def test_lips_apart_drop_a_weaker_lip_press() -> None:
    frames = make_frames(30, AU24=1.2, AU25=np.r_[np.zeros(10), np.full(20, 2.2)])
    coded, events = process(frames, fps=30)
    np.testing.assert_array_equal(coded["AU24"].to_numpy()[12:], 0.0)  # lips apart: no press
    assert coded["AU24"].iloc[3] > 0.5  # closed lips keep it
    assert all("24" not in c or "25" not in c for c in coded["code"])
    assert set(events["code"]) == {"24", "25"}
    press = events[events["code"] == "24"].iloc[0]
    assert press["offset_frame"] < 12


def test_the_stronger_of_an_exclusive_pair_stays_and_ties_keep_the_first() -> None:
    frames = make_frames(3, AU24=[3.0, 1.0, 2.0], AU25=[1.0, 3.0, 2.0])
    coded, _ = process(frames, fps=30, smooth_values=False)
    assert coded["AU24"].tolist() == [3.0, 0.0, 2.0]
    assert coded["AU25"].tolist() == [0.0, 3.0, 0.0]


def test_lid_raiser_and_closure_are_resolved_per_side() -> None:
    frames = make_frames(40, AU05_L=2.0, AU05_R=2.0, AU43_L=closure(40, 5, 30, 4.0))
    coded, _ = process(frames, fps=30, smooth_values=False)
    shut = slice(10, 30)
    np.testing.assert_array_equal(coded["AU05_L"].to_numpy()[shut], 0.0)  # the closed eye
    np.testing.assert_array_equal(coded["AU05_R"].to_numpy()[shut], 2.0)  # the open one
    np.testing.assert_array_equal(coded["AU05"].to_numpy()[shut], 2.0)  # the larger side
    assert coded["code"].iloc[20] == "R5B+L46D"  # one eye shut: a wink


@pytest.mark.parametrize(("seven", "kept"), [(4.0, 2.0), (4.8, 0.0)])
def test_only_a_seven_at_e_excludes_five(seven: float, kept: float) -> None:
    frames = make_frames(5, AU05_L=2.0, AU05_R=2.0, AU07_L=seven, AU07_R=seven)
    coded, _ = process(frames, fps=30, smooth_values=False)
    np.testing.assert_array_equal(coded["AU05"], kept)
    np.testing.assert_array_equal(coded["AU07"], seven)


def test_strongest_first_keeps_what_does_not_clash() -> None:
    frames = make_frames(2, AU24=1.0, AU25=2.0, AD34=3.0)  # 24-25 and 25-34 are exclusive
    coded, _ = process(frames, fps=30, smooth_values=False)
    assert coded["code"].tolist() == ["24A+34C", "24A+34C"]


def _bare(n: int, **values: object) -> pd.DataFrame:
    """A frames table with only the columns given (another tool's, no side columns)."""
    base = {"frame": np.arange(n), "time_s": np.arange(n) / 30, "face": 0, "success": 1,
            "confidence": 1.0, "yaw": 0.0, "pitch": 0.0, "roll": 0.0}  # fmt: skip
    return pd.DataFrame({**base, **values})


def test_a_table_without_side_columns_is_resolved_on_its_bilateral_ones() -> None:
    coded, _ = process(_bare(12, AU05=2.0, AU43=1.0), fps=30)
    assert set(coded["code"]) == {"5B"}


def test_bilateral_columns_change_only_where_a_side_was_dropped() -> None:
    frames = make_frames(3, AU05_L=[2.0, 2.0, np.nan], AU05_R=[1.0, 0.0, np.nan],
                         AU43_L=[0.0, 4.0, np.nan], AU43_R=[0.0, 0.0, np.nan])  # fmt: skip
    frames["AU05"] = [2.0, 2.0, 3.0]  # row 2: no side, the bilateral alone
    frames["success"] = 1
    out = classify_eyelids(frames)
    from facs.timeline import _drop_exclusives

    resolved = _drop_exclusives(out)
    assert resolved["AU05_L"].tolist()[:2] == [2.0, 0.0]
    assert resolved["AU05"].tolist() == [2.0, 0.0, 3.0]


def test_gaze_is_hidden_from_side_columns_alone() -> None:
    frames = _bare(3, AU43_L=5.0, AU43_R=5.0, AU64=[1.0, 2.0, 3.0])
    assert hide_gaze_while_shut(frames)["AU64"].isna().all()


_PAIRED_COLUMNS = [
    "AU05_L", "AU05_R", "AU07_L", "AU07_R", "AU18", "AU24", "AU25", "AU26",
    "AU27", "AU28", "AD34", "AU51", "AU52", "AU61", "AU62", "AU63", "AU64",
]  # fmt: skip


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.floats(0, 5, allow_nan=False), min_size=17, max_size=17),
                min_size=1, max_size=12))  # fmt: skip
def test_no_frame_string_breaks_an_exclusive_rule(rows: list[list[float]]) -> None:
    values = np.array(rows)
    frames = make_frames(len(rows), **{c: values[:, k] for k, c in enumerate(_PAIRED_COLUMNS)})
    coded, _ = process(frames, fps=30, smooth_values=False)
    for code in coded["code"]:
        rules = [w for w in Code.parse(code).warnings if "mutually exclusive" in w]
        assert not rules, (code, rules)


def test_blink_survives_the_whole_pipeline() -> None:
    x = np.zeros(60)
    x[20:27] = [0.5, 2, 4, 5, 4, 2, 0.5]  # 0.2 s
    coded, ev = process(eyes(60, x, x))
    assert ev[["code", "letter"]].values.tolist() == [["45", "E"]]
    assert coded["code"].iloc[23] == "45E"


# ---------------------------------------------------------------- events


def test_noise_around_the_threshold_gives_one_event(rng: np.random.Generator) -> None:
    x = np.zeros(120)
    x[20:100] = 1.0 + rng.uniform(-0.45, 0.45, 80)  # crosses 'on' many times
    ev = detect_events(frames=make_frames(120, AU25=x))
    assert len(ev) == 1
    assert (ev["onset_frame"].item(), ev["offset_frame"].item()) == (20, 99)


@pytest.mark.parametrize(("gap", "count"), [(1, 1), (2, 1), (3, 2), (10, 2)])
def test_merge_gap(gap: int, count: int) -> None:
    x = np.zeros(60)
    x[10:20] = 2
    x[20 + gap : 30 + gap] = 3
    ev = detect_events(frames=make_frames(60, AU25=x))  # merge below 0.1 s = 3 frames
    assert len(ev) == count
    if count == 1:
        assert (ev["apex_frame"].item(), ev["letter"].item()) == (20 + gap, "C")


@pytest.mark.parametrize(
    ("column", "length", "kept"),
    [("AU25", 2, False), ("AU25", 3, True), ("AU45_L", 1, False), ("AU45_L", 2, True)],
)
def test_min_duration(column: str, length: int, kept: bool) -> None:
    ev = detect_events(frames=make_frames(30, **{column: closure(30, 10, length, 3.0)}))
    assert len(ev) == int(kept)


def test_min_duration_option() -> None:
    frames = make_frames(60, AU25=closure(60, 10, 9, 3.0))
    assert len(detect_events(frames=frames, min_duration_s=0.3)) == 1
    assert len(detect_events(frames=frames, min_duration_s=0.31)) == 0


def test_hysteresis_extends_onset_and_offset() -> None:
    x = np.zeros(40)
    x[5:20] = [0.4, 0.6, 0.8, 0.9, 1.2, 2, 3, 2, 1.1, 0.9, 0.7, 0.55, 0.45, 0.6, 0.3]
    ev = detect_events(frames=make_frames(40, AU25=x)).iloc[0]
    assert (ev["onset_frame"], ev["apex_frame"], ev["offset_frame"]) == (6, 11, 16)
    assert ev["peak"] == 3 and ev["letter"] == "C"
    assert ev["onset_s"] == pytest.approx(6 / 30)


SIDED = [
    # (AU12_L, AU12_R, expected (code, side, letter, column) rows)
    (3.0, 3.0, [("12", None, "C", "AU12")]),
    (3.2, 2.8, [("12", None, "C", "AU12")]),
    (2.0, 0.0, [("L12", "L", "B", "AU12_L")]),
    (0.0, 4.0, [("R12", "R", "D", "AU12_R")]),
    (2.0, 4.0, [("L12", "L", "B", "AU12_L"), ("R12", "R", "D", "AU12_R")]),
]


@pytest.mark.parametrize(("left", "right", "expected"), SIDED)
def test_sided_codes(left: float, right: float, expected: list[tuple[object, ...]]) -> None:
    frames = make_frames(30, AU12_L=closure(30, 5, 10, left), AU12_R=closure(30, 5, 10, right))
    ev = detect_events(frames=frames)
    got = [tuple(r) for r in ev[["code", "side", "letter", "column"]].itertuples(index=False)]
    assert got == expected


def test_bilateral_event_spans_both_sides() -> None:
    left, right = closure(60, 10, 10, 3.0), closure(60, 14, 12, 3.0)
    right[20] = 3.4
    ev = detect_events(frames=make_frames(60, AU12_L=left, AU12_R=right))
    assert len(ev) == 1
    row = ev.iloc[0]
    assert (row["code"], row["onset_frame"], row["apex_frame"], row["offset_frame"]) == (
        "12",
        10,
        20,
        25,
    )
    assert row["peak"] == 3.4


def test_same_letter_but_apart_is_two_one_sided_events() -> None:
    left, right = closure(60, 5, 10, 3.0), closure(60, 30, 10, 3.0)
    ev = detect_events(frames=make_frames(60, AU12_L=left, AU12_R=right))
    assert ev["code"].tolist() == ["L12", "R12"]


@pytest.mark.parametrize(
    ("column", "code", "side"),
    [("AU25", "25", None), ("AD19", "19", None), ("AU51", "51", None), ("AD30_L", "L30", "L")],
)
def test_unsided_and_other_codes(column: str, code: str, side: str | None) -> None:
    ev = detect_events(frames=make_frames(30, **{column: closure(30, 5, 10, 2.0)}))
    assert ev[["code", "side", "column", "letter"]].values.tolist() == [[code, side, column, "B"]]


def test_columns_option() -> None:
    frames = make_frames(
        30, AU12_L=closure(30, 5, 10, 3), AU12_R=closure(30, 5, 10, 3), AU25=closure(30, 5, 10)
    )
    assert detect_events(frames=frames, columns=["AU12"])["code"].tolist() == ["12"]
    assert detect_events(frames=frames, columns=["AU12_L"])["code"].tolist() == ["L12"]
    assert detect_events(frames=frames, columns=["AU25"])["code"].tolist() == ["25"]
    with pytest.raises(InputError, match="yaw"):
        detect_events(frames=frames, columns=["yaw"])
    with pytest.raises(InputError, match="AU99"):
        detect_events(frames=frames, columns=["AU99"])
    with pytest.raises(InputError, match="not in the frames table: AU26"):
        detect_events(frames=frames.drop(columns="AU26"), columns=["AU26"])


def test_bilateral_column_alone_when_sides_are_missing() -> None:
    frames = make_frames(30, AU12=closure(30, 5, 10, 3))
    frames = frames.drop(columns=["AU12_L", "AU12_R"])
    assert detect_events(frames=frames)["code"].tolist() == ["12"]


def test_events_table_columns_and_apex_code() -> None:
    frames = make_frames(
        40,
        AU06=closure(40, 8, 20, 2.0),
        AU12_L=closure(40, 10, 10, 3.0),
        AU12_R=closure(40, 10, 10, 3.0),
    )
    frames["AU06_L"] = frames["AU06_R"] = frames["AU06"]
    ev = detect_events(frames=frames)
    assert tuple(ev.columns) == EVENT_TABLE_COLUMNS
    assert ev["code"].tolist() == ["6", "12"]
    assert ev["apex_code"].tolist() == ["6B", "6B+12C"]
    assert ev["face"].dtype == np.int64 and ev["apex_frame"].dtype == np.int64


def test_empty_results_keep_the_columns() -> None:
    ev = detect_events(frames=make_frames(10))
    assert ev.empty and tuple(ev.columns) == EVENT_TABLE_COLUMNS
    coded, ev = process(empty_frames())
    assert ev.empty and tuple(ev.columns) == EVENT_TABLE_COLUMNS
    assert coded.empty and coded.columns[-1] == "code"


def test_faces_are_kept_separate() -> None:
    n = 40
    a = make_frames(n, face=0, AU25=closure(n, 5, 10, 2.0))
    b = make_frames(n, face=1, AU25=closure(n, 20, 10, 4.0))
    nobody = fail_rows(make_frames(n, face=-1), slice(None))
    frames = pd.concat([a, b, nobody]).sort_values("frame", kind="stable", ignore_index=True)
    ev = detect_events(frames=frames)
    assert ev[["face", "onset_frame", "letter"]].values.tolist() == [[0, 5, "B"], [1, 20, "D"]]
    coded, ev2 = process(frames)
    assert ev2["face"].tolist() == [0, 1]
    assert (coded.loc[coded["face"] == -1, "code"] == "").all()


signal = st.lists(
    st.sampled_from([0.0, 0.3, 0.5, 0.7, 1.0, 1.4, 2.6, 4.5, 5.0]) | st.floats(0, 5),
    min_size=2,
    max_size=60,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(left=signal, right=signal, other=signal, gap=st.integers(0, 70))
def test_event_invariants(
    left: list[float], right: list[float], other: list[float], gap: int
) -> None:
    n = max(len(left), len(right), len(other))
    pad = lambda v: np.r_[v, np.zeros(n - len(v))]  # noqa: E731
    frames = make_frames(n, AU12_L=pad(left), AU12_R=pad(right), AD19=pad(other), AU45_R=pad(other))
    if gap < n:
        frames = fail_rows(frames, [gap])
    ev = detect_events(frames=frames)
    data = {c: frames[c].to_numpy() for c in ("AU12_L", "AU12_R", "AD19", "AU45_R")}
    data["AU12"] = np.fmax(data["AU12_L"], data["AU12_R"])
    for row in ev.itertuples(index=False):
        assert row.onset_s <= row.apex_s <= row.offset_s
        assert row.onset_frame <= row.apex_frame <= row.offset_frame
        assert row.letter == intensity_to_letter(row.peak)
        assert row.peak >= 1.0
        span = data[str(row.column)][row.onset_frame : row.offset_frame + 1]
        assert not np.isnan(span).any()
        assert row.peak == span.max() == data[str(row.column)][row.apex_frame]
        assert span[: row.apex_frame - row.onset_frame].max(initial=0) < row.peak  # first max
        Code.parse(str(row.apex_code))
    # a sided code's episode is never reported both bilaterally and per side
    for bil in ev[ev["code"] == "12"].itertuples(index=False):
        sides = ev[ev["code"].isin(["L12", "R12"])]
        assert not (
            (sides["onset_frame"] <= bil.offset_frame) & (sides["offset_frame"] >= bil.onset_frame)
        ).any()
    assert [e.letter for e in events_to_list(ev)] == ev["letter"].tolist()


# ---------------------------------------------------------------- Event


def test_events_to_list_round_trip(tmp_path: Path) -> None:
    frames = make_frames(30, AU12_L=closure(30, 5, 10, 3.0), AU25=closure(30, 12, 10, 2.0))
    ev = detect_events(frames=frames)
    events = events_to_list(ev)
    assert [str(e.action) for e in events] == ["L12C", "25B"]
    assert events[1].side is None and events[0].side == "L"
    assert isinstance(events[0].onset_frame, int) and isinstance(events[0].peak, float)
    ev.to_csv(tmp_path / "events.csv", index=False)
    reread = pd.read_csv(tmp_path / "events.csv")  # a missing side reads back as NaN
    assert reread["side"].isna().tolist() == [False, True]
    assert events_to_list(reread) == events
    with pytest.raises(InputError, match="missing column"):
        events_to_list(ev.drop(columns="peak"))


GOOD = {
    "face": 0,
    "code": "12",
    "column": "AU12",
    "side": None,
    "onset_s": 1.0,
    "apex_s": 1.2,
    "offset_s": 1.5,
    "onset_frame": 30,
    "apex_frame": 36,
    "offset_frame": 45,
    "peak": 3.0,
    "letter": "C",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"apex_s": 0.9}, "onset_s ≤ apex_s"),
        ({"offset_frame": 35}, "apex_frame ≤ offset_frame"),
        ({"peak": 6.0}, "within 0–5"),
        ({"letter": "D"}, "does not match peak"),
        ({"side": "X"}, "side must be"),
    ],
)
def test_event_invariants_are_checked(change: dict[str, object], message: str) -> None:
    Event(**GOOD)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=message):
        Event(**(GOOD | change))  # type: ignore[arg-type]


def test_event_action() -> None:
    e = Event(
        **(GOOD | {"code": "R46", "column": "AU46_R", "side": "R", "peak": 5.0, "letter": "E"})
    )  # type: ignore[arg-type]
    assert str(e.action) == "R46E"
    assert e.duration_s == pytest.approx(0.5)


# ---------------------------------------------------------------- frame_codes

FRAME_CODES = [
    ({"AU12_L": 3, "AU12_R": 3, "AU12": 3}, "12C"),
    ({"AU12_L": 2, "AU12": 2}, "L12B"),
    ({"AU12_R": 2.4, "AU12": 2.4}, "R12B"),
    ({"AU12_L": 2, "AU12_R": 4, "AU12": 4}, "L12B+R12D"),
    ({"AU12": 3}, "0"),  # a sided code is read from its sides
    ({"AU25": 1, "AU26": 2.6}, "25A+26C"),
    ({"AD19": 4, "AU17": 1}, "17A+19D"),
    ({"AU51": 2, "AU64": 5}, "51B+64E"),
    ({"AD30_L": 2}, "L30B"),
    ({"AU01_L": 1, "AU01_R": 1.4, "AU02_R": 0.4, "AU04_L": 0.5}, "1A+L4A"),
    ({"AU43_L": 5, "AU43_R": 5, "AU07_L": 3, "AU07_R": 3}, "7C+43E"),
    ({"AU45_R": 4.6, "AU45_L": 4.5}, "45E"),
    ({}, "0"),
]


@pytest.mark.parametrize(("values", "expected"), FRAME_CODES)
def test_frame_codes(values: dict[str, float], expected: str) -> None:
    frames = make_frames(1, **values)
    got = frame_codes(frames).item()
    assert got == expected
    assert str(Code.parse(got)) == got


def test_frame_codes_threshold_and_failed_rows() -> None:
    frames = make_frames(3, AU25=[1.0, 0.3, 2.0], AU12_L=[0.0, 0.0, 3.0])
    frames = fail_rows(frames, [2])
    frames.index = pd.Index([7, 3, 5])
    codes = frame_codes(frames)
    assert codes.name == "code"
    assert codes.to_dict() == {7: "25A", 3: "0", 5: ""}
    assert frame_codes(frames, threshold=1.5).tolist() == ["0", "0", ""]
    assert frame_codes(frames, threshold=0.2).tolist() == ["25A", "25", ""]
    with pytest.raises(InputError, match="threshold"):
        frame_codes(frames, threshold=0)
    with pytest.raises(InputError, match="no code columns"):
        frame_codes(frames[["frame", "time_s"]])


def reference_code(row: dict[str, float], threshold: float) -> str:
    """Slow per-row implementation of frame_codes, straight from the rules."""
    if row["success"] == 0:
        return ""

    def item(col: str, side: str | None) -> Action | None:
        value = row[col]
        if not value >= threshold:
            return None
        return Action(int(col[2:4]), intensity=intensity_to_letter(value), side=side)

    actions: list[Action] = []
    for code in CODED:
        if code.sided:
            left, right = item(f"{code.column}_L", "L"), item(f"{code.column}_R", "R")
            if left and right and left.intensity == right.intensity:
                actions.append(Action(code.number, intensity=left.intensity))
            else:
                actions += [a for a in (left, right) if a]
        elif (a := item(code.column, None)) is not None:
            actions.append(a)
    return str(Code.from_actions(actions))


intensity = st.sampled_from([0.0, 0.49, 0.5, 1.49, 1.5, 2.5, 3.0, 5.0]) | st.floats(0, 5)
sparse_row = st.dictionaries(st.sampled_from(ALL_CODES), intensity, max_size=16)


@settings(max_examples=30, deadline=None)
@given(
    rows=st.lists(sparse_row, min_size=1, max_size=5),
    dense_seed=st.integers(0, 2**32 - 1),
    failed=st.lists(st.booleans(), min_size=6, max_size=6),
    threshold=st.sampled_from([0.5, 0.2, 1.0, 2.7]),
)
def test_frame_codes_parse_and_match_the_rules(
    rows: list[dict[str, float]], dense_seed: int, failed: list[bool], threshold: float
) -> None:
    where = {c: j for j, c in enumerate(ALL_CODES)}
    values = np.zeros((len(rows) + 1, len(ALL_CODES)))
    for i, row in enumerate(rows):
        for col, value in row.items():
            values[i, where[col]] = value
    dense = np.random.default_rng(dense_seed).uniform(-2, 5, len(ALL_CODES))  # a busy face
    values[-1] = np.clip(dense, 0, 5)
    frames = make_frames(len(values))
    frames[ALL_CODES] = values
    frames = fail_rows(frames, [i for i in range(len(frames)) if failed[i]])
    codes = frame_codes(frames, threshold=threshold)
    for row, text in zip(frames.to_dict("records"), codes, strict=True):
        assert text == reference_code(row, threshold)
        if text:
            assert str(Code.parse(text)) == text


def test_frame_codes_is_fast(rng: np.random.Generator) -> None:
    n = 20_000
    frames = make_frames(n)
    frames[ALL_CODES] = np.clip(rng.normal(1, 1.5, (n, len(ALL_CODES))), 0, 5)  # worst case
    start = time.perf_counter()
    codes = frame_codes(frames)
    assert time.perf_counter() - start < 2.0
    assert len(codes) == n and codes.str.len().min() > 0


# ---------------------------------------------------------------- process and options


def test_process(rng: np.random.Generator) -> None:
    n = 150
    smile = bump(n, 30, centre_s=2, rise_s=0.4, fall_s=0.8, peak=3.5)
    noise = rng.normal(0, 0.15, n)
    frames = make_frames(
        n,
        AU06=np.clip(smile * 0.6 + noise, 0, 5),
        AU12_L=np.clip(smile + noise, 0, 5),
        AU12_R=np.clip(smile - noise, 0, 5),
    )
    frames["AU06_L"] = frames["AU06_R"] = frames["AU06"]
    before = frames.copy()
    coded, ev = process(frames)
    pd.testing.assert_frame_equal(frames, before)
    assert list(coded.columns) == [*frames.columns, "code"]
    assert sorted(ev["code"]) == ["12", "6"]
    apex = ev.set_index("code")["apex_frame"]
    assert abs(apex["12"] - 60) <= 2
    assert coded["code"].iloc[60] == ev.set_index("code")["apex_code"]["12"]
    again, _ = process(coded)  # an old code column is replaced, not duplicated
    assert list(again.columns) == list(coded.columns)
    raw, _ = process(frames.assign(jawOpen=0.25))  # extra columns (blendshapes) are kept
    assert (raw["jawOpen"] == 0.25).all()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda f: smooth(f, fps=0), "fps must be a positive number"),
        (lambda f: smooth(f, fps=float("nan")), "fps"),
        (lambda f: smooth(f, window_s=-1), "window_s"),
        (lambda f: classify_eyelids(f, closed=0), "closed"),
        (lambda f: classify_eyelids(f, blink_max_s=-0.5), "blink_max_s"),
        (lambda f: classify_eyelids(f, release=0), "release"),
        (lambda f: classify_eyelids(f, release=3.0), "release must be at most closed"),
        (lambda f: classify_eyelids(f, pause_s=-0.1), "pause_s"),
        (lambda f: detect_events(frames=f, on=0.3), "on must be at least 0.5"),
        (lambda f: detect_events(frames=f, off=2.0), "off must not exceed on"),
        (lambda f: detect_events(frames=f, off=0), "off"),
        (lambda f: detect_events(frames=f, merge_gap_s=-1), "merge_gap_s"),
        (lambda f: smooth(f.drop(columns="time_s")), "missing column"),
        (lambda f: process(f.assign(AU25=7.0)), "within 0–5"),
    ],
)
def test_bad_options_raise_input_error(
    call: Callable[[pd.DataFrame], object], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        call(make_frames(5))


def test_frame_codes_carry_the_visibility_codes() -> None:
    from facs.au._visibility import COVER_COLUMNS
    from facs.series import FRAME_COLUMNS

    rows = [{"AU12": 3, "AU12_L": 3, "AU12_R": 3}, {}, {}, {"AU01": 2, "AU01_L": 2, "AU01_R": 2}]
    frames = pd.DataFrame(rows, columns=FRAME_COLUMNS).fillna(0.0)
    frames["success"] = 1
    for c in COVER_COLUMNS:
        frames[c] = 0.0
    frames.loc[0, "covered_brows"] = 1.0  # a lock of hair over the brows
    frames.loc[1, ["covered_lower"]] = 1.0  # a hand over the mouth: its codes blank
    frames.loc[1, ["AU12", "AU12_L", "AU12_R", "AU25"]] = np.nan
    frames.loc[2, list(COVER_COLUMNS)] = 1.0  # the whole face
    codes = frame_codes(frames).tolist()
    assert codes == ["12C+70", "72", "73", "1B"]
    assert all(str(Code.parse(c)) == c for c in codes)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), floor=st.sampled_from([0.05, 0.1, 0.3]))
def test_the_trace_floor_moves_no_code_and_no_event(seed: int, floor: float) -> None:
    """Floored after smoothing: each frame's code and every event are what they were; traces
    under the floor read 0; head and eye positions keep their small values."""
    rng = np.random.default_rng(seed)
    n = 90
    noise = {c: np.abs(rng.normal(0, 0.3, n)) for c in ("AU01", "AU04_L", "AU15_R", "AU51",
                                                         "AU62")}  # fmt: skip
    frames = make_frames(n, AU12=bump(n, 30, centre_s=1.5, rise_s=0.4, fall_s=0.6), **noise)
    plain_frames, plain_events = process(frames, fps=30)
    frames_out, events = process(frames, fps=30, trace_floor=floor)
    assert frames_out["code"].tolist() == plain_frames["code"].tolist()
    pd.testing.assert_frame_equal(events, plain_events)
    for column in ("AU01", "AU04_L", "AU15_R"):
        before, after = plain_frames[column].to_numpy(), frames_out[column].to_numpy()
        assert (after[before < floor] == 0).all() and (
            after[before >= 0.5] == before[before >= 0.5]
        ).all()
    for column in ("AU51", "AU62"):
        assert np.array_equal(frames_out[column], plain_frames[column])
