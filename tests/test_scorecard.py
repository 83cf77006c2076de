"""Tests of llmhistory.concepts.scorecard: the chapter's winners, the license gate, sweeps, bad
inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmhistory.concepts.scorecard import (
    SUPPORT_CANDIDATES,
    SUPPORT_SCENARIOS,
    Candidate,
    Scenario,
    SweepPoint,
    break_even_latency_penalty,
    license_gate,
    rank,
    scenario_sweep,
    score,
    winner,
)

FAST, DEEP, RESTRICTED = SUPPORT_CANDIDATES
LIVE, NIGHTLY = SUPPORT_SCENARIOS

penalties = st.floats(min_value=0.0, max_value=1e3, allow_nan=False, allow_infinity=False)
candidate_st = st.builds(
    Candidate,
    name=st.text(alphabet="abcdefgh", min_size=1, max_size=6),
    quality=st.floats(min_value=0.0, max_value=1.0),
    p95_ms=st.floats(min_value=1e-3, max_value=1e5),
    cost=st.floats(min_value=0.0, max_value=1e3),
    license_ok=st.booleans(),
)
candidate_lists = st.lists(candidate_st, min_size=1, max_size=6, unique_by=lambda c: c.name)


class TestChapterExample:
    def test_winners(self):
        best, points = winner(SUPPORT_CANDIDATES, LIVE)
        assert (best.name, f"{points:.2f}") == ("hosted-fast", "74.50")
        best, points = winner(SUPPORT_CANDIDATES, NIGHTLY)
        assert (best.name, f"{points:.2f}") == ("hosted-deep", "84.40")

    def test_all_scores(self):
        assert score(FAST, LIVE) == pytest.approx(74.5)
        assert score(DEEP, LIVE) == pytest.approx(46.0)
        assert score(FAST, NIGHTLY) == pytest.approx(83.25)
        assert score(DEEP, NIGHTLY) == pytest.approx(84.4)
        assert score(RESTRICTED, LIVE) == -math.inf

    def test_restricted_would_win_live_support_without_the_gate(self):
        unrestricted = Candidate("local-ok", 0.90, 500, 0.20, license_ok=True)
        assert score(unrestricted, LIVE) == pytest.approx(73.4)
        nightly = score(unrestricted, NIGHTLY)
        assert nightly == pytest.approx(87.7)
        assert winner([*SUPPORT_CANDIDATES, unrestricted], NIGHTLY)[0] is unrestricted

    def test_rank_order(self):
        names = [c.name for c, _ in rank(SUPPORT_CANDIDATES, LIVE)]
        assert names == ["hosted-fast", "hosted-deep", "local-restricted"]

    def test_scenarios(self):
        assert [(s.name, s.latency_penalty, s.cost_penalty) for s in SUPPORT_SCENARIOS] == [
            ("live support", 0.03, 8.0),
            ("nightly audit", 0.003, 4.0),
        ]


class TestLicenseGate:
    def test_split_keeps_order(self):
        allowed, refused = license_gate(SUPPORT_CANDIDATES)
        assert allowed == (FAST, DEEP)
        assert refused == (RESTRICTED,)

    def test_all_refused(self):
        allowed, refused = license_gate([RESTRICTED])
        assert allowed == () and refused == (RESTRICTED,)
        with pytest.raises(ValueError, match="license_ok"):
            winner([RESTRICTED], LIVE)

    @given(candidates=candidate_lists, latency=penalties, cost=penalties)
    def test_refused_never_wins(self, candidates, latency, cost):
        scenario = Scenario("s", latency, cost)
        ranked = rank(candidates, scenario)
        assert len(ranked) == len(candidates)
        flags = [c.license_ok for c, _ in ranked]
        assert flags == sorted(flags, reverse=True)  # every allowed one before every refused one
        assert all(points == -math.inf for c, points in ranked if not c.license_ok)
        if any(c.license_ok for c in candidates):
            assert winner(candidates, scenario)[0].license_ok

    @given(candidates=candidate_lists, latency=penalties, cost=penalties)
    def test_rank_is_sorted_and_ignores_input_order(self, candidates, latency, cost):
        scenario = Scenario("s", latency, cost)
        ranked = rank(candidates, scenario)
        scores = [points for _, points in ranked]
        assert scores == sorted(scores, reverse=True)
        assert rank(list(reversed(candidates)), scenario) == ranked


class TestScoreAndRank:
    def test_formula(self):
        c = Candidate("x", quality=0.5, p95_ms=100, cost=2.0, license_ok=True)
        assert score(c, Scenario("s", 0.1, 3.0)) == pytest.approx(50 - 10 - 6)
        assert score(c, Scenario("free", 0.0, 0.0)) == 50.0

    def test_tie_break_by_name(self):
        a = Candidate("beta", 0.5, 100, 1.0, True)
        b = Candidate("alpha", 0.5, 100, 1.0, True)
        r1 = Candidate("zeta", 0.9, 100, 1.0, False)
        r2 = Candidate("eta", 0.9, 100, 1.0, False)
        names = [c.name for c, _ in rank([a, r1, b, r2], LIVE)]
        assert names == ["alpha", "beta", "eta", "zeta"]

    def test_single_candidate(self):
        assert rank([FAST], LIVE) == [(FAST, score(FAST, LIVE))]

    def test_records_are_frozen_and_coerced(self):
        c = Candidate("x", quality=1, p95_ms=5, cost=0, license_ok=np.bool_(True))
        assert (c.quality, c.p95_ms, c.cost, c.license_ok) == (1.0, 5.0, 0.0, True)
        assert type(c.license_ok) is bool
        with pytest.raises(AttributeError):
            c.quality = 0.5  # type: ignore[misc]


class TestSweepAndBreakEven:
    def test_break_even_chapter_pair(self):
        x = break_even_latency_penalty(FAST, DEEP, cost_penalty=4.0)
        assert x == pytest.approx(4.0 / 950.0)
        assert NIGHTLY.latency_penalty < x < LIVE.latency_penalty
        assert break_even_latency_penalty(DEEP, FAST, cost_penalty=4.0) == pytest.approx(x)

    def test_scores_tie_at_break_even(self):
        x = break_even_latency_penalty(FAST, DEEP, cost_penalty=4.0)
        tie = Scenario("tie", x, 4.0)
        assert score(FAST, tie) == pytest.approx(score(DEEP, tie))

    def test_tie_at_zero_returns_zero(self):
        # At cost_penalty=8 the quality gain of hosted-deep (8 points) equals its extra cost.
        assert break_even_latency_penalty(FAST, DEEP, cost_penalty=8.0) == 0.0
        assert math.copysign(1.0, break_even_latency_penalty(DEEP, FAST, 8.0)) == 1.0

    def test_sweep_flips_at_break_even(self):
        x = break_even_latency_penalty(FAST, DEEP, cost_penalty=4.0)
        points = scenario_sweep(SUPPORT_CANDIDATES, [0.0, x * 0.99, x * 1.01, 0.03], 4.0)
        assert [p.winner for p in points] == [
            "hosted-deep",
            "hosted-deep",
            "hosted-fast",
            "hosted-fast",
        ]
        assert points[0] == SweepPoint(0.0, "hosted-deep", pytest.approx(94.0 - 6.0))
        assert points[-1].score == pytest.approx(86.0 - 7.5 - 2.0)

    @given(latency=st.lists(penalties, min_size=1, max_size=8), cost=penalties)
    def test_sweep_matches_winner(self, latency, cost):
        points = scenario_sweep(SUPPORT_CANDIDATES, latency, cost)
        assert [p.latency_penalty for p in points] == latency
        for p in points:
            best, best_score = winner(SUPPORT_CANDIDATES, Scenario("s", p.latency_penalty, cost))
            assert (p.winner, p.score) == (best.name, best_score)
            assert p.winner != "local-restricted"


BAD_CALLS = [
    (lambda: Candidate("", 0.5, 1, 0, True), ValueError, "name"),
    (lambda: Candidate("x", 1.2, 1, 0, True), ValueError, "quality"),
    (lambda: Candidate("x", -0.1, 1, 0, True), ValueError, "quality"),
    (lambda: Candidate("x", "high", 1, 0, True), TypeError, "quality"),
    (lambda: Candidate("x", 0.5, 0, 0, True), ValueError, "p95_ms"),
    (lambda: Candidate("x", 0.5, math.inf, 0, True), ValueError, "p95_ms"),
    (lambda: Candidate("x", 0.5, 1, -0.5, True), ValueError, "cost"),
    (lambda: Candidate("x", 0.5, 1, 0, 1), TypeError, "license_ok"),
    (lambda: Candidate("x", 0.5, 1, 0, "yes"), TypeError, "license_ok"),
    (lambda: Scenario("", 0.1, 1.0), ValueError, "name"),
    (lambda: Scenario("s", -0.1, 1.0), ValueError, "latency_penalty"),
    (lambda: Scenario("s", 0.1, math.nan), ValueError, "cost_penalty"),
    (lambda: Scenario("s", None, 1.0), TypeError, "latency_penalty"),
    (lambda: license_gate([]), ValueError, "candidates"),
    (lambda: license_gate([FAST, {"name": "x"}]), TypeError, r"candidates\[1\]"),
    (lambda: license_gate(FAST), TypeError, "candidates"),
    (lambda: license_gate([FAST, FAST]), ValueError, "unique names"),
    (lambda: score({"name": "x"}, LIVE), TypeError, "candidate"),
    (lambda: score(FAST, (0.03, 8.0)), TypeError, "scenario"),
    (lambda: rank([], LIVE), ValueError, "candidates"),
    (lambda: rank(SUPPORT_CANDIDATES, "live support"), TypeError, "scenario"),
    (lambda: winner([RESTRICTED], NIGHTLY), ValueError, "license_ok"),
    (lambda: scenario_sweep(SUPPORT_CANDIDATES, [], 4.0), ValueError, "latency_penalties"),
    (lambda: scenario_sweep(SUPPORT_CANDIDATES, [0.1, -0.1], 4.0), ValueError, "latency_penalties"),
    (lambda: scenario_sweep(SUPPORT_CANDIDATES, [[0.1]], 4.0), ValueError, "latency_penalties"),
    (lambda: scenario_sweep(SUPPORT_CANDIDATES, [0.1, np.nan], 4.0), ValueError, "latency_penalt"),
    (lambda: scenario_sweep(SUPPORT_CANDIDATES, [0.1], -1.0), ValueError, "cost_penalty"),
    (lambda: scenario_sweep([RESTRICTED], [0.1], 1.0), ValueError, "license_ok"),
    (lambda: break_even_latency_penalty(FAST, RESTRICTED, 4.0), ValueError, "b='local-restr"),
    (lambda: break_even_latency_penalty(RESTRICTED, FAST, 4.0), ValueError, "a='local-restr"),
    (lambda: break_even_latency_penalty(FAST, "deep", 4.0), TypeError, "b must"),
    (lambda: break_even_latency_penalty(FAST, DEEP, "4"), TypeError, "cost_penalty"),
    (lambda: break_even_latency_penalty(FAST, DEEP, -4.0), ValueError, "cost_penalty"),
    (lambda: break_even_latency_penalty(FAST, FAST, 4.0), ValueError, "same p95_ms"),
    # At cost_penalty=12 hosted-fast leads at every allowed penalty: they tie only below 0.
    (lambda: break_even_latency_penalty(FAST, DEEP, 12.0), ValueError, "< 0"),
]


@pytest.mark.parametrize(("call", "error", "pattern"), BAD_CALLS)
def test_bad_inputs(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()
