#!/usr/bin/env python3
"""Store logits of the PyTorch reference model so the NumPy decoder is checked without PyTorch.

Usage::

    python scripts/golden_logits.py        # (re)writes tests/data/golden_logits.npz

Needs PyTorch (``pip install torch==2.13.0``, CPU build). Run it whenever the shipped model
changes (after ``scripts/train_tiny.py``): the file records the sha256 of the checkpoint it was
made from, and ``tests/test_golden_logits.py`` fails until it is regenerated.

The reference is ``TorchCausalLM`` of ``scripts/train_tiny.py``, the PyTorch twin the model was
trained with, loaded with the shipped weights. The cases, all fixed token ids:

* ``bos``   the shipped model on one token, ``<bos>``;
* ``label`` the shipped model on ``"Message: I forgot my password.\\nLabel:"`` (11 tokens
  with the tokenizer shipped on 2026-12-02);
* ``reply`` the shipped model on ``"Customer: Where is my order?\\nAgent:"`` (12 tokens);
* ``moe``   a small random mixture-of-experts model (router, top-2 of 4 experts), which the
  dense shipped model does not exercise (``TinyDecoder.random``, seeded; its config and a
  sha256 of its weights are stored).

For each case the file stores, in float32, the logits of every position at every 16th
vocabulary id (every 2nd for the MoE model's 40), and for ``label`` also the last position's
logits for all 512 ids (every row of the tied output head): about 7 KB in all, with a JSON
``meta`` entry (provenance, checkpoint sha256, token ids). The zip is written with fixed
timestamps, so re-running the script on unchanged inputs rewrites the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import io
import json
import zipfile
from importlib import resources
from pathlib import Path

import numpy as np

from llmhistory.concepts.models import ModelConfig
from llmhistory.tiny import load_tiny
from llmhistory.tiny.checkpoint import CHECKPOINT_FILE
from llmhistory.tiny.model import TinyDecoder, tiny_config
from llmhistory.tiny.weights import to_hf_config

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "golden_logits.npz"
TRAIN_TINY = ROOT / "scripts" / "train_tiny.py"

PROMPTS = {
    "label": "Message: I forgot my password.\nLabel:",
    "reply": "Customer: Where is my order?\nAgent:",
}
FULL_ROW_CASES = ("label",)
MOE_CONFIG = tiny_config(
    vocab_size=40,
    d_model=16,
    layers=2,
    heads=4,
    kv_heads=2,
    d_ff=24,
    context=32,
    num_experts=4,
    experts_per_token=2,
)
MOE_SEED, MOE_STD = 7, 0.3
MOE_IDS = [int(i) for i in np.random.default_rng(8).integers(0, MOE_CONFIG.vocab_size, 12)]


def checkpoint_sha256() -> str:
    """Return the sha256 of the shipped ``tiny_decoder.safetensors``."""
    data = resources.files("llmhistory.tiny") / "data" / CHECKPOINT_FILE
    return hashlib.sha256(data.read_bytes()).hexdigest()


def weights_sha256(model: TinyDecoder) -> str:
    """Return a sha256 of a model's weights: names, dtypes, shapes and little-endian bytes."""
    digest = hashlib.sha256()
    for name, array in sorted(model.state_dict().items()):
        array = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
        digest.update(f"{name}:{array.dtype.str}:{array.shape};".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def moe_model() -> TinyDecoder:
    return TinyDecoder.random(MOE_CONFIG, seed=MOE_SEED, std=MOE_STD, dtype="float32")


def cases() -> dict[str, tuple[TinyDecoder, list[int]]]:
    """Return ``{case: (model, token_ids)}``."""
    model, tokenizer = load_tiny()
    out = {"bos": (model, [tokenizer.bos_id])}
    for name, prompt in PROMPTS.items():
        out[name] = (model, tokenizer.encode(prompt, add_bos=True))
    out["moe"] = (moe_model(), MOE_IDS)
    return out


def torch_logits(model: TinyDecoder, ids: list[int]) -> np.ndarray:
    """Return the PyTorch twin's logits ``[tokens, vocab]`` for ``model``'s weights."""
    import torch

    spec = importlib.util.spec_from_file_location("train_tiny", TRAIN_TINY)
    train_tiny = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train_tiny)
    twin = train_tiny.TorchCausalLM(model.config)
    twin.load_numpy_state_dict(model.state_dict())
    with torch.no_grad():
        return twin(torch.tensor([ids]))[0].numpy().astype(np.float32)


def column_stride(config: ModelConfig) -> int:
    """Every position is stored at every n-th vocabulary id: 16 of 512, 2 of 40."""
    return 16 if config.vocab_size > 64 else 2


def golden_arrays() -> dict[str, np.ndarray]:
    """Return every array of the golden file, computed now with PyTorch.

    ``meta`` is a JSON document (provenance and, per case, the model and token ids); ``<case>``
    holds the logits of every position at every ``column_stride``-th vocabulary id, and
    ``<case>.last`` the last position's logits for every id (for ``FULL_ROW_CASES``).
    """
    import torch

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    meta: dict[str, object] = {
        "made_by": "python scripts/golden_logits.py",
        "torch_version": torch.__version__,
        "checkpoint_sha256": checkpoint_sha256(),
        "moe": {
            "config": to_hf_config(MOE_CONFIG),
            "seed": MOE_SEED,
            "std": MOE_STD,
            "weights_sha256": weights_sha256(moe_model()),
        },
        "cases": {},
    }
    arrays: dict[str, np.ndarray] = {}
    for name, (model, ids) in cases().items():
        logits = torch_logits(model, ids)
        stride = column_stride(model.config)
        meta["cases"][name] = {
            "model": "moe" if name == "moe" else "shipped",
            "ids": [int(i) for i in ids],
            "column_stride": stride,
        }
        arrays[name] = logits[:, ::stride]
        if name in FULL_ROW_CASES:
            arrays[f"{name}.last"] = logits[-1]
    arrays["meta"] = np.array(json.dumps(meta, sort_keys=True).encode())
    return arrays


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` as a compressed ``.npz`` with fixed timestamps (reproducible bytes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=GOLDEN)
    args = parser.parse_args()
    arrays = golden_arrays()
    write_npz(args.out, arrays)
    for name, (model, ids) in cases().items():
        gaps = []
        for dtype in ("float32", "float64"):
            state = {k: v.astype(dtype) for k, v in model.state_dict().items()}
            ours = TinyDecoder(model.config, state).logits(ids)
            gap = np.abs(ours[:, :: column_stride(model.config)] - arrays[name]).max()
            if name in FULL_ROW_CASES:
                gap = max(gap, np.abs(ours[-1] - arrays[f"{name}.last"]).max())
            gaps.append(f"{dtype} {gap:.1e}")
        print(f"{name:6s} {len(ids):3d} tokens, max |NumPy - PyTorch|: {', '.join(gaps)}")
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
