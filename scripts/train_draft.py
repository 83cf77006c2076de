#!/usr/bin/env python3
"""Train the draft model for speculative decoding: a smaller twin of the tiny decoder.

Usage::

    python scripts/train_draft.py   # writes src/llmhistory/tiny/data/tiny_draft.safetensors
    python scripts/train_draft.py --steps 20 --out /tmp/draft   # a quick smoke run

The draft must speak the target's language token for token, so it reuses the **shipped
tokenizer** (it does not train its own) and the machinery of ``scripts/train_tiny.py``: the same
corpus (:func:`llmhistory.tiny.corpus.training_documents` of the same training split), the same
row packing, and the same PyTorch twin of :class:`llmhistory.tiny.model.TinyDecoder`, with the
smaller :data:`DRAFT` architecture (one layer, d_model 64: about a third of the target's
parameters, under 1 MB in float32). Deterministic: fixed seeds, 2 CPU threads, deterministic
torch kernels.

It trains for fewer steps on a smaller batch and fewer documents than the target (250 steps of
16 rows from 12,000 documents: about 4 CPU-minutes), which is enough for a draft whose only job
is to agree with the target often. It prints the parameter count, the file size, the greedy
acceptance rate of the draft against the shipped target on a few prompts, and the training time.
Rerun it whenever the tiny model or its tokenizer is retrained: a draft must share the target's
tokenizer.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from llmhistory.tiny import load_tiny
from llmhistory.tiny.checkpoint import load_model, save_model
from llmhistory.tiny.corpus import support_split, training_documents
from llmhistory.tiny.model import TinyDecoder
from llmhistory.tiny.model import tiny_config as TinyConfig  # noqa: N813 (a ModelConfig factory)
from llmhistory.tiny.speculative import DRAFT_FILE, speculative_generate

SCRIPTS = Path(__file__).resolve().parent
DATA_DIR = SCRIPTS.parent / "src" / "llmhistory" / "tiny" / "data"

#: The draft's architecture: one layer, half the width, the target's vocabulary and context.
DRAFT = dict(d_model=64, layers=1, heads=2, kv_heads=1, d_ff=192)


def _train_tiny():
    """Import ``scripts/train_tiny.py`` as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("train_tiny", SCRIPTS / "train_tiny.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["train_tiny"] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=250)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--row-len", type=int, default=256)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--documents", type=int, default=12_000)
    parser.add_argument("--n-train", type=int, default=20_000, help="as train_tiny.py's split")
    parser.add_argument("--out", type=Path, default=DATA_DIR)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    tt = _train_tiny()
    start, start_cpu = time.perf_counter(), time.process_time()
    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)

    target, tokenizer = load_tiny()
    split = support_split(n_train=args.n_train, n_held_out=100, seed=args.seed)
    docs = training_documents(split, args.documents, seed=args.seed + 1)
    encoded = [tokenizer.encode(d, add_bos=True, add_eos=True) for d in docs]
    inputs, targets, _ = tt.pack_rows(encoded, args.row_len, tokenizer.eos_id)
    print(f"corpus: {len(docs)} documents in {len(inputs)} rows (the shipped tokenizer)")

    config = TinyConfig(vocab_size=tokenizer.vocab_size, context=target.config.context, **DRAFT)
    model = tt.TorchCausalLM(config)
    model.init_weights()
    decay = [p for p in model.parameters() if p.ndim == 2]
    other = [p for p in model.parameters() if p.ndim < 2]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.05}, {"params": other, "weight_decay": 0.0}],
        lr=args.lr,
        betas=(0.9, 0.95),
    )
    warmup = max(1, args.steps // 20)

    def lr_at(step: int) -> float:
        if step < warmup:
            return args.lr * (step + 1) / warmup
        progress = (step - warmup) / max(1, args.steps - warmup)
        return args.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress)))

    order_rng = np.random.default_rng(args.seed)
    x_all, y_all = torch.from_numpy(inputs), torch.from_numpy(targets)
    model.train()
    for step in range(args.steps):
        rows = torch.from_numpy(order_rng.integers(0, len(inputs), size=args.batch))
        logits = model(x_all[rows])
        loss = F.cross_entropy(logits.reshape(-1, config.vocab_size), y_all[rows].reshape(-1))
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if step % 100 == 0 or step == args.steps - 1:
            print(f"step {step:5d}  loss {loss.item():.4f}  ({time.perf_counter() - start:.0f} s)")
    train_seconds = time.perf_counter() - start
    train_cpu_seconds = time.process_time() - start_cpu

    args.out.mkdir(parents=True, exist_ok=True)
    path = save_model(TinyDecoder(config, model.numpy_state_dict()), args.out / DRAFT_FILE)
    draft = load_model(path, name="tiny-draft")
    prompts = [
        "Customer: Where is my order?\nAgent:",
        "Customer: I want my money back.\nAgent:",
        "Customer: I forgot my password.\nAgent:",
    ]
    examined = accepted = 0
    for prompt in prompts:
        run = speculative_generate(
            target, draft, tokenizer.encode(prompt, add_bos=True), max_new_tokens=48, k=4
        )
        examined, accepted = examined + run.accepted + run.rejected, accepted + run.accepted
    print(f"parameters: {draft.num_parameters():,} (target {target.num_parameters():,})")
    print(f"file size: {path.stat().st_size / 1e6:.2f} MB ({path.name})")
    rate = accepted / examined
    print(f"greedy acceptance at k=4 on {len(prompts)} prompts: {rate:.1%} of examined guesses")
    print(f"training time: {train_seconds:.1f} s wall, {train_cpu_seconds:.1f} s CPU")


if __name__ == "__main__":
    main()
