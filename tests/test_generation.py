"""Tests of llmhistory.tiny.generation (the next-token loop over the tiny model) and
llmhistory.tiny.bench."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmhistory.concepts.decoding import DecodingPolicy, log_softmax
from llmhistory.concepts.prompts import SUPPORT_EXAMPLES, SUPPORT_LABELS, build_label_prompt
from llmhistory.tiny import load_tiny
from llmhistory.tiny.bench import BenchResult, format_benchmark, main, run_benchmark
from llmhistory.tiny.corpus import Ticket
from llmhistory.tiny.generation import (
    generate_ids,
    generate_text,
    label_accuracy,
    next_logits_function,
    rank_labels,
)
from llmhistory.tiny.model import TinyDecoder, tiny_config
from llmhistory.tiny.tokenizer import BPETokenizer

SMALL = tiny_config(vocab_size=30, d_model=16, layers=2, heads=4, kv_heads=2, d_ff=16, context=24)
SAMPLING = [
    DecodingPolicy(),
    DecodingPolicy.sampling(temperature=0.8),
    DecodingPolicy.sampling(top_k=5),
    DecodingPolicy.sampling(top_p=0.9),
    DecodingPolicy.sampling(temperature=1.3, top_k=10, top_p=0.8),
]


@pytest.fixture(scope="module")
def shipped():
    return load_tiny()


@pytest.fixture(scope="module")
def small_model():
    return TinyDecoder.random(SMALL, seed=2, std=0.5, dtype="float64")


class TestLoop:
    @pytest.mark.parametrize("policy", SAMPLING)
    def test_cache_and_recompute_agree(self, small_model, policy):
        runs = [
            generate_ids(
                small_model, [1, 2, 3], max_new_tokens=15, policy=policy, seed=4, use_cache=cache
            )
            for cache in (True, False)
        ]
        assert runs[0] == runs[1]
        assert len(runs[0].new_token_ids) == 15 and runs[0].token_ids[:3] == (1, 2, 3)

    @settings(max_examples=15)
    @given(st.integers(0, 1000))
    def test_seeded_sampling_reproducible(self, seed):
        model = TinyDecoder.random(SMALL, seed=2, std=0.5, dtype="float64")
        policy = DecodingPolicy.sampling(temperature=1.5)
        a = generate_ids(model, [0], max_new_tokens=8, policy=policy, seed=seed)
        b = generate_ids(model, [0], max_new_tokens=8, policy=policy, seed=seed)
        assert a == b

    def test_different_seeds_differ(self, small_model):
        policy = DecodingPolicy.sampling(temperature=2.0)
        outputs = {
            generate_ids(small_model, [0], max_new_tokens=10, policy=policy, seed=s).token_ids
            for s in range(5)
        }
        assert len(outputs) > 1

    def test_top_k_one_equals_greedy(self, small_model):
        greedy = generate_ids(small_model, [4, 5], max_new_tokens=10)
        top1 = generate_ids(
            small_model, [4, 5], max_new_tokens=10, policy=DecodingPolicy.sampling(top_k=1), seed=9
        )
        assert greedy.token_ids == top1.token_ids

    def test_stop_token(self, small_model):
        free = generate_ids(small_model, [1], max_new_tokens=10)
        stop = free.new_token_ids[3]
        run = generate_ids(small_model, [1], max_new_tokens=10, stop_tokens=[stop])
        assert run.stop_reason == "stop_token" and run.new_token_ids[-1] == stop
        assert len(run.new_token_ids) == free.new_token_ids.index(stop) + 1

    def test_zero_new_tokens_and_full_context(self, small_model):
        assert generate_ids(small_model, [1, 2], max_new_tokens=0).new_token_ids == ()
        run = generate_ids(small_model, [1] * 4, max_new_tokens=20)
        assert len(run.token_ids) == SMALL.context

    def test_next_logits_function(self, small_model):
        cached = next_logits_function(small_model)
        full = next_logits_function(small_model, use_cache=False)
        assert np.allclose(cached([1, 2, 3]), full([1, 2, 3]))
        assert np.allclose(cached([1, 2, 3, 4, 5]), full([1, 2, 3, 4, 5]))
        with pytest.raises(ValueError, match="one growing sequence"):
            cached([1, 2])


class TestShippedGeneration:
    def test_reply_stops_at_eos(self, shipped):
        model, tokenizer = shipped
        text = generate_text(model, tokenizer, "Customer: Where is my order?\nAgent:")
        assert text.startswith(" ") and "<eos>" not in text and "\n" not in text
        assert text.rstrip().endswith(".")

    def test_cache_flag_gives_same_text(self, shipped):
        model, tokenizer = shipped
        prompt = "Customer: I forgot my password.\nAgent:"
        policy = DecodingPolicy.sampling(temperature=0.9, top_p=0.95)
        texts = {
            generate_text(
                model, tokenizer, prompt, policy=policy, seed=3, use_cache=cache, max_new_tokens=30
            )
            for cache in (True, False)
        }
        assert len(texts) == 1

    def test_policy_completion(self, shipped):
        model, tokenizer = shipped
        text = generate_text(
            model, tokenizer, "Policy: damaged items may be returned within", max_new_tokens=8
        )
        assert text == " 30 days."


class TestRankLabels:
    def test_chapter_example_is_shipping(self, shipped):
        prompt = build_label_prompt(
            "My order says delivered but it's not here.", SUPPORT_EXAMPLES, labels=SUPPORT_LABELS
        )
        ranking = rank_labels(*shipped, prompt, SUPPORT_LABELS)
        assert ranking[0][0] == "Shipping"
        scores = [score for _, score in ranking]
        assert scores == sorted(scores, reverse=True) and all(s <= 0 for s in scores)
        assert sum(np.exp(scores)) <= 1.0 + 1e-9

    @pytest.mark.parametrize("labels", [SUPPORT_LABELS, ("Shipping soon", "Refund me", "x")])
    def test_matches_full_forward(self, shipped, labels):
        model, tokenizer = shipped
        prompt = build_label_prompt(
            "I want my money back for the lamp.", SUPPORT_EXAMPLES, labels=SUPPORT_LABELS
        )
        prompt_ids = tokenizer.encode(prompt, add_bos=True)
        for label, score in rank_labels(model, tokenizer, prompt, labels):
            ids = tokenizer.encode(" " + label)
            logprobs = log_softmax(model.logits(prompt_ids + ids), axis=-1)
            rows = np.arange(len(prompt_ids) - 1, len(prompt_ids) + len(ids) - 1)
            assert score == pytest.approx(float(logprobs[rows, ids].sum()), abs=1e-4)

    def test_label_accuracy(self, shipped):
        tickets = [
            Ticket("I want my money back.", "Refund"),
            Ticket("I forgot my password.", "Account"),
            Ticket("Where is my order A12345?", "Shipping"),
        ]
        assert label_accuracy(*shipped, tickets) == 1.0
        wrong = [Ticket("I forgot my password.", "Refund")]
        assert label_accuracy(*shipped, wrong) == 0.0


class TestBadInput:
    @pytest.mark.parametrize(
        ("call", "error", "match"),
        [
            (lambda m, t: generate_ids(m, [], max_new_tokens=2), ValueError, "token_ids"),
            (lambda m, t: generate_ids(m, "hi", max_new_tokens=2), TypeError, "prompt_ids"),
            (lambda m, t: generate_ids(m, [600]), ValueError, "token_ids holds id 600"),
            (lambda m, t: generate_ids(m, [1], max_new_tokens=400), ValueError, "max_new_tokens"),
            (lambda m, t: generate_ids(m, [1], max_new_tokens=-1), ValueError, "max_new_tokens"),
            (lambda m, t: generate_ids(m, [1], seed=-2), ValueError, "seed"),
            (lambda m, t: generate_ids(m, [1], use_cache="y"), TypeError, "use_cache"),
            (lambda m, t: generate_ids(m, [1], policy="greedy"), TypeError, "policy"),
            (lambda m, t: generate_ids("model", [1]), TypeError, "model"),
            (lambda m, t: generate_text(m, t, ""), ValueError, "prompt"),
            (lambda m, t: generate_text(m, t, 5), TypeError, "prompt"),
            (lambda m, t: generate_text(m, "tok", "hi"), TypeError, "tokenizer"),
            (lambda m, t: generate_text(m, BPETokenizer([]), "hi"), ValueError, "vocab_size"),
            (lambda m, t: rank_labels(m, t, "Label:", "Refund"), TypeError, "labels"),
            (lambda m, t: rank_labels(m, t, "Label:", []), ValueError, "labels"),
            (lambda m, t: rank_labels(m, t, "Label:", ["A", "A"]), ValueError, "distinct"),
            (lambda m, t: rank_labels(m, t, "Label:", ["A", " "]), ValueError, r"labels\[1\]"),
            (lambda m, t: rank_labels(m, t, "word " * 400, ["A"]), ValueError, "context"),
            (lambda m, t: label_accuracy(m, t, []), ValueError, "tickets"),
            (lambda m, t: next_logits_function("m"), TypeError, "model"),
        ],
    )
    def test_table(self, shipped, call, error, match):
        with pytest.raises(error, match=match):
            call(*shipped)


class TestBench:
    def test_run_benchmark(self, shipped):
        result = run_benchmark(*shipped, new_tokens=6, repeats=1, reference=False, sgemm_sizes=[64])
        assert result.new_tokens == 6 and result.prompt_tokens > 1
        assert result.cache_nbytes == result.formula_nbytes
        c = shipped[0].config
        assert result.cache_shape == (c.layers, 2, 1, c.kv_heads, 6, c.head_dim)
        assert result.cached_tokens_per_s > 0 and result.full_forward_ms > 0
        assert result.speedup == pytest.approx(
            result.cached_tokens_per_s / result.uncached_tokens_per_s
        )
        assert "speedup with the cache" in format_benchmark(result)

    def test_main_prints(self, capsys):
        assert main(["--tokens", "3", "--repeats", "1", "--generate-repeats", "1"]) == 0
        out = capsys.readouterr().out
        assert "tokens/s" in out and "match=True" in out

    def test_disagreement_is_reported(self, shipped, monkeypatch):
        import llmhistory.tiny.bench as bench

        real = bench.generate_ids

        def flaky(model, prompt_ids, *, max_new_tokens, use_cache):
            run = real(model, prompt_ids, max_new_tokens=max_new_tokens, use_cache=use_cache)
            return (
                run
                if use_cache
                else replace(
                    run,
                    token_ids=run.token_ids[:-1] + (0,),
                    new_token_ids=run.new_token_ids[:-1] + (0,),
                )
            )

        monkeypatch.setattr(bench, "generate_ids", flaky)
        with pytest.raises(ValueError, match="disagree"):
            bench.run_benchmark(*shipped, new_tokens=2, repeats=1, reference=False)

    def test_bad_arguments(self, shipped):
        with pytest.raises(ValueError, match="new_tokens"):
            run_benchmark(*shipped, new_tokens=0)
        with pytest.raises(TypeError, match="result"):
            format_benchmark("fast")
        assert isinstance(BenchResult(1, 1, 2.0, 1.0, 1.0, (1,), 0, 0).speedup, float)
