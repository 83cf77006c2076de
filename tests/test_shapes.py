"""Tests of llmhistory.concepts.shapes: the last-position shape trace and the KV-cache layout."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmhistory.concepts.kv_cache import kv_cache_shape
from llmhistory.concepts.shapes import (
    ShapeTrace,
    format_shape_trace,
    last_position_trace,
)

small = st.integers(min_value=1, max_value=6)

SEED_TRACE = {"batch": 1, "tokens": 5, "d_model": 8, "vocab_size": 6}
SEED_KV = {"layers": 4, "batch": 1, "kv_heads": 2, "tokens": 5, "head_dim": 4}


class TestSeedExample:
    def test_shapes(self):
        trace = last_position_trace(**SEED_TRACE)
        assert trace.hidden_shape == (1, 5, 8)
        assert trace.logits_shape == (1, 6)
        assert trace.probabilities_shape == (1, 6)
        assert trace.output_projection.shape == (8, 6)
        assert round(trace.probability_sum, 3) == 1.0

    def test_kv_cache_shape(self):
        assert kv_cache_shape(**SEED_KV) == (4, 2, 1, 2, 5, 4)
        assert kv_cache_shape(**{**SEED_KV, "tokens": 0}) == (4, 2, 1, 2, 0, 4)  # empty cache

    def test_same_draws_as_an_independent_computation(self):
        rng = np.random.default_rng(3)
        hidden = rng.normal(size=(1, 5, 8))
        projection = rng.normal(size=(8, 6))
        logits = hidden[:, -1, :] @ projection
        expected = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
        trace = last_position_trace(**SEED_TRACE)
        np.testing.assert_array_equal(trace.hidden, hidden)
        np.testing.assert_array_equal(trace.output_projection, projection)
        np.testing.assert_allclose(trace.last_logits, logits)
        np.testing.assert_allclose(trace.probabilities, expected)

    def test_format_lines(self):
        lines = format_shape_trace(last_position_trace(**SEED_TRACE), kv_cache_shape(**SEED_KV))
        assert lines == [
            "hidden states (batch, tokens, d_model): (1, 5, 8)",
            "last-position logits (batch, vocab_size): (1, 6)",
            "next-token probabilities (batch, vocab_size): (1, 6), sum = 1.0",
            "KV cache (layers, K/V, batch, kv_heads, tokens, head_dim): (4, 2, 1, 2, 5, 4)",
        ]

    def test_format_without_kv(self):
        assert len(format_shape_trace(last_position_trace(**SEED_TRACE))) == 3


class TestLastPositionTrace:
    def test_seed_changes_the_draws_not_the_shapes(self):
        a = last_position_trace(**SEED_TRACE, seed=0)
        b = last_position_trace(**SEED_TRACE, seed=1)
        assert a.logits_shape == b.logits_shape
        assert not np.array_equal(a.hidden, b.hidden)

    def test_deterministic(self):
        a = last_position_trace(**SEED_TRACE)
        b = last_position_trace(**SEED_TRACE)
        np.testing.assert_array_equal(a.probabilities, b.probabilities)

    def test_arrays_are_read_only(self):
        trace = last_position_trace(**SEED_TRACE)
        with pytest.raises(ValueError):
            trace.hidden[0, 0, 0] = 1.0
        with pytest.raises(AttributeError):
            trace.hidden = np.zeros(1)  # type: ignore[misc]

    def test_one_token_one_word_vocab(self):
        trace = last_position_trace(batch=1, tokens=1, d_model=1, vocab_size=1)
        assert trace.probabilities.tolist() == [[1.0]]

    @settings(max_examples=40)
    @given(small, small, small, small, st.integers(min_value=0, max_value=1000))
    def test_shapes_and_sums(self, batch, tokens, d_model, vocab_size, seed):
        trace = last_position_trace(
            batch=batch, tokens=tokens, d_model=d_model, vocab_size=vocab_size, seed=seed
        )
        assert trace.hidden_shape == (batch, tokens, d_model)
        assert trace.logits_shape == trace.probabilities_shape == (batch, vocab_size)
        np.testing.assert_allclose(trace.row_sums, np.ones(batch))
        assert math.isclose(trace.probability_sum, batch, rel_tol=1e-12)
        np.testing.assert_allclose(
            trace.last_logits, trace.hidden[:, -1, :] @ trace.output_projection
        )

    @settings(max_examples=20)
    @given(small, st.integers(min_value=2, max_value=6))
    def test_only_the_last_position_matters(self, batch, tokens):
        trace = last_position_trace(batch=batch, tokens=tokens, d_model=4, vocab_size=3)
        hidden = np.array(trace.hidden)
        hidden[:, :-1, :] = 0.0
        np.testing.assert_allclose(hidden[:, -1, :] @ trace.output_projection, trace.last_logits)


class TestKvCacheShape:
    @given(small, small, small, small, small)
    def test_layout(self, layers, batch, kv_heads, tokens, head_dim):
        shape = kv_cache_shape(
            layers=layers, batch=batch, kv_heads=kv_heads, tokens=tokens, head_dim=head_dim
        )
        assert shape == (layers, 2, batch, kv_heads, tokens, head_dim)
        assert all(type(size) is int for size in shape)

    def test_grows_by_one_token(self):
        before = kv_cache_shape(**SEED_KV)
        after = kv_cache_shape(**{**SEED_KV, "tokens": 6})
        assert np.prod(after) - np.prod(before) == 4 * 2 * 1 * 2 * 4


def trace_kwargs(**changes):
    return {**SEED_TRACE, **changes}


def kv_kwargs(**changes):
    return {**SEED_KV, **changes}


BAD_INPUTS = [
    (last_position_trace, trace_kwargs(batch=0), ValueError, "batch"),
    (last_position_trace, trace_kwargs(tokens=-1), ValueError, "tokens"),
    (last_position_trace, trace_kwargs(d_model=2.5), TypeError, "d_model"),
    (last_position_trace, trace_kwargs(vocab_size=0), ValueError, "vocab_size"),
    (last_position_trace, trace_kwargs(seed=-1), ValueError, "seed"),
    (last_position_trace, trace_kwargs(seed="3"), TypeError, "seed"),
    (kv_cache_shape, kv_kwargs(layers=0), ValueError, "layers"),
    (kv_cache_shape, kv_kwargs(batch=0), ValueError, "batch"),
    (kv_cache_shape, kv_kwargs(kv_heads=0), ValueError, "kv_heads"),
    (kv_cache_shape, kv_kwargs(tokens=True), TypeError, "tokens"),
    (kv_cache_shape, kv_kwargs(tokens=-1), ValueError, "tokens"),
    (kv_cache_shape, kv_kwargs(head_dim=4.0), TypeError, "head_dim"),
]


@pytest.mark.parametrize(("func", "kwargs", "error", "name"), BAD_INPUTS)
def test_bad_inputs_are_refused_with_the_argument_named(func, kwargs, error, name):
    with pytest.raises(error, match=name):
        func(**kwargs)


def test_format_refuses_bad_arguments():
    trace = last_position_trace(**SEED_TRACE)
    with pytest.raises(TypeError, match="trace"):
        format_shape_trace("trace")
    with pytest.raises(TypeError, match="kv_shape"):
        format_shape_trace(trace, [4, 2])
    with pytest.raises(ValueError, match=r"kv_shape\[1\]"):
        format_shape_trace(trace, (4, 0))


def test_shape_trace_is_the_returned_type():
    assert isinstance(last_position_trace(**SEED_TRACE), ShapeTrace)
