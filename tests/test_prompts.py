"""Tests of llmhistory.concepts.prompts: the seed prompts verbatim, refused inputs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmhistory.concepts.prompts import (
    SUPPORT_EXAMPLES,
    SUPPORT_LABELS,
    build_label_prompt,
    chat_prompt,
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
]


@pytest.mark.parametrize(("func", "args", "kwargs", "error", "name"), BAD_INPUTS)
def test_bad_inputs_are_refused_with_the_argument_named(func, args, kwargs, error, name):
    with pytest.raises(error, match=name):
        func(*args, **kwargs)
