"""Attention weights of the tiny decoder's first layer, for drawing "where each token looks".

:class:`llmhistory.decoder.TinyDecoder` returns logits and stage shapes but not its attention
weights. The first layer's weights need nothing but the token embeddings, so they can be
recomputed exactly from the model's public weights (:meth:`TinyDecoder.state_dict`) and the
decoder's own building blocks (:func:`~llmhistory.decoder.rms_norm`,
:func:`~llmhistory.rope.apply_rope`, :func:`~llmhistory.decoder.scaled_scores`):

    x = embed[token_ids]; h = rms_norm(x); q, k = rope(h W_q^T), rope(h W_k^T)
    weights = softmax(q k^T / sqrt(head_dim) + causal mask)

Deeper layers would need the hidden states entering them, which the model does not expose.

>>> from llmhistory.decoder import TinyConfig, TinyDecoder
>>> c = TinyConfig(vocab_size=20, d_model=8, layers=2, heads=2, kv_heads=1, d_ff=8, context=8)
>>> weights = first_layer_attention(TinyDecoder.random(c), [3, 1, 4])
>>> weights.shape, weights[0, 0].tolist()
((2, 3, 3), [1.0, 0.0, 0.0])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from llmhistory.decoder import TinyDecoder, rms_norm, scaled_scores
from llmhistory.decoding import softmax
from llmhistory.masks import additive_mask, causal_mask
from llmhistory.rope import apply_rope

__all__ = ["first_layer_attention", "first_layer_keys"]


def _check_model(model: object) -> TinyDecoder:
    if not isinstance(model, TinyDecoder):
        raise TypeError(f"model must be a TinyDecoder, got {type(model).__name__}")
    return model


def _first_layer_qk(model: TinyDecoder, token_ids: Sequence[int]) -> tuple[np.ndarray, ...]:
    c = model.config
    ids = model.check_token_ids(token_ids)
    weights = model.state_dict()
    n = ids.size
    x = weights["model.embed_tokens.weight"][ids]  # [tokens, d_model]
    h = rms_norm(x, weights["model.layers.0.input_layernorm.weight"], c.norm_eps)
    positions = np.arange(n)
    projected = []
    for name, heads in (("q", c.heads), ("k", c.kv_heads)):
        w = weights[f"model.layers.0.self_attn.{name}_proj.weight"]  # [heads * hd, d_model]
        z = (h @ w.T).reshape(n, heads, c.head_dim).transpose(1, 0, 2)  # [heads, tokens, hd]
        projected.append(apply_rope(z, positions, c.rope_base))
    return tuple(projected)


def first_layer_keys(model: TinyDecoder, token_ids: Sequence[int]) -> np.ndarray:
    """Return the first layer's rotated Keys, ``(kv_heads, tokens, head_dim)``.

    They equal what :meth:`TinyDecoder.forward_step` stores in the KV cache for layer 0,
    which is how the tests check this module against the model.

    Parameters
    ----------
    model : TinyDecoder
    token_ids : sequence of int, shape (tokens,)

    Returns
    -------
    numpy.ndarray, shape (kv_heads, tokens, head_dim), float64

    Raises
    ------
    TypeError
        If ``model`` is not a TinyDecoder or ``token_ids`` does not hold integers.
    ValueError
        If ``token_ids`` is empty, too long, or holds an id outside the vocabulary.

    Examples
    --------
    >>> from llmhistory.decoder import TinyConfig, TinyDecoder
    >>> c = TinyConfig(vocab_size=20, d_model=8, layers=1, heads=2, kv_heads=1, d_ff=8,
    ...                context=8)
    >>> model = TinyDecoder.random(c, dtype="float64")
    >>> _, cache = model.forward_step([3, 1, 4])
    >>> bool(np.allclose(first_layer_keys(model, [3, 1, 4]), cache.keys(0)))
    True
    """
    return _first_layer_qk(_check_model(model), token_ids)[1]


def first_layer_attention(model: TinyDecoder, token_ids: Sequence[int]) -> np.ndarray:
    """Return the first layer's causal attention weights, ``(heads, tokens, tokens)``.

    Row ``i`` of head ``h`` is the softmax of query ``i`` over keys ``0..i`` (later keys get
    exactly 0); each query head reads its group's shared Key head (grouped-query attention).

    Parameters
    ----------
    model : TinyDecoder
    token_ids : sequence of int, shape (tokens,)
        Usually ``tokenizer.encode(text, add_bos=True)``.

    Returns
    -------
    numpy.ndarray, shape (heads, tokens, tokens), float64
        Rows sum to 1.

    Raises
    ------
    TypeError
        If ``model`` is not a TinyDecoder or ``token_ids`` does not hold integers.
    ValueError
        If ``token_ids`` is empty, too long, or holds an id outside the vocabulary.

    Examples
    --------
    >>> from llmhistory.decoder import TinyConfig, TinyDecoder
    >>> c = TinyConfig(vocab_size=20, d_model=8, layers=1, heads=4, kv_heads=2, d_ff=8,
    ...                context=8)
    >>> weights = first_layer_attention(TinyDecoder.random(c), [5, 6])
    >>> weights.sum(axis=-1).round(6).tolist()
    [[1.0, 1.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0]]
    """
    q, k = _first_layer_qk(_check_model(model), token_ids)
    n = q.shape[1]
    scores = scaled_scores(q, k) + additive_mask(causal_mask(n))  # [heads, tokens, tokens]
    return softmax(scores, axis=-1)
