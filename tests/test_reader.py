"""Tests of reader notebooks: chapters rendered as plain Markdown for any notebook app."""

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmhistory.book.chapters import CHAPTERS
from llmhistory.book.reader import (
    equation_numbers,
    format_glue,
    glued_values,
    leftover_markup,
    load_bibliography,
    main,
    reader_copy_text,
    reference_list,
    render_markdown,
    render_notebook,
    stale_copies,
)

ROOT = Path(__file__).resolve().parents[1]
REFS = load_bibliography()


def glue_output(name, text):
    return {
        "output_type": "display_data",
        "metadata": {"scrapbook": {"name": name, "mime_prefix": "application/papermill.record/"}},
        "data": {"application/papermill.record/text/plain": text},
    }


def notebook(*cells):
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": list(cells)}


def md(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def code(text, tags=(), outputs=()):
    return {
        "cell_type": "code",
        "metadata": {"tags": list(tags)},
        "source": text,
        "outputs": list(outputs),
        "execution_count": 3,
    }


class TestBibliography:
    def test_known_entries(self):
        assert REFS["vaswani2017attention"].label == "Vaswani et al."
        assert REFS["vaswani2017attention"].url == "https://arxiv.org/abs/1706.03762"
        assert REFS["reimers2019sbert"].label == "Reimers and Gurevych"
        assert REFS["openai2019gpt2code"].label == "OpenAI"  # a {braced} corporate author
        assert REFS["grattafiori2024llama3"].label == "Grattafiori et al."  # "A and B and others"

    def test_same_author_year_gets_suffixes(self):
        years = {REFS["touvron2023llama"].year, REFS["touvron2023llama2"].year}
        assert years == {"2023a", "2023b"}

    def test_same_author_year_letters_in_text_and_reference_list(self):
        # lettered in key order, as the site's bib_author_year does: LLaMA 2023a, Llama 2 2023b
        nb = notebook(
            md(
                "{cite:p}`touvron2023llama2`, then {cite:t}`touvron2023llama` and "
                "{cite:t}`touvron2023llama2`."
            )
        )
        out = render_notebook(nb, REFS)
        text, references = out["cells"][0]["source"], out["cells"][-1]["source"]
        assert text == (
            "([Touvron et al., 2023b](#ref-touvron2023llama2)), then "
            "Touvron et al. ([2023a](#ref-touvron2023llama)) and "
            "Touvron et al. ([2023b](#ref-touvron2023llama2))."
        )
        first, second = references.split("\n")[2:4]
        assert first.startswith('- <a id="ref-touvron2023llama"></a>Touvron et al. (2023a). [LLaMA')
        assert second.startswith(
            '- <a id="ref-touvron2023llama2"></a>Touvron et al. (2023b). [Llama 2'
        )
        assert REFS["vaswani2017attention"].year == "2017", "a unique label gets no letter"

    def test_accents_and_braces(self):
        entry = REFS["vaswani2017attention"]
        assert "{" not in entry.title and "\\" not in entry.title

    def test_every_key_cited_in_a_chapter_is_known(self):
        for chapter in CHAPTERS:
            nb = json.loads((ROOT / chapter.notebook).read_text(encoding="utf-8"))
            render_notebook(nb, REFS)  # raises KeyError on an unknown key


class TestFormatGlue:
    @pytest.mark.parametrize(
        ("text", "spec", "shown"),
        [
            ("32.0", ".0f", "32"),
            ("0.8125", ".1%", "81.2%"),
            ("3.15e+23", ".2e", "3.15e+23"),
            ("12", "", "12"),
            ("'A10234'", "", "A10234"),
            ("1234567", ",d", "1,234,567"),
            ("not python", "", "not python"),
        ],
    )
    def test_as_the_book_formats(self, text, spec, shown):
        assert format_glue(text, spec) == shown

    @given(st.floats(-1e6, 1e6, allow_nan=False), st.integers(0, 4))
    def test_equals_python_format_of_the_stored_value(self, value, decimals):
        assert format_glue(repr(value), f".{decimals}f") == f"{value:.{decimals}f}"


class TestRenderMarkdown:
    def test_glue_cite_and_dropdown(self):
        cited = []
        text = (
            "Cache {glue:text}`gib:.0f` GiB {cite:p}`vaswani2017attention,devlin2019bert`; "
            "{cite:t}`radford2018gpt` did it.\n\n:::{dropdown} Solution\nSixty-five.\n:::\n"
        )
        out = render_markdown(text, {"gib": "16.04"}, REFS, cited)
        assert out.startswith("Cache 16 GiB ([Vaswani et al., 2017](#ref-vaswani2017attention); ")
        assert "[Devlin et al., 2019](#ref-devlin2019bert))" in out
        assert "Radford et al. ([2018](#ref-radford2018gpt)) did it." in out
        assert "<details><summary>Solution</summary>\n\nSixty-five.\n\n</details>" in out
        assert cited == ["vaswani2017attention", "devlin2019bert", "radford2018gpt"]

    def test_note_becomes_a_quote_and_labels_go(self):
        out = render_markdown("(sec-x)=\n```{note}\nMind it.\n```", {}, REFS, [])
        assert out.strip() == "> **Note**\n>\n> Mind it."

    def test_equations_are_numbered_and_referenced(self):
        out = render_markdown("$$\na=b\n$$ (eq-a)\n\nBy {eq}`eq-a`.", {}, REFS, [], {"eq-a": 1})
        assert "a=b\n\\tag{1}\n$$" in out and "By (1)." in out

    def test_equation_numbers_follow_first_appearance_and_feed_the_book_form(self):
        nb = notebook(
            md("$$\nb\n$$ (eq-b)\n\n$$\na\n$$ (eq-a)"), md("By {eq}`eq-a`.\n$$c$$ (eq-c)")
        )
        numbers = equation_numbers(nb)
        assert numbers == {"eq-b": 1, "eq-a": 2, "eq-c": 3}
        assert equation_numbers(notebook(md("$$x$$"), code("y"))) == {}
        book_form = {label: f"14.{n}" for label, n in numbers.items()}
        assert render_markdown("By {eq}`eq-a`.", {}, REFS, [], book_form) == "By (14.2)."

    def test_reference_list_anchors_each_cited_work_in_author_order(self):
        text = reference_list(["vaswani2017attention", "devlin2019bert"], REFS)
        lines = text.splitlines()
        assert lines[:2] == ["## References", ""]
        assert lines[2].startswith('- <a id="ref-devlin2019bert"></a>Devlin et al. (2019). [')
        assert lines[3].startswith('- <a id="ref-vaswani2017attention"></a>Vaswani et al. (2017)')
        assert "https://arxiv.org/abs/1706.03762" in lines[3]

    def test_text_roles_keep_their_text(self):
        out = render_markdown("A {term}`KV cache <kv-cache>` and {term}`token`.", {}, REFS, [])
        assert out == "A KV cache and token."

    @pytest.mark.parametrize(
        ("text", "error", "match"),
        [
            ("{glue:text}`missing:.1f`", KeyError, "run make outputs"),
            ("{cite:p}`nobody1999`", KeyError, "not in the bibliography"),
            ("{eq}`nowhere`", KeyError, "not defined"),
            ("{glue:text}`other.ipynb::x`", ValueError, "another notebook"),
        ],
    )
    def test_unresolvable_markup_is_an_error(self, text, error, match):
        with pytest.raises(error, match=match):
            render_markdown(text, {}, REFS, [])


class TestRenderNotebook:
    def test_cells(self):
        nb = notebook(
            md("# T\n{glue:text}`n` items {cite:p}`vaswani2017attention`"),
            code("glue('n', 3)", outputs=[glue_output("n", "3")]),
            code("plot()", tags=["hide-input"]),
            code("answer()", tags=["solution", "hide-cell"], outputs=[{"output_type": "stream"}]),
        )
        out = render_notebook(nb, REFS)
        assert out["cells"][0]["source"].startswith("# T\n3 items ([Vaswani")
        assert out["cells"][2]["metadata"]["jupyter"] == {"source_hidden": True}
        solution = out["cells"][3]
        assert solution["outputs"] == [] and solution["metadata"]["cellView"] == "form"
        assert solution["source"].startswith("# Solution: open and run")
        assert out["cells"][-1]["source"].startswith("## References\n")
        assert 'id="ref-vaswani2017attention"' in out["cells"][-1]["source"]
        assert nb["cells"][3]["outputs"], "the input is not modified"

    def test_no_references_cell_without_citations(self):
        out = render_notebook(notebook(md("# T")), REFS)
        assert len(out["cells"]) == 1

    def test_glued_values_read_stored_outputs(self):
        nb = notebook(code("", outputs=[glue_output("a", ["1.5"]), {"output_type": "stream"}]))
        assert glued_values(nb) == {"a": "1.5"}

    def test_bad_notebook(self):
        with pytest.raises(TypeError, match="notebook must be"):
            render_notebook({"cells": "no"}, REFS)

    @pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.stem)
    def test_every_chapter_renders_without_markup(self, chapter):
        nb = json.loads((ROOT / chapter.notebook).read_text(encoding="utf-8"))
        out = render_notebook(nb, REFS)
        assert leftover_markup(out) == []
        assert len(out["cells"]) == len(nb["cells"]) + 1  # + the reference list


def test_command_line(tmp_path):
    source = ROOT / CHAPTERS[7].notebook
    assert main([str(source), "--out", str(tmp_path)]) == 0
    written = json.loads((tmp_path / source.name).read_text(encoding="utf-8"))
    assert leftover_markup(written) == []
    copy = tmp_path / "copy.ipynb"
    copy.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    assert main([str(copy), "--in-place"]) == 0
    assert leftover_markup(json.loads(copy.read_text(encoding="utf-8"))) == []


def test_committed_reader_copies_for_colab_are_up_to_date():
    """reader/notebooks is what Colab opens (llmhistory.book.launch): it must match the chapters."""
    chapters = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert [p.name for p in chapters] == sorted(Path(c.notebook).name for c in CHAPTERS)
    stale = stale_copies(chapters, ROOT / "reader" / "notebooks", REFS)
    assert stale == [], f"run: make reader (then commit reader/notebooks): {stale}"
    for chapter in chapters[:1]:  # what a learner sees in Colab
        copy = json.loads((ROOT / "reader" / "notebooks" / chapter.name).read_text("utf-8"))
        assert leftover_markup(copy) == []
        assert copy["cells"][-1]["source"].startswith("## References")


def test_stale_copies_missing_differs_and_orphans(tmp_path):
    source = ROOT / CHAPTERS[7].notebook
    out = tmp_path / "reader"
    assert stale_copies([source], out, REFS) == [(out / source.name, "missing")]
    out.mkdir()
    (out / source.name).write_text(reader_copy_text(source, REFS), encoding="utf-8")
    (out / "99_gone.ipynb").write_text("{}", encoding="utf-8")
    assert stale_copies([source], out, REFS) == [(out / "99_gone.ipynb", "no chapter")]
    assert stale_copies([source], out, REFS, orphans=False) == []
    (out / source.name).write_text(reader_copy_text(source, REFS) + " ", encoding="utf-8")
    assert stale_copies([source], out, REFS, orphans=False) == [(out / source.name, "differs")]


def test_command_line_check_writes_nothing_and_fails_on_a_stale_copy(tmp_path, capsys):
    folder = tmp_path / "chapters"
    folder.mkdir()
    source = folder / "08_x.ipynb"
    source.write_text((ROOT / CHAPTERS[7].notebook).read_text(encoding="utf-8"), "utf-8")
    out = tmp_path / "reader"
    assert main([str(folder), "--out", str(out), "--check"]) == 1
    assert not out.exists()
    assert "08_x.ipynb: missing" in capsys.readouterr().out
    assert main([str(folder), "--out", str(out)]) == 0
    written = (out / "08_x.ipynb").stat().st_mtime_ns
    assert main([str(folder), "--out", str(out), "--check"]) == 0
    assert "1 reader copies in" in capsys.readouterr().out
    assert main([str(folder), "--out", str(out)]) == 0
    assert (out / "08_x.ipynb").stat().st_mtime_ns == written, "an up-to-date copy is not rewritten"
    with pytest.raises(SystemExit):
        main([str(folder), "--in-place", "--check"])
