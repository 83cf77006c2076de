"""Tests of llmhistory.concepts.preferences: seed pairs, Bradley-Terry values, invariants, bad
inputs."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmhistory.concepts.preferences import (
    SUPPORT_PREFERENCE_PAIRS,
    FactCheck,
    PreferencePair,
    bradley_terry_probability,
    keeps_required_fact,
    pairwise_loss,
)

rewards = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, allow_infinity=False)


class TestSeedPairs:
    def test_texts(self):
        damaged, delayed = SUPPORT_PREFERENCE_PAIRS
        assert damaged.prompt.startswith("Order A10234 arrived damaged on day 12.")
        assert damaged.chosen == "Approve a damaged-item return under the 30-day policy."
        assert damaged.rejected == "All sales are final."
        assert damaged.required_fact == "30-day"
        assert delayed.chosen == "The latest carrier scan was 09:32 UTC at the regional hub."
        assert delayed.rejected == "It will arrive today."
        assert delayed.required_fact == "09:32"

    def test_prompt_prefix_as_printed_in_the_chapter(self):
        prefixes = [pair.prompt[:22] for pair in SUPPORT_PREFERENCE_PAIRS]
        assert prefixes == ["Order A10234 arrived d", "Shipment S52 is delaye"]

    def test_chosen_keeps_fact_and_rejected_does_not(self):
        for pair in SUPPORT_PREFERENCE_PAIRS:
            check = keeps_required_fact(pair)
            assert check == FactCheck(pair.required_fact, True, False)
            assert check.discriminates


class TestFactCheck:
    def test_match_is_exact_and_case_sensitive(self):
        pair = PreferencePair("p", "Use the 30-Day window.", "No.", required_fact="30-day")
        assert keeps_required_fact(pair).chosen_keeps_fact is False

    def test_both_keep_fact_does_not_discriminate(self):
        pair = PreferencePair("p", "Scan at 09:32 UTC.", "09:32, maybe.", required_fact="09:32")
        check = keeps_required_fact(pair)
        assert (check.chosen_keeps_fact, check.rejected_keeps_fact) == (True, True)
        assert not check.discriminates

    def test_mislabelled_pair_is_visible(self):
        pair = PreferencePair("p", "It will arrive today.", "Scan at 09:32.", required_fact="09:32")
        check = keeps_required_fact(pair)
        assert (check.chosen_keeps_fact, check.rejected_keeps_fact) == (False, True)

    def test_records_are_frozen(self):
        with pytest.raises(AttributeError):
            SUPPORT_PREFERENCE_PAIRS[0].chosen = "x"  # type: ignore[misc]


class TestBradleyTerry:
    def test_known_values(self):
        assert bradley_terry_probability(0.0, 0.0) == 0.5
        assert bradley_terry_probability(1.0, 0.0) == pytest.approx(0.7310585786)
        assert bradley_terry_probability(0.0, 1.0) == pytest.approx(0.2689414214)
        assert bradley_terry_probability(3.0, 1.0) == pytest.approx(1 / (1 + math.exp(-2)))

    def test_large_gaps_without_warnings(self):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert bradley_terry_probability(1000.0, 0.0) == 1.0
            low = bradley_terry_probability(-1000.0, 0.0)
        assert 0.0 <= low < 1e-300

    def test_arrays_broadcast(self):
        p = bradley_terry_probability(np.array([[0.0], [1.0]]), np.array([0.0, 1.0, 2.0]))
        assert p.shape == (2, 3)
        assert p[1, 1] == 0.5
        assert isinstance(bradley_terry_probability(1.0, 0.0), float)

    @given(a=rewards, b=rewards)
    def test_symmetry(self, a, b):
        total = bradley_terry_probability(a, b) + bradley_terry_probability(b, a)
        assert total == pytest.approx(1.0, abs=1e-12)

    @given(a=rewards, b=rewards, shift=rewards)
    def test_depends_only_on_the_gap(self, a, b, shift):
        assert bradley_terry_probability(a + shift, b + shift) == pytest.approx(
            bradley_terry_probability(a, b), abs=1e-9
        )

    @given(a=rewards, b=rewards)
    def test_in_unit_interval_and_matches_loss(self, a, b):
        p = bradley_terry_probability(a, b)
        assert 0.0 <= p <= 1.0
        if p > 1e-300:  # below, p is subnormal and -log(p) loses precision; the loss does not
            assert pairwise_loss(a, b) == pytest.approx(-math.log(p), rel=1e-9, abs=1e-12)


class TestPairwiseLoss:
    def test_known_values(self):
        assert pairwise_loss(0.0, 0.0) == pytest.approx(math.log(2))
        assert pairwise_loss(0.0, 0.0) == pytest.approx(0.693147, abs=1e-6)
        assert pairwise_loss(1.0, 0.0) == pytest.approx(-math.log(0.7310585786))

    def test_large_gaps_stay_finite(self):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert pairwise_loss(1000.0, 0.0) == 0.0
            assert pairwise_loss(0.0, 1000.0) == pytest.approx(1000.0)

    def test_reductions(self):
        chosen = np.array([2.0, 0.0, 1.0])
        rejected = np.array([0.0, 2.0, 1.0])
        per_pair = pairwise_loss(chosen, rejected, reduction="none")
        assert per_pair.shape == (3,)
        assert per_pair[2] == pytest.approx(math.log(2))
        assert pairwise_loss(chosen, rejected) == pytest.approx(per_pair.mean())
        assert isinstance(pairwise_loss(1.0, 0.0, reduction="none"), float)

    @given(margin=rewards)
    def test_non_negative(self, margin):
        assert pairwise_loss(margin, 0.0) >= 0.0

    @given(margin=rewards, step=st.floats(min_value=1e-3, max_value=10.0))
    def test_decreasing_in_margin(self, margin, step):
        assert pairwise_loss(margin + step, 0.0) <= pairwise_loss(margin, 0.0)
        if margin < 20:  # beyond this the loss rounds to a constant tiny float
            assert pairwise_loss(margin + step, 0.0) < pairwise_loss(margin, 0.0)


BAD_CALLS = [
    (lambda: PreferencePair("", "a", "b"), ValueError, "prompt"),
    (lambda: PreferencePair("p", "   ", "b"), ValueError, "chosen"),
    (lambda: PreferencePair("p", "a", "\n"), ValueError, "rejected"),
    (lambda: PreferencePair("p", "a", "b", required_fact=" "), ValueError, "required_fact"),
    (lambda: PreferencePair("p", "a", "b", required_fact=3), TypeError, "required_fact"),
    (lambda: PreferencePair(1, "a", "b"), TypeError, "prompt"),
    (lambda: PreferencePair("p", "same", " same "), ValueError, "chosen and rejected"),
    (lambda: keeps_required_fact(PreferencePair("p", "a", "b")), ValueError, "required_fact"),
    (lambda: keeps_required_fact({"chosen": "a"}), TypeError, "pair"),
    (lambda: bradley_terry_probability(np.nan, 0.0), ValueError, "reward_chosen"),
    (lambda: bradley_terry_probability(0.0, np.inf), ValueError, "reward_rejected"),
    (lambda: bradley_terry_probability(0.0, -np.inf), ValueError, "reward_rejected"),
    (lambda: bradley_terry_probability("high", 0.0), TypeError, "reward_chosen"),
    (lambda: bradley_terry_probability([], 0.0), ValueError, "reward_chosen"),
    (lambda: bradley_terry_probability([1.0, 2.0], [1.0, 2.0, 3.0]), ValueError, "broadcast"),
    (lambda: pairwise_loss(0.0, 0.0, reduction="sum"), ValueError, "reduction"),
    (lambda: pairwise_loss([0.0, np.nan], 0.0), ValueError, "reward_chosen"),
]


@pytest.mark.parametrize(("call", "error", "pattern"), BAD_CALLS)
def test_bad_inputs(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()
