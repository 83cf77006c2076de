"""Tests of llmhistory.concepts.figures.moe: bar heights are shares, balance and capacity lines."""

from __future__ import annotations

import pytest

from llmhistory.concepts.figures.moe import plot_expert_load
from llmhistory.concepts.moe import simulate_routing


class TestPlotExpertLoad:
    def test_two_series_as_percent_with_lines(self):
        balanced = simulate_routing(tokens=4096, num_experts=8, k=2, seed=0).load
        skewed = simulate_routing(tokens=4096, num_experts=8, k=2, seed=0, skew=2.0).load
        fig = plot_expert_load({"balanced": balanced, "skewed": skewed}, capacity_factor=1.25)
        (ax,) = fig.axes
        assert len(ax.containers) == 2
        heights = [[bar.get_height() for bar in c] for c in ax.containers]
        assert heights[0] == pytest.approx((100 * balanced / balanced.sum()).tolist())
        assert heights[1] == pytest.approx((100 * skewed / skewed.sum()).tolist())
        assert sum(heights[1]) == pytest.approx(100)
        assert heights[1][0] > 20 > heights[1][-1]
        lines = ax.get_lines()
        assert [line.get_ydata()[0] for line in lines] == pytest.approx([12.5, 15.625])
        assert [t.get_text() for t in ax.get_legend().get_texts()] == [
            "perfect balance",
            "capacity (factor 1.25)",
            "balanced",
            "skewed",
        ]
        assert ax.get_xlabel() == "expert"
        assert ax.get_ylabel() == "share of assignments (%)"
        assert [t.get_text() for t in ax.get_xticklabels()] == [str(e) for e in range(8)]

    def test_single_expert_and_no_capacity(self):
        fig = plot_expert_load({"only": [7]}, title="One")
        ax = fig.axes[0]
        assert [p.get_height() for p in ax.patches] == [100.0]
        assert len(ax.get_lines()) == 1
        assert ax.get_title() == "One"


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"loads": [1, 2]}, TypeError, "loads"),
        ({"loads": {}}, ValueError, "loads"),
        ({"loads": {"a": [0, 0]}}, ValueError, "loads"),
        ({"loads": {"a": [-1, 2]}}, ValueError, "loads"),
        ({"loads": {"a": [1, 2], "b": [1, 2, 3]}}, ValueError, "loads"),
        ({"loads": {"": [1, 2]}}, ValueError, "loads key"),
        ({"capacity_factor": 0.5}, ValueError, "capacity_factor"),
        ({"capacity_factor": "1"}, TypeError, "capacity_factor"),
        ({"title": ""}, ValueError, "title"),
    ],
)
def test_bad_inputs(kwargs, error, name):
    arguments = {"loads": {"a": [1, 2]}, **kwargs}
    with pytest.raises(error, match=name):
        plot_expert_load(**arguments)
