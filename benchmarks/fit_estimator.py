"""Fit the shipped AU estimator on every rig's range-of-motion clips.

    .venv/bin/python benchmarks/fit_estimator.py [--config chosen]

Fits on all rigs together (the synthetic-rom FACSHuman clips except the
identities in ``_rom.HELD_OUT``, and every rig rendered by
benchmarks/rigs/render_clips.py) and writes src/facs/au/estimator.npz. The
configuration (features, regions, penalty) is the one chosen by the
left-out-rig score in benchmarks/loro.py; nothing is chosen here.

- a frontal reference face (generalised Procrustes over neutral frames of
  every rig);
- features: aligned landmarks and blendshapes minus each clip's automatic
  baseline (the same `find_baseline` `facs code` uses);
- augmentation: every clip also mirrored left-right (landmarks through the
  mesh's symmetry, Left/Right blendshapes and outputs swapped);
- each output a ridge on its own face region's landmarks and/or blendshapes
  (facs.au._regions; which of the two, and how much of the raw blendshape
  mapping is blended in, per output as ``loro.py --choose`` picked by the
  left-out-rig r), every rig weighing the same; one matrix product per batch;
- letter gains: each output stretched above 1.0 (``LETTER_KNEE``) so that an
  unseen rig's actions reach their letter at the apex (``loro.letter_gains``:
  each training rig left out in turn; presence and events are not moved);
- the population neutral (mean baseline), its pose bias (measured minus true
  pose on the neutral lead) and a per-output noise floor (95th percentile of
  outputs on action-free frames under the population neutral, over every clip
  and its mirror image, so both sides of a code get the same floor), used for
  stills;
- the face size's drift with head pose and jaw (``fit_size_drift``: log size
  against ``size_drift_basis`` of the perceived pose and blendshapes, on frames
  with no 57/58), taken out before 57/58 are scored. ``--size-drift-only``
  refits just that into the shipped file.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _rom
import loro

from facs.au._estimator import (
    Baseline,
    Estimator,
    frontal_reference,
    load_estimator,
    save_estimator,
    size_drift_basis,
)
from facs.au._geometry import align

OUT = Path(__file__).resolve().parents[1] / "src" / "facs" / "au" / "estimator.npz"
#: The configuration chosen by the left-out-rig score (``loro.py --choose`` writes it).
SHIPPED = loro.load_choice() if loro.CHOICE.exists() else loro.Config("regional", alpha=0.01)


def _reference(videos: list[Path]) -> np.ndarray:
    leads = []
    for v in videos:
        d = _rom.cached_perception(v)
        w, h = d["size"][0]
        px = d["landmarks"][5:25:5] * np.array([w, h, w], np.float32)
        leads.append(px[np.isfinite(px).all(axis=(1, 2))])
    return frontal_reference(np.concatenate(leads))


def fit_drift(clips: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> np.ndarray:
    """Least squares of log face size on the drift terms, over (size, basis, free) per clip.

    ``free`` marks the frames with no 57/58. Each clip is centred on its neutral
    lead (its first 25 frames), so only the change with pose and jaw is fitted, not
    the clip's camera distance; a clip with fewer than 5 usable lead frames is skipped.
    """
    xs, ys = [], []
    for size, basis, free in clips:
        log_size = np.log(size)
        ok = np.isfinite(log_size) & np.isfinite(basis).all(axis=1) & free
        lead = ok & (np.arange(len(size)) < 25)
        if lead.sum() < 5:
            continue
        xs.append(basis[ok] - basis[lead].mean(0))
        ys.append(log_size[ok] - log_size[lead].mean())
    coef, *_ = np.linalg.lstsq(np.concatenate(xs), np.concatenate(ys), rcond=None)
    return np.asarray(coef, dtype=np.float64)


def fit_size_drift(videos: list[Path], reference: np.ndarray) -> np.ndarray:
    """:func:`fit_drift` on these clips: the face's size against ``size_drift_basis``."""
    clips = []
    for v in videos:
        d = _rom.cached_perception(v)
        w, h = d["size"][0]
        _, size = align(d["landmarks"] * np.array([w, h, w], np.float32), reference,
                        return_scale=True)  # fmt: skip
        truth = _rom.frames_truth(_rom.clip_labels(v))
        free = (truth["AU57"] == 0) & (truth["AU58"] == 0)
        clips.append((size, size_drift_basis(d["pose"], d["blendshapes"]), free))
    return fit_drift(clips)


def build(videos: dict[str, list[Path]], config: loro.Config, *, mirror: bool = True,
          letters: bool = True) -> Estimator:  # fmt: skip
    """An estimator fitted on these clips (rig -> videos) with this configuration."""
    every = [v for vs in videos.values() for v in vs]
    reference = _reference(every)
    pm, sm = loro.mirror_maps(reference)
    clips: list[loro.Clip] = []
    for rig, vs in videos.items():
        for v in vs:
            c = loro.load_clip(rig, v, reference)
            clips += [c, loro.mirror_clip(c, pm, sm)] if mirror else [c]
    outputs = tuple(clips[0].targets)
    model = loro.fit_model(clips, config, outputs)
    if letters:
        model = replace(model, letter_gain=loro.letter_gains(clips, config, outputs))
    # Population neutral: the mean of the clips' own baselines; pose bias from the neutral lead.
    own = [c for c in clips if not c.name.endswith("~m")]
    population = Baseline(
        shape=np.mean([c.base.shape for c in own], axis=0).astype(np.float32),
        blendshapes=np.mean([c.base.blendshapes for c in own], axis=0).astype(np.float32),
        pose=np.median([c.pose_bias for c in own], 0).astype(np.float64), size=float("nan"),
        kind="population",
    )  # fmt: skip
    floors = []  # over every fitted face and its mirror image, like the model itself
    for c in clips:
        pred = model.predict(model.features(c.aligned, c.blendshapes, population))
        y = np.stack([c.targets[o] for o in outputs], axis=1)
        floors.append(np.where(y < 0.25, pred, np.nan))
    floor = np.nan_to_num(np.nanpercentile(np.concatenate(floors), 95, axis=0))
    for k, r in loro.side_pairs(outputs):  # one floor per code: the model is symmetric
        floor[k] = floor[r] = (floor[k] + floor[r]) / 2
    info = {
        "fitted_on": {rig: [v.stem for v in vs] for rig, vs in videos.items()},
        "held_out": _rom.HELD_OUT,
        "config": config.__dict__,
        "mirror": mirror,
        "letter_gain": None
        if model.letter_gain is None
        else dict(zip(outputs, np.round(model.letter_gain, 3).tolist(), strict=True)),
        "features": len(model.mean),
        "frames": int(sum(len(c.aligned) for c in clips)),
        "method": "per-region ridge on neutral-subtracted aligned landmarks + blendshapes, "
        "all rigs weighted equally",
    }
    size_drift = fit_size_drift(every, reference)
    info["size_drift"] = np.round(size_drift, 5).tolist()
    return Estimator(reference, population, model, info, population_floor=floor,
                     size_drift=size_drift)  # fmt: skip


def shipped_videos() -> dict[str, list[Path]]:
    """Every rig's clips, without the held-out synthetic-rom identities."""
    held = set(_rom.HELD_OUT)
    return {rig: [v for v in vs if v.stem not in held] for rig, vs in _rom.rig_clips().items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="chosen", choices=["chosen", *loro.CONFIGS],
                    help="chosen: loro_choice.json (per-output signals and raw share)")  # fmt: skip
    ap.add_argument("--size-drift-only", action="store_true",
                    help="refit only the face size's drift into the shipped file")  # fmt: skip
    args = ap.parse_args()
    _rom.require_data()
    t0 = time.time()
    if args.size_drift_only:
        shipped = load_estimator(str(OUT))
        every = [v for vs in shipped_videos().values() for v in vs]
        coef = fit_size_drift(every, shipped.reference)
        info = {**shipped.info, "size_drift": np.round(coef, 5).tolist()}
        save_estimator(replace(shipped, size_drift=coef, info=info), OUT)
        print(f"size drift coefficients {np.round(coef, 5).tolist()}; wrote {OUT}")
        return
    config = SHIPPED if args.config == "chosen" else loro.CONFIGS[args.config]
    videos = shipped_videos()
    est = build(videos, config)
    save_estimator(est, OUT)
    print(json.dumps({k: v for k, v in est.info.items() if k != "fitted_on"}))
    print("rigs: " + ", ".join(f"{r} {len(v)} clips" for r, v in videos.items()))
    print(f"pose bias (yaw, pitch, roll): {np.round(est.population.pose, 2).tolist()}")
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.1f} MB) in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
