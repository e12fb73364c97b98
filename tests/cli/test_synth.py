"""Tests for the synthesis commands: facs render, facs animate, facs sheet."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from typer.testing import CliRunner

from facs.cli import app
from facs.formats import write_frames
from facs.series import empty_frames

runner = CliRunner()
SMALL = ["--size", "160x190"]


def _one_error_line(result) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    assert "Traceback" not in result.output
    return str(lines[0])


def test_render_neutral_png(tmp_path: Path) -> None:
    out = tmp_path / "face.png"
    result = runner.invoke(app, ["render", "0", "-o", str(out), *SMALL])
    assert result.exit_code == 0, result.output
    with Image.open(out) as png:
        image = np.asarray(png.convert("RGB"))
    assert image.shape == (190, 160, 3) and image.std() > 20
    assert str(out) in result.stdout


def test_render_svg_view_and_muscles(tmp_path: Path) -> None:
    out = tmp_path / "face.svg"
    args = ["render", "12C", "-o", str(out), "--view", "three-quarter", "--muscles", *SMALL]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "<svg" in out.read_text(encoding="utf-8")


def test_render_compare(tmp_path: Path) -> None:
    out = tmp_path / "compare.png"
    result = runner.invoke(app, ["render", "6+12", "--compare", "12", "6", "-o", str(out),
                                 *SMALL])  # fmt: skip
    assert result.exit_code == 0, result.output
    with Image.open(out) as image:
        assert image.size == (3 * 160, 190)
    assert "6+12 | 12 | 6" in result.stdout
    listed = runner.invoke(app, ["render", "0", "--compare", "1,2,4", "-o", str(out), *SMALL])
    assert listed.exit_code == 0, listed.output  # was "did you mean 1+2+4?", one face
    assert "0 | 1 | 2 | 4" in listed.stdout


def test_render_notes_codes_without_a_shape(tmp_path: Path) -> None:
    result = runner.invoke(app, ["render", "8+12+21", "-o", str(tmp_path / "f.png"), *SMALL])
    assert result.exit_code == 0
    assert "8 (Lips toward each other): no shape" in result.stderr
    assert "21 (Neck tightener)" in result.stderr


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["render", "1+99"], "unknown code 99"),
        (["render", "12", "-o", "{tmp}/face.jpg"], "use .png or .svg"),
        (["render", "6", "12"], "--compare"),
        (["render", "12", "--size", "big"], "--size"),
        (["animate", "0 -> 12P", "-o", "{tmp}/c.mp4"], "step 2"),
        (["animate", "0 -> 12", "-o", "{tmp}/c.avi"], "use .mp4 or .gif"),
        (["animate", "-o", "{tmp}/c.mp4"], "timeline"),
        (["animate", "--from", "{tmp}/none/frames.csv", "-o", "{tmp}/c.mp4"], "no such file"),
        (["animate", "--from", "{tmp}", "-o", "{tmp}/c.mp4"], "no such file"),
        (["animate", "0 -> 12", "--from", "{tmp}", "-o", "{tmp}/c.mp4"], "timeline"),
        (["sheet", "-o", "{tmp}/sheet.png"], "PDF"),
    ],
)
def test_user_errors_exit_2(tmp_path: Path, args: list[str], fragment: str) -> None:
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if argv[0] == "render" and "-o" not in argv:
        argv += ["-o", str(tmp_path / "face.png")]
    line = _one_error_line(runner.invoke(app, argv))
    assert fragment in line
    assert [p for p in tmp_path.iterdir() if p.is_file()] == []


def test_animate_gif(tmp_path: Path) -> None:
    out = tmp_path / "clip.gif"
    result = runner.invoke(app, ["animate", "0@0.1 -> 12E@0.1", "-o", str(out), "--fps", "10",
                                 "--transition", "0.2", "--quiet", *SMALL])  # fmt: skip
    assert result.exit_code == 0, result.output
    with Image.open(out) as gif:
        assert gif.n_frames == 4


def test_animate_from_outdir(tmp_path: Path) -> None:
    rows = []
    for k in range(3):
        row: dict[str, object] = {c: 0.0 for c in empty_frames().columns}
        row.update(frame=k, time_s=k / 5, face=0, success=1, AU12=2.0 * k)
        rows.append(row)
    table = pd.concat([empty_frames(), pd.DataFrame(rows)], ignore_index=True)
    write_frames(table, tmp_path / "out" / "frames.csv")
    out = tmp_path / "replay.mp4"
    result = runner.invoke(app, ["animate", "--from", str(tmp_path / "out"), "-o", str(out),
                                 "--quiet", *SMALL])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0
    bad_face = runner.invoke(app, ["animate", "--from", str(tmp_path / "out"), "--face", "2",
                                   "-o", str(tmp_path / "r2.mp4"), *SMALL])  # fmt: skip
    assert "no face 2" in _one_error_line(bad_face)


def test_a_terminated_animation_leaves_no_temporary_file(tmp_path: Path) -> None:
    """SIGTERM (kill, a scheduler's stop) unwinds like Ctrl-C: the partial video is removed."""
    import signal
    import subprocess
    import sys
    import time

    run = subprocess.Popen(
        [sys.executable, "-c", "from facs.cli import main; main()", "animate",
         "0 -> 12@30 -> 0", "-o", str(tmp_path / "long.mp4")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".long.mp4*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(tmp_path.glob(".long.mp4*")), "the render never started"
    run.send_signal(signal.SIGTERM)
    assert run.wait(timeout=30) == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []


def test_render_animate_and_sheet_draw_another_face(tmp_path: Path) -> None:
    mean, other = tmp_path / "mean.png", tmp_path / "other.png"
    assert runner.invoke(app, ["render", "6+12", "-o", str(mean), *SMALL]).exit_code == 0
    result = runner.invoke(app, ["render", "6+12", "-o", str(other), "--identity", "2", *SMALL])
    assert result.exit_code == 0, result.output
    with Image.open(mean) as a, Image.open(other) as b:
        assert np.abs(np.asarray(a, float) - np.asarray(b, float)).mean() > 5
    clip = tmp_path / "clip.gif"
    argv = ["animate", "0@0.1 -> 12E@0.1", "-o", str(clip), "--fps", "10", "--transition", "0.2"]
    result = runner.invoke(app, [*argv, "--identity", "2", "-q", *SMALL])
    assert result.exit_code == 0, result.output
    line = _one_error_line(runner.invoke(app, ["render", "12", "--identity", "40", "-o",
                                               str(tmp_path / "x.png")]))  # fmt: skip
    assert "--identity must be a face number from 0 to" in line and "1 woman" in line
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("argv", [["render", "12"], ["animate", "0 -> 12", "-q"], ["sheet", "-q"]])
def test_an_output_that_is_a_folder_is_one_error_line(tmp_path: Path, argv: list[str]) -> None:
    suffix = {"render": ".png", "animate": ".gif", "sheet": ".pdf"}[argv[0]]
    folder = tmp_path / f"out{suffix}"
    folder.mkdir()
    line = _one_error_line(
        runner.invoke(
            app,
            [
                *argv,
                "-o",
                str(folder),
            ],
        )
    )
    assert "it is a folder" in line and folder.is_dir()


def test_render_warns_of_combinations_facs_forbids(tmp_path: Path) -> None:
    result = runner.invoke(app, ["render", "5+43", "-o", str(tmp_path / "f.png"), *SMALL])
    assert result.exit_code == 0, result.output
    assert "warning: 5 and 43 are mutually exclusive" in result.stderr
    result = runner.invoke(app, ["render", "46", "-o", str(tmp_path / "f.png"), *SMALL])
    assert "warning: 46 (wink) is one-sided" in result.stderr


def test_a_sigterm_the_collector_swallowed_is_delivered_again() -> None:
    """A handler's SystemExit raised inside a weakref callback is lost; the signal comes back."""
    import subprocess
    import sys

    script = (
        "import signal, time\n"
        "from facs.cli import _terminated\n"
        "signal.signal(signal.SIGTERM, _terminated)\n"
        "try:\n"
        "    _terminated(signal.SIGTERM, None)  # as if raised in a __del__: swallowed\n"
        "except SystemExit:\n"
        "    pass\n"
        "time.sleep(30)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], timeout=20, capture_output=True)
    assert run.returncode == 143, run.stderr.decode()


def test_a_negative_transition_names_its_flag(tmp_path: Path) -> None:
    result = runner.invoke(app, ["animate", "0 -> 12", "--transition", "-1",
                                 "-o", str(tmp_path / "a.mp4")])  # fmt: skip
    assert result.exit_code == 2
    assert "--transition must be a number of seconds ≥ 0, got -1" in _one_error_line(result)


def test_a_timeline_and_a_coding_together_are_named_as_both(tmp_path: Path) -> None:
    frames = tmp_path / "frames.csv"
    write_frames(empty_frames(), frames)
    result = runner.invoke(app, ["animate", "12", "--from", str(frames),
                                 "-o", str(tmp_path / "a.mp4")])  # fmt: skip
    assert result.exit_code == 2
    assert "give a timeline or --from, not both" in _one_error_line(result)
