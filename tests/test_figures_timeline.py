"""Tests of llmhistory.concepts.figures.timeline: plotted values, markers, labels, bad inputs."""

from __future__ import annotations

import numpy as np
import pytest

from llmhistory.concepts.figures.timeline import plot_frontier
from llmhistory.concepts.timeline import FrontierPoint, frontier_points


def marker_points(ax):
    """(x, y, marker) of every single-point line (the model markers)."""
    return [
        (line.get_xdata()[0], line.get_ydata()[0], line.get_marker())
        for line in ax.get_lines()
        if len(line.get_xdata()) == 1
    ]


class TestFrontier:
    def test_parameters_plot_every_point_with_its_marker(self):
        points, missing = frontier_points("parameters")
        fig = plot_frontier(points, missing, measure="parameters")
        (ax,) = fig.axes
        drawn = marker_points(ax)
        for p in points:
            marker = "o" if p.open_weights else "s"
            assert any(
                np.isclose(x, p.year) and np.isclose(y, p.value) and m == marker
                for x, y, m in drawn
            ), p.name
        # a mixture of experts also shows its active parameters
        assert any(np.isclose(y, 37e9) and m == "v" for _, y, m in drawn)
        assert ax.get_yscale() == "log"
        assert ax.get_ylabel() == "parameters (count, log scale)"
        assert ax.get_xlabel() == "release date (year)"
        assert [t.get_text() for t in ax.get_legend().get_texts()] == [
            "open weights",
            "closed",
            "active per token (MoE)",
        ]
        assert fig.get_supxlabel() == "Not plotted (no published value): ChatGPT, GPT-4, o1"

    def test_every_model_is_named_and_twins_share_a_label(self):
        points, missing = frontier_points("parameters")
        fig = plot_frontier(points, missing, measure="parameters")
        labels = [t.get_text() for t in fig.axes[0].texts]
        assert "DeepSeek-V3, DeepSeek-R1" in labels
        assert len(labels) == len(points) - 1
        for p in points:
            assert any(p.name in label for label in labels)

    def test_labels_stay_inside_and_apart_when_there_is_room(self):
        points, missing = frontier_points("training compute")
        fig = plot_frontier(points, missing, measure="training compute")
        ax = fig.axes[0]
        fig.draw_without_rendering()
        boxes = [t.get_window_extent() for t in ax.texts]
        for i, a in enumerate(boxes):
            assert not any(a.overlaps(b) for b in boxes[i + 1 :])
        assert ax.get_ylabel() == "training compute 6ND (FLOPs, log scale)"

    def test_closed_only_has_no_open_legend(self):
        fig = plot_frontier(*frontier_points("parameters", "closed"), measure="parameters")
        assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["closed"]

    def test_empty(self):
        fig = plot_frontier([], ["GPT-4", "o1"], measure="parameters", title="T")
        assert fig.axes[0].get_title() == "T"
        assert fig.axes[0].get_legend() is None
        assert fig.get_supxlabel().endswith("GPT-4, o1")


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"measure": "flops"}, ValueError, "measure"),
        ({"points": [(2020.0, 1e9)]}, TypeError, r"points\[0\]"),
        ({"missing": [3]}, TypeError, r"missing\[0\]"),
        ({"title": ""}, ValueError, "title"),
    ],
)
def test_bad_inputs(kwargs, error, name):
    arguments = {
        "points": [FrontierPoint("A", 2020.0, 1e9, None, True)],
        "measure": "parameters",
        **kwargs,
    }
    with pytest.raises(error, match=name):
        plot_frontier(**arguments)
