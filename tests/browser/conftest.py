"""Fixtures for the browser tests: the built book served locally, one headless system Chromium.

The tests read the BUILT book; build it first (``make build-strict``), then run
``.venv/bin/pytest tests/browser`` (all are marked ``browser``). Where things are and how they
are overridden from the environment: ``book_toc.py`` (``LLMH_BOOK_HTML``, ``LLMH_BOOK_TOC``,
``LLMH_BOOK_CONFIG``, ``LLMH_SCREENSHOTS``), ``chromium.py`` (``LLMH_CHROMIUM``) and
``page_visit.py`` (``LLMH_BROWSER_WORKERS``, visits side by side, default 2).

Pages are every file of the toc plus the search page with a query. Each is visited once per
colour mode (``chromium.py``); one visit records everything the page tests assert on
(``page_visit.py``), and the tests assert on that record. Only the visits the selected tests
need are made (``-k`` runs stay fast), and the terminal summary says where the time went.

Helpers, one idea each: ``book_toc`` (the build and its toc), ``book_server`` (the local HTTP
server), ``chromium`` (the browser, its flags and colour modes), ``request_guard`` (no request
leaves the server), ``page_probes`` (waiting for a page and reading it), ``axe_runner``
(axe-core), ``explorable_driver`` (moving explorables' controls), ``page_visit`` (a visit).
``benchmarks/book_metrics.py`` uses the first four as well.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from book_server import serve_directory
from book_toc import (
    book_config,
    book_html_dir,
    checked_pages,
    explorable_pages,
    notebook_pages,
    page_id,
    page_screenshot_dir,
    toc_pages,
)
from chromium import INSTALL_CHROMIUM, MODES, find_chromium, launch, new_context
from page_visit import Visitor

HERE = Path(__file__).resolve().parent


# ---- pytest hooks -------------------------------------------------------------------------------
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "browser: drives headless Chromium against the built book (needs the build and Chromium)",
    )
    config.addinivalue_line(
        "markers",
        "visits(*pages): the light-mode visits a test without a page parameter reads "
        '("root" is the toc\'s root); without it such a test reads every toc page',
    )
    config.addinivalue_line(
        "markers",
        "visit_modes(*modes): the modes a page-parametrized test without a mode parameter reads "
        '(default "light"; "dark-switched": a dark-loaded page switched in place)',
    )


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


def _needed_visits(item: pytest.Item) -> set[tuple[str, str]]:
    """Return the (page, mode) visits one collected test reads through ``visit``."""
    if "visit" not in getattr(item, "fixturenames", ()):
        return set()
    params = getattr(getattr(item, "callspec", None), "params", {})
    page = params.get("page") or params.get("explorable_page") or params.get("notebook_page")
    page = page or params.get("loaded_page")
    if page == "(no build)":
        return set()
    if page:
        modes = item.get_closest_marker("visit_modes")
        return {(page, mode) for mode in (modes.args if modes else [params.get("mode", "light")])}
    marker = item.get_closest_marker("visits")
    if marker is None:  # a test over the whole book (the prev/next walk)
        return {(p, "light") for p in toc_pages()}
    root = toc_pages()[0]
    return {(root if p == "root" else p, "light") for p in marker.args}


def _weight(page: str) -> int:
    """Return the size of a page's HTML: the longest pages take axe-core longest."""
    file = book_html_dir() / page.split("?")[0]
    return file.stat().st_size if file.exists() else 0


def pytest_collection_finish(session: pytest.Session) -> None:
    """Plan the visits: only the (page, mode) pairs the selected tests will ask for.

    The heaviest pages go first, so that the visits side by side end together instead of one
    long page keeping a core busy while the other waits.
    """
    needed: set[tuple[str, str]] = set()
    for item in session.items:
        needed |= _needed_visits(item)
    PLAN[:] = sorted(needed, key=lambda job: (-_weight(job[0]), job[0], job[1] != "light", job[1]))


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
            metafunc.parametrize(name, values, ids=[page_id(p) for p in values])
    if "mode" in metafunc.fixturenames:
        metafunc.parametrize("mode", MODES)


#: The session's visitors, for the timing line in the terminal summary.
VISITORS: list[Visitor] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for visitor in VISITORS:
        if visitor.cache:
            terminalreporter.write_line(f"browser: {visitor.summary()}")


# ---- the book and its server --------------------------------------------------------------------
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


@pytest.fixture(scope="session")
def base_url(book_dir: Path) -> Iterator[str]:
    """``http://127.0.0.1:<free port>/`` serving the built book for the whole session."""
    with serve_directory(book_dir, "book-server") as url:
        yield url


@pytest.fixture(scope="session")
def toc_order() -> list[str]:
    """The html paths of the toc pages, in reading order."""
    return toc_pages()


@pytest.fixture(scope="session")
def config() -> dict[str, Any]:
    """The book's ``_config.yml`` as a dict."""
    return book_config()


# ---- the browser --------------------------------------------------------------------------------
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
    """The session's one headless Chromium: page visits and interaction tests share it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright, chromium_executable)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def mode_context(browser: Any) -> Iterator[Callable[[str], Any]]:
    """``mode_context(mode)``: the session's browser context for that colour mode."""
    contexts: dict[str, Any] = {}

    def get(mode: str) -> Any:
        if mode not in contexts:
            contexts[mode] = new_context(browser, mode)
        return contexts[mode]

    yield get
    for context in contexts.values():
        context.close()


@pytest.fixture(scope="session")
def light(mode_context: Callable[[str], Any]) -> Any:
    """The light-mode context for the interaction tests (navigation); visits use it too."""
    return mode_context("light")


@pytest.fixture(scope="session")
def visit(mode_context: Callable[[str], Any], base_url: str) -> Visitor:
    """``visit(page, mode)`` returns the (cached) :class:`page_visit.Visit` of that page."""
    plan = PLAN or [(page, mode) for mode in MODES for page in checked_pages()]
    visitor = Visitor(mode_context, base_url, page_screenshot_dir(), plan)
    VISITORS.append(visitor)
    return visitor
