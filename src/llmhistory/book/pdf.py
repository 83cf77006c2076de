"""The book as one PDF: the single-page HTML build, printed by headless Chromium.

``make pdf`` builds the book with Sphinx's ``singlehtml`` builder from a table of contents
without the API reference (:func:`pdf_toc`), then :func:`print_pdf` opens that page in
Chromium, waits for the maths, takes out what only works on screen (solutions, which the PDF
leaves out; buttons; live panels) and prints it with page numbers, each chapter on a new page.

Why Chromium and not LaTeX: the Debian TeX Live packages that Jupyter Book's ``pdflatex``
builder needs are about 450 MB and fail on ``bbm.sty`` unless the Jupyter Book LaTeX extension
is switched off, while Chromium is already what the browser tests drive; the printed page is
the HTML book itself (same figures, tables and citations). Command line::

    python -m llmhistory.book.pdf toc book/_toc.yml --out _build/pdf/_toc.yml
    python -m llmhistory.book.pdf print _build/pdf/_build/singlehtml/index.html --out book.pdf
"""

from __future__ import annotations

import argparse
import copy
import os
import shutil
import sys
from pathlib import Path

import yaml

__all__ = ["pdf_toc", "print_page", "print_pdf"]

#: Parts of the table of contents that stay on the web only.
WEB_ONLY_CAPTIONS = ("API reference",)

#: Print styles added to the page before printing: text column only, chapters on new pages.
PRINT_CSS = """
@page { size: A4; margin: 18mm 16mm 18mm 16mm; }
html { font-size: 10.5pt; }
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-footer, .bd-footer-content,
.bd-header-article, .header-article, .prev-next-area, .bd-search, .skip-link, .headerlink,
.toggle-button, button, .copybtn, #pst-back-to-top, .theme-switch-button {
  display: none !important; }
.bd-main .bd-content .bd-article-container, .bd-page-width, .bd-container__inner {
  max-width: 100% !important; padding: 0 !important; margin: 0 !important; }
section.pdf-chapter { break-before: page; }
.pdf-online-only { color: #555; }
h1, h2, h3, figure, img, svg, table, pre { break-inside: avoid; }
h1, h2, h3 { break-after: avoid; }
pre, .highlight pre { white-space: pre-wrap !important; word-break: break-word; font-size: 8.5pt; }
img, svg { max-width: 100% !important; height: auto; }
a { color: inherit; text-decoration: none; }
"""

#: Script run in the page before printing; returns what it removed (for the log and tests).
PREPARE_JS = """
() => {
  const removed = {solutions: 0, panels: 0};
  const drop = (el, key) => { el.remove(); removed[key] += 1; };
  // exercise solutions: dropdowns titled "Solution" and cells tagged solution / hide-cell
  // code the book hides behind "Show code cell source": left out, its output stays
  document.querySelectorAll('details.hide.above-input').forEach(d => d.remove());
  document.querySelectorAll('details').forEach(d => {
    const title = d.querySelector('summary') ? d.querySelector('summary').innerText : '';
    if (/solution|answer|hint/i.test(title)) drop(d, 'solutions');
    else d.open = true;
  });
  document.querySelectorAll('.cell.tag_solution, .cell.tag_hide-cell').forEach(
    c => drop(c, 'solutions'));
  // each chapter (a section titled "N. ...") and each back-matter page starts a new page
  document.querySelectorAll('section').forEach(s => {
    const h = s.querySelector(':scope > h1, :scope > h2');
    const n = h && h.querySelector('.section-number');
    if (n && /^\\d+\\.\\s*$/.test(n.textContent)) s.classList.add('pdf-chapter');
  });
  ['instructor-guide', 'references', 'bibliography'].forEach(id => {
    const s = document.getElementById(id);
    if (s && s.tagName === 'SECTION') s.classList.add('pdf-chapter');
  });
  // live panels and quizzes need a reader's clicks: the PDF says where to find them
  document.querySelectorAll('[data-quiz], .llmh-quiz, .quiz, [data-live-model]').forEach(p => {
    const note = document.createElement('p');
    note.className = 'pdf-online-only';
    note.innerHTML = '<em>Interactive in the online book.</em>';
    p.replaceWith(note);
    removed.panels += 1;
  });
  return removed;
}
"""

_WAIT_MATHS_JS = """
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await document.fonts.ready;
  return true;
}
"""

_FOOTER = (
    '<div style="font-size:8pt;width:100%;text-align:center;color:#555;">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


def pdf_toc(toc: dict, web_only: tuple[str, ...] = WEB_ONLY_CAPTIONS) -> dict:
    """Return a copy of a ``jb-book`` table of contents without the web-only parts.

    >>> toc = {"root": "book/intro", "parts": [{"caption": "I", "chapters": []},
    ...                                        {"caption": "API reference", "chapters": []}]}
    >>> [p["caption"] for p in pdf_toc(toc)["parts"]]
    ['I']
    """
    if not isinstance(toc, dict) or "root" not in toc:
        raise TypeError("toc must be a jb-book table of contents (a dict with a 'root')")
    out = copy.deepcopy(toc)
    out["parts"] = [p for p in out.get("parts", []) if p.get("caption") not in web_only]
    return out


def print_page(html: Path) -> Path:
    """Return a copy of the single-page book that its relative links resolve from.

    Sphinx's ``singlehtml`` builder writes the root document at its own path
    (``book/intro.html``) but links ``_static/`` and ``_images/`` from the output folder, so the
    page is copied there (``print.html``) when they are not beside it.

    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> (out / "_static").mkdir(); (out / "book").mkdir()
    >>> _ = (out / "book" / "intro.html").write_text("<p>x</p>")
    >>> print_page(out / "book" / "intro.html").relative_to(out)
    PosixPath('print.html')
    """
    html = Path(html)
    if (html.parent / "_static").is_dir():
        return html
    for folder in html.parents:
        if (folder / "_static").is_dir():
            copy_ = folder / "print.html"
            shutil.copyfile(html, copy_)
            return copy_
    raise FileNotFoundError(f"no _static/ folder above html={html}: is it a Sphinx build?")


def find_chromium() -> str | None:
    """Return ``$LLMH_CHROMIUM``, ``/usr/bin/chromium`` or a Chromium on ``PATH``, or None."""
    configured = os.environ.get("LLMH_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def print_pdf(html: Path | str, out: Path | str) -> dict:  # pragma: no cover - needs Chromium
    """Print the single-page book ``html`` to the PDF ``out``; return what was left out.

    Tested end to end by ``tests/slow/test_pdf.py`` (``make pdf-test``).
    """
    from playwright.sync_api import sync_playwright

    html, out = Path(html).resolve(), Path(out)
    if not html.is_file():
        raise FileNotFoundError(f"html={html} does not exist: build the single-page book first")
    html = print_page(html)
    executable = find_chromium()
    if executable is None:
        raise FileNotFoundError("Chromium not found: apt-get install chromium, or LLMH_CHROMIUM")
    out.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1000, "height": 1400})
        page.emulate_media(media="print", color_scheme="light")
        page.goto(html.as_uri(), wait_until="load", timeout=300_000)
        page.evaluate(_WAIT_MATHS_JS)
        removed = page.evaluate(PREPARE_JS)
        page.add_style_tag(content=PRINT_CSS)
        page.pdf(
            path=str(out),
            format="A4",
            print_background=True,
            display_header_footer=True,
            header_template="<div></div>",
            footer_template=_FOOTER,
            margin={"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"},
            outline=True,
            tagged=True,
        )
        browser.close()
    return removed


#: Where ``make pdf`` writes the book, relative to the build root (the repository).
PDF_PATH = Path("_build/pdf/llmhistory.pdf")
#: The file name the site serves it under, next to the landing page's folder.
PDF_NAME = "llmhistory.pdf"


def pdf_link(pagename: str, pages: int | None = None) -> str:
    """Return the download link for page ``pagename`` (the PDF sits at the site's root).

    >>> pdf_link("book/intro", 160)[:69]
    '<p class="pdf-download"><a href="../llmhistory.pdf">The whole book as'
    >>> "(160 A4 pages; solutions left out)" in pdf_link("index", 160)
    True
    """
    size = f"{pages} A4 pages; " if pages else ""
    href = "../" * pagename.count("/") + PDF_NAME
    return (
        f'<p class="pdf-download"><a href="{href}">The whole book as a PDF</a> '
        f"({size}solutions left out).</p>"
    )


def add_pdf_link(app, pagename, templatename, context, doctree) -> None:
    """Sphinx ``html-page-context`` hook: link the PDF from the landing page, if it was made.

    The link appears only when ``make pdf`` has written the PDF before the HTML build, so a
    build without it has no broken link; :func:`copy_pdf` puts the file beside the pages.
    """
    pdf = Path(app.srcdir) / PDF_PATH
    if pagename != app.config.root_doc or not pdf.is_file() or "body" not in context:
        return
    body = context["body"]
    at = body.find("</h1>")
    at = at + len("</h1>") if at >= 0 else 0
    context["body"] = body[:at] + pdf_link(pagename) + body[at:]


def copy_pdf(app, exception) -> None:
    """Sphinx ``build-finished`` hook: copy the PDF into an HTML build's output folder."""
    pdf = Path(app.srcdir) / PDF_PATH
    if exception is None and app.builder.format == "html" and pdf.is_file():
        shutil.copyfile(pdf, Path(app.outdir) / PDF_NAME)


def setup(app) -> dict:
    """Register the PDF link hooks (``extra_extensions: [llmhistory.book.pdf]``)."""
    app.connect("html-page-context", add_pdf_link)
    app.connect("build-finished", copy_pdf)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main(argv: list[str] | None = None) -> int:
    """Command line: ``toc`` writes the PDF's table of contents; ``print`` makes the PDF."""
    parser = argparse.ArgumentParser(prog="python -m llmhistory.book.pdf", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    toc = sub.add_parser("toc", help="write the table of contents without web-only parts")
    toc.add_argument("toc", type=Path)
    toc.add_argument("--out", type=Path, required=True)
    printer = sub.add_parser("print", help="print the single-page HTML book to a PDF")
    printer.add_argument("html", type=Path)
    printer.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "toc":
        data = pdf_toc(yaml.safe_load(args.toc.read_text(encoding="utf-8")))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        print(f"PDF table of contents -> {args.out}")
        return 0
    removed = print_pdf(args.html, args.out)  # pragma: no cover - needs Chromium
    print(f"PDF -> {args.out} (left out: {removed})")  # pragma: no cover
    return 0  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
