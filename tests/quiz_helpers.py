"""Helpers shared by the tests of ``llmhistory.book.quiz`` (tests/test_quiz_*.py)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import yaml

from llmhistory.book.quiz import Quiz

ASSETS = Path(__file__).resolve().parents[1] / "src" / "llmhistory" / "book" / "quiz" / "assets"
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
XSS = "<script>alert(1)</script>"


def choices(*texts: str) -> list[dict]:
    """Return choice mappings for ``texts``, each with a one-line ``why``."""
    return [{"text": text, "why": f"Why {text}."} for text in texts]


def make_quiz(n: int, *, threshold: float | None = None, quiz_id: str = "demo") -> dict:
    """Return a valid quiz mapping with ``n`` two-choice questions whose answer is 0."""
    data = {
        "id": quiz_id,
        "title": "Demo quiz",
        "questions": [
            {
                "id": f"{quiz_id}-q{i}",
                "text": f"Question {i}?",
                "choices": choices("right", "wrong"),
                "answer": 0,
                "explanation": "Because.",
            }
            for i in range(n)
        ],
    }
    if threshold is not None:
        data["pass_threshold"] = threshold
    return data


def answers_with(quiz: Quiz, correct: int) -> dict:
    """Answer the first ``correct`` questions right and the rest wrong."""
    out = {}
    for i, q in enumerate(quiz.questions):
        right = list(q.answer_set)
        wrong = [c for c in range(len(q.choices)) if c not in right][:1]
        pick = right if i < correct else wrong
        out[q.id] = pick if q.multi else pick[0]
    return out


def write_yaml(folder: Path, name: str, data: object) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def correct_text(quiz: Quiz, question_id: str) -> list[str]:
    question = next(q for q in quiz.questions if q.id == question_id)
    return [question.choices[i] for i in question.answer_set]


def quiz_json(html: str) -> dict:
    match = re.search(r'<script type="application/json" data-role="quiz-data">(.*?)</script>', html)
    assert match, "quiz-data script missing"
    return json.loads(match.group(1))


def mutate(path: str, value: object):
    """Return a function that sets (or deletes, for ...) a field of a quiz mapping."""

    def apply(data: dict) -> dict:
        data = copy.deepcopy(data)
        *keys, last = path.split(".")
        target = data
        for key in keys:
            target = target[int(key)] if key.isdigit() else target[key]
        if value is ...:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value
        return data

    return apply


def notebook_headings(chapter: int) -> set[str]:
    """Return the Markdown headings (text after the #s) of chapter ``chapter``'s notebook."""
    (path,) = NOTEBOOKS.glob(f"{chapter:02d}_*.ipynb")
    notebook = json.loads(path.read_text(encoding="utf-8"))
    headings = set()
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                match = re.match(r"#{1,6}\s+(.*\S)\s*$", line)
                if match:
                    headings.add(match.group(1))
    return headings
