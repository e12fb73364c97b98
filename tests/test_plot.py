"""Tests for facs.plot: the timeline renders, is not blank, and writes atomically."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from facs import InputError
from facs.series import CODE_COLUMNS, FRAME_COLUMNS, SIDE_COLUMNS, empty_frames

FPS = 30.0


def as_frames(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with every frames-table column, in schema order, with schema dtypes."""
    table = pd.concat([empty_frames(), rows], ignore_index=True)
    out: pd.DataFrame = table.astype({"frame": "int64", "face": "int64", "success": "int64"})
    return out


def face_rows(face: int, n: int, *, seed: int) -> pd.DataFrame:
    """``n`` frames of one face with a smile, a brow raise and a blink."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / FPS
    rows = pd.DataFrame({c: np.zeros(n) for c in FRAME_COLUMNS})
    rows["frame"] = np.arange(n)
    rows["time_s"] = t
    rows["face"] = face
    rows["success"] = 1
    rows["confidence"] = 0.9
    rows["yaw"] = 12 * np.sin(t) + face
    rows["pitch"] = 4 * np.cos(2 * t)
    rows["roll"] = rng.normal(0, 1, n)

    def bump(column: str, centre: float, width: float, peak: float) -> None:
        rows[column] = peak * np.exp(-0.5 * ((t - centre) / width) ** 2)

    bump("AU12", 1.0 + face, 0.4, 4.0)
    bump("AU06", 1.1 + face, 0.3, 2.5)
    bump("AU01", 2.5, 0.3, 3.0)
    bump("AU45", 0.5, 0.05, 5.0)
    bump("AD19", 2.0, 0.2, 1.5)
    bump("AU04", 1.5, 0.2, 0.5)  # never reaches A: no row
    return rows


def two_faces(n: int = 100, gap: tuple[int, int] = (40, 55)) -> pd.DataFrame:
    """Faces 0 and 1, and frames ``gap`` with no face at all."""
    table = pd.concat([face_rows(0, n, seed=1), face_rows(1, n, seed=2)], ignore_index=True)
    lost = table["frame"].between(gap[0], gap[1] - 1)
    table = table[~lost | (table["face"] == 0)].copy()
    lost = table["frame"].between(gap[0], gap[1] - 1)
    table.loc[lost, ["face", "success"]] = [-1, 0]
    table.loc[lost, [*CODE_COLUMNS, *SIDE_COLUMNS, "confidence", "yaw", "pitch", "roll"]] = np.nan
    table = table.sort_values(["frame", "face"], ignore_index=True)
    return as_frames(table)


def no_faces(n: int = 40) -> pd.DataFrame:
    rows = pd.DataFrame(
        {"frame": np.arange(n), "time_s": np.arange(n) / FPS, "face": -1, "success": 0}
    )
    return as_frames(rows)


EVENTS = pd.DataFrame(
    {
        "face": [0, 0, 1, 1],
        "code": ["12", "L1", "12", "99"],  # an unparseable code is skipped, not fatal
        "side": ["", "L", "", ""],
        "onset_s": [0.5, 2.0, 1.5, 0.0],
        "apex_s": [1.0, 2.5, 2.0, 0.1],
        "offset_s": [1.5, 3.0, 2.5, 0.2],
        "peak": [4.0, 3.0, 4.0, 1.0],
        "letter": ["D", "C", "D", "A"],
    }
)


def pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=float)


def test_two_faces_with_gap(tmp_path: Path) -> None:
    from facs.plot import plot_timeline

    had_pyplot = "matplotlib.pyplot" in sys.modules
    path = plot_timeline(two_faces(), EVENTS, tmp_path / "timeline.png", title="clip.mp4")
    assert path == tmp_path / "timeline.png"
    image = pixels(path)
    height, width, _ = image.shape
    assert width == 1600
    rows = 2 * 5  # AU01, AU06, AU12, AD19, AU45 for each face (AU04 stays under A)
    assert 300 + 28 * rows <= height <= 300 + 28 * rows + 400
    assert image.std() > 20  # not blank
    assert (image.min(axis=2) < 80).mean() > 0.01  # strong cells and text are drawn
    assert [p.name for p in tmp_path.iterdir()] == ["timeline.png"]
    assert had_pyplot or "matplotlib.pyplot" not in sys.modules


def test_rows_are_active_codes_sorted_by_number_and_capped() -> None:
    from facs.plot import _faces, _Grid

    frames = two_faces()
    grid = _Grid.from_times(frames["time_s"].to_numpy())
    faces = _faces(frames, grid, max_codes=24)
    assert [f.face for f in faces] == [0, 1]
    assert faces[0].columns == ("AU01", "AU06", "AU12", "AD19", "AU45")
    assert faces[0].present.sum() == 100 - 15
    strongest = _faces(frames, grid, max_codes=2)[0].columns
    assert strongest == ("AU12", "AU45")  # peaks 4 and 5, in number order


def test_all_no_face_still_renders(tmp_path: Path) -> None:
    from facs.plot import plot_timeline

    path = plot_timeline(no_faces(), None, tmp_path / "none.png")
    image = pixels(path)
    assert image.shape[1] == 1600 and 250 <= image.shape[0] <= 400
    assert image.std() > 10


def test_empty_table_renders(tmp_path: Path) -> None:
    from facs.plot import plot_timeline

    path = plot_timeline(empty_frames(), None, tmp_path / "empty.svg")
    assert path.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_unknown_image_type(tmp_path: Path) -> None:
    from facs.plot import plot_timeline

    with pytest.raises(InputError, match=r"unknown image type '\.docx'"):
        plot_timeline(no_faces(), None, tmp_path / "plot.docx")
    assert list(tmp_path.iterdir()) == []


def test_failed_render_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib.figure import Figure

    from facs.plot import plot_timeline

    target = tmp_path / "timeline.png"
    target.write_bytes(b"previous")

    def boom(self: Figure, fname: Path, **kwargs: object) -> None:
        Path(fname).write_bytes(b"\x89PNG half")
        raise RuntimeError("renderer died")

    monkeypatch.setattr(Figure, "savefig", boom)
    with pytest.raises(RuntimeError, match="renderer died"):
        plot_timeline(no_faces(), None, target)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["timeline.png"]


def test_bad_frames_table(tmp_path: Path) -> None:
    from facs.plot import plot_timeline

    with pytest.raises(InputError, match=r"missing column\(s\)"):
        plot_timeline(pd.DataFrame({"frame": [0]}), None, tmp_path / "x.png")
    with pytest.raises(ValueError, match="max_codes"):
        plot_timeline(no_faces(), None, tmp_path / "x.png", max_codes=0)


def test_a_still_gets_bars_not_a_time_axis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import facs.plot as plot
    from facs.series import FRAME_COLUMNS

    frames = pd.DataFrame(0.0, index=range(2), columns=FRAME_COLUMNS)
    frames["face"] = [0, 1]
    frames["success"] = 1
    frames.loc[0, ["AU12", "AU12_L", "AU12_R"]] = 3.2
    drawn: list[str] = []
    monkeypatch.setattr(plot, "_draw_faces", lambda *a, **k: drawn.append("timeline"))
    real_still = plot._draw_still
    monkeypatch.setattr(
        plot, "_draw_still", lambda *a, **k: (drawn.append("bars"), real_still(*a, **k))
    )
    plot.plot_timeline(frames, None, tmp_path / "still.png")
    assert drawn == ["bars"] and (tmp_path / "still.png").stat().st_size > 5_000
    frames = pd.concat([frames.assign(time_s=0.0), frames.assign(time_s=1.0, frame=1)],
                       ignore_index=True)  # fmt: skip
    plot.plot_timeline(frames, None, tmp_path / "clip.png", x_label="image")
    assert drawn == ["bars", "timeline"]


def test_a_still_shows_every_code_its_facs_string_lists() -> None:
    """A still's bars start at A (0.5), as its FACS string does; a clip's rows at 1 (events)."""
    from facs.plot import _faces, _Grid
    from facs.series import FRAME_COLUMNS

    def shown(table: pd.DataFrame) -> tuple[str, ...]:
        grid = _Grid.from_times(table["time_s"].to_numpy(dtype=float))
        return _faces(table, grid, max_codes=20)[0].columns

    frames = pd.DataFrame(0.0, index=range(1), columns=FRAME_COLUMNS).assign(face=0, success=1)
    frames[["AU12", "AU04"]] = [3.2, 0.7]  # 12C+4A
    assert shown(frames) == ("AU04", "AU12")
    assert shown(pd.concat([frames, frames.assign(time_s=1.0)], ignore_index=True)) == ("AU12",)


def test_close_event_letters_on_one_row_become_one_label() -> None:
    from facs.plot import MARK_GAP, merge_close_marks

    span = 20.0
    gap = MARK_GAP * span
    marks = [(5.0, 2, "LE"), (5.1, 2, "RE"), (5.0, 3, "LE"), (9.0, 2, "B"), (9.0 + 2 * gap, 2, "C")]
    merged = merge_close_marks(marks, gap)
    assert merged == [(5.05, 2, "E"), (9.0, 2, "B"), (9.0 + 2 * gap, 2, "C"), (5.0, 3, "LE")]
    # different letters on the two sides stay apart in one label
    assert merge_close_marks([(1.0, 0, "LA"), (1.0, 0, "RC")], gap) == [(1.0, 0, "LA/RC")]
    assert merge_close_marks([], gap) == []


def test_a_letter_at_the_first_or_last_frame_is_drawn_inside_the_axis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import facs.plot as plot

    drawn: list[tuple[float, int, str]] = []
    monkeypatch.setattr(plot, "_draw_marks", lambda ax, marks: drawn.extend(marks))
    frames = two_faces()
    last = float(frames["time_s"].max())
    events = EVENTS.assign(apex_s=[0.0, last, 2.0, 0.1])  # face 0: at the first, the last frame
    plot.plot_timeline(frames, events, tmp_path / "t.png")
    xs = sorted(x for x, _row, _text in drawn)
    assert len(xs) == 3 and xs[0] > 0.0 and xs[-1] < last
    assert xs[0] < 0.02 * last and xs[-1] > 0.98 * last  # still at their frame, near the edge


def test_a_covered_code_is_hatched_not_drawn_as_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blank codes where the face is there (a covered region) get their own hatch and key."""
    from matplotlib.axes import Axes

    import facs.plot as plot

    bars: list[tuple[float, float, float]] = []  # start, width, row band's height
    keys: list[str] = []
    real_barh = Axes.broken_barh

    def barh(self: Axes, runs: list[tuple[float, float]], rows: tuple[float, float], **kw: object):  # type: ignore[no-untyped-def]
        if kw.get("hatch") == plot._COVERED_HATCH:
            bars.extend((start, width, rows[1]) for start, width in runs)
        return real_barh(self, runs, rows, **kw)  # type: ignore[arg-type]

    real_key = plot._covered_patch

    def key() -> object:
        keys.append("covered")
        return real_key()

    monkeypatch.setattr(Axes, "broken_barh", barh)
    monkeypatch.setattr(plot, "_covered_patch", key)
    frames = as_frames(face_rows(0, 90, seed=3))
    frames.loc[30:59, "AU12"] = np.nan  # the mouth covered for 1 s
    plot.plot_timeline(frames, None, tmp_path / "t.png")
    assert keys == ["covered"]
    ((start, width, height),) = bars
    assert start == pytest.approx(1.0, abs=0.02) and width == pytest.approx(1.0, abs=0.05)
    assert height == 1
    keys.clear()
    plot.plot_timeline(as_frames(face_rows(0, 90, seed=3)), None, tmp_path / "u.png")
    assert keys == []  # nothing covered: no hatch, no key
