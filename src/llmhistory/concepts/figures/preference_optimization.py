"""Figures for preference optimization: a policy moving under DPO or GRPO, and beta's trade-off."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from llmhistory._validate import as_float_array, check_str
from llmhistory.concepts.figures import PALETTE, Figure, new_figure

__all__ = ["plot_beta_tradeoff", "plot_policy_path"]


def plot_policy_path(
    probabilities: object, labels: Sequence[str], kl: object, *, title: str = "Policy"
) -> Figure:
    """Return two panels over training steps: each answer's probability, and KL to the reference.

    Parameters
    ----------
    probabilities : array, shape (steps + 1, answers)
        The policy after each step (rows sum to 1), step 0 first.
    labels : sequence of str, length answers
        A short legend label per answer.
    kl : array, shape (steps + 1,)
        ``KL(policy || reference)`` in nats after each step (>= 0).
    title : str, default "Policy"
        Title of the left panel.

    Returns
    -------
    Figure
        Two axes: probabilities (left) and KL (right).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If shapes disagree, fewer than 2 steps are given, a row is not a distribution or a
        KL value is negative.

    Examples
    --------
    >>> fig = plot_policy_path([[0.5, 0.5], [0.6, 0.4]], ["a", "b"], [0.0, 0.02])
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['Probability', 'KL to reference (nats)']
    """
    probs = as_float_array("probabilities", probabilities, ndim=2)
    kls = as_float_array("kl", kl, ndim=1)
    labels = [check_str(f"labels[{i}]", label) for i, label in enumerate(labels)]
    title = check_str("title", title)
    if probs.shape[0] < 2:
        raise ValueError(f"probabilities must hold at least 2 steps, got {probs.shape[0]}")
    if len(labels) != probs.shape[1]:
        raise ValueError(
            f"labels must name every answer: {len(labels)} labels for {probs.shape[1]} answers"
        )
    if kls.shape != (probs.shape[0],):
        raise ValueError(f"kl must hold one value per step ({probs.shape[0]}), got {kls.size}")
    if (probs < 0).any() or not np.allclose(probs.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError("probabilities must hold one distribution per step")
    if (kls < 0).any():
        raise ValueError("kl must be >= 0")
    steps = np.arange(probs.shape[0])
    fig, (left, right) = new_figure(7.2, 3.2, ncols=2)
    styles = ("-", "--", "-.", ":")
    for k, label in enumerate(labels):
        left.plot(
            steps,
            probs[:, k],
            color=PALETTE[k % len(PALETTE)],
            linestyle=styles[k % len(styles)],
            label=label,
        )
    left.set_ylim(-0.02, 1.02)
    left.set_xlabel("Training step")
    left.set_ylabel("Probability")
    left.set_title(title)
    left.legend(fontsize=7, loc="center right")
    right.plot(steps, kls, color=PALETTE[3])
    right.set_xlabel("Training step")
    right.set_ylabel("KL to reference (nats)")
    right.set_title("Distance from the reference")
    return fig


def plot_beta_tradeoff(
    betas: object,
    kl_closed_form: object,
    reward_closed_form: object,
    kl_trained: object,
    reward_trained: object,
) -> Figure:
    """Return beta's trade-off: expected reward against KL, closed form as a line, DPO as dots.

    Each beta gives one policy; the closed-form line is ``pi_ref exp(r / beta) / Z`` and the
    dots are policies trained with DPO. The points are labelled with their beta.

    Parameters
    ----------
    betas : array, shape (n,)
        KL coefficients, > 0, n >= 2.
    kl_closed_form, reward_closed_form : array, shape (n,)
        KL (nats, >= 0) and expected reward of the closed-form optimal policies.
    kl_trained, reward_trained : array, shape (n,)
        The same for the DPO-trained policies.

    Returns
    -------
    Figure
        One axis: expected reward (y) against KL to the reference (x).

    Raises
    ------
    TypeError
        If an argument is not numeric.
    ValueError
        If lengths differ, fewer than 2 betas are given, a beta is not > 0 or a KL is < 0.

    Examples
    --------
    >>> fig = plot_beta_tradeoff([0.5, 1.0], [0.4, 0.1], [1.5, 1.0], [0.4, 0.1], [1.5, 1.0])
    >>> fig.axes[0].get_xlabel()
    'KL to reference (nats)'
    """
    b = as_float_array("betas", betas, ndim=1)
    arrays = {
        "kl_closed_form": as_float_array("kl_closed_form", kl_closed_form, ndim=1),
        "reward_closed_form": as_float_array("reward_closed_form", reward_closed_form, ndim=1),
        "kl_trained": as_float_array("kl_trained", kl_trained, ndim=1),
        "reward_trained": as_float_array("reward_trained", reward_trained, ndim=1),
    }
    if b.size < 2:
        raise ValueError(f"betas must hold at least 2 values, got {b.size}")
    if (b <= 0).any():
        raise ValueError("betas must be > 0")
    for name, values in arrays.items():
        if values.shape != b.shape:
            raise ValueError(f"{name} must hold one value per beta ({b.size}), got {values.size}")
    for name in ("kl_closed_form", "kl_trained"):
        if (arrays[name] < 0).any():
            raise ValueError(f"{name} must be >= 0")
    fig, ax = new_figure(5.6, 3.4)
    ax.plot(
        arrays["kl_closed_form"],
        arrays["reward_closed_form"],
        color=PALETTE[0],
        marker="s",
        markersize=4,
        label=r"closed form $\pi_{ref}\,e^{r/\beta}/Z$",
    )
    ax.plot(
        arrays["kl_trained"],
        arrays["reward_trained"],
        linestyle="none",
        marker="o",
        markersize=9,
        markerfacecolor="none",
        color=PALETTE[3],
        label="trained with DPO",
    )
    for beta, x, y in zip(b, arrays["kl_closed_form"], arrays["reward_closed_form"], strict=True):
        ax.annotate(f"β={beta:g}", (x, y), textcoords="offset points", xytext=(6, -10), fontsize=7)
    ax.set_xlabel("KL to reference (nats)")
    ax.set_ylabel("Expected reward (reward units)")
    ax.set_title("Smaller β: more reward, further from the reference")
    ax.legend(fontsize=8, loc="lower right")
    return fig
