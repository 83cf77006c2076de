"""Tests of llmhistory.concepts.figures.masks: panels, labels, cell values and refused inputs."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.patches import Rectangle

from llmhistory.concepts.figures.masks import plot_masks
from llmhistory.concepts.masks import bidirectional_mask, causal_mask

TOKENS = ["<bos>", "refund", "approved", "<eos>"]


def _cells(ax) -> list[int]:
    return [int(t.get_text()) for t in ax.texts]


class TestPlotMasks:
    def test_two_panels_with_titles_labels_and_values(self):
        fig = plot_masks({"causal": causal_mask(4), "bidirectional": bidirectional_mask(4)}, TOKENS)
        causal_ax, bidirectional_ax = fig.axes
        assert causal_ax.get_title() == "causal"
        assert bidirectional_ax.get_title() == "bidirectional"
        assert causal_ax.get_xlabel() == "key (token attended to)"
        assert causal_ax.get_ylabel() == "query (token attending)"
        assert [t.get_text() for t in causal_ax.get_xticklabels()] == TOKENS
        assert [t.get_text() for t in causal_ax.get_yticklabels()] == TOKENS
        assert _cells(causal_ax) == causal_mask(4).astype(int).ravel().tolist()
        assert _cells(bidirectional_ax) == [1] * 16
        # the seed example's row for 'approved'
        assert _cells(causal_ax)[8:12] == [1, 1, 1, 0]
        assert np.array_equal(causal_ax.images[0].get_array(), causal_mask(4).astype(int))
        assert fig._suptitle.get_text() == "Which keys each query may attend to"

    def test_legend_names_both_states(self):
        fig = plot_masks({"causal": causal_mask(3)}, ["a", "b", "c"], title="Demo")
        labels = [t.get_text() for t in fig.legends[0].get_texts()]
        assert labels == ["1 = visible", "0 = blocked"]
        assert fig._suptitle.get_text() == "Demo"

    def test_highlight_outlines_the_row_and_joins_the_legend(self):
        fig = plot_masks({"causal": causal_mask(4)}, TOKENS, highlight=2)
        (ax,) = fig.axes
        rectangles = [p for p in ax.patches if isinstance(p, Rectangle)]
        assert len(rectangles) == 1
        assert rectangles[0].get_xy() == (-0.5, 1.5)
        assert rectangles[0].get_width() == 4
        labels = [t.get_text() for t in fig.legends[0].get_texts()]
        assert labels[-1] == "query 'approved'"

    def test_one_token(self):
        fig = plot_masks({"causal": [[True]]}, ["<bos>"])
        assert _cells(fig.axes[0]) == [1]

    def test_accepts_zero_one_ints(self):
        fig = plot_masks({"padding": [[1, 0], [1, 0]]}, ["hi", "<pad>"])
        assert _cells(fig.axes[0]) == [1, 0, 1, 0]


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"masks": [causal_mask(2)]}, TypeError, "masks"),
        ({"masks": {}}, ValueError, "masks"),
        ({"masks": {"c": causal_mask(3)}}, ValueError, "masks"),
        ({"masks": {"c": [[0.5, 1], [1, 1]]}}, ValueError, "masks"),
        ({"masks": {"c": ["ab", "cd"]}}, TypeError, "masks"),
        ({"masks": {"": causal_mask(2)}}, ValueError, "masks key"),
        ({"tokens": "ab"}, TypeError, "tokens"),
        ({"tokens": []}, ValueError, "tokens"),
        ({"tokens": ["a", 2]}, TypeError, r"tokens\[1\]"),
        ({"highlight": 2}, ValueError, "highlight"),
        ({"highlight": -1}, ValueError, "highlight"),
        ({"highlight": 1.0}, TypeError, "highlight"),
        ({"title": ""}, ValueError, "title"),
    ],
)
def test_bad_inputs(kwargs, error, name):
    arguments = {"masks": {"causal": causal_mask(2)}, "tokens": ["a", "b"], **kwargs}
    with pytest.raises(error, match=name):
        plot_masks(**arguments)
