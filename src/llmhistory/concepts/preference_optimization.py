"""Preference optimization: the KL-regularised RLHF objective, DPO, PPO's clip and GRPO.

Chapter 6 ends with the reward-model loss ``-log sigmoid(r_chosen - r_rejected)``
(:mod:`llmhistory.concepts.preferences`). This module holds what comes after it:

* the KL-regularised objective ``E_pi[r] - beta * KL(pi || pi_ref)`` that RLHF maximises
  (InstructGPT, Ouyang et al. 2022) and its closed-form maximiser
  ``pi*(y) = pi_ref(y) exp(r(y) / beta) / Z`` (Rafailov et al. 2023, eq. 4);
* DPO's loss ``-log sigmoid(beta [log pi/pi_ref (chosen) - log pi/pi_ref (rejected)])``
  (Rafailov et al. 2023, eq. 7), which is the Bradley-Terry loss applied to the *implicit
  reward* ``beta log pi/pi_ref``, with its exact gradient;
* PPO's clipped surrogate ``min(rho A, clip(rho, 1 - eps, 1 + eps) A)`` (Schulman et al.
  2017, eq. 7);
* GRPO's group-relative advantages ``(r_i - mean r) / std r`` and its per-sample KL estimate
  ``pi_ref/pi - log(pi_ref/pi) - 1`` (Shao et al. 2024).

Everything acts on small *tabular* policies: one prompt, ``answers`` candidate answers, and a
vector of logits, one per answer. For such a softmax policy ``d log pi_k / d logits = e_k - pi``,
so every gradient here is exact and short; the tests compare each with finite differences.
Lengths are counted in answers, log-probabilities in nats.

>>> probs = optimal_policy([0.5, 0.5], [1.0, 0.0], beta=1.0)
>>> probs.round(4)
array([0.7311, 0.2689])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llmhistory._validate import (
    as_float_array,
    check_choice,
    check_float,
    check_int,
    check_positive_float,
)
from llmhistory.concepts.decoding import log_softmax, softmax
from llmhistory.concepts.preferences import bradley_terry_probability, pairwise_loss

__all__ = [
    "DPORun",
    "bradley_terry_pairs",
    "GRPORun",
    "dpo_logit_gradient",
    "dpo_loss",
    "dpo_loss_gradient",
    "grpo_objective",
    "grpo_objective_gradient",
    "group_relative_advantages",
    "implicit_reward",
    "kl_divergence",
    "kl_regularized_objective",
    "optimal_policy",
    "ppo_clipped_objective",
    "train_dpo",
    "train_grpo",
    "verifiable_reward",
]

PROBABILITY_TOLERANCE = 1e-9
"""How far from 1 a probability vector's sum may be before it is refused."""


def _probabilities(name: str, value: object) -> np.ndarray:
    """Validate a probability array (last axis sums to 1, entries in [0, 1])."""
    probs = as_float_array(name, value)
    if probs.ndim == 0:
        raise ValueError(f"{name} must have at least one axis (the answers), got a scalar")
    if (probs < 0).any() or (probs > 1).any():
        raise ValueError(f"{name} must hold probabilities in [0, 1]")
    if not np.allclose(probs.sum(axis=-1), 1.0, rtol=0.0, atol=PROBABILITY_TOLERANCE):
        raise ValueError(f"{name} must sum to 1 along its last axis")
    return probs


def _same_shape(names: tuple[str, ...], arrays: tuple[np.ndarray, ...]) -> None:
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        listed = ", ".join(f"{n} {a.shape}" for n, a in zip(names, arrays, strict=True))
        raise ValueError(f"{' and '.join(names)} must have the same shape, got {listed}")


def kl_divergence(policy: object, reference: object) -> float | np.ndarray:
    """Return ``KL(policy || reference) = sum_y policy(y) log(policy(y) / reference(y))`` in nats.

    Terms with ``policy(y) = 0`` contribute 0; a ``policy(y) > 0`` where ``reference(y) = 0``
    makes the divergence infinite.

    Parameters
    ----------
    policy, reference : array, shape (..., answers)
        Probability distributions over the same answers (last axis sums to 1).

    Returns
    -------
    float or ndarray, shape (...)
        Non-negative divergences; a float for 1-D inputs.

    Raises
    ------
    TypeError
        If an argument is not numeric.
    ValueError
        If an argument is not a distribution or the shapes differ.

    Examples
    --------
    >>> kl_divergence([0.5, 0.5], [0.5, 0.5])
    0.0
    >>> round(kl_divergence([1.0, 0.0], [0.5, 0.5]), 6)  # log 2
    0.693147
    """
    p = _probabilities("policy", policy)
    q = _probabilities("reference", reference)
    _same_shape(("policy", "reference"), (p, q))
    with np.errstate(divide="ignore"):
        terms = np.where(p > 0, p * (np.log(np.where(p > 0, p, 1.0)) - np.log(q)), 0.0)
    kl = np.maximum(terms.sum(axis=-1), 0.0)
    return float(kl) if kl.ndim == 0 else kl


def _rewards_like(rewards: object, distribution: np.ndarray, name: str) -> np.ndarray:
    """Return ``rewards`` as floats broadcast to ``distribution``'s shape (``name`` in errors)."""
    r = as_float_array("rewards", rewards)
    try:
        return np.broadcast_to(r, distribution.shape)
    except ValueError:
        raise ValueError(
            f"rewards with shape {r.shape} must broadcast to {name}'s shape {distribution.shape}"
        ) from None


def optimal_policy(reference: object, rewards: object, beta: float) -> np.ndarray:
    """Return ``pi*(y) = pi_ref(y) exp(r(y) / beta) / Z``, the maximiser of the RLHF objective.

    This is the closed form that DPO starts from (Rafailov et al. 2023, eq. 4): among all
    distributions over the answers, it maximises ``E_pi[r] - beta KL(pi || pi_ref)``.
    Computed as ``softmax(log pi_ref + r / beta)``, stable for any finite reward.

    Parameters
    ----------
    reference : array, shape (..., answers)
        The reference policy ``pi_ref`` (e.g. the SFT model), a distribution.
    rewards : array, broadcastable to ``reference``
        Reward of each answer (reward-model units).
    beta : float
        KL coefficient, > 0. Small beta follows the reward, large beta stays at the reference.

    Returns
    -------
    ndarray, shape of ``reference``
        A distribution; zero wherever ``reference`` is zero.

    Raises
    ------
    TypeError
        If an argument is not numeric.
    ValueError
        If ``reference`` is not a distribution, the rewards are not finite or do not
        broadcast, or ``beta <= 0``.

    Examples
    --------
    >>> optimal_policy([0.25, 0.75], [0.0, 0.0], beta=0.5)  # equal rewards: stay put
    array([0.25, 0.75])
    >>> optimal_policy([0.5, 0.5], [2.0, 0.0], beta=1e-3).round(6)  # tiny beta: the best answer
    array([1., 0.])
    """
    ref = _probabilities("reference", reference)
    r = _rewards_like(rewards, ref, "reference")
    beta = check_positive_float("beta", beta)
    with np.errstate(divide="ignore"):
        logits = np.log(ref) + r / beta
    return softmax(logits, axis=-1)


def kl_regularized_objective(
    policy: object, reference: object, rewards: object, beta: float
) -> float | np.ndarray:
    """Return the RLHF objective ``E_policy[r] - beta * KL(policy || reference)``.

    Its maximum over ``policy`` is ``beta * log Z`` with ``Z = sum_y pi_ref(y) exp(r(y)/beta)``,
    reached at :func:`optimal_policy`.

    Parameters
    ----------
    policy, reference : array, shape (..., answers)
        Distributions over the same answers.
    rewards : array, broadcastable to ``policy``
        Reward of each answer.
    beta : float
        KL coefficient, > 0.

    Returns
    -------
    float or ndarray, shape (...)
        The objective in reward units; a float for 1-D inputs.

    Raises
    ------
    TypeError
        If an argument is not numeric.
    ValueError
        If a distribution is invalid, shapes disagree, or ``beta <= 0``.

    Examples
    --------
    >>> kl_regularized_objective([0.5, 0.5], [0.5, 0.5], [1.0, 0.0], beta=1.0)
    0.5
    """
    p = _probabilities("policy", policy)
    r = _rewards_like(rewards, p, "policy")
    beta = check_positive_float("beta", beta)
    value = (p * r).sum(axis=-1) - beta * np.asarray(kl_divergence(p, reference))
    return float(value) if np.ndim(value) == 0 else value


def implicit_reward(policy_logps: object, reference_logps: object, beta: float) -> object:
    """Return DPO's implicit reward ``beta * (log pi(y) - log pi_ref(y))``.

    Rearranging :func:`optimal_policy` gives ``r(y) = beta log(pi*(y)/pi_ref(y)) + beta log Z``:
    any policy defines a reward up to the constant ``beta log Z``, which cancels in a
    Bradley-Terry comparison.

    Parameters
    ----------
    policy_logps, reference_logps : float or array, same shape
        Log-probabilities (nats) of the same answers under the policy and the reference.
    beta : float
        KL coefficient, > 0.

    Returns
    -------
    float or ndarray
        Rewards in reward units (a float for scalar inputs).

    Raises
    ------
    TypeError
        If an argument is not numeric.
    ValueError
        If the shapes differ, a value is NaN or infinite, or ``beta <= 0``.

    Examples
    --------
    >>> round(implicit_reward(-1.0, -2.0, beta=0.1), 6)
    0.1
    """
    policy = as_float_array("policy_logps", policy_logps)
    reference = as_float_array("reference_logps", reference_logps)
    beta = check_positive_float("beta", beta)
    _same_shape(("policy_logps", "reference_logps"), (policy, reference))
    value = beta * (policy - reference)
    return float(value) if value.ndim == 0 else value


DPO_REDUCTIONS = ("mean", "none")
"""The values ``reduction`` may take in :func:`dpo_loss`."""


def _dpo_margins(
    policy_chosen: object,
    policy_rejected: object,
    reference_chosen: object,
    reference_rejected: object,
    beta: float,
) -> tuple[np.ndarray, float]:
    names = ("policy_chosen", "policy_rejected", "reference_chosen", "reference_rejected")
    arrays = tuple(
        as_float_array(n, v)
        for n, v in zip(
            names,
            (policy_chosen, policy_rejected, reference_chosen, reference_rejected),
            strict=True,
        )
    )
    _same_shape(names, arrays)
    beta = check_positive_float("beta", beta)
    pc, pr, rc, rr = arrays
    return beta * ((pc - rc) - (pr - rr)), beta


def dpo_loss(
    policy_chosen: object,
    policy_rejected: object,
    reference_chosen: object,
    reference_rejected: object,
    beta: float,
    reduction: str = "mean",
) -> float | np.ndarray:
    """Return the DPO loss ``-log sigmoid(beta [(lp_c - lr_c) - (lp_r - lr_r)])`` in nats.

    ``lp`` are the policy's log-probabilities of the chosen (``c``) and rejected (``r``)
    answers, ``lr`` the reference's (Rafailov et al. 2023, eq. 7). It is exactly
    :func:`llmhistory.concepts.preferences.pairwise_loss` applied to the implicit rewards
    ``beta (lp - lr)``; at the reference (``lp = lr``) every pair costs ``log 2``.

    Parameters
    ----------
    policy_chosen, policy_rejected, reference_chosen, reference_rejected : float or array
        Log-probabilities (nats) of each pair's answers; all four the same shape.
    beta : float
        KL coefficient, > 0.
    reduction : {"mean", "none"}, default "mean"
        Average over pairs (a float) or return one loss per pair.

    Returns
    -------
    float or ndarray

    Raises
    ------
    TypeError
        If an argument is not numeric.
    ValueError
        If the shapes differ, a value is not finite, ``beta <= 0`` or ``reduction`` is unknown.

    Examples
    --------
    >>> round(dpo_loss(-3.0, -3.0, -3.0, -3.0, beta=0.1), 6)  # at the reference: log 2
    0.693147
    >>> round(dpo_loss(-1.0, -5.0, -3.0, -3.0, beta=0.5), 4)  # margin 0.5 * 4 = 2
    0.1269
    """
    reduction = check_choice("reduction", reduction, DPO_REDUCTIONS)
    margins, _ = _dpo_margins(
        policy_chosen, policy_rejected, reference_chosen, reference_rejected, beta
    )
    return pairwise_loss(margins, 0.0, reduction=reduction)


def dpo_loss_gradient(
    policy_chosen: object,
    policy_rejected: object,
    reference_chosen: object,
    reference_rejected: object,
    beta: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the gradient of each pair's DPO loss with respect to the policy's log-probabilities.

    With the margin ``m = beta [(lp_c - lr_c) - (lp_r - lr_r)]``,
    ``d loss / d lp_c = -beta sigmoid(-m)`` and ``d loss / d lp_r = +beta sigmoid(-m)``: the
    weight ``sigmoid(-m)`` is large for pairs the implicit reward ranks the wrong way round
    (Rafailov et al. 2023, section 4).

    Parameters
    ----------
    policy_chosen, policy_rejected, reference_chosen, reference_rejected : float or array
        Log-probabilities (nats); all four the same shape.
    beta : float
        KL coefficient, > 0.

    Returns
    -------
    (ndarray, ndarray)
        Gradients with respect to ``policy_chosen`` and ``policy_rejected``, each the input
        shape (0-d arrays for scalar inputs).

    Raises
    ------
    TypeError, ValueError
        As :func:`dpo_loss`.

    Examples
    --------
    >>> grad_c, grad_r = dpo_loss_gradient(-3.0, -3.0, -3.0, -3.0, beta=0.1)
    >>> float(grad_c), float(grad_r)
    (-0.05, 0.05)
    """
    margins, beta = _dpo_margins(
        policy_chosen, policy_rejected, reference_chosen, reference_rejected, beta
    )
    weight = np.exp(-np.logaddexp(0.0, margins))  # sigmoid(-m), stable for any m
    return -beta * weight, beta * weight


def _answer_index(name: str, value: object, answers: int) -> np.ndarray:
    array = np.asarray(value)
    if array.ndim != 1 or array.size == 0 or not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"{name} must be a non-empty 1-D sequence of integer answer indices")
    if (array < 0).any() or (array >= answers).any():
        raise ValueError(f"{name} must hold answer indices in [0, {answers - 1}]")
    return array.astype(np.int64)


def _tabular_inputs(
    logits: object, reference_logprobs: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    z = as_float_array("logits", logits, ndim=1)
    ref = as_float_array("reference_logprobs", reference_logprobs, ndim=1)
    _same_shape(("logits", "reference_logprobs"), (z, ref))
    if z.size < 2:
        raise ValueError(f"logits must hold at least 2 answers, got {z.size}")
    if not np.isclose(np.exp(ref).sum(), 1.0, rtol=0.0, atol=1e-6):
        raise ValueError("reference_logprobs must be log-probabilities (exp sums to 1)")
    return z, ref, log_softmax(z)


def dpo_logit_gradient(
    logits: object,
    reference_logprobs: object,
    chosen: object,
    rejected: object,
    beta: float,
    weights: object = None,
) -> tuple[float, np.ndarray]:
    """Return the weighted mean DPO loss of a tabular policy and its gradient over the logits.

    The policy is ``softmax(logits)`` over ``answers`` candidate answers to one prompt. Pair
    ``k`` prefers answer ``chosen[k]`` to answer ``rejected[k]``. Because
    ``d (log pi_c - log pi_r) / d logits = e_c - e_r`` (the softmax normaliser cancels), the
    gradient is ``sum_k w_k (d loss_k / d lp_c) (e_c - e_r) / sum_k w_k``.

    Parameters
    ----------
    logits : array, shape (answers,)
        The policy's logits, answers >= 2.
    reference_logprobs : array, shape (answers,)
        ``log pi_ref`` of each answer (exp sums to 1).
    chosen, rejected : sequence of int, shape (pairs,)
        Answer indices of each pair's chosen and rejected answer.
    beta : float
        KL coefficient, > 0.
    weights : array, shape (pairs,), optional
        Non-negative weight of each pair (e.g. a label's probability); default all 1.

    Returns
    -------
    (float, ndarray of shape (answers,))
        The loss in nats and its gradient.

    Raises
    ------
    TypeError
        If an argument has the wrong type (indices must be integers).
    ValueError
        If shapes disagree, an index is out of range, a pair compares an answer with itself,
        a weight is negative or all are zero, or ``beta <= 0``.

    Examples
    --------
    >>> loss, grad = dpo_logit_gradient([0.0, 0.0], np.log([0.5, 0.5]), [0], [1], beta=1.0)
    >>> round(loss, 6), grad.round(3)
    (0.693147, array([-0.5,  0.5]))
    """
    z, ref, logp = _tabular_inputs(logits, reference_logprobs)
    c = _answer_index("chosen", chosen, z.size)
    r = _answer_index("rejected", rejected, z.size)
    if c.shape != r.shape:
        raise ValueError(
            f"chosen and rejected must have the same length, got {c.size} and {r.size}"
        )
    if (c == r).any():
        raise ValueError("chosen and rejected must differ in every pair")
    if weights is None:
        w = np.ones(c.size)
    else:
        w = as_float_array("weights", weights, ndim=1)
        if w.shape != c.shape:
            raise ValueError(f"weights must hold one value per pair ({c.size}), got {w.size}")
        if (w < 0).any() or w.sum() <= 0:
            raise ValueError("weights must be >= 0 and not all zero")
    w = w / w.sum()
    losses = dpo_loss(logp[c], logp[r], ref[c], ref[r], beta, reduction="none")
    grad_c, _ = dpo_loss_gradient(logp[c], logp[r], ref[c], ref[r], beta)
    grad = np.zeros_like(z)
    np.add.at(grad, c, w * grad_c)
    np.add.at(grad, r, -w * grad_c)
    return float(np.dot(w, np.atleast_1d(losses))), grad


def bradley_terry_pairs(rewards: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return every ordered pair of answers weighted by the Bradley-Terry label probability.

    For ``answers`` answers with rewards ``r`` this is the expected labelling of all
    comparisons: pair ``(i, j)``, "``i`` chosen over ``j``", carries the weight
    ``sigmoid(r_i - r_j)``, the probability that a Bradley-Terry labeller picks ``i``.
    Fed to :func:`train_dpo` as ``weights``, these soft labels make DPO's optimum finite:
    it is :func:`optimal_policy` of the same rewards.

    Parameters
    ----------
    rewards : array, shape (answers,)
        Reward of each answer, answers >= 2.

    Returns
    -------
    (ndarray, ndarray, ndarray)
        ``chosen`` and ``rejected`` indices and ``weights``, each of shape
        ``(answers * (answers - 1),)``, in row-major order of ``(i, j)``.

    Raises
    ------
    TypeError
        If ``rewards`` is not numeric.
    ValueError
        If ``rewards`` is not 1-D with at least 2 finite values.

    Examples
    --------
    >>> chosen, rejected, weights = bradley_terry_pairs([1.0, 0.0])
    >>> chosen.tolist(), rejected.tolist(), weights.round(4).tolist()
    ([0, 1], [1, 0], [0.7311, 0.2689])
    """
    r = as_float_array("rewards", rewards, ndim=1)
    if r.size < 2:
        raise ValueError(f"rewards must hold at least 2 answers, got {r.size}")
    i, j = np.nonzero(~np.eye(r.size, dtype=bool))
    return i, j, bradley_terry_probability(r[i], r[j])


@dataclass(frozen=True)
class DPORun:
    """A DPO run on a tabular policy: per step (``steps + 1`` values, step 0 first).

    Attributes
    ----------
    losses : ndarray, shape (steps + 1,)
        Weighted mean DPO loss (nats).
    margins : ndarray, shape (steps + 1,)
        Weighted mean implicit-reward margin ``beta [(lp_c - lr_c) - (lp_r - lr_r)]``.
    kl : ndarray, shape (steps + 1,)
        ``KL(policy || reference)`` in nats.
    probabilities : ndarray, shape (steps + 1, answers)
        The policy after each step.
    """

    losses: np.ndarray
    margins: np.ndarray
    kl: np.ndarray
    probabilities: np.ndarray

    @property
    def final(self) -> np.ndarray:
        """Return the policy after the last step, shape (answers,)."""
        return self.probabilities[-1]


def train_dpo(
    reference_logprobs: object,
    chosen: object,
    rejected: object,
    beta: float,
    *,
    learning_rate: float = 1.0,
    steps: int = 200,
    weights: object = None,
) -> DPORun:
    """Return a :class:`DPORun`: full-batch gradient descent on the DPO loss from the reference.

    The policy starts at the reference (``logits = reference_logprobs``, loss ``log 2``) and
    takes ``steps`` plain gradient steps on :func:`dpo_logit_gradient`. Deterministic: no
    sampling, no randomness.

    Parameters
    ----------
    reference_logprobs : array, shape (answers,)
        ``log pi_ref`` (exp sums to 1).
    chosen, rejected : sequence of int, shape (pairs,)
        Answer indices of each pair.
    beta : float
        KL coefficient, > 0.
    learning_rate : float, default 1.0
        Step size, > 0.
    steps : int, default 200
        Number of steps, >= 0.
    weights : array, shape (pairs,), optional
        Weight of each pair, as in :func:`dpo_logit_gradient`.

    Returns
    -------
    DPORun

    Raises
    ------
    TypeError, ValueError
        As :func:`dpo_logit_gradient`, or for a bad ``learning_rate`` or ``steps``.

    Examples
    --------
    >>> run = train_dpo(np.log([0.5, 0.5]), [0], [1], beta=1.0, steps=50)
    >>> bool(run.losses[-1] < run.losses[0]), bool(run.final[0] > 0.5)
    (True, True)
    """
    learning_rate = check_positive_float("learning_rate", learning_rate)
    steps = check_int("steps", steps, minimum=0)
    z, ref, _ = _tabular_inputs(reference_logprobs, reference_logprobs)
    c = _answer_index("chosen", chosen, z.size)
    r = _answer_index("rejected", rejected, z.size)
    w = np.ones(c.size) if weights is None else as_float_array("weights", weights, ndim=1)
    losses, margins, kls, probs = [], [], [], []
    logits = z.copy()
    for step in range(steps + 1):
        loss, grad = dpo_logit_gradient(logits, ref, c, r, beta, weights=w)
        logp = log_softmax(logits)
        pair_margins = beta * ((logp[c] - ref[c]) - (logp[r] - ref[r]))
        losses.append(loss)
        margins.append(float(np.dot(w / w.sum(), pair_margins)))
        p = np.exp(logp)
        kls.append(kl_divergence(p / p.sum(), np.exp(ref) / np.exp(ref).sum()))
        probs.append(p)
        if step < steps:
            logits = logits - learning_rate * grad
    return DPORun(np.array(losses), np.array(margins), np.array(kls), np.array(probs))


def _check_epsilon(epsilon: object) -> float:
    value = check_float("epsilon", epsilon)
    if not 0.0 < value < 1.0:
        raise ValueError(f"epsilon must lie in (0, 1), got {value}")
    return value


def ppo_clipped_objective(ratio: object, advantage: object, epsilon: float = 0.2) -> object:
    """Return PPO's clipped surrogate ``min(rho A, clip(rho, 1 - eps, 1 + eps) A)`` elementwise.

    ``rho = pi_new(y) / pi_old(y)`` is the probability ratio of a sampled answer and ``A`` its
    advantage (Schulman et al. 2017, eq. 7). The minimum removes any gain from moving ``rho``
    beyond ``1 + eps`` when ``A > 0`` or below ``1 - eps`` when ``A < 0``; moves that make
    things worse are never clipped.

    Parameters
    ----------
    ratio : float or array
        Probability ratios, >= 0.
    advantage : float or array, broadcastable with ``ratio``
        Advantages (reward units).
    epsilon : float, default 0.2
        Clip range, in (0, 1).

    Returns
    -------
    float or ndarray
        The surrogate per sample (a float for scalar inputs).

    Raises
    ------
    TypeError
        If an argument is not numeric.
    ValueError
        If a ratio is negative, values are not finite, shapes do not broadcast, or
        ``epsilon`` is outside (0, 1).

    Examples
    --------
    >>> ppo_clipped_objective([0.5, 1.0, 1.5], 1.0)  # A > 0: no gain beyond 1.2
    array([0.5, 1. , 1.2])
    >>> ppo_clipped_objective([0.5, 1.0, 1.5], -1.0)  # A < 0: no gain below 0.8
    array([-0.8, -1. , -1.5])
    """
    rho = as_float_array("ratio", ratio)
    adv = as_float_array("advantage", advantage)
    epsilon = _check_epsilon(epsilon)
    if (rho < 0).any():
        raise ValueError("ratio must be >= 0 (a ratio of probabilities)")
    try:
        rho, adv = np.broadcast_arrays(rho, adv)
    except ValueError:
        raise ValueError(
            f"ratio with shape {rho.shape} and advantage with shape {adv.shape} must broadcast"
        ) from None
    value = np.minimum(rho * adv, np.clip(rho, 1.0 - epsilon, 1.0 + epsilon) * adv)
    return float(value) if value.ndim == 0 else value


def group_relative_advantages(rewards: object) -> np.ndarray:
    """Return GRPO's advantages ``(r_i - mean r) / std r`` within each group (last axis).

    Each row holds the rewards of ``G`` answers sampled for one prompt (Shao et al. 2024,
    outcome supervision). The group mean replaces PPO's learned value baseline. ``std`` is the
    population standard deviation (``ddof=0``); a group whose rewards are all equal carries
    no signal and gets advantages 0.

    Parameters
    ----------
    rewards : array, shape (..., G)
        Rewards of each group's answers, G >= 2.

    Returns
    -------
    ndarray, shape (..., G)
        Advantages with mean 0 and (unless the group is constant) standard deviation 1 per
        group.

    Raises
    ------
    TypeError
        If ``rewards`` is not numeric.
    ValueError
        If a reward is not finite or a group has fewer than 2 answers.

    Examples
    --------
    >>> group_relative_advantages([1.0, 0.0, 0.0, 1.0])
    array([ 1., -1., -1.,  1.])
    >>> group_relative_advantages([1.0, 1.0, 1.0])
    array([0., 0., 0.])
    """
    r = as_float_array("rewards", rewards)
    if r.ndim == 0 or r.shape[-1] < 2:
        raise ValueError(f"rewards must hold groups of at least 2 answers, got shape {r.shape}")
    centred = r - r.mean(axis=-1, keepdims=True)
    std = np.sqrt((centred**2).mean(axis=-1, keepdims=True))
    constant = std <= 1e-12 * np.maximum(1.0, np.abs(r).max(axis=-1, keepdims=True))
    return np.where(constant, 0.0, centred / np.where(constant, 1.0, std))


def verifiable_reward(answer: str, expected: int) -> float:
    """Return 1.0 if the last whole number in ``answer`` equals ``expected``, else 0.0.

    A rule-based reward of the kind DeepSeek-R1 trained with (DeepSeek-AI 2025): a program
    checks the final answer, no reward model is involved. Digits are read greedily, so
    ``"18 days"`` gives 18 and ``"A10234"`` gives 10234; an answer with no number scores 0.

    Parameters
    ----------
    answer : str
        The model's answer.
    expected : int
        The correct number.

    Returns
    -------
    float
        1.0 or 0.0.

    Raises
    ------
    TypeError
        If ``answer`` is not a str or ``expected`` not an int.

    Examples
    --------
    >>> verifiable_reward("18 days are left.", 18), verifiable_reward("about 20", 18)
    (1.0, 0.0)
    """
    if not isinstance(answer, str):
        raise TypeError(f"answer must be a str, got {type(answer).__name__}")
    expected = check_int("expected", expected)
    digits, numbers = "", []
    for ch in answer + " ":
        if ch.isdigit() and ch.isascii():
            digits += ch
        elif digits:
            numbers.append(int(digits))
            digits = ""
    return 1.0 if numbers and numbers[-1] == expected else 0.0


def _grpo_inputs(
    logits: object,
    old_logprobs: object,
    reference_logprobs: object,
    samples: object,
    advantages: object,
    beta: float,
    epsilon: float,
):
    z, ref, logp = _tabular_inputs(logits, reference_logprobs)
    old = as_float_array("old_logprobs", old_logprobs, ndim=1)
    _same_shape(("logits", "old_logprobs"), (z, old))
    o = _answer_index("samples", samples, z.size)
    adv = as_float_array("advantages", advantages, ndim=1)
    if adv.shape != o.shape:
        raise ValueError(f"advantages must hold one value per sample ({o.size}), got {adv.size}")
    beta = check_float("beta", beta, minimum=0.0)
    epsilon = _check_epsilon(epsilon)
    return z, ref, logp, old, o, adv, beta, epsilon


def grpo_objective(
    logits: object,
    old_logprobs: object,
    reference_logprobs: object,
    samples: object,
    advantages: object,
    beta: float,
    epsilon: float = 0.2,
) -> float:
    """Return GRPO's objective for one group of sampled answers (to be maximised).

    ``J = mean_i [ min(rho_i A_i, clip(rho_i, 1 - eps, 1 + eps) A_i) - beta D_i ]`` with
    ``rho_i = pi(o_i) / pi_old(o_i)`` and the per-sample KL estimate
    ``D_i = pi_ref(o_i)/pi(o_i) - log(pi_ref(o_i)/pi(o_i)) - 1 >= 0`` (Shao et al. 2024). Here an
    answer is one action; for a text answer the paper averages the same terms over its tokens.

    Parameters
    ----------
    logits : array, shape (answers,)
        The current policy's logits.
    old_logprobs : array, shape (answers,)
        ``log pi_old``, the policy that drew the samples.
    reference_logprobs : array, shape (answers,)
        ``log pi_ref`` (exp sums to 1).
    samples : sequence of int, shape (G,)
        Sampled answer indices.
    advantages : array, shape (G,)
        Their advantages (e.g. :func:`group_relative_advantages`).
    beta : float
        KL coefficient, >= 0.
    epsilon : float, default 0.2
        Clip range, in (0, 1).

    Returns
    -------
    float

    Raises
    ------
    TypeError, ValueError
        For inputs of the wrong type, shape or range.

    Examples
    --------
    >>> logp = np.log([0.5, 0.5])
    >>> grpo_objective([0.0, 0.0], logp, logp, [0, 1], [1.0, -1.0], beta=0.1)
    0.0
    """
    z, ref, logp, old, o, adv, beta, epsilon = _grpo_inputs(
        logits, old_logprobs, reference_logprobs, samples, advantages, beta, epsilon
    )
    rho = np.exp(logp[o] - old[o])
    surrogate = np.minimum(rho * adv, np.clip(rho, 1 - epsilon, 1 + epsilon) * adv)
    u = np.exp(ref[o] - logp[o])
    return float(np.mean(surrogate - beta * (u - np.log(u) - 1.0)))


def grpo_objective_gradient(
    logits: object,
    old_logprobs: object,
    reference_logprobs: object,
    samples: object,
    advantages: object,
    beta: float,
    epsilon: float = 0.2,
) -> np.ndarray:
    """Return the gradient of :func:`grpo_objective` with respect to the logits, shape (answers,).

    Per sample, with ``g_i = e_{o_i} - pi`` (the gradient of ``log pi(o_i)``): the surrogate
    contributes ``rho_i A_i g_i`` where the unclipped term is the minimum and 0 where the clip
    is active; the KL estimate contributes ``-beta (1 - pi_ref(o_i)/pi(o_i)) g_i``.

    Parameters and errors as :func:`grpo_objective`.

    Examples
    --------
    >>> logp = np.log([0.5, 0.5])
    >>> grpo_objective_gradient([0.0, 0.0], logp, logp, [0, 1], [1.0, -1.0], beta=0.1)
    array([ 0.5, -0.5])
    """
    z, ref, logp, old, o, adv, beta, epsilon = _grpo_inputs(
        logits, old_logprobs, reference_logprobs, samples, advantages, beta, epsilon
    )
    pi = np.exp(logp)
    rho = np.exp(logp[o] - old[o])
    unclipped = rho * adv <= np.clip(rho, 1 - epsilon, 1 + epsilon) * adv
    u = np.exp(ref[o] - logp[o])
    coefficient = np.where(unclipped, rho * adv, 0.0) - beta * (1.0 - u)  # [G]
    grad = -coefficient.sum() * pi
    np.add.at(grad, o, coefficient)
    return grad / o.size


@dataclass(frozen=True)
class GRPORun:
    """A GRPO run on a tabular policy: per step (``steps + 1`` values, step 0 first).

    Attributes
    ----------
    probabilities : ndarray, shape (steps + 1, answers)
        The policy after each step.
    mean_reward : ndarray, shape (steps + 1,)
        Expected reward ``sum_y pi(y) r(y)`` of the policy.
    kl : ndarray, shape (steps + 1,)
        ``KL(policy || reference)`` in nats.
    group_rewards : ndarray, shape (steps, G)
        The rewards of each step's sampled group.
    """

    probabilities: np.ndarray
    mean_reward: np.ndarray
    kl: np.ndarray
    group_rewards: np.ndarray


def train_grpo(
    reference_logprobs: object,
    rewards: object,
    *,
    group_size: int = 8,
    steps: int = 40,
    beta: float = 0.04,
    epsilon: float = 0.2,
    learning_rate: float = 0.5,
    inner_steps: int = 2,
    seed: int = 0,
) -> GRPORun:
    """Return a :class:`GRPORun`: GRPO on a tabular policy that starts at the reference.

    Each step samples a group of ``group_size`` answers from the current policy (NumPy
    generator seeded with ``seed``: the run is deterministic), scores them with ``rewards``,
    turns the scores into :func:`group_relative_advantages`, and takes ``inner_steps`` gradient
    ascent steps on :func:`grpo_objective` with the sampling policy as ``pi_old`` (the clip
    matters from the second inner step on).

    Parameters
    ----------
    reference_logprobs : array, shape (answers,)
        ``log pi_ref`` (exp sums to 1).
    rewards : array, shape (answers,)
        Reward of each answer, e.g. from :func:`verifiable_reward`.
    group_size : int, default 8
        Answers sampled per step, >= 2.
    steps : int, default 40
        Sampling steps, >= 0.
    beta : float, default 0.04
        KL coefficient, >= 0.
    epsilon : float, default 0.2
        Clip range, in (0, 1).
    learning_rate : float, default 0.5
        Step size, > 0.
    inner_steps : int, default 2
        Gradient steps per sampled group, >= 1.
    seed : int, default 0
        Seed of the sampling generator.

    Returns
    -------
    GRPORun

    Raises
    ------
    TypeError, ValueError
        For inputs of the wrong type, shape or range.

    Examples
    --------
    >>> run = train_grpo(np.log([0.25, 0.25, 0.25, 0.25]), [0.0, 1.0, 0.0, 0.0], steps=20)
    >>> bool(run.mean_reward[-1] > run.mean_reward[0])
    True
    """
    z, ref, _ = _tabular_inputs(reference_logprobs, reference_logprobs)
    r = as_float_array("rewards", rewards, ndim=1)
    _same_shape(("reference_logprobs", "rewards"), (ref, r))
    group_size = check_int("group_size", group_size, minimum=2)
    steps = check_int("steps", steps, minimum=0)
    inner_steps = check_int("inner_steps", inner_steps, minimum=1)
    learning_rate = check_positive_float("learning_rate", learning_rate)
    seed = check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    reference = np.exp(ref) / np.exp(ref).sum()
    logits = ref.copy()
    probs, means, kls, groups = [], [], [], []

    def record(lg: np.ndarray) -> None:
        p = softmax(lg)
        probs.append(p)
        means.append(float(p @ r))
        kls.append(kl_divergence(p, reference))

    record(logits)
    for _ in range(steps):
        old = log_softmax(logits)
        samples = rng.choice(z.size, size=group_size, p=np.exp(old) / np.exp(old).sum())
        group = r[samples]
        advantages = group_relative_advantages(group)
        for _ in range(inner_steps):
            logits = logits + learning_rate * grpo_objective_gradient(
                logits, old, ref, samples, advantages, beta, epsilon
            )
        groups.append(group)
        record(logits)
    return GRPORun(
        np.array(probs), np.array(means), np.array(kls), np.array(groups).reshape(steps, group_size)
    )
