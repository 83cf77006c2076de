"""Tests of book/_ext/bib_author_year.py: author-year labels, the same in text and bibliography.

Two works by the same first author in the same year (Touvron et al.'s LLaMA and Llama 2, both
2023) must read 2023a and 2023b in the citations and in the bibliography; the reader copies
(:mod:`llmhistory.book.reader`, a separate implementation without pybtex) must agree with the
site's labels for every entry of ``book/references.bib``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from pybtex.database import parse_file, parse_string

from llmhistory.book.reader import load_bibliography

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
try:
    import bib_author_year
finally:
    sys.path.remove(str(ROOT / "book" / "_ext"))

BIB = ROOT / "book" / "references.bib"
SMALL_BIB = r"""
@article{touvron2023llama2,
  title   = {{Llama 2}: Open Foundation and Fine-Tuned Chat Models},
  author  = {Touvron, Hugo and Martin, Louis and Stone, Kevin and others},
  journal = {arXiv preprint arXiv:2307.09288},
  year    = {2023}
}
@article{touvron2023llama,
  title   = {{LLaMA}: Open and Efficient Foundation Language Models},
  author  = {Touvron, Hugo and Lavril, Thibaut and Izacard, Gautier and
             Martinet, Xavier and others},
  journal = {arXiv preprint arXiv:2302.13971},
  year    = {2023}
}
@inproceedings{reimers2019sbert,
  title     = {Sentence-{BERT}: Sentence Embeddings using {Siamese} {BERT}-Networks},
  author    = {Reimers, Nils and Gurevych, Iryna},
  booktitle = {EMNLP-IJCNLP},
  year      = {2019}
}
@misc{openai2019code,
  title  = {gpt-2},
  author = {{OpenAI}},
  year   = {2019}
}
"""


def labels(entries):
    return dict(
        zip(
            [e.key for e in entries],
            bib_author_year.AuthorYearLabelStyle().format_labels(entries),
            strict=True,
        )
    )


class TestLabelStyle:
    def test_same_author_same_year_lettered_by_key_whatever_the_order(self):
        entries = list(parse_string(SMALL_BIB, "bibtex").entries.values())
        for order in (entries, entries[::-1]):
            got = labels(order)
            assert got["touvron2023llama"] == "Touvron et al., 2023a"
            assert got["touvron2023llama2"] == "Touvron et al., 2023b"

    def test_one_two_and_corporate_authors(self):
        got = labels(list(parse_string(SMALL_BIB, "bibtex").entries.values()))
        assert got["reimers2019sbert"] == "Reimers and Gurevych, 2019"
        assert got["openai2019code"] == "OpenAI, 2019"

    def test_labels_of_the_book_are_unique(self):
        got = labels(list(parse_file(BIB).entries.values()))
        assert len(set(got.values())) == len(got)
        assert got["touvron2023llama"].endswith("2023a")
        assert got["touvron2023llama2"].endswith("2023b")

    def test_reader_copies_use_the_same_labels_for_every_entry(self):
        site = labels(list(parse_file(BIB).entries.values()))
        refs = load_bibliography(BIB)
        assert set(refs) == set(site)
        reader = {key: f"{ref.label}, {ref.year}" for key, ref in refs.items()}
        assert reader == site


def test_sphinx_build_text_and_bibliography_say_2023a_and_2023b(tmp_path):
    from sphinx.application import Sphinx

    src = tmp_path / "src"
    src.mkdir()
    (src / "refs.bib").write_text(SMALL_BIB, encoding="utf-8")
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
        "extensions = ['sphinxcontrib.bibtex', 'bib_author_year']\n"
        "bibtex_bibfiles = ['refs.bib']\n"
        "bibtex_reference_style = 'author_year_label'\n"
        "bibtex_default_style = 'authoryear'\n",
        encoding="utf-8",
    )
    (src / "index.rst").write_text(
        "Title\n=====\n\nLLaMA :cite:p:`touvron2023llama`, Llama 2 :cite:p:`touvron2023llama2`;"
        " :cite:t:`touvron2023llama2` wrote it.\n\n.. bibliography::\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    with open(os.devnull, "w") as quiet:
        app = Sphinx(
            str(src), str(src), str(out), str(tmp_path / "doctrees"), "html",
            status=quiet, warning=quiet, freshenv=True,
        )  # fmt: skip
        app.build()
    page = (out / "index.html").read_text(encoding="utf-8")
    text = page[: page.index('<div class="docutils container" id="id')]
    assert text.count("Touvron <em>et al.</em>, 2023a</a>") == 1
    assert text.count("Touvron <em>et al.</em>, 2023b</a>") == 1
    assert "Touvron <em>et al.</em> [<a" in text and ">2023b</a>]" in text
    bibliography = page[len(text) :]
    assert bibliography.index(">Touvron et al., 2023a<") < bibliography.index(
        ">Touvron et al., 2023b<"
    )
    assert "LLaMA: open" in bibliography.split("2023b")[0], "2023a is LLaMA, 2023b Llama 2"
    assert ", 2023</a>" not in text


@pytest.mark.parametrize("name", ["authoryear"])
def test_plugins_registered(name):
    import pybtex.plugin

    bib_author_year._register()
    assert (
        pybtex.plugin.find_plugin("pybtex.style.labels", name)
        is bib_author_year.AuthorYearLabelStyle
    )
    bib_author_year._register()  # twice is harmless (Sphinx may call setup again)
