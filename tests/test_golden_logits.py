"""The NumPy decoder against logits stored from the PyTorch reference, on every run.

``tests/data/golden_logits.npz`` is written by ``python scripts/golden_logits.py`` (which needs
PyTorch) from ``TorchCausalLM`` in ``scripts/train_tiny.py``, the twin the model was trained
with. These tests need only NumPy, so ``make test`` checks the NumPy/PyTorch equivalence without
PyTorch installed; ``test_numpy_matches_torch`` (tests/test_decoder.py) and the ``torch``-marked
test below run the reference live where PyTorch is installed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from llmhistory.tiny import load_tiny
from llmhistory.tiny.checkpoint import CHECKPOINT_FILE
from llmhistory.tiny.model import TinyDecoder
from llmhistory.tiny.weights import from_hf_config

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "golden_logits.npz"
SCRIPT = ROOT / "scripts" / "golden_logits.py"
REGENERATE = "run python scripts/golden_logits.py (needs PyTorch: pip install torch==2.13.0)"

#: Largest allowed |NumPy logit - PyTorch logit|. Both compute in float32 (or NumPy in float64)
#: from the same float32 weights; only the order of the sums differs, which moves logits of
#: size ~10 by a few 1e-6 (measured at most 7.6e-6). A real error (a wrong mask, RoPE pairing,
#: norm or routing) moves them by 1e-2 or more.
TOLERANCE = 1e-4


def weights_sha256(model: TinyDecoder) -> str:
    """The same digest as ``weights_sha256`` in scripts/golden_logits.py."""
    digest = hashlib.sha256()
    for name, array in sorted(model.state_dict().items()):
        array = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
        digest.update(f"{name}:{array.dtype.str}:{array.shape};".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def golden() -> dict:
    if not GOLDEN.is_file():
        pytest.fail(f"{GOLDEN.relative_to(ROOT)} is missing: {REGENERATE}")
    with np.load(GOLDEN) as data:
        arrays = {name: data[name] for name in data.files}
    meta = json.loads(arrays.pop("meta").item())
    return {"meta": meta, **arrays}


@pytest.fixture(scope="module")
def checked(golden) -> dict:
    """The golden data, after checking it was made from the weights these tests load."""
    shipped = resources.files("llmhistory.tiny") / "data" / CHECKPOINT_FILE
    actual = hashlib.sha256(shipped.read_bytes()).hexdigest()
    expected = golden["meta"]["checkpoint_sha256"]
    if actual != expected:
        pytest.fail(
            f"tests/data/golden_logits.npz was made from another {CHECKPOINT_FILE} "
            f"(sha256 {expected[:12]}..., the shipped one is {actual[:12]}...): the model was "
            f"re-trained, so the stored reference logits are out of date; {REGENERATE}"
        )
    moe = golden["meta"]["moe"]
    if weights_sha256(moe_model(golden, "float32")) != moe["weights_sha256"]:
        pytest.fail(
            "TinyDecoder.random no longer draws the weights of the MoE case in "
            f"tests/data/golden_logits.npz; {REGENERATE}"
        )
    return golden


def moe_model(golden: dict, dtype: str) -> TinyDecoder:
    moe = golden["meta"]["moe"]
    config = from_hf_config(moe["config"])
    return TinyDecoder.random(config, seed=moe["seed"], std=moe["std"], dtype=dtype)


def numpy_model(golden: dict, case: str, dtype: str) -> TinyDecoder:
    if golden["meta"]["cases"][case]["model"] == "moe":
        return moe_model(golden, dtype)
    return load_tiny(dtype)[0]


CASES = ["bos", "label", "reply", "moe"]


def test_golden_file_is_small_and_covers_the_cases(golden):
    assert GOLDEN.stat().st_size < 10_000
    cases = golden["meta"]["cases"]
    assert sorted(cases) == sorted(CASES)
    lengths = {name: len(case["ids"]) for name, case in cases.items()}
    assert lengths["bos"] == 1 and lengths["label"] > 5 and lengths["reply"] > 5
    assert golden["label.last"].shape == (load_tiny()[0].config.vocab_size,)
    for name, case in cases.items():
        assert golden[name].dtype == np.float32
        assert golden[name].shape[0] == len(case["ids"])  # every position


def test_golden_file_matches_the_shipped_weights(checked):
    assert checked["meta"]["checkpoint_sha256"]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CASES)
def test_numpy_logits_match_the_pytorch_reference(checked, case, dtype):
    meta = checked["meta"]["cases"][case]
    model = numpy_model(checked, case, dtype)
    logits = model.logits(meta["ids"])
    assert logits.dtype == np.dtype(dtype)
    stored = checked[case]
    ours = logits[:, :: meta["column_stride"]]
    assert ours.shape == stored.shape
    gap = np.abs(ours - stored).max()
    assert gap <= TOLERANCE, f"{case}: max |NumPy - PyTorch| = {gap:.2e} over every position"
    if f"{case}.last" in checked:
        gap = np.abs(logits[-1] - checked[f"{case}.last"]).max()
        assert gap <= TOLERANCE, f"{case}: max |NumPy - PyTorch| = {gap:.2e} at the last position"


def test_a_wrong_model_is_caught(checked):
    """The tolerance is tight enough to see a small change to the weights."""
    model = load_tiny()[0]
    state = model.state_dict()
    state["model.norm.weight"] = state["model.norm.weight"] * np.float32(1.001)
    meta = checked["meta"]["cases"]["label"]
    nudged = TinyDecoder(model.config, state).logits(meta["ids"])
    assert np.abs(nudged[-1] - checked["label.last"]).max() > 10 * TOLERANCE


@pytest.mark.torch
def test_stored_logits_are_what_pytorch_computes_now(golden):
    """With PyTorch installed: the script reproduces the stored file (same ids, same logits)."""
    spec = importlib.util.spec_from_file_location("golden_logits", SCRIPT)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    fresh = script.golden_arrays()
    meta = json.loads(fresh.pop("meta").item())
    assert meta["cases"] == golden["meta"]["cases"], REGENERATE
    assert meta["checkpoint_sha256"] == golden["meta"]["checkpoint_sha256"], REGENERATE
    assert sorted(fresh) == sorted(k for k in golden if k != "meta")
    for name, array in fresh.items():
        np.testing.assert_allclose(array, golden[name], rtol=0, atol=TOLERANCE, err_msg=name)
