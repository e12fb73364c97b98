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
