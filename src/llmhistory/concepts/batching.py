"""Serving many requests at once: static vs continuous batching, paged KV blocks, shared prefixes.

A small, seeded, discrete-time simulator of one model server, and the block bookkeeping of a
paged KV cache.

**The cost model** (:class:`CostModel`). The server runs the model in *steps*. One step
prefills the prompts of the requests admitted in it (each admitted request gets its first
output token at the end of that step) and decodes one more token for every request already
running. A step takes

    step_s + prefill_token_s * (prompt tokens prefilled) + decode_token_s * (sequences decoded)

seconds: a fixed time (reading the weights once, which is what makes decoding memory-bound),
a time per prompt token (prefill is compute-bound, so it grows with the tokens), and a small
time per decoded sequence. Nothing else is modelled: no network, no tokenizer, no memory
limit beyond ``max_batch`` sequences at once.

**The policies** (:func:`simulate`). *Static batching* takes up to ``max_batch`` waiting
requests, runs them until the longest is done (a finished sequence keeps its slot and is
still computed, as padding), and only then admits the next batch. *Continuous batching*
(iteration-level scheduling, Orca: Yu et al. 2022) admits waiting requests at every step into
any free slot and releases a slot the step its sequence finishes.

**Paging** (:class:`BlockAllocator`, :func:`paging_report`). PagedAttention (Kwon et al. 2023,
vLLM) stores each sequence's KV cache in fixed-size blocks found through a block table, like
virtual memory pages, so a sequence wastes at most the empty end of its last block, where
contiguous pre-allocation reserves ``max_tokens`` slots per sequence up front. Blocks that hold
a shared prompt prefix (a system prompt) can be referenced by many tables and stored once
(:func:`prefix_sharing`).

>>> trace = poisson_trace(40, rate=8.0, seed=0)
>>> static = simulate(trace, policy="static", max_batch=8)
>>> continuous = simulate(trace, policy="continuous", max_batch=8)
>>> continuous.throughput > static.throughput
True
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from llmhistory._validate import (
    check_choice,
    check_float,
    check_instance,
    check_int,
    check_positive_float,
    check_positive_int,
    check_sequence,
)

__all__ = [
    "POLICIES",
    "BlockAllocator",
    "CostModel",
    "OutOfBlocks",
    "PagingReport",
    "PrefixReport",
    "Request",
    "RequestTiming",
    "ServingRun",
    "blocks_for",
    "paging_report",
    "poisson_trace",
    "prefix_sharing",
    "simulate",
]

#: The batching policies :func:`simulate` knows.
POLICIES = ("static", "continuous")


@dataclass(frozen=True)
class Request:
    """One request to the server.

    Attributes
    ----------
    rid : int
        Request id, ``>= 0``.
    arrival : float
        Arrival time in seconds, ``>= 0``.
    prompt_tokens : int
        Tokens of the prompt, ``>= 1``.
    output_tokens : int
        Tokens to generate, ``>= 1``.
    """

    rid: int
    arrival: float
    prompt_tokens: int
    output_tokens: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "rid", check_int("rid", self.rid, minimum=0))
        object.__setattr__(self, "arrival", check_float("arrival", self.arrival, minimum=0.0))
        for field in ("prompt_tokens", "output_tokens"):
            object.__setattr__(self, field, check_positive_int(field, getattr(self, field)))


def _length_range(name: str, value: object) -> tuple[int, int]:
    pair = check_sequence(name, value, "length")
    if len(pair) != 2:
        raise ValueError(f"{name} must be a (low, high) pair, got {len(pair)} values")
    low = check_positive_int(f"{name}[0]", pair[0])
    high = check_positive_int(f"{name}[1]", pair[1])
    if low > high:
        raise ValueError(f"{name} must have low <= high, got ({low}, {high})")
    return low, high


def poisson_trace(
    n: int,
    rate: float,
    *,
    prompt_tokens: Sequence[int] = (64, 512),
    output_tokens: Sequence[int] = (16, 256),
    seed: int = 0,
) -> tuple[Request, ...]:
    """Return ``n`` requests arriving as a Poisson process of ``rate`` requests per second.

    Gaps between arrivals are exponential with mean ``1 / rate`` (the first request arrives
    after one gap); prompt and output lengths are uniform integers in the inclusive ranges
    given. The same ``seed`` gives the same trace.

    Parameters
    ----------
    n : int
        Requests, ``>= 1``.
    rate : float
        Mean arrivals per second, ``> 0``.
    prompt_tokens, output_tokens : (int, int)
        Inclusive ``(low, high)`` ranges of the lengths, ``1 <= low <= high``.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    tuple of Request
        Ids ``0..n-1`` in order of arrival.

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or range (the message names it).

    Examples
    --------
    >>> [r.rid for r in poisson_trace(3, rate=2.0, seed=1)]
    [0, 1, 2]
    """
    n = check_positive_int("n", n)
    rate = check_positive_float("rate", rate)
    prompt = _length_range("prompt_tokens", prompt_tokens)
    output = _length_range("output_tokens", output_tokens)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    arrivals = np.cumsum(rng.exponential(1.0 / rate, size=n))
    prompts = rng.integers(prompt[0], prompt[1] + 1, size=n)
    outputs = rng.integers(output[0], output[1] + 1, size=n)
    return tuple(
        Request(i, float(a), int(p), int(o))
        for i, (a, p, o) in enumerate(zip(arrivals, prompts, outputs, strict=True))
    )


@dataclass(frozen=True)
class CostModel:
    """Seconds one model step takes (see the module docstring).

    The defaults are illustrative, of the order of a 7B model on one datacenter GPU: 25 ms per
    step, 0.1 ms per prompt token, 0.2 ms per decoded sequence. They are not measured.

    Attributes
    ----------
    step_s : float, default 0.025
        Fixed time of a step, ``> 0``.
    prefill_token_s : float, default 1e-4
        Time per prompt token prefilled in the step, ``>= 0``.
    decode_token_s : float, default 2e-4
        Time per sequence decoded in the step, ``>= 0``.
    """

    step_s: float = 0.025
    prefill_token_s: float = 1e-4
    decode_token_s: float = 2e-4

    def __post_init__(self) -> None:
        object.__setattr__(self, "step_s", check_positive_float("step_s", self.step_s))
        for field in ("prefill_token_s", "decode_token_s"):
            object.__setattr__(self, field, check_float(field, getattr(self, field), minimum=0.0))

    def step_time(self, prefill_tokens: int, decoded: int) -> float:
        """Return the seconds of one step that prefills ``prefill_tokens`` and decodes ``decoded``.

        Examples
        --------
        >>> round(CostModel(step_s=0.02, prefill_token_s=0.001).step_time(10, 3), 4)
        0.0306
        """
        prefill_tokens = check_int("prefill_tokens", prefill_tokens, minimum=0)
        decoded = check_int("decoded", decoded, minimum=0)
        return self.step_s + self.prefill_token_s * prefill_tokens + self.decode_token_s * decoded


@dataclass(frozen=True)
class RequestTiming:
    """When one request was served.

    Attributes
    ----------
    rid : int
    arrival, first_token, finish : float
        Seconds: arrival, end of the step that gave its first token, end of its last step.
    output_tokens : int
    """

    rid: int
    arrival: float
    first_token: float
    finish: float
    output_tokens: int

    @property
    def ttft(self) -> float:
        """Time to first token, seconds: queueing plus the prefill step."""
        return self.first_token - self.arrival

    @property
    def latency(self) -> float:
        """End-to-end latency, seconds: arrival to last token."""
        return self.finish - self.arrival


@dataclass(frozen=True)
class ServingRun:
    """The result of :func:`simulate`.

    Attributes
    ----------
    policy : str
        ``"static"`` or ``"continuous"``.
    max_batch : int
    timings : tuple of RequestTiming
        One per request, in request-id order.
    steps : int
        Model steps run.
    busy_s : float
        Seconds the model was running (the sum of the step times).
    tokens_generated : int
        Output tokens the steps produced (padding excluded).
    """

    policy: str
    max_batch: int
    timings: tuple[RequestTiming, ...]
    steps: int
    busy_s: float
    tokens_generated: int

    @property
    def makespan(self) -> float:
        """Seconds from the first arrival to the last finish."""
        return max(t.finish for t in self.timings) - min(t.arrival for t in self.timings)

    @property
    def throughput(self) -> float:
        """Output tokens per second over the makespan."""
        return self.tokens_generated / self.makespan

    def percentile(self, metric: str, q: float) -> float:
        """Return the ``q``-th percentile (0..100) of ``metric``, ``"ttft"`` or ``"latency"``.

        Linear interpolation between order statistics (``numpy.percentile``'s default).
        """
        check_choice("metric", metric, ("ttft", "latency"))
        q = check_float("q", q, minimum=0.0, maximum=100.0)
        return float(np.percentile([getattr(t, metric) for t in self.timings], q))

    def summary(self) -> dict[str, float]:
        """Return throughput (tokens/s) and p50/p95 of TTFT and latency (seconds)."""
        return {
            "throughput": self.throughput,
            "ttft_p50": self.percentile("ttft", 50),
            "ttft_p95": self.percentile("ttft", 95),
            "latency_p50": self.percentile("latency", 50),
            "latency_p95": self.percentile("latency", 95),
        }


def simulate(
    requests: Sequence[Request],
    *,
    policy: str,
    max_batch: int,
    cost: CostModel | None = None,
) -> ServingRun:
    """Return the timings of serving ``requests`` with a batching ``policy`` on one server.

    Requests are admitted first come, first served (by arrival, then id). When nothing runs
    and nothing waits, the clock jumps to the next arrival. A request arriving during a step
    waits for the next step boundary. See the module docstring for the cost model and the two
    policies.

    Parameters
    ----------
    requests : sequence of Request
        Distinct ids.
    policy : {"static", "continuous"}
    max_batch : int
        Sequences that may run in one step, ``>= 1``.
    cost : CostModel, optional
        Default ``CostModel()``.

    Returns
    -------
    ServingRun

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or range, or two requests share an id.

    Examples
    --------
    Two requests at t = 0, one step of 1 s each, no per-token cost: static batching runs them
    together for 3 steps; the 1-token request's slot idles as padding.

    >>> reqs = [Request(0, 0.0, 4, 3), Request(1, 0.0, 4, 1)]
    >>> flat = CostModel(step_s=1.0, prefill_token_s=0.0, decode_token_s=0.0)
    >>> run = simulate(reqs, policy="static", max_batch=2, cost=flat)
    >>> [(t.first_token, t.finish) for t in run.timings], run.steps
    ([(1.0, 3.0), (1.0, 1.0)], 3)
    """
    reqs = check_sequence("requests", requests, Request)
    if len({r.rid for r in reqs}) != len(reqs):
        raise ValueError("requests must have distinct ids (rid)")
    policy = str(check_choice("policy", policy, POLICIES))
    max_batch = check_positive_int("max_batch", max_batch)
    cost = CostModel() if cost is None else check_instance("cost", cost, CostModel)
    order = sorted(reqs, key=lambda r: (r.arrival, r.rid))

    produced: dict[int, int] = {}
    first: dict[int, float] = {}
    finish: dict[int, float] = {}
    waiting: deque[Request] = deque()
    batch: list[Request] = []  # the sequences holding a slot (static: until the batch ends)
    t, nxt, steps, busy, tokens = 0.0, 0, 0, 0.0, 0
    while len(finish) < len(order):
        while nxt < len(order) and order[nxt].arrival <= t:
            waiting.append(order[nxt])
            nxt += 1
        if not batch and not waiting:
            t = order[nxt].arrival
            continue
        admitted: list[Request] = []
        if policy == "continuous" or not batch:
            while waiting and len(batch) + len(admitted) < max_batch:
                admitted.append(waiting.popleft())
        # static: finished members of the batch are still computed (padding)
        dt = cost.step_time(sum(r.prompt_tokens for r in admitted), len(batch))
        t, steps, busy = t + dt, steps + 1, busy + dt
        for r in batch:
            if r.rid not in finish:
                produced[r.rid] += 1
                tokens += 1
        for r in admitted:
            produced[r.rid], first[r.rid] = 1, t
            tokens += 1
        batch += admitted
        for r in batch:
            if r.rid not in finish and produced[r.rid] == r.output_tokens:
                finish[r.rid] = t
        if policy == "continuous":
            batch = [r for r in batch if r.rid not in finish]
        elif all(r.rid in finish for r in batch):
            batch = []
    timings = tuple(
        RequestTiming(r.rid, r.arrival, first[r.rid], finish[r.rid], r.output_tokens)
        for r in sorted(reqs, key=lambda r: r.rid)
    )
    return ServingRun(policy, max_batch, timings, steps, busy, tokens)


# -- paging -------------------------------------------------------------------------------


def blocks_for(tokens: int, block_size: int) -> int:
    """Return the blocks of ``block_size`` token slots that ``tokens`` tokens occupy.

    Examples
    --------
    >>> blocks_for(33, 16), blocks_for(32, 16), blocks_for(0, 16)
    (3, 2, 0)
    """
    tokens = check_int("tokens", tokens, minimum=0)
    block_size = check_positive_int("block_size", block_size)
    return -(-tokens // block_size)


class OutOfBlocks(RuntimeError):
    """Raised by :class:`BlockAllocator` when no free block is left."""


class BlockAllocator:
    """A pool of KV-cache blocks and the block table of every sequence (PagedAttention).

    Each sequence's cache lives in blocks of ``block_size`` token slots, anywhere in the pool;
    its block table lists them in order. A block is allocated only when the sequence needs it,
    so a sequence wastes at most the empty end of its last block. A new sequence may share the
    full blocks of another sequence's first ``prefix_tokens`` tokens (a common system prompt):
    the blocks are reference-counted and stored once. Only full blocks are shared, so a
    sequence never writes into a shared block.

    Parameters
    ----------
    num_blocks : int
        Blocks in the pool, ``>= 1``.
    block_size : int
        Token slots per block, ``>= 1`` (vLLM's default is 16).

    Examples
    --------
    >>> pool = BlockAllocator(num_blocks=8, block_size=4)
    >>> pool.add("a", 6)
    >>> pool.block_table("a"), pool.waste()
    ((0, 1), 2)
    >>> pool.add("b", 5, share_prefix_of="a", prefix_tokens=4)
    >>> pool.block_table("b"), pool.used_blocks
    ((0, 2), 3)
    """

    def __init__(self, num_blocks: int, block_size: int) -> None:
        self.num_blocks = check_positive_int("num_blocks", num_blocks)
        self.block_size = check_positive_int("block_size", block_size)
        self._free = deque(range(self.num_blocks))
        self._refs = [0] * self.num_blocks
        self._tables: dict[object, list[int]] = {}
        self._lengths: dict[object, int] = {}

    def _take(self) -> int:
        if not self._free:
            raise OutOfBlocks(f"no free block: all {self.num_blocks} blocks are in use")
        block = self._free.popleft()
        self._refs[block] = 1
        return block

    def _check_seq(self, seq: object) -> object:
        if seq not in self._tables:
            raise KeyError(f"seq={seq!r} is not in the pool")
        return seq

    def add(
        self,
        seq: object,
        tokens: int,
        *,
        share_prefix_of: object = None,
        prefix_tokens: int = 0,
    ) -> None:
        """Add sequence ``seq`` holding ``tokens`` tokens, sharing a prefix if asked.

        With ``share_prefix_of``, the first ``prefix_tokens // block_size`` blocks of that
        sequence's table are reused (their reference counts go up); the rest get new blocks.
        ``prefix_tokens`` must be ``<=`` both sequences' lengths. If the pool runs out, the
        sequence is not added and the blocks taken so far go back to the pool.

        Raises
        ------
        ValueError
            If ``seq`` is already in the pool or ``prefix_tokens`` is out of range.
        KeyError
            If ``share_prefix_of`` is not in the pool.
        OutOfBlocks
            If the pool has too few free blocks.
        """
        if seq in self._tables:
            raise ValueError(f"seq={seq!r} is already in the pool")
        tokens = check_int("tokens", tokens, minimum=0)
        prefix_tokens = check_int("prefix_tokens", prefix_tokens, minimum=0)
        shared: list[int] = []
        if share_prefix_of is not None:
            source = self._check_seq(share_prefix_of)
            limit = min(tokens, self._lengths[source])
            if prefix_tokens > limit:
                raise ValueError(f"prefix_tokens={prefix_tokens} must be <= both lengths ({limit})")
            shared = self._tables[source][: prefix_tokens // self.block_size]
        elif prefix_tokens:
            raise ValueError("prefix_tokens needs share_prefix_of")
        table = list(shared)
        try:
            for _ in range(blocks_for(tokens, self.block_size) - len(shared)):
                table.append(self._take())
        except OutOfBlocks:
            for block in table[len(shared) :]:
                self._release(block)
            raise
        for block in shared:
            self._refs[block] += 1
        self._tables[seq], self._lengths[seq] = table, tokens

    def append(self, seq: object, tokens: int = 1) -> None:
        """Append ``tokens`` generated tokens to ``seq``, taking a new block when one fills.

        Raises
        ------
        KeyError
            If ``seq`` is not in the pool.
        OutOfBlocks
            If a block is needed and none is free (the tokens that fit are kept).
        """
        seq = self._check_seq(seq)
        for _ in range(check_int("tokens", tokens, minimum=0)):
            if self._lengths[seq] == len(self._tables[seq]) * self.block_size:
                self._tables[seq].append(self._take())
            self._lengths[seq] += 1

    def _release(self, block: int) -> None:
        self._refs[block] -= 1
        if self._refs[block] == 0:
            self._free.append(block)

    def free(self, seq: object) -> None:
        """Remove ``seq``; blocks no other table references go back to the pool."""
        seq = self._check_seq(seq)
        for block in self._tables.pop(seq):
            self._release(block)
        del self._lengths[seq]

    def block_table(self, seq: object) -> tuple[int, ...]:
        """Return the physical block ids of ``seq``, in token order."""
        return tuple(self._tables[self._check_seq(seq)])

    def length(self, seq: object) -> int:
        """Return the tokens ``seq`` holds."""
        return self._lengths[self._check_seq(seq)]

    @property
    def used_blocks(self) -> int:
        """Blocks in use (a shared block counts once)."""
        return self.num_blocks - len(self._free)

    @property
    def free_blocks(self) -> int:
        """Blocks left in the pool."""
        return len(self._free)

    def waste(self) -> int:
        """Return the empty token slots in allocated blocks: the ends of the last blocks.

        Shared blocks are full, so the waste is the sum over sequences of
        ``len(table) * block_size - length``; each term is ``< block_size``.
        """
        return sum(
            len(table) * self.block_size - self._lengths[seq] for seq, table in self._tables.items()
        )


@dataclass(frozen=True)
class PagingReport:
    """KV-cache slots for a set of sequences: paged blocks against contiguous pre-allocation.

    Attributes
    ----------
    sequences : int
    tokens : int
        Tokens the sequences hold (the slots actually needed).
    block_size : int
    max_tokens : int
        Slots a contiguous cache reserves per sequence (the longest it may grow to).
    paged_slots : int
        Slots in the blocks a paged cache allocates.
    contiguous_slots : int
        ``sequences * max_tokens``.
    """

    sequences: int
    tokens: int
    block_size: int
    max_tokens: int
    paged_slots: int
    contiguous_slots: int

    @property
    def paged_waste(self) -> int:
        """Empty slots in the paged cache (the ends of the last blocks)."""
        return self.paged_slots - self.tokens

    @property
    def contiguous_waste(self) -> int:
        """Reserved but empty slots in the contiguous cache."""
        return self.contiguous_slots - self.tokens

    @property
    def paged_waste_fraction(self) -> float:
        """Share of the paged slots left empty."""
        return self.paged_waste / self.paged_slots

    @property
    def contiguous_waste_fraction(self) -> float:
        """Share of the contiguous slots left empty."""
        return self.contiguous_waste / self.contiguous_slots


def paging_report(lengths: Sequence[int], *, block_size: int, max_tokens: int) -> PagingReport:
    """Return the slots a paged and a contiguous KV cache use for sequences of ``lengths``.

    The paged count is measured: the sequences are placed in a :class:`BlockAllocator` large
    enough for all of them.

    Parameters
    ----------
    lengths : sequence of int
        Tokens per sequence, each ``1..max_tokens``.
    block_size : int
        Token slots per block, ``>= 1``.
    max_tokens : int
        The length a contiguous cache reserves per sequence, ``>= 1``.

    Returns
    -------
    PagingReport

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or range.

    Examples
    --------
    >>> r = paging_report([5, 16, 17], block_size=16, max_tokens=64)
    >>> r.paged_slots, r.paged_waste, r.contiguous_slots, r.contiguous_waste
    (64, 26, 192, 154)
    """
    items = check_sequence("lengths", lengths, "length")
    block_size = check_positive_int("block_size", block_size)
    max_tokens = check_positive_int("max_tokens", max_tokens)
    sizes = []
    for i, n in enumerate(items):
        n = check_positive_int(f"lengths[{i}]", n)
        if n > max_tokens:
            raise ValueError(f"lengths[{i}]={n} must be <= max_tokens={max_tokens}")
        sizes.append(n)
    pool = BlockAllocator(sum(blocks_for(n, block_size) for n in sizes), block_size)
    for i, n in enumerate(sizes):
        pool.add(i, n)
    return PagingReport(
        sequences=len(sizes),
        tokens=sum(sizes),
        block_size=block_size,
        max_tokens=max_tokens,
        paged_slots=pool.used_blocks * block_size,
        contiguous_slots=len(sizes) * max_tokens,
    )


@dataclass(frozen=True)
class PrefixReport:
    """KV-cache blocks with and without sharing a common prompt prefix.

    Attributes
    ----------
    sequences : int
    prefix_tokens : int
        Tokens of the shared prefix (the system prompt).
    block_size : int
    bytes_per_token : int
        KV-cache bytes of one token (all layers).
    shared_blocks : int
        Full blocks of the prefix, stored once when shared: ``prefix_tokens // block_size``.
    blocks_unshared, blocks_shared : int
        Blocks in use without and with sharing (measured with :class:`BlockAllocator`).
    """

    sequences: int
    prefix_tokens: int
    block_size: int
    bytes_per_token: int
    shared_blocks: int
    blocks_unshared: int
    blocks_shared: int

    @property
    def saved_blocks(self) -> int:
        """Blocks sharing saves: ``(sequences - 1) * shared_blocks``."""
        return self.blocks_unshared - self.blocks_shared

    @property
    def saved_bytes(self) -> int:
        """Bytes sharing saves."""
        return self.saved_blocks * self.block_size * self.bytes_per_token


def prefix_sharing(
    prefix_tokens: int,
    suffix_tokens: Sequence[int],
    *,
    block_size: int,
    bytes_per_token: int,
) -> PrefixReport:
    """Return the blocks that sequences ``prefix + suffix`` use with and without prefix caching.

    Every sequence starts with the same ``prefix_tokens`` tokens (a system prompt) followed by
    its own ``suffix_tokens[i]``. Without sharing each sequence stores its whole length; with
    sharing the first sequence's full prefix blocks are referenced by all the others. The
    partial last block of the prefix is not shared (it will be written by each sequence).

    Parameters
    ----------
    prefix_tokens : int
        ``>= 0``.
    suffix_tokens : sequence of int
        Each ``>= 0``; at least one sequence.
    block_size : int
        ``>= 1``.
    bytes_per_token : int
        KV-cache bytes per token, ``>= 1`` (e.g.
        :func:`llmhistory.concepts.kv_cache.kv_cache_bytes_per_token`).

    Returns
    -------
    PrefixReport

    Raises
    ------
    TypeError, ValueError
        If an argument has the wrong type or range.

    Examples
    --------
    >>> r = prefix_sharing(40, [10, 20, 30], block_size=16, bytes_per_token=2)
    >>> r.shared_blocks, r.blocks_unshared, r.blocks_shared, r.saved_blocks, r.saved_bytes
    (2, 13, 9, 4, 128)
    """
    prefix_tokens = check_int("prefix_tokens", prefix_tokens, minimum=0)
    items = check_sequence("suffix_tokens", suffix_tokens, "length")
    suffixes = [check_int(f"suffix_tokens[{i}]", n, minimum=0) for i, n in enumerate(items)]
    block_size = check_positive_int("block_size", block_size)
    bytes_per_token = check_positive_int("bytes_per_token", bytes_per_token)
    lengths = [prefix_tokens + s for s in suffixes]
    capacity = sum(blocks_for(n, block_size) for n in lengths)
    counts = []
    for share in (False, True):
        pool = BlockAllocator(max(capacity, 1), block_size)
        for i, n in enumerate(lengths):
            if share and i:
                pool.add(i, n, share_prefix_of=0, prefix_tokens=prefix_tokens)
            else:
                pool.add(i, n)
        counts.append(pool.used_blocks)
    return PrefixReport(
        sequences=len(lengths),
        prefix_tokens=prefix_tokens,
        block_size=block_size,
        bytes_per_token=bytes_per_token,
        shared_blocks=prefix_tokens // block_size,
        blocks_unshared=counts[0],
        blocks_shared=counts[1],
    )
