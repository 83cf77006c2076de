"""Tests of llmhistory.concepts.figures.decoding: panels, bars, labels, zero markers and refused
inputs."""

from __future__ import annotations

import numpy as np
import pytest

from llmhistory.concepts.decoding import DecodingPolicy, next_token_distribution
from llmhistory.concepts.figures.decoding import plot_distributions

LOGITS = np.array([2.0, 1.0, 0.5, -1.0])
TOKENS = [" I", " Your", " Thanks", "\n"]


def _panels():
    temps = {
        f"T = {t:g}": next_token_distribution(LOGITS, DecodingPolicy.sampling(temperature=t))
        for t in (0.5, 1.0, 2.0)
    }
    filters = {
        "top-k 2": next_token_distribution(LOGITS, DecodingPolicy.sampling(top_k=2)),
        "top-p 0.9": next_token_distribution(LOGITS, DecodingPolicy.sampling(top_p=0.9)),
    }
    return {"temperature": temps, "filters": filters}


class TestPlotDistributions:
    def test_axes_titles_and_labels(self):
        fig = plot_distributions(TOKENS, _panels(), title="Demo")
        ax_t, ax_f = fig.axes
        assert (ax_t.get_title(), ax_f.get_title()) == ("temperature", "filters")
        assert ax_t.get_xlabel() == "candidate next token"
        assert ax_t.get_ylabel() == "probability"
        assert [t.get_text() for t in ax_t.get_xticklabels()] == [repr(t) for t in TOKENS]
        assert fig._suptitle.get_text() == "Demo"

    def test_bar_heights_are_the_distributions(self):
        panels = _panels()
        fig = plot_distributions(TOKENS, panels)
        ax_t, ax_f = fig.axes
        assert len(ax_t.patches) == 3 * 4 and len(ax_f.patches) == 2 * 4
        heights = [p.get_height() for p in ax_t.patches]
        np.testing.assert_allclose(heights[:4], panels["temperature"]["T = 0.5"])
        np.testing.assert_allclose(heights[8:], panels["temperature"]["T = 2"])
        legend = [t.get_text() for t in ax_f.get_legend().get_texts()]
        assert legend == ["top-k 2", "top-p 0.9"]

    def test_dropped_tokens_get_a_marker(self):
        fig = plot_distributions(TOKENS, _panels())
        ax_f = fig.axes[1]
        markers = [line for line in ax_f.get_lines() if line.get_marker() == "x"]
        assert sum(len(line.get_xdata()) for line in markers) >= 2  # top-k 2 drops two tokens
        assert all(np.all(line.get_ydata() == 0) for line in markers)

    def test_one_token(self):
        fig = plot_distributions(["a"], {"one": {"only": [1.0]}})
        assert [p.get_height() for p in fig.axes[0].patches] == [1.0]


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"tokens": "ab"}, TypeError, "tokens"),
        ({"tokens": []}, ValueError, "tokens"),
        ({"tokens": ["a", 1]}, TypeError, r"tokens\[1\]"),
        ({"panels": [1]}, TypeError, "panels"),
        ({"panels": {}}, ValueError, "panels"),
        ({"panels": {"p": {}}}, ValueError, "panels"),
        ({"panels": {"p": [0.5, 0.5]}}, TypeError, r"panels\['p'\] must be a mapping"),
        ({"panels": {"p": {"s": [0.5]}}}, ValueError, "shape"),
        ({"panels": {"p": {"s": [1.5, 0.0]}}}, ValueError, r"\[0, 1\]"),
        ({"panels": {"": {"s": [0.5, 0.5]}}}, ValueError, "panels key"),
        ({"title": ""}, ValueError, "title"),
    ],
)
def test_bad_inputs(kwargs, error, name):
    arguments = {"tokens": ["a", "b"], "panels": {"p": {"s": [0.5, 0.5]}}, **kwargs}
    with pytest.raises(error, match=name):
        plot_distributions(**arguments)
