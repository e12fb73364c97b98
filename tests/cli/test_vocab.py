"""Tests for the vocabulary commands (explain, lookup, list, suggest)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from facs.cli import app

runner = CliRunner()


def test_explain_table() -> None:
    result = runner.invoke(app, ["explain", "1+2+5B+26"])
    assert result.exit_code == 0, result.output
    assert "Inner brow raiser" in result.output
    assert "frontalis" in result.output
    assert "surprise" in result.output


def test_explain_json_schema() -> None:
    result = runner.invoke(app, ["explain", "L12B + R2C+26", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["code"] == "R2C+L12B+26"
    first = data["actions"][0]
    assert {k: first[k] for k in ("number", "kind", "name", "intensity", "side")} == {
        "number": 2, "kind": "AU", "name": "Outer brow raiser", "intensity": "C", "side": "R",
    }  # fmt: skip
    assert data["actions"][2]["intensity"] is None and data["actions"][2]["side"] is None
    assert isinstance(data["warnings"], list) and all(isinstance(w, str) for w in data["warnings"])
    for m in data["emotions"]:
        assert m["type"] in ("prototype", "variant") and m["match"] in ("full", "partial")
        assert isinstance(m["emotion"], str)


def test_explain_json_emotions_full() -> None:
    data = json.loads(runner.invoke(app, ["explain", "6+12", "--json"]).stdout)
    assert data["emotions"][0] == {**data["emotions"][0], "emotion": "happiness", "match": "full"}


@pytest.mark.parametrize("bad", ["3", "1++2", "12P", "Q12A", "", "1+3+", "70B", "L17", "12B+12C"])
def test_explain_invalid_exits_2_with_one_line(bad: str) -> None:
    result = runner.invoke(app, ["explain", bad])
    assert result.exit_code == 2
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:")
    assert "Traceback" not in result.output


def test_explain_neutral() -> None:
    result = runner.invoke(app, ["explain", "0"])
    assert result.exit_code == 0 and "neutral" in result.output


def test_lookup_and_list() -> None:
    result = runner.invoke(app, ["lookup", "dimpler"])
    assert result.exit_code == 0 and "AU14" in result.output and "buccinator" in result.output
    assert runner.invoke(app, ["lookup", "AD19"]).exit_code == 0
    assert runner.invoke(app, ["lookup", "zzzz"]).exit_code == 2
    result = runner.invoke(app, ["list", "--kind", "head", "--json"])
    assert [e["number"] for e in json.loads(result.stdout)][:8] == list(range(51, 59))
    result = runner.invoke(app, ["list", "--region", "brows"])
    assert result.exit_code == 0 and "Brow lowerer" in result.output
    assert runner.invoke(app, ["list", "--kind", "bogus"]).exit_code == 2


def test_suggest() -> None:
    result = runner.invoke(app, ["suggest", "surprise"])
    assert result.exit_code == 0 and "1+2+5B+26" in result.output
    data = json.loads(runner.invoke(app, ["suggest", "happy", "--json"]).stdout)
    assert any(p["code"] == "6+12" for p in data)
    assert runner.invoke(app, ["suggest", "boredom"]).exit_code == 2


def test_console_script_end_to_end() -> None:
    """The installed entry point: valid code exits 0, invalid exits 2 without traceback."""
    ok = subprocess.run(
        [sys.executable, "-m", "facs", "explain", "4+5+7+23", "--json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["code"] == "4+5+7+23"
    bad = subprocess.run(
        [sys.executable, "-m", "facs", "explain", "1+99"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "99" in bad.stderr and "Traceback" not in bad.stderr


def test_explain_refuses_a_huge_code_without_a_traceback() -> None:
    result = runner.invoke(app, ["explain", "L" + " " * 20_000 + "x"])
    assert result.exit_code != 0 and "too long" in result.output
    assert "Traceback" not in result.output


def test_malformed_codes_suggest_the_fix_and_json_errors_are_json() -> None:
    spaced = runner.invoke(app, ["explain", "43 45"])
    assert spaced.exit_code == 2 and "did you mean 43+45?" in spaced.output
    letter = runner.invoke(app, ["explain", "6+12 c"])
    assert "did you mean 6+12C?" in letter.output
    as_json = runner.invoke(app, ["explain", "12 c", "--json"])
    assert as_json.exit_code == 2
    report = json.loads(as_json.stdout)
    assert report["code"] == "12 c" and report["token"] == "12 c" and report["position"] == 0
    assert "did you mean 12C?" in report["error"]
    assert json.loads(runner.invoke(app, ["lookup", "99", "--json"]).stdout)["error"]


def test_suggest_cites_sources_and_marks_the_recommended_prototype() -> None:
    out = runner.invoke(app, ["suggest", "happy"]).output
    assert "★" in out and "Ekman et al. 2002" in out and "Du et al. 2014" in out
    assert "S1" not in out and "_raw.csv" not in out
    assert "Compound facial expressions of emotion" in out.replace("\n", " ")
    doc = json.loads(runner.invoke(app, ["suggest", "happy", "--json"]).stdout)
    assert doc[0]["recommended"] and not any(d["recommended"] for d in doc[1:])
    assert doc[0]["code"] == "6+12" and "Investigator's Guide" in doc[0]["citation"]
    hint = runner.invoke(app, ["lookup", "happy"])
    assert hint.exit_code == 2 and "facs suggest happiness" in hint.output


def test_lookup_of_a_code_outside_adult_facs_says_what_it_is() -> None:
    result = runner.invoke(app, ["lookup", "3"])
    assert result.exit_code == 2
    assert "nothing in the catalogue matches '3': unknown code 3 (AU3 is Baby FACS" in result.stderr
    plain = runner.invoke(app, ["lookup", "xyz"])
    assert (
        plain.exit_code == 2
        and plain.stderr.strip() == "error: nothing in the catalogue matches 'xyz'"
    )


@pytest.mark.parametrize(("query", "label"), [("R12", "AU12"), ("12C", "AU12"), ("AU4B", "AU4"),
                                              ("AD19B", "AD19")])  # fmt: skip
def test_lookup_of_a_scored_item_finds_its_code(query: str, label: str) -> None:
    import json

    result = runner.invoke(app, ["lookup", query, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["label"] == label
