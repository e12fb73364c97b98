"""Accuracy of the AU estimator on a rig it never saw, per code.

    .venv/bin/python benchmarks/accuracy.py [--rigs facshuman,rocketbox] [--same-rig] [--markdown]

Headline: leave one rig out. For each rig (the synthetic-rom FACSHuman clips
and every rig rendered by benchmarks/rigs/render_clips.py), an estimator is
fitted on the other rigs with the shipped configuration and scored on every
clip of the rig left out, through the same baseline and timeline as `facs
code` (cached perception: landmarks, blendshapes, pose from the real
pipeline). Second (``--same-rig``): the shipped estimator on the held-out
synthetic-rom identities (_rom.HELD_OUT), new faces of a rig it was fitted on.
Beside every figure, the raw blendshape mapping (blendshape -> AU per
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
    TRACE_FLOOR,
    Baseline,
    Estimator,
    find_baseline,
    head_series,
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
    pose = d["pose"].astype(float)
    aligned, size = est.align(d["landmarks"] * np.array([w, h, w], np.float32), pose,
                              d["blendshapes"])  # fmt: skip
    base = baseline or find_baseline(
        aligned=aligned,
        blendshapes=d["blendshapes"],
        pose=pose,
        size=size,
        time_s=d["time_s"],
        population=est.population,
        estimator=est,  # region by region, as `facs code` finds it
    )
    if raw:
        cols = {c: np.zeros(len(aligned)) for c in (*CODE_COLUMNS, *SIDE_COLUMNS)}
        for c, v in raw_blendshape_columns(d["blendshapes"], base).items():
            cols[c] = v
        for code in CODED:
            if code.sided:
                cols[code.column] = np.maximum(cols[f"{code.column}_L"], cols[f"{code.column}_R"])
    else:
        cols = est.estimate(  # what the model reads, withheld codes too (they are scored)
            aligned=aligned,
            size=size,
            blendshapes=d["blendshapes"],
            pose=pose,
            baseline=base,
            withhold=False,
        )
    cols.update(head_series(d["time_s"], pose, size, base))
    t = pd.DataFrame(cols)
    t.insert(0, "frame", d["frame"])
    t.insert(1, "time_s", d["time_s"])
    t.insert(2, "face", 0)
    t.insert(3, "success", np.isfinite(pose[:, 0]).astype(int))
    t.insert(4, "confidence", 1.0)
    for k, name in enumerate(("yaw", "pitch", "roll")):
        t.insert(5 + k, name, pose[:, k])
    t = t[list(FRAME_COLUMNS)]
    # The estimator's traces floored as `facs code` floors them (the raw mapping is
    # MediaPipe's, compared as it is).
    return process(t, fps=30.0, trace_floor=0.0 if raw else TRACE_FLOOR)


def frames_for(video: Path, *, raw: bool, estimator: Estimator | None = None
               ) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    return frames_from(_rom.cached_perception(video), raw=raw, estimator=estimator)


def score(pred: np.ndarray, true: np.ndarray) -> tuple[float, float]:
    ok = np.isfinite(pred) & np.isfinite(true)
    p, t = pred[ok], true[ok]
    r = float(np.corrcoef(p, t)[0, 1]) if p.std() > 0 and t.std() > 0 else float("nan")
    tp = float(((p >= 0.5) & (t >= 0.5)).sum())
    fp = float(((p >= 0.5) & (t < 0.5)).sum())
    fn = float(((p < 0.5) & (t >= 0.5)).sum())
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float("nan")
    return r, f1


def evaluate(videos: list[Path], estimator: Estimator | None = None) -> pd.DataFrame:
    """Per frames-table code these clips show: r and F1 of the model and of the raw mapping."""
    preds: dict[str, dict[str, list[np.ndarray]]] = {"model": {}, "raw": {}}
    truth: dict[str, list[np.ndarray]] = {}
    present: set[str] = set()
    for video in videos:
        lab = _rom.clip_labels(video)
        present |= _rom.present_codes(lab)
        tru = _rom.frames_truth(lab)
        for kind in preds:
            frames, _ = frames_for(video, raw=kind == "raw", estimator=estimator)
            for col in tru:
                if col in frames:
                    preds[kind].setdefault(col, []).append(frames[col].to_numpy(float))
        for col, v in tru.items():
            truth.setdefault(col, []).append(v)
        print(f"scored {video.stem}", file=sys.stderr, flush=True)
    rows = []
    for col in sorted(truth, key=lambda c: (c[:2], c)):
        t = np.concatenate(truth[col])
        if t.max() < 0.5 or col not in preds["model"] or col.split("_")[0] not in present:
            continue
        r_m, f_m = score(np.concatenate(preds["model"][col]), t)
        r_r, f_r = score(np.concatenate(preds["raw"][col]), t)
        rows.append({"code": col, "r_model": r_m, "r_raw": r_r, "f1_model": f_m, "f1_raw": f_r,
                     "active_frames": int((t >= 0.5).sum())})  # fmt: skip
    return pd.DataFrame(rows)


def _bilateral(table: pd.DataFrame) -> pd.DataFrame:
    return table[~table["code"].str.contains("_")].reset_index(drop=True)


def _means(table: pd.DataFrame) -> str:
    b = _bilateral(table)
    return (f"{len(b)} codes: r model {b['r_model'].mean():.3f} vs raw {b['r_raw'].mean():.3f}; "
            f"F1 model {b['f1_model'].mean():.3f} vs raw {b['f1_raw'].mean():.3f}")  # fmt: skip


def leave_one_rig_out(
    rigs: list[str] | None = None,
    *,
    without: tuple[str, ...] = (),
    families: tuple[tuple[str, ...], ...] = (),
) -> dict[str, pd.DataFrame]:
    """For each rig: an estimator fitted on the other rigs (shipped configuration), scored on it.

    Rigs in ``_rom.EVALUATION_ONLY`` are scored (fitted on every training rig) but
    never fitted on. ``without``: rigs neither fitted on nor scored (to compare a set
    of rigs with one rig fewer in one run). ``families``: groups of rigs that share a mesh or
    identities; the rig left out takes the rest of its family out of the fit too.
    """
    import fit_estimator

    every = {r: v for r, v in _rom.rig_clips(evaluation=True).items() if r not in without}
    out = {}
    for rig in rigs or list(every):
        family = next((f for f in families if rig in f), (rig,))
        train = {r: v for r, v in every.items()
                 if r not in family and r not in _rom.EVALUATION_ONLY}  # fmt: skip
        est = fit_estimator.build(train, fit_estimator.SHIPPED)
        out[rig] = evaluate(every[rig], est)
        print(f"{rig}: {_means(out[rig])}", file=sys.stderr, flush=True)
    return out


def combined(tables: dict[str, pd.DataFrame]) -> str:
    """One markdown row per code: r (raw r) and F1 on each left-out rig, and their means."""
    from facs.catalogue import catalogue

    rigs = list(tables)
    head = "| code | name | " + " | ".join(f"{r} r (raw) | {r} F1 (raw)" for r in rigs)
    lines = [head + " | mean r |", "|" + "---|" * (3 + 2 * len(rigs))]
    by = {r: _bilateral(t).set_index("code") for r, t in tables.items()}
    codes = sorted(set().union(*(b.index for b in by.values())), key=lambda c: (c[:2], c))
    for code in codes:
        entry = catalogue.get_entry(code.removeprefix("AU").lstrip("0") if code[:2] == "AU"
                                    else code)  # fmt: skip
        name = entry.name if entry else ""
        cells, rs = [], []
        for r in rigs:
            if code in by[r].index:
                row = by[r].loc[code]
                rs.append(row["r_model"])
                cells.append(f"{row['r_model']:.2f} ({row['r_raw']:.2f}) | "
                             f"{row['f1_model']:.2f} ({row['f1_raw']:.2f})")  # fmt: skip
            else:
                cells.append("– | –")
        lines.append(f"| {code} | {name} | " + " | ".join(cells) + f" | {np.nanmean(rs):.2f} |")
    return "\n".join(lines)


def _print(table: pd.DataFrame, markdown: bool) -> None:
    if markdown:
        print("| code | r model | r raw | F1 model | F1 raw | active frames |")
        print("|---|---|---|---|---|---|")
        for row in table.itertuples():
            print(f"| {row.code} | {row.r_model:.2f} | {row.r_raw:.2f} | {row.f1_model:.2f} | "
                  f"{row.f1_raw:.2f} | {row.active_frames} |")  # fmt: skip
    else:
        print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rigs", default=None, help="left-out rigs to score (default: every rig)")
    ap.add_argument(
        "--same-rig",
        action="store_true",
        help="also score the shipped estimator on the held-out synthetic-rom clips",
    )
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--without", default="", help="rigs to leave out of every fit (a,b)")
    ap.add_argument(
        "--family",
        action="append",
        default=[],
        help="rigs left out together (a,b: e.g. rocketbox,rocketbox_arkit share their heads)",
    )
    args = ap.parse_args()
    _rom.require_data()
    tables = leave_one_rig_out(
        args.rigs.split(",") if args.rigs else None,
        without=tuple(r for r in args.without.split(",") if r),
        families=tuple(tuple(f.split(",")) for f in args.family),
    )
    print("# Leave one rig out (fit on the other rigs, score the rig left out)")
    for rig, table in tables.items():
        print(f"\n## {rig} left out: {_means(table)}")
        _print(_bilateral(table), args.markdown)
        worse = _bilateral(table)
        worse = worse[worse["r_model"] < worse["r_raw"]]
        if len(worse):
            print("below the raw mapping: " + ", ".join(worse["code"]))
    if args.markdown:
        print("\n## Per code, every left-out rig\n")
        print(combined(tables))
    if args.same_rig:
        held = [_rom.ROM / f"{c}.mp4" for c in _rom.HELD_OUT]
        table = evaluate(held)
        print(f"\n# Same rig, held-out identities (shipped estimator): {_means(table)}")
        _print(_bilateral(table), args.markdown)


if __name__ == "__main__":
    main()
