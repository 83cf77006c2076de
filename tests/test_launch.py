"""Tests of the one repository URL and the chapters' setup cell (run anywhere, e.g. Colab)."""

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from llmhistory.book.chapters import CHAPTERS
from llmhistory.book.launch import (
    READER_DIR,
    SETUP_TAG,
    main,
    point_colab_to_reader_copies,
    reader_colab_url,
    repository_url,
    set_repository_url,
    setup,
    setup_cell_source,
    with_setup_cell,
)

ROOT = Path(__file__).resolve().parents[1]
URL = "https://github.com/llmhistory/llmhistory"


def test_repository_url_is_read_from_pyproject(tmp_path):
    assert repository_url() == URL
    other = tmp_path / "pyproject.toml"
    other.write_text(
        '[project]\nname = "x"\n[project.urls]\nRepository = "https://github.com/a/b/"\n'
    )
    assert repository_url(other) == "https://github.com/a/b"


@pytest.mark.parametrize("value", ["", "https://gitlab.com/a/b", "github.com/a/b"])
def test_repository_url_must_be_a_github_repository(tmp_path, value):
    path = tmp_path / "pyproject.toml"
    path.write_text(f'[project.urls]\nRepository = "{value}"\n')
    with pytest.raises(ValueError, match="Repository in pyproject.toml must be"):
        repository_url(path)


class TestSetupCell:
    def test_source_installs_only_where_the_package_is_missing(self):
        source = setup_cell_source(URL)
        assert 'find_spec("llmhistory") is None' in source
        assert f'"git+{URL}"' in source and "LLMHISTORY_SOURCE" in source
        assert len(source.splitlines()) <= 10
        compile(source, "setup", "exec")

    def test_does_nothing_where_installed(self):
        result = subprocess.run(
            [sys.executable, "-c", setup_cell_source(URL)], capture_output=True, text=True
        )
        assert result.returncode == 0 and result.stdout == result.stderr == ""

    @pytest.mark.parametrize(
        ("url", "error"), [(3, TypeError), ("https://example.org/x", ValueError)]
    )
    def test_bad_url(self, url, error):
        with pytest.raises(error, match="url"):
            setup_cell_source(url)

    def test_inserted_after_the_title_and_updated_in_place(self):
        nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# T"}]}
        first, changed = with_setup_cell(nb, URL)
        assert changed and first["cells"][1]["metadata"]["tags"] == ["remove-cell", SETUP_TAG]
        moved, changed = with_setup_cell(first, "https://github.com/a/b")
        assert changed and len(moved["cells"]) == 2
        assert "git+https://github.com/a/b" in "".join(moved["cells"][1]["source"])
        assert with_setup_cell(moved, "https://github.com/a/b") == (moved, False)
        assert len(nb["cells"]) == 1, "the input is not modified"

    def test_no_title_goes_first(self):
        nb, _ = with_setup_cell({"cells": []}, URL)
        assert SETUP_TAG in nb["cells"][0]["metadata"]["tags"]

    def test_bad_notebook(self):
        with pytest.raises(TypeError, match="notebook must be"):
            with_setup_cell({"cells": None}, URL)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.stem)
def test_every_chapter_has_the_current_setup_cell_before_its_imports(chapter):
    nb = json.loads((ROOT / chapter.notebook).read_text(encoding="utf-8"))
    assert with_setup_cell(nb, repository_url())[1] is False, (
        f"run: python -m llmhistory.book.launch {chapter.notebook}"
    )
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert SETUP_TAG in code[0]["metadata"]["tags"]
    for cell in code:
        assert "myst_nb" not in "".join(cell["source"]), "chapters run without myst-nb"


def test_command_line_updates_only_stale_notebooks(tmp_path, capsys):
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps(nb))
    assert main([str(tmp_path)]) == 0
    assert "1 notebook(s) changed" in capsys.readouterr().out
    assert main([str(path)]) == 0
    assert "0 notebook(s) changed" in capsys.readouterr().out
    assert path.read_text(encoding="utf-8").endswith("}\n")


def test_sphinx_hook_sets_the_theme_url():
    config = SimpleNamespace(html_theme_options={"repository_url": "placeholder", "x": 1})
    set_repository_url(SimpleNamespace(srcdir=str(ROOT)), config)
    assert config.html_theme_options == {"repository_url": URL, "x": 1}


def test_every_place_that_names_the_repository_uses_the_one_url():
    url = repository_url()
    config = yaml.safe_load((ROOT / "book" / "_config.yml").read_text(encoding="utf-8"))
    assert config["repository"]["url"] == url  # also overridden from pyproject at build time
    extensions = config["sphinx"]["extra_extensions"]
    assert "llmhistory.book.launch" in extensions
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    slug = url.removeprefix("https://github.com/")
    for link in (f"mybinder.org/v2/gh/{slug}/", f"colab.research.google.com/github/{slug}/"):
        assert link in readme
    assert "github.com/" not in (ROOT / "binder" / "postBuild").read_text(encoding="utf-8")


COLAB = f"https://colab.research.google.com/github/{URL.removeprefix('https://github.com/')}"


class TestColabOpensReaderCopies:
    @pytest.mark.parametrize(
        ("url", "expected"),
        [
            (
                f"{COLAB}/blob/main/notebooks/16_preference_optimization.ipynb",
                f"{COLAB}/blob/main/reader/notebooks/16_preference_optimization.ipynb",
            ),
            (
                f"{COLAB}/blob/dev-1/notebooks/01_prompt_in_text_out.ipynb",
                f"{COLAB}/blob/dev-1/reader/notebooks/01_prompt_in_text_out.ipynb",
            ),
            (f"{COLAB}/blob/main/book/instructor_guide.ipynb", None),  # no reader copy
            (f"{COLAB}/blob/main/reader/notebooks/01_x.ipynb", None),  # already one
            ("https://mybinder.org/v2/gh/a/b/main?urlpath=tree/notebooks/01_x.ipynb", None),
            ("", None),
        ],
    )
    def test_reader_colab_url(self, url, expected):
        assert reader_colab_url(url) == expected

    def test_reader_colab_url_bad_input(self):
        with pytest.raises(TypeError, match="url"):
            reader_colab_url(None)

    @staticmethod
    def context(chapter):
        launch = [
            {
                "text": "Binder",
                "url": f"https://mybinder.org/v2/gh/x/y/main?urlpath=tree/{chapter}",
            },
            {"text": "Colab", "url": f"{COLAB}/blob/main/{chapter}"},
        ]
        return {
            "header_buttons": [
                {"label": "download-buttons", "buttons": [{"text": ".ipynb", "url": chapter}]},
                {"label": "launch-buttons", "buttons": launch},
            ]
        }

    def test_chapter_colab_button_opens_its_reader_copy_and_nothing_else_changes(self):
        chapter = "notebooks/09_serving_kv_cache.ipynb"
        context = self.context(chapter)
        before = json.loads(json.dumps(context))
        point_colab_to_reader_copies(SimpleNamespace(srcdir=str(ROOT)), "p", "page", context, None)
        colab = context["header_buttons"][1]["buttons"][1]
        assert colab["url"] == f"{COLAB}/blob/main/{READER_DIR}/{chapter}"
        before["header_buttons"][1]["buttons"][1]["url"] = colab["url"]
        assert context == before, "Binder (rendered in place by postBuild) and downloads unchanged"

    def test_missing_reader_copy_keeps_the_source_link_and_warns(self, tmp_path, caplog):
        context = self.context("notebooks/09_serving_kv_cache.ipynb")
        before = json.loads(json.dumps(context))
        point_colab_to_reader_copies(SimpleNamespace(srcdir=str(tmp_path)), "p8", "", context, None)
        assert context == before
        assert "no reader copy reader/notebooks/09_serving_kv_cache.ipynb" in caplog.text

    def test_pages_without_launch_buttons(self):
        for context in ({}, {"header_buttons": None}, {"header_buttons": []}):
            point_colab_to_reader_copies(SimpleNamespace(srcdir=str(ROOT)), "p", "", context, None)

    def test_hook_runs_after_the_theme_made_the_launch_buttons(self):
        calls = []
        app = SimpleNamespace(connect=lambda *a, **k: calls.append((a, k)))
        setup(app)
        hooks = {args[1]: kwargs.get("priority", 500) for args, kwargs in calls}
        assert hooks[point_colab_to_reader_copies] > 501  # sphinx-book-theme's add_launch_buttons

    @pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.stem)
    def test_every_chapter_has_a_reader_copy_for_colab(self, chapter):
        copy = ROOT / READER_DIR / chapter.notebook
        assert copy.is_file(), "run: make reader"
        assert json.loads(copy.read_text(encoding="utf-8"))["nbformat"] == 4
