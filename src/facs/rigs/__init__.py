"""Production face rigs: mappings as data, conversion, audit and scan lists.

Presets (data files in this package; every entry cites FACS_REFERENCE.md §4
sources and carries ``unverified = true`` where the reference says so):

========== ============================================= ======================
preset     channels                                      file
========== ============================================= ======================
arkit      the 52 ARKit blendshapes                      ``arkit.toml``
livelink   Live Link Face: ARKit 52 + 9 head/eye angles  ``livelink.toml``
meta       Meta face tracking v2: 63 + 7 tongue = 70     ``meta.toml``
meta-v1    Meta face tracking v1: 63                     ``meta.toml``
metahuman  MetaHuman ``CTRL_expressions_*`` (251)        ``metahuman.toml``
========== ============================================= ======================

Left/Right (``L``/``R``) are always the SUBJECT's sides, as in the frames table:
ARKit's ``eyeBlinkLeft`` is the subject's left eye (ARKit's face frame has +x
toward the face's own left).

Model
-----
A channel value ``v`` (0–1; a rotation in radians, split into its positive and
negative parts) adds ``5 * weight * v`` to each frames-table column its map
names; a column is the clipped (0–5) sum over channels; a sided code's
bilateral column is the larger side. Redundant channels carry shares (the four
Meta funnel quadrants carry 0.25 of 22 each) so that all of them at 1 give E.
The inverse solves the same linear map by non-negative least squares.

Data file schema (TOML)
-----------------------
``[rig]``: ``name``, ``title``, ``sources`` (list of S-keys), ``note``, and
optionally ``extends = "<preset>"`` (inherit that preset's shapes; a shape of
the same name replaces the inherited one).

``[[shape]]`` (one per channel, in rig order):

- ``name``: the channel name as the rig spells it;
- ``map``: inline table ``{ AU12_L = 1.0, AU25 = 1.0 }``: frames column → weight.
  Columns are those of :mod:`facs.series`: a sided code is always named by its
  side columns (``AU01_L``/``AU01_R``), an unsided one by its base (``AU17``,
  ``AD34``, ``AU64``). Negative weights subtract (ARKit ``mouthClose`` cancels
  the 25 of ``jawOpen``). ``map = {}`` for a channel with no frames column;
- ``facs``: the FACS code of an unmapped channel the frames table does not score
  (``"11"``, ``"35"``); absent when the channel has no FACS equivalent;
- ``reason``: why an unmapped channel is unmapped (required when ``map`` is empty);
- ``source``: FACS_REFERENCE.md source keys; ``unverified``: true where the
  reference marks the link unverified; ``note``: anything else;
- ``version``: (Meta) the first face-tracking version with the channel.

``[[rotation]]`` (Live Link): ``name``, ``positive`` and ``negative`` (the
columns its positive and negative values raise), ``degrees_at_e`` (the angle
that gives E) and ``share`` (the fraction of the column it carries).

A channel's status is ``mapped``, ``not-scored`` (a FACS code without a frames
column, e.g. MetaHuman ``noseNasolabialDeepenL`` = 11) or ``no-facs``
(``mouthLeft``, tongue articulation …).

``combinations.toml`` lists the curated corrective pairs and common
combinations used by :func:`audit` and :func:`scanlist`.

Examples
--------
>>> rig = load_rig("arkit")
>>> rig.counts()
{'mapped': 50, 'not-scored': 0, 'no-facs': 2}
>>> [s.name for s in rig.shapes if s.status != "mapped"]
['mouthLeft', 'mouthRight']
"""

from facs.rigs._audit import (
    CORRECTIVE_RULE,
    Audit,
    CodeSupport,
    ComboCheck,
    audit,
    common_combinations,
    corrective_pairs,
)
from facs.rigs._convert import DEFAULT_FPS, FOLDS, Report, frames_to_weights, weights_to_frames
from facs.rigs._livelink import LIVELINK_COLUMNS, read_livelink, timecode_seconds, write_livelink
from facs.rigs._rig import PRESETS, Rig, Shape, load_rig, normalise_name
from facs.rigs._scanlist import SCANLIST_COLUMNS, Pose, scanlist, write_scanlist

__all__ = [
    "CORRECTIVE_RULE",
    "DEFAULT_FPS",
    "FOLDS",
    "LIVELINK_COLUMNS",
    "PRESETS",
    "SCANLIST_COLUMNS",
    "Audit",
    "CodeSupport",
    "ComboCheck",
    "Pose",
    "Report",
    "Rig",
    "Shape",
    "audit",
    "common_combinations",
    "corrective_pairs",
    "frames_to_weights",
    "load_rig",
    "normalise_name",
    "read_livelink",
    "scanlist",
    "timecode_seconds",
    "weights_to_frames",
    "write_livelink",
    "write_scanlist",
]
