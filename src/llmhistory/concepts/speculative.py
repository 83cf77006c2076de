"""Speculative decoding: a draft proposes, the target verifies, and the output keeps its law.

A small **draft** model proposes ``k`` tokens ``x_1..x_k``, drawing ``x_i`` from its
distribution ``q_i``; the **target** model scores all of them in one pass, giving ``p_1..p_k``
and ``p_{k+1}`` for the position after the last guess. Then, for ``i = 1..k`` (Leviathan et al.
2023; Chen et al. 2023):

* accept ``x_i`` with probability ``min(1, p_i(x_i) / q_i(x_i))``;
* at the first rejection, draw the replacement from the **residual**
  ``norm(max(0, p_i - q_i))`` and stop;
* if all ``k`` are accepted, draw one more token from ``p_{k+1}``.

Every round yields between 1 and ``k + 1`` tokens for one target pass, and each token is
distributed exactly as if drawn from the target alone. With one-hot (greedy) distributions the
rule accepts a guess exactly when it is the target's argmax, so greedy speculative decoding
gives the same tokens as greedy decoding.

If each guess is accepted with probability ``alpha``, a round yields on average
``(1 - alpha**(k + 1)) / (1 - alpha)`` tokens (:func:`expected_tokens_per_round`), and
``alpha`` for one position is ``sum(min(p, q))`` (:func:`acceptance_probability`).

>>> p, q = np.array([0.5, 0.5]), np.array([0.9, 0.1])
>>> round(acceptance_probability(p, q), 3), residual_distribution(p, q).tolist()
(0.6, [0.0, 1.0])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llmhistory._validate import (
    as_float_array,
    as_int_array,
    check_float,
    check_int,
    check_positive_float,
    check_rng,
)

__all__ = [
    "SpeculativeStep",
    "acceptance_probability",
    "expected_speedup",
    "expected_tokens_per_round",
    "residual_distribution",
    "speculation_summary",
    "verify_draft",
]

_TOLERANCE = 1e-6


def _check_distributions(name: str, value: object, ndim: int) -> np.ndarray:
    array = as_float_array(name, value, ndim=ndim, allow_empty=ndim == 2)
    if (array < 0).any():
        raise ValueError(f"{name} must hold probabilities >= 0")
    sums = array.sum(axis=-1)
    if (np.abs(sums - 1.0) > _TOLERANCE).any():
        raise ValueError(f"{name} must sum to 1 over the vocabulary (within {_TOLERANCE})")
    return array


def acceptance_probability(p: object, q: object) -> float:
    """Return ``sum(min(p, q))``: the chance a guess drawn from ``q`` is accepted for ``p``.

    Equal to ``1 - total variation distance``; 1 when the draft equals the target.

    Examples
    --------
    >>> acceptance_probability([0.2, 0.8], [0.2, 0.8])
    1.0
    """
    p = _check_distributions("p", p, 1)
    q = _check_distributions("q", q, 1)
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same vocabulary, got {p.size} and {q.size}")
    return float(np.minimum(p, q).sum())


def residual_distribution(p: object, q: object) -> np.ndarray:
    """Return ``norm(max(0, p - q))``, the law of the token that replaces a rejected guess.

    When ``p == q`` no guess is ever rejected; ``p`` itself is returned then.

    Examples
    --------
    >>> residual_distribution([0.3, 0.7], [0.6, 0.4]).tolist()
    [0.0, 1.0]
    """
    p = _check_distributions("p", p, 1)
    q = _check_distributions("q", q, 1)
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same vocabulary, got {p.size} and {q.size}")
    excess = np.maximum(p - q, 0.0)
    total = excess.sum()
    return p.copy() if total <= 0 else excess / total


def _sample(probs: np.ndarray, rng: np.random.Generator) -> int:
    """Return one index drawn from ``probs`` (inverse CDF of one uniform draw)."""
    cumulative = np.cumsum(probs)
    index = int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))
    return min(index, probs.size - 1)


@dataclass(frozen=True)
class SpeculativeStep:
    """The outcome of verifying one draft.

    Attributes
    ----------
    tokens : tuple of int
        The accepted guesses, then the replacement or bonus token: ``accepted + 1`` tokens.
    accepted : int
        Guesses accepted, ``0..k``.
    """

    tokens: tuple[int, ...]
    accepted: int


def verify_draft(
    target_probs: object, draft_probs: object, draft_tokens: object, rng: np.random.Generator
) -> SpeculativeStep:
    """Return the tokens one round of speculative decoding emits (the accept/reject rule).

    Parameters
    ----------
    target_probs : array_like, shape (k + 1, vocab_size)
        ``p_1..p_{k+1}``: the target's next-token distributions after the context and after
        each guess.
    draft_probs : array_like, shape (k, vocab_size)
        ``q_1..q_k``: the distributions the guesses were drawn from.
    draft_tokens : array_like of int, shape (k,)
        The guesses ``x_1..x_k``; each must have ``q_i(x_i) > 0``.
    rng : numpy.random.Generator
        Source of the acceptance draws and of the final token.

    Returns
    -------
    SpeculativeStep

    Raises
    ------
    TypeError, ValueError
        If the shapes disagree, a row is not a distribution, or a guess has draft probability 0.

    Examples
    --------
    >>> p = np.array([[0.0, 1.0], [1.0, 0.0]])  # greedy target: token 1, then token 0
    >>> q = np.array([[0.0, 1.0]])  # the draft guessed token 1
    >>> verify_draft(p, q, [1], np.random.default_rng(0))
    SpeculativeStep(tokens=(1, 0), accepted=1)
    """
    p = _check_distributions("target_probs", target_probs, 2)
    q = _check_distributions("draft_probs", draft_probs, 2)
    x = as_int_array("draft_tokens", draft_tokens, ndim=1)
    rng = check_rng("rng", rng)
    k = x.size
    if q.shape[0] != k or p.shape[0] != k + 1 or p.shape[1] != q.shape[1]:
        raise ValueError(
            f"target_probs must be (k + 1, vocab) and draft_probs (k, vocab) for k={k} guesses, "
            f"got {p.shape} and {q.shape}"
        )
    if k and (x.min() < 0 or x.max() >= q.shape[1]):
        raise ValueError(f"draft_tokens must be ids in 0..{q.shape[1] - 1}")
    tokens: list[int] = []
    for i in range(k):
        guess, q_guess = int(x[i]), q[i, x[i]]
        if q_guess <= 0:
            raise ValueError(f"draft_tokens[{i}]={guess} has draft probability 0")
        if rng.random() < min(1.0, p[i, guess] / q_guess):
            tokens.append(guess)
            continue
        token = _sample(np.maximum(p[i] - q[i], 0.0), rng)  # the residual, unnormalised
        return SpeculativeStep(tuple(tokens + [token]), i)
    token = _sample(p[k], rng)
    return SpeculativeStep(tuple(tokens + [token]), k)


def expected_tokens_per_round(alpha: float, k: int) -> float:
    """Return ``(1 - alpha**(k + 1)) / (1 - alpha)``: mean tokens one target pass yields.

    Assumes each guess is accepted independently with probability ``alpha`` (Leviathan et al.
    2023, eq. 1); ``k + 1`` when ``alpha == 1``.

    Examples
    --------
    >>> expected_tokens_per_round(0.0, 4), expected_tokens_per_round(1.0, 4)
    (1.0, 5.0)
    >>> round(expected_tokens_per_round(0.8, 4), 3)
    3.362
    """
    alpha = check_float("alpha", alpha, minimum=0.0, maximum=1.0)
    k = check_int("k", k, minimum=0)
    if alpha == 1.0:
        return float(k + 1)
    return (1 - alpha ** (k + 1)) / (1 - alpha)


def expected_speedup(alpha: float, k: int, cost_ratio: float) -> float:
    """Return the expected wall-time speed-up over plain decoding.

    ``expected_tokens_per_round(alpha, k) / (k * cost_ratio + 1)``, where ``cost_ratio`` is the
    time of one draft pass over one target pass, and verifying ``k + 1`` tokens is taken to
    cost one target pass (Leviathan et al. 2023, Theorem 3.8).

    Examples
    --------
    >>> round(expected_speedup(0.8, 4, 0.05), 2)
    2.8
    """
    tokens = expected_tokens_per_round(alpha, k)
    ratio = check_positive_float("cost_ratio", cost_ratio)
    return tokens / (k * ratio + 1)


def speculation_summary(alpha: float, k: int, cost_ratio: float) -> str:
    """Return a few lines: expected tokens per target pass, draft cost and speed-up.

    Examples
    --------
    >>> print(speculation_summary(0.8, 4, 0.05).splitlines()[0])
    tokens per target pass   3.36 (at most 5)
    """
    tokens = expected_tokens_per_round(alpha, k)
    speedup = expected_speedup(alpha, k, cost_ratio)
    draft = f"{k} x {cost_ratio:g} of a target pass = {k * cost_ratio:.2f}"
    return "\n".join(
        [
            f"tokens per target pass   {tokens:.2f} (at most {k + 1})",
            f"draft passes per round   {draft}",
            f"expected speed-up        {speedup:.2f}x"
            + ("  (slower than plain decoding)" if speedup < 1 else ""),
        ]
    )
