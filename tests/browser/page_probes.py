"""JavaScript that waits for a book page to settle and reads what it shows.

Every wait here is on a concrete condition (the load event, ``document.fonts.ready``,
MathJax's startup promise, the search page's results), never a fixed sleep; each is capped so
that a page caught mid-rebuild fails its own assertions rather than hanging the run.
"""

from __future__ import annotations

from typing import Any

#: ``until(condition, ms)``: resolves once ``condition()`` is true, checked after every DOM
#: change; rejects after ``ms``.
_UNTIL = """
const until = (condition, ms, what) => new Promise((resolve, reject) => {
  if (condition()) { resolve(true); return; }
  const observer = new MutationObserver(() => {
    if (condition()) { observer.disconnect(); clearTimeout(timer); resolve(true); }
  });
  const timer = setTimeout(() => { observer.disconnect(); reject(new Error(what)); }, ms);
  observer.observe(document, {subtree: true, childList: true, characterData: true,
                              attributes: true});
});"""

# Waits for fonts and MathJax, but never longer than 10 s.
SETTLE_JS = """async () => {
  const settle = (async () => {
    if (document.fonts && document.fonts.ready) { await document.fonts.ready; }
    const mj = window.MathJax;
    if (mj && mj.startup && mj.startup.promise) { await mj.startup.promise; }
    return true;
  })();
  const timeout = new Promise((resolve) => setTimeout(() => resolve(false), 10000));
  return Promise.race([settle, timeout]);
}"""

SEARCH_DONE_JS = """() => {
  const s = document.querySelector("#search-results .search-summary");
  return !!s && /finished|did not match/i.test(s.textContent);
}"""

# The load event, then fonts and MathJax (SETTLE_JS); on the search page also the finished
# search and each result's summary (Sphinx fetches them one by one after "finished").
# Returns how long the page took to get there (ms since its navigation started).
LOADED_JS = (
    """async (search) => {"""
    + _UNTIL
    + """
  if (document.readyState !== "complete") {
    await new Promise((resolve) => window.addEventListener("load", resolve, {once: true}));
  }
  await ("""
    + SETTLE_JS
    + """)();
  if (search) {
    await until("""
    + SEARCH_DONE_JS
    + """, 15000, "the search never finished");
    const items = () => Array.from(document.querySelectorAll("#search-results li"));
    // A result whose page has no text never gets a summary: then go on after 5 s.
    await until(() => items().every((li) => li.querySelector("p.context")), 5000, "")
      .catch(() => null);
  }
  return performance.now();
}"""
)

# Everything the per-page tests assert on, read from the page as loaded: its colour mode,
# images (lazy ones loaded first), top-level inline SVGs in the content with how a screen reader
# would name them (icons inside a button or link are named by that control and left out),
# links, Markdown that reached the page as text (a table or a code fence outside code: an
# output rendered with a Markdown flavour that lacks the syntax), the content's first heading
# and the search page's results.
PROBES_JS = r"""async () => {
  const imgs = Array.from(document.images);
  for (const img of imgs) { if (img.loading === "lazy") { img.loading = "eager"; } }
  await Promise.all(imgs.map((img) => img.complete ? null : img.decode().catch(() => null)));
  const images = imgs.map((img) => ({
    src: img.currentSrc || img.src,
    attr: img.getAttribute("src"),
    alt: img.getAttribute("alt"),
    complete: img.complete,
    naturalWidth: img.naturalWidth,
  }));

  const content = document.querySelector("main") || document.body;
  const svgs = Array.from(content.querySelectorAll("svg")).filter(
    (svg) => !svg.parentElement.closest("svg, button, a, [role=button]")).map((svg) => {
    const hidden = !!svg.closest('[aria-hidden="true"]');
    const labelledby = (svg.getAttribute("aria-labelledby") || "").split(/\s+/)
      .map((id) => id && document.getElementById(id)).filter(Boolean)
      .map((el) => el.textContent.trim()).join(" ");
    const title = Array.from(svg.children).find((c) => c.tagName.toLowerCase() === "title");
    const explorable = svg.closest("[data-explorable]");
    return {
      hidden,
      role: svg.getAttribute("role"),
      name: (svg.getAttribute("aria-label") || labelledby ||
             (title ? title.textContent : "")).trim(),
      explorable: explorable ? explorable.id : null,
      where: svg.parentElement ? svg.parentElement.className || svg.parentElement.tagName : "",
      size: svg.outerHTML.length,
    };
  });

  const links = Array.from(document.querySelectorAll("a[href]")).map((a) => ({
    href: a.href, attr: a.getAttribute("href"), cls: a.className || "",
    title: a.getAttribute("title") || a.getAttribute("data-bs-original-title") || "",
    text: a.textContent.trim(),
  }));

  const article = document.querySelector("article") || document.body;
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  // Two delimiter cells of a table ("|---|---|"; smartquotes make "---" an em dash) or a fence.
  const cell = ":?[-\u2013\u2014]+:?";
  const table = new RegExp("\\|\\s*" + cell + "\\s*\\|\\s*" + cell + "\\s*\\|");
  const fence = /^\s*(```|~~~)/m;
  const rawMarkdown = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest("pre, code, script, style, textarea, .highlight")) continue;
    const text = node.textContent;
    if (table.test(text) || fence.test(text)) rawMarkdown.push(text.trim().slice(0, 120));
  }

  // Code cells wider than their column (a horizontal scroll bar), the visible search fields,
  // and explorable outputs shown as monospace text instead of tables or figures.
  const codeOverflow = Array.from(document.querySelectorAll("div.cell_input pre"))
    .filter((pre) => pre.scrollWidth > pre.clientWidth + 1)
    .map((pre) => pre.textContent.split("\n").reduce((a, b) => (b.length > a.length ? b : a), ""));
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length) &&
    getComputedStyle(el).visibility !== "hidden";
  const searchFields = Array.from(document.querySelectorAll(
    ".search-button-field, .bd-search input[type=search]")).filter(visible).length;
  const monospaceOutputs = Array.from(document.querySelectorAll(
    "[data-explorable] [data-role=output] pre")).map((pre) => pre.textContent.slice(0, 80));

  const h1 = document.querySelector("main h1");
  return {
    theme: document.documentElement.dataset.theme || null,
    images, svgs, links, rawMarkdown, codeOverflow, searchFields, monospaceOutputs,
    heading: h1 ? h1.textContent : null,
    searchResults: Array.from(document.querySelectorAll("#search-results ul.search li a"))
      .map((a) => a.href),
  };
}"""


#: What a job started by :func:`start_job` logs (``console.debug``) when it has finished.
JOB_DONE = "llmh-job-done:"


def start_job(page: Any, name: str, function_js: str, arg: Any = None) -> None:
    """Start ``function_js(arg)`` in the page and return at once; :func:`job_result` waits.

    The page's renderer works on the job while Python drives another page; when the job has
    finished (or failed) the page logs ``JOB_DONE + name`` at the ``debug`` level.
    """
    page.evaluate(
        f"(arg) => {{ window[{name!r}] = Promise.resolve(({function_js})(arg))"
        f".finally(() => console.debug({JOB_DONE!r} + {name!r})); }}",
        arg,
    )


def job_result(page: Any, name: str) -> Any:
    """Wait for the job ``name`` started by :func:`start_job` and return its value."""
    return page.evaluate(f"() => window[{name!r}]")


#: ``(mode) => string[]``: switch the loaded page to ``mode`` ("light" or "dark") as the theme's
#: mode switch does (pydata-sphinx-theme 0.17's ``setMode``: ``data-mode``, ``data-theme``, the
#: dark dropdown menus), but without writing ``localStorage``, which the pages of one browser
#: context share (the visit side by side would load in the wrong mode). The caller emulates
#: ``prefers-color-scheme`` to match. CSS transitions are off while the styles change, so the
#: page shows its final colours at once (waiting for a transition's end hangs in a page that
#: is not in front). Returns the elements whose visibility the switch changed (what a check
#: of the page in the other mode did not see), each as ``tag#id.class < parent < ...``.
THEME_SWITCH_JS = """(mode) => {
  const all = Array.from(document.body.querySelectorAll("*"));
  const shown = (el) => el.checkVisibility({visibilityProperty: true, opacityProperty: true});
  const before = all.map(shown);
  const still = document.createElement("style");
  still.textContent = "*, *::before, *::after { transition: none !important; }";
  document.head.appendChild(still);
  const root = document.documentElement;
  root.dataset.mode = mode;
  root.dataset.theme = mode;
  document.querySelectorAll(".dropdown-menu").forEach(
    (menu) => menu.classList.toggle("dropdown-menu-dark", mode === "dark"));
  void getComputedStyle(document.body).color;  // the new styles, computed without transitions
  void document.body.offsetHeight;
  still.remove();
  void getComputedStyle(document.body).color;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (typeof el.className === "string" && el.className.trim()
      ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const path = (el) => {
    const parts = [];
    for (let node = el; node && node !== document.body && parts.length < 4;
         node = node.parentElement) parts.push(name(node));
    return parts.join(" < ");
  };
  return all.filter((el, i) => shown(el) !== before[i]).map(path);
}"""
