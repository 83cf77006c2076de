"""Pairwise preferences: chosen/rejected records and the Bradley-Terry reward-model loss.

InstructGPT (Ouyang et al. 2022, arXiv:2203.02155) trains a reward model ``r`` on human
comparisons: the probability that the chosen answer beats the rejected one is the
Bradley-Terry form ``P = sigmoid(r_chosen - r_rejected)`` and the loss is ``-log P``.
This module holds the records and those two formulas; it does not train a reward model.

>>> [keeps_required_fact(pair).chosen_keeps_fact for pair in SUPPORT_PREFERENCE_PAIRS]
[True, True]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llmhistory._validate import as_float_array, check_choice, check_instance, check_str

__all__ = [
    "SUPPORT_PREFERENCE_PAIRS",
    "FactCheck",
    "PreferencePair",
    "bradley_terry_probability",
    "keeps_required_fact",
    "pairwise_loss",
]


@dataclass(frozen=True)
class PreferencePair:
    """One comparison: a prompt, the answer people chose, the one they rejected.

    ``required_fact`` is an optional exact substring (e.g. ``"09:32"``) that a good answer must
    keep; :func:`keeps_required_fact` checks it.

    Blank strings are refused, and so are pairs whose ``chosen`` and ``rejected`` answers are
    the same after stripping whitespace (such a pair carries no preference).

    >>> PreferencePair("Give the scan time.", "09:32 UTC.", "Soon.", required_fact="09:32").chosen
    '09:32 UTC.'
    """

    prompt: str
    chosen: str
    rejected: str
    required_fact: str | None = None

    def __post_init__(self) -> None:
        check_str("prompt", self.prompt)
        check_str("chosen", self.chosen)
        check_str("rejected", self.rejected)
        if self.required_fact is not None:
            check_str("required_fact", self.required_fact)
        if self.chosen.strip() == self.rejected.strip():
            raise ValueError(
                f"chosen and rejected must differ, got the same answer {self.chosen.strip()!r}"
            )


@dataclass(frozen=True)
class FactCheck:
    """Whether each answer of a pair keeps the required fact.

    ``discriminates`` is True when the chosen answer keeps the fact and the rejected one does
    not: the label agrees with the fact check.
    """

    required_fact: str
    chosen_keeps_fact: bool
    rejected_keeps_fact: bool

    @property
    def discriminates(self) -> bool:
        """Return True when only the chosen answer keeps the fact."""
        return self.chosen_keeps_fact and not self.rejected_keeps_fact


def keeps_required_fact(pair: PreferencePair) -> FactCheck:
    """Return a :class:`FactCheck`: does each answer contain ``pair.required_fact`` verbatim?

    The test is an exact, case-sensitive substring match: ``"09:32"`` must appear as written.
    A pair without a required fact has nothing to check, so it is refused rather than passed.

    Parameters
    ----------
    pair : PreferencePair
        A pair whose ``required_fact`` is set.

    Returns
    -------
    FactCheck
        ``chosen_keeps_fact`` and ``rejected_keeps_fact`` booleans.

    Raises
    ------
    TypeError
        If ``pair`` is not a :class:`PreferencePair`.
    ValueError
        If ``pair.required_fact`` is None.

    Examples
    --------
    >>> check = keeps_required_fact(SUPPORT_PREFERENCE_PAIRS[1])
    >>> check.chosen_keeps_fact, check.rejected_keeps_fact, check.discriminates
    (True, False, True)
    """
    pair = check_instance("pair", pair, PreferencePair)
    if pair.required_fact is None:
        raise ValueError("pair.required_fact must be set to check it, got None")
    fact = pair.required_fact
    return FactCheck(
        required_fact=fact,
        chosen_keeps_fact=fact in pair.chosen,
        rejected_keeps_fact=fact in pair.rejected,
    )


def _reward_margin(reward_chosen: object, reward_rejected: object) -> np.ndarray:
    """Validate both rewards and return ``r_chosen - r_rejected`` broadcast."""
    chosen = as_float_array("reward_chosen", reward_chosen)
    rejected = as_float_array("reward_rejected", reward_rejected)
    try:
        chosen, rejected = np.broadcast_arrays(chosen, rejected)
    except ValueError:
        raise ValueError(
            f"reward_chosen with shape {chosen.shape} and reward_rejected with shape "
            f"{rejected.shape} must broadcast"
        ) from None
    return chosen - rejected


def _stable_sigmoid(x: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-x))`` without overflow: only ``exp(-|x|) <= 1`` is ever formed."""
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def bradley_terry_probability(
    reward_chosen: float | np.ndarray, reward_rejected: float | np.ndarray
) -> float | np.ndarray:
    """Return ``P(chosen beats rejected) = sigmoid(r_chosen - r_rejected)`` (Bradley-Terry).

    Computed with a stable sigmoid, so a gap of 1000 gives 1.0 (and -1000 gives 0.0) with no
    overflow warning.

    Parameters
    ----------
    reward_chosen : float or array, any shape
        Reward-model scores of the chosen answers (finite).
    reward_rejected : float or array, broadcastable with ``reward_chosen``
        Scores of the rejected answers (finite).

    Returns
    -------
    float or ndarray
        Probabilities in [0, 1]: a float for scalar inputs, else the broadcast shape.

    Raises
    ------
    TypeError
        If a reward is not numeric.
    ValueError
        If a reward is NaN or infinite, empty, or the shapes do not broadcast.

    Examples
    --------
    >>> bradley_terry_probability(0.0, 0.0)
    0.5
    >>> round(bradley_terry_probability(1.0, 0.0), 6)
    0.731059
    >>> bradley_terry_probability([1000.0, -1000.0], 0.0)
    array([1., 0.])
    """
    p = _stable_sigmoid(_reward_margin(reward_chosen, reward_rejected))
    return float(p) if p.ndim == 0 else p


PAIRWISE_REDUCTIONS = ("mean", "none")
"""The values ``reduction`` may take in :func:`pairwise_loss`."""


def pairwise_loss(
    reward_chosen: float | np.ndarray,
    reward_rejected: float | np.ndarray,
    reduction: str = "mean",
) -> float | np.ndarray:
    """Return the reward-model loss ``-log sigmoid(r_chosen - r_rejected)`` in nats.

    Computed as ``softplus(r_rejected - r_chosen) = log(1 + exp(r_rejected - r_chosen))`` via
    ``numpy.logaddexp``, which stays finite for any finite gap. The loss is ``log 2`` when
    the rewards tie, tends to 0 as the chosen answer's margin grows, and grows about linearly
    when the rejected answer scores higher.

    Parameters
    ----------
    reward_chosen : float or array, any shape
        Scores of the chosen answers (finite).
    reward_rejected : float or array, broadcastable with ``reward_chosen``
        Scores of the rejected answers (finite).
    reduction : {"mean", "none"}, default "mean"
        ``"mean"`` averages over all pairs and returns a float; ``"none"`` returns the
        per-pair losses (a float for scalar inputs).

    Returns
    -------
    float or ndarray
        The mean loss, or the per-pair losses with the broadcast shape.

    Raises
    ------
    TypeError
        If a reward is not numeric.
    ValueError
        If a reward is NaN or infinite, empty, the shapes do not broadcast, or ``reduction``
        is unknown.

    Examples
    --------
    >>> round(pairwise_loss(0.0, 0.0), 6)  # log 2
    0.693147
    >>> pairwise_loss([2.0, 0.0], [0.0, 2.0], reduction="none").round(4)
    array([0.1269, 2.1269])
    >>> round(pairwise_loss([2.0, 0.0], [0.0, 2.0]), 4)
    1.1269
    """
    reduction = check_choice("reduction", reduction, PAIRWISE_REDUCTIONS)
    losses = np.logaddexp(0.0, -_reward_margin(reward_chosen, reward_rejected))
    if reduction == "mean":
        return float(losses.mean())
    return float(losses) if losses.ndim == 0 else losses


SUPPORT_PREFERENCE_PAIRS = (
    PreferencePair(
        prompt="Order A10234 arrived damaged on day 12. Apply the 30-day return policy.",
        chosen="Approve a damaged-item return under the 30-day policy.",
        rejected="All sales are final.",
        required_fact="30-day",
    ),
    PreferencePair(
        prompt="Shipment S52 is delayed. Give the carrier scan time.",
        chosen="The latest carrier scan was 09:32 UTC at the regional hub.",
        rejected="It will arrive today.",
        required_fact="09:32",
    ),
)
"""The source chapter's two support-desk comparisons."""
