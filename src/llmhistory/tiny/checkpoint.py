"""The shipped checkpoint: save and load a tiny model, and :func:`load_tiny`.

A model is stored as one safetensors file (:mod:`llmhistory.tiny.weights`) whose metadata holds
the Hugging Face ``config.json`` under ``"config"``, so that the file is also a valid Hugging
Face Llama/Mixtral checkpoint. :func:`load_tiny` returns the model trained by
``scripts/train_tiny.py`` on the synthetic support corpus of :mod:`llmhistory.tiny.corpus`, with
its tokenizer; ``from llmhistory.tiny import load_tiny`` is the short way to reach it.

>>> model, tokenizer = load_tiny()
>>> model.config.attention_kind, model.config.vocab_size == tokenizer.vocab_size
('GQA', True)
"""

from __future__ import annotations

import functools
import json
import os
from importlib import resources
from pathlib import Path

import numpy as np

from llmhistory._validate import check_choice, check_instance
from llmhistory.tiny.model import DTYPES, TinyDecoder
from llmhistory.tiny.tokenizer import BPETokenizer
from llmhistory.tiny.weights import from_hf_config, load_safetensors, save_safetensors, to_hf_config

__all__ = ["CHECKPOINT_FILE", "TOKENIZER_FILE", "load_model", "load_tiny", "save_model"]

#: File names of the shipped checkpoint and tokenizer inside ``llmhistory/tiny/data``.
CHECKPOINT_FILE = "tiny_decoder.safetensors"
TOKENIZER_FILE = "tiny_tokenizer.json"


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
    >>> from llmhistory.tiny.model import tiny_config
    >>> c = tiny_config(vocab_size=20, d_model=8, layers=1, heads=2, kv_heads=1, d_ff=8,
    ...                 context=8)
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
        "config": json.dumps(to_hf_config(model.config), sort_keys=True),
    }
    return save_safetensors(path, tensors, metadata)


def load_model(path: str | os.PathLike[str], name: str = "tiny") -> TinyDecoder:
    """Return the :class:`~llmhistory.tiny.model.TinyDecoder` stored at ``path``.

    Parameters
    ----------
    path : str or path-like
        A file written by :func:`save_model`.
    name : str, default "tiny"
        The name of its config.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is corrupt or truncated, lacks the ``config`` metadata, its config asks for
        a feature the tiny model lacks, or a tensor is missing, unexpected, mis-shaped or of the
        wrong dtype (the message names it).
    """
    path = Path(path)
    tensors, metadata = load_safetensors(path)
    if "config" not in metadata:
        raise ValueError(f"{path}: __metadata__ has no 'config' (Hugging Face config JSON)")
    try:
        config = from_hf_config(json.loads(metadata["config"]), name)
        return TinyDecoder(config, tensors)
    except (ValueError, TypeError) as error:  # JSONDecodeError is a ValueError
        raise ValueError(f"{path}: {error}") from None


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
    return _load_tiny(check_choice("dtype", str(dtype), DTYPES))


@functools.lru_cache(maxsize=2)
def _load_tiny(dtype: str) -> tuple[TinyDecoder, BPETokenizer]:
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
