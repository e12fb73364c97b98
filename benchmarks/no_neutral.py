"""Takes with no calm moment: the baseline when a clip never shows a neutral face.

Each held-out synthetic-rom identity is cut two ways, so the clip holds no
neutral at all: to its expression frames (every frame where some code is at
least a quarter up, 1.25 of 5: the neutral lead, the rests between segments
and the first steps of each rise are dropped), and to the frames where the
mouth acts at C or more (a lower-face or nose code at 3 of 5: a take that
talks, smiles or cries throughout). Coded three ways:

- ``true neutral``: the identity's own neutral (its lead frames, from the full clip),
  the best any automatic choice could do;
- ``calmest 20 %``: the previous rule, the calmest fifth of the frames taken as neutral;
- ``by region``: `facs code`'s rule (``facs.au._estimator.find_baseline`` with the estimator):
  the calmest 20 %, read region by region against the population neutral; a
  region whose calmest frames still show an expression takes the population's.

Prints per code r and mean absolute error (0-5) over the codes present, and
which regions fell back to the population. Also the Pexels take (crying, then
laughing; no neutral): its baseline kind and regions.

    python benchmarks/no_neutral.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _rom
from accuracy import frames_from

from facs.au._estimator import find_baseline, load_estimator


def _cut(d: dict[str, np.ndarray], keep: np.ndarray) -> dict[str, np.ndarray]:
    return {k: (v[keep] if k != "size" and len(v) == len(keep) else v) for k, v in d.items()}


def main() -> None:
    spread()
    for kind in ("expression frames", "the mouth always moving"):
        print(f"\n## clips cut to {kind}\n")
        run(kind)


def _spread_of(est, d: dict[str, np.ndarray], keep: np.ndarray | None = None) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """``calm_spread`` per region of one face's calm frames (``facs code``'s choice)."""
    from facs.au._batch import baseline_rows
    from facs.au._estimator import (
        _against_population,
        calm_spread,
        expression_total,
        median_baseline,
    )

    w, h = d["size"][0]
    al, size = est.align(d["landmarks"] * np.array([w, h, w], np.float32), d["pose"],
                         d["blendshapes"])  # fmt: skip
    bs = d["blendshapes"].astype(np.float64)
    if keep is not None:
        bs = np.where(keep[:, None], bs, np.nan)  # a dropped (or covered) frame is no candidate
    rows = baseline_rows(bs, d["time_s"])
    spread = calm_spread(al, d["blendshapes"], d["pose"], size, rows, est)
    out = {r: v for r, (v, _) in spread.items()}
    # How the calm frames' median reads against the population (NEUTRAL_RUN_MAX's evidence)
    median = median_baseline(al, d["blendshapes"], d["pose"], size, rows, "auto")
    read = _against_population(est, est.population, median.shape[None],
                               median.blendshapes[None])  # fmt: skip
    out["population"] = float(expression_total(read)[0])
    return out


def spread() -> None:
    """Calm spread (``NEUTRAL_SPREAD``'s evidence): takes with a neutral against takes without."""
    import facs
    from facs.au._estimator import NEUTRAL_REGIONS, NEUTRAL_SPREAD

    est = load_estimator()
    print(f"## calm spread (face limit NEUTRAL_SPREAD = {NEUTRAL_SPREAD})\n")
    print("| takes | clips | face: max (median) | "
          + " | ".join(f"{r}: max" for r in NEUTRAL_REGIONS)
          + " | clips at or over the limit | calm median vs population: max |")  # fmt: skip
    print("|---|---|---|" + "---|" * (len(NEUTRAL_REGIONS) + 2))

    def row(name: str, values: list[dict[str, float]]) -> None:
        total = [sum(v[r] for r in NEUTRAL_REGIONS) for v in values]
        cells = [f"{max(total):.2f} ({np.median(total):.2f})"]
        cells += [f"{max(v[r] for v in values):.2f}" for r in NEUTRAL_REGIONS]
        over = sum(t >= NEUTRAL_SPREAD for t in total)
        pop = max(v["population"] for v in values)
        print(f"| {name} | {len(values)} | " + " | ".join(cells) + f" | {over} | {pop:.2f} |",
              flush=True)  # fmt: skip

    cut: list[dict[str, float]] = []
    for rig, videos in _rom.rig_clips(evaluation=True).items():
        full = []
        for video in videos:
            d = _rom.cached_perception(video)
            full.append(_spread_of(est, d))
            if rig == _rom.ROM_RIG and video.stem in _rom.HELD_OUT:
                truth = _rom.frames_truth(_rom.clip_labels(video))
                active = np.zeros(len(d["time_s"]), bool)
                for c, v in truth.items():
                    if c[2:4] not in ("51", "52", "53", "54", "55", "56", "57", "58"):
                        active |= v >= 1.25
                cut.append(_spread_of(est, d, active))
        row(f"{rig}, whole clips (a neutral lead)", full)
    row("synthetic-rom held out, expression frames only (no neutral)", cut)
    real = []
    for name in ("single_face.mp4", "face_noface.mov", "noface_face.mov"):
        real.append(_spread_of(est, _rom.cached_perception(_rom.REAL / name)))
    row("real takes with a neutral (the three short clips)", real)
    pexels = _rom.REAL / "WolfgangLanger_Pexels.mp4"
    coding = facs.code(pexels)  # as `facs code` and real_agreement.py run it
    covered = coding.frames[["covered_brows", "covered_eyes", "covered_lower"]].eq(1).any(axis=1)
    row("Pexels, uncovered frames (cries, then laughs)",
        [_spread_of(est, _rom.cached_perception(pexels), ~covered.to_numpy())])  # fmt: skip
    print(f"\nPexels in `facs code`: {coding.summary.per_face['0'].baseline}")


def run(kind: str) -> None:
    from facs.au._regions import region_of

    est = load_estimator()
    rows: dict[str, dict[str, list[float]]] = {}
    for clip in _rom.HELD_OUT:
        video = _rom.ROM / f"{clip}.mp4"
        d = _rom.cached_perception(video)
        lab = _rom.clip_labels(video)
        truth = _rom.frames_truth(lab)
        codes = sorted(c for c in _rom.present_codes(lab) if c in truth and c[2:4] not in
                       ("51", "52", "53", "54", "55", "56", "57", "58"))  # fmt: skip
        active = np.zeros(len(lab), bool)
        for c in codes:  # at least a quarter of the way up: no near-neutral frame left
            if kind == "expression frames":
                active |= truth[c] >= 1.25
            elif region_of(c) in ("lower", "nose"):  # a lower-face action at C or more
                active |= truth[c] >= 3.0
        w, h = d["size"][0]
        aligned, size = est.align(d["landmarks"] * np.array([w, h, w], np.float32), d["pose"],
                                    d["blendshapes"])  # fmt: skip
        lead = np.arange(len(lab)) < 30
        own = find_baseline(aligned=aligned[lead], blendshapes=d["blendshapes"][lead],
                            pose=d["pose"][lead], size=size[lead], time_s=d["time_s"][lead],
                            population=est.population)  # fmt: skip
        cut = _cut(d, active)
        al_c, size_c = aligned[active], size[active]
        cut_args = dict(aligned=al_c, blendshapes=cut["blendshapes"], pose=cut["pose"],
                        size=size_c, time_s=cut["time_s"], population=est.population)  # fmt: skip
        bases = {
            "true neutral": own,
            "calmest 20 %": find_baseline(**cut_args),
            "by region": find_baseline(**cut_args, estimator=est),
        }
        print(f"{clip}: {active.sum()} of {len(lab)} frames kept; by region: "
              f"{bases['by region'].kind}, population for "
              f"{list(bases['by region'].population_regions) or 'none'}", flush=True)  # fmt: skip
        for name, base in bases.items():
            frames, _ = frames_from(cut, estimator=est, baseline=base)
            for c in codes:
                p, t = frames[c].to_numpy(float), truth[c][active]
                r = float(np.corrcoef(p, t)[0, 1]) if p.std() > 0 and t.std() > 0 else np.nan
                rows.setdefault(name, {}).setdefault("r", []).append(r)
                rows[name].setdefault("mae", []).append(float(np.mean(np.abs(p - t))))
    print("\n| baseline | mean r | mean abs. error (0-5) |\n|---|---|---|")
    for name, v in rows.items():
        print(f"| {name} | {np.nanmean(v['r']):.3f} | {np.nanmean(v['mae']):.3f} |")


if __name__ == "__main__":
    main()
