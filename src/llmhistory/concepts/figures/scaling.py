"""Figures for scaling laws: the compute-optimal frontier and iso-FLOP loss curves.

The values come from :mod:`llmhistory.concepts.scaling` (``compute_optimal_frontier``,
``parametric_loss``, ``training_flops``); the functions here only lay them out on log axes.

>>> import numpy as np
>>> from llmhistory.concepts.scaling import compute_optimal_frontier
>>> flops = np.logspace(20, 24, 5)
>>> fig = plot_compute_optimal_frontier(flops, {"20 tokens/parameter":
...     compute_optimal_frontier(flops)})
>>> [ax.get_ylabel() for ax in fig.axes]
['parameters N', 'training tokens D']
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure

from llmhistory._validate import (
    as_float_array,
    as_positive_float_array,
    check_mapping,
    check_str,
)
from llmhistory.concepts.figures import MARKERS, PALETTE, check_series, new_figure

__all__ = ["plot_compute_optimal_frontier", "plot_isoflop_curves"]


def _check_curve(name: str, values: object, length: int) -> np.ndarray:
    array = as_positive_float_array(name, values, ndim=1)
    if array.shape != (length,):
        raise ValueError(f"{name} has shape {array.shape}, expected ({length},)")
    return array


def plot_compute_optimal_frontier(
    flops: object,
    frontiers: Mapping[str, tuple[object, object]],
    runs: Mapping[str, tuple[float, float, float]] | None = None,
    *,
    title: str = "Compute-optimal model size and data versus training compute",
) -> Figure:
    """Return a two-panel log-log Figure: optimal parameters and tokens against training FLOPs.

    Parameters
    ----------
    flops : array_like, shape (m,)
        Training budgets ``C`` in FLOPs (> 0), the x values of every frontier.
    frontiers : mapping of str to (array_like, array_like), each shape (m,)
        Rule label -> ``(parameters, tokens)`` at each budget, as counts; one line per rule
        in each panel.
    runs : mapping of str to (float, float, float), optional
        Published run label -> ``(flops, parameters, tokens)`` (counts, > 0); one marker per
        run in each panel.
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Two Axes (parameters, tokens); each has one line per frontier and one marker line per
        run, and the figure has one legend naming all of them.

    Raises
    ------
    TypeError
        If ``frontiers`` or ``runs`` is not a mapping, or a value is not numeric.
    ValueError
        If a value is not finite and > 0, a frontier's length differs from ``flops``, or a run
        does not hold exactly three numbers.

    Examples
    --------
    >>> fig = plot_compute_optimal_frontier([1e21, 1e23],
    ...     {"rule": ([2e9, 2e10], [4e10, 4e11])}, {"run": (3e23, 1.75e11, 3e11)})
    >>> [line.get_label() for line in fig.axes[0].get_lines()]
    ['rule', 'run']
    """
    budgets = as_positive_float_array("flops", flops, ndim=1)
    frontiers = check_mapping("frontiers", frontiers, "(parameters, tokens) pair")
    runs = check_mapping("runs", {} if runs is None else runs, "run", allow_empty=True)
    title = check_str("title", title)
    curves = {}
    for label, pair in frontiers.items():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"frontiers[{label!r}] must be a (parameters, tokens) pair")
        curves[label] = (
            _check_curve(f"frontiers[{label!r}] parameters", pair[0], budgets.size),
            _check_curve(f"frontiers[{label!r}] tokens", pair[1], budgets.size),
        )
    points = {}
    for label, values in runs.items():
        point = as_positive_float_array(f"runs[{label!r}]", values, ndim=1)
        if point.shape != (3,):
            raise ValueError(f"runs[{label!r}] must hold (flops, parameters, tokens), got {values}")
        points[label] = point
    fig, (ax_n, ax_d) = new_figure(9.0, 4.6, ncols=2)
    for k, (label, (parameters, tokens)) in enumerate(curves.items()):
        style = {"color": PALETTE[k % 2], "linestyle": ("-", "--")[k % 2], "label": label}
        ax_n.plot(budgets, parameters, **style)
        ax_d.plot(budgets, tokens, **style)
    for k, (label, (c, n, d)) in enumerate(points.items()):
        style = {
            "marker": MARKERS[k % len(MARKERS)],
            "color": PALETTE[2 + k % (len(PALETTE) - 2)],
            "linestyle": "none",
            "markersize": 7,
            "markeredgecolor": "black",
            "markeredgewidth": 0.5,
            "label": label,
        }
        ax_n.plot([c], [n], **style)
        ax_d.plot([c], [d], **style)
    for ax, ylabel, heading in (
        (ax_n, "parameters N", "Model size"),
        (ax_d, "training tokens D", "Training data"),
    ):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("training compute C (FLOPs)")
        ax.set_ylabel(ylabel)
        ax.set_title(heading)
    fig.legend(
        handles=ax_n.get_lines(),
        loc="outside lower center",
        ncols=min(2, len(curves) + len(points)),  # two columns: fits a phone-width figure
        frameon=False,
        fontsize=9,
    )
    fig.suptitle(title)
    return fig


def plot_isoflop_curves(
    parameters: object,
    losses: Mapping[str, object],
    optima: Mapping[str, tuple[float, float]] | None = None,
    *,
    title: str = "Loss along fixed compute budgets",
    ylabel: str = "predicted loss (nats per token)",
) -> Figure:
    """Return a Figure of loss against model size, one curve per compute budget.

    Along a fixed budget ``C = 6 N D`` a larger model sees fewer tokens, so each curve is a
    valley; ``optima`` marks the bottoms (or any other points of interest).

    Parameters
    ----------
    parameters : array_like, shape (m,)
        Model sizes ``N`` as counts (> 0), the x values of every curve.
    losses : mapping of str to array_like, shape (m,)
        Budget label -> predicted loss at each size (finite).
    optima : mapping of str to (array_like, array_like), optional
        Marker label -> ``(parameters, loss)``, scalars or 1-D arrays of one length (e.g. one
        point per budget); one marker series each.
    title : str
        Figure title.
    ylabel : str
        Y-axis label with its unit.

    Returns
    -------
    matplotlib.figure.Figure
        One Axes with a log x axis, one line per budget and one marker line per optimum.

    Raises
    ------
    TypeError
        If ``losses`` or ``optima`` is not a mapping, or a value is not numeric.
    ValueError
        If ``parameters`` has a value that is not finite and > 0, a curve's length differs
        from it, or an optimum is not a pair of equal-length finite values with parameters > 0.

    Examples
    --------
    >>> fig = plot_isoflop_curves([1e9, 1e10, 1e11], {"1e21 FLOPs": [2.6, 2.4, 2.7]},
    ...                           {"minimum": (1e10, 2.4)})
    >>> [line.get_label() for line in fig.axes[0].get_lines()]
    ['1e21 FLOPs', 'minimum']
    """
    sizes = as_positive_float_array("parameters", parameters, ndim=1)
    losses = check_series("losses", losses, sizes.shape, item="curve")
    optima = check_mapping("optima", {} if optima is None else optima, "optimum", allow_empty=True)
    title = check_str("title", title)
    ylabel = check_str("ylabel", ylabel)
    fig, ax = new_figure(6.4, 4.0)
    for label, curve in losses.items():
        ax.plot(sizes, curve, label=label)
    for k, (label, values) in enumerate(optima.items()):
        if not isinstance(values, (tuple, list)) or len(values) != 2:
            raise ValueError(f"optima[{label!r}] must be a (parameters, loss) pair")
        n = as_positive_float_array(f"optima[{label!r}] parameters", np.atleast_1d(values[0]))
        loss = as_float_array(f"optima[{label!r}] loss", np.atleast_1d(values[1]))
        if n.shape != loss.shape or n.ndim != 1:
            raise ValueError(
                f"optima[{label!r}] parameters and loss must be 1-D of one length, "
                f"got shapes {n.shape} and {loss.shape}"
            )
        ax.plot(
            n,
            loss,
            marker=MARKERS[k % len(MARKERS)],
            color="black",
            linestyle="none",
            markersize=6,
            markerfacecolor="white" if k else "black",
            label=label,
        )
    ax.set_xscale("log")
    ax.set_xlabel("parameters N (log scale)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(frameon=False, fontsize=9)
    return fig
