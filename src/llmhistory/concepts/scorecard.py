"""A model scorecard: a license gate, then quality minus latency and cost penalties.

The score of a candidate under a scenario is

    score = 100 * quality - latency_penalty * p95_ms - cost_penalty * cost

and a candidate whose license does not allow the use scores ``-inf``: it is ranked last and
can never win, whatever the penalties. The penalties are product decisions, not universal
truths; :func:`scenario_sweep` and :func:`break_even_latency_penalty` show how the winner
depends on them.

>>> for scenario in SUPPORT_SCENARIOS:
...     best, points = winner(SUPPORT_CANDIDATES, scenario)
...     print(f"{scenario.name:13s} winner={best.name} score={points:.2f}")
live support  winner=hosted-fast score=74.50
nightly audit winner=hosted-deep score=84.40
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from llmhistory._validate import as_float_array, check_bool, check_float, check_instance, check_str

__all__ = [
    "SUPPORT_CANDIDATES",
    "SUPPORT_SCENARIOS",
    "Candidate",
    "Scenario",
    "SweepPoint",
    "break_even_latency_penalty",
    "license_gate",
    "rank",
    "scenario_sweep",
    "score",
    "winner",
]


@dataclass(frozen=True)
class Candidate:
    """A model option measured on the team's own evaluation set.

    Attributes
    ----------
    name : str
        Unique label (non-blank).
    quality : float
        Share of evaluation cases passed, in [0, 1].
    p95_ms : float
        95th-percentile latency in milliseconds (> 0).
    cost : float
        Cost per request (or per unit of work) in any currency unit (>= 0).
    license_ok : bool
        Whether the license allows this use; False means the candidate can never win.

    Examples
    --------
    >>> Candidate("hosted-fast", quality=0.86, p95_ms=250, cost=0.50, license_ok=True).p95_ms
    250.0
    """

    name: str
    quality: float
    p95_ms: float
    cost: float
    license_ok: bool

    def __post_init__(self) -> None:
        check_str("name", self.name)
        quality = check_float("quality", self.quality, minimum=0.0, maximum=1.0)
        object.__setattr__(self, "quality", quality)
        p95_ms = check_float("p95_ms", self.p95_ms, minimum=0.0, strict_minimum=True)
        object.__setattr__(self, "p95_ms", p95_ms)
        object.__setattr__(self, "cost", check_float("cost", self.cost, minimum=0.0))
        object.__setattr__(self, "license_ok", check_bool("license_ok", self.license_ok))


@dataclass(frozen=True)
class Scenario:
    """How much a workload penalises latency (points per ms) and cost (points per unit).

    >>> Scenario("live support", latency_penalty=0.03, cost_penalty=8.0).cost_penalty
    8.0
    """

    name: str
    latency_penalty: float
    cost_penalty: float

    def __post_init__(self) -> None:
        check_str("name", self.name)
        latency = check_float("latency_penalty", self.latency_penalty, minimum=0.0)
        object.__setattr__(self, "latency_penalty", latency)
        cost = check_float("cost_penalty", self.cost_penalty, minimum=0.0)
        object.__setattr__(self, "cost_penalty", cost)


SUPPORT_CANDIDATES = (
    Candidate("hosted-fast", quality=0.86, p95_ms=250, cost=0.50, license_ok=True),
    Candidate("hosted-deep", quality=0.94, p95_ms=1200, cost=1.50, license_ok=True),
    Candidate("local-restricted", quality=0.90, p95_ms=500, cost=0.20, license_ok=False),
)
"""The source chapter's three support-desk candidates."""

SUPPORT_SCENARIOS = (
    Scenario("live support", latency_penalty=0.03, cost_penalty=8.0),
    Scenario("nightly audit", latency_penalty=0.003, cost_penalty=4.0),
)
"""The source chapter's two workloads."""


def _check_candidates(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Return the candidates as a list after checking kinds, non-emptiness and unique names."""
    if isinstance(candidates, (str, Candidate)):
        raise TypeError(
            f"candidates must be a sequence of Candidate, got {type(candidates).__name__}"
        )
    items = [check_instance(f"candidates[{i}]", c, Candidate) for i, c in enumerate(candidates)]
    if not items:
        raise ValueError("candidates must hold at least one Candidate")
    names = [c.name for c in items]
    if len(set(names)) != len(names):
        raise ValueError(f"candidates must have unique names, got {names}")
    return items


def license_gate(
    candidates: Sequence[Candidate],
) -> tuple[tuple[Candidate, ...], tuple[Candidate, ...]]:
    """Return ``(allowed, refused)``: the candidates whose license allows the use, and the rest.

    Input order is kept within each group.

    Parameters
    ----------
    candidates : sequence of Candidate
        At least one candidate; names must be unique.

    Returns
    -------
    (tuple of Candidate, tuple of Candidate)
        ``allowed`` (``license_ok`` True) and ``refused``.

    Raises
    ------
    TypeError
        If ``candidates`` holds something other than :class:`Candidate`.
    ValueError
        If ``candidates`` is empty or has duplicate names.

    Examples
    --------
    >>> allowed, refused = license_gate(SUPPORT_CANDIDATES)
    >>> [c.name for c in allowed], [c.name for c in refused]
    (['hosted-fast', 'hosted-deep'], ['local-restricted'])
    """
    items = _check_candidates(candidates)
    allowed = tuple(c for c in items if c.license_ok)
    refused = tuple(c for c in items if not c.license_ok)
    return allowed, refused


def score(candidate: Candidate, scenario: Scenario) -> float:
    """Return ``100 * quality - latency_penalty * p95_ms - cost_penalty * cost`` in points.

    A candidate that fails the license gate scores ``-inf``, so no penalty setting can make
    it win.

    Parameters
    ----------
    candidate : Candidate
        The option to score.
    scenario : Scenario
        The penalties to apply.

    Returns
    -------
    float
        The score (higher is better), or ``-inf`` when ``candidate.license_ok`` is False.

    Raises
    ------
    TypeError
        If ``candidate`` or ``scenario`` has the wrong type.

    Examples
    --------
    >>> fast, deep, restricted = SUPPORT_CANDIDATES
    >>> live = SUPPORT_SCENARIOS[0]
    >>> round(score(fast, live), 2), round(score(deep, live), 2), score(restricted, live)
    (74.5, 46.0, -inf)
    """
    candidate = check_instance("candidate", candidate, Candidate)
    scenario = check_instance("scenario", scenario, Scenario)
    if not candidate.license_ok:
        return -math.inf
    return (
        100.0 * candidate.quality
        - scenario.latency_penalty * candidate.p95_ms
        - scenario.cost_penalty * candidate.cost
    )


def rank(candidates: Sequence[Candidate], scenario: Scenario) -> list[tuple[Candidate, float]]:
    """Return ``(candidate, score)`` pairs, best first.

    License-refused candidates are kept, with score ``-inf``, after every allowed one, so a
    table shows why they are out. Ties (equal scores, including the ``-inf`` group) are
    broken by name, alphabetically, so the order never depends on the input order.

    Parameters
    ----------
    candidates : sequence of Candidate
        At least one candidate; names must be unique.
    scenario : Scenario
        The penalties to apply.

    Returns
    -------
    list of (Candidate, float)
        Every candidate once, best first.

    Raises
    ------
    TypeError
        If an element is not a :class:`Candidate` or ``scenario`` is not a :class:`Scenario`.
    ValueError
        If ``candidates`` is empty or has duplicate names.

    Examples
    --------
    >>> for c, points in rank(SUPPORT_CANDIDATES, SUPPORT_SCENARIOS[1]):
    ...     print(f"{c.name:16s} {points:6.2f}")
    hosted-deep       84.40
    hosted-fast       83.25
    local-restricted   -inf
    """
    items = _check_candidates(candidates)
    scenario = check_instance("scenario", scenario, Scenario)
    scored = [(c, score(c, scenario)) for c in items]
    return sorted(scored, key=lambda pair: (-pair[1], pair[0].name))


def winner(candidates: Sequence[Candidate], scenario: Scenario) -> tuple[Candidate, float]:
    """Return the best licensed ``(candidate, score)`` under ``scenario`` (first of :func:`rank`).

    Parameters
    ----------
    candidates : sequence of Candidate
        At least one candidate whose license allows the use.
    scenario : Scenario
        The penalties to apply.

    Returns
    -------
    (Candidate, float)
        The winner and its score.

    Raises
    ------
    TypeError
        If an element is not a :class:`Candidate` or ``scenario`` is not a :class:`Scenario`.
    ValueError
        If ``candidates`` is empty, has duplicate names, or no candidate passes the license
        gate.

    Examples
    --------
    >>> best, points = winner(SUPPORT_CANDIDATES, SUPPORT_SCENARIOS[0])
    >>> best.name, round(points, 2)
    ('hosted-fast', 74.5)
    """
    best, points = rank(candidates, scenario)[0]
    if not best.license_ok:
        raise ValueError("candidates must include at least one with license_ok=True")
    return best, points


@dataclass(frozen=True)
class SweepPoint:
    """One point of :func:`scenario_sweep`: the winner at one latency penalty."""

    latency_penalty: float
    winner: str
    score: float


def scenario_sweep(
    candidates: Sequence[Candidate],
    latency_penalties: Sequence[float] | np.ndarray,
    cost_penalty: float,
) -> list[SweepPoint]:
    """Return the winner at each latency penalty, cost penalty held fixed, in input order.

    Plotting ``winner`` against ``latency_penalty`` shows where the choice flips; the flip
    points are :func:`break_even_latency_penalty` of the neighbouring winners.

    Parameters
    ----------
    candidates : sequence of Candidate
        At least one licensed candidate; names must be unique.
    latency_penalties : array, shape (n,)
        Points per millisecond of p95 latency (finite, >= 0), n >= 1.
    cost_penalty : float
        Points per unit of cost (finite, >= 0).

    Returns
    -------
    list of SweepPoint
        ``(latency_penalty, winner name, winner score)`` per penalty.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a penalty is negative or not finite, ``latency_penalties`` is empty or not 1-D,
        or no candidate passes the license gate.

    Examples
    --------
    >>> [p.winner for p in scenario_sweep(SUPPORT_CANDIDATES, [0.001, 0.01, 0.03], 4.0)]
    ['hosted-deep', 'hosted-fast', 'hosted-fast']
    """
    items = _check_candidates(candidates)
    penalties = as_float_array("latency_penalties", latency_penalties, ndim=1)
    if (penalties < 0).any():
        raise ValueError(f"latency_penalties must be >= 0, got min {penalties.min()}")
    cost_penalty = check_float("cost_penalty", cost_penalty, minimum=0.0)
    points = []
    for latency_penalty in penalties.tolist():
        scenario = Scenario("sweep", latency_penalty=latency_penalty, cost_penalty=cost_penalty)
        best, best_score = winner(items, scenario)
        points.append(SweepPoint(latency_penalty, best.name, best_score))
    return points


def break_even_latency_penalty(a: Candidate, b: Candidate, cost_penalty: float) -> float:
    """Return the latency penalty (points per ms) at which ``a`` and ``b`` score the same.

    Setting the two scores equal,

        100 q_a - x p_a - c k_a = 100 q_b - x p_b - c k_b
        x (p_a - p_b) = 100 (q_a - q_b) - c (k_a - k_b)
        x = (100 (q_a - q_b) - c (k_a - k_b)) / (p_a - p_b)

    with ``q`` quality, ``p`` p95 latency, ``k`` cost and ``c`` the cost penalty. Below ``x``
    the slower candidate wins (if it is the better one at zero latency penalty); above it
    the faster one does. A value gap within float rounding of zero counts as zero, so
    candidates that tie at zero latency penalty return 0.0 rather than a tiny negative.

    Parameters
    ----------
    a, b : Candidate
        Two licensed candidates.
    cost_penalty : float
        Points per unit of cost (finite, >= 0).

    Returns
    -------
    float
        The break-even latency penalty, >= 0.

    Raises
    ------
    TypeError
        If ``a`` or ``b`` is not a :class:`Candidate` or ``cost_penalty`` is not a number.
    ValueError
        If either candidate fails the license gate (it scores ``-inf`` and never ties), if
        ``a`` and ``b`` have the same p95 latency (the scores never cross: one always leads,
        or they tie at every penalty), or if they cross only at a negative penalty.

    Examples
    --------
    >>> fast, deep, _ = SUPPORT_CANDIDATES
    >>> round(break_even_latency_penalty(fast, deep, cost_penalty=4.0), 6)
    0.004211
    """
    a = check_instance("a", a, Candidate)
    b = check_instance("b", b, Candidate)
    cost_penalty = check_float("cost_penalty", cost_penalty, minimum=0.0)
    for label, candidate in (("a", a), ("b", b)):
        if not candidate.license_ok:
            raise ValueError(
                f"{label}={candidate.name!r} fails the license gate and never ties; "
                "pass candidates with license_ok=True"
            )
    latency_gap = a.p95_ms - b.p95_ms
    if latency_gap == 0:
        raise ValueError(
            f"a and b have the same p95_ms={a.p95_ms}: their scores never cross as the "
            "latency penalty changes"
        )
    value_gap = 100.0 * (a.quality - b.quality) - cost_penalty * (a.cost - b.cost)
    if abs(value_gap) <= 1e-12 * (100.0 + cost_penalty * (a.cost + b.cost)):
        value_gap = 0.0  # a tie at zero latency penalty, up to rounding
    crossing = value_gap / latency_gap
    if crossing < 0:
        raise ValueError(
            f"a and b only tie at latency penalty {crossing:.6g} < 0 with "
            f"cost_penalty={cost_penalty}; for every allowed penalty the same one wins"
        )
    return crossing + 0.0  # + 0.0 turns -0.0 into 0.0
