"""Decoding: from last-position logits to the next token, and the next-token loop.

A decoder-only model produces one row of logits (``vocab_size`` scores) for the last
position. A *decoding policy* turns that row into a probability distribution (temperature,
top-k, top-p) and a choice (greedy argmax or a sample). ``generate`` repeats
predict-append until a stop token or the token limit.

The order of operations in sampling is: divide by the temperature, keep the top-k logits,
keep the top-p nucleus of what remains, renormalize, draw.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from llmhistory._validate import (
    as_float_array,
    as_int_array,
    check_bool,
    check_callable,
    check_choice,
    check_float,
    check_instance,
    check_int,
    check_positive_float,
    check_positive_int,
    check_rng,
)

__all__ = [
    "GREEDY",
    "TOP_P_TOLERANCE",
    "DecodingPolicy",
    "Generation",
    "apply_temperature",
    "choose_token",
    "generate",
    "log_softmax",
    "next_token_distribution",
    "softmax",
    "softmax_rows",
    "top_k_filter",
    "top_p_filter",
]

#: Slack on the top-p threshold so that rounding in a cumulative sum (0.9999999999999998
#: instead of 1.0) does not pull extra near-zero tokens into the nucleus.
TOP_P_TOLERANCE = 1e-12

STOP_REASONS = ("stop_token", "max_new_tokens")


def _as_logits(logits: object, *, one_d: bool = False) -> np.ndarray:
    """Return logits as float64 (NaN and +inf refused, -inf allowed), rank >= 1."""
    array = as_float_array("logits", logits, ndim=1 if one_d else None, allow_neg_inf=True)
    if array.ndim == 0:
        raise ValueError("logits must have at least one axis, got a scalar")
    return array


def _check_axis(axis: object, ndim: int) -> int:
    axis = check_int("axis", axis)
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis={axis} is out of range for logits with {ndim} axes")
    return axis


def _shifted(array: np.ndarray, axis: int) -> np.ndarray:
    """Return ``array - max`` along ``axis`` after refusing any slice that is all -inf."""
    if np.isneginf(array).all(axis=axis).any():
        raise ValueError("logits has a slice that is all -inf: no token would be allowed")
    with np.errstate(over="ignore"):  # (-huge) - huge overflows to -inf, which is exact here
        return array - array.max(axis=axis, keepdims=True)


def softmax(logits: object, axis: int = -1) -> np.ndarray:
    """Return probabilities ``exp(logits) / sum(exp(logits))`` along ``axis``, computed stably.

    The maximum is subtracted first, so huge logits do not overflow; ``-inf`` entries get
    probability exactly 0.

    Parameters
    ----------
    logits : array_like of float, any shape with at least one axis
        Scores; finite values or ``-inf`` (masked). NaN and ``+inf`` are refused.
    axis : int, default -1
        Axis that holds the vocabulary.

    Returns
    -------
    numpy.ndarray
        float64 array of the same shape; each slice along ``axis`` sums to 1.

    Raises
    ------
    TypeError
        If ``logits`` is not numeric or ``axis`` is not an integer.
    ValueError
        If ``logits`` is empty, holds NaN or ``+inf``, has a slice that is all ``-inf``, or
        ``axis`` is out of range.

    Examples
    --------
    >>> softmax([0.0, 0.0]).tolist()
    [0.5, 0.5]
    >>> softmax([1000.0, 1000.0, -np.inf]).tolist()
    [0.5, 0.5, 0.0]
    """
    array = _as_logits(logits)
    axis = _check_axis(axis, array.ndim)
    return softmax_rows(_shifted(array, axis), axis)


def softmax_rows(scores: np.ndarray, axis: int = -1) -> np.ndarray:
    """Return ``exp(scores - max) / sum``: the unchecked kernel of :func:`softmax`.

    ``[..., n] -> [..., n]``, in the dtype of ``scores``; ``-inf`` gives exactly 0.

    No validation and no conversion, for a forward pass whose arrays are already checked
    (the tiny model's attention). Every slice along ``axis`` needs one finite entry.

    >>> softmax_rows(np.array([0.0, 0.0, -np.inf], np.float32))
    array([0.5, 0.5, 0. ], dtype=float32)
    """
    weights = np.exp(scores - scores.max(axis=axis, keepdims=True))
    return weights / weights.sum(axis=axis, keepdims=True)


def log_softmax(logits: object, axis: int = -1) -> np.ndarray:
    """Return log-probabilities ``logits - logsumexp(logits)`` along ``axis``, computed stably.

    Parameters
    ----------
    logits : array_like of float, any shape with at least one axis
        Scores; finite values or ``-inf``.
    axis : int, default -1
        Axis that holds the vocabulary.

    Returns
    -------
    numpy.ndarray
        float64 array of the same shape; ``-inf`` where the logit was ``-inf``.

    Raises
    ------
    TypeError, ValueError
        As for :func:`softmax`.

    Examples
    --------
    >>> np.round(log_softmax([0.0, 0.0]), 6).tolist()
    [-0.693147, -0.693147]
    """
    array = _as_logits(logits)
    axis = _check_axis(axis, array.ndim)
    shifted = _shifted(array, axis)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def apply_temperature(logits: object, temperature: float) -> np.ndarray:
    """Return ``logits / temperature``: below 1 sharpens the distribution, above 1 flattens it.

    Parameters
    ----------
    logits : array_like of float, any shape
        Scores; finite values or ``-inf``.
    temperature : float
        Finite and ``> 0`` (dimensionless).

    Returns
    -------
    numpy.ndarray
        float64 array of the same shape.

    Raises
    ------
    TypeError
        If ``temperature`` is not a real number or ``logits`` is not numeric.
    ValueError
        If ``temperature`` is not finite and positive, ``logits`` holds NaN or ``+inf``, or
        the division overflows (temperature too small for the logits' magnitude).

    Examples
    --------
    >>> apply_temperature([2.0, -1.0], 0.5).tolist()
    [4.0, -2.0]
    """
    temperature = check_positive_float("temperature", temperature)
    array = _as_logits(logits)
    with np.errstate(over="ignore"):
        scaled = array / temperature
    if np.isinf(scaled[np.isfinite(array)]).any():
        raise ValueError(
            f"temperature={temperature} is too small for these logits: scaling overflows"
        )
    return scaled


def top_k_filter(logits: object, k: int) -> np.ndarray:
    """Return a copy of 1-D ``logits`` with all but the ``k`` largest set to ``-inf``.

    Exactly ``k`` positions keep their logit. Ties are broken by position: among equal
    logits the lower index is kept first (a stable sort).

    Parameters
    ----------
    logits : array_like of float, shape (vocab_size,)
        Scores; finite values or ``-inf``.
    k : int
        Number of tokens to keep, ``1 <= k <= vocab_size``.

    Returns
    -------
    numpy.ndarray
        float64 array of shape ``(vocab_size,)``.

    Raises
    ------
    TypeError
        If ``k`` is not an integer or ``logits`` is not numeric.
    ValueError
        If ``k`` is outside ``1..vocab_size`` or ``logits`` is not 1-D or holds NaN / ``+inf``.

    Examples
    --------
    >>> top_k_filter([1.0, 3.0, 2.0, 3.0], 2).tolist()
    [-inf, 3.0, -inf, 3.0]
    """
    array = _as_logits(logits, one_d=True)
    k = check_positive_int("k", k)
    if k > array.size:
        raise ValueError(f"k={k} must be <= vocab_size={array.size}")
    keep = np.argsort(-array, kind="stable")[:k]
    filtered = np.full_like(array, -np.inf)
    filtered[keep] = array[keep]
    return filtered


def top_p_filter(logits: object, p: float) -> np.ndarray:
    """Return a copy of 1-D ``logits`` keeping only the top-p nucleus, the rest set to ``-inf``.

    The nucleus is the smallest set of highest-probability tokens whose total probability
    reaches ``p`` (within :data:`TOP_P_TOLERANCE`); it always holds at least one token.
    Tokens are ranked by logit with ties broken by position (lower index first).

    Parameters
    ----------
    logits : array_like of float, shape (vocab_size,)
        Scores; finite values or ``-inf``.
    p : float
        Probability mass to keep, ``0 < p <= 1``.

    Returns
    -------
    numpy.ndarray
        float64 array of shape ``(vocab_size,)``.

    Raises
    ------
    TypeError
        If ``p`` is not a real number or ``logits`` is not numeric.
    ValueError
        If ``p`` is outside ``(0, 1]`` or ``logits`` is invalid (see :func:`softmax`).

    Examples
    --------
    >>> probs = [0.5, 0.3, 0.2]
    >>> np.isfinite(top_p_filter(np.log(probs), 0.8)).tolist()
    [True, True, False]
    """
    array = _as_logits(logits, one_d=True)
    p = check_float("p", p, minimum=0.0, strict_minimum=True, maximum=1.0)
    probs = softmax(array)
    order = np.argsort(-array, kind="stable")
    cumulative = np.cumsum(probs[order])
    size = int(np.searchsorted(cumulative, p - TOP_P_TOLERANCE, side="left")) + 1
    keep = order[: min(size, array.size)]
    filtered = np.full_like(array, -np.inf)
    filtered[keep] = array[keep]
    return filtered


@dataclass(frozen=True)
class DecodingPolicy:
    """A rule that turns last-position logits into the next token.

    Parameters
    ----------
    greedy : bool, default True
        Take the argmax (first index on ties). With ``greedy=True`` the other fields must
        keep their defaults, since they would have no effect.
    temperature : float, default 1.0
        Divides the logits before sampling; finite and ``> 0``.
    top_k : int or None, default None
        Keep only the ``top_k`` largest logits (``>= 1``) before sampling.
    top_p : float or None, default None
        Keep only the top-p nucleus, ``0 < top_p <= 1``, before sampling.

    Raises
    ------
    TypeError
        If a field has the wrong type.
    ValueError
        If a value is out of range, or a sampling knob is set together with ``greedy=True``.

    Examples
    --------
    >>> DecodingPolicy.sampling(temperature=0.7, top_k=50)
    DecodingPolicy(greedy=False, temperature=0.7, top_k=50, top_p=None)
    """

    greedy: bool = True
    temperature: float = 1.0
    top_k: int | None = None
    top_p: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "greedy", check_bool("greedy", self.greedy))
        object.__setattr__(
            self, "temperature", check_positive_float("temperature", self.temperature)
        )
        if self.top_k is not None:
            object.__setattr__(self, "top_k", check_positive_int("top_k", self.top_k))
        if self.top_p is not None:
            top_p = check_float("top_p", self.top_p, minimum=0.0, strict_minimum=True, maximum=1.0)
            object.__setattr__(self, "top_p", top_p)
        if self.greedy:
            for name, value, default in (
                ("temperature", self.temperature, 1.0),
                ("top_k", self.top_k, None),
                ("top_p", self.top_p, None),
            ):
                if value != default:
                    raise ValueError(
                        f"{name}={value} has no effect with greedy=True; "
                        f"use DecodingPolicy.sampling({name}={value})"
                    )

    @classmethod
    def greedy_policy(cls) -> DecodingPolicy:
        """Return the greedy policy (argmax, first index on ties).

        >>> DecodingPolicy.greedy_policy().greedy
        True
        """
        return cls()

    @classmethod
    def sampling(
        cls,
        temperature: float = 1.0,
        top_k: int | None = None,
        top_p: float | None = None,
    ) -> DecodingPolicy:
        """Return a sampling policy with the given temperature, top-k and top-p.

        >>> DecodingPolicy.sampling(top_p=0.9).top_p
        0.9
        """
        return cls(greedy=False, temperature=temperature, top_k=top_k, top_p=top_p)


GREEDY = DecodingPolicy()


def next_token_distribution(logits: object, policy: DecodingPolicy = GREEDY) -> np.ndarray:
    """Return the (vocab_size,) next-token probabilities that ``policy`` draws from.

    Greedy gives a one-hot vector at the argmax (first index on ties). Sampling applies the
    temperature, then top-k, then top-p, then a softmax.

    Parameters
    ----------
    logits : array_like of float, shape (vocab_size,)
        Last-position scores; finite values or ``-inf``, not all ``-inf``.
    policy : DecodingPolicy, default greedy

    Returns
    -------
    numpy.ndarray
        float64 array of shape ``(vocab_size,)``, non-negative, summing to 1.

    Raises
    ------
    TypeError
        If ``policy`` is not a :class:`DecodingPolicy` or ``logits`` is not numeric.
    ValueError
        If ``logits`` is invalid or ``policy.top_k`` exceeds ``vocab_size``.

    Examples
    --------
    >>> next_token_distribution([1.0, 3.0, 3.0]).tolist()
    [0.0, 1.0, 0.0]
    >>> policy = DecodingPolicy.sampling(top_k=1)
    >>> next_token_distribution([1.0, 3.0, 2.0], policy).tolist()
    [0.0, 1.0, 0.0]
    """
    array = _as_logits(logits, one_d=True)
    policy = check_instance("policy", policy, DecodingPolicy)
    if policy.greedy:
        _shifted(array, -1)  # refuses an all -inf row
        probs = np.zeros_like(array)
        probs[int(np.argmax(array))] = 1.0
        return probs
    scaled = apply_temperature(array, policy.temperature)
    if policy.top_k is not None:
        if policy.top_k > array.size:
            raise ValueError(f"policy.top_k={policy.top_k} must be <= vocab_size={array.size}")
        scaled = top_k_filter(scaled, policy.top_k)
    if policy.top_p is not None:
        scaled = top_p_filter(scaled, policy.top_p)
    return softmax(scaled)


def choose_token(
    logits: object,
    policy: DecodingPolicy = GREEDY,
    rng: np.random.Generator | None = None,
) -> int:
    """Return the id of the next token chosen from 1-D ``logits`` under ``policy``.

    Greedy takes the argmax and ignores ``rng``. Sampling draws one token by inverse CDF
    from :func:`next_token_distribution` with one ``rng.random()`` call, so it never
    returns a token of probability 0.

    Parameters
    ----------
    logits : array_like of float, shape (vocab_size,)
        Last-position scores.
    policy : DecodingPolicy, default greedy
    rng : numpy.random.Generator, optional
        Required when sampling.

    Returns
    -------
    int
        Token id in ``0..vocab_size-1``.

    Raises
    ------
    TypeError
        If sampling without a ``numpy.random.Generator``, or ``policy`` has the wrong type.
    ValueError
        As for :func:`next_token_distribution`.

    Examples
    --------
    >>> choose_token([0.1, 2.0, -1.0])
    1
    >>> choose_token([0.1, 2.0, -1.0], DecodingPolicy.sampling(top_k=1), np.random.default_rng(0))
    1
    """
    policy = check_instance("policy", policy, DecodingPolicy)
    if not policy.greedy:
        rng = check_rng("rng", rng)
    probs = next_token_distribution(logits, policy)
    if policy.greedy:
        return int(np.argmax(probs))
    cumulative = np.cumsum(probs)
    index = int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))
    return min(index, int(np.flatnonzero(probs)[-1]))


@dataclass(frozen=True)
class Generation:
    """The record of one run of the next-token loop.

    Attributes
    ----------
    token_ids : tuple of int
        Prompt followed by the generated tokens.
    new_token_ids : tuple of int
        Generated tokens only (including the stop token, if one ended the run).
    stop_reason : str
        ``"stop_token"`` or ``"max_new_tokens"``.

    Examples
    --------
    >>> Generation((1, 2, 3), (3,), "stop_token").new_token_ids
    (3,)
    """

    token_ids: tuple[int, ...]
    new_token_ids: tuple[int, ...]
    stop_reason: str

    def __post_init__(self) -> None:
        check_choice("stop_reason", self.stop_reason, STOP_REASONS)
        object.__setattr__(self, "token_ids", tuple(int(t) for t in self.token_ids))
        object.__setattr__(self, "new_token_ids", tuple(int(t) for t in self.new_token_ids))
        new = len(self.new_token_ids)
        if new > len(self.token_ids) or self.token_ids[len(self.token_ids) - new :] != (
            self.new_token_ids
        ):
            raise ValueError("new_token_ids must be the tail of token_ids")


def _check_token_ids(name: str, value: object, *, allow_empty: bool) -> list[int]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(
            f"{name} must be a sequence of integer token ids, got {type(value).__name__}"
        )
    array = as_int_array(name, list(value), ndim=1)
    if array.size == 0 and not allow_empty:
        raise ValueError(f"{name} must hold at least one token id")
    if (array < 0).any():
        raise ValueError(f"{name} must hold token ids >= 0, got {int(array.min())}")
    return [int(t) for t in array]


def generate(
    next_logits: Callable[[list[int]], object],
    prompt_ids: Sequence[int],
    *,
    max_new_tokens: int,
    policy: DecodingPolicy = GREEDY,
    rng: np.random.Generator | None = None,
    stop_tokens: Iterable[int] = (),
) -> Generation:
    """Return the :class:`Generation` from running the next-token loop on ``prompt_ids``.

    Each step calls ``next_logits(token_ids)`` for the scores of the token after the last
    one, chooses a token with :func:`choose_token`, appends it and repeats. The loop stops
    after a stop token (which is kept in the output) or after ``max_new_tokens`` steps.

    Parameters
    ----------
    next_logits : callable
        ``next_logits(token_ids: list[int]) -> (vocab_size,)`` logits for the last position.
        It receives a fresh list each call; every call must return the same ``vocab_size``.
    prompt_ids : sequence of int
        Non-empty prompt token ids, each ``>= 0`` and ``< vocab_size``.
    max_new_tokens : int
        Maximum number of tokens to generate, ``>= 0``.
    policy : DecodingPolicy, default greedy
    rng : numpy.random.Generator, optional
        Required when ``policy`` samples; the same seed gives the same output.
    stop_tokens : iterable of int, default ()
        Token ids that end generation.

    Returns
    -------
    Generation

    Raises
    ------
    TypeError
        If ``next_logits`` is not callable, ids are not integers, ``policy`` or ``rng`` has the
        wrong type, or ``next_logits`` returns something that is not numeric.
    ValueError
        If ``prompt_ids`` is empty, ids are negative or beyond ``vocab_size``,
        ``max_new_tokens < 0``, or ``next_logits`` returns a bad or inconsistent array.

    Examples
    --------
    >>> def count_up(ids):
    ...     logits = np.full(5, -np.inf)
    ...     logits[(ids[-1] + 1) % 5] = 0.0
    ...     return logits
    >>> generate(count_up, [0], max_new_tokens=10, stop_tokens=[3])
    Generation(token_ids=(0, 1, 2, 3), new_token_ids=(1, 2, 3), stop_reason='stop_token')
    """
    check_callable("next_logits", next_logits)
    token_ids = _check_token_ids("prompt_ids", prompt_ids, allow_empty=False)
    max_new_tokens = check_int("max_new_tokens", max_new_tokens, minimum=0)
    policy = check_instance("policy", policy, DecodingPolicy)
    if not policy.greedy:
        rng = check_rng("rng", rng)
    stops = set(_check_token_ids("stop_tokens", stop_tokens, allow_empty=True))

    prompt_length = len(token_ids)
    vocab_size: int | None = None
    stop_reason = "max_new_tokens"
    for step in range(max_new_tokens):
        logits = as_float_array(
            "next_logits(token_ids)", next_logits(list(token_ids)), ndim=1, allow_neg_inf=True
        )
        if vocab_size is None:
            vocab_size = logits.size
            if max(token_ids) >= vocab_size:
                raise ValueError(
                    f"prompt_ids holds id {max(token_ids)} but next_logits returned "
                    f"vocab_size={vocab_size}"
                )
        elif logits.size != vocab_size:
            raise ValueError(
                f"next_logits returned {logits.size} logits at step {step}, "
                f"expected vocab_size={vocab_size}"
            )
        if np.isneginf(logits).all():
            raise ValueError(f"next_logits returned only -inf at step {step}: no token allowed")
        token = choose_token(logits, policy, rng)
        token_ids.append(token)
        if token in stops:
            stop_reason = "stop_token"
            break
    return Generation(tuple(token_ids), tuple(token_ids[prompt_length:]), stop_reason)
