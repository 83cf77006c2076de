"""Prefill against decode on the tiny model: tokens per second of each phase, measured.

:func:`measure_phases` runs the prompt through the model in one pass (the **prefill**, which
fills the KV cache), then generates greedily one token per pass (the **decode**), and times
each phase. The counts of FLOPs and bytes behind the difference are
:func:`llmhistory.concepts.roofline.pass_cost`; the timings depend on the machine and are never
asserted in tests.

NumPy's BLAS may use several threads; on a busy machine with few cores their spinning can make a
small matrix product many times slower than on one thread. :func:`measure_phases_one_thread`
therefore measures in a fresh Python process with one BLAS thread (``python -m
llmhistory.tiny.throughput --json`` with ``OPENBLAS_NUM_THREADS=1`` and its MKL and OpenMP
equivalents), the setting the chapter reports.

>>> from llmhistory.tiny import load_tiny
>>> model, tokenizer = load_tiny()
>>> timing = measure_phases(model, tokenizer.encode("Customer: Hi", add_bos=True), new_tokens=4)
>>> timing.prefill_tokens, timing.decode_tokens
(4, 4)
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

from llmhistory._validate import check_instance, check_int, check_positive_int, check_str
from llmhistory.tiny.model import TinyDecoder

__all__ = ["PhaseTiming", "main", "measure_phases", "measure_phases_one_thread"]

#: Environment variables that pin NumPy's BLAS (OpenBLAS, MKL, BLIS via OpenMP) to one thread.
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


@dataclass(frozen=True)
class PhaseTiming:
    """Wall-clock time of a prefill and of the decode steps that follow it.

    Attributes
    ----------
    prefill_tokens : int
        Prompt tokens processed in the one prefill pass.
    prefill_seconds : float
        Best time of the prefill pass.
    decode_tokens : int
        Tokens generated, one pass each.
    decode_seconds : float
        Best total time of the decode passes.
    """

    prefill_tokens: int
    prefill_seconds: float
    decode_tokens: int
    decode_seconds: float

    @property
    def prefill_tokens_per_s(self) -> float:
        """Prompt tokens processed per second in the prefill."""
        return self.prefill_tokens / self.prefill_seconds

    @property
    def decode_tokens_per_s(self) -> float:
        """Tokens generated per second in the decode."""
        return self.decode_tokens / self.decode_seconds

    @property
    def ratio(self) -> float:
        """How many times more tokens per second the prefill processes than the decode."""
        return self.prefill_tokens_per_s / self.decode_tokens_per_s


def measure_phases(
    model: TinyDecoder, prompt_ids: Sequence[int], *, new_tokens: int = 64, repeats: int = 3
) -> PhaseTiming:
    """Return the best-of-``repeats`` time of one prefill and of ``new_tokens`` decode steps.

    Decoding is greedy and does not stop at ``<eos>``, so every repeat runs the same passes.

    Parameters
    ----------
    model : TinyDecoder
    prompt_ids : sequence of int
        The prompt; prompt plus ``new_tokens`` must fit the context.
    new_tokens : int, default 64
        Decode steps, ``>= 1``.
    repeats : int, default 3
        Runs to take the best of, ``>= 1``.

    Returns
    -------
    PhaseTiming

    Raises
    ------
    TypeError
        If ``model`` is not a TinyDecoder or a count is not an integer.
    ValueError
        If the ids are invalid or do not fit the context with ``new_tokens``.
    """
    model = check_instance("model", model, TinyDecoder)
    new_tokens = check_positive_int("new_tokens", new_tokens)
    repeats = check_int("repeats", repeats, minimum=1)
    limit = model.config.context - new_tokens
    what = f"prompt + new_tokens={new_tokens} must fit context={model.config.context}"
    ids = model.check_token_ids(prompt_ids, max(limit, 0), what).tolist()
    prefill_best = decode_best = float("inf")
    for _ in range(repeats):
        begin = time.perf_counter()
        logits, cache = model.forward_step(ids)  # the prefill: all prompt tokens in one pass
        prefill_best = min(prefill_best, time.perf_counter() - begin)
        token = int(logits[-1].argmax())
        begin = time.perf_counter()
        for _ in range(new_tokens):  # the decode: one token per pass
            logits, cache = model.forward_step([token], cache)
            token = int(logits[-1].argmax())
        decode_best = min(decode_best, time.perf_counter() - begin)
    return PhaseTiming(len(ids), prefill_best, new_tokens, decode_best)


def measure_phases_one_thread(
    prompt: str, *, new_tokens: int = 64, repeats: int = 3, timeout: float = 300.0
) -> PhaseTiming:
    """Return :func:`measure_phases` of the shipped model, run in a one-BLAS-thread process.

    Parameters
    ----------
    prompt : str
        Encoded with ``<bos>`` by the shipped tokenizer.
    new_tokens, repeats : int
        As for :func:`measure_phases`.
    timeout : float, default 300
        Seconds to wait for the process.

    Returns
    -------
    PhaseTiming

    Raises
    ------
    RuntimeError
        If the process fails (its error output is included).
    """
    prompt = check_str("prompt", prompt)
    new_tokens = check_positive_int("new_tokens", new_tokens)
    repeats = check_int("repeats", repeats, minimum=1)
    command = [sys.executable, "-m", "llmhistory.tiny.throughput", "--json"]
    command += ["--tokens", str(new_tokens), "--repeats", str(repeats), "--prompt", prompt]
    done = subprocess.run(
        command,
        env={**os.environ, **ONE_THREAD},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the measuring process failed:\n{done.stderr}")
    return PhaseTiming(**json.loads(done.stdout))


def main(argv: Sequence[str] | None = None) -> int:
    """Measure the shipped model's prefill and decode and print them (or JSON); return 0."""
    from llmhistory.tiny.checkpoint import load_tiny

    parser = argparse.ArgumentParser(prog="python -m llmhistory.tiny.throughput")
    parser.add_argument("--prompt", default="Customer: Where is my order?\nAgent:")
    parser.add_argument("--tokens", type=int, default=64, help="decode steps")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the PhaseTiming as JSON")
    args = parser.parse_args(argv)
    model, tokenizer = load_tiny()
    ids = tokenizer.encode(args.prompt, add_bos=True)
    timing = measure_phases(model, ids, new_tokens=args.tokens, repeats=args.repeats)
    if args.json:
        print(json.dumps(dataclasses.asdict(timing)))
    else:
        print(
            f"prefill: {timing.prefill_tokens} tokens, {timing.prefill_tokens_per_s:,.0f} tokens/s"
        )
        print(f"decode:  {timing.decode_tokens} tokens, {timing.decode_tokens_per_s:,.0f} tokens/s")
        print(f"prefill / decode: {timing.ratio:.1f}x")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
