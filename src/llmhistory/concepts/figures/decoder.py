"""Figures for the inside of a decoder: attention weights of one head as a heatmap.

The weights come from the model (one row per query token, summing to 1 over the keys it may
see); the function here only lays them out, greys out the future that the causal mask
hides, and writes each weight in its cell.

>>> import numpy as np
>>> fig = plot_attention({"layer 0, head 0": np.array([[1.0, 0.0], [0.3, 0.7]])}, ["a", "b"])
>>> fig.axes[0].get_xlabel()
'key (token attended to)'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from llmhistory._validate import check_str
from llmhistory.concepts.figures import check_series, check_tokens, new_figure

__all__ = ["FUTURE_COLOR", "plot_attention"]

#: Colour of the cells the causal mask hides (a query never sees a later key).
FUTURE_COLOR = "#DDDDDD"


def _check_maps(maps: object, n: int) -> dict[str, np.ndarray]:
    checked = check_series("maps", maps, (n, n), item="attention map", why=f" for {n} tokens")
    for title, array in checked.items():
        if (array < 0).any() or (array > 1 + 1e-6).any():
            raise ValueError(f"maps[{title!r}] must hold attention weights in [0, 1]")
    return checked


def plot_attention(
    maps: Mapping[str, object],
    tokens: Sequence[str],
    *,
    title: str = "Where each token looks: causal self-attention weights",
    causal: bool = True,
    annotate: bool = True,
) -> Figure:
    """Return a Figure with one heatmap per attention map (rows: queries, columns: keys).

    Parameters
    ----------
    maps : mapping of str to array_like, each shape (n, n)
        Panel title (e.g. ``"layer 1, head 2"``) -> weights; row ``i`` is the softmax of
        query ``i`` over the keys, values in [0, 1].
    tokens : sequence of str, length n
        Token texts for both axes, shown quoted so spaces are visible.
    title : str
        Figure title.
    causal : bool, default True
        Grey out the cells above the diagonal (future keys) and say so in the legend.
    annotate : bool, default True
        Write each visible weight (two decimals) in its cell.

    Returns
    -------
    matplotlib.figure.Figure
        One heatmap Axes per map (image data = the weights, future cells masked), then one
        colorbar Axes labelled ``attention weight``.

    Raises
    ------
    TypeError
        If ``maps`` is not a mapping or ``tokens`` not a sequence of str.
    ValueError
        If there is no map or token, or a map is not ``(n, n)`` weights in [0, 1].

    Examples
    --------
    >>> w = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [0.2, 0.3, 0.5]])
    >>> fig = plot_attention({"head 0": w, "head 1": w}, ["Where", " is", " my"])
    >>> [ax.get_title() for ax in fig.axes[:2]], fig.axes[0].texts[1].get_text()
    (['head 0', 'head 1'], '0.50')
    """
    names = check_tokens(tokens)
    n = len(names)
    panels = _check_maps(maps, n)
    title = check_str("title", title)
    if not isinstance(causal, bool) or not isinstance(annotate, bool):
        raise TypeError("causal and annotate must be True or False")
    side = max(3.0, 0.5 * n + 1.6)
    fig, axes = new_figure(side * len(panels) + 1.0, side + 0.8, ncols=len(panels))
    axes = np.atleast_1d(axes)
    future = np.triu(np.ones((n, n), dtype=bool), k=1) if causal else np.zeros((n, n), bool)
    image = None
    cmap = matplotlib.colormaps["viridis"].with_extremes(bad=FUTURE_COLOR)
    labels = [repr(t) for t in names]
    for ax, (panel, weights) in zip(axes, panels.items(), strict=True):
        shown = np.ma.masked_array(weights, mask=future)
        # "none": the n x n weights go into the SVG as they are, drawn with sharp cell edges.
        image = ax.imshow(shown, cmap=cmap, vmin=0.0, vmax=1.0, interpolation="none")
        ax.grid(False)
        if annotate:
            for i in range(n):
                for j in range(n):
                    if not future[i, j]:
                        value = weights[i, j]
                        ax.text(
                            j,
                            i,
                            f"{value:.2f}",
                            ha="center",
                            va="center",
                            fontsize=7,
                            color="black" if value > 0.6 else "white",
                        )
        ax.set_xticks(range(n), labels, rotation=45, ha="right")
        ax.set_yticks(range(n), labels)
        ax.set_xlabel("key (token attended to)")
        ax.set_ylabel("query (token attending)")
        ax.set_title(panel)
    colorbar = fig.colorbar(image, ax=list(axes), shrink=0.8)
    colorbar.set_label("attention weight")
    if causal:
        fig.legend(
            handles=[Patch(facecolor=FUTURE_COLOR, label="future key, hidden by the causal mask")],
            loc="outside lower center",
            frameon=False,
        )
    fig.suptitle(title)
    return fig
