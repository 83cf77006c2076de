"""Tests of llmhistory.tiny.weights: the safetensors file format and model save/load."""

from __future__ import annotations

import json
import os
import struct
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from llmhistory.tiny import weights as weights_module
from llmhistory.tiny.checkpoint import CHECKPOINT_FILE, load_model, save_model
from llmhistory.tiny.model import TinyDecoder, tiny_config
from llmhistory.tiny.weights import (
    SAFETENSORS_DTYPES,
    load_safetensors,
    save_safetensors,
    to_hf_config,
)

# st.text()'s own alphabet (all code points but surrogates), without its slow codec table:
# see "Text" in tests/conftest.py.
UNICODE = st.characters(exclude_categories=("Cs",))

BASE = tiny_config(vocab_size=30, d_model=8, layers=2, heads=2, kv_heads=1, d_ff=12, context=16)
VARIANTS = {
    "tied": BASE,
    "untied": replace(BASE, tied_embeddings=False),
    "moe": replace(BASE, num_experts=3, experts_per_token=2),
}


def write_raw(path, header: dict, data: bytes, *, pad: bool = True) -> None:
    encoded = json.dumps(header).encode()
    if pad:
        encoded += b" " * (-len(encoded) % 8)
    path.write_bytes(struct.pack("<Q", len(encoded)) + encoded + data)


class TestFormat:
    def test_layout(self, tmp_path):
        path = save_safetensors(
            tmp_path / "a.safetensors",
            {"b": np.array([1.0, 2.0], dtype=np.float32), "a": np.arange(3, dtype=np.int64)},
            {"k": "v"},
        )
        raw = path.read_bytes()
        (size,) = struct.unpack("<Q", raw[:8])
        assert size % 8 == 0
        header = json.loads(raw[8 : 8 + size])
        assert header["__metadata__"] == {"k": "v"}
        assert header["a"] == {"dtype": "I64", "shape": [3], "data_offsets": [0, 24]}
        assert header["b"] == {"dtype": "F32", "shape": [2], "data_offsets": [24, 32]}
        assert raw[8 + size + 24 :] == struct.pack("<2f", 1.0, 2.0)  # little-endian floats
        assert path.stat().st_mode & 0o777 == 0o644

    def test_big_endian_input_written_little_endian(self, tmp_path):
        path = tmp_path / "be.safetensors"
        save_safetensors(path, {"x": np.array([1.5, -2.0], dtype=">f8")})
        tensors, metadata = load_safetensors(path)
        assert tensors["x"].tolist() == [1.5, -2.0] and metadata == {}
        assert path.read_bytes()[-16:] == struct.pack("<2d", 1.5, -2.0)

    @settings(max_examples=40)
    @given(
        st.dictionaries(
            st.text(UNICODE, min_size=1, max_size=8).filter(
                lambda s: s.strip() and s != "__metadata__"
            ),
            hnp.arrays(
                st.sampled_from([np.float16, np.float32, np.float64, np.int32, np.uint8, bool]),
                hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
            ),
            max_size=4,
        )
    )
    def test_round_trip_any_tensors(self, tmp_path_factory, tensors):
        path = tmp_path_factory.mktemp("rt") / "x.safetensors"
        save_safetensors(path, tensors)
        loaded, _ = load_safetensors(path)
        assert loaded.keys() == tensors.keys()
        for name, array in tensors.items():
            assert loaded[name].dtype == array.dtype and loaded[name].shape == array.shape
            assert np.array_equal(loaded[name], array, equal_nan=array.dtype.kind == "f")

    def test_all_dtype_codes_known(self):
        assert set(SAFETENSORS_DTYPES) == {
            "F16",
            "F32",
            "F64",
            "I8",
            "I16",
            "I32",
            "I64",
            "U8",
            "BOOL",
        }


class TestModel:
    @pytest.mark.parametrize("name", VARIANTS)
    def test_save_load_forward_identical(self, tmp_path, name):
        model = TinyDecoder.random(VARIANTS[name], seed=3, std=0.3)
        path = save_model(model, tmp_path / "m.safetensors")
        loaded = load_model(path)
        assert loaded.config == model.config
        ids = [1, 5, 7, 2, 29]
        assert np.array_equal(loaded.logits(ids), model.logits(ids))
        for key, array in model.state_dict().items():
            assert np.array_equal(loaded.state_dict()[key], array)

    def test_hf_names_and_metadata(self, tmp_path):
        path = save_model(TinyDecoder.random(VARIANTS["untied"]), tmp_path / "m.safetensors")
        raw = path.read_bytes()
        header = json.loads(raw[8 : 8 + struct.unpack("<Q", raw[:8])[0]])
        metadata = header.pop("__metadata__")
        assert metadata["format"] == "pt"
        assert json.loads(metadata["config"]) == to_hf_config(VARIANTS["untied"])
        assert "model.embed_tokens.weight" in header and "lm_head.weight" in header
        assert header["model.layers.0.self_attn.q_proj.weight"]["shape"] == [8, 8]
        assert header["model.layers.0.self_attn.k_proj.weight"]["shape"] == [4, 8]
        assert header["model.layers.1.mlp.down_proj.weight"]["shape"] == [8, 12]
        assert header["model.norm.weight"]["dtype"] == "F32"

    def test_float16_storage(self, tmp_path):
        model = TinyDecoder.random(BASE, seed=1)
        path = save_model(model, tmp_path / "h.safetensors", dtype="float16")
        loaded = load_model(path)
        assert loaded.dtype == np.float32
        assert np.abs(loaded.logits([1, 2]) - model.logits([1, 2])).max() < 1e-2
        assert path.stat().st_size < save_model(model, tmp_path / "f.safetensors").stat().st_size

    def test_shipped_checkpoint_is_small(self):
        from importlib import resources

        path = resources.files("llmhistory.tiny") / "data" / CHECKPOINT_FILE
        assert len(path.read_bytes()) <= 2_000_000


class TestAtomicSave:
    def test_failed_save_keeps_old_file(self, tmp_path, monkeypatch):
        path = tmp_path / "m.safetensors"
        save_safetensors(path, {"x": np.zeros(2)})
        before = path.read_bytes()

        def boom(*args):
            raise OSError("disk full")

        monkeypatch.setattr(weights_module.os, "replace", boom)
        with pytest.raises(OSError, match="disk full"):
            save_safetensors(path, {"x": np.ones(5)})
        assert path.read_bytes() == before
        assert os.listdir(tmp_path) == ["m.safetensors"]

    def test_bad_tensor_writes_nothing(self, tmp_path):
        with pytest.raises(ValueError, match="tensor 'c' has dtype complex128"):
            save_safetensors(tmp_path / "x.safetensors", {"c": np.zeros(2, dtype=complex)})
        assert os.listdir(tmp_path) == []


class TestBadFiles:
    @pytest.fixture
    def model_file(self, tmp_path):
        return save_model(TinyDecoder.random(BASE), tmp_path / "m.safetensors")

    def rewrite(self, path, edit):
        """Load the tensors, apply ``edit`` to the dict, and save them with the same metadata."""
        tensors, metadata = load_safetensors(path)
        edit(tensors)
        save_safetensors(path, tensors, metadata)
        return path

    def test_missing_tensor_named(self, model_file):
        self.rewrite(model_file, lambda t: t.pop("model.layers.1.self_attn.v_proj.weight"))
        with pytest.raises(ValueError, match="missing tensor 'model.layers.1.self_attn.v_proj"):
            load_model(model_file)

    def test_misshaped_tensor_named(self, model_file):
        def edit(t):
            t["model.layers.0.mlp.up_proj.weight"] = np.zeros((3, 8), dtype=np.float32)

        self.rewrite(model_file, edit)
        with pytest.raises(ValueError, match=r"'model.layers.0.mlp.up_proj.weight' has shape"):
            load_model(model_file)

    def test_unexpected_tensor_named(self, model_file):
        self.rewrite(model_file, lambda t: t.update({"lm_head.weight": np.zeros((30, 8), "f4")}))
        with pytest.raises(ValueError, match="unexpected tensor 'lm_head.weight'"):
            load_model(model_file)

    def test_wrong_dtype_named(self, model_file):
        self.rewrite(model_file, lambda t: t.update({"model.norm.weight": np.ones(8, np.int32)}))
        with pytest.raises(ValueError, match="'model.norm.weight' has dtype int32"):
            load_model(model_file)

    @pytest.mark.parametrize("keep", [0, 5, 8, 20, -1])
    def test_truncated(self, model_file, keep):
        raw = model_file.read_bytes()
        model_file.write_bytes(raw[:keep])
        with pytest.raises(ValueError, match="truncated"):
            load_model(model_file)

    def test_missing_file(self, tmp_path):
        with pytest.raises(FileNotFoundError):
            load_model(tmp_path / "nope.safetensors")

    def test_no_config(self, tmp_path):
        path = save_safetensors(tmp_path / "x.safetensors", {"x": np.zeros(1)}, {"a": "b"})
        with pytest.raises(ValueError, match="'config'"):
            load_model(path)

    def test_config_not_json(self, tmp_path):
        path = save_safetensors(tmp_path / "x.safetensors", {"x": np.zeros(1)}, {"config": "{"})
        with pytest.raises(ValueError, match="x.safetensors"):
            load_model(path)

    @pytest.mark.parametrize(
        ("header", "data", "match"),
        [
            ({"x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}, b"\0" * 8, "cover 4"),
            ({"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}, b"\0" * 4, "needs 8"),
            ({"x": {"dtype": "BF16", "shape": [1], "data_offsets": [0, 2]}}, b"\0" * 2, "BF16"),
            ({"x": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}, b"\0" * 4, "shape"),
            ({"x": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}}, b"\0" * 4, "offsets"),
            ({"x": {"dtype": "F32", "shape": [1]}}, b"\0" * 4, "data_offsets"),
            ({"x": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, b"\0" * 8, "gap"),
            (
                {
                    "x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
                    "y": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                },
                b"\0" * 8,
                "overlaps",
            ),
            ({"__metadata__": {"a": 1}}, b"", "__metadata__"),
            ([1, 2], b"", "JSON object"),
        ],
    )
    def test_corrupt_headers(self, tmp_path, header, data, match):
        path = tmp_path / "bad.safetensors"
        write_raw(path, header, data)
        with pytest.raises(ValueError, match=match):
            load_safetensors(path)

    def test_header_not_json(self, tmp_path):
        path = tmp_path / "bad.safetensors"
        path.write_bytes(struct.pack("<Q", 4) + b"{{{{")
        with pytest.raises(ValueError, match="not valid UTF-8 JSON"):
            load_safetensors(path)


class TestBadArguments:
    @pytest.mark.parametrize(
        ("call", "error", "match"),
        [
            (lambda p: save_safetensors(p, [1]), TypeError, "tensors"),
            (lambda p: save_safetensors(p, {"x": np.ones(1)}, {"a": 1}), TypeError, "metadata"),
            (lambda p: save_safetensors(p, {"": np.ones(1)}), ValueError, "tensor name"),
            (lambda p: save_safetensors(p, {"__metadata__": np.ones(1)}), ValueError, "reserved"),
            (lambda p: save_model("model", p), TypeError, "model"),
            (
                lambda p: save_model(TinyDecoder.random(BASE), p, dtype="int8"),
                ValueError,
                "dtype",
            ),
        ],
    )
    def test_table(self, tmp_path, call, error, match):
        with pytest.raises(error, match=match):
            call(tmp_path / "x.safetensors")


class TestReferenceSafetensors:
    """The shipped file is a real safetensors file: the reference library reads and writes it."""

    def test_reference_library_reads_the_shipped_checkpoint(self):
        from pathlib import Path

        from safetensors import safe_open
        from safetensors.numpy import load_file

        from llmhistory.tiny import load_tiny

        path = (
            Path(__file__).resolve().parents[1]
            / "src/llmhistory/tiny/data/tiny_decoder.safetensors"
        )
        model, _ = load_tiny()
        tensors = load_file(str(path))
        ours = model.state_dict()
        assert sorted(tensors) == sorted(ours)
        for name, array in ours.items():
            np.testing.assert_array_equal(tensors[name], array, err_msg=name)
        with safe_open(str(path), "np") as handle:
            config = json.loads(handle.metadata()["config"])
        assert config == json.loads(json.dumps(to_hf_config(model.config)))

    def test_our_loader_reads_what_the_reference_library_writes(self, tmp_path):
        from safetensors.numpy import save_file

        from llmhistory.tiny.weights import load_safetensors

        tensors = {"a.weight": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.ones(4)}
        save_file(tensors, str(tmp_path / "ref.safetensors"), metadata={"k": "v"})
        arrays, metadata = load_safetensors(tmp_path / "ref.safetensors")
        assert metadata == {"k": "v"}
        for name, array in tensors.items():
            np.testing.assert_array_equal(arrays[name], array)
