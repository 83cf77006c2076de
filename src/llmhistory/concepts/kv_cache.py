"""The KV cache in one place: its layout, its bytes, what fits in a budget, and the cache itself.

During generation every layer keeps the Key and Value vectors of every earlier token so that a
new token only computes its own projections. The cache therefore holds

    2 (K and V) x batch x layers x tokens x kv_heads x head_dim

values, laid out as :func:`kv_cache_shape` ``(layers, 2, batch, kv_heads, tokens, head_dim)``.
Multi-head attention (MHA) caches one K/V pair per query head; grouped-query attention
(GQA, Ainslie et al. 2023) shares each K/V head among a group of query heads; multi-query
attention (MQA, Shazeer 2019) keeps a single K/V head. The cache shrinks in proportion to
``kv_heads / heads`` (:func:`compare_attention_variants`).

==============================  ================================================================
layout and size                 :func:`kv_cache_shape`, :func:`kv_cache_bytes`,
                                :func:`kv_cache_bytes_per_token`
positions                       :func:`cached_positions` (sliding windows),
                                :func:`positions_processed` (work saved by the cache)
budgets                         :func:`max_tokens_for_budget`, :func:`max_batch_for_budget`,
                                :func:`serving_memory`, :func:`max_batch`,
                                :func:`serving_report`
the cache itself                :class:`KVCache`, which the tiny model reads and writes
==============================  ================================================================

>>> kv_cache_bytes(batch=8, layers=32, tokens=8192, kv_heads=8, head_dim=128) / GIB
8.0
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from llmhistory._validate import (
    check_bool,
    check_choice,
    check_float,
    check_instance,
    check_int,
    check_positive_float,
    check_positive_int,
    check_sequence,
)
from llmhistory.concepts.models import ModelConfig, attention_label, count_parameters, get_config
from llmhistory.concepts.precision import GIB, MemoryEstimate, fits, weight_bytes

__all__ = [
    "CACHE_DTYPES",
    "AttentionVariant",
    "KVCache",
    "cached_positions",
    "compare_attention_variants",
    "kv_cache_bytes",
    "kv_cache_bytes_per_token",
    "kv_cache_shape",
    "max_batch",
    "max_batch_for_budget",
    "max_tokens_for_budget",
    "mla_cache_bytes_per_token",
    "model_cache_rows",
    "positions_processed",
    "serving_memory",
    "serving_report",
]

#: The dtypes a :class:`KVCache` stores (those the tiny model computes in).
CACHE_DTYPES = ("float32", "float64")


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


def kv_cache_shape(
    *, layers: int, batch: int, kv_heads: int, tokens: int, head_dim: int
) -> tuple[int, int, int, int, int, int]:
    """Return the KV-cache shape ``(layers, 2, batch, kv_heads, tokens, head_dim)``.

    The axis of size 2 holds Keys (index 0) and Values (index 1). The cache grows along
    ``tokens`` by one per generated token.

    Parameters
    ----------
    layers : int
        Transformer blocks, ``>= 1``.
    batch : int
        Sequences, ``>= 1``.
    kv_heads : int
        Key/Value heads per layer, ``>= 1`` (fewer than query heads under GQA/MQA).
    tokens : int
        Cached positions, ``>= 0`` (an empty cache has 0).
    head_dim : int
        Width of one head, ``>= 1``.

    Returns
    -------
    tuple of int
        Six sizes.

    Raises
    ------
    TypeError
        If an argument is not an integer.
    ValueError
        If ``tokens < 0`` or another argument is below 1.

    Examples
    --------
    >>> kv_cache_shape(layers=4, batch=1, kv_heads=2, tokens=5, head_dim=4)
    (4, 2, 1, 2, 5, 4)
    """
    return (
        check_positive_int("layers", layers),
        2,
        check_positive_int("batch", batch),
        check_positive_int("kv_heads", kv_heads),
        check_int("tokens", tokens, minimum=0),
        check_positive_int("head_dim", head_dim),
    )


def kv_cache_bytes_per_token(config: ModelConfig, bytes_per_value: int = 2) -> int:
    """Return the KV-cache bytes one token adds across all layers of ``config``.

    ``kv_cache_bytes(batch=1, tokens=1, ...)`` with the model's ``layers``, ``kv_heads`` and
    ``head_dim``; for multi-head latent attention (``config.kv_lora_rank`` set),
    :func:`mla_cache_bytes_per_token`: ``kv_lora_rank + rope_head_dim`` values per layer.

    Parameters
    ----------
    config : ModelConfig
    bytes_per_value : int, default 2
        2 for bf16/fp16, 1 for 8-bit caches.

    Returns
    -------
    int
        Bytes per cached token.

    Raises
    ------
    TypeError
        If ``config`` is not a :class:`ModelConfig` or ``bytes_per_value`` not an integer.
    ValueError
        If ``bytes_per_value < 1``.

    Examples
    --------
    >>> from llmhistory.concepts.models import get_config
    >>> kv_cache_bytes_per_token(get_config("llama-2-7b")) // 1024
    512
    >>> kv_cache_bytes_per_token(get_config("llama-3-8b")) // 1024
    128
    >>> kv_cache_bytes_per_token(get_config("deepseek-v3"))  # 61 x 576 values x 2 bytes
    70272
    """
    c = check_instance("config", config, ModelConfig)
    if c.is_mla:
        rank, rope = int(c.kv_lora_rank), int(c.rope_head_dim)  # type: ignore[arg-type]
        return mla_cache_bytes_per_token(c.layers, rank, rope, bytes_per_value)
    return kv_cache_bytes(
        batch=1,
        layers=c.layers,
        tokens=1,
        kv_heads=c.kv_heads,
        head_dim=c.head_dim,
        bytes_per_value=bytes_per_value,
    )


def mla_cache_bytes_per_token(
    layers: int, kv_lora_rank: int, rope_head_dim: int, bytes_per_value: int = 2
) -> int:
    """Return the cache bytes per token of multi-head latent attention (MLA, DeepSeek-V2).

    MLA caches, per layer, one compressed latent vector of ``kv_lora_rank`` values from which
    every head's keys and values are rebuilt, plus one shared RoPE key of ``rope_head_dim``
    values: ``layers * (kv_lora_rank + rope_head_dim) * bytes_per_value``, whatever the number
    of heads.

    Examples
    --------
    >>> mla_cache_bytes_per_token(61, 512, 64)  # DeepSeek-V3: 576 values per layer
    70272
    """
    layers = check_positive_int("layers", layers)
    rank = check_positive_int("kv_lora_rank", kv_lora_rank)
    rope = check_int("rope_head_dim", rope_head_dim, minimum=0)
    size = check_positive_int("bytes_per_value", bytes_per_value)
    return layers * (rank + rope) * size


def model_cache_rows(
    names: list[str] | tuple[str, ...], bytes_per_value: int = 2
) -> list[tuple[str, str, float, float, float]]:
    """Return one row per registered model: attention kind, parameters and cache per token.

    Each row is ``(name, attention_kind, total parameters in billions, active parameters in
    billions, KV-cache KiB per token)``, from
    :func:`llmhistory.concepts.models.count_parameters` and :func:`kv_cache_bytes_per_token`.

    Raises
    ------
    TypeError, ValueError
        If ``names`` is not a sequence of registered names or ``bytes_per_value < 1``.

    Examples
    --------
    >>> model_cache_rows(["deepseek-v3"])[0][:2], model_cache_rows(["deepseek-v3"])[0][4]
    (('deepseek-v3', 'MLA'), 68.625)
    """
    rows = []
    for name in check_sequence("names", names, str):
        c = get_config(name)
        count = count_parameters(c)
        kib = kv_cache_bytes_per_token(c, bytes_per_value) / 1024
        rows.append((name, c.attention_kind, count.total / 1e9, count.active / 1e9, kib))
    return rows


@dataclass(frozen=True)
class AttentionVariant:
    """One row of an MHA/GQA/MQA cache comparison.

    Attributes
    ----------
    label : str
        :func:`llmhistory.concepts.models.attention_label`: ``"MHA"``, ``"GQA"`` or ``"MQA"``.
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
                label=attention_label(heads, kv_heads),
                kv_heads=kv_heads,
                bytes=size,
                relative_to_mha=kv_heads / heads,
            )
        )
    return rows


def cached_positions(config: ModelConfig, tokens: int, *, rolling_window: bool = True) -> int:
    """Return how many positions per sequence the KV cache of ``config`` must hold.

    A model with sliding-window attention (Mistral 7B v0.1: 4096) never looks further back
    than the window, so a rolling buffer keeps at most ``sliding_window`` positions
    (Jiang et al. 2023, section 2). Other models keep every position.

    Parameters
    ----------
    config : ModelConfig
    tokens : int
        Tokens in the sequence (prompt plus generated), ``>= 0``.
    rolling_window : bool, default True
        Use a rolling buffer when the model has a sliding window; ``False`` caches everything.

    Returns
    -------
    int
        ``min(tokens, sliding_window)`` or ``tokens``.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``tokens < 0``.

    Examples
    --------
    >>> from llmhistory.concepts.models import get_config
    >>> cached_positions(get_config("mistral-7b"), 32768), cached_positions(
    ...     get_config("llama-3-8b"), 32768)
    (4096, 32768)
    """
    c = check_instance("config", config, ModelConfig)
    tokens = check_int("tokens", tokens, minimum=0)
    rolling_window = check_bool("rolling_window", rolling_window)
    if rolling_window and c.sliding_window is not None:
        return min(tokens, c.sliding_window)
    return tokens


def positions_processed(prompt_tokens: int, new_tokens: int, *, cached: bool) -> int:
    """Return how many token positions the model runs to generate ``new_tokens`` tokens.

    Generating ``m`` tokens after a ``p``-token prompt takes ``m`` forward calls (the last new
    token is returned, never fed back). With a KV cache the first call runs the prompt and
    each later call one new position: ``p + m - 1``. Without it every call reruns the whole
    sequence so far, ``p, p + 1, ..., p + m - 1`` positions: ``m p + m (m - 1) / 2``. For a
    one-token prompt that is ``m`` against ``m (m + 1) / 2``.

    Parameters
    ----------
    prompt_tokens : int
        Prompt length ``p``, ``>= 1``.
    new_tokens : int
        Tokens generated ``m``, ``>= 0`` (0 calls, 0 positions).
    cached : bool
        Whether the loop reads earlier Keys and Values from a cache.

    Returns
    -------
    int
        Positions processed, summed over all forward calls and counted once per position
        (multiply by ``layers`` for per-layer work).

    Raises
    ------
    TypeError
        If a count is not an integer or ``cached`` not a bool.
    ValueError
        If ``prompt_tokens < 1`` or ``new_tokens < 0``.

    Examples
    --------
    >>> positions_processed(1, 128, cached=True), positions_processed(1, 128, cached=False)
    (128, 8256)
    """
    prompt_tokens = check_positive_int("prompt_tokens", prompt_tokens)
    new_tokens = check_int("new_tokens", new_tokens, minimum=0)
    cached = check_bool("cached", cached)
    if new_tokens == 0:
        return 0
    if cached:
        return prompt_tokens + new_tokens - 1
    return new_tokens * prompt_tokens + new_tokens * (new_tokens - 1) // 2


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


def _cache_sizes(
    c: ModelConfig, tokens: int, rolling_window: bool, kv_bytes_per_value: int
) -> dict[str, int]:
    """Return the checked KV-cache sizes of ``c`` for one sequence of ``tokens`` tokens.

    The keys are the keyword arguments of :func:`llmhistory.concepts.kv_cache.kv_cache_bytes` (less
    ``batch``), so the serving functions size the cache one way.
    """
    kv_heads, head_dim = c.kv_heads, c.head_dim
    if c.is_mla:  # kv_cache_bytes counts 2 * kv_heads * head_dim values per layer and token
        values = c.kv_lora_rank + c.rope_head_dim  # type: ignore[operator]
        if values % 2:
            raise ValueError(
                f"kv_lora_rank + rope_head_dim = {values} must be even to size an MLA cache "
                "here; use kv_cache_bytes_per_token"
            )
        kv_heads, head_dim = 1, values // 2
    return {
        "tokens": cached_positions(c, tokens, rolling_window=rolling_window),
        "layers": c.layers,
        "kv_heads": kv_heads,
        "head_dim": head_dim,
        "bytes_per_value": check_positive_int("kv_bytes_per_value", kv_bytes_per_value),
    }


def serving_memory(
    config: ModelConfig,
    *,
    batch: int,
    tokens: int,
    precision: str = "bf16",
    kv_bytes_per_value: int = 2,
    rolling_window: bool = True,
) -> MemoryEstimate:
    """Return the memory to serve ``batch`` sequences of ``tokens`` tokens: weights + KV cache.

    Parameters
    ----------
    config : ModelConfig
    batch : int
        Sequences served at once, ``>= 1``.
    tokens : int
        Tokens per sequence (prompt plus generated), ``>= 0``.
    precision : {"fp32", "bf16", "fp16", "int8", "int4"}, default "bf16"
        Storage precision of the weights.
    kv_bytes_per_value : int, default 2
        Storage per cached number (2 for bf16, 1 for an 8-bit cache).
    rolling_window : bool, default True
        See :func:`cached_positions`.

    Returns
    -------
    MemoryEstimate
        ``label="serving"``, ``breakdown`` keys ``"weights"`` and ``"KV cache"``.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or is out of range.

    Examples
    --------
    >>> from llmhistory.concepts.models import get_config
    >>> print(serving_memory(get_config("llama-2-7b"), batch=8, tokens=4096))
    serving: 28.55 GiB (weights 12.55, KV cache 16.00)
    """
    c = check_instance("config", config, ModelConfig)
    batch = check_positive_int("batch", batch)
    cache = kv_cache_bytes(
        batch=batch, **_cache_sizes(c, tokens, rolling_window, kv_bytes_per_value)
    )
    weights = weight_bytes(count_parameters(c).total, precision)
    return MemoryEstimate(label="serving", breakdown={"weights": weights, "KV cache": cache})


def max_batch(
    config: ModelConfig,
    *,
    tokens: int,
    gpu_gib: float,
    precision: str = "bf16",
    kv_bytes_per_value: int = 2,
    rolling_window: bool = True,
) -> int:
    """Return the most ``tokens``-long sequences whose KV cache fits beside the weights.

    The weights at ``precision`` are set aside first; the rest of ``gpu_gib`` holds the cache
    (:func:`llmhistory.concepts.kv_cache.max_batch_for_budget`). Activations and framework overhead
    are
    ignored, so real servers fit somewhat fewer.

    Parameters
    ----------
    config : ModelConfig
    tokens : int
        Tokens per sequence, ``>= 1``.
    gpu_gib : float
        GPU memory in GiB, ``> 0``.
    precision, kv_bytes_per_value, rolling_window
        As in :func:`serving_memory`.

    Returns
    -------
    int
        The largest batch, ``0`` when not even one sequence fits (or the weights alone do not).

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or is out of range.

    Examples
    --------
    >>> from llmhistory.concepts.models import get_config
    >>> max_batch(get_config("llama-2-7b"), tokens=4096, gpu_gib=80)
    33
    >>> max_batch(get_config("llama-3-8b"), tokens=4096, gpu_gib=80)
    130
    """
    c = check_instance("config", config, ModelConfig)
    tokens = check_positive_int("tokens", tokens)
    gpu_gib = check_positive_float("gpu_gib", gpu_gib)
    sizes = _cache_sizes(c, tokens, rolling_window, kv_bytes_per_value)  # checked before any 0
    weights = weight_bytes(count_parameters(c).total, precision)
    budget = math.floor(gpu_gib * GIB)
    if weights > budget:
        return 0
    return max_batch_for_budget(budget, reserved_bytes=weights, **sizes)


def serving_report(
    config: ModelConfig,
    *,
    batch: int,
    tokens: int,
    gpu_gib: float = 80,
    precision: str = "bf16",
    kv_bytes_per_value: int = 2,
) -> str:
    """Return a text table: weights, KV cache and total to serve ``config``, and whether it fits.

    Parameters
    ----------
    config : ModelConfig
    batch : int
        Sequences served at once, ``>= 1``.
    tokens : int
        Tokens per sequence, ``>= 0`` (not limited to the model's context: the arithmetic
        holds for any length).
    gpu_gib : float, default 80
        GPU memory in GiB, ``> 0``.
    precision, kv_bytes_per_value
        As in :func:`serving_memory` (the rolling window is used when the model has one).

    Returns
    -------
    str
        Four lines: weights, KV cache (with KiB per token), total and the verdict.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or is out of range.

    Examples
    --------
    >>> from llmhistory.concepts.models import get_config
    >>> print(serving_report(get_config("llama-3-8b"), batch=8, tokens=8192))
    weights (bf16)   14.96 GiB
    KV cache          8.00 GiB  (32 layers x 8 kv_heads x 128 head_dim: 128 KiB/token)
    total            22.96 GiB of 80 GiB
    verdict          fits, 57.04 GiB free
    """
    c = check_instance("config", config, ModelConfig)
    gpu_gib = check_positive_float("gpu_gib", gpu_gib)
    estimate = serving_memory(
        c, batch=batch, tokens=tokens, precision=precision, kv_bytes_per_value=kv_bytes_per_value
    )
    per_token = kv_cache_bytes_per_token(c, kv_bytes_per_value)
    weights, cache = estimate.breakdown["weights"], estimate.breakdown["KV cache"]
    left = gpu_gib - estimate.gib
    verdict = (
        f"fits, {left:.2f} GiB free"
        if fits(estimate.total, gpu_gib)
        else f"does not fit, {-left:.2f} GiB short"
    )
    shape = f"{c.layers} layers x {c.kv_heads} kv_heads x {c.head_dim} head_dim"
    return "\n".join(
        [
            f"{'weights (' + precision + ')':<16} {weights / GIB:6.2f} GiB",
            f"{'KV cache':<16} {cache / GIB:6.2f} GiB  ({shape}: {per_token / 1024:g} KiB/token)",
            f"{'total':<16} {estimate.gib:6.2f} GiB of {gpu_gib:g} GiB",
            f"{'verdict':<16} {verdict}",
        ]
    )


class KVCache:
    """Preallocated Keys and Values of one sequence, for every layer of a model.

    The storage has the layout of :func:`kv_cache_shape` with ``batch=1`` and ``tokens`` equal
    to the capacity; the first :attr:`tokens` positions are filled. A forward pass over new
    tokens stores each layer's Keys and Values with :meth:`append`, layer 0 first; when the
    last layer has stored them, :attr:`tokens` grows by their number.

    Parameters
    ----------
    config : llmhistory.concepts.models.ModelConfig
        The model the cache belongs to (``layers``, ``kv_heads``, ``head_dim``, ``context``).
    capacity : int, optional
        Positions to allocate, ``1..config.context``; default ``config.context``.
    dtype : {"float32", "float64"}, default "float32"
        The model's compute dtype.

    Examples
    --------
    >>> from llmhistory.concepts.models import ModelConfig
    >>> c = ModelConfig(name="toy", d_model=16, layers=2, heads=4, kv_heads=2, d_ff=8,
    ...                 vocab_size=10, context=32)
    >>> cache = KVCache(c, dtype="float64")
    >>> cache.shape, cache.nbytes
    ((2, 2, 1, 2, 0, 4), 0)
    >>> for layer in range(c.layers):
    ...     keys, values = cache.append(layer, np.ones((2, 3, 4)), np.zeros((2, 3, 4)))
    >>> keys.shape, cache.shape, cache.nbytes
    ((2, 3, 4), (2, 2, 1, 2, 3, 4), 768)
    """

    def __init__(
        self, config: ModelConfig, *, capacity: int | None = None, dtype: str = "float32"
    ) -> None:
        self.config = check_instance("config", config, ModelConfig)
        c = config
        if c.is_mla:
            raise ValueError("config uses multi-head latent attention; KVCache holds K/V heads")
        capacity = c.context if capacity is None else check_positive_int("capacity", capacity)
        if capacity > c.context:
            raise ValueError(f"capacity={capacity} must be <= context={c.context}")
        self.dtype = np.dtype(check_choice("dtype", str(np.dtype(dtype)), CACHE_DTYPES))
        layout = kv_cache_shape(
            layers=c.layers, batch=1, kv_heads=c.kv_heads, tokens=capacity, head_dim=c.head_dim
        )
        self._data = np.zeros(layout, self.dtype)  # [layers, 2, 1, kv_heads, capacity, hd]
        self._read_only = self._data.view()  # what callers see: its slices are read-only too
        self._read_only.flags.writeable = False
        self._tokens = 0
        self._next_layer = 0  # the layer append expects next
        self._new = 0  # tokens being appended in the current pass

    def __repr__(self) -> str:
        return f"KVCache(shape={self.shape}, capacity={self.capacity}, dtype={self.dtype})"

    @property
    def tokens(self) -> int:
        """Positions filled in every layer."""
        return self._tokens

    @property
    def capacity(self) -> int:
        """Positions allocated."""
        return self._data.shape[4]

    @property
    def shape(self) -> tuple[int, ...]:
        """``(layers, 2, 1, kv_heads, tokens, head_dim)`` of the filled part."""
        c = self.config
        return kv_cache_shape(
            layers=c.layers, batch=1, kv_heads=c.kv_heads, tokens=self.tokens, head_dim=c.head_dim
        )

    @property
    def nbytes(self) -> int:
        """Bytes of the filled part: :func:`kv_cache_bytes` for its dtype."""
        c = self.config
        return kv_cache_bytes(
            batch=1,
            layers=c.layers,
            tokens=self.tokens,
            kv_heads=c.kv_heads,
            head_dim=c.head_dim,
            bytes_per_value=self.dtype.itemsize,
        )

    def keys(self, layer: int) -> np.ndarray:
        """Return a read-only view of layer ``layer``'s Keys, ``[kv_heads, tokens, head_dim]``."""
        return self._view(self._check_layer(layer), 0, self.tokens)

    def values(self, layer: int) -> np.ndarray:
        """Return a read-only view of layer ``layer``'s Values, ``[kv_heads, tokens, head_dim]``."""
        return self._view(self._check_layer(layer), 1, self.tokens)

    def append(self, layer: int, k: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Store new Keys and Values of ``layer`` after the cached ones; return all of them.

        ``k, v: [kv_heads, new, head_dim] -> keys, values: [kv_heads, tokens + new, head_dim]``
        (read-only views). Layers are appended in order, each with the same ``new``; after the
        last layer :attr:`tokens` grows by ``new``.

        Raises
        ------
        TypeError
            If ``k`` or ``v`` is not a numpy array.
        ValueError
            If ``layer`` is not the next layer, the shapes or dtypes do not match the cache,
            or the new positions do not fit its capacity.
        """
        c = self.config
        if type(layer) is not int or layer != self._next_layer:  # one test in the common case
            layer = check_int("layer", layer, minimum=0)
            if layer != self._next_layer:
                raise ValueError(
                    f"layer={layer} must be {self._next_layer}: layers append in order"
                )
        for name, array in (("k", k), ("v", v)):
            if not isinstance(array, np.ndarray):
                raise TypeError(f"{name} must be a numpy array, got {type(array).__name__}")
            if array.ndim != 3 or array.shape[::2] != (c.kv_heads, c.head_dim):
                raise ValueError(
                    f"{name} must have shape (kv_heads={c.kv_heads}, new, "
                    f"head_dim={c.head_dim}), got {array.shape}"
                )
            if array.dtype != self.dtype:
                raise ValueError(f"{name} has dtype {array.dtype}, the cache stores {self.dtype}")
        new = k.shape[1]
        if v.shape != k.shape or new < 1:
            raise ValueError(f"k and v must hold the same >= 1 positions, got {k.shape}, {v.shape}")
        if layer and new != self._new:
            raise ValueError(f"layer {layer} appends {new} positions, layer 0 appended {self._new}")
        start = self._tokens
        end = start + new
        if end > self._data.shape[4]:
            raise ValueError(
                f"{new} new positions do not fit: the cache holds {start} of {self.capacity}"
            )
        self._data[layer, 0, 0, :, start:end] = k
        self._data[layer, 1, 0, :, start:end] = v
        self._new, self._next_layer = new, (layer + 1) % c.layers
        if self._next_layer == 0:
            self._tokens = end
        stored = self._read_only[layer, :, 0, :, :end]  # [2, kv_heads, end, head_dim], read-only
        return stored[0], stored[1]

    def truncate(self, tokens: int) -> KVCache:
        """Keep only the first ``tokens`` positions (roll back rejected ones); return self.

        Speculative decoding appends a draft's guesses and must drop the rejected ones; the
        dropped positions are overwritten by the next :meth:`append`.

        >>> from llmhistory.concepts.models import ModelConfig
        >>> c = ModelConfig(name="toy", d_model=4, layers=1, heads=1, d_ff=4, vocab_size=5,
        ...                 context=8)
        >>> cache = KVCache(c, dtype="float64")
        >>> _ = cache.append(0, np.ones((1, 3, 4)), np.ones((1, 3, 4)))
        >>> cache.truncate(1).tokens
        1
        """
        tokens = check_int("tokens", tokens, minimum=0)
        if tokens > self.tokens:
            raise ValueError(f"tokens={tokens} must be <= the {self.tokens} cached positions")
        if self._next_layer:
            raise ValueError("cannot truncate in the middle of a pass (not every layer appended)")
        self._tokens = tokens
        return self

    def copy(self) -> KVCache:
        """Return an independent copy (to branch a generation)."""
        twin = KVCache(self.config, capacity=self.capacity, dtype=str(self.dtype))
        twin._data[...] = self._data
        twin._tokens, twin._next_layer, twin._new = self._tokens, self._next_layer, self._new
        return twin

    def _check_layer(self, layer: object) -> int:
        layer = check_int("layer", layer, minimum=0)
        if layer >= self.config.layers:
            raise ValueError(f"layer={layer} must be < layers={self.config.layers}")
        return layer

    def _view(self, layer: int, kv: int, end: int) -> np.ndarray:
        return self._read_only[layer, kv, 0, :, :end]  # [kv_heads, end, head_dim], read-only
