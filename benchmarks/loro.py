"""Leave one rig out: fit the estimator on the other rigs, score the rig left out.

    .venv/bin/python benchmarks/loro.py [--configs regional,all] [--alphas 0.01,0.1] [--rigs ...]

Model selection for the shipped estimator (benchmarks/fit_estimator.py uses
the configuration chosen here). Each rig's clips (synthetic-rom = FACSHuman,
and every rig rendered by benchmarks/rigs/render_clips.py) go through the
same perception cache, alignment and automatic baseline as ``facs code``; for
each candidate configuration and each rig, a model is fitted on the other
rigs and scored on that rig at the model-output level (Pearson r per output
over the codes that rig shows, and F1 at >= A). Candidates are ranked by the
mean left-out-rig r only. The raw blendshape mapping is scored beside them.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _rom

from facs.au._estimator import (
    LETTER_KNEE,
    Baseline,
    Model,
    blendshape_mapping,
    find_baseline,
    load_estimator,
    raw_blendshape_columns,
    stretch_letters,
)
from facs.au._regions import REGIONS, region_of
from facs.face import BLENDSHAPE_NAMES

ALL_POINTS = np.arange(478)


@dataclass
class Clip:
    rig: str
    name: str
    aligned: np.ndarray  # (N, 478, 3)
    blendshapes: np.ndarray  # (N, 52)
    base: Baseline
    targets: dict[str, np.ndarray]  # model output -> (N,) 0-5
    present: set[str]  # model outputs this clip ever shows
    pose_bias: np.ndarray | None = None  # measured minus true pose on the neutral lead (deg)


def _present_outputs(targets: dict[str, np.ndarray]) -> set[str]:
    return {k for k, v in targets.items() if (v >= 0.5).any()}


def load_clip(rig: str, video: Path, reference: np.ndarray) -> Clip:
    from facs.au._geometry import align

    d = _rom.cached_perception(video)
    w, h = d["size"][0]
    aligned, size = align(d["landmarks"] * np.array([w, h, w], np.float32), reference,
                          return_scale=True)  # fmt: skip
    dummy = Baseline(np.zeros((478, 3), np.float32), np.zeros(52, np.float32), np.zeros(3),
                     np.nan, "population")  # fmt: skip
    base = find_baseline(aligned=aligned, blendshapes=d["blendshapes"], pose=d["pose"],
                         size=size, time_s=d["time_s"], population=dummy)  # fmt: skip
    ok = np.isfinite(aligned).all(axis=(1, 2)) & np.isfinite(d["blendshapes"]).all(axis=1)
    lab = _rom.clip_labels(video)
    tgt = _rom.model_targets(lab)
    true_pose = lab[["yaw_deg", "pitch_deg", "roll_deg"]].to_numpy()[:25]
    bias = np.nanmedian(d["pose"][:25] - true_pose, 0)
    return Clip(rig, video.stem, aligned[ok], d["blendshapes"][ok], base,
                {k: v[ok] for k, v in tgt.items()}, _present_outputs(tgt), bias)  # fmt: skip


def mirror_clip(clip: Clip, point_map: np.ndarray, shape_map: np.ndarray) -> Clip:
    """The clip seen in a mirror: landmarks flipped, Left/Right shapes and outputs swapped."""
    flip = np.array([-1.0, 1.0, 1.0], np.float32)

    def swap(name: str) -> str:
        if name.endswith(("_L", "_R")):
            return name[:-1] + ("R" if name.endswith("L") else "L")
        return {"AU61": "AU62", "AU62": "AU61"}.get(name, name)

    base = Baseline(clip.base.shape[point_map] * flip, clip.base.blendshapes[shape_map],
                    clip.base.pose, clip.base.size, clip.base.kind)  # fmt: skip
    return Clip(clip.rig, clip.name + "~m", clip.aligned[:, point_map] * flip,
                clip.blendshapes[:, shape_map], base,
                {swap(k): v for k, v in clip.targets.items()},
                {swap(k) for k in clip.present})  # fmt: skip


def mirror_maps(reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    flipped = reference * np.array([-1.0, 1.0, 1.0])
    points = np.array([np.argmin(((reference - p) ** 2).sum(1)) for p in flipped])

    def swap(n: str) -> str:
        if "Left" in n:
            return n.replace("Left", "Right")
        return n.replace("Right", "Left")

    shapes = np.array([BLENDSHAPE_NAMES.index(swap(n)) for n in BLENDSHAPE_NAMES])
    return points, shapes


@dataclass(frozen=True)
class Config:
    name: str
    regional: bool = True  # each output reads only its region's landmarks and blendshapes
    landmarks: bool = True
    blendshapes: bool = True
    alpha: float = 0.01
    balance: bool = True  # every rig weighs the same in the fit
    #: Per output, which signals it reads: "both", "landmarks" or "blendshapes" (default both).
    sources: tuple[tuple[str, str], ...] = ()
    #: Per output, the share of the raw blendshape mapping blended in (default 0); folded
    #: into the linear weights, so prediction stays one matrix product.
    raw_blend: tuple[tuple[str, float], ...] = ()
    #: Positive parts of the features too (Model.rectified).
    rectified: bool = True
    #: Landmark-pair distances of each region (Region.distances) as features too.
    distances: bool = True
    #: Per output, its own ridge penalty instead of ``alpha`` (``choose_alphas``).
    alphas: tuple[tuple[str, float], ...] = ()

    def penalties(self, outputs: tuple[str, ...]) -> np.ndarray:
        """The ridge penalty of each output: its own from ``alphas``, else ``alpha``."""
        own = dict(self.alphas)
        return np.array([own.get(o, self.alpha) for o in outputs], dtype=np.float64)


def distance_pairs(config: Config) -> np.ndarray | None:
    """(D, 2) landmark pairs whose distances are features, or ``None``."""
    pairs = [p for r in REGIONS.values() for p in r.distances]
    use = config.distances and config.landmarks and pairs
    return np.array(pairs, dtype=np.int32) if use else None


def feature_layout(config: Config) -> tuple[np.ndarray, list[str]]:
    """Landmark indices used and the name of every feature column."""
    if config.landmarks:
        points = np.unique(np.concatenate([r.points for r in REGIONS.values()])) \
            if config.regional else ALL_POINTS  # fmt: skip
    else:
        points = np.zeros(0, int)
    names = [f"p{p}{a}" for p in points for a in "xyz"] + [f"b:{n}" for n in BLENDSHAPE_NAMES]
    pairs = distance_pairs(config)
    names += [] if pairs is None else [f"d:{a}-{b}" for a, b in pairs]
    if config.rectified:
        names += [f"+{n}" for n in names]
    return points, names


def output_masks(config: Config, outputs: tuple[str, ...], names: list[str]) -> np.ndarray:
    """(F, K) features each output may use."""
    mask = np.zeros((len(names), len(outputs)), bool)
    sources = dict(config.sources)
    for k, out in enumerate(outputs):
        region = REGIONS[region_of(out)]
        pts = {f"p{p}" for p in region.points}
        dists = {f"d:{a}-{b}" for a, b in region.distances}
        source = sources.get(out, "both")
        for f, name in enumerate(names):
            name = name.removeprefix("+")
            if name.startswith("d:"):
                use = source != "blendshapes" and (name in dists or not config.regional)
            elif name.startswith("b:"):
                use = (
                    config.blendshapes
                    and source != "landmarks"
                    and (not config.regional or name[2:].startswith(region.blendshapes))
                )
            else:
                use = source != "blendshapes" and (not config.regional or name[:-1] in pts)
            mask[f, k] = use
        if not mask[:, k].any():  # nothing of that kind in the region: fall back to both
            mask[:, k] = output_masks(Config(**{**config.__dict__, "sources": ()}),
                                      (out,), names)[:, 0]  # fmt: skip
    return mask


def design(clips: list[Clip], points: np.ndarray, outputs: tuple[str, ...],  # type: ignore[no-untyped-def]
           rectified: bool = False, pairs: np.ndarray | None = None):  # fmt: skip
    proto = Model(outputs, points, np.zeros(1), np.ones(1), np.zeros((1, 1)), np.zeros(1),
                  rectified=rectified, pairs=pairs)  # fmt: skip
    xs, ys, ws, gs = [], [], [], []
    frames_per_rig: dict[str, int] = {}
    for c in clips:
        frames_per_rig[c.rig] = frames_per_rig.get(c.rig, 0) + len(c.aligned)
    rigs = sorted(frames_per_rig)
    known = np.zeros((len(rigs), len(outputs)), bool)  # the rig shows that output at all
    for c in clips:
        xs.append(proto.features(c.aligned, c.blendshapes, c.base))
        ys.append(np.stack([c.targets[o] for o in outputs], axis=1))
        ws.append(np.full(len(c.aligned), 1.0 / frames_per_rig[c.rig]))
        gs.append(np.full(len(c.aligned), rigs.index(c.rig)))
        known[rigs.index(c.rig)] |= [o in c.present for o in outputs]
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(ws), np.concatenate(gs), known


def fit_ridge(x: np.ndarray, y: np.ndarray, w: np.ndarray, mask: np.ndarray,
              alpha: float | np.ndarray, group: np.ndarray | None = None,
              known: np.ndarray | None = None) -> tuple[np.ndarray, ...]:  # fmt: skip
    """Weighted ridge per output on its own features; returns mean, scale, weights, bias.

    ``alpha`` is one penalty for every output or one per output (K,).

    With ``group`` (rig of each row) and ``known`` (rig x output: the rig has that
    code), an output is fitted only on the rigs that have its code: a rig without a
    shape for 6 says nothing about 6 (its smile may well raise the cheeks).
    """
    return ridge_paths(x, y, w, mask, [alpha], group, known)[0]


def ridge_paths(x: np.ndarray, y: np.ndarray, w: np.ndarray, mask: np.ndarray,
                alphas: list[float | np.ndarray], group: np.ndarray | None = None,
                known: np.ndarray | None = None) -> list[tuple[np.ndarray, ...]]:  # fmt: skip
    """:func:`fit_ridge` for several penalties at the cost of one: the weighted Gram
    matrices are formed once and solved once per penalty."""
    w = w / w.sum()
    mean = w @ x
    scale = np.sqrt(w @ (x - mean) ** 2) + 1e-6
    z = (x - mean) / scale
    if group is None or known is None:
        group, known = np.zeros(len(x), int), np.ones((1, y.shape[1]), bool)
    stats = []
    for g in range(known.shape[0]):
        rows = group == g
        zg, wg, yg = z[rows], w[rows], y[rows]
        zw = zg * wg[:, None]
        stats.append((zg.T @ zw, zw.sum(0), wg.sum(), zw.T @ yg, wg @ yg))
    fits = [(np.zeros((x.shape[1], y.shape[1])), np.zeros(y.shape[1])) for _ in alphas]
    penalties = [np.broadcast_to(np.asarray(a, dtype=np.float64), (y.shape[1],)) for a in alphas]
    for k in range(y.shape[1]):
        use = [stats[g] for g in np.flatnonzero(known[:, k])] or stats
        total = sum(u[2] for u in use)
        zbar = sum(u[1] for u in use) / total
        ybar = sum(u[4][k] for u in use) / total
        sel = np.flatnonzero(mask[:, k])
        gram = sum(u[0][np.ix_(sel, sel)] for u in use) / total
        gram -= np.outer(zbar[sel], zbar[sel])
        rhs = sum(u[3][sel, k] for u in use) / total - zbar[sel] * ybar
        diag = np.diag_indices_from(gram)
        for (weights, bias), penalty in zip(fits, penalties, strict=True):
            g = gram.copy()
            g[diag] += penalty[k]
            weights[sel, k] = np.linalg.solve(g, rhs)
            bias[k] = ybar - zbar[sel] @ weights[sel, k]
    return [(mean, scale, weights, bias) for weights, bias in fits]


def fit_model(clips: list[Clip], config: Config, outputs: tuple[str, ...]) -> Model:
    return fit_models(clips, [config], outputs)[0]


def fit_models(clips: list[Clip], configs: list[Config], outputs: tuple[str, ...]
               ) -> list[Model]:  # fmt: skip
    """One model per configuration; they may differ only in their penalties and raw
    shares (the features and each output's signals are the first one's)."""
    config = configs[0]
    points, names = feature_layout(config)
    pairs = distance_pairs(config)
    x, y, w, group, known = design(clips, points, outputs, config.rectified, pairs)
    if not config.balance:
        w = np.ones(len(w))
    mask = output_masks(config, outputs, names)
    fits = ridge_paths(x, y, w, mask, [c.penalties(outputs) for c in configs], group, known)
    models = []
    for cfg, (mean, scale, weights, bias) in zip(configs, fits, strict=True):
        if cfg.raw_blend:
            weights, bias = fold_raw(weights, bias, mean, scale, outputs, len(points),
                                     dict(cfg.raw_blend))  # fmt: skip
        models.append(Model(outputs, points, mean, scale, weights, bias,
                            rectified=config.rectified, pairs=pairs))  # fmt: skip
    return models


#: Letter gains are kept within these bounds: never below 1 (real smiles already read
#: high), at most 2.5, chosen by the left-out rigs (output level, knee 1.0; caps 1.5, 2,
#: 2.5, 3, 4: mean r 0.546, 0.547, 0.547, 0.546, 0.545, apexes within one letter 0.346,
#: 0.356, 0.364, 0.366, 0.370; none: 0.541, 0.307). Above 2.5 the noise of weakly read
#: codes is stretched into whole letters (9, 10 and AD19 at 4, 5 and 3 on renders of 25E
#: and 27E) for 0.006 more within one.
LETTER_GAIN_RANGE = (1.0, 2.5)


def apex_pairs(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(true apex, predicted apex) of every labelled action (a run of ``y`` >= 0.5)."""
    on = np.r_[0, (y >= 0.5).astype(int), 0]
    edges = np.flatnonzero(np.diff(on))
    runs = zip(edges[::2], edges[1::2], strict=True)
    return np.array([(y[a:b].max(), p[a:b].max()) for a, b in runs]).reshape(-1, 2)


def letter_gains(clips: list[Clip], config: Config, outputs: tuple[str, ...]) -> np.ndarray:
    """Per output, the stretch above ``LETTER_KNEE`` that brings left-out apexes to their letter.

    Each rig among ``clips`` is left out in turn, a model fitted on the others, and every
    labelled action of that rig gives a pair (true apex, predicted apex); the gain is
    Σ(true − knee) / Σ(predicted − knee) over the actions read above the knee (at least
    three; otherwise 1), within ``LETTER_GAIN_RANGE``, one gain for both sides of a code.
    A gain that lowers the output's r on any of those left-out rigs by more than
    ``BELOW_RAW`` (stretched noise clipped at E) is halved, and dropped if that still does;
    the two sides of a code then take the lower of their gains.
    """
    knee = LETTER_KNEE
    num, den, n = np.zeros(len(outputs)), np.zeros(len(outputs)), np.zeros(len(outputs))
    rigs = sorted({c.rig for c in clips})
    series: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # rig -> (read, true; NaN: not shown)
    for rig in rigs if len(rigs) > 1 else []:
        model = fit_model([c for c in clips if c.rig != rig], config, outputs)
        reads, truths = [], []
        for c in (c for c in clips if c.rig == rig):
            p = model.predict(model.features(c.aligned, c.blendshapes, c.base))
            y = np.stack([c.targets[o] if o in c.present else np.full(len(p), np.nan)
                          for o in outputs], axis=1)  # fmt: skip
            reads.append(p)
            truths.append(y)
            for k, o in enumerate(outputs):
                if o not in c.present:
                    continue
                pairs = apex_pairs(p[:, k], y[:, k])
                read = pairs[pairs[:, 1] > knee]
                num[k] += np.clip(read[:, 0] - knee, 0.0, None).sum()
                den[k] += (read[:, 1] - knee).sum()
                n[k] += len(read)
        series[rig] = (np.concatenate(reads), np.concatenate(truths))
    gain = np.where(n >= 3, num / np.maximum(den, 1e-9), 1.0)
    for k, r in side_pairs(outputs):
        if n[k] + n[r]:
            gain[k] = gain[r] = (gain[k] * n[k] + gain[r] * n[r]) / (n[k] + n[r])
    gain = np.clip(gain, *LETTER_GAIN_RANGE)
    gain = np.array([_keeps_r(g, k, series) for k, g in enumerate(gain)])
    for k, r in side_pairs(outputs):  # the lower of the two sides: the model stays symmetric
        gain[k] = gain[r] = min(gain[k], gain[r])
    return gain


def side_pairs(outputs: tuple[str, ...]) -> list[tuple[int, int]]:
    """(left, right) indices of every code that has both side outputs."""
    return [(k, outputs.index(o[:-1] + "R")) for k, o in enumerate(outputs)
            if o.endswith("_L") and o[:-1] + "R" in outputs]  # fmt: skip


def _keeps_r(gain: float, k: int, series: dict[str, tuple[np.ndarray, np.ndarray]]) -> float:
    """``gain``, its half or 1: the first that lowers output k's r on no left-out rig."""

    def keeps(g: float) -> bool:
        for read, true in series.values():
            shown = np.isfinite(true[:, k])
            p, y = read[shown, k], true[shown, k]
            if (
                len(y)
                and y.max() >= 0.5
                and (pearson(stretch_letters(p, g), y) < pearson(p, y) - BELOW_RAW)
            ):
                return False
        return True

    return next((float(g) for g in (gain, 1.0 + (gain - 1.0) / 2) if g > 1.0 and keeps(g)), 1.0)


def raw_coefficients(outputs: tuple[str, ...]) -> np.ndarray:
    """(52, K): the raw mapping as a linear map from blendshape deltas to outputs (0-5)."""
    pairs = blendshape_mapping()
    coef = np.zeros((len(BLENDSHAPE_NAMES), len(outputs)))
    for k, out in enumerate(outputs):
        shapes = [BLENDSHAPE_NAMES.index(s) for s, c in pairs if c == out]
        for j in shapes:
            coef[j, k] += 5.0 / len(shapes)
    return coef


def fold_raw(weights: np.ndarray, bias: np.ndarray, mean: np.ndarray, scale: np.ndarray,
             outputs: tuple[str, ...], n_points: int, blend: dict[str, float]
             ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Blend each output with the raw mapping: (1 - s) * ridge + s * raw, in the weights."""
    coef = raw_coefficients(outputs)
    weights, bias = weights.copy(), bias.copy()
    bs = slice(n_points * 3, n_points * 3 + coef.shape[0])  # the (unrectified) blendshape block
    for k, out in enumerate(outputs):
        share = blend.get(out, 0.0)
        if share <= 0 or not coef[:, k].any():
            continue
        weights[:, k] *= 1.0 - share
        bias[k] *= 1.0 - share
        weights[bs, k] += share * coef[:, k] * scale[bs]
        bias[k] += share * float(coef[:, k] @ mean[bs])
    return weights, bias


def pearson(p: np.ndarray, t: np.ndarray) -> float:
    if p.std() == 0 or t.std() == 0:
        return 0.0 if t.std() > 0 else float("nan")
    return float(np.corrcoef(p, t)[0, 1])


def f1(p: np.ndarray, t: np.ndarray) -> float:
    tp = float(((p >= 0.5) & (t >= 0.5)).sum())
    fp = float(((p >= 0.5) & (t < 0.5)).sum())
    fn = float(((p < 0.5) & (t >= 0.5)).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float("nan")


def score(model: Model | None, clips: list[Clip]) -> dict[str, tuple[float, float]]:
    """Per output shown by these clips: (r, F1); ``model=None`` scores the raw mapping."""
    preds: dict[str, list[np.ndarray]] = {}
    truth: dict[str, list[np.ndarray]] = {}
    present = set().union(*(c.present for c in clips))
    for c in clips:
        if model is None:
            raw = raw_blendshape_columns(c.blendshapes, c.base)
            out = {o: raw.get(o, np.zeros(len(c.aligned))) for o in c.targets}
        else:
            p = model.predict(model.features(c.aligned, c.blendshapes, c.base))
            out = {o: p[:, k] for k, o in enumerate(model.outputs)}
        for o in present:
            preds.setdefault(o, []).append(out[o])
            truth.setdefault(o, []).append(c.targets[o])
    return {
        o: (pearson(np.concatenate(preds[o]), np.concatenate(truth[o])),
            f1(np.concatenate(preds[o]), np.concatenate(truth[o])))
        for o in sorted(present)
    }  # fmt: skip


RigScores = dict[str, dict[str, tuple[float, float]]]  # rig -> output -> (r, F1)


def originals(clips: list[Clip]) -> list[Clip]:
    """The clips without their mirror images (what a rig left out is scored on)."""
    return [c for c in clips if not c.name.endswith("~m")]


def raw_scores(data: dict[str, list[Clip]]) -> RigScores:
    """The raw blendshape mapping's (r, F1) per rig and output."""
    return {rig: score(None, originals(cs)) for rig, cs in data.items()}


def mean_r(scores: dict[str, tuple[float, float]]) -> float:
    """Mean r over the outputs of one :func:`score`."""
    return float(np.nanmean([v[0] for v in scores.values()]))


def load_all(rigs: list[str] | None = None, *, mirror: bool = True) -> dict[str, list[Clip]]:
    reference = load_estimator().reference
    pm, sm = mirror_maps(reference)
    out: dict[str, list[Clip]] = {}
    for rig, videos in _rom.rig_clips(rigs).items():
        clips = [load_clip(rig, v, reference) for v in videos]
        out[rig] = clips + ([mirror_clip(c, pm, sm) for c in clips] if mirror else [])
        print(f"{rig}: {len(videos)} clips", file=sys.stderr, flush=True)
    return out


def leave_one_rig_out(data: dict[str, list[Clip]], config: Config, outputs: tuple[str, ...]
                      ) -> RigScores:  # fmt: skip
    return leave_one_rig_out_many(data, [config], outputs)[0]


def leave_one_rig_out_many(data: dict[str, list[Clip]], configs: list[Config],
                           outputs: tuple[str, ...]
                           ) -> list[RigScores]:  # fmt: skip
    """:func:`leave_one_rig_out` of configurations that differ only in penalties and raw
    shares, each fold's design formed once (:func:`fit_models`)."""
    results: list[RigScores] = [{} for _ in configs]
    for rig in data:
        train = [c for r, cs in data.items() if r != rig for c in cs]
        test = originals(data[rig])
        for result, model in zip(results, fit_models(train, configs, outputs), strict=True):
            result[rig] = score(model, test)
    return results


CONFIGS = {
    "all": Config("all", regional=False),
    "regional": Config("regional"),
    "regional-landmarks": Config("regional-landmarks", blendshapes=False),
    "blendshapes": Config("blendshapes", landmarks=False),
}


CHOICE = Path(__file__).resolve().parent / "loro_choice.json"
#: Raw-mapping shares tried per code (1.0: the raw mapping alone, for codes whose
#: blendshapes carry across rigs better than any fit).
BLENDS = (0.0, 0.25, 0.5, 0.75, 1.0)

PerRig = dict[str, dict[str, dict[str, float]]]  # output -> option -> rig -> r


def choose(data: dict[str, list[Clip]], base: Config, outputs: tuple[str, ...],
           raw: RigScores | None = None
           ) -> tuple[Config, dict[str, dict[str, float]], PerRig]:  # fmt: skip
    """Per output, the signal (landmarks, blendshapes, both) and raw-mapping share with the
    best mean left-out-rig r, among those that fall below the raw mapping on no left-out
    rig (when ``raw`` is given and any does); nothing else is looked at."""
    per: dict[str, dict[str, float]] = {}
    per_rig: PerRig = {}
    for source in ("both", "landmarks", "blendshapes"):
        cfgs = [Config(**{**base.__dict__, "sources": tuple((o, source) for o in outputs),
                          "raw_blend": tuple((o, share) for o in outputs)})
                for share in BLENDS]  # fmt: skip
        for share, res in zip(BLENDS, leave_one_rig_out_many(data, cfgs, outputs), strict=True):
            key = f"{source}@{share}"
            for o in outputs:
                rs = {rig: res[rig][o][0] for rig in res if o in res[rig]}
                per_rig.setdefault(o, {})[key] = rs
                vals = list(rs.values())
                per.setdefault(o, {})[key] = (
                    float(np.nanmean(vals)) if vals and not np.all(np.isnan(vals)) else float("nan")
                )
            mean = np.nanmean([mean_r(r) for r in res.values()])
            print(f"  {source} + raw x{share}: mean r {mean:.3f}", file=sys.stderr, flush=True)

    return pick(per, base, live_outputs(outputs), per_rig, raw), per, per_rig


def nested_choice(data: dict[str, list[Clip]], base: Config, outputs: tuple[str, ...]
                  ) -> dict[str, tuple[float, float]]:  # fmt: skip
    """The honest worth of :func:`choose`: rig -> (mean r of ``base`` for every code, of
    the signals and raw shares chosen without that rig; see :func:`_nested`)."""
    return _nested(data, base, outputs, lambda rest, raw: choose(rest, base, outputs, raw)[0])


#: Options within this much of the best left-out-rig r count as equal; among them the
#: one leaning most on what was learned from real faces (the blendshapes) wins, if the
#: output's blendshapes are alive on real footage.
TIE = 0.01
#: Real clips (no labels used) on which a blendshape must reach LIVE at its 95th
#: percentile to count as alive: several never move on real faces (cheekSquint,
#: noseSneer, mouthFrown stay near 0), so leaning on them would read nothing.
LIVE_CLIPS = ("WolfgangLanger_Pexels.mp4", "single_face.mp4")
LIVE = 0.1


def live_outputs(outputs: tuple[str, ...]) -> set[str]:
    """Outputs whose raw-mapped blendshapes all move on real footage."""
    bs = np.concatenate([_rom.cached_perception(_rom.REAL / f)["blendshapes"] for f in LIVE_CLIPS])
    alive = np.nanpercentile(bs, 95, axis=0) >= LIVE
    coef = raw_coefficients(outputs)
    return {o for k, o in enumerate(outputs) if coef[:, k].any() and alive[coef[:, k] > 0].all()}


_REALNESS = {"blendshapes": 2, "both": 1, "landmarks": 0}


#: A code's option is "not below raw" on a rig when its r there is at least the raw
#: mapping's less this.
BELOW_RAW = 0.005
#: The most mean left-out-rig r a code gives up to stay above the raw mapping on every
#: rig; where staying above costs more (22: 0.07, all of it on the three rigs whose
#: labels are not ARKit activations), the best mean wins and the code is reported.
FLOOR_COST = 0.02


def _pair(per: dict[str, Any], o: str) -> list[str]:
    """Both sides of a code (or the code itself)."""
    return [p for p in per if p.split("_")[0] == o.split("_")[0] and p[:2] == o[:2]]


def pick(per: dict[str, dict[str, float]], base: Config, live: set[str],
         per_rig: PerRig | None = None,
         raw: RigScores | None = None) -> Config:  # fmt: skip
    """Each code's signal and raw share from its left-out-rig r per option.

    Both sides of a code share one choice (their mean r), so the model stays
    symmetric. With ``per_rig`` and ``raw``, only options that fall below the
    raw blendshape mapping on no left-out rig are considered (the issue's "no
    code below the raw mapping on any left-out rig"), when there are any and
    the best of them is within ``FLOOR_COST`` of the best mean r.
    Options within ``TIE`` of the best are treated as equal, and the one that
    leans most on MediaPipe's blendshapes (trained on real faces) is taken when
    they are ``live`` on real footage: the left-out rigs cannot tell those
    options apart (benchmarks/README.md, "Which signal carries").
    """

    def code_score(o: str, key: str) -> float:
        vals = [per[p][key] for p in _pair(per, o) if not np.isnan(per[p][key])]
        return float(np.mean(vals)) if vals else -np.inf

    mapped = {o for k, o in enumerate(per) if raw_coefficients(tuple(per))[:, k].any()}

    def safe(o: str, key: str) -> bool:
        if per_rig is None or raw is None or o not in mapped:
            return True  # no blendshape maps to the code: the raw mapping reads nothing
        for rig in raw:
            pairs = [p for p in _pair(per, o) if rig in per_rig[p][key]]
            model = [per_rig[p][key][rig] for p in pairs]
            floor = [raw[rig][p][0] for p in pairs if p in raw[rig]]
            known = model and floor and not np.isnan(floor).all() and not np.isnan(model).all()
            if known and np.nanmean(model) < np.nanmean(floor) - BELOW_RAW:
                return False
        return True

    best: dict[str, str] = {}
    for o, options in per.items():
        ranked = sorted(options, key=lambda k: code_score(o, k), reverse=True)
        floor = [k for k in ranked if safe(o, k)]
        if floor and code_score(o, floor[0]) >= code_score(o, ranked[0]) - FLOOR_COST:
            ranked = floor
        best[o] = ranked[0]
        if o in live:
            near = [k for k in ranked if code_score(o, k) >= code_score(o, ranked[0]) - TIE]
            top = max(_REALNESS[k.split("@")[0]] for k in near)
            best[o] = next(k for k in near if _REALNESS[k.split("@")[0]] == top)
    sources = tuple((o, b.split("@")[0]) for o, b in best.items())
    shares = tuple((o, float(b.split("@")[1])) for o, b in best.items())
    return Config(**{**base.__dict__, "name": base.name + "+chosen", "sources": sources,
                     "raw_blend": shares})  # fmt: skip


#: Ridge penalties tried per code by :func:`choose_alphas` (features are standardised
#: and rows weighted to sum to 1, so 0.01 is 1 % of a feature's variance).
ALPHA_GRID = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)


def choose_alphas(data: dict[str, list[Clip]], config: Config, outputs: tuple[str, ...],
                  raw: RigScores | None = None,
                  grid: tuple[float, ...] = ALPHA_GRID,
                  ) -> tuple[Config, dict[str, dict[str, float]]]:  # fmt: skip
    """Each code's own ridge penalty, by its mean left-out-rig r (both sides share one).

    Run after :func:`choose` (signals and raw shares stay as chosen). A penalty must
    beat the shared ``config.alpha`` by more than ``ALPHA_GAIN`` to be taken (seven
    penalties tried on four folds: smaller gains are the folds' noise), or lift the
    code above the raw mapping on every rig where the shared one left it below. Like
    :func:`pick`, penalties that keep it above the raw mapping everywhere are
    preferred while within ``FLOOR_COST`` of the best, and none may put it newly
    below.
    """
    configs = [Config(**{**config.__dict__, "alphas": tuple((o, a) for o in outputs)})
               for a in grid]  # fmt: skip
    results = leave_one_rig_out_many(data, configs, outputs)
    per: dict[str, dict[str, float]] = {}
    below: dict[str, dict[str, bool]] = {}
    for a, res in zip(grid, results, strict=True):
        for o in outputs:
            rs = [res[rig][o][0] for rig in res if o in res[rig]]
            per.setdefault(o, {})[f"{a:g}"] = float(np.nanmean(rs)) if rs else float("nan")
            below.setdefault(o, {})[f"{a:g}"] = any(
                res[rig][o][0] < floor[o][0] - BELOW_RAW
                for rig, floor in (raw or {}).items()
                if o in res[rig] and o in floor and not np.isnan(floor[o][0])
            )
        mean = np.nanmean([mean_r(r) for r in res.values()])
        print(f"  alpha {a:g}: mean r {mean:.3f}", file=sys.stderr, flush=True)
    default = f"{config.alpha:g}"
    chosen: dict[str, float] = {}
    for o in outputs:
        pair = _pair(per, o)

        def code_r(key: str, pair: list[str] = pair) -> float:
            vals = [per[p][key] for p in pair if not np.isnan(per[p][key])]
            return float(np.mean(vals)) if vals else -np.inf

        def safe(key: str, pair: list[str] = pair) -> bool:
            return not any(below[p][key] for p in pair)

        ranked = sorted(per[o], key=code_r, reverse=True)
        floor = [k for k in ranked if safe(k)]
        if floor and code_r(floor[0]) >= code_r(ranked[0]) - FLOOR_COST:
            ranked = floor  # above the raw mapping on every rig, as pick() prefers
        else:  # never newly below it
            ranked = [k for k in ranked if safe(k) or not safe(default)] or [default]
        best = ranked[0]
        lifts = not safe(default) and safe(best)
        gains = code_r(best) > code_r(default) + ALPHA_GAIN
        chosen[o] = float(best) if gains or lifts else config.alpha
    alphas = tuple((o, a) for o, a in chosen.items() if a != config.alpha)
    return Config(**{**config.__dict__, "alphas": alphas}), per


#: How much more mean left-out-rig r a code's own penalty must give than the shared one.
ALPHA_GAIN = 0.005


def nested_alphas(data: dict[str, list[Clip]], config: Config, outputs: tuple[str, ...],
                  grid: tuple[float, ...] = ALPHA_GRID,
                  ) -> dict[str, tuple[float, float]]:  # fmt: skip
    """The honest worth of :func:`choose_alphas`: rig -> (mean r with the shared penalty,
    with the penalties chosen without that rig; see :func:`_nested`)."""

    def chooser(rest: dict[str, list[Clip]], raw: RigScores) -> Config:
        return choose_alphas(rest, config, outputs, raw, grid)[0]

    return _nested(data, config, outputs, chooser)


def _nested(data: dict[str, list[Clip]], base: Config, outputs: tuple[str, ...],
            chooser: Callable[[dict[str, list[Clip]], RigScores], Config],
            ) -> dict[str, tuple[float, float]]:  # fmt: skip
    """For each rig, a per-code choice made by ``chooser`` on the other rigs alone (their
    own leave-one-out), fitted on them and scored on that rig, beside ``base``.
    Returns rig -> (mean r of ``base``, mean r of the choice made without the rig)."""
    out = {}
    for rig in data:
        rest = {r: cs for r, cs in data.items() if r != rig}
        chosen = chooser(rest, raw_scores(rest))
        train = [c for cs in rest.values() for c in cs]
        test = originals(data[rig])
        plain, own = (mean_r(score(fit_model(train, cfg, outputs), test)) for cfg in (base, chosen))
        out[rig] = (plain, own)
    return out


def load_choice(path: Path = CHOICE) -> Config:
    """The configuration ``loro.py --choose`` wrote."""
    d = json.loads(path.read_text())
    return Config(name=d["name"], alpha=d["alpha"], sources=tuple(map(tuple, d["sources"])),
                  raw_blend=tuple(map(tuple, d["raw_blend"])),
                  rectified=d.get("rectified", False),
                  distances=d.get("distances", True),
                  alphas=tuple((o, float(a)) for o, a in d.get("alphas", [])))  # fmt: skip


def training_curve(data: dict[str, list[Clip]], config: Config, outputs: tuple[str, ...]
                   ) -> dict[int, dict[str, float]]:  # fmt: skip
    """Left-out-rig mean r when fitting on k of the other rigs (every k-subset, averaged).

    How much one more training rig is worth: if the gain shrinks with each rig
    added, more rigs of the same kind will not carry the score much further.
    """
    rigs = list(data)
    curve: dict[int, dict[str, float]] = {}
    for k in range(1, len(rigs)):
        curve[k] = {}
        for held in rigs:
            test = originals(data[held])
            vals = []
            for combo in itertools.combinations([r for r in rigs if r != held], k):
                model = fit_model([c for r in combo for c in data[r]], config, outputs)
                vals.append(mean_r(score(model, test)))
            curve[k][held] = float(np.mean(vals))
    return curve


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--configs", default=",".join(CONFIGS))
    ap.add_argument("--alphas", default="0.001,0.01,0.1,1")
    ap.add_argument("--rigs", default=None)
    ap.add_argument(
        "--repick",
        action="store_true",
        help="re-apply the pick rule to the scores stored in loro_choice.json",
    )
    ap.add_argument(
        "--choose",
        action="store_true",
        help="choose each output's signal and raw share; write loro_choice.json",
    )
    ap.add_argument(
        "--alphas-per-code",
        action="store_true",
        help="after --choose: each code's own ridge penalty; adds it to loro_choice.json",
    )
    ap.add_argument(
        "--nested",
        action="store_true",
        help="score the per-code choice (signals and raw shares; with --alphas-per-code the "
        "penalties) made without each rig on that rig",
    )
    ap.add_argument(
        "--curve",
        action="store_true",
        help="left-out-rig r of the shipped choice fitted on 1, 2, ... of the other rigs",
    )
    args = ap.parse_args()
    t0 = time.time()
    data = load_all(args.rigs.split(",") if args.rigs else None)
    if len(data) < 2:
        sys.exit("need at least two rigs (render some with benchmarks/rigs/render_clips.py)")
    outputs = tuple(next(iter(data.values()))[0].targets)
    if args.curve:
        for k, per in training_curve(data, load_choice(), outputs).items():
            print(f"{k} training rig(s): mean r {np.mean(list(per.values())):.3f}  "
                  + "  ".join(f"{r} {v:.3f}" for r, v in per.items()), flush=True)  # fmt: skip
        return
    raw = raw_scores(data)
    print("raw mapping: " + ", ".join(f"{rig} r {mean_r(s):.3f}" for rig, s in raw.items()))
    if args.nested and not args.alphas_per_code:
        base = Config("regional", alpha=float(args.alphas.split(",")[0]))
        for rig, (plain, own) in nested_choice(data, base, outputs).items():
            print(f"nested: {rig} left out, mean r {plain:.3f} one signal for every code -> "
                  f"{own:.3f} signals and raw shares chosen without it", flush=True)  # fmt: skip
        return
    if args.alphas_per_code:
        if args.nested:
            for rig, (shared, own) in nested_alphas(data, load_choice(), outputs).items():
                print(f"nested: {rig} left out, mean r {shared:.3f} shared penalty -> "
                      f"{own:.3f} penalties chosen without it", flush=True)  # fmt: skip
        cfg, per = choose_alphas(data, load_choice(), outputs, raw)
        for rig, sc in leave_one_rig_out(data, cfg, outputs).items():
            print(f"own penalties: {rig} left out, mean r "
                  f"{mean_r(sc):.3f}")  # fmt: skip
        print("penalties: " + ", ".join(f"{o} {a:g}" for o, a in cfg.alphas))
        stored = json.loads(CHOICE.read_text())
        stored["alphas"] = cfg.alphas
        stored["left_out_rig_r_by_alpha"] = per
        tmp = CHOICE.with_suffix(".tmp")
        tmp.write_text(json.dumps(stored, indent=1))
        tmp.replace(CHOICE)
        print(f"wrote {CHOICE}")
        return
    if args.choose or args.repick:
        alpha = float(args.alphas.split(",")[0])
        if args.repick:
            stored = json.loads(CHOICE.read_text())
            per, per_rig = stored["left_out_rig_r"], stored.get("left_out_rig_r_per_rig")
            cfg = pick(per, Config("regional", alpha=alpha), live_outputs(outputs), per_rig, raw)
        else:
            cfg, per, per_rig = choose(data, Config("regional", alpha=alpha), outputs, raw)
        res = leave_one_rig_out(data, cfg, outputs)
        for rig, sc in res.items():
            print(f"chosen: {rig} left out, mean r {mean_r(sc):.3f}")
        tmp = CHOICE.with_suffix(".tmp")
        tmp.write_text(json.dumps({"live_on_real_footage": sorted(live_outputs(outputs)),
                                   "name": cfg.name, "alpha": cfg.alpha, "rectified": cfg.rectified,
                                   "distances": cfg.distances,
                                   "sources": cfg.sources, "raw_blend": cfg.raw_blend,
                                   "left_out_rig_r": per,
                                   "left_out_rig_r_per_rig": per_rig}, indent=1))  # fmt: skip
        tmp.replace(CHOICE)
        print(f"wrote {CHOICE}")
        return
    for name in args.configs.split(","):
        for alpha in (float(a) for a in args.alphas.split(",")):
            cfg = Config(**{**CONFIGS[name].__dict__, "alpha": alpha})
            res = leave_one_rig_out(data, cfg, outputs)
            means = {rig: mean_r(s) for rig, s in res.items()}
            worse = {rig: sum(1 for o, v in s.items() if raw[rig][o][0] - v[0] > 0.02)
                     for rig, s in res.items()}  # fmt: skip
            print(f"{name:20s} alpha {alpha:<6g} mean r {np.mean(list(means.values())):.3f}  "
                  + "  ".join(f"{r} {m:.3f} (<raw {worse[r]})" for r, m in means.items()),
                  flush=True)  # fmt: skip
    print(f"{time.time() - t0:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
