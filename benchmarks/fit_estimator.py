"""Fit the shipped AU estimator on the synthetic range-of-motion clips.

    .venv/bin/python benchmarks/fit_estimator.py [--alpha A]

Fits on the FIT identities only (the HELD_OUT ones in _rom.py are never
seen), chooses the ridge penalty by leave-identities-out folds within the fit
set, and writes src/facs/au/estimator.npz.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _rom

from facs.au._estimator import (
    Baseline,
    Estimator,
    LinearModel,
    find_baseline,
    frontal_reference,
    save_estimator,
)
from facs.au._geometry import align

OUT = Path(__file__).resolve().parents[1] / "src" / "facs" / "au" / "estimator.npz"
POINTS = np.arange(478)


def prepare(clips: list[str], reference: np.ndarray, population: Baseline):
    rows = []
    for clip in clips:
        d = _rom.cached_perception(_rom.ROM / f"{clip}.mp4")
        w, h = d["size"][0]
        px = d["landmarks"] * np.array([w, h, w], np.float32)
        aligned, size = align(px, reference, return_scale=True)
        base = find_baseline(
            aligned=aligned,
            blendshapes=d["blendshapes"],
            pose=d["pose"],
            size=size,
            time_s=d["time_s"],
            population=population,
        )
        rows.append((clip, aligned, d["blendshapes"], base, _rom.model_targets(_rom.labels(clip))))
    return rows


def design(rows, outputs, model):
    xs, ys, groups = [], [], []
    for i, (_, aligned, bs, base, tgt) in enumerate(rows):
        ok = np.isfinite(aligned).all(axis=(1, 2)) & np.isfinite(bs).all(axis=1)
        xs.append(model.features(aligned[ok], bs[ok], base))
        ys.append(np.stack([tgt[o][ok] for o in outputs], axis=1))
        groups.append(np.full(ok.sum(), i))
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(groups)


def ridge(x, y, alpha):
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    z = (x - mean) / scale
    ym = y.mean(axis=0)
    gram = z.T @ z
    gram[np.diag_indices_from(gram)] += alpha * len(z)
    w = np.linalg.solve(gram, z.T @ (y - ym))
    return mean, scale, w, ym


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--alphas", default="0.001,0.01,0.1,1")
    args = ap.parse_args()
    _rom.require_data()
    t0 = time.time()
    neutral = []
    for clip in _rom.FIT:
        d = _rom.cached_perception(_rom.ROM / f"{clip}.mp4")
        w, h = d["size"][0]
        neutral.append(d["landmarks"][5:25:5] * np.array([w, h, w], np.float32))
    reference = frontal_reference(np.concatenate(neutral))
    dummy = Baseline(
        np.zeros((478, 3), np.float32), np.zeros(52, np.float32), np.zeros(3), np.nan, "population"
    )
    rows = prepare(_rom.FIT, reference, dummy)
    population = Baseline(
        shape=np.mean([r[3].shape for r in rows], axis=0).astype(np.float32),
        blendshapes=np.mean([r[3].blendshapes for r in rows], axis=0).astype(np.float32),
        pose=np.zeros(3),
        size=float("nan"),
        kind="population",
    )
    outputs = tuple(rows[0][4])
    proto = LinearModel(outputs, POINTS, np.zeros(1), np.ones(1), np.zeros((1, 1)), np.zeros(1))
    x, y, groups = design(rows, outputs, proto)
    print(f"design: {x.shape[0]} frames x {x.shape[1]} features -> {y.shape[1]} outputs")

    folds = np.array_split(np.unique(groups), 4)
    best = None
    for alpha in [float(a) for a in args.alphas.split(",")]:
        errs = []
        for fold in folds:
            test = np.isin(groups, fold)
            mean, scale, w, b = ridge(x[~test], y[~test], alpha)
            pred = np.clip(((x[test] - mean) / scale) @ w + b, 0, 5)
            r = [
                np.corrcoef(pred[:, k], y[test, k])[0, 1]
                for k in range(y.shape[1])
                if y[test, k].std() > 0
            ]
            errs.append(np.nanmean(r))
        score = float(np.mean(errs))
        print(f"alpha {alpha:g}: mean r over held-in folds {score:.3f}")
        if best is None or score > best[1]:
            best = (alpha, score)
    assert best is not None
    mean, scale, w, b = ridge(x, y, best[0])
    model = LinearModel(outputs, POINTS, mean, scale, w, b)
    info = {
        "fitted_on": _rom.FIT,
        "held_out": _rom.HELD_OUT,
        "alpha": best[0],
        "cv_mean_r": round(best[1], 4),
        "features": int(x.shape[1]),
        "frames": int(x.shape[0]),
        "method": "ridge on neutral-subtracted aligned landmarks + blendshapes",
    }
    save_estimator(Estimator(reference, population, model, info), OUT)
    print(json.dumps(info))
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.1f} MB) in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
