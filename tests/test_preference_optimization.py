"""Tests of llmhistory.concepts.preference_optimization: known values, the closed form checked
numerically, every gradient against finite differences, invariants, bad inputs."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmhistory.concepts.preference_optimization import (
    bradley_terry_pairs,
    dpo_logit_gradient,
    dpo_loss,
    dpo_loss_gradient,
    group_relative_advantages,
    grpo_objective,
    grpo_objective_gradient,
    implicit_reward,
    kl_divergence,
    kl_regularized_objective,
    optimal_policy,
    ppo_clipped_objective,
    train_dpo,
    train_grpo,
    verifiable_reward,
)
from llmhistory.concepts.preferences import bradley_terry_probability, pairwise_loss

REF = np.array([0.2, 0.3, 0.4, 0.1])
REWARDS = np.array([2.0, 0.5, 0.0, -1.0])
logits_st = st.lists(
    st.floats(min_value=-3.0, max_value=3.0, allow_nan=False), min_size=4, max_size=4
).map(np.array)
betas = st.floats(min_value=0.05, max_value=5.0)


def softmax(z):
    e = np.exp(z - np.max(z))
    return e / e.sum()


def numeric_gradient(f, x, h=1e-6):
    """Central finite differences of a scalar function of a vector."""
    grad = np.zeros_like(x)
    for i in range(x.size):
        step = np.zeros_like(x)
        step[i] = h
        grad[i] = (f(x + step) - f(x - step)) / (2 * h)
    return grad


def all_ordered_pairs(rewards):  # written out here, independently of bradley_terry_pairs
    """Every ordered pair (i, j), i != j, weighted by the Bradley-Terry P(i beats j)."""
    n = len(rewards)
    chosen, rejected, weights = [], [], []
    for i in range(n):
        for j in range(n):
            if i != j:
                chosen.append(i)
                rejected.append(j)
                weights.append(bradley_terry_probability(rewards[i], rewards[j]))
    return chosen, rejected, weights


class TestKLDivergence:
    def test_known_values(self):
        assert kl_divergence([0.5, 0.5], [0.5, 0.5]) == 0.0
        assert kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(math.log(2))
        expected = 0.25 * math.log(0.25 / 0.5) + 0.75 * math.log(0.75 / 0.5)
        assert kl_divergence([0.25, 0.75], [0.5, 0.5]) == pytest.approx(expected)

    def test_support_mismatch_is_infinite(self):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf

    def test_batched(self):
        kl = kl_divergence([[0.5, 0.5], [1.0, 0.0]], [[0.5, 0.5], [0.5, 0.5]])
        assert kl.shape == (2,)
        assert kl[1] == pytest.approx(math.log(2))

    @given(a=logits_st, b=logits_st)
    def test_non_negative_and_zero_only_at_equality(self, a, b):
        p, q = softmax(a), softmax(b)
        assert kl_divergence(p, q) >= 0.0
        assert kl_divergence(p, p) == pytest.approx(0.0, abs=1e-12)


class TestOptimalPolicy:
    def test_known_value(self):
        probs = optimal_policy([0.5, 0.5], [1.0, 0.0], beta=1.0)
        assert probs == pytest.approx([math.e / (math.e + 1), 1 / (math.e + 1)])

    def test_limits_of_beta(self):
        assert optimal_policy(REF, REWARDS, beta=1e4) == pytest.approx(REF, abs=1e-3)
        assert optimal_policy(REF, REWARDS, beta=1e-3) == pytest.approx([1, 0, 0, 0], abs=1e-9)

    def test_zero_reference_stays_zero(self):
        probs = optimal_policy([0.0, 0.5, 0.5], [100.0, 0.0, 0.0], beta=0.1)
        assert probs[0] == 0.0
        assert probs.sum() == pytest.approx(1.0)

    def test_maximum_is_beta_log_z(self):
        beta = 0.5
        best = kl_regularized_objective(optimal_policy(REF, REWARDS, beta), REF, REWARDS, beta)
        log_z = math.log(float(np.sum(REF * np.exp(REWARDS / beta))))
        assert best == pytest.approx(beta * log_z, rel=1e-12)

    @settings(max_examples=60)
    @given(z=logits_st, beta=betas)
    def test_no_policy_beats_the_closed_form(self, z, beta):
        """Independent check: the closed form against arbitrary distributions."""
        best = kl_regularized_objective(optimal_policy(REF, REWARDS, beta), REF, REWARDS, beta)
        other = kl_regularized_objective(softmax(z), REF, REWARDS, beta)
        assert other <= best + 1e-12

    def test_gradient_ascent_finds_the_closed_form(self):
        """Maximise the objective over logits numerically; compare with pi_ref exp(r/b)/Z."""
        beta = 0.7

        def objective(z):  # written out here, independently of the module
            p = softmax(z)
            return float(p @ REWARDS - beta * np.sum(p * np.log(p / REF)))

        z = np.zeros(4)
        for _ in range(1500):
            z = z + 2.0 * numeric_gradient(objective, z, h=1e-5)
        assert softmax(z) == pytest.approx(optimal_policy(REF, REWARDS, beta), abs=1e-7)


class TestImplicitReward:
    def test_recovers_the_reward_up_to_a_constant(self):
        beta = 0.3
        pi_star = optimal_policy(REF, REWARDS, beta)
        implied = implicit_reward(np.log(pi_star), np.log(REF), beta)
        shift = implied - REWARDS
        assert shift == pytest.approx(np.full(4, shift[0]), abs=1e-12)
        assert shift[0] == pytest.approx(-beta * math.log(np.sum(REF * np.exp(REWARDS / beta))))

    def test_scalar(self):
        assert implicit_reward(-1.0, -2.0, beta=0.1) == pytest.approx(0.1)
        assert isinstance(implicit_reward(-1.0, -2.0, beta=0.1), float)


class TestDPOLoss:
    def test_at_the_reference_every_pair_costs_log_2(self):
        losses = dpo_loss([-1.0, -9.0], [-4.0, -2.0], [-1.0, -9.0], [-4.0, -2.0], 0.1, "none")
        assert losses == pytest.approx([math.log(2)] * 2)

    def test_is_the_bradley_terry_loss_of_the_implicit_rewards(self):
        beta = 0.25
        pc, pr, rc, rr = -1.0, -5.0, -2.0, -3.5
        expected = pairwise_loss(
            implicit_reward(pc, rc, beta=beta), implicit_reward(pr, rr, beta=beta)
        )
        assert dpo_loss(pc, pr, rc, rr, beta) == pytest.approx(expected)
        assert dpo_loss(pc, pr, rc, rr, beta) == pytest.approx(
            math.log1p(math.exp(-beta * ((pc - rc) - (pr - rr))))
        )

    def test_at_the_optimal_policy_equals_the_true_reward_loss(self):
        """DPO on pi* scores each pair exactly as the Bradley-Terry loss on the true rewards."""
        beta = 0.5
        logp = np.log(optimal_policy(REF, REWARDS, beta))
        chosen, rejected = np.array([0, 1, 2]), np.array([3, 0, 1])
        got = dpo_loss(
            logp[chosen], logp[rejected], np.log(REF[chosen]), np.log(REF[rejected]), beta, "none"
        )
        want = pairwise_loss(REWARDS[chosen], REWARDS[rejected], reduction="none")
        assert got == pytest.approx(want, rel=1e-12)

    @settings(max_examples=60)
    @given(
        values=st.lists(
            st.floats(min_value=-20, max_value=0, allow_nan=False), min_size=4, max_size=4
        ),
        beta=betas,
    )
    def test_gradient_matches_finite_differences(self, values, beta):
        pc, pr, rc, rr = values
        grad_c, grad_r = dpo_loss_gradient(pc, pr, rc, rr, beta)
        h = 1e-6
        fd_c = (dpo_loss(pc + h, pr, rc, rr, beta) - dpo_loss(pc - h, pr, rc, rr, beta)) / (2 * h)
        fd_r = (dpo_loss(pc, pr + h, rc, rr, beta) - dpo_loss(pc, pr - h, rc, rr, beta)) / (2 * h)
        assert float(grad_c) == pytest.approx(fd_c, abs=1e-7)
        assert float(grad_r) == pytest.approx(fd_r, abs=1e-7)

    def test_gradient_weight_is_largest_for_reversed_pairs(self):
        grad_c, _ = dpo_loss_gradient([0.0, 0.0], [-5.0, 5.0], [0.0, 0.0], [0.0, 0.0], beta=1.0)
        assert abs(grad_c[1]) > abs(grad_c[0])


class TestDPOLogitGradient:
    @settings(max_examples=60)
    @given(z=logits_st, beta=betas)
    def test_matches_finite_differences(self, z, beta):
        chosen, rejected, weights = [0, 0, 1, 2], [1, 2, 3, 3], [1.0, 2.0, 0.5, 1.0]
        ref = np.log(REF)
        _, grad = dpo_logit_gradient(z, ref, chosen, rejected, beta, weights=weights)

        def loss(x):
            return dpo_logit_gradient(x, ref, chosen, rejected, beta, weights=weights)[0]

        assert grad == pytest.approx(numeric_gradient(loss, z), abs=1e-7)

    def test_gradient_sums_to_zero(self):
        """Adding a constant to every logit leaves the policy, hence the loss, unchanged."""
        _, grad = dpo_logit_gradient([0.3, -1.0, 2.0, 0.0], np.log(REF), [0, 1], [2, 3], 0.2)
        assert grad.sum() == pytest.approx(0.0, abs=1e-15)


class TestTrainDPO:
    def test_starts_at_log_2_and_descends(self):
        run = train_dpo(np.log(REF), [0, 0, 1, 2], [1, 2, 3, 3], beta=0.5, steps=50)
        assert run.losses[0] == pytest.approx(math.log(2))
        assert run.kl[0] == pytest.approx(0.0, abs=1e-12)
        assert run.margins[0] == pytest.approx(0.0, abs=1e-12)
        assert np.all(np.diff(run.losses) < 0)
        assert run.final[0] > REF[0]
        assert run.probabilities.shape == (51, 4)

    def test_soft_labels_converge_to_the_closed_form(self):
        """The equivalence DPO rests on: Bradley-Terry labels from r lead to pi_ref exp(r/b)/Z."""
        beta = 0.5
        chosen, rejected, weights = all_ordered_pairs(REWARDS)
        run = train_dpo(
            np.log(REF), chosen, rejected, beta, weights=weights, steps=400, learning_rate=8.0
        )
        assert run.final == pytest.approx(optimal_policy(REF, REWARDS, beta), abs=1e-9)

    def test_zero_steps(self):
        run = train_dpo(np.log(REF), [0], [1], beta=1.0, steps=0)
        assert run.losses.shape == (1,)
        assert run.final == pytest.approx(REF)


class TestBradleyTerryPairs:
    def test_matches_an_explicit_double_loop(self):
        chosen, rejected, weights = bradley_terry_pairs(REWARDS)
        c, r, w = all_ordered_pairs(REWARDS)
        assert chosen.tolist() == c and rejected.tolist() == r
        assert weights == pytest.approx(w)

    def test_each_unordered_pair_sums_to_one(self):
        chosen, rejected, weights = bradley_terry_pairs(REWARDS)
        total = {}
        for i, j, w in zip(chosen, rejected, weights, strict=True):
            total[frozenset((i, j))] = total.get(frozenset((i, j)), 0.0) + w
        assert len(total) == 6
        assert all(v == pytest.approx(1.0) for v in total.values())


class TestPPOClip:
    def test_known_values(self):
        assert ppo_clipped_objective([0.5, 1.0, 1.5], 1.0) == pytest.approx([0.5, 1.0, 1.2])
        assert ppo_clipped_objective([0.5, 1.0, 1.5], -1.0) == pytest.approx([-0.8, -1.0, -1.5])
        assert ppo_clipped_objective(1.5, 2.0, epsilon=0.1) == pytest.approx(2.2)

    @given(
        rho=st.floats(min_value=0.0, max_value=5.0),
        adv=st.floats(min_value=-5.0, max_value=5.0),
        eps=st.floats(min_value=0.01, max_value=0.99),
    )
    def test_pessimistic_bound(self, rho, adv, eps):
        value = ppo_clipped_objective(rho, adv, epsilon=eps)
        assert value <= rho * adv + 1e-12
        if 1 - eps <= rho <= 1 + eps:
            assert value == pytest.approx(rho * adv)


class TestGroupRelativeAdvantages:
    def test_known_values(self):
        assert group_relative_advantages([1.0, 0.0, 0.0, 1.0]) == pytest.approx([1, -1, -1, 1])
        one_right = group_relative_advantages([1.0, 0.0, 0.0, 0.0])
        assert one_right == pytest.approx(
            [math.sqrt(3), -1 / math.sqrt(3)] + [-1 / math.sqrt(3)] * 2
        )

    def test_constant_group_has_no_signal(self):
        adv = group_relative_advantages([[1.0, 1.0], [0.0, 1.0]])
        assert np.array_equal(adv, [[0.0, 0.0], [-1.0, 1.0]])

    @given(
        st.lists(st.floats(min_value=-10, max_value=10, allow_nan=False), min_size=2, max_size=16)
    )
    def test_zero_mean_unit_std_and_shift_scale_invariant(self, rewards):
        adv = group_relative_advantages(rewards)
        assert adv.mean() == pytest.approx(0.0, abs=1e-9)
        if np.ptp(rewards) > 1e-6:
            assert adv.std() == pytest.approx(1.0, rel=1e-9)
            moved = group_relative_advantages(3.0 * np.array(rewards) + 7.0)
            assert moved == pytest.approx(adv, abs=1e-9)


class TestVerifiableReward:
    @pytest.mark.parametrize(
        ("answer", "expected", "reward"),
        [
            ("18 days.", 18, 1.0),
            ("You have 18 days left of the 30-day window... so 18", 18, 1.0),
            ("30-day window, 18", 18, 1.0),
            ("18 or maybe 19", 18, 0.0),
            ("eighteen", 18, 0.0),
            ("", 18, 0.0),
            ("Order A10234", 10234, 1.0),
        ],
    )
    def test_cases(self, answer, expected, reward):
        assert verifiable_reward(answer, expected) == reward


class TestGRPO:
    @settings(max_examples=60)
    @given(
        z=logits_st,
        old=logits_st,
        beta=st.floats(min_value=0.0, max_value=1.0),
        eps=st.floats(min_value=0.05, max_value=0.5),
    )
    def test_gradient_matches_finite_differences(self, z, old, beta, eps):
        ref = np.log(REF)
        old_logp = np.log(softmax(old))
        samples, adv = [0, 1, 1, 3, 2], [1.2, -0.4, -0.4, 0.5, -0.9]
        grad = grpo_objective_gradient(z, old_logp, ref, samples, adv, beta, eps)

        def objective(x):
            return grpo_objective(x, old_logp, ref, samples, adv, beta, eps)

        rho = softmax(z)[samples] / np.exp(old_logp[samples])
        kink = np.minimum(np.abs(rho - 1 - eps), np.abs(rho - 1 + eps)).min()
        if kink > 1e-4:  # the clipped objective has kinks at rho = 1 +- eps
            assert grad == pytest.approx(numeric_gradient(objective, z, h=1e-7), abs=1e-6)

    def test_clip_removes_the_gradient_beyond_the_band(self):
        ref = np.log(REF)
        old = np.log(REF)
        z = np.log(REF) + np.array([1.0, 0.0, 0.0, 0.0])  # rho of answer 0 is far above 1.2
        grad = grpo_objective_gradient(z, old, ref, [0], [1.0], beta=0.0)
        assert grad == pytest.approx(np.zeros(4))

    def test_kl_estimate_is_zero_at_the_reference(self):
        ref = np.log(REF)
        assert grpo_objective(ref, ref, ref, [0, 1], [0.0, 0.0], beta=1.0) == pytest.approx(0.0)

    def test_run_is_deterministic_and_learns_the_verified_answer(self):
        rewards = [1.0, 0.0, 0.0, 0.0]
        first = train_grpo(np.log(REF), rewards, steps=30, seed=3)
        again = train_grpo(np.log(REF), rewards, steps=30, seed=3)
        assert np.array_equal(first.probabilities, again.probabilities)
        assert first.mean_reward[0] == pytest.approx(REF[0])
        assert first.mean_reward[-1] > 0.8
        assert first.group_rewards.shape == (30, 8)
        assert first.kl[0] == pytest.approx(0.0, abs=1e-12)


BAD_CALLS = [
    (lambda: kl_divergence([0.5, 0.6], [0.5, 0.5]), ValueError, "policy"),
    (lambda: kl_divergence([0.5, 0.5], [0.5, 0.5, 0.0]), ValueError, "same shape"),
    (lambda: kl_divergence(0.5, 0.5), ValueError, "policy"),
    (lambda: kl_divergence("a", [1.0]), TypeError, "policy"),
    (lambda: optimal_policy(REF, REWARDS, beta=0.0), ValueError, "beta"),
    (lambda: optimal_policy(REF, [1.0, 2.0], beta=1.0), ValueError, "rewards"),
    (lambda: optimal_policy([-0.1, 1.1], [0.0, 0.0], beta=1.0), ValueError, "reference"),
    (lambda: implicit_reward([1.0], [1.0, 2.0], beta=1.0), ValueError, "same shape"),
    (lambda: dpo_loss(0.0, 0.0, 0.0, 0.0, beta=-1.0), ValueError, "beta"),
    (lambda: dpo_loss(0.0, 0.0, 0.0, 0.0, 1.0, reduction="sum"), ValueError, "reduction"),
    (lambda: dpo_loss(np.nan, 0.0, 0.0, 0.0, 1.0), ValueError, "policy_chosen"),
    (lambda: dpo_loss([0.0, 1.0], 0.0, 0.0, 0.0, 1.0), ValueError, "same shape"),
    (
        lambda: dpo_logit_gradient([0.0, 0.0], np.log([0.5, 0.5]), [0], [0], 1.0),
        ValueError,
        "differ",
    ),
    (
        lambda: dpo_logit_gradient([0.0, 0.0], np.log([0.5, 0.5]), [2], [0], 1.0),
        ValueError,
        "chosen",
    ),
    (
        lambda: dpo_logit_gradient([0.0, 0.0], np.log([0.5, 0.5]), [0.5], [1], 1.0),
        TypeError,
        "chosen",
    ),
    (
        lambda: dpo_logit_gradient([0.0, 0.0], [0.0, 0.0], [0], [1], 1.0),
        ValueError,
        "reference_logprobs",
    ),
    (lambda: dpo_logit_gradient([0.0], [0.0], [0], [0], 1.0), ValueError, "at least 2"),
    (
        lambda: dpo_logit_gradient([0.0, 0.0], np.log([0.5, 0.5]), [0], [1], 1.0, weights=[-1.0]),
        ValueError,
        "weights",
    ),
    (lambda: train_dpo(np.log(REF), [0], [1], 1.0, steps=-1), ValueError, "steps"),
    (lambda: train_dpo(np.log(REF), [0], [1], 1.0, learning_rate=0.0), ValueError, "learning_rate"),
    (lambda: ppo_clipped_objective(-0.5, 1.0), ValueError, "ratio"),
    (lambda: ppo_clipped_objective(1.0, 1.0, epsilon=1.0), ValueError, "epsilon"),
    (lambda: ppo_clipped_objective([1.0, 1.0], [1.0, 1.0, 1.0]), ValueError, "broadcast"),
    (lambda: group_relative_advantages([1.0]), ValueError, "rewards"),
    (lambda: group_relative_advantages([1.0, np.inf]), ValueError, "rewards"),
    (lambda: verifiable_reward(18, 18), TypeError, "answer"),
    (lambda: bradley_terry_pairs([1.0]), ValueError, "rewards"),
    (lambda: verifiable_reward("18", 18.0), TypeError, "expected"),
    (
        lambda: grpo_objective([0.0, 0.0], [0.0], np.log([0.5, 0.5]), [0], [1.0], 0.1),
        ValueError,
        "old_logprobs",
    ),
    (
        lambda: grpo_objective(
            [0.0, 0.0], np.log([0.5, 0.5]), np.log([0.5, 0.5]), [0], [1.0, 2.0], 0.1
        ),
        ValueError,
        "advantages",
    ),
    (
        lambda: grpo_objective(
            [0.0, 0.0], np.log([0.5, 0.5]), np.log([0.5, 0.5]), [0], [1.0], -0.1
        ),
        ValueError,
        "beta",
    ),
    (lambda: train_grpo(np.log(REF), [1.0, 0.0], steps=1), ValueError, "same shape"),
    (lambda: train_grpo(np.log(REF), REWARDS, group_size=1), ValueError, "group_size"),
    (lambda: train_grpo(np.log(REF), REWARDS, seed=-1), ValueError, "seed"),
]


@pytest.mark.parametrize(("call", "error", "name"), BAD_CALLS)
def test_bad_inputs_name_the_argument(call, error, name):
    with pytest.raises(error, match=name):
        call()
