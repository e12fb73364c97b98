"""Tests for facs.synth._render: shaded faces in PNG and SVG, views, compare, muscles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from facs import CodeError, InputError, ParameterError
from facs.synth import compare, deform, load_muscles, render, render_image
from facs.synth._render import _IRIS, _project, _window

SIZE = (240, 280)


def _pixel(point: np.ndarray, size: tuple[int, int], view: str = "front") -> tuple[int, int]:
    """(row, column) of a mesh point in a front render."""
    x0, x1, y0, y1 = _window(*size, view)
    x, y = _project(point[None])[0]
    return int((y1 - y) / (y1 - y0) * size[1]), int((x - x0) / (x1 - x0) * size[0])


def _iris_pixels(image: np.ndarray) -> int:
    target = np.array(_IRIS) * 255
    return int((np.abs(image.astype(float) - target).max(axis=2) < 40).sum())


@pytest.fixture(scope="module")
def neutral() -> np.ndarray:
    return render_image("0", size=SIZE, label=False)


def test_render_image_is_a_face(neutral: np.ndarray) -> None:
    assert neutral.shape == (SIZE[1], SIZE[0], 3) and neutral.dtype == np.uint8
    assert neutral.std() > 20  # not blank
    corner = neutral[2, 2].astype(int)
    row, col = _pixel(deform("0")[4], SIZE)  # the nose tip
    assert np.abs(neutral[row, col].astype(int) - corner).max() > 30  # the face covers the centre
    skin = neutral[row - 5 : row + 5, col - 5 : col + 5].reshape(-1, 3).mean(axis=0)
    assert skin[0] > skin[2] + 20  # warm skin, not grey
    assert _iris_pixels(neutral) > 20  # both eyes drawn


def test_png_and_svg(tmp_path: Path) -> None:
    png = render("6+12", tmp_path / "smile.png", size=SIZE)
    with Image.open(png) as opened:
        image = np.asarray(opened.convert("RGB"))
    assert image.shape == (SIZE[1], SIZE[0], 3) and image.std() > 20
    svg = render("6+12", tmp_path / "smile.svg", size=SIZE)
    text = svg.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text and text.count("<path") > 100
    assert sorted(p.name for p in tmp_path.iterdir()) == ["smile.png", "smile.svg"]


def test_smile_differs_around_the_mouth_corners(neutral: np.ndarray) -> None:
    smile = render_image("12E", size=SIZE, label=False)
    diff = np.abs(smile.astype(int) - neutral.astype(int)).max(axis=2)

    def near(point: int) -> float:
        row, col = _pixel(deform("0")[point], SIZE)
        return float(diff[row - 8 : row + 8, col - 8 : col + 8].mean())

    forehead = near(151)  # barely changes (the fitted field is not exactly 0 there)
    assert near(61) > 15 and near(291) > 15
    assert min(near(61), near(291)) > 4 * forehead


def test_closed_eyes_hide_the_iris(neutral: np.ndarray) -> None:
    closed = render_image("43E", size=SIZE, label=False)
    assert _iris_pixels(closed) < 0.1 * _iris_pixels(neutral)
    wink = render_image("L46E", size=SIZE, label=False)
    assert 0.3 * _iris_pixels(neutral) < _iris_pixels(wink) < 0.7 * _iris_pixels(neutral)


@pytest.mark.parametrize("view", ["three-quarter", "profile"])
def test_views(view: str, neutral: np.ndarray) -> None:
    image = render_image("0", view=view, size=SIZE, label=False)
    assert image.std() > 20 and not np.array_equal(image, neutral)


def test_label_adds_text(neutral: np.ndarray) -> None:
    labelled = render_image("0", size=SIZE)
    bottom = slice(int(0.85 * SIZE[1]), SIZE[1])
    assert np.abs(labelled[bottom].astype(int) - neutral[bottom].astype(int)).max() > 100


def test_compare_is_side_by_side(tmp_path: Path) -> None:
    path = compare(["0", "6+12", "12"], tmp_path / "compare.png", size=SIZE)
    with Image.open(path) as opened:
        image = np.asarray(opened.convert("RGB"))
    assert image.shape == (SIZE[1], 3 * SIZE[0], 3)
    thirds = [image[:, k * SIZE[0] : (k + 1) * SIZE[0]].astype(int) for k in range(3)]
    assert np.abs(thirds[0] - thirds[1]).mean() > 1 and np.abs(thirds[1] - thirds[2]).mean() > 0.5


def test_compare_refuses_an_image_past_50_megapixels(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match=r"size: 24 panels of 4096x4096 make a 98304x4096"):
        compare(["12"] * 24, tmp_path / "huge.png", size=(4096, 4096))
    assert not (tmp_path / "huge.png").exists()


def test_muscles_overlay(neutral: np.ndarray) -> None:
    plain = render_image("4+12", size=SIZE, label=False)
    overlay = render_image("4+12", size=SIZE, label=False, muscles=True)
    diff = np.abs(plain.astype(int) - overlay.astype(int)).max(axis=2)
    row, col = _pixel(deform("4+12")[61], SIZE)
    assert diff[row - 10 : row + 10, col - 10 : col + 10].max() > 60  # a band at the lip corner
    assert np.array_equal(render_image("0", size=SIZE, label=False, muscles=True), neutral)


def test_muscle_table_covers_the_shown_muscular_codes() -> None:
    from facs.catalogue import catalogue
    from facs.synth import shown_codes

    table = {m.au for m in load_muscles()}
    muscular = {int(k) for k in shown_codes() if catalogue[k].muscles}
    assert muscular <= table, sorted(muscular - table)
    for muscle in load_muscles():
        entry = catalogue[str(muscle.au)]
        assert any(muscle.name.split(" (")[0] in m for m in entry.muscles), muscle


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda p: render("12", p / "x.jpg"), InputError),
        (lambda p: render("12", p / "noext"), InputError),
        (lambda p: render("1+99", p / "x.png"), CodeError),
        (lambda p: render("12", p / "x.png", view="side"), InputError),
        (lambda p: render("12", p / "x.png", size=(4, 4)), InputError),
        (lambda p: compare([], p / "x.png"), InputError),
    ],
)
def test_bad_input(tmp_path: Path, call, error: type[Exception]) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error):
        call(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_muscle_labels_on_one_spot_are_moved_apart() -> None:
    """Corrugator and procerus sit between the brows: their names must not print on each other."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from facs.synth._render import _separate

    fig = Figure(figsize=(4, 4), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 400)
    ax.set_ylim(400, 0)  # screen coordinates, y down, as the renderer draws
    names = ["corrugator supercilii", "depressor supercilii", "procerus (depressor glabellae)"]
    labels = [ax.text(200, 150 + k, name, ha="center", va="center") for k, name in enumerate(names)]
    renderer = fig.canvas.get_renderer()
    _separate(ax, labels)
    boxes = [t.get_window_extent(renderer) for t in labels]
    assert not any(boxes[i].overlaps(boxes[j]) for i in range(3) for j in range(i + 1, 3))
    assert all(abs(t.get_position()[0] - 200) < 1e-9 for t in labels)  # moved up or down only


def test_another_face_is_drawn_in_its_own_colours(tmp_path: Path) -> None:
    from facs.synth import identities, load_face_model

    dark = next(k for k in range(1, len(identities())) if max(load_face_model(k).skin) < 0.5)
    mean = render_image("12C", size=SIZE, label=False)
    other = render_image("12C", size=SIZE, label=False, identity=dark)
    cheek = _pixel(deform("0")[205], SIZE)  # the right cheek
    assert other[cheek].astype(int).sum() < mean[cheek].astype(int).sum() - 150
    assert _iris_pixels(other) < _iris_pixels(mean) / 4  # brown eyes, not the mean face's
    out = compare(["0", "12C"], tmp_path / "two.png", size=SIZE, identity=dark)
    with Image.open(out) as image:
        assert image.size == (2 * SIZE[0], SIZE[1])
