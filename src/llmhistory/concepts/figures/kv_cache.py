"""Figures for the KV cache: cache size against context length, with a memory budget.

The sizes come from :mod:`llmhistory.concepts.kv_cache` (``serving_memory``); the function here
only draws them on a log-scaled context axis.

>>> fig = plot_cache_vs_context([1024, 2048], {"model": [0.5, 1.0]}, budget_gib=60)
>>> fig.axes[0].get_xlabel()
'context (tokens per sequence)'
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure

from llmhistory._validate import as_positive_float_array, check_str
from llmhistory.concepts.figures import MARKERS, PALETTE, check_series, new_figure

__all__ = ["plot_cache_vs_context"]


def _check_sizes(cache_gib: object, length: int) -> dict[str, np.ndarray]:
    checked = check_series("cache_gib", cache_gib, (length,), why=" like tokens")
    for label, array in checked.items():
        if (array < 0).any():
            raise ValueError(f"cache_gib[{label!r}] must hold sizes >= 0")
    return checked


def _check_budgets(budget_gib: object, labels: list[str]) -> dict[str, float]:
    if budget_gib is None:
        return {}
    if isinstance(budget_gib, Mapping):
        budgets = {}
        for label, value in budget_gib.items():
            if label not in labels:
                raise ValueError(
                    f"budget_gib key {label!r} must be one of the cache_gib labels: "
                    f"{', '.join(labels)}"
                )
            budgets[label] = float(as_positive_float_array(f"budget_gib[{label!r}]", [value])[0])
        return budgets
    return {"": float(as_positive_float_array("budget_gib", [budget_gib])[0])}


def plot_cache_vs_context(
    tokens: object,
    cache_gib: Mapping[str, object],
    *,
    budget_gib: float | Mapping[str, float] | None = None,
    title: str = "KV-cache size against context length",
    ylabel: str = "KV cache (GiB)",
) -> Figure:
    """Return a Figure: one line per model of cache GiB against context, with budget lines.

    Parameters
    ----------
    tokens : array_like, shape (m,)
        Context lengths in tokens (> 0), drawn on a log2 axis.
    cache_gib : mapping of str to array_like, each shape (m,)
        Series label (a model) -> KV-cache size in GiB at each context (>= 0).
    budget_gib : float or mapping of str to float, optional
        Memory left for the cache, in GiB (> 0): one dashed line for all series, or one per
        series (keyed by series label, drawn in the series' colour).
    title : str
        Axes title.
    ylabel : str
        Y-axis label with its unit, e.g. ``"weights + KV cache (GiB)"`` when the series
        include the weights.

    Returns
    -------
    matplotlib.figure.Figure
        One Axes: one line per series, then one dashed line per budget; a legend naming all.

    Raises
    ------
    TypeError
        If ``cache_gib`` is not a mapping or a value is not numeric.
    ValueError
        If ``tokens`` is empty or not positive, a series has the wrong length or a negative
        size, a budget is not ``> 0``, or a budget key is not a series label.

    Examples
    --------
    >>> fig = plot_cache_vs_context([1024, 4096], {"a": [1, 4], "b": [0.25, 1]},
    ...                             budget_gib={"a": 60.0})
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['a', 'b', 'budget for a: 60.0 GiB']
    """
    x = as_positive_float_array("tokens", tokens, ndim=1)
    series = _check_sizes(cache_gib, x.size)
    budgets = _check_budgets(budget_gib, list(series))
    title = check_str("title", title)
    ylabel = check_str("ylabel", ylabel)
    fig, ax = new_figure(6.4, 3.8)
    colors = {label: PALETTE[i % len(PALETTE)] for i, label in enumerate(series)}
    for i, (label, values) in enumerate(series.items()):
        ax.plot(x, values, marker=MARKERS[i % len(MARKERS)], color=colors[label], label=label)
    for label, gib in budgets.items():
        name = f"budget for {label}: {gib:.1f} GiB" if label else f"budget: {gib:g} GiB"
        ax.axhline(gib, color=colors.get(label, "#555555"), linestyle="--", label=name)
    ax.set_xscale("log", base=2)
    ax.set_xticks(x, [f"{int(t):,}" if t == int(t) else f"{t:g}" for t in x])
    ax.tick_params(axis="x", labelrotation=30)
    ax.set_xlabel("context (tokens per sequence)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(frameon=False, fontsize=9)
    return fig
