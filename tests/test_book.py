"""Structural checks of the book's sources: table of contents, chapters, citations, figures.

These read the committed files only (no build, no kernel), so they run with the unit tests.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from llmhistory.book.chapters import CHAPTERS

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
BIB_KEY = re.compile(r"^@\w+\{([^,]+),", re.MULTILINE)


def toc_files() -> list[str]:
    toc = yaml.safe_load((BOOK / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [entry["file"] for entry in part.get("chapters", [])]
    files += [entry["file"] for entry in toc.get("chapters", [])]
    return files


def load_notebook(chapter) -> dict:
    return json.loads((ROOT / chapter.notebook).read_text(encoding="utf-8"))


def cell_text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def sources() -> dict[str, str]:
    """Return the Markdown text of every page: .md pages and notebook Markdown cells."""
    texts = {}
    for file in toc_files():
        md = ROOT / f"{file}.md"
        nb = ROOT / f"{file}.ipynb"
        if md.exists():
            texts[file] = md.read_text(encoding="utf-8")
        elif nb.exists():
            cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
            texts[file] = "\n".join(cell_text(c) for c in cells if c["cell_type"] == "markdown")
    return texts


def test_toc_lists_every_chapter_in_order_and_every_file_exists():
    files = toc_files()
    chapters = [f for f in files if f.startswith("notebooks/")]
    assert chapters == [c.notebook.removesuffix(".ipynb") for c in CHAPTERS]
    for file in files:
        assert (ROOT / f"{file}.md").exists() or (ROOT / f"{file}.ipynb").exists(), file


def test_every_citation_is_defined_and_every_reference_is_cited():
    bib = (BOOK / "references.bib").read_text(encoding="utf-8")
    defined = set(BIB_KEY.findall(bib))
    cited = set()
    for text in sources().values():
        for group in CITE.findall(text):
            cited.update(key.strip() for key in group.split(","))
    assert not cited - defined, f"undefined citation keys: {sorted(cited - defined)}"
    assert not defined - cited, f"references never cited: {sorted(defined - cited)}"
    assert len(defined) >= 19


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.stem)
class TestChapterNotebook:
    def test_opens_with_title_and_card(self, chapter):
        cells = load_notebook(chapter)["cells"]
        assert cells[0]["cell_type"] == "markdown"
        assert cell_text(cells[0]).startswith(f"# {chapter.title}")
        code = [c for c in cells if c["cell_type"] == "code"]
        # the setup cell (llmhistory.book.launch) comes first, then imports and the card
        assert "llmhistory-setup" in code[0].get("metadata", {}).get("tags", [])
        assert f"chapter_card({chapter.number})" in cell_text(code[1])
        h1 = [
            c
            for c in cells
            if c["cell_type"] == "markdown" and re.search(r"^# ", cell_text(c), re.M)
        ]
        assert len(h1) == 1, "exactly one H1 per chapter"

    def test_closes_with_summary_and_exercises_with_solutions(self, chapter):
        cells = load_notebook(chapter)["cells"]
        headings = [cell_text(c) for c in cells if c["cell_type"] == "markdown"]
        assert any(re.search(r"^## Summary", h, re.M) for h in headings)
        assert any(re.search(r"^## Exercises", h, re.M) for h in headings)
        exercises = [h for h in headings if re.search(r"^### Exercise", h, re.M)]
        assert 2 <= len(exercises) <= 5
        solutions = [c for c in cells if "solution" in c.get("metadata", {}).get("tags", [])]
        assert len(solutions) >= len(exercises)

    def test_has_a_captioned_figure_with_alt_text(self, chapter):
        cells = load_notebook(chapter)["cells"]
        figures = [
            c["metadata"]["mystnb"]
            for c in cells
            if c["cell_type"] == "code" and "figure" in c.get("metadata", {}).get("mystnb", {})
        ]
        assert figures, "at least one figure"
        for meta in figures:
            assert meta["figure"].get("caption", "").strip()
            assert len(meta.get("image", {}).get("alt", "")) >= 20

    def test_has_an_explorable(self, chapter):
        cells = load_notebook(chapter)["cells"]
        outputs = [o for c in cells if c["cell_type"] == "code" for o in c.get("outputs", [])]
        html = ["".join(o.get("data", {}).get("text/html", "")) for o in outputs if "data" in o]
        assert any("data-explorable" in h for h in html)

    def test_stored_outputs_have_no_errors_and_all_cells_ran(self, chapter):
        cells = load_notebook(chapter)["cells"]
        for cell in cells:
            if cell["cell_type"] != "code":
                continue
            assert cell.get("execution_count") is not None, cell_text(cell)[:60]
            for output in cell.get("outputs", []):
                assert output["output_type"] != "error", cell_text(cell)[:60]
