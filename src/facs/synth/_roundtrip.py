"""Round trip between the synthesiser and the coder.

Render a code, code the render: the strongest code found should be the one
rendered. One sequence of stills holds every code the coder scores (a neutral
lead, then each code at its letter for :data:`HOLD` frames at :data:`FPS`, a
blink or a wink for only :data:`BLINK` frames, since the coder tells 45 and 46
from 43 by their duration), coded by :func:`facs.code` like any folder of
frames, with the neutral lead as the baseline.

:func:`visibility` measures, per code, the share of the rendered landmark
motion that MediaPipe's landmarker sees again on the render: the basis of
``VISIBILITY_GAIN`` in the deformation model.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from facs.series import CODED

__all__ = [
    "FPS",
    "GRID",
    "calibration_codes",
    "confusion",
    "fit_strength",
    "letters",
    "measure_strength",
    "rendered_codes",
    "visibility",
]

FPS = 10
LEAD, HOLD, BLINK, GAP = 12, 6, 2, 2
SIZE = (480, 560)


def rendered_codes() -> list[tuple[str, str]]:
    """(frames column, code rendered at E) for every coded code the model shows.

    Codes the coder does not score (:data:`facs.au._estimator.WITHHELD`: AD19) are
    left out: their column is blank, so no round trip can find them.
    """
    from facs.au._estimator import WITHHELD
    from facs.synth._model import shown_codes

    shown = set(shown_codes())
    out = []
    for c in CODED:
        if str(c.number) in shown and c.column not in WITHHELD:
            out.append((c.column, f"L{c.number}E" if c.number == 46 else f"{c.number}E"))
    return out


def _code_stills(
    stills: Iterable[tuple[Any, npt.NDArray[np.uint8], int, int]],
    neutral_image: npt.NDArray[np.uint8] | None = None,
) -> tuple[pd.DataFrame, list[tuple[Any, int, int]]]:
    """Code stills as one clip at :data:`FPS`, after a neutral lead (the baseline).

    ``stills`` yields ``(key, image, count, gap)``: the image is held ``count``
    frames, then the neutral face ``gap`` frames. ``neutral_image`` is that neutral
    face (default: the synthesiser's, front, at :data:`SIZE`). Returns the frames
    table of :func:`facs.code` and ``(key, first frame, end frame)`` of every still.
    """
    from PIL import Image

    from facs.coding import code as code_folder
    from facs.synth._render import render_image

    if neutral_image is None:
        neutral_image = render_image("0", size=SIZE, label=False)
    neutral = Image.fromarray(neutral_image)
    spans: list[tuple[Any, int, int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        frame = 0

        def put(still: Image.Image, count: int) -> None:
            nonlocal frame
            for _ in range(count):
                still.save(folder / f"f{frame:05d}.png", compress_level=1)
                frame += 1

        put(neutral, LEAD)
        for key, image, count, gap in stills:
            spans.append((key, frame, frame + count))
            put(Image.fromarray(image), count)
            put(neutral, gap)
        neutral_span = (0.0, (LEAD - 1) / FPS)
        frames = code_folder(folder, fps=FPS, neutral=neutral_span, max_faces=1).frames
    return frames, spans


def _hold(frames: pd.DataFrame, start: int, end: int) -> pd.DataFrame:
    """A held still's frames, less its first two and its last (the timeline smooths)."""
    return frames[(frames["frame"] >= start + 2) & (frames["frame"] < end - 1)]


def confusion(codes: list[tuple[str, str]] | None = None, *, top: int = 3) -> pd.DataFrame:
    """Rendered code → rank of its column among every coded column, and the strongest found.

    Returns
    -------
    DataFrame
        One row per rendered code: ``rendered`` (the code), ``column``, ``value``
        (its mean intensity 0–5 over the hold, or its peak for a blink or wink),
        ``rank`` (1 = the strongest column; columns read equally share a rank) and
        ``found`` (the ``top`` strongest).
        25 (lips part) is left out of the ranking of other codes: FACS scores it
        beside whatever parts the lips (10, 9, 26 … at high intensity).
    """
    from facs.synth._render import render_image

    todo = codes if codes is not None else rendered_codes()

    def stills() -> Iterator[tuple[Any, npt.NDArray[np.uint8], int, int]]:
        for column, text in todo:
            brief = column in ("AU45", "AU46")
            image = render_image(text, size=SIZE, label=False)
            yield (column, text, brief), image, BLINK if brief else HOLD, HOLD if brief else GAP

    frames, spans = _code_stills(stills())
    columns = [c.column for c in CODED]
    rows = []
    for (column, text, brief), start, end in spans:
        if brief:  # a blink's label covers its closure; take the peak around it
            window = frames[(frames["frame"] >= start - 1) & (frames["frame"] <= end)]
            values = window[columns].max()
        else:
            values = _hold(frames, start, end)[columns].mean()
        if column != "AU25":  # lips apart are scored as 25 whatever parts them (FACS)
            values = values.drop("AU25")
        ranked = values.sort_values(ascending=False, kind="stable")
        rows.append(
            {
                "rendered": text,
                "column": column,
                "value": float(values[column]),
                # ties share the better rank: two codes both read at E (5.0, clipped)
                # cannot be told apart by strength, and column order must not decide
                "rank": int((values > values[column]).sum()) + 1,
                "found": ", ".join(f"{c} {v:.1f}" for c, v in ranked.head(top).items()),
            }
        )
    return pd.DataFrame(rows)


def letters(
    codes: Sequence[tuple[int, str]] | None = None, *, identity: int | None = None
) -> pd.DataFrame:
    """Render each code at A–E (as the synthesiser draws it), code the renders.

    ``identity`` is whose face is drawn (:func:`~facs.synth.identities`; default
    the mean face, on which the letters were calibrated).

    Returns
    -------
    DataFrame
        ``column``, ``asked`` (1–5 for A–E), ``value`` (the column's mean 0–5
        over the hold) and ``coded`` (its letter, 0 for none, 1–5 for A–E).
    """
    from facs.notation import INTENSITY_LETTERS, intensity_to_letter, letter_to_intensity
    from facs.synth._render import render_image

    todo = list(codes) if codes is not None else calibration_codes()

    def stills() -> Iterator[tuple[Any, npt.NDArray[np.uint8], int, int]]:
        for number, column in todo:
            for asked, letter in enumerate(INTENSITY_LETTERS, start=1):
                text = f"{'L' if number == 46 else ''}{number}{letter}"
                image = render_image(text, size=SIZE, label=False, identity=identity)
                yield (column, asked), image, HOLD, GAP

    neutral = render_image("0", size=SIZE, label=False, identity=identity)
    frames, spans = _code_stills(stills(), neutral)
    rows = []
    for (column, asked), start, end in spans:
        value = float(_hold(frames, start, end)[column].mean())
        coded = letter_to_intensity(intensity_to_letter(value))
        rows.append({"column": column, "asked": asked, "value": value, "coded": coded})
    return pd.DataFrame(rows)


#: Amounts of each shape (its uncalibrated E = 1) rendered to calibrate the letters.
GRID = (0.1, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0, 1.25, 1.5, 1.75, 2.0)
#: The least step in drawn amount from one letter to the next.
STEP = 0.05


def calibration_codes() -> list[tuple[int, str]]:
    """(code number, frames column) of every code whose letters are calibrated.

    Every code the coder scores and the face model shows, but blinks and winks
    (45, 46): the coder tells them from 43 by their brevity, not their depth.
    """
    return [
        (int(text.lstrip("L").rstrip("ABCDE")), column)
        for column, text in rendered_codes()
        if column not in ("AU45", "AU46")
    ]


def measure_strength(
    codes: Sequence[tuple[int, str]] | None = None, *, grid: Sequence[float] = GRID
) -> pd.DataFrame:
    """Code each shape rendered at every amount of ``grid`` (capped per code).

    Returns
    -------
    DataFrame
        ``number``, ``column``, ``amount`` (of the uncalibrated E shape) and
        ``coded`` (the column's mean 0–5 over the hold).
    """
    from facs.notation import intensity_to_letter
    from facs.synth._model import STRENGTH_MAX, _is_rule, _uncalibrated
    from facs.synth._render import render_image

    todo = list(codes) if codes is not None else calibration_codes()

    def stills() -> Iterator[tuple[Any, npt.NDArray[np.uint8], int, int]]:
        for number, column in todo:
            cap = STRENGTH_MAX["rule" if _is_rule(number) else "field"]
            for amount in (a for a in grid if a <= cap + 1e-9):
                letter = intensity_to_letter(max(1.0, 5 * min(amount, 1.0)))
                text = f"{'L' if number == 46 else ''}{number}{letter}"  # creases follow it
                mesh = _uncalibrated(number, amount)
                image = render_image(text, size=SIZE, label=False, mesh=mesh)
                yield (number, column, amount), image, HOLD, GAP

    frames, spans = _code_stills(stills())
    rows = [
        {"number": n, "column": c, "amount": a, "coded": float(_hold(frames, s, e)[c].mean())}
        for (n, c, a), s, e in spans
    ]
    return pd.DataFrame(rows)


def fit_strength(amounts: Sequence[float], coded: Sequence[float], cap: float) -> list[float]:
    """The amounts to draw at A–E (intensities 1–5) from a measured amount → coded curve.

    Each letter gets the amount where the coded value (made non-decreasing)
    first reaches the letter's intensity, by linear interpolation from (0, 0);
    amounts the coder left blank (NaN: e.g. the region taken as covered) are
    skipped.
    Letters the coder never reads are spread evenly up to the amount the coder
    reads most (at most ``cap``: drawing more only distorts the face); every
    letter draws at least :data:`STEP` more than the one before.

    >>> fit_strength([0.5, 1.0, 2.0], [1.0, 3.0, 4.0], 2.0)
    [0.5, 0.75, 1.0, 1.5, 2.0]
    >>> fit_strength([0.5, 1.0, 2.0], [1.0, 3.0, 4.5], 2.0)
    [0.5, 0.75, 1.0, 1.6667, 2.0]
    >>> fit_strength([0.5, 0.7, 1.0, 2.0], [1.0, float("nan"), 3.0, 4.5], 2.0)
    [0.5, 0.75, 1.0, 1.6667, 2.0]
    >>> fit_strength([0.5, 1.0, 2.0], [1.0, 3.0, 2.5], 2.0)  # read most at 1.0
    [0.5, 0.75, 0.8333, 0.9167, 1.0]
    >>> fit_strength([0.5, 1.0], [0.2, 0.4], 1.0)
    [0.2, 0.4, 0.6, 0.8, 1.0]
    """
    seen = np.isfinite(np.asarray(coded, np.float64))
    a = np.concatenate([[0.0], np.asarray(amounts, np.float64)[seen]])
    raw = np.concatenate([[0.0], np.asarray(coded, np.float64)[seen]])
    f = np.maximum.accumulate(raw)
    cap = min(cap, float(a[int(np.argmax(raw))])) if raw.max() > 0 else cap
    out: list[float] = []
    for t in range(1, 6):
        if f[-1] < t:
            break
        i = int(np.argmax(f >= t))
        out.append(float(a[i - 1] + (t - f[i - 1]) / (f[i] - f[i - 1]) * (a[i] - a[i - 1])))
    if len(out) < 5:  # leave room below the cap for the letters never reached
        out = [v for v in out if v <= cap - STEP * (5 - out.index(v) - 1)]
        last, k = (out[-1] if out else 0.0), len(out)
        out += [last + (cap - last) * (j - k + 1) / (5 - k) for j in range(k, 5)]
    for j in range(1, 5):
        out[j] = max(out[j], out[j - 1] + STEP)
    return [round(v, 4) for v in out]


def visibility(codes: list[str]) -> pd.DataFrame:
    """Share of each code's rendered landmark motion the landmarker sees on the render.

    The render at E and the neutral render are landmarked (image mode), aligned
    to the face model's neutral, and the detected displacement is projected on
    the drawn one: ``seen`` = 1 means MediaPipe reports the motion as drawn.
    """
    from facs.au._geometry import align
    from facs.face import Frame, Landmarker
    from facs.synth._model import deform
    from facs.synth._render import render_image

    reference = deform("0")

    def landmarks(detector: Landmarker, text: str) -> np.ndarray:
        image = render_image(text, size=SIZE, label=False)
        face = detector.detect(Frame(frame=0, time_s=0.0, image=image))[0]
        px = face.landmarks.astype(np.float64) * [face.width, face.height, face.width]
        return np.asarray(align(px[None], reference)[0], dtype=np.float64)

    rows = []
    with Landmarker(max_faces=1, mode="image") as detector:
        seen_neutral = landmarks(detector, "0")
        for c in codes:
            drawn = deform(f"{c}E") - reference
            seen = landmarks(detector, f"{c}E") - seen_neutral
            share = float((drawn * seen).sum() / max(float((drawn * drawn).sum()), 1e-12))
            rows.append({"code": c, "drawn": float(np.linalg.norm(drawn)), "seen": share})
    return pd.DataFrame(rows)
