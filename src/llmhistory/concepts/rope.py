"""Rotary position embeddings (RoPE; Su et al. 2021, RoFormer).

RoPE encodes a token's position by rotating pairs of query and key coordinates through an angle
proportional to the position. Because a rotation by ``m * theta`` followed by a dot product
with a vector rotated by ``n * theta`` equals a single rotation by ``(m - n) * theta``, the
attention score of a rotated query and key depends on the two positions only through their
gap ``m - n``.

This module follows the Llama / Hugging Face layout ("rotate half"): in a head of width
``head_dim`` coordinate ``i`` is paired with coordinate ``i + head_dim / 2`` and that pair turns
at frequency ``base ** (-2 i / head_dim)`` radians per position.

The two-dimensional case is :func:`rotate_2d`. A head of width 2 has a single pair whose
frequency is ``base ** 0 = 1`` for any ``base``, so ``apply_rope`` on it turns the vector by
``position`` radians, exactly ``rotate_2d(vector, position, theta=1.0)``.

Reading longer texts than a model was trained on (its ``original_context``) changes the
frequencies before the tables are built: Position Interpolation divides them all by the
extension ``factor`` (:func:`interpolated_frequencies`; Chen et al. 2023), "NTK-aware"
scaling raises the base (:func:`ntk_base`; bloc97 2023), YaRN interpolates only the slow pairs,
with a ramp between (:func:`yarn_frequencies`; Peng et al. 2023), and Llama 3.1 does the same
with its own ramp (:func:`llama3_frequencies`). :func:`frequency_tables` turns any frequencies
into the ``(cos, sin)`` tables a model uses. ALiBi (Press et al. 2022) has no rotation at all:
it adds a penalty proportional to the distance to every score (:func:`alibi_bias`).

>>> query, key = [1.0, 0.2], [0.3, 0.9]
>>> round(float(rotate_2d(query, 4) @ rotate_2d(key, 2)), 6)
0.936998
"""

from __future__ import annotations

import numpy as np

from llmhistory._validate import (
    as_float_array,
    as_int_array,
    check_choice,
    check_float,
    check_int,
    check_positive_float,
    check_positive_int,
    check_str,
)

__all__ = [
    "SCALING_METHODS",
    "alibi_bias",
    "alibi_slopes",
    "alibi_span",
    "apply_rope",
    "frequency_tables",
    "interpolated_frequencies",
    "llama3_frequencies",
    "ntk_base",
    "ntk_frequencies",
    "relative_score",
    "rope_angles",
    "rope_frequencies",
    "rope_rotate",
    "rope_tables",
    "rotate_2d",
    "rotate_half",
    "scaled_frequencies",
    "scores_by_gap",
    "yarn_attention_scale",
    "yarn_frequencies",
    "yarn_ramp",
]


def _check_positions(name: str, positions: object) -> np.ndarray:
    array = as_int_array(name, positions, ndim=1)
    if array.size and array.min() < 0:
        raise ValueError(f"{name} must be non-negative integers, got minimum {array.min()}")
    return array


def _check_head_dim(head_dim: object) -> int:
    head_dim = check_positive_int("head_dim", head_dim)
    if head_dim % 2:
        raise ValueError(f"head_dim must be even (coordinates rotate in pairs), got {head_dim}")
    return head_dim


def rotate_2d(vector: object, position: int, theta: float = 0.4) -> np.ndarray:
    """Return the 2-vector ``vector`` rotated counter-clockwise by ``position * theta`` radians.

    Parameters
    ----------
    vector : array_like, shape (2,)
        The vector to rotate.
    position : int
        Token position, ``>= 0``.
    theta : float, default 0.4
        Angle per position step, in radians (finite).

    Returns
    -------
    numpy.ndarray, shape (2,)
        ``R(position * theta) @ vector`` with ``R(a) = [[cos a, -sin a], [sin a, cos a]]``.

    Raises
    ------
    TypeError
        If ``vector`` is not numeric, ``position`` not an integer or ``theta`` not real.
    ValueError
        If ``vector`` does not have shape (2,), holds NaN/inf, or ``position < 0``.

    Examples
    --------
    >>> rotate_2d([1.0, 0.0], 1, theta=np.pi / 2).round(12)
    array([0., 1.])
    """
    vector = as_float_array("vector", vector, ndim=1)
    if vector.shape != (2,):
        raise ValueError(f"vector must have shape (2,), got {vector.shape}")
    position = check_int("position", position, minimum=0)
    theta = check_float("theta", theta)
    angle = position * theta
    cos, sin = np.cos(angle), np.sin(angle)
    rotation = np.array([[cos, -sin], [sin, cos]])  # [2, 2]
    return rotation @ vector  # [2]


def rope_frequencies(head_dim: int, base: float = 10000.0) -> np.ndarray:
    """Return the ``head_dim // 2`` frequencies ``base ** (-2 i / head_dim)`` in rad/position.

    Parameters
    ----------
    head_dim : int
        Width of one attention head; even and ``>= 2``.
    base : float, default 10000.0
        RoPE base (``rope_theta`` in Hugging Face configs: 10 000 for Llama 2, 500 000 for
        Llama 3); finite and ``> 0``.

    Returns
    -------
    numpy.ndarray, shape (head_dim // 2,)
        ``inv_freq[i] = base ** (-2 i / head_dim)``; ``inv_freq[0] == 1``, then decreasing for
        ``base > 1``.

    Raises
    ------
    TypeError
        If ``head_dim`` is not an integer or ``base`` not real.
    ValueError
        If ``head_dim`` is odd or ``< 1``, or ``base <= 0``.

    Examples
    --------
    >>> rope_frequencies(8, base=10000.0)
    array([1.   , 0.1  , 0.01 , 0.001])
    """
    head_dim = _check_head_dim(head_dim)
    base = check_positive_float("base", base)
    exponents = np.arange(0, head_dim, 2, dtype=np.float64) / head_dim  # [head_dim // 2]
    return base**-exponents


def rope_angles(positions: object, head_dim: int, base: float = 10000.0) -> np.ndarray:
    """Return the rotation angle in radians of every (position, pair): ``positions x inv_freq``.

    Parameters
    ----------
    positions : array_like of int, shape (tokens,)
        Token positions, ``>= 0``.
    head_dim : int
        Width of one head; even.
    base : float, default 10000.0
        RoPE base, ``> 0``.

    Returns
    -------
    numpy.ndarray, shape (tokens, head_dim // 2)
        ``angles[t, i] = positions[t] * base ** (-2 i / head_dim)``.

    Raises
    ------
    TypeError
        If ``positions`` does not hold integers.
    ValueError
        If ``positions`` is not 1-D or has a negative entry, or ``head_dim``/``base`` is
        invalid.

    Examples
    --------
    >>> rope_angles([0, 1, 2], head_dim=4, base=100.0)
    array([[0. , 0. ],
           [1. , 0.1],
           [2. , 0.2]])
    """
    positions = _check_positions("positions", positions)
    inv_freq = rope_frequencies(head_dim, base)  # [head_dim // 2]
    return np.outer(positions.astype(np.float64), inv_freq)  # [tokens, head_dim // 2]


def rotate_half(x: object) -> np.ndarray:
    """Return ``concat(-x2, x1)`` over the last axis, where ``x1, x2`` are its two halves.

    This is the Llama / Hugging Face pairing: coordinate ``i`` goes with ``i + head_dim / 2``,
    and each pair ``(a, b)`` becomes ``(-b, a)``, a quarter turn.

    Parameters
    ----------
    x : array_like, shape (..., head_dim)
        Any array whose last axis has even length.

    Returns
    -------
    numpy.ndarray, shape (..., head_dim)

    Raises
    ------
    TypeError
        If ``x`` is not numeric.
    ValueError
        If ``x`` is a scalar or empty, holds NaN/inf, or its last axis is odd.

    Examples
    --------
    >>> rotate_half([1.0, 2.0, 3.0, 4.0])
    array([-3., -4.,  1.,  2.])
    """
    x = as_float_array("x", x)
    if x.ndim < 1:
        raise ValueError("x must have at least 1 dimension, got a scalar")
    if x.shape[-1] % 2:
        raise ValueError(f"x must have an even last axis, got shape {x.shape}")
    return _rotate_half(x)


def _rotate_half(x: np.ndarray) -> np.ndarray:
    half = x.shape[-1] // 2
    return np.concatenate([-x[..., half:], x[..., :half]], axis=-1)


def apply_rope(x: object, positions: object, base: float = 10000.0) -> np.ndarray:
    """Return ``x`` with rotary position embeddings applied: ``x * cos + rotate_half(x) * sin``.

    The same computation as Hugging Face Llama's ``apply_rotary_pos_emb``: the angles of
    :func:`rope_angles` are repeated for both halves of the head, so coordinates ``i`` and
    ``i + head_dim / 2`` turn together by ``positions[t] * base ** (-2 i / head_dim)``.

    Parameters
    ----------
    x : array_like, shape (..., tokens, head_dim)
        Queries or keys; leading axes (``batch``, ``heads``) broadcast. ``head_dim`` even.
    positions : array_like of int, shape (tokens,)
        Position of each token, ``>= 0`` (with a KV cache, the new token's position is the
        number of tokens already cached).
    base : float, default 10000.0
        RoPE base, ``> 0``.

    Returns
    -------
    numpy.ndarray, shape (..., tokens, head_dim), float64
        The rotated vectors; each pair keeps its length.

    Raises
    ------
    TypeError
        If ``x`` is not numeric or ``positions`` does not hold integers.
    ValueError
        If ``x`` has fewer than 2 axes, holds NaN/inf or has an odd ``head_dim``; if
        ``positions`` is not 1-D, has a negative entry or its length differs from ``tokens``.

    Examples
    --------
    >>> apply_rope([[1.0, 0.0]], positions=[0])
    array([[1., 0.]])
    >>> apply_rope([[1.0, 0.0]], positions=[1]).round(6)  # 2-dim head: turns 1 radian
    array([[0.540302, 0.841471]])
    """
    x = as_float_array("x", x)
    if x.ndim < 2:
        raise ValueError(f"x must have shape (..., tokens, head_dim), got shape {x.shape}")
    tokens, head_dim = x.shape[-2], x.shape[-1]
    if head_dim % 2:
        raise ValueError(f"x must have an even head_dim (last axis), got {head_dim}")
    positions = _check_positions("positions", positions)
    if positions.shape[0] != tokens:
        raise ValueError(
            f"positions has {positions.shape[0]} entries but x has tokens={tokens} "
            f"(shape {x.shape})"
        )
    return rope_rotate(x, *rope_tables(positions, head_dim, base))  # [..., tokens, head_dim]


def rope_tables(
    positions: object, head_dim: int, base: float = 10000.0
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(cos, sin)`` of the RoPE angles, each ``(tokens, head_dim)``, float64.

    The angles of :func:`rope_angles` repeated for both halves of the head, as Hugging Face
    Llama caches them; a model computes them once for every position of its context.

    Examples
    --------
    >>> cos, sin = rope_tables([0, 1], head_dim=2)
    >>> cos.round(4).tolist(), sin.round(4).tolist()
    ([[1.0, 1.0], [0.5403, 0.5403]], [[0.0, 0.0], [0.8415, 0.8415]])
    """
    angles = rope_angles(positions, head_dim, base)  # [tokens, head_dim // 2]
    emb = np.concatenate([angles, angles], axis=-1)  # [tokens, head_dim]
    return np.cos(emb), np.sin(emb)


def rope_rotate(x: np.ndarray, cos: np.ndarray, sin: np.ndarray) -> np.ndarray:
    """Return ``x * cos + rotate_half(x) * sin``: the unchecked kernel of :func:`apply_rope`.

    ``[..., tokens, head_dim], [tokens, head_dim], [tokens, head_dim] -> [..., tokens, head_dim]``

    No validation and no conversion: it computes in the dtype of its inputs, for a forward
    pass whose arrays are already checked (the tiny model's attention).

    >>> cos, sin = rope_tables([1], head_dim=2)
    >>> rope_rotate(np.array([[1.0, 0.0]]), cos, sin).round(6)
    array([[0.540302, 0.841471]])
    """
    return x * cos + _rotate_half(x) * sin


def _check_query_key(q: object, k: object) -> tuple[np.ndarray, np.ndarray]:
    q = as_float_array("q", q, ndim=1)
    k = as_float_array("k", k, ndim=1)
    if q.shape != k.shape:
        raise ValueError(f"q and k must have the same shape, got {q.shape} and {k.shape}")
    if q.shape[0] % 2:
        raise ValueError(f"q must have an even head_dim, got {q.shape[0]}")
    return q, k


def relative_score(q: object, k: object, q_pos: int, k_pos: int, base: float = 10000.0) -> float:
    """Return the dot product of ``q`` rotated to ``q_pos`` with ``k`` rotated to ``k_pos``.

    The unscaled attention logit of one query/key pair under RoPE. It depends on the positions
    only through ``q_pos - k_pos``.

    Parameters
    ----------
    q, k : array_like, shape (head_dim,)
        One query and one key; ``head_dim`` even.
    q_pos, k_pos : int
        Their positions, ``>= 0``.
    base : float, default 10000.0
        RoPE base, ``> 0``.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``q`` and ``k`` differ in shape or are not 1-D with even length, or a position is
        negative.

    Examples
    --------
    >>> q, k = [1.0, 0.0, 0.5, 0.5], [0.2, 0.4, 0.0, 1.0]
    >>> bool(np.isclose(relative_score(q, k, 7, 3), relative_score(q, k, 104, 100)))
    True
    """
    q, k = _check_query_key(q, k)
    q_pos = check_int("q_pos", q_pos, minimum=0)
    k_pos = check_int("k_pos", k_pos, minimum=0)
    rotated_q = apply_rope(q[None, :], [q_pos], base)[0]  # [head_dim]
    rotated_k = apply_rope(k[None, :], [k_pos], base)[0]  # [head_dim]
    return float(rotated_q @ rotated_k)


def scores_by_gap(
    q: object, k: object, gaps: object, offset: int = 0, base: float = 10000.0
) -> np.ndarray:
    """Return the RoPE score of ``q`` at ``offset + gap`` against ``k`` at ``offset``, per gap.

    Plotting this for two offsets gives the same curve: the score is a function of the gap.

    Parameters
    ----------
    q, k : array_like, shape (head_dim,)
        One query and one key; ``head_dim`` even.
    gaps : array_like of int, shape (n,)
        Query-minus-key distances, ``>= 0``.
    offset : int, default 0
        Position of the key, ``>= 0``.
    base : float, default 10000.0
        RoPE base, ``> 0``.

    Returns
    -------
    numpy.ndarray, shape (n,)
        ``scores[j] = relative_score(q, k, offset + gaps[j], offset)``.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``gaps`` is empty, not 1-D or has a negative entry, ``offset < 0``, or ``q``/``k`` are
        invalid as in :func:`relative_score`.

    Examples
    --------
    >>> q, k = [1.0, 0.0, 0.5, 0.5], [0.2, 0.4, 0.0, 1.0]
    >>> np.allclose(scores_by_gap(q, k, [0, 1, 5]), scores_by_gap(q, k, [0, 1, 5], offset=50))
    True
    """
    q, k = _check_query_key(q, k)
    gaps = _check_positions("gaps", gaps)
    if gaps.size == 0:
        raise ValueError("gaps must hold at least one gap")
    offset = check_int("offset", offset, minimum=0)
    rotated_q = apply_rope(np.broadcast_to(q, (gaps.size, q.size)), offset + gaps, base)
    rotated_k = apply_rope(k[None, :], [offset], base)[0]  # [head_dim]
    return rotated_q @ rotated_k  # [n]


# -- context extension: new frequencies for texts longer than the training context ----------

#: The frequency adjustments :func:`scaled_frequencies` knows: none, Position Interpolation,
#: NTK-aware base change, YaRN and Llama 3.1's scaling.
SCALING_METHODS = ("none", "pi", "ntk", "yarn", "llama3")


def _check_factor(factor: object) -> float:
    return check_float("factor", factor, minimum=1.0)


def frequency_tables(positions: object, frequencies: object) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(cos, sin)`` tables, each ``(tokens, 2 * pairs)``, for any pair frequencies.

    The same computation as :func:`rope_tables`, which it equals bit for bit when
    ``frequencies`` is ``rope_frequencies(head_dim, base)``; here the frequencies may come
    from a context-extension method (:func:`scaled_frequencies`).

    Parameters
    ----------
    positions : array_like of int, shape (tokens,)
        Token positions, ``>= 0``.
    frequencies : array_like, shape (pairs,)
        Radians per position of each pair, finite and ``> 0``.

    Returns
    -------
    cos, sin : numpy.ndarray, shape (tokens, 2 * pairs), float64

    Raises
    ------
    TypeError
        If ``positions`` does not hold integers or ``frequencies`` is not numeric.
    ValueError
        If ``positions`` is not 1-D or negative, or ``frequencies`` is empty, not 1-D or has an
        entry ``<= 0``.

    Examples
    --------
    >>> cos, sin = frequency_tables([2], [0.5])  # one pair at half a radian per position
    >>> cos.round(4).tolist(), sin.round(4).tolist()
    ([[0.5403, 0.5403]], [[0.8415, 0.8415]])
    """
    positions = _check_positions("positions", positions)
    frequencies = _check_frequencies(frequencies)
    angles = np.outer(positions.astype(np.float64), frequencies)  # [tokens, pairs]
    emb = np.concatenate([angles, angles], axis=-1)  # [tokens, 2 * pairs]
    return np.cos(emb), np.sin(emb)


def _check_frequencies(frequencies: object) -> np.ndarray:
    frequencies = as_float_array("frequencies", frequencies, ndim=1)
    if frequencies.size == 0 or frequencies.min() <= 0:
        raise ValueError("frequencies must hold at least one frequency, each > 0")
    return frequencies


def interpolated_frequencies(
    head_dim: int, base: float = 10000.0, factor: float = 1.0
) -> np.ndarray:
    """Return Position Interpolation's frequencies: every RoPE frequency divided by ``factor``.

    Chen et al. (2023) read position ``m`` of a text ``factor`` times longer than the training
    context as position ``m / factor``; dividing every frequency by ``factor`` is the same
    rotation, so all angles stay inside the range seen in training.

    Parameters
    ----------
    head_dim : int
        Width of one head; even.
    base : float, default 10000.0
        RoPE base, ``> 0``.
    factor : float, default 1.0
        Context extension ``new context / original context``, ``>= 1``.

    Returns
    -------
    numpy.ndarray, shape (head_dim // 2,)
        Radians per position, ``rope_frequencies(head_dim, base) / factor``.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``head_dim`` is odd or ``< 1``, ``base <= 0`` or ``factor < 1``.

    Examples
    --------
    >>> interpolated_frequencies(4, base=100.0, factor=2.0)
    array([0.5 , 0.05])
    """
    factor = _check_factor(factor)
    return rope_frequencies(head_dim, base) / factor


def ntk_base(base: float, factor: float, head_dim: int) -> float:
    """Return the "NTK-aware" base ``base * factor ** (head_dim / (head_dim - 2))``.

    bloc97 (2023) proposed changing the base instead of the positions: with this base the
    fastest pair (``i = 0``) keeps its frequency of 1 rad/position and the slowest pair
    (``i = head_dim/2 - 1``) turns exactly ``factor`` times slower, as under Position
    Interpolation; the pairs between are interpolated less the faster they turn.

    Parameters
    ----------
    base : float
        Original RoPE base, ``> 0``.
    factor : float
        Context extension, ``>= 1``.
    head_dim : int
        Width of one head; even and ``>= 4`` (a head of width 2 has no slow pair).

    Returns
    -------
    float
        The new base (unitless).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``base <= 0``, ``factor < 1``, or ``head_dim`` is odd or ``< 4``.

    Examples
    --------
    >>> round(ntk_base(10000.0, 8.0, head_dim=128))
    82685
    """
    base = check_positive_float("base", base)
    factor = _check_factor(factor)
    head_dim = _check_head_dim(head_dim)
    if head_dim < 4:
        raise ValueError(f"head_dim must be >= 4 for an NTK-aware base, got {head_dim}")
    return base * factor ** (head_dim / (head_dim - 2))


def ntk_frequencies(head_dim: int, base: float = 10000.0, factor: float = 1.0) -> np.ndarray:
    """Return the RoPE frequencies at the NTK-aware base :func:`ntk_base`, in rad/position.

    Examples
    --------
    >>> ntk_frequencies(4, base=100.0, factor=4.0).round(6).tolist()  # slow pair: 0.1 / 4
    [1.0, 0.025]
    """
    return rope_frequencies(head_dim, ntk_base(base, factor, head_dim))


def yarn_ramp(ratio: object, alpha: float = 1.0, beta: float = 32.0) -> np.ndarray:
    """Return YaRN's ramp ``gamma(r)``: 0 for ``r < alpha``, 1 for ``r > beta``, linear between.

    ``r = original_context / wavelength`` counts how many full turns a pair makes within the
    training context. A pair with ``gamma = 1`` keeps its frequency; one with ``gamma = 0`` is
    interpolated like Position Interpolation (Peng et al. 2023, "NTK-by-parts").

    Parameters
    ----------
    ratio : array_like
        Turns per training context, ``>= 0``.
    alpha, beta : float, default 1.0 and 32.0
        The ramp's ends (the paper's values for Llama), ``0 <= alpha < beta``.

    Returns
    -------
    numpy.ndarray, same shape as ``ratio``, values in [0, 1]

    Raises
    ------
    TypeError
        If an argument is not numeric.
    ValueError
        If ``ratio`` is negative or not finite, or ``alpha``/``beta`` are out of order.

    Examples
    --------
    >>> yarn_ramp([0.5, 1.0, 16.5, 32.0, 100.0]).tolist()
    [0.0, 0.0, 0.5, 1.0, 1.0]
    """
    ratio = as_float_array("ratio", ratio)
    if ratio.size and ratio.min() < 0:
        raise ValueError(f"ratio must be >= 0, got minimum {ratio.min()}")
    alpha, beta = _check_ramp(alpha, beta, "alpha", "beta")
    return np.clip((ratio - alpha) / (beta - alpha), 0.0, 1.0)


def _check_ramp(low: object, high: object, low_name: str, high_name: str) -> tuple[float, float]:
    low = check_float(low_name, low, minimum=0.0)
    high = check_float(high_name, high)
    if not high > low:
        raise ValueError(f"{high_name}={high} must be > {low_name}={low}")
    return low, high


def yarn_frequencies(
    head_dim: int,
    base: float = 10000.0,
    factor: float = 1.0,
    original_context: int = 2048,
    *,
    alpha: float = 1.0,
    beta: float = 32.0,
) -> np.ndarray:
    """Return YaRN's frequencies ``(1 - gamma) * theta / factor + gamma * theta``, in rad/position.

    ``gamma = yarn_ramp(original_context / wavelength, alpha, beta)`` with ``wavelength = 2 pi
    / theta``: pairs that turn more than ``beta`` times within the training context keep their
    frequency (they never meet an unseen angle), pairs that turn less than ``alpha`` times are
    divided by ``factor`` (Position Interpolation), and the ones between are blended. YaRN also
    sharpens the attention (:func:`yarn_attention_scale`).

    Parameters
    ----------
    head_dim : int
        Width of one head; even.
    base : float, default 10000.0
        RoPE base, ``> 0``.
    factor : float, default 1.0
        Context extension, ``>= 1``.
    original_context : int, default 2048
        Context the model was trained on, in tokens, ``>= 1``.
    alpha, beta : float, default 1.0 and 32.0
        The ramp's ends in turns per training context (Peng et al. 2023 use 1 and 32 for Llama).

    Returns
    -------
    numpy.ndarray, shape (head_dim // 2,)

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is out of range (see :func:`rope_frequencies`, :func:`yarn_ramp`).

    Examples
    --------
    >>> yarn_frequencies(8, base=10000.0, factor=4.0, original_context=64).round(5).tolist()
    [0.47224, 0.02504, 0.0025, 0.00025]
    """
    factor = _check_factor(factor)
    original_context = check_positive_int("original_context", original_context)
    theta = rope_frequencies(head_dim, base)  # [head_dim // 2]
    gamma = yarn_ramp(original_context * theta / (2 * np.pi), alpha, beta)
    return (1.0 - gamma) * theta / factor + gamma * theta


def yarn_attention_scale(factor: float) -> float:
    """Return YaRN's factor ``0.1 ln(factor) + 1`` that multiplies queries and keys (unitless).

    Peng et al. (2023) divide the attention logits by a temperature ``t`` with ``sqrt(1/t) =
    0.1 ln(s) + 1``: multiplying both the query and the key (in practice the cos and sin
    tables) by this factor does it. It is 1 for ``factor = 1``.

    Examples
    --------
    >>> round(yarn_attention_scale(4.0), 4)
    1.1386
    """
    return 0.1 * float(np.log(_check_factor(factor))) + 1.0


def llama3_frequencies(
    head_dim: int,
    base: float = 500000.0,
    factor: float = 8.0,
    original_context: int = 8192,
    *,
    low_freq_factor: float = 1.0,
    high_freq_factor: float = 4.0,
) -> np.ndarray:
    """Return Llama 3.1's rescaled RoPE frequencies, in rad/position.

    Meta's reference code (``apply_scaling``) and the ``rope_scaling`` of Llama 3.1's
    ``config.json`` (``rope_type: llama3``, factor 8, low_freq_factor 1, high_freq_factor 4,
    original_max_position_embeddings 8192): a pair whose wavelength is shorter than
    ``original_context / high_freq_factor`` keeps its frequency, one longer than
    ``original_context / low_freq_factor`` is divided by ``factor``, and between them
    ``smooth = (original_context / wavelength - low_freq_factor) / (high_freq_factor -
    low_freq_factor)`` blends ``(1 - smooth) * theta / factor + smooth * theta``. This is
    YaRN's ramp with ``alpha = low_freq_factor`` and ``beta = high_freq_factor``, without the
    attention temperature.

    Parameters
    ----------
    head_dim : int
        Width of one head; even (128 for Llama 3.1).
    base : float, default 500000.0
        RoPE base, ``> 0``.
    factor : float, default 8.0
        Context extension, ``>= 1``.
    original_context : int, default 8192
        Context of the pre-training, in tokens.
    low_freq_factor, high_freq_factor : float, default 1.0 and 4.0
        The band edges in turns per training context, ``0 < low_freq_factor <
        high_freq_factor``.

    Returns
    -------
    numpy.ndarray, shape (head_dim // 2,)

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is out of range.

    Examples
    --------
    >>> new = llama3_frequencies(128)
    >>> old = rope_frequencies(128, base=500000.0)
    >>> int((new == old).sum()), int((new == old / 8).sum()), int(new.size)  # kept, /8, pairs
    (29, 29, 64)
    """
    theta = rope_frequencies(head_dim, base)  # [head_dim // 2]
    factor = _check_factor(factor)
    original_context = check_positive_int("original_context", original_context)
    low = check_positive_float("low_freq_factor", low_freq_factor)
    low, high = _check_ramp(low, high_freq_factor, "low_freq_factor", "high_freq_factor")
    wavelength = 2 * np.pi / theta  # tokens per turn
    smooth = (original_context / wavelength - low) / (high - low)
    blended = (1.0 - smooth) * theta / factor + smooth * theta
    out = np.where(wavelength > original_context / low, theta / factor, blended)
    return np.where(wavelength < original_context / high, theta, out)


def scaled_frequencies(
    method: str,
    head_dim: int,
    base: float = 10000.0,
    factor: float = 1.0,
    original_context: int = 2048,
) -> np.ndarray:
    """Return the pair frequencies of ``method`` (one of :data:`SCALING_METHODS`), rad/position.

    ``"none"`` is plain RoPE (:func:`rope_frequencies`), ``"pi"``
    :func:`interpolated_frequencies`, ``"ntk"`` :func:`ntk_frequencies`, ``"yarn"``
    :func:`yarn_frequencies` (ramp 1 to 32) and ``"llama3"`` :func:`llama3_frequencies`
    (band edges 1 and 4).

    Examples
    --------
    >>> scaled_frequencies("pi", 4, base=100.0, factor=2.0).tolist()
    [0.5, 0.05]
    """
    method = check_choice("method", check_str("method", method), SCALING_METHODS)
    if method == "none":
        _check_factor(factor)
        return rope_frequencies(head_dim, base)
    if method == "pi":
        return interpolated_frequencies(head_dim, base, factor)
    if method == "ntk":
        return ntk_frequencies(head_dim, base, factor)
    if method == "yarn":
        return yarn_frequencies(head_dim, base, factor, original_context)
    return llama3_frequencies(head_dim, base, factor, original_context)


# -- ALiBi: a distance penalty instead of a rotation -----------------------------------------


def alibi_slopes(heads: int) -> np.ndarray:
    """Return ALiBi's per-head slopes (Press et al. 2022), as in the authors' code.

    For ``heads`` a power of two the slopes are the geometric sequence that starts at
    ``2 ** (-8 / heads)`` with that same ratio (``1/2, 1/4, ..., 1/256`` for 8 heads). For other
    head counts the code takes the slopes of the largest power of two below ``heads`` and
    completes them with every other slope of the next power of two.

    Parameters
    ----------
    heads : int
        Number of attention heads, ``>= 1``.

    Returns
    -------
    numpy.ndarray, shape (heads,)
        Penalty per token of distance, in score units (logits) per position.

    Raises
    ------
    TypeError
        If ``heads`` is not an integer.
    ValueError
        If ``heads < 1``.

    Examples
    --------
    >>> alibi_slopes(4).tolist()
    [0.25, 0.0625, 0.015625, 0.00390625]
    """
    heads = check_positive_int("heads", heads)
    return np.array(_slopes(heads))


def _slopes(heads: int) -> list[float]:
    power = 1 << (heads.bit_length() - 1)  # largest power of two <= heads
    start = 2.0 ** (-8.0 / power)
    slopes = [start ** (i + 1) for i in range(power)]
    if power == heads:
        return slopes
    return slopes + _slopes(2 * power)[0::2][: heads - power]


def alibi_bias(heads: int, tokens: int) -> np.ndarray:
    """Return ALiBi's causal bias ``-slope_h * (i - j)``, added to the attention scores.

    ``bias[h, i, j]`` is ``-slopes[h] * (i - j)`` for keys ``j <= i`` and ``-inf`` for ``j > i``
    (the causal mask). Like RoPE it depends only on the gap ``i - j``; unlike RoPE it grows
    without bound, so far keys lose weight however long the text.

    Parameters
    ----------
    heads : int
        Number of heads, ``>= 1`` (slopes from :func:`alibi_slopes`).
    tokens : int
        Sequence length, ``>= 1``.

    Returns
    -------
    numpy.ndarray, shape (heads, tokens, tokens), float64

    Raises
    ------
    TypeError
        If an argument is not an integer.
    ValueError
        If an argument is ``< 1``.

    Examples
    --------
    >>> alibi_bias(1, 3)[0].tolist()  # slope 1/256 for a single head
    [[-0.0, -inf, -inf], [-0.00390625, -0.0, -inf], [-0.0078125, -0.00390625, -0.0]]
    """
    slopes = alibi_slopes(heads)  # [heads]
    tokens = check_positive_int("tokens", tokens)
    position = np.arange(tokens)
    gap = (position[:, None] - position[None, :]).astype(np.float64)  # [tokens, tokens]
    bias = -slopes[:, None, None] * gap  # [heads, tokens, tokens]
    return np.where(gap[None] < 0, -np.inf, bias)


def alibi_span(slope: float, tokens: int, mass: float = 0.9) -> int:
    """Return how many of the nearest keys hold ``mass`` of the attention under ALiBi alone.

    The last query of a ``tokens``-long text whose raw scores are all equal gives key ``d``
    positions back the weight ``exp(-slope * d) / Z``: the answer is the smallest ``n`` with
    the ``n`` nearest keys (``d = 0 .. n - 1``) holding at least ``mass`` of the total.

    Parameters
    ----------
    slope : float
        One head's ALiBi slope, ``> 0``.
    tokens : int
        Keys visible to the query (itself included), ``>= 1``.
    mass : float, default 0.9
        Share of the attention weight, in (0, 1].

    Returns
    -------
    int
        Between 1 and ``tokens``.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``slope <= 0``, ``tokens < 1`` or ``mass`` is outside (0, 1].

    Examples
    --------
    >>> alibi_span(0.25, 1024), alibi_span(1 / 256, 1024)
    (10, 551)
    """
    slope = check_positive_float("slope", slope)
    tokens = check_positive_int("tokens", tokens)
    mass = check_float("mass", mass, minimum=0.0, maximum=1.0, strict_minimum=True)
    weights = np.exp(-slope * np.arange(tokens))  # [tokens], nearest key first
    share = np.cumsum(weights) / weights.sum()
    return int(np.searchsorted(share, mass * (1 - 1e-12)) + 1)
