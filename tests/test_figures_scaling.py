"""Tests of llmhistory.concepts.figures.scaling: axes, lines, plotted values and refused inputs."""

from __future__ import annotations

import numpy as np
import pytest

from llmhistory.concepts.figures.scaling import plot_compute_optimal_frontier, plot_isoflop_curves
from llmhistory.concepts.scaling import compute_optimal_frontier, parametric_loss, training_flops

FLOPS = np.logspace(20, 25, 11)
GPT3 = (training_flops(parameters=175e9, tokens=300e9), 175e9, 300e9)
CHINCHILLA = (training_flops(parameters=70e9, tokens=1.4e12), 70e9, 1.4e12)


def _frontiers():
    return {
        "20 tokens per parameter": compute_optimal_frontier(FLOPS),
        "parametric fit": compute_optimal_frontier(FLOPS, "parametric"),
    }


class TestComputeOptimalFrontier:
    def test_panels_labels_and_scales(self):
        fig = plot_compute_optimal_frontier(FLOPS, _frontiers(), {"GPT-3": GPT3})
        ax_n, ax_d = fig.axes
        assert ax_n.get_ylabel() == "parameters N"
        assert ax_d.get_ylabel() == "training tokens D"
        for ax in (ax_n, ax_d):
            assert ax.get_xlabel() == "training compute C (FLOPs)"
            assert ax.get_xscale() == ax.get_yscale() == "log"
        assert fig._suptitle.get_text().startswith("Compute-optimal")

    def test_lines_hold_the_frontier_and_the_runs(self):
        frontiers = _frontiers()
        fig = plot_compute_optimal_frontier(
            FLOPS, frontiers, {"GPT-3": GPT3, "Chinchilla": CHINCHILLA}
        )
        ax_n, ax_d = fig.axes
        labels = [line.get_label() for line in ax_n.get_lines()]
        assert labels == ["20 tokens per parameter", "parametric fit", "GPT-3", "Chinchilla"]
        rule_n, rule_d = frontiers["20 tokens per parameter"]
        assert np.allclose(ax_n.get_lines()[0].get_xdata(), FLOPS)
        assert np.allclose(ax_n.get_lines()[0].get_ydata(), rule_n)
        assert np.allclose(ax_d.get_lines()[0].get_ydata(), rule_d)
        assert np.allclose(ax_d.get_lines()[0].get_ydata() / rule_n, 20.0)
        gpt3_n, gpt3_d = ax_n.get_lines()[2], ax_d.get_lines()[2]
        assert gpt3_n.get_xdata()[0] == pytest.approx(3.15e23)
        assert gpt3_n.get_ydata()[0] == 175e9
        assert gpt3_d.get_ydata()[0] == 300e9
        assert gpt3_n.get_marker() != ax_n.get_lines()[3].get_marker()
        legend = [t.get_text() for t in fig.legends[0].get_texts()]
        assert legend == labels

    def test_without_runs(self):
        fig = plot_compute_optimal_frontier(FLOPS, _frontiers())
        assert len(fig.axes[0].get_lines()) == 2
        assert len(fig.axes[1].get_lines()) == 2


class TestIsoflopCurves:
    def test_one_line_per_budget_and_optimum_markers(self):
        n = np.logspace(9, 12, 31)
        losses = {f"{c:.0e} FLOPs": parametric_loss(n, c / (6 * n)) for c in (1e22, 1e23)}
        fig = plot_isoflop_curves(n, losses, {"optimum": ([2e10, 5e10], [2.1, 2.0])})
        (ax,) = fig.axes
        lines = ax.get_lines()
        assert [line.get_label() for line in lines] == ["1e+22 FLOPs", "1e+23 FLOPs", "optimum"]
        assert np.allclose(lines[1].get_ydata(), losses["1e+23 FLOPs"])
        assert lines[2].get_linestyle() == "None"
        assert lines[2].get_ydata().tolist() == [2.1, 2.0]
        assert ax.get_xscale() == "log"
        assert ax.get_xlabel() == "parameters N (log scale)"
        assert ax.get_ylabel() == "predicted loss (nats per token)"
        assert ax.get_title() == "Loss along fixed compute budgets"
        assert [t.get_text() for t in ax.get_legend().get_texts()][-1] == "optimum"

    def test_scalar_optimum_and_no_optima(self):
        fig = plot_isoflop_curves([1e9, 1e10], {"a": [2.0, 1.9]}, {"best": (1e10, 1.9)})
        assert fig.axes[0].get_lines()[1].get_xdata().tolist() == [1e10]
        fig = plot_isoflop_curves([1e9, 1e10], {"a": [2.0, 1.9]}, title="T", ylabel="loss (nats)")
        assert len(fig.axes[0].get_lines()) == 1
        assert fig.axes[0].get_title() == "T"


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"flops": [0.0, 1e21]}, ValueError, "flops"),
        ({"frontiers": [(1, 2)]}, TypeError, "frontiers"),
        ({"frontiers": {}}, ValueError, "frontiers"),
        ({"frontiers": {"r": ([1e9, 2e9],)}}, ValueError, "frontiers"),
        ({"frontiers": {"r": ([1e9], [2e10])}}, ValueError, "frontiers"),
        ({"frontiers": {"r": ([1e9, -1.0], [2e10, 3e10])}}, ValueError, "frontiers"),
        ({"frontiers": {"": ([1e9, 2e9], [2e10, 4e10])}}, ValueError, "frontiers key"),
        ({"runs": {"x": (1e23, 1e9)}}, ValueError, "runs"),
        ({"runs": {"x": (1e23, 0.0, 1e9)}}, ValueError, "runs"),
        ({"runs": {"x": ("a", "b", "c")}}, TypeError, "runs"),
        ({"title": ""}, ValueError, "title"),
    ],
)
def test_frontier_bad_inputs(kwargs, error, name):
    arguments = {
        "flops": [1e21, 1e22],
        "frontiers": {"r": ([1e9, 2e9], [2e10, 4e10])},
        **kwargs,
    }
    with pytest.raises(error, match=name):
        plot_compute_optimal_frontier(**arguments)


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"parameters": [1e9, 0.0]}, ValueError, "parameters"),
        ({"losses": [2.0, 1.9]}, TypeError, "losses"),
        ({"losses": {}}, ValueError, "losses"),
        ({"losses": {"a": [2.0]}}, ValueError, "losses"),
        ({"losses": {"a": [2.0, np.nan]}}, ValueError, "losses"),
        ({"optima": {"o": (1e9,)}}, ValueError, "optima"),
        ({"optima": {"o": (0.0, 2.0)}}, ValueError, "optima"),
        ({"optima": {"o": ([1e9, 2e9], [2.0])}}, ValueError, "optima"),
        ({"ylabel": ""}, ValueError, "ylabel"),
    ],
)
def test_isoflop_bad_inputs(kwargs, error, name):
    arguments = {"parameters": [1e9, 1e10], "losses": {"a": [2.0, 1.9]}, **kwargs}
    with pytest.raises(error, match=name):
        plot_isoflop_curves(**arguments)
