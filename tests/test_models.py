"""Tests of llmhistory.concepts.models: published parameter counts, KV-cache per token, bad
configs."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmhistory.concepts.kv_cache import kv_cache_bytes, kv_cache_bytes_per_token
from llmhistory.concepts.models import (
    ModelConfig,
    ParameterCount,
    attention_label,
    count_parameters,
    describe,
    get_config,
    list_configs,
)
from llmhistory.concepts.moe import moe_ffn_parameters

NAMES = [
    "gpt2",
    "gpt2-xl",
    "gpt3-175b",
    "llama-2-7b",
    "llama-2-70b",
    "llama-3-8b",
    "llama-3-70b",
    "mistral-7b",
    "mixtral-8x7b",
    "qwen2.5-7b",
    "llama-3.1-405b",
    "deepseek-v3",
]

# Headline sizes from the papers and model cards; count_parameters must land within 1%.
PUBLISHED_TOTAL = {
    "gpt2": 124.4e6,
    "gpt2-xl": 1.558e9,
    "gpt3-175b": 175e9,
    "llama-2-7b": 6.74e9,
    "llama-2-70b": 68.98e9,
    "llama-3-8b": 8.03e9,
    "llama-3-70b": 70.6e9,
    "mistral-7b": 7.24e9,
    "mixtral-8x7b": 46.7e9,
    # Model card: 7.61B (6.53B non-embedding); the exact sum 7,615,616,512 truncates to 7.61.
    "qwen2.5-7b": 7.61e9,
    "llama-3.1-405b": 405e9,
    # Technical report: 671B; the 685B of the Hugging Face checkpoint adds the 14B
    # multi-token-prediction module, which is not part of the model that generates.
    "deepseek-v3": 671e9,
}

# Exact counts of the released checkpoints (sum of tensor sizes in the Hugging Face weights).
EXACT_TOTAL = {
    "gpt2": 124_439_808,
    "gpt2-xl": 1_557_611_200,
    "llama-2-7b": 6_738_415_616,
    "llama-2-70b": 68_976_648_192,
    "llama-3-8b": 8_030_261_248,
    "llama-3-70b": 70_553_706_496,
    "mistral-7b": 7_241_732_096,
    "mixtral-8x7b": 46_702_792_704,
}


def tiny(**overrides):
    fields = dict(name="tiny", d_model=64, layers=2, heads=4, d_ff=256, vocab_size=100, context=32)
    fields.update(overrides)
    return ModelConfig(**fields)


class TestRegistry:
    def test_list_configs(self):
        assert list_configs() == NAMES

    @pytest.mark.parametrize("name", NAMES)
    def test_every_config_has_a_source_with_url(self, name):
        config = get_config(name)
        assert config.name == name
        assert "https://" in config.source

    @pytest.mark.parametrize(
        "name, layers, d_model, heads, kv_heads, d_ff, vocab_size, context",
        [
            ("gpt2", 12, 768, 12, 12, 3072, 50257, 1024),
            ("gpt2-xl", 48, 1600, 25, 25, 6400, 50257, 1024),
            ("gpt3-175b", 96, 12288, 96, 96, 49152, 50257, 2048),
            ("llama-2-7b", 32, 4096, 32, 32, 11008, 32000, 4096),
            ("llama-2-70b", 80, 8192, 64, 8, 28672, 32000, 4096),
            ("llama-3-8b", 32, 4096, 32, 8, 14336, 128256, 8192),
            ("llama-3-70b", 80, 8192, 64, 8, 28672, 128256, 8192),
            ("mistral-7b", 32, 4096, 32, 8, 14336, 32000, 32768),
            ("mixtral-8x7b", 32, 4096, 32, 8, 14336, 32000, 32768),
            ("qwen2.5-7b", 28, 3584, 28, 4, 18944, 152064, 131072),
            ("llama-3.1-405b", 126, 16384, 128, 8, 53248, 128256, 131072),
            ("deepseek-v3", 61, 7168, 128, 128, 18432, 129280, 163840),
        ],
    )
    def test_published_shapes(
        self, name, layers, d_model, heads, kv_heads, d_ff, vocab_size, context
    ):
        c = get_config(name)
        assert (c.layers, c.d_model, c.heads, c.kv_heads, c.d_ff, c.vocab_size, c.context) == (
            layers,
            d_model,
            heads,
            kv_heads,
            d_ff,
            vocab_size,
            context,
        )

    def test_head_dims(self):
        assert get_config("gpt2").head_dim == 64
        assert get_config("gpt2-xl").head_dim == 64
        assert get_config("gpt3-175b").head_dim == 128
        assert {get_config(n).head_dim for n in NAMES[3:]} == {128}

    def test_architecture_flags(self):
        gpt2, llama = get_config("gpt2"), get_config("llama-2-7b")
        assert (gpt2.ffn, gpt2.norm, gpt2.tied_embeddings, gpt2.learned_positions) == (
            "gelu",
            "layernorm",
            True,
            True,
        )
        assert gpt2.attention_bias and gpt2.mlp_bias
        assert (llama.ffn, llama.norm, llama.tied_embeddings, llama.learned_positions) == (
            "swiglu",
            "rmsnorm",
            False,
            False,
        )
        assert not llama.attention_bias
        assert get_config("llama-3-8b").rope_base == 500000.0
        assert get_config("mistral-7b").sliding_window == 4096
        mixtral = get_config("mixtral-8x7b")
        assert (mixtral.num_experts, mixtral.experts_per_token, mixtral.is_moe) == (8, 2, True)
        assert [get_config(n).attention_kind for n in ("gpt2", "llama-3-8b")] == ["MHA", "GQA"]

    def test_unknown_name_lists_known_names(self):
        with pytest.raises(ValueError, match="name must be one of gpt2, gpt2-xl.*got 'gpt-5'"):
            get_config("gpt-5")

    def test_name_must_be_str(self):
        with pytest.raises(TypeError, match="name"):
            get_config(7)

    def test_configs_are_frozen(self):
        with pytest.raises(dataclasses.FrozenInstanceError):
            get_config("gpt2").layers = 24  # type: ignore[misc]


class TestCountParameters:
    @pytest.mark.parametrize("name", NAMES)
    def test_within_one_percent_of_published(self, name):
        count = count_parameters(get_config(name))
        assert count.total == pytest.approx(PUBLISHED_TOTAL[name], rel=0.01)

    @pytest.mark.parametrize("name", sorted(EXACT_TOTAL))
    def test_exact_released_counts(self, name):
        assert count_parameters(get_config(name)).total == EXACT_TOTAL[name]

    def test_mixtral_active(self):
        count = count_parameters(get_config("mixtral-8x7b"))
        assert count.active == pytest.approx(12.9e9, rel=0.01)
        assert count.active == 12_879_925_248

    def test_gpt2_breakdown(self):
        b = count_parameters(get_config("gpt2")).breakdown
        assert b == {
            "embeddings": 50257 * 768,
            "positions": 1024 * 768,
            "attention": 12 * (768 * 3 * 768 + 3 * 768 + 768 * 768 + 768),
            "feed_forward": 12 * (2 * 768 * 3072 + 3072 + 768),
            "router": 0,
            "norms": 25 * 2 * 768,
            "output_head": 0,
        }

    def test_llama_breakdown_with_gqa(self):
        b = count_parameters(get_config("llama-3-8b")).breakdown
        assert b["attention"] == 32 * (2 * 4096 * 4096 + 2 * 4096 * 1024)
        assert b["output_head"] == b["embeddings"] == 128256 * 4096
        assert b["norms"] == 65 * 4096
        assert b["positions"] == b["router"] == 0

    def test_mixtral_ffn_matches_moe_module(self):
        b = count_parameters(get_config("mixtral-8x7b")).breakdown
        total, _ = moe_ffn_parameters(d_model=4096, d_ff=14336, num_experts=8, k=2)
        assert b["feed_forward"] + b["router"] == 32 * total

    @pytest.mark.parametrize("name", NAMES)
    def test_breakdown_sums_to_total_and_dense_active_equals_total(self, name):
        config = get_config(name)
        count = count_parameters(config)
        assert isinstance(count, ParameterCount)
        assert sum(count.breakdown.values()) == count.total
        assert count.active <= count.total
        assert (count.active == count.total) == (not config.is_moe)

    def test_kv_heads_change_only_attention(self):
        mha = count_parameters(get_config("llama-2-7b"))
        mqa = count_parameters(dataclasses.replace(get_config("llama-2-7b"), kv_heads=1))
        assert mha.total - mqa.total == 32 * 2 * 4096 * (4096 - 128)
        assert {k for k in mha.breakdown if mha.breakdown[k] != mqa.breakdown[k]} == {"attention"}

    def test_untying_adds_output_head(self):
        tied = get_config("gpt2")
        untied = dataclasses.replace(tied, tied_embeddings=False)
        assert count_parameters(untied).total - count_parameters(tied).total == 50257 * 768

    @given(
        heads_kv=st.sampled_from([(1, 1), (4, 1), (4, 2), (4, 4), (8, 2)]),
        layers=st.integers(1, 8),
        d_ff=st.integers(1, 512),
        experts_k=st.integers(1, 8).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n))),
        ffn=st.sampled_from(["gelu", "swiglu"]),
        norm=st.sampled_from(["layernorm", "rmsnorm"]),
        flags=st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans()),
    )
    def test_invariants(self, heads_kv, layers, d_ff, experts_k, ffn, norm, flags):
        heads, kv_heads = heads_kv
        num_experts, k = experts_k
        tied, learned, attn_bias, mlp_bias = flags
        config = tiny(
            heads=heads,
            kv_heads=kv_heads,
            layers=layers,
            d_ff=d_ff,
            num_experts=num_experts,
            experts_per_token=k,
            ffn=ffn,
            norm=norm,
            tied_embeddings=tied,
            learned_positions=learned,
            attention_bias=attn_bias,
            mlp_bias=mlp_bias,
        )
        count = count_parameters(config)
        assert sum(count.breakdown.values()) == count.total
        assert 0 < count.active <= count.total
        assert (count.active == count.total) == (k == num_experts)
        deeper = count_parameters(dataclasses.replace(config, layers=layers + 1))
        per_layer = deeper.total - count.total
        b = count.breakdown
        final_norm = 2 * 64 if norm == "layernorm" else 64
        outside_layers = b["embeddings"] + b["positions"] + b["output_head"] + final_norm
        assert count.total == per_layer * layers + outside_layers

    def test_bad_config(self):
        with pytest.raises(TypeError, match="config must be a ModelConfig"):
            count_parameters({"name": "gpt2"})


class TestKvCachePerToken:
    @pytest.mark.parametrize(
        "name, expected",
        [
            ("llama-2-7b", 524288),
            ("llama-3-8b", 131072),
            ("mistral-7b", 131072),
            ("mixtral-8x7b", 131072),
            ("llama-2-70b", 327680),
            ("gpt2", 36864),
            ("qwen2.5-7b", 2 * 28 * 4 * 128 * 2),  # 56 KiB
            ("llama-3.1-405b", 2 * 126 * 8 * 128 * 2),  # 504 KiB
            ("deepseek-v3", 61 * (512 + 64) * 2),  # MLA: latent + RoPE key per layer
        ],
    )
    def test_pins(self, name, expected):
        assert kv_cache_bytes_per_token(get_config(name)) == expected

    def test_bytes_per_value(self):
        config = get_config("llama-2-7b")
        assert kv_cache_bytes_per_token(config, bytes_per_value=1) == 262144
        assert kv_cache_bytes_per_token(config, 4) == 2 * 524288

    def test_agrees_with_kv_cache_bytes(self):
        c = get_config("llama-3-70b")
        full = kv_cache_bytes(
            batch=4, layers=c.layers, tokens=8192, kv_heads=c.kv_heads, head_dim=c.head_dim
        )
        assert full == 4 * 8192 * kv_cache_bytes_per_token(c)

    @pytest.mark.parametrize(
        "args, error, pattern",
        [
            (("llama-2-7b",), TypeError, "config"),
            ((None, 0), ValueError, "bytes_per_value"),
            ((None, 2.0), TypeError, "bytes_per_value"),
        ],
    )
    def test_bad_inputs(self, args, error, pattern):
        args = tuple(get_config("llama-2-7b") if a is None else a for a in args)
        with pytest.raises(error, match=pattern):
            kv_cache_bytes_per_token(*args)


class TestModelConfig:
    def test_defaults(self):
        c = tiny()
        assert (c.kv_heads, c.head_dim, c.ffn, c.norm) == (4, 16, "swiglu", "rmsnorm")
        assert (c.num_experts, c.experts_per_token, c.is_moe, c.attention_kind) == (
            1,
            1,
            False,
            "MHA",
        )

    def test_explicit_head_dim_need_not_match_d_model(self):
        c = tiny(d_model=60, heads=8, head_dim=16)
        assert c.head_dim == 16
        assert count_parameters(c).breakdown["attention"] == 2 * 4 * 60 * 128

    def test_mqa_kind(self):
        assert tiny(kv_heads=1).attention_kind == "MQA"

    def test_keyword_only(self):
        with pytest.raises(TypeError):
            ModelConfig("tiny", 64, 2, 4)  # type: ignore[misc]

    @pytest.mark.parametrize(
        "overrides, error, pattern",
        [
            (dict(kv_heads=3), ValueError, "kv_heads=3 must divide heads=4"),
            (dict(kv_heads=0), ValueError, "kv_heads"),
            (dict(d_model=0), ValueError, "d_model"),
            (dict(layers=-1), ValueError, "layers"),
            (dict(heads=0), ValueError, "heads"),
            (dict(d_ff=1.5), TypeError, "d_ff"),
            (dict(vocab_size=0), ValueError, "vocab_size"),
            (dict(context=0), ValueError, "context"),
            (dict(d_model=66), ValueError, "heads=4 must divide d_model=66"),
            (dict(head_dim=0), ValueError, "head_dim"),
            (dict(ffn="relu"), ValueError, "ffn"),
            (dict(norm="batchnorm"), ValueError, "norm"),
            (dict(tied_embeddings=1), TypeError, "tied_embeddings"),
            (dict(attention_bias="no"), TypeError, "attention_bias"),
            (dict(num_experts=0), ValueError, "num_experts"),
            (dict(num_experts=8, experts_per_token=9), ValueError, "experts_per_token=9"),
            (dict(experts_per_token=0), ValueError, "experts_per_token"),
            (dict(rope_base=-1.0), ValueError, "rope_base"),
            (dict(sliding_window=0), ValueError, "sliding_window"),
            (dict(name=""), ValueError, "name"),
            (dict(source=None), TypeError, "source"),
        ],
    )
    def test_bad_configs(self, overrides, error, pattern):
        with pytest.raises(error, match=pattern):
            tiny(**overrides)


class TestDescribe:
    def test_dense(self):
        assert describe(get_config("llama-3-8b")) == (
            "llama-3-8b: 32 layers, d_model 4096, 32 heads / 8 kv_heads (GQA), SwiGLU, RMSNorm, "
            "RoPE, vocab 128256, context 8192; 8.03B parameters"
        )

    def test_gpt2(self):
        assert describe(get_config("gpt2")).endswith(
            "GELU MLP, LayerNorm, learned positions, vocab 50257, context 1024; 124.4M parameters"
        )

    def test_moe_and_sliding_window(self):
        assert "8 experts, top-2" in describe(get_config("mixtral-8x7b"))
        assert "46.70B total / 12.88B active parameters" in describe(get_config("mixtral-8x7b"))
        assert "sliding window 4096" in describe(get_config("mistral-7b"))

    def test_bad_input(self):
        with pytest.raises(TypeError, match="config"):
            describe("gpt2")


class TestAttentionLabel:
    @pytest.mark.parametrize(
        ("heads", "kv_heads", "label"),
        [(32, 32, "MHA"), (32, 8, "GQA"), (32, 1, "MQA"), (1, 1, "MHA"), (2, 1, "MQA")],
    )
    def test_known_values(self, heads, kv_heads, label):
        assert attention_label(heads, kv_heads) == label

    def test_the_config_and_the_cache_comparison_use_it(self):
        from llmhistory.concepts.kv_cache import compare_attention_variants

        for name in list_configs():
            c = get_config(name)
            expected = "MLA" if c.is_mla else attention_label(c.heads, c.kv_heads)
            assert c.attention_kind == expected
        rows = compare_attention_variants(batch=1, layers=1, tokens=1, heads=8, head_dim=4)
        assert [r.label for r in rows] == [attention_label(8, r.kv_heads) for r in rows]

    @pytest.mark.parametrize(
        ("args", "error", "match"),
        [((8, 3), ValueError, "kv_heads=3 must divide heads=8"), ((0, 1), ValueError, "heads"),
         ((8, 2.0), TypeError, "kv_heads")],
    )  # fmt: skip
    def test_bad_inputs(self, args, error, match):
        with pytest.raises(error, match=match):
            attention_label(*args)

    def test_norm_eps(self):
        assert get_config("llama-3-8b").norm_eps == 1e-5
        with pytest.raises(ValueError, match="norm_eps"):
            dataclasses.replace(get_config("gpt2"), norm_eps=0.0)


class TestRepr:
    def test_shows_the_fields_that_differ_from_their_defaults(self):
        text = repr(get_config("mistral-7b"))
        assert text.startswith("ModelConfig(name='mistral-7b', d_model=4096, layers=32, heads=32")
        assert "sliding_window=4096" in text and "ffn=" not in text and "source" not in text

    @pytest.mark.parametrize("name", list_configs())
    def test_evaluates_to_the_same_shapes(self, name):
        config = get_config(name)
        assert eval(repr(config)) == dataclasses.replace(config, source="", notes="")  # noqa: S307


# The fields of each model's published config.json that fix its shapes (Hugging Face repos
# Qwen/Qwen2.5-7B, meta-llama/Llama-3.1-405B, deepseek-ai/DeepSeek-V3; the DeepSeek values
# also in github.com/deepseek-ai/DeepSeek-V3, inference/configs/config_671B.json).
HF_CONFIGS = {
    "qwen2.5-7b": {
        "model_type": "qwen2",
        "hidden_size": 3584,
        "intermediate_size": 18944,
        "num_hidden_layers": 28,
        "num_attention_heads": 28,
        "num_key_value_heads": 4,
        "vocab_size": 152064,
        "max_position_embeddings": 131072,
        "rope_theta": 1000000.0,
        "rms_norm_eps": 1e-06,
        "tie_word_embeddings": False,
    },
    "llama-3.1-405b": {
        "model_type": "llama",
        "hidden_size": 16384,
        "intermediate_size": 53248,
        "num_hidden_layers": 126,
        "num_attention_heads": 128,
        "num_key_value_heads": 8,
        "vocab_size": 128256,
        "max_position_embeddings": 131072,
        "rope_theta": 500000.0,
        "rms_norm_eps": 1e-05,
        "tie_word_embeddings": False,
        "attention_bias": False,
        "mlp_bias": False,
    },
    "deepseek-v3": {
        "model_type": "deepseek_v3",
        "hidden_size": 7168,
        "intermediate_size": 18432,
        "moe_intermediate_size": 2048,
        "num_hidden_layers": 61,
        "num_attention_heads": 128,
        "num_key_value_heads": 128,
        "vocab_size": 129280,
        "max_position_embeddings": 163840,
        "q_lora_rank": 1536,
        "kv_lora_rank": 512,
        "qk_nope_head_dim": 128,
        "qk_rope_head_dim": 64,
        "v_head_dim": 128,
        "n_routed_experts": 256,
        "n_shared_experts": 1,
        "num_experts_per_tok": 8,
        "first_k_dense_replace": 3,
        "moe_layer_freq": 1,
        "topk_method": "noaux_tc",  # the router carries e_score_correction_bias
        "rope_theta": 10000.0,
        "rms_norm_eps": 1e-06,
        "tie_word_embeddings": False,
        "attention_bias": False,
    },
}


def hf_tensor_sizes(cfg: dict) -> dict[str, int]:
    """Return {tensor name: element count} of the Hugging Face model built from ``cfg``.

    Written from the modules of LlamaForCausalLM, Qwen2ForCausalLM (biases on q/k/v_proj) and
    DeepseekV3ForCausalLM (MLA, shared + routed experts, first_k_dense_replace dense blocks),
    tensor by tensor, independently of count_parameters.
    """
    h, heads, vocab = cfg["hidden_size"], cfg["num_attention_heads"], cfg["vocab_size"]
    sizes = {"model.embed_tokens.weight": vocab * h, "model.norm.weight": h}
    if not cfg["tie_word_embeddings"]:
        sizes["lm_head.weight"] = vocab * h
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        sizes[p + "input_layernorm.weight"] = h
        sizes[p + "post_attention_layernorm.weight"] = h
        if "kv_lora_rank" in cfg:
            nope, rope, v = cfg["qk_nope_head_dim"], cfg["qk_rope_head_dim"], cfg["v_head_dim"]
            q_rank, kv_rank = cfg["q_lora_rank"], cfg["kv_lora_rank"]
            sizes[p + "self_attn.q_a_proj.weight"] = q_rank * h
            sizes[p + "self_attn.q_a_layernorm.weight"] = q_rank
            sizes[p + "self_attn.q_b_proj.weight"] = heads * (nope + rope) * q_rank
            sizes[p + "self_attn.kv_a_proj_with_mqa.weight"] = (kv_rank + rope) * h
            sizes[p + "self_attn.kv_a_layernorm.weight"] = kv_rank
            sizes[p + "self_attn.kv_b_proj.weight"] = heads * (nope + v) * kv_rank
            sizes[p + "self_attn.o_proj.weight"] = h * heads * v
        else:
            hd, kv = h // heads, cfg["num_key_value_heads"]
            for name, rows in (("q", heads * hd), ("k", kv * hd), ("v", kv * hd)):
                sizes[p + f"self_attn.{name}_proj.weight"] = rows * h
                if cfg["model_type"] == "qwen2":
                    sizes[p + f"self_attn.{name}_proj.bias"] = rows
            sizes[p + "self_attn.o_proj.weight"] = h * heads * hd
        moe = "n_routed_experts" in cfg and i >= cfg["first_k_dense_replace"]
        if not moe:
            for name in ("gate", "up", "down"):
                sizes[p + f"mlp.{name}_proj.weight"] = cfg["intermediate_size"] * h
            continue
        width, routed = cfg["moe_intermediate_size"], cfg["n_routed_experts"]
        for e in range(routed):
            for name in ("gate", "up", "down"):
                sizes[p + f"mlp.experts.{e}.{name}_proj.weight"] = width * h
        shared = cfg["n_shared_experts"] * width  # the shared experts as one wider MLP
        for name in ("gate", "up", "down"):
            sizes[p + f"mlp.shared_experts.{name}_proj.weight"] = shared * h
        sizes[p + "mlp.gate.weight"] = routed * h
        sizes[p + "mlp.gate.e_score_correction_bias"] = routed
    return sizes


def hf_active(cfg: dict, sizes: dict[str, int]) -> int:
    """Drop, in every MoE block, the routed experts past the first num_experts_per_tok."""
    k = cfg.get("num_experts_per_tok", 0)
    return sum(
        n
        for name, n in sizes.items()
        if ".mlp.experts." not in name or int(name.split(".mlp.experts.")[1].split(".")[0]) < k
    )


class TestNewRegistryModels:
    """Qwen2.5-7B, Llama-3.1-405B and DeepSeek-V3 against their config.json and model cards."""

    @pytest.mark.parametrize("name", sorted(HF_CONFIGS))
    def test_config_matches_config_json(self, name):
        cfg, c = HF_CONFIGS[name], get_config(name)
        assert (c.d_model, c.layers, c.heads, c.kv_heads, c.vocab_size, c.context) == (
            cfg["hidden_size"],
            cfg["num_hidden_layers"],
            cfg["num_attention_heads"],
            cfg["num_key_value_heads"],
            cfg["vocab_size"],
            cfg["max_position_embeddings"],
        )
        assert (c.d_ff, c.rope_base, c.norm_eps) == (
            cfg["intermediate_size"],
            cfg["rope_theta"],
            cfg["rms_norm_eps"],
        )
        assert c.tied_embeddings == cfg["tie_word_embeddings"]

    def test_deepseek_moe_and_mla_fields(self):
        cfg, c = HF_CONFIGS["deepseek-v3"], get_config("deepseek-v3")
        assert (c.num_experts, c.shared_experts, c.experts_per_token) == (256, 1, 8)
        assert (c.moe_d_ff, c.dense_layers, c.router_bias) == (2048, 3, True)
        assert (c.kv_lora_rank, c.q_lora_rank, c.head_dim, c.rope_head_dim, c.v_head_dim) == (
            cfg["kv_lora_rank"],
            cfg["q_lora_rank"],
            cfg["qk_nope_head_dim"],
            cfg["qk_rope_head_dim"],
            cfg["v_head_dim"],
        )
        assert (c.is_moe, c.is_mla, c.attention_kind) == (True, True, "MLA")

    @pytest.mark.parametrize("name", sorted(HF_CONFIGS))
    def test_total_and_active_equal_the_tensor_by_tensor_count(self, name):
        cfg = HF_CONFIGS[name]
        sizes = hf_tensor_sizes(cfg)
        count = count_parameters(get_config(name))
        assert count.total == sum(sizes.values())
        assert count.active == hf_active(cfg, sizes)

    def test_exact_values(self):
        assert count_parameters(get_config("qwen2.5-7b")).total == 7_615_616_512
        assert count_parameters(get_config("llama-3.1-405b")).total == 405_853_388_800
        count = count_parameters(get_config("deepseek-v3"))
        assert (count.total, count.active) == (671_026_419_200, 37_552_297_472)

    def test_qwen_non_embedding_matches_model_card(self):
        # Model card: 7.61B parameters, 6.53B without the embedding and output matrices.
        b = count_parameters(get_config("qwen2.5-7b")).breakdown
        assert b["attention"] == 28 * (2 * 3584 * 3584 + 2 * 3584 * 512 + 3584 + 2 * 512)
        non_embedding = sum(b.values()) - b["embeddings"] - b["output_head"]
        assert non_embedding == pytest.approx(6.53e9, rel=1e-3)

    def test_deepseek_active_against_published(self):
        # The report rounds to "37B activated"; we count 37.55B, 1.5% above, because the
        # embedding table (0.93B, a lookup) is counted too. README_WEIGHTS.md gives 36.7B;
        # our count without the embedding table is 36.63B, within 0.3% of it.
        count = count_parameters(get_config("deepseek-v3"))
        assert count.active == pytest.approx(37e9, rel=0.02)
        assert count.active - count.breakdown["embeddings"] == pytest.approx(36.7e9, rel=3e-3)
        # 58 MoE blocks x (1 shared + 8 routed) experts of 3 x 7168 x 2048 parameters.
        assert count.active - count.total == -58 * 248 * 3 * 7168 * 2048

    def test_mla_cache_is_a_fraction_of_the_mha_cache_it_replaces(self):
        mla = get_config("deepseek-v3")
        mha = dataclasses.replace(
            mla, kv_lora_rank=None, q_lora_rank=None, rope_head_dim=None, v_head_dim=None
        )
        assert kv_cache_bytes_per_token(mla) == 70272
        assert kv_cache_bytes_per_token(mha) == 2 * 61 * 128 * 128 * 2
        assert kv_cache_bytes_per_token(mha) / kv_cache_bytes_per_token(mla) == pytest.approx(
            2 * 128 * 128 / 576
        )

    def test_mla_serving_memory_uses_the_latent_cache(self):
        from llmhistory.concepts.kv_cache import KVCache, serving_memory

        c = get_config("deepseek-v3")
        memory = serving_memory(c, batch=2, tokens=1000)
        assert memory.breakdown["KV cache"] == 2 * 1000 * kv_cache_bytes_per_token(c)
        with pytest.raises(ValueError, match="multi-head latent attention"):
            KVCache(c, capacity=4)

    def test_describe(self):
        text = describe(get_config("deepseek-v3"))
        assert "128 heads, MLA (latent 512 + RoPE key 64)" in text
        assert "256 experts, top-8, 1 shared, first 3 blocks dense" in text
        assert text.endswith("671.03B total / 37.55B active parameters")

    def test_dense_layers_and_shared_experts_without_moe_change(self):
        base = tiny(num_experts=4, experts_per_token=1)
        more = count_parameters(dataclasses.replace(base, shared_experts=1))
        ffn = 3 * 64 * 256
        assert more.total - count_parameters(base).total == 2 * ffn
        assert more.active - count_parameters(base).active == 2 * ffn
        dense = count_parameters(dataclasses.replace(base, dense_layers=2, moe_d_ff=8))
        assert dense.breakdown["feed_forward"] == 2 * ffn
        assert dense.breakdown["router"] == 0
        assert dense.active == dense.total

    @pytest.mark.parametrize(
        "overrides, error, pattern",
        [
            (dict(shared_experts=1), ValueError, "shared_experts=1 needs num_experts > 1"),
            (dict(dense_layers=1), ValueError, "dense_layers=1 needs num_experts > 1"),
            (dict(moe_d_ff=8), ValueError, "moe_d_ff=8 needs num_experts > 1"),
            (dict(router_bias=True), ValueError, "router_bias=True needs num_experts > 1"),
            (dict(num_experts=4, dense_layers=3), ValueError, "dense_layers=3 must be <= layers=2"),
            (dict(num_experts=4, shared_experts=-1), ValueError, "shared_experts"),
            (dict(num_experts=4, moe_d_ff=0), ValueError, "moe_d_ff"),
            (dict(qkv_bias="yes"), TypeError, "qkv_bias"),
            (dict(qkv_bias=True, attention_bias=True), ValueError, "set only one"),
            (dict(kv_lora_rank=8), ValueError, "rope_head_dim must be given with kv_lora_rank"),
            (dict(kv_lora_rank=0, rope_head_dim=4), ValueError, "kv_lora_rank"),
            (dict(kv_lora_rank=8, rope_head_dim=-1), ValueError, "rope_head_dim"),
            (dict(kv_lora_rank=8, rope_head_dim=4, q_lora_rank=0), ValueError, "q_lora_rank"),
            (dict(q_lora_rank=8), ValueError, "q_lora_rank needs kv_lora_rank"),
            (dict(v_head_dim=8), ValueError, "v_head_dim needs kv_lora_rank"),
            (
                dict(kv_lora_rank=8, rope_head_dim=4, attention_bias=True),
                ValueError,
                "not supported with kv_lora_rank",
            ),
        ],
    )
    def test_bad_configs(self, overrides, error, pattern):
        with pytest.raises(error, match=pattern):
            tiny(**overrides)

    @given(
        rank=st.integers(1, 64),
        rope=st.integers(0, 16),
        q_rank=st.one_of(st.none(), st.integers(1, 64)),
        layers=st.integers(1, 4),
    )
    def test_mla_invariants(self, rank, rope, q_rank, layers):
        c = tiny(layers=layers, kv_lora_rank=rank, rope_head_dim=rope, q_lora_rank=q_rank)
        count = count_parameters(c)
        assert sum(count.breakdown.values()) == count.total == count.active
        assert kv_cache_bytes_per_token(c, 1) == layers * (rank + rope)
        cfg = {  # the same shapes as a DeepSeek config.json
            "hidden_size": 64,
            "num_attention_heads": 4,
            "vocab_size": 100,
            "num_hidden_layers": layers,
            "tie_word_embeddings": False,
            "intermediate_size": 256,
            "kv_lora_rank": rank,
            "q_lora_rank": q_rank,
            "qk_nope_head_dim": 16,
            "qk_rope_head_dim": rope,
            "v_head_dim": 16,
        }
        if q_rank is None:
            return  # hf_tensor_sizes follows DeepSeek-V3, which always compresses queries
        assert count.total == sum(hf_tensor_sizes(cfg).values())


class TestModelCacheRows:
    def test_rows_agree_with_the_functions(self):
        from llmhistory.concepts.kv_cache import model_cache_rows

        rows = model_cache_rows(["deepseek-v3", "qwen2.5-7b", "llama-3.1-405b"])
        assert [r[:2] for r in rows] == [
            ("deepseek-v3", "MLA"),
            ("qwen2.5-7b", "GQA"),
            ("llama-3.1-405b", "GQA"),
        ]
        assert [r[4] for r in rows] == [70272 / 1024, 56.0, 504.0]
        assert rows[0][2:4] == (671_026_419_200 / 1e9, 37_552_297_472 / 1e9)
        assert model_cache_rows(["qwen2.5-7b"], 1)[0][4] == 28.0

    def test_bad_inputs(self):
        from llmhistory.concepts.kv_cache import model_cache_rows

        with pytest.raises(ValueError, match="name must be one of"):
            model_cache_rows(["gpt-5"])
        with pytest.raises(TypeError, match="names must be a sequence"):
            model_cache_rows("qwen2.5-7b")
        with pytest.raises(ValueError, match="bytes_per_value"):
            model_cache_rows(["qwen2.5-7b"], 0)
