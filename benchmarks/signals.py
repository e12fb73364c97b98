"""Which signal carries each code across sources: landmarks, blendshapes or both.

    .venv/bin/python benchmarks/signals.py [--markdown]

Per code, two views that were not used to fit anything:

- the left-out-rig r of a model reading only landmarks, only blendshapes, or
  both (from ``loro_choice.json``, written by ``loro.py --choose``; raw share 0,
  both sides averaged);
- on real faces, the F1 against the hand-made reference
  (``real_agreement.py``) of an estimator fitted on all rigs with each code
  reading only landmarks, only blendshapes, or both.

The shipped estimator is swapped out for each variant and put back after.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fit_estimator
import loro
import real_agreement

from facs.au._estimator import load_estimator, save_estimator

SOURCES = ("landmarks", "blendshapes", "both")


def left_out_rig() -> dict[str, dict[str, float]]:
    per = json.loads(loro.CHOICE.read_text())["left_out_rig_r"]
    out: dict[str, dict[str, float]] = {}
    for o, options in per.items():
        code = o.split("_")[0]
        for source in SOURCES:
            out.setdefault(code, {}).setdefault(source, [])  # type: ignore[arg-type]
            out[code][source].append(options[f"{source}@0.0"])  # type: ignore[attr-defined]
    return {c: {s: float(np.nanmean(v)) for s, v in d.items()} for c, d in out.items()}


def real_faces() -> dict[str, dict[str, float | None]]:
    target = fit_estimator.OUT
    keep = target.with_name("estimator.keep.npz")
    shutil.copy2(target, keep)
    out: dict[str, dict[str, float | None]] = {}
    try:
        for source in SOURCES:
            base = fit_estimator.SHIPPED
            cfg = loro.Config(**{**base.__dict__, "sources": tuple((o, source) for o, _ in
                                                                   base.sources)})  # fmt: skip
            save_estimator(fit_estimator.build(fit_estimator.shipped_videos(), cfg), target)
            load_estimator.cache_clear()
            res = real_agreement.score()
            for code, stats in res["per_code"].items():
                out.setdefault(code, {})[source] = stats["f1"] if stats["n_reference"] else None
            print(f"{source}: real overall F1 {res['overall']['f1']:.2f}", file=sys.stderr)
    finally:
        shutil.move(keep, target)
        load_estimator.cache_clear()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--markdown", action="store_true")
    ap.parse_args()
    rig = left_out_rig()
    real = real_faces()
    chosen = dict(fit_estimator.SHIPPED.sources)
    print("| code | left-out rig r: landmarks | blendshapes | both | real F1: landmarks | "
          "blendshapes | both | shipped reads |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for code in sorted(rig, key=lambda c: (c[:2], c)):
        r = rig[code]
        f = real.get(code, {})
        cells = [f"{r[s]:.2f}" for s in SOURCES]
        cells += ["–" if f.get(s) is None else f"{f[s]:.2f}" for s in SOURCES]
        reads = sorted({v for k, v in chosen.items() if k.split("_")[0] == code})
        print(f"| {code} | " + " | ".join(cells) + f" | {', '.join(reads)} |")


if __name__ == "__main__":
    main()
