"""The FACS catalogue: every code as data, loaded once from ``codes.toml``."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal, get_args

from facs._errors import CatalogueError

__all__ = ["KINDS", "REGIONS", "Catalogue", "Entry", "Kind", "catalogue", "load_toml"]

Kind = Literal["neutral", "AU", "AD", "head", "eye", "gross", "visibility", "movement"]
KINDS: tuple[str, ...] = get_args(Kind)
REGIONS: tuple[str, ...] = (
    "forehead", "brows", "eyes", "cheeks", "nose", "upper lip", "lip corners", "lips",
    "lower lip", "chin", "jaw", "mouth", "tongue", "neck", "head", "gaze", "face",
)  # fmt: skip

_PREFIXED = re.compile(r"^\s*(AU|AD|M)?\s*0*(\d{1,3})\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    """One FACS code in the catalogue.

    Examples
    --------
    >>> from facs.catalogue import catalogue
    >>> e = catalogue["AU12"]
    >>> e.name, e.muscles
    ('Lip corner puller', ('zygomaticus major',))
    >>> e.label
    'AU12'
    """

    key: str
    number: int
    kind: Kind
    group: str
    name: str
    muscles: tuple[str, ...]
    region: str
    sides: tuple[str, ...]
    intensity: bool
    chapter: int
    legacy: bool
    replaced_by: str
    appearance: str
    notes: str
    unverified: tuple[str, ...]
    sources: tuple[str, ...]

    @property
    def unilateral(self) -> bool:
        """Whether the code can be scored on one side (L/R prefixes)."""
        return "LR" in self.sides

    @property
    def one_lip(self) -> bool:
        """Whether the code can be scored on one lip (T/B prefixes)."""
        return "TB" in self.sides

    @property
    def label(self) -> str:
        """The code as people usually write it: ``AU12``, ``AD19``, ``M59``, ``51``."""
        if self.kind == "movement":
            return self.key
        if self.kind == "AD":
            return f"AD{self.number}"
        if self.kind == "AU":
            return f"AU{self.number}"
        return str(self.number)

    @property
    def column(self) -> str:
        """Column name in frames tables: ``AU01``, ``AU51``, ``AD19``."""
        prefix = "AD" if self.kind == "AD" else "AU"
        return f"{prefix}{self.number:02d}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            out[name] = list(value) if isinstance(value, tuple) else value
        out["label"] = self.label
        out["unilateral"] = self.unilateral
        return out


def load_toml(name: str) -> dict[str, Any]:
    """Read one TOML data file shipped in ``facs.catalogue``."""
    text = resources.files("facs.catalogue").joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def _entry(raw: Mapping[str, Any]) -> Entry:
    tuples = {"muscles", "sides", "unverified", "sources"}
    fields: dict[str, Any] = {k: (tuple(v) if k in tuples else v) for k, v in raw.items()}
    if fields["kind"] not in KINDS:
        raise ValueError(f"codes.toml: {raw['key']}: unknown kind {raw['kind']!r}")
    if fields["region"] not in REGIONS:
        raise ValueError(f"codes.toml: {raw['key']}: unknown region {raw['region']!r}")
    return Entry(**fields)


class Catalogue(Mapping[str, Entry]):
    """Every FACS code, queried by number, label, name, region or muscle.

    Keys are canonical keys (``"12"``, ``"19"``, ``"M59"``); lookups accept
    ``12``, ``"AU12"``, ``"au 12"``, ``"AD19"``, ``"M59"``.

    Examples
    --------
    >>> from facs.catalogue import catalogue
    >>> catalogue[4].name
    'Brow lowerer'
    >>> catalogue["AD19"].kind
    'AD'
    >>> [e.label for e in catalogue.search("dimpler")]
    ['AU14']
    """

    def __init__(self, entries: list[Entry]) -> None:
        self._by_key = {e.key: e for e in entries}
        if len(self._by_key) != len(entries):
            raise ValueError("codes.toml: duplicate keys")

    def __getitem__(self, query: object) -> Entry:
        found = self.get_entry(query)
        if found is None:
            hint = ""
            if str(query).strip().upper().lstrip("AU") == "3":
                hint = " (AU3 is a Baby FACS code, not adult FACS)"
            raise CatalogueError(f"no FACS code {query!r} in the catalogue{hint}")
        return found

    def get_entry(self, query: object) -> Entry | None:
        """Entry for a number or label, or ``None``."""
        if isinstance(query, bool):
            return None
        if isinstance(query, int):
            return self._by_key.get(str(query))
        if not isinstance(query, str):
            return None
        m = _PREFIXED.match(query)
        if not m:
            return None
        prefix = (m.group(1) or "").upper()
        number = int(m.group(2))
        if prefix == "M":
            return self._by_key.get(f"M{number}")
        entry = self._by_key.get(str(number))
        if entry is not None and prefix == "AD" and entry.kind != "AD":
            return None
        return entry

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_key)

    def __len__(self) -> int:
        return len(self._by_key)

    def __contains__(self, query: object) -> bool:
        return self.get_entry(query) is not None

    def entries(
        self, *, kind: str | None = None, region: str | None = None, legacy: bool | None = None
    ) -> list[Entry]:
        """Entries filtered by kind and region, in catalogue order.

        >>> from facs.catalogue import catalogue
        >>> [e.number for e in catalogue.entries(kind="head")]
        [51, 52, 53, 54, 55, 56, 57, 58, 83]
        """
        if kind is not None and kind.lower() not in {k.lower() for k in KINDS}:
            raise CatalogueError(f"unknown kind {kind!r}; choose from {', '.join(KINDS)}")
        if region is not None and region.lower() not in REGIONS:
            raise CatalogueError(f"unknown region {region!r}; choose from {', '.join(REGIONS)}")
        return [
            e
            for e in self._by_key.values()
            if (kind is None or e.kind.lower() == kind.lower())
            and (region is None or e.region == region.lower())
            and (legacy is None or e.legacy == legacy)
        ]

    def by_muscle(self, fragment: str) -> list[Entry]:
        """Entries whose muscular basis mentions ``fragment`` (case-insensitive).

        >>> from facs.catalogue import catalogue
        >>> [e.number for e in catalogue.by_muscle("orbicularis oculi")]
        [6, 7, 42, 44, 45, 46]
        """
        needle = fragment.strip().lower()
        return [e for e in self._by_key.values() if any(needle in m.lower() for m in e.muscles)]

    def search(self, query: str) -> list[Entry]:
        """Entries matching a number/label exactly, else a name, muscle or region fragment.

        Name matches come first, then muscle, region and appearance matches.

        >>> from facs.catalogue import catalogue
        >>> catalogue.search("AU12")[0].name
        'Lip corner puller'
        """
        exact = self.get_entry(query)
        if exact is not None:
            return [exact]
        needle = " ".join(query.lower().split())
        if not needle:
            return []
        ranked: list[tuple[int, int, Entry]] = []
        for order, e in enumerate(self._by_key.values()):
            if needle in e.name.lower():
                rank = 0
            elif any(needle in m.lower() for m in e.muscles):
                rank = 1
            elif needle == e.region or needle in e.group.lower():
                rank = 2
            elif needle in e.appearance.lower():
                rank = 3
            else:
                continue
            ranked.append((rank, order, e))
        return [e for _, _, e in sorted(ranked, key=lambda t: (t[0], t[1]))]


@cache
def _load() -> Catalogue:
    return Catalogue([_entry(raw) for raw in load_toml("codes.toml")["code"]])


class _LazyCatalogue(Mapping[str, Entry]):
    """Module-level proxy that loads ``codes.toml`` on first use."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_load(), name)

    def __getitem__(self, query: object) -> Entry:
        return _load()[query]

    def __iter__(self) -> Iterator[str]:
        return iter(_load())

    def __len__(self) -> int:
        return len(_load())

    def __contains__(self, query: object) -> bool:
        return query in _load()

    def __repr__(self) -> str:
        return f"<FACS catalogue: {len(self)} codes>"


catalogue: Catalogue = _LazyCatalogue()  # type: ignore[assignment]
