"""Tests of llmhistory.decoder: the NumPy Llama/Mixtral-style model, its cache, the checkpoint."""

from __future__ import annotations

import importlib.util
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmhistory.corpus import generate_dialogues, policy_snippets, support_split, training_documents
from llmhistory.decoder import (
    KVCache,
    TinyConfig,
    TinyDecoder,
    TraceStep,
    attention,
    check_state_dict,
    load_tiny,
    moe_swiglu,
    parameter_shapes,
    rms_norm,
    scaled_scores,
    swiglu,
)
from llmhistory.generation import generate_ids, label_accuracy
from llmhistory.kv_cache import kv_cache_bytes
from llmhistory.masks import additive_mask, causal_mask
from llmhistory.models import count_parameters
from llmhistory.rope import apply_rope

BASE = TinyConfig(vocab_size=40, d_model=16, layers=2, heads=4, kv_heads=2, d_ff=24, context=32)
CONFIGS = {
    "MHA": replace(BASE, kv_heads=4),
    "GQA": BASE,
    "MQA": replace(BASE, kv_heads=1, tied_embeddings=False),
    "MoE": replace(BASE, moe=True, num_experts=4, experts_per_token=2),
}
SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "train_tiny.py"


def random_model(config: TinyConfig, dtype: str = "float64", seed: int = 0) -> TinyDecoder:
    return TinyDecoder.random(config, seed=seed, std=0.3, dtype=dtype)


def random_ids(n: int, vocab_size: int = 40, seed: int = 0) -> list[int]:
    return np.random.default_rng(seed).integers(0, vocab_size, n).tolist()


@pytest.fixture(scope="module")
def shipped():
    return load_tiny()


# -- configuration -------------------------------------------------------------------------


class TestConfig:
    def test_hf_dict_llama(self):
        hf = BASE.to_hf_dict()
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
        hf = CONFIGS["MoE"].to_hf_dict()
        assert hf["model_type"] == "mixtral" and hf["architectures"] == ["MixtralForCausalLM"]
        assert (hf["num_local_experts"], hf["num_experts_per_tok"]) == (4, 2)

    @pytest.mark.parametrize("name", CONFIGS)
    def test_hf_round_trip(self, name):
        assert TinyConfig.from_hf_dict(CONFIGS[name].to_hf_dict()) == CONFIGS[name]

    def test_head_dim(self):
        assert BASE.head_dim == 4

    @pytest.mark.parametrize(
        ("changes", "error", "match"),
        [
            ({"vocab_size": 0}, ValueError, "vocab_size"),
            ({"layers": 1.0}, TypeError, "layers"),
            ({"heads": 3}, ValueError, "heads=3 must divide d_model=16"),
            ({"kv_heads": 3}, ValueError, "kv_heads=3 must divide heads=4"),
            ({"d_model": 6, "heads": 2, "kv_heads": 1}, ValueError, "head_dim"),
            ({"num_experts": 2}, ValueError, "num_experts"),
            ({"experts_per_token": 2}, ValueError, "experts_per_token"),
            ({"moe": "yes"}, TypeError, "moe"),
            ({"tied_embeddings": 1}, TypeError, "tied_embeddings"),
            ({"rope_base": -1.0}, ValueError, "rope_base"),
            ({"norm_eps": 0.0}, ValueError, "norm_eps"),
        ],
    )
    def test_bad_config(self, changes, error, match):
        with pytest.raises(error, match=match):
            replace(BASE, **changes)

    def test_from_hf_dict_errors(self):
        with pytest.raises(ValueError, match="model_type"):
            TinyConfig.from_hf_dict({"model_type": "gpt2"})
        hf = BASE.to_hf_dict()
        del hf["rope_theta"]
        with pytest.raises(ValueError, match="rope_theta"):
            TinyConfig.from_hf_dict(hf)
        with pytest.raises(TypeError, match="hf"):
            TinyConfig.from_hf_dict([("model_type", "llama")])

    @pytest.mark.parametrize("name", ["MHA", "GQA", "MQA", "MoE"])
    def test_parameter_count_matches_models_module(self, name):
        model = random_model(CONFIGS[name])
        expected = count_parameters(CONFIGS[name].to_model_config()).total
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

    def test_attention_causal_first_row_copies_first_value(self):
        rng = np.random.default_rng(1)
        q, k, v = rng.normal(size=(4, 5, 6)), rng.normal(size=(2, 5, 6)), rng.normal(size=(2, 5, 6))
        out = attention(q, k, v, additive_mask(causal_mask(5)))
        assert np.allclose(out[0, 0], v[0, 0]) and np.allclose(out[3, 0], v[1, 0])

    @settings(max_examples=30, deadline=None)
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

    @settings(max_examples=30, deadline=None)
    @given(st.integers(0, 10_000), st.integers(1, 4), st.integers(1, 6))
    def test_router_weights_sum_to_one(self, seed, k, tokens):
        rng = np.random.default_rng(seed)
        experts = [tuple(rng.normal(size=s) for s in [(6, 4), (6, 4), (4, 6)]) for _ in range(4)]
        x = rng.normal(size=(tokens, 4))
        out, chosen, weights = moe_swiglu(x, rng.normal(size=(4, 4)), experts, k)
        assert out.shape == (tokens, 4) and chosen.shape == (tokens, k)
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
        out, _, weights = moe_swiglu(x, rng.normal(size=(1, 4)), [(gate, up, down)], 1)
        assert np.allclose(out, swiglu(x, gate, up, down)) and np.all(weights == 1.0)


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

    @settings(max_examples=20, deadline=None)
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

    def test_moe_with_one_expert_equals_dense_model(self):
        dense = random_model(BASE)
        weights = dense.state_dict()
        for i in range(BASE.layers):
            p = f"model.layers.{i}."
            e = p + "block_sparse_moe.experts.0."
            weights[e + "w1.weight"] = weights.pop(p + "mlp.gate_proj.weight")
            weights[e + "w3.weight"] = weights.pop(p + "mlp.up_proj.weight")
            weights[e + "w2.weight"] = weights.pop(p + "mlp.down_proj.weight")
            weights[p + "block_sparse_moe.gate.weight"] = np.ones((1, BASE.d_model))
        moe = TinyDecoder(replace(BASE, moe=True), weights)
        ids = random_ids(10, seed=3)
        assert np.allclose(moe.logits(ids), dense.logits(ids), atol=1e-12)

    @settings(max_examples=15, deadline=None)
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


# -- trace, cache object, state --------------------------------------------------------------


class TestTraceAndCache:
    def test_trace_shapes(self):
        config = TinyConfig(
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
        assert not model._params["model.norm.weight"].flags.writeable

    def test_float16_weights_compute_in_float32(self):
        weights = {k: v.astype(np.float16) for k, v in random_model(BASE).state_dict().items()}
        model = TinyDecoder(BASE, weights)
        assert model.dtype == np.float32 and model.new_cache().dtype == np.float32

    def test_repr(self):
        assert repr(random_model(BASE)).startswith("TinyDecoder(TinyConfig(vocab_size=40")


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
        import llmhistory.decoder as decoder

        monkeypatch.setattr(decoder.resources, "files", lambda package: tmp_path)
        (tmp_path / "data").mkdir()
        with pytest.raises(FileNotFoundError, match="train_tiny.py"):
            load_tiny.__wrapped__()

    def test_tokenizer_must_match_checkpoint(self, tmp_path, monkeypatch):
        import llmhistory.decoder as decoder
        from llmhistory.tokenizer import BPETokenizer
        from llmhistory.weights import save_model

        (tmp_path / "data").mkdir()
        save_model(random_model(BASE), tmp_path / "data" / decoder.CHECKPOINT_FILE)
        BPETokenizer([]).save(tmp_path / "data" / decoder.TOKENIZER_FILE)
        monkeypatch.setattr(decoder.resources, "files", lambda package: tmp_path)
        with pytest.raises(ValueError, match="vocab_size=40 differs"):
            load_tiny.__wrapped__()

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

    def test_numpy_matches_torch(self, shipped):
        torch = pytest.importorskip("torch")
        if not SCRIPT.is_file():
            pytest.skip("scripts/train_tiny.py is not in this checkout")
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
