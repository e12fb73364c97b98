"""How much of each shape a letter draws (strength.json, fitted by the round trip)."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from facs import ModelError
from facs.synth._model import (
    STRENGTH_MAX,
    _is_rule,
    _parse_strength,
    _strength_curves,
    _uncalibrated,
    deform,
    drawn_amount,
)
from facs.synth._roundtrip import STEP, calibration_codes, fit_strength


def test_shipped_curves_rise_and_stay_under_their_cap() -> None:
    curves = _strength_curves()
    assert len(curves) >= 25  # every code the coder reads at B or more
    for number, curve in curves.items():
        cap = STRENGTH_MAX["rule" if _is_rule(number) else "field"]
        assert curve[0] == 0 and (np.diff(curve) > 0).all() and curve[-1] <= cap, number
    assert {int(n) for n, _ in calibration_codes()} >= set(curves)


def test_a_letter_draws_the_shape_at_its_calibrated_amount() -> None:
    amount = float(drawn_amount(12, 0.6))  # 12C
    assert not np.isclose(amount, 0.6)  # calibrated, not the linear 3/5
    assert np.allclose(deform("12C"), _uncalibrated(12, amount))
    # a code without a curve is drawn as asked
    uncalibrated = next(n for n in (27, 23, 24) if n not in _strength_curves())
    assert float(drawn_amount(uncalibrated, 0.6)) == pytest.approx(0.6)


def test_strong_letters_are_visibly_stronger_than_before() -> None:
    """12E draws more than the uncalibrated 12E (issue 17: "a mild closed-mouth smile")."""
    lift = deform("12E")[291, 1] - deform("0")[291, 1]
    before = _uncalibrated(12, 1.0)[291, 1] - deform("0")[291, 1]
    assert lift > 1.1 * before > 0


@pytest.mark.parametrize(
    "text",
    [
        "{",
        "{}",
        json.dumps({"drawn": {"12": [0.2, 0.4, 0.3, 0.8, 1.0]}}),  # not increasing
        json.dumps({"drawn": {"12": [0.2, 0.4, 0.6]}}),  # three letters
        json.dumps({"drawn": {"43": [0.2, 0.4, 0.6, 0.8, 1.5]}}),  # a rule past 1
        json.dumps({"drawn": {"x": [0.2, 0.4, 0.6, 0.8, 1.0]}}),
    ],
)
def test_damaged_strength_file_is_a_model_error(text: str) -> None:
    with pytest.raises(ModelError, match=r"strength\.json"):
        _parse_strength(text)


@given(
    st.lists(st.floats(0.0, 6.0, allow_nan=False), min_size=2, max_size=12),
    st.sampled_from([1.0, 2.0]),
    st.integers(0, 3),
)
def test_fit_strength_always_gives_five_rising_amounts(
    coded: list[float], cap: float, blanks: int
) -> None:
    amounts = list(np.linspace(0.1, cap, len(coded)))
    values = [float("nan") if i < blanks else c for i, c in enumerate(coded)]
    curve = fit_strength(amounts, values, cap)
    assert len(curve) == 5
    assert all(b - a >= STEP - 1e-3 for a, b in itertools.pairwise(curve))
    assert curve[0] > 0


def test_fit_strength_hits_each_letter_on_a_linear_read() -> None:
    # the coder reads 2.5 per unit drawn: A at 0.4 … E at 2.0
    assert fit_strength([0.5, 1.0, 1.5, 2.0], [1.25, 2.5, 3.75, 5.0], 2.0) == pytest.approx(
        [0.4, 0.8, 1.2, 1.6, 2.0]
    )
