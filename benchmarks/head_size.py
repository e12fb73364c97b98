"""How to measure the face's size for head forward/back (57/58), chosen by the rig left out.

    .venv/bin/python benchmarks/head_size.py

57 and 58 are scored from the change of the face's size (``facs.au._estimator.head_series``).
This scores, for each rig left out, the 57/58 rule (smoothing, 3 s steady window, ramp;
no timeline) with the size measured by a Procrustes fit on the alignment's stable points
or on them without the forehead (``SIZE_POINTS``: the brows' raise moves the forehead),
with the depth axis weighted 0, 0.5, 1 or 2 (``SIZE_DEPTH_WEIGHT``), each as it is, with
the pose's part taken out, and with the pose's and the jaw's (log size against
``size_drift_basis``, fitted on the other rigs' frames with no 57/58; what
``fit_estimator.fit_size_drift`` fits for the shipped file). Prints r per left-out rig
(mean of 57 and 58) and the mean over rigs, and the share of frames where the brows
act (1 or 2 at C or more), and where the jaw drops (26 or 27 at C or more), with no
head label, that read 57 or 58 at A or more; all at the shipped dead zone, then the
shipped measure at other dead zones, then with and without the rotation gate
(57/58 not scored while the head turns, bows or tilts from its steady pose).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _rom
from fit_estimator import fit_drift

from facs.au._estimator import (
    HEAD_DEAD,
    Baseline,
    head_series,
    load_estimator,
    size_drift_basis,
)
from facs.au._geometry import (
    SIZE_DEPTH_WEIGHT,
    SIZE_POINTS,
    STABLE_POINTS,
    face_size,
    to_canonical_axes,
)

DEPTH_WEIGHTS = (0.0, 0.5, 1.0, 2.0)
POINT_SETS = {"stable points": STABLE_POINTS, "without the forehead": SIZE_POINTS}
#: Terms of size_drift_basis taken out: none, the pose's five, the pose's and the jaw's.
DRIFTS = {"nothing": 0, "pose": 5, "pose and jaw": 6}
HEAD = tuple(f"AU{n}" for n in range(51, 59))


def sizes(points_px: np.ndarray, reference: np.ndarray, depth: float,
          points: tuple[int, ...]) -> np.ndarray:  # fmt: skip
    pts = to_canonical_axes(points_px)
    ok = np.isfinite(pts).all(axis=(1, 2))
    out = np.full(len(pts), np.nan)
    out[ok] = face_size(pts[ok], reference, on=points, depth=depth)
    return out


def rule(time_s: np.ndarray, size: np.ndarray, pose: np.ndarray | None = None) -> np.ndarray:
    """57 minus 58 (0-5 each), scored by ``head_series`` from a size series.

    With ``pose``, not while the head turns, bows or tilts (as shipped); without,
    the head is held still.
    """
    seen = np.isfinite(size)
    still = np.where(seen[:, None], 0.0, np.nan) * np.ones((1, 3))
    base = Baseline(np.zeros((478, 3)), np.zeros(52), np.zeros(3), 1.0, "auto")
    cols = head_series(time_s, still if pose is None else pose, size, base)
    return np.where(seen, cols["AU57"] - cols["AU58"], np.nan)


def basis(c: dict[str, np.ndarray], terms: int) -> np.ndarray:
    return size_drift_basis(c["pose"], c["blendshapes"])[:, :terms]


def fit(clips: list[dict[str, np.ndarray]], terms: int) -> np.ndarray:
    if not terms:
        return np.zeros(0)
    return fit_drift([(c["size"], basis(c, terms), c["label"] == 0) for c in clips])


def r57_58(clips: list[dict[str, np.ndarray]], coef: np.ndarray, gate: bool = False
           ) -> tuple[float, float, float]:  # fmt: skip
    """Mean r of 57 and 58; shares of brow-action and jaw-drop frames read as either."""
    pred, true, brows, jaw, still = [], [], [], [], []
    for c in clips:
        size = c["size"] * np.exp(-basis(c, len(coef)) @ coef)
        p = rule(c["time_s"], size, c["pose"] if gate else None)
        ok = np.isfinite(p)
        pred.append(p[ok])
        true.append(c["label"][ok])
        brows.append(c["brows"][ok])
        jaw.append(c["jaw"][ok])
        still.append(c["still"][ok])
    p, t = np.concatenate(pred), np.concatenate(true)
    b, j, s0 = np.concatenate(brows), np.concatenate(jaw), np.concatenate(still)
    rs = [np.corrcoef(np.maximum(s * p, 0), np.maximum(s * t, 0))[0, 1] for s in (1, -1)]
    read = np.abs(p) >= 0.5
    return (
        float(np.mean(rs)),
        float(np.mean(read[(b >= 2.5) & s0])),
        float(np.mean(read[(j >= 2.5) & s0])),
    )


def _clip(d: dict[str, np.ndarray], t: dict[str, np.ndarray], reference: np.ndarray,
          depth: float, points: tuple[int, ...]) -> dict[str, np.ndarray]:  # fmt: skip
    px = d["landmarks"].astype(np.float64) * np.r_[d["size"][0], d["size"][0][0]]
    return {"time_s": d["time_s"], "pose": d["pose"].astype(np.float64),
            "blendshapes": d["blendshapes"].astype(np.float64),
            "size": sizes(px, reference, depth, points), "label": t["AU57"] - t["AU58"],
            "brows": np.maximum(t["AU01"], t["AU02"]),
            "jaw": np.maximum(t["AU26"], t.get("AU27", 0 * t["AU26"])),
            "still": np.all([t[h] == 0 for h in HEAD], axis=0)}  # fmt: skip


def main() -> None:
    _rom.require_data()
    reference = load_estimator().reference
    perceived = {rig: [(_rom.cached_perception(v), _rom.frames_truth(_rom.clip_labels(v)))
                       for v in vs] for rig, vs in _rom.rig_clips().items()}  # fmt: skip

    print("points | depth weight | taken out | r: " + " | ".join(perceived)
          + " | mean r | brow frames read as 57/58 | jaw-drop frames read as 57/58")  # fmt: skip
    for label, points in POINT_SETS.items():
        for depth in DEPTH_WEIGHTS:
            data = {rig: [_clip(d, t, reference, depth, points) for d, t in clips]
                    for rig, clips in perceived.items()}  # fmt: skip
            for drift, terms in DRIFTS.items():
                scores = []
                for rig in data:
                    train = [c for r, cs in data.items() if r != rig for c in cs]
                    scores.append(r57_58(data[rig], fit(train, terms)))
                rs = [s[0] for s in scores]
                row = " | ".join(f"{r:.3f}" for r in rs)
                brow, jaw = np.mean([s[1] for s in scores]), np.mean([s[2] for s in scores])
                print(f"{label} | {depth:g} | {drift} | {row} | {np.mean(rs):.3f} | "
                      f"{brow:.3f} | {jaw:.3f}")  # fmt: skip
    dead_zones(perceived, reference)


def dead_zones(perceived: dict[str, list[Any]], reference: np.ndarray) -> None:
    """The shipped size measure with other dead zones (HEAD_DEAD["size"])."""
    shipped = HEAD_DEAD["size"]
    data = {rig: [_clip(d, t, reference, SIZE_DEPTH_WEIGHT, SIZE_POINTS) for d, t in clips]
            for rig, clips in perceived.items()}  # fmt: skip
    print("\ndead zone (size change) | mean r | brow frames | jaw-drop frames")
    try:
        for dead in (0.006, 0.009, 0.012, 0.015):
            HEAD_DEAD["size"] = dead
            scores = []
            for rig in data:
                train = [c for r, cs in data.items() if r != rig for c in cs]
                scores.append(r57_58(data[rig], fit(train, 6)))
            r, b, j = (np.mean([s[k] for s in scores]) for k in range(3))
            print(f"{dead:g} | {r:.3f} | {b:.3f} | {j:.3f}")
    finally:
        HEAD_DEAD["size"] = shipped
    print("\nnot while the head turns, bows or tilts (shipped) | mean r (per rig) | brow frames"
          " | jaw-drop frames")  # fmt: skip
    for gate in (False, True):
        scores = []
        for rig in data:
            train = [c for r, cs in data.items() if r != rig for c in cs]
            scores.append(r57_58(data[rig], fit(train, 6), gate))
        r, b, j = (np.mean([s[k] for s in scores]) for k in range(3))
        rigs = " ".join(f"{s[0]:.3f}" for s in scores)
        print(f"{'yes' if gate else 'no'} | {r:.3f} ({rigs}) | {b:.3f} | {j:.3f}")


if __name__ == "__main__":
    main()
