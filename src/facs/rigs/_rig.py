"""Rig mappings: load a preset or a file of shape names into a :class:`Rig`."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from facs._errors import InputError
from facs.series import CODE_COLUMNS, CODED, SIDE_COLUMNS

__all__ = ["PRESETS", "Rig", "Shape", "load_rig", "normalise_name"]

#: Preset name → (data file, highest Meta version kept or None).
PRESETS: dict[str, tuple[str, int | None]] = {
    "arkit": ("arkit", None),
    "livelink": ("livelink", None),
    "meta": ("meta", 2),
    "meta-v2": ("meta", 2),
    "meta-v1": ("meta", 1),
    "metahuman": ("metahuman", None),
}
_SIDED_BASES = frozenset(c.column for c in CODED if c.sided)
_VALID_COLUMNS = frozenset(c for c in CODE_COLUMNS if c not in _SIDED_BASES) | frozenset(
    SIDE_COLUMNS
)
_PREFIXES = ("ctrlexpressions", "xrfaceexpression2", "xrfaceexpression", "blendshapes", "arkit")

Status = Literal["mapped", "not-scored", "no-facs"]


def normalise_name(name: str) -> str:
    """Key used to match shape names across spellings.

    Lower case, separators dropped, known prefixes (``CTRL_expressions_``,
    ``XR_FACE_EXPRESSION_`` … ``_FB``, ``blendShapes.``) removed.

    >>> normalise_name("CTRL_expressions_browDownL"), normalise_name("EyeBlinkLeft")
    ('browdownl', 'eyeblinkleft')
    >>> normalise_name("XR_FACE_EXPRESSION_JAW_DROP_FB")
    'jawdrop'
    """
    key = re.sub(r"[^0-9a-z]", "", name.lower())
    for prefix in _PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            if prefix.startswith("xrface") and key.endswith("fb"):
                key = key[:-2]
            key = key[len(prefix) :]
            break
    return key


@dataclass(frozen=True)
class Shape:
    """One rig channel (a blendshape, curve or rotation) and the columns it drives.

    ``weights`` maps frames-table columns to weights: a shape value ``v`` (0–1)
    adds ``5 * weight * v`` to the column. A rotation (``kind = "rotation"``,
    radians, signed) drives ``weights`` with its positive part and
    ``negative`` with its negative part.
    """

    name: str
    weights: tuple[tuple[str, float], ...]
    facs: str = ""
    reason: str = ""
    source: str = ""
    unverified: bool = False
    note: str = ""
    kind: Literal["shape", "rotation"] = "shape"
    negative: tuple[tuple[str, float], ...] = ()

    @property
    def status(self) -> Status:
        """``mapped`` (drives a column), ``not-scored`` (a FACS code the frames
        table lacks) or ``no-facs`` (no FACS equivalent)."""
        if self.weights or self.negative:
            return "mapped"
        return "not-scored" if self.facs else "no-facs"

    @property
    def columns(self) -> tuple[str, ...]:
        """Columns this channel raises (positive weights, both signs of a rotation)."""
        cols = [c for c, w in (*self.weights, *self.negative) if w > 0]
        return tuple(dict.fromkeys(cols))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        data: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "status": self.status,
            "map": dict(self.weights),
        }
        if self.negative:
            data["map_negative"] = dict(self.negative)
        for key in ("facs", "reason", "source", "note"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        data["unverified"] = self.unverified
        return data


@dataclass(frozen=True)
class Rig:
    """A face rig: its channels and how each maps onto the frames table.

    Examples
    --------
    >>> rig = load_rig("arkit")
    >>> len(rig.shapes), rig.shape("EyeBlinkLeft").columns
    (52, ('AU43_L',))
    >>> sorted(s.name for s in rig.drivers("AU01_L"))
    ['browInnerUp']
    """

    name: str
    title: str
    shapes: tuple[Shape, ...]
    sources: tuple[str, ...] = ()
    note: str = ""
    #: Names from a user file that match no shape of the preset (reported, not used).
    unknown: tuple[str, ...] = ()
    #: The preset a user file was matched to ("" for a preset itself).
    preset: str = ""
    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.shapes:
            raise InputError(f"rig {self.name!r} has no shapes")
        index: dict[str, int] = {}
        for k, shape in enumerate(self.shapes):
            key = normalise_name(shape.name)
            if key in index:
                raise InputError(f"rig {self.name!r}: shape {shape.name!r} is listed twice")
            index[key] = k
        self._index.update(index)

    @property
    def names(self) -> tuple[str, ...]:
        """Shape names in rig order."""
        return tuple(s.name for s in self.shapes)

    def find(self, name: str) -> Shape | None:
        """The shape called ``name`` (any spelling :func:`normalise_name` equates)."""
        k = self._index.get(normalise_name(name))
        return None if k is None else self.shapes[k]

    def shape(self, name: str) -> Shape:
        """Like :meth:`find`, but raises :class:`InputError` for an unknown name."""
        found = self.find(name)
        if found is None:
            raise InputError(f"rig {self.name!r} has no shape {name!r}")
        return found

    def drivers(self, column: str) -> tuple[Shape, ...]:
        """Shapes that raise a frames column (e.g. ``AU12_L``, ``AU26``)."""
        return tuple(s for s in self.shapes if column in s.columns)

    @property
    def columns(self) -> tuple[str, ...]:
        """Frames columns the rig can raise, in frames-table order."""
        raised = {c for s in self.shapes for c in s.columns}
        return tuple(c for c in (*CODE_COLUMNS, *SIDE_COLUMNS) if c in raised)

    def counts(self) -> dict[str, int]:
        """Number of shapes per status (``mapped``, ``not-scored``, ``no-facs``)."""
        out = {"mapped": 0, "not-scored": 0, "no-facs": 0}
        for s in self.shapes:
            out[s.status] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "name": self.name,
            "title": self.title,
            "preset": self.preset or self.name,
            "sources": list(self.sources),
            "note": self.note,
            "counts": self.counts(),
            "unknown": list(self.unknown),
            "shapes": [s.to_dict() for s in self.shapes],
        }


def _weights(raw: Any, where: str) -> tuple[tuple[str, float], ...]:
    if not isinstance(raw, dict):
        raise InputError(f"{where}: map must be a table of column = weight")
    out: list[tuple[str, float]] = []
    for column, weight in raw.items():
        if column not in _VALID_COLUMNS:
            hint = f" (use {column}_L / {column}_R)" if column in _SIDED_BASES else ""
            raise InputError(f"{where}: unknown frames column {column!r}{hint}")
        if not isinstance(weight, int | float) or not math.isfinite(weight) or weight == 0:
            raise InputError(f"{where}: weight of {column} must be a non-zero number")
        out.append((column, float(weight)))
    return tuple(out)


def _parse_shape(raw: dict[str, Any], where: str) -> Shape:
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise InputError(f"{where}: a shape needs a name")
    where = f"{where}: shape {name!r}"
    weights = _weights(raw.get("map", {}), where)
    if not weights and not raw.get("reason"):
        raise InputError(f"{where}: an unmapped shape needs a reason")
    return Shape(
        name=name,
        weights=weights,
        facs=str(raw.get("facs", "")),
        reason=str(raw.get("reason", "")),
        source=str(raw.get("source", "")),
        unverified=bool(raw.get("unverified", False)),
        note=str(raw.get("note", "")),
    )


def _parse_rotation(raw: dict[str, Any], where: str) -> Shape:
    name = str(raw.get("name", ""))
    where = f"{where}: rotation {name!r}"
    try:
        degrees = float(raw["degrees_at_e"])
        share = float(raw.get("share", 1.0))
        pos, neg = str(raw["positive"]), str(raw["negative"])
    except (KeyError, TypeError, ValueError) as err:
        raise InputError(f"{where}: needs name, positive, negative, degrees_at_e ({err})") from None
    if not name or degrees <= 0 or share <= 0:
        raise InputError(f"{where}: needs a name and positive degrees_at_e and share")
    scale = share / math.radians(degrees)
    return Shape(
        name=name,
        weights=_weights({pos: scale}, where),
        negative=_weights({neg: scale}, where),
        source=str(raw.get("source", "")),
        unverified=bool(raw.get("unverified", False)),
        note=str(raw.get("note", "")),
        kind="rotation",
    )


def _rig_from_toml(data: dict[str, Any], where: str, *, version: int | None = None) -> Rig:
    head = data.get("rig", {})
    if not isinstance(head, dict) or not head.get("name"):
        raise InputError(f"{where}: missing [rig] table with a name")
    shapes: list[Shape] = []
    parent = head.get("extends")
    if parent:
        if parent not in PRESETS:
            raise InputError(f"{where}: extends unknown preset {parent!r}")
        shapes = list(load_rig(str(parent)).shapes)
    own: set[str] = set()  # this file's shapes (one may replace the preset's, not its own)
    for raw in data.get("shape", []):
        if version is not None and int(raw.get("version", 1)) > version:
            continue
        shape = _parse_shape(raw, where)
        keys = [normalise_name(s.name) for s in shapes]
        key = normalise_name(shape.name)
        if key in own:
            raise InputError(f"{where}: shape {shape.name!r} is given twice")
        own.add(key)
        if key in keys:
            shapes[keys.index(key)] = shape
        else:
            shapes.append(shape)
    shapes.extend(_parse_rotation(raw, where) for raw in data.get("rotation", []))
    return Rig(
        name=str(head["name"]),
        title=str(head.get("title", head["name"])),
        shapes=tuple(shapes),
        sources=tuple(str(s) for s in head.get("sources", [])),
        note=str(head.get("note", "")),
    )


@cache
def _preset(name: str) -> Rig:
    stem, version = PRESETS[name]
    text = resources.files("facs.rigs").joinpath(f"{stem}.toml").read_text("utf-8")
    rig = _rig_from_toml(tomllib.loads(text), f"{stem}.toml", version=version)
    if name != rig.name:
        title = rig.title.replace("v2: 63 + 7 tongue = 70", "v1: 63") if version == 1 else rig.title
        rig = Rig(name, title, rig.shapes, rig.sources, rig.note)
    return rig


def _names_from_file(path: Path) -> list[str]:
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            f"{path}: not a text file ({suffix or 'no suffix'}); facs reads a rig's shape names "
            "from .txt, .csv or .json (exported from the rig's tool) or a .toml rig mapping"
        ) from None
    except OSError as err:
        raise InputError(f"{path}: cannot read the rig file ({err.strerror or err})") from None
    names: list[str] = []
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise InputError(f"{path}: not valid JSON ({err})") from None
        if isinstance(data, dict):
            data = data.get("shapes", data.get("names"))
        if not isinstance(data, list) or not all(isinstance(n, str) for n in data):
            raise InputError(f"{path}: expected a list of shape names (or {{'shapes': [...]}})")
        names = list(data)
    elif suffix == ".csv":
        rows = list(csv.reader(io.StringIO(text)))
        rows = [[c.strip() for c in row] for row in rows if any(c.strip() for c in row)]
        if rows and len(rows[0]) > 1:  # a header of shape names (e.g. a Live Link CSV)
            names = rows[0]
        else:
            names = [row[0] for row in rows]
            if names and names[0].lower() in ("name", "shape", "shapes", "curve"):
                names = names[1:]
    else:
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            names.extend(p.strip() for p in re.split(r"[,;\t]", line) if p.strip())
    names = [n for n in dict.fromkeys(names) if n]
    meta = {"timecode", "blendshapecount", "time", "times", "frame", "timestamp"}
    names = [n for n in names if normalise_name(n) not in meta]
    if not names:
        raise InputError(f"{path}: the rig file lists no shape names")
    return names


def _rig_from_names(path: Path) -> Rig:
    names = _names_from_file(path)
    best: tuple[int, str] = (0, "")
    for candidate in ("arkit", "livelink", "meta", "metahuman"):
        hits = sum(_preset(candidate).find(n) is not None for n in names)
        if hits > best[0]:
            best = (hits, candidate)
    if best[0] == 0:
        shown = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
        raise InputError(
            f"{path}: none of its {len(names)} shape names matches a known rig "
            f"(arkit, livelink, meta, metahuman): {shown}"
        )
    preset = _preset(best[1])
    shapes: list[Shape] = []
    unknown: list[str] = []
    for n in names:
        found = preset.find(n)
        if found is None:
            unknown.append(n)
        elif all(normalise_name(s.name) != normalise_name(n) for s in shapes):
            shapes.append(_renamed(found, n))
    return Rig(
        name=path.stem,
        title=f"{path.name} (shapes matched to the {preset.name} preset)",
        shapes=tuple(shapes),
        sources=preset.sources,
        note=preset.note,
        unknown=tuple(unknown),
        preset=preset.name,
    )


def _renamed(shape: Shape, name: str) -> Shape:
    return Shape(
        name,
        shape.weights,
        shape.facs,
        shape.reason,
        shape.source,
        shape.unverified,
        shape.note,
        shape.kind,
        shape.negative,
    )


def load_rig(name_or_path: str | Path) -> Rig:
    """A preset rig, a rig TOML file, or a file of shape names matched to a preset.

    Parameters
    ----------
    name_or_path : str or pathlib.Path
        A preset (``arkit``, ``livelink``, ``meta`` = ``meta-v2``, ``meta-v1``,
        ``metahuman``); a ``.toml`` rig file in the schema of this package; or
        a text (one name a line, or comma-separated), CSV (a header row of names,
        or one name a row) or JSON (a list of names) file of shape names. Names
        are matched to the preset sharing the most of them, by
        :func:`normalise_name`; names that match nothing are kept in
        :attr:`Rig.unknown`.

    Raises
    ------
    InputError
        Unknown preset, unreadable or empty file, no name matching any preset.

    Examples
    --------
    >>> load_rig("meta-v1").counts()
    {'mapped': 58, 'not-scored': 3, 'no-facs': 2}
    >>> load_rig("gopro")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    facs._errors.InputError: unknown rig 'gopro': not a preset (arkit, livelink, ...) nor ...
    """
    text = str(name_or_path)
    if not isinstance(name_or_path, Path) and text.lower() in PRESETS:
        return _preset(text.lower())
    path = Path(name_or_path)
    if not path.is_file():
        raise InputError(
            f"unknown rig {text!r}: not a preset ({', '.join(sorted(PRESETS))}) "
            "nor an existing file"
        )
    if path.suffix.lower() == ".toml":
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
            raise InputError(f"{path}: cannot read the rig file ({err})") from None
        return _rig_from_toml(data, str(path))
    return _rig_from_names(path)
