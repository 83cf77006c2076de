"""Figures for the chapters: one module per idea, sharing the book's plotting style.

Each ``figures.<idea>`` module holds functions that take already-computed values (from the
matching library module) and return a :class:`matplotlib.figure.Figure`; they compute nothing
themselves beyond layout. Use :func:`new_figure` so every chart shares size, font and the
colour-blind-safe palette, and looks right on a light or a dark page; :func:`grouped_bars`
for bar series side by side; and the shared checks :func:`check_tokens` and
:func:`check_series` for the arguments most figures take.

Crisp and legible on a phone: a chapter calls :func:`use_svg_display` once (first cell), so
that a displayed Figure becomes an SVG (:func:`figure_svg`) instead of a 1x PNG. Figures are at
most :data:`MAX_WIDTH` inches wide and their text at least :data:`MIN_FONT_PT` points, so that
on a 390 px phone (a ~360 px column) no text is drawn smaller than about 8 CSS pixels; each SVG
records its smallest text size in ``data-min-font-pt`` for the browser tests.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Mapping

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

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
#: Rasters inside an SVG (heatmaps) are drawn at 200 dpi, sharp on a 2x screen.
SVG_RC: dict[str, object] = {
    "svg.hashsalt": "llmhistory",
    "svg.fonttype": "path",
    "savefig.dpi": 200,
}

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
    **{key: value for key, value in SVG_RC.items() if key != "savefig.dpi"},
}


#: The widest figure (inches). Wider requests are narrowed to this (their text keeps its size),
#: so that a figure shown in a ~360 px phone column is scaled down by at most ~0.67.
MAX_WIDTH = 5.4
#: The smallest text (points) a figure is drawn with; :func:`figure_svg` raises smaller text.
MIN_FONT_PT = 9.0
#: Matplotlib's SVG metadata left out, so that two runs write the same file.
SVG_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}


def new_figure(width: float = MAX_WIDTH, height: float = 3.6, *, ncols: int = 1):
    """Return ``(fig, axes)`` in the book's style; ``width`` and ``height`` are in inches.

    Parameters
    ----------
    width, height : float
        Figure size in inches (positive). A width above :data:`MAX_WIDTH` is narrowed to it
        (the height is kept), so that the text stays legible on a phone.
    ncols : int
        Number of side-by-side axes; ``axes`` is one Axes when 1, else an array.

    >>> fig, ax = new_figure(4, 3)
    >>> fig.get_size_inches().tolist()
    [4.0, 3.0]
    >>> new_figure(10, 4, ncols=2)[0].get_size_inches().tolist()
    [5.4, 4.0]
    """
    width = min(check_positive_float("width", width), MAX_WIDTH)
    height = check_positive_float("height", height)
    ncols = check_positive_int("ncols", ncols)
    with plt.rc_context(BOOK_RC):
        fig, axes = plt.subplots(1, ncols, figsize=(width, height), layout="constrained")
    # Detach from pyplot so the figure shows once, where the cell returns or displays it.
    plt.close(fig)
    return fig, axes


def _shown_texts(fig: Figure) -> list[Text]:
    """Return the figure's visible, non-blank Text artists (tick labels, titles, legends...)."""
    return [text for text in fig.findobj(Text) if text.get_visible() and text.get_text().strip()]


def _fit_drawing_width(fig: Figure, tries: int = 4) -> Bbox:
    """Narrow ``fig`` until its drawing (legends and labels outside the axes included) is at
    most :data:`MAX_WIDTH` wide; return the drawing's bounding box (inches) at the final size.

    Text keeps its size, so it stays legible when a phone shrinks the figure to its column. A
    long suptitle wraps; the figure is never narrowed below 60% of the width asked for. (A
    figure legend keeps its width: give it few columns.) The box is measured on the last draw,
    which also leaves the figure laid out for :func:`figure_svg` to print without drawing again.
    """
    width, height = fig.get_size_inches()
    floor = 0.6 * width
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None:
        suptitle.set_wrap(True)
    for _ in range(tries):
        fig.draw_without_rendering()
        drawn = fig.get_tightbbox()  # inches
        current = fig.get_size_inches()[0]
        if drawn.width <= MAX_WIDTH * 1.01 or current <= floor:
            return drawn
        # What sticks out (a label beside the axes) keeps its width: take the excess off.
        fig.set_size_inches(max(floor, current - (drawn.width - MAX_WIDTH)), height)
    fig.draw_without_rendering()  # laid out and measured at the last size tried
    return fig.get_tightbbox()


def figure_svg(fig: Figure, *, text_as_paths: bool = True) -> str:
    """Return ``fig`` as a deterministic SVG document (str), its text raised to MIN_FONT_PT.

    The SVG is cropped to the drawing (``bbox_inches="tight"``), the figure first narrowed
    until that drawing is at most :data:`MAX_WIDTH` wide, written with :data:`SVG_RC`
    (fixed ids, text as paths) and without a date, so that the same figure gives the same bytes
    on every run and machine. Text smaller than :data:`MIN_FONT_PT` is enlarged first (this
    changes ``fig``). The root ``<svg>`` carries ``data-min-font-pt``, the smallest text size
    drawn, so that a browser test can compute how large the text shows on a page.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    text_as_paths : bool, default True
        Draw text as glyph outlines (looks the same everywhere). ``False`` writes ``<text>``
        elements in the page's sans-serif font instead: about half the bytes, for the many
        precomputed states of an explorable.

    Returns
    -------
    str
        The SVG document, from ``<?xml`` to ``</svg>``.

    Raises
    ------
    TypeError
        If ``fig`` is not a matplotlib Figure.

    Examples
    --------
    >>> fig, ax = new_figure(3, 2)
    >>> _ = ax.set_title("t", fontsize=6)
    >>> svg = figure_svg(fig)
    >>> svg == figure_svg(fig), 'data-min-font-pt="9"' in svg, "dc:date" in svg
    (True, True, False)
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib.figure.Figure, got {type(fig).__name__}")
    texts = _shown_texts(fig)
    for text in texts:
        if text.get_fontsize() < MIN_FONT_PT:
            text.set_fontsize(MIN_FONT_PT)
    smallest = min((text.get_fontsize() for text in texts), default=MIN_FONT_PT)
    drawing = _fit_drawing_width(fig)  # [inches]; the figure is laid out at its final size
    pad = float(plt.rcParams["savefig.pad_inches"])
    buffer = io.StringIO()
    rc = {**SVG_RC, **({} if text_as_paths else {"svg.fonttype": "none"})}
    # An explicit box and no layout engine: savefig prints the layout just measured instead of
    # drawing the figure once more to lay it out and once more to measure it ("tight").
    # The layout's last bits depend on the previous layout (constrained layout iterates from
    # where the axes are): round the axes' places to 1e-9 of the figure, so that the same figure
    # prints the same coordinates every time (the clip paths' ids are then named after those
    # printed shapes: _clip_ids_from_printed_shapes).
    for ax in fig.axes:
        ax._set_position([round(float(v), 9) for v in ax.get_position().bounds])
    engine = fig.get_layout_engine()
    with plt.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)  # None, not "none": savefig lays out any engine it finds
    try:
        with plt.rc_context(rc):
            box = drawing.padded(pad)
            fig.savefig(buffer, format="svg", metadata=SVG_METADATA, bbox_inches=box)
    finally:
        fig.set_layout_engine(engine)
    svg = _clip_ids_from_printed_shapes(buffer.getvalue())
    return re.sub(r"<svg ", f'<svg data-min-font-pt="{smallest:g}" ', svg, count=1)


_CLIP_PATH = re.compile(r'<clipPath id="(p[0-9a-f]{10})">(.*?)</clipPath>\n?', re.S)


def _clip_ids_from_printed_shapes(svg: str) -> str:
    """Rename each ``<clipPath>`` id after the shape as printed; return the SVG (str).

    Matplotlib names a clip path by hashing its rectangle's full float repr (or a transform's),
    so a last-bit difference in the layout (another CPU, a previous layout of the same figure)
    changes the id though not one printed coordinate. Hashing the printed shape instead makes
    the bytes as stable as the coordinates. Two clip paths that print the same become one.

    >>> a = '<clipPath id="p0123456789"><rect x="1"/></clipPath><g clip-path="url(#p0123456789)"/>'
    >>> b = a.replace("p0123456789", "pabcdefabcd")  # the same rectangle, other last bits
    >>> _clip_ids_from_printed_shapes(a) == _clip_ids_from_printed_shapes(b)
    True
    >>> _clip_ids_from_printed_shapes(a)
    '<clipPath id="p456a24bf37"><rect x="1"/></clipPath><g clip-path="url(#p456a24bf37)"/>'
    """
    renamed: dict[str, str] = {}
    kept: set[str] = set()

    def rename(match: re.Match) -> str:
        old, shape = match.groups()
        new = "p" + hashlib.sha256(f"{SVG_RC['svg.hashsalt']}{shape}".encode()).hexdigest()[:10]
        renamed[old] = new
        if new in kept:  # the same printed shape under another float key: define it once
            return ""
        kept.add(new)
        return match.group(0).replace(old, new, 1)

    svg = _CLIP_PATH.sub(rename, svg)
    return re.sub(r"url\(#(p[0-9a-f]{10})\)", lambda m: f"url(#{renamed.get(m[1], m[1])})", svg)


def use_svg_display() -> bool:
    """Show Figures as SVG (:func:`figure_svg`) in the running IPython kernel; return True if so.

    As d2l's ``use_svg_display``: a chapter calls it once in its first cell. A Figure a cell
    returns is then stored as ``image/svg+xml`` (vector, sharp on any screen, compared by nbval)
    instead of a 1x PNG. Outside IPython it does nothing and returns False.

    >>> from unittest import mock
    >>> with mock.patch("IPython.get_ipython", return_value=None):  # no IPython shell
    ...     use_svg_display()
    False
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    try:  # set up the inline backend now: its first use would reset the formatters to PNG
        import matplotlib_inline.backend_inline  # noqa: F401
    except ImportError:  # pragma: no cover - ipykernel depends on it
        pass
    formatters = shell.display_formatter.formatters
    formatters["image/png"].pop(Figure, None)
    formatters["image/svg+xml"].for_type(Figure, figure_svg)
    return True


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
    "MAX_WIDTH",
    "MIN_FONT_PT",
    "PALETTE",
    "SVG_METADATA",
    "SVG_RC",
    "Figure",
    "check_series",
    "check_tokens",
    "figure_svg",
    "grouped_bars",
    "new_figure",
    "use_svg_display",
]
