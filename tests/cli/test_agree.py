"""Tests for ``facs agree`` on the command line (events and frames from the timeline)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from facs.cli import app
from facs.formats import empty_events, write_events, write_frames
from facs.reliability import STATISTICS
from facs.series import FRAME_COLUMNS
from facs.timeline import process

runner = CliRunner()


def _frames(spans: dict[str, tuple[float, float, float]], seed: int) -> pd.DataFrame:
    """Ten seconds at 30 fps; each code held at a level over (start, end) seconds, with noise."""
    rng = np.random.default_rng(seed)
    n = 300
    t = np.arange(n) / 30
    table = pd.DataFrame(0.0, index=range(n), columns=FRAME_COLUMNS)
    table = table.assign(frame=range(n), time_s=t, face=0, success=1)
    for col, (start, end, level) in spans.items():
        on = (t >= start) & (t <= end)
        table[col] = np.where(on, np.clip(level + rng.normal(0, 0.3, n), 0.6, 5), 0.0)
        if f"{col}_L" in table.columns:
            table[f"{col}_L"] = table[f"{col}_R"] = table[col]
    return table


@pytest.fixture(scope="module")
def coded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two coders' events and frames, and a machine's frames, written by the timeline."""
    folder = tmp_path_factory.mktemp("agree")
    ann = _frames({"AU12": (1.0, 3.0, 3), "AU06": (1.2, 2.8, 2), "AU25": (5, 6.5, 2)}, 1)
    bob = _frames({"AU12": (1.1, 3.1, 4), "AU06": (1.3, 2.9, 2), "AU04": (7, 8, 3)}, 2)
    machine = _frames({"AU12": (1.0, 3.2, 3), "AU06": (4.0, 4.5, 2), "AU25": (5, 6.4, 2)}, 3)
    paths: dict[str, Path] = {}
    for name, table in (("ann", ann), ("bob", bob), ("machine", machine)):
        frames, events = process(table)
        paths[name] = write_events(events, folder / f"{name}.csv")
        paths[f"{name}_frames"] = write_frames(frames, folder / f"{name}_frames.csv")
    return paths


def test_table_output(coded: dict[str, Path]) -> None:
    result = runner.invoke(app, ["agree", str(coded["ann"]), str(coded["bob"])])
    assert result.exit_code == 0, result.output
    for text in ("AU12", "AU06", "AU25", "AU04", "overall", "n ann", "n bob", "AI", "ICC"):
        assert text in result.output
    assert "Cohen" in result.output and "matched within 0.5 s" in result.output


def test_json_document(coded: dict[str, Path]) -> None:
    result = runner.invoke(
        app,
        ["agree", str(coded["ann"]), str(coded["bob"]), str(coded["machine"]), "--json",
         "--names", "ann,bob,machine", "--tolerance", "0.3"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["kind"] == "events" and doc["coders"] == ["ann", "bob", "machine"]
    assert doc["tolerance_s"] == 0.3 and doc["reference"] == "ann"
    assert {"overall", "per_code"} <= set(doc)
    assert {"AU12", "AU06", "AU25", "AU04"} <= set(doc["per_code"])
    for entry in [doc["overall"], *doc["per_code"].values()]:
        assert set(STATISTICS) <= set(entry)
        assert set(entry["n"]) == {"ann", "bob", "machine"}
        for key in STATISTICS:
            assert entry[key] is None or isinstance(entry[key], float)
    assert doc["per_code"]["AU12"]["agreement_index"] == 1.0
    assert doc["per_code"]["AU04"]["icc"] is None  # scored by bob only
    assert doc["per_code"]["AU04"]["n"] == {"ann": 0, "bob": 1, "machine": 0}


def test_frames_and_codes_and_output_file(coded: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "report" / "agree.json"
    result = runner.invoke(
        app,
        ["agree", str(coded["ann_frames"]), str(coded["machine_frames"]), "--codes", "12,L12,6",
         "--threshold", "0.5", "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "frames aligned by frame" in result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["kind"] == "frames" and doc["threshold"] == 0.5
    assert list(doc["per_code"]) == ["AU06", "AU06_L", "AU06_R", "AU12", "AU12_L", "AU12_R"]
    assert doc["per_code"]["AU12"]["kappa"] > 0.8
    assert not list(tmp_path.glob("report/.*tmp*"))  # written atomically, nothing left over


def test_mixed_events_and_frames(coded: dict[str, Path]) -> None:
    result = runner.invoke(
        app, ["agree", str(coded["ann"]), str(coded["machine_frames"]), "--json", "--merge-sides"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["converted"] == ["machine_frames"] and doc["merge_sides"] is True
    assert doc["per_code"]["AU12"]["agreement_index"] == 1.0


def _one_error(result: object) -> str:
    exit_code = result.exit_code  # type: ignore[attr-defined]
    stderr: str = result.stderr  # type: ignore[attr-defined]
    assert exit_code == 2, stderr
    assert "Traceback" not in stderr and "Traceback" not in result.output  # type: ignore[attr-defined]
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), stderr
    return lines[0]


def test_errors_exit_2(coded: dict[str, Path], tmp_path: Path) -> None:
    ann = str(coded["ann"])
    assert "at least two" in _one_error(runner.invoke(app, ["agree", ann]))
    missing = _one_error(runner.invoke(app, ["agree", ann, str(tmp_path / "nope.csv")]))
    assert "nope.csv" in missing and "no such file" in missing
    bad_codes = _one_error(runner.invoke(app, ["agree", ann, ann, "--codes", "12,99"]))
    assert "99" in bad_codes
    names = _one_error(runner.invoke(app, ["agree", ann, ann, "--names", "solo"]))
    assert "names" in names
    assert "differ" in _one_error(runner.invoke(app, ["agree", ann, ann, "--names", "a,a"]))
    other = tmp_path / "other.csv"
    other.write_text("x,y\n1,2\n", encoding="utf-8")
    assert "other.csv is neither" in _one_error(runner.invoke(app, ["agree", ann, str(other)]))
    unknown = tmp_path / "unknown.csv"
    frames = pd.read_csv(coded["ann_frames"]).rename(columns={"AU12": "AU99"})
    frames.to_csv(unknown, index=False)
    assert "AU99" in _one_error(runner.invoke(app, ["agree", str(unknown), ann]))
    empty_a, empty_b = tmp_path / "a.csv", tmp_path / "b.csv"
    write_events(empty_events(), empty_a)
    write_events(empty_events(), empty_b)
    assert "no events" in _one_error(runner.invoke(app, ["agree", str(empty_a), str(empty_b)]))
    blank = tmp_path / "blank.csv"
    blank.write_text("", encoding="utf-8")
    assert "empty" in _one_error(runner.invoke(app, ["agree", ann, str(blank)]))
    span = _one_error(runner.invoke(app, ["agree", ann, ann, "--span", "ten"]))
    assert "--span" in span
    both_frames = [str(coded["ann_frames"]), str(coded["bob_frames"])]
    no_column = _one_error(runner.invoke(app, ["agree", *both_frames, "--codes", "11"]))
    assert "no column AU11" in no_column
    for flag, value in (("--tolerance", "-1"), ("--bin", "0")):
        assert _one_error(runner.invoke(app, ["agree", ann, ann, flag, value])).startswith(
            f"error: {flag} must be"
        )
    three = _one_error(runner.invoke(app, ["agree", *both_frames, "--threshold", "9"]))
    assert three.startswith("error: --threshold must be within 0–5")
    (tmp_path / "empty").mkdir()
    assert "without events.csv or frames.csv" in _one_error(
        runner.invoke(app, ["agree", ann, str(tmp_path / "empty")])
    )


def test_the_report_never_overwrites_an_input(coded: dict[str, Path], tmp_path: Path) -> None:
    ann = tmp_path / "ann.csv"
    ann.write_bytes(coded["ann"].read_bytes())
    before = ann.read_bytes()
    result = runner.invoke(app, ["agree", str(ann), str(coded["bob"]), "-o", str(ann)])
    assert result.exit_code == 2 and "is an input of this command" in result.output
    assert ann.read_bytes() == before  # it was replaced by the JSON report, exit 0


def test_a_span_past_ten_days_names_the_flag(coded: dict[str, Path]) -> None:
    args = ["agree", str(coded["ann"]), str(coded["bob"]), "--span", "0-100000000"]
    result = runner.invoke(app, args)  # blamed "an event at 1e+08 s"
    assert result.exit_code == 2 and "--span: 0-100000000 ends after 10 days" in result.output


def test_names_are_printed_as_typed_not_as_markup(coded: dict[str, Path]) -> None:
    args = ["agree", str(coded["ann"]), str(coded["bob"]), "--names", "[red]x,[/]y"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output  # was a MarkupError traceback
    assert "n [red]x" in result.output and "[/]y" in result.output


def test_an_elan_file_and_a_coding_folder_are_codings(
    coded: dict[str, Path], tmp_path: Path
) -> None:
    from facs.formats import read_events, write_eaf

    eaf = write_eaf(read_events(coded["bob"]), tmp_path / "bob.eaf")
    folder = tmp_path / "ann"
    folder.mkdir()
    (folder / "events.csv").write_bytes(coded["ann"].read_bytes())
    same = runner.invoke(app, ["agree", str(coded["bob"]), str(eaf), "--json"])
    assert same.exit_code == 0, same.output
    assert json.loads(same.stdout)["overall"]["agreement_index"] == 1.0
    both = runner.invoke(app, ["agree", str(folder), str(eaf), "--json"])
    assert both.exit_code == 0, both.output
    expected = runner.invoke(app, ["agree", str(coded["ann"]), str(coded["bob"]), "--json"])
    assert json.loads(both.stdout)["overall"] == json.loads(expected.stdout)["overall"]


def test_options_of_the_other_kind_are_errors(coded: dict[str, Path]) -> None:
    ann, bob = str(coded["ann"]), str(coded["bob"])
    both_frames = [str(coded["ann_frames"]), str(coded["bob_frames"])]
    threshold = _one_error(runner.invoke(app, ["agree", ann, bob, "--threshold", "0.5"]))
    assert "--threshold applies to frames tables, not events" in threshold
    align = _one_error(runner.invoke(app, ["agree", ann, both_frames[0], "--align", "auto"]))
    assert "--align applies to frames tables, not events" in align  # typed, even at its default
    tolerance = _one_error(runner.invoke(app, ["agree", *both_frames, "--tolerance", "0.5"]))
    assert "--tolerance applies to events tables, not frames" in tolerance
    bins = _one_error(runner.invoke(app, ["agree", *both_frames, "--bin", "1", "--span", "0-5"]))
    assert "--bin, --span apply to events tables, not frames" in bins
    # The options left at their default are not passed: every kind runs with them.
    assert runner.invoke(app, ["agree", *both_frames, "--weights", "quadratic"]).exit_code == 0
    assert runner.invoke(app, ["agree", ann, bob, "--merge-sides"]).exit_code == 0


def test_an_undefined_kappa_is_explained(tmp_path: Path) -> None:
    # one event each, the same: it fills every bin of the span the events make, so κ is "–"
    events = empty_events()
    events.loc[0] = {"face": 0, "code": "12", "side": "", "onset_s": 1.0, "apex_s": 1.5,
                     "offset_s": 2.0, "peak": 3.0, "letter": "C"}  # fmt: skip
    path = write_events(events, tmp_path / "a.csv")
    alone = runner.invoke(app, ["agree", str(path), str(path)], terminal_width=200)
    assert alone.exit_code == 0, alone.output
    assert "fills every bin of the span, or no bin; --span START-END" in alone.output
    spanned = runner.invoke(app, ["agree", str(path), str(path), "--span", "0-10"],
                            terminal_width=200)  # fmt: skip
    assert spanned.exit_code == 0 and "κ –" not in spanned.output
