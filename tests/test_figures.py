"""Tests of the shared figure style."""

import pytest

from llmhistory.figures import PALETTE, new_figure


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
