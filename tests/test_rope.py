"""Tests of llmhistory.concepts.rope: the chapter's 2-D invariance, HF-style RoPE, invariants, bad
inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from llmhistory.concepts.rope import (
    apply_rope,
    relative_score,
    rope_angles,
    rope_frequencies,
    rotate_2d,
    rotate_half,
    scores_by_gap,
)

QUERY = np.array([1.0, 0.2])
KEY = np.array([0.3, 0.9])

finite = st.floats(-10.0, 10.0, allow_nan=False, allow_infinity=False)
positions = st.integers(0, 2000)
even_dims = st.sampled_from([2, 4, 6, 8, 16, 64])
bases = st.sampled_from([100.0, 10000.0, 500000.0])


def head(dim):
    return hnp.arrays(np.float64, (dim,), elements=finite)


def reference_rope(x, position, base):
    """Independent RoPE: complex multiplication of the pairs (i, i + head_dim/2)."""
    half = x.shape[-1] // 2
    inv_freq = np.array([base ** (-2 * i / x.shape[-1]) for i in range(half)])
    z = (x[:half] + 1j * x[half:]) * np.exp(1j * position * inv_freq)
    return np.concatenate([z.real, z.imag])


class TestRotate2d:
    def test_seed_same_gap_early_and_late(self):
        early = float(rotate_2d(QUERY, 4) @ rotate_2d(KEY, 2))
        late = float(rotate_2d(QUERY, 14) @ rotate_2d(KEY, 12))
        assert round(early, 6) == 0.936998
        assert round(late, 6) == 0.936998
        assert np.isclose(early, late)

    def test_seed_different_gap(self):
        assert round(float(rotate_2d(QUERY, 14) @ rotate_2d(KEY, 2)), 6) == -0.794779

    def test_quarter_turn(self):
        np.testing.assert_allclose(
            rotate_2d([1.0, 0.0], 1, theta=math.pi / 2), [0.0, 1.0], atol=1e-15
        )

    def test_position_zero_is_identity(self):
        np.testing.assert_array_equal(rotate_2d(QUERY, 0), QUERY)

    @given(head(2), positions, st.floats(-3.0, 3.0))
    def test_preserves_norm(self, vector, position, theta):
        rotated = rotate_2d(vector, position, theta)
        assert np.linalg.norm(rotated) == pytest.approx(np.linalg.norm(vector), abs=1e-9)

    @given(head(2), head(2), positions, positions, st.integers(0, 500))
    def test_score_depends_only_on_gap(self, q, k, m, n, shift):
        before = rotate_2d(q, m) @ rotate_2d(k, n)
        after = rotate_2d(q, m + shift) @ rotate_2d(k, n + shift)
        assert after == pytest.approx(before, abs=1e-9)

    @pytest.mark.parametrize(
        "kwargs, error, name",
        [
            (dict(vector=[1.0, 2.0, 3.0]), ValueError, "vector"),
            (dict(vector=[[1.0, 2.0]]), ValueError, "vector"),
            (dict(vector=[np.nan, 1.0]), ValueError, "vector"),
            (dict(vector=["a", "b"]), TypeError, "vector"),
            (dict(position=-1), ValueError, "position"),
            (dict(position=1.5), TypeError, "position"),
            (dict(theta=math.inf), ValueError, "theta"),
            (dict(theta="0.4"), TypeError, "theta"),
        ],
    )
    def test_bad_inputs(self, kwargs, error, name):
        args = dict(vector=QUERY, position=1, theta=0.4)
        args.update(kwargs)
        with pytest.raises(error, match=name):
            rotate_2d(**args)


class TestFrequenciesAndAngles:
    def test_frequencies(self):
        np.testing.assert_allclose(rope_frequencies(8), [1.0, 0.1, 0.01, 0.001])
        np.testing.assert_allclose(rope_frequencies(4, base=16.0), [1.0, 0.25])
        assert rope_frequencies(128).shape == (64,)
        assert rope_frequencies(128)[-1] == pytest.approx(10000.0 ** (-126 / 128))

    def test_first_frequency_is_one_for_any_base(self):
        for base in (2.0, 10000.0, 500000.0):
            assert rope_frequencies(2, base=base).tolist() == [1.0]

    def test_angles(self):
        angles = rope_angles(np.arange(3), head_dim=4, base=100.0)
        np.testing.assert_allclose(angles, [[0.0, 0.0], [1.0, 0.1], [2.0, 0.2]])
        assert rope_angles(np.array([], dtype=np.int64), head_dim=4).shape == (0, 2)

    @pytest.mark.parametrize(
        "func, kwargs, error, name",
        [
            (rope_frequencies, dict(head_dim=7), ValueError, "head_dim"),
            (rope_frequencies, dict(head_dim=0), ValueError, "head_dim"),
            (rope_frequencies, dict(head_dim=8.0), TypeError, "head_dim"),
            (rope_frequencies, dict(head_dim=8, base=0.0), ValueError, "base"),
            (rope_frequencies, dict(head_dim=8, base=math.nan), ValueError, "base"),
            (rope_angles, dict(positions=[0, -1], head_dim=4), ValueError, "positions"),
            (rope_angles, dict(positions=[0.5], head_dim=4), TypeError, "positions"),
            (rope_angles, dict(positions=[[0, 1]], head_dim=4), ValueError, "positions"),
            (rope_angles, dict(positions=[0, 1], head_dim=3), ValueError, "head_dim"),
        ],
    )
    def test_bad_inputs(self, func, kwargs, error, name):
        with pytest.raises(error, match=name):
            func(**kwargs)


class TestRotateHalf:
    def test_value(self):
        np.testing.assert_array_equal(rotate_half([1.0, 2.0, 3.0, 4.0]), [-3.0, -4.0, 1.0, 2.0])

    def test_batched(self):
        x = np.arange(12.0).reshape(3, 4)
        np.testing.assert_array_equal(rotate_half(x)[1], [-6.0, -7.0, 4.0, 5.0])

    def test_twice_negates(self):
        x = np.arange(1.0, 9.0)
        np.testing.assert_array_equal(rotate_half(rotate_half(x)), -x)

    @pytest.mark.parametrize(
        "x, error",
        [([1.0, 2.0, 3.0], ValueError), (1.0, ValueError), ([np.inf, 0.0], ValueError)],
    )
    def test_bad_inputs(self, x, error):
        with pytest.raises(error, match="^x "):
            rotate_half(x)


class TestApplyRope:
    def test_position_zero_is_identity(self):
        x = np.random.default_rng(0).standard_normal((3, 8))
        np.testing.assert_array_equal(apply_rope(x, [0, 0, 0]), x)

    def test_two_dim_head_turns_one_radian_per_position(self):
        # inv_freq[0] = base**0 = 1, so a 2-dim head is rotate_2d with theta=1.0, for any base.
        for base in (10.0, 10000.0):
            for position in (1, 4, 14):
                rotated = apply_rope(QUERY[None, :], [position], base=base)[0]
                np.testing.assert_allclose(rotated, rotate_2d(QUERY, position, theta=1.0))

    def test_hf_pairing_known_value(self):
        # head_dim 4, base 100: pair (0, 2) turns 1 rad, pair (1, 3) turns 0.1 rad at position 1.
        x = np.array([[1.0, 0.0, 0.0, 1.0]])
        out = apply_rope(x, [1], base=100.0)[0]
        np.testing.assert_allclose(
            out, [math.cos(1.0), -math.sin(0.1), math.sin(1.0), math.cos(0.1)]
        )

    def test_broadcasts_over_batch_and_heads(self):
        rng = np.random.default_rng(1)
        x = rng.standard_normal((2, 3, 5, 8))  # batch, heads, tokens, head_dim
        out = apply_rope(x, np.arange(5))
        assert out.shape == x.shape
        np.testing.assert_allclose(out[1, 2], apply_rope(x[1, 2], np.arange(5)))

    def test_cached_step_uses_absolute_position(self):
        # Rotating tokens one at a time at their positions equals rotating the whole prefix.
        x = np.random.default_rng(2).standard_normal((6, 8))
        whole = apply_rope(x, np.arange(6))
        for t in range(6):
            np.testing.assert_allclose(apply_rope(x[t : t + 1], [t])[0], whole[t])

    @settings(max_examples=50)
    @given(even_dims.flatmap(lambda d: head(d)), positions, bases)
    def test_matches_complex_reference(self, x, position, base):
        np.testing.assert_allclose(
            apply_rope(x[None, :], [position], base)[0],
            reference_rope(x, position, base),
            atol=1e-9,
        )

    @given(even_dims.flatmap(lambda d: head(d)), positions, bases)
    def test_preserves_norm(self, x, position, base):
        rotated = apply_rope(x[None, :], [position], base)[0]
        assert np.linalg.norm(rotated) == pytest.approx(np.linalg.norm(x), abs=1e-9)

    def test_accepts_integer_input_and_returns_float(self):
        out = apply_rope(np.array([[1, 0]]), np.array([0], dtype=np.int32))
        assert out.dtype == np.float64

    @pytest.mark.parametrize(
        "kwargs, error, name",
        [
            (dict(x=np.ones(4)), ValueError, "^x "),
            (dict(x=np.ones((2, 3))), ValueError, "head_dim"),
            (dict(x=[[np.nan, 0.0], [0.0, 0.0]]), ValueError, "^x "),
            (dict(positions=[0, 1, 2]), ValueError, "positions"),
            (dict(positions=[0, -1]), ValueError, "positions"),
            (dict(positions=[0.0, 1.0]), TypeError, "positions"),
            (dict(positions=[[0, 1]]), ValueError, "positions"),
            (dict(base=-1.0), ValueError, "base"),
        ],
    )
    def test_bad_inputs(self, kwargs, error, name):
        args = dict(x=np.ones((2, 4)), positions=[0, 1], base=10000.0)
        args.update(kwargs)
        with pytest.raises(error, match=name):
            apply_rope(**args)


class TestRelativeScores:
    def test_two_dim_equals_rotate_2d(self):
        assert relative_score(QUERY, KEY, 14, 2) == pytest.approx(
            float(rotate_2d(QUERY, 14, theta=1.0) @ rotate_2d(KEY, 2, theta=1.0))
        )

    def test_gap_zero_is_plain_dot_product(self):
        q, k = np.array([1.0, 2.0, 3.0, 4.0]), np.array([0.5, -1.0, 2.0, 0.0])
        assert relative_score(q, k, 37, 37) == pytest.approx(float(q @ k))

    @given(
        even_dims.flatmap(lambda d: st.tuples(head(d), head(d))),
        st.integers(0, 500),
        st.integers(0, 500),
        st.integers(0, 500),
        bases,
    )
    def test_depends_only_on_gap(self, qk, m, n, shift, base):
        q, k = qk
        assert relative_score(q, k, m + shift, n + shift, base) == pytest.approx(
            relative_score(q, k, m, n, base), abs=1e-9
        )

    def test_scores_by_gap_same_curve_at_any_offset(self):
        rng = np.random.default_rng(3)
        q, k = rng.standard_normal(16), rng.standard_normal(16)
        gaps = np.arange(0, 64)
        early = scores_by_gap(q, k, gaps)
        late = scores_by_gap(q, k, gaps, offset=1000)
        assert early.shape == (64,)
        np.testing.assert_allclose(early, late, atol=1e-9)
        assert early[5] == pytest.approx(relative_score(q, k, 5, 0))
        assert early[0] == pytest.approx(float(q @ k))

    def test_scores_by_gap_matches_seed_values_in_2d(self):
        # gap 2 and gap 12 at theta=1.0: compare with rotate_2d directly.
        scores = scores_by_gap(QUERY, KEY, [2, 12], offset=2)
        np.testing.assert_allclose(
            scores,
            [
                rotate_2d(QUERY, 4, 1.0) @ rotate_2d(KEY, 2, 1.0),
                rotate_2d(QUERY, 14, 1.0) @ rotate_2d(KEY, 2, 1.0),
            ],
        )

    @pytest.mark.parametrize(
        "func, kwargs, error, name",
        [
            (relative_score, dict(q=[1.0, 2.0], k=[1.0, 2.0, 3.0, 4.0]), ValueError, "q and k"),
            (relative_score, dict(q=[1.0, 2.0, 3.0], k=[1.0, 2.0, 3.0]), ValueError, "^q "),
            (relative_score, dict(k=[[1.0, 2.0]]), ValueError, "^k "),
            (relative_score, dict(q_pos=-1), ValueError, "q_pos"),
            (relative_score, dict(k_pos=2.0), TypeError, "k_pos"),
            (scores_by_gap, dict(gaps=[]), ValueError, "gaps"),
            (scores_by_gap, dict(gaps=[1, -2]), ValueError, "gaps"),
            (scores_by_gap, dict(offset=-1), ValueError, "offset"),
            (scores_by_gap, dict(base=0), ValueError, "base"),
        ],
    )
    def test_bad_inputs(self, func, kwargs, error, name):
        if func is relative_score:
            args = dict(q=QUERY, k=KEY, q_pos=3, k_pos=1)
        else:
            args = dict(q=QUERY, k=KEY, gaps=[0, 1])
        args.update(kwargs)
        with pytest.raises(error, match=name):
            func(**args)
