"""Build the synthesiser's other faces (src/facs/synth/identities.npz) from rendered clips.

    .venv/bin/python benchmarks/build_identities.py

The face model (``face_model.npz``) has one neutral face: the mean of the fit
identities. ``facs render --identity N`` draws a code on another person's face:
that person's neutral mesh, with the same action fields added. Each identity's
neutral mesh is its clip's automatic baseline (``find_baseline``, as ``facs
code`` takes it), in the estimator's aligned space, which is the face model's
(inter-ocular units, x = subject's left, y up, z toward the camera), and its
skin, iris and brow colours are the clip's render colours. Identities:

- eight synthetic-rom faces (MakeHuman identity targets, CC0; gender, age and
  ethnicity mix from each clip's ``_meta.json``), chosen to span them;
- the two Microsoft Rocketbox heads (MIT), from their first rendered clips.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _rom

from facs.au._estimator import find_baseline, load_estimator

OUT = Path(__file__).resolve().parents[1] / "src" / "facs" / "synth" / "identities.npz"
ROM_FACES = ("rom_02", "rom_01", "rom_09", "rom_03", "rom_12", "rom_18", "rom_15", "rom_16")
ROCKETBOX = (("rocketbox_00", "woman, Rocketbox head"), ("rocketbox_01", "man, Rocketbox head"))


def _describe(meta: dict) -> str:
    """``"woman, 23, mostly Asian"`` from a synthetic-rom clip's metadata."""
    who = "woman" if meta["gender"] < 0.5 else "man"
    eth = max(meta["eth"], key=meta["eth"].get)
    share = meta["eth"][eth]
    origin = {"african": "African", "asian": "Asian", "caucasian": "European"}[eth]
    mix = origin if share >= 0.85 else f"mostly {origin}" if share >= 0.6 else f"part {origin}"
    return f"{who}, {round(meta['approx_age_years'])}, {mix}"


def neutral_of(video: Path) -> np.ndarray:
    """A clip's automatic baseline shape, aligned (478, 3)."""
    est = load_estimator()
    d = _rom.cached_perception(video)
    w, h = d["size"][0]
    aligned, size = est.align(d["landmarks"] * np.array([w, h, w], np.float32), d["pose"],
                              d["blendshapes"])  # fmt: skip
    base = find_baseline(aligned=aligned, blendshapes=d["blendshapes"], pose=d["pose"],
                         size=size, time_s=d["time_s"], population=est.population)  # fmt: skip
    return np.asarray(base.shape, np.float32)


def main() -> None:
    _rom.require_data()
    names, labels, shapes, skins, irises, brows = [], [], [], [], [], []
    for clip in ROM_FACES:
        meta = _rom.meta(clip)
        names.append(clip)
        labels.append(_describe(meta))
        shapes.append(neutral_of(_rom.ROM / f"{clip}.mp4"))
        skins.append(meta["skin"])
        irises.append(meta["iris"])
        brows.append(meta["brow"])
    rigs = _rom.rig_clips(["rocketbox"]).get("rocketbox", [])
    for stem, label in ROCKETBOX:
        video = next((v for v in rigs if v.stem == stem), None)
        if video is None:
            sys.exit(f"{stem} not rendered: benchmarks/rigs/render_clips.py --rig rocketbox")
        meta = json.loads(video.with_name(f"{stem}_meta.json").read_text())
        names.append(meta["identity"].rsplit("_v", 1)[0])
        labels.append(label)
        shapes.append(neutral_of(video))
        skins.append(meta["skin"])
        irises.append(meta["iris"])
        brows.append(meta["brow"])
    tmp = OUT.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, names=np.array(names), labels=np.array(labels),
                        shapes=np.stack(shapes), skins=np.array(skins, np.float32),
                        irises=np.array(irises, np.float32),
                        brows=np.array(brows, np.float32))  # fmt: skip
    tmp.replace(OUT)
    print(f"{len(names)} identities -> {OUT} ({OUT.stat().st_size / 1e3:.0f} kB)")
    for k, (n, lab) in enumerate(zip(names, labels, strict=True), start=1):
        print(f"  {k}: {n} ({lab})")


if __name__ == "__main__":
    main()
