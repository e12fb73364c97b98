"""Fixtures for the perception tests.

The media live outside the repository, in ``../shared/data`` next to it (or
wherever ``FACS_DATA_DIR`` points); tests that need them are skipped, with the
reason shown, when the folder is absent. Nothing from it is copied into the
repository; fixtures that need broken or unusual files make them in
``tmp_path``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from facs._errors import ModelError

from ._media import grey_frames, write_video

DATA_DIR = Path(
    os.environ.get("FACS_DATA_DIR", Path(__file__).resolve().parents[3] / "shared" / "data")
)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The shared development data, or a skip naming what is missing."""
    if not (DATA_DIR / "real").is_dir():
        pytest.skip(f"development data not found at {DATA_DIR} (set FACS_DATA_DIR)")
    return DATA_DIR


@pytest.fixture(scope="session")
def real_dir(data_dir: Path) -> Path:
    return data_dir / "real"


@pytest.fixture(scope="session")
def rom_dir(data_dir: Path) -> Path:
    path = data_dir / "synthetic-rom"
    if not path.is_dir():
        pytest.skip(f"synthetic ROM clips not found at {path}")
    return path


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The verified landmarker model, or a skip with the ModelError message."""
    from facs.face import locate_model

    try:
        path: Path = locate_model()
    except ModelError as err:
        pytest.skip(f"face landmarker model not available: {err}")
    return path


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240601)


@pytest.fixture
def tiny_videos(tmp_path: Path) -> Iterator[dict[str, Path]]:
    """Five-frame clips in several containers and codecs."""
    frames = grey_frames(5)
    yield {
        "mkv": write_video(tmp_path / "tiny.mkv", frames, codec="mpeg4"),
        "webm": write_video(tmp_path / "tiny.webm", frames, codec="libvpx"),
        "avi": write_video(tmp_path / "tiny.avi", frames, codec="mpeg4"),
        "mov": write_video(tmp_path / "tiny.mov", frames, codec="mpeg4"),
    }
