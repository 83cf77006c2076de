"""axe-core in a loaded page: start a run, let the renderer work, collect the violations.

The axe-core build is the one ``axe-playwright-python`` ships; it is injected into the page and
run there, so that a run can be started on one page while Python drives another
(:func:`start` returns at once, :func:`result` waits for the run to finish).

Each page gets one run of axe's default rules per colour mode. The two modes are different
states of the page, not the same one twice: the colours differ (``color-contrast``,
``link-in-text-block``), the theme's mode switch shows another icon, and the dark theme
changes some layout (the quiz box, padding around figures). Restricting the dark run to the
colour rules was measured: it saves about 7% of that run's CPU time (``color-contrast`` is
almost all of it), while comparing the two states element by element, to be sure nothing else
differs, costs about as much again; so both runs are complete.
"""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from page_probes import job_result, start_job

#: axe-core impacts that fail a page.
FAILING_IMPACTS = ("serious", "critical")
#: axe's default rule set. Of the assets axe can preload, only "media" feeds a rule that runs
#: by default (``no-autoplay-audio``); the stylesheets ("cssom", re-fetched and parsed in the
#: page) feed only ``css-orientation-lock``, an experimental rule that is off by default.
DEFAULT_OPTIONS = {"resultTypes": ["violations"], "preload": {"assets": ["media"]}}
_JOB = "__llmhAxe"

# One run over the whole document with axe's default rule set (or ``options``), timed in the
# page itself so that the figure is the renderer's, not Python's.
_RUN_JS = """async (options) => {
  const started = performance.now();
  const results = await axe.run(document, options);
  return {violations: results.violations, ms: performance.now() - started};
}"""


@functools.cache
def axe_source() -> str:
    """Return axe-core's source (``axe.min.js`` of the ``axe-playwright-python`` package)."""
    spec = importlib.util.find_spec("axe_playwright_python")
    if spec is None or spec.origin is None:
        raise ImportError("axe-playwright-python is not installed", name="axe_playwright_python")
    return (Path(spec.origin).parent / "axe.min.js").read_text(encoding="utf-8")


@dataclass
class AxeResult:
    """The failing violations of one run and how long axe took in the page."""

    violations: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0


def start(page: Any, options: dict[str, Any] | None = None) -> str:
    """Inject axe-core into ``page``, start a run over the whole document; return its job name.

    ``page_probes.JOB_DONE`` + the job name is logged when the run has finished.
    """
    page.evaluate(axe_source())
    start_job(page, _JOB, _RUN_JS, options or DEFAULT_OPTIONS)
    return _JOB


def result(page: Any) -> AxeResult:
    """Wait for the run :func:`start` began; return its serious and critical violations."""
    found = job_result(page, _JOB)
    failing = [v for v in found["violations"] if v.get("impact") in FAILING_IMPACTS]
    return AxeResult(failing, found["ms"] / 1000)
