"""Solution-free copies of the chapter notebooks, and the rule that says what a solution is.

``python -m llmhistory.book.student notebooks/ --out dist/student/`` writes, for every chapter
notebook, a copy with every cell tagged ``solution`` removed and all outputs cleared: the book
for a class that should not see the worked solutions. ``make students`` checks that these
copies still run top to bottom. The same rule (:func:`is_solution`) hides the solutions of the
course site built with ``make book SOLUTIONS=none`` (``book/_ext/solutions.py``).

Graded work is not made here: the autograded assignments, with their answer keys (solutions,
hidden tests, rubrics), are built by :mod:`llmhistory.book.assessment` (``make assignments``).

Notebooks are read and written as plain JSON (nbformat 4), so nothing beyond the standard
library is needed.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from dataclasses import dataclass
from pathlib import Path

SOLUTION_TAG = "solution"


def _tags(cell: dict) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def is_solution(cell: dict) -> bool:
    """Return True when ``cell`` is tagged ``solution``.

    >>> is_solution({"cell_type": "code", "metadata": {"tags": ["solution", "hide-cell"]}})
    True
    >>> is_solution({"cell_type": "markdown", "metadata": {}})
    False
    """
    return SOLUTION_TAG in _tags(cell)


def _check_notebook(notebook: object) -> dict:
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise ValueError("notebook must be an nbformat-4 dict with a 'cells' list")
    if notebook.get("nbformat") != 4:
        raise ValueError(f"notebook must be nbformat 4, got {notebook.get('nbformat')!r}")
    return notebook


def student_version(notebook: dict, *, keep_outputs: bool = False) -> dict:
    """Return a copy of ``notebook`` without solution cells, outputs or widget state.

    Parameters
    ----------
    notebook : dict
        An nbformat-4 notebook as loaded by ``json.load``.
    keep_outputs : bool, default False
        Keep the other cells' stored outputs and widget state: a copy to *check*, not to hand
        out. Run with nbval, it fails where a remaining cell's output changes when the
        solutions are gone (a name, a random draw or a mutation the solution supplied).

    Returns
    -------
    dict
        A new notebook; the input is not modified.

    Raises
    ------
    ValueError
        If ``notebook`` is not an nbformat-4 notebook.

    >>> nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    ...     {"cell_type": "code", "metadata": {}, "source": "1 + 1", "execution_count": 1,
    ...      "outputs": [{"output_type": "execute_result"}]},
    ...     {"cell_type": "code", "metadata": {"tags": ["solution"]}, "source": "42",
    ...      "execution_count": 2, "outputs": []}]}
    >>> out = student_version(nb)
    >>> len(out["cells"]), out["cells"][0]["outputs"], out["cells"][0]["execution_count"]
    (1, [], None)
    >>> student_version(nb, keep_outputs=True)["cells"][0]["outputs"]
    [{'output_type': 'execute_result'}]
    """
    if not isinstance(keep_outputs, bool):
        raise TypeError(f"keep_outputs must be True or False, got {keep_outputs!r}")
    student = copy.deepcopy(_check_notebook(notebook))
    student["cells"] = [c for c in student["cells"] if not is_solution(c)]
    if keep_outputs:
        return student
    for cell in student["cells"]:
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    student.get("metadata", {}).pop("widgets", None)
    return student


@dataclass(frozen=True)
class StudentFiles:
    """What :func:`write_student_versions` wrote for one notebook."""

    source: Path
    student: Path
    removed_cells: int


def write_student_versions(
    notebooks: Path, out: Path, *, keep_outputs: bool = False
) -> list[StudentFiles]:
    """Write the solution-free version of every ``*.ipynb`` in ``notebooks``.

    Parameters
    ----------
    notebooks : Path
        A folder of chapter notebooks (or one ``.ipynb`` file).
    out : Path
        Output folder for the student notebooks. Created if missing.
    keep_outputs : bool, default False
        As for :func:`student_version`.

    Returns
    -------
    list of StudentFiles
        One record per notebook, in file-name order.

    Raises
    ------
    ValueError
        If ``notebooks`` holds no notebook, or ``out`` is inside ``notebooks``.
    """
    notebooks, out = Path(notebooks), Path(out)
    paths = [notebooks] if notebooks.suffix == ".ipynb" else sorted(notebooks.glob("*.ipynb"))
    if not paths:
        raise ValueError(f"notebooks must be a .ipynb file or a folder holding some: {notebooks}")
    if notebooks.is_dir() and out.resolve().is_relative_to(notebooks.resolve()):
        raise ValueError(f"out must not be inside notebooks ({out} is inside {notebooks})")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        student = student_version(notebook, keep_outputs=keep_outputs)
        removed = len(notebook["cells"]) - len(student["cells"])
        _write_json(out / path.name, student)
        written.append(StudentFiles(path, out / path.name, removed))
    return written


def _write_json(path: Path, notebook: dict) -> None:
    text = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m llmhistory.book.student NOTEBOOKS --out OUT``."""
    parser = argparse.ArgumentParser(
        prog="python -m llmhistory.book.student",
        description="Write the chapter notebooks without solutions (outputs cleared).",
    )
    parser.add_argument("notebooks", type=Path, help="folder of chapter notebooks, or one .ipynb")
    parser.add_argument("--out", type=Path, default=Path("dist/student"), help="output folder")
    parser.add_argument(
        "--keep-outputs",
        action="store_true",
        help="keep the other cells' outputs: a copy for nbval to compare, not for students",
    )
    args = parser.parse_args(argv)
    try:
        written = write_student_versions(args.notebooks, args.out, keep_outputs=args.keep_outputs)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for item in written:
        print(f"{item.student}  ({item.removed_cells} solution cells removed)")
    print(
        f"{len(written)} student notebooks in {args.out}; graded assignments with answer keys: "
        "make assignments"
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
