"""Tests of llmhistory.concepts.figures.long_context."""

from __future__ import annotations

import numpy as np
import pytest

from llmhistory.concepts.figures.long_context import plot_position_accuracy
from llmhistory.concepts.long_context import lost_in_the_middle


def test_plots_the_paper_curve_and_closed_book_line():
    c = lost_in_the_middle()
    fig = plot_position_accuracy(c.positions, {c.model: c.accuracy}, closed_book={c.model: 56.1})
    ax = fig.axes[0]
    assert len(ax.lines) == 2
    curve, baseline = ax.lines
    assert curve.get_xdata().tolist() == [1, 5, 10, 15, 20]
    assert curve.get_ydata().tolist() == [75.8, 57.2, 53.8, 55.4, 63.2]
    assert np.allclose(baseline.get_ydata(), 56.1)
    assert baseline.get_linestyle() == "--"
    assert ax.get_xlabel() == "Position of the answer-bearing document (1 = first)"
    assert ax.get_ylabel() == "Accuracy (%)"
    assert ax.get_title()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["GPT-3.5-Turbo", "GPT-3.5-Turbo, closed-book (no documents)"]
    assert [int(t) for t in ax.get_xticks()] == [1, 5, 10, 15, 20]


def test_several_models_without_baselines():
    fig = plot_position_accuracy([1, 2], {"a": [50, 60], "b": [40, 45]}, title="T")
    assert len(fig.axes[0].lines) == 2
    assert fig.axes[0].get_title() == "T"


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "name"),
    [
        (([], {"a": []}), {}, ValueError, "positions"),
        (([2, 1], {"a": [1, 2]}), {}, ValueError, "positions"),
        (([0, 1], {"a": [1, 2]}), {}, ValueError, "positions"),
        (([1, 2], [[1, 2]]), {}, TypeError, "accuracy"),
        (([1, 2], {}), {}, ValueError, "accuracy"),
        (([1, 2], {"a": [1, 2, 3]}), {}, ValueError, "accuracy"),
        (([1, 2], {"a": [1, 120]}), {}, ValueError, "accuracy"),
        (([1, 2], {"a": [1, 2]}), {"closed_book": {"b": 3}}, ValueError, "closed_book"),
        (([1, 2], {"a": [1, 2]}), {"closed_book": [3]}, TypeError, "closed_book"),
        (([1, 2], {"a": [1, 2]}), {"closed_book": {"a": 300}}, ValueError, "closed_book"),
        (([1, 2], {"a": [1, 2]}), {"title": ""}, ValueError, "title"),
    ],
)
def test_bad_inputs(args, kwargs, error, name):
    with pytest.raises(error, match=name):
        plot_position_accuracy(*args, **kwargs)
