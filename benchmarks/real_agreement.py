"""Score the automatic coder against the hand-made reference on the real clips and photos.

    python benchmarks/real_agreement.py [--markdown] [--tolerance 0.5] [--json out.json]

Runs :func:`facs.code` (default settings) on every file of ``../shared/data/real/``
that has a reference in ``benchmarks/real/`` (``<stem>.reference.csv``), caching each
coding under ``benchmarks/.cache/real/`` keyed by the file's size and bytes
(``_rom.file_key``) and a hash of ``src/facs/au/estimator.npz`` and the coder's
source. Machine and reference events are compared with
:func:`facs.reliability.agree` (what ``facs agree`` runs), sides merged (``L12``
counts as ``12``), all files pooled on one time line (each file on its own span).

Where the reference marks a face part as not visible (70 brows, 71 eyes, 72 lower
face, 73 entire face, 74 unscorable), machine events of that region whose apex falls
in the span are left out before scoring (counted as ``masked``); the visibility codes
themselves are not scored.

:func:`score` returns everything as a dict (per-code table, pooled overall, target
checks) so a test can call it.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import _rom  # noqa: E402

DATA = _rom.REAL
REFERENCE = ROOT / "benchmarks" / "real"
CACHE = ROOT / "benchmarks" / ".cache" / "real"
ESTIMATOR = ROOT / "src" / "facs" / "au" / "estimator.npz"

FILES = (
    "WolfgangLanger_Pexels.mp4", "single_face.mp4", "face_noface.mov", "noface_face.mov",
    "no_face.mp4", "single_face.jpg", "multi_face.jpg", "astronaut.png",
)  # fmt: skip
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png"}
GAP_S = 5.0  # space between files on the pooled time line

# Face parts each visibility code hides (codes as event keys, sides merged).
_BROWS = {"AU01", "AU02", "AU04"}
_EYES = {"AU05", "AU06", "AU07", "AU41", "AU42", "AU43", "AU44", "AU45", "AU46",
         "AU61", "AU62", "AU63", "AU64", "AU65", "AU66"}  # fmt: skip
_LOWER = {f"AU{n:02d}" for n in (9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 20, 22, 23, 24,
                                 25, 26, 27, 28, 31, 38, 39)}  # fmt: skip
_LOWER |= {"AD19", "AD29", "AD30", "AD32", "AD33", "AD34", "AD35", "AD36", "AD37"}
VISIBILITY = {"AU70": _BROWS, "AU71": _EYES, "AU72": _LOWER, "AU73": None, "AU74": None}


# --------------------------------------------------------------------------- machine


def _cache_dir(path: Path) -> Path:
    """Keyed by the file, the estimator and the coder's source, perception included
    (a code change re-codes)."""
    import hashlib

    digest = hashlib.sha256()
    src = ROOT / "src" / "facs"
    for part in [ESTIMATOR, Path(__file__), *sorted((src / "au").glob("*.py")),
                 *sorted((src / "face").glob("*.py")), src / "coding.py",
                 src / "timeline.py"]:  # fmt: skip
        if part.exists():
            digest.update(part.read_bytes())
    return CACHE / f"{path.stem}-{_rom.file_key(path)}-{digest.hexdigest()[:12]}"


def _reference_faces(path: Path) -> int:
    """Faces the hand-made reference codes in ``path``."""
    for name in (f"{path.name}.reference.csv", f"{path.stem}.reference.csv"):
        ref = ROOT / "benchmarks" / "real" / name
        if ref.is_file():
            return int(pd.read_csv(ref)["face"].nunique())
    return 1


def machine_events(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The machine's (events, frames) for ``path``, from the cache when it is fresh."""
    from facs.formats import read_events, read_frames

    out = _cache_dir(path)
    if not (out / "events.csv").is_file():
        import facs

        # Default settings, but as many faces as the group photo holds (5; the default
        # --max-faces is 4 and is now respected on stills).
        coding = facs.code(str(path), max_faces=max(4, _reference_faces(path)))
        out.mkdir(parents=True, exist_ok=True)
        coding.save(out, plot=False)
    return read_events(out / "events.csv"), read_frames(out / "frames.csv")


# --------------------------------------------------------------------------- events


def photo_events(frames: pd.DataFrame) -> pd.DataFrame:
    """A still's machine coding as events (onset = apex = offset = 0), from its one frame.

    ``facs.code`` finds no events in a single frame, so every code column of the
    frames table (both-sides columns, 0-5) that rounds to a letter becomes an event.
    """
    from facs.formats import EVENT_COLUMNS
    from facs.notation import intensity_to_letter

    rows = []
    cols = [c for c in frames.columns if c[:2] in ("AU", "AD") and not c.endswith(("_L", "_R"))]
    for rec in frames[frames["success"] == 1].to_dict("records"):
        for col in cols:
            letter = intensity_to_letter(float(rec[col]))
            if letter:
                code = col[2:].lstrip("0") if col.startswith("AU") else col
                rows.append(
                    {
                        "face": int(rec["face"]),
                        "code": code,
                        "side": "",
                        "onset_s": 0.0,
                        "apex_s": 0.0,
                        "offset_s": 0.0,
                        "peak": float(rec[col]),
                        "letter": letter,
                    }
                )
    return pd.DataFrame(rows, columns=list(EVENT_COLUMNS))


def _map_faces(events: pd.DataFrame, ref: pd.DataFrame) -> pd.DataFrame:
    """One face in the reference and one face id in the machine's events: same face."""
    ids = sorted(set(events["face"]))
    if len(ids) == 1 and set(ref["face"]) == {0} and ids != [0]:
        events = events.assign(face=0)
    return events


def _rows(events: pd.DataFrame, name: str) -> pd.DataFrame:
    """Events as face, key, onset, apex, offset, intensity, letter, sides merged.

    The same row reading and side merging as ``facs agree --merge-sides``.
    """
    from facs.reliability import _event_rows, _merge_sides

    return _merge_sides(_event_rows(events, name))


def _mask(machine: pd.DataFrame, reference: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Drop machine events of a face part the reference marks as not visible."""
    hidden = reference[reference["key"].isin(VISIBILITY)]
    if hidden.empty or machine.empty:
        return machine, 0
    drop = pd.Series(False, index=machine.index)
    for rec in hidden.to_dict("records"):
        region = VISIBILITY[rec["key"]]
        in_span = (
            (machine["face"] == rec["face"])
            & (machine["apex_s"] >= rec["onset_s"])
            & (machine["apex_s"] <= rec["offset_s"])
        )
        if region is not None:
            in_span &= machine["key"].isin(region)
        drop |= in_span
    return machine[~drop].reset_index(drop=True), int(drop.sum())


def _duration(path: Path, frames: pd.DataFrame) -> float:
    if path.suffix.lower() in PHOTO_SUFFIXES or frames.empty:
        return 1.0
    return float(frames["time_s"].max()) + 0.05


def _as_events(rows: pd.DataFrame) -> pd.DataFrame:
    """Merged rows back into an events table (key as code) for :func:`agree`."""
    from facs.formats import EVENT_COLUMNS
    from facs.notation import intensity_to_letter

    def code(key: str) -> str:
        return key[2:].lstrip("0") if key.startswith("AU") else key

    out = pd.DataFrame({
        "face": rows["face"].astype(int),
        "code": rows["key"].map(code),
        "side": "",
        "onset_s": rows["onset_s"], "apex_s": rows["apex_s"], "offset_s": rows["offset_s"],
        "peak": rows["intensity"].fillna(0.0),
        "letter": [intensity_to_letter(float(v)) or "" if v > 0 else ""
                   for v in rows["letter"].fillna(0)],
    })  # fmt: skip
    return out[list(EVENT_COLUMNS)]


def _overlap(a: pd.Series, b: pd.DataFrame, tol: float) -> pd.DataFrame:
    return b[(b["face"] == a["face"]) & (b["onset_s"] <= a["offset_s"] + tol)
             & (b["offset_s"] >= a["onset_s"] - tol)]  # fmt: skip


# --------------------------------------------------------------------------- scoring


def score(tolerance_s: float = 0.5, files: tuple[str, ...] = FILES) -> dict[str, Any]:
    """Machine against the reference, per code (pooled over files) and target checks.

    Returns
    -------
    dict
        ``per_code``: {key: agreement_index, kappa, f1, within_one, n_matched,
        n_reference, n_machine}; ``overall``: the same pooled; ``checks``: list of
        {name, status ("PASS", "FAIL" or "n/a"), detail}; ``masked``: machine events
        left out under visibility codes; ``files``: per-file counts.
    """
    from facs.reliability import agree, match_events

    ref_all, mac_all, info = [], [], {}
    offset, masked_total = 0.0, 0
    for name in files:
        path = DATA / name
        photo = path.suffix.lower() in PHOTO_SUFFIXES
        ref_path = REFERENCE / (f"{name}.reference.csv" if photo else f"{path.stem}.reference.csv")
        if not ref_path.is_file():
            continue
        from facs.formats import read_events

        events, frames = machine_events(path)
        if photo:
            events = photo_events(frames)
        ref = _rows(read_events(ref_path), "reference")
        events = _map_faces(events, ref)
        mac = _rows(events, "machine") if not events.empty else ref.iloc[0:0]
        mac, masked = _mask(mac, ref)
        masked_total += masked
        ref = ref[~ref["key"].isin(VISIBILITY)]
        dur = _duration(path, frames)
        for table, sink in ((ref, ref_all), (mac, mac_all)):
            shifted = table.copy()
            for col in ("onset_s", "apex_s", "offset_s"):
                shifted[col] = shifted[col] + offset
            shifted["file"] = name
            shifted["start_s"] = offset  # where the file starts on the pooled time line
            sink.append(shifted)
        info[name] = {"start_s": offset, "duration_s": dur, "reference": len(ref),
                      "machine": len(mac), "masked": masked}  # fmt: skip
        offset += dur + GAP_S
    ref_rows = pd.concat(ref_all, ignore_index=True)
    mac_rows = pd.concat(mac_all, ignore_index=True)
    # frames-table keys the machine cannot emit at all (e.g. visibility) were dropped above
    result = agree(
        [_as_events(ref_rows), _as_events(mac_rows)], kind="events",
        names=["reference", "machine"], tolerance_s=tolerance_s, span_s=(0.0, offset),
        merge_sides=True,
    )  # fmt: skip

    per_code: dict[str, dict[str, Any]] = {}
    pairs_by_key: dict[str, list[tuple[pd.Series, pd.Series]]] = {}
    for key in result.per_code.index:
        pairs: list[tuple[pd.Series, pd.Series]] = []
        for face in sorted(set(ref_rows["face"]) | set(mac_rows["face"])):
            a = ref_rows[(ref_rows["key"] == key) & (ref_rows["face"] == face)].reset_index(
                drop=True
            )
            b = mac_rows[(mac_rows["key"] == key) & (mac_rows["face"] == face)].reset_index(
                drop=True
            )
            if a.empty or b.empty:
                continue
            pairs += [(a.loc[i], b.loc[j]) for i, j in match_events(a, b, tolerance_s=tolerance_s)]
        pairs_by_key[key] = pairs
        lettered = [(int(x["letter"]), int(y["letter"])) for x, y in pairs
                    if x["letter"] > 0 and y["letter"] > 0]  # fmt: skip
        stats = result.per_code.loc[key]
        per_code[key] = {
            "agreement_index": _num(stats["agreement_index"]),
            "kappa": _num(stats["kappa"]),
            "f1": _num(stats["f1"]),
            "within_one": (
                sum(abs(x - y) <= 1 for x, y in lettered) / len(lettered) if lettered else None
            ),
            "n_matched": len(pairs),
            "n_lettered": len(lettered),
            "n_reference": int(result.counts.loc[key, "reference"]),
            "n_machine": int(result.counts.loc[key, "machine"]),
        }
    overall = {k: _num(result.overall[k]) for k in ("agreement_index", "kappa", "f1")}
    checks = _checks(ref_rows, mac_rows, pairs_by_key, info, tolerance_s)
    return {"per_code": per_code, "overall": overall, "checks": checks,
            "masked": masked_total, "files": info, "tolerance_s": tolerance_s}  # fmt: skip


def _num(value: Any) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


L = "-ABCDE"


def _present(
    key: str, ref: pd.DataFrame, mac: pd.DataFrame, where: pd.DataFrame, tol: float
) -> tuple[int, int, list[str]]:
    """How many of the reference spans in ``where`` have a machine ``key`` event."""
    hit, notes = 0, []
    for _, span in where.iterrows():
        found = _overlap(span, mac[mac["key"] == key], tol)
        ok = not found.empty
        hit += ok
        best = L[int(found["letter"].max())] if ok else "none"
        notes.append(
            f"{span['file']} {span['onset_s'] - _start(span):.1f}-"
            f"{span['offset_s'] - _start(span):.1f}s: {best}"
        )
    return hit, len(where), notes


def _start(row: pd.Series) -> float:
    """Where the row's file starts on the pooled time line."""
    return float(row["start_s"])


def _checks(
    ref: pd.DataFrame, mac: pd.DataFrame, pairs: dict[str, list], info: dict[str, dict], tol: float
) -> list[dict[str, str]]:
    out = []

    def add(name: str, ok: bool | None, detail: str) -> None:
        out.append(
            {
                "name": name,
                "status": "n/a" if ok is None else ("PASS" if ok else "FAIL"),
                "detail": detail,
            }
        )

    # crying / frowning: reference 4 events
    fours = ref[ref["key"] == "AU04"]
    hit, n, notes = _present("AU04", ref, mac, fours, tol)
    add(
        "4 present in frowns and crying",
        n > 0 and hit == n,
        f"{hit}/{n} reference 4 events have a machine 4 ({'; '.join(notes)})",
    )

    # smiles that raise the cheeks and laughs: reference 6 events that overlap a 12
    sixes = ref[(ref["key"] == "AU06")]
    sixes = sixes[
        [not _overlap(r, ref[ref["key"] == "AU12"], 0).empty for _, r in sixes.iterrows()]
    ]
    hit, n, notes = _present("AU06", ref, mac, sixes, tol)
    add(
        "6 present in smiles that raise the cheeks and in laughs",
        n > 0 and hit == n,
        f"{hit}/{n} reference 6-with-12 events have a machine 6 ({'; '.join(notes)})",
    )

    # disgust: reference 9 or 10
    disgust = ref[ref["key"].isin(["AU09", "AU10"])]
    if disgust.empty:
        add("9/10 in disgust", None, "no disgust (9 or 10) in the reference")
    else:
        hit = sum(
            not _overlap(r, mac[mac["key"] == r["key"]], tol).empty for _, r in disgust.iterrows()
        )
        add("9/10 in disgust", hit == len(disgust), f"{hit}/{len(disgust)} reference 9/10 found")

    # crying: reference spans with 1 and 4 and no 12
    cry = []
    for _, r in ref[ref["key"] == "AU04"].iterrows():
        ones = _overlap(r, ref[ref["key"] == "AU01"], 0)
        if not ones.empty and _overlap(r, ref[ref["key"] == "AU12"], 0).empty:
            cry.append(r)
    if not cry:
        add("no 12 ≥ B during crying", None, "no crying in the reference")
    else:
        bad = []
        for r in cry:
            for _, m in _overlap(r, mac[mac["key"] == "AU12"], 0).iterrows():
                if m["letter"] >= 2:
                    bad.append(
                        f"{r['file']} 12{L[int(m['letter'])]} at {m['apex_s'] - _start(r):.2f}s"
                    )
        spans = ", ".join(
            f"{r['file']} {r['onset_s'] - _start(r):.1f}-{r['offset_s'] - _start(r):.1f}s"
            for r in cry
        )
        add(
            "no 12 ≥ B during crying",
            not bad,
            f"crying spans {spans} (machine 12 events whose apex falls where the reference "
            "codes 72 are masked); "
            + (f"machine 12 ≥ B: {'; '.join(bad)}" if bad else "no machine 12 ≥ B"),
        )

    # 12 letters within one
    lettered = [(int(x["letter"]), int(y["letter"]), x) for x, y in pairs.get("AU12", [])
                if x["letter"] > 0 and y["letter"] > 0]  # fmt: skip
    n12 = int((ref["key"] == "AU12").sum())
    if not lettered:
        add(
            "12 letters within one of the reference",
            False if n12 else None,
            f"no matched 12 event with letters (reference 12 events: {n12})",
        )
    else:
        ok = sum(abs(a - b) <= 1 for a, b, _ in lettered)
        detail = "; ".join(
            f"{x['file']} {x['apex_s'] - _start(x):.1f}s ref {L[a]} machine {L[b]}"
            for a, b, x in lettered
        )
        add(
            "12 letters within one of the reference",
            ok == len(lettered),
            f"{ok}/{len(lettered)} matched 12 events within one letter "
            f"({n12 - len(lettered)} of {n12} reference 12 events unmatched; {detail})",
        )
    return out


# --------------------------------------------------------------------------- output


def _fmt(v: float | None, pct: bool = False) -> str:
    if v is None:
        return "–"
    return f"{100 * v:.0f}%" if pct else f"{v:.2f}"


def report(result: dict[str, Any], markdown: bool = False) -> str:
    head = ["code", "AI", "kappa", "F1", "letters ±1", "matched", "ref", "machine"]
    rows = []
    for key, s in sorted(result["per_code"].items()):
        rows.append(
            [
                key,
                _fmt(s["agreement_index"]),
                _fmt(s["kappa"]),
                _fmt(s["f1"]),
                _fmt(s["within_one"], pct=True) + f" ({s['n_lettered']})",
                str(s["n_matched"]),
                str(s["n_reference"]),
                str(s["n_machine"]),
            ]
        )
    o = result["overall"]
    rows.append(
        [
            "overall",
            _fmt(o["agreement_index"]),
            _fmt(o["kappa"]),
            _fmt(o["f1"]),
            "",
            "",
            str(sum(s["n_reference"] for s in result["per_code"].values())),
            str(sum(s["n_machine"] for s in result["per_code"].values())),
        ]
    )
    lines = []
    if markdown:
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "|".join("---" for _ in head) + "|")
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        lines.append("")
        lines.append("| check | result | numbers |")
        lines.append("|---|---|---|")
        lines += [f"| {c['name']} | {c['status']} | {c['detail']} |" for c in result["checks"]]
    else:
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
        for r in [head, *rows]:
            lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
        lines.append("")
        lines += [f"{c['status']:4}  {c['name']}: {c['detail']}" for c in result["checks"]]
    lines.append("")
    lines.append(
        f"events matched within {result['tolerance_s']:g} s, sides merged; "
        f"{result['masked']} machine events left out under visibility codes"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument("--tolerance", type=float, default=0.5, help="event match gap, s")
    parser.add_argument("--json", type=Path, help="also write the result as JSON")
    args = parser.parse_args(argv)
    result = score(tolerance_s=args.tolerance)
    print(report(result, markdown=args.markdown))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
