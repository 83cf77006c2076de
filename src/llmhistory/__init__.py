"""llmhistory: the tested library behind the book *How decoder-only Transformers grew into LLMs*.

Each module holds one idea of the book (``masks``, ``decoding``, ``kv_cache``, ``rope``, ...);
the chapter notebooks import from here so that every number a reader sees is computed by
a small function with tests.
"""

__version__ = "0.1.0"
