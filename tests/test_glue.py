"""Tests for llmhistory.book.glue: numbers stored at the precision the text shows."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmhistory.book.glue import glue, rounded


class TestRounded:
    @pytest.mark.parametrize(
        ("value", "kwargs", "expected"),
        [
            (99.99910024571882, {"decimals": 1}, 100.0),
            (48.977544912719296, {"decimals": 0}, 49.0),
            (0.8175744761936437, {"decimals": 3}, 0.818),  # shown as .1%
            (3.1499e23, {"sig": 3}, 3.15e23),
            (np.float32(14.957527), {"decimals": 1}, 15.0),
            (-0.7947787593711715, {"decimals": 6}, -0.794779),
            (7, {}, 7),
            (np.int64(353952), {}, 353952),
            ("Shipping", {}, "Shipping"),
            (True, {}, True),
        ],
    )
    def test_known_values(self, value, kwargs, expected):
        result = rounded(value, **kwargs)
        assert result == expected
        assert type(result) is type(expected)

    @pytest.mark.parametrize("value", [-0.0, -0.0004, -1e-9])
    def test_a_value_that_rounds_to_zero_stores_no_sign(self, value):
        # -0.0004 on one CPU and +0.0003 on another must both store "0.0".
        assert repr(rounded(value, decimals=3)) == "0.0"

    def test_a_value_that_rounds_past_the_largest_float_is_refused(self):
        with pytest.raises(ValueError, match="rounds beyond the largest float"):
            rounded(1.7e308, sig=1)

    def test_integers_ignore_the_precision(self):
        assert rounded(np.int32(12), decimals=2) == 12

    def test_a_float_without_a_precision_is_refused(self):
        with pytest.raises(TypeError, match=r"value=0\.5 is a float: pass decimals= or sig="):
            rounded(0.5)

    @pytest.mark.parametrize(
        ("value", "kwargs", "error", "message"),
        [
            (1.5, {"decimals": 1, "sig": 2}, ValueError, "not both"),
            (1.5, {"sig": 0}, ValueError, "sig must be an integer >= 1"),
            (1.5, {"decimals": 1.5}, TypeError, "decimals must be an integer"),
            (math.nan, {"decimals": 1}, ValueError, "value must be finite"),
            (math.inf, {"sig": 2}, ValueError, "value must be finite"),
            ([1.0], {"decimals": 1}, TypeError, "value must be a number or a string"),
            (1 + 2j, {"decimals": 1}, TypeError, "value must be a number or a string"),
        ],
    )
    def test_bad_input(self, value, kwargs, error, message):
        with pytest.raises(error, match=message):
            rounded(value, **kwargs)

    @given(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
        st.floats(min_value=-1e-7, max_value=1e-7),
        st.integers(min_value=0, max_value=3),
    )
    def test_last_bit_noise_does_not_change_the_stored_text_away_from_a_boundary(
        self, value, noise, decimals
    ):
        # Two machines that agree to ~1e-7 store the same text unless the value sits within
        # the noise of a rounding boundary, which is what the baseline-kernel run catches.
        scaled = value * 10**decimals
        if abs(scaled - math.floor(scaled) - 0.5) * 10**-decimals > 1e-6:
            assert repr(rounded(value, decimals=decimals)) == repr(
                rounded(value + noise, decimals=decimals)
            )

    @given(st.floats(min_value=-1e300, max_value=1e300, allow_subnormal=False), st.integers(1, 17))
    def test_sig_keeps_at_most_that_many_significant_digits(self, value, sig):
        mantissa = f"{rounded(value, sig=sig):e}".split("e")[0]
        assert float(mantissa) == pytest.approx(float(f"{value:.{sig - 1}e}".split("e")[0]))


def _captured(monkeypatch, target):
    """Patch the ``display`` that ``target`` (a module path) calls; return the calls' list."""
    calls = []
    monkeypatch.setattr(target, lambda *args, **kwargs: calls.append((args, kwargs)))
    return calls


class TestGlue:
    @pytest.mark.parametrize("value", [49.0, 12, "Refund", True, 3.15e23])
    def test_writes_what_myst_nb_glue_writes(self, monkeypatch, value):
        # The independent computation: myst-nb's own glue, as the book build reads it.
        from myst_nb.ext import glue as myst_glue

        ours = _captured(monkeypatch, "IPython.display.display")
        glue("ch99_value", value, decimals=1 if isinstance(value, float) else None)
        theirs = _captured(monkeypatch, "myst_nb.ext.glue.ipy_display")
        myst_glue.glue(
            "ch99_value",
            rounded(value, decimals=1) if isinstance(value, float) else value,
            display=False,
        )
        assert ours == theirs and len(ours) == 1
        (bundle,), kwargs = ours[0]
        assert set(bundle) >= {"application/papermill.record/text/plain"}
        assert kwargs["metadata"]["scrapbook"] == {
            "name": "ch99_value",
            "mime_prefix": "application/papermill.record/",
        }

    def test_stores_the_rounded_value_as_a_glue_record(self, monkeypatch):
        calls = _captured(monkeypatch, "IPython.display.display")
        assert glue("ch99_share", 48.977544912719296, decimals=0) is None
        (bundle,), _ = calls[0]
        assert bundle["application/papermill.record/text/plain"] == "49.0"

    def test_refuses_an_unrounded_float_before_storing_it(self, monkeypatch):
        calls = _captured(monkeypatch, "IPython.display.display")
        with pytest.raises(TypeError, match="pass decimals= or sig="):
            glue("ch99_share", 0.25)
        assert calls == []

    def test_does_not_import_myst_nb(self):
        # Importing myst-nb costs seconds in every chapter's kernel (see glue._display_record).
        code = (
            "import sys; from llmhistory.book.glue import glue; glue('x', 1.25, decimals=1); "
            "print('myst_nb' in sys.modules, 'nbformat' in sys.modules)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert out.stdout.split() == ["False", "False"]

    @pytest.mark.parametrize("name", ["", "ch 01", "1abc", None])
    def test_refuses_a_name_the_prose_cannot_refer_to(self, name):
        with pytest.raises(ValueError, match="name must be an identifier"):
            glue(name, 1)
