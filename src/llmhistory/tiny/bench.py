"""Benchmark of the shipped tiny model: against Hugging Face transformers, and with/without cache.

Run ``python -m llmhistory.tiny.bench`` (``make bench``) to print, in one run:

* the time of one full forward pass over ``tokens`` tokens, and the speed of generating
  ``tokens`` tokens greedily with the KV cache, for the NumPy model and, when ``torch`` and
  ``transformers`` are installed (the ``bench`` extra: ``pip install -e '.[bench]'``), for
  transformers' ``LlamaForCausalLM`` holding the same weights, with their ratios; the two run
  one thread each and their repetitions are interleaved, so load from other processes hurts
  both alike, and the best of each is kept; the largest difference between their logits and
  whether they generate the same tokens;
* the FLOPs of the forward pass (:func:`llmhistory.concepts.roofline.pass_cost`) over its time,
  against this machine's single-thread matrix-product peak measured with a large float32
  ``np.matmul``;
* generation recomputing the whole sequence at every step, the speed-up of the cache, and the
  bytes the cache holds against :func:`llmhistory.concepts.kv_cache.kv_cache_bytes`.

Timings depend on the machine and its load; this is a benchmark to read, never a timed test.
NumPy's BLAS must be limited to one thread before NumPy starts (``OPENBLAS_NUM_THREADS=1``, as
``make bench`` does); the report says which setting it ran with.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from llmhistory._validate import (
    check_bool,
    check_instance,
    check_int,
    check_positive_int,
    check_str,
)
from llmhistory.concepts.kv_cache import kv_cache_bytes
from llmhistory.concepts.roofline import pass_cost
from llmhistory.tiny.checkpoint import load_tiny
from llmhistory.tiny.generation import generate_ids
from llmhistory.tiny.model import TinyDecoder
from llmhistory.tiny.tokenizer import BPETokenizer
from llmhistory.tiny.weights import to_hf_config

__all__ = [
    "BenchResult",
    "ReferenceResult",
    "best_seconds",
    "format_benchmark",
    "interleaved_best",
    "main",
    "reference_model",
    "run_benchmark",
    "sgemm_gflops",
]

#: The note printed instead of the comparison when torch or transformers is missing.
NO_REFERENCE = (
    "transformers comparison skipped: torch and transformers are not both installed "
    "(pip install -e '.[bench]')"
)


@dataclass(frozen=True)
class ReferenceResult:
    """Figures of Hugging Face transformers' ``LlamaForCausalLM`` on the same weights.

    Attributes
    ----------
    forward_ms : float
        Best time of one full forward pass over ``tokens`` tokens (milliseconds).
    cached_tokens_per_s : float
        Best speed of ``generate`` (greedy, with its KV cache) for ``tokens`` new tokens.
    max_abs_logit_diff : float
        Largest ``|logit|`` difference from the NumPy model on the forward pass.
    same_tokens : bool
        Whether both generated the same greedy tokens.
    versions : str
        E.g. ``"transformers 5.24.0, torch 2.13.0"``.
    forward_cpu_ratio, generate_cpu_ratio : float
        The reference's best CPU time over the NumPy model's, for the forward pass and for
        generation: the ratios with the time spent waiting for a core left out.
    """

    forward_ms: float
    cached_tokens_per_s: float
    max_abs_logit_diff: float
    same_tokens: bool
    versions: str
    forward_cpu_ratio: float = float("nan")
    generate_cpu_ratio: float = float("nan")


@dataclass(frozen=True)
class BenchResult:
    """Figures of one benchmark run.

    Attributes
    ----------
    new_tokens : int
        Tokens generated per run, and tokens of the full forward pass.
    prompt_tokens : int
        Tokens of the prompt (with ``<bos>``).
    cached_tokens_per_s, uncached_tokens_per_s : float
        Best generation speed with and without the KV cache (tokens/s).
    full_forward_ms : float
        Best time of one full forward pass over ``new_tokens`` tokens (milliseconds).
    cache_shape : tuple of int
        ``(layers, 2, 1, kv_heads, new_tokens, head_dim)``.
    cache_nbytes, formula_nbytes : int
        The cache's bytes and :func:`~llmhistory.concepts.kv_cache.kv_cache_bytes` for the same
        sizes.
    forward_flops : int
        FLOPs of the full forward pass (:func:`~llmhistory.concepts.roofline.pass_cost`:
        matrix products, and attention over the keys each query sees).
    sgemm_gflops : float
        This machine's measured float32 matrix-product speed (:func:`sgemm_gflops`), GFLOP/s.
    repeats, generate_repeats : int
        Timings the forward and the generation figures are the best of.
    threads : str
        The BLAS thread setting NumPy ran with (``OPENBLAS_NUM_THREADS``).
    reference : ReferenceResult or None
        The transformers figures, or None when torch or transformers is missing.
    """

    new_tokens: int
    prompt_tokens: int
    cached_tokens_per_s: float
    uncached_tokens_per_s: float
    full_forward_ms: float
    cache_shape: tuple[int, ...]
    cache_nbytes: int
    formula_nbytes: int
    forward_flops: int = 0
    sgemm_gflops: float = float("nan")
    repeats: int = 1
    generate_repeats: int = 1
    threads: str = "unset"
    reference: ReferenceResult | None = None

    @property
    def speedup(self) -> float:
        """How many times faster the cached loop is than recomputing."""
        return self.cached_tokens_per_s / self.uncached_tokens_per_s

    @property
    def forward_gflops(self) -> float:
        """FLOPs of the forward pass over its best time, GFLOP/s."""
        return self.forward_flops / self.full_forward_ms / 1e6

    @property
    def peak_share(self) -> float:
        """:attr:`forward_gflops` as a fraction of :attr:`sgemm_gflops`."""
        return self.forward_gflops / self.sgemm_gflops


def best_seconds(run: Callable[[], object], repeats: int) -> float:
    """Return the shortest of ``repeats`` wall-clock timings of ``run()``, in seconds.

    >>> best_seconds(lambda: None, 3) < 0.01
    True
    """
    repeats = check_int("repeats", repeats, minimum=1)
    best = float("inf")
    for _ in range(repeats):
        begin = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - begin)
    return best


def sgemm_gflops(size: int = 1024, repeats: int | None = None) -> float:
    """Return the measured speed of a ``size x size`` float32 ``np.matmul``, GFLOP/s.

    ``2 size^3`` FLOPs over the best of ``repeats`` runs (default: about 15 GFLOP of work in
    all, at least 3 runs): the matrix-product peak this process gets from NumPy's BLAS with
    its current thread setting.

    >>> sgemm_gflops(size=64, repeats=1) > 0
    True
    """
    size = check_positive_int("size", size)
    flops = 2 * size**3
    repeats = max(3, round(1.5e10 / flops)) if repeats is None else repeats
    a = np.random.default_rng(0).standard_normal((size, size)).astype(np.float32)
    return flops / best_seconds(lambda: a @ a, repeats) / 1e9


def _reference_modules() -> tuple[object, object] | None:
    """Return ``(torch, transformers)``, or None when either is not installed."""
    try:
        import torch
        import transformers
    except ImportError:
        return None
    return torch, transformers


def reference_model(model: TinyDecoder) -> object:
    """Return transformers' ``LlamaForCausalLM`` holding ``model``'s weights, in eval mode.

    The config is :func:`~llmhistory.tiny.weights.to_hf_config` (the one stored in the
    checkpoint's metadata) and the weights are ``model.state_dict()`` under the same Hugging
    Face names; a tied output head is the embedding. Needs ``torch`` and ``transformers``.

    Raises
    ------
    ImportError
        If torch or transformers is missing.
    ValueError
        If ``model`` is a mixture of experts, or a weight name is not the reference's.
    """
    model = check_instance("model", model, TinyDecoder)
    if model.config.is_moe:
        raise ValueError("model is a mixture of experts; the reference here is LlamaForCausalLM")
    modules = _reference_modules()
    if modules is None:
        raise ImportError(NO_REFERENCE)
    torch, transformers = modules
    config = transformers.LlamaConfig(**to_hf_config(model.config))
    reference = transformers.LlamaForCausalLM(config).eval()
    weights = {name: torch.from_numpy(array) for name, array in model.state_dict().items()}
    missing, unexpected = reference.load_state_dict(weights, strict=False)
    tied = {"lm_head.weight"} if model.config.tied_embeddings else set()
    if set(missing) != tied or unexpected:
        raise ValueError(f"weight names differ: missing {missing}, unexpected {unexpected}")
    return reference


def interleaved_best(runs: Sequence[Callable[[], object]], repeats: int) -> np.ndarray:
    """Return the best wall-clock and CPU seconds of each run, timed in turn ``repeats`` times.

    Each repetition times every run once, one after the other, so a burst of load from other
    processes hurts all of them alike. Row 0 holds the wall-clock bests, row 1 the bests of
    this process's CPU time (which leaves out the time the process waited for a core).

    ``len(runs) callables -> [2, len(runs)]`` seconds

    >>> interleaved_best([lambda: None, lambda: sum(range(10))], 3).shape
    (2, 2)
    """
    repeats = check_int("repeats", repeats, minimum=1)
    best = np.full((2, len(runs)), np.inf)
    for _ in range(repeats):
        for j, run in enumerate(runs):
            wall, cpu = time.perf_counter(), time.process_time()
            run()
            elapsed = (time.perf_counter() - wall, time.process_time() - cpu)
            best[:, j] = np.minimum(best[:, j], elapsed)
    return best


def _compare(
    model: TinyDecoder,
    prompt_ids: list[int],
    ids: list[int],
    new_tokens: int,
    repeats: int,
    generate_repeats: int,
) -> tuple[np.ndarray, np.ndarray, ReferenceResult | None]:
    """Return the best forward and cached-generation seconds ``[2 clocks, runs]`` (the NumPy
    model first, then the reference) and the reference's figures (None without it)."""

    def ours() -> object:
        return generate_ids(model, prompt_ids, max_new_tokens=new_tokens, use_cache=True)

    modules = _reference_modules() if not model.config.is_moe else None
    if modules is None:
        forward = interleaved_best([lambda: model.logits(ids)], repeats)
        return forward, interleaved_best([ours], generate_repeats), None
    torch, transformers = modules
    transformers.logging.set_verbosity_error()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        reference = reference_model(model)
        setup = transformers.GenerationConfig(
            max_new_tokens=new_tokens, do_sample=False, eos_token_id=None, pad_token_id=0
        )
        batch, prompt = torch.tensor([ids]), torch.tensor([prompt_ids])
        with torch.inference_mode():
            ref_logits = reference(batch).logits[0].numpy()
            theirs = reference.generate(prompt, generation_config=setup)[0].tolist()
            forward = interleaved_best(
                [lambda: model.logits(ids), lambda: reference(batch)], repeats
            )
            generate = interleaved_best(
                [ours, lambda: reference.generate(prompt, generation_config=setup)],
                generate_repeats,
            )
    finally:
        torch.set_num_threads(threads)
    result = ReferenceResult(
        forward_ms=float(forward[0, 1]) * 1e3,
        cached_tokens_per_s=new_tokens / float(generate[0, 1]),
        max_abs_logit_diff=float(np.abs(model.logits(ids) - ref_logits).max()),
        same_tokens=theirs == list(ours().token_ids),  # type: ignore[attr-defined]
        versions=f"transformers {transformers.__version__}, torch {torch.__version__}",
        forward_cpu_ratio=float(forward[1, 1] / forward[1, 0]),
        generate_cpu_ratio=float(generate[1, 1] / generate[1, 0]),
    )
    return forward, generate, result


def run_benchmark(
    model: TinyDecoder | None = None,
    tokenizer: BPETokenizer | None = None,
    *,
    new_tokens: int = 256,
    prompt: str = "Customer: Where is my order?\nAgent:",
    repeats: int = 3,
    generate_repeats: int = 1,
    reference: bool = True,
    sgemm_sizes: Sequence[int] = (512, 1024),
) -> BenchResult:
    """Return the figures of the forward pass and of generating ``new_tokens`` greedy tokens.

    Generation does not stop at ``<eos>``, so every loop runs exactly ``new_tokens`` steps.

    Parameters
    ----------
    model, tokenizer : optional
        Default: the shipped model and tokenizer (:func:`~llmhistory.tiny.checkpoint.load_tiny`).
    new_tokens : int, default 256
        Tokens to generate and of the full forward pass, ``>= 1``; prompt plus new tokens
        must fit the context.
    prompt : str
        Non-blank prompt.
    repeats : int, default 3
        Full-forward timings to take the best of, ``>= 1``.
    generate_repeats : int, default 1
        Cached-generation timings to take the best of, ``>= 1``.
    reference : bool, default True
        Compare with transformers when torch and transformers are installed.
    sgemm_sizes : sequence of int, default (512, 1024)
        Sides of the square float32 matrices of the peak measurement; the peak is the
        fastest of them (:func:`sgemm_gflops`), so the share of it is not flattered.

    Returns
    -------
    BenchResult

    Raises
    ------
    ValueError
        If the cached and uncached loops disagree (a bug), or sizes are invalid.

    Examples
    --------
    >>> result = run_benchmark(new_tokens=4, repeats=1, reference=False, sgemm_sizes=[64])
    >>> result.cache_nbytes == result.formula_nbytes, result.reference is None
    (True, True)
    """
    if model is None or tokenizer is None:
        model, tokenizer = load_tiny()
    new_tokens = check_positive_int("new_tokens", new_tokens)
    repeats = check_int("repeats", repeats, minimum=1)
    generate_repeats = check_int("generate_repeats", generate_repeats, minimum=1)
    prompt_ids = tokenizer.encode(check_str("prompt", prompt), add_bos=True)
    cached = generate_ids(model, prompt_ids, max_new_tokens=new_tokens, use_cache=True)
    begin = time.perf_counter()
    uncached = generate_ids(model, prompt_ids, max_new_tokens=new_tokens, use_cache=False)
    uncached_s = time.perf_counter() - begin
    if cached.token_ids != uncached.token_ids:
        raise ValueError("cached and uncached generation disagree")
    ids = list(cached.token_ids[:new_tokens])
    if reference:
        forward, generate, ref = _compare(
            model, prompt_ids, ids, new_tokens, repeats, generate_repeats
        )
    else:
        forward = interleaved_best([lambda: model.logits(ids)], repeats)
        generate = interleaved_best(
            [lambda: generate_ids(model, prompt_ids, max_new_tokens=new_tokens, use_cache=True)],
            generate_repeats,
        )
        ref = None
    forward_s, cached_s = float(forward[0, 0]), float(generate[0, 0])
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
        forward_flops=pass_cost(c, len(ids)).flops,
        sgemm_gflops=max(sgemm_gflops(size) for size in sgemm_sizes),
        repeats=repeats,
        generate_repeats=generate_repeats,
        threads=os.environ.get("OPENBLAS_NUM_THREADS", "unset"),
        reference=ref,
    )


def format_benchmark(result: BenchResult, *, cache_only: bool = False) -> str:
    """Return the benchmark figures as a few printable lines.

    Parameters
    ----------
    result : BenchResult
    cache_only : bool, default False
        Only the KV cache's figures (chapter 9): generation with and without the cache, their
        ratio, one full forward pass and the cache's bytes; no comparison with transformers
        and no share of the matmul peak.

    Examples
    --------
    >>> r = BenchResult(256, 12, 2000.0, 100.0, 20.0, (3, 2, 1, 2, 256, 24), 294912, 294912)
    >>> print(format_benchmark(r).splitlines()[-2])
    speedup with the cache:          20.0x
    >>> print(format_benchmark(r, cache_only=True).splitlines()[0])
    generate 256 tokens with the KV cache:   2000.0 tokens/s
    """
    result = check_instance("result", result, BenchResult)
    r, n, ref = result, result.new_tokens, result.reference
    # generation with and without the cache, their ratio, and the cache's bytes: both views
    recomputing, speedup, cache = (
        f"generate {n} tokens recomputing all:   {r.uncached_tokens_per_s:8.1f} tokens/s",
        f"speedup with the cache:          {r.speedup:.1f}x",
        f"KV cache after {n} tokens: shape {r.cache_shape}, {r.cache_nbytes:,} bytes "
        f"(formula {r.formula_nbytes:,} bytes, match={r.cache_nbytes == r.formula_nbytes})",
    )
    if check_bool("cache_only", cache_only):
        return "\n".join(
            [
                f"generate {n} tokens with the KV cache: {r.cached_tokens_per_s:8.1f} tokens/s",
                recomputing,
                speedup,
                f"one full forward over {n} tokens: {r.full_forward_ms:.2f} ms",
                cache,
            ]
        )
    lines = [
        f"NumPy BLAS threads (OPENBLAS_NUM_THREADS): {r.threads}; best of {r.repeats} "
        f"(forward) and {r.generate_repeats} (generate) interleaved runs",
        f"{'':34}{'NumPy':>14}{'transformers':>16}{'ratio':>8}",
    ]
    if ref is None:
        lines += [
            f"{f'full forward, {n} tokens (ms)':34}{r.full_forward_ms:14.2f}{'-':>16}{'-':>8}",
            f"{f'cached generate, {n} (tokens/s)':34}{r.cached_tokens_per_s:14.0f}"
            f"{'-':>16}{'-':>8}",
            NO_REFERENCE,
        ]
    else:
        lines += [
            f"{f'full forward, {n} tokens (ms)':34}{r.full_forward_ms:14.2f}"
            f"{ref.forward_ms:16.2f}{ref.forward_ms / r.full_forward_ms:7.2f}x",
            f"{f'cached generate, {n} (tokens/s)':34}{r.cached_tokens_per_s:14.0f}"
            f"{ref.cached_tokens_per_s:16.0f}"
            f"{r.cached_tokens_per_s / ref.cached_tokens_per_s:7.2f}x",
            f"ratios of CPU time (waits for a core left out): forward "
            f"{ref.forward_cpu_ratio:.2f}x, cached generate {ref.generate_cpu_ratio:.2f}x",
            f"reference: {ref.versions}, LlamaForCausalLM, 1 thread; logits max |diff| "
            f"{ref.max_abs_logit_diff:.1e}; same greedy tokens: {ref.same_tokens}",
        ]
    lines += [
        f"forward: {r.forward_flops / 1e6:.0f} MFLOP in {r.full_forward_ms:.2f} ms = "
        f"{r.forward_gflops:.1f} GFLOP/s, {100 * r.peak_share:.0f}% of the measured sgemm peak "
        f"({r.sgemm_gflops:.1f} GFLOP/s, fastest square float32 np.matmul)",
        recomputing,
        speedup,
        cache,
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark on the shipped model and print it; return the exit status 0."""
    parser = argparse.ArgumentParser(prog="python -m llmhistory.tiny.bench", description=__doc__)
    parser.add_argument("--tokens", type=int, default=256, help="tokens to generate")
    parser.add_argument("--repeats", type=int, default=50, help="forward timings (best of)")
    parser.add_argument("--generate-repeats", type=int, default=5, help="generation timings")
    parser.add_argument("--no-reference", action="store_true", help="skip transformers")
    args = parser.parse_args(argv)
    result = run_benchmark(
        new_tokens=args.tokens,
        repeats=args.repeats,
        generate_repeats=args.generate_repeats,
        reference=not args.no_reference,
    )
    print(format_benchmark(result))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
