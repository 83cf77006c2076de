#!/usr/bin/env python3
"""Write what the Python model computes, as JSON, for the JavaScript twin to be checked against.

Usage::

    python scripts/js_fixtures.py --out DIR     # then: LLMH_JS_FIXTURES=DIR node --test tests/js

Written from the shipped files every time (``src/llmhistory/tiny/data``), never stored: the
model is retrained now and then, and the JavaScript model must match whatever is shipped.
``tests/test_live_js.py`` runs both steps. ``DIR`` receives:

* ``fixtures.json``: the shipped files' paths; token ids of >= 200 strings (ASCII, accents,
  CJK, emoji, the empty string, a very long one, control characters, Python-only whitespace);
  the float64 and float32 logits of every position of 24 prompts, and of the same prompts fed
  through the KV cache in two chunks; greedy and seeded sampled generations; the label scores
  of ``rank_labels``; the attention weights of one prompt;
* ``moe.safetensors`` + its logits: a small random mixture-of-experts model (top-2 of 4
  experts, untied head), which the dense shipped model does not exercise.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
from importlib import resources
from pathlib import Path

import numpy as np

from llmhistory.concepts.decoding import DecodingPolicy
from llmhistory.concepts.prompts import SUPPORT_EXAMPLES, SUPPORT_LABELS, build_label_prompt
from llmhistory.tiny import load_tiny
from llmhistory.tiny.checkpoint import CHECKPOINT_FILE, TOKENIZER_FILE, save_model
from llmhistory.tiny.generation import generate_ids, rank_labels
from llmhistory.tiny.model import TinyDecoder, tiny_config

DATA = resources.files("llmhistory.tiny") / "data"


def messages() -> list[str]:
    """Return the hand-written support messages of the shipped evaluation and dev sets."""
    out = []
    for name in ("eval_support.jsonl", "dev_support.jsonl"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line)["message"])
    return out


def tokenizer_strings() -> list[str]:
    """Return >= 200 strings covering what a reader may type (and what they rarely do)."""
    fixed = [
        "",
        " ",
        "Where is my order?",
        "  two  spaces\tand a tab\n\nnew lines \r\n",
        "Café crème, naïve façade, señor, Ærøskøbing, Ελληνικά",
        "注文はどこですか？我的订单在哪里？주문이 어디 있나요?",
        "📦🚚 where is it 👀🙏🏽 👨‍👩‍👧 🇫🇷",
        "control\x00\x01\x07\x1b[0m chars\x7f",
        "python-only whitespace \x1c\x1d\x1e\x1f and \x85 next line",
        "unicode spaces\u00a0\u2003\u2009\u202f\u3000 and BOM \ufeff here",
        "<bos><eos> are plain text",
        "Order #448812, ORD-20931, $64.98, 32,50 €, USD 120",
        "A" * 3000,
        "where is my order? " * 200,
        "\u0301 combining accent first, e\u0301 then",
        "mixed 123abc!!! ??? ... --- ___",
        "\U0001f9d1\u200d\U0001f4bb zero width joiner",
        "tab\tseparated\tvalues\t1\t2",
        "   leading and trailing   ",
        "\n",
    ]
    rng = random.Random(0)
    alphabet = "aAzZ09 \t\n!?.,'-éüñ€£中文日本語한국😀📦\x00\x1f\x85\u2028\ufeff"
    generated = [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))) for _ in range(60)
    ]
    return fixed + messages() + generated


PROMPTS = [
    "Customer: Where is my order?\nAgent:",
    "Message: I forgot my password.\nLabel:",
    "Policy: damaged items may be returned within",
    "Hi",
    "x",
    "📦 où est mon colis ? 注文",
]


def logits_prompts(tokenizer: object) -> list[list[int]]:
    """Return 24 prompts as token ids (with <bos>): set phrases, messages, a long label prompt."""
    texts = PROMPTS + messages()[:16]
    ids = [tokenizer.encode(t, add_bos=True) for t in texts]
    label = build_label_prompt(messages()[0], SUPPORT_EXAMPLES, labels=SUPPORT_LABELS)
    ids.append(tokenizer.encode(label, add_bos=True))
    ids.append([tokenizer.bos_id])
    return ids


def cached_logits(model: TinyDecoder, ids: list[int]) -> np.ndarray:
    """Return the logits of ``ids`` run through the KV cache in two chunks."""
    cut = max(1, len(ids) // 2)
    first, cache = model.forward_step(ids[:cut])
    if cut == len(ids):
        return first
    second, _ = model.forward_step(ids[cut:], cache)
    return np.concatenate([first, second])


def packed(array: np.ndarray) -> dict:
    """Return ``array`` as ``{"shape", "f32"}``: its float32 little-endian bytes in base64."""
    array = np.asarray(array, dtype="<f4")
    return {"shape": list(array.shape), "f32": base64.b64encode(array.tobytes()).decode("ascii")}


def moe_case(out: Path) -> dict:
    """Write a random mixture-of-experts checkpoint to ``out``; return its prompts and logits."""
    config = tiny_config(
        vocab_size=40,
        d_model=16,
        layers=2,
        heads=4,
        kv_heads=2,
        d_ff=24,
        context=32,
        num_experts=4,
        experts_per_token=2,
        tied_embeddings=False,
    )
    model = TinyDecoder.random(config, seed=3, std=0.3)
    path = save_model(model, out / "moe.safetensors", dtype="float32")
    prompts = [[1, 2, 3, 4, 5], [7], list(range(0, 40, 3))]
    wide = TinyDecoder(config, {k: v.astype("float64") for k, v in model.state_dict().items()})
    return {
        "path": str(path),
        "cases": [{"ids": p, "logits": packed(wide.logits(p))} for p in prompts],
    }


def build(out: Path) -> dict:
    """Return the fixtures (and write the MoE checkpoint into ``out``)."""
    model64, tokenizer = load_tiny("float64")
    model32, _ = load_tiny("float32")
    strings = tokenizer_strings()
    prompts = logits_prompts(tokenizer)
    logits = [
        {
            "ids": ids,
            "float64": packed(model64.logits(ids)),
            "float32": packed(model32.logits(ids)),
            "cached": packed(cached_logits(model64, ids)),
        }
        for ids in prompts
    ]
    greedy_prompts = [tokenizer.encode(t, add_bos=True) for t in PROMPTS[:3] + messages()[:5]]
    greedy = [
        {
            "prompt": p,
            "new": list(
                generate_ids(
                    model64, p, max_new_tokens=40, stop_tokens=(tokenizer.eos_id,)
                ).new_token_ids
            ),
        }
        for p in greedy_prompts
    ]
    policies = [
        {"temperature": 1.0, "topK": None, "topP": None},
        {"temperature": 0.7, "topK": 50, "topP": None},
        {"temperature": 1.3, "topK": None, "topP": 0.9},
        {"temperature": 2.0, "topK": 10, "topP": 0.95},
    ]
    sampled = []
    for i, p in enumerate(greedy_prompts[:4]):
        for j, pol in enumerate(policies):
            seed = 7 * i + j
            policy = DecodingPolicy.sampling(pol["temperature"], pol["topK"], pol["topP"])
            run = generate_ids(
                model64,
                p,
                max_new_tokens=30,
                policy=policy,
                seed=seed,
                stop_tokens=(tokenizer.eos_id,),
            )
            sampled.append(
                {"prompt": p, "policy": pol, "seed": seed, "new": list(run.new_token_ids)}
            )
    labels = [
        {
            "message": m,
            "prompt": build_label_prompt(m, SUPPORT_EXAMPLES, labels=SUPPORT_LABELS),
            "ranking": [
                [label, score]
                for label, score in rank_labels(
                    model64,
                    tokenizer,
                    build_label_prompt(m, SUPPORT_EXAMPLES, labels=SUPPORT_LABELS),
                    SUPPORT_LABELS,
                )
            ],
        }
        for m in messages()[:6]
    ]
    attention_ids = tokenizer.encode("Where is my order?", add_bos=True)
    return {
        "checkpoint": str(DATA / CHECKPOINT_FILE),
        "tokenizer": str(DATA / TOKENIZER_FILE),
        "num_parameters": model64.num_parameters(),
        "labels": list(SUPPORT_LABELS),
        "tokens": [{"text": s, "ids": tokenizer.encode(s)} for s in strings],
        "decode": [{"ids": g["new"], "text": tokenizer.decode(g["new"])} for g in greedy + sampled],
        "logits": logits,
        "greedy": greedy,
        "sampled": sampled,
        "rank_labels": labels,
        "attention": {
            "ids": attention_ids,
            "weights": packed(model64.attention_weights(attention_ids)),
        },
        "moe": moe_case(out),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="directory to write into")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    fixtures = build(args.out)
    (args.out / "fixtures.json").write_text(json.dumps(fixtures), encoding="utf-8")
    print(
        f"wrote {args.out / 'fixtures.json'}: {len(fixtures['tokens'])} strings, "
        f"{len(fixtures['logits'])} prompts"
    )


if __name__ == "__main__":
    main()
