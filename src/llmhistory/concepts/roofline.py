"""Prefill and decode on the roofline: FLOPs, bytes moved and arithmetic intensity of a pass.

A forward pass of a decoder multiplies activations by every weight matrix. Its **arithmetic
intensity** is the FLOPs it performs per byte it moves between memory and the compute units.
The **roofline model** (Williams, Waterman and Patterson 2009) bounds the FLOP/s a kernel of
intensity ``I`` can reach on an accelerator with peak ``P`` FLOP/s and memory bandwidth ``B``
bytes/s::

    attainable(I) = min(P, I * B)

Below the **ridge point** ``P / B`` a kernel is memory-bound, above it compute-bound.

Processing a prompt (**prefill**) multiplies ``tokens`` rows by each weight matrix: the weights
are read once and used ``tokens`` times, so the intensity grows with the prompt. Generating
one token (**decode**) multiplies a single row per sequence: every weight byte is read to do
two FLOPs per sequence in the batch, so the intensity is about ``batch`` FLOPs per 2-byte value
and far below the ridge of a modern GPU. :func:`pass_cost` counts both.

>>> c = ModelConfig(name="toy", d_model=64, layers=2, heads=4, d_ff=256, vocab_size=100,
...                 context=128)
>>> prefill, decode = pass_cost(c, tokens=64), pass_cost(c, tokens=1, context=64)
>>> prefill.intensity > 10 * decode.intensity
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from llmhistory._validate import (
    as_float_array,
    check_instance,
    check_int,
    check_mapping,
    check_positive_float,
    check_positive_int,
    check_str,
)
from llmhistory.concepts.kv_cache import kv_cache_bytes_per_token
from llmhistory.concepts.models import ModelConfig, count_parameters

__all__ = [
    "H100_SXM",
    "Accelerator",
    "PassCost",
    "attainable_flops",
    "matmul_intensity",
    "matmul_parameters",
    "pass_cost",
    "pass_seconds",
    "roofline_rows",
]


@dataclass(frozen=True)
class Accelerator:
    """Peak arithmetic and memory bandwidth of one accelerator.

    Attributes
    ----------
    name : str
    peak_flops : float
        Peak FLOP/s at the precision of interest (dense, no sparsity).
    bandwidth : float
        Main-memory bandwidth in bytes/s.
    source : str
        Where the numbers come from.
    """

    name: str
    peak_flops: float
    bandwidth: float
    source: str = ""

    def __post_init__(self) -> None:
        check_str("name", self.name)
        check_positive_float("peak_flops", self.peak_flops)
        check_positive_float("bandwidth", self.bandwidth)

    @property
    def ridge(self) -> float:
        """The ridge point ``peak_flops / bandwidth`` in FLOPs per byte."""
        return self.peak_flops / self.bandwidth


#: NVIDIA H100 SXM: the datasheet gives 1,979 teraFLOPS of BF16 Tensor Core compute *with*
#: 2:4 structured sparsity, which doubles the dense rate; dense is half. HBM3: 3.35 TB/s.
H100_SXM = Accelerator(
    name="H100 SXM",
    peak_flops=1979e12 / 2,
    bandwidth=3.35e12,
    source="NVIDIA H100 Tensor Core GPU datasheet (BF16 Tensor Core, dense = sparse / 2)",
)


def attainable_flops(intensity: object, accelerator: Accelerator) -> np.ndarray:
    """Return the roofline bound ``min(peak_flops, intensity * bandwidth)`` in FLOP/s.

    Parameters
    ----------
    intensity : float or array_like
        Arithmetic intensity in FLOPs per byte, ``> 0``.
    accelerator : Accelerator

    Returns
    -------
    numpy.ndarray
        Same shape as ``intensity``, float64.

    Examples
    --------
    >>> chip = Accelerator("toy", peak_flops=100.0, bandwidth=10.0)
    >>> attainable_flops([1.0, 10.0, 50.0], chip).tolist()
    [10.0, 100.0, 100.0]
    """
    accelerator = check_instance("accelerator", accelerator, Accelerator)
    values = as_float_array("intensity", intensity)
    if (values <= 0).any():
        raise ValueError("intensity must hold FLOPs per byte > 0")
    return np.minimum(accelerator.peak_flops, values * accelerator.bandwidth)


def matmul_intensity(m: int, k: int, n: int, bytes_per_value: float = 2) -> float:
    """Return the FLOPs per byte of ``[m, k] @ [k, n]``: ``2mkn / ((mk + kn + mn) * bytes)``.

    Each input is read once and the output written once (the best case).

    Examples
    --------
    >>> round(matmul_intensity(1, 4096, 4096), 2)  # one token through a 4096 x 4096 matrix
    1.0
    >>> round(matmul_intensity(4096, 4096, 4096), 1)
    1365.3
    """
    m = check_positive_int("m", m)
    k = check_positive_int("k", k)
    n = check_positive_int("n", n)
    size = check_positive_float("bytes_per_value", bytes_per_value)
    return 2 * m * k * n / ((m * k + k * n + m * n) * size)


def matmul_parameters(config: ModelConfig) -> tuple[int, int]:
    """Return ``(stored, per_token)`` parameters of the matrices a forward pass multiplies by.

    Attention, feed-forward and router matrices and the output head (the embedding matrix when
    tied); the embedding lookup and the norms are not matrix products. ``per_token`` counts
    only the experts a token is routed to; ``stored`` counts all of them.

    Examples
    --------
    >>> c = ModelConfig(name="toy", d_model=8, layers=1, heads=2, d_ff=16, vocab_size=10,
    ...                 context=8, tied_embeddings=True)
    >>> matmul_parameters(c)  # 4 * 8 * 8 attention + 3 * 8 * 16 SwiGLU + 10 * 8 head
    (720, 720)
    """
    c = check_instance("config", config, ModelConfig)
    count = count_parameters(c)
    b = count.breakdown
    stored = b["attention"] + b["feed_forward"] + b["router"] + c.vocab_size * c.d_model
    return stored, stored - (count.total - count.active)


@dataclass(frozen=True)
class PassCost:
    """FLOPs and bytes moved by one forward pass (see :func:`pass_cost`).

    Attributes
    ----------
    flops : int
        Multiply-adds counted as 2 FLOPs: matrix products plus attention scores and mixing.
    weight_bytes : int
        Weights read (each matrix once).
    kv_bytes : int
        KV cache read (earlier positions) and written (new positions).
    tokens : int
        Positions processed, over the whole batch.
    """

    flops: int
    weight_bytes: int
    kv_bytes: int
    tokens: int

    @property
    def bytes(self) -> int:
        """Total bytes moved, ``weight_bytes + kv_bytes``."""
        return self.weight_bytes + self.kv_bytes

    @property
    def intensity(self) -> float:
        """Arithmetic intensity, FLOPs per byte."""
        return self.flops / self.bytes


def pass_cost(
    config: ModelConfig,
    tokens: int,
    *,
    batch: int = 1,
    context: int = 0,
    bytes_per_value: int = 2,
    kv_bytes_per_value: int | None = None,
) -> PassCost:
    """Return the FLOPs and bytes of one forward pass over ``tokens`` new tokens per sequence.

    A prefill is ``tokens=prompt, context=0``; a decode step is ``tokens=1, context=earlier
    tokens``. For ``batch`` sequences:

    * FLOPs ``= 2 * per-token matrix parameters * batch * tokens`` plus attention,
      ``4 * layers * heads * head_dim`` per query per key (scores and mixing, causal within
      the new tokens);
    * bytes ``=`` every stored matrix once (:func:`matmul_parameters`) plus, per sequence,
      the cache of ``context`` earlier positions read and of ``tokens`` new ones written
      (:func:`~llmhistory.concepts.kv_cache.kv_cache_bytes_per_token`). Activations are left
      out: they are small next to the weights until the batch is large.

    Parameters
    ----------
    config : ModelConfig
    tokens : int
        New tokens per sequence, ``>= 1``.
    batch : int, default 1
        Sequences processed together, ``>= 1``.
    context : int, default 0
        Tokens already in each sequence's cache, ``>= 0``.
    bytes_per_value : int, default 2
        Bytes per weight (2 for bf16).
    kv_bytes_per_value : int, optional
        Bytes per cached value; default ``bytes_per_value``.

    Returns
    -------
    PassCost

    Raises
    ------
    TypeError
        If ``config`` is not a ModelConfig or a size is not an integer.
    ValueError
        If a size is out of range.

    Examples
    --------
    >>> from llmhistory.concepts.models import get_config
    >>> step = pass_cost(get_config("llama-3-8b"), tokens=1, context=1000)
    >>> round(step.weight_bytes / 1e9, 1), round(step.intensity, 2)
    (15.0, 1.03)
    """
    c = check_instance("config", config, ModelConfig)
    tokens = check_positive_int("tokens", tokens)
    batch = check_positive_int("batch", batch)
    context = check_int("context", context, minimum=0)
    size = check_positive_int("bytes_per_value", bytes_per_value)
    kv_size = size if kv_bytes_per_value is None else kv_bytes_per_value
    kv_size = check_positive_int("kv_bytes_per_value", kv_size)
    stored, per_token = matmul_parameters(c)
    # query i of the new tokens sees context + i + 1 keys: sum = tokens * context + T(T+1)/2
    keys = tokens * context + tokens * (tokens + 1) // 2
    attention = 4 * c.layers * c.heads * c.head_dim * keys
    flops = batch * (2 * per_token * tokens + attention)
    kv = batch * kv_cache_bytes_per_token(c, kv_size) * (context + tokens)
    return PassCost(flops=flops, weight_bytes=stored * size, kv_bytes=kv, tokens=batch * tokens)


def pass_seconds(cost: PassCost, accelerator: Accelerator) -> float:
    """Return the roofline time of a pass: ``max(flops / peak_flops, bytes / bandwidth)``.

    A lower bound: real kernels reach neither peak exactly.

    Examples
    --------
    >>> chip = Accelerator("toy", peak_flops=100.0, bandwidth=10.0)
    >>> pass_seconds(PassCost(flops=200, weight_bytes=50, kv_bytes=0, tokens=1), chip)
    5.0
    """
    cost = check_instance("cost", cost, PassCost)
    accelerator = check_instance("accelerator", accelerator, Accelerator)
    return max(cost.flops / accelerator.peak_flops, cost.bytes / accelerator.bandwidth)


def roofline_rows(costs: Mapping[str, PassCost], accelerator: Accelerator) -> list[tuple]:
    """Return one table row per pass: label, tokens, GFLOP, GB moved, FLOPs/byte, ms, bound.

    The time is :func:`pass_seconds` in milliseconds; ``bound`` says which roof limits the
    pass (``"memory"`` below the ridge, else ``"compute"``).

    Examples
    --------
    >>> chip = Accelerator("toy", peak_flops=1e12, bandwidth=1e11)
    >>> roofline_rows({"step": PassCost(2 * 10**9, 10**9, 0, 1)}, chip)
    [('step', 1, 2.0, 1.0, 2.0, 10.0, 'memory')]
    """
    costs = check_mapping("costs", costs, "PassCost")
    accelerator = check_instance("accelerator", accelerator, Accelerator)
    rows = []
    for label, cost in costs.items():
        cost = check_instance(f"costs[{label!r}]", cost, PassCost)
        bound = "memory" if cost.intensity < accelerator.ridge else "compute"
        seconds = pass_seconds(cost, accelerator)
        rows.append(
            (
                label,
                cost.tokens,
                cost.flops / 1e9,
                cost.bytes / 1e9,
                cost.intensity,
                seconds * 1e3,
                bound,
            )
        )
    return rows
