"""KV-cache memory: how many bytes the cached Keys and Values take, and what fits in a budget.

During generation every layer keeps the Key and Value vectors of every earlier token so that a
new token only computes its own projections. The cache therefore holds

    2 (K and V) x batch x layers x tokens x kv_heads x head_dim

values. Multi-head attention (MHA) caches one K/V pair per query head; grouped-query attention
(GQA, Ainslie et al. 2023) shares each K/V head among a group of query heads; multi-query
attention (MQA, Shazeer 2019) keeps a single K/V head. The cache shrinks in proportion to
``kv_heads / heads``.

>>> format_gib(kv_cache_bytes(batch=8, layers=32, tokens=8192, kv_heads=8, head_dim=128))
'8.00 GiB'
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from fractions import Fraction

from llmhistory._validate import check_float, check_int, check_positive_int

__all__ = [
    "GIB",
    "AttentionVariant",
    "compare_attention_variants",
    "format_gib",
    "kv_cache_bytes",
    "max_batch_for_budget",
    "max_tokens_for_budget",
]

#: Bytes in one gibibyte (2**30), the unit GPU memory is quoted in.
GIB = 1024**3


def kv_cache_bytes(
    *,
    batch: int,
    layers: int,
    tokens: int,
    kv_heads: int,
    head_dim: int,
    bytes_per_value: int = 2,
) -> int:
    """Return the size in bytes of the Key/Value cache for ``batch`` sequences of ``tokens``.

    ``2 * batch * layers * tokens * kv_heads * head_dim * bytes_per_value``; the 2 counts Keys
    and Values.

    Parameters
    ----------
    batch : int
        Sequences served at once, ``>= 1``.
    layers : int
        Transformer blocks, ``>= 1``; each keeps its own cache.
    tokens : int
        Cached positions per sequence (prompt plus generated so far), ``>= 0``.
    kv_heads : int
        Key/Value heads per layer, ``>= 1`` (equal to ``heads`` for MHA, 1 for MQA).
    head_dim : int
        Width of one head, ``>= 1``.
    bytes_per_value : int, default 2
        Storage per number: 2 for bf16/fp16, 1 for int8/fp8, 4 for fp32.

    Returns
    -------
    int
        Cache size in bytes.

    Raises
    ------
    TypeError
        If an argument is not an integer.
    ValueError
        If ``tokens < 0`` or any other argument is ``< 1``.

    Examples
    --------
    >>> kv_cache_bytes(batch=1, layers=32, tokens=1, kv_heads=32, head_dim=128)
    524288
    """
    batch = check_positive_int("batch", batch)
    layers = check_positive_int("layers", layers)
    tokens = check_int("tokens", tokens, minimum=0)
    kv_heads = check_positive_int("kv_heads", kv_heads)
    head_dim = check_positive_int("head_dim", head_dim)
    bytes_per_value = check_positive_int("bytes_per_value", bytes_per_value)
    return 2 * batch * layers * tokens * kv_heads * head_dim * bytes_per_value


def format_gib(n_bytes: float, digits: int = 2) -> str:
    """Return ``n_bytes`` written in gibibytes with ``digits`` decimals, e.g. ``'32.00 GiB'``.

    Parameters
    ----------
    n_bytes : float
        A size in bytes, finite and ``>= 0``.
    digits : int, default 2
        Decimals to print, ``>= 0``.

    Returns
    -------
    str
        ``f"{n_bytes / GIB:.{digits}f} GiB"``.

    Raises
    ------
    TypeError
        If ``n_bytes`` is not a real number or ``digits`` not an integer.
    ValueError
        If ``n_bytes`` is negative or not finite, or ``digits < 0``.

    Examples
    --------
    >>> format_gib(32 * GIB)
    '32.00 GiB'
    >>> format_gib(1.5 * GIB, digits=1)
    '1.5 GiB'
    """
    n_bytes = check_float("n_bytes", n_bytes, minimum=0.0)
    digits = check_int("digits", digits, minimum=0)
    return f"{n_bytes / GIB:.{digits}f} GiB"


@dataclass(frozen=True)
class AttentionVariant:
    """One row of an MHA/GQA/MQA cache comparison.

    Attributes
    ----------
    label : str
        ``"MHA"`` (``kv_heads == heads``), ``"MQA"`` (``kv_heads == 1``) or ``"GQA"``.
    kv_heads : int
        Key/Value heads per layer.
    bytes : int
        KV-cache size in bytes.
    relative_to_mha : float
        ``kv_heads / heads``: the cache as a fraction of the MHA cache.
    """

    label: str
    kv_heads: int
    bytes: int
    relative_to_mha: float

    @property
    def gib(self) -> float:
        """The cache size in GiB."""
        return self.bytes / GIB

    def __str__(self) -> str:
        return (
            f"{self.label}: kv_heads={self.kv_heads:2d} cache={self.gib:5.2f} GiB "
            f"relative={self.relative_to_mha:.3f}"
        )


def _attention_label(kv_heads: int, heads: int) -> str:
    if kv_heads == heads:
        return "MHA"
    if kv_heads == 1:
        return "MQA"
    return "GQA"


def compare_attention_variants(
    *,
    batch: int,
    layers: int,
    tokens: int,
    heads: int,
    head_dim: int,
    kv_heads_options: tuple[int, ...] | list[int] | None = None,
    bytes_per_value: int = 2,
) -> list[AttentionVariant]:
    """Return the KV-cache size for each choice of ``kv_heads``, labelled MHA, GQA or MQA.

    Parameters
    ----------
    batch, layers, tokens, head_dim, bytes_per_value : int
        As in :func:`kv_cache_bytes`.
    heads : int
        Query heads per layer, ``>= 1``.
    kv_heads_options : sequence of int, optional
        The ``kv_heads`` values to compare, in the order given; each must divide ``heads``.
        Default: every divisor of ``heads``, largest (MHA) first.

    Returns
    -------
    list of AttentionVariant
        One record per option. With ``heads == 1`` the single option is labelled ``"MHA"``.

    Raises
    ------
    TypeError
        If a size is not an integer or ``kv_heads_options`` is not a sequence of integers.
    ValueError
        If a size is out of range, ``kv_heads_options`` is empty, or an option does not
        divide ``heads`` (``kv_heads=3 must divide heads=32``).

    Examples
    --------
    >>> for row in compare_attention_variants(batch=8, layers=32, tokens=8192, heads=32,
    ...                                       head_dim=128, kv_heads_options=(32, 8, 1)):
    ...     print(row)
    MHA: kv_heads=32 cache=32.00 GiB relative=1.000
    GQA: kv_heads= 8 cache= 8.00 GiB relative=0.250
    MQA: kv_heads= 1 cache= 1.00 GiB relative=0.031
    """
    heads = check_positive_int("heads", heads)
    if kv_heads_options is None:
        options = [d for d in range(heads, 0, -1) if heads % d == 0]
    else:
        if isinstance(kv_heads_options, (str, bytes)) or not hasattr(kv_heads_options, "__iter__"):
            raise TypeError(
                "kv_heads_options must be a sequence of integers, "
                f"got {type(kv_heads_options).__name__}"
            )
        options = [check_positive_int("kv_heads", value) for value in kv_heads_options]
        if not options:
            raise ValueError("kv_heads_options must hold at least one kv_heads value")
    rows = []
    for kv_heads in options:
        if heads % kv_heads != 0:
            raise ValueError(f"kv_heads={kv_heads} must divide heads={heads}")
        size = kv_cache_bytes(
            batch=batch,
            layers=layers,
            tokens=tokens,
            kv_heads=kv_heads,
            head_dim=head_dim,
            bytes_per_value=bytes_per_value,
        )
        rows.append(
            AttentionVariant(
                label=_attention_label(kv_heads, heads),
                kv_heads=kv_heads,
                bytes=size,
                relative_to_mha=kv_heads / heads,
            )
        )
    return rows


def _available_bytes(budget_bytes: float, reserved_bytes: float) -> int:
    """Return ``floor(budget_bytes - reserved_bytes)`` computed exactly."""
    budget = check_float("budget_bytes", budget_bytes, minimum=0.0)
    reserved = check_float("reserved_bytes", reserved_bytes, minimum=0.0)
    if reserved > budget:
        raise ValueError(
            f"reserved_bytes={reserved_bytes} must not exceed budget_bytes={budget_bytes}"
        )
    # Fractions of the exact inputs (ints stay ints) avoid float rounding on large budgets.
    return math.floor(_exact(budget_bytes, budget) - _exact(reserved_bytes, reserved))


def _exact(raw: object, checked: float) -> Fraction:
    return Fraction(int(raw)) if isinstance(raw, numbers.Integral) else Fraction(checked)


def max_tokens_for_budget(
    budget_bytes: float,
    *,
    batch: int,
    layers: int,
    kv_heads: int,
    head_dim: int,
    bytes_per_value: int = 2,
    reserved_bytes: float = 0,
) -> int:
    """Return the largest ``tokens`` whose KV cache fits in ``budget_bytes - reserved_bytes``.

    Parameters
    ----------
    budget_bytes : float
        Memory available for the cache (and ``reserved_bytes``), in bytes; finite, ``>= 0``.
    batch, layers, kv_heads, head_dim, bytes_per_value : int
        As in :func:`kv_cache_bytes`.
    reserved_bytes : float, default 0
        Bytes set aside first, e.g. the model weights; ``0 <= reserved_bytes <= budget_bytes``.

    Returns
    -------
    int
        ``floor((budget_bytes - reserved_bytes) / bytes_per_token)``, possibly 0; the cache for
        that many tokens fits and one more token does not.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``budget_bytes`` is negative or not finite, ``reserved_bytes`` exceeds it, or a size
        is out of range.

    Examples
    --------
    >>> max_tokens_for_budget(8 * GIB, batch=8, layers=32, kv_heads=8, head_dim=128)
    8192
    >>> max_tokens_for_budget(80 * GIB, reserved_bytes=16 * GIB, batch=1, layers=32,
    ...                       kv_heads=8, head_dim=128)
    524288
    """
    per_token = kv_cache_bytes(
        batch=batch,
        layers=layers,
        tokens=1,
        kv_heads=kv_heads,
        head_dim=head_dim,
        bytes_per_value=bytes_per_value,
    )
    return _available_bytes(budget_bytes, reserved_bytes) // per_token


def max_batch_for_budget(
    budget_bytes: float,
    *,
    tokens: int,
    layers: int,
    kv_heads: int,
    head_dim: int,
    bytes_per_value: int = 2,
    reserved_bytes: float = 0,
) -> int:
    """Return the largest ``batch`` of ``tokens``-long sequences whose KV cache fits the budget.

    Parameters
    ----------
    budget_bytes : float
        Memory available for the cache (and ``reserved_bytes``), in bytes; finite, ``>= 0``.
    tokens : int
        Cached positions per sequence, ``>= 1``.
    layers, kv_heads, head_dim, bytes_per_value : int
        As in :func:`kv_cache_bytes`.
    reserved_bytes : float, default 0
        Bytes set aside first, e.g. the model weights; ``0 <= reserved_bytes <= budget_bytes``.

    Returns
    -------
    int
        ``floor((budget_bytes - reserved_bytes) / bytes_per_sequence)``, possibly 0.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``budget_bytes`` is negative or not finite, ``reserved_bytes`` exceeds it, or a size
        is out of range.

    Examples
    --------
    >>> max_batch_for_budget(32 * GIB, tokens=8192, layers=32, kv_heads=8, head_dim=128)
    32
    """
    tokens = check_positive_int("tokens", tokens)
    per_sequence = kv_cache_bytes(
        batch=1,
        layers=layers,
        tokens=tokens,
        kv_heads=kv_heads,
        head_dim=head_dim,
        bytes_per_value=bytes_per_value,
    )
    return _available_bytes(budget_bytes, reserved_bytes) // per_sequence
