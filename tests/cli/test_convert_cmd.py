"""Tests for ``facs convert``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from facs.cli import app

runner = CliRunner()


def test_facs_to_livelink_and_back(coded: Path, tmp_path: Path) -> None:
    ll = tmp_path / "take.csv"
    result = runner.invoke(app, ["convert", str(coded), "--to", "livelink", "-o", str(ll)])
    assert result.exit_code == 0, result.output
    assert "→" in result.stdout and "note:" in result.stderr  # what the rig cannot express
    header = ll.read_text().splitlines()[0].split(",")
    assert header[:2] == ["Timecode", "BlendShapeCount"] and "MouthSmileLeft" in header
    back = tmp_path / "back"
    result = runner.invoke(app, ["convert", str(ll), "--from", "livelink", "--to", "facs",
                                 "-o", str(back)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (back / "timeline.png").exists()
    assert pd.read_csv(back / "frames.csv")["AU12_L"].max() > 3


def test_events_to_eaf_json_report(coded: Path, tmp_path: Path) -> None:
    eaf = tmp_path / "take.eaf"
    result = runner.invoke(
        app, ["convert", str(coded / "events.csv"), "--to", "eaf", "-o", str(eaf), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["from"] == "facs" and report["to"] == "eaf" and report["events"] > 0
    assert eaf.read_text().startswith("<?xml")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["missing.csv", "--to", "csv", "-o", "x.csv"], "no such file"),
        (["junk.csv", "--to", "csv", "-o", "x.csv"], "cannot tell the format"),
        (["junk.csv", "--from", "arkit", "--to", "facs", "-o", "x.csv"], ""),
        (["coded", "--to", "eaf", "-o", "x.txt"], ".eaf suffix"),
        (["coded", "--to", "csv", "-o", "x.csv", "--fps", "0"], "--fps must be a positive"),
        (["coded", "--to", "csv", "-o", "x.csv", "--fps", "nan"], "--fps must be a positive"),
        (["0 -> 12 -> 0", "--to", "csv", "-o", "x.csv", "--fps", "1e6"], "--fps must be at most"),
        (["coded", "--to", "csv", "-o", "x.csv", "--media", "a.mp4"], "needs --to eaf"),
        (["junk.csv", "--to", "csv", "-o", "junk.csv"], "junk.csv is the input"),
        (["coded", "--to", "facs", "-o", "coded"], "coded is the input"),
    ],
)
def test_bad_input_is_one_red_line(
    coded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], fragment: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "junk.csv").write_text("a,b\n1,2\n")
    result = runner.invoke(app, ["convert", *args])
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and fragment in lines[0]
    assert "Traceback" not in result.output


def test_a_facs_frames_table_is_converted_as_it_stands(tmp_path: Path) -> None:
    # it was smoothed once by facs code: each conversion smoothed it again
    header = "frame,time_s,face,success,confidence,yaw,pitch,roll,AU01,AU12"
    rows = ["0,0,0,1,1,0,0,0,1,2", "1,0.033,0,1,1,0,0,0,2,3", "2,0.067,0,1,1,0,0,0,1,2"]
    (tmp_path / "in.csv").write_text("\n".join([header, *rows]) + "\n")
    result = runner.invoke(app, ["convert", str(tmp_path / "in.csv"), "--to", "csv",
                                 "-o", str(tmp_path / "out.csv")])  # fmt: skip
    assert result.exit_code == 0, result.output
    out = pd.read_csv(tmp_path / "out.csv")
    assert out["AU01"].tolist() == [1.0, 2.0, 1.0] and out["AU12"].tolist() == [2.0, 3.0, 2.0]


def test_a_code_or_timed_list_becomes_rig_curves(tmp_path: Path) -> None:
    """facs convert "6+12D" --to livelink|arkit|metahuman writes the curves (issue 17)."""
    import pandas as pd

    from facs.rigs import read_livelink

    ll = tmp_path / "smile.csv"
    done = runner.invoke(app, ["convert", "6+12D", "--to", "livelink", "-o", str(ll)])
    assert done.exit_code == 0, done.output
    weights = read_livelink(ll, None)
    assert weights["mouthSmileLeft"].max() > 0.5 and weights["cheekSquintLeft"].max() > 0.2
    assert weights["browInnerUp"].max() == 0
    seq = tmp_path / "seq.csv"
    done = runner.invoke(app, ["convert", "0 -> 6+12D@1.5 -> 1+2+5B+26 -> 0", "--to", "arkit",
                               "-o", str(seq), "--fps", "10"])  # fmt: skip
    assert done.exit_code == 0, done.output
    table = pd.read_csv(seq)
    smile = table["mouthSmileLeft"].to_numpy()
    jaw = table["jawOpen"].to_numpy()
    assert smile.argmax() < jaw.argmax() and smile[0] == jaw[-1] == 0  # in order, back to 0
    mh = tmp_path / "mh.csv"
    assert (
        runner.invoke(app, ["convert", "L12C", "--to", "metahuman", "-o", str(mh)]).exit_code == 0
    )
    bad = runner.invoke(app, ["convert", "12 c", "--to", "arkit", "-o", str(tmp_path / "x.csv")])
    assert bad.exit_code == 2 and "did you mean 12C?" in bad.output


def test_outputs_the_file_system_refuses_are_one_error_line(coded: Path, tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("keep")
    result = runner.invoke(app, ["convert", str(coded), "--to", "facs", "-o", str(afile)])
    assert result.exit_code == 2 and "a file is there" in result.stderr, result.output
    assert afile.read_text() == "keep"
    folder = tmp_path / "ll.csv"
    folder.mkdir()
    result = runner.invoke(app, ["convert", str(coded), "--to", "livelink", "-o", str(folder)])
    assert result.exit_code == 2 and "it is a folder" in result.stderr, result.output
    assert "Traceback" not in result.output
