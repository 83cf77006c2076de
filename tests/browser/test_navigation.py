"""Moving through the built book: prev/next links, search, launch and download buttons."""

from __future__ import annotations

import json
import urllib.request
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from book_toc import SEARCH_PAGE, SEARCH_QUERY
from page_probes import SEARCH_DONE_JS

from llmhistory.book.launch import READER_DIR

KV_CACHE_PAGE = "notebooks/09_serving_kv_cache.html"


def _path(url: str, base_url: str) -> str:
    """Return a page URL as its path in the build (``notebooks/x.html``), without the anchor."""
    return urlsplit(url).path.removeprefix(urlsplit(base_url).path)


def _follow(visit: Any, base_url: str, start: str, link: str, limit: int) -> list[str]:
    """Follow the ``a.<link>`` (``right-next`` / ``left-prev``) of each page from ``start``.

    Uses the links each page showed when it was visited: the theme's prev/next anchors are
    plain ``<a href>`` with no script behind them, so following ``href`` is what a click does
    (``test_prev_next_links_navigate_when_clicked`` clicks them for real). Returns the pages in
    the order reached, ``start`` included; stops at a page without such a link.
    """
    seen = [start]
    while len(seen) <= limit:  # one step more than the toc has would reveal a stray link
        hrefs = [
            a["href"]
            for a in visit(seen[-1], "light").links
            if link in a["cls"].split() and a["href"].startswith(base_url)
        ]
        if not hrefs:
            break
        seen.append(_path(hrefs[0], base_url))
    return seen


def test_prev_next_links_walk_the_toc_in_order_and_back(visit, base_url, toc_order):
    forward = _follow(visit, base_url, toc_order[0], "right-next", len(toc_order))
    backward = _follow(visit, base_url, toc_order[-1], "left-prev", len(toc_order))
    assert forward == toc_order, "following 'next' from the root:\n" + "\n".join(forward)
    assert backward == toc_order[::-1], "following 'previous' back:\n" + "\n".join(backward)


def test_prev_next_links_navigate_when_clicked(light, base_url, toc_order):
    """From the site's index (a redirect to the root) click 'next', then 'previous'."""
    if len(toc_order) < 2:
        pytest.skip("the toc has a single page")
    page = light.new_page()
    try:
        page.goto(base_url, wait_until="domcontentloaded")
        page.wait_for_url(base_url + toc_order[0])
        with page.expect_navigation(wait_until="domcontentloaded"):
            page.locator(".prev-next-area a.right-next").click()
        after_next = _path(page.url, base_url)
        with page.expect_navigation(wait_until="domcontentloaded"):
            page.locator(".prev-next-area a.left-prev").click()
        after_prev = _path(page.url, base_url)
    finally:
        page.close()
    assert (after_next, after_prev) == (toc_order[1], toc_order[0])


def _search(light: Any, base_url: str, query: str) -> list[str]:
    """Return the result pages (build paths) of the book's search page for ``query``."""
    page = light.new_page()
    try:
        page.goto(f"{base_url}search.html?q={query}", wait_until="load")
        page.wait_for_function(SEARCH_DONE_JS, timeout=15_000)
        hrefs = page.locator("#search-results ul.search li a").evaluate_all(
            "links => links.map((a) => a.href)"
        )
    finally:
        page.close()
    return [_path(h, base_url) for h in hrefs]


@pytest.mark.visits(SEARCH_PAGE)
def test_search_finds_the_kv_cache_chapter(visit, base_url, toc_order):
    """The search page's visit searched for "PagedAttention"; its results are checked here."""
    if KV_CACHE_PAGE not in toc_order:
        pytest.skip(f"{KV_CACHE_PAGE} is not in the toc yet")
    assert SEARCH_QUERY == "PagedAttention"
    results = [_path(h, base_url) for h in visit(SEARCH_PAGE, "light").search_results]
    assert KV_CACHE_PAGE in results, f"search for {SEARCH_QUERY!r} found: {results}"


@pytest.mark.visits("root")
def test_search_finds_the_root_page_by_its_title(visit, light, base_url, toc_order):
    heading = visit(toc_order[0], "light").heading
    assert heading is not None, f"{toc_order[0]} has no <h1> in <main>"
    title = heading.strip().rstrip("#¶ ")
    words = [w for w in title.split() if len(w) > 3][:3]
    assert words, f"the root page's title {title!r} has no word to search for"
    results = _search(light, base_url, "+".join(words))
    assert toc_order[0] in results, f"search for {words} found: {results}"


# ---- launch and download buttons on notebook pages ----------------------------------------------
def _repository(config: dict) -> tuple[str, str, str]:
    """Return ``(owner/name, branch, path_to_book prefix)`` from ``_config.yml``."""
    repo = config["repository"]
    url = repo["url"].rstrip("/").removesuffix(".git")
    owner_name = "/".join(urlsplit(url).path.strip("/").split("/")[:2])
    prefix = (repo.get("path_to_book") or "").strip("/")
    return owner_name, repo.get("branch", "main"), f"{prefix}/" if prefix else ""


def test_launch_and_download_links_point_at_the_notebook(visit, base_url, notebook_page, config):
    if notebook_page == "(no build)":
        pytest.fail("build the book first: make build-strict", pytrace=False)
    source = notebook_page.removesuffix(".html") + ".ipynb"  # notebooks/NN_slug.ipynb
    owner_name, branch, prefix = _repository(config)
    launch = config.get("launch_buttons", {})
    expected = {"Suggest edit": f"https://github.com/{owner_name}/edit/{branch}/{prefix}{source}"}
    if launch.get("binderhub_url"):
        expected["Launch on Binder"] = (
            f"{launch['binderhub_url'].rstrip('/')}/v2/gh/{owner_name}/{branch}"
            f"?urlpath=tree/{prefix}{source}"
        )
    if launch.get("colab_url"):  # a chapter's Colab link opens its reader copy (book.launch)
        copy = f"{READER_DIR}/{source}" if source.startswith("notebooks/") else source
        expected["Launch on Colab"] = (
            f"{launch['colab_url'].rstrip('/')}/github/{owner_name}/blob/{branch}/{prefix}{copy}"
        )
    links = visit(notebook_page, "light").links
    by_title: dict[str, list[str]] = {}
    for link in links:
        by_title.setdefault(link["title"], []).append(link["href"])
    problems = []
    for title, href in expected.items():
        if by_title.get(title) != [href]:
            problems.append(f"{title}: found {by_title.get(title)}, expected [{href!r}]")
    downloads = [link["href"] for link in links if "btn-download-source-button" in link["cls"]]
    want = urljoin(base_url, f"_sources/{source}")
    if downloads != [want]:
        problems.append(f"download: found {downloads}, expected [{want!r}]")
    else:
        with urllib.request.urlopen(want, timeout=10) as response:  # the local server
            notebook = json.loads(response.read().decode("utf-8"))
        if "cells" not in notebook or notebook.get("nbformat") != 4:
            problems.append(f"download: {want} is not an nbformat 4 notebook")
    assert not problems, f"{notebook_page}:\n" + "\n".join(problems)
