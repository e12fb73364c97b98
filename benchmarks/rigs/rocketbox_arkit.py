"""The Rocketbox heads driven by their own ARKit shapes (``AK_…``), a fifth expression rig.

Each Rocketbox head carries two expression sets: 48 FACS-named ``AU_xx`` shapes (the
``rocketbox`` rig) and 52 ARKit-named ``AK_xx`` shapes. The two are not one set
renamed: fitted by least squares on all 48 AU shapes of the same head, the ARKit
shapes leave 0.2-0.7 of their displacement unexplained (``AK_44_MouthSmileLeft``
0.37, ``AK_46_MouthStretchLeft`` 0.52, ``AK_11_EyeLookDownLeft`` 0.63;
``benchmarks/README.md``, "Rigs"). So this module keeps Rocketbox's meshes and
identities (:func:`rocketbox.faces`) and swaps the expression shapes for the ARKit
ones, mapped to label columns exactly as the anny face units are (``anny.mapping``:
``src/facs/rigs/arkit.toml`` read backwards, sources S7 and S10), with 25 left out
as there (no ARKit shape parts the lips without the jaw).

Render it with another seed than the ``rocketbox`` rig (``render_clips.py --rig
rocketbox_arkit --seed 1``) so its identities (proportions, skin, brows, irises) and
its clips' poses, lights and degradations differ from that rig's; the leave-one-rig-out
benchmarks then never score a Rocketbox clip with its own identity and conditions in
the training set.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import numpy as np

try:
    from . import anny, rocketbox
    from ._mesh import RigFace
except ImportError:  # run as a script / imported from benchmarks/rigs on sys.path
    import anny  # type: ignore[no-redef]
    import rocketbox  # type: ignore[no-redef]
    from _mesh import RigFace  # type: ignore[no-redef]

RIG = "rocketbox_arkit"


def arkit_name(channel: str) -> str:
    """ARKit's name of a Rocketbox channel: ``AK_03_BrowInnerUp`` -> ``browInnerUp``.

    >>> arkit_name("AK_52_TongueOut"), arkit_name("AK_44_MouthSmileLeft")
    ('tongueOut', 'mouthSmileLeft')
    """
    m = re.fullmatch(r"AK_\d+_(\w+)", channel)
    if m is None:
        raise ValueError(f"not a Rocketbox ARKit channel: {channel}")
    name = m.group(1)
    return name[0].lower() + name[1:]


def arkit_shapes(face: RigFace, mapping: dict[str, dict[str, Any]]) -> dict[str, np.ndarray]:
    """Label column -> displacement at 1.0, built from the face's ARKit channels."""
    by_name = {arkit_name(k): v for k, v in face.info["arkit_shapes"].items()}
    out: dict[str, np.ndarray] = {}
    for label, m in mapping.items():
        if not all(n in by_name for n in m["arkit"]):
            continue
        shape = np.zeros_like(face.vertices, dtype=np.float32)
        for name, coef in m["arkit"].items():
            shape += np.float32(coef) * by_name[name].astype(np.float32)
        if np.abs(shape).max() > 0:
            out[label] = shape
    return out


def faces(count: int, seed: int = 1) -> list[RigFace]:
    """``count`` Rocketbox identities (:func:`rocketbox.faces` with ``seed``), ARKit-driven."""
    maps = anny.mapping()
    out = []
    for face in rocketbox.faces(count, seed=seed):
        shapes = arkit_shapes(face, maps)
        info = {k: v for k, v in face.info.items() if k not in ("arkit_shapes", "shape_sources")}
        info["shapes"] = "the head's ARKit channels (AK_xx), mapped by src/facs/rigs/arkit.toml"
        info["mapping"] = {label: maps[label] for label in shapes}
        info["left_out"] = anny._LEFT_OUT
        out.append(replace(face, rig=RIG, shapes=shapes, info=info))
    return out


if __name__ == "__main__":
    for f in faces(2):
        print(f.identity, f.vertices.shape, len(f.shapes), f.codes())
