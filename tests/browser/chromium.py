"""The headless Chromium the browser tests and the metrics script drive, and how they start it.

``LLMH_CHROMIUM`` names the executable (default ``/usr/bin/chromium``, else ``chromium`` on
``PATH``); Playwright's own ``playwright install`` is not needed. One browser serves a whole
test session; each colour mode gets its own context:

* light: what a first-time reader gets, with the system set to light;
* dark: ``localStorage.mode = "dark"`` as the theme's switch stores it, with the system set to
  dark.
"""

from __future__ import annotations

from typing import Any

from llmhistory.book.pdf import find_chromium  # one home: make pdf needs it too

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
#: A common laptop screen: the width at which code cells must fit the column (issue 12).
VIEWPORT = {"width": 1366, "height": 900}
MODES = ("light", "dark")
DARK_MODE_JS = (
    "try { localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark'); } "
    "catch (e) {}"
)


def launch(playwright: Any, executable: str | None = None) -> Any:
    """Start headless Chromium with the suite's flags; raise when there is none."""
    executable = executable or find_chromium()
    if executable is None:
        raise FileNotFoundError(f"Chromium not found: {INSTALL_CHROMIUM}")
    return playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)


def new_context(browser: Any, mode: str = "light") -> Any:
    """Return a browser context showing the book in ``mode`` (see the module docstring)."""
    if mode not in MODES:
        raise ValueError(f"unknown colour mode {mode!r}; expected one of {MODES}")
    context = browser.new_context(viewport=VIEWPORT, color_scheme=mode)
    if mode == "dark":
        context.add_init_script(DARK_MODE_JS)
    return context
