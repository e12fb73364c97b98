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
        (["coded", "--to", "csv", "-o", "x.csv", "--fps", "0"], "--fps must be positive"),
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
