"""summary.json's schema: the dataclass, its JSON round trip and its documentation."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from facs import InputError
from facs._summary import CalibrationInfo, CodeTotals, FaceSummary, ModelInfo, Summary

DOC = Path(__file__).parents[1] / "docs" / "summary.md"


def test_round_trip_through_json(tmp_path: Path) -> None:
    s = Summary.example()
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(s.to_dict()))
    assert Summary.read(path) == s
    assert list(s.to_dict())[:3] == ["input", "kind", "width"]


def test_unknown_keys_are_ignored_missing_ones_refused(tmp_path: Path) -> None:
    data = Summary.example().to_dict()
    data["added_later"] = 1
    data["per_face"]["0"]["codes"]["AU12"]["extra"] = 2
    assert Summary.from_dict(data) == Summary.example()
    del data["calibration"]
    with pytest.raises(InputError, match="not a facs summary"):
        Summary.from_dict(data)


@pytest.mark.parametrize(
    ("text", "message"),
    [("{", "not JSON"), ("[1]", "JSON object"), ('{"input": 1}', "not a facs summary")],
)
def test_read_bad_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "summary.json"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        Summary.read(path)
    with pytest.raises(InputError, match="cannot read"):
        Summary.read(tmp_path / "missing.json")


def test_every_key_is_documented() -> None:
    documented = set(re.findall(r"`(\w+)`", DOC.read_text(encoding="utf-8")))
    for cls in (Summary, CalibrationInfo, FaceSummary, CodeTotals, ModelInfo):
        missing = {f.name for f in dataclasses.fields(cls)} - documented
        assert not missing, f"docs/summary.md lacks {cls.__name__} keys {sorted(missing)}"


def test_a_take_with_no_calm_moment_is_said_in_the_note() -> None:
    """Baseline kinds ``span`` and ``partial`` each say why in summary.json."""
    from types import SimpleNamespace

    import numpy as np
    import pandas as pd

    from facs._summary import summarise
    from facs.au._estimator import Baseline
    from facs.series import CODE_COLUMNS

    frames = pd.DataFrame({"frame": range(4), "time_s": np.arange(4) / 30, "face": 0,
                           "success": 1, **{c: 0.0 for c in CODE_COLUMNS}})  # fmt: skip
    events = pd.DataFrame(columns=["face", "code", "onset_s", "offset_s"])
    info = SimpleNamespace(kind="video", width=64, height=64, fps=30.0, duration_s=0.13)
    shape = dict(shape=np.zeros((478, 3), np.float32), blendshapes=np.zeros(52, np.float32),
                 pose=np.zeros(3), size=1.0)  # fmt: skip
    span = Baseline(**shape, kind="span", n_frames=9, span=(2.0, 2.3), span_why="no one state")
    partial = Baseline(**shape, kind="partial", n_frames=40, population_regions=("lower",),
                       why=(("lower", "the take's calmest frames are no one state"),))  # fmt: skip
    for base, words in ((span, "short rest"), (partial, "lower face")):
        s = summarise(Path("take.mp4"), info, frames, events, {0: base}, start=None, end=None,
                      elapsed=1.0, workers=1)  # fmt: skip
        assert "no calm moment" in s.calibration.note and words in s.calibration.note
        assert s.calibration.neutral == base.kind
    assert s.per_face["0"].baseline["why_population"] == {"lower": partial.why[0][1]}
    spanned = summarise(Path("take.mp4"), info, frames, events, {0: span}, start=None,
                        end=None, elapsed=1.0, workers=1).per_face["0"].baseline  # fmt: skip
    assert spanned["span_s"] == [2.0, 2.3] and spanned["why_span"] == "no one state"


def test_unscorable_frames_are_counted_beside_the_covered_ones() -> None:
    from types import SimpleNamespace

    import numpy as np
    import pandas as pd

    from facs._summary import summarise
    from facs.au import load_estimator
    from facs.series import CODE_COLUMNS

    frames = pd.DataFrame({"frame": range(6), "time_s": np.arange(6) / 30, "face": 0,
                           "success": 1, **{c: 0.0 for c in CODE_COLUMNS},
                           "covered_brows": 0.0, "covered_eyes": 0.0,
                           "covered_lower": [1.0, 1.0, 0.0, 0.0, 0.0, 0.0],
                           "unscorable": [0.0, 0.0, 0.0, 1.0, 1.0, 1.0]})  # fmt: skip
    events = pd.DataFrame(columns=["face", "code", "onset_s", "offset_s"])
    info = SimpleNamespace(kind="video", width=64, height=64, fps=30.0, duration_s=0.2)
    s = summarise(Path("take.mp4"), info, frames, events, {0: load_estimator().population},
                  start=None, end=None, elapsed=1.0, workers=1)  # fmt: skip
    assert s.per_face["0"].covered == {"lower": 2, "unscorable": 3}
