"""The tiny Llama-style decoder in NumPy, read top to bottom: kernels, blocks, forward pass, model.

The architecture is Llama's (Touvron et al. 2023) and, with ``num_experts > 1``, Mixtral's
(Jiang et al. 2024), at toy size::

    token ids -> embedding -> layers x [ x + attention(rms_norm(x)) ; x + ffn(rms_norm(x)) ]
              -> rms_norm -> output head (the embedding matrix when tied) -> logits

Attention is causal self-attention with rotary positions and grouped-query heads (``kv_heads``
Key/Value heads shared by ``heads`` query heads); the feed-forward network is SwiGLU, or a
mixture of SwiGLU experts with a top-k router. The sizes are a
:class:`~llmhistory.concepts.models.ModelConfig`, the same config as the published models;
:func:`~llmhistory.tiny.weights.check_config` refuses what this model does not implement.

The first half of the file is the forward path: small pure kernels with their shapes, the two
blocks and :func:`forward`. They do no checks and compute in the dtype of the weights (float32 or
float64); the public methods of :class:`TinyDecoder` check their arguments first. The pass is
also written to be fast (``python -m llmhistory.tiny.bench`` compares it with transformers'
``LlamaForCausalLM``): the weights are rearranged once into ``x @ W`` form, with the gate and up
projections side by side; causal attention runs in tiles of queries that skip the masked keys
(:func:`causal_attention`); the softmax works in place; and nothing leaves the weights' dtype. A
forward pass can be watched through one optional ``observer(name, array)``, called for every
stage (watching gathers copies of the attention tiles; a pass nobody watches makes none):

=====================================  ===============================================
name                                   array
=====================================  ===============================================
``token_ids``, ``embedding``           ``[tokens]``, ``[tokens, d_model]``
``layers.{i}.attn_norm``               ``[tokens, d_model]``
``layers.{i}.q``                       ``[heads, tokens, head_dim]`` (after RoPE)
``layers.{i}.k``, ``layers.{i}.v``     ``[kv_heads, keys, head_dim]`` (with the cached ones)
``layers.{i}.scores``                  ``[heads, tokens, keys]`` (scaled, masked)
``layers.{i}.weights``                 ``[heads, tokens, keys]`` (softmax of the scores)
``layers.{i}.attention``               ``[tokens, d_model]`` (after the output projection)
``layers.{i}.ffn_norm``                ``[tokens, d_model]``
``layers.{i}.router``                  ``[tokens, experts_per_token]`` chosen experts (MoE)
``layers.{i}.ffn``                     ``[tokens, d_model]``
``final_norm``, ``logits``             ``[tokens, d_model]``, ``[tokens, vocab_size]``
=====================================  ===============================================

Weights keep their Hugging Face names (:mod:`llmhistory.tiny.weights`); the shipped checkpoint
is :func:`~llmhistory.tiny.checkpoint.load_tiny`.

>>> model = TinyDecoder.random(tiny_config(vocab_size=300, d_model=16, layers=2, heads=4,
...                                        kv_heads=2, d_ff=32, context=64), seed=0)
>>> model.logits([1, 2, 3]).shape
(3, 300)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from llmhistory._validate import (
    as_int_array,
    check_bool,
    check_callable,
    check_choice,
    check_instance,
    check_int,
    check_positive_float,
)
from llmhistory.concepts.decoding import softmax_rows
from llmhistory.concepts.kv_cache import KVCache, kv_cache_shape
from llmhistory.concepts.models import ModelConfig
from llmhistory.concepts.moe import route_top_k_rows
from llmhistory.concepts.rope import rope_rotate, rope_tables
from llmhistory.tiny.weights import check_state_dict, parameter_shapes

__all__ = [
    "DTYPES",
    "QUERY_BLOCK",
    "Observer",
    "TinyDecoder",
    "TraceStep",
    "attention",
    "causal_attention",
    "causal_scores_mask",
    "forward",
    "fused_swiglu",
    "mix_values",
    "moe_swiglu",
    "rms_norm",
    "scaled_scores",
    "silu",
    "swiglu",
    "tiny_config",
]

#: The dtypes the model computes in.
DTYPES = ("float32", "float64")

#: ``observer(name, array)``: called with every stage of a forward pass (see the table above).
Observer = Callable[[str, np.ndarray], None]


# -- kernels: pure, unchecked, in the dtype of their inputs ---------------------------------


def rms_norm(x: np.ndarray, weight: np.ndarray, eps: float) -> np.ndarray:
    """Return ``x / sqrt(mean(x**2) + eps) * weight`` over the last axis (RMSNorm).

    ``[..., d_model], [d_model] -> [..., d_model]``

    >>> rms_norm(np.array([[3.0, 4.0]]), np.ones(2), eps=0.0).round(4)
    array([[0.8485, 1.1314]])
    """
    mean_square = (x * x).sum(axis=-1, keepdims=True) / x.shape[-1]  # [..., 1]
    return x / np.sqrt(mean_square + eps) * weight


def silu(x: np.ndarray) -> np.ndarray:
    """Return ``x * sigmoid(x) = x / (1 + exp(-x))`` elementwise (the Swish / SiLU activation).

    Computed in one new array, updated in place (the same arithmetic, fewer allocations).

    >>> silu(np.array([0.0, 1.0])).round(4)
    array([0.    , 0.7311])
    """
    denominator = np.negative(x)  # the one new array
    with np.errstate(over="ignore"):  # exp(-x) -> inf for very negative x gives exactly 0
        np.exp(denominator, out=denominator)
    denominator += 1.0
    return np.divide(x, denominator, out=denominator)


def swiglu(x: np.ndarray, gate: np.ndarray, up: np.ndarray, down: np.ndarray) -> np.ndarray:
    """Return the SwiGLU network ``down(silu(gate(x)) * up(x))``; weights ``[out, in]``.

    ``[tokens, d_model], [d_ff, d_model], [d_ff, d_model], [d_model, d_ff] -> [tokens, d_model]``

    >>> x, w = np.ones((1, 2)), np.ones((3, 2))
    >>> swiglu(x, w, w, np.ones((2, 3))).round(3)
    array([[10.57, 10.57]])
    """
    return (silu(x @ gate.T) * (x @ up.T)) @ down.T


def fused_swiglu(x: np.ndarray, gate_up: np.ndarray, down: np.ndarray) -> np.ndarray:
    """Return :func:`swiglu` with its two input projections in one matrix, laid out ``[in, out]``.

    ``gate_up`` is ``[gate; up]`` transposed, ``[d_model, 2 d_ff]``, and ``down`` is
    ``[d_ff, d_model]``: one matrix product gives both halves, and every product reads
    ``x @ W`` with ``W`` contiguous (the weights are rearranged once, when the model is built).

    ``[tokens, d_model], [d_model, 2 d_ff], [d_ff, d_model] -> [tokens, d_model]``

    >>> x, w = np.ones((1, 2)), np.ones((3, 2))
    >>> fused_swiglu(x, np.ones((2, 6)), np.ones((3, 2))).round(3)
    array([[10.57, 10.57]])
    """
    both = x @ gate_up  # [tokens, 2 d_ff]
    d_ff = gate_up.shape[1] // 2
    hidden = silu(both[:, :d_ff])  # [tokens, d_ff], a new array
    hidden *= both[:, d_ff:]
    return hidden @ down  # [tokens, d_model]


def moe_swiglu(
    x: np.ndarray,
    router: np.ndarray,
    experts: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]],
    k: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the mixture of SwiGLU experts ``sum_j weight_j * expert_j(x)`` and the choices.

    Each token goes to its ``k`` highest-scoring experts, weighted by a softmax over their
    router logits (Mixtral; :func:`llmhistory.concepts.moe.route_top_k`).

    ``[tokens, d_model], [num_experts, d_model], num_experts x (gate, up, down), k ->
    [tokens, d_model], chosen experts [tokens, k]``

    >>> x, w = np.ones((2, 2)), np.ones((3, 2))
    >>> out, chosen = moe_swiglu(x, np.ones((1, 2)), [(w, w, np.ones((2, 3)))], k=1)
    >>> bool(np.allclose(out, swiglu(x, w, w, np.ones((2, 3))))), chosen.tolist()
    (True, [[0], [0]])
    """
    chosen, weights = route_top_k_rows(x @ router.T, k)  # [tokens, k] each
    out = np.zeros_like(x)  # [tokens, d_model]
    for e, (gate, up, down) in enumerate(experts):
        rows, slots = np.nonzero(chosen == e)  # the tokens routed to expert e
        if rows.size:
            out[rows] += weights[rows, slots, None] * swiglu(x[rows], gate, up, down)
    return out, chosen


def scaled_scores(q: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Return attention scores ``(q / sqrt(head_dim)) . k``, each Key head shared by a group.

    Query head ``h`` reads Key head ``h // (heads // kv_heads)``: Hugging Face's ``repeat_kv``
    without the copy. The scale is applied to the queries, ``n_q x head_dim`` numbers, rather
    than to the ``n_q x n_k`` scores.

    ``[heads, n_q, head_dim], [kv_heads, n_k, head_dim] -> [heads, n_q, n_k]``

    >>> scaled_scores(np.ones((2, 1, 4)), np.ones((1, 3, 4))).tolist()
    [[[2.0, 2.0, 2.0]], [[2.0, 2.0, 2.0]]]
    """
    heads, n_q, head_dim = q.shape
    q = q * (1.0 / math.sqrt(head_dim))  # a Python float keeps q's dtype
    grouped = q.reshape(k.shape[0], heads // k.shape[0], n_q, head_dim)  # [kv, group, n_q, hd]
    scores = grouped @ k[:, None].swapaxes(-1, -2)  # [kv, group, n_q, n_k]
    return scores.reshape(heads, n_q, -1)  # [heads, n_q, n_k]


def mix_values(weights: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Return each query's weighted sum of the Values, each Value head shared by a group.

    ``[heads, n_q, n_k], [kv_heads, n_k, head_dim] -> [heads, n_q, head_dim]``

    >>> mix_values(np.full((2, 1, 2), 0.5), np.arange(4.0).reshape(1, 2, 2)).tolist()
    [[[1.0, 2.0]], [[1.0, 2.0]]]
    """
    heads, n_q, n_k = weights.shape
    grouped = weights.reshape(v.shape[0], heads // v.shape[0], n_q, n_k)  # [kv, group, n_q, n_k]
    return (grouped @ v[:, None]).reshape(heads, n_q, v.shape[-1])  # [heads, n_q, head_dim]


def attention(
    q: np.ndarray, k: np.ndarray, v: np.ndarray, mask: np.ndarray | None = None
) -> np.ndarray:
    """Return grouped-query attention ``softmax(q k^T / sqrt(head_dim) + mask) v``.

    ``[heads, n_q, hd], [kv_heads, n_k, hd], [kv_heads, n_k, hd], [n_q, n_k] -> [heads, n_q, hd]``

    ``mask`` is additive (0 where allowed, ``-inf`` where blocked; :func:`causal_scores_mask`);
    ``None`` lets every query see every key. This is the reference; the forward pass uses
    :func:`causal_attention`, which gives the same numbers with less work.

    >>> q, k, v = np.zeros((2, 2, 4)), np.zeros((1, 2, 4)), np.arange(8.0).reshape(1, 2, 4)
    >>> attention(q, k, v, causal_scores_mask(2, 2, q.dtype))[0].tolist()  # row 0: key 0 only
    [[0.0, 1.0, 2.0, 3.0], [2.0, 3.0, 4.0, 5.0]]
    """
    scores = scaled_scores(q, k)  # [heads, n_q, n_k]
    if mask is not None:
        scores = scores + mask
    return mix_values(softmax_rows(scores), v)  # [heads, n_q, hd]


def causal_scores_mask(tokens: int, keys: int, dtype: np.dtype) -> np.ndarray:
    """Return the additive causal mask of the last ``tokens`` of ``keys`` positions.

    Query ``i`` sits at position ``keys - tokens + i`` and sees the keys up to it: 0 there,
    ``-inf`` after (:func:`llmhistory.concepts.masks.causal_mask`, as scores).

    ``tokens, keys -> [tokens, keys]``

    >>> causal_scores_mask(2, 3, np.float64).tolist()
    [[0.0, 0.0, -inf], [0.0, 0.0, 0.0]]
    """
    return np.triu(np.full((tokens, keys), -np.inf, dtype), k=keys - tokens + 1)


@functools.lru_cache(maxsize=16)
def _blocked(size: int) -> np.ndarray:
    """Return the read-only ``[size, size]`` booleans where :func:`causal_scores_mask` is
    ``-inf`` (above the diagonal), made once per size."""
    blocked = np.isneginf(causal_scores_mask(size, size, np.float32))
    blocked.flags.writeable = False
    return blocked


#: Queries per tile of :func:`causal_attention`: 64 skips most of the masked half of a
#: 256-token pass while keeping the tiles' matrix products large (measured on the shipped
#: model: 5.63 ms a pass, against 5.76 ms with 32, 5.84 ms with 128 and 6.49 ms untiled).
QUERY_BLOCK = 64


def causal_attention(
    q: np.ndarray,
    k: np.ndarray,
    v: np.ndarray,
    *,
    causal: bool = True,
    block: int = QUERY_BLOCK,
    observe: Callable[[np.ndarray, np.ndarray, int, int], None] | None = None,
) -> np.ndarray:
    """Return :func:`attention` with the causal mask, computed ``block`` queries at a time.

    The queries are the last ``n_q`` of the ``n_k`` positions. A tile of queries ``a..b`` is
    scored only against the keys up to its last query, ``n_k - n_q + b``: the keys after
    it are masked for every query of the tile, so their scores, exponentials and products
    are never computed (about 3/8 of a causal 256-token pass with tiles of 64). Inside the
    tile the diagonal square gets the causal mask. ``causal=False`` gives every tile every
    key.

    ``[heads, n_q, hd], [kv_heads, n_k, hd], [kv_heads, n_k, hd] -> [n_q, heads, hd]``
    (token-major, ready for the output projection)

    ``observe(scores, weights, a, b)``, if given, sees each tile's masked scores (a copy)
    and softmax rows, ``[heads, b - a, keys]``.

    >>> q, k, v = np.zeros((2, 2, 4)), np.zeros((1, 2, 4)), np.arange(8.0).reshape(1, 2, 4)
    >>> causal_attention(q, k, v, block=1)[:, 0].tolist()  # row 0: key 0 only
    [[0.0, 1.0, 2.0, 3.0], [2.0, 3.0, 4.0, 5.0]]
    """
    heads, n_q, head_dim = q.shape
    if n_q == 1 and observe is None:  # decoding: one query sees every key, nothing to tile
        scores = scaled_scores(q, k)  # [heads, 1, keys]
        scores -= scores.max(axis=-1, keepdims=True)
        weights = np.exp(scores, out=scores)
        mixed = mix_values(weights, v) / weights.sum(axis=-1, keepdims=True)  # [heads, 1, hd]
        return mixed.reshape(1, heads, head_dim)
    past = k.shape[1] - n_q  # keys before the first query
    blocked = _blocked(min(block, n_q)) if causal else None  # a full tile's diagonal square
    out = np.empty((n_q, heads, head_dim), q.dtype)  # [n_q, heads, hd]
    for a in range(0, n_q, block):
        b = min(a + block, n_q)
        keys = past + b if causal else k.shape[1]  # the keys this tile can see
        scores = scaled_scores(q[:, a:b], k[:, :keys])  # [heads, b - a, keys]
        if blocked is not None and b - a > 1:  # the causal mask of the diagonal square
            square = scores[:, :, keys - (b - a) :]  # [heads, b - a, b - a], a view
            np.copyto(square, -np.inf, where=blocked[: b - a, : b - a])
        scores_seen = None if observe is None else scores.copy()
        # the softmax, in place; its division is left for the [heads, b - a, hd] output,
        # smaller than the [heads, b - a, keys] weights
        scores -= scores.max(axis=-1, keepdims=True)
        weights = np.exp(scores, out=scores)  # [heads, b - a, keys], rows not yet normalized
        total = weights.sum(axis=-1, keepdims=True)  # [heads, b - a, 1]
        mixed = mix_values(weights, v[:, :keys]) / total  # [heads, b - a, hd]
        out[a:b] = mixed.transpose(1, 0, 2)
        if observe is not None:
            observe(scores_seen, weights / total, a, b)
    return out


# -- blocks and the forward pass ------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """The arrays of one layer, arranged once for the forward pass.

    The dense projections are stored transposed, ``[in, out]`` and contiguous, so that every
    product reads ``x @ W``; the MoE router and experts keep Hugging Face's ``[out, in]``.
    """

    attn_norm: np.ndarray  # [d_model]
    w_qkv: np.ndarray  # [d_model, (heads + 2 kv_heads) * head_dim]: q, k, v columns side by side
    w_o: np.ndarray  # [heads * head_dim, d_model]
    ffn_norm: np.ndarray  # [d_model]
    mlp: tuple[np.ndarray, np.ndarray] | None  # (gate | up) [d_model, 2 d_ff], down [d_ff, d_model]
    router: np.ndarray | None  # [num_experts, d_model] (MoE)
    experts: tuple[tuple[np.ndarray, np.ndarray, np.ndarray], ...]  # gate, up, down each


def _ignore(name: str, array: np.ndarray) -> None:
    """The observer of a forward pass nobody watches."""


def attention_block(
    i: int,
    block: Block,
    c: ModelConfig,
    x: np.ndarray,
    rope: tuple[np.ndarray, np.ndarray],
    causal: bool,
    cache: KVCache | None,
    observe: Observer,
) -> np.ndarray:
    """Return layer ``i``'s attention output ``o_proj(attention(rope(q), rope(k), v))``.

    ``[tokens, d_model], (cos, sin) [tokens, head_dim] each -> [tokens, d_model]``; with a
    cache, the new Keys and Values are appended to it first. Queries and Keys are rotated in
    one call (their heads are adjacent in the projection).
    """
    n, heads, kv_heads = x.shape[0], c.heads, c.kv_heads
    h = rms_norm(x, block.attn_norm, c.norm_eps)  # [tokens, d_model]
    qkv = (h @ block.w_qkv).reshape(n, heads + 2 * kv_heads, -1)  # [tokens, h + 2 kv, hd]
    qkv = np.ascontiguousarray(qkv.transpose(1, 0, 2))  # [heads + 2 kv_heads, tokens, hd]
    qk = rope_rotate(qkv[: heads + kv_heads], *rope)  # [heads + kv_heads, tokens, hd], new
    q, k, v = qk[:heads], qk[heads:], qkv[heads + kv_heads :]
    if cache is not None:
        k, v = cache.append(i, k, v)  # [kv_heads, keys, head_dim]: cached + new
    watching = observe is not _ignore
    if watching:
        keys = k.shape[1]
        scores = np.full((heads, n, keys), -np.inf, x.dtype)  # the tiles, gathered
        weights = np.zeros((heads, n, keys), x.dtype)

        def gather(tile_scores: np.ndarray, tile_weights: np.ndarray, a: int, b: int) -> None:
            scores[:, a:b, : tile_scores.shape[-1]] = tile_scores
            weights[:, a:b, : tile_weights.shape[-1]] = tile_weights

    mixed = causal_attention(q, k, v, causal=causal, observe=gather if watching else None)
    out = mixed.reshape(n, -1) @ block.w_o  # [tokens, heads * hd] -> [tokens, d_model]
    if watching:
        for name, array in (("attn_norm", h), ("q", q), ("k", k), ("v", v), ("scores", scores)):
            observe(f"layers.{i}.{name}", array)
        observe(f"layers.{i}.weights", weights)
        observe(f"layers.{i}.attention", out)
    return out


def ffn_block(i: int, block: Block, c: ModelConfig, x: np.ndarray, observe: Observer) -> np.ndarray:
    """Return layer ``i``'s feed-forward output, SwiGLU or a mixture of SwiGLU experts.

    ``[tokens, d_model] -> [tokens, d_model]``
    """
    h = rms_norm(x, block.ffn_norm, c.norm_eps)  # [tokens, d_model]
    observe(f"layers.{i}.ffn_norm", h)
    if block.router is None:
        out = fused_swiglu(h, *block.mlp)  # type: ignore[misc]  # [tokens, d_model]
    else:
        out, chosen = moe_swiglu(h, block.router, block.experts, c.experts_per_token)
        observe(f"layers.{i}.router", chosen)  # [tokens, experts_per_token]
    observe(f"layers.{i}.ffn", out)
    return out


def forward(
    model: TinyDecoder,
    ids: np.ndarray,
    start: int,
    *,
    causal: bool = True,
    cache: KVCache | None = None,
    observe: Observer = _ignore,
) -> np.ndarray:
    """Return the logits of ``ids`` at positions ``start..``, reading and extending ``cache``.

    ``[tokens] -> [tokens, vocab_size]``. Unchecked: the public methods of
    :class:`TinyDecoder` check ``ids``, ``start`` and the cache first.
    """
    c, n = model.config, ids.size
    rope = (model.rope_cos[start : start + n], model.rope_sin[start : start + n])  # [n, hd]
    x = model.embed[ids]  # [tokens, d_model]
    observe("token_ids", ids)
    observe("embedding", x)
    for i, block in enumerate(model.blocks):
        x = x + attention_block(i, block, c, x, rope, causal, cache, observe)
        x = x + ffn_block(i, block, c, x, observe)
    x = rms_norm(x, model.final_norm, c.norm_eps)  # [tokens, d_model]
    logits = x @ model.head_t  # [tokens, vocab_size]
    observe("final_norm", x)
    observe("logits", logits)
    return logits


# -- the model: weights and the checked public methods -------------------------------------


def tiny_config(
    *,
    vocab_size: int,
    d_model: int,
    layers: int,
    heads: int,
    kv_heads: int,
    d_ff: int,
    context: int,
    num_experts: int = 1,
    experts_per_token: int = 1,
    tied_embeddings: bool = True,
    rope_base: float = 10000.0,
    norm_eps: float = 1e-5,
    name: str = "tiny",
) -> ModelConfig:
    """Return a :class:`~llmhistory.concepts.models.ModelConfig` with the tiny model's defaults.

    SwiGLU, RMSNorm, rotary positions (base 10000), no biases, tied embeddings; a mixture of
    experts when ``num_experts > 1``.

    Examples
    --------
    >>> c = tiny_config(vocab_size=448, d_model=96, layers=3, heads=4, kv_heads=2, d_ff=256,
    ...                 context=384)
    >>> c.head_dim, c.attention_kind, c.tied_embeddings
    (24, 'GQA', True)
    """
    return ModelConfig(
        name=name,
        vocab_size=vocab_size,
        d_model=d_model,
        layers=layers,
        heads=heads,
        kv_heads=kv_heads,
        d_ff=d_ff,
        context=context,
        num_experts=num_experts,
        experts_per_token=experts_per_token,
        tied_embeddings=tied_embeddings,
        rope_base=rope_base,
        norm_eps=norm_eps,
    )


def _in_out(*matrices: np.ndarray) -> np.ndarray:
    """Return ``[out, in]`` matrices stacked along ``out`` as one read-only, contiguous
    ``[in, sum of out]`` matrix, so that a product reads ``x @ W``."""
    stacked = np.concatenate(matrices, axis=0).T.copy()
    stacked.flags.writeable = False
    return stacked


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


class TinyDecoder:
    """A Llama/Mixtral-style decoder-only Transformer computed with NumPy.

    Parameters
    ----------
    config : llmhistory.concepts.models.ModelConfig
        Sizes; features the model does not implement are refused
        (:func:`llmhistory.tiny.weights.check_config`).
    state_dict : mapping of str to array
        Weights under Hugging Face names (:func:`llmhistory.tiny.weights.parameter_shapes`),
        checked by :func:`llmhistory.tiny.weights.check_state_dict`. The model computes in
        their dtype (float16 is widened to float32).

    Examples
    --------
    >>> c = tiny_config(vocab_size=50, d_model=16, layers=1, heads=4, kv_heads=1, d_ff=32,
    ...                 context=16)
    >>> model = TinyDecoder.random(c, seed=1)
    >>> logits, cache = model.forward_step([5, 6, 7])
    >>> logits.shape, cache.shape
    ((3, 50), (1, 2, 1, 1, 3, 4))
    """

    def __init__(self, config: ModelConfig, state_dict: Mapping[str, object]) -> None:
        self.config = check_instance("config", config, ModelConfig)
        self._params = check_state_dict(config, state_dict)
        self.dtype = next(iter(self._params.values())).dtype
        p, c = self._params, config
        self.embed = p["model.embed_tokens.weight"]  # [vocab_size, d_model]
        self.head = self.embed if c.tied_embeddings else p["lm_head.weight"]  # [vocab, d_model]
        self.head_t = _in_out(self.head)  # [d_model, vocab_size]: logits = x @ head_t
        self.final_norm = p["model.norm.weight"]  # [d_model]
        self.blocks = tuple(self._block(i) for i in range(c.layers))
        cos, sin = rope_tables(np.arange(c.context), c.head_dim, c.rope_base)  # float64
        self.rope_cos, self.rope_sin = cos.astype(self.dtype), sin.astype(self.dtype)

    def _block(self, i: int) -> Block:
        p, pre, c = self._params, f"model.layers.{i}.", self.config
        attn = [p[f"{pre}self_attn.{name}_proj.weight"] for name in ("q", "k", "v")]
        moe = f"{pre}block_sparse_moe."
        experts = tuple(
            tuple(p[f"{moe}experts.{j}.{w}.weight"] for w in ("w1", "w3", "w2"))
            for j in range(c.num_experts if c.is_moe else 0)
        )
        mlp = None
        if not c.is_moe:  # gate and up side by side, [in, out]: one product gives both
            gate, up, down = (p[f"{pre}mlp.{n}_proj.weight"] for n in ("gate", "up", "down"))
            mlp = (_in_out(gate, up), _in_out(down))
        return Block(
            attn_norm=p[pre + "input_layernorm.weight"],
            w_qkv=_in_out(*attn),  # [d_model, (h + 2 kv) * hd]
            w_o=_in_out(p[pre + "self_attn.o_proj.weight"]),  # [h * hd, d_model]
            ffn_norm=p[pre + "post_attention_layernorm.weight"],
            mlp=mlp,
            router=p[moe + "gate.weight"] if c.is_moe else None,
            experts=experts,  # type: ignore[arg-type]
        )

    @classmethod
    def random(
        cls, config: ModelConfig, *, seed: int = 0, std: float = 0.02, dtype: str = "float32"
    ) -> TinyDecoder:
        """Return a model with normal(0, ``std``) matrices and norm weights near 1, seeded.

        Examples
        --------
        >>> c = tiny_config(vocab_size=10, d_model=8, layers=1, heads=2, kv_heads=2, d_ff=8,
        ...                 context=8)
        >>> TinyDecoder.random(c, dtype="float64").dtype
        dtype('float64')
        """
        config = check_instance("config", config, ModelConfig)
        seed = check_int("seed", seed, minimum=0)
        std = check_positive_float("std", std)
        dtype = check_choice("dtype", str(np.dtype(dtype)), DTYPES)
        rng = np.random.default_rng(seed)
        weights = {}
        for name, shape in parameter_shapes(config).items():
            if len(shape) == 1:  # a norm weight
                weights[name] = 1.0 + 0.1 * rng.standard_normal(shape)
            else:
                weights[name] = std * rng.standard_normal(shape)
        return cls(config, {n: w.astype(dtype) for n, w in weights.items()})

    def __repr__(self) -> str:
        return f"TinyDecoder({self.config.name!r}, dtype={self.dtype})"

    def state_dict(self) -> dict[str, np.ndarray]:
        """Return a copy of the weights under Hugging Face names, ``[out, in]`` layout."""
        return {name: array.copy() for name, array in self._params.items()}

    def num_parameters(self) -> int:
        """Return the number of stored parameters (the embedding counted once when tied)."""
        return sum(array.size for array in self._params.values())

    def new_cache(self, capacity: int | None = None) -> KVCache:
        """Return an empty :class:`~llmhistory.concepts.kv_cache.KVCache` for this model.

        ``capacity`` defaults to the context.
        """
        return KVCache(self.config, capacity=capacity, dtype=str(self.dtype))

    def check_token_ids(
        self, token_ids: object, limit: int | None = None, what: str = ""
    ) -> np.ndarray:
        """Return ``token_ids`` as a 1-D int64 array after checking ids and length.

        ``limit`` defaults to the context; ``what`` explains the limit in the error message.

        >>> c = tiny_config(vocab_size=5, d_model=4, layers=1, heads=1, kv_heads=1, d_ff=4,
        ...                 context=4)
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

    def logits(
        self,
        token_ids: Sequence[int],
        *,
        causal: bool = True,
        position_offset: int = 0,
        return_trace: bool = False,
        observer: Observer | None = None,
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
            Also return the shape of every stage: each observed array but the attention
            weights (shaped like the scores), then the ``kv_cache`` the pass would fill.
        observer : callable, optional
            ``observer(name, array)`` for every stage (see the table in the module docstring).

        Returns
        -------
        logits : numpy.ndarray, shape (tokens, vocab_size)
            Row ``t`` scores the token after position ``t``.
        trace : tuple of TraceStep
            Only with ``return_trace=True``.

        Raises
        ------
        TypeError
            If ``token_ids`` does not hold integers, a flag is not a bool or ``observer`` is
            not callable.
        ValueError
            If ``token_ids`` is empty, holds an id outside the vocabulary, or is longer than
            the context.

        Examples
        --------
        >>> c = tiny_config(vocab_size=20, d_model=8, layers=2, heads=2, kv_heads=1, d_ff=16,
        ...                 context=8)
        >>> _, trace = TinyDecoder.random(c).logits([3, 1, 4], return_trace=True)
        >>> [(s.name, s.shape) for s in trace][:3]
        [('token_ids', (3,)), ('embedding', (3, 8)), ('layers.0.attn_norm', (3, 8))]
        """
        ids, causal, offset = self._check_sequence(token_ids, causal, position_offset)
        return_trace = check_bool("return_trace", return_trace)
        observe = _ignore if observer is None else check_callable("observer", observer)
        if not return_trace:
            return forward(self, ids, offset, causal=causal, observe=observe)  # type: ignore[arg-type]
        trace: list[TraceStep] = []

        def record(name: str, array: np.ndarray) -> None:
            observe(name, array)  # type: ignore[operator]
            if not name.endswith(".weights"):
                trace.append(TraceStep(name, array.shape))

        logits = forward(self, ids, offset, causal=causal, observe=record)
        c = self.config
        kv_shape = kv_cache_shape(
            layers=c.layers, batch=1, kv_heads=c.kv_heads, tokens=ids.size, head_dim=c.head_dim
        )
        return logits, (*trace, TraceStep("kv_cache", kv_shape))

    def attention_weights(
        self, token_ids: Sequence[int], *, causal: bool = True, position_offset: int = 0
    ) -> np.ndarray:
        """Return the attention weights of every layer and head for one sequence.

        They are the softmax rows with which the forward pass mixes the Values, observed in
        the same pass as :meth:`logits` (not recomputed): row ``i`` of head ``h`` in layer ``l``
        says how much query position ``i`` reads from each key position. With the causal mask
        the weights above the diagonal are exactly 0; each query head uses its group's shared
        Key head (grouped-query attention).

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
            Rows sum to 1 (to the precision of the model's dtype, in which they are computed).

        Raises
        ------
        TypeError
            If ``token_ids`` does not hold integers or ``causal`` is not a bool.
        ValueError
            If ``token_ids`` is empty, holds an id outside the vocabulary, or is longer than
            the context.

        Examples
        --------
        >>> c = tiny_config(vocab_size=20, d_model=8, layers=2, heads=4, kv_heads=2, d_ff=16,
        ...                 context=8)
        >>> weights = TinyDecoder.random(c).attention_weights([3, 1, 4])
        >>> weights.shape, weights[1, 0, 0].tolist()
        ((2, 4, 3, 3), [1.0, 0.0, 0.0])
        """
        ids, causal, offset = self._check_sequence(token_ids, causal, position_offset)
        weights: list[np.ndarray] = []

        def keep_weights(name: str, array: np.ndarray) -> None:
            if name.endswith(".weights"):
                weights.append(array)  # [heads, tokens, tokens]

        forward(self, ids, offset, causal=causal, observe=keep_weights)
        return np.stack(weights).astype(np.float64)  # [layers, heads, tokens, tokens]

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
        extended in place and returned (a new one is made when ``cache`` is None).

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
        >>> c = tiny_config(vocab_size=20, d_model=8, layers=2, heads=2, kv_heads=1, d_ff=16,
        ...                 context=8)
        >>> model = TinyDecoder.random(c, dtype="float64")
        >>> _, cache = model.forward_step([3, 1])
        >>> step, cache = model.forward_step([4], cache)
        >>> bool(np.allclose(step[-1], model.logits([3, 1, 4])[-1])), cache.tokens
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
        return forward(self, ids, cache.tokens, cache=cache), cache
