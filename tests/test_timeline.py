"""Tests of llmhistory.concepts.timeline: units and magnitudes, order, sources in the
bibliography, agreement with the model registry, the 6ND estimate and the filters."""

from __future__ import annotations

import dataclasses
import datetime
import re
from pathlib import Path

import pytest

from llmhistory.concepts.models import count_parameters, get_config
from llmhistory.concepts.timeline import (
    ACCESS,
    MEASURES,
    MILESTONES,
    Fact,
    Milestone,
    frontier_points,
    get_milestone,
    milestone_rows,
    select,
    training_flops,
)

BIB = Path(__file__).resolve().parents[1] / "book" / "references.bib"
BIB_KEYS = set(re.findall(r"^@\w+\{([^,]+),", BIB.read_text(encoding="utf-8"), re.M))

ASKED = [
    "Transformer", "GPT-1", "GPT-2", "GPT-3", "Chinchilla", "InstructGPT", "ChatGPT", "LLaMA",
    "GPT-4", "Llama 2", "Mistral 7B", "Mixtral 8x7B", "Llama 3", "Llama 3.1", "Qwen2.5", "o1",
    "DeepSeek-V3", "DeepSeek-R1",
]  # fmt: skip


def test_covers_the_asked_models():
    assert sorted(m.name for m in MILESTONES) == sorted(ASKED)
    assert len({m.name for m in MILESTONES}) == len(MILESTONES)


def test_dates_ordered_within_2017_2025():
    dates = [m.date.value for m in MILESTONES]
    assert all(isinstance(d, datetime.date) for d in dates)
    assert dates == sorted(dates)
    assert dates[0] == datetime.date(2017, 6, 12) and dates[-1].year == 2025


def test_landmark_dates():
    assert get_milestone("ChatGPT").date.value == datetime.date(2022, 11, 30)
    assert get_milestone("GPT-4").date.value == datetime.date(2023, 3, 14)


@pytest.mark.parametrize("milestone", MILESTONES, ids=lambda m: m.name)
def test_every_value_has_a_source_in_the_bibliography(milestone):
    for field, fact in milestone.facts().items():
        assert isinstance(fact, Fact), field
        assert fact.source in BIB_KEYS, f"{milestone.name}.{field}: {fact.source}"


@pytest.mark.parametrize("milestone", MILESTONES, ids=lambda m: m.name)
def test_units_and_magnitudes(milestone):
    total, active = milestone.parameters.value, milestone.active_parameters.value
    if total is not None:
        assert isinstance(total, float) and 1e8 <= total <= 2e12  # counts, not billions
        assert active is not None and 0 < active <= total
    else:
        assert active is None
    tokens = milestone.training_tokens.value
    if tokens is not None:
        assert isinstance(tokens, float) and 1e11 <= tokens <= 1e14  # counts, not trillions
    context = milestone.context_tokens.value
    if context is not None:
        assert isinstance(context, int) and 512 <= context <= 1_000_000
    assert isinstance(milestone.open_weights.value, bool)
    assert milestone.chapter is None or 1 <= milestone.chapter <= 15


def test_undisclosed_values_are_none_not_guesses():
    for name in ("GPT-4", "o1", "ChatGPT"):
        m = get_milestone(name)
        assert m.parameters.value is None and m.parameters.note.startswith("not disclosed")
        assert m.training_tokens.value is None
        assert m.open_weights.value is False


def test_mixture_of_experts_total_and_active():
    assert get_milestone("Mixtral 8x7B").parameters.value == 47e9
    assert get_milestone("Mixtral 8x7B").active_parameters.value == 13e9
    v3, r1 = get_milestone("DeepSeek-V3"), get_milestone("DeepSeek-R1")
    assert (v3.parameters.value, v3.active_parameters.value) == (671e9, 37e9)
    assert (r1.parameters.value, r1.active_parameters.value) == (671e9, 37e9)


REGISTERED = [m for m in MILESTONES if m.registry is not None]


@pytest.mark.parametrize("milestone", REGISTERED, ids=lambda m: m.name)
def test_agrees_with_the_model_registry(milestone):
    # Published counts are rounded ("70B" for 68.98B) or counted slightly differently (GPT-2's
    # 1,542M against 1,558M in the released checkpoint): within 2%.
    count = count_parameters(get_config(milestone.registry))
    assert count.total == pytest.approx(milestone.parameters.value, rel=0.02)
    assert count.active == pytest.approx(milestone.active_parameters.value, rel=0.02)
    context = milestone.context_tokens.value
    registered = get_config(milestone.registry).context
    if milestone.name in ("GPT-2", "GPT-3", "Llama 2", "Mixtral 8x7B", "Llama 3", "Llama 3.1"):
        assert context == registered


def test_registry_contexts_that_differ_are_explained():
    # Mistral 7B: the paper's 8,192 vs the config's 32,768; DeepSeek-V3: 128K vs 163,840.
    assert (
        get_config("mistral-7b").context
        == 32768
        != get_milestone("Mistral 7B").context_tokens.value
    )
    assert get_milestone("Mistral 7B").context_tokens.note.startswith("Table 1")
    assert get_config("deepseek-v3").context == 163840
    assert get_milestone("DeepSeek-V3").context_tokens.note == "128K"


class TestTrainingFlops:
    def test_known_values(self):
        assert training_flops(get_milestone("GPT-3")) == pytest.approx(3.15e23)
        assert training_flops(get_milestone("Chinchilla")) == pytest.approx(5.88e23)
        # a mixture of experts counts the active parameters: 6 * 37e9 * 14.8e12
        assert training_flops(get_milestone("DeepSeek-V3")) == pytest.approx(3.2856e24)

    def test_missing_when_either_is_missing(self):
        for m in MILESTONES:
            known = m.active_parameters.value is not None and m.training_tokens.value is not None
            assert (training_flops(m) is not None) == known

    def test_bad_input(self):
        with pytest.raises(TypeError, match="milestone"):
            training_flops("GPT-3")


class TestSelectAndPoints:
    def test_partition(self):
        opened, closed = select("open"), select("closed")
        assert len(opened) + len(closed) == len(select("all")) == len(MILESTONES)
        assert all(m.open_weights.value for m in opened)
        assert "GPT-4" in {m.name for m in closed} and "Llama 2" in {m.name for m in opened}

    @pytest.mark.parametrize("measure", MEASURES)
    @pytest.mark.parametrize("access", ACCESS)
    def test_points_and_missing_cover_the_selection(self, measure, access):
        points, missing = frontier_points(measure, access)
        names = [p.name for p in points] + list(missing)
        assert sorted(names) == sorted(m.name for m in select(access))
        years = [p.year for p in points]
        assert years == sorted(years) and all(2017 <= y < 2026 for y in years)

    def test_parameter_points(self):
        points, missing = frontier_points("parameters", "all")
        by_name = {p.name: p for p in points}
        assert set(missing) == {"ChatGPT", "GPT-4", "o1"}
        assert by_name["DeepSeek-V3"].active == 37e9 and by_name["GPT-3"].active is None
        assert by_name["GPT-3"].year == pytest.approx(2020 + 148 / 366)

    @pytest.mark.parametrize(
        "func, kwargs, error, name",
        [
            (select, dict(access="public"), ValueError, "access"),
            (select, dict(access=1), TypeError, "access"),
            (frontier_points, dict(measure="flops"), ValueError, "measure"),
            (get_milestone, dict(name="GPT-5"), ValueError, "name"),
            (get_milestone, dict(name=5), TypeError, "name"),
        ],
    )
    def test_bad_inputs(self, func, kwargs, error, name):
        with pytest.raises(error, match=name):
            func(**kwargs)


def test_rows():
    rows = milestone_rows()
    assert len(rows) == len(MILESTONES) and all(len(r) == 7 for r in rows)
    by_name = {r[0]: r for r in rows}
    assert by_name["GPT-4"][2:5] == ("not disclosed", "not disclosed", "8,192")
    assert by_name["Mixtral 8x7B"][2] == "47B (13B active)"
    assert by_name["Llama 3.1"][3:6] == ("15.6T", "131,072", "open")
    assert by_name["Transformer"][2] == "213M"


def test_a_missing_value_must_say_why():
    with pytest.raises(ValueError, match="missing value"):
        Fact(None, "openai2023gpt4")
    with pytest.raises(TypeError, match="source"):
        Fact(1.0, None)  # type: ignore[arg-type]
    m = get_milestone("GPT-3")
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.name = "GPT-3.5"  # type: ignore[misc]
    assert isinstance(m, Milestone)


def test_the_page_is_in_the_back_matter_with_figure_and_explorable():
    import json

    root = BIB.parents[1]
    toc = (root / "book" / "_toc.yml").read_text(encoding="utf-8")
    assert toc.index("file: book/timeline") < toc.index("file: book/glossary")
    assert "(timeline.ipynb)" in (root / "book" / "intro.md").read_text(encoding="utf-8")
    cells = json.loads((root / "book" / "timeline.ipynb").read_text(encoding="utf-8"))["cells"]
    figures = [c["metadata"]["mystnb"] for c in cells if "mystnb" in c.get("metadata", {})]
    assert figures and all(len(f["image"]["alt"]) >= 20 for f in figures)
    html = [
        "".join(o["data"]["text/html"])
        for c in cells
        for o in c.get("outputs", [])
        if "text/html" in o.get("data", {})
    ]
    explorable = [h for h in html if "data-explorable" in h]
    assert len(explorable) == 1
    assert explorable[0].count("<svg") <= 12
