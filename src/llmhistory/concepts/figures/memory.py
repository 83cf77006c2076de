"""Figures for memory budgets: stacked bars of weights, gradients and optimizer states.

The estimates come from :mod:`llmhistory.concepts.finetuning` (``finetune_memory``) and
:mod:`llmhistory.concepts.kv_cache` (``serving_memory``);
the function here only stacks their parts and draws the GPU sizes as horizontal lines.

>>> from llmhistory.concepts.finetuning import finetune_memory
>>> from llmhistory.concepts.models import get_config
>>> config = get_config("llama-3-8b")
>>> fig = plot_memory_breakdown({"Llama 3 8B": [finetune_memory(config, m)
...                                              for m in ("full", "lora", "qlora")]})
>>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
['full', 'lora', 'qlora']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from llmhistory._validate import check_mapping, check_positive_float, check_sequence, check_str
from llmhistory.concepts.figures import PALETTE, new_figure
from llmhistory.concepts.precision import GIB, MemoryEstimate

__all__ = ["GPU_LINE_COLOR", "plot_memory_breakdown"]

#: Colour of the GPU-size reference lines.
GPU_LINE_COLOR = "#555555"


def _check_panels(panels: object) -> dict[str, list[MemoryEstimate]]:
    return {
        title: list(check_sequence(f"panels[{title!r}]", estimates, MemoryEstimate))
        for title, estimates in check_mapping("panels", panels, "panel").items()
    }


def _check_gpus(gpu_gib: object) -> list[float]:
    sizes = check_sequence("gpu_gib", gpu_gib, "size in GiB", allow_empty=True)
    return [check_positive_float("gpu_gib", g) for g in sizes]


def plot_memory_breakdown(
    panels: Mapping[str, Sequence[MemoryEstimate]],
    *,
    gpu_gib: Sequence[float] = (24, 48, 80),
    title: str = "Memory to fine-tune with Adam (activations not included)",
) -> Figure:
    """Return a Figure of stacked bars: one bar per estimate, one segment per part, in GiB.

    Parameters
    ----------
    panels : mapping of str to sequence of MemoryEstimate
        Panel title (e.g. a model) -> the estimates to draw as bars, labelled by
        ``estimate.label``. Parts with zero bytes in every bar of every panel are left out.
    gpu_gib : sequence of float, default (24, 48, 80)
        GPU sizes in GiB, drawn as dashed horizontal lines labelled ``"<size> GiB GPU"``
        (may be empty).
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        One Axes per panel with y label ``"memory (GiB)"``; one bar container per part; a
        figure legend naming the parts. Each bar's total (GiB, one decimal) is written above
        it, then each GPU line's label: the Axes' texts in that order.

    Raises
    ------
    TypeError
        If ``panels`` is not a mapping of str to sequences of MemoryEstimate or ``gpu_gib`` not
        a sequence of numbers.
    ValueError
        If there is no panel, a panel is empty, or a GPU size is not ``> 0``.

    Examples
    --------
    >>> est = MemoryEstimate("demo", {"weights": GIB, "gradients": GIB})
    >>> fig = plot_memory_breakdown({"toy": [est]}, gpu_gib=[4])
    >>> [t.get_text() for t in fig.legends[0].get_texts()]
    ['weights', 'gradients']
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['2.0', '4 GiB GPU']
    """
    checked = _check_panels(panels)
    gpus = _check_gpus(gpu_gib)
    title = check_str("title", title)
    parts: list[str] = []
    for estimates in checked.values():
        for estimate in estimates:
            for part, size in estimate.breakdown.items():
                if size and part not in parts:
                    parts.append(part)
    widest = max(len(e) for e in checked.values())
    width = max(6.4, (1.2 + 1.1 * widest) * len(checked) + 1.0)
    fig, axes = new_figure(width, 4.2, ncols=len(checked))
    axes = np.atleast_1d(axes)
    handles: dict[str, object] = {}
    for ax, (panel, estimates) in zip(axes, checked.items(), strict=True):
        x = np.arange(len(estimates))
        bottom = np.zeros(len(estimates))
        for i, part in enumerate(parts):
            heights = np.array([e.breakdown.get(part, 0) / GIB for e in estimates])
            bars = ax.bar(x, heights, bottom=bottom, color=PALETTE[i % len(PALETTE)], label=part)
            handles.setdefault(part, bars)
            bottom += heights
        for xi, total in zip(x, bottom, strict=True):
            ax.annotate(
                f"{total:.1f}",
                (xi, total),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                fontsize=9,
            )
        for gib in gpus:
            ax.axhline(gib, color=GPU_LINE_COLOR, linestyle="--", linewidth=1.0)
            ax.annotate(
                f"{gib:g} GiB GPU",
                (1.0, gib),
                xycoords=("axes fraction", "data"),
                xytext=(-2, 2),
                textcoords="offset points",
                ha="right",
                va="bottom",
                fontsize=8,
                color=GPU_LINE_COLOR,
            )
        ax.set_xticks(x, [e.label for e in estimates])
        ax.set_ylabel("memory (GiB)")
        ax.set_xlabel("method")
        ax.set_title(panel)
        ax.set_ylim(0, 1.12 * max([*bottom, *gpus]))
    fig.legend(
        list(handles.values()),
        list(handles),
        loc="outside lower center",
        ncols=min(len(handles), 2),  # two columns: fits a phone-width figure
        frameon=False,
    )
    fig.suptitle(title)
    return fig
