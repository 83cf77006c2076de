"""Tests of llmhistory.concepts.prompts: the seed prompts verbatim, assembly invariants, refused
inputs."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmhistory.concepts.prompts import (
    SUPPORT_EXAMPLES,
    SUPPORT_LABELS,
    AssembledPrompt,
    Note,
    assemble_long_context,
    build_label_prompt,
    chat_prompt,
    estimate_tokens,
    label_header,
    translation_prompt,
)

SEED_MESSAGE = "My order says delivered but it's not here."
SEED_LABEL_PROMPT = """\
Classify the customer message into Refund, Shipping, or Account.

Message: I never received my package.
Label: Shipping

Message: I want my money back.
Label: Refund

Message: I forgot my password.
Label: Account

---

Message: My order says delivered but it's not here.
Label:"""

POLICY = "Policy: damaged items may be returned within 30 days."
NOTES = (
    "History: customer updated email address.",
    "History: promotional coupon applied.",
    "History: delivery notification sent.",
)
EVIDENCE = "Evidence: order A10234 arrived damaged on day 12."
QUESTION = "Question: approve return? Cite the policy and evidence."


def seed_context(**changes):
    kwargs = {"policy": POLICY, "notes": NOTES, "evidence": EVIDENCE, "question": QUESTION}
    return assemble_long_context(**{**kwargs, **changes})


class TestLabelPrompt:
    def test_seed_prompt_verbatim(self):
        prompt = build_label_prompt(
            SEED_MESSAGE,
            [
                ("I never received my package.", "Shipping"),
                ("I want my money back.", "Refund"),
                ("I forgot my password.", "Account"),
            ],
            labels=("Refund", "Shipping", "Account"),
        )
        assert prompt == SEED_LABEL_PROMPT
        assert len(prompt.splitlines()) == 15

    def test_constants_give_the_seed_prompt(self):
        assert build_label_prompt(SEED_MESSAGE, SUPPORT_EXAMPLES, labels=SUPPORT_LABELS) == (
            SEED_LABEL_PROMPT
        )

    def test_ends_at_open_label_slot(self):
        prompt = build_label_prompt("Where is it?", SUPPORT_EXAMPLES, labels=SUPPORT_LABELS)
        assert prompt.endswith("\nMessage: Where is it?\nLabel:")

    def test_custom_header_and_separator(self):
        prompt = build_label_prompt(
            "Hi",
            [("Card declined", "Billing")],
            labels=["Billing", "Other"],
            header="Pick a label.",
            separator="###",
        )
        assert (
            prompt == "Pick a label.\n\nMessage: Card declined\nLabel: Billing\n\n###\n\n"
            "Message: Hi\nLabel:"
        )

    def test_message_may_span_lines(self):
        prompt = build_label_prompt("line one\nline two", SUPPORT_EXAMPLES, labels=SUPPORT_LABELS)
        assert "Message: line one\nline two\nLabel:" in prompt

    @given(st.lists(st.sampled_from(SUPPORT_EXAMPLES), min_size=1, max_size=6))
    def test_one_block_per_example(self, examples):
        prompt = build_label_prompt(SEED_MESSAGE, examples, labels=SUPPORT_LABELS)
        assert prompt.count("Message: ") == len(examples) + 1
        assert prompt.count("\nLabel:") == len(examples) + 1


class TestLabelHeader:
    @pytest.mark.parametrize(
        ("labels", "listed"),
        [
            (["A", "B"], "A or B"),
            (["A", "B", "C"], "A, B, or C"),
            (["A", "B", "C", "D"], "A, B, C, or D"),
        ],
    )
    def test_oxford_comma(self, labels, listed):
        assert label_header(labels) == f"Classify the customer message into {listed}."

    def test_seed_header(self):
        assert label_header(SUPPORT_LABELS) == SEED_LABEL_PROMPT.splitlines()[0]


class TestSmallPrompts:
    def test_seed_translation_prompt(self):
        prompt = translation_prompt(
            [("refund", "remboursement"), ("shipment", "expédition")], "invoice"
        )
        assert prompt == (
            "Translate English to French:\nrefund -> remboursement\nshipment -> expédition\n"
            "invoice ->"
        )

    def test_translation_instruction(self):
        assert translation_prompt([("a", "b")], "c", instruction="Map:") == "Map:\na -> b\nc ->"

    def test_seed_chat_prompt(self):
        assert chat_prompt([("Customer", "Where is my order?")]) == (
            "Customer: Where is my order?\nAgent:"
        )

    def test_multi_turn_chat(self):
        prompt = chat_prompt(
            [("Customer", "Hi"), ("Agent", "Hello!"), ("Customer", "Refund?")],
            next_speaker="Agent",
        )
        assert prompt.splitlines() == [
            "Customer: Hi",
            "Agent: Hello!",
            "Customer: Refund?",
            "Agent:",
        ]


class TestEstimateTokens:
    @pytest.mark.parametrize(
        ("text", "tokens"), [("", 0), ("   ", 0), ("one", 1), (" a  b\tc\nd ", 4), (POLICY, 9)]
    )
    def test_whitespace_words(self, text, tokens):
        assert estimate_tokens(text) == tokens


class TestNote:
    def test_default_tokens_estimated(self):
        assert Note(NOTES[0]).tokens == 5

    def test_explicit_values(self):
        note = Note("x", relevance=2, tokens=7)
        assert note.tokens == 7
        assert note.relevance == 2.0
        assert type(note.relevance) is float


class TestSeedAssembly:
    def test_lines_in_seed_order(self):
        prompt = seed_context()
        assert prompt.lines == (POLICY, *NOTES, EVIDENCE, QUESTION)
        assert prompt.dropped == ()
        assert prompt.evidence_adjacent_to_question is True
        assert prompt.budget_tokens is None

    def test_numbered_lines_and_text(self):
        prompt = seed_context()
        assert prompt.numbered_lines()[0] == f"1: {POLICY}"
        assert prompt.numbered_lines()[-1] == f"6: {QUESTION}"
        assert prompt.text.split("\n") == list(prompt.lines)

    def test_total_tokens(self):
        assert seed_context().total_tokens == 9 + 5 + 4 + 4 + 8 + 8

    def test_budget_that_fits_drops_nothing(self):
        assert seed_context(budget_tokens=38).dropped == ()

    def test_budget_drops_earliest_first_on_ties(self):
        prompt = seed_context(budget_tokens=33)
        assert prompt.dropped == (NOTES[0],)
        assert prompt.lines == (POLICY, NOTES[1], NOTES[2], EVIDENCE, QUESTION)
        assert prompt.total_tokens == 33

    def test_budget_drops_least_relevant_first(self):
        notes = [Note(NOTES[0], 0.9), Note(NOTES[1], 0.1), Note(NOTES[2], 0.5)]
        prompt = seed_context(notes=notes, budget_tokens=30)
        assert prompt.dropped == (NOTES[1], NOTES[2])
        assert prompt.lines == (POLICY, NOTES[0], EVIDENCE, QUESTION)
        assert prompt.total_tokens == 30

    def test_budget_for_fixed_parts_only(self):
        prompt = seed_context(budget_tokens=25)
        assert prompt.dropped == NOTES
        assert prompt.lines == (POLICY, EVIDENCE, QUESTION)
        assert prompt.evidence_adjacent_to_question

    def test_no_notes(self):
        prompt = seed_context(notes=[])
        assert prompt.lines == (POLICY, EVIDENCE, QUESTION)

    def test_adjacency_property_detects_a_broken_order(self):
        broken = AssembledPrompt(
            lines=(POLICY, EVIDENCE, NOTES[0], QUESTION),
            dropped=(),
            total_tokens=0,
            evidence=EVIDENCE,
            question=QUESTION,
        )
        assert broken.evidence_adjacent_to_question is False


note_strategy = st.builds(
    Note,
    text=st.integers(min_value=0, max_value=5).map(lambda i: f"History: note {i}."),
    relevance=st.sampled_from([0.0, 0.5, 1.0, 2.0]),
    tokens=st.integers(min_value=1, max_value=12),
)


@given(st.lists(note_strategy, max_size=10), st.integers(min_value=26, max_value=120))
def test_assembly_invariants(notes, budget):
    prompt = seed_context(notes=notes, budget_tokens=budget)
    texts = [note.text for note in notes]
    middle = list(prompt.lines[1:-2])
    # every note exactly once, either kept or dropped
    assert Counter(middle) + Counter(prompt.dropped) == Counter(texts)
    # kept notes keep their original order (a subsequence of the input)
    remaining = iter(texts)
    assert all(any(text == other for other in remaining) for text in middle)
    # the budget holds and the total is honest
    assert prompt.total_tokens <= budget
    kept_tokens = prompt.total_tokens - 25
    assert kept_tokens == sum(n.tokens for n in notes) - sum(
        _tokens_of_dropped(notes, prompt.dropped)
    )
    # fixed parts stay at the strong positions
    assert prompt.lines[0] == POLICY
    assert prompt.evidence_adjacent_to_question
    # nothing dropped needlessly: without the last drop the prompt would not fit
    if prompt.dropped:
        last = _tokens_of_dropped(notes, prompt.dropped)[-1]
        assert prompt.total_tokens + last > budget


def _tokens_of_dropped(notes, dropped):
    """Token sizes of the dropped notes, replaying the documented drop order."""
    order = sorted(range(len(notes)), key=lambda i: (notes[i].relevance, i))
    replay = [notes[i] for i in order[: len(dropped)]]
    assert tuple(note.text for note in replay) == dropped
    return [note.tokens for note in replay]


@given(st.lists(note_strategy, max_size=8))
def test_no_budget_keeps_everything_in_order(notes):
    prompt = seed_context(notes=notes)
    assert prompt.lines == (POLICY, *(n.text for n in notes), EVIDENCE, QUESTION)
    assert prompt.dropped == ()


LABELS = SUPPORT_LABELS
EXAMPLES = SUPPORT_EXAMPLES

BAD_INPUTS = [
    (build_label_prompt, ("",), {"examples": EXAMPLES, "labels": LABELS}, ValueError, "message"),
    (build_label_prompt, (3,), {"examples": EXAMPLES, "labels": LABELS}, TypeError, "message"),
    (build_label_prompt, ("m", []), {"labels": LABELS}, ValueError, "examples"),
    (build_label_prompt, ("m", "Refund"), {"labels": LABELS}, TypeError, "examples"),
    (build_label_prompt, ("m", [("x", "Billing")]), {"labels": LABELS}, ValueError, "examples"),
    (build_label_prompt, ("m", [("", "Refund")]), {"labels": LABELS}, ValueError, "examples"),
    (build_label_prompt, ("m", ["Refund"]), {"labels": LABELS}, TypeError, r"examples\[0\]"),
    (build_label_prompt, ("m", [("a", "b", "c")]), {"labels": LABELS}, TypeError, "examples"),
    (build_label_prompt, ("m", EXAMPLES), {"labels": "Refund"}, TypeError, "labels"),
    (build_label_prompt, ("m", EXAMPLES), {"labels": []}, ValueError, "labels"),
    (build_label_prompt, ("m", EXAMPLES), {"labels": ["Refund"]}, ValueError, "labels"),
    (build_label_prompt, ("m", EXAMPLES), {"labels": [*LABELS, "Refund"]}, ValueError, "labels"),
    (build_label_prompt, ("m", EXAMPLES), {"labels": [*LABELS, "A\nB"]}, ValueError, "labels"),
    (build_label_prompt, ("m", EXAMPLES), {"labels": [*LABELS, 4]}, TypeError, "labels"),
    (build_label_prompt, ("m", EXAMPLES), {"labels": LABELS, "header": ""}, ValueError, "header"),
    (
        build_label_prompt,
        ("m", EXAMPLES),
        {"labels": LABELS, "separator": 1},
        TypeError,
        "separator",
    ),
    (label_header, (["A"],), {}, ValueError, "labels"),
    (translation_prompt, ([], "invoice"), {}, ValueError, "pairs"),
    (translation_prompt, ([("a", "")], "invoice"), {}, ValueError, "pairs"),
    (translation_prompt, ([("a", "b\nc")], "invoice"), {}, ValueError, "pairs"),
    (translation_prompt, ([("a", "b")], "in\nvoice"), {}, ValueError, "query"),
    (translation_prompt, ([("a", "b")], None), {}, TypeError, "query"),
    (translation_prompt, ([("a", "b")], "x"), {"instruction": " "}, ValueError, "instruction"),
    (chat_prompt, ([],), {}, ValueError, "turns"),
    (chat_prompt, ({"Customer": "Hi"},), {}, TypeError, "turns"),
    (chat_prompt, ([("Customer:", "Hi")],), {}, ValueError, "speaker"),
    (chat_prompt, ([("", "Hi")],), {}, ValueError, "speaker"),
    (chat_prompt, ([("Customer", "")],), {}, ValueError, "text"),
    (chat_prompt, ([("Customer", "Hi")],), {"next_speaker": "Agent\n"}, ValueError, "next_speaker"),
    (estimate_tokens, (None,), {}, TypeError, "text"),
    (Note, ("",), {}, ValueError, "text"),
    (Note, ("x",), {"relevance": float("nan")}, ValueError, "relevance"),
    (Note, ("x",), {"relevance": "high"}, TypeError, "relevance"),
    (Note, ("x",), {"tokens": 0}, ValueError, "tokens"),
    (Note, ("x",), {"tokens": 1.5}, TypeError, "tokens"),
]

CONTEXT_BAD = [
    ({"policy": ""}, ValueError, "policy"),
    ({"evidence": None}, TypeError, "evidence"),
    ({"question": " "}, ValueError, "question"),
    ({"notes": "History: x"}, TypeError, "notes"),
    ({"notes": [1]}, TypeError, r"notes\[0\]"),
    ({"notes": ["ok", ""]}, ValueError, r"notes\[1\]"),
    ({"budget_tokens": 0}, ValueError, "budget_tokens"),
    ({"budget_tokens": -5}, ValueError, "budget_tokens"),
    ({"budget_tokens": float("inf")}, TypeError, "budget_tokens"),
    ({"budget_tokens": float("nan")}, TypeError, "budget_tokens"),
    ({"budget_tokens": 10.0}, TypeError, "budget_tokens"),
    ({"budget_tokens": 24}, ValueError, "budget_tokens=24"),
]


@pytest.mark.parametrize(("func", "args", "kwargs", "error", "name"), BAD_INPUTS)
def test_bad_inputs_are_refused_with_the_argument_named(func, args, kwargs, error, name):
    with pytest.raises(error, match=name):
        func(*args, **kwargs)


@pytest.mark.parametrize(("changes", "error", "name"), CONTEXT_BAD)
def test_bad_assembly_inputs(changes, error, name):
    with pytest.raises(error, match=name):
        seed_context(**changes)
