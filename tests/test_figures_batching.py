"""Tests of llmhistory.concepts.figures.batching: the two panels' values and refused inputs."""

from __future__ import annotations

import pytest

from llmhistory.concepts.batching import CostModel, Request, paging_report, simulate
from llmhistory.concepts.figures.batching import plot_batching

FLAT = CostModel(step_s=1.0, prefill_token_s=0.0, decode_token_s=0.0)
REQS = [Request(0, 0.0, 4, 3), Request(1, 0.0, 4, 1), Request(2, 0.5, 4, 2)]


def runs():
    return [simulate(REQS, policy=p, max_batch=2, cost=FLAT) for p in ("static", "continuous")]


class TestPlotBatching:
    def test_bars_carry_the_percentiles_and_slots(self):
        static, continuous = runs()
        fig = plot_batching(
            [static, continuous], paging_report([1, 17], block_size=16, max_tokens=64)
        )
        left, right = fig.axes
        heights = [p.get_height() for p in left.patches]
        expected = [
            run.percentile(m, q)
            for run in (static, continuous)
            for m, q in (("ttft", 50), ("ttft", 95), ("latency", 50), ("latency", 95))
        ]
        assert heights == pytest.approx(expected)
        assert [t.get_text() for t in left.get_legend().get_texts()] == ["static", "continuous"]
        # right: tokens held (18) then empty slots (contiguous 110, paged 30), in thousands
        assert [p.get_height() for p in right.patches] == pytest.approx(
            [0.018, 0.018, 0.110, 0.030]
        )
        assert [t.get_text() for t in right.get_xticklabels()] == ["contiguous", "paged (16)"]
        assert (left.get_ylabel(), right.get_ylabel()) == ("seconds", "thousand token slots")

    def test_bad_inputs(self):
        report = paging_report([1], block_size=16, max_tokens=64)
        with pytest.raises(ValueError, match="runs must hold at least one"):
            plot_batching([], report)
        with pytest.raises(TypeError, match=r"runs\[0\] must be a ServingRun"):
            plot_batching(["static"], report)
        with pytest.raises(TypeError, match="paging must be a PagingReport"):
            plot_batching(runs(), {"tokens": 1})
