"""The built book as the browser tests and ``benchmarks/book_metrics.py`` see it.

Where the build and its sources are (each overridable from the environment), the toc walked in
reading order, and the lists of pages the tests visit.

``LLMH_BOOK_HTML``
    The built HTML folder (default ``_build/html`` in the repository).
``LLMH_BOOK_TOC``, ``LLMH_BOOK_CONFIG``
    The ``_toc.yml`` and ``_config.yml`` the book was built with (default ``book/_toc.yml``,
    ``book/_config.yml``); set ``LLMH_BOOK_TOC`` when you built with another toc.
``LLMH_SCREENSHOTS``
    A folder for a full-page screenshot of every visit (light and dark). Unset (the default
    in ``make test``), no page screenshots are written: they are for people to look at, no
    test reads them, and writing them took 61 s of the suite's summed visit time (measured
    on 44 visits). The device tests' few phone screenshots go to ``screenshots/`` next to the
    HTML folder when it is unset.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SOURCE_SUFFIXES = (".ipynb", ".md", ".rst")
#: The words every per-page check searches for, so that the search page's results are checked.
#: A word on a handful of pages: the search page fetches every result's page for its summary
#: ("KV cache" is on 30 pages: 7-8 s per visit of the search page; this one 7 pages).
SEARCH_QUERY = "PagedAttention"
SEARCH_PAGE = "search.html?q=" + SEARCH_QUERY.replace(" ", "+")


def book_html_dir() -> Path:
    """Return the built HTML folder (``LLMH_BOOK_HTML`` or ``_build/html``)."""
    return Path(os.environ.get("LLMH_BOOK_HTML", ROOT / "_build" / "html")).resolve()


def toc_file() -> Path:
    return Path(os.environ.get("LLMH_BOOK_TOC", ROOT / "book" / "_toc.yml"))


def config_file() -> Path:
    return Path(os.environ.get("LLMH_BOOK_CONFIG", ROOT / "book" / "_config.yml"))


def screenshot_dir() -> Path:
    """Where screenshots go: ``LLMH_SCREENSHOTS``, else ``screenshots/`` beside the build."""
    default = book_html_dir().parent / "screenshots"
    return Path(os.environ.get("LLMH_SCREENSHOTS", default))


def page_screenshot_dir() -> Path | None:
    """Where every visit writes a full-page screenshot; None (none written) unless asked for."""
    folder = os.environ.get("LLMH_SCREENSHOTS")
    return Path(folder) if folder else None


def book_config() -> dict[str, Any]:
    """Return the book's ``_config.yml`` as a dict."""
    return yaml.safe_load(config_file().read_text(encoding="utf-8"))


def _docname(name: object) -> str:
    text = str(name)
    for suffix in SOURCE_SUFFIXES:
        text = text.removesuffix(suffix)
    return text


def _entry_docnames(entry: dict[str, Any]) -> Iterator[str]:
    """Yield the docnames of one toc entry and of its nested sections, depth first."""
    if "file" in entry:
        yield _docname(entry["file"])
    elif "glob" in entry:
        raise ValueError(f"toc glob entries are not supported: {entry}")
    for key in ("parts", "chapters", "sections"):
        for child in entry.get(key, []) or []:
            yield from _entry_docnames(child)


def toc_docnames(path: Path | None = None) -> list[str]:
    """Return the book's docnames in reading order: the root, then every ``file`` entry.

    ``url`` entries (external links in the sidebar) are not pages and are left out.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     toc = Path(tmp) / "_toc.yml"
    ...     _ = toc.write_text("root: intro.md\\nparts:\\n- chapters:\\n  - file: a.ipynb\\n"
    ...                        "    sections:\\n    - file: a1\\n  - url: https://example.org\\n")
    ...     toc_docnames(toc)
    ['intro', 'a', 'a1']
    """
    data = yaml.safe_load((path or toc_file()).read_text(encoding="utf-8"))
    names = [_docname(data["root"])]
    for key in ("parts", "chapters", "sections"):
        for entry in data.get(key, []) or []:
            names.extend(_entry_docnames(entry))
    return names


def html_path(docname: str) -> str:
    """Return the page's path in the build, relative to its root (``notebooks/x.html``)."""
    return f"{docname}.html"


def toc_pages(path: Path | None = None) -> list[str]:
    """Return the html paths of every toc page, in reading order."""
    return [html_path(name) for name in toc_docnames(path)]


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


#: An element with a ``data-explorable`` attribute (not the words in a docstring or code).
EXPLORABLE_TAG = re.compile(r"<[a-zA-Z][^<>]*\sdata-explorable=")


def explorable_pages() -> list[str]:
    """Return the toc pages whose built HTML holds an explorable (``data-explorable``).

    >>> bool(EXPLORABLE_TAG.search('<div class="x" data-explorable="e1">'))
    True
    >>> bool(EXPLORABLE_TAG.search("<code>root[data-explorable]</code> &lt;div data-explorable="))
    False
    """
    build = book_html_dir()
    found = []
    for page in toc_pages():
        file = build / page
        if file.exists() and EXPLORABLE_TAG.search(file.read_text(encoding="utf-8")):
            found.append(page)
    return found


def page_id(page: str) -> str:
    """Return a short id for a page path: ``notebooks/x.html`` -> ``notebooks/x``."""
    return page.split("?")[0].removesuffix(".html")
