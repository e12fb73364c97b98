"""benchmarks/loro.py: the leave-one-rig-out model selection's building blocks."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import loro

from facs.au._estimator import Baseline, Model
from facs.au._regions import REGIONS
from facs.face import BLENDSHAPE_NAMES

OUTPUTS = ("AU12_L", "AU12_R", "AU04_L", "AU26")


def _clip(rng: np.random.Generator, rig: str, n: int = 200) -> loro.Clip:
    aligned = rng.normal(size=(n, 478, 3)).astype(np.float32) * 0.01
    bs = rng.uniform(0, 1, size=(n, 52)).astype(np.float32)
    base = Baseline(np.zeros((478, 3), np.float32), np.zeros(52, np.float32), np.zeros(3),
                    100.0, "auto")  # fmt: skip
    # AU12_L follows landmark 291's height, AU26 the jaw blendshape
    y12 = 5 * np.clip(aligned[:, 291, 1] * 50, 0, 1)
    targets = {"AU12_L": y12, "AU12_R": np.zeros(n), "AU04_L": np.zeros(n),
               "AU26": 5 * bs[:, BLENDSHAPE_NAMES.index("jawOpen")]}  # fmt: skip
    return loro.Clip(rig, f"{rig}_0", aligned, bs, base, targets, {"AU12_L", "AU26"})


def test_raw_blend_is_folded_exactly_into_the_weights() -> None:
    rng = np.random.default_rng(0)
    clips = [_clip(rng, "a"), _clip(rng, "b")]
    plain = loro.fit_model(clips, loro.Config("regional", alpha=0.01), OUTPUTS)
    blended = loro.fit_model(
        clips, loro.Config("regional", alpha=0.01, raw_blend=(("AU26", 0.5),)), OUTPUTS
    )
    c = clips[0]
    x = plain.features(c.aligned, c.blendshapes, c.base)
    raw = c.blendshapes[:, BLENDSHAPE_NAMES.index("jawOpen")] * 5.0
    expect = 0.5 * plain.generic(plain.standardise(x))[:, 3] + 0.5 * raw
    got = blended.generic(blended.standardise(x))[:, 3]
    np.testing.assert_allclose(got, expect, atol=1e-6)
    # other outputs are untouched
    np.testing.assert_allclose(blended.weights[:, 0], plain.weights[:, 0])


def test_each_output_reads_its_region_and_the_rectified_block() -> None:
    cfg = loro.Config("regional", alpha=0.01)
    _points, names = loro.feature_layout(cfg)
    mask = loro.output_masks(cfg, OUTPUTS, names)
    half = len(names) // 2
    assert names[half].startswith("+") and mask[:half].sum() == mask[half:].sum()
    brow = [n for n, m in zip(names, mask[:, 2], strict=True) if m and n.startswith("b:")]
    assert brow and all(n[2:].startswith(("browDown", "browInnerUp", "browOuterUp")) for n in brow)
    only_lm = loro.output_masks(loro.Config("r", sources=(("AU26", "landmarks"),)), OUTPUTS, names)
    assert not any(m for n, m in zip(names, only_lm[:, 3], strict=True) if "b:" in n)
    # landmark distances: the brow pairs for 4 (and their positive parts), none for 12 or 26
    dist = [n for n, m in zip(names, mask[:, 2], strict=True) if m and "d:" in n]
    brow_pairs = {f"d:{a}-{b}" for a, b in REGIONS["brows"].distances}
    assert {n.lstrip("+") for n in dist} == brow_pairs and len(dist) == 2 * len(brow_pairs)
    assert not any(m for n, m in zip(names, mask[:, 0], strict=True) if "d:" in n)
    blend_only = loro.Config("r", sources=(("AU04_L", "blendshapes"),))
    assert not any(m for n, m in zip(names, loro.output_masks(blend_only, OUTPUTS, names)[:, 2],
                                     strict=True) if "d:" in n)  # fmt: skip


def test_a_fitted_model_learns_the_signal_and_scores_it() -> None:
    rng = np.random.default_rng(1)
    clips = [_clip(rng, "a", 400), _clip(rng, "b", 400)]
    model = loro.fit_model(clips, loro.Config("regional", alpha=0.001), OUTPUTS)
    assert isinstance(model, Model) and model.rectified
    scores = loro.score(model, [_clip(rng, "c", 400)])
    assert scores["AU12_L"][0] > 0.8 and scores["AU26"][0] > 0.9
    raw = loro.score(None, [_clip(rng, "c", 400)])
    assert raw["AU26"][0] > 0.99  # the raw mapping reads jawOpen as 26


def _pick_inputs(
    gap: float,
) -> tuple[dict[str, dict[str, float]], loro.PerRig, dict[str, dict[str, tuple[float, float]]]]:
    """One code (AU26, mapped from jawOpen), raw mapping r 0.4 on rig a and 0.6 on rig b,
    two options: "landmarks@0.0" (mean 0.70, but 0.50 on b: below raw) and "both@0.5"
    (above raw on both rigs, ``gap`` lower on the mean)."""
    per_rig: loro.PerRig = {
        "AU26": {
            "landmarks@0.0": {"a": 0.90, "b": 0.50},
            "both@0.5": {"a": 0.78 - 2 * gap, "b": 0.62},
        }
    }
    per = {"AU26": {k: float(np.mean(list(v.values()))) for k, v in per_rig["AU26"].items()}}
    raw = {"a": {"AU26": (0.4, 0.0)}, "b": {"AU26": (0.6, 0.0)}}
    return per, per_rig, raw


def test_pick_keeps_codes_above_the_raw_mapping_when_it_costs_little() -> None:
    per, per_rig, raw = _pick_inputs(0.01)
    cfg = loro.pick(per, loro.Config("regional"), set(), per_rig, raw)
    assert dict(cfg.sources)["AU26"] == "both" and dict(cfg.raw_blend)["AU26"] == 0.5
    # without the per-rig scores the best mean wins
    cfg = loro.pick(per, loro.Config("regional"), set())
    assert dict(cfg.sources)["AU26"] == "landmarks"


def test_pick_gives_up_the_floor_when_it_costs_too_much() -> None:
    per, per_rig, raw = _pick_inputs(loro.FLOOR_COST + 0.02)
    cfg = loro.pick(per, loro.Config("regional"), set(), per_rig, raw)
    assert dict(cfg.sources)["AU26"] == "landmarks"


def _noisy_actions(rng: np.random.Generator, rig: str, n: int = 1200) -> loro.Clip:
    """AU12_L in held actions (apex 1.5-5) read through a landmark that each action
    moves by its own offset too: a penalised fit on such data reads an unseen clip's
    apexes low (shrinkage and regression towards the mean)."""
    clip = _clip(rng, rig, n)
    y, offset = np.zeros(n), np.zeros(n)
    for start in range(10, n - 30, 30):
        y[start : start + 15] = rng.choice([1.5, 3.0, 5.0])
        offset[start - 10 : start + 20] = rng.normal(0, 0.01)  # how this face moves
    clip.aligned[:, 291, 1] = y / 250 + offset + rng.normal(0, 0.001, n)
    clip.targets["AU12_L"] = y
    return clip


def test_letter_gains_bring_left_out_apexes_to_their_letter() -> None:
    rng = np.random.default_rng(4)
    cfg = loro.Config("regional", alpha=10.0)
    clips = [_noisy_actions(rng, r) for r in ("a", "b", "c")]
    gains = loro.letter_gains(clips, cfg, OUTPUTS)
    assert gains.shape == (len(OUTPUTS),)
    assert gains[0] > 1.2 and gains[0] == gains[1]  # both sides of 12 share one gain
    assert gains[2] == 1.0  # a code no clip shows is not stretched
    model = loro.fit_model(clips, cfg, OUTPUTS)
    test = _noisy_actions(rng, "d")
    x = model.standardise(model.features(test.aligned, test.blendshapes, test.base))
    before = np.clip(model.generic(x), 0, 5)
    after = Model(**{**model.__dict__, "letter_gain": gains}).stretch(before)
    truth = test.targets["AU12_L"]
    low_before = loro.apex_pairs(before[:, 0], truth) @ [1, -1]  # true - read, per action
    low_after = loro.apex_pairs(after[:, 0], truth) @ [1, -1]
    assert low_before.mean() > 0.5 and abs(low_after.mean()) < 0.5 * low_before.mean()
    assert np.abs(low_after).mean() < np.abs(low_before).mean()
    # presence is not moved: what was below 0.5 stays, what was above stays above
    np.testing.assert_array_equal(before <= 0.5, after <= 0.5)


def test_a_letter_gain_that_lowers_a_left_out_rigs_r_is_cut() -> None:
    y = np.r_[np.zeros(50), np.full(50, 5.0)][:, None]
    clean = {"a": (y * 0.4, y)}  # read at 2 for a true 5: stretching only helps
    assert loro._keeps_r(2.5, 0, clean) == 2.5
    noisy = np.r_[np.zeros(45), np.full(5, 2.8), np.full(50, 2.0)][:, None]
    spiky = {"a": (y * 0.4, y), "b": (noisy, y)}  # noise above the action, clipped at E
    assert loro._keeps_r(2.5, 0, spiky) < 2.5


def test_training_curve_scores_every_subset_of_the_other_rigs() -> None:
    rng = np.random.default_rng(5)
    data = {rig: [_clip(rng, rig, 400)] for rig in ("a", "b", "c")}
    curve = loro.training_curve(data, loro.Config("regional", alpha=0.001), OUTPUTS)
    assert sorted(curve) == [1, 2] and all(sorted(per) == ["a", "b", "c"] for per in curve.values())
    # the signal is the same in every rig, so each left-out rig is read well from any other
    assert all(v > 0.7 for per in curve.values() for v in per.values()), curve


def test_one_gram_solves_every_penalty_as_its_own_fit_would() -> None:
    rng = np.random.default_rng(6)
    clips = [_clip(rng, "a"), _clip(rng, "b")]
    configs = [loro.Config("regional", alpha=a) for a in (0.001, 1.0)]
    configs.append(loro.Config("regional", alpha=0.001, alphas=(("AU26", 1.0),)))
    together = loro.fit_models(clips, configs, OUTPUTS)
    for cfg, model in zip(configs, together, strict=True):
        alone = loro.fit_model(clips, cfg, OUTPUTS)
        np.testing.assert_allclose(model.weights, alone.weights, rtol=1e-6, atol=1e-9)
    # an output's own penalty moves that output only
    np.testing.assert_allclose(together[2].weights[:, :3], together[0].weights[:, :3])
    np.testing.assert_allclose(together[2].weights[:, 3], together[1].weights[:, 3])
    assert not np.allclose(together[0].weights[:, 3], together[1].weights[:, 3])


def test_a_code_gets_its_own_penalty_only_where_the_left_out_rigs_gain() -> None:
    rng = np.random.default_rng(7)
    data = {rig: [_clip(rng, rig, 80)] for rig in ("a", "b", "c")}
    for (clip,) in data.values():  # few frames, a noisy 26: only a strong penalty holds
        clip.targets["AU26"] = clip.targets["AU26"] + rng.normal(0, 2, 80)
    base = loro.Config("regional", alpha=0.001)
    cfg, per = loro.choose_alphas(data, base, OUTPUTS, grid=(0.001, 1.0, 30.0))
    assert set(per["AU26"]) == {"0.001", "1", "30"}
    assert dict(cfg.alphas) == {"AU26": 30.0}  # 12 is clean: the shared penalty stays
    assert per["AU26"]["30"] > per["AU26"]["0.001"] + loro.ALPHA_GAIN
    assert cfg.penalties(OUTPUTS).tolist() == [0.001, 0.001, 0.001, 30.0]
    chosen = loro.leave_one_rig_out(data, cfg, OUTPUTS)
    shared = loro.leave_one_rig_out(data, base, OUTPUTS)
    assert np.mean([chosen[r]["AU26"][0] for r in data]) > np.mean(
        [shared[r]["AU26"][0] for r in data]
    )
    for r in data:  # the other outputs read exactly as with the shared penalty
        assert chosen[r]["AU12_L"] == shared[r]["AU12_L"]


def test_nested_penalties_are_chosen_without_the_rig_they_are_scored_on() -> None:
    rng = np.random.default_rng(8)
    data = {rig: [_clip(rng, rig, 80)] for rig in ("a", "b", "c")}
    for (clip,) in data.values():
        clip.targets["AU26"] = clip.targets["AU26"] + rng.normal(0, 2, 80)
    base = loro.Config("regional", alpha=0.001)
    nested = loro.nested_alphas(data, base, OUTPUTS, grid=(0.001, 30.0))
    assert sorted(nested) == ["a", "b", "c"]
    shared = loro.leave_one_rig_out(data, base, OUTPUTS)
    for rig, (with_shared, with_own) in nested.items():
        # the first figure is the plain left-out-rig score of the shared penalty
        assert with_shared == np.nanmean([v[0] for v in shared[rig].values()])
        assert np.isfinite(with_own)
    # the noisy 26 gains from its own penalty on the rigs it was not chosen on
    assert np.mean([o for _, o in nested.values()]) > np.mean([s for s, _ in nested.values()])


def test_nested_choice_chooses_each_codes_signal_without_the_rig_it_scores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(9)
    data = {rig: [_clip(rng, rig, 150)] for rig in ("a", "b", "c")}
    monkeypatch.setattr(loro, "live_outputs", lambda outputs: set())  # no real clips needed
    seen: list[list[str]] = []
    choose = loro.choose

    def spy(d, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(sorted(d))
        return choose(d, *args, **kwargs)

    monkeypatch.setattr(loro, "choose", spy)
    base = loro.Config("regional", alpha=0.001)
    nested = loro.nested_choice(data, base, OUTPUTS)
    assert seen == [["b", "c"], ["a", "c"], ["a", "b"]]  # never the rig scored
    plain = loro.leave_one_rig_out(data, base, OUTPUTS)
    for rig, (first, chosen) in nested.items():
        assert first == np.nanmean([v[0] for v in plain[rig].values()])
        assert chosen > 0.5  # 12 from its landmark and 26 from jawOpen carry to every rig


def test_evaluation_only_rigs_are_scored_never_fitted(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A rig in _rom.EVALUATION_ONLY is listed only when asked for (accuracy.py scores it)."""
    import _rom

    for rig in ("anny", "rocketbox_arkit"):
        folder = tmp_path / rig
        folder.mkdir()
        (folder / f"{rig}_00.mp4").write_bytes(b"")
        (folder / f"{rig}_00_labels.csv").write_text("frame\n")
    monkeypatch.setattr(_rom, "RIG_CLIPS", tmp_path)
    assert "rocketbox_arkit" in _rom.EVALUATION_ONLY
    assert set(_rom.rig_clips()) == {_rom.ROM_RIG, "anny"}
    assert set(_rom.rig_clips(evaluation=True)) == {_rom.ROM_RIG, "anny", "rocketbox_arkit"}
    assert set(_rom.rig_clips(["rocketbox_arkit"])) == {"rocketbox_arkit"}


def test_the_perception_cache_is_keyed_by_bytes_not_mtime(tmp_path: Path) -> None:
    """A fresh copy of the shared data (new mtimes, same bytes) hits the same cache entry;
    other bytes of the same size miss it."""
    import os

    import _rom

    a = tmp_path / "clip.mp4"
    a.write_bytes(b"0123456789")
    key = _rom.file_key(a)
    os.utime(a, (1, 1))
    assert _rom.file_key(a) == key
    a.write_bytes(b"0123456780")
    assert _rom.file_key(a) != key and _rom.file_key(a).startswith("10-")
