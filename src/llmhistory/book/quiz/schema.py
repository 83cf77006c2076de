"""The quiz records (:class:`Quiz`, :class:`Question`) and the checks that build them.

A quiz file is one YAML mapping (see ``banks/README.md`` for the format);
:func:`validate_quiz` turns a parsed mapping into a frozen :class:`Quiz` or raises one
:class:`QuizError` that lists every problem, each naming the file, the question and the field.
Unknown fields are refused, so a typo such as ``anwser`` is an error, not a silent default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from llmhistory._validate import check_float, check_int, check_str
from llmhistory.book.quiz.scoring import DEFAULT_THRESHOLD, min_correct

__all__ = [
    "DEFAULT_THRESHOLD",
    "MAX_CHOICES",
    "MIN_CHOICES",
    "Question",
    "Quiz",
    "QuizError",
    "validate_quiz",
]

#: Allowed number of choices per question.
MIN_CHOICES, MAX_CHOICES = 2, 6

ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\Z")
_QUIZ_FIELDS = ("id", "title", "chapter", "pass_threshold", "questions")
_QUIZ_REQUIRED = ("id", "title", "questions")
_QUESTION_FIELDS = ("id", "text", "choices", "answer", "explanation", "section", "chapter")
_QUESTION_REQUIRED = ("id", "text", "choices", "answer", "explanation")
_CHOICE_FIELDS = ("text", "why")


class QuizError(ValueError):
    """A quiz file or mapping broke the schema; ``problems`` holds one message per fault.

    Each message starts with the source (file path) and names the question and field, e.g.
    ``"banks/x.yaml: question 'q1' (#1): field 'answer': index 4 is out of range ..."``.
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
        Shown after checking: why the answer is right, with the reference.
    why : tuple of str
        One line per choice, in the order of ``choices``: why a wrong choice is wrong, or why a
        correct one is right. Shown after checking for each choice the reader misjudged.
    section : str or None
        The heading of the section that teaches it; the page links "See Chapter N" there.
    chapter : int or None
        The chapter of ``section`` when it is not the quiz's own chapter (review quizzes).
    """

    id: str
    text: str
    choices: tuple[str, ...]
    answer: int | tuple[int, ...]
    explanation: str
    why: tuple[str, ...]
    section: str | None = None
    chapter: int | None = None

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

        >>> from llmhistory.book.quiz import load_quiz
        >>> review = load_quiz(13)  # 11 of 14 is 79%; 10 of 14 is 71%
        >>> review.min_correct, len(review.questions)
        (11, 14)
        """
        return min_correct(len(self.questions), self.pass_threshold)


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
    if ident is not None and not ID_RE.match(ident):
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


def _check_choice_text(
    problems: _Problems, where: str, index: int, name: str, value: object
) -> str | None:
    if not isinstance(value, str) or not value.strip():
        problems.add(
            where,
            f"field 'choices': choices[{index}].{name} must be a non-empty string, "
            f"got {type(value).__name__} {value!r}{_yaml_hint(value)}",
        )
        return None
    return value


def _check_choices(
    problems: _Problems, where: str, value: object
) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """Return (texts, whys) of a list of ``{text, why}`` mappings, or None after a problem."""
    shape = f"a list of {MIN_CHOICES}-{MAX_CHOICES} mappings with fields text, why"
    if not isinstance(value, (list, tuple)):
        problems.add(where, f"field 'choices': must be {shape}, got {type(value).__name__}")
        return None
    before = len(problems.items)
    if not MIN_CHOICES <= len(value) <= MAX_CHOICES:
        problems.add(
            where,
            f"field 'choices': must hold {MIN_CHOICES}-{MAX_CHOICES} choices, got {len(value)}",
        )
    texts: list[str] = []
    whys: list[str] = []
    seen: dict[str, int] = {}
    for index, choice in enumerate(value):
        if not isinstance(choice, Mapping):
            problems.add(
                where,
                f"field 'choices': choices[{index}] must be a mapping with fields text, why "
                f"(why: one line on why this choice is wrong or right), "
                f"got {type(choice).__name__} {choice!r}",
            )
            continue
        for key in choice:
            if key not in _CHOICE_FIELDS:
                problems.add(
                    where,
                    f"field 'choices': choices[{index}]: unknown field {key!r}; "
                    f"allowed fields: {', '.join(_CHOICE_FIELDS)}",
                )
        for name in _CHOICE_FIELDS:
            if name not in choice:
                problems.add(
                    where, f"field 'choices': choices[{index}]: missing required field {name!r}"
                )
        text = _check_choice_text(problems, where, index, "text", choice.get("text", "-"))
        why = _check_choice_text(problems, where, index, "why", choice.get("why", "-"))
        if text is None or why is None:
            continue
        key = " ".join(text.split())
        if key in seen:
            problems.add(
                where,
                f"field 'choices': choices[{index}] repeats choices[{seen[key]}] ({text!r})",
            )
        seen.setdefault(key, index)
        texts.append(text)
        whys.append(why)
    if len(problems.items) > before:
        return None
    return tuple(texts), tuple(whys)


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


def _check_section(
    problems: _Problems, where: str, data: Mapping, quiz_chapter: int | None
) -> tuple[str | None, int | None]:
    section = chapter = None
    if "chapter" in data:
        chapter = problems.run(where, "chapter", check_int, data["chapter"], minimum=1)
        if "section" not in data:
            problems.add(where, "field 'chapter': only used with 'section' (the linked section)")
    if "section" in data:
        section = problems.run(where, "section", check_str, data["section"])
        if section is not None and not re.search(r"[A-Za-z]", section):
            problems.add(where, f"field 'section': {section!r} is not a heading (no letter)")
        if "chapter" not in data and quiz_chapter is None:
            problems.add(
                where,
                "field 'section': needs a chapter to link to: set the quiz's 'chapter' or "
                "this question's 'chapter'",
            )
    return section, chapter


def _check_question(
    problems: _Problems,
    position: int,
    data: object,
    seen_ids: dict[str, int],
    quiz_chapter: int | None,
) -> Question | None:
    where = f"question #{position}"
    if not isinstance(data, Mapping):
        problems.add(where, f"must be a mapping of {', '.join(_QUESTION_REQUIRED)}")
        return None
    qid = data.get("id")
    if isinstance(qid, str) and qid.strip():
        where = f"question {qid!r} (#{position})"
    for key in data:
        if key not in _QUESTION_FIELDS:
            problems.add(
                where, f"unknown field {key!r}; allowed fields: {', '.join(_QUESTION_FIELDS)}"
            )
    missing = [name for name in _QUESTION_REQUIRED if name not in data]
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
    section, chapter = _check_section(problems, where, data, quiz_chapter)
    if missing or len(problems.items) > before:
        return None
    texts, whys = choices
    return Question(ident, text, texts, answer, explanation, whys, section, chapter)


def check_quiz(data: object, source: str) -> tuple[list[str], Quiz | None]:
    """Return (problems, None) for a broken quiz mapping, or ([], the Quiz) for a valid one."""
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
            questions = [
                _check_question(problems, i, q, seen, data.get("chapter"))
                for i, q in enumerate(raw, 1)
            ]
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
        each question has ``id``, ``text``, ``choices`` (mappings with ``text`` and ``why``),
        ``answer``, ``explanation`` and optional ``section`` and ``chapter``.
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
    >>> def choice(text):
    ...     return {"text": text, "why": f"2 + 2 is 4, not {text}."}
    >>> quiz = validate_quiz({"id": "demo", "title": "Demo", "questions": [
    ...     {"id": "q1", "text": "2 + 2?", "choices": [choice("3"), choice("4")], "answer": 1,
    ...      "explanation": "Arithmetic."}]})
    >>> quiz.questions[0].answer, quiz.questions[0].choices, quiz.pass_threshold
    (1, ('3', '4'), 0.75)
    >>> validate_quiz({"id": "demo", "title": "Demo", "questions": [
    ...     {"id": "q1", "text": "2 + 2?", "choices": [choice("3"), choice("4")], "answer": 2,
    ...      "explanation": "Arithmetic."}]}, source="demo.yaml")
    Traceback (most recent call last):
    ...
    llmhistory.book.quiz.schema.QuizError: demo.yaml: question 'q1' (#1): field 'answer': \
index 2 is out of range for 2 choices (allowed 0-1; indices start at 0)
    """
    source = check_str("source", source)
    problems, quiz = check_quiz(data, source)
    if problems:
        raise QuizError(problems)
    return quiz
