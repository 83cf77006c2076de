"""Tests of the shared validators: every public function relies on these messages."""

import numpy as np
import pytest

from llmhistory import _validate as v


class TestCheckInt:
    @pytest.mark.parametrize("value", [0, 1, 7, np.int64(3)])
    def test_accepts_integers(self, value):
        assert v.check_int("n", value, minimum=0) == int(value)
        assert type(v.check_int("n", value)) is int

    @pytest.mark.parametrize("value", [1.0, "3", None, True, np.float64(2.0)])
    def test_refuses_non_integers(self, value):
        with pytest.raises(TypeError, match="^n must be an integer"):
            v.check_int("n", value, minimum=1)

    def test_minimum_names_argument(self):
        with pytest.raises(ValueError, match=r"layers must be an integer >= 1, got -2"):
            v.check_positive_int("layers", -2)


class TestCheckFloat:
    def test_range(self):
        assert v.check_float("p", 1, minimum=0.0, maximum=1.0) == 1.0
        with pytest.raises(ValueError, match=r"p must be <= 1.0"):
            v.check_float("p", 1.5, maximum=1.0)
        with pytest.raises(ValueError, match=r"p must be >= 0.0"):
            v.check_float("p", -0.1, minimum=0.0)
        with pytest.raises(ValueError, match=r"t must be > 0.0"):
            v.check_positive_float("t", 0.0)

    @pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
    def test_non_finite(self, value):
        with pytest.raises(ValueError, match="budget must be a finite number"):
            v.check_float("budget", value)

    def test_inf_allowed_on_request(self):
        assert v.check_float("x", float("inf"), allow_inf=True) == float("inf")

    @pytest.mark.parametrize("value", ["1", None, False, [1.0]])
    def test_type(self, value):
        with pytest.raises(TypeError, match="x must be a real number"):
            v.check_float("x", value)


class TestStrAndChoice:
    def test_str(self):
        assert v.check_str("s", "a") == "a"
        assert v.check_str("s", "", allow_empty=True) == ""
        with pytest.raises(ValueError, match="s must be a non-empty string"):
            v.check_str("s", "   ")
        with pytest.raises(TypeError, match="s must be a str"):
            v.check_str("s", 3)

    def test_choice(self):
        assert v.check_choice("method", "a", ("a", "b")) == "a"
        with pytest.raises(ValueError, match="method must be one of 'a', 'b'; got 'c'"):
            v.check_choice("method", "c", ("a", "b"))


class TestArrays:
    def test_float_array(self):
        out = v.as_float_array("x", [[1, 2]], ndim=(1, 2))
        assert out.dtype == np.float64 and out.shape == (1, 2)

    def test_neg_inf_policy(self):
        x = [0.0, -np.inf]
        assert np.isneginf(v.as_float_array("logits", x, allow_neg_inf=True)[1])
        with pytest.raises(ValueError, match="logits must contain finite values only"):
            v.as_float_array("logits", x)
        with pytest.raises(ValueError, match="logits must contain finite values or -inf only"):
            v.as_float_array("logits", [np.inf], allow_neg_inf=True)

    def test_nan_empty_and_type(self):
        with pytest.raises(ValueError, match="logits must not contain NaN"):
            v.as_float_array("logits", [1.0, np.nan])
        with pytest.raises(ValueError, match="logits must not be empty"):
            v.as_float_array("logits", [])
        assert v.as_float_array("logits", [], allow_empty=True).size == 0
        with pytest.raises(TypeError, match="logits must be an array of real numbers"):
            v.as_float_array("logits", ["a"])

    def test_int_array(self):
        assert v.as_int_array("ids", np.array([1, 2], dtype=np.int32)).dtype == np.int64
        assert v.as_int_array("ids", []).shape == (0,)
        with pytest.raises(TypeError, match="ids must hold integers"):
            v.as_int_array("ids", [True, False])
        with pytest.raises(ValueError, match="ids must be a 1-D array"):
            v.as_int_array("ids", [[1]], ndim=1)

    def test_rng(self):
        rng = np.random.default_rng(0)
        assert v.check_rng("rng", rng) is rng
        with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
            v.check_rng("rng", 0)


class TestContainers:
    def test_instance(self):
        rng = np.random.default_rng(0)
        assert v.check_instance("rng", rng, np.random.Generator) is rng
        with pytest.raises(TypeError, match="^rng must be a Generator, got int$"):
            v.check_instance("rng", 0, np.random.Generator)
        with pytest.raises(TypeError, match="^n must be an int, got str$"):
            v.check_instance("n", "3", int)

    @pytest.mark.parametrize("value", [[1, 2], (1, 2), range(1, 3)])
    def test_sequence_accepts_sequences(self, value):
        assert v.check_sequence("gpus", value, "size") == (1, 2)
        assert v.check_sequence("gpus", value, int) == (1, 2)

    @pytest.mark.parametrize("value", ["ab", b"ab", {1, 2}, {"a": 1}, 3, None, iter([1])])
    def test_sequence_refuses_other_values(self, value):
        with pytest.raises(TypeError, match=r"^gpus must be a sequence \(list or tuple\), got"):
            v.check_sequence("gpus", value, "size")

    def test_sequence_empty_and_items(self):
        with pytest.raises(ValueError, match="^gpus must hold at least one size in GiB$"):
            v.check_sequence("gpus", [], "size in GiB")
        with pytest.raises(ValueError, match="^runs must hold at least one int$"):
            v.check_sequence("runs", (), int)
        assert v.check_sequence("gpus", [], "size", allow_empty=True) == ()
        with pytest.raises(TypeError, match=r"^runs\[2\] must be an int, got float$"):
            v.check_sequence("runs", [1, 2, 3.0], int)

    def test_mapping(self):
        assert v.check_mapping("loads", {"a": 1}, "series") == {"a": 1}
        assert v.check_mapping("runs", {}, allow_empty=True) == {}
        with pytest.raises(TypeError, match=r"^loads must be a mapping \{label: series\}, got"):
            v.check_mapping("loads", [("a", 1)], "series")
        with pytest.raises(ValueError, match="^loads must hold at least one series$"):
            v.check_mapping("loads", {}, "series")
        with pytest.raises(ValueError, match="^runs must hold at least one entry$"):
            v.check_mapping("runs", {})
        with pytest.raises(ValueError, match="loads key must be a non-empty string"):
            v.check_mapping("loads", {" ": 1}, "series")
        with pytest.raises(TypeError, match="loads key must be a str"):
            v.check_mapping("loads", {1: 1}, "series")
