"""Tests of llmhistory.concepts.roofline: datasheet numbers, pass costs, invariants, bad inputs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmhistory.concepts.kv_cache import kv_cache_bytes_per_token
from llmhistory.concepts.models import ModelConfig, count_parameters, get_config
from llmhistory.concepts.roofline import (
    H100_SXM,
    Accelerator,
    PassCost,
    attainable_flops,
    matmul_intensity,
    matmul_parameters,
    pass_cost,
    pass_seconds,
    roofline_rows,
)

TOY = ModelConfig(
    name="toy", d_model=16, layers=2, heads=4, kv_heads=2, d_ff=32, vocab_size=50, context=64
)
LLAMA3 = get_config("llama-3-8b")


def explicit_flops(c: ModelConfig, tokens: int, context: int) -> int:
    """FLOPs summed matrix by matrix for one sequence: an independent count."""
    hd = c.head_dim
    shapes = [
        (c.d_model, c.heads * hd),  # q
        (c.d_model, c.kv_heads * hd),  # k
        (c.d_model, c.kv_heads * hd),  # v
        (c.heads * hd, c.d_model),  # o
        (c.d_model, c.d_ff),  # gate
        (c.d_model, c.d_ff),  # up
        (c.d_ff, c.d_model),  # down
    ]
    per_layer = sum(2 * tokens * k * n for k, n in shapes)
    attention = 0
    for i in range(tokens):  # query i sees context + i + 1 keys
        keys = context + i + 1
        attention += c.heads * (2 * hd * keys + 2 * keys * hd)  # q.k and weights @ v
    head = 2 * tokens * c.d_model * c.vocab_size
    return c.layers * (per_layer + attention) + head


class TestAccelerator:
    def test_h100_datasheet_numbers(self):
        assert H100_SXM.peak_flops == pytest.approx(989.5e12)
        assert H100_SXM.bandwidth == 3.35e12
        assert H100_SXM.ridge == pytest.approx(295.4, abs=0.1)

    def test_bad_values(self):
        with pytest.raises(ValueError, match="peak_flops"):
            Accelerator("x", peak_flops=0.0, bandwidth=1.0)
        with pytest.raises(TypeError, match="bandwidth"):
            Accelerator("x", peak_flops=1.0, bandwidth="fast")


class TestAttainable:
    def test_both_sides_of_the_ridge(self):
        chip = Accelerator("toy", peak_flops=100.0, bandwidth=10.0)
        assert attainable_flops([0.5, 10.0, 1e6], chip).tolist() == [5.0, 100.0, 100.0]

    @given(st.floats(min_value=1e-3, max_value=1e6))
    def test_never_above_either_roof(self, intensity):
        value = float(attainable_flops(intensity, H100_SXM))
        assert value <= H100_SXM.peak_flops
        assert value <= intensity * H100_SXM.bandwidth * (1 + 1e-12)

    def test_bad_inputs(self):
        with pytest.raises(ValueError, match="intensity"):
            attainable_flops([1.0, 0.0], H100_SXM)
        with pytest.raises(TypeError, match="accelerator"):
            attainable_flops(1.0, "H100")


class TestMatmulIntensity:
    def test_known_values(self):
        assert matmul_intensity(1, 4096, 4096) == pytest.approx(
            2 * 4096**2 / ((2 * 4096 + 4096**2) * 2)
        )
        assert matmul_intensity(2, 2, 2, bytes_per_value=1) == pytest.approx(16 / 12)

    @given(st.integers(1, 512), st.integers(1, 512), st.integers(1, 512))
    def test_grows_with_rows(self, m, k, n):
        assert matmul_intensity(m + 1, k, n) >= matmul_intensity(m, k, n)

    def test_bad_inputs(self):
        with pytest.raises(ValueError, match="m must"):
            matmul_intensity(0, 1, 1)
        with pytest.raises(TypeError, match="k must"):
            matmul_intensity(1, 1.5, 1)


class TestPassCost:
    @pytest.mark.parametrize(("tokens", "context"), [(1, 0), (1, 17), (9, 0), (5, 11)])
    def test_flops_equal_an_explicit_count(self, tokens, context):
        assert pass_cost(TOY, tokens, context=context).flops == explicit_flops(TOY, tokens, context)

    def test_batch_multiplies_flops_and_cache_not_weights(self):
        one, eight = pass_cost(TOY, 3, context=4), pass_cost(TOY, 3, context=4, batch=8)
        assert eight.flops == 8 * one.flops
        assert eight.kv_bytes == 8 * one.kv_bytes
        assert eight.weight_bytes == one.weight_bytes
        assert eight.tokens == 24

    def test_llama3_decode_reads_its_weights(self):
        stored, per_token = matmul_parameters(LLAMA3)
        assert stored == per_token
        step = pass_cost(LLAMA3, tokens=1, context=1000)
        assert step.weight_bytes == 2 * stored
        assert step.kv_bytes == kv_cache_bytes_per_token(LLAMA3) * 1001
        assert 0.9 < step.intensity < 1.1  # about one FLOP per byte at batch 1

    def test_moe_reads_all_experts_but_computes_active_ones(self):
        mixtral = get_config("mixtral-8x7b")
        stored, per_token = matmul_parameters(mixtral)
        count = count_parameters(mixtral)
        assert stored - per_token == count.total - count.active
        assert pass_cost(mixtral, 1).weight_bytes == 2 * stored

    def test_kv_bytes_per_value(self):
        half = pass_cost(LLAMA3, 1, context=100, kv_bytes_per_value=1)
        assert 2 * half.kv_bytes == pass_cost(LLAMA3, 1, context=100).kv_bytes

    @given(st.integers(1, 256), st.integers(1, 64))
    def test_prefill_is_more_intense_than_decode(self, tokens, batch):
        prefill = pass_cost(TOY, tokens + 1, batch=batch)
        decode = pass_cost(TOY, 1, context=tokens, batch=batch)
        assert prefill.intensity > decode.intensity

    def test_bad_inputs(self):
        with pytest.raises(TypeError, match="config"):
            pass_cost("llama", 1)
        with pytest.raises(ValueError, match="tokens must"):
            pass_cost(TOY, 0)
        with pytest.raises(ValueError, match="context must"):
            pass_cost(TOY, 1, context=-1)
        with pytest.raises(ValueError, match="kv_bytes_per_value"):
            pass_cost(TOY, 1, kv_bytes_per_value=0)


class TestPassSeconds:
    def test_memory_bound_decode_on_h100(self):
        step = pass_cost(LLAMA3, 1, context=0)
        assert pass_seconds(step, H100_SXM) == pytest.approx(step.bytes / 3.35e12)

    def test_compute_bound_prefill_on_h100(self):
        prefill = pass_cost(LLAMA3, 4096)
        assert prefill.intensity > H100_SXM.ridge
        assert pass_seconds(prefill, H100_SXM) == pytest.approx(prefill.flops / H100_SXM.peak_flops)

    def test_bad_input(self):
        with pytest.raises(TypeError, match="cost"):
            pass_seconds(1.0, H100_SXM)
        assert isinstance(pass_cost(TOY, 1), PassCost)


class TestRooflineRows:
    def test_decode_is_memory_bound_and_prefill_compute_bound_on_h100(self):
        rows = roofline_rows(
            {"prefill": pass_cost(LLAMA3, 2048), "decode": pass_cost(LLAMA3, 1, context=2048)},
            H100_SXM,
        )
        assert [r[0] for r in rows] == ["prefill", "decode"]
        assert [r[-1] for r in rows] == ["compute", "memory"]
        assert rows[1][5] == pytest.approx(pass_cost(LLAMA3, 1, context=2048).bytes / 3.35e9)

    def test_bad_inputs(self):
        with pytest.raises(TypeError, match="costs\\['a'\\]"):
            roofline_rows({"a": 1.0}, H100_SXM)
        with pytest.raises(TypeError, match="accelerator"):
            roofline_rows({"a": pass_cost(TOY, 1)}, None)
