"""Figures for the chapters: one module per idea, sharing the book's plotting style.

Each ``figures.<idea>`` module holds functions that take already-computed values (from the
matching library module) and return a :class:`matplotlib.figure.Figure`; they compute nothing
themselves beyond layout. Use :func:`new_figure` so every chart shares size, font and the
colour-blind-safe palette, and looks right on a light or a dark page.
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from llmhistory._validate import check_positive_float, check_positive_int

#: Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)

BOOK_RC: dict[str, object] = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.prop_cycle": matplotlib.cycler(color=list(PALETTE)),
    "figure.facecolor": "white",
    "svg.hashsalt": "llmhistory",
    "svg.fonttype": "path",
}


def new_figure(width: float = 6.4, height: float = 3.6, *, ncols: int = 1):
    """Return ``(fig, axes)`` in the book's style; ``width`` and ``height`` are in inches.

    Parameters
    ----------
    width, height : float
        Figure size in inches (positive).
    ncols : int
        Number of side-by-side axes; ``axes`` is one Axes when 1, else an array.

    >>> fig, ax = new_figure(4, 3)
    >>> fig.get_size_inches().tolist()
    [4.0, 3.0]
    """
    width = check_positive_float("width", width)
    height = check_positive_float("height", height)
    ncols = check_positive_int("ncols", ncols)
    with plt.rc_context(BOOK_RC):
        fig, axes = plt.subplots(1, ncols, figsize=(width, height), layout="constrained")
    # Detach from pyplot so the figure shows once, where the cell returns or displays it.
    plt.close(fig)
    return fig, axes


__all__ = ["BOOK_RC", "PALETTE", "Figure", "new_figure"]
