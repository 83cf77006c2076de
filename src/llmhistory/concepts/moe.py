"""Mixture-of-Experts routing (Shazeer et al. 2017; Jiang et al. 2024, Mixtral).

A sparse MoE layer replaces one feed-forward network by ``num_experts`` of them and a router: a
linear map from the token's hidden state to one logit per expert. Each token is sent to the
``k`` experts with the largest logits, and their outputs are mixed with weights given by a
softmax over the ``k`` selected logits (Mixtral uses ``k = 2`` of 8 experts). All experts must
sit in memory, but each token runs through only ``k`` of them, so *active* parameters per token
are far fewer than *total* parameters.

>>> experts, weights = route_top_k([2.4, 0.3, 0.5, -0.2], k=2)
>>> experts.tolist(), weights.round(3).tolist()
([0, 2], [0.87, 0.13])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llmhistory._validate import (
    as_float_array,
    as_int_array,
    check_bool,
    check_float,
    check_int,
    check_positive_int,
)
from llmhistory.concepts.decoding import softmax

__all__ = [
    "LoadBalanceStats",
    "RoutingSample",
    "capacity_overflow",
    "expert_load",
    "load_balance_stats",
    "moe_ffn_parameters",
    "route_top_k",
    "route_top_k_rows",
    "simulate_routing",
    "switch_balance_loss",
]


def _check_k(k: object, num_experts: int) -> int:
    k = check_positive_int("k", k)
    if k > num_experts:
        raise ValueError(f"k={k} must be <= num_experts={num_experts}")
    return k


def route_top_k(router_logits: object, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the ``k`` chosen experts per token and their mixing weights.

    Experts are the ``k`` largest logits in descending order (ties: lower index first); the
    weights are a softmax over the selected logits only, which equals the softmax over all
    experts renormalised over the selected ones.

    Parameters
    ----------
    router_logits : array_like, shape (tokens, num_experts) or (num_experts,)
        Router scores; finite.
    k : int
        Experts per token, ``1 <= k <= num_experts``.

    Returns
    -------
    experts : numpy.ndarray of int64, shape (tokens, k) or (k,)
        Indices of the selected experts, highest logit first.
    weights : numpy.ndarray of float64, shape (tokens, k) or (k,)
        Mixing weights; positive, summing to 1 per token, in the same order as ``experts``.

    Raises
    ------
    TypeError
        If ``router_logits`` is not numeric or ``k`` not an integer.
    ValueError
        If ``router_logits`` is empty, not 1-D/2-D, or holds NaN/inf; if ``k`` is out of range.

    Examples
    --------
    >>> experts, weights = route_top_k([[2.4, 0.3, 0.5, -0.2], [0.1, 2.2, 0.7, 0.0]], k=2)
    >>> experts
    array([[0, 2],
           [1, 2]])
    >>> weights.round(3)
    array([[0.87 , 0.13 ],
           [0.818, 0.182]])
    """
    logits = as_float_array("router_logits", router_logits, ndim=(1, 2))
    return route_top_k_rows(logits, _check_k(k, logits.shape[-1]))


def route_top_k_rows(router_logits: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(experts, weights)`` of :func:`route_top_k`, unchecked, in the logits' dtype.

    ``[..., num_experts], k -> ([..., k] int64, [..., k])``

    The kernel of :func:`route_top_k` for a forward pass whose arrays are already checked (the
    tiny model's mixture of experts): no validation, no conversion to float64.

    >>> experts, weights = route_top_k_rows(np.array([[0.0, 2.0, 1.0]], np.float32), 2)
    >>> experts.tolist(), weights.dtype
    ([[1, 2]], dtype('float32'))
    """
    logits = router_logits
    order = np.argsort(-logits, axis=-1, kind="stable")  # [..., num_experts], ties keep index order
    experts = order[..., :k].astype(np.int64)  # [..., k]
    selected = np.take_along_axis(logits, experts, axis=-1)  # [..., k]
    shifted = np.exp(selected - selected[..., :1])  # first is the max: no overflow
    weights = shifted / shifted.sum(axis=-1, keepdims=True)  # [..., k]
    return experts, weights


def expert_load(experts: object, num_experts: int) -> np.ndarray:
    """Return how many token-to-expert assignments each expert received.

    Parameters
    ----------
    experts : array_like of int, shape (tokens, k) or (tokens,)
        Selected expert indices, e.g. from :func:`route_top_k`; each in ``[0, num_experts)``.
    num_experts : int
        Number of experts, ``>= 1``.

    Returns
    -------
    numpy.ndarray of int64, shape (num_experts,)
        ``load[e]`` = number of entries equal to ``e``; sums to ``experts.size``.

    Raises
    ------
    TypeError
        If ``experts`` does not hold integers or ``num_experts`` is not an integer.
    ValueError
        If an index is outside ``[0, num_experts)``.

    Examples
    --------
    >>> expert_load([[0, 2], [1, 2]], num_experts=4)
    array([1, 1, 2, 0])
    """
    num_experts = check_positive_int("num_experts", num_experts)
    experts = as_int_array("experts", experts)
    if experts.size and (experts.min() < 0 or experts.max() >= num_experts):
        bad = experts[(experts < 0) | (experts >= num_experts)]
        raise ValueError(
            f"experts must hold indices in [0, {num_experts}) for num_experts={num_experts}, "
            f"got {bad[:3].tolist()}"
        )
    return np.bincount(experts.ravel(), minlength=num_experts).astype(np.int64)


@dataclass(frozen=True)
class LoadBalanceStats:
    """Summary of how evenly routed work is spread over experts.

    Attributes
    ----------
    fractions : tuple of float
        Share of all assignments per expert; sums to 1. Perfect balance is ``1 / num_experts``.
    max_over_mean : float
        Busiest expert's load divided by the mean load; 1.0 is perfect balance. Under a fixed
        per-expert capacity this is the factor by which the busiest expert overflows.
    min_over_mean : float
        Idlest expert's load divided by the mean load; 0.0 means some expert got nothing.
    coefficient_of_variation : float
        Population standard deviation of the loads over their mean (0 when balanced); Shazeer
        et al. (2017) penalise its square, computed on router importance, during training.
    """

    fractions: tuple[float, ...]
    max_over_mean: float
    min_over_mean: float
    coefficient_of_variation: float


def load_balance_stats(load: object) -> LoadBalanceStats:
    """Return balance statistics for per-expert loads (counts or total router weight).

    Parameters
    ----------
    load : array_like, shape (num_experts,)
        Non-negative work per expert, e.g. from :func:`expert_load`; not all zero.

    Returns
    -------
    LoadBalanceStats

    Raises
    ------
    TypeError
        If ``load`` is not numeric.
    ValueError
        If ``load`` is empty, not 1-D, has a negative or non-finite entry, or sums to 0.

    Examples
    --------
    >>> stats = load_balance_stats([1, 1, 2, 0])
    >>> stats.fractions, stats.max_over_mean, stats.min_over_mean
    ((0.25, 0.25, 0.5, 0.0), 2.0, 0.0)
    >>> round(stats.coefficient_of_variation, 4)
    0.7071
    """
    load = as_float_array("load", load, ndim=1)
    if (load < 0).any():
        raise ValueError(f"load must be non-negative, got min {load.min()}")
    total = load.sum()
    if total <= 0:
        raise ValueError("load must have a positive total, got all zeros")
    mean = total / load.size
    return LoadBalanceStats(
        fractions=tuple(float(f) for f in load / total),
        max_over_mean=float(load.max() / mean),
        min_over_mean=float(load.min() / mean),
        coefficient_of_variation=float(load.std() / mean),
    )


def capacity_overflow(load: object, capacity_factor: float) -> tuple[float, int]:
    """Return ``(capacity, dropped)``: each expert's capacity and the assignments over it.

    Switch-style routing gives every expert room for ``capacity_factor`` times a perfectly
    balanced share of the assignments (Fedus et al. 2022); assignments beyond that are
    dropped (the token skips the layer through the residual connection).

    Parameters
    ----------
    load : array_like, shape (num_experts,)
        Assignments per expert, e.g. :attr:`RoutingSample.load`; non-negative, not all zero.
    capacity_factor : float
        Capacity relative to a balanced share, ``>= 1``.

    Returns
    -------
    capacity : float
        ``capacity_factor * load.sum() / num_experts`` assignments per expert.
    dropped : int
        Total assignments above capacity, summed over experts (whole assignments).

    Raises
    ------
    TypeError, ValueError
        If ``load`` is not a valid load (see :func:`load_balance_stats`) or
        ``capacity_factor < 1``.

    Examples
    --------
    >>> capacity_overflow([6, 2, 0, 0], capacity_factor=1.25)
    (2.5, 3)
    """
    load_balance_stats(load)  # validates: 1-D, non-negative, positive total
    load = as_float_array("load", load, ndim=1)
    capacity_factor = check_float("capacity_factor", capacity_factor, minimum=1.0)
    capacity = capacity_factor * float(load.sum()) / load.size
    return capacity, int(np.maximum(load - capacity, 0.0).sum())


def switch_balance_loss(router_logits: object, experts: object) -> float:
    """Return the Switch Transformer auxiliary balance term ``N * sum_i f_i * P_i``.

    ``f_i`` is the fraction of tokens whose first choice is expert ``i`` and ``P_i`` the mean
    router probability of expert ``i`` over the tokens (Fedus et al. 2022, eq. 4, without
    the loss weight ``alpha``). It is 1.0 for perfectly uniform routing and grows as the
    router concentrates tokens on a few experts.

    Parameters
    ----------
    router_logits : array_like, shape (tokens, num_experts)
        Router logits; finite.
    experts : array_like of int, shape (tokens, k) or (tokens,)
        Selected experts per token, first choice first (as from :func:`route_top_k`).

    Returns
    -------
    float

    Raises
    ------
    TypeError, ValueError
        If the arrays have the wrong rank, contain NaN, or disagree on ``tokens``.

    Examples
    --------
    >>> logits = [[0.0, 0.0], [0.0, 0.0]]
    >>> switch_balance_loss(logits, [[0], [1]])
    1.0
    """
    logits = as_float_array("router_logits", router_logits, ndim=2)
    tokens, num_experts = logits.shape
    experts = as_int_array("experts", experts)
    first = experts if experts.ndim == 1 else experts[:, 0]
    if experts.ndim not in (1, 2) or first.shape[0] != tokens:
        raise ValueError(
            f"experts must have shape (tokens,) or (tokens, k) with tokens={tokens}, "
            f"got {experts.shape}"
        )
    f = expert_load(first, num_experts) / tokens  # share of first choices per expert
    p = softmax(logits).mean(axis=0)  # mean router probability per expert
    return num_experts * float(np.sum(f * p))


@dataclass(frozen=True)
class RoutingSample:
    """A simulated batch of router decisions (see :func:`simulate_routing`).

    Attributes
    ----------
    router_logits : numpy.ndarray, shape (tokens, num_experts)
    experts : numpy.ndarray of int64, shape (tokens, k)
    weights : numpy.ndarray, shape (tokens, k)
    load : numpy.ndarray of int64, shape (num_experts,)
        Assignments per expert; sums to ``tokens * k``.
    """

    router_logits: np.ndarray
    experts: np.ndarray
    weights: np.ndarray
    load: np.ndarray


def simulate_routing(
    tokens: int, num_experts: int, k: int, seed: int = 0, skew: float = 0.0
) -> RoutingSample:
    """Return top-``k`` routing of ``tokens`` random router-logit rows drawn with a fixed seed.

    Logits are standard normal draws plus a per-expert bias that falls linearly from ``skew``
    (expert 0) to 0 (the last expert). With ``skew = 0`` every expert is equally likely and the
    load is balanced up to sampling noise; a positive ``skew`` mimics a router that favours a few
    experts, the imbalance that auxiliary balancing losses are trained against.

    Parameters
    ----------
    tokens : int
        Number of tokens to route, ``>= 1``.
    num_experts : int
        Number of experts, ``>= 1``.
    k : int
        Experts per token, ``1 <= k <= num_experts``.
    seed : int, default 0
        Seed for ``numpy.random.default_rng``, ``>= 0``.
    skew : float, default 0.0
        Logit bonus of expert 0 over the last expert (finite; negative favours the last).

    Returns
    -------
    RoutingSample

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a count is out of range or ``skew`` is not finite.

    Examples
    --------
    >>> sample = simulate_routing(tokens=1000, num_experts=8, k=2, seed=0, skew=2.0)
    >>> int(sample.load.sum()), bool(sample.load[0] > sample.load[-1])
    (2000, True)
    """
    tokens = check_positive_int("tokens", tokens)
    num_experts = check_positive_int("num_experts", num_experts)
    k = _check_k(k, num_experts)
    seed = check_int("seed", seed, minimum=0)
    skew = check_float("skew", skew)
    rng = np.random.default_rng(seed)
    bias = skew * np.linspace(1.0, 0.0, num_experts) if num_experts > 1 else np.zeros(1)
    logits = rng.standard_normal((tokens, num_experts)) + bias  # [tokens, num_experts]
    experts, weights = route_top_k(logits, k)  # [tokens, k] each
    return RoutingSample(
        router_logits=logits,
        experts=experts,
        weights=weights,
        load=expert_load(experts, num_experts),
    )


def moe_ffn_parameters(
    *,
    d_model: int,
    d_ff: int,
    num_experts: int,
    k: int,
    gated: bool = True,
    router: bool = True,
) -> tuple[int, int]:
    """Return ``(total, active)`` parameters of one MoE feed-forward layer (no biases).

    Each expert is a gated SwiGLU MLP with gate, up and down matrices (``3 * d_model * d_ff``)
    or, with ``gated=False``, a plain two-matrix MLP (``2 * d_model * d_ff``). The router is a
    ``d_model x num_experts`` matrix. A token uses ``k`` experts and the router.

    Parameters
    ----------
    d_model : int
        Hidden width, ``>= 1``.
    d_ff : int
        Inner width of one expert, ``>= 1``.
    num_experts : int
        Experts in the layer, ``>= 1``.
    k : int
        Experts per token, ``1 <= k <= num_experts``.
    gated : bool, default True
        Three matrices per expert (SwiGLU) instead of two.
    router : bool, default True
        Count the router matrix.

    Returns
    -------
    total : int
        ``num_experts * per_expert + router``.
    active : int
        ``k * per_expert + router``.

    Raises
    ------
    TypeError
        If a size is not an integer or a flag not a bool.
    ValueError
        If a size is ``< 1`` or ``k > num_experts``.

    Examples
    --------
    >>> total, active = moe_ffn_parameters(d_model=4096, d_ff=14336, num_experts=8, k=2)
    >>> total, active
    (1409318912, 352354304)
    """
    d_model = check_positive_int("d_model", d_model)
    d_ff = check_positive_int("d_ff", d_ff)
    num_experts = check_positive_int("num_experts", num_experts)
    k = _check_k(k, num_experts)
    gated = check_bool("gated", gated)
    router = check_bool("router", router)
    per_expert = (3 if gated else 2) * d_model * d_ff
    router_params = d_model * num_experts if router else 0
    return num_experts * per_expert + router_params, k * per_expert + router_params
