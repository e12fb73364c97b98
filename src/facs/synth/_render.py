"""Draw a face mesh as a shaded face: CPU only, no display, no GPU.

matplotlib's Agg canvas (never pyplot) and a painter's algorithm: the face
mesh (subdivided, smooth normals), the back of the head, the ears and the neck
(:mod:`facs.synth._scene`) are turned to the view, projected by a perspective
camera 6 inter-ocular units away, culled when they face away and drawn far to
near, each triangle lit by one key light (ambient, Lambert, a small Blinn
specular). Brows are darker and lips red; the eyes (sclera, an iris fitted to
the iris landmarks, pupil, clipped to the lid contour, so a closed lid hides
them) and the mouth (dark, with teeth and tongue) are drawn behind the skin,
in the holes the face mesh leaves there; creases (``wrinkles.toml``), the
tongue of AD19 and the muscle overlay go on top.

>>> image = render_image("6+12", size=(120, 140), label=False)
>>> image.shape, image.dtype
((140, 120, 3), dtype('uint8'))
"""

from __future__ import annotations

import math
import os
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from facs._errors import InputError, ParameterError
from facs.notation import Code
from facs.synth._model import (
    DEFAULT_IRIS,
    LIP_INNER_LOWER,
    LIP_INNER_UPPER,
    FaceModel,
    Mesh,
    _code_drives,
    _code_levels,
    _halves,
    _rig,
    deform,
    load_face_model,
)
from facs.synth._muscles import load_muscles
from facs.synth._scene import (
    _IRIS_POINTS,
    VIEWS,
    _creases,
    _head_pose,
    _loops,
    _project,
    _scene,
    _shell,
    _to_view,
    _vertex_normals,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["RENDER_SUFFIXES", "VIEWS", "View", "compare", "render", "render_image"]

View = Literal["front", "three-quarter", "profile"]
#: Suffixes :func:`render` and :func:`compare` write.
RENDER_SUFFIXES = (".png", ".svg")

#: Per view: the window's centre x and half width, in inter-ocular units (the top edge is
#: at ``_TOP``; the bottom follows from the aspect ratio).
_WINDOWS = {"front": (0.0, 1.2), "three-quarter": (-0.12, 1.3), "profile": (-0.3, 1.4)}
_TOP = 1.25
_BACKGROUND = (0.965, 0.962, 0.955)
_SCLERA = (0.95, 0.94, 0.91)
_IRIS = DEFAULT_IRIS
_IRIS_EDGE = (0.13, 0.22, 0.30)
_PUPIL = (0.04, 0.04, 0.06)
_MOUTH = (0.30, 0.06, 0.08)
_TEETH = (0.94, 0.92, 0.86)
_CREASE = (0.38, 0.22, 0.17)
_LIGHT = np.array([-0.45, 0.55, 1.0]) / np.linalg.norm([-0.45, 0.55, 1.0])
_HALF = (_LIGHT + np.array([0.0, 0.0, 1.0])) / np.linalg.norm(_LIGHT + np.array([0.0, 0.0, 1.0]))
_AMBIENT, _DIFFUSE, _SPECULAR, _SHININESS = 0.36, 0.64, 0.14, 28.0

_CIRCLE = np.linspace(0.0, 2 * math.pi, 33)[:-1]


def _paint_creases(
    ax: Axes, viewed: Mesh, normals: Mesh, levels: Mapping[int, tuple[float, float]], scale: float
) -> None:
    from matplotlib.collections import LineCollection

    segments, colours, widths = [], [], []
    for crease in _creases():
        alpha = crease.opacity(levels)
        if alpha < 0.02:
            continue
        points = (viewed[crease.corners] * crease.weights[..., None]).sum(axis=1)
        facing = (normals[crease.corners] * crease.weights[..., None]).sum(axis=1)[:, 2]
        if (facing < 0.15).any():
            continue  # turned away from the camera
        line = _project(points)
        # a soft shadow, the fold itself, and a faint lit edge just below it
        lit = line - np.array([0.0, 0.006])
        for seg, colour, a, w in ((line, _CREASE, 0.3 * alpha, 3.2), (line, _CREASE, alpha, 1.0),
                                  (lit, (1.0, 0.9, 0.82), 0.35 * alpha, 0.9)):  # fmt: skip
            segments.append(seg)
            colours.append((*colour, a))
            widths.append(w * crease.width * scale)
    if segments:
        ax.add_collection(
            LineCollection(segments, colors=colours, linewidths=widths, capstyle="round",
                           joinstyle="round", zorder=4),
            autolim=False,
        )  # fmt: skip


def _shade(albedo: npt.NDArray[np.float64], normals: Mesh) -> npt.NDArray[np.float64]:
    lambert = np.clip(normals @ _LIGHT, 0.0, 1.0)
    spec = _SPECULAR * np.clip(normals @ _HALF, 0.0, 1.0) ** _SHININESS
    rgb = albedo * (_AMBIENT + _DIFFUSE * lambert)[:, None] + spec[:, None]
    return np.asarray(np.clip(rgb, 0.0, 1.0))


def _signed_area(poly: npt.NDArray[np.float64]) -> float:
    x, y = poly[:, 0], poly[:, 1]
    return float(0.5 * (x @ np.roll(y, -1) - np.roll(x, -1) @ y))


def _window(width: int, height: int, view: str) -> tuple[float, float, float, float]:
    centre, half_w = _WINDOWS[view]
    half_h = half_w * height / width
    return centre - half_w, centre + half_w, _TOP - 2 * half_h, _TOP


@dataclass(frozen=True)
class _Style:
    """Sizes of strokes and text, in points, for a panel ``scale`` × 600 px wide."""

    scale: float

    @property
    def code_pt(self) -> float:
        return max(7.0, 17.0 * self.scale)

    @property
    def names_pt(self) -> float:
        return max(7.0, 9.5 * self.scale)

    @property
    def band_pt(self) -> float:
        return max(2.0, 7.0 * self.scale)


def _paint_face(
    ax: Axes,
    mesh: Mesh,
    view: str,
    style: _Style,
    *,
    shell: bool = True,
    model: FaceModel | None = None,
) -> tuple[Mesh, Mesh]:
    """Draw the face (``model``: whose, default the mean face); return the view-space
    mesh and its vertex normals."""
    from matplotlib.collections import PolyCollection

    model = model or load_face_model()
    scene = _scene(2 if style.scale >= 0.6 else 1, model.skin, model.brow)  # small: less detail
    viewed = _to_view(mesh, view)
    normals = _vertex_normals(viewed, model.triangles)
    verts = scene.subdivide(viewed)
    vnorm = scene.subdivide(normals)
    screen = _project(verts)
    tris = scene.triangles
    corners = screen[tris]
    tri_normals = vnorm[tris].sum(axis=1)
    depth = verts[tris, 2].mean(axis=1)
    albedo = scene.albedo
    if shell:
        sh = _shell(model)
        rot, shift = _head_pose(viewed, model)
        sverts = sh.vertices(viewed, rot, shift, view)
        snorm = _vertex_normals(sverts, np.concatenate([model.triangles, sh.triangles]))
        vnorm = scene.subdivide(snorm[: len(viewed)])
        tri_normals = vnorm[tris].sum(axis=1)
        corners = np.concatenate([corners, _project(sverts)[sh.triangles]])
        tri_normals = np.concatenate([tri_normals, snorm[sh.triangles].sum(axis=1)])
        sdepth = sverts[sh.triangles, 2].mean(axis=1)
        sdepth[sh.neck_first :] -= 100.0  # the neck is behind the head from every view
        sdepth[sh.ears_first : sh.neck_first] += 0.25  # the ears stand off the head
        depth = np.concatenate([depth, sdepth])
        albedo = np.concatenate([albedo, sh.albedo])
    d1, d2 = corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0]
    front = d1[:, 0] * d2[:, 1] - d1[:, 1] * d2[:, 0] > 0
    tri_normals /= np.maximum(np.linalg.norm(tri_normals, axis=1, keepdims=True), 1e-12)
    colours = _shade(albedo, tri_normals)
    order = np.flatnonzero(front)[np.argsort(depth[front], kind="stable")]

    # eyes and mouth, behind the skin
    loops = _loops()
    mouth = screen[list(loops["mouth"])]
    if _signed_area(mouth) < 0:  # the inner lip loop runs clockwise when seen from the front
        _paint_mouth(ax, viewed, mouth)
    for eye in ("R", "L"):
        sclera = screen[list(loops[eye])]
        if (_signed_area(sclera) < 0) == (eye == "R"):
            _paint_eye(ax, viewed, sclera, _IRIS_POINTS[eye], max(style.scale, 0.4), model.iris)

    # the neck (far behind) goes under the eyes and the mouth, the rest over them
    behind = depth[order] < -50.0
    for part, zorder in ((order[behind], 0.5), (order[~behind], 3.0)):
        faces = PolyCollection(
            corners[part],
            facecolors=colours[part],
            edgecolors=colours[part],
            linewidths=0.35 * max(style.scale, 0.4),
            antialiaseds=True,
            zorder=zorder,
        )
        ax.add_collection(faces, autolim=False)
    return viewed, normals


def _paint_eye(
    ax: Axes,
    viewed: Mesh,
    sclera: npt.NDArray[np.float64],
    iris: tuple[int, ...],
    scale: float,
    iris_colour: tuple[float, float, float] = _IRIS,
) -> None:
    from matplotlib.patches import Polygon

    patch = Polygon(sclera, closed=True, facecolor=_SCLERA, edgecolor="none", zorder=1)
    ax.add_patch(patch)
    c, right, top, left, bottom = (viewed[i] for i in iris)
    u, v = (right - left) / 2, (top - bottom) / 2
    ring = c + np.cos(_CIRCLE)[:, None] * u + np.sin(_CIRCLE)[:, None] * v
    pupil = c + 0.42 * (np.cos(_CIRCLE)[:, None] * u + np.sin(_CIRCLE)[:, None] * v)
    glint = (
        c
        + 0.35 * (v - 0.6 * u)
        + 0.12 * (np.cos(_CIRCLE)[:, None] * u + np.sin(_CIRCLE)[:, None] * v)
    )
    edge_colour = _IRIS_EDGE if iris_colour == _IRIS else tuple(0.5 * c for c in iris_colour)
    upper = sclera[: len(sclera) // 2 + 1]
    shadow = np.concatenate([upper, upper[::-1] - np.array([0.0, 0.035])])
    for points, colour, edge in (
        (_project(ring), iris_colour, edge_colour),
        (_project(pupil), _PUPIL, "none"),
        (_project(glint), (1.0, 1.0, 1.0), "none"),
    ):
        part = Polygon(points, closed=True, facecolor=colour, edgecolor=edge, lw=0.6, zorder=1)
        part.set_clip_path(patch)
        ax.add_patch(part)
    lash = upper[1:-1] if len(upper) > 2 else upper
    ax.plot(*np.concatenate([upper[:1], lash, upper[-1:]]).T, color=(0.18, 0.11, 0.09),
            lw=1.6 * scale, solid_capstyle="round", zorder=4)  # fmt: skip
    lid = Polygon(shadow, closed=True, facecolor=(0.25, 0.15, 0.12), alpha=0.22,
                  edgecolor="none", zorder=1)  # fmt: skip
    lid.set_clip_path(patch)
    ax.add_patch(lid)


def _paint_tongue(ax: Axes, viewed: Mesh, level: float) -> None:
    """AD19: the tongue tip out over the lower lip, longer with the level."""
    from matplotlib.patches import Polygon

    if _signed_area(_project(viewed[list(_loops()["mouth"])])) > 0:
        return  # the mouth is turned away
    left, right = viewed[308], viewed[78]
    across = (left - right) / 2
    down = viewed[152] - viewed[10]
    down /= max(float(np.linalg.norm(down)), 1e-9)
    out = np.cross(across, -down)
    out /= max(float(np.linalg.norm(out)), 1e-9)
    centre = (viewed[13] + viewed[14]) / 2
    t = np.linspace(0.0, math.pi, 24)
    reach = 0.05 + 0.11 * level
    tip = (centre + 0.62 * np.cos(t)[:, None] * across
           + np.sin(t)[:, None] * (reach * down + 0.6 * reach * out))  # fmt: skip
    outline = _project(np.concatenate([tip, centre[None] + 0.62 * across]))
    ax.add_patch(Polygon(outline, closed=True, facecolor=(0.80, 0.40, 0.43),
                         edgecolor=(0.55, 0.22, 0.25), lw=0.8, zorder=3.5))  # fmt: skip
    groove = _project(np.stack([centre, centre + 0.7 * (reach * down + 0.6 * reach * out)]))
    ax.plot(*groove.T, color=(0.6, 0.25, 0.28), lw=1.0, alpha=0.6, zorder=3.6)


def _paint_mouth(ax: Axes, viewed: Mesh, mouth: npt.NDArray[np.float64]) -> None:
    from matplotlib.patches import Polygon

    patch = Polygon(mouth, closed=True, facecolor=_MOUTH, edgecolor="none", zorder=1)
    ax.add_patch(patch)
    down = viewed[152] - viewed[10]
    down /= max(float(np.linalg.norm(down)), 1e-9)
    back = np.array([0.0, 0.0, -0.03])
    up_lip = viewed[[78, *LIP_INNER_UPPER, 308]] + back
    low_lip = viewed[[78, *LIP_INNER_LOWER, 308]] + back
    gap = float(np.median(np.linalg.norm(up_lip - low_lip, axis=1)))
    show = float(np.clip((gap - 0.03) / 0.04, 0.0, 1.0))  # no teeth between closed lips
    if show == 0:
        return
    # the tongue low in the mouth, then the teeth between the canines: full height in
    # the middle, none at the corners
    mid = (low_lip[len(low_lip) // 2] + up_lip[len(up_lip) // 2]) / 2
    half = (up_lip[-1] - up_lip[0]) / 2
    ring = np.linspace(0.0, 2 * math.pi, 40)
    tongue = (
        low_lip[len(low_lip) // 2]
        + 0.7 * np.cos(ring)[:, None] * half
        + (np.sin(ring)[:, None] * 0.45 * (mid - low_lip[len(low_lip) // 2]))
    )
    t = np.linspace(0.0, 1.0, len(up_lip))
    height = np.clip(1.7 * np.sin(math.pi * t), 0.0, 1.0)[:, None]
    uppers = np.concatenate([up_lip - 0.02 * down, (up_lip + 0.095 * height * down)[::-1]])
    lowers = np.concatenate([low_lip + 0.02 * down, (low_lip - 0.035 * height * down)[::-1]])
    for shape, colour, alpha in ((tongue, (0.55, 0.18, 0.22), show), (uppers, _TEETH, show),
                                 (lowers, _TEETH, 0.85 * show)):  # fmt: skip
        part = Polygon(_project(shape), closed=True, facecolor=colour, edgecolor="none",
                       alpha=alpha, zorder=1)  # fmt: skip
        part.set_clip_path(patch)
        ax.add_patch(part)
    for k in np.linspace(0.32, 0.68, 6):  # gaps between the upper front teeth
        top = np.array([np.interp(k, t, up_lip[:, d]) for d in range(3)])
        gap_line = _project(np.stack([top, top + 0.09 * down]))
        (line,) = ax.plot(*gap_line.T, color=(0.62, 0.58, 0.54), lw=0.7, alpha=show, zorder=1)
        line.set_clip_path(patch)


def _paint_muscles(ax: Axes, code: Code, viewed: Mesh, normals: Mesh, style: _Style) -> list[str]:
    """Overlay the muscles of the active actions; return the muscle names drawn."""
    from matplotlib import patheffects
    from matplotlib.patches import FancyArrowPatch

    drives = _code_drives(code, "C")
    mirror = _rig().mirror
    screen = _project(viewed)
    outline = [patheffects.withStroke(linewidth=2.2 * max(style.scale, 0.5), foreground="white")]
    drawn: list[str] = []
    labels: list[Any] = []
    for muscle in load_muscles():
        drive = drives.get(muscle.au)
        if drive is None:
            continue
        left, right = _halves(drive)
        label_at: npt.NDArray[np.float64] | None = None
        for origin, insertion in muscle.pairs:
            pairs: list[tuple[int, int]] = []
            midline = abs(load_face_model().neutral[insertion, 0]) < 0.02
            if right > 0 or (midline and left > 0):
                pairs.append((origin, insertion))
            if left > 0 and not midline:
                pairs.append((int(mirror[origin]), int(mirror[insertion])))
            for o, i in pairs:
                if normals[o, 2] < -0.1 or normals[i, 2] < -0.1:
                    continue  # on the far side of the head
                a, b = screen[o], screen[i]
                ax.plot(
                    [a[0], b[0]], [a[1], b[1]], color=muscle.colour, alpha=0.6,
                    lw=style.band_pt, solid_capstyle="round", zorder=5,
                )  # fmt: skip
                ax.plot([a[0]], [a[1]], "o", color=muscle.colour, ms=style.band_pt * 0.9,
                        mec="white", mew=0.6, zorder=6)  # fmt: skip
                tip = b + 0.35 * (a - b)
                ax.add_patch(
                    FancyArrowPatch(
                        tuple(b), tuple(tip), arrowstyle="-|>", mutation_scale=9 * style.scale,
                        color="white", lw=1.0 * max(style.scale, 0.5), zorder=6,
                    )
                )  # fmt: skip
                if label_at is None or a[0] < label_at[0]:
                    label_at = (a + b) / 2
        if label_at is not None and muscle.name not in drawn:
            labels.append(ax.text(
                label_at[0], label_at[1], muscle.name, fontsize=max(7.0, 8.0 * style.scale),
                color="black", ha="center", va="center", zorder=7, path_effects=outline,
            ))  # fmt: skip
            drawn.append(muscle.name)
    _separate(ax, labels)
    return drawn


def _separate(ax: Axes, labels: list[Any], *, rounds: int = 30) -> None:
    """Move overlapping muscle labels apart vertically (corrugator and procerus sit on the
    same spot between the brows), the lower of two below the other."""
    canvas = ax.figure.canvas
    if len(labels) < 2 or not hasattr(canvas, "get_renderer"):
        return
    renderer = canvas.get_renderer()

    def box(text: Any) -> Any:  # its extent on screen (y grows upwards), a little tall
        return text.get_window_extent(renderer).expanded(1.0, 1.15)

    for _ in range(rounds):
        boxes = [box(t) for t in labels]
        moved = False
        for i in range(len(labels)):
            for j in range(i + 1, len(labels)):
                if not boxes[i].overlaps(boxes[j]):
                    continue
                upper, lower = (i, j) if boxes[i].y0 >= boxes[j].y0 else (j, i)
                x, y = ax.transData.transform(labels[lower].get_position())
                y -= boxes[lower].y1 - boxes[upper].y0 + 1.0  # just below the upper one
                labels[lower].set_position(ax.transData.inverted().transform((x, y)))
                boxes[lower] = box(labels[lower])
                moved = True
        if not moved:
            return


#: Width of a bold character of the label's font, in ems (DejaVu Sans Bold's digits and
#: capitals run 0.70-0.77 em; '+' 0.84): a little generous, so a fitted title never clips.
_BOLD_EM = 0.78
#: Smallest font size (points) a title shrinks to before it is broken into lines at '+'.
_MIN_TITLE_PT = 9.0


def fit_title(title: str, pt: float, width_pt: float) -> tuple[str, float]:
    """The FACS string as drawn within ``width_pt``: its font shrunk, then (past
    :data:`_MIN_TITLE_PT`) broken into lines at ``+``, so no long code is cut off.

    >>> fit_title("6+12C", 20.0, 400.0)
    ('6+12C', 20.0)
    >>> text, pt = fit_title("+".join(["L12E"] * 20), 20.0, 300.0)
    >>> pt, max(len(line) for line in text.splitlines()) * _BOLD_EM * pt <= 300.0
    (9.0, True)
    """
    fits = width_pt / (_BOLD_EM * max(len(title), 1))
    if fits >= _MIN_TITLE_PT:
        return title, min(pt, fits)
    per_line = max(1, int(width_pt / (_BOLD_EM * _MIN_TITLE_PT)))
    lines: list[str] = []
    for item in title.split("+"):
        if lines and len(lines[-1]) + 1 + len(item) <= per_line:
            lines[-1] += "+" + item
        else:
            lines.append(item if not lines else "+" + item)
    return "\n".join(lines), _MIN_TITLE_PT


def _label(ax: Axes, title: str, names: str, style: _Style, *, wrap: int, corner: str = "") -> None:
    from matplotlib import patheffects

    outline = [patheffects.withStroke(linewidth=3, foreground=_BACKGROUND)]
    figure = ax.get_figure(root=True)
    assert figure is not None  # an axes drawn on is on a figure
    width_pt = ax.get_position().width * figure.get_figwidth() * 72.0 * 0.94
    title, title_pt = fit_title(title, style.code_pt, width_pt)
    ax.text(0.5, 0.085, title, transform=ax.transAxes, ha="center", va="bottom",
            fontsize=title_pt, weight="bold", color="0.12", path_effects=outline,
            zorder=8, linespacing=1.1)  # fmt: skip
    if names:
        lines = textwrap.wrap(names, wrap)
        if len(lines) > 2:
            lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), wrap, placeholder=" …")]
        ax.text(0.5, 0.075, "\n".join(lines), transform=ax.transAxes, ha="center",
                va="top", fontsize=style.names_pt, color="0.25", linespacing=1.15,
                path_effects=outline, zorder=8)  # fmt: skip
    if corner:
        ax.text(0.03, 0.975, corner, transform=ax.transAxes, ha="left", va="top",
                fontsize=style.names_pt, color="0.2", family="monospace",
                path_effects=outline, zorder=8)  # fmt: skip


def _names(code: Code) -> str:
    """The names of a code's actions, once each (``Neutral face`` for 0)."""
    return ", ".join(dict.fromkeys(a.name for a in code)) or "Neutral face"


def _check_view(view: str) -> str:
    if view not in VIEWS:
        raise InputError(f"unknown view {view!r}: use {', '.join(VIEWS)}")
    return view


def _setup_axes(ax: Axes, width: int, height: int, view: str) -> None:
    x0, x1, y0, y1 = _window(width, height, _check_view(view))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_axis_off()
    ax.set_facecolor(_BACKGROUND)


def _panel(
    ax: Axes,
    code: Code | None,
    mesh: Mesh,
    *,
    view: str,
    size: tuple[int, int],
    muscles: bool = False,
    label: bool = True,
    title: str | None = None,
    names: str | None = None,
    corner: str = "",
    levels: Mapping[int, tuple[float, float]] | None = None,
    model: FaceModel | None = None,
) -> None:
    """One face in ``ax``: the face, its creases, the muscles if asked, the label under it.

    The creases follow ``levels`` (default: the code's); the label is
    ``title`` (default: the code) over ``names`` (default: the code's action
    names); ``corner`` goes top left; ``model`` is whose face ``mesh`` is (its skin).
    """
    style = _Style(size[0] / 600)
    _setup_axes(ax, *size, view)
    viewed, normals = _paint_face(ax, mesh, view, style, model=model)
    if levels is None:
        levels = _code_levels(code) if code is not None else {}
    _paint_creases(ax, viewed, normals, levels, max(style.scale, 0.45))
    tongue = max(levels.get(19, (0.0, 0.0)))
    if tongue > 0:
        _paint_tongue(ax, viewed, tongue)
    if muscles and code is not None:
        _paint_muscles(ax, code, viewed, normals, style)
    if label:
        head = title if title is not None else str(code)
        under = names if names is not None else (_names(code) if code is not None else "")
        wrap = max(16, int(0.92 * size[0] / (style.names_pt * 0.58 * 100 / 72)))
        _label(ax, head, under, style, wrap=wrap, corner=corner)


class _Canvas:
    """One reusable figure for many frames of the same size and view."""

    def __init__(self, size: tuple[int, int], view: str, model: FaceModel | None = None) -> None:
        self.size = size
        self.view = _check_view(view)
        self.model = model
        self.fig = _figure(*size)
        self.ax = self.fig.add_axes((0.0, 0.0, 1.0, 1.0))

    def draw(
        self,
        mesh: Mesh,
        code: Code | None,
        *,
        title: str | None = None,
        names: str | None = None,
        corner: str = "",
        grey: bool = False,
        label: bool = True,
        levels: Mapping[int, tuple[float, float]] | None = None,
    ) -> npt.NDArray[np.uint8]:
        """Draw one frame and return it as RGB (height, width, 3) uint8."""
        self.ax.clear()
        _panel(self.ax, code, mesh, view=self.view, size=self.size, label=label, title=title,
               names=names, corner=corner, levels=levels, model=self.model)  # fmt: skip
        self.fig.canvas.draw()
        rgba = np.asarray(self.fig.canvas.buffer_rgba())  # type: ignore[attr-defined]
        rgb = np.ascontiguousarray(rgba[..., :3])
        if grey:
            lum = rgb.astype(np.float64) @ np.array([0.299, 0.587, 0.114])
            rgb = np.repeat((0.55 * lum + 0.45 * 245)[..., None], 3, axis=2).astype(np.uint8)
        return rgb


def _figure(width: int, height: int) -> Figure:
    from matplotlib.figure import Figure

    if width < 16 or height < 16:
        raise InputError(f"image size must be at least 16×16 pixels, got {width}×{height}")
    fig = Figure(figsize=(width / 100, height / 100), dpi=100, facecolor=_BACKGROUND)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    return fig


def _as_code(code: Code | str) -> Code:
    return Code.parse(code) if isinstance(code, str) else code


def _check_suffix(path: Path, allowed: tuple[str, ...] = RENDER_SUFFIXES) -> str:
    """The output format of ``path`` (``"png"``), or an InputError naming the allowed ones."""
    suffix = path.suffix.lower()
    if suffix not in allowed:
        what = suffix or "a file without a suffix"
        raise InputError(f"{path}: cannot write {what}: use {' or '.join(allowed)}")
    return suffix[1:]


def _save(fig: Figure, path: str | os.PathLike[str]) -> Path:
    from facs.formats._atomic import atomic_path

    target = Path(path)
    fmt = _check_suffix(target)
    with atomic_path(target) as tmp:
        fig.savefig(tmp, format=fmt, facecolor=fig.get_facecolor(), dpi=100)
    return target


def _mesh_of(code: Code, mesh: Mesh | None, identity: int | None = None) -> Mesh:
    return deform(code, identity=identity) if mesh is None else mesh


def render_image(
    code: Code | str,
    *,
    view: View | str = "front",
    muscles: bool = False,
    size: tuple[int, int] = (600, 700),
    label: bool = True,
    mesh: Mesh | None = None,
    identity: int | None = None,
) -> npt.NDArray[np.uint8]:
    """Draw a code's face into an RGB array.

    Parameters
    ----------
    code : Code or str
        The FACS code (``"0"`` is the neutral face).
    view : {"front", "three-quarter", "profile"}
        Camera yaw around the head (0°, 35°, 80°).
    muscles : bool
        Overlay the muscles of the active actions.
    size : (int, int)
        Width and height in pixels.
    label : bool
        Write the code and the names of its actions under the face.
    mesh : ndarray, shape (478, 3), optional
        Draw this mesh instead of ``deform(code)``.
    identity : int, optional
        Whose face (:func:`~facs.synth.identities`; default the mean face).

    Returns
    -------
    ndarray, shape (height, width, 3), uint8
    """
    parsed = _as_code(code)
    model = load_face_model(identity)
    fig = _figure(*size)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    _panel(ax, parsed, _mesh_of(parsed, mesh, identity), view=view, size=size,
           muscles=muscles, label=label, model=model)  # fmt: skip
    fig.canvas.draw()
    rgba = np.asarray(fig.canvas.buffer_rgba())  # type: ignore[attr-defined]
    return np.ascontiguousarray(rgba[..., :3])


def render(
    code: Code | str,
    path: str | os.PathLike[str],
    *,
    view: View | str = "front",
    muscles: bool = False,
    size: tuple[int, int] = (600, 700),
    label: bool = True,
    identity: int | None = None,
) -> Path:
    """Draw a code's face to a PNG or SVG file (by suffix), atomically.

    Parameters
    ----------
    code : Code or str
        The FACS code (``"0"`` is the neutral face).
    path : str or os.PathLike
        ``.png`` or ``.svg``.
    view, muscles, size, label, identity
        As for :func:`render_image`.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    CodeError
        The code does not parse.
    InputError
        Unknown view, suffix or identity.
    """
    parsed = _as_code(code)
    _check_suffix(Path(path))
    model = load_face_model(identity)
    fig = _figure(*size)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    _panel(ax, parsed, deform(parsed, identity=identity), view=view, size=size,
           muscles=muscles, label=label, model=model)  # fmt: skip
    return _save(fig, path)


#: The largest side-by-side image :func:`compare` draws (24 panels of 4096x4096 took
#: half a minute for a 98304x4096 PNG).
MAX_COMPARE_PIXELS = 50_000_000


def compare(
    codes: Sequence[Code | str],
    path: str | os.PathLike[str],
    *,
    view: View | str = "front",
    muscles: bool = False,
    size: tuple[int, int] = (420, 520),
    identity: int | None = None,
) -> Path:
    """Draw several codes side by side, each labelled with its code and names.

    Parameters
    ----------
    codes : sequence of Code or str
        One panel each, left to right.
    path : str or os.PathLike
        ``.png`` or ``.svg``.
    view : str
        As for :func:`render_image`.
    muscles : bool
        Overlay the muscles in every panel.
    size : (int, int)
        Width and height of one panel in pixels.
    identity : int, optional
        Whose face, in every panel (:func:`~facs.synth.identities`).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    parsed = [_as_code(c) for c in codes]
    model = load_face_model(identity)
    if not parsed:
        raise InputError("compare needs at least one code")
    _check_suffix(Path(path))
    width, height = size
    if width * len(parsed) * height > MAX_COMPARE_PIXELS:
        raise ParameterError(
            f"size: {len(parsed)} panels of {width}x{height} make a "
            f"{width * len(parsed)}x{height} image, more than {MAX_COMPARE_PIXELS / 1e6:g} "
            "megapixels: use fewer panels or a smaller size"
        )
    fig = _figure(width * len(parsed), height)
    for k, code in enumerate(parsed):
        ax = fig.add_axes((k / len(parsed), 0.0, 1 / len(parsed), 1.0))
        _panel(ax, code, deform(code, identity=identity), view=view, size=size,
               muscles=muscles, label=True, model=model)  # fmt: skip
    return _save(fig, path)
