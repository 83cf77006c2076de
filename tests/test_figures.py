"""Tests of the shared figure style, bar layout and argument checks."""

import io

import numpy as np
import pytest

from llmhistory._validate import as_bool_array, as_positive_float_array
from llmhistory.concepts.figures import (
    HATCHES,
    PALETTE,
    check_series,
    check_tokens,
    figure_svg,
    grouped_bars,
    new_figure,
)


def test_new_figure_size_and_palette():
    fig, ax = new_figure(5, 2)
    line = ax.plot([0, 1], [0, 1])[0]
    assert tuple(fig.get_size_inches()) == (5.0, 2.0)
    assert line.get_color() == PALETTE[0]


def test_new_figure_columns():
    fig, axes = new_figure(ncols=3)
    assert len(axes) == 3


@pytest.mark.parametrize(("kwargs", "name"), [({"width": 0}, "width"), ({"ncols": 0}, "ncols")])
def test_bad_sizes(kwargs, name):
    with pytest.raises(ValueError, match=name):
        new_figure(**kwargs)


class TestGroupedBars:
    def test_three_series_share_the_group_width(self):
        _, ax = new_figure(4, 3)
        offsets = grouped_bars(ax, {"a": [1.0, 2.0], "b": [3.0, 4.0], "c": [5.0, 6.0]})
        assert np.allclose(offsets, [-0.8 / 3, 0.0, 0.8 / 3])
        bars = ax.patches
        assert [round(b.get_height(), 6) for b in bars] == [1, 2, 3, 4, 5, 6]
        assert all(np.isclose(b.get_width(), 0.8 / 3) for b in bars)
        centres = [b.get_x() + b.get_width() / 2 for b in bars]
        assert np.allclose(centres, [-0.8 / 3, 1 - 0.8 / 3, 0, 1, 0.8 / 3, 1 + 0.8 / 3])
        assert [str(b.get_hatch()) for b in bars[::2]] == list(HATCHES[:3])
        assert [c.get_label() for c in ax.containers] == ["a", "b", "c"]

    def test_one_series_is_centred_and_colours_cycle(self):
        _, ax = new_figure(4, 3)
        assert grouped_bars(ax, {"only": [1.0]}) == [0.0]
        many = {f"s{j}": [1.0] for j in range(len(PALETTE) + 1)}
        _, ax = new_figure(4, 3)
        grouped_bars(ax, many)
        assert ax.patches[-1].get_facecolor() == ax.patches[0].get_facecolor()


class TestChecks:
    def test_tokens(self):
        assert check_tokens(("<bos>", " ", "")) == ["<bos>", " ", ""]

    @pytest.mark.parametrize(
        ("tokens", "error", "name"),
        [
            ("ab", TypeError, "tokens"),
            (None, TypeError, "tokens"),
            ([], ValueError, "tokens must hold at least one token"),
            (["a", 1], TypeError, r"tokens\[1\]"),
        ],
    )
    def test_bad_tokens(self, tokens, error, name):
        with pytest.raises(error, match=name):
            check_tokens(tokens)

    def test_series(self):
        out = check_series("loads", {"a": [1, 2], "b": (3, 4)}, (2,))
        assert list(out) == ["a", "b"] and out["b"].dtype == np.float64
        masks = check_series("masks", {"m": [[1, 0], [1, 1]]}, (2, 2), convert=as_bool_array)
        assert masks["m"].dtype == bool and masks["m"].tolist() == [[True, False], [True, True]]

    @pytest.mark.parametrize(
        ("value", "kwargs", "error", "match"),
        [
            ([1, 2], {}, TypeError, r"loads must be a mapping \{label: series\}"),
            ({}, {"item": "curve"}, ValueError, "loads must hold at least one curve"),
            ({"": [1, 2]}, {}, ValueError, "loads key"),
            ({"a": [1, 2, 3]}, {"why": " like tokens"}, ValueError, r"\(2,\) like tokens$"),
            ({"a": [[1, 2]]}, {}, ValueError, r"loads\['a'\] must be a 1-D array"),
            ({"a": ["x", 2]}, {}, TypeError, r"loads\['a'\]"),
            ({"a": [1, 0]}, {"convert": as_positive_float_array}, ValueError, r"loads\['a'\]"),
        ],
    )
    def test_bad_series(self, value, kwargs, error, match):
        with pytest.raises(error, match=match):
            check_series("loads", value, (2,), **kwargs)


class TestUseSvgDisplay:
    """use_svg_display swaps a running shell's Figure formatter from PNG to figure_svg."""

    def test_in_a_shell_figures_become_svg_not_png(self, monkeypatch):
        from unittest import mock

        from IPython.core.formatters import DisplayFormatter
        from matplotlib.figure import Figure

        from llmhistory.concepts.figures import figure_svg, use_svg_display

        shell = mock.Mock(display_formatter=DisplayFormatter())
        formatters = shell.display_formatter.formatters
        formatters["image/png"].for_type(Figure, lambda fig: b"png")
        monkeypatch.setattr("IPython.get_ipython", lambda: shell)
        assert use_svg_display() is True
        assert Figure not in formatters["image/png"].type_printers
        assert formatters["image/svg+xml"].type_printers[Figure] is figure_svg

    def test_without_a_shell_nothing_changes(self, monkeypatch):
        from llmhistory.concepts.figures import use_svg_display

        monkeypatch.setattr("IPython.get_ipython", lambda: None)
        assert use_svg_display() is False


class TestFigureSvg:
    def _figure(self):
        fig, ax = new_figure(4, 2.5)
        ax.plot([0, 1, 2], [1, 3, 2], label="loss")
        ax.set_title("A title", fontsize=7)
        ax.legend()
        return fig

    def test_same_figure_same_bytes_and_the_tight_box_of_savefig(self):
        import io
        import re

        import matplotlib.pyplot as plt

        fig = self._figure()
        svg = figure_svg(fig)
        assert svg == figure_svg(fig) == figure_svg(fig)
        # the size equals what savefig's own "tight" box gives for the same layout
        buffer = io.StringIO()
        with plt.rc_context({"svg.fonttype": "path"}):
            fig.savefig(buffer, format="svg", bbox_inches="tight")
        size = r'width="([\d.]+)pt" height="([\d.]+)pt"'
        ours = [float(v) for v in re.search(size, svg).groups()]
        theirs = [float(v) for v in re.search(size, buffer.getvalue()).groups()]
        assert ours == pytest.approx(theirs, abs=0.5)  # points: within half a point

    def test_last_bits_of_the_layout_do_not_change_the_bytes(self):
        """A width 1e-13 inch wider moves no printed coordinate, so no byte may change either
        (matplotlib's own clip-path ids hash the exact floats and did differ)."""
        import re

        import matplotlib.pyplot as plt

        svgs, matplotlib_ids = [], []
        for width in (4.0, 4.0 + 1e-13):
            fig = self._figure()
            fig.set_size_inches(width, 2.5)
            svgs.append(figure_svg(fig))
            buffer = io.StringIO()
            with plt.rc_context({"svg.hashsalt": "llmhistory"}):
                fig.savefig(buffer, format="svg")
            matplotlib_ids.append(re.findall(r'clipPath id="(\w+)"', buffer.getvalue()))
        assert matplotlib_ids[0] != matplotlib_ids[1]  # the perturbation reaches the ids
        assert svgs[0] == svgs[1]
        ids = re.findall(r'clipPath id="(\w+)"', svgs[0])
        assert ids and len(ids) == len(set(ids))
        assert set(re.findall(r"url\(#(p\w+)\)", svgs[0])) == set(ids)

    def test_two_draws_one_to_lay_out_and_measure_one_to_print(self, monkeypatch):
        from matplotlib.figure import Figure

        draws = []
        original = Figure.draw
        monkeypatch.setattr(Figure, "draw", lambda self, r: (draws.append(1), original(self, r)))
        fig = self._figure()
        figure_svg(fig)
        assert len(draws) == 2
        assert fig.get_layout_engine() is not None  # the layout engine is back afterwards
