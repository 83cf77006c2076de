"""The timeline figure: parameters or training compute of each model against its release date.

The values come from :mod:`llmhistory.concepts.timeline` (``frontier_points``); this module only
draws them: open-weight models as filled circles, closed ones as hollow squares, a mixture of
experts with its active parameters below its total, and the models without a published value
named under the axes.

>>> from llmhistory.concepts.timeline import frontier_points
>>> fig = plot_frontier(*frontier_points("parameters"), measure="parameters")
>>> fig.axes[0].get_yscale()
'log'
"""

from __future__ import annotations

import dataclasses
import textwrap
from collections.abc import Sequence

from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from llmhistory._validate import check_choice, check_sequence, check_str
from llmhistory.concepts.figures import PALETTE, new_figure
from llmhistory.concepts.timeline import MEASURES, FrontierPoint

__all__ = ["plot_frontier"]

_YLABEL = {
    "parameters": "parameters (count, log scale)",
    "training compute": "training compute 6ND (FLOPs, log scale)",
}
_OPEN, _CLOSED = PALETTE[2], PALETTE[3]


def plot_frontier(
    points: Sequence[FrontierPoint],
    missing: Sequence[str] = (),
    *,
    measure: str,
    title: str | None = None,
) -> Figure:
    """Return a Figure of ``measure`` against release date, open and closed models apart.

    Parameters
    ----------
    points : sequence of FrontierPoint
        From :func:`~llmhistory.concepts.timeline.frontier_points`; may be empty.
    missing : sequence of str
        Names without a published value, listed under the axes as "not plotted".
    measure : {"parameters", "training compute"}
        What the values are (sets the y label).
    title : str, optional
        Axes title; by default one naming the measure.

    Returns
    -------
    matplotlib.figure.Figure
        One Axes, the y axis on a log scale: a filled circle per open-weight model, a hollow
        square per closed one, each labelled with its name; for a mixture of experts a small
        marker at its active parameters joined to its total by a line. The legend names the
        kinds of marker shown.

    Raises
    ------
    TypeError
        If a point is not a FrontierPoint or a name not a string.
    ValueError
        If ``measure`` is unknown.

    Examples
    --------
    >>> fig = plot_frontier([], ["GPT-4"], measure="parameters")
    >>> fig.get_supxlabel()
    'Not plotted (no published value): GPT-4'
    """
    measure = check_choice("measure", check_str("measure", measure), MEASURES)
    points = check_sequence("points", points, FrontierPoint, allow_empty=True)
    missing = check_sequence("missing", missing, str, allow_empty=True)
    title = f"Published {measure} of the models in this book" if title is None else title
    title = check_str("title", title)
    fig, ax = new_figure(5.4, 4.2)
    # Fixed margins instead of the constrained layout: the labels are placed in display
    # coordinates, which must not move afterwards (and the layout engine costs a draw).
    fig.set_layout_engine("none")
    bottom = 0.2 if missing else 0.12
    ax.set_position([0.14, bottom, 0.98 - 0.14, 0.92 - bottom])
    shown = {}
    for p in points:
        color = _OPEN if p.open_weights else _CLOSED
        kind = "open weights" if p.open_weights else "closed"
        if p.active is not None:
            ax.plot([p.year, p.year], [p.active, p.value], color=color, linewidth=1.0)
            (mark,) = ax.plot(
                [p.year], [p.active], marker="v", markersize=5, color=color, linestyle=""
            )
            shown.setdefault("active per token (MoE)", mark)
        (mark,) = ax.plot(
            [p.year],
            [p.value],
            marker="o" if p.open_weights else "s",
            markersize=6,
            linestyle="",
            color=color,
            markerfacecolor=color if p.open_weights else "white",
            markeredgewidth=1.4,
        )
        shown.setdefault(kind, mark)
    ax.set_yscale("log")
    ax.set_xlim(2017, 2026)
    ax.set_xlabel("release date (year)")
    ax.set_ylabel(_YLABEL[measure])
    ax.set_title(title)
    order = [k for k in ("open weights", "closed", "active per token (MoE)") if k in shown]
    if order:
        ax.legend([shown[k] for k in order], order, loc="best", fontsize=9)
    if missing:
        note = textwrap.fill("Not plotted (no published value): " + ", ".join(missing), 72)
        fig.supxlabel(note, fontsize=9, y=0.01, va="bottom")
    if points:
        low, high = ax.get_ylim()
        ax.set_ylim(low, high * 3)  # room for the labels of the largest models
    _label_points(fig, ax, _merge_twins(points))
    return fig


def _merge_twins(points: Sequence[FrontierPoint]) -> list[FrontierPoint]:
    """Return the points with models of equal value released within 3 months named once."""
    merged: list[FrontierPoint] = []
    for p in points:
        last = merged[-1] if merged else None
        if last is not None and last.value == p.value and p.year - last.year < 0.25:
            merged[-1] = dataclasses.replace(last, name=f"{last.name}, {p.name}")
        else:
            merged.append(p)
    return merged


#: Where a label may go relative to its point, in points: next to it first, then further
#: above or below (with a leader line), right of the point before left of it.
_OFFSETS = tuple(
    (dx * side, dy, "left" if side > 0 else "right", "bottom" if dy > 0 else "top")
    for dy in (3, -3, 14, -14, 25, -25, 36, -36)
    for side in (1, -1)
    for dx in (4,)
)


def _label_points(fig: Figure, ax, points: Sequence[FrontierPoint]) -> None:
    """Name every point, each label at the first offset that overlaps no earlier label."""
    if not points:
        return
    frame = ax.get_window_extent()
    radius = 5 * fig.dpi / 72  # a marker's half width, in pixels
    markers = [  # a label must not hide another model's point
        Bbox.from_extents(x - radius, y - radius, x + radius, y + radius)
        for x, y in ax.transData.transform([(p.year, p.value) for p in points])
    ]
    placed: list[Bbox] = []
    for n, p in enumerate(points):
        obstacles = placed + markers[:n] + markers[n + 1 :]
        boxes = [_text_box(ax, p, offset) for offset in _OFFSETS]
        free = [
            i
            for i, box in enumerate(boxes)
            if frame.x0 <= box.x0
            and box.x1 <= frame.x1
            and frame.y0 <= box.y0 <= box.y1
            and box.y1 <= frame.y1
            and not any(box.overlaps(b) for b in obstacles)
        ]
        best = free[0] if free else 0
        dy = _OFFSETS[best][1]
        leader = {"arrowstyle": "-", "color": "#999999", "linewidth": 0.6}
        label = _annotate(
            ax, p, _OFFSETS[best], color="#333333", arrowprops=leader if abs(dy) > 3 else None
        )
        label.set_in_layout(False)
        placed.append(boxes[best])


def _text_box(ax, p: FrontierPoint, offset: tuple[int, int, str, str]) -> Bbox:
    """Return the display box a label at ``offset`` would take (drawn, measured, removed)."""
    probe = _annotate(ax, p, offset)
    box = probe.get_window_extent()
    probe.remove()
    return box


def _annotate(ax, p: FrontierPoint, offset: tuple[int, int, str, str], **style):
    """Write ``p``'s name at ``offset`` (points from the point, then alignment), 9 pt."""
    dx, dy, ha, va = offset
    return ax.annotate(
        p.name,
        (p.year, p.value),
        xytext=(dx, dy),
        textcoords="offset points",
        ha=ha,
        va=va,
        fontsize=9,
        **style,
    )
