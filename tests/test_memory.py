"""Tests of llmhistory.concepts.memory: weights per precision, fine-tuning budgets, serving, bad
inputs."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmhistory.concepts.kv_cache import GIB
from llmhistory.concepts.memory import (
    ADAM_MIXED_PRECISION_BYTES,
    FINETUNE_METHODS,
    LORA_TARGETS,
    PRECISIONS,
    MemoryEstimate,
    attention_scores_bytes,
    attention_tile_bytes,
    bytes_per_parameter,
    cached_positions,
    finetune_memory,
    fit_report,
    fits,
    lora_parameters,
    max_batch,
    positions_processed,
    serving_memory,
    serving_report,
    weight_bytes,
)
from llmhistory.concepts.models import count_parameters, get_config

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


class TestWeights:
    def test_bytes_per_parameter(self):
        assert [bytes_per_parameter(p) for p in PRECISIONS] == [4.0, 2.0, 2.0, 1.0, 0.5]

    def test_llama_2_7b_in_bf16(self):
        assert weight_bytes(6_738_415_616, "bf16") == 13_476_831_232
        assert weight_bytes(count_parameters(LLAMA2_7B).total) / GIB == pytest.approx(
            12.55, abs=0.01
        )

    def test_llama_3_70b_in_each_precision(self):
        n = count_parameters(get_config("llama-3-70b")).total
        gib = [weight_bytes(n, p) / GIB for p in ("fp32", "bf16", "int8", "int4")]
        assert np.round(gib, 1).tolist() == [262.8, 131.4, 65.7, 32.9]

    def test_int4_rounds_up_to_whole_bytes(self):
        assert weight_bytes(1, "int4") == 1
        assert weight_bytes(0, "int4") == 0
        assert weight_bytes(4, "int4") == 2

    def test_numpy_integer_accepted(self):
        assert weight_bytes(np.int64(10), "fp32") == 40

    @given(parameters)
    def test_each_halving_of_bits_halves_the_bytes(self, n):
        assert weight_bytes(n, "fp32") == 2 * weight_bytes(n, "bf16")
        assert weight_bytes(n, "bf16") == 2 * weight_bytes(n, "int8")
        assert weight_bytes(n, "int8") == 2 * weight_bytes(n, "int4") - (n % 2)
        assert weight_bytes(n, "bf16") == weight_bytes(n, "fp16")


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


class TestAttentionMemory:
    def test_scores_grow_with_the_square(self):
        assert attention_scores_bytes(8192) == 128 * 2**20
        assert attention_scores_bytes(8192, heads=32, batch=1) == 4 * GIB
        assert attention_scores_bytes(16384) == 4 * attention_scores_bytes(8192)
        assert attention_scores_bytes(1, bytes_per_value=4) == 4

    def test_tile_is_independent_of_length_and_small(self):
        tile = attention_tile_bytes(block_q=128, block_k=64, head_dim=128)
        assert tile == 160 * 1024
        assert tile < 192 * 1024  # A100 SRAM per streaming multiprocessor (Dao et al. 2022)
        assert attention_tile_bytes(
            block_q=1, block_k=1, head_dim=1, bytes_per_value=1, accumulator_bytes=1
        ) == (3 + 2)


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


class TestMemoryEstimate:
    def test_frozen_and_str_skips_zero_parts(self):
        estimate = MemoryEstimate("x", {"a": GIB, "b": 0})
        assert str(estimate) == "x: 1.00 GiB (a 1.00)"
        with pytest.raises(dataclasses.FrozenInstanceError):
            estimate.label = "y"


@pytest.mark.parametrize(
    ("call", "error", "name"),
    [
        (lambda: bytes_per_parameter("int2"), ValueError, "precision"),
        (lambda: weight_bytes(-1), ValueError, "parameters"),
        (lambda: weight_bytes(1.5), TypeError, "parameters"),
        (lambda: weight_bytes(10, "fp8"), ValueError, "precision"),
        (lambda: lora_parameters("llama-2-7b", 8), TypeError, "config"),
        (lambda: lora_parameters(LLAMA2_7B, 0), ValueError, "rank"),
        (lambda: lora_parameters(LLAMA2_7B, 2.0), TypeError, "rank"),
        (lambda: lora_parameters(LLAMA2_7B, 8, "qv"), TypeError, "targets"),
        (lambda: lora_parameters(LLAMA2_7B, 8, ()), ValueError, "targets"),
        (lambda: lora_parameters(LLAMA2_7B, 8, ("q", "x")), ValueError, "targets"),
        (lambda: lora_parameters(LLAMA2_7B, 8, ("q", "q")), ValueError, "targets"),
        (lambda: finetune_memory(LLAMA2_7B, "adapter"), ValueError, "method"),
        (lambda: finetune_memory(None, "full"), TypeError, "config"),
        (lambda: cached_positions(MISTRAL_7B, -1), ValueError, "tokens"),
        (lambda: cached_positions(MISTRAL_7B, 10, rolling_window=1), TypeError, "rolling_window"),
        (lambda: serving_memory(LLAMA2_7B, batch=0, tokens=1), ValueError, "batch"),
        (lambda: serving_memory(LLAMA2_7B, batch=1, tokens=1.5), TypeError, "tokens"),
        (
            lambda: serving_memory(LLAMA2_7B, batch=1, tokens=1, kv_bytes_per_value=0),
            ValueError,
            "bytes_per_value",
        ),
        (lambda: fits(-1, 80), ValueError, "n_bytes"),
        (lambda: fits(1, 0), ValueError, "gpu_gib"),
        (lambda: fits(1, "80"), TypeError, "gpu_gib"),
        (lambda: max_batch(LLAMA2_7B, tokens=0, gpu_gib=80), ValueError, "tokens"),
        (lambda: max_batch(LLAMA2_7B, tokens=1, gpu_gib=-80), ValueError, "gpu_gib"),
        (lambda: fit_report(LLAMA2_7B, "int3"), ValueError, "precision"),
        (lambda: fit_report(LLAMA2_7B, gpus=80), TypeError, "gpus"),
        (lambda: fit_report(LLAMA2_7B, gpus=()), ValueError, "gpus"),
        (lambda: fit_report(LLAMA2_7B, gpus=(0,)), ValueError, "gpus"),
        (lambda: serving_report(LLAMA2_7B, batch=1, tokens=1, gpu_gib=0), ValueError, "gpu_gib"),
        (lambda: positions_processed(0, 1, cached=True), ValueError, "prompt_tokens"),
        (lambda: positions_processed(1, -1, cached=True), ValueError, "new_tokens"),
        (lambda: positions_processed(1, 1.0, cached=True), TypeError, "new_tokens"),
        (lambda: positions_processed(1, 1, cached="yes"), TypeError, "cached"),
        (lambda: attention_scores_bytes(0), ValueError, "tokens"),
        (lambda: attention_scores_bytes(8, heads=0), ValueError, "heads"),
        (lambda: attention_scores_bytes(8, batch=0), ValueError, "batch"),
        (lambda: attention_scores_bytes(8, bytes_per_value=0), ValueError, "bytes_per_value"),
        (lambda: attention_tile_bytes(block_q=0, block_k=1, head_dim=1), ValueError, "block_q"),
        (lambda: attention_tile_bytes(block_q=1, block_k=0, head_dim=1), ValueError, "block_k"),
        (lambda: attention_tile_bytes(block_q=1, block_k=1, head_dim=0), ValueError, "head_dim"),
        (
            lambda: attention_tile_bytes(block_q=1, block_k=1, head_dim=1, accumulator_bytes=0),
            ValueError,
            "accumulator_bytes",
        ),
    ],
)
def test_bad_inputs(call, error, name):
    with pytest.raises(error, match=name):
        call()
