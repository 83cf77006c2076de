"""Self-grading chapter quizzes: a YAML bank, a validator, a grader and an HTML renderer.

Every chapter ends with a short checkpoint quiz and the last chapter with a 10-question review
of the whole book. The questions are data (``llmhistory/quizzes/NN-<slug>.yaml``); this module
validates them, grades answers in Python, and renders a quiz as one self-contained block of
HTML, CSS and inline JavaScript that runs in JupyterLab, Jupyter Notebook, VS Code, Colab and
the static Jupyter Book page, with nothing loaded from the network.

Quiz file format
----------------
One YAML mapping per file::

    id: ch08-serving-kv-cache        # stable; letters, digits, "-" and "_"
    title: "Serving: KV cache, GQA and MQA"
    chapter: 8                       # optional for your own quizzes
    pass_threshold: 0.75             # optional; pass only when score > threshold (strictly)
    questions:
      - id: ch08-kv-per-token        # stable and unique across the bank
        text: "Plain text; shown verbatim (HTML is escaped)."
        choices: ["first", "second", "third"]      # 2-6 unique strings
        answer: 1                    # 0-based index of the one correct choice (radio buttons)
        explanation: "See Chapter 8; Ainslie et al. 2023."
      - id: ch08-select-all
        text: "Select all true statements ..."
        choices: ["a", "b", "c", "d"]
        answer: [0, 2]               # a list makes a select-all-that-apply question
        explanation: "..."           # (checkboxes); it counts only if the set matches exactly

A question scores 1 when the chosen set of choices equals the answer set, else 0: there is no
partial credit. ``score = correct / total`` and the quiz passes only when ``score >
pass_threshold``; with the default 0.75, 3 of 4 (75%) does not pass and 8 of 10 (80%) does.
Unknown fields are refused, so a typo such as ``anwser`` is an error, not a silent default.
Validation failures raise :class:`QuizError` (a ``ValueError``) whose lines each name the
file, the question (id and position) and the field.

DOM contract (for browser tests and custom styling)
---------------------------------------------------
``render_quiz(quiz)`` produces one root element per quiz; several quizzes (even the same quiz
twice) can share a page, because radio groups are scoped to each quiz's ``<form>`` and the
script wires every root it finds exactly once. Attributes and roles:

- root ``div.llmhq[data-quiz="<quiz id>"]``, ``id="llmhq-<quiz id>"``, with ``data-book``,
  ``data-storage-key`` (``"<book>:quiz:<quiz id>"``), ``data-threshold`` (e.g. ``"0.75"``),
  ``data-min-correct``, ``data-total``. Set by the script: ``data-quiz-ready="true"`` once
  wired, ``data-complete="true|false"`` (a pass is stored), ``data-result="pass|fail"`` after a
  check, ``data-stored="true|false"`` after a pass (whether localStorage accepted it).
- question ``[data-question="<question id>"]`` with ``data-kind="single|multi"`` and
  ``data-state="unanswered|answered|correct|incorrect"``; inside it a ``<fieldset>`` whose
  ``<legend>`` holds the number and the question (plus "(Select all that apply.)" for multi),
  and per choice a ``label[data-choice="<i>"]`` wrapping a native
  ``input[type=radio|checkbox][data-choice="<i>"]`` (``name`` = question id, ``value`` = i) and
  a ``span[data-choice-text="<i>"]``. After a check each label gets ``data-answer="true|false"``
  (is it a correct choice) and every input is disabled until "Try again".
- ``[data-role="feedback"]`` per question, ``hidden`` until checked, holding
  ``[data-role="verdict"]`` ("✓ Correct." or "✗ Incorrect. Correct answer: <choice>"; "Correct
  answers: a; b" for multi) and ``[data-role="explanation"]`` (filled from the JSON on check, so
  an untrusted notebook, which shows the HTML without running scripts, does not reveal it).
- ``[data-role="remaining"]`` (``aria-live="polite"``): "N questions remaining." ("1 question
  remaining."), with ``data-remaining="N"``.
- ``button[data-role="check"]`` "Check my score": ``disabled`` until every question has a
  choice, and again after a check.
- ``[data-role="score"]``: "Score: 8 / 10 (80%)" with ``data-correct``, ``data-total``,
  ``data-percent``, ``data-passed="true|false"``; ``hidden`` until checked, focused after it.
- ``button[data-role="retry"]`` "Try again": ``hidden`` until a check; clears every answer,
  verdict and the score. It does not clear a stored pass: a lesson once completed stays
  complete.
- ``[data-role="status"]`` (``role="status"``, ``data-complete="true|false"``): "Lesson complete
  (passed with 9 / 10 (90%))." when a pass is stored (also after a reload); "Passed. Lesson
  complete." right after a passing check; "Not passed: you need more than 75% (at least 8 of
  10 correct). ..." after a failing one (prefixed "Lesson complete from an earlier attempt.
  This attempt did not pass: ..." when a pass is stored); "Not complete yet: score above 75%
  to mark this lesson complete." otherwise. Before the script runs it says checking needs
  JavaScript.
- ``script[type="application/json"][data-role="quiz-data"]``: ``{"quiz", "book", "threshold",
  "minCorrect", "questions": [{"id", "multi", "answer", "choices", "explanation"}]}`` where
  ``answer`` is the sorted list of correct indices; ``<``, ``>`` and ``&`` are written as
  ``\\u003c`` etc. so no text can close the script element.

All question text is escaped on the server (``html.escape``) or set with ``textContent``.
The pass is stored in ``localStorage[data-storage-key]`` as JSON ``{"passed": true, "correct",
"total", "percent"}``; a later, lower pass does not overwrite a better one. To forget a pass,
remove that key (browser dev tools) or render with another ``book_id``.

Why not jupyterquiz: it gives instant per-click feedback but has no quiz score, pass threshold
or remembered completion; it generates random element ids per render (stored outputs differ
every run, so nbval cannot compare them), hides the radio inputs and reacts to mouse clicks on
labels (not keyboard-operable form controls in a fieldset/legend), inserts question and answer
text with ``innerHTML``, and shuffles answers by default.

>>> quiz = load_quiz(8)
>>> quiz.id, len(quiz.questions) >= 3
('ch08-serving-kv-cache', True)
>>> "data-role=\\"check\\"" in render_quiz(quiz)._repr_html_()
True
"""

from __future__ import annotations

import argparse
import html
import json
import math
import os
import re
import sys
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import yaml

from llmhistory._validate import check_choice, check_float, check_instance, check_int, check_str

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
    "grade",
    "list_quizzes",
    "load_bank",
    "load_quiz",
    "main",
    "quiz_page_html",
    "render_quiz",
    "validate_bank",
    "validate_quiz",
]

#: Book id used in the localStorage key of a stored pass (``"llmhistory:quiz:<quiz id>"``).
BOOK_ID = "llmhistory"
#: A quiz passes only when ``correct / total`` is strictly greater than this.
DEFAULT_THRESHOLD = 0.75
#: Allowed number of choices per question.
MIN_CHOICES, MAX_CHOICES = 2, 6
#: The book's bank: every chapter 1-11 has at least this many checkpoint questions ...
MIN_CHAPTER_QUESTIONS = 3
#: ... and the last chapter holds the review quiz with exactly this many.
REVIEW_CHAPTER, REVIEW_QUESTIONS = 12, 10

_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\Z")
_QUIZ_FIELDS = ("id", "title", "chapter", "pass_threshold", "questions")
_QUIZ_REQUIRED = ("id", "title", "questions")
_QUESTION_FIELDS = ("id", "text", "choices", "answer", "explanation")
_HERE = Path(__file__).resolve().parent


class QuizError(ValueError):
    """A quiz file or mapping broke the schema; ``problems`` holds one message per fault.

    Each message starts with the source (file path) and names the question and field, e.g.
    ``"quizzes/x.yaml: question 'q1' (#1): field 'answer': index 4 is out of range ..."``.
    """

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Question:
    """One multiple-choice question.

    Attributes
    ----------
    id : str
        Stable id, unique across the bank.
    text : str
        The question, plain text.
    choices : tuple of str
        2-6 unique choices, shown in this order.
    answer : int or tuple of int
        Index of the correct choice (single answer, radio buttons), or a sorted tuple of indices
        (select all that apply, checkboxes).
    explanation : str
        Shown after checking; cites the chapter and the reference.
    """

    id: str
    text: str
    choices: tuple[str, ...]
    answer: int | tuple[int, ...]
    explanation: str

    @property
    def multi(self) -> bool:
        """Return True for a select-all-that-apply question (``answer`` is a tuple)."""
        return isinstance(self.answer, tuple)

    @property
    def answer_set(self) -> tuple[int, ...]:
        """Return the correct choice indices as a sorted tuple (one entry if single)."""
        return self.answer if isinstance(self.answer, tuple) else (self.answer,)


@dataclass(frozen=True)
class Quiz:
    """A validated quiz: id, title, optional chapter, questions and pass threshold.

    ``source`` (the file it came from) is for messages only and is not compared.
    """

    id: str
    title: str
    questions: tuple[Question, ...]
    chapter: int | None = None
    pass_threshold: float = DEFAULT_THRESHOLD
    source: str = field(default="<quiz>", compare=False)

    @property
    def min_correct(self) -> int:
        """Return the fewest correct answers that pass (``correct / total > threshold``).

        >>> load_quiz(12).min_correct
        8
        """
        return _min_correct(len(self.questions), self.pass_threshold)


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
        return _percent(self.correct, self.total)

    @property
    def text(self) -> str:
        """Return the score as the page shows it, e.g. ``"8 / 10 (80%)"``."""
        return _score_text(self.correct, self.total)


# ---------------------------------------------------------------------------------------------
# shared arithmetic (mirrored line by line in quiz_assets/quiz.js)


def _min_correct(total: int, threshold: float) -> int:
    return next(c for c in range(total + 1) if c / total > threshold)


def _percent(correct: int, total: int) -> int:
    return math.floor(100 * correct / total + 0.5)


def _score_text(correct: int, total: int) -> str:
    return f"{correct} / {total} ({_percent(correct, total)}%)"


def _threshold_text(threshold: float) -> str:
    # Math.round(threshold * 1e6) / 1e4 printed like JavaScript's String(number).
    text = repr(math.floor(threshold * 1e6 + 0.5) / 1e4)
    return (text[:-2] if text.endswith(".0") else text) + "%"


# ---------------------------------------------------------------------------------------------
# validation


class _Problems:
    """Collect schema problems, each prefixed with the source and the place."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{self.source}: {where}: {message}")

    def run(self, where: str, name: str, check, *args, **kwargs):
        """Run a shared validator; on failure record it and return None."""
        try:
            return check(name, *args, **kwargs)
        except (TypeError, ValueError) as error:
            self.add(where, f"field {name!r}: {error}")
            return None


def _check_id(problems: _Problems, where: str, value: object) -> str | None:
    ident = problems.run(where, "id", check_str, value)
    if ident is not None and not _ID_RE.match(ident):
        problems.add(
            where,
            f"field 'id': {ident!r} must start with a letter or digit and use only letters, "
            "digits, '-' and '_'",
        )
        return None
    return ident


def _yaml_hint(value: object) -> str:
    if isinstance(value, (bool, int, float)) or value is None:
        return " (quote it in YAML so it stays text)"
    return ""


def _check_choices(problems: _Problems, where: str, value: object) -> tuple[str, ...] | None:
    if not isinstance(value, (list, tuple)):
        problems.add(
            where,
            f"field 'choices': must be a list of {MIN_CHOICES}-{MAX_CHOICES} strings, "
            f"got {type(value).__name__}",
        )
        return None
    ok = True
    if not MIN_CHOICES <= len(value) <= MAX_CHOICES:
        problems.add(
            where,
            f"field 'choices': must hold {MIN_CHOICES}-{MAX_CHOICES} choices, got {len(value)}",
        )
        ok = False
    seen: dict[str, int] = {}
    for index, choice in enumerate(value):
        if not isinstance(choice, str) or not choice.strip():
            problems.add(
                where,
                f"field 'choices': choices[{index}] must be a non-empty string, "
                f"got {type(choice).__name__} {choice!r}{_yaml_hint(choice)}",
            )
            ok = False
            continue
        key = " ".join(choice.split())
        if key in seen:
            problems.add(
                where,
                f"field 'choices': choices[{index}] repeats choices[{seen[key]}] ({choice!r})",
            )
            ok = False
        seen.setdefault(key, index)
    return tuple(value) if ok else None


def _check_answer(
    problems: _Problems, where: str, value: object, n_choices: int | None
) -> int | tuple[int, ...] | None:
    def in_range(index: int) -> bool:
        if n_choices is not None and index >= n_choices:
            problems.add(
                where,
                f"field 'answer': index {index} is out of range for {n_choices} choices "
                f"(allowed 0-{n_choices - 1}; indices start at 0)",
            )
            return False
        return True

    if isinstance(value, (list, tuple)):
        if not value:
            problems.add(where, "field 'answer': a list of indices must not be empty")
            return None
        indices = [problems.run(where, "answer", check_int, v, minimum=0) for v in value]
        if any(i is None for i in indices):
            return None
        if len(set(indices)) != len(indices):
            problems.add(where, f"field 'answer': indices must be unique, got {list(value)}")
            return None
        if not all([in_range(i) for i in indices]):
            return None
        return tuple(sorted(indices))
    if isinstance(value, bool) or not isinstance(value, int):
        problems.add(
            where,
            "field 'answer': must be a choice index (int, from 0) or a list of indices, "
            f"got {type(value).__name__} {value!r}",
        )
        return None
    index = problems.run(where, "answer", check_int, value, minimum=0)
    if index is None or not in_range(index):
        return None
    return index


def _check_question(
    problems: _Problems, position: int, data: object, seen_ids: dict[str, int]
) -> Question | None:
    where = f"question #{position}"
    if not isinstance(data, Mapping):
        problems.add(where, f"must be a mapping of {', '.join(_QUESTION_FIELDS)}")
        return None
    qid = data.get("id")
    if isinstance(qid, str) and qid.strip():
        where = f"question {qid!r} (#{position})"
    for key in data:
        if key not in _QUESTION_FIELDS:
            problems.add(
                where, f"unknown field {key!r}; allowed fields: {', '.join(_QUESTION_FIELDS)}"
            )
    missing = [name for name in _QUESTION_FIELDS if name not in data]
    for name in missing:
        problems.add(where, f"missing required field {name!r}")
    before = len(problems.items)
    ident = _check_id(problems, where, qid) if "id" in data else None
    if ident is not None:
        if ident in seen_ids:
            problems.add(
                where, f"field 'id': duplicate question id {ident!r} (also #{seen_ids[ident]})"
            )
        else:
            seen_ids[ident] = position
    text = problems.run(where, "text", check_str, data["text"]) if "text" in data else None
    choices = _check_choices(problems, where, data["choices"]) if "choices" in data else None
    answer = None
    if "answer" in data:
        choices_raw = data.get("choices")
        n_choices = len(choices_raw) if isinstance(choices_raw, (list, tuple)) else None
        answer = _check_answer(problems, where, data["answer"], n_choices)
    explanation = None
    if "explanation" in data:
        explanation = problems.run(where, "explanation", check_str, data["explanation"])
    if missing or len(problems.items) > before:
        return None
    return Question(ident, text, choices, answer, explanation)


def _problems_for(data: object, source: str) -> tuple[list[str], Quiz | None]:
    problems = _Problems(source)
    where = "quiz"
    if not isinstance(data, Mapping):
        problems.add(
            where,
            "the file must hold one mapping with fields id, title, questions "
            f"(and optional chapter, pass_threshold); got {type(data).__name__}",
        )
        return problems.items, None
    if isinstance(data.get("id"), str) and data["id"].strip():
        where = f"quiz {data['id']!r}"
    for key in data:
        if key not in _QUIZ_FIELDS:
            problems.add(where, f"unknown field {key!r}; allowed fields: {', '.join(_QUIZ_FIELDS)}")
    for name in _QUIZ_REQUIRED:
        if name not in data:
            problems.add(where, f"missing required field {name!r}")
    ident = _check_id(problems, where, data["id"]) if "id" in data else None
    title = problems.run(where, "title", check_str, data["title"]) if "title" in data else None
    chapter = None
    if data.get("chapter") is not None:
        chapter = problems.run(where, "chapter", check_int, data["chapter"], minimum=1)
    threshold = DEFAULT_THRESHOLD
    if "pass_threshold" in data:
        threshold = problems.run(
            where, "pass_threshold", check_float, data["pass_threshold"], minimum=0.0
        )
        if threshold is not None and threshold >= 1.0:
            problems.add(
                where,
                f"field 'pass_threshold': must be >= 0 and < 1 (a pass needs score > "
                f"threshold, so 1 could never pass), got {threshold}",
            )
    questions: list[Question | None] = []
    if "questions" in data:
        raw = data["questions"]
        if not isinstance(raw, list) or not raw:
            problems.add(where, "field 'questions': must be a non-empty list of questions")
        else:
            seen: dict[str, int] = {}
            questions = [_check_question(problems, i, q, seen) for i, q in enumerate(raw, 1)]
    if problems.items:
        return problems.items, None
    quiz = Quiz(ident, title, tuple(questions), chapter, threshold, source)
    return [], quiz


def validate_quiz(data: object, *, source: str = "<quiz>") -> Quiz:
    """Return ``data`` (a parsed quiz mapping) as a :class:`Quiz` after checking the schema.

    Parameters
    ----------
    data : mapping
        Fields ``id``, ``title``, ``questions`` and optional ``chapter``, ``pass_threshold``;
        each question has ``id``, ``text``, ``choices``, ``answer``, ``explanation`` (see the
        module docstring).
    source : str, default "<quiz>"
        Where the data came from (a file path), used as the first word of every message.

    Returns
    -------
    Quiz

    Raises
    ------
    QuizError
        Listing every problem found, each naming the source, the question and the field.

    Examples
    --------
    >>> quiz = validate_quiz({"id": "demo", "title": "Demo", "questions": [
    ...     {"id": "q1", "text": "2 + 2?", "choices": ["3", "4"], "answer": 1,
    ...      "explanation": "Arithmetic."}]})
    >>> quiz.questions[0].answer, quiz.pass_threshold
    (1, 0.75)
    >>> validate_quiz({"id": "demo", "title": "Demo", "questions": [
    ...     {"id": "q1", "text": "2 + 2?", "choices": ["3", "4"], "answer": 2,
    ...      "explanation": "Arithmetic."}]}, source="demo.yaml")
    Traceback (most recent call last):
    ...
    llmhistory.quiz.QuizError: demo.yaml: question 'q1' (#1): field 'answer': index 2 is out \
of range for 2 choices (allowed 0-1; indices start at 0)
    """
    source = check_str("source", source)
    problems, quiz = _problems_for(data, source)
    if problems:
        raise QuizError(problems)
    return quiz


def validate_bank(quizzes: Iterable[Quiz], *, book_policy: bool = False) -> tuple[Quiz, ...]:
    """Return ``quizzes`` as a tuple after checking quiz and question ids are unique across them.

    Parameters
    ----------
    quizzes : iterable of Quiz
        Validated quizzes (e.g. from :func:`load_quiz`).
    book_policy : bool, default False
        Also check the book's rules: one quiz per chapter 1-12, at least 3 questions in each
        of chapters 1-11 and exactly 10 in the chapter-12 review.

    Returns
    -------
    tuple of Quiz

    Raises
    ------
    TypeError
        If an item is not a :class:`Quiz`.
    QuizError
        Naming the file, the question and the duplicated id (or the broken book rule).

    Examples
    --------
    >>> len(validate_bank(load_bank(), book_policy=True))
    12
    """
    quizzes = tuple(quizzes)
    for index, quiz in enumerate(quizzes):
        check_instance(f"quizzes[{index}]", quiz, Quiz)
    problems: list[str] = []
    quiz_ids: dict[str, str] = {}
    question_ids: dict[str, str] = {}
    for quiz in quizzes:
        if quiz.id in quiz_ids:
            problems.append(
                f"{quiz.source}: quiz {quiz.id!r}: field 'id': duplicate quiz id "
                f"(also in {quiz_ids[quiz.id]})"
            )
        quiz_ids.setdefault(quiz.id, quiz.source)
        for position, question in enumerate(quiz.questions, 1):
            if question.id in question_ids:
                problems.append(
                    f"{quiz.source}: question {question.id!r} (#{position}): field 'id': "
                    f"duplicate question id (also in {question_ids[question.id]})"
                )
            question_ids.setdefault(question.id, quiz.source)
    if book_policy:
        problems.extend(_book_policy_problems(quizzes))
    if problems:
        raise QuizError(problems)
    return quizzes


def _book_policy_problems(quizzes: Sequence[Quiz]) -> list[str]:
    problems = []
    by_chapter: dict[int | None, list[Quiz]] = {}
    for quiz in quizzes:
        by_chapter.setdefault(quiz.chapter, []).append(quiz)
    for quiz in by_chapter.get(None, []):
        problems.append(f"{quiz.source}: quiz {quiz.id!r}: missing required field 'chapter'")
    for chapter in range(1, REVIEW_CHAPTER + 1):
        found = by_chapter.get(chapter, [])
        if len(found) != 1:
            names = ", ".join(q.source for q in found) or "none"
            problems.append(f"chapter {chapter}: needs exactly one quiz, found {names}")
            continue
        quiz = found[0]
        count = len(quiz.questions)
        if chapter == REVIEW_CHAPTER and count != REVIEW_QUESTIONS:
            problems.append(
                f"{quiz.source}: quiz {quiz.id!r}: field 'questions': the review quiz needs "
                f"exactly {REVIEW_QUESTIONS} questions, got {count}"
            )
        elif chapter < REVIEW_CHAPTER and count < MIN_CHAPTER_QUESTIONS:
            problems.append(
                f"{quiz.source}: quiz {quiz.id!r}: field 'questions': a chapter quiz needs "
                f"at least {MIN_CHAPTER_QUESTIONS} questions, got {count}"
            )
    for chapter in sorted(c for c in by_chapter if c is not None and c > REVIEW_CHAPTER):
        for quiz in by_chapter[chapter]:
            problems.append(
                f"{quiz.source}: quiz {quiz.id!r}: field 'chapter': the book has chapters "
                f"1-{REVIEW_CHAPTER}, got {chapter}"
            )
    return problems


# ---------------------------------------------------------------------------------------------
# loading


class _StrictLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a key repeated in one mapping."""


def _construct_strict_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if isinstance(key, Hashable):
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"found duplicate key {key!r}",
                    key_node.start_mark,
                )
            seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_strict_mapping
)


def _read_file(path: Path) -> tuple[list[str], Quiz | None]:
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return [f"{source}: cannot read the file ({error})"], None
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        detail = " ".join(str(error).split())
        return [f"{source}: quiz: not valid YAML ({detail})"], None
    return _problems_for(data, source)


def bank_dir() -> Path:
    """Return the folder of the shipped quiz bank (``llmhistory/quizzes``).

    >>> bank_dir().name
    'quizzes'
    """
    return _HERE / "quizzes"


def _bank_files(directory: Path) -> list[Path]:
    return sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])


def _load_files(paths: Sequence[Path]) -> tuple[Quiz, ...]:
    problems: list[str] = []
    quizzes = []
    for path in paths:
        found, quiz = _read_file(path)
        problems.extend(found)
        if quiz is not None:
            quizzes.append(quiz)
    if problems:
        raise QuizError(problems)
    return tuple(quizzes)


def load_bank(directory: str | os.PathLike | None = None) -> tuple[Quiz, ...]:
    """Return every quiz in ``directory`` (default: the shipped bank), in file-name order.

    Parameters
    ----------
    directory : str or path-like, optional
        A folder of ``*.yaml`` / ``*.yml`` quiz files; default :func:`bank_dir`.

    Returns
    -------
    tuple of Quiz
        Validated, with quiz and question ids unique across the folder.

    Raises
    ------
    TypeError
        If ``directory`` is not a str or path-like.
    ValueError
        If ``directory`` is not a folder or holds no quiz file.
    QuizError
        Listing every schema problem in every file.

    Examples
    --------
    >>> [q.chapter for q in load_bank()]
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    """
    if directory is None:
        folder = bank_dir()
    elif isinstance(directory, (str, os.PathLike)):
        folder = Path(directory)
    else:
        raise TypeError(
            f"directory must be a str or path-like folder, got {type(directory).__name__}"
        )
    if not folder.is_dir():
        raise ValueError(f"directory must be an existing folder, got {str(folder)!r}")
    paths = _bank_files(folder)
    if not paths:
        raise ValueError(f"directory {str(folder)!r} holds no *.yaml quiz file")
    return validate_bank(_load_files(paths))


@lru_cache(maxsize=1)
def _shipped_bank() -> tuple[Quiz, ...]:
    return load_bank()


def list_quizzes() -> list[str]:
    """Return the ids of the shipped quizzes, in chapter order.

    >>> list_quizzes()[0], list_quizzes()[-1]
    ('ch01-prompt-in-text-out', 'ch12-review')
    """
    return [quiz.id for quiz in _shipped_bank()]


def _norm(key: str) -> str:
    return key.strip().lower().replace("_", "-")


def load_quiz(path_or_chapter: int | str | os.PathLike) -> Quiz:
    """Return one validated quiz, from a YAML file or from the shipped bank.

    Parameters
    ----------
    path_or_chapter : int, str or path-like
        A chapter number (``8``), a path to a ``.yaml``/``.yml`` file (your own quiz), or a
        key into the shipped bank: a quiz id (``"ch08-serving-kv-cache"``), a file stem
        (``"08-serving-kv-cache"``), a chapter notebook stem (``"08_serving_kv_cache"``) or a
        two-digit number (``"08"``).

    Returns
    -------
    Quiz

    Raises
    ------
    TypeError
        If ``path_or_chapter`` is not an int, str or path-like.
    ValueError
        If no shipped quiz matches (the message lists the ids), or the chapter is out of range.
    FileNotFoundError
        If a ``.yaml`` path does not exist.
    QuizError
        If the file breaks the schema.

    Examples
    --------
    >>> load_quiz(12).id
    'ch12-review'
    >>> load_quiz("08_serving_kv_cache") == load_quiz(8)
    True
    """
    key = path_or_chapter
    if isinstance(key, bool) or not isinstance(key, (int, str, os.PathLike)):
        raise TypeError(
            "path_or_chapter must be a chapter number, a quiz id or a path to a .yaml file, "
            f"got {type(key).__name__}"
        )
    if isinstance(key, int):
        number = check_int("path_or_chapter", key, minimum=1)
        for quiz in _shipped_bank():
            if quiz.chapter == number:
                return quiz
        chapters = sorted(q.chapter for q in _shipped_bank() if q.chapter is not None)
        raise ValueError(
            f"path_or_chapter={number} has no quiz; the bank covers chapters "
            f"{chapters[0]}-{chapters[-1]}"
        )
    path = Path(key)
    if isinstance(key, os.PathLike) or path.suffix.lower() in (".yaml", ".yml") or path.is_file():
        if not path.is_file():
            raise FileNotFoundError(f"path_or_chapter={str(key)!r}: no such quiz file")
        problems, quiz = _read_file(path)
        if problems:
            raise QuizError(problems)
        return quiz
    check_str("path_or_chapter", key)
    wanted = _norm(key)
    for quiz in _shipped_bank():
        stem = Path(quiz.source).stem
        numbers = (f"{quiz.chapter:02d}", str(quiz.chapter)) if quiz.chapter else ()
        if wanted in (_norm(quiz.id), _norm(stem), *numbers):
            return quiz
    raise ValueError(
        f"path_or_chapter={key!r} matches no quiz file or shipped quiz; "
        f"known ids: {', '.join(list_quizzes())}"
    )


def _as_quiz(name: str, value: object) -> Quiz:
    if isinstance(value, Quiz):
        return value
    if isinstance(value, Mapping):
        return validate_quiz(value)
    if isinstance(value, (int, str, os.PathLike)) and not isinstance(value, bool):
        return load_quiz(value)
    raise TypeError(
        f"{name} must be a Quiz, a quiz mapping, a chapter number or a path to a .yaml file, "
        f"got {type(value).__name__}"
    )


# ---------------------------------------------------------------------------------------------
# grading


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

    A question counts when the chosen set of indices equals its answer set (no partial credit);
    the quiz passes only when ``correct / total > pass_threshold`` (strictly).

    Parameters
    ----------
    quiz : Quiz, mapping, int, str or path-like
        The quiz, or anything :func:`load_quiz` accepts.
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
    >>> quiz = validate_quiz({"id": "demo", "title": "Demo", "questions": [
    ...     {"id": f"q{i}", "text": "Pick A.", "choices": ["A", "B"], "answer": 0,
    ...      "explanation": "A."} for i in range(4)]})
    >>> g = grade(quiz, {"q0": 0, "q1": 0, "q2": 0, "q3": 1})
    >>> g.text, g.passed
    ('3 / 4 (75%)', False)
    >>> grade(quiz, {"q0": 0, "q1": 0, "q2": 0, "q3": 0}).passed
    True
    """
    quiz = _as_quiz("quiz", quiz)
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


# ---------------------------------------------------------------------------------------------
# rendering


@cache
def _asset(name: str) -> str:
    return (_HERE / "quiz_assets" / name).read_text(encoding="utf-8")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _script_json(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _check_book_id(book_id: object) -> str:
    book_id = check_str("book_id", book_id)
    if not _ID_RE.match(book_id):
        raise ValueError(f"book_id must use only letters, digits, '-' and '_', got {book_id!r}")
    return book_id


def _intro(quiz: Quiz) -> str:
    return (
        "Answer every question, then check your score. Score above "
        f"{_threshold_text(quiz.pass_threshold)} to mark this lesson complete."
    )


def _question_html(number: int, question: Question) -> str:
    kind = "checkbox" if question.multi else "radio"
    hint = ' <span class="llmhq-hint">(Select all that apply.)</span>' if question.multi else ""
    name = _e(question.id)
    choices = "".join(
        f'<div><label class="llmhq-choice" data-choice="{i}">'
        f'<input type="{kind}" name="{name}" value="{i}" data-choice="{i}">'
        f'<span data-choice-text="{i}">{_e(choice)}</span></label></div>'
        for i, choice in enumerate(question.choices)
    )
    return (
        f'<div class="llmhq-question" data-question="{name}" '
        f'data-kind="{"multi" if question.multi else "single"}" data-state="unanswered">'
        f"<fieldset><legend>{number}. {_e(question.text)}{hint}</legend>"
        f'<div class="llmhq-choices">{choices}</div>'
        '<div class="llmhq-feedback" data-role="feedback" hidden>'
        '<p data-role="verdict"></p><p data-role="explanation"></p></div>'
        "</fieldset></div>"
    )


def _quiz_html(quiz: Quiz, book_id: str) -> str:
    total = len(quiz.questions)
    qid = _e(quiz.id)
    data = {
        "quiz": quiz.id,
        "book": book_id,
        "threshold": quiz.pass_threshold,
        "minCorrect": quiz.min_correct,
        "questions": [
            {
                "id": q.id,
                "multi": q.multi,
                "answer": list(q.answer_set),
                "choices": len(q.choices),
                "explanation": q.explanation,
            }
            for q in quiz.questions
        ],
    }
    questions = "".join(_question_html(i, q) for i, q in enumerate(quiz.questions, 1))
    remaining = f"{total} question{'s' if total != 1 else ''} remaining."
    return (
        f'<div class="llmhq" id="llmhq-{qid}" data-quiz="{qid}" data-book="{_e(book_id)}" '
        f'data-storage-key="{_e(book_id)}:quiz:{qid}" data-threshold="{quiz.pass_threshold!r}" '
        f'data-min-correct="{quiz.min_correct}" data-total="{total}" data-complete="false">'
        f"<style>{_asset('quiz.css')}</style>"
        f'<form class="llmhq-form" aria-labelledby="llmhq-{qid}-title" novalidate>'
        f'<p class="llmhq-title" id="llmhq-{qid}-title">Quiz: {_e(quiz.title)}</p>'
        f'<p class="llmhq-intro">{_e(_intro(quiz))}</p>'
        f"{questions}"
        f'<p data-role="remaining" aria-live="polite" data-remaining="{total}">{remaining}</p>'
        '<div class="llmhq-actions">'
        '<button type="button" data-role="check" disabled>Check my score</button>'
        '<button type="button" data-role="retry" hidden>Try again</button></div>'
        '<p data-role="score" tabindex="-1" hidden></p>'
        '<p data-role="status" role="status" data-complete="false">Checking needs JavaScript: '
        "run this cell, or trust the notebook, to check your score.</p>"
        "</form>"
        f'<script type="application/json" data-role="quiz-data">{_script_json(data)}</script>'
        f"<script>{_asset('quiz.js')}</script>"
        "</div>"
    )


def _quiz_text(quiz: Quiz) -> str:
    lines = [f"Quiz: {quiz.title} ({quiz.id})", _intro(quiz), ""]
    for number, question in enumerate(quiz.questions, 1):
        hint = " (Select all that apply.)" if question.multi else ""
        lines.append(f"{number}. {question.text}{hint}")
        box = "[ ]" if question.multi else "( )"
        lines.extend(f"   {box} {choice}" for choice in question.choices)
        lines.append("")
    count = _plural(len(quiz.questions), "question")
    lines += [f"{count}. Open this page in Jupyter or the book to check your score."]
    return "\n".join(lines)


@dataclass(frozen=True)
class QuizDisplay:
    """A rendered quiz: ``html`` (self-contained fragment) and ``text`` (plain questions).

    Jupyter shows it through ``_repr_mimebundle_`` (``text/html`` and ``text/plain``); the
    output is a pure function of the quiz and ``book_id``, so stored outputs compare equal.
    """

    quiz: Quiz
    html: str
    text: str

    def _repr_html_(self) -> str:
        return self.html

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        return {"text/html": self.html, "text/plain": self.text}

    def __repr__(self) -> str:
        return f"QuizDisplay(quiz={self.quiz.id!r}, questions={len(self.quiz.questions)})"


def render_quiz(
    quiz: Quiz | Mapping | int | str | os.PathLike, *, book_id: str = BOOK_ID
) -> QuizDisplay:
    """Return ``quiz`` rendered for a notebook or book page (the last value of a cell shows it).

    Parameters
    ----------
    quiz : Quiz, mapping, int, str or path-like
        A quiz, a quiz mapping, a chapter number, a bank id or your own ``.yaml`` file.
    book_id : str, default "llmhistory"
        First part of the localStorage key ``"<book_id>:quiz:<quiz id>"`` of a stored pass.

    Returns
    -------
    QuizDisplay
        Self-contained HTML + CSS + inline JavaScript (no network), plus a plain-text version.

    Raises
    ------
    TypeError, ValueError, QuizError
        As :func:`load_quiz` / :func:`validate_quiz`; ``book_id`` must be a simple id.

    Examples
    --------
    >>> display = render_quiz(8)
    >>> display
    QuizDisplay(quiz='ch08-serving-kv-cache', questions=5)
    >>> 'data-threshold="0.75"' in display.html
    True
    """
    quiz = _as_quiz("quiz", quiz)
    book_id = _check_book_id(book_id)
    return QuizDisplay(quiz, _quiz_html(quiz, book_id), _quiz_text(quiz))


_PAGE_CSS = {
    "light": "html{color-scheme:light}body{background:#fff;color:#1f2328}",
    "dark": "html{color-scheme:dark}body{background:#121212;color:#e6edf3}",
}


def quiz_page_html(
    quizzes: Quiz | Mapping | int | str | os.PathLike | Sequence,
    *,
    book_id: str = BOOK_ID,
    theme: str = "light",
) -> str:
    """Return a standalone HTML document holding one or more quizzes (open it from disk).

    Parameters
    ----------
    quizzes : quiz or list of quizzes
        Anything :func:`render_quiz` accepts, or a list or tuple of such values.
    book_id : str, default "llmhistory"
        As in :func:`render_quiz`.
    theme : {"light", "dark"}, default "light"
        ``"dark"`` sets ``<html data-theme="dark">`` as sphinx-book-theme does.

    Returns
    -------
    str
        ``<!DOCTYPE html>`` document; no external resource.

    Raises
    ------
    TypeError, ValueError, QuizError
        As :func:`render_quiz`; ``ValueError`` naming ``theme`` or an empty ``quizzes``.

    Examples
    --------
    >>> page = quiz_page_html([1, 2], theme="dark")
    >>> page.startswith("<!DOCTYPE html>"), page.count('class="llmhq"')
    (True, 2)
    """
    check_choice("theme", theme, tuple(_PAGE_CSS))
    items = list(quizzes) if isinstance(quizzes, (list, tuple)) else [quizzes]
    if not items:
        raise ValueError("quizzes must hold at least one quiz, got an empty sequence")
    displays = [render_quiz(item, book_id=book_id) for item in items]
    title = displays[0].quiz.title if len(displays) == 1 else "Quizzes"
    body = "\n".join(d.html for d in displays)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en" data-theme="{theme}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n"
        '<link rel="icon" href="data:,">\n'
        "<style>body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:50rem;"
        f"padding:0 1rem}}{_PAGE_CSS[theme]}</style>\n"
        f"</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


# ---------------------------------------------------------------------------------------------
# command line


def _validate_paths(paths: Sequence[str]) -> tuple[Quiz, ...]:
    files: list[Path] = []
    problems: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = _bank_files(path)
            if not found:
                problems.append(f"{raw}: no *.yaml quiz file in this folder")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(f"{raw}: no such file or folder")
    try:
        quizzes = _load_files(files)
    except QuizError as error:
        problems.extend(error.problems)
        quizzes = ()
    if problems:
        raise QuizError(problems)
    return validate_bank(quizzes)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 OK, 1 invalid quiz, 2 usage error).

    ``python -m llmhistory.quiz validate [paths...]`` validates the given files and folders,
    or with no path the shipped bank together with the book's rules, and prints
    ``"N quizzes, M questions OK"``. ``python -m llmhistory.quiz page QUIZ [-o FILE]``
    writes a standalone HTML page (``QUIZ`` as for :func:`load_quiz`).

    >>> main(["validate"])
    12 quizzes, ... questions OK
    0
    """
    parser = argparse.ArgumentParser(
        prog="python -m llmhistory.quiz", description="Validate or render llmhistory quizzes."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("validate", help="validate quiz YAML files")
    check.add_argument("paths", nargs="*", help="files or folders (default: the shipped bank)")
    page = commands.add_parser("page", help="write a standalone HTML page for a quiz")
    page.add_argument("quiz", help="chapter number, quiz id or path to a .yaml file")
    page.add_argument("-o", "--output", help="file to write (default: standard output)")
    page.add_argument("--theme", choices=tuple(_PAGE_CSS), default="light")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        if args.command == "validate":
            if args.paths:
                quizzes = _validate_paths(args.paths)
            else:
                quizzes = validate_bank(load_bank(), book_policy=True)
            count = sum(len(q.questions) for q in quizzes)
            print(f"{_plural(len(quizzes), 'quiz', 'quizzes')}, {_plural(count, 'question')} OK")
            return 0
        quiz = int(args.quiz) if args.quiz.isdigit() else args.quiz
        text = quiz_page_html(quiz, theme=args.theme)
        if args.output:
            Path(args.output).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return 0
    except (QuizError, ValueError, TypeError, OSError) as error:
        print(f"error: {error}" if not isinstance(error, QuizError) else error, file=sys.stderr)
        if isinstance(error, QuizError):
            print(f"{len(error.problems)} problem(s) found", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover - exercised through subprocess in the tests
    sys.exit(main())
