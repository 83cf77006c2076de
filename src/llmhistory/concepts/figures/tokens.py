"""Figures for chapter 4: what the vocabulary size does to lengths, parameters and languages."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from llmhistory._validate import as_float_array, check_sequence, check_str
from llmhistory.concepts.figures import MARKERS, PALETTE, Figure, check_series, new_figure

__all__ = ["plot_token_tax", "plot_vocabulary_sweep"]


def _sizes(vocab_sizes: object) -> np.ndarray:
    sizes = as_float_array("vocab_sizes", vocab_sizes, ndim=1)
    if sizes.size < 2 or (np.diff(sizes) <= 0).any() or (sizes <= 0).any():
        raise ValueError("vocab_sizes must hold at least 2 positive sizes in increasing order")
    return sizes


def plot_vocabulary_sweep(
    vocab_sizes: object,
    tokens_per_word: object,
    prompt_tokens: object,
    embedding_parameters: object,
) -> Figure:
    """Return two panels against vocabulary size: tokens per word, and the trade-off.

    Parameters
    ----------
    vocab_sizes : array, shape (n,)
        Increasing vocabulary sizes, ``n >= 2``.
    tokens_per_word : mapping of str to array, shape (n,)
        Tokens per word of named text sets (> 0), one line each in the left panel.
    prompt_tokens : array, shape (n,)
        Tokens of one prompt at each size (> 0).
    embedding_parameters : array, shape (n,)
        Parameters of the embedding (and head) at each size (> 0).

    Returns
    -------
    Figure
        Left: tokens per word. Right: prompt tokens and embedding parameters, each divided
        by its value at the smallest size, on one axis.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If sizes are fewer than 2 or not increasing, a series has another length, or a value
        is not positive.

    Examples
    --------
    >>> fig = plot_vocabulary_sweep([258, 512], {"text": [5.0, 2.0]}, [250, 70], [258, 512])
    >>> [ax.get_xlabel() for ax in fig.axes]
    ['Vocabulary size', 'Vocabulary size']
    """
    sizes = _sizes(vocab_sizes)
    per_word = check_series("tokens_per_word", tokens_per_word, sizes.shape)
    prompt = as_float_array("prompt_tokens", prompt_tokens, ndim=1)
    params = as_float_array("embedding_parameters", embedding_parameters, ndim=1)
    for name, values in (("prompt_tokens", prompt), ("embedding_parameters", params)):
        if values.shape != sizes.shape:
            raise ValueError(
                f"{name} must hold one value per size ({sizes.size}), got {values.size}"
            )
    for name, values in [*per_word.items(), ("prompt_tokens", prompt), ("params", params)]:
        if (values <= 0).any():
            raise ValueError(f"{name} must be > 0")
    fig, (left, right) = new_figure(7.2, 3.2, ncols=2)
    for k, (label, values) in enumerate(per_word.items()):
        left.plot(sizes, values, marker=MARKERS[k], color=PALETTE[k % len(PALETTE)], label=label)
    left.set_ylim(0, None)
    left.set_ylabel("Tokens per word")
    left.set_title("Shorter text")
    left.legend(frameon=False)
    right.plot(
        sizes, prompt / prompt[0], marker="o", color=PALETTE[2], label="support prompt tokens"
    )
    right.plot(
        sizes,
        params / params[0],
        marker="s",
        linestyle="--",
        color=PALETTE[3],
        label="embedding parameters",
    )
    right.axhline(1.0, color="0.6", linewidth=0.8)
    right.set_ylabel(f"Relative to {int(sizes[0])} ids")
    right.set_title("The trade-off")
    right.legend(frameon=False)
    for ax in (left, right):
        ax.set_xlabel("Vocabulary size")
    return fig


def plot_token_tax(
    languages: Sequence[str], vocab_sizes: Sequence[int], premiums: object
) -> Figure:
    """Return grouped bars: each language's token premium over English, one bar per size.

    Parameters
    ----------
    languages : sequence of str, length m
        Language names, the x-axis groups.
    vocab_sizes : sequence of int, length n
        Increasing vocabulary sizes, one bar series each.
    premiums : array, shape (n, m)
        Tokens relative to the reference language (>= 0); a dotted line marks 1.

    Returns
    -------
    Figure

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If shapes disagree or a premium is negative.

    Examples
    --------
    >>> fig = plot_token_tax(["English", "Hindi"], [258, 512], [[1.0, 2.9], [1.0, 7.9]])
    >>> len(fig.axes[0].patches)
    4
    """
    names = [
        check_str(f"languages[{i}]", name)
        for i, name in enumerate(check_sequence("languages", languages, "language"))
    ]
    sizes = _sizes(vocab_sizes)
    values = as_float_array("premiums", premiums, ndim=2)
    if values.shape != (sizes.size, len(names)):
        raise ValueError(
            f"premiums has shape {values.shape}, expected ({sizes.size}, {len(names)}): "
            "one row per vocabulary size, one column per language"
        )
    if (values < 0).any():
        raise ValueError("premiums must be >= 0")
    fig, ax = new_figure(7.2, 3.4)
    width = 0.8 / sizes.size
    for j, row in enumerate(values):
        ax.bar(
            np.arange(len(names)) + (j - (sizes.size - 1) / 2) * width,
            row,
            width=width,
            color=PALETTE[j % len(PALETTE)],
            hatch=("", "//", "..", "xx")[j % 4],
            edgecolor="white",
            label=f"{int(sizes[j])} ids",
        )
    ax.axhline(1.0, color="0.3", linestyle=":", linewidth=1.0)
    ax.set_xticks(np.arange(len(names)), names, rotation=30, ha="right")
    ax.set_ylabel("Tokens relative to English")
    ax.legend(frameon=False, title="BPE on the English corpus")
    return fig
