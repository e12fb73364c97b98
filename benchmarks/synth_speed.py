"""Speed of the synthesiser: one render, an animation per frame, the reference sheet.

    .venv/bin/python benchmarks/synth_speed.py

Each figure is the best of three runs in this process (imports and the face
model loaded once before timing), so it is the work itself, not start-up; the
commands' own start-up (``facs --help``) is printed beside for the wall time a
user sees.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

VENV_FACS = Path(sys.executable).with_name("facs")


def best(fn, runs: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    from facs.face._video import probe
    from facs.synth import animate, render, sheet

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        render("6+12D", out / "warm.png")  # load the model once
        one = best(lambda: render("1+2+5B+26", out / "face.png"))
        print(f"render: {one * 1000:.0f} ms per face (600x700)")
        clip = out / "demo.mp4"
        timeline = "0 -> 6+12D -> 0 -> 1+2+5B+26 -> 0"
        whole = best(lambda: animate(timeline, clip), runs=2)
        frames = probe(clip).n_frames or 1
        print(f"animate: {frames} frames in {whole:.1f} s, {whole / frames * 1000:.0f} ms a frame "
              f"({frames / whole:.1f} fps)")  # fmt: skip
        pdf = best(lambda: sheet(out / "sheet.pdf"), runs=1)
        print(f"sheet: {pdf:.1f} s")
        t = time.perf_counter()
        subprocess.run([str(VENV_FACS), "--help"], capture_output=True, check=True)
        print(f"facs start-up (facs --help): {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
