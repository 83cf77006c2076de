"""Tests of llmhistory.concepts.evaluation_stats: pass@k against brute force, bootstrap intervals
against closed forms, the exact McNemar test against the binomial distribution, bad inputs."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmhistory.concepts.evaluation_stats import (
    BENCHMARKS,
    Interval,
    PairedCounts,
    bootstrap_interval,
    mcnemar_exact,
    mean_pass_at_k,
    paired_bootstrap,
    paired_counts,
    paired_half_width,
    paired_interval,
    paired_outcomes,
    pass_at_k,
    pass_at_k_plugin,
    scorecard_margin_interval,
)
from llmhistory.concepts.scorecard import SUPPORT_CANDIDATES, SUPPORT_SCENARIOS, Candidate, score

FAST, DEEP, RESTRICTED = SUPPORT_CANDIDATES
LIVE, NIGHTLY = SUPPORT_SCENARIOS


def brute_force_pass_at_k(n: int, c: int, k: int) -> Fraction:
    """Share of all k-subsets of n samples (c of them correct) holding a correct sample."""
    samples = [True] * c + [False] * (n - c)
    subsets = list(itertools.combinations(range(n), k))
    hits = sum(any(samples[i] for i in subset) for subset in subsets)
    return Fraction(hits, len(subsets))


nck = st.integers(1, 11).flatmap(
    lambda n: st.tuples(st.just(n), st.integers(0, n), st.integers(1, n))
)


class TestPassAtK:
    @pytest.mark.parametrize("n", range(1, 10))
    def test_equals_brute_force_enumeration_of_every_k_subset(self, n):
        for c in range(n + 1):
            for k in range(1, n + 1):
                expected = brute_force_pass_at_k(n, c, k)
                assert pass_at_k(n, c, k) == pytest.approx(float(expected), abs=1e-12)

    @given(nck)
    def test_equals_the_binomial_formula(self, args):
        n, c, k = args
        exact = 1 - Fraction(math.comb(n - c, k), math.comb(n, k))
        assert pass_at_k(n, c, k) == pytest.approx(float(exact), abs=1e-12)

    @given(nck)
    def test_pass_at_1_is_the_success_rate(self, args):
        n, c, _ = args
        assert pass_at_k(n, c, 1) == pytest.approx(c / n, abs=1e-15)

    @given(nck)
    def test_monotone_in_k_and_in_c(self, args):
        n, c, k = args
        value = pass_at_k(n, c, k)
        assert 0.0 <= value <= 1.0
        if k < n:
            assert pass_at_k(n, c, k + 1) >= value - 1e-12
        if c < n:
            assert pass_at_k(n, c + 1, k) >= value - 1e-12

    @given(nck)
    def test_plugin_estimate_never_exceeds_one_and_equals_at_k_1(self, args):
        n, c, k = args
        assert pass_at_k_plugin(n, c, 1) == pytest.approx(pass_at_k(n, c, 1))
        assert 0.0 <= pass_at_k_plugin(n, c, k) <= 1.0

    def test_unbiased_in_expectation_where_the_plugin_is_not(self):
        # Draw n samples with success probability p: E[estimate] over the binomial
        # distribution of c must equal 1 - (1 - p)^k exactly for the unbiased estimator.
        n, k, p = 10, 4, 0.3
        weights = [math.comb(n, c) * p**c * (1 - p) ** (n - c) for c in range(n + 1)]
        unbiased = sum(w * pass_at_k(n, c, k) for c, w in enumerate(weights))
        plugin = sum(w * pass_at_k_plugin(n, c, k) for c, w in enumerate(weights))
        truth = 1 - (1 - p) ** k
        assert unbiased == pytest.approx(truth, abs=1e-12)
        assert plugin < truth - 0.01

    def test_stable_for_large_n_where_binomials_overflow_floats(self):
        value = pass_at_k(2000, 3, 100)
        exact = 1 - Fraction(math.comb(1997, 100), math.comb(2000, 100))
        assert value == pytest.approx(float(exact), rel=1e-12)

    def test_chen_et_al_edge_cases(self):
        assert pass_at_k(200, 0, 100) == 0.0
        assert pass_at_k(200, 101, 100) == 1.0  # n - c < k: every subset has a pass

    def test_mean_over_problems(self):
        assert mean_pass_at_k([10, 10, 5], [0, 5, 5], 1) == pytest.approx((0 + 0.5 + 1) / 3)

    @pytest.mark.parametrize(
        ("args", "error", "match"),
        [
            ((0, 0, 1), ValueError, "n must be an integer >= 1"),
            ((5, 6, 1), ValueError, "c=6 correct samples cannot exceed n=5"),
            ((5, -1, 1), ValueError, "c must be an integer >= 0"),
            ((5, 2, 6), ValueError, "k=6 must be <= n=5"),
            ((5, 2, 0), ValueError, "k must be an integer >= 1"),
            ((5.0, 2, 1), TypeError, "n must be"),
            ((5, True, 1), TypeError, "c must be"),
        ],
    )
    def test_bad_inputs_name_the_argument(self, args, error, match):
        with pytest.raises(error, match=match):
            pass_at_k(*args)
        with pytest.raises(error, match=match):
            pass_at_k_plugin(*args)

    def test_mean_pass_at_k_bad_inputs(self):
        with pytest.raises(ValueError, match="samples has 2 problems but correct has 1"):
            mean_pass_at_k([5, 5], [1], 1)
        with pytest.raises(ValueError, match="problem 1: c=6"):
            mean_pass_at_k([5, 5], [1, 6], 1)


class TestBootstrap:
    def test_seeded_and_reproducible(self):
        values = np.r_[np.ones(50), np.zeros(47)]
        assert bootstrap_interval(values, seed=3) == bootstrap_interval(values, seed=3)
        assert bootstrap_interval(values, seed=3) != bootstrap_interval(values, seed=4)

    def test_matches_the_closed_form_standard_error_of_a_mean(self):
        # The bootstrap SE of a mean is the plug-in SD / sqrt(n); the 95% percentile interval
        # is close to mean +- 1.96 SE for a sample this large.
        values = np.r_[np.ones(700), np.zeros(300)]
        ci = bootstrap_interval(values, resamples=4000, seed=0)
        se = math.sqrt(0.7 * 0.3 / 1000)
        assert ci.estimate == pytest.approx(0.7)
        assert ci.low == pytest.approx(0.7 - 1.96 * se, abs=0.15 * se)
        assert ci.high == pytest.approx(0.7 + 1.96 * se, abs=0.15 * se)

    def test_constant_values_give_a_point(self):
        ci = bootstrap_interval(np.ones(10))
        assert (ci.low, ci.estimate, ci.high) == (1.0, 1.0, 1.0)

    @settings(max_examples=25, deadline=None)
    @given(st.lists(st.floats(-5, 5), min_size=2, max_size=30), st.floats(0.5, 0.99))
    def test_interval_within_the_data_range_and_ordered(self, values, level):
        ci = bootstrap_interval(values, resamples=200, level=level)
        assert min(values) - 1e-9 <= ci.low <= ci.high <= max(values) + 1e-9
        assert ci.half_width >= 0

    def test_wider_at_a_higher_level(self):
        values = np.r_[np.ones(30), np.zeros(20)]
        assert (
            bootstrap_interval(values, level=0.99).half_width
            > bootstrap_interval(values, level=0.8).half_width
        )

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"values": [1.0]}, ValueError, "values must hold at least 2 items"),
            ({"values": [[1.0, 0.0]]}, ValueError, "values must be a 1-D array"),
            ({"values": [1.0, np.nan]}, ValueError, "values must not contain NaN"),
            (
                {"values": [1, 0], "resamples": 10},
                ValueError,
                "resamples must be an integer >= 100",
            ),
            ({"values": [1, 0], "level": 1.0}, ValueError, "level must be < 1"),
            ({"values": [1, 0], "level": 0.0}, ValueError, "level must be > 0"),
            ({"values": [1, 0], "seed": -1}, ValueError, "seed must be an integer >= 0"),
            ({"values": [1, 0], "seed": 1.5}, TypeError, "seed must be"),
        ],
    )
    def test_bad_inputs(self, kwargs, error, match):
        values = kwargs.pop("values")
        with pytest.raises(error, match=match):
            bootstrap_interval(values, **kwargs)


class TestPaired:
    def test_counts_and_outcomes_round_trip(self):
        a, b = paired_outcomes(both=84, only_a=10, only_b=2, neither=4)
        counts = paired_counts(a, b)
        assert counts == PairedCounts(84, 10, 2, 4)
        assert counts.items == 100
        assert counts.difference == pytest.approx(0.08)
        assert a.mean() == pytest.approx(0.94) and b.mean() == pytest.approx(0.86)

    @given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=2, max_size=40))
    def test_counts_add_up_and_difference_equals_the_accuracy_gap(self, rows):
        a, b = np.array(rows).T
        counts = paired_counts(a, b)
        assert counts.items == len(rows)
        assert counts.difference == pytest.approx(a.mean() - b.mean())

    def test_paired_bootstrap_agrees_with_the_closed_form_interval(self):
        counts = PairedCounts(both=600, only_a=120, only_b=80, neither=200)
        a, b = paired_outcomes(both=600, only_a=120, only_b=80, neither=200)
        boot = paired_bootstrap(a, b, resamples=4000, seed=1)
        wald = paired_interval(counts)
        assert boot.estimate == pytest.approx(wald.estimate) == pytest.approx(0.04)
        assert boot.low == pytest.approx(wald.low, abs=0.004)
        assert boot.high == pytest.approx(wald.high, abs=0.004)

    def test_pairing_narrows_the_interval_against_independent_samples(self):
        # Two models that agree on most items: the paired SE is far below the unpaired one.
        a, b = paired_outcomes(both=800, only_a=30, only_b=20, neither=150)
        paired = paired_bootstrap(a, b, seed=0)
        unpaired_se = math.sqrt(a.mean() * (1 - a.mean()) / 1000 + b.mean() * (1 - b.mean()) / 1000)
        assert paired.half_width < 0.6 * 1.96 * unpaired_se

    def test_half_width_formula(self):
        counts = PairedCounts(both=500, only_a=50, only_b=50, neither=400)
        assert paired_interval(counts).half_width == pytest.approx(
            float(paired_half_width(1000, 0.1))
        )
        widths = paired_half_width([100, 400, 1600], 0.2)
        assert widths[0] / widths[1] == pytest.approx(2.0) == widths[1] / widths[2]

    def test_paired_bad_inputs(self):
        with pytest.raises(ValueError, match="a and b must score the same items: a has 3, b has 2"):
            paired_bootstrap([1, 0, 1], [1, 0])
        with pytest.raises(ValueError, match="a must hold booleans or 0/1 values"):
            paired_counts([2, 0], [1, 0])
        with pytest.raises(ValueError, match="must add up to at least 1 item"):
            paired_outcomes(both=0, only_a=0, only_b=0, neither=0)
        with pytest.raises(ValueError, match="only_b must be an integer >= 0"):
            paired_outcomes(both=1, only_a=0, only_b=-1, neither=0)
        with pytest.raises(TypeError, match="counts must be"):
            paired_interval((1, 2, 3, 4))
        with pytest.raises(ValueError, match="disagreement must be <= 1"):
            paired_half_width(100, 1.5)
        with pytest.raises(ValueError, match="items must be >= 1"):
            paired_half_width([0, 10], 0.1)


class TestMcNemar:
    @pytest.mark.parametrize(("only_a", "only_b"), [(10, 2), (3, 2), (0, 7), (15, 15), (1, 0)])
    def test_equals_the_two_sided_binomial_test_by_enumeration(self, only_a, only_b):
        # Independent computation: sum the probabilities of every outcome of
        # Binomial(only_a + only_b, 1/2) no more likely than the observed one.
        m = only_a + only_b
        probs = [Fraction(math.comb(m, i), 2**m) for i in range(m + 1)]
        observed = probs[only_a]
        expected = min(Fraction(1), sum(p for p in probs if p <= observed))
        assert mcnemar_exact(only_a, only_b) == pytest.approx(float(expected), abs=1e-12)

    @given(st.integers(0, 60), st.integers(0, 60))
    def test_symmetric_and_a_probability(self, x, y):
        p = mcnemar_exact(x, y)
        assert p == mcnemar_exact(y, x)
        assert 0.0 < p <= 1.0

    def test_known_values(self):
        assert mcnemar_exact(10, 2) == pytest.approx(2 * 79 / 4096)
        assert mcnemar_exact(0, 0) == 1.0

    def test_bad_inputs(self):
        with pytest.raises(ValueError, match="only_a must be an integer >= 0"):
            mcnemar_exact(-1, 2)
        with pytest.raises(TypeError, match="only_b must be"):
            mcnemar_exact(1, 2.0)


class TestScorecardMargin:
    def test_estimate_is_the_scorecard_margin_and_the_interval_shifts_the_quality_one(self):
        deep_ok, fast_ok = paired_outcomes(both=84, only_a=10, only_b=2, neither=4)
        ci = scorecard_margin_interval(DEEP, FAST, NIGHTLY, deep_ok, fast_ok, seed=2)
        assert ci.estimate == pytest.approx(score(DEEP, NIGHTLY) - score(FAST, NIGHTLY))
        assert ci.estimate == pytest.approx(1.15)
        quality = paired_bootstrap(deep_ok, fast_ok, seed=2)
        penalty = 100 * 0.08 - 1.15
        assert ci.low == pytest.approx(100 * quality.low - penalty)
        assert ci.high == pytest.approx(100 * quality.high - penalty)
        assert ci.contains(0.0)

    def test_larger_sets_shrink_the_interval(self):
        small = scorecard_margin_interval(
            DEEP, FAST, NIGHTLY, *paired_outcomes(both=84, only_a=10, only_b=2, neither=4)
        )
        large = scorecard_margin_interval(
            DEEP, FAST, NIGHTLY, *paired_outcomes(both=840, only_a=100, only_b=20, neither=40)
        )
        assert large.half_width < 0.5 * small.half_width

    def test_bad_inputs(self):
        deep_ok, fast_ok = paired_outcomes(both=84, only_a=10, only_b=2, neither=4)
        with pytest.raises(ValueError, match="b='local-restricted' fails the license gate"):
            scorecard_margin_interval(DEEP, RESTRICTED, NIGHTLY, deep_ok, fast_ok)
        with pytest.raises(ValueError, match=r"a_correct passes 0.8600 of its 100 items"):
            scorecard_margin_interval(DEEP, FAST, NIGHTLY, fast_ok, deep_ok)
        with pytest.raises(TypeError, match="scenario must be"):
            scorecard_margin_interval(DEEP, FAST, "nightly", deep_ok, fast_ok)
        other = Candidate("other", quality=0.5, p95_ms=100, cost=0.1, license_ok=True)
        with pytest.raises(ValueError, match="a and b must score the same items"):
            scorecard_margin_interval(DEEP, other, NIGHTLY, deep_ok, [True, False])


def test_interval_contains_and_half_width():
    ci = Interval(0.5, 0.4, 0.7, 0.95)
    assert ci.contains(0.4) and not ci.contains(0.71)
    assert ci.half_width == pytest.approx(0.15)


def test_benchmarks_pin_the_published_sizes():
    sizes = {b.name: b.items for b in BENCHMARKS}
    assert sizes == {"MMLU": 14_079, "GSM8K": 1_319, "HumanEval": 164}
    assert "57 subjects" in BENCHMARKS[0].item
    assert "7.7" in BENCHMARKS[2].item
