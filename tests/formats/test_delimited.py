"""True line numbers in every delimited-text reader (blank lines, quoted line breaks)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facs import InputError
from facs.formats._delimited import data_row_line, records


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 99)), min_size=1, max_size=20))
def test_records_start_on_the_lines_a_text_editor_shows(rows: list[tuple[int, int]]) -> None:
    lines = ["a,b"]
    expected = [1]
    for blanks, value in rows:
        lines += [""] * blanks
        lines.append(f"{value},x")
        expected.append(len(lines))
    assert [line for line, _ in records("\n".join(lines) + "\n")] == expected


def test_a_quoted_line_break_counts() -> None:
    text = 'a,b\n1,"two\nlines"\n3,4\n'
    assert data_row_line(text, 1) == 4


def test_live_link_names_the_true_line(tmp_path: Path) -> None:
    import pandas as pd

    from facs.rigs import read_livelink, write_livelink
    from facs.rigs._livelink import _TIMECODE  # noqa: F401  (the format is Live Link's own)

    good = tmp_path / "good.csv"
    weights = pd.DataFrame({"JawOpen": [0.1, 0.2, 0.3]})
    write_livelink(weights, good, fps=60)
    lines = good.read_text().splitlines()
    lines.insert(2, "")  # a blank line after the first data row
    lines[3] = re.sub(r",0\.2[0-9]*", ",abc", lines[3], count=1)  # the second row, now line 4
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"line 4, column .*not a number: 'abc'"):
        read_livelink(bad)


def test_rom_script_and_frames_tables_name_the_true_line(tmp_path: Path) -> None:
    import pandas as pd

    from facs.au import read_script
    from facs.formats import read_frames, write_frames
    from facs.series import FRAME_COLUMNS

    script = tmp_path / "rom.csv"
    script.write_text("start,end,code\n0,2,0\n\n\n2,4,1+Q\n")
    with pytest.raises(InputError, match="line 5"):
        read_script(script)
    frames = pd.DataFrame(0.0, index=range(3), columns=FRAME_COLUMNS).assign(
        frame=range(3), face=0, success=1
    )
    path = write_frames(frames, tmp_path / "frames.csv")
    lines = path.read_text().splitlines()
    lines.insert(2, "")
    lines[3] = lines[3].replace(lines[3].split(",")[1], "soon", 1)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"row 2 \(line 4\)"):
        read_frames(path)
