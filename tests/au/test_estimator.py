"""Tests for facs.au._estimator: baseline, model file, per-code columns."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facs.au._estimator import (
    WITHHELD,
    Baseline,
    blendshape_mapping,
    calm_scores,
    find_baseline,
    head_series,
    load_estimator,
    raw_blendshape_columns,
)
from facs.face import BLENDSHAPE_NAMES
from facs.series import CODE_COLUMNS, FRAME_COLUMNS, SIDE_COLUMNS


@pytest.fixture(scope="module")
def est():  # type: ignore[no-untyped-def]
    return load_estimator()


def test_model_file_is_complete(est) -> None:  # type: ignore[no-untyped-def]
    m = est.model
    assert est.reference.shape == (478, 3)
    assert m.weights.shape == (len(m.mean), len(m.outputs))
    assert set(m.outputs) <= set(FRAME_COLUMNS)
    assert {"AU12_L", "AU12_R", "AU43_L", "AU26", "AD34"} <= set(m.outputs)
    fitted = {c for clips in est.info["fitted_on"].values() for c in clips}
    assert len(est.info["fitted_on"]) >= 3  # rigs
    assert est.info["held_out"] and not set(est.info["held_out"]) & fitted
    # the reference is frontal and in inter-ocular units
    assert np.linalg.norm(est.reference[263] - est.reference[33]) == pytest.approx(1.0, abs=1e-3)
    assert est.reference[263, 0] > est.reference[33, 0]  # subject's left is +x
    assert est.reference[10, 1] > est.reference[152, 1]  # forehead above chin


def test_neutral_face_scores_no_action(est) -> None:  # type: ignore[no-untyped-def]
    n = 5
    aligned = np.repeat(est.population.shape[None], n, axis=0)
    bs = np.repeat(est.population.blendshapes[None], n, axis=0)
    cols = est.estimate(
        aligned=aligned, size=np.full(n, 100.0), blendshapes=bs, pose=np.zeros((n, 3)),
        baseline=Baseline(est.population.shape, est.population.blendshapes, np.zeros(3), 100.0,
                          "auto"),
    )  # fmt: skip
    assert set(cols) == set(CODE_COLUMNS) | set(SIDE_COLUMNS)
    strongest = max(float(np.nanmax(v)) for c, v in cols.items() if c not in WITHHELD)
    assert strongest < 1.0  # nothing reaches A on the neutral itself


def test_withheld_codes_are_blank_unless_asked(est) -> None:  # type: ignore[no-untyped-def]
    """AD19 is read (the benchmarks score it) but not written: MediaPipe sees no tongue."""
    n = 3
    aligned = np.repeat(est.population.shape[None], n, axis=0)
    aligned[:, 152, 1] -= 0.4  # the chin dropped: the reading that follows the open mouth
    bs = np.repeat(est.population.blendshapes[None], n, axis=0)
    kwargs = dict(aligned=aligned, size=np.full(n, 100.0), blendshapes=bs,
                  pose=np.zeros((n, 3)), baseline=est.population)  # fmt: skip
    assert set(WITHHELD) == {"AD19"}
    assert np.isnan(est.estimate(**kwargs)["AD19"]).all()
    assert np.isfinite(est.estimate(**kwargs, withhold=False)["AD19"]).all()


def test_head_positions_follow_pose(est) -> None:  # type: ignore[no-untyped-def]
    aligned = np.repeat(est.population.shape[None], 4, axis=0)
    bs = np.repeat(est.population.blendshapes[None], 4, axis=0)
    pose = np.array([[30, 0, 0], [-15, 0, 0], [0, 20, 0], [0, 0, -20]], dtype=float)
    base = Baseline(est.population.shape, est.population.blendshapes, np.zeros(3), 100.0, "auto")
    cols = est.estimate(aligned=aligned, size=np.array([100.0, 100, 100, 106]), blendshapes=bs,
                        pose=pose, baseline=base)  # fmt: skip
    assert cols["AU51"][0] == pytest.approx(5.0) and cols["AU52"][0] == 0
    assert 2.0 < cols["AU52"][1] < 3.0
    assert cols["AU53"][2] == pytest.approx(5.0)
    assert cols["AU56"][3] == pytest.approx(5.0) and cols["AU57"][3] == pytest.approx(5.0)


def test_baseline_uses_calmest_frames(est) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    n = 100
    bs = np.abs(rng.normal(0, 0.02, (n, len(BLENDSHAPE_NAMES)))).astype(np.float32)
    smile = BLENDSHAPE_NAMES.index("mouthSmileLeft")
    bs[50:, smile] = 0.9  # second half smiles
    aligned = np.repeat(est.reference[None], n, axis=0).astype(np.float32)
    aligned[50:, 61, 1] += 0.1
    times = np.arange(n) / 30
    base = find_baseline(
        aligned=aligned,
        blendshapes=bs,
        pose=np.zeros((n, 3)),
        size=np.full(n, 80.0),
        time_s=times,
        population=est.population,
    )
    assert base.kind == "auto" and base.n_frames == 20
    assert base.blendshapes[smile] < 0.1 and base.shape[61, 1] == pytest.approx(
        est.reference[61, 1]
    )
    manual = find_baseline(
        aligned=aligned,
        blendshapes=bs,
        pose=np.zeros((n, 3)),
        size=np.full(n, 80.0),
        time_s=np.arange(n) / 30,
        population=est.population,
        span=(2.0, 3.0),
    )
    assert manual.kind == "manual" and manual.blendshapes[smile] > 0.5
    few = find_baseline(
        aligned=aligned[:3],
        blendshapes=bs[:3],
        pose=np.zeros((3, 3)),
        size=np.full(3, 80.0),
        time_s=times[:3],
        population=est.population,
    )
    assert few.kind == "population"
    assert calm_scores(bs)[60] > calm_scores(bs)[10]


def test_raw_mapping_covers_reference_table() -> None:
    shapes = {s for s, _ in blendshape_mapping()}
    assert shapes <= set(BLENDSHAPE_NAMES)
    assert {"mouthSmileLeft", "jawOpen", "browInnerUp", "eyeBlinkRight"} <= shapes
    base = Baseline(np.zeros((478, 3)), np.zeros(52, np.float32), np.zeros(3), 1.0, "auto")
    bs = np.zeros((1, 52), np.float32)
    bs[0, BLENDSHAPE_NAMES.index("mouthSmileLeft")] = 0.6
    cols = raw_blendshape_columns(bs, base)
    assert cols["AU12_L"][0] == pytest.approx(3.0) and cols["AU12_R"][0] == 0


def test_population_neutral_has_a_noise_floor_and_pose_bias(est) -> None:  # type: ignore[no-untyped-def]
    assert est.population_floor is not None
    assert est.population_floor.shape == (len(est.model.outputs),)
    # below C everywhere; the brows' floor is highest (2 reaches 2.89): the rigs' neutral brow
    # heights differ more than their brow actions move them (benchmarks/README.md, "Stills")
    # 95th percentile of identity differences read as actions: up to 3.2 (2, whose letter
    # gain is 1.35) since the estimator was fitted on unsmoothed landmarks (2.9 before)
    assert (est.population_floor >= 0).all() and (est.population_floor < 3.5).all()
    # MediaPipe reads pitch a few degrees low on frontal faces; the population pose holds it
    assert -10 < est.population.pose[1] < 0


def test_mirrored_face_swaps_sides(est) -> None:  # type: ignore[no-untyped-def]
    """A left-only smile mirrored must read as a right-only smile (mirror augmentation)."""
    ref = est.reference
    flipped = ref * np.array([-1.0, 1.0, 1.0])
    mirror = np.array([np.argmin(((ref - p) ** 2).sum(1)) for p in flipped])
    assert (mirror[mirror] == np.arange(478)).mean() > 0.95


def test_rectified_features_add_the_positive_parts() -> None:
    from facs.au._estimator import Model

    base = Baseline(np.zeros((478, 3), np.float32), np.zeros(52, np.float32), np.zeros(3), 1.0,
                    "auto")  # fmt: skip
    aligned = np.zeros((2, 478, 3), np.float32)
    aligned[0, 5] = (0.1, -0.2, 0.0)
    bs = np.zeros((2, 52), np.float32)
    bs[1, 3] = 0.5
    plain = Model(("AU01",), np.array([5]), np.zeros(1), np.ones(1), np.zeros((1, 1)),
                  np.zeros(1))  # fmt: skip
    rect = Model(("AU01",), np.array([5]), np.zeros(1), np.ones(1), np.zeros((1, 1)),
                 np.zeros(1), rectified=True)  # fmt: skip
    x, xr = plain.features(aligned, bs, base), rect.features(aligned, bs, base)
    assert xr.shape == (2, 2 * x.shape[1])
    np.testing.assert_array_equal(xr[:, : x.shape[1]], x)
    np.testing.assert_array_equal(xr[:, x.shape[1] :], np.maximum(x, 0))
    assert xr[0, x.shape[1] + 1] == 0.0 and xr[0, x.shape[1]] == np.float32(0.1)


def _still_base(est) -> Baseline:  # type: ignore[no-untyped-def]
    return Baseline(est.population.shape, est.population.blendshapes, np.zeros(3), 100.0, "auto")


def test_head_series_is_steady_under_jitter(est) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(3)
    n = 900  # 30 s at 30 fps, the head still
    pose = rng.normal(0.0, 1.0, (n, 3))
    pose[rng.choice(n, 20, replace=False)] += rng.choice([-25.0, 25.0], (20, 3))  # lone glitches
    size = 100.0 * (1.0 + rng.normal(0.0, 0.004, n))
    cols = head_series(np.arange(n) / 30, pose, size, _still_base(est))
    for code in ("AU51", "AU52", "AU53", "AU54", "AU55", "AU56", "AU57", "AU58"):
        assert float(cols[code].max()) < 0.5, code


def test_head_series_lean_is_not_a_thrust(est) -> None:  # type: ignore[no-untyped-def]
    t = np.arange(600) / 30
    size = np.full(600, 100.0)
    size[150:240] = np.linspace(100.0, 110.0, 90)  # leans in over 3 s ...
    size[240:] = 110.0  # ... and stays there (10 % bigger)
    thrust = np.full(600, 100.0)
    thrust[300:321] = 100.0 * (1.0 + 0.06 * np.sin(np.linspace(0, np.pi, 21)))  # a 0.7 s thrust
    base = _still_base(est)
    lean = head_series(t, np.zeros((600, 3)), size, base)
    assert float(np.mean(lean["AU57"] >= 0.5)) < 0.05
    jut = head_series(t, np.zeros((600, 3)), thrust, base)
    assert float(jut["AU57"][310]) >= 2.5 and float(jut["AU58"].max()) < 0.5


def test_head_series_keeps_missing_frames_blank(est) -> None:  # type: ignore[no-untyped-def]
    pose = np.zeros((10, 3))
    pose[4] = np.nan
    cols = head_series(np.arange(10) / 30, pose, np.full(10, 100.0), _still_base(est))
    assert np.isnan(cols["AU51"][4]) and cols["AU51"][3] == 0.0


def _take(est, n: int, *, smile_all: bool):  # type: ignore[no-untyped-def]
    """A take of ``n`` frames; the lips are apart in the second half or in every frame."""
    rng = np.random.default_rng(1)
    aligned = np.repeat(est.population.shape[None], n, axis=0).astype(np.float32)
    aligned += rng.normal(0, 0.002, aligned.shape).astype(np.float32)
    bs = np.repeat(est.population.blendshapes[None], n, axis=0).astype(np.float32)
    start = 0 if smile_all else n // 2
    aligned[start:, 14, 1] -= 0.15  # lower lip down: lips apart
    aligned[start:, [17, 84, 314], 1] -= 0.12
    bs[start:, BLENDSHAPE_NAMES.index("jawOpen")] = 0.3
    return aligned, bs


def test_take_with_no_calm_mouth_takes_the_population_there(est) -> None:  # type: ignore[no-untyped-def]
    n = 100
    kwargs = dict(pose=np.zeros((n, 3)), size=np.full(n, 80.0), time_s=np.arange(n) / 30,
                  population=est.population, estimator=est)  # fmt: skip
    aligned, bs = _take(est, n, smile_all=False)
    calm = find_baseline(aligned=aligned, blendshapes=bs, **kwargs)
    assert calm.kind == "auto" and calm.population_regions == ()
    aligned, bs = _take(est, n, smile_all=True)
    none = find_baseline(aligned=aligned, blendshapes=bs, **kwargs)
    # 9 shares the upper lip with the lower face: the nose follows it.
    assert none.kind == "partial" and none.population_regions == ("nose", "lower")
    assert "population neutral" in none.to_dict()["why_population"]["lower"]
    assert none.to_dict()["regions"]["lower"] == "population"
    assert none.to_dict()["regions"]["brows"] == "own calm frames"
    # The lower face is read against the population: the open lips still code 25.
    cols = est.estimate(aligned=aligned, size=np.full(n, 80.0), blendshapes=bs,
                        pose=np.zeros((n, 3)), baseline=none)  # fmt: skip
    assert float(np.median(cols["AU25"])) >= 1.0
    old = find_baseline(aligned=aligned, blendshapes=bs, **{**kwargs, "estimator": None})
    lip = est.population.shape[14, 1]
    assert old.shape[14, 1] < lip - 0.1  # the old rule took the open lips as the neutral
    assert abs(float(none.shape[14, 1] - lip)) < 1e-6  # now the population's closed lips


def _two_states(est, n: int, second: int, *, rest: bool = False):  # type: ignore[no-untyped-def]
    """Calm frames of two moments: lips apart (rows 0-9), then rows second..+9 with the
    corners up (or, with ``rest``, the face at rest); the other rows smile broadly."""
    rng = np.random.default_rng(2)
    aligned = np.repeat(est.population.shape[None], n, axis=0).astype(np.float32)
    aligned += rng.normal(0, 0.002, aligned.shape).astype(np.float32)
    bs = np.repeat(est.population.blendshapes[None], n, axis=0).astype(np.float32)
    smile = BLENDSHAPE_NAMES.index("mouthSmileLeft")
    calm_a, calm_b = np.arange(10), np.arange(second, second + 10)
    bs[:, smile] = 0.9
    bs[np.r_[calm_a, calm_b], smile] = 0.0
    aligned[calm_a, 14, 1] -= 0.4  # lips well apart (0.3 reads one state with the rest) ...
    aligned[calm_a[:, None], [17, 84, 314], 1] -= 0.32
    if not rest:
        aligned[calm_b[:, None], [61, 291], 1] += 0.35  # ... and the corners up
        aligned[calm_b, 61, 0] -= 0.15
        aligned[calm_b, 291, 0] += 0.15
    kwargs = dict(pose=np.zeros((n, 3)), size=np.full(n, 80.0), time_s=np.arange(n) / 30,
                  population=est.population, estimator=est)  # fmt: skip
    return aligned, bs, kwargs


def test_calm_frames_of_two_moments_take_the_one_at_rest(est) -> None:  # type: ignore[no-untyped-def]
    """A take with a short rest 2 s after a parted-lips moment: the rest is the neutral."""
    aligned, bs, kwargs = _two_states(est, 100, second=70, rest=True)
    base = find_baseline(aligned=aligned, blendshapes=bs, **kwargs)
    info = base.to_dict()
    assert base.kind == "span" and base.population_regions == (), info
    assert base.n_frames == 10 and "no one state" in info["why_span"]
    assert info["span_s"] == [round(70 / 30, 3), round(79 / 30, 3)]
    # The parted lips read against the rest (25 is the lips' gap: read either way).
    cols = est.estimate(aligned=aligned[:10], size=np.full(10, 80.0), blendshapes=bs[:10],
                        pose=np.zeros((10, 3)), baseline=base, letters=False)  # fmt: skip
    assert float(np.median(cols["AU25"])) >= 1.0


def test_calm_runs_hold_when_the_calm_frames_were_thinned(est) -> None:  # type: ignore[no-untyped-def]
    """A long take keeps every 30th calm frame: its rest is still one run."""
    from facs.au._estimator import CALM_RUN_GAP_S, _calmest_run

    aligned, bs, _ = _two_states(est, 100, second=70, rest=True)
    t = np.arange(100) * 30 / 30  # 1 s between kept frames
    assert np.diff(t)[0] > CALM_RUN_GAP_S
    run, level = _calmest_run(aligned, bs, np.r_[0:10, 70:80], t, est.population, est)
    assert run is not None and run.tolist() == list(range(70, 80)) and level < 3.0


def test_calm_frames_with_no_rest_take_the_population_where_mixed_most(est) -> None:  # type: ignore[no-untyped-def]
    """Crying, then laughing: two moments, neither at rest, or both in one run."""
    for second in (70, 10):  # 2 s apart, or one unbroken run of 20 frames
        aligned, bs, kwargs = _two_states(est, 100, second=second)
        mixed = find_baseline(aligned=aligned, blendshapes=bs, **kwargs)
        assert mixed.kind == "partial" and mixed.population_regions == ("nose", "lower")
        assert "no one state" in mixed.to_dict()["why_population"]["lower"]
    # One resting state with landmark noise only: its own neutral.
    still = find_baseline(aligned=aligned[20:], blendshapes=bs[20:] * 0, **{
        **kwargs, "pose": np.zeros((80, 3)), "size": np.full(80, 80.0),
        "time_s": np.arange(80) / 30})  # fmt: skip
    assert still.kind == "auto" and "why_population" not in still.to_dict()


def test_letter_gain_stretches_above_the_knee_only_and_is_saved(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from facs.au._estimator import LETTER_KNEE, Model, load_estimator, save_estimator

    model = Model(("AU01", "AU02"), np.array([5]), np.zeros(2), np.ones(2), np.eye(2),
                  np.zeros(2), letter_gain=np.array([2.0, 1.0]))  # fmt: skip
    z = np.array([[0.3, 0.3], [LETTER_KNEE, 2.0], [1.5, 1.5], [4.0, 4.0]])
    out = model.stretch(z)
    stretched = LETTER_KNEE + 2 * (1.5 - LETTER_KNEE)
    np.testing.assert_allclose(out[:, 0], [0.3, LETTER_KNEE, stretched, 5.0])
    np.testing.assert_allclose(out[:, 1], z[:, 1])  # gain 1: untouched
    # an actor's correction already maps what it corrects onto that actor's letters: no
    # stretch there; an output it leaves alone (gain 1, offset 0) keeps its stretch
    corrected = replace(model, correction=(np.array([1.0, 1.5]), np.zeros(2)))
    np.testing.assert_allclose(corrected.stretch(z)[:, 0], out[:, 0])
    np.testing.assert_array_equal(corrected.stretch(z)[:, 1], z[:, 1])
    both = replace(model, correction=(np.array([1.2, 1.5]), np.array([0.0, -0.1])))
    np.testing.assert_array_equal(both.stretch(z), z)
    est = load_estimator()
    assert est.model.letter_gain is not None and (est.model.letter_gain >= 1.0).all()
    path = tmp_path / "e.npz"
    gains = np.full(len(est.model.outputs), 1.5)
    save_estimator(replace(est, model=replace(est.model, letter_gain=gains)), path)
    assert np.allclose(load_estimator(str(path)).model.letter_gain, 1.5)


def test_pair_distances_are_features_after_the_blendshapes_and_are_saved(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from facs.au._estimator import Model, load_estimator, save_estimator

    base = Baseline(np.zeros((478, 3), np.float32), np.zeros(52, np.float32), np.zeros(3), 1.0,
                    "auto")  # fmt: skip
    base.shape[159] = (0.0, 0.1, 0.0)  # the neutral's lids 0.1 apart
    aligned = np.repeat(base.shape[None], 2, axis=0)
    aligned[1, 159] = (0.0, 0.25, 0.0)  # eye opened: lids 0.25 apart
    pairs = np.array([[159, 145]])
    model = Model(("AU05",), np.array([5]), np.zeros(1), np.ones(1), np.zeros((1, 1)),
                  np.zeros(1), rectified=True, pairs=pairs)  # fmt: skip
    x = model.features(aligned, np.zeros((2, 52), np.float32), base)
    assert x.shape == (2, 2 * (3 + 52 + 1))
    np.testing.assert_allclose(x[:, 3 + 52], [0.0, 0.15], atol=1e-6)  # distance minus neutral's
    np.testing.assert_allclose(x[:, -1], [0.0, 0.15], atol=1e-6)  # and its positive part
    est = load_estimator()
    assert est.model.pairs is not None and est.model.pairs.shape[1] == 2
    path = tmp_path / "e.npz"
    save_estimator(replace(est, model=replace(est.model, pairs=est.model.pairs[:3])), path)
    np.testing.assert_array_equal(load_estimator(str(path)).model.pairs, est.model.pairs[:3])


def test_a_turn_that_changes_the_read_size_is_not_head_forward_or_back(est) -> None:  # type: ignore[no-untyped-def]
    """While the head turns, bows or tilts, its size change is the rotation's."""
    t = np.arange(300) / 30
    pose = np.zeros((300, 3))
    bump = np.sin(np.linspace(0, np.pi, 21))
    pose[120:141, 0] = 30.0 * bump  # a 0.7 s turn to 30 degrees ...
    size = np.full(300, 100.0)
    size[120:141] *= 1.0 + 0.05 * bump  # ... that MediaPipe reads 5 % bigger
    size[220:241] *= 1.0 + 0.05 * bump  # and a real 0.7 s thrust, the head not turning
    cols = head_series(t, pose, size, _still_base(est))
    assert float(cols["AU57"][120:141].max()) < 0.5 and float(cols["AU58"].max()) < 0.5
    assert float(cols["AU51"][130]) >= 2.5  # the turn itself is scored
    assert float(cols["AU57"][230]) >= 2.5  # the thrust is too


def test_size_drift_with_pose_and_jaw_is_taken_out_and_saved(est, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from facs.au._estimator import drift_free_size, save_estimator, size_drift_basis

    assert BLENDSHAPE_NAMES[25] == "jawOpen"
    assert est.size_drift is not None and est.size_drift.shape == (6,)
    rng = np.random.default_rng(6)
    pose = rng.uniform(-25, 25, (50, 3))
    shapes = rng.uniform(0, 1, (50, 52))
    size = 100.0 * np.exp(size_drift_basis(pose, shapes) @ est.size_drift)
    assert np.ptp(size) > 2.0  # the drift the fit describes is several per cent
    np.testing.assert_allclose(drift_free_size(size, pose, shapes, est.size_drift), 100.0)
    # Estimator.align applies it when given the pose and blendshapes; it is saved.
    px = np.repeat(est.population.shape[None], 2, axis=0) * np.array([100, -100, -100]) + 300
    _, raw = est.align(px)
    _, freed = est.align(px, np.array([[0.0, 0, 0], [25.0, 0, 0]]), np.zeros((2, 52)))
    assert freed[0] == pytest.approx(raw[0]) and freed[1] != pytest.approx(raw[1])
    path = tmp_path / "e.npz"
    save_estimator(replace(est, size_drift=est.size_drift * 2), path)
    np.testing.assert_allclose(load_estimator(str(path)).size_drift, est.size_drift * 2)


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(
        st.tuples(st.floats(0.001, 0.2), st.one_of(st.floats(-50, 50), st.just(float("nan")))),
        min_size=1,
        max_size=60,
    ),
    window=st.floats(0.0, 1.0),
    half=st.integers(0, 4),
)
def test_rolling_median_is_the_median_of_each_frames_window(
    data: list[tuple[float, float]], window: float, half: int
) -> None:
    from facs.au._estimator import _rolling_median

    times = np.cumsum([d for d, _ in data])
    values = np.array([v for _, v in data])
    n = len(values)
    for kw in ({"times": times, "window_s": window}, {}):
        got = _rolling_median(values, half, **kw)  # type: ignore[arg-type]
        for i in range(n):
            if kw:
                lo = np.searchsorted(times, times[i] - window / 2, side="left")
                hi = np.searchsorted(times, times[i] + window / 2, side="right")
            else:
                lo, hi = max(0, i - half), min(n, i + half + 1)
            part = values[lo:hi][np.isfinite(values[lo:hi])]
            want = float(np.median(part)) if part.size and np.isfinite(values[i]) else np.nan
            np.testing.assert_equal(got[i], want)
