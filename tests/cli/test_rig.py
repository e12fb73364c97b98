"""``facs rig audit`` and ``facs rig scanlist``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from facs.au._calibration import read_script
from facs.cli import app

runner = CliRunner()


def test_audit_table() -> None:
    result = runner.invoke(app, ["rig", "audit", "arkit"])
    assert result.exit_code == 0, result.output
    assert "mouthSmileLeft" in result.output
    assert "cannot express" in result.output
    assert "need a corrective shape" in result.output


def test_audit_json_user_file(tmp_path: Path) -> None:
    path = tmp_path / "shapes.txt"
    path.write_text("JawOpen\nMouthSmileLeft\nMouthSmileRight\nsmirk\n")
    result = runner.invoke(app, ["rig", "audit", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["preset"] == "arkit" and data["shapes"]["unknown"] == ["smirk"]
    assert "26" not in data["cannot_express"] and "1" in data["cannot_express"]


def test_audit_errors(tmp_path: Path) -> None:
    result = runner.invoke(app, ["rig", "audit", "gopro"])
    assert result.exit_code == 2
    assert "unknown rig 'gopro'" in result.output
    empty = tmp_path / "empty.txt"
    empty.write_text("\n")
    result = runner.invoke(app, ["rig", "audit", str(empty)])
    assert result.exit_code == 2 and "no shape names" in result.output
    assert "Traceback" not in result.output


def test_scanlist_stdout_and_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["rig", "scanlist"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == [
        "start,end,code,group,label",
        '0,3,0,neutral,"neutral, relaxed face"',
    ]
    out = tmp_path / "poses.csv"
    result = runner.invoke(
        app, ["rig", "scanlist", "--rig", "meta", "-o", str(out), "--intensity", "none"]
    )
    assert result.exit_code == 0, result.output
    rows = read_script(out)
    assert any(str(r.code) == "23" for r in rows)
    bad = runner.invoke(app, ["rig", "scanlist", "--intensity", "Z"])
    assert bad.exit_code == 2


def test_bad_holds_and_gaps_name_their_flag(tmp_path: Path) -> None:
    for args, says in (
        (["--hold", "0"], "--hold must be a number of seconds above 0"),
        (["--hold", "1e308"], "at most 600, got 1e+308"),  # wrote inf into the CSV
        (["--gap", "-5"], "--gap must be a number of seconds from 0 to 600, got -5"),
    ):
        result = runner.invoke(app, ["rig", "scanlist", *args, "-o", str(tmp_path / "s.csv")])
        assert result.exit_code == 2 and says in result.output, result.output
    assert not (tmp_path / "s.csv").exists()
