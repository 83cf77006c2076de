"""Tests of llmhistory.concepts.figures.roofline: the roof, the ridge, the points, bad inputs."""

from __future__ import annotations

import numpy as np
import pytest

from llmhistory.concepts.figures.roofline import plot_roofline
from llmhistory.concepts.roofline import H100_SXM, Accelerator


class TestPlotRoofline:
    def test_roof_ridge_and_points(self):
        fig = plot_roofline(H100_SXM, {"decode": 1.0, "prefill": 2000.0})
        (ax,) = fig.axes
        roof, ridge, decode, prefill = ax.get_lines()
        assert roof.get_ydata().max() == pytest.approx(989.5)
        assert ridge.get_xdata()[0] == pytest.approx(H100_SXM.ridge)
        assert decode.get_ydata()[0] == pytest.approx(3.35)  # 1 FLOP/byte x 3.35 TB/s
        assert prefill.get_ydata()[0] == pytest.approx(989.5)  # on the flat roof
        assert ax.get_xscale() == ax.get_yscale() == "log"
        assert ax.get_title() == "Roofline of the H100 SXM"
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels == ["attainable", "decode", "prefill"]

    def test_roof_is_min_of_the_two_limits(self):
        chip = Accelerator("toy", peak_flops=1e12, bandwidth=1e10)
        roof = plot_roofline(chip, {"a": 1.0}, title="T").axes[0].get_lines()[0]
        x, y = roof.get_xdata(), roof.get_ydata()
        assert np.allclose(y, np.minimum(1.0, x * 1e10 / 1e12))

    def test_bad_inputs(self):
        with pytest.raises(TypeError, match="accelerator"):
            plot_roofline("H100", {"a": 1.0})
        with pytest.raises(ValueError, match="points"):
            plot_roofline(H100_SXM, {})
        with pytest.raises(ValueError, match=r"points\['a'\]"):
            plot_roofline(H100_SXM, {"a": 0.0})
        with pytest.raises(TypeError, match="points"):
            plot_roofline(H100_SXM, [("a", 1.0)])
