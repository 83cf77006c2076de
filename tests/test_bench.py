"""Tests of llmhistory.tiny.bench beyond the cache figures (tests/test_generation.py): the
transformers comparison, the interleaved timing, the matrix-product peak and the report."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

import llmhistory.tiny.bench as bench
from llmhistory.concepts.roofline import pass_cost
from llmhistory.tiny import load_tiny
from llmhistory.tiny.bench import (
    NO_REFERENCE,
    BenchResult,
    ReferenceResult,
    format_benchmark,
    interleaved_best,
    reference_model,
    run_benchmark,
    sgemm_gflops,
)
from llmhistory.tiny.model import TinyDecoder, tiny_config

HAS_TRANSFORMERS = importlib.util.find_spec("transformers") is not None


@pytest.fixture(scope="module")
def shipped():
    return load_tiny()


def result(reference: ReferenceResult | None = None) -> BenchResult:
    return BenchResult(
        new_tokens=256,
        prompt_tokens=12,
        cached_tokens_per_s=3000.0,
        uncached_tokens_per_s=200.0,
        full_forward_ms=5.0,
        cache_shape=(3, 2, 1, 2, 256, 24),
        cache_nbytes=294912,
        formula_nbytes=294912,
        forward_flops=219_000_000,
        sgemm_gflops=90.0,
        repeats=50,
        generate_repeats=5,
        threads="1",
        reference=reference,
    )


class TestReport:
    def test_with_the_reference_prints_both_columns_and_their_ratios(self):
        ref = ReferenceResult(6.5, 500.0, 2.3e-5, True, "transformers 5, torch 2", 1.2, 5.5)
        text = format_benchmark(result(ref))
        forward = next(line for line in text.splitlines() if line.startswith("full forward"))
        assert forward.split()[-3:] == ["5.00", "6.50", "1.30x"]
        generate = next(line for line in text.splitlines() if line.startswith("cached generate"))
        assert generate.split()[-3:] == ["3000", "500", "6.00x"]
        assert "max |diff| 2.3e-05" in text and "same greedy tokens: True" in text
        assert "forward 1.20x, cached generate 5.50x" in text

    def test_without_the_reference_says_so(self):
        text = format_benchmark(result())
        assert NO_REFERENCE in text and "pip install" in text

    def test_cache_only_lists_the_cache_figures_and_nothing_of_the_reference(self):
        text = format_benchmark(result(), cache_only=True)
        lines = text.splitlines()
        assert len(lines) == 5 and lines[2] == "speedup with the cache:          15.0x"
        assert "transformers" not in text and "sgemm" not in text and NO_REFERENCE not in text
        assert "match=True" in lines[-1]
        with pytest.raises(TypeError, match="cache_only"):
            format_benchmark(result(), cache_only="yes")

    def test_flops_share_of_the_peak(self):
        r = result()
        assert r.forward_gflops == pytest.approx(219e6 / 5e-3 / 1e9)
        assert r.peak_share == pytest.approx(r.forward_gflops / 90.0)
        assert "49% of the measured sgemm peak (90.0 GFLOP/s" in format_benchmark(r)


class TestTiming:
    def test_interleaved_best_takes_each_runs_minimum_in_turn(self):
        calls = []
        best = interleaved_best([lambda: calls.append("a"), lambda: calls.append("b")], 3)
        assert calls == ["a", "b"] * 3
        assert best.shape == (2, 2) and (best >= 0).all() and np.isfinite(best).all()

    def test_interleaved_best_needs_a_repeat(self):
        with pytest.raises(ValueError, match="repeats"):
            interleaved_best([lambda: None], 0)

    def test_sgemm_peak_is_positive_and_checked(self):
        assert sgemm_gflops(size=32, repeats=2) > 0
        with pytest.raises(ValueError, match="size"):
            sgemm_gflops(size=0)


class TestRun:
    def test_forward_flops_are_the_roofline_count(self, shipped):
        r = run_benchmark(*shipped, new_tokens=5, repeats=1, reference=False, sgemm_sizes=[32])
        assert r.forward_flops == pass_cost(shipped[0].config, 5).flops
        assert r.reference is None and r.sgemm_gflops > 0 and r.full_forward_ms > 0

    def test_missing_torch_or_transformers_gives_the_note(self, shipped, monkeypatch):
        monkeypatch.setattr(bench, "_reference_modules", lambda: None)
        r = run_benchmark(*shipped, new_tokens=3, repeats=1, sgemm_sizes=[32])
        assert r.reference is None and NO_REFERENCE in format_benchmark(r)
        with pytest.raises(ImportError, match="transformers"):
            reference_model(shipped[0])

    def test_reference_refuses_a_mixture_of_experts(self):
        c = tiny_config(
            vocab_size=20,
            d_model=8,
            layers=1,
            heads=2,
            kv_heads=1,
            d_ff=8,
            context=8,
            num_experts=2,
        )
        with pytest.raises(ValueError, match="mixture of experts"):
            reference_model(TinyDecoder.random(c))

    @pytest.mark.torch
    @pytest.mark.skipif(not HAS_TRANSFORMERS, reason="transformers is not installed")
    def test_reference_holds_the_same_weights_and_agrees(self, shipped):
        import torch

        model, tokenizer = shipped
        ids = tokenizer.encode("Customer: Where is my order?\nAgent:", add_bos=True)
        with torch.inference_mode():
            expected = reference_model(model)(torch.tensor([ids])).logits[0].numpy()
        assert np.abs(model.logits(ids) - expected).max() <= 1e-4

    @pytest.mark.torch
    @pytest.mark.skipif(not HAS_TRANSFORMERS, reason="transformers is not installed")
    def test_comparison_runs_and_generates_the_same_tokens(self, shipped):
        r = run_benchmark(*shipped, new_tokens=4, repeats=1, sgemm_sizes=[32])
        assert r.reference is not None and r.reference.same_tokens
        assert r.reference.max_abs_logit_diff <= 1e-4
        assert r.reference.forward_ms > 0 and r.reference.cached_tokens_per_s > 0
        assert "transformers" in r.reference.versions
