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
    plant_and_score,
    recall_labels,
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


# --- planted contamination: what a leak does to a memorizer's score -------------------------
# The mechanism is tested on constructed data, so that it holds whatever the book's corpus or
# model: a planted copy is answered from memory, and the clean subset is scored as before.

LABELLED = (
    ("where is my parcel it has not arrived", "Shipping"),
    ("the parcel is late again", "Shipping"),
    ("i want my money back for the jacket", "Refund"),
    ("please refund the broken kettle", "Refund"),
    ("i cannot log in to my account", "Account"),
)


def test_recall_labels_uses_the_longest_shared_run():
    assert recall_labels(["money back for the jacket please"], LABELLED) == ("Refund",)
    # the longest run decides: "log in to my" (Account) beats the single word "parcel"
    assert recall_labels(["log in to my parcel tracker"], LABELLED) == ("Account",)


def test_recall_labels_falls_back_to_the_commonest_label():
    assert recall_labels(["xyzzy"], LABELLED) == ("Refund",)  # tie 2-2: alphabetical


def test_a_planted_item_is_answered_from_memory():
    items = [
        ("the parcel never came so refund me", "Refund"),  # "the parcel" says Shipping
        ("the jacket is late", "Shipping"),
        ("refund the kettle", "Refund"),
    ]
    before = recall_labels([text for text, _ in items], LABELLED)
    assert before[0] != "Refund"
    result = plant_and_score(items, LABELLED, [0])
    assert result.planted == (0,)
    assert result.planted_before == 0.0 and result.planted_after == 1.0
    assert result.clean_right[1:] == result.leaked_right[1:]
    assert result.leaked_score > result.clean_score
    assert result.unplanted_before == result.unplanted_after


@given(st.lists(sentences.filter(lambda s: len(s) >= 2), min_size=3, max_size=8, unique_by=tuple))
def test_every_planted_copy_gets_its_own_label(texts):
    labels = ["Refund", "Shipping", "Account"]
    items = [(" ".join(t), labels[i % 3]) for i, t in enumerate(texts)]
    planted = list(range(0, len(items) - 1, 2))
    # training text that shares no word with the items, so that only the copies can match
    result = plant_and_score(items, [("parcel kettle jacket", "Account")], planted)
    # an item that another planted item contains word for word with another label may tie;
    # distinct items of at least two words from a six-word vocabulary rarely do, so assert
    # only where the copy is the unique longest match
    for i in planted:
        others = [
            items[j] for j in planted if j != i and " ".join(words(items[i][0])) in items[j][0]
        ]
        if all(label == items[i][1] for _, label in others):
            assert result.leaked_right[i]


@pytest.mark.parametrize(
    "planted, match",
    [([], "planted"), ([0, 0], "repeat"), ([0, 1, 2], "clean"), ([5], "not an index")],
)
def test_plant_and_score_refuses_bad_plants(planted, match):
    items = [("a b", "Refund"), ("c d", "Shipping"), ("e f", "Account")]
    with pytest.raises(ValueError, match=match):
        plant_and_score(items, LABELLED, planted)


def test_recall_labels_refuses_bad_training():
    with pytest.raises(TypeError, match="pair"):
        recall_labels(["a"], ["where is my parcel"])
