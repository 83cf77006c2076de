"""Tests of llmhistory.concepts.quantization: round trips, the scale/2 bound, packing, bytes,
bad inputs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from llmhistory.concepts.quantization import (
    QuantizedTensor,
    QuantScheme,
    dequantize,
    int8_matmul,
    pack_int4,
    quantize,
    quantized_bytes,
    scheme_rows,
    unpack_int4,
)

SCHEMES = [
    QuantScheme(bits=bits, symmetric=sym, granularity=g, group_size=4)
    for bits in (4, 8)
    for sym in (True, False)
    for g in ("tensor", "channel", "group")
]
matrices = arrays(
    np.float64,
    st.tuples(st.integers(1, 6), st.sampled_from([4, 8, 12])),
    elements=st.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False),
)


def block_scale(qt: QuantizedTensor) -> np.ndarray:
    """Each value's own scale, by broadcasting the block scales back to the matrix."""
    rows, blocks = qt.scales.shape
    return np.repeat(np.broadcast_to(qt.scales, (qt.shape[0], blocks)), qt.shape[1] // blocks, 1)


class TestQuantScheme:
    def test_labels(self):
        assert QuantScheme().label == "int8 sym channel"
        assert QuantScheme(4, False, "group", 32).label == "int4 asym group-32"

    def test_bad_values(self):
        with pytest.raises(ValueError, match="bits"):
            QuantScheme(bits=3)
        with pytest.raises(ValueError, match="granularity"):
            QuantScheme(granularity="row")
        with pytest.raises(TypeError, match="symmetric"):
            QuantScheme(symmetric="yes")
        with pytest.raises(ValueError, match="group_size"):
            QuantScheme(group_size=0)


class TestQuantize:
    def test_known_int8_levels(self):
        qt = quantize([[0.5, -1.0, 0.25, 0.0]], QuantScheme(bits=8))
        assert qt.values.tolist() == [[64, -127, 32, 0]]
        assert qt.scales.tolist() == [[1.0 / 127]]
        assert qt.zeros is None

    def test_exact_multiples_round_trip_exactly(self):
        w = np.arange(-7, 8, dtype=np.float64).reshape(3, 5) * 0.5  # max |w| = 3.5 = 7 * 0.5
        qt = quantize(w, QuantScheme(bits=4, granularity="tensor"))
        assert np.array_equal(dequantize(qt), w)

    def test_asymmetric_uses_all_levels_and_keeps_zero_exact(self):
        w = np.array([[0.0, 1.0, 2.0, 3.0]])
        qt = quantize(w, QuantScheme(bits=4, symmetric=False))
        assert qt.values.min() == 0 and qt.values.max() == 15
        assert dequantize(qt)[0, 0] == 0.0

    def test_smaller_blocks_never_have_larger_scales(self):
        w = np.random.default_rng(0).standard_normal((8, 64))
        w[0, 0] = 40.0  # one outlier
        tensor = quantize(w, QuantScheme(bits=4, granularity="tensor"))
        channel = quantize(w, QuantScheme(bits=4, granularity="channel"))
        group = quantize(w, QuantScheme(bits=4, granularity="group", group_size=16))
        assert (channel.scales <= tensor.scales[0, 0] + 1e-15).all()
        assert (group.scales <= np.repeat(channel.scales, 4, axis=1) + 1e-15).all()
        errors = [np.abs(dequantize(q) - w).mean() for q in (tensor, channel, group)]
        assert errors[0] > errors[1] > errors[2]

    def test_all_zero_matrix(self):
        for scheme in SCHEMES:
            assert np.array_equal(dequantize(quantize(np.zeros((2, 8)), scheme)), np.zeros((2, 8)))

    @settings(max_examples=60, deadline=None)
    @given(matrices, st.sampled_from(SCHEMES))
    def test_error_is_at_most_half_a_scale(self, w, scheme):
        qt = quantize(w, scheme)
        error = np.abs(dequantize(qt) - w)
        assert (error <= block_scale(qt) / 2 * (1 + 1e-9) + 1e-12).all()

    @settings(max_examples=60, deadline=None)
    @given(matrices, st.sampled_from(SCHEMES))
    def test_levels_stay_in_range_and_requantizing_is_stable(self, w, scheme):
        qt = quantize(w, scheme)
        if scheme.symmetric:
            qmax = 2 ** (scheme.bits - 1) - 1
            assert qt.values.min() >= -qmax and qt.values.max() <= qmax
        else:
            assert qt.values.min() >= 0 and qt.values.max() <= 2**scheme.bits - 1
        again = quantize(dequantize(qt), scheme)
        assert np.allclose(dequantize(again), dequantize(qt), atol=1e-9 * (1 + np.abs(w).max()))

    def test_bad_inputs(self):
        scheme = QuantScheme(bits=8, granularity="group", group_size=4)
        with pytest.raises(ValueError, match="group_size=4 must divide the input width 6"):
            quantize(np.ones((2, 6)), scheme)
        with pytest.raises(ValueError, match="NaN"):
            quantize([[1.0, np.nan]], QuantScheme())
        with pytest.raises(ValueError, match="finite"):
            quantize([[1.0, np.inf]], QuantScheme())
        with pytest.raises(ValueError, match="w"):
            quantize(np.ones(4), QuantScheme())
        with pytest.raises(TypeError, match="scheme"):
            quantize(np.ones((2, 2)), "int8")
        with pytest.raises(ValueError, match="must not be empty"):
            quantize(np.ones((0, 4)), QuantScheme())


class TestBytes:
    def test_int8_channel(self):
        qt = quantize(np.ones((3, 10)), QuantScheme(bits=8))
        assert quantized_bytes(qt) == 30 + 3 * 2

    def test_int4_group_asymmetric(self):
        qt = quantize(np.ones((4, 256)), QuantScheme(4, False, "group", 64))
        assert quantized_bytes(qt) == 512 + 16 * (2 + 1)

    def test_bad_input(self):
        with pytest.raises(TypeError, match="qt"):
            quantized_bytes(np.ones(3))


class TestPacking:
    def test_known_bytes(self):
        assert pack_int4([1, 2, -1]).tolist() == [0x21, 0x0F]
        assert pack_int4([]).tolist() == []

    @given(st.lists(st.integers(-8, 7), max_size=50))
    def test_signed_round_trip(self, levels):
        packed = pack_int4(levels)
        assert packed.size == (len(levels) + 1) // 2
        assert unpack_int4(packed, len(levels)).tolist() == levels

    @given(st.lists(st.integers(0, 15), max_size=50))
    def test_unsigned_round_trip(self, levels):
        assert unpack_int4(pack_int4(levels), len(levels), signed=False).tolist() == levels

    def test_quantized_matrix_round_trips_through_packing(self):
        w = np.random.default_rng(1).standard_normal((6, 32))
        qt = quantize(w, QuantScheme(bits=4, granularity="group", group_size=8))
        packed = pack_int4(qt.values)
        assert packed.nbytes == qt.values.size // 2
        back = unpack_int4(packed, qt.values.size).reshape(qt.shape)
        assert np.array_equal(back, qt.values)

    def test_bad_inputs(self):
        with pytest.raises(ValueError, match="4-bit levels"):
            pack_int4([16])
        with pytest.raises(ValueError, match="4-bit levels"):
            pack_int4([-9])
        with pytest.raises(TypeError, match="values"):
            pack_int4([0.5])
        with pytest.raises(ValueError, match="count=5"):
            unpack_int4([1, 2], 5)
        with pytest.raises(ValueError, match="bytes 0..255"):
            unpack_int4([256], 1)
        with pytest.raises(TypeError, match="signed"):
            unpack_int4([1], 1, signed=1)


class TestInt8Matmul:
    def test_close_to_float_without_outliers(self):
        rng = np.random.default_rng(2)
        x, w = rng.standard_normal((5, 32)), rng.standard_normal((7, 32))
        exact = x @ w.T
        # each product is off by at most half a step of x times |w| plus the converse
        bound = (np.abs(x).max(1, keepdims=True) / 127) * np.abs(w).sum(1) + (
            np.abs(x).sum(1, keepdims=True) * np.abs(w).max(1) / 127
        )
        assert (np.abs(int8_matmul(x, w) - exact) <= bound).all()

    def test_threshold_below_everything_is_float(self):
        rng = np.random.default_rng(3)
        x, w = rng.standard_normal((4, 8)), rng.standard_normal((3, 8))
        assert np.allclose(int8_matmul(x, w, outlier_threshold=1e-9), x @ w.T, atol=1e-12)

    def test_decomposition_rescues_an_outlier_feature(self):
        rng = np.random.default_rng(4)
        x, w = rng.standard_normal((16, 64)), rng.standard_normal((8, 64))
        x[:, 5] *= 60.0  # one feature far larger than the rest
        exact = x @ w.T
        plain = np.abs(int8_matmul(x, w) - exact).mean()
        split = np.abs(int8_matmul(x, w, outlier_threshold=6.0) - exact).mean()
        assert split < plain / 5

    def test_bad_inputs(self):
        with pytest.raises(ValueError, match="x has 3 features but w has 2 inputs"):
            int8_matmul(np.ones((1, 3)), np.ones((2, 2)))
        with pytest.raises(ValueError, match="outlier_threshold"):
            int8_matmul(np.ones((1, 2)), np.ones((2, 2)), outlier_threshold=0.0)
        with pytest.raises(ValueError, match="w must be a 2-D"):
            int8_matmul(np.ones((1, 2)), np.ones(2))


class TestSchemeRows:
    def test_rows_agree_with_the_functions(self):
        w = np.random.default_rng(9).standard_normal((4, 16))
        schemes = {"t": QuantScheme(4, granularity="tensor"), "g": QuantScheme(4, True, "group", 8)}
        rows = scheme_rows(w, schemes)
        for (_, scales, size, mean, biggest), scheme in zip(rows, schemes.values(), strict=True):
            qt = quantize(w, scheme)
            assert (scales, size) == (qt.scales.size, quantized_bytes(qt))
            assert biggest == np.abs(dequantize(qt) - w).max() and mean <= biggest
        assert [r[0] for r in rows] == ["t", "g"] and rows[1][4] < rows[0][4]

    def test_bad_inputs(self):
        with pytest.raises(TypeError, match="schemes"):
            scheme_rows(np.ones((2, 2)), [QuantScheme()])
        with pytest.raises(TypeError, match=r"schemes\['a'\]"):
            scheme_rows(np.ones((2, 2)), {"a": 8})
