"""Tests of the student-version tool: no solution survives, outputs cleared, keys kept."""

import json
import re
from pathlib import Path

import pytest

from llmhistory.book.student import is_solution, main, student_version, write_student_versions

ROOT = Path(__file__).resolve().parents[1]


def notebook(*cells):
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"widgets": {"x": 1}},
        "cells": list(cells),
    }


def code(source, tags=(), outputs=({"output_type": "stream", "name": "stdout", "text": "hi"},)):
    return {
        "cell_type": "code",
        "metadata": {"tags": list(tags)},
        "source": source,
        "execution_count": 3,
        "outputs": list(outputs),
    }


def markdown(source, tags=()):
    return {"cell_type": "markdown", "metadata": {"tags": list(tags)}, "source": source}


def test_removes_solution_cells_of_both_kinds_and_clears_outputs():
    nb = notebook(
        markdown("# Title"),
        code("x = 1"),
        markdown("### Exercise 1"),
        code("print(x)", tags=["solution", "hide-cell"]),
        markdown(":::{dropdown} Solution\n:::", tags=["solution"]),
    )
    out = student_version(nb)
    assert [c["source"] for c in out["cells"]] == ["# Title", "x = 1", "### Exercise 1"]
    assert out["cells"][1]["outputs"] == [] and out["cells"][1]["execution_count"] is None
    assert "widgets" not in out["metadata"]
    assert len(nb["cells"]) == 5 and nb["cells"][1]["outputs"], "input left unchanged"


@pytest.mark.parametrize(
    "bad", [None, {"cells": []}, {"nbformat": 3, "cells": []}, {"nbformat": 4}]
)
def test_refuses_non_notebooks(bad):
    with pytest.raises(ValueError, match="notebook must be"):
        student_version(bad)


def test_writes_student_versions_and_no_copy_of_the_chapter(tmp_path):
    src = tmp_path / "nbs"
    src.mkdir()
    nb = notebook(code("1"), code("2", tags=["solution"]))
    (src / "01_a.ipynb").write_text(json.dumps(nb))
    written = write_student_versions(src, tmp_path / "out")
    assert [w.removed_cells for w in written] == [1]
    student = json.loads((tmp_path / "out" / "01_a.ipynb").read_text())
    assert not any(is_solution(c) for c in student["cells"])
    # answer keys are the assignment sources (llmhistory.book.assessment), not chapter copies
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["01_a.ipynb"]


def test_bad_folders(tmp_path):
    with pytest.raises(ValueError, match="notebooks must be"):
        write_student_versions(tmp_path, tmp_path / "out")
    (tmp_path / "a.ipynb").write_text(json.dumps(notebook(code("1"))))
    with pytest.raises(ValueError, match="out must not be inside notebooks"):
        write_student_versions(tmp_path, tmp_path / "out")


def test_command_line(tmp_path, capsys):
    assert main([str(tmp_path / "missing"), "--out", str(tmp_path / "o")]) == 2
    assert "error: notebooks must be" in capsys.readouterr().err
    (tmp_path / "n").mkdir()
    (tmp_path / "n" / "01_x.ipynb").write_text(json.dumps(notebook(code("1", tags=["solution"]))))
    assert main([str(tmp_path / "n"), "--out", str(tmp_path / "o")]) == 0
    assert "1 student notebooks" in capsys.readouterr().out


def test_shipped_chapters_lose_every_solution(tmp_path):
    """Every chapter has solutions, and none survives in its student version."""
    chapters = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert chapters, "the book has chapter notebooks"
    written = write_student_versions(ROOT / "notebooks", tmp_path / "student")
    for item in written:
        student = json.loads(item.student.read_text(encoding="utf-8"))
        assert item.removed_cells >= 2, item.source.name
        assert not any(is_solution(c) for c in student["cells"])
        assert all(c.get("outputs", []) == [] for c in student["cells"])


def test_keep_outputs_leaves_the_other_cells_as_stored():
    nb = notebook(code("x = 1"), code("print(x)", tags=["solution"]), code("x + 1"))
    out = student_version(nb, keep_outputs=True)
    assert [c["source"] for c in out["cells"]] == ["x = 1", "x + 1"]
    assert [c["outputs"] for c in out["cells"]] == [nb["cells"][0]["outputs"]] * 2
    assert out["metadata"]["widgets"] == {"x": 1} and out["cells"][0]["execution_count"] == 3
    with pytest.raises(TypeError, match="keep_outputs must be True or False"):
        student_version(nb, keep_outputs="yes")


def test_command_line_keeps_outputs_when_asked(tmp_path, capsys):
    (tmp_path / "n").mkdir()
    nb = notebook(code("1"), code("2", tags=["solution"]))
    (tmp_path / "n" / "01_x.ipynb").write_text(json.dumps(nb))
    assert main([str(tmp_path / "n"), "--out", str(tmp_path / "o"), "--keep-outputs"]) == 0
    kept = json.loads((tmp_path / "o" / "01_x.ipynb").read_text())
    assert kept["cells"] == [nb["cells"][0]]


def test_student_copies_give_the_stored_outputs_because_solutions_come_last():
    """``make test`` runs the chapters (solutions included) but not their student copies.

    The copies give the same outputs only if no remaining cell runs after a solution (a later
    cell could read a solution's name, random draw or mutation). So in every chapter the
    solution cells come after all other code cells except the quiz, ``render_quiz(<n>)``,
    whose only argument is a literal: it reads no kernel state. A chapter that needs an
    exercise in the middle breaks this test; then run ``make students`` in ``make test``.
    """
    quiz_call = re.compile(r"render_quiz\(\d+\)")
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        first = next(i for i, c in enumerate(cells) if is_solution(c))
        after = [
            "".join(c["source"]).strip()
            for c in cells[first:]
            if c["cell_type"] == "code" and not is_solution(c)
        ]
        assert after and all(quiz_call.fullmatch(source) for source in after), (
            f"{path.name}: code after its first solution cell: {after}"
        )
