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
    SCALING_METHODS,
    alibi_bias,
    alibi_slopes,
    alibi_span,
    apply_rope,
    frequency_tables,
    interpolated_frequencies,
    llama3_frequencies,
    ntk_base,
    ntk_frequencies,
    relative_score,
    rope_angles,
    rope_frequencies,
    rope_tables,
    rotate_2d,
    rotate_half,
    scaled_frequencies,
    scores_by_gap,
    yarn_attention_scale,
    yarn_frequencies,
    yarn_ramp,
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


# -- context extension ------------------------------------------------------------------------


def meta_apply_scaling(
    freqs, scale_factor=8, low_freq_factor=1, high_freq_factor=4, old_context_len=8192
):
    """Meta's llama3 ``apply_scaling`` (llama-models, reference_impl/model.py), transcribed
    to plain Python floats: the loop version published with Llama 3.1."""
    low_freq_wavelen = old_context_len / low_freq_factor
    high_freq_wavelen = old_context_len / high_freq_factor
    new_freqs = []
    for freq in freqs:
        wavelen = 2 * math.pi / freq
        if wavelen < high_freq_wavelen:
            new_freqs.append(freq)
        elif wavelen > low_freq_wavelen:
            new_freqs.append(freq / scale_factor)
        else:
            smooth = (old_context_len / wavelen - low_freq_factor) / (
                high_freq_factor - low_freq_factor
            )
            new_freqs.append((1 - smooth) * freq / scale_factor + smooth * freq)
    return new_freqs


def paper_yarn(dim, base, scale, length, alpha=1.0, beta=32.0):
    """YaRN's h(theta_d) written from the paper's definitions, one pair at a time."""
    out = []
    for d in range(dim // 2):
        theta = base ** (-2 * d / dim)
        r = length / (2 * math.pi * base ** (2 * d / dim))
        gamma = 0.0 if r < alpha else 1.0 if r > beta else (r - alpha) / (beta - alpha)
        out.append((1 - gamma) * theta / scale + gamma * theta)
    return out


factors = st.floats(1.0, 64.0)


class TestFrequencyTables:
    @given(even_dims, bases, st.lists(positions, min_size=1, max_size=8))
    def test_equals_rope_tables_bit_for_bit(self, head_dim, base, pos):
        expected = rope_tables(pos, head_dim, base)
        got = frequency_tables(pos, rope_frequencies(head_dim, base))
        for a, b in zip(got, expected, strict=True):
            np.testing.assert_array_equal(a, b)

    @pytest.mark.parametrize(
        "kwargs, error, name",
        [
            (dict(frequencies=[]), ValueError, "frequencies"),
            (dict(frequencies=[1.0, 0.0]), ValueError, "frequencies"),
            (dict(frequencies=[[1.0]]), ValueError, "frequencies"),
            (dict(frequencies=["a"]), TypeError, "frequencies"),
            (dict(positions=[-1]), ValueError, "positions"),
        ],
    )
    def test_bad_inputs(self, kwargs, error, name):
        args = dict(positions=[0, 1], frequencies=[1.0])
        args.update(kwargs)
        with pytest.raises(error, match=name):
            frequency_tables(**args)


class TestPositionInterpolation:
    @given(even_dims, bases, st.integers(1, 16), st.integers(0, 500))
    def test_position_m_reads_as_m_over_factor(self, head_dim, base, factor, k):
        # Position m = factor * k under PI rotates exactly like plain RoPE at position k.
        cos, sin = frequency_tables(
            [factor * k], interpolated_frequencies(head_dim, base, float(factor))
        )
        ref_cos, ref_sin = rope_tables([k], head_dim, base)
        np.testing.assert_allclose(cos, ref_cos, atol=1e-12)
        np.testing.assert_allclose(sin, ref_sin, atol=1e-12)

    def test_known_value(self):
        np.testing.assert_allclose(
            interpolated_frequencies(8, factor=10.0), [0.1, 0.01, 1e-3, 1e-4]
        )

    @given(even_dims, bases)
    def test_factor_one_is_rope(self, head_dim, base):
        np.testing.assert_array_equal(
            interpolated_frequencies(head_dim, base, 1.0), rope_frequencies(head_dim, base)
        )


class TestNTK:
    def test_formula(self):
        assert ntk_base(10000.0, 4.0, 64) == pytest.approx(10000.0 * 4.0 ** (64 / 62))
        assert ntk_base(10000.0, 1.0, 24) == 10000.0

    @given(st.sampled_from([4, 8, 24, 64, 128]), bases, factors)
    def test_fastest_kept_slowest_interpolated(self, head_dim, base, factor):
        new = ntk_frequencies(head_dim, base, factor)
        old = rope_frequencies(head_dim, base)
        assert new[0] == 1.0
        assert new[-1] == pytest.approx(old[-1] / factor, rel=1e-9)
        ratio = new / old
        assert np.all(np.diff(ratio) <= 1e-12)  # slower pairs are interpolated more
        assert np.all((ratio <= 1 + 1e-12) & (ratio >= 1 / factor - 1e-12))

    def test_head_dim_two_refused(self):
        with pytest.raises(ValueError, match="head_dim"):
            ntk_base(10000.0, 2.0, 2)


class TestYaRN:
    def test_ramp(self):
        np.testing.assert_allclose(
            yarn_ramp([0.0, 1.0, 2.0, 32.0, 40.0], 1.0, 3.0), [0, 0, 0.5, 1, 1]
        )

    @given(st.sampled_from([8, 24, 64, 128]), bases, factors, st.sampled_from([64, 384, 4096]))
    def test_matches_paper_definition(self, head_dim, base, factor, length):
        np.testing.assert_allclose(
            yarn_frequencies(head_dim, base, factor, length),
            paper_yarn(head_dim, base, factor, length),
            rtol=1e-12,
        )

    @given(st.sampled_from([8, 24, 128]), bases, factors, st.sampled_from([64, 384, 4096]))
    def test_between_pi_and_rope(self, head_dim, base, factor, length):
        ratio = yarn_frequencies(head_dim, base, factor, length) / rope_frequencies(head_dim, base)
        assert np.all((ratio <= 1 + 1e-12) & (ratio >= 1 / factor - 1e-12))
        assert np.all(np.diff(ratio) <= 1e-12)

    def test_fast_pairs_kept_slow_pairs_interpolated(self):
        # tiny model: head_dim 24, base 10000, 384 trained positions, extended 4x
        new, old = yarn_frequencies(24, 10000.0, 4.0, 384), rope_frequencies(24, 10000.0)
        assert new[0] == old[0]  # 61 turns in 384 tokens > 32: kept
        assert new[-1] == pytest.approx(old[-1] / 4)  # far below one turn: PI

    def test_attention_scale(self):
        assert yarn_attention_scale(1.0) == 1.0
        assert yarn_attention_scale(math.e**2) == pytest.approx(1.2)
        with pytest.raises(ValueError, match="factor"):
            yarn_attention_scale(0.5)

    @pytest.mark.parametrize(
        "kwargs, error, name",
        [
            (dict(ratio=[-1.0]), ValueError, "ratio"),
            (dict(ratio=["x"]), TypeError, "ratio"),
            (dict(alpha=-1.0), ValueError, "alpha"),
            (dict(alpha=4.0, beta=4.0), ValueError, "beta"),
        ],
    )
    def test_ramp_bad_inputs(self, kwargs, error, name):
        args = dict(ratio=[1.0], alpha=1.0, beta=32.0)
        args.update(kwargs)
        with pytest.raises(error, match=name):
            yarn_ramp(**args)


class TestLlama3:
    def test_matches_meta_reference_code(self):
        old = rope_frequencies(128, base=500000.0)
        np.testing.assert_allclose(
            llama3_frequencies(128), meta_apply_scaling(old.tolist()), rtol=1e-15
        )

    @given(st.sampled_from([8, 24, 64, 128]), bases, factors, st.sampled_from([64, 384, 8192]))
    def test_matches_meta_reference_code_any_config(self, head_dim, base, factor, context):
        old = rope_frequencies(head_dim, base).tolist()
        np.testing.assert_allclose(
            llama3_frequencies(head_dim, base, factor, context),
            meta_apply_scaling(old, factor, 1, 4, context),
            rtol=1e-14,
        )

    @given(st.sampled_from([8, 24, 64, 128]), bases, factors, st.sampled_from([64, 384, 8192]))
    def test_is_yarn_ramp_with_llama_edges(self, head_dim, base, factor, context):
        theta = rope_frequencies(head_dim, base)
        gamma = yarn_ramp(context * theta / (2 * np.pi), 1.0, 4.0)
        np.testing.assert_allclose(
            llama3_frequencies(head_dim, base, factor, context),
            (1 - gamma) * theta / factor + gamma * theta,
            rtol=1e-12,
        )

    def test_published_llama31_bands(self):
        new, old = llama3_frequencies(128), rope_frequencies(128, base=500000.0)
        wavelength = 2 * np.pi / old
        assert np.array_equal(new == old, wavelength < 2048)  # fast pairs untouched
        assert np.array_equal(new == old / 8, wavelength > 8192)
        assert int(((wavelength >= 2048) & (wavelength <= 8192)).sum()) == 6

    def test_bad_band(self):
        with pytest.raises(ValueError, match="high_freq_factor"):
            llama3_frequencies(128, low_freq_factor=4.0, high_freq_factor=1.0)
        with pytest.raises(ValueError, match="low_freq_factor"):
            llama3_frequencies(128, low_freq_factor=0.0)


class TestScaledFrequencies:
    @pytest.mark.parametrize("method", SCALING_METHODS)
    def test_factor_one_is_rope_for_every_method(self, method):
        np.testing.assert_allclose(
            scaled_frequencies(method, 24, 10000.0, 1.0, 384), rope_frequencies(24), rtol=1e-15
        )

    def test_dispatch(self):
        args = (24, 10000.0, 4.0, 384)
        np.testing.assert_array_equal(
            scaled_frequencies("pi", *args), interpolated_frequencies(*args[:3])
        )
        np.testing.assert_array_equal(scaled_frequencies("ntk", *args), ntk_frequencies(*args[:3]))
        np.testing.assert_array_equal(scaled_frequencies("yarn", *args), yarn_frequencies(*args))
        np.testing.assert_array_equal(
            scaled_frequencies("llama3", *args), llama3_frequencies(*args)
        )

    @pytest.mark.parametrize(
        "kwargs, error, name",
        [
            (dict(method="linear"), ValueError, "method"),
            (dict(method=3), TypeError, "method"),
            (dict(factor=0.5), ValueError, "factor"),
            (dict(method="none", factor=0.5), ValueError, "factor"),
            (dict(original_context=0), ValueError, "original_context"),
        ],
    )
    def test_bad_inputs(self, kwargs, error, name):
        args = dict(method="yarn", head_dim=24, base=10000.0, factor=2.0, original_context=384)
        args.update(kwargs)
        with pytest.raises(error, match=name):
            scaled_frequencies(**args)


# -- ALiBi --------------------------------------------------------------------------------------


def reference_slopes(n):
    """The ALiBi authors' get_slopes, transcribed."""

    def power_of_2(n):
        start = 2 ** (-(2 ** -(math.log2(n) - 3)))
        return [start * start**i for i in range(n)]

    if math.log2(n).is_integer():
        return power_of_2(n)
    closest = 2 ** math.floor(math.log2(n))
    return power_of_2(closest) + reference_slopes(2 * closest)[0::2][: n - closest]


class TestALiBi:
    def test_paper_slopes_for_eight_heads(self):
        np.testing.assert_allclose(alibi_slopes(8), [2.0**-k for k in range(1, 9)])

    @pytest.mark.parametrize("heads", [1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 32, 40, 64, 96])
    def test_matches_reference_code(self, heads):
        np.testing.assert_allclose(alibi_slopes(heads), reference_slopes(heads), rtol=1e-15)

    def test_bias_values_and_mask(self):
        bias = alibi_bias(2, 4)  # slopes 1/16, 1/256
        assert bias.shape == (2, 4, 4)
        assert bias[0, 3, 0] == -3 / 16
        assert bias[1, 2, 1] == -1 / 256
        assert np.all(np.diag(bias[0]) == 0)
        assert np.all(np.isneginf(bias[:, 0, 1:]))

    @given(st.integers(1, 9), st.integers(2, 40), st.integers(0, 30))
    def test_depends_only_on_gap(self, heads, tokens, shift):
        bias = alibi_bias(heads, tokens + shift)
        i, j = tokens - 1, 0
        np.testing.assert_array_equal(bias[:, i, j], bias[:, i + shift, j + shift])

    def test_span(self):
        # 1 - exp(-n/4) >= 0.9 from n = ceil(4 ln 10) = 10 (the tail beyond 1024 is negligible)
        assert alibi_span(0.25, 1024) == math.ceil(4 * math.log(10))
        assert alibi_span(0.25, 1) == 1
        assert alibi_span(1e-9, 100) == 90  # almost flat: 90% of the keys for 90% of the weight
        assert alibi_span(0.5, 50, mass=1.0) == 50

    @given(st.floats(1e-4, 2.0), st.integers(1, 2000), st.floats(0.05, 0.99))
    def test_span_holds_the_mass(self, slope, tokens, mass):
        n = alibi_span(slope, tokens, mass)
        weights = np.exp(-slope * np.arange(tokens))
        assert 1 <= n <= tokens
        assert weights[:n].sum() / weights.sum() >= mass * (1 - 1e-9)
        assert n == 1 or weights[: n - 1].sum() / weights.sum() < mass

    @pytest.mark.parametrize(
        "func, kwargs, error, name",
        [
            (alibi_slopes, dict(heads=0), ValueError, "heads"),
            (alibi_slopes, dict(heads=2.0), TypeError, "heads"),
            (alibi_bias, dict(heads=2, tokens=0), ValueError, "tokens"),
            (alibi_span, dict(slope=0.0, tokens=4), ValueError, "slope"),
            (alibi_span, dict(slope=0.1, tokens=4, mass=0.0), ValueError, "mass"),
            (alibi_span, dict(slope=0.1, tokens=4, mass=1.5), ValueError, "mass"),
        ],
    )
    def test_bad_inputs(self, func, kwargs, error, name):
        with pytest.raises(error, match=name):
            func(**kwargs)
