"""Tests of llmhistory.book.quiz.schema: the records and the checks that build them."""

from __future__ import annotations

import re

import pytest
from quiz_helpers import choices, make_quiz, mutate, write_yaml

from llmhistory.book.quiz import (
    DEFAULT_THRESHOLD,
    Question,
    Quiz,
    QuizError,
    load_quiz,
    validate_quiz,
)

BAD_QUESTIONS = [
    # (mutation, text expected in the message)
    ("questions.1.text", ..., "question 'demo-q1' (#2): missing required field 'text'"),
    ("questions.1.choices", ..., "question 'demo-q1' (#2): missing required field 'choices'"),
    ("questions.1.answer", ..., "question 'demo-q1' (#2): missing required field 'answer'"),
    ("questions.1.explanation", ..., "(#2): missing required field 'explanation'"),
    ("questions.1.id", ..., "question #2: missing required field 'id'"),
    ("questions.1.id", "demo-q0", "question 'demo-q0' (#2): field 'id': duplicate question id"),
    ("questions.1.id", "bad id!", "question 'bad id!' (#2): field 'id': 'bad id!' must start"),
    ("questions.1.answer", 2, "question 'demo-q1' (#2): field 'answer': index 2 is out of range"),
    ("questions.1.answer", [0, 5], "(#2): field 'answer': index 5 is out of range"),
    ("questions.1.answer", -1, "(#2): field 'answer': answer must be an integer >= 0"),
    ("questions.1.answer", True, "(#2): field 'answer': must be a choice index"),
    ("questions.1.answer", "B", "(#2): field 'answer': must be a choice index"),
    ("questions.1.answer", [], "(#2): field 'answer': a list of indices must not be empty"),
    ("questions.1.answer", [1, 1], "(#2): field 'answer': indices must be unique"),
    ("questions.1.answer", [0, "1"], "(#2): field 'answer': answer must be an integer"),
    ("questions.1.choices", choices("only"), "field 'choices': must hold 2-6 choices, got 1"),
    ("questions.1.choices", choices(*"abcdefg"), "field 'choices': must hold 2-6 choices, got 7"),
    ("questions.1.choices", "a, b", "(#2): field 'choices': must be a list of 2-6 mappings"),
    ("questions.1.choices", choices("a", "a"), "field 'choices': choices[1] repeats choices[0]"),
    (
        "questions.1.choices",
        choices("a", "a  "),
        "field 'choices': choices[1] repeats choices[0]",
    ),
    (
        "questions.1.choices",
        ["a", "b"],
        "field 'choices': choices[0] must be a mapping with fields text, why (why: one line",
    ),
    (
        "questions.1.choices.1.text",
        True,
        "choices[1].text must be a non-empty string, got bool True (quote it in YAML",
    ),
    ("questions.1.choices.1.text", " ", "field 'choices': choices[1].text must be a non-empty"),
    ("questions.1.choices.1.why", ..., "field 'choices': choices[1]: missing required field 'why'"),
    ("questions.1.choices.0.why", "", "field 'choices': choices[0].why must be a non-empty string"),
    ("questions.1.choices.0.wy", "x", "choices[0]: unknown field 'wy'; allowed fields: text, why"),
    ("questions.1.text", "  ", "(#2): field 'text': text must be a non-empty string"),
    ("questions.1.explanation", 3, "field 'explanation': explanation must be a str"),
    ("questions.1.anwser", 1, "(#2): unknown field 'anwser'"),
    ("questions.1", "just text", "question #2: must be a mapping"),
    ("questions.1.section", "", "(#2): field 'section': section must be a non-empty string"),
    ("questions.1.section", "1.2", "(#2): field 'section': '1.2' is not a heading (no letter)"),
    ("questions.1.section", "Summary", "field 'section': needs a chapter to link to"),
    ("questions.1.chapter", 3, "(#2): field 'chapter': only used with 'section'"),
]

BAD_QUIZZES = [
    ("id", ..., "quiz: missing required field 'id'"),
    ("title", ..., "quiz 'demo': missing required field 'title'"),
    ("questions", ..., "quiz 'demo': missing required field 'questions'"),
    ("questions", [], "quiz 'demo': field 'questions': must be a non-empty list"),
    ("pass_threshold", 1.0, "field 'pass_threshold': must be >= 0 and < 1"),
    ("pass_threshold", -0.1, "field 'pass_threshold': pass_threshold must be >= 0.0"),
    ("pass_threshold", "high", "field 'pass_threshold': pass_threshold must be a real number"),
    ("chapter", 0, "field 'chapter': chapter must be an integer >= 1"),
    ("chapter", "8", "field 'chapter': chapter must be an integer"),
    ("title", "", "field 'title': title must be a non-empty string"),
    ("colour", "red", "quiz 'demo': unknown field 'colour'"),
]


class TestValidation:
    @pytest.mark.parametrize(("path", "value", "expected"), BAD_QUESTIONS + BAD_QUIZZES)
    def test_bad_file_names_file_question_and_field(self, tmp_path, path, value, expected):
        bad = mutate(path, value)(make_quiz(3))
        file = write_yaml(tmp_path, "broken.yaml", bad)
        with pytest.raises(QuizError) as info:
            load_quiz(file)
        message = str(info.value)
        assert message.startswith(str(file)), message
        assert expected in message, message
        assert all(p.startswith(str(file)) for p in info.value.problems)

    def test_all_problems_are_reported_at_once(self):
        data = make_quiz(3)
        data["questions"][0]["answer"] = 9
        del data["questions"][2]["text"]
        del data["questions"][1]["choices"][0]["why"]
        with pytest.raises(QuizError) as info:
            validate_quiz(data, source="three.yaml")
        assert len(info.value.problems) == 3
        assert "'demo-q0' (#1): field 'answer'" in info.value.problems[0]
        assert "'demo-q1' (#2): field 'choices': choices[0]: missing" in info.value.problems[1]
        assert "'demo-q2' (#3): missing required field 'text'" in info.value.problems[2]

    def test_every_bad_choice_is_reported(self):
        data = make_quiz(1)
        data["questions"][0]["choices"] = ["a", {"text": "b"}, {"why": "no text"}]
        with pytest.raises(QuizError) as info:
            validate_quiz(data)
        problems = info.value.problems
        assert len(problems) == 3
        assert "choices[0] must be a mapping" in problems[0]
        assert "choices[1]: missing required field 'why'" in problems[1]
        assert "choices[2]: missing required field 'text'" in problems[2]

    def test_defaults_and_types(self):
        quiz = validate_quiz(make_quiz(2))
        assert isinstance(quiz, Quiz) and isinstance(quiz.questions[0], Question)
        assert quiz.pass_threshold == DEFAULT_THRESHOLD
        assert quiz.chapter is None
        assert quiz.source == "<quiz>"
        question = quiz.questions[0]
        assert question.choices == ("right", "wrong")
        assert question.why == ("Why right.", "Why wrong.")
        assert question.section is None and question.chapter is None
        data = make_quiz(1)
        data["questions"][0]["answer"] = [1, 0]
        multi = validate_quiz(data).questions[0]
        assert multi.multi and multi.answer == (0, 1) and multi.answer_set == (0, 1)

    def test_section_and_its_chapter(self):
        data = make_quiz(2) | {"chapter": 3}
        data["questions"][0]["section"] = "Step 5: the KV cache"
        data["questions"][1] |= {"section": "MHA, MQA and GQA", "chapter": 8}
        first, second = validate_quiz(data).questions
        assert (first.section, first.chapter) == ("Step 5: the KV cache", None)
        assert (second.section, second.chapter) == ("MHA, MQA and GQA", 8)
        alone = make_quiz(1)
        alone["questions"][0] |= {"section": "Summary", "chapter": 2}
        assert validate_quiz(alone).questions[0].chapter == 2

    def test_question_chapter_must_be_a_chapter(self):
        data = make_quiz(1)
        data["questions"][0] |= {"section": "Summary", "chapter": 0}
        with pytest.raises(QuizError, match="field 'chapter': chapter must be an integer >= 1"):
            validate_quiz(data)

    def test_source_must_be_a_string(self):
        with pytest.raises(TypeError, match="source must be a str"):
            validate_quiz(make_quiz(1), source=3)

    def test_error_is_a_value_error_listing_problems(self):
        error = QuizError(["a.yaml: one", "a.yaml: two"])
        assert isinstance(error, ValueError)
        assert error.problems == ("a.yaml: one", "a.yaml: two")
        assert str(error) == "a.yaml: one\na.yaml: two"

    def test_records_are_frozen(self):
        quiz = validate_quiz(make_quiz(1))
        with pytest.raises(AttributeError):
            quiz.title = "other"  # type: ignore[misc]
        assert re.match(r"Quiz\(id='demo'", repr(quiz))
