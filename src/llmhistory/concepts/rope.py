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

>>> query, key = [1.0, 0.2], [0.3, 0.9]
>>> round(float(rotate_2d(query, 4) @ rotate_2d(key, 2)), 6)
0.936998
"""

from __future__ import annotations

import numpy as np

from llmhistory._validate import (
    as_float_array,
    as_int_array,
    check_float,
    check_int,
    check_positive_float,
    check_positive_int,
)

__all__ = [
    "apply_rope",
    "relative_score",
    "rope_angles",
    "rope_frequencies",
    "rope_rotate",
    "rope_tables",
    "rotate_2d",
    "rotate_half",
    "scores_by_gap",
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
