"""Speed and memory of `facs code`, against bare landmarker inference in the same run.

    .venv/bin/python benchmarks/speed.py [--long-minutes 10] [--skip-long]

Prints, for ../shared/data/real/WolfgangLanger_Pexels.mp4 and for a long clip
made by looping it (packets remuxed, no re-encoding):
- the practical limit: FaceLandmarker (VIDEO mode, one face) on frames already
  decoded into memory, one process;
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
    from facs.face import Landmarker, decode_frames

    frames = list(decode_frames(path))
    with Landmarker(max_faces=1) as lm:
        lm.detect(frames[0])
        lm.reset()
        t0 = time.perf_counter()
        for f in frames:
            lm.detect(f)
        dt = time.perf_counter() - t0
    return len(frames) / dt, len(frames)


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
    ap.add_argument("--estimator-only", action="store_true",
                    help="only the estimator's cost per frame beside the landmarker's")  # fmt: skip
    args = ap.parse_args()
    _rom.require_data()
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
