"""Microsoft Rocketbox heads (``shared/data/rigs/rocketbox/*.fbx``) as :class:`RigFace` objects.

The FBX files are read with ``ufbx`` in a child process (its bindings can crash
when lists are iterated or at interpreter exit), which dumps plain arrays to
``benchmarks/.cache/rigs/rocketbox_<name>-<size>-<mtime>-v<N>.npz``; this module
only ever loads that npz.

What is drawn: the head-material and body-material triangles above the
clavicles (head, neck, collar), the two eyeballs (separate meshes), and, for the
female head, the eyelash cards (the "opacity" material pieces that the blink
shapes move); the hair cards are dropped. The Rocketbox heads have no separate
teeth or tongue meshes: the mouth is one cavity continuous with the lips, so its
inside is painted dark red, the part the ``AK_52_TongueOut`` shape moves pink, and a
band just behind the upper and lower lips off-white (a hint of teeth).

Conventions (checked, see ``tests/benchmarks/test_rigs.py``): the FBX geometry is
Z-up in cm; its geometry-to-world matrix turns it into Y-up with the face along
+z, and +x is the side of the ``Bip01 L …`` bones. Every ``_L_`` / ``…Left`` shape
moves vertices with x > 0, and rendered, ``L_AU12`` raises the mouth corner on the
image's right, i.e. the subject's left: Rocketbox "L" is the subject's left, the
same as the RigFace convention, so no mirroring is needed.

The mesh is midpoint-subdivided once (geometry unchanged, shapes interpolated the
same way) so the painted brows and lips have sharper outlines; the eyeballs are
coloured per pixel by the renderer from ``info["eye_dir"]``.
"""

from __future__ import annotations

import colorsys
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

try:
    from ._mesh import RigFace
except ImportError:  # run as a script / imported from benchmarks/rigs on sys.path
    from _mesh import RigFace  # type: ignore[no-redef]

DATA = Path(
    os.environ.get(
        "FACS_SHARED_DATA",
        os.environ.get("FACS_DATA_DIR", Path(__file__).resolve().parents[3] / "shared" / "data"),
    )
)
SOURCE = DATA / "rigs" / "rocketbox"
HEADS = ["Female_Adult_01_facial", "Male_Adult_08_facial"]
CACHE = Path(__file__).resolve().parents[1] / ".cache" / "rigs"
_VERSION = 1  # bump when the dump format changes

#: Rocketbox channel -> RigFace label column (FACS ``AU_xx`` shapes, plus the few
#: FACS codes Rocketbox only has as ARKit shapes: 19, 29, 30, 34).
AU_SHAPES: dict[str, str] = {
    "AU_01_InnerBrowRaiser": "AU01",
    "AU_02_OuterBrowRaiser": "AU02",
    "AU_02_L_OuterBrowRaiser": "L_AU02",
    "AU_02_R_OuterBrowRaiser": "R_AU02",
    "AU_04_BrowLowerer": "AU04",
    "AU_05_UpperLidRaiser": "AU05",
    "AU_05_L_UpperLidRaiser": "L_AU05",
    "AU_05_R_UpperLidRaiser": "R_AU05",
    "AU_06_CheekRaiser": "AU06",
    "AU_06_L_CheekRaiser": "L_AU06",
    "AU_06_R_CheekRaiser": "R_AU06",
    "AU_07_LidTightener": "AU07",
    "AU_09_NoseWrinkler": "AU09",
    "AU_10_UpperLipRaiser": "AU10",
    "AU_11_NasolabialDeepener": "AU11",
    "AU_12_LipCornerPuller": "AU12",
    "AU_12_L_LipCornerPuller": "L_AU12",
    "AU_12_R_LipCornerPuller": "R_AU12",
    "AU_13_CheekPuffer": "AU13",
    "AU_13_L_CheekPuffer": "L_AU13",
    "AU_13_R_CheekPuffer": "R_AU13",
    "AU_14_Dimpler": "AU14",
    "AU_15_LipCornerDepressor": "AU15",
    "AU_16_LowerLipDepressor": "AU16",
    "AU_17_ChinRaiser": "AU17",
    "AU_18_LipPuckerer": "AU18",
    "AU_20_LipStretcher": "AU20",
    "AU_22_LipFunneler": "AU22",
    "AU_23_LipTightener": "AU23",
    "AU_24_LipPressor": "AU24",
    "AU_25_LipsPart": "AU25",
    "AU_26_JawDrop": "AU26",
    "AU_27_MouthStretch": "AU27",
    "AU_28_LipSuck": "AU28",
    "AU_41_LidDroop": "AU41",
    "AU_42_Slit": "AU42",
    "AU_42_L_Slit": "L_AU42",
    "AU_42_R_Slit": "R_AU42",
    "AU_43_L_EyeClosed": "L_AU46",  # one eye closed = wink; AU43 = both (their sum)
    "AU_43_R_EyeClosed": "R_AU46",
    "AU_44_Squint": "AU44",
    "AU_44_L_Squint": "L_AU44",
    "AU_44_R_Squint": "R_AU44",
    "AU_45_Blink": "AU45",
    "AU_61_EyesTurnLeft": "AU61",
    "AU_62_EyesTurnRight": "AU62",
    "AU_63_EyesUp": "AU63",
    "AU_64_EyesDown": "AU64",
    "AK_52_TongueOut": "AU19",
    "AK_23_JawForward": "AU29",
    "AK_24_JawLeft": "L_AU30",
    "AK_26_JawRight": "R_AU30",
    "AK_06_CheekPuff": "AU34",
}


# --------------------------------------------------------------------------- FBX dump
def _dump(fbx: str, out: str) -> None:  # pragma: no cover - runs in the child process
    """Read ``fbx`` with ufbx and write plain arrays to ``out`` (.npz). Child process only."""
    import ufbx

    # the bindings free objects whose parent Python wrapper is gone: hold every wrapper
    hold: list[object] = []
    scene = ufbx.load_file(fbx)
    settings = scene.settings
    unit_meters = float(settings.unit_meters)
    meshes = scene.meshes
    hold += [settings, meshes]
    if len(meshes) != 1:
        raise SystemExit(f"{fbx}: expected one mesh, found {len(meshes)}")
    mesh = meshes[0]
    instances = mesh.instances
    mesh_node = instances[0]
    hold += [mesh, instances, mesh_node]
    g2w = mesh_node.geometry_to_world
    nodes = scene.nodes
    hold.append(nodes)
    bone_names, bone_pos = [], []
    for i in range(len(nodes)):
        node = nodes[i]
        hold.append(node)
        bone_pos.append(tuple(node.node_to_world.c3))
        bone_names.append(str(node.name))
    nv = mesh.num_vertices
    verts = mesh.vertices
    vertices = np.array([tuple(verts[i]) for i in range(nv)], np.float64)
    vi = mesh.vertex_indices
    indices = np.array([vi[i] for i in range(mesh.num_indices)], np.int64)
    faces = mesh.faces
    face_rows = np.array([tuple(faces[i]) for i in range(mesh.num_faces)], np.int64)
    fm = mesh.face_material
    face_material = np.array([fm[i] for i in range(mesh.num_faces)], np.int64)
    mats = mesh.materials
    hold.append(mats)
    material_names = []
    for i in range(len(mats)):
        material = mats[i]
        hold.append(material)
        material_names.append(str(material.name))
    names, offsets = [], []
    blends = mesh.blend_deformers
    hold.append(blends)
    for d in range(len(blends)):
        deformer = blends[d]
        chans = deformer.channels
        hold += [deformer, chans]
        for c in range(len(chans)):
            channel = chans[c]
            shape = channel.target_shape
            hold += [channel, shape]
            off = np.zeros((nv, 3), np.float32)
            if shape is not None:
                ov, po = shape.offset_vertices, shape.position_offsets
                for k in range(shape.num_offsets):
                    off[ov[k]] = tuple(po[k])
            names.append(channel.name.split(".")[-1])
            offsets.append(off)
    np.savez_compressed(
        out,
        vertices=vertices,
        indices=indices,
        faces=face_rows,
        face_material=face_material,
        material_names=np.array(material_names),
        shape_names=np.array(names),
        shapes=np.asarray(offsets, np.float32),
        bone_names=np.array(bone_names),
        bone_pos=np.asarray(bone_pos, np.float64),
        geometry_to_world=np.array([tuple(c) for c in g2w], np.float64),  # columns c0..c3
        unit_meters=np.float64(unit_meters),
    )
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # freeing the ufbx scene (or interpreter teardown) can crash: skip both


def raw(name: str) -> dict[str, np.ndarray]:
    """The dumped arrays of one head (``HEADS`` entry), dumping first if needed."""
    fbx = SOURCE / f"{name}.fbx"
    if not fbx.is_file():
        raise FileNotFoundError(f"Rocketbox head not found: {fbx} (set FACS_SHARED_DATA)")
    st = fbx.stat()
    CACHE.mkdir(parents=True, exist_ok=True)
    target = CACHE / f"rocketbox_{name}-{st.st_size}-{int(st.st_mtime)}-v{_VERSION}.npz"
    if not target.exists():
        tmp = target.with_name(target.stem + f".{os.getpid()}.tmp.npz")
        proc = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--dump", str(fbx), str(tmp)],
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0 or not tmp.exists():
            tmp.unlink(missing_ok=True)
            raise RuntimeError(
                f"ufbx dump of {fbx} failed (exit {proc.returncode}): {proc.stderr[-2000:]}"
            )
        os.replace(tmp, target)
    with np.load(target) as z:
        return {k: z[k] for k in z.files}


# --------------------------------------------------------------------------- geometry
def _components(n: int, tris: np.ndarray) -> np.ndarray:
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    rows = np.r_[tris[:, 0], tris[:, 1], tris[:, 2]]
    cols = np.r_[tris[:, 1], tris[:, 2], tris[:, 0]]
    graph = sp.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _subdivide(tris: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Midpoint subdivision: (new triangles, (E, 2) edge endpoints of the new vertices n..)."""
    e = np.sort(np.concatenate([tris[:, [0, 1]], tris[:, [1, 2]], tris[:, [2, 0]]]), axis=1)
    edges, inverse = np.unique(e, axis=0, return_inverse=True)
    m = n + inverse.reshape(3, -1).T  # midpoints of (01, 12, 20) per triangle
    a, b, c = tris.T
    ab, bc, ca = m.T
    new = np.concatenate(
        [np.c_[a, ab, ca], np.c_[ab, b, bc], np.c_[ca, bc, c], np.c_[ab, bc, ca]]
    ).astype(np.int32)
    return new, edges


def _occluded(points: np.ndarray, tri_pts: np.ndarray, margin: float) -> np.ndarray:
    """True where a triangle covers a point's (x, y) more than ``margin`` cm in front (+z)."""
    a, b, c = tri_pts[:, 0, :2], tri_pts[:, 1, :2], tri_pts[:, 2, :2]
    v0, v1 = b - a, c - a
    d00, d01, d11 = (v0 * v0).sum(1), (v0 * v1).sum(1), (v1 * v1).sum(1)
    den = d00 * d11 - d01 * d01
    den = np.where(np.abs(den) < 1e-12, 1e-12, den)
    out = np.zeros(len(points), bool)
    for i, p in enumerate(points):
        v2 = p[None, :2] - a
        d20, d21 = (v2 * v0).sum(1), (v2 * v1).sum(1)
        v = (d11 * d20 - d01 * d21) / den
        w = (d00 * d21 - d01 * d20) / den
        u = 1 - v - w
        inside = (u >= -1e-4) & (v >= -1e-4) & (w >= -1e-4)
        if inside.any():
            z = u * tri_pts[:, 0, 2] + v * tri_pts[:, 1, 2] + w * tri_pts[:, 2, 2]
            out[i] = bool((z[inside] > p[2] + margin).any())
    return out


def _smooth(weights: np.ndarray, tris: np.ndarray, rounds: int) -> np.ndarray:
    """Average a per-vertex scalar with its neighbours ``rounds`` times (softens painted edges)."""
    n = len(weights)
    w = weights.astype(np.float64)
    for _ in range(rounds):
        acc = w.copy()
        cnt = np.ones(n)
        for i, j in ((0, 1), (1, 2), (2, 0), (1, 0), (2, 1), (0, 2)):
            acc += np.bincount(tris[:, i], weights=w[tris[:, j]], minlength=n)
            cnt += np.bincount(tris[:, i], minlength=n)
        w = acc / cnt
    return w


class _Head:
    """One Rocketbox head converted to RigFace conventions, before identity variation."""

    def __init__(self, name: str) -> None:
        z = raw(name)
        self.name = name
        g = z["geometry_to_world"]  # rows are the matrix columns c0..c3
        rot, trans = g[:3].T, g[3]
        unit_cm = float(z["unit_meters"]) * 100.0
        world = (z["vertices"] @ rot.T + trans) * unit_cm
        tris = z["indices"].reshape(-1, 3)
        if not np.all(z["faces"][:, 1] == 3):
            raise ValueError(f"{name}: expected a triangle mesh")
        fmat = z["face_material"]
        mats = [str(m) for m in z["material_names"]]
        bones = {str(n): p * unit_cm for n, p in zip(z["bone_names"], z["bone_pos"], strict=True)}
        shape_names = [str(s) for s in z["shape_names"]]
        shapes_all = (z["shapes"] @ rot.T.astype(np.float32)) * np.float32(unit_cm)
        by_name = dict(zip(shape_names, shapes_all, strict=True))

        comp = _components(len(world), tris)
        opacity = np.array(["opacity" in mats[m].lower() for m in fmat])
        # eyelash cards: opacity pieces the blink moves; hair cards: the other opacity pieces
        blink = np.linalg.norm(by_name["AU_45_Blink"], axis=1) > 1e-4
        lash_comps = {c for c in np.unique(comp[tris[opacity, 0]]) if blink[comp == c].any()}
        lash_face = opacity & np.isin(comp[tris[:, 0]], list(lash_comps))
        clav_y = bones["Bip01 L Clavicle"][1]
        ys, xs = world[tris][:, :, 1], world[tris][:, :, 0]
        region = np.all(ys > clav_y - 7.0, axis=1) & np.all(np.abs(xs) < 17.0, axis=1)
        keep = region & (~opacity | lash_face)
        used = np.unique(tris[keep])
        remap = -np.ones(len(world), np.int64)
        remap[used] = np.arange(len(used))
        t0 = remap[tris[keep]]
        v0 = world[used]
        s0 = {k: v[used] for k, v in by_name.items()}
        lash0 = np.zeros(len(used), bool)
        lash0[np.unique(t0[lash_face[keep]])] = True
        eyes0 = {}  # side -> vertex mask of the eyeball
        for side in ("L", "R"):
            centre = bones[f"Bip01 {side}Eye"]
            head_faces = ~opacity[keep]
            cands = np.unique(comp[used][np.unique(t0[head_faces])])
            best = min(
                cands,
                key=lambda c, centre=centre: (
                    np.linalg.norm(v0[comp[used] == c].mean(0) - centre)
                    + (1e3 if (comp[used] == c).sum() > 400 else 0)
                ),
            )
            eyes0[side] = comp[used] == best

        # one midpoint subdivision (skip the eyeballs and lashes: they are shaded per pixel / dark)
        fine = ~np.any((eyes0["L"] | eyes0["R"] | lash0)[t0], axis=1)
        t_fine, edges = _subdivide(t0[fine], len(v0))
        n0 = len(v0)
        self.vertices = np.concatenate([v0, v0[edges].mean(1)]).astype(np.float32)
        self.triangles = np.concatenate([t0[~fine].astype(np.int32), t_fine]).astype(np.int32)
        self.all_shapes = {
            k: np.concatenate([s, s[edges].mean(1)]).astype(np.float32) for k, s in s0.items()
        }
        pad = np.zeros(len(edges), bool)
        head_mat0 = np.zeros(len(used), bool)
        is_head = np.array(["head" in mats[m].lower() for m in fmat])
        head_mat0[np.unique(t0[is_head[keep]])] = True
        self.head_material = np.concatenate([head_mat0, head_mat0[edges].all(1)])
        self.eye = {k: np.concatenate([m, pad]) for k, m in eyes0.items()}
        self.lash = np.concatenate([lash0, pad])
        self.bones = bones
        self.n_coarse = n0
        self._paint_masks()

    # ---------------------------------------------------------------- paint regions
    def _paint_masks(self) -> None:
        v, t, b = self.vertices, self.triangles, self.bones
        eye_any = self.eye["L"] | self.eye["R"]
        skin = ~eye_any & ~self.lash
        lip = b["Bip01 MUpperLip"]
        y_lip = lip[1]
        # --- mouth interior: behind (occluded by) the outer surface, inside the mouth box
        box = (
            skin
            & (np.abs(v[:, 0]) < 3.6)
            & (v[:, 1] > y_lip - 2.6)
            & (v[:, 1] < y_lip + 1.3)
            & (v[:, 2] > lip[2] - 10.0)
        )
        near = np.any(box[t], axis=1) & np.all(skin[t], axis=1)
        interior = np.zeros(len(v), bool)
        interior[box] = _occluded(v[box], v[t[near]], margin=0.35)
        self.interior = interior
        tongue = np.linalg.norm(self.all_shapes["AK_52_TongueOut"], axis=1) > 2e-3
        self.tongue = interior & tongue
        # teeth hint: interior band close behind the lip fronts, above / below the lip line
        front = lip[2] - v[:, 2]
        self.teeth = (
            interior & ~self.tongue & (front > 0.6) & (front < 1.9) & (np.abs(v[:, 0]) < 1.8)
        )
        # --- lips: the vertices the lip-suck / lips-part shapes move most, on the outer surface
        moved = np.zeros(len(v))
        for name in ("AU_28_LipSuck", "AU_25_LipsPart"):
            d = np.linalg.norm(self.all_shapes[name], axis=1)
            moved = np.maximum(moved, d / d.max())
        lips = (moved > 0.22) & ~interior & skin & (np.abs(v[:, 1] - y_lip) < 1.4)
        self.lip_w = np.clip(_smooth(lips.astype(float), t, 1) * 1.3 - 0.15, 0, 1) * skin
        self.lip_w[interior] = 0
        # --- brows: a band along the eyebrow bones (inner -> outer, extended both ways)
        brow_w = np.zeros(len(v))
        for side, sign in (("L", 1.0), ("R", -1.0)):
            inner = b[f"Bip01 {side}InnerEyebrow"]
            outer = b[f"Bip01 {side}OuterEyebrow"]
            d = outer - inner
            p0 = inner - 0.55 * d
            p1 = outer + 0.45 * d + np.array([0.0, -0.25, 0.0])
            seg = p1 - p0
            s = np.clip(((v - p0) @ seg) / (seg @ seg), 0, 1)
            closest = p0 + s[:, None] * seg
            dy = v[:, 1] - closest[:, 1] - 0.15
            dx = np.abs(v[:, 0] - closest[:, 0])
            # thicker at the inner end, tapering outwards
            half = 0.55 - 0.25 * s
            w = np.clip(1.5 - np.abs(dy) / half, 0, 1) * np.clip(1.5 - dx / 0.6, 0, 1)
            w *= (sign * v[:, 0] > 0.55) & (v[:, 2] > inner[2] - 3.0)
            brow_w = np.maximum(brow_w, w)
        self.brow_w = np.clip(brow_w, 0, 1) * skin
        # --- eyes: rest-pose unit direction from the eye bone, in the eye's frame (+z axis)
        eye_dir = np.zeros((len(v), 3), np.float32)
        for side in ("L", "R"):
            m = self.eye[side]
            d = v[m] - b[f"Bip01 {side}Eye"]
            eye_dir[m] = d / np.linalg.norm(d, axis=1, keepdims=True)
        self.eye_dir = eye_dir
        # --- hair: a cap above a hairline that runs from the forehead down to the nape,
        # the ears left out, and everything behind the skull (the female head's ponytail)
        piv, eye_y = b["Bip01 Head"], (b["Bip01 LEye"][1] + b["Bip01 REye"][1]) / 2
        eye_z = (b["Bip01 LEye"][2] + b["Bip01 REye"][2]) / 2
        brow_y = b["Bip01 MMiddleEyebrow"][1]
        u = (v[:, 2] - piv[2]) / (eye_z - piv[2])
        front_line, side_line, nape = brow_y + 5.0, eye_y + 1.8, piv[1] + 1.0
        line = np.where(
            u >= 0.75,
            front_line,
            np.where(
                u >= 0,
                side_line + (front_line - side_line) * np.clip(u / 0.75, 0, 1),
                side_line + (nape - side_line) * np.clip(-u / 0.6, 0, 1),
            ),
        )
        ear = (np.abs(v[:, 0]) > 5.5) & (v[:, 1] < eye_y + 2.5) & (u > -0.45) & (u < 0.45)
        hair = (v[:, 1] > line) & ~ear
        hair |= (u < -1.0) & (v[:, 1] > piv[1] - 25)
        hair &= self.head_material & skin & (self.brow_w < 0.05)
        self.hair_w = np.clip(_smooth(hair.astype(float), t, 2) * 1.4 - 0.2, 0, 1) * skin
        # --- face box for framing: chin (lowest front midline skin) to hairline (brow + 5.5)
        front = skin & (np.abs(v[:, 0]) < 1.5) & (v[:, 2] > lip[2] - 4.0) & (v[:, 1] < y_lip)
        front &= v[:, 1] > y_lip - 7.0
        chin = float(v[front, 1].min())
        top = float(b["Bip01 MMiddleEyebrow"][1] + 5.5)
        self.face_height = top - chin
        self.face_centre = np.array([0.0, (top + chin) / 2, float(lip[2] - 3.0)])


_HEADS: dict[str, _Head] = {}


def head(name: str) -> _Head:
    if name not in _HEADS:
        _HEADS[name] = _Head(name)
    return _HEADS[name]


# --------------------------------------------------------------------------- identities
SKIN_TONES = np.array(
    [
        [0.93, 0.78, 0.68],
        [0.86, 0.68, 0.56],
        [0.76, 0.57, 0.44],
        [0.62, 0.44, 0.32],
        [0.45, 0.31, 0.22],
        [0.32, 0.21, 0.15],
    ]
)
IRIS = np.array(
    [
        [0.25, 0.38, 0.55],
        [0.30, 0.45, 0.30],
        [0.38, 0.24, 0.12],
        [0.22, 0.13, 0.07],
        [0.45, 0.40, 0.25],
    ]
)


def colours_for(h: _Head, skin, brow, iris, hair=None, clothes=None) -> np.ndarray:
    """Per-vertex albedo: skin, hair, brows, lips, mouth interior, tongue, teeth, lashes, eyes,
    clothes (the body material's collar)."""
    skin = np.asarray(skin, np.float64)
    n = len(h.vertices)
    col = np.tile(skin, (n, 1))
    if clothes is not None:
        col[~h.head_material & ~h.eye["L"] & ~h.eye["R"] & ~h.lash] = clothes
    lip_tint = np.clip(skin * np.array([0.9, 0.66, 0.68]) + np.array([0.05, 0.0, 0.01]), 0, 1)
    col = col * (1 - h.lip_w[:, None]) + lip_tint * h.lip_w[:, None]
    col = col * (1 - h.brow_w[:, None]) + np.asarray(brow) * h.brow_w[:, None]
    if hair is not None:
        col = col * (1 - h.hair_w[:, None]) + np.asarray(hair) * h.hair_w[:, None]
    col[h.interior] = [0.32, 0.07, 0.07]
    col[h.teeth] = [0.86, 0.84, 0.76]
    col[h.tongue] = [0.75, 0.38, 0.40]
    col[h.lash] = np.asarray(brow) * 0.6
    # eyeballs (per-vertex fallback; the renderer shades them per pixel from eye_dir)
    eye = h.eye["L"] | h.eye["R"]
    cz = h.eye_dir[:, 2]
    col[eye] = [0.93, 0.91, 0.88]
    col[eye & (cz > np.cos(np.radians(28)))] = iris
    col[eye & (cz > np.cos(np.radians(11)))] = [0.03, 0.03, 0.03]
    return col.astype(np.float32)


def make_face(
    name: str,
    identity: str,
    *,
    scale=(1.0, 1.0, 1.0),
    skin=(0.86, 0.68, 0.56),
    brow=(0.25, 0.17, 0.11),
    iris=(0.3, 0.35, 0.45),
    hair=None,
    clothes=None,
) -> RigFace:
    """One identity from head ``name`` (``HEADS`` entry) with the given proportions and colours."""
    h = head(name)
    pivot = h.bones["Bip01 Head"].astype(np.float32)
    centre = ((h.bones["Bip01 LEye"] + h.bones["Bip01 REye"]) / 2).astype(np.float32)
    centre[2] = pivot[2]
    sc = np.asarray(scale, np.float32)
    vertices = (h.vertices - centre) * sc + centre
    shapes: dict[str, np.ndarray] = {}
    sources: dict[str, list[str]] = {}
    for src, label in AU_SHAPES.items():
        if src in h.all_shapes:
            shapes[label] = h.all_shapes[src] * sc
            sources[label] = [src]
    if "L_AU46" in shapes and "R_AU46" in shapes:
        shapes["AU43"] = shapes["L_AU46"] + shapes["R_AU46"]
        sources["AU43"] = sources["L_AU46"] + sources["R_AU46"]
    arkit = {k: v * sc for k, v in h.all_shapes.items() if k.startswith("AK_")}
    eye_centres = {
        s: ((h.bones[f"Bip01 {s}Eye"] - centre) * sc + centre).tolist() for s in ("L", "R")
    }
    info = {
        "source": f"rigs/rocketbox/{name}.fbx",
        "licence": "MIT (Microsoft Rocketbox; see rigs/rocketbox/LICENSE-NOTICE.md)",
        "head": name,
        "shape_sources": sources,
        "arkit_shapes": arkit,
        "eye_dir": h.eye_dir,
        "eye_centres": eye_centres,
        "iris_colour": [float(c) for c in iris],
        "iris_deg": 30.0,
        "pupil_deg": 12.0,
        "scale": [float(c) for c in sc],
        "skin": [float(c) for c in skin],
        "brow": [float(c) for c in brow],
        "hair": None if hair is None else [float(c) for c in hair],
        "clothes": None if clothes is None else [float(c) for c in clothes],
        "face_height_cm": float(h.face_height * sc[1]),  # chin to hairline, approx.
        "face_centre": ((h.face_centre - centre) * sc + centre).tolist(),
    }
    return RigFace(
        rig="rocketbox",
        identity=identity,
        vertices=vertices.astype(np.float32),
        triangles=h.triangles,
        colours=colours_for(h, skin, brow, iris, hair, clothes),
        shapes=shapes,
        pivot=pivot,
        info=info,
    )


def faces(count: int, seed: int = 0) -> list[RigFace]:
    """``count`` identities cycling over the two heads, each with its own proportions
    (x, y, z scaled independently within ±8 %), skin tone (light to dark), brow and iris
    colour. Identity names: ``female_adult_01_v00``, ``male_adult_08_v01``, …"""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        name = HEADS[i % len(HEADS)]
        scale = 1.0 + rng.uniform(-0.08, 0.08, 3)
        tone = rng.uniform(0, len(SKIN_TONES) - 1)
        lo = int(np.floor(tone))
        hi = min(lo + 1, len(SKIN_TONES) - 1)
        skin = SKIN_TONES[lo] * (1 - (tone - lo)) + SKIN_TONES[hi] * (tone - lo)
        skin = np.clip(skin * rng.uniform(0.96, 1.04, 3), 0, 1)
        darkness = rng.uniform(0.2, 0.45)
        brow = np.clip(skin * darkness * np.array([1.0, 0.85, 0.75]), 0.03, 1)
        if rng.random() < 0.12 and tone < 2.5:  # greying brows (light and medium skin)
            brow = np.array([0.5, 0.48, 0.45]) * rng.uniform(0.8, 1.1)
        iris = np.clip(IRIS[rng.integers(len(IRIS))] * rng.uniform(0.85, 1.15, 3), 0, 1)
        hair = np.clip(brow * rng.uniform(0.6, 1.2), 0.02, 1)
        if name.startswith("Male") and rng.random() < 0.3:
            hair = None  # shaved head
        clothes = np.array(
            colorsys.hsv_to_rgb(rng.uniform(0, 1), rng.uniform(0.05, 0.7), rng.uniform(0.15, 0.85))
        )
        tag = name.replace("_facial", "").lower()
        seed_tag = "" if seed == 0 else f"_s{seed}"
        identity = f"{tag}_v{i:02d}{seed_tag}"
        out.append(
            make_face(
                name,
                identity,
                scale=tuple(scale),
                skin=tuple(skin.round(3)),
                brow=tuple(brow.round(3)),
                iris=tuple(iris.round(3)),
                hair=None if hair is None else tuple(hair.round(3)),
                clothes=tuple(clothes.round(3)),
            )
        )
    return out


def cache_key() -> str:
    """Short hash of this loader's source (for callers that cache renders)."""
    return hashlib.sha1(Path(__file__).read_bytes()).hexdigest()[:10]


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--dump":
        _dump(sys.argv[2], sys.argv[3])  # exits the process itself
    for f in faces(2):
        print(f.identity, f.vertices.shape, f.triangles.shape, len(f.shapes), f.codes())
