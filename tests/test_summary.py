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
