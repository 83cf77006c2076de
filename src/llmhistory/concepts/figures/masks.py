"""Figures for attention masks: which key each query may look at, drawn as labelled grids.

The masks themselves come from :mod:`llmhistory.concepts.masks`; the functions here only lay them
out.

>>> from llmhistory.concepts.masks import bidirectional_mask, causal_mask
>>> fig = plot_masks({"causal": causal_mask(3), "bidirectional": bidirectional_mask(3)},
...                  ["<bos>", "refund", "<eos>"])
>>> [ax.get_title() for ax in fig.axes]
['causal', 'bidirectional']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from llmhistory._validate import as_bool_array, check_int, check_str
from llmhistory.concepts.figures import PALETTE, check_series, check_tokens, new_figure

__all__ = ["BLOCKED_COLOR", "VISIBLE_COLOR", "plot_masks"]

#: Cell colour of an allowed (query, key) pair.
VISIBLE_COLOR = PALETTE[0]
#: Cell colour of a blocked (query, key) pair.
BLOCKED_COLOR = "#EEEEEE"


def plot_masks(
    masks: Mapping[str, object],
    tokens: Sequence[str],
    *,
    title: str = "Which keys each query may attend to",
    highlight: int | None = None,
) -> Figure:
    """Return a Figure with one labelled grid per mask, side by side (1 = visible, 0 = blocked).

    Rows are queries (the token doing the attending), columns are keys (the token attended
    to); each cell is annotated with 1 or 0 and tick labels are the tokens.

    Parameters
    ----------
    masks : mapping of str to array_like of bool, each shape (n, n)
        Panel title -> mask, in display order (e.g. ``{"causal": ..., "bidirectional": ...}``).
    tokens : sequence of str, length n
        Token shown on both axes.
    title : str
        Figure title.
    highlight : int, optional
        Query row to outline in every panel (``0 <= highlight < n``).

    Returns
    -------
    matplotlib.figure.Figure
        One Axes per mask; the annotation texts hold the cell values.

    Raises
    ------
    TypeError
        If ``masks`` is not a mapping, ``tokens`` not a sequence of str, or a mask not boolean.
    ValueError
        If there is no mask or token, a mask is not ``(n, n)``, or ``highlight`` is out of range.

    Examples
    --------
    >>> from llmhistory.concepts.masks import causal_mask
    >>> fig = plot_masks({"causal": causal_mask(2)}, ["a", "b"], highlight=1)
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['1', '0', '1', '1']
    """
    names = check_tokens(tokens)
    n = len(names)
    panels = check_series(
        "masks", masks, (n, n), item="mask", convert=as_bool_array, why=f" for {n} tokens"
    )
    title = check_str("title", title)
    if highlight is not None:
        highlight = check_int("highlight", highlight, minimum=0)
        if highlight >= n:
            raise ValueError(f"highlight={highlight} must be < the number of tokens {n}")
    side = max(2.6, 0.45 * n + 1.4)
    fig, axes = new_figure(side * len(panels) + 0.3, side + 0.9, ncols=len(panels))
    axes = np.atleast_1d(axes)
    cmap = ListedColormap([BLOCKED_COLOR, VISIBLE_COLOR])
    for ax, (name, mask) in zip(axes, panels.items(), strict=True):
        ax.imshow(mask.astype(int), cmap=cmap, vmin=0, vmax=1)
        ax.grid(False)
        ax.set_xticks(np.arange(n + 1) - 0.5, minor=True)
        ax.set_yticks(np.arange(n + 1) - 0.5, minor=True)
        ax.grid(which="minor", color="white", linewidth=1.5, alpha=1.0)
        ax.tick_params(which="minor", length=0)
        for i in range(n):
            for j in range(n):
                ax.text(
                    j,
                    i,
                    str(int(mask[i, j])),
                    ha="center",
                    va="center",
                    fontsize=9,
                    color="white" if mask[i, j] else "#555555",
                )
        if highlight is not None:
            ax.add_patch(
                Rectangle(
                    (-0.5, highlight - 0.5),
                    n,
                    1,
                    fill=False,
                    edgecolor=PALETTE[3],
                    linewidth=2.5,
                    zorder=5,
                    clip_on=False,
                )
            )
        ax.set_xticks(range(n), names, rotation=45, ha="right")
        ax.set_yticks(range(n), names)
        ax.set_xlabel("key (token attended to)")
        ax.set_ylabel("query (token attending)")
        ax.set_title(name)
    handles = [
        Patch(facecolor=VISIBLE_COLOR, label="1 = visible"),
        Patch(facecolor=BLOCKED_COLOR, edgecolor="#999999", label="0 = blocked"),
    ]
    if highlight is not None:
        handles.append(
            Patch(
                fill=False, edgecolor=PALETTE[3], linewidth=2, label=f"query {names[highlight]!r}"
            )
        )
    fig.legend(
        handles=handles, loc="outside lower center", ncols=min(len(handles), 2), frameon=False
    )
    fig.suptitle(title)
    return fig
