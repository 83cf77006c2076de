"""Inference-time compute: the latency, token bill and break-even of a reasoning-effort setting.

A reasoning model still runs the next-token loop; it simply decodes *reasoning tokens* before
the answer tokens. Both kinds pass through the same loop, so a request takes

    latency = time_to_first_token + (reasoning_tokens + answer_tokens) / tokens_per_second

seconds, and reasoning tokens are billed as output tokens (OpenAI's reasoning guide says so
for its API; check the documentation of any other provider):

    cost = input_tokens * input_price + (reasoning_tokens + answer_tokens) * output_price

with prices in US dollars per million tokens. Whether the extra tokens pay off depends on
what a wrong answer costs: the *expected* cost of a case is
``cost + (1 - accuracy) * error_cost``, and a costlier, more accurate setting wins once
``error_cost`` exceeds :func:`break_even_error_cost`.

Every number in :data:`ILLUSTRATIVE_EFFORTS` and :data:`ILLUSTRATIVE_PRICES` is made up for
teaching (``source="illustrative"``): no vendor publishes token counts or accuracies for
"low", "medium" and "high" effort on your support tickets; measure them on your own cases.
:data:`REPORTED_RESULTS` holds published benchmark numbers with their source.

>>> low, medium, high = (estimate_request(s) for s in ILLUSTRATIVE_EFFORTS)
>>> round(high.latency_s, 1), round(high.cost_usd, 4)
(62.0, 0.0258)
>>> round(break_even_error_cost(medium, high), 2)
0.6
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from llmhistory._validate import (
    as_float_array,
    check_float,
    check_instance,
    check_int,
    check_sequence,
    check_str,
)

__all__ = [
    "DEFAULT_ANSWER_TOKENS",
    "DEFAULT_INPUT_TOKENS",
    "DEFAULT_TIME_TO_FIRST_TOKEN",
    "DEFAULT_TOKENS_PER_SECOND",
    "ILLUSTRATIVE",
    "ILLUSTRATIVE_EFFORTS",
    "ILLUSTRATIVE_PRICES",
    "REFUND_CASE",
    "REPORTED_RESULTS",
    "EffortScenario",
    "ReportedResult",
    "RequestEstimate",
    "TokenPrices",
    "best_choice",
    "break_even_error_cost",
    "effort_report",
    "estimate_request",
    "expected_cost",
    "format_estimates",
    "latency_curve",
    "latency_seconds",
    "reported",
    "request_cost",
]

#: The ``source`` of every made-up number in this module.
ILLUSTRATIVE = "illustrative"

#: Illustrative request shape of the running refund case: prompt (policy, order record,
#: question) and a short final answer, in tokens; decode speed in tokens per second; time to
#: the first token in seconds. Not measurements.
DEFAULT_INPUT_TOKENS = 1200
DEFAULT_ANSWER_TOKENS = 150
DEFAULT_TOKENS_PER_SECOND = 100.0
DEFAULT_TIME_TO_FIRST_TOKEN = 0.5

#: The support case of the chapter: a refund question whose answer needs three checks.
REFUND_CASE = (
    "Customer: I bought the coffee maker on order A10234 and it arrived damaged on day 12. "
    "I paid with a gift card. Can I get the refund on my credit card instead?\n"
    "Policy: damaged items may be returned within 30 days. Refunds go back to the original "
    "payment method."
)


@dataclass(frozen=True)
class TokenPrices:
    """Prices of one model in US dollars per million tokens (reasoning bills as output).

    Attributes
    ----------
    input_per_million : float
        USD per 1,000,000 input (prompt) tokens, ``>= 0``.
    output_per_million : float
        USD per 1,000,000 output tokens, ``>= 0``; reasoning tokens are output tokens.
    source : str, default "illustrative"
        Where the prices come from (a price page and its date, or ``"illustrative"``).

    Raises
    ------
    TypeError
        If a price is not a real number or ``source`` not a str.
    ValueError
        If a price is negative or not finite, or ``source`` is blank.

    Examples
    --------
    >>> TokenPrices(1.0, 4.0).output_per_million
    4.0
    """

    input_per_million: float
    output_per_million: float
    source: str = ILLUSTRATIVE

    def __post_init__(self) -> None:
        for name in ("input_per_million", "output_per_million"):
            object.__setattr__(self, name, check_float(name, getattr(self, name), minimum=0.0))
        check_str("source", self.source)


@dataclass(frozen=True)
class EffortScenario:
    """One reasoning-effort setting: reasoning tokens spent per case and the accuracy reached.

    Attributes
    ----------
    name : str
        E.g. ``"low"``, ``"medium"``, ``"high"``.
    reasoning_tokens : int
        Reasoning tokens per case, ``>= 0`` (0 is a model that answers at once).
    accuracy : float
        Fraction of cases answered correctly, ``0 <= accuracy <= 1``.
    source : str, default "illustrative"
        Where the numbers come from; ``"illustrative"`` means made up for teaching.

    Raises
    ------
    TypeError
        If a field has the wrong type.
    ValueError
        If ``reasoning_tokens < 0``, ``accuracy`` is outside [0, 1], or a string is blank.

    Examples
    --------
    >>> EffortScenario("medium", 1500, 0.92)
    EffortScenario(name='medium', reasoning_tokens=1500, accuracy=0.92, source='illustrative')
    """

    name: str
    reasoning_tokens: int
    accuracy: float
    source: str = ILLUSTRATIVE

    def __post_init__(self) -> None:
        check_str("name", self.name)
        check_str("source", self.source)
        tokens = check_int("reasoning_tokens", self.reasoning_tokens, minimum=0)
        object.__setattr__(self, "reasoning_tokens", tokens)
        accuracy = check_float("accuracy", self.accuracy, minimum=0.0, maximum=1.0)
        object.__setattr__(self, "accuracy", accuracy)

    @property
    def illustrative(self) -> bool:
        """Whether the numbers are made up for teaching (``source == "illustrative"``)."""
        return self.source == ILLUSTRATIVE


#: Illustrative prices (USD per million tokens): not any vendor's price list.
ILLUSTRATIVE_PRICES = TokenPrices(input_per_million=1.0, output_per_million=4.0)

#: Illustrative low / medium / high effort for the refund case: made-up token counts and
#: accuracies that only show the shape of the trade-off (more tokens, diminishing gains).
ILLUSTRATIVE_EFFORTS: tuple[EffortScenario, ...] = (
    EffortScenario("low", 300, 0.86),
    EffortScenario("medium", 1500, 0.92),
    EffortScenario("high", 6000, 0.95),
)


@dataclass(frozen=True)
class RequestEstimate:
    """Latency and cost of one request under one effort setting.

    Attributes
    ----------
    name : str
        The effort setting's name.
    input_tokens, reasoning_tokens, answer_tokens : int
        Tokens in the prompt, decoded before the answer, and in the answer.
    latency_s : float
        Seconds until the last answer token: ``ttft + (reasoning + answer) / speed``.
    cost_usd : float
        US dollars billed: input at the input price, reasoning + answer at the output price.
    accuracy : float
        Fraction of cases answered correctly at this setting.
    source : str
        Where ``reasoning_tokens`` and ``accuracy`` come from.
    """

    name: str
    input_tokens: int
    reasoning_tokens: int
    answer_tokens: int
    latency_s: float
    cost_usd: float
    accuracy: float
    source: str = ILLUSTRATIVE

    @property
    def output_tokens(self) -> int:
        """Tokens billed as output: ``reasoning_tokens + answer_tokens``."""
        return self.reasoning_tokens + self.answer_tokens

    @property
    def reasoning_share(self) -> float:
        """Fraction of the billed output tokens that are reasoning (0 when nothing is decoded)."""
        return self.reasoning_tokens / self.output_tokens if self.output_tokens else 0.0


def latency_seconds(
    *,
    reasoning_tokens: int,
    answer_tokens: int,
    tokens_per_second: float,
    time_to_first_token: float = 0.0,
) -> float:
    """Return the seconds until the last answer token: ``ttft + (reasoning + answer) / speed``.

    Every reasoning and answer token is one step of the next-token loop, decoded one after
    another at ``tokens_per_second``; ``time_to_first_token`` covers queueing and reading
    the prompt.

    Parameters
    ----------
    reasoning_tokens : int
        Tokens decoded before the answer, ``>= 0``.
    answer_tokens : int
        Tokens of the visible answer, ``>= 0``.
    tokens_per_second : float
        Decode speed of one request, ``> 0``.
    time_to_first_token : float, default 0.0
        Seconds before decoding starts, ``>= 0``.

    Returns
    -------
    float
        Seconds.

    Raises
    ------
    TypeError
        If an argument is not a number of the right kind.
    ValueError
        If a token count or ``time_to_first_token`` is negative, or the speed is not ``> 0``.

    Examples
    --------
    >>> latency_seconds(reasoning_tokens=1500, answer_tokens=150, tokens_per_second=100,
    ...                 time_to_first_token=0.5)
    17.0
    """
    reasoning_tokens = check_int("reasoning_tokens", reasoning_tokens, minimum=0)
    answer_tokens = check_int("answer_tokens", answer_tokens, minimum=0)
    speed = check_float("tokens_per_second", tokens_per_second, minimum=0.0, strict_minimum=True)
    ttft = check_float("time_to_first_token", time_to_first_token, minimum=0.0)
    return ttft + (reasoning_tokens + answer_tokens) / speed


def request_cost(
    *,
    input_tokens: int,
    reasoning_tokens: int,
    answer_tokens: int,
    prices: TokenPrices = ILLUSTRATIVE_PRICES,
) -> float:
    """Return the US dollars billed for one request; reasoning tokens bill as output tokens.

    ``(input_tokens * prices.input_per_million + (reasoning_tokens + answer_tokens) *
    prices.output_per_million) / 1e6``

    Parameters
    ----------
    input_tokens : int
        Prompt tokens, ``>= 0``.
    reasoning_tokens : int
        Reasoning tokens, ``>= 0`` (billed even though the user may never see them).
    answer_tokens : int
        Answer tokens, ``>= 0``.
    prices : TokenPrices, default ILLUSTRATIVE_PRICES

    Returns
    -------
    float
        US dollars.

    Raises
    ------
    TypeError
        If a count is not an integer or ``prices`` is not a :class:`TokenPrices`.
    ValueError
        If a count is negative.

    Examples
    --------
    >>> request_cost(input_tokens=1200, reasoning_tokens=1500, answer_tokens=150)
    0.0078
    """
    input_tokens = check_int("input_tokens", input_tokens, minimum=0)
    reasoning_tokens = check_int("reasoning_tokens", reasoning_tokens, minimum=0)
    answer_tokens = check_int("answer_tokens", answer_tokens, minimum=0)
    prices = check_instance("prices", prices, TokenPrices)
    billed = (
        input_tokens * prices.input_per_million
        + (reasoning_tokens + answer_tokens) * prices.output_per_million
    )
    return billed / 1_000_000


def estimate_request(
    scenario: EffortScenario,
    *,
    input_tokens: int = DEFAULT_INPUT_TOKENS,
    answer_tokens: int = DEFAULT_ANSWER_TOKENS,
    tokens_per_second: float = DEFAULT_TOKENS_PER_SECOND,
    time_to_first_token: float = DEFAULT_TIME_TO_FIRST_TOKEN,
    prices: TokenPrices = ILLUSTRATIVE_PRICES,
) -> RequestEstimate:
    """Return the :class:`RequestEstimate` (latency, cost, accuracy) of ``scenario``.

    The defaults are the chapter's illustrative refund case: 1200 prompt tokens, a
    150-token answer, 100 tokens per second, 0.5 s to the first token.

    Parameters
    ----------
    scenario : EffortScenario
    input_tokens, answer_tokens : int
        ``>= 0``.
    tokens_per_second : float
        ``> 0``.
    time_to_first_token : float
        Seconds, ``>= 0``.
    prices : TokenPrices

    Returns
    -------
    RequestEstimate

    Raises
    ------
    TypeError, ValueError
        As for :func:`latency_seconds` and :func:`request_cost`; ``TypeError`` if
        ``scenario`` is not an :class:`EffortScenario`.

    Examples
    --------
    >>> est = estimate_request(EffortScenario("medium", 1500, 0.92))
    >>> est.latency_s, est.cost_usd, est.output_tokens
    (17.0, 0.0078, 1650)
    """
    scenario = check_instance("scenario", scenario, EffortScenario)
    latency = latency_seconds(
        reasoning_tokens=scenario.reasoning_tokens,
        answer_tokens=answer_tokens,
        tokens_per_second=tokens_per_second,
        time_to_first_token=time_to_first_token,
    )
    cost = request_cost(
        input_tokens=input_tokens,
        reasoning_tokens=scenario.reasoning_tokens,
        answer_tokens=answer_tokens,
        prices=prices,
    )
    return RequestEstimate(
        name=scenario.name,
        input_tokens=int(input_tokens),
        reasoning_tokens=scenario.reasoning_tokens,
        answer_tokens=int(answer_tokens),
        latency_s=latency,
        cost_usd=cost,
        accuracy=scenario.accuracy,
        source=scenario.source,
    )


def latency_curve(
    reasoning_tokens: object,
    *,
    answer_tokens: int = DEFAULT_ANSWER_TOKENS,
    tokens_per_second: float = DEFAULT_TOKENS_PER_SECOND,
    time_to_first_token: float = DEFAULT_TIME_TO_FIRST_TOKEN,
) -> np.ndarray:
    """Return the latency in seconds for each reasoning-token count (vectorized).

    Parameters
    ----------
    reasoning_tokens : array_like of float, shape (n,)
        Reasoning tokens, each ``>= 0``.
    answer_tokens : int
        ``>= 0``.
    tokens_per_second : float
        ``> 0``.
    time_to_first_token : float
        ``>= 0``.

    Returns
    -------
    numpy.ndarray, shape (n,)
        Seconds; a straight line in ``reasoning_tokens`` with slope ``1 / tokens_per_second``.

    Raises
    ------
    TypeError, ValueError
        Bad arguments (the message names which).

    Examples
    --------
    >>> latency_curve([0, 1000], tokens_per_second=50).tolist()
    [3.5, 23.5]
    """
    tokens = as_float_array("reasoning_tokens", reasoning_tokens, ndim=1)
    if (tokens < 0).any():
        raise ValueError(f"reasoning_tokens must be >= 0, got min {tokens.min()}")
    base = latency_seconds(
        reasoning_tokens=0,
        answer_tokens=answer_tokens,
        tokens_per_second=tokens_per_second,
        time_to_first_token=time_to_first_token,
    )
    return base + tokens / float(tokens_per_second)


def _check_accuracy(name: str, value: object) -> float:
    return check_float(name, value, minimum=0.0, maximum=1.0)


def expected_cost(cost_usd: float, accuracy: float, error_cost: float) -> float:
    """Return the expected US dollars per case: ``cost_usd + (1 - accuracy) * error_cost``.

    Parameters
    ----------
    cost_usd : float
        Dollars billed per request, ``>= 0``.
    accuracy : float
        Fraction of cases answered correctly, ``0..1``.
    error_cost : float
        Dollars a wrong answer costs the business (escalation, wrong refund, lost customer),
        ``>= 0``.

    Returns
    -------
    float
        Dollars per case.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If a value is out of range.

    Examples
    --------
    >>> round(expected_cost(0.0078, 0.92, 5.0), 4)
    0.4078
    """
    cost_usd = check_float("cost_usd", cost_usd, minimum=0.0)
    accuracy = _check_accuracy("accuracy", accuracy)
    error_cost = check_float("error_cost", error_cost, minimum=0.0)
    return cost_usd + (1.0 - accuracy) * error_cost


def break_even_error_cost(cheaper: RequestEstimate, costlier: RequestEstimate) -> float:
    """Return the error cost (USD) above which ``costlier`` has the lower expected cost.

    Setting the two expected costs equal gives
    ``(costlier.cost_usd - cheaper.cost_usd) / (costlier.accuracy - cheaper.accuracy)``.
    Returns ``0.0`` if ``costlier`` is not dearer (it never loses) and ``inf`` if it is
    dearer but not more accurate (extra compute never pays).

    Parameters
    ----------
    cheaper, costlier : RequestEstimate

    Returns
    -------
    float
        US dollars per wrong answer, ``>= 0`` (possibly ``inf``).

    Raises
    ------
    TypeError
        If an argument is not a :class:`RequestEstimate`.

    Examples
    --------
    >>> low, medium, high = (estimate_request(s) for s in ILLUSTRATIVE_EFFORTS)
    >>> round(break_even_error_cost(low, medium), 2), round(break_even_error_cost(medium, high), 2)
    (0.08, 0.6)
    """
    cheaper = check_instance("cheaper", cheaper, RequestEstimate)
    costlier = check_instance("costlier", costlier, RequestEstimate)
    extra_cost = costlier.cost_usd - cheaper.cost_usd
    gain = costlier.accuracy - cheaper.accuracy
    if extra_cost <= 0:
        return 0.0
    if gain <= 0:
        return math.inf
    return extra_cost / gain


def best_choice(
    estimates: Sequence[RequestEstimate],
    error_cost: float,
    *,
    max_latency_s: float | None = None,
) -> RequestEstimate:
    """Return the estimate with the lowest expected cost among those within the latency budget.

    Ties go to the earlier estimate (list the cheaper settings first).

    Parameters
    ----------
    estimates : sequence of RequestEstimate
        Non-empty.
    error_cost : float
        Dollars per wrong answer, ``>= 0``.
    max_latency_s : float, optional
        Latency budget in seconds, ``> 0``; settings slower than it are not eligible.

    Returns
    -------
    RequestEstimate

    Raises
    ------
    TypeError
        If ``estimates`` is not a sequence of :class:`RequestEstimate` or a number is not real.
    ValueError
        If ``estimates`` is empty, a number is out of range, or no estimate meets the budget.

    Examples
    --------
    >>> options = [estimate_request(s) for s in ILLUSTRATIVE_EFFORTS]
    >>> best_choice(options, error_cost=20.0).name
    'high'
    >>> best_choice(options, error_cost=20.0, max_latency_s=30.0).name
    'medium'
    """
    options = check_sequence("estimates", estimates, RequestEstimate)
    error_cost = check_float("error_cost", error_cost, minimum=0.0)
    if max_latency_s is not None:
        budget = check_float("max_latency_s", max_latency_s, minimum=0.0, strict_minimum=True)
        options = tuple(e for e in options if e.latency_s <= budget)
        if not options:
            raise ValueError(
                f"max_latency_s={budget} is below the latency of every estimate; raise it"
            )
    return min(options, key=lambda e: expected_cost(e.cost_usd, e.accuracy, error_cost))


def format_estimates(
    estimates: Sequence[RequestEstimate], *, error_cost: float | None = None
) -> str:
    """Return an aligned text table: effort, tokens, latency, cost (and expected cost).

    Parameters
    ----------
    estimates : sequence of RequestEstimate
        Non-empty.
    error_cost : float, optional
        If given, add the expected cost per case at this error cost (USD, ``>= 0``).

    Returns
    -------
    str
        A header line and one line per estimate; made-up rows end with ``(illustrative)``.

    Raises
    ------
    TypeError, ValueError
        As for :func:`best_choice`.

    Examples
    --------
    >>> print(format_estimates([estimate_request(ILLUSTRATIVE_EFFORTS[0])]))
    effort  reasoning  output  latency (s)  cost (USD)  accuracy
    low           300     450          5.0     0.00300      0.86  (illustrative)
    """
    options = check_sequence("estimates", estimates, RequestEstimate)
    if error_cost is not None:
        error_cost = check_float("error_cost", error_cost, minimum=0.0)
    width = max(6, *(len(e.name) for e in options))
    header = f"{'effort':<{width}}  reasoning  output  latency (s)  cost (USD)  accuracy"
    expected_title = ""
    if error_cost is not None:
        expected_title = f"expected at ${error_cost:g}/error"
        header += f"  {expected_title}"
    lines = [header]
    for e in options:
        line = (
            f"{e.name:<{width}}  {e.reasoning_tokens:>9,d}  {e.output_tokens:>6,d}  "
            f"{e.latency_s:>11.1f}  {e.cost_usd:>10.5f}  {e.accuracy:>8.2f}"
        )
        if error_cost is not None:
            expected = expected_cost(e.cost_usd, e.accuracy, error_cost)
            line += f"  {expected:>{len(expected_title)}.4f}"
        if e.source == ILLUSTRATIVE:
            line += "  (illustrative)"
        lines.append(line)
    return "\n".join(lines)


def effort_report(
    reasoning_tokens: int,
    tokens_per_second: float,
    *,
    input_tokens: int = DEFAULT_INPUT_TOKENS,
    answer_tokens: int = DEFAULT_ANSWER_TOKENS,
    time_to_first_token: float = DEFAULT_TIME_TO_FIRST_TOKEN,
    prices: TokenPrices = ILLUSTRATIVE_PRICES,
    cases_per_day: int = 1000,
) -> str:
    """Return a few lines on one request's latency and cost, and the cost of a day of cases.

    Used by the chapter's explorable (reasoning tokens x decode speed).

    Parameters
    ----------
    reasoning_tokens : int
        ``>= 0``.
    tokens_per_second : float
        ``> 0``.
    input_tokens, answer_tokens : int
        ``>= 0``.
    time_to_first_token : float
        Seconds, ``>= 0``.
    prices : TokenPrices
    cases_per_day : int, default 1000
        ``>= 1``.

    Returns
    -------
    str

    Raises
    ------
    TypeError, ValueError
        As for :func:`latency_seconds` and :func:`request_cost`.

    Examples
    --------
    >>> print(effort_report(1500, 100.0))
    decoded tokens : 1,500 reasoning + 150 answer = 1,650 output tokens
    latency        : 0.5 s + 1,650 / 100 tok/s = 17.0 s
    cost / request : $0.00780 (reasoning is 77% of it)
    cost / day     : $7.80 for 1,000 cases (illustrative prices)
    """
    cases = check_int("cases_per_day", cases_per_day, minimum=1)
    latency = latency_seconds(
        reasoning_tokens=reasoning_tokens,
        answer_tokens=answer_tokens,
        tokens_per_second=tokens_per_second,
        time_to_first_token=time_to_first_token,
    )
    cost = request_cost(
        input_tokens=input_tokens,
        reasoning_tokens=reasoning_tokens,
        answer_tokens=answer_tokens,
        prices=prices,
    )
    reasoning_cost = reasoning_tokens * prices.output_per_million / 1_000_000
    share = reasoning_cost / cost if cost else 0.0
    output = reasoning_tokens + answer_tokens
    label = " (illustrative prices)" if prices.source == ILLUSTRATIVE else ""
    return "\n".join(
        [
            f"decoded tokens : {reasoning_tokens:,} reasoning + {answer_tokens:,} answer = "
            f"{output:,} output tokens",
            f"latency        : {time_to_first_token:g} s + {output:,} / {tokens_per_second:g} "
            f"tok/s = {latency:.1f} s",
            f"cost / request : ${cost:.5f} (reasoning is {share:.0%} of it)",
            f"cost / day     : ${cost * cases:,.2f} for {cases:,} cases{label}",
        ]
    )


@dataclass(frozen=True)
class ReportedResult:
    """One published benchmark number, with where it was reported.

    Attributes
    ----------
    model : str
        Model name as the source writes it.
    benchmark : str
        E.g. ``"AIME 2024"``.
    metric : str
        E.g. ``"pass@1"``, ``"cons@64"``.
    percent : float
        The reported value in percent, ``0..100``.
    source : str
        Bibliography key of the source (``book/references.bib``).
    note : str, default ""
        What the number refers to, if not obvious.
    """

    model: str
    benchmark: str
    metric: str
    percent: float
    source: str
    note: str = ""

    def __post_init__(self) -> None:
        for name in ("model", "benchmark", "metric", "source"):
            check_str(name, getattr(self, name))
        check_str("note", self.note, allow_empty=True)
        percent = check_float("percent", self.percent, minimum=0.0, maximum=100.0)
        object.__setattr__(self, "percent", percent)


#: Numbers as reported by DeepSeek-AI (2025, arXiv:2501.12948: abstract, Figure 1, Table 4
#: and Section 2.2.4) and by OpenAI's o1 announcement (2024). The DeepSeek paper's o1 row is
#: OpenAI-o1-1217 as DeepSeek measured or quoted it.
REPORTED_RESULTS: tuple[ReportedResult, ...] = (
    ReportedResult(
        "DeepSeek-R1-Zero", "AIME 2024", "pass@1", 15.6, "deepseek2025r1", "start of RL"
    ),
    ReportedResult("DeepSeek-R1-Zero", "AIME 2024", "pass@1", 71.0, "deepseek2025r1", "end of RL"),
    ReportedResult(
        "DeepSeek-R1-Zero",
        "AIME 2024",
        "cons@64",
        86.7,
        "deepseek2025r1",
        "majority vote of 64 samples",
    ),
    ReportedResult("DeepSeek-R1", "AIME 2024", "pass@1", 79.8, "deepseek2025r1"),
    ReportedResult("OpenAI-o1-1217", "AIME 2024", "pass@1", 79.2, "deepseek2025r1"),
    ReportedResult("DeepSeek-R1", "MATH-500", "pass@1", 97.3, "deepseek2025r1"),
    ReportedResult("OpenAI-o1-1217", "MATH-500", "pass@1", 96.4, "deepseek2025r1"),
    ReportedResult(
        "GPT-4o", "AIME 2024", "pass@1", 12.0, "openai2024learning", "1.8 of 15 on average"
    ),
    ReportedResult(
        "o1", "AIME 2024", "pass@1", 74.0, "openai2024learning", "11.1 of 15, one sample"
    ),
    ReportedResult(
        "o1",
        "AIME 2024",
        "cons@64",
        83.0,
        "openai2024learning",
        "12.5 of 15, consensus of 64 samples",
    ),
)


def reported(
    model: str, benchmark: str, metric: str = "pass@1", *, note: str | None = None
) -> ReportedResult:
    """Return the one entry of :data:`REPORTED_RESULTS` that matches (``note`` disambiguates).

    Parameters
    ----------
    model, benchmark, metric : str
        As written in :data:`REPORTED_RESULTS`.
    note : str, optional
        Required when several entries match (e.g. ``"end of RL"``).

    Returns
    -------
    ReportedResult

    Raises
    ------
    TypeError
        If an argument is not a str.
    ValueError
        If nothing matches or several entries match; the message lists the candidates.

    Examples
    --------
    >>> reported("DeepSeek-R1", "AIME 2024").percent
    79.8
    >>> reported("DeepSeek-R1-Zero", "AIME 2024", note="end of RL").percent
    71.0
    """
    model = check_str("model", model)
    benchmark = check_str("benchmark", benchmark)
    metric = check_str("metric", metric)
    if note is not None:
        note = check_str("note", note)
    matches = [
        r
        for r in REPORTED_RESULTS
        if (r.model, r.benchmark, r.metric) == (model, benchmark, metric)
        and (note is None or r.note == note)
    ]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        known = sorted({f"{r.model} / {r.benchmark} / {r.metric}" for r in REPORTED_RESULTS})
        raise ValueError(
            f"model={model!r}, benchmark={benchmark!r}, metric={metric!r} (note={note!r}) "
            f"matches no reported result; known: {'; '.join(known)}"
        )
    notes = ", ".join(repr(r.note) for r in matches)
    raise ValueError(f"model={model!r}, benchmark={benchmark!r} is ambiguous: pass note= {notes}")
