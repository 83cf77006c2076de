"""The tiny model's weights: Hugging Face names and config, their checks, the safetensors format.

* :func:`check_config` refuses a :class:`~llmhistory.concepts.models.ModelConfig` that asks for
  a feature the tiny model does not implement, naming it; :func:`to_hf_config` and
  :func:`from_hf_config` map a config to and from a Hugging Face ``config.json``;
* :func:`parameter_shapes` lists every tensor's Hugging Face name and shape, and
  :func:`check_state_dict` checks a mapping of tensors against it;
* :func:`save_safetensors` and :func:`load_safetensors` write and read the file format.

Saving and loading a whole model is :mod:`llmhistory.tiny.checkpoint`.

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
half-written file. Loading checks the header, the dtypes and the offsets, and says which tensor
is wrong.

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

from llmhistory._validate import check_choice, check_instance, check_str
from llmhistory.concepts.models import ModelConfig

__all__ = [
    "SAFETENSORS_DTYPES",
    "check_config",
    "check_state_dict",
    "from_hf_config",
    "load_safetensors",
    "parameter_shapes",
    "save_safetensors",
    "to_hf_config",
]


# -- the config: what the tiny model implements, and Hugging Face's config.json -------------

#: What the tiny model implements, as ``(field, allowed value, what it implements)``.
_IMPLEMENTED = (
    ("ffn", "swiglu", "it implements swiglu"),
    ("norm", "rmsnorm", "it implements rmsnorm"),
    ("learned_positions", False, "it implements rotary positions (rope_base)"),
    ("attention_bias", False, "its projections have no biases"),
    ("mlp_bias", False, "its feed-forward matrices have no biases"),
    ("sliding_window", None, "it implements full causal attention"),
    ("qkv_bias", False, "its projections have no biases"),
    ("kv_lora_rank", None, "it implements K/V heads, not multi-head latent attention"),
    ("shared_experts", 0, "its experts are all routed"),
    ("moe_d_ff", None, "its experts have width d_ff"),
    ("dense_layers", 0, "every block of an MoE model is MoE"),
    ("router_bias", False, "its router has no bias"),
)


def check_config(config: ModelConfig) -> ModelConfig:
    """Return ``config`` after checking the tiny model implements everything it asks for.

    The tiny model is Llama/Mixtral-shaped: SwiGLU, RMSNorm, rotary positions, no biases, full
    causal attention, an even ``head_dim``.

    Raises
    ------
    TypeError
        If ``config`` is not a :class:`~llmhistory.concepts.models.ModelConfig`.
    ValueError
        Naming the first feature the tiny model does not implement.

    Examples
    --------
    >>> from llmhistory.concepts.models import get_config
    >>> check_config(get_config("gpt2"))
    Traceback (most recent call last):
    ...
    ValueError: ModelConfig(ffn='gelu') is not supported by the tiny model: it implements swiglu
    >>> check_config(get_config("llama-3-8b")).name
    'llama-3-8b'
    """
    c = check_instance("config", config, ModelConfig)
    for field, allowed, implemented in _IMPLEMENTED:
        value = getattr(c, field)
        if value != allowed:
            raise ValueError(
                f"ModelConfig({field}={value!r}) is not supported by the tiny model: {implemented}"
            )
    if c.rope_base is None:
        raise ValueError(
            "ModelConfig(rope_base=None) is not supported by the tiny model: it implements "
            "rotary positions and needs their base"
        )
    if c.head_dim % 2:  # type: ignore[operator]
        raise ValueError(f"head_dim={c.head_dim} must be even for rotary positions")
    return c


def to_hf_config(config: ModelConfig) -> dict[str, object]:
    """Return the Hugging Face ``config.json`` fields (``LlamaConfig`` / ``MixtralConfig``).

    Raises
    ------
    TypeError, ValueError
        As :func:`check_config`.

    Examples
    --------
    >>> from llmhistory.tiny.model import tiny_config
    >>> c = tiny_config(vocab_size=10, d_model=8, layers=1, heads=2, kv_heads=1, d_ff=8,
    ...                 context=8, num_experts=4, experts_per_token=2)
    >>> to_hf_config(c)["model_type"], to_hf_config(c)["num_local_experts"]
    ('mixtral', 4)
    """
    c = check_config(config)
    hf: dict[str, object] = {
        "architectures": ["MixtralForCausalLM" if c.is_moe else "LlamaForCausalLM"],
        "model_type": "mixtral" if c.is_moe else "llama",
        "hidden_size": c.d_model,
        "intermediate_size": c.d_ff,
        "num_hidden_layers": c.layers,
        "num_attention_heads": c.heads,
        "num_key_value_heads": c.kv_heads,
        "head_dim": c.head_dim,
        "vocab_size": c.vocab_size,
        "max_position_embeddings": c.context,
        "rms_norm_eps": c.norm_eps,
        "rope_theta": c.rope_base,
        "tie_word_embeddings": c.tied_embeddings,
        "hidden_act": "silu",
        "attention_bias": False,
    }
    if c.is_moe:
        hf["num_local_experts"] = c.num_experts
        hf["num_experts_per_tok"] = c.experts_per_token
    else:
        hf["mlp_bias"] = False
    return hf


#: ``ModelConfig`` field -> Hugging Face key, for every config.json the tiny model reads.
_HF_KEYS = {
    "vocab_size": "vocab_size",
    "d_model": "hidden_size",
    "layers": "num_hidden_layers",
    "heads": "num_attention_heads",
    "kv_heads": "num_key_value_heads",
    "d_ff": "intermediate_size",
    "context": "max_position_embeddings",
    "tied_embeddings": "tie_word_embeddings",
    "rope_base": "rope_theta",
    "norm_eps": "rms_norm_eps",
}
#: Optional keys (absent means the default): ``ModelConfig`` field -> Hugging Face key.
_HF_OPTIONAL = {
    "head_dim": "head_dim",
    "attention_bias": "attention_bias",
    "mlp_bias": "mlp_bias",
    "sliding_window": "sliding_window",
}


def from_hf_config(hf: Mapping[str, object], name: str = "tiny") -> ModelConfig:
    """Return the :class:`~llmhistory.concepts.models.ModelConfig` of a Hugging Face config.

    Parameters
    ----------
    hf : mapping
        A ``config.json`` of ``model_type`` ``"llama"`` or ``"mixtral"``.
    name : str, default "tiny"
        The config's name (Hugging Face configs do not carry one).

    Raises
    ------
    TypeError
        If ``hf`` is not a mapping or a field has the wrong type.
    ValueError
        If a required field is missing, ``model_type`` is not llama/mixtral, a Mixtral has one
        expert, ``hidden_act`` is not silu, or a feature is unsupported (:func:`check_config`).

    Examples
    --------
    >>> from llmhistory.tiny.model import tiny_config
    >>> c = tiny_config(vocab_size=10, d_model=8, layers=1, heads=2, kv_heads=1, d_ff=8,
    ...                 context=8)
    >>> from_hf_config(to_hf_config(c)) == c
    True
    """
    if not isinstance(hf, Mapping):
        raise TypeError(f"hf must be a mapping, got {type(hf).__name__}")
    model_type = check_choice("model_type", hf.get("model_type"), ("llama", "mixtral"))
    keys = dict(_HF_KEYS)
    if model_type == "mixtral":
        keys.update(num_experts="num_local_experts", experts_per_token="num_experts_per_tok")
    missing = [hf_key for hf_key in keys.values() if hf_key not in hf]
    if missing:
        raise ValueError(f"config is missing the field(s) {', '.join(missing)}")
    if model_type == "mixtral" and hf["num_local_experts"] == 1:
        raise ValueError("num_local_experts=1: a one-expert mixtral is a llama (store it so)")
    if hf.get("hidden_act", "silu") != "silu":
        raise ValueError(
            f"hidden_act={hf['hidden_act']!r} is not supported by the tiny model: it implements "
            "swiglu (silu)"
        )
    values = {field: hf[hf_key] for field, hf_key in keys.items()}
    values.update({field: hf[key] for field, key in _HF_OPTIONAL.items() if key in hf})
    return check_config(ModelConfig(name=name, **values))  # type: ignore[arg-type]


# -- the tensors: Hugging Face names, shapes and checks -------------------------------------


def parameter_shapes(config: ModelConfig) -> dict[str, tuple[int, ...]]:
    """Return every weight's Hugging Face name and shape (``[out, in]`` for projections).

    Raises
    ------
    TypeError, ValueError
        As :func:`check_config`.

    Examples
    --------
    >>> from llmhistory.tiny.model import tiny_config
    >>> c = tiny_config(vocab_size=10, d_model=8, layers=1, heads=2, kv_heads=1, d_ff=6,
    ...                 context=8)
    >>> parameter_shapes(c)["model.layers.0.self_attn.k_proj.weight"]
    (4, 8)
    """
    c = check_config(config)
    d, q_width, kv_width = c.d_model, c.heads * c.head_dim, c.kv_heads * c.head_dim
    shapes: dict[str, tuple[int, ...]] = {"model.embed_tokens.weight": (c.vocab_size, d)}
    for i in range(c.layers):
        p = f"model.layers.{i}."
        shapes[p + "input_layernorm.weight"] = (d,)
        shapes[p + "self_attn.q_proj.weight"] = (q_width, d)
        shapes[p + "self_attn.k_proj.weight"] = (kv_width, d)
        shapes[p + "self_attn.v_proj.weight"] = (kv_width, d)
        shapes[p + "self_attn.o_proj.weight"] = (d, q_width)
        shapes[p + "post_attention_layernorm.weight"] = (d,)
        if c.is_moe:
            shapes[p + "block_sparse_moe.gate.weight"] = (c.num_experts, d)
            for j in range(c.num_experts):
                e = f"{p}block_sparse_moe.experts.{j}."
                shapes[e + "w1.weight"] = (c.d_ff, d)  # gate
                shapes[e + "w2.weight"] = (d, c.d_ff)  # down
                shapes[e + "w3.weight"] = (c.d_ff, d)  # up
        else:
            shapes[p + "mlp.gate_proj.weight"] = (c.d_ff, d)
            shapes[p + "mlp.up_proj.weight"] = (c.d_ff, d)
            shapes[p + "mlp.down_proj.weight"] = (d, c.d_ff)
    shapes["model.norm.weight"] = (d,)
    if not c.tied_embeddings:
        shapes["lm_head.weight"] = (c.vocab_size, d)
    return shapes


def check_state_dict(config: ModelConfig, tensors: Mapping[str, object]) -> dict[str, np.ndarray]:
    """Return ``tensors`` as read-only arrays after checking every name, dtype and shape.

    All tensors must be floating point (float16, float32 or float64) of one common dtype;
    float16 is widened to float32 for computation.

    Raises
    ------
    TypeError
        If ``config`` is not a ModelConfig or ``tensors`` not a mapping of arrays.
    ValueError
        If the config asks for a feature the tiny model lacks (:func:`check_config`); or naming
        the tensor that is missing, unexpected, mis-shaped, of the wrong dtype or
        not finite.

    Examples
    --------
    >>> from llmhistory.tiny.model import TinyDecoder, tiny_config
    >>> c = tiny_config(vocab_size=10, d_model=8, layers=1, heads=2, kv_heads=1, d_ff=6,
    ...                 context=8)
    >>> weights = TinyDecoder.random(c).state_dict()
    >>> del weights["model.norm.weight"]
    >>> check_state_dict(c, weights)
    Traceback (most recent call last):
    ...
    ValueError: missing tensor 'model.norm.weight' (expected shape (8,))
    """
    expected = parameter_shapes(config)
    if not isinstance(tensors, Mapping):
        raise TypeError(f"tensors must be a mapping of name to array, got {type(tensors)}")
    for name, shape in expected.items():
        if name not in tensors:
            raise ValueError(f"missing tensor {name!r} (expected shape {shape})")
    for name in tensors:
        if name not in expected:
            raise ValueError(f"unexpected tensor {name!r} for this config")
    checked: dict[str, np.ndarray] = {}
    common: np.dtype | None = None
    for name, shape in expected.items():
        array = np.asarray(tensors[name])
        if array.dtype not in (np.float16, np.float32, np.float64):
            raise ValueError(f"tensor {name!r} has dtype {array.dtype}; expected a float dtype")
        if common is None:
            common = array.dtype
        elif array.dtype != common:
            raise ValueError(f"tensor {name!r} has dtype {array.dtype}, the others {common}")
        if array.shape != shape:
            raise ValueError(f"tensor {name!r} has shape {array.shape}, expected {shape}")
        if not np.isfinite(array).all():
            raise ValueError(f"tensor {name!r} holds NaN or infinite values")
        array = np.array(array, dtype=np.float32 if array.dtype == np.float16 else array.dtype)
        array.setflags(write=False)
        checked[name] = array
    return checked


# -- the safetensors format -----------------------------------------------------------------


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
