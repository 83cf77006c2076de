"""Speculative decoding with the tiny model as target and a smaller model as draft.

Each round, the draft runs ``k`` one-token passes to propose ``k`` tokens; the target runs
**one** pass over the last committed token and the ``k`` guesses, which gives its ``k + 1``
next-token distributions; :func:`llmhistory.concepts.speculative.verify_draft` keeps the
accepted prefix and adds one token of the target's. Both models keep a KV cache; the positions
of rejected guesses are dropped with :meth:`~llmhistory.concepts.kv_cache.KVCache.truncate`.

With the greedy policy the output equals :func:`llmhistory.tiny.generation.generate_ids`
greedy output token for token; with sampling, every token follows the target's distribution
under the policy (temperature, top-k, top-p applied to both models alike).

>>> from llmhistory.tiny import load_tiny
>>> target, tokenizer = load_tiny("float64")
>>> run = speculative_generate(target, target, [tokenizer.bos_id], max_new_tokens=8, k=3)
>>> run.acceptance_rate  # a draft identical to the target is always right
1.0
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np

from llmhistory._validate import (
    check_choice,
    check_instance,
    check_int,
    check_positive_int,
    check_sequence,
)
from llmhistory.concepts.decoding import GREEDY, DecodingPolicy, next_token_distribution
from llmhistory.concepts.speculative import verify_draft
from llmhistory.tiny.checkpoint import load_model
from llmhistory.tiny.model import DTYPES, TinyDecoder

__all__ = [
    "DRAFT_FILE",
    "SpeculativeRun",
    "SpeedPoint",
    "load_draft",
    "measure_speedup",
    "speculative_generate",
]

#: The shipped draft model inside ``llmhistory/tiny/data``, written by ``scripts/train_draft.py``.
DRAFT_FILE = "tiny_draft.safetensors"


def load_draft(dtype: str = "float32") -> TinyDecoder:
    """Return the shipped draft model: one layer, trained like the tiny model, same tokenizer.

    Parameters
    ----------
    dtype : {"float32", "float64"}, default "float32"

    Raises
    ------
    FileNotFoundError
        If the file is missing (``python scripts/train_draft.py`` writes it).
    """
    dtype = check_choice("dtype", str(dtype), DTYPES)
    source = resources.files("llmhistory.tiny") / "data" / DRAFT_FILE
    if not source.is_file():
        raise FileNotFoundError(f"{source} is missing; run scripts/train_draft.py to create it")
    with resources.as_file(source) as path:
        draft = load_model(path, name="tiny-draft")
    if draft.dtype != np.dtype(dtype):
        draft = TinyDecoder(
            draft.config, {n: w.astype(dtype) for n, w in draft.state_dict().items()}
        )
    return draft


@dataclass(frozen=True)
class SpeculativeRun:
    """The tokens of a speculative generation and how the work was split.

    Attributes
    ----------
    token_ids : tuple of int
        Prompt then generated tokens.
    new_token_ids : tuple of int
        The generated tokens only.
    rounds : int
        Draft-and-verify rounds, one target pass each (the prefill not counted).
    proposed, accepted : int
        Guesses the draft made and guesses the target accepted.
    rejected : int
        Rounds that ended in a rejected guess (at most one per round). Guesses after a
        rejection are proposed but never examined.
    draft_passes : int
        One-token draft passes (the prefill not counted).
    """

    token_ids: tuple[int, ...]
    new_token_ids: tuple[int, ...]
    rounds: int
    proposed: int
    accepted: int
    rejected: int
    draft_passes: int

    @property
    def acceptance_rate(self) -> float:
        """Share of the examined guesses that were accepted: ``accepted / (accepted + rejected)``.

        The estimate of the per-guess acceptance probability ``alpha`` of
        :func:`~llmhistory.concepts.speculative.expected_tokens_per_round`; 1.0 when no guess
        was examined.
        """
        examined = self.accepted + self.rejected
        return self.accepted / examined if examined else 1.0

    @property
    def tokens_per_round(self) -> float:
        """Generated tokens per target pass."""
        return len(self.new_token_ids) / self.rounds if self.rounds else 0.0


def _check_pair(target: object, draft: object) -> tuple[TinyDecoder, TinyDecoder]:
    target = check_instance("target", target, TinyDecoder)
    draft = check_instance("draft", draft, TinyDecoder)
    if target.config.vocab_size != draft.config.vocab_size:
        raise ValueError(
            f"draft vocab_size={draft.config.vocab_size} must equal the target's "
            f"{target.config.vocab_size} (they must share a tokenizer)"
        )
    return target, draft


def speculative_generate(
    target: TinyDecoder,
    draft: TinyDecoder,
    prompt_ids: Sequence[int],
    *,
    max_new_tokens: int = 64,
    k: int = 4,
    policy: DecodingPolicy = GREEDY,
    seed: int = 0,
    stop_tokens: Sequence[int] = (),
) -> SpeculativeRun:
    """Return ``max_new_tokens`` tokens (fewer at a stop token) by speculative decoding.

    Parameters
    ----------
    target, draft : TinyDecoder
        Same vocabulary (the same tokenizer).
    prompt_ids : sequence of int
        At least one id; prompt plus ``max_new_tokens`` must fit both contexts.
    max_new_tokens : int, default 64
    k : int, default 4
        Guesses per round, ``>= 1`` (fewer near the end).
    policy : DecodingPolicy, default greedy
        Applied to both models' logits.
    seed : int, default 0
        Seed of the draft's draws and of the accept/reject draws.
    stop_tokens : sequence of int, default ()
        Generation ends after emitting one of these.

    Returns
    -------
    SpeculativeRun

    Raises
    ------
    TypeError, ValueError
        Wrong types, different vocabularies, ids outside the vocabulary, or too long.
    """
    target, draft = _check_pair(target, draft)
    max_new_tokens = check_positive_int("max_new_tokens", max_new_tokens)
    k = check_positive_int("k", k)
    policy = check_instance("policy", policy, DecodingPolicy)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    stops = {int(t) for t in check_sequence("stop_tokens", stop_tokens, allow_empty=True)}
    context = min(target.config.context, draft.config.context)
    what = f"prompt + max_new_tokens={max_new_tokens} must fit context={context}"
    ids = target.check_token_ids(prompt_ids, max(context - max_new_tokens, 0), what).tolist()
    prompt_len = len(ids)
    t_cache, d_cache = target.new_cache(), draft.new_cache()
    if len(ids) > 1:  # both caches hold every token but the last, which each round feeds
        target.forward_step(ids[:-1], t_cache)
        draft.forward_step(ids[:-1], d_cache)
    rounds = proposed = accepted = rejected = draft_passes = 0
    while len(ids) - prompt_len < max_new_tokens and not (stops and ids[-1] in stops):
        base = t_cache.tokens  # == len(ids) - 1
        n = min(k, max_new_tokens - (len(ids) - prompt_len) - 1)
        guesses: list[int] = []
        q_rows = []
        token = ids[-1]
        for _ in range(n):
            logits, _ = draft.forward_step([token], d_cache)
            q = next_token_distribution(logits[-1], policy)
            token = int(np.searchsorted(np.cumsum(q), rng.random() * q.sum(), side="right"))
            token = min(token, q.size - 1)
            while q[token] == 0:  # a zero-probability index can only come from rounding
                token -= 1
            guesses.append(token)
            q_rows.append(q)
        draft_passes += n
        logits, _ = target.forward_step([ids[-1], *guesses], t_cache)  # one pass: n + 1 rows
        p_rows = [next_token_distribution(row, policy) for row in logits]
        vocab = target.config.vocab_size
        step = verify_draft(np.array(p_rows), np.array(q_rows).reshape(n, vocab), guesses, rng)
        rounds, proposed, accepted = rounds + 1, proposed + n, accepted + step.accepted
        rejected += step.accepted < n
        emitted = list(step.tokens)
        if stops:
            for j, t in enumerate(emitted):
                if t in stops:
                    emitted = emitted[: j + 1]
                    break
        ids.extend(emitted)
        keep = base + len(emitted)  # the caches hold everything but the newest token
        t_cache.truncate(keep)
        if d_cache.tokens >= keep:
            d_cache.truncate(keep)
        else:  # every guess accepted: the draft has not seen its own last guess yet
            draft.forward_step(ids[d_cache.tokens : keep], d_cache)
            draft_passes += 1
    new = ids[prompt_len:]
    return SpeculativeRun(
        tuple(ids), tuple(new), rounds, proposed, accepted, rejected, draft_passes
    )


def _best_of_two(func, *args, **kwargs):  # noqa: ANN001, ANN202 (a timing helper)
    """Return ``func(*args, **kwargs)`` and the shorter wall time of two calls."""
    times = []
    for _ in range(2):
        begin = time.perf_counter()
        result = func(*args, **kwargs)
        times.append(time.perf_counter() - begin)
    return result, min(times)


@dataclass(frozen=True)
class SpeedPoint:
    """Measured speculative decoding at one ``k`` (timings vary by machine).

    Attributes
    ----------
    k : int
    acceptance_rate : float
        Accepted share of the examined guesses (:attr:`SpeculativeRun.acceptance_rate`).
    tokens_per_round : float
    speedup : float
        Plain cached greedy decoding time over speculative decoding time, same tokens.
    """

    k: int
    acceptance_rate: float
    tokens_per_round: float
    speedup: float


def measure_speedup(
    target: TinyDecoder,
    draft: TinyDecoder,
    prompts: Sequence[Sequence[int]],
    ks: Sequence[int],
    *,
    max_new_tokens: int = 48,
) -> list[SpeedPoint]:
    """Return acceptance rate, tokens per target pass and wall-time speed-up for each ``k``.

    Greedy decoding of each prompt, plain (the target alone, cached) against speculative; the
    two must give the same tokens (else ``RuntimeError``). Timings are best of two runs.
    """
    from llmhistory.tiny.generation import generate_ids

    target, draft = _check_pair(target, draft)
    prompts = check_sequence("prompts", prompts, "prompt")
    ks = [check_positive_int(f"ks[{i}]", k) for i, k in enumerate(check_sequence("ks", ks, "k"))]

    plain_s, plain_tokens = 0.0, []
    for prompt in prompts:
        run, seconds = _best_of_two(generate_ids, target, prompt, max_new_tokens=max_new_tokens)
        plain_s += seconds
        plain_tokens.append(tuple(run.new_token_ids))
    points = []
    for k in ks:
        spec_s, rejected, accepted, rounds, new = 0.0, 0, 0, 0, 0
        for prompt, expected in zip(prompts, plain_tokens, strict=True):
            run, seconds = _best_of_two(
                speculative_generate, target, draft, prompt, max_new_tokens=max_new_tokens, k=k
            )
            if run.new_token_ids != expected:
                raise RuntimeError(f"speculative greedy output differs from plain at k={k}")
            spec_s += seconds
            rejected, accepted = rejected + run.rejected, accepted + run.accepted
            rounds, new = rounds + run.rounds, new + len(run.new_token_ids)
        alpha = accepted / (accepted + rejected) if accepted + rejected else 1.0
        points.append(SpeedPoint(k, alpha, new / rounds, plain_s / spec_s))
    return points
