"""Tests of llmhistory.attention_maps: equal to the model's own first layer, causal, normalized."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmhistory.attention_maps import first_layer_attention, first_layer_keys
from llmhistory.decoder import TinyConfig, TinyDecoder, rms_norm, swiglu
from llmhistory.decoding import softmax

CONFIG = TinyConfig(vocab_size=40, d_model=16, layers=2, heads=4, kv_heads=2, d_ff=24, context=16)
ONE_LAYER = TinyConfig(
    vocab_size=40, d_model=16, layers=1, heads=4, kv_heads=2, d_ff=24, context=16
)


@pytest.fixture(scope="module")
def model():
    return TinyDecoder.random(CONFIG, seed=3, std=0.3, dtype="float64")


def test_keys_match_the_kv_cache(model):
    ids = [5, 9, 2, 7, 1]
    _, cache = model.forward_step(ids)
    np.testing.assert_allclose(first_layer_keys(model, ids), cache.keys(0), atol=1e-12)


def test_weights_reproduce_a_one_layer_model():
    """Using the weights for attention, plus the rest of the block, gives the model's logits."""
    one = TinyDecoder.random(ONE_LAYER, seed=4, std=0.3, dtype="float64")
    ids = [3, 1, 4, 1, 5, 9]
    c, w = ONE_LAYER, one.state_dict()
    attn = first_layer_attention(one, ids)  # [heads, tokens, tokens]
    _, cache = one.forward_step(ids)
    v = cache.values(0)  # [kv_heads, tokens, head_dim]
    group = c.heads // c.kv_heads
    out = np.stack([attn[h] @ v[h // group] for h in range(c.heads)])  # [heads, tokens, hd]
    x = w["model.embed_tokens.weight"][ids]
    x = (
        x
        + out.transpose(1, 0, 2).reshape(len(ids), -1)
        @ w["model.layers.0.self_attn.o_proj.weight"].T
    )
    h = rms_norm(x, w["model.layers.0.post_attention_layernorm.weight"], c.norm_eps)
    mlp = [w[f"model.layers.0.mlp.{n}_proj.weight"] for n in ("gate", "up", "down")]
    x = x + swiglu(h, *mlp)
    logits = rms_norm(x, w["model.norm.weight"], c.norm_eps) @ w["model.embed_tokens.weight"].T
    np.testing.assert_allclose(logits, one.logits(ids), atol=1e-10)


def test_causal_and_normalized(model):
    weights = first_layer_attention(model, [1, 2, 3, 4, 5, 6])
    assert weights.shape == (4, 6, 6)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0)
    assert np.all(np.triu(weights, k=1) == 0.0)
    np.testing.assert_allclose(weights[:, 0, 0], 1.0)


def test_grouped_query_heads_share_keys(model):
    keys = first_layer_keys(model, [7, 7, 7])
    assert keys.shape == (CONFIG.kv_heads, 3, CONFIG.head_dim)  # 2 Key heads for 4 query heads
    # the same token at three positions: RoPE rotates its key, the length stays
    norms = np.linalg.norm(keys, axis=-1)
    np.testing.assert_allclose(norms, norms[:, :1].repeat(3, axis=1))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 39), min_size=1, max_size=16))
def test_rows_are_distributions(ids):
    model = TinyDecoder.random(CONFIG, seed=3, std=0.3, dtype="float64")
    weights = first_layer_attention(model, ids)
    assert weights.shape == (4, len(ids), len(ids))
    assert np.allclose(weights.sum(axis=-1), 1.0)
    assert math.isclose(float(weights[:, 0, 0].min()), 1.0)


def test_single_token_attends_to_itself(model):
    assert first_layer_attention(model, [0]).tolist() == [[[1.0]]] * 4


def test_uniform_when_queries_are_zero():
    c = TinyConfig(vocab_size=10, d_model=8, layers=1, heads=2, kv_heads=1, d_ff=8, context=8)
    weights = TinyDecoder.random(c, dtype="float64").state_dict()
    weights["model.layers.0.self_attn.q_proj.weight"][:] = 0.0
    flat = TinyDecoder(c, weights)
    np.testing.assert_allclose(first_layer_attention(flat, [1, 2, 3])[0, 2], softmax([0.0] * 3))


@pytest.mark.parametrize(
    ("args", "error", "name"),
    [
        (("model", [1, 2]), TypeError, "model"),
        ((None, [1, 2]), TypeError, "model"),
        (("MODEL", []), ValueError, "token_ids"),
        (("MODEL", [99]), ValueError, "token_ids"),
        (("MODEL", "abc"), TypeError, "token_ids"),
        (("MODEL", list(range(17))), ValueError, "token_ids"),
    ],
)
def test_bad_inputs(model, args, error, name):
    target, ids = args
    target = model if target == "MODEL" else target
    for func in (first_layer_attention, first_layer_keys):
        with pytest.raises(error, match=name):
            func(target, ids)
