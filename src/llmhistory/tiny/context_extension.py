"""The tiny model past its trained length: rescaled RoPE frequencies and long held-out texts.

The shipped model's config allows 384 positions (``context``), but ``scripts/train_tiny.py``
trained it on rows of 256 tokens (:data:`TRAINED_POSITIONS`): positions 256 and beyond were
never seen in training. :func:`extend_context` returns a copy of a model that reads a longer
context with the frequencies of a context-extension method
(:func:`~llmhistory.concepts.rope.scaled_frequencies`: plain RoPE, Position Interpolation,
NTK-aware base, YaRN with its attention scale, Llama 3.1's scaling); the original model is
untouched, and with ``method="none"`` at the original context the copy computes bit for bit
what the original does.

:func:`held_out_sequences` concatenates held-out support tickets (each wrapped in ``<bos>`` ...
``<eos>``, as in training) into long texts, and :func:`extension_report` measures the
perplexity of every method on them, separately for the positions the model was trained on
and for those beyond a limit.

>>> from llmhistory.tiny import load_tiny
>>> model, _ = load_tiny()
>>> longer = extend_context(model, 768, "yarn")
>>> longer.config.context, model.config.context
(768, 384)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from llmhistory._validate import (
    check_choice,
    check_instance,
    check_int,
    check_positive_int,
    check_sequence,
    check_str,
)
from llmhistory.concepts.decoding import log_softmax
from llmhistory.concepts.rope import (
    SCALING_METHODS,
    frequency_tables,
    scaled_frequencies,
    yarn_attention_scale,
)
from llmhistory.tiny.corpus import Ticket
from llmhistory.tiny.model import TinyDecoder
from llmhistory.tiny.tokenizer import BPETokenizer

__all__ = [
    "TRAINED_POSITIONS",
    "ExtensionResult",
    "extend_context",
    "extension_report",
    "held_out_sequences",
    "token_nll",
    "windowed_nll",
]

#: Positions the shipped model saw in training: ``scripts/train_tiny.py`` packs rows of 256
#: input tokens (``--row-len``), although the config allows 384.
TRAINED_POSITIONS = 256


def extend_context(
    model: TinyDecoder,
    context: int,
    method: str = "none",
    *,
    original_context: int = TRAINED_POSITIONS,
) -> TinyDecoder:
    """Return a copy of ``model`` that reads ``context`` positions with ``method``'s frequencies.

    The extension factor is ``max(1, context / original_context)``. The copy shares nothing
    mutable with ``model``; its config differs only in ``context``. For ``"yarn"`` the cos and
    sin tables are multiplied by :func:`~llmhistory.concepts.rope.yarn_attention_scale`, which
    scales every query and key by it, as the YaRN reference code does.

    Parameters
    ----------
    model : TinyDecoder
    context : int
        Positions the copy can read, ``>= 1``.
    method : str, default "none"
        One of :data:`~llmhistory.concepts.rope.SCALING_METHODS`.
    original_context : int, default TRAINED_POSITIONS
        The length the model was trained on, in tokens.

    Returns
    -------
    TinyDecoder

    Raises
    ------
    TypeError
        If ``model`` is not a TinyDecoder or an argument has the wrong type.
    ValueError
        If ``context`` or ``original_context`` is ``< 1`` or ``method`` is unknown.

    Examples
    --------
    >>> from llmhistory.tiny import load_tiny
    >>> model, tokenizer = load_tiny()
    >>> ids = tokenizer.encode("Message: Where is my order?", add_bos=True)
    >>> same = extend_context(model, model.config.context)
    >>> bool((same.logits(ids) == model.logits(ids)).all())
    True
    """
    model = check_instance("model", model, TinyDecoder)
    context = check_positive_int("context", context)
    method = check_choice("method", check_str("method", method), SCALING_METHODS)
    original_context = check_positive_int("original_context", original_context)
    c = model.config
    factor = max(1.0, context / original_context)
    frequencies = scaled_frequencies(method, c.head_dim, c.rope_base, factor, original_context)
    copy = TinyDecoder(dataclasses.replace(c, context=context), model.state_dict())
    cos, sin = frequency_tables(np.arange(context), frequencies)  # [context, head_dim] each
    if method == "yarn":
        scale = yarn_attention_scale(factor)
        cos, sin = cos * scale, sin * scale
    copy.rope_cos, copy.rope_sin = cos.astype(copy.dtype), sin.astype(copy.dtype)
    return copy


def held_out_sequences(
    tokenizer: BPETokenizer, tickets: Sequence[Ticket], tokens: int, count: int
) -> tuple[np.ndarray, ...]:
    """Return ``count`` texts of exactly ``tokens`` ids made of consecutive held-out tickets.

    Each ticket becomes the training format ``"Message: ...\\nLabel: ..."`` wrapped in
    ``<bos>`` ... ``<eos>``; tickets are used in order and none twice, and a text is cut at
    ``tokens`` ids.

    Parameters
    ----------
    tokenizer : BPETokenizer
    tickets : sequence of Ticket
        The held-out tickets, e.g. ``support_split(...).held_out``.
    tokens : int
        Length of each text in ids, ``>= 2``.
    count : int
        Number of texts, ``>= 1``.

    Returns
    -------
    tuple of numpy.ndarray, each shape (tokens,), int64

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``tokens < 2``, ``count < 1`` or the tickets run out.

    Examples
    --------
    >>> from llmhistory.tiny import load_tiny
    >>> _, tokenizer = load_tiny()
    >>> texts = held_out_sequences(tokenizer, [Ticket("Where is it?", "Shipping")] * 4, 20, 2)
    >>> [t.shape for t in texts], int(texts[0][0]) == tokenizer.bos_id
    ([(20,), (20,)], True)
    """
    tokenizer = check_instance("tokenizer", tokenizer, BPETokenizer)
    tickets = check_sequence("tickets", tickets)
    tokens = check_int("tokens", tokens, minimum=2)
    count = check_positive_int("count", count)
    texts, current, used = [], [], 0
    for i, ticket in enumerate(tickets):
        ticket = check_instance(f"tickets[{i}]", ticket, Ticket)
        text = f"Message: {ticket.message}\nLabel: {ticket.label}"
        current += tokenizer.encode(text, add_bos=True, add_eos=True)
        used = i + 1
        if len(current) >= tokens:
            texts.append(np.array(current[:tokens], dtype=np.int64))
            current = []
            if len(texts) == count:
                return tuple(texts)
    raise ValueError(
        f"tickets ran out after {used} tickets and {len(texts)} of count={count} texts "
        f"of tokens={tokens}"
    )


def token_nll(model: TinyDecoder, ids: object) -> np.ndarray:
    """Return the negative log-likelihood in nats of each next token, in one causal pass.

    ``[tokens] -> [tokens - 1]``: entry ``t`` is ``-log p(ids[t + 1] | ids[: t + 1])``, the
    prediction made at position ``t``.

    Examples
    --------
    >>> from llmhistory.tiny import load_tiny
    >>> model, tokenizer = load_tiny()
    >>> ids = tokenizer.encode("Label: Refund", add_bos=True)
    >>> token_nll(model, ids).shape == (len(ids) - 1,)
    True
    """
    model = check_instance("model", model, TinyDecoder)
    ids = model.check_token_ids(ids)
    if ids.size < 2:
        raise ValueError("ids must hold at least 2 tokens (one to predict)")
    logprobs = log_softmax(model.logits(ids[:-1]).astype(np.float64))  # [tokens - 1, vocab]
    return -logprobs[np.arange(ids.size - 1), ids[1:]]


def windowed_nll(model: TinyDecoder, ids: object, window: int) -> np.ndarray:
    """Return :func:`token_nll` computed in fresh windows of ``window`` tokens.

    The text is cut into consecutive pieces of ``window + 1`` ids overlapping by one, and
    each piece is read from position 0: no position ever exceeds ``window - 1``. This is what
    a model limited to ``window`` positions can do with a longer text, the baseline for the
    context-extension methods.

    Examples
    --------
    >>> from llmhistory.tiny import load_tiny
    >>> model, tokenizer = load_tiny()
    >>> ids = tokenizer.encode("Message: Where is my order?\\nLabel: Shipping", add_bos=True)
    >>> windowed_nll(model, ids, window=4).shape == token_nll(model, ids).shape
    True
    """
    model = check_instance("model", model, TinyDecoder)
    window = check_int("window", window, minimum=1)
    ids = model.check_token_ids(ids, limit=np.iinfo(np.int64).max, what="")
    if ids.size < 2:
        raise ValueError("ids must hold at least 2 tokens (one to predict)")
    pieces = [
        token_nll(model, ids[start : start + window + 1])
        for start in range(0, ids.size - 1, window)
    ]
    return np.concatenate(pieces)


@dataclass(frozen=True)
class ExtensionResult:
    """Perplexities of one method on long texts (see :func:`extension_report`).

    Attributes
    ----------
    method : str
        ``"window"`` (fresh windows, :func:`windowed_nll`) or one of
        :data:`~llmhistory.concepts.rope.SCALING_METHODS`.
    tokens : int
        Length of each text.
    factor : float
        ``tokens / original_context`` (1 for ``"window"``).
    trained_perplexity : float
        Over predictions made at positions ``< original_context`` (unitless, ``>= 1``).
    beyond_perplexity : float
        Over predictions made at positions ``>= beyond``.
    """

    method: str
    tokens: int
    factor: float
    trained_perplexity: float
    beyond_perplexity: float


def extension_report(
    model: TinyDecoder,
    texts: Sequence[object],
    methods: Sequence[str] = SCALING_METHODS,
    *,
    original_context: int = TRAINED_POSITIONS,
    beyond: int | None = None,
) -> tuple[ExtensionResult, ...]:
    """Return the perplexity of each method on ``texts``, the windowed baseline first.

    All texts have the same length ``tokens``; each method reads them in one pass through
    :func:`extend_context` ``(model, tokens, method, original_context=...)``.

    Parameters
    ----------
    model : TinyDecoder
    texts : sequence of array_like of int
        Token ids, all of the same length ``> beyond``.
    methods : sequence of str, default SCALING_METHODS
    original_context : int, default TRAINED_POSITIONS
    beyond : int, optional
        First position of the "beyond" span; defaults to ``model.config.context``.

    Returns
    -------
    tuple of ExtensionResult
        ``"window"`` first, then ``methods`` in order.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``texts`` is empty, the texts differ in length or are not longer than ``beyond``.

    Examples
    --------
    >>> from llmhistory.tiny import load_tiny
    >>> from llmhistory.tiny.corpus import support_split
    >>> model, tokenizer = load_tiny()
    >>> texts = held_out_sequences(tokenizer, support_split(n_train=10).held_out, 400, 1)
    >>> [r.method for r in extension_report(model, texts, ["none", "pi"])]
    ['window', 'none', 'pi']
    """
    model = check_instance("model", model, TinyDecoder)
    texts = check_sequence("texts", texts)
    if not texts:
        raise ValueError("texts must hold at least one text")
    original_context = check_positive_int("original_context", original_context)
    beyond = model.config.context if beyond is None else check_int("beyond", beyond, minimum=1)
    arrays = [np.asarray(t) for t in texts]
    tokens = arrays[0].size
    if any(a.ndim != 1 or a.size != tokens for a in arrays):
        raise ValueError("texts must all be 1-D with the same number of tokens")
    if tokens <= beyond + 1:
        raise ValueError(
            f"texts have {tokens} tokens; they must be longer than beyond={beyond} + 1"
        )
    methods = [check_choice("methods", check_str("methods", m), SCALING_METHODS) for m in methods]
    window = original_context

    def result(method: str, nll: np.ndarray, factor: float) -> ExtensionResult:
        # nll: [texts, tokens - 1]; column t is the prediction made at position t
        return ExtensionResult(
            method=method,
            tokens=tokens,
            factor=factor,
            trained_perplexity=float(np.exp(nll[:, :original_context].mean())),
            beyond_perplexity=float(np.exp(nll[:, beyond:].mean())),
        )

    results = [result("window", np.stack([windowed_nll(model, a, window) for a in arrays]), 1.0)]
    for method in methods:
        extended = extend_context(model, tokens, method, original_context=original_context)
        nll = np.stack([token_nll(extended, a) for a in arrays])  # [texts, tokens - 1]
        results.append(result(method, nll, max(1.0, tokens / original_context)))
    return tuple(results)
