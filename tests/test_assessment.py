"""Tests of the assignment builder: specs, answer keys built from the chapters, quiz grading.

These need neither nbgrader nor a kernel; the end-to-end grading of a sample class is in
tests/test_assessment_class.py.
"""

import csv
import json
import sys
from pathlib import Path

import pytest

from llmhistory.book.assessment import (
    GradeRow,
    load_spec,
    quiz_answer_correct,
    source_notebook,
    write_gradebook,
    write_sources,
)
from llmhistory.book.quiz import load_quiz

ROOT = Path(__file__).resolve().parents[1]
SPECS = sorted((ROOT / "assignments" / "specs").glob("ch*.yaml"))
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def cells_of(notebook, kind):
    return [c for c in notebook["cells"] if c["id"].endswith(kind)]


def test_every_chapter_has_a_spec_with_at_least_two_autograded_exercises():
    # chapters 1-12 have assignments; a chapter added later needs assignments/specs/chNN.yaml
    assert {f"ch{n:02d}" for n in range(1, 13)} <= {p.stem for p in SPECS}
    assert {p.stem for p in SPECS} <= {f"ch{p.name[:2]}" for p in CHAPTERS}
    for path in SPECS:
        spec = load_spec(path)
        assert path.stem == spec.name
        assert sum(item.kind == "code" for item in spec.items) >= 2, spec.name


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    paths = write_sources(
        course, specs=ROOT / "assignments" / "specs", notebooks=ROOT / "notebooks"
    )
    return {p.parent.name: json.loads(p.read_text(encoding="utf-8")) for p in paths}


def test_answer_keys_take_solutions_from_the_chapter_cells(sources):
    for path in SPECS:
        spec = load_spec(path)
        chapter = json.loads((ROOT / "notebooks" / spec.notebook).read_text(encoding="utf-8"))
        by_id = {c["id"]: "".join(c["source"]) for c in chapter["cells"]}
        key = {c["id"]: c["source"] for c in sources[spec.name]["cells"]}
        for item in spec.items:
            if item.kind == "code" and item.solution:
                answer = key[f"{spec.name}-{item.id}-answer"]
                assert by_id[item.solution].strip() in answer, (spec.name, item.id)
                assert answer.startswith("### BEGIN SOLUTION")


def test_each_autograded_exercise_has_an_answer_cell_and_a_hidden_locked_test(sources):
    for name, notebook in sources.items():
        tests = [c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("grade")]
        code_tests = [c for c in tests if c["cell_type"] == "code"]
        assert len([c for c in code_tests if "-quiz-" not in c["id"]]) >= 2, name
        for cell in code_tests:
            meta = cell["metadata"]["nbgrader"]
            assert meta["locked"] and meta["points"] >= 1
            assert "### BEGIN HIDDEN TESTS" in cell["source"], cell["id"]
        ids = [c["id"] for c in notebook["cells"]]
        assert len(ids) == len(set(ids)), name


def test_written_exercises_carry_the_rubric_only_in_the_answer_key(sources):
    written = 0
    for notebook in sources.values():
        for cell in notebook["cells"]:
            meta = cell["metadata"].get("nbgrader", {})
            if cell["cell_type"] == "markdown" and meta.get("solution"):
                written += 1
                assert "**Rubric.**" in cell["source"] and meta["grade"] and meta["points"] >= 1
    assert written >= 4  # chapters 2, 5, 6, 11 and 12 have written exercises


def test_quiz_key_matches_the_bank_and_the_question_sheet_hides_answers(sources):
    notebook = sources["ch02"]
    quiz = load_quiz(2)
    sheet = next(c for c in notebook["cells"] if c["id"] == "ch02-quiz-questions")["source"]
    assert all(q.text in sheet for q in quiz.questions)
    assert "why" not in sheet.lower() and "Right:" not in sheet
    answers = next(c for c in notebook["cells"] if c["id"] == "ch02-quiz-answers")["source"]
    namespace = {}
    exec(answers.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", ""), namespace)
    assert all(quiz_answer_correct(2, q.id, namespace["quiz_answers"]) for q in quiz.questions)


@pytest.mark.parametrize(
    "answers, expected",
    [
        ({"ch02-causal-row": 1}, True),
        ({"ch02-causal-row": 0}, False),
        ({"ch02-causal-row": [1]}, False),  # a list for a single-answer question
        ({"ch02-causal-row": True}, False),
        ({"ch02-causal-row": "1"}, False),
        ({}, False),
        (None, False),
    ],
)
def test_quiz_answer_correct_never_raises_on_a_students_entry(answers, expected):
    assert quiz_answer_correct(2, "ch02-causal-row", answers) is expected


def test_quiz_answer_correct_select_all_needs_the_exact_set():
    quiz = next(q for q in load_quiz(12).questions if q.multi)
    right = sorted(quiz.answer_set)
    assert quiz_answer_correct(12, quiz.id, {quiz.id: right[::-1]})
    assert not quiz_answer_correct(12, quiz.id, {quiz.id: right[:-1] or [99]})
    with pytest.raises(ValueError, match="question_id"):
        quiz_answer_correct(12, "no-such-question", {})


def write_spec(tmp_path, text):
    path = tmp_path / "ch02.yaml"
    path.write_text(text, encoding="utf-8")
    return path


ITEM = """
  - id: {id}
    prompt: d22adfed
    task: Store it.
    solution: f9644418
    points: 1
    tests: assert True
"""


@pytest.mark.parametrize(
    "text, error, match",
    [
        ("chapter: 2\nnotebook: x\nitems:" + ITEM.format(id="a"), ValueError, "at least two"),
        ("chapter: 2\nnotebook: x\nitems:" + ITEM.format(id="a") * 2, ValueError, "unique"),
        ("chapter: 2\nnotebook: x\nitems:" + ITEM.format(id="A b") * 2, ValueError, r"\.id must"),
        ("chapter: 0\nnotebook: x\n", ValueError, "chapter"),
        ("- a list", TypeError, "must be a mapping"),
        (
            "chapter: 2\nnotebook: x\nitems:\n  - {id: w, kind: written, prompt: p, task: t,"
            " points: 1}" + ITEM.format(id="a") + ITEM.format(id="b"),
            ValueError,
            "needs a rubric",
        ),
    ],
)
def test_bad_specs_are_refused_with_the_field_named(tmp_path, text, error, match):
    with pytest.raises(error, match=match):
        load_spec(write_spec(tmp_path, text))


def test_a_spec_pointing_at_a_missing_chapter_cell_is_refused(tmp_path):
    spec = load_spec(
        write_spec(
            tmp_path,
            "chapter: 2\nnotebook: x\nitems:" + ITEM.format(id="a") + ITEM.format(id="b"),
        )
    )
    chapter = {"cells": [{"cell_type": "markdown", "id": "t", "source": "# T", "metadata": {}}]}
    with pytest.raises((ValueError, StopIteration)):
        source_notebook(spec, chapter)


def test_gradebook_csv_has_a_row_per_student_and_blank_for_ungraded_written_work(tmp_path):
    rows = [
        GradeRow("ann", {"a": 2.0, "w": None}, 2.0, 4.0, ()),
        GradeRow("bo", {"a": 0.0, "w": None}, 0.0, 4.0, ("test cell x deleted (restored)",)),
    ]
    path = write_gradebook(tmp_path / "g.csv", ["a", "w"], rows)
    table = list(csv.reader(path.open(encoding="utf-8")))
    assert table == [
        ["student", "total", "max", "a", "w", "notes"],
        ["ann", "2", "4", "2", "", ""],
        ["bo", "0", "4", "0", "", "test cell x deleted (restored)"],
    ]


def test_solutions_extension_hides_solutions_but_keeps_glue_cells():
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    try:
        from solutions import strip_solutions
    finally:
        sys.path.pop(0)
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "### Exercise"},
            {"cell_type": "code", "metadata": {"tags": ["solution", "hide-cell"]}, "source": "1"},
            {"cell_type": "markdown", "metadata": {"tags": ["solution"]}, "source": "answer"},
        ]
    }
    out = json.loads(strip_solutions(json.dumps(notebook)))
    assert [c["cell_type"] for c in out["cells"]] == ["markdown", "code"]
    assert out["cells"][1]["metadata"]["tags"] == ["solution", "remove-cell"]
    assert strip_solutions("not json") == "not json"
