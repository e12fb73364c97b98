"""Round trip: render each code the coder scores, code the renders, compare.

    .venv/bin/python benchmarks/roundtrip.py [--markdown]
    .venv/bin/python benchmarks/roundtrip.py --visibility

See facs.synth._roundtrip. The first prints, per rendered code, the strongest
codes found and the rendered code's rank (the confusion table); the second the
share of each fitted code's drawn landmark motion that MediaPipe sees on the
render (the basis of VISIBILITY_GAIN in facs.synth._model).
"""

from __future__ import annotations

import argparse
import sys

from facs.synth._roundtrip import confusion, rendered_codes, visibility


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--visibility", action="store_true")
    args = ap.parse_args()
    if args.visibility:
        codes = [text[:-1].lstrip("L") for _, text in rendered_codes()]
        print(visibility([c for c in codes if not 43 <= int(c) <= 64]).to_string(index=False))
        return
    table = confusion()
    if args.markdown:
        print("| rendered | rank | strongest found (0–5) |")
        print("|---|---|---|")
        for r in table.itertuples():
            print(f"| {r.rendered} | {r.rank} | {r.found} |")
    else:
        print(table.to_string(index=False))
    top1 = int((table["rank"] == 1).sum())
    top3 = int((table["rank"] <= 3).sum())
    print(f"\n{len(table)} codes: strongest {top1}, top three {top3}", file=sys.stderr)


if __name__ == "__main__":
    main()
