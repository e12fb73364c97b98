"""Helpers that make small test media with PyAV (no data files needed)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np


def write_video(
    path: Path,
    images: Sequence[np.ndarray],
    *,
    codec: str = "mpeg4",
    pts: Sequence[int] | None = None,
    time_base: Fraction = Fraction(1, 1000),
    rate: int = 25,
    rotation: int | None = None,
) -> Path:
    """Encode RGB uint8 images into a small video with PyAV (test helper)."""
    import av

    height, width = images[0].shape[:2]
    stamps = list(pts) if pts is not None else [round(i * 1000 / rate) for i in range(len(images))]
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream(codec, rate=rate)
        assert isinstance(stream, av.video.stream.VideoStream)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = time_base
        if rotation is not None:
            stream.set_display_rotation(rotation)
        for image, stamp in zip(images, stamps, strict=True):
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")
            frame.pts = stamp
            frame.time_base = time_base
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def grey_frames(count: int, *, width: int = 64, height: int = 48) -> list[np.ndarray]:
    """``count`` flat grey images, frame i at grey level 20 + 20 i (mod 240)."""
    return [np.full((height, width, 3), 20 + (20 * i) % 220, dtype=np.uint8) for i in range(count)]
