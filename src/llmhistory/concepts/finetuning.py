"""Memory to fine-tune a model: full fine-tuning, LoRA and QLoRA with Adam (chapter 7).

With Adam in mixed precision every *trainable* parameter costs 16 bytes (Rajbhandari et al.
2020, ZeRO, section 3.1, with fp16 there and bf16 here; the byte counts are the same), as
:data:`ADAM_MIXED_PRECISION_BYTES` lists:

======================================  =====
bf16 working weights                     2
bf16 gradients                           2
fp32 master copy of the weights          4
fp32 Adam first moment (momentum)        4
fp32 Adam second moment (variance)       4
======================================  =====

Full fine-tuning trains every parameter. LoRA (Hu et al. 2022) freezes the base weights and
trains a rank-``r`` update ``B A`` (``B``: ``d_out x r``, ``A``: ``r x d_in``) beside chosen
projection matrices, so only ``r (d_in + d_out)`` parameters per matrix carry the 16 bytes.
QLoRA (Dettmers et al. 2023) also stores the frozen base in 4 bits (NF4) plus quantization
constants, about 0.127 bits per parameter with double quantization (section 3). Activations
are left out: they depend on batch, sequence length and checkpointing.

>>> from llmhistory.concepts.models import get_config
>>> print(finetune_memory(get_config("llama-3-8b"), "full"))
full: 119.66 GiB (weights 14.96, gradients 14.96, optimizer states 89.75)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from llmhistory._validate import check_choice, check_instance, check_positive_int
from llmhistory.concepts.models import ModelConfig, count_parameters
from llmhistory.concepts.precision import MemoryEstimate, weight_bytes

__all__ = [
    "ADAM_MIXED_PRECISION_BYTES",
    "DEFAULT_LORA_TARGETS",
    "FINETUNE_METHODS",
    "LORA_TARGETS",
    "QLORA_CONSTANT_BITS",
    "finetune_memory",
    "lora_parameters",
]


#: Bytes per trainable parameter for Adam in mixed precision (Rajbhandari et al. 2020, §3.1).
ADAM_MIXED_PRECISION_BYTES: dict[str, int] = {
    "bf16 weights": 2,
    "bf16 gradients": 2,
    "fp32 master weights": 4,
    "fp32 Adam first moment": 4,
    "fp32 Adam second moment": 4,
}


_WEIGHT_BYTES = ADAM_MIXED_PRECISION_BYTES["bf16 weights"]
_GRADIENT_BYTES = ADAM_MIXED_PRECISION_BYTES["bf16 gradients"]
_OPTIMIZER_BYTES = sum(  # the fp32 master weights and the two Adam moments: 12
    n for part, n in ADAM_MIXED_PRECISION_BYTES.items() if part.startswith("fp32")
)


#: Bits per parameter of QLoRA's quantization constants with double quantization
#: (Dettmers et al. 2023, section 3: 8/64 + 32/(64 * 256) = 0.127).
QLORA_CONSTANT_BITS = 0.127


#: Fine-tuning methods of :func:`finetune_memory`.
FINETUNE_METHODS: tuple[str, ...] = ("full", "lora", "qlora")


#: Projection matrices LoRA can adapt: attention q, k, v, o and feed-forward gate, up, down.
LORA_TARGETS: tuple[str, ...] = ("q", "k", "v", "o", "gate", "up", "down")


#: The attention projections, the default targets of :func:`lora_parameters`.
DEFAULT_LORA_TARGETS: tuple[str, ...] = ("q", "k", "v", "o")


def _check_targets(targets: object) -> tuple[str, ...]:
    if isinstance(targets, str) or not isinstance(targets, Sequence):
        raise TypeError(
            f"targets must be a sequence of names from {', '.join(LORA_TARGETS)}, "
            f"got {type(targets).__name__}"
        )
    if not targets:
        raise ValueError("targets must name at least one projection")
    checked = tuple(str(check_choice("targets", t, LORA_TARGETS)) for t in targets)
    if len(set(checked)) != len(checked):
        raise ValueError(f"targets must not repeat a projection, got {list(checked)}")
    return checked


def _projection_shapes(c: ModelConfig) -> dict[str, tuple[int, int]]:
    """Return ``{target: (d_in, d_out)}`` of one layer's projection matrices."""
    q_width, kv_width = c.heads * c.head_dim, c.kv_heads * c.head_dim
    return {
        "q": (c.d_model, q_width),
        "k": (c.d_model, kv_width),
        "v": (c.d_model, kv_width),
        "o": (q_width, c.d_model),
        "gate": (c.d_model, c.d_ff),
        "up": (c.d_model, c.d_ff),
        "down": (c.d_ff, c.d_model),
    }


def lora_parameters(
    config: ModelConfig, rank: int, targets: Sequence[str] = DEFAULT_LORA_TARGETS
) -> int:
    """Return the trainable parameters LoRA adds to ``config`` at ``rank`` on ``targets``.

    A frozen ``d_out x d_in`` matrix ``W`` gets ``W + B A`` with ``A``: ``rank x d_in`` and
    ``B``: ``d_out x rank``, i.e. ``rank * (d_in + d_out)`` trainable parameters, in every
    layer. Feed-forward targets of a Mixture-of-Experts model are adapted in every expert. A
    gated (SwiGLU) network has all of gate, up and down; a GELU network has no ``gate``.

    Parameters
    ----------
    config : ModelConfig
    rank : int
        LoRA rank ``r``, ``>= 1``.
    targets : sequence of str, default ("q", "k", "v", "o")
        Projections to adapt, from :data:`LORA_TARGETS`; no repeats.

    Returns
    -------
    int
        Trainable adapter parameters of the whole model.

    Raises
    ------
    TypeError
        If ``config`` is not a ModelConfig, ``rank`` not an integer or ``targets`` not a
        sequence of str.
    ValueError
        If ``rank < 1``, ``targets`` is empty, repeats or names an unknown projection, or names
        ``"gate"`` for a model without a gated feed-forward network.

    Examples
    --------
    >>> from llmhistory.concepts.models import get_config
    >>> lora_parameters(get_config("llama-2-7b"), rank=8)
    8388608
    >>> lora_parameters(get_config("llama-3-8b"), rank=16, targets=("q", "v"))
    6815744
    """
    c = check_instance("config", config, ModelConfig)
    rank = check_positive_int("rank", rank)
    targets = _check_targets(targets)
    if "gate" in targets and c.ffn != "swiglu":
        raise ValueError(f"targets names 'gate' but {c.name} has a {c.ffn} feed-forward network")
    shapes = _projection_shapes(c)
    per_layer = 0
    for target in targets:
        d_in, d_out = shapes[target]
        copies = c.num_experts if target in ("gate", "up", "down") else 1
        per_layer += copies * rank * (d_in + d_out)
    return c.layers * per_layer


def finetune_memory(
    config: ModelConfig,
    method: str,
    *,
    rank: int = 16,
    targets: Sequence[str] = DEFAULT_LORA_TARGETS,
) -> MemoryEstimate:
    """Return the memory to fine-tune ``config`` with Adam: full, LoRA or QLoRA.

    Per parameter (``P`` base parameters, ``A`` LoRA parameters; activations not included):

    ============  ========================  ===============  ==============  ================
    method        weights                   constants        gradients       optimizer states
    ============  ========================  ===============  ==============  ================
    ``"full"``    ``2 P``                   0                ``2 P``         ``12 P``
    ``"lora"``    ``2 P + 2 A``             0                ``2 A``         ``12 A``
    ``"qlora"``   ``P / 2 + 2 A``           ``0.127 P / 8``  ``2 A``         ``12 A``
    ============  ========================  ===============  ==============  ================

    "optimizer states" is the fp32 master copy plus Adam's two fp32 moments (4 + 4 + 4 bytes).

    Parameters
    ----------
    config : ModelConfig
    method : {"full", "lora", "qlora"}
    rank : int, default 16
        LoRA rank (ignored for ``"full"``), ``>= 1``.
    targets : sequence of str, default ("q", "k", "v", "o")
        LoRA targets (ignored for ``"full"``), see :func:`lora_parameters`.

    Returns
    -------
    MemoryEstimate
        ``breakdown`` keys ``"weights"``, ``"quantization constants"``, ``"gradients"``,
        ``"optimizer states"``; ``trainable`` is ``P`` (full) or ``A`` (LoRA, QLoRA).

    Raises
    ------
    TypeError, ValueError
        As :func:`lora_parameters`; ``ValueError`` also for an unknown ``method``.

    Examples
    --------
    >>> from llmhistory.concepts.models import get_config
    >>> for method in FINETUNE_METHODS:
    ...     print(finetune_memory(get_config("llama-3-8b"), method))
    full: 119.66 GiB (weights 14.96, gradients 14.96, optimizer states 89.75)
    lora: 15.16 GiB (weights 14.98, gradients 0.03, optimizer states 0.15)
    qlora: 4.06 GiB (weights 3.76, quantization constants 0.12, gradients 0.03, optimizer states 0.15)
    """  # noqa: E501
    c = check_instance("config", config, ModelConfig)
    method = str(check_choice("method", method, FINETUNE_METHODS))
    parameters = count_parameters(c).total
    if method == "full":
        trainable = parameters
        base, constants = 0, 0
    else:
        trainable = lora_parameters(c, rank, targets)
        base = weight_bytes(parameters, "int4" if method == "qlora" else "bf16")
        # QLORA_CONSTANT_BITS per parameter, in exact arithmetic, rounded up to whole bytes.
        exact_bits = Fraction(str(QLORA_CONSTANT_BITS)) * parameters
        constants = math.ceil(exact_bits / 8) if method == "qlora" else 0
    return MemoryEstimate(
        label=method,
        breakdown={
            "weights": base + _WEIGHT_BYTES * trainable,
            "quantization constants": constants,
            "gradients": _GRADIENT_BYTES * trainable,
            "optimizer states": _OPTIMIZER_BYTES * trainable,
        },
        trainable=trainable,
    )
