"""Quiz banks: YAML files read strictly, the shipped bank, and the checks across a bank.

The book's bank is one file per chapter in ``banks/`` (``NN-<slug>.yaml``, the chapter
notebook ``notebooks/NN_<slug>.ipynb``). :func:`load_quiz` finds a quiz by chapter number,
id, file stem or path to your own file.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import yaml

from llmhistory._validate import check_instance, check_int, check_str
from llmhistory.book.quiz.policy import book_policy_problems
from llmhistory.book.quiz.schema import Quiz, QuizError, check_quiz, validate_quiz

__all__ = [
    "bank_dir",
    "chapter_page",
    "list_quizzes",
    "load_bank",
    "load_quiz",
    "validate_bank",
]

_BANK = Path(__file__).resolve().parent / "banks"


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
    return check_quiz(data, source)


def bank_dir() -> Path:
    """Return the folder of the shipped quiz bank (``llmhistory/book/quiz/banks``).

    >>> bank_dir().name
    'banks'
    """
    return _BANK


def bank_files(directory: Path) -> list[Path]:
    """Return the ``*.yaml`` and ``*.yml`` files of ``directory``, sorted by name."""
    return sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])


def load_files(paths: Sequence[Path]) -> tuple[Quiz, ...]:
    """Return the quizzes of ``paths``; raise one :class:`QuizError` for all their problems."""
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


def validate_bank(quizzes: Iterable[Quiz], *, book_policy: bool = False) -> tuple[Quiz, ...]:
    """Return ``quizzes`` as a tuple after checking quiz and question ids are unique across them.

    Parameters
    ----------
    quizzes : iterable of Quiz
        Validated quizzes (e.g. from :func:`load_quiz`).
    book_policy : bool, default False
        Also check the book's rules (:func:`~llmhistory.book.quiz.policy.book_policy_problems`):
        one quiz per chapter 1-16, enough questions, a select-all question in each, a linked
        section for every question, and answers that are not given away by their length.

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
    >>> len(validate_bank(load_bank(), book_policy=True)) >= 12
    True
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
        problems.extend(book_policy_problems(quizzes))
    if problems:
        raise QuizError(problems)
    return quizzes


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
    >>> [q.chapter for q in load_bank()][:12]
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
    paths = bank_files(folder)
    if not paths:
        raise ValueError(f"directory {str(folder)!r} holds no *.yaml quiz file")
    return validate_bank(load_files(paths))


@lru_cache(maxsize=1)
def _shipped_bank() -> tuple[Quiz, ...]:
    return load_bank()


def list_quizzes() -> list[str]:
    """Return the ids of the shipped quizzes, in chapter order.

    >>> list_quizzes()[0], list_quizzes()[12]
    ('ch01-prompt-in-text-out', 'ch13-review')
    """
    return [quiz.id for quiz in _shipped_bank()]


def chapter_page(chapter: int) -> str | None:
    """Return the book page of ``chapter`` (``"09_serving_kv_cache.html"``), or None if unknown.

    The page is named after the chapter's bank file ``NN-<slug>.yaml``, as its notebook is.

    >>> chapter_page(9), chapter_page(99)
    ('09_serving_kv_cache.html', None)
    """
    chapter = check_int("chapter", chapter, minimum=1)
    for quiz in _shipped_bank():
        if quiz.chapter == chapter:
            return Path(quiz.source).stem.replace("-", "_") + ".html"
    return None


def _norm(key: str) -> str:
    return key.strip().lower().replace("_", "-")


def load_quiz(path_or_chapter: int | str | os.PathLike) -> Quiz:
    """Return one validated quiz, from a YAML file or from the shipped bank.

    Parameters
    ----------
    path_or_chapter : int, str or path-like
        A chapter number (``8``), a path to a ``.yaml``/``.yml`` file (your own quiz), or a
        key into the shipped bank: a quiz id (``"ch09-serving-kv-cache"``), a file stem
        (``"09-serving-kv-cache"``), a chapter notebook stem (``"09_serving_kv_cache"``) or a
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
    >>> load_quiz(13).id
    'ch13-review'
    >>> load_quiz("09_serving_kv_cache") == load_quiz(9)
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


def as_quiz(name: str, value: object) -> Quiz:
    """Return ``value`` as a :class:`Quiz`: a quiz, a mapping, or a key for :func:`load_quiz`."""
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
