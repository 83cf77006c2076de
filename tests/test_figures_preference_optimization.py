"""Tests of llmhistory.concepts.figures.preference_optimization."""

from __future__ import annotations

import numpy as np
import pytest

from llmhistory.concepts.figures.preference_optimization import (
    plot_beta_tradeoff,
    plot_policy_path,
)
from llmhistory.concepts.preference_optimization import train_dpo

REF = np.log([0.2, 0.3, 0.4, 0.1])


def test_policy_path_draws_every_answer_and_the_kl():
    run = train_dpo(REF, [0, 0], [1, 2], beta=0.5, steps=10)
    fig = plot_policy_path(run.probabilities, ["a", "b", "c", "d"], run.kl, title="DPO")
    left, right = fig.axes
    assert len(left.lines) == 4
    assert np.allclose(left.lines[0].get_ydata(), run.probabilities[:, 0])
    assert np.allclose(right.lines[0].get_ydata(), run.kl)
    assert left.get_title() == "DPO"
    assert [t.get_text() for t in left.get_legend().get_texts()] == ["a", "b", "c", "d"]
    assert right.get_ylabel() == "KL to reference (nats)"


def test_beta_tradeoff_draws_line_dots_and_labels():
    fig = plot_beta_tradeoff([0.5, 1.0], [0.4, 0.1], [1.5, 1.0], [0.41, 0.1], [1.5, 1.0])
    (ax,) = fig.axes
    assert len(ax.lines) == 2
    assert np.allclose(ax.lines[1].get_xdata(), [0.41, 0.1])
    assert [t.get_text() for t in ax.texts] == ["β=0.5", "β=1"]
    assert ax.get_ylabel() == "Expected reward (reward units)"


@pytest.mark.parametrize(
    ("call", "error", "name"),
    [
        (lambda: plot_policy_path([[1.0, 0.0]], ["a", "b"], [0.0]), ValueError, "at least 2"),
        (lambda: plot_policy_path([[1, 0], [1, 0]], ["a"], [0, 0]), ValueError, "labels"),
        (lambda: plot_policy_path([[1, 0], [1, 0]], ["a", "b"], [0]), ValueError, "kl"),
        (
            lambda: plot_policy_path([[1, 1], [1, 0]], ["a", "b"], [0, 0]),
            ValueError,
            "probabilities",
        ),
        (lambda: plot_policy_path([[1, 0], [1, 0]], ["a", "b"], [0, -1]), ValueError, "kl"),
        (lambda: plot_policy_path([[1, 0], [1, 0]], ["a", 2], [0, 0]), TypeError, "labels"),
        (lambda: plot_beta_tradeoff([1.0], [0.1], [1.0], [0.1], [1.0]), ValueError, "betas"),
        (lambda: plot_beta_tradeoff([0, 1], [0, 0], [1, 1], [0, 0], [1, 1]), ValueError, "betas"),
        (
            lambda: plot_beta_tradeoff([1, 2], [0, 0], [1], [0, 0], [1, 1]),
            ValueError,
            "reward_closed",
        ),
        (
            lambda: plot_beta_tradeoff([1, 2], [0, -1], [1, 1], [0, 0], [1, 1]),
            ValueError,
            "kl_closed",
        ),
    ],
)
def test_bad_inputs(call, error, name):
    with pytest.raises(error, match=name):
        call()
