"""Tests of llmhistory.concepts.figures.decoder: heatmap panels, masked future, values and bad
inputs."""

from __future__ import annotations

import numpy as np
import pytest

from llmhistory.concepts.decoding import softmax
from llmhistory.concepts.figures.decoder import plot_attention
from llmhistory.concepts.masks import additive_mask, causal_mask

TOKENS = ["Where", " is", " my", " order", "?"]


def _weights(seed: int) -> np.ndarray:
    scores = np.random.default_rng(seed).normal(size=(5, 5))
    return softmax(scores + additive_mask(causal_mask(5)), axis=-1)


class TestPlotAttention:
    def test_panels_labels_and_colorbar(self):
        fig = plot_attention(
            {"layer 0, head 0": _weights(0), "layer 1, head 3": _weights(1)}, TOKENS
        )
        ax0, ax1, cbar = fig.axes
        assert (ax0.get_title(), ax1.get_title()) == ("layer 0, head 0", "layer 1, head 3")
        assert ax0.get_xlabel() == "key (token attended to)"
        assert ax0.get_ylabel() == "query (token attending)"
        assert [t.get_text() for t in ax0.get_yticklabels()] == [repr(t) for t in TOKENS]
        assert cbar.get_ylabel() == "attention weight"
        legend = [t.get_text() for t in fig.legends[0].get_texts()]
        assert legend == ["future key, hidden by the causal mask"]

    def test_image_holds_weights_with_future_masked(self):
        weights = _weights(2)
        fig = plot_attention({"h": weights}, TOKENS)
        data = fig.axes[0].images[0].get_array()
        assert data.mask.tolist() == np.triu(np.ones((5, 5), bool), k=1).tolist()
        np.testing.assert_allclose(data.data, weights)
        texts = [t.get_text() for t in fig.axes[0].texts]
        assert len(texts) == 15  # the lower triangle with the diagonal
        assert texts[0] == "1.00"  # the first token can only look at itself
        assert texts[-1] == f"{weights[4, 4]:.2f}"

    def test_bidirectional_without_annotations(self):
        fig = plot_attention({"h": np.full((2, 2), 0.5)}, ["a", "b"], causal=False, annotate=False)
        assert not fig.axes[0].texts
        assert not fig.axes[0].images[0].get_array().mask.any()
        assert not fig.legends


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"maps": [np.eye(2)]}, TypeError, "maps"),
        ({"maps": {}}, ValueError, "maps"),
        ({"maps": {"h": np.eye(3)}}, ValueError, "shape"),
        ({"maps": {"h": [[2.0, 0.0], [0.0, 1.0]]}}, ValueError, r"\[0, 1\]"),
        ({"maps": {"h": [[-0.1, 0.0], [0.0, 1.0]]}}, ValueError, r"\[0, 1\]"),
        ({"maps": {"": np.eye(2)}}, ValueError, "maps key"),
        ({"tokens": "ab"}, TypeError, "tokens"),
        ({"tokens": []}, ValueError, "tokens"),
        ({"title": ""}, ValueError, "title"),
        ({"causal": 1}, TypeError, "causal"),
    ],
)
def test_bad_inputs(kwargs, error, name):
    arguments = {"maps": {"h": np.eye(2)}, "tokens": ["a", "b"], **kwargs}
    with pytest.raises(error, match=name):
        plot_attention(**arguments)
