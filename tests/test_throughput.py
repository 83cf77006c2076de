"""Tests of llmhistory.tiny.throughput: what is timed, never how fast (timings vary)."""

from __future__ import annotations

import pytest

from llmhistory.tiny import load_tiny
from llmhistory.tiny.model import TinyDecoder, tiny_config
from llmhistory.tiny.throughput import PhaseTiming, measure_phases, measure_phases_one_thread

SMALL = TinyDecoder.random(
    tiny_config(vocab_size=30, d_model=8, layers=1, heads=2, kv_heads=1, d_ff=16, context=16)
)


class TestMeasurePhases:
    def test_counts_and_positive_times(self):
        timing = measure_phases(SMALL, [1, 2, 3], new_tokens=5, repeats=2)
        assert (timing.prefill_tokens, timing.decode_tokens) == (3, 5)
        assert timing.prefill_seconds > 0 and timing.decode_seconds > 0
        assert timing.ratio == pytest.approx(
            timing.prefill_tokens_per_s / timing.decode_tokens_per_s
        )

    def test_ratio_arithmetic(self):
        timing = PhaseTiming(100, 0.1, 10, 0.1)
        assert (timing.prefill_tokens_per_s, timing.decode_tokens_per_s) == (1000.0, 100.0)
        assert timing.ratio == 10.0

    def test_prompt_and_new_tokens_must_fit(self):
        with pytest.raises(ValueError, match="context=16"):
            measure_phases(SMALL, list(range(1, 13)), new_tokens=5)
        measure_phases(SMALL, list(range(1, 12)), new_tokens=5, repeats=1)  # exactly fits

    def test_bad_inputs(self):
        with pytest.raises(TypeError, match="model"):
            measure_phases("tiny", [1])
        with pytest.raises(ValueError, match="new_tokens"):
            measure_phases(SMALL, [1], new_tokens=0)
        with pytest.raises(ValueError, match="repeats"):
            measure_phases(SMALL, [1], repeats=0)
        with pytest.raises(ValueError, match="token_ids"):
            measure_phases(SMALL, [99])


class TestOneThread:
    def test_subprocess_reports_the_shipped_model(self):
        _, tokenizer = load_tiny()
        prompt = "Customer: Hi"
        timing = measure_phases_one_thread(prompt, new_tokens=2, repeats=1)
        assert timing.prefill_tokens == len(tokenizer.encode(prompt, add_bos=True))
        assert timing.decode_tokens == 2

    def test_bad_prompt(self):
        with pytest.raises(ValueError, match="prompt"):
            measure_phases_one_thread("  ")
