"""Tests of llmhistory.book.html: escaping, plurals and section ids."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmhistory.book.html import escape, heading_id, plural

# st.text()'s own alphabet (all code points but surrogates), without its slow codec table:
# see "Text" in tests/conftest.py.
UNICODE = st.characters(exclude_categories=("Cs",))


class TestEscape:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("", ""),
            ("plain", "plain"),
            ("<script>", "&lt;script&gt;"),
            ("a \"b\" & 'c'", "a &quot;b&quot; &amp; &#x27;c&#x27;"),
        ],
    )
    def test_known_values(self, text, expected):
        assert escape(text) == expected

    @given(st.text(UNICODE))
    def test_round_trip_and_no_markup_left(self, text):
        escaped = escape(text)
        assert html.unescape(escaped) == text
        assert not set("<>\"'") & set(escaped)


class TestPlural:
    @pytest.mark.parametrize(
        ("args", "expected"),
        [
            ((0, "question"), "0 questions"),
            ((1, "question"), "1 question"),
            ((2, "question"), "2 questions"),
            ((1, "quiz", "quizzes"), "1 quiz"),
            ((12, "quiz", "quizzes"), "12 quizzes"),
        ],
    )
    def test_known_values(self, args, expected):
        assert plural(*args) == expected

    @pytest.mark.parametrize(
        ("n", "word", "error", "pattern"),
        [
            (-1, "x", ValueError, "n must be an integer >= 0"),
            (1.0, "x", TypeError, "n must be an integer"),
            (2, 3, TypeError, "word must be a str"),
        ],
    )
    def test_bad_input(self, n, word, error, pattern):
        with pytest.raises(error, match=pattern):
            plural(n, word)


class TestHeadingId:
    CASES = [
        "The next-token loop, step by step",
        "The Bradley–Terry model",
        "Where the question's tokens look",
        'Total versus active parameters: why "8x7B" is not 56B',
        "Counting compute: $C \\approx 6ND$",
        "Exercise 5.1: Size a model for 1e23 FLOPs",
        "1 Leading digits are dropped",
        "Straße, Æsir, Œuvre, Łódź, ĳssel",
        "  spaced   out  ",
    ]

    @pytest.mark.parametrize("heading", CASES)
    def test_equals_docutils(self, heading):
        from docutils.nodes import make_id  # the function Sphinx uses for section ids

        assert heading_id(heading) == make_id(heading)

    @given(st.text(UNICODE, min_size=1))
    def test_equals_docutils_on_any_text_with_a_letter(self, heading):
        from docutils.nodes import make_id

        expected = make_id(heading)
        if expected:
            assert heading_id(heading) == expected
        else:
            with pytest.raises(ValueError, match="has no letter|non-empty"):
                heading_id(heading)

    @pytest.mark.parametrize(
        ("heading", "error"), [("", ValueError), ("123 !", ValueError), (None, TypeError)]
    )
    def test_bad_input(self, heading, error):
        with pytest.raises(error):
            heading_id(heading)
