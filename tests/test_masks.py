"""Tests of llmhistory.concepts.masks: known rows, invariants, and refused inputs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmhistory.concepts.masks import (
    additive_mask,
    bidirectional_mask,
    causal_mask,
    combine_masks,
    padding_mask,
    visible_positions,
)

SEED_TOKENS = ["<bos>", "refund", "approved", "<eos>"]
sizes = st.integers(min_value=1, max_value=40)


class TestSeedExample:
    def test_causal_row_for_approved(self):
        row = causal_mask(len(SEED_TOKENS))[SEED_TOKENS.index("approved")]
        assert row.astype(int).tolist() == [1, 1, 1, 0]

    def test_bidirectional_row_for_approved(self):
        row = bidirectional_mask(len(SEED_TOKENS))[SEED_TOKENS.index("approved")]
        assert row.astype(int).tolist() == [1, 1, 1, 1]

    def test_future_end_token_hidden(self):
        assert not causal_mask(4)[2, 3]
        assert visible_positions(causal_mask(4), 2) == [0, 1, 2]


class TestCausalMask:
    def test_full_small_mask(self):
        assert causal_mask(3).astype(int).tolist() == [[1, 0, 0], [1, 1, 0], [1, 1, 1]]

    def test_dtype_and_shape(self):
        mask = causal_mask(5)
        assert mask.dtype == bool
        assert mask.shape == (5, 5)

    def test_one_token(self):
        assert causal_mask(1).tolist() == [[True]]

    def test_equals_independent_tril(self):
        assert np.array_equal(causal_mask(7), np.tril(np.ones((7, 7))) == 1)

    @given(sizes)
    def test_never_exposes_a_later_position(self, n):
        mask = causal_mask(n)
        rows, cols = np.indices((n, n))
        assert not mask[cols > rows].any()
        assert mask[cols <= rows].all()

    @given(sizes)
    def test_row_i_sees_i_plus_one_positions(self, n):
        mask = causal_mask(n)
        assert mask.sum(axis=1).tolist() == list(range(1, n + 1))
        for i in range(n):
            assert visible_positions(mask, i) == list(range(i + 1))

    @given(sizes)
    def test_subset_of_bidirectional(self, n):
        assert np.array_equal(combine_masks(causal_mask(n), bidirectional_mask(n)), causal_mask(n))


class TestBidirectionalMask:
    @given(sizes)
    def test_all_true(self, n):
        mask = bidirectional_mask(n)
        assert mask.shape == (n, n)
        assert mask.dtype == bool
        assert mask.all()


class TestPaddingMask:
    def test_from_valid_array(self):
        assert padding_mask([True, True, False]).astype(int).tolist() == [[1, 1, 0]] * 3

    def test_from_int_zero_one_array(self):
        assert np.array_equal(padding_mask(np.array([1, 0, 1])), padding_mask([True, False, True]))

    def test_from_length(self):
        assert np.array_equal(padding_mask(2, n=4), padding_mask([1, 1, 0, 0]))

    def test_from_numpy_integer_length(self):
        assert np.array_equal(padding_mask(np.int64(1), n=2), padding_mask([1, 0]))

    def test_explicit_matching_n(self):
        assert padding_mask([1, 1], n=2).all()

    def test_result_is_writable_copy(self):
        mask = padding_mask([1, 0])
        mask[0, 0] = False
        assert padding_mask([1, 0])[0, 0]

    def test_combined_with_causal(self):
        combined = combine_masks(causal_mask(4), padding_mask(3, n=4))
        assert combined.astype(int).tolist() == [
            [1, 0, 0, 0],
            [1, 1, 0, 0],
            [1, 1, 1, 0],
            [1, 1, 1, 0],
        ]

    @given(st.lists(st.booleans(), min_size=1, max_size=30).filter(any))
    def test_columns_follow_valid(self, valid):
        mask = padding_mask(valid)
        assert mask.shape == (len(valid), len(valid))
        for row in mask:
            assert row.tolist() == valid


class TestCombineMasks:
    def test_single_mask_returned(self):
        assert np.array_equal(combine_masks(causal_mask(3)), causal_mask(3))

    def test_and_of_three(self):
        a = [[1, 1], [1, 1]]
        b = [[1, 0], [1, 1]]
        c = [[1, 1], [0, 1]]
        assert combine_masks(a, b, c).astype(int).tolist() == [[1, 0], [0, 1]]

    @given(sizes, st.integers(min_value=0, max_value=2**32 - 1))
    def test_commutative_and_within_each(self, n, seed):
        rng = np.random.default_rng(seed)
        a = rng.random((n, n)) < 0.5
        b = rng.random((n, n)) < 0.5
        ab = combine_masks(a, b)
        assert np.array_equal(ab, combine_masks(b, a))
        assert not (ab & ~a).any()
        assert not (ab & ~b).any()


class TestVisiblePositions:
    def test_rectangular_mask(self):
        mask = [[1, 0, 1], [0, 0, 1]]
        assert visible_positions(mask, 0) == [0, 2]
        assert visible_positions(mask, 1) == [2]

    def test_returns_python_ints(self):
        assert all(type(j) is int for j in visible_positions(causal_mask(3), 2))


class TestAdditiveMask:
    def test_values(self):
        assert additive_mask(causal_mask(3)).tolist() == [
            [0.0, -np.inf, -np.inf],
            [0.0, 0.0, -np.inf],
            [0.0, 0.0, 0.0],
        ]

    def test_softmax_gives_zero_weight_to_blocked_keys(self):
        scores = np.arange(16.0).reshape(4, 4) + additive_mask(causal_mask(4))
        weights = np.exp(scores - scores.max(axis=1, keepdims=True))
        weights /= weights.sum(axis=1, keepdims=True)
        assert np.all(weights[~causal_mask(4)] == 0.0)
        np.testing.assert_allclose(weights.sum(axis=1), 1.0)

    @given(sizes)
    def test_round_trip(self, n):
        assert np.array_equal(additive_mask(causal_mask(n)) == 0.0, causal_mask(n))


BAD_INPUTS = [
    (causal_mask, (0,), ValueError, r"^n\b"),
    (causal_mask, (-3,), ValueError, r"^n\b"),
    (causal_mask, (2.0,), TypeError, r"^n\b"),
    (causal_mask, (True,), TypeError, r"^n\b"),
    (causal_mask, ("4",), TypeError, r"^n\b"),
    (bidirectional_mask, (0,), ValueError, r"^n\b"),
    (bidirectional_mask, (None,), TypeError, r"^n\b"),
    (padding_mask, ([],), ValueError, "lengths_or_valid"),
    (padding_mask, ([0, 0],), ValueError, "lengths_or_valid"),
    (padding_mask, ([0.5, 1],), ValueError, "lengths_or_valid"),
    (padding_mask, ([[1, 1]],), ValueError, "lengths_or_valid"),
    (padding_mask, (["a", "b"],), TypeError, "lengths_or_valid"),
    (padding_mask, ([1, np.nan],), ValueError, "lengths_or_valid"),
    (padding_mask, (2,), ValueError, r"^n\b"),
    (padding_mask, (0, 3), ValueError, "lengths_or_valid"),
    (padding_mask, (4, 3), ValueError, "lengths_or_valid"),
    (padding_mask, (2, 0), ValueError, r"^n\b"),
    (padding_mask, ([1, 1], 3), ValueError, r"^n\b"),
    (padding_mask, ([1, 1], 2.0), TypeError, r"^n\b"),
    (combine_masks, (), ValueError, "masks"),
    (combine_masks, (causal_mask(2), causal_mask(3)), ValueError, r"masks\[1\]"),
    (combine_masks, ([1, 0],), ValueError, r"masks\[0\]"),
    (combine_masks, (np.zeros((0, 0)),), ValueError, r"masks\[0\]"),
    (combine_masks, ([[2, 0]],), ValueError, r"masks\[0\]"),
    (visible_positions, (causal_mask(3), 3), ValueError, "position"),
    (visible_positions, (causal_mask(3), -1), ValueError, "position"),
    (visible_positions, (causal_mask(3), 1.0), TypeError, "position"),
    (visible_positions, ([1, 1], 0), ValueError, "mask"),
    (visible_positions, ([["x"]], 0), TypeError, "mask"),
    (additive_mask, ([[0.3]],), ValueError, "mask"),
    (additive_mask, (np.ones((2, 2, 2)),), ValueError, "mask"),
]


@pytest.mark.parametrize(("func", "args", "error", "name"), BAD_INPUTS)
def test_bad_inputs_are_refused_with_the_argument_named(func, args, error, name):
    with pytest.raises(error, match=name):
        func(*args)
