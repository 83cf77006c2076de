"""Figures for chapter 14: pass@k curves, interval widths by benchmark size, a judge's votes."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from llmhistory._validate import (
    as_float_array,
    as_positive_float_array,
    check_float,
    check_mapping,
    check_str,
)
from llmhistory.concepts.evaluation_stats import paired_half_width
from llmhistory.concepts.figures import MARKERS, PALETTE, Figure, check_series, new_figure

__all__ = ["plot_judge_log_odds", "plot_margin_widths", "plot_pass_at_k"]

_STYLES = ("-", "--", ":", "-.")


def plot_pass_at_k(ks: object, curves: Mapping[str, object]) -> Figure:
    """Return pass@k against k, one line per named curve.

    Parameters
    ----------
    ks : array, shape (n,)
        Increasing attempt budgets (>= 1).
    curves : mapping of str to array, shape (n,)
        pass@k values in [0, 1], e.g. ``{"true": ..., "unbiased": ..., "plug-in": ...}``.

    Returns
    -------
    Figure

    Raises
    ------
    TypeError, ValueError
        If ``ks`` is not increasing and positive, or a curve has another length or leaves
        [0, 1].

    Examples
    --------
    >>> fig = plot_pass_at_k([1, 2, 4], {"true": [0.5, 0.6, 0.7]})
    >>> fig.axes[0].get_xlabel()
    'k (attempts allowed)'
    """
    k = as_positive_float_array("ks", ks, ndim=1)
    if k.size < 2 or (np.diff(k) <= 0).any():
        raise ValueError("ks must hold at least 2 increasing values")
    series = check_series("curves", curves, k.shape)
    for label, values in series.items():
        if (values < 0).any() or (values > 1).any():
            raise ValueError(f"curves[{label!r}] must lie in [0, 1]")
    fig, ax = new_figure(5.4, 3.2)
    for j, (label, values) in enumerate(series.items()):
        ax.plot(
            k,
            values,
            marker=MARKERS[j % len(MARKERS)],
            linestyle=_STYLES[j % len(_STYLES)],
            color=PALETTE[j % len(PALETTE)],
            label=label,
        )
    ax.set_xlabel("k (attempts allowed)")
    ax.set_ylabel("pass@k")
    ax.legend(frameon=False)
    return fig


def plot_margin_widths(
    disagreements: Mapping[str, float],
    benchmarks: Mapping[str, int],
    *,
    margin: float = 1.0,
    items: object = None,
) -> Figure:
    """Return the 95% half-width of a paired accuracy difference against benchmark size.

    One line per disagreement rate (:func:`~llmhistory.concepts.evaluation_stats.paired_half_width`,
    in percentage points, log-scaled size axis), a dotted line at ``margin`` points, and a
    labelled vertical mark at each benchmark's size. A margin below a line is within noise.

    Parameters
    ----------
    disagreements : mapping of str to float
        Label -> share of items where the two models differ, in (0, 1].
    benchmarks : mapping of str to int
        Label -> number of items (>= 1).
    margin : float, default 1.0
        The margin to compare with, in points (> 0).
    items : array, optional
        Sizes for the x-axis (default 50 to 20,000, log-spaced).

    Returns
    -------
    Figure

    Examples
    --------
    >>> fig = plot_margin_widths({"10%": 0.1}, {"MMLU": 14_079})
    >>> fig.axes[0].get_xscale()
    'log'
    """
    rates = {
        check_str("disagreements key", label): check_float(f"disagreements[{label!r}]", rate)
        for label, rate in check_mapping("disagreements", disagreements, "rate").items()
    }
    marks = {
        label: check_float(f"benchmarks[{label!r}]", size, minimum=1.0)
        for label, size in check_mapping("benchmarks", benchmarks, "size").items()
    }
    margin = check_float("margin", margin, minimum=0.0, strict_minimum=True)
    sizes = (
        np.geomspace(50, 20_000, 60)
        if items is None
        else as_positive_float_array("items", items, ndim=1)
    )
    fig, ax = new_figure(5.4, 3.4)
    for j, (label, rate) in enumerate(rates.items()):
        ax.plot(
            sizes,
            100 * paired_half_width(sizes, rate),
            linestyle=_STYLES[j % len(_STYLES)],
            color=PALETTE[j % len(PALETTE)],
            label=f"models disagree on {label}",
        )
    ax.axhline(margin, color="0.3", linestyle=":", linewidth=1.2)
    ax.text(sizes[0], margin * 1.08, f"a {margin:g}-point margin", fontsize=9, color="0.3")
    for label, size in marks.items():
        ax.axvline(size, color="0.6", linewidth=0.8)
        ax.text(
            size * 1.05,
            0.97,
            label,
            rotation=90,
            va="top",
            fontsize=9,
            transform=ax.get_xaxis_transform(),
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("Items in the benchmark")
    ax.set_ylabel("95% half-width (points)")
    ax.legend(frameon=False, loc="lower left")
    return fig


def plot_judge_log_odds(right_first: object, right_second: object) -> Figure:
    """Return a scatter of a judge's log-odds for Reply A, with the right reply first vs second.

    Each point is one pair: x is ``log P(A) - log P(B)`` with the right reply as A, y the same
    with the right reply as B. A judge that reads only positions puts every point on the
    diagonal ``y = x``; points below it favour the right reply once the two orders are
    averaged, and points right of 0 *and* below 0 pick it in both orders.

    Parameters
    ----------
    right_first, right_second : array, shape (pairs,)
        Finite log-odds, same length >= 1.

    Returns
    -------
    Figure

    Examples
    --------
    >>> fig = plot_judge_log_odds([4.0, 5.0], [3.5, 4.4])
    >>> len(fig.axes[0].collections)
    1
    """
    x = as_float_array("right_first", right_first, ndim=1)
    y = as_float_array("right_second", right_second, ndim=1)
    if x.shape != y.shape:
        raise ValueError(f"right_first has {x.size} pairs but right_second has {y.size}")
    fig, ax = new_figure(4.6, 4.0)
    ax.scatter(x, y, s=14, color=PALETTE[0], alpha=0.7, marker="o")
    low = min(0.0, float(x.min()), float(y.min())) - 0.5
    high = max(0.0, float(x.max()), float(y.max())) + 0.5
    ax.plot(
        [low, high],
        [low, high],
        color="0.5",
        linestyle="--",
        linewidth=1,
        label="reads positions only (y = x)",
    )
    ax.axhline(0, color="0.3", linewidth=0.8)
    ax.axvline(0, color="0.3", linewidth=0.8)
    ax.set_xlim(low, high)
    ax.set_ylim(low, high)
    ax.set_xlabel("log-odds for Reply A, right reply first")
    ax.set_ylabel("log-odds for Reply A, right reply second")
    ax.legend(frameon=False, loc="upper left")
    return fig
