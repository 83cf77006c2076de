"""The API reference pages (book/api/*.md) list every public module of the three wings."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_script():
    spec = importlib.util.spec_from_file_location("api_pages", ROOT / "scripts" / "api_pages.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["api_pages"] = module
    spec.loader.exec_module(module)
    return module


def test_committed_pages_match_the_package_tree():
    assert load_script().main(["--check"]) == 0, "run python scripts/api_pages.py"


def test_every_public_module_has_a_section_and_every_page_is_in_the_toc():
    api = load_script()
    toc = (ROOT / "book" / "_toc.yml").read_text(encoding="utf-8")
    pages = {name: (ROOT / "book" / "api" / f"{name}.md").read_text() for name in api.PAGES}
    for name in api.PAGES:
        assert f"file: book/api/{name}\n" in toc, name
    for path in (ROOT / "src" / "llmhistory").rglob("*.py"):
        if path.parent.name == "llmhistory" or (
            path.name.startswith("_") and path.name != "__init__.py"
        ):
            continue
        parts = path.relative_to(ROOT / "src").with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        homes = [page for page, text in pages.items() if f".. automodule:: {name}\n" in text]
        assert len(homes) == 1, f"{name} documented on {homes}"


def test_a_module_of_a_new_package_is_refused_with_what_to_do():
    api = load_script()
    assert api._package("llmhistory.concepts.figures.rope") == "concepts.figures"
    assert api._package("llmhistory.book.quiz") == "book.quiz"
    assert api.page_of("llmhistory.concepts.rope") == "serving"
    assert api.page_of("llmhistory.concepts.masks") == "concepts"
    assert api.page_of("llmhistory.concepts.figures.rope") == "figures"
    with pytest.raises(ValueError, match="belongs to no API page: add its package to PAGES"):
        api._package("llmhistory.elsewhere.x")


def test_the_chapters_publicly_taught_names_are_documented_where_they_live():
    api = load_script()
    pages = "".join((ROOT / "book" / "api" / f"{w}.md").read_text() for w in api.PAGES)
    for module in ("masks", "kv_cache", "moe", "rope", "scaling", "models"):
        assert f".. automodule:: llmhistory.concepts.{module}\n" in pages
    assert ".. automodule:: llmhistory.tiny.model\n" in pages
