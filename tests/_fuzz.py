"""Malformed inputs for the fuzz tests and benchmarks/fuzz.py: files that look almost right.

Each maker takes a random generator and returns ``(suffix, bytes)``: a
valid-looking table of one of the formats facs reads, then damaged (cut,
fields dropped or doubled, numbers replaced by text, huge or far values,
blank lines, stray quotes, BOMs, deep or odd JSON).
"""

from __future__ import annotations

import random
from collections.abc import Callable

__all__ = ["MAKERS", "PARSER_ALPHABET", "malformed"]

#: What hostile codes are drawn from (sides, prefixes, letters, digits, separators, spaces).
PARSER_ALPHABET = "AUDLRCBEMTSXZ0123456789+ \t-:,()_*"


def _csv(rng: random.Random, header: list[str], rows: int, cell: Callable[[int, str], str]) -> str:
    lines = [",".join(header)]
    for i in range(rows):
        lines.append(",".join(cell(i, h) for h in header))
    return "\n".join(lines) + "\n"


def _frames(rng: random.Random) -> tuple[str, str]:
    from facs.series import FRAME_COLUMNS

    header = list(FRAME_COLUMNS[:12])

    def cell(i: int, h: str) -> str:
        return str(i) if h in ("frame", "face", "success") else f"{rng.random():.3f}"

    text = _csv(rng, header, rng.randint(0, 8), cell)
    return ".csv", text


def _events(rng: random.Random) -> tuple[str, str]:
    header = ["face", "code", "side", "onset_s", "apex_s", "offset_s", "peak", "letter"]
    codes = ["12", "L12", "4", "AD19", "1+2", "", "R99"]
    text = _csv(rng, header, rng.randint(0, 6), lambda i, h: {
        "face": "0", "code": rng.choice(codes), "side": "", "onset_s": str(i),
        "apex_s": str(i + 0.5), "offset_s": str(i + 1), "peak": "3", "letter": "C"}[h])  # fmt: skip
    return ".csv", text


def _livelink(rng: random.Random) -> tuple[str, str]:
    header = ["Timecode", "BlendShapeCount", "EyeBlinkLeft", "JawOpen", "MouthSmileLeft"]
    text = _csv(rng, header, rng.randint(0, 6), lambda i, h: (
        f"00:00:00:{i:02d}.000" if h == "Timecode" else "61" if h == "BlendShapeCount"
        else f"{rng.random():.3f}"))  # fmt: skip
    return ".csv", text


def _openface(rng: random.Random) -> tuple[str, str]:
    header = ["frame", "face_id", "timestamp", "confidence", "success", "AU01_r", "AU12_r",
              "AU12_c"]  # fmt: skip

    def cell(i: int, h: str) -> str:
        fixed = {"frame": str(i + 1), "timestamp": f"{i / 30:.3f}", "success": "1",
                 "AU12_c": "1", "face_id": "0"}  # fmt: skip
        return fixed.get(h, f"{rng.random():.2f}")

    text = _csv(rng, header, rng.randint(0, 6), cell)
    return ".csv", text


def _eaf(rng: random.Random) -> tuple[str, str]:
    value = rng.choice(["C", "B", "", "Q", "12C"])
    t1, t2 = rng.choice([(0, 500), (500, 0), (0, 10**13), (-5, 5)])
    text = (
        '<?xml version="1.0" encoding="UTF-8"?><ANNOTATION_DOCUMENT><HEADER '
        'TIME_UNITS="milliseconds"/><TIME_ORDER>'
        f'<TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="{t1}"/>'
        f'<TIME_SLOT TIME_SLOT_ID="ts2" TIME_VALUE="{t2}"/></TIME_ORDER>'
        '<TIER LINGUISTIC_TYPE_REF="default" TIER_ID="face0 AU12"><ANNOTATION>'
        '<ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts2">'
        f"<ANNOTATION_VALUE>{value}</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>"
        '</TIER><LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="default" TIME_ALIGNABLE="true"/>'
        "</ANNOTATION_DOCUMENT>"
    )
    return ".eaf", text


def _json(rng: random.Random) -> tuple[str, str]:
    depth = rng.choice([1, 5, 50, 5000])
    return ".json", "[" * depth + rng.choice(["1", '"x"', "1e400", "{}"]) + "]" * depth


MAKERS = (_frames, _events, _livelink, _openface, _eaf, _json)


def _damage(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(0, 4)):
        kind = rng.randrange(10)
        lines = text.split("\n")
        if kind == 0 and text:
            text = text[: rng.randrange(len(text))]  # cut short
        elif kind == 1 and len(lines) > 1:
            k = rng.randrange(len(lines))
            lines.insert(k, "")  # a blank line anywhere, the first too
            text = "\n".join(lines)
        elif kind == 2:
            text = text.replace(",", ",,", 1)  # a field too many
        elif kind == 3:
            text = text.replace(",", "", 1)  # a field too few
        elif kind == 4:
            text = text.replace("0.", rng.choice(["abc", "nan", "inf", "-1e308", "1e308"]), 1)
        elif kind == 5:
            text = text.replace("1", "9" * rng.choice([5, 50, 5000]), 1)  # huge integers
        elif kind == 6:
            text = '"' + text  # a stray quote
        elif kind == 7:
            text = "\ufeff" + text
        elif kind == 8:
            text = text.replace("\n", "\r\n")
        else:
            pos = rng.randrange(len(text) + 1)
            text = text[:pos] + rng.choice(["\x00", "é", ";", "\t", "#"]) + text[pos:]
    return text


def malformed(seed: int) -> tuple[str, bytes]:
    """One damaged file: (suffix, content)."""
    rng = random.Random(seed)
    suffix, text = rng.choice(MAKERS)(rng)
    return suffix, _damage(rng, text).encode("utf-8", errors="replace")
