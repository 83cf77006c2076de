"""Figures for Mixture-of-Experts routing: how the routed work is spread over experts.

The loads come from :mod:`llmhistory.concepts.moe` (``simulate_routing``, ``expert_load``); the
function
here draws each expert's share of the assignments as grouped bars.

>>> fig = plot_expert_load({"balanced": [5, 5, 5, 5], "skewed": [11, 5, 3, 1]})
>>> fig.axes[0].get_ylabel()
'share of assignments (%)'
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure

from llmhistory._validate import as_float_array, check_float, check_mapping, check_str
from llmhistory.concepts.figures import PALETTE, grouped_bars, new_figure

__all__ = ["plot_expert_load"]


def _check_loads(loads: object) -> dict[str, np.ndarray]:
    checked: dict[str, np.ndarray] = {}
    for label, values in check_mapping("loads", loads, "series").items():
        array = as_float_array(f"loads[{label!r}]", values, ndim=1)
        if (array < 0).any() or array.sum() <= 0:
            raise ValueError(f"loads[{label!r}] must be >= 0 with a positive total")
        if checked and array.size != next(iter(checked.values())).size:
            raise ValueError(
                f"loads[{label!r}] has {array.size} experts; every series must have the same "
                "number of experts"
            )
        checked[label] = array
    return checked


def plot_expert_load(
    loads: Mapping[str, object],
    *,
    capacity_factor: float | None = None,
    title: str = "Share of token assignments per expert",
) -> Figure:
    """Return a Figure of grouped bars: each expert's share (%) of the assignments per series.

    A dashed line marks perfect balance (``100 / num_experts`` %); with ``capacity_factor``
    a dotted line marks the capacity of Switch-style routing, ``capacity_factor`` times the
    balanced share: assignments above it would be dropped (Fedus et al. 2022).

    Parameters
    ----------
    loads : mapping of str to array_like, each shape (num_experts,)
        Series label -> assignments per expert (counts, >= 0, positive total), e.g.
        ``simulate_routing(...).load``. All series have the same number of experts.
    capacity_factor : float, optional
        Expert capacity relative to a balanced load, ``>= 1``.
    title : str
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure
        One Axes: one bar container per series (heights are percentages), a balance line, an
        optional capacity line, and a legend naming them.

    Raises
    ------
    TypeError
        If ``loads`` is not a mapping or holds non-numeric values.
    ValueError
        If there is no series, a series is negative, all zero or of a different length, or
        ``capacity_factor < 1``.

    Examples
    --------
    >>> fig = plot_expert_load({"toy": [3, 1]}, capacity_factor=1.25)
    >>> [round(float(p.get_height()), 1) for p in fig.axes[0].patches]
    [75.0, 25.0]
    """
    series = _check_loads(loads)
    title = check_str("title", title)
    if capacity_factor is not None:
        capacity_factor = check_float("capacity_factor", capacity_factor, minimum=1.0)
    num_experts = next(iter(series.values())).size
    fig, ax = new_figure(max(4.8, 0.4 * num_experts * len(series) + 2.0), 3.6)
    x = np.arange(num_experts)
    grouped_bars(ax, {label: 100.0 * values / values.sum() for label, values in series.items()})
    balanced = 100.0 / num_experts
    ax.axhline(balanced, color="#333333", linestyle="--", linewidth=1.2, label="perfect balance")
    if capacity_factor is not None:
        ax.axhline(
            capacity_factor * balanced,
            color=PALETTE[3],
            linestyle=":",
            linewidth=1.8,
            label=f"capacity (factor {capacity_factor:g})",
        )
    ax.set_xticks(x, [str(e) for e in x])
    ax.set_xlabel("expert")
    ax.set_ylabel("share of assignments (%)")
    ax.set_title(title)
    ax.legend(frameon=False, fontsize=9)
    return fig
