"""Perception: decode video and images, find faces, landmarks and head pose.

The first stage of the data flow (see DESIGN.md)::

    video / image / folder ──► decode_frames ──► Frame ──► Landmarker.detect ──► FaceFrame
                                (PyAV, Pillow)            (MediaPipe FaceLandmarker,
                                                           FaceTracker for stable ids)

Importing this package is cheap: PyAV, Pillow and MediaPipe load on first
use. Errors: :class:`facs.InputError` for missing, unreadable or corrupt
input, :class:`facs.ModelError` when the landmarker model cannot be found,
verified or loaded. A frame without a face is not an error: ``detect``
returns an empty list.
"""

from facs.face._landmarker import (
    BLENDSHAPE_NAMES,
    FaceFrame,
    Landmarker,
    face_confidence,
    transform_to_pose,
)
from facs.face._model import MODEL_ENV, MODEL_SHA256, SKIP_HASH_ENV, locate_model
from facs.face._run import FrameFaces, perceive
from facs.face._tracking import FaceTracker, landmarks_to_box
from facs.face._video import IMAGE_SUFFIXES, Frame, VideoInfo, decode_frames, probe

__all__ = [
    "BLENDSHAPE_NAMES",
    "IMAGE_SUFFIXES",
    "MODEL_ENV",
    "MODEL_SHA256",
    "SKIP_HASH_ENV",
    "FaceFrame",
    "FaceTracker",
    "Frame",
    "FrameFaces",
    "Landmarker",
    "VideoInfo",
    "decode_frames",
    "face_confidence",
    "landmarks_to_box",
    "locate_model",
    "perceive",
    "probe",
    "transform_to_pose",
]
