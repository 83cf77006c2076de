"""Memory arithmetic of serving, fine-tuning and quantization: what fits on which GPU.

Three budgets decide whether a model runs on a given accelerator:

* **weights**: ``parameters x bytes per parameter`` at the storage precision (fp32 4 bytes,
  bf16/fp16 2, int8 1, int4 half a byte);
* **training state** when fine-tuning. With Adam in mixed precision every *trainable*
  parameter costs 16 bytes (Rajbhandari et al. 2020, ZeRO, section 3.1, with fp16 there and
  bf16 here; the byte counts are the same):

  ======================================  =====
  bf16 working weights                     2
  bf16 gradients                           2
  fp32 master copy of the weights          4
  fp32 Adam first moment (momentum)        4
  fp32 Adam second moment (variance)       4
  ======================================  =====

  Full fine-tuning trains every parameter. LoRA (Hu et al. 2022) freezes the base weights and
  trains a rank-``r`` update ``B A`` (``B``: ``d_out x r``, ``A``: ``r x d_in``) beside chosen
  projection matrices, so only ``r (d_in + d_out)`` parameters per matrix carry the 16 bytes.
  QLoRA (Dettmers et al. 2023) also stores the frozen base in 4 bits (NF4) plus quantization
  constants, about 0.127 bits per parameter with double quantization (section 3);
* **KV cache** when serving: see :mod:`llmhistory.concepts.kv_cache`. The cache is memory spent to
  save compute: :func:`positions_processed` counts the token positions a generation loop
  pushes through the model with and without it.

Activations are left out everywhere: they depend on batch, sequence length and checkpointing,
and for small batches they are a minor term next to the ones above.

>>> from llmhistory.concepts.models import get_config
>>> print(finetune_memory(get_config("llama-3-8b"), "full"))
full: 119.66 GiB (weights 14.96, gradients 14.96, optimizer states 89.75)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from llmhistory._validate import (
    check_bool,
    check_choice,
    check_instance,
    check_int,
    check_positive_float,
    check_positive_int,
    check_sequence,
)
from llmhistory.concepts.kv_cache import GIB, format_gib, kv_cache_bytes, max_batch_for_budget
from llmhistory.concepts.models import ModelConfig, count_parameters, kv_cache_bytes_per_token

__all__ = [
    "ADAM_MIXED_PRECISION_BYTES",
    "BITS_PER_PARAMETER",
    "DEFAULT_LORA_TARGETS",
    "FINETUNE_METHODS",
    "GPU_SIZES_GIB",
    "LORA_TARGETS",
    "PRECISIONS",
    "QLORA_CONSTANT_BITS",
    "MemoryEstimate",
    "attention_scores_bytes",
    "attention_tile_bytes",
    "bytes_per_parameter",
    "cached_positions",
    "finetune_memory",
    "fit_report",
    "fits",
    "lora_parameters",
    "max_batch",
    "positions_processed",
    "serving_memory",
    "serving_report",
    "weight_bytes",
]

#: Storage bits per parameter of each precision.
BITS_PER_PARAMETER: dict[str, int] = {"fp32": 32, "bf16": 16, "fp16": 16, "int8": 8, "int4": 4}
#: The precisions :func:`weight_bytes` knows, widest first.
PRECISIONS: tuple[str, ...] = tuple(BITS_PER_PARAMETER)

#: Bytes per trainable parameter for Adam in mixed precision (Rajbhandari et al. 2020, §3.1).
ADAM_MIXED_PRECISION_BYTES: dict[str, int] = {
    "bf16 weights": 2,
    "bf16 gradients": 2,
    "fp32 master weights": 4,
    "fp32 Adam first moment": 4,
    "fp32 Adam second moment": 4,
}
_WEIGHT_BYTES = 2
_GRADIENT_BYTES = 2
_OPTIMIZER_BYTES = 12  # master weights + two Adam moments

#: Bits per parameter of QLoRA's quantization constants with double quantization
#: (Dettmers et al. 2023, section 3: 8/64 + 32/(64 * 256) = 0.127).
QLORA_CONSTANT_BITS = 0.127

#: Fine-tuning methods of :func:`finetune_memory`.
FINETUNE_METHODS: tuple[str, ...] = ("full", "lora", "qlora")
#: Projection matrices LoRA can adapt: attention q, k, v, o and feed-forward gate, up, down.
LORA_TARGETS: tuple[str, ...] = ("q", "k", "v", "o", "gate", "up", "down")
#: The attention projections, the default targets of :func:`lora_parameters`.
DEFAULT_LORA_TARGETS: tuple[str, ...] = ("q", "k", "v", "o")
#: Common accelerator memory sizes in GiB (24 GiB consumer card, 48 GiB and 80 GiB data-centre).
GPU_SIZES_GIB: tuple[int, ...] = (24, 48, 80)


def _check_precision(precision: object) -> str:
    return str(check_choice("precision", precision, PRECISIONS))


def bytes_per_parameter(precision: str) -> float:
    """Return the bytes one parameter takes at ``precision``.

    Parameters
    ----------
    precision : {"fp32", "bf16", "fp16", "int8", "int4"}

    Returns
    -------
    float
        4.0, 2.0, 2.0, 1.0 or 0.5.

    Raises
    ------
    ValueError
        If ``precision`` is not one of :data:`PRECISIONS`.

    Examples
    --------
    >>> [bytes_per_parameter(p) for p in ("fp32", "bf16", "int8", "int4")]
    [4.0, 2.0, 1.0, 0.5]
    """
    return BITS_PER_PARAMETER[_check_precision(precision)] / 8


def weight_bytes(parameters: int, precision: str = "bf16") -> int:
    """Return the bytes to store ``parameters`` weights at ``precision`` (rounded up).

    Parameters
    ----------
    parameters : int
        Number of parameters, ``>= 0``.
    precision : {"fp32", "bf16", "fp16", "int8", "int4"}, default "bf16"

    Returns
    -------
    int
        ``ceil(parameters * bits / 8)`` bytes; int4 packs two weights per byte. Quantization
        constants (scales) are not included.

    Raises
    ------
    TypeError
        If ``parameters`` is not an integer.
    ValueError
        If ``parameters < 0`` or ``precision`` is unknown.

    Examples
    --------
    >>> weight_bytes(7_000_000_000, "bf16")
    14000000000
    >>> weight_bytes(3, "int4")
    2
    """
    parameters = check_int("parameters", parameters, minimum=0)
    bits = BITS_PER_PARAMETER[_check_precision(precision)]
    return -(-parameters * bits // 8)


def _check_targets(targets: object) -> tuple[str, ...]:
    if isinstance(targets, str) or not isinstance(targets, Sequence):
        raise TypeError(
            f"targets must be a sequence of names from {', '.join(LORA_TARGETS)}, "
            f"got {type(targets).__name__}"
        )
    if not targets:
        raise ValueError("targets must name at least one projection")
    checked = tuple(str(check_choice("targets", t, LORA_TARGETS)) for t in targets)
    if len(set(checked)) != len(checked):
        raise ValueError(f"targets must not repeat a projection, got {list(checked)}")
    return checked


def _projection_shapes(c: ModelConfig) -> dict[str, tuple[int, int]]:
    """Return ``{target: (d_in, d_out)}`` of one layer's projection matrices."""
    q_width, kv_width = c.heads * c.head_dim, c.kv_heads * c.head_dim
    return {
        "q": (c.d_model, q_width),
        "k": (c.d_model, kv_width),
        "v": (c.d_model, kv_width),
        "o": (q_width, c.d_model),
        "gate": (c.d_model, c.d_ff),
        "up": (c.d_model, c.d_ff),
        "down": (c.d_ff, c.d_model),
    }


def lora_parameters(
    config: ModelConfig, rank: int, targets: Sequence[str] = DEFAULT_LORA_TARGETS
) -> int:
    """Return the trainable parameters LoRA adds to ``config`` at ``rank`` on ``targets``.

    A frozen ``d_out x d_in`` matrix ``W`` gets ``W + B A`` with ``A``: ``rank x d_in`` and
    ``B``: ``d_out x rank``, i.e. ``rank * (d_in + d_out)`` trainable parameters, in every
    layer. Feed-forward targets of a Mixture-of-Experts model are adapted in every expert. A
    gated (SwiGLU) network has all of gate, up and down; a GELU network has no ``gate``.

    Parameters
    ----------
    config : ModelConfig
    rank : int
        LoRA rank ``r``, ``>= 1``.
    targets : sequence of str, default ("q", "k", "v", "o")
        Projections to adapt, from :data:`LORA_TARGETS`; no repeats.

    Returns
    -------
    int
        Trainable adapter parameters of the whole model.

    Raises
    ------
    TypeError
        If ``config`` is not a ModelConfig, ``rank`` not an integer or ``targets`` not a
        sequence of str.
    ValueError
        If ``rank < 1``, ``targets`` is empty, repeats or names an unknown projection, or names
        ``"gate"`` for a model without a gated feed-forward network.

    Examples
    --------
    >>> from llmhistory.concepts.models import get_config
    >>> lora_parameters(get_config("llama-2-7b"), rank=8)
    8388608
    >>> lora_parameters(get_config("llama-3-8b"), rank=16, targets=("q", "v"))
    6815744
    """
    c = check_instance("config", config, ModelConfig)
    rank = check_positive_int("rank", rank)
    targets = _check_targets(targets)
    if "gate" in targets and c.ffn != "swiglu":
        raise ValueError(f"targets names 'gate' but {c.name} has a {c.ffn} feed-forward network")
    shapes = _projection_shapes(c)
    per_layer = 0
    for target in targets:
        d_in, d_out = shapes[target]
        copies = c.num_experts if target in ("gate", "up", "down") else 1
        per_layer += copies * rank * (d_in + d_out)
    return c.layers * per_layer


@dataclass(frozen=True)
class MemoryEstimate:
    """A memory budget split into named parts (bytes), e.g. weights, gradients, KV cache.

    Attributes
    ----------
    label : str
        What is estimated: ``"full"``, ``"lora"``, ``"qlora"`` or ``"serving"``.
    breakdown : dict of str to int
        Bytes per part, in display order; the values sum to :attr:`total`.
    trainable : int
        Parameters that receive gradients (0 when serving).
    """

    label: str
    breakdown: dict[str, int]
    trainable: int = 0

    @property
    def total(self) -> int:
        """All parts together, in bytes."""
        return sum(self.breakdown.values())

    @property
    def gib(self) -> float:
        """:attr:`total` in GiB."""
        return self.total / GIB

    def __str__(self) -> str:
        parts = ", ".join(f"{k} {v / GIB:.2f}" for k, v in self.breakdown.items() if v)
        return f"{self.label}: {format_gib(self.total)} ({parts})"


def finetune_memory(
    config: ModelConfig,
    method: str,
    *,
    rank: int = 16,
    targets: Sequence[str] = DEFAULT_LORA_TARGETS,
) -> MemoryEstimate:
    """Return the memory to fine-tune ``config`` with Adam: full, LoRA or QLoRA.

    Per parameter (``P`` base parameters, ``A`` LoRA parameters; activations not included):

    ============  ========================  ==============  ==============  ================
    method        weights                   constants       gradients       optimizer states
    ============  ========================  ==============  ==============  ================
    ``"full"``    ``2 P``                   0               ``2 P``         ``12 P``
    ``"lora"``    ``2 P + 2 A``             0               ``2 A``         ``12 A``
    ``"qlora"``   ``P / 2 + 2 A``           ``0.127 P / 8`` ``2 A``         ``12 A``
    ============  ========================  ==============  ==============  ================

    "optimizer states" is the fp32 master copy plus Adam's two fp32 moments (4 + 4 + 4 bytes).

    Parameters
    ----------
    config : ModelConfig
    method : {"full", "lora", "qlora"}
    rank : int, default 16
        LoRA rank (ignored for ``"full"``), ``>= 1``.
    targets : sequence of str, default ("q", "k", "v", "o")
        LoRA targets (ignored for ``"full"``), see :func:`lora_parameters`.

    Returns
    -------
    MemoryEstimate
        ``breakdown`` keys ``"weights"``, ``"quantization constants"``, ``"gradients"``,
        ``"optimizer states"``; ``trainable`` is ``P`` (full) or ``A`` (LoRA, QLoRA).

    Raises
    ------
    TypeError, ValueError
        As :func:`lora_parameters`; ``ValueError`` also for an unknown ``method``.

    Examples
    --------
    >>> from llmhistory.concepts.models import get_config
    >>> for method in FINETUNE_METHODS:
    ...     print(finetune_memory(get_config("llama-3-8b"), method))
    full: 119.66 GiB (weights 14.96, gradients 14.96, optimizer states 89.75)
    lora: 15.16 GiB (weights 14.98, gradients 0.03, optimizer states 0.15)
    qlora: 4.06 GiB (weights 3.76, quantization constants 0.12, gradients 0.03, optimizer states 0.15)
    """  # noqa: E501
    c = check_instance("config", config, ModelConfig)
    method = str(check_choice("method", method, FINETUNE_METHODS))
    parameters = count_parameters(c).total
    if method == "full":
        trainable = parameters
        base, constants = 0, 0
    else:
        trainable = lora_parameters(c, rank, targets)
        base = weight_bytes(parameters, "int4" if method == "qlora" else "bf16")
        # 0.127 bits = 127 / 1000 bits; integer arithmetic, rounded up.
        constants = -(-parameters * 127 // 8000) if method == "qlora" else 0
    return MemoryEstimate(
        label=method,
        breakdown={
            "weights": base + _WEIGHT_BYTES * trainable,
            "quantization constants": constants,
            "gradients": _GRADIENT_BYTES * trainable,
            "optimizer states": _OPTIMIZER_BYTES * trainable,
        },
        trainable=trainable,
    )


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


def _cache_sizes(
    c: ModelConfig, tokens: int, rolling_window: bool, kv_bytes_per_value: int
) -> dict[str, int]:
    """Return the checked KV-cache sizes of ``c`` for one sequence of ``tokens`` tokens.

    The keys are the keyword arguments of :func:`llmhistory.concepts.kv_cache.kv_cache_bytes` (less
    ``batch``), so the serving functions size the cache one way.
    """
    return {
        "tokens": cached_positions(c, tokens, rolling_window=rolling_window),
        "layers": c.layers,
        "kv_heads": c.kv_heads,
        "head_dim": c.head_dim,
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


def fits(n_bytes: int, gpu_gib: float) -> bool:
    """Return True when ``n_bytes`` fit in a GPU with ``gpu_gib`` GiB of memory.

    Parameters
    ----------
    n_bytes : int
        Bytes needed, ``>= 0``.
    gpu_gib : float
        Memory of the GPU in GiB, ``> 0``.

    Returns
    -------
    bool

    Raises
    ------
    TypeError
        If ``n_bytes`` is not an integer or ``gpu_gib`` not a number.
    ValueError
        If ``n_bytes < 0`` or ``gpu_gib <= 0``.

    Examples
    --------
    >>> fits(24 * GIB, 24), fits(24 * GIB + 1, 24)
    (True, False)
    """
    n_bytes = check_int("n_bytes", n_bytes, minimum=0)
    gpu_gib = check_positive_float("gpu_gib", gpu_gib)
    return n_bytes <= gpu_gib * GIB


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


def _check_gpus(gpus: object) -> tuple[float, ...]:
    return tuple(
        check_positive_float("gpus", g) for g in check_sequence("gpus", gpus, "size in GiB")
    )


def _gib_label(gib: float) -> str:
    return f"{gib:g} GiB"


def fit_report(
    config: ModelConfig, precision: str = "bf16", *, gpus: Sequence[float] = GPU_SIZES_GIB
) -> str:
    """Return a text table: the weights of ``config`` at ``precision`` and which GPUs hold them.

    Parameters
    ----------
    config : ModelConfig
    precision : {"fp32", "bf16", "fp16", "int8", "int4"}, default "bf16"
    gpus : sequence of float, default (24, 48, 80)
        GPU memory sizes in GiB, each ``> 0``.

    Returns
    -------
    str
        Parameters, weight GiB, then one line per GPU: ``yes`` with the GiB left for the KV
        cache and activations, or ``no`` with the GiB missing.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or is out of range.

    Examples
    --------
    >>> from llmhistory.concepts.models import get_config
    >>> print(fit_report(get_config("llama-3-8b"), "int4", gpus=(24, 4)))
    llama-3-8b in int4 (0.5 bytes/parameter)
    parameters       8.03 B
    weights          3.74 GiB
    on a 24 GiB GPU  yes, 20.26 GiB left for KV cache and activations
    on a 4 GiB GPU   yes, 0.26 GiB left for KV cache and activations
    """
    c = check_instance("config", config, ModelConfig)
    precision = _check_precision(precision)
    gpus = _check_gpus(gpus)
    parameters = count_parameters(c).total
    weights = weight_bytes(parameters, precision)
    lines = [
        f"{c.name} in {precision} ({bytes_per_parameter(precision):g} bytes/parameter)",
        f"{'parameters':<16} {parameters / 1e9:.2f} B",
        f"{'weights':<16} {format_gib(weights)}",
    ]
    for gib in gpus:
        left = gib - weights / GIB
        verdict = (
            f"yes, {left:.2f} GiB left for KV cache and activations"
            if fits(weights, gib)
            else f"no, {-left:.2f} GiB short"
        )
        lines.append(f"{'on a ' + _gib_label(gib) + ' GPU':<16} {verdict}")
    return "\n".join(lines)


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
            f"{'total':<16} {estimate.gib:6.2f} GiB of {_gib_label(gpu_gib)}",
            f"{'verdict':<16} {verdict}",
        ]
    )


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
