"""Figures for preference learning: the Bradley-Terry probability and the pairwise loss."""

from __future__ import annotations

import math
from collections.abc import Sequence

from llmhistory._validate import as_float_array
from llmhistory.concepts.figures import PALETTE, Figure, new_figure

__all__ = ["plot_bradley_terry"]


def plot_bradley_terry(
    margins: Sequence[float], probability: Sequence[float], loss: Sequence[float]
) -> Figure:
    """Return two panels against the reward margin: P(chosen beats rejected), and the loss.

    The margin is ``r_chosen - r_rejected``. The left panel marks P = 0.5 (a tie), the right
    one the loss at a tie, ``log 2`` nats.

    Parameters
    ----------
    margins : array, shape (n,)
        Reward margins in reward-model units, increasing, n >= 2.
    probability : array, shape (n,)
        Bradley-Terry probabilities in [0, 1] at each margin.
    loss : array, shape (n,)
        Pairwise losses in nats (>= 0) at each margin.

    Returns
    -------
    Figure
        Two axes: probability (left) and loss (right).

    Raises
    ------
    TypeError
        If an argument is not numeric.
    ValueError
        If the arrays differ in length, have fewer than 2 points, ``margins`` is not
        increasing, a probability is outside [0, 1] or a loss is negative.

    Examples
    --------
    >>> fig = plot_bradley_terry([-1.0, 0.0, 1.0], [0.27, 0.5, 0.73], [1.31, 0.69, 0.31])
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['P(chosen beats rejected)', 'Pairwise loss (nats)']
    """
    xs = as_float_array("margins", margins, ndim=1)
    ps = as_float_array("probability", probability, ndim=1)
    ls = as_float_array("loss", loss, ndim=1)
    if xs.size < 2:
        raise ValueError(f"margins must hold at least 2 points, got {xs.size}")
    for name, values in (("probability", ps), ("loss", ls)):
        if values.shape != xs.shape:
            raise ValueError(
                f"{name} must have one value per margin: {values.size} values for {xs.size} margins"
            )
    if (xs[1:] <= xs[:-1]).any():
        raise ValueError("margins must be strictly increasing")
    if (ps < 0).any() or (ps > 1).any():
        raise ValueError("probability must lie in [0, 1]")
    if (ls < 0).any():
        raise ValueError("loss must be >= 0")

    fig, (left, right) = new_figure(7.2, 3.2, ncols=2)
    xlabel = "Reward margin $r_c - r_r$ (reward units)"
    left.plot(xs, ps, color=PALETTE[0], label=r"$\sigma(r_c - r_r)$")
    left.axhline(0.5, color=PALETTE[7], linestyle=":", linewidth=1, label="tie (0.5)")
    left.set_ylim(-0.02, 1.02)
    left.set_xlabel(xlabel)
    left.set_ylabel("P(chosen beats rejected)")
    left.set_title("Bradley-Terry probability")
    left.legend(fontsize=8, loc="upper left")
    right.plot(xs, ls, color=PALETTE[3], label=r"$-\log \sigma(r_c - r_r)$")
    right.axhline(math.log(2), color=PALETTE[7], linestyle=":", linewidth=1, label="tie (log 2)")
    right.set_xlabel(xlabel)
    right.set_ylabel("Pairwise loss (nats)")
    right.set_title("Reward-model loss")
    right.legend(fontsize=8, loc="upper right")
    return fig
