"""Benchmark statistics: pass@k, bootstrap intervals and paired tests for two models.

A benchmark score is an average over items, so it carries sampling error: a different draw of
items of the same kind would give a different score. This module holds the small functions
that say how large that error is.

- :func:`pass_at_k` is the unbiased estimator of Chen et al. (2021, arXiv:2107.03374) for the
  chance that at least one of ``k`` samples is correct, from ``n`` samples of which ``c`` were;
  :func:`pass_at_k_plugin` is the biased plug-in ``1 - (1 - c/n)^k`` it replaces.
- :func:`bootstrap_interval` and :func:`paired_bootstrap` give seeded percentile bootstrap
  intervals for a mean and for the mean difference of two models on the same items;
  :func:`paired_interval` is the closed-form (normal) interval of the same difference.
- :func:`mcnemar_exact` is the exact McNemar (sign) test on the items where two models disagree.
- :func:`scorecard_margin_interval` applies the paired bootstrap to chapter 13's scorecard:
  only the quality term of :func:`llmhistory.concepts.scorecard.score` is random.

>>> round(pass_at_k(n=20, c=8, k=1), 2), round(pass_at_k(n=20, c=8, k=10), 4)
(0.4, 0.9996)
>>> round(mcnemar_exact(only_a=10, only_b=2), 4)
0.0386
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from llmhistory._validate import (
    as_bool_array,
    as_float_array,
    check_float,
    check_instance,
    check_int,
    check_positive_int,
)
from llmhistory.concepts.scorecard import Candidate, Scenario

__all__ = [
    "BENCHMARKS",
    "Benchmark",
    "Interval",
    "PairedCounts",
    "bootstrap_interval",
    "mcnemar_exact",
    "mean_pass_at_k",
    "paired_bootstrap",
    "paired_counts",
    "paired_half_width",
    "paired_interval",
    "paired_outcomes",
    "pass_at_k",
    "pass_at_k_plugin",
    "scorecard_margin_interval",
]


# -- benchmark anatomy -----------------------------------------------------------------------


@dataclass(frozen=True)
class Benchmark:
    """What one item of a published benchmark is, and how it is scored.

    Attributes
    ----------
    name : str
    items : int
        Items in the split that papers report (the test split).
    item : str
        What one item holds.
    scoring : str
        How an answer is marked right.
    source : str
        Bibliography key of the paper that introduced it.
    """

    name: str
    items: int
    item: str
    scoring: str
    source: str


BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark(
        "MMLU",
        14_079,
        "a four-choice question from one of 57 subjects (STEM, humanities, social sciences, "
        "other), with 5 dev examples per subject for few-shot prompts",
        "accuracy: the chosen letter equals the key",
        "hendrycks2021mmlu",
    ),
    Benchmark(
        "GSM8K",
        1_319,
        "a grade-school word problem needing 2 to 8 arithmetic steps; the reference solution "
        "ends in the final number",
        "exact match of the final number",
        "cobbe2021gsm8k",
    ),
    Benchmark(
        "HumanEval",
        164,
        "a Python function signature and docstring, written by hand, with unit tests "
        "(7.7 per problem on average)",
        "pass@k: the problem counts as solved if any of k sampled programs passes every test",
        "chen2021codex",
    ),
)
"""MMLU, GSM8K and HumanEval as their papers describe them (test-split sizes)."""


# -- pass@k ----------------------------------------------------------------------------------


def _check_nck(n: object, c: object, k: object) -> tuple[int, int, int]:
    n = check_positive_int("n", n)
    c = check_int("c", c, minimum=0)
    k = check_positive_int("k", k)
    if c > n:
        raise ValueError(f"c={c} correct samples cannot exceed n={n} samples")
    if k > n:
        raise ValueError(f"k={k} must be <= n={n}: pass@k needs at least k samples")
    return n, c, k


def pass_at_k(n: int, c: int, k: int) -> float:
    """Return the unbiased estimate of pass@k from ``n`` samples of which ``c`` are correct.

    pass@k is the probability that at least one of ``k`` samples is correct. Drawing ``k`` of
    the ``n`` samples without replacement, all ``k`` are wrong with probability
    ``C(n - c, k) / C(n, k)``, so the estimate is ``1 - C(n - c, k) / C(n, k)``
    (Chen et al. 2021). Its expectation over the ``n`` samples is exactly the true pass@k.
    The binomials overflow for large ``n``; the ratio equals the product
    ``prod_{i = n - c + 1}^{n} (1 - k / i)``, which is what is computed.

    Parameters
    ----------
    n : int
        Samples drawn for the problem, ``>= 1``.
    c : int
        Samples that were correct, ``0 <= c <= n``.
    k : int
        Attempts allowed, ``1 <= k <= n``.

    Returns
    -------
    float
        In ``[0, 1]``; exactly 1.0 when ``n - c < k`` (every k-subset holds a correct sample),
        and ``c / n`` when ``k = 1``.

    Raises
    ------
    TypeError
        If an argument is not an integer.
    ValueError
        If ``n < 1``, ``c`` is outside ``[0, n]`` or ``k`` outside ``[1, n]``.

    Examples
    --------
    >>> pass_at_k(200, 0, 100), pass_at_k(10, 3, 1), pass_at_k(10, 8, 3)
    (0.0, 0.3, 1.0)
    >>> round(pass_at_k(5, 2, 2), 6)  # 1 - C(3, 2) / C(5, 2) = 1 - 3/10
    0.7
    """
    n, c, k = _check_nck(n, c, k)
    if n - c < k:
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1, dtype=np.float64)))


def pass_at_k_plugin(n: int, c: int, k: int) -> float:
    """Return the plug-in estimate ``1 - (1 - c/n)^k`` of pass@k (biased low for ``k > 1``).

    It treats the observed rate ``c / n`` as the true one. Because ``1 - (1 - p)^k`` is concave
    in ``p``, its average over draws is below the true pass@k (Jensen's inequality); Chen et
    al. (2021) use :func:`pass_at_k` instead.

    Parameters and errors are those of :func:`pass_at_k`.

    Examples
    --------
    >>> round(pass_at_k_plugin(20, 8, 10), 4), round(pass_at_k(20, 8, 10), 4)
    (0.994, 0.9996)
    """
    n, c, k = _check_nck(n, c, k)
    return float(1.0 - (1.0 - c / n) ** k)


def mean_pass_at_k(samples: Sequence[int], correct: Sequence[int], k: int) -> float:
    """Return the benchmark's pass@k: :func:`pass_at_k` averaged over problems.

    Parameters
    ----------
    samples : sequence of int, length m
        Samples drawn per problem (each ``>= k``).
    correct : sequence of int, length m
        Correct samples per problem.
    k : int

    Returns
    -------
    float
        The mean over the ``m`` problems, in ``[0, 1]``.

    Raises
    ------
    TypeError, ValueError
        If the sequences are empty or differ in length, or any ``(n, c, k)`` is invalid (the
        message names the problem's index).

    Examples
    --------
    >>> mean_pass_at_k([10, 10], [0, 5], k=1)
    0.25
    """
    k = check_positive_int("k", k)
    n_arr = as_float_array("samples", samples, ndim=1)
    c_arr = as_float_array("correct", correct, ndim=1)
    if n_arr.size != c_arr.size:
        raise ValueError(f"samples has {n_arr.size} problems but correct has {c_arr.size}")
    values = []
    for i, (n, c) in enumerate(zip(samples, correct, strict=True)):
        try:
            values.append(pass_at_k(n, c, k))
        except (TypeError, ValueError) as error:
            raise type(error)(f"problem {i}: {error}") from None
    return float(np.mean(values))


# -- intervals -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """An estimate with a two-sided interval at ``level`` (e.g. 0.95).

    Attributes
    ----------
    estimate : float
        The statistic on the data as observed.
    low, high : float
        The interval's ends, ``low <= high``.
    level : float
        Coverage the interval aims at, in (0, 1).
    """

    estimate: float
    low: float
    high: float
    level: float

    @property
    def half_width(self) -> float:
        """Half the interval's length."""
        return (self.high - self.low) / 2

    def contains(self, value: float) -> bool:
        """Return True when ``low <= value <= high``."""
        return self.low <= check_float("value", value) <= self.high


def _check_level(level: object) -> float:
    level = check_float("level", level, minimum=0.0, strict_minimum=True)
    if level >= 1.0:
        raise ValueError(f"level must be < 1, got {level}")
    return level


def _resample_means(values: np.ndarray, resamples: int, seed: int, chunk: int = 256) -> np.ndarray:
    """Return ``resamples`` means of ``values`` resampled with replacement (seeded)."""
    rng = np.random.default_rng(seed)
    n = values.size
    means = np.empty(resamples)
    for start in range(0, resamples, chunk):
        stop = min(start + chunk, resamples)
        index = rng.integers(0, n, size=(stop - start, n))  # [chunk, n]
        means[start:stop] = values[index].sum(axis=1) / n
    return means


def _percentile_interval(estimate: float, means: np.ndarray, level: float) -> Interval:
    alpha = 1.0 - level
    low, high = np.quantile(means, [alpha / 2, 1 - alpha / 2])
    return Interval(float(estimate), float(low), float(high), level)


def bootstrap_interval(
    values: object, *, resamples: int = 2000, level: float = 0.95, seed: int = 0
) -> Interval:
    """Return the percentile bootstrap interval of the mean of ``values``.

    Draw ``resamples`` data sets of the same size from ``values`` with replacement, take each
    one's mean, and report the ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles of those
    means (Efron and Tibshirani 1993). For 0/1 outcomes the mean is an accuracy.

    Parameters
    ----------
    values : array, shape (n,)
        Per-item scores (finite), ``n >= 2``; booleans count as 0/1.
    resamples : int, default 2000
        Bootstrap draws, ``>= 100``.
    level : float, default 0.95
        In (0, 1).
    seed : int, default 0
        Seed of the generator, ``>= 0``: the same seed gives the same interval.

    Returns
    -------
    Interval
        ``estimate`` is the mean of ``values``.

    Raises
    ------
    TypeError, ValueError
        If ``values`` is not a 1-D array of at least 2 finite numbers, or another argument
        is out of range.

    Examples
    --------
    >>> ci = bootstrap_interval([1] * 50 + [0] * 47)
    >>> round(ci.estimate, 3), ci.low < 0.515 < ci.high, round(ci.half_width, 1)
    (0.515, True, 0.1)
    """
    data = as_float_array("values", values, ndim=1)
    if data.size < 2:
        raise ValueError(f"values must hold at least 2 items, got {data.size}")
    resamples = check_int("resamples", resamples, minimum=100)
    level = _check_level(level)
    seed = check_int("seed", seed, minimum=0)
    means = _resample_means(data, resamples, seed)
    return _percentile_interval(float(data.sum() / data.size), means, level)


def _check_pair(a: object, b: object) -> tuple[np.ndarray, np.ndarray]:
    a_arr = as_bool_array("a", a, ndim=1)
    b_arr = as_bool_array("b", b, ndim=1)
    if a_arr.size != b_arr.size:
        raise ValueError(
            f"a and b must score the same items: a has {a_arr.size}, b has {b_arr.size}"
        )
    if a_arr.size < 2:
        raise ValueError(f"a and b must hold at least 2 items, got {a_arr.size}")
    return a_arr, b_arr


def paired_bootstrap(
    a: object, b: object, *, resamples: int = 2000, level: float = 0.95, seed: int = 0
) -> Interval:
    """Return the percentile bootstrap interval of ``mean(a) - mean(b)`` on the same items.

    Items are resampled *together*: each draw keeps both models' outcomes on an item, so the
    interval reflects how often the two disagree, not each one's spread on its own. Two
    models that fail on the same hard items have a narrower interval than two independent
    evaluations would give.

    Parameters
    ----------
    a, b : array of bool or 0/1, shape (n,)
        Whether model A and model B got each item right; ``n >= 2``, same items in the same
        order.
    resamples, level, seed
        As in :func:`bootstrap_interval`.

    Returns
    -------
    Interval
        Of the accuracy difference A minus B (a fraction, not percentage points).

    Raises
    ------
    TypeError, ValueError
        If ``a`` or ``b`` is not 0/1, they differ in length, or hold fewer than 2 items.

    Examples
    --------
    >>> a, b = paired_outcomes(both=84, only_a=10, only_b=2, neither=4)
    >>> ci = paired_bootstrap(a, b)
    >>> round(ci.estimate, 2), ci.low > 0
    (0.08, True)
    """
    a_arr, b_arr = _check_pair(a, b)
    resamples = check_int("resamples", resamples, minimum=100)
    level = _check_level(level)
    seed = check_int("seed", seed, minimum=0)
    diff = a_arr.astype(np.float64) - b_arr.astype(np.float64)  # [n] in {-1, 0, 1}
    means = _resample_means(diff, resamples, seed)
    return _percentile_interval(float(diff.sum() / diff.size), means, level)


@dataclass(frozen=True)
class PairedCounts:
    """The 2 x 2 table of two models on the same items."""

    both: int
    only_a: int
    only_b: int
    neither: int

    @property
    def items(self) -> int:
        """All items."""
        return self.both + self.only_a + self.only_b + self.neither

    @property
    def difference(self) -> float:
        """Accuracy of A minus accuracy of B: ``(only_a - only_b) / items``."""
        return (self.only_a - self.only_b) / self.items


def paired_counts(a: object, b: object) -> PairedCounts:
    """Return the :class:`PairedCounts` of outcomes ``a`` and ``b`` on the same items.

    >>> paired_counts([1, 1, 0, 0], [1, 0, 1, 0])
    PairedCounts(both=1, only_a=1, only_b=1, neither=1)
    """
    a_arr, b_arr = _check_pair(a, b)
    return PairedCounts(
        both=int(np.sum(a_arr & b_arr)),
        only_a=int(np.sum(a_arr & ~b_arr)),
        only_b=int(np.sum(~a_arr & b_arr)),
        neither=int(np.sum(~a_arr & ~b_arr)),
    )


def paired_outcomes(
    *, both: int, only_a: int, only_b: int, neither: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return per-item outcomes ``(a, b)`` (bool arrays) with the given 2 x 2 counts.

    Items come in the order both, only A, only B, neither; the order does not matter to any
    statistic here. Useful when a report gives only the counts.

    Raises
    ------
    TypeError, ValueError
        If a count is not an integer ``>= 0`` or all are zero.

    Examples
    --------
    >>> a, b = paired_outcomes(both=1, only_a=2, only_b=0, neither=1)
    >>> a.astype(int).tolist(), b.astype(int).tolist()
    ([1, 1, 1, 0], [1, 0, 0, 0])
    """
    counts = {
        name: check_int(name, value, minimum=0)
        for name, value in (
            ("both", both),
            ("only_a", only_a),
            ("only_b", only_b),
            ("neither", neither),
        )
    }
    if sum(counts.values()) == 0:
        raise ValueError("both, only_a, only_b and neither must add up to at least 1 item")
    a = np.repeat([True, True, False, False], list(counts.values()))
    b = np.repeat([True, False, True, False], list(counts.values()))
    return a, b


def paired_interval(counts: PairedCounts, *, level: float = 0.95) -> Interval:
    """Return the closed-form (Wald) interval of the paired accuracy difference A minus B.

    With ``p10 = only_a / n`` and ``p01 = only_b / n``, the difference is ``d = p10 - p01`` and
    its standard error ``sqrt((p10 + p01 - d^2) / n)``; the interval is ``d +- z * se`` with
    ``z`` the normal quantile of ``(1 + level) / 2``. For large ``n`` the paired bootstrap
    gives nearly the same interval.

    Examples
    --------
    >>> ci = paired_interval(PairedCounts(84, 10, 2, 4))
    >>> round(ci.low, 3), round(ci.high, 3)
    (0.014, 0.146)
    """
    counts = check_instance("counts", counts, PairedCounts)
    level = _check_level(level)
    n = counts.items
    p10, p01 = counts.only_a / n, counts.only_b / n
    d = p10 - p01
    se = math.sqrt(max(p10 + p01 - d * d, 0.0) / n)
    z = NormalDist().inv_cdf((1 + level) / 2)
    return Interval(d, d - z * se, d + z * se, level)


def paired_half_width(items: object, disagreement: float, *, level: float = 0.95) -> np.ndarray:
    """Return the interval half-width of a small paired difference on ``items`` items.

    For two models whose accuracies are close, the standard error of their difference is
    about ``sqrt(disagreement / items)``, where ``disagreement`` is the share of items on
    which exactly one of them is right. The half-width is ``z`` times that.

    Parameters
    ----------
    items : int or array of int
        Benchmark sizes, each ``>= 1``.
    disagreement : float
        Share of items where the two models differ, in (0, 1].
    level : float, default 0.95

    Returns
    -------
    numpy.ndarray
        Half-widths (fractions of accuracy), the shape of ``items``.

    Examples
    --------
    >>> paired_half_width([100, 10_000], 0.1).round(4)
    array([0.062 , 0.0062])
    """
    sizes = as_float_array("items", items)
    if (sizes < 1).any():
        raise ValueError(f"items must be >= 1, got min {sizes.min()}")
    disagreement = check_float("disagreement", disagreement, minimum=0.0, strict_minimum=True)
    if disagreement > 1.0:
        raise ValueError(f"disagreement must be <= 1, got {disagreement}")
    z = NormalDist().inv_cdf((1 + _check_level(level)) / 2)
    return z * np.sqrt(disagreement / sizes)


def mcnemar_exact(only_a: int, only_b: int) -> float:
    """Return the two-sided exact McNemar p-value for two models on the same items.

    Only the items where the models disagree carry information about which is better. If
    neither is, each disagreement is a fair coin: ``only_a ~ Binomial(only_a + only_b, 1/2)``.
    The p-value is ``min(1, 2 * P(X <= min(only_a, only_b)))`` (McNemar 1947, in its exact
    binomial form; the same as a sign test).

    Parameters
    ----------
    only_a, only_b : int
        Items only A got right, and items only B got right (``>= 0``).

    Returns
    -------
    float
        In ``(0, 1]``; 1.0 when there are no disagreements.

    Raises
    ------
    TypeError, ValueError
        If a count is not an integer ``>= 0``.

    Examples
    --------
    >>> mcnemar_exact(0, 0), mcnemar_exact(3, 3)
    (1.0, 1.0)
    >>> round(mcnemar_exact(8, 0), 4)  # 2 / 2**8
    0.0078
    """
    only_a = check_int("only_a", only_a, minimum=0)
    only_b = check_int("only_b", only_b, minimum=0)
    total = only_a + only_b
    if total == 0:
        return 1.0
    smaller = min(only_a, only_b)
    tail = sum(math.comb(total, i) for i in range(smaller + 1))
    return float(min(1.0, 2 * tail / 2**total))


def scorecard_margin_interval(
    a: Candidate,
    b: Candidate,
    scenario: Scenario,
    a_correct: object,
    b_correct: object,
    *,
    resamples: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> Interval:
    """Return the paired bootstrap interval of ``score(a) - score(b)`` in scorecard points.

    In :func:`llmhistory.concepts.scorecard.score` only the quality term is measured on
    evaluation items; the latency and cost penalties are fixed per candidate. So the margin is
    ``100 * (quality_a - quality_b)`` minus a constant, and its interval is the paired
    interval of the quality difference, times 100, shifted by that constant.

    Parameters
    ----------
    a, b : Candidate
        Two licensed candidates; each ``quality`` must be its outcomes' mean (within half an
        item).
    scenario : Scenario
    a_correct, b_correct : array of bool or 0/1, shape (n,)
        Each candidate's pass/fail on the same evaluation items.
    resamples, level, seed
        As in :func:`paired_bootstrap`.

    Returns
    -------
    Interval
        In scorecard points; ``estimate`` equals ``score(a) - score(b)``.

    Raises
    ------
    TypeError, ValueError
        Bad arguments, a candidate refused by the license gate, or outcomes whose pass rate
        does not match the candidate's ``quality``.

    Examples
    --------
    >>> from llmhistory.concepts.scorecard import SUPPORT_CANDIDATES, SUPPORT_SCENARIOS
    >>> fast, deep, _ = SUPPORT_CANDIDATES
    >>> deep_ok, fast_ok = paired_outcomes(both=84, only_a=10, only_b=2, neither=4)
    >>> ci = scorecard_margin_interval(deep, fast, SUPPORT_SCENARIOS[1], deep_ok, fast_ok)
    >>> round(ci.estimate, 2), ci.low < 0 < ci.high
    (1.15, True)
    """
    a = check_instance("a", a, Candidate)
    b = check_instance("b", b, Candidate)
    scenario = check_instance("scenario", scenario, Scenario)
    for label, candidate in (("a", a), ("b", b)):
        if not candidate.license_ok:
            raise ValueError(f"{label}={candidate.name!r} fails the license gate: it has no margin")
    a_arr, b_arr = _check_pair(a_correct, b_correct)
    n = a_arr.size
    for label, candidate, outcomes in (("a", a, a_arr), ("b", b, b_arr)):
        rate = outcomes.sum() / n
        if abs(rate - candidate.quality) > 0.5 / n + 1e-12:
            raise ValueError(
                f"{label}_correct passes {rate:.4f} of its {n} items but "
                f"{label}.quality={candidate.quality}"
            )
    penalty = scenario.latency_penalty * (a.p95_ms - b.p95_ms) + scenario.cost_penalty * (
        a.cost - b.cost
    )
    quality = paired_bootstrap(a_arr, b_arr, resamples=resamples, level=level, seed=seed)
    estimate = 100.0 * (a.quality - b.quality) - penalty
    return Interval(estimate, 100.0 * quality.low - penalty, 100.0 * quality.high - penalty, level)
