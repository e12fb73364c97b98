"""Decode video files, single images and folders of images into RGB frames.

Everything here streams: :func:`decode_frames` holds one decoded frame at a time,
so memory does not grow with the length of the video.

Time and frame-number conventions
---------------------------------
``Frame.time_s``
    Video: the frame's presentation timestamp, ``(pts - stream start) *
    time_base``, in seconds, so variable-frame-rate files get their true
    times. Image folder: ``frame / fps`` when ``fps`` is given, otherwise
    ``frame`` (0, 1, 2 … "seconds", i.e. one unit per image). Single image: 0.
``Frame.frame``
    0-based position of the frame among all frames the file decodes to,
    counted from the start of the file, also when ``start`` skips ahead.
"""

from __future__ import annotations

import math
import os
import re
import warnings
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from facs._errors import InputError, ParameterError
from facs._validate import MAX_FPS, MAX_TAKE_S, check_positive

if TYPE_CHECKING:
    from av.container import InputContainer
    from av.video.frame import VideoFrame
    from av.video.stream import VideoStream

__all__ = ["IMAGE_SUFFIXES", "Frame", "VideoInfo", "decode_frames", "probe"]

#: File name endings read as still images (case-insensitive), with Pillow.
IMAGE_SUFFIXES = frozenset({".bmp", ".jpeg", ".jpg", ".png", ".tif", ".tiff", ".webp"})

#: Decoding fewer than this share of the frames a container announces means
#: the file is truncated (unless the decoded frames still span the duration).
_TRUNCATED_SHARE = 0.9

#: Tolerance, in seconds, when comparing a frame time with ``start``/``end``.
_TIME_EPS = 1e-6


@dataclass(frozen=True)
class VideoInfo:
    """What :func:`probe` learns about a video, an image or a folder of images.

    Attributes
    ----------
    path : Path
        The file or folder.
    kind : {"video", "image", "images"}
        A video file, one still image, or a folder of still images.
    n_frames : int or None
        Frame count as the container reports it (``None`` when it does not,
        e.g. Matroska/WebM); 1 for an image; the image count for a folder.
    fps : float or None
        Average frame rate of a video; the ``fps`` given for a folder; ``None``
        for a single image or a folder without ``fps``.
    duration_s : float or None
        Duration in seconds, when known.
    width, height : int
        Frame size in pixels after applying the file's rotation (display
        matrix for video, EXIF orientation for images); for a folder, the
        size of its first image.
    codec : str
        Decoder name (``"h264"``, ``"hevc"``, ``"vp8"`` …) or, for images, the
        image format (``"jpeg"``, ``"png"`` …).
    """

    path: Path
    kind: Literal["video", "image", "images"]
    n_frames: int | None
    fps: float | None
    duration_s: float | None
    width: int
    height: int
    codec: str


@dataclass(frozen=True, eq=False)
class Frame:
    """One decoded frame.

    Attributes
    ----------
    frame : int
        0-based number of the frame in the whole file (see the module notes);
        the ``frame`` column of frames tables. (``index`` is its old name,
        kept as a deprecated alias.)
    time_s : float
        Presentation time in seconds from the start of the stream.
    image : numpy.ndarray, shape (H, W, 3), dtype uint8
        The picture, RGB.

    Examples
    --------
    >>> import numpy as np
    >>> Frame(frame=0, time_s=0.0, image=np.zeros((2, 3, 3), np.uint8)).image.shape
    (2, 3, 3)
    """

    frame: int
    time_s: float
    image: np.ndarray

    @property
    def index(self) -> int:
        """Deprecated: the frame number is :attr:`frame`, as in every frames table."""
        import warnings

        warnings.warn(
            "Frame.index is now Frame.frame (one word for a frame number)",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.frame

    def __post_init__(self) -> None:
        image = self.image
        if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3:
            shape = getattr(image, "shape", None)
            raise ValueError(f"`image` must have shape (H, W, 3), got {shape}")
        if image.dtype != np.uint8:
            raise ValueError(f"`image` must be uint8, got {image.dtype}")


# --------------------------------------------------------------------------- helpers


def _natural_key(name: str) -> list[tuple[int, int | str]]:
    """Sort key that orders ``img2`` before ``img10``."""
    return [
        (0, int(part)) if part.isdigit() else (1, part.lower())
        for part in re.split(r"(\d+)", name)
        if part
    ]


def _folder_images(folder: Path) -> list[Path]:
    """Image files of ``folder`` (not recursive, no hidden files), naturally sorted."""
    files = [
        entry
        for entry in folder.iterdir()
        if entry.suffix.lower() in IMAGE_SUFFIXES
        and not entry.name.startswith(".")
        and entry.is_file()
    ]
    return sorted(files, key=lambda p: _natural_key(p.name))


def missing_message(path: Path) -> str:
    """Why ``path`` (which does not exist) cannot be read: a dangling or looping link, or none."""
    if path.is_symlink():
        return f"{path}: a symbolic link to nothing (its target is missing, or the links loop)"
    return f"{path}: no such file or folder"


def _check_exists(path: Path) -> None:
    if not path.exists():
        raise InputError(missing_message(path))
    if path.is_file() and path.stat().st_size == 0:
        raise InputError(f"{path}: file is empty (0 bytes)")


#: Largest still accepted (pixels): 50 megapixels (an 8K frame is 33; a
#: 12000×12000 PNG of 165 KB would decode to 432 MB of RGB).
MAX_IMAGE_PIXELS = 50_000_000


def _rgb8(image: Any) -> np.ndarray:
    """A PIL image as RGB uint8. Grey images of more than 8 bits (16-bit PNG and TIFF
    open as ``I;16`` or ``I``, float TIFF as ``F``) are scaled to 0-255: Pillow's own
    ``convert("RGB")`` clips them, so a 16-bit portrait came out white."""
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):
        grey = np.asarray(image, dtype=np.float64)
        if image.mode.startswith("I;16"):
            top = 65535.0
        elif image.mode == "F" and np.nanmax(grey, initial=0.0) <= 1.0:
            top = 1.0  # float images in 0-1
        else:
            top = 255.0 if np.nanmax(grey, initial=0.0) <= 255 else 65535.0
        grey = np.clip(np.nan_to_num(grey) * (255.0 / top), 0, 255).round().astype(np.uint8)
        return np.repeat(grey[:, :, None], 3, axis=2)
    return np.asarray(image.convert("RGB"), dtype=np.uint8)


def _load_image(path: Path) -> tuple[np.ndarray, str]:
    """Read one still image as RGB uint8, honouring its EXIF orientation."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(path)
        with opened:
            width, height = opened.size
            if width * height > MAX_IMAGE_PIXELS:
                raise InputError(
                    f"{path}: image too large to code ({width}×{height} = "
                    f"{width * height / 1e6:.0f} megapixels, at most "
                    f"{MAX_IMAGE_PIXELS / 1e6:.0f}); scale it down first"
                )
            fmt = (opened.format or path.suffix.lstrip(".")).lower()
            upright = ImageOps.exif_transpose(opened)
            array = _rgb8(upright)
    except InputError:
        raise
    except UnidentifiedImageError:
        raise InputError(f"{path}: not a readable image") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise InputError(f"{path}: image too large to code ({err})") from None
    except (OSError, SyntaxError, ValueError) as err:
        raise InputError(f"{path}: corrupt or truncated image ({err})") from None
    return np.ascontiguousarray(array), fmt


def _ffmpeg_reason(err: Exception) -> str:
    reason = getattr(err, "strerror", None) or str(err)
    return str(reason).rstrip(".")


def _open_container(path: Path) -> InputContainer:
    import av

    try:
        return av.open(str(path), mode="r")
    except av.FFmpegError as err:
        raise InputError(f"{path}: not a readable video or image ({_ffmpeg_reason(err)})") from None
    except OSError as err:
        raise InputError(f"{path}: cannot be opened ({err.strerror or err})") from None


def _video_stream(container: InputContainer, path: Path) -> VideoStream:
    """The first video stream that is not a cover picture."""
    import av

    cover = av.stream.Disposition.attached_pic
    streams = [s for s in container.streams.video if not s.disposition & cover]
    if not streams:
        kinds = ", ".join(sorted({str(s.type) for s in container.streams})) or "none"
        raise InputError(f"{path}: no video stream (streams: {kinds})")
    return streams[0]


def _frame_to_rgb(frame: VideoFrame) -> np.ndarray:
    """RGB array of a decoded frame, turned upright by its display matrix."""
    image: np.ndarray = frame.to_ndarray(format="rgb24")
    turns = round(frame.rotation / 90) % 4  # counter-clockwise quarter turns
    if turns:
        image = np.ascontiguousarray(np.rot90(image, k=turns))
    return image


def _fps_of(stream: VideoStream) -> float | None:
    for rate in (stream.average_rate, stream.guessed_rate):
        if rate is not None and rate > 0:
            return float(rate)
    return None


def _check_range(start: float | None, end: float | None) -> None:
    for name, value in (("start", start), ("end", end)):
        if value is not None and not (math.isfinite(value) and value >= 0):
            raise ParameterError(f"{name} must be a finite number of seconds >= 0, got {value}")
    if start is not None and end is not None and end <= start:
        raise ParameterError(f"end must be after start, got start={start:g}, end={end:g}")


# --------------------------------------------------------------------------- probe


def probe(
    path: str | os.PathLike[str], *, fps: float | None = None, whole: bool = False
) -> VideoInfo:
    """Describe a video file, a still image or a folder of images.

    Parameters
    ----------
    path : str or path-like
        A video file (anything FFmpeg opens with a video stream: mp4, mov, avi,
        mkv, webm …), an image (jpg, png, bmp, webp, tiff) or a folder of
        images.
    fps : float, optional
        Frame rate of an image folder (its images are then ``1 / fps`` seconds
        apart). Ignored for video files, whose times come from the container,
        and for single images.
    whole : bool
        Also read every packet of a video file (demuxed, not decoded: about as fast as
        reading the file) and refuse one that holds clearly fewer frames than its
        container announces, as decoding it to the end would. Without it only the
        header and the first frame are read.

    Returns
    -------
    VideoInfo

    Raises
    ------
    InputError
        The path does not exist, is empty, is not a video or an image, has no
        video stream, or is a folder without images; with ``whole``, the video is
        truncated or a packet cannot be read.

    Examples
    --------
    A folder of two images (a video file reads the same way):

    >>> import tempfile
    >>> import numpy as np
    >>> from PIL import Image
    >>> folder = tempfile.TemporaryDirectory()
    >>> for i in (1, 2):
    ...     Image.fromarray(np.zeros((48, 64, 3), np.uint8)).save(f"{folder.name}/shot{i}.png")
    >>> info = probe(folder.name, fps=25)
    >>> info.kind, info.n_frames, info.fps, info.width, info.height, info.codec
    ('images', 2, 25, 64, 48, 'png')
    >>> folder.cleanup()
    """
    path = Path(path)
    if fps is not None:
        check_positive("fps", fps, most=MAX_FPS)
    _check_exists(path)
    if path.is_dir():
        images = _folder_images(path)
        if not images:
            suffixes = ", ".join(sorted(IMAGE_SUFFIXES))
            raise InputError(f"{path}: folder holds no images ({suffixes})")
        if fps is not None and len(images) / fps > MAX_TAKE_S:
            raise ParameterError(
                f"fps: {fps:g} makes {len(images)} images last {len(images) / fps:g} s, "
                f"more than a take may ({MAX_TAKE_S / 86400:g} days)"
            )
        first, fmt = _load_image(images[0])
        return VideoInfo(
            path=path,
            kind="images",
            n_frames=len(images),
            fps=fps,
            duration_s=len(images) / fps if fps else None,
            width=first.shape[1],
            height=first.shape[0],
            codec=fmt,
        )
    if path.suffix.lower() in IMAGE_SUFFIXES:
        image, fmt = _load_image(path)
        return VideoInfo(
            path=path,
            kind="image",
            n_frames=1,
            fps=None,
            duration_s=None,
            width=image.shape[1],
            height=image.shape[0],
            codec=fmt,
        )
    info = _probe_video(path)
    if whole:
        _check_packets(info)
    return info


def _check_packets(info: VideoInfo) -> None:
    """Refuse a video whose packets stop clearly short of what its container announces."""
    import av

    count, first, last = 0, None, 0.0
    with _open_container(info.path) as container:
        stream = _video_stream(container, info.path)
        base = stream.time_base
        try:
            for packet in container.demux(stream):
                if not packet.size:
                    continue
                count += 1
                if packet.pts is not None and base is not None:
                    stamp = float(packet.pts * base)
                    first = stamp if first is None else min(first, stamp)
                    last = max(last, stamp)
        except av.FFmpegError as err:
            raise InputError(
                f"{info.path}: truncated or damaged: cannot read packet {count + 1}"
                f" ({_ffmpeg_reason(err)})"
            ) from None
    _check_complete(info, decoded=count, last_time=last - (first or 0.0), verb="holds")


def _probe_video(path: Path) -> VideoInfo:
    import av

    with _open_container(path) as container:
        stream = _video_stream(container, path)
        width, height = stream.codec_context.width, stream.codec_context.height
        # Decode the first frame: it proves the stream is decodable and gives
        # the display rotation (PyAV exposes it on frames, not streams).
        try:
            first = next(container.decode(stream), None)
        except av.FFmpegError as err:
            raise InputError(
                f"{path}: cannot decode the first frame ({_ffmpeg_reason(err)})"
            ) from None
        if first is None:
            raise InputError(f"{path}: the video stream holds no decodable frame")
        width, height = first.width, first.height
        if round(first.rotation / 90) % 2:
            width, height = height, width
        duration_s: float | None = None
        if stream.duration is not None and stream.time_base is not None:
            duration_s = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration_s = container.duration / av.time_base
        return VideoInfo(
            path=path,
            kind="video",
            n_frames=stream.frames or None,
            fps=_fps_of(stream),
            duration_s=duration_s,
            width=width,
            height=height,
            codec=stream.codec_context.name,
        )


# --------------------------------------------------------------------------- read


def decode_frames(
    path: str | os.PathLike[str],
    *,
    start: float | None = None,
    end: float | None = None,
    info: VideoInfo | None = None,
    fps: float | None = None,
) -> Iterator[Frame]:
    """Decode frames one at a time.

    The file is checked when this function is called (a missing or unreadable
    file raises here); frames are decoded lazily as the iterator is consumed,
    one at a time, so memory stays flat however long the video is.

    Parameters
    ----------
    path : str or path-like
        A video file, an image, or a folder of images (read in natural name
        order: ``img2`` before ``img10``).
    start, end : float, optional
        Keep frames with ``start <= time_s < end`` (seconds; a half-open range
        so that consecutive ranges never share a frame). For a video the reader
        seeks to the keyframe before ``start`` instead of decoding everything
        before it; frame indices stay those of the whole file.
    info : VideoInfo, optional
        The result of an earlier :func:`probe` of ``path``, to skip probing
        again.
    fps : float, optional
        Frame rate of an image folder; without it the images are 1 s apart
        (``time_s`` 0, 1, 2 …). Ignored for video files and single images.

    Yields
    ------
    Frame
        ``frame``, ``time_s`` and an RGB ``image`` of shape (H, W, 3).

    Raises
    ------
    InputError
        Missing, empty, unreadable or corrupt input; a decode error part way
        (the message names the frame and time); or a video that decodes to
        clearly fewer frames than its container announces ("truncated").
    ValueError
        ``start``/``end``/``fps`` out of range.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from PIL import Image
    >>> folder = tempfile.TemporaryDirectory()
    >>> for i in range(1, 12):
    ...     Image.fromarray(np.zeros((48, 64, 3), np.uint8)).save(f"{folder.name}/shot{i}.png")
    >>> for frame in decode_frames(folder.name, fps=10, start=0.5, end=0.7):
    ...     print(frame.frame, frame.time_s, frame.image.shape)
    5 0.5 (48, 64, 3)
    6 0.6 (48, 64, 3)
    >>> folder.cleanup()

    With a video, ``start`` seeks and the indices stay those of the whole file:
    ``decode_frames("take.mp4", start=2.0, end=3.0)`` on a 30 fps clip yields
    frames 60 to 89.
    """
    _check_range(start, end)
    if info is None:
        info = probe(path, fps=fps)
    elif fps is None:
        fps = info.fps
    if info.kind == "images":
        return _iter_folder(info.path, start=start, end=end, fps=fps)
    if info.kind == "image":
        return _iter_image(info.path, start=start, end=end)
    return _iter_video(info, start=start, end=end)


def _in_range(time_s: float, start: float | None, end: float | None) -> bool:
    return (start is None or time_s >= start - _TIME_EPS) and (
        end is None or time_s < end - _TIME_EPS
    )


def _iter_image(path: Path, *, start: float | None, end: float | None) -> Iterator[Frame]:
    if _in_range(0.0, start, end):
        image, _ = _load_image(path)
        yield Frame(frame=0, time_s=0.0, image=image)


def _iter_folder(
    folder: Path, *, start: float | None, end: float | None, fps: float | None
) -> Iterator[Frame]:
    for index, file in enumerate(_folder_images(folder)):
        time_s = index / fps if fps else float(index)
        if end is not None and time_s >= end - _TIME_EPS:
            return
        if _in_range(time_s, start, end):
            image, _ = _load_image(file)
            yield Frame(frame=index, time_s=time_s, image=image)


def _count_frames_before(path: Path, stream_index: int, pts: int) -> int:
    """How many frames of the stream have a timestamp below ``pts``.

    Demuxes (does not decode) from the start of the file. Packets the demuxer
    flags as discarded (edit lists) and empty packets (dropped frames) are
    not frames of the decoded video and are not counted.
    """
    with _open_container(path) as container:
        stream = container.streams[stream_index]
        count = 0
        for packet in container.demux(stream):
            if packet.dts is not None and packet.dts > pts:
                break  # dts <= pts, and dts only grows: nothing later is below pts
            stamp = packet.pts if packet.pts is not None else packet.dts
            if stamp is None or packet.size == 0 or packet.is_discard:
                continue
            if stamp < pts:
                count += 1
        return count


def _iter_video(info: VideoInfo, *, start: float | None, end: float | None) -> Iterator[Frame]:
    """Decode a video; seek when ``start`` is given, falling back to a full pass."""
    seek = start is not None and start > 0
    while True:
        retry = yield from _decode_video(info, start=start, end=end, seek=seek)
        if not retry:
            return
        seek = False  # the seek landed after `start`: decode from the beginning


def _decode_video(
    info: VideoInfo, *, start: float | None, end: float | None, seek: bool
) -> Generator[Frame, None, bool]:
    """Yield the frames in range; return True to ask for a retry without seeking."""
    import av

    path = info.path
    with _open_container(path) as container:
        stream = _video_stream(container, path)
        stream.thread_type = "SLICE"  # frame threading hides decode errors
        time_base = stream.time_base or Fraction(1, 90000)
        origin = stream.start_time or 0
        if seek and start is not None:
            try:
                container.seek(
                    origin + int(start / time_base), stream=stream, backward=True, any_frame=False
                )
            except av.FFmpegError:
                return True  # not seekable: decode from the beginning instead
        step = 1 / info.fps if info.fps else 1 / 30
        index = -1
        time_s = -step
        started = False
        try:
            for frame in container.decode(stream):
                stamp = frame.pts if frame.pts is not None else frame.dts
                if not started:
                    started = True
                    if seek and start is not None:
                        if stamp is None or float((stamp - origin) * time_base) > start + _TIME_EPS:
                            return True  # cannot place the seek point: decode it all
                        index = _count_frames_before(path, stream.index, stamp) - 1
                index += 1
                time_s = float((stamp - origin) * time_base) if stamp is not None else time_s + step
                if end is not None and time_s >= end - _TIME_EPS:
                    return False
                if _in_range(time_s, start, end):
                    yield Frame(frame=index, time_s=time_s, image=_frame_to_rgb(frame))
        except av.FFmpegError as err:
            raise InputError(
                f"{path}: decode error at frame {index + 1} (after {max(time_s, 0.0):.3f} s): "
                f"{_ffmpeg_reason(err)}"
            ) from None
    if seek and not started:
        return True  # nothing after the seek point: make sure by decoding it all
    _check_complete(info, decoded=index + 1, last_time=time_s)
    return False


def _check_complete(
    info: VideoInfo, *, decoded: int, last_time: float, verb: str = "decoded"
) -> None:
    """Raise if a video that was decoded to its end stopped clearly short."""
    if decoded <= 0:
        raise InputError(f"{info.path}: no frame could be decoded")
    expected = info.n_frames
    if not expected or decoded >= _TRUNCATED_SHARE * expected:
        return
    # Containers such as AVI count dropped (empty) frames: trust the timeline
    # when the decoded frames still reach the announced duration.
    if info.duration_s:
        interval = last_time / (decoded - 1) if decoded > 1 else 1 / (info.fps or 30)
        if last_time + interval >= _TRUNCATED_SHARE * info.duration_s:
            return
    raise InputError(f"{info.path}: truncated: {verb} {decoded} of {expected} frames")
