"""Figures for rotary position embeddings: rotated 2-D vectors and score-versus-gap curves.

The values come from :mod:`llmhistory.concepts.rope` (``rotate_2d``, ``scores_by_gap``); the
functions
here only draw them.

>>> from llmhistory.concepts.rope import rotate_2d
>>> fig = plot_rotated_pairs({"positions 4 and 2": (rotate_2d([1.0, 0.2], 4),
...                                                 rotate_2d([0.3, 0.9], 2))})
>>> fig.axes[0].get_title()
'positions 4 and 2'
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure

from llmhistory._validate import (
    as_float_array,
    as_int_array,
    as_positive_float_array,
    check_bool,
    check_mapping,
    check_positive_float,
    check_str,
)
from llmhistory.concepts.figures import MARKERS, PALETTE, check_series, new_figure

__all__ = ["plot_frequency_scaling", "plot_rotated_pairs", "plot_scores_by_gap"]


def plot_rotated_pairs(
    pairs: Mapping[str, tuple[object, object]],
    *,
    title: str = "Rotated query and key in two dimensions",
) -> Figure:
    """Return a Figure with one panel per (query, key) pair, both drawn as arrows from 0.

    Parameters
    ----------
    pairs : mapping of str to (array_like, array_like), each shape (2,)
        Panel title -> ``(rotated query, rotated key)``.
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        One square Axes per pair, sharing limits so lengths and angles compare across panels.
        Each panel draws the query and the key as lines from the origin (labelled ``"query"``
        and ``"key"``, each followed by a dot at its tip), a dotted circle per vector length,
        and a legend.

    Raises
    ------
    TypeError
        If ``pairs`` is not a mapping or a vector is not numeric.
    ValueError
        If there is no pair, an entry is not a pair, or a vector is not finite with shape (2,).

    Examples
    --------
    >>> fig = plot_rotated_pairs({"p": ([1.0, 0.0], [0.0, 1.0])})
    >>> [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    ['query', 'key']
    """
    pairs = check_mapping("pairs", pairs, "(query, key) pair")
    title = check_str("title", title)
    vectors = {}
    for label, pair in pairs.items():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"pairs[{label!r}] must be a (query, key) pair")
        q = as_float_array(f"pairs[{label!r}] query", pair[0], ndim=1)
        k = as_float_array(f"pairs[{label!r}] key", pair[1], ndim=1)
        if q.shape != (2,) or k.shape != (2,):
            raise ValueError(
                f"pairs[{label!r}] vectors must have shape (2,), got {q.shape} and {k.shape}"
            )
        vectors[label] = (q, k)
    reach = 1.15 * max(float(np.linalg.norm(v)) for pair in vectors.values() for v in pair)
    reach = reach or 1.0
    fig, axes = new_figure(3.0 * len(vectors) + 0.4, 3.5, ncols=len(vectors))
    axes = np.atleast_1d(axes)
    circle = np.linspace(0.0, 2.0 * np.pi, 181)
    for ax, (label, (q, k)) in zip(axes, vectors.items(), strict=True):
        for vector, name, color in ((q, "query", PALETTE[0]), (k, "key", PALETTE[1])):
            ax.plot([0.0, vector[0]], [0.0, vector[1]], color=color, linewidth=2.5, label=name)
            ax.plot([vector[0]], [vector[1]], marker="o", color=color, markersize=5)
        for vector in (q, k):
            radius = float(np.linalg.norm(vector))
            ax.plot(
                radius * np.cos(circle),
                radius * np.sin(circle),
                color="#999999",
                linewidth=0.6,
                linestyle=":",
            )
        ax.set_xlim(-reach, reach)
        ax.set_ylim(-reach, reach)
        ax.set_aspect("equal")
        ax.set_xlabel("coordinate 1 (unitless)")
        ax.set_ylabel("coordinate 2 (unitless)")
        ax.set_title(label, fontsize=10)
        handles = ax.get_lines()[0], ax.get_lines()[2]
        ax.legend(handles=handles, labels=["query", "key"], loc="lower left", fontsize=8)
    fig.suptitle(title)
    return fig


def plot_scores_by_gap(
    gaps: object,
    curves: Mapping[str, object],
    *,
    title: str = "Attention score against position gap",
    ylabel: str = "score (dot product, unitless)",
    log_gap: bool = False,
) -> Figure:
    """Return a Figure of score against the query-minus-key gap, one line per curve.

    Parameters
    ----------
    gaps : array_like of int, shape (m,)
        Gaps in tokens (>= 0; > 0 when ``log_gap``), the x values of every curve.
    curves : mapping of str to array_like, shape (m,)
        Curve label -> score at each gap (finite).
    title : str
        Axes title.
    ylabel : str
        Y-axis label with its unit.
    log_gap : bool, default False
        Draw the gap axis on a log scale (for long ranges).

    Returns
    -------
    matplotlib.figure.Figure
        One Axes with one line per curve, then a zero line; a figure legend below names the
        curves.

    Raises
    ------
    TypeError
        If ``gaps`` does not hold integers, ``curves`` is not a mapping or ``log_gap`` is
        not a bool.
    ValueError
        If a gap is negative (or 0 with ``log_gap``), or a curve's length differs from
        ``gaps``.

    Examples
    --------
    >>> fig = plot_scores_by_gap([0, 1, 2], {"pair 0": [1.0, 0.54, -0.42]})
    >>> fig.axes[0].get_lines()[0].get_label()
    'pair 0'
    """
    x = as_int_array("gaps", gaps, ndim=1)
    if x.size == 0:
        raise ValueError("gaps must hold at least one gap")
    log_gap = check_bool("log_gap", log_gap)
    minimum = 1 if log_gap else 0
    if x.min() < minimum:
        raise ValueError(f"gaps must be >= {minimum} (log_gap={log_gap}), got {x.min()}")
    curves = check_series("curves", curves, x.shape, item="curve")
    title = check_str("title", title)
    ylabel = check_str("ylabel", ylabel)
    fig, ax = new_figure(6.4, 3.8)
    for label, y in curves.items():
        ax.plot(x, y, label=label, linewidth=1.6)
    ax.axhline(0.0, color="#777777", linewidth=0.8)
    if log_gap:
        ax.set_xscale("log")
    ax.set_xlabel(
        "gap between query and key positions (tokens" + (", log scale)" if log_gap else ")")
    )
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    fig.legend(
        handles=ax.get_lines()[:-1],
        loc="outside lower center",
        ncols=min(len(curves), 2),
        frameon=False,
        fontsize=9,
    )
    return fig


def plot_frequency_scaling(
    wavelengths: object,
    ratios: Mapping[str, object],
    *,
    original_context: float,
    title: str = "How each method changes the RoPE frequencies",
) -> Figure:
    """Return a Figure of new-over-old frequency against each pair's original wavelength.

    Parameters
    ----------
    wavelengths : array_like, shape (pairs,)
        Original wavelength ``2 pi / theta_i`` of each pair, in tokens (``> 0``).
    ratios : mapping of str to array_like, shape (pairs,)
        Method label -> ``new frequency / old frequency`` per pair (``> 0``; 1 means kept,
        ``1 / factor`` means interpolated like Position Interpolation).
    original_context : float
        The training context in tokens, drawn as a vertical dashed line.
    title : str
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure
        One Axes, both axes on log scales, one line with markers per method, then the
        vertical context line; a figure legend below names the methods.

    Raises
    ------
    TypeError
        If ``ratios`` is not a mapping or an array is not numeric.
    ValueError
        If a wavelength or ratio is not finite and ``> 0``, a series' length differs from
        ``wavelengths``, or ``original_context <= 0``.

    Examples
    --------
    >>> fig = plot_frequency_scaling([6.3, 63.0, 630.0], {"PI": [0.5, 0.5, 0.5]},
    ...                              original_context=256)
    >>> fig.axes[0].get_lines()[0].get_label()
    'PI'
    """
    x = as_positive_float_array("wavelengths", wavelengths, ndim=1)
    if x.size == 0:
        raise ValueError("wavelengths must hold at least one wavelength")
    ratios = check_series("ratios", ratios, x.shape, convert=as_positive_float_array)
    original_context = check_positive_float("original_context", original_context)
    title = check_str("title", title)
    fig, ax = new_figure(6.4, 3.8)
    for i, (label, y) in enumerate(ratios.items()):
        ax.plot(
            x,
            y,
            label=label,
            linewidth=1.4,
            marker=MARKERS[i % len(MARKERS)],
            markersize=4,
            color=PALETTE[i % len(PALETTE)],
        )
    ax.axvline(original_context, color="#777777", linewidth=0.9, linestyle="--")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("original wavelength of the pair (tokens per turn, log scale)")
    ax.set_ylabel("new / old frequency (log scale)")
    ax.set_title(title)
    fig.legend(
        handles=ax.get_lines()[:-1],
        loc="outside lower center",
        ncols=min(len(ratios), 3),
        frameon=False,
        fontsize=9,
    )
    return fig
