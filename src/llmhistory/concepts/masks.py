"""Attention masks: which key positions each query position may look at.

A mask here is a 2-D boolean array of shape ``(queries, keys)``. ``mask[i, j]`` is ``True``
when the query at position ``i`` may attend to the key at position ``j``. A causal (decoder)
mask is the lower triangle including the diagonal; a bidirectional (encoder) mask allows
every pair. ``additive_mask`` turns a boolean mask into the ``0 / -inf`` array that is added
to attention scores before the softmax.
"""

from __future__ import annotations

import numpy as np

from llmhistory._validate import as_bool_array, check_int, check_positive_int

__all__ = [
    "additive_mask",
    "bidirectional_mask",
    "causal_mask",
    "combine_masks",
    "padding_mask",
    "visible_positions",
]


def _as_mask(name: str, mask: object) -> np.ndarray:
    """Return ``mask`` as a non-empty 2-D bool array (``queries, keys``)."""
    array = as_bool_array(name, mask, ndim=2)
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    return array


def causal_mask(n: int) -> np.ndarray:
    """Return the (n, n) causal mask; True means the row (query) may attend to the column (key).

    Query ``i`` sees keys ``0..i``: itself and every earlier position, never a later one.

    Parameters
    ----------
    n : int
        Sequence length in tokens, ``>= 1``.

    Returns
    -------
    numpy.ndarray
        Boolean array of shape ``(n, n)``, the lower triangle including the diagonal.

    Raises
    ------
    TypeError
        If ``n`` is not an integer.
    ValueError
        If ``n < 1``.

    Examples
    --------
    >>> causal_mask(4)[2].astype(int).tolist()
    [1, 1, 1, 0]
    """
    n = check_positive_int("n", n)
    return np.tril(np.ones((n, n), dtype=bool))


def bidirectional_mask(n: int) -> np.ndarray:
    """Return the (n, n) bidirectional (encoder) mask: every query may attend to every key.

    Parameters
    ----------
    n : int
        Sequence length in tokens, ``>= 1``.

    Returns
    -------
    numpy.ndarray
        Boolean array of shape ``(n, n)``, all ``True``.

    Raises
    ------
    TypeError
        If ``n`` is not an integer.
    ValueError
        If ``n < 1``.

    Examples
    --------
    >>> bidirectional_mask(4)[2].astype(int).tolist()
    [1, 1, 1, 1]
    """
    n = check_positive_int("n", n)
    return np.ones((n, n), dtype=bool)


def padding_mask(lengths_or_valid: object, n: int | None = None) -> np.ndarray:
    """Return the (n, n) mask that lets every query attend only to real (non-padding) keys.

    Column ``j`` is allowed when key ``j`` is a real token. Padding *queries* still see the
    real keys, so no row is empty and a softmax over any row stays defined; their outputs are
    simply ignored downstream.

    Parameters
    ----------
    lengths_or_valid : int or array_like of bool, shape (n,)
        Either a 1-D array marking real tokens with ``True`` / ``1`` and padding with
        ``False`` / ``0``, or an integer length: the first ``length`` of ``n`` positions are
        real (right padding). At least one position must be real.
    n : int, optional
        Sequence length. Required with an integer length; with an array it may be given and
        must then equal the array's length.

    Returns
    -------
    numpy.ndarray
        Boolean array of shape ``(n, n)``; ``mask[i, j] == valid[j]``.

    Raises
    ------
    TypeError
        If ``lengths_or_valid`` is neither an integer nor an array of booleans / 0-1 values,
        or ``n`` is not an integer.
    ValueError
        If no position is real, the length exceeds ``n``, ``n`` is missing for an integer
        length, or ``n`` disagrees with the array.

    Examples
    --------
    >>> padding_mask([1, 1, 0]).astype(int).tolist()
    [[1, 1, 0], [1, 1, 0], [1, 1, 0]]
    >>> padding_mask(2, n=3).astype(int)[0].tolist()
    [1, 1, 0]
    """
    if n is not None:
        n = check_positive_int("n", n)
    if isinstance(lengths_or_valid, (int, np.integer)) and not isinstance(lengths_or_valid, bool):
        if n is None:
            raise ValueError("n must be given when lengths_or_valid is an integer length")
        length = check_int("lengths_or_valid", lengths_or_valid, minimum=1)
        if length > n:
            raise ValueError(f"lengths_or_valid={length} must be <= n={n}")
        valid = np.arange(n) < length
    else:
        valid = as_bool_array("lengths_or_valid", lengths_or_valid, ndim=1)
        if valid.size == 0:
            raise ValueError("lengths_or_valid must not be empty")
        if n is not None and n != valid.size:
            raise ValueError(f"n={n} must equal the length of lengths_or_valid ({valid.size})")
        if not valid.any():
            raise ValueError("lengths_or_valid must mark at least one real token")
        n = valid.size
    return np.broadcast_to(valid, (n, n)).copy()


def combine_masks(*masks: object) -> np.ndarray:
    """Return the logical AND of boolean masks of one shape: allowed only where all allow.

    Parameters
    ----------
    *masks : array_like of bool, shape (queries, keys)
        One or more 2-D masks of the same shape (booleans or 0/1 values).

    Returns
    -------
    numpy.ndarray
        Boolean array of the common shape.

    Raises
    ------
    TypeError
        If a mask is not an array of booleans / 0-1 values.
    ValueError
        If no mask is given, a mask is not 2-D, or the shapes differ.

    Examples
    --------
    >>> combine_masks(causal_mask(3), padding_mask([1, 1, 0])).astype(int).tolist()
    [[1, 0, 0], [1, 1, 0], [1, 1, 0]]
    """
    if not masks:
        raise ValueError("masks must hold at least one mask")
    arrays = [_as_mask(f"masks[{i}]", m) for i, m in enumerate(masks)]
    shape = arrays[0].shape
    for i, array in enumerate(arrays[1:], start=1):
        if array.shape != shape:
            raise ValueError(f"masks[{i}] has shape {array.shape}, expected {shape} like masks[0]")
    return np.logical_and.reduce(arrays)


def visible_positions(mask: object, position: int) -> list[int]:
    """Return the key positions the query at ``position`` may attend to, in increasing order.

    Parameters
    ----------
    mask : array_like of bool, shape (queries, keys)
        Attention mask.
    position : int
        Query position, ``0 <= position < queries``.

    Returns
    -------
    list of int
        Column indices where ``mask[position]`` is ``True``.

    Raises
    ------
    TypeError
        If ``mask`` is not boolean / 0-1 or ``position`` is not an integer.
    ValueError
        If ``mask`` is not 2-D or ``position`` is out of range.

    Examples
    --------
    >>> visible_positions(causal_mask(4), 2)
    [0, 1, 2]
    """
    array = _as_mask("mask", mask)
    position = check_int("position", position, minimum=0)
    if position >= array.shape[0]:
        raise ValueError(f"position={position} must be < the number of queries {array.shape[0]}")
    return [int(j) for j in np.flatnonzero(array[position])]


def additive_mask(mask: object) -> np.ndarray:
    """Return the float mask to add to attention scores: 0.0 where allowed, -inf where not.

    Adding it to raw scores before the softmax gives blocked keys exactly zero weight.

    Parameters
    ----------
    mask : array_like of bool, shape (queries, keys)
        Attention mask.

    Returns
    -------
    numpy.ndarray
        float64 array of the same shape.

    Raises
    ------
    TypeError
        If ``mask`` is not boolean / 0-1.
    ValueError
        If ``mask`` is not 2-D or is empty.

    Examples
    --------
    >>> additive_mask(causal_mask(2)).tolist()
    [[0.0, -inf], [0.0, 0.0]]
    """
    array = _as_mask("mask", mask)
    return np.where(array, 0.0, -np.inf)
