"""Tests of llmhistory.concepts.batching: the serving simulator, block tables, prefix sharing."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmhistory.concepts.batching import (
    BlockAllocator,
    CostModel,
    OutOfBlocks,
    Request,
    blocks_for,
    paging_report,
    poisson_trace,
    prefix_sharing,
    simulate,
)

FLAT = CostModel(step_s=1.0, prefill_token_s=0.0, decode_token_s=0.0)


def trace_strategy(max_n=12):
    request = st.tuples(
        st.integers(0, 20).map(lambda a: a / 4), st.integers(1, 64), st.integers(1, 12)
    )
    return st.lists(request, min_size=1, max_size=max_n).map(
        lambda rows: [Request(i, a, p, o) for i, (a, p, o) in enumerate(rows)]
    )


class TestPoissonTrace:
    def test_seeded_and_in_range(self):
        a = poisson_trace(50, rate=4.0, prompt_tokens=(10, 20), output_tokens=(1, 5), seed=3)
        assert a == poisson_trace(
            50, rate=4.0, prompt_tokens=(10, 20), output_tokens=(1, 5), seed=3
        )
        assert a != poisson_trace(
            50, rate=4.0, prompt_tokens=(10, 20), output_tokens=(1, 5), seed=4
        )
        assert [r.rid for r in a] == list(range(50))
        assert all(10 <= r.prompt_tokens <= 20 and 1 <= r.output_tokens <= 5 for r in a)
        arrivals = np.array([r.arrival for r in a])
        assert (np.diff(arrivals) >= 0).all() and arrivals[0] > 0

    def test_mean_gap_is_one_over_rate(self):
        arrivals = np.array([r.arrival for r in poisson_trace(20_000, rate=5.0, seed=0)])
        assert np.diff(arrivals, prepend=0.0).mean() == pytest.approx(0.2, rel=0.03)

    def test_equals_an_independent_draw(self):
        rng = np.random.default_rng(7)
        gaps = rng.exponential(0.5, size=4)
        prompts, outputs = rng.integers(1, 9, size=4), rng.integers(2, 4, size=4)
        trace = poisson_trace(4, rate=2.0, prompt_tokens=(1, 8), output_tokens=(2, 3), seed=7)
        assert [r.arrival for r in trace] == pytest.approx(np.cumsum(gaps).tolist())
        assert [r.prompt_tokens for r in trace] == prompts.tolist()
        assert [r.output_tokens for r in trace] == outputs.tolist()

    @pytest.mark.parametrize(
        "kwargs, error, pattern",
        [
            (dict(n=0, rate=1.0), ValueError, "n must be an integer >= 1"),
            (dict(n=2, rate=0.0), ValueError, "rate must be > 0"),
            (dict(n=2, rate=1.0, prompt_tokens=(5, 4)), ValueError, "prompt_tokens must have low"),
            (dict(n=2, rate=1.0, output_tokens=(1, 2, 3)), ValueError, "output_tokens must be a"),
            (dict(n=2, rate=1.0, output_tokens=(0, 2)), ValueError, r"output_tokens\[0\]"),
            (dict(n=2, rate=1.0, prompt_tokens="ab"), TypeError, "prompt_tokens"),
            (dict(n=2, rate=1.0, seed=-1), ValueError, "seed"),
        ],
    )
    def test_bad_inputs(self, kwargs, error, pattern):
        with pytest.raises(error, match=pattern):
            poisson_trace(**kwargs)


class TestRequestAndCost:
    @pytest.mark.parametrize(
        "args, error, pattern",
        [
            ((-1, 0.0, 1, 1), ValueError, "rid"),
            ((0, -1.0, 1, 1), ValueError, "arrival must be >= 0.0"),
            ((0, 0.0, 0, 1), ValueError, "prompt_tokens must be an integer >= 1"),
            ((0, 0.0, 1, 0), ValueError, "output_tokens must be an integer >= 1"),
            ((0, "0", 1, 1), TypeError, "arrival"),
        ],
    )
    def test_bad_requests(self, args, error, pattern):
        with pytest.raises(error, match=pattern):
            Request(*args)

    def test_step_time(self):
        cost = CostModel(step_s=0.5, prefill_token_s=0.25, decode_token_s=0.125)
        assert cost.step_time(4, 8) == 0.5 + 1.0 + 1.0
        assert CostModel().step_time(0, 0) == 0.025

    @pytest.mark.parametrize(
        "kwargs, pattern",
        [(dict(step_s=0.0), "step_s must be > 0"), (dict(prefill_token_s=-1.0), "prefill_token_s"),
         (dict(decode_token_s=float("nan")), "decode_token_s")],
    )  # fmt: skip
    def test_bad_costs(self, kwargs, pattern):
        with pytest.raises(ValueError, match=pattern):
            CostModel(**kwargs)


class TestSimulateHandComputed:
    def test_static_waits_for_the_whole_batch(self):
        # A (3 tokens) and B (1 token) at t=0, C (2 tokens) at t=0.5; two slots, 1 s per step.
        reqs = [Request(0, 0.0, 4, 3), Request(1, 0.0, 4, 1), Request(2, 0.5, 4, 2)]
        run = simulate(reqs, policy="static", max_batch=2, cost=FLAT)
        # Batch {A, B}: steps end at 1, 2, 3 (B's slot idles after step 1); then {C}: 4, 5.
        assert [(t.first_token, t.finish) for t in run.timings] == [(1, 3), (1, 1), (4, 5)]
        assert (run.steps, run.busy_s, run.tokens_generated) == (5, 5.0, 6)

    def test_continuous_fills_the_free_slot(self):
        reqs = [Request(0, 0.0, 4, 3), Request(1, 0.0, 4, 1), Request(2, 0.5, 4, 2)]
        run = simulate(reqs, policy="continuous", max_batch=2, cost=FLAT)
        # B leaves after step 1; C joins at the boundary t=1: first token at 2, done at 3.
        assert [(t.first_token, t.finish) for t in run.timings] == [(1, 3), (1, 1), (2, 3)]
        assert (run.steps, run.tokens_generated, run.makespan) == (3, 6, 3.0)
        assert run.throughput == 2.0
        assert [t.ttft for t in run.timings] == [1.0, 1.0, 1.5]

    def test_cost_model_and_idle_gap(self):
        cost = CostModel(step_s=1.0, prefill_token_s=0.5, decode_token_s=0.25)
        reqs = [Request(0, 0.0, 2, 2), Request(1, 10.0, 4, 1)]
        run = simulate(reqs, policy="continuous", max_batch=4, cost=cost)
        # Step 1: prefill 2 tokens = 2.0 s; step 2: decode one = 1.25 s. Idle until 10;
        # step 3: prefill 4 tokens = 3.0 s.
        assert [(t.first_token, t.finish) for t in run.timings] == [(2.0, 3.25), (13.0, 13.0)]
        assert run.busy_s == 6.25 and run.makespan == 13.0

    def test_static_pays_for_padding(self):
        cost = CostModel(step_s=1.0, prefill_token_s=0.0, decode_token_s=1.0)
        reqs = [Request(0, 0.0, 1, 3), Request(1, 0.0, 1, 1)]
        static = simulate(reqs, policy="static", max_batch=2, cost=cost)
        continuous = simulate(reqs, policy="continuous", max_batch=2, cost=cost)
        assert static.busy_s == 1 + 3 + 3  # B is still computed in steps 2 and 3
        assert continuous.busy_s == 1 + 2 + 2

    def test_percentiles(self):
        reqs = [Request(i, 0.0, 1, 1 + i) for i in range(5)]
        run = simulate(reqs, policy="continuous", max_batch=5, cost=FLAT)
        assert [t.latency for t in run.timings] == [1, 2, 3, 4, 5]
        assert run.percentile("latency", 50) == 3.0
        assert run.percentile("latency", 95) == pytest.approx(4.8)
        assert run.summary()["ttft_p95"] == 1.0

    def test_fifo_by_arrival_then_id(self):
        reqs = [Request(5, 1.0, 1, 1), Request(3, 1.0, 1, 1), Request(4, 0.0, 1, 1)]
        run = simulate(reqs, policy="continuous", max_batch=1, cost=FLAT)
        assert [t.rid for t in run.timings] == [3, 4, 5]
        assert [t.finish for t in run.timings] == [2.0, 1.0, 3.0]


class TestSimulateBadInputs:
    @pytest.mark.parametrize(
        "kwargs, error, pattern",
        [
            (dict(policy="dynamic", max_batch=2), ValueError, "policy must be one of"),
            (dict(policy="static", max_batch=0), ValueError, "max_batch must be an integer >= 1"),
            (dict(policy="static", max_batch=2, cost=0.1), TypeError, "cost must be a CostModel"),
        ],
    )
    def test_bad_arguments(self, kwargs, error, pattern):
        with pytest.raises(error, match=pattern):
            simulate([Request(0, 0.0, 1, 1)], **kwargs)

    def test_bad_requests(self):
        with pytest.raises(ValueError, match="requests must hold at least one"):
            simulate([], policy="static", max_batch=1)
        with pytest.raises(TypeError, match=r"requests\[0\] must be a Request"):
            simulate([(0, 0.0, 1, 1)], policy="static", max_batch=1)
        with pytest.raises(ValueError, match="distinct ids"):
            simulate([Request(0, 0.0, 1, 1)] * 2, policy="static", max_batch=1)


class TestSimulateProperties:
    @settings(max_examples=60, deadline=None)
    @given(reqs=trace_strategy(), max_batch=st.integers(1, 5))
    def test_invariants(self, reqs, max_batch):
        cost = CostModel(step_s=0.1, prefill_token_s=0.01, decode_token_s=0.02)
        runs = {
            p: simulate(reqs, policy=p, max_batch=max_batch, cost=cost)
            for p in ("static", "continuous")
        }
        for run in runs.values():
            # every request finishes exactly once, in order: arrival <= first token <= finish
            assert sorted(t.rid for t in run.timings) == [r.rid for r in reqs]
            for t, r in zip(run.timings, sorted(reqs, key=lambda r: r.rid), strict=True):
                assert r.arrival < t.first_token <= t.finish
            # tokens conserved
            assert run.tokens_generated == sum(r.output_tokens for r in reqs)
            assert run.busy_s <= run.makespan + max(r.arrival for r in reqs) + 1e-9
        assert runs["continuous"].throughput >= runs["static"].throughput - 1e-9
        assert runs["continuous"].steps <= runs["static"].steps

    @settings(max_examples=30, deadline=None)
    @given(reqs=trace_strategy())
    def test_one_slot_policies_agree(self, reqs):
        # With one slot both policies serve one request at a time, first come first served.
        a = simulate(reqs, policy="static", max_batch=1)
        b = simulate(reqs, policy="continuous", max_batch=1)
        assert a.timings == b.timings

    @settings(max_examples=30, deadline=None)
    @given(reqs=trace_strategy(), max_batch=st.integers(1, 4))
    def test_flat_cost_static_steps_are_sum_of_batch_maxima(self, reqs, max_batch):
        # Static batching: each batch runs as many steps as its longest output.
        run = simulate(reqs, policy="static", max_batch=max_batch, cost=FLAT)
        assert run.busy_s == run.steps
        finishes = sorted({t.finish for t in run.timings})
        assert run.steps >= max(r.output_tokens for r in reqs)
        assert len(finishes) <= len(reqs)

    def test_continuous_beats_static_on_a_poisson_trace(self):
        trace = poisson_trace(200, rate=3.0, seed=0)
        static = simulate(trace, policy="static", max_batch=16)
        continuous = simulate(trace, policy="continuous", max_batch=16)
        assert continuous.throughput > static.throughput
        assert continuous.percentile("ttft", 95) < static.percentile("ttft", 95)


class TestBlocks:
    @pytest.mark.parametrize(
        "tokens, size, blocks", [(0, 16, 0), (1, 16, 1), (16, 16, 1), (17, 16, 2), (5, 1, 5)]
    )
    def test_blocks_for(self, tokens, size, blocks):
        assert blocks_for(tokens, size) == blocks

    def test_allocator_tables_and_reuse(self):
        pool = BlockAllocator(num_blocks=4, block_size=2)
        pool.add("a", 3)
        pool.add("b", 1)
        assert pool.block_table("a") == (0, 1) and pool.block_table("b") == (2,)
        pool.append("b", 2)  # fills block 2, takes block 3
        assert pool.block_table("b") == (2, 3) and pool.length("b") == 3
        assert pool.free_blocks == 0 and pool.waste() == 2
        with pytest.raises(OutOfBlocks, match="all 4 blocks are in use"):
            pool.append("a", 2)
        assert pool.length("a") == 4  # the token that fitted is kept
        pool.free("a")
        assert pool.free_blocks == 2
        pool.add("c", 4)
        assert pool.block_table("c") == (0, 1)  # freed blocks are reused

    def test_failed_add_returns_its_blocks(self):
        pool = BlockAllocator(num_blocks=3, block_size=4)
        pool.add("a", 4)
        with pytest.raises(OutOfBlocks):
            pool.add("b", 13)
        assert pool.free_blocks == 2
        with pytest.raises(KeyError, match="'b' is not in the pool"):
            pool.block_table("b")

    def test_shared_prefix_is_reference_counted(self):
        pool = BlockAllocator(num_blocks=10, block_size=4)
        pool.add("sys", 10)  # blocks 0, 1, 2 (2 slots used)
        pool.add("u1", 12, share_prefix_of="sys", prefix_tokens=10)
        assert pool.block_table("u1") == (0, 1, 3)  # the partial third block is not shared
        pool.free("sys")
        assert pool.free_blocks == 10 - 3  # blocks 0 and 1 stay: u1 still refers to them
        pool.free("u1")
        assert pool.free_blocks == 10

    @pytest.mark.parametrize(
        "call, error, pattern",
        [
            (lambda p: p.add("a", 1), ValueError, "'a' is already in the pool"),
            (lambda p: p.add("b", 1, prefix_tokens=1), ValueError, "needs share_prefix_of"),
            (lambda p: p.add("b", 9, share_prefix_of="a", prefix_tokens=5), ValueError,
             "prefix_tokens=5 must be <= both lengths"),
            (lambda p: p.add("b", 1, share_prefix_of="z"), KeyError, "'z' is not in the pool"),
            (lambda p: p.add("b", -1), ValueError, "tokens must be an integer >= 0"),
            (lambda p: p.append("z"), KeyError, "'z'"),
        ],
    )  # fmt: skip
    def test_bad_calls(self, call, error, pattern):
        pool = BlockAllocator(num_blocks=8, block_size=4)
        pool.add("a", 4)
        with pytest.raises(error, match=pattern):
            call(pool)

    def test_bad_pools(self):
        with pytest.raises(ValueError, match="num_blocks"):
            BlockAllocator(0, 4)
        with pytest.raises(TypeError, match="block_size"):
            BlockAllocator(4, 2.0)

    @settings(max_examples=60, deadline=None)
    @given(
        lengths=st.lists(st.integers(1, 200), min_size=1, max_size=20),
        block_size=st.sampled_from([1, 4, 16, 32]),
        grow=st.lists(st.integers(0, 40), min_size=20, max_size=20),
    )
    def test_fragmentation_is_under_one_block_per_sequence(self, lengths, block_size, grow):
        pool = BlockAllocator(num_blocks=10_000, block_size=block_size)
        for i, n in enumerate(lengths):
            pool.add(i, n)
            pool.append(i, grow[i])
        for i, n in enumerate(lengths):
            assert len(pool.block_table(i)) == blocks_for(n + grow[i], block_size)
            assert 0 <= len(pool.block_table(i)) * block_size - pool.length(i) < block_size
        assert pool.waste() < len(lengths) * block_size
        tables = [b for i in range(len(lengths)) for b in pool.block_table(i)]
        assert len(tables) == len(set(tables)) == pool.used_blocks  # no block held twice


class TestPagingReport:
    def test_known_values(self):
        r = paging_report([1, 16, 17, 64], block_size=16, max_tokens=64)
        assert (r.sequences, r.tokens, r.paged_slots, r.contiguous_slots) == (4, 98, 128, 256)
        assert (r.paged_waste, r.contiguous_waste) == (30, 158)
        assert r.paged_waste_fraction == 30 / 128 and r.contiguous_waste_fraction == 158 / 256

    @settings(max_examples=60, deadline=None)
    @given(
        lengths=st.lists(st.integers(1, 512), min_size=1, max_size=30),
        block_size=st.sampled_from([1, 8, 16, 64]),
    )
    def test_against_the_formula(self, lengths, block_size):
        r = paging_report(lengths, block_size=block_size, max_tokens=512)
        assert r.paged_slots == block_size * sum(-(-n // block_size) for n in lengths)
        assert r.paged_waste < r.sequences * block_size
        assert r.tokens <= r.paged_slots
        assert r.paged_slots <= r.contiguous_slots or block_size > 512

    @pytest.mark.parametrize(
        "args, kwargs, error, pattern",
        [
            (([],), dict(block_size=16, max_tokens=8), ValueError, "lengths must hold"),
            (([9],), dict(block_size=16, max_tokens=8), ValueError,
             r"lengths\[0\]=9 must be <= max_tokens=8"),
            (([0],), dict(block_size=16, max_tokens=8), ValueError, r"lengths\[0\]"),
            (([1],), dict(block_size=0, max_tokens=8), ValueError, "block_size"),
            ((5,), dict(block_size=16, max_tokens=8), TypeError, "lengths must be a sequence"),
        ],
    )  # fmt: skip
    def test_bad_inputs(self, args, kwargs, error, pattern):
        with pytest.raises(error, match=pattern):
            paging_report(*args, **kwargs)


class TestPrefixSharing:
    def test_hand_computed(self):
        # 3 sequences of a 40-token system prompt + 10/20/30 tokens; blocks of 16 tokens.
        r = prefix_sharing(40, [10, 20, 30], block_size=16, bytes_per_token=1000)
        assert (r.shared_blocks, r.blocks_unshared, r.blocks_shared) == (2, 4 + 4 + 5, 4 + 2 + 3)
        assert (r.saved_blocks, r.saved_bytes) == (4, 4 * 16 * 1000)

    @settings(max_examples=60, deadline=None)
    @given(
        prefix=st.integers(0, 300),
        suffixes=st.lists(st.integers(0, 100), min_size=1, max_size=12),
        block_size=st.sampled_from([1, 16, 32]),
    )
    def test_saves_the_full_prefix_blocks_of_all_but_one(self, prefix, suffixes, block_size):
        r = prefix_sharing(prefix, suffixes, block_size=block_size, bytes_per_token=2)
        assert r.saved_blocks == (len(suffixes) - 1) * (prefix // block_size)
        assert r.blocks_unshared == sum(-(-(prefix + s) // block_size) for s in suffixes)
        assert r.saved_bytes == r.saved_blocks * block_size * 2

    def test_bad_inputs(self):
        with pytest.raises(ValueError, match="prefix_tokens"):
            prefix_sharing(-1, [1], block_size=16, bytes_per_token=2)
        with pytest.raises(ValueError, match=r"suffix_tokens\[1\]"):
            prefix_sharing(4, [1, -2], block_size=16, bytes_per_token=2)
        with pytest.raises(ValueError, match="bytes_per_token"):
            prefix_sharing(4, [1], block_size=16, bytes_per_token=0)

    def test_records_are_frozen(self):
        r = prefix_sharing(4, [1], block_size=16, bytes_per_token=2)
        with pytest.raises(dataclasses.FrozenInstanceError):
            r.sequences = 3  # type: ignore[misc]
