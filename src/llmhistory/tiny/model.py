"""A tiny Llama-style decoder-only Transformer in NumPy, with a KV cache and a shipped checkpoint.

The model is the architecture of Llama (Touvron et al. 2023) and, with ``moe=True``, of Mixtral
(Jiang et al. 2024), at toy size:

    token ids -> embedding -> layers x [ x + attention(rms_norm(x)) ; x + ffn(rms_norm(x)) ]
              -> rms_norm -> output head -> logits

* attention is causal self-attention with rotary positions
(:func:`llmhistory.concepts.rope.apply_rope`)
  and grouped-query heads: ``kv_heads`` Key/Value heads are shared by ``heads`` query heads
  (``kv_heads == heads`` is multi-head attention, ``kv_heads == 1`` multi-query attention);
* ffn is a SwiGLU network ``down(silu(gate(x)) * up(x))``, or a mixture of such experts with a
  top-k router (:func:`llmhistory.concepts.moe.route_top_k`);
* the output head is the embedding matrix itself when ``tied_embeddings`` is set.

Weights are kept under their Hugging Face names and in ``nn.Linear`` layout ``[out, in]`` (see
:mod:`llmhistory.tiny.weights`). :meth:`TinyDecoder.logits` runs the whole sequence at once;
:meth:`TinyDecoder.forward_step` runs only new tokens and reads earlier Keys and Values from a
:class:`KVCache`. Both give the same logits. :meth:`TinyDecoder.attention_weights` returns the
softmax weights of every layer and head, collected from the same forward pass.

:func:`load_tiny` returns the checkpoint trained by ``scripts/train_tiny.py`` on the synthetic
support corpus of :mod:`llmhistory.tiny.corpus`, with its tokenizer.

>>> config = TinyConfig(vocab_size=300, d_model=16, layers=2, heads=4, kv_heads=2, d_ff=32,
...                     context=64)
>>> model = TinyDecoder.random(config, seed=0)
>>> model.logits([1, 2, 3]).shape
(3, 300)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

from llmhistory._validate import (
    as_int_array,
    check_bool,
    check_choice,
    check_instance,
    check_int,
    check_positive_float,
    check_positive_int,
)
from llmhistory.concepts.decoding import softmax
from llmhistory.concepts.kv_cache import kv_cache_bytes
from llmhistory.concepts.masks import additive_mask, causal_mask
from llmhistory.concepts.models import ModelConfig
from llmhistory.concepts.moe import route_top_k
from llmhistory.concepts.rope import apply_rope

if TYPE_CHECKING:  # pragma: no cover
    from llmhistory.tiny.tokenizer import BPETokenizer

__all__ = [
    "CHECKPOINT_FILE",
    "TOKENIZER_FILE",
    "KVCache",
    "TinyConfig",
    "TinyDecoder",
    "TraceStep",
    "attention",
    "check_state_dict",
    "load_tiny",
    "moe_swiglu",
    "parameter_shapes",
    "rms_norm",
    "scaled_scores",
    "silu",
    "swiglu",
]

#: File names of the shipped checkpoint and tokenizer inside ``llmhistory/tiny/data``.
CHECKPOINT_FILE = "tiny_decoder.safetensors"
TOKENIZER_FILE = "tiny_tokenizer.json"

_DTYPES = ("float32", "float64")


# -- configuration -------------------------------------------------------------------------


@dataclass(frozen=True)
class TinyConfig:
    """Sizes of a tiny Llama/Mixtral-style decoder; validated on creation.

    Attributes
    ----------
    vocab_size : int
        Token vocabulary (the tokenizer's ``vocab_size``).
    d_model : int
        Hidden width; ``heads`` must divide it.
    layers : int
        Transformer blocks.
    heads : int
        Query heads per layer.
    kv_heads : int
        Key/Value heads per layer; must divide ``heads`` (1 = MQA, ``heads`` = MHA).
    d_ff : int
        Inner width of the SwiGLU network (of each expert for MoE).
    context : int
        Maximum sequence length in tokens (``max_position_embeddings``).
    moe : bool, default False
        Use a mixture of ``num_experts`` SwiGLU experts with a top-k router.
    num_experts : int, default 1
        Experts per layer; must be 1 unless ``moe``.
    experts_per_token : int, default 1
        Experts each token is routed to, ``1..num_experts``.
    tied_embeddings : bool, default True
        The output head reuses the embedding matrix (no ``lm_head.weight``).
    rope_base : float, default 10000.0
        RoPE base (``rope_theta``).
    norm_eps : float, default 1e-5
        RMSNorm epsilon (``rms_norm_eps``).

    Raises
    ------
    TypeError
        If a field has the wrong type.
    ValueError
        If a size is < 1, ``heads`` does not divide ``d_model``, ``kv_heads`` does not divide
        ``heads``, ``head_dim`` is odd, or the expert counts are inconsistent.

    Examples
    --------
    >>> config = TinyConfig(vocab_size=448, d_model=96, layers=3, heads=4, kv_heads=2,
    ...                     d_ff=256, context=384)
    >>> config.head_dim, config.to_hf_dict()["num_key_value_heads"]
    (24, 2)
    >>> TinyConfig(vocab_size=10, d_model=8, layers=1, heads=4, kv_heads=3, d_ff=8, context=8)
    Traceback (most recent call last):
    ...
    ValueError: kv_heads=3 must divide heads=4
    """

    vocab_size: int
    d_model: int
    layers: int
    heads: int
    kv_heads: int
    d_ff: int
    context: int
    moe: bool = False
    num_experts: int = 1
    experts_per_token: int = 1
    tied_embeddings: bool = True
    rope_base: float = 10000.0
    norm_eps: float = 1e-5

    def __post_init__(self) -> None:
        names = ("vocab_size", "d_model", "layers", "heads", "kv_heads", "d_ff", "context")
        for name in names + ("num_experts", "experts_per_token"):
            object.__setattr__(self, name, check_positive_int(name, getattr(self, name)))
        for name in ("moe", "tied_embeddings"):
            object.__setattr__(self, name, check_bool(name, getattr(self, name)))
        object.__setattr__(self, "rope_base", check_positive_float("rope_base", self.rope_base))
        object.__setattr__(self, "norm_eps", check_positive_float("norm_eps", self.norm_eps))
        if self.d_model % self.heads:
            raise ValueError(f"heads={self.heads} must divide d_model={self.d_model}")
        if self.heads % self.kv_heads:
            raise ValueError(f"kv_heads={self.kv_heads} must divide heads={self.heads}")
        if self.head_dim % 2:
            raise ValueError(f"head_dim=d_model/heads={self.head_dim} must be even for RoPE")
        if not self.moe and self.num_experts != 1:
            raise ValueError(f"num_experts={self.num_experts} needs moe=True (dense uses 1)")
        if self.experts_per_token > self.num_experts:
            raise ValueError(
                f"experts_per_token={self.experts_per_token} must be <= "
                f"num_experts={self.num_experts}"
            )

    @property
    def head_dim(self) -> int:
        """Width of one head, ``d_model // heads``."""
        return self.d_model // self.heads

    def to_hf_dict(self) -> dict[str, object]:
        """Return the Hugging Face ``config.json`` fields (``LlamaConfig`` / ``MixtralConfig``).

        Examples
        --------
        >>> TinyConfig(vocab_size=10, d_model=8, layers=1, heads=2, kv_heads=1, d_ff=8,
        ...            context=8, moe=True, num_experts=4, experts_per_token=2
        ...            ).to_hf_dict()["model_type"]
        'mixtral'
        """
        hf: dict[str, object] = {
            "architectures": ["MixtralForCausalLM" if self.moe else "LlamaForCausalLM"],
            "model_type": "mixtral" if self.moe else "llama",
            "hidden_size": self.d_model,
            "intermediate_size": self.d_ff,
            "num_hidden_layers": self.layers,
            "num_attention_heads": self.heads,
            "num_key_value_heads": self.kv_heads,
            "head_dim": self.head_dim,
            "vocab_size": self.vocab_size,
            "max_position_embeddings": self.context,
            "rms_norm_eps": self.norm_eps,
            "rope_theta": self.rope_base,
            "tie_word_embeddings": self.tied_embeddings,
            "hidden_act": "silu",
            "attention_bias": False,
        }
        if self.moe:
            hf["num_local_experts"] = self.num_experts
            hf["num_experts_per_tok"] = self.experts_per_token
        else:
            hf["mlp_bias"] = False
        return hf

    @classmethod
    def from_hf_dict(cls, hf: Mapping[str, object]) -> TinyConfig:
        """Return the config described by a Hugging Face ``config.json`` mapping.

        Raises
        ------
        ValueError
            If a required field is missing or ``model_type`` is not llama/mixtral.

        Examples
        --------
        >>> c = TinyConfig(vocab_size=10, d_model=8, layers=1, heads=2, kv_heads=1, d_ff=8,
        ...                context=8)
        >>> TinyConfig.from_hf_dict(c.to_hf_dict()) == c
        True
        """
        if not isinstance(hf, Mapping):
            raise TypeError(f"hf must be a mapping, got {type(hf).__name__}")
        model_type = check_choice("model_type", hf.get("model_type"), ("llama", "mixtral"))
        keys = {
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
        if model_type == "mixtral":
            keys.update(num_experts="num_local_experts", experts_per_token="num_experts_per_tok")
        missing = [hf_key for hf_key in keys.values() if hf_key not in hf]
        if missing:
            raise ValueError(f"config is missing the field(s) {', '.join(missing)}")
        values = {name: hf[hf_key] for name, hf_key in keys.items()}
        return cls(moe=model_type == "mixtral", **values)  # type: ignore[arg-type]

    def to_model_config(self, name: str = "tiny") -> ModelConfig:
        """Return the equivalent :class:`llmhistory.concepts.models.ModelConfig` (for parameter
        counts).

        Examples
        --------
        >>> from llmhistory.concepts.models import count_parameters
        >>> c = TinyConfig(vocab_size=10, d_model=8, layers=1, heads=2, kv_heads=1, d_ff=8,
        ...                context=8)
        >>> count_parameters(c.to_model_config()).total
        488
        """
        return ModelConfig(
            name=name,
            d_model=self.d_model,
            layers=self.layers,
            heads=self.heads,
            kv_heads=self.kv_heads,
            d_ff=self.d_ff,
            vocab_size=self.vocab_size,
            context=self.context,
            ffn="swiglu",
            norm="rmsnorm",
            tied_embeddings=self.tied_embeddings,
            num_experts=self.num_experts,
            experts_per_token=self.experts_per_token,
            rope_base=self.rope_base,
        )


def parameter_shapes(config: TinyConfig) -> dict[str, tuple[int, ...]]:
    """Return every weight's Hugging Face name and shape (``[out, in]`` for projections).

    Examples
    --------
    >>> c = TinyConfig(vocab_size=10, d_model=8, layers=1, heads=2, kv_heads=1, d_ff=6,
    ...                context=8)
    >>> parameter_shapes(c)["model.layers.0.self_attn.k_proj.weight"]
    (4, 8)
    """
    c = check_instance("config", config, TinyConfig)
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
        if c.moe:
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


def check_state_dict(config: TinyConfig, tensors: Mapping[str, object]) -> dict[str, np.ndarray]:
    """Return ``tensors`` as read-only arrays after checking every name, dtype and shape.

    All tensors must be floating point (float16, float32 or float64) of one common dtype;
    float16 is widened to float32 for computation.

    Raises
    ------
    TypeError
        If ``tensors`` is not a mapping of arrays.
    ValueError
        Naming the tensor that is missing, unexpected, mis-shaped, of the wrong dtype or
        not finite.

    Examples
    --------
    >>> c = TinyConfig(vocab_size=10, d_model=8, layers=1, heads=2, kv_heads=1, d_ff=6,
    ...                context=8)
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


# -- the building blocks -------------------------------------------------------------------


def rms_norm(x: np.ndarray, weight: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Return ``x / sqrt(mean(x**2) + eps) * weight`` over the last axis (RMSNorm).

    ``[..., d_model], [d_model] -> [..., d_model]``

    >>> rms_norm(np.array([[3.0, 4.0]]), np.ones(2), eps=0.0).round(4)
    array([[0.8485, 1.1314]])
    """
    mean_square = (x * x).sum(axis=-1, keepdims=True) / x.shape[-1]  # [..., 1]
    return x / np.sqrt(mean_square + eps) * weight


def silu(x: np.ndarray) -> np.ndarray:
    """Return ``x * sigmoid(x)`` elementwise (the Swish / SiLU activation).

    >>> silu(np.array([0.0, 1.0])).round(4)
    array([0.    , 0.7311])
    """
    with np.errstate(over="ignore"):  # exp(-x) -> inf for very negative x gives exactly 0
        return x / (1.0 + np.exp(-x))


def swiglu(x: np.ndarray, gate: np.ndarray, up: np.ndarray, down: np.ndarray) -> np.ndarray:
    """Return the SwiGLU network ``down(silu(gate(x)) * up(x))``; weights in ``[out, in]`` layout.

    ``[tokens, d_model], [d_ff, d_model], [d_ff, d_model], [d_model, d_ff] -> [tokens, d_model]``

    >>> x, w = np.ones((1, 2)), np.ones((3, 2))
    >>> swiglu(x, w, w, np.ones((2, 3))).round(3)
    array([[10.57, 10.57]])
    """
    return (silu(x @ gate.T) * (x @ up.T)) @ down.T


def moe_swiglu(
    x: np.ndarray,
    router: np.ndarray,
    experts: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]],
    k: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the mixture-of-experts output and the routing: ``sum_j weight_j * expert_j(x)``.

    Each token goes to its ``k`` highest-scoring experts
    (:func:`llmhistory.concepts.moe.route_top_k`,
    Mixtral's softmax over the selected router logits).

    ``[tokens, d_model], [num_experts, d_model], num_experts x (gate, up, down) ->
    ([tokens, d_model], experts [tokens, k], weights [tokens, k])``

    >>> x, w = np.ones((2, 2)), np.ones((3, 2))
    >>> out, chosen, weights = moe_swiglu(x, np.ones((1, 2)), [(w, w, np.ones((2, 3)))], k=1)
    >>> np.allclose(out, swiglu(x, w, w, np.ones((2, 3)))), weights.tolist()
    (True, [[1.0], [1.0]])
    """
    chosen, weights = route_top_k(x @ router.T, k)  # [tokens, k] each
    out = np.zeros_like(x)  # [tokens, d_model]
    for e, (gate, up, down) in enumerate(experts):
        rows, slots = np.nonzero(chosen == e)  # tokens routed to expert e
        if rows.size:
            mix = weights[rows, slots, None].astype(x.dtype)  # [routed, 1]
            out[rows] += mix * swiglu(x[rows], gate, up, down)
    return out, chosen, weights


def scaled_scores(q: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Return attention scores ``q . k / sqrt(head_dim)``, each K/V head shared by a group.

    Query head ``h`` reads Key head ``h // (heads // kv_heads)``, which equals repeating every
    Key head ``heads // kv_heads`` times (Hugging Face's ``repeat_kv``) without the copy.

    ``[heads, n_q, head_dim], [kv_heads, n_k, head_dim] -> [heads, n_q, n_k]``

    >>> scaled_scores(np.ones((2, 1, 4)), np.ones((1, 3, 4))).shape
    (2, 1, 3)
    """
    heads, n_q, head_dim = q.shape
    kv_heads = k.shape[0]
    grouped = q.reshape(kv_heads, heads // kv_heads, n_q, head_dim)  # [kv, group, n_q, hd]
    scores = grouped @ k[:, None].swapaxes(-1, -2)  # [kv, group, n_q, n_k]
    return scores.reshape(heads, n_q, -1) / math.sqrt(head_dim)  # [heads, n_q, n_k]


def attention(
    q: np.ndarray,
    k: np.ndarray,
    v: np.ndarray,
    mask: np.ndarray | None = None,
    *,
    return_weights: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Return grouped-query attention ``softmax(q k^T / sqrt(head_dim) + mask) v``.

    ``[heads, n_q, hd], [kv_heads, n_k, hd], [kv_heads, n_k, hd], [n_q, n_k] -> [heads, n_q, hd]``

    ``mask`` is additive (0 where allowed, ``-inf`` where blocked, see
    :func:`llmhistory.concepts.masks.additive_mask`); ``None`` lets every query see every key. With
    ``return_weights=True`` the attention weights come back too, as ``(out, weights)``:
    ``weights`` is the float64 softmax ``[heads, n_q, n_k]`` (rows sum to 1), which ``out``
    applies to ``v`` in ``q``'s dtype.

    >>> q, k = np.zeros((2, 2, 4)), np.zeros((1, 2, 4))
    >>> v = np.arange(8.0).reshape(1, 2, 4)
    >>> attention(q, k, v, additive_mask(causal_mask(2)))[0].tolist()  # row 0 sees key 0 only
    [[0.0, 1.0, 2.0, 3.0], [2.0, 3.0, 4.0, 5.0]]
    >>> attention(q, k, v, return_weights=True)[1][0].tolist()  # equal scores: uniform rows
    [[0.5, 0.5], [0.5, 0.5]]
    """
    heads, n_q, head_dim = q.shape
    kv_heads = k.shape[0]
    scores = scaled_scores(q, k)  # [heads, n_q, n_k]
    if mask is not None:
        scores = scores + mask
    weights = softmax(scores, axis=-1)  # [heads, n_q, n_k], float64
    grouped = weights.astype(q.dtype, copy=False).reshape(kv_heads, heads // kv_heads, n_q, -1)
    out = (grouped @ v[:, None]).reshape(heads, n_q, head_dim)  # [heads, n_q, hd]
    if return_weights:
        return out, weights
    return out


# -- records -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TraceStep:
    """One stage of a forward pass and the shape of the array it produced.

    Attributes
    ----------
    name : str
        E.g. ``"embedding"``, ``"layers.0.q"``, ``"logits"``.
    shape : tuple of int
    """

    name: str
    shape: tuple[int, ...]


class KVCache:
    """Preallocated Keys and Values of one sequence, for every layer.

    The storage has shape ``(layers, 2, batch=1, kv_heads, capacity, head_dim)``; the first
    ``tokens`` positions are filled. :meth:`TinyDecoder.forward_step` writes into it in place.

    Parameters
    ----------
    config : TinyConfig
        The model the cache belongs to.
    capacity : int, optional
        Positions to allocate, ``1..config.context``; default ``config.context``.
    dtype : {"float32", "float64"}, default "float32"
        The model's compute dtype.

    Attributes
    ----------
    tokens : int
        Positions filled so far.

    Examples
    --------
    >>> c = TinyConfig(vocab_size=10, d_model=16, layers=4, heads=4, kv_heads=2, d_ff=8,
    ...                context=32)
    >>> cache = KVCache(c)
    >>> cache.shape, cache.nbytes
    ((4, 2, 1, 2, 0, 4), 0)
    """

    def __init__(
        self, config: TinyConfig, *, capacity: int | None = None, dtype: str = "float32"
    ) -> None:
        self.config = check_instance("config", config, TinyConfig)
        capacity = config.context if capacity is None else check_positive_int("capacity", capacity)
        if capacity > config.context:
            raise ValueError(f"capacity={capacity} must be <= context={config.context}")
        self.dtype = np.dtype(check_choice("dtype", str(np.dtype(dtype)), _DTYPES))
        c = config
        self._data = np.zeros((c.layers, 2, 1, c.kv_heads, capacity, c.head_dim), self.dtype)
        self.tokens = 0

    def __repr__(self) -> str:
        return f"KVCache(shape={self.shape}, capacity={self.capacity}, dtype={self.dtype})"

    @property
    def capacity(self) -> int:
        """Positions allocated."""
        return self._data.shape[4]

    @property
    def shape(self) -> tuple[int, ...]:
        """``(layers, 2, 1, kv_heads, tokens, head_dim)`` of the filled part."""
        c = self.config
        return (c.layers, 2, 1, c.kv_heads, self.tokens, c.head_dim)

    @property
    def nbytes(self) -> int:
        """Bytes of the filled part: :func:`llmhistory.concepts.kv_cache.kv_cache_bytes` for its
        dtype."""
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
        return self._view(layer, 0)

    def values(self, layer: int) -> np.ndarray:
        """Return a read-only view of layer ``layer``'s Values, ``[kv_heads, tokens, head_dim]``."""
        return self._view(layer, 1)

    def _view(self, layer: object, kv: int) -> np.ndarray:
        """Return the filled Keys (``kv=0``) or Values (``kv=1``) of ``layer``, read-only."""
        layer = check_int("layer", layer, minimum=0)
        if layer >= self.config.layers:
            raise ValueError(f"layer={layer} must be < layers={self.config.layers}")
        view = self._data[layer, kv, 0, :, : self.tokens]  # [kv_heads, tokens, head_dim]
        view.flags.writeable = False
        return view

    def copy(self) -> KVCache:
        """Return an independent copy (to branch a generation)."""
        twin = KVCache(self.config, capacity=self.capacity, dtype=str(self.dtype))
        twin._data[...] = self._data
        twin.tokens = self.tokens
        return twin

    def _store(self, layer: int, start: int, k: np.ndarray, v: np.ndarray) -> tuple:
        """Write ``k, v`` ([kv_heads, new, hd]) at ``start``; return views up to the new end."""
        end = start + k.shape[1]
        self._data[layer, 0, 0, :, start:end] = k
        self._data[layer, 1, 0, :, start:end] = v
        return self._data[layer, 0, 0, :, :end], self._data[layer, 1, 0, :, :end]


@dataclass(frozen=True)
class _Layer:
    """The arrays of one block, arranged for the forward pass."""

    attn_norm: np.ndarray  # [d_model]
    w_qkv: np.ndarray  # [(heads + 2 kv_heads) * head_dim, d_model]: q, k, v rows stacked
    w_o: np.ndarray  # [d_model, heads * head_dim]
    ffn_norm: np.ndarray  # [d_model]
    mlp: tuple[np.ndarray, np.ndarray, np.ndarray] | None  # gate, up, down (dense)
    router: np.ndarray | None  # [num_experts, d_model] (MoE)
    experts: tuple[tuple[np.ndarray, np.ndarray, np.ndarray], ...]  # (gate=w1, up=w3, down=w2)


# -- the model -----------------------------------------------------------------------------


class TinyDecoder:
    """A Llama/Mixtral-style decoder-only Transformer computed with NumPy.

    Parameters
    ----------
    config : TinyConfig
    state_dict : mapping of str to array
        Weights under Hugging Face names (see :func:`parameter_shapes`); checked by
        :func:`check_state_dict`. The model computes in their dtype (float16 is widened to
        float32).

    Examples
    --------
    >>> c = TinyConfig(vocab_size=50, d_model=16, layers=1, heads=4, kv_heads=1, d_ff=32,
    ...                context=16)
    >>> model = TinyDecoder.random(c, seed=1)
    >>> logits, cache = model.forward_step([5, 6, 7])
    >>> logits.shape, cache.shape
    ((3, 50), (1, 2, 1, 1, 3, 4))
    """

    def __init__(self, config: TinyConfig, state_dict: Mapping[str, object]) -> None:
        self.config = check_instance("config", config, TinyConfig)
        self._params = check_state_dict(config, state_dict)
        self.dtype = next(iter(self._params.values())).dtype
        p = self._params
        self._embed = p["model.embed_tokens.weight"]  # [vocab_size, d_model]
        self._head = self._embed if config.tied_embeddings else p["lm_head.weight"]
        self._final_norm = p["model.norm.weight"]
        self._layers = tuple(self._layer(i) for i in range(config.layers))

    def _layer(self, i: int) -> _Layer:
        p, pre, c = self._params, f"model.layers.{i}.", self.config
        attn = [p[f"{pre}self_attn.{name}_proj.weight"] for name in ("q", "k", "v")]
        moe = f"{pre}block_sparse_moe."
        experts = tuple(
            tuple(p[f"{moe}experts.{j}.{w}.weight"] for w in ("w1", "w3", "w2"))
            for j in range(c.num_experts if c.moe else 0)
        )
        mlp = (
            None if c.moe else tuple(p[f"{pre}mlp.{n}_proj.weight"] for n in ("gate", "up", "down"))
        )
        return _Layer(
            attn_norm=p[pre + "input_layernorm.weight"],
            w_qkv=np.concatenate(attn, axis=0),
            w_o=p[pre + "self_attn.o_proj.weight"],
            ffn_norm=p[pre + "post_attention_layernorm.weight"],
            mlp=mlp,  # type: ignore[arg-type]
            router=p[moe + "gate.weight"] if c.moe else None,
            experts=experts,  # type: ignore[arg-type]
        )

    @classmethod
    def random(
        cls, config: TinyConfig, *, seed: int = 0, std: float = 0.02, dtype: str = "float32"
    ) -> TinyDecoder:
        """Return a model with normal(0, ``std``) matrices and norm weights near 1, seeded.

        Examples
        --------
        >>> c = TinyConfig(vocab_size=10, d_model=8, layers=1, heads=2, kv_heads=2, d_ff=8,
        ...                context=8)
        >>> TinyDecoder.random(c, dtype="float64").dtype
        dtype('float64')
        """
        config = check_instance("config", config, TinyConfig)
        seed = check_int("seed", seed, minimum=0)
        std = check_positive_float("std", std)
        dtype = check_choice("dtype", str(np.dtype(dtype)), _DTYPES)
        rng = np.random.default_rng(seed)
        weights = {}
        for name, shape in parameter_shapes(config).items():
            if len(shape) == 1:  # a norm weight
                weights[name] = 1.0 + 0.1 * rng.standard_normal(shape)
            else:
                weights[name] = std * rng.standard_normal(shape)
        return cls(config, {n: w.astype(dtype) for n, w in weights.items()})

    def __repr__(self) -> str:
        return f"TinyDecoder({self.config}, dtype={self.dtype})"

    def state_dict(self) -> dict[str, np.ndarray]:
        """Return a copy of the weights under Hugging Face names, ``[out, in]`` layout."""
        return {name: array.copy() for name, array in self._params.items()}

    def num_parameters(self) -> int:
        """Return the number of stored parameters (the embedding counted once when tied)."""
        return sum(array.size for array in self._params.values())

    def new_cache(self, capacity: int | None = None) -> KVCache:
        """Return an empty :class:`KVCache` for this model (``capacity`` defaults to context)."""
        return KVCache(self.config, capacity=capacity, dtype=str(self.dtype))

    # -- checks ----------------------------------------------------------------------------
    def check_token_ids(
        self, token_ids: object, limit: int | None = None, what: str = ""
    ) -> np.ndarray:
        """Return ``token_ids`` as a 1-D int64 array after checking ids and length.

        ``limit`` defaults to the context; ``what`` explains the limit in the error message.

        >>> c = TinyConfig(vocab_size=5, d_model=4, layers=1, heads=1, kv_heads=1, d_ff=4,
        ...                context=4)
        >>> TinyDecoder.random(c).check_token_ids([7])
        Traceback (most recent call last):
        ...
        ValueError: token_ids holds id 7 outside the vocabulary 0..4
        """
        if limit is None:
            limit, what = self.config.context, f"context={self.config.context}"
        if isinstance(token_ids, (str, bytes)):
            raise TypeError("token_ids must be a sequence of ints, got a string (encode it)")
        ids = as_int_array("token_ids", token_ids, ndim=1)
        if ids.size == 0:
            raise ValueError("token_ids must hold at least one token id, got an empty sequence")
        if ids.min() < 0 or ids.max() >= self.config.vocab_size:
            bad = int(ids[(ids < 0) | (ids >= self.config.vocab_size)][0])
            raise ValueError(
                f"token_ids holds id {bad} outside the vocabulary 0..{self.config.vocab_size - 1}"
            )
        if ids.size > limit:
            raise ValueError(f"token_ids has {ids.size} tokens but {what}")
        return ids

    # -- forward passes --------------------------------------------------------------------
    def logits(
        self,
        token_ids: Sequence[int],
        *,
        causal: bool = True,
        position_offset: int = 0,
        return_trace: bool = False,
    ) -> np.ndarray | tuple[np.ndarray, tuple[TraceStep, ...]]:
        """Return the logits of every position for one sequence (the full forward pass).

        Parameters
        ----------
        token_ids : sequence of int, shape (tokens,)
            Ids in ``0..vocab_size-1``; ``1 <= tokens <= context - position_offset``.
        causal : bool, default True
            Causal mask; ``False`` lets every position see the whole sequence (an encoder,
            for comparison only).
        position_offset : int, default 0
            Position of the first token (RoPE makes the result independent of it).
        return_trace : bool, default False
            Also return the shape of every stage.

        Returns
        -------
        logits : numpy.ndarray, shape (tokens, vocab_size)
            Row ``t`` scores the token after position ``t``.
        trace : tuple of TraceStep
            Only with ``return_trace=True``.

        Raises
        ------
        TypeError
            If ``token_ids`` does not hold integers or a flag is not a bool.
        ValueError
            If ``token_ids`` is empty, holds an id outside the vocabulary, or is longer than
            the context.

        Examples
        --------
        >>> c = TinyConfig(vocab_size=20, d_model=8, layers=2, heads=2, kv_heads=1, d_ff=16,
        ...                context=8)
        >>> _, trace = TinyDecoder.random(c).logits([3, 1, 4], return_trace=True)
        >>> [(s.name, s.shape) for s in trace][:3]
        [('token_ids', (3,)), ('embedding', (3, 8)), ('layers.0.attn_norm', (3, 8))]
        """
        ids, causal, offset = self._check_sequence(token_ids, causal, position_offset)
        return_trace = check_bool("return_trace", return_trace)
        trace: list[TraceStep] | None = [] if return_trace else None
        logits = self._forward(ids, cache=None, start=offset, causal=causal, trace=trace)
        if trace is None:
            return logits
        return logits, tuple(trace)

    def attention_weights(
        self, token_ids: Sequence[int], *, causal: bool = True, position_offset: int = 0
    ) -> np.ndarray:
        """Return the attention weights of every layer and head for one sequence.

        They are the softmax rows the forward pass of :meth:`logits` multiplies the Values
        with (collected from the same code path, not recomputed): row ``i`` of head ``h`` in
        layer ``l`` says how much query position ``i`` reads from each key position. With the
        causal mask the weights above the diagonal are exactly 0; each query head uses its
        group's shared Key head (grouped-query attention).

        Parameters
        ----------
        token_ids : sequence of int, shape (tokens,)
            Ids in ``0..vocab_size-1``, usually ``tokenizer.encode(text, add_bos=True)``;
            ``1 <= tokens <= context - position_offset``.
        causal : bool, default True
            Causal mask; ``False`` lets every position see the whole sequence.
        position_offset : int, default 0
            Position of the first token (RoPE makes the weights independent of it).

        Returns
        -------
        numpy.ndarray, shape (layers, heads, tokens, tokens), float64
            Rows sum to 1.

        Raises
        ------
        TypeError
            If ``token_ids`` does not hold integers or ``causal`` is not a bool.
        ValueError
            If ``token_ids`` is empty, holds an id outside the vocabulary, or is longer than
            the context.

        Examples
        --------
        >>> c = TinyConfig(vocab_size=20, d_model=8, layers=2, heads=4, kv_heads=2, d_ff=16,
        ...                context=8)
        >>> weights = TinyDecoder.random(c).attention_weights([3, 1, 4])
        >>> weights.shape, weights[1, 0, 0].tolist()
        ((2, 4, 3, 3), [1.0, 0.0, 0.0])
        """
        ids, causal, offset = self._check_sequence(token_ids, causal, position_offset)
        weights: list[np.ndarray] = []
        self._forward(ids, cache=None, start=offset, causal=causal, trace=None, weights=weights)
        return np.stack(weights)  # [layers, heads, tokens, tokens]

    def _check_sequence(
        self, token_ids: object, causal: object, position_offset: object
    ) -> tuple[np.ndarray, bool, int]:
        """Return ``(ids, causal, offset)`` for a whole-sequence pass, checked against context."""
        causal = check_bool("causal", causal)
        offset = check_int("position_offset", position_offset, minimum=0)
        limit = self.config.context - offset
        if limit < 1:
            raise ValueError(f"position_offset={offset} must be < context={self.config.context}")
        what = f"the context allows {limit} (context={self.config.context}, offset={offset})"
        return self.check_token_ids(token_ids, limit, what), causal, offset

    def forward_step(
        self, token_ids: Sequence[int], cache: KVCache | None = None
    ) -> tuple[np.ndarray, KVCache]:
        """Return the logits of new tokens and the cache, extended with their Keys and Values.

        Only the new tokens are computed; earlier positions are read from ``cache``, which is
        updated in place and returned (a new one is made when ``cache`` is None).

        Parameters
        ----------
        token_ids : sequence of int, shape (new_tokens,)
            The next tokens (the prompt on the first call, then one token per step).
        cache : KVCache, optional
            From an earlier call on this model, or :meth:`new_cache`.

        Returns
        -------
        logits : numpy.ndarray, shape (new_tokens, vocab_size)
        cache : KVCache
            Now holding ``old tokens + new_tokens`` positions.

        Raises
        ------
        TypeError
            If ``cache`` is not a KVCache or ``token_ids`` not integers.
        ValueError
            If ``cache`` belongs to another config or dtype, the ids are empty or out of the
            vocabulary, or the cache would overflow its capacity.

        Examples
        --------
        >>> c = TinyConfig(vocab_size=20, d_model=8, layers=2, heads=2, kv_heads=1, d_ff=16,
        ...                context=8)
        >>> model = TinyDecoder.random(c, dtype="float64")
        >>> _, cache = model.forward_step([3, 1])
        >>> step, cache = model.forward_step([4], cache)
        >>> bool(np.allclose(step[-1], model.logits([3, 1, 4])[-1])), cache.shape[4]
        (True, 3)
        """
        if cache is None:
            cache = self.new_cache()
        cache = check_instance("cache", cache, KVCache)
        if cache.config != self.config:
            raise ValueError("cache was built for a different config than this model's")
        if cache.dtype != self.dtype:
            raise ValueError(f"cache has dtype {cache.dtype}, the model computes in {self.dtype}")
        room = cache.capacity - cache.tokens
        what = f"the cache holds {cache.tokens} of {cache.capacity} positions ({room} free)"
        ids = self.check_token_ids(token_ids, room, what)
        logits = self._forward(ids, cache=cache, start=cache.tokens, causal=True, trace=None)
        cache.tokens += ids.size
        return logits, cache

    def _forward(
        self,
        ids: np.ndarray,
        *,
        cache: KVCache | None,
        start: int,
        causal: bool,
        trace: list[TraceStep] | None,
        weights: list[np.ndarray] | None = None,
    ) -> np.ndarray:
        """Run the stack on ``ids`` at positions ``start..``; read/write ``cache`` if given.

        ``trace`` collects the stage shapes and ``weights`` each layer's attention weights
        ``[heads, tokens, keys]``, when given.
        """
        c, n = self.config, ids.size
        positions = np.arange(start, start + n)  # [tokens]
        end = start + n if cache is not None else n  # keys visible to the last query
        mask = None
        if causal and n > 1:
            mask = additive_mask(causal_mask(end)[end - n :]).astype(self.dtype)  # [n, end]
        x = self._embed[ids]  # [tokens, d_model]
        if trace is not None:
            trace += [TraceStep("token_ids", ids.shape), TraceStep("embedding", x.shape)]
        for i, layer in enumerate(self._layers):
            x = x + self._attention_block(i, layer, x, positions, mask, cache, trace, weights)
            x = x + self._ffn_block(i, layer, x, trace)
        x = rms_norm(x, self._final_norm, c.norm_eps)  # [tokens, d_model]
        logits = x @ self._head.T  # [tokens, vocab_size]
        if trace is not None:
            kv_shape = (c.layers, 2, 1, c.kv_heads, n, c.head_dim)
            trace += [
                TraceStep("final_norm", x.shape),
                TraceStep("logits", logits.shape),
                TraceStep("kv_cache", kv_shape),
            ]
        return logits

    def _attention_block(self, i, layer, x, positions, mask, cache, trace, weights) -> np.ndarray:
        """Return the attention sub-layer's output ``o_proj(attention(rope(q), rope(k), v))``."""
        c, n = self.config, x.shape[0]
        h = rms_norm(x, layer.attn_norm, c.norm_eps)  # [tokens, d_model]
        qkv = (h @ layer.w_qkv.T).reshape(n, c.heads + 2 * c.kv_heads, c.head_dim)
        qkv = qkv.transpose(1, 0, 2)  # [heads + 2 kv_heads, tokens, head_dim]
        rotated = apply_rope(qkv[: c.heads + c.kv_heads], positions, c.rope_base)
        rotated = rotated.astype(self.dtype, copy=False)  # [heads + kv_heads, tokens, hd]
        q, k = rotated[: c.heads], rotated[c.heads :]  # contiguous: fast batched matmuls
        v = np.ascontiguousarray(qkv[c.heads + c.kv_heads :])  # [kv_heads, tokens, head_dim]
        if cache is not None:
            k, v = cache._store(i, int(positions[0]), k, v)  # [kv_heads, end, head_dim]
        out, probs = attention(q, k, v, mask, return_weights=True)  # [heads, tokens, hd]
        if weights is not None:
            weights.append(probs)  # [heads, tokens, end]
        out = out.transpose(1, 0, 2).reshape(n, c.d_model) @ layer.w_o.T  # [tokens, d_model]
        if trace is not None:
            trace += [
                TraceStep(f"layers.{i}.attn_norm", h.shape),
                TraceStep(f"layers.{i}.q", q.shape),
                TraceStep(f"layers.{i}.k", k.shape),
                TraceStep(f"layers.{i}.v", v.shape),
                TraceStep(f"layers.{i}.scores", (c.heads, n, k.shape[1])),
                TraceStep(f"layers.{i}.attention", out.shape),
            ]
        return out

    def _ffn_block(self, i, layer, x, trace) -> np.ndarray:
        """Return the feed-forward sub-layer's output (SwiGLU or mixture of SwiGLU experts)."""
        h = rms_norm(x, layer.ffn_norm, self.config.norm_eps)  # [tokens, d_model]
        if layer.router is None:
            out = swiglu(h, *layer.mlp)  # [tokens, d_model]
        else:
            out, _, _ = moe_swiglu(h, layer.router, layer.experts, self.config.experts_per_token)
        if trace is not None:
            trace.append(TraceStep(f"layers.{i}.ffn_norm", h.shape))
            if layer.router is not None:
                routed = (x.shape[0], self.config.experts_per_token)
                trace.append(TraceStep(f"layers.{i}.router", routed))
            trace.append(TraceStep(f"layers.{i}.ffn", out.shape))
        return out


def load_tiny(dtype: str = "float32") -> tuple[TinyDecoder, BPETokenizer]:
    """Return the shipped ``(model, tokenizer)``, loaded once per ``dtype`` and cached.

    The checkpoint (``llmhistory/tiny/data/tiny_decoder.safetensors``) and tokenizer
    (``tiny_tokenizer.json``) are written by ``scripts/train_tiny.py``. The model's arrays are
    read-only, so the shared cached copy cannot be changed by accident.

    Parameters
    ----------
    dtype : {"float32", "float64"}, default "float32"
        The compute dtype. The weights are stored in float32; ``"float64"`` widens them, which
        makes logits agree across CPUs to ~1e-15 instead of ~1e-7 (float32 matrix products
        round differently with each CPU's SIMD kernels), so that printed probabilities do not
        depend on the machine. The book's chapter 1 uses it.

    Returns
    -------
    model : TinyDecoder
    tokenizer : llmhistory.tiny.tokenizer.BPETokenizer

    Raises
    ------
    FileNotFoundError
        If the data files are missing from the installed package.
    ValueError
        If the checkpoint is invalid or does not match the tokenizer.

    Examples
    --------
    >>> model, tokenizer = load_tiny()
    >>> model.config.vocab_size == tokenizer.vocab_size
    True
    >>> load_tiny("float64")[0].dtype
    dtype('float64')
    """
    return _load_tiny(check_choice("dtype", str(dtype), _DTYPES))


@functools.lru_cache(maxsize=2)
def _load_tiny(dtype: str) -> tuple[TinyDecoder, BPETokenizer]:
    from llmhistory.tiny.tokenizer import BPETokenizer
    from llmhistory.tiny.weights import load_model

    data = resources.files("llmhistory.tiny") / "data"
    paths = [data / CHECKPOINT_FILE, data / TOKENIZER_FILE]
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(
                f"{path} is missing; run scripts/train_tiny.py to create the shipped model"
            )
    with resources.as_file(paths[0]) as checkpoint:
        model = load_model(checkpoint)
    if model.dtype != np.dtype(dtype):
        widened = {name: w.astype(dtype) for name, w in model.state_dict().items()}
        model = TinyDecoder(model.config, widened)
    tokenizer = BPETokenizer.from_json(paths[1].read_text(encoding="utf-8"))
    if model.config.vocab_size != tokenizer.vocab_size:
        raise ValueError(
            f"checkpoint vocab_size={model.config.vocab_size} differs from the tokenizer's "
            f"{tokenizer.vocab_size}"
        )
    return model, tokenizer
