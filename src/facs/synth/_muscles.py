"""The muscle table (``muscles.toml``): landmark anchors, colours and anatomical pulls.

>>> zyg = [m for m in load_muscles() if m.au == 12][0]
>>> zyg.name, zyg.pairs
('zygomaticus major', ((123, 61),))
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["Muscle", "load_muscles"]

_N_LANDMARKS = 478


@dataclass(frozen=True)
class Muscle:
    """One muscle of one action unit, anchored on landmarks of the face model.

    Parameters
    ----------
    au
        The action unit (or descriptor) number it serves.
    name
        The muscle's name as the catalogue gives it.
    colour
        A matplotlib colour for its band in the overlay.
    pairs
        ``(origin, insertion)`` landmark indices on the subject's right side or
        the midline; the renderer and the deformation mirror them to the left.
    pull
        Displacement (inter-ocular units, at intensity E) of the skin at the
        insertion toward the origin, added to the fitted field; 0 draws only.
    radius
        Gaussian reach of the pull around the insertion (inter-ocular units).
    """

    au: int
    name: str
    colour: str
    pairs: tuple[tuple[int, int], ...]
    pull: float
    radius: float


@cache
def load_muscles() -> tuple[Muscle, ...]:
    """Read ``muscles.toml`` once and check its anchors.

    Returns
    -------
    tuple of Muscle
        In file order.
    """
    text = resources.files("facs.synth").joinpath("muscles.toml").read_text(encoding="utf-8")
    out: list[Muscle] = []
    for raw in tomllib.loads(text)["muscle"]:
        pairs = tuple((int(a), int(b)) for a, b in raw["pairs"])
        if not pairs or any(not 0 <= i < _N_LANDMARKS for pair in pairs for i in pair):
            raise ValueError(f"muscles.toml: {raw['name']} (AU{raw['au']}): bad landmark pairs")
        out.append(
            Muscle(
                au=int(raw["au"]),
                name=str(raw["name"]),
                colour=str(raw["colour"]),
                pairs=pairs,
                pull=float(raw["pull"]),
                radius=float(raw["radius"]),
            )
        )
    return tuple(out)
