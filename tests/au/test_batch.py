"""The AU stage as array functions: rows for the neutral, the neutral, the codes."""

from __future__ import annotations

import numpy as np
import pytest

from facs import InputError
from facs.au import load_estimator
from facs.au._batch import (
    add_head_positions,
    baseline_rows,
    estimate,
    face_rows,
    select_baseline,
)
from facs.face._batch import FaceBatch


@pytest.fixture(scope="module")
def est():  # type: ignore[no-untyped-def]
    return load_estimator()


def _face(est, n: int = 60, *, smile_from: int = 30) -> FaceBatch:  # type: ignore[no-untyped-def]
    """A face whose landmarks are the population neutral; it smiles from ``smile_from``."""
    shape = est.population.shape.astype(np.float32)
    span = float((shape.max(axis=0) - shape.min(axis=0))[:2].max())
    xy = (shape - shape.min(axis=0)) / span  # one scale: the population's own proportions
    lm = np.repeat((0.3 + 0.4 * xy)[None], n, axis=0).astype(np.float32)
    lm[..., 1] = 1.0 - lm[..., 1]  # image y runs down
    bs = np.repeat(est.population.blendshapes[None], n, axis=0).astype(np.float32)
    bs[smile_from:, 44:46] = 0.9  # mouthSmile
    return FaceBatch(
        frame=np.arange(n), time_s=np.arange(n) / 30, face=np.zeros(n, np.int64),
        landmarks=lm, blendshapes=bs, pose=np.zeros((n, 3)), confidence=np.ones(n),
        appearance=np.zeros((n, 92, 3), np.uint8), hand=np.full((n, 5), np.nan, np.float32),
        width=400, height=400,
    )  # fmt: skip


def test_neutral_rows_are_calm_uncovered_or_marked(est) -> None:  # type: ignore[no-untyped-def]
    face = _face(est)
    calm = baseline_rows(face.blendshapes, face.time_s)
    assert len(calm) >= 10 and calm.max() < 30  # the smile never enters
    covered = np.zeros(len(face), bool)
    covered[:20] = True
    assert set(baseline_rows(face.blendshapes, face.time_s, covered=covered)) <= set(range(20, 30))
    marked = baseline_rows(face.blendshapes, face.time_s, neutral=(1.0, 1.2))
    assert marked.tolist() == [30, 31, 32, 33, 34, 35, 36]
    assert len(baseline_rows(face.blendshapes[:5], face.time_s[:5])) == 0  # too few


def test_select_baseline_kinds(est) -> None:  # type: ignore[no-untyped-def]
    face = _face(est)
    rows = baseline_rows(face.blendshapes, face.time_s)
    own = select_baseline(face[rows], est)
    assert own.kind in ("auto", "partial") and own.n_frames == len(rows)
    assert select_baseline(face[rows], est, own=False) is est.population
    assert select_baseline(None, est) is est.population
    with pytest.raises(InputError, match="neutral span 5-6 s"):
        select_baseline(None, est, neutral=(5.0, 6.0))
    marked = select_baseline(face[:10], est, neutral=(0.0, 0.3))
    assert marked.kind == "manual"


def test_estimate_scores_each_row(est) -> None:  # type: ignore[no-untyped-def]
    face = _face(est)
    # Its neutral marked (this drawn face is no population face: left to find its own
    # neutral, its calm frames read as actions against the population's and are not taken)
    rows = baseline_rows(face.blendshapes, face.time_s, neutral=(0.0, 0.9))
    base = select_baseline(face[rows], est, neutral=(0.0, 0.9))
    cols, size = estimate(face, base, est)
    assert len(cols["AU12"]) == len(face) == len(size)
    assert np.isnan(cols["AD19"]).all()  # withheld: MediaPipe sees no tongue
    at_rest = max(float(np.nanmax(v[:30])) for c, v in cols.items() if c != "AD19")
    assert at_rest < 0.5  # the neutral reads as nothing
    assert float(np.nanmin(cols["AU12"][30:])) >= 1.5  # the smile: 12 at B or more


def test_face_rows_blank_what_is_covered(est) -> None:  # type: ignore[no-untyped-def]
    from facs.au._visibility import COVER_COLUMNS
    from facs.series import BOX_COLUMNS, FRAME_COLUMNS

    face = _face(est)
    base = select_baseline(face[baseline_rows(face.blendshapes, face.time_s)], est)
    covered = np.zeros((len(face), 3), bool)
    covered[:10, 2] = True  # the lower face, while calm
    table = face_rows(face, base, est, covered)
    assert len(table) == len(face)
    assert set(FRAME_COLUMNS) | set(BOX_COLUMNS) | set(COVER_COLUMNS) | {"_size"} <= set(table)
    assert table["AU12"][:10].isna().all() and table["AU12"][10:].notna().all()
    assert table["AU01"].notna().all()  # the brows were seen
    assert table[COVER_COLUMNS[2]][:10].eq(1).all() and table[COVER_COLUMNS[2]][10:].eq(0).all()
    assert (table["face"] == 0).all() and (table["success"] == 1).all()
    assert table["box_w"].gt(100).all()  # the face fills 40 % of a 400 px frame


def test_head_positions_over_the_whole_series(est) -> None:  # type: ignore[no-untyped-def]
    face = _face(est, n=90)
    pose = np.zeros((90, 3))
    pose[30:, 0] = 25.0  # a steady turn for two seconds
    face = FaceBatch(**{**face.__dict__, "pose": pose})
    base = select_baseline(face[baseline_rows(face.blendshapes, face.time_s)], est)
    table = add_head_positions(face_rows(face, base, est, np.zeros((90, 3), bool)), {0: base})
    assert "_size" not in table
    turned = table[["AU51", "AU52"]].iloc[45:].max(axis=1)
    assert turned.min() >= 1.0 and table[["AU51", "AU52"]].iloc[:20].max().max() < 0.5


def test_a_face_turned_away_is_unscorable_but_its_head_is_scored(est) -> None:  # type: ignore[no-untyped-def]
    from facs.au._visibility import UNSCORABLE_COLUMN, UNSCORABLE_YAW_DEG
    from facs.timeline import frame_codes

    face = _face(est, n=90)
    pose = np.zeros((90, 3))
    pose[40:70, 0] = UNSCORABLE_YAW_DEG + 10.0  # turned past the limit for a second
    face = FaceBatch(**{**face.__dict__, "pose": pose})
    base = select_baseline(face[baseline_rows(face.blendshapes, face.time_s)], est)
    table = add_head_positions(face_rows(face, base, est, np.zeros((90, 3), bool)), {0: base})
    away = slice(40, 70)
    assert table[UNSCORABLE_COLUMN].iloc[away].eq(1).all()
    assert table[UNSCORABLE_COLUMN].drop(index=range(40, 70)).eq(0).all()
    codes = [c for c in table.columns if c[:2] in ("AU", "AD") and not c.startswith("AU5")]
    assert table[codes].iloc[away].isna().all().all()  # every action blank (not 0)
    assert table["AU12"].iloc[70:].notna().all()  # scored again once it turns back
    assert table["AU51"].iloc[50:65].min() >= 4.5  # the head's turn is seen: 51E
    strings = frame_codes(table)
    assert strings.iloc[55] == "51E+74" and "74" not in strings.iloc[80]


def test_a_head_bowed_far_is_unscorable_too(est) -> None:  # type: ignore[no-untyped-def]
    from facs.au._visibility import UNSCORABLE_COLUMN, UNSCORABLE_PITCH_DEG

    face = _face(est, n=60)
    pose = np.zeros((60, 3))
    pose[20:40, 1] = -(UNSCORABLE_PITCH_DEG + 5.0)
    face = FaceBatch(**{**face.__dict__, "pose": pose})
    base = select_baseline(face[baseline_rows(face.blendshapes, face.time_s)], est)
    table = face_rows(face, base, est, np.zeros((60, 3), bool))
    assert table[UNSCORABLE_COLUMN].tolist() == [0.0] * 20 + [1.0] * 20 + [0.0] * 20
    assert table["AU12"].iloc[20:40].isna().all()
