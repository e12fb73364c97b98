"""Shared fixtures: the development data beside the repository, and coded clips.

The media live in ``../shared/data`` (or wherever ``FACS_DATA_DIR`` points);
tests that need them skip, naming what is missing, when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(
    os.environ.get("FACS_DATA_DIR", Path(__file__).resolve().parents[2] / "shared" / "data")
)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared development data, or a skip naming what is missing."""
    if not (SHARED_DATA / "real").is_dir():
        pytest.skip(f"development data not found at {SHARED_DATA} (set FACS_DATA_DIR)")
    return SHARED_DATA
