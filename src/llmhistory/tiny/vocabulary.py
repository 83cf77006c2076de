"""The book's byte-level BPE at several vocabulary sizes: lengths, number splits, token tax.

Chapter 4 trains :func:`llmhistory.tiny.tokenizer.train_bpe` on the support corpus once, up to
the largest vocabulary it studies, and reads every smaller vocabulary off the same run:
training merges the most frequent pair, one pair at a time, without looking at the target size,
so the tokenizer with ``v`` ids is the first ``v - 258`` merges of any longer run
(:func:`truncate`). It then measures what each size does to text: tokens per word, the length
of the support prompt, and the tokenization premium of the same support sentences in nine
languages (:func:`support_translations`, :func:`token_tax`).

>>> ladder = train_ladder(["where is my order? where is my refund?"] * 3, (258, 262, 266))
>>> [len(ladder[v].encode("where is my order?")) for v in (258, 262, 266)]
[18, 13, 9]
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from llmhistory._validate import (
    check_choice,
    check_instance,
    check_int,
    check_mapping,
    check_positive_int,
    check_sequence,
    check_str,
)
from llmhistory.concepts.tokens import (
    count_words,
    embedding_parameters,
    tokenization_premium,
    tokens_per_word,
)
from llmhistory.tiny.corpus import support_split, training_documents
from llmhistory.tiny.tokenizer import NUMBER_SPLITS, SPECIAL_TOKENS, BPETokenizer, train_bpe

__all__ = [
    "STUDY_SIZES",
    "LanguageCount",
    "Translation",
    "VocabularyRow",
    "measure_ladder",
    "sample_order_ids",
    "study_corpus",
    "support_translations",
    "token_tax",
    "train_ladder",
    "truncate",
]

#: The vocabulary sizes chapter 4 compares: bytes only (258 = 256 bytes + ``<bos>``, ``<eos>``),
#: then up to 1024; the book's shipped tokenizer has 512.
STUDY_SIZES: tuple[int, ...] = (258, 320, 384, 512, 768, 1024)

_BASE = 256 + len(SPECIAL_TOKENS)


def study_corpus(n_documents: int = 2000, *, seed: int = 0) -> tuple[str, ...]:
    """Return ``n_documents`` support documents to train tokenizers on (the tiny model's mix).

    The documents come from :func:`llmhistory.tiny.corpus.training_documents` over a split of
    2,000 training tickets, so held-out tickets of that split never appear in them.

    Parameters
    ----------
    n_documents : int, default 2000
        ``>= 1``.
    seed : int, default 0
        Seed of the split and the mix, ``>= 0``.

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> len(study_corpus(10))
    10
    """
    n_documents = check_positive_int("n_documents", n_documents)
    seed = check_int("seed", seed, minimum=0)
    split = support_split(n_train=2000, n_held_out=100, seed=seed)
    return training_documents(split, n_documents, seed=seed + 1)


def truncate(tokenizer: BPETokenizer, vocab_size: int) -> BPETokenizer:
    """Return the tokenizer made of the first ``vocab_size - 258`` merges of ``tokenizer``.

    Parameters
    ----------
    tokenizer : BPETokenizer
    vocab_size : int
        ``258 <= vocab_size <= tokenizer.vocab_size``.

    Returns
    -------
    BPETokenizer
        Same way of cutting numbers; equal to training with ``vocab_size`` on the same texts.

    Raises
    ------
    TypeError
        If ``tokenizer`` is not a BPETokenizer or ``vocab_size`` not an integer.
    ValueError
        If ``vocab_size`` is outside ``258..tokenizer.vocab_size``.

    Examples
    --------
    >>> truncate(BPETokenizer([(104, 105), (256, 33)]), 259).merges
    ((104, 105),)
    """
    tokenizer = check_instance("tokenizer", tokenizer, BPETokenizer)
    vocab_size = check_int("vocab_size", vocab_size, minimum=_BASE)
    if vocab_size > tokenizer.vocab_size:
        raise ValueError(
            f"vocab_size={vocab_size} must be <= tokenizer.vocab_size={tokenizer.vocab_size}"
        )
    return BPETokenizer(tokenizer.merges[: vocab_size - _BASE], numbers=tokenizer.numbers)


def train_ladder(
    texts: Iterable[str],
    vocab_sizes: Sequence[int] = STUDY_SIZES,
    *,
    numbers: str = "digits",
    min_frequency: int = 2,
) -> dict[int, BPETokenizer]:
    """Return a tokenizer per vocabulary size, trained once to the largest and truncated.

    Parameters
    ----------
    texts : iterable of str
        Training documents.
    vocab_sizes : sequence of int, default :data:`STUDY_SIZES`
        Distinct sizes, each ``>= 258``.
    numbers : {"digits", "triples", "runs"}, default "digits"
        How runs of digits are cut (:data:`llmhistory.tiny.tokenizer.NUMBER_SPLITS`).
    min_frequency : int, default 2
        As in :func:`~llmhistory.tiny.tokenizer.train_bpe`.

    Returns
    -------
    dict of int to BPETokenizer
        In increasing size; each has exactly its key's ``vocab_size``.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``vocab_sizes`` is empty, repeats a size or holds one below 258, or the texts run
        out of pairs occurring ``min_frequency`` times before the largest size.

    Examples
    --------
    >>> ladder = train_ladder(["low lower lowest"] * 4, (258, 260))
    >>> [tok.vocab_size for tok in ladder.values()]
    [258, 260]
    """
    sizes = check_sequence("vocab_sizes", vocab_sizes, "size")
    sizes = sorted(check_int(f"vocab_sizes[{i}]", v, minimum=_BASE) for i, v in enumerate(sizes))
    if len(set(sizes)) != len(sizes):
        raise ValueError(f"vocab_sizes must be distinct, got {list(vocab_sizes)}")
    numbers = check_choice("numbers", numbers, tuple(NUMBER_SPLITS))
    full = train_bpe(texts, sizes[-1], min_frequency=min_frequency, numbers=numbers)
    if full.vocab_size < sizes[-1]:
        raise ValueError(
            f"vocab_sizes asks for {sizes[-1]} ids, but the texts support only "
            f"{full.vocab_size} with min_frequency={min_frequency}"
        )
    return {v: truncate(full, v) for v in sizes}


@dataclass(frozen=True)
class VocabularyRow:
    """One vocabulary size measured on text (see :func:`measure_ladder`).

    Attributes
    ----------
    vocab_size : int
    tokens_per_word : dict of str to float
        For each named text set, its tokens divided by its whitespace-separated words.
    prompt_tokens : int
        Tokens of the prompt.
    embedding_parameters : int
        :func:`llmhistory.concepts.tokens.embedding_parameters` at the given ``d_model``.
    """

    vocab_size: int
    tokens_per_word: dict[str, float]
    prompt_tokens: int
    embedding_parameters: int


def measure_ladder(
    ladder: Mapping[int, BPETokenizer],
    texts: Mapping[str, Sequence[str]],
    prompt: str,
    *,
    d_model: int,
    tied: bool = True,
) -> list[VocabularyRow]:
    """Return, per tokenizer of ``ladder``, tokens per word, prompt length and embedding size.

    Parameters
    ----------
    ladder : mapping of int to BPETokenizer
        As returned by :func:`train_ladder`.
    texts : mapping of str to sequence of str
        Named text sets to measure tokens per word on; each must hold at least one word.
    prompt : str
        A prompt whose token count is reported.
    d_model : int
        Hidden width for the embedding parameters, ``>= 1``.
    tied : bool, default True
        Whether the output head shares the embedding (the tiny model's does).

    Returns
    -------
    list of VocabularyRow
        In the order of ``ladder``.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``ladder`` or ``texts`` is empty, or a text set has no words.

    Examples
    --------
    >>> ladder = train_ladder(["where is my order?"] * 3, (258, 262))
    >>> rows = measure_ladder(ladder, {"q": ["where is my order?"]}, "my order", d_model=4)
    >>> [(r.vocab_size, r.tokens_per_word["q"], r.prompt_tokens) for r in rows]
    [(258, 4.5, 8), (262, 3.25, 6)]
    """
    if not isinstance(ladder, Mapping):
        raise TypeError(
            f"ladder must be a mapping {{size: BPETokenizer}}, got {type(ladder).__name__}"
        )
    if not ladder:
        raise ValueError("ladder must hold at least one tokenizer")
    texts = check_mapping("texts", texts, "text set")
    prompt = check_str("prompt", prompt)
    words = {}
    for name, docs in texts.items():
        docs = [check_str(f"texts[{name!r}]", d, allow_empty=True) for d in docs]
        words[name] = (docs, sum(count_words(d) for d in docs))
        if words[name][1] == 0:
            raise ValueError(f"texts[{name!r}] must hold at least one word")
    rows = []
    for vocab_size, tokenizer in ladder.items():
        tokenizer = check_instance(f"ladder[{vocab_size}]", tokenizer, BPETokenizer)
        per_word = {
            name: tokens_per_word(sum(len(tokenizer.encode(d)) for d in docs), n_words)
            for name, (docs, n_words) in words.items()
        }
        rows.append(
            VocabularyRow(
                vocab_size=tokenizer.vocab_size,
                tokens_per_word=per_word,
                prompt_tokens=len(tokenizer.encode(prompt)),
                embedding_parameters=embedding_parameters(tokenizer.vocab_size, d_model, tied=tied),
            )
        )
    return rows


def sample_order_ids(n: int, *, seed: int = 0) -> tuple[str, ...]:
    """Return ``n`` order ids shaped like the corpus's, ``"A"`` and five digits, seeded.

    Examples
    --------
    >>> sample_order_ids(2, seed=0)
    ('A86556', 'A67326')
    """
    n = check_positive_int("n", n)
    seed = check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    return tuple(f"A{int(k)}" for k in rng.integers(10000, 100000, size=n))


@dataclass(frozen=True)
class Translation:
    """The support sentences in one language (see :func:`support_translations`).

    Attributes
    ----------
    code : str
        ISO 639-1 code, e.g. ``"ru"``.
    name : str
        English name of the language.
    sentences : tuple of str
        Translations of the English sentences, in the same order.
    """

    code: str
    name: str
    sentences: tuple[str, ...]


@lru_cache(maxsize=1)
def support_translations() -> tuple[Translation, ...]:
    """Return the bundled support sentences in nine languages, English first.

    Read from ``llmhistory/tiny/data/support_translations.json``; its ``about`` field (and the
    data README) says who wrote them. Every language has as many sentences as English.

    Examples
    --------
    >>> [t.code for t in support_translations()][:3]
    ['en', 'es', 'fr']
    >>> support_translations()[0].sentences[0]
    'Where is my order? It has not arrived yet.'
    """
    text = resources.files("llmhistory.tiny").joinpath("data/support_translations.json")
    document = json.loads(text.read_text(encoding="utf-8"))
    translations = tuple(
        Translation(entry["code"], entry["name"], tuple(entry["sentences"]))
        for entry in document["languages"]
    )
    n = len(translations[0].sentences)
    if translations[0].code != "en" or any(len(t.sentences) != n for t in translations):
        raise ValueError("support_translations.json must start with English and align sentences")
    return translations


@dataclass(frozen=True)
class LanguageCount:
    """Token counts of one language's sentences (see :func:`token_tax`).

    Attributes
    ----------
    code, name : str
        The language.
    characters, utf8_bytes, tokens : int
        Summed over its sentences, each encoded on its own.
    premium : float
        ``tokens`` divided by the reference language's tokens.
    """

    code: str
    name: str
    characters: int
    utf8_bytes: int
    tokens: int
    premium: float

    @property
    def tokens_per_character(self) -> float:
        """``tokens / characters``."""
        return self.tokens / self.characters


def token_tax(
    tokenizer: BPETokenizer,
    translations: Sequence[Translation] | None = None,
    *,
    reference: str = "en",
) -> list[LanguageCount]:
    """Return the token count of each language's sentences and its premium over ``reference``.

    Parameters
    ----------
    tokenizer : BPETokenizer
    translations : sequence of Translation, optional
        Default :func:`support_translations`.
    reference : str, default "en"
        Code of the language whose token count is the denominator.

    Returns
    -------
    list of LanguageCount
        In the order of ``translations``; the reference's premium is 1.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``reference`` is not one of the translations' codes.

    Examples
    --------
    >>> rows = token_tax(BPETokenizer([]))  # bytes only: one token per UTF-8 byte
    >>> all(row.tokens == row.utf8_bytes for row in rows)
    True
    """
    tokenizer = check_instance("tokenizer", tokenizer, BPETokenizer)
    if translations is None:
        translations = support_translations()
    translations = [
        check_instance(f"translations[{i}]", t, Translation)
        for i, t in enumerate(check_sequence("translations", translations, "translation"))
    ]
    codes = [t.code for t in translations]
    reference = check_choice("reference", reference, tuple(codes))
    counts = {t.code: sum(len(tokenizer.encode(s)) for s in t.sentences) for t in translations}
    return [
        LanguageCount(
            code=t.code,
            name=t.name,
            characters=sum(len(s) for s in t.sentences),
            utf8_bytes=sum(len(s.encode("utf-8")) for s in t.sentences),
            tokens=counts[t.code],
            premium=tokenization_premium(counts[t.code], counts[reference]),
        )
        for t in translations
    ]
