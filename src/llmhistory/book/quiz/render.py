"""Render a quiz as one self-contained block of HTML, CSS and inline JavaScript.

The block runs in JupyterLab, Jupyter Notebook, VS Code, Colab and the static Jupyter Book
page, with nothing loaded from the network; its only links are "See Chapter N" links to the
book's own sections. The elements and attributes the script and the browser tests rely on are
described at the top of ``assets/quiz.js`` (the DOM contract).

>>> from llmhistory.book.quiz import load_quiz
>>> quiz = load_quiz(9)
>>> quiz.id, len(quiz.questions) >= 3
('ch09-serving-kv-cache', True)
>>> 'data-role="check"' in render_quiz(quiz)._repr_html_()
True
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from llmhistory._validate import check_choice, check_str
from llmhistory.book.html import escape, heading_id, plural
from llmhistory.book.quiz.bank import as_quiz, chapter_page
from llmhistory.book.quiz.schema import ID_RE, Question, Quiz
from llmhistory.book.quiz.scoring import threshold_text

__all__ = ["BOOK_ID", "QuizDisplay", "quiz_page_html", "render_quiz"]

#: Book id used in the localStorage key of a stored pass (``"llmhistory:quiz:<quiz id>"``).
BOOK_ID = "llmhistory"
_ASSETS = Path(__file__).resolve().parent / "assets"
_PAGE_CSS = {
    "light": "html{color-scheme:light}body{background:#fff;color:#1f2328}",
    "dark": "html{color-scheme:dark}body{background:#121212;color:#e6edf3}",
}


@cache
def _asset(name: str) -> str:
    return (_ASSETS / name).read_text(encoding="utf-8")


def _script_json(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _check_book_id(book_id: object) -> str:
    book_id = check_str("book_id", book_id)
    if not ID_RE.match(book_id):
        raise ValueError(f"book_id must use only letters, digits, '-' and '_', got {book_id!r}")
    return book_id


def _intro(quiz: Quiz) -> str:
    total = len(quiz.questions)
    return (
        "Pick your answers, then press “Check my score”: more than "
        f"{threshold_text(quiz.pass_threshold)} right (at least {quiz.min_correct} of {total}) "
        "completes this quiz. Each choice you misjudge then says why, and links to the "
        "section that explains it."
    )


def _see_html(quiz: Quiz, question: Question) -> str:
    """Return the "See Chapter N" paragraph of ``question`` ("" without a section)."""
    if question.section is None:
        return ""
    chapter = question.chapter or quiz.chapter
    text = escape(f"See Chapter {chapter}: “{question.section}”")
    anchor = heading_id(question.section)
    if chapter == quiz.chapter:
        href = f"#{anchor}"
    else:
        page = chapter_page(chapter)
        if page is None:
            return f'<p data-role="see">{text}</p>'
        href = f"{page}#{anchor}"
    return f'<p data-role="see"><a href="{escape(href)}">{text}</a></p>'


def _question_html(number: int, quiz: Quiz, question: Question) -> str:
    kind = "checkbox" if question.multi else "radio"
    hint = ' <span class="llmhq-hint">(Select all that apply.)</span>' if question.multi else ""
    name = escape(question.id)
    choices = "".join(
        f'<div><label class="llmhq-choice" data-choice="{i}">'
        f'<input type="{kind}" name="{name}" value="{i}" data-choice="{i}">'
        f'<span data-choice-text="{i}">{escape(choice)}</span></label>'
        f'<p class="llmhq-why" data-role="why" data-why="{i}" hidden></p></div>'
        for i, choice in enumerate(question.choices)
    )
    return (
        f'<div class="llmhq-question" data-question="{name}" '
        f'data-kind="{"multi" if question.multi else "single"}" data-state="unanswered">'
        f"<fieldset><legend>{number}. {escape(question.text)}{hint}</legend>"
        f'<div class="llmhq-choices">{choices}</div>'
        '<div class="llmhq-feedback" data-role="feedback" hidden>'
        '<p data-role="verdict"></p>'
        f'<p data-role="explanation"></p>{_see_html(quiz, question)}</div>'
        "</fieldset></div>"
    )


def _quiz_html(quiz: Quiz, book_id: str) -> str:
    total = len(quiz.questions)
    qid = escape(quiz.id)
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
                "why": list(q.why),
                "explanation": q.explanation,
            }
            for q in quiz.questions
        ],
    }
    questions = "".join(_question_html(i, quiz, q) for i, q in enumerate(quiz.questions, 1))
    return (
        f'<div class="llmhq" id="llmhq-{qid}" data-quiz="{qid}" data-book="{escape(book_id)}" '
        f'data-storage-key="{escape(book_id)}:quiz:{qid}" '
        f'data-threshold="{quiz.pass_threshold!r}" '
        f'data-min-correct="{quiz.min_correct}" data-total="{total}" data-complete="false">'
        f"<style>{_asset('quiz.css')}</style>"
        f'<form class="llmhq-form" aria-labelledby="llmhq-{qid}-title" novalidate>'
        f'<p class="llmhq-title" id="llmhq-{qid}-title">Quiz: {escape(quiz.title)}</p>'
        f'<p class="llmhq-intro">{escape(_intro(quiz))}</p>'
        f"{questions}"
        f'<p data-role="remaining" aria-live="polite" data-remaining="{total}">'
        f"{plural(total, 'question')} remaining.</p>"
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
    count = plural(len(quiz.questions), "question")
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
        As :func:`~llmhistory.book.quiz.bank.load_quiz` and
        :func:`~llmhistory.book.quiz.schema.validate_quiz`; ``book_id`` must be a simple id.

    Examples
    --------
    >>> display = render_quiz(9)
    >>> display
    QuizDisplay(quiz='ch09-serving-kv-cache', questions=5)
    >>> 'data-threshold="0.75"' in display.html
    True
    """
    quiz = as_quiz("quiz", quiz)
    book_id = _check_book_id(book_id)
    return QuizDisplay(quiz, _quiz_html(quiz, book_id), _quiz_text(quiz))


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
        f"<title>{escape(title)}</title>\n"
        '<link rel="icon" href="data:,">\n'
        "<style>body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:50rem;"
        f"padding:0 1rem}}{_PAGE_CSS[theme]}</style>\n"
        f"</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def page_themes() -> tuple[str, ...]:
    """Return the themes :func:`quiz_page_html` accepts.

    >>> page_themes()
    ('light', 'dark')
    """
    return tuple(_PAGE_CSS)
