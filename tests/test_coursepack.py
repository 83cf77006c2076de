"""Tests of course packs: a reduced table of contents for a chosen subset of chapters."""

from pathlib import Path

import pytest
import yaml

from llmhistory.book.coursepack import course_pack_toc, main

ROOT = Path(__file__).resolve().parents[1]
FULL = yaml.safe_load((ROOT / "book" / "_toc.yml").read_text(encoding="utf-8"))


def files(toc):
    return [toc["root"]] + [e["file"] for p in toc["parts"] for e in p["chapters"]]


def test_keeps_intro_back_matter_and_chosen_chapters_in_book_order():
    pack = course_pack_toc(FULL, ["08", 1, "inside_a_decoder", "01"])
    kept = files(pack)
    assert [f for f in kept if f.startswith("notebooks/")] == [
        "notebooks/01_prompt_in_text_out",
        "notebooks/03_inside_a_decoder",
        "notebooks/08_serving_kv_cache",
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
