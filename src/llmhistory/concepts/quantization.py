"""Weight quantization: integers plus scales in place of floats, and what it costs in error.

A matrix ``w`` of shape ``[out, in]`` (the book's ``[out, in]`` layout) is stored as small
integers ``q`` and one scale per block of values (and, asymmetrically, one zero point)::

    symmetric:   q = clip(round(w / scale), -qmax, qmax)          w ~ q * scale
    asymmetric:  q = clip(round(w / scale) + zero, 0, 2**bits - 1) w ~ (q - zero) * scale

with ``qmax = 2**(bits - 1) - 1`` (127 for int8, 7 for int4). The block that shares a scale is
the whole tensor (``"tensor"``), one output row (``"channel"``), or a group of ``group_size``
consecutive inputs within a row (``"group"``, as GPTQ and AWQ store 4-bit weights with groups
of 128). The scale is chosen so that the block's largest magnitude (symmetric) or its range,
widened to include 0 (asymmetric), fits exactly; then every value is rounded to the nearest
level and ``|w - dequantize(quantize(w))| <= scale / 2``.

Smaller blocks track the local range better (smaller scales, smaller errors) and cost more
scales. Int4 values are stored two per byte (:func:`pack_int4`).

>>> w = np.array([[0.5, -1.0, 0.25, 0.0]])
>>> qt = quantize(w, QuantScheme(bits=8))
>>> qt.values.tolist(), round(float(qt.scales[0, 0]) * 127, 6)
([[64, -127, 32, 0]], 1.0)
>>> float(np.abs(dequantize(qt) - w).max()) <= float(qt.scales.max()) / 2
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from llmhistory._validate import (
    as_float_array,
    as_int_array,
    check_bool,
    check_choice,
    check_instance,
    check_int,
    check_mapping,
    check_positive_int,
)

__all__ = [
    "GRANULARITIES",
    "QuantScheme",
    "QuantizedTensor",
    "dequantize",
    "int8_matmul",
    "pack_int4",
    "quantize",
    "quantized_bytes",
    "scheme_rows",
    "unpack_int4",
]

#: How many values share one scale: the whole tensor, one output row, or a group in a row.
GRANULARITIES = ("tensor", "channel", "group")

#: Bytes a deployed format spends on each scale (fp16) and each zero point (one byte).
SCALE_BYTES, ZERO_BYTES = 2, 1


@dataclass(frozen=True)
class QuantScheme:
    """How to quantize a matrix.

    Attributes
    ----------
    bits : {4, 8}
    symmetric : bool, default True
        Symmetric (zero maps to 0, no zero point) or asymmetric (a zero point per block).
    granularity : {"tensor", "channel", "group"}, default "channel"
    group_size : int, default 128
        Inputs per group; used only with ``granularity="group"``.
    """

    bits: int = 8
    symmetric: bool = True
    granularity: str = "channel"
    group_size: int = 128

    def __post_init__(self) -> None:
        check_choice("bits", check_int("bits", self.bits), (4, 8))
        check_bool("symmetric", self.symmetric)
        check_choice("granularity", self.granularity, GRANULARITIES)
        check_positive_int("group_size", self.group_size)

    @property
    def label(self) -> str:
        """A short name, e.g. ``"int4 sym group-32"``."""
        kind = "sym" if self.symmetric else "asym"
        block = f"group-{self.group_size}" if self.granularity == "group" else self.granularity
        return f"int{self.bits} {kind} {block}"


@dataclass(frozen=True)
class QuantizedTensor:
    """A quantized matrix: integer levels, per-block scales and zero points.

    Attributes
    ----------
    values : numpy.ndarray, shape (out, in), int16
        The integer levels, unpacked (``-qmax..qmax`` symmetric, ``0..2**bits-1`` asymmetric).
    scales : numpy.ndarray, shape (rows, blocks), float64
        One scale per block: ``(1, 1)`` per tensor, ``(out, 1)`` per channel,
        ``(out, in // group_size)`` per group.
    zeros : numpy.ndarray or None
        Zero points shaped like ``scales`` (asymmetric), else None.
    scheme : QuantScheme
    """

    values: np.ndarray
    scales: np.ndarray
    zeros: np.ndarray | None
    scheme: QuantScheme

    @property
    def shape(self) -> tuple[int, int]:
        """Shape of the original matrix."""
        return self.values.shape  # type: ignore[return-value]


def _blocks(w: np.ndarray, scheme: QuantScheme) -> np.ndarray:
    """Return ``w`` as ``[rows, blocks, values per block]``."""
    out, inputs = w.shape
    if scheme.granularity == "tensor":
        return w.reshape(1, 1, -1)
    if scheme.granularity == "channel":
        return w.reshape(out, 1, inputs)
    return w.reshape(out, inputs // scheme.group_size, scheme.group_size)


def _check_matrix(w: object, scheme: QuantScheme) -> np.ndarray:
    array = as_float_array("w", w, ndim=2)  # refuses empty arrays, NaN and inf
    if scheme.granularity == "group" and array.shape[1] % scheme.group_size:
        raise ValueError(
            f"group_size={scheme.group_size} must divide the input width {array.shape[1]} of w"
        )
    return array


def quantize(w: object, scheme: QuantScheme) -> QuantizedTensor:
    """Return ``w`` quantized by ``scheme`` (round to nearest, scales from each block's range).

    Parameters
    ----------
    w : array_like, shape (out, in)
        Finite floats, the ``[out, in]`` layout (a block never spans two output rows).
    scheme : QuantScheme

    Returns
    -------
    QuantizedTensor

    Raises
    ------
    TypeError
        If ``w`` is not a 2-D float array or ``scheme`` not a QuantScheme.
    ValueError
        If ``w`` is empty, holds NaN or inf, or ``group_size`` does not divide its width.

    Examples
    --------
    >>> qt = quantize([[1.0, -2.0], [0.0, 4.0]], QuantScheme(bits=4, symmetric=False))
    >>> qt.values.tolist(), qt.zeros.ravel().tolist()
    ([[15, 0], [0, 15]], [10, 0])
    """
    scheme = check_instance("scheme", scheme, QuantScheme)
    array = _check_matrix(w, scheme)
    blocks = _blocks(array, scheme)  # [rows, blocks, n]
    if scheme.symmetric:
        qmax = 2 ** (scheme.bits - 1) - 1
        biggest = np.abs(blocks).max(axis=-1)  # [rows, blocks]
        scales = np.where(biggest > 0, biggest / qmax, 1.0)
        q = np.clip(np.rint(blocks / scales[..., None]), -qmax, qmax)
        zeros = None
    else:
        levels = 2**scheme.bits - 1
        low = np.minimum(blocks.min(axis=-1), 0.0)  # the range always includes 0
        high = np.maximum(blocks.max(axis=-1), 0.0)
        scales = np.where(high > low, (high - low) / levels, 1.0)
        zeros = np.clip(np.rint(-low / scales), 0, levels)
        q = np.clip(np.rint(blocks / scales[..., None]) + zeros[..., None], 0, levels)
        zeros = zeros.astype(np.int16)
    values = q.reshape(array.shape).astype(np.int16)
    return QuantizedTensor(values=values, scales=scales, zeros=zeros, scheme=scheme)


def dequantize(qt: QuantizedTensor) -> np.ndarray:
    """Return the float64 matrix ``qt`` stands for: ``(values - zero) * scale`` per block.

    Examples
    --------
    >>> dequantize(quantize([[1.0, -2.0]], QuantScheme(bits=8))).round(4).tolist()
    [[1.0079, -2.0]]
    """
    qt = check_instance("qt", qt, QuantizedTensor)
    blocks = _blocks(qt.values.astype(np.float64), qt.scheme)  # [rows, blocks, n]
    if qt.zeros is not None:
        blocks = blocks - qt.zeros[..., None]
    return (blocks * qt.scales[..., None]).reshape(qt.shape)


def quantized_bytes(qt: QuantizedTensor) -> int:
    """Return the bytes to store ``qt``: packed levels plus fp16 scales and 1-byte zero points.

    Int4 levels take half a byte each (:func:`pack_int4`, rounded up), int8 one byte.

    Examples
    --------
    >>> w = np.ones((4, 256))
    >>> quantized_bytes(quantize(w, QuantScheme(bits=4, granularity="group", group_size=128)))
    528
    """
    qt = check_instance("qt", qt, QuantizedTensor)
    n = qt.values.size
    levels = (n + 1) // 2 if qt.scheme.bits == 4 else n
    per_block = SCALE_BYTES + (0 if qt.zeros is None else ZERO_BYTES)
    return levels + qt.scales.size * per_block


def pack_int4(values: object) -> np.ndarray:
    """Return 4-bit levels packed two per byte: element ``2i`` in the low nibble of byte ``i``.

    Parameters
    ----------
    values : array_like of int
        Levels in ``-8..15`` (signed ``-8..7`` or unsigned ``0..15``), any shape; flattened in
        C order; an odd count is padded with a 0 nibble.

    Returns
    -------
    numpy.ndarray, shape (ceil(n / 2),), uint8

    Examples
    --------
    >>> pack_int4([1, 2, -1]).tolist()  # 0x21, then 0x0F (-1 is nibble 0xF)
    [33, 15]
    """
    flat = as_int_array("values", values).ravel()
    if flat.size and (flat.min() < -8 or flat.max() > 15):
        raise ValueError("values must be 4-bit levels in -8..15")
    nibbles = (flat & 0xF).astype(np.uint8)
    if nibbles.size % 2:
        nibbles = np.append(nibbles, np.uint8(0))
    return (nibbles[0::2] | (nibbles[1::2] << 4)).astype(np.uint8)


def unpack_int4(packed: object, count: int, *, signed: bool = True) -> np.ndarray:
    """Return the first ``count`` levels of :func:`pack_int4` output, as int16.

    ``signed=True`` reads nibbles as ``-8..7`` (two's complement), else as ``0..15``.

    Examples
    --------
    >>> unpack_int4(pack_int4([1, 2, -1]), 3).tolist()
    [1, 2, -1]
    >>> unpack_int4(pack_int4([0, 15]), 2, signed=False).tolist()
    [0, 15]
    """
    data = as_int_array("packed", packed, ndim=1)
    if data.size and (data.min() < 0 or data.max() > 255):
        raise ValueError("packed must hold bytes 0..255")
    count = check_int("count", count, minimum=0)
    if count > 2 * data.size:
        raise ValueError(f"count={count} must be <= 2 * len(packed) = {2 * data.size}")
    signed = check_bool("signed", signed)
    nibbles = np.empty(2 * data.size, dtype=np.int16)
    nibbles[0::2], nibbles[1::2] = data & 0xF, data >> 4
    nibbles = nibbles[:count]
    return np.where(nibbles > 7, nibbles - 16, nibbles) if signed else nibbles


def int8_matmul(x: object, w: object, *, outlier_threshold: float | None = None) -> np.ndarray:
    """Return ``x @ w.T`` computed in int8 with vector-wise scales, as LLM.int8() does.

    Each row of ``x`` (a token) and each row of ``w`` (an output channel) gets its own absmax
    scale to ``-127..127``; the integer products are summed exactly and rescaled by the two
    scales. With ``outlier_threshold``, the input features (columns of ``x``) where any
    ``|x| >= outlier_threshold`` are split off and multiplied in float instead: the
    mixed-precision decomposition of Dettmers et al. (2022), who use a threshold of 6.

    Parameters
    ----------
    x : array_like, shape (tokens, in)
    w : array_like, shape (out, in)
    outlier_threshold : float, optional
        ``> 0``; None quantizes every feature.

    Returns
    -------
    numpy.ndarray, shape (tokens, out), float64

    Examples
    --------
    >>> x, w = np.array([[1.0, 2.0], [3.0, -4.0]]), np.eye(2)
    >>> int8_matmul(x, w).round(3).tolist()
    [[1.008, 2.0], [2.992, -4.0]]
    >>> int8_matmul(x, w, outlier_threshold=3.5).tolist()  # feature 1 stays float
    [[1.0, 2.0], [3.0, -4.0]]
    """
    x = as_float_array("x", x, ndim=2)
    w = as_float_array("w", w, ndim=2)
    if x.shape[1] != w.shape[1]:
        raise ValueError(f"x has {x.shape[1]} features but w has {w.shape[1]} inputs")
    outliers = np.zeros(x.shape[1], dtype=bool)
    if outlier_threshold is not None:
        threshold = float(as_float_array("outlier_threshold", [outlier_threshold])[0])
        if threshold <= 0:
            raise ValueError(f"outlier_threshold must be > 0, got {outlier_threshold}")
        outliers = (np.abs(x) >= threshold).any(axis=0)
    regular = ~outliers
    if not regular.any():
        return x @ w.T
    xr, wr = x[:, regular], w[:, regular]
    sx = np.abs(xr).max(axis=1, keepdims=True) / 127  # [tokens, 1]
    sw = np.abs(wr).max(axis=1, keepdims=True) / 127  # [out, 1]
    sx, sw = np.where(sx > 0, sx, 1.0), np.where(sw > 0, sw, 1.0)
    qx, qw = np.rint(xr / sx).astype(np.int64), np.rint(wr / sw).astype(np.int64)
    out = (qx @ qw.T) * sx * sw.T  # exact integer sums, then the two scales
    return out + x[:, outliers] @ w[:, outliers].T


def scheme_rows(w: object, schemes: Mapping[str, QuantScheme]) -> list[tuple]:
    """Return one table row per scheme: label, scales, bytes, mean and max ``|w - deq(q(w))|``.

    Examples
    --------
    >>> scheme_rows([[1.0, -2.0, 0.5, 0.0]], {"int8": QuantScheme(bits=8)})[0][:3]
    ('int8', 1, 6)
    """
    schemes = check_mapping("schemes", schemes, "QuantScheme")
    rows = []
    for label, scheme in schemes.items():
        qt = quantize(w, check_instance(f"schemes[{label!r}]", scheme, QuantScheme))
        error = np.abs(dequantize(qt) - np.asarray(w, dtype=np.float64))
        rows.append((label, qt.scales.size, quantized_bytes(qt), error.mean(), error.max()))
    return rows
