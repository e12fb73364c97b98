"""Calibrate how much of each shape the synthesiser draws per letter (round trip).

    .venv/bin/python benchmarks/render_strength.py [--markdown] [--dry-run]

Every code the coder scores and the face model shows (blinks and winks aside)
is rendered alone at the amounts of ``facs.synth._roundtrip.GRID`` (its shape
at E before calibration = 1; fitted fields up to 2, rules such as the lids,
gaze and head up to 1), the renders are coded as one clip after a neutral lead,
and each letter A–E gets the amount whose render codes back as that letter
(``fit_strength``); codes the coder never reads at B or more (:data:`READ`) keep
their linear letters. Writes ``src/facs/synth/strength.json`` (atomically) with
the amounts and what was measured, and prints the curve per code. Re-run it
when the estimator or the face model changes.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from facs.synth._model import STRENGTH_MAX, _is_rule
from facs.synth._roundtrip import fit_strength, measure_strength

#: A code is calibrated only if the coder reads its strongest render at B or more
#: (1.5 rounds to B): below that the coder cannot tell its letters apart, and it is
#: drawn as asked (E = its shape at E, linear) so that A stays a trace to a person.
READ = 1.5
OUT = Path(__file__).resolve().parents[1] / "src" / "facs" / "synth" / "strength.json"


def _nan_to_none(values: list[float]) -> list[float | None]:
    return [None if v != v else v for v in values]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--dry-run", action="store_true", help="print, do not write strength.json")
    ap.add_argument(
        "--refit", action="store_true", help="fit again from the measurements in strength.json"
    )
    args = ap.parse_args()
    if args.refit:
        stored = json.loads(OUT.read_text(encoding="utf-8"))["measured"]
        table = pd.DataFrame(
            [
                {"number": int(n), "column": m["column"], "amount": a, "coded": c}
                for n, m in stored.items()
                for a, c in zip(m["amount"], m["coded"], strict=True)
            ]
        )
    else:
        table = measure_strength()
    drawn: dict[str, list[float]] = {}
    measured: dict[str, dict[str, list[float]]] = {}
    rows = []
    for (number, column), part in table.groupby(["number", "column"], sort=True):
        cap = STRENGTH_MAX["rule" if _is_rule(int(number)) else "field"]
        curve = fit_strength(part["amount"].tolist(), part["coded"].tolist(), cap)
        if part["coded"].max() >= READ:
            drawn[str(number)] = curve
        measured[str(number)] = {
            "column": str(column),
            "amount": [round(float(a), 3) for a in part["amount"]],
            "coded": _nan_to_none([round(float(c), 3) for c in part["coded"]]),
        }
        rows.append((column, curve, float(part["coded"].max()), str(number) in drawn))
    payload = {
        "about": "Amount of each code's shape drawn at A-E (its uncalibrated E = 1), "
        "calibrated by the round trip: benchmarks/render_strength.py",
        "drawn": drawn,
        "measured": measured,
    }
    if not args.dry_run:
        tmp = OUT.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
        tmp.replace(OUT)
    head = "| code | A | B | C | D | E | coded at the most drawn | calibrated |"
    print(head if args.markdown else head.replace("|", " "))
    if args.markdown:
        print("|---|---|---|---|---|---|---|---|")
    for column, curve, top, used in rows:
        cells = [column, *(f"{v:.2f}" for v in curve), f"{top:.1f}", "yes" if used else "no"]
        print("| " + " | ".join(cells) + " |" if args.markdown else "  ".join(cells))
    if not args.dry_run:
        print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
