"""Tests of llmhistory.tiny.tokenizer: byte-level BPE training, lossless round trips,
persistence."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmhistory.tiny import load_tiny
from llmhistory.tiny import tokenizer as tok_module
from llmhistory.tiny.tokenizer import (
    PRETOKEN_PATTERN,
    SPECIAL_TOKENS,
    BPETokenizer,
    pretokenize,
    train_bpe,
)

# st.text()'s own alphabet (all code points but surrogates), without its slow codec table:
# see "Text" in tests/conftest.py.
UNICODE = st.characters(exclude_categories=("Cs",))

CORPUS = [
    "Customer: Where is my order?\nAgent: I'm sorry for the delay.",
    "Message: I forgot my password.\nLabel: Account",
    "Message: I want my money back.\nLabel: Refund",
    "Order A10234 was last scanned at 09:32 UTC at the regional hub.",
] * 5
ROUND_TRIP = train_bpe(CORPUS[:4], vocab_size=280)


@pytest.fixture(scope="module")
def small() -> BPETokenizer:
    return train_bpe(CORPUS, vocab_size=300)


@pytest.fixture(scope="module")
def shipped() -> BPETokenizer:
    return load_tiny()[1]


class TestKnownValues:
    def test_single_merge(self):
        tok = BPETokenizer([(104, 105)])
        assert tok.encode("hi!") == [256, 33]
        assert (tok.vocab_size, tok.bos_id, tok.eos_id) == (259, 257, 258)

    def test_first_merge_is_most_frequent_pair(self):
        tok = train_bpe(["aaab"] * 3 + ["ab"], vocab_size=259)
        assert tok.merges == ((97, 97),)  # "aa" twice in each of 3 pieces = 6 > "ab" 4

    def test_ties_go_to_the_smaller_pair(self):
        tok = train_bpe(["ab cd"] * 2, vocab_size=259)
        assert tok.merges == ((32, 99),)  # " c", "ab", "cd" all twice; (32, 99) is smallest

    def test_where_is_my_order_pieces(self, shipped):
        pieces = shipped.tokenize_pieces("Where is my order?")
        assert "".join(p for _, p in pieces) == "Where is my order?"
        assert [i for i, _ in pieces] == shipped.encode("Where is my order?")
        assert len(pieces) <= 7  # whole words from the support corpus; 'Where' may fall apart
        for word in (" is", " my", " order"):  # chapter 3 names these as single tokens
            assert (shipped.encode(word)[0], word) in pieces

    def test_shipped_vocabulary(self, shipped):
        assert shipped.vocab_size == 512
        assert shipped.decode([shipped.bos_id, shipped.eos_id]) == "<bos><eos>"

    def test_pretokenize_splits_digits(self):
        assert pretokenize("A10234 at 09:32") == [
            "A", "1", "0", "2", "3", "4", " at", " 0", "9", ":", "3", "2",
        ]  # fmt: skip

    def test_repr_and_equality(self, small):
        assert repr(small) == f"BPETokenizer(vocab_size={small.vocab_size}, merges=42)"
        assert small == BPETokenizer(small.merges)
        assert hash(small) == hash(BPETokenizer(small.merges))
        assert small != "tokenizer"


class TestRoundTrip:
    @settings(max_examples=200)
    @given(st.text(UNICODE))
    def test_any_text_round_trips(self, text):
        for tok in (ROUND_TRIP, load_tiny()[1]):
            ids = tok.encode(text)
            assert tok.decode(ids) == text
            assert tok.bos_id not in ids and tok.eos_id not in ids

    @given(st.text(UNICODE))
    def test_pieces_join_back(self, text):
        assert "".join(pretokenize(text)) == text

    def test_emoji_and_accents(self, small):
        text = "Où est ma commande? 📦🚚 ok"
        assert small.decode(small.encode(text)) == text

    def test_special_names_are_plain_text(self, small):
        for name in SPECIAL_TOKENS:
            ids = small.encode(name)
            assert small.bos_id not in ids and small.eos_id not in ids
            assert small.decode(ids) == name

    def test_bos_eos_flags(self, small):
        ids = small.encode("hi", add_bos=True, add_eos=True)
        assert ids[0] == small.bos_id and ids[-1] == small.eos_id
        assert small.decode(ids, skip_special_tokens=True) == "hi"

    def test_partial_utf8_decodes_to_replacement(self):
        tok = BPETokenizer([])
        assert tok.decode(list("é".encode())[:1]) == "\ufffd"
        assert tok.tokenize_pieces("é") == [(195, "\\xc3"), (169, "\\xa9")]

    def test_token_bytes(self, small):
        assert small.token_bytes(65) == b"A"
        assert small.token_bytes(small.eos_id) == b"<eos>"

    def test_encoding_cache_is_bounded(self, small, monkeypatch):
        monkeypatch.setattr(tok_module, "_CACHE_LIMIT", 1)
        fresh = BPETokenizer(small.merges)
        assert fresh.encode("one two three") == small.encode("one two three")
        assert len(fresh._cache) == 1


class TestTraining:
    def test_deterministic(self):
        assert train_bpe(CORPUS, vocab_size=300).merges == train_bpe(CORPUS, 300).merges

    def test_vocab_size_reached(self, small):
        assert small.vocab_size == 300

    def test_stops_when_pairs_are_rare(self):
        tok = train_bpe(["abc"], vocab_size=400, min_frequency=2)
        assert tok.vocab_size == 258

    def test_stops_when_no_pairs_left(self):
        tok = train_bpe(["ab"], vocab_size=400, min_frequency=1)
        assert tok.merges == ((97, 98),)

    def test_compresses_the_corpus(self, small):
        text = "".join(CORPUS)
        assert len(small.encode(text)) < 0.65 * len(text.encode())


class TestPersistence:
    def test_json_round_trip(self, small):
        assert BPETokenizer.from_json(small.to_json()) == small
        document = json.loads(small.to_json())
        assert document["pattern"] == PRETOKEN_PATTERN
        assert document["special_tokens"] == ["<bos>", "<eos>"]

    def test_save_load(self, small, tmp_path):
        path = small.save(tmp_path / "tok.json")
        assert BPETokenizer.load(path) == small
        assert os.listdir(tmp_path) == ["tok.json"]
        assert path.stat().st_mode & 0o777 == 0o644

    def test_failed_save_leaves_nothing(self, small, tmp_path, monkeypatch):
        def boom(*args):
            raise OSError("disk full")

        monkeypatch.setattr(tok_module.os, "replace", boom)
        with pytest.raises(OSError, match="disk full"):
            small.save(tmp_path / "tok.json")
        assert os.listdir(tmp_path) == []

    def test_shipped_file_is_small(self):
        from importlib import resources

        path = resources.files("llmhistory.tiny") / "data" / "tiny_tokenizer.json"
        assert len(path.read_bytes()) < 20_000


class TestBadInput:
    @pytest.mark.parametrize(
        ("call", "error", "match"),
        [
            (lambda t: t.encode(5), TypeError, "text"),
            (lambda t: t.encode("x", add_bos=1), TypeError, "add_bos"),
            (lambda t: t.decode([10_000]), ValueError, "token_ids"),
            (lambda t: t.decode([-1]), ValueError, "token_ids"),
            (lambda t: t.decode("abc"), TypeError, "token_ids"),
            (lambda t: t.decode([1.5]), TypeError, "token_ids"),
            (lambda t: t.decode([1], skip_special_tokens="no"), TypeError, "skip_special"),
            (lambda t: t.token_bytes(10_000), ValueError, "token_id"),
            (lambda t: t.token_bytes(-1), ValueError, "token_id"),
            (lambda t: t.tokenize_pieces(None), TypeError, "text"),
        ],
    )
    def test_methods(self, small, call, error, match):
        with pytest.raises(error, match=match):
            call(small)

    @pytest.mark.parametrize(
        ("merges", "error", "match"),
        [
            ("ab", TypeError, "merges"),
            (5, TypeError, "merges"),
            ([(1,)], TypeError, r"merges\[0\]"),
            ([(300, 1)], ValueError, r"merges\[0\]"),
            ([(1, 2), (1, 258)], ValueError, r"merges\[1\]"),
            ([(1, 2), (1, 2)], ValueError, "repeat"),
            ([(1.0, 2)], TypeError, r"merges\[0\]\[0\]"),
            ([(-1, 2)], ValueError, r"merges\[0\]\[0\]"),
        ],
    )
    def test_constructor(self, merges, error, match):
        with pytest.raises(error, match=match):
            BPETokenizer(merges)

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"texts": ["a"], "vocab_size": 100}, ValueError, "vocab_size"),
            ({"texts": ["a"], "vocab_size": 300.0}, TypeError, "vocab_size"),
            ({"texts": "abc", "vocab_size": 300}, TypeError, "texts"),
            ({"texts": [1], "vocab_size": 300}, TypeError, r"texts\[0\]"),
            ({"texts": ["a"], "vocab_size": 300, "min_frequency": 0}, ValueError, "min_freq"),
        ],
    )
    def test_train(self, kwargs, error, match):
        with pytest.raises(error, match=match):
            train_bpe(**kwargs)

    @pytest.mark.parametrize(
        ("text", "match"),
        [
            ("not json", "valid JSON"),
            ("[1]", "format"),
            ('{"format": "other"}', "format"),
            ('{"format": "llmhistory-bpe", "pattern": "x"}', "pattern"),
            (
                json.dumps({"format": "llmhistory-bpe", "pattern": PRETOKEN_PATTERN}),
                "special_tokens",
            ),
            (
                json.dumps(
                    {
                        "format": "llmhistory-bpe",
                        "pattern": PRETOKEN_PATTERN,
                        "special_tokens": ["<bos>", "<eos>"],
                        "merges": "x",
                    }
                ),
                "merges",
            ),
        ],
    )
    def test_from_json(self, text, match):
        with pytest.raises(ValueError, match=match):
            BPETokenizer.from_json(text)

    def test_from_json_blank(self):
        with pytest.raises(ValueError, match="text"):
            BPETokenizer.from_json("  ")
