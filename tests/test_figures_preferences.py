"""Tests of llmhistory.concepts.figures.preferences."""

from __future__ import annotations

import math

import numpy as np
import pytest

from llmhistory.concepts.figures.preferences import plot_bradley_terry
from llmhistory.concepts.preferences import bradley_terry_probability, pairwise_loss


def test_two_panels_with_the_computed_curves():
    margins = np.linspace(-4, 4, 9)
    p = bradley_terry_probability(margins, 0.0)
    loss = pairwise_loss(margins, 0.0, reduction="none")
    fig = plot_bradley_terry(margins, p, loss)
    left, right = fig.axes
    assert left.lines[0].get_ydata()[4] == 0.5
    assert right.lines[0].get_ydata()[4] == pytest.approx(math.log(2))
    assert np.allclose(right.lines[1].get_ydata(), math.log(2))
    assert left.get_xlabel().startswith("Reward margin")
    assert "(reward units)" in right.get_xlabel()
    assert left.get_ylabel() == "P(chosen beats rejected)"
    assert right.get_ylabel() == "Pairwise loss (nats)"
    assert left.get_title() and right.get_title()
    assert len(left.get_legend().get_texts()) == 2
    assert len(right.get_legend().get_texts()) == 2


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (([0.0], [0.5], [0.7]), "margins"),
        (([0.0, 1.0], [0.5], [0.7, 0.3]), "probability"),
        (([0.0, 1.0], [0.5, 0.7], [0.7]), "loss"),
        (([1.0, 0.0], [0.5, 0.7], [0.7, 0.3]), "margins"),
        (([0.0, 1.0], [0.5, 1.7], [0.7, 0.3]), "probability"),
        (([0.0, 1.0], [0.5, 0.7], [0.7, -0.3]), "loss"),
    ],
)
def test_bad_inputs(args, name):
    with pytest.raises(ValueError, match=name):
        plot_bradley_terry(*args)
