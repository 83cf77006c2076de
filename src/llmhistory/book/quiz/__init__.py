"""Self-grading chapter quizzes: YAML banks, a validator, a grader and an HTML renderer.

Every chapter ends with a short checkpoint quiz, and chapter 13 also with a 14-question review
of the whole book. The questions are data (``banks/NN-<slug>.yaml``, format in
``banks/README.md``); this package checks them, grades answers in Python with the page's rule,
and renders a quiz as one self-contained block that runs wherever the notebook is shown.

========== =================================================================================
module     idea
========== =================================================================================
schema     the records ``Quiz`` and ``Question``, and ``validate_quiz``
scoring    the pass rule (``correct / total > threshold``) and the score as printed
bank       YAML files, the shipped bank, ``load_quiz``, ``validate_bank``
policy     the book's rules for its own bank (one quiz per chapter, no length give-away, ...)
grading    ``grade``
render     ``render_quiz``, ``quiz_page_html``; the page script is ``assets/quiz.js``
cli        ``python -m llmhistory.book.quiz validate|page``
========== =================================================================================

>>> from llmhistory.book.quiz import load_quiz, render_quiz
>>> render_quiz(load_quiz(9))
QuizDisplay(quiz='ch09-serving-kv-cache', questions=5)
"""

from llmhistory.book.quiz.bank import (
    bank_dir,
    chapter_page,
    list_quizzes,
    load_bank,
    load_quiz,
    validate_bank,
)
from llmhistory.book.quiz.cli import main
from llmhistory.book.quiz.grading import Grade, QuestionResult, grade
from llmhistory.book.quiz.policy import book_policy_problems, longest_correct
from llmhistory.book.quiz.render import BOOK_ID, QuizDisplay, quiz_page_html, render_quiz
from llmhistory.book.quiz.schema import DEFAULT_THRESHOLD, Question, Quiz, QuizError, validate_quiz

__all__ = [
    "BOOK_ID",
    "DEFAULT_THRESHOLD",
    "Grade",
    "Question",
    "QuestionResult",
    "Quiz",
    "QuizDisplay",
    "QuizError",
    "bank_dir",
    "book_policy_problems",
    "chapter_page",
    "grade",
    "list_quizzes",
    "load_bank",
    "load_quiz",
    "longest_correct",
    "main",
    "quiz_page_html",
    "render_quiz",
    "validate_bank",
    "validate_quiz",
]
