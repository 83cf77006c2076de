"""The tiny model as a judge of two replies, and as a labeller scored item by item.

LLM-as-a-judge (Zheng et al. 2023) asks a model which of two answers is better. Zheng et al.
found that judges change their verdict when only the order of the answers changes (*position
bias*), and proposed asking in both orders. :func:`judge_swapped_pairs` does this with the tiny
model: for each customer message, the reply that fits its label and a reply that fits another
label are shown as ``Reply A`` and ``Reply B``, and the judge's verdict is the log-odds
``log P(" A") - log P(" B")`` after ``Better reply:`` (scored with
:func:`~llmhistory.tiny.generation.rank_labels`); then the two replies swap places.
:func:`position_bias` summarizes the verdicts.

:func:`label_probabilities` gives, per message, the tiny model's probabilities of the three
labels (its scores from :func:`~llmhistory.tiny.generation.rank_labels`, normalized over the
labels), with chapter 1's three-shot prompt or with a bare ``Message: ... / Label:`` prompt:
the per-item outcomes that pass@k and paired tests need.

>>> from llmhistory.tiny import load_tiny
>>> from llmhistory.tiny.corpus import Ticket
>>> pairs = judge_swapped_pairs(*load_tiny(), [Ticket("I forgot my password.", "Account")])
>>> pairs[0].right == JUDGE_REPLIES["Account"]
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from llmhistory._validate import (
    check_bool,
    check_choice,
    check_instance,
    check_mapping,
    check_sequence,
    check_str,
)
from llmhistory.concepts.decoding import softmax
from llmhistory.concepts.prompts import SUPPORT_EXAMPLES, SUPPORT_LABELS, build_label_prompt
from llmhistory.tiny.corpus import Ticket
from llmhistory.tiny.generation import rank_labels
from llmhistory.tiny.model import TinyDecoder
from llmhistory.tiny.tokenizer import BPETokenizer

__all__ = [
    "JUDGE_REPLIES",
    "JudgedPair",
    "PositionBias",
    "correct_labels",
    "judge_prompt",
    "judge_swapped_pairs",
    "label_probabilities",
    "position_bias",
]

#: One reply per label, written for this chapter: the right reply to a message of that label.
JUDGE_REPLIES: dict[str, str] = {
    "Refund": "I have started a refund to your card; it takes 5 days.",
    "Shipping": "Your order is on the way and should arrive in 3 days.",
    "Account": "I sent a reset link to your email so you can sign in again.",
}

_SLOTS = ("A", "B")


def judge_prompt(message: str, first: str, second: str) -> str:
    """Return the judge prompt: the customer's message, two replies, then ``Better reply:``.

    >>> print(judge_prompt("Where is it?", "On its way.", "Refunded."))
    Customer: Where is it?
    Reply A: On its way.
    Reply B: Refunded.
    Better reply:
    """
    message = check_str("message", message)
    first = check_str("first", first)
    second = check_str("second", second)
    for name, text in (("message", message), ("first", first), ("second", second)):
        if "\n" in text:
            raise ValueError(f"{name} must be a single line")
    return f"Customer: {message}\nReply A: {first}\nReply B: {second}\nBetter reply:"


def _slot_log_odds(model: TinyDecoder, tokenizer: BPETokenizer, prompt: str) -> float:
    scores = dict(rank_labels(model, tokenizer, prompt, _SLOTS))
    return scores["A"] - scores["B"]


@dataclass(frozen=True)
class JudgedPair:
    """The judge's verdicts on one pair of replies, shown in both orders.

    Attributes
    ----------
    message : str
        The customer's message.
    right, wrong : str
        The reply that fits the message's label, and one that fits another label.
    right_first : float
        ``log P(A) - log P(B)`` with the right reply as A (> 0: the judge picks it).
    right_second : float
        ``log P(A) - log P(B)`` with the right reply as B (< 0: the judge picks it).
    """

    message: str
    right: str
    wrong: str
    right_first: float
    right_second: float

    @property
    def flipped(self) -> bool:
        """True when swapping the replies changes which reply the judge picks."""
        return (self.right_first > 0) != (self.right_second < 0)

    @property
    def swap_averaged(self) -> float:
        """The log-odds for the right reply averaged over both orders (position cancels)."""
        return (self.right_first - self.right_second) / 2


def judge_swapped_pairs(
    model: TinyDecoder,
    tokenizer: BPETokenizer,
    tickets: Sequence[Ticket],
    *,
    replies: Mapping[str, str] = JUDGE_REPLIES,
) -> tuple[JudgedPair, ...]:
    """Return a :class:`JudgedPair` per ticket: the right and a wrong reply, judged both ways.

    The wrong reply is the one for the next label of ``SUPPORT_LABELS`` (Refund -> Shipping ->
    Account -> Refund), so every label is as often right as wrong.

    Parameters
    ----------
    model : TinyDecoder
    tokenizer : BPETokenizer
    tickets : sequence of Ticket
        Customer messages with their labels, e.g. ``load_support_set("eval")``.
    replies : mapping of label to str, default :data:`JUDGE_REPLIES`
        One single-line reply per label.

    Returns
    -------
    tuple of JudgedPair

    Raises
    ------
    TypeError, ValueError
        If ``tickets`` is empty or holds something else, or ``replies`` lacks a label.

    Examples
    --------
    >>> from llmhistory.tiny import load_tiny
    >>> pair = judge_swapped_pairs(*load_tiny(), [Ticket("I want my money back.", "Refund")])[0]
    >>> pair.wrong == JUDGE_REPLIES["Shipping"]
    True
    """
    model = check_instance("model", model, TinyDecoder)
    tickets = check_sequence("tickets", tickets, Ticket)
    replies = check_mapping("replies", replies, "reply")
    for label in SUPPORT_LABELS:
        if label not in replies:
            raise ValueError(f"replies must hold a reply for every label; {label!r} is missing")
        check_str(f"replies[{label!r}]", replies[label])
    judged = []
    for ticket in tickets:
        wrong_label = SUPPORT_LABELS[(SUPPORT_LABELS.index(ticket.label) + 1) % 3]
        right, wrong = replies[ticket.label], replies[wrong_label]
        judged.append(
            JudgedPair(
                ticket.message,
                right,
                wrong,
                _slot_log_odds(model, tokenizer, judge_prompt(ticket.message, right, wrong)),
                _slot_log_odds(model, tokenizer, judge_prompt(ticket.message, wrong, right)),
            )
        )
    return tuple(judged)


@dataclass(frozen=True)
class PositionBias:
    """A judge's verdicts over many swapped pairs.

    Attributes
    ----------
    pairs : int
    flip_rate : float
        Share of pairs whose verdict changes when the replies swap places.
    first_slot_rate : float
        Share of all ``2 * pairs`` verdicts that pick Reply A.
    right_as_first : float
        Share of pairs where the judge picks the right reply when it is shown first.
    right_as_second : float
        The same with the right reply shown second.
    right_swap_averaged : float
        Share of pairs where the log-odds averaged over both orders favour the right reply.
    """

    pairs: int
    flip_rate: float
    first_slot_rate: float
    right_as_first: float
    right_as_second: float
    right_swap_averaged: float


def position_bias(judged: Sequence[JudgedPair]) -> PositionBias:
    """Return the :class:`PositionBias` summary of ``judged`` pairs.

    >>> pairs = [JudgedPair("m", "r", "w", 2.0, 1.0), JudgedPair("m", "r", "w", 1.0, -3.0)]
    >>> s = position_bias(pairs)
    >>> s.flip_rate, s.first_slot_rate, s.right_as_first, s.right_swap_averaged
    (0.5, 0.75, 1.0, 1.0)
    """
    judged = check_sequence("judged", judged, JudgedPair)
    first = np.array([p.right_first for p in judged])  # [pairs]
    second = np.array([p.right_second for p in judged])  # [pairs]
    n = len(judged)
    return PositionBias(
        pairs=n,
        flip_rate=sum(p.flipped for p in judged) / n,
        first_slot_rate=float((np.sum(first > 0) + np.sum(second > 0)) / (2 * n)),
        right_as_first=float(np.mean(first > 0)),
        right_as_second=float(np.mean(second < 0)),
        right_swap_averaged=float(np.mean([p.swap_averaged > 0 for p in judged])),
    )


def label_probabilities(
    model: TinyDecoder,
    tokenizer: BPETokenizer,
    messages: Sequence[str],
    *,
    shots: bool = True,
    labels: Sequence[str] = SUPPORT_LABELS,
) -> np.ndarray:
    """Return the ``(messages, labels)`` probabilities the tiny model gives each label.

    Each row is the softmax of the labels' log-probabilities from
    :func:`~llmhistory.tiny.generation.rank_labels`: the chance that sampling a label (among
    these only) gives each one. ``shots=True`` uses chapter 1's three-shot prompt
    (:func:`~llmhistory.concepts.prompts.build_label_prompt`); ``shots=False`` the bare
    ``Message: ...`` / ``Label:`` form that also occurs in the training mix.

    Parameters
    ----------
    model : TinyDecoder
    tokenizer : BPETokenizer
    messages : sequence of str
    shots : bool, default True
    labels : sequence of str, default ``("Refund", "Shipping", "Account")``

    Returns
    -------
    numpy.ndarray, shape (len(messages), len(labels))
        Rows sum to 1; columns in the order of ``labels``.

    Examples
    --------
    >>> from llmhistory.tiny import load_tiny
    >>> p = label_probabilities(*load_tiny(), ["I forgot my password."])
    >>> p.shape, bool(abs(p.sum() - 1) < 1e-9), int(p.argmax())
    ((1, 3), True, 2)
    """
    messages = check_sequence("messages", messages, "message")
    shots = check_bool("shots", shots)
    labels = check_sequence("labels", labels, "label")
    rows = []
    for i, message in enumerate(messages):
        message = check_str(f"messages[{i}]", message)
        if shots:
            prompt = build_label_prompt(message, SUPPORT_EXAMPLES, labels=labels)
        else:
            prompt = f"Message: {message}\nLabel:"
        scores = dict(rank_labels(model, tokenizer, prompt, labels))
        rows.append([scores[label] for label in labels])
    return softmax(np.array(rows, dtype=np.float64), axis=-1)


def correct_labels(probabilities: object, tickets: Sequence[Ticket]) -> np.ndarray:
    """Return a bool array: does the most probable label of each row match its ticket's label?

    >>> correct_labels([[0.2, 0.7, 0.1]], [Ticket("Where is it?", "Shipping")]).tolist()
    [True]
    """
    tickets = check_sequence("tickets", tickets, Ticket)
    probs = np.asarray(probabilities, dtype=np.float64)
    if probs.shape != (len(tickets), len(SUPPORT_LABELS)):
        raise ValueError(
            f"probabilities must have shape ({len(tickets)}, {len(SUPPORT_LABELS)}), "
            f"got {probs.shape}"
        )
    truth = np.array(
        [SUPPORT_LABELS.index(check_choice("label", t.label, SUPPORT_LABELS)) for t in tickets]
    )
    return probs.argmax(axis=1) == truth
