"""The book's tiny, trained Llama-style decoder, in NumPy.

=================  =====================================================================
module             what
=================  =====================================================================
``model``          the decoder: config, forward pass, KV-cached decoding
``weights``        the checkpoint: safetensors I/O, Hugging Face names, checks, loading
``tokenizer``      the byte-level BPE tokenizer
``generation``     text in, text out: generate, rank labels, label accuracy
``corpus``         the synthetic support corpus the model is trained on
``evaluation``     hand-written support messages for an honest accuracy figure
``bench``          tokens per second with and without the KV cache
``data/``          the shipped checkpoint, tokenizer and evaluation sets
=================  =====================================================================

The tiny model uses the concepts (``llmhistory.concepts``); it never imports the book's
machinery (``llmhistory.book``).
"""
