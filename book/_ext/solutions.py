"""Build the book with or without the exercises' solutions (``make book SOLUTIONS=none``).

The public book keeps every solution in a collapsed dropdown for self-learners. A course site
built with ``LLMHISTORY_SOLUTIONS=none`` (what ``make book SOLUTIONS=none`` sets) drops them
while Sphinx reads each notebook: a solution Markdown cell is removed, and a solution code cell
is tagged ``remove-cell`` so that any value it glues for the text elsewhere still resolves but
neither its code nor its output appears. Which cells are solutions is decided in one place,
:func:`llmhistory.book.student.is_solution` (the ``solution`` tag).

The setting is a Sphinx config value (``llmhistory_solutions``: ``"show"`` or ``"none"``), so
switching it rebuilds every page instead of reusing pages built the other way.
"""

from __future__ import annotations

import json
import os

from sphinx.application import Sphinx

from llmhistory.book.student import is_solution

CHOICES = ("show", "none")


def strip_solutions(text: str) -> str:
    """Return the notebook JSON ``text`` without visible solutions (unchanged if not JSON)."""
    try:
        notebook = json.loads(text)
    except ValueError:
        return text
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return text
    cells = []
    for cell in notebook["cells"]:
        if not is_solution(cell):
            cells.append(cell)
        elif cell.get("cell_type") == "code":
            tags = cell.setdefault("metadata", {}).setdefault("tags", [])
            tags[:] = [t for t in tags if t not in ("hide-cell", "hide-input", "hide-output")]
            tags.append("remove-cell")
            cells.append(cell)
    notebook["cells"] = cells
    return json.dumps(notebook, ensure_ascii=False)


def _on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    if app.config.llmhistory_solutions == "none" and str(app.env.doc2path(docname)).endswith(
        ".ipynb"
    ):
        source[0] = strip_solutions(source[0])


def _check(app: Sphinx, config) -> None:
    if config.llmhistory_solutions not in CHOICES:
        raise ValueError(
            f"llmhistory_solutions must be one of {CHOICES}, got {config.llmhistory_solutions!r}"
            " (set LLMHISTORY_SOLUTIONS=show or none)"
        )


def setup(app: Sphinx) -> dict:
    app.add_config_value(
        "llmhistory_solutions", os.environ.get("LLMHISTORY_SOLUTIONS", "show"), "env"
    )
    app.connect("config-inited", _check)
    app.connect("source-read", _on_source_read)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
