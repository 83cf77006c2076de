"""The live panels (``llmhistory.book.live``): the tiny model in Chromium, as a reader uses it.

One page with the three panels and their assets (``write_demo_site``, the files the book's
``_static/tinymodel`` holds), served locally; two visits:

1. a phone (390 x 844, touch, keyboard): nothing is fetched before "Load the model" is pressed;
   pressing it with the keyboard loads the model once for the page; the label panel shows
   Python's ``rank_labels`` ranking; the attention panel shows layers x heads maps; the
   KV-cache panel's bytes per token equal the formula; no third-party request, no horizontal
   scroll, no console error, no serious axe-core violation with results shown. In the same page
   the JavaScript model runs on >= 200 strings and 20 prompts: token ids equal Python's, logits
   within 1e-4 of NumPy's, with and without the cache; a truncated download shows an error and
   a retry, then loads.
2. scripts off: the fallback paragraph is shown and the controls are not.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import axe_runner
import numpy as np
import pytest
from book_server import serve_directory
from request_guard import block_external

from llmhistory.concepts.prompts import SUPPORT_EXAMPLES, SUPPORT_LABELS, build_label_prompt
from llmhistory.tiny import load_tiny
from llmhistory.tiny.generation import rank_labels

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
KINDS = {
    "labels": "llmh-live-labels",
    "attention": "llmh-live-attention",
    "kv_cache": "llmh-live-kv-cache",
}

EQUIVALENCE_JS = """async ([dir, strings, prompts]) => {
  const m = await import(dir + "index.js");
  const [w, t] = await Promise.all(
    [fetch(dir + "tiny_decoder.safetensors"), fetch(dir + "tiny_tokenizer.json")]);
  const model = m.TinyModel.fromSafetensors(await w.arrayBuffer());
  const tok = m.BPETokenizer.fromJSON(await t.text());
  const ids = strings.map((s) => tok.encode(s));
  const full = prompts.map((p) => Array.from(model.forward(p)));
  const cached = prompts.map((p) => {
    const cache = model.newCache(); const out = [];
    for (const id of p) out.push(...model.forward([id], { cache }));
    return out;
  });
  return { ids, full, cached };
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    from llmhistory.book.live import write_demo_site

    folder = tmp_path_factory.mktemp("live")
    write_demo_site(folder)
    with serve_directory(folder, name="live-server") as url:
        yield url


def _strings() -> list[str]:
    data = Path(__file__).resolve().parents[2] / "src/llmhistory/tiny/data/eval_support.jsonl"
    messages = [json.loads(line)["message"] for line in data.read_text().splitlines() if line]
    extra = ["", "Café naïve", "注文はどこ？", "📦👨‍👩‍👧", "\x00\x1c\x85\ufeff ctl", "x" * 2000]
    return messages + [m.upper() for m in messages] + [m[::-1] for m in messages[:20]] + extra


def _wait_for_text(page, selector: str, text: str) -> None:
    page.wait_for_function(
        "([s, t]) => document.querySelector(s).textContent.includes(t)", arg=[selector, text]
    )


def test_live_panels_on_a_phone(browser, site):
    model, tokenizer = load_tiny("float64")
    context = browser.new_context(**PHONE)
    external: list[str] = []
    block_external(context, site, external.append)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(site + "index.html")
    page.wait_for_load_state("networkidle")
    assert not [u for u in requested if u.endswith((".safetensors", "panels.js"))], "fetched early"
    label = page.locator("#llmh-live-labels [data-role=load]")
    assert re.fullmatch(r"Load the model \(1\.\d MB\)", label.inner_text())

    # a truncated download: an error and a retry, never a half-loaded model
    def truncated(route):
        body = route.fetch().body()
        route.fulfill(
            status=200,
            body=body[: len(body) // 2],
            headers={"Content-Type": "application/octet-stream"},
        )

    page.route("**/*.safetensors", truncated)
    label.focus()
    page.keyboard.press("Enter")
    root = page.locator("#llmh-live-labels")
    page.wait_for_selector("#llmh-live-labels[data-state=error]", timeout=60_000)
    assert "retry" in root.locator("[data-role=status]").inner_text().lower()
    assert root.locator("[data-role=form]").is_hidden()
    page.unroute("**/*.safetensors")
    page.keyboard.press("Enter")  # the retry button kept the focus
    page.wait_for_selector("#llmh-live-labels[data-state=ready]", timeout=60_000)

    # chapter 1: the label scores of rank_labels (float64 NumPy), shown to 3 decimals
    message = "My order says delivered but it's not here."
    prompt = build_label_prompt(message, SUPPORT_EXAMPLES, labels=SUPPORT_LABELS)
    expected = rank_labels(model, tokenizer, prompt, SUPPORT_LABELS)
    rows = root.locator("[data-role=result] table").first.locator("tbody tr").all_inner_texts()
    shown = [(r.split("\t")[0], float(r.split("\t")[1])) for r in rows]
    assert [label for label, _ in shown] == [label for label, _ in expected]
    assert np.allclose([s for _, s in shown], [s for _, s in expected], atol=1.5e-3)
    assert root.locator("[data-role=result]").get_attribute("aria-live") == "polite"

    # chapter 3 and chapter 9: the model is loaded once per page
    for kind in ("attention", "kv_cache"):
        page.locator(f"#{KINDS[kind]} [data-role=load]").click()
        page.wait_for_selector(f"#{KINDS[kind]}[data-state=ready]", timeout=60_000)
    c = model.config
    figures = page.locator("#llmh-live-attention figure")
    assert figures.count() == c.layers * c.heads
    summary = page.locator("#llmh-live-kv-cache [data-role=result] p").nth(1).inner_text()
    per_token = 2 * c.layers * c.kv_heads * c.head_dim * 4
    assert f"{per_token} bytes per token (formula: {per_token})" in summary
    safetensors = [u for u in requested if u.endswith(".safetensors")]
    assert len(safetensors) == 2, safetensors  # the truncated one, then the retry

    # keyboard: a new message, submitted with Enter from a number field
    text = page.locator("#llmh-live-labels-text")
    second = "I forgot my password and cannot log in."
    prompt = build_label_prompt(second, SUPPORT_EXAMPLES, labels=SUPPORT_LABELS)
    best = rank_labels(model, tokenizer, prompt, SUPPORT_LABELS)[0][0]
    text.fill(second)
    page.locator("#llmh-live-labels-max_new").focus()
    page.keyboard.press("Enter")
    _wait_for_text(page, "#llmh-live-labels [data-role=status]", f"Done: {best};")
    # too long for the context: cut, with a visible message
    text.fill("where is my parcel " * 200)
    page.locator("#llmh-live-labels form button[type=submit]").click()
    _wait_for_text(page, "#llmh-live-labels [data-role=status]", "cut")
    # output is text, never HTML
    page.locator("#llmh-live-attention-text").fill("<img src=x onerror=alert(1)>")
    page.locator("#llmh-live-attention form button[type=submit]").click()
    _wait_for_text(page, "#llmh-live-attention [data-role=result]", "1:'<'")
    assert page.locator("#llmh-live-attention [data-role=result] img").count() == 0

    # the same model as Python: token ids and logits, computed in this page
    strings = _strings()
    prompts = [tokenizer.encode(s, add_bos=True)[:40] for s in strings[:20]]
    dir_url = site + "_static/tinymodel/"
    got = page.evaluate(EQUIVALENCE_JS, [dir_url, strings, prompts])
    assert len(strings) >= 200
    assert got["ids"] == [tokenizer.encode(s) for s in strings]
    worst = 0.0
    for p, full, cached in zip(prompts, got["full"], got["cached"], strict=True):
        expected_logits = model.logits(p).ravel()
        worst = max(
            worst,
            np.abs(np.array(full) - expected_logits).max(),
            np.abs(np.array(cached) - expected_logits).max(),
        )
    assert worst < 1e-4, worst

    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    axe_runner.start(page)
    violations = axe_runner.result(page).violations
    assert not violations, [(v["id"], v.get("help")) for v in violations]
    assert not external, external
    assert not errors, errors
    context.close()


def test_live_panels_without_scripts(browser, site):
    context = browser.new_context(java_script_enabled=False, **PHONE)
    page = context.new_page()
    page.goto(site + "index.html")
    for uid in KINDS.values():
        assert page.locator(f"#{uid} .llmh-live-fallback").is_visible()
        assert page.locator(f"#{uid} .llmh-live-body").is_hidden()
    context.close()
