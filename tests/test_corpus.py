"""Tests of llmhistory.tiny.corpus: the seeded synthetic support corpus and its splits."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmhistory.concepts.prompts import SUPPORT_EXAMPLES
from llmhistory.tiny import corpus
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

    def test_order_ids_in_many_shapes(self):
        text = " ".join(t.message for t in generate_tickets(3000, seed=0))
        for shape in (
            r"\bA\d{5}\b",
            r"#\d{6}\b",
            r"\bORD-\d{5}\b",
            r"\b\d{4}-\d{4}\b",
            r"no\. \d{5}",
        ):
            assert re.search(shape, text), shape
        assert re.search(r"\b\d{2}:\d{2} UTC\b", text)

    def test_amounts_in_many_shapes(self):
        text = " ".join(t.message for t in generate_tickets(3000, seed=0))
        for shape in (
            r"\$\d+\.\d\d\b", r"€\d+", r"\d+,\d\d €", r"£\d+", r"\bUSD \d+", r"\d+ quid\b",
            r"\d+ bucks\b",
        ):  # fmt: skip
            assert re.search(shape, text, flags=re.IGNORECASE), shape


@pytest.fixture(scope="module")
def messages():
    return [t.message for t in generate_tickets(3000, seed=0)]


class TestAsPeopleWrite:
    """Shares of the ways people type, measured on 3,000 messages."""

    def test_lower_case_and_missing_punctuation(self, messages):
        lower = sum(m == m.lower() and any(c.isalpha() for c in m) for m in messages) / 3000
        assert 0.2 < lower < 0.4  # _NOISE["lower"] plus messages that had no capital to lose
        unpunctuated = sum(m[-1].isalnum() for m in messages) / 3000
        assert 0.15 < unpunctuated < 0.5

    def test_short_and_long_messages(self, messages):
        words = [len(m.split()) for m in messages]
        assert sum(n <= 4 for n in words) > 100  # "refund pls", "Yo. Account locked."
        assert sum(n >= 25 for n in words) > 50  # context, request, reason and sign-off
        assert max(words) <= 60  # a few-shot prompt with three shots still fits a row

    def test_slang_typos_and_voices(self, messages):
        text = "\n".join(messages)
        for pattern in (r"\bu\b", r"\bpls\b", r"\bthx\b", r"\bdont\b"):
            assert re.search(pattern, text), pattern
        polite = sum(bool(re.search(r"(?i)\b(please|could you|thank you)\b", m)) for m in messages)
        angry = sum(bool(re.search(r"(?i)!!|unacceptable|ridiculous", m)) for m in messages)
        assert polite > 300 and angry > 100
        assert sum(m.isupper() for m in messages) > 20  # ALL CAPS

    def test_typos_are_words_outside_the_grammar(self, messages):
        vocabulary = set()
        for phrases in (*corpus._GRAMMAR.values(), *corpus._FRAMES.values()):
            for phrase in phrases:
                vocabulary.update(re.findall(r"[a-z]+", phrase.lower().replace("'", "")))
        for _formal, informal in corpus._SLANG:
            vocabulary.update(informal.split())
        vocabulary.update(
            w for p in corpus._OPENERS + corpus._CLOSERS for w in re.findall(r"[a-z]+", p)
        )
        words = [re.findall(r"[a-z]+", m.lower().replace("'", "")) for m in messages]
        typed = sum(any(w not in vocabulary and len(w) >= 4 for w in ws) for ws in words) / 3000
        assert 0.1 < typed < 0.3  # _NOISE["typo"] = 0.2, minus typos that make another word

    @given(st.text(alphabet="abcdefghij", min_size=5, max_size=12), st.integers(0, 2**32 - 1))
    def test_typo_changes_one_inner_letter(self, word, seed):
        typo = corpus._typo(np.random.default_rng(seed), word)
        assert abs(len(typo) - len(word)) <= 1
        assert typo[0] == word[0] and typo[-1] == word[-1]
        assert sorted(typo) == sorted(word) or len(typo) != len(word)


class TestLabellingRule:
    """A message gets the label of what the customer asks the shop to do (data/README.md)."""

    FAMILY = {"Refund": "r_", "Shipping": "s_", "Account": "a_"}

    def test_every_layout_asks_for_its_own_label(self):
        for label, frames in corpus._FRAMES.items():
            for frame in frames:
                slots = re.findall(r"\{(\w+)\}", frame)
                assert any(s.startswith(self.FAMILY[label]) for s in slots), (label, frame)
                asked = [s for s in slots if s.startswith(self.FAMILY[label])]
                assert asked[-1] == [s for s in slots if s[:2] in ("r_", "s_", "a_")][-1] or (
                    label == "Refund"
                ), (label, frame)  # the last request is the label's, refunds may end on why

    def test_grammar_is_closed(self):
        for phrases in (*corpus._GRAMMAR.values(), *corpus._FRAMES.values()):
            for phrase in phrases:
                for slot in re.findall(r"\{(\w+)\}", phrase):
                    assert slot in corpus._GRAMMAR or slot in corpus._VALUES, (slot, phrase)

    def test_hard_cases_are_generated(self):
        tickets = generate_tickets(3000, seed=0)

        def count(label, pattern):
            return sum(
                bool(re.search(pattern, t.message, flags=re.IGNORECASE))
                for t in tickets
                if t.label == label
            )

        assert count("Refund", r"\b(parcel|package|delivery|arrived|shipping)\b") > 100
        assert count("Shipping", r"[$€£]|\b(paid|refund|quid|bucks|dollars)\b") > 50
        assert count("Account", r"\b(address|card|order)\b") > 50


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
        customers = [d.split("\nAgent: ")[0].removeprefix("Customer: ") for d in dialogues]
        asked = {q for qs in corpus._QUESTIONS.values() for q in qs}
        fixed = [re.sub(r"\\\{\w+\\\}", ".+", re.escape(q)) for q in asked]  # {item} -> .+
        generated = [c for c in customers if not any(re.fullmatch(f, c) for f in fixed)]
        assert 0.35 < len(generated) / 300 < 0.65  # half the customers write a generated ticket
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
        assert 0.51 < kinds["prompt"] / 2000 < 0.59
        assert 0.19 < kinds["pair"] / 2000 < 0.25
        assert 0.13 < kinds["dialogue"] / 2000 < 0.19
        assert 0.05 < kinds["policy"] / 2000 < 0.09

    def test_prompts_use_both_standard_and_drawn_examples(self):
        split = support_split(n_train=200, n_held_out=10)
        prompts = [d for d in training_documents(split, 400, seed=0) if d.startswith("Classify")]
        standard = [d for d in prompts if SUPPORT_EXAMPLES[0][0] in d]
        assert 0.25 < len(standard) / len(prompts) < 0.42  # a third; two thirds drawn shots
        drawn = [d for d in prompts if d not in standard]
        assert all(d.count("\nLabel: ") == 4 for d in drawn)  # three shots and the answer


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
