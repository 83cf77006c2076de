"""Course packs: a table of contents for a chosen subset of chapters.

``make book CHAPTERS="01 03 09"`` calls ``python -m llmhistory.book.coursepack 01 03 09 --out F``
and builds the book from the written table of contents: the same intro, the chosen chapters in
book order (with their quizzes), and the same back matter (instructor guide, references).

The module is also a Sphinx extension (:func:`setup`): in a pack, chapter 9 stays chapter 9
(sections 8.x, figures 8.x), a prerequisite chapter outside the pack is marked as such, and
the instructor guide's chapter map lists only the pack's chapters.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path

import yaml

from llmhistory.book.chapters import CHAPTERS, get_chapter

DEFAULT_TOC = Path("book/_toc.yml")


def course_pack_toc(toc: dict, chapters: list[int | str]) -> dict:
    """Return a copy of the Jupyter Book ``toc`` keeping only the chosen chapter notebooks.

    Parameters
    ----------
    toc : dict
        A ``jb-book`` table of contents with ``parts`` (as in ``book/_toc.yml``).
    chapters : list of int or str
        Chapter numbers (``8``, ``"08"``) or slugs; order does not matter, duplicates are
        ignored. Pages that are not chapter notebooks (intro, guide, references) are kept.

    Returns
    -------
    dict
        The reduced table of contents; parts left without entries are dropped.

    Raises
    ------
    ValueError
        If ``chapters`` is empty, names an unknown chapter, or names a chapter missing from
        ``toc``.

    >>> toc = {"format": "jb-book", "root": "book/intro", "parts": [
    ...     {"caption": "A", "chapters": [{"file": "notebooks/01_prompt_in_text_out"},
    ...                                   {"file": "notebooks/02_encoders_decoders_masks"}]},
    ...     {"caption": "Back", "chapters": [{"file": "book/bibliography"}]}]}
    >>> [e["file"] for p in course_pack_toc(toc, ["02"])["parts"] for e in p["chapters"]]
    ['notebooks/02_encoders_decoders_masks', 'book/bibliography']
    """
    if not chapters:
        raise ValueError("chapters must name at least one chapter, e.g. 01 03 08")
    wanted = {get_chapter(int(c) if str(c).isdigit() else c).notebook for c in chapters}
    wanted = {w.removesuffix(".ipynb") for w in wanted}
    listed = {e["file"] for p in toc.get("parts", []) for e in p.get("chapters", [])}
    missing = sorted(wanted - listed)
    if missing:
        raise ValueError(f"chapters {missing} are not in the table of contents")
    pack = copy.deepcopy(toc)
    parts = []
    for part in pack.get("parts", []):
        part["chapters"] = [
            e
            for e in part.get("chapters", [])
            if not e["file"].startswith("notebooks/") or e["file"] in wanted
        ]
        if part["chapters"]:
            parts.append(part)
    pack["parts"] = parts
    return pack


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m llmhistory.book.coursepack 01 03 09 --out toc.yml``."""
    parser = argparse.ArgumentParser(
        prog="python -m llmhistory.book.coursepack",
        description="Write a table of contents for a subset of the book's chapters.",
    )
    parser.add_argument("chapters", nargs="+", help="chapter numbers or slugs, e.g. 01 03 08")
    parser.add_argument("--toc", type=Path, default=DEFAULT_TOC, help="the full book's _toc.yml")
    parser.add_argument("--out", type=Path, required=True, help="where to write the reduced toc")
    args = parser.parse_args(argv)
    try:
        toc = yaml.safe_load(args.toc.read_text(encoding="utf-8"))
        pack = course_pack_toc(toc, args.chapters)
    except (OSError, ValueError, TypeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(yaml.safe_dump(pack, sort_keys=False), encoding="utf-8")
    kept = [
        e["file"]
        for p in pack["parts"]
        for e in p["chapters"]
        if e["file"].startswith("notebooks/")
    ]
    print(
        f"course pack: {len(kept)} chapters ({', '.join(Path(k).name for k in kept)}) -> {args.out}"
    )
    return 0


# ---- the Sphinx side: a pack keeps the book's numbering -----------------------------------
# Loaded by book/_config.yml (``sphinx.extra_extensions``) in every build. In the full book it
# changes nothing: chapter N is already numbered N. In a course pack Sphinx numbers the chosen
# chapters 1, 2, ...; these hooks put back the book's numbers (sections, figures, the page
# title and the navigation), mark prerequisites that are not in the pack, and cut the
# instructor guide's chapter map down to the pack.

_CHAPTER_REF = re.compile(r"^Chapter (\d+)\b")
GUIDE_DOC = "book/instructor_guide"


def book_number(docname: str) -> int | None:
    """Return the book's chapter number of ``docname``, or None if it is not a chapter.

    >>> book_number("notebooks/09_serving_kv_cache"), book_number("book/intro")
    (9, None)
    """
    for chapter in CHAPTERS:
        if docname == chapter.notebook.removesuffix(".ipynb"):
            return chapter.number
    return None


def renumber(number: tuple[int, ...] | list[int] | None, chapter: int):
    """Return a section or figure ``number`` whose first part is ``chapter`` instead.

    >>> renumber((2, 1), 8), renumber([2], 8), renumber(None, 8), renumber((), 8)
    ((8, 1), [8], None, ())
    """
    if not number:
        return number
    return type(number)([chapter, *number[1:]])


def pack_chapters(docnames) -> list[int]:
    """Return the book numbers of the chapters among ``docnames``, sorted.

    >>> pack_chapters(["book/intro", "notebooks/09_serving_kv_cache",
    ...                "notebooks/01_prompt_in_text_out"])
    [1, 9]
    """
    return sorted(n for n in map(book_number, docnames) if n is not None)


def restore_book_numbers(app, env) -> list[str]:
    """Sphinx ``env-get-updated`` hook: give each chapter its book number; return changed docs."""
    changed = []
    for docname in list(env.toc_secnumbers):
        chapter = book_number(docname)
        secnums = env.toc_secnumbers[docname]
        if chapter is None or not secnums.get(""):
            continue
        if secnums[""][0] == chapter:
            continue
        env.toc_secnumbers[docname] = {k: renumber(v, chapter) for k, v in secnums.items()}
        for reference in env.tocs[docname].findall(_reference_class()):
            if reference.get("secnumber"):
                reference["secnumber"] = renumber(reference["secnumber"], chapter)
        title = env.titles.get(docname)
        if title is not None and title.get("secnumber"):
            title["secnumber"] = renumber(title["secnumber"], chapter)
        for figtype, numbers in env.toc_fignumbers.get(docname, {}).items():
            env.toc_fignumbers[docname][figtype] = {
                k: renumber(v, chapter) for k, v in numbers.items()
            }
        changed.append(docname)
    return changed


def _reference_class():
    from docutils import nodes

    return nodes.reference


def mark_outside_prerequisites(doctree, in_pack: list[int]) -> int:
    """Append "(not in this course pack)" to list items naming a chapter outside ``in_pack``.

    Returns the number of items marked. Only the opening card's "Before you start" list and the
    instructor guide name prerequisites as "Chapter N ...", so only list items that start so
    are looked at.
    """
    from docutils import nodes

    marked = 0
    for item in list(doctree.findall(nodes.list_item)):
        match = _CHAPTER_REF.match(item.astext())
        if match and int(match.group(1)) not in in_pack:
            paragraph = next(iter(item.findall(nodes.paragraph)), None)
            if paragraph is None:
                continue
            paragraph += nodes.emphasis(text=" (not in this course pack)")
            marked += 1
    return marked


def limit_guide(doctree, in_pack: list[int]) -> int:
    """Keep only the pack's rows in the guide's chapter map and say so; return rows removed."""
    from docutils import nodes

    removed = 0
    for table in list(doctree.findall(nodes.table)):
        head = [
            e.astext()
            for e in next(iter(table.findall(nodes.thead)), nodes.thead()).findall(nodes.entry)
        ]
        if not head or head[0] != "Chapter" or "Prerequisites" not in head:
            continue
        body = next(iter(table.findall(nodes.tbody)))
        for row in list(body.children):
            first = row.children[0].astext().strip()
            if first.isdigit() and int(first) not in in_pack:
                body.remove(row)
                removed += 1
        minutes = sum(get_chapter(n).minutes for n in in_pack)
        note = nodes.note()
        note += nodes.paragraph(
            text=(
                f"This course pack holds chapter{'s' if len(in_pack) > 1 else ''} "
                f"{', '.join(map(str, in_pack))} (about {minutes} minutes); the map below "
                "lists only those. The totals and plans further down describe the whole book."
            )
        )
        table.parent.insert(table.parent.index(table), note)
    return removed


def adapt_pack_pages(app, doctree, docname) -> None:
    """Sphinx ``doctree-resolved`` hook: in a pack, mark prerequisites and limit the guide."""
    in_pack = pack_chapters(app.env.found_docs)
    if len(in_pack) == len(CHAPTERS):
        return
    if docname == GUIDE_DOC:
        limit_guide(doctree, in_pack)
    elif book_number(docname) is not None:
        mark_outside_prerequisites(doctree, in_pack)


def setup(app) -> dict:
    """Register the hooks with Sphinx (``extra_extensions: [llmhistory.book.coursepack]``)."""
    app.connect("env-get-updated", restore_book_numbers, priority=900)
    app.connect("doctree-resolved", adapt_pack_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
