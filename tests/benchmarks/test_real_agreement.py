"""The coder against the hand-made reference on real faces (benchmarks/real_agreement.py).

Holds the real-face figures of benchmarks/README.md ("Real faces against the
reference") so they cannot silently regress. Slow: codes every real clip and photo.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def result(shared_data: Path) -> dict[str, Any]:
    import real_agreement

    real_agreement.DATA = shared_data / "real"
    return real_agreement.score()


def _check(result: dict[str, Any], name: str) -> dict[str, str]:
    return next(c for c in result["checks"] if c["name"] == name)


def test_overall_agreement_with_the_reference(result: dict[str, Any]) -> None:
    # measured 0.46 on 2026-12-05 (0.44 before eye position was left unscored under shut
    # lids and FACS's exclusive pairs were enforced; 0.42 before the reference's two missed
    # blinks were added; 0.34 with the estimator before issue 12)
    assert result["overall"]["f1"] >= 0.44, result["overall"]


def test_no_lip_press_on_parted_lips(result: dict[str, Any]) -> None:
    # 24 and 25 are mutually exclusive in FACS; the model read a trace of 24 on the
    # parted lips of four smiling faces in the photos (5 machine 24 events, none in the
    # reference) until the weaker of an exclusive pair was dropped (0)
    assert result["per_code"]["AU24"]["n_machine"] <= 1, result["per_code"]["AU24"]


def test_shut_eyes_do_not_read_as_eyes_down(result: dict[str, Any]) -> None:
    # the crying's shut eyes (0.1-3.8 s of the Pexels clip) read as a long 64B before
    # eye position was left unscored under shut lids: 64 F1 0.44 (7 machine events for
    # the reference's 2) -> 0.57 (5)
    per = result["per_code"]["AU64"]
    assert per["n_machine"] <= 5 and per["f1"] >= 0.5, per


def test_the_codes_read_well_on_real_faces_stay_read(result: dict[str, Any]) -> None:
    per = result["per_code"]
    # measured 2026-12-04 (night): 12 0.96, 25 1.00, 6 0.87, 45 0.80 (6 of 8 blinks)
    assert per["AU12"]["f1"] >= 0.9 and per["AU25"]["f1"] >= 0.9, (per["AU12"], per["AU25"])
    assert per["AU06"]["f1"] >= 0.85, per["AU06"]
    assert per["AU45"]["f1"] >= 0.7, per["AU45"]


def test_letters_of_six_on_real_faces(result: dict[str, Any]) -> None:
    per = result["per_code"]
    # measured with letters stretched (the model's letter gains): within one of the
    # reference in 6 of 10 (4 of 9 before)
    assert per["AU06"]["within_one"] >= 0.5, per["AU06"]


def test_four_in_crying_and_six_in_smiles(result: dict[str, Any]) -> None:
    assert _check(result, "4 present in frowns and crying")["status"] == "PASS"
    six = _check(result, "6 present in smiles that raise the cheeks and in laughs")
    hit, total = map(int, re.match(r"(\d+)/(\d+)", six["detail"]).groups())  # type: ignore[union-attr]
    assert hit == total == 9, six  # every smile, each face of the group photo too
