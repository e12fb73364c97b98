"""Shared parsers: clock times and spans."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facs import InputError
from facs._validate import parse_clock, parse_span


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("2", 2.0), ("2.5", 2.5), ("1:00", 60.0), ("1:02.5", 62.5), ("1:00:00", 3600.0)],
)
def test_clock_times(text: str, seconds: float) -> None:
    assert parse_clock(text) == seconds


@pytest.mark.parametrize("text", ["0:60", "1:75", "a", "", "1::2", "1:2:3:4", "-1", "inf"])
def test_bad_clock_times(text: str) -> None:
    with pytest.raises(InputError, match="bad time"):
        parse_clock(text)


@pytest.mark.parametrize("text", ["5-2", "1-1", "0:60-1:30", "1:00", "1-2-3", "ten"])
def test_bad_spans(text: str) -> None:
    with pytest.raises(InputError, match="bad time span"):
        parse_span(text)


@given(st.integers(0, 5), st.integers(0, 59), st.integers(0, 59), st.integers(1, 600))
def test_spans_round_trip_through_clock_text(h: int, m: int, s: int, length: int) -> None:
    start = h * 3600 + m * 60 + s
    end = start + length
    text = f"{h}:{m:02d}:{s:02d}-{end}"
    assert parse_span(text) == (float(start), float(end))


def test_agree_and_code_read_spans_alike() -> None:
    from typer.testing import CliRunner

    from facs.cli import app

    result = CliRunner().invoke(app, ["agree", "x.csv", "y.csv", "--span", "0:60-1:02"])
    assert result.exit_code != 0 and "--span" in result.output and "0-59" in result.output


def test_bad_arguments_are_parameter_errors(shared_data) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    import facs
    from facs import ParameterError
    from facs.convert import events_to_frames
    from facs.face import probe

    assert issubclass(ParameterError, facs.InputError) and issubclass(ParameterError, ValueError)
    with pytest.raises(ParameterError, match="fps must be a positive number"):
        probe(shared_data / "real" / "single_face.mp4", fps=-1)
    with pytest.raises(ParameterError, match="workers must be a whole number of at least 1"):
        facs.code(shared_data / "real" / "single_face.jpg", workers=0)
    ev = pd.DataFrame({"face": [0], "code": ["12"], "side": [None], "onset_s": [0.0],
                       "apex_s": [0.5], "offset_s": [1.0], "peak": [3.0],
                       "letter": ["C"]})  # fmt: skip
    with pytest.raises(ParameterError):
        events_to_frames(ev, fps=0)
    with pytest.raises(ParameterError, match="START must be before END"):
        parse_span("5-2")


def test_library_messages_name_no_command_line_flags() -> None:
    """What the library raises speaks of arguments, not of flags only the CLI has."""
    import ast
    import re
    from pathlib import Path

    import facs

    root = Path(facs.__file__).parent
    flagged = []
    for path in root.rglob("*.py"):
        if "cli" in path.relative_to(root).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Raise) and node.exc is not None:
                for const in ast.walk(node.exc):
                    text = const.value if isinstance(const, ast.Constant) else None
                    if isinstance(text, str) and re.search(r"(?<![\w-])--[a-z]", text):
                        flagged.append(f"{path.relative_to(root)}:{node.lineno}")
    assert not flagged, flagged
