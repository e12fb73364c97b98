"""Synthesis: a FACS code becomes a face (mesh, image, animation, reference sheet).

The data flow (see DESIGN.md)::

    code ──► deform ──► mesh (478×3) ──► render / render_image / compare   (PNG, SVG, RGB)
                                    └──► animate (timeline) / replay (frames table)   (mp4, gif)
                                    └──► sheet   (A4 PDF)

>>> from facs.synth import deform, missing_shapes
>>> deform("1+2+5B+26").shape
(478, 3)
>>> missing_shapes("12+21")
('21 (Neck tightener): no shape in the face model',)

Importing this package is cheap: matplotlib, PyAV, Pillow and MediaPipe load
on first use.
"""

from facs.synth._animate import (
    CLIP_SUFFIXES,
    DEFAULT_HOLD,
    DEFAULT_TRANSITION,
    Progress,
    Step,
    animate,
    parse_timeline,
    replay,
)
from facs.synth._model import (
    FaceModel,
    Mesh,
    deform,
    deform_columns,
    identities,
    load_face_model,
    missing_shapes,
    shown_codes,
)
from facs.synth._muscles import Muscle, load_muscles
from facs.synth._render import RENDER_SUFFIXES, VIEWS, View, compare, render, render_image
from facs.synth._sheet import sheet

__all__ = [
    "CLIP_SUFFIXES",
    "DEFAULT_HOLD",
    "DEFAULT_TRANSITION",
    "RENDER_SUFFIXES",
    "VIEWS",
    "FaceModel",
    "Mesh",
    "Muscle",
    "Progress",
    "Step",
    "View",
    "animate",
    "compare",
    "deform",
    "deform_columns",
    "identities",
    "load_face_model",
    "load_muscles",
    "missing_shapes",
    "parse_timeline",
    "render",
    "render_image",
    "replay",
    "sheet",
    "shown_codes",
]
