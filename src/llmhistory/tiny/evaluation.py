"""How well the tiny model labels support messages: accuracy and the confusion matrix.

:func:`load_support_set` returns customer messages written by hand, independently of the
templates of :mod:`llmhistory.tiny.corpus`, in nine sets (:data:`SUPPORT_SETS`). The shipped
model is trained on the generated corpus plus seven of them (:data:`TRAINING_SETS`, 1,466
messages), was chosen on an eighth (``eval``, 97 messages), and is reported on the ninth,
which it never saw while being built (:data:`REPORT_SETS`: ``test4``, 150 messages); chapter 1
scores it.

:func:`evaluate_labels` classifies tickets the way chapter 1 does (few-shot prompt, then
:func:`llmhistory.tiny.generation.rank_labels`) and returns a :class:`LabelReport`: the accuracy and
the confusion matrix, rows the true label and columns the predicted one.

>>> from llmhistory.tiny import load_tiny
>>> report = evaluate_labels(*load_tiny(), [Ticket("I forgot my password.", "Account")])
>>> report.accuracy, report.confusion.tolist()
(1.0, [[0, 0, 0], [0, 0, 0], [0, 0, 1]])
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np

from llmhistory._validate import check_choice, check_instance, check_int, check_sequence, check_str
from llmhistory.concepts.prompts import SUPPORT_EXAMPLES, SUPPORT_LABELS, build_label_prompt
from llmhistory.tiny.corpus import SupportSplit, Ticket, support_split
from llmhistory.tiny.generation import rank_labels
from llmhistory.tiny.model import TinyDecoder
from llmhistory.tiny.tokenizer import BPETokenizer

__all__ = [
    "REPORT_SETS",
    "SUPPORT_SETS",
    "TRAINING_SETS",
    "training_split",
    "LabelReport",
    "confusion_matrix",
    "evaluate_labels",
    "load_support_set",
    "parse_support_lines",
    "predict_labels",
]

#: The hand-written sets: name -> file in ``llmhistory/tiny/data``.
SUPPORT_SETS: dict[str, str] = {
    "eval": "eval_support.jsonl",
    "dev": "dev_support.jsonl",
    "test": "test_support.jsonl",
    "dev2": "dev2_support.jsonl",
    "test2": "test2_support.jsonl",
    "test3": "test3_support.jsonl",
    "train_a": "train_a_support.jsonl",
    "train_b": "train_b_support.jsonl",
    "test4": "test4_support.jsonl",
}

#: Hand-written sets that ``scripts/train_tiny.py`` adds to the generated training tickets.
TRAINING_SETS: tuple[str, ...] = ("dev", "dev2", "test", "test2", "test3", "train_a", "train_b")

#: Hand-written sets the shipped model never saw while it was trained or chosen.
REPORT_SETS: tuple[str, ...] = ("test4",)

_FIELDS = {"message", "label"}


def parse_support_lines(lines: Sequence[str], source: str = "<lines>") -> tuple[Ticket, ...]:
    """Return the tickets of JSON-lines text, one ``{"message": ..., "label": ...}`` a line.

    Blank lines are skipped. Errors name ``source`` and the line number.

    >>> parse_support_lines(['{"message": "Where is it?", "label": "Shipping"}'])
    (Ticket(message='Where is it?', label='Shipping'),)
    """
    tickets = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"{source}:{number} is not JSON: {error.msg}") from None
        if not isinstance(row, dict) or set(row) != _FIELDS:
            raise ValueError(f"{source}:{number} must be an object with keys label and message")
        try:
            ticket = Ticket(row["message"], row["label"])
        except (TypeError, ValueError) as error:
            raise ValueError(f"{source}:{number}: {error}") from None
        if "\n" in ticket.message or "\r" in ticket.message:
            raise ValueError(f"{source}:{number}: message must be a single line")
        tickets.append(ticket)
    return tuple(tickets)


def load_support_set(name: str = "eval") -> tuple[Ticket, ...]:
    """Return the hand-written tickets of the set ``name`` (see ``SUPPORT_SETS``), in file order.

    Parameters
    ----------
    name : str, default "eval"
        A key of :data:`SUPPORT_SETS`. Training sets (:data:`TRAINING_SETS`), added to the
        generated corpus by ``scripts/train_tiny.py``: ``"dev"`` (90 messages, 30 per label),
        ``"dev2"`` (120: 30 Refund, 30 Shipping, 60 Account), ``"test"`` (120, 40 per label),
        ``"test2"`` (150, 50 per label), ``"test3"`` (148: 50 Refund, 49 Shipping, 49
        Account), ``"train_a"`` (419: 140 Refund, 140 Shipping, 139 Account) and
        ``"train_b"`` (419: 140 Refund, 139 Shipping, 140 Account); the three test sets were
        report sets of earlier models. ``"eval"``: 97 messages (33 Refund, 32
        Shipping, 32 Account), never trained on, used to choose between trained candidates.
        ``"test4"`` (:data:`REPORT_SETS`): 150 messages (50 per label), neither trained nor
        chosen on, scored once for the shipped model: the number chapter 1 reports.

    Returns
    -------
    tuple of Ticket

    Raises
    ------
    ValueError
        If ``name`` is not a known set, or its file is malformed.

    Examples
    --------
    >>> tickets = load_support_set("eval")
    >>> len(tickets), tickets[0].label
    (97, 'Refund')
    >>> len(load_support_set("test"))
    120
    """
    check_choice("name", name, tuple(SUPPORT_SETS))
    path = resources.files(__package__) / "data" / SUPPORT_SETS[name]
    return parse_support_lines(path.read_text(encoding="utf-8").splitlines(), SUPPORT_SETS[name])


def training_split(
    names: Sequence[str] = TRAINING_SETS, *, repeat: int = 4, seed: int = 0
) -> SupportSplit:
    """Return the tickets the shipped model was trained on, as ``scripts/train_tiny.py`` does.

    The generated split of :func:`llmhistory.tiny.corpus.support_split` (20,000 training and
    100 held-out tickets) with the hand-written sets ``names`` added to its training tickets,
    each message ``repeat`` times. ``training_documents(training_split(), 30_000, seed=1)``
    is then the text the shipped model read.

    Parameters
    ----------
    names : sequence of str, default :data:`TRAINING_SETS`
        Keys of :data:`SUPPORT_SETS`; empty for the generated tickets alone.
    repeat : int, default 4
        Copies of each hand-written ticket, ``>= 1``.
    seed : int, default 0
        Seed of the generated split, ``>= 0``.

    Returns
    -------
    SupportSplit
        ``held_out`` is the generated held-out split; no hand-written message is in it.

    Examples
    --------
    >>> split = training_split()
    >>> len(split.train), len(split.held_out)
    (25864, 100)
    """
    names = tuple(check_choice("names", name, tuple(SUPPORT_SETS)) for name in names)
    repeat = check_int("repeat", repeat, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    split = support_split(n_train=20_000, n_held_out=100, seed=seed)
    written = tuple(ticket for name in names for ticket in load_support_set(name))
    return SupportSplit(train=split.train + written * repeat, held_out=split.held_out)


def confusion_matrix(
    true: Sequence[str], predicted: Sequence[str], labels: Sequence[str] = SUPPORT_LABELS
) -> np.ndarray:
    """Return the ``(n_labels, n_labels)`` int matrix counting (true label, predicted label).

    Row ``i`` is the true label ``labels[i]``, column ``j`` the predicted ``labels[j]``; the
    diagonal holds the correct answers and every row sums to that label's count.

    Parameters
    ----------
    true, predicted : sequence of str
        Labels of equal, non-zero length, each one of ``labels``.
    labels : sequence of str, default ``("Refund", "Shipping", "Account")``
        Distinct labels, in the order of the rows and columns.

    Raises
    ------
    TypeError, ValueError
        If the sequences differ in length, are empty, or hold an unknown label.

    Examples
    --------
    >>> confusion_matrix(["Refund", "Refund", "Account"], ["Refund", "Shipping", "Account"])
    array([[1, 1, 0],
           [0, 0, 0],
           [0, 0, 1]])
    """
    true = check_sequence("true", true, "label")
    predicted = check_sequence("predicted", predicted, "label")
    labels = check_sequence("labels", labels, "label")
    if len(set(labels)) != len(labels):
        raise ValueError(f"labels must be distinct, got {list(labels)}")
    if len(true) != len(predicted):
        raise ValueError(f"true has {len(true)} labels but predicted has {len(predicted)}")
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for i, (t, p) in enumerate(zip(true, predicted, strict=True)):
        check_choice(f"true[{i}]", t, labels)
        check_choice(f"predicted[{i}]", p, labels)
        matrix[index[t], index[p]] += 1
    return matrix


def predict_labels(
    model: TinyDecoder,
    tokenizer: BPETokenizer,
    messages: Sequence[str],
    *,
    examples: Sequence[tuple[str, str]] = SUPPORT_EXAMPLES,
    labels: Sequence[str] = SUPPORT_LABELS,
) -> tuple[str, ...]:
    """Return the label :func:`~llmhistory.tiny.generation.rank_labels` puts first for each message.

    Each message is wrapped in the few-shot prompt of
    :func:`llmhistory.concepts.prompts.build_label_prompt` with ``examples``, as in chapter 1.

    Examples
    --------
    >>> from llmhistory.tiny import load_tiny
    >>> predict_labels(*load_tiny(), ["I want my money back.", "Where is my parcel?"])
    ('Refund', 'Shipping')
    """
    messages = check_sequence("messages", messages, "message")
    for i, message in enumerate(messages):
        check_str(f"messages[{i}]", message)
    predicted = []
    for message in messages:
        prompt = build_label_prompt(message, examples, labels=labels)
        predicted.append(rank_labels(model, tokenizer, prompt, labels)[0][0])
    return tuple(predicted)


@dataclass(frozen=True)
class LabelReport:
    """The labels of a set of tickets, true and predicted.

    Attributes
    ----------
    tickets : tuple of Ticket
    predicted : tuple of str
        One predicted label per ticket.
    labels : tuple of str
        The candidate labels, in the order of the confusion matrix.
    """

    tickets: tuple[Ticket, ...]
    predicted: tuple[str, ...]
    labels: tuple[str, ...] = SUPPORT_LABELS

    def __post_init__(self) -> None:
        check_sequence("tickets", self.tickets, Ticket)
        if len(self.predicted) != len(self.tickets):
            raise ValueError(
                f"predicted has {len(self.predicted)} labels for {len(self.tickets)} tickets"
            )

    @property
    def confusion(self) -> np.ndarray:
        """The ``(n_labels, n_labels)`` counts: row the true label, column the predicted one."""
        return confusion_matrix([t.label for t in self.tickets], self.predicted, self.labels)

    @property
    def correct(self) -> int:
        """How many tickets got their true label."""
        return int(np.trace(self.confusion))

    @property
    def hits(self) -> np.ndarray:
        """``(n_tickets,)`` bool, in ticket order: whether each ticket got its true label.

        The per-item outcomes a bootstrap resamples
        (:func:`llmhistory.concepts.evaluation_stats.bootstrap_interval`).
        """
        pairs = zip(self.tickets, self.predicted, strict=True)
        return np.array([t.label == p for t, p in pairs], dtype=bool)

    @property
    def accuracy(self) -> float:
        """The fraction of tickets labelled correctly, in ``[0, 1]``."""
        return self.correct / len(self.tickets)

    def mistakes(self, max_chars: int | None = None) -> tuple[tuple[str, str, str], ...]:
        """Return ``(message, true label, predicted label)`` for every wrong answer.

        ``max_chars`` (``>= 20``), if given, shortens each message to at most that many
        characters at a word boundary, ending in " ...", so that a table of mistakes fits a
        page.

        >>> long = Ticket("Where is my parcel? It was due on Monday and nothing came.", "Shipping")
        >>> LabelReport((long,), ("Refund",)).mistakes(max_chars=30)
        (('Where is my parcel? It was ...', 'Shipping', 'Refund'),)
        """
        if max_chars is not None:
            max_chars = check_int("max_chars", max_chars, minimum=20)
        return tuple(
            (
                t.message
                if max_chars is None
                else textwrap.shorten(t.message, max_chars, placeholder=" ..."),
                t.label,
                p,
            )
            for t, p in zip(self.tickets, self.predicted, strict=True)
            if t.label != p
        )

    def rows(self) -> list[tuple[object, ...]]:
        """Return the confusion matrix as rows ``(true label, count predicted as each label...)``.

        For :func:`llmhistory.book.tables.format_table` with the columns
        ``["true \\ predicted", *report.labels]``.

        >>> tickets = (Ticket("Refund me.", "Refund"), Ticket("Where is it?", "Shipping"))
        >>> LabelReport(tickets, ("Refund", "Refund")).rows()
        [('Refund', 1, 0, 0), ('Shipping', 1, 0, 0), ('Account', 0, 0, 0)]
        """
        return [
            (label, *(int(n) for n in row))
            for label, row in zip(self.labels, self.confusion, strict=True)
        ]

    def per_label(self) -> dict[str, float]:
        """Return each label's recall: the fraction of its tickets labelled correctly.

        A label with no tickets is left out.

        >>> tickets = (Ticket("Refund me.", "Refund"), Ticket("Money back!", "Refund"))
        >>> LabelReport(tickets, ("Refund", "Shipping")).per_label()
        {'Refund': 0.5}
        """
        confusion = self.confusion
        return {
            label: float(confusion[i, i] / confusion[i].sum())
            for i, label in enumerate(self.labels)
            if confusion[i].sum()
        }

    def most_confused(self) -> tuple[str, str, int] | None:
        """Return ``(true label, predicted label, count)`` of the largest off-diagonal cell.

        Ties go to the earlier row, then the earlier column; ``None`` when every answer is right.

        >>> tickets = (Ticket("Refund me.", "Refund"), Ticket("Money back!", "Refund"))
        >>> LabelReport(tickets, ("Shipping", "Shipping")).most_confused()
        ('Refund', 'Shipping', 2)
        """
        errors = self.confusion.copy()
        np.fill_diagonal(errors, 0)
        if not errors.any():
            return None
        i, j = np.unravel_index(int(np.argmax(errors)), errors.shape)
        return self.labels[int(i)], self.labels[int(j)], int(errors[i, j])

    def table(self) -> str:
        """Return the confusion matrix as a Markdown table, rows true and columns predicted.

        >>> tickets = (Ticket("Refund me.", "Refund"), Ticket("Where is it?", "Shipping"))
        >>> print(LabelReport(tickets, ("Refund", "Refund")).table())
        | true \\ predicted | Refund | Shipping | Account |
        |---|---|---|---|
        | Refund | 1 | 0 | 0 |
        | Shipping | 1 | 0 | 0 |
        | Account | 0 | 0 | 0 |
        """
        lines = [
            "| true \\ predicted | " + " | ".join(self.labels) + " |",
            "|---" * (len(self.labels) + 1) + "|",
        ]
        for label, row in zip(self.labels, self.confusion, strict=True):
            lines.append(f"| {label} | " + " | ".join(str(int(n)) for n in row) + " |")
        return "\n".join(lines)


def evaluate_labels(
    model: TinyDecoder,
    tokenizer: BPETokenizer,
    tickets: Sequence[Ticket],
    *,
    examples: Sequence[tuple[str, str]] = SUPPORT_EXAMPLES,
    labels: Sequence[str] = SUPPORT_LABELS,
) -> LabelReport:
    """Return the :class:`LabelReport` of ``model`` labelling ``tickets`` with a few-shot prompt.

    Parameters
    ----------
    model : TinyDecoder
    tokenizer : BPETokenizer
    tickets : sequence of Ticket
        For example :func:`load_support_set` or ``support_split(...).held_out``.
    examples : sequence of (message, label), default the book's three shots
    labels : sequence of str, default ``("Refund", "Shipping", "Account")``

    Returns
    -------
    LabelReport
        ``.accuracy``, ``.confusion`` (rows true, columns predicted), ``.mistakes()``.

    Raises
    ------
    TypeError, ValueError
        If ``tickets`` is empty or holds something other than tickets, or a ticket's label is
        not one of ``labels``.

    Examples
    --------
    >>> from llmhistory.tiny import load_tiny
    >>> report = evaluate_labels(*load_tiny(), [Ticket("I want my money back.", "Refund")])
    >>> report.correct, report.mistakes()
    (1, ())
    """
    model = check_instance("model", model, TinyDecoder)
    tickets = check_sequence("tickets", tickets, Ticket)
    labels = check_sequence("labels", labels, "label")
    for i, ticket in enumerate(tickets):
        check_choice(f"tickets[{i}].label", ticket.label, labels)
    predicted = predict_labels(
        model, tokenizer, [t.message for t in tickets], examples=examples, labels=labels
    )
    return LabelReport(tickets, predicted, labels)
