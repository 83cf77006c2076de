"""Figures for decoding policies: one set of logits, several next-token distributions.

The distributions come from :func:`llmhistory.concepts.decoding.next_token_distribution`; the
function
here only lays them out as grouped bars, one group per candidate token, one bar per policy.

>>> fig = plot_distributions(["a", "b"], {"T = 1": {"softmax": [0.7, 0.3]}})
>>> fig.axes[0].get_ylabel()
'probability'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from llmhistory._validate import check_mapping, check_str
from llmhistory.concepts.figures import (
    PALETTE,
    check_series,
    check_tokens,
    grouped_bars,
    new_figure,
)

__all__ = ["plot_distributions"]


def _check_panels(panels: object, n: int) -> dict[str, dict[str, np.ndarray]]:
    checked: dict[str, dict[str, np.ndarray]] = {}
    for title, series in check_mapping("panels", panels, "panel").items():
        name = f"panels[{title!r}]"
        checked[title] = check_series(name, series, (n,), why=" (one probability per token)")
        for label, probs in checked[title].items():
            if (probs < 0).any() or (probs > 1).any():
                raise ValueError(f"{name}[{label!r}] must hold probabilities in [0, 1]")
    return checked


def plot_distributions(
    tokens: Sequence[str],
    panels: Mapping[str, Mapping[str, object]],
    *,
    title: str = "One set of logits, several decoding policies",
) -> Figure:
    """Return a Figure of grouped bars: the probability of each token under each policy.

    Parameters
    ----------
    tokens : sequence of str, length n
        Candidate tokens on the x axis, shown quoted (``repr``) so spaces are visible.
    panels : mapping of str to mapping of str to array_like, each shape (n,)
        Panel title -> {series label -> probabilities of ``tokens``}; one Axes per panel,
        side by side, one bar series per label (each with its own colour and hatch).
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        One Axes per panel with ``n`` bars per series and a legend; a token whose
        probability is 0 gets an ``x`` marker at 0 so "dropped" reads without colour.

    Raises
    ------
    TypeError
        If ``tokens`` or ``panels`` has the wrong type.
    ValueError
        If a panel is empty, a series has the wrong length, or a value is outside [0, 1].

    Examples
    --------
    >>> fig = plot_distributions(["a", "b", "c"], {
    ...     "temperature": {"T = 0.5": [0.8, 0.2, 0.0], "T = 1": [0.6, 0.3, 0.1]},
    ...     "filters": {"top-k 2": [0.67, 0.33, 0.0]}})
    >>> [ax.get_title() for ax in fig.axes], len(fig.axes[0].patches)
    (['temperature', 'filters'], 6)
    """
    names = check_tokens(tokens)
    n = len(names)
    checked = _check_panels(panels, n)
    title = check_str("title", title)
    width_in = max(4.0, 0.45 * n + 1.2)  # inches per panel
    fig, axes = new_figure(width_in * len(checked), 3.8, ncols=len(checked))
    axes = np.atleast_1d(axes)
    x = np.arange(n)
    for ax, (panel, series) in zip(axes, checked.items(), strict=True):
        offsets = grouped_bars(ax, series)
        for j, (probs, offset) in enumerate(zip(series.values(), offsets, strict=True)):
            zero = probs == 0
            if zero.any():
                ax.plot(
                    x[zero] + offset,
                    np.zeros(int(zero.sum())),
                    linestyle="none",
                    marker="x",
                    color=PALETTE[j % len(PALETTE)],
                    label="_nolegend_",
                )
        ax.set_xticks(x, [repr(t) for t in names], rotation=30, ha="right")
        ax.set_xlabel("candidate next token")
        ax.set_ylabel("probability")
        ax.set_ylim(0, 1.0)
        ax.set_title(panel)
        ax.legend(frameon=False, fontsize=8)
    fig.suptitle(title)
    return fig
