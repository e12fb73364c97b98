"""Appearance samples: the colour of the skin under chosen landmarks, per frame.

What covers a face (a hand, a microphone, hair, dark glasses) changes the
colour under the landmarks of that region while the landmarker, which
infers a whole face from what it sees, keeps placing them. Each face in each
frame gets the mean RGB of a small square (a twentieth of the inter-ocular
distance each side) under :data:`APPEARANCE_POINTS`; :mod:`facs.au._visibility`
compares them with the face's own uncovered frames.
"""

from __future__ import annotations

import numpy as np

__all__ = ["APPEARANCE_POINTS", "APPEARANCE_REGIONS", "sample_appearance"]

#: Landmarks sampled per region (MediaPipe face mesh): skin and features that
#: stay under their landmark when the face moves (no inner-lip or iris points,
#: which show teeth, mouth or the white of the eye as the face moves).
APPEARANCE_REGIONS: dict[str, tuple[int, ...]] = {
    "brows": (46, 52, 53, 55, 63, 65, 66, 70, 105, 107, 276, 282, 283, 285, 293, 295, 296,
              300, 334, 336, 9, 151, 108, 337),
    "eyes": (33, 133, 159, 145, 160, 144, 158, 153, 362, 263, 386, 374, 387, 373, 385, 380,
             117, 346, 118, 347, 6, 168, 197),
    "lower": (0, 37, 39, 40, 61, 91, 146, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270,
              269, 267, 185, 205, 425, 206, 426, 216, 436, 18, 200, 199, 175, 152, 148, 377,
              1, 4, 5, 19, 45, 275, 98, 327, 101, 330, 50, 280),
}  # fmt: skip
#: Every sampled landmark, regions in the order above.
APPEARANCE_POINTS: tuple[int, ...] = tuple(p for pts in APPEARANCE_REGIONS.values() for p in pts)
_OUTER_EYES = (33, 263)


def sample_appearance(image: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """Mean RGB under each of :data:`APPEARANCE_POINTS`, shape (P, 3), uint8.

    ``landmarks`` are normalised (x, y in 0–1 of the image); points outside
    the image sample its nearest edge pixels.

    >>> img = np.zeros((40, 60, 3), np.uint8); img[:, 30:] = 200
    >>> lm = np.full((478, 3), 0.25, np.float32); lm[33, 0], lm[263, 0] = 0.2, 0.4
    >>> sample_appearance(img, lm).shape, int(sample_appearance(img, lm)[0, 0])
    ((92, 3), 0)
    """
    h, w = image.shape[:2]
    xy = landmarks[list(APPEARANCE_POINTS), :2] * np.array([w, h], np.float32)
    eyes = landmarks[list(_OUTER_EYES), :2] * np.array([w, h], np.float32)
    r = max(1, round(0.05 * float(np.hypot(*(eyes[0] - eyes[1])))))
    x = np.clip(np.round(xy[:, 0]).astype(int), 0, w - 1)
    y = np.clip(np.round(xy[:, 1]).astype(int), 0, h - 1)
    # every square at once: its pixels gathered from the flattened image, those off the
    # image weighing 0; sums of uint8 are exact in float32 below 2**24
    offsets = np.arange(-r, r + 1)
    rows, cols = y[:, None] + offsets, x[:, None] + offsets  # (P, S)
    inside = ((rows >= 0) & (rows < h))[:, :, None] & ((cols >= 0) & (cols < w))[:, None, :]
    index = np.clip(rows, 0, h - 1)[:, :, None] * w + np.clip(cols, 0, w - 1)[:, None, :]
    flat = np.reshape(image, (h * w, image.shape[-1]))
    pixels = np.take(flat, index.reshape(len(x), -1), axis=0)[..., :3]  # (P, S*S, 3)
    exact = np.float32 if 255 * offsets.size**2 < 2**24 else np.float64
    weights = inside.reshape(len(x), -1).astype(exact)
    total = np.einsum("ps,psc->pc", weights, pixels.astype(exact)).astype(np.float64)
    means = total / weights.sum(axis=1, dtype=np.float64)[:, None]
    return np.asarray(np.round(means), dtype=np.uint8)
