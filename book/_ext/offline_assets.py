"""Sphinx extension: make every page of the book load with no request outside the site.

- MathJax is served from ``_static/mathjax`` (copied from the npm package at build time by
  ``make vendor``) instead of a CDN; a missing copy stops the build with a message saying how
  to get it.
- sphinx-thebe (added by Jupyter Book) is removed: the book has no live-code button, and its
  snippet names a CDN URL and is emitted twice, which logs a console error on every page.
- ipywidgets' CDN loaders (require.js, html-manager) are never added: explorables render from
  their precomputed static HTML on the page (see ``llmhistory.explore``).
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ConfigError

MATHJAX_ENTRY = "mathjax/tex-mml-chtml.js"


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


def _drop_thebe(app: Sphinx) -> None:
    registry = app.registry
    registry.js_files = [
        (name, attrs)
        for name, attrs in registry.js_files
        if not (name == "sphinx-thebe.js" or "THEBE_JS_URL" in str(attrs.get("body", "")))
    ]
    registry.css_files = [
        (name, attrs) for name, attrs in registry.css_files if "thebe" not in str(name)
    ]


def _on_builder_inited(app: Sphinx) -> None:
    _check_mathjax(app)
    _drop_thebe(app)
    builder = app.builder
    for attr in ("script_files", "_js_files"):
        files = getattr(builder, attr, None)
        if files is not None:
            files[:] = [
                f
                for f in files
                if "thebe" not in str(getattr(f, "filename", f))
                and "THEBE_JS_URL" not in str(getattr(f, "attributes", {}).get("body", ""))
            ]


def _on_page_context(app, pagename, templatename, context, doctree):  # noqa: ARG001
    scripts = context.get("script_files")
    if scripts is not None:
        context["script_files"] = [
            s
            for s in scripts
            if "thebe" not in str(getattr(s, "filename", s))
            and "THEBE_JS_URL" not in str(getattr(s, "attributes", {}).get("body", ""))
        ]


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", _on_builder_inited, priority=900)
    app.connect("html-page-context", _on_page_context, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
