"""The book's rules for its own quiz bank, beyond what any quiz file must satisfy.

One quiz per chapter listed in ``llmhistory.book.chapters.CHAPTERS``; every chapter quiz has at
least :data:`MIN_CHAPTER_QUESTIONS` questions and the chapter-13 review exactly
:data:`REVIEW_QUESTIONS`; every quiz has a select-all question with several true
statements; every question links the section that teaches it; and the right answer is not
given away by being the longest choice.
"""

from __future__ import annotations

from collections.abc import Sequence

from llmhistory.book.chapters import CHAPTERS
from llmhistory.book.html import plural
from llmhistory.book.quiz.schema import Question, Quiz

__all__ = [
    "MAX_LONGEST_SHARE",
    "MIN_CHAPTER_QUESTIONS",
    "REVIEW_CHAPTER",
    "REVIEW_QUESTIONS",
    "book_policy_problems",
    "correct_is_longest",
    "longest_correct",
]

#: Every chapter but the review has at least this many checkpoint questions ...
MIN_CHAPTER_QUESTIONS = 3
#: ... and the last chapter holds the review quiz with exactly this many.
REVIEW_CHAPTER, REVIEW_QUESTIONS = 13, 14
#: In at most this share of a quiz's single-answer questions may the correct choice be the
#: strictly longest (with four choices, chance alone gives about a quarter).
MAX_LONGEST_SHARE = 1 / 3


def _length(text: str) -> int:
    return len(" ".join(text.split()))


def correct_is_longest(question: Question) -> bool:
    """Return True if ``question`` is single-answer and its correct choice is strictly longest.

    Length counts characters after collapsing runs of white space.

    >>> from llmhistory.book.quiz import load_quiz
    >>> questions = load_quiz(10).questions
    >>> [correct_is_longest(q) for q in questions].count(True) <= len(questions) / 3
    True
    """
    if question.multi:
        return False
    lengths = [_length(choice) for choice in question.choices]
    right = lengths.pop(question.answer)
    return right > max(lengths)


def longest_correct(quiz: Quiz) -> tuple[int, int]:
    """Return (questions whose correct choice is strictly longest, single-answer questions).

    >>> from llmhistory.book.quiz import load_quiz
    >>> count, singles = longest_correct(load_quiz(13))
    >>> 3 * count <= singles
    True
    """
    singles = [q for q in quiz.questions if not q.multi]
    return sum(correct_is_longest(q) for q in singles), len(singles)


def _spans(numbers: Sequence[int]) -> str:
    """Return sorted chapter numbers as runs: ``[1, 2, 3, 5]`` -> ``"1-3, 5"``."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(f"{a}-{b}" if b > a else f"{a}" for a, b in runs)


def _quiz_problems(quiz: Quiz, chapter: int) -> list[str]:
    where = f"{quiz.source}: quiz {quiz.id!r}"
    problems = []
    count = len(quiz.questions)
    if chapter == REVIEW_CHAPTER and count != REVIEW_QUESTIONS:
        problems.append(
            f"{where}: field 'questions': the review quiz needs exactly {REVIEW_QUESTIONS} "
            f"questions, got {count}"
        )
    elif chapter != REVIEW_CHAPTER and count < MIN_CHAPTER_QUESTIONS:
        problems.append(
            f"{where}: field 'questions': a chapter quiz needs at least {MIN_CHAPTER_QUESTIONS} "
            f"questions, got {count}"
        )
    if not any(len(q.answer_set) >= 2 for q in quiz.questions):
        problems.append(
            f"{where}: field 'questions': needs a select-all question with at least two true "
            "statements (answer: a list of indices)"
        )
    for position, question in enumerate(quiz.questions, 1):
        if question.section is None:
            problems.append(
                f"{quiz.source}: question {question.id!r} (#{position}): missing required "
                "field 'section' (the heading of the section that teaches it)"
            )
    longest, singles = longest_correct(quiz)
    if longest > MAX_LONGEST_SHARE * singles:
        ids = ", ".join(q.id for q in quiz.questions if correct_is_longest(q))
        problems.append(
            f"{where}: field 'questions': the correct choice is strictly the longest in "
            f"{longest} of {plural(singles, 'single-answer question')} ({ids}); at most a "
            "third may be, or the length gives the answer away"
        )
    return problems


def book_policy_problems(quizzes: Sequence[Quiz]) -> list[str]:
    """Return one message per broken book rule in ``quizzes`` (empty if the bank complies).

    >>> from llmhistory.book.quiz import load_bank
    >>> book_policy_problems(load_bank())
    []
    """
    problems = []
    by_chapter: dict[int | None, list[Quiz]] = {}
    for quiz in quizzes:
        by_chapter.setdefault(quiz.chapter, []).append(quiz)
    for quiz in by_chapter.get(None, []):
        problems.append(f"{quiz.source}: quiz {quiz.id!r}: missing required field 'chapter'")
    numbers = [c.number for c in CHAPTERS]
    for chapter in numbers:
        found = by_chapter.get(chapter, [])
        if len(found) != 1:
            names = ", ".join(q.source for q in found) or "none"
            problems.append(f"chapter {chapter}: needs exactly one quiz, found {names}")
            continue
        problems.extend(_quiz_problems(found[0], chapter))
    for chapter in sorted(c for c in by_chapter if c is not None and c not in numbers):
        for quiz in by_chapter[chapter]:
            problems.append(
                f"{quiz.source}: quiz {quiz.id!r}: field 'chapter': the book has chapters "
                f"{_spans(numbers)}, got {chapter}"
            )
    return problems
