"""Tests of llmhistory.tiny.corpus: the seeded synthetic support corpus and its splits."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmhistory.concepts.prompts import SUPPORT_EXAMPLES
from llmhistory.tiny.corpus import (
    LABELS,
    SupportSplit,
    Ticket,
    generate_dialogues,
    generate_tickets,
    label_document,
    policy_snippets,
    support_split,
    training_documents,
)

SEED_PROMPT_LINES = [
    "Classify the customer message into Refund, Shipping, or Account.",
    "Message: I never received my package.\nLabel: Shipping",
    "Message: My order says delivered but it's not here.\nLabel:",
]


class TestTickets:
    def test_deterministic(self):
        assert generate_tickets(50, seed=4) == generate_tickets(50, seed=4)
        assert generate_tickets(50, seed=4) != generate_tickets(50, seed=5)

    def test_distinct_messages(self):
        tickets = generate_tickets(2000, seed=0)
        assert len({t.message for t in tickets}) == 2000

    def test_labels_balanced(self):
        counts = Counter(t.label for t in generate_tickets(900, seed=0))
        assert set(counts) == set(LABELS)
        assert min(counts.values()) > 250

    def test_exclude(self):
        first = generate_tickets(5, seed=0)
        again = generate_tickets(5, seed=0, exclude=[first[0].message])
        assert first[0].message not in {t.message for t in again}

    def test_order_ids_and_scan_times_appear(self):
        text = " ".join(t.message for t in generate_tickets(500, seed=0))
        assert re.search(r"\bA\d{5}\b", text)
        assert re.search(r"\b\d{2}:\d{2} UTC\b", text)


class TestSplit:
    @settings(max_examples=25)
    @given(
        st.integers(1, 300),
        st.integers(1, 100),
        st.integers(0, 10_000),
    )
    def test_never_shares_a_message(self, n_train, n_held_out, seed):
        split = support_split(n_train=n_train, n_held_out=n_held_out, seed=seed)
        assert (len(split.train), len(split.held_out)) == (n_train, n_held_out)
        assert split.overlap() == 0
        shots = {m for m, _ in SUPPORT_EXAMPLES}
        assert not shots & {t.message for t in split.held_out}

    def test_held_out_does_not_depend_on_train_size(self):
        small = support_split(n_train=1, n_held_out=100, seed=0)
        large = support_split(n_train=6000, n_held_out=100, seed=0)
        assert small.held_out == large.held_out

    def test_training_documents_never_contain_held_out_messages(self):
        split = support_split(n_train=2000, n_held_out=100, seed=0)
        corpus = "\n".join(training_documents(split, 3000, seed=1))
        lines = set(corpus.splitlines())
        assert not [t.message for t in split.held_out if f"Message: {t.message}" in lines]


class TestDocuments:
    def test_label_document_matches_the_chapter_prompt(self):
        doc = label_document(Ticket("My order says delivered but it's not here.", "Shipping"))
        for line in SEED_PROMPT_LINES:
            assert line in doc
        assert doc.endswith(
            "\n---\n\nMessage: My order says delivered but it's not here.\nLabel: Shipping"
        )

    def test_dialogues(self):
        dialogues = generate_dialogues(300, seed=0)
        assert all(d.startswith("Customer: ") and "\nAgent: " in d for d in dialogues)
        assert any(d.startswith("Customer: Where is my order?\nAgent: ") for d in dialogues)
        assert generate_dialogues(3, seed=1) == generate_dialogues(3, seed=1)

    def test_policy_snippets(self):
        snippets = policy_snippets(200, seed=0)
        assert "Policy: damaged items may be returned within 30 days." in snippets
        assert any("UTC" in s for s in snippets)

    def test_training_mix(self):
        split = support_split(n_train=200, n_held_out=10)
        docs = training_documents(split, 2000, seed=0)
        assert docs == training_documents(split, 2000, seed=0)
        kinds = Counter(
            "prompt" if d.startswith("Classify")
            else "pair" if d.startswith("Message:")
            else "dialogue" if d.startswith("Customer:")
            else "policy"
            for d in docs
        )  # fmt: skip
        assert 0.40 < kinds["prompt"] / 2000 < 0.50
        assert 0.12 < kinds["pair"] / 2000 < 0.18
        assert 0.26 < kinds["dialogue"] / 2000 < 0.34
        assert 0.07 < kinds["policy"] / 2000 < 0.13

    def test_prompts_use_both_standard_and_drawn_examples(self):
        split = support_split(n_train=200, n_held_out=10)
        prompts = [d for d in training_documents(split, 400, seed=0) if d.startswith("Classify")]
        standard = [d for d in prompts if SUPPORT_EXAMPLES[0][0] in d]
        assert 0 < len(standard) < len(prompts)


class TestBadInput:
    @pytest.mark.parametrize(
        ("call", "error", "match"),
        [
            (lambda: generate_tickets(0), ValueError, "n"),
            (lambda: generate_tickets(1.5), TypeError, "n"),
            (lambda: generate_tickets(3, seed=-1), ValueError, "seed"),
            (lambda: support_split(n_train=0), ValueError, "n_train"),
            (lambda: support_split(n_held_out=0), ValueError, "n_held_out"),
            (lambda: Ticket("", "Refund"), ValueError, "message"),
            (lambda: Ticket("Hi", "Other"), ValueError, "label"),
            (lambda: Ticket(3, "Refund"), TypeError, "message"),
            (lambda: generate_dialogues(0), ValueError, "n"),
            (lambda: policy_snippets(0), ValueError, "n"),
            (lambda: training_documents("split", 3), TypeError, "split"),
            (
                lambda: training_documents(SupportSplit((), ()), 0),
                ValueError,
                "n_documents",
            ),
        ],
    )
    def test_table(self, call, error, match):
        with pytest.raises(error, match=match):
            call()
