"""Covered regions from appearance samples (FACS 70-73)."""

from __future__ import annotations

import numpy as np

from facs.au._visibility import (
    COVER_CODES,
    EYE_SKIN,
    HAND_MIN,
    acting_not_covered,
    covered_regions,
    hand_covers,
    region_columns,
)
from facs.face._appearance import APPEARANCE_REGIONS
from facs.series import CODE_COLUMNS

_LOWER = slice(
    len(APPEARANCE_REGIONS["brows"]) + len(APPEARANCE_REGIONS["eyes"]), None
)  # fmt: skip


def _face(n: int = 120, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = rng.integers(90, 200, (1, 92, 3))
    noise = rng.normal(0, 2.0, (n, 92, 3))
    return np.clip(base + noise, 0, 255).astype(np.uint8)


def test_an_opaque_cover_over_the_mouth_is_found() -> None:
    a = _face()
    a[40:70, _LOWER] = 35  # a dark microphone for 1 s at 30 fps
    cover = covered_regions(a, np.arange(len(a)) / 30)
    assert cover["lower"][40:70].all() and not cover["lower"][:40].any()
    assert not cover["brows"].any() and not cover["eyes"].any()


def test_light_changes_glances_and_stills_are_not_covers() -> None:
    t = np.arange(120) / 30
    a = _face()
    a[60:] = (a[60:] * 0.7).astype(np.uint8)  # the light dims by 30 %
    assert not any(v.any() for v in covered_regions(a, t).values())
    b = _face()
    b[50:56, _LOWER] = 35  # a hand passing for 0.2 s
    assert not covered_regions(b, t)["lower"].any()
    assert not any(v.any() for v in covered_regions(_face(1), None).values())  # a still


def test_the_eyes_moving_are_no_cover_but_dark_glasses_are() -> None:
    # The eye region's lid-margin points see the eyeball: a look aside or closing lids
    # change them as much as a cover, the skin below the eyes and the nose's bridge not.
    eyes = APPEARANCE_REGIONS["eyes"]
    start = len(APPEARANCE_REGIONS["brows"])
    skin = [start + eyes.index(p) for p in EYE_SKIN]
    margin = [start + k for k, p in enumerate(eyes) if p not in EYE_SKIN]
    t = np.arange(120) / 30
    look = _face()
    look[40:70, margin] = 40  # iris and lids over every margin point for 1 s
    assert not covered_regions(look, t)["eyes"].any()
    glasses = _face()
    glasses[40:70, margin] = 40
    glasses[40:70, skin[4:]] = 40  # the frame over the bridge of the nose as well
    cover = covered_regions(glasses, t)["eyes"]
    assert cover[40:70].all() and not cover[:40].any() and not cover[70:].any()


def test_a_head_turned_away_from_its_usual_pose_is_not_taken_as_covered() -> None:
    # Turning changes the light on the face like a cover; colour is compared only
    # among frames near the face's usual pose.
    t = np.arange(120) / 30
    a = _face()
    a[40:70, _LOWER] = 35
    pose = np.zeros((120, 3))
    assert covered_regions(a, t, pose=pose)["lower"][40:70].all()
    pose[40:70, 0] = 25.0  # the same change while turned 25 degrees
    assert not any(v.any() for v in covered_regions(a, t, pose=pose).values())
    pose[40:70, 0] = 8.0  # turned a little: still judged
    assert covered_regions(a, t, pose=pose)["lower"][40:70].all()


def test_a_region_acting_strongly_is_not_blanked() -> None:
    flags = np.ones((3, len(COVER_CODES)), dtype=bool)
    cols = {"AU01": np.array([4.0, 0.0, np.nan]), "AU12": np.array([0.0, 3.5, 0.0]),
            "AU51": np.array([5.0, 5.0, 5.0])}  # fmt: skip
    kept = acting_not_covered(flags, cols)
    assert kept[:, 0].tolist() == [False, True, True]  # brows acting in frame 0
    assert kept[:, 2].tolist() == [True, False, True]  # 12 at C+ in frame 1; 51 is no region


def test_no_sliver_of_a_cover_is_left_around_a_strong_expression() -> None:
    # Raised brows change the colour over them like a cover: once their C+ frames are
    # lifted, the frames of their rise and fall (shorter than a cover can be) are no
    # cover either, so no sliver of 70 splits the brow events.
    t = np.arange(30) / 30
    flags = np.zeros((30, len(COVER_CODES)), dtype=bool)
    flags[5:25, 0] = True  # a colour "cover" for 0.67 s over the brows
    brow = np.zeros(30)
    brow[5:25] = 2.0
    brow[8:22] = 4.0  # C+ in the middle; the 3 frames either side read B
    kept = acting_not_covered(flags, {"AU01": brow}, time_s=t)
    assert not kept[:, 0].any()
    # without times (a still) only the C+ frames are lifted
    assert acting_not_covered(flags, {"AU01": brow})[:, 0].sum() == 6
    # a cover that stays after the expression ends, for longer than 0.5 s, is still one
    t = np.arange(60) / 30
    flags = np.zeros((60, len(COVER_CODES)), dtype=bool)
    flags[5:50, 0] = True
    brow = np.zeros(60)
    brow[8:22] = 4.0
    kept = acting_not_covered(flags, {"AU01": brow}, time_s=t)
    assert kept[22:50, 0].all() and not kept[5:22, 0].any()
    # a hand's cover is never shortened
    hand = np.zeros_like(flags)
    hand[5:8, 0] = True
    kept = acting_not_covered(flags, {"AU01": brow}, hand, time_s=t)
    assert kept[5:8, 0].all() and not kept[8:22, 0].any()


def test_lips_sucked_in_are_no_sign_of_acting_under_a_cover() -> None:
    # A cover hides the lips as 28 does: the mesh's guess of 28 under it keeps the cover;
    # another strong lower-face code still says the mouth is acting.
    flags = np.ones((2, len(COVER_CODES)), dtype=bool)
    cols = {"AU28": np.array([3.3, 3.3]), "AU12": np.array([0.0, 3.5])}
    kept = acting_not_covered(flags, cols)
    assert kept[:, 2].tolist() == [True, False]


def test_region_columns_leave_the_head_position() -> None:
    lower = region_columns(CODE_COLUMNS, "lower")
    assert "AU12" in lower and "AD19" in lower and "AU51" not in lower
    assert region_columns(CODE_COLUMNS, "brows") == ["AU01", "AU02", "AU04"]
    assert {"AU43", "AU61"} <= set(region_columns(CODE_COLUMNS, "eyes"))


def _looks(n: int, every: int, rows: dict[int, tuple[float, ...]]) -> np.ndarray:
    looks = np.full((n, 5), np.nan)
    looks[::every] = 0.0
    for k, row in rows.items():
        looks[k] = row
    return looks


def test_a_hand_hides_what_its_outline_holds_between_looks() -> None:
    t = np.arange(60) / 30
    looks = _looks(60, 6, {k: (0.8, 0.95, 0.0, 0.6, 1.0) for k in range(12, 37, 6)})
    cover = hand_covers(looks, t)
    # looks at frames 12..36 (0.4-1.2 s); each frame takes the nearest look (0.2 s apart)
    assert cover["lower"][10:38].all() and not cover["lower"][:9].any()
    assert not cover["lower"][40:].any()
    assert cover["eyes"].sum() == cover["lower"].sum() and not cover["brows"].any()
    unsure = _looks(60, 6, {k: (0.8, 0.3, 0.0, 0.6, 1.0) for k in range(12, 37, 6)})
    assert not any(v.any() for v in hand_covers(unsure, t).values())  # the hand model says no
    weak = _looks(60, 6, {k: (HAND_MIN / 2, 0.95, 0.0, 0.0, 1.0) for k in range(12, 37, 6)})
    assert not any(v.any() for v in hand_covers(weak, t).values())  # a faint palm


def test_a_hand_covers_a_still_and_joins_the_colour_rule() -> None:
    still = covered_regions(_face(1), None, np.array([[0.9, 0.9, 0.0, 0.0, 0.7]]))
    assert still["lower"].tolist() == [True] and not still["eyes"].any()
    t = np.arange(120) / 30
    a = _face()  # no colour change at all: the hand alone
    looks = _looks(120, 6, {k: (0.9, 0.9, 0.0, 0.0, 0.8) for k in range(30, 91, 6)})
    cover = covered_regions(a, t, looks)
    assert cover["lower"][30:90].all() and not cover["lower"][:25].any()
    brief = _looks(120, 6, {30: (0.9, 0.9, 0.0, 0.0, 0.8)})  # one look: 0.2 s, a glance
    assert not covered_regions(a, t, brief)["lower"].any()


def test_a_cover_a_hand_was_seen_making_stays_when_the_region_reads_strong() -> None:
    flags = np.ones((2, len(COVER_CODES)), dtype=bool)
    cols = {"AU12": np.array([4.5, 4.5])}
    by_hand = np.array([[False, False, True], [False, False, False]])
    kept = acting_not_covered(flags, cols, by_hand)
    assert kept[:, 2].tolist() == [True, False]
