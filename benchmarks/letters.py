"""True letters: is the coded letter at an action's apex within one of the truth?

Two sources, per code:

- **synthetic-rom labels** (held-out identities): every labelled segment of
  one code (or one side of it), its truth letter from the label's peak
  (``5 × peak``: 0.3 → B, 0.6 → C, 1.0 → E); the coded letter is the one
  at the segment's apex (the coded column's largest value over the
  segment's hold, after the timeline's smoothing, as `facs code` writes it).
- **renders of known letters** (``facs.synth``): each code the synthesiser
  shows, rendered at A, B, C, D and E (drawn as ``strength.json`` says),
  coded as a clip after a neutral lead; ``--faces 0,2,5`` on several of the
  synthesiser's faces (0, the mean face, is the one the letters were calibrated on).

Prints per code the share within one letter, exact letters and the mean
signed error (coded − truth, in letters); and resting false positives (codes
at A or above in the neutral lead frames of the held-out clips).

    python benchmarks/letters.py [--markdown] [--no-rom] [--faces 0,2,5,9]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _rom
from accuracy import frames_from

from facs.notation import intensity_to_letter, letter_to_intensity
from facs.series import column_code

LETTERS = "ABCDE"
_HEAD = {f"AU{n}" for n in range(51, 59)}


def _column(code: str) -> str | None:
    side = code[0] if code[0] in "LR" else ""
    if not code.lstrip("LR").isdigit():
        return None
    n = int(code.lstrip("LR"))
    base = f"AD{n:02d}" if n in (19, 29, 30, 34) else f"AU{n:02d}"
    return f"{base}_{side}" if side else base


def _letter_index(value: float) -> int:
    """0 for no letter, 1-5 for A-E."""
    return letter_to_intensity(intensity_to_letter(value))


def rom_rows(clips: list[str]) -> tuple[list[dict], list[dict]]:
    rows, rest = [], []
    for clip in clips:
        video = _rom.ROM / f"{clip}.mp4"
        meta = json.loads(_rom.ROM.joinpath(f"{clip}_meta.json").read_text())
        frames, _ = frames_from(_rom.cached_perception(video))
        lead = frames.iloc[: meta["neutral_lead_frames"]]
        for col in [c for c in frames.columns if c[:2] in ("AU", "AD") and "_" not in c]:
            if col in ("AU45", "AU46"):
                continue
            rest.append({"clip": clip, "column": col, "rest_max": float(lead[col].max())})
        for seg in meta["segments"]:
            if len(seg["codes"]) != 1:
                continue
            col = _column(seg["codes"][0])
            if col is None or col not in frames.columns or col.startswith(("AU45", "AU46")):
                continue
            hold = frames.iloc[seg["start_frame"] + 7 : seg["start_frame"] + 14][col]
            truth = _letter_index(5 * seg["peak"])
            rows.append({"source": "synthetic-rom", "column": col, "truth": truth,
                         "coded": _letter_index(float(hold.max()))})  # fmt: skip
    return rows, rest


def render_rows(identity: int = 0) -> list[dict]:
    """Each calibrated code rendered at A-E on one face and coded
    (``facs.synth._roundtrip.letters``).

    A render the coder leaves blank (its region taken as covered) is skipped.
    """
    from facs.synth._roundtrip import letters

    table = letters(identity=identity)
    blank = table[table["value"].isna()]
    if len(blank):
        print(f"renders left blank (region taken as covered): {len(blank)}: "
              + ", ".join(f"{c} {'ABCDE'[a - 1]}" for c, a in blank[["column", "asked"]].values),
              file=sys.stderr)  # fmt: skip
    source = "renders" if not identity else f"renders, face {identity}"
    return [
        {"source": source, "column": r.column, "truth": r.asked, "coded": r.coded}
        for r in table.dropna(subset=["value"]).itertuples()
        if r.column not in _HEAD
    ]


def summarise(rows: list[dict]) -> pd.DataFrame:
    t = pd.DataFrame(rows)
    t["err"] = t["coded"] - t["truth"]
    g = t.groupby(["source", "column"])
    out = pd.DataFrame({
        "events": g.size(),
        "within_one": g["err"].apply(lambda e: float((e.abs() <= 1).mean())),
        "exact": g["err"].apply(lambda e: float((e == 0).mean())),
        "mean_error": g["err"].mean(),
    }).reset_index()  # fmt: skip
    out["code"] = out["column"].map(column_code)
    return out


def _markdown(table: pd.DataFrame) -> str:
    """A plain Markdown table (no tabulate needed)."""
    lines = ["| " + " | ".join(map(str, table.columns)) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--no-renders", action="store_true")
    ap.add_argument("--no-rom", action="store_true", help="renders only")
    ap.add_argument(
        "--faces",
        default="0",
        help="synthesiser faces to render on, e.g. 0,2,5,9 (facs.synth.identities)",
    )
    args = ap.parse_args()
    rows, rest = ([], []) if args.no_rom else rom_rows(_rom.HELD_OUT)
    if not args.no_renders:
        for face in (int(f) for f in args.faces.split(",")):
            rows += render_rows(face)
    table = summarise(rows)
    for source, part in table.groupby("source"):
        ok = int((part["within_one"] >= 0.9).sum())
        print(
            f"\n{source}: {len(part)} codes, {ok} with >= 90 % within one letter; "
            f"all events within one {np.average(part['within_one'], weights=part['events']):.2f}"
        )
        shown = part.drop(columns=["source"]).round(2)
        print(_markdown(shown) if args.markdown else shown.to_string(index=False))
    if not rest:
        return
    r = pd.DataFrame(rest)
    false = r[r["rest_max"] >= 0.5]
    print(
        f"\nresting false positives (>= A in the neutral lead of {len(_rom.HELD_OUT)} held-out "
        f"clips): {len(false)} of {len(r)} code columns: "
        + ", ".join(f"{a} {b} {c:.2f}" for a, b, c in false.values)
    )


if __name__ == "__main__":
    main()
