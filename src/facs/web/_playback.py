"""A browser-playable copy of a workspace video.

Browsers play H.264, VP8, VP9 and AV1 in MP4 or WebM, in 4:2:0 colour. Many
capture and editing formats are none of these (ProRes or DNxHD ``.mov``,
MPEG-4 part 2 or MJPEG ``.avi``, HEVC on most Linux browsers, 10-bit or 4:2:2
H.264), so the page's player would show nothing. For those, the coding job
writes ``playback.mp4`` (H.264, yuv420p, frames at the source's times, at most
1280 pixels wide) beside the coding, and the page plays that instead.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

__all__ = ["PLAYBACK_NAME", "browser_playable", "make_playback"]

#: File name of the playable copy inside a video's coding folder.
PLAYBACK_NAME = "playback.mp4"
_CODECS = {"h264", "vp8", "vp9", "av1"}
_CONTAINERS = {".mp4", ".m4v", ".webm", ".mov"}
_PIXELS = {"yuv420p", "yuvj420p"}
_MAX_WIDTH = 1280


def browser_playable(path: Path) -> bool:
    """Whether a browser's ``<video>`` can play ``path`` as it is.

    >>> browser_playable(Path("missing.mp4"))
    False
    """
    import av

    if path.suffix.lower() not in _CONTAINERS:
        return False
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                return False
            ctx = container.streams.video[0].codec_context
            return ctx.name in _CODECS and (ctx.pix_fmt or "") in _PIXELS
    except (av.FFmpegError, OSError):
        return False


def make_playback(video: Path, outdir: Path) -> Path | None:
    """Write ``outdir/playback.mp4`` if the browser cannot play ``video``; return it or ``None``.

    The copy is written to a temporary name and renamed, so a killed job never
    leaves half a file under the final name.
    """
    import av
    import numpy as np

    from facs.face import decode_frames, probe
    from facs.formats._atomic import atomic_path

    target = outdir / PLAYBACK_NAME
    if browser_playable(video):
        target.unlink(missing_ok=True)
        return None
    info = probe(video)
    scale = min(1.0, _MAX_WIDTH / max(1, info.width))
    width = int(info.width * scale) // 2 * 2
    height = int(info.height * scale) // 2 * 2
    rate = Fraction(info.fps or 25.0).limit_denominator(1001)
    codec = "libx264" if "libx264" in av.codecs_available else "mpeg4"
    with atomic_path(target) as tmp, av.open(str(tmp), mode="w", format="mp4") as out:
        stream = out.add_stream(codec, rate=rate)
        assert isinstance(stream, av.VideoStream)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = Fraction(1, 1000)
        if codec == "libx264":
            stream.options = {"crf": "23", "preset": "veryfast"}
        last = -1
        for frame in decode_frames(video, info=info):
            image = frame.image
            if scale < 1.0 or image.shape[:2] != (height, width):
                from PIL import Image

                image = np.asarray(Image.fromarray(image).resize((width, height)))
            picture = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")
            pts = max(last + 1, round(frame.time_s * 1000))  # the source's times, in ms
            picture.pts, picture.time_base, last = pts, Fraction(1, 1000), pts
            for packet in stream.encode(picture):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return target
