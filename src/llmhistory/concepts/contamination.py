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
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from llmhistory._validate import check_instance, check_positive_int, check_sequence, check_str

__all__ = [
    "ItemOverlap",
    "PlantedScore",
    "dirty_indices",
    "ngram_index",
    "ngrams",
    "overlap_report",
    "plant_and_score",
    "recall_labels",
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


def recall_labels(items: Sequence[str], training: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    """Label each item as a pure memorizer would: by the training text it shares most with.

    The label of an item is the majority label of the training examples that share its
    *longest* run of consecutive words (ties in length are settled by the number of examples
    per label, then alphabetically). It learns nothing but the training text itself, which
    makes it the simplest model whose score a leaked test item can inflate: an item copied
    into training shares all of its words with its own copy, so it gets its copy's label
    back. An item that shares no word with training gets the most common training label.

    Parameters
    ----------
    items : sequence of str
        Texts to label (non-blank).
    training : sequence of (str, str)
        ``(text, label)`` pairs the memorizer has seen.

    Returns
    -------
    tuple of str
        One label per item, in order.

    Raises
    ------
    TypeError, ValueError
        If ``items`` or ``training`` is empty, or holds a blank text or label.

    Examples
    --------
    >>> training = [("where is my parcel", "Shipping"), ("refund my jacket please", "Refund")]
    >>> recall_labels(["my jacket please", "is my parcel late"], training)
    ('Refund', 'Shipping')
    """
    items = check_sequence("items", items, "item")
    training = check_sequence("training", training, "(text, label) pair")
    by_run: dict[tuple[str, ...], Counter[str]] = {}
    overall: Counter[str] = Counter()
    for i, pair in enumerate(training):
        if not (isinstance(pair, tuple) and len(pair) == 2):
            raise TypeError(f"training[{i}] must be a (text, label) pair, got {pair!r}")
        text = check_str(f"training[{i}][0]", pair[0])
        label = check_str(f"training[{i}][1]", pair[1])
        overall[label] += 1
        w = words(text)
        runs = {w[a:b] for a in range(len(w)) for b in range(a + 1, len(w) + 1)}
        for run in runs:
            by_run.setdefault(run, Counter())[label] += 1
    fallback = min(overall, key=lambda label: (-overall[label], label))
    labels = []
    for i, text in enumerate(items):
        w = words(check_str(f"items[{i}]", text))
        chosen = fallback
        for length in range(len(w), 0, -1):
            votes: Counter[str] = Counter()
            for a in range(len(w) - length + 1):
                votes.update(by_run.get(w[a : a + length], Counter()))
            if votes:
                chosen = min(votes, key=lambda label: (-votes[label], label))
                break
        labels.append(chosen)
    return tuple(labels)


@dataclass(frozen=True)
class PlantedScore:
    """A memorizer's accuracy before and after test items were planted in its training data.

    Attributes
    ----------
    planted : tuple of int
        Indices of the test items copied into training.
    clean_right, leaked_right : tuple of bool
        Per test item: right when trained on the clean data / on the data with the copies.
    """

    planted: tuple[int, ...]
    clean_right: tuple[bool, ...]
    leaked_right: tuple[bool, ...]

    def _share(self, right: tuple[bool, ...], planted: bool | None) -> float:
        chosen = [
            r for i, r in enumerate(right) if planted is None or (i in self.planted) == planted
        ]
        return sum(chosen) / len(chosen)

    @property
    def clean_score(self) -> float:
        """Accuracy on all items, trained on the clean data."""
        return self._share(self.clean_right, None)

    @property
    def leaked_score(self) -> float:
        """Accuracy on all items, trained with the planted copies: the score a report would show."""
        return self._share(self.leaked_right, None)

    @property
    def planted_before(self) -> float:
        """Accuracy on the planted items alone, trained on the clean data."""
        return self._share(self.clean_right, True)

    @property
    def planted_after(self) -> float:
        """Accuracy on the planted items alone, trained with their copies."""
        return self._share(self.leaked_right, True)

    @property
    def unplanted_after(self) -> float:
        """Accuracy on the items not planted, trained with the copies: the clean subset."""
        return self._share(self.leaked_right, False)

    @property
    def unplanted_before(self) -> float:
        """Accuracy on the items that were not planted, trained on the clean data."""
        return self._share(self.clean_right, False)


def plant_and_score(
    items: Sequence[tuple[str, str]],
    training: Sequence[tuple[str, str]],
    planted: Sequence[int],
) -> PlantedScore:
    """Score :func:`recall_labels` on ``items``, trained without and then with copies of some.

    The experiment behind a contamination report, made on purpose: the items at ``planted``
    are added to the training pairs with their labels, as a leaked benchmark would be, and the
    same items are scored again.

    Parameters
    ----------
    items : sequence of (str, str)
        ``(text, label)`` test items.
    training : sequence of (str, str)
        Clean training pairs.
    planted : sequence of int
        Distinct indices into ``items`` to copy into training (at least one, not all).

    Returns
    -------
    PlantedScore

    Raises
    ------
    ValueError
        If ``planted`` is empty, covers every item, repeats an index or holds one out of range.

    Examples
    --------
    >>> training = [("where is my parcel", "Shipping"), ("refund my jacket", "Refund")]
    >>> items = [("my parcel never came", "Refund"), ("jacket refund now", "Refund")]
    >>> result = plant_and_score(items, training, [0])
    >>> result.planted_before, result.planted_after, result.unplanted_after
    (0.0, 1.0, 1.0)
    """
    items = check_sequence("items", items, "(text, label) pair")
    training = check_sequence("training", training, "(text, label) pair")
    planted = tuple(check_sequence("planted", planted, "index"))
    if len(set(planted)) != len(planted):
        raise ValueError(f"planted must not repeat an index, got {planted}")
    if len(planted) >= len(items):
        raise ValueError("planted must leave at least one item clean")
    for i in planted:
        if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < len(items):
            raise ValueError(f"planted holds {i!r}, not an index of the {len(items)} items")
    texts = [text for text, _ in items]
    truth = [label for _, label in items]
    clean = recall_labels(texts, training)
    leaked = recall_labels(texts, tuple(training) + tuple(items[i] for i in planted))
    return PlantedScore(
        planted=tuple(sorted(planted)),
        clean_right=tuple(a == b for a, b in zip(clean, truth, strict=True)),
        leaked_right=tuple(a == b for a, b in zip(leaked, truth, strict=True)),
    )
