"""End-to-end tests of facs.code on real and synthetic media (needs ../shared/data)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import facs
from facs._errors import ParameterError
from facs.coding import parse_span
from facs.notation import Code
from facs.series import CODE_COLUMNS, FRAME_COLUMNS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def held_out_clip(shared_data: Path) -> tuple[facs.Coding, dict]:  # type: ignore[name-defined]
    """A whole synthetic clip of an identity the estimator never saw."""
    clip = shared_data / "synthetic-rom" / "rom_19.mp4"
    meta = json.loads((shared_data / "synthetic-rom" / "rom_19_meta.json").read_text())
    return facs.code(clip, max_faces=1), meta


# Codes the first estimator must find at a segment's peak (held-out identity).
RELIABLE = {"1", "2", "12", "20", "26", "51", "52", "53", "54", "55", "56", "62", "L1", "L12"}


def test_held_out_segments_are_found(held_out_clip) -> None:  # type: ignore[no-untyped-def]
    coding, meta = held_out_clip
    frames = coding.frames.set_index("frame")
    checked = 0
    for seg in meta["segments"]:
        codes = seg["codes"]
        if len(codes) != 1 or codes[0] not in RELIABLE or seg["peak"] < 0.6:
            continue
        item = Code.parse(codes[0]).actions[0]
        col = f"AU{item.number:02d}" + (f"_{item.side}" if item.side else "")
        peak = frames.loc[seg["start_frame"] + 7 : seg["start_frame"] + 13, col].mean()
        assert peak >= 1.0, f"{codes[0]} at frames {seg['start_frame']}: {peak:.2f}"
        checked += 1
    assert checked >= 6
    neutral = frames.loc[0:29, list(CODE_COLUMNS)].to_numpy()
    assert np.nanmax(neutral) < 1.0, "the neutral lead must read as no action"


def test_blinks_and_winks_by_timing(held_out_clip) -> None:  # type: ignore[no-untyped-def]
    coding, meta = held_out_clip
    ev = coding.events
    seg = {s["codes"][0]: s for s in meta["segments"] if len(s["codes"]) == 1}
    blink = seg["blink"]
    t0, t1 = blink["start_frame"] / 30, blink["end_frame"] / 30
    found = ev[(ev["apex_s"] >= t0 - 0.1) & (ev["apex_s"] <= t1 + 0.1)]
    codes = set(found["code"])
    # a blink: 45, or L45 and R45 when the two lids close a letter apart
    assert "45" in codes or {"L45", "R45"} <= codes, found
    for side in "LR":
        s = seg[f"{side}46"]
        win = ev[(ev["apex_s"] >= s["start_frame"] / 30) & (ev["apex_s"] <= s["end_frame"] / 30)]
        assert f"{side}46" in set(win["code"]), win


def test_outputs_follow_the_schema(held_out_clip, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    coding, _ = held_out_clip
    assert list(coding.frames.columns[: len(FRAME_COLUMNS)]) == list(FRAME_COLUMNS)
    assert coding.frames["code"].map(lambda s: str(Code.parse(s)) == s).all()
    ev = coding.events
    assert list(ev.columns[:8]) == [
        "face",
        "code",
        "side",
        "onset_s",
        "apex_s",
        "offset_s",
        "peak",
        "letter",
    ]
    assert (ev["onset_s"] <= ev["apex_s"]).all() and (ev["apex_s"] <= ev["offset_s"]).all()
    written = coding.save(tmp_path, formats=("csv", "parquet"))
    names = {p.name for p in written}
    assert {"frames.csv", "events.csv", "frames.parquet", "events.parquet", "timeline.png",
            "summary.json"} <= names  # fmt: skip
    back = facs.formats.read_frames(tmp_path / "frames.parquet")
    assert len(back) == len(coding.frames)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["faces"] == 1 and summary["frames"] == 1567
    assert summary["calibration"]["population_neutral_used"] is False
    assert summary["per_face"]["0"]["codes"]["AU12"]["events"] >= 1
    assert not list(tmp_path.glob(".*tmp*"))
    # Saved again without Parquet or plot: the earlier run's are not left beside it.
    again = {p.name for p in coding.save(tmp_path, plot=False)}
    assert {p.name for p in tmp_path.iterdir()} == again == {
        "frames.csv", "events.csv", "summary.json"}  # fmt: skip


def test_no_face_video_gives_rows_not_errors(shared_data: Path) -> None:
    coding = facs.code(shared_data / "real" / "no_face.mp4")
    assert len(coding.frames) == 95 and (coding.frames["success"] == 0).all()
    assert coding.frames["code"].eq("").all() and coding.events.empty
    assert coding.summary.faces == 0


def test_face_then_no_face(shared_data: Path) -> None:
    coding = facs.code(shared_data / "real" / "face_noface.mov")
    ok = coding.frames.groupby("frame")["success"].max()
    assert ok.iloc[:60].all()
    assert ok.iloc[-60:].mean() < 0.1  # a stray one-frame detection is tolerated


def test_still_image_uses_population_neutral(shared_data: Path) -> None:
    coding = facs.code(shared_data / "real" / "multi_face.jpg")
    assert coding.summary.kind == "image"
    assert coding.summary.faces >= 2
    assert coding.summary.calibration.population_neutral_used is True
    assert coding.frames["face"].nunique() == coding.summary.faces


@pytest.mark.parametrize("option", [{"neutral": (0.0, 1.0)}, {"start": 1.0}, {"end": 2.0}])
def test_a_photo_has_no_time_range_or_neutral_span(shared_data: Path, option: dict) -> None:
    """Taken as its own neutral, a photo's expression vanished; cut, it had no face."""
    with pytest.raises(ParameterError, match=r"single_face\.jpg is a photo"):
        facs.code(shared_data / "real" / "single_face.jpg", **option)


def test_a_neutral_span_outside_the_clip_fails_before_any_work(shared_data: Path) -> None:
    video = shared_data / "real" / "single_face.mp4"  # 2.4 s
    with pytest.raises(ParameterError, match=r"lies outside single_face\.mp4 \(0-2\.4 s\)"):
        facs.code(video, neutral=(100.0, 200.0), workdir=None)
    with pytest.raises(ParameterError, match=r"outside the coded range \(1-2 s\)"):
        facs.code(video, start=1.0, end=2.0, neutral=(0.0, 0.5))


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            {"neutral": (1.0, 0.2)},
            r"neutral must be a span start-end with 0 <= start < end, got 1-0.2",
        ),
        ({"neutral": (0.5, 0.5)}, r"got 0.5-0.5"),
        ({"neutral": (float("nan"), 1.0)}, r"got nan-1"),
        ({"neutral": (0.0, 0.5, 1.0)}, r"neutral must be \(start, end\) in seconds"),
        ({"neutral": 0.5}, r"neutral must be \(start, end\) in seconds, got 0.5"),
        ({"workers": 1.5}, r"workers must be a whole number of at least 1, got 1.5"),
        ({"workers": "2"}, r"got '2'"),
        ({"start": "1"}, r"start must be a finite number of seconds >= 0, got '1'"),
    ],
)
def test_bad_options_fail_before_any_work(shared_data: Path, option: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        facs.code(shared_data / "real" / "single_face.mp4", **option)


def test_save_writes_one_or_both_table_formats_and_never_none(
    shared_data: Path, tmp_path: Path
) -> None:
    coding = facs.code(shared_data / "real" / "single_face.jpg")
    coding.save(tmp_path, plot=False)
    for formats in ((), ("xlsx",), ("csv", "json")):
        with pytest.raises(ParameterError, match="formats must be one or both of 'csv' and"):
            coding.save(tmp_path, formats=formats, plot=False)
    assert (tmp_path / "frames.csv").is_file()  # an empty choice used to delete them
    written = coding.save(tmp_path, formats="parquet", plot=False)  # type: ignore[arg-type]
    assert {p.name for p in written} == {"frames.parquet", "events.parquet", "summary.json"}
    a_file = tmp_path / "frames.parquet"
    with pytest.raises(facs.InputError, match=r"frames\.parquet is a file, not a folder"):
        coding.save(a_file / "out", plot=False)  # was a bare FileExistsError


def test_image_folder_and_start_end(shared_data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "imgs"
    folder.mkdir()
    shutil.copy(shared_data / "real" / "single_face.jpg", folder / "a2.jpg")
    shutil.copy(shared_data / "real" / "astronaut.png", folder / "a10.png")
    coding = facs.code(folder)
    assert coding.frames["frame"].tolist() == [0, 1] and (coding.frames["success"] == 1).all()
    clip = facs.code(shared_data / "real" / "single_face.mp4", start=1.0, end=2.0)
    t = clip.frames["time_s"]
    assert t.min() >= 1.0 - 1e-6 and t.max() < 2.0 and 25 <= len(t) <= 32


def test_neutral_span_and_raw(shared_data: Path) -> None:
    coding = facs.code(shared_data / "real" / "single_face.mp4", neutral=(0.0, 0.5), raw=True)
    assert coding.summary.per_face["0"].baseline["kind"] == "manual"
    assert coding.raw is not None and {"mouthSmileLeft", "lm000_x"} <= set(coding.raw.columns)
    with pytest.raises(facs.InputError, match="neutral: the span 50-60 s lies outside"):
        facs.code(shared_data / "real" / "single_face.mp4", neutral=(50.0, 60.0))


def test_a_broad_smile_reads_no_15(shared_data: Path) -> None:
    """Its corners rise 0.17 inter-ocular distances: no lip corner depressor (it read 15D)."""
    coding = facs.code(shared_data / "real" / "single_face.mp4")
    codes = set(coding.events["code"].astype(str).str.lstrip("LR"))
    assert "12" in codes and "15" not in codes, codes
    assert float(np.nanmax(coding.frames["AU15"])) < 0.5


def test_two_workers_match_one(shared_data: Path) -> None:
    one = facs.code(shared_data / "real" / "single_face.mp4", workers=1)
    two = facs.code(shared_data / "real" / "single_face.mp4", workers=2)
    assert one.frames["frame"].tolist() == two.frames["frame"].tolist()
    assert two.frames["face"].nunique() == 1  # ids stitched across the split
    assert two.summary.workers == 2


def test_more_workers_than_the_clip_can_use_change_nothing(shared_data: Path) -> None:
    # 100 workers on 2.4 s: parts of at least MIN_PART_S, so one face and the same frames
    # (each part used to hold a frame or none, and the face split into 16 ids)
    one = facs.code(shared_data / "real" / "single_face.mp4", workers=1)
    many = facs.code(shared_data / "real" / "single_face.mp4", workers=100)
    pd.testing.assert_frame_equal(one.frames, many.frames)
    assert len(one.events) == len(many.events)


def test_bad_inputs(tmp_path: Path) -> None:
    with pytest.raises(facs.InputError, match=r"no such"):
        facs.code(tmp_path / "missing.mp4")
    junk = tmp_path / "junk.mp4"
    junk.write_text("this is not a video")
    with pytest.raises(facs.InputError):
        facs.code(junk)
    with pytest.raises(facs.InputError, match="time span"):
        parse_span("5-2")


def test_a_range_after_the_last_frame_is_an_error_not_an_empty_coding(
    shared_data: Path, tmp_path: Path
) -> None:
    # 2.39 s is inside the 2.4 s the container gives, but after its last frame
    with pytest.raises(facs.InputError, match=r"no frame in the coded range 2\.39-end s"):
        facs.code(shared_data / "real" / "single_face.mp4", start=2.39)
    folder = tmp_path / "shots"
    folder.mkdir()
    shutil.copy(shared_data / "real" / "single_face.jpg", folder / "1.jpg")
    with pytest.raises(facs.InputError, match=r"no frame in the coded range 10-end \(it holds 1"):
        facs.code(folder, start=10)


def test_a_held_closure_is_43_and_a_blink_45(shared_data: Path) -> None:
    """rom_09 (held out of every fit) shuts its eyes for 0.63 s, then blinks for 0.2 s.

    Timed over its half-closed middle only, the closure read as a blink (45D); timed from
    the lids starting to close to their reopening, it is 43 (benchmarks/README.md, "Blink
    or closure").
    """
    meta = json.loads((shared_data / "synthetic-rom" / "rom_09_meta.json").read_text())
    seg = {s["codes"][0]: s for s in meta["segments"] if len(s["codes"]) == 1}
    assert seg["43"]["peak"] == 1.0
    ev = facs.code(shared_data / "synthetic-rom" / "rom_09.mp4", max_faces=1).events

    def codes_in(name: str) -> set[str]:
        t0, t1 = seg[name]["start_frame"] / 30, seg[name]["end_frame"] / 30
        return set(ev.loc[(ev["apex_s"] >= t0) & (ev["apex_s"] <= t1), "code"])

    closure, blink = codes_in("43"), codes_in("blink")
    assert "43" in closure and not closure & {"45", "L45", "R45"}, closure
    assert "45" in blink or {"L45", "R45"} <= blink, blink


def test_frame_codes_are_strings(shared_data: Path) -> None:
    coding = facs.code(shared_data / "real" / "single_face.mp4")
    assert isinstance(coding.codes(0), pd.Series) and len(coding.codes(0)) == 72


def test_held_out_accuracy_does_not_regress(held_out_clip, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    """Per-code r on a held-out identity stays near benchmarks/README.md's figures."""
    coding, _ = held_out_clip
    labels = pd.read_csv(shared_data / "synthetic-rom" / "rom_19_labels.csv")
    frames = coding.frames.set_index("frame").reindex(labels["frame"])
    rs = {}
    for col in ("AU01", "AU02", "AU04", "AU05", "AU12", "AU15", "AU20", "AU25", "AU26", "AU61",
                "AU62", "AU51", "AU54"):  # fmt: skip
        truth = 5 * labels[col].to_numpy(float)
        if col == "AU25":  # the rig's 26 parts the lips too: FACS codes 25 (lips apart)
            truth = np.maximum(truth, 5 * labels["AU26"].to_numpy(float))
        pred = frames[col].to_numpy(float)
        ok = np.isfinite(pred)  # a region called covered is blank, not 0
        rs[col] = float(np.corrcoef(pred[ok], truth[ok])[0, 1])
    # rom_19 alone, with the estimator fitted on four rigs (issue 12): mean 0.85; 4, 5 and 15
    # read 0.60-0.61 (a new identity of a training rig is the second figure now; the first
    # is the rig left out, benchmarks/README.md); before, with FACSHuman alone, 0.88-1.00.
    assert min(rs.values()) > 0.5, rs
    assert np.mean(list(rs.values())) > 0.8, rs


def test_real_take_steady_head_lips_and_baseline_report(shared_data: Path) -> None:
    """Pexels: crying, then laughing; a seated person who shifts; the baseline is reported."""
    coding = facs.code(shared_data / "real" / "WolfgangLanger_Pexels.mp4")
    calibration = coding.summary.calibration
    # It never rests: its calmest frames are moments of the crying and of the laugh, no
    # one state (5.4 summed against their median; clips with a neutral reach 3.0), and
    # none of its calm runs reads like a resting face: the lower face, mixed most, and the
    # nose (9 reads the upper lip) take the population's neutral.
    assert calibration.neutral == "partial"
    assert calibration.population_regions == ["lower", "nose"]
    baseline = coding.summary.per_face["0"].baseline
    assert baseline["regions"] == {"nose": "population", "brows": "own calm frames",
                                   "eyes": "own calm frames", "lower": "population"}  # fmt: skip
    assert "no one state" in baseline["why_population"]["lower"]
    assert "lower face" in calibration.note
    f = coding.frames.set_index("time_s")
    # The laugh at 10.6-19.6 s: the head leans and drifts (size +-8 %); no long 57.
    assert float(f.loc[10.6:19.6, "AU57"].ge(0.5).mean()) < 0.15
    ev = coding.events
    long57 = ev[(ev["code"] == "57") & (ev["offset_s"] - ev["onset_s"] > 1.5)]
    assert long57.empty, long57
    # The laugh parts the lips: 25 through it, at B-C (the reference codes C).
    assert float(f.loc[11.0:15.0, "AU25"].median()) >= 1.5
    # The hand over the mouth (the reference's 72, 2.46-9.47 s) is found by MediaPipe
    # Hands when its models are installed: 72 joins the strings, lower codes are blank.
    from facs.face._hands import hands_unavailable

    if hands_unavailable() is None:
        assert "MediaPipe Hands" in (coding.summary.model.hands or "")
        assert coding.summary.per_face["0"].covered["lower"] >= 100  # of 169 under the hand
        hand = f.loc[2.46:9.47]
        assert float(hand["covered_lower"].mean()) >= 0.7
        assert float(hand["code"].astype(str).str.contains("72").mean()) >= 0.7
        assert hand.loc[hand["covered_lower"] == 1, "AU12"].isna().all()
        bare = pd.concat([f.loc[:2.3], f.loc[9.6:]])
        assert not bare[["covered_brows", "covered_eyes", "covered_lower"]].any().any()
        lower = ev[ev["code"].str.contains("12|15|17|24")]
        inside = lower[(lower["onset_s"] > 2.6) & (lower["offset_s"] < 9.3)]
        assert len(inside) <= 2, inside  # at most brief events where the hand is lost


def _still(code: str, view: str = "front", size: tuple[int, int] = (360, 420)) -> Image.Image:
    """The synthesiser's face showing ``code`` (skips without the face model)."""
    from facs.face import locate_model
    from facs.synth._render import render_image

    try:
        locate_model()
    except facs.ModelError as err:
        pytest.skip(str(err))
    return Image.fromarray(render_image(code, view=view, size=size, label=False))


def test_a_covered_mouth_is_not_scored(tmp_path: Path) -> None:
    """An opaque cover over the mouth: 72 in the strings, lower codes blank, events end."""
    from PIL import ImageDraw

    neutral, smile = _still("0"), _still("12B")
    for i in range(120):
        img = (smile if 30 <= i < 90 else neutral).copy()
        if 60 <= i < 90:  # a dark microphone over the mouth and chin for 1.2 s
            ImageDraw.Draw(img).rectangle([95, 205, 265, 335], fill=(38, 38, 42))
        img.save(tmp_path / f"f{i:03d}.png")
    coding = facs.code(tmp_path, fps=25, neutral=(0.0, 1.0), max_faces=1)
    f = coding.frames.set_index("frame")
    hidden = f.loc[64:86]
    assert (hidden["covered_lower"] == 1).all() and (hidden["covered_brows"] == 0).all()
    assert hidden["AU12"].isna().all() and hidden["AU25"].isna().all()
    assert hidden["AU01"].notna().all()  # the brows are still seen and scored
    assert hidden["code"].str.endswith("72").all()
    assert (f.loc[:55, "covered_lower"] == 0).all()
    twelve = coding.events[coding.events["code"].isin(["12", "L12", "R12"])]
    assert len(twelve) >= 1 and (twelve["offset_s"] <= 61 / 25).all(), twelve


def test_a_face_turned_away_is_74_and_never_the_neutral(tmp_path: Path) -> None:
    """Past 45 degrees the face is unscorable (74); those frames are no neutral either."""
    away, neutral, smile = _still("51E", view="three-quarter"), _still("0"), _still("12D")
    for i in range(90):  # long turned away (calm: the calmest fifth would take it), then front
        (away if i < 60 else smile if i >= 78 else neutral).save(tmp_path / f"f{i:03d}.png")
    coding = facs.code(tmp_path, fps=25, max_faces=1)
    f = coding.frames.set_index("frame")
    turned = f.loc[3:56]
    assert (turned["unscorable"] == 1).all() and turned["AU12"].isna().all()
    assert turned["code"].str.endswith("74").all()
    front = f.loc[63:75]
    assert (front["unscorable"] == 0).all()
    assert (front["code"] == "0").all(), front["code"].unique()  # the neutral is a front one
    assert f.loc[81:88, "AU12"].min() >= 2.5
    assert coding.summary.per_face["0"].covered["unscorable"] >= 55


def _covered_frames(tmp: Path, neutral: Image.Image, held: list[Image.Image],
                    hold: int, gap: int) -> pd.DataFrame:  # fmt: skip
    """Code a neutral lead, then each image held ``hold`` frames and ``gap`` neutral ones
    (10 fps); the rows any region is covered in."""
    k = 0
    for image, count in [(neutral, 12)] + [p for im in held for p in ((im, hold), (neutral, gap))]:
        for _ in range(count):
            image.save(tmp / f"f{k:03d}.png")
            k += 1
    f = facs.code(tmp, fps=10, neutral=(0.0, 1.1), max_faces=1).frames
    return f[(f["covered_brows"] == 1) | (f["covered_eyes"] == 1) | (f["covered_lower"] == 1)]


def test_a_head_turned_or_eyes_looking_aside_are_no_cover(tmp_path: Path) -> None:
    """Turning the head changes the light on the face, and a look aside or closing lids
    the colour at the lid margins, as a cover would: neither is 70-73 (without the two
    rules, 30 frames here read 51D+73 or 1A+52D+71+72, and 32 read 71)."""
    (tmp_path / "turns").mkdir()
    turns = _covered_frames(tmp_path / "turns", _still("0"), [_still("51D"), _still("52D")],
                            hold=15, gap=5)  # fmt: skip
    assert turns.empty, turns[["frame", "code"]].to_string()
    (tmp_path / "eyes").mkdir()
    big = (480, 560)  # the eyes' own colour change shows at the letters benchmark's size
    eyes = _covered_frames(tmp_path / "eyes", _still("0", size=big),
                           [_still(c, size=big) for c in ("61C", "62B", "62C", "43C")],
                           hold=8, gap=12)  # fmt: skip
    assert eyes.empty, eyes[["frame", "code"]].to_string()


def _bowed(code: str, pitch: float) -> Image.Image:
    """The synthesiser's face showing ``code`` with its head bowed (< 0) or raised."""
    from facs.synth._model import _turn_head, deform
    from facs.synth._render import render_image

    _still("0")  # skips without the face model
    mesh = _turn_head(deform(code), 0.0, pitch)
    return Image.fromarray(render_image(code, size=(360, 420), label=False, mesh=mesh))


def test_a_face_bowed_far_from_its_own_neutral_is_74_but_not_a_camera_below(
    tmp_path: Path,
) -> None:
    """Bowed about 27 degrees since its frontal neutral, the drawn action is read lower
    than wrong codes: 74. With the neutral bowed as far (a camera above the face), the
    same frames are scored."""
    smile = _bowed("12E", -35.0)
    for name, rest in (("frontal", _still("0")), ("same", _bowed("0", -35.0))):
        (tmp_path / name).mkdir()
        for i in range(40):
            (rest if i < 15 or i >= 35 else smile).save(tmp_path / name / f"f{i:03d}.png")
    front = facs.code(tmp_path / "frontal", fps=10, neutral=(0.0, 1.4), max_faces=1)
    f = front.frames.set_index("frame").loc[18:32]
    assert (f["unscorable"] == 1).all() and f["AU12"].isna().all()
    assert f["code"].str.endswith("74").all() and f["code"].str.contains("54").all()
    same = facs.code(tmp_path / "same", fps=10, neutral=(0.0, 1.4), max_faces=1)
    g = same.frames.set_index("frame").loc[18:32]
    assert (g["unscorable"] == 0).all() and g["AU12"].min() >= 3.5
    # a still has no neutral of its own (the population's): only the absolute limits hold
    smile.save(tmp_path / "still.png")
    still = facs.code(tmp_path / "still.png", max_faces=1)
    assert still.summary.per_face["0"].baseline["kind"] == "population"
    assert (still.frames["unscorable"] == 0).all() and still.frames["AU12"].min() >= 2.5


def test_stills_respect_max_faces_and_carry_boxes(shared_data: Path, tmp_path: Path) -> None:
    one = facs.code(shared_data / "real" / "multi_face.jpg", max_faces=1)
    assert one.summary.faces == 1 and len(one.frames) == 1
    every = facs.code(shared_data / "real" / "multi_face.jpg", max_faces=8)
    boxes = every.frames[["box_x", "box_y", "box_w", "box_h"]]
    assert every.summary.faces >= 4 and boxes.notna().all().all()
    assert (boxes["box_w"] > 20).all() and boxes[["box_x", "box_y"]].drop_duplicates().shape[
        0
    ] == len(boxes)
    one.save(tmp_path / "still")  # a still's picture: bars per code, no time axis
    assert (tmp_path / "still" / "timeline.png").stat().st_size > 10_000


def test_image_folder_is_coded_as_the_clip_it_is(tmp_path: Path) -> None:
    """The frames of a clip as images: the face's own baseline, not the population's."""
    from PIL import Image

    from facs.face import locate_model
    from facs.synth._render import render_image

    try:
        locate_model()
    except facs.ModelError as err:
        pytest.skip(str(err))
    neutral = Image.fromarray(render_image("0", size=(360, 420), label=False))
    raised = Image.fromarray(render_image("1+2C", size=(360, 420), label=False))
    for i in range(40):
        (raised if 20 <= i < 30 else neutral).save(tmp_path / f"f{i:03d}.png")
    coding = facs.code(tmp_path, max_faces=1)
    assert coding.summary.kind == "images"
    assert coding.summary.per_face["0"].baseline["kind"] == "auto"
    rest = coding.frames[coding.frames["frame"] < 18]
    assert (rest["code"] == "0").mean() >= 0.8, rest["code"].tolist()  # no 1E+2E at rest
    assert coding.frames.set_index("frame").loc[23:27, "AU02"].min() >= 1.0


def _chunk_with_faces(store: Path, name: str, frame: int, centres: list[float]) -> None:
    """A one-frame chunk with square faces (0.2 wide) centred at these x (normalised)."""
    n = len(centres)
    landmarks = np.zeros((n, 478, 3), np.float32)
    for i, x in enumerate(centres):
        landmarks[i, :, 0] = np.linspace(x - 0.1, x + 0.1, 478)
        landmarks[i, :, 1] = np.linspace(0.4, 0.6, 478)
    np.savez(
        store / name,
        frames=np.array([[frame, frame / 25, 100, 100]], np.float64),
        face_frame=np.full(n, frame, np.int64),
        face_id=np.arange(n, dtype=np.int64),
        landmarks=landmarks,
        blendshapes=np.zeros((n, 52), np.float32),
        pose=np.zeros((n, 3), np.float32),
        confidence=np.ones(n, np.float32),
        appearance=np.zeros((n, 92, 3), np.uint8),
        hand=np.full((n, 5), np.nan, np.float32),
    )


def test_parts_are_stitched_by_the_trackers_rule(tmp_path: Path) -> None:
    """A face at a part's start is the nearby face at the previous part's end."""
    from facs.coding import _stitch_ids

    _chunk_with_faces(tmp_path, "part0_00000.npz", 0, [0.2, 0.7])
    # Part 1's tracker numbered its faces left to right, and a third face came in.
    _chunk_with_faces(tmp_path, "part1_00000.npz", 1, [0.25, 0.5, 0.72])
    # Part 2 sees only the middle face.
    _chunk_with_faces(tmp_path, "part2_00000.npz", 2, [0.5])
    assert _stitch_ids(tmp_path, 3) == [{0: 0, 1: 1}, {0: 0, 1: 2, 2: 1}, {0: 2}]
    # A part with no face between two that have one hands the faces on: the same id.
    (tmp_path / "gap").mkdir()
    _chunk_with_faces(tmp_path / "gap", "part0_00000.npz", 0, [0.2])
    _chunk_with_faces(tmp_path / "gap", "part1_00000.npz", 1, [])
    _chunk_with_faces(tmp_path / "gap", "part2_00000.npz", 2, [0.22])
    assert _stitch_ids(tmp_path / "gap", 4) == [{0: 0}, {}, {0: 0}, {}]  # part 3: no chunk
    # Half a face size apart is the same face; two sizes apart is not.
    for sub, x, expect in (("near", 0.3, 0), ("far", 0.6, 1)):
        (tmp_path / sub).mkdir()
        _chunk_with_faces(tmp_path / sub, "part0_00000.npz", 0, [0.2])
        _chunk_with_faces(tmp_path / sub, "part1_00000.npz", 1, [x])
        assert _stitch_ids(tmp_path / sub, 2)[1] == {0: expect}


def test_a_resumed_run_keeps_the_parts_its_chunks_belong_to(
    shared_data: Path, tmp_path: Path
) -> None:
    """Interrupted with two workers, resumed with one: every frame once, as uninterrupted."""
    clip = shared_data / "real" / "single_face.mp4"
    whole = facs.code(clip, workers=2, workdir=tmp_path / "w")
    (store,) = [p for p in (tmp_path / "w").iterdir() if p.is_dir()]
    for leftover in store.glob("part1*"):  # part 1 never ran
        leftover.unlink()
    resumed = facs.code(clip, workers=1, workdir=tmp_path / "w")
    assert resumed.frames["frame"].tolist() == whole.frames["frame"].tolist()
    pd.testing.assert_frame_equal(resumed.frames, whole.frames)


def test_a_stray_one_frame_face_is_dropped_and_faces_count_from_the_person(
    shared_data: Path,
) -> None:
    """A face seen in fewer than MIN_FACE_FRAMES frames of a video is no face; the person
    on screen is face 0 even when the stray detection came first."""
    for name in ("face_noface.mov", "noface_face.mov"):
        coding = facs.code(shared_data / "real" / name)
        f = coding.frames
        assert coding.summary.faces == 1 and set(f["face"]) == {-1, 0}, name
        assert (f["face"] == 0).sum() == 72 and f["frame"].is_unique, name


def test_a_hand_over_the_mouth_of_a_still_is_a_cover(shared_data: Path, tmp_path: Path) -> None:
    """A photo (the Pexels frame at 3.0 s): the hand hides the lips, so 72, lower codes blank."""
    from PIL import Image

    from facs.face import decode_frames
    from facs.face._hands import hands_unavailable

    if hands_unavailable() is not None:
        pytest.skip(f"no hand models: {hands_unavailable()}")
    clip = shared_data / "real" / "WolfgangLanger_Pexels.mp4"
    image = next(f.image for f in decode_frames(clip, start=3.0, end=3.15))
    Image.fromarray(image).save(tmp_path / "hand.jpg", quality=95)
    frames = facs.code(tmp_path / "hand.jpg", max_faces=1).frames
    row = frames.iloc[0]
    assert row["covered_lower"] == 1 and row["covered_brows"] == 0
    assert "72" in str(row["code"]) and np.isnan(row["AU12"])
    assert np.isfinite(row["AU01"])  # the brows are seen and scored


def test_raised_brows_are_one_event_and_never_covered(tmp_path: Path) -> None:
    """The README demo's surprise: raised brows change the colour over them as a cover
    would, but the whole rise and fall is the expression, so 1 and 2 are one event each
    (they were three, split by one- and two-frame slivers of 70 at the C+ span's edges)."""
    from facs import ModelError
    from facs.face import locate_model
    from facs.synth import animate

    try:
        locate_model()
    except ModelError as err:
        pytest.skip(str(err))
    clip = animate("0 -> 6+12D -> 0 -> 1+2+5B+26 -> 0", tmp_path / "demo.mp4")
    coding = facs.code(clip)
    assert not coding.frames["covered_brows"].any()
    counts = coding.events["code"].value_counts()
    for n in ("1", "2"):  # both sides together, or each side once
        found = {c: int(counts.get(c, 0)) for c in (n, f"L{n}", f"R{n}") if c in counts}
        assert found and set(found.values()) == {1}, coding.events[["code", "onset_s"]]
