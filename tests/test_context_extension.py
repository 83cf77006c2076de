"""Tests of llmhistory.tiny.context_extension: the default path bit-identical, the scaled tables,
long held-out texts, the windowed baseline and the report."""

from __future__ import annotations

import numpy as np
import pytest

from llmhistory.concepts.rope import (
    SCALING_METHODS,
    frequency_tables,
    rope_tables,
    scaled_frequencies,
    yarn_attention_scale,
)
from llmhistory.tiny import load_tiny
from llmhistory.tiny.context_extension import (
    TRAINED_POSITIONS,
    ExtensionResult,
    extend_context,
    extension_report,
    held_out_sequences,
    token_nll,
    windowed_nll,
)
from llmhistory.tiny.corpus import Ticket, support_split


@pytest.fixture(scope="module")
def shipped():
    return load_tiny()


@pytest.fixture(scope="module")
def held_out():
    return support_split(n_train=6000, n_held_out=100, seed=0).held_out


@pytest.fixture(scope="module")
def text(shipped, held_out):
    return held_out_sequences(shipped[1], held_out, 300, 1)[0]


class TestExtendContext:
    def test_default_path_is_bit_identical(self, shipped, text):
        model, _ = shipped
        same = extend_context(model, model.config.context)
        assert same.config == model.config
        np.testing.assert_array_equal(same.rope_cos, model.rope_cos)
        np.testing.assert_array_equal(same.rope_sin, model.rope_sin)
        np.testing.assert_array_equal(same.logits(text), model.logits(text))

    def test_original_model_untouched(self, shipped):
        model, _ = shipped
        cos = model.rope_cos.copy()
        longer = extend_context(model, 1024, "pi")
        assert model.config.context == 384 and longer.config.context == 1024
        np.testing.assert_array_equal(model.rope_cos, cos)
        assert longer.rope_cos.shape == (1024, model.config.head_dim)

    def test_plain_rope_extends_the_same_tables(self, shipped):
        model, _ = shipped
        longer = extend_context(model, 600)
        np.testing.assert_array_equal(longer.rope_cos[:384], model.rope_cos)
        cos, _ = rope_tables(np.arange(600), model.config.head_dim, model.config.rope_base)
        np.testing.assert_array_equal(longer.rope_cos, cos.astype(np.float32))

    def test_pi_reads_position_2k_as_k(self, shipped):
        # factor 2: (2k) * (theta / 2) == k * theta exactly (halving is exact in binary)
        model, _ = shipped
        pi = extend_context(model, 2 * TRAINED_POSITIONS, "pi")
        np.testing.assert_array_equal(pi.rope_cos[0::2], model.rope_cos[:TRAINED_POSITIONS])
        np.testing.assert_array_equal(pi.rope_sin[0::2], model.rope_sin[:TRAINED_POSITIONS])

    @pytest.mark.parametrize("method", SCALING_METHODS)
    def test_tables_follow_the_method(self, shipped, method):
        model, _ = shipped
        c = model.config
        longer = extend_context(model, 768, method)
        freqs = scaled_frequencies(method, c.head_dim, c.rope_base, 3.0, TRAINED_POSITIONS)
        cos, sin = frequency_tables(np.arange(768), freqs)
        scale = yarn_attention_scale(3.0) if method == "yarn" else 1.0
        np.testing.assert_allclose(longer.rope_cos, cos * scale, atol=1e-6)
        np.testing.assert_allclose(longer.rope_sin, sin * scale, atol=1e-6)

    def test_yarn_scales_queries_and_keys(self, shipped):
        model, _ = shipped
        yarn = extend_context(model, 1024, "yarn")
        norms = np.hypot(yarn.rope_cos, yarn.rope_sin)
        np.testing.assert_allclose(norms, yarn_attention_scale(4.0), rtol=1e-6)

    def test_shorter_context_has_factor_one(self, shipped):
        model, _ = shipped
        short = extend_context(model, 100, "yarn")
        np.testing.assert_array_equal(short.rope_cos, model.rope_cos[:100])

    @pytest.mark.parametrize(
        "kwargs, error, name",
        [
            (dict(model="tiny"), TypeError, "model"),
            (dict(context=0), ValueError, "context"),
            (dict(context=2.5), TypeError, "context"),
            (dict(method="linear"), ValueError, "method"),
            (dict(method=None), TypeError, "method"),
            (dict(original_context=0), ValueError, "original_context"),
        ],
    )
    def test_bad_inputs(self, shipped, kwargs, error, name):
        args = dict(model=shipped[0], context=512, method="pi")
        args.update(kwargs)
        with pytest.raises(error, match=name):
            extend_context(**args)


class TestHeldOutSequences:
    def test_lengths_and_format(self, shipped, held_out):
        tokenizer = shipped[1]
        texts = held_out_sequences(tokenizer, held_out, 768, 2)
        assert [t.shape for t in texts] == [(768,), (768,)]
        assert all(t.dtype == np.int64 and t[0] == tokenizer.bos_id for t in texts)
        first = tokenizer.encode(
            f"Message: {held_out[0].message}\nLabel: {held_out[0].label}",
            add_bos=True,
            add_eos=True,
        )
        assert texts[0][: len(first)].tolist() == first
        assert not np.array_equal(texts[0], texts[1])

    def test_tickets_run_out(self, shipped):
        with pytest.raises(ValueError, match="ran out"):
            held_out_sequences(shipped[1], [Ticket("Where is it?", "Shipping")] * 3, 500, 1)

    @pytest.mark.parametrize(
        "kwargs, error, name",
        [
            (dict(tokens=1), ValueError, "tokens"),
            (dict(count=0), ValueError, "count"),
            (dict(tickets=["Where is it?"]), TypeError, r"tickets\[0\]"),
            (dict(tokenizer=None), TypeError, "tokenizer"),
        ],
    )
    def test_bad_inputs(self, shipped, held_out, kwargs, error, name):
        args = dict(tokenizer=shipped[1], tickets=held_out, tokens=50, count=1)
        args.update(kwargs)
        with pytest.raises(error, match=name):
            held_out_sequences(**args)


class TestNll:
    def test_token_nll_against_logits(self, shipped, text):
        model, _ = shipped
        short = text[:20]
        logits = model.logits(short[:-1]).astype(np.float64)  # [19, vocab]
        probs = np.exp(logits - logits.max(1, keepdims=True))
        probs /= probs.sum(1, keepdims=True)
        expected = -np.log(probs[np.arange(19), short[1:]])
        np.testing.assert_allclose(token_nll(model, short), expected, rtol=1e-9)

    def test_window_covering_text_is_one_pass(self, shipped, text):
        model, _ = shipped
        np.testing.assert_array_equal(
            windowed_nll(model, text[:50], 64), token_nll(model, text[:50])
        )

    def test_windows_restart_at_each_piece(self, shipped, text):
        model, _ = shipped
        nll = windowed_nll(model, text[:41], 10)
        assert nll.shape == (40,)
        np.testing.assert_array_equal(nll[10:20], token_nll(model, text[10:21]))

    def test_window_reads_texts_longer_than_the_context(self, shipped, held_out):
        model, tokenizer = shipped
        long_text = held_out_sequences(tokenizer, held_out, 500, 1)[0]
        assert windowed_nll(model, long_text, 256).shape == (499,)
        with pytest.raises(ValueError, match="context"):
            token_nll(model, long_text)

    def test_one_token_refused(self, shipped):
        with pytest.raises(ValueError, match="at least 2"):
            token_nll(shipped[0], [1])
        with pytest.raises(ValueError, match="window"):
            windowed_nll(shipped[0], [1, 2], 0)


class TestReport:
    @pytest.fixture(scope="class")
    @classmethod
    def report(cls, shipped, held_out):
        model, tokenizer = shipped
        texts = held_out_sequences(tokenizer, held_out, 400, 1)
        return extension_report(model, texts, ["none", "pi", "llama3"])

    def test_rows(self, report):
        assert [r.method for r in report] == ["window", "none", "pi", "llama3"]
        assert all(isinstance(r, ExtensionResult) and r.tokens == 400 for r in report)
        assert [r.factor for r in report] == [1.0, 400 / 256, 400 / 256, 400 / 256]
        assert all(r.trained_perplexity >= 1 and r.beyond_perplexity >= 1 for r in report)

    def test_window_and_plain_rope_agree_on_trained_positions(self, report):
        # both read positions 0..255 of the text from its start with the same rotations
        assert report[0].trained_perplexity == pytest.approx(report[1].trained_perplexity)

    def test_interpolation_changes_trained_positions(self, report):
        # PI moves every position; Llama 3.1's scaling keeps the fast pairs. Asserted as what
        # holds for any model trained with RoPE at these angles, not as this model's ordering:
        # PI makes the trained positions worse, and Llama 3.1's rule, which keeps the fast pairs
        # as trained, moves their perplexity less than PI does (whether a little above or below
        # the window's is a property of one checkpoint; a candidate model put it below).
        window, _, pi, llama3 = report
        assert pi.trained_perplexity > window.trained_perplexity
        assert abs(llama3.trained_perplexity - window.trained_perplexity) < (
            pi.trained_perplexity - window.trained_perplexity
        )

    @pytest.mark.parametrize(
        "kwargs, error, name",
        [
            (dict(texts=[]), ValueError, "texts"),
            (dict(texts=[np.arange(400), np.arange(401)]), ValueError, "same number"),
            (dict(texts=[np.arange(300)]), ValueError, "beyond"),
            (dict(methods=["rope"]), ValueError, "methods"),
            (dict(beyond=0), ValueError, "beyond"),
        ],
    )
    def test_bad_inputs(self, shipped, kwargs, error, name):
        args = dict(model=shipped[0], texts=[np.arange(400) % 100], methods=["none"])
        args.update(kwargs)
        with pytest.raises(error, match=name):
            extension_report(**args)
