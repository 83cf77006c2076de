"""Sphinx extension: every page of the book loads offline, with no console error, and passes axe.

Requests
    - MathJax is served from ``_static/mathjax`` (copied from the npm package at build time by
      ``make vendor``) instead of a CDN; a missing copy stops the build with a message saying
      how to get it.
    - sphinx-thebe (added by Jupyter Book) is removed: the book has no live-code button, and its
      snippet names a CDN URL and is emitted twice, which logs a console error on every page.
    - ipywidgets' CDN loaders (require.js, html-manager) are never added: explorables render from
      their precomputed static HTML on the page (see ``llmhistory.book.explore``).
    - A favicon (``book/_static/favicon.svg``) is set when ``html.favicon`` is not: without one
      every page logs ``Failed to load resource: 404`` for ``/favicon.ico``.

MathJax
    - Unless the configuration sets ``mathjax3_config``, MathJax loads its ``textmacros``
      extension (served from the same local copy) so that ``\\text{kv\\_heads}`` shows
      ``kv_heads`` as LaTeX does, instead of a literal backslash.

Console
    - The theme's first-paint script reads ``html_context["default_mode"]``, which Jupyter Book
      leaves empty, and logs ``Got invalid theme mode:`` on every page of a first visit; it is
      set to ``"auto"`` (follow the reader's system setting) unless the configuration sets it.

Accessibility (axe-core, checked by ``tests/browser``)
    - Docutils writes the bibliography as ``div[role=list] > div[role=doc-biblioentry]``. That
      DPUB role is deprecated and is not a list item, so axe reports ``aria-required-children``
      (critical) on the references page; the entries get ``role="listitem"`` instead.
    - ``book/_static/llmhistory.css`` holds the book's CSS fixes (each rule says which axe rule
      or screenshot problem it fixes); it is added to every page here.
"""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError

MATHJAX_ENTRY = "mathjax/tex-mml-chtml.js"
STATIC = Path(__file__).resolve().parent.parent / "_static"
FAVICON = STATIC / "favicon.svg"
CSS_FILE = "llmhistory.css"


def _check_mathjax(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    for static in app.config.html_static_path:
        if (Path(app.confdir) / static / MATHJAX_ENTRY).exists():
            return
    raise ConfigError(
        f"MathJax is missing: no {MATHJAX_ENTRY} under html_static_path "
        f"{list(app.config.html_static_path)}. The book serves MathJax itself so that pages "
        "make no third-party request. Run `make vendor` (it needs npm and the npm registry) "
        "to fetch the pinned mathjax package."
    )


def _is_thebe(asset: object) -> bool:
    """Return True for sphinx-thebe's script/CSS (by file name or by its inline body)."""
    name = str(getattr(asset, "filename", asset))
    body = str(getattr(asset, "attributes", {}).get("body", ""))
    return "thebe" in name or "THEBE_JS_URL" in body


#: MathJax 3 configuration used when the book sets none: LaTeX escapes inside ``\text{}``.
MATHJAX_CONFIG = {
    "loader": {"load": ["[tex]/textmacros"]},
    "tex": {"packages": {"[+]": ["textmacros"]}},
}


def _on_config_inited(app: Sphinx, config: Config) -> None:  # noqa: ARG001
    if "mathjax3_config" in config and config.mathjax3_config is None:
        config.mathjax3_config = {key: dict(value) for key, value in MATHJAX_CONFIG.items()}
    if not config.html_favicon and FAVICON.exists():
        config.html_favicon = str(FAVICON)
    context = dict(config.html_context or {})
    context.setdefault("default_mode", "auto")
    config.html_context = context


def _on_builder_inited(app: Sphinx) -> None:
    _check_mathjax(app)


def _on_page_context(app, pagename, templatename, context, doctree):  # noqa: ARG001
    for key in ("script_files", "css_files"):
        assets = context.get(key)
        if assets is not None:
            context[key] = [a for a in assets if not _is_thebe(a)]
    body = context.get("body")
    if isinstance(body, str) and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


FONTAWESOME_JS = re.compile(
    r'\s*<script (?:defer )?src="[^"]*_static/scripts/fontawesome\.js[^"]*"(?: defer)?></script>'
)


def _drop_fontawesome_js(app: Sphinx, exception: Exception | None) -> None:
    """Remove the theme's 1.5 MB ``fontawesome.js`` from every page.

    (pydata-sphinx-theme 0.16 writes ``<script src=...>``, 0.17 ``<script defer src=...>``.)

    pydata-sphinx-theme loads it only "so that users can add custom icons"; the icons the
    book uses come from the Font Awesome webfonts its stylesheet already declares. Dropping
    it cuts every page's weight by 1.5 MB (0.4 MB compressed).
    """
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = FONTAWESOME_JS.sub("", text)
        if new != text:
            page.write_text(new, encoding="utf-8")
    for name in ("fontawesome.js", "fontawesome.js.map", "fontawesome.js.LICENSE.txt"):
        (outdir / "_static" / "scripts" / name).unlink(missing_ok=True)


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _on_config_inited, priority=900)
    app.connect("builder-inited", _on_builder_inited, priority=900)
    app.connect("html-page-context", _on_page_context, priority=900)
    app.connect("build-finished", _drop_fontawesome_js)
    if (STATIC / CSS_FILE).exists():
        app.add_css_file(CSS_FILE)
    return {"version": "1.1", "parallel_read_safe": True, "parallel_write_safe": True}
