"""Tests of llmhistory.concepts.decoding: softmax, filters, policies, sampling and the next-token
loop."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from llmhistory.concepts.decoding import (
    GREEDY,
    TOP_P_TOLERANCE,
    DecodingPolicy,
    Generation,
    apply_temperature,
    choose_token,
    generate,
    log_softmax,
    next_token_distribution,
    softmax,
    top_k_filter,
    top_p_filter,
)

finite = st.floats(min_value=-50.0, max_value=50.0, allow_nan=False)
logit_rows = arrays(np.float64, st.integers(min_value=1, max_value=30), elements=finite)
seeds = st.integers(min_value=0, max_value=2**32 - 1)

SEED_VOCAB = ["<bos>", "refund", "approved", "<eos>"]
SEED_TABLE = {
    "<bos>": {"refund": 2.0, "approved": 0.5},
    "refund": {"approved": 1.5, "<eos>": 0.2},
    "approved": {"<eos>": 1.0, "refund": 0.1},
}


def seed_model(ids):
    """``next_logits`` of the seed table: only the last token matters; missing pairs get -inf."""
    row = SEED_TABLE[SEED_VOCAB[ids[-1]]]
    return np.array([row.get(token, -np.inf) for token in SEED_VOCAB])


@st.composite
def row_and_k(draw):
    row = draw(logit_rows)
    return row, draw(st.integers(min_value=1, max_value=row.size))


class TestSoftmax:
    def test_known_values(self):
        probs = softmax([0.0, math.log(3.0)])
        np.testing.assert_allclose(probs, [0.25, 0.75])

    def test_huge_logits_do_not_overflow(self):
        assert softmax([1e308, 1e308]).tolist() == [0.5, 0.5]
        assert softmax([1e308, -1e308]).tolist() == [1.0, 0.0]
        np.testing.assert_allclose(softmax([1000.0, 999.0]), softmax([1.0, 0.0]))

    def test_neg_inf_gets_zero_probability(self):
        assert softmax([0.0, -np.inf, 0.0]).tolist() == [0.5, 0.0, 0.5]

    def test_axis_zero_on_a_matrix(self):
        probs = softmax([[0.0, 1.0], [0.0, 1.0]], axis=0)
        np.testing.assert_allclose(probs, [[0.5, 0.5], [0.5, 0.5]])

    def test_rows_of_a_batch(self):
        probs = softmax(np.array([[1.0, 2.0, 3.0], [0.0, 0.0, -np.inf]]))
        np.testing.assert_allclose(probs.sum(axis=-1), [1.0, 1.0])
        assert probs[1].tolist() == [0.5, 0.5, 0.0]

    def test_single_token(self):
        assert softmax([-7.5]).tolist() == [1.0]

    @given(logit_rows)
    def test_sums_to_one_and_non_negative(self, row):
        probs = softmax(row)
        assert probs.min() >= 0.0
        assert math.isclose(probs.sum(), 1.0, rel_tol=1e-12)

    @given(logit_rows, st.floats(min_value=-1e3, max_value=1e3))
    def test_invariant_to_adding_a_constant(self, row, constant):
        np.testing.assert_allclose(softmax(row + constant), softmax(row), atol=1e-9)

    @given(logit_rows)
    def test_order_preserving(self, row):
        probs = softmax(row)
        assert np.all(np.diff(probs[np.argsort(row)]) >= 0)


class TestLogSoftmax:
    def test_known_value(self):
        np.testing.assert_allclose(log_softmax([0.0, 0.0]), [-math.log(2)] * 2)

    def test_neg_inf_stays_neg_inf(self):
        assert log_softmax([0.0, -np.inf])[1] == -np.inf

    @given(logit_rows)
    def test_matches_log_of_softmax(self, row):
        np.testing.assert_allclose(np.exp(log_softmax(row)), softmax(row), atol=1e-12)

    def test_large_gap_stays_finite(self):
        values = log_softmax([0.0, -800.0])
        assert values[1] == pytest.approx(-800.0)


class TestApplyTemperature:
    def test_divides(self):
        assert apply_temperature([2.0, -1.0, -np.inf], 0.5).tolist() == [4.0, -2.0, -np.inf]

    def test_one_is_identity(self):
        assert apply_temperature([0.3, 0.1], 1.0).tolist() == [0.3, 0.1]

    @given(logit_rows)
    def test_low_temperature_sharpens(self, row):
        assume(np.ptp(row) > 1e-3)
        top = softmax(row).max()
        assert softmax(apply_temperature(row, 0.5)).max() >= top - 1e-12
        assert softmax(apply_temperature(row, 2.0)).max() <= top + 1e-12


class TestTopK:
    def test_ties_kept_by_position(self):
        assert top_k_filter([1.0, 3.0, 2.0, 3.0], 1).tolist() == [-np.inf, 3.0, -np.inf, -np.inf]
        assert top_k_filter([5.0, 5.0, 5.0], 2).tolist() == [5.0, 5.0, -np.inf]

    def test_k_equal_vocab_keeps_all(self):
        assert top_k_filter([1.0, 0.0], 2).tolist() == [1.0, 0.0]

    def test_does_not_modify_input(self):
        row = np.array([1.0, 2.0, 3.0])
        top_k_filter(row, 1)
        assert row.tolist() == [1.0, 2.0, 3.0]

    @given(row_and_k())
    def test_keeps_exactly_k_largest(self, case):
        row, k = case
        filtered = top_k_filter(row, k)
        kept = np.isfinite(filtered)
        assert kept.sum() == k
        assert np.array_equal(filtered[kept], row[kept])
        if k < row.size:
            assert row[kept].min() >= row[~kept].max()


class TestTopP:
    def test_known_nucleus(self):
        logits = np.log([0.5, 0.3, 0.15, 0.05])
        assert np.isfinite(top_p_filter(logits, 0.8)).tolist() == [True, True, False, False]
        assert np.isfinite(top_p_filter(logits, 0.81)).tolist() == [True, True, True, False]
        assert np.isfinite(top_p_filter(logits, 0.1)).tolist() == [True, False, False, False]

    def test_p_one_keeps_everything_with_mass(self):
        logits = [0.0, 0.0, -np.inf]
        assert np.isfinite(top_p_filter(logits, 1.0)).tolist() == [True, True, False]

    def test_ties_broken_by_position(self):
        assert np.isfinite(top_p_filter([1.0, 1.0, 1.0], 0.3)).tolist() == [True, False, False]

    @given(logit_rows, st.floats(min_value=0.01, max_value=1.0))
    def test_minimal_nucleus(self, row, p):
        probs = softmax(row)
        kept = np.isfinite(top_p_filter(row, p))
        assert kept.sum() >= 1
        mass = probs[kept].sum()
        assert mass >= p - TOP_P_TOLERANCE - 1e-12
        assert mass - probs[kept].min() < p - TOP_P_TOLERANCE + 1e-12
        if (~kept).any():
            assert probs[kept].min() >= probs[~kept].max()


class TestDecodingPolicy:
    def test_defaults_are_greedy(self):
        assert DecodingPolicy() == DecodingPolicy.greedy_policy() == GREEDY
        assert GREEDY.greedy is True

    def test_sampling_constructor(self):
        policy = DecodingPolicy.sampling(temperature=0.7, top_k=50, top_p=0.9)
        assert policy == DecodingPolicy(greedy=False, temperature=0.7, top_k=50, top_p=0.9)

    def test_values_normalized(self):
        policy = DecodingPolicy(greedy=np.bool_(False), temperature=2, top_k=np.int64(3))
        assert policy.greedy is False
        assert type(policy.temperature) is float
        assert type(policy.top_k) is int

    def test_frozen(self):
        with pytest.raises(AttributeError):
            GREEDY.greedy = False  # type: ignore[misc]


class TestNextTokenDistribution:
    def test_greedy_is_one_hot_first_on_ties(self):
        assert next_token_distribution([1.0, 3.0, 3.0]).tolist() == [0.0, 1.0, 0.0]

    def test_plain_sampling_is_softmax(self):
        logits = [0.2, -1.0, 1.4]
        probs = next_token_distribution(logits, DecodingPolicy.sampling())
        np.testing.assert_allclose(probs, softmax(logits))

    def test_temperature_then_top_k_then_top_p(self):
        logits = np.log([0.4, 0.3, 0.2, 0.1])
        policy = DecodingPolicy.sampling(top_k=3, top_p=0.7)
        # top-3 renormalized: 4/9, 3/9, 2/9; nucleus for 0.7 keeps the first two (7/9).
        np.testing.assert_allclose(
            next_token_distribution(logits, policy), [4 / 7, 3 / 7, 0.0, 0.0]
        )

    @given(logit_rows, st.floats(min_value=0.1, max_value=5.0))
    def test_sums_to_one(self, row, temperature):
        probs = next_token_distribution(row, DecodingPolicy.sampling(temperature=temperature))
        assert math.isclose(probs.sum(), 1.0, rel_tol=1e-12)


class TestChooseToken:
    def test_greedy_ignores_rng(self):
        assert choose_token([0.1, 2.0, -1.0]) == 1
        assert choose_token([0.1, 2.0, -1.0], GREEDY, rng="not a generator") == 1

    def test_sampling_same_seed_same_token(self):
        policy = DecodingPolicy.sampling()
        logits = [0.0] * 10
        first = [choose_token(logits, policy, np.random.default_rng(7)) for _ in range(3)]
        assert len(set(first)) == 1

    def test_sample_frequencies_match_probabilities(self):
        rng = np.random.default_rng(0)
        probs = np.array([0.5, 0.3, 0.2])
        draws = [choose_token(np.log(probs), DecodingPolicy.sampling(), rng) for _ in range(4000)]
        frequencies = np.bincount(draws, minlength=3) / len(draws)
        np.testing.assert_allclose(frequencies, probs, atol=0.03)

    def test_never_picks_a_masked_token(self):
        rng = np.random.default_rng(1)
        logits = [-np.inf, 0.0, -np.inf, 0.0, -np.inf]
        picks = {choose_token(logits, DecodingPolicy.sampling(), rng) for _ in range(200)}
        assert picks == {1, 3}

    @given(logit_rows, st.integers(min_value=1, max_value=5), st.floats(0.05, 1.0), seeds)
    def test_sample_inside_kept_set(self, row, k, p, seed):
        k = min(k, row.size)
        policy = DecodingPolicy.sampling(temperature=0.8, top_k=k, top_p=p)
        kept = np.flatnonzero(next_token_distribution(row, policy) > 0)
        token = choose_token(row, policy, np.random.default_rng(seed))
        assert token in kept
        assert np.isfinite(top_k_filter(row, k)[token])


def count_up(ids):
    """Toy model: the next token is always last + 1 (mod 5)."""
    logits = np.full(5, -np.inf)
    logits[(ids[-1] + 1) % 5] = 0.0
    return logits


class TestGenerate:
    def test_stops_at_stop_token_and_keeps_it(self):
        run = generate(count_up, [0], max_new_tokens=10, stop_tokens=[3])
        assert run == Generation((0, 1, 2, 3), (1, 2, 3), "stop_token")

    def test_stops_at_max_new_tokens(self):
        run = generate(count_up, [4], max_new_tokens=3)
        assert run.token_ids == (4, 0, 1, 2)
        assert run.new_token_ids == (0, 1, 2)
        assert run.stop_reason == "max_new_tokens"

    def test_zero_new_tokens_never_calls_the_model(self):
        def model(ids):
            raise AssertionError("must not be called")

        run = generate(model, [2, 3], max_new_tokens=0)
        assert run == Generation((2, 3), (), "max_new_tokens")

    def test_model_receives_a_fresh_list(self):
        seen = []

        def model(ids):
            seen.append(list(ids))
            ids.append(99)  # mutating the argument must not leak into the loop
            return count_up(ids[:-1])

        run = generate(model, [0], max_new_tokens=2)
        assert run.token_ids == (0, 1, 2)
        assert seen == [[0], [0, 1]]

    def test_bigram_seed_tokens_greedy(self):
        model = seed_model
        run = generate(model, [0], max_new_tokens=10, stop_tokens=[3])
        assert [SEED_VOCAB[i] for i in run.token_ids] == SEED_VOCAB

    def test_accepts_numpy_prompt(self):
        run = generate(count_up, np.array([1, 2]), max_new_tokens=1)
        assert run.token_ids == (1, 2, 3)

    @given(seeds, st.integers(min_value=0, max_value=12))
    def test_deterministic_for_a_seed(self, seed, max_new_tokens):
        model = seed_model
        policy = DecodingPolicy.sampling(temperature=1.3)

        def run():
            return generate(
                model,
                [0],
                max_new_tokens=max_new_tokens,
                policy=policy,
                rng=np.random.default_rng(seed),
                stop_tokens=[3],
            )

        first = run()
        assert first == run()
        assert len(first.new_token_ids) <= max_new_tokens
        assert first.token_ids == (0, *first.new_token_ids)
        if first.stop_reason == "stop_token":
            assert first.new_token_ids[-1] == 3
            assert 3 not in first.new_token_ids[:-1]
        else:
            assert len(first.new_token_ids) == max_new_tokens


class TestGeneration:
    def test_normalizes_ints(self):
        run = Generation([np.int64(1), 2], [2], "max_new_tokens")
        assert run.token_ids == (1, 2)
        assert type(run.token_ids[0]) is int

    def test_tail_required(self):
        with pytest.raises(ValueError, match="new_token_ids"):
            Generation((1, 2), (3,), "max_new_tokens")
        with pytest.raises(ValueError, match="new_token_ids"):
            Generation((1,), (1, 1), "max_new_tokens")

    def test_stop_reason_choice(self):
        with pytest.raises(ValueError, match="stop_reason"):
            Generation((1,), (), "eos")


def wrong_length_model(ids):
    return np.zeros(4 if len(ids) == 1 else 5)


SAMPLE = DecodingPolicy.sampling()

BAD_INPUTS = [
    (softmax, ([np.nan, 1.0],), {}, ValueError, "logits"),
    (softmax, ([np.inf, 1.0],), {}, ValueError, "logits"),
    (softmax, ([-np.inf, -np.inf],), {}, ValueError, "logits"),
    (softmax, ([[0.0, -np.inf], [-np.inf, -np.inf]],), {}, ValueError, "logits"),
    (softmax, ([],), {}, ValueError, "logits"),
    (softmax, (3.0,), {}, ValueError, "logits"),
    (softmax, (["a"],), {}, TypeError, "logits"),
    (softmax, ([1.0],), {"axis": 1}, ValueError, "axis"),
    (softmax, ([1.0],), {"axis": 0.0}, TypeError, "axis"),
    (log_softmax, ([np.nan],), {}, ValueError, "logits"),
    (log_softmax, ([1.0],), {"axis": -2}, ValueError, "axis"),
    (apply_temperature, ([1.0], 0.0), {}, ValueError, "temperature"),
    (apply_temperature, ([1.0], -1.0), {}, ValueError, "temperature"),
    (apply_temperature, ([1.0], np.inf), {}, ValueError, "temperature"),
    (apply_temperature, ([1.0], "hot"), {}, TypeError, "temperature"),
    (apply_temperature, ([1e308], 1e-10), {}, ValueError, "temperature"),
    (apply_temperature, ([np.nan], 1.0), {}, ValueError, "logits"),
    (top_k_filter, ([1.0, 2.0], 0), {}, ValueError, r"^k\b"),
    (top_k_filter, ([1.0, 2.0], 3), {}, ValueError, "k=3"),
    (top_k_filter, ([1.0, 2.0], 1.5), {}, TypeError, r"^k\b"),
    (top_k_filter, ([[1.0, 2.0]], 1), {}, ValueError, "logits"),
    (top_p_filter, ([1.0], 0.0), {}, ValueError, r"^p\b"),
    (top_p_filter, ([1.0], 1.5), {}, ValueError, r"^p\b"),
    (top_p_filter, ([1.0], np.nan), {}, ValueError, r"^p\b"),
    (top_p_filter, ([1.0], "0.9"), {}, TypeError, r"^p\b"),
    (top_p_filter, ([-np.inf], 0.5), {}, ValueError, "logits"),
    (DecodingPolicy, (), {"greedy": 1}, TypeError, "greedy"),
    (DecodingPolicy, (), {"greedy": False, "temperature": 0}, ValueError, "temperature"),
    (DecodingPolicy, (), {"greedy": False, "top_k": 0}, ValueError, "top_k"),
    (DecodingPolicy, (), {"greedy": False, "top_k": 2.0}, TypeError, "top_k"),
    (DecodingPolicy, (), {"greedy": False, "top_p": 0.0}, ValueError, "top_p"),
    (DecodingPolicy, (), {"greedy": False, "top_p": 1.1}, ValueError, "top_p"),
    (DecodingPolicy, (), {"temperature": 0.7}, ValueError, "temperature"),
    (DecodingPolicy, (), {"top_k": 5}, ValueError, "top_k"),
    (DecodingPolicy, (), {"top_p": 0.9}, ValueError, "top_p"),
    (next_token_distribution, ([1.0], "greedy"), {}, TypeError, "policy"),
    (next_token_distribution, ([-np.inf, -np.inf],), {}, ValueError, "logits"),
    (next_token_distribution, ([1.0], DecodingPolicy.sampling(top_k=2)), {}, ValueError, "top_k"),
    (choose_token, ([1.0], SAMPLE), {}, TypeError, "rng"),
    (choose_token, ([1.0], SAMPLE, np.random.RandomState(0)), {}, TypeError, "rng"),
    (choose_token, ([1.0], None), {}, TypeError, "policy"),
    (generate, ("model", [0]), {"max_new_tokens": 1}, TypeError, "next_logits"),
    (generate, (count_up, []), {"max_new_tokens": 1}, ValueError, "prompt_ids"),
    (generate, (count_up, "abc"), {"max_new_tokens": 1}, TypeError, "prompt_ids"),
    (generate, (count_up, 3), {"max_new_tokens": 1}, TypeError, "prompt_ids"),
    (generate, (count_up, [0.5]), {"max_new_tokens": 1}, TypeError, "prompt_ids"),
    (generate, (count_up, [True]), {"max_new_tokens": 1}, TypeError, "prompt_ids"),
    (generate, (count_up, [-1]), {"max_new_tokens": 1}, ValueError, "prompt_ids"),
    (generate, (count_up, [[0]]), {"max_new_tokens": 1}, ValueError, "prompt_ids"),
    (generate, (count_up, [7]), {"max_new_tokens": 1}, ValueError, "prompt_ids"),
    (generate, (count_up, [0]), {"max_new_tokens": -1}, ValueError, "max_new_tokens"),
    (generate, (count_up, [0]), {"max_new_tokens": 2.0}, TypeError, "max_new_tokens"),
    (generate, (count_up, [0]), {"max_new_tokens": 1, "policy": "greedy"}, TypeError, "policy"),
    (generate, (count_up, [0]), {"max_new_tokens": 0, "policy": SAMPLE}, TypeError, "rng"),
    (
        generate,
        (count_up, [0]),
        {"max_new_tokens": 1, "stop_tokens": [-2]},
        ValueError,
        "stop_tokens",
    ),
    (generate, (count_up, [0]), {"max_new_tokens": 1, "stop_tokens": 3}, TypeError, "stop_tokens"),
    (generate, (lambda ids: [np.nan] * 3, [0]), {"max_new_tokens": 1}, ValueError, "next_logits"),
    (generate, (lambda ids: [[0.0]], [0]), {"max_new_tokens": 1}, ValueError, "next_logits"),
    (generate, (lambda ids: None, [0]), {"max_new_tokens": 1}, ValueError, "next_logits"),
    (generate, (wrong_length_model, [0]), {"max_new_tokens": 3}, ValueError, "next_logits"),
    (generate, (lambda ids: [-np.inf] * 2, [0]), {"max_new_tokens": 1}, ValueError, "next_logits"),
]


@pytest.mark.parametrize(("func", "args", "kwargs", "error", "name"), BAD_INPUTS)
def test_bad_inputs_are_refused_with_the_argument_named(func, args, kwargs, error, name):
    with pytest.raises(error, match=name):
        func(*args, **kwargs)
