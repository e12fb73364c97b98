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

    again = _facs("code", str(src), "-o", str(out), "--format", "parquet", "--raw")
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
    # --fps is for image folders: a video keeps its own rate, and the user is told.
    again = _facs("code", str(shared_data / "real" / "no_face.mp4"), "-o", str(tmp_path / "f"),
                  "--fps", "10", "--no-plot")  # fmt: skip
    assert again.returncode == 0 and "--fps is for a folder of images" in again.stderr


def test_outputs_are_one_set_made_with_these_settings(shared_data: Path, tmp_path: Path) -> None:
    """Other --start/--end recodes; a save cut short (no completion mark) is redone."""
    out = tmp_path / "out"
    src = shared_data / "real" / "single_face.mp4"
    first = _facs("code", str(src), "-o", str(out), "--start", "0", "--end", "1", "--no-plot")
    assert first.returncode == 0, first.stderr
    assert json.loads((out / "summary.json").read_text())["end_s"] == 1.0
    other = _facs("code", str(src), "-o", str(out), "--start", "1", "--end", "2", "--no-plot")
    assert other.returncode == 0 and "already coded" not in other.stdout
    assert json.loads((out / "summary.json").read_text())["start_s"] == 1.0
    # A --force run killed after frames.csv was replaced leaves no completion mark ...
    (out / ".facs-complete.json").unlink()
    (out / "frames.csv").write_text("frame,time_s\n")
    again = _facs("code", str(src), "-o", str(out), "--start", "1", "--end", "2", "--no-plot")
    assert again.returncode == 0 and "already coded" not in again.stdout  # ... so it is redone
    assert len(pd.read_csv(out / "frames.csv")) > 20


def test_a_damaged_chunk_is_redone_not_fatal(shared_data: Path, tmp_path: Path) -> None:
    from facs._chunks import _good_chunks, _perceive_part

    src = shared_data / "real" / "single_face.mp4"
    store = tmp_path / "store"
    store.mkdir()
    _perceive_part(str(src), str(store), 0, None, None, 1, None)
    chunks = sorted(store.glob("part0_*.npz"))
    assert chunks and (store / "part0.done").exists()
    chunks[0].write_bytes(chunks[0].read_bytes()[:100])  # cut short by a crash
    assert _good_chunks(store, 0) == [] and not (store / "part0.done").exists()
    _perceive_part(str(src), str(store), 0, None, None, 1, None)  # redone, no BadZipFile
    assert len(sorted(store.glob("part0_*.npz"))) == len(chunks)
    (store / "part0_00000.npz").write_bytes(b"")  # emptied by hand
    _perceive_part(str(src), str(store), 0, None, None, 1, None)
    assert (store / "part0_00000.npz").stat().st_size > 1000


def test_two_runs_on_one_output_folder_do_not_collide(shared_data: Path, tmp_path: Path) -> None:
    import fcntl

    out = tmp_path / "out"
    out.mkdir()
    with open(out / ".facs-lock", "a+") as held:  # another run holds the folder
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        second = _facs("code", str(shared_data / "real" / "single_face.jpg"), "-o", str(out))
    assert second.returncode != 0 and "another `facs code` is writing there" in second.stderr
    assert "Traceback" not in second.stderr and not (out / "frames.csv").exists()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--start", "-1"], "start must be a finite number of seconds >= 0"),
        (["--start", "2", "--end", "1"], "end must be after start"),
        (["--start", "nan"], "start must be a finite number"),
        (["--max-faces", "0"], "--max-faces must be an integer from 1 to 100"),
        (["--max-faces", "2147483648"], "--max-faces must be an integer from 1 to 100"),
        (["--start", "100"], "past the end of single_face.mp4"),
        (["--fps", "0"], "fps must be a positive number"),
    ],
)
def test_bad_arguments_are_one_line_exit_2(
    shared_data: Path, tmp_path: Path, args: list[str], says: str
) -> None:
    src = str(shared_data / "real" / "single_face.mp4")
    result = _facs("code", src, "-o", str(tmp_path / "out"), "-q", *args)
    assert result.returncode == 2, result.stderr
    assert says in result.stderr and "Traceback" not in result.stderr


def test_bad_outputs_and_tiny_images_are_one_line_exit_2(shared_data: Path, tmp_path: Path) -> None:
    from PIL import Image

    src = str(shared_data / "real" / "single_face.jpg")
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    read_only = tmp_path / "ro"
    read_only.mkdir()
    read_only.chmod(0o555)
    tiny = tmp_path / "one.png"
    Image.new("RGB", (1, 1)).save(tiny)  # MediaPipe's graph failed on it
    cases = [
        (["code", src, "-o", str(a_file)], "must be a folder"),
        (["code", src, "-o", str(read_only / "out")], "cannot write to"),
    ]
    tiny_run = _facs("code", str(tiny), "-o", str(tmp_path / "t"))  # no face, not a crash
    assert tiny_run.returncode == 0 and "no face found" in tiny_run.stderr, tiny_run.stderr
    for args, says in cases:
        result = _facs(*args)
        if "cannot write" in says and result.returncode == 0:  # running as root: writable
            continue
        assert result.returncode == 2 and says in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_no_hands_is_said_in_the_summary_and_recodes(shared_data: Path, tmp_path: Path) -> None:
    """--no-hands skips MediaPipe Hands (speed), says so, and is a setting of the outputs."""
    out = tmp_path / "out"
    src = shared_data / "real" / "single_face.mp4"
    plain = _facs("code", str(src), "-o", str(out), "--end", "1", "--no-plot", "--no-hands")
    assert plain.returncode == 0, plain.stderr
    hands = json.loads((out / "summary.json").read_text())["model"]["hands"]
    assert hands.startswith("not looked for: switched off")
    again = _facs("code", str(src), "-o", str(out), "--end", "1", "--no-plot")
    assert again.returncode == 0 and "already coded" not in again.stdout
    from facs.face._hands import hands_unavailable

    if hands_unavailable() is None:
        assert "MediaPipe Hands" in json.loads((out / "summary.json").read_text())["model"]["hands"]
