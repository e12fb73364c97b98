"""The perception chunk store: parts perceived to disk, resumed, their split kept."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from facs._chunks import _perceive_part, stored_spans


def test_the_split_is_stored_once(tmp_path: Path) -> None:
    assert stored_spans(tmp_path / "s", [(None, 5.0)]) == [(None, 5.0)]
    assert stored_spans(tmp_path / "s", [(None, 2.0), (2.0, None)]) == [(None, 5.0)]


def test_interrupted_perception_resumes(shared_data: Path, tmp_path: Path) -> None:
    """A store with some chunks and no done marker resumes without duplicates."""
    src = shared_data / "real" / "single_face.mp4"
    store = tmp_path / "store"
    store.mkdir()
    _perceive_part(str(src), str(store), 0, None, 1.0, 1, None)  # a first run that stopped at 1 s
    (store / "part0.done").unlink()
    first = sorted(store.glob("part0_*.npz"))
    _perceive_part(str(src), str(store), 0, None, None, 1, None)
    chunks = sorted(store.glob("part0_*.npz"))
    assert chunks[: len(first)] == first
    frames = np.concatenate([np.load(c)["frames"][:, 0] for c in chunks])
    assert len(frames) == len(set(frames.tolist())) == 72
