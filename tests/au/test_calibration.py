"""Tests for actor calibration: scripts, targets, fitting, actor files, the CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from facs import InputError
from facs.au import (
    Actor,
    apply_actor,
    fit_actor,
    load_estimator,
    read_actor,
    read_script,
    script_targets,
    write_actor,
)
from facs.notation import Code


def _script(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rom.csv"
    path.write_text(text)
    return path


def test_read_script(tmp_path: Path) -> None:
    rows = read_script(_script(tmp_path, "start,end,code\n0,1,0\n1,2.5,12C\n0:03,0:04.5,L12+25\n"))
    assert [str(r.code) for r in rows] == ["0", "12C", "L12+25"]
    assert rows[2].start == 3.0 and rows[2].end == 4.5 and rows[1].line == 3


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("start,end\n0,1\n", "missing column(s) code"),
        ("start,end,code\n0,1,12P\n", "line 2"),
        ("start,end,code\n2,1,12\n", "end must be after start"),
        ("start,end,code\nx,1,12\n", "line 2, column start: bad time 'x'"),
        ("start,end,code\n0,-1,12\n", "line 2, column end: bad time '-1': times are finite"),
        ("start,end,code\n", "no rows"),
        ("start,end,code,code\n0,0.5,0,0\n0.5,2.4,12,4\n", "column code appears twice"),
        ("start,end_s,end,code\n0,1,1,12\n", "column end appears twice"),
        ("start,end,code\n0,2.4,0\n0,2.4,12\n", "line 2: the neutral span 0–2.4 s overlaps line 3"),
        ("start,end,code\n0,2.4,0\n", "neutral (0) rows only: nothing to calibrate"),
    ],
)
def test_bad_scripts(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        read_script(_script(tmp_path, text))
    with pytest.raises(InputError, match="no such script"):
        read_script(tmp_path / "missing.csv")
    with pytest.raises(InputError, match="a folder, not a script file"):
        read_script(tmp_path)


def test_a_utf16_script_reads(tmp_path: Path) -> None:
    path = tmp_path / "rom.csv"
    path.write_text("start,end,code\n0,1,0\n1,2,12\n", encoding="utf-16")
    assert [str(r.code) for r in read_script(path)] == ["0", "12"]


def test_script_targets_follow_the_generic_time_course() -> None:
    outputs = ("AU12_L", "AU12_R", "AU26", "AU43_L", "AU43_R")
    t = np.arange(30) / 10
    generic = np.zeros((30, 5))
    generic[10:20, 0] = generic[10:20, 1] = np.hanning(10) * 2
    from facs.au import ScriptRow

    rows = [ScriptRow(1.0, 1.95, Code.parse("12E"), 2), ScriptRow(2.0, 2.9, Code.parse("L46"), 3)]
    targets, used, notes = script_targets(rows, t, generic, outputs)
    assert used[10:29].all() and not used[:10].any()
    assert targets[10:20, 0].max() == pytest.approx(5.0)
    assert np.argmax(targets[10:20, 0]) == np.argmax(generic[10:20, 0])
    assert targets[20:29, 3].max() == pytest.approx(3.0) and targets[20:29, 4].max() == 0
    assert targets[:, 2].max() == 0 and notes == []


def test_fit_apply_and_round_trip(tmp_path: Path) -> None:
    est = load_estimator()
    rng = np.random.default_rng(0)
    n = 120
    aligned = np.repeat(est.population.shape[None], n, axis=0) + rng.normal(0, 1e-3, (n, 478, 3))
    bs = np.repeat(est.population.blendshapes[None], n, axis=0)
    from facs.au import ScriptRow

    rows = [ScriptRow(0.0, 1.0, Code(), 2), ScriptRow(1.0, 3.9, Code.parse("12C"), 3)]
    actor = fit_actor(estimator=est, aligned=aligned.astype(np.float32), blendshapes=bs,
                      pose=np.zeros((n, 3)), size=np.full(n, 90.0), time_s=np.arange(n) / 30,
                      rows=rows, name="test")  # fmt: skip
    assert actor.neutral.kind == "actor" and actor.info["neutral_from"] == "script 0 spans"
    assert actor.gain.shape == (len(est.model.outputs),)
    path = write_actor(actor, tmp_path / "actor.json")
    back = read_actor(path)
    assert isinstance(back, Actor) and back.name == "test"
    assert np.allclose(back.gain, actor.gain) and np.allclose(
        back.neutral.shape, actor.neutral.shape, atol=1e-5
    )
    calibrated = apply_actor(est, back)
    assert calibrated.model.correction is not None
    broken = json.loads(path.read_text())
    broken["outputs"] = broken["outputs"][:-1]
    (tmp_path / "old.json").write_text(json.dumps(broken))
    with pytest.raises(InputError, match="another estimator version"):
        apply_actor(est, read_actor(tmp_path / "old.json"))
    (tmp_path / "junk.json").write_text("{}")
    with pytest.raises(InputError, match="not a facs actor file"):
        read_actor(tmp_path / "junk.json")
    # Script rows past the take: left out with a note, or an error when no action is left.
    take = {"estimator": est, "aligned": aligned.astype(np.float32), "blendshapes": bs,
            "pose": np.zeros((n, 3)), "size": np.full(n, 90.0),
            "time_s": np.arange(n) / 30}  # fmt: skip
    late = ScriptRow(5.0, 9.0, Code.parse("4"), 4)
    noted = fit_actor(**take, rows=[*rows, late])
    assert "line 4 (5–9 s, 4)" in noted.info["notes"][0] and "AU04_L" not in noted.info["exercised"]
    with pytest.raises(InputError, match="no scripted action falls within the take: line 4"):
        fit_actor(**take, rows=[rows[0], late])


def _still_take_actor(rows: list, n: int) -> Actor:
    """An actor fitted on ``n`` frames of the population's neutral face, 30 fps."""
    est = load_estimator()
    aligned = np.repeat(est.population.shape[None], n, axis=0).astype(np.float32)
    bs = np.repeat(est.population.blendshapes[None], n, axis=0)
    return fit_actor(estimator=est, aligned=aligned, blendshapes=bs, pose=np.zeros((n, 3)),
                     size=np.full(n, 90.0), time_s=np.arange(n) / 30, rows=rows)  # fmt: skip


def _actor_file(tmp_path: Path) -> Path:
    from facs.au import ScriptRow

    rows = [ScriptRow(0.0, 0.9, Code(), 2), ScriptRow(1.0, 1.9, Code.parse("12C"), 3)]
    return write_actor(_still_take_actor(rows, 60), tmp_path / "actor.json")


def _edit(data: dict, edit: str) -> None:
    nan, inf = float("nan"), float("inf")
    neutral = data["neutral"]
    match edit:
        case "gain nan":
            data["gain"] = [nan] * len(data["gain"])
        case "gain -5":
            data["gain"][0] = -5.0
        case "offset inf":
            data["offset"][3] = inf
        case "shape cut":
            neutral["shape"] = neutral["shape"][:10]
        case "shape 2 columns":
            neutral["shape"] = [row[:2] for row in neutral["shape"]]
        case "blendshapes cut":
            neutral["blendshapes"] = neutral["blendshapes"][:3]
        case "blendshapes nan":
            neutral["blendshapes"][5] = nan
        case "pose empty":
            neutral["pose"] = []
        case "size 0":
            neutral["size"] = 0
        case "frames -7":
            neutral["frames"] = -7


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        ("gain nan", "gain[0] is nan, not within 0.5–2.5"),
        ("gain -5", "gain[0] is -5, not within 0.5–2.5"),
        ("offset inf", "offset holds a value that is not a finite number"),
        ("shape cut", "neutral.shape must be 478×3 numbers, got 10×3"),
        ("shape 2 columns", "neutral.shape must be 478×3 numbers, got 478×2"),
        ("blendshapes cut", "neutral.blendshapes must be 52 numbers, got 3"),
        ("blendshapes nan", "neutral.blendshapes holds a value that is not a finite number"),
        ("pose empty", "neutral.pose must be 3 numbers, got 0"),
        ("size 0", "neutral.size must be above 0, got 0"),
        ("frames -7", "neutral.frames must be at least 1, got -7"),
    ],
)
def test_a_damaged_actor_file_is_refused_before_any_work(
    tmp_path: Path, edit: str, fragment: str
) -> None:
    """Hand-edited actors coded on with exit 0 (NaN gains: blank AUs; inf: every AU at E) or
    crashed the estimator (a cut neutral)."""
    path = _actor_file(tmp_path)
    read_actor(path)  # as written: sound
    data = json.loads(path.read_text())
    _edit(data, edit)
    path.write_text(json.dumps(data))  # json writes NaN and Infinity as Python reads them
    with pytest.raises(InputError, match=re.escape(f"{path}: damaged actor file: {fragment}")):
        read_actor(path)


@pytest.mark.slow
def test_calibrate_cli_and_code_with_actor(shared_data: Path, tmp_path: Path) -> None:
    video = shared_data / "real" / "single_face.mp4"
    script = _script(tmp_path, "start,end,code\n0,0.5,0\n0.5,2.3,12\n")
    actor = tmp_path / "actor.json"
    run = subprocess.run([sys.executable, "-m", "facs", "calibrate", str(video), "--script",
                          str(script), "-o", str(actor), "--quiet"], capture_output=True, text=True,
                         check=False)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert read_actor(actor).name == "single_face"
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "facs", "code", str(video), "-o", str(out),
                          "--actor", str(actor), "--quiet"], capture_output=True, text=True,
                         check=False)  # fmt: skip
    assert run.returncode == 0, run.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["calibration"]["actor"]["name"] == "single_face"
    assert summary["per_face"]["0"]["baseline"]["kind"] == "actor"
    missing = str(tmp_path / "nope.csv")
    bad = subprocess.run(
        [sys.executable, "-m", "facs", "calibrate", str(video), "--script", missing],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and "no such script" in bad.stderr


def test_outputs_an_actor_leaves_uncorrected_keep_their_letter_stretch() -> None:
    est = load_estimator()
    model = est.model
    assert model.letter_gain is not None
    k = len(model.outputs)
    gain, offset = np.ones(k), np.zeros(k)
    gain[0], offset[0] = 2.0, -0.5
    corrected = replace(model, correction=(gain, offset))
    out = np.full((1, k), 3.0)
    assert corrected.stretch(out)[0, 0] == 3.0  # corrected: already on the actor's letters
    assert np.array_equal(corrected.stretch(out)[0, 1:], model.stretch(out)[0, 1:])


def test_calibrate_never_writes_over_its_inputs(shared_data: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from facs.cli import app

    script = _script(tmp_path, "start,end,code\n0,0.5,0\n0.5,2.3,12\n")
    before = script.read_bytes()
    video = shared_data / "real" / "single_face.mp4"
    for output, rom in ((script, str(video)), (tmp_path / "a.json", "")):
        args = ["calibrate", rom, "-s", str(script), "-o", str(output), "-q"]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, result.output
    assert script.read_bytes() == before  # was replaced by the actor's JSON, exit 0
    result = CliRunner().invoke(app, ["calibrate", str(video), "-s", str(script), "-o",
                                      str(script), "-q"])  # fmt: skip
    assert "is an input of this command" in result.output
    result = CliRunner().invoke(app, ["calibrate", str(video), "-s", str(script), "--workers",
                                      "0", "-o", str(tmp_path / "w.json"), "-q"])  # fmt: skip
    assert result.exit_code == 2 and "--workers must be a whole number of at least 1" in (
        result.output
    )


def test_a_short_neutral_and_a_row_past_the_take_are_noted() -> None:
    from facs.au import ScriptRow

    rows = [ScriptRow(0.0, 0.1, Code(), 2), ScriptRow(0.5, 2400.0, Code.parse("12C"), 3)]
    actor = _still_take_actor(rows, 120)
    notes = " ".join(actor.info["notes"])
    assert "line 3 ends at 2400 s, after the take's last frame with a face at 3.97 s" in notes
    assert "the neutral (0) spans hold 4 frames with a face" in notes
