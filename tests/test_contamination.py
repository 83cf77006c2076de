"""Tests of llmhistory.concepts.contamination: word n-grams, the training index, dirty items."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmhistory.concepts.contamination import (
    ItemOverlap,
    dirty_indices,
    ngram_index,
    ngrams,
    overlap_report,
    words,
)

TRAINING = (
    "Message: I want my money back for the blue jacket.\nLabel: Refund",
    "Customer: Where is my order A10234?\nAgent: It left the hub this morning.",
)
sentences = st.lists(
    st.sampled_from(["order", "refund", "my", "the", "a10234", "where"]), max_size=12
)


def naive_ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[i : i + n]) for i in range(len(w) - n + 1)}


def test_words_ignore_case_and_punctuation():
    assert words("Where is my ORDER #A10234?!") == ("where", "is", "my", "order", "a10234")
    assert words("") == ()


@given(sentences, st.integers(1, 5))
def test_ngrams_equal_a_sliding_window(tokens, n):
    text = " ".join(tokens)
    assert ngrams(text, n) == naive_ngrams(text, n)
    if len(tokens) < n:
        assert ngrams(text, n) == set()


def test_index_holds_every_training_ngram_once():
    index = ngram_index(TRAINING + TRAINING, n=3)
    assert index == frozenset(naive_ngrams(TRAINING[0], 3) | naive_ngrams(TRAINING[1], 3))


def test_a_copied_item_is_dirty_and_a_new_one_is_clean():
    index = ngram_index(TRAINING, n=5)
    report = overlap_report(
        ["i want my money back for the blue jacket", "My password reset link never came."],
        index,
        n=5,
    )
    assert [r.dirty for r in report] == [True, False]
    assert report[0].share == 1.0 and report[1].share == 0.0
    assert dirty_indices(report) == (0,)


def test_one_shared_ngram_is_enough():
    index = ngram_index(TRAINING, n=4)
    (r,) = overlap_report(["hi where is my order a10234 it never came"], index, n=4)
    assert r.dirty and 0 < r.shared < r.ngrams


def test_short_items_cannot_be_flagged():
    (r,) = overlap_report(["refund please"], ngram_index(TRAINING, n=8), n=8)
    assert (r.ngrams, r.shared, r.dirty, r.share) == (0, 0, False, 0.0)


@given(sentences, sentences, st.integers(1, 4))
def test_adding_training_text_never_cleans_an_item(train, item, n):
    text = " ".join(item) or "x"
    before = overlap_report([text], ngram_index([" ".join(train)], n), n)[0]
    after = overlap_report([text], ngram_index([" ".join(train), "extra words here"], n), n)[0]
    assert after.shared >= before.shared
    planted = overlap_report([text], ngram_index([" ".join(train), text], n), n)[0]
    assert planted.shared == planted.ngrams


def test_bad_inputs():
    index = ngram_index(TRAINING, n=3)
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        ngrams("a b", 0)
    with pytest.raises(TypeError, match="documents must be an iterable of str"):
        ngram_index("one string", 3)
    with pytest.raises(ValueError, match="index holds 3-grams but n=4"):
        overlap_report(["a b c d"], index, n=4)
    with pytest.raises(ValueError, match="items must hold at least one item"):
        overlap_report([], index, n=3)
    with pytest.raises(ValueError, match=r"items\[1\] must be a non-empty string"):
        overlap_report(["ok", " "], index, n=3)
    with pytest.raises(TypeError, match="index must be"):
        overlap_report(["ok"], set(index), n=3)
    with pytest.raises(TypeError, match=r"report\[0\] must be"):
        dirty_indices(["not an overlap"])
    assert dirty_indices([ItemOverlap(0, "a", 0, 0)]) == ()
