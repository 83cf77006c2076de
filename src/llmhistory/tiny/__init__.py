"""The book's tiny, trained Llama-style decoder, in NumPy.

=======================  =====================================================================
module                   what
=======================  =====================================================================
``model``                the forward path (kernels, blocks, ``forward``) and ``TinyDecoder``
``weights``              Hugging Face names and config, checks, the safetensors format
``checkpoint``           save and load a model; ``load_tiny``, the shipped model
``tokenizer``            the byte-level BPE tokenizer
``generation``           text in, text out: generate, the loop traced, rank labels, accuracy
``corpus``               the synthetic support corpus the model is trained on
``evaluation``           hand-written support messages for an honest accuracy figure
``bench``                tokens per second with and without the KV cache
``context_extension``    the model past its trained length: rescaled RoPE, long held-out texts
``data/``                the shipped checkpoint, tokenizer and evaluation sets
=======================  =====================================================================

Its config is :class:`llmhistory.concepts.models.ModelConfig` and its cache
:class:`llmhistory.concepts.kv_cache.KVCache`: the tiny model uses the concepts
(``llmhistory.concepts``) and never imports the book's machinery (``llmhistory.book``).

>>> from llmhistory.tiny import load_tiny
>>> model, tokenizer = load_tiny()
"""

from llmhistory.tiny.checkpoint import load_tiny

__all__ = ["load_tiny"]
