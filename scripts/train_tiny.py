#!/usr/bin/env python3
"""Train the tiny support-desk decoder with PyTorch (CPU) and ship it as NumPy weights.

Usage::

    python scripts/train_tiny.py   # writes tiny_*.{safetensors,json} in src/llmhistory/tiny/data
    python scripts/train_tiny.py --steps 50 --out /tmp/tiny   # a quick smoke run

What it does, deterministically (fixed seeds, 2 CPU threads, deterministic torch kernels):

1. writes the synthetic corpus of :mod:`llmhistory.tiny.corpus` (training split only), its
   training tickets joined by the hand-written sets of
   :data:`llmhistory.tiny.evaluation.TRAINING_SETS` (1,466 messages, each 4 times);
2. trains the byte-level BPE tokenizer of :mod:`llmhistory.tiny.tokenizer` on it;
3. trains :class:`TorchCausalLM`, a PyTorch re-implementation of exactly the architecture of
   :class:`llmhistory.tiny.model.TinyDecoder` (RMSNorm, RoPE with rotate-half pairing computed in
   float64, grouped-query attention, SwiGLU or top-k MoE, tied head), whose parameter names
   are the Hugging Face names the NumPy model uses, with the next-token loss of every label
   answer (the token after ``Label:``) weighted ``--label-weight`` times (5) the other tokens;
4. exports the weights with :func:`llmhistory.tiny.weights.save_model`, reloads them in NumPy, and
   prints the held-out label accuracy, the greedy reply to "Customer: Where is my order?",
   the training time and the checkpoint size.

PyTorch is needed only here (``pip install torch``); the package itself runs on NumPy.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from llmhistory.concepts.rope import rope_angles
from llmhistory.tiny.checkpoint import CHECKPOINT_FILE, TOKENIZER_FILE, load_model, save_model
from llmhistory.tiny.corpus import LABELS, training_documents
from llmhistory.tiny.evaluation import TRAINING_SETS, load_support_set, training_split
from llmhistory.tiny.generation import generate_ids, label_accuracy
from llmhistory.tiny.model import TinyDecoder
from llmhistory.tiny.model import tiny_config as TinyConfig  # noqa: N813 (a ModelConfig factory)
from llmhistory.tiny.tokenizer import BPETokenizer, train_bpe

DATA_DIR = Path(__file__).resolve().parents[1] / "src" / "llmhistory" / "tiny" / "data"

#: The shipped architecture: ~0.35M parameters, float32 checkpoint ~1.4 MB.
SHIPPED = dict(d_model=96, layers=3, heads=4, kv_heads=2, d_ff=256, context=384)
VOCAB_SIZE = 512


# -- the PyTorch twin of llmhistory.tiny.model.TinyDecoder ------------------------------------


class RMSNorm(nn.Module):
    def __init__(self, d_model: int, eps: float) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d_model))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # [..., d] -> [..., d]
        return x / torch.sqrt((x * x).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x: torch.Tensor) -> torch.Tensor:  # [..., hd] -> [..., hd]
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


class Attention(nn.Module):
    def __init__(self, c: TinyConfig) -> None:
        super().__init__()
        self.c = c
        hd = c.head_dim
        self.q_proj = nn.Linear(c.d_model, c.heads * hd, bias=False)
        self.k_proj = nn.Linear(c.d_model, c.kv_heads * hd, bias=False)
        self.v_proj = nn.Linear(c.d_model, c.kv_heads * hd, bias=False)
        self.o_proj = nn.Linear(c.heads * hd, c.d_model, bias=False)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        c, (b, t, _) = self.c, x.shape
        q = self.q_proj(x).view(b, t, c.heads, c.head_dim).transpose(1, 2)  # [b, h, t, hd]
        k = self.k_proj(x).view(b, t, c.kv_heads, c.head_dim).transpose(1, 2)  # [b, kv, t, hd]
        v = self.v_proj(x).view(b, t, c.kv_heads, c.head_dim).transpose(1, 2)  # [b, kv, t, hd]
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        group = c.heads // c.kv_heads
        k = k.repeat_interleave(group, dim=1)  # [b, h, t, hd]: head h reads kv head h // group
        v = v.repeat_interleave(group, dim=1)
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # [b, h, t, hd]
        return self.o_proj(out.transpose(1, 2).reshape(b, t, c.d_model))


class MLP(nn.Module):
    def __init__(self, c: TinyConfig) -> None:
        super().__init__()
        self.gate_proj = nn.Linear(c.d_model, c.d_ff, bias=False)
        self.up_proj = nn.Linear(c.d_model, c.d_ff, bias=False)
        self.down_proj = nn.Linear(c.d_ff, c.d_model, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Expert(nn.Module):
    def __init__(self, c: TinyConfig) -> None:
        super().__init__()
        self.w1 = nn.Linear(c.d_model, c.d_ff, bias=False)  # gate
        self.w2 = nn.Linear(c.d_ff, c.d_model, bias=False)  # down
        self.w3 = nn.Linear(c.d_model, c.d_ff, bias=False)  # up

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class SparseMoE(nn.Module):
    def __init__(self, c: TinyConfig) -> None:
        super().__init__()
        self.k = c.experts_per_token
        self.gate = nn.Linear(c.d_model, c.num_experts, bias=False)
        self.experts = nn.ModuleList(Expert(c) for _ in range(c.num_experts))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.reshape(-1, x.shape[-1])  # [tokens, d]
        top, chosen = torch.topk(self.gate(flat), self.k, dim=-1)  # [tokens, k]
        weights = torch.softmax(top, dim=-1)  # softmax over the selected logits (Mixtral)
        out = torch.zeros_like(flat)
        for e, expert in enumerate(self.experts):
            rows, slots = torch.nonzero(chosen == e, as_tuple=True)
            if rows.numel():
                out.index_add_(0, rows, weights[rows, slots, None] * expert(flat[rows]))
        return out.view_as(x)


class Block(nn.Module):
    def __init__(self, c: TinyConfig) -> None:
        super().__init__()
        self.input_layernorm = RMSNorm(c.d_model, c.norm_eps)
        self.self_attn = Attention(c)
        self.post_attention_layernorm = RMSNorm(c.d_model, c.norm_eps)
        if c.is_moe:
            self.block_sparse_moe = SparseMoE(c)
        else:
            self.mlp = MLP(c)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        x = x + self.self_attn(self.input_layernorm(x), cos, sin)
        ffn = self.block_sparse_moe if hasattr(self, "block_sparse_moe") else self.mlp
        return x + ffn(self.post_attention_layernorm(x))


class Backbone(nn.Module):
    def __init__(self, c: TinyConfig) -> None:
        super().__init__()
        self.embed_tokens = nn.Embedding(c.vocab_size, c.d_model)
        self.layers = nn.ModuleList(Block(c) for _ in range(c.layers))
        self.norm = RMSNorm(c.d_model, c.norm_eps)


class TorchCausalLM(nn.Module):
    """PyTorch twin of TinyDecoder; ``state_dict()`` keys are the Hugging Face names."""

    def __init__(self, c: TinyConfig) -> None:
        super().__init__()
        self.config = c
        self.model = Backbone(c)
        if not c.tied_embeddings:
            self.lm_head = nn.Linear(c.d_model, c.vocab_size, bias=False)
        angles = rope_angles(np.arange(c.context), c.head_dim, c.rope_base)  # float64
        emb = np.concatenate([angles, angles], axis=-1)  # [context, head_dim]
        self.register_buffer("cos", torch.tensor(np.cos(emb), dtype=torch.float32), False)
        self.register_buffer("sin", torch.tensor(np.sin(emb), dtype=torch.float32), False)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:  # [b, t] -> [b, t, vocab_size]
        t = ids.shape[1]
        cos, sin = self.cos[:t], self.sin[:t]
        x = self.model.embed_tokens(ids)
        for block in self.model.layers:
            x = block(x, cos, sin)
        x = self.model.norm(x)
        head = (
            self.model.embed_tokens.weight if self.config.tied_embeddings else self.lm_head.weight
        )
        return x @ head.T

    def init_weights(self, std: float = 0.02) -> None:
        for name, p in self.named_parameters():
            if p.ndim == 2:
                scale = (
                    std / math.sqrt(2 * self.config.layers)
                    if name.endswith(("o_proj.weight", "down_proj.weight", "w2.weight"))
                    else std
                )
                nn.init.normal_(p, 0.0, scale)

    def numpy_state_dict(self) -> dict[str, np.ndarray]:
        return {k: v.detach().cpu().numpy().copy() for k, v in self.state_dict().items()}

    def load_numpy_state_dict(self, tensors: dict[str, np.ndarray]) -> None:
        self.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in tensors.items()})


# -- data ----------------------------------------------------------------------------------


def label_positions(doc: list[int], cue: list[int], label_ids: set[int]) -> list[int]:
    """Return the indices in ``doc`` of label tokens that directly follow the ``cue`` ids."""
    k = len(cue)
    return [i for i in range(k, len(doc)) if doc[i] in label_ids and doc[i - k : i] == cue]


def pack_rows(
    docs: list[list[int]], row_len: int, pad: int, weights: list[list[float]] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pack whole documents into rows of ``row_len + 1`` ids, each row starting at a document.

    Returns inputs and targets ``[rows, row_len]`` and the loss weight of each target
    ``[rows, row_len]`` (``weights[d][i]`` of token ``i`` of document ``d``, default 1);
    padded targets are -100 (ignored) with weight 0.
    """
    weights = weights if weights is not None else [[1.0] * len(doc) for doc in docs]
    rows, row_weights, current, current_w = [], [], [], []
    for doc, w in zip(docs, weights, strict=True):
        doc, w = doc[: row_len + 1], list(w[: row_len + 1])
        if len(current) + len(doc) > row_len + 1:
            rows.append(current)
            row_weights.append(current_w)
            current, current_w = [], []
        current, current_w = current + doc, current_w + w
    rows.append(current)
    row_weights.append(current_w)
    data = np.full((len(rows), row_len + 1), pad, dtype=np.int64)
    weight = np.zeros((len(rows), row_len + 1), dtype=np.float32)
    target_mask = np.zeros((len(rows), row_len + 1), dtype=bool)
    for i, (row, w) in enumerate(zip(rows, row_weights, strict=True)):
        data[i, : len(row)] = row
        weight[i, : len(row)] = w
        target_mask[i, : len(row)] = True
    inputs, targets = data[:, :-1], data[:, 1:].copy()
    targets[~target_mask[:, 1:]] = -100
    return inputs, targets, weight[:, 1:] * target_mask[:, 1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1200)
    parser.add_argument("--batch", type=int, default=24)
    parser.add_argument("--row-len", type=int, default=256)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--documents", type=int, default=30_000)
    parser.add_argument("--out", type=Path, default=DATA_DIR)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--layers", type=int, default=SHIPPED["layers"])
    parser.add_argument("--d-model", type=int, default=SHIPPED["d_model"])
    parser.add_argument("--d-ff", type=int, default=SHIPPED["d_ff"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--written-sets",
        default=",".join(TRAINING_SETS),
        help="hand-written sets added to the generated training tickets ('' for none)",
    )
    parser.add_argument(
        "--written-repeat", type=int, default=4, help="copies of each hand-written ticket"
    )
    parser.add_argument(
        "--label-weight",
        type=float,
        default=5.0,
        help="loss weight of the label token answering each 'Label:' (other tokens weigh 1)",
    )
    args = parser.parse_args()

    start, start_cpu = time.perf_counter(), time.process_time()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)

    names = tuple(filter(None, args.written_sets.split(",")))
    split = training_split(names, repeat=args.written_repeat, seed=args.seed)
    written = sum(len(load_support_set(name)) for name in names)
    print(f"hand-written training tickets: {written} x {args.written_repeat}")
    docs = training_documents(split, args.documents, seed=args.seed + 1)
    tokenizer = train_bpe(docs[:8000], vocab_size=VOCAB_SIZE)
    encoded = [tokenizer.encode(d, add_bos=True, add_eos=True) for d in docs]
    cue = tokenizer.encode("\nLabel:")
    label_ids = {tokenizer.encode(" " + label)[0] for label in LABELS}
    for label in LABELS:  # each label is one token right after the cue, as rank_labels scores it
        assert tokenizer.encode(f"\nLabel: {label}") == cue + tokenizer.encode(" " + label)
        assert len(tokenizer.encode(" " + label)) == 1, label
    weights = []
    for doc in encoded:
        w = [1.0] * len(doc)
        for i in label_positions(doc, cue, label_ids):
            w[i] = args.label_weight
        weights.append(w)
    inputs, targets, target_weights = pack_rows(encoded, args.row_len, tokenizer.eos_id, weights)
    n_tokens = int((targets != -100).sum())
    n_labels = int((target_weights == args.label_weight).sum()) if args.label_weight != 1 else 0
    print(
        f"corpus: {len(docs)} documents, {n_tokens} training tokens in {len(inputs)} rows "
        f"({n_labels} label answers weighted {args.label_weight:g}); "
        f"tokenizer vocab_size={tokenizer.vocab_size} ({time.perf_counter() - start:.1f} s)"
    )

    shape = dict(SHIPPED, layers=args.layers, d_model=args.d_model, d_ff=args.d_ff)
    config = TinyConfig(vocab_size=tokenizer.vocab_size, **shape)
    model = TorchCausalLM(config)
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
    w_all = torch.from_numpy(target_weights)
    model.train()
    for step in range(args.steps):
        rows = torch.from_numpy(order_rng.integers(0, len(inputs), size=args.batch))
        logits = model(x_all[rows])
        per_token = F.cross_entropy(
            logits.reshape(-1, config.vocab_size), y_all[rows].reshape(-1), reduction="none"
        )
        w = w_all[rows].reshape(-1)
        loss = (per_token * w).sum() / w.sum()
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if step % 100 == 0 or step == args.steps - 1:
            print(
                f"step {step:5d}  loss {loss.item():.4f}  ({time.perf_counter() - start:.0f} s)",
                flush=True,
            )
    train_seconds = time.perf_counter() - start
    train_cpu_seconds = time.process_time() - start_cpu

    args.out.mkdir(parents=True, exist_ok=True)
    checkpoint = save_model(
        TinyDecoder(config, model.numpy_state_dict()), args.out / CHECKPOINT_FILE
    )
    tokenizer.save(args.out / TOKENIZER_FILE)
    numpy_model = load_model(checkpoint)
    tokenizer = BPETokenizer.load(args.out / TOKENIZER_FILE)

    accuracy = label_accuracy(numpy_model, tokenizer, split.held_out)
    prompt = "Customer: Where is my order?\nAgent:"
    run = generate_ids(
        numpy_model,
        tokenizer.encode(prompt, add_bos=True),
        max_new_tokens=64,
        stop_tokens=(tokenizer.eos_id,),
    )
    reply = tokenizer.decode(run.new_token_ids, skip_special_tokens=True)
    size = checkpoint.stat().st_size + (args.out / TOKENIZER_FILE).stat().st_size
    print(f"parameters: {numpy_model.num_parameters():,}")
    print(f"greedy reply: {prompt!r} ->{reply!r} (stop: {run.stop_reason})")
    print(f"held-out label accuracy: {accuracy:.2%} on {len(split.held_out)} messages")
    print(
        f"training time: {train_seconds:.1f} s wall, {train_cpu_seconds:.1f} s CPU "
        f"({torch.get_num_threads()} threads)"
    )
    print(f"checkpoint size: {size / 1e6:.2f} MB ({checkpoint.name} + {TOKENIZER_FILE})")


if __name__ == "__main__":
    main()
