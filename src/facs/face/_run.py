"""Run perception over a whole input: decode and landmark detection, overlapped.

:func:`perceive` yields, for every decoded frame, the frame's number, time and
size and the faces found in it. Decoding runs in a background thread feeding
a small bounded queue, so decoding the next frame overlaps with landmark
inference on the current one (both release the GIL in their native code),
and memory holds only a few frames at a time.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from facs.face._hands import every_nth
from facs.face._landmarker import FaceFrame, Landmarker
from facs.face._video import Frame, VideoInfo, decode_frames, probe

__all__ = ["FrameFaces", "perceive"]

_QUEUE_FRAMES = 4
#: Frames whose faces may still be being worked out while the landmarker goes on. A
#: look for hands (every few frames, 13–23 ms) takes longer than one inference
#: (about 12 ms on one core); with room for several frames the faces thread catches
#: up over the next ones instead of holding the landmarker at the look.
_PENDING_FRAMES = 8
_DONE = object()


@dataclass(frozen=True)
class FrameFaces:
    """One decoded frame's number, time and size, and the faces in it."""

    frame: int
    time_s: float
    width: int
    height: int
    faces: list[FaceFrame]


def _decode_into(frames: Iterator[Frame], out: queue.Queue[object], stop: threading.Event) -> None:
    try:
        for frame in frames:
            while not stop.is_set():
                try:
                    out.put(frame, timeout=0.1)
                    break
                except queue.Full:
                    continue
            if stop.is_set():
                return
        out.put(_DONE)
    except BaseException as err:  # handed to the consumer, re-raised there
        out.put(err)


def perceive(
    path: str | Path,
    *,
    info: VideoInfo | None = None,
    start: float | None = None,
    end: float | None = None,
    max_faces: int = 4,
    mode: Literal["video", "image"] | None = None,
    fps: float | None = None,
    on_frame: Callable[[FrameFaces], None] | None = None,
    hands: bool = True,
) -> Iterator[FrameFaces]:
    """Faces in every frame of a video, image or folder, in time order.

    Parameters
    ----------
    path
        Video file, image or folder of images.
    info
        A :func:`probe` result for ``path``, to avoid probing twice.
    start, end
        Time range in seconds (``start <= time_s < end``).
    max_faces
        Most faces reported per frame (the largest). The landmarks do not depend
        on it: MediaPipe is always asked for at least two faces (``Landmarker``).
    mode
        Landmarker mode; by default ``"video"`` for videos and ``"image"``
        for stills and image folders.
    fps
        Frame rate of an image folder.
    on_frame
        Called after each frame (for progress bars).
    hands
        Look for hands in front of the faces (:mod:`facs.face._hands`):
        :data:`~facs.face._hands.HAND_HZ` times a second in a video, in every
        still.
    """
    if info is None:
        info = probe(path, fps=fps)
    frames = decode_frames(path, start=start, end=end, info=info, fps=fps)
    if mode is None:
        mode = "video" if info.kind == "video" else "image"
    hand_every = None
    if hands:
        hand_every = every_nth(info.fps or fps) if mode == "video" else 1
    q: queue.Queue[object] = queue.Queue(maxsize=_QUEUE_FRAMES)
    stop = threading.Event()
    thread = threading.Thread(target=_decode_into, args=(frames, q, stop), daemon=True)
    thread.start()
    # In video mode a frame's faces (ids, pose, colour samples: about 1 ms of Python)
    # are worked out in a second thread while the landmarker infers the next frame,
    # which releases the GIL: one thread, so frames keep their order and the tracker
    # its sequence. Stills keep one pass (their tiles call the landmarker again).
    post = ThreadPoolExecutor(1, thread_name_prefix="facs-faces") if mode == "video" else None
    pending: deque[tuple[Frame, Future[list[FaceFrame]]]] = deque()

    def done(frame: Frame, faces: list[FaceFrame]) -> FrameFaces:
        h, w = frame.image.shape[:2]
        result = FrameFaces(frame.frame, frame.time_s, w, h, faces)
        if on_frame is not None:
            on_frame(result)
        return result

    try:
        with Landmarker(max_faces=max_faces, mode=mode, hand_every=hand_every) as landmarker:
            while True:
                item = q.get()
                if item is _DONE:
                    break
                if isinstance(item, BaseException):
                    raise item
                assert isinstance(item, Frame)
                if post is None:
                    yield done(item, landmarker.detect(item))
                    continue
                pending.append((item, post.submit(landmarker.faces_of, item,
                                                  landmarker.infer(item))))  # fmt: skip
                while pending and (len(pending) > _PENDING_FRAMES or pending[0][1].done()):
                    frame, job = pending.popleft()
                    yield done(frame, job.result())
            while pending:
                frame, job = pending.popleft()
                yield done(frame, job.result())
    finally:
        if post is not None:
            post.shutdown(wait=True, cancel_futures=True)
        stop.set()
        thread.join(timeout=5)
