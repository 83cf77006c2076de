"""One visit of one book page in one colour mode, and the visitor that makes them all.

A visit loads the page, waits for it to settle, reads what the per-page tests assert on
(``page_probes.PROBES_JS``), runs axe-core, writes a full-page screenshot when asked
(``LLMH_SCREENSHOTS``) and, in light mode, drives the page's explorables
(``explorable_driver.py``); the tests then assert on the :class:`Visit` it returns.

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
from page_probes import JOB_DONE, LOADED_JS, PROBES_JS, SETTLE_JS, job_result, start_job
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
    screenshot: Path | None = None
    explorables: int = 0
    explorable_problems: list[str] = field(default_factory=list)
    interaction_errors: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


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


def visit_steps(
    context: Any, base_url: str, page_path: str, mode: str, shots: Path | None
) -> Generator[Pending, None, Visit]:
    """Visit ``page_path`` in ``context``; yield wherever the page works on its own."""
    page = context.new_page()
    visit = Visit(page=page_path, mode=mode, url=base_url + page_path, status=None)
    log = watch(page, base_url)
    finished: set[str] = set()
    page.on(
        "console",
        lambda msg: (
            finished.add(msg.text.removeprefix(JOB_DONE)) if msg.text.startswith(JOB_DONE) else None
        ),
    )
    clock = [time.perf_counter()]

    def lap(name: str) -> None:  # Python's time on a step that blocks it
        clock.append(time.perf_counter())
        visit.seconds[name] = clock[-1] - clock[-2]

    try:
        response = page.goto(visit.url, wait_until="commit")
        visit.status = response.status if response else None
        start_job(page, _LOAD_JOB, LOADED_JS, page_path.startswith("search.html?"))
        yield Pending(page, _LOAD_JOB, finished)  # the renderer loads the page, fonts, MathJax
        visit.seconds["load"] = job_result(page, _LOAD_JOB) / 1000  # the page's own clock
        clock.append(time.perf_counter())
        probes = page.evaluate(PROBES_JS)
        visit.theme = probes["theme"]
        visit.images, visit.svgs, visit.links = probes["images"], probes["svgs"], probes["links"]
        visit.raw_markdown, visit.heading = probes["rawMarkdown"], probes["heading"]
        visit.code_overflow, visit.search_fields = probes["codeOverflow"], probes["searchFields"]
        visit.monospace_outputs = probes["monospaceOutputs"]
        visit.search_results = probes["searchResults"]
        # Console errors and failed requests are the page's own up to here; from here on
        # the tests drive the page (axe-core, the screenshot's viewport). (axe's stylesheet
        # preloading, off in axe_runner.DEFAULT_OPTIONS, resolved the theme's
        # `@import "../basic.css"` against the site root: a 404 the page never makes.)
        visit.console_errors, visit.failed_requests = list(log.console_errors), list(log.failed)
        lap("probes")
        yield Pending(page, axe_runner.start(page), finished)  # the renderer runs axe-core
        axe = axe_runner.result(page)
        visit.violations, visit.seconds["axe"] = axe.violations, axe.seconds  # the page's clock
        clock.append(time.perf_counter())
        if shots is not None:
            visit.screenshot = write_screenshot(page, shots / screenshot_name(page_path, mode))
            lap("screenshot")
        if mode == "light":  # drive the explorables once, on the page as it is
            before = len(log.console_errors)
            visit.explorables, visit.explorable_problems = exercise_page(page)
            visit.interaction_errors = log.console_errors[before:]
            lap("explorables")
    finally:
        page.close()
    # External requests stay recorded throughout: nothing may leave the server.
    visit.external_requests = list(log.external)
    return visit


class Visitor:
    """Visits each (page, mode) once and keeps the :class:`Visit`.

    On first use it visits every (page, mode) the selected tests need (``plan``, made at
    collection), ``lanes`` at a time in one browser (see the module docstring).
    """

    def __init__(
        self,
        context_for: Callable[[str], Any],
        base_url: str,
        shots: Path | None,
        plan: list[tuple[str, str]],
        lanes: int = LANES,
    ) -> None:
        self.context_for = context_for
        self.base_url = base_url
        self.shots = shots
        self.plan = plan
        self.lanes = lanes
        self.cache: dict[tuple[str, str], Visit | BaseException] = {}
        self.wall = 0.0

    def __call__(self, page_path: str, mode: str) -> Visit:
        key = (page_path, mode)
        if key not in self.cache:
            jobs = [job for job in self.plan if job not in self.cache]
            self.run(jobs if key in jobs else [key])
        found = self.cache[key]
        if isinstance(found, BaseException):
            raise found
        return found

    def _steps(self, page_path: str, mode: str) -> Generator[Pending, None, Visit]:
        context = self.context_for(mode)
        return visit_steps(context, self.base_url, page_path, mode, self.shots)

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
                    self.cache[job] = error
            ready = [lane for lane in lanes if lane[2] is None or lane[2].ready()]
            if not ready:  # every visit waits on its page: let Playwright deliver events
                lanes[0][2].page.wait_for_timeout(POLL_MS)
                continue
            for lane in ready:
                job, steps, _ = lane
                try:
                    lane[2] = next(steps)
                except StopIteration as done:
                    self.cache[job] = done.value
                    lanes.remove(lane)
                except Exception as error:  # reported by the tests of that page only
                    self.cache[job] = error
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
            f"{v.page} ({v.mode}) "
            + "/".join(f"{name} {s:.1f}" for name, s in v.seconds.items() if s >= 0.5)
            for v in slowest
        )
        return (
            f"{len(visits)} page visits ({self.lanes} side by side, one browser) in "
            f"{self.wall:.1f} s wall; summed over the visits: {parts}; slowest: {top}"
        )
