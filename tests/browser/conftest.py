"""Fixtures for the browser tests: the built book served locally, headless system Chromium.

The tests read the BUILT book; build it first (``make build-strict``), then run
``.venv/bin/pytest tests/browser`` (all are marked ``browser``). Settings, all optional, from
the environment:

``LLMH_BOOK_HTML``
    The built HTML folder (default ``_build/html`` in the repository).
``LLMH_BOOK_TOC``, ``LLMH_BOOK_CONFIG``
    The ``_toc.yml`` and ``_config.yml`` the book was built with (default ``book/_toc.yml``,
    ``book/_config.yml``); set ``LLMH_BOOK_TOC`` when you built with another toc.
``LLMH_CHROMIUM``
    The Chromium executable (default ``/usr/bin/chromium``, else ``chromium`` on ``PATH``).
``LLMH_SCREENSHOTS``
    Where page screenshots go (default ``screenshots/`` next to the HTML folder, i.e.
    ``_build/screenshots``; not committed).
``LLMH_BROWSER_WORKERS``
    Browsers visiting pages side by side (default 2, one per core).

Pages are every file of the toc plus the search page with a query. Each is visited once per
colour mode (light: what a first-time reader gets, with the system set to light; dark:
``localStorage.mode = "dark"`` as the theme's switch stores it, with the system set to dark).
One visit records everything the page tests assert (console errors, requests that left the
local server, images, inline SVGs, links, Markdown left as text, axe-core violations), writes a
full-page screenshot and, in light mode, drives the page's explorables
(``explorable_driver.py``); the tests then assert on that record. Only the visits the selected
tests need are made (``-k`` runs stay fast), and the terminal summary says where the time went.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import shutil
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from explorable_driver import exercise_page

ROOT = Path(__file__).resolve().parents[2]
MODES = ("light", "dark")
INSTALL_CHROMIUM = (
    "install it with `apt-get install -y chromium` (Debian/Ubuntu), or set LLMH_CHROMIUM to a "
    "Chromium or Chrome executable; Playwright's own `playwright install` is not needed"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 900}
#: The tallest screenshot (px); longer pages are cut there.
MAX_SHOT = 16_000
#: Browsers that visit pages side by side (one per core on the project's 2-core machines).
WORKERS = int(os.environ.get("LLMH_BROWSER_WORKERS", "2"))
#: axe-core impacts that fail a page.
FAILING_IMPACTS = ("serious", "critical")


# ---- settings and the table of contents --------------------------------------------------------
def book_html_dir() -> Path:
    """Return the built HTML folder (``LLMH_BOOK_HTML`` or ``_build/html``)."""
    return Path(os.environ.get("LLMH_BOOK_HTML", ROOT / "_build" / "html")).resolve()


def toc_file() -> Path:
    return Path(os.environ.get("LLMH_BOOK_TOC", ROOT / "book" / "_toc.yml"))


def config_file() -> Path:
    return Path(os.environ.get("LLMH_BOOK_CONFIG", ROOT / "book" / "_config.yml"))


def screenshot_dir() -> Path:
    default = book_html_dir().parent / "screenshots"
    return Path(os.environ.get("LLMH_SCREENSHOTS", default))


def _entry_docnames(entry: dict[str, Any]) -> Iterator[str]:
    """Yield the docnames of one toc entry and of its nested sections, depth first."""
    if "file" in entry:
        name = str(entry["file"])
        for suffix in (".ipynb", ".md", ".rst"):
            name = name.removesuffix(suffix)
        yield name
    elif "glob" in entry:
        raise ValueError(f"toc glob entries are not supported by the browser tests: {entry}")
    for key in ("parts", "chapters", "sections"):
        for child in entry.get(key, []) or []:
            yield from _entry_docnames(child)


def toc_docnames(path: Path | None = None) -> list[str]:
    """Return the book's docnames in reading order: the root, then every ``file`` entry.

    ``url`` entries (external links in the sidebar) are not pages and are left out.
    """
    path = path or toc_file()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    root = str(data["root"])
    for suffix in (".ipynb", ".md", ".rst"):
        root = root.removesuffix(suffix)
    names = [root]
    for key in ("parts", "chapters", "sections"):
        for entry in data.get(key, []) or []:
            names.extend(_entry_docnames(entry))
    return names


def html_path(docname: str) -> str:
    """Return the page's path in the build, relative to its root (``notebooks/x.html``)."""
    return f"{docname}.html"


def toc_pages() -> list[str]:
    """Return the html paths of every toc page, in reading order."""
    return [html_path(name) for name in toc_docnames()]


#: The search page as every per-page check sees it: with a query, so that its results count.
SEARCH_PAGE = "search.html?q=KV+cache"
SEARCH_DONE_JS = """() => {
  const s = document.querySelector("#search-results .search-summary");
  return !!s && /finished|did not match/i.test(s.textContent);
}"""


def checked_pages() -> list[str]:
    """Return the pages every per-page test visits: the toc pages and the search page."""
    return [*toc_pages(), SEARCH_PAGE]


def notebook_pages() -> list[str]:
    """Return the toc pages built from a notebook (their ``.ipynb`` is in ``_sources``)."""
    build = book_html_dir()
    return [
        html_path(name)
        for name in toc_docnames()
        if (build / "_sources" / f"{name}.ipynb").exists()
    ]


def explorable_pages() -> list[str]:
    """Return the toc pages whose built HTML holds an explorable (``data-explorable``)."""
    build = book_html_dir()
    found = []
    for page in toc_pages():
        file = build / page
        if file.exists() and "data-explorable=" in file.read_text(encoding="utf-8"):
            found.append(page)
    return found


def book_config() -> dict[str, Any]:
    return yaml.safe_load(config_file().read_text(encoding="utf-8"))


# ---- pytest hooks -------------------------------------------------------------------------------
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "browser: drives headless Chromium against the built book (needs the build and Chromium)",
    )


HERE = Path(__file__).resolve().parent


def browser_tests_requested(config: pytest.Config) -> bool:
    """Return True when the command line names this folder (or a file in it) or ``-m browser``.

    A plain ``pytest`` or ``pytest tests`` (the unit-test run) leaves the browser tests out:
    they need the built book and Chromium, and take a minute or two.
    """
    for arg in config.args:
        path = (config.invocation_params.dir / arg.split("::")[0]).resolve()
        if path == HERE or HERE in path.parents:
            return True
    return "browser" in (config.getoption("markexpr") or "")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test here ``browser``; deselect them unless they were asked for."""
    ours = [item for item in items if HERE in Path(str(item.fspath)).resolve().parents]
    for item in ours:
        item.add_marker(pytest.mark.browser)
    if ours and not browser_tests_requested(config):
        config.hook.pytest_deselected(items=ours)
        left_out = set(ours)
        items[:] = [item for item in items if item not in left_out]


#: The (page, mode) visits the selected tests need, in order (set at collection).
PLAN: list[tuple[str, str]] = []


def pytest_collection_finish(session: pytest.Session) -> None:
    """Plan the visits: only the (page, mode) pairs the selected tests will ask for."""
    needed: set[tuple[str, str]] = set()
    for item in session.items:
        if "visit" not in getattr(item, "fixturenames", ()):
            continue
        params = getattr(getattr(item, "callspec", None), "params", {})
        page = params.get("page") or params.get("explorable_page") or params.get("notebook_page")
        mode = params.get("mode", "light")
        if page and page != "(no build)":
            needed.add((page, mode))
        elif not page:  # a test over the whole book (the prev/next walk)
            needed.update((p, "light") for p in toc_pages())
    order = {page: i for i, page in enumerate(checked_pages())}
    PLAN[:] = sorted(needed, key=lambda job: (MODES.index(job[1]), order.get(job[0], 0)))


def _page_id(page: str) -> str:
    return page.split("?")[0].removesuffix(".html")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize by page (``page``, ``notebook_page``, ``explorable_page``) and ``mode``."""
    build_missing = not (book_html_dir() / "index.html").exists()
    lists = {
        "page": checked_pages,
        "notebook_page": notebook_pages,
        "explorable_page": explorable_pages,
    }
    for name, pages in lists.items():
        if name in metafunc.fixturenames:
            # Without a build, one placeholder case runs and stops the run at `book_dir`.
            values = ["(no build)"] if build_missing and name != "page" else pages()
            metafunc.parametrize(name, values, ids=[_page_id(p) for p in values])
    if "mode" in metafunc.fixturenames:
        metafunc.parametrize("mode", MODES)


# ---- the book, the server and the browser -------------------------------------------------------
@pytest.fixture(scope="session")
def book_dir() -> Path:
    """The built HTML folder; fails with how to build it when it is missing."""
    path = book_html_dir()
    if not (path / "index.html").exists():
        # Every browser test needs the build: stop the run with one message, not N errors.
        pytest.exit(
            f"build the book first: make build-strict (no {path}/index.html; "
            "set LLMH_BOOK_HTML to test another build)",
            returncode=1,
        )
    return path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextlib.contextmanager
def serve_directory(folder: Path, name: str) -> Iterator[str]:
    """Serve ``folder`` on ``http://127.0.0.1:<free port>/`` while the block runs."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def base_url(book_dir: Path) -> Iterator[str]:
    """``http://127.0.0.1:<free port>/`` serving the built book for the whole session."""
    with serve_directory(book_dir, "book-server") as url:
        yield url


def find_chromium() -> str | None:
    """Return the Chromium to drive: ``LLMH_CHROMIUM``, ``/usr/bin/chromium`` or ``PATH``."""
    configured = os.environ.get("LLMH_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """The Chromium executable; stops the run with how to install it when there is none."""
    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError as error:  # pragma: no cover - depends on the environment
        pytest.exit(
            f"{error.name} is not installed: pip install playwright axe-playwright-python",
            returncode=1,
        )
    found = find_chromium()
    if found is None:
        where = os.environ.get("LLMH_CHROMIUM") or "/usr/bin/chromium or `chromium` on PATH"
        pytest.exit(f"Chromium not found ({where}): {INSTALL_CHROMIUM}", returncode=1)
    return found


@pytest.fixture(scope="session")
def browser(chromium_executable: str) -> Iterator[Any]:
    """A headless Chromium for the interaction tests (page visits use their own, per thread)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


DARK_MODE_JS = (
    "try { localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark'); } "
    "catch (e) {}"
)


def new_context(browser: Any, mode: str) -> Any:
    """Return a browser context showing the book in ``mode`` (see the module docstring)."""
    context = browser.new_context(viewport=VIEWPORT, color_scheme=mode)
    if mode == "dark":
        context.add_init_script(DARK_MODE_JS)
    return context


@pytest.fixture(scope="session")
def light(browser: Any) -> Iterator[Any]:
    """A light-mode browser context for the interaction tests (explorables, navigation)."""
    context = new_context(browser, "light")
    yield context
    context.close()


#: The session's visitors, for the timing line in the terminal summary.
VISITORS: list[Visitor] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for visitor in VISITORS:
        if visitor.cache:
            terminalreporter.write_line(f"browser: {visitor.summary()}")


# ---- one visit of one page in one mode ----------------------------------------------------------
@dataclass
class Visit:
    """What one page load showed; the per-page tests assert on it."""

    page: str
    mode: str
    url: str
    status: int | None
    theme: str | None = None
    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    svgs: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)
    raw_markdown: list[str] = field(default_factory=list)
    violations: list[dict[str, Any]] = field(default_factory=list)
    screenshot: Path | None = None
    explorables: int = 0
    explorable_problems: list[str] = field(default_factory=list)
    interaction_errors: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def is_local(url: str, base_url: str) -> bool:
    """Return True for URLs served by the local book server (or inline data/blob URLs)."""
    scheme = urlsplit(url).scheme
    return url.startswith(base_url) or scheme in ("data", "blob", "about")


def track_requests(page: Any, base_url: str, visit: Visit) -> None:
    """Abort and record every request that leaves the local server; record console errors."""

    def route(route: Any) -> None:
        url = route.request.url
        if is_local(url, base_url):
            route.continue_()
        else:
            visit.external_requests.append(url)
            route.abort()

    # Only URLs outside the server reach Python (a pattern is matched in the driver): routing
    # every local request through a Python callback would double the suite's time.
    page.route(re.compile(rf"^(?!{re.escape(base_url)})"), route)
    page.on(
        "console",
        lambda msg: (
            visit.console_errors.append(f"console.error: {msg.text} @ {msg.location}")
            if msg.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: visit.console_errors.append(f"pageerror: {error}"))
    page.on(
        "response",
        lambda resp: (
            visit.failed_requests.append(f"{resp.status} {resp.url}")
            if resp.status >= 400
            else None
        ),
    )


# Waits for fonts and MathJax, but never longer than 10 s: a page caught mid-rebuild must
# fail its own assertions rather than hang the whole run.
SETTLE_JS = """async () => {
  const settle = (async () => {
    if (document.fonts && document.fonts.ready) { await document.fonts.ready; }
    const mj = window.MathJax;
    if (mj && mj.startup && mj.startup.promise) { await mj.startup.promise; }
    return true;
  })();
  const timeout = new Promise((resolve) => setTimeout(() => resolve(false), 10000));
  return Promise.race([settle, timeout]);
}"""

IMAGES_JS = """async () => {
  const imgs = Array.from(document.images);
  for (const img of imgs) { if (img.loading === "lazy") { img.loading = "eager"; } }
  await Promise.all(imgs.map((img) => img.complete ? null : img.decode().catch(() => null)));
  return imgs.map((img) => ({
    src: img.currentSrc || img.src,
    attr: img.getAttribute("src"),
    alt: img.getAttribute("alt"),
    complete: img.complete,
    naturalWidth: img.naturalWidth,
  }));
}"""

# Top-level inline SVGs in the page's content, with how a screen reader would name them. Icons
# inside a button or link are named by that control and are left out.
SVGS_JS = """() => {
  const content = document.querySelector("main") || document.body;
  const svgs = Array.from(content.querySelectorAll("svg")).filter(
    (svg) => !svg.parentElement.closest("svg, button, a, [role=button]"));
  return svgs.map((svg) => {
    const hidden = !!svg.closest('[aria-hidden="true"]');
    const labelledby = (svg.getAttribute("aria-labelledby") || "").split(/\\s+/)
      .map((id) => id && document.getElementById(id)).filter(Boolean)
      .map((el) => el.textContent.trim()).join(" ");
    const title = Array.from(svg.children).find((c) => c.tagName.toLowerCase() === "title");
    const explorable = svg.closest("[data-explorable]");
    return {
      hidden,
      role: svg.getAttribute("role"),
      name: (svg.getAttribute("aria-label") || labelledby ||
             (title ? title.textContent : "")).trim(),
      explorable: explorable ? explorable.id : null,
      where: svg.parentElement ? svg.parentElement.className || svg.parentElement.tagName : "",
      size: svg.outerHTML.length,
    };
  });
}"""

# Markdown that reached the page as text (a table or a code fence outside code): an output
# rendered with a Markdown flavour that lacks the syntax (myst-nb's default is CommonMark).
RAW_MARKDOWN_JS = r"""() => {
  const article = document.querySelector("article") || document.body;
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  // Two delimiter cells of a table ("|---|---|"; smartquotes make "---" an em dash) or a fence.
  const cell = ":?[-\u2013\u2014]+:?";
  const table = new RegExp("\\|\\s*" + cell + "\\s*\\|\\s*" + cell + "\\s*\\|");
  const fence = /^\s*(```|~~~)/m;
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest("pre, code, script, style, textarea, .highlight")) continue;
    const text = node.textContent;
    if (table.test(text) || fence.test(text)) found.push(text.trim().slice(0, 120));
  }
  return found;
}"""

LINKS_JS = """() => Array.from(document.querySelectorAll("a[href]")).map((a) => ({
  href: a.href, attr: a.getAttribute("href"), cls: a.className || "",
  title: a.getAttribute("title") || a.getAttribute("data-bs-original-title") || "",
  text: a.textContent.trim(),
}))"""


def settle(page: Any) -> None:
    """Wait until fonts and MathJax's first typesetting are done."""
    page.evaluate(SETTLE_JS)


def screenshot_name(page: str, mode: str) -> str:
    return f"{_page_id(page).replace('/', '__')}-{mode}.png"


class Visitor:
    """Visits each (page, mode) once and keeps the :class:`Visit`.

    On first use it visits every (page, mode) the selected tests need (``PLAN``, made at
    collection) with two worker threads, each with its own Playwright and Chromium
    (Playwright's sync API is per thread), taking jobs from one queue. axe-core and the
    screenshots are CPU-bound in the renderer, so two browsers use both cores (~1.8x faster).
    """

    def __init__(
        self, chromium: str, base_url: str, shots: Path, plan: list[tuple[str, str]]
    ) -> None:
        self.chromium = chromium
        self.base_url = base_url
        self.shots = shots
        self.plan = plan
        self.cache: dict[tuple[str, str], Visit | BaseException] = {}
        self.wall = 0.0
        VISITORS.append(self)

    def __call__(self, page_path: str, mode: str) -> Visit:
        key = (page_path, mode)
        if key not in self.cache:
            jobs = [job for job in self.plan if job not in self.cache]
            self.run(jobs if key in jobs else [key])
        found = self.cache[key]
        if isinstance(found, BaseException):
            raise found
        return found

    def run(self, jobs: list[tuple[str, str]]) -> None:
        """Visit ``jobs`` with up to ``WORKERS`` browsers side by side."""
        start = time.perf_counter()
        queue = deque(jobs)
        workers = max(1, min(WORKERS, len(jobs)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="visit") as pool:
            for future in [pool.submit(self._worker, queue) for _ in range(workers)]:
                future.result()
        self.wall += time.perf_counter() - start

    def _worker(self, queue: deque) -> None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=self.chromium, headless=True, args=CHROMIUM_ARGS
            )
            contexts: dict[str, Any] = {}
            try:
                while True:
                    try:
                        page_path, mode = queue.popleft()  # atomic: safe across threads
                    except IndexError:
                        break
                    if mode not in contexts:
                        contexts[mode] = new_context(browser, mode)
                    try:
                        visit = self._visit(contexts[mode], page_path, mode)
                        self.cache[(page_path, mode)] = visit
                    except Exception as error:  # reported by the tests of that page only
                        self.cache[(page_path, mode)] = error
            finally:
                for context in contexts.values():
                    context.close()
                browser.close()

    def summary(self) -> str:
        """Return one line: visits, wall time and where the browsers spent it."""
        visits = [v for v in self.cache.values() if isinstance(v, Visit)]
        totals: dict[str, float] = {}
        for v in visits:
            for name, seconds in v.seconds.items():
                totals[name] = totals.get(name, 0.0) + seconds
        parts = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in totals.items())
        return (
            f"{len(visits)} page visits ({WORKERS} browsers side by side) in "
            f"{self.wall:.1f} s wall; browser time: {parts}"
        )

    def screenshot(self, page: Any, page_path: str, mode: str) -> Path:
        """Write a screenshot of the whole page and return its path.

        The viewport is first stretched to the page's height: Playwright's ``full_page``
        capture keeps the layout viewport, which clips the theme's sticky sidebars.
        """
        self.shots.mkdir(parents=True, exist_ok=True)
        path = self.shots / screenshot_name(page_path, mode)
        height = page.evaluate("document.documentElement.scrollHeight")
        page.set_viewport_size({"width": VIEWPORT["width"], "height": min(height, MAX_SHOT)})
        page.evaluate(SETTLE_JS)
        page.screenshot(path=str(path))
        return path

    def _visit(self, context: Any, page_path: str, mode: str) -> Visit:
        from axe_playwright_python.sync_playwright import Axe

        page = context.new_page()
        url = self.base_url + page_path
        visit = Visit(page=page_path, mode=mode, url=url, status=None)
        track_requests(page, self.base_url, visit)
        clock = [time.perf_counter()]

        def lap(name: str) -> None:
            clock.append(time.perf_counter())
            visit.seconds[name] = clock[-1] - clock[-2]

        try:
            response = page.goto(url, wait_until="load")
            visit.status = response.status if response else None
            settle(page)
            if page_path.startswith("search.html?"):
                page.wait_for_function(SEARCH_DONE_JS, timeout=15_000)
            lap("load")
            visit.theme = page.evaluate("document.documentElement.dataset.theme || null")
            visit.images = page.evaluate(IMAGES_JS)
            visit.svgs = page.evaluate(SVGS_JS)
            visit.links = page.evaluate(LINKS_JS)
            visit.raw_markdown = page.evaluate(RAW_MARKDOWN_JS)
            # Console errors and failed requests are the page's own up to here. axe-core's
            # stylesheet preloading (below) fetches `@import`ed CSS itself and resolves the
            # theme's `@import "../basic.css"` against the site root (a 404 that the page
            # never makes), so what happens during the axe run is not the page's doing.
            errors, failed = list(visit.console_errors), list(visit.failed_requests)
            lap("dom")
            results = Axe().run(page)
            visit.violations = [
                v for v in results.response["violations"] if v.get("impact") in FAILING_IMPACTS
            ]
            lap("axe")
            visit.screenshot = self.screenshot(page, page_path, mode)
            lap("screenshot")
            if mode == "light":  # drive the explorables once, on the page as it is
                visit.console_errors = []
                visit.explorables, visit.explorable_problems = exercise_page(page)
                visit.interaction_errors = visit.console_errors
                lap("explorables")
            # External requests stay recorded throughout: nothing may leave the server.
            visit.console_errors, visit.failed_requests = errors, failed
        finally:
            page.close()
        return visit


@pytest.fixture(scope="session")
def toc_order() -> list[str]:
    """The html paths of the toc pages, in reading order."""
    return toc_pages()


@pytest.fixture(scope="session")
def config() -> dict[str, Any]:
    """The book's ``_config.yml`` as a dict."""
    return book_config()


@pytest.fixture(scope="session")
def visit(chromium_executable: str, base_url: str) -> Visitor:
    """``visit(page, mode)`` returns the (cached) :class:`Visit` of that page in that mode."""
    plan = PLAN or [(page, mode) for mode in MODES for page in checked_pages()]
    return Visitor(chromium_executable, base_url, screenshot_dir(), plan)
