"""Dark mode switched in place is the dark mode a reader loads.

Most pages' dark-mode checks (``test_book_pages.py``, mode ``dark``) run on the page loaded in
light mode and then switched to dark in place (``page_visit.visit_steps``): the load and the
DOM rules of axe are not repeated. That is sound only if (1) the switch gives the page the
colours a dark load gives it, and (2) the switch shows or hides nothing but the theme's own
controls, so that the light run of the DOM rules saw everything a dark reader sees. Both are
checked here: (1) on one page of each kind that is also loaded in dark mode
(``page_visit.DARK_LOADED``, which get every check in their loaded dark state), (2) on every
page.
"""

from __future__ import annotations

import re

import pytest
from book_toc import checked_pages
from page_visit import DARK_LOADED, SWITCHED

#: What the dark theme may show or hide: the mode switch's icons (one per mode) and the
#: light/dark variants of the logo. Everything else must look the same to the DOM rules.
THEME_CHROME = re.compile(r"theme-switch|only-(light|dark)|logo__image")


@pytest.mark.visit_modes("dark", SWITCHED)
@pytest.mark.parametrize("loaded_page", [p for p in DARK_LOADED if p in checked_pages()])
def test_switched_page_has_the_colours_of_a_page_loaded_dark(visit, loaded_page):
    page = loaded_page
    loaded, switched = visit(page, "dark"), visit(page, SWITCHED)
    assert (loaded.how, switched.how) == ("loaded", "switched")
    assert loaded.theme == switched.theme == "dark"
    assert loaded.text_colours, f"{page}: no text colours recorded"
    only_loaded = sorted(set(loaded.text_colours) - set(switched.text_colours))
    only_switched = sorted(set(switched.text_colours) - set(loaded.text_colours))
    assert not (only_loaded or only_switched), (
        f"{page}: text colours of the page loaded dark and switched to dark differ:\n"
        + "\n".join([f"  loaded only:   {s}" for s in only_loaded[:5]])
        + "\n"
        + "\n".join([f"  switched only: {s}" for s in only_switched[:5]])
    )
    assert [i["src"] for i in loaded.images] == [i["src"] for i in switched.images]
    assert not switched.violations  # the colour rules agree with the full run on the load


@pytest.mark.visit_modes("light", "dark", SWITCHED)
def test_switch_to_dark_shows_or_hides_only_the_theme_controls(visit, page):
    v = visit(page, SWITCHED if page in DARK_LOADED else "dark")
    assert v.how == "switched"
    other = [path for path in v.visibility_changes if not THEME_CHROME.search(path)]
    assert not other, (
        f"{page}: switching to dark showed or hid elements the light-mode DOM checks did not "
        "see as a dark reader does:\n" + "\n".join(other[:10])
    )
