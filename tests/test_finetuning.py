"""Tests of llmhistory.concepts.finetuning: Adam, LoRA and QLoRA memory."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmhistory.concepts.finetuning import (
    ADAM_MIXED_PRECISION_BYTES,
    FINETUNE_METHODS,
    LORA_TARGETS,
    finetune_memory,
    lora_parameters,
)
from llmhistory.concepts.models import count_parameters, get_config
from llmhistory.concepts.precision import (
    GIB,
    fits,
)

LLAMA2_7B = get_config("llama-2-7b")
LLAMA3_8B = get_config("llama-3-8b")
LLAMA2_70B = get_config("llama-2-70b")
MISTRAL_7B = get_config("mistral-7b")
MIXTRAL = get_config("mixtral-8x7b")
GPT2 = get_config("gpt2")
GPT3 = get_config("gpt3-175b")

parameters = st.integers(min_value=0, max_value=10**12)
ranks = st.integers(min_value=1, max_value=256)
model_names = st.sampled_from(["llama-2-7b", "llama-3-8b", "mistral-7b", "mixtral-8x7b", "gpt2"])


class TestLoraParameters:
    def test_lora_paper_gpt3_budget(self):
        # Hu et al. 2022, section 7.1: ~18M parameters for r=4 on Wq, Wv (or r=8 on one) of
        # GPT-3 175B; Table 4's 4.7M is r=1 on Wq, Wv.
        assert lora_parameters(GPT3, rank=4, targets=("q", "v")) == 18_874_368
        assert lora_parameters(GPT3, rank=8, targets=("q",)) == 18_874_368
        assert lora_parameters(GPT3, rank=1, targets=("q", "v")) == 4_718_592

    def test_llama_2_7b_attention_rank_8(self):
        assert lora_parameters(LLAMA2_7B, rank=8) == 32 * 4 * 8 * (4096 + 4096)

    def test_gqa_shrinks_k_and_v_adapters(self):
        # k and v map 4096 -> 1024 in Llama 3 8B.
        assert lora_parameters(LLAMA3_8B, rank=1, targets=("k",)) == 32 * (4096 + 1024)
        assert lora_parameters(LLAMA3_8B, rank=1, targets=("q",)) == 32 * (4096 + 4096)

    def test_all_linear_layers(self):
        per_layer = (4096 + 4096) * 2 + (4096 + 1024) * 2 + 3 * (4096 + 14336)
        assert lora_parameters(LLAMA3_8B, rank=64, targets=LORA_TARGETS) == 32 * 64 * per_layer

    def test_moe_adapts_every_expert(self):
        dense = lora_parameters(MISTRAL_7B, rank=4, targets=("up",))
        assert lora_parameters(MIXTRAL, rank=4, targets=("up",)) == 8 * dense

    def test_gelu_model_has_no_gate(self):
        with pytest.raises(ValueError, match="gate"):
            lora_parameters(GPT2, rank=4, targets=("gate",))
        assert lora_parameters(GPT2, rank=1, targets=("up", "down")) == 12 * 2 * (768 + 3072)

    @given(model_names, ranks)
    def test_linear_in_rank_and_tiny_next_to_the_model(self, name, rank):
        config = get_config(name)
        assert lora_parameters(config, rank) == rank * lora_parameters(config, 1)
        if rank <= 16:
            assert lora_parameters(config, rank) < 0.01 * count_parameters(config).total

    @given(model_names)
    def test_additive_over_targets(self, name):
        config = get_config(name)
        targets = ("q", "k", "v", "o")
        assert lora_parameters(config, 2, targets) == sum(
            lora_parameters(config, 2, (t,)) for t in targets
        )


class TestFinetuneMemory:
    def test_adam_breakdown_is_16_bytes(self):
        assert sum(ADAM_MIXED_PRECISION_BYTES.values()) == 16

    def test_full_is_16_bytes_per_parameter(self):
        n = count_parameters(LLAMA3_8B).total
        estimate = finetune_memory(LLAMA3_8B, "full")
        assert estimate.total == 16 * n
        assert estimate.trainable == n
        assert estimate.breakdown == {
            "weights": 2 * n,
            "quantization constants": 0,
            "gradients": 2 * n,
            "optimizer states": 12 * n,
        }
        assert str(estimate).startswith("full: 119.66 GiB")

    def test_lora_freezes_the_base(self):
        n = count_parameters(LLAMA3_8B).total
        a = lora_parameters(LLAMA3_8B, 16)
        estimate = finetune_memory(LLAMA3_8B, "lora", rank=16)
        assert estimate.trainable == a
        assert estimate.breakdown["weights"] == 2 * n + 2 * a
        assert estimate.breakdown["gradients"] == 2 * a
        assert estimate.breakdown["optimizer states"] == 12 * a
        assert estimate.total == 2 * n + 16 * a

    def test_qlora_stores_4_bit_base_and_constants(self):
        n = count_parameters(LLAMA3_8B).total
        a = lora_parameters(LLAMA3_8B, 16)
        estimate = finetune_memory(LLAMA3_8B, "qlora")
        assert estimate.breakdown["weights"] == n // 2 + 2 * a
        assert estimate.breakdown["quantization constants"] == pytest.approx(n * 0.127 / 8, abs=1)

    def test_qlora_paper_claim_70b_on_one_48_gib_gpu(self):
        # Dettmers et al. 2023: a 65B model fine-tunes on a single 48 GB GPU with QLoRA; full
        # 16-bit fine-tuning needs more than 780 GB.
        qlora = finetune_memory(LLAMA2_70B, "qlora", rank=64, targets=LORA_TARGETS)
        full = finetune_memory(LLAMA2_70B, "full")
        assert fits(qlora.total, 48)
        assert full.total > 780e9
        assert not fits(full.total, 8 * 80)

    def test_targets_and_rank_ignored_for_full(self):
        assert finetune_memory(LLAMA2_7B, "full", rank=1) == finetune_memory(LLAMA2_7B, "full")

    @given(model_names, ranks)
    def test_order_full_lora_qlora(self, name, rank):
        config = get_config(name)
        full, lora, qlora = (finetune_memory(config, m, rank=rank) for m in FINETUNE_METHODS)
        assert full.total > lora.total > qlora.total
        for estimate in (full, lora, qlora):
            assert estimate.total == sum(estimate.breakdown.values())
            assert estimate.gib == pytest.approx(estimate.total / GIB)


@pytest.mark.parametrize(
    ("call", "error", "name"),
    [
        (lambda: lora_parameters("llama-2-7b", 8), TypeError, "config"),
        (lambda: lora_parameters(LLAMA2_7B, 0), ValueError, "rank"),
        (lambda: lora_parameters(LLAMA2_7B, 2.0), TypeError, "rank"),
        (lambda: lora_parameters(LLAMA2_7B, 8, "qv"), TypeError, "targets"),
        (lambda: lora_parameters(LLAMA2_7B, 8, ()), ValueError, "targets"),
        (lambda: lora_parameters(LLAMA2_7B, 8, ("q", "x")), ValueError, "targets"),
        (lambda: lora_parameters(LLAMA2_7B, 8, ("q", "q")), ValueError, "targets"),
        (lambda: finetune_memory(LLAMA2_7B, "adapter"), ValueError, "method"),
        (lambda: finetune_memory(None, "full"), TypeError, "config"),
    ],
)
def test_bad_inputs(call, error, name):
    with pytest.raises(error, match=name):
        call()
