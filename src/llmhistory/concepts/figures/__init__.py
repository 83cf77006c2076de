"""Figures for the chapters: one module per idea, sharing the book's plotting style.

Each ``figures.<idea>`` module holds functions that take already-computed values (from the
matching library module) and return a :class:`matplotlib.figure.Figure`; they compute nothing
themselves beyond layout. Use :func:`new_figure` so every chart shares size, font and the
colour-blind-safe palette, and looks right on a light or a dark page; :func:`grouped_bars`
for bar series side by side; and the shared checks :func:`check_tokens` and
:func:`check_series` for the arguments most figures take.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from llmhistory._validate import (
    as_float_array,
    check_mapping,
    check_positive_float,
    check_positive_int,
    check_sequence,
    check_str,
)

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

#: Hatch patterns cycled over bar series, so bars differ by more than their colour.
HATCHES: tuple[str, ...] = ("", "//", "..", "xx", "\\\\", "oo")

#: Marker shapes cycled over line series and points, so series differ by more than colour.
MARKERS: tuple[str, ...] = ("o", "s", "D", "^", "v", "P", "X", "*")

#: How every SVG of the book is written: fixed internal ids (a hash salt, so two runs give the
#: same file) and text drawn as paths, so a figure looks the same where its font is missing.
#: ``BOOK_RC`` includes it; the explorables' inline SVG (``book.explore``) uses it too.
SVG_RC: dict[str, object] = {"svg.hashsalt": "llmhistory", "svg.fonttype": "path"}

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
    **SVG_RC,
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


def grouped_bars(ax, series: Mapping[str, object]) -> list[float]:
    """Draw ``{label: heights}`` as grouped bars at ``x = 0..n-1`` and return each x offset.

    Series ``j`` gets colour ``PALETTE[j]`` and hatch ``HATCHES[j]`` (both cycled) and a
    legend label; the bars of one group share ``0.8`` of the unit width.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    series : mapping of str to array_like, each shape (n,)
        Bar heights per series, already checked (e.g. with :func:`check_series`).

    Returns
    -------
    list of float
        The x offset of each series' bars from the group centre, in series order.

    Examples
    --------
    >>> fig, ax = new_figure(3, 2)
    >>> grouped_bars(ax, {"a": [1, 2], "b": [2, 1]})
    [-0.2, 0.2]
    >>> [str(p.get_hatch()) for p in ax.patches]
    ['', '', '//', '//']
    """
    width = 0.8 / len(series)
    offsets = []
    for j, (label, heights) in enumerate(series.items()):
        offset = (j - (len(series) - 1) / 2) * width
        ax.bar(
            np.arange(len(heights)) + offset,
            heights,
            width=width,
            color=PALETTE[j % len(PALETTE)],
            hatch=HATCHES[j % len(HATCHES)],
            edgecolor="white",
            label=label,
        )
        offsets.append(offset)
    return offsets


def check_tokens(tokens: object) -> list[str]:
    """Return the token texts for a figure's axes after checking they are a non-empty list.

    Each token is a str and may be empty or blank (a space is a real token).

    >>> check_tokens(("<bos>", " order"))
    ['<bos>', ' order']
    >>> check_tokens([])
    Traceback (most recent call last):
    ...
    ValueError: tokens must hold at least one token
    """
    checked = check_sequence("tokens", tokens, "token")
    return [check_str(f"tokens[{i}]", t, allow_empty=True) for i, t in enumerate(checked)]


def check_series(
    name: str,
    value: object,
    shape: tuple[int, ...],
    *,
    item: str = "series",
    convert: Callable[..., np.ndarray] = as_float_array,
    why: str = "",
) -> dict[str, np.ndarray]:
    """Return ``{label: array}`` after checking ``value`` maps labels to arrays of ``shape``.

    Parameters
    ----------
    name : str
        The argument's name, for the messages (``"maps"``, ``"cache_gib"``).
    value : mapping of str to array_like
        Non-empty; labels are non-blank str.
    shape : tuple of int
        The shape every array must have, e.g. ``(tokens,)`` or ``(n, n)``.
    item : str, default "series"
        What one value is called in the messages.
    convert : callable, default ``llmhistory._validate.as_float_array``
        The array check, called as ``convert(f"{name}[{label!r}]", values, ndim=len(shape))``
        (``as_bool_array`` for masks, ``as_positive_float_array`` for sizes).
    why : str, default ""
        Appended to the shape message, e.g. ``" for 3 tokens"``.

    Raises
    ------
    TypeError
        If ``value`` is not a mapping, a label not a str, or an array of the wrong kind.
    ValueError
        If ``value`` is empty, a label blank, or an array of another shape.

    Examples
    --------
    >>> check_series("loads", {"top-2": [3, 1]}, (2,))
    {'top-2': array([3., 1.])}
    >>> check_series("loads", {"top-2": [3, 1]}, (4,), why=" (one per expert)")
    Traceback (most recent call last):
    ...
    ValueError: loads['top-2'] has shape (2,), expected (4,) (one per expert)
    """
    checked = {}
    for label, values in check_mapping(name, value, item).items():
        array = convert(f"{name}[{label!r}]", values, ndim=len(shape))
        if array.shape != tuple(shape):
            raise ValueError(
                f"{name}[{label!r}] has shape {array.shape}, expected {tuple(shape)}{why}"
            )
        checked[label] = array
    return checked


__all__ = [
    "BOOK_RC",
    "HATCHES",
    "MARKERS",
    "PALETTE",
    "SVG_RC",
    "Figure",
    "check_series",
    "check_tokens",
    "grouped_bars",
    "new_figure",
]
