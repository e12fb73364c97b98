"""Event matching on long chained codings: time and peak memory, windows against one matrix.

    .venv/bin/python benchmarks/agree_scale.py [--sizes 1000,3000,8000,20000]

A chained group is events each within the tolerance of the next (a flickering machine
coding of a long take): coder A has an event every second, 0.6 s long, coder B the same
0.2 s later. ``facs.reliability`` matches a group above ``_DENSE_PAIRS`` candidate pairs
in overlapping windows; the baseline, one dense matrix for the whole group (what it did
before), is measured in the same run up to 3000 events a side (beyond, it needs GBs).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np

import facs.reliability as rel


def _chain(n: int) -> tuple[np.ndarray, np.ndarray]:
    a = np.stack([np.arange(n) * 1.0, np.arange(n) + 0.3, np.arange(n) + 0.6], axis=1)
    return a, a + 0.2


def _measure(n: int, *, dense: bool) -> tuple[int, float, float]:
    a, b = _chain(n)
    saved = rel._DENSE_PAIRS
    rel._DENSE_PAIRS = 10**15 if dense else saved
    tracemalloc.start()
    start = time.perf_counter()
    try:
        pairs = rel._match_times(a, b, 0.5)
    finally:
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        rel._DENSE_PAIRS = saved
    return len(pairs), seconds, peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,3000,8000,20000")
    args = ap.parse_args()
    rel._match_times(*_chain(10), 0.5)  # imports SciPy's solver: not part of any size
    print("| events a side | one matrix: s | MB | windows: s | MB | pairs |")
    print("|---|---|---|---|---|---|")
    for n in (int(x) for x in args.sizes.split(",")):
        pairs, seconds, peak = _measure(n, dense=False)
        base = "– | –"
        if n <= 3000:
            dense_pairs, dense_s, dense_mb = _measure(n, dense=True)
            assert dense_pairs == pairs
            base = f"{dense_s:.2f} | {dense_mb:.0f}"
        print(f"| {n} | {base} | {seconds:.2f} | {peak:.0f} | {pairs} |", flush=True)


if __name__ == "__main__":
    main()
