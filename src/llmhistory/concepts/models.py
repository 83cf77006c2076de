"""Published decoder-only configurations and the parameter counts they imply.

:class:`ModelConfig` is the one description of an architecture in the library: the registry's
published models and the book's tiny model (:mod:`llmhistory.tiny.model`) use it alike. Each
:class:`ModelConfig` in the registry copies the sizes its paper or model card states, with
that source recorded as a string (nothing is downloaded). :func:`count_parameters` rebuilds
the headline parameter count from the shapes alone, which is how the book checks that it has
understood each architecture: GPT-2 small comes to 124.4M, Llama 2 7B to 6.74B, and Mixtral
8x7B to 46.7B total but 12.9B active per token.

>>> f"{count_parameters(get_config('gpt2')).total:,}"
'124,439,808'
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields

from llmhistory._validate import (
    check_bool,
    check_choice,
    check_instance,
    check_int,
    check_positive_float,
    check_positive_int,
    check_str,
)

__all__ = [
    "ModelConfig",
    "ParameterCount",
    "attention_label",
    "count_parameters",
    "describe",
    "get_config",
    "list_configs",
]

FFN_KINDS = ("gelu", "swiglu")
NORM_KINDS = ("layernorm", "rmsnorm")


@dataclass(frozen=True, kw_only=True)
class ModelConfig:
    """Shapes of a decoder-only Transformer: enough to count its parameters and KV cache.

    All fields are keyword-only.

    Attributes
    ----------
    name : str
        Registry key, e.g. ``"llama-3-8b"``.
    d_model : int
        Hidden width.
    layers : int
        Transformer blocks.
    heads : int
        Query heads per layer.
    kv_heads : int, optional
        Key/Value heads per layer; must divide ``heads``. Default ``heads`` (MHA).
    head_dim : int, optional
        Width of one head. Default ``d_model // heads`` (then ``heads`` must divide ``d_model``).
    d_ff : int
        Inner width of the feed-forward network (of one expert, for MoE).
    vocab_size : int
        Token vocabulary.
    context : int
        Maximum sequence length in tokens.
    ffn : {"gelu", "swiglu"}, default "swiglu"
        ``"gelu"``: two matrices (up, down). ``"swiglu"``: three (gate, up, down).
    norm : {"layernorm", "rmsnorm"}, default "rmsnorm"
        LayerNorm has a weight and a bias per channel; RMSNorm a weight only.
    tied_embeddings : bool, default False
        The output head reuses the token-embedding matrix.
    learned_positions : bool, default False
        A learned ``context x d_model`` position table (GPT-2/3); otherwise positions come from
        RoPE and add no parameters.
    attention_bias : bool, default False
        Biases on the Q, K, V and output projections.
    mlp_bias : bool, default False
        Biases on the feed-forward matrices.
    num_experts : int, default 1
        Routed feed-forward experts per MoE layer (1 for a dense model).
    experts_per_token : int, default 1
        Routed experts each token is sent to; ``<= num_experts``.
    shared_experts : int, default 0
        Experts every token passes through besides its routed ones (DeepSeekMoE's
        ``n_shared_experts``); only with ``num_experts > 1``.
    moe_d_ff : int or None, default None
        Inner width of one expert (``moe_intermediate_size``); default ``d_ff``. With it,
        ``d_ff`` is the width of the dense feed-forward layers only.
    dense_layers : int, default 0
        The first ``dense_layers`` blocks keep a dense feed-forward layer of width ``d_ff``
        (DeepSeek-V3's ``first_k_dense_replace``); only with ``num_experts > 1``.
    router_bias : bool, default False
        One bias per routed expert on the router (DeepSeek-V3's ``e_score_correction_bias``,
        used for auxiliary-loss-free load balancing).
    qkv_bias : bool, default False
        Biases on the Q, K and V projections only, not the output projection (Qwen2).
    kv_lora_rank : int or None, default None
        Multi-head latent attention (MLA, DeepSeek-V2/V3): width of the compressed latent from
        which every head's keys and values are rebuilt. ``None``: ordinary K/V heads. With MLA,
        ``head_dim`` is the width of a head's query/key part without RoPE (``qk_nope_head_dim``)
        and ``kv_heads`` is unused by the cache.
    q_lora_rank : int or None, default None
        MLA: width of the compressed query latent; ``None`` projects queries directly.
    rope_head_dim : int or None, default None
        MLA: width of the decoupled RoPE part of each query and of the one shared RoPE key
        (``qk_rope_head_dim``); required with ``kv_lora_rank``.
    v_head_dim : int or None, default None
        MLA: width of a value head; default ``head_dim``.
    rope_base : float or None, default None
        RoPE base (``rope_theta``) when positions are rotary.
    sliding_window : int or None, default None
        Attention window in tokens when attention is local (Mistral 7B v0.1: 4096).
    norm_eps : float, default 1e-5
        The epsilon added inside each norm (``rms_norm_eps`` / ``layer_norm_epsilon``).
    source : str, default ""
        Where the numbers come from: paper or model card, with URL.
    notes : str, default ""
        Caveats worth a sentence in the text.
    """

    name: str
    d_model: int
    layers: int
    heads: int
    kv_heads: int | None = None
    head_dim: int | None = None
    d_ff: int
    vocab_size: int
    context: int
    ffn: str = "swiglu"
    norm: str = "rmsnorm"
    tied_embeddings: bool = False
    learned_positions: bool = False
    attention_bias: bool = False
    mlp_bias: bool = False
    num_experts: int = 1
    experts_per_token: int = 1
    shared_experts: int = 0
    moe_d_ff: int | None = None
    dense_layers: int = 0
    router_bias: bool = False
    qkv_bias: bool = False
    kv_lora_rank: int | None = None
    q_lora_rank: int | None = None
    rope_head_dim: int | None = None
    v_head_dim: int | None = None
    rope_base: float | None = None
    sliding_window: int | None = None
    norm_eps: float = 1e-5
    source: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        check_str("name", self.name)
        for field in ("d_model", "layers", "heads", "d_ff", "vocab_size", "context"):
            check_positive_int(field, getattr(self, field))
        kv_heads = self.heads if self.kv_heads is None else self.kv_heads
        kv_heads = check_positive_int("kv_heads", kv_heads)
        if self.heads % kv_heads:
            raise ValueError(f"kv_heads={kv_heads} must divide heads={self.heads}")
        if self.head_dim is None:
            if self.d_model % self.heads:
                raise ValueError(
                    f"heads={self.heads} must divide d_model={self.d_model} "
                    "when head_dim is not given"
                )
            head_dim = self.d_model // self.heads
        else:
            head_dim = check_positive_int("head_dim", self.head_dim)
        object.__setattr__(self, "kv_heads", int(kv_heads))
        object.__setattr__(self, "head_dim", int(head_dim))
        check_choice("ffn", self.ffn, FFN_KINDS)
        check_choice("norm", self.norm, NORM_KINDS)
        for field in (
            "tied_embeddings",
            "learned_positions",
            "attention_bias",
            "mlp_bias",
            "router_bias",
            "qkv_bias",
        ):
            check_bool(field, getattr(self, field))
        num_experts = check_positive_int("num_experts", self.num_experts)
        experts_per_token = check_positive_int("experts_per_token", self.experts_per_token)
        if experts_per_token > num_experts:
            raise ValueError(
                f"experts_per_token={experts_per_token} must be <= num_experts={num_experts}"
            )
        if self.attention_bias and self.qkv_bias:
            raise ValueError("attention_bias already includes qkv_bias; set only one")
        self._check_moe_extras(num_experts)
        self._check_mla()
        if self.rope_base is not None:
            check_positive_float("rope_base", self.rope_base)
        if self.sliding_window is not None:
            check_positive_int("sliding_window", self.sliding_window)
        check_positive_float("norm_eps", self.norm_eps)
        check_str("source", self.source, allow_empty=True)
        check_str("notes", self.notes, allow_empty=True)

    def _check_moe_extras(self, num_experts: int) -> None:
        shared = check_int("shared_experts", self.shared_experts, minimum=0)
        dense = check_int("dense_layers", self.dense_layers, minimum=0)
        if self.moe_d_ff is not None:
            check_positive_int("moe_d_ff", self.moe_d_ff)
        if num_experts == 1:
            for field, value, default in (
                ("shared_experts", shared, 0),
                ("dense_layers", dense, 0),
                ("moe_d_ff", self.moe_d_ff, None),
                ("router_bias", self.router_bias, False),
            ):
                if value != default:
                    raise ValueError(f"{field}={value!r} needs num_experts > 1")
        if dense > self.layers:
            raise ValueError(f"dense_layers={dense} must be <= layers={self.layers}")

    def _check_mla(self) -> None:
        mla_only = ("q_lora_rank", "rope_head_dim", "v_head_dim")
        if self.kv_lora_rank is None:
            for field in mla_only:
                if getattr(self, field) is not None:
                    raise ValueError(f"{field} needs kv_lora_rank (multi-head latent attention)")
            return
        check_positive_int("kv_lora_rank", self.kv_lora_rank)
        if self.rope_head_dim is None:
            raise ValueError("rope_head_dim must be given with kv_lora_rank")
        check_int("rope_head_dim", self.rope_head_dim, minimum=0)
        for field in ("q_lora_rank", "v_head_dim"):
            if getattr(self, field) is not None:
                check_positive_int(field, getattr(self, field))
        if self.attention_bias or self.qkv_bias:
            raise ValueError("attention_bias and qkv_bias are not supported with kv_lora_rank")

    def __repr__(self) -> str:
        """Return the constructor call with the fields that differ from their defaults.

        ``source`` and ``notes`` are left out.

        >>> get_config("llama-3-8b")  # doctest: +ELLIPSIS
        ModelConfig(name='llama-3-8b', d_model=4096, ..., context=8192, rope_base=500000.0)
        """
        shown = [
            f"{f.name}={getattr(self, f.name)!r}"
            for f in fields(self)
            if f.name not in ("source", "notes")
            and (f.default is MISSING or getattr(self, f.name) != f.default)
        ]
        return f"ModelConfig({', '.join(shown)})"

    @property
    def is_moe(self) -> bool:
        """True when the feed-forward layer has more than one expert."""
        return self.num_experts > 1

    @property
    def is_mla(self) -> bool:
        """True when attention is multi-head latent attention (``kv_lora_rank`` is set)."""
        return self.kv_lora_rank is not None

    @property
    def attention_kind(self) -> str:
        """``"MLA"`` with a latent KV cache, else ``"MHA"``, ``"GQA"`` or ``"MQA"``.

        The last three are :func:`attention_label` of its heads.
        """
        if self.is_mla:
            return "MLA"
        return attention_label(self.heads, self.kv_heads)  # type: ignore[arg-type]


def attention_label(heads: int, kv_heads: int) -> str:
    """Return ``"MHA"`` (``kv_heads == heads``), ``"MQA"`` (``kv_heads == 1``) or ``"GQA"``.

    Multi-head attention keeps one Key/Value head per query head, multi-query attention one
    for all (Shazeer 2019), grouped-query attention one per group (Ainslie et al. 2023). One
    head is multi-head attention.

    Raises
    ------
    TypeError
        If a count is not an integer.
    ValueError
        If a count is < 1 or ``kv_heads`` does not divide ``heads``.

    Examples
    --------
    >>> [attention_label(32, kv) for kv in (32, 8, 1)]
    ['MHA', 'GQA', 'MQA']
    """
    heads = check_positive_int("heads", heads)
    kv_heads = check_positive_int("kv_heads", kv_heads)
    if heads % kv_heads:
        raise ValueError(f"kv_heads={kv_heads} must divide heads={heads}")
    if kv_heads == heads:
        return "MHA"
    return "MQA" if kv_heads == 1 else "GQA"


@dataclass(frozen=True)
class ParameterCount:
    """Parameter totals of a model (see :func:`count_parameters`).

    Attributes
    ----------
    total : int
        Every stored parameter.
    active : int
        Parameters a single token passes through: ``total`` minus the experts it is not routed
        to. Equal to ``total`` for dense models.
    breakdown : dict of str to int
        ``embeddings``, ``positions``, ``attention``, ``feed_forward``, ``router``, ``norms``,
        ``output_head``; the values sum to ``total``.
    """

    total: int
    active: int
    breakdown: dict[str, int]


def count_parameters(config: ModelConfig) -> ParameterCount:
    """Return total and active parameters of ``config``, with a per-component breakdown.

    Per layer: Q and output projections ``d_model * heads * head_dim`` each, K and V
    ``d_model * kv_heads * head_dim`` each (plus biases with ``attention_bias`` or
    ``qkv_bias``); per expert ``2`` (GELU) or ``3`` (SwiGLU) ``d_model * d_ff`` matrices (plus
    biases with ``mlp_bias``); a ``d_model * num_experts`` router for MoE; two norms. Plus token
    embeddings, learned positions if any, a final norm, and an output head unless tied.

    Multi-head latent attention (``kv_lora_rank``, DeepSeek-V2/V3) replaces Q, K and V by
    low-rank projections: queries ``d_model -> q_lora_rank`` (with an RMSNorm) ``-> heads *
    (head_dim + rope_head_dim)``; keys and values ``d_model -> kv_lora_rank + rope_head_dim``,
    an RMSNorm on the latent, then ``kv_lora_rank -> heads * (head_dim + v_head_dim)``; output
    ``heads * v_head_dim -> d_model``. Those two latent norms are counted under ``attention``.

    An MoE layer holds ``num_experts`` routed and ``shared_experts`` shared experts of width
    ``moe_d_ff`` (default ``d_ff``) and the router (plus a bias per expert with
    ``router_bias``); the first ``dense_layers`` blocks keep a dense feed-forward layer of width
    ``d_ff``. A token passes through the shared experts and ``experts_per_token`` routed ones:
    ``active`` leaves out the other routed experts of every MoE layer.

    Parameters
    ----------
    config : ModelConfig

    Returns
    -------
    ParameterCount

    Raises
    ------
    TypeError
        If ``config`` is not a :class:`ModelConfig`.

    Examples
    --------
    >>> count = count_parameters(get_config("mixtral-8x7b"))
    >>> round(count.total / 1e9, 1), round(count.active / 1e9, 1)
    (46.7, 12.9)
    >>> count = count_parameters(get_config("deepseek-v3"))
    >>> round(count.total / 1e9, 1), round(count.active / 1e9, 1)
    (671.0, 37.6)
    """
    c = check_instance("config", config, ModelConfig)
    d = c.d_model
    matrices = 3 if c.ffn == "swiglu" else 2

    def ffn(width: int) -> int:  # one expert or one dense feed-forward layer
        biases = (matrices - 1) * width + d if c.mlp_bias else 0  # gate/up biases; down bias
        return matrices * d * width + biases

    moe_layers = c.layers - c.dense_layers if c.is_moe else 0
    per_expert = ffn(c.d_ff if c.moe_d_ff is None else c.moe_d_ff)
    experts = c.num_experts + c.shared_experts
    router = d * c.num_experts + (c.num_experts if c.router_bias else 0)
    per_norm = 2 * d if c.norm == "layernorm" else d
    breakdown = {
        "embeddings": c.vocab_size * d,
        "positions": c.context * d if c.learned_positions else 0,
        "attention": c.layers * _attention_parameters(c),
        "feed_forward": (c.layers - moe_layers) * ffn(c.d_ff) + moe_layers * experts * per_expert,
        "router": moe_layers * router,
        "norms": (2 * c.layers + 1) * per_norm,
        "output_head": 0 if c.tied_embeddings else c.vocab_size * d,
    }
    total = sum(breakdown.values())
    inactive = moe_layers * (c.num_experts - c.experts_per_token) * per_expert
    return ParameterCount(total=total, active=total - inactive, breakdown=breakdown)


def _attention_parameters(c: ModelConfig) -> int:
    """Parameters of one layer's attention (projections, biases, MLA's latent norms)."""
    d, hd, heads = c.d_model, c.head_dim, c.heads
    if c.is_mla:
        rope = c.rope_head_dim
        v_dim = hd if c.v_head_dim is None else c.v_head_dim
        q_width = heads * (hd + rope)
        if c.q_lora_rank is None:
            q = d * q_width
        else:
            q = d * c.q_lora_rank + c.q_lora_rank + c.q_lora_rank * q_width  # down, norm, up
        kv = d * (c.kv_lora_rank + rope) + c.kv_lora_rank  # down (latent and RoPE key), norm
        kv += c.kv_lora_rank * heads * (hd + v_dim)  # up to every head's key and value
        return q + kv + heads * v_dim * d  # ... and the output projection
    q_width, kv_width = heads * hd, c.kv_heads * hd
    attention = 2 * d * q_width + 2 * d * kv_width  # q, o; k, v
    if c.attention_bias:
        attention += q_width + 2 * kv_width + d  # q, k, v biases; output bias
    elif c.qkv_bias:
        attention += q_width + 2 * kv_width
    return attention


def _gpt2(name: str, d_model: int, layers: int, heads: int, **extra: object) -> ModelConfig:
    fields: dict = {
        "d_ff": 4 * d_model,
        "vocab_size": 50257,
        "context": 1024,
        "ffn": "gelu",
        "norm": "layernorm",
        "tied_embeddings": True,
        "learned_positions": True,
        "attention_bias": True,
        "mlp_bias": True,
        "source": (
            "Radford et al. 2019, Language Models are Unsupervised Multitask Learners, Table 2; "
            "OpenAI GPT-2 source, https://github.com/openai/gpt-2"
        ),
    }
    fields.update(extra)
    return ModelConfig(name=name, d_model=d_model, layers=layers, heads=heads, **fields)


_LLAMA_2 = (
    "Touvron et al. 2023, Llama 2: Open Foundation and Fine-Tuned Chat Models, "
    "https://arxiv.org/abs/2307.09288; config of https://huggingface.co/meta-llama/{}"
)
_LLAMA_3 = (
    "Meta 2024, Llama 3 model card, https://huggingface.co/meta-llama/{}; "
    "Grattafiori et al. 2024, The Llama 3 Herd of Models, https://arxiv.org/abs/2407.21783"
)

_REGISTRY: dict[str, ModelConfig] = {
    c.name: c
    for c in (
        _gpt2("gpt2", d_model=768, layers=12, heads=12),
        _gpt2("gpt2-xl", d_model=1600, layers=48, heads=25),
        _gpt2(
            "gpt3-175b",
            d_model=12288,
            layers=96,
            heads=96,
            context=2048,
            source=(
                "Brown et al. 2020, Language Models are Few-Shot Learners, Table 2.1, "
                "https://arxiv.org/abs/2005.14165"
            ),
            notes=(
                "Same block as GPT-2, but layers alternate dense and locally banded sparse "
                "attention; the sparsity changes compute, not the parameter count."
            ),
        ),
        ModelConfig(
            name="llama-2-7b",
            d_model=4096,
            layers=32,
            heads=32,
            kv_heads=32,
            d_ff=11008,
            vocab_size=32000,
            context=4096,
            rope_base=10000.0,
            source=_LLAMA_2.format("Llama-2-7b-hf"),
        ),
        ModelConfig(
            name="llama-2-70b",
            d_model=8192,
            layers=80,
            heads=64,
            kv_heads=8,
            d_ff=28672,
            vocab_size=32000,
            context=4096,
            rope_base=10000.0,
            source=_LLAMA_2.format("Llama-2-70b-hf"),
            notes="Only the 34B and 70B Llama 2 models use grouped-query attention.",
        ),
        ModelConfig(
            name="llama-3-8b",
            d_model=4096,
            layers=32,
            heads=32,
            kv_heads=8,
            d_ff=14336,
            vocab_size=128256,
            context=8192,
            rope_base=500000.0,
            source=_LLAMA_3.format("Meta-Llama-3-8B"),
        ),
        ModelConfig(
            name="llama-3-70b",
            d_model=8192,
            layers=80,
            heads=64,
            kv_heads=8,
            d_ff=28672,
            vocab_size=128256,
            context=8192,
            rope_base=500000.0,
            source=_LLAMA_3.format("Meta-Llama-3-70B"),
        ),
        ModelConfig(
            name="mistral-7b",
            d_model=4096,
            layers=32,
            heads=32,
            kv_heads=8,
            d_ff=14336,
            vocab_size=32000,
            context=32768,
            rope_base=10000.0,
            sliding_window=4096,
            source=(
                "Jiang et al. 2023, Mistral 7B, Table 1, https://arxiv.org/abs/2310.06825; "
                "config of https://huggingface.co/mistralai/Mistral-7B-v0.1"
            ),
            notes=(
                "v0.1: each layer attends within a 4096-token sliding window, so a rolling "
                "KV cache needs at most 4096 positions per layer although context is 32768."
            ),
        ),
        ModelConfig(
            name="mixtral-8x7b",
            d_model=4096,
            layers=32,
            heads=32,
            kv_heads=8,
            d_ff=14336,
            vocab_size=32000,
            context=32768,
            num_experts=8,
            experts_per_token=2,
            rope_base=1000000.0,
            source=(
                "Jiang et al. 2024, Mixtral of Experts, Table 1, https://arxiv.org/abs/2401.04088"
            ),
            notes="Sparse MoE: 8 SwiGLU experts per layer, each token routed to 2.",
        ),
        ModelConfig(
            name="qwen2.5-7b",
            d_model=3584,
            layers=28,
            heads=28,
            kv_heads=4,
            d_ff=18944,
            vocab_size=152064,
            context=131072,
            qkv_bias=True,
            rope_base=1000000.0,
            norm_eps=1e-6,
            source=(
                "Qwen Team 2024, Qwen2.5 Technical Report, https://arxiv.org/abs/2412.15115; "
                "config of https://huggingface.co/Qwen/Qwen2.5-7B"
            ),
            notes=(
                "Biases on the Q, K and V projections only (not the output projection); "
                "untied input and output embeddings."
            ),
        ),
        ModelConfig(
            name="llama-3.1-405b",
            d_model=16384,
            layers=126,
            heads=128,
            kv_heads=8,
            d_ff=53248,
            vocab_size=128256,
            context=131072,
            rope_base=500000.0,
            source=_LLAMA_3.format("Llama-3.1-405B"),
            notes="The context of 131072 tokens comes from rescaled RoPE frequencies (llama3).",
        ),
        ModelConfig(
            name="deepseek-v3",
            d_model=7168,
            layers=61,
            heads=128,
            kv_heads=128,
            head_dim=128,
            d_ff=18432,
            vocab_size=129280,
            context=163840,
            num_experts=256,
            experts_per_token=8,
            shared_experts=1,
            moe_d_ff=2048,
            dense_layers=3,
            router_bias=True,
            kv_lora_rank=512,
            q_lora_rank=1536,
            rope_head_dim=64,
            v_head_dim=128,
            rope_base=10000.0,
            norm_eps=1e-6,
            source=(
                "DeepSeek-AI 2024, DeepSeek-V3 Technical Report, "
                "https://arxiv.org/abs/2412.19437; config of "
                "https://huggingface.co/deepseek-ai/DeepSeek-V3 and "
                "https://github.com/deepseek-ai/DeepSeek-V3 (inference/configs/config_671B.json)"
            ),
            notes=(
                "MLA and DeepSeekMoE: 3 dense blocks, then 58 MoE blocks of 1 shared and 256 "
                "routed experts, 8 routed per token. The 685B Hugging Face checkpoint adds a "
                "14B multi-token-prediction module (one more block) that is not counted here."
            ),
        ),
    )
}


def list_configs() -> list[str]:
    """Return the names of the registered configurations, in registry order.

    Examples
    --------
    >>> list_configs()[:3]
    ['gpt2', 'gpt2-xl', 'gpt3-175b']
    """
    return list(_REGISTRY)


def get_config(name: str) -> ModelConfig:
    """Return the registered :class:`ModelConfig` called ``name``.

    Parameters
    ----------
    name : str
        One of :func:`list_configs`, e.g. ``"llama-3-8b"``.

    Returns
    -------
    ModelConfig
        Frozen; derive a variant with ``dataclasses.replace(config, kv_heads=1)`` (``head_dim``
        is already resolved, so changing ``d_model`` or ``heads`` keeps the old ``head_dim``
        unless you pass ``head_dim=None``).

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    ValueError
        If ``name`` is not registered; the message lists the known names.

    Examples
    --------
    >>> get_config("llama-3-8b").kv_heads
    8
    """
    name = check_str("name", name)
    if name not in _REGISTRY:
        raise ValueError(f"name must be one of {', '.join(_REGISTRY)}; got {name!r}")
    return _REGISTRY[name]


def describe(config: ModelConfig) -> str:
    """Return a one-line summary of ``config``: shapes, block choices and parameter count.

    Parameters
    ----------
    config : ModelConfig

    Returns
    -------
    str

    Raises
    ------
    TypeError
        If ``config`` is not a :class:`ModelConfig`.

    Examples
    --------
    >>> describe(get_config("llama-3-8b"))
    'llama-3-8b: 32 layers, d_model 4096, 32 heads / 8 kv_heads (GQA), SwiGLU, RMSNorm, RoPE, vocab 128256, context 8192; 8.03B parameters'
    """  # noqa: E501
    c = check_instance("config", config, ModelConfig)
    count = count_parameters(c)
    parts = [
        f"{c.layers} layers",
        f"d_model {c.d_model}",
        (
            f"{c.heads} heads, MLA (latent {c.kv_lora_rank} + RoPE key {c.rope_head_dim})"
            if c.is_mla
            else f"{c.heads} heads / {c.kv_heads} kv_heads ({c.attention_kind})"
        ),
        "SwiGLU" if c.ffn == "swiglu" else "GELU MLP",
        "RMSNorm" if c.norm == "rmsnorm" else "LayerNorm",
        "learned positions" if c.learned_positions else "RoPE",
    ]
    if c.is_moe:
        parts.append(f"{c.num_experts} experts, top-{c.experts_per_token}")
        if c.shared_experts:
            parts.append(f"{c.shared_experts} shared")
        if c.dense_layers:
            parts.append(f"first {c.dense_layers} blocks dense")
    if c.sliding_window is not None:
        parts.append(f"sliding window {c.sliding_window}")
    parts += [f"vocab {c.vocab_size}", f"context {c.context}"]
    size = f"{_billions(count.total)} parameters"
    if count.active != count.total:
        size = f"{_billions(count.total)} total / {_billions(count.active)} active parameters"
    return f"{c.name}: {', '.join(parts)}; {size}"


def _billions(n: int) -> str:
    return f"{n / 1e9:.2f}B" if n >= 1e9 else f"{n / 1e6:.1f}M"
