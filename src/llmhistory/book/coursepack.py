"""Course packs: a table of contents for a chosen subset of chapters.

``make book CHAPTERS="01 03 08"`` calls ``python -m llmhistory.book.coursepack 01 03 08 --out F``
and builds the book from the written table of contents: the same intro, the chosen chapters in
book order (with their quizzes), and the same back matter (instructor guide, references).
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import yaml

from llmhistory.book.chapters import get_chapter

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
    """Command line: ``python -m llmhistory.book.coursepack 01 03 08 --out toc.yml``."""
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
