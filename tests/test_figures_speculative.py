"""Tests of llmhistory.concepts.figures.speculative: the two panels and refused inputs."""

from __future__ import annotations

import pytest

from llmhistory.concepts.figures.speculative import plot_speculative


class TestPlotSpeculative:
    def test_panels_lines_and_labels(self):
        fig = plot_speculative([1, 2, 4], [1.5, 2.0, 2.5], [0.9, 1.1, 1.0], expected=[1.6, 2, 2.6])
        left, right = fig.axes
        measured, formula = left.get_lines()
        assert measured.get_ydata().tolist() == [1.5, 2.0, 2.5]
        assert formula.get_ydata().tolist() == [1.6, 2.0, 2.6]
        speed, one = right.get_lines()
        assert speed.get_ydata().tolist() == [0.9, 1.1, 1.0] and one.get_ydata()[0] == 1.0
        assert left.get_ylabel() == "tokens per target pass"
        assert right.get_ylabel() == "speed-up over plain decoding"
        assert [t.get_text() for t in left.get_legend().get_texts()] == [
            "measured",
            "formula, measured α",
        ]

    def test_without_expected(self):
        assert len(plot_speculative([1], [1.2], [0.8]).axes[0].get_lines()) == 1

    def test_bad_inputs(self):
        with pytest.raises(ValueError, match="ks must hold increasing"):
            plot_speculative([2, 1], [1, 1], [1, 1])
        with pytest.raises(ValueError, match="speedup must have 2 values"):
            plot_speculative([1, 2], [1, 1], [1])
        with pytest.raises(ValueError, match="tokens_per_round must hold values > 0"):
            plot_speculative([1], [0], [1])
        with pytest.raises(TypeError, match="ks"):
            plot_speculative([1.5], [1], [1])
