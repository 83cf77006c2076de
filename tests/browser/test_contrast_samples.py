"""axe's ``color-contrast`` on one sample per colour signature finds what it finds on every element.

``axe_runner`` runs the rule on samples (its docstring says why and what was measured). These
tests are the independent computation: the rule over the whole document, on pages where it
must fail, compared with the samples' verdict. A failing *signature* is what a reader sees:
a kind of text that is too faint; each one the whole-document run finds, the samples must find.
"""

from __future__ import annotations

from typing import Any

import axe_runner
from page_probes import SETTLE_JS

# Text in many shapes: faint, fine, on tinted and translucent backgrounds, small and large,
# hidden copies first (a hidden element must never stand in for a visible one), repeated so
# that sampling has something to do.
PLANTED = """<!doctype html><html lang="en"><head><title>Contrast</title><style>
body { font: 16px sans-serif; color: #222; background: #fff; }
.faint { color: #b0b0b0; }
.ok { color: #333; }
.tinted { background: #1a1a40; color: #2c2c60; padding: 2px; }
.tinted-ok { background: #1a1a40; color: #f0f0f0; }
.veil { background: rgba(0, 0, 0, 0.6); }
.veil span { color: #555; }
.small-grey { font-size: 11px; color: #8a8a8a; }
.large-grey { font-size: 26px; font-weight: bold; color: #8a8a8a; }
.hidden { display: none; }
</style></head><body><main>
<p class="hidden"><span class="faint">hidden faint copy</span></p>
%s
</main></body></html>"""
BLOCKS = [
    '<p class="ok">Readable text {i}, <span class="faint">faint aside {i}</span>.</p>',
    '<div class="tinted">Dark on dark {i}</div><div class="tinted-ok">Light on dark {i}</div>',
    '<div class="veil"><span>Grey under a dark veil {i}</span></div>',
    '<p class="small-grey">Small grey {i}</p><p class="large-grey">Large grey {i}</p>',
]
# Low-contrast styles injected into a real chapter (code comments, prose links, dropdown
# titles): faint in light mode, dark in dark mode.
INJECTED = """
.highlight .c1, .highlight .c { color: %(faint)s !important; }
.bd-article p a { color: %(link)s !important; }
.admonition-title { color: %(faint)s !important; }
"""
FAINT = {
    "light": {"faint": "#c8c8c8", "link": "#a9c7e8"},
    "dark": {"faint": "#3a3a3a", "link": "#1d3557"},
}

_WHOLE_JS = """async () => {
  const r = await axe.run(document, {resultTypes: ["violations"], runOnly: ["color-contrast"]});
  return r.violations.flatMap(v => v.nodes.map(n => n.target[0]));
}"""
_SIGNATURE_JS = (
    """(selectors) => {
  const signature = ("""
    + axe_runner.CONTRAST_SIGNATURE_JS
    + """);
  const styles = new Map();
  return selectors.map(sel => signature(document.querySelector(sel), styles));
}"""
)


def _failing(page: Any) -> tuple[set[str], set[str], int]:
    """Return (signatures failing over the whole document, over the samples, samples)."""
    page.evaluate(axe_runner.axe_source())
    whole = page.evaluate(_WHOLE_JS)
    axe_runner.start(page)
    found = axe_runner.result(page)  # waits for the run
    sampled = [
        node["target"][0]
        for v in found.violations
        if v["id"] == "color-contrast"
        for node in v["nodes"]
    ]
    return (
        set(page.evaluate(_SIGNATURE_JS, whole)),
        set(page.evaluate(_SIGNATURE_JS, sampled)),
        found.samples,
    )


def test_samples_find_every_planted_failure(light):
    page = light.new_page()
    try:
        page.set_content(PLANTED % "\n".join(b.format(i=i) for i in range(40) for b in BLOCKS))
        whole, sampled, samples = _failing(page)
    finally:
        page.close()
    # faint, dark-on-dark, grey under the veil, small grey; large bold grey passes (3:1).
    assert len(whole) == 4, whole
    assert sampled == whole
    assert samples <= 3 * 8  # of ~280 text elements: up to three per signature


def test_samples_find_every_injected_failure_in_a_chapter(mode_context, base_url, mode):
    page = mode_context(mode).new_page()
    try:
        page.goto(base_url + "notebooks/02_encoders_decoders_masks.html")
        page.evaluate(SETTLE_JS)
        page.add_style_tag(content=INJECTED % FAINT[mode])
        whole, sampled, _ = _failing(page)
    finally:
        page.close()
    assert whole, "the injected styles should fail the contrast rule"
    assert sampled == whole
