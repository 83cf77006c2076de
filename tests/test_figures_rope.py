"""Tests of llmhistory.concepts.figures.rope: panels, lines, plotted values and refused inputs."""

from __future__ import annotations

import numpy as np
import pytest

from llmhistory.concepts.figures.rope import (
    plot_frequency_scaling,
    plot_rotated_pairs,
    plot_scores_by_gap,
)
from llmhistory.concepts.rope import rotate_2d, scores_by_gap

QUERY, KEY = [1.0, 0.2], [0.3, 0.9]


class TestRotatedPairs:
    def test_one_panel_per_pair_with_the_rotated_vectors(self):
        pairs = {
            "positions 4 and 2": (rotate_2d(QUERY, 4), rotate_2d(KEY, 2)),
            "positions 14 and 12": (rotate_2d(QUERY, 14), rotate_2d(KEY, 12)),
        }
        fig = plot_rotated_pairs(pairs)
        assert [ax.get_title() for ax in fig.axes] == list(pairs)
        assert fig._suptitle.get_text() == "Rotated query and key in two dimensions"
        for ax, (q, k) in zip(fig.axes, pairs.values(), strict=True):
            query_line, _, key_line = ax.get_lines()[:3]
            assert query_line.get_label() == "query"
            assert key_line.get_label() == "key"
            assert np.allclose(query_line.get_xydata()[1], q)
            assert np.allclose(key_line.get_xydata()[1], k)
            assert ax.get_xlabel() == "coordinate 1 (unitless)"
            assert ax.get_ylabel() == "coordinate 2 (unitless)"
            assert [t.get_text() for t in ax.get_legend().get_texts()] == ["query", "key"]
        # panels share limits so angles and lengths compare
        assert fig.axes[0].get_xlim() == fig.axes[1].get_xlim()

    def test_zero_vectors_still_draw(self):
        fig = plot_rotated_pairs({"zero": ([0.0, 0.0], [0.0, 0.0])}, title="T")
        assert fig.axes[0].get_xlim() == (-1.0, 1.0)
        assert fig._suptitle.get_text() == "T"


class TestScoresByGap:
    def test_lines_hold_the_scores(self):
        gaps = np.arange(0, 17)
        q, k = np.ones(8), np.ones(8)
        curves = {
            "offset 0": scores_by_gap(q, k, gaps),
            "offset 100": scores_by_gap(q, k, gaps, offset=100),
        }
        fig = plot_scores_by_gap(gaps, curves)
        (ax,) = fig.axes
        lines = ax.get_lines()
        assert [line.get_label() for line in lines[:2]] == ["offset 0", "offset 100"]
        assert np.allclose(lines[0].get_ydata(), curves["offset 0"])
        assert np.allclose(lines[0].get_ydata(), lines[1].get_ydata())
        assert lines[0].get_ydata()[0] == pytest.approx(8.0)
        assert list(lines[-1].get_ydata()) == [0.0, 0.0]  # the zero line
        assert ax.get_xlabel() == "gap between query and key positions (tokens)"
        assert ax.get_ylabel() == "score (dot product, unitless)"
        assert ax.get_title() == "Attention score against position gap"
        assert ax.get_xscale() == "linear"
        assert [t.get_text() for t in fig.legends[0].get_texts()] == list(curves)

    def test_log_gap(self):
        fig = plot_scores_by_gap([1, 10, 100], {"a": [1.0, 0.5, 0.1]}, log_gap=True, ylabel="s")
        (ax,) = fig.axes
        assert ax.get_xscale() == "log"
        assert ax.get_xlabel().endswith("(tokens, log scale)")
        assert ax.get_ylabel() == "s"


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"pairs": [([1.0, 0.0], [0.0, 1.0])]}, TypeError, "pairs"),
        ({"pairs": {}}, ValueError, "pairs"),
        ({"pairs": {"p": ([1.0, 0.0],)}}, ValueError, "pairs"),
        ({"pairs": {"p": ([1.0, 0.0, 0.0], [0.0, 1.0, 0.0])}}, ValueError, "pairs"),
        ({"pairs": {"p": ([1.0, np.inf], [0.0, 1.0])}}, ValueError, "pairs"),
        ({"pairs": {"p": (["a", "b"], [0.0, 1.0])}}, TypeError, "pairs"),
        ({"pairs": {"": ([1.0, 0.0], [0.0, 1.0])}}, ValueError, "pairs key"),
        ({"title": ""}, ValueError, "title"),
    ],
)
def test_rotated_pairs_bad_inputs(kwargs, error, name):
    arguments = {"pairs": {"p": ([1.0, 0.0], [0.0, 1.0])}, **kwargs}
    with pytest.raises(error, match=name):
        plot_rotated_pairs(**arguments)


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"gaps": [0.5, 1.0]}, TypeError, "gaps"),
        ({"gaps": []}, ValueError, "gaps"),
        ({"gaps": [-1, 0]}, ValueError, "gaps"),
        ({"gaps": [0, 1], "log_gap": True}, ValueError, "gaps"),
        ({"log_gap": 1}, TypeError, "log_gap"),
        ({"curves": [1.0, 0.5]}, TypeError, "curves"),
        ({"curves": {}}, ValueError, "curves"),
        ({"curves": {"a": [1.0]}}, ValueError, "curves"),
        ({"curves": {"a": [1.0, np.nan]}}, ValueError, "curves"),
        ({"ylabel": ""}, ValueError, "ylabel"),
    ],
)
def test_scores_by_gap_bad_inputs(kwargs, error, name):
    arguments = {"gaps": [1, 2], "curves": {"a": [1.0, 0.5]}, **kwargs}
    with pytest.raises(error, match=name):
        plot_scores_by_gap(**arguments)


class TestFrequencyScaling:
    def test_lines_hold_the_ratios(self):
        from llmhistory.concepts.rope import llama3_frequencies, rope_frequencies

        old = rope_frequencies(128, base=500000.0)
        ratios = {"Llama 3.1": llama3_frequencies(128) / old, "PI": np.full(64, 1 / 8)}
        fig = plot_frequency_scaling(2 * np.pi / old, ratios, original_context=8192)
        (ax,) = fig.axes
        lines = ax.get_lines()
        assert [line.get_label() for line in lines[:2]] == ["Llama 3.1", "PI"]
        np.testing.assert_allclose(lines[0].get_xdata(), 2 * np.pi / old)
        np.testing.assert_allclose(lines[0].get_ydata(), ratios["Llama 3.1"])
        assert lines[0].get_ydata()[0] == 1.0 and lines[0].get_ydata()[-1] == 1 / 8
        assert list(lines[-1].get_xdata()) == [8192, 8192]  # the context line
        assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
        assert ax.get_xlabel().startswith("original wavelength") and "tokens" in ax.get_xlabel()
        assert [t.get_text() for t in fig.legends[0].get_texts()] == list(ratios)


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"wavelengths": []}, ValueError, "wavelengths"),
        ({"wavelengths": [0.0, 1.0]}, ValueError, "wavelengths"),
        ({"ratios": {"a": [1.0, 0.0]}}, ValueError, "ratios"),
        ({"ratios": {"a": [1.0]}}, ValueError, "ratios"),
        ({"ratios": [1.0, 0.5]}, TypeError, "ratios"),
        ({"original_context": 0}, ValueError, "original_context"),
        ({"title": ""}, ValueError, "title"),
    ],
)
def test_frequency_scaling_bad_inputs(kwargs, error, name):
    arguments = {"wavelengths": [6.3, 63.0], "ratios": {"a": [1.0, 0.5]}, "original_context": 256}
    arguments.update(kwargs)
    with pytest.raises(error, match=name):
        plot_frequency_scaling(**arguments)
