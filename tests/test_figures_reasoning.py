"""Tests of llmhistory.concepts.figures.reasoning: both panels, their data, budget and break-even
lines."""

from __future__ import annotations

import numpy as np
import pytest

from llmhistory.concepts.figures.reasoning import plot_reasoning_tradeoffs
from llmhistory.concepts.reasoning import (
    ILLUSTRATIVE_EFFORTS,
    break_even_error_cost,
    estimate_request,
    expected_cost,
    latency_curve,
)

TOKENS = np.linspace(0, 8000, 9)
COSTS = np.logspace(-2, 2, 9)
ESTIMATES = [estimate_request(s) for s in ILLUSTRATIVE_EFFORTS]


def _figure(**kwargs):
    latency = {f"{s:g} tok/s": latency_curve(TOKENS, tokens_per_second=s) for s in (50, 100, 200)}
    expected = {
        e.name: [expected_cost(e.cost_usd, e.accuracy, c) for c in COSTS] for e in ESTIMATES
    }
    low, medium, high = ESTIMATES
    arguments = {
        "error_costs": COSTS,
        "expected": expected,
        "points": {e.name: (e.reasoning_tokens, e.latency_s) for e in ESTIMATES},
        "break_evens": {
            "low -> medium": break_even_error_cost(low, medium),
            "medium -> high": break_even_error_cost(medium, high),
            "never": float("inf"),
        },
        "latency_budget": 30.0,
        **kwargs,
    }
    return plot_reasoning_tradeoffs(TOKENS, latency, **arguments), latency, expected


class TestPlotReasoningTradeoffs:
    def test_labels_scales_and_title(self):
        fig, _, _ = _figure()
        ax_lat, ax_cost = fig.axes
        assert ax_lat.get_xlabel() == "reasoning tokens per request"
        assert ax_lat.get_ylabel() == "latency to the last answer token (s)"
        assert ax_cost.get_ylabel() == "expected cost per case (USD)"
        assert ax_cost.get_xscale() == ax_cost.get_yscale() == "log"
        assert fig._suptitle.get_text().startswith("What extra reasoning tokens cost")

    def test_latency_panel_data(self):
        fig, latency, _ = _figure()
        ax_lat = fig.axes[0]
        lines = {line.get_label(): line for line in ax_lat.get_lines()}
        np.testing.assert_allclose(lines["100 tok/s"].get_ydata(), latency["100 tok/s"])
        assert lines["100 tok/s"].get_ydata()[-1] == pytest.approx(0.5 + 8150 / 100)
        assert lines["high"].get_xdata()[0] == 6000
        assert lines["high"].get_ydata()[0] == pytest.approx(62.0)
        assert list(lines["latency budget 30 s"].get_ydata()) == [30.0, 30.0]
        assert len(ax_lat.get_lines()) == 3 + 1 + 3

    def test_cost_panel_data_and_break_evens(self):
        fig, _, expected = _figure()
        ax_cost = fig.axes[1]
        curves = {
            line.get_label(): line for line in ax_cost.get_lines() if line.get_label()[0] != "_"
        }
        assert list(curves) == ["low", "medium", "high"]
        np.testing.assert_allclose(curves["high"].get_ydata(), expected["high"])
        verticals = [line for line in ax_cost.get_lines() if line.get_label().startswith("_")]
        assert sorted(round(line.get_xdata()[0], 2) for line in verticals) == [0.08, 0.6]
        assert any("$0.60" in t.get_text() for t in ax_cost.texts)

    def test_minimal(self):
        fig = plot_reasoning_tradeoffs([0, 1], {"a": [1, 2]}, error_costs=[1], expected={"b": [1]})
        assert [len(ax.get_lines()) for ax in fig.axes] == [1, 1]


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"reasoning_tokens": [-1, 2]}, ValueError, "reasoning_tokens"),
        ({"latency": [1, 2]}, TypeError, "latency"),
        ({"latency": {}}, ValueError, "latency"),
        ({"latency": {"a": [1, 2, 3]}}, ValueError, "shape"),
        ({"latency": {"a": [1, -2]}}, ValueError, "latency"),
        ({"error_costs": [0.0]}, ValueError, "error_costs"),
        ({"expected": {"b": [0.0]}}, ValueError, "expected"),
        ({"points": [1]}, TypeError, "points"),
        ({"points": {"p": 3}}, TypeError, "points"),
        ({"points": {"p": (1, -1)}}, ValueError, "seconds"),
        ({"break_evens": 3}, TypeError, "break_evens"),
        ({"break_evens": {"x": "y"}}, TypeError, "break_evens"),
        ({"latency_budget": 0}, ValueError, "latency_budget"),
        ({"title": ""}, ValueError, "title"),
    ],
)
def test_bad_inputs(kwargs, error, name):
    arguments = {
        "reasoning_tokens": [0, 1],
        "latency": {"a": [1, 2]},
        "error_costs": [1.0],
        "expected": {"b": [1.0]},
        **kwargs,
    }
    with pytest.raises(error, match=name):
        plot_reasoning_tradeoffs(**arguments)
