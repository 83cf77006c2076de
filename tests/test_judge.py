"""Tests of llmhistory.tiny.judge: judge prompts, swapped verdicts, label probabilities."""

from __future__ import annotations

import numpy as np
import pytest

from llmhistory.concepts.decoding import softmax
from llmhistory.concepts.prompts import SUPPORT_EXAMPLES, SUPPORT_LABELS, build_label_prompt
from llmhistory.tiny import load_tiny
from llmhistory.tiny.corpus import Ticket
from llmhistory.tiny.generation import rank_labels
from llmhistory.tiny.judge import (
    JUDGE_REPLIES,
    JudgedPair,
    correct_labels,
    judge_prompt,
    judge_swapped_pairs,
    label_probabilities,
    position_bias,
)

TICKETS = (
    Ticket("I want my money back.", "Refund"),
    Ticket("Where is my parcel?", "Shipping"),
    Ticket("I forgot my password.", "Account"),
)


@pytest.fixture(scope="module")
def tiny():
    return load_tiny()


def test_prompt_layout_and_single_lines():
    prompt = judge_prompt("Where is it?", "On its way.", "Refunded.")
    assert prompt.splitlines() == [
        "Customer: Where is it?",
        "Reply A: On its way.",
        "Reply B: Refunded.",
        "Better reply:",
    ]
    with pytest.raises(ValueError, match="first must be a single line"):
        judge_prompt("Where?", "a\nb", "c")
    with pytest.raises(ValueError, match="second must be a non-empty string"):
        judge_prompt("Where?", "a", " ")


def test_swapped_pairs_score_both_orders_with_rank_labels(tiny):
    model, tokenizer = tiny
    pairs = judge_swapped_pairs(model, tokenizer, TICKETS)
    assert [p.right for p in pairs] == [JUDGE_REPLIES[t.label] for t in TICKETS]
    assert [p.wrong for p in pairs] == [
        JUDGE_REPLIES["Shipping"],
        JUDGE_REPLIES["Account"],
        JUDGE_REPLIES["Refund"],
    ]
    # Independent computation of one verdict: rank_labels on the prompt, A minus B.
    first = dict(
        rank_labels(
            model,
            tokenizer,
            judge_prompt(TICKETS[0].message, pairs[0].right, pairs[0].wrong),
            ["A", "B"],
        )
    )
    second = dict(
        rank_labels(
            model,
            tokenizer,
            judge_prompt(TICKETS[0].message, pairs[0].wrong, pairs[0].right),
            ["A", "B"],
        )
    )
    assert pairs[0].right_first == pytest.approx(first["A"] - first["B"])
    assert pairs[0].right_second == pytest.approx(second["A"] - second["B"])


def test_flip_and_swap_average():
    picks_a_always = JudgedPair("m", "r", "w", 3.0, 2.0)
    reads_content = JudgedPair("m", "r", "w", 1.0, -1.5)
    picks_wrong = JudgedPair("m", "r", "w", -1.0, 1.0)
    assert picks_a_always.flipped and not reads_content.flipped and not picks_wrong.flipped
    assert picks_a_always.swap_averaged == pytest.approx(0.5)
    assert reads_content.swap_averaged == pytest.approx(1.25)
    summary = position_bias([picks_a_always, reads_content, picks_wrong])
    assert summary.pairs == 3
    assert summary.flip_rate == pytest.approx(1 / 3)
    assert summary.first_slot_rate == pytest.approx(4 / 6)
    assert summary.right_as_first == pytest.approx(2 / 3)
    assert summary.right_as_second == pytest.approx(1 / 3)
    assert summary.right_swap_averaged == pytest.approx(2 / 3)


def test_judge_bad_inputs(tiny):
    with pytest.raises(ValueError, match="replies must hold a reply for every label; 'Account'"):
        judge_swapped_pairs(*tiny, TICKETS, replies={"Refund": "a", "Shipping": "b"})
    with pytest.raises(ValueError, match="tickets must hold at least one Ticket"):
        judge_swapped_pairs(*tiny, [])
    with pytest.raises(TypeError, match=r"judged\[0\] must be"):
        position_bias([(1.0, 2.0)])


def test_label_probabilities_are_the_softmax_of_rank_labels(tiny):
    model, tokenizer = tiny
    probs = label_probabilities(model, tokenizer, [t.message for t in TICKETS])
    assert probs.shape == (3, 3)
    assert np.allclose(probs.sum(axis=1), 1.0)
    prompt = build_label_prompt(TICKETS[1].message, SUPPORT_EXAMPLES, labels=SUPPORT_LABELS)
    scores = dict(rank_labels(model, tokenizer, prompt, SUPPORT_LABELS))
    expected = softmax(np.array([scores[label] for label in SUPPORT_LABELS]))
    assert np.allclose(probs[1], expected)
    assert correct_labels(probs, TICKETS).tolist() == [True, True, True]


def test_bare_prompt_differs_from_the_three_shot_one(tiny):
    model, tokenizer = tiny
    shots = label_probabilities(model, tokenizer, [TICKETS[0].message])
    bare = label_probabilities(model, tokenizer, [TICKETS[0].message], shots=False)
    scores = dict(
        rank_labels(model, tokenizer, f"Message: {TICKETS[0].message}\nLabel:", SUPPORT_LABELS)
    )
    assert np.allclose(bare[0], softmax(np.array([scores[label] for label in SUPPORT_LABELS])))
    assert not np.allclose(shots, bare)


def test_label_probability_bad_inputs(tiny):
    with pytest.raises(TypeError, match="shots must be True or False"):
        label_probabilities(*tiny, ["hi"], shots=1)
    with pytest.raises(ValueError, match=r"messages\[0\] must be a non-empty string"):
        label_probabilities(*tiny, [" "])
    with pytest.raises(ValueError, match=r"probabilities must have shape \(3, 3\)"):
        correct_labels([[1.0, 0.0, 0.0]], TICKETS)
