"""Text generation and label scoring with the tiny decoder.

:func:`generate_ids` runs the next-token loop of :func:`llmhistory.concepts.decoding.generate`
over a :class:`~llmhistory.tiny.model.TinyDecoder`, either recomputing the whole sequence at
every step (``use_cache=False``) or feeding only the newest token and reading earlier Keys and
Values from a :class:`~llmhistory.concepts.kv_cache.KVCache` (``use_cache=True``). Both give the
same tokens; the cached loop is much faster. :func:`generate_text` wraps it with the tokenizer,
and :func:`loop_trace` records the loop one token at a time
(:func:`llmhistory.concepts.next_token.format_loop_trace` prints it).

:func:`rank_labels` turns the model into a classifier the way the chapter describes: after a
few-shot prompt that ends in ``Label:``, each candidate label is scored by the log-probability
the model gives to its tokens (``" Shipping"``), and the labels are ranked.

>>> from llmhistory.tiny import load_tiny
>>> model, tokenizer = load_tiny()
>>> text = generate_text(model, tokenizer, "Customer: Where is my order?\\nAgent:")
>>> len(text) > 0
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np

from llmhistory._validate import (
    as_int_array,
    check_bool,
    check_instance,
    check_int,
    check_sequence,
    check_str,
)
from llmhistory.concepts.decoding import (
    GREEDY,
    DecodingPolicy,
    Generation,
    generate,
    log_softmax,
    softmax,
)
from llmhistory.concepts.next_token import LoopStep
from llmhistory.concepts.prompts import SUPPORT_EXAMPLES, SUPPORT_LABELS, build_label_prompt
from llmhistory.tiny.model import TinyDecoder, forward
from llmhistory.tiny.tokenizer import BPETokenizer

__all__ = [
    "generate_ids",
    "generate_text",
    "label_accuracy",
    "loop_trace",
    "next_logits_function",
    "rank_labels",
]


def _check_tokenizer(tokenizer: object, model: TinyDecoder) -> BPETokenizer:
    check_instance("tokenizer", tokenizer, BPETokenizer)
    if tokenizer.vocab_size != model.config.vocab_size:
        raise ValueError(
            f"tokenizer vocab_size={tokenizer.vocab_size} differs from the model's "
            f"vocab_size={model.config.vocab_size}"
        )
    return tokenizer


def next_logits_function(
    model: TinyDecoder, *, use_cache: bool = True, capacity: int | None = None
) -> Callable[[list[int]], np.ndarray]:
    """Return ``next_logits(token_ids) -> (vocab_size,)`` for
    :func:`llmhistory.concepts.decoding.generate`.

    With ``use_cache=True`` the function keeps a :class:`~llmhistory.concepts.kv_cache.KVCache`
    and runs only the ids it has not seen yet, so it must be called with one growing sequence
    (as the loop does). With ``use_cache=False`` it runs the full forward pass every time.

    Parameters
    ----------
    model : TinyDecoder
    use_cache : bool, default True
    capacity : int, optional
        Positions to preallocate in the cache; default the model's context.

    Returns
    -------
    callable

    Examples
    --------
    >>> from llmhistory.tiny.model import tiny_config
    >>> c = tiny_config(vocab_size=20, d_model=8, layers=1, heads=2, kv_heads=1, d_ff=8,
    ...                 context=16)
    >>> model = TinyDecoder.random(c, dtype="float64")
    >>> cached, full = next_logits_function(model), next_logits_function(model, use_cache=False)
    >>> bool(np.allclose(cached([1, 2]), full([1, 2])) and np.allclose(cached([1, 2, 3]),
    ...                                                               full([1, 2, 3])))
    True
    """
    model = check_instance("model", model, TinyDecoder)
    if not check_bool("use_cache", use_cache):
        return lambda token_ids: model.logits(token_ids)[-1]
    cache = model.new_cache(capacity)

    def next_logits(token_ids: list[int]) -> np.ndarray:
        if len(token_ids) <= cache.tokens:
            raise ValueError(
                f"token_ids has {len(token_ids)} tokens but the cache already holds "
                f"{cache.tokens}: a cached next_logits follows one growing sequence"
            )
        logits, _ = model.forward_step(token_ids[cache.tokens :], cache)
        return logits[-1]  # [vocab_size]

    return next_logits


def generate_ids(
    model: TinyDecoder,
    prompt_ids: Sequence[int],
    *,
    max_new_tokens: int = 64,
    policy: DecodingPolicy = GREEDY,
    seed: int = 0,
    use_cache: bool = True,
    stop_tokens: Sequence[int] = (),
) -> Generation:
    """Return the :class:`~llmhistory.concepts.decoding.Generation` of ``model`` continuing
    ``prompt_ids``.

    Parameters
    ----------
    model : TinyDecoder
    prompt_ids : sequence of int
        Non-empty prompt (usually starting with ``<bos>``).
    max_new_tokens : int, default 64
        Upper bound on generated tokens, ``>= 0``; prompt plus new tokens must fit the
        context.
    policy : DecodingPolicy, default greedy
        Greedy, or sampling with temperature / top-k / top-p.
    seed : int, default 0
        Seeds the sampler, so a run is reproducible.
    use_cache : bool, default True
        Use the KV cache (same tokens, faster).
    stop_tokens : sequence of int, default ()
        Ids that end the run (e.g. ``tokenizer.eos_id``); the stop token is kept.

    Returns
    -------
    Generation
        ``token_ids``, ``new_token_ids`` and ``stop_reason``.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``prompt_ids`` is empty or holds ids outside the vocabulary, or the prompt plus
        ``max_new_tokens`` exceeds the context.

    Examples
    --------
    >>> from llmhistory.tiny.model import tiny_config
    >>> c = tiny_config(vocab_size=20, d_model=8, layers=1, heads=2, kv_heads=1, d_ff=8,
    ...                 context=16)
    >>> run = generate_ids(TinyDecoder.random(c), [1, 2], max_new_tokens=3)
    >>> len(run.new_token_ids), run.stop_reason
    (3, 'max_new_tokens')
    """
    model = check_instance("model", model, TinyDecoder)
    max_new_tokens = check_int("max_new_tokens", max_new_tokens, minimum=0)
    seed = check_int("seed", seed, minimum=0)
    use_cache = check_bool("use_cache", use_cache)
    if isinstance(prompt_ids, (str, bytes)):
        raise TypeError("prompt_ids must be a sequence of token ids, got a string (encode it)")
    prompt = model.check_token_ids(prompt_ids)
    total = prompt.size + max_new_tokens
    if total > model.config.context:
        raise ValueError(
            f"max_new_tokens={max_new_tokens} plus {prompt.size} prompt tokens exceeds "
            f"context={model.config.context}"
        )
    if use_cache and isinstance(policy, DecodingPolicy) and policy.greedy:
        return _greedy_with_cache(model, prompt, max_new_tokens, stop_tokens)
    next_logits = next_logits_function(model, use_cache=use_cache, capacity=max(total, 1))
    rng = np.random.default_rng(seed)
    return generate(
        next_logits,
        prompt.tolist(),
        max_new_tokens=max_new_tokens,
        policy=policy,
        rng=rng,
        stop_tokens=stop_tokens,
    )


def _check_stop_tokens(stop_tokens: object) -> set[int]:
    """Return ``stop_tokens`` as a set of ids, checked as the general loop checks them."""
    if isinstance(stop_tokens, (str, bytes)) or not isinstance(stop_tokens, Iterable):
        raise TypeError(
            f"stop_tokens must be a sequence of integer token ids, got {type(stop_tokens).__name__}"
        )
    array = as_int_array("stop_tokens", list(stop_tokens), ndim=1)
    if (array < 0).any():
        raise ValueError(f"stop_tokens must hold token ids >= 0, got {int(array.min())}")
    return {int(t) for t in array}


def _greedy_with_cache(
    model: TinyDecoder, prompt: np.ndarray, max_new_tokens: int, stop_tokens: Sequence[int]
) -> Generation:
    """Return :func:`~llmhistory.concepts.decoding.generate`'s greedy run, as a lean loop.

    Greedy decoding with the cache is the common case (every example of the book, the
    benchmark), and it needs neither a sampler nor a re-check of logits the model has just
    computed: each step is one cached forward pass over the newest token and an ``argmax``
    (the first of tied maxima, as :func:`~llmhistory.concepts.decoding.choose_token`). The
    tests check it gives the general loop's tokens.
    """
    stops = _check_stop_tokens(stop_tokens)
    ids = prompt.tolist()
    if max_new_tokens == 0:
        return Generation(tuple(ids), (), "max_new_tokens")
    cache = model.new_cache(prompt.size + max_new_tokens)
    logits, _ = model.forward_step(prompt, cache)  # [prompt, vocab_size]: the checked pass
    for step in range(max_new_tokens):
        token = int(np.argmax(logits[-1]))
        ids.append(token)
        if token in stops:
            return Generation(tuple(ids), tuple(ids[prompt.size :]), "stop_token")
        if step + 1 < max_new_tokens:  # the cache has room: it holds prompt + max_new_tokens
            logits = forward(model, np.array([token]), cache.tokens, cache=cache)
    return Generation(tuple(ids), tuple(ids[prompt.size :]), "max_new_tokens")


def generate_text(
    model: TinyDecoder,
    tokenizer: BPETokenizer,
    prompt: str,
    *,
    max_new_tokens: int = 64,
    policy: DecodingPolicy = GREEDY,
    seed: int = 0,
    use_cache: bool = True,
) -> str:
    """Return the model's continuation of ``prompt``, stopping at ``<eos>`` (not included).

    The prompt is encoded with a leading ``<bos>``, as in training.

    Parameters
    ----------
    model : TinyDecoder
    tokenizer : BPETokenizer
        Must match the model's vocabulary.
    prompt : str
        Non-blank text.
    max_new_tokens, policy, seed, use_cache
        As for :func:`generate_ids`.

    Returns
    -------
    str
        The generated text only (without the prompt and the ``<eos>``).

    Raises
    ------
    TypeError, ValueError
        As for :func:`generate_ids`; also for a blank prompt or a mismatched tokenizer.

    Examples
    --------
    >>> from llmhistory.tiny import load_tiny
    >>> model, tokenizer = load_tiny()
    >>> generate_text(model, tokenizer, "Policy: damaged items may be returned within",
    ...               max_new_tokens=8)
    ' 30 days.'
    """
    model = check_instance("model", model, TinyDecoder)
    tokenizer = _check_tokenizer(tokenizer, model)
    prompt = check_str("prompt", prompt)
    run = generate_ids(
        model,
        tokenizer.encode(prompt, add_bos=True),
        max_new_tokens=max_new_tokens,
        policy=policy,
        seed=seed,
        use_cache=use_cache,
        stop_tokens=(tokenizer.eos_id,),
    )
    return tokenizer.decode(run.new_token_ids, skip_special_tokens=True)


def _check_labels(labels: object) -> tuple[str, ...]:
    labels = check_sequence("labels", labels, "label")
    checked = tuple(check_str(f"labels[{i}]", label) for i, label in enumerate(labels))
    if len(set(checked)) != len(checked):
        raise ValueError(f"labels must be distinct, got {list(checked)}")
    return checked


def rank_labels(
    model: TinyDecoder, tokenizer: BPETokenizer, prompt: str, labels: Sequence[str]
) -> list[tuple[str, float]]:
    """Return ``(label, log-probability)`` pairs, most likely first, for continuing ``prompt``.

    A label's score is the sum of the log-probabilities of the tokens of ``" " + label`` after
    the prompt (natural log). The prompt is run once, with a KV cache that each label then
    extends from a copy.

    Parameters
    ----------
    model : TinyDecoder
    tokenizer : BPETokenizer
    prompt : str
        Usually a few-shot prompt ending in ``"Label:"``.
    labels : sequence of str
        Distinct non-blank candidates.

    Returns
    -------
    list of (str, float)
        Sorted by score, highest first (ties keep the order of ``labels``).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``prompt`` or a label is blank, labels repeat, or prompt plus label exceed the
        context.

    Examples
    --------
    >>> from llmhistory.tiny import load_tiny
    >>> from llmhistory.concepts.prompts import SUPPORT_EXAMPLES, SUPPORT_LABELS, build_label_prompt
    >>> model, tokenizer = load_tiny()
    >>> prompt = build_label_prompt("My order says delivered but it's not here.",
    ...                             SUPPORT_EXAMPLES, labels=SUPPORT_LABELS)
    >>> rank_labels(model, tokenizer, prompt, SUPPORT_LABELS)[0][0]
    'Shipping'
    """
    model = check_instance("model", model, TinyDecoder)
    tokenizer = _check_tokenizer(tokenizer, model)
    prompt = check_str("prompt", prompt)
    labels = _check_labels(labels)
    prompt_ids = tokenizer.encode(prompt, add_bos=True)
    continuations = [tokenizer.encode(" " + label) for label in labels]
    longest = len(prompt_ids) + max(len(ids) for ids in continuations)
    if longest > model.config.context:
        raise ValueError(
            f"prompt plus label has {longest} tokens, more than context={model.config.context}"
        )
    prompt_logits, cache = model.forward_step(prompt_ids, model.new_cache(longest))
    scores = []
    for ids in continuations:
        rows = prompt_logits[-1:]  # [1, vocab_size]: predicts the label's first token
        if len(ids) > 1:
            more, _ = model.forward_step(ids[:-1], cache.copy())  # [len - 1, vocab_size]
            rows = np.concatenate([rows, more])
        logprobs = log_softmax(rows, axis=-1)  # [len, vocab_size]
        scores.append(float(logprobs[np.arange(len(ids)), ids].sum()))
    order = sorted(range(len(labels)), key=lambda i: -scores[i])
    return [(labels[i], scores[i]) for i in order]


def label_accuracy(
    model: TinyDecoder,
    tokenizer: BPETokenizer,
    tickets: Sequence[object],
    *,
    examples: Sequence[tuple[str, str]] = SUPPORT_EXAMPLES,
    labels: Sequence[str] = SUPPORT_LABELS,
) -> float:
    """Return the fraction of ``tickets`` whose label :func:`rank_labels` puts first.

    Each ticket (anything with ``.message`` and ``.label``, e.g.
    :class:`llmhistory.tiny.corpus.Ticket`) is classified with the few-shot prompt of
    :func:`llmhistory.concepts.prompts.build_label_prompt`.

    Returns
    -------
    float
        Accuracy in ``[0, 1]``.

    Raises
    ------
    ValueError
        If ``tickets`` is empty.

    Examples
    --------
    >>> from llmhistory.tiny.corpus import Ticket
    >>> from llmhistory.tiny import load_tiny
    >>> label_accuracy(*load_tiny(), [Ticket("I forgot my password.", "Account")])
    1.0
    """
    if isinstance(tickets, (str, bytes)) or not isinstance(tickets, Sequence) or not tickets:
        raise ValueError("tickets must be a non-empty sequence of tickets")
    correct = 0
    for ticket in tickets:
        prompt = build_label_prompt(ticket.message, examples, labels=labels)  # type: ignore[attr-defined]
        best, _ = rank_labels(model, tokenizer, prompt, labels)[0]
        correct += best == ticket.label  # type: ignore[attr-defined]
    return correct / len(tickets)


def loop_trace(
    model: TinyDecoder,
    tokenizer: BPETokenizer,
    prompt: str,
    *,
    max_new_tokens: int = 12,
    policy: DecodingPolicy = GREEDY,
    seed: int = 0,
    tail_tokens: int = 3,
) -> tuple[LoopStep, ...]:
    """Return one :class:`~llmhistory.concepts.next_token.LoopStep` per token generated.

    Generation is :func:`generate_ids` (``<bos>`` + prompt, stopping at ``<eos>``); the
    probabilities come from one full forward pass over the result, row ``t`` scoring the token
    at ``t + 1``. :func:`llmhistory.concepts.next_token.format_loop_trace` prints the steps.

    Parameters
    ----------
    model : TinyDecoder
    tokenizer : BPETokenizer
    prompt : str
        Non-blank text.
    max_new_tokens : int, default 12
        ``>= 1``.
    policy : DecodingPolicy, default greedy
    seed : int, default 0
        Seed of the sampler (unused when greedy).
    tail_tokens : int, default 3
        Tokens of context to show, ``>= 1``.

    Returns
    -------
    tuple of LoopStep
        Empty only if nothing was generated.

    Raises
    ------
    TypeError, ValueError
        As for :func:`generate_ids`, and for a bad ``tail_tokens`` or a mismatched tokenizer.

    Examples
    --------
    >>> from llmhistory.tiny.model import tiny_config
    >>> tok = BPETokenizer([])
    >>> c = tiny_config(vocab_size=tok.vocab_size, d_model=8, layers=1, heads=2, kv_heads=1,
    ...                 d_ff=8, context=32)
    >>> steps = loop_trace(TinyDecoder.random(c), tok, "Hi", max_new_tokens=2)
    >>> [s.step for s in steps], steps[0].rank
    ([1, 2], 1)
    """
    model = check_instance("model", model, TinyDecoder)
    tokenizer = _check_tokenizer(tokenizer, model)
    prompt = check_str("prompt", prompt)
    max_new_tokens = check_int("max_new_tokens", max_new_tokens, minimum=1)
    tail_tokens = check_int("tail_tokens", tail_tokens, minimum=1)
    prompt_ids = tokenizer.encode(prompt, add_bos=True)
    run = generate_ids(
        model,
        prompt_ids,
        max_new_tokens=max_new_tokens,
        policy=policy,
        seed=seed,
        stop_tokens=(tokenizer.eos_id,),
    )
    ids = list(run.token_ids)
    rows = model.logits(ids[:-1])  # [tokens - 1, vocab_size]: row t scores token t + 1
    steps = []
    for step, token in enumerate(run.new_token_ids, start=1):
        position = len(prompt_ids) + step - 2  # the row that chose this token
        probs = softmax(rows[position])  # [vocab_size], float64
        start = max(0, position + 1 - tail_tokens)
        steps.append(
            LoopStep(
                step=step,
                context_tail=tokenizer.decode(ids[start : position + 1]),
                token_id=int(token),
                token=tokenizer.decode([token]),
                probability=float(probs[token]),
                rank=1 + int(np.count_nonzero(probs > probs[token])),
            )
        )
    return tuple(steps)
