"""Write the book's API reference pages (book/api/*.md) from the package tree.

Usage: python scripts/api_pages.py [--check]

One page per package of ``llmhistory`` (``concepts``, in three pages, ``concepts.figures``,
``tiny``, ``book``, ``book.quiz``); each module of the package gets a section rendered by
Sphinx autodoc from its docstrings. (One page per wing made the concepts page 36,000
elements and over 2 MB with the site's navigation; readers on phones and the browser
suite's axe-core both paid for it.)
``--check`` exits 1 if the committed pages differ from what the tree gives
(``tests/test_api_pages.py`` runs it).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "llmhistory"
OUT = ROOT / "book" / "api"
#: page name -> (title, package); a page holds the package and its modules, not its subpackages
#: that have a page of their own, nor the modules SPLIT gives a page of their own.
PAGES = {
    "concepts": ("The concepts: the decoder", "concepts"),
    "serving": ("The concepts: efficient serving and long context", "concepts"),
    "scale": ("The concepts: scale, alignment, choice and evaluation", "concepts"),
    "figures": ("The figures", "concepts.figures"),
    "tiny": ("The tiny model", "tiny"),
    "book": ("The book's machinery", "book"),
    "quiz": ("The quizzes", "book.quiz"),
}
#: Modules of a package that live on another page of the same package, so that no page passes
#: 2 MB as stored (the concepts page reached 2.4 MB with 30 modules). A module not listed stays
#: on its package's first page.
SPLIT = {
    "serving": (
        "batching",
        "flash_attention",
        "kv_cache",
        "long_context",
        "moe",
        "quantization",
        "roofline",
        "rope",
        "speculative",
    ),
    "scale": (
        "contamination",
        "evaluation_stats",
        "finetuning",
        "models",
        "precision",
        "preference_optimization",
        "preferences",
        "reasoning",
        "scaling",
        "scorecard",
        "timeline",
    ),
}


def _package(name: str) -> str:
    """Return the dotted package (relative to ``llmhistory``) whose pages document ``name``."""
    relative = name.split(".", 1)[1] if "." in name else ""
    packages = sorted((package for _, package in PAGES.values()), key=len, reverse=True)
    for package in packages:
        if relative == package or relative.startswith(package + "."):
            return package
    raise ValueError(f"module {name} belongs to no API page: add its package to PAGES")


def page_of(name: str) -> str:
    """Return the name of the page that documents module ``name``."""
    package = _package(name)
    for page_name, modules_here in SPLIT.items():
        if PAGES[page_name][1] == package and name.rsplit(".", 1)[-1] in modules_here:
            return page_name
    return next(p for p, (_, pkg) in PAGES.items() if pkg == package and p not in SPLIT)


def modules(page_name: str) -> list[str]:
    """Return the dotted names of the page's modules (packages first, then files), sorted."""
    package = PAGES[page_name][1]
    base = PACKAGE / Path(*package.split("."))
    names = []
    for path in sorted(base.rglob("*.py")):
        if path.name.startswith("_") and path.name != "__init__.py":
            continue  # private helpers and ``__main__``
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        name = ".".join(parts)
        if page_of(name) == page_name:
            names.append(name)
    return sorted(names, key=lambda n: (n.count("."), n))


def summary(module: str) -> str:
    """Return the first line of the module's docstring."""
    path = PACKAGE.parent / Path(*module.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def page(page_name: str) -> str:
    """Return the Markdown (MyST) text of one reference page."""
    names = modules(page_name)
    title, package = PAGES[page_name]
    lines = [
        f"# API: {title.lower()} (`llmhistory.{package}`)",
        "",
        "Generated from the docstrings by `scripts/api_pages.py`; every function states its",
        "shapes, units and errors, and most carry a `>>>` example that the tests run.",
        "",
        "| module | what it holds |",
        "|---|---|",
    ]
    for name in names:
        lines.append(f"| {{py:mod}}`{name}` | {summary(name)} |")
    for name in names:
        is_package = (PACKAGE.parent / Path(*name.split("."))).is_dir()
        lines += ["", f"## `{name}`", "", "```{eval-rst}", f".. automodule:: {name}"]
        lines.append("   :members:")
        if is_package:  # only what the package defines; re-exports live in their modules
            lines.append("   :ignore-module-all:")
        lines.append("```")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    stale = []
    for page_name in PAGES:
        path = OUT / f"{page_name}.md"
        text = page(page_name)
        if "--check" in argv:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path.relative_to(ROOT)))
        else:
            path.write_text(text, encoding="utf-8")
    extra = sorted(p for p in OUT.glob("*.md") if p.stem not in PAGES)
    if extra and "--check" in argv:
        print(f"API pages of no package {[p.name for p in extra]}: run python scripts/api_pages.py")
        return 1
    for path in extra:  # a page of the old layout
        path.unlink()
    if stale:
        print(f"stale API pages {stale}: run python scripts/api_pages.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
