"""Sphinx extension: serve the live panels' JavaScript and the tiny model from ``_static``.

The live panels of chapters 1, 3 and 9 (``llmhistory.book.live``) import
``_static/tinymodel/panels.js`` and fetch the shipped checkpoint and tokenizer from the same
folder, only when a reader presses "Load the model". At the end of an HTML build this copies
the files of ``llmhistory.book.live.asset_files()`` there (the JavaScript modules from
``llmhistory/book/assets/tinymodel``, the model from ``llmhistory/tiny/data``), so the book
makes no third-party request and always serves the model that is shipped with it.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def _copy_assets(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from llmhistory.book.live import copy_assets

    copy_assets(app.outdir)


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", _copy_assets)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
