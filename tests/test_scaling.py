"""Tests of llmhistory.concepts.scaling: seed numbers, published figures, invariants, bad inputs."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from llmhistory.concepts.models import count_parameters, get_config
from llmhistory.concepts.scaling import (
    CHINCHILLA_LOSS,
    CHINCHILLA_TABLE_A3,
    CHINCHILLA_TOKENS_PER_PARAMETER,
    GOPHER_TRAINING_FLOPS,
    OPTIMAL_METHODS,
    PUBLISHED_RUNS,
    SEED_RUNS,
    ParametricLoss,
    PublishedRun,
    RunComparison,
    TrainingRun,
    compare_runs,
    compute_optimal,
    compute_optimal_frontier,
    compute_proxy,
    parametric_loss,
    published_runs,
    table_a3_optimal,
    tokens_per_parameter,
    training_flops,
)

GOPHER_FLOPS = 5.76e23
budgets = st.floats(min_value=1e15, max_value=1e27, allow_nan=False, allow_infinity=False)
counts = st.floats(min_value=1e6, max_value=1e14, allow_nan=False, allow_infinity=False)


class TestSeedExample:
    """The chapter's two hypothetical runs: 7B/140B and 175B/300B."""

    def test_tokens_per_parameter(self):
        assert tokens_per_parameter(parameters=7, tokens=140) == 20.0
        assert tokens_per_parameter(parameters=175, tokens=300) == pytest.approx(1.7142857)

    def test_compute_proxy(self):
        assert compute_proxy(
            parameters=175, tokens=300, baseline_parameters=7, baseline_tokens=140
        ) == pytest.approx(53.5714286)
        assert (
            compute_proxy(parameters=7, tokens=140, baseline_parameters=7, baseline_tokens=140)
            == 1.0
        )

    def test_compare_runs_prints_chapter_table(self):
        rows = compare_runs(SEED_RUNS)
        assert [r.name for r in rows] == ["small balanced", "large token-starved"]
        assert [f"{r.tokens_per_parameter:.1f}" for r in rows] == ["20.0", "1.7"]
        assert [f"{r.compute_proxy:.1f}" for r in rows] == ["1.0", "53.6"]
        assert isinstance(rows[0], RunComparison)

    def test_compare_runs_baseline_by_name_and_index(self):
        by_name = compare_runs(SEED_RUNS, baseline="large token-starved")
        by_index = compare_runs(SEED_RUNS, baseline=1)
        assert by_name == by_index
        assert by_name[1].compute_proxy == 1.0
        assert by_name[0].compute_proxy == pytest.approx(1 / 53.5714286)

    def test_units_cancel(self):
        billions = compare_runs(SEED_RUNS)
        counts_ = compare_runs(
            [TrainingRun(r.name, r.parameters * 1e9, r.tokens * 1e9) for r in SEED_RUNS]
        )
        for a, b in zip(billions, counts_, strict=True):
            assert a.tokens_per_parameter == pytest.approx(b.tokens_per_parameter)
            assert a.compute_proxy == pytest.approx(b.compute_proxy)

    def test_single_run(self):
        (row,) = compare_runs([TrainingRun("only", 1, 1)])
        assert (row.tokens_per_parameter, row.compute_proxy) == (1.0, 1.0)


class TestPublishedFigures:
    def test_chinchilla_twenty_tokens_per_parameter(self):
        assert tokens_per_parameter(parameters=70e9, tokens=1.4e12) == pytest.approx(20.0)
        assert CHINCHILLA_TOKENS_PER_PARAMETER == 20.0

    def test_chinchilla_training_flops(self):
        assert training_flops(parameters=70e9, tokens=1.4e12) == pytest.approx(5.88e23)

    def test_gopher_budget_as_quoted(self):
        assert GOPHER_TRAINING_FLOPS == GOPHER_FLOPS == 5.76e23
        assert training_flops(parameters=280e9, tokens=300e9) == pytest.approx(5.04e23)

    def test_gpt3_token_starved(self):
        assert round(tokens_per_parameter(parameters=175e9, tokens=300e9), 1) == 1.7

    def test_gopher_budget_twenty_tokens_rule(self):
        n, d = compute_optimal(GOPHER_FLOPS)
        assert n == pytest.approx(69.28e9, rel=1e-3)
        assert d / n == pytest.approx(20.0)

    def test_gopher_budget_parametric(self):
        n, d = compute_optimal(GOPHER_FLOPS, "parametric")
        # Approach 3 of Hoffmann et al. 2022 puts Gopher's budget at ~40B parameters; the
        # rounded eq. 10 constants give ~32B. Either way: tens of billions, far below 280B.
        assert 30e9 < n < 50e9
        assert n == pytest.approx(3.219e10, rel=1e-3)
        assert 6 * n * d == pytest.approx(GOPHER_FLOPS, rel=1e-12)

    def test_published_constants(self):
        fit = ParametricLoss()
        assert (fit.E, fit.A, fit.B, fit.alpha, fit.beta) == (1.69, 406.4, 410.7, 0.34, 0.28)
        assert fit == CHINCHILLA_LOSS

    def test_chinchilla_beats_gopher_in_predicted_loss(self):
        chinchilla = parametric_loss(70e9, 1.4e12)
        gopher = parametric_loss(280e9, 300e9)
        assert chinchilla == pytest.approx(1.9366, abs=1e-4)
        assert gopher == pytest.approx(1.9933, abs=1e-4)
        assert chinchilla < gopher


BIB = Path(__file__).resolve().parents[1] / "book" / "references.bib"


class TestPublishedRuns:
    # (name, parameters as the paper quotes them, training tokens, year, tokens per parameter
    # as chapters 5 and 7 print them)
    PAPERS = [
        ("GPT-3 175B", 175e9, 300e9, 2020, 1.7),
        ("Gopher 280B", 280e9, 300e9, 2021, 1.1),
        ("Chinchilla 70B", 70e9, 1.4e12, 2022, 20.0),
        ("LLaMA 7B", 6.7e9, 1.0e12, 2023, 149.3),
        ("Llama 2 7B", 7e9, 2.0e12, 2023, 296.8),
        ("Llama 3 8B", 8e9, 15e12, 2024, 1867.9),
    ]

    @pytest.mark.parametrize(("name", "quoted", "tokens", "year", "ratio"), PAPERS)
    def test_the_papers_numbers(self, name, quoted, tokens, year, ratio):
        (run,) = published_runs(name)
        assert run.parameters == pytest.approx(quoted, rel=0.04)
        assert run.tokens == tokens
        assert run.year == year
        assert round(tokens_per_parameter(parameters=run.parameters, tokens=run.tokens), 1) == ratio

    def test_oldest_first_and_all_of_them(self):
        assert [run.name for run in PUBLISHED_RUNS] == [name for name, *_ in self.PAPERS]
        assert published_runs() == PUBLISHED_RUNS
        years = [run.year for run in PUBLISHED_RUNS]
        assert years == sorted(years)

    @pytest.mark.parametrize("run", [run for run in PUBLISHED_RUNS if run.config])
    def test_registry_counts_match(self, run):
        assert run.parameters == count_parameters(get_config(run.config)).total

    def test_citations_are_in_the_bibliography(self):
        keys = set(re.findall(r"^@\w+\{([^,]+),", BIB.read_text(encoding="utf-8"), re.MULTILINE))
        assert {run.citation for run in PUBLISHED_RUNS} <= keys

    def test_a_published_run_is_a_training_run(self):
        rows = compare_runs(published_runs("Chinchilla 70B", "Gopher 280B"))
        assert [round(row.compute_proxy, 3) for row in rows] == [1.0, 0.857]
        assert all(isinstance(run, TrainingRun) for run in PUBLISHED_RUNS)

    def test_records_are_frozen(self):
        with pytest.raises(AttributeError):
            PUBLISHED_RUNS[0].tokens = 1.0

    @pytest.mark.parametrize(
        ("kwargs", "error", "pattern"),
        [
            ({"year": 1800}, ValueError, "year must be an integer >= 1900"),
            ({"year": 2020.0}, TypeError, "year must be an integer"),
            ({"citation": ""}, ValueError, "citation must be a non-empty string"),
            ({"config": 3}, TypeError, "config must be a str"),
            ({"tokens": 0}, ValueError, "tokens"),
        ],
    )
    def test_bad_records(self, kwargs, error, pattern):
        fields = {"parameters": 1e9, "tokens": 1e10, "year": 2020, "citation": "x"} | kwargs
        with pytest.raises(error, match=pattern):
            PublishedRun("run", **fields)

    @pytest.mark.parametrize(
        ("names", "error", "pattern"),
        [
            (("GPT-4",), ValueError, r"names\[0\] must be one of"),
            ((3,), TypeError, r"names\[0\] must be a str"),
            (("LLaMA 7B", "LLaMA 7B"), ValueError, "names must be distinct"),
        ],
    )
    def test_bad_names(self, names, error, pattern):
        with pytest.raises(error, match=pattern):
            published_runs(*names)


class TestParametricLoss:
    def test_closed_form(self):
        fit = ParametricLoss(E=1.0, A=1.0, B=1.0, alpha=1.0, beta=1.0)
        assert parametric_loss(2.0, 4.0, fit) == 1.0 + 0.5 + 0.25

    def test_returns_float_for_scalars(self):
        assert isinstance(parametric_loss(1e9, 2e10), float)

    def test_broadcasts(self):
        n = np.array([[1e9], [1e10]])
        d = np.array([1e10, 1e11, 1e12])
        loss = parametric_loss(n, d)
        assert loss.shape == (2, 3)
        assert loss[1, 2] == pytest.approx(parametric_loss(1e10, 1e12))

    def test_approaches_irreducible_loss(self):
        assert parametric_loss(1e60, 1e60) == pytest.approx(CHINCHILLA_LOSS.E, abs=1e-12)

    @given(n=counts, d=counts, factor=st.floats(min_value=1.01, max_value=100.0))
    def test_decreases_in_parameters_and_tokens(self, n, d, factor):
        base = parametric_loss(n, d)
        assert parametric_loss(n * factor, d) < base
        assert parametric_loss(n, d * factor) < base
        assert base > CHINCHILLA_LOSS.E


class TestComputeOptimal:
    @pytest.mark.parametrize("method", OPTIMAL_METHODS)
    @given(flops=budgets)
    def test_budget_is_spent_exactly(self, method, flops):
        n, d = compute_optimal(flops, method)
        assert math.isclose(6 * n * d, flops, rel_tol=1e-9)
        assert n > 0 and d > 0

    @pytest.mark.parametrize("method", OPTIMAL_METHODS)
    @given(flops=budgets, factor=st.floats(min_value=1.01, max_value=1e3))
    def test_parameters_grow_with_budget(self, method, flops, factor):
        assert compute_optimal(flops * factor, method)[0] > compute_optimal(flops, method)[0]

    @given(flops=budgets, ratio=st.floats(min_value=0.1, max_value=1e3))
    def test_ratio_rule_keeps_ratio(self, flops, ratio):
        n, d = compute_optimal(flops, tokens_per_parameter=ratio)
        assert d / n == pytest.approx(ratio, rel=1e-9)

    @given(flops=budgets, shift=st.floats(min_value=0.5, max_value=2.0))
    def test_parametric_point_minimises_loss_on_the_budget(self, flops, shift):
        assume(abs(shift - 1.0) > 1e-3)
        n, d = compute_optimal(flops, "parametric")
        n2 = n * shift
        assert parametric_loss(n2, flops / (6 * n2)) > parametric_loss(n, d)

    def test_parametric_matches_paper_closed_form_for_tokens(self):
        fit = CHINCHILLA_LOSS
        flops = 1e24
        g = (fit.alpha * fit.A / (fit.beta * fit.B)) ** (1 / (fit.alpha + fit.beta))
        _, d = compute_optimal(flops, "parametric")
        assert d == pytest.approx((flops / 6) ** (fit.alpha / (fit.alpha + fit.beta)) / g)

    def test_custom_fit(self):
        fit = ParametricLoss(E=0.0, A=1.0, B=1.0, alpha=0.5, beta=0.5)
        n, d = compute_optimal(600.0, "parametric", fit=fit)
        assert n == pytest.approx(10.0) and d == pytest.approx(10.0)

    @pytest.mark.parametrize("method", OPTIMAL_METHODS)
    def test_frontier_matches_scalar(self, method):
        flops = np.logspace(18, 26, 9)
        n, d = compute_optimal_frontier(flops, method)
        assert n.shape == d.shape == (9,)
        for c, n_i, d_i in zip(flops, n, d, strict=True):
            n_ref, d_ref = compute_optimal(float(c), method)
            assert n_i == pytest.approx(n_ref, rel=1e-12)
            assert d_i == pytest.approx(d_ref, rel=1e-12)
        assert np.all(np.diff(n) > 0)


table_budgets = st.floats(min_value=2.21e19, max_value=8.55e28)


class TestTableA3:
    """Hoffmann et al. (2022), Table A3, Approach 3: interpolated in log-log space."""

    @pytest.mark.parametrize(("parameters", "flops", "tokens"), CHINCHILLA_TABLE_A3)
    def test_rows_reproduced_exactly(self, parameters, flops, tokens):
        assert table_a3_optimal(flops) == (parameters, tokens)

    def test_transcription(self):
        sizes = [n for n, _, _ in CHINCHILLA_TABLE_A3]
        assert sizes == [400e6, 1e9, 10e9, 67e9, 175e9, 280e9, 520e9, 1e12, 10e12]
        assert CHINCHILLA_TABLE_A3[2] == (10e9, 2.46e22, 410.1e9)
        assert CHINCHILLA_TABLE_A3[-1] == (10e12, 8.55e28, 1425.5e12)

    def test_rows_agree_with_six_n_d(self):
        # the printed values are rounded; the 175B row's FLOPs are stored corrected (1.26e25)
        for n, c, d in CHINCHILLA_TABLE_A3:
            assert training_flops(parameters=n, tokens=d) == pytest.approx(c, rel=0.045)

    def test_columns_increase(self):
        for column in range(3):
            values = [row[column] for row in CHINCHILLA_TABLE_A3]
            assert values == sorted(values) and len(set(values)) == len(values)

    def test_one_e23_budget(self):
        n, d = table_a3_optimal(1e23)
        assert n == pytest.approx(18.76e9, rel=1e-3)
        assert d / n == pytest.approx(46.8, abs=0.1)

    def test_gopher_budget_near_figure_4(self):
        # Figure 4 of the paper projects 40B parameters for Gopher's budget under Approach 3
        n, _ = table_a3_optimal(GOPHER_FLOPS)
        assert n == pytest.approx(41.1e9, rel=1e-2)

    def test_rounded_constants_do_not_reproduce_the_table(self):
        n, _ = compute_optimal(2.46e22, "parametric")  # the 10B row's budget
        assert n == pytest.approx(7.75e9, rel=1e-3)
        assert compute_optimal(1e23, "parametric")[0] < 0.8 * table_a3_optimal(1e23)[0]

    def test_power_law_between_rows(self):
        (n0, c0, d0), (n1, c1, d1) = CHINCHILLA_TABLE_A3[2:4]
        middle = math.sqrt(c0 * c1)
        n, d = table_a3_optimal(middle)
        assert n == pytest.approx(math.sqrt(n0 * n1), rel=1e-12)
        assert d == pytest.approx(math.sqrt(d0 * d1), rel=1e-12)

    @given(flops=table_budgets, factor=st.floats(min_value=1.001, max_value=1e3))
    def test_monotonic(self, flops, factor):
        assume(flops * factor <= 8.55e28)
        n, d = table_a3_optimal(flops)
        n2, d2 = table_a3_optimal(flops * factor)
        assert n2 > n and d2 > d

    @given(flops=table_budgets)
    def test_between_neighbouring_rows(self, flops):
        n, d = table_a3_optimal(flops)
        assert CHINCHILLA_TABLE_A3[0][0] <= n <= CHINCHILLA_TABLE_A3[-1][0]
        lower = max(row for row in CHINCHILLA_TABLE_A3 if row[1] <= flops)
        upper = min((row for row in CHINCHILLA_TABLE_A3 if row[1] >= flops), key=lambda r: r[1])
        assert lower[0] <= n <= upper[0]
        assert lower[2] <= d <= upper[2]


class TestRecords:
    def test_training_run_is_frozen_and_coerces(self):
        run = TrainingRun("x", parameters=7, tokens=140)
        assert isinstance(run.parameters, float)
        with pytest.raises(AttributeError):
            run.tokens = 1.0  # type: ignore[misc]


BAD_CALLS = [
    (lambda: tokens_per_parameter(parameters=0, tokens=1), ValueError, "parameters"),
    (lambda: tokens_per_parameter(parameters=1, tokens=-5), ValueError, "tokens"),
    (lambda: tokens_per_parameter(parameters="7", tokens=1), TypeError, "parameters"),
    (lambda: tokens_per_parameter(parameters=1, tokens=math.inf), ValueError, "tokens"),
    (
        lambda: compute_proxy(parameters=1, tokens=1, baseline_parameters=0, baseline_tokens=1),
        ValueError,
        "baseline_parameters",
    ),
    (
        lambda: compute_proxy(
            parameters=1, tokens=1, baseline_parameters=1, baseline_tokens=math.nan
        ),
        ValueError,
        "baseline_tokens",
    ),
    (lambda: training_flops(parameters=-1, tokens=1), ValueError, "parameters"),
    (lambda: training_flops(parameters=1, tokens=None), TypeError, "tokens"),
    (lambda: TrainingRun("", 1, 1), ValueError, "name"),
    (lambda: TrainingRun("x", 0, 1), ValueError, "parameters"),
    (lambda: TrainingRun("x", 1, -1), ValueError, "tokens"),
    (lambda: compare_runs([]), ValueError, "runs"),
    (lambda: compare_runs([("x", 1, 1)]), TypeError, r"runs\[0\]"),
    (lambda: compare_runs([SEED_RUNS[0], SEED_RUNS[0]]), ValueError, "unique names"),
    (lambda: compare_runs(SEED_RUNS, baseline=2), ValueError, "baseline"),
    (lambda: compare_runs(SEED_RUNS, baseline=-1), ValueError, "baseline"),
    (lambda: compare_runs(SEED_RUNS, baseline="nope"), ValueError, "baseline"),
    (lambda: compare_runs(SEED_RUNS, baseline=1.0), TypeError, "baseline"),
    (lambda: ParametricLoss(E=-0.1), ValueError, "E"),
    (lambda: ParametricLoss(A=0.0), ValueError, "A"),
    (lambda: ParametricLoss(beta=-0.28), ValueError, "beta"),
    (lambda: ParametricLoss(alpha="0.34"), TypeError, "alpha"),
    (lambda: parametric_loss(0.0, 1e9), ValueError, "parameters"),
    (lambda: parametric_loss(1e9, [1e9, -1.0]), ValueError, "tokens"),
    (lambda: parametric_loss(1e9, [1e9, np.nan]), ValueError, "tokens"),
    (lambda: parametric_loss(np.inf, 1e9), ValueError, "parameters"),
    (lambda: parametric_loss(["a"], 1e9), TypeError, "parameters"),
    (lambda: parametric_loss([1e9, 2e9], [1e9, 2e9, 3e9]), ValueError, "broadcast"),
    (lambda: parametric_loss(1e9, 1e9, fit=(1, 2, 3)), TypeError, "fit"),
    (lambda: compute_optimal(0.0), ValueError, "flops"),
    (lambda: compute_optimal(-1e20), ValueError, "flops"),
    (lambda: compute_optimal(math.inf), ValueError, "flops"),
    (lambda: compute_optimal(math.nan), ValueError, "flops"),
    (lambda: compute_optimal("1e20"), TypeError, "flops"),
    (lambda: compute_optimal(1e20, "kaplan"), ValueError, "method.*'parametric'"),
    (lambda: compute_optimal(1e20, tokens_per_parameter=0), ValueError, "tokens_per_parameter"),
    (lambda: compute_optimal(1e20, "parametric", fit=None), TypeError, "fit"),
    (lambda: compute_optimal_frontier([]), ValueError, "flops"),
    (lambda: compute_optimal_frontier([1e20, 0.0]), ValueError, "flops"),
    (lambda: compute_optimal_frontier([1e20], "chinchilla"), ValueError, "method"),
    (lambda: table_a3_optimal(0.0), ValueError, "flops"),
    (lambda: table_a3_optimal(math.nan), ValueError, "flops"),
    (lambda: table_a3_optimal(math.inf), ValueError, "flops"),
    (lambda: table_a3_optimal("1e23"), TypeError, "flops"),
    (lambda: table_a3_optimal(1e19), ValueError, r"flops=1e\+19 must lie within Table A3"),
    (lambda: table_a3_optimal(1e29), ValueError, r"flops=1e\+29 must lie within Table A3"),
]


@pytest.mark.parametrize(("call", "error", "pattern"), BAD_CALLS)
def test_bad_inputs(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()
