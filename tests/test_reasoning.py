"""Tests of llmhistory.concepts.reasoning: latency and token arithmetic, break-even, reported
numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmhistory.concepts.reasoning import (
    ILLUSTRATIVE,
    ILLUSTRATIVE_EFFORTS,
    ILLUSTRATIVE_PRICES,
    REFUND_CASE,
    REPORTED_RESULTS,
    EffortScenario,
    ReportedResult,
    RequestEstimate,
    TokenPrices,
    best_choice,
    break_even_error_cost,
    effort_report,
    estimate_request,
    expected_cost,
    format_estimates,
    latency_curve,
    latency_seconds,
    reported,
    request_cost,
)

LOW, MEDIUM, HIGH = (estimate_request(s) for s in ILLUSTRATIVE_EFFORTS)

token_counts = st.integers(min_value=0, max_value=200_000)
speeds = st.floats(min_value=1.0, max_value=5_000.0)
accuracies = st.floats(min_value=0.0, max_value=1.0)
dollars = st.floats(min_value=0.0, max_value=1_000.0)


class TestLatency:
    def test_known_values(self):
        assert latency_seconds(
            reasoning_tokens=1500, answer_tokens=150, tokens_per_second=100, time_to_first_token=0.5
        ) == pytest.approx(17.0)
        assert latency_seconds(reasoning_tokens=0, answer_tokens=0, tokens_per_second=10) == 0.0
        assert latency_seconds(
            reasoning_tokens=6000, answer_tokens=150, tokens_per_second=50, time_to_first_token=0.5
        ) == pytest.approx(123.5)

    @given(token_counts, token_counts, speeds, st.floats(min_value=0.0, max_value=30.0))
    def test_reasoning_tokens_cost_time_like_answer_tokens(self, reasoning, answer, speed, ttft):
        swapped = latency_seconds(
            reasoning_tokens=answer,
            answer_tokens=reasoning,
            tokens_per_second=speed,
            time_to_first_token=ttft,
        )
        plain = latency_seconds(
            reasoning_tokens=reasoning,
            answer_tokens=answer,
            tokens_per_second=speed,
            time_to_first_token=ttft,
        )
        assert plain == pytest.approx(swapped)
        assert plain >= ttft

    @given(token_counts, speeds)
    def test_more_reasoning_never_faster(self, reasoning, speed):
        a = latency_seconds(reasoning_tokens=reasoning, answer_tokens=10, tokens_per_second=speed)
        b = latency_seconds(
            reasoning_tokens=reasoning + 1, answer_tokens=10, tokens_per_second=speed
        )
        assert b > a
        assert b - a == pytest.approx(1 / speed)

    def test_curve_matches_scalar(self):
        tokens = [0, 300, 1500, 6000]
        curve = latency_curve(tokens, tokens_per_second=100)
        scalar = [
            latency_seconds(
                reasoning_tokens=t,
                answer_tokens=150,
                tokens_per_second=100,
                time_to_first_token=0.5,
            )
            for t in tokens
        ]
        np.testing.assert_allclose(curve, scalar)
        assert curve.shape == (4,)

    def test_curve_refuses_negative_tokens(self):
        with pytest.raises(ValueError, match="reasoning_tokens"):
            latency_curve([10, -1])


class TestCost:
    def test_reasoning_bills_as_output(self):
        prices = TokenPrices(1.0, 4.0)
        visible = request_cost(
            input_tokens=1200, reasoning_tokens=0, answer_tokens=1650, prices=prices
        )
        hidden = request_cost(
            input_tokens=1200, reasoning_tokens=1500, answer_tokens=150, prices=prices
        )
        assert visible == pytest.approx(hidden) == pytest.approx(0.0078)

    def test_known_values(self):
        assert request_cost(input_tokens=1_000_000, reasoning_tokens=0, answer_tokens=0) == 1.0
        assert request_cost(
            input_tokens=0, reasoning_tokens=1_000_000, answer_tokens=0
        ) == pytest.approx(ILLUSTRATIVE_PRICES.output_per_million)
        assert request_cost(input_tokens=0, reasoning_tokens=0, answer_tokens=0) == 0.0

    @given(token_counts, token_counts, token_counts)
    def test_linear_in_tokens(self, n_in, n_reason, n_answer):
        prices = TokenPrices(2.5, 10.0)
        cost = request_cost(
            input_tokens=n_in, reasoning_tokens=n_reason, answer_tokens=n_answer, prices=prices
        )
        assert cost == pytest.approx((2.5 * n_in + 10.0 * (n_reason + n_answer)) / 1e6)


class TestChapterScenarios:
    def test_illustrative_efforts_are_labelled(self):
        assert [s.name for s in ILLUSTRATIVE_EFFORTS] == ["low", "medium", "high"]
        assert all(s.illustrative and s.source == ILLUSTRATIVE for s in ILLUSTRATIVE_EFFORTS)
        assert ILLUSTRATIVE_PRICES.source == ILLUSTRATIVE
        tokens = [s.reasoning_tokens for s in ILLUSTRATIVE_EFFORTS]
        accuracy = [s.accuracy for s in ILLUSTRATIVE_EFFORTS]
        assert tokens == sorted(tokens) and accuracy == sorted(accuracy)

    def test_estimates(self):
        assert (LOW.latency_s, LOW.cost_usd) == pytest.approx((5.0, 0.003))
        assert (MEDIUM.latency_s, MEDIUM.cost_usd) == pytest.approx((17.0, 0.0078))
        assert (HIGH.latency_s, HIGH.cost_usd) == pytest.approx((62.0, 0.0258))
        assert HIGH.output_tokens == 6150
        assert HIGH.reasoning_share == pytest.approx(6000 / 6150)
        assert HIGH.input_tokens == 1200 and HIGH.answer_tokens == 150

    def test_break_even(self):
        assert break_even_error_cost(LOW, MEDIUM) == pytest.approx(0.08)
        assert break_even_error_cost(MEDIUM, HIGH) == pytest.approx(0.6)
        assert break_even_error_cost(LOW, HIGH) == pytest.approx(0.0228 / 0.09)

    def test_break_even_edges(self):
        assert break_even_error_cost(HIGH, LOW) == 0.0
        same_accuracy = estimate_request(EffortScenario("wordy", 9000, HIGH.accuracy))
        assert break_even_error_cost(HIGH, same_accuracy) == math.inf

    def test_break_even_equalizes_expected_cost(self):
        threshold = break_even_error_cost(MEDIUM, HIGH)
        assert expected_cost(MEDIUM.cost_usd, MEDIUM.accuracy, threshold) == pytest.approx(
            expected_cost(HIGH.cost_usd, HIGH.accuracy, threshold)
        )

    def test_best_choice(self):
        options = [LOW, MEDIUM, HIGH]
        assert best_choice(options, 0.0) is LOW
        assert best_choice(options, 0.5).name == "medium"
        assert best_choice(options, 20.0) is HIGH
        assert best_choice(options, 20.0, max_latency_s=30.0) is MEDIUM
        assert best_choice(options, 20.0, max_latency_s=5.0) is LOW
        with pytest.raises(ValueError, match="max_latency_s"):
            best_choice(options, 20.0, max_latency_s=1.0)

    @given(dollars)
    def test_best_choice_minimizes_expected_cost(self, error_cost):
        best = best_choice([LOW, MEDIUM, HIGH], error_cost)
        costs = [expected_cost(e.cost_usd, e.accuracy, error_cost) for e in (LOW, MEDIUM, HIGH)]
        assert expected_cost(best.cost_usd, best.accuracy, error_cost) == pytest.approx(min(costs))

    @given(dollars, accuracies, dollars)
    def test_expected_cost_bounds(self, cost, accuracy, error_cost):
        value = expected_cost(cost, accuracy, error_cost)
        assert cost - 1e-9 <= value <= cost + error_cost + 1e-9

    def test_refund_case_names_the_three_checks(self):
        for fact in ("A10234", "day 12", "30 days", "gift card", "original payment method"):
            assert fact in REFUND_CASE


class TestFormatting:
    def test_table(self):
        text = format_estimates([LOW, MEDIUM, HIGH])
        lines = text.splitlines()
        assert lines[0].split()[:2] == ["effort", "reasoning"]
        assert lines[3].split()[:6] == ["high", "6,000", "6,150", "62.0", "0.02580", "0.95"]
        assert all(line.endswith("(illustrative)") for line in lines[1:])

    def test_table_with_expected_cost(self):
        text = format_estimates([LOW, HIGH], error_cost=20)
        assert "expected at $20/error" in text.splitlines()[0]
        assert "2.8030" in text and "1.0258" in text

    def test_reported_rows_are_not_marked(self):
        measured = RequestEstimate("m", 10, 20, 5, 1.0, 0.1, 0.9, source="my eval, run 3")
        assert "illustrative" not in format_estimates([measured])

    def test_effort_report(self):
        text = effort_report(6000, 50.0)
        assert "= 123.5 s" in text
        assert "$0.02580" in text and "93%" in text and "$25.80" in text
        assert "(illustrative prices)" in text
        real = effort_report(0, 10.0, prices=TokenPrices(0.0, 0.0, source="free tier"))
        assert "reasoning is 0%" in real and "illustrative" not in real


class TestReported:
    def test_deepseek_numbers(self):
        assert reported("DeepSeek-R1", "AIME 2024").percent == 79.8
        assert reported("OpenAI-o1-1217", "AIME 2024").percent == 79.2
        assert reported("DeepSeek-R1", "MATH-500").percent == 97.3
        assert reported("DeepSeek-R1-Zero", "AIME 2024", note="start of RL").percent == 15.6
        assert reported("DeepSeek-R1-Zero", "AIME 2024", note="end of RL").percent == 71.0
        assert reported("DeepSeek-R1-Zero", "AIME 2024", "cons@64").percent == 86.7

    def test_o1_numbers(self):
        assert reported("o1", "AIME 2024").percent == 74.0
        assert reported("o1", "AIME 2024", "cons@64").percent == 83.0
        assert reported("GPT-4o", "AIME 2024").percent == 12.0

    def test_every_result_has_a_bib_key(self):
        keys = {r.source for r in REPORTED_RESULTS}
        assert keys == {"deepseek2025r1", "openai2024learning"}

    def test_ambiguous_and_missing(self):
        with pytest.raises(ValueError, match="ambiguous"):
            reported("DeepSeek-R1-Zero", "AIME 2024")
        with pytest.raises(ValueError, match="model='GPT-5'"):
            reported("GPT-5", "AIME 2024")
        with pytest.raises(TypeError, match="note"):
            reported("o1", "AIME 2024", note=3)


@pytest.mark.parametrize(
    ("call", "error", "name"),
    [
        (lambda: TokenPrices(-1.0, 1.0), ValueError, "input_per_million"),
        (lambda: TokenPrices(1.0, "4"), TypeError, "output_per_million"),
        (lambda: TokenPrices(1.0, 4.0, source=""), ValueError, "source"),
        (lambda: EffortScenario("x", -1, 0.5), ValueError, "reasoning_tokens"),
        (lambda: EffortScenario("x", 1.5, 0.5), TypeError, "reasoning_tokens"),
        (lambda: EffortScenario("x", 10, 1.5), ValueError, "accuracy"),
        (lambda: EffortScenario("", 10, 0.5), ValueError, "name"),
        (
            lambda: latency_seconds(reasoning_tokens=1, answer_tokens=1, tokens_per_second=0),
            ValueError,
            "tokens_per_second",
        ),
        (
            lambda: latency_seconds(
                reasoning_tokens=1, answer_tokens=1, tokens_per_second=1, time_to_first_token=-1
            ),
            ValueError,
            "time_to_first_token",
        ),
        (
            lambda: latency_seconds(reasoning_tokens=True, answer_tokens=1, tokens_per_second=1),
            TypeError,
            "reasoning_tokens",
        ),
        (
            lambda: request_cost(input_tokens=-1, reasoning_tokens=0, answer_tokens=0),
            ValueError,
            "input_tokens",
        ),
        (
            lambda: request_cost(input_tokens=1, reasoning_tokens=0, answer_tokens=0, prices=4.0),
            TypeError,
            "prices",
        ),
        (lambda: estimate_request("high"), TypeError, "scenario"),
        (lambda: estimate_request(ILLUSTRATIVE_EFFORTS[0], answer_tokens=-2), ValueError, "answer"),
        (lambda: expected_cost(0.1, 1.2, 5.0), ValueError, "accuracy"),
        (lambda: expected_cost(0.1, 0.9, -5.0), ValueError, "error_cost"),
        (lambda: expected_cost(-0.1, 0.9, 5.0), ValueError, "cost_usd"),
        (lambda: break_even_error_cost(LOW, "high"), TypeError, "costlier"),
        (lambda: break_even_error_cost(None, HIGH), TypeError, "cheaper"),
        (lambda: best_choice([], 1.0), ValueError, "estimates"),
        (lambda: best_choice(LOW, 1.0), TypeError, "estimates"),
        (lambda: best_choice([LOW, "x"], 1.0), TypeError, r"estimates\[1\]"),
        (lambda: best_choice([LOW], -1.0), ValueError, "error_cost"),
        (lambda: best_choice([LOW], 1.0, max_latency_s=0), ValueError, "max_latency_s"),
        (lambda: format_estimates([LOW], error_cost=-1), ValueError, "error_cost"),
        (lambda: effort_report(100, 10.0, cases_per_day=0), ValueError, "cases_per_day"),
        (lambda: effort_report(-1, 10.0), ValueError, "reasoning_tokens"),
        (lambda: latency_curve([[1.0]]), ValueError, "reasoning_tokens"),
        (lambda: ReportedResult("m", "b", "pass@1", 101.0, "key"), ValueError, "percent"),
        (lambda: ReportedResult("m", "b", "pass@1", 50.0, ""), ValueError, "source"),
        (lambda: reported("", "AIME 2024"), ValueError, "model"),
    ],
)
def test_bad_inputs(call, error, name):
    with pytest.raises(error, match=name):
        call()
