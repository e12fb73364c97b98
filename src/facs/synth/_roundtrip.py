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
from pathlib import Path

import numpy as np
import pandas as pd

from facs.series import CODED

__all__ = ["FPS", "confusion", "rendered_codes", "visibility"]

FPS = 10
LEAD, HOLD, BLINK, GAP = 12, 6, 2, 2
_SIZE = (480, 560)


def rendered_codes() -> list[tuple[str, str]]:
    """(frames column, code rendered at E) for every coded code the model shows."""
    from facs.synth._model import shown_codes

    shown = set(shown_codes())
    out = []
    for c in CODED:
        if str(c.number) in shown:
            out.append((c.column, f"L{c.number}E" if c.number == 46 else f"{c.number}E"))
    return out


def confusion(codes: list[tuple[str, str]] | None = None, *, top: int = 3) -> pd.DataFrame:
    """Rendered code → rank of its column among every coded column, and the strongest found.

    Returns
    -------
    DataFrame
        One row per rendered code: ``rendered`` (the code), ``column``, ``value``
        (its mean intensity 0–5 over the hold, or its peak for a blink or wink),
        ``rank`` (1 = the strongest column) and ``found`` (the ``top`` strongest).
        25 (lips part) is left out of the ranking of other codes: FACS scores it
        beside whatever parts the lips (10, 9, 26 … at high intensity).
    """
    from PIL import Image

    from facs.coding import code as code_folder
    from facs.synth._render import render_image

    todo = codes if codes is not None else rendered_codes()
    neutral = render_image("0", size=_SIZE, label=False)
    spans: list[tuple[str, str, int, int, bool]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        frame = 0

        def put(image: np.ndarray, count: int) -> None:
            nonlocal frame
            still = Image.fromarray(image)
            for _ in range(count):
                still.save(folder / f"f{frame:05d}.png")
                frame += 1

        put(neutral, LEAD)
        for column, text in todo:
            brief = column in ("AU45", "AU46")
            count = BLINK if brief else HOLD
            spans.append((column, text, frame, frame + count, brief))
            put(render_image(text, size=_SIZE, label=False), count)
            put(neutral, GAP if not brief else HOLD)
        neutral_span = (0.0, (LEAD - 1) / FPS)
        frames = code_folder(folder, fps=FPS, neutral=neutral_span, max_faces=1).frames
    columns = [c.column for c in CODED]
    rows = []
    for column, text, start, end, brief in spans:
        if brief:  # a blink's label covers its closure; take the peak around it
            window = frames[(frames["frame"] >= start - 1) & (frames["frame"] <= end)]
            values = window[columns].max()
        else:  # the hold, less its first two and last frames (smoothing)
            window = frames[(frames["frame"] >= start + 2) & (frames["frame"] < end - 1)]
            values = window[columns].mean()
        if column != "AU25":  # lips apart are scored as 25 whatever parts them (FACS)
            values = values.drop("AU25")
        ranked = values.sort_values(ascending=False, kind="stable")
        rows.append(
            {
                "rendered": text,
                "column": column,
                "value": float(values[column]),
                "rank": list(ranked.index).index(column) + 1,
                "found": ", ".join(f"{c} {v:.1f}" for c, v in ranked.head(top).items()),
            }
        )
    return pd.DataFrame(rows)


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
        image = render_image(text, size=_SIZE, label=False)
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
