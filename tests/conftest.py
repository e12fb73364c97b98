"""Shared fixtures: the development data beside the repository, and coded clips.

The media live in ``../shared/data`` (or wherever ``FACS_DATA_DIR`` points);
tests that need them skip, naming what is missing, when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from facs.formats import write_events, write_frames
from facs.series import FRAME_COLUMNS
from facs.timeline import process

SHARED_DATA = Path(
    os.environ.get("FACS_DATA_DIR", Path(__file__).resolve().parents[2] / "shared" / "data")
)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared development data, or a skip naming what is missing."""
    if not (SHARED_DATA / "real").is_dir():
        pytest.skip(f"development data not found at {SHARED_DATA} (set FACS_DATA_DIR)")
    return SHARED_DATA


def smile_frames(
    n: int = 90, fps: float = 30.0, *, smile: tuple[float, float] = (4.0, 3.0), brow: float = 3.0
) -> pd.DataFrame:
    """A raw frames table peaking at frame 45: a smile (``smile`` = left, right peaks; left
    stronger by default), a brow raise of ``brow`` (0: none) and a jaw drop."""
    table = pd.DataFrame(0.0, index=range(n), columns=list(FRAME_COLUMNS))
    table["frame"] = np.arange(n)
    table["time_s"] = np.arange(n) / fps
    table["face"] = 0
    table["success"] = 1
    table["confidence"] = 1.0
    bump = np.clip(1 - np.abs(np.arange(n) - 45) / 25, 0, 1)
    table["AU12_L"], table["AU12_R"] = smile[0] * bump, smile[1] * bump
    table["AU12"] = table[["AU12_L", "AU12_R"]].max(axis=1)
    for side in ("L", "R"):
        table[f"AU01_{side}"] = brow * bump
    table["AU01"] = brow * bump
    table["AU26"] = 2.5 * bump
    for column in ("frame", "face", "success"):
        table[column] = table[column].astype(np.int64)
    return table


@pytest.fixture
def coded(tmp_path: Path) -> Path:
    """A ``facs code``-like output folder."""
    frames, events = process(smile_frames())
    folder = tmp_path / "coded"
    folder.mkdir()
    write_frames(frames, folder / "frames.csv")
    write_events(events, folder / "events.csv")
    return folder
