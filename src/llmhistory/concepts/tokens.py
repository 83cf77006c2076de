"""What a vocabulary costs: embedding rows, output-head compute, and tokens per unit of text.

A tokenizer's vocabulary size ``vocab_size`` enters a decoder twice: the token-embedding matrix
has ``vocab_size x d_model`` parameters, and the output head that turns the last hidden state
into logits has as many again, unless the model ties the two (GPT-2 does; Llama 2, Llama 3 and
Qwen2.5-7B do not). Each generated token also pays ``2 * vocab_size * d_model`` FLOPs in the
output head. In return a larger vocabulary cuts text into fewer tokens, so every sequence is
shorter. This module computes the cost side from a
:class:`~llmhistory.concepts.models.ModelConfig` and the length side as ratios of token
counts; the tokenizer itself lives in :mod:`llmhistory.tiny.tokenizer`.

>>> cost = vocabulary_cost(get_config("llama-3-8b"))
>>> cost.vocab_parameters, round(cost.share, 3)
(1050673152, 0.131)
"""

from __future__ import annotations

from dataclasses import dataclass

from llmhistory._validate import (
    check_bool,
    check_instance,
    check_int,
    check_positive_int,
    check_str,
)
from llmhistory.concepts.models import ModelConfig, count_parameters, get_config

__all__ = [
    "PUBLISHED_VOCABULARIES",
    "VocabularyCost",
    "count_words",
    "embedding_parameters",
    "output_head_flops",
    "published_vocabulary_costs",
    "tokenization_premium",
    "tokens_per_word",
    "vocabulary_cost",
]

#: The published models whose vocabularies chapter 4 compares: display name and registry name
#: (:func:`~llmhistory.concepts.models.get_config`).
PUBLISHED_VOCABULARIES: tuple[tuple[str, str], ...] = (
    ("GPT-2 small", "gpt2"),
    ("Llama 2 7B", "llama-2-7b"),
    ("Llama 3 8B", "llama-3-8b"),
    ("Qwen2.5-7B", "qwen2.5-7b"),
)


def embedding_parameters(vocab_size: int, d_model: int, *, tied: bool) -> int:
    """Return the parameters a vocabulary costs: ``vocab_size * d_model``, twice if untied.

    Parameters
    ----------
    vocab_size : int
        Rows of the embedding matrix, ``>= 1``.
    d_model : int
        Hidden width, ``>= 1``.
    tied : bool
        The output head reuses the embedding matrix (one copy) or has its own (two).

    Returns
    -------
    int
        Parameters of the token embedding plus the output head.

    Raises
    ------
    TypeError
        If a size is not an integer or ``tied`` is not a bool.
    ValueError
        If a size is < 1.

    Examples
    --------
    >>> embedding_parameters(50257, 768, tied=True)
    38597376
    >>> embedding_parameters(32000, 4096, tied=False)
    262144000
    """
    vocab_size = check_positive_int("vocab_size", vocab_size)
    d_model = check_positive_int("d_model", d_model)
    tied = check_bool("tied", tied)
    return vocab_size * d_model * (1 if tied else 2)


def output_head_flops(vocab_size: int, d_model: int) -> int:
    """Return the FLOPs of the output head for one token: ``2 * vocab_size * d_model``.

    One multiply and one add per weight of the ``d_model x vocab_size`` head; the softmax
    after it is a few FLOPs per logit more and is left out.

    Examples
    --------
    >>> output_head_flops(128256, 4096) / 1e9
    1.050673152
    """
    vocab_size = check_positive_int("vocab_size", vocab_size)
    d_model = check_positive_int("d_model", d_model)
    return 2 * vocab_size * d_model


@dataclass(frozen=True)
class VocabularyCost:
    """What a model's vocabulary costs in parameters (see :func:`vocabulary_cost`).

    Attributes
    ----------
    name : str
        Model name.
    vocab_size, d_model : int
        Embedding rows and hidden width.
    tied : bool
        Output head shares the embedding matrix.
    embedding, output_head : int
        Parameters of the token embedding and of the output head (0 when tied).
    total : int
        All parameters of the model.
    """

    name: str
    vocab_size: int
    d_model: int
    tied: bool
    embedding: int
    output_head: int
    total: int

    @property
    def vocab_parameters(self) -> int:
        """Parameters that scale with ``vocab_size``: embedding plus output head."""
        return self.embedding + self.output_head

    @property
    def share(self) -> float:
        """``vocab_parameters / total``, in [0, 1]."""
        return self.vocab_parameters / self.total

    @property
    def head_flops(self) -> int:
        """:func:`output_head_flops` of this model, per generated token."""
        return output_head_flops(self.vocab_size, self.d_model)


def vocabulary_cost(config: ModelConfig, name: str | None = None) -> VocabularyCost:
    """Return the parameters ``config``'s vocabulary costs (from ``count_parameters``).

    Parameters
    ----------
    config : ModelConfig
    name : str, optional
        Display name; default ``config.name``.

    Returns
    -------
    VocabularyCost
        Its ``vocab_parameters`` equal :func:`embedding_parameters` of the config.

    Raises
    ------
    TypeError
        If ``config`` is not a :class:`ModelConfig` or ``name`` is not a str.

    Examples
    --------
    >>> cost = vocabulary_cost(get_config("gpt2"))
    >>> cost.embedding, cost.output_head, round(cost.share, 3)
    (38597376, 0, 0.31)
    """
    config = check_instance("config", config, ModelConfig)
    name = config.name if name is None else check_str("name", name)
    count = count_parameters(config)
    return VocabularyCost(
        name=name,
        vocab_size=config.vocab_size,
        d_model=config.d_model,
        tied=config.tied_embeddings,
        embedding=count.breakdown["embeddings"],
        output_head=count.breakdown["output_head"],
        total=count.total,
    )


def published_vocabulary_costs() -> list[VocabularyCost]:
    """Return :func:`vocabulary_cost` of each model in :data:`PUBLISHED_VOCABULARIES`.

    Examples
    --------
    >>> [(c.name, c.vocab_size) for c in published_vocabulary_costs()][-1]
    ('Qwen2.5-7B', 152064)
    """
    return [vocabulary_cost(get_config(name), label) for label, name in PUBLISHED_VOCABULARIES]


def tokens_per_word(tokens: int, words: int) -> float:
    """Return ``tokens / words``: how many tokens a word of the text costs on average.

    Raises
    ------
    TypeError
        If a count is not an integer.
    ValueError
        If ``tokens < 0`` or ``words < 1``.

    Examples
    --------
    >>> tokens_per_word(13, 10)
    1.3
    """
    tokens = check_int("tokens", tokens, minimum=0)
    words = check_positive_int("words", words)
    return tokens / words


def tokenization_premium(tokens: int, reference_tokens: int) -> float:
    """Return ``tokens / reference_tokens``: the token count of a text relative to a reference.

    For a translation measured against the original (usually English), this is what Petrov et
    al. (2023) call the tokenization premium: 2.0 means the same content costs twice the
    tokens, so twice the price per token, half the context, and about twice the decoding time.

    Raises
    ------
    TypeError
        If a count is not an integer.
    ValueError
        If ``tokens < 0`` or ``reference_tokens < 1``.

    Examples
    --------
    >>> tokenization_premium(30, 12)
    2.5
    """
    tokens = check_int("tokens", tokens, minimum=0)
    reference_tokens = check_positive_int("reference_tokens", reference_tokens)
    return tokens / reference_tokens


def count_words(text: str) -> int:
    """Return the number of whitespace-separated words in ``text``.

    Meaningful for languages that put spaces between words; Chinese and Japanese do not, so
    compare those by characters or against a translation instead.

    Examples
    --------
    >>> count_words("Where is my order?  It has not arrived.")
    8
    """
    return len(check_str("text", text, allow_empty=True).split())
