"""Round trip: render each code the coder scores, code the renders, find the code again.

Slow (renders 42 faces and runs the MediaPipe landmarker on ~300 frames): it
fails when either the synthesiser or the coder regresses.
"""

from __future__ import annotations

import pandas as pd
import pytest

from facs import ModelError
from facs.synth._roundtrip import confusion, rendered_codes

pytestmark = pytest.mark.slow

#: Codes whose render the coder reads back as its strongest code at E (November 2026).
#: The synthesiser's shapes come from the FACSHuman rig; since the estimator is fitted on
#: three rigs and reads each code from its own face region (issue 12), 24, AD19 and AD29
#: no longer come back from those renders: they are the codes no rig left out reads
#: either (left-out-rig r 0.13, 0.40, 0.18; benchmarks/README.md).
ROUND_TRIP = {
    "AU01", "AU02", "AU04", "AU05", "AU07", "AU12", "AU14", "AU15", "AU17", "AU18", "AU20",
    "AU23", "AU25", "AU26", "AU28", "AU43", "AU45", "AU46", "AU51", "AU52",
    "AU53", "AU55", "AU56", "AU57", "AU58", "AU61", "AU62", "AD34",
}  # fmt: skip
# Left out since 2026-12-04: 22E codes third (16 1.7, 10 1.1, 22 1.1) with the estimator
# fitted on unsmoothed landmarks, whose choice for 22 takes half its reading from the raw
# mapping (mouthFunnel); measured in benchmarks/README.md, "One perception".


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    from facs.face import locate_model

    try:
        locate_model()
    except ModelError as err:
        pytest.skip(str(err))
    result = confusion()
    print("\n" + result.to_string(index=False))  # the confusion table, with pytest -s
    return result


def test_every_coded_code_with_a_shape_is_rendered(table: pd.DataFrame) -> None:
    assert len(table) == len(rendered_codes()) >= 40
    assert set(table["column"]) >= ROUND_TRIP


def test_rendered_codes_are_found_again(table: pd.DataFrame) -> None:
    kept = table[table["column"].isin(ROUND_TRIP)]
    lost = kept[kept["rank"] > 2]  # one neighbour may overtake after a change, not more
    assert lost.empty, lost.to_string(index=False)
    # 27 of 41 with the four-rig estimator (32 before); 26 since its per-code choice keeps
    # every code above the raw mapping on the left-out rigs (14 now second, after 12); 27
    # with letters stretched (6 and 14 now first, tied at E with 12; 10 second, after 9)
    assert (table["rank"] == 1).sum() >= 26


def test_blink_and_wink_are_told_from_closure_by_duration(table: pd.DataFrame) -> None:
    rows = table.set_index("column")
    assert rows.loc["AU45", "rank"] == 1 and rows.loc["AU46", "rank"] == 1
    assert rows.loc["AU43", "rank"] == 1


def test_surprise_codes_back_with_lips_part_and_exports_open_lips(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """FACS's surprise 1+2+5B+26: the lips part, so 25 is coded and Live Link keeps them open."""
    from PIL import Image

    from facs.coding import code
    from facs.face import locate_model
    from facs.rigs import load_rig
    from facs.rigs._convert import frames_to_weights
    from facs.synth._render import render_image

    try:
        locate_model()
    except ModelError as err:
        pytest.skip(str(err))
    neutral = Image.fromarray(render_image("0", size=(480, 560), label=False))
    surprise = Image.fromarray(render_image("1+2+5B+26", size=(480, 560), label=False))
    for i in range(24):
        (surprise if 12 <= i < 20 else neutral).save(tmp_path / f"f{i:03d}.png")
    frames = code(tmp_path, fps=10, neutral=(0.0, 1.1), max_faces=1).frames
    hold = frames[(frames["frame"] >= 14) & (frames["frame"] < 19)]
    assert float(hold["AU25"].mean()) >= 1.5  # lips apart: at least B
    assert float(frames[frames["frame"] < 10]["AU25"].max()) < 0.5  # closed at rest
    weights, _ = frames_to_weights(hold, load_rig("livelink"))
    assert float(weights["jawOpen"].mean()) > 0.3
    assert float(weights["mouthClose"].mean()) < 0.1 * float(weights["jawOpen"].mean())


#: Codes whose every letter must come back within one (drawn as strength.json says).
#: Gaze and lid codes are left out: on a clip made of held stills, the coder may take
#: an eye region that changed for 0.6 s as covered and leave it blank.
LETTER_CODES = [(1, "AU01"), (4, "AU04"), (12, "AU12"), (15, "AU15"), (20, "AU20"), (26, "AU26")]


def test_each_letter_codes_back_within_one_letter() -> None:
    """Issue 17: a render at A … E reads as that letter to the coder."""
    from facs.face import locate_model
    from facs.synth._roundtrip import letters

    try:
        locate_model()
    except ModelError as err:
        pytest.skip(str(err))
    table = letters(LETTER_CODES)
    print("\n" + table.to_string(index=False))
    assert len(table) == 5 * len(LETTER_CODES)
    off = table[(table["coded"] - table["asked"]).abs() > 1]
    assert off.empty, off.to_string(index=False)
    assert (table["coded"] == table["asked"]).mean() >= 0.8
