"""Accuracy of the AU estimator on held-out synthetic identities, per code.

    .venv/bin/python benchmarks/accuracy.py [--clips rom_04,rom_09] [--markdown]

For each held-out clip (identities never used in fitting, see _rom.HELD_OUT)
the shipped estimator runs on cached perception (landmarks, blendshapes,
pose from the real pipeline), through the same baseline and timeline as
`facs code`. Beside it, the raw blendshape mapping (blendshape -> AU per
FACS_REFERENCE.md §4a, same neutral subtraction, same timeline). Per code:
Pearson r between predicted and true intensity (0-5) over all frames, and F1
of presence at intensity >= A (true >= 0.5 vs predicted >= 0.5).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _rom

from facs.au._estimator import (
    Baseline,
    Estimator,
    _head_columns,
    find_baseline,
    load_estimator,
    raw_blendshape_columns,
)
from facs.series import CODE_COLUMNS, CODED, FRAME_COLUMNS, SIDE_COLUMNS
from facs.timeline import process


def frames_from(
    d: dict[str, np.ndarray],
    *,
    raw: bool = False,
    estimator: Estimator | None = None,
    baseline: Baseline | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Frames and events for one cached perception, as `facs code` computes them."""
    est = estimator or load_estimator()
    w, h = d["size"][0]
    aligned, size = est.align(d["landmarks"] * np.array([w, h, w], np.float32))
    pose = d["pose"].astype(float)
    base = baseline or find_baseline(
        aligned=aligned,
        blendshapes=d["blendshapes"],
        pose=pose,
        size=size,
        time_s=d["time_s"],
        population=est.population,
    )
    if raw:
        cols = {c: np.zeros(len(aligned)) for c in (*CODE_COLUMNS, *SIDE_COLUMNS)}
        for c, v in raw_blendshape_columns(d["blendshapes"], base).items():
            cols[c] = v
        cols.update(_head_columns(pose, size, base))
        for code in CODED:
            if code.sided:
                cols[code.column] = np.maximum(cols[f"{code.column}_L"], cols[f"{code.column}_R"])
    else:
        cols = est.estimate(
            aligned=aligned, size=size, blendshapes=d["blendshapes"], pose=pose, baseline=base
        )
    t = pd.DataFrame(cols)
    t.insert(0, "frame", d["frame"])
    t.insert(1, "time_s", d["time_s"])
    t.insert(2, "face", 0)
    t.insert(3, "success", np.isfinite(pose[:, 0]).astype(int))
    t.insert(4, "confidence", 1.0)
    for k, name in enumerate(("yaw", "pitch", "roll")):
        t.insert(5 + k, name, pose[:, k])
    t = t[list(FRAME_COLUMNS)]
    return process(t, fps=30.0)


def frames_for(clip: str, *, raw: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    return frames_from(_rom.cached_perception(_rom.ROM / f"{clip}.mp4"), raw=raw)


def score(pred: np.ndarray, true: np.ndarray) -> tuple[float, float]:
    ok = np.isfinite(pred) & np.isfinite(true)
    p, t = pred[ok], true[ok]
    r = float(np.corrcoef(p, t)[0, 1]) if p.std() > 0 and t.std() > 0 else float("nan")
    tp = float(((p >= 0.5) & (t >= 0.5)).sum())
    fp = float(((p >= 0.5) & (t < 0.5)).sum())
    fn = float(((p < 0.5) & (t >= 0.5)).sum())
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float("nan")
    return r, f1


def evaluate(clips: list[str]) -> pd.DataFrame:
    preds: dict[str, dict[str, list[np.ndarray]]] = {"model": {}, "raw": {}}
    truth: dict[str, list[np.ndarray]] = {}
    for clip in clips:
        lab = _rom.labels(clip)
        tru = _rom.frames_truth(lab)
        for kind in preds:
            frames, _ = frames_for(clip, raw=kind == "raw")
            for col in tru:
                if col in frames:
                    preds[kind].setdefault(col, []).append(frames[col].to_numpy(float))
        for col, v in tru.items():
            truth.setdefault(col, []).append(v)
        print(f"scored {clip}", file=sys.stderr, flush=True)
    rows = []
    for col in sorted(truth, key=lambda c: (c[:2], c)):
        t = np.concatenate(truth[col])
        if t.max() < 0.5 or col not in preds["model"]:
            continue
        r_m, f_m = score(np.concatenate(preds["model"][col]), t)
        r_r, f_r = score(np.concatenate(preds["raw"][col]), t)
        rows.append(
            {
                "code": col,
                "r_model": r_m,
                "r_raw": r_r,
                "f1_model": f_m,
                "f1_raw": f_r,
                "active_frames": int((t >= 0.5).sum()),
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clips", default=",".join(_rom.HELD_OUT))
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    _rom.require_data()
    table = evaluate(args.clips.split(","))
    bilateral = table[~table["code"].str.contains("_")]
    print(f"held-out clips: {args.clips}")
    if args.markdown:
        print("| code | r model | r raw | F1 model | F1 raw | active frames |")
        print("|---|---|---|---|---|---|")
        for row in table.itertuples():
            print(
                f"| {row.code} | {row.r_model:.2f} | {row.r_raw:.2f} | {row.f1_model:.2f} | "
                f"{row.f1_raw:.2f} | {row.active_frames} |"
            )
    else:
        print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print(
        f"\nmean over {len(bilateral)} codes (bilateral columns): "
        f"r model {bilateral['r_model'].mean():.3f} vs raw {bilateral['r_raw'].mean():.3f}; "
        f"F1 model {bilateral['f1_model'].mean():.3f} vs raw {bilateral['f1_raw'].mean():.3f}"
    )


if __name__ == "__main__":
    main()
