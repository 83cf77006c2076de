"""Tests of llmhistory.tiny.quantized: the quantized tiny model, its bytes, perplexity, reports."""

from __future__ import annotations

import numpy as np
import pytest

from llmhistory.concepts.quantization import QuantScheme
from llmhistory.tiny import load_tiny
from llmhistory.tiny.corpus import Ticket
from llmhistory.tiny.model import TinyDecoder, rms_norm, tiny_config
from llmhistory.tiny.quantized import (
    block_inputs,
    held_out_texts,
    layer_matrices,
    perplexity,
    quantize_model,
    report_rows,
    scheme_report,
)

MODEL, TOKENIZER = load_tiny("float64")
C = MODEL.config
TICKETS = [Ticket("I forgot my password.", "Account"), Ticket("Where is my parcel?", "Shipping")]
TEXTS = held_out_texts(TICKETS)


class TestQuantizeModel:
    def test_int8_channel_bytes_by_hand(self):
        d, hd, f = C.d_model, C.head_dim, C.d_ff
        shapes = [(C.heads * hd, d), (C.kv_heads * hd, d), (C.kv_heads * hd, d), (d, C.heads * hd)]
        shapes += [(f, d), (f, d), (d, f)]
        expected = C.layers * sum(out * inp + 2 * out for out, inp in shapes)  # 1 B + fp16/row
        q = quantize_model(MODEL, QuantScheme(bits=8))
        assert q.quantized_bytes == expected
        assert q.float_bytes == 8 * C.layers * sum(out * inp for out, inp in shapes)

    def test_only_layer_matrices_change_and_within_half_a_step(self):
        q = quantize_model(MODEL, QuantScheme(bits=4, granularity="group", group_size=32))
        before, after = MODEL.state_dict(), q.model.state_dict()
        changed = {n for n in before if not np.array_equal(before[n], after[n])}
        assert changed == set(layer_matrices(MODEL))
        for name in changed:
            w = before[name]
            groups = np.abs(w.reshape(w.shape[0], -1, 32)).max(-1, keepdims=True) / 7
            step = np.repeat(groups, 32, axis=-1).reshape(w.shape)
            assert (np.abs(after[name] - w) <= step / 2 + 1e-12).all(), name

    def test_group_size_must_divide(self):
        with pytest.raises(ValueError, match="q_proj.*group_size=64 must divide"):
            quantize_model(MODEL, QuantScheme(bits=4, granularity="group", group_size=64))

    def test_bad_inputs(self):
        with pytest.raises(TypeError, match="model"):
            quantize_model("tiny", QuantScheme())
        with pytest.raises(TypeError, match="scheme"):
            quantize_model(MODEL, "int8")


class TestPerplexity:
    def test_uniform_model_has_the_vocabulary_as_perplexity(self):
        weights = {name: np.zeros_like(a) for name, a in MODEL.state_dict().items()}
        uniform = TinyDecoder(C, weights)  # every logit 0
        assert perplexity(uniform, TOKENIZER, ["Hello there", "Label: Refund"]) == pytest.approx(
            C.vocab_size
        )

    def test_equals_an_explicit_mean(self):
        ids = TOKENIZER.encode("Message: hi", add_bos=True, add_eos=True)
        logits = MODEL.logits(ids[:-1])
        logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
        nll = -np.mean([logp[i, ids[i + 1]] for i in range(len(ids) - 1)])
        assert perplexity(MODEL, TOKENIZER, ["Message: hi"]) == pytest.approx(np.exp(nll))

    def test_bad_inputs(self):
        with pytest.raises(ValueError, match="texts"):
            perplexity(MODEL, TOKENIZER, [])
        with pytest.raises(ValueError, match=r"texts\[1\]"):
            perplexity(MODEL, TOKENIZER, ["ok", " "])
        with pytest.raises(TypeError, match="tokenizer"):
            perplexity(MODEL, "bpe", ["ok"])


class TestReports:
    def test_float_report_has_no_error(self):
        report = scheme_report(MODEL, TOKENIZER, None, TEXTS, TICKETS, probes=1)
        assert report.label == "float" and report.max_logit_error == 0.0
        assert report.layer_bytes == quantize_model(MODEL, QuantScheme()).float_bytes
        assert 0.0 <= report.accuracy <= 1.0

    def test_int8_changes_logits_a_little_and_int4_more(self):
        int8 = scheme_report(MODEL, TOKENIZER, QuantScheme(bits=8), TEXTS, TICKETS, probes=2)
        int4 = scheme_report(
            MODEL, TOKENIZER, QuantScheme(bits=4, granularity="tensor"), TEXTS, TICKETS, probes=2
        )
        assert 0.0 < int8.max_logit_error < int4.max_logit_error
        assert int4.layer_bytes < int8.layer_bytes

    def test_held_out_texts(self):
        assert held_out_texts(TICKETS)[1] == "Message: Where is my parcel?\nLabel: Shipping"
        with pytest.raises(ValueError, match="tickets"):
            held_out_texts([])


class TestBlockInputs:
    def test_layer_0_is_the_normalised_embedding(self):
        ids = TOKENIZER.encode("Where is my order?", add_bos=True)
        block = MODEL.blocks[0]
        expected = rms_norm(MODEL.embed[ids], block.attn_norm, C.norm_eps)
        assert np.allclose(block_inputs(MODEL, ids), expected)

    def test_bad_layer(self):
        with pytest.raises(ValueError, match="layer=3 must be < layers=3"):
            block_inputs(MODEL, [1, 2], layer=3)
        small = TinyDecoder.random(
            tiny_config(vocab_size=9, d_model=4, layers=1, heads=1, kv_heads=1, d_ff=4, context=4)
        )
        assert block_inputs(small, [1]).shape == (1, 4)


class TestReportRows:
    def test_shares_of_the_first(self):
        reports = [
            scheme_report(MODEL, TOKENIZER, None, TEXTS, TICKETS, probes=1),
            scheme_report(MODEL, TOKENIZER, QuantScheme(bits=8), TEXTS, TICKETS, probes=1),
        ]
        rows = report_rows(reports)
        assert rows[0][:3] == ("float", reports[0].layer_bytes / 1024, 1.0)
        assert rows[1][2] == reports[1].layer_bytes / reports[0].layer_bytes
        with pytest.raises(TypeError, match="reports"):
            report_rows([1.0])
