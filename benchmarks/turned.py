"""Faces turned or bowed away from their neutral: how well is the drawn action still read?

    .venv/bin/python benchmarks/turned.py [--markdown]

The synthesiser's face shows nine actions (12E, 4E, 1E+2E, 26E, 15E, 9E, 20E,
6E+12E, 43E), each held 10 frames between neutral frames, with its mesh turned
about the head's pivot by a yaw or pitch. Each condition is coded as one clip
(10 fps, the first 1.2 s the neutral), the neutral drawn either facing the
camera (a person turning or bowing away from where they rested) or at the same
angle as the actions (a camera fixed beside, above or below the face). Per
condition: the measured pose, the drawn codes' mean reading, the strongest other
code's (head positions 51-58 aside: the turn is really there), in how many of
the nine the drawn code is the strongest, and in how many it is blank (covered
or unscorable, 74).

This is the evidence for ``facs.au._visibility.UNSCORABLE_YAW_DEG``,
``UNSCORABLE_PITCH_DEG`` and ``UNSCORABLE_FROM_NEUTRAL_PITCH_DEG``
(benchmarks/README.md, "Faces turned away").
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd
from PIL import Image

ACTIONS = ("12E", "4E", "1E+2E", "26E", "15E", "9E", "20E", "6E+12E", "43E")
HOLD, GAP = 10, 4  # frames at 10 fps, after the round trip's neutral lead of 1.2 s
SIZE = (360, 420)
_HEAD = {f"AU{n}" for n in range(51, 59)}


def _mesh(code: str, yaw: float, pitch: float) -> np.ndarray:
    """The synthesiser's mesh for ``code``, turned about the head's pivot (degrees)."""
    from facs.synth._model import _turn_head, deform

    return _turn_head(deform(code), yaw, pitch)


def _image(code: str, yaw: float, pitch: float) -> Image.Image:
    from facs.synth._render import render_image

    return Image.fromarray(render_image(code, size=SIZE, label=False,
                                        mesh=_mesh(code, yaw, pitch)))  # fmt: skip


def _columns(code: str) -> list[str]:
    """The frames-table columns a drawn code shows (``1E+2E``: AU01, AU02)."""
    from facs.notation import Code

    return [f"AU{action.number:02d}" for action in Code.parse(code).actions]


def condition(neutral: tuple[float, float], turned: tuple[float, float]) -> dict[str, float]:
    """Code one clip: the neutral at ``neutral`` (yaw, pitch), the actions at ``turned``."""
    from facs.synth._roundtrip import _code_stills

    stills = ((code, np.asarray(_image(code, *turned)), HOLD, GAP) for code in ACTIONS)
    frames, spans = _code_stills(stills, np.asarray(_image("0", *neutral)))
    f = frames.set_index("frame")
    lead = f.loc[: spans[0][1] - 1]
    rest_pitch = float(lead["pitch"].median())
    codes = [c for c in f.columns
             if c[:2] in ("AU", "AD") and "_" not in c and c not in _HEAD]  # fmt: skip
    drawn_reads, wrong_reads, strongest, blank, yaw, pitch = [], [], 0, 0, [], []
    for code, start, end in spans:
        hold = f.loc[start + 2 : end - 2]
        yaw.append(float(hold["yaw"].mean()))
        pitch.append(float(hold["pitch"].mean()))
        mine = _columns(code)
        means = hold[codes].mean()
        read = float(means[mine].mean())
        if not np.isfinite(read):
            blank += 1
            continue
        wrong = float(means.drop(mine).max())
        drawn_reads.append(read)
        wrong_reads.append(wrong)
        strongest += int(read > wrong)
    return {
        "yaw": float(np.nanmean(yaw)), "pitch": float(np.nanmean(pitch)),
        "from_neutral": float(np.nanmean(pitch)) - rest_pitch,
        "read": float(np.mean(drawn_reads)) if drawn_reads else float("nan"),
        "wrong": float(np.mean(wrong_reads)) if wrong_reads else float("nan"),
        "strongest": strongest, "blank": blank,
    }  # fmt: skip


#: (label, neutral (yaw, pitch), actions (yaw, pitch)); pitch > 0 raises the face.
CONDITIONS = [
    *(
        (f"bowed {p}°, frontal neutral", (0.0, 0.0), (0.0, -p))
        for p in (10, 15, 20, 25, 27, 30, 35)
    ),
    *((f"raised {p}°, frontal neutral", (0.0, 0.0), (0.0, p)) for p in (10, 15, 20, 22, 25, 30)),
    *((f"bowed {p}°, neutral bowed too", (0.0, -p), (0.0, -p)) for p in (20, 30)),
    *((f"raised {p}°, neutral raised too", (0.0, p), (0.0, p)) for p in (20, 30)),
    *((f"frontal after a neutral bowed {p}°", (0.0, -p), (0.0, 0.0)) for p in (30, 35)),
    ("frontal after a neutral raised 25°", (0.0, 25.0), (0.0, 0.0)),
    *((f"turned {y}°, frontal neutral", (0.0, 0.0), (y, 0.0)) for y in (15, 30)),
    ("front", (0.0, 0.0), (0.0, 0.0)),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--only", default=None, help="conditions whose label contains this")
    args = ap.parse_args()
    rows = []
    for label, neutral, turned in CONDITIONS:
        if args.only and args.only not in label:
            continue
        r = condition(neutral, turned)
        rows.append({"condition": label, **r})
        print(f"{label}: measured yaw {r['yaw']:.0f}, pitch {r['pitch']:.0f} "
              f"({r['from_neutral']:+.1f} from the neutral); drawn read "
              f"{r['read']:.2f}, strongest wrong {r['wrong']:.2f}, drawn the strongest in "
              f"{r['strongest']} of {len(ACTIONS)}, blank {r['blank']}",
              file=sys.stderr, flush=True)  # fmt: skip
    table = pd.DataFrame(rows)
    if args.markdown:
        print("| condition | measured yaw | measured pitch | pitch from the neutral | "
              "drawn read | strongest wrong | drawn the strongest | blank |\n"
              "|---|---|---|---|---|---|---|---|")  # fmt: skip
        for r in table.itertuples():
            print(f"| {r.condition} | {r.yaw:.0f}° | {r.pitch:.0f}° | {r.from_neutral:+.1f}° | "
                  f"{r.read:.2f} | {r.wrong:.2f} | {r.strongest} of {len(ACTIONS)} | "
                  f"{r.blank} |")  # fmt: skip
    else:
        print(table.round(2).to_string(index=False))


if __name__ == "__main__":
    main()
