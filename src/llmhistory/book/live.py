"""Live panels: the book's tiny model running in the reader's browser, on the static page.

A chapter calls :func:`live_panel` in one cell; the HTML it returns holds a "Load the model"
button and the controls of one panel. Nothing is fetched until the reader presses the button;
then the page imports the dependency-free JavaScript twin of the tiny model
(``llmhistory/book/assets/tinymodel``: byte-level BPE, the forward pass with a KV cache,
NumPy's PCG64 sampler) and the shipped weights and tokenizer, all served by the book itself
(the Sphinx extension ``book/_ext/live_model.py`` copies them to ``_static/tinymodel/``).
``tests/test_live_js.py`` checks that the JavaScript model gives Python's token ids, logits
(within 1e-4), label scores and generations.

Panels (``kind``):

* ``"labels"`` (chapter 1): a support message is scored with the few-shot prompt of
  :func:`llmhistory.concepts.prompts.build_label_prompt` exactly as
  :func:`llmhistory.tiny.generation.rank_labels` does, then a reply to it is generated token
  by token under the reader's decoding policy, with each step's next-token distribution;
* ``"attention"`` (chapter 3): the attention weights of every layer and head for the reader's
  text, as heatmaps;
* ``"kv_cache"`` (chapter 9): the KV cache growing as tokens are generated, the bytes its
  arrays hold per token next to the formula of
  :func:`llmhistory.concepts.kv_cache.kv_cache_bytes_per_token`.

DOM contract (for the browser tests)::

    div.llmh-live#llmh-live-<kind>[data-live-panel=<kind>]   root, data-state: idle, loading,
                                                            ready or error
      p.llmh-live-fallback                                  shown when scripts are off
      div.llmh-live-body[hidden]                            shown by the inline script
        button[data-role=load]                              "Load the model (1.4 MB)"
        p[data-role=status][aria-live=polite]               loading, errors, cut input
        form[data-role=form][hidden]                        the panel's labelled controls
        div[data-role=result][aria-live=polite]             results, inserted as text
      script[type=application/json][data-role=config]       prompts, labels, file names

Without JavaScript the reader sees the fallback paragraph, which points to the chapter's
precomputed explorable.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from llmhistory._validate import check_choice
from llmhistory.book.html import escape
from llmhistory.concepts.kv_cache import kv_cache_bytes_per_token
from llmhistory.concepts.prompts import (
    SUPPORT_EXAMPLES,
    SUPPORT_LABELS,
    build_label_prompt,
    chat_prompt,
)
from llmhistory.tiny.checkpoint import CHECKPOINT_FILE, TOKENIZER_FILE, load_tiny

__all__ = [
    "KINDS",
    "LivePanel",
    "asset_files",
    "copy_assets",
    "download_bytes",
    "live_panel",
    "split_template",
    "write_demo_site",
]

#: The panels a chapter can show.
KINDS = ("labels", "attention", "kv_cache")

#: Where the built book serves the JavaScript and the model files, under ``_static``.
STATIC_DIR = "tinymodel"
_ASSETS = resources.files("llmhistory.book") / "assets" / STATIC_DIR
_INLINED = ("loader.js", "live.css")  # inlined into each panel, not served

_MARK = "\u2063MESSAGE\u2063"  # an invisible separator: never in a template's own text

_TITLES = {
    "labels": "Try it: your message, the model's labels and reply",
    "attention": "Try it: attention weights for your own text",
    "kv_cache": "Try it: watch the KV cache grow",
}
_FALLBACK = {
    "labels": "the explorable above shows the first token of a reply under each policy",
    "attention": "the explorable above shows every block and head for the question",
    "kv_cache": "the explorable above shows the cache of a 7B model for each setting",
}


def asset_files() -> dict[str, object]:
    """Return ``{file name: traversable}`` of everything the panels serve from ``_static``.

    The JavaScript modules (``*.js`` of ``llmhistory/book/assets/tinymodel``) and the shipped
    checkpoint and tokenizer (``llmhistory/tiny/data``).

    >>> sorted(asset_files())[:3]
    ['decoding.js', 'index.js', 'model.js']
    """
    files = {f.name: f for f in _ASSETS.iterdir() if f.name.endswith(".js")}
    files = {name: f for name, f in files.items() if name not in _INLINED}
    data = resources.files("llmhistory.tiny") / "data"
    files.update({name: data / name for name in (CHECKPOINT_FILE, TOKENIZER_FILE)})
    return dict(sorted(files.items()))


def download_bytes() -> int:
    """Return the bytes a reader downloads on "Load the model": checkpoint plus tokenizer.

    >>> 1_000_000 < download_bytes() < 3_000_000
    True
    """
    data = resources.files("llmhistory.tiny") / "data"
    return sum(len((data / name).read_bytes()) for name in (CHECKPOINT_FILE, TOKENIZER_FILE))


def split_template(template: str) -> tuple[str, str]:
    """Return the text before and after the one message marker in ``template``.

    >>> split_template(f"Message: {_MARK}\\nLabel:")
    ('Message: ', '\\nLabel:')
    """
    before, found, after = template.partition(_MARK)
    if not found or _MARK in after:
        raise ValueError("template must hold the message marker exactly once")
    return before, after


def _config(kind: str) -> dict[str, object]:
    """Return the JSON the panel's script reads: files, prompt templates, labels, sizes."""
    model, _ = load_tiny()
    c = model.config
    config: dict[str, object] = {
        "kind": kind,
        "checkpoint": CHECKPOINT_FILE,
        "tokenizer": TOKENIZER_FILE,
        "download_bytes": download_bytes(),
        "context": c.context,
    }
    if kind == "labels":
        label = build_label_prompt(_MARK, SUPPORT_EXAMPLES, labels=SUPPORT_LABELS)
        config.update(
            labels=list(SUPPORT_LABELS),
            label_template=split_template(label),
            reply_template=split_template(chat_prompt([("Customer", _MARK)])),
            message="My order says delivered but it's not here.",
        )
    elif kind == "attention":
        config.update(text="Where is my order?", max_tokens=48)
    else:
        config.update(
            text="Customer: Where is my order?\nAgent:",
            bytes_per_token=kv_cache_bytes_per_token(c, bytes_per_value=4),
            formula=(
                f"2 × layers {c.layers} × kv_heads {c.kv_heads} × head_dim {c.head_dim} "
                "× 4 bytes (float32)"
            ),
        )
    return config


def _form(kind: str, uid: str) -> str:
    """Return the panel's labelled controls."""

    def field(name: str, label: str, control: str) -> str:
        return (
            f'<div class="llmh-live-field"><label for="{uid}-{name}">{label}</label>{control}</div>'
        )

    def number(name: str, value: str, attrs: str) -> str:
        return f'<input id="{uid}-{name}" name="{name}" type="number" value="{value}" {attrs}>'

    if kind == "labels":
        policy = (
            f'<select id="{uid}-policy" name="policy"><option value="greedy">greedy</option>'
            '<option value="sample">sampling</option></select>'
        )
        fields = [
            field(
                "text",
                "Support message",
                f'<textarea id="{uid}-text" name="text" rows="2"></textarea>',
            ),
            field("policy", "Decoding", policy),
            field(
                "temperature",
                "Temperature",
                number("temperature", "1", 'min="0.05" max="5" step="0.05"'),
            ),
            field(
                "top_k",
                "Top-k (empty: off)",
                number("top_k", "", 'min="1" max="512" step="1" placeholder="off"'),
            ),
            field(
                "top_p",
                "Top-p (empty: off)",
                number("top_p", "", 'min="0.01" max="1" step="0.01" placeholder="off"'),
            ),
            field("seed", "Seed", number("seed", "0", 'min="0" step="1"')),
            field("max_new", "Reply tokens", number("max_new", "24", 'min="1" max="64" step="1"')),
        ]
        submit = "Classify and reply"
    elif kind == "attention":
        fields = [field("text", "Your text", f'<input id="{uid}-text" name="text" type="text">')]
        submit = "Show attention"
    else:
        fields = [
            field("text", "Prompt", f'<textarea id="{uid}-text" name="text" rows="2"></textarea>'),
            field(
                "max_new",
                "Tokens to generate",
                number("max_new", "24", 'min="1" max="64" step="1"'),
            ),
        ]
        submit = "Generate"
    return (
        f'<form data-role="form" class="llmh-live-form" hidden>{"".join(fields)}'
        f'<button type="submit">{submit}</button></form>'
    )


def _inline(name: str) -> str:
    """Return the text of an asset file to inline into a panel (styles, the loader script)."""
    return (_ASSETS / name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class LivePanel:
    """A live panel's HTML, shown by Jupyter (``_repr_html_``) and in the built book."""

    kind: str
    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"Live panel: {_TITLES[self.kind]} (runs the tiny model in the browser)"


def live_panel(kind: str) -> LivePanel:
    """Return the live panel ``kind`` (``"labels"``, ``"attention"`` or ``"kv_cache"``).

    The HTML is deterministic (nbval compares it). Its button states the real download size
    of the shipped checkpoint and tokenizer (:func:`download_bytes`, in MB of 10**6 bytes).

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`.

    Returns
    -------
    LivePanel

    Raises
    ------
    ValueError
        If ``kind`` is not one of :data:`KINDS`.

    Examples
    --------
    >>> panel = live_panel("attention")
    >>> 'data-live-panel="attention"' in panel.html, "Load the model (1.4 MB)" in panel.html
    (True, True)
    >>> live_panel("chat")
    Traceback (most recent call last):
    ...
    ValueError: kind must be one of 'labels', 'attention', 'kv_cache'; got 'chat'
    """
    kind = check_choice("kind", kind, KINDS)
    uid = f"llmh-live-{kind.replace('_', '-')}"
    config = _config(kind)
    size = f"{config['download_bytes'] / 1e6:.1f} MB"
    data = re.sub(r"<(?=[/!])", r"\\u003c", json.dumps(config, ensure_ascii=False))
    html = (
        f"<style>{_inline('live.css')}</style>"
        f'<div class="llmh-live" id="{uid}" data-live-panel="{kind}" data-state="idle"'
        f' role="region" aria-labelledby="{uid}-title">'
        f'<p class="llmh-live-title" id="{uid}-title">{escape(_TITLES[kind])}</p>'
        '<p class="llmh-live-fallback">This panel runs the book\'s tiny model in your browser '
        f"and needs JavaScript; with scripts off, {_FALLBACK[kind]}, precomputed.</p>"
        '<div class="llmh-live-body" hidden>'
        f'<button type="button" data-role="load">Load the model ({size})</button>'
        '<p data-role="status" aria-live="polite"></p>'
        f"{_form(kind, uid)}"
        '<div data-role="result" class="llmh-live-result" aria-live="polite"></div></div>'
        f'<script type="application/json" data-role="config">{data}</script>'
        f"<script>{_inline('loader.js').replace('ROOT_ID', json.dumps(uid))}</script></div>"
    )
    return LivePanel(kind, html)


def copy_assets(folder: str | os.PathLike[str]) -> Path:
    """Copy :func:`asset_files` into ``folder/_static/tinymodel``; return that directory."""
    target = Path(folder) / "_static" / STATIC_DIR
    target.mkdir(parents=True, exist_ok=True)
    for name, source in asset_files().items():
        data = source.read_bytes()
        path = target / name
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
    return target


def write_demo_site(folder: str | os.PathLike[str]) -> Path:
    """Write a one-page site with the three panels and their assets; return its index.html.

    The page has the built book's ``data-content_root`` attribute, so the panels find
    ``_static/tinymodel`` as they do in the book. For the browser tests and the benchmark.

    Examples
    --------
    >>> import tempfile
    >>> index = write_demo_site(tempfile.mkdtemp())
    >>> (index.parent / "_static" / "tinymodel" / "panels.js").exists()
    True
    """
    folder = Path(folder)
    copy_assets(folder)
    panels = "".join(live_panel(kind).html for kind in KINDS)
    index = folder / "index.html"
    index.write_text(
        '<!DOCTYPE html><html lang="en" data-content_root="./"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,"><title>Live panels</title></head>'
        "<body><main><h1>Live panels</h1>"
        f"{panels}</main></body></html>\n",
        encoding="utf-8",
    )
    return index
