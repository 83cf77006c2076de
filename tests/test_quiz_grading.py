"""Tests of llmhistory.book.quiz.grading and .scoring: the page's rule, in Python."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from quiz_helpers import answers_with, choices, make_quiz, write_yaml

from llmhistory.book.quiz import Grade, grade, load_quiz, validate_quiz
from llmhistory.book.quiz.policy import REVIEW_QUESTIONS
from llmhistory.book.quiz.scoring import min_correct, percent, score_text, threshold_text


class TestGrade:
    @pytest.mark.parametrize(
        ("n", "correct", "text", "passed"),
        [
            (10, 10, "10 / 10 (100%)", True),
            (10, 8, "8 / 10 (80%)", True),
            (10, 7, "7 / 10 (70%)", False),
            (4, 3, "3 / 4 (75%)", False),
            (4, 4, "4 / 4 (100%)", True),
            (3, 2, "2 / 3 (67%)", False),
            (8, 5, "5 / 8 (63%)", False),
        ],
    )
    def test_known_cases(self, n, correct, text, passed):
        quiz = validate_quiz(make_quiz(n))
        result = grade(quiz, answers_with(quiz, correct))
        assert isinstance(result, Grade)
        assert (result.correct, result.total, result.passed, result.text) == (
            correct,
            n,
            passed,
            text,
        )
        assert result.score == correct / n
        assert [r.correct for r in result.per_question] == [i < correct for i in range(n)]

    def test_review_quiz_11_of_14_passes_10_fails(self):
        review = load_quiz(13)
        n = len(review.questions)
        assert n == REVIEW_QUESTIONS == 14
        assert grade(review, answers_with(review, 11)).passed  # 79%
        assert not grade(review, answers_with(review, 10)).passed  # 71%
        assert grade(review, answers_with(review, n)).text == "14 / 14 (100%)"

    def test_multi_select_needs_the_exact_set(self):
        quiz = load_quiz(2)
        n = len(quiz.questions)
        base = answers_with(quiz, n)
        assert grade(quiz, base).correct == n == 5
        multi = next(q for q in quiz.questions if q.multi)
        assert multi.answer == (0, 2)
        for partial in ([0], [0, 1, 2], [2]):
            result = grade(quiz, {**base, multi.id: partial})
            assert result.correct == n - 1
        assert grade(quiz, {**base, multi.id: (2, 0)}).correct == n
        assert grade(quiz, {**base, multi.id: {0, 2}}).correct == n

    def test_per_question_records(self):
        quiz = load_quiz(2)
        result = grade(quiz, {**answers_with(quiz, 5), "ch02-causal-row": 0})
        record = next(r for r in result.per_question if r.id == "ch02-causal-row")
        assert (record.correct, record.chosen, record.answer) == (False, (0,), (1,))

    def test_custom_threshold(self):
        quiz = validate_quiz(make_quiz(4, threshold=0.5))
        assert not grade(quiz, answers_with(quiz, 2)).passed
        assert grade(quiz, answers_with(quiz, 3)).passed
        assert grade(quiz, answers_with(quiz, 3)).threshold == 0.5
        zero = validate_quiz(make_quiz(2, threshold=0.0))
        assert not grade(zero, answers_with(zero, 0)).passed
        assert grade(zero, answers_with(zero, 1)).passed

    def test_accepts_mapping_chapter_and_path(self, tmp_path):
        data = make_quiz(2)
        path = write_yaml(tmp_path, "mine.yaml", data)
        answers = {"demo-q0": 0, "demo-q1": 0}
        assert grade(data, answers).passed
        assert grade(path, answers).passed
        assert grade(13, answers_with(load_quiz(13), 9)).correct == 9

    @given(total=st.integers(1, 40), data=st.data())
    @settings(max_examples=80)
    def test_pass_is_strictly_above_threshold(self, total, data):
        threshold = data.draw(st.floats(0.0, 0.99, allow_nan=False))
        correct = data.draw(st.integers(0, total))
        quiz = validate_quiz(make_quiz(total, threshold=threshold))
        result = grade(quiz, answers_with(quiz, correct))
        assert result.passed == (correct / total > threshold)
        assert result.passed == (correct >= quiz.min_correct)
        assert 0 <= result.percent <= 100

    @given(st.permutations([0, 1, 2, 3]), st.integers(1, 4))
    def test_multi_answer_order_does_not_matter(self, order, size):
        data = make_quiz(1)
        data["questions"][0].update(choices=choices(*"abcd"), answer=sorted(order[:size]))
        quiz = validate_quiz(data)
        assert grade(quiz, {"demo-q0": list(reversed(order[:size]))}).passed

    @pytest.mark.parametrize(
        ("answers", "error", "pattern"),
        [
            ([0, 0], TypeError, r"answers must be a mapping"),
            ({"demo-q0": 0}, ValueError, r"answers is missing question ids \['demo-q1'\]"),
            (
                {"demo-q0": 0, "demo-q1": 0, "zzz": 1},
                ValueError,
                r"answers has unknown question ids \['zzz'\]",
            ),
            ({"demo-q0": 0, "demo-q1": 2}, ValueError, r"answers\['demo-q1'\]=2 is out of range"),
            ({"demo-q0": 0, "demo-q1": -1}, ValueError, r"answers\['demo-q1'\] must be"),
            ({"demo-q0": 0, "demo-q1": True}, TypeError, r"answers\['demo-q1'\] must be"),
            ({"demo-q0": 0, "demo-q1": "0"}, TypeError, r"answers\['demo-q1'\] must be"),
            ({"demo-q0": 0, "demo-q1": [0]}, TypeError, r"answers\['demo-q1'\] must be one"),
        ],
    )
    def test_bad_answers_single(self, answers, error, pattern):
        with pytest.raises(error, match=pattern):
            grade(validate_quiz(make_quiz(2)), answers)

    @pytest.mark.parametrize(
        ("value", "error", "pattern"),
        [
            (0, TypeError, r"answers\['m'\] must be a list"),
            ([], ValueError, r"answers\['m'\] must select at least one"),
            ([0, 0], ValueError, r"answers\['m'\] must not repeat"),
            ([0, 3], ValueError, r"answers\['m'\]=3 is out of range"),
            ([0.0], TypeError, r"answers\['m'\] must be an integer"),
        ],
    )
    def test_bad_answers_multi(self, value, error, pattern):
        data = make_quiz(1)
        data["questions"] = [
            {
                "id": "m",
                "text": "t",
                "choices": choices("a", "b", "c"),
                "answer": [0, 1],
                "explanation": "e",
            }
        ]
        with pytest.raises(error, match=pattern):
            grade(validate_quiz(data), {"m": value})

    def test_bad_quiz_argument(self):
        with pytest.raises(TypeError, match="quiz must be a Quiz"):
            grade(2.5, {})


class TestScoring:
    def test_known_values(self):
        assert percent(5, 8) == 63  # half up, as Math.round
        assert percent(1, 8) == 13
        assert score_text(2, 3) == "2 / 3 (67%)"
        assert threshold_text(0.75) == "75%"
        assert threshold_text(0.333) == "33.3%"
        assert math.isclose(float(threshold_text(0.12345678)[:-1]), 12.3457)
        assert [min_correct(n, 0.75) for n in (1, 3, 4, 5, 10)] == [1, 3, 4, 4, 8]
        assert min_correct(4, 0.0) == 1

    @given(st.integers(1, 60), st.floats(0.0, 0.99))
    def test_min_correct_is_the_first_pass(self, total, threshold):
        needed = min_correct(total, threshold)
        assert needed / total > threshold
        assert needed == 0 or (needed - 1) / total <= threshold
