"""Bytes of model weights at each precision, and which GPU holds them (chapter 7).

A model's weights take ``parameters x bytes per parameter`` at their storage precision: fp32
4 bytes, bf16/fp16 2, int8 1, int4 half a byte. :func:`fit_report` sets that against common
GPU sizes; :class:`MemoryEstimate` is the record every memory budget of the book returns
(fine-tuning in :mod:`llmhistory.concepts.finetuning`, serving in
:mod:`llmhistory.concepts.kv_cache`). Sizes are quoted in GiB (:data:`GIB`).

>>> from llmhistory.concepts.models import count_parameters, get_config
>>> format_gib(weight_bytes(count_parameters(get_config("llama-3-8b")).total, "bf16"))
'14.96 GiB'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from llmhistory._validate import (
    check_choice,
    check_float,
    check_instance,
    check_int,
    check_positive_float,
    check_sequence,
)
from llmhistory.concepts.models import ModelConfig, count_parameters

__all__ = [
    "BITS_PER_PARAMETER",
    "GIB",
    "GPU_SIZES_GIB",
    "PRECISIONS",
    "MemoryEstimate",
    "bytes_per_parameter",
    "fit_report",
    "fits",
    "format_gib",
    "weight_bytes",
]


#: Bytes in one gibibyte (2**30), the unit GPU memory is quoted in.
GIB = 1024**3


#: Storage bits per parameter of each precision.
BITS_PER_PARAMETER: dict[str, int] = {"fp32": 32, "bf16": 16, "fp16": 16, "int8": 8, "int4": 4}


#: The precisions :func:`weight_bytes` knows, widest first.
PRECISIONS: tuple[str, ...] = tuple(BITS_PER_PARAMETER)


#: Common accelerator memory sizes in GiB (24 GiB consumer card, 48 GiB and 80 GiB data-centre).
GPU_SIZES_GIB: tuple[int, ...] = (24, 48, 80)


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


@dataclass(frozen=True)
class MemoryEstimate:
    """A memory budget split into named parts (bytes), e.g. weights, gradients, KV cache.

    Attributes
    ----------
    label : str
        What is estimated: ``"full"``, ``"lora"``, ``"qlora"``
        (:func:`llmhistory.concepts.finetuning.finetune_memory`) or ``"serving"``
        (:func:`llmhistory.concepts.kv_cache.serving_memory`).
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
