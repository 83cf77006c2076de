"""Tests of llmhistory.concepts.figures.memory: stacked parts, totals, GPU lines and refused
inputs."""

from __future__ import annotations

import numpy as np
import pytest

from llmhistory.concepts.figures.memory import plot_memory_breakdown
from llmhistory.concepts.finetuning import FINETUNE_METHODS, finetune_memory
from llmhistory.concepts.models import get_config
from llmhistory.concepts.precision import GIB, MemoryEstimate

LLAMA3_8B = get_config("llama-3-8b")


def _estimates():
    return [finetune_memory(LLAMA3_8B, m) for m in FINETUNE_METHODS]


class TestPlotMemoryBreakdown:
    def test_stacks_every_part_and_labels_axes(self):
        estimates = _estimates()
        fig = plot_memory_breakdown({"Llama 3 8B": estimates})
        (ax,) = fig.axes
        assert ax.get_title() == "Llama 3 8B"
        assert ax.get_ylabel() == "memory (GiB)"
        assert ax.get_xlabel() == "method"
        assert [t.get_text() for t in ax.get_xticklabels()] == ["full", "lora", "qlora"]
        parts = ["weights", "gradients", "optimizer states", "quantization constants"]
        # "quantization constants" is 0 for full and LoRA, so it first appears after the others
        assert [t.get_text() for t in fig.legends[0].get_texts()] == parts
        assert len(ax.containers) == 4
        weights = [bar.get_height() for bar in ax.containers[0]]
        assert weights == pytest.approx([e.breakdown["weights"] / GIB for e in estimates])
        tops = [
            max(bar.get_y() + bar.get_height() for bar in (c[i] for c in ax.containers))
            for i in range(3)
        ]
        assert tops == pytest.approx([e.gib for e in estimates])
        texts = [t.get_text() for t in ax.texts]
        assert texts == ["119.7", "15.2", "4.1", "24 GiB GPU", "48 GiB GPU", "80 GiB GPU"]
        assert sorted(line.get_ydata()[0] for line in ax.get_lines()) == [24, 48, 80]
        assert fig._suptitle.get_text().startswith("Memory to fine-tune")

    def test_two_panels_share_one_legend(self):
        fig = plot_memory_breakdown(
            {"a": _estimates()[:1], "b": _estimates()[1:]}, gpu_gib=[], title="Two"
        )
        assert [ax.get_title() for ax in fig.axes] == ["a", "b"]
        assert len(fig.legends) == 1
        assert fig.axes[0].get_lines() == []
        assert fig._suptitle.get_text() == "Two"

    def test_zero_parts_left_out(self):
        estimate = MemoryEstimate("serving", {"weights": 2 * GIB, "KV cache": 0})
        fig = plot_memory_breakdown({"toy": [estimate]}, gpu_gib=(4,))
        assert [t.get_text() for t in fig.legends[0].get_texts()] == ["weights"]
        assert np.isclose(fig.axes[0].get_ylim()[1], 1.12 * 4)


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"panels": [1]}, TypeError, "panels"),
        ({"panels": {}}, ValueError, "panels"),
        ({"panels": {"a": []}}, ValueError, "panels"),
        ({"panels": {"a": "full"}}, TypeError, "panels"),
        ({"panels": {"a": [1.0]}}, TypeError, "MemoryEstimate"),
        ({"panels": {"": _estimates()}}, ValueError, "panels key"),
        ({"gpu_gib": 80}, TypeError, "gpu_gib"),
        ({"gpu_gib": [0]}, ValueError, "gpu_gib"),
        ({"title": ""}, ValueError, "title"),
    ],
)
def test_bad_inputs(kwargs, error, name):
    arguments = {"panels": {"m": _estimates()}, **kwargs}
    with pytest.raises(error, match=name):
        plot_memory_breakdown(**arguments)
