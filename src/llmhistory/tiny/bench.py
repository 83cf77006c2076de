"""Benchmark of the shipped tiny model: generation with and without the KV cache.

Run ``python -m llmhistory.tiny.bench`` to print, in one run:

* tokens per second generating ``new_tokens`` tokens greedily with the cache and by recomputing
  the whole sequence at every step, and their ratio;
* the time of one full forward pass over ``new_tokens`` tokens;
* the bytes the cache holds after ``new_tokens`` tokens against
  :func:`llmhistory.concepts.kv_cache.kv_cache_bytes`.

Timings depend on the machine; this is a benchmark to read, never a timed test.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass

from llmhistory._validate import check_instance, check_int, check_positive_int, check_str
from llmhistory.concepts.kv_cache import kv_cache_bytes
from llmhistory.tiny.checkpoint import load_tiny
from llmhistory.tiny.generation import generate_ids
from llmhistory.tiny.model import TinyDecoder
from llmhistory.tiny.tokenizer import BPETokenizer

__all__ = ["BenchResult", "format_benchmark", "main", "run_benchmark"]


@dataclass(frozen=True)
class BenchResult:
    """Figures of one benchmark run.

    Attributes
    ----------
    new_tokens : int
        Tokens generated per run.
    prompt_tokens : int
        Tokens of the prompt (with ``<bos>``).
    cached_tokens_per_s, uncached_tokens_per_s : float
        Generation speed with and without the KV cache (tokens/s).
    full_forward_ms : float
        Best time of one full forward pass over ``new_tokens`` tokens (milliseconds).
    cache_shape : tuple of int
        ``(layers, 2, 1, kv_heads, new_tokens, head_dim)``.
    cache_nbytes, formula_nbytes : int
        The cache's bytes and :func:`~llmhistory.concepts.kv_cache.kv_cache_bytes` for the same
        sizes.
    """

    new_tokens: int
    prompt_tokens: int
    cached_tokens_per_s: float
    uncached_tokens_per_s: float
    full_forward_ms: float
    cache_shape: tuple[int, ...]
    cache_nbytes: int
    formula_nbytes: int

    @property
    def speedup(self) -> float:
        """How many times faster the cached loop is."""
        return self.cached_tokens_per_s / self.uncached_tokens_per_s


def _time_generation(model: TinyDecoder, prompt_ids: list[int], new_tokens: int, cache: bool):
    begin = time.perf_counter()
    run = generate_ids(model, prompt_ids, max_new_tokens=new_tokens, use_cache=cache)
    return run, time.perf_counter() - begin


def run_benchmark(
    model: TinyDecoder | None = None,
    tokenizer: BPETokenizer | None = None,
    *,
    new_tokens: int = 256,
    prompt: str = "Customer: Where is my order?\nAgent:",
    repeats: int = 3,
) -> BenchResult:
    """Return the figures of generating ``new_tokens`` greedy tokens with and without the cache.

    Generation does not stop at ``<eos>``, so both loops run exactly ``new_tokens`` steps.

    Parameters
    ----------
    model, tokenizer : optional
        Default: the shipped model and tokenizer (:func:`~llmhistory.tiny.checkpoint.load_tiny`).
    new_tokens : int, default 256
        Tokens to generate, ``>= 1``; prompt plus new tokens must fit the context.
    prompt : str
        Non-blank prompt.
    repeats : int, default 3
        Full-forward timings to take the best of, ``>= 1``.

    Returns
    -------
    BenchResult

    Raises
    ------
    ValueError
        If the cached and uncached loops disagree (a bug), or sizes are invalid.

    Examples
    --------
    >>> result = run_benchmark(new_tokens=4, repeats=1)
    >>> result.cache_nbytes == result.formula_nbytes
    True
    """
    if model is None or tokenizer is None:
        model, tokenizer = load_tiny()
    new_tokens = check_positive_int("new_tokens", new_tokens)
    repeats = check_int("repeats", repeats, minimum=1)
    prompt_ids = tokenizer.encode(check_str("prompt", prompt), add_bos=True)
    cached, cached_s = _time_generation(model, prompt_ids, new_tokens, True)
    uncached, uncached_s = _time_generation(model, prompt_ids, new_tokens, False)
    if cached.token_ids != uncached.token_ids:
        raise ValueError("cached and uncached generation disagree")
    ids = list(cached.token_ids[:new_tokens])
    forward_s = float("inf")
    for _ in range(repeats):
        begin = time.perf_counter()
        model.logits(ids)
        forward_s = min(forward_s, time.perf_counter() - begin)
    _, cache = model.forward_step(ids)
    c = model.config
    formula = kv_cache_bytes(
        batch=1,
        layers=c.layers,
        tokens=len(ids),
        kv_heads=c.kv_heads,
        head_dim=c.head_dim,
        bytes_per_value=model.dtype.itemsize,
    )
    return BenchResult(
        new_tokens=new_tokens,
        prompt_tokens=len(prompt_ids),
        cached_tokens_per_s=new_tokens / cached_s,
        uncached_tokens_per_s=new_tokens / uncached_s,
        full_forward_ms=forward_s * 1e3,
        cache_shape=cache.shape,
        cache_nbytes=cache.nbytes,
        formula_nbytes=formula,
    )


def format_benchmark(result: BenchResult) -> str:
    """Return the benchmark figures as a few printable lines.

    Examples
    --------
    >>> r = BenchResult(256, 12, 2000.0, 100.0, 20.0, (3, 2, 1, 2, 256, 24), 294912, 294912)
    >>> print(format_benchmark(r).splitlines()[2])
    speedup with the cache:          20.0x
    """
    result = check_instance("result", result, BenchResult)
    r, n = result, result.new_tokens
    return "\n".join(
        [
            f"generate {n} tokens with the KV cache: {r.cached_tokens_per_s:8.1f} tokens/s",
            f"generate {n} tokens recomputing all:   {r.uncached_tokens_per_s:8.1f} tokens/s",
            f"speedup with the cache:          {r.speedup:.1f}x",
            f"one full forward over {n} tokens: {r.full_forward_ms:.2f} ms",
            f"KV cache after {n} tokens: shape {r.cache_shape}, {r.cache_nbytes:,} bytes "
            f"(formula {r.formula_nbytes:,} bytes, match={r.cache_nbytes == r.formula_nbytes})",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark on the shipped model and print it; return the exit status 0."""
    parser = argparse.ArgumentParser(prog="python -m llmhistory.tiny.bench", description=__doc__)
    parser.add_argument("--tokens", type=int, default=256, help="tokens to generate")
    args = parser.parse_args(argv)
    print(format_benchmark(run_benchmark(new_tokens=args.tokens)))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
