"""The sample class: three synthetic submissions of assignment ch02 graded end to end by nbgrader.

One grading run covers every promise of the workflow (and is what the instructor guide runs):

- ``reference``: the answer key's solutions, with one test cell deleted and one edited: full
  marks anyway (nbgrader restores the tests), and the tampering is reported;
- ``untouched``: the release as handed out: 0 points;
- ``halfway``: solves the first exercise, raises in the second and loops forever in the quiz:
  credit for the first exercise only, the loop stopped by the cell time limit and reported.

Measured on the 2-core reference machine: see the closing report of issue 13.
"""

import csv
import json
import shutil
import time
from pathlib import Path

import pytest

pytest.importorskip("nbgrader", reason="nbgrader is in the test extra: pip install -e '.[test]'")

from llmhistory.book.assessment import (  # noqa: E402
    grade_class,
    release,
    synthetic_submission,
    write_sources,
)

ROOT = Path(__file__).resolve().parents[1]
CELL_TIMEOUT = 20  # seconds: the looping cell costs this much; the setup cell needs ~2 s


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    start = time.perf_counter()
    write_sources(
        course,
        specs=ROOT / "assignments" / "specs",
        notebooks=ROOT / "notebooks",
        chapters=["02"],
        cell_timeout=CELL_TIMEOUT,
    )
    release(course, "ch02")
    submissions = course.parent / "submissions"
    submissions.mkdir()

    def save(name, notebook):
        (submissions / f"{name}.ipynb").write_text(json.dumps(notebook), encoding="utf-8")

    everything = ["causal-pairs", "left-padding", "quiz"]
    reference = synthetic_submission(course, "ch02", solve=everything)
    reference["cells"] = [c for c in reference["cells"] if c["id"] != "ch02-causal-pairs-tests"]
    for cell in reference["cells"]:
        if cell["id"] == "ch02-left-padding-tests":
            cell["source"] = "assert True  # the tests were here"
    save("reference", reference)
    save("untouched", synthetic_submission(course, "ch02"))
    save(
        "halfway",
        synthetic_submission(
            course,
            "ch02",
            solve=["causal-pairs"],
            replace={
                "left-padding": 'raise RuntimeError("stuck here")',
                "quiz": "while True:\n    pass",
            },
        ),
    )
    path, rows = grade_class(course, "ch02", submissions)
    seconds = time.perf_counter() - start
    print(f"\nsample class: built, released and graded 3 submissions in {seconds:.1f} s")
    yield course, path, {row.student: row for row in rows}
    shutil.rmtree(course, ignore_errors=True)


def test_gradebook_has_one_row_per_student_and_a_column_per_exercise(graded):
    _, path, _ = graded
    with path.open(encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    assert [r["student"] for r in table] == ["halfway", "reference", "untouched"]
    assert {"causal-pairs", "left-padding", "written-left-padding", "notes"} <= set(table[0])
    assert any(column.startswith("quiz-ch02-") for column in table[0])


def test_reference_solutions_score_full_marks_even_with_tests_tampered(graded):
    _, _, rows = graded
    row = rows["reference"]
    autograded = row.max_total - 2  # the written item (2 points) waits for the instructor
    assert row.total == autograded
    assert row.scores["written-left-padding"] is None
    assert any("ch02-causal-pairs-tests deleted" in note for note in row.notes)
    assert any("ch02-left-padding-tests edited" in note for note in row.notes)


def test_untouched_release_scores_zero(graded):
    _, _, rows = graded
    assert rows["untouched"].total == 0
    assert not any(note.startswith("not graded") for note in rows["untouched"].notes)


def test_a_notebook_that_raises_half_way_keeps_the_credit_before_and_the_loop_is_reported(graded):
    _, _, rows = graded
    row = rows["halfway"]
    assert row.scores["causal-pairs"] == 2
    assert row.scores["left-padding"] == 0
    assert row.total == 2
    assert any("cell time limit" in note for note in row.notes), row.notes


def test_every_student_gets_nbgrader_feedback(graded):
    course, _, _ = graded
    for student in ("halfway", "reference", "untouched"):
        page = course / "feedback" / student / "ch02" / "ch02.html"
        assert page.exists() and "ch02-causal-pairs" in page.read_text(encoding="utf-8")
