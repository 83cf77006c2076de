"""One visit of one book page in one colour mode, and the visitor that makes them all.

A visit loads the page, waits for it to settle, reads what the per-page tests assert on
(``page_probes.PROBES_JS``), runs axe-core, writes a full-page screenshot when asked
(``LLMH_SCREENSHOTS``) and, in light mode, drives the page's explorables
(``explorable_driver.py``); the tests then assert on the :class:`Visit` it returns. A page's
dark-mode visit is, for most pages, its light visit switched to dark in place before the
explorables run (``visit_steps``; ``DARK_LOADED`` pages are loaded in dark mode as well, and
``test_dark_mode.py`` checks that the two agree).

The :class:`Visitor` makes every visit the selected tests need, with ONE browser: two visits
(``LLMH_BROWSER_WORKERS``, one per core) are in progress side by side. A visit is a generator
that yields a :class:`Pending` job whenever its page's renderer works on its own (loading and
settling, axe-core); the visitor drives the other visit meanwhile and resumes each as soon as
its page reports the job finished. So both cores work without a second browser.
"""

from __future__ import annotations

import base64
import os
import time
from collections import deque
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import axe_runner
from book_toc import page_id
from chromium import VIEWPORT
from explorable_driver import exercise_page
from page_probes import (
    JOB_DONE,
    LOADED_JS,
    PROBES_JS,
    SETTLE_JS,
    THEME_SWITCH_JS,
    job_result,
    start_job,
)
from request_guard import watch

#: Visits in progress side by side (one per core on the project's 2-core machines).
LANES = max(1, int(os.environ.get("LLMH_BROWSER_WORKERS", "2")))
#: The tallest screenshot (px); longer pages are cut there.
MAX_SHOT = 16_000
#: How often the visitor checks, while every visit waits on its page, whether one is done (ms).
POLL_MS = 20
_LOAD_JOB = "__llmhLoaded"


#: After this long (s) a job counts as finished anyway: collecting it then reports the error
#: (a crashed page never logs).
JOB_TIMEOUT = 180.0


@dataclass
class Pending:
    """A job running in a visit's page; ready once the page has logged that it finished."""

    page: Any
    job: str
    finished: set[str]
    deadline: float = field(default_factory=lambda: time.monotonic() + JOB_TIMEOUT)

    def ready(self) -> bool:
        return self.job in self.finished or time.monotonic() > self.deadline


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
    code_overflow: list[str] = field(default_factory=list)
    search_fields: int = 0
    monospace_outputs: list[str] = field(default_factory=list)
    heading: str | None = None
    search_results: list[str] = field(default_factory=list)
    violations: list[dict[str, Any]] = field(default_factory=list)
    #: The colour signatures of the visible text, from axe's run (``axe_runner``).
    text_colours: list[str] = field(default_factory=list)
    screenshot: Path | None = None
    explorables: int = 0
    explorable_problems: list[str] = field(default_factory=list)
    interaction_errors: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    #: How the page came to show ``mode``: "loaded" in that mode, or "switched" in place from
    #: light after the light-mode checks (``visit_steps``).
    how: str = "loaded"
    #: For a switched visit: the elements the switch showed or hid (``THEME_SWITCH_JS``).
    visibility_changes: list[str] = field(default_factory=list)


def screenshot_name(page: str, mode: str) -> str:
    return f"{page_id(page).replace('/', '__')}-{mode}.png"


def write_screenshot(page: Any, path: Path) -> Path:
    """Write a PNG of the whole page to ``path``.

    The viewport is first stretched to the page's height: a ``full_page`` capture keeps the
    layout viewport, which clips the theme's sticky sidebars. Chromium encodes the PNG with
    ``optimizeForSpeed`` (a faster zlib setting: the same pixels, a somewhat larger file),
    which halves the browser's share of the work on the long chapter pages.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(height, MAX_SHOT)})
    page.evaluate(SETTLE_JS)
    cdp = page.context.new_cdp_session(page)
    try:
        shot = cdp.send("Page.captureScreenshot", {"format": "png", "optimizeForSpeed": True})
    finally:
        cdp.detach()
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def _read_probes(visit: Visit, probes: dict[str, Any]) -> None:
    visit.theme = probes["theme"]
    visit.images, visit.svgs, visit.links = probes["images"], probes["svgs"], probes["links"]
    visit.raw_markdown, visit.heading = probes["rawMarkdown"], probes["heading"]
    visit.code_overflow, visit.search_fields = probes["codeOverflow"], probes["searchFields"]
    visit.monospace_outputs = probes["monospaceOutputs"]
    visit.search_results = probes["searchResults"]


def visit_steps(
    context: Any,
    base_url: str,
    page_path: str,
    mode: str,
    shots: Path | None,
    *,
    dark_in_place: bool = False,
) -> Generator[Pending, None, list[Visit]]:
    """Visit ``page_path`` in ``context``; yield wherever the page works on its own.

    Returns the visit in ``mode`` and, with ``dark_in_place`` (light mode only), a second,
    dark one: after the light-mode checks the page is switched to dark in place, as the
    theme's mode switch does (``THEME_SWITCH_JS``, with ``prefers-color-scheme`` emulated),
    its probes are read again and axe runs the rules a colour mode can change
    (``axe_runner.COLOUR_RULES``); then it is switched back for the explorables. That saves
    the second load and the DOM rules' second run (measured: about half of a dark visit).
    ``test_dark_mode.py`` checks, on pages of each kind loaded in dark mode too, that the
    switched page shows the same text colours as the loaded one.
    """
    page = context.new_page()
    visit = Visit(page=page_path, mode=mode, url=base_url + page_path, status=None)
    visits = [visit]
    log = watch(page, base_url)
    finished: set[str] = set()
    page.on(
        "console",
        lambda msg: (
            finished.add(msg.text.removeprefix(JOB_DONE)) if msg.text.startswith(JOB_DONE) else None
        ),
    )
    clock = [time.perf_counter()]

    def lap(target: Visit, name: str) -> None:  # Python's time on a step that blocks it
        clock.append(time.perf_counter())
        target.seconds[name] = clock[-1] - clock[-2]

    try:
        response = page.goto(visit.url, wait_until="commit")
        visit.status = response.status if response else None
        start_job(page, _LOAD_JOB, LOADED_JS, page_path.startswith("search.html?"))
        yield Pending(page, _LOAD_JOB, finished)  # the renderer loads the page, fonts, MathJax
        visit.seconds["load"] = job_result(page, _LOAD_JOB) / 1000  # the page's own clock
        clock.append(time.perf_counter())
        _read_probes(visit, page.evaluate(PROBES_JS))
        # Console errors and failed requests are the page's own up to here; from here on
        # the tests drive the page (axe-core, the screenshot's viewport). (axe's stylesheet
        # preloading, off in axe_runner.DEFAULT_OPTIONS, resolved the theme's
        # `@import "../basic.css"` against the site root: a 404 the page never makes.)
        visit.console_errors, visit.failed_requests = list(log.console_errors), list(log.failed)
        lap(visit, "probes")
        yield Pending(page, axe_runner.start(page), finished)  # the renderer runs axe-core
        axe = axe_runner.result(page)
        visit.violations, visit.seconds["axe"] = axe.violations, axe.seconds  # the page's clock
        visit.text_colours = axe.signatures
        clock.append(time.perf_counter())
        if shots is not None:
            visit.screenshot = write_screenshot(page, shots / screenshot_name(page_path, mode))
            lap(visit, "screenshot")
        if dark_in_place and mode == "light":
            dark = Visit(page_path, "dark", visit.url, visit.status, how="switched")
            visits.append(dark)
            errors_before = len(log.console_errors)
            page.emulate_media(color_scheme="dark")
            dark.visibility_changes = page.evaluate(THEME_SWITCH_JS, "dark")
            _read_probes(dark, page.evaluate(PROBES_JS))
            lap(dark, "switch")
            yield Pending(page, axe_runner.start(page, axe_runner.COLOUR_OPTIONS), finished)
            axe = axe_runner.result(page)
            dark.violations, dark.seconds["axe"] = axe.violations, axe.seconds
            dark.text_colours = axe.signatures
            dark.console_errors = visit.console_errors + log.console_errors[errors_before:]
            dark.failed_requests = list(log.failed)
            if shots is not None:
                dark.screenshot = write_screenshot(page, shots / screenshot_name(page_path, "dark"))
            page.emulate_media(color_scheme="light")
            page.evaluate(THEME_SWITCH_JS, "light")
            clock.append(time.perf_counter())
        if mode == "light":  # drive the explorables once, on the page as it is
            before = len(log.console_errors)
            visit.explorables, visit.explorable_problems = exercise_page(page)
            visit.interaction_errors = log.console_errors[before:]
            lap(visit, "explorables")
    finally:
        page.close()
    # External requests stay recorded throughout: nothing may leave the server.
    for each in visits:
        each.external_requests = list(log.external)
    return visits


#: Pages whose dark-mode checks run on the page LOADED in dark mode (every axe rule, the theme's
#: own start-up in dark mode), and which are also switched in place so that
#: ``test_dark_mode.py`` can compare the two: one page of each kind (the root, a chapter with
#: explorables and a quiz, the longest API page).
DARK_LOADED = (
    "book/intro.html",
    "notebooks/03_inside_a_decoder.html",
    "book/api/scale.html",
)
#: The mode key of a page's dark visit switched in place when its "dark" visit is a load.
SWITCHED = "dark-switched"


class Visitor:
    """Visits each (page, mode) once and keeps the :class:`Visit`.

    On first use it visits every (page, mode) the selected tests need (``plan``, made at
    collection), ``lanes`` at a time in one browser (see the module docstring). A page's dark
    visit comes from its light visit, switched in place (``visit_steps``), except for the
    pages in ``dark_loaded``, which are loaded in dark mode as well (their switched visit is
    kept under the mode ``SWITCHED``).
    """

    def __init__(
        self,
        context_for: Callable[[str], Any],
        base_url: str,
        shots: Path | None,
        plan: list[tuple[str, str]],
        lanes: int = LANES,
        dark_loaded: tuple[str, ...] = DARK_LOADED,
    ) -> None:
        self.context_for = context_for
        self.base_url = base_url
        self.shots = shots
        self.lanes = lanes
        self.dark_loaded = set(dark_loaded)
        self.switch = {page for page, mode in plan if mode in ("dark", SWITCHED)}
        self.plan = list(dict.fromkeys(self._job(key) for key in plan))
        self.cache: dict[tuple[str, str], Visit | BaseException] = {}
        self.wall = 0.0

    def _job(self, key: tuple[str, str]) -> tuple[str, str]:
        """Return the visit that records ``key``: a dark key is a light visit's switch."""
        page, mode = key
        loaded = mode == "light" or (mode == "dark" and page in self.dark_loaded)
        return key if loaded else (page, "light")

    def __call__(self, page_path: str, mode: str) -> Visit:
        key = (page_path, mode)
        if key not in self.cache:
            if mode != "light":
                self.switch.add(page_path)
            job = self._job(key)
            jobs = [j for j in self.plan if j not in self.cache]
            self.run(jobs if job in jobs else [job])
        found = self.cache[key]
        if isinstance(found, BaseException):
            raise found
        return found

    def _answers(self, job: tuple[str, str]) -> list[tuple[str, str]]:
        """Return the keys a job's visits are cached under: its own, then its dark switch's."""
        page, mode = job
        if mode == "light" and page in self.switch:
            return [job, (page, SWITCHED if page in self.dark_loaded else "dark")]
        return [job]

    def _steps(self, page_path: str, mode: str) -> Generator[Pending, None, list[Visit]]:
        context = self.context_for(mode)
        switch = len(self._answers((page_path, mode))) > 1
        return visit_steps(
            context, self.base_url, page_path, mode, self.shots, dark_in_place=switch
        )

    def _keep(self, job: tuple[str, str], found: list[Visit] | BaseException) -> None:
        """Cache what a job found under each key it answers (an error under all of them)."""
        keys = self._answers(job)
        if isinstance(found, BaseException):
            for key in keys:
                self.cache[key] = found
            return
        for key, visit in zip(keys, found, strict=True):
            self.cache[key] = visit

    def run(self, jobs: list[tuple[str, str]]) -> None:
        """Visit ``jobs``, up to ``lanes`` of them in progress at a time."""
        start = time.perf_counter()
        queue = deque(jobs)
        # Each lane: the job, its visit's steps, and what the visit waits on (None: nothing).
        lanes: list[list[Any]] = []
        while queue or lanes:
            while queue and len(lanes) < self.lanes:
                job = queue.popleft()
                try:
                    lanes.append([job, self._steps(*job), None])
                except Exception as error:  # reported by the tests of that page only
                    self._keep(job, error)
            ready = [lane for lane in lanes if lane[2] is None or lane[2].ready()]
            if not ready:  # every visit waits on its page: let Playwright deliver events
                lanes[0][2].page.wait_for_timeout(POLL_MS)
                continue
            for lane in ready:
                job, steps, _ = lane
                try:
                    lane[2] = next(steps)
                except StopIteration as done:
                    self._keep(job, done.value)
                    lanes.remove(lane)
                except Exception as error:  # reported by the tests of that page only
                    self._keep(job, error)
                    lanes.remove(lane)
        self.wall += time.perf_counter() - start

    def summary(self) -> str:
        """Return one line: visits, wall time and where the visits spent it.

        ``load`` and ``axe`` are measured by each page's own clock (they overlap with the other
        visits' steps); ``probes``, ``screenshot`` and ``explorables`` are Python's.
        """
        visits = [v for v in self.cache.values() if isinstance(v, Visit)]
        totals: dict[str, float] = {}
        for v in visits:
            for name, seconds in v.seconds.items():
                totals[name] = totals.get(name, 0.0) + seconds
        parts = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in totals.items())
        slowest = sorted(visits, key=lambda v: -sum(v.seconds.values()))[:5]
        top = ", ".join(
            f"{v.page} ({v.mode}{', switched' if v.how == 'switched' else ''}) "
            + "/".join(f"{name} {s:.1f}" for name, s in v.seconds.items() if s >= 0.5)
            for v in slowest
        )
        loads = sum(v.how == "loaded" for v in visits)
        return (
            f"{loads} page loads and {len(visits) - loads} switches to dark in place "
            f"({self.lanes} side by side, one browser) in "
            f"{self.wall:.1f} s wall; summed over the visits: {parts}; slowest: {top}"
        )
