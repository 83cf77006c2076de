"""Tests of the PDF's pure parts (the printed PDF itself: tests/slow/test_pdf.py, make pdf-test)."""

from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from llmhistory.book.pdf import (
    PDF_NAME,
    PDF_PATH,
    PREPARE_JS,
    PRINT_CSS,
    add_pdf_link,
    copy_pdf,
    main,
    pdf_toc,
    print_page,
)

ROOT = Path(__file__).resolve().parents[1]
TOC = yaml.safe_load((ROOT / "book" / "_toc.yml").read_text(encoding="utf-8"))


def test_pdf_toc_keeps_every_chapter_and_drops_the_api_reference():
    toc = pdf_toc(TOC)
    files = [e["file"] for p in toc["parts"] for e in p["chapters"]]
    assert not any(f.startswith("book/api/") for f in files)
    chapters = [e["file"] for p in TOC["parts"] for e in p["chapters"] if "notebooks/" in e["file"]]
    assert [f for f in files if "notebooks/" in f] == chapters
    assert "book/bibliography" in files and "book/instructor_guide" in files
    assert any(p["caption"] == "API reference" for p in TOC["parts"]), "input unchanged"


def test_pdf_toc_bad_input():
    with pytest.raises(TypeError, match="toc must be"):
        pdf_toc(["not", "a", "toc"])


def test_print_page_copies_singlehtml_root_next_to_static(tmp_path):
    (tmp_path / "_static").mkdir()
    (tmp_path / "book").mkdir()
    page = tmp_path / "book" / "intro.html"
    page.write_text("<h1>x</h1>")
    assert print_page(page) == tmp_path / "print.html"
    assert (tmp_path / "print.html").read_text() == "<h1>x</h1>"
    assert print_page(tmp_path / "print.html") == tmp_path / "print.html"
    lost = tmp_path / "elsewhere" / "a.html"
    lost.parent.mkdir()
    lost.write_text("")
    (tmp_path / "_static").rmdir()
    with pytest.raises(FileNotFoundError, match="no _static"):
        print_page(lost)


def test_print_rules_leave_out_solutions_and_break_chapters():
    assert "section.pdf-chapter { break-before: page; }" in PRINT_CSS
    assert "tag_solution" in PREPARE_JS and "/solution|answer|hint/i" in PREPARE_JS


def make_app(tmp_path, with_pdf):
    if with_pdf:
        (tmp_path / PDF_PATH).parent.mkdir(parents=True)
        (tmp_path / PDF_PATH).write_bytes(b"%PDF-1.7")
    out = tmp_path / "html"
    out.mkdir()
    return SimpleNamespace(
        srcdir=str(tmp_path),
        outdir=str(out),
        config=SimpleNamespace(root_doc="book/intro"),
        builder=SimpleNamespace(format="html"),
    )


def test_landing_page_links_the_pdf_only_when_it_exists(tmp_path):
    context = {"body": "<h1>Book</h1><p>text</p>"}
    add_pdf_link(make_app(tmp_path, with_pdf=False), "book/intro", "page.html", context, None)
    assert context["body"] == "<h1>Book</h1><p>text</p>"
    app = make_app(tmp_path / "b", with_pdf=True)
    add_pdf_link(app, "notebooks/01_x", "page.html", context, None)
    assert "pdf-download" not in context["body"], "only the landing page"
    add_pdf_link(app, "book/intro", "page.html", context, None)
    assert context["body"].startswith('<h1>Book</h1><p class="pdf-download"><a href="../')
    copy_pdf(app, None)
    assert (Path(app.outdir) / PDF_NAME).read_bytes() == b"%PDF-1.7"


def test_command_line_writes_the_toc(tmp_path, capsys):
    out = tmp_path / "toc.yml"
    assert main(["toc", str(ROOT / "book" / "_toc.yml"), "--out", str(out)]) == 0
    assert yaml.safe_load(out.read_text()) == pdf_toc(TOC)
    assert "PDF table of contents" in capsys.readouterr().out
