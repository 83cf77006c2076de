"""The tiny model with quantized weights: bytes, logit error, perplexity and accuracy per scheme.

:func:`quantize_model` quantizes every matrix of the model's layers (attention and
feed-forward) with a :class:`~llmhistory.concepts.quantization.QuantScheme` and returns a model
whose weights are the dequantized values, plus the bytes the quantized matrices would take.
Computing with the dequantized weights gives exactly the outputs a kernel that dequantizes on
the fly would give (up to float rounding), so the errors measured here are the errors of the
scheme. The embedding (also the output head, tied) and the norm weights stay in float, as
GPTQ and AWQ leave them.

:func:`scheme_report` then measures, for one scheme, the largest logit change against the
float model, the perplexity of held-out text (:func:`perplexity`) and the label accuracy on
labelled messages. :func:`block_inputs` returns the real activations that enter a layer's
matrices, for the outlier discussion.

>>> from llmhistory.concepts.quantization import QuantScheme
>>> from llmhistory.tiny import load_tiny
>>> model, _ = load_tiny("float64")
>>> q = quantize_model(model, QuantScheme(bits=8))
>>> q.float_bytes // q.quantized_bytes  # float64 (8 bytes) against int8 plus row scales
7
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from llmhistory._validate import check_instance, check_int, check_sequence, check_str
from llmhistory.concepts.decoding import log_softmax
from llmhistory.concepts.quantization import QuantScheme, dequantize, quantize, quantized_bytes
from llmhistory.tiny.generation import label_accuracy
from llmhistory.tiny.model import TinyDecoder
from llmhistory.tiny.tokenizer import BPETokenizer

__all__ = [
    "QuantizedModel",
    "SchemeReport",
    "block_inputs",
    "held_out_texts",
    "layer_matrices",
    "perplexity",
    "quantize_model",
    "report_rows",
    "scheme_report",
]


def layer_matrices(model: TinyDecoder) -> list[str]:
    """Return the names of the model's layer matrices (attention and feed-forward), in order.

    >>> from llmhistory.tiny import load_tiny
    >>> layer_matrices(load_tiny()[0])[:2]
    ['model.layers.0.self_attn.q_proj.weight', 'model.layers.0.self_attn.k_proj.weight']
    """
    model = check_instance("model", model, TinyDecoder)
    return [
        name
        for name, array in model.state_dict().items()
        if name.startswith("model.layers.") and array.ndim == 2
    ]


@dataclass(frozen=True)
class QuantizedModel:
    """A model computing with dequantized weights, and what its layer matrices cost.

    Attributes
    ----------
    model : TinyDecoder
        Same config and dtype as the original; layer matrices replaced by their dequantized
        values.
    scheme : QuantScheme
    quantized_bytes : int
        Bytes of the layer matrices when stored quantized (packed levels, fp16 scales, zero
        points).
    float_bytes : int
        Bytes of the same matrices in the original dtype.
    """

    model: TinyDecoder
    scheme: QuantScheme
    quantized_bytes: int
    float_bytes: int


def quantize_model(model: TinyDecoder, scheme: QuantScheme) -> QuantizedModel:
    """Return ``model`` with every layer matrix quantized by ``scheme`` and dequantized.

    Parameters
    ----------
    model : TinyDecoder
    scheme : QuantScheme
        With ``granularity="group"``, ``group_size`` must divide every matrix's input width
        (``d_model`` and ``d_ff``).

    Returns
    -------
    QuantizedModel

    Raises
    ------
    TypeError
        If ``model`` or ``scheme`` has the wrong type.
    ValueError
        If ``group_size`` does not divide a matrix's input width (the message names it).
    """
    model = check_instance("model", model, TinyDecoder)
    scheme = check_instance("scheme", scheme, QuantScheme)
    weights = model.state_dict()
    stored = floats = 0
    for name in layer_matrices(model):
        try:
            qt = quantize(weights[name], scheme)
        except ValueError as error:
            raise ValueError(f"{name}: {error}") from None
        stored += quantized_bytes(qt)
        floats += weights[name].nbytes
        weights[name] = dequantize(qt).astype(model.dtype)
    return QuantizedModel(TinyDecoder(model.config, weights), scheme, stored, floats)


def held_out_texts(tickets: Sequence[object]) -> list[str]:
    """Return ``"Message: ...\\nLabel: ..."`` for each ticket, the corpus's bare-pair format.

    >>> from llmhistory.tiny.corpus import Ticket
    >>> held_out_texts([Ticket("I forgot my password.", "Account")])
    ['Message: I forgot my password.\\nLabel: Account']
    """
    if isinstance(tickets, (str, bytes)) or not isinstance(tickets, Sequence) or not tickets:
        raise ValueError("tickets must be a non-empty sequence of tickets")
    return [f"Message: {t.message}\nLabel: {t.label}" for t in tickets]  # type: ignore[attr-defined]


def perplexity(model: TinyDecoder, tokenizer: BPETokenizer, texts: Sequence[str]) -> float:
    """Return ``exp(mean negative log-likelihood)`` of ``texts``, each wrapped in bos/eos.

    Every token after ``<bos>`` is predicted from the ones before it (``<eos>`` included);
    the mean is over all predicted tokens of all texts.

    Parameters
    ----------
    model : TinyDecoder
    tokenizer : BPETokenizer
    texts : sequence of str
        Non-empty; each must fit the context with its two special tokens.

    Returns
    -------
    float
        ``>= 1``; the vocabulary size for a model that knows nothing.

    Examples
    --------
    >>> from llmhistory.tiny import load_tiny
    >>> model, tokenizer = load_tiny()
    >>> 1.0 < perplexity(model, tokenizer, ["Message: Where is my order?"]) < 50.0
    True
    """
    model = check_instance("model", model, TinyDecoder)
    tokenizer = check_instance("tokenizer", tokenizer, BPETokenizer)
    texts = check_sequence("texts", texts)
    if not texts:
        raise ValueError("texts must hold at least one text")
    total, count = 0.0, 0
    for i, text in enumerate(texts):
        ids = tokenizer.encode(check_str(f"texts[{i}]", text), add_bos=True, add_eos=True)
        logprobs = log_softmax(model.logits(ids[:-1]).astype(np.float64))  # [n - 1, vocab]
        total -= float(logprobs[np.arange(len(ids) - 1), ids[1:]].sum())
        count += len(ids) - 1
    return float(np.exp(total / count))


@dataclass(frozen=True)
class SchemeReport:
    """What one quantization scheme does to the tiny model.

    Attributes
    ----------
    label : str
        The scheme's label, or ``"float"`` for the original.
    layer_bytes : int
        Bytes of the layer matrices.
    max_logit_error : float
        Largest ``|logit - original logit|`` over every position of the probe texts.
    perplexity : float
        On the held-out texts.
    accuracy : float
        Label accuracy on the held-out tickets, in ``[0, 1]``.
    """

    label: str
    layer_bytes: int
    max_logit_error: float
    perplexity: float
    accuracy: float


def scheme_report(
    model: TinyDecoder,
    tokenizer: BPETokenizer,
    scheme: QuantScheme | None,
    texts: Sequence[str],
    tickets: Sequence[object],
    *,
    probes: int = 10,
) -> SchemeReport:
    """Return bytes, max logit error, held-out perplexity and label accuracy for ``scheme``.

    Parameters
    ----------
    model : TinyDecoder
        The float model.
    tokenizer : BPETokenizer
    scheme : QuantScheme or None
        None reports the float model itself (error 0).
    texts : sequence of str
        Held-out texts (e.g. :func:`held_out_texts` of the corpus's held-out split): the
        perplexity, and the first ``probes`` of them compared logit by logit.
    tickets : sequence of Ticket
        Labelled messages for the accuracy (e.g. the hand-written evaluation set).
    probes : int, default 10
        Texts compared logit by logit, ``>= 1``.

    Returns
    -------
    SchemeReport
    """
    model = check_instance("model", model, TinyDecoder)
    probes = check_int("probes", probes, minimum=1)
    texts = check_sequence("texts", texts, str)
    if scheme is None:
        candidate, label = model, "float"
        layer_bytes = sum(model.state_dict()[n].nbytes for n in layer_matrices(model))
    else:
        quantized = quantize_model(model, scheme)
        candidate, label, layer_bytes = quantized.model, scheme.label, quantized.quantized_bytes
    error = 0.0
    for text in texts[:probes]:
        ids = tokenizer.encode(text, add_bos=True)
        diff = np.abs(candidate.logits(ids) - model.logits(ids))
        error = max(error, float(diff.max()))
    return SchemeReport(
        label=label,
        layer_bytes=layer_bytes,
        max_logit_error=error,
        perplexity=perplexity(candidate, tokenizer, texts),
        accuracy=label_accuracy(candidate, tokenizer, list(tickets)),
    )


def report_rows(reports: Sequence[SchemeReport]) -> list[tuple]:
    """Return table rows: label, KiB, share of the first report's bytes, error, perplexity,
    accuracy.

    >>> r = [SchemeReport("float", 4096, 0.0, 3.0, 1.0), SchemeReport("int8", 1024, 0.1, 3.1, 1.0)]
    >>> report_rows(r)[1]
    ('int8', 1.0, 0.25, 0.1, 3.1, 1.0)
    """
    reports = check_sequence("reports", reports, SchemeReport)
    base = reports[0].layer_bytes
    return [
        (
            r.label,
            r.layer_bytes / 1024,
            r.layer_bytes / base,
            r.max_logit_error,
            r.perplexity,
            r.accuracy,
        )
        for r in reports
    ]


def block_inputs(model: TinyDecoder, token_ids: Sequence[int], layer: int = 0) -> np.ndarray:
    """Return the normalised hidden states that enter layer ``layer``'s q, k and v matrices.

    ``[tokens] -> [tokens, d_model]``: the real activations a quantized matrix product of
    that layer would see (observed as ``layers.{layer}.attn_norm``).

    >>> from llmhistory.tiny import load_tiny
    >>> model, tokenizer = load_tiny()
    >>> ids = tokenizer.encode("Hi", add_bos=True)
    >>> block_inputs(model, ids).shape == (len(ids), model.config.d_model)
    True
    """
    model = check_instance("model", model, TinyDecoder)
    layer = check_int("layer", layer, minimum=0)
    if layer >= model.config.layers:
        raise ValueError(f"layer={layer} must be < layers={model.config.layers}")
    seen: dict[str, np.ndarray] = {}

    def keep(name: str, array: np.ndarray) -> None:
        if name == f"layers.{layer}.attn_norm":
            seen["x"] = array.copy()

    model.logits(token_ids, observer=keep)
    return seen["x"]
