"""Tests of llmhistory.concepts.next_token: candidates, policy tables and the step-by-step loop
trace."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmhistory.concepts.decoding import DecodingPolicy, softmax
from llmhistory.concepts.next_token import (
    Candidate,
    LoopStep,
    format_candidates,
    format_loop_trace,
    kept_counts,
    policy_table,
    show_token,
    token_labels,
    top_candidates,
)
from llmhistory.tiny.generation import generate_ids, loop_trace
from llmhistory.tiny.model import TinyDecoder, tiny_config
from llmhistory.tiny.tokenizer import BPETokenizer, train_bpe

LOGITS = np.array([2.0, 1.0, 0.0, -1.0, -np.inf])
LABELS = ["Shipping", " Refund", "Account", "\n", "<eos>"]


@pytest.fixture(scope="module")
def tiny():
    tokenizer = train_bpe(["Customer: Where is my order?\nAgent: It is on the way."] * 4, 280)
    config = tiny_config(
        vocab_size=tokenizer.vocab_size,
        d_model=16,
        layers=2,
        heads=4,
        kv_heads=2,
        d_ff=32,
        context=64,
    )
    return TinyDecoder.random(config, seed=1, std=0.5, dtype="float64"), tokenizer


class TestLabels:
    def test_token_labels(self):
        labels = token_labels(BPETokenizer([(104, 105), (256, 33)]))
        assert labels[104] == "h" and labels[256] == "hi" and labels[257] == "hi!"
        assert labels[-2:] == ("<bos>", "<eos>")
        assert labels[200] == "\\xc8"  # a lone UTF-8 continuation byte stays visible
        assert len(labels) == 260

    def test_token_labels_refuses_other_objects(self):
        with pytest.raises(TypeError, match="tokenizer"):
            token_labels("gpt2")

    def test_show_token(self):
        assert show_token(" Agent") == "' Agent'"
        assert show_token("\n") == "'\\n'"
        assert show_token("") == "''"


class TestCandidates:
    def test_top_candidates_order_and_values(self):
        got = top_candidates(LOGITS, LABELS, k=3)
        assert [c.text for c in got] == ["Shipping", " Refund", "Account"]
        np.testing.assert_allclose([c.probability for c in got], softmax(LOGITS)[:3])
        assert got[0].token_id == 0

    def test_top_candidates_under_policy(self):
        got = top_candidates(LOGITS, LABELS, k=3, policy=DecodingPolicy.sampling(top_k=2))
        assert [c.probability for c in got][2] == 0.0
        assert sum(c.probability for c in got) == pytest.approx(1.0)

    @given(st.lists(st.floats(-20, 20), min_size=1, max_size=12), st.integers(1, 12))
    def test_probabilities_are_sorted(self, logits, k):
        k = min(k, len(logits))
        got = top_candidates(logits, [str(i) for i in range(len(logits))], k=k)
        probs = [c.probability for c in got]
        assert probs == sorted(probs, reverse=True)
        assert len(got) == k

    def test_format_candidates(self):
        text = format_candidates(top_candidates(LOGITS, LABELS, k=2), context="Label:")
        lines = text.splitlines()
        assert lines[0] == "after: 'Label:'"
        assert lines[2].split()[:3] == ["1", "'Shipping'", "0.644"]
        assert lines[3].split()[:3] == ["2", "'", "Refund'"]


class TestPolicyTable:
    def test_plain_softmax(self):
        text = policy_table(LOGITS, LABELS, show=3)
        lines = text.splitlines()
        assert lines[0] == "policy: temperature 1, top-k off, top-p off -> 4 of 5 tokens kept"
        assert lines[2].split()[1:3] == ["0.644", "0.644"]
        assert lines[-1].split() == ["(2", "others)", "0.032", "0.032"]

    def test_filters_drop_tokens(self):
        text = policy_table(LOGITS, LABELS, top_k=2, show=4)
        assert "2 of 5 tokens kept" in text
        assert text.count("dropped") == 2
        nucleus = policy_table(LOGITS, LABELS, top_p=0.5, show=4)
        assert "1 of 5 tokens kept" in nucleus
        assert "top-p 0.5" in nucleus

    def test_temperature_sharpens_and_flattens(self):
        cold = policy_table(LOGITS, LABELS, temperature=0.25, show=5).splitlines()
        hot = policy_table(LOGITS, LABELS, temperature=4.0, show=5).splitlines()
        assert float(cold[2].split()[2]) > 0.98
        assert float(hot[2].split()[2]) < 0.5

    def test_show_everything(self):
        text = policy_table(LOGITS, LABELS, show=5)
        assert "others" not in text


class TestKeptCounts:
    def test_top_k_is_fixed_top_p_adapts(self):
        rows = np.array([[8.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]])
        assert kept_counts(rows, DecodingPolicy.sampling(top_k=3)).tolist() == [3, 3]
        assert kept_counts(rows, DecodingPolicy.sampling(top_p=0.9)).tolist() == [1, 4]
        assert kept_counts(rows[0], DecodingPolicy.sampling()).shape == ()
        assert int(kept_counts(LOGITS, DecodingPolicy.sampling())) == 4  # -inf never kept

    def test_bad_inputs(self):
        with pytest.raises(ValueError, match="logits"):
            kept_counts(np.zeros((2, 2, 2)), DecodingPolicy.sampling())
        with pytest.raises(TypeError, match="policy"):
            kept_counts([1.0, 2.0], "greedy")


class TestLoopTrace:
    def test_greedy_trace_matches_generation(self, tiny):
        model, tokenizer = tiny
        steps = loop_trace(
            model, tokenizer, "Customer: Where is my order?\nAgent:", max_new_tokens=5
        )
        run = generate_ids(
            model,
            tokenizer.encode("Customer: Where is my order?\nAgent:", add_bos=True),
            max_new_tokens=5,
            stop_tokens=(tokenizer.eos_id,),
        )
        assert [s.token_id for s in steps] == list(run.new_token_ids)
        assert [s.step for s in steps] == list(range(1, len(steps) + 1))
        assert all(s.rank == 1 for s in steps)  # greedy always takes the favourite
        long_tail = loop_trace(
            model,
            tokenizer,
            "Customer: Where is my order?\nAgent:",
            max_new_tokens=1,
            tail_tokens=40,
        )
        assert long_tail[0].context_tail == "<bos>Customer: Where is my order?\nAgent:"

    def test_probability_is_the_model_softmax(self, tiny):
        model, tokenizer = tiny
        steps = loop_trace(model, tokenizer, "Agent:", max_new_tokens=1, tail_tokens=1)
        ids = tokenizer.encode("Agent:", add_bos=True)
        probs = softmax(model.logits(ids)[-1])
        assert steps[0].probability == pytest.approx(probs.max())
        assert steps[0].context_tail == ":"

    def test_sampling_is_seeded(self, tiny):
        model, tokenizer = tiny
        policy = DecodingPolicy.sampling(temperature=1.5)
        a = loop_trace(model, tokenizer, "Agent:", max_new_tokens=6, policy=policy, seed=3)
        b = loop_trace(model, tokenizer, "Agent:", max_new_tokens=6, policy=policy, seed=3)
        assert a == b
        assert all(1 <= s.rank <= tokenizer.vocab_size for s in a)

    def test_format(self, tiny):
        model, tokenizer = tiny
        text = format_loop_trace(loop_trace(model, tokenizer, "Agent:", max_new_tokens=3))
        lines = text.splitlines()
        assert lines[0].split() == ["step", "context", "tail", "chosen", "probability", "rank"]
        assert len(lines) == 4

    def test_format_known_row(self):
        text = format_loop_trace([LoopStep(2, " my order?", 7, "\n", 0.25, 3)])
        assert text.splitlines()[1].split() == ["2", "'", "my", "order?'", "'\\n'", "0.250", "3"]


@pytest.mark.parametrize(
    ("call", "error", "name"),
    [
        (lambda: top_candidates(LOGITS, LABELS[:2]), ValueError, "labels"),
        (lambda: top_candidates(LOGITS, "abcde"), TypeError, "labels"),
        (lambda: top_candidates(LOGITS, LABELS, k=6), ValueError, "k=6"),
        (lambda: top_candidates(LOGITS, LABELS, k=0), ValueError, "k"),
        (lambda: top_candidates([[1.0]], ["a"]), ValueError, "logits"),
        (lambda: top_candidates(LOGITS, [1, 2, 3, 4, 5]), TypeError, r"labels\[0\]"),
        (lambda: format_candidates([]), ValueError, "candidates"),
        (lambda: format_candidates("abc"), TypeError, "candidates"),
        (lambda: format_candidates([1]), TypeError, r"candidates\[0\]"),
        (
            lambda: format_candidates([Candidate(0, "a", 1.0)], context=3),
            TypeError,
            "context",
        ),
        (lambda: policy_table(LOGITS, LABELS, temperature=0), ValueError, "temperature"),
        (lambda: policy_table(LOGITS, LABELS, top_k=-1), ValueError, "top_k"),
        (lambda: policy_table(LOGITS, LABELS, top_k=9), ValueError, "top_k"),
        (lambda: policy_table(LOGITS, LABELS, top_p=0.0), ValueError, "top_p"),
        (lambda: policy_table(LOGITS, LABELS, top_p=1.5), ValueError, "top_p"),
        (lambda: policy_table(LOGITS, LABELS, show=6), ValueError, "show"),
        (lambda: policy_table(LOGITS, LABELS, show=0), ValueError, "show"),
        (lambda: format_loop_trace([]), ValueError, "steps"),
        (lambda: format_loop_trace(None), TypeError, "steps"),
        (lambda: format_loop_trace(["x"]), TypeError, r"steps\[0\]"),
    ],
)
def test_bad_inputs(call, error, name):
    with pytest.raises(error, match=name):
        call()


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"prompt": ""}, ValueError, "prompt"),
        ({"max_new_tokens": 0}, ValueError, "max_new_tokens"),
        ({"tail_tokens": 0}, ValueError, "tail_tokens"),
        ({"tokenizer": "bpe"}, TypeError, "tokenizer"),
        ({"model": "tiny"}, TypeError, "model"),
    ],
)
def test_loop_trace_bad_inputs(tiny, kwargs, error, name):
    model, tokenizer = tiny
    arguments = {"model": model, "tokenizer": tokenizer, "prompt": "Agent:", **kwargs}
    with pytest.raises(error, match=name):
        loop_trace(**arguments)
