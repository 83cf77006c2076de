"""Print the book's build and page-weight figures (a benchmark, not a test).

Usage: python benchmarks/book_metrics.py [--html _build/html] [--toc book/_toc.yml] [--runs 1]

1. Clean build: the book's sources (``book/``, the toc's notebooks, the vendored MathJax) are
   copied to a temporary folder and built there from scratch with the strict flags of
   ``make build-strict``; the repository and its ``_build`` are not touched.
2. Incremental rebuild: one chapter of the copy (the middle notebook of the toc) gets a new
   modification time and the book is built again.
3. Page weight: the freshly built pages (or ``--html DIR``, skipping 1 and 2) are served on
   127.0.0.1 and each is loaded in headless Chromium with an empty cache; the script prints
   every toc page's transferred bytes (HTML + everything it loads, headers included) twice:
   "raw" from a plain ``http.server`` (files as stored) and "gzip" from the same server
   compressing text files as static hosts do, with the DOMContentLoaded time, heaviest first.

Targets (``TARGETS``): clean build < 60 s on two cores; heaviest page < 2 MB as transferred
by a compressing host (the raw figure is printed too). The load average at the start is
printed because other jobs on the machine slow the figures down.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The browser tests' helpers: the toc walker, the local server, Chromium and its flags.
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from book_server import GzipHandler, QuietHandler, serve_directory  # noqa: E402
from book_toc import toc_docnames  # noqa: E402
from chromium import launch, new_context  # noqa: E402
from page_probes import SETTLE_JS  # noqa: E402
from request_guard import wait_for_requests, watch  # noqa: E402

JB = Path(sys.executable).parent / "jupyter-book"
STRICT = ["-W", "-n", "--keep-going"]
TARGETS = {"clean build (s)": 60.0, "heaviest page (MB)": 2.0}


def copy_sources(dest: Path, toc: Path) -> None:
    """Copy what the build reads (book/, the toc's pages, the vendored JS) into ``dest``."""
    shutil.copytree(ROOT / "book", dest / "book", ignore=shutil.ignore_patterns("_build"))
    for name in toc_docnames(toc):
        for suffix in (".ipynb", ".md"):
            source = ROOT / f"{name}{suffix}"
            if source.exists() and not (dest / f"{name}{suffix}").exists():
                (dest / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, dest / f"{name}{suffix}")
    vendor = ROOT / ".cache" / "vendor"
    if not vendor.exists():
        raise SystemExit("no .cache/vendor: run `make vendor` first (the build serves MathJax)")
    (dest / ".cache").mkdir()
    (dest / ".cache" / "vendor").symlink_to(vendor)
    shutil.copy2(toc, dest / "book" / "_toc.yml")


def build(src: Path) -> tuple[float, bool, str]:
    """Build the book in ``src``; return ``(seconds, succeeded, last lines of the log)``."""
    command = [str(JB), "build", ".", "--config", "book/_config.yml", "--toc", "book/_toc.yml"]
    start = time.perf_counter()
    done = subprocess.run(
        [*command, "--path-output", ".", *STRICT],
        cwd=src,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    seconds = time.perf_counter() - start
    tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-5:])
    return seconds, done.returncode == 0, tail


def measure_pages(
    html: Path, pages: list[str], *, compress: bool
) -> list[tuple[str, int, float, int]]:
    """Return ``(page, transferred bytes, DOMContentLoaded ms, requests)`` for each page.

    Each page is loaded in a fresh context (an empty cache), settled (fonts, MathJax) and
    measured once no request is in flight any more. Requests that would leave the local server
    are blocked, as in the browser tests, and reported.
    """
    from playwright.sync_api import sync_playwright

    rows = []
    handler = GzipHandler if compress else QuietHandler
    with serve_directory(html, "metrics-server", handler) as base, sync_playwright() as playwright:
        browser = launch(playwright)
        for page_path in pages:
            context = new_context(browser)
            page = context.new_page()
            log = watch(page, base)
            sizes: list[int] = []

            def finished(request, sizes=sizes):
                try:
                    s = request.sizes()
                    sizes.append(s["responseBodySize"] + s["responseHeadersSize"])
                except Exception:  # noqa: BLE001 - a request without a response
                    pass

            page.on("requestfinished", finished)
            page.goto(base + page_path, wait_until="load")
            page.evaluate(SETTLE_JS)
            wait_for_requests(page, log)
            dcl = page.evaluate(
                "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
            )
            rows.append((page_path, sum(sizes), dcl, len(sizes)))
            if log.external:
                print(f"warning: {page_path} requested {len(log.external)} external URL(s)")
            context.close()
        browser.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--toc", type=Path, default=ROOT / "book" / "_toc.yml")
    parser.add_argument("--html", type=Path, help="measure this build's pages only (no builds)")
    args = parser.parse_args(argv)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    docnames = toc_docnames(args.toc)
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="llmh-book-") as tmp:
        html = args.html
        if html is None:
            src = Path(tmp)
            copy_sources(src, args.toc)
            seconds, ok, tail = build(src)
            figures["clean build (s)"] = seconds
            print(f"clean build: {seconds:.1f} s ({len(docnames)} pages){'' if ok else ' FAILED'}")
            if not ok:
                print(tail)
            chapters = [n for n in docnames if (src / f"{n}.ipynb").exists()]
            touched = chapters[len(chapters) // 2] if chapters else docnames[-1]
            path = next(p for p in src.glob(f"{touched}.*") if p.suffix in (".ipynb", ".md"))
            os.utime(path)
            seconds, ok, tail = build(src)
            figures["incremental rebuild (s)"] = seconds
            print(f"incremental rebuild after touching {touched}: {seconds:.1f} s")
            html = src / "_build" / "html"
        pages = [f"{n}.html" for n in docnames]
        raw = {row[0]: row for row in measure_pages(html, pages, compress=False)}
        packed = {row[0]: row for row in measure_pages(html, pages, compress=True)}
    order = sorted(pages, key=lambda page: -raw[page][1])
    print(f"\n{'page':44s} {'raw':>9s} {'gzip':>9s} {'requests':>9s} {'DOMContentLoaded':>17s}")
    for page in order:
        _, size, dcl, requests = raw[page]
        print(
            f"{page:44s} {size / 1e6:6.2f} MB {packed[page][1] / 1e6:6.2f} MB {requests:9d} "
            f"{dcl:14.0f} ms"
        )
    heaviest = order[0]
    heaviest_packed = max(pages, key=lambda page: packed[page][1])
    figures["heaviest page (MB)"] = packed[heaviest_packed][1] / 1e6
    print(
        f"\nheaviest page as stored (python -m http.server): {heaviest}: "
        f"{raw[heaviest][1] / 1e6:.2f} MB, DOMContentLoaded {raw[heaviest][2]:.0f} ms"
    )
    print(
        f"heaviest page gzip-compressed (as a static host such as GitHub Pages sends it): "
        f"{heaviest_packed}: {packed[heaviest_packed][1] / 1e6:.2f} MB, "
        f"DOMContentLoaded {packed[heaviest_packed][2]:.0f} ms"
    )
    for name, limit in TARGETS.items():
        if name in figures:
            verdict = "ok" if figures[name] < limit else "OVER TARGET"
            print(f"target {name} < {limit:g}: {figures[name]:.2f} {verdict}")
    if raw[heaviest][1] / 1e6 >= TARGETS["heaviest page (MB)"]:
        print(
            "note: maths is typeset to SVG at build time (book/_ext/static_math.py), so no "
            "page loads MathJax; the theme's CSS, fonts and scripts are ~1 MB of every page"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
