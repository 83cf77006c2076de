"""Tests for llmhistory.book.tables: the one formatter of the chapters' text tables."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmhistory.book.tables import format_cell, format_table


class TestFormatCell:
    @pytest.mark.parametrize(
        ("value", "spec", "expected"),
        [
            (0.8175744761936437, ".3f", "0.818"),
            (-12.5671, "9.3f", "  -12.567"),
            (8030261248, ",d", "8,030,261,248"),
            (0.0208, ".2%", "2.08%"),
            (174.6e9 / 1e9, "{:.1f}B", "174.6B"),
            (" I", "{!r}", "' I'"),
            (np.float64(1.5), ".2f", "1.50"),
            (np.int64(7), "d", "7"),
            ("Shipping", None, "Shipping"),
            (True, None, "True"),
            (None, ".3f", ""),
            (3, lambda n: "yes" if n > 2 else "no", "yes"),
        ],
    )
    def test_known_values(self, value, spec, expected):
        assert format_cell(value, spec) == expected

    def test_a_spec_of_another_kind_is_refused(self):
        with pytest.raises(TypeError, match="a format must be a str, a callable or None"):
            format_cell(1.0, 3)

    def test_a_callable_must_return_text(self):
        with pytest.raises(TypeError, match="format callable must return a str, got int"):
            format_cell(1.0, lambda value: 1)


class TestFormatTable:
    def test_chapter_one_label_table(self):
        rows = [("Shipping", -0.0009, 1.0), ("Account", -12.1101, 5.5e-6), ("Refund", -12.567, 0.0)]
        text = format_table(
            rows,
            ["label", "log-prob", "share of the three"],
            formats={"log-prob": ".3f", "share of the three": ".3f"},
        )
        assert text == (
            "label     log-prob  share of the three\n"
            "Shipping    -0.001               1.000\n"
            "Account    -12.110               0.000\n"
            "Refund     -12.567               0.000"
        )

    def test_numbers_right_text_left_and_headers_follow(self):
        text = format_table([("a", 1), ("bbb", 22)], ["name", "n"])
        assert text.splitlines() == ["name   n", "a      1", "bbb   22"]

    def test_align_overrides_the_default(self):
        text = format_table([("a", 1)], ["name", "count"], align={"name": ">", "count": "<"})
        assert text.splitlines() == ["name  count", "   a  1"]

    def test_a_column_with_text_or_bools_is_left_aligned(self):
        text = format_table([(1, True), ("x", False)], ["mixed", "flag"])
        assert text.splitlines() == ["mixed  flag", "1      True", "x      False"]

    def test_empty_cells_do_not_decide_alignment(self):
        text = format_table([(None, 1.5), ("total", None)], ["value", "x"], formats={"x": ".1f"})
        assert text.splitlines() == ["value    x", "       1.5", "total"]

    def test_a_column_of_only_empty_cells_is_left_aligned(self):
        assert format_table([(None, "a")], ["empty", "t"]).splitlines() == ["empty  t", "       a"]

    def test_gap_and_indent(self):
        text = format_table([("x", 1)], ["a", "b"], gap=1, indent=4)
        assert text.splitlines() == ["    a b", "    x 1"]

    def test_no_rows_gives_the_header(self):
        assert format_table([], ["model", "tokens"]) == "model  tokens"

    def test_blank_headers_are_allowed(self):
        assert format_table([("x", 1)], ["", "n"]).splitlines() == ["   n", "x  1"]

    def test_no_line_ends_in_spaces(self):
        text = format_table([("x", ""), ("", "y")], ["a", "long header"])
        assert all(line == line.rstrip() for line in text.splitlines())

    @pytest.mark.parametrize(
        ("args", "kwargs", "error", "match"),
        [
            (("rows", ["a"]), {}, TypeError, "rows must be a sequence"),
            (([1], ["a"]), {}, TypeError, r"rows\[0\] must be a sequence"),
            (([(1, 2)], ["a"]), {}, ValueError, r"rows\[0\] has 2 cells, expected 1"),
            (([], []), {}, ValueError, "columns must hold at least one column"),
            (([], "ab"), {}, TypeError, "columns must be a sequence"),
            (([], [1]), {}, TypeError, r"columns\[0\] must be a str"),
            (([], ["a", "a"]), {}, ValueError, "columns must be distinct"),
            (([], ["a"]), {"formats": {"b": ".1f"}}, ValueError, "formats names 'b'"),
            (([], ["a"]), {"formats": [".1f"]}, TypeError, "formats must be a mapping"),
            (([], ["a"]), {"align": {"a": "^"}}, ValueError, r"align\['a'\] must be '<' or '>'"),
            (([], ["a"]), {"align": {"z": "<"}}, ValueError, "align names 'z'"),
            (([], ["a"]), {"gap": 0}, ValueError, "gap must be an integer >= 1"),
            (([], ["a"]), {"indent": -1}, ValueError, "indent must be an integer >= 0"),
            (([], ["a"]), {"indent": 1.0}, TypeError, "indent must be an integer"),
        ],
    )
    def test_bad_input(self, args, kwargs, error, match):
        with pytest.raises(error, match=match):
            format_table(*args, **kwargs)

    @given(
        st.lists(
            st.tuples(st.text("abc xyz", max_size=8), st.integers(-(10**6), 10**6)), max_size=6
        )
    )
    def test_every_line_has_the_width_of_the_table_before_stripping(self, rows):
        text = format_table(rows, ["name", "n"])
        lines = text.splitlines()
        assert len(lines) == len(rows) + 1
        width = max(len(line) for line in lines)
        for line, (name, n) in zip(lines[1:], rows, strict=True):
            # the number column is right-aligned, so every row ends at the same column
            assert line.endswith(str(n)) and len(line) == width
            assert line.startswith(name.rstrip()) if name.strip() else True
