"""Tests of the assignment builder: specs, answer keys built from the chapters, quiz grading.

These need neither nbgrader nor a kernel; the end-to-end grading of a sample class is in
tests/test_assessment_class.py.
"""

import csv
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from llmhistory.book.assessment import (
    GradeRow,
    assignment_rows,
    check_answer_key,
    load_spec,
    main,
    quiz_answer_correct,
    source_notebook,
    write_gradebook,
    write_sources,
)
from llmhistory.book.chapters import CHAPTERS as CHAPTER_RECORDS
from llmhistory.book.quiz import load_quiz
from llmhistory.book.reader import leftover_markup

ROOT = Path(__file__).resolve().parents[1]
SPECS = sorted((ROOT / "assignments" / "specs").glob("ch*.yaml"))
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# every chapter of the book, from its notebook or its record: each needs an assignment
NUMBERS = sorted({int(p.name[:2]) for p in CHAPTERS} | {c.number for c in CHAPTER_RECORDS})
NAMES = [p.stem for p in SPECS]


def cells_of(notebook, kind):
    return [c for c in notebook["cells"] if c["id"].endswith(kind)]


@pytest.mark.parametrize("number", NUMBERS, ids=lambda n: f"ch{n:02d}")
def test_every_chapter_has_a_spec_with_at_least_two_autograded_exercises(number):
    # a new chapter needs assignments/specs/chNN.yaml (format: assignments/README.md)
    path = ROOT / "assignments" / "specs" / f"ch{number:02d}.yaml"
    assert path.is_file(), f"chapter {number} has no assignment: write {path.name}"
    spec = load_spec(path)
    assert spec.chapter == number and path.stem == spec.name
    notebook = [p.name for p in CHAPTERS if int(p.name[:2]) == number]
    assert [spec.notebook] == notebook, f"{spec.name} must build from the chapter's notebook"
    assert sum(item.kind == "code" for item in spec.items) >= 2, spec.name


def test_no_spec_without_a_chapter():
    assert set(NAMES) <= {f"ch{n:02d}" for n in NUMBERS}


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    paths = write_sources(
        course, specs=ROOT / "assignments" / "specs", notebooks=ROOT / "notebooks"
    )
    return {p.parent.name: json.loads(p.read_text(encoding="utf-8")) for p in paths}


@pytest.mark.parametrize("name", NAMES)
def test_reference_answers_pass_their_hidden_tests_and_a_blank_notebook_fails_them(sources, name):
    # the fast check (no kernel): every chapter's exercises and quiz, as `make assignments` runs it
    spec = load_spec(ROOT / "assignments" / "specs" / f"{name}.yaml")
    check = check_answer_key(sources[name])
    assert check.failing == (), check.failing
    assert check.passing_blank == (), "these tests pass an untouched release"
    code = [item.id for item in spec.items if item.kind == "code"]
    quiz = [q.id for q in load_quiz(spec.chapter).questions] if spec.quiz else []
    assert check.tests == (
        *(f"{name}-{item}-tests" for item in code),
        *(f"{name}-quiz-{question}" for question in quiz),
    )


@pytest.mark.parametrize("name", NAMES)
def test_no_myst_markup_survives_in_an_assignment(sources, name):
    # the release is the answer key minus solutions and hidden tests: check every cell
    notebook = sources[name]
    assert leftover_markup(notebook) == []
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            text = cell["source"]
            assert not re.search(r"\{(eq|glue:\w+|cite:\w|numref|ref|term)\}`", text), cell["id"]
            assert not re.search(r"^\([\w\-:.]+\)=\s*$|\$\$[ \t]*\([\w\-:.]+\)", text, re.M)
            assert ":::" not in text, cell["id"]
    anchors = re.findall(r"\(#ref-([\w\-:.]+)\)", "".join(c["source"] for c in notebook["cells"]))
    references = next(
        (c["source"] for c in notebook["cells"] if c["id"].endswith("-references")), ""
    )
    assert all(f'<a id="ref-{key}"></a>' in references for key in anchors), name


def test_prompts_render_glue_citations_equations_and_dropdowns(tmp_path):
    chapter = {
        "cells": [
            {"cell_type": "markdown", "id": "t", "metadata": {}, "source": "# 9. Toy\n"},
            {"cell_type": "code", "id": "imp", "metadata": {}, "source": "x = 1", "outputs": []},
            {
                "cell_type": "markdown",
                "id": "eq",
                "metadata": {},
                "source": "$$\na = b\n$$ (toy-first)\n\n$$\nc = d\n$$ (toy-second)",
            },
            {
                "cell_type": "markdown",
                "id": "p",
                "metadata": {},
                "source": "## Section\n\n### Exercise 9.1: Toy\n\n"
                "It is {glue:text}`toy_gib:.1f` GiB {cite:p}`vaswani2017attention`;"
                " use {eq}`toy-second`.\n\n"
                ":::{dropdown} Hint\nLook at (9.2).\n:::\n",
            },
            {
                "cell_type": "code",
                "id": "s",
                "metadata": {},
                "source": "allowed = 1",
                "outputs": [
                    {
                        "output_type": "display_data",
                        "metadata": {"scrapbook": {"name": "toy_gib"}},
                        "data": {"application/papermill.record/text/plain": "16.04"},
                    }
                ],
            },
        ]
    }
    spec = load_spec(
        write_spec(
            tmp_path,
            "chapter: 9\nnotebook: x\nitems:\n"
            + "".join(
                ITEM.format(id=i).replace("d22adfed", "p").replace("f9644418", "s") for i in "ab"
            ),
        )
    )
    key = source_notebook(spec, chapter)
    prompt = next(c["source"] for c in key["cells"] if c["id"] == "ch09-a-prompt")
    assert prompt.startswith("## Exercise 9.1: Toy\n\nIt is 16.0 GiB ([Vaswani et al., 2017]")
    assert "use (9.2)." in prompt and "<details><summary>Hint</summary>" in prompt
    assert "Equation (9.2) of the chapter:\n\n$$\nc = d\n\\tag{9.2}\n$$" in prompt
    assert "a = b" not in prompt, "only the equation the prompt refers to"
    references = next(c for c in key["cells"] if c["id"] == "ch09-references")
    assert 'id="ref-vaswani2017attention"' in references["source"]
    assert leftover_markup(key) == []
    chapter["cells"][-1]["outputs"] = []  # no stored value: make outputs first
    with pytest.raises(ValueError, match="toy_gib.*run make outputs"):
        source_notebook(spec, chapter)


def test_a_prompt_named_by_its_exercise_survives_merged_cells(tmp_path):
    def md(cell_id, text):
        return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": text}

    chapter = {
        "cells": [
            md("t", "# 2. Toy"),
            {
                "cell_type": "code",
                "id": "s",
                "metadata": {},
                "source": "allowed = 1",
                "outputs": [],
            },
            md(
                "m",
                "## Summary\n\n- a point\n\n## Exercises\n\n### Exercise 2.1: One\n\nAsk one."
                "\n\n### Exercise 2.10: Ten\n\nAsk ten.",
            ),
        ]
    }
    text = "chapter: 2\nnotebook: x\nitems:" + ITEM.format(id="a") + ITEM.format(id="b")
    text = text.replace("prompt: d22adfed", "prompt: Exercise 2.1").replace("f9644418", "s")
    key = source_notebook(load_spec(write_spec(tmp_path, text)), chapter)
    prompt = next(c["source"] for c in key["cells"] if c["id"] == "ch02-a-prompt")
    assert prompt == "## Exercise 2.1: One\n\nAsk one.\n\n**Task.** Store it."
    with pytest.raises(ValueError, match="'Exercise 2.2' must head exactly one cell"):
        source_notebook(load_spec(write_spec(tmp_path, text.replace("2.1", "2.2"))), chapter)


def test_check_answer_key_catches_a_wrong_test_and_a_test_a_blank_notebook_passes(sources):
    key = json.loads(json.dumps(sources["ch02"]))
    for cell in key["cells"]:
        if cell["id"] == "ch02-causal-pairs-tests":
            cell["source"] = cell["source"].replace("4096 * 4097 // 2", "4096 * 4096")
        if cell["id"] == "ch02-left-padding-tests":
            cell["source"] = "### BEGIN HIDDEN TESTS\nassert True\n### END HIDDEN TESTS"
    check = check_answer_key(key)
    assert not check.ok
    assert [cell for cell, _ in check.failing] == ["ch02-causal-pairs-tests"]
    assert check.failing[0][1].startswith("AssertionError")
    assert check.passing_blank == ("ch02-left-padding-tests",)
    with pytest.raises(TypeError, match="source must be"):
        check_answer_key({"cells": None})


def test_build_refuses_to_release_a_key_that_fails_its_tests(tmp_path, capsys):
    specs = tmp_path / "specs"
    specs.mkdir()
    text = (ROOT / "assignments" / "specs" / "ch02.yaml").read_text(encoding="utf-8")
    (specs / "ch02.yaml").write_text(text.replace("4096 * 4097 // 2", "4096 * 4096"), "utf-8")
    args = ["build", "--course", str(tmp_path / "course"), "--specs", str(specs)]
    args += ["--notebooks", str(ROOT / "notebooks"), "--no-release"]
    assert main(args) == 2
    assert "ch02-causal-pairs-tests fails the key: AssertionError" in capsys.readouterr().err
    assert main([*args, "--no-check"]) == 0


def test_assignment_rows_count_the_graded_items():
    rows = {row[0]: row for row in assignment_rows(ROOT / "assignments" / "specs")}
    assert list(rows) == NAMES
    assert rows["ch02"] == ("ch02", 2, 5, 1, 2, len(load_quiz(2).questions))
    assert rows["ch16"][1:5] == (3, 8, 1, 2)
    assert all(row[1] >= 2 and row[5] >= 1 for row in rows.values())


@pytest.mark.parametrize("name", NAMES)
def test_the_quiz_sheet_records_every_question_and_the_grader_scores_each(sources, name):
    spec = load_spec(ROOT / "assignments" / "specs" / f"{name}.yaml")
    assert spec.quiz, f"{name} leaves the chapter quiz out"
    quiz = load_quiz(spec.chapter)
    cells = {c["id"]: c["source"] for c in sources[name]["cells"]}
    sheet = cells[f"{name}-quiz-questions"]
    for question in quiz.questions:
        assert question.text in sheet
        assert all(f"{i}. {choice}" in sheet for i, choice in enumerate(question.choices))
        assert ("Select all that apply" in sheet.split(question.text)[1][:80]) is question.multi
        assert f"#     {question.id!r}: ...," in cells[f"{name}-quiz-answers"]
        right = sorted(question.answer_set) if question.multi else question.answer_set[0]
        wrong = next(i for i in range(len(question.choices)) if i not in question.answer_set)
        assert quiz_answer_correct(spec.chapter, question.id, {question.id: right})
        assert not quiz_answer_correct(
            spec.chapter, question.id, {question.id: [wrong] if question.multi else wrong}
        )
        test = cells[f"{name}-quiz-{question.id}"]
        assert "### BEGIN HIDDEN TESTS" in test and "quiz_answers" in test
    # the sheet hides the answers: no explanation and no choice's why
    assert not any(q.explanation in sheet or any(w in sheet for w in q.why) for q in quiz.questions)


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
    assert written >= 4  # chapters 2, 6, 7, 12 and 13 have written exercises


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
        ({"ch02-causal-row": np.int64(1)}, True),  # a choice computed with NumPy
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
    quiz = next(q for q in load_quiz(13).questions if q.multi)
    right = sorted(quiz.answer_set)
    assert quiz_answer_correct(13, quiz.id, {quiz.id: right[::-1]})
    assert not quiz_answer_correct(13, quiz.id, {quiz.id: right[:-1] or [99]})
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
