"""Speed and memory of `facs code` and `facs batch`, against bare landmarker inference
in the same run.

    .venv/bin/python benchmarks/speed.py [--long-minutes 10] [--skip-long]
    .venv/bin/python benchmarks/speed.py --issue16   # the issue-16 table (about 10 min)

Prints, for ../shared/data/real/WolfgangLanger_Pexels.mp4 and for a long clip
made by looping it (packets remuxed, no re-encoding):
- the practical limit: MediaPipe's own FaceLandmarker (public API, VIDEO mode, one
  face) on frames already decoded into memory, one process;
- end-to-end fps of `facs code` with --workers 1 and --workers 2, and its
  ratio to that limit;
- peak memory (max RSS of the coding process tree) on the short and the long
  clip, to show it does not grow with video length;
- the estimator's own cost per frame, batched.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _rom

VENV_FACS = Path(sys.executable).with_name("facs")


def loop_clip(src: Path, dst: Path, minutes: float) -> Path:
    """Concatenate copies of a clip's packets until it lasts `minutes`."""
    import av

    if dst.exists():
        return dst
    with av.open(str(src)) as inp:
        stream = inp.streams.video[0]
        duration = float(stream.duration * stream.time_base) if stream.duration else 19.7
        loops = int(np.ceil(minutes * 60 / duration))
        tmp = dst.with_suffix(".tmp.mp4")
        with av.open(str(tmp), "w") as out:
            ostream = out.add_stream_from_template(stream)
            step = round(duration / stream.time_base)
            for k in range(loops):
                inp.seek(0)
                for packet in inp.demux(stream):
                    if packet.dts is None:
                        continue
                    packet.pts += k * step
                    packet.dts += k * step
                    packet.stream = ostream
                    out.mux(packet)
    tmp.replace(dst)
    return dst


def bare_landmarker_fps(path: Path) -> tuple[float, int]:
    """The limit: MediaPipe's own FaceLandmarker (public API, VIDEO mode, one face,
    blendshapes and matrices on, as facs asks) over the frames decoded into memory."""
    from mediapipe import Image, ImageFormat
    from mediapipe.tasks.python.core.base_options import BaseOptions
    from mediapipe.tasks.python.vision import FaceLandmarker, FaceLandmarkerOptions, RunningMode

    from facs.face import decode_frames
    from facs.face._model import locate_model

    frames = [f.image for f in decode_frames(path)]
    options = FaceLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(locate_model())),
        running_mode=RunningMode.VIDEO, num_faces=1, output_face_blendshapes=True,
        output_facial_transformation_matrixes=True,
    )  # fmt: skip
    with FaceLandmarker.create_from_options(options) as task:
        task.detect_for_video(Image(image_format=ImageFormat.SRGB, data=frames[0]), 0)
        t0 = time.perf_counter()
        for k, image in enumerate(frames, start=1):
            task.detect_for_video(Image(image_format=ImageFormat.SRGB, data=image), 33 * k)
        dt = time.perf_counter() - t0
    return len(frames) / dt, len(frames)


def facs_landmarker_fps(path: Path) -> float:
    """facs's own `Landmarker.detect` (faces, ids, pose, colour samples) on the same frames."""
    from facs.face import Landmarker, decode_frames

    frames = list(decode_frames(path))
    with Landmarker(max_faces=1) as lm:
        lm.detect(frames[0])
        lm.reset()
        t0 = time.perf_counter()
        for f in frames:
            lm.detect(f)
        dt = time.perf_counter() - t0
    return len(frames) / dt


def decode_fps(path: Path) -> float:
    from facs.face import decode_frames

    t0 = time.perf_counter()
    n = sum(1 for _ in decode_frames(path))
    return n / (time.perf_counter() - t0)


def run_code(path: Path, workers: int) -> dict[str, float]:
    """Run `facs code` in a fresh process; wall time, fps and peak RSS of the tree."""
    with tempfile.TemporaryDirectory() as out:
        wrapper = (
            "import resource, subprocess, sys, time;"
            "t=time.perf_counter();"
            f"r=subprocess.run([{str(VENV_FACS)!r}, 'code', {str(path)!r}, '-o', {out!r},"
            f" '--workers', '{workers}', '--quiet', '--force', '--max-faces', '1']);"
            "dt=time.perf_counter()-t;"
            "print(r.returncode, dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
        )
        res = subprocess.run(
            [sys.executable, "-c", wrapper], capture_output=True, text=True, check=True
        )
        rc, dt, rss = res.stdout.split()[-3:]
        if int(rc) != 0:
            raise SystemExit(f"facs code failed on {path}")
        summary = json.loads((Path(out) / "summary.json").read_text())
    frames = summary["frames"]
    return {
        "frames": frames,
        "seconds": float(dt),
        "fps": frames / float(dt),
        "rss_mb": int(rss) / 1024,
    }


def bare_fps_on(path: Path) -> tuple[float, int]:
    """The limit on a clip's own frames: decoded into memory first, one process, one face."""
    return bare_landmarker_fps(path)


def run_cmd(args: list[str]) -> tuple[float, float]:
    """Wall time and peak RSS (MB, largest process of the tree) of a facs command."""
    wrapper = (
        "import resource, subprocess, sys, time;"
        "t=time.perf_counter();"
        f"r=subprocess.run({args!r}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL);"
        "dt=time.perf_counter()-t;"
        "print(r.returncode, dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    res = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True,
                         check=True)  # fmt: skip
    rc, dt, rss = res.stdout.split()[-3:]
    if int(rc) not in (0, 1):
        raise SystemExit(f"failed: {' '.join(args)}")
    return float(dt), int(rss) / 1024


def startup_seconds() -> dict[str, float]:
    """What a new process pays before its first frame: imports, and the model."""
    out = {}
    for what, code in (
        ("import facs.coding", "import facs.coding"),
        ("+ landmarker", "import facs.coding\nfrom facs.face import Landmarker\n"
                         "Landmarker(max_faces=1).close()"),
        ("facs --help", None),
    ):  # fmt: skip
        args = [str(VENV_FACS), "--help"] if code is None else [sys.executable, "-c", code]
        best = min(_timed(args) for _ in range(3))
        out[what] = best
    t0 = time.perf_counter()
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):
        out["LocalCluster(2) up"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        client.run(lambda: __import__("facs.coding"))
        out["worker imports facs.coding"] = time.perf_counter() - t1
    return out


def _timed(args: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t


def batch_scaling(short: Path, folder: Path, runs: list[tuple[int, int]]) -> None:
    """`facs batch` on n copies of a clip with w local workers: wall, ratio, memory."""
    import shutil

    base: dict[int, float] = {}
    for n, w in runs:
        clips = folder / f"clips{n}"
        clips.mkdir(parents=True, exist_ok=True)
        for k in range(n):
            target = clips / f"take{k:02d}.mp4"
            if not target.exists():
                shutil.copy(short, target)
        out = folder / f"out_{n}_{w}"
        shutil.rmtree(out, ignore_errors=True)
        dt, rss = run_cmd([str(VENV_FACS), "batch", str(clips), "-o", str(out),
                           "--workers", str(w), "--quiet", "--max-faces", "1"])  # fmt: skip
        base.setdefault(n, dt if w == 1 else float("nan"))
        ratio = base[n] / dt if n in base and base[n] == base[n] else float("nan")
        frames = sum(1 for _ in out.glob("*/frames.csv")) * 472
        print(f"facs batch: {n} clips, {w} worker(s): {dt:.1f} s, {frames / dt:.1f} fps, "
              f"x{ratio:.2f} vs 1 worker, peak RSS (largest process) {rss:.0f} MB")  # fmt: skip


def issue16(args: argparse.Namespace) -> None:
    short = _rom.REAL / "WolfgangLanger_Pexels.mp4"
    cache = _rom.CACHE
    cache.mkdir(exist_ok=True)
    clip = loop_clip(short, cache / "wolfgang_loop_4x.mp4", 4 * 19.685 / 60)
    limit, n = bare_fps_on(clip)
    print(f"clip: {clip.name}, {n} frames; bare MediaPipe FaceLandmarker (frames in memory, "
          f"1 process, 1 face): {limit:.1f} fps")  # fmt: skip
    mine = facs_landmarker_fps(clip)
    print(f"facs Landmarker.detect on the same frames: {mine:.1f} fps, {mine / limit:.2f} x bare")
    for w, faces in ((1, 1), (2, 1), (1, 4), (2, 4)):
        r = run_code_faces(clip, w, faces)
        print(f"facs code --workers {w} --max-faces {faces}: {r['fps']:.1f} fps, "
              f"{r['fps'] / limit:.2f} x bare, {r['seconds']:.1f} s, "
              f"peak RSS {r['rss_mb']:.0f} MB")  # fmt: skip
    for what, sec in startup_seconds().items():
        print(f"start-up: {what}: {sec:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        batch_scaling(short, Path(tmp), [(8, 1), (8, 2), (8, 4), (16, 2), (16, 4)])


def run_code_faces(path: Path, workers: int, faces: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as out:
        args = [str(VENV_FACS), "code", str(path), "-o", out, "--workers", str(workers),
                "--quiet", "--force", "--max-faces", str(faces)]  # fmt: skip
        dt, rss = run_cmd(args)
        frames = json.loads((Path(out) / "summary.json").read_text())["frames"]
    return {"frames": frames, "seconds": dt, "fps": frames / dt, "rss_mb": rss}


def estimator_cost(n: int = 10000) -> float:
    from facs.au._estimator import load_estimator

    est = load_estimator()
    rng = np.random.default_rng(0)
    aligned = est.reference[None] + rng.normal(0, 0.01, (n, 478, 3)).astype(np.float32)
    bs = np.abs(rng.normal(0, 0.1, (n, 52))).astype(np.float32)
    pose = rng.normal(0, 5, (n, 3))
    size = np.full(n, 100.0)
    base = est.population
    t0 = time.perf_counter()
    est.estimate(aligned=aligned, size=size, blendshapes=bs, pose=pose, baseline=base)
    return (time.perf_counter() - t0) / n * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--long-minutes", type=float, default=10.0)
    ap.add_argument("--skip-long", action="store_true")
    ap.add_argument("--issue16", action="store_true",
                    help="one minute+ clip: 1 and 2 workers, --max-faces 1 and 4, start-up, "
                         "facs batch scaling")  # fmt: skip
    ap.add_argument("--estimator-only", action="store_true",
                    help="only the estimator's cost per frame beside the landmarker's")  # fmt: skip
    args = ap.parse_args()
    _rom.require_data()
    if args.issue16:
        issue16(args)
        return
    short = _rom.REAL / "WolfgangLanger_Pexels.mp4"
    if args.estimator_only:
        limit, n = bare_landmarker_fps(short)
        cost = estimator_cost()
        print(f"estimator: {cost:.4f} ms per frame (batched); landmarker in the same run: "
              f"{1000 / limit:.2f} ms per frame ({cost / (1000 / limit):.2%} of it)")  # fmt: skip
        return
    cache = _rom.CACHE
    cache.mkdir(exist_ok=True)
    print(f"clip: {short.name}")
    dec = decode_fps(short)
    limit, n = bare_landmarker_fps(short)
    print(
        f"decode only: {dec:.1f} fps; bare landmarker (decoded frames, 1 process): "
        f"{limit:.1f} fps over {n} frames"
    )
    for w in (1, 2):
        r = run_code(short, w)
        print(
            f"facs code --workers {w}: {r['fps']:.1f} fps ({r['fps'] / limit:.2f} x limit), "
            f"{r['seconds']:.1f} s, peak RSS {r['rss_mb']:.0f} MB"
        )
    print(f"estimator: {estimator_cost():.4f} ms per frame (batched)")
    if not args.skip_long:
        long = loop_clip(
            short, cache / f"wolfgang_loop_{args.long_minutes:g}min.mp4", args.long_minutes
        )
        print(f"clip: {long.name} ({args.long_minutes:g} min)")
        for w in (1, 2):
            r = run_code(long, w)
            print(
                f"facs code --workers {w}: {r['fps']:.1f} fps ({r['fps'] / limit:.2f} x limit), "
                f"{r['frames']} frames, {r['seconds']:.1f} s, peak RSS {r['rss_mb']:.0f} MB"
            )


if __name__ == "__main__":
    main()
