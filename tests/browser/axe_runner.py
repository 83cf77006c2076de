"""axe-core in a loaded page: start a run, let the renderer work, collect the violations.

The axe-core build is the one ``axe-playwright-python`` ships; it is injected into the page and
run there, so that a run can be started on one page while Python drives another
(:func:`start` returns at once, :func:`result` waits for the run to finish).

Each page gets every rule of axe's default set once per colour mode. The two modes are
different states of the page, not the same one twice: the colours differ (``color-contrast``,
``link-in-text-block``), the theme's mode switch shows another icon, and the dark theme
changes some layout (the quiz box, padding around figures).

``color-contrast`` runs on samples. It was 90% of axe's time, growing faster than the page
(measured in one Chromium: chapter 3, 3,500 elements, 4.1 s of its 5.6 s; the API page of the
book wing, 11,000 elements, 47 s), because axe works out each text element's backdrop from
the stack of elements under it. Its verdict for a text element depends only on the text's
colour, size and weight and on that backdrop; so the rule runs on the first three *visible*
elements of each distinct signature (colour, font size, weight, text shadow, positioning, and
the chain of backgrounds and opacities up to the first opaque ancestor:
``CONTRAST_SAMPLES_JS``; three, in case axe cannot judge one), and every other rule on the
whole document, all in one run of axe (``_RUN_JS``). Measured on the same pages, whole
visit's axe time, sampled against the rule over every element: chapter 3, 93 samples of 1,800
text elements, 2.6 s instead of 5.6; the book API page, 82 samples of 7,400, 7.3 s instead of
32; the concepts API page (36,000 elements), 25 s instead of 82. One run instead of two (the
samples had a run of their own until 2026-12-02) halved it again: 18 visits of the API pages
and chapters 3 and 15, both modes, 150 s -> 82 s summed.
``test_contrast_samples.py`` checks, on a page with planted low-contrast text and on a
chapter with injected low-contrast styles, in both modes, that the samples find every failing
signature that the rule finds over the whole document.
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
#: The rules whose verdict can change when only the colour mode changes: colours
#: (``color-contrast``, ``link-in-text-block``) and the default rule that reads the layout
#: (``scrollable-region-focusable``: the dark theme changes some padding). A page switched to
#: dark in place (``page_visit``) runs these; the others read the DOM, which the switch does
#: not change (the visit records which elements it shows or hides, and a test checks them),
#: and ran in light mode on the same page. (``target-size`` is off in axe's default set.)
COLOUR_RULES = ("color-contrast", "link-in-text-block", "scrollable-region-focusable")
COLOUR_OPTIONS = {**DEFAULT_OPTIONS, "runOnly": {"type": "rule", "values": list(COLOUR_RULES)}}

#: ``(el, styles) => string``: the colour signature of the text in ``el`` (see the module
#: docstring); ``styles`` is a Map that caches computed styles between calls.
CONTRAST_SIGNATURE_JS = """(el, styles) => {
  const style = (node) => {
    let s = styles.get(node);
    if (!s) { s = getComputedStyle(node); styles.set(node, s); }
    return s;
  };
  const parts = [];  // backgrounds and opacities up to the first opaque background
  for (let node = el; node; node = node.parentElement) {
    const s = style(node);
    if (s.opacity !== "1") parts.push("opacity " + s.opacity);
    if (s.position === "fixed" || s.position === "sticky") parts.push(s.position);
    if (s.backgroundImage !== "none") { parts.push("image " + s.backgroundImage); break; }
    const c = s.backgroundColor;
    if (c !== "rgba(0, 0, 0, 0)" && c !== "transparent") {
      parts.push(c);
      if (!c.startsWith("rgba(")) break;
    }
  }
  const s = style(el);
  return [s.color, s.fontSize, s.fontWeight, s.textShadow, s.position, s.mixBlendMode,
          parts.join(" > ")].join(" | ");
}"""

#: Elements checked per signature, so that one axe cannot judge (scrolled out of its box,
#: partly covered) does not leave the signature unchecked.
CANDIDATES = 3

#: ``() => [signature, Element[]][]``: per distinct colour signature of the page's text, its
#: first ``CANDIDATES`` visible elements.
CONTRAST_SAMPLES_JS = (
    """() => {
  const signature = ("""
    + CONTRAST_SIGNATURE_JS
    + """);
  const styles = new Map();
  const samples = new Map();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!el || !walker.currentNode.nodeValue.trim()) continue;
    if (!el.checkVisibility({visibilityProperty: true})) continue;  // closed <details> too
    const key = signature(el, styles);
    const found = samples.get(key);
    if (!found) samples.set(key, [el]);
    else if (found.length < """
    + str(CANDIDATES)
    + """ && !found.includes(el)) found.push(el);
  }
  return [...samples.entries()];
}"""
)

#: The attribute that marks the sampled elements for ``color-contrast`` during a run, and its
#: value: 31 characters or more, so that axe never uses it in the selectors it reports
#: (``target``), which must still find the element once the mark is gone.
SAMPLE_ATTRIBUTE = "data-llmh-contrast"
SAMPLE_MARK = "sampled-for-the-color-contrast-rule"

# ONE run of axe: every default rule over the whole document, ``color-contrast`` only on the
# marked samples (its selector is pointed at the attribute for the run). Each run of axe first
# builds its own model of the whole page (the flattened tree, the map of stacked elements that
# color-contrast and target-size read), which costs about as much as a cheap rule over a long
# page (measured on the serving API page: 1.3-1.7 s for ``region`` alone), so a second run
# for the samples would pay it twice. Timed in the page itself: the figure is the renderer's.
_RUN_JS = (
    """async (options) => {
  const started = performance.now();
  const groups = ("""
    + CONTRAST_SAMPLES_JS
    + """)();
  const samples = groups.map(([, elements]) => elements).flat();
  for (const el of samples) el.setAttribute("""
    + repr(SAMPLE_ATTRIBUTE)
    + ", "
    + repr(SAMPLE_MARK)
    + """);
  axe.configure({rules: [{id: "color-contrast", selector: "["""
    + SAMPLE_ATTRIBUTE
    + """]"}]});
  try {
    const found = await axe.run(document, options);
    return {violations: found.violations, samples: samples.length,
            signatures: groups.map(([signature]) => signature),
            ms: performance.now() - started};
  } finally {
    for (const el of samples) el.removeAttribute("""
    + repr(SAMPLE_ATTRIBUTE)
    + """);
    axe.reset();  // color-contrast's own selector again, for any later run in the page
  }
}"""
)


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
    samples: int = 0
    #: The colour signatures of the page's visible text (``CONTRAST_SIGNATURE_JS``).
    signatures: list[str] = field(default_factory=list)


def start(page: Any, options: dict[str, Any] | None = None) -> str:
    """Inject axe-core into ``page``, start a run (module docstring); return its job name.

    ``page_probes.JOB_DONE`` + the job name is logged when the run has finished.
    """
    page.evaluate(axe_source())
    start_job(page, _JOB, _RUN_JS, options or DEFAULT_OPTIONS)
    return _JOB


def result(page: Any) -> AxeResult:
    """Wait for the run :func:`start` began; return its serious and critical violations."""
    found = job_result(page, _JOB)
    failing = [v for v in found["violations"] if v.get("impact") in FAILING_IMPACTS]
    return AxeResult(failing, found["ms"] / 1000, found["samples"], found["signatures"])
