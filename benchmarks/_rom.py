"""Shared helpers for the benchmarks: the synthetic range-of-motion set and a perception cache.

Perception (landmarks, blendshapes, pose per frame) is the slow part; it is
cached in ``benchmarks/.cache/`` (ignored by git), keyed by clip name, file size
and mtime, so fitting and scoring can be re-run quickly.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(
    os.environ.get("FACS_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
ROM = DATA / "synthetic-rom"
REAL = DATA / "real"
CACHE = Path(__file__).resolve().parent / ".cache"
CLIPS = [f"rom_{i:02d}" for i in range(22)]
#: Identities held out of every fit (two 1280×720, a mix of ages and builds,
#: three from each half of the set).
HELD_OUT = ["rom_04", "rom_09", "rom_13", "rom_16", "rom_19", "rom_20"]
FIT = [c for c in CLIPS if c not in HELD_OUT]


def require_data() -> None:
    if not ROM.is_dir():
        sys.exit(f"benchmark data not found at {ROM} (set FACS_SHARED_DATA)")


def labels(clip: str) -> pd.DataFrame:
    return pd.read_csv(ROM / f"{clip}_labels.csv")


def meta(clip: str) -> dict:
    return json.loads((ROM / f"{clip}_meta.json").read_text())


def perceive(path: Path, *, max_faces: int = 1) -> dict[str, np.ndarray]:
    """Run the landmarker over a clip; arrays per frame (NaN where no face)."""
    from facs.face import read_frames

    return perceive_frames(read_frames(path), max_faces=max_faces)


def cached_perception(path: Path) -> dict[str, np.ndarray]:
    st = path.stat()
    key = f"{path.stem}-{st.st_size}-{int(st.st_mtime)}"
    CACHE.mkdir(exist_ok=True)
    target = CACHE / f"{key}.npz"
    if target.exists():
        with np.load(target) as z:
            return {k: z[k] for k in z.files}
    data = perceive(path)
    tmp = target.with_suffix(".tmp.npz")
    np.savez(tmp, **data)
    tmp.replace(target)
    return data


if __name__ == "__main__":
    require_data()
    names = sys.argv[1:] or CLIPS
    for name in names:
        p = ROM / f"{name}.mp4" if name.startswith("rom_") else REAL / name
        d = cached_perception(p)
        ok = np.isfinite(d["pose"][:, 0]).mean()
        print(f"{name}: {len(d['frame'])} frames, face in {ok:.1%}", flush=True)


# Model outputs and how each is built from the label columns (0-1 fractions, x5).
SIDED_LABELS = [1, 2, 5, 6, 7, 9, 10, 12, 14, 15, 20]  # have L_/R_ label columns
BOTH_SIDES_ONLY = [4, 16]  # sided in the frames table, bilateral in the labels
UNSIDED = [17, 18, 22, 23, 24, 25, 26, 28, 61, 62, 63, 64]
ADS = [19, 29, 34]


def model_targets(lab: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per-frame targets (0-5) for every fitted model output."""
    out: dict[str, np.ndarray] = {}
    for n in SIDED_LABELS:
        for s in "LR":
            out[f"AU{n:02d}_{s}"] = 5 * lab[f"{s}_AU{n:02d}"].to_numpy(float)
    for n in BOTH_SIDES_ONLY:
        for s in "LR":
            out[f"AU{n:02d}_{s}"] = 5 * lab[f"AU{n:02d}"].to_numpy(float)
    for s in "LR":  # eye closure per eye, whatever its timing (43, 45 or 46)
        closure = np.maximum.reduce(
            [
                lab["AU43"].to_numpy(float),
                lab["AU45"].to_numpy(float),
                lab[f"{s}_AU46"].to_numpy(float),
            ]
        )
        out[f"AU43_{s}"] = 5 * closure
    for n in UNSIDED:
        out[f"AU{n:02d}"] = 5 * lab[f"AU{n:02d}"].to_numpy(float)
    for n in ADS:
        out[f"AD{n:02d}"] = 5 * lab[f"AU{n:02d}"].to_numpy(float)
    for s in "LR":
        out[f"AD30_{s}"] = 5 * lab[f"{s}_AU30"].to_numpy(float)
    return out


def frames_truth(lab: pd.DataFrame) -> dict[str, np.ndarray]:
    """Ground truth for frames-table columns after the timeline (43/45/46 split, head)."""
    t = model_targets(lab)
    out = {k: v for k, v in t.items() if not k.startswith("AU43")}
    for n in SIDED_LABELS + BOTH_SIDES_ONLY:
        out[f"AU{n:02d}"] = np.maximum(t[f"AU{n:02d}_L"], t[f"AU{n:02d}_R"])
    out["AD30"] = np.maximum(t["AD30_L"], t["AD30_R"])
    out["AU43"] = 5 * lab["AU43"].to_numpy(float)
    out["AU45"] = 5 * lab["AU45"].to_numpy(float)
    for s in "LR":
        out[f"AU46_{s}"] = 5 * lab[f"{s}_AU46"].to_numpy(float)
    out["AU46"] = np.maximum(out["AU46_L"], out["AU46_R"])
    for n in range(51, 59):
        out[f"AU{n}"] = 5 * lab[f"AU{n}"].to_numpy(float)
    return out


def perceive_frames(frames, *, max_faces: int = 1) -> dict[str, np.ndarray]:
    """As :func:`perceive`, over an iterable of ``facs.face.Frame`` already decoded
    (e.g. degraded copies of a clip's frames) instead of a path."""
    from facs.face import BLENDSHAPE_NAMES, Landmarker

    index, times, lms, bss, poses, sizes = [], [], [], [], [], []
    with Landmarker(max_faces=max_faces) as landmarker:
        for frame in frames:
            faces = landmarker.detect(frame)
            index.append(frame.index)
            times.append(frame.time_s)
            sizes.append(frame.image.shape[1::-1])
            if faces:
                f = faces[0]
                lms.append(f.landmarks)
                bss.append(f.blendshapes)
                poses.append((f.yaw, f.pitch, f.roll))
            else:
                lms.append(np.full((478, 3), np.nan, np.float32))
                bss.append(np.full(len(BLENDSHAPE_NAMES), np.nan, np.float32))
                poses.append((np.nan, np.nan, np.nan))
    return {
        "frame": np.asarray(index),
        "time_s": np.asarray(times),
        "landmarks": np.asarray(lms, np.float32),
        "blendshapes": np.asarray(bss, np.float32),
        "pose": np.asarray(poses, np.float32),
        "size": np.asarray(sizes),
    }
