"""Tests of book/_ext/static_math.py: maths typeset to SVG at build time.

The pure parts (finding formulas in Sphinx's HTML, putting the SVG in) run everywhere; a real
one-page Sphinx build with a numbered equation and an ``:eq:`` reference runs when Node.js and
the mathjax npm package (``make vendor``) are present.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
try:
    import static_math
finally:
    sys.path.remove(str(ROOT / "book" / "_ext"))

MATHJAX = ROOT / ".cache" / "npm" / "node_modules" / "mathjax"

# What Sphinx 7's HTML writer (sphinx.ext.mathjax) writes for each kind of formula.
INLINE = r'<span class="math notranslate nohighlight">\(\beta &lt; 1\)</span>'
DISPLAY = '<div class="math notranslate nohighlight">\n\\[\nx^2\n\\]</div>'
NUMBERED = (
    '<div class="math notranslate nohighlight" id="equation-ch16-dpo-loss">\n'
    '<span class="eqno">(14.4)<a class="headerlink" href="#equation-ch16-dpo-loss" '
    'title="Link to this equation">#</a></span>\\[\n'
    "\\mathcal{L} = -\\log \\sigma(m)\n\\]</div>"
)
NUMBERED_NO_PERMALINK = (
    '<div class="math notranslate nohighlight" id="equation-a">\n'
    '<span class="eqno">(1)</span>\\[a + b\\]</div>'
)
AMSMATH = (
    '<div class="math notranslate nohighlight amsmath">\n'
    "\\begin{align*}\na &amp;= b\n\\end{align*}</div>"
)


def fake_svgs(keys):
    return {
        key: f'<mjx-container class="MathJax" jax="SVG">[{key[0]}]</mjx-container>' for key in keys
    }


class TestFormulas:
    def test_each_kind_is_found_with_its_tex_unescaped_and_its_mode(self):
        page = "\n".join([INLINE, DISPLAY, NUMBERED, NUMBERED_NO_PERMALINK, AMSMATH])
        assert static_math.formulas(page) == [
            (r"\beta < 1", False),
            ("x^2", True),
            (r"\mathcal{L} = -\log \sigma(m)", True),
            ("a + b", True),
            ("\\begin{align*}\na &= b\n\\end{align*}", True),
        ]

    def test_numbered_equation_keeps_id_and_number_before_the_svg(self):
        page = f"<p>see <a href='#equation-ch16-dpo-loss'>(14.4)</a></p>{NUMBERED}"
        out = static_math.replace_formulas(page, fake_svgs(static_math.formulas(page)))
        assert "\\[" not in out and "\\]" not in out
        assert '<div class="math notranslate nohighlight" id="equation-ch16-dpo-loss">' in out
        eqno = out.index('<span class="eqno">(14.4)<a class="headerlink"')
        svg = out.index('<mjx-container tabindex="0" class="MathJax"')
        assert eqno < svg < out.index("</div>")
        assert "<a href='#equation-ch16-dpo-loss'>(14.4)</a>" in out, "the reference is untouched"

    def test_inline_maths_gets_no_tabindex_and_display_does(self):
        out = static_math.replace_formulas(
            INLINE + DISPLAY, fake_svgs(static_math.formulas(INLINE + DISPLAY))
        )
        assert out.count('tabindex="0"') == 1
        assert out.startswith('<span class="math notranslate nohighlight"><mjx-container class=')

    def test_typeset_maths_and_other_elements_are_left_alone(self):
        page = "\n".join([INLINE, NUMBERED, AMSMATH])
        once = static_math.replace_formulas(page, fake_svgs(static_math.formulas(page)))
        assert static_math.formulas(once) == []
        assert static_math.replace_formulas(once, {}) == once
        other = '<div class="math notranslate nohighlight">no delimiters</div>'
        assert static_math.formulas(other) == []
        assert static_math.replace_formulas(other, {}) == other

    def test_repeated_formula_found_once_per_occurrence(self):
        page = INLINE + " and " + INLINE
        assert static_math.formulas(page) == [(r"\beta < 1", False)] * 2
        out = static_math.replace_formulas(page, fake_svgs({(r"\beta < 1", False)}))
        assert out.count("<mjx-container") == 2


@pytest.mark.skipif(
    shutil.which("node") is None or not (MATHJAX / "es5" / "node-main.js").exists(),
    reason="needs Node.js and the mathjax npm package (make vendor)",
)
def test_sphinx_build_typesets_numbered_equations_and_keeps_references(tmp_path, monkeypatch):
    from sphinx.application import Sphinx

    monkeypatch.setenv("LLMH_MATHJAX_NODE", str(MATHJAX))
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
        "extensions = ['sphinx.ext.mathjax', 'static_math']\n"
        "math_numfig = True\nnumfig = True\n",
        encoding="utf-8",
    )
    (src / "index.rst").write_text(
        "Title\n=====\n\nInline :math:`a_1 < b`.\n\n"
        ".. math::\n   :label: kl\n\n"
        "   \\mathrm{KL}(p \\| q) = \\sum_y p(y) \\log \\frac{p(y)}{q(y)}\n\n"
        ".. math::\n\n   x^2\n\nSee :eq:`kl`.\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    with open(os.devnull, "w") as quiet:
        app = Sphinx(
            str(src),
            str(src),
            str(out),
            str(tmp_path / "doctrees"),
            "html",
            status=quiet,
            warning=quiet,
            freshenv=True,
        )
        app.build()
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "\\[" not in page and "\\(" not in page and "\\frac" not in page.split("<mjx")[0]
    assert page.count("<mjx-container") == 3
    assert page.count('<mjx-container tabindex="0"') == 2
    numbered = page[page.index('id="equation-kl"') :]
    numbered = numbered[: numbered.index("</div>")]
    assert '<span class="eqno">(1)' in numbered and "<svg" in numbered
    assert numbered.index("eqno") < numbered.index("<mjx-container")
    assert 'href="#equation-kl"' in page
    assert "mathjax/tex-mml-chtml.js" not in page
    css = (out / "_static" / static_math.CSS_FILE).read_text(encoding="utf-8")
    assert "mjx-container" in css
