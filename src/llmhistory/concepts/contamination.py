"""Benchmark contamination: which evaluation items share a word n-gram with the training text.

GPT-3's paper (Brown et al. 2020, appendix C) called an evaluation item *dirty* when any of its
word N-grams also occurs in the training data, with N between 8 and 13 depending on the data
set; later reports mostly use 13. The test is deliberately blunt: one shared run of N words
flags the item, whatever the rest of it says. This module implements it on plain text:
:func:`words` normalizes (lower case, letters and digits only), :func:`ngram_index` collects the
training n-grams, and :func:`overlap_report` says, for each item, how many of its n-grams the
training text holds.

>>> index = ngram_index(["Where is my order? It has not arrived yet."], n=4)
>>> [r.dirty for r in overlap_report(["where is my order", "I forgot my password"], index, n=4)]
[True, False]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from llmhistory._validate import check_instance, check_positive_int, check_sequence, check_str

__all__ = [
    "ItemOverlap",
    "dirty_indices",
    "ngram_index",
    "ngrams",
    "overlap_report",
    "words",
]

_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> tuple[str, ...]:
    """Return the words of ``text``: lower-cased runs of ASCII letters and digits.

    Punctuation and spacing never block a match: ``"Order #A10234!"`` and ``"order a10234"``
    have the same words.

    >>> words("Order #A10234 -- where IS it?")
    ('order', 'a10234', 'where', 'is', 'it')
    """
    return tuple(_WORD.findall(check_str("text", text, allow_empty=True).lower()))


def ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    """Return the set of word ``n``-grams of ``text`` (empty when it has fewer than ``n`` words).

    >>> sorted(ngrams("a b c d", 3))
    [('a', 'b', 'c'), ('b', 'c', 'd')]
    """
    n = check_positive_int("n", n)
    w = words(text)
    return set(zip(*(w[i:] for i in range(n)), strict=False))


def ngram_index(documents: Iterable[str], n: int) -> frozenset[tuple[str, ...]]:
    """Return every word ``n``-gram of ``documents``, the training side of the check.

    Parameters
    ----------
    documents : iterable of str
        Training texts (repeated texts are read once).
    n : int
        N-gram length in words, ``>= 1`` (GPT-3 used 8 to 13).

    Returns
    -------
    frozenset of tuple of str

    Raises
    ------
    TypeError
        If ``documents`` is a single string or holds a non-string.
    ValueError
        If ``n < 1``.

    Examples
    --------
    >>> len(ngram_index(["a b c", "a b c", "b c d"], n=2))
    3
    """
    n = check_positive_int("n", n)
    if isinstance(documents, (str, bytes)):
        raise TypeError("documents must be an iterable of str, got a single str")
    index: set[tuple[str, ...]] = set()
    for i, document in enumerate(set(documents)):
        check_str(f"documents[{i}]", document, allow_empty=True)
        w = _WORD.findall(document.lower())
        index.update(zip(*(w[j:] for j in range(n)), strict=False))
    return frozenset(index)


@dataclass(frozen=True)
class ItemOverlap:
    """How much of one evaluation item the training n-grams cover.

    Attributes
    ----------
    index : int
        Position of the item in the evaluation set.
    text : str
    ngrams : int
        Distinct n-grams of the item (0 when it has fewer than n words).
    shared : int
        How many of them occur in the training text.
    """

    index: int
    text: str
    ngrams: int
    shared: int

    @property
    def dirty(self) -> bool:
        """True when at least one n-gram is shared (GPT-3's definition)."""
        return self.shared > 0

    @property
    def share(self) -> float:
        """Fraction of the item's n-grams found in training, 0.0 for a too-short item."""
        return self.shared / self.ngrams if self.ngrams else 0.0


def overlap_report(
    items: Sequence[str], index: frozenset[tuple[str, ...]], n: int
) -> tuple[ItemOverlap, ...]:
    """Return one :class:`ItemOverlap` per evaluation item against a training ``index``.

    Parameters
    ----------
    items : sequence of str
        Evaluation texts (non-blank).
    index : frozenset
        From :func:`ngram_index` with the same ``n``.
    n : int
        N-gram length in words.

    Returns
    -------
    tuple of ItemOverlap
        In the order of ``items``.

    Raises
    ------
    TypeError, ValueError
        If ``items`` is empty or holds a blank text, ``index`` is not a frozenset, or an
        n-gram of ``index`` has another length than ``n``.

    Examples
    --------
    >>> index = ngram_index(["please refund my order today"], n=3)
    >>> r = overlap_report(["refund my order now please"], index, n=3)[0]
    >>> r.ngrams, r.shared, r.dirty
    (3, 1, True)
    """
    items = check_sequence("items", items, "item")
    index = check_instance("index", index, frozenset)
    n = check_positive_int("n", n)
    sample = next(iter(index), None)
    if sample is not None and len(sample) != n:
        raise ValueError(f"index holds {len(sample)}-grams but n={n}; build it with the same n")
    report = []
    for i, text in enumerate(items):
        text = check_str(f"items[{i}]", text)
        grams = ngrams(text, n)
        report.append(ItemOverlap(i, text, len(grams), len(grams & index)))
    return tuple(report)


def dirty_indices(report: Sequence[ItemOverlap]) -> tuple[int, ...]:
    """Return the indices of the dirty items of ``report``, in order.

    >>> dirty_indices([ItemOverlap(0, "a", 2, 0), ItemOverlap(1, "b", 2, 1)])
    (1,)
    """
    report = check_sequence("report", report, ItemOverlap)
    return tuple(r.index for r in report if r.dirty)
