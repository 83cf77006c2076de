"""Tests of chapter 4's tokens library: llmhistory.concepts.tokens (what a vocabulary costs),
llmhistory.tiny.vocabulary (the BPE at several sizes, token tax) and the tokenizer's number
splits and incremental trainer."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmhistory.concepts.models import count_parameters, get_config
from llmhistory.concepts.tokens import (
    count_words,
    embedding_parameters,
    output_head_flops,
    published_vocabulary_costs,
    tokenization_premium,
    tokens_per_word,
    vocabulary_cost,
)
from llmhistory.tiny.tokenizer import (
    NUMBER_SPLITS,
    BPETokenizer,
    pretoken_pattern,
    pretokenize,
    train_bpe,
)
from llmhistory.tiny.vocabulary import (
    STUDY_SIZES,
    Translation,
    measure_ladder,
    sample_order_ids,
    study_corpus,
    support_translations,
    token_tax,
    train_ladder,
    truncate,
)

TEXTS = [
    "Customer: Where is my order A10234?\nAgent: It was last scanned at 09:32 UTC.",
    "Message: I want my money back for the $149.99 coffee maker.\nLabel: Refund",
    "Policy: damaged items may be returned within 30 days.",
    "Où est ma commande ? Где мой заказ? 我的订单在哪里？",
] * 4
WORDS = st.text(alphabet="ab cde0123.é", max_size=30)


@pytest.fixture(scope="module")
def corpus():
    return study_corpus(300)


@pytest.fixture(scope="module")
def ladder(corpus):
    return train_ladder(corpus, (258, 300, 400, 512))


# -- an independent implementation to compare with ---------------------------------------------
def naive_train(texts, vocab_size, numbers="digits", min_frequency=2):
    """BPE training as in the textbooks: recount every pair after every merge."""
    words = Counter()
    for text in texts:
        words.update(tuple(p.encode("utf-8")) for p in pretokenize(text, numbers=numbers))
    merges = []
    while 258 + len(merges) < vocab_size:
        counts = Counter()
        for w, n in words.items():
            for pair in zip(w, w[1:], strict=False):
                counts[pair] += n
        if not counts:
            break
        pair, count = max(counts.items(), key=lambda kv: (kv[1], -kv[0][0], -kv[0][1]))
        if count < min_frequency:
            break
        new_id = 256 + len(merges)
        merges.append(pair)
        merged = Counter()
        for w, n in words.items():
            out, i = [], 0
            while i < len(w):
                if w[i : i + 2] == pair:
                    out.append(new_id)
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            merged[tuple(out)] += n
        words = merged
    return merges


def naive_encode(merges, text, numbers="digits"):
    """Encode by applying every merge, in training order, to every piece."""
    ids = []
    for piece in pretokenize(text, numbers=numbers):
        symbols = list(piece.encode("utf-8"))
        for rank, (a, b) in enumerate(merges):
            out, i = [], 0
            while i < len(symbols):
                if i + 1 < len(symbols) and symbols[i] == a and symbols[i + 1] == b:
                    out.append(256 + rank)
                    i += 2
                else:
                    out.append(symbols[i])
                    i += 1
            symbols = out
        ids.extend(symbols)
    return ids


# -- llmhistory.concepts.tokens ----------------------------------------------------------------
class TestVocabularyCost:
    @pytest.mark.parametrize(
        ("name", "vocab_size", "d_model", "params"),
        [
            ("gpt2", 50257, 768, 38_597_376),  # tied: one copy
            ("llama-2-7b", 32000, 4096, 262_144_000),
            ("llama-3-8b", 128256, 4096, 1_050_673_152),
        ],
    )
    def test_published_vocabularies(self, name, vocab_size, d_model, params):
        cost = vocabulary_cost(get_config(name))
        assert (cost.vocab_size, cost.d_model, cost.vocab_parameters) == (
            vocab_size,
            d_model,
            params,
        )

    def test_qwen_matches_its_published_size(self):
        # 7.61B parameters, 6.53B non-embedding (model card); exact 7,615,616,512, the Q/K/V
        # biases (28 x (3584 + 2 x 512)) included.
        qwen = get_config("qwen2.5-7b")
        total = count_parameters(qwen).total
        assert total == 7_615_616_512
        cost = vocabulary_cost(qwen)
        assert cost.vocab_parameters == 2 * 152064 * 3584
        assert round((total - cost.vocab_parameters) / 1e9, 2) == 6.53

    def test_table_order_and_shares(self):
        costs = published_vocabulary_costs()
        assert [c.name for c in costs] == ["GPT-2 small", "Llama 2 7B", "Llama 3 8B", "Qwen2.5-7B"]
        assert [c.vocab_size for c in costs] == [50257, 32000, 128256, 152064]
        assert all(0 < c.share < 1 for c in costs)
        assert costs[0].output_head == 0 and costs[1].output_head == costs[1].embedding

    @given(
        st.integers(1, 300_000),
        st.integers(1, 20_000),
        st.booleans(),
    )
    def test_embedding_parameters_matches_the_registry(self, vocab_size, d_model, tied):
        config = get_config("llama-2-7b").__class__(
            name="x",
            d_model=d_model,
            layers=1,
            heads=1,
            d_ff=1,
            vocab_size=vocab_size,
            context=1,
            tied_embeddings=tied,
        )
        cost = vocabulary_cost(config)
        assert cost.vocab_parameters == embedding_parameters(vocab_size, d_model, tied=tied)
        assert cost.head_flops == output_head_flops(vocab_size, d_model) == 2 * vocab_size * d_model

    def test_ratios(self):
        assert tokens_per_word(13, 10) == 1.3
        assert tokenization_premium(30, 12) == 2.5
        assert tokenization_premium(0, 5) == 0.0
        assert count_words("") == 0
        assert count_words(" Where  is\nmy order? ") == 4

    @pytest.mark.parametrize(
        ("call", "error", "message"),
        [
            (lambda: embedding_parameters(0, 8, tied=True), ValueError, "vocab_size"),
            (lambda: embedding_parameters(8, 8.0, tied=True), TypeError, "d_model"),
            (lambda: embedding_parameters(8, 8, tied=1), TypeError, "tied"),
            (lambda: output_head_flops(8, 0), ValueError, "d_model"),
            (lambda: vocabulary_cost("gpt2"), TypeError, "config"),
            (lambda: vocabulary_cost(get_config("gpt2"), 3), TypeError, "name"),
            (lambda: tokens_per_word(3, 0), ValueError, "words"),
            (lambda: tokens_per_word(-1, 3), ValueError, "tokens"),
            (lambda: tokenization_premium(3, 0), ValueError, "reference_tokens"),
            (lambda: tokenization_premium(3.0, 1), TypeError, "tokens"),
            (lambda: count_words(None), TypeError, "text"),
        ],
    )
    def test_bad_input(self, call, error, message):
        with pytest.raises(error, match=message):
            call()


# -- the tokenizer's number splits and trainer --------------------------------------------------
class TestNumberSplits:
    @pytest.mark.parametrize(
        ("numbers", "pieces"),
        [
            ("digits", [" A", "1", "0", "2", "3", "4", " $", "1", "4", "9", ".", "9", "9"]),
            ("triples", [" A", "102", "34", " $", "149", ".", "99"]),
            ("runs", [" A", "10234", " $", "149", ".", "99"]),
        ],
    )
    def test_known_splits(self, numbers, pieces):
        assert pretokenize(" A10234 $149.99", numbers=numbers) == pieces

    @given(st.text(max_size=40), st.sampled_from(sorted(NUMBER_SPLITS)))
    def test_pieces_join_back(self, text, numbers):
        assert "".join(pretokenize(text, numbers=numbers)) == text

    @given(st.from_regex(r"[0-9]{1,12}", fullmatch=True))
    def test_triples_are_left_to_right_groups_of_three(self, digits):
        pieces = pretokenize(digits, numbers="triples")
        assert all(len(p) == 3 for p in pieces[:-1]) and 1 <= len(pieces[-1]) <= 3

    def test_tokenizer_keeps_its_split_through_json(self):
        tok = train_bpe(TEXTS, 300, numbers="runs")
        again = BPETokenizer.from_json(tok.to_json())
        assert again == tok and again.numbers == "runs"
        assert tok != BPETokenizer(tok.merges)  # same merges, other split: another tokenizer
        assert "numbers='runs'" in repr(tok)
        assert json.loads(tok.to_json())["pattern"] == pretoken_pattern("runs")

    @pytest.mark.parametrize(
        ("call", "error", "message"),
        [
            (lambda: pretokenize("1", numbers="pairs"), ValueError, "numbers"),
            (lambda: pretoken_pattern("all"), ValueError, "numbers"),
            (lambda: BPETokenizer([], numbers=3), ValueError, "numbers"),
            (lambda: train_bpe(["a"], 260, numbers="x"), ValueError, "numbers"),
        ],
    )
    def test_bad_split(self, call, error, message):
        with pytest.raises(error, match=message):
            call()


class TestIncrementalTraining:
    @pytest.mark.parametrize("numbers", sorted(NUMBER_SPLITS))
    def test_same_merges_as_recounting(self, corpus, numbers):
        fast = train_bpe(corpus[:150], 600, numbers=numbers)
        assert list(fast.merges) == naive_train(corpus[:150], 600, numbers=numbers)

    @settings(max_examples=40, deadline=None)
    @given(st.lists(WORDS, min_size=1, max_size=6), st.integers(258, 300), st.integers(1, 3))
    def test_same_merges_on_random_text(self, texts, vocab_size, min_frequency):
        fast = train_bpe(texts, vocab_size, min_frequency=min_frequency)
        assert list(fast.merges) == naive_train(texts, vocab_size, min_frequency=min_frequency)

    @settings(max_examples=40, deadline=None)
    @given(st.lists(WORDS, min_size=1, max_size=6), WORDS)
    def test_encoding_equals_applying_merges_in_order(self, texts, text):
        tok = train_bpe(texts, 290)
        assert tok.encode(text) == naive_encode(tok.merges, text)
        assert tok.decode(tok.encode(text)) == text


# -- llmhistory.tiny.vocabulary ----------------------------------------------------------------
class TestLadder:
    def test_sizes_and_prefix_property(self, corpus, ladder):
        assert list(ladder) == [258, 300, 400, 512]
        assert [t.vocab_size for t in ladder.values()] == [258, 300, 400, 512]
        # the tokenizer with v ids equals one trained to v ids on the same texts
        assert ladder[300] == train_bpe(corpus, 300)
        assert ladder[512].merges[:142] == ladder[400].merges

    def test_study_sizes_fit_the_study_corpus(self):
        assert STUDY_SIZES[0] == 258 and 512 in STUDY_SIZES
        ladder = train_ladder(study_corpus(2000), STUDY_SIZES)
        assert [t.vocab_size for t in ladder.values()] == list(STUDY_SIZES)

    def test_more_merges_never_lengthen_text(self, ladder):
        # each merge replaces two symbols by one, so a longer prefix never adds tokens
        held_out = "Hello, where is my order A55501? The courier lost my blue jacket."
        lengths = [len(tok.encode(held_out)) for tok in ladder.values()]
        assert lengths == sorted(lengths, reverse=True)
        assert lengths[0] == len(held_out.encode("utf-8"))

    @settings(max_examples=30, deadline=None)
    @given(st.text(max_size=40))
    def test_round_trip_at_every_size(self, ladder, text):
        for tok in ladder.values():
            assert tok.decode(tok.encode(text)) == text

    def test_measure_ladder(self, ladder):
        texts = {"q": ["where is my order?", "refund please"]}
        rows = measure_ladder(ladder, texts, "Where is my order?", d_model=96)
        assert [r.vocab_size for r in rows] == [258, 300, 400, 512]
        assert rows[0].tokens_per_word["q"] == len("where is my order?refund please") / 6
        assert rows[0].prompt_tokens == 18
        assert [r.embedding_parameters for r in rows] == [v * 96 for v in (258, 300, 400, 512)]
        untied = measure_ladder(ladder, texts, "x", d_model=2, tied=False)
        assert untied[0].embedding_parameters == 2 * 258 * 2

    def test_truncate(self, ladder):
        assert truncate(ladder[512], 258) == BPETokenizer([])
        assert truncate(ladder[512], 512) == ladder[512]

    @pytest.mark.parametrize(
        ("call", "error", "message"),
        [
            (lambda: train_ladder(TEXTS, []), ValueError, "vocab_sizes"),
            (lambda: train_ladder(TEXTS, (300, 300)), ValueError, "distinct"),
            (lambda: train_ladder(TEXTS, (257,)), ValueError, "vocab_sizes"),
            (lambda: train_ladder(TEXTS, 300), TypeError, "vocab_sizes"),
            (lambda: train_ladder(["ab"], (300,)), ValueError, "support only"),
            (lambda: train_ladder(TEXTS, (300,), numbers="x"), ValueError, "numbers"),
            (lambda: truncate(BPETokenizer([]), 259), ValueError, "vocab_size"),
            (lambda: truncate("tok", 258), TypeError, "tokenizer"),
            (lambda: measure_ladder({}, {"a": ["b"]}, "c", d_model=1), ValueError, "ladder"),
            (lambda: measure_ladder([], {"a": ["b"]}, "c", d_model=1), TypeError, "ladder"),
            (
                lambda: measure_ladder({258: BPETokenizer([])}, {"a": [""]}, "c", d_model=1),
                ValueError,
                "texts",
            ),
            (
                lambda: measure_ladder({258: "tok"}, {"a": ["b"]}, "c", d_model=1),
                TypeError,
                "ladder",
            ),
            (lambda: study_corpus(0), ValueError, "n_documents"),
            (lambda: sample_order_ids(0), ValueError, "n"),
        ],
    )
    def test_bad_input(self, call, error, message):
        with pytest.raises(error, match=message):
            call()


class TestTokenTax:
    def test_translations_are_aligned(self):
        translations = support_translations()
        assert [t.code for t in translations] == [
            "en", "es", "fr", "de", "el", "ru", "hi", "zh", "ja",
        ]  # fmt: skip
        assert all(len(t.sentences) == 3 for t in translations)
        assert translations[0].sentences[0].startswith("Where is my order?")

    def test_bytes_only_counts_utf8_bytes(self):
        rows = token_tax(BPETokenizer([]))
        by_code = {r.code: r for r in rows}
        assert all(r.tokens == r.utf8_bytes for r in rows)
        assert by_code["en"].premium == 1.0
        # Cyrillic letters take 2 bytes, Devanagari and Chinese characters 3
        assert by_code["zh"].utf8_bytes == 3 * by_code["zh"].characters
        assert by_code["ru"].tokens_per_character > 1.5

    def test_independent_count(self, ladder):
        tok = ladder[512]
        rows = token_tax(tok)
        en = sum(len(naive_encode(tok.merges, s)) for s in support_translations()[0].sentences)
        for row, t in zip(rows, support_translations(), strict=True):
            tokens = sum(len(naive_encode(tok.merges, s)) for s in t.sentences)
            assert row.tokens == tokens
            assert row.premium == pytest.approx(tokens / en)

    def test_english_trained_merges_raise_the_tax(self, ladder):
        small, large = token_tax(ladder[258]), token_tax(ladder[512])
        for a, b in zip(small, large, strict=True):
            assert b.tokens <= a.tokens
        # no merge of this English corpus touches Cyrillic, Devanagari or Han bytes
        for code in ("ru", "hi", "zh"):
            assert (
                next(r for r in small if r.code == code).tokens
                == next(r for r in large if r.code == code).tokens
            )
        assert (
            next(r for r in large if r.code == "hi").premium
            > next(r for r in small if r.code == "hi").premium
        )

    def test_other_reference(self):
        rows = token_tax(BPETokenizer([]), reference="zh")
        assert next(r for r in rows if r.code == "zh").premium == 1.0

    @pytest.mark.parametrize(
        ("call", "error", "message"),
        [
            (lambda: token_tax("tok"), TypeError, "tokenizer"),
            (lambda: token_tax(BPETokenizer([]), reference="xx"), ValueError, "reference"),
            (lambda: token_tax(BPETokenizer([]), []), ValueError, "translations"),
            (lambda: token_tax(BPETokenizer([]), ["en"]), TypeError, "translations"),
        ],
    )
    def test_bad_input(self, call, error, message):
        with pytest.raises(error, match=message):
            call()

    def test_custom_translations(self):
        rows = token_tax(
            BPETokenizer([]), [Translation("en", "English", ("ab",)), Translation("x", "X", ("é",))]
        )
        assert [r.premium for r in rows] == [1.0, 1.0]


def test_order_ids_are_shaped_like_the_corpus():
    ids = sample_order_ids(50, seed=3)
    assert ids == sample_order_ids(50, seed=3)
    assert all(i[0] == "A" and i[1:].isdigit() and len(i) == 6 for i in ids)
