"""The printable reference sheet: every code the model can show, then the emotion prototypes.

A4 portrait pages: six panels a page, each the code at intensity C beside the
neutral face, with its number, name, muscles and the catalogue's appearance
note; then the FACS 2002 Investigator's Guide emotion prototypes, each
rendered with its code and emotion. Text is at least 7 pt.
"""

from __future__ import annotations

import contextlib
import os
import textwrap
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from facs._errors import InputError
from facs.catalogue import catalogue
from facs.notation import Code
from facs.synth._model import deform, load_face_model, shown_codes
from facs.synth._render import _Canvas

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["sheet"]

_A4 = (8.27, 11.69)  # inches, portrait
_PANEL_PX = (300, 350)  # rendered size of one face
_COLS, _ROWS = 2, 4  # code panels a page
_IMAGE_IN = 1.15  # printed size of one face (inches)
_MARGIN = 0.5  # inches
_PROTO_COLS, _PROTO_ROWS = 4, 6  # prototype panels a page
_MIN_PT = 7.0
_KIND_WORDS = {"AU": "action unit", "AD": "action descriptor", "head": "head position",
               "eye": "eye position"}  # fmt: skip


def _crop(image: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """The face part of a render (drop the label strip and most of the neck)."""
    h, w = image.shape[:2]
    return image[int(0.06 * h) : int(0.78 * h), int(0.08 * w) : int(0.92 * w)]


def _item(key: str) -> Code:
    """The code drawn for a catalogue key: intensity C, on the left for a wink."""
    return Code.parse(f"L{key}C" if key == "46" else f"{key}C")


def _muscles_text(key: str) -> str:
    entry = catalogue[key]
    if entry.muscles:
        return ", ".join(entry.muscles)
    return {"AD": "descriptor: no single muscle", "head": "neck muscles (head position)",
            "eye": "extraocular muscles (gaze)"}.get(entry.kind, "")  # fmt: skip


def _page(fig: Figure, title: str, page: int) -> None:
    fig.clear()
    fig.text(_MARGIN / _A4[0], 1 - _MARGIN / _A4[1], title, fontsize=13, weight="bold", va="top")
    fig.text(1 - _MARGIN / _A4[0], 0.3 / _A4[1], f"facs reference sheet · page {page}",
             fontsize=_MIN_PT + 0.5, ha="right", color="0.35")  # fmt: skip


def _inches(x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
    """A box given in inches from the page's bottom left, as figure fractions."""
    return x / _A4[0], y / _A4[1], w / _A4[0], h / _A4[1]


def _image(
    fig: Figure, box: tuple[float, float, float, float], image: npt.NDArray[np.uint8]
) -> None:
    ax = fig.add_axes(_inches(*box))
    ax.imshow(image, interpolation="lanczos")
    ax.set_axis_off()


def _code_panel(
    fig: Figure,
    origin: tuple[float, float],
    key: str,
    neutral: npt.NDArray[np.uint8],
    face: npt.NDArray[np.uint8],
) -> None:
    """One code: two faces, the label column beside them and the note under them."""
    x, y = origin  # the panel's top left, inches from the page's bottom left
    entry = catalogue[key]
    side = _IMAGE_IN
    for k, (img, caption) in enumerate(((neutral, "neutral"), (face, str(_item(key))))):
        left = x + k * (side + 0.05)
        _image(fig, (left, y - side - 0.18, side, side), img)
        fig.text((left + side / 2) / _A4[0], (y - 0.02) / _A4[1], caption, fontsize=8,
                 ha="center", va="top", color="0.35" if k == 0 else "0.05")  # fmt: skip
    tx = (x + 2 * side + 0.17) / _A4[0]
    fig.text(tx, (y - 0.02) / _A4[1], entry.label, fontsize=14, weight="bold", va="top")
    name = textwrap.fill(entry.name, 15)
    fig.text(tx, (y - 0.32) / _A4[1], name, fontsize=9, weight="bold", va="top",
             linespacing=1.1)  # fmt: skip
    below = y - 0.32 - 0.16 * (name.count("\n") + 1) - 0.04
    fig.text(tx, below / _A4[1], textwrap.fill(_muscles_text(key), 19), fontsize=_MIN_PT + 0.5,
             style="italic", color="0.25", va="top", linespacing=1.1)  # fmt: skip
    kind = _KIND_WORDS.get(entry.kind, entry.kind)
    note = textwrap.fill(f"{kind}: {entry.appearance}", 64)
    fig.text(x / _A4[0], (y - side - 0.26) / _A4[1], note, fontsize=_MIN_PT + 0.5, va="top",
             linespacing=1.15, color="0.1")  # fmt: skip


@contextlib.contextmanager
def _closing_quietly(pdf: Any) -> Iterator[Any]:
    """``pdf``, closed at the end; after a failure (a full disk) the close's own error
    (zlib's "inconsistent stream state") is dropped, so the first one is the one reported."""
    try:
        yield pdf
    except BaseException:
        with contextlib.suppress(Exception):
            pdf.close()
        raise
    pdf.close()


def sheet(
    path: str | os.PathLike[str],
    *,
    codes: Sequence[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    identity: int | None = None,
) -> Path:
    """Write the FACS reference sheet (multi-page A4 PDF) atomically.

    Parameters
    ----------
    path : str or os.PathLike
        A ``.pdf`` file.
    codes : sequence of str, optional
        Catalogue keys to draw (default: every code the face model can show,
        :func:`~facs.synth.shown_codes`).
    progress : callable, optional
        ``progress(done, total)`` after each rendered face.
    identity : int, optional
        Whose face every panel shows (:func:`~facs.synth.identities`; default the
        mean face).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    InputError
        The suffix is not ``.pdf``.
    """
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    from facs.emotions import prototypes
    from facs.formats._atomic import atomic_path

    target = Path(path)
    if target.suffix.lower() != ".pdf":
        raise InputError(f"{target}: the reference sheet is a PDF: use a .pdf name")
    keys = list(shown_codes() if codes is None else codes)
    protos = [p for p in prototypes() if p.source == "fig2002" and p.type == "prototype"]
    unique = list(dict.fromkeys((p.emotion, p.display(), p.code) for p in protos))
    total = 1 + len(keys) + len(unique)
    done = 0
    canvas = _Canvas(_PANEL_PX, "front", load_face_model(identity))

    def face(code: Code) -> npt.NDArray[np.uint8]:
        nonlocal done
        image = _crop(canvas.draw(deform(code, identity=identity), code, label=False))
        done += 1
        if progress is not None:
            progress(done, total)
        return image

    neutral = face(Code())
    fig = Figure(figsize=_A4)
    per_page = _COLS * _ROWS
    cell_w = (_A4[0] - 2 * _MARGIN) / _COLS
    cell_h = (_A4[1] - 2 * _MARGIN - 0.6) / _ROWS
    top = _A4[1] - _MARGIN - 0.55
    metadata = {"Title": "FACS reference sheet", "Creator": "facs"}
    with atomic_path(target) as tmp, _closing_quietly(PdfPages(tmp, metadata=metadata)) as pdf:
        page = 0
        for start in range(0, len(keys), per_page):
            page += 1
            _page(fig, "FACS reference: each code at intensity C beside the neutral face", page)
            for k, key in enumerate(keys[start : start + per_page]):
                row, col = divmod(k, _COLS)
                origin = (_MARGIN + col * cell_w, top - row * cell_h)
                _code_panel(fig, origin, key, neutral, face(_item(key)))
            pdf.savefig(fig)
        per_proto = _PROTO_COLS * _PROTO_ROWS
        w = (_A4[0] - 2 * _MARGIN) / _PROTO_COLS
        h = (_A4[1] - 2 * _MARGIN - 0.6) / _PROTO_ROWS
        for start in range(0, len(unique), per_proto):
            page += 1
            _page(fig, "Emotion prototypes (FACS 2002 Investigator's Guide)", page)
            for k, (emotion, shown, code_text) in enumerate(unique[start : start + per_proto]):
                row, col = divmod(k, _PROTO_COLS)
                x0, y0 = _MARGIN + col * w, top - row * h
                side = min(w - 0.2, h - 0.55)
                _image(
                    fig, (x0 + (w - side) / 2, y0 - side, side, side), face(Code.parse(code_text))
                )
                cx = (x0 + w / 2) / _A4[0]
                fig.text(cx, (y0 - side - 0.04) / _A4[1], emotion, fontsize=9, weight="bold",
                         ha="center", va="top")  # fmt: skip
                fig.text(cx, (y0 - side - 0.2) / _A4[1], textwrap.fill(shown, 28),
                         fontsize=_MIN_PT + 0.5, ha="center", va="top")  # fmt: skip
            pdf.savefig(fig)
    return target
