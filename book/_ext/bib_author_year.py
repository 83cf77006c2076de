"""Sphinx extension: author-year labels in the bibliography that match the citations in the text.

The text cites "(Touvron et al., 2023)" (sphinxcontrib-bibtex's ``author_year`` reference
style) while pybtex's ``alpha`` bibliography style labels the entry ``[TLI+23]``; and two works
by the same first author in the same year read the same in the text. This extension registers

* the pybtex label style and formatting style ``authoryear``: labels ``Touvron et al., 2023a``
  (one author: surname; two: "A and B"; more: "A et al."), a letter added when two entries
  would get the same label, lettered in the order of their citation keys (so
  ``touvron2023llama`` is 2023a and ``touvron2023llama2`` 2023b); entries sorted by author,
  year and title, formatted as pybtex's ``unsrt``;
* the reference style ``author_year_label`` (``bibtex_reference_style``): sphinxcontrib-bibtex's
  ``author_year`` whose year is the year of the entry's label, letter included, so that the
  text says "Touvron et al., 2023a" exactly where the bibliography does.

Titles keep the capitals that BibTeX braces protect (``{Llama 3}``); ``unsrt`` lower-cases the
rest of a title after its first word.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import pybtex.plugin
import sphinxcontrib.bibtex.plugin
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting.author_year_title import SortingStyle as AuthorYearTitleSorting
from pybtex.style.template import join, node
from sphinx.application import Sphinx
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle
from sphinxcontrib.bibtex.style.referencing.basic_author_year import (
    BasicAuthorYearParentheticalReferenceStyle,
    BasicAuthorYearTextualReferenceStyle,
)
from sphinxcontrib.bibtex.style.template import join2, post_text, pre_text, reference, year

LETTERS = "abcdefghijklmnopqrstuvwxyz"
_LABEL_YEAR = re.compile(r"(\d{4}[a-z]?|n\.d\.[a-z]?)$")


def _surname(person) -> str:
    """Return a person's surname as printed: prefix and last names, LaTeX braces removed."""
    parts = [*person.prelast_names, *person.last_names]
    return re.sub(r"[{}]", "", " ".join(parts)).replace("\\L", "Ł").strip()


def label_base(entry) -> str:
    """Return ``"Surname, 2023"``, ``"A and B, 2023"`` or ``"A et al., 2023"`` for an entry."""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_surname(p) for p in persons]
    if not names:
        who = re.sub(r"[{}]", "", entry.fields.get("title", entry.key))
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabelStyle(BaseLabelStyle):
    """Labels ``Touvron et al., 2023a``: author-year, a letter when two would be the same."""

    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        bases = [label_base(entry) for entry in entries]
        counts = Counter(bases)
        letter = {}
        for base in counts:
            if counts[base] > 1:
                keys = sorted(e.key for e, b in zip(entries, bases, strict=True) if b == base)
                letter.update({(base, key): LETTERS[i] for i, key in enumerate(keys)})
        for entry, base in zip(entries, bases, strict=True):
            yield base + letter.get((base, entry.key), "")


class AuthorYearStyle(UnsrtStyle):
    """pybtex's ``unsrt`` with author-year labels, sorted by author, year and title."""

    default_label_style = AuthorYearLabelStyle
    default_sorting_style = AuthorYearTitleSorting


@node
def label_year(children, data):
    """The year of the entry's bibliography label, with its letter (``2023a``)."""
    assert not children
    match = _LABEL_YEAR.search(data["formatted_entry"].label)
    return Text(match.group(1)) if match else year.format_data(data)


@dataclass
class _Parenthetical(BasicAuthorYearParentheticalReferenceStyle):
    def inner(self, role_name):
        return join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
            pre_text,
            reference[
                join(sep=self.author_year_sep)[
                    self.person.author_or_editor_or_title(full="s" in role_name), label_year
                ]
            ],
            post_text,
        ]


@dataclass
class _Textual(BasicAuthorYearTextualReferenceStyle):
    def inner(self, role_name):
        return join(sep=self.text_reference_sep)[
            self.person.author_or_editor_or_title(full="s" in role_name),
            join[
                self.bracket.left,
                join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
                    pre_text, reference[label_year], post_text
                ],
                self.bracket.right,
            ],
        ]


@dataclass
class AuthorYearLabelReferenceStyle(AuthorYearReferenceStyle):
    """``author_year`` whose year is the label's (``Touvron et al., 2023a``)."""

    def __post_init__(self):
        super().__post_init__()
        self.styles[0] = _Parenthetical(
            bracket=self.bracket_parenthetical,
            person=self.person,
            author_year_sep=self.author_year_sep,
            pre_text_sep=self.pre_text_sep,
            post_text_sep=self.post_text_sep,
        )
        self.styles[1] = _Textual(
            bracket=self.bracket_textual,
            person=self.person,
            text_reference_sep=self.text_reference_sep,
            pre_text_sep=self.pre_text_sep,
            post_text_sep=self.post_text_sep,
        )
        # GroupReferenceStyle mapped each role to the styles made above: map them again.
        self.role_style.update(
            (role, style) for style in self.styles[:2] for role in style.role_names()
        )


def _register() -> None:
    for group, name, cls in (
        ("pybtex.style.labels", "authoryear", AuthorYearLabelStyle),
        ("pybtex.style.formatting", "authoryear", AuthorYearStyle),
    ):
        try:
            pybtex.plugin.find_plugin(group, name)
        except pybtex.plugin.PluginNotFound:
            pybtex.plugin.register_plugin(group, name, cls)
    sphinxcontrib.bibtex.plugin.register_plugin(
        "sphinxcontrib.bibtex.style.referencing", "author_year_label", AuthorYearLabelReferenceStyle
    )


def setup(app: Sphinx) -> dict:
    _register()
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
