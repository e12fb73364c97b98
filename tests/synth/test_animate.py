"""Tests for facs.synth._animate: timelines, mp4 and gif clips, replays of frames tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from facs import CodeError, InputError
from facs.face import decode_frames
from facs.formats import write_frames
from facs.series import empty_frames
from facs.synth import animate, parse_timeline, replay

SIZE = (160, 190)


@pytest.mark.parametrize(
    ("text", "codes", "holds"),
    [
        ("0 -> 6+12C -> 0", ["0", "6+12C", "0"], [0.5, 0.5, 0.5]),
        ("0->12E@1.5->  L12 @ 0", ["0", "12E", "L12"], [0.5, 1.5, 0.0]),
        ("1+2+5B+26", ["1+2+5B+26"], [0.5]),
    ],
)
def test_parse_timeline(text: str, codes: list[str], holds: list[float]) -> None:
    steps = parse_timeline(text)
    assert [str(s.code) for s in steps] == codes and [s.hold for s in steps] == holds


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("0 -> 99", "step 2 ('99'): unknown code 99"),
        ("0 -> -> 12", "step 2"),
        ("12@x", "step 1"),
        ("12@-1", "seconds ≥ 0"),
        ("", "step 1"),
        ("6+12 -> 12P", "step 2 ('12P')"),
        ("0 -> 12@100000", "the timeline lasts 100001 s; at most 600 s"),
    ],
)
def test_parse_timeline_errors_name_the_step(text: str, fragment: str) -> None:
    with pytest.raises(CodeError) as err:
        parse_timeline(text)
    assert fragment in str(err.value)


def test_animate_mp4_is_playable(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    path = animate("0 -> 12E@0.2", tmp_path / "clip.mp4", fps=10, size=SIZE, transition=0.3,
                   progress=lambda d, t: seen.append((d, t)))  # fmt: skip
    frames = list(decode_frames(path))
    assert len(frames) == 10  # (0.5 + 0.3 + 0.2) s at 10 fps
    assert frames[0].image.shape == (SIZE[1], SIZE[0], 3)
    assert seen[-1] == (10, 10)
    first, last = (f.image.astype(int) for f in (frames[0], frames[-1]))
    assert np.abs(first - last).mean() > 0.5  # the face moved
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4"]


def test_animate_gif(tmp_path: Path) -> None:
    path = animate("0@0.1 -> 43E@0.1", tmp_path / "blink.gif", fps=10, size=SIZE, transition=0.2)
    with Image.open(path) as gif:
        assert gif.n_frames == 4 and gif.size == SIZE


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"path": "clip.avi"}, InputError),
        ({"fps": 0}, InputError),
        ({"view": "side"}, InputError),
        ({"timeline": "0 -> 99"}, CodeError),
    ],
)
def test_animate_bad_input(tmp_path: Path, kwargs: dict[str, object], error: type) -> None:
    args: dict[str, object] = {"timeline": "0 -> 12", "path": "clip.mp4", **kwargs}
    with pytest.raises(error):
        animate(str(args.pop("timeline")), tmp_path / str(args.pop("path")), size=SIZE, **args)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def _table(tmp_path: Path) -> Path:
    rows = []
    for k in range(6):
        row: dict[str, object] = {c: 0.0 for c in empty_frames().columns}
        row.update(frame=k, time_s=k / 10, face=0, success=1, confidence=0.9)
        row.update(AU12=k, AU12_L=k, AU12_R=k)
        rows.append(row)
    rows[3].update(face=-1, success=0, confidence=0.0)
    for col in empty_frames().columns[8:]:
        rows[3][col] = float("nan")
    table = pd.concat([empty_frames(), pd.DataFrame(rows)], ignore_index=True)
    table["code"] = ["0", "12A", "12B", "", "12D", "12E"]
    return write_frames(table, tmp_path / "out" / "frames.csv")


def test_replay(tmp_path: Path) -> None:
    table = _table(tmp_path)
    path = replay(table, tmp_path / "replay.mp4", size=SIZE)
    frames = list(decode_frames(path))
    assert len(frames) == 6  # the table's own 10 fps
    images = [f.image.astype(int) for f in frames]
    grey = images[3]
    assert np.abs(grey[..., 0] - grey[..., 2]).mean() < 3  # no face: greyed
    assert np.abs(images[2][..., 0] - images[2][..., 2]).mean() > 10  # a face: in colour
    gif = replay(table, tmp_path / "replay.gif", size=SIZE, fps=20)
    with Image.open(gif) as clip:  # 11 frames at 20 fps; Pillow merges repeated ones
        durations = []
        for k in range(clip.n_frames):
            clip.seek(k)
            durations.append(clip.info["duration"])
    assert sum(durations) == 11 * 50


def test_replay_of_a_table_faster_than_120_fps_says_what_it_leaves_out(tmp_path: Path) -> None:
    from facs.formats import read_frames

    table = read_frames(_table(tmp_path))
    table["time_s"] = table["frame"] / 200.0
    fast = write_frames(table, tmp_path / "fast.csv")
    notes: list[str] = []
    path = replay(fast, tmp_path / "fast.mp4", size=SIZE, on_note=notes.append)
    assert len(list(decode_frames(path))) == 4  # 0.025 s at 120 fps
    assert notes == [
        "the table runs at 200 fps; replayed at 120 fps, the most a clip is written at,"
        " so about 40% of its rows are not shown"
    ]
    notes.clear()
    replay(_table(tmp_path), tmp_path / "slow.mp4", size=SIZE, on_note=notes.append)
    assert notes == []  # 10 fps: every row shown


def test_replay_errors(tmp_path: Path) -> None:
    table = _table(tmp_path)
    with pytest.raises(InputError, match="no face 3"):
        replay(table, tmp_path / "r.mp4", face=3, size=SIZE)
    with pytest.raises(InputError):
        replay(tmp_path / "missing.csv", tmp_path / "r.mp4", size=SIZE)
    with pytest.raises(InputError):
        replay(table, tmp_path / "r.mov", size=SIZE)
    assert not (tmp_path / "r.mp4").exists()
