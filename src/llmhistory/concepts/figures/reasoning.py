"""Figures for inference-time compute: latency against reasoning tokens, and the break-even.

The values come from :mod:`llmhistory.concepts.reasoning` (``latency_curve``, ``estimate_request``,
``expected_cost``, ``break_even_error_cost``); the function here only lays them out.

>>> import numpy as np
>>> tokens = np.array([0.0, 1000.0])
>>> fig = plot_reasoning_tradeoffs(tokens, {"100 tok/s": [1.0, 11.0]},
...     error_costs=[0.1, 10.0], expected={"low": [0.02, 1.4]})
>>> [ax.get_xlabel() for ax in fig.axes]
['reasoning tokens per request', 'cost of one wrong answer (USD)']
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure

from llmhistory._validate import as_float_array, as_positive_float_array, check_float, check_str
from llmhistory.concepts.figures import MARKERS, PALETTE, check_series, new_figure

__all__ = ["plot_reasoning_tradeoffs"]

_STYLES = ("-", "--", "-.", ":")


def _check_series(name: str, value: object, length: int, *, positive: bool) -> dict:
    convert = as_positive_float_array if positive else as_float_array
    checked = check_series(name, value, (length,), convert=convert)
    for label, array in checked.items():
        if (array < 0).any():
            raise ValueError(f"{name}[{label!r}] must hold values >= 0")
    return checked


def plot_reasoning_tradeoffs(
    reasoning_tokens: object,
    latency: Mapping[str, object],
    *,
    error_costs: object,
    expected: Mapping[str, object],
    points: Mapping[str, tuple[float, float]] | None = None,
    break_evens: Mapping[str, float] | None = None,
    latency_budget: float | None = None,
    title: str = "What extra reasoning tokens cost in time and money",
) -> Figure:
    """Return a two-panel Figure: latency vs reasoning tokens, expected cost vs error cost.

    Parameters
    ----------
    reasoning_tokens : array_like, shape (m,)
        x values of the left panel (tokens, ``>= 0``).
    latency : mapping of str to array_like, each shape (m,)
        Series label (e.g. a decode speed) -> latency in seconds; one line each.
    error_costs : array_like, shape (k,)
        x values of the right panel: dollars per wrong answer (``> 0``, log axis).
    expected : mapping of str to array_like, each shape (k,)
        Setting label -> expected dollars per case at each error cost (``> 0``, log axis).
    points : mapping of str to (float, float), optional
        Setting label -> ``(reasoning tokens, latency s)``, marked on the left panel.
    break_evens : mapping of str to float, optional
        Label -> error cost in dollars; a vertical dotted line each on the right panel
        (infinite or non-positive values are skipped).
    latency_budget : float, optional
        Seconds; a horizontal dashed line on the left panel.
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        Two Axes: left has one line per ``latency`` series (plus the budget line), one marker
        per point; right has one line per ``expected`` series on log-log axes.

    Raises
    ------
    TypeError
        If a mapping or value has the wrong type.
    ValueError
        If a series is empty, has the wrong length or holds negative (or, on the log panel,
        non-positive) values.

    Examples
    --------
    >>> fig = plot_reasoning_tradeoffs([0, 100], {"fast": [1, 2], "slow": [1, 4]},
    ...     error_costs=[1, 10], expected={"low": [0.2, 2.0], "high": [0.1, 0.6]},
    ...     points={"low": (50, 1.5)}, latency_budget=3.0)
    >>> [len(ax.get_lines()) for ax in fig.axes]
    [4, 2]
    """
    tokens = as_float_array("reasoning_tokens", reasoning_tokens, ndim=1)
    if (tokens < 0).any():
        raise ValueError("reasoning_tokens must hold values >= 0")
    lat = _check_series("latency", latency, tokens.size, positive=False)
    costs = as_positive_float_array("error_costs", error_costs, ndim=1)
    exp = _check_series("expected", expected, costs.size, positive=True)
    title = check_str("title", title)
    fig, (ax_lat, ax_cost) = new_figure(10.0, 4.0, ncols=2)

    for j, (label, values) in enumerate(lat.items()):
        ax_lat.plot(
            tokens,
            values,
            color=PALETTE[j % len(PALETTE)],
            linestyle=_STYLES[j % len(_STYLES)],
            label=label,
        )
    if latency_budget is not None:
        budget = check_float("latency_budget", latency_budget, minimum=0.0, strict_minimum=True)
        ax_lat.axhline(
            budget,
            color="#555555",
            linestyle="--",
            linewidth=1,
            label=f"latency budget {budget:g} s",
        )
    if points is not None:
        if not isinstance(points, Mapping):
            raise TypeError(
                f"points must be a mapping of label to (tokens, seconds), got {points!r}"
            )
        for j, (label, point) in enumerate(points.items()):
            label = check_str("points key", label)
            if not isinstance(point, (tuple, list)) or len(point) != 2:
                raise TypeError(
                    f"points[{label!r}] must be a pair (tokens, seconds), got {point!r}"
                )
            px = check_float(f"points[{label!r}] tokens", point[0], minimum=0.0)
            py = check_float(f"points[{label!r}] seconds", point[1], minimum=0.0)
            ax_lat.plot(
                [px],
                [py],
                linestyle="none",
                marker=MARKERS[j % len(MARKERS)],
                markersize=7,
                color="#000000",
                label=label,
            )
            ax_lat.annotate(
                label, (px, py), textcoords="offset points", xytext=(6, -12), fontsize=8
            )
    ax_lat.set_xlabel("reasoning tokens per request")
    ax_lat.set_ylabel("latency to the last answer token (s)")
    ax_lat.set_title("Latency grows linearly with reasoning tokens")
    ax_lat.set_xlim(left=0)
    ax_lat.set_ylim(bottom=0)
    ax_lat.legend(frameon=False, fontsize=8)

    for j, (label, values) in enumerate(exp.items()):
        ax_cost.plot(
            costs,
            values,
            color=PALETTE[j % len(PALETTE)],
            linestyle=_STYLES[j % len(_STYLES)],
            marker=MARKERS[j % len(MARKERS)],
            markevery=max(1, costs.size // 6),
            markersize=4,
            label=label,
        )
    if break_evens is not None:
        if not isinstance(break_evens, Mapping):
            raise TypeError(
                f"break_evens must be a mapping of label to dollars, got {break_evens!r}"
            )
        for label, value in break_evens.items():
            label = check_str("break_evens key", label)
            value = check_float(f"break_evens[{label!r}]", value, allow_inf=True)
            if 0 < value < np.inf:
                ax_cost.axvline(value, color="#777777", linestyle=":", linewidth=1)
                ax_cost.annotate(
                    f"{label}\n${value:.2f}",
                    (value, 0.97),
                    xycoords=("data", "axes fraction"),
                    fontsize=7,
                    ha="left",
                    va="top",
                    xytext=(3, 0),
                    textcoords="offset points",
                )
    ax_cost.set_xscale("log")
    ax_cost.set_yscale("log")
    ax_cost.set_xlabel("cost of one wrong answer (USD)")
    ax_cost.set_ylabel("expected cost per case (USD)")
    ax_cost.set_title("Which effort is cheapest overall")
    ax_cost.legend(frameon=False, fontsize=8, loc="lower right")
    fig.suptitle(title)
    return fig
