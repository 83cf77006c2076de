"""Byte-level byte-pair encoding (BPE): how text becomes token ids and back.

A byte-level BPE tokenizer (Sennrich et al. 2016; the byte-level variant of GPT-2) starts from
the 256 possible bytes, so *any* UTF-8 string can be encoded, emoji included. Training counts
adjacent pairs of symbols in a corpus and repeatedly merges the most frequent pair into a new
token; encoding replays those merges in the order they were learned. Text is first split into
pieces (a word with its leading space, one digit, a run of punctuation, a run of whitespace), and
merges never cross a piece boundary.

Token ids are laid out as: ``0..255`` the raw bytes, then one id per merge in training order,
then the special tokens ``<bos>`` and ``<eos>``. The special tokens mark the beginning and end of
a document; plain text can never produce them (encoding the string ``"<eos>"`` gives the ids of
its five characters).

>>> tok = train_bpe(["where is my order? where is my refund?"] * 3, vocab_size=266)
>>> tok.decode(tok.encode("Where is my order? 📦")) == "Where is my order? 📦"
True
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from llmhistory._validate import as_int_array, check_bool, check_choice, check_int, check_str

__all__ = [
    "NUMBER_SPLITS",
    "PRETOKEN_PATTERN",
    "SPECIAL_TOKENS",
    "BPETokenizer",
    "pretoken_pattern",
    "pretokenize",
    "train_bpe",
]

#: How a run of digits is cut before merging, by name. ``"digits"``: one digit per piece, as
#: Llama 1 and 2 and Qwen2 do; ``"triples"``: up to three digits per piece, left to right, as
#: Llama 3 and GPT-4's cl100k do; ``"runs"``: the whole run in one piece, as GPT-2 does. (Here
#: each piece may take one leading space, like a word; the published patterns differ in that
#: detail.)
NUMBER_SPLITS: dict[str, str] = {
    "digits": " ?[0-9]",
    "triples": " ?[0-9]{1,3}",
    "runs": " ?[0-9]+",
}


def pretoken_pattern(numbers: str = "digits") -> str:
    """Return the regular expression that cuts text into pieces, for a way of cutting numbers.

    The alternatives: a word of ASCII letters with an optional leading space, a number piece
    (:data:`NUMBER_SPLITS`), a run of other non-space characters (punctuation, and every
    non-ASCII letter: an accented, Cyrillic or Chinese word lands here), or whitespace. Every
    character falls in one alternative, so the pieces always join back to the original text.

    Parameters
    ----------
    numbers : {"digits", "triples", "runs"}, default "digits"

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If ``numbers`` is not a key of :data:`NUMBER_SPLITS`.

    Examples
    --------
    >>> pretoken_pattern("runs").split("|")[1]
    ' ?[0-9]+'
    """
    numbers = check_choice("numbers", numbers, tuple(NUMBER_SPLITS))
    return rf" ?[A-Za-z]+|{NUMBER_SPLITS[numbers]}| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+"


#: How the book's tokenizer cuts text into pieces before merging (numbers into single digits,
#: so order ids like A10234 split into digits, as in Llama): :func:`pretoken_pattern` of
#: ``"digits"``.
PRETOKEN_PATTERN = pretoken_pattern("digits")

#: The special tokens, in id order after the merges.
SPECIAL_TOKENS = ("<bos>", "<eos>")

_PRETOKEN_RES = {name: re.compile(pretoken_pattern(name)) for name in NUMBER_SPLITS}
_PATTERN_NAMES = {pretoken_pattern(name): name for name in NUMBER_SPLITS}
_FORMAT = "llmhistory-bpe"
_CACHE_LIMIT = 50_000


def pretokenize(text: str, *, numbers: str = "digits") -> list[str]:
    """Return the pieces that ``text`` is cut into before BPE merges; they join back to ``text``.

    Parameters
    ----------
    text : str
        Any string (may be empty).
    numbers : {"digits", "triples", "runs"}, default "digits"
        How runs of digits are cut (:data:`NUMBER_SPLITS`).

    Returns
    -------
    list of str
        Pieces matching :data:`PRETOKEN_PATTERN`, in order.

    Raises
    ------
    TypeError
        If ``text`` is not a str.
    ValueError
        If ``numbers`` is not a key of :data:`NUMBER_SPLITS`.

    Examples
    --------
    >>> pretokenize("Where is order A10234?")
    ['Where', ' is', ' order', ' A', '1', '0', '2', '3', '4', '?']
    >>> pretokenize("A10234", numbers="triples"), pretokenize("A10234", numbers="runs")
    (['A', '102', '34'], ['A', '10234'])
    """
    text = check_str("text", text, allow_empty=True)
    numbers = check_choice("numbers", numbers, tuple(NUMBER_SPLITS))
    return _PRETOKEN_RES[numbers].findall(text)


def _merge_pair(symbols: Sequence[int], pair: tuple[int, int], new_id: int) -> tuple[int, ...]:
    """Return ``symbols`` with each non-overlapping occurrence of ``pair`` made ``new_id``."""
    out: list[int] = []
    i = 0
    while i < len(symbols):
        if i + 1 < len(symbols) and symbols[i] == pair[0] and symbols[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return tuple(out)


class BPETokenizer:
    """A byte-level BPE tokenizer defined by its ordered list of merges.

    Parameters
    ----------
    merges : sequence of (int, int)
        Merge ``m`` joins the pair ``(a, b)`` into the new token ``256 + m``; ``a`` and ``b``
        must be ids that exist before it (``< 256 + m``).
    numbers : {"digits", "triples", "runs"}, default "digits"
        How runs of digits are cut before merging (:data:`NUMBER_SPLITS`); the merges must
        have been learned with the same cut.

    Attributes
    ----------
    vocab_size : int
        ``256 + len(merges) + 2`` (bytes, merges, ``<bos>``, ``<eos>``).
    bos_id, eos_id : int
        Ids of ``<bos>`` and ``<eos>``, the last two ids.

    Raises
    ------
    TypeError
        If ``merges`` is not a sequence of integer pairs.
    ValueError
        If a merge refers to an id that does not exist yet or repeats an earlier pair.

    Examples
    --------
    >>> tok = BPETokenizer([(104, 105)])  # "h" + "i" -> id 256
    >>> tok.encode("hi!"), tok.vocab_size, tok.eos_id
    ([256, 33], 259, 258)
    """

    def __init__(self, merges: Sequence[tuple[int, int]], *, numbers: str = "digits") -> None:
        self.numbers = check_choice("numbers", numbers, tuple(NUMBER_SPLITS))
        self._pretoken_re = _PRETOKEN_RES[self.numbers]
        if isinstance(merges, (str, bytes)) or not isinstance(merges, Iterable):
            raise TypeError(f"merges must be a sequence of (int, int) pairs, got {merges!r}")
        checked: list[tuple[int, int]] = []
        pieces = [bytes([b]) for b in range(256)]
        for m, pair in enumerate(merges):
            if isinstance(pair, (str, bytes)) or not isinstance(pair, Sequence) or len(pair) != 2:
                raise TypeError(f"merges[{m}] must be a pair of token ids, got {pair!r}")
            a = check_int(f"merges[{m}][0]", pair[0], minimum=0)
            b = check_int(f"merges[{m}][1]", pair[1], minimum=0)
            if a >= 256 + m or b >= 256 + m:
                raise ValueError(
                    f"merges[{m}]=({a}, {b}) refers to an id >= {256 + m}, which does not exist yet"
                )
            checked.append((a, b))
            pieces.append(pieces[a] + pieces[b])
        self.merges: tuple[tuple[int, int], ...] = tuple(checked)
        self._ranks = {pair: rank for rank, pair in enumerate(self.merges)}
        if len(self._ranks) != len(self.merges):
            raise ValueError("merges must not repeat a pair")
        self.bos_id = 256 + len(self.merges)
        self.eos_id = self.bos_id + 1
        self.vocab_size = self.eos_id + 1
        self._pieces = tuple(pieces) + tuple(s.encode("ascii") for s in SPECIAL_TOKENS)
        self._cache: dict[str, tuple[int, ...]] = {}

    def __repr__(self) -> str:
        cut = "" if self.numbers == "digits" else f", numbers={self.numbers!r}"
        return f"BPETokenizer(vocab_size={self.vocab_size}, merges={len(self.merges)}{cut})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, BPETokenizer)
            and self.merges == other.merges
            and self.numbers == other.numbers
        )

    def __hash__(self) -> int:
        return hash((self.merges, self.numbers))

    # -- encoding --------------------------------------------------------------------------
    def _encode_piece(self, piece: str) -> tuple[int, ...]:
        """Return the ids of one pre-token piece by replaying merges, lowest rank first."""
        cached = self._cache.get(piece)
        if cached is not None:
            return cached
        symbols: tuple[int, ...] = tuple(piece.encode("utf-8"))
        while len(symbols) > 1:
            pairs = {(symbols[i], symbols[i + 1]) for i in range(len(symbols) - 1)}
            best = min(pairs, key=lambda p: self._ranks.get(p, len(self._ranks)))
            rank = self._ranks.get(best)
            if rank is None:
                break
            symbols = _merge_pair(symbols, best, 256 + rank)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[piece] = symbols
        return symbols

    def encode(self, text: str, *, add_bos: bool = False, add_eos: bool = False) -> list[int]:
        """Return the token ids of ``text`` (optionally wrapped in ``<bos>`` ... ``<eos>``).

        Parameters
        ----------
        text : str
            Any UTF-8 string, possibly empty. Special-token names in it are plain text.
        add_bos, add_eos : bool, default False
            Prepend ``bos_id`` / append ``eos_id``.

        Returns
        -------
        list of int
            Ids in ``0..vocab_size-1``; ``decode(encode(text)) == text``.

        Raises
        ------
        TypeError
            If ``text`` is not a str or a flag is not a bool.

        Examples
        --------
        >>> tok = BPETokenizer([])
        >>> tok.encode("<eos>") == list(b"<eos>")
        True
        """
        add_bos = check_bool("add_bos", add_bos)
        add_eos = check_bool("add_eos", add_eos)
        ids = [self.bos_id] if add_bos else []
        for piece in self._pretoken_re.findall(check_str("text", text, allow_empty=True)):
            ids.extend(self._encode_piece(piece))
        if add_eos:
            ids.append(self.eos_id)
        return ids

    # -- decoding --------------------------------------------------------------------------
    def _check_ids(self, token_ids: object) -> list[int]:
        array = as_int_array("token_ids", list(token_ids), ndim=1)  # type: ignore[call-overload]
        if array.size and (array.min() < 0 or array.max() >= self.vocab_size):
            bad = int(array[(array < 0) | (array >= self.vocab_size)][0])
            raise ValueError(
                f"token_ids holds id {bad} outside the vocabulary 0..{self.vocab_size - 1}"
            )
        return array.tolist()

    def token_bytes(self, token_id: int) -> bytes:
        """Return the bytes that token ``token_id`` stands for (``b"<eos>"`` for a special).

        Examples
        --------
        >>> BPETokenizer([(104, 105)]).token_bytes(256)
        b'hi'
        """
        token_id = check_int("token_id", token_id, minimum=0)
        if token_id >= self.vocab_size:
            raise ValueError(
                f"token_id={token_id} is outside the vocabulary 0..{self.vocab_size - 1}"
            )
        return self._pieces[token_id]

    def decode(self, token_ids: Iterable[int], *, skip_special_tokens: bool = False) -> str:
        """Return the text of ``token_ids``; special tokens appear as ``<bos>``/``<eos>``.

        Parameters
        ----------
        token_ids : iterable of int
            Ids in ``0..vocab_size-1``.
        skip_special_tokens : bool, default False
            Leave out ``<bos>`` and ``<eos>``.

        Returns
        -------
        str
            The UTF-8 decoding of the concatenated bytes; a byte sequence cut in the middle
            of a character decodes to U+FFFD.

        Raises
        ------
        TypeError
            If ``token_ids`` does not hold integers.
        ValueError
            If an id is outside the vocabulary.

        Examples
        --------
        >>> tok = BPETokenizer([])
        >>> tok.decode([tok.bos_id, 104, 105, tok.eos_id])
        '<bos>hi<eos>'
        >>> tok.decode([tok.bos_id, 104, 105], skip_special_tokens=True)
        'hi'
        """
        if isinstance(token_ids, (str, bytes)) or not isinstance(token_ids, Iterable):
            raise TypeError(f"token_ids must be a sequence of ints, got {type(token_ids).__name__}")
        skip = check_bool("skip_special_tokens", skip_special_tokens)
        ids = self._check_ids(token_ids)
        if skip:
            ids = [i for i in ids if i < self.bos_id]
        return b"".join(self._pieces[i] for i in ids).decode("utf-8", errors="replace")

    def tokenize_pieces(self, text: str) -> list[tuple[int, str]]:
        """Return ``(id, piece)`` for every token of ``text``, to show how text is cut.

        A piece that is only part of a multi-byte character is shown with ``\\x..`` escapes.

        Parameters
        ----------
        text : str
            Any string.

        Returns
        -------
        list of (int, str)

        Examples
        --------
        >>> tok = BPETokenizer([(32, 105), (256, 115)])  # " i", " i"+"s"
        >>> tok.tokenize_pieces("it is")
        [(105, 'i'), (116, 't'), (257, ' is')]
        """
        return [
            (i, self._pieces[i].decode("utf-8", errors="backslashreplace"))
            for i in self.encode(text)
        ]

    # -- persistence -----------------------------------------------------------------------
    def to_json(self) -> str:
        """Return the tokenizer as a small JSON document (format, pattern, merges, specials).

        Examples
        --------
        >>> BPETokenizer.from_json(BPETokenizer([(104, 105)]).to_json()).merges
        ((104, 105),)
        """
        document = {
            "format": _FORMAT,
            "version": 1,
            "pattern": pretoken_pattern(self.numbers),
            "special_tokens": list(SPECIAL_TOKENS),
            "merges": [list(pair) for pair in self.merges],
        }
        return json.dumps(document, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> BPETokenizer:
        """Return the tokenizer stored in ``text`` by :meth:`to_json`.

        Raises
        ------
        ValueError
            If ``text`` is not JSON, or its format, pattern, special tokens or merges differ
            from what this module writes.
        """
        text = check_str("text", text)
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"tokenizer JSON is not valid JSON: {error}") from None
        if not isinstance(document, dict) or document.get("format") != _FORMAT:
            raise ValueError(f"tokenizer JSON must have format={_FORMAT!r}")
        if document.get("pattern") not in _PATTERN_NAMES:
            raise ValueError(
                "tokenizer JSON pattern must be pretoken_pattern(numbers) for numbers in "
                f"{', '.join(NUMBER_SPLITS)}"
            )
        if document.get("special_tokens") != list(SPECIAL_TOKENS):
            raise ValueError(f"tokenizer JSON special_tokens must be {list(SPECIAL_TOKENS)}")
        merges = document.get("merges")
        if not isinstance(merges, list):
            raise ValueError("tokenizer JSON merges must be a list of [int, int] pairs")
        return cls(
            [tuple(pair) if isinstance(pair, list) else pair for pair in merges],
            numbers=_PATTERN_NAMES[document["pattern"]],
        )

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write :meth:`to_json` to ``path`` via a temporary file and a rename; return the path."""
        path = Path(path)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(self.to_json())
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; shipped data must be world-readable
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> BPETokenizer:
        """Return the tokenizer saved at ``path`` by :meth:`save`."""
        return cls.from_json(Path(path).read_text(encoding="utf-8"))


def _learn_merges(
    words: dict[tuple[int, ...], int], max_merges: int, min_frequency: int
) -> list[tuple[int, int]]:
    """Return up to ``max_merges`` merges learned from ``{byte ids of a piece: count}``.

    Pair counts are kept up to date incrementally: a merge rewrites only the pieces that hold
    its pair (found through an index from pair to pieces) and adjusts the counts of their old
    and new pairs, instead of recounting every piece. The merges are the same as recounting
    (the tests check this against a plain implementation).
    """
    symbols = [tuple(w) for w in words]
    freqs = list(words.values())
    counts: Counter[tuple[int, int]] = Counter()
    where: dict[tuple[int, int], set[int]] = defaultdict(set)
    for idx, w in enumerate(symbols):
        for pair in zip(w, w[1:], strict=False):
            counts[pair] += freqs[idx]
            where[pair].add(idx)
    merges: list[tuple[int, int]] = []
    while len(merges) < max_merges and counts:
        pair, count = max(counts.items(), key=lambda kv: (kv[1], -kv[0][0], -kv[0][1]))
        if count < min_frequency:
            break
        new_id = 256 + len(merges)
        merges.append(pair)
        for idx in where.pop(pair, ()):
            old = symbols[idx]
            new = _merge_pair(old, pair, new_id)
            if new == old:  # the index is lazy: this piece lost the pair to an earlier merge
                continue
            f = freqs[idx]
            for p in zip(old, old[1:], strict=False):
                counts[p] -= f
                if not counts[p]:
                    del counts[p]
            for p in zip(new, new[1:], strict=False):
                counts[p] += f
                where[p].add(idx)
            symbols[idx] = new
        counts.pop(pair, None)
    return merges


def train_bpe(
    texts: Iterable[str], vocab_size: int, *, min_frequency: int = 2, numbers: str = "digits"
) -> BPETokenizer:
    """Return a tokenizer whose merges are learned from ``texts`` (most frequent pair first).

    Training stops at ``vocab_size`` ids or when no pair occurs ``min_frequency`` times. Ties
    between equally frequent pairs go to the smaller pair of ids, so training is
    deterministic.

    Parameters
    ----------
    texts : iterable of str
        Training documents.
    vocab_size : int
        Target vocabulary including the 256 bytes and the 2 special tokens, ``>= 258``.
    min_frequency : int, default 2
        A pair must occur at least this often to be merged, ``>= 1``.
    numbers : {"digits", "triples", "runs"}, default "digits"
        How runs of digits are cut before merging (:data:`NUMBER_SPLITS`).

    Returns
    -------
    BPETokenizer
        With ``vocab_size`` ids, or fewer if the corpus ran out of frequent pairs.

    Raises
    ------
    TypeError
        If ``texts`` holds a non-string or a size is not an integer.
    ValueError
        If ``vocab_size < 258``, ``min_frequency < 1`` or ``numbers`` is unknown.

    Examples
    --------
    >>> tok = train_bpe(["low lower lowest"] * 4, vocab_size=260)
    >>> [tok.decode([i]) for i in range(256, 258)]
    ['lo', 'low']
    """
    vocab_size = check_int("vocab_size", vocab_size, minimum=256 + len(SPECIAL_TOKENS))
    min_frequency = check_int("min_frequency", min_frequency, minimum=1)
    numbers = check_choice("numbers", numbers, tuple(NUMBER_SPLITS))
    if isinstance(texts, str) or not isinstance(texts, Iterable):
        raise TypeError(f"texts must be an iterable of str, got {type(texts).__name__}")
    piece_counts: Counter[str] = Counter()
    for i, text in enumerate(texts):
        text = check_str(f"texts[{i}]", text, allow_empty=True)
        piece_counts.update(pretokenize(text, numbers=numbers))
    words = {tuple(p.encode("utf-8")): n for p, n in piece_counts.items()}
    merges = _learn_merges(words, vocab_size - 256 - len(SPECIAL_TOKENS), min_frequency)
    return BPETokenizer(merges, numbers=numbers)
