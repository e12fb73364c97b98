"""ELAN annotation files (``.eaf``, EAF 3.0): events in and out.

Writing (:func:`write_eaf`) puts each event on a time-aligned tier as one
annotation whose value is the FACS item with its letter (``12C``, ``L12B``,
``45E``, ``19``); ELAN forbids overlapping annotations on one tier, so:

- ``tier="code"`` (default): one tier per face and code, ``face 0 AU12``
  (``AD19``, ``AU51`` …), the layout FACS coders use in ELAN: one row per
  AU, the letter in the value. A left and a right event that overlap (``L12B``
  beside ``R12D``) go to a second lane, ``face 0 AU12 (2)``.
- ``tier="face"``: one tier per face, ``face 0``, with as many lanes
  (``face 0 (2)`` …) as overlapping events need.

Every tier has ``PARTICIPANT="face N"`` and a dependent tier
``<tier> apex`` (symbolic association) whose values, ``apex 1234 ms, peak
3.2``, keep what ELAN's begin/end cannot: apex time and exact peak. Times are
whole milliseconds (ELAN's unit); an event whose onset and offset are the same
frame gets a 1 ms annotation, its true offset kept in the apex tier.

Reading (:func:`read_eaf`) takes any EAF, from facs or a human coder:

- A tier is read when its annotations are FACS: at least half of its
  non-empty values parse (:meth:`facs.notation.Code.parse`: ``12C``,
  ``AU12``, ``L12``, ``1+2``), or it is named in ``tiers``. Then every value
  must parse; the first that does not is an error naming file, line and column.
- ``1+2+4B`` gives one event per item, all sharing the annotation's times.
- Face: the tier's ``PARTICIPANT`` (``face 3`` or ``3`` is face 3; other
  names are numbered 0, 1, … in order of appearance), else a ``face N`` in
  the tier name, else 0. The ``tier`` and ``annotator`` columns keep where
  each event came from (per-coder tiers stay apart for ``facs agree``).
- Peak is the letter's value (C → 3; no letter → 0 and letter ``""``), the
  apex the middle of the annotation, unless a facs apex tier says otherwise.

>>> import tempfile
>>> events = pd.DataFrame({"face": [0, 0], "code": ["12", "L2"], "side": [None, "L"],
...     "onset_s": [0.5, 1.0], "apex_s": [0.8, 1.1], "offset_s": [1.5, 1.4],
...     "peak": [3.2, 1.0], "letter": ["C", "A"]})
>>> path = write_eaf(events, Path(tempfile.mkdtemp()) / "take.eaf", media="take.mp4")
>>> back = read_eaf(path)
>>> back[["code", "side", "letter", "onset_s", "apex_s", "tier"]].to_dict("records")[0]
{'code': '12', 'side': None, 'letter': 'C', 'onset_s': 0.5, 'apex_s': 0.8, 'tier': 'face 0 AU12'}
"""

from __future__ import annotations

import datetime as _dt
import math
import mimetypes
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from xml.parsers import expat

import numpy as np
import pandas as pd

from facs._errors import CodeError, InputError
from facs.formats._atomic import write_text_atomic
from facs.notation import Action, Code, intensity_to_letter, letter_to_intensity
from facs.series import CODED, code_column
from facs.timeline import EVENT_TABLE_COLUMNS

__all__ = ["TierLayout", "read_eaf", "write_eaf"]

TierLayout = Literal["code", "face"]
PathLike = str | os.PathLike[str]

_FACS_TYPE = "facs"
_APEX_TYPE = "facs apex"
_APEX = re.compile(
    r"^\s*apex\s+(?P<apex>-?\d+)\s*ms"
    r"(?:\s*,\s*peak\s+(?P<peak>[0-9.eE+-]+))?"
    r"(?:\s*,\s*offset\s+(?P<offset>-?\d+)\s*ms)?\s*$"
)
_FACE = re.compile(r"^\s*(?:face\s*)?(\d+)\s*$", re.IGNORECASE)
_FACE_IN_NAME = re.compile(r"\bface\s*(\d+)\b", re.IGNORECASE)
_CODED = {(c.number, c.kind == "AD"): c for c in CODED}
_REQUIRED = ("face", "code", "side", "onset_s", "apex_s", "offset_s", "peak", "letter")


# --------------------------------------------------------------------------- writing


def _action(code: str, letter: str, *, where: str) -> Action:
    text = f"{code}{letter}"
    try:
        parsed = Code.parse(text)
    except CodeError as err:
        raise InputError(f"{where}: {text!r} is not a FACS item: {err}") from None
    if len(parsed) != 1:
        raise InputError(f"{where}: {text!r} is not one FACS item")
    return parsed.actions[0]


def _tier_label(action: Action) -> str:
    if action.movement:
        return f"M{action.number}"
    return f"{'AD' if action.kind == 'AD' else 'AU'}{action.number}"


@dataclass(frozen=True)
class _Out:
    face: int
    number: int
    group: str
    begin: int
    end: int
    apex: int
    offset: int
    peak: float
    value: str


def _ms(seconds: float) -> int:
    return round(seconds * 1000.0)


def _lanes(items: list[_Out]) -> list[list[_Out]]:
    """Spread annotations over lanes so none overlaps another in its lane."""
    import heapq

    # First fit: each annotation goes into the lowest lane free at its start. Starts come
    # in order, so a lane once free stays free; two heaps keep this O(n log n) (a scan of
    # every lane took 36 s for 50 000 overlapping events).
    lanes: list[list[_Out]] = []
    busy: list[tuple[float, int]] = []  # (end, lane)
    free: list[int] = []
    for item in sorted(items, key=lambda o: (o.begin, o.end, o.value)):
        while busy and busy[0][0] <= item.begin:
            heapq.heappush(free, heapq.heappop(busy)[1])
        if free:
            k = heapq.heappop(free)
            lanes[k].append(item)
        else:
            k = len(lanes)
            lanes.append([item])
        heapq.heappush(busy, (item.end, k))
    return lanes


def _text(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def write_eaf(
    events: pd.DataFrame,
    path: PathLike,
    *,
    media: PathLike | None = None,
    tier: TierLayout = "code",
    author: str = "facs",
) -> Path:
    """Write events as an ELAN 3.0 annotation file, atomically.

    Parameters
    ----------
    events : pandas.DataFrame
        An events table (:data:`facs.timeline.EVENT_TABLE_COLUMNS`; at least
        ``face, code, side, onset_s, apex_s, offset_s, peak, letter``).
    path : str or os.PathLike
        The ``.eaf`` to write; missing folders are created.
    media : str or os.PathLike, optional
        The video the events belong to: linked in the header (absolute
        ``MEDIA_URL`` and ``RELATIVE_MEDIA_URL``) so ELAN opens it with the file.
    tier : {"code", "face"}, default "code"
        One tier per face and code (``face 0 AU12``) or one per face
        (``face 0``); overlapping events go to extra lanes either way.
    author : str, default "facs"
        The document's ``AUTHOR`` and every tier's ``ANNOTATOR``.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    InputError
        A required column is missing, a code is not FACS, times are not
        numbers with ``onset_s ≤ apex_s ≤ offset_s``, or the file cannot be
        written.
    """
    if tier not in ("code", "face"):
        raise ValueError(f"`tier` must be 'code' or 'face', got {tier!r}")
    missing = [c for c in _REQUIRED if c not in events.columns]
    if missing:
        raise InputError(f"events table: missing column(s) {', '.join(missing)}")
    items: list[_Out] = []
    for i, rec in enumerate(events[list(_REQUIRED)].to_dict("records")):
        where = f"events table, row {i + 1}"
        letter = "" if _blank(rec["letter"]) else str(rec["letter"])
        side = "" if _blank(rec["side"]) else str(rec["side"])
        action = _action(str(rec["code"]), letter, where=where)
        if side and action.side is None:
            # the side column of a bare code ("6", side R) is the annotation's prefix: R6A
            action = _action(f"{side}{rec['code']}", letter, where=where)
        elif side and action.side != side:
            raise InputError(f"{where}: code {rec['code']!r} is side {action.side} but side is "
                             f"{side!r}")  # fmt: skip
        times = [float(rec[c]) for c in ("onset_s", "apex_s", "offset_s")]
        if not all(math.isfinite(t) for t in times) or not times[0] <= times[1] <= times[2]:
            raise InputError(f"{where}: need onset_s ≤ apex_s ≤ offset_s, got {times}")
        face = int(rec["face"])
        begin, apex, offset = (_ms(t) for t in times)
        peak = float(rec["peak"]) if not _blank(rec["peak"]) else math.nan
        group = f"face {face}" + (f" {_tier_label(action)}" if tier == "code" else "")
        items.append(
            _Out(
                face,
                action.number if tier == "code" else 0,
                group,
                begin,
                max(offset, begin + 1),
                apex,
                offset,
                peak,
                str(action),
            )
        )
    root = _document(items, Path(path), media=media, author=author)
    ET.indent(root, space="    ")
    text = ET.tostring(root, encoding="unicode", xml_declaration=False)
    target = Path(path)
    try:
        return write_text_atomic(target, '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n")
    except OSError as err:
        raise InputError(f"cannot write {target}: {err.strerror or err}") from None


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _document(items: list[_Out], path: Path, *, media: PathLike | None, author: str) -> ET.Element:
    root = ET.Element(
        "ANNOTATION_DOCUMENT",
        {
            "AUTHOR": author,
            "DATE": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "FORMAT": "3.0",
            "VERSION": "3.0",
            "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "xsi:noNamespaceSchemaLocation": "http://www.mpi.nl/tools/elan/EAFv3.0.xsd",
        },
    )
    header = ET.SubElement(root, "HEADER", {"MEDIA_FILE": "", "TIME_UNITS": "milliseconds"})
    if media is not None:
        video = Path(media).resolve()
        mime = mimetypes.guess_type(video.name)[0] or "video/*"
        relative = os.path.relpath(video, path.resolve().parent).replace(os.sep, "/")
        relative = relative if relative.startswith("../") else f"./{relative}"
        ET.SubElement(
            header,
            "MEDIA_DESCRIPTOR",
            {"MEDIA_URL": video.as_uri(), "MIME_TYPE": mime, "RELATIVE_MEDIA_URL": relative},
        )
    order = ET.SubElement(root, "TIME_ORDER")
    groups: dict[str, list[_Out]] = {}
    for item in sorted(items, key=lambda o: (o.face, o.number, o.group)):
        groups.setdefault(item.group, []).append(item)
    placed: list[tuple[str, int, list[_Out]]] = []
    for group, members in groups.items():
        for k, lane in enumerate(_lanes(members)):
            placed.append((group if k == 0 else f"{group} ({k + 1})", lane[0].face, lane))
    slots: list[tuple[int, str]] = []
    tiers: list[ET.Element] = []
    next_id = 0
    for tier_id, face, lane in placed:
        main = ET.Element(
            "TIER",
            {"ANNOTATOR": author, "LINGUISTIC_TYPE_REF": _FACS_TYPE, "PARTICIPANT": f"face {face}",
             "TIER_ID": tier_id},
        )  # fmt: skip
        child = ET.Element(
            "TIER",
            {"ANNOTATOR": author, "LINGUISTIC_TYPE_REF": _APEX_TYPE, "PARENT_REF": tier_id,
             "PARTICIPANT": f"face {face}", "TIER_ID": f"{tier_id} apex"},
        )  # fmt: skip
        for item in lane:
            ids = []
            for ms in (item.begin, item.end):
                slot = f"ts{len(slots) + 1}"
                slots.append((ms, slot))
                ids.append(slot)
            next_id += 1
            aid = f"a{next_id}"
            ann = ET.SubElement(ET.SubElement(main, "ANNOTATION"), "ALIGNABLE_ANNOTATION")
            ann.attrib.update(ANNOTATION_ID=aid, TIME_SLOT_REF1=ids[0], TIME_SLOT_REF2=ids[1])
            ET.SubElement(ann, "ANNOTATION_VALUE").text = item.value
            note = f"apex {item.apex} ms"
            if math.isfinite(item.peak):
                note += f", peak {_text(item.peak)}"
            if item.offset != item.end:
                note += f", offset {item.offset} ms"
            next_id += 1
            ref = ET.SubElement(ET.SubElement(child, "ANNOTATION"), "REF_ANNOTATION")
            ref.attrib.update(ANNOTATION_ID=f"a{next_id}", ANNOTATION_REF=aid)
            ET.SubElement(ref, "ANNOTATION_VALUE").text = note
        tiers += [main, child]
    # TIME_ORDER sorted by time; slot ids renumbered in that order.
    order_ids = {old: f"ts{i + 1}" for i, (_, old) in enumerate(sorted(slots))}
    for ms, old in sorted(slots):
        ET.SubElement(order, "TIME_SLOT", {"TIME_SLOT_ID": order_ids[old], "TIME_VALUE": str(ms)})
    for t in tiers:
        for ann in t.iter("ALIGNABLE_ANNOTATION"):
            ann.set("TIME_SLOT_REF1", order_ids[ann.attrib["TIME_SLOT_REF1"]])
            ann.set("TIME_SLOT_REF2", order_ids[ann.attrib["TIME_SLOT_REF2"]])
        root.append(t)
    ET.SubElement(header, "PROPERTY", {"NAME": "lastUsedAnnotationId"}).text = str(next_id)
    ET.SubElement(
        root, "LINGUISTIC_TYPE",
        {"GRAPHIC_REFERENCES": "false", "LINGUISTIC_TYPE_ID": _FACS_TYPE, "TIME_ALIGNABLE": "true"},
    )  # fmt: skip
    ET.SubElement(
        root, "LINGUISTIC_TYPE",
        {"CONSTRAINTS": "Symbolic_Association", "GRAPHIC_REFERENCES": "false",
         "LINGUISTIC_TYPE_ID": _APEX_TYPE, "TIME_ALIGNABLE": "false"},
    )  # fmt: skip
    constraints = (  # ELAN's standard four, as ELAN itself writes them
        ("Time_Subdivision", "Time subdivision of parent annotation's time interval,"
         " no time gaps allowed within this interval"),
        ("Symbolic_Subdivision", "Symbolic subdivision of a parent annotation."
         " Annotations refering to the same parent are ordered"),
        ("Symbolic_Association", "1-1 association with a parent annotation"),
        ("Included_In", "Time alignable annotations within the parent annotation's"
         " time interval, gaps are allowed"),
    )  # fmt: skip
    for stereotype, description in constraints:
        ET.SubElement(root, "CONSTRAINT", {"DESCRIPTION": description, "STEREOTYPE": stereotype})
    return root


# --------------------------------------------------------------------------- parsing


def _parse_xml(data: bytes, source: str) -> tuple[ET.Element, dict[int, tuple[int, int]]]:
    """Parse with expat into ElementTree elements, keeping each element's line and column."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[ET.Element] = []
    texts: list[list[str]] = []
    where: dict[int, tuple[int, int]] = {}
    root: list[ET.Element] = []

    class _Refused(Exception):
        pass

    def doctype(*_: Any) -> None:
        # ELAN files have no DTD; one could declare entities that expand a 1 KB file
        # into gigabytes ("billion laughs"), so none is read.
        raise _Refused

    def start(tag: str, attrs: dict[str, str]) -> None:
        element = ET.Element(tag, attrs)
        where[id(element)] = (parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)
        if stack:
            stack[-1].append(element)
        else:
            root.append(element)
        stack.append(element)
        texts.append([])

    def end(tag: str) -> None:
        element = stack.pop()
        chunks = texts.pop()
        if chunks:
            element.text = "".join(chunks)  # joined once: linear in the text

    def chars(chunk: str) -> None:
        if texts:
            texts[-1].append(chunk)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    try:
        parser.Parse(data, True)
    except _Refused:
        raise InputError(
            f"{source} line {parser.CurrentLineNumber}: a document type declaration "
            "(<!DOCTYPE …>) is not read: ELAN files have none, and its entities could "
            "expand a small file without bound"
        ) from None
    except expat.ExpatError as err:
        message = expat.ErrorString(err.code) if err.code is not None else str(err)
        raise InputError(
            f"{source} line {err.lineno}, column {err.offset + 1}: not valid XML ({message})"
        ) from None
    return root[0], where


@dataclass(frozen=True)
class _Ann:
    id: str
    tier: str
    value: str
    begin: float
    end: float
    line: int
    column: int
    ref: str = ""  # the parent annotation of a REF_ANNOTATION


def read_eaf(
    path: PathLike, *, tiers: Sequence[str] | None = None, fps: float | None = None
) -> pd.DataFrame:
    """Read the FACS tiers of an ELAN file as an events table.

    Parameters
    ----------
    path : str or os.PathLike
        An ``.eaf`` file (EAF 2.x or 3.0; times in milliseconds).
    tiers : sequence of str, optional
        Tier ids to read. Default: every tier whose annotations are FACS
        (at least half of its values parse), except facs's own apex tiers.
    fps : float, optional
        Frame rate for ``onset_frame`` … (``round(time * fps)``); without it
        the frame columns are -1 (unknown).

    Returns
    -------
    pandas.DataFrame
        :data:`facs.timeline.EVENT_TABLE_COLUMNS` plus ``tier`` and ``annotator``,
        one row per FACS item of each annotation, sorted by onset, face and
        code. ``code`` is the item without intensity (``"12"``, ``"L12"``,
        ``"19"`` for AD19), ``side`` its prefix (or ``None``), ``letter`` A–E
        or ``""``; ``column`` the frames-table column (``"AU12_L"``), ``""``
        for codes facs does not score; ``apex_code`` every item of that face
        active at the apex.

    Raises
    ------
    InputError
        Missing or empty file, malformed XML (line and column), not an ELAN
        document, unknown time slots, a tier in ``tiers`` that is missing, or
        a value in a FACS tier that is not FACS (line and column named).
    """
    p = Path(path)
    source = str(path)
    if not p.exists():
        raise InputError(f"cannot read {source}: no such file")
    if p.is_dir():
        raise InputError(f"cannot read {source}: it is a folder, not a file")
    try:
        data = p.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read {source}: {err.strerror or err}") from None
    if not data.strip():
        raise InputError(f"cannot read {source}: the file is empty")
    root, where = _parse_xml(data, source)
    if root.tag != "ANNOTATION_DOCUMENT":
        raise InputError(
            f"{source}: not an ELAN file (root element {root.tag}, expected ANNOTATION_DOCUMENT)"
        )
    header = root.find("HEADER")
    units = header.get("TIME_UNITS", "milliseconds") if header is not None else "milliseconds"
    if units != "milliseconds":
        raise InputError(f"{source}: TIME_UNITS {units!r} (facs reads milliseconds only)")
    slots = _time_slots(root, source, where)
    annotations, tier_info = _annotations(root, slots, source, where)
    apex = _apex_notes(annotations, tier_info)
    chosen = _facs_tiers(annotations, tier_info, tiers, source)
    faces = _faces(tier_info, chosen)
    rows: list[dict[str, Any]] = []
    for ann in annotations:
        if ann.tier not in chosen or not ann.value.strip():
            continue
        try:
            code = Code.parse(ann.value)
        except CodeError as err:
            raise InputError(
                f"{source} line {ann.line}, column {ann.column}: tier {ann.tier!r}:"
                f" {ann.value!r} is not FACS ({err})"
            ) from None
        info = apex.get(ann.id, {})
        for action in code:
            rows.append(_event(action, ann, info, face=faces[ann.tier], fps=fps,
                               annotator=tier_info[ann.tier].get("ANNOTATOR", "")))  # fmt: skip
    return _events_table(rows)


def _time_slots(
    root: ET.Element, source: str, where: dict[int, tuple[int, int]]
) -> dict[str, float]:
    """Slot id → ms; unaligned slots interpolated between their aligned neighbours."""
    order = root.find("TIME_ORDER")
    ids: list[str] = []
    values: list[float] = []
    for slot in order.findall("TIME_SLOT") if order is not None else []:
        sid = slot.get("TIME_SLOT_ID")
        if not sid:
            line, col = where[id(slot)]
            raise InputError(f"{source} line {line}, column {col}: TIME_SLOT without TIME_SLOT_ID")
        raw = slot.get("TIME_VALUE")
        try:
            values.append(math.nan if raw is None else float(int(raw)))
        except ValueError:
            line, col = where[id(slot)]
            raise InputError(
                f"{source} line {line}, column {col}: TIME_VALUE {raw!r} is not whole milliseconds"
            ) from None
        if values[-1] < 0:
            line, col = where[id(slot)]
            raise InputError(f"{source} line {line}, column {col}: TIME_VALUE {raw} is before "
                             "the start of the media")  # fmt: skip
        ids.append(sid)
    array = np.asarray(values, dtype=np.float64)
    known = np.isfinite(array)
    if known.any() and not known.all():
        positions = np.arange(array.size)
        array[~known] = np.interp(positions[~known], positions[known], array[known])
    return dict(zip(ids, array.tolist(), strict=True))


def _annotations(
    root: ET.Element, slots: dict[str, float], source: str, where: dict[int, tuple[int, int]]
) -> tuple[list[_Ann], dict[str, dict[str, str]]]:
    tier_info: dict[str, dict[str, str]] = {}
    pending: list[tuple[str, str, str, str, ET.Element]] = []  # id, tier, ref, value, element
    out: dict[str, _Ann] = {}
    order: list[str] = []
    for tier in root.findall("TIER"):
        tid = tier.get("TIER_ID", "")
        tier_info[tid] = dict(tier.attrib)
        for ann in tier.iter():
            if ann.tag not in ("ALIGNABLE_ANNOTATION", "REF_ANNOTATION"):
                continue
            value_el = ann.find("ANNOTATION_VALUE")
            value = (value_el.text or "") if value_el is not None else ""
            pos = where[id(value_el if value_el is not None else ann)]
            aid = ann.get("ANNOTATION_ID", "")
            if ann.tag == "ALIGNABLE_ANNOTATION":
                refs = [ann.get("TIME_SLOT_REF1"), ann.get("TIME_SLOT_REF2")]
                if any(r not in slots for r in refs):
                    line, col = where[id(ann)]
                    bad = next(r for r in refs if r not in slots)
                    raise InputError(
                        f"{source} line {line}, column {col}: unknown time slot {bad!r}"
                    )
                begin, end = (slots[r] for r in refs if r is not None)
                if end < begin:  # ELAN never writes one; the annotation was dropped unnamed
                    line, col = where[id(ann)]
                    raise InputError(
                        f"{source} line {line}, column {col}: annotation {aid!r} ends "
                        f"({end:g} ms) before it begins ({begin:g} ms)"
                    )
                out[aid] = _Ann(aid, tid, value, begin, end, *pos)
                order.append(aid)
            else:
                pending.append((aid, tid, ann.get("ANNOTATION_REF", ""), value, ann))
    for _ in range(len(pending) + 1):  # references may chain through other references
        left = []
        for aid, tid, ref, value, el in pending:
            if ref in out:
                parent = out[ref]
                value_el = el.find("ANNOTATION_VALUE")
                pos = where[id(value_el if value_el is not None else el)]
                out[aid] = _Ann(aid, tid, value, parent.begin, parent.end, *pos, ref=ref)
                order.append(aid)
            else:
                left.append((aid, tid, ref, value, el))
        if len(left) == len(pending):
            break
        pending = left
    if pending:
        aid, _, ref, _, el = pending[0]
        line, col = where[id(el)]
        raise InputError(
            f"{source} line {line}, column {col}: annotation refers to unknown {ref!r}"
        )
    return [out[a] for a in order], tier_info


def _apex_notes(
    annotations: Iterable[_Ann], tier_info: dict[str, dict[str, str]]
) -> dict[str, dict[str, float]]:
    """Parent annotation id → apex / peak / offset from facs apex tiers."""
    out: dict[str, dict[str, float]] = {}
    for ann in annotations:
        info = tier_info.get(ann.tier, {})
        m = _APEX.match(ann.value)
        if not ann.ref or m is None or info.get("LINGUISTIC_TYPE_REF") != _APEX_TYPE:
            continue
        note = {"apex": float(m.group("apex"))}
        for key in ("peak", "offset"):
            if m.group(key) is not None:
                try:
                    note[key] = float(m.group(key))
                except ValueError:
                    continue
        out[ann.ref] = note
    return out


def _facs_tiers(
    annotations: list[_Ann],
    tier_info: dict[str, dict[str, str]],
    tiers: Sequence[str] | None,
    source: str,
) -> set[str]:
    if tiers is not None:
        unknown = [t for t in tiers if t not in tier_info]
        if unknown:
            raise InputError(f"{source}: no tier {unknown[0]!r} (tiers: {', '.join(tier_info)})")
        return set(tiers)
    chosen: set[str] = set()
    for tid, info in tier_info.items():
        if info.get("LINGUISTIC_TYPE_REF") == _APEX_TYPE:
            continue
        values = [a.value for a in annotations if a.tier == tid and a.value.strip()]
        if not values:
            continue
        good = sum(_parses(v) for v in values)
        if info.get("LINGUISTIC_TYPE_REF") == _FACS_TYPE or 2 * good >= len(values):
            chosen.add(tid)
    other = [t for t in tier_info if any(a.tier == t and a.value.strip() for a in annotations)]
    if not chosen and other:
        # read as a coder who scored nothing, it agreed with no one, silently
        raise InputError(
            f"{source}: no FACS tier: the annotated tiers ({', '.join(other)}) hold no FACS "
            "codes (name the tier to read, or check the file is a FACS coding)"
        )
    return chosen


def _parses(value: str) -> bool:
    if _APEX.match(value):
        return False
    try:
        Code.parse(value)
    except CodeError:
        return False
    return True


def _faces(tier_info: dict[str, dict[str, str]], chosen: set[str]) -> dict[str, int]:
    faces: dict[str, int] = {}
    named: dict[str, int] = {}
    for tid, info in tier_info.items():
        if tid not in chosen:
            continue
        who = info.get("PARTICIPANT", "").strip()
        m = _FACE.match(who) if who else _FACE_IN_NAME.search(tid)
        if m:
            faces[tid] = int(m.group(1))
        elif who:
            faces[tid] = named.setdefault(who, -1)
        else:
            faces[tid] = 0
    used = {f for f in faces.values() if f >= 0}
    fresh = (i for i in range(len(faces) + len(used) + 1) if i not in used)
    ids = {who: next(fresh) for who in named}
    return {tid: (ids[tier_info[tid]["PARTICIPANT"].strip()] if f < 0 else f)
            for tid, f in faces.items()}  # fmt: skip


def _event(
    action: Action,
    ann: _Ann,
    info: dict[str, float],
    *,
    face: int,
    fps: float | None,
    annotator: str,
) -> dict[str, Any]:
    letter = action.intensity or ""
    peak = float(letter_to_intensity(action.intensity))
    noted = info.get("peak", math.nan)
    if math.isfinite(noted) and 0 <= noted <= 5 and (intensity_to_letter(noted) or "") == letter:
        peak = noted
    onset = ann.begin / 1000.0
    offset = info.get("offset", ann.end) / 1000.0
    apex_ms = info.get("apex", math.nan)
    apex = apex_ms / 1000.0 if math.isfinite(apex_ms) else round((ann.begin + ann.end) / 2) / 1000.0
    apex = min(max(apex, onset), offset)
    side = action.side
    coded = _CODED.get((action.number, action.kind == "AD")) if not action.movement else None
    if coded is None or action.kind not in ("AU", "AD", "head", "eye"):
        column = ""
    else:
        kind = "AD" if coded.kind == "AD" else "AU"
        lr = side if side in ("L", "R") and coded.sided else None
        column = code_column(action.number, kind=kind, side=lr)
    frames = [round(t * fps) if fps else -1 for t in (onset, apex, offset)]
    return {
        "face": face,
        "code": f"{side or ''}{'M' if action.movement else ''}{action.number}",
        "side": side,
        "onset_s": onset,
        "apex_s": apex,
        "offset_s": offset,
        "peak": peak,
        "letter": letter,
        "onset_frame": frames[0],
        "apex_frame": frames[1],
        "offset_frame": frames[2],
        "column": column,
        "apex_code": "",
        "tier": ann.tier,
        "annotator": annotator,
        "_action": action,
    }


def _events_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    rank = {None: 0, "L": 1, "R": 2}
    rows.sort(key=lambda r: (r["onset_s"], r["face"], r["_action"].number,
                             rank.get(r["side"], 3), r["tier"]))  # fmt: skip
    for row in rows:
        active = [
            other["_action"]
            for other in rows
            if other["face"] == row["face"]
            and other["onset_s"] <= row["apex_s"] <= other["offset_s"]
        ]
        try:
            row["apex_code"] = str(Code.from_actions(active))
        except CodeError:
            row["apex_code"] = "+".join(sorted({str(a) for a in active}))
    columns = [*EVENT_TABLE_COLUMNS, "tier", "annotator"]
    table = pd.DataFrame({c: [r[c] for r in rows] for c in columns}, columns=columns)
    ints = ("face", "onset_frame", "apex_frame", "offset_frame")
    floats = ("onset_s", "apex_s", "offset_s", "peak")
    for c in columns:
        if c in ints:
            table[c] = table[c].astype("int64")
        elif c in floats:
            table[c] = table[c].astype("float64")
        elif c == "side":
            table[c] = pd.Series([r["side"] for r in rows], dtype=object, index=table.index)
        else:
            table[c] = pd.Series([r[c] for r in rows], dtype="str", index=table.index)
    return table
