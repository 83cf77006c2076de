"""The sample class: three synthetic submissions of assignment ch02 graded end to end by nbgrader;
and every chapter's answer key run in a Jupyter kernel.

One grading run covers every promise of the workflow (and is what the instructor guide runs):

- ``reference``: the answer key's solutions, with one test cell deleted and one edited: full
  marks anyway (nbgrader restores the tests), and the tampering is reported;
- ``untouched``: the release as handed out: 0 points;
- ``halfway``: solves the first exercise, raises in the second and loops forever in the quiz:
  credit for the first exercise only, the loop stopped by the cell time limit and reported.

The unit tests (tests/test_assessment.py) run every answer key in-process; here each one runs
in a kernel too, in a scratch folder as nbgrader runs a submission (IPython display, glue,
working directory), all chapters in one kernel with ``%reset -f`` between them.

Measured on the 2-core reference machine: see the closing report of issue 13.
"""

import csv
import json
import shlex
import time
from pathlib import Path

import pytest

pytest.importorskip("nbgrader", reason="nbgrader is in the test extra: pip install -e '.[test]'")

from llmhistory.book.assessment import main, synthetic_submission, write_sources  # noqa: E402
from llmhistory.book.reader import leftover_markup  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "book" / "instructor_guide.ipynb"
PREFIX = ".venv/bin/python -m llmhistory.book.assessment "
CELL_TIMEOUT = 15  # seconds; ch02's setup cell needs ~2 s on an idle machine


def guide_commands():
    """Return the assessment commands the instructor guide documents, in order."""
    notebook = json.loads(GUIDE.read_text(encoding="utf-8"))
    text = "".join("".join(cell["source"]) for cell in notebook["cells"])
    return [line.split(PREFIX, 1)[1] for line in text.splitlines() if PREFIX in line]


def run(command, course, submissions):
    """Run one documented command on the test's course and submissions folders."""
    args = shlex.split(command)
    args = [str(course) if a == "dist/course" else a for a in args]
    args = [str(submissions) if a == "submissions" else a for a in args]
    assert main(args) == 0, command


def grade_sample_class(course):
    """Build, release and grade the three students; return (course, csv path, rows)."""
    submissions = course.parent / "submissions"
    submissions.mkdir()
    build, grade = guide_commands()
    assert build.startswith("build ") and grade.startswith("grade ")
    start = time.perf_counter()
    # the guide's command with a shorter cell limit: the looping student costs that much
    run(build + f" --cell-timeout {CELL_TIMEOUT}", course, submissions)

    def save(name, notebook):
        (submissions / f"{name}.ipynb").write_text(json.dumps(notebook), encoding="utf-8")

    everything = ["causal-pairs", "left-padding", "written-left-padding", "quiz"]
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
    released = json.loads((course / "release" / "ch02" / "ch02.ipynb").read_text("utf-8"))
    assert leftover_markup(released) == []
    graded_at = time.perf_counter()
    run(grade, course, submissions)
    seconds = time.perf_counter() - start
    print(
        f"\nsample class: built, released and graded 3 submissions in {seconds:.1f} s"
        f" (grading {time.perf_counter() - graded_at:.1f} s)"
    )
    path = course / "gradebook-ch02.csv"
    with path.open(encoding="utf-8") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    for name, row in rows.items():
        print(f"  {name:10s} {row['total']:>3s} / {row['max']}  {row['notes']}")
    return course, path, rows


def check_gradebook_has_one_row_per_student_and_a_column_per_exercise(graded):
    _, path, _ = graded
    with path.open(encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    assert [r["student"] for r in table] == ["halfway", "reference", "untouched"]
    assert {"causal-pairs", "left-padding", "written-left-padding", "notes"} <= set(table[0])
    assert any(column.startswith("quiz-ch02-") for column in table[0])


def check_reference_solutions_score_full_marks_even_with_tests_tampered(graded):
    _, _, rows = graded
    row = rows["reference"]
    # everything but the written answer (2 points), which waits for the instructor; an
    # unanswered written cell would score 0 at once (nbgrader's rule), see "untouched"
    assert float(row["total"]) == float(row["max"]) - 2
    assert row["written-left-padding"] == ""
    assert "ch02-causal-pairs-tests deleted" in row["notes"]
    assert "ch02-left-padding-tests edited" in row["notes"]


def check_untouched_release_scores_zero(graded):
    _, _, rows = graded
    assert float(rows["untouched"]["total"]) == 0
    assert "not graded" not in rows["untouched"]["notes"]


def check_a_notebook_that_raises_half_way_keeps_the_credit_before_and_the_loop_is_reported(graded):
    _, _, rows = graded
    row = rows["halfway"]
    assert (row["causal-pairs"], row["left-padding"], row["total"]) == ("2", "0", "2")
    assert "cell time limit" in row["notes"], row["notes"]


def check_every_student_gets_nbgrader_feedback(graded):
    course, _, _ = graded
    for student in ("halfway", "reference", "untouched"):
        page = course / "feedback" / student / "ch02" / "ch02.html"
        assert page.exists() and "ch02-causal-pairs" in page.read_text(encoding="utf-8")


def test_sample_class(tmp_path):
    """One test, so that pytest-xdist grades the class once (a fixture would run per worker)."""
    graded = grade_sample_class(tmp_path / "course")
    check_gradebook_has_one_row_per_student_and_a_column_per_exercise(graded)
    check_reference_solutions_score_full_marks_even_with_tests_tampered(graded)
    check_untouched_release_scores_zero(graded)
    check_a_notebook_that_raises_half_way_keeps_the_credit_before_and_the_loop_is_reported(graded)
    check_every_student_gets_nbgrader_feedback(graded)


def test_every_answer_key_passes_its_tests_in_a_kernel(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    keys = write_sources(
        tmp_path / "course", specs=ROOT / "assignments" / "specs", notebooks=ROOT / "notebooks"
    )
    cells = []
    for key in keys:
        cells.append(nbformat.v4.new_code_cell("%reset -f", metadata={"key": key.stem}))
        for cell in json.loads(key.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                cells.append(
                    nbformat.v4.new_code_cell(cell["source"], metadata={"key": cell["id"]})
                )
    notebook = nbformat.v4.new_notebook(cells=cells)
    start = time.perf_counter()
    NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    print(f"\n{len(keys)} answer keys run in one kernel in {time.perf_counter() - start:.1f} s")
    errors = [
        (cell.metadata["key"], f"{output.ename}: {output.evalue}"[:200])
        for cell in notebook.cells
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert errors == []
    assert len(keys) == len(list((ROOT / "assignments" / "specs").glob("ch*.yaml")))
