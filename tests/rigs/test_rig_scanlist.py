"""Scan lists (facs.rigs._scanlist): the CSV must parse with the calibration reader."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from facs import InputError
from facs.au._calibration import read_script
from facs.rigs import load_rig, scanlist, write_scanlist
from facs.series import CODED


def test_scanlist_covers_every_code_and_parses(tmp_path: Path) -> None:
    poses = scanlist()
    path = write_scanlist(poses, tmp_path / "poses.csv")
    rows = read_script(path)
    assert len(rows) == len(poses)
    assert not rows[0].code and poses[0].code == "0" and poses[-1].code == "0"
    covered = {a.number for r in rows for a in r.code}
    assert {c.number for c in CODED if c.number != 45} <= covered
    groups = [p.group for p in poses]
    assert groups.index("upper face") < groups.index("lower face") < groups.index("lids")
    assert groups.index("combination") < groups.index("head") < groups.index("eyes")
    assert any(p.code == "1E+2E+4E" for p in poses) and any(p.code == "6E+12E+25E" for p in poses)
    assert all(b.start >= a.end for a, b in itertools.pairwise(poses))


def test_scanlist_for_a_rig() -> None:
    codes = [p.code for p in scanlist(load_rig("arkit"), intensity=None, emotions=False)]
    assert "L12" in codes and "L1" not in codes  # browInnerUp has no sides
    assert "23" not in codes and "51" not in codes
    mh = [p.code for p in scanlist(load_rig("metahuman"), emotions=False)]
    assert "13E" in mh and "11E" in mh  # shapes the coder does not score


def test_scanlist_options() -> None:
    poses = scanlist(hold=2, gap=0.5, emotions=False)
    assert (poses[1].start, poses[1].end) == (2.5, 4.5)
    with pytest.raises(InputError, match="A–E"):
        scanlist(intensity="F")
    with pytest.raises(InputError, match="hold"):
        scanlist(hold=0)
