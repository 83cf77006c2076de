"""Tests of llmhistory.concepts.long_context: the paper's numbers, relevance, the case, the
report."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmhistory.concepts.long_context import (
    LIU2023_MODELS,
    LIU2023_MULTIDOC_QA_20,
    LIU2023_SOURCE,
    STOPWORDS,
    SUPPORT_CASE,
    AssembledPrompt,
    LongContextCase,
    Note,
    PositionCurve,
    assemble_long_context,
    assembly_report,
    content_words,
    estimate_tokens,
    lexical_relevance,
    lost_in_the_middle,
    score_notes,
)

# st.text()'s own alphabet (all code points but surrogates), without its slow codec table:
# see "Text" in tests/conftest.py.
UNICODE = st.characters(exclude_categories=("Cs",))


def curve(**overrides):
    fields = dict(
        model="m",
        total_documents=20,
        positions=(1, 10, 20),
        accuracy=(70.0, 50.0, 60.0),
        closed_book=55.0,
        oracle=80.0,
        source="test",
    )
    fields.update(overrides)
    return PositionCurve(**fields)


class TestReportedNumbers:
    """Values of Liu et al. (2024), Table 1 and Appendix G.2 (20 documents)."""

    def test_gpt35_turbo(self):
        c = lost_in_the_middle("GPT-3.5-Turbo")
        assert c.positions == (1, 5, 10, 15, 20)
        assert c.accuracy == (75.8, 57.2, 53.8, 55.4, 63.2)
        assert (c.closed_book, c.oracle) == (56.1, 88.3)
        assert c.total_documents == 20
        assert c.source == LIU2023_SOURCE
        assert "2307.03172" in c.source and "G.2" in c.source and "Table 1" in c.source

    def test_default_model_is_gpt35(self):
        assert lost_in_the_middle() is LIU2023_MULTIDOC_QA_20[0]

    @pytest.mark.parametrize(
        ("model", "first", "last", "closed_book", "oracle"),
        [
            ("GPT-3.5-Turbo (16K)", 75.7, 63.1, 56.0, 88.6),
            ("Claude-1.3", 59.9, 60.1, 48.3, 76.1),
            ("Claude-1.3 (100K)", 59.8, 60.0, 48.2, 76.4),
            ("MPT-30B-Instruct", 53.7, 56.3, 31.5, 81.9),
            ("LongChat-13B (16K)", 68.6, 55.0, 35.0, 83.4),
        ],
    )
    def test_other_models(self, model, first, last, closed_book, oracle):
        c = lost_in_the_middle(model)
        assert (c.accuracy_at(1), c.accuracy_at(20)) == (first, last)
        assert (c.closed_book, c.oracle) == (closed_book, oracle)

    def test_u_shape_of_gpt35(self):
        c = lost_in_the_middle()
        assert c.best == (1, 75.8)
        assert c.worst == (10, 53.8)
        assert c.spread == pytest.approx(22.0)
        # The paper's headline: the middle is worse than no documents at all.
        assert c.below_closed_book() == (10, 15)

    def test_every_model_is_below_its_oracle_and_worst_in_the_middle(self):
        assert len(LIU2023_MODELS) == 6
        for c in LIU2023_MULTIDOC_QA_20:
            assert max(c.accuracy) < c.oracle
            assert c.worst[0] not in (1, 20)
            assert c.best[0] in (1, 20)

    def test_claude_is_never_below_closed_book(self):
        assert lost_in_the_middle("Claude-1.3").below_closed_book() == ()


class TestPositionCurveValidation:
    def test_accuracy_at_unreported_position(self):
        with pytest.raises(ValueError, match="position must be one of the reported 1, 10, 20"):
            curve().accuracy_at(2)

    def test_ties_pick_the_earliest(self):
        c = curve(accuracy=(60.0, 50.0, 60.0))
        assert c.best == (1, 60.0)

    def test_values_are_normalised(self):
        c = curve(positions=[1, 10, 20], accuracy=[70, 50, 60], closed_book=55)
        assert c.positions == (1, 10, 20)
        assert c.accuracy == (70.0, 50.0, 60.0)
        assert isinstance(c.closed_book, float)

    @pytest.mark.parametrize(
        ("overrides", "error", "name"),
        [
            ({"model": ""}, ValueError, "model"),
            ({"source": 3}, TypeError, "source"),
            ({"total_documents": 0}, ValueError, "total_documents"),
            ({"positions": ()}, ValueError, "positions"),
            ({"positions": (1, 1, 20)}, ValueError, "positions"),
            ({"positions": (1, 10, 21)}, ValueError, "total_documents"),
            ({"positions": (0, 10, 20)}, ValueError, r"positions\[0\]"),
            ({"positions": (1.0, 10, 20)}, TypeError, r"positions\[0\]"),
            ({"accuracy": (70.0, 50.0)}, ValueError, "accuracy"),
            ({"accuracy": (70.0, 101.0, 60.0)}, ValueError, r"accuracy\[1\]"),
            ({"accuracy": (70.0, float("nan"), 60.0)}, ValueError, r"accuracy\[1\]"),
            ({"closed_book": -1.0}, ValueError, "closed_book"),
            ({"oracle": "high"}, TypeError, "oracle"),
        ],
    )
    def test_bad_fields(self, overrides, error, name):
        with pytest.raises(error, match=name):
            curve(**overrides)

    @pytest.mark.parametrize(
        ("model", "error"), [("GPT-4", ValueError), ("", ValueError), (None, TypeError)]
    )
    def test_unknown_model(self, model, error):
        with pytest.raises(error, match="model"):
            lost_in_the_middle(model)

    def test_bad_position_type(self):
        with pytest.raises(TypeError, match="position"):
            curve().accuracy_at(1.5)


class TestRelevance:
    def test_content_words(self):
        assert content_words("The box WAS crushed, on day 12!") == {"box", "crushed", "day", "12"}
        assert content_words("") == frozenset()
        assert "the" in STOPWORDS

    def test_known_scores(self):
        query = "damaged item return"
        assert lexical_relevance("Photos of the damaged box.", query) == pytest.approx(1 / 3)
        assert lexical_relevance("Return of a damaged item.", query) == 1.0
        assert lexical_relevance("Coupon applied.", query) == 0.0

    def test_score_notes_keeps_order(self):
        notes = score_notes(["Coupon applied.", "Damaged item photo."], "damaged item")
        assert [n.text for n in notes] == ["Coupon applied.", "Damaged item photo."]
        assert [n.relevance for n in notes] == [0.0, 1.0]
        assert all(isinstance(n, Note) for n in notes)
        assert score_notes([], "damaged") == ()

    @pytest.mark.parametrize(
        ("call", "error", "name"),
        [
            (lambda: lexical_relevance("x", "the of"), ValueError, "query"),
            (lambda: lexical_relevance("x", ""), ValueError, "query"),
            (lambda: lexical_relevance(3, "damaged"), TypeError, "text"),
            (lambda: lexical_relevance("x", 3), TypeError, "query"),
            (lambda: content_words(None), TypeError, "text"),
            (lambda: score_notes("a note", "damaged"), TypeError, "texts"),
            (lambda: score_notes(None, "damaged"), TypeError, "texts"),
            (lambda: score_notes(["ok", " "], "damaged"), ValueError, r"texts\[1\]"),
            (lambda: score_notes(["ok", 7], "damaged"), TypeError, r"texts\[1\]"),
            (lambda: score_notes(["ok"], "of the"), ValueError, "query"),
            (lambda: score_notes([], 5), TypeError, "query"),
        ],
    )
    def test_bad_inputs(self, call, error, name):
        with pytest.raises(error, match=name):
            call()

    @given(st.text(UNICODE, max_size=40), st.text(alphabet="abcdefg 12", min_size=1, max_size=20))
    def test_relevance_is_a_share(self, text, query):
        if not content_words(query):
            return
        value = lexical_relevance(text, query)
        assert 0.0 <= value <= 1.0
        assert lexical_relevance(query, query) == 1.0


class TestSupportCase:
    def test_source_example_lines(self):
        prompt = SUPPORT_CASE.assemble()
        assert prompt.numbered_lines() == (
            "1: Policy: damaged items may be returned within 30 days.",
            "2: History: customer updated email address.",
            "3: History: promotional coupon applied.",
            "4: History: delivery notification sent.",
            "5: Evidence: order A10234 arrived damaged on day 12.",
            "6: Question: approve return? Cite the policy and evidence.",
        )
        assert prompt.evidence_adjacent_to_question
        assert prompt.dropped == ()

    def test_tokens(self):
        assert SUPPORT_CASE.fixed_tokens == 25
        assert SUPPORT_CASE.total_tokens == 38 == SUPPORT_CASE.assemble().total_tokens

    def test_budget_drops_oldest_first_at_equal_relevance(self):
        prompt = SUPPORT_CASE.assemble(budget_tokens=30)
        assert prompt.dropped == (
            "History: customer updated email address.",
            "History: promotional coupon applied.",
        )
        assert prompt.total_tokens == 29

    def test_smallest_budget_drops_every_note(self):
        prompt = SUPPORT_CASE.assemble(SUPPORT_CASE.fixed_tokens)
        assert len(prompt.lines) == 3
        assert len(prompt.dropped) == 3
        with pytest.raises(ValueError, match="budget_tokens"):
            SUPPORT_CASE.assemble(SUPPORT_CASE.fixed_tokens - 1)

    def test_relevance_decides_what_stays(self):
        texts = ["History: coupon applied.", "History: photos show the damaged box."]
        case = LongContextCase(
            policy=SUPPORT_CASE.policy,
            notes=score_notes(texts, "damaged return"),
            evidence=SUPPORT_CASE.evidence,
            question=SUPPORT_CASE.question,
        )
        prompt = case.assemble(budget_tokens=case.total_tokens - 1)
        assert prompt.dropped == ("History: coupon applied.",)
        assert prompt.lines[1] == "History: photos show the damaged box."

    def test_strings_become_notes(self):
        case = LongContextCase("P: x.", ["note one", Note("note two", 1.0)], "E: y.", "Q: z?")
        assert case.notes == (Note("note one"), Note("note two", 1.0))
        assert LongContextCase("P: x.", (), "E: y.", "Q: z?").total_tokens == 6

    @pytest.mark.parametrize(
        ("kwargs", "error", "name"),
        [
            ({"policy": " "}, ValueError, "policy"),
            ({"evidence": 1}, TypeError, "evidence"),
            ({"question": ""}, ValueError, "question"),
            ({"notes": "one note"}, TypeError, "notes"),
            ({"notes": 3}, TypeError, "notes"),
            ({"notes": ("ok", 3)}, TypeError, r"notes\[1\]"),
            ({"notes": ("ok", "")}, ValueError, r"notes\[1\]"),
        ],
    )
    def test_bad_case(self, kwargs, error, name):
        fields = dict(policy="P: x.", notes=(), evidence="E: y.", question="Q: z?")
        fields.update(kwargs)
        with pytest.raises(error, match=name):
            LongContextCase(**fields)

    @given(st.integers(min_value=25, max_value=60))
    def test_every_note_kept_once_or_reported_dropped(self, budget):
        prompt = SUPPORT_CASE.assemble(budget)
        middle = prompt.lines[1:-2]
        texts = [n.text for n in SUPPORT_CASE.notes]
        assert sorted([*middle, *prompt.dropped]) == sorted(texts)
        assert prompt.total_tokens <= budget
        assert prompt.total_tokens == sum(estimate_tokens(line) for line in prompt.lines)
        assert prompt.evidence_adjacent_to_question


class TestAssemblyReport:
    def test_without_budget(self):
        report = assembly_report(SUPPORT_CASE.assemble())
        assert report.splitlines()[-3:] == [
            "kept 3 of 3 notes",
            "tokens: 38 (no budget)",
            "evidence adjacent to question: True",
        ]

    def test_with_budget(self):
        lines = assembly_report(SUPPORT_CASE.assemble(33)).splitlines()
        assert lines[0] == "1: Policy: damaged items may be returned within 30 days."
        assert "kept 2 of 3 notes" in lines
        assert "dropped: History: customer updated email address." in lines
        assert "tokens: 33 of a 33-token budget" in lines

    def test_report_of_a_hand_made_prompt(self):
        prompt = AssembledPrompt(
            lines=("P", "E", "Q"), dropped=(), total_tokens=3, evidence="E", question="Q"
        )
        assert assembly_report(prompt).splitlines()[3] == "kept 0 of 0 notes"

    def test_bad_prompt(self):
        with pytest.raises(TypeError, match="prompt"):
            assembly_report("1: Policy")


# --- assemble_long_context: order, budget and the notes it keeps or drops ---

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


ASSEMBLY_BAD = [
    (estimate_tokens, (None,), {}, TypeError, "text"),
    (Note, ("",), {}, ValueError, "text"),
    (Note, ("x",), {"relevance": float("nan")}, ValueError, "relevance"),
    (Note, ("x",), {"relevance": "high"}, TypeError, "relevance"),
    (Note, ("x",), {"tokens": 0}, ValueError, "tokens"),
    (Note, ("x",), {"tokens": 1.5}, TypeError, "tokens"),
]


@pytest.mark.parametrize(("func", "args", "kwargs", "error", "name"), ASSEMBLY_BAD)
def test_bad_note_inputs(func, args, kwargs, error, name):
    with pytest.raises(error, match=name):
        func(*args, **kwargs)


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


@pytest.mark.parametrize(("changes", "error", "name"), CONTEXT_BAD)
def test_bad_assembly_inputs(changes, error, name):
    with pytest.raises(error, match=name):
        seed_context(**changes)
