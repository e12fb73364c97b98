"""Could facs follow a face itself and skip MediaPipe's detector? A measurement, not a feature.

    .venv/bin/python benchmarks/own_tracking.py

MediaPipe's face landmarker skips its detector only while it tracks ``num_faces``
faces, and at ``num_faces = 1`` it smooths the landmarks (README, "How it
works"); facs asks for two faces and pays the detector on every frame (issue 16,
point 6). The way past that would be to run the landmark model (inside
``face_landmarker.task``) on LiteRT, as facs runs MediaPipe's hand models, on
the crop MediaPipe's tracking uses: the previous frame's landmarks' box, turned
by the eye line (landmarks 33 → 263), × 1.5, square. This script does that
and prints:

1. how far those landmarks lie from `facs code`'s own (the detector's crop) on
   40 frames of the Pexels clip, in inter-ocular distances, for input scaled
   to [0, 1] and to [-1, 1] (the one that agrees is MediaPipe's);
2. the cost of a crop and one landmark inference (one thread);
3. jitter on a still face (synthetic-rom's 25-frame neutral leads): the mean
   distance of each landmark from its own mean, with the detector's crop and
   with the crop followed from frame to frame.
"""

from __future__ import annotations

import math
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _rom

SIZE = 256  # the landmark model's input
Rect = tuple[float, float, float, float]  # centre x, y (px), side (px), rotation (rad)


class OwnTracker:
    """MediaPipe's face landmark model on a crop facs chooses (no detector, no smoothing)."""

    def __init__(self) -> None:
        from ai_edge_litert.interpreter import Interpreter

        from facs.face import locate_model

        with zipfile.ZipFile(locate_model()) as bundle:
            model = bundle.read("face_landmarks_detector.tflite")
        self.net = Interpreter(model_content=model, num_threads=1)
        self.net.allocate_tensors()
        self.input = self.net.get_input_details()[0]["index"]
        self.outputs = {o["name"]: o["index"] for o in self.net.get_output_details()}

    @staticmethod
    def rect(landmarks: np.ndarray, width: int, height: int) -> Rect:
        """MediaPipe's next-frame rect: the landmarks' box, eye-line rotation, × 1.5, square."""
        px = landmarks[:, :2] * [width, height]
        lo, hi = px.min(axis=0), px.max(axis=0)
        a, b = px[33], px[263]
        rotation = -math.atan2(-(b[1] - a[1]), b[0] - a[0])
        rotation = (rotation + math.pi) % (2 * math.pi) - math.pi
        centre = (lo + hi) / 2
        return float(centre[0]), float(centre[1]), float((hi - lo).max() * 1.5), rotation

    @staticmethod
    def crop(image: np.ndarray, rect: Rect) -> np.ndarray:
        """The rotated square ``rect`` resampled to SIZE × SIZE (bilinear), float RGB 0-255."""
        cx, cy, side, rotation = rect
        c, s = math.cos(rotation), math.sin(rotation)
        k = side / SIZE
        a, b, d, e = c * k, -s * k, s * k, c * k  # output pixel -> image, about the centre
        half = 0.5 - SIZE / 2
        coeffs = (a, b, cx + (a + b) * half, d, e, cy + (d + e) * half)
        out = Image.fromarray(image).transform(
            (SIZE, SIZE), Image.Transform.AFFINE, coeffs, resample=Image.Resampling.BILINEAR
        )
        return np.asarray(out, np.float32)

    def landmarks(self, image: np.ndarray, rect: Rect, *, signed: bool = False) -> np.ndarray:
        """478 landmarks, normalised to the image like MediaPipe's."""
        h, w = image.shape[:2]
        x = self.crop(image, rect)
        x = x / 127.5 - 1.0 if signed else x / 255.0
        self.net.set_tensor(self.input, x[None])
        self.net.invoke()
        raw = self.net.get_tensor(self.outputs["Identity"]).reshape(478, 3) / SIZE
        cx, cy, side, rotation = rect
        c, s = math.cos(rotation), math.sin(rotation)
        u, v = raw[:, 0] - 0.5, raw[:, 1] - 0.5
        px = (c * u - s * v) * side + cx
        py = (s * u + c * v) * side + cy
        return np.stack([px / w, py / h, raw[:, 2] * side / w], axis=1)


def _frames(path: Path, count: int | None = None) -> list[np.ndarray]:
    import av

    with av.open(str(path)) as container:
        out = []
        for frame in container.decode(video=0):
            out.append(frame.to_ndarray(format="rgb24"))
            if count is not None and len(out) >= count:
                break
    return out


def _inter_ocular(landmarks: np.ndarray, width: int, height: int) -> float:
    return float(np.linalg.norm((landmarks[33, :2] - landmarks[263, :2]) * [width, height]))


def main() -> None:
    tracker = OwnTracker()
    clip = _rom.REAL / "WolfgangLanger_Pexels.mp4"
    coded = _rom.cached_perception(clip)["landmarks"]
    frames = _frames(clip, 200)
    h, w = frames[0].shape[:2]
    for signed in (False, True):
        gaps = []
        for k in range(100, 140):
            if not (np.isfinite(coded[k - 1]).all() and np.isfinite(coded[k]).all()):
                continue
            own = tracker.landmarks(frames[k], tracker.rect(coded[k - 1], w, h), signed=signed)
            gap = np.linalg.norm((own[:, :2] - coded[k][:, :2]) * [w, h], axis=1).mean()
            gaps.append(gap / _inter_ocular(coded[k], w, h))
        scale = "[-1, 1]" if signed else "[0, 1]"
        print(f"input {scale}: mean distance from facs code's landmarks "
              f"{np.mean(gaps):.4f} inter-ocular (40 Pexels frames)")  # fmt: skip
    t0 = time.perf_counter()
    for k in range(100, 200):
        tracker.landmarks(frames[k], tracker.rect(coded[k - 1], w, h))
    print(f"crop + landmark inference: {(time.perf_counter() - t0) * 10:.2f} ms a frame")
    for name in ("rom_04", "rom_09", "rom_13"):
        path = _rom.ROM / f"{name}.mp4"
        detected = _rom.cached_perception(path)["landmarks"][:25]
        still = _frames(path, 25)
        h, w = still[0].shape[:2]
        followed = [detected[0]]
        for image in still[1:]:
            followed.append(tracker.landmarks(image, tracker.rect(followed[-1], w, h)))
        io = _inter_ocular(detected[0], w, h)

        def jitter(series: np.ndarray, w: int = w, h: int = h, io: float = io) -> float:
            px = series[:, :, :2] * [w, h]
            return float(np.linalg.norm(px - px.mean(axis=0), axis=2).mean() / io)

        mine = jitter(np.array(followed))
        print(f"{name} still face, jitter in inter-ocular distances: "
              f"detector's crop {jitter(detected):.5f}, followed crop {mine:.5f}")  # fmt: skip


if __name__ == "__main__":
    main()
