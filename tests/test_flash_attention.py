"""Tests of llmhistory.concepts.flash_attention: score and tile bytes."""

from __future__ import annotations

import pytest

from llmhistory.concepts.flash_attention import attention_scores_bytes, attention_tile_bytes
from llmhistory.concepts.precision import GIB


class TestAttentionMemory:
    def test_scores_grow_with_the_square(self):
        assert attention_scores_bytes(8192) == 128 * 2**20
        assert attention_scores_bytes(8192, heads=32, batch=1) == 4 * GIB
        assert attention_scores_bytes(16384) == 4 * attention_scores_bytes(8192)
        assert attention_scores_bytes(1, bytes_per_value=4) == 4

    def test_tile_is_independent_of_length_and_small(self):
        tile = attention_tile_bytes(block_q=128, block_k=64, head_dim=128)
        assert tile == 160 * 1024
        assert tile < 192 * 1024  # A100 SRAM per streaming multiprocessor (Dao et al. 2022)
        assert attention_tile_bytes(
            block_q=1, block_k=1, head_dim=1, bytes_per_value=1, accumulator_bytes=1
        ) == (3 + 2)


@pytest.mark.parametrize(
    ("call", "error", "name"),
    [
        (lambda: attention_scores_bytes(0), ValueError, "tokens"),
        (lambda: attention_scores_bytes(8, heads=0), ValueError, "heads"),
        (lambda: attention_scores_bytes(8, batch=0), ValueError, "batch"),
        (lambda: attention_scores_bytes(8, bytes_per_value=0), ValueError, "bytes_per_value"),
        (lambda: attention_tile_bytes(block_q=0, block_k=1, head_dim=1), ValueError, "block_q"),
        (lambda: attention_tile_bytes(block_q=1, block_k=0, head_dim=1), ValueError, "block_k"),
        (lambda: attention_tile_bytes(block_q=1, block_k=1, head_dim=0), ValueError, "head_dim"),
        (
            lambda: attention_tile_bytes(block_q=1, block_k=1, head_dim=1, accumulator_bytes=0),
            ValueError,
            "accumulator_bytes",
        ),
    ],
)
def test_bad_inputs(call, error, name):
    with pytest.raises(error, match=name):
        call()
