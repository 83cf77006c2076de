"""Tests of llmhistory.concepts.figures.scorecard."""

from __future__ import annotations

import numpy as np
import pytest

from llmhistory.concepts.figures.scorecard import plot_score_vs_latency_penalty
from llmhistory.concepts.scorecard import (
    SUPPORT_CANDIDATES,
    Scenario,
    break_even_latency_penalty,
    score,
)

FAST, DEEP, _ = SUPPORT_CANDIDATES


def test_lines_flip_point_and_marks():
    penalties = np.linspace(0.0, 0.01, 11)
    scores = {c.name: [score(c, Scenario("s", p, 4.0)) for p in penalties] for c in (FAST, DEEP)}
    flip = break_even_latency_penalty(FAST, DEEP, 4.0)
    fig = plot_score_vs_latency_penalty(
        penalties,
        scores,
        refused={"local": [87.0] * 11},
        break_even=flip,
        marks={"nightly audit": 0.003},
        cost_penalty=4.0,
    )
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.lines]
    assert labels == [
        "hosted-fast",
        "hosted-deep",
        "local (license refused: cannot win)",
        "winner flips at 0.0042",
        "nightly audit",
    ]
    assert ax.lines[0].get_ydata()[0] == pytest.approx(84.0)
    assert ax.lines[1].get_ydata()[0] == pytest.approx(88.0)
    assert ax.lines[3].get_xdata()[0] == pytest.approx(flip)
    assert ax.get_xlabel() == "Latency penalty (points per ms of p95 latency)"
    assert ax.get_ylabel() == "Score (points)"
    assert ax.get_title() == "Score against latency penalty (cost penalty 4)"
    assert len(ax.get_legend().get_texts()) == 5


def test_minimal_call():
    fig = plot_score_vs_latency_penalty([0, 1], {"a": [1, 2]})
    assert len(fig.axes[0].lines) == 1
    assert fig.axes[0].get_title() == "Score against latency penalty"


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "name"),
    [
        (([0.0], {"a": [1]}), {}, ValueError, "latency_penalties"),
        (([1.0, 0.0], {"a": [1, 2]}), {}, ValueError, "latency_penalties"),
        (([-1.0, 0.0], {"a": [1, 2]}), {}, ValueError, "latency_penalties"),
        (([0, 1], [1, 2]), {}, TypeError, "scores"),
        (([0, 1], {}), {}, ValueError, "scores"),
        (([0, 1], {"a": [1]}), {}, ValueError, "scores"),
        (([0, 1], {"a": [1, 2]}), {"refused": [1]}, TypeError, "refused"),
        (([0, 1], {"a": [1, 2]}), {"refused": {"b": [1]}}, ValueError, "refused"),
        (([0, 1], {"a": [1, 2]}), {"marks": 3}, TypeError, "marks"),
        (([0, 1], {"a": [1, 2]}), {"marks": {"m": -1}}, ValueError, "marks"),
        (([0, 1], {"a": [1, 2]}), {"break_even": -0.1}, ValueError, "break_even"),
        (([0, 1], {"a": [1, 2]}), {"cost_penalty": -1}, ValueError, "cost_penalty"),
    ],
)
def test_bad_inputs(args, kwargs, error, name):
    with pytest.raises(error, match=name):
        plot_score_vs_latency_penalty(*args, **kwargs)
