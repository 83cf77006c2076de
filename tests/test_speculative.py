"""Tests of llmhistory.concepts.speculative: the accept/reject rule keeps the target's law."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmhistory.concepts.speculative import (
    SpeculativeStep,
    acceptance_probability,
    expected_speedup,
    expected_tokens_per_round,
    residual_distribution,
    speculation_summary,
    verify_draft,
)

#: Chi-square critical values at significance 0.001 (standard tables), by degrees of freedom.
CHI2_CRIT_001 = {3: 16.266}


def chi_square(counts: np.ndarray, probs: np.ndarray) -> float:
    expected = counts.sum() * probs
    return float(((counts - expected) ** 2 / expected).sum())


def draw_rounds(p: np.ndarray, q: np.ndarray, k: int, n: int, seed: int) -> np.ndarray:
    """Run ``n`` seeded rounds (draft sampling + verification); count each first token."""
    rng = np.random.default_rng(seed)
    counts = np.zeros(p.shape[1])
    for _ in range(n):
        guesses = [int(np.searchsorted(np.cumsum(q[i]), rng.random())) for i in range(k)]
        step = verify_draft(p, q, guesses, rng)
        counts[step.tokens[0]] += 1
    return counts


def distributions(rng: np.random.Generator, rows: int, vocab: int) -> np.ndarray:
    raw = rng.random((rows, vocab)) ** 3
    return raw / raw.sum(axis=1, keepdims=True)


class TestAcceptanceAndResidual:
    def test_known_values(self):
        assert acceptance_probability([0.5, 0.5], [0.9, 0.1]) == pytest.approx(0.6)
        assert residual_distribution([0.5, 0.5], [0.9, 0.1]).tolist() == [0.0, 1.0]
        assert residual_distribution([0.5, 0.5], [0.5, 0.5]).tolist() == [0.5, 0.5]

    @given(st.integers(0, 2**32 - 1))
    def test_accept_then_residual_rebuilds_the_target(self, seed):
        # P(token) = q * min(1, p/q) + (1 - alpha) * residual = p, exactly
        p, q = distributions(np.random.default_rng(seed), 2, 7)
        alpha = acceptance_probability(p, q)
        law = np.minimum(p, q) + (1 - alpha) * residual_distribution(p, q)
        assert np.allclose(law, p, atol=1e-12)

    def test_bad_inputs(self):
        with pytest.raises(ValueError, match="p must sum to 1"):
            acceptance_probability([0.5, 0.6], [0.5, 0.5])
        with pytest.raises(ValueError, match="q must hold probabilities >= 0"):
            residual_distribution([0.5, 0.5], [1.5, -0.5])
        with pytest.raises(ValueError, match="same vocabulary"):
            acceptance_probability([1.0], [0.5, 0.5])


class TestVerifyDraft:
    def test_greedy_accepts_exactly_the_argmax_prefix(self):
        eye = np.eye(4)
        p = eye[[2, 0, 3, 1]]  # the target's greedy tokens: 2, 0, 3, then 1
        cases = [([2, 0, 3], (2, 0, 3, 1)), ([2, 1, 3], (2, 0)), ([1, 0, 3], (2,))]
        for guesses, expected in cases:
            step = verify_draft(p, eye[guesses], guesses, np.random.default_rng(0))
            assert step.tokens == expected and step.accepted == len(expected) - 1

    def test_zero_guesses_samples_the_target(self):
        step = verify_draft([[0.0, 1.0]], np.zeros((0, 2)), [], np.random.default_rng(1))
        assert step == SpeculativeStep((1,), 0)

    @pytest.mark.parametrize("k", [1, 3])
    def test_first_token_follows_the_target_chi_square(self, k):
        rng = np.random.default_rng(5)
        p, q = distributions(rng, k + 1, 4), distributions(rng, k, 4)
        counts = draw_rounds(p, q, k, 2500, seed=11)
        assert chi_square(counts, p[0]) < CHI2_CRIT_001[3]
        # the test has power: the draft's own law is rejected
        assert chi_square(counts, q[0]) > CHI2_CRIT_001[3]

    def test_acceptance_rate_matches_the_formula(self):
        rng = np.random.default_rng(6)
        p, q = distributions(rng, 2, 4), distributions(rng, 1, 4)
        draws = np.random.default_rng(7)
        accepted = 0
        for _ in range(2000):
            guess = int(np.searchsorted(np.cumsum(q[0]), draws.random()))
            accepted += verify_draft(p, q, [guess], draws).accepted
        assert accepted / 2000 == pytest.approx(acceptance_probability(p[0], q[0]), abs=0.04)

    def test_bad_inputs(self):
        rng = np.random.default_rng(0)
        p, q = np.full((2, 3), 1 / 3), np.full((1, 3), 1 / 3)
        with pytest.raises(ValueError, match=r"\(k \+ 1, vocab\)"):
            verify_draft(p, q, [0, 1], rng)
        with pytest.raises(ValueError, match="ids in 0..2"):
            verify_draft(p, q, [3], rng)
        with pytest.raises(ValueError, match="draft probability 0"):
            verify_draft(p, [[1.0, 0.0, 0.0]], [1], rng)
        with pytest.raises(TypeError, match="rng"):
            verify_draft(p, q, [0], 42)
        with pytest.raises(ValueError, match="target_probs must sum to 1"):
            verify_draft(np.ones((2, 3)), q, [0], rng)


class TestExpectations:
    def test_known_values(self):
        assert expected_tokens_per_round(0.0, 5) == 1.0
        assert expected_tokens_per_round(1.0, 5) == 6.0
        assert expected_tokens_per_round(0.5, 2) == pytest.approx(1.75)
        assert expected_speedup(0.5, 2, 0.25) == pytest.approx(1.75 / 1.5)

    @settings(max_examples=50)
    @given(st.floats(0.0, 0.999), st.integers(0, 20))
    def test_tokens_grow_with_k_and_stay_below_the_limit(self, alpha, k):
        tokens = expected_tokens_per_round(alpha, k)
        assert 1.0 <= tokens <= k + 1
        assert expected_tokens_per_round(alpha, k + 1) >= tokens
        assert tokens <= 1 / (1 - alpha) + 1e-9

    def test_equals_a_simulation(self):
        rng, alpha, k = np.random.default_rng(8), 0.7, 3
        rounds = rng.random((20000, k)) < alpha
        firsts = np.where(rounds.all(1), k, np.argmin(rounds, axis=1))  # accepted guesses
        assert (firsts + 1).mean() == pytest.approx(expected_tokens_per_round(alpha, k), rel=0.02)

    def test_bad_inputs(self):
        with pytest.raises(ValueError, match="alpha"):
            expected_tokens_per_round(1.5, 2)
        with pytest.raises(ValueError, match="k must"):
            expected_tokens_per_round(0.5, -1)
        with pytest.raises(ValueError, match="cost_ratio"):
            expected_speedup(0.5, 2, 0.0)


class TestSummary:
    def test_lines(self):
        text = speculation_summary(0.5, 2, 0.5)
        assert text.splitlines() == [
            "tokens per target pass   1.75 (at most 3)",
            "draft passes per round   2 x 0.5 of a target pass = 1.00",
            "expected speed-up        0.88x  (slower than plain decoding)",
        ]

    def test_bad_input(self):
        with pytest.raises(ValueError, match="alpha"):
            speculation_summary(-0.1, 2, 0.5)
