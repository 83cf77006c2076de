"""A timeline of the models this book discusses, 2017-2025, every value with its source.

Each :class:`Milestone` holds the release date, the parameters (total, and active per token
for a mixture of experts), the training tokens, the context length and whether the weights
can be downloaded. Every value is a :class:`Fact`: the value, the key of its source in
``book/references.bib`` and, when the value is missing, why ("not disclosed" by the
developer, or "not stated" in the source). A missing value is ``None``, never an estimate.

Units: ``parameters`` and ``active_parameters`` are counts of weights, ``training_tokens`` a
count of tokens seen in pre-training, ``context_tokens`` a count of tokens, ``date`` a
:class:`datetime.date` (the first public release: paper, announcement or weights).
:func:`training_flops` estimates pre-training compute as ``6 N D`` floating-point operations
(``N`` active parameters, ``D`` tokens; Kaplan et al. 2020) where both are published.

>>> [m.name for m in MILESTONES][:3]
['Transformer', 'GPT-1', 'GPT-2']
>>> get_milestone("DeepSeek-V3").active_parameters.value
37000000000.0
>>> f"{training_flops(get_milestone('GPT-3')):.2e}"
'3.15e+23'
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from llmhistory._validate import check_choice, check_instance, check_str

__all__ = [
    "ACCESS",
    "MEASURES",
    "MILESTONES",
    "Fact",
    "FrontierPoint",
    "Milestone",
    "frontier_points",
    "get_milestone",
    "milestone_rows",
    "select",
    "training_flops",
]

#: Filters of :func:`select`: every milestone, open weights only, or weights not released.
ACCESS = ("all", "open", "closed")

#: What :func:`frontier_points` measures: parameters (count) or training compute (FLOPs).
MEASURES = ("parameters", "training compute")

_MISSING = ("not disclosed", "not stated", "not applicable")


@dataclass(frozen=True)
class Fact:
    """One published value and where it comes from.

    Attributes
    ----------
    value : object or None
        The value in the unit of its field; ``None`` when it is not published.
    source : str
        Key of the source in ``book/references.bib``.
    note : str
        Why the value is missing (``"not disclosed"``, ``"not stated"``, ``"not applicable"``,
        optionally followed by details), or a short qualification of a present value.
    """

    value: object
    source: str
    note: str = ""

    def __post_init__(self) -> None:
        check_str("source", self.source)
        if self.value is None and not self.note.startswith(_MISSING):
            raise ValueError(
                f"a missing value needs a note starting with one of {_MISSING}, got {self.note!r}"
            )


@dataclass(frozen=True)
class Milestone:
    """One model of the timeline; every field but ``name``, ``developer`` and ``chapter`` is a Fact.

    Attributes
    ----------
    name : str
        The model, e.g. ``"Llama 3.1"``; for a family, its largest published size.
    developer : str
    date : Fact of datetime.date
        First public release (paper, announcement or weights).
    parameters : Fact of float
        Total parameters (count).
    active_parameters : Fact of float
        Parameters per token (count); for a dense model the same as ``parameters``.
    training_tokens : Fact of float
        Tokens of pre-training (count).
    context_tokens : Fact of int
        Longest input the released model accepts (tokens).
    open_weights : Fact of bool
        Whether the weights can be downloaded (under any licence).
    registry : str or None
        Name of the same model in :func:`llmhistory.concepts.models.get_config`, if there.
    chapter : int or None
        The chapter of this book that covers it.
    """

    name: str
    developer: str
    date: Fact
    parameters: Fact
    active_parameters: Fact
    training_tokens: Fact
    context_tokens: Fact
    open_weights: Fact
    registry: str | None = None
    chapter: int | None = None

    def facts(self) -> dict[str, Fact]:
        """Return ``{field: Fact}`` for the six sourced fields."""
        return {
            "date": self.date,
            "parameters": self.parameters,
            "active_parameters": self.active_parameters,
            "training_tokens": self.training_tokens,
            "context_tokens": self.context_tokens,
            "open_weights": self.open_weights,
        }


def _dense(value: float | None, source: str, note: str = "") -> tuple[Fact, Fact]:
    return Fact(value, source, note), Fact(value, source, note)


_D = datetime.date
_NOT_DISCLOSED = "not disclosed"

_MILESTONES = [
    Milestone(
        "Transformer",
        "Google",
        Fact(_D(2017, 6, 12), "vaswani2017attention", "arXiv 1706.03762"),
        *_dense(213e6, "vaswani2017attention", "the 'big' translation model, Table 3"),
        Fact(None, "vaswani2017attention", "not stated: 4.5M sentence pairs (WMT 2014 En-De)"),
        Fact(None, "vaswani2017attention", "not applicable: sinusoidal positions, no limit"),
        Fact(False, "vaswani2017attention", "paper with training code (tensor2tensor)"),
        chapter=2,
    ),
    Milestone(
        "GPT-1",
        "OpenAI",
        Fact(_D(2018, 6, 11), "radford2018gpt"),
        *_dense(117e6, "radford2019gpt2", "GPT-2's Table 2: its smallest model equals GPT-1"),
        Fact(None, "radford2018gpt", "not stated: BooksCorpus, over 7,000 books"),
        Fact(512, "radford2018gpt"),
        Fact(True, "openai2018gptcode", "weights in the finetune-transformer-lm repository"),
        chapter=4,
    ),
    Milestone(
        "GPT-2",
        "OpenAI",
        Fact(_D(2019, 2, 14), "radford2019gpt2"),
        *_dense(1542e6, "radford2019gpt2", "Table 2"),
        Fact(None, "radford2019gpt2", "not stated: WebText, 40 GB of text"),
        Fact(1024, "radford2019gpt2"),
        Fact(True, "openai2019gpt2code", "released in stages, the 1.5B model in Nov 2019"),
        registry="gpt2-xl",
        chapter=4,
    ),
    Milestone(
        "GPT-3",
        "OpenAI",
        Fact(_D(2020, 5, 28), "brown2020gpt3", "arXiv 2005.14165"),
        *_dense(175e9, "brown2020gpt3", "Table 2.1"),
        Fact(300e9, "brown2020gpt3", "Table 2.2"),
        Fact(2048, "brown2020gpt3", "Table 2.1"),
        Fact(False, "brown2020gpt3", "API only"),
        registry="gpt3-175b",
        chapter=4,
    ),
    Milestone(
        "InstructGPT",
        "OpenAI",
        Fact(_D(2022, 3, 4), "ouyang2022instructgpt", "arXiv 2203.02155"),
        *_dense(175e9, "ouyang2022instructgpt", "largest of 1.3B, 6B and 175B"),
        Fact(None, "ouyang2022instructgpt", "not applicable: GPT-3 fine-tuned with RLHF"),
        Fact(None, "ouyang2022instructgpt", "not stated"),
        Fact(False, "ouyang2022instructgpt", "API only"),
        registry="gpt3-175b",
        chapter=5,
    ),
    Milestone(
        "Chinchilla",
        "DeepMind",
        Fact(_D(2022, 3, 29), "hoffmann2022chinchilla", "arXiv 2203.15556"),
        *_dense(70e9, "hoffmann2022chinchilla"),
        Fact(1.4e12, "hoffmann2022chinchilla"),
        Fact(None, "hoffmann2022chinchilla", "not stated"),
        Fact(False, "hoffmann2022chinchilla", "never released"),
        chapter=4,
    ),
    Milestone(
        "ChatGPT",
        "OpenAI",
        Fact(_D(2022, 11, 30), "openai2022chatgpt"),
        *_dense(None, "openai2022chatgpt", "not disclosed: fine-tuned from a GPT-3.5 model"),
        Fact(None, "openai2022chatgpt", _NOT_DISCLOSED),
        Fact(None, "openai2022chatgpt", _NOT_DISCLOSED),
        Fact(False, "openai2022chatgpt", "a chat product"),
        chapter=5,
    ),
    Milestone(
        "LLaMA",
        "Meta",
        Fact(_D(2023, 2, 27), "touvron2023llama", "arXiv 2302.13971"),
        *_dense(65.2e9, "touvron2023llama", "Table 2, largest model"),
        Fact(1.4e12, "touvron2023llama"),
        Fact(2048, "touvron2023llama"),
        Fact(True, "touvron2023llama", "for researchers, on request, non-commercial"),
        chapter=6,
    ),
    Milestone(
        "GPT-4",
        "OpenAI",
        Fact(_D(2023, 3, 14), "openai2023gpt4research"),
        *_dense(None, "openai2023gpt4", "not disclosed"),
        Fact(None, "openai2023gpt4", _NOT_DISCLOSED),
        Fact(8192, "openai2023gpt4research", "32,768 in a limited-access version"),
        Fact(False, "openai2023gpt4", "API and ChatGPT only"),
        chapter=12,
    ),
    Milestone(
        "Llama 2",
        "Meta",
        Fact(_D(2023, 7, 18), "touvron2023llama2", "arXiv 2307.09288"),
        *_dense(70e9, "touvron2023llama2", "Table 1, largest model"),
        Fact(2e12, "touvron2023llama2"),
        Fact(4096, "touvron2023llama2"),
        Fact(True, "meta2023llama2license", "Llama 2 Community License"),
        registry="llama-2-70b",
        chapter=6,
    ),
    Milestone(
        "Mistral 7B",
        "Mistral AI",
        Fact(_D(2023, 9, 27), "mistral2023announcing"),
        *_dense(7.3e9, "mistral2023announcing"),
        Fact(None, "jiang2023mistral", _NOT_DISCLOSED),
        Fact(8192, "jiang2023mistral", "Table 1; sliding window of 4,096"),
        Fact(True, "jiang2023mistral", "Apache 2.0"),
        registry="mistral-7b",
        chapter=8,
    ),
    Milestone(
        "Mixtral 8x7B",
        "Mistral AI",
        Fact(_D(2023, 12, 11), "mistral2023mixtral"),
        Fact(47e9, "jiang2024mixtral"),
        Fact(13e9, "jiang2024mixtral"),
        Fact(None, "jiang2024mixtral", _NOT_DISCLOSED),
        Fact(32768, "jiang2024mixtral"),
        Fact(True, "jiang2024mixtral", "Apache 2.0"),
        registry="mixtral-8x7b",
        chapter=7,
    ),
    Milestone(
        "Llama 3",
        "Meta",
        Fact(_D(2024, 4, 18), "meta2024llama3card"),
        *_dense(70e9, "meta2024llama3card", "largest of 8B and 70B"),
        Fact(15e12, "meta2024llama3card", "over 15T"),
        Fact(8192, "meta2024llama3card"),
        Fact(True, "meta2024llama3card", "Meta Llama 3 Community License"),
        registry="llama-3-70b",
        chapter=15,
    ),
    Milestone(
        "Llama 3.1",
        "Meta",
        Fact(_D(2024, 7, 23), "meta2024llama31config"),
        *_dense(405e9, "grattafiori2024llama3"),
        Fact(15.6e12, "grattafiori2024llama3"),
        Fact(131072, "meta2024llama31config", "128K, by RoPE scaling and long-context training"),
        Fact(True, "meta2024llama31config", "Llama 3.1 Community License"),
        registry="llama-3.1-405b",
        chapter=9,
    ),
    Milestone(
        "Qwen2.5",
        "Alibaba (Qwen Team)",
        Fact(_D(2024, 9, 19), "qwen2024qwen25blog"),
        *_dense(72.7e9, "qwen2024qwen25card72b", "largest of 0.5B to 72B"),
        Fact(18e12, "qwen2024qwen25"),
        Fact(131072, "qwen2024qwen25card72b"),
        Fact(True, "qwen2024qwen25card72b", "Qwen licence (most smaller sizes Apache 2.0)"),
        chapter=15,
    ),
    Milestone(
        "o1",
        "OpenAI",
        Fact(_D(2024, 9, 12), "openai2024learning", "o1-preview"),
        *_dense(None, "openai2024learning", "not disclosed"),
        Fact(None, "openai2024learning", _NOT_DISCLOSED),
        Fact(None, "openai2024learning", "not stated: not in the announcement"),
        Fact(False, "openai2024learning", "API and ChatGPT only"),
        chapter=10,
    ),
    Milestone(
        "DeepSeek-V3",
        "DeepSeek",
        Fact(_D(2024, 12, 27), "deepseekai2024v3", "arXiv 2412.19437"),
        Fact(671e9, "deepseekai2024v3"),
        Fact(37e9, "deepseekai2024v3"),
        Fact(14.8e12, "deepseekai2024v3"),
        Fact(131072, "deepseekai2024v3", "128K"),
        Fact(True, "deepseekai2024v3"),
        registry="deepseek-v3",
        chapter=7,
    ),
    Milestone(
        "DeepSeek-R1",
        "DeepSeek",
        Fact(_D(2025, 1, 20), "deepseek2025r1card"),
        Fact(671e9, "deepseek2025r1card"),
        Fact(37e9, "deepseek2025r1card"),
        Fact(None, "deepseek2025r1", "not applicable: reinforcement learning on DeepSeek-V3-Base"),
        Fact(131072, "deepseek2025r1card", "128K"),
        Fact(True, "deepseek2025r1card", "MIT licence"),
        registry="deepseek-v3",
        chapter=10,
    ),
]

#: The milestones in date order.
MILESTONES: tuple[Milestone, ...] = tuple(sorted(_MILESTONES, key=lambda m: m.date.value))


def get_milestone(name: str) -> Milestone:
    """Return the milestone called ``name`` (e.g. ``"GPT-4"``).

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    ValueError
        If there is no such milestone; the message lists the names.

    Examples
    --------
    >>> get_milestone("GPT-4").parameters.note
    'not disclosed'
    """
    name = check_str("name", name)
    for milestone in MILESTONES:
        if milestone.name == name:
            return milestone
    names = ", ".join(m.name for m in MILESTONES)
    raise ValueError(f"name must be one of {names}; got {name!r}")


def training_flops(milestone: Milestone) -> float | None:
    """Return ``6 * active_parameters * training_tokens`` in FLOPs, or None if one is missing.

    The standard estimate of pre-training compute for a Transformer (Kaplan et al. 2020): about
    6 floating-point operations per parameter and token (2 forward, 4 backward). For a mixture
    of experts ``N`` is the active parameters.

    Examples
    --------
    >>> f"{training_flops(get_milestone('Chinchilla')):.2e}"
    '5.88e+23'
    >>> training_flops(get_milestone("GPT-4")) is None
    True
    """
    milestone = check_instance("milestone", milestone, Milestone)
    n, d = milestone.active_parameters.value, milestone.training_tokens.value
    if n is None or d is None:
        return None
    return 6.0 * float(n) * float(d)  # type: ignore[arg-type]


def select(access: str = "all") -> tuple[Milestone, ...]:
    """Return the milestones with ``access`` ``"all"``, ``"open"`` (weights) or ``"closed"``.

    Examples
    --------
    >>> [m.name for m in select("closed")][:3]
    ['Transformer', 'GPT-3', 'InstructGPT']
    """
    access = check_choice("access", check_str("access", access), ACCESS)
    if access == "all":
        return MILESTONES
    want = access == "open"
    return tuple(m for m in MILESTONES if m.open_weights.value is want)


@dataclass(frozen=True)
class FrontierPoint:
    """One plotted value: a milestone, its date as a year fraction and its value."""

    name: str
    year: float
    value: float
    active: float | None
    open_weights: bool


def _year(date: datetime.date) -> float:
    start = datetime.date(date.year, 1, 1)
    days = (datetime.date(date.year + 1, 1, 1) - start).days
    return date.year + (date - start).days / days


def frontier_points(
    measure: str = "parameters", access: str = "all"
) -> tuple[tuple[FrontierPoint, ...], tuple[str, ...]]:
    """Return the points to plot for ``measure`` and the names left out for want of a value.

    Parameters
    ----------
    measure : {"parameters", "training compute"}
        Total parameters (count; ``active`` holds the per-token count of a mixture of
        experts), or :func:`training_flops` (FLOPs; ``active`` is None).
    access : {"all", "open", "closed"}
        Filter of :func:`select`.

    Returns
    -------
    points : tuple of FrontierPoint
        In date order; ``year`` is the date as a fractional year.
    missing : tuple of str
        Names of the selected milestones without a published value for ``measure``.

    Examples
    --------
    >>> points, missing = frontier_points("training compute", "closed")
    >>> [p.name for p in points], missing
    (['GPT-3', 'Chinchilla'], ('Transformer', 'InstructGPT', 'ChatGPT', 'GPT-4', 'o1'))
    """
    measure = check_choice("measure", check_str("measure", measure), MEASURES)
    points, missing = [], []
    for m in select(access):
        if measure == "parameters":
            value = m.parameters.value
            active = m.active_parameters.value if m.active_parameters.value != value else None
        else:
            value, active = training_flops(m), None
        if value is None:
            missing.append(m.name)
            continue
        points.append(
            FrontierPoint(
                m.name,
                _year(m.date.value),  # type: ignore[arg-type]
                float(value),  # type: ignore[arg-type]
                None if active is None else float(active),  # type: ignore[arg-type]
                bool(m.open_weights.value),
            )
        )
    return tuple(points), tuple(missing)


def _count(value: object, note: str) -> str:
    if value is None:
        return note.split(":")[0]
    value = float(value)  # type: ignore[arg-type]
    for unit, scale in (("T", 1e12), ("B", 1e9), ("M", 1e6)):
        if value >= scale:
            return f"{value / scale:,.4g}{unit}"
    return f"{value:,.0f}"


def milestone_rows() -> list[tuple[str, ...]]:
    """Return one row of display strings per milestone, for ``format_table``.

    Columns: model, date (``YYYY-MM-DD``), parameters (total, and active for a mixture of
    experts), training tokens, context (tokens), weights (``"open"`` or ``"not released"``) and
    the chapter that covers it. A missing value shows its note's first words.

    Examples
    --------
    >>> milestone_rows()[3]
    ('GPT-3', '2020-05-28', '175B', '300B', '2,048', 'not released', '4')
    >>> milestone_rows()[-2][2]
    '671B (37B active)'
    """
    rows = []
    for m in MILESTONES:
        params = _count(m.parameters.value, m.parameters.note)
        if m.active_parameters.value not in (None, m.parameters.value):
            params += f" ({_count(m.active_parameters.value, '')} active)"
        context = m.context_tokens
        rows.append(
            (
                m.name,
                m.date.value.isoformat(),  # type: ignore[attr-defined]
                params,
                _count(m.training_tokens.value, m.training_tokens.note),
                context.note.split(":")[0] if context.value is None else f"{context.value:,}",
                "open" if m.open_weights.value else "not released",
                "" if m.chapter is None else str(m.chapter),
            )
        )
    return rows
