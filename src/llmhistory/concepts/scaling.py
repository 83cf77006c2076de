"""Scaling laws: how parameters, training tokens and compute trade off.

Two papers frame the chapter:

- Kaplan et al. (2020), *Scaling Laws for Neural Language Models*, arXiv:2001.08361. Loss falls
  as a smooth power law in parameters ``N``, data ``D`` and compute ``C``; training compute is
  about ``C ≈ 6 N D`` floating-point operations (section 2.1: ~2 per parameter per token forward,
  ~4 backward).
- Hoffmann et al. (2022), *Training Compute-Optimal Large Language Models* ("Chinchilla"),
  arXiv:2203.15556. For a fixed budget ``C`` the loss-minimising ``N`` and ``D`` grow about
  equally, near 20 training tokens per parameter; the parametric fit
  ``L(N, D) = E + A / N**alpha + B / D**beta`` (eq. 2, fitted constants in eq. 10) gives the
  compute-optimal frontier in closed form (eq. 4).

Parameters and tokens are plain counts (``70e9``, ``1.4e12``); ratios such as
:func:`tokens_per_parameter` and :func:`compute_proxy` accept any consistent unit
(the source chapter uses billions).

>>> round(tokens_per_parameter(parameters=70e9, tokens=1.4e12), 1)
20.0
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from llmhistory._validate import (
    as_positive_float_array,
    check_choice,
    check_float,
    check_instance,
    check_int,
    check_positive_float,
    check_str,
)

__all__ = [
    "CHINCHILLA_LOSS",
    "CHINCHILLA_TABLE_A3",
    "CHINCHILLA_TOKENS_PER_PARAMETER",
    "FLOPS_PER_PARAMETER_TOKEN",
    "GOPHER_TRAINING_FLOPS",
    "OPTIMAL_METHODS",
    "PUBLISHED_RUNS",
    "ParametricLoss",
    "PublishedRun",
    "RunComparison",
    "SEED_RUNS",
    "TrainingRun",
    "compare_runs",
    "compute_optimal",
    "compute_optimal_frontier",
    "compute_proxy",
    "parametric_loss",
    "published_runs",
    "table_a3_optimal",
    "tokens_per_parameter",
    "training_flops",
]

CHINCHILLA_TOKENS_PER_PARAMETER = 20.0
"""Training tokens per parameter of a compute-optimal run (Hoffmann et al. 2022, rule of thumb)."""

FLOPS_PER_PARAMETER_TOKEN = 6.0
"""Training FLOPs per parameter per token, ``C ≈ 6 N D`` (Kaplan et al. 2020, section 2.1)."""

GOPHER_TRAINING_FLOPS = 5.76e23
"""Gopher's training budget in FLOPs as Hoffmann et al. (2022) quote it (Figure 2; the "Gopher
unit" of Table 3), the budget Chinchilla was trained on. ``6 N D`` with Gopher's rounded 280B
parameters and 300B tokens gives 5.04e23 instead."""

OPTIMAL_METHODS = ("tokens_per_parameter", "parametric")
"""The allocation rules :func:`compute_optimal` knows."""


def _check_run(parameters: object, tokens: object) -> tuple[float, float]:
    """Return a run's ``(parameters, tokens)`` as floats after checking both are finite, > 0."""
    return check_positive_float("parameters", parameters), check_positive_float("tokens", tokens)


def tokens_per_parameter(*, parameters: float, tokens: float) -> float:
    """Return the training tokens seen per parameter, ``tokens / parameters`` (a ratio).

    Parameters
    ----------
    parameters : float
        Model parameters ``N`` (> 0; any unit shared with ``tokens``, e.g. billions).
    tokens : float
        Training tokens ``D`` (> 0, same unit as ``parameters``).

    Returns
    -------
    float
        ``D / N``. Chinchilla-style compute-optimal runs sit near 20.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an argument is not finite and > 0.

    Examples
    --------
    >>> tokens_per_parameter(parameters=7, tokens=140)
    20.0
    >>> round(tokens_per_parameter(parameters=175, tokens=300), 3)
    1.714
    """
    parameters, tokens = _check_run(parameters, tokens)
    return tokens / parameters


def compute_proxy(
    *, parameters: float, tokens: float, baseline_parameters: float, baseline_tokens: float
) -> float:
    """Return the training-compute proxy ``(N * D) / (N0 * D0)`` relative to a baseline run.

    ``N * D`` is proportional to training FLOPs (``C ≈ 6 N D``, Kaplan et al. 2020), so the
    ratio says how many times more compute a run used. It is not a quality predictor.

    Parameters
    ----------
    parameters, tokens : float
        ``N`` and ``D`` of the run (> 0).
    baseline_parameters, baseline_tokens : float
        ``N0`` and ``D0`` of the baseline run (> 0, same units as ``parameters`` / ``tokens``).

    Returns
    -------
    float
        The compute multiple; 1.0 for the baseline itself.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an argument is not finite and > 0.

    Examples
    --------
    >>> round(compute_proxy(parameters=175, tokens=300, baseline_parameters=7,
    ...                     baseline_tokens=140), 2)
    53.57
    """
    parameters, tokens = _check_run(parameters, tokens)
    baseline_parameters = check_positive_float("baseline_parameters", baseline_parameters)
    baseline_tokens = check_positive_float("baseline_tokens", baseline_tokens)
    return (parameters / baseline_parameters) * (tokens / baseline_tokens)


def training_flops(*, parameters: float, tokens: float) -> float:
    """Return the approximate training compute ``6 * N * D`` in FLOPs.

    Kaplan et al. (2020, section 2.1) count ~2 FLOPs per parameter per token for the forward
    pass and ~4 for the backward pass; Hoffmann et al. (2022) use the same approximation.

    Parameters
    ----------
    parameters : float
        Model parameters ``N`` as a count (> 0).
    tokens : float
        Training tokens ``D`` as a count (> 0).

    Returns
    -------
    float
        Training FLOPs.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an argument is not finite and > 0.

    Examples
    --------
    >>> f"{training_flops(parameters=70e9, tokens=1.4e12):.3g}"  # Chinchilla
    '5.88e+23'
    """
    parameters, tokens = _check_run(parameters, tokens)
    return FLOPS_PER_PARAMETER_TOKEN * parameters * tokens


@dataclass(frozen=True)
class TrainingRun:
    """One training run: a name, its parameters ``N`` and its training tokens ``D``.

    ``parameters`` and ``tokens`` may be counts or any shared unit (the chapter uses billions).

    >>> TrainingRun("small balanced", parameters=7, tokens=140).tokens
    140.0
    """

    name: str
    parameters: float
    tokens: float

    def __post_init__(self) -> None:
        check_str("name", self.name)
        parameters, tokens = _check_run(self.parameters, self.tokens)
        object.__setattr__(self, "parameters", parameters)
        object.__setattr__(self, "tokens", tokens)


@dataclass(frozen=True)
class PublishedRun(TrainingRun):
    """A published training run: parameters and tokens as counts, the year and the source.

    A :class:`TrainingRun`, so every function that takes runs takes it too.

    Attributes
    ----------
    year : int
        Year of the publication that reports the run.
    citation : str
        Key of the source in ``book/references.bib``.
    config : str or None
        Name in the model registry (:func:`llmhistory.concepts.models.get_config`) whose
        parameter count ``parameters`` equals, when the chapters count the model from its
        architecture rather than quote its rounded size (GPT-3's "175B" counts to 174.6B).

    Examples
    --------
    >>> run = PublishedRun("Chinchilla 70B", 70e9, 1.4e12, year=2022,
    ...                    citation="hoffmann2022chinchilla")
    >>> run.tokens / run.parameters
    20.0
    """

    year: int = field(kw_only=True)
    citation: str = field(kw_only=True)
    config: str | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "year", check_int("year", self.year, minimum=1900))
        check_str("citation", self.citation)
        if self.config is not None:
            check_str("config", self.config)


PUBLISHED_RUNS: tuple[PublishedRun, ...] = (
    # Brown et al. 2020, Table 2.1 / D.1: 175.0B parameters, 300B training tokens.
    PublishedRun(
        "GPT-3 175B",
        174_604_259_328,
        300e9,
        year=2020,
        citation="brown2020gpt3",
        config="gpt3-175b",
    ),
    # Hoffmann et al. 2022, Table 1: Gopher 280B trained on 300B tokens (Rae et al. 2021).
    PublishedRun("Gopher 280B", 280e9, 300e9, year=2021, citation="hoffmann2022chinchilla"),
    # Hoffmann et al. 2022, Table 1: Chinchilla 70B on 1.4T tokens.
    PublishedRun("Chinchilla 70B", 70e9, 1.4e12, year=2022, citation="hoffmann2022chinchilla"),
    # Touvron et al. 2023a, Table 2: LLaMA 7B has 6.7B parameters, trained on 1.0T tokens.
    PublishedRun("LLaMA 7B", 6.7e9, 1.0e12, year=2023, citation="touvron2023llama"),
    # Touvron et al. 2023b, Table 1: Llama 2 7B on 2.0T tokens.
    PublishedRun(
        "Llama 2 7B",
        6_738_415_616,
        2.0e12,
        year=2023,
        citation="touvron2023llama2",
        config="llama-2-7b",
    ),
    # Llama Team 2024: the Llama 3 models were pre-trained on about 15T tokens.
    PublishedRun(
        "Llama 3 8B",
        8_030_261_248,
        15e12,
        year=2024,
        citation="grattafiori2024llama3",
        config="llama-3-8b",
    ),
)
"""Published training runs the chapters compare, oldest first, with their sources.

Sizes quoted as round numbers in the papers (Gopher 280B, Chinchilla 70B, LLaMA 7B's 6.7B) are
stored as quoted; GPT-3, Llama 2 7B and Llama 3 8B carry the count of their architecture in
the model registry (``config``), which the chapters use for every other number of theirs.
"""


def published_runs(*names: str) -> tuple[PublishedRun, ...]:
    """Return the :data:`PUBLISHED_RUNS` with the given names, in that order (all if none).

    Parameters
    ----------
    *names : str
        Names as in :data:`PUBLISHED_RUNS` (``"Chinchilla 70B"``); distinct.

    Returns
    -------
    tuple of PublishedRun

    Raises
    ------
    TypeError
        If a name is not a str.
    ValueError
        If a name is unknown or repeated.

    Examples
    --------
    >>> [run.name for run in published_runs("Llama 3 8B", "Chinchilla 70B")]
    ['Llama 3 8B', 'Chinchilla 70B']
    >>> len(published_runs())
    6
    """
    if not names:
        return PUBLISHED_RUNS
    by_name = {run.name: run for run in PUBLISHED_RUNS}
    for i, name in enumerate(names):
        check_choice(f"names[{i}]", check_str(f"names[{i}]", name), tuple(by_name))
    if len(set(names)) != len(names):
        raise ValueError(f"names must be distinct, got {list(names)}")
    return tuple(by_name[name] for name in names)


@dataclass(frozen=True)
class RunComparison:
    """One row of :func:`compare_runs`: tokens per parameter and compute relative to a baseline."""

    name: str
    tokens_per_parameter: float
    compute_proxy: float


SEED_RUNS = (
    TrainingRun("small balanced", parameters=7, tokens=140),
    TrainingRun("large token-starved", parameters=175, tokens=300),
)
"""The source chapter's two hypothetical runs, in billions of parameters and tokens."""


def compare_runs(runs: Sequence[TrainingRun], baseline: int | str = 0) -> list[RunComparison]:
    """Return one :class:`RunComparison` per run, in input order, relative to ``baseline``.

    Parameters
    ----------
    runs : sequence of TrainingRun
        At least one run; names must be unique.
    baseline : int or str, default 0
        Index into ``runs`` or the name of the baseline run (its proxy is 1.0).

    Returns
    -------
    list of RunComparison
        ``(name, tokens_per_parameter, compute_proxy)`` for each run.

    Raises
    ------
    TypeError
        If ``runs`` holds something other than :class:`TrainingRun`, or ``baseline`` is neither
        an int nor a str.
    ValueError
        If ``runs`` is empty or has duplicate names, or ``baseline`` is out of range / unknown.

    Examples
    --------
    >>> for row in compare_runs(SEED_RUNS):
    ...     print(f"{row.name:20s} {row.tokens_per_parameter:5.1f} {row.compute_proxy:5.1f}x")
    small balanced        20.0   1.0x
    large token-starved    1.7  53.6x
    """
    runs = list(runs)
    if not runs:
        raise ValueError("runs must hold at least one TrainingRun")
    for i, run in enumerate(runs):
        check_instance(f"runs[{i}]", run, TrainingRun)
    names = [run.name for run in runs]
    if len(set(names)) != len(names):
        raise ValueError(f"runs must have unique names, got {names}")
    if isinstance(baseline, str):
        index = check_choice("baseline", baseline, names)
        base = runs[names.index(index)]
    else:
        index = check_int("baseline", baseline, minimum=0)
        if index >= len(runs):
            raise ValueError(f"baseline={index} must be < len(runs)={len(runs)}")
        base = runs[index]
    return [
        RunComparison(
            name=run.name,
            tokens_per_parameter=tokens_per_parameter(parameters=run.parameters, tokens=run.tokens),
            compute_proxy=compute_proxy(
                parameters=run.parameters,
                tokens=run.tokens,
                baseline_parameters=base.parameters,
                baseline_tokens=base.tokens,
            ),
        )
        for run in runs
    ]


@dataclass(frozen=True)
class ParametricLoss:
    """Constants of the parametric loss ``L(N, D) = E + A / N**alpha + B / D**beta``.

    The defaults are the published Approach-3 fit of Hoffmann et al. (2022), eq. 10
    (section 3.3): ``E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28``; ``E`` is the
    irreducible loss in nats per token.

    >>> ParametricLoss().alpha
    0.34
    """

    E: float = 1.69
    A: float = 406.4
    B: float = 410.7
    alpha: float = 0.34
    beta: float = 0.28

    def __post_init__(self) -> None:
        object.__setattr__(self, "E", check_float("E", self.E, minimum=0.0))
        for name in ("A", "B", "alpha", "beta"):
            object.__setattr__(self, name, check_positive_float(name, getattr(self, name)))


CHINCHILLA_LOSS = ParametricLoss()
"""The Hoffmann et al. (2022) eq. 10 fit."""


def _scalar_or_array(value: np.ndarray) -> float | np.ndarray:
    return float(value) if value.ndim == 0 else value


def parametric_loss(
    parameters: float | np.ndarray,
    tokens: float | np.ndarray,
    fit: ParametricLoss = CHINCHILLA_LOSS,
) -> float | np.ndarray:
    """Return the predicted pre-training loss ``E + A / N**alpha + B / D**beta`` in nats/token.

    Hoffmann et al. (2022), eq. 2 with the eq. 10 constants by default.

    Parameters
    ----------
    parameters : float or array, any shape
        Model parameters ``N`` as counts (finite, > 0).
    tokens : float or array, shape broadcastable with ``parameters``
        Training tokens ``D`` as counts (finite, > 0).
    fit : ParametricLoss, default CHINCHILLA_LOSS
        The fitted constants.

    Returns
    -------
    float or ndarray
        A float when both inputs are scalars, else an array of the broadcast shape.

    Raises
    ------
    TypeError
        If an input is not numeric or ``fit`` is not a :class:`ParametricLoss`.
    ValueError
        If an entry is not finite and > 0, or the shapes do not broadcast.

    Examples
    --------
    >>> round(parametric_loss(70e9, 1.4e12), 3)  # Chinchilla
    1.937
    >>> parametric_loss([1e9, 1e10], 2e11).round(3)
    array([2.325, 2.133])
    """
    n = as_positive_float_array("parameters", parameters)
    d = as_positive_float_array("tokens", tokens)
    fit = check_instance("fit", fit, ParametricLoss)
    try:
        n, d = np.broadcast_arrays(n, d)
    except ValueError:
        raise ValueError(
            f"parameters with shape {n.shape} and tokens with shape {d.shape} must broadcast"
        ) from None
    loss = fit.E + fit.A / n**fit.alpha + fit.B / d**fit.beta
    return _scalar_or_array(loss)


def _optimal_parameters(
    flops: np.ndarray, method: str, ratio: float, fit: ParametricLoss
) -> np.ndarray:
    """Compute-optimal ``N`` for validated budgets (array in, array out)."""
    if method == "tokens_per_parameter":
        # D = r N and C = 6 N D  =>  N = sqrt(C / (6 r))
        return np.sqrt(flops / (FLOPS_PER_PARAMETER_TOKEN * ratio))
    # Minimise E + A N^-a + B D^-b on 6 N D = C (Hoffmann et al. 2022, eq. 4):
    # N_opt = G (C/6)^(b/(a+b)),  G = (a A / (b B))^(1/(a+b)).
    exponent = fit.beta / (fit.alpha + fit.beta)
    g = (fit.alpha * fit.A / (fit.beta * fit.B)) ** (1.0 / (fit.alpha + fit.beta))
    return g * (flops / FLOPS_PER_PARAMETER_TOKEN) ** exponent


def _check_method_args(
    method: object, ratio: object, fit: object
) -> tuple[str, float, ParametricLoss]:
    method = check_choice("method", method, OPTIMAL_METHODS)
    ratio = check_positive_float("tokens_per_parameter", ratio)
    return method, ratio, check_instance("fit", fit, ParametricLoss)


def compute_optimal(
    flops: float,
    method: str = "tokens_per_parameter",
    *,
    tokens_per_parameter: float = CHINCHILLA_TOKENS_PER_PARAMETER,
    fit: ParametricLoss = CHINCHILLA_LOSS,
) -> tuple[float, float]:
    """Return the compute-optimal ``(parameters, tokens)`` for a budget, with ``6 N D = flops``.

    Two allocation rules from Hoffmann et al. (2022):

    ``"tokens_per_parameter"``
        Fix ``D = r N`` (``r = 20`` by default), so ``N = sqrt(C / (6 r))``.
    ``"parametric"``
        Minimise the parametric loss subject to ``C = 6 N D`` (eq. 4):
        ``N_opt = G (C/6)**(beta/(alpha+beta))``, ``D_opt = G**-1 (C/6)**(alpha/(alpha+beta))``
        with ``G = (alpha A / (beta B))**(1/(alpha+beta))``.

    ``D`` is computed as ``C / (6 N)`` so the budget holds to float precision.

    With the published, rounded eq. 10 constants the parametric rule puts Gopher's budget
    (5.76e23 FLOPs) at about 32B parameters and 3.0T tokens, below the 40B that the paper's
    Figure 4 projects for Approach 3 and the ~41B that :func:`table_a3_optimal` interpolates
    from its Table A3; Besiroglu et al. (2024, arXiv:2404.10102) show that the rounding of the
    printed constants biases the fit's predictions. Both sit well under Gopher's 280B.

    Parameters
    ----------
    flops : float
        Training budget ``C`` in FLOPs (finite, > 0).
    method : {"tokens_per_parameter", "parametric"}
        The allocation rule.
    tokens_per_parameter : float, default 20.0
        ``r`` for the ``"tokens_per_parameter"`` rule (finite, > 0).
    fit : ParametricLoss, default CHINCHILLA_LOSS
        Constants for the ``"parametric"`` rule.

    Returns
    -------
    (float, float)
        ``(parameters, tokens)`` as counts.

    Raises
    ------
    TypeError
        If ``flops`` or ``tokens_per_parameter`` is not a real number, or ``fit`` is not a
        :class:`ParametricLoss`.
    ValueError
        If ``flops`` or ``tokens_per_parameter`` is not finite and > 0, or ``method`` is unknown.

    Examples
    --------
    >>> n, d = compute_optimal(5.76e23)  # Gopher's budget, 20 tokens per parameter
    >>> f"{n:.3g} parameters, {d:.3g} tokens"
    '6.93e+10 parameters, 1.39e+12 tokens'
    >>> n, d = compute_optimal(5.76e23, "parametric")
    >>> f"{n:.3g} parameters, {d:.3g} tokens"
    '3.22e+10 parameters, 2.98e+12 tokens'
    """
    flops = check_positive_float("flops", flops)
    method, ratio, fit = _check_method_args(method, tokens_per_parameter, fit)
    n = float(_optimal_parameters(np.asarray(flops), method, ratio, fit))
    return n, flops / (FLOPS_PER_PARAMETER_TOKEN * n)


def compute_optimal_frontier(
    flops: Sequence[float] | np.ndarray,
    method: str = "tokens_per_parameter",
    *,
    tokens_per_parameter: float = CHINCHILLA_TOKENS_PER_PARAMETER,
    fit: ParametricLoss = CHINCHILLA_LOSS,
) -> tuple[np.ndarray, np.ndarray]:
    """Return compute-optimal ``(parameters, tokens)`` arrays for many budgets at once.

    The vectorised form of :func:`compute_optimal`, for plotting the frontier.

    Parameters
    ----------
    flops : array, shape (n,) or any shape
        Training budgets in FLOPs (finite, > 0).
    method, tokens_per_parameter, fit
        As in :func:`compute_optimal`.

    Returns
    -------
    (ndarray, ndarray)
        ``parameters`` and ``tokens``, each with the shape of ``flops``.

    Raises
    ------
    TypeError
        If ``flops`` is not numeric, or ``fit`` is not a :class:`ParametricLoss`.
    ValueError
        If ``flops`` is empty or holds a value that is not finite and > 0, or ``method`` is
        unknown.

    Examples
    --------
    >>> n, d = compute_optimal_frontier([6e20, 6e22])
    >>> n
    array([2.23606798e+09, 2.23606798e+10])
    >>> (d / n).round(6)
    array([20., 20.])
    """
    budgets = as_positive_float_array("flops", flops)
    method, ratio, fit = _check_method_args(method, tokens_per_parameter, fit)
    n = _optimal_parameters(budgets, method, ratio, fit)
    return n, budgets / (FLOPS_PER_PARAMETER_TOKEN * n)


CHINCHILLA_TABLE_A3: tuple[tuple[float, float, float], ...] = (
    (400e6, 2.21e19, 9.2e9),
    (1e9, 1.62e20, 27.1e9),
    (10e9, 2.46e22, 410.1e9),
    (67e9, 1.71e24, 4.1e12),
    (175e9, 1.26e25, 12.0e12),  # printed as 1.26e+24: a typo, see below
    (280e9, 3.52e25, 20.1e12),
    (520e9, 1.36e26, 43.5e12),
    (1e12, 5.65e26, 94.1e12),
    (10e12, 8.55e28, 1425.5e12),
)
"""Approach-3 rows of Hoffmann et al. (2022), Table A3: ``(parameters, flops, tokens)``.

Transcribed from appendix D.3 of arXiv:2203.15556, "Estimated optimal training FLOPs and
training tokens for various model sizes", Approach 3 columns. One value is corrected: the
paper prints 1.26e+24 FLOPs for the 175B row, which is below the 67B row's 1.71e+24 and a
factor of ten from ``6 * 175e9 * 12.0e12 = 1.26e25``; the table is stored with 1.26e25.
The printed FLOPs and tokens are rounded, so ``6 N D`` matches a row's FLOPs only to within
about 4% (the 67B and 280B rows) and to within 0.4% elsewhere.
"""


def table_a3_optimal(flops: float) -> tuple[float, float]:
    """Return the Approach-3 ``(parameters, tokens)`` for a budget, interpolated in Table A3.

    Hoffmann et al. (2022, appendix D.3, Table A3) list the compute-optimal model size and
    token count that their parametric fit (Approach 3) predicts for nine model sizes, from
    400M to 10T parameters (:data:`CHINCHILLA_TABLE_A3`). Between two rows, parameters and
    tokens are each interpolated linearly in ``log(flops)``, i.e. as a power law of the
    budget, so a row's own budget returns that row exactly.

    The table comes from the authors' fit; the closed form of :func:`compute_optimal` with
    the rounded eq. 10 constants does not reproduce it (at the 10B row's budget of 2.46e22
    FLOPs it gives about 7.7B parameters).

    Parameters
    ----------
    flops : float
        Training budget ``C`` in FLOPs, finite and within the table,
        ``2.21e19 <= flops <= 8.55e28``.

    Returns
    -------
    (float, float)
        ``(parameters, tokens)`` as counts.

    Raises
    ------
    TypeError
        If ``flops`` is not a real number.
    ValueError
        If ``flops`` is not finite and > 0, or lies outside the table's range.

    Examples
    --------
    >>> table_a3_optimal(2.46e22)  # the table's 10B row
    (10000000000.0, 410100000000.0)
    >>> n, d = table_a3_optimal(1e23)
    >>> f"{n:.3g} parameters, {d / n:.0f} tokens per parameter"
    '1.88e+10 parameters, 47 tokens per parameter'
    """
    flops = check_positive_float("flops", flops)
    budgets = [row[1] for row in CHINCHILLA_TABLE_A3]
    if not budgets[0] <= flops <= budgets[-1]:
        raise ValueError(
            f"flops={flops:.3g} must lie within Table A3, {budgets[0]:.3g} <= flops <= "
            f"{budgets[-1]:.3g}"
        )
    i = min(int(np.searchsorted(budgets, flops, side="right")) - 1, len(budgets) - 2)
    (n0, c0, d0), (n1, c1, d1) = CHINCHILLA_TABLE_A3[i], CHINCHILLA_TABLE_A3[i + 1]
    if flops == c1:
        return n1, d1
    t = math.log(flops / c0) / math.log(c1 / c0)
    return n0 * (n1 / n0) ** t, d0 * (d1 / d0) ** t
