"""Sphinx extension: typeset the book's maths at build time, so that pages load no MathJax.

Why
    MathJax's browser bundle (``tex-mml-chtml.js``) is 1.17 MB before its fonts, and
    myst-nb adds it to every page, maths or not (it sets Sphinx's ``html_assets_policy`` to
    ``"always"``). With it, the heaviest chapter weighed 2.9 MB as stored. Rendering each
    formula once, at build time, to SVG costs a few kB per formula and nothing on pages
    without maths.

How
    After the HTML build (``build-finished``) every ``<span|div class="math ...">`` that Sphinx
    wrote (``\\(...\\)`` inline, ``\\[...\\]`` display; a numbered equation's ``div`` carries its
    ``id="equation-<label>"`` and starts with ``<span class="eqno">(14.1)...</span>``, which is
    kept, so ``{eq}`` references still land on it and show its number; a MyST ``amsmath``
    environment is written without delimiters) is sent, once per distinct formula, to
    MathJax 3 running in Node.js (the same pinned npm package ``make vendor`` fetches, in
    ``.cache/npm/node_modules/mathjax``; ``LLMH_MATHJAX_NODE`` names another copy). The
    formula's element keeps its tag and classes and holds MathJax's SVG plus a hidden MathML
    copy for screen readers (``a11y/assistive-mml``). The MathJax ``<script>`` tags are then
    removed from every page and MathJax's small SVG stylesheet is written to
    ``_static/mathjax-svg.css``. The configuration is the book's ``mathjax3_config``
    (``textmacros``: ``\\text{kv\\_heads}`` reads ``kv_heads``).

A formula MathJax cannot parse stops the build with the page and the TeX; a missing Node.js
or MathJax package stops it with how to get them.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

CSS_FILE = "mathjax-svg.css"
#: A formula's element as Sphinx's HTML writer (sphinx.ext.mathjax) leaves it: the body is
#: ``\(tex\)`` (inline), ``\[tex\]`` (display) or, with class ``amsmath``, a bare environment;
#: a numbered display equation has its ``<span class="eqno">`` (number and permalink) first.
MATH = re.compile(
    r'(?P<open><(?P<tag>span|div) class="math notranslate nohighlight(?P<ams> amsmath)?"[^>]*>)'
    r'\s*(?P<eqno><span class="eqno">[^<]*(?:<a\b[^>]*>[^<]*</a>)?\s*</span>)?'
    r"(?P<body>.*?)(?P<close></(?P=tag)>)",
    re.S,
)
MATHJAX_SCRIPTS = re.compile(
    r"\s*<script>window\.MathJax = [^<]*</script>"
    r'|\s*<script [^>]*src="[^"]*_static/mathjax/[^"]*"[^>]*></script>'
)
NODE_SCRIPT = r"""
const path = require("path");
const root = process.argv[1];
const config = JSON.parse(process.argv[2]);
const items = JSON.parse(require("fs").readFileSync(0, "utf8"));
const MJ = require(root);
const tex = Object.assign({}, config.tex || {});
const load = ["input/tex-full", "output/svg", "a11y/assistive-mml"].concat(
  ((config.loader || {}).load || []));
MJ.init({
  loader: {paths: {mathjax: path.join(root, "es5")}, load: load},
  tex: tex, svg: {fontCache: "local"}, startup: {typeset: false},
}).then((MathJax) => {
  const adaptor = MathJax.startup.adaptor;
  const out = {css: adaptor.textContent(MathJax.svgStylesheet()), svg: [], errors: []};
  for (const [source, display] of items) {
    const node = MathJax.tex2svg(source, {display: display});
    const error = adaptor.tags(node, "mjx-merror");
    if (error.length) { out.errors.push([source, adaptor.textContent(error[0])]); }
    out.svg.push(adaptor.outerHTML(node));
  }
  process.stdout.write(JSON.stringify(out));
}).catch((e) => { console.error(String(e)); process.exit(1); });
"""


def mathjax_package(app: Sphinx) -> Path:
    """Return the folder of the ``mathjax`` npm package that Node.js will run."""
    candidates = []
    if os.environ.get("LLMH_MATHJAX_NODE"):
        candidates.append(Path(os.environ["LLMH_MATHJAX_NODE"]))
    srcdir = Path(app.srcdir)
    candidates.append(srcdir / ".cache" / "npm" / "node_modules" / "mathjax")
    for static in app.config.html_static_path:  # .cache/vendor may be a link to the checkout's
        vendor = (Path(app.confdir) / static).resolve()
        candidates.append(vendor.parent / "npm" / "node_modules" / "mathjax")
    for folder in candidates:
        if (folder / "es5" / "node-main.js").exists():
            return folder
    raise ExtensionError(
        "static_math: the mathjax npm package is missing (looked in "
        + ", ".join(str(c) for c in candidates)
        + "). Run `make vendor` (it needs npm and the npm registry), or set LLMH_MATHJAX_NODE."
    )


def typeset(app: Sphinx, items: list[tuple[str, bool]]) -> tuple[list[str], str]:
    """Return the SVG markup of each ``(tex, display)`` item and MathJax's SVG stylesheet."""
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        raise ExtensionError(
            "static_math: Node.js is needed to typeset the maths at build time "
            "(Debian: apt-get install nodejs npm)"
        )
    config = app.config.mathjax3_config or {}
    done = subprocess.run(
        [node, "-e", NODE_SCRIPT, str(mathjax_package(app)), json.dumps(config)],
        input=json.dumps(items),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise ExtensionError(f"static_math: MathJax in Node.js failed:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout)
    if result["errors"]:
        lines = [f"  {tex!r}: {message}" for tex, message in result["errors"]]
        raise ExtensionError("static_math: MathJax could not typeset:\n" + "\n".join(lines))
    return result["svg"], result["css"]


def formula(match: re.Match[str]) -> tuple[str, bool] | None:
    """Return ``(tex, display)`` of a :data:`MATH` match, or None when it holds no TeX.

    None means the element is left as it is: e.g. maths this extension already typeset (an
    incremental build rewrites only the pages that changed).
    """
    body = match["body"].strip()
    if body.startswith("\\(") and body.endswith("\\)"):
        return html.unescape(body[2:-2]).strip(), False
    if body.startswith("\\[") and body.endswith("\\]"):
        return html.unescape(body[2:-2]).strip(), True
    if match["ams"] and body.startswith("\\begin{"):
        return html.unescape(body).strip(), True
    return None


def formulas(text: str) -> list[tuple[str, bool]]:
    """Return the ``(tex, display)`` of every formula of a page still to typeset, in order."""
    return [key for key in map(formula, MATH.finditer(text)) if key is not None]


def replace_formulas(text: str, svgs: dict[tuple[str, bool], str]) -> str:
    """Return the page with each formula's TeX replaced by its SVG from ``svgs``.

    The element keeps its tag, classes and ``id``, and a numbered equation its
    ``<span class="eqno">`` before the SVG (the theme lays it out to the right of the
    formula); display maths gets ``tabindex="0"``: it scrolls sideways when wider than the
    column, and a keyboard must reach it.
    """

    def replace(match: re.Match[str]) -> str:
        key = formula(match)
        if key is None:
            return match.group(0)
        svg = svgs[key]
        if key[1]:
            svg = svg.replace("<mjx-container ", '<mjx-container tabindex="0" ', 1)
        return match["open"] + (match["eqno"] or "") + svg + match["close"]

    return MATH.sub(replace, text)


def _render_pages(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    pages = {page: page.read_text(encoding="utf-8") for page in outdir.rglob("*.html")}
    found: dict[tuple[str, bool], int] = {}
    for text in pages.values():
        for key in formulas(text):
            found.setdefault(key, len(found))
    svgs, css = typeset(app, list(found)) if found else ([], "")
    by_key = dict(zip(found, svgs, strict=True))

    for page, text in pages.items():
        new = MATHJAX_SCRIPTS.sub("", replace_formulas(text, by_key))
        if new != text:
            page.write_text(new, encoding="utf-8")
    # Nothing loads the browser bundle any more: keep it out of the published site.
    shutil.rmtree(outdir / "_static" / "mathjax", ignore_errors=True)
    css_path = outdir / "_static" / CSS_FILE
    if found or not css_path.exists():  # an incremental build with no new maths keeps it
        css_path.parent.mkdir(exist_ok=True)
        css_path.write_text(
            "/* MathJax 3 SVG output (written by book/_ext/static_math.py) */\n" + css + "\n"
            "mjx-container[jax=SVG][display=true]{overflow-x:auto;overflow-y:hidden}\n",
            encoding="utf-8",
        )


def setup(app: Sphinx) -> dict:
    app.add_css_file(CSS_FILE)
    app.connect("build-finished", _render_pages, priority=400)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
