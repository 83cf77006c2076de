"""Long prompts: the lost-in-the-middle measurements, note relevance, and budgeted assembly.

Liu et al. (2024, "Lost in the Middle", arXiv:2307.03172) put one answer-bearing document
among retrieved distractors and moved it from the first to the last position. Accuracy was
highest at the two ends and lowest in the middle: a U shape. :data:`LIU2023_MULTIDOC_QA_20`
holds the numbers the paper reports for 20 documents, with their source, so a chapter can
plot them without retyping them.

The rest of the module assembles long prompts by that finding:
:func:`assemble_long_context` puts the governing policy first and the case evidence right
before the question, and drops the least relevant middle notes (:class:`Note`) first when a
token budget (:func:`estimate_tokens`) is given. A toy relevance score ranks notes against a
query (:func:`lexical_relevance`, :func:`score_notes`), a case record assembles itself
(:class:`LongContextCase`), and :func:`assembly_report` says what was kept and dropped.

>>> curve = lost_in_the_middle("GPT-3.5-Turbo")
>>> curve.accuracy_at(1), curve.accuracy_at(10), curve.closed_book
(75.8, 53.8, 56.1)
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from llmhistory._validate import (
    check_float,
    check_instance,
    check_int,
    check_positive_int,
    check_sequence,
    check_str,
)

__all__ = [
    "LIU2023_MODELS",
    "LIU2023_MULTIDOC_QA_20",
    "LIU2023_SOURCE",
    "STOPWORDS",
    "SUPPORT_CASE",
    "AssembledPrompt",
    "LongContextCase",
    "Note",
    "PositionCurve",
    "assemble_long_context",
    "assembly_report",
    "content_words",
    "estimate_tokens",
    "lexical_relevance",
    "lost_in_the_middle",
    "score_notes",
]

#: Where the numbers of :data:`LIU2023_MULTIDOC_QA_20` come from.
LIU2023_SOURCE = (
    "Liu et al. 2024, Lost in the Middle: How Language Models Use Long Contexts, TACL 12, "
    "https://arxiv.org/abs/2307.03172: closed-book and oracle accuracy from Table 1; accuracy "
    "by position of the answer-bearing document from Appendix G.2 (20 total retrieved "
    "documents, about 4K tokens; NaturalQuestions-Open)"
)


@dataclass(frozen=True)
class PositionCurve:
    """Accuracy by the position of the answer-bearing document, as a paper reports it.

    Attributes
    ----------
    model : str
        Model name as the paper writes it, e.g. ``"GPT-3.5-Turbo"``.
    total_documents : int
        Documents in each prompt (one holds the answer, the rest are distractors).
    positions : tuple of int
        1-based positions of the answer-bearing document that were reported, increasing.
    accuracy : tuple of float
        Accuracy in percent at each position, same length as ``positions``.
    closed_book : float
        Accuracy in percent with no documents at all (the model answers from memory).
    oracle : float
        Accuracy in percent with only the answer-bearing document.
    source : str
        Paper and table the numbers were copied from.

    Examples
    --------
    >>> lost_in_the_middle().positions
    (1, 5, 10, 15, 20)
    """

    model: str
    total_documents: int
    positions: tuple[int, ...]
    accuracy: tuple[float, ...]
    closed_book: float
    oracle: float
    source: str

    def __post_init__(self) -> None:
        check_str("model", self.model)
        check_str("source", self.source)
        total = check_int("total_documents", self.total_documents, minimum=1)
        positions = tuple(
            check_int(f"positions[{i}]", p, minimum=1) for i, p in enumerate(self.positions)
        )
        if not positions:
            raise ValueError("positions must hold at least one position")
        if any(b <= a for a, b in itertools.pairwise(positions)):
            raise ValueError(f"positions must be strictly increasing, got {list(positions)}")
        if positions[-1] > total:
            raise ValueError(f"positions must be <= total_documents={total}, got {positions[-1]}")
        accuracy = tuple(
            check_float(f"accuracy[{i}]", a, minimum=0.0, maximum=100.0)
            for i, a in enumerate(self.accuracy)
        )
        if len(accuracy) != len(positions):
            raise ValueError(
                f"accuracy must have one value per position: {len(accuracy)} values for "
                f"{len(positions)} positions"
            )
        object.__setattr__(self, "positions", positions)
        object.__setattr__(self, "accuracy", accuracy)
        for name in ("closed_book", "oracle"):
            value = check_float(name, getattr(self, name), minimum=0.0, maximum=100.0)
            object.__setattr__(self, name, value)

    def accuracy_at(self, position: int) -> float:
        """Return the reported accuracy (percent) with the answer at ``position`` (1-based).

        Only reported positions are allowed; nothing is interpolated.

        >>> lost_in_the_middle().accuracy_at(20)
        63.2
        """
        position = check_int("position", position, minimum=1)
        if position not in self.positions:
            reported = ", ".join(map(str, self.positions))
            raise ValueError(f"position must be one of the reported {reported}; got {position}")
        return self.accuracy[self.positions.index(position)]

    @property
    def best(self) -> tuple[int, float]:
        """``(position, accuracy)`` of the highest reported accuracy (earliest on a tie)."""
        top = max(self.accuracy)
        return self.positions[self.accuracy.index(top)], top

    @property
    def worst(self) -> tuple[int, float]:
        """``(position, accuracy)`` of the lowest reported accuracy (earliest on a tie)."""
        low = min(self.accuracy)
        return self.positions[self.accuracy.index(low)], low

    @property
    def spread(self) -> float:
        """Best minus worst reported accuracy, in percentage points.

        >>> round(lost_in_the_middle().spread, 1)
        22.0
        """
        return self.best[1] - self.worst[1]

    def below_closed_book(self) -> tuple[int, ...]:
        """Return the positions where accuracy is below the closed-book accuracy.

        At these positions, giving the model the documents did worse than giving it none.

        >>> lost_in_the_middle().below_closed_book()
        (10, 15)
        """
        return tuple(
            p for p, a in zip(self.positions, self.accuracy, strict=True) if a < self.closed_book
        )


def _liu(model: str, accuracy: tuple[float, ...], closed_book: float, oracle: float):
    return PositionCurve(
        model=model,
        total_documents=20,
        positions=(1, 5, 10, 15, 20),
        accuracy=accuracy,
        closed_book=closed_book,
        oracle=oracle,
        source=LIU2023_SOURCE,
    )


#: Multi-document QA with 20 retrieved documents (Liu et al. 2024, Table 1 and Appendix G.2).
#: GPT-3.5-Turbo is ``gpt-3.5-turbo-0613``; "(16K)" and "(100K)" are the extended-context
#: versions of the same models.
LIU2023_MULTIDOC_QA_20: tuple[PositionCurve, ...] = (
    _liu("GPT-3.5-Turbo", (75.8, 57.2, 53.8, 55.4, 63.2), closed_book=56.1, oracle=88.3),
    _liu("GPT-3.5-Turbo (16K)", (75.7, 57.3, 54.1, 55.4, 63.1), closed_book=56.0, oracle=88.6),
    _liu("Claude-1.3", (59.9, 55.9, 56.8, 57.2, 60.1), closed_book=48.3, oracle=76.1),
    _liu("Claude-1.3 (100K)", (59.8, 55.9, 57.0, 57.4, 60.0), closed_book=48.2, oracle=76.4),
    _liu("MPT-30B-Instruct", (53.7, 51.8, 52.2, 52.7, 56.3), closed_book=31.5, oracle=81.9),
    _liu("LongChat-13B (16K)", (68.6, 57.4, 55.3, 52.5, 55.0), closed_book=35.0, oracle=83.4),
)

#: The model names of :data:`LIU2023_MULTIDOC_QA_20`, in table order.
LIU2023_MODELS: tuple[str, ...] = tuple(c.model for c in LIU2023_MULTIDOC_QA_20)


def lost_in_the_middle(model: str = "GPT-3.5-Turbo") -> PositionCurve:
    """Return the reported 20-document accuracy-by-position curve of ``model``.

    Parameters
    ----------
    model : str, default "GPT-3.5-Turbo"
        One of :data:`LIU2023_MODELS`.

    Returns
    -------
    PositionCurve

    Raises
    ------
    TypeError
        If ``model`` is not a str.
    ValueError
        If ``model`` is not one of :data:`LIU2023_MODELS`.

    Examples
    --------
    >>> curve = lost_in_the_middle("Claude-1.3")
    >>> curve.best, curve.oracle
    ((20, 60.1), 76.1)
    """
    model = check_str("model", model)
    for curve in LIU2023_MULTIDOC_QA_20:
        if curve.model == model:
            return curve
    raise ValueError(f"model must be one of {', '.join(LIU2023_MODELS)}; got {model!r}")


#: Words too common to signal relevance; :func:`content_words` drops them.
STOPWORDS: frozenset[str] = frozenset(
    "a an and are as at be by for from has have in is it its of on or that the this to "
    "was were with".split()
)


def estimate_tokens(text: str) -> int:
    """Return a rough token count of ``text``: its number of whitespace-separated words.

    Real tokenizers split text into more pieces (sub-words, punctuation); this estimate is
    only for reasoning about budgets in examples.

    Parameters
    ----------
    text : str
        Any string (may be empty).

    Returns
    -------
    int
        ``len(text.split())``, ``>= 0``.

    Raises
    ------
    TypeError
        If ``text`` is not a str.

    Examples
    --------
    >>> estimate_tokens("Policy: damaged items may be returned within 30 days.")
    9
    """
    return len(check_str("text", text, allow_empty=True).split())


@dataclass(frozen=True)
class Note:
    """A middle-of-prompt note (history, background) with a relevance score and a token size.

    Parameters
    ----------
    text : str
        The note's line (non-blank).
    relevance : float, default 0.0
        Finite score; lower scores are dropped first when a budget is tight.
    tokens : int, optional
        Token size, ``>= 1``; defaults to :func:`estimate_tokens` of ``text``.

    Examples
    --------
    >>> Note("History: delivery notification sent.").tokens
    4
    """

    text: str
    relevance: float = 0.0
    tokens: int | None = None

    def __post_init__(self) -> None:
        check_str("text", self.text)
        object.__setattr__(self, "relevance", check_float("relevance", self.relevance))
        if self.tokens is None:
            object.__setattr__(self, "tokens", estimate_tokens(self.text))
        else:
            object.__setattr__(self, "tokens", check_positive_int("tokens", self.tokens))


@dataclass(frozen=True)
class AssembledPrompt:
    """A long-context prompt in its final line order, with what the budget dropped.

    Attributes
    ----------
    lines : tuple of str
        ``(policy, *kept notes in original order, evidence, question)``.
    dropped : tuple of str
        Texts of the dropped notes, in the order they were dropped.
    total_tokens : int
        Estimated tokens of ``lines`` (sum of the parts' token sizes).
    evidence : str
        The evidence line.
    question : str
        The question line.
    budget_tokens : int or None
        The budget that was applied, if any.
    """

    lines: tuple[str, ...]
    dropped: tuple[str, ...]
    total_tokens: int
    evidence: str
    question: str
    budget_tokens: int | None = None

    @property
    def text(self) -> str:
        """The prompt: ``lines`` joined by newlines."""
        return "\n".join(self.lines)

    @property
    def evidence_adjacent_to_question(self) -> bool:
        """Whether the evidence is the line right before the question, which is last."""
        return (
            len(self.lines) >= 2
            and self.lines[-2] == self.evidence
            and self.lines[-1] == self.question
        )

    def numbered_lines(self) -> tuple[str, ...]:
        """Return the lines prefixed with their 1-based position: ``"1: Policy: ..."``."""
        return tuple(f"{position}: {line}" for position, line in enumerate(self.lines, start=1))


def _check_notes(notes: object) -> tuple[Note, ...]:
    """Return ``notes`` (a sequence of Note or str; may be empty) as Notes: str -> ``Note(str)``."""
    checked = []
    for i, note in enumerate(check_sequence("notes", notes, "note", allow_empty=True)):
        if isinstance(note, str):
            note = Note(check_str(f"notes[{i}]", note))
        if not isinstance(note, Note):
            raise TypeError(f"notes[{i}] must be a Note or a str, got {type(note).__name__}")
        checked.append(note)
    return tuple(checked)


def assemble_long_context(
    *,
    policy: str,
    notes: Sequence[Note | str],
    evidence: str,
    question: str,
    budget_tokens: int | None = None,
) -> AssembledPrompt:
    """Return the prompt ordered policy, notes, evidence, question, trimmed to a token budget.

    The governing policy goes first and the case evidence right before the question, at the
    two positions long-context models use most reliably; the notes fill the middle in their
    original order. With ``budget_tokens``, middle notes are dropped until the total fits:
    lowest ``relevance`` first, and among equal relevance the earliest note first (the
    oldest history goes before recent history). Policy, evidence and question are never
    dropped. Token sizes come from ``Note.tokens`` and :func:`estimate_tokens`.

    Parameters
    ----------
    policy : str
        The governing instruction or policy line.
    notes : sequence of Note or str
        Middle notes (may be empty); a str becomes ``Note(text)`` with relevance 0.
    evidence : str
        The case evidence, placed just before the question.
    question : str
        The question, placed last.
    budget_tokens : int, optional
        Maximum total tokens, ``>= 1``.

    Returns
    -------
    AssembledPrompt

    Raises
    ------
    TypeError
        If a text is not a str, a note is neither Note nor str, or ``budget_tokens`` is not an
        integer (``float('inf')`` included).
    ValueError
        If a text is blank, ``budget_tokens < 1``, or policy, evidence and question alone
        exceed ``budget_tokens``.

    Examples
    --------
    >>> prompt = assemble_long_context(
    ...     policy="Policy: returns within 30 days.",
    ...     notes=["History: email updated.", "History: coupon applied."],
    ...     evidence="Evidence: arrived damaged.",
    ...     question="Question: approve return?",
    ...     budget_tokens=14,
    ... )
    >>> print(prompt.text)
    Policy: returns within 30 days.
    History: coupon applied.
    Evidence: arrived damaged.
    Question: approve return?
    >>> prompt.dropped, prompt.total_tokens, prompt.evidence_adjacent_to_question
    (('History: email updated.',), 14, True)
    """
    policy = check_str("policy", policy)
    evidence = check_str("evidence", evidence)
    question = check_str("question", question)
    middle = list(_check_notes(notes))
    if budget_tokens is not None:
        budget_tokens = check_int("budget_tokens", budget_tokens, minimum=1)

    fixed = estimate_tokens(policy) + estimate_tokens(evidence) + estimate_tokens(question)
    total = fixed + sum(note.tokens for note in middle)
    dropped_at: list[int] = []
    if budget_tokens is not None and total > budget_tokens:
        if fixed > budget_tokens:
            raise ValueError(
                f"budget_tokens={budget_tokens} is too small: policy, evidence and question "
                f"alone need {fixed} tokens"
            )
        for i in sorted(range(len(middle)), key=lambda i: (middle[i].relevance, i)):
            if total <= budget_tokens:
                break
            dropped_at.append(i)
            total -= middle[i].tokens
    dropped = set(dropped_at)
    kept = [note.text for i, note in enumerate(middle) if i not in dropped]
    return AssembledPrompt(
        lines=(policy, *kept, evidence, question),
        dropped=tuple(middle[i].text for i in dropped_at),
        total_tokens=total,
        evidence=evidence,
        question=question,
        budget_tokens=budget_tokens,
    )


_WORD = re.compile(r"[a-z0-9]+")


def content_words(text: str) -> frozenset[str]:
    """Return the set of lower-cased words and numbers in ``text``, minus :data:`STOPWORDS`.

    Parameters
    ----------
    text : str
        Any string (may be empty).

    Returns
    -------
    frozenset of str

    Raises
    ------
    TypeError
        If ``text`` is not a str.

    Examples
    --------
    >>> sorted(content_words("Order A10234 arrived damaged on day 12."))
    ['12', 'a10234', 'arrived', 'damaged', 'day', 'order']
    """
    text = check_str("text", text, allow_empty=True)
    return frozenset(_WORD.findall(text.lower())) - STOPWORDS


def lexical_relevance(text: str, query: str) -> float:
    """Return the share of the query's content words that also occur in ``text``, in [0, 1].

    A toy stand-in for a retriever's score: it sees shared words only, not meaning
    ("refund" does not match "money back").

    Parameters
    ----------
    text : str
        The note or passage to score.
    query : str
        What the prompt must answer; needs at least one content word.

    Returns
    -------
    float
        ``|words(text) & words(query)| / |words(query)|``.

    Raises
    ------
    TypeError
        If ``text`` or ``query`` is not a str.
    ValueError
        If ``query`` has no content words (blank, or only stop words).

    Examples
    --------
    >>> lexical_relevance("History: customer uploaded photos of the damaged box.",
    ...                   "damaged item return")
    0.3333333333333333
    """
    words = content_words(text)
    check_str("query", query)
    wanted = content_words(query)
    if not wanted:
        raise ValueError(f"query must contain at least one content word, got {query!r}")
    return len(words & wanted) / len(wanted)


def score_notes(texts: Sequence[str], query: str) -> tuple[Note, ...]:
    """Return one :class:`Note` per text, its relevance scored on
    ``query``.

    The notes keep the input order; pass them to a :class:`LongContextCase` or to
    :func:`assemble_long_context`, which drops the lowest-scored first.

    Parameters
    ----------
    texts : sequence of str
        Note lines (non-blank); may be empty.
    query : str
        What the prompt must answer (see :func:`lexical_relevance`).

    Returns
    -------
    tuple of Note
        ``Note(text, relevance=lexical_relevance(text, query))`` for each text.

    Raises
    ------
    TypeError
        If ``texts`` is a single str or not a sequence, or holds a non-str.
    ValueError
        If a text is blank or ``query`` has no content words.

    Examples
    --------
    >>> [n.relevance for n in score_notes(["Damaged box photo.", "Coupon applied."], "damaged")]
    [1.0, 0.0]
    """
    texts = check_sequence("texts", texts, "text", allow_empty=True)
    check_str("query", query)
    return tuple(
        Note(check_str(f"texts[{i}]", text), relevance=lexical_relevance(text, query))
        for i, text in enumerate(texts)
    )


@dataclass(frozen=True)
class LongContextCase:
    """The parts of a long support prompt: policy, middle notes, case evidence, question.

    Strings in ``notes`` become ``Note(text)`` with relevance 0; the tuple keeps their order.
    :meth:`assemble` hands the parts to :func:`assemble_long_context`.

    Attributes
    ----------
    policy, evidence, question : str
        Single parts that are never dropped.
    notes : tuple of Note
        Middle notes, oldest first.

    Examples
    --------
    >>> SUPPORT_CASE.fixed_tokens, SUPPORT_CASE.total_tokens
    (25, 38)
    """

    policy: str
    notes: tuple[Note, ...]
    evidence: str
    question: str

    def __post_init__(self) -> None:
        for name in ("policy", "evidence", "question"):
            check_str(name, getattr(self, name))
        object.__setattr__(self, "notes", _check_notes(self.notes))

    @property
    def fixed_tokens(self) -> int:
        """Estimated tokens of policy, evidence and question: the smallest usable budget."""
        return sum(estimate_tokens(part) for part in (self.policy, self.evidence, self.question))

    @property
    def total_tokens(self) -> int:
        """Estimated tokens of the whole prompt with every note kept."""
        return self.fixed_tokens + sum(note.tokens for note in self.notes)

    def assemble(self, budget_tokens: int | None = None) -> AssembledPrompt:
        """Return the assembled prompt, trimmed to ``budget_tokens`` if given.

        See :func:`assemble_long_context` for the order and drop rule.

        >>> SUPPORT_CASE.assemble(budget_tokens=33).dropped
        ('History: customer updated email address.',)
        """
        return assemble_long_context(
            policy=self.policy,
            notes=self.notes,
            evidence=self.evidence,
            question=self.question,
            budget_tokens=budget_tokens,
        )


#: The source chapter's return case: one policy, three history notes, the evidence, the question.
SUPPORT_CASE = LongContextCase(
    policy="Policy: damaged items may be returned within 30 days.",
    notes=(
        "History: customer updated email address.",
        "History: promotional coupon applied.",
        "History: delivery notification sent.",
    ),
    evidence="Evidence: order A10234 arrived damaged on day 12.",
    question="Question: approve return? Cite the policy and evidence.",
)


def assembly_report(prompt: AssembledPrompt) -> str:
    """Return a plain-text report of an assembled prompt: its lines, what was dropped, tokens.

    Layout: the numbered lines (``"1: Policy: ..."``), then ``kept K of N notes``, one
    ``dropped: ...`` line per dropped note in drop order, the token count against the budget
    (if any), and whether the evidence sits right before the question.

    Parameters
    ----------
    prompt : AssembledPrompt
        The result of :func:`assemble_long_context` or
        :meth:`LongContextCase.assemble`.

    Returns
    -------
    str

    Raises
    ------
    TypeError
        If ``prompt`` is not an :class:`AssembledPrompt`.

    Examples
    --------
    >>> print(assembly_report(SUPPORT_CASE.assemble(budget_tokens=30)))
    1: Policy: damaged items may be returned within 30 days.
    2: History: delivery notification sent.
    3: Evidence: order A10234 arrived damaged on day 12.
    4: Question: approve return? Cite the policy and evidence.
    kept 1 of 3 notes
    dropped: History: customer updated email address.
    dropped: History: promotional coupon applied.
    tokens: 29 of a 30-token budget
    evidence adjacent to question: True
    """
    prompt = check_instance("prompt", prompt, AssembledPrompt)
    kept = len(prompt.lines) - 3
    lines = list(prompt.numbered_lines())
    lines.append(f"kept {kept} of {kept + len(prompt.dropped)} notes")
    lines += [f"dropped: {text}" for text in prompt.dropped]
    if prompt.budget_tokens is None:
        lines.append(f"tokens: {prompt.total_tokens} (no budget)")
    else:
        lines.append(f"tokens: {prompt.total_tokens} of a {prompt.budget_tokens}-token budget")
    lines.append(f"evidence adjacent to question: {prompt.evidence_adjacent_to_question}")
    return "\n".join(lines)
