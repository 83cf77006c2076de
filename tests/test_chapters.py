"""Tests of the chapter map shared by the notebooks and the instructor guide."""

from pathlib import Path

import pytest

from llmhistory.book.chapters import (
    CHAPTERS,
    chapter_card,
    chapter_table,
    get_chapter,
    total_minutes,
)

ROOT = Path(__file__).resolve().parents[1]


def test_numbers_are_consecutive_and_stems_unique():
    assert [c.number for c in CHAPTERS] == list(range(1, len(CHAPTERS) + 1))
    assert len({c.stem for c in CHAPTERS}) == len(CHAPTERS)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.stem)
def test_every_chapter_is_complete(chapter):
    assert 2 <= len(chapter.objectives) <= 5
    assert chapter.prerequisites
    assert 20 <= chapter.minutes <= 90
    assert chapter.notebook == f"notebooks/{chapter.stem}.ipynb"


def test_lookup_by_number_slug_and_stem():
    assert get_chapter(9) is get_chapter("serving_kv_cache") is get_chapter("09_serving_kv_cache")
    assert get_chapter("09") is get_chapter(9)


@pytest.mark.parametrize(
    ("key", "error"),
    [
        (0, ValueError),
        (CHAPTERS[-1].number + 1, ValueError),
        ("nope", ValueError),
        (2.0, TypeError),
    ],
)
def test_bad_keys_name_the_argument(key, error):
    with pytest.raises(error, match="key must be"):
        get_chapter(key)


def test_card_shows_objectives_prerequisites_and_time():
    text = chapter_card(3).markdown()
    assert "**Estimated time:** about 55 minutes" in text
    for line in CHAPTERS[2].objectives + CHAPTERS[2].prerequisites:
        assert f"- {line}" in text
    assert chapter_card(3)._repr_markdown_() == text


def test_table_has_a_row_per_chapter():
    rows = chapter_table().splitlines()
    assert len(rows) == 2 + len(CHAPTERS)
    assert rows[2].startswith("| 1 | Prompt in, text out | 45 min |")
    assert total_minutes() == sum(c.minutes for c in CHAPTERS)


def test_every_chapter_notebook_opens_with_its_card():
    """The notebook's opening card comes from CHAPTERS, so it cannot disagree with the guide."""
    for chapter in CHAPTERS:
        path = ROOT / chapter.notebook
        if not path.exists():
            continue
        assert f"chapter_card({chapter.number})" in path.read_text(encoding="utf-8")
