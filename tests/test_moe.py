"""Tests of llmhistory.concepts.moe: the chapter's top-2 router, load statistics, Mixtral sizes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from llmhistory.concepts.moe import (
    LoadBalanceStats,
    RoutingSample,
    capacity_overflow,
    expert_load,
    load_balance_stats,
    moe_ffn_parameters,
    route_top_k,
    simulate_routing,
    switch_balance_loss,
)

EXPERT_NAMES = np.array(["returns", "shipping", "catalog", "billing"])
SEED_LOGITS = np.array([[2.4, 0.3, 0.5, -0.2], [0.1, 2.2, 0.7, 0.0]])

logit_rows = st.integers(1, 8).flatmap(
    lambda n: hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 6), st.just(n)),
        elements=st.floats(-30, 30, allow_nan=False, allow_infinity=False),
    )
)


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


class TestRouteTopK:
    def test_seed_routes(self):
        experts, weights = route_top_k(SEED_LOGITS, k=2)
        routes = [
            list(zip(EXPERT_NAMES[row].tolist(), np.round(w, 3).tolist(), strict=True))
            for row, w in zip(experts, weights, strict=True)
        ]
        assert routes == [
            [("returns", 0.87), ("catalog", 0.13)],
            [("shipping", 0.818), ("catalog", 0.182)],
        ]

    def test_seed_exact_weights(self):
        _, weights = route_top_k(SEED_LOGITS, k=2)
        assert weights[0, 0] == pytest.approx(1 / (1 + math.exp(0.5 - 2.4)))
        assert weights[1, 1] == pytest.approx(1 / (1 + math.exp(2.2 - 0.7)))

    def test_shapes_and_dtypes(self):
        experts, weights = route_top_k(SEED_LOGITS, k=3)
        assert experts.shape == weights.shape == (2, 3)
        assert experts.dtype == np.int64
        assert weights.dtype == np.float64

    def test_one_dimensional_input(self):
        experts, weights = route_top_k(SEED_LOGITS[1], k=2)
        assert experts.tolist() == [1, 2]
        assert experts.shape == weights.shape == (2,)

    def test_k_one_gives_weight_one(self):
        experts, weights = route_top_k(SEED_LOGITS, k=1)
        assert experts.tolist() == [[0], [1]]
        assert weights.tolist() == [[1.0], [1.0]]

    def test_single_expert(self):
        experts, weights = route_top_k([[0.3], [-4.0]], k=1)
        assert experts.tolist() == [[0], [0]]
        assert weights.tolist() == [[1.0], [1.0]]

    def test_k_all_experts_is_full_softmax_in_descending_order(self):
        experts, weights = route_top_k(SEED_LOGITS[0], k=4)
        assert experts.tolist() == [0, 2, 1, 3]
        np.testing.assert_allclose(weights, softmax(SEED_LOGITS[0])[experts])

    def test_ties_prefer_lower_index(self):
        experts, weights = route_top_k([1.0, 3.0, 3.0, 1.0, 3.0], k=4)
        assert experts.tolist() == [1, 2, 4, 0]
        assert weights[0] == weights[1] == weights[2]

    def test_large_logits_do_not_overflow(self):
        _, weights = route_top_k([1000.0, 999.0, -1000.0], k=2)
        np.testing.assert_allclose(weights, [1 / (1 + math.exp(-1)), 1 / (1 + math.exp(1))])

    @given(logit_rows, st.data())
    def test_selects_k_largest_and_weights_sum_to_one(self, logits, data):
        k = data.draw(st.integers(1, logits.shape[1]))
        experts, weights = route_top_k(logits, k)
        np.testing.assert_allclose(weights.sum(axis=-1), 1.0)
        assert (weights > 0).all()
        assert (np.diff(weights, axis=-1) <= 1e-12).all()  # descending with the logits
        for row, chosen in zip(logits, experts, strict=True):
            assert len(set(chosen.tolist())) == k
            assert np.array_equal(np.sort(row[chosen])[::-1], np.sort(row)[::-1][:k])

    @given(logit_rows, st.data())
    def test_equals_renormalised_full_softmax(self, logits, data):
        k = data.draw(st.integers(1, logits.shape[1]))
        experts, weights = route_top_k(logits, k)
        full = np.take_along_axis(softmax(logits), experts, axis=-1)
        np.testing.assert_allclose(weights, full / full.sum(axis=-1, keepdims=True), rtol=1e-9)

    @pytest.mark.parametrize(
        "logits, k, error, pattern",
        [
            (SEED_LOGITS, 0, ValueError, "k"),
            (SEED_LOGITS, 5, ValueError, "k=5 must be <= num_experts=4"),
            (SEED_LOGITS, 2.0, TypeError, "k"),
            (SEED_LOGITS, True, TypeError, "k"),
            ([[1.0, np.nan]], 1, ValueError, "router_logits must not contain NaN"),
            ([[1.0, np.inf]], 1, ValueError, "router_logits"),
            (np.zeros((2, 2, 2)), 1, ValueError, "router_logits"),
            (np.zeros((2, 0)), 1, ValueError, "router_logits"),
            ([["a", "b"]], 1, TypeError, "router_logits"),
        ],
    )
    def test_bad_inputs(self, logits, k, error, pattern):
        with pytest.raises(error, match=pattern):
            route_top_k(logits, k)


class TestExpertLoad:
    def test_seed_load(self):
        experts, _ = route_top_k(SEED_LOGITS, k=2)
        assert expert_load(experts, num_experts=4).tolist() == [1, 1, 2, 0]

    def test_one_dimensional_and_empty(self):
        assert expert_load([3, 3, 0], 4).tolist() == [1, 0, 0, 2]
        assert expert_load(np.zeros((0, 2), dtype=np.int64), 3).tolist() == [0, 0, 0]

    @given(st.integers(1, 10), st.lists(st.integers(0, 9), max_size=50))
    def test_counts_sum_to_assignments(self, num_experts, indices):
        indices = [i % num_experts for i in indices]
        load = expert_load(np.array(indices, dtype=np.int64), num_experts)
        assert load.shape == (num_experts,)
        assert load.sum() == len(indices)

    @pytest.mark.parametrize(
        "experts, num_experts, error, pattern",
        [
            ([0, 4], 4, ValueError, "experts must hold indices in"),
            ([-1], 4, ValueError, "experts"),
            ([0.0, 1.0], 4, TypeError, "experts"),
            ([0], 0, ValueError, "num_experts"),
            ([0], 2.0, TypeError, "num_experts"),
        ],
    )
    def test_bad_inputs(self, experts, num_experts, error, pattern):
        with pytest.raises(error, match=pattern):
            expert_load(experts, num_experts)


class TestLoadBalanceStats:
    def test_seed_load(self):
        stats = load_balance_stats([1, 1, 2, 0])
        assert stats == LoadBalanceStats(
            fractions=(0.25, 0.25, 0.5, 0.0),
            max_over_mean=2.0,
            min_over_mean=0.0,
            coefficient_of_variation=pytest.approx(math.sqrt(0.5)),
        )

    def test_perfect_balance(self):
        stats = load_balance_stats([5, 5, 5, 5])
        assert stats.max_over_mean == stats.min_over_mean == 1.0
        assert stats.coefficient_of_variation == 0.0

    def test_single_expert(self):
        stats = load_balance_stats([7])
        assert stats.fractions == (1.0,)
        assert stats.coefficient_of_variation == 0.0

    @given(hnp.arrays(np.int64, st.integers(1, 16), elements=st.integers(0, 1000)))
    def test_invariants(self, load):
        if load.sum() == 0:
            load[0] = 1
        stats = load_balance_stats(load)
        assert sum(stats.fractions) == pytest.approx(1.0)
        assert stats.min_over_mean <= 1.0 + 1e-12 <= stats.max_over_mean + 2e-12
        assert stats.max_over_mean <= load.size + 1e-9
        assert stats.coefficient_of_variation >= 0.0

    @pytest.mark.parametrize(
        "load, error, pattern",
        [
            ([0, 0], ValueError, "load must have a positive total"),
            ([1, -1], ValueError, "load must be non-negative"),
            ([], ValueError, "load"),
            ([[1, 2]], ValueError, "load"),
            ([1.0, np.nan], ValueError, "load"),
        ],
    )
    def test_bad_inputs(self, load, error, pattern):
        with pytest.raises(error, match=pattern):
            load_balance_stats(load)


class TestSimulateRouting:
    def test_seeded_and_reproducible(self):
        a = simulate_routing(500, 8, 2, seed=7)
        b = simulate_routing(500, 8, 2, seed=7)
        assert isinstance(a, RoutingSample)
        np.testing.assert_array_equal(a.router_logits, b.router_logits)
        np.testing.assert_array_equal(a.experts, b.experts)
        assert not np.array_equal(
            a.router_logits, simulate_routing(500, 8, 2, seed=8).router_logits
        )

    def test_shapes_and_consistency(self):
        sample = simulate_routing(100, 8, 2)
        assert sample.router_logits.shape == (100, 8)
        assert sample.experts.shape == sample.weights.shape == (100, 2)
        assert sample.load.sum() == 200
        experts, weights = route_top_k(sample.router_logits, 2)
        np.testing.assert_array_equal(experts, sample.experts)
        np.testing.assert_array_equal(sample.load, expert_load(experts, 8))

    def test_no_skew_is_roughly_balanced(self):
        stats = load_balance_stats(simulate_routing(20000, 8, 2, seed=0).load)
        assert stats.max_over_mean < 1.05
        assert stats.min_over_mean > 0.95

    def test_skew_favours_first_expert(self):
        balanced = load_balance_stats(simulate_routing(5000, 8, 2, seed=0).load)
        skewed_sample = simulate_routing(5000, 8, 2, seed=0, skew=3.0)
        skewed = load_balance_stats(skewed_sample.load)
        assert skewed.coefficient_of_variation > 4 * balanced.coefficient_of_variation
        assert skewed_sample.load.argmax() == 0
        assert skewed_sample.load.argmin() == 7
        reverse = simulate_routing(5000, 8, 2, seed=0, skew=-3.0)
        assert reverse.load.argmax() == 7

    def test_single_expert(self):
        sample = simulate_routing(10, 1, 1, skew=5.0)
        assert sample.load.tolist() == [10]

    @pytest.mark.parametrize(
        "kwargs, error, pattern",
        [
            (dict(tokens=0), ValueError, "tokens"),
            (dict(num_experts=0), ValueError, "num_experts"),
            (dict(k=9), ValueError, "k=9 must be <= num_experts=8"),
            (dict(seed=-1), ValueError, "seed"),
            (dict(seed=1.5), TypeError, "seed"),
            (dict(skew=math.nan), ValueError, "skew"),
            (dict(skew="high"), TypeError, "skew"),
        ],
    )
    def test_bad_inputs(self, kwargs, error, pattern):
        args = dict(tokens=10, num_experts=8, k=2)
        args.update(kwargs)
        with pytest.raises(error, match=pattern):
            simulate_routing(**args)


class TestMoeFfnParameters:
    def test_mixtral_layer(self):
        per_expert = 3 * 4096 * 14336
        total, active = moe_ffn_parameters(d_model=4096, d_ff=14336, num_experts=8, k=2)
        assert total == 8 * per_expert + 4096 * 8
        assert active == 2 * per_expert + 4096 * 8
        # Across Mixtral's 32 layers the experts hold ~45.1B parameters, ~11.3B active.
        assert 32 * total == pytest.approx(45.1e9, rel=1e-3)
        assert 32 * active == pytest.approx(11.28e9, rel=1e-3)

    def test_ungated_and_no_router(self):
        assert moe_ffn_parameters(
            d_model=10, d_ff=40, num_experts=4, k=1, gated=False, router=False
        ) == (4 * 800, 800)

    def test_dense_is_one_expert(self):
        total, active = moe_ffn_parameters(d_model=768, d_ff=3072, num_experts=1, k=1, gated=False)
        assert total == active == 2 * 768 * 3072 + 768

    @given(
        st.integers(1, 512),
        st.integers(1, 2048),
        st.integers(1, 16).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n))),
        st.booleans(),
        st.booleans(),
    )
    def test_active_at_most_total(self, d_model, d_ff, experts_k, gated, router):
        num_experts, k = experts_k
        total, active = moe_ffn_parameters(
            d_model=d_model, d_ff=d_ff, num_experts=num_experts, k=k, gated=gated, router=router
        )
        assert active <= total
        assert (active == total) == (k == num_experts)

    @pytest.mark.parametrize(
        "kwargs, error, pattern",
        [
            (dict(d_model=0), ValueError, "d_model"),
            (dict(d_ff=-1), ValueError, "d_ff"),
            (dict(num_experts=0), ValueError, "num_experts"),
            (dict(k=0), ValueError, "k"),
            (dict(k=3), ValueError, "k=3 must be <= num_experts=2"),
            (dict(gated=1), TypeError, "gated"),
            (dict(router="yes"), TypeError, "router"),
        ],
    )
    def test_bad_inputs(self, kwargs, error, pattern):
        args = dict(d_model=8, d_ff=16, num_experts=2, k=1)
        args.update(kwargs)
        with pytest.raises(error, match=pattern):
            moe_ffn_parameters(**args)


class TestCapacityOverflow:
    def test_known_value(self):
        assert capacity_overflow([6, 2, 0, 0], capacity_factor=1.25) == (2.5, 3)

    def test_balanced_load_drops_nothing(self):
        assert capacity_overflow([4, 4, 4, 4], capacity_factor=1.0) == (4.0, 0)

    @given(hnp.arrays(np.int64, st.integers(1, 8), elements=st.integers(0, 50)))
    def test_dropped_never_exceeds_the_total(self, load):
        if load.sum() == 0:
            return
        capacity, dropped = capacity_overflow(load, 1.25)
        assert capacity == pytest.approx(1.25 * load.sum() / load.size)
        assert 0 <= dropped <= load.sum()

    @pytest.mark.parametrize(
        ("load", "factor", "error", "name"),
        [
            ([1, 1], 0.5, ValueError, "capacity_factor"),
            ([0, 0], 1.25, ValueError, "load"),
            ([-1, 2], 1.25, ValueError, "load"),
            ([[1, 1]], 1.25, ValueError, "load"),
        ],
    )
    def test_bad_input(self, load, factor, error, name):
        with pytest.raises(error, match=name):
            capacity_overflow(load, factor)


class TestSwitchBalanceLoss:
    def test_uniform_routing_scores_one(self):
        assert switch_balance_loss(np.zeros((4, 4)), [0, 1, 2, 3]) == pytest.approx(1.0)

    def test_collapsed_router_scores_num_experts(self):
        logits = np.array([[50.0, 0.0, 0.0, 0.0]] * 6)
        assert switch_balance_loss(logits, np.zeros((6, 2), dtype=int)) == pytest.approx(4.0)

    def test_matches_the_definition_on_a_simulated_batch(self):
        sample = simulate_routing(tokens=512, num_experts=8, k=2, seed=1, skew=2.0)
        f = np.bincount(sample.experts[:, 0], minlength=8) / 512
        p = np.exp(sample.router_logits) / np.exp(sample.router_logits).sum(1, keepdims=True)
        expected = 8 * float(np.sum(f * p.mean(0)))
        assert switch_balance_loss(sample.router_logits, sample.experts) == pytest.approx(expected)
        assert expected > 1.0

    @pytest.mark.parametrize(
        ("logits", "experts", "name"),
        [
            (np.zeros(4), [0], "router_logits"),
            (np.zeros((2, 4)), [0, 1, 2], "experts"),
            (np.zeros((2, 4)), [[[0]], [[1]]], "experts"),
            (np.full((2, 2), np.nan), [0, 1], "router_logits"),
        ],
    )
    def test_bad_input(self, logits, experts, name):
        with pytest.raises(ValueError, match=name):
            switch_balance_loss(logits, experts)
