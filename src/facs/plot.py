"""The timeline plot: which codes fire when, per face, at a glance.

matplotlib loads only when :func:`plot_timeline` is called, and draws on its
own :class:`~matplotlib.figure.Figure` with the Agg canvas: pyplot's global
state is never touched.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from facs._errors import CodeError, InputError
from facs.catalogue import catalogue
from facs.formats._atomic import atomic_path
from facs.notation import Code
from facs.series import CODE_COLUMNS, code_column, validate_frames

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.colors import Colormap
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

__all__ = ["plot_timeline"]

_DPI = 100
_WIDTH_PX = 1600
_ROW_PX = 28  # one code row of the heatmap
_POSE_PX = 80  # the head-pose strip above each heatmap
_BASE_PX = 300  # titles, axis labels, colorbar, legend
_KEY_PX = 30  # the bottom row: legend and colour scale
_FACE_GAP_PX = 60  # title and space between two faces
_MAX_BINS = 2 * _WIDTH_PX  # longer series are max-pooled to this many time bins
_NAME_CHARS = 28
_CMAP = "magma_r"
_ABSENT = "#9e9e9e"  # the hatched "no face" band: hatch colour and fill
_ABSENT_FILL = (0.62, 0.62, 0.62, 0.25)
_COVERED_FILL = (0.85, 0.85, 0.85, 1.0)  # a covered region's codes: not scored, not 0
_COVERED_HATCH = "\\\\\\"
_POSE_COLOURS = {"yaw": "#1f77b4", "pitch": "#2ca02c", "roll": "#d62728"}
_CBAR_LABEL = "intensity (0 absent, 1 = A … 5 = E)"


@dataclass(frozen=True)
class _Grid:
    """The common time axis: sorted frame times and the cell edges around them."""

    times: np.ndarray  # (T,)
    edges: np.ndarray  # (T + 1,)

    @classmethod
    def from_times(cls, values: np.ndarray) -> _Grid:
        times = np.unique(values[np.isfinite(values)])
        if times.size == 0:
            return cls(times=times, edges=np.array([0.0, 1.0]))
        steps = np.diff(times)
        step = float(np.median(steps)) if steps.size else 1 / 30
        mids = (times[:-1] + times[1:]) / 2
        edges = np.concatenate([[times[0] - step / 2], mids, [times[-1] + step / 2]])
        return cls(times=times, edges=edges)

    def runs(self, mask: np.ndarray) -> list[tuple[float, float]]:
        """(start, width) in seconds of each run of True in ``mask`` (one per time)."""
        padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
        change = np.flatnonzero(np.diff(padded))
        starts, stops = change[::2], change[1::2]
        return [
            (float(self.edges[a]), float(self.edges[b] - self.edges[a]))
            for a, b in zip(starts, stops, strict=True)
        ]


@dataclass(frozen=True)
class _Face:
    """What one panel shows."""

    face: int
    columns: tuple[str, ...]  # heatmap rows, top to bottom
    values: np.ndarray  # (rows, T), NaN where the face is absent
    present: np.ndarray  # (T,) bool
    pose: dict[str, np.ndarray]  # yaw/pitch/roll on the grid, NaN where absent


def _colormap() -> Colormap:
    """magma reversed, faded to white below intensity 1 so that absent reads as blank."""
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap

    colours = colormaps[_CMAP](np.linspace(0.0, 1.0, 256))
    below_a = 256 // 5  # the part of the scale under intensity 1 (A)
    fade = np.linspace(0.0, 1.0, below_a)[:, None]
    colours[:below_a, :3] = (1 - fade) + fade * colours[below_a, :3]
    return ListedColormap(colours, name="facs_intensity").with_extremes(bad="white")


def _row_label(column: str) -> str:
    entry = catalogue.get_entry(column)
    if entry is None:
        return column
    name = entry.name
    if len(name) > _NAME_CHARS:
        name = name[: _NAME_CHARS - 1].rstrip() + "…"
    return f"{column} {name}"


def _column_number(column: str) -> int:
    return int(column[2:4])


def _faces(frames: pd.DataFrame, grid: _Grid, *, max_codes: int) -> list[_Face]:
    ok = frames[(frames["face"] >= 0) & (frames["success"] == 1)]
    columns = [c for c in CODE_COLUMNS if c in frames.columns]
    out = []
    for face_id in sorted(int(f) for f in ok["face"].unique()):
        rows = ok[ok["face"] == face_id]
        rows = rows[np.isfinite(rows["time_s"].to_numpy(dtype=float))]
        # One row per time, even if a tracker wrote two.
        rows = rows.groupby("time_s", sort=True)[[*columns, "yaw", "pitch", "roll"]].max()
        index = np.searchsorted(grid.times, rows.index.to_numpy(dtype=float))
        present = np.zeros(grid.times.size, dtype=bool)
        present[index] = True

        values = np.full((len(columns), grid.times.size), np.nan)
        values[:, index] = rows[columns].to_numpy(dtype=float).T
        finite = np.where(np.isfinite(values), values, -np.inf)
        peak = finite.max(axis=1, initial=-np.inf)
        total = np.where(finite > 0, finite, 0).sum(axis=1)
        # A clip shows the codes that make events (from 1.0); a still, every code its
        # FACS string lists (A, from 0.5), since it has no events.
        least = 0.5 if grid.times.size == 1 else 1.0
        active = [i for i in range(len(columns)) if peak[i] >= least]
        strongest = sorted(active, key=lambda i: (-peak[i], -total[i]))[:max_codes]
        chosen = sorted(strongest, key=lambda i: (_column_number(columns[i]), columns[i]))

        pose = {}
        for name in _POSE_COLOURS:
            line = np.full(grid.times.size, np.nan)
            line[index] = rows[name].to_numpy(dtype=float)
            pose[name] = line
        out.append(
            _Face(
                face=face_id,
                columns=tuple(columns[i] for i in chosen),
                values=values[chosen],
                present=present,
                pose=pose,
            )
        )
    return out


def _pool(values: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Max-pool long series to at most ``_MAX_BINS`` time bins (NaN-aware)."""
    n = values.shape[1]
    if n <= _MAX_BINS:
        return values, edges
    k = math.ceil(n / _MAX_BINS)
    bins = math.ceil(n / k)
    padded = np.full((values.shape[0], bins * k), -np.inf)
    padded[:, :n] = np.where(np.isfinite(values), values, -np.inf)
    pooled = padded.reshape(values.shape[0], bins, k).max(axis=2)
    pooled[~np.isfinite(pooled)] = np.nan
    return pooled, np.append(edges[:-1:k], edges[-1])


def _event_marks(events: pd.DataFrame | None, face: _Face) -> list[tuple[float, int, str]]:
    """(apex_s, row, text) for each event of this face on a shown row."""
    if events is None or events.empty or not face.columns:
        return []
    needed = {"face", "code", "apex_s", "letter"}
    if not needed <= set(events.columns):
        missing = ", ".join(sorted(needed - set(events.columns)))
        raise InputError(f"events table: missing column(s) {missing}")
    rows = {c: i for i, c in enumerate(face.columns)}
    own = events[events["face"] == face.face]
    sides = own["side"] if "side" in own.columns else pd.Series("", index=own.index)
    marks = []
    for code, apex, letter, side in zip(
        own["code"], own["apex_s"], own["letter"], sides, strict=True
    ):
        try:
            actions = list(Code.parse(str(code)))
        except CodeError:
            continue
        if not actions or not np.isfinite(apex):
            continue
        action = actions[0]
        column = code_column(action.number, kind="AD" if action.kind == "AD" else "AU")
        if column not in rows:
            continue
        side_text = side if isinstance(side, str) and side in ("L", "R") else ""
        letter_text = letter if isinstance(letter, str) else ""
        text = f"{side_text}{letter_text}" or "•"
        marks.append((float(apex), rows[column], text))
    return marks


def _shade(ax: Axes, grid: _Grid, absent: np.ndarray) -> bool:
    runs = grid.runs(absent)
    if not runs:
        return False
    ax.broken_barh(
        runs,
        (0, 1),
        transform=ax.get_xaxis_transform(),
        facecolor=_ABSENT_FILL,
        edgecolor=_ABSENT,
        hatch="///",
        linewidth=0,
        zorder=2,
    )
    return True


def _draw_pose(ax: Axes, grid: _Grid, face: _Face) -> None:
    for name, colour in _POSE_COLOURS.items():
        ax.plot(grid.times, face.pose[name], color=colour, linewidth=1.0, label=name)
    ax.axhline(0, color="#bbbbbb", linewidth=0.6, zorder=0)
    finite = np.concatenate([v[np.isfinite(v)] for v in face.pose.values()])
    reach = max(10.0, float(np.abs(finite).max()) * 1.15) if finite.size else 10.0
    ax.set_ylim(-reach, reach)
    ax.set_ylabel("pose (°)", fontsize=9)
    ax.tick_params(labelsize=8, labelbottom=False)
    ax.grid(axis="x", color="#e0e0e0", linewidth=0.6)
    ax.set_title(f"face {face.face}", loc="left", fontsize=11, fontweight="bold")


def _draw_heatmap(
    ax: Axes, grid: _Grid, face: _Face, events: pd.DataFrame | None, cmap: Colormap
) -> bool:
    """Draw one face's codes; True when some code was not visible (covered) somewhere."""
    n = len(face.columns)
    covered = False
    if n:
        values, edges = _pool(face.values, grid.edges)
        ax.pcolormesh(
            edges,
            np.arange(n + 1) - 0.5,
            np.ma.masked_invalid(values),
            cmap=cmap,
            vmin=0,
            vmax=5,
            shading="flat",
            rasterized=True,
            zorder=1,
        )
        # Blank where the face is there: the region was covered (70-73), the face turned
        # too far to score (74), or the eyes were shut under 61-64
        # (facs.timeline.hide_gaze_while_shut); not scored.
        for row in range(n):
            runs = grid.runs(np.isnan(face.values[row]) & face.present)
            if runs:
                covered = True
                ax.broken_barh(runs, (row - 0.5, 1), facecolor=_COVERED_FILL, edgecolor=_ABSENT,
                               hatch=_COVERED_HATCH, linewidth=0, zorder=2)  # fmt: skip
        ax.set_yticks(range(n), [_row_label(c) for c in face.columns], fontsize=9)
        ax.hlines(
            np.arange(n - 1) + 0.5, grid.edges[0], grid.edges[-1], color="#d0d0d0", linewidth=0.5
        )
        ax.set_ylim(n - 0.5, -0.5)
        span = float(grid.edges[-1] - grid.edges[0])
        marks = merge_close_marks(_event_marks(events, face), MARK_GAP * span)
        # A letter at the clip's first or last frame is drawn just inside the axis, whole.
        low, high = grid.edges[0] + 0.5 * MARK_GAP * span, grid.edges[-1] - 0.5 * MARK_GAP * span
        _draw_marks(ax, [(min(max(x, low), high), row, text) for x, row, text in marks])
    else:
        ax.set_yticks([])
        ax.set_ylim(0.5, -0.5)
        ax.text(
            0.5,
            0.5,
            "no code reaches A (intensity ≥ 1)",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=10,
            color="#555555",
        )
    ax.tick_params(axis="y", length=0)
    ax.tick_params(axis="x", labelsize=9)
    ax.grid(axis="x", color="#9e9e9e", linewidth=0.4, alpha=0.5)
    ax.set_axisbelow(False)
    return covered


#: Event letters on one row closer than this share of the time axis are drawn as one
#: label (two letters side by side take about 1 % of the plot's width): a left and a
#: right event of one code peaking together printed "RE" over "LE".
MARK_GAP = 0.012


def merge_close_marks(
    marks: Sequence[tuple[float, int, str]], gap: float
) -> list[tuple[float, int, str]]:
    """Marks on one row within ``gap`` seconds of each other merged into one label.

    Both sides at one letter read as that letter (FACS writes a bilateral action
    unprefixed); anything else is joined with "/".

    >>> merge_close_marks([(1.0, 0, "LE"), (1.05, 0, "RE"), (1.0, 1, "B")], gap=0.2)
    [(1.025, 0, 'E'), (1.0, 1, 'B')]
    >>> merge_close_marks([(2.0, 3, "LA"), (2.1, 3, "RB"), (9.0, 3, "C")], gap=0.2)
    [(2.05, 3, 'LA/RB'), (9.0, 3, 'C')]
    """
    out: list[tuple[float, int, str]] = []
    group: list[tuple[float, str]] = []
    row = -1
    for x, r, text in sorted(marks, key=lambda m: (m[1], m[0])):
        if group and (r != row or x - group[-1][0] > gap):
            out.append(_merged(group, row))
            group = []
        row = r
        group.append((x, text))
    if group:
        out.append(_merged(group, row))
    return out


def _merged(group: list[tuple[float, str]], row: int) -> tuple[float, int, str]:
    x = float(np.mean([g[0] for g in group]))
    texts = sorted({t for _x, t in group})  # L before R
    lettered = [t for t in texts if len(t) > 1]
    if (
        all(t[:1] in ("L", "R") for t in texts)
        and {t[0] for t in lettered} == {"L", "R"}
        and len({t[1:] for t in lettered}) == 1
    ):
        return x, row, lettered[0][1:]
    return x, row, "/".join(texts)


def _draw_marks(ax: Axes, marks: Sequence[tuple[float, float, str]]) -> None:
    """Each event's letter at its apex, bold and outlined in white, as one artist.

    A text artist per mark cost half the plot's time on a one-minute clip (317 marks, each
    laid out and stroked twice per save); the glyph outlines of each distinct label are
    built once and stamped at every apex by one collection (0.4 s less per plot).
    """
    if not marks:
        return
    import matplotlib.patheffects as pe
    from matplotlib.collections import PathCollection
    from matplotlib.font_manager import FontProperties
    from matplotlib.path import Path as MplPath
    from matplotlib.textpath import TextPath
    from matplotlib.transforms import Affine2D

    font = FontProperties(size=8, weight="bold")
    glyphs: dict[str, MplPath] = {}
    for _x, _y, text in marks:
        if text not in glyphs:
            path = TextPath((0, 0), text, prop=font)
            centre = (path.vertices.min(axis=0) + path.vertices.max(axis=0)) / 2
            glyphs[text] = path.transformed(Affine2D().translate(-centre[0], -centre[1]))
    stamps = PathCollection(
        [glyphs[text] for _x, _y, text in marks],
        offsets=np.array([(x, y) for x, y, _text in marks], dtype=float),
        offset_transform=ax.transData,
        transform=Affine2D().scale(ax.figure.dpi / 72.0),  # points to pixels
        facecolors="black",
        edgecolors="none",
        zorder=4,
        path_effects=[pe.withStroke(linewidth=2.2, foreground="white")],
    )
    stamps.set_clip_on(True)
    ax.add_collection(stamps, autolim=False)


def _figure_size(faces: Sequence[_Face]) -> tuple[float, float]:
    if not faces:
        return _WIDTH_PX / _DPI, _BASE_PX / _DPI
    rows = sum(max(len(f.columns), 1) for f in faces)
    height = _BASE_PX + _ROW_PX * rows + (_POSE_PX + _FACE_GAP_PX) * (len(faces) - 1)
    return _WIDTH_PX / _DPI, height / _DPI


def _image_format(path: Path, supported: Sequence[str]) -> str:
    fmt = path.suffix.lower().lstrip(".") or "png"
    if fmt not in supported:
        raise InputError(
            f"cannot write a plot to {path}: unknown image type {path.suffix!r}"
            " (use .png, .svg or .pdf)"
        )
    return fmt


def plot_timeline(
    frames: pd.DataFrame,
    events: pd.DataFrame | None,
    path: str | os.PathLike[str],
    *,
    title: str = "",
    max_codes: int = 24,
    x_label: str = "time (s)",
) -> Path:
    """Draw the codes of a frames table over time, one panel per face.

    A still (every row at one time: a photo) has no time axis: each face gets
    a bar per code that reaches A, its length the intensity, labelled with its
    letter. ``x_label`` names the axis of a sequence (``"image"`` for a folder
    of images coded without a frame rate).

    Each panel has a head-pose strip (yaw, pitch, roll in degrees) above a
    heatmap with one row per code that reaches A (intensity ≥ 1) somewhere
    for that face, colour = intensity 0–5. Event apexes are marked with their
    peak letter (``C``, or ``LC`` for a left-side event; events of one row that
    peak together share a label, ``C`` for both sides at C, ``LA/RB`` otherwise,
    see :func:`merge_close_marks`). Times where the face
    is not found are a hatched grey band. Panels share the time axis.

    Parameters
    ----------
    frames : pandas.DataFrame
        A frames table (:mod:`facs.series`).
    events : pandas.DataFrame or None
        An events table (:data:`facs.formats.EVENT_COLUMNS`) whose apexes to
        mark, or ``None``.
    path : str or os.PathLike
        Image to write; the suffix picks the type (``.png``, ``.svg``,
        ``.pdf`` …). Written atomically; missing folders are created.
    title : str, optional
        Figure title.
    max_codes : int, default 24
        At most this many rows per face: the strongest codes (highest peak,
        then most total intensity), shown in code-number order.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    InputError
        ``frames`` is not a valid frames table, or the image type is unknown.

    Examples
    --------
    >>> import tempfile
    >>> from facs.series import empty_frames
    >>> plot_timeline(empty_frames(), None, Path(tempfile.mkdtemp()) / "timeline.png").name
    'timeline.png'
    """
    if max_codes < 1:
        raise ValueError(f"`max_codes` must be at least 1, got {max_codes}")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    validate_frames(frames, source="frames table")
    target = Path(path)
    grid = _Grid.from_times(frames["time_s"].to_numpy(dtype=float))
    faces = _faces(frames, grid, max_codes=max_codes)
    cmap = _colormap()

    fig = Figure(figsize=_figure_size(faces), dpi=_DPI, facecolor="white", layout="constrained")
    canvas = FigureCanvasAgg(fig)
    fmt = _image_format(target, list(canvas.get_supported_filetypes()))
    if title:
        fig.suptitle(title, fontsize=13, fontweight="bold")

    still = grid.times.size == 1
    if faces and still:
        _draw_still(fig, faces, cmap)
    elif faces:
        _draw_faces(fig, grid, faces, events, cmap, x_label=x_label)
    else:
        _draw_no_face(fig, grid, x_label="" if still else x_label)

    with atomic_path(target) as tmp:
        # zlib level 1: a timeline PNG is mostly flat colour; level 6 took 0.45 s of a 1.8 s plot
        extra: dict[str, Any] = {"pil_kwargs": {"compress_level": 1}} if fmt == "png" else {}
        fig.savefig(tmp, format=fmt, dpi=_DPI, facecolor="white", **extra)
    return target


def _draw_faces(
    fig: Figure,
    grid: _Grid,
    faces: Sequence[_Face],
    events: pd.DataFrame | None,
    cmap: Colormap,
    *,
    x_label: str,
) -> None:
    """A pose strip and a heatmap per face, then a key row: legend and colour scale."""
    from matplotlib.lines import Line2D

    heights: list[float] = []
    for face in faces:
        heights += [_POSE_PX, _ROW_PX * max(len(face.columns), 1)]
    heights.append(_KEY_PX)
    # One grid with two columns (faces span both, the key row splits them): a nested
    # gridspec in a ratio-sized row makes the constrained layout collapse.
    spec = fig.add_gridspec(len(heights), 2, height_ratios=heights, width_ratios=[1.4, 1])
    first: Axes | None = None
    shaded = marked = hidden = False
    for k, face in enumerate(faces):
        pose_ax = fig.add_subplot(spec[2 * k, :], sharex=first)
        first = first or pose_ax
        heat_ax = fig.add_subplot(spec[2 * k + 1, :], sharex=first)
        _draw_pose(pose_ax, grid, face)
        hidden |= _draw_heatmap(heat_ax, grid, face, events, cmap)
        shaded |= _shade(pose_ax, grid, ~face.present)
        shaded |= _shade(heat_ax, grid, ~face.present)
        marked |= bool(_event_marks(events, face))
        pose_ax.legend(loc="upper right", ncol=3, fontsize=8, framealpha=0.85)
        if k < len(faces) - 1:
            heat_ax.tick_params(labelbottom=False)
        else:
            heat_ax.set_xlabel(x_label, fontsize=10)
    if first is not None:
        first.set_xlim(grid.edges[0], grid.edges[-1])

    handles: list[Patch | Line2D] = []
    if shaded:
        handles.append(_absent_patch())
    if hidden:
        handles.append(_covered_patch())
    if marked:
        label = "event apex, peak letter (L/R: side)"
        handles.append(Line2D([], [], linestyle="none", marker="$C$", color="black", label=label))
    key_ax = fig.add_subplot(spec[-1, 0])
    key_ax.set_axis_off()
    if handles:
        key_ax.legend(handles=handles, loc="center left", ncol=2, fontsize=9, frameon=False)
    _draw_scale(fig.add_subplot(spec[-1, 1]), cmap)


def _draw_scale(ax: Axes, cmap: Colormap) -> None:
    """The colour key: a horizontal bar 0–5 with the letters (a plain axes, not a colorbar,
    so that the constrained layout treats it like any other panel)."""
    steps = np.linspace(0, 5, 251)
    centres = (steps[:-1] + steps[1:]) / 2
    ax.pcolormesh(steps, [0, 1], centres[None, :], cmap=cmap, vmin=0, vmax=5, rasterized=True)
    ax.set_xlim(0, 5)
    ax.set_yticks([])
    ax.set_xticks(range(6), ["0", "1 A", "2 B", "3 C", "4 D", "5 E"], fontsize=8)
    ax.set_xlabel(_CBAR_LABEL, fontsize=9)


def _covered_patch() -> Patch:
    """Legend entry for a code not scored: its region covered, the face turned away, or eye
    position under shut lids."""
    from matplotlib.patches import Patch

    label = "not scored (covered: 70-73; turned away: 74; 61-64: eyes shut)"
    return Patch(facecolor=_COVERED_FILL, edgecolor=_ABSENT, hatch=_COVERED_HATCH, label=label)


def _absent_patch() -> Patch:
    """Legend entry for the hatched band."""
    from matplotlib.patches import Patch

    return Patch(facecolor=_ABSENT_FILL, edgecolor=_ABSENT, hatch="///", label="no face")


def _draw_still(fig: Figure, faces: Sequence[_Face], cmap: Colormap) -> None:
    """One bar chart per face of a still: codes at A or above, intensity and letter."""
    from facs.notation import intensity_to_letter

    axes = fig.subplots(1, len(faces), squeeze=False)[0]
    for ax, face in zip(axes, faces, strict=True):
        values = face.values[:, 0] if face.values.size else np.zeros(0)
        labels = [_row_label(c) for c in face.columns]
        y = np.arange(len(labels))[::-1]
        ax.barh(y, values, color=[cmap(v / 5.0) for v in values], edgecolor="#333333")
        for yi, v in zip(y, values, strict=True):
            ax.text(min(v, 5.0) + 0.08, yi, intensity_to_letter(float(v)) or "", va="center",
                    fontsize=9, fontweight="bold")  # fmt: skip
        ax.set_yticks(y, labels, fontsize=8)
        ax.set_xlim(0, 5.6)
        ax.set_xticks(range(6), ["0", "A", "B", "C", "D", "E"])
        ax.set_xlabel("intensity", fontsize=10)
        ax.set_title(f"face {face.face}", fontsize=11)
        if not labels:
            ax.text(0.5, 0.5, "no code at A or above", transform=ax.transAxes, ha="center")


def _draw_no_face(fig: Figure, grid: _Grid, *, x_label: str = "time (s)") -> None:
    ax = fig.add_subplot()
    ax.set_xlim(grid.edges[0], grid.edges[-1])
    ax.set_yticks([])
    _shade(ax, grid, np.ones(max(grid.times.size, 1), dtype=bool))
    ax.text(
        0.5,
        0.5,
        "no face found",
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=16,
        color="#333333",
        bbox={"facecolor": "white", "edgecolor": "none", "pad": 6},
        zorder=5,
    )
    ax.set_xlabel(x_label, fontsize=10)
    if not x_label:
        ax.set_xticks([])
    ax.legend(
        handles=[_absent_patch()],
        loc="upper right",
        fontsize=9,
    )
