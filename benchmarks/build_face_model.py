"""Build the synthesiser's face model (src/facs/synth/face_model.npz) from the ROM data.

    .venv/bin/python benchmarks/build_face_model.py

- neutral mesh: the estimator's frontal reference face (mean of the fit
  identities' neutral landmarks, MediaPipe 478-point topology, inter-ocular
  units, x = subject's left, y up, z towards the camera);
- triangles: MediaPipe's face-mesh tessellation (from the mediapipe wheel);
- action fields: for every code in the synthetic range-of-motion set, the
  displacement of each landmark per unit intensity, fitted by least squares
  over all 22 clips (pose-normalised landmarks minus each clip's neutral,
  regressed on the frame labels; one-sided labels give separate left and
  right fields; head-pose regressors absorb what alignment leaves of head
  motion). Codes absent from the data (8, 21, 27, 36, 37) are not fitted.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _rom

from facs.au._estimator import find_baseline, load_estimator

OUT = Path(__file__).resolve().parents[1] / "src" / "facs" / "synth" / "face_model.npz"
SIDED = [1, 2, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 20, 25, 30, 46]


def regressors(lab) -> dict[str, np.ndarray]:  # type: ignore[no-untyped-def]
    out: dict[str, np.ndarray] = {}
    for col in lab.columns:
        if col.startswith("AU") and int(col[2:]) not in SIDED and not 51 <= int(col[2:]) <= 58:
            out[str(int(col[2:]))] = lab[col].to_numpy(float)
    for n in SIDED:
        for s in "LR":
            out[f"{n}_{s}"] = lab[f"{s}_AU{n:02d}"].to_numpy(float)
    pose = lab[["yaw_deg", "pitch_deg", "roll_deg"]].to_numpy(float)
    pose = pose - np.median(pose[:30], axis=0)
    for k, name in enumerate(("yaw", "pitch", "roll")):
        out[f"_{name}+"] = np.maximum(pose[:, k], 0) / 30
        out[f"_{name}-"] = np.maximum(-pose[:, k], 0) / 30
    fwd = lab["head_forward_cm"].to_numpy(float)
    out["_fwd"], out["_back"] = np.maximum(fwd, 0) / 3, np.maximum(-fwd, 0) / 3
    return out


def main() -> None:
    from mediapipe.tasks.python.vision.face_landmarker import FaceLandmarksConnections as C

    _rom.require_data()
    est = load_estimator()
    xs, ys = [], []
    names: list[str] | None = None
    for clip in _rom.CLIPS:
        d = _rom.cached_perception(_rom.ROM / f"{clip}.mp4")
        w, h = d["size"][0]
        aligned, size = est.align(d["landmarks"] * np.array([w, h, w], np.float32), d["pose"],
                                    d["blendshapes"])  # fmt: skip
        base = find_baseline(aligned=aligned, blendshapes=d["blendshapes"], pose=d["pose"],
                             size=size, time_s=d["time_s"], population=est.population)  # fmt: skip
        reg = regressors(_rom.labels(clip))
        names = names or list(reg)
        ok = np.isfinite(aligned).all(axis=(1, 2))
        xs.append((aligned - base.shape)[ok].reshape(int(ok.sum()), -1))
        ys.append(np.stack([reg[n] for n in names], axis=1)[ok])
    assert names is not None
    x, y = np.concatenate(xs), np.concatenate(ys)
    fields = np.linalg.solve(y.T @ y + 1e-3 * np.eye(len(names)), y.T @ x)  # (K, 478*3)
    keep = [i for i, n in enumerate(names) if not n.startswith("_")]
    tris = np.array([(c.start) for c in C.FACE_LANDMARKS_TESSELATION]).reshape(-1, 3)
    np.savez_compressed(
        OUT,
        neutral=est.reference.astype(np.float32),
        triangles=tris.astype(np.int32),
        field_names=np.array([names[i] for i in keep]),
        fields=fields[keep].reshape(len(keep), 478, 3).astype(np.float32),
    )
    print(f"{len(keep)} fields, {len(tris)} triangles -> {OUT} ({OUT.stat().st_size / 1e3:.0f} kB)")
    for i in keep:
        peak = np.abs(fields[i]).max()
        print(f"  {names[i]:>6}: max displacement {peak:.3f} IOD")


if __name__ == "__main__":
    main()
