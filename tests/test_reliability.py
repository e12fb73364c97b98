"""Tests for facs.reliability: every statistic against an independent implementation.

scikit-learn (Cohen's kappa, weighted kappa, F1), statsmodels (Fleiss' kappa,
the two-way ANOVA behind ICC(3,1)) and brute force (event matching) compute
the same figures on the same data.
"""

from __future__ import annotations

import itertools
import math
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from sklearn.metrics import f1_score as sk_f1
from statsmodels.stats.anova import anova_lm
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from facs import InputError, ParameterError
from facs.formats import read_coding, write_events, write_frames
from facs.reliability import (
    STATISTICS,
    agree,
    agree_events,
    agree_files,
    agree_frames,
    agreement_index,
    cohen_kappa,
    event_key,
    f1_score,
    fleiss_kappa,
    icc_3_1,
    match_events,
)
from facs.series import FRAME_COLUMNS
from facs.timeline import process

# --------------------------------------------------------------------------- helpers


def _quiet(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Call an independent implementation, silencing its 0/0 warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def icc_anova(ratings: np.ndarray) -> float:
    """ICC(3,1) from statsmodels' two-way ANOVA (targets + raters, no interaction)."""
    n, k = ratings.shape
    long = pd.DataFrame(
        {
            "y": ratings.ravel(),
            "target": np.repeat(np.arange(n), k).astype(str),
            "rater": np.tile(np.arange(k), n).astype(str),
        }
    )
    table = anova_lm(smf.ols("y ~ C(target) + C(rater)", data=long).fit())
    ms_r = table.loc["C(target)", "mean_sq"]
    ms_e = table.loc["Residual", "mean_sq"]
    return float((ms_r - ms_e) / (ms_r + (k - 1) * ms_e))


def events(*rows: tuple[object, ...], face: int = 0) -> pd.DataFrame:
    """An events table from (code, onset, offset[, peak[, letter[, side]]]) tuples."""
    out = []
    for row in rows:
        code, on, off, *rest = row
        peak = rest[0] if rest else 0.0
        letter = rest[1] if len(rest) > 1 else ""
        side = rest[2] if len(rest) > 2 else ""
        on_f, off_f = float(on), float(off)  # type: ignore[arg-type]
        out.append(
            {
                "face": face,
                "code": code,
                "side": side,
                "onset_s": on_f,
                "apex_s": (on_f + off_f) / 2,
                "offset_s": off_f,
                "peak": peak,
                "letter": letter,
            }
        )
    columns = ["face", "code", "side", "onset_s", "apex_s", "offset_s", "peak", "letter"]
    return pd.DataFrame(out, columns=columns)


def frames(n: int = 60, *, fps: float = 30.0, first: int = 0, **columns: object) -> pd.DataFrame:
    table = pd.DataFrame(0.0, index=range(n), columns=FRAME_COLUMNS)
    table = table.assign(frame=np.arange(first, first + n), time_s=np.arange(n) / fps, face=0,
                         success=1)  # fmt: skip
    for name, values in columns.items():
        table[name] = values
    return table


labels = st.integers(min_value=0, max_value=4)


def pair_of(elements: st.SearchStrategy[int], min_size: int = 2) -> st.SearchStrategy:  # type: ignore[type-arg]
    return st.integers(min_value=min_size, max_value=40).flatmap(
        lambda n: st.tuples(
            st.lists(elements, min_size=n, max_size=n), st.lists(elements, min_size=n, max_size=n)
        )
    )


# --------------------------------------------------------------------------- statistics


@settings(max_examples=150, deadline=None)
@given(pair_of(labels), st.sampled_from([None, "linear", "quadratic"]))
def test_cohen_kappa_matches_sklearn(
    pair: tuple[list[int], list[int]], weights: str | None
) -> None:
    a, b = pair
    ours = cohen_kappa(a, b, labels=[0, 1, 2, 3, 4], weights=weights)  # type: ignore[arg-type]
    theirs = _quiet(cohen_kappa_score, a, b, labels=[0, 1, 2, 3, 4], weights=weights)
    if ours is None:
        assert not math.isfinite(theirs) or len(set(a) | set(b)) == 1
    else:
        assert ours == pytest.approx(theirs, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(pair_of(st.integers(min_value=1, max_value=5)), st.sampled_from(["linear", "quadratic"]))
def test_weighted_kappa_matches_sklearn(pair: tuple[list[int], list[int]], weights: str) -> None:
    a, b = pair
    ours = cohen_kappa(a, b, weights=weights, labels=[1, 2, 3, 4, 5])  # type: ignore[arg-type]
    theirs = _quiet(cohen_kappa_score, a, b, weights=weights, labels=[1, 2, 3, 4, 5])
    assert (ours is None) == (not math.isfinite(theirs))
    if ours is not None:
        assert ours == pytest.approx(theirs, abs=1e-12)


def test_weighted_kappa_is_cohen_kappa_with_weights() -> None:
    """One way to weight kappa: cohen_kappa(weights=...); bad weights are refused."""
    a, b = [1, 2, 3, 4, 5, 2], [1, 3, 3, 5, 4, 2]
    assert cohen_kappa(a, b, labels=range(1, 6), weights="linear") == pytest.approx(
        cohen_kappa_score(a, b, weights="linear", labels=[1, 2, 3, 4, 5])
    )
    with pytest.raises(ValueError, match="weights"):
        cohen_kappa(a, b, weights="cubic")  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(pair_of(st.booleans(), min_size=1))
def test_f1_and_agreement_index_match_sklearn(pair: tuple[list[bool], list[bool]]) -> None:
    a, b = pair
    ours_f1, ours_ai = f1_score(a, b), agreement_index(a, b)
    if not any(a) and not any(b):
        assert ours_f1 is None and ours_ai is None
        return
    theirs = sk_f1(a, b)
    assert ours_f1 == pytest.approx(theirs)
    assert ours_ai == pytest.approx(theirs)  # 2 × both / (a + b) is F1 either way round
    assert ours_ai == pytest.approx(
        2 * sum(x and y for x, y in zip(a, b, strict=True)) / (sum(a) + sum(b))
    )
    assert 0.0 <= ours_ai <= 1.0
    assert agreement_index(b, a) == ours_ai


@settings(max_examples=100, deadline=None)
@given(
    st.integers(min_value=2, max_value=5).flatmap(
        lambda k: st.lists(st.lists(labels, min_size=k, max_size=k), min_size=1, max_size=30)
    )
)
def test_fleiss_kappa_matches_statsmodels(rows: list[list[int]]) -> None:
    ratings = np.array(rows)
    ours = fleiss_kappa(ratings)
    table, _ = aggregate_raters(ratings)
    theirs = _quiet(sm_fleiss, table, method="fleiss")
    if ours is None:
        assert len(np.unique(ratings)) == 1
    else:
        assert ours == pytest.approx(theirs, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=2, max_value=4).flatmap(
        lambda k: st.lists(
            st.lists(st.integers(0, 5).map(float), min_size=k, max_size=k), min_size=2, max_size=15
        )
    )
)
def test_icc_matches_statsmodels_anova(rows: list[list[float]]) -> None:
    ratings = np.array(rows)
    ours = icc_3_1(ratings)
    centred = ratings - ratings.mean(axis=0)
    if np.allclose(centred, centred[0, 0]):
        assert ours is None
        return
    assume(ours is not None)
    assert ours == pytest.approx(icc_anova(ratings), abs=1e-9)
    assert -1.0 / (ratings.shape[1] - 1) - 1e-9 <= ours <= 1.0 + 1e-9


def test_icc_shrout_fleiss_example() -> None:
    # Shrout & Fleiss (1979), Table 2: 6 targets, 4 judges; ICC(3,1) = .71
    ratings = np.array(
        [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
    )
    assert icc_3_1(ratings) == pytest.approx(0.7148, abs=1e-4)
    assert icc_3_1(ratings) == pytest.approx(icc_anova(ratings.astype(float)))


def test_icc_undefined_cases() -> None:
    assert icc_3_1([[1.0, 2.0]]) is None  # one target
    assert icc_3_1([[1.0], [2.0]]) is None  # one rater
    assert icc_3_1([[3.0, 3.0], [3.0, 3.0]]) is None  # nothing varies
    assert icc_3_1([[1.0, 4.0], [1.0, 4.0]]) is None  # only the raters' offset varies
    with pytest.raises(ValueError, match="finite"):
        icc_3_1([[1.0, math.nan], [2.0, 3.0]])


@settings(max_examples=100, deadline=None)
@given(pair_of(labels))
def test_kappa_symmetric_and_identical_coders_agree(pair: tuple[list[int], list[int]]) -> None:
    a, b = pair
    assert cohen_kappa(a, b) == cohen_kappa(b, a) or (
        cohen_kappa(a, b) == pytest.approx(cohen_kappa(b, a))
    )
    same = cohen_kappa(a, a)
    assert same is None if len(set(a)) == 1 else same == pytest.approx(1.0)
    ratings = np.column_stack([a, a, a])
    fleiss = fleiss_kappa(ratings)
    assert fleiss is None if len(set(a)) == 1 else fleiss == pytest.approx(1.0)
    values = np.column_stack([a, a]).astype(float)
    icc = icc_3_1(values)
    assert icc is None if len(set(a)) == 1 else icc == pytest.approx(1.0)


def test_statistics_reject_bad_input() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        cohen_kappa([1, 2], [1])
    with pytest.raises(ValueError, match="0/1"):
        agreement_index([0, 2], [1, 1])
    with pytest.raises(ValueError, match="not among the labels"):
        cohen_kappa([1, 7], [1, 1], labels=[1, 2])
    with pytest.raises(ValueError, match="raters"):
        fleiss_kappa([[1], [2]])
    assert cohen_kappa([], []) is None
    assert fleiss_kappa(np.zeros((0, 3))) is None
    nan = float("nan")  # NaN is no category: [nan, 1] twice read as kappa 1.0
    for bad in (lambda: cohen_kappa([nan, 1], [nan, 1]), lambda: fleiss_kappa([[nan, 1]])):
        with pytest.raises(ValueError, match="ratings must be finite"):
            bad()
    with pytest.raises(InputError, match=r"events a, row 1: event times must be numbers"):
        match_events(_times((nan, 1.0)), _times((0.0, 1.0)))
    with pytest.raises(InputError, match=r"events b, row 1: .*onset_s ≤ apex_s ≤ offset_s"):
        match_events(_times((0.0, 1.0)), _times((2.0, 1.0)).assign(apex_s=2.0))


# --------------------------------------------------------------------------- event matching


def _times(*spans: tuple[float, float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "onset_s": [s for s, _ in spans],
            "apex_s": [s for s, _ in spans],
            "offset_s": [e for _, e in spans],
        }
    )


@pytest.mark.parametrize(
    ("a", "b", "tolerance", "matched"),
    [
        ((1.0, 2.0), (1.5, 3.0), 0.0, True),  # overlap
        ((1.0, 2.0), (2.0, 3.0), 0.0, True),  # touching: gap 0
        ((1.0, 2.0), (2.5, 3.0), 0.5, True),  # gap exactly the tolerance
        ((1.0, 2.0), (2.501, 3.0), 0.5, False),  # just beyond
        ((0.1, 0.2), (0.4, 0.5), 0.2, True),  # float sums: 0.4 - 0.2 is 0.2000…1
        ((1.0, 1.0), (1.3, 1.3), 0.3, True),  # one-frame events, onsets within tolerance
        ((1.0, 1.0), (1.31, 1.31), 0.3, False),
    ],
)
def test_match_tolerance_edges(
    a: tuple[float, float], b: tuple[float, float], tolerance: float, matched: bool
) -> None:
    assert match_events(_times(a), _times(b), tolerance_s=tolerance) == (
        [(0, 0)] if matched else []
    )


def test_match_is_one_to_one_and_maximal() -> None:
    # One long event against two short ones inside it: one match only.
    assert match_events(_times((0, 10)), _times((1, 2), (6, 7)), tolerance_s=0.5) == [(0, 0)]
    # A greedy closest-first matching would pair a0 with b0 and leave a1 alone.
    a = _times((0.0, 2.0), (2.5, 3.0))
    b = _times((1.8, 2.6), (0.5, 1.0))
    assert match_events(a, b, tolerance_s=0.0) == [(0, 1), (1, 0)]
    # Among maximal matchings the closest pairs win.
    a = _times((1.0, 2.0), (1.2, 2.2))
    b = _times((1.21, 2.21), (1.01, 2.01))
    assert match_events(a, b, tolerance_s=0.5) == [(0, 1), (1, 0)]


def _brute_force(a: list[tuple[float, float]], b: list[tuple[float, float]], tol: float) -> int:
    ok = [[max(x[0], y[0]) - min(x[1], y[1]) <= tol + 1e-9 for y in b] for x in a]
    best = 0
    for r in range(min(len(a), len(b)), 0, -1):
        for rows in itertools.combinations(range(len(a)), r):
            for cols in itertools.permutations(range(len(b)), r):
                if all(ok[i][j] for i, j in zip(rows, cols, strict=True)):
                    return r
    return best


span = st.tuples(st.floats(0, 10), st.floats(0, 2)).map(lambda t: (t[0], t[0] + t[1]))


def test_a_long_chain_of_events_is_matched_in_windows_as_one_matrix_would(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """8000 chained events took 4.2 GB as one dense matrix; windows keep memory flat."""
    import facs.reliability as rel

    rng = np.random.default_rng(3)
    on_a, on_b = np.sort(rng.uniform(0, 300, 1200)), np.sort(rng.uniform(0, 300, 1100))
    a = np.stack([on_a, on_a + 0.3, on_a + rng.uniform(0.3, 1.5, 1200)], axis=1)
    b = np.stack([on_b, on_b + 0.3, on_b + rng.uniform(0.3, 1.5, 1100)], axis=1)
    dense = rel._match_times(a, b, 0.5)
    monkeypatch.setattr(rel, "_DENSE_PAIRS", 0)  # every group in windows
    windows = rel._match_times(a, b, 0.5)
    assert len({i for i, _ in windows}) == len({j for _, j in windows}) == len(windows)
    assert windows == dense

    def distance(pairs: list[tuple[int, int]]) -> float:
        return float(sum(np.abs(a[i] - b[j]).sum() for i, j in pairs))

    monkeypatch.setattr(rel, "_WINDOW", 60)  # windows ten times smaller: close, not equal
    monkeypatch.setattr(rel, "_WINDOW_KEEP", 40)
    small = rel._match_times(a, b, 0.5)
    assert 0.97 * len(dense) <= len(small) <= len(dense)  # 1016 of 1032 here
    assert distance(small) / len(small) <= 1.05 * distance(dense) / len(dense)


@settings(max_examples=120, deadline=None)
@given(st.lists(span, max_size=5), st.lists(span, max_size=5), st.floats(0, 1))
def test_match_count_is_maximum(
    a: list[tuple[float, float]], b: list[tuple[float, float]], tol: float
) -> None:
    pairs = match_events(_times(*a), _times(*b), tolerance_s=tol) if a and b else []
    assert len(pairs) == _brute_force(a, b, tol)
    assert len({i for i, _ in pairs}) == len(pairs) == len({j for _, j in pairs})
    for i, j in pairs:
        assert max(a[i][0], b[j][0]) - min(a[i][1], b[j][1]) <= tol + 1e-9


def test_event_key() -> None:
    assert event_key("12") == ["AU12"]
    assert event_key("L12") == ["AU12_L"]
    assert event_key("12", "R") == ["AU12_R"]
    assert event_key("AU4") == ["AU04"]
    assert event_key("19") == ["AD19"]
    assert event_key("R30") == ["AD30_R"]
    assert event_key("51") == ["AU51"]
    assert event_key("M59") == ["M59"]
    assert event_key("U14") == ["AU14"]  # side not stated: the whole code
    assert event_key("1+2") == ["AU01", "AU02"]
    assert event_key("0") == []


# --------------------------------------------------------------------------- agree on events


def test_events_agreement_by_hand() -> None:
    ann = events(("12", 1.0, 2.0), ("12", 5.0, 6.0), ("6", 1.0, 2.0))
    bob = events(("12", 1.3, 2.4), ("6", 8.0, 9.0), ("25", 3.0, 3.5))
    result = agree([ann, bob], names=["ann", "bob"])
    assert list(result.per_code.index) == ["AU06", "AU12", "AU25"]
    assert result.per_code.loc["AU12", "agreement_index"] == pytest.approx(2 * 1 / 3)
    assert result.per_code.loc["AU06", "agreement_index"] == 0.0
    assert result.per_code.loc["AU25", "f1"] == 0.0
    assert result.counts.loc["AU12"].tolist() == [2, 1]
    # Overall: 2 × 1 matched / 6 events.
    assert result.overall["agreement_index"] == pytest.approx(2 / 6)
    assert result.overall["f1"] == pytest.approx(2 / 6)  # = the index for two coders
    assert result.settings["bin_s"] == 0.5 and result.settings["tolerance_s"] == 0.5


def test_agree_refuses_impossible_events_and_warns_of_codings_that_cannot_meet() -> None:
    ann = events(("12", 1.0, 2.0), ("6", 1.0, 2.0))
    for edit, says in (
        ({"peak": 99.0}, "peak must be within 0–5, got 99"),
        ({"peak": -3.0}, "peak must be within 0–5, got -3"),
        ({"side": "Q"}, "side must be empty or one of"),
        ({"code": "R12", "side": "L"}, "code 'R12' is side R but side is 'L'"),
    ):
        bad = ann.copy()
        for column, value in edit.items():
            bad.loc[0, column] = value
        with pytest.raises(InputError, match=re.escape(f"B, row 1: {says}")):
            agree([ann, bad])
    only_12 = agree([ann, ann], codes="12")  # a string: not the codes 1 and 2
    assert list(only_12.per_code.index) == ["AU12"]
    other_face = agree([ann, ann.assign(face=1)])
    assert "A codes face 0 and B face 1: no face is coded by both" in other_face.warnings[0]
    empty = agree([ann, ann], span_s=(100.0, 200.0), codes=["12", "45"])
    assert "no coder has an event in the span 100-200 s" in empty.warnings
    assert "no coder scored AU45" in empty.warnings


def test_events_kappa_on_bins_matches_sklearn() -> None:
    ann = events(("12", 1.0, 2.5), ("4", 6.0, 7.0))
    bob = events(("12", 2.2, 3.1), ("4", 6.2, 7.9))
    result = agree([ann, bob], bin_s=1.0, span_s=(0.0, 10.0))
    # bins [0,1) … [9,10), [10,11): 11 bins; an event covers the bins it touches.
    a12 = np.zeros(11, bool)
    a12[1:3] = True
    b12 = np.zeros(11, bool)
    b12[2:4] = True
    a4 = np.zeros(11, bool)
    a4[6:8] = True
    b4 = np.zeros(11, bool)
    b4[6:8] = True
    assert result.per_code.loc["AU12", "kappa"] == pytest.approx(cohen_kappa_score(a12, b12))
    assert result.per_code.loc["AU04", "kappa"] == pytest.approx(1.0)
    pooled = cohen_kappa_score(np.r_[a4, a12], np.r_[b4, b12])
    assert result.overall["kappa"] == pytest.approx(pooled)
    assert result.per_code.loc["AU12", "n_units"] == 11


def test_events_default_span_is_the_coded_span() -> None:
    ann = events(("12", 2.0, 3.0), ("1", 9.0, 9.5))
    bob = events(("12", 2.0, 3.0))
    result = agree([ann, bob], bin_s=0.5)
    assert result.per_code.loc["AU12", "n_units"] == 16  # 2.0 … 9.5 in 0.5 s bins


def test_events_three_coders_fleiss_and_pairs() -> None:
    ann = events(("12", 1.0, 2.0, 3.0, "C"), ("12", 4.0, 5.0, 2.0, "B"), ("12", 7, 8, 4.0, "D"))
    bob = events(("12", 1.1, 2.1, 3.5, "D"), ("12", 4.1, 5.0, 2.0, "B"))
    cat = events(("12", 0.9, 2.0, 2.5, "C"), ("12", 7.1, 8.0, 4.5, "D"), ("12", 9.0, 9.5, 1, "A"))
    result = agree([ann, bob, cat], names=["ann", "bob", "cat"], bin_s=0.5)
    row = result.per_code.loc["AU12"]
    # pairs: ann–bob 2 of 3+2, ann–cat 2 of 3+3, bob–cat 1 of 2+3
    assert row["agreement_index"] == pytest.approx(np.mean([4 / 5, 4 / 6, 2 / 5]))
    # F1 against ann: bob 2·2/(3+2), cat 2·2/(3+3)
    assert row["f1"] == pytest.approx(np.mean([4 / 5, 4 / 6]))
    # Overall index pooled within pairs then averaged
    assert result.overall["agreement_index"] == pytest.approx(row["agreement_index"])
    # ICC: only ann's event at 1.0 is matched by both others: one target, undefined.
    assert math.isnan(row["icc"]) and row["n_intensity"] == 1
    # Fleiss on the bins, recomputed from the events.
    t0, t1 = 0.9, 9.5
    n = math.floor((t1 - t0) / 0.5 + 1e-9) + 1
    grid = np.zeros((n, 3), dtype=int)
    for c, table in enumerate([ann, bob, cat]):
        for on, off in zip(table["onset_s"], table["offset_s"], strict=True):
            first = int(np.floor((on - t0) / 0.5 + 1e-9))
            last = int(np.floor((off - t0) / 0.5 + 1e-9))
            grid[first : last + 1, c] = 1
    expected = sm_fleiss(aggregate_raters(grid)[0], method="fleiss")
    assert row["kappa"] == pytest.approx(expected)


def test_events_intensity_statistics_match_independent_ones() -> None:
    peaks_a = [3.0, 2.0, 4.4, 1.2, 5.0, 2.6]
    peaks_b = [3.4, 1.5, 4.0, 2.0, 4.6, 3.1]
    ann = events(*[("12", 2 * i, 2 * i + 1, p, "") for i, p in enumerate(peaks_a)])
    bob = events(*[("12", 2 * i + 0.1, 2 * i + 1, p, "") for i, p in enumerate(peaks_b)])
    result = agree([ann, bob], weights="quadratic")
    row = result.per_code.loc["AU12"]
    assert row["agreement_index"] == 1.0 and row["n_intensity"] == 6
    assert row["icc"] == pytest.approx(icc_anova(np.column_stack([peaks_a, peaks_b])))
    letters_a = [math.floor(p + 0.5) for p in peaks_a]  # letters from peak when empty
    letters_b = [math.floor(p + 0.5) for p in peaks_b]
    expected = cohen_kappa_score(letters_a, letters_b, weights="quadratic", labels=[1, 2, 3, 4, 5])
    assert row["weighted_kappa"] == pytest.approx(expected)
    assert result.settings["weights"] == "quadratic"


def test_events_letters_without_peak() -> None:
    ann = events(("12", 1, 2, 0.0, "B"), ("12", 3, 4, 0.0, "D"), ("12", 5, 6, 0, "C"))
    bob = events(("12C", 1, 2, 0.0, ""), ("12", 3, 4, 0.0, "D"), ("12", 5, 6, 0, "E"))
    row = agree([ann, bob]).per_code.loc["AU12"]
    assert row["weighted_kappa"] == pytest.approx(
        cohen_kappa_score([2, 4, 3], [3, 4, 5], weights="linear", labels=[1, 2, 3, 4, 5])
    )
    assert row["icc"] == pytest.approx(icc_anova(np.array([[2, 3], [4, 4], [3, 5]], float)))


def test_events_sides_keys_and_merge() -> None:
    ann = events(("12", 1.0, 3.0, 3.0, "C"))
    bob = events(("L12", 1.0, 2.5, 3.0, "C"), ("12", 1.2, 3.0, 2.0, "B", "R"))
    paired = agree([ann, bob])  # bob's L12 and R12 overlap: ann's bilateral 12 matches them
    assert list(paired.per_code.index) == ["AU12"]
    assert paired.per_code.loc["AU12", "agreement_index"] == 1.0
    carl = events(("L12", 1.0, 2.5, 3.0, "C"), ("12", 4.0, 5.0, 2.0, "B", "R"))  # apart in time
    kept = agree([ann, carl])
    assert list(kept.per_code.index) == ["AU12", "AU12_L", "AU12_R"]
    merged = agree([ann, bob], merge_sides=True)
    assert list(merged.per_code.index) == ["AU12"]
    assert merged.counts.loc["AU12"].tolist() == [1, 1]
    assert merged.per_code.loc["AU12", "agreement_index"] == 1.0


def test_events_faces_do_not_match_each_other() -> None:
    ann = pd.concat([events(("12", 1, 2), face=0), events(("12", 5, 6), face=1)])
    bob = pd.concat([events(("12", 1, 2), face=1), events(("12", 5, 6), face=0)])
    assert agree([ann, bob]).per_code.loc["AU12", "agreement_index"] == 0.0


def test_events_codes_filter() -> None:
    ann = events(("12", 1, 2), ("6", 1, 2), ("L14", 3, 4))
    bob = events(("12", 1, 2), ("14", 3, 4, 0, "", "L"))
    result = agree([ann, bob], codes=["12", "14"])
    assert list(result.per_code.index) == ["AU12", "AU14", "AU14_L"]
    assert result.per_code.loc["AU14_L", "agreement_index"] == 1.0
    assert math.isnan(result.per_code.loc["AU14", "agreement_index"])  # nobody scored it
    assert list(agree([ann, bob], codes=["AU12"]).per_code.index) == ["AU12"]
    with pytest.raises(InputError, match="not a FACS code"):
        agree([ann, bob], codes=["99"])


def test_agree_errors() -> None:
    ann = events(("12", 1, 2))
    with pytest.raises(InputError, match="at least two"):
        agree([ann])
    with pytest.raises(InputError, match="no events"):
        agree([events(), events()])
    with pytest.raises(InputError, match="names"):
        agree([ann, ann], names=["a"])
    with pytest.raises(InputError, match="differ"):
        agree([ann, ann], names=["a", "a"])
    with pytest.raises(InputError, match="tolerance_s"):
        agree([ann, ann], tolerance_s=-1)
    with pytest.raises(InputError, match="neither an events table"):
        agree([ann, pd.DataFrame({"x": [1]})], names=["a", "b"])
    with pytest.raises(InputError, match="B is an events table"):
        agree([frames(), ann], kind="frames")
    with pytest.raises(InputError, match="span_s"):
        agree([ann, ann], span_s=(3.0, 1.0))


def test_to_json_shape_and_nulls() -> None:
    result = agree([events(("12", 1, 2, 3.0, "C")), events(("12", 1, 2, 3.0, "C"))])
    doc = result.to_json()
    assert set(doc) >= {"overall", "per_code", "kind", "coders"}
    assert set(doc["per_code"]) == {"AU12"}
    entry = doc["per_code"]["AU12"]
    assert set(STATISTICS) <= set(entry)
    assert entry["agreement_index"] == 1.0
    assert entry["icc"] is None and entry["weighted_kappa"] is None  # one matched pair
    assert entry["n"] == {"A": 1, "B": 1}
    assert set(STATISTICS) <= set(doc["overall"])


# --------------------------------------------------------------------------- agree on frames


def _random_frames(seed: int, n: int = 200) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    truth = np.clip(rng.normal(1.0, 1.5, size=(n, 3)), 0, 5) * (rng.random((n, 3)) < 0.5)
    noisy = np.clip(truth + rng.normal(0, 0.6, size=truth.shape), 0, 5) * (
        rng.random((n, 3)) < 0.85
    )
    cols = ["AU12", "AU06", "AU25"]
    a = frames(n, **{c: truth[:, i] for i, c in enumerate(cols)})
    b = frames(n, **{c: noisy[:, i] for i, c in enumerate(cols)})
    return a, b


def test_frames_statistics_match_independent_ones() -> None:
    a, b = _random_frames(1)
    a.loc[[3, 4], "success"] = 0
    a.loc[[3, 4], FRAME_COLUMNS[8:]] = np.nan
    b.loc[7, "AU12"] = np.nan
    result = agree([a, b], codes=["AU12", "AU06", "AU25"])
    assert result.kind == "frames" and result.settings["alignment"] == "frame"
    occ_all: list[np.ndarray] = []
    for col in ["AU12", "AU06", "AU25"]:
        keep = (a["success"] == 1) & a[col].notna() & b[col].notna()
        x, y = a.loc[keep, col].to_numpy(), b.loc[keep, col].to_numpy()
        ox, oy = x > 0, y > 0
        row = result.per_code.loc[col]
        assert row["n_units"] == keep.sum()
        assert row["agreement_index"] == pytest.approx(sk_f1(ox, oy))
        assert row["f1"] == pytest.approx(sk_f1(ox, oy))
        assert row["kappa"] == pytest.approx(cohen_kappa_score(ox, oy))
        scored = ox | oy
        assert row["icc"] == pytest.approx(icc_anova(np.column_stack([x[scored], y[scored]])))
        lx = np.clip(np.floor(x[scored] + 0.5), 0, 5)
        ly = np.clip(np.floor(y[scored] + 0.5), 0, 5)
        expected = cohen_kappa_score(lx, ly, weights="linear", labels=[0, 1, 2, 3, 4, 5])
        assert row["weighted_kappa"] == pytest.approx(expected)
        assert result.counts.loc[col].tolist() == [ox.sum(), oy.sum()]
        occ_all.append(np.column_stack([ox, oy]))
    pooled = np.concatenate(occ_all)
    assert result.overall["kappa"] == pytest.approx(cohen_kappa_score(pooled[:, 0], pooled[:, 1]))
    assert result.overall["agreement_index"] == pytest.approx(sk_f1(pooled[:, 0], pooled[:, 1]))


def test_frames_three_coders_fleiss() -> None:
    a, b = _random_frames(2)
    c, _ = _random_frames(3)
    result = agree([a, b, c], codes=["AU12"])
    occ = np.column_stack([t["AU12"].to_numpy() > 0 for t in (a, b, c)]).astype(int)
    expected = sm_fleiss(aggregate_raters(occ)[0], method="fleiss")
    assert result.per_code.loc["AU12", "kappa"] == pytest.approx(expected)
    values = np.column_stack([t["AU12"].to_numpy() for t in (a, b, c)])
    scored = (values > 0).any(axis=1)
    assert result.per_code.loc["AU12", "icc"] == pytest.approx(icc_anova(values[scored]))
    f1s = [sk_f1(occ[:, 0], occ[:, i]) for i in (1, 2)]
    assert result.per_code.loc["AU12", "f1"] == pytest.approx(np.mean(f1s))


def test_frames_threshold() -> None:
    a = frames(6, AU12=[0, 0.3, 2, 2, 0, 0])
    b = frames(6, AU12=[0, 0, 2, 2, 0.2, 0])
    assert agree([a, b], codes=["12"]).per_code.loc["AU12", "agreement_index"] == pytest.approx(
        4 / 6
    )
    result = agree([a, b], codes=["12"], threshold=0.5)
    assert result.per_code.loc["AU12", "agreement_index"] == 1.0


def test_frames_aligned_by_time_when_frame_numbers_differ() -> None:
    a, b = _random_frames(4)
    baseline = agree([a, b], codes=["12"])
    shifted = b.assign(frame=b["frame"] + 1000)  # same times, other numbering
    result = agree([a, shifted], codes=["12"])
    assert result.settings["alignment"] == "time"
    pd.testing.assert_frame_equal(result.per_code, baseline.per_code)
    with pytest.raises(InputError, match="no frame is common"):
        agree([a, shifted], codes=["12"], align="frame")


def test_frames_time_alignment_other_frame_rate() -> None:
    a = frames(60, fps=30.0, AU12=np.r_[np.zeros(20), np.full(20, 3.0), np.zeros(20)])
    b = frames(30, fps=15.0, AU12=np.r_[np.zeros(10), np.full(10, 3.0), np.zeros(10)])
    result = agree([a, b], codes=["12"])
    assert result.settings["alignment"] == "time"
    assert result.per_code.loc["AU12", "n_units"] == 60  # every 30 fps frame finds a 15 fps one
    assert result.per_code.loc["AU12", "agreement_index"] > 0.9


def test_frames_errors() -> None:
    a, b = _random_frames(5)
    dup = pd.concat([b, b.iloc[[0]]], ignore_index=True)
    with pytest.raises(InputError, match="two rows for face 0, frame 0"):
        agree([a, dup])
    with pytest.raises(InputError, match="no column AU11"):
        agree([a, b], codes=["11"])
    few = a[["frame", "time_s", "face", "success", "confidence", "yaw", "pitch", "roll", "AU12"]]
    assert list(agree([few, b]).per_code.index) == ["AU12"]  # the columns both have
    with pytest.raises(InputError, match="no column AU06"):
        agree([few, b], codes=["6"])


def test_mixed_kinds_find_the_machine_events() -> None:
    t = np.arange(90) / 30
    raw = frames(90, AU12=np.where((t > 1) & (t < 2), 3.0, 0.0))
    for side in ("AU12_L", "AU12_R"):
        raw[side] = raw["AU12"]
    coder = events(("12", 1.0, 2.0, 3.0, "C"))
    result = agree([coder, raw], names=["coder", "machine"])
    assert result.kind == "events" and result.settings["converted"] == ["machine"]
    assert result.per_code.loc["AU12", "agreement_index"] == 1.0
    coded, _ = process(raw)
    again = agree([coder, coded], names=["coder", "machine"])  # already processed
    assert again.per_code.loc["AU12", "agreement_index"] == 1.0


# ------------------------------------------------------------- agree_events, agree_frames, agree


def _same_result(a: object, b: object) -> None:
    for field in ("kind", "coders", "settings"):
        assert getattr(a, field) == getattr(b, field), field
    pd.testing.assert_frame_equal(a.per_code, b.per_code)  # type: ignore[attr-defined]
    pd.testing.assert_frame_equal(a.counts, b.counts)  # type: ignore[attr-defined]
    pd.testing.assert_series_equal(a.overall, b.overall)  # type: ignore[attr-defined]


def test_agree_events_alone() -> None:
    ann = events(("12", 1.0, 2.0), ("12", 5.0, 6.0), ("6", 1.0, 2.0))
    bob = events(("12", 1.3, 2.4), ("6", 8.0, 9.0))
    result = agree_events([ann, bob], names=["ann", "bob"], tolerance_s=0.2, bin_s=1.0)
    assert result.kind == "events" and result.coders == ("ann", "bob")
    assert result.per_code.loc["AU12", "agreement_index"] == pytest.approx(2 / 3)
    assert result.settings == {"merge_sides": False, "sides_paired": 0, "tolerance_s": 0.2,
                               "bin_s": 1.0,
                               "span_s": None, "converted": [], "weights": "linear"}  # fmt: skip
    with pytest.raises(TypeError, match="threshold"):
        agree_events([ann, bob], threshold=0.5)  # type: ignore[call-arg]


def test_agree_events_turns_frames_into_events() -> None:
    t = np.arange(90) / 30
    machine = frames(90, AU12=np.where((t > 1) & (t < 2), 3.0, 0.0))
    machine["AU12_L"] = machine["AU12_R"] = machine["AU12"]
    result = agree_events([events(("12", 1.0, 2.0, 3.0, "C")), machine], names=["c", "m"])
    assert result.settings["converted"] == ["m"]
    assert result.per_code.loc["AU12", "agreement_index"] == 1.0
    both = agree_events([machine, machine])  # frames only: compared as events all the same
    assert both.kind == "events" and both.settings["converted"] == ["A", "B"]


def test_agree_frames_alone() -> None:
    a = frames(6, AU12=[0, 0.3, 2, 2, 0, 0])
    b = frames(6, AU12=[0, 0, 2, 2, 0.2, 0])
    result = agree_frames([a, b], codes=["12"], threshold=0.5, align="frame")
    assert result.kind == "frames" and result.per_code.loc["AU12", "agreement_index"] == 1.0
    assert result.settings == {"merge_sides": False, "threshold": 0.5, "alignment": "frame",
                               "weights": "linear"}  # fmt: skip
    with pytest.raises(InputError, match="B is an events table"):
        agree_frames([a, events(("12", 1, 2))])
    with pytest.raises(InputError, match="threshold must be within"):
        agree_frames([a, b], threshold=5)
    with pytest.raises(TypeError, match="tolerance_s"):
        agree_frames([a, b], tolerance_s=0.5)  # type: ignore[call-arg]


def test_agree_dispatches_as_the_specific_functions() -> None:
    ann = events(("12", 1.0, 2.0, 3.0, "C"), ("6", 1.0, 2.5, 2.0, "B"))
    bob = events(("12", 1.2, 2.1, 4.0, "D"), ("6", 1.1, 2.0, 2.0, "B"))
    options = {"names": ["ann", "bob"], "tolerance_s": 0.3, "span_s": (0.0, 4.0)}
    _same_result(agree([ann, bob], **options), agree_events([ann, bob], **options))
    _same_result(agree([ann, bob], kind="events"), agree_events([ann, bob]))
    a, b = _random_frames(6)
    _same_result(
        agree([a, b], threshold=0.5, weights="quadratic"),
        agree_frames([a, b], threshold=0.5, weights="quadratic"),
    )
    _same_result(agree([a, b], kind="frames"), agree_frames([a, b]))
    _same_result(agree([a, b], kind="events"), agree_events([a, b]))
    _same_result(agree([ann, a]), agree_events([ann, a]))  # mixed: compared as events


def test_agree_refuses_an_option_of_the_other_kind() -> None:
    ann = events(("12", 1, 2))
    a, b = _random_frames(7)
    with pytest.raises(ParameterError, match=r"^threshold applies to frames tables, not events$"):
        agree([ann, ann], threshold=0.0)  # even at its default
    with pytest.raises(ParameterError, match="threshold, align apply to frames tables, not events"):
        agree([ann, ann], threshold=0.5, align="time")
    with pytest.raises(ParameterError, match=r"align applies .* not events \(events and frames"):
        agree([ann, a], align="frame")  # mixed
    with pytest.raises(ParameterError, match="threshold applies to frames tables, not events"):
        agree([a, b], kind="events", threshold=0.5)
    with pytest.raises(ParameterError, match="tolerance_s applies to events tables, not frames"):
        agree([a, b], tolerance_s=0.5)
    with pytest.raises(ParameterError, match="bin_s, span_s apply to events tables, not frames"):
        agree([a, b], kind="frames", bin_s=1.0, span_s=(0.0, 1.0))
    with pytest.raises(ParameterError, match="kind must be"):
        agree([a, b], kind="video")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="fps"):
        agree([a, b], fps=30)


# --------------------------------------------------------------------------- files


def test_files_from_the_timeline(tmp_path: Path) -> None:
    t = np.arange(150) / 30
    a = frames(150, AU12=np.where((t > 1) & (t < 3), 3.0, 0.0), AU25=np.where(t > 4, 2.0, 0.0))
    b = frames(150, AU12=np.where((t > 1.2) & (t < 3.1), 4.0, 0.0), AU25=0.0)
    for table in (a, b):
        table["AU12_L"] = table["AU12_R"] = table["AU12"]
    paths = []
    for name, table in (("ann", a), ("bob", b)):
        coded, found = process(table)
        write_events(found, tmp_path / name / "events.csv")
        write_frames(coded, tmp_path / name / "frames.parquet")
        paths.append(tmp_path / name)
    kind, table = read_coding(paths[0] / "events.csv")
    assert kind == "events" and len(table) == 2
    assert read_coding(paths[0] / "frames.parquet")[0] == "frames"
    result = agree_files([p / "events.csv" for p in paths])
    assert result.coders == ("ann/events", "bob/events")
    assert result.per_code.loc["AU12", "agreement_index"] == 1.0
    assert result.per_code.loc["AU25", "agreement_index"] == 0.0
    by_frames = agree_files([p / "frames.parquet" for p in paths], names=["ann", "bob"])
    assert by_frames.kind == "frames" and by_frames.coders == ("ann", "bob")
    with pytest.raises(InputError, match="no such file"):
        agree_files([paths[0] / "events.csv", tmp_path / "missing.csv"])
    (tmp_path / "other.csv").write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match=r"other\.csv is neither"):
        agree_files([paths[0] / "events.csv", tmp_path / "other.csv"])
    with pytest.raises(ParameterError, match="threshold applies to frames tables"):
        agree_files([p / "events.csv" for p in paths], threshold=0.5)
    with pytest.raises(ParameterError, match="tolerance_s applies to events tables"):
        agree_files([p / "frames.parquet" for p in paths], tolerance_s=0.5)


def test_event_agreement_over_a_far_time_is_a_clear_error(tmp_path: Path) -> None:
    near = pd.DataFrame({"face": [0], "code": ["12"], "side": [None], "onset_s": [0.0],
                         "apex_s": [0.5], "offset_s": [1.0], "peak": [3.0],
                         "letter": ["C"]})  # fmt: skip
    far = pd.concat([near, near.assign(code="4", onset_s=999_999_990.0, apex_s=999_999_995.0,
                                       offset_s=1e9)], ignore_index=True)  # fmt: skip
    write_events(near, tmp_path / "a.csv")
    far.to_csv(tmp_path / "b.csv", index=False)  # written by another tool
    with pytest.raises(InputError, match="event times must lie within 0-864000 s"):
        agree_files([tmp_path / "a.csv", tmp_path / "b.csv"])  # refused as it is read
    from facs.reliability import agree

    with pytest.raises(InputError, match="2,000,000,001 bins"):  # tables built in memory
        agree([near, far])


def test_a_bilateral_code_matches_its_two_sides_by_default() -> None:
    """A coder's 43 against the machine's L43+R43: one event each, agreement 1 (issue 17)."""
    columns = ["face", "code", "side", "onset_s", "apex_s", "offset_s", "peak", "letter"]
    coder = pd.DataFrame([[0, "43", "", 1.0, 1.2, 2.0, 3.0, "C"]], columns=columns)
    machine = pd.DataFrame(
        [[0, "43", "L", 1.05, 1.2, 1.9, 3.0, "C"], [0, "43", "R", 1.0, 1.25, 2.0, 2.0, "B"],
         [0, "12", "L", 3.0, 3.2, 3.5, 2.0, "B"], [0, "12", "R", 3.0, 3.2, 3.5, 2.0, "B"]],
        columns=columns,
    )  # fmt: skip
    result = agree_events([coder, machine], names=["coder", "machine"])
    assert result.per_code.loc["AU43", "agreement_index"] == 1.0
    assert result.settings["sides_paired"] == 1
    assert "AU12_L" in result.per_code.index  # nobody wrote 12 without a side: sides kept
    sided = agree_events([machine, machine], names=["a", "b"])
    assert {"AU43_L", "AU43_R"} <= set(sided.per_code.index)


def test_codings_of_different_spans_or_rates_are_warned_about() -> None:
    """10 s against 0.1 s, 30 against 25 fps, an ICC from 2 pairs: each says so (issue 17)."""
    long = events(("12", 1.0, 9.0, 3.0, "C"), ("6", 0.0, 10.0, 2.0, "B"))
    short = events(("12", 0.0, 0.1, 3.0, "C"))
    spans = agree_events([long, short], names=["a", "b"])
    assert any("different spans" in w and "0-10 s" in w for w in spans.warnings)
    ann = events(("12", 1.0, 2.0, 3.0, "C"), ("12", 5.0, 6.0, 2.0, "B"))
    bob = events(("12", 1.0, 2.0, 2.0, "B"), ("12", 5.0, 6.0, 4.0, "D"))
    two = agree_events([ann, bob], names=["a", "b"])
    assert not any("different spans" in w for w in two.warnings)
    assert np.isfinite(two.per_code.loc["AU12", "icc"])
    assert any("ICC from fewer than" in w and "AU12 (n=2)" in w for w in two.warnings)
    a = frames(60, AU12=np.linspace(0, 3, 60))
    b = frames(50, AU12=np.linspace(0, 3, 50))
    b["time_s"] = np.arange(50) / 25
    rates = agree_frames([a, b], names=["a", "b"], align="time")
    assert any("frame rates differ" in w for w in rates.warnings)
    assert "warnings" in rates.to_json()


def test_times_rounded_to_the_millisecond_are_the_same_frame_rate() -> None:
    """A coding read back from CSV (time_s to 3 decimals) is not another frame rate."""
    a = frames(300, AU12=np.linspace(0, 3, 300))
    b = a.copy()
    b["time_s"] = b["time_s"].round(3)  # steps of 0.033 and 0.034 s: a median of 30.3 fps
    same = agree_frames([a, b], names=["parquet", "csv"], align="time")
    assert not any("frame rates differ" in w for w in same.warnings), same.warnings
    c = a.copy()
    c["time_s"] = np.arange(300) / 29.0  # a clip 3 % slower is still told apart
    assert any("frame rates differ" in w for w in agree_frames([a, c], align="time").warnings)
