"""Tests of course packs: a reduced table of contents for a chosen subset of chapters."""

from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from docutils import nodes
from sphinx import addnodes

from llmhistory.book.chapters import CHAPTERS
from llmhistory.book.coursepack import (
    adapt_pack_pages,
    book_number,
    course_pack_toc,
    limit_guide,
    main,
    mark_outside_prerequisites,
    pack_chapters,
    renumber,
    restore_book_numbers,
)

ROOT = Path(__file__).resolve().parents[1]
FULL = yaml.safe_load((ROOT / "book" / "_toc.yml").read_text(encoding="utf-8"))


def files(toc):
    return [toc["root"]] + [e["file"] for p in toc["parts"] for e in p["chapters"]]


def test_keeps_intro_back_matter_and_chosen_chapters_in_book_order():
    pack = course_pack_toc(FULL, ["09", 1, "inside_a_decoder", "01"])
    kept = files(pack)
    assert [f for f in kept if f.startswith("notebooks/")] == [
        "notebooks/01_prompt_in_text_out",
        "notebooks/03_inside_a_decoder",
        "notebooks/09_serving_kv_cache",
    ]
    non_chapters = [f for f in files(FULL) if not f.startswith("notebooks/")]
    assert [f for f in kept if not f.startswith("notebooks/")] == non_chapters
    assert all(p["chapters"] for p in pack["parts"]), "no empty part"
    assert files(FULL) != kept, "the full toc is not modified"


@pytest.mark.parametrize(("chapters", "match"), [([], "at least one"), (["99"], "key must be")])
def test_bad_chapter_lists(chapters, match):
    with pytest.raises(ValueError, match=match):
        course_pack_toc(FULL, chapters)


def test_chapter_missing_from_toc():
    small = {"root": "book/intro", "parts": [{"chapters": [{"file": "book/bibliography"}]}]}
    with pytest.raises(ValueError, match="not in the table of contents"):
        course_pack_toc(small, [1])


def test_command_line(tmp_path, capsys):
    out = tmp_path / "toc.yml"
    assert main(["01", "08", "--out", str(out), "--toc", str(ROOT / "book" / "_toc.yml")]) == 0
    assert "course pack: 2 chapters" in capsys.readouterr().out
    assert len([f for f in files(yaml.safe_load(out.read_text())) if "notebooks/" in f]) == 2
    assert main(["77", "--out", str(out)]) == 2
    assert "error:" in capsys.readouterr().err


# ---- the Sphinx hooks: a pack keeps the book's numbers --------------------------------------
CH1, CH8 = "notebooks/01_prompt_in_text_out", "notebooks/09_serving_kv_cache"


def toc_with_numbers(*numbers):
    """A document toc as Sphinx keeps it: references carrying their section numbers."""
    bullets = nodes.bullet_list()
    for number in numbers:
        ref = nodes.reference("", "s", anchorname="", secnumber=list(number))
        bullets += nodes.list_item("", addnodes.compact_paragraph("", "", ref))
    return bullets


def pack_env():
    """What Sphinx assigned in a pack of chapters 1 and 9: chapter 9 numbered 2."""
    return SimpleNamespace(
        toc_secnumbers={
            CH1: {"": (1,), "#a": (1, 1)},
            CH8: {"": (2,), "#kv": (2, 1), "#kv-sub": (2, 1, 1)},
            "book/intro": {},
        },
        tocs={CH1: toc_with_numbers((1,), (1, 1)), CH8: toc_with_numbers((2,), (2, 1))},
        titles={CH1: nodes.title(secnumber=[1]), CH8: nodes.title(secnumber=[2])},
        toc_fignumbers={CH8: {"figure": {"fig-cache": (2, 1), "fig-b": (2, 2)}}},
    )


def test_book_number_and_renumber():
    assert [book_number(c.notebook.removesuffix(".ipynb")) for c in CHAPTERS[:3]] == [1, 2, 3]
    assert book_number("book/instructor_guide") is None
    assert renumber((2, 3, 1), 8) == (8, 3, 1) and renumber([2], 12) == [12]
    assert pack_chapters([CH8, "book/intro", CH1]) == [1, 9]


def test_restore_book_numbers_in_a_pack():
    env = pack_env()
    assert restore_book_numbers(None, env) == [CH8]
    assert env.toc_secnumbers[CH8] == {"": (9,), "#kv": (9, 1), "#kv-sub": (9, 1, 1)}
    assert env.toc_secnumbers[CH1] == {"": (1,), "#a": (1, 1)}
    assert env.toc_fignumbers[CH8]["figure"] == {"fig-cache": (9, 1), "fig-b": (9, 2)}
    assert env.titles[CH8]["secnumber"] == [9]
    numbers = [r["secnumber"] for r in env.tocs[CH8].findall(nodes.reference)]
    assert numbers == [[9], [9, 1]]
    assert restore_book_numbers(None, env) == [], "already the book's numbers: nothing to do"


def card(*items):
    bullets = nodes.bullet_list()
    for text in items:
        bullets += nodes.list_item("", nodes.paragraph(text=text))
    doc = nodes.section()
    doc += bullets
    return doc


def test_prerequisites_outside_the_pack_are_marked():
    doc = card("Chapter 3 (the KV-cache shape)", "Chapter 1", "Bytes, GiB and powers of two")
    assert mark_outside_prerequisites(doc, [1, 8]) == 1
    texts = [item.astext() for item in doc.findall(nodes.list_item)]
    assert texts == [
        "Chapter 3 (the KV-cache shape) (not in this course pack)",
        "Chapter 1",
        "Bytes, GiB and powers of two",
    ]


def chapter_map(*numbers):
    def row(*cells):
        r = nodes.row()
        for c in cells:
            r += nodes.entry("", nodes.paragraph(text=c))
        return r

    group = nodes.tgroup(cols=3)
    group += nodes.thead("", row("Chapter", "Title", "Prerequisites"))
    group += nodes.tbody("", *[row(str(n), f"title {n}", "") for n in numbers])
    doc = nodes.section()
    doc += nodes.table("", group)
    doc += nodes.table("", nodes.tgroup("", nodes.thead("", row("Minutes", "Chapter"))))
    return doc


def test_guide_lists_only_the_pack():
    doc = chapter_map(*range(1, 13))
    assert limit_guide(doc, [1, 9]) == 10
    kept = [r.children[0].astext() for r in next(iter(doc.findall(nodes.tbody))).children]
    assert kept == ["1", "9"]
    note = next(iter(doc.findall(nodes.note))).astext()
    assert note.startswith("This course pack holds chapters 1, 9 (about 95 minutes)")


def test_hook_leaves_the_full_book_alone_and_adapts_a_pack():
    full = SimpleNamespace(env=SimpleNamespace(found_docs={c.notebook[:-6] for c in CHAPTERS}))
    doc = chapter_map(*range(1, 13))
    adapt_pack_pages(full, doc, "book/instructor_guide")
    assert len(list(doc.findall(nodes.row))) == 14
    pack = SimpleNamespace(env=SimpleNamespace(found_docs={CH1, CH8, "book/instructor_guide"}))
    adapt_pack_pages(pack, doc, "book/instructor_guide")
    assert len(list(doc.findall(nodes.row))) == 4
    prereqs = card("Chapter 7 (weight memory)")
    adapt_pack_pages(pack, prereqs, CH8)
    assert prereqs.astext().endswith("(not in this course pack)")
