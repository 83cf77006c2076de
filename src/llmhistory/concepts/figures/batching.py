"""Figures for batching and paging: latency percentiles per policy, KV slots paged vs contiguous.

The values come from :func:`llmhistory.concepts.batching.simulate` and
:func:`llmhistory.concepts.batching.paging_report`; this module only draws.

>>> from llmhistory.concepts.batching import paging_report, poisson_trace, simulate
>>> trace = poisson_trace(20, rate=4.0, seed=0)
>>> runs = [simulate(trace, policy=p, max_batch=4) for p in ("static", "continuous")]
>>> fig = plot_batching(runs, paging_report([30, 40], block_size=16, max_tokens=256))
>>> [ax.get_title() for ax in fig.axes]
['Waiting and latency', 'KV-cache slots']
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from llmhistory._validate import check_instance, check_sequence
from llmhistory.concepts.batching import PagingReport, ServingRun
from llmhistory.concepts.figures import PALETTE, grouped_bars, new_figure

__all__ = ["LATENCY_METRICS", "plot_batching"]

#: The bars of the left panel: (label, metric, percentile).
LATENCY_METRICS = (
    ("TTFT p50", "ttft", 50),
    ("TTFT p95", "ttft", 95),
    ("latency p50", "latency", 50),
    ("latency p95", "latency", 95),
)


def plot_batching(runs: object, paging: PagingReport) -> Figure:
    """Return a Figure: latency percentiles per policy (left), KV slots paged vs contiguous (right).

    Parameters
    ----------
    runs : sequence of ServingRun
        One per policy, on the same trace; each becomes a bar series labelled by its policy.
    paging : PagingReport
        Its tokens, and the slots each layout uses, drawn as stacked bars (tokens held, empty).

    Returns
    -------
    matplotlib.figure.Figure
        Two Axes; the left in seconds, the right in thousands of token slots.

    Raises
    ------
    TypeError
        If ``runs`` is not a sequence of ServingRun or ``paging`` not a PagingReport.
    ValueError
        If ``runs`` is empty.
    """
    checked = check_sequence("runs", runs, ServingRun)
    report = check_instance("paging", paging, PagingReport)
    fig, (left, right) = new_figure(5.4, 3.4, ncols=2)
    series = {
        run.policy: [run.percentile(metric, q) for _, metric, q in LATENCY_METRICS]
        for run in checked
    }
    grouped_bars(left, series)
    left.set_xticks(np.arange(len(LATENCY_METRICS)))
    left.set_xticklabels([label for label, _, _ in LATENCY_METRICS], rotation=30, ha="right")
    left.set_ylabel("seconds")
    left.set_title("Waiting and latency")
    left.legend(fontsize=9)
    x = np.arange(2)
    held = np.array([report.tokens, report.tokens]) / 1000
    empty = np.array([report.contiguous_waste, report.paged_waste]) / 1000
    right.bar(x, held, color=PALETTE[2], label="tokens held")
    right.bar(x, empty, bottom=held, color=PALETTE[3], hatch="//", edgecolor="white", label="empty")
    right.set_xticks(x)
    right.set_xticklabels(["contiguous", f"paged ({report.block_size})"])
    right.set_ylabel("thousand token slots")
    right.set_title("KV-cache slots")
    right.legend(fontsize=9)
    return fig
