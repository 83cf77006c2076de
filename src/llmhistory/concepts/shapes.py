"""Shape traces: the two objects a serving system handles at every generated token.

``last_position_trace`` follows the end of a decoder-only forward pass with random stand-ins
for learned values: final normalized hidden states ``(batch, tokens, d_model)``, an output
projection ``(d_model, vocab_size)``, the logits of the last position ``(batch, vocab_size)``
and their softmax. The layout of the cached Keys and Values is
:func:`llmhistory.concepts.kv_cache.kv_cache_shape`. This is a shape exercise, not a model: no
number here means anything beyond its shape.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llmhistory._validate import check_instance, check_int, check_positive_int
from llmhistory.concepts.decoding import softmax

__all__ = ["ShapeTrace", "format_shape_trace", "last_position_trace"]


@dataclass(frozen=True, eq=False)
class ShapeTrace:
    """The arrays of a last-position shape trace (read-only).

    Attributes
    ----------
    hidden : numpy.ndarray, shape (batch, tokens, d_model)
        Final normalized hidden states.
    output_projection : numpy.ndarray, shape (d_model, vocab_size)
        Output (unembedding) matrix.
    last_logits : numpy.ndarray, shape (batch, vocab_size)
        ``hidden[:, -1, :] @ output_projection``: scores for the next token.
    probabilities : numpy.ndarray, shape (batch, vocab_size)
        Softmax of ``last_logits`` over the vocabulary; each row sums to 1.
    """

    hidden: np.ndarray
    output_projection: np.ndarray
    last_logits: np.ndarray
    probabilities: np.ndarray

    @property
    def hidden_shape(self) -> tuple[int, ...]:
        """Shape ``(batch, tokens, d_model)`` of the hidden states."""
        return tuple(self.hidden.shape)

    @property
    def logits_shape(self) -> tuple[int, ...]:
        """Shape ``(batch, vocab_size)`` of the last-position logits."""
        return tuple(self.last_logits.shape)

    @property
    def probabilities_shape(self) -> tuple[int, ...]:
        """Shape ``(batch, vocab_size)`` of the next-token probabilities."""
        return tuple(self.probabilities.shape)

    @property
    def row_sums(self) -> np.ndarray:
        """Sum of the probabilities of each batch row, shape ``(batch,)``; all close to 1."""
        return self.probabilities.sum(axis=-1)

    @property
    def probability_sum(self) -> float:
        """Sum of every probability in the trace: ``batch`` (1.0 for one sequence)."""
        return float(self.probabilities.sum())


def last_position_trace(
    *, batch: int, tokens: int, d_model: int, vocab_size: int, seed: int = 3
) -> ShapeTrace:
    """Return the :class:`ShapeTrace` from random hidden states to next-token probabilities.

    With ``rng = numpy.random.default_rng(seed)`` the hidden states are drawn first,
    ``rng.normal(size=(batch, tokens, d_model))``, then the output projection,
    ``rng.normal(size=(d_model, vocab_size))``. Only the last position is projected, as in
    generation: ``last_logits = hidden[:, -1, :] @ output_projection``.

    Parameters
    ----------
    batch : int
        Sequences processed together, ``>= 1``.
    tokens : int
        Prompt length in tokens, ``>= 1``.
    d_model : int
        Width of the hidden states, ``>= 1``.
    vocab_size : int
        Number of tokens in the vocabulary, ``>= 1``.
    seed : int, default 3
        Seed for ``numpy.random.default_rng``, ``>= 0``.

    Returns
    -------
    ShapeTrace

    Raises
    ------
    TypeError
        If an argument is not an integer.
    ValueError
        If a size is below 1 or ``seed`` is negative.

    Examples
    --------
    >>> trace = last_position_trace(batch=1, tokens=5, d_model=8, vocab_size=6)
    >>> trace.hidden_shape, trace.logits_shape, trace.probabilities_shape
    ((1, 5, 8), (1, 6), (1, 6))
    >>> round(trace.probability_sum, 3)
    1.0
    """
    batch = check_positive_int("batch", batch)
    tokens = check_positive_int("tokens", tokens)
    d_model = check_positive_int("d_model", d_model)
    vocab_size = check_positive_int("vocab_size", vocab_size)
    seed = check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    hidden = rng.normal(size=(batch, tokens, d_model))  # (batch, tokens, d_model)
    output_projection = rng.normal(size=(d_model, vocab_size))  # (d_model, vocab_size)
    last_logits = hidden[:, -1, :] @ output_projection  # (batch, vocab_size)
    probabilities = softmax(last_logits, axis=-1)  # (batch, vocab_size)
    for array in (hidden, output_projection, last_logits, probabilities):
        array.setflags(write=False)
    return ShapeTrace(hidden, output_projection, last_logits, probabilities)


def format_shape_trace(trace: ShapeTrace, kv_shape: tuple[int, ...] | None = None) -> list[str]:
    """Return the printable lines of a shape trace (and, optionally, of the KV-cache shape).

    Parameters
    ----------
    trace : ShapeTrace
    kv_shape : tuple of int, optional
        A shape from :func:`llmhistory.concepts.kv_cache.kv_cache_shape` to report on a last
        line.

    Returns
    -------
    list of str
        One line per object; the probability sum is rounded to 3 decimals.

    Raises
    ------
    TypeError
        If ``trace`` is not a :class:`ShapeTrace` or ``kv_shape`` is not a tuple of integers.

    Examples
    --------
    >>> trace = last_position_trace(batch=1, tokens=5, d_model=8, vocab_size=6)
    >>> for line in format_shape_trace(trace, (4, 2, 1, 2, 5, 4)):
    ...     print(line)
    hidden states (batch, tokens, d_model): (1, 5, 8)
    last-position logits (batch, vocab_size): (1, 6)
    next-token probabilities (batch, vocab_size): (1, 6), sum = 1.0
    KV cache (layers, K/V, batch, kv_heads, tokens, head_dim): (4, 2, 1, 2, 5, 4)
    """
    trace = check_instance("trace", trace, ShapeTrace)
    lines = [
        f"hidden states (batch, tokens, d_model): {trace.hidden_shape}",
        f"last-position logits (batch, vocab_size): {trace.logits_shape}",
        f"next-token probabilities (batch, vocab_size): {trace.probabilities_shape}, "
        f"sum = {round(trace.probability_sum, 3)}",
    ]
    if kv_shape is not None:
        if not isinstance(kv_shape, tuple):
            raise TypeError(f"kv_shape must be a tuple of int, got {type(kv_shape).__name__}")
        sizes = tuple(check_positive_int(f"kv_shape[{i}]", s) for i, s in enumerate(kv_shape))
        lines.append(f"KV cache (layers, K/V, batch, kv_heads, tokens, head_dim): {sizes}")
    return lines
