"""Pose-normalised face geometry: landmarks brought into one canonical frame.

Landmarks (MediaPipe's 478-point topology, in pixels) are aligned to a
reference shape by a similarity transform (rotation, scale, translation)
fitted on points that facial actions barely move (forehead, nose bridge,
temples, inner eye corners). After alignment, head rotation and distance
to the camera are gone and what remains is expression plus identity; the
per-face neutral baseline then removes identity.

Units: aligned coordinates are in inter-ocular distances (outer eye corner
to outer eye corner = 1), x towards the subject's left, y up, z towards the
camera.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "SIZE_DEPTH_WEIGHT",
    "SIZE_POINTS",
    "STABLE_POINTS",
    "align",
    "face_size",
    "procrustes_fit",
    "to_canonical_axes",
]

#: Landmarks used to fit the alignment: forehead, nose bridge, temples,
#: upper cheek contour and inner eye corners.
STABLE_POINTS: tuple[int, ...] = (
    10, 151, 9, 8, 168, 6, 197, 195,  # midline: forehead, glabella, nose bridge
    109, 338, 67, 297, 108, 337,  # forehead sides
    127, 356, 234, 454, 162, 389, 21, 251,  # temples and upper face contour
    133, 362, 243, 463,  # inner eye corners
)  # fmt: skip
OUTER_EYE = (33, 263)  # subject's right, subject's left outer eye corner
#: Forehead points among the stable ones: the brows' raise (1, 2) moves them a little.
FOREHEAD_POINTS: tuple[int, ...] = (10, 151, 109, 338, 67, 297, 108, 337)
#: Points the face's size is measured on (57/58): the stable points without the forehead.
SIZE_POINTS: tuple[int, ...] = tuple(p for p in STABLE_POINTS if p not in FOREHEAD_POINTS)
#: Weight of the depth axis when the face's size is measured (57/58). MediaPipe's z
#: is a learned guess, less sure than x and y: with it at full weight a head turned
#: or bowed 10-20 degrees reads 2-6 % off, as much as a full head thrust (57E is
#: +6 %). Chosen by the rig left out with the pose's part taken out (57/58 r on
#: SIZE_POINTS: 0.57 at full weight, 0.67 at half, 0.65 at 0; benchmarks/README.md,
#: "Head forward and back").
SIZE_DEPTH_WEIGHT = 0.5


def to_canonical_axes(points: np.ndarray) -> np.ndarray:
    """Pixel landmarks (x right, y down, z away) to x = subject's left, y up, z to camera.

    In an unmirrored image the subject's left is on the image's right, so x
    keeps its sign; y and z flip.
    """
    out = np.array(points, dtype=np.float64, copy=True)
    out[..., 1] *= -1.0
    out[..., 2] *= -1.0
    return out


def procrustes_fit(
    source: np.ndarray, target: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Batched similarity fit mapping ``source`` points onto ``target``.

    Parameters
    ----------
    source : ndarray, shape (N, P, 3)
    target : ndarray, shape (P, 3)

    Returns
    -------
    scale : ndarray, shape (N,)
    rotation : ndarray, shape (N, 3, 3)
    translation : ndarray, shape (N, 3)
        such that ``scale * source @ rotation.T + translation ≈ target``.
    """
    mu_s = source.mean(axis=1, keepdims=True)
    mu_t = target.mean(axis=0, keepdims=True)
    s0 = source - mu_s
    t0 = target - mu_t
    cov = np.einsum("pi,npj->nij", t0, s0)  # (N, 3, 3) = T^T S
    u, sig, vt = np.linalg.svd(cov)
    det = np.sign(np.linalg.det(u @ vt))
    d = np.ones_like(sig)
    d[:, -1] = det
    rotation = u @ (d[:, :, None] * vt)
    var_s = (s0**2).sum(axis=(1, 2))
    scale = (sig * d).sum(axis=1) / np.maximum(var_s, 1e-12)
    translation = mu_t[0] - scale[:, None] * np.einsum("nij,nj->ni", rotation, mu_s[:, 0])
    return scale, rotation, translation


def align(
    points_px: np.ndarray, reference: np.ndarray, *, return_scale: bool = False
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Align pixel landmarks to the reference shape.

    Parameters
    ----------
    points_px : ndarray, shape (N, 478, 3)
        Landmarks in pixels (x, y as in the image, z scaled like x).
    reference : ndarray, shape (478, 3)
        Reference shape in canonical axes and inter-ocular units.

    Returns
    -------
    ndarray, shape (N, 478, 3), float32
        Aligned landmarks (NaN rows stay NaN).
    ndarray, shape (N,)
        Only with ``return_scale``: the face's size in pixels per reference
        unit (NaN where no face); its change tells head forward/back. Measured
        by a second fit on ``SIZE_POINTS`` with depth weighted by ``SIZE_DEPTH_WEIGHT``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> ref = rng.normal(size=(478, 3))
    >>> theta = 0.3
    >>> rot = np.array([[np.cos(theta), -np.sin(theta), 0], [np.sin(theta), np.cos(theta), 0],
    ...                 [0, 0, 1]])
    >>> moved = 40 * ref @ rot.T + 7
    >>> px = to_canonical_axes(moved)  # canonical -> pixel axes is the same flip
    >>> bool(np.allclose(align(px[None], ref)[0], ref, atol=1e-4))
    True
    """
    pts = to_canonical_axes(np.asarray(points_px, dtype=np.float64))
    out = np.full(pts.shape, np.nan, dtype=np.float32)
    size = np.full(pts.shape[0], np.nan)
    ok = np.isfinite(pts).all(axis=(1, 2))
    if ok.any():
        idx = list(STABLE_POINTS)
        scale, rotation, translation = procrustes_fit(pts[ok][:, idx], reference[idx])
        aligned = scale[:, None, None] * (pts[ok] @ rotation.transpose(0, 2, 1))
        out[ok] = aligned + translation[:, None, :]
        if return_scale:
            size[ok] = face_size(pts[ok], reference)
    return (out, size) if return_scale else out


def face_size(
    points: np.ndarray,
    reference: np.ndarray,
    *,
    on: tuple[int, ...] = SIZE_POINTS,
    depth: float = SIZE_DEPTH_WEIGHT,
) -> np.ndarray:
    """(N,) size in pixels per reference unit of (N, 478, 3) faces in canonical axes.

    A similarity fit of the points ``on`` with the depth axis weighted ``depth``
    (what :func:`align` returns with ``return_scale``; other points and weights
    are for benchmarks/head_size.py).
    """
    w = np.array([1.0, 1.0, depth])
    idx = list(on)
    scale, _, _ = procrustes_fit(points[:, idx] * w, np.asarray(reference, np.float64)[idx] * w)
    return np.asarray(1.0 / scale)
