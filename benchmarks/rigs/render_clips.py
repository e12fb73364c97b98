"""Render labelled range-of-motion clips from a face rig, in the synthetic-rom format.

    python benchmarks/rigs/render_clips.py --rig rocketbox --clips 10 [--seed 0]
        [--out benchmarks/.cache/rigs] [--check]

``--rig NAME`` imports ``benchmarks/rigs/NAME.py``, whose ``faces(count, seed)`` returns
:class:`RigFace` objects; clip ``NN`` of that rig is written as
``<out>/<rig>/<rig>_<NN>.mp4``, ``_labels.csv`` and ``_meta.json``.

Timeline and labels follow ``shared/data/synthetic-rom`` (README section 1): 30
neutral lead frames; 21-frame segments (0, six rising frames 1/7…6/7 of the peak,
seven at the peak, six falling, 0), the peak rotating 0.3 / 0.6 / 1.0 over segments
and clips; the 10-frame blink (45) and the winks (46) at 1.0; 15 neutral tail
frames; 30 fps. Segment order: every both-sides code the face has (1 … 44), blink,
one-sided versions (one side per code, alternating by code and clip), wink left and
right, 19+26, 29 / 31–39, 30 left and right, head 51–58 (rigid: ±30° yaw, ±20° pitch,
±20° roll, ±3 cm forward), eyes 61–64, then the combinations of ``COMBINATIONS``
(components the face lacks are left out). Label columns: ``frame,time_s``, ``AUxx``
for every code present, ``L_AUxx,R_AUxx`` for the sided codes, then
``yaw_deg,pitch_deg,roll_deg,head_forward_cm``; ``AUxx`` is always the larger of its
sides. Only codes the face has get a column (listed as ``codes`` in the meta).

Per clip a seeded RNG picks the static head pose, light, ambient, background, camera
distance (face 25–70 % of the frame height), resolution and the degradations applied
to each frame before H.264 encoding (Gaussian blur, Gaussian noise, JPEG re-encode).
Outputs are written under temporary names and renamed; complete clips are skipped, so
an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import io
import json
import math
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
for _p in (str(HERE), str(HERE.parent)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from _render import Camera, Lighting, Renderer, face_height_distance  # noqa: E402

FPS = 30
LEAD = 30
TAIL = 15
LEVELS = (0.3, 0.6, 1.0)
BLINK = (0.0, 0.34, 0.67, 1.0, 1.0, 0.67, 0.34, 0.0, 0.0, 0.0)  # as in synthetic-rom's CSVs
HEAD = {51: ("yaw", 30.0), 52: ("yaw", -30.0), 53: ("pitch", 20.0), 54: ("pitch", -20.0)}
HEAD |= {55: ("roll", 20.0), 56: ("roll", -20.0), 57: ("forward", 3.0), 58: ("forward", -3.0)}
SPECIAL = {19, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 45, 46}
OTHER = (29, 31, 32, 33, 34, 35, 38, 39)
#: the combinations, as in synthetic-rom ("S12+S14" takes R in even clips, L in odd ones)
COMBINATIONS = (
    "6+12",
    "1+2+5+26",
    "1+4+15",
    "4+5+7+23",
    "9+10+17",
    "S12+S14",
    "12+25+26",
    "1+2+4",
    "6+7+12+25",
)
POSE_COLUMNS = ("yaw_deg", "pitch_deg", "roll_deg", "head_forward_cm")


def col(code: int, side: str = "") -> str:
    return f"{side + '_' if side else ''}AU{code:02d}"


def _code(label: str) -> int:
    return int(label.rsplit("AU", 1)[1])


# --------------------------------------------------------------------------- schedule
@dataclass
class Part:
    """One component of a segment: the code, its side ("" = both / unsided), the
    label columns it sets and the face shape it drives (None for head motion)."""

    code: int
    side: str
    labels: list[str]
    shape: str | None


@dataclass
class Segment:
    name: str  # synthetic-rom style: "12", "L12", "blink", "L46", "19+26", "R12+R14"
    parts: list[Part]
    peak: float
    start: int
    curve: tuple[float, ...]
    shapes_used: list[str] = field(default_factory=list)

    @property
    def end(self) -> int:
        return self.start + len(self.curve) - 1


def segment_curve(peak: float) -> tuple[float, ...]:
    rise = [peak * k / 7 for k in range(1, 7)]
    return (0.0, *rise, *([peak] * 7), *rise[::-1], 0.0)


def face_codes(shapes: dict[str, np.ndarray] | list[str]) -> tuple[list[int], list[int]]:
    """(all codes with a label column, sided codes) for a face's shape names (+ head 51–58)."""
    names = list(shapes)
    codes = {_code(n) for n in names} | set(HEAD)
    sided = {_code(n) for n in names if n[:2] in ("L_", "R_")}
    return sorted(codes), sorted(sided)


def _part(code: int, side: str, shapes, sided: set[int]) -> Part | None:
    """The segment component for ``code`` on ``side`` ("", "L", "R"), or None if absent."""
    if code in HEAD:
        return Part(code, "", [col(code)], None)
    if side:
        name = col(code, side)
        return Part(code, side, [col(code), name], name) if name in shapes else None
    name = col(code)
    if name not in shapes:
        return None
    labels = [name] + ([col(code, "L"), col(code, "R")] if code in sided else [])
    return Part(code, "", labels, name)


def build_schedule(shapes, clip: int) -> tuple[list[Segment], int]:
    """Segments for a face with these shape names, in clip number ``clip``; and the frame count."""
    _, sided_list = face_codes(shapes)
    sided = set(sided_list)
    specs: list[tuple[str, list[Part], str]] = []  # (name, parts, kind)

    def add(name: str, parts: list[Part | None], kind: str = "normal") -> None:
        real = [p for p in parts if p is not None]
        if real:
            specs.append((name, real, kind))

    both = sorted(
        c for c in {_code(n) for n in shapes if n.startswith("AU")} if c < 45 and c not in SPECIAL
    )
    for c in both:
        add(str(c), [_part(c, "", shapes, sided)])
    add("blink", [_part(45, "", shapes, sided)], "blink")
    one_sided = sorted(
        c
        for c in sided
        if c not in (30, 46) and col(c, "L") in shapes and col(c, "R") in shapes and c < 45
    )
    for k, c in enumerate(one_sided):
        side = "L" if (k + clip) % 2 == 0 else "R"
        add(f"{side}{c}", [_part(c, side, shapes, sided)])
    for side in ("L", "R"):
        add(f"{side}46", [_part(46, side, shapes, sided)], "wink")
    if col(19) in shapes:
        add("19+26", [_part(19, "", shapes, sided), _part(26, "", shapes, sided)])
    for c in OTHER:
        add(str(c), [_part(c, "", shapes, sided)])
    for side in ("L", "R"):
        add(f"{side}30", [_part(30, side, shapes, sided)])
    for c in range(51, 59):
        add(str(c), [_part(c, "", shapes, sided)])
    for c in range(61, 65):
        add(str(c), [_part(c, "", shapes, sided)])
    for combo in COMBINATIONS:
        parts, names = [], []
        for item in combo.split("+"):
            side = ""
            if item[0] == "S":
                side = "R" if clip % 2 == 0 else "L"
                item = item[1:]
            p = _part(int(item), side, shapes, sided)
            if p is not None:
                parts.append(p)
                names.append(f"{side}{item}")
        add("+".join(names), parts)

    segments, frame = [], LEAD
    for i, (name, parts, kind) in enumerate(specs):
        peak = 1.0 if kind in ("blink", "wink") else LEVELS[(clip + i) % 3]
        curve = BLINK if kind == "blink" else segment_curve(peak)
        segments.append(Segment(name, parts, peak, frame, curve))
        frame += len(curve)
    return segments, frame + TAIL


@dataclass
class FrameState:
    labels: dict[str, float]
    weights: dict[str, float]
    yaw: float
    pitch: float
    roll: float
    forward: float


def frame_states(segments: list[Segment], n_frames: int, pose) -> list[FrameState]:
    """Per frame: label values, shape weights and total head pose (static + 51–58)."""
    yaw0, pitch0, roll0 = pose
    states = [FrameState({}, {}, yaw0, pitch0, roll0, 0.0) for _ in range(n_frames)]
    for seg in segments:
        for k, v in enumerate(seg.curve):
            st = states[seg.start + k]
            for p in seg.parts:
                for lab in p.labels:
                    st.labels[lab] = max(st.labels.get(lab, 0.0), v)
                if p.shape is not None:
                    st.weights[p.shape] = st.weights.get(p.shape, 0.0) + v
                elif p.code in HEAD:
                    axis, full = HEAD[p.code]
                    if axis == "yaw":
                        st.yaw += full * v
                    elif axis == "pitch":
                        st.pitch += full * v
                    elif axis == "roll":
                        st.roll += full * v
                    else:
                        st.forward += full * v
    return states


def label_columns(shapes) -> list[str]:
    codes, sided = face_codes(shapes)
    return [
        "frame",
        "time_s",
        *[col(c) for c in codes],
        *[col(c, s) for c in sided for s in ("L", "R")],
        *POSE_COLUMNS,
    ]


def _fmt(x: float) -> str:
    r = round(float(x), 4)
    return "0" if r == 0 else f"{r:g}" if abs(r) >= 1e-4 else "0"


def label_rows(shapes, states: list[FrameState]) -> list[list[str]]:
    columns = label_columns(shapes)
    au_cols = columns[2 : -len(POSE_COLUMNS)]
    rows = []
    for i, st in enumerate(states):
        vals = dict(st.labels)
        # AUxx is the max of its sides
        for c in au_cols:
            if c[:2] in ("L_", "R_"):
                base = c[2:]
                vals[base] = max(vals.get(base, 0.0), vals.get(c, 0.0))
        row = [str(i), _fmt(i / FPS)]
        row += [_fmt(vals.get(c, 0.0)) for c in au_cols]
        row += [_fmt(st.yaw), _fmt(st.pitch), _fmt(st.roll), _fmt(st.forward)]
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- per-clip settings
def face_box(face) -> tuple[float, np.ndarray]:
    """(face height chin to hairline in cm, face centre) from ``face.info["face_height_cm"]`` /
    ``["face_centre"]`` when the rig gives them, else estimated from the mesh: the top of
    the head above the pivot (top of the neck) minus 5 cm of scalp, down to 2 cm below
    the pivot."""
    if "face_height_cm" in face.info and "face_centre" in face.info:
        return float(face.info["face_height_cm"]), np.asarray(face.info["face_centre"], float)
    v, p = np.asarray(face.vertices, float), np.asarray(face.pivot, float)
    near = np.abs(v[:, 0] - p[0]) < 15
    top = float(v[near, 1].max()) - 5.0
    chin = float(p[1]) - 2.0
    z = float(v[near & (v[:, 1] > chin), 2].max()) - 3.0
    return top - chin, np.array([float(p[0]), (top + chin) / 2, z])


def clip_settings(face, clip: int, seed: int) -> dict:
    rng = np.random.default_rng([seed, clip, 7919])
    res = [640, 480] if rng.random() < 0.6 else [1280, 720]
    pose = [round(float(rng.uniform(-25, 25)), 1), round(float(rng.uniform(-12, 12)), 1)]
    pose.append(round(float(rng.uniform(-6, 6)), 1))
    kind = rng.choice(["front", "side", "below"], p=[0.5, 0.3, 0.2])
    if kind == "front":
        light = [rng.uniform(-0.8, 0.8), rng.uniform(-0.1, 0.9), 1.0]
    elif kind == "side":
        light = [rng.choice([-1, 1]) * rng.uniform(1.5, 3.0), rng.uniform(-0.2, 0.5), 1.0]
        light[2] = rng.uniform(0.3, 1.0)
    else:
        light = [rng.uniform(-0.5, 0.5), rng.uniform(-0.6, -0.25), 1.0]
    light = [round(float(x), 3) for x in light]
    amb = round(float(rng.uniform(0.25, 0.40)), 3)
    hue = rng.uniform(0, 1)
    val = rng.uniform(0.12, 0.8)
    sat = rng.uniform(0.0, 0.35)
    bg = [
        round(float(val * (1 - sat * (0.5 + 0.5 * math.cos(2 * math.pi * (hue + k / 3))))), 3)
        for k in range(3)
    ]
    fov = round(float(rng.uniform(18, 30)), 1)
    fraction = round(float(rng.uniform(0.25, 0.70)), 3)
    shift = (1 - fraction) * 0.35
    offset = [round(float(rng.uniform(-shift, shift)), 3) for _ in range(2)]
    degrade = {
        "blur_sigma": round(float(rng.uniform(0, 1.5)), 2),
        "noise_sigma": round(float(rng.uniform(0, 6)), 2),
        "jpeg_quality": int(rng.integers(30, 96)) if rng.random() < 0.5 else None,
        "crf": int(rng.integers(18, 29)),
        "noise_seed": int(rng.integers(2**31)),
    }
    height, centre = face_box(face)
    dist = face_height_distance(height, fraction, fov)
    half_h = dist * math.tan(math.radians(fov) / 2)  # half the visible height at the face, cm
    position = [
        float(centre[0] - offset[0] * half_h * res[0] / res[1]),
        float(centre[1] - offset[1] * half_h),
        float(centre[2] + dist),
    ]
    return {
        "res": res,
        "pose": pose,
        "light_kind": str(kind),
        "light": light,
        "amb": amb,
        "bg": bg,
        "camera": {
            "fov_deg": fov,
            "position_cm": [round(x, 3) for x in position],
            "face_fraction": fraction,
            "framing_offset": offset,
            "looks_along": "-z",
        },
        "degradation": degrade,
    }


class Degrader:
    """Blur (Gaussian, sigma px), Gaussian noise (grey levels), JPEG round trip, per frame.

    The noise is drawn from a bank of a few full-frame fields, each frame taking one at a
    random cyclic offset (fresh-looking noise at a fraction of the cost)."""

    def __init__(self, d: dict, shape: tuple[int, int, int], bank: int = 6) -> None:
        self.d = d
        self.rng = np.random.default_rng(d["noise_seed"])
        self.noise = None
        if d["noise_sigma"] > 0.05:
            self.noise = [
                np.round(
                    self.rng.standard_normal(shape, dtype=np.float32) * np.float32(d["noise_sigma"])
                ).astype(np.int16)
                for _ in range(bank)
            ]

    def __call__(self, img: np.ndarray) -> np.ndarray:
        from PIL import Image, ImageFilter

        d, out = self.d, img
        if d["blur_sigma"] > 0.05:
            try:  # OpenCV (installed with mediapipe) is ~8x faster than Pillow here
                import cv2

                out = cv2.GaussianBlur(out, (0, 0), float(d["blur_sigma"]))
            except ImportError:
                blur = ImageFilter.GaussianBlur(d["blur_sigma"])
                out = np.asarray(Image.fromarray(out).filter(blur))
        if self.noise is not None:
            field = self.noise[int(self.rng.integers(len(self.noise)))]
            dy, dx = (int(self.rng.integers(n)) for n in field.shape[:2])
            field = np.roll(field, (dy, dx), axis=(0, 1))
            out = np.clip(out.astype(np.int16) + field, 0, 255).astype(np.uint8)
        if d["jpeg_quality"] is not None:
            buf = io.BytesIO()
            Image.fromarray(out).save(buf, format="JPEG", quality=int(d["jpeg_quality"]))
            buf.seek(0)
            out = np.asarray(Image.open(buf).convert("RGB"))
        return np.ascontiguousarray(out)


# --------------------------------------------------------------------------- one clip
def _jsonable(x):
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(type(x))


def render_clip(
    face,
    rig: str,
    clip: int,
    seed: int,
    out_dir: Path,
    renderer: Renderer,
    *,
    check: bool = False,
) -> dict | None:
    """Render one clip; returns its meta (None if it was already complete)."""
    import av

    name = f"{rig}_{clip:02d}"
    mp4, labels_csv, meta_json = (
        out_dir / f"{name}.mp4",
        out_dir / f"{name}_labels.csv",
        out_dir / f"{name}_meta.json",
    )
    if mp4.exists() and labels_csv.exists() and meta_json.exists():
        print(f"{name}: complete, skipped", flush=True)
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    settings = clip_settings(face, clip, seed)
    segments, n_frames = build_schedule(face.shapes, clip)
    states = frame_states(segments, n_frames, settings["pose"])
    columns = label_columns(face.shapes)
    rows = label_rows(face.shapes, states)

    width, height = settings["res"]
    cam = Camera(
        position=tuple(settings["camera"]["position_cm"]), fov_deg=settings["camera"]["fov_deg"]
    )
    light = Lighting(direction=tuple(settings["light"]), ambient=settings["amb"])
    light.background = tuple(settings["bg"])
    d = settings["degradation"]
    degrade = Degrader(d, (height, width, 3))

    tmp_mp4 = mp4.with_name(f".{name}.{os.getpid()}.tmp.mp4")
    t_render = t_degrade = t_encode = 0.0
    t0 = time.perf_counter()
    with av.open(str(tmp_mp4), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": str(d["crf"]), "preset": "fast"}
        for st in states:
            a = time.perf_counter()
            img = renderer.render(
                face,
                st.weights,
                yaw=st.yaw,
                pitch=st.pitch,
                roll=st.roll,
                forward_cm=st.forward,
                camera=cam,
                lighting=light,
                size=(width, height),
            )
            b = time.perf_counter()
            img = degrade(img)
            c = time.perf_counter()
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                container.mux(packet)
            t_render += b - a
            t_degrade += c - b
            t_encode += time.perf_counter() - c
        for packet in stream.encode():
            container.mux(packet)
    wall = time.perf_counter() - t0

    detection = None
    if check:
        detection = detection_rate(tmp_mp4)

    used_sources = {}
    sources = face.info.get("shape_sources", {})
    seg_meta = []
    for seg in segments:
        shp = [s for p in seg.parts if p.shape for s in sources.get(p.shape, [p.shape])]
        for p in seg.parts:
            if p.shape:
                used_sources[p.shape] = sources.get(p.shape, [p.shape])
        seg_meta.append(
            {
                "codes": [seg.name],
                "peak": seg.peak,
                "start_frame": seg.start,
                "end_frame": seg.end,
                "labels": sorted({lab for p in seg.parts for lab in p.labels}),
                "shapes": [p.shape for p in seg.parts if p.shape],
                "source_shapes": shp,
            }
        )
    codes, sided = face_codes(face.shapes)
    meta = {
        "name": name,
        "rig": rig,
        "identity": face.identity,
        "res": settings["res"],
        "skin": face.info.get("skin"),
        "brow": face.info.get("brow"),
        "iris": face.info.get("iris_colour"),
        "identity_scale": face.info.get("scale"),
        "light": settings["light"],
        "light_kind": settings["light_kind"],
        "amb": settings["amb"],
        "bg": settings["bg"],
        "pose": settings["pose"],
        "camera": settings["camera"],
        "degradation": settings["degradation"],
        "fps": FPS,
        "n_frames": n_frames,
        "neutral_lead_frames": LEAD,
        "codes": [str(c) for c in codes],
        "sided_codes": [str(c) for c in sided],
        "segments": seg_meta,
        "source_shapes": used_sources,
        "head_pivot_cm": [round(float(x), 4) for x in face.pivot],
        "head_motion": {
            "51/52 yaw deg": 30,
            "53/54 pitch deg": 20,
            "55/56 roll deg": 20,
            "57/58 forward cm": 3,
        },
        "source": face.info.get("source"),
        "licence": face.info.get("licence"),
        "seed": seed,
        "face_detected_fraction": detection,
        "ms_per_frame": {
            "render": round(1000 * t_render / n_frames, 2),
            "degrade": round(1000 * t_degrade / n_frames, 2),
            "encode": round(1000 * t_encode / n_frames, 2),
            "total": round(1000 * wall / n_frames, 2),
        },
    }
    tmp_csv = labels_csv.with_name(f".{name}.{os.getpid()}.tmp.csv")
    with open(tmp_csv, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(columns)
        w.writerows(rows)
    tmp_meta = meta_json.with_name(f".{name}.{os.getpid()}.tmp.json")
    tmp_meta.write_text(json.dumps(meta, indent=1, default=_jsonable))
    os.replace(tmp_mp4, mp4)
    os.replace(tmp_csv, labels_csv)
    os.replace(tmp_meta, meta_json)  # last: its presence marks the clip complete
    det = "" if detection is None else f", face detected in {detection:.1%} of frames"
    print(
        f"{name} ({face.identity}, {width}x{height}): {n_frames} frames, "
        f"{meta['ms_per_frame']['total']:.1f} ms/frame (render {meta['ms_per_frame']['render']:.1f}"
        f", degrade {meta['ms_per_frame']['degrade']:.1f}, encode "
        f"{meta['ms_per_frame']['encode']:.1f}){det}",
        flush=True,
    )
    return meta


def detection_rate(path: Path) -> float:
    """Fraction of the clip's frames in which the MediaPipe landmarker finds a face."""
    from facs.face import Landmarker, decode_frames

    found = total = 0
    with Landmarker(max_faces=1) as landmarker:
        for frame in decode_frames(path):
            total += 1
            found += bool(landmarker.detect(frame))
    return found / max(total, 1)


def load_rig(rig: str):
    return importlib.import_module(rig)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rig", required=True, help="module in benchmarks/rigs with faces()")
    ap.add_argument("--clips", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=HERE.parent / ".cache" / "rigs")
    ap.add_argument("--only", type=int, nargs="*", help="clip numbers to render (default all)")
    ap.add_argument("--samples", type=int, default=4, help="multisampling (2 or 4)")
    ap.add_argument("--check", action="store_true", help="run MediaPipe on every frame")
    args = ap.parse_args(argv)

    module = load_rig(args.rig)
    out_dir = args.out / args.rig
    todo = [
        i
        for i in (args.only if args.only is not None else range(args.clips))
        if not all(
            (out_dir / f"{args.rig}_{i:02d}{s}").exists()
            for s in (".mp4", "_labels.csv", "_meta.json")
        )
    ]
    if not todo:
        print(f"{args.rig}: all {args.clips} clips complete in {out_dir}")
        return
    faces = module.faces(max(args.clips, max(todo) + 1), seed=args.seed)
    renderer = Renderer(640, 480, samples=args.samples)
    print(f"{args.rig}: rendering clips {todo} into {out_dir}", flush=True)
    for i in todo:
        render_clip(faces[i], args.rig, i, args.seed, out_dir, renderer, check=args.check)


if __name__ == "__main__":
    main()
