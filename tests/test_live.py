"""Tests of llmhistory.book.live: the live panels' HTML and the files they serve."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmhistory.book.live import (
    KINDS,
    LivePanel,
    asset_files,
    copy_assets,
    download_bytes,
    live_panel,
    split_template,
    write_demo_site,
)
from llmhistory.concepts.kv_cache import kv_cache_bytes
from llmhistory.concepts.prompts import (
    SUPPORT_EXAMPLES,
    SUPPORT_LABELS,
    build_label_prompt,
    chat_prompt,
)
from llmhistory.tiny import load_tiny

DATA = resources.files("llmhistory.tiny") / "data"


def config_of(panel: LivePanel) -> dict:
    match = re.search(
        r'<script type="application/json" data-role="config">(.*?)</script>', panel.html
    )
    assert match, "the panel has no config"
    return json.loads(match.group(1))


class TestLivePanel:
    @pytest.mark.parametrize("kind", KINDS)
    def test_contract(self, kind: str) -> None:
        html = live_panel(kind).html
        uid = f"llmh-live-{kind.replace('_', '-')}"
        assert f'id="{uid}" data-live-panel="{kind}" data-state="idle"' in html
        assert 'class="llmh-live-fallback"' in html and "explorable above" in html
        assert '<div class="llmh-live-body" hidden>' in html
        assert '<form data-role="form" class="llmh-live-form" hidden>' in html
        assert html.count('aria-live="polite"') == 2
        assert "http://" not in html and "https://" not in html  # no third-party request
        assert "eval(" not in html and "innerHTML" not in html
        for control in re.findall(r'<(?:input|textarea|select) id="([^"]+)"', html):
            assert f'<label for="{control}">' in html  # every control is labelled

    def test_deterministic(self) -> None:
        assert live_panel("labels").html == live_panel("labels").html

    def test_button_states_the_real_download_size(self) -> None:
        size = sum(
            len((DATA / n).read_bytes())
            for n in ("tiny_decoder.safetensors", "tiny_tokenizer.json")
        )
        assert download_bytes() == size
        assert f"Load the model ({size / 1e6:.1f} MB)" in live_panel("attention").html

    def test_label_templates_rebuild_the_books_prompts(self) -> None:
        config = config_of(live_panel("labels"))
        before, after = config["label_template"]
        message = "My parcel never came </script><b>"
        assert before + message + after == build_label_prompt(
            message, SUPPORT_EXAMPLES, labels=SUPPORT_LABELS
        )
        before, after = config["reply_template"]
        assert before + message + after == chat_prompt([("Customer", message)])
        assert config["labels"] == list(SUPPORT_LABELS)

    @settings(max_examples=40, deadline=None)
    @given(st.text(min_size=1).filter(str.strip))
    def test_label_template_property(self, message: str) -> None:
        before, after = config_of(live_panel("labels"))["label_template"]
        assert before + message + after == build_label_prompt(
            message, SUPPORT_EXAMPLES, labels=SUPPORT_LABELS
        )

    def test_kv_cache_formula(self) -> None:
        config = config_of(live_panel("kv_cache"))
        c = load_tiny()[0].config
        expected = kv_cache_bytes(
            batch=1,
            layers=c.layers,
            tokens=1,
            kv_heads=c.kv_heads,
            head_dim=c.head_dim,
            bytes_per_value=4,
        )
        assert config["bytes_per_token"] == expected == 2 * c.layers * c.kv_heads * c.head_dim * 4

    def test_json_cannot_end_the_script(self) -> None:
        html = live_panel("labels").html
        data = html.split('data-role="config">')[1].split("</script>")[0]
        assert "</" not in data

    def test_repr(self) -> None:
        assert repr(live_panel("kv_cache")).startswith("Live panel: Try it: watch the KV cache")
        assert live_panel("labels")._repr_html_() == live_panel("labels").html

    @pytest.mark.parametrize("bad", ["chat", "", "LABELS"])
    def test_bad_kind(self, bad: str) -> None:
        with pytest.raises(
            ValueError, match="kind must be one of 'labels', 'attention', 'kv_cache'"
        ):
            live_panel(bad)


class TestAssets:
    def test_files(self) -> None:
        files = asset_files()
        assert {
            "panels.js",
            "index.js",
            "model.js",
            "tokenizer.js",
            "decoding.js",
            "random.js",
            "safetensors.js",
            "tiny_decoder.safetensors",
            "tiny_tokenizer.json",
        } == set(files)

    def test_copy_and_demo_site(self, tmp_path) -> None:
        target = copy_assets(tmp_path)
        assert (target / "tiny_decoder.safetensors").read_bytes() == (
            DATA / "tiny_decoder.safetensors"
        ).read_bytes()
        index = write_demo_site(tmp_path)
        text = index.read_text()
        assert 'data-content_root="./"' in text
        assert all(f'data-live-panel="{k}"' in text for k in KINDS)

    def test_js_has_no_eval_or_html_injection(self) -> None:
        for name, source in asset_files().items():
            if name.endswith(".js"):
                code = source.read_text()
                assert (
                    "eval(" not in code and "innerHTML" not in code and "new Function" not in code
                )


def test_split_template_errors() -> None:
    with pytest.raises(ValueError, match="exactly once"):
        split_template("no marker")


def test_sphinx_extension_copies_the_assets(tmp_path) -> None:
    import importlib.util
    from pathlib import Path
    from types import SimpleNamespace

    path = Path(__file__).resolve().parents[1] / "book" / "_ext" / "live_model.py"
    spec = importlib.util.spec_from_file_location("live_model", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app = SimpleNamespace(builder=SimpleNamespace(format="html"), outdir=str(tmp_path))
    module._copy_assets(app, None)
    served = sorted(p.name for p in (tmp_path / "_static" / "tinymodel").iterdir())
    assert served == sorted(asset_files())
    latex = SimpleNamespace(builder=SimpleNamespace(format="latex"), outdir=str(tmp_path / "x"))
    module._copy_assets(latex, None)
    assert not (tmp_path / "x").exists()
