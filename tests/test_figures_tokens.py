"""Tests of llmhistory.concepts.figures.tokens."""

from __future__ import annotations

import numpy as np
import pytest

from llmhistory.concepts.figures.tokens import plot_token_tax
from llmhistory.concepts.figures.tokens import plot_vocabulary_sweep as sweep

SIZES = [258, 384, 512]


def test_sweep_draws_each_series_and_the_relative_tradeoff():
    fig = sweep(
        SIZES,
        {"held-out": [5.0, 3.0, 2.0], "eval": [5.2, 3.2, 2.6]},
        [250, 75, 68],
        [258, 384, 512],
    )
    left, right = fig.axes
    assert len(left.lines) == 2
    assert np.allclose(left.lines[1].get_ydata(), [5.2, 3.2, 2.6])
    assert np.allclose(right.lines[0].get_ydata(), [1.0, 75 / 250, 68 / 250])
    assert np.allclose(right.lines[1].get_ydata(), [1.0, 384 / 258, 512 / 258])
    assert right.get_ylabel() == "Relative to 258 ids"
    assert [t.get_text() for t in left.get_legend().get_texts()] == ["held-out", "eval"]


def test_token_tax_draws_a_bar_per_size_and_language():
    fig = plot_token_tax(["English", "Russian"], SIZES, [[1, 1.5], [1, 3.0], [1, 4.0]])
    (ax,) = fig.axes
    assert len(ax.patches) == 6
    heights = [p.get_height() for p in ax.patches]
    assert heights == [1, 1.5, 1, 3.0, 1, 4.0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["English", "Russian"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["258 ids", "384 ids", "512 ids"]


@pytest.mark.parametrize(
    ("call", "error", "name"),
    [
        (lambda: sweep([258], {"a": [1]}, [1], [1]), ValueError, "vocab_sizes"),
        (lambda: sweep([512, 258], {"a": [1, 1]}, [1, 1], [1, 1]), ValueError, "vocab_sizes"),
        (lambda: sweep([1, 2], {"a": [1]}, [1, 1], [1, 1]), ValueError, "tokens_per_word"),
        (lambda: sweep([1, 2], {"a": [1, 1]}, [1], [1, 1]), ValueError, "prompt_tokens"),
        (lambda: sweep([1, 2], {"a": [1, 0]}, [1, 1], [1, 1]), ValueError, "a"),
        (lambda: sweep([1, 2], [1, 1], [1, 1], [1, 1]), TypeError, "tokens_per_word"),
        (lambda: plot_token_tax(["a"], [1, 2], [[1, 1], [1, 1]]), ValueError, "premiums"),
        (lambda: plot_token_tax(["a"], [1, 2], [[1], [-1]]), ValueError, "premiums"),
        (lambda: plot_token_tax("ab", [1, 2], [[1], [1]]), TypeError, "languages"),
        (lambda: plot_token_tax([], [1, 2], [[1], [1]]), ValueError, "languages"),
    ],
)  # fmt: skip
def test_bad_input(call, error, name):
    with pytest.raises(error, match=name):
        call()
