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
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _rom
from accuracy import frames_from, score

from facs.au import ScriptRow, apply_actor, fit_actor, load_estimator
from facs.notation import Code, intensity_to_letter, letter_to_intensity


def segment_codes(seg: dict) -> list[str]:
    """A segment's codes, one per item (the rigs' metadata writes a combination as ``6+12``)."""
    return [c for item in seg["codes"] for c in str(item).split("+")]


def script_for(meta: dict) -> tuple[list[ScriptRow], float]:
    """Calibration rows (first block) and the time the test part starts."""
    rows = [ScriptRow(0.0, (meta["neutral_lead_frames"] - 1) / 30, Code(), 1)]
    test_start = None
    for seg in meta["segments"]:
        codes = segment_codes(seg)
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


def combos_start(meta: dict) -> float:
    """Start of the combination segments (6+12 onwards): an expressive take."""
    for seg in meta["segments"]:
        if len(segment_codes(seg)) > 1 and segment_codes(seg) != ["19", "26"]:
            return float(seg["start_frame"] / 30)
    raise ValueError(meta["name"])


def clips_of(rig: str) -> list[tuple[Path, dict]]:
    """(video, metadata) of each clip scored: synthetic-rom's held-out identities, or every
    clip of a rendered rig (``benchmarks/rigs/render_clips.py``)."""
    if rig == _rom.ROM_RIG:
        return [(_rom.ROM / f"{c}.mp4", _rom.meta(c)) for c in _rom.HELD_OUT]
    videos = _rom.rig_clips([rig]).get(rig)
    if not videos:
        sys.exit(f"no rendered clips of {rig!r} (benchmarks/rigs/render_clips.py --rig {rig})")
    return [(v, json.loads(v.with_name(f"{v.stem}_meta.json").read_text())) for v in videos]


def _column(code: str) -> str | None:
    """The frames-table column of a segment's code (``L12`` -> ``AU12_L``); None for
    blinks, winks, the tongue (withheld) and codes the coder has no column for."""
    side = code[0] if code[0] in "LR" else ""
    number = code.lstrip("LR")
    if not number.isdigit() or int(number) in (19, 45, 46):
        return None
    n = int(number)
    base = f"AD{n:02d}" if n in (29, 30, 34) else f"AU{n:02d}"
    return f"{base}_{side}" if side else base


def apex_letters(meta: dict, frames: dict[str, pd.DataFrame], test_start: float) -> list[dict]:
    """Per test segment and code: the truth letter (5 x the segment's peak) and, per kind
    of coding, the letter at the apex (the largest value over the segment's hold, frames
    7-14, as ``letters.py`` reads it)."""
    out = []
    for seg in meta["segments"]:
        if seg["start_frame"] / 30 < test_start:
            continue
        truth = letter_to_intensity(intensity_to_letter(5 * seg["peak"]))
        for code in segment_codes(seg):
            col = _column(code)
            if col is None or any(col not in f for f in frames.values()):
                continue
            row = {"column": col, "truth": truth}
            for kind, f in frames.items():
                hold = f[col].iloc[seg["start_frame"] + 7 : seg["start_frame"] + 14]
                row[kind] = letter_to_intensity(intensity_to_letter(float(hold.max())))
            out.append(row)
    return out


def letters_table(rows: list[dict]) -> pd.DataFrame:
    """Per code: events, and the share within one letter of the truth per kind of coding."""
    t = pd.DataFrame(rows)
    t["code"] = t["column"].str.split("_").str[0]  # both sides and one side together
    out = []
    for code, g in t.groupby("code", sort=False):
        row = {"code": code, "events": len(g)}
        for kind in ("generic", "calibrated"):
            err = g[kind] - g["truth"]
            row[f"within_one_{kind}"] = float((err.abs() <= 1).mean())
            row[f"error_{kind}"] = float(err.mean())
        out.append(row)
    return pd.DataFrame(out).sort_values("code", key=lambda c: c.map(_code_key))


def _code_key(code: str) -> tuple[int, int]:
    return (code.startswith("AD"), int(code[2:]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument(
        "--take",
        choices=("rest", "combinations"),
        default="rest",
        help="test take: everything after the ROM block, or only the combinations (expressive)",
    )
    ap.add_argument(
        "--rig",
        default=_rom.ROM_RIG,
        help="clips to calibrate and test on: synthetic-rom's held-out identities (default) "
        "or every clip of a rendered rig, e.g. rocketbox_arkit (never fitted on)",
    )
    args = ap.parse_args()
    _rom.require_data()
    est = load_estimator()
    preds: dict[str, dict[str, list[np.ndarray]]] = {"generic": {}, "calibrated": {}}
    truth: dict[str, list[np.ndarray]] = {}
    letters: list[dict] = []
    for video, meta in clips_of(args.rig):
        d = _rom.cached_perception(video)
        rows, test_start = script_for(meta)
        w, h = d["size"][0]
        aligned, size = est.align(d["landmarks"] * np.array([w, h, w], np.float32), d["pose"],
                                d["blendshapes"])  # fmt: skip
        actor = fit_actor(
            estimator=est, aligned=aligned, blendshapes=d["blendshapes"],
            pose=d["pose"].astype(float), size=size, time_s=d["time_s"], rows=rows,
            name=video.stem,
        )  # fmt: skip
        # The test part is coded as a take of its own (a performance recorded
        # apart from the ROM): the generic coder finds its baseline in it alone.
        if args.take == "combinations":
            test_start = combos_start(meta)
        test = d["time_s"] >= test_start
        first = int(np.argmax(test))
        take = {k: (v[test] if len(v) == len(test) else v) for k, v in d.items()}
        tru = _rom.frames_truth(_rom.clip_labels(video))
        generic, _ = frames_from(take, estimator=est)
        calibrated, _ = frames_from(take, estimator=apply_actor(est, actor), baseline=actor.neutral)
        for kind, frames in (("generic", generic), ("calibrated", calibrated)):
            for col in tru:
                if col in frames:
                    preds[kind].setdefault(col, []).append(frames[col].to_numpy(float))
        for col, v in tru.items():
            truth.setdefault(col, []).append(v[test])
        # frames of the whole clip's numbering, so segment frames index them
        whole = {k: pd.concat([f.iloc[:0].reindex(range(first)), f], ignore_index=True)
                 for k, f in (("generic", generic), ("calibrated", calibrated))}  # fmt: skip
        letters += apex_letters(meta, whole, test_start)
        scripted = actor.info["scripted_frames"]
        print(f"{video.stem}: calibrated on {scripted} frames", file=sys.stderr)
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
    lt = letters_table(letters)
    if args.markdown:
        print("| code | r generic | r calibrated | F1 generic | F1 calibrated | active frames |")
        print("|---|---|---|---|---|---|")
        for r in table.itertuples():
            print(f"| {r.code} | {r.r_generic:.2f} | {r.r_calibrated:.2f} | {r.f1_generic:.2f} "
                  f"| {r.f1_calibrated:.2f} | {r.active_frames} |")  # fmt: skip
        print("\n| code | events | within one, generic | calibrated | mean error (letters), "
              "generic | calibrated |")  # fmt: skip
        print("|---|---|---|---|---|---|")
        for r in lt.itertuples():
            print(f"| {r.code} | {r.events} | {r.within_one_generic:.2f} | "
                  f"{r.within_one_calibrated:.2f} | {r.error_generic:+.1f} | "
                  f"{r.error_calibrated:+.1f} |")  # fmt: skip
    else:
        print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
        print(lt.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print(
        f"\nmean over {len(table)} codes on the test take ({args.take}): r generic "
        f"{table['r_generic'].mean():.3f} -> calibrated {table['r_calibrated'].mean():.3f}; "
        f"F1 {table['f1_generic'].mean():.3f} -> {table['f1_calibrated'].mean():.3f}"
    )
    n = lt["events"].sum()
    for kind in ("generic", "calibrated"):
        share = float((lt[f"within_one_{kind}"] * lt["events"]).sum() / n)
        ok = int((lt[f"within_one_{kind}"] >= 0.9).sum())
        print(f"letters at the apex, {kind}: {ok} of {len(lt)} codes with >= 90 % within one; "
              f"{share:.2f} of {n} events within one")  # fmt: skip


if __name__ == "__main__":
    main()
