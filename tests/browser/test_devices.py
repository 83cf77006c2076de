"""The book on a phone (390 px), a tablet (800 px) and a laptop (1366 px): navigation and figures.

Navigation (issue 12): with pydata-sphinx-theme 0.17 the visible ☰ on a phone bound no handler
(a second, hidden ``.primary-toggle`` got it; pydata-sphinx-theme issue 2451), the contents
button likewise, and on a desktop ☰ did not collapse the sidebar. The book pins
sphinx-book-theme 1.2 with pydata-sphinx-theme 0.16.1 (one ``.primary-toggle``; sphinx-book-theme
collapses the sidebar on wide screens). These tests tap through the drawer as a reader would:
open it, follow a chapter link, open the page contents and follow a section link; on a laptop
the ☰ hides and shows the sidebar.

Figures: every figure of a chapter is an SVG (vector, sharp on any screen) whose root records
its smallest text size (``data-min-font-pt``, written by ``llmhistory.concepts.figures``);
shown in a phone's column, that text must be at least ``MIN_TEXT_PX`` CSS pixels. The figure
carries its own white paper, so it reads the same on the light and the dark page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from book_toc import notebook_pages, screenshot_dir
from playwright.sync_api import expect

#: The smallest rendered text (CSS px) a figure may show on a phone.
MIN_TEXT_PX = 7.5
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 800, "height": 1024}
START = "notebooks/03_inside_a_decoder.html"
NEXT_CHAPTER = "notebooks/05_scaling_laws.html"
SVG_SIZE = re.compile(r'<svg\b[^>]*?\bwidth=\\?"([\d.]+)pt\\?"')
MIN_FONT = re.compile(r'data-min-font-pt=\\?"([\d.]+)\\?"')
IMG_SRC = re.compile(r'<img[^>]*\bsrc="([^"]*_images/[^"]+)"')


@pytest.fixture(scope="module")
def device(browser: Any) -> Iterator[Any]:
    """``device(viewport)``: a new touch-screen context of that size (closed after the module)."""
    contexts = []

    def make(viewport: dict[str, int]) -> Any:
        phone = viewport["width"] < 600
        context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=True)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def _press(locator: Any, touch: bool) -> None:
    locator.tap() if touch else locator.click()


@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["390px", "800px"])
def test_drawer_and_page_contents_work_on_touch_screens(device, base_url, book_dir, viewport):
    page = device(viewport).new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(base_url + START, wait_until="load")
    toggle = page.locator(".primary-toggle:visible")
    expect(toggle).to_have_count(1)
    _press(toggle, True)
    drawer = page.locator("#pst-primary-sidebar-modal")
    expect(drawer).to_have_attribute("open", "")
    link = drawer.locator(f'a.reference.internal[href$="{NEXT_CHAPTER.split("/")[-1]}"]').first
    expect(link).to_be_visible()
    if viewport is PHONE:
        page.screenshot(path=str(screenshot_dir() / "phone-390-drawer.png"))
    with page.expect_navigation(wait_until="load"):
        _press(link, True)
    assert page.url == base_url + NEXT_CHAPTER

    contents = page.locator(".secondary-toggle:visible")
    expect(contents).to_have_count(1)
    _press(contents, True)
    panel = page.locator("#pst-secondary-sidebar-modal")
    expect(panel).to_have_attribute("open", "")
    sections = panel.locator("a.nav-link[href^='#']")
    assert sections.count() >= 3, "the page contents list fewer than 3 sections"
    target = sections.nth(1).get_attribute("href")
    _press(sections.nth(1), True)
    page.wait_for_function("(hash) => location.hash === hash", arg=target)
    if viewport is PHONE:
        page.keyboard.press("Escape")
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(screenshot_dir() / "phone-390-chapter4.png"), full_page=False)
        page.screenshot(path=str(screenshot_dir() / "phone-390-chapter4-full.png"), full_page=True)
    assert not errors, errors
    page.close()


def test_menu_button_collapses_the_sidebar_on_a_laptop(light, base_url):
    page = light.new_page()
    page.goto(base_url + START, wait_until="load")
    sidebar = page.locator("#pst-primary-sidebar")
    expect(sidebar).to_be_visible()
    toggle = page.locator(".primary-toggle:visible")
    expect(toggle).to_have_count(1)
    toggle.click()
    expect(sidebar).to_be_hidden()
    expect(page.locator("#pst-primary-sidebar-modal")).not_to_have_attribute("open", "")
    toggle.click()
    expect(sidebar).to_be_visible()
    page.close()


@pytest.fixture(scope="module")
def phone_column_px(device, base_url) -> float:
    """The width (CSS px) of a chapter's output column on a 390 px phone."""
    page = device(PHONE).new_page()
    page.goto(base_url + START, wait_until="load")
    width = page.evaluate("document.querySelector('div.cell_output').clientWidth")
    page.close()
    return float(width)


def _figures(book_dir: Path, page: str) -> list[tuple[str, str]]:
    """Return ``(where, svg)`` for each figure of a built page: the SVG text of every content
    image (``_images/``; "" when it is not an SVG) and the opening tag of every inline SVG
    figure, explorable states included."""
    html = (book_dir / page).read_text(encoding="utf-8")
    found = []
    for src in IMG_SRC.findall(html):
        path = (book_dir / page).parent / src
        found.append((src, path.read_text(encoding="utf-8") if src.endswith(".svg") else ""))
    tags = [tag for tag in re.findall(r"<svg\b[^>]*>", html) if "data-min-font-pt" in tag]
    found += [(f"inline svg {i}", tag) for i, tag in enumerate(tags)]
    return found


def test_every_figure_is_vector_and_legible_on_a_phone(book_dir, phone_column_px):
    assert 300 < phone_column_px < 390, phone_column_px
    problems = []
    for page in notebook_pages():
        for where, svg in _figures(book_dir, page):
            if not svg:
                problems.append(f"{page}: {where} is not an SVG")
                continue
            width, smallest = SVG_SIZE.search(svg), MIN_FONT.search(svg)
            if not (width and smallest):
                problems.append(f"{page}: {where} has no width in pt or data-min-font-pt")
                continue
            width_pt, font_pt = float(width.group(1)), float(smallest.group(1))
            shown_px = min(phone_column_px, width_pt * 4 / 3)  # never enlarged beyond 1:1
            text_px = font_pt * 4 / 3 * shown_px / (width_pt * 4 / 3)
            if text_px < MIN_TEXT_PX:
                problems.append(f"{page}: {where}: smallest text {text_px:.1f} px on a phone")
            if not where.startswith("inline") and "fill: #ffffff" not in svg[:3000]:
                problems.append(f"{page}: {where} has no white paper (unreadable on a dark page)")
    assert not problems, "\n".join(problems)
