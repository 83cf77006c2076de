"""Figures for long contexts: accuracy against the position of the answer-bearing document."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from llmhistory._validate import as_float_array, as_int_array, check_float, check_str
from llmhistory.concepts.figures import PALETTE, Figure, new_figure

__all__ = ["plot_position_accuracy"]


def plot_position_accuracy(
    positions: Sequence[int],
    accuracy: Mapping[str, Sequence[float]],
    *,
    closed_book: Mapping[str, float] | None = None,
    title: str = "Accuracy by position of the answer-bearing document",
) -> Figure:
    """Return a line chart of accuracy (%) against answer position, one line per model.

    Each model in ``closed_book`` also gets a dashed horizontal line, in its colour, at its
    no-documents accuracy: where the solid line dips below it, the documents hurt.

    Parameters
    ----------
    positions : sequence of int, shape (n,)
        1-based positions of the answer-bearing document, increasing.
    accuracy : dict of str to sequence of float
        ``{model: accuracies in percent at positions}``, each of length n; 1 to 8 models.
    closed_book : dict of str to float, optional
        ``{model: closed-book accuracy in percent}``; keys must be models of ``accuracy``.
    title : str
        Axes title.

    Returns
    -------
    Figure

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``positions`` is empty or not increasing, a series has the wrong length or
        leaves [0, 100], ``accuracy`` is empty or has more than 8 models, or a
        ``closed_book`` key is not a model of ``accuracy``.

    Examples
    --------
    >>> fig = plot_position_accuracy([1, 10, 20], {"m": [75.8, 53.8, 63.2]},
    ...                              closed_book={"m": 56.1})
    >>> len(fig.axes[0].lines)
    2
    """
    xs = as_int_array("positions", positions, ndim=1)
    if xs.size == 0:
        raise ValueError("positions must not be empty")
    if (xs[1:] <= xs[:-1]).any() or xs[0] < 1:
        raise ValueError(f"positions must be increasing and >= 1, got {xs.tolist()}")
    if not isinstance(accuracy, Mapping):
        raise TypeError(f"accuracy must be a dict {{model: values}}, got {type(accuracy).__name__}")
    if not 1 <= len(accuracy) <= len(PALETTE):
        raise ValueError(f"accuracy must hold 1 to {len(PALETTE)} models, got {len(accuracy)}")
    closed_book = {} if closed_book is None else closed_book
    if not isinstance(closed_book, Mapping):
        raise TypeError(
            f"closed_book must be a dict {{model: percent}}, got {type(closed_book).__name__}"
        )
    for model in closed_book:
        if model not in accuracy:
            raise ValueError(f"closed_book key {model!r} must be a model of accuracy")
    title = check_str("title", title)

    fig, ax = new_figure(6.4, 3.8)
    for k, (model, values) in enumerate(accuracy.items()):
        check_str("accuracy model name", model)
        ys = as_float_array(f"accuracy[{model!r}]", values, ndim=1)
        if ys.shape != xs.shape:
            raise ValueError(
                f"accuracy[{model!r}] must have {xs.size} values (one per position), got {ys.size}"
            )
        if (ys < 0).any() or (ys > 100).any():
            raise ValueError(f"accuracy[{model!r}] must be percentages in [0, 100]")
        color = PALETTE[k]
        ax.plot(xs, ys, marker="o", color=color, label=model)
        if model in closed_book:
            level = check_float(
                f"closed_book[{model!r}]", closed_book[model], minimum=0.0, maximum=100.0
            )
            ax.axhline(
                level,
                color=color,
                linestyle="--",
                linewidth=1.2,
                label=f"{model}, closed-book (no documents)",
            )
    ax.set_xticks(xs.tolist())
    ax.set_xlabel("Position of the answer-bearing document (1 = first)")
    ax.set_ylabel("Accuracy (%)")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="best")
    return fig
