"""The next-token step made visible: top candidates, a policy's kept set, the loop step by step.

A decoder-only model ends every forward pass with one row of logits for the last position.
This module turns such rows into things a reader can look at:

* :func:`top_candidates` and :func:`format_candidates`: the most likely next tokens;
* :func:`policy_table`: the same logits under a temperature, top-k and top-p, with the
  tokens the filters drop (the explorable of chapter 1);
* :class:`LoopStep` and :func:`format_loop_trace`: the next-token loop of a trained model,
  one row per generated token (context tail, chosen token, its probability); the tiny model's
  loop is recorded by :func:`llmhistory.tiny.generation.loop_trace`.

Token ids are shown through *labels*, one display string per id (:func:`token_labels`).

>>> labels = ["Refund", "Shipping", "Account"]
>>> [c.text for c in top_candidates([0.5, 2.0, -1.0], labels, k=2)]
['Shipping', 'Refund']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from llmhistory._validate import as_float_array, check_float, check_int, check_sequence, check_str
from llmhistory.concepts.decoding import DecodingPolicy, next_token_distribution, softmax

__all__ = [
    "Candidate",
    "LoopStep",
    "format_candidates",
    "format_loop_trace",
    "kept_counts",
    "policy_table",
    "show_token",
    "token_labels",
    "top_candidates",
]


def show_token(text: str) -> str:
    """Return ``text`` quoted with escapes, so spaces and newlines are visible: ``' Agent'``.

    >>> show_token(" Agent"), show_token("\\n")
    ("' Agent'", "'\\\\n'")
    """
    return repr(check_str("text", text, allow_empty=True))


def token_labels(tokenizer: object) -> tuple[str, ...]:
    """Return the display text of every token id of ``tokenizer``, in id order.

    Uses ``tokenizer.token_bytes(i)`` decoded as UTF-8 (a byte that is only part of a
    character is shown as ``\\x..``), so ``labels[i]`` is what id ``i`` stands for.

    Parameters
    ----------
    tokenizer : object
        Anything with ``vocab_size`` and ``token_bytes(id) -> bytes``, e.g.
        :class:`llmhistory.tiny.tokenizer.BPETokenizer`.

    Returns
    -------
    tuple of str
        ``vocab_size`` labels.

    Raises
    ------
    TypeError
        If ``tokenizer`` lacks ``vocab_size`` or ``token_bytes``.

    Examples
    --------
    >>> class Bytes:  # anything with vocab_size and token_bytes(id)
    ...     vocab_size = 3
    ...     def token_bytes(self, i):
    ...         return [b"h", b" hi", b"\\xe2"][i]
    >>> token_labels(Bytes())
    ('h', ' hi', '\\\\xe2')
    """
    if not hasattr(tokenizer, "vocab_size") or not callable(getattr(tokenizer, "token_bytes", 0)):
        raise TypeError(
            "tokenizer must have vocab_size and token_bytes(id), e.g. a BPETokenizer; "
            f"got {type(tokenizer).__name__}"
        )
    size = check_int("tokenizer.vocab_size", tokenizer.vocab_size, minimum=1)
    return tuple(
        tokenizer.token_bytes(i).decode("utf-8", errors="backslashreplace") for i in range(size)
    )


def _check_labels(labels: object, size: int) -> tuple[str, ...]:
    labels = check_sequence("labels", labels, "label", allow_empty=True)
    if len(labels) != size:
        raise ValueError(
            f"labels must have one entry per logit: {len(labels)} labels, {size} logits"
        )
    return tuple(check_str(f"labels[{i}]", t, allow_empty=True) for i, t in enumerate(labels))


def _check_row(logits: object) -> np.ndarray:
    return as_float_array("logits", logits, ndim=1, allow_neg_inf=True)


@dataclass(frozen=True)
class Candidate:
    """One possible next token.

    Attributes
    ----------
    token_id : int
    text : str
        Its label.
    probability : float
        Its probability under the policy used (``0..1``).
    """

    token_id: int
    text: str
    probability: float


def top_candidates(
    logits: object,
    labels: Sequence[str],
    *,
    k: int = 5,
    policy: DecodingPolicy | None = None,
) -> tuple[Candidate, ...]:
    """Return the ``k`` most probable next tokens, highest first (ties: lower id first).

    Parameters
    ----------
    logits : array_like of float, shape (vocab_size,)
        Last-position scores (finite or ``-inf``).
    labels : sequence of str, length vocab_size
        Display text of each id.
    k : int, default 5
        ``1 <= k <= vocab_size``.
    policy : DecodingPolicy, optional
        Probabilities under this policy; default the plain softmax (temperature 1, no filter).

    Returns
    -------
    tuple of Candidate

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``logits`` is not 1-D, ``labels`` has the wrong length, or ``k`` is out of range.

    Examples
    --------
    >>> top_candidates([1.0, 1.0, 0.0], ["a", "b", "c"], k=2)[1]
    Candidate(token_id=1, text='b', probability=0.4223187982515182)
    """
    row = _check_row(logits)
    names = _check_labels(labels, row.size)
    k = check_int("k", k, minimum=1)
    if k > row.size:
        raise ValueError(f"k={k} must be <= vocab_size={row.size}")
    probs = softmax(row) if policy is None else next_token_distribution(row, policy)
    order = np.argsort(-probs, kind="stable")[:k]
    return tuple(Candidate(int(i), names[i], float(probs[i])) for i in order)


def format_candidates(candidates: Sequence[Candidate], *, context: str | None = None) -> str:
    """Return an aligned table of candidates: rank, token, probability and a bar.

    Parameters
    ----------
    candidates : sequence of Candidate
        Non-empty, e.g. from :func:`top_candidates`.
    context : str, optional
        Shown on a first line (``after: ...``), quoted with :func:`show_token`.

    Returns
    -------
    str

    Raises
    ------
    TypeError
        If ``candidates`` holds something else than :class:`Candidate`.
    ValueError
        If ``candidates`` is empty.

    Examples
    --------
    >>> print(format_candidates(top_candidates([0.0, 2.0], ["No", "Yes"], k=2)))
    rank  token  probability
       1  'Yes'        0.881  ##################
       2  'No'         0.119  ##
    """
    candidates = check_sequence("candidates", candidates, Candidate)
    shown = [show_token(c.text) for c in candidates]
    width = max(5, *(len(s) for s in shown))
    lines = [] if context is None else [f"after: {show_token(check_str('context', context))}"]
    lines.append(f"rank  {'token':<{width}}  probability")
    for rank, (c, s) in enumerate(zip(candidates, shown, strict=True), start=1):
        bar = "#" * round(20 * c.probability)
        lines.append(f"{rank:>4}  {s:<{width}}  {c.probability:>11.3f}  {bar}".rstrip())
    return "\n".join(lines)


def policy_table(
    logits: object,
    labels: Sequence[str],
    *,
    temperature: float = 1.0,
    top_k: int = 0,
    top_p: float = 1.0,
    show: int = 8,
) -> str:
    """Return a text table of the next-token distribution a sampling policy draws from.

    Rows are the ``show`` tokens with the highest logits; columns give the plain softmax,
    the probability under the policy and a bar. Tokens the filters remove are marked
    ``dropped``; a last line sums every token not shown. Conventions as in Hugging Face
    ``transformers``: ``top_k=0`` and ``top_p=1.0`` switch that filter off.

    Parameters
    ----------
    logits : array_like of float, shape (vocab_size,)
    labels : sequence of str, length vocab_size
    temperature : float, default 1.0
        ``> 0``; applied before the filters.
    top_k : int, default 0
        Keep the ``top_k`` largest logits, ``0 <= top_k <= vocab_size`` (0: no filter).
    top_p : float, default 1.0
        Keep the smallest set reaching this probability, ``0 < top_p <= 1`` (1: no filter).
    show : int, default 8
        Rows to show, ``1 <= show <= vocab_size``.

    Returns
    -------
    str

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a value is out of range or ``labels`` does not match ``logits``.

    Examples
    --------
    >>> print(policy_table([2.0, 1.0, 0.0], ["a", "b", "c"], top_k=2, show=2))
    policy: temperature 1, top-k 2, top-p off -> 2 of 3 tokens kept
    token        softmax  policy
    'a'            0.665   0.731  ###############
    'b'            0.245   0.269  #####
    (1 others)     0.090   0.000
    """
    row = _check_row(logits)
    names = _check_labels(labels, row.size)
    temperature = check_float("temperature", temperature, minimum=0.0, strict_minimum=True)
    top_k = check_int("top_k", top_k, minimum=0)
    if top_k > row.size:
        raise ValueError(f"top_k={top_k} must be <= vocab_size={row.size} (0 switches it off)")
    top_p = check_float("top_p", top_p, minimum=0.0, strict_minimum=True, maximum=1.0)
    show = check_int("show", show, minimum=1)
    if show > row.size:
        raise ValueError(f"show={show} must be <= vocab_size={row.size}")
    policy = DecodingPolicy.sampling(
        temperature=temperature,
        top_k=top_k or None,
        top_p=None if top_p == 1.0 else top_p,
    )
    base = softmax(row)
    probs = next_token_distribution(row, policy)
    order = np.argsort(-row, kind="stable")
    shown, rest = order[:show], order[show:]
    quoted = [show_token(names[i]) for i in shown]
    others = f"({rest.size} others)"
    width = max(5, *(len(q) for q in quoted), len(others) if rest.size else 0)
    kept = int(np.count_nonzero(probs))
    k_text = f"top-k {top_k}" if top_k else "top-k off"
    p_text = f"top-p {top_p:g}" if top_p < 1.0 else "top-p off"
    lines = [
        f"policy: temperature {temperature:g}, {k_text}, {p_text} -> "
        f"{kept} of {row.size} tokens kept",
        f"{'token':<{width}}  softmax  policy",
    ]
    for i, q in zip(shown, quoted, strict=True):
        mark = "#" * round(20 * probs[i]) if probs[i] > 0 else "dropped"
        lines.append(f"{q:<{width}}  {base[i]:>7.3f}  {probs[i]:>6.3f}  {mark}".rstrip())
    if rest.size:
        lines.append(f"{others:<{width}}  {base[rest].sum():>7.3f}  {probs[rest].sum():>6.3f}")
    return "\n".join(lines)


def kept_counts(logits: object, policy: DecodingPolicy) -> np.ndarray:
    """Return how many tokens ``policy`` leaves a non-zero probability, for each row of logits.

    Top-k always keeps ``k``; top-p keeps few tokens where the model is confident and many
    where it is not, which is why nucleus sampling adapts to each step.

    Parameters
    ----------
    logits : array_like of float, shape (vocab_size,) or (steps, vocab_size)
        One row per decoding step.
    policy : DecodingPolicy

    Returns
    -------
    numpy.ndarray of int, shape () or (steps,)

    Raises
    ------
    TypeError
        If ``policy`` is not a DecodingPolicy or ``logits`` is not numeric.
    ValueError
        If ``logits`` is not 1-D or 2-D, or a row is invalid.

    Examples
    --------
    >>> confident, unsure = [4.0, 0.0, 0.0, 0.0], [2.0, 2.0, 2.0, 0.0]
    >>> kept_counts([confident, unsure], DecodingPolicy.sampling(top_p=0.9)).tolist()
    [1, 3]
    >>> kept_counts([confident, unsure], DecodingPolicy.sampling(top_k=2)).tolist()
    [2, 2]
    """
    rows = as_float_array("logits", logits, ndim=(1, 2), allow_neg_inf=True)
    if rows.ndim == 1:
        return np.asarray(np.count_nonzero(next_token_distribution(rows, policy)))
    return np.array([np.count_nonzero(next_token_distribution(row, policy)) for row in rows])


@dataclass(frozen=True)
class LoopStep:
    """One turn of the next-token loop.

    Attributes
    ----------
    step : int
        1 for the first generated token.
    context_tail : str
        The last few tokens the model saw, as text.
    token_id : int
        The token chosen at this step.
    token : str
        Its text.
    probability : float
        The model's probability for it (softmax of the logits, temperature 1).
    rank : int
        Its rank among all tokens by that probability (1 = the model's favourite).
    """

    step: int
    context_tail: str
    token_id: int
    token: str
    probability: float
    rank: int


def format_loop_trace(steps: Sequence[LoopStep]) -> str:
    """Return an aligned table of a loop trace: step, context tail, token, probability.

    Parameters
    ----------
    steps : sequence of LoopStep
        Non-empty.

    Returns
    -------
    str

    Raises
    ------
    TypeError
        If ``steps`` holds something else than :class:`LoopStep`.
    ValueError
        If ``steps`` is empty.

    Examples
    --------
    >>> print(format_loop_trace([LoopStep(1, "Agent:", 42, " I", 0.5, 1)]))
    step  context tail  chosen  probability  rank
       1  'Agent:'      ' I'          0.500     1
    """
    steps = check_sequence("steps", steps, LoopStep)
    tails = [show_token(s.context_tail) for s in steps]
    tokens = [show_token(s.token) for s in steps]
    tw = max(len("context tail"), *(len(t) for t in tails))
    cw = max(len("chosen"), *(len(t) for t in tokens))
    lines = [f"step  {'context tail':<{tw}}  {'chosen':<{cw}}  probability  rank"]
    for s, tail, token in zip(steps, tails, tokens, strict=True):
        lines.append(
            f"{s.step:>4}  {tail:<{tw}}  {token:<{cw}}  {s.probability:>11.3f}  {s.rank:>4}"
        )
    return "\n".join(lines)
