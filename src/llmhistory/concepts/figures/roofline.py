"""Figures for the roofline: attainable FLOP/s against arithmetic intensity, with passes on it.

The intensities come from :func:`llmhistory.concepts.roofline.pass_cost`; the roof from an
:class:`~llmhistory.concepts.roofline.Accelerator`.

>>> from llmhistory.concepts.roofline import H100_SXM
>>> fig = plot_roofline(H100_SXM, {"decode": 1.0, "prefill": 1000.0})
>>> fig.axes[0].get_xscale()
'log'
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure

from llmhistory._validate import check_instance, check_mapping, check_positive_float, check_str
from llmhistory.concepts.figures import MARKERS, PALETTE, new_figure
from llmhistory.concepts.roofline import Accelerator, attainable_flops

__all__ = ["plot_roofline"]


def plot_roofline(
    accelerator: Accelerator,
    points: Mapping[str, float],
    *,
    title: str = "",
) -> Figure:
    """Return a Figure: the roofline of ``accelerator`` and each pass at its intensity.

    Parameters
    ----------
    accelerator : Accelerator
        Its peak FLOP/s and bandwidth give the roof, drawn in TFLOP/s.
    points : mapping of str to float
        Label -> arithmetic intensity in FLOPs per byte (> 0); each is drawn on the roof.
    title : str, optional
        Axes title; default names the accelerator.

    Returns
    -------
    matplotlib.figure.Figure
        One log-log Axes: the roof (line 0), a dotted vertical line at the ridge (line 1), then
        one marker per point in order, and a legend.

    Raises
    ------
    TypeError
        If ``accelerator`` is not an Accelerator or ``points`` not a mapping of str to float.
    ValueError
        If ``points`` is empty or holds an intensity <= 0.
    """
    chip = check_instance("accelerator", accelerator, Accelerator)
    points = check_mapping("points", points, "intensity")
    checked = {
        label: check_positive_float(f"points[{label!r}]", value) for label, value in points.items()
    }
    title = check_str("title", title, allow_empty=True) or f"Roofline of the {chip.name}"
    low = min(min(checked.values()) / 4, chip.ridge / 100)
    high = max(max(checked.values()) * 4, chip.ridge * 20)
    xs = np.geomspace(low, high, 200)
    fig, ax = new_figure(6.4, 3.8)
    ax.plot(xs, attainable_flops(xs, chip) / 1e12, color=PALETTE[7], label="attainable")
    ax.axvline(chip.ridge, color=PALETTE[7], linestyle=":", linewidth=1)
    ax.annotate(
        f"ridge {chip.ridge:,.0f} FLOPs/byte",
        (chip.ridge, chip.peak_flops / 1e12),
        xytext=(6, -14),
        textcoords="offset points",
        fontsize=9,
    )
    for j, (label, intensity) in enumerate(checked.items()):
        y = float(attainable_flops(intensity, chip)) / 1e12
        ax.plot(
            [intensity],
            [y],
            linestyle="none",
            marker=MARKERS[j % len(MARKERS)],
            color=PALETTE[j % 7],
            markersize=8,
            label=label,
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("arithmetic intensity (FLOPs per byte moved)")
    ax.set_ylabel("attainable TFLOP/s")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=9)
    return fig
