"""FaceBatch: parallel arrays indexed as one."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from facs.face._batch import FaceBatch


def _chunk(n_frames: int = 4) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    frames = np.array([(i, i / 10, 640, 360) for i in range(n_frames)], dtype=np.float64)
    face_frame = np.array([0, 1, 1, 3], dtype=np.int64)  # frame 2 has no face; 1 has two
    n = len(face_frame)
    return {
        "frames": frames, "face_frame": face_frame, "face_id": np.array([0, 0, 1, 0]),
        "landmarks": rng.random((n, 478, 3)).astype(np.float32),
        "blendshapes": rng.random((n, 52)).astype(np.float32),
        "pose": rng.random((n, 3)).astype(np.float32), "confidence": np.ones(n, np.float32),
        "appearance": rng.integers(0, 255, (n, 92, 3)).astype(np.uint8),
        "hand": np.full((n, 5), np.nan, np.float32),
    }  # fmt: skip


def test_a_chunk_becomes_one_batch_with_global_ids_and_times() -> None:
    b = FaceBatch.from_chunk(_chunk(), {0: 7, 1: 3})
    assert len(b) == 4 and b.faces() == [3, 7]
    assert b.face.tolist() == [7, 7, 3, 7] and b.time_s.tolist() == [0.0, 0.1, 0.1, 0.3]
    assert (b.width, b.height) == (640, 360) and b.pose.dtype == np.float64


def test_indexing_picks_every_field_alike() -> None:
    b = FaceBatch.from_chunk(_chunk())
    one = b[b.face == 0]
    assert len(one) == 3 and one.frame.tolist() == [0, 1, 3]
    assert one.landmarks.shape == (3, 478, 3) and one.appearance.shape == (3, 92, 3)
    assert np.array_equal(one.blendshapes, b.blendshapes[[0, 1, 3]])
    both = FaceBatch.concat([one, b[b.face == 1]])
    assert len(both) == 4 and both.face.tolist() == [0, 0, 0, 1]
    with pytest.raises(ValueError, match="no batches"):
        FaceBatch.concat([])


def test_pixels_and_boxes() -> None:
    b = FaceBatch.from_chunk(_chunk())
    px = b.landmarks_px()
    assert np.allclose(px[..., 0], b.landmarks[..., 0] * 640)
    assert np.allclose(px[..., 2], b.landmarks[..., 2] * 640)
    box = b.boxes()
    assert box.shape == (4, 4) and np.allclose(box[:, 0], px[..., 0].min(axis=1))
    assert np.allclose(box[:, 3], px[..., 1].max(axis=1) - px[..., 1].min(axis=1))
    corners = b.corners()
    assert np.allclose(corners[:, :2], box[:, :2]) and np.allclose(
        corners[:, 2:], box[:, :2] + box[:, 2:]
    )


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float32, (3, 478, 3), elements=st.floats(-2, 2, width=32) | st.just(np.nan)),
    st.integers(1, 4000),
    st.integers(1, 4000),
)
def test_boxes_equal_the_plain_reduction_to_the_bit(
    landmarks: np.ndarray, width: int, height: int
) -> None:
    b = FaceBatch.from_chunk({**_chunk(3), "landmarks": landmarks, "face_frame": np.arange(3),
                              "face_id": np.zeros(3, np.int64)})  # fmt: skip
    b = FaceBatch(**{**b.__dict__, "width": width, "height": height})
    xy = landmarks[:, :, :2] * np.array([width, height], np.float32)
    low, high = xy.min(axis=1), xy.max(axis=1)
    np.testing.assert_array_equal(b.corners(), np.concatenate([low, high], 1).astype(np.float64))
    np.testing.assert_array_equal(b.boxes()[:, 2:], (high - low).astype(np.float64))


def test_chunks_join_and_raw_table() -> None:
    b = FaceBatch.from_chunks([_chunk(), _chunk()], {0: 2, 1: 5})
    assert len(b) == 8 and b.faces() == [2, 5]
    raw = b.raw_table()
    assert raw.shape == (8, 2 + 52 + 478 * 3)
    assert raw["face"].tolist() == b.face.tolist() and raw.columns[2] == "_neutral"
    assert np.allclose(raw["lm001_y"], b.landmarks[:, 1, 1])
    assert len(FaceBatch.from_chunks([])) == 0
