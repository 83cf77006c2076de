#!/usr/bin/env python3
"""Print chapter 15's measured serving figures for this machine, side by side.

Usage::

    OPENBLAS_NUM_THREADS=1 python benchmarks/serving_measured.py

* prefill against decode of the shipped tiny model (tokens/s, one BLAS thread, fresh process);
* the quantization table (bytes of the layer matrices, max logit error, held-out perplexity,
  label accuracy on the hand-written evaluation set), which is the same on every machine;
* speculative decoding with the shipped draft: acceptance, tokens per target pass and the
  wall-time speed-up over plain cached greedy decoding, for k = 1..8.

Timings depend on the machine and on what else runs; this prints them, it asserts nothing.
"""

from __future__ import annotations

from llmhistory.book.tables import format_table
from llmhistory.concepts.prompts import SUPPORT_EXAMPLES, SUPPORT_LABELS, build_label_prompt
from llmhistory.concepts.quantization import QuantScheme
from llmhistory.concepts.speculative import expected_tokens_per_round
from llmhistory.tiny import load_tiny
from llmhistory.tiny.corpus import support_split
from llmhistory.tiny.evaluation import load_support_set
from llmhistory.tiny.quantized import held_out_texts, report_rows, scheme_report
from llmhistory.tiny.speculative import load_draft, measure_speedup
from llmhistory.tiny.throughput import measure_phases_one_thread


def main() -> None:
    model, tokenizer = load_tiny()
    prompt = build_label_prompt("My parcel never arrived.", SUPPORT_EXAMPLES, labels=SUPPORT_LABELS)
    t = measure_phases_one_thread(prompt, new_tokens=64, repeats=5)
    print("== prefill vs decode (one BLAS thread)")
    print(
        format_table(
            [
                ("prefill", t.prefill_tokens, t.prefill_seconds * 1e3, t.prefill_tokens_per_s),
                ("decode", t.decode_tokens, t.decode_seconds * 1e3, t.decode_tokens_per_s),
            ],
            ["phase", "tokens", "ms", "tokens/s"],
            formats={"ms": ".1f", "tokens/s": ",.0f"},
        )
    )
    print(f"prefill / decode tokens per second: {t.ratio:.1f}x\n")

    model64, _ = load_tiny("float64")
    texts = held_out_texts(support_split(n_train=6000, n_held_out=100, seed=0).held_out)
    schemes = [
        None,
        QuantScheme(bits=8, granularity="channel"),
        QuantScheme(bits=4, granularity="tensor"),
        QuantScheme(bits=4, granularity="channel"),
        QuantScheme(bits=4, granularity="group", group_size=32),
    ]
    reports = [
        scheme_report(model64, tokenizer, s, texts, list(load_support_set("eval"))) for s in schemes
    ]
    print("== weight quantization of the layer matrices")
    print(
        format_table(
            report_rows(reports),
            ["scheme", "KiB", "of float32", "max logit error", "perplexity", "accuracy"],
            formats={
                "KiB": ".0f",
                "of float32": ".3f",
                "max logit error": ".3f",
                "perplexity": ".3f",
                "accuracy": ".1%",
            },
        )
    )
    print()

    prompts = [
        tokenizer.encode(f"Customer: {m}\nAgent:", add_bos=True)
        for m in ("Where is my order?", "I want my money back.", "I forgot my password.")
    ]
    points = measure_speedup(model, load_draft(), prompts, [1, 2, 3, 4, 6, 8], max_new_tokens=48)
    print("== speculative decoding, greedy, shipped draft (outputs checked identical)")
    print(
        format_table(
            [
                (
                    p.k,
                    p.acceptance_rate,
                    p.tokens_per_round,
                    expected_tokens_per_round(p.acceptance_rate, p.k),
                    p.speedup,
                )
                for p in points
            ],
            ["k", "acceptance", "tokens/pass", "formula", "speed-up"],
            formats={
                "acceptance": ".1%",
                "tokens/pass": ".2f",
                "formula": ".2f",
                "speed-up": ".2f",
            },
        )
    )


if __name__ == "__main__":
    main()
