"""Check the built book's internal links offline: relative links resolve, #anchors exist.

Usage: python scripts/linkcheck.py [_build/html] [--list-external]

Reads every page (``.html`` outside ``_static``/``_sources``) of the build folder and checks
each ``href``/``src`` (``a``, ``link``, ``area``, SVG ``use``; ``img``, ``script``, ``iframe``,
``source``, ``embed``, ``audio``, ``video``, ``track``; ``object[data]``) that is not an
absolute URL:

* the path (without query) names a file in the build (a folder means its ``index.html``) and
  stays inside the build;
* a ``#fragment`` on an HTML target names an ``id`` (or ``<a name>``) in that file; a bare
  ``#fragment`` names one in the same file.

External links (``http:``, ``https:``, ``mailto:``, ...) are not fetched: the book is checked
offline, and readers' browsers make no third-party request anyway (``tests/browser``).
``--list-external`` prints them with their counts. Exits 1 and lists each broken link (file,
element, attribute, value, reason) if any is broken, else prints a one-line summary.
Uses only the standard library.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

LINK_ATTRS = {
    "a": ("href",),
    "link": ("href",),
    "area": ("href",),
    "use": ("href", "xlink:href"),
    "img": ("src",),
    "script": ("src",),
    "iframe": ("src",),
    "source": ("src",),
    "embed": ("src",),
    "audio": ("src",),
    "video": ("src", "poster"),
    "track": ("src",),
    "object": ("data",),
}


@dataclass(frozen=True)
class Link:
    """One link found in a page: where it is and what it points at."""

    page: Path
    line: int
    tag: str
    attr: str
    value: str


@dataclass(frozen=True)
class Broken:
    """A link that does not resolve, and why."""

    link: Link
    reason: str

    def __str__(self) -> str:
        link = self.link
        return f'{link.page}:{link.line}: <{link.tag} {link.attr}="{link.value}"> {self.reason}'


class _PageParser(HTMLParser):
    """Collects a page's ids/names and its links."""

    def __init__(self, page: Path) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.ids: set[str] = set()
        self.links: list[Link] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        for attr in LINK_ATTRS.get(tag, ()):
            if attr in values:
                line, _ = self.getpos()
                self.links.append(Link(self.page, line, tag, attr, values[attr].strip()))

    handle_startendtag = handle_starttag


def parse(page: Path) -> _PageParser:
    """Return the parsed page (its ``ids`` and ``links``)."""
    parser = _PageParser(page)
    parser.feed(page.read_text(encoding="utf-8", errors="replace"))
    parser.close()
    return parser


def is_external(value: str) -> bool:
    """Return True for absolute URLs (any scheme, or ``//host``), which are not checked."""
    return bool(urlsplit(value).scheme) or value.startswith("//")


def html_pages(build: Path) -> list[Path]:
    """Return the book's pages: every ``.html`` file except those under ``_static``/``_sources``.

    (Themes copy Jinja macro files named ``*.html`` into ``_static``; they are not pages.)
    """
    return [
        page
        for page in sorted(build.rglob("*.html"))
        if not {"_static", "_sources"} & set(page.relative_to(build).parts[:-1])
    ]


def check_build(build: Path) -> tuple[list[Broken], int, Counter]:
    """Return ``(broken links, internal links checked, external URLs with counts)``.

    Parameters
    ----------
    build : Path
        The built HTML folder (``_build/html``).
    """
    build = build.resolve()
    pages = {page.resolve(): parse(page) for page in html_pages(build)}
    broken: list[Broken] = []
    external: Counter = Counter()
    checked = 0
    for page, parsed in pages.items():
        for link in parsed.links:
            value = link.value
            if not value or value == "#" or value.startswith("javascript:"):
                continue
            if is_external(value):
                external[value] += 1
                continue
            checked += 1
            parts = urlsplit(value)
            fragment = unquote(parts.fragment)
            if parts.path:
                target = (page.parent / unquote(parts.path)).resolve()
                if target.is_dir():
                    target = target / "index.html"
                if build not in target.parents and target != build:
                    broken.append(Broken(link, "points outside the build"))
                    continue
                if not target.is_file():
                    broken.append(Broken(link, f"missing file {target.relative_to(build)}"))
                    continue
            else:
                target = page
            if fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else parse(target).ids
                if fragment not in ids:
                    where = target.relative_to(build)
                    broken.append(Broken(link, f"no id {fragment!r} in {where}"))
    return broken, checked, external


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", nargs="?", default="_build/html", type=Path)
    parser.add_argument("--list-external", action="store_true", help="print external URLs")
    args = parser.parse_args(argv)
    if not (args.build / "index.html").exists():
        print(f"no {args.build}/index.html: build the book first (make build-strict)")
        return 1
    broken, checked, external = check_build(args.build)
    pages = len(html_pages(args.build.resolve()))
    if args.list_external:
        for url, count in sorted(external.items()):
            print(f"{count:4d}  {url}")
    for item in broken:
        print(item)
    print(
        f"linkcheck: {pages} pages, {checked} internal links checked, {len(broken)} broken; "
        f"{len(external)} distinct external URLs not fetched"
    )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
