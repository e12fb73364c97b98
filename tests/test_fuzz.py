"""Fuzz: damaged files through every importer give a facs error or a table, never a crash.

Bounded (hypothesis, a deadline per case); the long run is benchmarks/fuzz.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facs import Code, FACSError

sys.path.insert(0, str(Path(__file__).resolve().parent))
import contextlib

from _fuzz import PARSER_ALPHABET, malformed


def read_everything(path: Path) -> None:
    """Every reader that could be handed ``path``; only facs errors may come out."""
    from facs.convert import read_any
    from facs.formats import read_eaf, read_events, read_frames
    from facs.rigs import read_livelink

    readers = [read_any, read_frames, read_events, read_livelink]
    if path.suffix == ".eaf":
        readers.append(read_eaf)
    for reader in readers:
        with contextlib.suppress(FACSError):
            reader(path)


@settings(
    max_examples=150, deadline=5000, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(0, 2**32 - 1))
def test_damaged_files_never_crash_an_importer(tmp_path: Path, seed: int) -> None:
    suffix, content = malformed(seed)
    path = tmp_path / f"input{suffix}"
    path.write_bytes(content)
    read_everything(path)


@settings(max_examples=500, deadline=1000)
@given(st.text(alphabet=PARSER_ALPHABET, max_size=60))
def test_hostile_codes_parse_or_fail_cleanly(text: str) -> None:
    try:
        code = Code.parse(text)
    except FACSError:
        return
    assert str(Code.parse(str(code))) == str(code)


@pytest.mark.parametrize("seed", [*range(40), 1541, 2007, 2708])  # the last crashed before
def test_fixed_damaged_files(tmp_path: Path, seed: int) -> None:
    """The same damage every run (hypothesis explores; these never move)."""
    suffix, content = malformed(seed)
    path = tmp_path / f"input{suffix}"
    path.write_bytes(content)
    read_everything(path)
