"""Tests for ``facs code`` on the command line (needs ../shared/data)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from facs.cli import app
from facs.series import FRAME_COLUMNS

pytestmark = pytest.mark.slow
runner = CliRunner()


def _facs(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "facs", *args], capture_output=True, text=True,
                          check=False)  # fmt: skip


def test_code_writes_every_output(shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    src = shared_data / "real" / "single_face.mp4"
    result = _facs("code", str(src), "-o", str(out), "--format", "parquet", "--raw")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "W0000" not in result.stderr
    for name in ("frames.csv", "events.csv", "summary.json", "timeline.png", "frames.parquet",
                 "events.parquet"):  # fmt: skip
        assert (out / name).stat().st_size > 0, name
    frames = pd.read_csv(out / "frames.csv")
    assert list(frames.columns[: len(FRAME_COLUMNS)]) == list(FRAME_COLUMNS)
    assert {"mouthSmileLeft", "lm477_z", "code"} <= set(frames.columns)
    events = pd.read_csv(out / "events.csv")
    assert list(events.columns[:8]) == ["face", "code", "side", "onset_s", "apex_s", "offset_s",
                                        "peak", "letter"]  # fmt: skip
    summary = json.loads((out / "summary.json").read_text())
    assert summary["frames"] == 72 and summary["faces"] == 1
    assert not (out / ".facs-work").exists()

    again = _facs("code", str(src), "-o", str(out))
    assert again.returncode == 0 and "already coded" in again.stdout
    before = (out / "summary.json").stat().st_mtime_ns
    forced = runner.invoke(app, ["code", str(src), "-o", str(out), "--force", "--quiet"])
    assert forced.exit_code == 0, forced.output
    assert (out / "summary.json").stat().st_mtime_ns != before


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda d: d / "missing.mp4", "no such file"),
        (lambda d: (d / "junk.mp4").write_text("not a video") and d / "junk.mp4", "not a readable"),
        (lambda d: (d / "empty.mov").write_bytes(b"") or d / "empty.mov", "empty"),
    ],
)
def test_bad_input_one_line_exit_2(tmp_path: Path, make, fragment: str) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path)
    result = _facs("code", str(path), "-o", str(tmp_path / "o"))
    assert result.returncode == 2
    lines = [ln for ln in result.stderr.splitlines() if ln.strip() and "coding" not in ln]
    assert len(lines) == 1 and lines[0].startswith("error:") and fragment in lines[0], result.stderr
    assert not (tmp_path / "o" / "frames.csv").exists()


def test_bad_options_exit_2(shared_data: Path, tmp_path: Path) -> None:
    src = str(shared_data / "real" / "single_face.mp4")
    for args in (["--neutral", "3-1"], ["--neutral", "abc"], ["--workers", "0"]):
        result = runner.invoke(app, ["code", src, "-o", str(tmp_path), "--quiet", *args])
        assert result.exit_code == 2, (args, result.output)


def test_no_face_is_not_an_error(shared_data: Path, tmp_path: Path) -> None:
    result = _facs("code", str(shared_data / "real" / "no_face.mp4"), "-o", str(tmp_path))
    assert result.returncode == 0
    assert "no face found" in result.stderr
    frames = pd.read_csv(tmp_path / "frames.csv")
    assert (frames["success"] == 0).all()
