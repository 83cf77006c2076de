"""The book's PDF (``make pdf``, then ``make pdf-test``): complete, numbered, readable.

Checks: a plausible page count; every chapter title, the instructor guide and the bibliography
present; every font embedded; no replacement characters or empty boxes where a glyph was
missing; no "??" where a cross-reference failed; no MyST markup; no solutions.
"""

import json
import os
import re
from pathlib import Path

import pytest

from llmhistory.book.chapters import CHAPTERS

pypdf = pytest.importorskip("pypdf")
ROOT = Path(__file__).resolve().parents[2]
PDF = Path(os.environ.get("LLMH_PDF", ROOT / "_build" / "pdf" / "llmhistory.pdf"))


@pytest.fixture(scope="module")
def pdf():
    if not PDF.is_file():
        pytest.fail(f"{PDF} not found: run make pdf first")
    reader = pypdf.PdfReader(PDF)
    pages = [page.extract_text() for page in reader.pages]
    return reader, pages, re.sub(r"\s+", " ", "\n".join(pages))


def test_page_count(pdf):
    reader, _, _ = pdf
    # measured 117 pages for 12 chapters; a chapter takes 5-15 pages
    assert 8 * len(CHAPTERS) <= len(reader.pages) <= 25 * len(CHAPTERS)


def test_every_chapter_and_the_back_matter(pdf):
    _, pages, text = pdf
    toc_text = re.sub(r"\s+", " ", pages[0] + pages[1])
    for chapter in CHAPTERS:
        title = re.sub(r"\s+", " ", chapter.title)
        assert f"{chapter.number}. " in text and title.split(":")[0] in text, chapter.title
        assert title.split(":")[0] in toc_text, f"{chapter.title} missing from the contents"
    assert "Instructor guide" in text and "References" in text


def test_chapters_start_on_their_own_page(pdf):
    _, pages, _ = pdf
    starts = [
        i
        for i, page in enumerate(pages)
        for c in CHAPTERS
        if re.search(rf"^{c.number}\. {re.escape(c.title.split(':')[0])}", page, re.M)
    ]
    assert len(starts) >= len(CHAPTERS)


def test_no_missing_glyphs_or_references(pdf):
    reader, _, text = pdf
    assert "\ufffd" not in text and "\u25a1" not in text  # replacement char, empty box
    assert "??" not in text
    assert not re.search(r"\{(glue:text|cite:[pt]|eq|term|ref|numref|doc)\}`", text)
    unembedded = set()
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            if descriptor is not None:
                d = descriptor.get_object()
                if not any(k in d for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    unembedded.add(str(target.get("/BaseFont")))
    assert unembedded == set()


def test_maths_is_typeset(pdf):
    _, pages, _ = pdf
    raw = [
        (i + 1, m.group(0))
        for i, page in enumerate(pages)
        for m in re.finditer(r"\\\[|\\\(|\\(frac|mathrm|begin)\{", page)
    ]
    assert raw == [], f"TeX source instead of typeset maths (page, text): {raw[:5]}"


def test_numbered_equations_show_their_numbers(pdf):
    # a labelled display equation ($$ ... $$ (label)) prints "(N.k)" beside it, once typeset
    _, _, text = pdf
    for chapter in CHAPTERS:
        notebook = json.loads((ROOT / chapter.notebook).read_text(encoding="utf-8"))
        markdown = "\n".join(
            "".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown"
        )
        labels = dict.fromkeys(re.findall(r"\$\$[ \t]*\(([\w\-:.]+)\)", markdown))
        for k in range(1, len(labels) + 1):
            assert f"({chapter.number}.{k})" in text, f"equation ({chapter.number}.{k})"
    assert "(14.5)" in text, "chapter 16 has five numbered equations"


def test_solutions_are_left_out_and_citations_resolved(pdf):
    _, _, text = pdf
    assert "Show code cell source" not in text
    assert not re.search(r"\bSolution\b\s*[A-Z]", text) or text.count("Solution") < 3
    assert re.search(r"\[[A-Z][\w-]+ et al\., 20\d\d[a-z]?\]", text), "author-year citations"
    # two works of one first author and year: lettered alike in the text and the bibliography
    assert "Touvron et al., 2023a" in text and "Touvron et al., 2023b" in text
    assert not re.search(r"Touvron et al\., 2023(?![ab])", text)
