"""Prompts as plain text: few-shot label prompts and the short task prompts.

A decoder-only model only continues text, so every task is framed as a prompt that ends
where the answer should begin. This module builds those prompts deterministically:

* ``build_label_prompt`` frames classification as "continue after ``Label:``";
* ``translation_prompt`` and ``chat_prompt`` frame translation and a support reply.

Long prompts (policy, history notes, evidence and question under a token budget) are
assembled in :mod:`llmhistory.concepts.long_context`.
"""

from __future__ import annotations

from collections.abc import Sequence

from llmhistory._validate import check_sequence, check_str

__all__ = [
    "SUPPORT_EXAMPLES",
    "SUPPORT_LABELS",
    "build_label_prompt",
    "chat_prompt",
    "label_header",
    "translation_prompt",
]

#: Labels of the running customer-support example.
SUPPORT_LABELS: tuple[str, ...] = ("Refund", "Shipping", "Account")

#: Few-shot examples of the running customer-support example: (message, label).
SUPPORT_EXAMPLES: tuple[tuple[str, str], ...] = (
    ("I never received my package.", "Shipping"),
    ("I want my money back.", "Refund"),
    ("I forgot my password.", "Account"),
)


def _check_line(name: str, value: object) -> str:
    """Return a non-blank string that holds no line break."""
    value = check_str(name, value)
    if "\n" in value or "\r" in value:
        raise ValueError(f"{name} must be a single line (no line breaks), got {value!r}")
    return value


def _check_pair(name: str, value: object) -> tuple[object, object]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or len(value) != 2:
        raise TypeError(f"{name} must be a pair (first, second), got {value!r}")
    return value[0], value[1]


def _or_list(items: Sequence[str]) -> str:
    """Return ``"A or B"`` or ``"A, B, or C"`` (Oxford comma) for two or more items."""
    if len(items) == 2:
        return f"{items[0]} or {items[1]}"
    return f"{', '.join(items[:-1])}, or {items[-1]}"


def _check_labels(labels: object) -> tuple[str, ...]:
    labels = check_sequence("labels", labels, "label")
    checked = tuple(_check_line(f"labels[{i}]", label) for i, label in enumerate(labels))
    if len(checked) < 2:
        raise ValueError(f"labels must hold at least 2 labels, got {len(checked)}")
    if len(set(checked)) != len(checked):
        raise ValueError(f"labels must be distinct, got {list(checked)}")
    return checked


def label_header(labels: Sequence[str]) -> str:
    """Return the instruction line of a label prompt, naming the labels in order.

    Parameters
    ----------
    labels : sequence of str
        At least 2 distinct single-line labels.

    Returns
    -------
    str
        ``"Classify the customer message into A, B, or C."`` (``"A or B"`` for two labels).

    Raises
    ------
    TypeError
        If ``labels`` is not a sequence of str.
    ValueError
        If ``labels`` has fewer than 2 entries, duplicates, or blank / multi-line labels.

    Examples
    --------
    >>> label_header(["Refund", "Shipping", "Account"])
    'Classify the customer message into Refund, Shipping, or Account.'
    >>> label_header(["Refund", "Other"])
    'Classify the customer message into Refund or Other.'
    """
    return f"Classify the customer message into {_or_list(_check_labels(labels))}."


def build_label_prompt(
    message: str,
    examples: Sequence[tuple[str, str]],
    *,
    labels: Sequence[str],
    header: str | None = None,
    separator: str = "---",
) -> str:
    """Return a few-shot classification prompt that ends at an open ``Label:`` slot.

    Layout: the header, a blank line, the examples as ``Message: ...`` / ``Label: ...``
    blocks separated by blank lines, a blank line, the separator, a blank line, then
    ``Message: {message}`` and ``Label:``. The model's continuation is the predicted label.

    Parameters
    ----------
    message : str
        The customer message to classify (non-blank).
    examples : sequence of (str, str)
        Non-empty list of ``(text, label)`` demonstrations; each label must be in ``labels``.
    labels : sequence of str
        The allowed labels: at least 2, distinct, single-line.
    header : str, optional
        Instruction line; by default :func:`label_header` of ``labels``.
    separator : str, default "---"
        Line between the demonstrations and the query.

    Returns
    -------
    str
        The prompt, without a trailing newline.

    Raises
    ------
    TypeError
        If an argument has the wrong type (e.g. a single str for ``labels``).
    ValueError
        If ``examples`` is empty, an example label is not in ``labels``, a text or the
        message is blank, or ``labels`` is invalid.

    Examples
    --------
    >>> prompt = build_label_prompt("My order says delivered but it's not here.",
    ...                             SUPPORT_EXAMPLES, labels=SUPPORT_LABELS)
    >>> print(prompt.splitlines()[0])
    Classify the customer message into Refund, Shipping, or Account.
    >>> prompt.splitlines()[-2:]
    ["Message: My order says delivered but it's not here.", 'Label:']
    """
    message = check_str("message", message)
    label_set = _check_labels(labels)
    header = label_header(label_set) if header is None else check_str("header", header)
    separator = check_str("separator", separator)
    examples = check_sequence("examples", examples, "example")
    shots = []
    for i, example in enumerate(examples):
        text, label = _check_pair(f"examples[{i}]", example)
        text = check_str(f"examples[{i}] text", text)
        if label not in label_set:
            raise ValueError(f"examples[{i}] label {label!r} must be one of {list(label_set)}")
        shots.append(f"Message: {text}\nLabel: {label}")
    body = "\n\n".join(shots)
    return f"{header}\n\n{body}\n\n{separator}\n\nMessage: {message}\nLabel:"


def translation_prompt(
    pairs: Sequence[tuple[str, str]],
    query: str,
    *,
    instruction: str = "Translate English to French:",
) -> str:
    """Return a few-shot translation prompt ending at ``{query} ->`` for the model to continue.

    Parameters
    ----------
    pairs : sequence of (str, str)
        Non-empty ``(source, target)`` demonstrations, each single-line and non-blank.
    query : str
        The word or phrase to translate (single line).
    instruction : str, default "Translate English to French:"
        First line (single line).

    Returns
    -------
    str

    Raises
    ------
    TypeError
        If ``pairs`` is not a sequence of pairs or a string argument is not a str.
    ValueError
        If ``pairs`` is empty or a string is blank or spans several lines.

    Examples
    --------
    >>> print(translation_prompt([("refund", "remboursement"), ("shipment", "expédition")],
    ...                          "invoice"))
    Translate English to French:
    refund -> remboursement
    shipment -> expédition
    invoice ->
    """
    instruction = _check_line("instruction", instruction)
    query = _check_line("query", query)
    lines = [instruction]
    for i, pair in enumerate(check_sequence("pairs", pairs, "pair")):
        source, target = _check_pair(f"pairs[{i}]", pair)
        lines.append(
            f"{_check_line(f'pairs[{i}] source', source)} -> "
            f"{_check_line(f'pairs[{i}] target', target)}"
        )
    lines.append(f"{query} ->")
    return "\n".join(lines)


def chat_prompt(turns: Sequence[tuple[str, str]], *, next_speaker: str = "Agent") -> str:
    """Return a role-tagged transcript ending at ``{next_speaker}:`` for the model to continue.

    Parameters
    ----------
    turns : sequence of (str, str)
        Non-empty ``(speaker, text)`` turns; speakers single-line and without ``":"``.
    next_speaker : str, default "Agent"
        The role whose reply the model should write.

    Returns
    -------
    str

    Raises
    ------
    TypeError
        If ``turns`` is not a sequence of pairs or a value is not a str.
    ValueError
        If ``turns`` is empty, a text is blank, or a speaker is blank, multi-line or has ``":"``.

    Examples
    --------
    >>> print(chat_prompt([("Customer", "Where is my order?")]))
    Customer: Where is my order?
    Agent:
    """

    def speaker_name(name: str, value: object) -> str:
        value = _check_line(name, value)
        if ":" in value:
            raise ValueError(f"{name} must not contain ':', got {value!r}")
        return value

    next_speaker = speaker_name("next_speaker", next_speaker)
    lines = []
    for i, turn in enumerate(check_sequence("turns", turns, "turn")):
        speaker, text = _check_pair(f"turns[{i}]", turn)
        lines.append(
            f"{speaker_name(f'turns[{i}] speaker', speaker)}: {check_str(f'turns[{i}] text', text)}"
        )
    lines.append(f"{next_speaker}:")
    return "\n".join(lines)
