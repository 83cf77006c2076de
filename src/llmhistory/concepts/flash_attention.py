"""Memory of the attention scores, and why FlashAttention never stores them (chapter 9).

Standard attention writes the ``tokens x tokens`` scores ``S = Q K^T`` and their softmax for
every head to GPU main memory (HBM) and reads them back: :func:`attention_scores_bytes` grows
with the square of the sequence. FlashAttention (Dao et al. 2022) computes attention tile by
tile in on-chip memory (SRAM) with a running softmax; one tile's bytes
(:func:`attention_tile_bytes`) do not depend on the sequence length.

>>> attention_scores_bytes(8192, heads=32) // 2**30  # GiB for one layer in bf16
4
"""

from __future__ import annotations

from llmhistory._validate import check_positive_int

__all__ = ["attention_scores_bytes", "attention_tile_bytes"]


def attention_scores_bytes(
    tokens: int, *, heads: int = 1, batch: int = 1, bytes_per_value: int = 2
) -> int:
    """Return the bytes of the full ``tokens x tokens`` attention-score matrices of one layer.

    Standard attention writes ``S = Q K^T`` and ``P = softmax(S)`` for every head to GPU main
    memory (HBM) and reads them back; FlashAttention (Dao et al. 2022) never materialises them.

    Parameters
    ----------
    tokens : int
        Sequence length ``N``, ``>= 1``.
    heads : int, default 1
        Attention heads, ``>= 1``.
    batch : int, default 1
        Sequences, ``>= 1``.
    bytes_per_value : int, default 2
        Storage per score (2 for bf16, 4 for fp32).

    Returns
    -------
    int
        ``batch * heads * tokens**2 * bytes_per_value``.

    Raises
    ------
    TypeError
        If an argument is not an integer.
    ValueError
        If an argument is ``< 1``.

    Examples
    --------
    >>> attention_scores_bytes(8192) // 2**20  # MiB for one head
    128
    """
    tokens = check_positive_int("tokens", tokens)
    heads = check_positive_int("heads", heads)
    batch = check_positive_int("batch", batch)
    bytes_per_value = check_positive_int("bytes_per_value", bytes_per_value)
    return batch * heads * tokens * tokens * bytes_per_value


def attention_tile_bytes(
    *,
    block_q: int,
    block_k: int,
    head_dim: int,
    bytes_per_value: int = 2,
    accumulator_bytes: int = 4,
) -> int:
    """Return the on-chip (SRAM) bytes of one FlashAttention tile step.

    One step holds a block of ``block_q`` queries, a block of ``block_k`` keys and values, the
    ``block_q x block_k`` score tile and the running ``block_q x head_dim`` output, the last
    two in higher precision (``accumulator_bytes``). Its size does not depend on the sequence
    length, which is why the whole computation streams through fast on-chip memory.

    Parameters
    ----------
    block_q, block_k : int
        Query rows and key/value rows per tile, ``>= 1``.
    head_dim : int
        Width of one head, ``>= 1``.
    bytes_per_value : int, default 2
        Storage of Q, K and V (bf16).
    accumulator_bytes : int, default 4
        Storage of the score tile and output accumulator (fp32).

    Returns
    -------
    int
        ``(block_q + 2 block_k) head_dim bytes_per_value
        + (block_q block_k + block_q head_dim) accumulator_bytes``.

    Raises
    ------
    TypeError
        If an argument is not an integer.
    ValueError
        If an argument is ``< 1``.

    Examples
    --------
    >>> attention_tile_bytes(block_q=128, block_k=64, head_dim=128) // 1024  # KiB
    160
    """
    block_q = check_positive_int("block_q", block_q)
    block_k = check_positive_int("block_k", block_k)
    head_dim = check_positive_int("head_dim", head_dim)
    bytes_per_value = check_positive_int("bytes_per_value", bytes_per_value)
    accumulator_bytes = check_positive_int("accumulator_bytes", accumulator_bytes)
    inputs = (block_q + 2 * block_k) * head_dim * bytes_per_value
    accumulators = (block_q * block_k + block_q * head_dim) * accumulator_bytes
    return inputs + accumulators
