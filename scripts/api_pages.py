"""Write the book's API reference pages (book/api/*.md) from the package tree.

Usage: python scripts/api_pages.py [--check]

One page per wing of ``llmhistory`` (concepts, tiny, book); each module of the wing gets a
section rendered by Sphinx autodoc from its docstrings. ``--check`` exits 1 if the committed
pages differ from what the tree gives (``tests/test_api_pages.py`` runs it).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "llmhistory"
OUT = ROOT / "book" / "api"
WINGS = {
    "concepts": "The concepts",
    "tiny": "The tiny model",
    "book": "The book's machinery",
}


def modules(wing: str) -> list[str]:
    """Return the dotted names of the wing's modules (packages first, then files), sorted."""
    base = PACKAGE / wing
    names = []
    for path in sorted(base.rglob("*.py")):
        if path.name.startswith("_") and path.name != "__init__.py":
            continue  # private helpers and ``__main__``
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return sorted(names, key=lambda n: (n.count("."), n))


def summary(module: str) -> str:
    """Return the first line of the module's docstring."""
    path = PACKAGE.parent / Path(*module.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def page(wing: str) -> str:
    """Return the Markdown (MyST) text of one wing's reference page."""
    names = modules(wing)
    lines = [
        f"# API: {WINGS[wing].lower()} (`llmhistory.{wing}`)",
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
    for wing in WINGS:
        path = OUT / f"{wing}.md"
        text = page(wing)
        if "--check" in argv:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path.relative_to(ROOT)))
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print(f"stale API pages {stale}: run python scripts/api_pages.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
