"""How to measure the face's size for head forward/back (57/58), chosen by the rig left out.

    .venv/bin/python benchmarks/head_size.py

57 and 58 are scored from the change of the face's size (``facs.au._estimator.head_series``).
This scores, for each rig left out, the 57/58 rule (smoothing, 3 s steady window, ramp;
no timeline) with the size measured by a Procrustes fit on the stable points with the
depth axis weighted 0, 0.5, 1 or 2 (``SIZE_DEPTH_WEIGHT``), each with and without the
pose correction fitted on the other rigs (log size against ``size_pose_basis``; what
``fit_estimator.fit_size_pose`` fits for the shipped file). Prints r per left-out rig
(mean of 57 and 58) and the mean over rigs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _rom

from facs.au._estimator import (
    HEAD_DEAD,
    HEAD_FULL,
    _rolling_median,
    load_estimator,
    size_pose_basis,
)
from facs.au._geometry import STABLE_POINTS, procrustes_fit, to_canonical_axes

DEPTH_WEIGHTS = (0.0, 0.5, 1.0, 2.0)


def sizes(points_px: np.ndarray, reference: np.ndarray, depth: float) -> np.ndarray:
    pts = to_canonical_axes(points_px)
    idx = list(STABLE_POINTS)
    ok = np.isfinite(pts).all(axis=(1, 2))
    w = np.array([1.0, 1.0, depth])
    scale, _, _ = procrustes_fit(pts[ok][:, idx] * w, reference[idx].astype(np.float64) * w)
    out = np.full(len(pts), np.nan)
    out[ok] = 1.0 / scale
    return out


def rule(time_s: np.ndarray, size: np.ndarray) -> np.ndarray:
    """57 minus 58 (0-5 each) as head_series scores them from a size series."""
    smooth = _rolling_median(size, 2)
    steady = _rolling_median(smooth, 0, times=time_s, window_s=3.0)
    change = smooth / steady - 1.0
    span = HEAD_FULL["size"] - HEAD_DEAD["size"]
    level = np.clip(5.0 * np.maximum(np.abs(change) - HEAD_DEAD["size"], 0.0) / span, 0.0, 5.0)
    return np.asarray(np.sign(change) * level)


def fit(clips: list[dict[str, np.ndarray]]) -> np.ndarray:
    xs, ys = [], []
    for c in clips:
        log_size, basis = np.log(c["size"]), size_pose_basis(c["pose"])
        ok = np.isfinite(log_size) & (c["label"] == 0)
        lead = ok & (np.arange(len(log_size)) < 25)
        xs.append(basis[ok] - basis[lead].mean(0))
        ys.append(log_size[ok] - log_size[lead].mean())
    coef, *_ = np.linalg.lstsq(np.concatenate(xs), np.concatenate(ys), rcond=None)
    return np.asarray(coef)


def r57_58(clips: list[dict[str, np.ndarray]], coef: np.ndarray | None) -> float:
    pred, true = [], []
    for c in clips:
        size = c["size"] if coef is None else c["size"] * np.exp(-size_pose_basis(c["pose"]) @ coef)
        p = rule(c["time_s"], size)
        ok = np.isfinite(p)
        pred.append(p[ok])
        true.append(c["label"][ok])
    p, t = np.concatenate(pred), np.concatenate(true)
    rs = [np.corrcoef(np.maximum(s * p, 0), np.maximum(s * t, 0))[0, 1] for s in (1, -1)]
    return float(np.mean(rs))


def main() -> None:
    _rom.require_data()
    reference = load_estimator().reference
    perceived = {rig: [(_rom.cached_perception(v), _rom.frames_truth(_rom.clip_labels(v)))
                       for v in vs] for rig, vs in _rom.rig_clips().items()}  # fmt: skip
    print("depth weight | pose correction | " + " | ".join(perceived) + " | mean")

    def clip(d: dict[str, np.ndarray], t: dict[str, np.ndarray], depth: float
             ) -> dict[str, np.ndarray]:  # fmt: skip
        px = d["landmarks"].astype(np.float64) * np.r_[d["size"][0], d["size"][0][0]]
        return {"time_s": d["time_s"], "pose": d["pose"].astype(np.float64),
                "size": sizes(px, reference, depth), "label": t["AU57"] - t["AU58"]}  # fmt: skip

    for depth in DEPTH_WEIGHTS:
        data = {rig: [clip(d, t, depth) for d, t in clips] for rig, clips in perceived.items()}
        for corrected in (False, True):
            scores = []
            for rig in data:
                train = [c for r, cs in data.items() if r != rig for c in cs]
                scores.append(r57_58(data[rig], fit(train) if corrected else None))
            row = " | ".join(f"{s:.3f}" for s in scores)
            print(f"{depth:g} | {'yes' if corrected else 'no'} | {row} | {np.mean(scores):.3f}")


if __name__ == "__main__":
    main()
