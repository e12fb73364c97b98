"""Face regions: which landmarks and blendshapes may drive which code.

A code is read only from the part of the face its muscles move (FACS
describes each action by the appearance changes in one region). Restricting
each model output to its region's landmarks and blendshapes keeps the
estimator from learning one rig's incidental correlations (a FACSHuman target
for 12 that also moves the brow a little) and is what lets it hold on faces
and rigs it was never fitted to (benchmarks/README.md, "Leave one rig out").

Landmark indices are MediaPipe's 478-point face mesh; blendshape names are
MediaPipe's (ARKit) names.

>>> sorted(REGIONS)
['brows', 'eyes', 'gaze', 'lower', 'nose']
>>> region_of("AU12_L"), region_of("AU01_R"), region_of("AD34")
('lower', 'brows', 'lower')
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["REGIONS", "Region", "region_of"]

_RIGHT_BROW = (46, 52, 53, 55, 63, 65, 66, 70, 105, 107)
_LEFT_BROW = (276, 282, 283, 285, 293, 295, 296, 300, 334, 336)
_RIGHT_EYE = (7, 33, 133, 144, 145, 153, 154, 155, 157, 158, 159, 160, 161, 163, 173, 246)
_LEFT_EYE = (249, 263, 362, 373, 374, 380, 381, 382, 384, 385, 386, 387, 388, 390, 398, 466)
_IRIS = (468, 469, 470, 471, 472, 473, 474, 475, 476, 477)
_LIPS = (
    0, 13, 14, 17, 37, 39, 40, 61, 78, 80, 81, 82, 84, 87, 88, 91, 95, 146, 178, 181, 185,
    191, 267, 269, 270, 291, 308, 310, 311, 312, 314, 317, 318, 321, 324, 375, 402, 405, 409, 415,
)  # fmt: skip
_NOSE = (1, 2, 4, 5, 6, 19, 45, 48, 64, 94, 97, 98, 115, 168, 195, 197, 220, 275, 278, 294, 326,
         327, 344, 440)  # fmt: skip
_UPPER_CHEEK = (50, 280, 101, 330, 117, 346, 118, 347, 119, 348, 111, 340, 36, 266)
_LOWER_CHEEK = (205, 425, 206, 426, 187, 411, 207, 427, 216, 436, 212, 432, 57, 287, 186, 410,
                92, 322, 165, 391, 203, 423)  # fmt: skip
_CHIN_JAW = (18, 83, 313, 200, 199, 175, 152, 148, 377, 176, 400, 172, 397, 136, 365, 150, 379,
             32, 262, 140, 369, 171, 396, 201, 421, 194, 418)  # fmt: skip
_LOWER_BROWS = (46, 52, 53, 65, 55, 276, 282, 283, 295, 285)
_GLABELLA = (9, 8, 151, 107, 336, 108, 337, 69, 299, 104, 333)
# Inner and outer brow to the eye corner below, both sides; inner brows and lower brows
# apart. Not to the lids: they move with 5, 6, 7 and 43 (a crying face's squeezed eyes
# read as brows raised against its lowered lids, and 4 vanished on the real reference).
_BROW_DISTANCES = ((107, 133), (336, 362), (70, 33), (300, 263), (107, 336), (55, 285))
# Lid to lid at three places per eye, eye width, lower lid to upper cheek.
_EYE_DISTANCES = ((159, 145), (386, 374), (158, 153), (385, 380), (160, 144), (387, 373),
                  (33, 133), (263, 362), (145, 118), (374, 347))  # fmt: skip


@dataclass(frozen=True)
class Region:
    """Landmarks and blendshape name prefixes one group of codes is read from."""

    points: tuple[int, ...]
    blendshapes: tuple[str, ...]  # name prefixes
    #: Landmark pairs whose distance (minus the neutral's) is a feature of this region:
    #: eye aperture, brow-to-eye, brow-to-brow. A distance ignores where the alignment put
    #: the pair, only how far apart its points moved; on the rig left out the brow and eye
    #: codes gain 0.01-0.03 r (benchmarks/README.md, "How the estimator was chosen").
    distances: tuple[tuple[int, int], ...] = ()


REGIONS: dict[str, Region] = {
    "brows": Region(
        _RIGHT_BROW + _LEFT_BROW + _GLABELLA + (159, 386, 158, 385, 160, 387),
        ("browDown", "browInnerUp", "browOuterUp"),
        _BROW_DISTANCES,
    ),
    "eyes": Region(
        _RIGHT_EYE
        + _LEFT_EYE
        + _IRIS
        + _UPPER_CHEEK
        + (46, 52, 53, 65, 55, 276, 282, 283, 295, 285),
        ("eyeBlink", "eyeSquint", "eyeWide", "cheekSquint"),
        _EYE_DISTANCES,
    ),
    "gaze": Region(_RIGHT_EYE + _LEFT_EYE + _IRIS, ("eyeLook",)),
    "nose": Region(
        _NOSE + _GLABELLA + _UPPER_CHEEK + (0, 37, 267, 39, 269, 61, 291, 205, 425, 206, 426),
        ("noseSneer", "mouthUpperUp", "cheekSquint"),
    ),
    "lower": Region(
        _LIPS + _LOWER_CHEEK + _CHIN_JAW + (1, 2, 94, 98, 327, 64, 294, 164, 167, 393),
        ("mouth", "jaw", "cheekPuff", "noseSneer"),
    ),
}

_BY_CODE: dict[str, str] = {
    **{c: "brows" for c in ("AU01", "AU02", "AU04")},
    **{c: "eyes" for c in ("AU05", "AU06", "AU07", "AU43", "AU45", "AU46")},
    **{c: "gaze" for c in ("AU61", "AU62", "AU63", "AU64")},
    "AU09": "nose",
}


def region_of(column: str) -> str:
    """The region a frames-table or model column is read from (``lower`` by default)."""
    return _BY_CODE.get(column.split("_")[0], "lower")
