"""Tests of llmhistory.tiny.model: the NumPy Llama/Mixtral-style model, its kernels, its
observer, its use of the KV cache, and the shipped checkpoint."""

from __future__ import annotations

import importlib.util
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmhistory.concepts.decoding import softmax
from llmhistory.concepts.kv_cache import KVCache, kv_cache_bytes
from llmhistory.concepts.masks import additive_mask, causal_mask
from llmhistory.concepts.models import ModelConfig, count_parameters, get_config
from llmhistory.concepts.moe import route_top_k
from llmhistory.concepts.rope import apply_rope
from llmhistory.tiny import load_tiny
from llmhistory.tiny.corpus import (
    generate_dialogues,
    policy_snippets,
    support_split,
    training_documents,
)
from llmhistory.tiny.generation import generate_ids, label_accuracy
from llmhistory.tiny.model import (
    TinyDecoder,
    TraceStep,
    attention,
    causal_scores_mask,
    mix_values,
    moe_swiglu,
    rms_norm,
    scaled_scores,
    swiglu,
    tiny_config,
)
from llmhistory.tiny.weights import (
    check_config,
    check_state_dict,
    from_hf_config,
    parameter_shapes,
    to_hf_config,
)

BASE = tiny_config(vocab_size=40, d_model=16, layers=2, heads=4, kv_heads=2, d_ff=24, context=32)
CONFIGS = {
    "MHA": replace(BASE, kv_heads=4),
    "GQA": BASE,
    "MQA": replace(BASE, kv_heads=1, tied_embeddings=False),
    "MoE": replace(BASE, num_experts=4, experts_per_token=2),
}
MIXTRAL_NAMES = {"w1": "gate", "w3": "up", "w2": "down"}
SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "train_tiny.py"


def random_model(config: ModelConfig, dtype: str = "float64", seed: int = 0) -> TinyDecoder:
    return TinyDecoder.random(config, seed=seed, std=0.3, dtype=dtype)


def random_ids(n: int, vocab_size: int = 40, seed: int = 0) -> list[int]:
    return np.random.default_rng(seed).integers(0, vocab_size, n).tolist()


@pytest.fixture(scope="module")
def shipped():
    return load_tiny()


# -- configuration -------------------------------------------------------------------------


class TestConfig:
    def test_hf_dict_llama(self):
        hf = to_hf_config(BASE)
        assert hf["model_type"] == "llama" and hf["architectures"] == ["LlamaForCausalLM"]
        assert (hf["hidden_size"], hf["intermediate_size"], hf["num_hidden_layers"]) == (16, 24, 2)
        assert (hf["num_attention_heads"], hf["num_key_value_heads"]) == (4, 2)
        assert (hf["vocab_size"], hf["max_position_embeddings"]) == (40, 32)
        assert (hf["rms_norm_eps"], hf["rope_theta"], hf["tie_word_embeddings"]) == (
            1e-5,
            10000.0,
            True,
        )
        assert "num_local_experts" not in hf

    def test_hf_dict_mixtral(self):
        hf = to_hf_config(CONFIGS["MoE"])
        assert hf["model_type"] == "mixtral" and hf["architectures"] == ["MixtralForCausalLM"]
        assert (hf["num_local_experts"], hf["num_experts_per_tok"]) == (4, 2)

    @pytest.mark.parametrize("name", CONFIGS)
    def test_hf_round_trip(self, name):
        assert from_hf_config(to_hf_config(CONFIGS[name])) == CONFIGS[name]

    def test_head_dim(self):
        assert BASE.head_dim == 4

    @pytest.mark.parametrize(
        ("changes", "error", "match"),
        [
            ({"vocab_size": 0}, ValueError, "vocab_size"),
            ({"layers": 1.0}, TypeError, "layers"),
            ({"heads": 3, "kv_heads": 1, "head_dim": None}, ValueError, "heads=3 must divide"),
            ({"kv_heads": 3}, ValueError, "kv_heads=3 must divide heads=4"),
            ({"experts_per_token": 2}, ValueError, "experts_per_token"),
            ({"tied_embeddings": 1}, TypeError, "tied_embeddings"),
            ({"rope_base": -1.0}, ValueError, "rope_base"),
            ({"norm_eps": 0.0}, ValueError, "norm_eps"),
        ],
    )
    def test_bad_config(self, changes, error, match):
        with pytest.raises(error, match=match):
            replace(BASE, **changes)

    @pytest.mark.parametrize(
        ("changes", "match"),
        [
            ({"ffn": "gelu"}, r"ModelConfig\(ffn='gelu'\) is not supported by the tiny model: "
             "it implements swiglu"),
            ({"norm": "layernorm"}, r"ModelConfig\(norm='layernorm'\) .* implements rmsnorm"),
            ({"learned_positions": True}, r"learned_positions=True\) .* rotary positions"),
            ({"attention_bias": True}, r"attention_bias=True\) .* no biases"),
            ({"mlp_bias": True}, r"mlp_bias=True\) .* no biases"),
            ({"sliding_window": 8}, r"sliding_window=8\) .* full causal attention"),
            ({"rope_base": None}, r"rope_base=None\) .* rotary positions"),
            ({"d_model": 6, "heads": 2, "kv_heads": 1, "head_dim": None}, "head_dim=3 must be"),
        ],
    )  # fmt: skip
    def test_unsupported_features_are_refused_by_name(self, changes, match):
        config = replace(BASE, **changes)
        for call in (
            check_config,
            parameter_shapes,
            to_hf_config,
            lambda c: TinyDecoder.random(c),
            lambda c: TinyDecoder(c, {}),
            lambda c: check_state_dict(c, {}),
        ):
            with pytest.raises(ValueError, match=match):
                call(config)

    def test_published_configs(self):
        """The registry's GPT-2 is refused; Llama 3 and Mixtral are shapes the model can run."""
        with pytest.raises(ValueError, match="ffn='gelu'"):
            check_config(get_config("gpt2"))
        for name in ("llama-2-7b", "llama-3-8b", "mixtral-8x7b"):
            assert check_config(get_config(name)) is get_config(name)
        with pytest.raises(ValueError, match="sliding_window=4096"):
            check_config(get_config("mistral-7b"))
        with pytest.raises(TypeError, match="config"):
            check_config("llama")

    def test_explicit_head_dim_round_trips(self):
        wide = replace(BASE, head_dim=8)  # heads * head_dim = 32 != d_model = 16
        assert from_hf_config(to_hf_config(wide)) == wide
        model = random_model(wide)
        assert model.logits([1, 2, 3]).shape == (3, 40)
        _, cache = model.forward_step([1, 2])
        assert cache.shape == (2, 2, 1, 2, 2, 8)

    def test_from_hf_dict_errors(self):
        with pytest.raises(ValueError, match="model_type"):
            from_hf_config({"model_type": "gpt2"})
        hf = to_hf_config(BASE)
        del hf["rope_theta"]
        with pytest.raises(ValueError, match="rope_theta"):
            from_hf_config(hf)
        with pytest.raises(TypeError, match="hf"):
            from_hf_config([("model_type", "llama")])
        one_expert = {**to_hf_config(CONFIGS["MoE"]), "num_local_experts": 1}
        with pytest.raises(ValueError, match="num_local_experts=1"):
            from_hf_config(one_expert)
        with pytest.raises(ValueError, match="hidden_act='gelu'"):
            from_hf_config({**to_hf_config(BASE), "hidden_act": "gelu"})
        with pytest.raises(ValueError, match="attention_bias=True"):
            from_hf_config({**to_hf_config(BASE), "attention_bias": True})

    @pytest.mark.parametrize("name", ["MHA", "GQA", "MQA", "MoE"])
    def test_parameter_count_matches_models_module(self, name):
        model = random_model(CONFIGS[name])
        expected = count_parameters(CONFIGS[name]).total
        assert model.num_parameters() == expected
        assert sum(a.size for a in model.state_dict().values()) == expected

    def test_parameter_shapes_names(self):
        names = parameter_shapes(CONFIGS["MQA"])
        assert names["lm_head.weight"] == (40, 16)
        assert names["model.layers.1.self_attn.q_proj.weight"] == (16, 16)
        assert names["model.layers.1.self_attn.v_proj.weight"] == (4, 16)
        assert names["model.layers.1.mlp.down_proj.weight"] == (16, 24)
        moe = parameter_shapes(CONFIGS["MoE"])
        assert moe["model.layers.0.block_sparse_moe.gate.weight"] == (4, 16)
        assert moe["model.layers.0.block_sparse_moe.experts.3.w2.weight"] == (16, 24)
        assert "lm_head.weight" not in moe


# -- building blocks -----------------------------------------------------------------------


class TestBlocks:
    def test_rms_norm_unit_rms(self):
        x = np.random.default_rng(0).normal(size=(5, 8))
        out = rms_norm(x, np.ones(8), eps=0.0)
        assert np.allclose(np.sqrt((out**2).mean(-1)), 1.0)

    def test_attention_uniform_when_scores_equal(self):
        q, k = np.zeros((2, 3, 4)), np.zeros((1, 3, 4))
        v = np.arange(12.0).reshape(1, 3, 4)
        out = attention(q, k, v)
        assert np.allclose(out[0, 0], v[0].mean(0)) and np.allclose(out[1], out[0])

    def test_attention_is_softmax_of_scores_mixing_grouped_values(self):
        rng = np.random.default_rng(4)
        q, k, v = rng.normal(size=(4, 5, 6)), rng.normal(size=(2, 5, 6)), rng.normal(size=(2, 5, 6))
        mask = additive_mask(causal_mask(5))
        weights = softmax(scaled_scores(q, k) + mask, axis=-1)  # the checked softmax
        out = attention(q, k, v, mask)
        by_hand = np.stack([weights[h] @ v[h // 2] for h in range(4)])  # group of 2 per K/V
        np.testing.assert_allclose(out, by_hand, atol=1e-12)
        np.testing.assert_allclose(mix_values(weights, v), by_hand, atol=1e-12)

    @pytest.mark.parametrize(("tokens", "keys"), [(1, 1), (1, 5), (3, 5), (5, 5)])
    def test_causal_scores_mask_is_the_last_rows_of_the_causal_mask(self, tokens, keys):
        expected = additive_mask(causal_mask(keys))[keys - tokens :]
        np.testing.assert_array_equal(causal_scores_mask(tokens, keys, np.float32), expected)
        assert causal_scores_mask(tokens, keys, np.float32).dtype == np.float32

    @pytest.mark.parametrize("dtype", [np.float32, np.float64])
    def test_kernels_compute_in_the_dtype_of_their_inputs(self, dtype):
        rng = np.random.default_rng(5)
        q, k, v = (rng.normal(size=s).astype(dtype) for s in [(4, 3, 6), (2, 3, 6), (2, 3, 6)])
        w = rng.normal(size=(6, 6)).astype(dtype)
        assert attention(q, k, v, causal_scores_mask(3, 3, dtype)).dtype == dtype
        x = rng.normal(size=(3, 6)).astype(dtype)
        assert rms_norm(x, np.ones(6, dtype), 1e-5).dtype == dtype
        assert swiglu(x, w, w, w).dtype == dtype
        out, _ = moe_swiglu(x, rng.normal(size=(2, 6)).astype(dtype), [(w, w, w)] * 2, 2)
        assert out.dtype == dtype

    def test_attention_causal_first_row_copies_first_value(self):
        rng = np.random.default_rng(1)
        q, k, v = rng.normal(size=(4, 5, 6)), rng.normal(size=(2, 5, 6)), rng.normal(size=(2, 5, 6))
        out = attention(q, k, v, additive_mask(causal_mask(5)))
        assert np.allclose(out[0, 0], v[0, 0]) and np.allclose(out[3, 0], v[1, 0])

    @settings(max_examples=30)
    @given(st.integers(0, 10_000), st.integers(0, 200), st.integers(1, 6))
    def test_rope_shift_leaves_scores_unchanged(self, seed, offset, n):
        rng = np.random.default_rng(seed)
        q, k = rng.normal(size=(4, n, 8)), rng.normal(size=(2, n, 8))
        positions = np.arange(n)
        before = scaled_scores(apply_rope(q, positions), apply_rope(k, positions))
        after = scaled_scores(apply_rope(q, positions + offset), apply_rope(k, positions + offset))
        assert np.allclose(before, after, atol=1e-9)

    def test_grouped_scores_equal_repeated_heads(self):
        rng = np.random.default_rng(2)
        q, k = rng.normal(size=(6, 3, 4)), rng.normal(size=(2, 5, 4))
        repeated = np.repeat(k, 3, axis=0)  # Hugging Face repeat_kv
        assert np.allclose(scaled_scores(q, k), scaled_scores(q, repeated))

    @settings(max_examples=30)
    @given(st.integers(0, 10_000), st.integers(1, 4), st.integers(1, 6))
    def test_router_weights_sum_to_one(self, seed, k, tokens):
        rng = np.random.default_rng(seed)
        experts = [tuple(rng.normal(size=s) for s in [(6, 4), (6, 4), (4, 6)]) for _ in range(4)]
        x = rng.normal(size=(tokens, 4))
        router = rng.normal(size=(4, 4))
        out, chosen = moe_swiglu(x, router, experts, k)
        assert out.shape == (tokens, 4) and chosen.shape == (tokens, k)
        expected_chosen, weights = route_top_k(x @ router.T, k)  # the checked router
        assert np.array_equal(chosen, expected_chosen)
        assert np.allclose(weights.sum(-1), 1.0) and (weights > 0).all()
        manual = sum(
            weights[:, [j]] * np.stack([swiglu(x[[t]], *experts[chosen[t, j]])[0]
                                        for t in range(tokens)])
            for j in range(k)
        )  # fmt: skip
        assert np.allclose(out, manual)

    def test_moe_one_expert_top1_is_dense_swiglu(self):
        rng = np.random.default_rng(3)
        gate, up, down = rng.normal(size=(6, 4)), rng.normal(size=(6, 4)), rng.normal(size=(4, 6))
        x = rng.normal(size=(5, 4))
        out, chosen = moe_swiglu(x, rng.normal(size=(1, 4)), [(gate, up, down)], 1)
        assert np.allclose(out, swiglu(x, gate, up, down)) and np.all(chosen == 0)


# -- invariants of the model ---------------------------------------------------------------


class TestInvariants:
    @pytest.mark.parametrize("dtype", ["float64", "float32"])
    @pytest.mark.parametrize("name", ["MHA", "GQA", "MQA", "MoE"])
    def test_cache_matches_full_forward_at_every_step(self, name, dtype):
        model = random_model(CONFIGS[name], dtype)
        ids = random_ids(20, seed=5)
        full = model.logits(ids)  # [20, vocab]
        logits, cache = model.forward_step(ids[:4])  # prefill 4 tokens
        steps = [logits]
        for t in ids[4:]:
            logits, cache = model.forward_step([t], cache)
            steps.append(logits)
        assert np.abs(np.concatenate(steps) - full).max() <= 1e-5
        assert cache.shape == (2, 2, 1, CONFIGS[name].kv_heads, 20, 4)
        chunked, _ = model.forward_step(ids[4:], model.forward_step(ids[:4])[1])
        assert np.abs(chunked - full[4:]).max() <= 1e-5

    @settings(max_examples=20)
    @given(st.integers(2, 16), st.data())
    def test_later_tokens_never_change_earlier_logits(self, n, data):
        model = random_model(CONFIGS["GQA"])
        ids = random_ids(n, seed=n)
        position = data.draw(st.integers(1, n - 1))
        changed = list(ids)
        changed[position] = (ids[position] + 1 + data.draw(st.integers(0, 37))) % 40
        a, b = model.logits(ids), model.logits(changed)
        assert np.allclose(a[:position], b[:position], rtol=0, atol=1e-12)
        assert not np.allclose(a[position:], b[position:])

    def test_without_causal_mask_earlier_logits_change(self):
        model = random_model(CONFIGS["GQA"])
        ids = random_ids(8, seed=1)
        changed = ids[:7] + [(ids[7] + 1) % 40]
        a = model.logits(ids, causal=False)
        b = model.logits(changed, causal=False)
        assert np.abs(a[0] - b[0]).max() > 1e-6

    def test_gqa_equals_mha_with_duplicated_kv_weights(self):
        gqa = random_model(BASE)  # heads=4, kv_heads=2
        weights = gqa.state_dict()
        group, hd = BASE.heads // BASE.kv_heads, BASE.head_dim
        for i in range(BASE.layers):
            for name in ("k_proj", "v_proj"):
                key = f"model.layers.{i}.self_attn.{name}.weight"
                per_head = weights[key].reshape(BASE.kv_heads, hd, BASE.d_model)
                weights[key] = np.repeat(per_head, group, axis=0).reshape(-1, BASE.d_model)
        mha = TinyDecoder(replace(BASE, kv_heads=BASE.heads), weights)
        ids = random_ids(12, seed=2)
        assert np.allclose(gqa.logits(ids), mha.logits(ids), atol=1e-12)
        _, gqa_cache = gqa.forward_step(ids)
        _, mha_cache = mha.forward_step(ids)
        assert mha_cache.nbytes == 2 * gqa_cache.nbytes

    @pytest.mark.parametrize(("num_experts", "k"), [(2, 1), (2, 2), (3, 2)])
    def test_moe_of_copies_of_the_dense_network_equals_dense_model(self, num_experts, k):
        """Whatever the router picks, its weights sum to 1: copies of one SwiGLU add up to it."""
        dense = random_model(BASE)
        weights = dense.state_dict()
        rng = np.random.default_rng(num_experts)
        for i in range(BASE.layers):
            p = f"model.layers.{i}."
            mlp = {w: weights.pop(f"{p}mlp.{n}_proj.weight") for w, n in MIXTRAL_NAMES.items()}
            for j in range(num_experts):
                for w, array in mlp.items():
                    weights[f"{p}block_sparse_moe.experts.{j}.{w}.weight"] = array
            router = rng.normal(size=(num_experts, BASE.d_model))
            weights[p + "block_sparse_moe.gate.weight"] = router
        moe = TinyDecoder(replace(BASE, num_experts=num_experts, experts_per_token=k), weights)
        ids = random_ids(10, seed=3)
        assert np.allclose(moe.logits(ids), dense.logits(ids), atol=1e-12)

    @settings(max_examples=15)
    @given(st.integers(1, 20))
    def test_shifting_all_positions_keeps_logits(self, offset):
        model = random_model(CONFIGS["MQA"])
        ids = random_ids(10, seed=4)
        shifted = model.logits(ids, position_offset=offset)
        assert np.abs(model.logits(ids) - shifted).max() <= 1e-9

    @pytest.mark.parametrize("name", ["MHA", "GQA", "MQA"])
    def test_cache_bytes_equal_formula(self, name):
        c = CONFIGS[name]
        model = random_model(c, "float32")
        _, cache = model.forward_step(random_ids(7))
        assert cache.nbytes == kv_cache_bytes(
            batch=1, layers=2, tokens=7, kv_heads=c.kv_heads, head_dim=4, bytes_per_value=4
        )
        assert random_model(c).forward_step([1])[1].nbytes == kv_cache_bytes(
            batch=1, layers=2, tokens=1, kv_heads=c.kv_heads, head_dim=4, bytes_per_value=8
        )


# -- attention weights ----------------------------------------------------------------------


def reference_forward(model: TinyDecoder, ids: list[int]) -> tuple[list, list, np.ndarray]:
    """Recompute a dense model's forward pass from its public weights, layer by layer.

    An independent implementation (no call into the model's own forward code): returns each
    layer's attention weights [heads, tokens, tokens], its rotated Keys [kv_heads, tokens,
    head_dim] and the logits.
    """
    c, w = model.config, model.state_dict()
    n, group = len(ids), c.heads // c.kv_heads
    positions = np.arange(n)
    blocked = np.triu(np.ones((n, n), dtype=bool), k=1)
    x = w["model.embed_tokens.weight"][ids]  # [tokens, d_model]
    all_weights, all_keys = [], []
    for i in range(c.layers):
        p = f"model.layers.{i}."
        h = rms_norm(x, w[p + "input_layernorm.weight"], c.norm_eps)
        heads = {"q": c.heads, "k": c.kv_heads, "v": c.kv_heads}
        proj = {
            name: (h @ w[f"{p}self_attn.{name}_proj.weight"].T)
            .reshape(n, count, c.head_dim)
            .transpose(1, 0, 2)
            for name, count in heads.items()
        }  # [heads or kv_heads, tokens, head_dim]
        q = apply_rope(proj["q"], positions, c.rope_base)
        k = apply_rope(proj["k"], positions, c.rope_base)
        weights = []
        for head in range(c.heads):
            scores = q[head] @ k[head // group].T / np.sqrt(c.head_dim)  # [tokens, tokens]
            weights.append(softmax(np.where(blocked, -np.inf, scores), axis=-1))
        out = np.stack([weights[hd] @ proj["v"][hd // group] for hd in range(c.heads)])
        x = x + out.transpose(1, 0, 2).reshape(n, -1) @ w[p + "self_attn.o_proj.weight"].T
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], c.norm_eps)
        mlp = [w[f"{p}mlp.{name}_proj.weight"] for name in ("gate", "up", "down")]
        x = x + swiglu(h, *mlp)
        all_weights.append(np.stack(weights))
        all_keys.append(k)
    head = w["model.embed_tokens.weight"] if c.tied_embeddings else w["lm_head.weight"]
    logits = rms_norm(x, w["model.norm.weight"], c.norm_eps) @ head.T
    return all_weights, all_keys, logits


class TestAttentionWeights:
    @pytest.mark.parametrize("name", ["MHA", "GQA", "MQA"])
    def test_every_layer_equals_the_reference_and_agrees_with_the_logits(self, name):
        model = random_model(CONFIGS[name])
        ids = random_ids(9, seed=6)
        weights, keys, logits = reference_forward(model, ids)
        got = model.attention_weights(ids)
        assert got.shape == (2, CONFIGS[name].heads, 9, 9) and got.dtype == np.float64
        np.testing.assert_allclose(got, np.stack(weights), atol=1e-12)
        # the weights applied to the reference Values give the model's own logits
        np.testing.assert_allclose(logits, model.logits(ids), atol=1e-10)
        _, cache = model.forward_step(ids)
        for i in range(2):
            np.testing.assert_allclose(keys[i], cache.keys(i), atol=1e-12)

    def test_layer_zero_equals_a_recomputation_from_the_embeddings(self):
        """What the removed ``attention_maps.first_layer_attention`` computed, on one layer."""
        one = random_model(replace(BASE, layers=1), seed=4)
        ids = [3, 1, 4, 1, 5, 9]
        c, w = one.config, one.state_dict()
        h = rms_norm(
            w["model.embed_tokens.weight"][ids], w["model.layers.0.input_layernorm.weight"], 1e-5
        )
        q, k = (
            apply_rope(
                (h @ w[f"model.layers.0.self_attn.{name}_proj.weight"].T)
                .reshape(len(ids), heads, c.head_dim)
                .transpose(1, 0, 2),
                np.arange(len(ids)),
            )
            for name, heads in (("q", c.heads), ("k", c.kv_heads))
        )
        expected = softmax(scaled_scores(q, k) + additive_mask(causal_mask(len(ids))), axis=-1)
        np.testing.assert_allclose(one.attention_weights(ids)[0], expected, atol=1e-12)

    def test_shipped_model_on_the_chapter_question(self, shipped):
        model, tokenizer = shipped
        ids = tokenizer.encode("Where is my order?", add_bos=True)
        got = model.attention_weights(ids)
        c = model.config
        n = len(ids)  # 8 with the shipped tokenizer: <bos> W h ere ' is' ' my' ' order' ?
        assert got.shape == (c.layers, c.heads, n, n)  # the chapter's (heads, tokens, tokens)
        weights, _, logits = reference_forward(model, ids)
        np.testing.assert_allclose(got, np.stack(weights), atol=1e-5)  # float32 model
        np.testing.assert_allclose(logits, model.logits(ids), atol=1e-3)
        # dropping <bos> renormalizes the last row over the remaining keys (chapter 3, ex. 3.3)
        last, shorter = got[0, 0, -1], model.attention_weights(ids[1:])[0, 0, -1]
        np.testing.assert_allclose(last[1:] / last[1:].sum(), shorter, atol=1e-5)

    @settings(max_examples=25)
    @given(st.lists(st.integers(0, 39), min_size=1, max_size=16))
    def test_rows_are_causal_distributions(self, ids):
        weights = random_model(CONFIGS["GQA"]).attention_weights(ids)
        n = len(ids)
        assert weights.shape == (2, 4, n, n)
        assert np.allclose(weights.sum(axis=-1), 1.0)
        assert np.all(np.triu(weights, k=1) == 0.0)  # the future gets exactly nothing
        assert np.all(weights[:, :, 0, 0] == 1.0)  # the first token sees only itself

    @settings(max_examples=15)
    @given(st.integers(1, 15), st.integers(0, 16))
    def test_later_tokens_never_change_earlier_weights(self, m, offset):
        model = random_model(CONFIGS["MQA"])
        ids = random_ids(16, seed=m)
        full = model.attention_weights(ids, position_offset=offset)
        np.testing.assert_allclose(
            model.attention_weights(ids[:m]), full[:, :, :m, :m], rtol=0, atol=1e-12
        )
        np.testing.assert_allclose(model.attention_weights(ids), full, atol=1e-9)  # RoPE shift

    def test_without_the_causal_mask_rows_see_the_future(self):
        model = random_model(CONFIGS["GQA"])
        weights = model.attention_weights(random_ids(5, seed=2), causal=False)
        future = np.triu(np.ones((5, 5), dtype=bool), k=1)
        assert np.allclose(weights.sum(-1), 1.0) and np.all(weights[..., future] > 0.0)

    def test_query_heads_of_a_group_share_keys_and_values(self):
        """GQA: heads 0 and 1 read K/V head 0, heads 2 and 3 read K/V head 1."""
        weights = random_model(BASE).state_dict()
        hd, d = BASE.head_dim, BASE.d_model
        for i in range(BASE.layers):
            q = weights[f"model.layers.{i}.self_attn.q_proj.weight"].reshape(4, hd, d)
            q[1], q[3] = q[0], q[0]  # heads 1 and 3 ask the same question as head 0
            weights[f"model.layers.{i}.self_attn.q_proj.weight"] = q.reshape(-1, d)
        attn = TinyDecoder(BASE, weights).attention_weights(random_ids(6, seed=3))
        np.testing.assert_allclose(attn[:, 1], attn[:, 0], atol=1e-15)  # same group: same keys
        assert np.abs(attn[:, 3] - attn[:, 0]).max() > 1e-3  # other group: other keys

    def test_cached_keys_are_per_kv_head_and_rotated_by_position(self):
        _, cache = random_model(BASE).forward_step([7, 7, 7])
        keys = cache.keys(0)
        assert keys.shape == (BASE.kv_heads, 3, BASE.head_dim)  # 2 Key heads for 4 query heads
        # the same token at three positions: RoPE rotates its key, the length stays
        norms = np.linalg.norm(keys, axis=-1)
        np.testing.assert_allclose(norms, norms[:, :1].repeat(3, axis=1))
        assert not np.allclose(keys[:, 0], keys[:, 1])

    def test_equal_to_mha_with_duplicated_kv_weights(self):
        gqa = random_model(BASE)
        weights = gqa.state_dict()
        for i in range(BASE.layers):
            key = f"model.layers.{i}.self_attn.k_proj.weight"
            per_head = weights[key].reshape(BASE.kv_heads, BASE.head_dim, BASE.d_model)
            weights[key] = np.repeat(per_head, 2, axis=0).reshape(-1, BASE.d_model)
            v = f"model.layers.{i}.self_attn.v_proj.weight"
            per_head = weights[v].reshape(BASE.kv_heads, BASE.head_dim, BASE.d_model)
            weights[v] = np.repeat(per_head, 2, axis=0).reshape(-1, BASE.d_model)
        mha = TinyDecoder(replace(BASE, kv_heads=BASE.heads), weights)
        ids = random_ids(7, seed=8)
        np.testing.assert_allclose(gqa.attention_weights(ids), mha.attention_weights(ids))

    def test_single_token_attends_to_itself(self):
        assert random_model(CONFIGS["MoE"]).attention_weights([0]).tolist() == [[[[1.0]]] * 4] * 2

    def test_uniform_when_queries_are_zero(self):
        c = tiny_config(vocab_size=10, d_model=8, layers=1, heads=2, kv_heads=1, d_ff=8, context=8)
        weights = TinyDecoder.random(c, dtype="float64").state_dict()
        weights["model.layers.0.self_attn.q_proj.weight"][:] = 0.0
        flat = TinyDecoder(c, weights).attention_weights([1, 2, 3])
        np.testing.assert_allclose(flat[0, 0, 2], softmax([0.0] * 3))
        np.testing.assert_allclose(flat[0, 1, 1], [0.5, 0.5, 0.0])

    def test_the_forward_pass_is_unchanged_by_collecting(self):
        model = random_model(CONFIGS["MoE"], "float32")
        ids = random_ids(6, seed=9)
        before = model.logits(ids)
        model.attention_weights(ids)
        assert np.array_equal(model.logits(ids), before)

    @pytest.mark.parametrize(
        ("call", "error", "match"),
        [
            (lambda m: m.attention_weights([]), ValueError, "token_ids"),
            (lambda m: m.attention_weights([99]), ValueError, "token_ids holds id 99"),
            (lambda m: m.attention_weights("abc"), TypeError, "token_ids"),
            (lambda m: m.attention_weights([1.5]), TypeError, "token_ids"),
            (lambda m: m.attention_weights(list(range(33))), ValueError, "token_ids has 33"),
            (lambda m: m.attention_weights([1], causal="yes"), TypeError, "causal"),
            (lambda m: m.attention_weights([1], position_offset=-1), ValueError, "position_offset"),
            (lambda m: m.attention_weights([1], position_offset=32), ValueError, "position_offset"),
            (lambda m: m.attention_weights([1, 2], position_offset=31), ValueError, "token_ids"),
        ],
    )
    def test_bad_inputs(self, call, error, match):
        with pytest.raises(error, match=match):
            call(random_model(BASE))


# -- the observer ----------------------------------------------------------------------------


def observed(model: TinyDecoder, ids: list[int], **kwargs) -> list[tuple[str, np.ndarray]]:
    seen: list[tuple[str, np.ndarray]] = []
    model.logits(ids, observer=lambda name, array: seen.append((name, array)), **kwargs)
    return seen


class TestObserver:
    def test_names_in_order_for_a_dense_layer(self):
        names = [name for name, _ in observed(random_model(BASE), [1, 2, 3])]
        layer = ["attn_norm", "q", "k", "v", "scores", "weights", "attention", "ffn_norm", "ffn"]
        expected = ["token_ids", "embedding"]
        expected += [f"layers.{i}.{stage}" for i in range(BASE.layers) for stage in layer]
        assert names == [*expected, "final_norm", "logits"]

    def test_moe_layers_report_the_chosen_experts(self):
        seen = dict(observed(random_model(CONFIGS["MoE"]), [1, 2, 3]))
        chosen = seen["layers.1.router"]
        assert chosen.shape == (3, 2) and chosen.dtype == np.int64 and chosen.max() < 4

    def test_arrays_are_the_forward_pass_own(self):
        model = random_model(CONFIGS["GQA"])
        ids = random_ids(6, seed=11)
        seen = dict(observed(model, ids))
        np.testing.assert_array_equal(seen["logits"], model.logits(ids))
        weights = np.stack([seen[f"layers.{i}.weights"] for i in range(BASE.layers)])
        np.testing.assert_array_equal(weights, model.attention_weights(ids))  # float64 model
        scores = seen["layers.0.scores"]
        np.testing.assert_allclose(softmax(scores, axis=-1), seen["layers.0.weights"], atol=1e-12)
        assert np.isneginf(scores[:, 0, 1:]).all()  # the causal mask is in the scores
        assert seen["layers.0.q"].shape == (4, 6, 4) and seen["layers.0.k"].shape == (2, 6, 4)

    def test_observing_leaves_the_logits_unchanged(self):
        model = random_model(CONFIGS["MoE"], "float32")
        ids = random_ids(6, seed=9)
        seen = observed(model, ids)
        assert np.array_equal(seen[-1][1], model.logits(ids))

    def test_trace_is_every_observed_shape_but_the_weights(self):
        model = random_model(CONFIGS["MoE"])
        ids = [1, 2, 3, 4]
        seen = observed(model, ids)
        calls = []
        _, trace = model.logits(ids, return_trace=True, observer=lambda n, a: calls.append(n))
        stages = [(n, a.shape) for n, a in seen if not n.endswith(".weights")]
        assert [(s.name, s.shape) for s in trace[:-1]] == stages
        assert trace[-1] == TraceStep("kv_cache", (2, 2, 1, 2, 4, 4))
        assert calls == [n for n, _ in seen]  # the observer still sees everything

    @pytest.mark.parametrize("dtype", ["float32", "float64"])
    def test_the_forward_pass_stays_in_the_model_dtype(self, dtype):
        """No float64 round trip inside a float32 model: every floating stage is in its dtype."""
        model = random_model(CONFIGS["MoE"], dtype)
        for name, array in observed(model, [1, 2, 3]):
            if name not in ("token_ids",) and not name.endswith(".router"):
                assert array.dtype == np.dtype(dtype), name
        assert model.attention_weights([1, 2]).dtype == np.float64  # widened at the door

    def test_observer_must_be_callable(self):
        with pytest.raises(TypeError, match="observer"):
            random_model(BASE).logits([1], observer="print")


# -- trace, cache object, state --------------------------------------------------------------


class TestTraceAndCache:
    def test_trace_shapes(self):
        config = tiny_config(
            vocab_size=6, d_model=8, layers=4, heads=2, kv_heads=2, d_ff=8, context=8
        )
        logits, trace = TinyDecoder.random(config).logits([0, 1, 2, 3, 4], return_trace=True)
        shapes = {step.name: step.shape for step in trace}
        assert shapes["embedding"] == (5, 8)
        assert shapes["layers.0.q"] == (2, 5, 4) and shapes["layers.3.k"] == (2, 5, 4)
        assert shapes["layers.2.scores"] == (2, 5, 5)
        assert shapes["layers.1.attention"] == shapes["layers.1.ffn"] == (5, 8)
        assert shapes["final_norm"] == (5, 8)
        assert shapes["logits"] == logits.shape == (5, 6)
        assert shapes["kv_cache"] == (4, 2, 1, 2, 5, 4)  # the chapter's cached K/V shape
        assert trace[0] == TraceStep("token_ids", (5,))

    def test_trace_moe_router(self):
        _, trace = random_model(CONFIGS["MoE"]).logits([1, 2, 3], return_trace=True)
        assert TraceStep("layers.0.router", (3, 2)) in trace

    def test_cache_object(self):
        model = random_model(BASE, "float32")
        _, cache = model.forward_step([1, 2, 3])
        assert cache.shape == (2, 2, 1, 2, 3, 4) and cache.capacity == 32
        assert "KVCache(shape=(2, 2, 1, 2, 3, 4)" in repr(cache)
        keys = cache.keys(1)
        assert keys.shape == (2, 3, 4) and not keys.flags.writeable
        assert cache.values(0).shape == (2, 3, 4)
        twin = cache.copy()
        model.forward_step([4], twin)
        assert (cache.tokens, twin.tokens) == (3, 4)
        assert np.array_equal(twin.keys(0)[:, :3], cache.keys(0))

    def test_state_dict_is_a_copy_and_weights_read_only(self):
        model = random_model(BASE)
        weights = model.state_dict()
        weights["model.norm.weight"][:] = 0
        assert model.state_dict()["model.norm.weight"].any()
        assert not model.final_norm.flags.writeable and not model.embed.flags.writeable

    def test_float16_weights_compute_in_float32(self):
        weights = {k: v.astype(np.float16) for k, v in random_model(BASE).state_dict().items()}
        model = TinyDecoder(BASE, weights)
        assert model.dtype == np.float32 and model.new_cache().dtype == np.float32

    def test_repr(self):
        assert repr(random_model(BASE)) == "TinyDecoder('tiny', dtype=float64)"
        assert repr(random_model(BASE).new_cache(4)).startswith("KVCache(shape=(2, 2, 1, 2, 0, 4)")


class TestBadInput:
    @pytest.mark.parametrize(
        ("call", "error", "match"),
        [
            (lambda m: m.logits([]), ValueError, "token_ids"),
            (lambda m: m.logits([40]), ValueError, "token_ids holds id 40"),
            (lambda m: m.logits([-1]), ValueError, "token_ids"),
            (lambda m: m.logits([1] * 33), ValueError, "token_ids has 33 tokens"),
            (lambda m: m.logits("abc"), TypeError, "token_ids"),
            (lambda m: m.logits([1.5]), TypeError, "token_ids"),
            (lambda m: m.logits([[1, 2]]), ValueError, "token_ids"),
            (lambda m: m.logits([1], causal=1), TypeError, "causal"),
            (lambda m: m.logits([1], return_trace="y"), TypeError, "return_trace"),
            (lambda m: m.logits([1], position_offset=32), ValueError, "position_offset"),
            (lambda m: m.logits([1, 2], position_offset=31), ValueError, "token_ids"),
            (lambda m: m.forward_step([1], cache="cache"), TypeError, "cache"),
            (lambda m: m.forward_step([]), ValueError, "token_ids"),
            (
                lambda m: m.forward_step([1], KVCache(CONFIGS["MQA"], dtype="float64")),
                ValueError,
                "cache was built for a different config",
            ),
            (lambda m: m.forward_step([1], KVCache(BASE)), ValueError, "cache has dtype"),
            (
                lambda m: m.forward_step([1, 2, 3], m.new_cache(capacity=2)),
                ValueError,
                "token_ids has 3 tokens but the cache holds 0 of 2",
            ),
        ],
    )
    def test_model_calls(self, call, error, match):
        with pytest.raises(error, match=match):
            call(random_model(BASE))

    def test_cache_full_after_steps(self):
        model = random_model(BASE)
        _, cache = model.forward_step([1] * 32)
        with pytest.raises(ValueError, match="0 free"):
            model.forward_step([1], cache)

    @pytest.mark.parametrize(
        ("call", "error", "match"),
        [
            (lambda: KVCache(BASE, capacity=33), ValueError, "capacity"),
            (lambda: KVCache(BASE, capacity=0), ValueError, "capacity"),
            (lambda: KVCache(BASE, dtype="int8"), ValueError, "dtype"),
            (lambda: KVCache("config"), TypeError, "config"),
            (lambda: KVCache(BASE).keys(2), ValueError, "layer"),
            (lambda: KVCache(BASE).values(5), ValueError, "layer"),
            (lambda: TinyDecoder.random(BASE, std=0.0), ValueError, "std"),
            (lambda: TinyDecoder.random(BASE, seed=-1), ValueError, "seed"),
            (lambda: TinyDecoder.random(BASE, dtype="float16"), ValueError, "dtype"),
            (lambda: parameter_shapes("BASE"), TypeError, "config"),
        ],
    )
    def test_other_calls(self, call, error, match):
        with pytest.raises(error, match=match):
            call()

    def test_state_dict_checks_name_the_tensor(self):
        good = random_model(BASE).state_dict()
        name = "model.layers.1.mlp.up_proj.weight"
        cases = [
            ({k: v for k, v in good.items() if k != name}, f"missing tensor '{name}'"),
            ({**good, "extra.weight": np.ones(2)}, "unexpected tensor 'extra.weight'"),
            ({**good, name: np.ones((3, 3))}, f"tensor '{name}' has shape \\(3, 3\\)"),
            ({**good, name: good[name].astype(np.int64)}, f"tensor '{name}' has dtype int64"),
            ({**good, name: good[name].astype(np.float32)}, f"tensor '{name}' has dtype float32"),
            ({**good, name: good[name] * np.nan}, f"tensor '{name}' holds NaN"),
        ]
        for tensors, match in cases:
            with pytest.raises(ValueError, match=match):
                check_state_dict(BASE, tensors)
        with pytest.raises(TypeError, match="tensors"):
            check_state_dict(BASE, [1, 2])
        with pytest.raises(TypeError, match="config"):
            TinyDecoder("config", good)


# -- the shipped model ---------------------------------------------------------------------


class TestShippedModel:
    def test_loaded_once(self, shipped):
        assert load_tiny() is shipped
        model, tokenizer = shipped
        assert model.config.vocab_size == tokenizer.vocab_size
        assert model.config.kv_heads < model.config.heads  # GQA
        assert model.config.context >= 320

    def test_missing_data_files(self, tmp_path, monkeypatch):
        import llmhistory.tiny.checkpoint as decoder

        monkeypatch.setattr(decoder.resources, "files", lambda package: tmp_path)
        (tmp_path / "data").mkdir()
        with pytest.raises(FileNotFoundError, match="train_tiny.py"):
            decoder._load_tiny.__wrapped__("float32")  # past the cache

    def test_tokenizer_must_match_checkpoint(self, tmp_path, monkeypatch):
        import llmhistory.tiny.checkpoint as decoder
        from llmhistory.tiny.checkpoint import save_model
        from llmhistory.tiny.tokenizer import BPETokenizer

        (tmp_path / "data").mkdir()
        save_model(random_model(BASE), tmp_path / "data" / decoder.CHECKPOINT_FILE)
        BPETokenizer([]).save(tmp_path / "data" / decoder.TOKENIZER_FILE)
        monkeypatch.setattr(decoder.resources, "files", lambda package: tmp_path)
        with pytest.raises(ValueError, match="vocab_size=40 differs"):
            decoder._load_tiny.__wrapped__("float32")

    def test_held_out_label_accuracy(self, shipped):
        held_out = support_split(n_train=1, n_held_out=100, seed=0).held_out
        accuracy = label_accuracy(*shipped, held_out)
        assert accuracy >= 0.90, f"held-out accuracy {accuracy:.2%}"

    def test_greedy_reply_to_where_is_my_order(self, shipped):
        model, tokenizer = shipped
        prompt = "Customer: Where is my order?\nAgent:"
        run = generate_ids(
            model,
            tokenizer.encode(prompt, add_bos=True),
            max_new_tokens=60,
            stop_tokens=[tokenizer.eos_id],
        )
        reply = tokenizer.decode(run.new_token_ids, skip_special_tokens=True)
        assert run.stop_reason == "stop_token" and len(run.new_token_ids) < 60
        words = re.findall(r"[A-Za-z']+", reply)
        assert len(words) >= 4
        split = support_split(n_train=300, n_held_out=1)
        known = " ".join(
            training_documents(split, 500) + generate_dialogues(500) + policy_snippets(100)
        )
        vocabulary = set(re.findall(r"[A-Za-z']+", known))
        assert all(w in vocabulary for w in words), reply

    def test_cache_matches_full_forward(self, shipped):
        model, tokenizer = shipped
        ids = tokenizer.encode("Customer: Where is my order?\nAgent: I'm sorry", add_bos=True)
        full = model.logits(ids)
        logits, cache = model.forward_step(ids[:3])
        rows = [logits] + [model.forward_step([t], cache)[0] for t in ids[3:]]
        assert np.abs(np.concatenate(rows) - full).max() <= 1e-4

    @pytest.mark.torch  # deselected without PyTorch; tests/test_golden_logits.py checks the same
    def test_numpy_matches_torch(self, shipped):
        import torch

        spec = importlib.util.spec_from_file_location("train_tiny", SCRIPT)
        train_tiny = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(train_tiny)
        model, tokenizer = shipped
        moe = random_model(CONFIGS["MoE"], "float32", seed=7)
        cases = [
            (model, tokenizer.encode("Message: I forgot my password.\nLabel:", add_bos=True)),
            (moe, random_ids(12, seed=8)),
        ]
        for numpy_model, ids in cases:
            twin = train_tiny.TorchCausalLM(numpy_model.config)
            twin.load_numpy_state_dict(numpy_model.state_dict())
            with torch.no_grad():
                expected = twin(torch.tensor([ids]))[0].numpy()
            assert np.abs(numpy_model.logits(ids) - expected).max() <= 1e-4
