"""Fit the shipped AU estimator on the synthetic range-of-motion clips.

    .venv/bin/python benchmarks/fit_estimator.py [--mlp] [--no-mirror] [--alpha 0.003]

Fits on the FIT identities only (the HELD_OUT ones in _rom.py are never
seen) and writes src/facs/au/estimator.npz:

- a frontal reference face (generalised Procrustes over neutral frames);
- features: aligned landmarks and blendshapes minus each clip's automatic
  baseline (the same `find_baseline` `facs code` uses);
- augmentation: every frame also mirrored left-right (landmarks through the
  mesh's symmetry, Left/Right blendshapes and outputs swapped), which doubles
  the identities' asymmetries the model sees;
- a ridge head on the standardised features and, with --mlp, a two-layer
  perceptron on their 200 whitened principal components (scikit-learn, used
  only here: the shipped file holds plain arrays), averaged with the ridge;
- the population neutral (mean baseline), its pose bias (measured minus true
  pose on the neutral lead) and a per-output noise floor (95th percentile of
  outputs on action-free frames under the population neutral), used for
  stills.
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
    Model,
    find_baseline,
    frontal_reference,
    save_estimator,
)
from facs.au._geometry import align
from facs.face import BLENDSHAPE_NAMES

OUT = Path(__file__).resolve().parents[1] / "src" / "facs" / "au" / "estimator.npz"
POINTS = np.arange(478)


def mirror_maps(reference: np.ndarray, outputs: tuple[str, ...]) -> tuple[np.ndarray, ...]:
    """Index maps that mirror landmarks, blendshapes and outputs left-right."""
    flipped = reference * np.array([-1.0, 1.0, 1.0])
    points = np.array([np.argmin(((reference - p) ** 2).sum(1)) for p in flipped])

    def swap(name: str) -> str:
        for a, b in (("Left", "Right"), ("Right", "Left"), ("_L", "_R"), ("_R", "_L")):
            if name.endswith(a) or (a in name and a in ("Left", "Right")):
                return name.replace(a, b) if a in ("Left", "Right") else name[: -len(a)] + b
        return {"AU61": "AU62", "AU62": "AU61"}.get(name, name)

    shapes = np.array([BLENDSHAPE_NAMES.index(swap(n)) for n in BLENDSHAPE_NAMES])
    outs = np.array([outputs.index(swap(o)) for o in outputs])
    return points, shapes, outs


def mirror_features(x: np.ndarray, points: np.ndarray, shapes: np.ndarray) -> np.ndarray:
    geo = x[:, : len(POINTS) * 3].reshape(len(x), len(POINTS), 3)[:, points].copy()
    geo[:, :, 0] *= -1.0
    return np.concatenate([geo.reshape(len(x), -1), x[:, len(POINTS) * 3 :][:, shapes]], axis=1)


def ridge(x: np.ndarray, y: np.ndarray, alpha: float) -> tuple[np.ndarray, ...]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    z = (x - mean) / scale
    ym = y.mean(axis=0)
    gram = z.T @ z
    gram[np.diag_indices_from(gram)] += alpha * len(z)
    return mean, scale, np.linalg.solve(gram, z.T @ (y - ym)), ym


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--alpha", type=float, default=0.003)
    ap.add_argument("--mlp", action="store_true")
    ap.add_argument("--mlp-weight", type=float, default=0.5)
    ap.add_argument("--no-mirror", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    _rom.require_data()
    t0 = time.time()
    data = {c: _rom.cached_perception(_rom.ROM / f"{c}.mp4") for c in _rom.FIT}
    px = {
        c: d["landmarks"] * np.array([*d["size"][0], d["size"][0][0]], np.float32)
        for c, d in data.items()
    }
    reference = frontal_reference(np.concatenate([p[5:25:5] for p in px.values()]))
    dummy = Baseline(
        np.zeros((478, 3), np.float32), np.zeros(52, np.float32), np.zeros(3), np.nan, "population"
    )
    rows = []
    for c, d in data.items():
        aligned, size = align(px[c], reference, return_scale=True)
        base = find_baseline(
            aligned=aligned,
            blendshapes=d["blendshapes"],
            pose=d["pose"],
            size=size,
            time_s=d["time_s"],
            population=dummy,
        )
        rows.append((c, aligned, d["blendshapes"], base, _rom.model_targets(_rom.labels(c))))
    true_pose = {c: _rom.labels(c)[["yaw_deg", "pitch_deg", "roll_deg"]].to_numpy() for c in data}
    bias = np.median([np.median(data[c]["pose"][:25] - true_pose[c][:25], 0) for c in data], 0)
    population = Baseline(
        shape=np.mean([r[3].shape for r in rows], axis=0).astype(np.float32),
        blendshapes=np.mean([r[3].blendshapes for r in rows], axis=0).astype(np.float32),
        pose=bias.astype(np.float64), size=float("nan"), kind="population",
    )  # fmt: skip
    outputs = tuple(rows[0][4])
    proto = Model(outputs, POINTS, np.zeros(1), np.ones(1), np.zeros((1, 1)), np.zeros(1))
    xs, ys, xp = [], [], []
    for _, aligned, bs, base, tgt in rows:
        ok = np.isfinite(aligned).all(axis=(1, 2)) & np.isfinite(bs).all(axis=1)
        xs.append(proto.features(aligned[ok], bs[ok], base))
        xp.append(proto.features(aligned[ok], bs[ok], population))
        ys.append(np.stack([tgt[o][ok] for o in outputs], axis=1))
    x, y, x_pop = np.concatenate(xs), np.concatenate(ys), np.concatenate(xp)
    if not args.no_mirror:
        mp, ms, mo = mirror_maps(reference, outputs)
        x = np.concatenate([x, mirror_features(x, mp, ms)])
        y = np.concatenate([y, y[:, mo]])
    print(f"design: {x.shape[0]} frames x {x.shape[1]} features -> {y.shape[1]} outputs")
    mean, scale, w, b = ridge(x, y, args.alpha)
    model = Model(outputs, POINTS, mean, scale, w, b)
    if args.mlp:
        from sklearn.decomposition import PCA
        from sklearn.neural_network import MLPRegressor

        z = (x - mean) / scale
        pca = PCA(200, random_state=args.seed).fit(z)
        comps = pca.transform(z)
        cscale = comps.std(axis=0)
        basis = (pca.components_.T / cscale).astype(np.float64)
        shift = (pca.mean_ @ pca.components_.T) / cscale  # PCA centres; fold into first layer
        net = MLPRegressor(hidden_layer_sizes=(512, 256), alpha=1e-2, max_iter=200,
                           early_stopping=True, random_state=args.seed, batch_size=256)  # fmt: skip
        net.fit(comps / cscale, y / 5.0)
        layers = [(wt.astype(np.float64), bt.astype(np.float64)) for wt, bt in
                  zip(net.coefs_, net.intercepts_, strict=True)]  # fmt: skip
        layers[0] = (layers[0][0], layers[0][1] - shift @ layers[0][0])
        model = Model(outputs, POINTS, mean, scale, w, b, basis=basis, layers=tuple(layers),
                      mlp_weight=args.mlp_weight)  # fmt: skip
        print(f"mlp: {net.n_iter_} epochs")
    pop_pred = model.predict(x_pop)
    y_fit = np.concatenate(ys)
    floor = np.array(
        [np.percentile(pop_pred[y_fit[:, k] < 0.25, k], 95) for k in range(len(outputs))]
    )
    info = {
        "fitted_on": _rom.FIT,
        "held_out": _rom.HELD_OUT,
        "alpha": args.alpha,
        "mirror": not args.no_mirror,
        "mlp": bool(args.mlp),
        "mlp_weight": args.mlp_weight if args.mlp else 0.0,
        "features": int(x.shape[1]),
        "frames": int(x.shape[0]),
        "method": "ridge"
        + (" + MLP" if args.mlp else "")
        + " on neutral-subtracted aligned landmarks + blendshapes",
    }
    save_estimator(Estimator(reference, population, model, info, population_floor=floor), OUT)
    print(json.dumps(info))
    print(f"pose bias (yaw, pitch, roll): {np.round(bias, 2).tolist()}")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.1f} MB) in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
