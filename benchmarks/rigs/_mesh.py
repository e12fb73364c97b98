"""The one thing every rig loader returns: a face mesh with AU-labelled shapes.

Each rig module (``rocketbox.py``, ``anny.py``) turns its source files into
:class:`RigFace` objects; ``render_clips.py`` animates any of them through the
same range-of-motion schedule as ``../shared/data/synthetic-rom`` and writes
clips with the same label columns, so the benchmarks score every rig alike.

Conventions (all rigs):

- units: centimetres; axes x = the subject's left, y = up, z = out of the
  face towards the camera (a neutral face looks along +z);
- ``shapes`` keys are synthetic-rom label column names: ``AU12`` (both
  sides), ``L_AU12`` / ``R_AU12`` (subject's left / right only), ``AU61``…
  ``AU64`` (eyes), ``AU19`` (tongue show), ``AU29`` (jaw thrust),
  ``L_AU30`` / ``R_AU30`` (jaw towards the subject's left / right),
  ``AU34`` (puff), ``L_AU46`` / ``R_AU46`` (one eye closed), ``AU43`` (both eyes
  closed); each value is the displacement of every vertex at full strength (1.0);
- when a rig has only one-sided shapes for a code, the both-sides shape is their
  sum; when it has only a both-sides shape, it has no one-sided segment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class RigFace:
    """One identity of one rig, neutral, with its expression shapes."""

    rig: str  # "rocketbox", "anny", ...
    identity: str  # unique within the rig, e.g. "female_adult_01"
    vertices: np.ndarray  # (V, 3) float32, neutral, cm, axes as above
    triangles: np.ndarray  # (T, 3) int32, counter-clockwise seen from outside
    colours: np.ndarray  # (V, 3) float32 albedo 0-1 (skin, brows, lips, eyes, teeth, mouth)
    shapes: dict[str, np.ndarray]  # label column -> (V, 3) float32 displacement at 1.0
    pivot: np.ndarray  # (3,) head rotation centre (top of the neck), cm
    info: dict[str, Any] = field(default_factory=dict)  # provenance, shape names, licence

    def codes(self) -> list[str]:
        """Label columns this face can show."""
        return sorted(self.shapes)

    def deformed(self, weights: dict[str, float]) -> np.ndarray:
        """Vertices with the given shapes applied (summed, as MakeHuman and FBX do)."""
        out = self.vertices.astype(np.float32).copy()
        for name, w in weights.items():
            if w:
                out += np.float32(w) * self.shapes[name]
        return out
