"""Figures for model choice: scorecard points against the latency penalty."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from llmhistory._validate import as_float_array, check_float, check_str
from llmhistory.concepts.figures import PALETTE, Figure, new_figure

__all__ = ["plot_score_vs_latency_penalty"]


def _series(name: str, values: object, size: int) -> list[float]:
    ys = as_float_array(name, values, ndim=1)
    if ys.size != size:
        raise ValueError(f"{name} must have {size} values (one per penalty), got {ys.size}")
    return ys.tolist()


def plot_score_vs_latency_penalty(
    latency_penalties: Sequence[float],
    scores: Mapping[str, Sequence[float]],
    *,
    refused: Mapping[str, Sequence[float]] | None = None,
    break_even: float | None = None,
    marks: Mapping[str, float] | None = None,
    cost_penalty: float | None = None,
) -> Figure:
    """Return each candidate's score against the latency penalty, with the flip point marked.

    Parameters
    ----------
    latency_penalties : array, shape (n,)
        Points per millisecond of p95 latency, increasing, n >= 2.
    scores : dict of str to array, shape (n,)
        ``{candidate: score at each penalty}`` for the licensed candidates (solid lines).
    refused : dict of str to array, shape (n,), optional
        Scores candidates *would* get if their license allowed the use (grey dashed lines).
    break_even : float, optional
        Latency penalty where the winner flips (vertical line).
    marks : dict of str to float, optional
        ``{scenario name: latency penalty}`` to mark with dotted vertical lines.
    cost_penalty : float, optional
        The fixed cost penalty, shown in the title.

    Returns
    -------
    Figure

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``latency_penalties`` has fewer than 2 values or is not increasing, a series has
        the wrong length or is not finite, ``scores`` is empty or holds more than 6
        candidates, or a penalty is negative.

    Examples
    --------
    >>> fig = plot_score_vs_latency_penalty([0.0, 0.01], {"a": [90, 80], "b": [85, 82]},
    ...                                     break_even=0.004)
    >>> [line.get_label() for line in fig.axes[0].lines][:2]
    ['a', 'b']
    """
    xs = as_float_array("latency_penalties", latency_penalties, ndim=1)
    if xs.size < 2 or (xs[1:] <= xs[:-1]).any() or xs[0] < 0:
        raise ValueError("latency_penalties must hold >= 2 increasing values >= 0")
    if not isinstance(scores, Mapping):
        raise TypeError(f"scores must be a dict {{candidate: values}}, got {type(scores).__name__}")
    if not 1 <= len(scores) <= 6:
        raise ValueError(f"scores must hold 1 to 6 candidates, got {len(scores)}")
    refused = {} if refused is None else refused
    marks = {} if marks is None else marks
    for name, value in (("refused", refused), ("marks", marks)):
        if not isinstance(value, Mapping):
            raise TypeError(f"{name} must be a dict or None, got {type(value).__name__}")

    fig, ax = new_figure(6.4, 3.8)
    for k, (name, values) in enumerate(scores.items()):
        check_str("scores candidate name", name)
        ax.plot(xs, _series(f"scores[{name!r}]", values, xs.size), color=PALETTE[k], label=name)
    for name, values in refused.items():
        check_str("refused candidate name", name)
        ax.plot(
            xs,
            _series(f"refused[{name!r}]", values, xs.size),
            color="0.55",
            linestyle="--",
            label=f"{name} (license refused: cannot win)",
        )
    if break_even is not None:
        x = check_float("break_even", break_even, minimum=0.0)
        ax.axvline(x, color=PALETTE[7], linewidth=1.2, label=f"winner flips at {x:.4f}")
    for k, (name, value) in enumerate(marks.items()):
        check_str("marks scenario name", name)
        x = check_float(f"marks[{name!r}]", value, minimum=0.0)
        ax.axvline(x, color=PALETTE[4 + k % 2], linestyle=":", linewidth=1.5, label=name)
    ax.set_xlabel("Latency penalty (points per ms of p95 latency)")
    ax.set_ylabel("Score (points)")
    title = "Score against latency penalty"
    if cost_penalty is not None:
        cost_penalty = check_float("cost_penalty", cost_penalty, minimum=0.0)
        title += f" (cost penalty {cost_penalty:g})"
    ax.set_title(title)
    ax.legend(fontsize=8, loc="best")
    return fig
