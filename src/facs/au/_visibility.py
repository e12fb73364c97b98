"""Covered regions: FACS visibility codes 70–73 from the colour under the landmarks.

The landmarker places a whole face even where a hand, a microphone, hair or
dark glasses hide part of it, and the estimator would score what it cannot
see. Each face's appearance samples (:mod:`facs.face._appearance`) are
compared with the same face's own typical, uncovered look:

1. each frame's samples are divided by its brightness ratio to the typical
   look, taken over the region that changed least in that frame (a light
   change is not a cover; a cover elsewhere does not shift it);
2. per point, the reference colour is the median over the face's most
   typical half of frames (a cover lasting less than half the take never
   enters it), with a robust spread (1.4826 × MAD, at least ``MIN_SPREAD``);
3. a region is covered in a frame when the share of its points that sit
   more than ``DEVIATION`` spreads from their reference reaches both
   ``MIN_SHARE`` and Otsu's split of that share over the clip, held for
   ``MIN_COVER_S`` (a glance of a hand past the face is not a cover). Only
   frames near the face's usual pose are compared (``COLOUR_POSE_DEG``). The
   eyes also need a changed point on the skin around them (``EYE_SKIN``): the
   lid margins see the eyeball, whose colour moves with gaze and closure.

A hand has the face's own tone, and strong expressions (wrinkles, an open
mouth) change the colour under the landmarks about as much as it does, so
step 3's thresholds find opaque covers but few hands. Hands are found by
MediaPipe Hands instead (:mod:`facs.face._hands`, a few looks a second): a
region is also covered where a sure hand's outline holds half the features
of one side of it (:func:`hand_covers`), in stills too.

The brows (70), the eyes (71) and the lower face with the nose and cheeks
(72) are judged apart; all three covered is 73. Thresholds were chosen on
synthetic-rom clips with pasted hands, microphones, hair and dark glasses
(``benchmarks/occlusion.py``) and measured on the Pexels clip, which was not
used to choose them.
"""

from __future__ import annotations

import numpy as np

from facs.face._appearance import APPEARANCE_REGIONS
from facs.series import COVER_COLUMNS, UNSCORABLE_COLUMN, VISIBILITY_COLUMNS

__all__ = [
    "COVER_CODES",
    "COVER_COLUMNS",
    "UNSCORABLE_COLUMN",
    "UNSCORABLE_FROM_NEUTRAL_PITCH_DEG",
    "UNSCORABLE_PITCH_DEG",
    "UNSCORABLE_RELEASE_DEG",
    "UNSCORABLE_YAW_DEG",
    "VISIBILITY_COLUMNS",
    "acting_not_covered",
    "covered_regions",
    "hand_covers",
    "region_columns",
    "unscorable",
    "unscorable_from_neutral",
]

#: Visibility code per judged region (73: all three), in the order of
#: :data:`~facs.series.COVER_COLUMNS` (the frames table's schema, with
#: ``UNSCORABLE_COLUMN`` and ``VISIBILITY_COLUMNS``).
COVER_CODES = {"brows": 70, "eyes": 71, "lower": 72}
#: Head yaw (degrees from facing the camera, the frame's own measured pose) beyond which
#: a face is unscorable (74): its codes are blank, its head position still scored. The
#: synthesiser's face, nine actions rendered turned away and coded against a frontal
#: neutral (benchmarks/README.md, "Faces turned away"): at a measured yaw of 27-31 degrees
#: the rendered action is the strongest code in 7 of 9; at 41, 4 of 9 and the strongest
#: wrong code reads as high as it (2.8); at 46-48, 3 of 9 and wrong codes read higher
#: (3.2-3.3 against 2.0-2.3); at 54, 1 of 9; drawn at 80, no face is found.
UNSCORABLE_YAW_DEG = 45.0
#: The same for head pitch (bowed or raised). Measured 41-45 degrees, the rendered action
#: is the strongest code in at most 1 of 9 whether the neutral was frontal or taken at the
#: same pitch. At 32-34 it is 5-6 of 9 against a neutral at the same pitch (a camera
#: fixed above or below the face), though only 1-5 of 9 against a frontal one: kept.
UNSCORABLE_PITCH_DEG = 35.0
#: Head pitch from the face's own neutral, lower (negative: bowed since the neutral)
#: and higher (positive), past which the face is unscorable too. The synthesiser's face,
#: nine actions drawn after a neutral at another pitch (benchmarks/turned.py; measured
#: pitch less the neutral's; the drawn action's mean reading against the strongest
#: wrong code's): -17.9 degrees 3.66 / 3.36, -19.3 3.34 / 3.35, -21.7 3.10 / 3.32,
#: -25.4 2.66 / 3.58, and a frontal face after a neutral raised 25, -27.3: 3.56 / 4.23;
#: +23.6 3.60 / 2.61, +26.5 2.83 / 2.70, +29.8 2.53 / 2.91, and a frontal face after a
#: neutral bowed 30 or 35, +24.9 and +28.7: 4.37 / 2.85 and 4.20 / 2.98. As for yaw
#: (wrong as high at 41, higher from 46: limit 45), each limit is the whole degree
#: below the first pose where a wrong code reads clearly higher. A camera fixed above
#: or below the face has its neutral at that pitch and is not affected.
UNSCORABLE_FROM_NEUTRAL_PITCH_DEG = (21.0, 29.0)
#: Once past a limit, a face stays unscorable until it is back this far inside both (a
#: head held at the limit does not flicker in and out of 74 with the pose's jitter and
#: split every event).
UNSCORABLE_RELEASE_DEG = 3.0
#: Per region: how many robust spreads a point must move to count as changed, and
#: the least share of changed points that is a cover (with Otsu's split of the
#: clip's own shares above it). Chosen per region on synthetic-rom with pasted
#: covers (benchmarks/occlusion.py --choose): the best F1 among the pairs that
#: call at most 2 % of uncovered frames covered, on synthetic-rom and on the
#: synthesiser's strongest expressions, since a false cover blanks an expression
#: that was there to be scored. Strong expressions (wrinkles, an open mouth)
#: change the colour under the landmarks as much as a hand of the face's own
#: tone does, so this is strict: opaque covers are found, a hand is mostly not.
DEVIATION = {"brows": 6.0, "eyes": 8.0, "lower": 8.0}
MIN_SHARE = {"brows": 0.6, "eyes": 0.4, "lower": 0.5}
#: A look's hand counts when its palm scored at least HAND_MIN (the lowest that keeps false
#: covers on hand-free synthetic-rom and the synthesiser's expressions within 2 %;
#: benchmarks/occlusion.py --choose-hand) and the hand model is sure of it (MediaPipe's
#: default, facs.face._hands.HAND_PRESENCE); it hides a region when it holds HIDDEN_SHARE
#: of one side's features (a coder cannot score a half-hidden side).
HAND_MIN = 0.1
HIDDEN_SHARE = 0.5
#: Skin points of the eye region (below the eyes, the bridge of the nose): at least
#: ``EYE_SKIN_MIN`` of them must have changed too for a colour cover of the eyes. The
#: region's other 16 points sit on the lid margins, whose squares take in the eyeball:
#: the eyes turning, the lids closing or the cheeks pushing up the lower lids change
#: their colour as a cover does, but not the skin's. On the synthesiser's renders of
#: every code at A-E (benchmarks/README.md, "Eye colour covers"), 43C-E, 61C-E,
#: 62B-E and 63C-D were taken as covers without it and none is with it; pasted covers
#: on synthetic-rom keep their recall (0.74, precision 1.00); with 3 of the 7 required,
#: recall fell to 0.58.
EYE_SKIN = (117, 346, 118, 347, 6, 168, 197)
EYE_SKIN_MIN = 1
#: Colour is compared only among frames whose head yaw and pitch lie within this many
#: degrees of the face's median pose (with 74's release): turning changes the light on
#: the face as much as a cover does (the synthesiser's head turned 19-28 degrees read
#: as 73, the whole face covered). Chosen as the thresholds above were
#: (benchmarks/README.md, "Eye colour covers and covers on a turned head"): the largest
#: of 25, 20, 18, 16, 14, 12 that keeps false eye and lower-face covers within 2 % of
#: the synthesiser's renders of every code at A-E (a turning head passes through every
#: angle): 18 (0.008 and 0.016; with no limit 0.035 and 0.043). Pasted covers on
#: synthetic-rom, whose clips turn the head too: lower-face recall 0.41 -> 0.36 (a
#: cover held while the head is turned further is left to the hand model); brows,
#: eyes and precision unchanged.
COLOUR_POSE_DEG = 18.0
MIN_SPREAD = 0.01  # colour units (0-1 per channel)
MIN_COVER_S = 0.5  # expression apexes are shorter; a cover by a hand longer (false covers on
# uncovered synthetic-rom frames 1-2 % with 0.2 s, 0.4-1.7 % with 0.5 s)
_SLICES: dict[str, slice] = {}
_start = 0
for _name, _pts in APPEARANCE_REGIONS.items():
    _SLICES[_name] = slice(_start, _start + len(_pts))
    _start += len(_pts)
_EYE_SKIN_AT = np.array([APPEARANCE_REGIONS["eyes"].index(p) for p in EYE_SKIN])


def _deviations(appearance: np.ndarray) -> np.ndarray:
    """Per frame and point: distance from the point's reference in robust spreads."""
    a = appearance.astype(np.float64) / 255.0
    # Light: each frame scaled by the median brightness ratio to the typical look over
    # the points of the region that changed least (a cover elsewhere leaves it alone).
    lum = a.mean(axis=2)
    ratio = lum / np.maximum(np.median(lum, axis=0), 1e-3)
    spreads = [np.median(np.abs(np.log(np.maximum(ratio[:, part], 1e-3))), axis=1)
               for part in _SLICES.values()]  # fmt: skip
    calmest = np.argmin(np.stack(spreads, axis=1), axis=1)
    parts = list(_SLICES.values())
    factor = np.array([np.median(ratio[t, parts[calmest[t]]]) for t in range(len(a))])
    a = a / np.maximum(factor, 1e-3)[:, None, None]
    ref = np.median(a, axis=0)
    d = np.linalg.norm(a - ref, axis=2)
    typical = np.median(d, axis=1) <= np.median(np.median(d, axis=1))
    ref = np.median(a[typical], axis=0)
    d = np.linalg.norm(a - ref, axis=2)
    spread = 1.4826 * np.median(np.abs(d[typical] - np.median(d[typical], axis=0)), axis=0)
    scale = np.maximum(np.median(d[typical], axis=0) + spread, MIN_SPREAD)
    return np.asarray(d / scale)


def _cover_rows(time_s: np.ndarray) -> int:
    """``MIN_COVER_S`` in rows of ``time_s`` (their median step; 30 fps for one row).

    >>> _cover_rows(np.arange(10) / 25)
    12
    """
    step = float(np.median(np.diff(time_s))) if len(time_s) > 1 else 1 / 30
    return max(1, round(MIN_COVER_S / max(step, 1e-6)))


def _hold(mask: np.ndarray, frames: int, *, inner: bool = False) -> np.ndarray:
    """Drop runs of True shorter than ``frames`` (``inner``: only runs not at either end).

    >>> _hold(np.array([1, 1, 0, 1, 1, 1, 0, 0]).astype(bool), 3).astype(int).tolist()
    [0, 0, 0, 1, 1, 1, 0, 0]
    >>> _hold(np.array([1, 0, 1, 1, 1, 0]).astype(bool), 2, inner=True).astype(int).tolist()
    [1, 0, 1, 1, 1, 0]
    """
    out = mask.copy()
    if frames <= 1:
        return out
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    for s, e in zip(edges[::2], edges[1::2], strict=True):
        if e - s < frames and not (inner and (s == 0 or e == len(mask))):
            out[s:e] = False
    return out


def hand_covers(hand: np.ndarray, time_s: np.ndarray) -> dict[str, np.ndarray]:
    """Per region, a bool per frame: a hand hides it (from the looks of :mod:`facs.face._hands`).

    ``hand`` (N, 5) holds the looks (:data:`facs.face._hands.LOOK_FIELDS`), NaN
    rows where none was taken; each frame takes the nearest look within three
    quarters of the usual gap between looks. A hand lost for less than
    ``MIN_COVER_S`` between two covers is the same hand (the hand model loses
    a hand for a look or two when it turns): the gap is covered too.

    >>> t = np.arange(8) / 10
    >>> looks = np.full((8, 5), np.nan)
    >>> looks[0], looks[4] = (0.9, 0.95, 0.0, 0.1, 0.8), (0.02, 0.0, 0.0, 0.0, 0.0)
    >>> hand_covers(looks, t)["lower"].astype(int).tolist()
    [1, 1, 1, 0, 0, 0, 0, 0]
    """
    from facs.face._hands import HAND_PRESENCE

    n = len(time_s)
    looked = np.flatnonzero(np.isfinite(hand[:, 0])) if n else np.zeros(0, np.int64)
    out = {r: np.zeros(n, dtype=bool) for r in COVER_CODES}
    if not len(looked):
        return out
    at = time_s[looked]
    gap = float(np.percentile(np.diff(at), 90)) if len(at) > 1 else 0.0
    order = np.clip(np.searchsorted(at, time_s), 1, max(len(at) - 1, 1))
    left = np.clip(order - 1, 0, len(at) - 1)
    right = np.clip(order, 0, len(at) - 1)
    nearest = np.where(np.abs(time_s - at[left]) <= np.abs(at[right] - time_s), left, right)
    close = np.abs(time_s - at[nearest]) <= 0.75 * gap + 1e-9
    look = hand[looked[nearest]]
    sure = (look[:, 0] >= HAND_MIN) & (look[:, 1] >= HAND_PRESENCE) & close
    bridge = _cover_rows(time_s)
    for k, region in enumerate(COVER_CODES):
        out[region] = ~_hold(~(sure & (look[:, 2 + k] >= HIDDEN_SHARE)), bridge, inner=True)
    return out


def covered_regions(
    appearance: np.ndarray,
    time_s: np.ndarray | None = None,
    hand: np.ndarray | None = None,
    skip: np.ndarray | None = None,
    pose: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Per region (``brows``, ``eyes``, ``lower``), a bool per frame: covered.

    ``appearance`` is one face's samples in time order, shape (N, P, 3); rows
    of zeros (not sampled) are never covered by colour. Fewer than 10 sampled
    frames (a still) give no cover by colour: there is no uncovered look to
    compare with.
    ``hand`` (N, 5) holds the looks for hands (:func:`hand_covers`): what a
    hand hides is covered too, in stills as well.
    ``skip`` (N,) marks rows left out of the colour comparison, as if not sampled:
    a face turned away (:func:`unscorable`, 74) looks unlike the face, and a take
    turned away for most of its length would otherwise make that its typical look
    and call every frontal frame covered.
    ``pose`` (N, 3: yaw, pitch, roll in degrees) leaves out of the colour comparison
    the rows turned more than ``COLOUR_POSE_DEG`` from the face's median pose (with
    74's 3 degrees of release). Rows left out by ``skip`` or ``pose`` count as not
    sampled, also for the 10 a colour comparison needs; a hand still covers them.

    >>> rng = np.random.default_rng(0)
    >>> a = np.clip(rng.normal(150, 3, (60, 92, 3)), 0, 255).astype(np.uint8)
    >>> a[20:40, 47:] = 90  # something dark over the lower face for 20 frames
    >>> cover = covered_regions(a, np.arange(60) / 30)
    >>> int(cover["lower"].sum()), int(cover["brows"].sum())
    (20, 0)
    """
    n = len(appearance)
    times = time_s if time_s is not None else np.arange(n) / 30
    by_hand = (
        hand_covers(hand, times) if hand is not None and n else
        {r: np.zeros(n, dtype=bool) for r in COVER_CODES}
    )  # fmt: skip
    sampled = appearance.reshape(n, -1).any(axis=1) if n else np.zeros(0, dtype=bool)
    if skip is not None and n:
        sampled &= ~np.asarray(skip, dtype=bool)
    if pose is not None and sampled.any():
        sampled &= ~_turned_from_typical(np.asarray(pose), np.asarray(sampled, dtype=bool))
    if int(sampled.sum()) < 10:  # a still: no uncovered look to compare colours with
        return by_hand
    dev = np.zeros(appearance.shape[:2])
    dev[sampled] = _deviations(appearance[sampled])
    hold = _cover_rows(times)
    out = {}
    for region, part in _SLICES.items():
        changed = dev[:, part] > DEVIATION[region]
        share = changed.mean(axis=1)
        limit = max(MIN_SHARE[region], _split(share[sampled]))
        hit = (share >= limit) & sampled
        if region == "eyes":  # not the eyes' own movement: the skin around them changed too
            hit &= changed[:, _EYE_SKIN_AT].sum(axis=1) >= EYE_SKIN_MIN
        out[region] = _hold(hit | by_hand[region], hold)
    return out


def unscorable(pose: np.ndarray) -> np.ndarray:
    """Per row of ``pose`` (N, 3: yaw, pitch, roll in degrees; one face's rows in time
    order): is the face turned too far from the camera to be scored (FACS 74)?

    Past :data:`UNSCORABLE_YAW_DEG` or :data:`UNSCORABLE_PITCH_DEG`, and on either side
    while the pose stays within :data:`UNSCORABLE_RELEASE_DEG` of a limit. NaN rows are
    not.

    >>> yaw = [10.0, 43.0, 46.0, 44.0, 43.0, 30.0, -62.0, np.nan, 0.0]
    >>> pitch = [0.0] * 8 + [-38.0]
    >>> unscorable(np.array([[y, p, 0.0] for y, p in zip(yaw, pitch)])).astype(int).tolist()
    [0, 1, 1, 1, 1, 0, 1, 0, 1]
    """
    angles = np.abs(np.asarray(pose, dtype=np.float64).reshape(-1, 3)[:, :2])
    over = np.nan_to_num(angles, nan=0.0) - (UNSCORABLE_YAW_DEG, UNSCORABLE_PITCH_DEG)
    return _past(over.max(axis=1))  # degrees past the nearer limit (negative: inside both)


def unscorable_from_neutral(pose: np.ndarray, neutral_pose: np.ndarray) -> np.ndarray:
    """Per row of ``pose`` (one face's rows in time order): bowed or raised further from
    the pitch of the face's own neutral (``neutral_pose``: yaw, pitch, roll) than
    :data:`UNSCORABLE_FROM_NEUTRAL_PITCH_DEG` allows, with the release of
    :func:`unscorable`.

    >>> pitch = [0.0, 12.0, -20.0, -23.0, -19.0, -10.0, np.nan, 28.0, 31.0]
    >>> pose = np.array([[0.0, p, 0.0] for p in pitch])
    >>> unscorable_from_neutral(pose, np.array([0.0, 1.0, 0.0])).astype(int).tolist()
    [0, 0, 1, 1, 1, 0, 0, 1, 1]
    """
    bowed, raised = UNSCORABLE_FROM_NEUTRAL_PITCH_DEG
    d = np.asarray(pose, dtype=np.float64).reshape(-1, 3)[:, 1] - float(neutral_pose[1])
    off = np.where(d < 0, -d - bowed, d - raised)
    return _past(np.where(np.isfinite(off), off, -np.inf))


def _past(excess: np.ndarray) -> np.ndarray:
    """Rows past a limit (``excess``: degrees past it, in time order), and the rows around
    them while within :data:`UNSCORABLE_RELEASE_DEG` of it: a pose held at a limit does not
    flicker across it. NaN is never near.

    >>> _past(np.array([-5.0, -2.0, 1.0, -2.0, -4.0, np.nan, -1.0])).astype(int).tolist()
    [0, 1, 1, 1, 0, 0, 0]
    """
    from facs.timeline import _hysteresis

    excess = np.asarray(excess, dtype=np.float64)
    starts, ends = _hysteresis(  # runs above -release (strictly) that pass 0 (strictly)
        excess, np.zeros(max(len(excess) - 1, 0), dtype=bool),
        on=float(np.nextafter(0.0, 1.0)), off=float(np.nextafter(-UNSCORABLE_RELEASE_DEG, 0.0)),
    )  # fmt: skip
    out = np.zeros(len(excess), dtype=bool)
    for start, end in zip(starts, ends, strict=True):
        out[start:end] = True
    return out


def _turned_from_typical(pose: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Rows (in time order) whose yaw or pitch is more than ``COLOUR_POSE_DEG`` from the
    median of ``rows`` with a pose, with the same release as 74 (:func:`_past`); a row
    with no pose is not turned.

    >>> pose = np.array([[0.0, 0, 0], [2, 1, 0], [25, 0, 0], [19, 0, 0], [1, -25, 0],
    ...                  [np.nan] * 3])
    >>> _turned_from_typical(pose, np.ones(6, bool)).tolist()
    [False, False, True, True, True, False]
    """
    angles = np.asarray(pose, dtype=np.float64).reshape(len(rows), 3)[:, :2]
    known = rows & np.isfinite(angles).all(axis=1)
    if not known.any():
        return np.zeros(len(rows), dtype=bool)
    off = np.abs(angles - np.median(angles[known], axis=0)) - COLOUR_POSE_DEG
    return _past(np.where(np.isfinite(off), off, -np.inf).max(axis=1))


def _split(share: np.ndarray) -> float:
    """Otsu's threshold on a clip's deviating shares: the cut between its two groups."""
    values = np.sort(share)
    if values.size < 2 or values[-1] - values[0] < 1e-9:
        return 1.0
    cuts = np.unique(values)[1:]
    best, where = -1.0, 1.0
    for c in cuts:
        lo, hi = values[values < c], values[values >= c]
        between = lo.size * hi.size * (hi.mean() - lo.mean()) ** 2
        if between > best:
            best, where = between, float(c)
    return where


def region_columns(columns: list[str] | tuple[str, ...], region: str) -> list[str]:
    """The code columns a covered region hides (brows: 1, 2, 4; eyes: 5, 6, 7, 43-46, gaze …)."""
    from facs.au._regions import region_of

    hides = {"brows": {"brows"}, "eyes": {"eyes", "gaze"}, "lower": {"lower", "nose"}}[region]
    head = {f"AU{n}" for n in range(51, 59)}  # the head's position is seen whatever covers
    return [
        c
        for c in columns
        if c[:2] in ("AU", "AD") and c.split("_")[0] not in head and region_of(c) in hides
    ]


#: A region whose own codes read this (C) or more in a frame is acting, not covered.
ACTING = 3.0
#: Codes whose action is the lips vanishing from view (28: sucked in): a cover over the
#: mouth hides them the same way, so the landmarker reading them strong under a cover is
#: no sign of acting (a dark box over the mouth of a render read 28 at 3.3).
NOT_ACTING_EVIDENCE = frozenset({"AU28"})


def acting_not_covered(
    flags: np.ndarray,
    columns: dict[str, np.ndarray],
    by_hand: np.ndarray | None = None,
    time_s: np.ndarray | None = None,
) -> np.ndarray:
    """Cover flags (N, 3) less the frames where the region's own codes read C or more.

    Strong expressions (wrinkles over raised brows, teeth in an open mouth)
    change the colour under the landmarks as a cover does; a cover seldom
    leaves the landmarker reading a strong action there. Where both hold, the
    action is kept: blanking a real 1E is worse than scoring a covered brow.
    Covers a hand was seen making (``by_hand``, (N, 3)) stay: under a hand the
    landmarker guesses, and its guess may well read strong.

    With ``time_s`` (the rows' times), what is left of a colour cover between
    acting frames and shorter than ``MIN_COVER_S`` is dropped too, as any
    colour cover that short is (:func:`covered_regions`): the rise and fall
    of an expression around its C+ frames are no cover (the README demo's
    raised brows kept one- and two-frame slivers of 70 at each edge and split
    1 and 2 into three events). Slivers at either end of the rows stay: the
    cover may go on in the next chunk.

    >>> flags = np.array([[True, False, True], [True, False, True]])
    >>> cols = {"AU01": np.array([4.0, 0.2]), "AU12": np.array([0.0, 0.0])}
    >>> acting_not_covered(flags, cols).tolist()
    [[False, False, True], [True, False, True]]
    """
    out = flags.copy()
    hold = _cover_rows(time_s) if time_s is not None and len(time_s) > 1 else 1
    for k, region in enumerate(COVER_CODES):
        names = [
            c
            for c in region_columns(list(columns), region)
            if "_" not in c and c not in NOT_ACTING_EVIDENCE
        ]
        if not names:
            continue
        strongest = np.nanmax(np.stack([columns[c] for c in names]), axis=0, initial=0.0)
        acting = strongest >= ACTING
        hand = by_hand[:, k] if by_hand is not None else np.zeros(len(out), dtype=bool)
        acting &= ~hand
        if not acting.any():
            continue
        out[:, k] &= ~acting
        out[:, k] = _hold(out[:, k], hold, inner=True) | (out[:, k] & hand)
    return out
