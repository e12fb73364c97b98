"""Tests for facs.series: what a frames table must hold before the timeline reads it."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from facs import InputError
from facs import timeline as T
from facs.series import FRAME_COLUMNS, validate_frames


def _frames(n: int = 30) -> pd.DataFrame:
    f = pd.DataFrame(0.0, index=range(n), columns=FRAME_COLUMNS).assign(
        frame=range(n), time_s=np.arange(n) / 30, face=0, success=1
    )
    f.loc[8:20, ["AU12", "AU12_L", "AU12_R"]] = 3.0
    return f


def test_a_sound_table_gives_its_event() -> None:
    _, events = T.process(_frames())
    assert events[["code", "letter"]].values.tolist() == [["12", "C"]]


def _edit(table: pd.DataFrame, edit: str) -> pd.DataFrame:
    match edit:
        case "time nan":
            table["time_s"] = np.nan
        case "frames reversed":
            table["frame"] = table["frame"][::-1].to_numpy()
        case "face nan":
            table["face"] = np.nan
        case "face 1.7":
            table["face"] = 1.7
        case "face -2":
            table.loc[3, "face"] = -2
        case "success 5":
            table["success"] = 5
        case "frame text":
            table["frame"] = table["frame"].astype(object)
            table.loc[4, "frame"] = "four"
    return table


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        ("time nan", "row 1 (frame 0): time_s empty is not a time (every row needs one)"),
        ("frames reversed", "row 2: frame 28 comes after frame 29 for face 0: rows must be in"),
        ("face nan", "row 1: face empty is not a whole number from -1 (no face)"),
        ("face 1.7", "row 1: face 1.7 is not a whole number from -1"),
        ("face -2", "row 4: face -2 is not a whole number from -1"),
        ("success 5", "row 1: success 5 is not 0 or 1"),
        ("frame text", "row 5: frame 'four' is not a whole number from 0"),
    ],
)
def test_tables_that_lost_every_event_silently_are_refused(edit: str, says: str) -> None:
    """Each of these gave frame codes but no events (or events of another face), exit 0."""
    table = _edit(_frames(), edit)
    with pytest.raises(InputError, match=re.escape(says)):
        validate_frames(table)
    with pytest.raises(InputError, match=re.escape(says)):
        T.process(table)


def test_rows_where_the_face_was_not_found_give_no_events() -> None:
    table = _frames()
    table["success"] = 0
    codes, events = T.process(table)
    assert set(codes["code"]) <= {"", "0"} and events.empty  # events of lost rows, before
    table["success"] = 1
    table.loc[12, "success"] = 0  # one lost frame inside the smile: the event is cut there
    _, events = T.process(table)
    assert len(events) == 2 and set(events["code"]) == {"12"}
