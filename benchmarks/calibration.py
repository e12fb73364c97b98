"""Gain from actor calibration on held-out identities.

    .venv/bin/python benchmarks/calibration.py [--markdown]

For each held-out clip (an identity the estimator never saw), the clip's own
first block of range-of-motion segments (its neutral lead and the bilateral
single-code segments 1 … 43 and the blink, timing from `_meta.json`, letters
from each segment's peak) is the calibration take; the rest of the clip
(one-sided actions, winks, descriptors, head and eye positions and the
combinations 6+12, 1+2+5+26, 1+4+15, 4+5+7+23, 9+10+17, 12+14, 12+25+26,
1+2+4, 6+7+12+25) is the test. Per code, Pearson r and F1 (>= A) on the test
frames, coded as a take of its own (as a performance recorded apart from the
ROM would be): generic estimator (automatic baseline found in that take) vs
calibrated (the actor's neutral + per-output gains from the ROM part).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _rom
from accuracy import frames_from, score

from facs.au import ScriptRow, apply_actor, fit_actor, load_estimator
from facs.notation import Code, intensity_to_letter


def script_for(clip: str) -> tuple[list[ScriptRow], float]:
    """Calibration rows (first block) and the time the test part starts."""
    meta = _rom.meta(clip)
    rows = [ScriptRow(0.0, (meta["neutral_lead_frames"] - 1) / 30, Code(), 1)]
    test_start = None
    for seg in meta["segments"]:
        codes = seg["codes"]
        if codes == ["blink"]:
            codes = ["45"]
        one_sided = any(c[0] in "LR" for c in codes)
        if one_sided or (len(rows) > 1 and codes[0] in ("46", "19")):
            test_start = seg["start_frame"] / 30
            break
        letter = intensity_to_letter(5 * seg["peak"]) or ""
        code = Code.parse("+".join(f"{c}{letter}" for c in codes))
        rows.append(ScriptRow(seg["start_frame"] / 30, seg["end_frame"] / 30, code, len(rows) + 1))
    assert test_start is not None
    return rows, test_start


def combos_start(clip: str) -> float:
    """Start of the combination segments (6+12 onwards): an expressive take."""
    for seg in _rom.meta(clip)["segments"]:
        if len(seg["codes"]) > 1 and seg["codes"] != ["19", "26"]:
            return float(seg["start_frame"] / 30)
    raise ValueError(clip)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument(
        "--take",
        choices=("rest", "combinations"),
        default="rest",
        help="test take: everything after the ROM block, or only the combinations (expressive)",
    )
    args = ap.parse_args()
    _rom.require_data()
    est = load_estimator()
    preds: dict[str, dict[str, list[np.ndarray]]] = {"generic": {}, "calibrated": {}}
    truth: dict[str, list[np.ndarray]] = {}
    for clip in _rom.HELD_OUT:
        d = _rom.cached_perception(_rom.ROM / f"{clip}.mp4")
        rows, test_start = script_for(clip)
        w, h = d["size"][0]
        aligned, size = est.align(d["landmarks"] * np.array([w, h, w], np.float32), d["pose"],
                                d["blendshapes"])  # fmt: skip
        actor = fit_actor(
            estimator=est, aligned=aligned, blendshapes=d["blendshapes"],
            pose=d["pose"].astype(float), size=size, time_s=d["time_s"], rows=rows, name=clip,
        )  # fmt: skip
        # The test part is coded as a take of its own (a performance recorded
        # apart from the ROM): the generic coder finds its baseline in it alone.
        if args.take == "combinations":
            test_start = combos_start(clip)
        test = d["time_s"] >= test_start
        take = {k: (v[test] if len(v) == len(test) else v) for k, v in d.items()}
        tru = _rom.frames_truth(_rom.labels(clip))
        generic, _ = frames_from(take, estimator=est)
        calibrated, _ = frames_from(take, estimator=apply_actor(est, actor), baseline=actor.neutral)
        for kind, frames in (("generic", generic), ("calibrated", calibrated)):
            for col in tru:
                if col in frames:
                    preds[kind].setdefault(col, []).append(frames[col].to_numpy(float))
        for col, v in tru.items():
            truth.setdefault(col, []).append(v[test])
        print(f"{clip}: calibrated on {actor.info['scripted_frames']} frames", file=sys.stderr)
    out = []
    for col in sorted(truth):
        if "_" in col or col not in preds["generic"]:
            continue
        t = np.concatenate(truth[col])
        if (t >= 0.5).sum() < 20:
            continue
        r_g, f_g = score(np.concatenate(preds["generic"][col]), t)
        r_c, f_c = score(np.concatenate(preds["calibrated"][col]), t)
        out.append({"code": col, "r_generic": r_g, "r_calibrated": r_c, "f1_generic": f_g,
                    "f1_calibrated": f_c, "active_frames": int((t >= 0.5).sum())})  # fmt: skip
    table = pd.DataFrame(out)
    if args.markdown:
        print("| code | r generic | r calibrated | F1 generic | F1 calibrated | active frames |")
        print("|---|---|---|---|---|---|")
        for r in table.itertuples():
            print(f"| {r.code} | {r.r_generic:.2f} | {r.r_calibrated:.2f} | {r.f1_generic:.2f} "
                  f"| {r.f1_calibrated:.2f} | {r.active_frames} |")  # fmt: skip
    else:
        print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print(
        f"\nmean over {len(table)} codes on the test take ({args.take}): r generic "
        f"{table['r_generic'].mean():.3f} -> calibrated {table['r_calibrated'].mean():.3f}; "
        f"F1 {table['f1_generic'].mean():.3f} -> {table['f1_calibrated'].mean():.3f}"
    )


if __name__ == "__main__":
    main()
