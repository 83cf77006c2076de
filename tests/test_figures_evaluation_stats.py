"""Tests of llmhistory.concepts.figures.evaluation_stats."""

from __future__ import annotations

import numpy as np
import pytest

from llmhistory.concepts.evaluation_stats import paired_half_width
from llmhistory.concepts.figures.evaluation_stats import (
    plot_judge_log_odds,
    plot_margin_widths,
    plot_pass_at_k,
)


def test_pass_at_k_draws_one_line_per_curve():
    fig = plot_pass_at_k([1, 2, 5], {"true": [0.5, 0.6, 0.7], "plug-in": [0.5, 0.58, 0.66]})
    (ax,) = fig.axes
    assert len(ax.lines) == 2
    assert np.allclose(ax.lines[1].get_ydata(), [0.5, 0.58, 0.66])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["true", "plug-in"]


def test_margin_widths_are_the_paired_half_widths_in_points():
    sizes = [100, 1000, 10_000]
    fig = plot_margin_widths({"10%": 0.1, "30%": 0.3}, {"HumanEval": 164}, items=sizes)
    (ax,) = fig.axes
    curves = [line for line in ax.lines if len(line.get_xdata()) == 3]
    assert np.allclose(curves[0].get_ydata(), 100 * paired_half_width(sizes, 0.1))
    assert np.allclose(curves[1].get_ydata(), 100 * paired_half_width(sizes, 0.3))
    assert any(t.get_text() == "HumanEval" for t in ax.texts)
    assert ax.get_xscale() == "log"


def test_judge_scatter_has_a_point_per_pair():
    fig = plot_judge_log_odds([4.0, 5.0, 4.5], [3.5, 4.4, 4.0])
    (ax,) = fig.axes
    assert ax.collections[0].get_offsets().shape == (3, 2)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: plot_pass_at_k([2, 1], {"a": [0.1, 0.2]}),
            ValueError,
            "ks must hold at least 2 increasing",
        ),
        (
            lambda: plot_pass_at_k([1, 2], {"a": [0.1, 1.2]}),
            ValueError,
            r"curves\['a'\] must lie in \[0, 1\]",
        ),
        (lambda: plot_pass_at_k([1, 2], {"a": [0.1]}), ValueError, r"curves\['a'\] has shape"),
        (
            lambda: plot_margin_widths({"x": 0.1}, {"b": 0}),
            ValueError,
            r"benchmarks\['b'\] must be >= 1",
        ),
        (
            lambda: plot_margin_widths({"x": 0.1}, {"b": 10}, margin=0),
            ValueError,
            "margin must be > 0",
        ),
        (lambda: plot_judge_log_odds([1.0], [1.0, 2.0]), ValueError, "right_first has 1 pairs"),
        (
            lambda: plot_judge_log_odds([np.nan], [1.0]),
            ValueError,
            "right_first must not contain NaN",
        ),
    ],
)
def test_bad_inputs(call, error, match):
    with pytest.raises(error, match=match):
        call()
