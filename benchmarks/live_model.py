#!/usr/bin/env python3
"""The tiny model in headless Chromium (the live panels' JavaScript) next to NumPy: figures.

Usage::

    python benchmarks/live_model.py        # or: make jsmodel-bench (also part of make bench)

Prints the JavaScript bundle size (the modules a reader's browser imports on "Load the model"),
the model download, and, in Chromium and in NumPy (float32, one thread as the Makefile sets):

* model load: parse the safetensors file and build the model (after the download);
* first token: load + the forward pass of a 11-token prompt + choosing the token;
* one forward pass of 128 tokens without a cache;
* generation speed: 64 greedy tokens with the KV cache, in tokens per second.

Each figure is the median of several runs. A benchmark, not a test: nothing is asserted.
"""

from __future__ import annotations

import gzip
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from book_server import serve_directory  # noqa: E402
from chromium import launch  # noqa: E402

from llmhistory.book.live import asset_files, download_bytes, write_demo_site  # noqa: E402
from llmhistory.concepts.decoding import GREEDY, choose_token  # noqa: E402
from llmhistory.tiny.checkpoint import load_model  # noqa: E402
from llmhistory.tiny.generation import generate_ids  # noqa: E402
from llmhistory.tiny.tokenizer import BPETokenizer  # noqa: E402

PROMPT = "Customer: Where is my order?\nAgent:"
REPEATS = 5

BROWSER_JS = """async ([dir, prompt, repeats]) => {
  const m = await import(dir + "index.js");
  const [w, t] = await Promise.all([fetch(dir + "tiny_decoder.safetensors"),
                                    fetch(dir + "tiny_tokenizer.json")]);
  const weights = await w.arrayBuffer();
  const tokText = await t.text();
  const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
  const load = [], first = [], pass = [], rate = [];
  let model, tok;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    tok = m.BPETokenizer.fromJSON(tokText);
    model = m.TinyModel.fromSafetensors(weights);
    const t1 = performance.now();
    const ids = tok.encode(prompt, { addBos: true });
    const logits = model.forward(ids, { cache: model.newCache() });
    m.chooseToken(logits.subarray(logits.length - model.config.vocabSize));
    const t2 = performance.now();
    load.push(t1 - t0); first.push(t2 - t0);
  }
  const long = Array.from({ length: 128 }, (_, i) => (i * 37) % model.config.vocabSize);
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now(); model.forward(long); pass.push(performance.now() - t0);
  }
  const ids = tok.encode(prompt, { addBos: true });
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const run = m.generateIds(model, ids, { maxNewTokens: 64 });
    rate.push(run.newTokenIds.length / ((performance.now() - t0) / 1000));
  }
  return { load: median(load), first: median(first), pass: median(pass), rate: median(rate),
           agent: navigator.userAgent };
}"""


def median_ms(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def numpy_figures() -> dict[str, float]:
    data = asset_files()
    path, tok_path = (
        Path(str(data["tiny_decoder.safetensors"])),
        Path(str(data["tiny_tokenizer.json"])),
    )

    def load():
        return load_model(path), BPETokenizer.load(tok_path)

    def first():
        model, tok = load()
        logits, _ = model.forward_step(tok.encode(PROMPT, add_bos=True))
        choose_token(logits[-1], GREEDY)

    model, tok = load()
    long = [(i * 37) % model.config.vocab_size for i in range(128)]
    ids = tok.encode(PROMPT, add_bos=True)
    rates = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        run = generate_ids(model, ids, max_new_tokens=64)
        rates.append(len(run.new_token_ids) / (time.perf_counter() - t0))
    return {
        "load": median_ms(load),
        "first": median_ms(first),
        "pass": median_ms(lambda: model.logits(long)),
        "rate": statistics.median(rates),
    }


def browser_figures() -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        write_demo_site(folder)
        with serve_directory(Path(folder), name="bench-server") as url, sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page()
            page.goto(url + "index.html")
            figures = page.evaluate(BROWSER_JS, [url + "_static/tinymodel/", PROMPT, REPEATS])
            browser.close()
    return figures


def main() -> None:
    files = asset_files()
    js = {name: f.read_bytes() for name, f in files.items() if name.endswith(".js")}
    raw = sum(len(b) for b in js.values())
    zipped = sum(len(gzip.compress(b, 6)) for b in js.values())
    print(
        f"JavaScript bundle: {len(js)} modules, {raw / 1000:.1f} kB ({zipped / 1000:.1f} kB gzip)"
    )
    print(f"Model download: {download_bytes():,} bytes ({download_bytes() / 1e6:.2f} MB)")
    js_fig = browser_figures()
    np_fig = numpy_figures()
    print(f"Chromium: {js_fig.pop('agent')}")
    rows = [
        ("model load, after the download (ms)", "load", ".1f"),
        ("load + first token, 11-token prompt (ms)", "first", ".1f"),
        ("forward pass, 128 tokens, no cache (ms)", "pass", ".1f"),
        ("generation with the KV cache (tokens/s)", "rate", ".0f"),
    ]
    print(f"{'':44s}{'Chromium JS':>14s}{'NumPy f32':>12s}")
    for label, key, fmt in rows:
        print(f"{label:44s}{format(js_fig[key], fmt):>14s}{format(np_fig[key], fmt):>12s}")


if __name__ == "__main__":
    main()
