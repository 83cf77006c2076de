"""Tests of llmhistory.concepts.kv_cache: the chapter's GQA sizing, budgets, invariants, bad
inputs."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmhistory.concepts.kv_cache import (
    AttentionVariant,
    KVCache,
    cached_positions,
    compare_attention_variants,
    kv_cache_bytes,
    kv_cache_bytes_per_token,
    kv_cache_shape,
    max_batch,
    max_batch_for_budget,
    max_tokens_for_budget,
    mla_cache_bytes_per_token,
    positions_processed,
    serving_memory,
    serving_report,
)
from llmhistory.concepts.models import ModelConfig, count_parameters, get_config
from llmhistory.concepts.precision import GIB, fit_report, fits, format_gib

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


# -- serving: weights plus cache, positions ------------------------------------------------

LLAMA2_7B = get_config("llama-2-7b")
LLAMA3_8B = get_config("llama-3-8b")
LLAMA2_70B = get_config("llama-2-70b")
MISTRAL_7B = get_config("mistral-7b")

parameters = st.integers(min_value=0, max_value=10**12)
model_names = st.sampled_from(["llama-2-7b", "llama-3-8b", "mistral-7b", "mixtral-8x7b", "gpt2"])


class TestServing:
    def test_weights_plus_cache(self):
        estimate = serving_memory(LLAMA2_7B, batch=8, tokens=4096)
        assert estimate.label == "serving"
        assert estimate.breakdown["KV cache"] == 16 * GIB
        assert estimate.breakdown["weights"] == 2 * 6_738_415_616
        assert estimate.trainable == 0
        assert str(estimate) == "serving: 28.55 GiB (weights 12.55, KV cache 16.00)"

    def test_mistral_rolling_buffer(self):
        assert cached_positions(MISTRAL_7B, 32768) == 4096
        assert cached_positions(MISTRAL_7B, 100) == 100
        assert cached_positions(MISTRAL_7B, 32768, rolling_window=False) == 32768
        assert cached_positions(LLAMA3_8B, 32768) == 32768
        rolling = serving_memory(MISTRAL_7B, batch=1, tokens=32768)
        full = serving_memory(MISTRAL_7B, batch=1, tokens=32768, rolling_window=False)
        # Jiang et al. 2023: the rolling buffer cuts cache memory 8x at 32k tokens.
        assert full.breakdown["KV cache"] == 8 * rolling.breakdown["KV cache"]

    def test_int4_weights_and_8_bit_cache(self):
        estimate = serving_memory(
            LLAMA3_8B, batch=1, tokens=1024, precision="int4", kv_bytes_per_value=1
        )
        assert estimate.breakdown["weights"] == count_parameters(LLAMA3_8B).total // 2
        assert estimate.breakdown["KV cache"] == 64 * 1024 * 1024

    def test_fits_boundary(self):
        assert fits(80 * GIB, 80)
        assert not fits(80 * GIB + 1, 80)
        assert fits(0, 0.5)

    def test_max_batch_known_values(self):
        assert max_batch(LLAMA2_7B, tokens=4096, gpu_gib=80) == 33
        assert max_batch(LLAMA3_8B, tokens=4096, gpu_gib=80) == 130
        # Mistral's rolling buffer caps the cache at 4096 positions per sequence.
        assert max_batch(MISTRAL_7B, tokens=32768, gpu_gib=80) == max_batch(
            MISTRAL_7B, tokens=4096, gpu_gib=80
        )

    def test_max_batch_zero_when_weights_do_not_fit(self):
        assert max_batch(LLAMA2_70B, tokens=1024, gpu_gib=80) == 0
        assert max_batch(LLAMA2_70B, tokens=1024, gpu_gib=80, precision="int4") > 0

    def test_max_batch_checks_every_argument_before_answering_zero(self):
        """The weights not fitting used to return 0 before the cache arguments were checked."""
        with pytest.raises(ValueError, match="kv_bytes_per_value"):
            max_batch(LLAMA2_70B, tokens=1024, gpu_gib=80, kv_bytes_per_value=0)
        with pytest.raises(TypeError, match="rolling_window"):
            max_batch(LLAMA2_70B, tokens=1024, gpu_gib=80, rolling_window=1)
        with pytest.raises(ValueError, match="kv_bytes_per_value"):
            serving_memory(LLAMA2_7B, batch=1, tokens=8, kv_bytes_per_value=0)

    @given(model_names, st.integers(min_value=1, max_value=65536), st.sampled_from([24, 48, 80]))
    def test_max_batch_is_the_largest_that_fits(self, name, tokens, gpu_gib):
        config = get_config(name)
        batch = max_batch(config, tokens=tokens, gpu_gib=gpu_gib)
        if batch:
            assert fits(serving_memory(config, batch=batch, tokens=tokens).total, gpu_gib)
        assert not fits(serving_memory(config, batch=batch + 1, tokens=tokens).total, gpu_gib)

    def test_fit_report(self):
        text = fit_report(LLAMA2_70B, "bf16")
        lines = text.splitlines()
        assert lines[0] == "llama-2-70b in bf16 (2 bytes/parameter)"
        assert lines[1] == "parameters       68.98 B"
        assert lines[2] == "weights          128.48 GiB"
        assert lines[3] == "on a 24 GiB GPU  no, 104.48 GiB short"
        assert lines[5] == "on a 80 GiB GPU  no, 48.48 GiB short"

    def test_fit_report_fractional_gpu(self):
        assert "on a 7.5 GiB GPU" in fit_report(LLAMA3_8B, "int4", gpus=[7.5])

    def test_serving_report(self):
        text = serving_report(LLAMA2_7B, batch=64, tokens=4096, gpu_gib=80)
        assert text.splitlines() == [
            "weights (bf16)    12.55 GiB",
            "KV cache         128.00 GiB  (32 layers x 32 kv_heads x 128 head_dim: 512 KiB/token)",
            "total            140.55 GiB of 80 GiB",
            "verdict          does not fit, 60.55 GiB short",
        ]


class TestPositionsProcessed:
    def test_one_token_prompt_is_n_against_triangle(self):
        assert positions_processed(1, 128, cached=True) == 128
        assert positions_processed(1, 128, cached=False) == 128 * 129 // 2

    def test_no_new_tokens_no_work(self):
        assert positions_processed(11, 0, cached=True) == 0
        assert positions_processed(11, 0, cached=False) == 0

    def test_one_new_token_is_one_prefill(self):
        assert positions_processed(11, 1, cached=True) == 11
        assert positions_processed(11, 1, cached=False) == 11

    @given(st.integers(min_value=1, max_value=500), st.integers(min_value=0, max_value=500))
    def test_against_counting_the_calls(self, prompt, new):
        # the loop feeds the prompt, then each new token but the last
        lengths = [prompt + i for i in range(new)]  # sequence length at each call
        fed = [prompt] + [1] * (new - 1) if new else []
        assert positions_processed(prompt, new, cached=False) == sum(lengths)
        assert positions_processed(prompt, new, cached=True) == sum(fed)
        assert positions_processed(prompt, new, cached=True) <= positions_processed(
            prompt, new, cached=False
        )


@pytest.mark.parametrize(
    ("call", "error", "name"),
    [
        (lambda: cached_positions(MISTRAL_7B, -1), ValueError, "tokens"),
        (lambda: cached_positions(MISTRAL_7B, 10, rolling_window=1), TypeError, "rolling_window"),
        (lambda: serving_memory(LLAMA2_7B, batch=0, tokens=1), ValueError, "batch"),
        (lambda: serving_memory(LLAMA2_7B, batch=1, tokens=1.5), TypeError, "tokens"),
        (
            lambda: serving_memory(LLAMA2_7B, batch=1, tokens=1, kv_bytes_per_value=0),
            ValueError,
            "bytes_per_value",
        ),
        (lambda: max_batch(LLAMA2_7B, tokens=0, gpu_gib=80), ValueError, "tokens"),
        (lambda: max_batch(LLAMA2_7B, tokens=1, gpu_gib=-80), ValueError, "gpu_gib"),
        (lambda: serving_report(LLAMA2_7B, batch=1, tokens=1, gpu_gib=0), ValueError, "gpu_gib"),
        (lambda: positions_processed(0, 1, cached=True), ValueError, "prompt_tokens"),
        (lambda: positions_processed(1, -1, cached=True), ValueError, "new_tokens"),
        (lambda: positions_processed(1, 1.0, cached=True), TypeError, "new_tokens"),
        (lambda: positions_processed(1, 1, cached="yes"), TypeError, "cached"),
    ],
)
def test_serving_bad_inputs(call, error, name):
    with pytest.raises(error, match=name):
        call()


# -- the cache object ------------------------------------------------------------------------

TOY = ModelConfig(
    name="toy", d_model=16, layers=3, heads=4, kv_heads=2, d_ff=8, vocab_size=10, context=8
)


def fill(cache: KVCache, new: int, value: float = 1.0) -> None:
    """Append ``new`` positions of ``value`` to every layer, in order."""
    c = cache.config
    for layer in range(c.layers):
        block = np.full((c.kv_heads, new, c.head_dim), value, cache.dtype)
        cache.append(layer, block, -block)


class TestKVCache:
    def test_empty(self):
        cache = KVCache(TOY)
        assert cache.shape == (3, 2, 1, 2, 0, 4) and cache.tokens == 0 and cache.nbytes == 0
        assert cache.capacity == 8 and cache.dtype == np.float32
        assert repr(cache) == "KVCache(shape=(3, 2, 1, 2, 0, 4), capacity=8, dtype=float32)"

    def test_append_returns_every_position_of_the_layer(self):
        cache = KVCache(TOY, dtype="float64")
        fill(cache, 2, 1.0)
        k = np.full((2, 1, 4), 5.0)
        keys, values = cache.append(0, k, -k)
        assert keys.shape == values.shape == (2, 3, 4) and not keys.flags.writeable
        assert keys[:, :2].tolist() == np.ones((2, 2, 4)).tolist() and keys[0, 2, 0] == 5.0
        assert cache.tokens == 2  # layers 1 and 2 have not stored the new position yet
        for layer in (1, 2):
            cache.append(layer, k, -k)
        assert cache.tokens == 3 and cache.shape == kv_cache_shape(
            layers=3, batch=1, kv_heads=2, tokens=3, head_dim=4
        )
        assert cache.nbytes == kv_cache_bytes(
            batch=1, layers=3, tokens=3, kv_heads=2, head_dim=4, bytes_per_value=8
        )
        assert cache.values(2)[0, 2, 0] == -5.0 and not cache.values(2).flags.writeable

    def test_copy_is_independent(self):
        cache = KVCache(TOY, capacity=4, dtype="float64")
        fill(cache, 2)
        twin = cache.copy()
        fill(twin, 1, 7.0)
        assert (cache.tokens, twin.tokens) == (2, 3) and twin.capacity == 4
        assert np.array_equal(twin.keys(1)[:, :2], cache.keys(1))

    def test_truncate_drops_positions_and_the_next_append_overwrites_them(self):
        cache = KVCache(TOY, dtype="float64")
        fill(cache, 3, 1.0)
        assert cache.truncate(1) is cache and cache.tokens == 1
        fill(cache, 1, 9.0)
        assert cache.tokens == 2 and cache.keys(0)[0, :, 0].tolist() == [1.0, 9.0]
        assert cache.truncate(0).tokens == 0

    def test_truncate_bad_inputs(self):
        cache = KVCache(TOY, dtype="float64")
        fill(cache, 2)
        with pytest.raises(ValueError, match="tokens=3 must be <= the 2 cached positions"):
            cache.truncate(3)
        with pytest.raises(TypeError, match="tokens"):
            cache.truncate(1.0)
        cache.append(0, np.ones((2, 1, 4)), np.ones((2, 1, 4)))
        with pytest.raises(ValueError, match="middle of a pass"):
            cache.truncate(1)

    def test_nbytes_is_the_formula_for_any_model(self):
        c = get_config("llama-3-8b")
        assert KVCache(dataclasses.replace(c, layers=1, context=4)).nbytes == 0
        assert kv_cache_bytes_per_token(c, 4) == 32 * 2 * 8 * 128 * 4

    @pytest.mark.parametrize(
        ("call", "error", "match"),
        [
            (lambda c: c.append(1, np.ones((2, 1, 4), np.float32), np.ones((2, 1, 4), np.float32)),
             ValueError, "layer=1 must be 0"),
            (lambda c: c.append(0, [[[1.0]]], np.ones((2, 1, 4), np.float32)), TypeError, "k must"),
            (lambda c: c.append(0, np.ones((2, 1, 4), np.float32), "v"), TypeError, "v must"),
            (lambda c: c.append(0, np.ones((1, 1, 4), np.float32), np.ones((1, 1, 4), np.float32)),
             ValueError, "kv_heads=2"),
            (lambda c: c.append(0, np.ones((2, 1, 4)), np.ones((2, 1, 4))), ValueError, "dtype"),
            (lambda c: c.append(0, np.ones((2, 1, 4), np.float32), np.ones((2, 2, 4), np.float32)),
             ValueError, "same"),
            (lambda c: c.append(0, np.ones((2, 0, 4), np.float32), np.ones((2, 0, 4), np.float32)),
             ValueError, ">= 1"),
            (lambda c: c.append(0, np.ones((2, 9, 4), np.float32), np.ones((2, 9, 4), np.float32)),
             ValueError, "do not fit"),
            (lambda c: c.append(-1, np.ones((2, 1, 4), np.float32), np.ones((2, 1, 4), np.float32)),
             ValueError, "layer"),
            (lambda c: c.keys(3), ValueError, "layer=3 must be < layers=3"),
            (lambda c: c.values("0"), TypeError, "layer"),
        ],
    )  # fmt: skip
    def test_append_checks_at_the_door(self, call, error, match):
        with pytest.raises(error, match=match):
            call(KVCache(TOY))

    def test_layers_append_the_same_number_of_positions(self):
        cache = KVCache(TOY)
        one, two = np.ones((2, 1, 4), np.float32), np.ones((2, 2, 4), np.float32)
        cache.append(0, one, one)
        with pytest.raises(ValueError, match="layer 1 appends 2 positions, layer 0 appended 1"):
            cache.append(1, two, two)

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [({"capacity": 9}, ValueError, "capacity=9 must be <= context=8"),
         ({"capacity": 0}, ValueError, "capacity"), ({"dtype": "int8"}, ValueError, "dtype"),
         ({"dtype": "float16"}, ValueError, "dtype")],
    )  # fmt: skip
    def test_bad_construction(self, kwargs, error, match):
        with pytest.raises(error, match=match):
            KVCache(TOY, **kwargs)
        with pytest.raises(TypeError, match="config"):
            KVCache("toy")


class TestMlaCache:
    def test_deepseek_v3_caches_576_values_per_layer(self):
        # 61 layers, kv_lora_rank 512, qk_rope_head_dim 64 (DeepSeek-V3 technical report)
        assert mla_cache_bytes_per_token(61, 512, 64) == 61 * 576 * 2
        assert mla_cache_bytes_per_token(61, 512, 64, bytes_per_value=1) == 61 * 576

    def test_equals_gqa_with_two_and_a_quarter_groups_of_128(self):
        # DeepSeek-V2: d_c = 4 d_h and d_h^R = d_h / 2, like GQA with 2.25 groups of d_h = 128
        gqa = kv_cache_bytes(batch=1, layers=60, tokens=1, kv_heads=1, head_dim=128)
        assert mla_cache_bytes_per_token(60, 512, 64) * 4 == gqa * 9

    def test_bad_inputs(self):
        with pytest.raises(ValueError, match="kv_lora_rank"):
            mla_cache_bytes_per_token(61, 0, 64)
        with pytest.raises(ValueError, match="rope_head_dim"):
            mla_cache_bytes_per_token(61, 512, -1)
        with pytest.raises(TypeError, match="layers"):
            mla_cache_bytes_per_token(61.0, 512, 64)
