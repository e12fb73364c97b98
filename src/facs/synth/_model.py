"""The face model and the deformation of a FACS code into a face mesh.

A mesh is a ``(478, 3)`` float array in MediaPipe's face-mesh topology, in
inter-ocular units (outer eye corners 33 and 263 one unit apart; x to the
subject's left, y up, z toward the camera).

How a code becomes a mesh (:func:`deform`):

- every action with a fitted field adds ``DISPLAY_GAIN × amount × field``
  (× ``VISIBILITY_GAIN`` for the codes the landmarker under-reads on renders),
  the amount being the code's calibrated share for its letter
  (:func:`drawn_amount`; A–E = 1–5 fifths before calibration, no letter =
  C): one half for ``L``/``R``, both for a bilateral
  item; codes with only a bilateral field are scaled by a smooth left/right
  (or top/bottom lip, for ``T``/``B``) mask;
- muscles with a ``pull`` in ``muscles.toml`` add an anatomical shape: the skin
  around the insertion moves toward the origin (for actions the landmarker
  under-reads: 2, 4, 6, 9, 10, 11, 13, 14, 38);
- 27 is the 26 field × ``JAW_27_GAIN`` (extrapolated from 26: no 27 in the
  data); the lids follow rules: 5 lifts the upper lid, 7 lifts the lower
  lid, 43/45/46 close the lids (46 on one side);
- gaze 61–64 moves the irises with the fitted field, or rotates them about
  the eyeball centre where the field is weak (63, 64); 65/66 turn the eyes
  out or in;
- the inner lip contours are clamped so that the lips never cross;
- head positions 51–58 move the whole mesh rigidly, last;
- how much of a shape each letter draws is calibrated per code by the round
  trip (``strength.json``): a letter asked for is drawn so that the coder
  reads that letter back (A trace … E the most the face model can do), see
  :func:`drawn_amount`.

>>> mesh = deform("6+12C")
>>> mesh.shape
(478, 3)
>>> bool(deform("12E")[291, 1] > deform("0")[291, 1])  # lip corner up
True
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from facs._errors import CodeError, ModelError, ParameterError
from facs.catalogue import catalogue
from facs.notation import INTENSITY_LETTERS, Code, letter_to_intensity
from facs.synth._muscles import load_muscles

__all__ = [
    "STRENGTH_MAX",
    "VISIBILITY_GAIN",
    "FaceModel",
    "Mesh",
    "deform",
    "deform_columns",
    "identities",
    "load_face_model",
    "missing_shapes",
    "shown_codes",
]

Mesh = npt.NDArray[np.float64]
_Drive = npt.NDArray[np.float64]  # (4,): left-top, right-top, left-bottom, right-bottom

#: Every fitted field is shown this much larger than the landmarker measured it
#: (MediaPipe's landmarks under-read the FACSHuman targets the fields come from).
DISPLAY_GAIN = 1.5
#: 27 (mouth stretch) = the 26 (jaw drop) field × this: an anatomical extrapolation.
JAW_27_GAIN = 2.0
#: Codes drawn larger still: on our renders MediaPipe's landmarks see only 40–70 % of
#: their fitted motion (``benchmarks/roundtrip.py --visibility`` measures the share
#: seen, the gain is about its inverse, capped at 2.0 where the mouth would distort).
VISIBILITY_GAIN = {2: 1.5, 4: 2.4, 6: 2.0, 9: 2.0, 10: 1.8, 14: 1.5}
HEAD_YAW_DEG = 30.0  # 51/52 at E
HEAD_PITCH_DEG = 20.0  # 53/54 at E
HEAD_ROLL_DEG = 20.0  # 55/56 at E
HEAD_FORWARD = 0.35  # 57/58 at E, inter-ocular units toward the camera
HEAD_PIVOT = (0.0, -0.4, -1.0)  # behind the face, at the upper neck
EYE_RADIUS = 0.13  # eyeball centre = iris centre − this in z
GAZE_YAW_DEG = 35.0  # 61/62 at E when rotated
GAZE_PITCH_DEG = 30.0  # 63/64 at E when rotated
LID_RAISE = 0.045  # 5 at E: upper lid up (inter-ocular units)
LID_TIGHTEN = 0.4  # 7 at E: lower lid up by this share of the aperture
LID_MEET = 0.25  # closed lids meet this share of the aperture above the lower lid
GAZE_LID = 0.8  # how much the upper lid follows the eyes up (× 5) or down (× 0.4 closure)

# Eye contours: (outer corner, inner corner, upper lid, lower lid), upper and lower paired.
_EYES = {
    "R": (33, 133, (246, 161, 160, 159, 158, 157, 173), (7, 163, 144, 145, 153, 154, 155)),
    "L": (263, 362, (466, 388, 387, 386, 385, 384, 398), (249, 390, 373, 374, 380, 381, 382)),
}
_IRIS = {"R": tuple(range(468, 473)), "L": tuple(range(473, 478))}
#: Inner lip contour, upper and lower, paired from the subject's right corner to the left.
LIP_INNER_UPPER = (191, 80, 81, 82, 13, 312, 311, 310, 415)
LIP_INNER_LOWER = (95, 88, 178, 87, 14, 317, 402, 318, 324)
_LID_CODES = (43, 45, 46)
_HEAD = range(51, 59)
_GAZE = (61, 62, 63, 64, 65, 66)
_RULES = frozenset({5, 7, 27, 43, 45, 46, *_HEAD, *_GAZE})
_MIDLINE = 0.02  # |x| below this is the midline
#: The most a calibrated letter may draw, as a multiple of the shape at E before
#: calibration: fitted fields at most twice (at twice, 26 already opens past 27's
#: jaw and 6 opens the mouth); rules (lids, gaze, head) at most what they draw at
#: E, since their E already is closed lids or the full angle.
STRENGTH_MAX = {"field": 2.0, "rule": 1.0}


Colour = tuple[float, float, float]
#: Skin, iris and brow colours (RGB 0–1) of the mean face.
DEFAULT_SKIN: Colour = (0.90, 0.72, 0.60)
DEFAULT_IRIS: Colour = (0.27, 0.46, 0.60)
DEFAULT_BROW: Colour = (0.30, 0.21, 0.16)


@dataclass(frozen=True, eq=False)
class FaceModel:
    """The synthesiser's face: a neutral mesh, its triangles and the action fields.

    Parameters
    ----------
    neutral : ndarray, shape (478, 3)
        The neutral face in inter-ocular units.
    triangles : ndarray, shape (852, 3)
        MediaPipe's face-mesh tessellation (counter-clockwise seen from the front).
    fields : mapping of str to ndarray, shape (478, 3)
        Displacement per unit intensity (1.0 = intensity E) of each fitted code:
        ``"17"`` for a bilateral code, ``"12_L"``/``"12_R"`` for each side.
    """

    neutral: Mesh
    triangles: npt.NDArray[np.int32]
    fields: Mapping[str, Mesh]
    #: Skin, iris and brow colours (RGB 0–1) the renderer paints this face with.
    skin: Colour = DEFAULT_SKIN
    iris: Colour = DEFAULT_IRIS
    brow: Colour = DEFAULT_BROW
    #: Who this face is (:func:`identities`).
    name: str = "mean face"


@cache
def _identity_table() -> tuple[tuple[str, ...], dict[str, npt.NDArray[np.float64]]]:
    """Labels and arrays (``shapes`` (K, 478, 3); ``skins``, ``irises``, ``brows``
    (K, 3)) of ``identities.npz``."""
    try:
        data = resources.files("facs.synth").joinpath("identities.npz").read_bytes()
        with np.load(io.BytesIO(data)) as npz:
            labels = tuple(str(v) for v in npz["labels"])
            arrays = {k: npz[k].astype(np.float64) for k in ("shapes", "skins", "irises", "brows")}
    except (OSError, KeyError, ValueError) as err:
        raise ModelError(f"cannot load the synthesiser's faces: {err}") from None
    return labels, arrays


def identities() -> tuple[str, ...]:
    """Who each face the synthesiser can draw is: number 0 is the mean face, then one
    per person (``identity=`` of :func:`deform`, :func:`~facs.synth.render` …).

    The other faces are the neutral faces of eight rendered synthetic-rom
    identities and the two Rocketbox heads, with the same action fields added
    (``benchmarks/build_identities.py``).

    >>> identities()[0], len(identities()) > 1
    ('mean face', True)
    """
    return ("mean face", *_identity_table()[0])


def _check_identity(identity: int | None) -> int:
    count = len(identities())
    if identity is None:
        return 0
    if (
        isinstance(identity, bool)
        or not isinstance(identity, (int, np.integer))
        or not (0 <= identity < count)
    ):
        faces = "; ".join(f"{k} {who}" for k, who in enumerate(identities()))
        raise ParameterError(f"identity must be a face number from 0 to {count - 1}, got "
                             f"{identity!r} (faces: {faces})")  # fmt: skip
    return int(identity)


def load_face_model(identity: int | None = None) -> FaceModel:
    """Load ``face_model.npz`` shipped with facs (once per face).

    Built from the synthetic range-of-motion data by
    ``benchmarks/build_face_model.py`` (see its docstring).

    Parameters
    ----------
    identity : int, optional
        Whose neutral face (:func:`identities`; 0 or ``None`` is the mean face).
        Every face gets the same action fields.

    Raises
    ------
    ModelError
        The file is missing or damaged.
    ParameterError
        ``identity`` is not one of the faces.
    """
    return _load_face_model(_check_identity(identity))


@cache
def _load_face_model(number: int) -> FaceModel:
    """:func:`load_face_model` of a checked face number (one object per face)."""
    if number:
        base = _load_face_model(0)
        labels, arrays = _identity_table()

        def colour(key: str) -> Colour:
            r, g, b = (float(v) for v in arrays[key][number - 1])
            return (r, g, b)

        return replace(base, neutral=arrays["shapes"][number - 1], skin=colour("skins"),
                       iris=colour("irises"), brow=colour("brows"),
                       name=labels[number - 1])  # fmt: skip
    try:
        data = resources.files("facs.synth").joinpath("face_model.npz").read_bytes()
        with np.load(io.BytesIO(data)) as npz:
            neutral = npz["neutral"].astype(np.float64)
            triangles = npz["triangles"].astype(np.int32)
            names = [str(n) for n in npz["field_names"]]
            fields = {n: f.astype(np.float64) for n, f in zip(names, npz["fields"], strict=True)}
    except (OSError, KeyError, ValueError) as err:
        raise ModelError(f"cannot load the synthesiser's face model: {err}") from None
    return FaceModel(neutral=neutral, triangles=triangles, fields=fields)


# --------------------------------------------------------------------------- rig


@dataclass(frozen=True, eq=False)
class _Rig:
    """What :func:`deform` derives once from the face model."""

    model: FaceModel
    mirror: npt.NDArray[np.intp]
    left: npt.NDArray[np.float64]  # (478,) smooth weight of the subject's left half
    top: npt.NDArray[np.float64]  # (478,) smooth weight of the upper lip half
    pulls: Mapping[int, tuple[Mesh, Mesh]]  # au -> (left, right) displacement at E
    lid_up: Mapping[str, npt.NDArray[np.float64]]  # eye -> (478, 7) lid influence
    lid_low: Mapping[str, npt.NDArray[np.float64]]
    lid_rows: npt.NDArray[np.intp]  # rows the lid rules own
    rotate_gaze: frozenset[int]  # gaze codes drawn by rotating the irises
    numbers: frozenset[int]  # every code number the model can show


def _mirror_index(neutral: Mesh) -> npt.NDArray[np.intp]:
    flipped = neutral * np.array([-1.0, 1.0, 1.0])
    d = ((neutral[:, None, :] - flipped[None, :, :]) ** 2).sum(axis=2)
    return np.asarray(d.argmin(axis=0), dtype=np.intp)


def _neighbours(triangles: npt.NDArray[np.int32], n: int) -> list[set[int]]:
    out: list[set[int]] = [set() for _ in range(n)]
    for a, b, c in triangles.tolist():
        out[a] |= {b, c}
        out[b] |= {a, c}
        out[c] |= {a, b}
    return out


def _lid_influence(
    neutral: Mesh, nbrs: list[set[int]], lid: tuple[int, ...], corners: tuple[int, int], sign: int
) -> npt.NDArray[np.float64]:
    """(478, len(lid)) weights: how much each vertex follows each lid point.

    The lid points follow fully; the next ring of skin away from the eye (above
    the upper lid, ``sign=+1``, or below the lower lid, ``sign=-1``) 55 %, the
    ring after it 20 %.
    """
    w = np.zeros((len(neutral), len(lid)))
    w[list(lid), range(len(lid))] = 1.0
    owned = set(lid) | set(corners)
    mid_y = (neutral[corners[0], 1] + neutral[corners[1], 1]) / 2
    front = set(lid)
    for share in (0.55, 0.2):
        ring = {
            v
            for u in front
            for v in nbrs[u]
            if v not in owned and sign * (neutral[v, 1] - mid_y) > 0 and v < 468
        }
        for v in ring:
            k = int(np.argmin(((neutral[list(lid)] - neutral[v]) ** 2).sum(axis=1)))
            w[v, k] = share
        owned |= ring
        front = ring
    return w


def _pull_fields(model: FaceModel, mirror: npt.NDArray[np.intp]) -> dict[int, tuple[Mesh, Mesh]]:
    neutral = model.neutral
    out: dict[int, tuple[Mesh, Mesh]] = {}
    for muscle in load_muscles():
        if muscle.pull <= 0:
            continue
        left, right = out.get(muscle.au, (np.zeros_like(neutral), np.zeros_like(neutral)))
        for origin, insertion in muscle.pairs:
            for o, i, target in (
                (origin, insertion, right),
                (mirror[origin], mirror[insertion], left),
            ):
                vec = neutral[o] - neutral[i]
                unit = vec / max(float(np.linalg.norm(vec)), 1e-9)
                gauss = np.exp(-((neutral - neutral[i]) ** 2).sum(axis=1) / (2 * muscle.radius**2))
                share = 0.5 if abs(neutral[insertion, 0]) < _MIDLINE else 1.0
                target += share * muscle.pull * gauss[:, None] * unit
        out[muscle.au] = (left, right)
    return out


@cache
def _rig(model: FaceModel | None = None) -> _Rig:
    model = model or load_face_model()
    neutral = model.neutral
    mean = load_face_model()
    if model is not mean:
        # Left and right partners, halves and lips come from the mean face: every face has
        # the same landmark layout, and another face's measured neutral is neither centred
        # nor symmetric (face 10's chin sits 0.12 left), so matching its own mirror image
        # paired 12-259 landmarks wrongly and sent left-side muscle pulls astray.
        # The muscle pulls are the mean face's too: every face moves by the same amounts.
        base = _rig(mean)
        mirror, left, top, pulls = base.mirror, base.left, base.top, base.pulls
    else:
        mirror = _mirror_index(neutral)
        x = neutral[:, 0]
        left = 0.5 * (1 + np.tanh(x / 0.05))
        mouth_y = (neutral[13, 1] + neutral[14, 1]) / 2
        top = 0.5 * (1 + np.tanh((neutral[:, 1] - mouth_y) / 0.015))
        pulls = _pull_fields(model, mirror)
    nbrs = _neighbours(model.triangles, len(neutral))
    lid_up: dict[str, npt.NDArray[np.float64]] = {}
    lid_low: dict[str, npt.NDArray[np.float64]] = {}
    for eye, (outer, inner, upper, lower) in _EYES.items():
        lid_up[eye] = _lid_influence(neutral, nbrs, upper, (outer, inner), +1)
        lid_low[eye] = _lid_influence(neutral, nbrs, lower, (outer, inner), -1)
    rows = np.flatnonzero(sum(w.sum(axis=1) for w in (*lid_up.values(), *lid_low.values())))
    rotate: set[int] = set()
    for code, degrees in ((61, GAZE_YAW_DEG), (62, GAZE_YAW_DEG), (63, GAZE_PITCH_DEG),
                          (64, GAZE_PITCH_DEG)):  # fmt: skip
        field = model.fields.get(str(code))
        moved = 0.0 if field is None else float(np.linalg.norm(field[[468, 473]], axis=1).mean())
        if DISPLAY_GAIN * moved < 0.5 * EYE_RADIUS * math.sin(math.radians(degrees)):
            rotate.add(code)
    numbers = {int(name.split("_")[0]) for name in model.fields} | set(_RULES)
    return _Rig(
        model=model,
        mirror=mirror,
        left=left,
        top=top,
        pulls=pulls,
        lid_up=lid_up,
        lid_low=lid_low,
        lid_rows=rows,
        rotate_gaze=frozenset(rotate),
        numbers=frozenset(numbers),
    )


# --------------------------------------------------------------------------- drives


@cache
def _strength_curves() -> dict[int, npt.NDArray[np.float64]]:
    """Per code number, the amount drawn at intensities 0–5 (``strength.json``)."""
    try:
        text = resources.files("facs.synth").joinpath("strength.json").read_text("utf-8")
    except OSError as err:
        raise ModelError(f"cannot load the synthesiser's letter strengths: {err}") from None
    return _parse_strength(text)


def _parse_strength(text: str) -> dict[int, npt.NDArray[np.float64]]:
    """``strength.json``'s curves, checked: five increasing amounts per code, within
    :data:`STRENGTH_MAX`."""
    try:
        drawn = json.loads(text)["drawn"]
        curves = {int(k): np.array([0.0, *v], np.float64) for k, v in drawn.items()}
    except (KeyError, ValueError, TypeError, AttributeError) as err:
        raise ModelError(f"strength.json is damaged: {err!r}") from None
    for number, curve in curves.items():
        cap = STRENGTH_MAX["rule" if _is_rule(number) else "field"]
        if len(curve) != 6 or not (np.diff(curve) > 0).all() or curve[-1] > cap + 1e-9:
            raise ModelError(
                f"strength.json: code {number} needs five increasing amounts up to {cap}"
            )
    return curves


def drawn_amount(number: int, share: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """How much of code ``number``'s shape is drawn for an asked share (0–1, E = 1).

    The round trip calibrated each code so that a render asked at a letter
    codes back as that letter (``benchmarks/render_strength.py``); between
    letters the amount is interpolated linearly. Codes without a curve draw the
    share as asked.

    >>> float(drawn_amount(12, 0.0))
    0.0
    >>> bool(drawn_amount(12, 0.4) < drawn_amount(12, 0.6) < drawn_amount(12, 1.0))
    True
    """
    asked = np.clip(np.asarray(share, np.float64), 0.0, 1.0)
    curve = _strength_curves().get(number)
    if curve is None:
        return asked
    return np.asarray(np.interp(5.0 * asked, np.arange(6.0), curve))


def _uncalibrated(number: int, amount: float) -> Mesh:
    """One code drawn at ``amount`` of its shape at E before calibration (46 on the left)."""
    drive = np.array([amount, 0.0, amount, 0.0]) if number == 46 else np.full(4, amount)
    return _shape({number: drive}, calibrated=False)


def _is_rule(number: int) -> bool:
    """Drawn by a rule (lids, gaze, head, 27's jaw) rather than a fitted field."""
    return number in _RULES


def _side_split(side: str | None, s: float) -> tuple[float, float]:
    """(left, right) amounts of one item at intensity share ``s`` (0–1)."""
    if side in ("L", "U"):
        return s, 0.0
    if side == "R":
        return 0.0, s
    if side == "A":
        return s, 0.6 * s
    if side is not None and side in "VWXYZ":
        return s, max(0.0, s - ("VWXYZ".index(side) + 1) / 5)
    if side is not None and side in "GHIJK":
        return max(0.0, s - ("GHIJK".index(side) + 1) / 5), s
    return s, s


def _code_drives(code: Code, default_letter: str) -> dict[int, _Drive]:
    drives: dict[int, _Drive] = {}
    numbers = _rig().numbers
    for action in code:
        if action.movement or action.number not in numbers:
            continue
        s = letter_to_intensity(action.intensity or default_letter) / 5
        side = action.side
        if action.number == 46 and side is None:
            side = "L"
        left, right = _side_split(side, s)
        if side == "T":
            drive = np.array([left, right, 0.0, 0.0])
        elif side == "B":
            drive = np.array([0.0, 0.0, left, right])
        else:
            drive = np.array([left, right, left, right])
        old = drives.get(action.number)
        drives[action.number] = drive if old is None else np.maximum(old, drive)
    return drives


def _check_letter(default_letter: str) -> str:
    letter = default_letter.strip().upper()
    if len(letter) != 1 or letter not in INTENSITY_LETTERS:
        raise CodeError(f"bad default intensity {default_letter!r}: use A, B, C, D or E")
    return letter


def missing_shapes(code: Code | str) -> tuple[str, ...]:
    """Items of ``code`` that the face model cannot show (they are not drawn).

    Parameters
    ----------
    code : Code or str
        A FACS code.

    Returns
    -------
    tuple of str
        One note per item without a shape, e.g.
        ``"8 (Lips toward each other): no shape in the face model"``.

    Examples
    --------
    >>> missing_shapes("6+8+12")
    ('8 (Lips toward each other): no shape in the face model',)
    """
    parsed = Code.parse(code) if isinstance(code, str) else code
    numbers = _rig().numbers
    out: list[str] = []
    for action in parsed:
        if action.movement:
            out.append(f"{action} ({action.name}): a movement needs time, not drawn")
        elif action.number not in numbers:
            out.append(f"{action} ({action.name}): no shape in the face model")
    return tuple(out)


def shown_codes() -> tuple[str, ...]:
    """Catalogue keys of every code the face model can show, in catalogue order.

    >>> shown_codes()[:6]
    ('1', '2', '4', '5', '6', '7')
    """
    numbers = _rig().numbers
    return tuple(
        e.key
        for e in catalogue.values()
        if e.kind in ("AU", "AD", "head", "eye") and e.number in numbers and not e.legacy
    )


# --------------------------------------------------------------------------- deform


def deform(code: Code | str, *, default_letter: str = "C", identity: int | None = None) -> Mesh:
    """The face mesh showing a FACS code.

    Parameters
    ----------
    code : Code or str
        A FACS code (``"0"`` or an empty code is the neutral face). Items the
        model cannot show (see :func:`missing_shapes`) are ignored.
    default_letter : str
        Intensity of items written without a letter.
    identity : int, optional
        Whose face (:func:`identities`; default the mean face).

    Returns
    -------
    ndarray, shape (478, 3)
        The deformed mesh (a new array).

    Raises
    ------
    CodeError
        ``code`` does not parse, or ``default_letter`` is not A–E.
    ParameterError
        ``identity`` is not one of the faces.

    Examples
    --------
    >>> import numpy as np
    >>> np.allclose(deform("0"), load_face_model().neutral)
    True
    >>> np.allclose(deform("0", identity=2), load_face_model(2).neutral)
    True
    >>> bool(deform("51E")[4, 0] > 0.1)  # head turned left: nose toward +x
    True
    """
    parsed = Code.parse(code) if isinstance(code, str) else code
    model = load_face_model(identity)
    return _shape(_code_drives(parsed, _check_letter(default_letter)), model=model)


def deform_columns(values: Mapping[str, Any], *, identity: int | None = None) -> Mesh:
    """The face mesh of one row of a frames table (``AU12``, ``AU12_L`` … 0–5).

    Side columns (``AU12_L``, ``AU12_R``) win over the bilateral column when
    present; NaN, missing and unknown keys are ignored (so a whole row with
    ``frame``, ``time_s`` … can be passed).

    Parameters
    ----------
    values : mapping of str to float
        Column name to intensity 0–5 (0 absent, 5 = E).
    identity : int, optional
        Whose face (:func:`identities`; default the mean face).

    Returns
    -------
    ndarray, shape (478, 3)

    Examples
    --------
    >>> import numpy as np
    >>> np.allclose(deform_columns({"AU12_L": 3.0, "AU12_R": 3.0}), deform("12C"))
    True
    """
    return _shape(_column_drives(values), model=load_face_model(identity))


def _column_drives(values: Mapping[str, Any]) -> dict[int, _Drive]:
    numbers = _rig().numbers
    drives: dict[int, _Drive] = {}

    def share(column: str) -> float | None:
        raw = values.get(column)
        if raw is None:
            return None
        try:
            v = float(raw)
        except (TypeError, ValueError):
            return None
        return min(max(v, 0.0), 5.0) / 5 if math.isfinite(v) else None

    for key in values:
        if not isinstance(key, str) or key[:2] not in ("AU", "AD") or not key[2:4].isdigit():
            continue
        number = int(key[2:4])
        if number not in numbers or number in drives:
            continue
        base = key[:4]
        both = share(base)
        left, right = share(f"{base}_L"), share(f"{base}_R")
        left = both if left is None else left
        right = both if right is None else right
        lv, rv = left or 0.0, right or 0.0
        if lv > 0 or rv > 0:
            drives[number] = np.array([lv, rv, lv, rv])
    return drives


def _levels(drives: Mapping[int, _Drive]) -> dict[int, tuple[float, float]]:
    """(left, right) amount 0–1 of every driven code."""
    return {n: _halves(d) for n, d in drives.items()}


def _code_levels(code: Code | str, *, default_letter: str = "C") -> dict[int, tuple[float, float]]:
    """How much of each code a FACS code asks for, per side (0–1; 1 = E).

    >>> _code_levels("L12E+6B")
    {6: (0.4, 0.4), 12: (1.0, 0.0)}
    """
    parsed = Code.parse(code) if isinstance(code, str) else code
    return _levels(_code_drives(parsed, _check_letter(default_letter)))


def _column_levels(values: Mapping[str, Any]) -> dict[int, tuple[float, float]]:
    """:func:`_code_levels` for one frames-table row (see :func:`deform_columns`)."""
    return _levels(_column_drives(values))


def _halves(d: _Drive) -> tuple[float, float]:
    return float(max(d[0], d[2])), float(max(d[1], d[3]))


def _weights(d: _Drive, rig: _Rig) -> npt.NDArray[np.float64] | float:
    """Per-vertex weight of a bilateral field under a drive (scalar when uniform)."""
    if np.allclose(d, d[0]):
        return float(d[0])
    lt, rt, lb, rb = d
    left, top = rig.left, rig.top
    right, bottom = 1 - left, 1 - top
    return np.asarray(lt * left * top + rt * right * top + lb * left * bottom + rb * right * bottom)


def _shape(
    drives: Mapping[int, _Drive], *, calibrated: bool = True, model: FaceModel | None = None
) -> Mesh:
    """The mesh of asked drives (``calibrated``: each drawn as :func:`drawn_amount` says)
    on ``model``'s face (default the mean face)."""
    rig = _rig(model)
    if calibrated:
        drives = {n: drawn_amount(n, d) for n, d in drives.items()}
    fields = rig.model.fields
    disp = np.zeros_like(rig.model.neutral)
    jaw = 0.0
    for number, d in drives.items():
        if number in _HEAD or number in (65, 66):
            continue
        if number in (26, 27):
            jaw = max(jaw, float(d.max()) * (JAW_27_GAIN if number == 27 else 1.0))
            continue
        left_key, right_key = f"{number}_L", f"{number}_R"
        part = np.zeros_like(disp)
        if left_key in fields and right_key in fields:
            top, bottom = rig.top[:, None], 1 - rig.top[:, None]
            part += (d[0] * top + d[2] * bottom) * fields[left_key]
            part += (d[1] * top + d[3] * bottom) * fields[right_key]
        elif str(number) in fields:
            w = _weights(d, rig)
            part += (w[:, None] if isinstance(w, np.ndarray) else w) * fields[str(number)]
        if number in _LID_CODES:
            part[rig.lid_rows] = 0.0  # the lid rule below owns the lids
        if number in rig.rotate_gaze:
            part[468:478] = 0.0  # rotated below
        gain = VISIBILITY_GAIN.get(number, 1.0)
        disp += gain * part
        if number in rig.pulls:
            left_pull, right_pull = rig.pulls[number]
            lv, rv = _halves(d)
            disp += gain * (lv * left_pull + rv * right_pull) / DISPLAY_GAIN
    if jaw > 0:
        disp += jaw * fields["26"]
    mesh = rig.model.neutral + DISPLAY_GAIN * disp
    _lids(mesh, drives, rig)
    _gaze(mesh, drives, rig)
    _clamp_lips(mesh)
    return _head(mesh, drives)


def _amount(drives: Mapping[int, _Drive], number: int, eye: str) -> float:
    d = drives.get(number)
    if d is None:
        return 0.0
    left, right = _halves(d)
    return left if eye == "L" else right


def _lids(mesh: Mesh, drives: Mapping[int, _Drive], rig: _Rig) -> None:
    """Lid rules, in place: 5 lifts the upper lid, 7 the lower, 43/45/46 close them."""
    for eye, (_outer, _inner, upper, lower) in _EYES.items():
        up, low = list(upper), list(lower)
        # the lids follow the gaze: up lifts the upper lid, down lowers it
        raise_ = max(_amount(drives, 5, eye), GAZE_LID * _amount(drives, 63, eye))
        tighten = _amount(drives, 7, eye) + 0.4 * _amount(drives, 6, eye)
        close = max(_amount(drives, n, eye) for n in _LID_CODES)
        close = min(1.0, close + 0.4 * GAZE_LID * _amount(drives, 64, eye))
        if raise_ == tighten == close == 0:
            continue
        d_up = np.zeros((len(up), 3))
        d_low = np.zeros((len(low), 3))
        d_up[:, 1] += LID_RAISE * raise_ * (1 - close)
        aperture = (mesh[up] + d_up) - mesh[low]
        d_low += LID_TIGHTEN * tighten * aperture
        d_up -= 0.1 * tighten * aperture
        upper_now, lower_now = mesh[up] + d_up, mesh[low] + d_low
        meet = lower_now + LID_MEET * (upper_now - lower_now)
        d_up += close * (meet - upper_now)
        d_low += close * (meet - lower_now)
        mesh += rig.lid_up[eye] @ d_up + rig.lid_low[eye] @ d_low


def _rotation(yaw: float, pitch: float, roll: float) -> npt.NDArray[np.float64]:
    """Rotation matrix (degrees): yaw turns +z toward +x, pitch +z toward +y,
    roll +y toward +x (a tilt to the subject's left)."""
    a, b, c = (math.radians(v) for v in (yaw, pitch, roll))
    ry = np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])
    rx = np.array([[1, 0, 0], [0, math.cos(b), math.sin(b)], [0, -math.sin(b), math.cos(b)]])
    rz = np.array([[math.cos(c), math.sin(c), 0], [-math.sin(c), math.cos(c), 0], [0, 0, 1]])
    return np.asarray(ry @ rx @ rz)


def _gaze(mesh: Mesh, drives: Mapping[int, _Drive], rig: _Rig) -> None:
    """Rotate the irises about the eyeball centres, in place (weak fields, 65, 66)."""

    def level(n: int) -> float:
        return max(_halves(drives[n])) if n in drives and n in rig.rotate_gaze else 0.0

    yaw = GAZE_YAW_DEG * (level(61) - level(62))
    pitch = GAZE_PITCH_DEG * (level(63) - level(64))
    for eye, iris in _IRIS.items():
        outward = 1.0 if eye == "L" else -1.0
        eye_yaw = yaw
        for n, direction in ((65, outward), (66, -outward)):
            if n in drives:
                eye_yaw += direction * GAZE_YAW_DEG * max(_halves(drives[n]))
        if eye_yaw == 0 and pitch == 0:
            continue
        points = mesh[list(iris)]
        centre = points[0] - np.array([0.0, 0.0, EYE_RADIUS])
        mesh[list(iris)] = (points - centre) @ _rotation(eye_yaw, pitch, 0.0).T + centre


def _clamp_lips(mesh: Mesh) -> None:
    """Keep each lower inner-lip point at or below its upper partner, in place."""
    up, low = list(LIP_INNER_UPPER), list(LIP_INNER_LOWER)
    crossed = mesh[up, 1] < mesh[low, 1]
    if crossed.any():
        mid = (mesh[up, 1] + mesh[low, 1]) / 2
        ups, lows = np.array(up)[crossed], np.array(low)[crossed]
        mesh[ups, 1] = mid[crossed]
        mesh[lows, 1] = mid[crossed]


def _head(mesh: Mesh, drives: Mapping[int, _Drive]) -> Mesh:
    def level(n: int) -> float:
        return max(_halves(drives[n])) if n in drives else 0.0

    yaw = HEAD_YAW_DEG * (level(51) - level(52))
    pitch = HEAD_PITCH_DEG * (level(53) - level(54))
    roll = HEAD_ROLL_DEG * (level(55) - level(56))
    forward = HEAD_FORWARD * (level(57) - level(58))
    if yaw == pitch == roll == forward == 0:
        return mesh
    moved = _turn_head(mesh, yaw, pitch, roll)
    moved[:, 2] += forward
    return moved


def _turn_head(mesh: Mesh, yaw: float, pitch: float, roll: float = 0.0) -> Mesh:
    """The mesh turned about the head's pivot (degrees, as :func:`_rotation`)."""
    pivot = np.array(HEAD_PIVOT)
    return np.asarray((mesh - pivot) @ _rotation(yaw, pitch, roll).T + pivot)
