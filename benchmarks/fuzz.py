"""The long fuzz run: hostile codes through the parser, damaged files through every importer.

Counts what came out: parsed, refused with a facs error, or crashed (any
other exception: a bug). Also the slowest case of each, since cost must
follow content.

    python benchmarks/fuzz.py [--codes 100000] [--files 10000] [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from _fuzz import PARSER_ALPHABET, malformed
from facs import Code, FACSError


def codes(n: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    parsed = refused = crashed = 0
    slowest = 0.0
    for _ in range(n):
        size = rng.choice([1, 3, 8, 20, 60, 400, 2500])
        text = "".join(rng.choice(PARSER_ALPHABET) for _ in range(size))
        began = time.perf_counter()
        try:
            code = Code.parse(text)
            assert str(Code.parse(str(code))) == str(code)
            parsed += 1
        except FACSError:
            refused += 1
        except Exception:
            crashed += 1
            traceback.print_exc(limit=2)
        slowest = max(slowest, time.perf_counter() - began)
    return {"cases": n, "parsed": parsed, "refused": refused, "crashed": crashed,
            "slowest_ms": 1000 * slowest}  # fmt: skip


def files(n: int, seed: int) -> dict[str, float]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from test_fuzz import read_everything

    crashed, slowest = 0, 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(n):
            suffix, content = malformed(seed * 1_000_003 + k)
            path = Path(tmp) / f"input{k % 50}{suffix}"
            path.write_bytes(content)
            began = time.perf_counter()
            try:
                read_everything(path)
            except Exception:
                crashed += 1
                traceback.print_exc(limit=2)
            slowest = max(slowest, time.perf_counter() - began)
    return {"files": n, "crashed": crashed, "slowest_ms": 1000 * slowest}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--codes", type=int, default=100_000)
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    began = time.perf_counter()
    print("parser:", codes(args.codes, args.seed), flush=True)
    print("importers:", files(args.files, args.seed), flush=True)
    print(f"wall {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
