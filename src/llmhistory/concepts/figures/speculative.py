"""Figures for speculative decoding: tokens per target pass and speed-up against ``k``.

The values come from measurements (:func:`llmhistory.tiny.speculative.measure_speedup`) and
from :func:`llmhistory.concepts.speculative.expected_tokens_per_round`; this module only draws.

>>> fig = plot_speculative([1, 2, 4], [1.8, 2.4, 3.1], [1.1, 1.3, 1.2], expected=[1.8, 2.5, 3.2])
>>> [ax.get_xlabel() for ax in fig.axes]
['guesses per round k', 'guesses per round k']
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from llmhistory._validate import as_float_array, as_int_array
from llmhistory.concepts.figures import MARKERS, PALETTE, new_figure

__all__ = ["plot_speculative"]


def plot_speculative(
    ks: object, tokens_per_round: object, speedup: object, *, expected: object = None
) -> Figure:
    """Return a Figure: tokens per target pass (left) and wall-time speed-up (right) against k.

    Parameters
    ----------
    ks : array_like of int, shape (n,)
        Guesses per round, ``>= 1``, increasing.
    tokens_per_round : array_like, shape (n,)
        Measured tokens emitted per target pass (``>= 1``).
    speedup : array_like, shape (n,)
        Measured speed-up over plain decoding (``> 0``); a dashed line marks 1.
    expected : array_like, shape (n,), optional
        Tokens per pass the formula predicts, drawn as a dotted line on the left.

    Returns
    -------
    matplotlib.figure.Figure
        Two Axes.

    Raises
    ------
    TypeError, ValueError
        If an array has the wrong kind, length or range (the message names it).
    """
    k = as_int_array("ks", ks, ndim=1)
    if k.size == 0 or k.min() < 1 or (np.diff(k) <= 0).any():
        raise ValueError("ks must hold increasing integers >= 1")
    series = {"tokens_per_round": tokens_per_round, "speedup": speedup}
    if expected is not None:
        series["expected"] = expected
    checked = {}
    for name, value in series.items():
        array = as_float_array(name, value, ndim=1)
        if array.shape != k.shape:
            raise ValueError(f"{name} must have {k.size} values like ks, got {array.size}")
        if (array <= 0).any():
            raise ValueError(f"{name} must hold values > 0")
        checked[name] = array
    fig, (left, right) = new_figure(7.2, 3.2, ncols=2)
    left.plot(k, checked["tokens_per_round"], marker=MARKERS[0], color=PALETTE[0], label="measured")
    if "expected" in checked:
        left.plot(
            k, checked["expected"], linestyle=":", color=PALETTE[7], label="formula, measured α"
        )
    left.set_ylabel("tokens per target pass")
    left.set_title("Tokens per target pass")
    left.legend(fontsize=9)
    right.plot(k, checked["speedup"], marker=MARKERS[1], color=PALETTE[1])
    right.axhline(1.0, color=PALETTE[7], linestyle="--", linewidth=1)
    right.set_ylabel("speed-up over plain decoding")
    right.set_title("Speed-up on this machine")
    for ax in (left, right):
        ax.set_xlabel("guesses per round k")
        ax.set_xticks(k)
    return fig
