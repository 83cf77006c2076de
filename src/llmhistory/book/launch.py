"""Run a chapter anywhere: the repository URL, and the setup cell that installs the package.

Every chapter notebook opens (after its title) with a short setup cell. Where ``llmhistory``
is importable (a clone with ``pip install -e .``, Binder, ``make lab``) it does nothing; in
Colab or any other kernel that lacks the package it installs it with pip, from the
repository, or from ``$LLMHISTORY_SOURCE`` when that is set (a local checkout, a wheel: how the
Colab path is tested offline from GitHub).

The repository URL lives in one place, ``[project.urls] Repository`` in ``pyproject.toml``.
The setup cells are written from it (``python -m llmhistory.book.launch notebooks``), the book's
launch, edit and issue buttons read it at build time (this module is also a Sphinx extension),
and ``tests/test_launch.py`` checks that the README and the Binder files agree.

Where each launch button leads. A chapter is MyST (``{glue:text}`` numbers, ``{cite:p}``
citations, dropdown solutions), which no notebook app renders, so a learner must land on a
*reader copy* (:mod:`llmhistory.book.reader`). sphinx-book-theme builds every launch link from
one path, ``path_to_docs`` + page + ``.ipynb``, the same path the edit button uses, so the
theme alone can only open the MyST source. Hence:

- **Colab** opens a notebook only from a repository
  (``colab.research.google.com/github/<org>/<repo>/blob/<branch>/<path>``), so the reader
  copies are committed in ``reader/notebooks`` (``make reader``; a test keeps them current) and
  :func:`point_colab_to_reader_copies` rewrites each chapter's Colab link to its copy, after the
  theme made the buttons; the edit button still opens the source.
- **Binder** builds the repository and runs ``binder/postBuild``, which renders the chapters in
  place, so its link to ``notebooks/NN_x.ipynb`` already opens a reader copy.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from llmhistory._validate import check_str

__all__ = [
    "READER_DIR",
    "SETUP_TAG",
    "point_colab_to_reader_copies",
    "reader_colab_url",
    "repository_url",
    "setup_cell_source",
    "with_setup_cell",
]

ROOT = Path(__file__).resolve().parents[3]
#: The tag of the setup cell: the book removes the cell (``remove-cell``); tools find it by
#: the second tag.
SETUP_TAG = "llmhistory-setup"
SETUP_TAGS = ["remove-cell", SETUP_TAG]
_URL = re.compile(r"^https://github\.com/[\w.-]+/[\w.-]+$")
#: Where the committed reader copies of the chapters live (``make reader``), from the root.
READER_DIR = "reader"
#: A chapter's Colab link as sphinx-book-theme writes it: ``.../blob/<branch>/notebooks/NN_x.ipynb``
#: (the theme's ``path_to_docs`` is empty: the book is built from the repository root).
_COLAB_CHAPTER = re.compile(
    r"^(?P<head>https://colab\.research\.google\.com/github/[\w.-]+/[\w.-]+/blob/[^/]+/)"
    r"(?P<path>notebooks/\d\d_[\w-]+\.ipynb)$"
)


def repository_url(pyproject: Path | None = None) -> str:
    """Return the repository URL, ``[project.urls] Repository`` of ``pyproject.toml``.

    Parameters
    ----------
    pyproject : pathlib.Path, optional
        The file to read; default the repository's own ``pyproject.toml``. Where it is absent
        (an installed wheel) the installed package's metadata is read instead.

    Returns
    -------
    str
        ``https://github.com/<owner>/<name>``, without a trailing slash.

    Raises
    ------
    ValueError
        If the URL is missing or is not a GitHub repository URL.

    >>> repository_url()
    'https://github.com/llmhistory/llmhistory'
    """
    path = ROOT / "pyproject.toml" if pyproject is None else Path(pyproject)
    if path.is_file():
        url = _url_from_pyproject(path.read_text(encoding="utf-8"))
    else:  # pragma: no cover - an installed wheel, no source tree
        from importlib.metadata import metadata

        urls = metadata("llmhistory").get_all("Project-URL") or []
        url = next((u.split(",", 1)[1].strip() for u in urls if u.startswith("Repository")), "")
    url = url.rstrip("/")
    if not _URL.match(url):
        raise ValueError(
            f"[project.urls] Repository in {path.name} must be https://github.com/<owner>/<name>,"
            f" got {url!r}"
        )
    return url


def _url_from_pyproject(text: str) -> str:
    """Return ``Repository`` from the ``[project.urls]`` table of a pyproject text, or ''."""
    try:
        import tomllib
    except ImportError:  # pragma: no cover - Python 3.10
        table = re.search(r"^\[project\.urls\]\n(.*?)(?=^\[|\Z)", text, re.M | re.S)
        found = table and re.search(r'^Repository\s*=\s*"([^"]+)"', table.group(1), re.M)
        return found.group(1) if found else ""
    return tomllib.loads(text).get("project", {}).get("urls", {}).get("Repository", "")


def setup_cell_source(url: str) -> str:
    """Return the setup cell's code for the repository at ``url``.

    >>> print(setup_cell_source("https://github.com/llmhistory/llmhistory"))
    # Setup for Colab or any kernel without llmhistory; where it is installed, this does nothing.
    import importlib.util
    import os
    import subprocess
    import sys
    <BLANKLINE>
    if importlib.util.find_spec("llmhistory") is None:
        source = os.environ.get("LLMHISTORY_SOURCE", "git+https://github.com/llmhistory/llmhistory")
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", source], check=True)
        importlib.invalidate_caches()
    """
    check_str("url", url)
    if not _URL.match(url):
        raise ValueError(f"url must be https://github.com/<owner>/<name>, got {url!r}")
    return (
        "# Setup for Colab or any kernel without llmhistory; where it is installed, this does "
        "nothing.\n"
        "import importlib.util\n"
        "import os\n"
        "import subprocess\n"
        "import sys\n"
        "\n"
        'if importlib.util.find_spec("llmhistory") is None:\n'
        f'    source = os.environ.get("LLMHISTORY_SOURCE", "git+{url}")\n'
        '    subprocess.run([sys.executable, "-m", "pip", "install", "-q", source], check=True)\n'
        "    importlib.invalidate_caches()"
    )


def with_setup_cell(notebook: dict, url: str) -> tuple[dict, bool]:
    """Return ``notebook`` with its setup cell (inserted after the title, or brought up to date).

    Parameters
    ----------
    notebook : dict
        An nbformat-4 notebook as loaded by ``json.load``; it is not modified.
    url : str
        The repository URL (:func:`repository_url`).

    Returns
    -------
    (dict, bool)
        The notebook, and whether it changed.

    >>> nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# Title"}]}
    >>> new, changed = with_setup_cell(nb, "https://github.com/a/b")
    >>> changed, new["cells"][1]["metadata"]["tags"], with_setup_cell(new, "https://github.com/a/b")[1]
    (True, ['remove-cell', 'llmhistory-setup'], False)
    """
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise TypeError("notebook must be an nbformat-4 notebook dict with a 'cells' list")
    source = setup_cell_source(url).splitlines(keepends=True)  # stored as nbformat lines
    cells = [dict(c) for c in notebook["cells"]]
    found = [i for i, c in enumerate(cells) if SETUP_TAG in c.get("metadata", {}).get("tags", [])]
    if found:
        cell = cells[found[0]]
        if cell["source"] == source:
            return notebook, False
        cells[found[0]] = {**cell, "source": source}
    else:
        first = 1 if cells and cells[0]["cell_type"] == "markdown" else 0
        cells.insert(
            first,
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "llmhistory-setup",
                "metadata": {"tags": list(SETUP_TAGS)},
                "outputs": [],
                "source": source,
            },
        )
    return {**notebook, "cells": cells}, True


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m llmhistory.book.launch notebooks`` adds or updates setup cells."""
    parser = argparse.ArgumentParser(
        prog="python -m llmhistory.book.launch",
        description="Add or update each chapter's setup cell from pyproject's repository URL.",
    )
    parser.add_argument("paths", nargs="+", type=Path, help="notebooks or folders of notebooks")
    args = parser.parse_args(argv)
    url = repository_url()
    changed = 0
    for path in args.paths:
        for file in sorted(path.glob("*.ipynb")) if path.is_dir() else [path]:
            # read-modify-write at once: other people may be editing other cells
            notebook = json.loads(file.read_text(encoding="utf-8"))
            new, did = with_setup_cell(notebook, url)
            if did:
                text = json.dumps(new, indent=1, ensure_ascii=False) + "\n"
                file.write_text(text, encoding="utf-8")
                changed += 1
                print(f"setup cell written: {file}")
    print(f"{changed} notebook(s) changed")
    return 0


def set_repository_url(app, config) -> None:
    """Sphinx ``config-inited`` hook: every launch, edit and issue button uses pyproject's URL."""
    options = dict(config.html_theme_options or {})
    options["repository_url"] = repository_url(Path(app.srcdir) / "pyproject.toml")
    config.html_theme_options = options


def reader_colab_url(url: str) -> str | None:
    """Return a chapter's Colab link pointed at its reader copy, or None if it is not one.

    >>> colab = "https://colab.research.google.com/github/a/b/blob/main/"
    >>> reader_colab_url(colab + "notebooks/08_kv.ipynb")
    'https://colab.research.google.com/github/a/b/blob/main/reader/notebooks/08_kv.ipynb'
    >>> reader_colab_url(colab + "book/guide.ipynb") is None
    True
    """
    check_str("url", url, allow_empty=True)
    match = _COLAB_CHAPTER.match(url)
    return f"{match['head']}{READER_DIR}/{match['path']}" if match else None


def point_colab_to_reader_copies(app, pagename, templatename, context, doctree) -> None:
    """Sphinx ``html-page-context`` hook: a chapter's Colab button opens its reader copy.

    Runs after sphinx-book-theme's ``add_launch_buttons`` (priority 501). A chapter whose copy
    ``reader/notebooks/NN_x.ipynb`` is missing keeps the source link, with a warning (``make
    reader``).
    """
    for group in context.get("header_buttons") or []:
        if group.get("label") != "launch-buttons":
            continue
        for button in group.get("buttons", []):
            new = reader_colab_url(button.get("url", "")) if button.get("text") == "Colab" else None
            if new is None:
                continue
            copy = Path(app.srcdir) / READER_DIR / new.split(f"/{READER_DIR}/", 1)[1]
            if copy.is_file():
                button["url"] = new
            else:
                from sphinx.util import logging

                logging.getLogger(__name__).warning(
                    f"{pagename}: no reader copy {copy.relative_to(app.srcdir)} for Colab "
                    "(make reader); the Colab button opens the MyST source"
                )


def setup(app) -> dict:
    """Register the hooks (``extra_extensions: [llmhistory.book.launch]``).

    :func:`set_repository_url` on ``config-inited``; :func:`point_colab_to_reader_copies` on
    ``html-page-context`` after the theme's launch buttons.
    """
    app.connect("config-inited", set_repository_url)
    app.connect("html-page-context", point_colab_to_reader_copies, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
