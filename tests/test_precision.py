"""Tests of llmhistory.concepts.precision: weights per precision, GiB, which GPU holds them."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmhistory.concepts.models import count_parameters, get_config
from llmhistory.concepts.precision import (
    GIB,
    PRECISIONS,
    MemoryEstimate,
    bytes_per_parameter,
    fit_report,
    fits,
    weight_bytes,
)

LLAMA2_7B = get_config("llama-2-7b")

parameters = st.integers(min_value=0, max_value=10**12)


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
        (lambda: fits(-1, 80), ValueError, "n_bytes"),
        (lambda: fits(1, 0), ValueError, "gpu_gib"),
        (lambda: fits(1, "80"), TypeError, "gpu_gib"),
        (lambda: fit_report(LLAMA2_7B, "int3"), ValueError, "precision"),
        (lambda: fit_report(LLAMA2_7B, gpus=80), TypeError, "gpus"),
        (lambda: fit_report(LLAMA2_7B, gpus=()), ValueError, "gpus"),
        (lambda: fit_report(LLAMA2_7B, gpus=(0,)), ValueError, "gpus"),
    ],
)
def test_bad_inputs(call, error, name):
    with pytest.raises(error, match=name):
        call()
