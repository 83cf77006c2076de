"""Grade a reader's answers with the same rule as the rendered page.

A question counts when the chosen set of choices equals the answer set (no partial credit);
``score = correct / total`` and the quiz passes only when ``score > pass_threshold``: with the
default 0.75, 3 of 4 (75%) does not pass and 8 of 10 (80%) does.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from llmhistory._validate import check_int
from llmhistory.book.quiz.bank import as_quiz
from llmhistory.book.quiz.schema import DEFAULT_THRESHOLD, Question, Quiz
from llmhistory.book.quiz.scoring import percent, score_text

__all__ = ["Grade", "QuestionResult", "grade"]


@dataclass(frozen=True)
class QuestionResult:
    """How one question was answered: chosen and correct indices (sorted) and the verdict."""

    id: str
    correct: bool
    chosen: tuple[int, ...]
    answer: tuple[int, ...]


@dataclass(frozen=True)
class Grade:
    """The result of :func:`grade`.

    Attributes
    ----------
    score : float
        ``correct / total`` in ``[0, 1]``.
    correct, total : int
        Questions answered correctly, and questions in the quiz.
    passed : bool
        ``score > threshold`` (strictly).
    per_question : tuple of QuestionResult
        One result per question, in quiz order.
    threshold : float
        The quiz's pass threshold.
    """

    score: float
    correct: int
    total: int
    passed: bool
    per_question: tuple[QuestionResult, ...]
    threshold: float = DEFAULT_THRESHOLD

    @property
    def percent(self) -> int:
        """Return the score in percent, rounded half up (as the page shows it)."""
        return percent(self.correct, self.total)

    @property
    def text(self) -> str:
        """Return the score as the page shows it, e.g. ``"8 / 10 (80%)"``."""
        return score_text(self.correct, self.total)


def _given_answer(question: Question, value: object) -> tuple[int, ...]:
    name = f"answers[{question.id!r}]"
    n = len(question.choices)
    if question.multi:
        if not isinstance(value, (list, tuple, set, frozenset)):
            raise TypeError(
                f"{name} must be a list of choice indices for this select-all question, "
                f"got {type(value).__name__} {value!r}"
            )
        picks = [check_int(name, v, minimum=0) for v in value]
        if not picks:
            raise ValueError(f"{name} must select at least one choice, got an empty list")
        if len(set(picks)) != len(picks):
            raise ValueError(f"{name} must not repeat a choice, got {list(value)}")
    else:
        if isinstance(value, (list, tuple, set, frozenset)):
            raise TypeError(
                f"{name} must be one choice index (int) for this single-answer question, "
                f"got {type(value).__name__} {value!r}"
            )
        picks = [check_int(name, value, minimum=0)]
    for pick in picks:
        if pick >= n:
            raise ValueError(
                f"{name}={pick} is out of range: question {question.id!r} has {n} choices "
                f"(0-{n - 1})"
            )
    return tuple(sorted(picks))


def grade(quiz: Quiz | Mapping | int | str | os.PathLike, answers: Mapping[str, object]) -> Grade:
    """Return the :class:`Grade` of ``answers``, with the same rule as the rendered page.

    Parameters
    ----------
    quiz : Quiz, mapping, int, str or path-like
        The quiz, or anything :func:`~llmhistory.book.quiz.bank.load_quiz` accepts.
    answers : mapping of str to int or list of int
        Question id to the chosen index (single-answer) or list of indices (select-all).
        Every question must be answered, and no other id may appear.

    Returns
    -------
    Grade

    Raises
    ------
    TypeError
        If ``answers`` is not a mapping, or an answer has the wrong kind (names the id).
    ValueError
        If ids are missing or unknown, or an index is out of range (names the id).

    Examples
    --------
    >>> from llmhistory.book.quiz import validate_quiz
    >>> choices = [{"text": "A", "why": "A is right."}, {"text": "B", "why": "B is not A."}]
    >>> quiz = validate_quiz({"id": "demo", "title": "Demo", "questions": [
    ...     {"id": f"q{i}", "text": "Pick A.", "choices": choices, "answer": 0,
    ...      "explanation": "A."} for i in range(4)]})
    >>> g = grade(quiz, {"q0": 0, "q1": 0, "q2": 0, "q3": 1})
    >>> g.text, g.passed
    ('3 / 4 (75%)', False)
    >>> grade(quiz, {"q0": 0, "q1": 0, "q2": 0, "q3": 0}).passed
    True
    """
    quiz = as_quiz("quiz", quiz)
    if not isinstance(answers, Mapping):
        raise TypeError(
            "answers must be a mapping of question id -> choice index (or list of indices), "
            f"got {type(answers).__name__}"
        )
    ids = [q.id for q in quiz.questions]
    unknown = [key for key in answers if key not in ids]
    if unknown:
        raise ValueError(
            f"answers has unknown question ids {unknown} for quiz {quiz.id!r}; its ids are {ids}"
        )
    missing = [qid for qid in ids if qid not in answers]
    if missing:
        raise ValueError(
            f"answers is missing question ids {missing} for quiz {quiz.id!r}: answer every question"
        )
    results = []
    for question in quiz.questions:
        chosen = _given_answer(question, answers[question.id])
        results.append(
            QuestionResult(question.id, chosen == question.answer_set, chosen, question.answer_set)
        )
    correct = sum(r.correct for r in results)
    total = len(results)
    score = correct / total
    return Grade(
        score, correct, total, score > quiz.pass_threshold, tuple(results), quiz.pass_threshold
    )
