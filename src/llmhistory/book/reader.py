"""Reader notebooks: the chapters as a learner should see them in any notebook app.

The chapters are written in MyST for the book: numbers are pasted in with
``{glue:text}`ch09_mha_gib:.0f` ``, citations are ``{cite:p}`touvron2023llama2` ``, solutions sit
in ``:::{dropdown}`` blocks and in cells tagged ``hide-cell``. JupyterLab, Jupyter Notebook, VS
Code and Colab render Markdown, not MyST: they would show that markup. (The JupyterLab MyST
extension renders dropdowns but neither glue roles nor BibTeX citations.) So a reader copy is
rendered from each chapter:

- each glue role becomes its value, formatted as the book formats it, from the notebook's
  stored outputs (``make outputs`` wrote them, nbval checks them);
- each citation becomes author-year text ("Touvron et al., 2023") linked to a reference list
  appended to the notebook, with each work's title, venue, year and link;
- a dropdown becomes an HTML ``<details>`` block (closed until clicked) and a note a quote;
- solution code cells are collapsed, with their outputs removed, until the learner opens and
  runs them; cells the book hides (``hide-input``) are collapsed too.

``make lab`` opens JupyterLab on reader copies, and Binder's ``postBuild`` renders them in place.
Colab opens notebooks only from a repository (``colab.research.google.com/github/...``), so the
copies it opens are committed in ``reader/notebooks`` (``make reader`` writes them; ``--check``
and ``tests/test_reader.py`` fail when one is out of date) and the book's Colab buttons point
there (:mod:`llmhistory.book.launch`).
Command line: ``python -m llmhistory.book.reader notebooks --out dist/lab/notebooks``;
``python -m llmhistory.book.reader notebooks --out reader/notebooks --check``.
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Reference",
    "equation_numbers",
    "format_glue",
    "glued_values",
    "load_bibliography",
    "reader_copy_text",
    "reference_list",
    "render_markdown",
    "render_notebook",
    "stale_copies",
]

ROOT = Path(__file__).resolve().parents[3]
DEFAULT_BIB = ROOT / "book" / "references.bib"

_GLUE = re.compile(r"\{glue:text\}`([^`]+)`")
_CITE = re.compile(r"\{cite:([pt])\}`([^`]+)`")
_FENCE_OPEN = re.compile(r"^(:{3,}|`{3,})\{(dropdown|note|tip|warning|important)\}[ \t]*(.*)$")
_LABEL = re.compile(r"^\([\w\-:.]+\)=[ \t]*$", re.M)
_ROLE_LEFT = re.compile(r"\{[a-z][\w:\-]*\}`")
_TEXT_ROLE = re.compile(r"\{(term|ref|doc|numref|abbr|download)\}`([^`]+)`")
_MATH_ROLE = re.compile(r"\{math\}`([^`]+)`")
_EQ_ROLE = re.compile(r"\{eq\}`([^`]+)`")
_EQ_LABEL = re.compile(r"\$\$[ \t]*\(([\w\-:.]+)\)")


@dataclass(frozen=True)
class Reference:
    """One BibTeX entry, enough to cite it: key, first authors' surnames, year, title, where."""

    key: str
    surnames: tuple[str, ...]
    year: str
    title: str
    venue: str
    url: str

    @property
    def label(self) -> str:
        """Return the author part of an author-year citation, e.g. ``"Touvron et al."``."""
        if len(self.surnames) == 1:
            return self.surnames[0]
        if len(self.surnames) == 2 and self.surnames[1] != "others":
            return f"{self.surnames[0]} and {self.surnames[1]}"
        return f"{self.surnames[0]} et al."


def _fields(body: str) -> dict[str, str]:
    """Return the ``name = {value}`` / ``name = "value"`` / ``name = 123`` fields of an entry."""
    fields: dict[str, str] = {}
    i = 0
    while True:
        match = re.compile(r"\s*,?\s*(\w+)\s*=\s*").match(body, i)
        if not match:
            return fields
        name, i = match.group(1).lower(), match.end()
        if i < len(body) and body[i] in '{"':
            close = "}" if body[i] == "{" else '"'
            depth, j = 0, i
            while j < len(body):
                if body[j] == "{":
                    depth += 1
                elif body[j] == "}":
                    depth -= 1
                if (close == "}" and depth == 0) or (close == '"' and j > i and body[j] == '"'):
                    break
                j += 1
            fields[name] = body[i + 1 : j]
            i = j + 1
        else:
            end = re.compile(r"[^,\s}]*").match(body, i).end()
            fields[name] = body[i:end]
            i = end


_LATEX = {r"{\L}": "Ł", r"\L": "Ł", r"\"o": "ö", r"\"u": "ü", r"\'e": "é", r"\&": "&"}


def _plain(text: str) -> str:
    """Return BibTeX text without braces and with the few accents the bibliography uses."""
    for latex, char in _LATEX.items():
        text = text.replace(latex, char)
    text = re.sub(r"\\[a-zA-Z]+\s*", "", text)
    return re.sub(r"\s+", " ", text.replace("{", "").replace("}", "")).strip()


def _split_authors(raw: str) -> list[str]:
    """Split a BibTeX author field at the top-level " and "s."""
    names, depth, start = [], 0, 0
    for i, char in enumerate(raw):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and raw.startswith(" and ", i):
            names.append(raw[start:i])
            start = i + 5
    names.append(raw[start:])
    return [n.strip() for n in names if n.strip() and n.strip() != "others"]


def _surname(name: str) -> str:
    """Return the surname of "Last, First" or "First Last"; a {Braced Body} is kept whole."""
    if name.startswith("{") and name.endswith("}") and name.count("{") == 1:
        return _plain(name)
    name = _plain(name)
    return name.split(",")[0].strip() if "," in name else name.split()[-1]


def load_bibliography(path: Path | str = DEFAULT_BIB) -> dict[str, Reference]:
    """Return the entries of a BibTeX file by key.

    >>> refs = load_bibliography()
    >>> refs["vaswani2017attention"].label, refs["vaswani2017attention"].year
    ('Vaswani et al.', '2017')
    """
    text = Path(path).read_text(encoding="utf-8")
    refs: dict[str, Reference] = {}
    for match in re.finditer(r"@(\w+)\s*\{\s*([^,\s]+)\s*,", text):
        start, depth, j = match.end(), 1, match.end()
        while j < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        fields = {k: _plain(v) for k, v in _fields(text[start : j - 1]).items()}
        raw = _fields(text[start : j - 1]).get("author", "")
        surnames = tuple(_surname(a) for a in _split_authors(raw))
        if re.search(r"\sand\s+others\s*$", raw):
            surnames += ("others",)  # "A and B and others" is cited "A et al."
        key = match.group(2)
        venue = next(
            (
                fields[f]
                for f in ("journal", "booktitle", "institution", "publisher", "howpublished")
                if fields.get(f)
            ),
            "",
        )
        url = fields.get("url") or (f"https://doi.org/{fields['doi']}" if "doi" in fields else "")
        refs[key] = Reference(
            key,
            surnames or (fields.get("organization", key),),
            fields.get("year", ""),
            fields.get("title", ""),
            venue,
            url,
        )
    return _with_year_suffixes(refs)


def _with_year_suffixes(refs: dict[str, Reference]) -> dict[str, Reference]:
    """Give entries that share an author-year label a, b, ... suffixes (by key order)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for key, ref in sorted(refs.items()):
        groups.setdefault((ref.label, ref.year), []).append(key)
    out = dict(refs)
    for keys in groups.values():
        if len(keys) > 1:
            for letter, key in zip("abcdefghij", keys, strict=False):
                ref = refs[key]
                out[key] = Reference(
                    ref.key, ref.surnames, ref.year + letter, ref.title, ref.venue, ref.url
                )
    return out


def glued_values(notebook: dict) -> dict[str, str]:
    """Return the ``text/plain`` of every value the notebook glued, by name."""
    values: dict[str, str] = {}
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get("scrapbook")
            if record:
                prefix = record.get("mime_prefix", "application/papermill.record/")
                text = output.get("data", {}).get(prefix + "text/plain")
                if text is not None:
                    values[record["name"]] = "".join(text)
    return values


def format_glue(text: str, fmt_spec: str) -> str:
    """Return a glued ``text/plain`` value formatted as the book's ``{glue:text}`` shows it.

    >>> format_glue("32.0", ".0f"), format_glue("0.8125", ".1%"), format_glue("'A10234'", "")
    ('32', '81.2%', 'A10234')
    """
    try:
        value = ast.literal_eval(text)
    except (SyntaxError, ValueError):
        value = text
    if not fmt_spec:
        return str(value)
    kind = fmt_spec[-1]
    if kind == "s":
        value = str(value)
    elif kind in "bcdoxX":
        value = int(value)
    elif kind in "eEfFgGn%":
        value = float(value)
    return format(value, fmt_spec)


def _cite(kind: str, keys: str, refs: dict[str, Reference], cited: list[str]) -> str:
    parts = []
    for key in (k.strip() for k in keys.split(",")):
        if key not in refs:
            raise KeyError(f"citation key {key!r} is not in the bibliography")
        if key not in cited:
            cited.append(key)
        ref = refs[key]
        if kind == "t":
            parts.append(f"{ref.label} ([{ref.year}](#ref-{key}))")
        else:
            parts.append(f"[{ref.label}, {ref.year}](#ref-{key})")
    return "; ".join(parts) if kind == "t" else "(" + "; ".join(parts) + ")"


def _blocks(text: str) -> str:
    """Return ``text`` with dropdown and admonition fences as HTML details and quotes."""
    lines, out, i = text.split("\n"), [], 0
    while i < len(lines):
        match = _FENCE_OPEN.match(lines[i])
        if not match:
            out.append(lines[i])
            i += 1
            continue
        fence, kind, title = match.groups()
        j = i + 1
        while j < len(lines) and lines[j].strip() != fence:
            j += 1
        body = _blocks("\n".join(lines[i + 1 : j])).strip("\n")
        if kind == "dropdown":
            out += [f"<details><summary>{title or 'Details'}</summary>", "", body, "", "</details>"]
        else:
            heading = title or kind.capitalize()
            out += [f"> **{heading}**", ">"] + [f"> {line}".rstrip() for line in body.split("\n")]
        i = j + 1
    return "\n".join(out)


def render_markdown(
    text: str,
    values: dict[str, str],
    refs: dict[str, Reference],
    cited: list[str],
    equations: dict[str, int | str] | None = None,
) -> str:
    """Return MyST ``text`` as plain Markdown: glue values, author-year citations, details.

    ``cited`` collects the citation keys in order of first use (for the reference list);
    ``equations`` numbers the notebook's labelled display equations (``$$ ... $$ (label)``),
    which are tagged with their number and referred to as "(n)" (:func:`equation_numbers`;
    a number may be a string such as ``"14.2"``, the book's chapter.k form).

    >>> refs = load_bibliography()
    >>> cited = []
    >>> render_markdown("It is {glue:text}`x:.1f` GiB {cite:p}`vaswani2017attention`.",
    ...                 {"x": "16.04"}, refs, cited)
    'It is 16.0 GiB ([Vaswani et al., 2017](#ref-vaswani2017attention)).'
    """

    def glue(match: re.Match) -> str:
        name, _, fmt = match.group(1).partition(":")
        if "::" in match.group(1):
            raise ValueError(f"glue from another notebook is not rendered: {match.group(0)}")
        if name not in values:
            raise KeyError(f"glue name {name!r} has no stored value: run make outputs")
        return format_glue(values[name], fmt)

    def eq(match: re.Match) -> str:
        if match.group(1) not in equations:
            raise KeyError(f"equation label {match.group(1)!r} is not defined in this notebook")
        return f"({equations[match.group(1)]})"

    equations = {} if equations is None else equations
    text = _GLUE.sub(glue, text)
    text = _EQ_LABEL.sub(lambda m: f"\\tag{{{equations.get(m.group(1), '?')}}}\n$$", text)
    text = _EQ_ROLE.sub(eq, text)
    text = _MATH_ROLE.sub(lambda m: f"${m.group(1)}$", text)
    text = _TEXT_ROLE.sub(lambda m: re.sub(r"\s*<[^>]*>$", "", m.group(2)), text)
    text = _CITE.sub(lambda m: _cite(m.group(1), m.group(2), refs, cited), text)
    text = _LABEL.sub("", _blocks(text))
    return text


def equation_numbers(notebook: dict) -> dict[str, int]:
    """Return each labelled display equation's number (``$$ ... $$ (label)`` -> 1, 2, ...).

    In order of first appearance in the Markdown cells, as the book numbers them within a
    chapter (the book prints equation k of chapter N as "(N.k)").

    >>> cell = {"cell_type": "markdown", "source": "$$a$$ (e-a)\\n$$b$$ (e-b)\\n{eq}`e-a`"}
    >>> equation_numbers({"cells": [cell]})
    {'e-a': 1, 'e-b': 2}
    """
    labels = _EQ_LABEL.findall(
        "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")
    )
    return {label: n for n, label in enumerate(dict.fromkeys(labels), start=1)}


def reference_list(cited: list[str], refs: dict[str, Reference]) -> str:
    """Return a "## References" Markdown section listing ``cited``, each anchored ``ref-<key>``."""
    lines = ["## References", ""]
    for key in sorted(cited, key=lambda k: (refs[k].label, refs[k].year)):
        ref = refs[key]
        title = f"[{ref.title}]({ref.url})" if ref.url else ref.title
        venue = f" {ref.venue}." if ref.venue else ""
        lines.append(f'- <a id="ref-{key}"></a>{ref.label} ({ref.year}). {title}.{venue}')
    return "\n".join(lines)


def render_notebook(notebook: dict, refs: dict[str, Reference] | None = None) -> dict:
    """Return a reader copy of a chapter notebook (the input is not modified).

    Markdown cells become plain Markdown (:func:`render_markdown`) and a reference list is
    appended if anything is cited; cells the book hides are collapsed (``jupyter.source_hidden``,
    read by JupyterLab, Notebook 7 and VS Code; Colab's ``cellView: form``); solution cells are
    collapsed and lose their outputs, so the answer shows only when the learner runs it.

    Raises
    ------
    KeyError
        If a glue name has no stored value or a citation key is not in the bibliography.
    """
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise TypeError("notebook must be an nbformat-4 notebook dict with a 'cells' list")
    refs = load_bibliography() if refs is None else refs
    values = glued_values(notebook)
    cited: list[str] = []
    equations = equation_numbers(notebook)
    out = copy.deepcopy(notebook)
    for cell in out["cells"]:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell["cell_type"] == "markdown":
            cell["source"] = render_markdown(
                "".join(cell["source"]), values, refs, cited, equations
            )
        elif cell["cell_type"] == "code":
            meta = cell.setdefault("metadata", {})
            solution = bool(tags & {"solution", "hide-cell"})
            if solution or tags & {"hide-input", "remove-input"}:
                meta["jupyter"] = {**meta.get("jupyter", {}), "source_hidden": True}
                meta["cellView"] = "form"
            if solution:
                cell["outputs"], cell["execution_count"] = [], None
                first = "".join(cell["source"]).split("\n", 1)
                if not first[0].startswith("# Solution"):
                    cell["source"] = "# Solution: open and run this cell to see it.\n" + "".join(
                        cell["source"]
                    )
    if cited:
        out["cells"].append(
            {
                "cell_type": "markdown",
                "id": "references",
                "metadata": {},
                "source": reference_list(cited, refs),
            }
        )
    return out


def leftover_markup(notebook: dict) -> list[str]:
    """Return the MyST roles and directive fences left in a notebook's Markdown (should be [])."""
    found = []
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            text = "".join(cell["source"])
            found += _ROLE_LEFT.findall(text)
            found += [m.group(0) for m in re.finditer(r"^(:::+|```+)\{\w+\}", text, re.M)]
    return found


def reader_copy_text(path: Path | str, refs: dict[str, Reference]) -> str:
    """Return the reader copy of the notebook at ``path`` as the file text the repository stores.

    The text is a function of the chapter (with its stored outputs) and the bibliography only,
    so a committed copy can be checked to be up to date (:func:`stale_copies`).
    """
    rendered = render_notebook(json.loads(Path(path).read_text(encoding="utf-8")), refs)
    return json.dumps(rendered, indent=1, ensure_ascii=False) + "\n"


def stale_copies(
    sources: list[Path], out: Path | str, refs: dict[str, Reference], orphans: bool = True
) -> list[tuple[Path, str]]:
    """Return the reader copies in ``out`` that are missing or differ from their chapter's render.

    Parameters
    ----------
    sources : list of pathlib.Path
        The chapter notebooks.
    out : pathlib.Path or str
        The folder of their reader copies (same file names).
    refs : dict
        The bibliography (:func:`load_bibliography`).
    orphans : bool, default True
        Also report each ``.ipynb`` in ``out`` that has no chapter among ``sources`` (when
        ``sources`` are all the chapters).

    Returns
    -------
    list of (pathlib.Path, str)
        Each out-of-date copy with why: ``"missing"``, ``"differs"`` or ``"no chapter"``.
        Empty when all are current.
    """
    out = Path(out)
    stale = []
    for source in sources:
        target = out / source.name
        if not target.is_file():
            stale.append((target, "missing"))
        elif target.read_text(encoding="utf-8") != reader_copy_text(source, refs):
            stale.append((target, "differs"))
    names = {source.name for source in sources}
    if orphans:
        stale += [(p, "no chapter") for p in sorted(out.glob("*.ipynb")) if p.name not in names]
    return stale


def main(argv: list[str] | None = None) -> int:
    """Command line: write reader copies (``--out DIR`` or ``--in-place``), or ``--check`` them."""
    parser = argparse.ArgumentParser(
        prog="python -m llmhistory.book.reader",
        description="Render chapter notebooks for JupyterLab, Notebook, VS Code and Colab.",
    )
    parser.add_argument("paths", nargs="+", type=Path, help="notebooks or folders of notebooks")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, help="folder for the reader copies")
    where.add_argument("--in-place", action="store_true", help="overwrite (Binder's postBuild)")
    parser.add_argument("--bib", type=Path, default=DEFAULT_BIB, help="the book's BibTeX file")
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if a copy in --out is missing or out of date",
    )
    args = parser.parse_args(argv)
    if args.check and args.out is None:
        parser.error("--check needs --out")
    refs = load_bibliography(args.bib)
    files = [f for p in args.paths for f in (sorted(p.glob("*.ipynb")) if p.is_dir() else [p])]
    if args.check:
        stale = stale_copies(files, args.out, refs, orphans=all(p.is_dir() for p in args.paths))
        for path, why in stale:
            print(f"{path}: {why}")
        print(
            f"{len(stale)} reader copy(ies) out of date: run make reader"
            if stale
            else f"{len(files)} reader copies in {args.out} are up to date"
        )
        return 1 if stale else 0
    for file in files:
        target = file if args.in_place else args.out / file.name
        text = reader_copy_text(file, refs)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    print(f"{len(files)} reader notebook(s) -> {'in place' if args.in_place else args.out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
