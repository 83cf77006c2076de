"""Tests of llmhistory.concepts.kv_cache: the chapter's GQA sizing, budgets, invariants, bad
inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmhistory.concepts.kv_cache import (
    GIB,
    AttentionVariant,
    compare_attention_variants,
    format_gib,
    kv_cache_bytes,
    max_batch_for_budget,
    max_tokens_for_budget,
)

SEED = dict(batch=8, layers=32, tokens=8192, head_dim=128)
sizes = st.integers(min_value=1, max_value=64)


class TestKvCacheBytes:
    def test_seed_mha_is_32_gib(self):
        assert kv_cache_bytes(**SEED, kv_heads=32) == 32 * GIB

    def test_formula(self):
        assert kv_cache_bytes(
            batch=2, layers=3, tokens=5, kv_heads=7, head_dim=11, bytes_per_value=4
        ) == (2 * 2 * 3 * 5 * 7 * 11 * 4)

    def test_llama_2_7b_per_token_is_512_kib(self):
        assert kv_cache_bytes(batch=1, layers=32, tokens=1, kv_heads=32, head_dim=128) == 512 * 1024

    def test_default_is_two_bytes(self):
        one = kv_cache_bytes(batch=1, layers=1, tokens=1, kv_heads=1, head_dim=1)
        assert one == 4  # K and V, 2 bytes each

    def test_zero_tokens_is_empty_cache(self):
        assert kv_cache_bytes(batch=8, layers=32, tokens=0, kv_heads=8, head_dim=128) == 0

    def test_numpy_integers_accepted(self):
        assert (
            kv_cache_bytes(batch=np.int64(1), layers=np.int32(2), tokens=1, kv_heads=1, head_dim=1)
            == 8
        )

    @given(sizes, sizes, sizes, sizes, sizes)
    def test_linear_in_kv_heads_and_tokens(self, batch, layers, tokens, kv_heads, head_dim):
        def f(**overrides):
            args = dict(
                batch=batch, layers=layers, tokens=tokens, kv_heads=kv_heads, head_dim=head_dim
            )
            args.update(overrides)
            return kv_cache_bytes(**args)

        assert f(kv_heads=2 * kv_heads) == 2 * f()
        assert f(tokens=2 * tokens) == 2 * f()
        assert f(tokens=tokens + 1) - f() == f(tokens=1)

    @pytest.mark.parametrize(
        "name, value, error",
        [
            ("batch", 0, ValueError),
            ("layers", 0, ValueError),
            ("tokens", -1, ValueError),
            ("kv_heads", 0, ValueError),
            ("head_dim", 0, ValueError),
            ("bytes_per_value", 0, ValueError),
            ("batch", 1.5, TypeError),
            ("tokens", 2.0, TypeError),
            ("kv_heads", True, TypeError),
            ("head_dim", "128", TypeError),
        ],
    )
    def test_bad_inputs(self, name, value, error):
        args = dict(batch=1, layers=1, tokens=1, kv_heads=1, head_dim=1, bytes_per_value=2)
        args[name] = value
        with pytest.raises(error, match=name):
            kv_cache_bytes(**args)

    def test_keyword_only(self):
        with pytest.raises(TypeError):
            kv_cache_bytes(1, 1, 1, 1, 1)  # type: ignore[misc]


class TestFormatGib:
    @pytest.mark.parametrize(
        "n_bytes, digits, text",
        [
            (32 * GIB, 2, "32.00 GiB"),
            (8 * GIB, 2, "8.00 GiB"),
            (GIB, 2, "1.00 GiB"),
            (0, 2, "0.00 GiB"),
            (1.5 * GIB, 1, "1.5 GiB"),
            (GIB // 3, 0, "0 GiB"),
        ],
    )
    def test_values(self, n_bytes, digits, text):
        assert format_gib(n_bytes, digits) == text

    @pytest.mark.parametrize(
        "kwargs, error, name",
        [
            (dict(n_bytes=-1), ValueError, "n_bytes"),
            (dict(n_bytes=math.inf), ValueError, "n_bytes"),
            (dict(n_bytes="1"), TypeError, "n_bytes"),
            (dict(n_bytes=1, digits=-1), ValueError, "digits"),
            (dict(n_bytes=1, digits=1.0), TypeError, "digits"),
        ],
    )
    def test_bad_inputs(self, kwargs, error, name):
        with pytest.raises(error, match=name):
            format_gib(**kwargs)


class TestCompareAttentionVariants:
    def test_seed_table(self):
        rows = compare_attention_variants(**SEED, heads=32, kv_heads_options=(32, 8, 1))
        assert [r.label for r in rows] == ["MHA", "GQA", "MQA"]
        assert [r.kv_heads for r in rows] == [32, 8, 1]
        assert [format_gib(r.bytes) for r in rows] == ["32.00 GiB", "8.00 GiB", "1.00 GiB"]
        assert [r.relative_to_mha for r in rows] == [1.0, 0.25, 0.03125]
        assert [f"{r.relative_to_mha:.3f}" for r in rows] == ["1.000", "0.250", "0.031"]

    def test_str_matches_chapter_lines(self):
        rows = compare_attention_variants(**SEED, heads=32, kv_heads_options=[32, 8, 1])
        assert [str(r) for r in rows] == [
            "MHA: kv_heads=32 cache=32.00 GiB relative=1.000",
            "GQA: kv_heads= 8 cache= 8.00 GiB relative=0.250",
            "MQA: kv_heads= 1 cache= 1.00 GiB relative=0.031",
        ]
        assert rows[1].gib == 8.0

    def test_default_options_are_divisors_descending(self):
        rows = compare_attention_variants(**SEED, heads=12)
        assert [r.kv_heads for r in rows] == [12, 6, 4, 3, 2, 1]
        assert [r.label for r in rows] == ["MHA", "GQA", "GQA", "GQA", "GQA", "MQA"]

    def test_single_head_is_mha(self):
        (row,) = compare_attention_variants(**SEED, heads=1)
        assert row == AttentionVariant(label="MHA", kv_heads=1, bytes=GIB, relative_to_mha=1.0)

    def test_records_are_frozen(self):
        row = compare_attention_variants(**SEED, heads=32, kv_heads_options=[8])[0]
        with pytest.raises(AttributeError):
            row.kv_heads = 4  # type: ignore[misc]

    @given(st.sampled_from([1, 2, 4, 8, 16, 32, 64]), st.integers(1, 4096))
    def test_relative_equals_byte_ratio(self, heads, tokens):
        rows = compare_attention_variants(
            batch=1, layers=2, tokens=tokens, heads=heads, head_dim=64
        )
        mha = rows[0]
        assert mha.label == "MHA"
        for row in rows:
            assert row.bytes == pytest.approx(mha.bytes * row.relative_to_mha)
            assert heads % row.kv_heads == 0

    @pytest.mark.parametrize(
        "kwargs, error, pattern",
        [
            (dict(kv_heads_options=(3,)), ValueError, "kv_heads=3 must divide heads=32"),
            (dict(kv_heads_options=(32, 0)), ValueError, "kv_heads"),
            (dict(kv_heads_options=()), ValueError, "kv_heads_options"),
            (dict(kv_heads_options=8), TypeError, "kv_heads_options"),
            (dict(kv_heads_options="8"), TypeError, "kv_heads_options"),
            (dict(kv_heads_options=(8.0,)), TypeError, "kv_heads"),
            (dict(heads=0), ValueError, "heads"),
            (dict(tokens=-5), ValueError, "tokens"),
            (dict(bytes_per_value=0), ValueError, "bytes_per_value"),
        ],
    )
    def test_bad_inputs(self, kwargs, error, pattern):
        args = dict(**SEED, heads=32)
        args.update(kwargs)
        with pytest.raises(error, match=pattern):
            compare_attention_variants(**args)


class TestBudgets:
    MODEL = dict(layers=32, kv_heads=8, head_dim=128)  # Llama 3 8B shapes: 128 KiB per token

    def test_max_tokens_inverts_seed(self):
        assert max_tokens_for_budget(8 * GIB, batch=8, **self.MODEL) == 8192
        assert max_tokens_for_budget(8 * GIB - 1, batch=8, **self.MODEL) == 8191

    def test_max_tokens_with_weights_reserved(self):
        # An 80 GiB card holding 16 GiB of weights leaves 64 GiB: 512 Ki tokens at 128 KiB each.
        assert (
            max_tokens_for_budget(80 * GIB, reserved_bytes=16 * GIB, batch=1, **self.MODEL)
            == 524288
        )

    def test_max_batch(self):
        assert max_batch_for_budget(32 * GIB, tokens=8192, **self.MODEL) == 32
        assert max_batch_for_budget(32 * GIB - 1, tokens=8192, **self.MODEL) == 31
        assert max_batch_for_budget(10.0, tokens=8192, **self.MODEL) == 0

    def test_float_budget_and_reserve(self):
        assert max_tokens_for_budget(262144.9, batch=1, **self.MODEL) == 2
        assert max_tokens_for_budget(262144.5, reserved_bytes=0.5, batch=1, **self.MODEL) == 2
        assert max_tokens_for_budget(262144.5, reserved_bytes=0.75, batch=1, **self.MODEL) == 1

    def test_huge_integer_budget_is_exact(self):
        budget = 2**60 + 131072  # beyond float precision
        assert max_tokens_for_budget(budget, batch=1, **self.MODEL) == 2**60 // 131072 + 1
        assert max_tokens_for_budget(np.int64(budget), batch=1, **self.MODEL) == (
            2**60 // 131072 + 1
        )

    def test_zero_budget(self):
        assert max_tokens_for_budget(0, batch=1, **self.MODEL) == 0

    @given(
        budget=st.integers(0, 2**44),
        reserved=st.integers(0, 2**40),
        batch=sizes,
        layers=sizes,
        kv_heads=sizes,
        head_dim=sizes,
    )
    def test_result_fits_and_one_more_does_not(
        self, budget, reserved, batch, layers, kv_heads, head_dim
    ):
        budget += reserved
        shape = dict(layers=layers, kv_heads=kv_heads, head_dim=head_dim)
        tokens = max_tokens_for_budget(budget, reserved_bytes=reserved, batch=batch, **shape)
        assert kv_cache_bytes(batch=batch, tokens=tokens, **shape) <= budget - reserved
        assert kv_cache_bytes(batch=batch, tokens=tokens + 1, **shape) > budget - reserved

    @given(budget=st.floats(0, 1e13), tokens=sizes, layers=sizes, kv_heads=sizes)
    def test_max_batch_fits_and_one_more_does_not(self, budget, tokens, layers, kv_heads):
        shape = dict(tokens=tokens, layers=layers, kv_heads=kv_heads, head_dim=64)
        batch = max_batch_for_budget(budget, **shape)
        assert batch >= 0
        if batch:
            assert kv_cache_bytes(batch=batch, **shape) <= budget
        assert kv_cache_bytes(batch=batch + 1, **shape) > budget

    @pytest.mark.parametrize(
        "budget, kwargs, error, pattern",
        [
            (-1, {}, ValueError, "budget_bytes"),
            (math.inf, {}, ValueError, "budget_bytes"),
            (math.nan, {}, ValueError, "budget_bytes"),
            ("8GiB", {}, TypeError, "budget_bytes"),
            (GIB, dict(reserved_bytes=2 * GIB), ValueError, "reserved_bytes"),
            (GIB, dict(reserved_bytes=-1), ValueError, "reserved_bytes"),
            (GIB, dict(layers=0), ValueError, "layers"),
            (GIB, dict(kv_heads=2.5), TypeError, "kv_heads"),
        ],
    )
    def test_bad_inputs(self, budget, kwargs, error, pattern):
        args = dict(self.MODEL)
        args.update(kwargs)
        with pytest.raises(error, match=pattern):
            max_tokens_for_budget(budget, batch=1, **args)
        with pytest.raises(error, match=pattern):
            max_batch_for_budget(budget, tokens=16, **args)

    def test_max_batch_needs_a_token(self):
        with pytest.raises(ValueError, match="tokens"):
            max_batch_for_budget(GIB, tokens=0, **self.MODEL)
