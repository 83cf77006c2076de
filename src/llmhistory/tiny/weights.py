"""Weights on disk: one safetensors file with Hugging Face Llama/Mixtral tensor names.

The safetensors format is simple enough to write with NumPy alone:

* 8 bytes: the length ``N`` of the header, an unsigned little-endian integer;
* ``N`` bytes: a UTF-8 JSON object mapping each tensor name to
  ``{"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}``, plus an optional
  ``"__metadata__"`` object of strings (here the Hugging Face ``config.json`` under ``"config"``);
  the header is padded with spaces to a multiple of 8 bytes;
* the raw little-endian bytes of every tensor, back to back; offsets count from the end of the
  header and together cover the data exactly.

Names and layouts follow Hugging Face ``LlamaForCausalLM`` / ``MixtralForCausalLM``:
``model.embed_tokens.weight``, ``model.layers.{i}.self_attn.{q,k,v,o}_proj.weight`` in
``nn.Linear`` layout ``[out, in]``, ``mlp.{gate,up,down}_proj.weight`` (or, for MoE,
``block_sparse_moe.gate.weight`` and ``block_sparse_moe.experts.{j}.{w1,w2,w3}.weight`` with
``w1`` = gate, ``w3`` = up, ``w2`` = down), the two RMSNorm weights per layer,
``model.norm.weight`` and ``lm_head.weight`` (absent when the embeddings are tied).

A note on RoPE and ``q_proj``/``k_proj``: Meta's original Llama checkpoints pair rotary
coordinates ``(0, 1), (2, 3), ...``, and Hugging Face's conversion script permutes the rows of
``q_proj`` and ``k_proj`` so that its "rotate half" code, which pairs ``i`` with
``i + head_dim / 2``, computes the same thing. Our RoPE
(:func:`llmhistory.concepts.rope.apply_rope`)
already uses the rotate-half pairing, so our ``q_proj``/``k_proj`` are stored and used as they
are, exactly like Hugging Face's in-memory layout; no permutation happens on save or load.

Saving writes to a temporary file in the same folder and renames it, so an error never leaves a
half-written file. Loading checks the header, the dtypes, the offsets and, for a model, every
tensor's name and shape against the config, and says which tensor is wrong.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "t.safetensors"
>>> _ = save_safetensors(path, {"w": np.arange(3, dtype=np.float32)}, {"note": "hi"})
>>> tensors, metadata = load_safetensors(path)
>>> tensors["w"].tolist(), metadata
([0.0, 1.0, 2.0], {'note': 'hi'})
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from llmhistory._validate import check_instance, check_str
from llmhistory.tiny.model import TinyConfig, TinyDecoder

__all__ = [
    "SAFETENSORS_DTYPES",
    "load_model",
    "load_safetensors",
    "save_model",
    "save_safetensors",
]

#: safetensors dtype codes this module reads and writes, with their NumPy dtypes.
SAFETENSORS_DTYPES: dict[str, np.dtype] = {
    "F16": np.dtype("<f2"),
    "F32": np.dtype("<f4"),
    "F64": np.dtype("<f8"),
    "I8": np.dtype("i1"),
    "I16": np.dtype("<i2"),
    "I32": np.dtype("<i4"),
    "I64": np.dtype("<i8"),
    "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}
_CODES = {dtype.str.lstrip("<>|="): code for code, dtype in SAFETENSORS_DTYPES.items()}
_MAX_HEADER = 100_000_000


def _dtype_code(name: str, array: np.ndarray) -> str:
    code = _CODES.get(array.dtype.str.lstrip("<>|="))
    if code is None:
        allowed = ", ".join(SAFETENSORS_DTYPES)
        raise ValueError(f"tensor {name!r} has dtype {array.dtype}; allowed: {allowed}")
    return code


def _atomic_write(path: Path, chunks: list[bytes]) -> None:
    """Write ``chunks`` to a temporary file beside ``path``, then rename it over ``path``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a shipped checkpoint must be world-readable
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_safetensors(
    path: str | os.PathLike[str],
    tensors: Mapping[str, np.ndarray],
    metadata: Mapping[str, str] | None = None,
) -> Path:
    """Write ``tensors`` (and string ``metadata``) to ``path`` in the safetensors format.

    Tensors are written in name order, little-endian and C-contiguous.

    Parameters
    ----------
    path : str or path-like
        Destination; its folder must exist. Written via a temporary file and a rename.
    tensors : mapping of str to numpy.ndarray
        Non-empty names (not ``"__metadata__"``) to arrays of a dtype in
        :data:`SAFETENSORS_DTYPES`.
    metadata : mapping of str to str, optional
        Stored under ``"__metadata__"``.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    TypeError
        If ``tensors`` is not a mapping or ``metadata`` holds non-strings.
    ValueError
        If a name is blank or reserved or a dtype is unsupported (naming the tensor).
    """
    path = Path(path)
    if not isinstance(tensors, Mapping):
        raise TypeError(f"tensors must be a mapping of name to array, got {type(tensors)}")
    header: dict[str, object] = {}
    if metadata is not None:
        if not isinstance(metadata, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
        ):
            raise TypeError("metadata must be a mapping of str to str")
        header["__metadata__"] = dict(metadata)
    blobs, offset = [], 0
    for name in sorted(tensors):
        check_str("tensor name", name)
        if name == "__metadata__":
            raise ValueError("tensor name '__metadata__' is reserved for the metadata")
        array = np.asarray(tensors[name])
        code = _dtype_code(name, array)
        blob = np.ascontiguousarray(array, dtype=SAFETENSORS_DTYPES[code]).tobytes()
        header[name] = {
            "dtype": code,
            "shape": list(array.shape),
            "data_offsets": [offset, offset + len(blob)],
        }
        blobs.append(blob)
        offset += len(blob)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)
    _atomic_write(path, [len(encoded).to_bytes(8, "little"), encoded, *blobs])
    return path


def _entry(path: Path, name: str, entry: object, data_size: int) -> tuple[str, tuple, int, int]:
    """Return ``(dtype code, shape, begin, end)`` of one header entry after checking it."""
    if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
        raise ValueError(f"{path}: tensor {name!r} needs exactly dtype, shape, data_offsets")
    code, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
    if code not in SAFETENSORS_DTYPES:
        raise ValueError(f"{path}: tensor {name!r} has unsupported dtype {code!r}")
    if not isinstance(shape, list) or not all(
        isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in shape
    ):
        raise ValueError(f"{path}: tensor {name!r} has an invalid shape {shape!r}")
    if (
        not isinstance(offsets, list)
        or len(offsets) != 2
        or not all(isinstance(o, int) and not isinstance(o, bool) for o in offsets)
        or not 0 <= offsets[0] <= offsets[1]
    ):
        raise ValueError(f"{path}: tensor {name!r} has invalid data_offsets {offsets!r}")
    begin, end = offsets
    if end > data_size:
        raise ValueError(
            f"{path}: tensor {name!r} ends at byte {end} but the file holds only {data_size} "
            "data bytes (truncated?)"
        )
    needed = math.prod(shape) * SAFETENSORS_DTYPES[code].itemsize
    if end - begin != needed:
        raise ValueError(
            f"{path}: tensor {name!r} of shape {tuple(shape)} and dtype {code} needs {needed} "
            f"bytes, but its data_offsets cover {end - begin}"
        )
    return code, tuple(shape), begin, end


def load_safetensors(
    path: str | os.PathLike[str],
) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Return the tensors and metadata stored in the safetensors file at ``path``.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    tensors : dict of str to numpy.ndarray
        Native-endian copies, in the file's dtypes and shapes.
    metadata : dict of str to str
        The ``"__metadata__"`` object (empty if absent).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is truncated, the header is not valid JSON, an entry is malformed, the
        offsets overlap, leave gaps or stop short of the data (naming the tensor).
    """
    path = Path(path)
    raw = path.read_bytes()
    if len(raw) < 8:
        raise ValueError(
            f"{path}: file is truncated: {len(raw)} bytes, fewer than the 8-byte header length"
        )
    size = int.from_bytes(raw[:8], "little")
    if size > min(len(raw) - 8, _MAX_HEADER):
        raise ValueError(
            f"{path}: header length {size} exceeds the {len(raw) - 8} bytes after it "
            "(truncated or not a safetensors file)"
        )
    try:
        header = json.loads(raw[8 : 8 + size].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: header is not valid UTF-8 JSON ({error})") from None
    if not isinstance(header, dict):
        raise ValueError(f"{path}: header must be a JSON object")
    metadata = header.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise ValueError(f"{path}: __metadata__ must be an object of strings")
    data = memoryview(raw)[8 + size :]
    entries = {name: _entry(path, name, e, len(data)) for name, e in header.items()}
    cursor = 0
    for name, (_, _, begin, end) in sorted(entries.items(), key=lambda kv: kv[1][2:]):
        if begin != cursor:
            problem = "overlaps the previous tensor" if begin < cursor else "leaves a gap"
            raise ValueError(f"{path}: tensor {name!r} at byte {begin} {problem}")
        cursor = end
    if cursor != len(data):
        raise ValueError(
            f"{path}: tensors cover {cursor} data bytes but the file holds {len(data)}"
        )
    tensors = {}
    for name, (code, shape, begin, end) in entries.items():
        dtype = SAFETENSORS_DTYPES[code]
        array = np.frombuffer(data[begin:end], dtype=dtype).reshape(shape)
        tensors[name] = array.astype(dtype.newbyteorder("="), copy=True)
    return tensors, dict(metadata)


def save_model(
    model: TinyDecoder, path: str | os.PathLike[str], *, dtype: str | None = None
) -> Path:
    """Write ``model``'s weights and Hugging Face config to one safetensors file.

    Parameters
    ----------
    model : TinyDecoder
    path : str or path-like
    dtype : {"float16", "float32", "float64"}, optional
        Storage dtype; default the model's own.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> c = TinyConfig(vocab_size=20, d_model=8, layers=1, heads=2, kv_heads=1, d_ff=8,
    ...                context=8)
    >>> model = TinyDecoder.random(c, seed=0)
    >>> path = save_model(model, pathlib.Path(tempfile.mkdtemp()) / "tiny.safetensors")
    >>> bool(np.array_equal(load_model(path).logits([1, 2]), model.logits([1, 2])))
    True
    """
    model = check_instance("model", model, TinyDecoder)
    tensors = model.state_dict()
    if dtype is not None:
        if str(dtype) not in ("float16", "float32", "float64"):
            raise ValueError(f"dtype must be float16, float32 or float64, got {dtype!r}")
        tensors = {name: array.astype(dtype) for name, array in tensors.items()}
    metadata = {
        "format": "pt",
        "producer": "llmhistory",
        "config": json.dumps(model.config.to_hf_dict(), sort_keys=True),
    }
    return save_safetensors(path, tensors, metadata)


def load_model(path: str | os.PathLike[str]) -> TinyDecoder:
    """Return the :class:`TinyDecoder` stored at ``path`` by :func:`save_model`.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is corrupt or truncated, lacks the ``config`` metadata, or a tensor is
        missing, unexpected, mis-shaped or of the wrong dtype (the message names it).
    """
    path = Path(path)
    tensors, metadata = load_safetensors(path)
    if "config" not in metadata:
        raise ValueError(f"{path}: __metadata__ has no 'config' (Hugging Face config JSON)")
    try:
        config = TinyConfig.from_hf_dict(json.loads(metadata["config"]))
        return TinyDecoder(config, tensors)
    except (ValueError, TypeError) as error:  # JSONDecodeError is a ValueError
        raise ValueError(f"{path}: {error}") from None
