"""Tests of the tiny model's fast path (llmhistory.tiny.model): the tiled causal attention, the
fused SwiGLU and the pre-arranged weights give the numbers of the straightforward kernels, in
float32 throughout; the lean greedy loop of generate_ids gives the general loop's tokens; the KV
cache's cheaper append keeps its checks."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmhistory.concepts.decoding import GREEDY, generate
from llmhistory.concepts.kv_cache import KVCache
from llmhistory.tiny import load_tiny
from llmhistory.tiny.generation import generate_ids, next_logits_function
from llmhistory.tiny.model import (
    QUERY_BLOCK,
    TinyDecoder,
    attention,
    causal_attention,
    causal_scores_mask,
    forward,
    fused_swiglu,
    scaled_scores,
    silu,
    swiglu,
    tiny_config,
)

BASE = tiny_config(vocab_size=40, d_model=16, layers=2, heads=4, kv_heads=2, d_ff=24, context=48)


def reference_attention(q, k, v, causal=True):
    """Straightforward attention, head by head, in float64: softmax(q k^T / sqrt(d) + mask) v."""
    heads, n_q, head_dim = q.shape
    n_k, group = k.shape[1], heads // k.shape[0]
    out = np.empty((n_q, heads, head_dim))
    for h in range(heads):
        scores = q[h].astype(np.float64) @ k[h // group].T.astype(np.float64) / math.sqrt(head_dim)
        if causal:  # query i sits at position n_k - n_q + i
            blocked = np.arange(n_k)[None, :] > (n_k - n_q + np.arange(n_q))[:, None]
            scores[blocked] = -np.inf
        weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
        weights /= weights.sum(axis=-1, keepdims=True)
        out[:, h] = weights @ v[h // group].astype(np.float64)
    return out


def qkv(seed, heads, kv_heads, n_q, n_k, head_dim=6, dtype=np.float32):
    rng = np.random.default_rng(seed)
    q = rng.normal(size=(heads, n_q, head_dim)).astype(dtype)
    k, v = (rng.normal(size=(kv_heads, n_k, head_dim)).astype(dtype) for _ in range(2))
    return q, k, v


class TestCausalAttention:
    @settings(max_examples=60, deadline=None)
    @given(
        seed=st.integers(0, 10_000),
        kv_heads=st.sampled_from([1, 2, 4]),
        n_q=st.integers(1, 40),
        past=st.integers(0, 20),
        block=st.integers(1, 70),
    )
    def test_equals_the_straightforward_computation(self, seed, kv_heads, n_q, past, block):
        q, k, v = qkv(seed, 4, kv_heads, n_q, n_q + past, dtype=np.float64)
        out = causal_attention(q, k, v, block=block)
        np.testing.assert_allclose(out, reference_attention(q, k, v), atol=1e-12)
        mask = causal_scores_mask(n_q, n_q + past, np.float64)
        np.testing.assert_allclose(out, attention(q, k, v, mask).transpose(1, 0, 2), atol=1e-12)

    @pytest.mark.parametrize("block", [1, 5, QUERY_BLOCK])
    def test_without_the_mask_every_query_sees_every_key(self, block):
        q, k, v = qkv(1, 4, 2, 9, 12, dtype=np.float64)
        out = causal_attention(q, k, v, causal=False, block=block)
        np.testing.assert_allclose(out, reference_attention(q, k, v, causal=False), atol=1e-12)

    def test_float32_stays_float32_and_matches_to_float32_precision(self):
        q, k, v = qkv(2, 4, 2, 130, 130, head_dim=24)
        out = causal_attention(q, k, v)
        assert out.dtype == np.float32 and out.shape == (130, 4, 24)
        np.testing.assert_allclose(out, reference_attention(q, k, v), atol=2e-6)

    def test_observed_tiles_gather_into_the_full_scores_and_weights(self):
        q, k, v = qkv(3, 4, 2, 10, 13, dtype=np.float64)
        scores = np.full((4, 10, 13), -np.inf)
        weights = np.zeros((4, 10, 13))

        def gather(s, w, a, b):
            scores[:, a:b, : s.shape[-1]] = s
            weights[:, a:b, : w.shape[-1]] = w

        causal_attention(q, k, v, block=4, observe=gather)
        expected = scaled_scores(q, k) + causal_scores_mask(10, 13, np.float64)
        np.testing.assert_allclose(scores, expected, atol=1e-12)
        np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-12)
        assert (weights[np.isneginf(expected)] == 0).all()

    def test_one_query_after_a_cache_reads_every_key(self):
        q, k, v = qkv(4, 4, 1, 1, 30, dtype=np.float64)
        np.testing.assert_allclose(
            causal_attention(q, k, v), reference_attention(q, k, v, causal=False), atol=1e-12
        )


class TestKernelsFloat32:
    def test_fused_swiglu_equals_swiglu(self):
        rng = np.random.default_rng(0)
        x = rng.normal(size=(7, 16)).astype(np.float32)
        gate, up = (rng.normal(size=(24, 16)).astype(np.float32) for _ in range(2))
        down = rng.normal(size=(16, 24)).astype(np.float32)
        fused = fused_swiglu(x, np.concatenate([gate, up]).T.copy(), down.T.copy())
        assert fused.dtype == np.float32
        np.testing.assert_allclose(fused, swiglu(x, gate, up, down), rtol=1e-5, atol=1e-5)
        by_hand = (x @ gate.T / (1 + np.exp(-(x @ gate.T)))) * (x @ up.T) @ down.T
        np.testing.assert_allclose(fused, by_hand, rtol=1e-4, atol=1e-4)

    def test_silu_keeps_float32_and_is_exactly_zero_far_below(self):
        x = np.array([-1000.0, -1.0, 0.0, 2.0], np.float32)
        with np.errstate(all="raise"):
            out = silu(x)
        assert out.dtype == np.float32 and out[0] == 0.0
        np.testing.assert_allclose(out[1:], x[1:] / (1 + np.exp(-x[1:])), rtol=1e-6)

    def test_scaled_scores_keep_float32(self):
        q, k, _ = qkv(5, 4, 2, 3, 3)
        assert scaled_scores(q, k).dtype == np.float32

    def test_no_stage_of_a_float32_pass_is_float64(self):
        model = TinyDecoder.random(BASE, seed=1)
        seen = []
        model.logits(list(range(1, 20)), observer=lambda name, array: seen.append((name, array)))
        floats = {name: a.dtype for name, a in seen if a.dtype.kind == "f"}
        assert set(floats.values()) == {np.dtype(np.float32)}, floats
        _, cache = model.forward_step([1, 2, 3])
        step, _ = model.forward_step([4], cache)
        assert step.dtype == np.float32


class TestForwardMatchesReference:
    @pytest.mark.parametrize("dtype", ["float32", "float64"])
    @pytest.mark.parametrize("kv_heads", [1, 2, 4])
    def test_logits_equal_a_layer_by_layer_reference(self, dtype, kv_heads):
        config = replace(BASE, kv_heads=kv_heads)
        model = TinyDecoder.random(config, seed=2, std=0.3, dtype=dtype)
        ids = np.random.default_rng(3).integers(0, 40, 45)
        np.testing.assert_allclose(
            model.logits(ids.tolist()),
            reference_logits(model, ids),
            atol=1e-4 if dtype == "float32" else 1e-10,
        )

    def test_observed_and_unobserved_passes_give_identical_logits(self):
        model = TinyDecoder.random(BASE, seed=4, std=0.3)
        ids = list(range(1, 40))
        watched = model.logits(ids, observer=lambda name, array: None)
        np.testing.assert_array_equal(watched, model.logits(ids))

    @pytest.mark.parametrize("name", ["MHA", "MoE"])
    def test_rearranged_weights_are_read_only_transposed_copies(self, name):
        config = replace(BASE, kv_heads=4) if name == "MHA" else replace(BASE, num_experts=2)
        model = TinyDecoder.random(config, seed=6)
        p, block = model.state_dict(), model.blocks[0]
        qkv = [p[f"model.layers.0.self_attn.{n}_proj.weight"] for n in "qkv"]
        np.testing.assert_array_equal(block.w_qkv, np.concatenate(qkv).T)
        np.testing.assert_array_equal(model.head_t, p["model.embed_tokens.weight"].T)
        arrays = [block.w_qkv, block.w_o, model.head_t, *(block.mlp or ())]
        assert all(a.flags.c_contiguous and not a.flags.writeable for a in arrays)
        assert (block.mlp is None) == (name == "MoE")

    def test_a_watched_decoding_step_gives_the_unwatched_numbers(self):
        model = TinyDecoder.random(BASE, seed=5, std=0.3)
        _, cache = model.forward_step(list(range(1, 12)))
        twin = cache.copy()
        quiet = forward(model, np.array([7]), cache.tokens, cache=cache)
        watched = forward(model, np.array([7]), twin.tokens, cache=twin, observe=lambda n, a: None)
        np.testing.assert_array_equal(quiet, watched)

    def test_shipped_model_cached_steps_match_the_full_pass(self):
        model, tokenizer = load_tiny()
        ids = tokenizer.encode("Customer: Where is my order?\nAgent: It ships today.", add_bos=True)
        logits, cache = model.forward_step(ids[:5])
        rows = [logits] + [model.forward_step([t], cache)[0] for t in ids[5:]]
        assert np.abs(np.concatenate(rows) - model.logits(ids)).max() <= 1e-4


def reference_logits(model: TinyDecoder, ids: np.ndarray) -> np.ndarray:
    """The forward pass from the Hugging Face weights, one plain step at a time, in float64."""
    c, p = model.config, {n: w.astype(np.float64) for n, w in model.state_dict().items()}
    n, hd = ids.size, c.head_dim

    def norm(x, w):
        return x / np.sqrt((x**2).mean(-1, keepdims=True) + c.norm_eps) * w

    def rope(x):  # [heads, n, hd]
        inv = 1.0 / c.rope_base ** (np.arange(0, hd, 2) / hd)
        angles = np.outer(np.arange(n), inv)
        cos, sin = np.cos(np.tile(angles, 2)), np.sin(np.tile(angles, 2))
        half = np.concatenate([-x[..., hd // 2 :], x[..., : hd // 2]], axis=-1)
        return x * cos + half * sin

    x = p["model.embed_tokens.weight"][ids]
    for i in range(c.layers):
        pre = f"model.layers.{i}."
        h = norm(x, p[pre + "input_layernorm.weight"])
        q, k, v = (
            (h @ p[f"{pre}self_attn.{name}_proj.weight"].T).reshape(n, -1, hd).transpose(1, 0, 2)
            for name in "qkv"
        )
        out = reference_attention(rope(q), rope(k), v)  # [n, heads, hd]
        x = x + out.reshape(n, -1) @ p[pre + "self_attn.o_proj.weight"].T
        h = norm(x, p[pre + "post_attention_layernorm.weight"])
        gate, up = (h @ p[f"{pre}mlp.{name}_proj.weight"].T for name in ("gate", "up"))
        x = x + (gate / (1 + np.exp(-gate)) * up) @ p[pre + "mlp.down_proj.weight"].T
    head = p.get("lm_head.weight", p["model.embed_tokens.weight"])
    return norm(x, p["model.norm.weight"]) @ head.T


class TestGreedyLoop:
    @settings(max_examples=25, deadline=None)
    @given(
        seed=st.integers(0, 1000),
        prompt=st.lists(st.integers(0, 39), min_size=1, max_size=6),
        new=st.integers(0, 12),
        stops=st.lists(st.integers(0, 39), max_size=3),
    )
    def test_same_run_as_the_general_loop(self, seed, prompt, new, stops):
        model = TinyDecoder.random(BASE, seed=seed, std=0.5)
        general = generate(
            next_logits_function(model, use_cache=True),
            prompt,
            max_new_tokens=new,
            policy=GREEDY,
            stop_tokens=stops,
        )
        assert generate_ids(model, prompt, max_new_tokens=new, stop_tokens=stops) == general
        uncached = generate_ids(
            model, prompt, max_new_tokens=new, stop_tokens=stops, use_cache=False
        )
        assert uncached.token_ids == general.token_ids

    @pytest.mark.parametrize(
        ("stops", "error", "match"),
        [
            ("ab", TypeError, "stop_tokens"),
            (5, TypeError, "stop_tokens"),
            ([-1], ValueError, ">= 0"),
        ],
    )
    def test_bad_stop_tokens(self, stops, error, match):
        with pytest.raises(error, match=match):
            generate_ids(TinyDecoder.random(BASE), [1], max_new_tokens=2, stop_tokens=stops)


class TestCacheAppend:
    def test_numpy_integer_layer_is_accepted_and_views_are_read_only(self):
        cache = KVCache(BASE)
        kv = np.ones((2, 3, 4), np.float32)
        keys, values = cache.append(np.int64(0), kv, kv)
        assert keys.shape == (2, 3, 4) and not keys.flags.writeable and not values.flags.writeable
        with pytest.raises(ValueError, match="layers append in order"):
            cache.append(0, kv, kv)
        with pytest.raises(TypeError, match="layer"):
            cache.append(True, kv, kv)
        cache.append(1, kv, 2 * kv)
        assert (
            cache.tokens == 3 and (cache.values(1) == 2).all() and not cache.keys(0).flags.writeable
        )
