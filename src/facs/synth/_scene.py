"""The geometry the renderer draws: camera, subdivided face, head shell, creases.

Derived once from the face model (and MediaPipe's landmark connections) and
cached: the face mesh subdivided (each triangle into four, once or twice) with
a skin, brow and lip colour per triangle; the contours of the eyes and the
inner lips; the back of the head, the ears and the neck around the face; and
the creases of ``wrinkles.toml`` bound to the mesh.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from facs.synth._model import (
    DEFAULT_BROW,
    DEFAULT_SKIN,
    Colour,
    FaceModel,
    Mesh,
    _rotation,
    load_face_model,
)

#: View name → yaw of the camera around the head (degrees; the face turns to the image right).
VIEWS: dict[str, float] = {"front": 0.0, "three-quarter": 35.0, "profile": 80.0}
CAMERA_DISTANCE = 6.0  # inter-ocular units from the face
_VIEW_PIVOT = np.array([0.0, 0.0, -0.55])  # the view turns about the head's centre
_LIP = np.array([0.76, 0.40, 0.40])
_IRIS_POINTS = {"R": (468, 469, 470, 471, 472), "L": (473, 474, 475, 476, 477)}


def _vertex_normals(mesh: Mesh, triangles: npt.NDArray[np.int32]) -> Mesh:
    v = mesh[triangles]
    face = np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0])
    normals = np.zeros_like(mesh)
    for k in range(3):
        np.add.at(normals, triangles[:, k], face)
    return np.asarray(normals / np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12))


def _to_view(mesh: Mesh, view: str) -> Mesh:
    yaw = VIEWS[view]
    if yaw == 0:
        return mesh
    return np.asarray((mesh - _VIEW_PIVOT) @ _rotation(yaw, 0.0, 0.0).T + _VIEW_PIVOT)


def _project(points: Mesh) -> npt.NDArray[np.float64]:
    scale = CAMERA_DISTANCE / (CAMERA_DISTANCE - points[..., 2])
    return np.asarray(points[..., :2] * scale[..., None])


# --------------------------------------------------------------------------- scene


def _chains(pairs: Sequence[tuple[int, int]]) -> list[list[int]]:
    """Join connection pairs into polylines."""
    chains: list[list[int]] = []
    for a, b in pairs:
        for chain in chains:
            if chain[-1] == a:
                chain.append(b)
                break
        else:
            chains.append([a, b])
    return chains


def _connections(name: str) -> list[tuple[int, int]]:
    """MediaPipe's landmark connections (FaceLandmarksConnections.<name>)."""
    from mediapipe.tasks.python.vision.face_landmarker import FaceLandmarksConnections

    return [(int(c.start), int(c.end)) for c in getattr(FaceLandmarksConnections, name)]


def _loop(name: str, upper_point: int) -> tuple[int, ...]:
    """A closed contour from MediaPipe's connections: the chain through ``upper_point``
    (outer corner to inner, or right to left), then the other chain back."""
    chains = [c for c in _chains(_connections(name)) if c[0] in (33, 263, 78, 61)]
    upper = next(c for c in chains if upper_point in c)
    lower = next(c for c in chains if c is not upper and c[0] == upper[0])
    return (*upper, *reversed(lower[1:-1]))


@cache
def _loops() -> dict[str, tuple[int, ...]]:
    """Eye contours (``"R"``, ``"L"``: outer corner, upper lid, inner corner, lower lid)
    and the inner lip contour (``"mouth"``: right corner, upper lip, left corner, lower)."""
    lips = [c for c in _chains(_connections("FACE_LANDMARKS_LIPS")) if c[0] == 78]
    upper = next(c for c in lips if 13 in c)
    lower = next(c for c in lips if 14 in c)
    return {
        "R": _loop("FACE_LANDMARKS_RIGHT_EYE", 159),
        "L": _loop("FACE_LANDMARKS_LEFT_EYE", 386),
        "mouth": (*upper, *reversed(lower[1:-1])),
    }


def _inside(polygon: npt.NDArray[np.float64], points: npt.NDArray[np.float64]) -> Any:
    from matplotlib.path import Path as MplPath

    return MplPath(polygon).contains_points(points)


def _segment_distance(points: npt.NDArray[np.float64], ring: npt.NDArray[np.float64]) -> Any:
    """Distance from each 2-D point to a closed polyline."""
    a, b = ring, np.roll(ring, -1, axis=0)
    ab = b - a
    length2 = np.maximum((ab**2).sum(axis=1), 1e-12)
    t = ((points[:, None, :] - a[None]) * ab[None]).sum(axis=2) / length2[None]
    nearest = a[None] + np.clip(t, 0.0, 1.0)[..., None] * ab[None]
    return np.linalg.norm(points[:, None, :] - nearest, axis=2).min(axis=1)


def _region(ring: npt.NDArray[np.float64], points: npt.NDArray[np.float64], soft: float) -> Any:
    """1 inside ``ring``, falling to 0 over ``soft`` outside it."""
    inside = _inside(ring, points)
    outside = np.clip(1.0 - _segment_distance(points, ring) / soft, 0.0, 1.0)
    return np.where(inside, 1.0, outside**2)


@dataclass(frozen=True, eq=False)
class _Scene:
    """Everything the painter derives once from the face model."""

    levels: tuple[npt.NDArray[np.intp], ...]  # per subdivision: the edge of each new vertex
    triangles: npt.NDArray[np.intp]  # over all vertices after subdivision
    albedo: npt.NDArray[np.float64]  # (len(triangles), 3)

    def subdivide(self, values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Per-vertex values of the original mesh, extended to every vertex."""
        for edges in self.levels:
            values = np.concatenate([values, (values[edges[:, 0]] + values[edges[:, 1]]) / 2])
        return values


def _split(
    triangles: npt.NDArray[np.intp], n: int
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Each triangle into four at its edge midpoints: (new edges, new triangles)."""
    edge_ids: dict[tuple[int, int], int] = {}

    def mid(a: int, b: int) -> int:
        key = (a, b) if a < b else (b, a)
        if key not in edge_ids:
            edge_ids[key] = n + len(edge_ids)
        return edge_ids[key]

    tris: list[tuple[int, int, int]] = []
    for a, b, c in triangles.tolist():
        ab, bc, ca = mid(a, b), mid(b, c), mid(c, a)
        tris += [(a, ab, ca), (ab, b, bc), (ca, bc, c), (ab, bc, ca)]
    edges = np.array(sorted(edge_ids, key=edge_ids.__getitem__), dtype=np.intp)
    return edges, np.array(tris, dtype=np.intp)


@cache
def _scene(levels: int = 2, skin: Colour = DEFAULT_SKIN, brow: Colour = DEFAULT_BROW) -> _Scene:
    """The subdivided face and its colours."""
    model = load_face_model()
    neutral = model.neutral
    triangles = model.triangles.astype(np.intp)
    steps: list[npt.NDArray[np.intp]] = []
    verts = neutral
    for _ in range(levels):
        edges, triangles = _split(triangles, len(verts))
        steps.append(edges)
        verts = np.concatenate([verts, (verts[edges[:, 0]] + verts[edges[:, 1]]) / 2])
    xy = verts[:, :2]
    albedo = np.tile(np.asarray(skin), (len(verts), 1))
    # brows: the band between each brow's upper and lower landmark lines, soft-edged
    for side in ("LEFT", "RIGHT"):
        lower, upper = _chains(_connections(f"FACE_LANDMARKS_{side}_EYEBROW"))[:2]
        ring = neutral[[*lower, *reversed(upper)], :2]
        centre = ring.mean(axis=0)
        w = _region(centre + (ring - centre) * np.array([1.0, 1.1]), xy, 0.03)
        albedo = albedo * (1 - w[:, None]) + np.asarray(brow) * w[:, None]
    # lips: inside the outer lip contour (the inner contour is the mouth hole)
    lips = _chains(_connections("FACE_LANDMARKS_LIPS"))
    upper_outer = next(c for c in lips if 0 in c)
    lower_outer = next(c for c in lips if 17 in c)
    ring = neutral[[*upper_outer, *reversed(lower_outer)], :2]
    w = _region(ring, xy, 0.007)
    albedo = albedo * (1 - w[:, None]) + _LIP * w[:, None]
    return _Scene(levels=tuple(steps), triangles=triangles, albedo=albedo[triangles].mean(axis=1))


_HEAD_CENTRE = np.array([0.0, 0.3, -0.9])  # the cranium, an ellipsoid behind the face
_HEAD_RADII = np.array([0.88, 1.15, 1.1])
_HAIR = np.array([0.24, 0.17, 0.13])
_STABLE = (10, 338, 109, 297, 67, 151, 9, 8, 168, 6, 197, 195, 127, 356, 162, 389, 21, 251)
_RINGS, _NECK_ROWS, _NECK_COLS, _EAR_RIM = 18, 8, 40, 20


@dataclass(frozen=True, eq=False)
class _Shell:
    """The back of the head, the ears and the neck, where the face mesh ends.

    Vertex layout: the 478 face vertices, the midpoints of the face-oval edges,
    the head rings (they run from every face-oval point along the great circle
    of the cranium ellipsoid to the back of the head, so they meet the face
    mesh edge to edge and never cross it), the two ears (both move rigidly
    with the head) and the neck (a fixed elliptic cylinder).
    """

    oval: tuple[int, ...]
    head: Mesh  # (rings × 2·len(oval), 3) in neutral head coordinates
    ears: Mesh  # (2 × (2 + 2·rim), 3) in neutral head coordinates
    neck: Mesh
    triangles: npt.NDArray[np.intp]
    albedo: npt.NDArray[np.float64]  # per triangle
    ears_first: int  # triangles from here to ``neck_first`` are the ears
    neck_first: int  # triangles from here on are the neck, drawn behind everything

    def vertices(self, face: Mesh, rot: npt.NDArray[np.float64], shift: Mesh, view: str) -> Mesh:
        """Every shell vertex for a posed (and view-turned) face."""
        ring = face[list(self.oval)]
        mids = (ring + np.roll(ring, -1, axis=0)) / 2
        posed = np.concatenate([self.head, self.ears]) @ rot.T + shift
        return np.concatenate([face, mids, posed, _to_view(self.neck, view)])


def _grid_triangles(rows: int, cols: int, index: Any) -> list[tuple[int, int, int]]:
    tris: list[tuple[int, int, int]] = []
    for r in range(rows - 1):
        for c in range(cols):
            a, b = index(r, c), index(r, (c + 1) % cols)
            d, e = index(r + 1, c), index(r + 1, (c + 1) % cols)
            tris += [(a, d, b), (b, d, e)]
    return tris


def _orient(tris: npt.NDArray[np.intp], verts: Mesh, outward: Mesh) -> npt.NDArray[np.intp]:
    """Flip triangles so their normals agree with ``outward`` (one vector per triangle)."""
    v = verts[tris]
    normal = np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0])
    flip = (normal * outward).sum(axis=1) < 0
    out = tris.copy()
    out[flip] = out[flip][:, [0, 2, 1]]
    return out


def _ear(side: float) -> Mesh:
    """An ear: a rim disc and a smaller, raised concha disc (centre first in each)."""
    centre = np.array([0.9 * side, 0.18, -0.98])
    normal = np.array([side, 0.0, 0.55]) / math.hypot(1.0, 0.55)
    up = np.array([0.0, 0.97, -0.24])
    across = np.cross(up, normal)
    across /= np.linalg.norm(across)
    theta = np.linspace(0.0, 2 * math.pi, _EAR_RIM, endpoint=False)
    rim = centre + 0.33 * np.cos(theta)[:, None] * up + 0.17 * np.sin(theta)[:, None] * across
    inner_c = centre + 0.02 * normal - 0.05 * up + 0.02 * across * side
    inner = inner_c + 0.55 * (rim - centre)
    return np.concatenate([centre[None], rim, inner_c[None], inner])


@cache
def _shell(model: FaceModel | None = None) -> _Shell:
    """The shell around ``model``'s face (default the mean face), in its skin colour."""
    model = model or load_face_model()
    neutral = model.neutral
    skin = np.asarray(model.skin)
    ear_colour = skin * np.array([1.0, 0.92, 0.9])
    # another face's hair is its brows' colour, a shade darker (the mean face's is _HAIR)
    hair_colour = _HAIR if model.brow == DEFAULT_BROW else 0.8 * np.asarray(model.brow)
    n = len(neutral)
    oval = tuple(_chains(_connections("FACE_LANDMARKS_FACE_OVAL"))[0][:-1])
    ring = neutral[list(oval)]
    start = np.empty((2 * len(oval), 3))
    start[0::2], start[1::2] = ring, (ring + np.roll(ring, -1, axis=0)) / 2
    start = (start - _HEAD_CENTRE) / _HEAD_RADII
    radius = np.linalg.norm(start, axis=1)
    direction = start / radius[:, None]
    back = np.array([0.0, 0.0, -1.0])
    angle = np.arccos(np.clip(direction @ back, -1.0, 1.0))
    rings = []
    for t in np.linspace(0.0, 1.0, _RINGS + 1)[1:]:
        w0, w1 = np.sin((1 - t) * angle) / np.sin(angle), np.sin(t * angle) / np.sin(angle)
        unit = w0[:, None] * direction + w1[:, None] * back
        rho = 1.0 + (radius - 1.0) * max(0.0, 1.0 - t / 0.35)
        rings.append(_HEAD_CENTRE + _HEAD_RADII * unit * rho[:, None])
    head = np.concatenate(rings)
    cols = 2 * len(oval)

    def head_index(r: int, c: int) -> int:
        if r == 0:
            return oval[c // 2] if c % 2 == 0 else n + c // 2
        return n + len(oval) + (r - 1) * cols + c

    tris = _grid_triangles(_RINGS + 1, cols, head_index)
    n_head = len(tris)
    ears = np.concatenate([_ear(1.0), _ear(-1.0)])
    ear_base = n + len(oval) + len(head)
    per_ear = 2 + 2 * _EAR_RIM
    for k in range(2):
        for disc in (0, 1 + _EAR_RIM):
            c0 = ear_base + k * per_ear + disc
            tris += [(c0, c0 + 1 + j, c0 + 1 + (j + 1) % _EAR_RIM) for j in range(_EAR_RIM)]
    n_ears = len(tris)
    neck_base = ear_base + len(ears)
    theta = np.linspace(0.0, 2 * math.pi, _NECK_COLS, endpoint=False)
    neck = np.array([[0.5 * math.sin(a), y, -0.8 - 0.1 * (y + 0.35) + 0.52 * math.cos(a)]
                     for y in np.linspace(-0.35, -2.8, _NECK_ROWS) for a in theta])  # fmt: skip
    tris += _grid_triangles(_NECK_ROWS, _NECK_COLS, lambda r, c: neck_base + r * _NECK_COLS + c)
    verts = np.concatenate([neutral, start[: len(oval)] * 0, head, ears, neck])
    verts[n : n + len(oval)] = (ring + np.roll(ring, -1, axis=0)) / 2
    triangles = np.array(tris, dtype=np.intp)
    centres = verts[triangles].mean(axis=1)
    outward = centres - _HEAD_CENTRE
    outward[n_head:n_ears] = np.array([1.0, 0.0, 0.55]) * np.sign(centres[n_head:n_ears, :1])
    outward[n_ears:] = centres[n_ears:] * np.array([1.0, 0.0, 1.0]) - np.array([0, 0, -0.85])
    triangles = _orient(triangles, verts, outward)
    hairline = 0.45 - 0.8 * np.clip((-1.05 - verts[:, 2]) / 0.3, 0.0, 1.0)
    hair = np.clip((verts[:, 1] - hairline) / 0.18 + 0.5, 0.0, 1.0)[triangles].mean(axis=1)
    hair[n_head:] = 0.0
    albedo = skin * 0.97 * (1 - hair[:, None]) + hair_colour * hair[:, None]
    albedo[n_head:n_ears] = ear_colour
    concha = np.zeros(len(triangles), dtype=bool)
    for k in range(2):
        first = n_head + k * 2 * _EAR_RIM + _EAR_RIM
        concha[first : first + _EAR_RIM] = True
    albedo[concha] = ear_colour * 0.8
    # the neck lies in the jaw's shadow, darkest under the chin: the jaw line stays visible
    below = np.clip((-0.35 - centres[n_ears:, 1]) / 1.2, 0.0, 1.0)[:, None]
    albedo[n_ears:] = skin * (0.62 + 0.2 * below)
    return _Shell(oval=oval, head=head, ears=ears, neck=neck, triangles=triangles,
                  albedo=albedo, ears_first=n_head, neck_first=n_ears)  # fmt: skip


def _head_pose(mesh: Mesh, model: FaceModel | None = None) -> tuple[npt.NDArray[np.float64], Mesh]:
    """Rotation and translation taking the neutral head of ``model`` (default the mean
    face) to ``mesh`` (Kabsch, stable points)."""
    src = (model or load_face_model()).neutral[list(_STABLE)]
    dst = mesh[list(_STABLE)]
    sc, dc = src.mean(axis=0), dst.mean(axis=0)
    u, _, vt = np.linalg.svd((src - sc).T @ (dst - dc))
    d = np.sign(np.linalg.det(vt.T @ u.T))
    rot = vt.T @ np.diag([1.0, 1.0, d]) @ u.T
    return rot, dc - rot @ sc


@dataclass(frozen=True, eq=False)
class _Crease:
    """One painted crease line, bound to the mesh (triangle corners and weights per point)."""

    name: str
    corners: npt.NDArray[np.intp]  # (points, 3) vertex indices
    weights: npt.NDArray[np.float64]  # (points, 3) barycentric weights
    side: str  # "L", "R" or "M" (midline: the stronger side drives it)
    base: float
    aus: tuple[tuple[int, float], ...]
    width: float

    def opacity(self, levels: Mapping[int, tuple[float, float]]) -> float:
        total = self.base
        for au, amount in self.aus:
            left, right = levels.get(au, (0.0, 0.0))
            level = left if self.side == "L" else right if self.side == "R" else max(left, right)
            total += amount * level
        return min(max(total, 0.0), 0.85)


def _bind(points: npt.NDArray[np.float64], neutral: Mesh, triangles: Any) -> tuple[Any, Any]:
    """Triangle and barycentric weights of 2-D points on the front view of the neutral face."""
    tri = neutral[triangles][:, :, :2]
    a, b, c = tri[:, 0], tri[:, 1], tri[:, 2]
    det = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (c[:, 0] - a[:, 0]) * (b[:, 1] - a[:, 1])
    corners, weights = [], []
    for p in points:
        w1 = ((p[0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (c[:, 0] - a[:, 0]) * (p[1] - a[:, 1])) / det
        w2 = ((b[:, 0] - a[:, 0]) * (p[1] - a[:, 1]) - (p[0] - a[:, 0]) * (b[:, 1] - a[:, 1])) / det
        w = np.stack([1 - w1 - w2, w1, w2], axis=1)
        k = int(np.argmax(w.min(axis=1)))  # inside (or nearest to inside)
        corners.append(triangles[k])
        weights.append(np.clip(w[k], 0.0, 1.0) / np.clip(w[k], 0.0, 1.0).sum())
    return np.array(corners, dtype=np.intp), np.array(weights)


@cache
def _creases() -> tuple[_Crease, ...]:
    model = load_face_model()
    text = resources.files("facs.synth").joinpath("wrinkles.toml").read_text(encoding="utf-8")
    out: list[_Crease] = []
    for raw in tomllib.loads(text)["crease"]:
        midline = bool(raw.get("midline", False))
        aus = tuple((int(k), float(v)) for k, v in raw["aus"].items())
        for line in raw["lines"]:
            points = np.array(line, dtype=np.float64)
            sides = [("M", points)] if midline else [("R", points), ("L", points * [-1.0, 1.0])]
            for side, pts in sides:
                corners, weights = _bind(pts, model.neutral, model.triangles)
                out.append(_Crease(name=str(raw["name"]), corners=corners, weights=weights,
                                   side=side, base=float(raw["base"]), aus=aus,
                                   width=float(raw["width"])))  # fmt: skip
    return tuple(out)
