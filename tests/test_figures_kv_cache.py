"""Tests of llmhistory.concepts.figures.kv_cache: one line per model, budget lines, refused
inputs."""

from __future__ import annotations

import numpy as np
import pytest

from llmhistory.concepts.figures.kv_cache import plot_cache_vs_context
from llmhistory.concepts.kv_cache import serving_memory
from llmhistory.concepts.models import get_config
from llmhistory.concepts.precision import GIB

TOKENS = [1024, 4096, 16384]


def _cache(name: str) -> list[float]:
    config = get_config(name)
    return [serving_memory(config, batch=8, tokens=t).breakdown["KV cache"] / GIB for t in TOKENS]


class TestPlotCacheVsContext:
    def test_lines_values_and_labels(self):
        series = {"Llama 2 7B": _cache("llama-2-7b"), "Llama 3 8B": _cache("llama-3-8b")}
        fig = plot_cache_vs_context(
            TOKENS, series, budget_gib={"Llama 2 7B": 67.4, "Llama 3 8B": 65.0}
        )
        (ax,) = fig.axes
        lines = ax.get_lines()
        assert len(lines) == 4
        assert lines[0].get_ydata().tolist() == [4.0, 16.0, 64.0]
        assert lines[1].get_ydata().tolist() == [1.0, 4.0, 16.0]
        assert lines[0].get_xdata().tolist() == TOKENS
        assert lines[2].get_ydata()[0] == 67.4
        assert lines[2].get_color() == lines[0].get_color()
        assert ax.get_xscale() == "log"
        assert ax.get_xlabel() == "context (tokens per sequence)"
        assert ax.get_ylabel() == "KV cache (GiB)"
        assert ax.get_title() == "KV-cache size against context length"
        assert [t.get_text() for t in ax.get_xticklabels()] == ["1,024", "4,096", "16,384"]
        assert [t.get_text() for t in ax.get_legend().get_texts()] == [
            "Llama 2 7B",
            "Llama 3 8B",
            "budget for Llama 2 7B: 67.4 GiB",
            "budget for Llama 3 8B: 65.0 GiB",
        ]

    def test_single_budget_and_custom_labels(self):
        fig = plot_cache_vs_context(
            [1.5, 3], {"m": [0, 1]}, budget_gib=80, title="T", ylabel="weights + KV cache (GiB)"
        )
        ax = fig.axes[0]
        assert ax.get_legend().get_texts()[-1].get_text() == "budget: 80 GiB"
        assert ax.get_ylabel() == "weights + KV cache (GiB)"
        assert ax.get_title() == "T"
        assert [t.get_text() for t in ax.get_xticklabels()] == ["1.5", "3"]

    def test_without_budget(self):
        fig = plot_cache_vs_context([8], {"m": [np.float64(0.5)]})
        assert len(fig.axes[0].get_lines()) == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"tokens": []}, ValueError, "tokens"),
        ({"tokens": [0, 1]}, ValueError, "tokens"),
        ({"cache_gib": [1, 2]}, TypeError, "cache_gib"),
        ({"cache_gib": {}}, ValueError, "cache_gib"),
        ({"cache_gib": {"m": [1]}}, ValueError, "cache_gib"),
        ({"cache_gib": {"m": [-1, 1]}}, ValueError, "cache_gib"),
        ({"cache_gib": {"m": ["a", "b"]}}, TypeError, "cache_gib"),
        ({"budget_gib": 0}, ValueError, "budget_gib"),
        ({"budget_gib": {"other": 10}}, ValueError, "budget_gib"),
        ({"budget_gib": {"m": -1}}, ValueError, "budget_gib"),
        ({"title": ""}, ValueError, "title"),
        ({"ylabel": 3}, TypeError, "ylabel"),
    ],
)
def test_bad_inputs(kwargs, error, name):
    arguments = {"tokens": [1, 2], "cache_gib": {"m": [1, 2]}, **kwargs}
    with pytest.raises(error, match=name):
        plot_cache_vs_context(**arguments)
