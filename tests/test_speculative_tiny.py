"""Tests of llmhistory.tiny.speculative: greedy output equals plain greedy; the sampled first
token follows the target; the bookkeeping adds up; bad inputs."""

from __future__ import annotations

import numpy as np
import pytest

from llmhistory.concepts.decoding import DecodingPolicy, next_token_distribution
from llmhistory.concepts.speculative import verify_draft
from llmhistory.tiny import load_tiny
from llmhistory.tiny.generation import generate_ids
from llmhistory.tiny.model import TinyDecoder, tiny_config
from llmhistory.tiny.speculative import SpeedPoint, measure_speedup, speculative_generate

TARGET, TOKENIZER = load_tiny("float64")
C = TARGET.config
DRAFT = TinyDecoder.random(
    tiny_config(
        vocab_size=C.vocab_size,
        d_model=16,
        layers=1,
        heads=2,
        kv_heads=1,
        d_ff=32,
        context=C.context,
    ),
    seed=3,
    std=0.5,
    dtype="float64",
)
PROMPT = TOKENIZER.encode("Customer: Where is my order?\nAgent:", add_bos=True)


class TestGreedy:
    @pytest.mark.parametrize("k", [1, 3, 6])
    @pytest.mark.parametrize("draft", [DRAFT, TARGET], ids=["random draft", "self draft"])
    def test_same_tokens_as_plain_greedy(self, k, draft):
        plain = generate_ids(TARGET, PROMPT, max_new_tokens=20)
        run = speculative_generate(TARGET, draft, PROMPT, max_new_tokens=20, k=k)
        assert run.new_token_ids == tuple(plain.new_token_ids)
        assert run.token_ids == tuple(PROMPT) + run.new_token_ids

    def test_self_draft_accepts_everything(self):
        run = speculative_generate(TARGET, TARGET, PROMPT, max_new_tokens=20, k=4)
        assert run.acceptance_rate == 1.0 and run.rounds == 4  # 5 tokens per round
        assert run.tokens_per_round == 5.0 and run.draft_passes == 4 * 4 + 4

    def test_stop_token_ends_generation(self):
        plain = generate_ids(TARGET, PROMPT, max_new_tokens=60, stop_tokens=(TOKENIZER.eos_id,))
        run = speculative_generate(
            TARGET, DRAFT, PROMPT, max_new_tokens=60, k=3, stop_tokens=(TOKENIZER.eos_id,)
        )
        assert run.new_token_ids == tuple(plain.new_token_ids)

    def test_single_token_prompt(self):
        plain = generate_ids(TARGET, [TOKENIZER.bos_id], max_new_tokens=5)
        run = speculative_generate(TARGET, DRAFT, [TOKENIZER.bos_id], max_new_tokens=5, k=2)
        assert run.new_token_ids == tuple(plain.new_token_ids)


class TestSampling:
    def test_first_token_follows_the_target_chi_square(self):
        # the distributions of the real models under a top-4 policy, then many seeded rounds
        policy = DecodingPolicy.sampling(temperature=1.0, top_k=4)
        p0 = next_token_distribution(TARGET.logits(PROMPT)[-1], policy)
        q0 = next_token_distribution(DRAFT.logits(PROMPT)[-1], policy)
        q0 = 0.5 * q0 + 0.5 * p0  # a draft that overlaps the target, as a trained one would
        rng = np.random.default_rng(0)
        counts = np.zeros(C.vocab_size)
        p = np.stack([p0, p0])  # p_2 only matters when the guess is accepted
        for _ in range(2000):
            guess = int(rng.choice(C.vocab_size, p=q0))
            counts[verify_draft(p, q0[None], [guess], rng).tokens[0]] += 1
        kept = p0 > 0
        expected = 2000 * p0[kept]
        chi2 = float(((counts[kept] - expected) ** 2 / expected).sum())
        assert counts[~kept].sum() == 0
        assert chi2 < 16.266  # chi-square, 3 degrees of freedom, significance 0.001

    def test_sampled_run_is_seeded_and_consistent(self):
        policy = DecodingPolicy.sampling(temperature=0.8)
        one = speculative_generate(TARGET, DRAFT, PROMPT, max_new_tokens=12, k=3, policy=policy)
        two = speculative_generate(TARGET, DRAFT, PROMPT, max_new_tokens=12, k=3, policy=policy)
        assert one == two and len(one.new_token_ids) == 12
        assert one.accepted <= one.proposed and len(one.new_token_ids) == one.accepted + one.rounds
        assert one.rejected <= one.rounds
        assert one.acceptance_rate == one.accepted / (one.accepted + one.rejected)

    def test_acceptance_counts_only_examined_guesses(self):
        run = speculative_generate(TARGET, DRAFT, PROMPT, max_new_tokens=20, k=4)
        # a round ends at its first rejection: later guesses are proposed, never examined
        assert run.rejected <= run.rounds
        assert run.proposed >= run.accepted + run.rejected
        assert run.acceptance_rate == run.accepted / (run.accepted + run.rejected)
        self_run = speculative_generate(TARGET, TARGET, PROMPT, max_new_tokens=20, k=4)
        assert self_run.rejected == 0 and self_run.acceptance_rate == 1.0


class TestMeasureSpeedup:
    def test_reports_one_point_per_k(self):
        points = measure_speedup(TARGET, TARGET, [PROMPT], [1, 3], max_new_tokens=8)
        assert [p.k for p in points] == [1, 3]
        assert all(isinstance(p, SpeedPoint) and p.acceptance_rate == 1.0 for p in points)
        assert points[1].tokens_per_round == 4.0 and points[0].speedup > 0


class TestBadInputs:
    def test_vocabularies_must_match(self):
        other = TinyDecoder.random(
            tiny_config(vocab_size=50, d_model=8, layers=1, heads=1, kv_heads=1, d_ff=8, context=16)
        )
        with pytest.raises(ValueError, match="draft vocab_size=50 must equal the target's"):
            speculative_generate(TARGET, other, PROMPT)

    def test_other_bad_inputs(self):
        with pytest.raises(TypeError, match="draft"):
            speculative_generate(TARGET, "small", PROMPT)
        with pytest.raises(ValueError, match="k must"):
            speculative_generate(TARGET, DRAFT, PROMPT, k=0)
        with pytest.raises(ValueError, match="must fit context"):
            speculative_generate(TARGET, DRAFT, PROMPT, max_new_tokens=C.context)
        with pytest.raises(ValueError, match="ks must hold at least one k"):
            measure_speedup(TARGET, DRAFT, [PROMPT], [])


class TestLoadDraft:
    def test_missing_or_shipped(self):
        from llmhistory.tiny.speculative import load_draft

        try:
            draft = load_draft("float64")
        except FileNotFoundError as error:
            assert "scripts/train_draft.py" in str(error)
        else:
            assert draft.config.vocab_size == C.vocab_size and draft.dtype == np.float64
            assert draft.num_parameters() < TARGET.num_parameters() / 2
        with pytest.raises(ValueError, match="dtype"):
            load_draft("int8")
