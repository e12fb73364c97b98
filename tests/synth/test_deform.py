"""Tests for facs.synth._model: fields add linearly, sides, intensity, rules, lips."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import facs.synth
from facs import CodeError
from facs.emotions import prototypes
from facs.notation import Action, Code
from facs.synth import (
    deform,
    deform_columns,
    load_face_model,
    missing_shapes,
    shown_codes,
)
from facs.synth._model import (
    DISPLAY_GAIN,
    LIP_INNER_LOWER,
    LIP_INNER_UPPER,
    STRENGTH_MAX,
    _rig,
    drawn_amount,
)

NEUTRAL = load_face_model().neutral
NOSE, FOREHEAD = 4, 10
R_CORNER, L_CORNER = 61, 291  # lip corners: subject's right (x < 0) and left (x > 0)


OFF_LIPS = np.setdiff1d(np.arange(478), [*LIP_INNER_UPPER, *LIP_INNER_LOWER])  # not clamped


def moved(code: str) -> np.ndarray:
    return deform(code) - NEUTRAL


# --------------------------------------------------------------------------- public surface


def test_all_is_sorted_and_exported() -> None:
    names = facs.synth.__all__
    key = sorted(names, key=lambda n: (not n.isupper(), not n[:1].isupper(), n))
    assert names == key  # ruff's isort-style order: CONSTANTS, Classes, functions
    public = {n for n in vars(facs.synth) if not n.startswith("_")} - {"annotations"}
    modules = {n for n in public if type(getattr(facs.synth, n)).__name__ == "module"}
    assert public - modules == set(names)


def test_import_is_cheap() -> None:
    code = (
        "import sys, facs, facs.synth, facs.cli; "
        "print(sorted({'matplotlib', 'av', 'PIL', 'mediapipe'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_model_shapes() -> None:
    model = load_face_model()
    assert model.neutral.shape == (478, 3) and model.triangles.shape == (852, 3)
    assert np.isclose(np.linalg.norm(model.neutral[33] - model.neutral[263]), 1.0, atol=0.02)
    assert {"12_L", "12_R", "17", "26"} <= set(model.fields)
    assert all(f.shape == (478, 3) for f in model.fields.values())


# --------------------------------------------------------------------------- fields


def test_neutral_is_the_model_neutral() -> None:
    assert np.array_equal(deform("0"), NEUTRAL) and np.array_equal(deform(Code()), NEUTRAL)
    assert deform("0") is not NEUTRAL


def test_fields_add_linearly() -> None:
    field = load_face_model().fields
    at_c12, at_c1 = float(drawn_amount(12, 0.6)), float(drawn_amount(1, 0.6))
    expected = DISPLAY_GAIN * at_c12 * (field["12_L"] + field["12_R"])
    assert np.allclose(moved("12C")[OFF_LIPS], expected[OFF_LIPS])
    assert np.allclose(moved("1C"), DISPLAY_GAIN * at_c1 * (field["1_L"] + field["1_R"]))
    total = moved("1C") + moved("12C") + moved("17C")
    assert np.allclose(moved("1C+12C+17C")[OFF_LIPS], total[OFF_LIPS])
    assert np.allclose(moved("1C+2C+9C"), moved("1C") + moved("2C") + moved("9C"))


@pytest.mark.parametrize("code", ["12", "17", "1", "2", "4", "20"])
def test_intensity_scales_the_field(code: str) -> None:
    """A letter draws the field times its calibrated amount, more for every letter."""
    a, c, e = (moved(f"{code}{letter}")[OFF_LIPS] for letter in "ACE")
    amount = drawn_amount(int(code), np.array([0.2, 0.6, 1.0]))
    assert 0 < amount[0] < amount[1] < amount[2] <= STRENGTH_MAX["field"]
    assert np.allclose(a * amount[1] / amount[0], c) and np.allclose(a * amount[2] / amount[0], e)
    assert np.allclose(moved(code)[OFF_LIPS], c)  # no letter = C
    assert np.allclose(deform(code, default_letter="E"), deform(f"{code}E"))


def test_sides() -> None:
    left, right, both = moved("L12E"), moved("R12E"), moved("12E")
    assert left[L_CORNER, 1] > 3 * abs(left[R_CORNER, 1])  # the lifted corner is the left one
    assert right[R_CORNER, 1] > 3 * abs(right[L_CORNER, 1])
    assert np.allclose((left + right)[OFF_LIPS], both[OFF_LIPS])
    assert left[L_CORNER, 1] > 0.05  # the left corner goes up
    # a code with only a bilateral field: a side mask
    brow = moved("L4E")
    assert np.linalg.norm(brow[336]) > 5 * np.linalg.norm(brow[107])  # 336 left inner brow
    # two sides at different intensities
    mixed = moved("L12B+R12D")[OFF_LIPS]
    b, d, e = drawn_amount(12, np.array([0.4, 0.8, 1.0]))
    assert np.allclose(mixed, (b / e * left + d / e * right)[OFF_LIPS])


def test_asymmetry_prefixes() -> None:
    stronger_left = moved("V12E")  # left stronger by one step
    assert stronger_left[L_CORNER, 1] > stronger_left[R_CORNER, 1] > 0
    assert np.allclose(moved("S12C"), moved("12C"))


def test_top_and_bottom_lip() -> None:
    top, bottom, both = moved("T22E"), moved("B22E"), moved("22E")
    assert abs(top[0, 1]) > 3 * abs(bottom[0, 1])  # 0: top lip, middle
    assert abs(bottom[17, 1]) > 3 * abs(top[17, 1])  # 17: bottom lip, middle
    assert np.allclose((top + bottom)[OFF_LIPS], both[OFF_LIPS], atol=1e-9)


def test_jaw_27_extends_26() -> None:
    assert moved("27E")[152, 1] < moved("26E")[152, 1] < moved("26A")[152, 1] < 0


# --------------------------------------------------------------------------- rules


def _aperture(mesh: np.ndarray, upper: int, lower: int) -> float:
    return float(mesh[upper, 1] - mesh[lower, 1])


@pytest.mark.parametrize(("upper", "lower"), [(159, 145), (386, 374)])
def test_lids(upper: int, lower: int) -> None:
    open_ = _aperture(NEUTRAL, upper, lower)
    assert _aperture(deform("43E"), upper, lower) == pytest.approx(0.0, abs=1e-9)
    assert _aperture(deform("45E"), upper, lower) == pytest.approx(0.0, abs=1e-9)
    assert 0 < _aperture(deform("43B"), upper, lower) < open_
    assert _aperture(deform("5E"), upper, lower) > open_ + 0.03
    assert _aperture(deform("7E"), upper, lower) < 0.7 * open_


def test_wink_is_one_sided() -> None:
    wink = deform("L46E")
    assert _aperture(wink, 386, 374) == pytest.approx(0.0, abs=1e-9)
    assert _aperture(wink, 159, 145) > 0.8 * _aperture(NEUTRAL, 159, 145)
    assert np.allclose(deform("46E"), wink)  # no side: drawn on the left


def test_head_rotation_signs() -> None:
    assert moved("51E")[NOSE, 0] > 0.3  # turn left: the nose toward the subject's left (+x)
    assert moved("52E")[NOSE, 0] < -0.3
    assert moved("53E")[NOSE, 1] > 0.1  # head up
    assert moved("54E")[NOSE, 1] < -0.1
    assert moved("55E")[FOREHEAD, 0] > 0.1  # tilt left: the top of the head to +x
    assert moved("56E")[FOREHEAD, 0] < -0.1
    assert np.allclose(moved("57E")[:, 2], 0.35) and np.allclose(moved("58E")[:, 2], -0.35)
    turned = deform("51E")
    for a, b in ((33, 263), (1, 152), (61, 291)):  # rigid: distances kept
        assert np.isclose(
            np.linalg.norm(turned[a] - turned[b]), np.linalg.norm(NEUTRAL[a] - NEUTRAL[b])
        )


@pytest.mark.parametrize(
    ("code", "axis", "sign"), [("61E", 0, 1), ("62E", 0, -1), ("63E", 1, 1), ("64E", 1, -1)]
)
def test_gaze_moves_both_irises(code: str, axis: int, sign: int) -> None:
    shift = moved(code)
    for centre in (468, 473):
        assert sign * shift[centre, axis] > 0.03
    assert np.abs(shift[:468]).max() < 0.1  # the face itself barely moves


def test_walleye_and_cross_eye() -> None:
    out, cross = moved("65E"), moved("66E")
    assert out[473, 0] > 0.03 and out[468, 0] < -0.03
    assert cross[473, 0] < -0.03 and cross[468, 0] > 0.03


def _at_e(code: Code) -> Code:
    return Code.from_actions(
        Action(a.number, intensity="E" if a.entry.intensity else None, side=a.side)
        for a in code
        if not a.movement
    )


def _prototype_codes() -> list[Code]:
    codes: dict[str, Code] = {}
    for proto in prototypes():
        base = proto.required
        variants = [base, *(base + Code.parse(o) for o in proto.optional)]
        if proto.optional_all:
            variants += [v + Code.parse("+".join(proto.optional_all)) for v in list(variants)]
        for variant in variants:
            code = _at_e(variant)
            codes[str(code)] = code
    return list(codes.values())


def test_lips_never_cross_for_any_prototype_at_e() -> None:
    codes = _prototype_codes()
    assert len(codes) > 150
    up, low = list(LIP_INNER_UPPER), list(LIP_INNER_LOWER)
    for code in codes:
        assert np.isfinite(deform(code)).all(), code
        # in the face's own frame: a head turn moves lips that meet at different depths
        face = "+".join(str(a) for a in code if not 51 <= a.number <= 58) or "0"
        mesh = deform(face)
        gap = mesh[up, 1] - mesh[low, 1]
        assert (gap >= -1e-12).all(), (str(code), gap.min())


def test_lip_clamp_works_on_a_pressing_combination() -> None:
    mesh = deform("23E+24E+28E+17E")
    assert (mesh[list(LIP_INNER_UPPER), 1] >= mesh[list(LIP_INNER_LOWER), 1] - 1e-12).all()


# --------------------------------------------------------------------------- columns, notes


def test_deform_columns_matches_deform() -> None:
    row = {"frame": 3, "time_s": 0.1, "AU12_L": 3.0, "AU12_R": 3.0, "AU12": 3.0, "AU06": 5.0}
    assert np.allclose(deform_columns(row), deform("6E+12C"))
    assert np.allclose(deform_columns({"AU12_L": 5.0, "AU12_R": 0.0}), deform("L12E"))
    assert np.allclose(deform_columns({"AU12": 5.0}), deform("12E"))  # no side columns
    assert np.allclose(deform_columns({"AU51": 5.0}), deform("51E"))
    assert np.allclose(deform_columns({"AU12": float("nan"), "AU04": 0.0}), NEUTRAL)
    assert np.allclose(deform_columns({"AU17": 9.0}), deform("17E"))  # clipped to 0–5
    assert np.allclose(deform_columns({"code": "12", "AD19": 5.0}), deform("19E"))


def test_missing_shapes_and_shown_codes() -> None:
    assert missing_shapes("1+2") == ()
    notes = missing_shapes("8+21+36+37+70+M59")
    assert len(notes) == 6 and "no shape" in notes[0]
    assert any("M59" in n and "movement" in n for n in notes)
    shown = shown_codes()
    assert {"1", "12", "26", "27", "43", "46", "51", "61", "19"} <= set(shown)
    assert not {"8", "21", "36", "37", "70", "41"} & set(shown)
    for key in shown:  # every shown code moves the face
        code = f"L{key}E" if key == "46" else f"{key}E"
        assert np.abs(moved(code)).max() > 0.01, key


def test_ignored_codes_leave_the_face_alone() -> None:
    assert np.allclose(deform("8+21+36+70"), NEUTRAL)


@pytest.mark.parametrize("bad", ["1+99", "12P", "", "L17"])
def test_bad_code_raises(bad: str) -> None:
    with pytest.raises(CodeError):
        deform(bad)


def test_bad_default_letter() -> None:
    with pytest.raises(CodeError, match="default intensity"):
        deform("12", default_letter="F")


def test_other_faces_have_their_own_neutral_and_the_same_actions() -> None:
    from facs.synth import identities

    names = identities()
    assert names[0] == "mean face" and len(names) >= 9
    assert len(set(names)) == len(names)
    base_smile = deform("6+12C") - NEUTRAL
    for k in range(1, len(names)):
        face = load_face_model(k)
        assert face.name == names[k] and face.fields is load_face_model().fields
        assert np.allclose(deform("0", identity=k), face.neutral)
        assert np.linalg.norm(face.neutral - NEUTRAL, axis=1).mean() > 0.01  # another face
        smile = deform("6+12C", identity=k) - face.neutral
        # the same fields away from the lids (which close on each face's own lids)
        assert np.allclose(smile[[61, 291, 0, 17]], base_smile[[61, 291, 0, 17]], atol=1e-9)
        # every vertex of codes with muscle pulls, one side or both: the same movement
        # (the pulls' left/right partners come from the mean face, not this face's mirror),
        # but for the lids and the inner lips, whose rules (lids close on the face's own
        # lids, the lips never cross) follow each face's own geometry
        own = set(_rig(face).lid_rows.tolist()) | set(LIP_INNER_UPPER) | set(LIP_INNER_LOWER)
        rows = [v for v in range(len(NEUTRAL)) if v not in own]
        for code in ("9C", "L9C", "L10C", "R14D", "4C", "L2C", "6E", "38C", "R12C"):
            moved = (deform(code, identity=k) - face.neutral)[rows]
            assert np.abs(moved - (deform(code) - NEUTRAL)[rows]).max() < 1e-9, (k, code)
        assert np.allclose(deform_columns({"AU12": 3.0}, identity=k), deform("12C", identity=k))
    skins = {load_face_model(k).skin for k in range(len(names))}
    assert len(skins) == len(names)  # every face has its own colours


@pytest.mark.parametrize("bad", [-1, 99, 1.5, True, "2"])
def test_an_unknown_face_is_refused_with_the_list(bad: object) -> None:
    from facs import InputError

    with pytest.raises(InputError, match=r"identity must be a face number from 0 to .*mean face"):
        deform("12", identity=bad)  # type: ignore[arg-type]
