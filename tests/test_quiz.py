"""Tests of the quiz bank, the validator, the grader, the renderer and the command line."""

from __future__ import annotations

import copy
import json
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from llmhistory.quiz import (
    BOOK_ID,
    DEFAULT_THRESHOLD,
    Grade,
    Quiz,
    QuizDisplay,
    QuizError,
    _percent,
    _score_text,
    _threshold_text,
    bank_dir,
    grade,
    list_quizzes,
    load_bank,
    load_quiz,
    main,
    quiz_page_html,
    render_quiz,
    validate_bank,
    validate_quiz,
)

ASSETS = Path(__file__).resolve().parents[1] / "src" / "llmhistory" / "quiz_assets"
XSS = "<script>alert(1)</script>"


def make_quiz(n: int, *, threshold: float | None = None, quiz_id: str = "demo") -> dict:
    """Return a valid quiz mapping with ``n`` two-choice questions whose answer is 0."""
    data = {
        "id": quiz_id,
        "title": "Demo quiz",
        "questions": [
            {
                "id": f"{quiz_id}-q{i}",
                "text": f"Question {i}?",
                "choices": ["right", "wrong"],
                "answer": 0,
                "explanation": "See Chapter 1.",
            }
            for i in range(n)
        ],
    }
    if threshold is not None:
        data["pass_threshold"] = threshold
    return data


def answers_with(quiz: Quiz, correct: int) -> dict:
    """Answer the first ``correct`` questions right and the rest wrong."""
    out = {}
    for i, q in enumerate(quiz.questions):
        right = list(q.answer_set)
        wrong = [c for c in range(len(q.choices)) if c not in right][:1]
        pick = right if i < correct else wrong
        out[q.id] = pick if q.multi else pick[0]
    return out


def write_yaml(folder: Path, name: str, data: object) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def correct_text(quiz: Quiz, question_id: str) -> list[str]:
    question = next(q for q in quiz.questions if q.id == question_id)
    return [question.choices[i] for i in question.answer_set]


def quiz_json(html: str) -> dict:
    match = re.search(r'<script type="application/json" data-role="quiz-data">(.*?)</script>', html)
    assert match, "quiz-data script missing"
    return json.loads(match.group(1))


# ---------------------------------------------------------------------------------------------
# the shipped bank


class TestShippedBank:
    def test_every_bank_file_validates(self):
        quizzes = validate_bank(load_bank(), book_policy=True)
        assert [q.chapter for q in quizzes] == list(range(1, 13))

    def test_question_counts(self):
        counts = {q.chapter: len(q.questions) for q in load_bank()}
        assert all(counts[c] >= 5 for c in range(1, 12)), counts
        assert counts[12] == 10

    def test_every_quiz_passes_with_one_miss(self):
        # with the strict 75% rule a 4-question quiz would need 4 / 4; 5 questions allow a miss
        for quiz in load_bank():
            assert quiz.min_correct < len(quiz.questions), quiz.id
            assert grade(quiz, answers_with(quiz, len(quiz.questions) - 1)).passed, quiz.id

    def test_review_is_chapter_12_and_passes_at_8_of_10(self):
        review = load_quiz(12)
        assert review.id == "ch12-review"
        assert review.pass_threshold == 0.75
        assert review.min_correct == 8

    def test_file_names_ids_and_citations_follow_the_convention(self):
        for path in sorted(bank_dir().glob("*.yaml")):
            quiz = load_quiz(path)
            prefix = f"ch{quiz.chapter:02d}-"
            assert path.name.startswith(f"{quiz.chapter:02d}-"), path.name
            assert quiz.id.startswith(prefix)
            for q in quiz.questions:
                assert q.id.startswith(prefix), q.id
                assert "See Chapter" in q.explanation, q.id
                assert 2 <= len(q.choices) <= 6

    def test_every_chapter_of_the_book_has_a_quiz(self):
        from llmhistory.chapters import CHAPTERS

        chapters = {q.chapter for q in load_bank()}
        assert {c.number for c in CHAPTERS} <= chapters

    def test_answers_are_not_always_in_the_same_position(self):
        positions = [q.answer for q in load_bank()[-1].questions]
        assert len(set(positions)) >= 3
        singles = [q.answer for quiz in load_bank() for q in quiz.questions if not q.multi]
        assert max(singles.count(i) for i in set(singles)) / len(singles) < 0.4

    def test_list_quizzes_in_chapter_order(self):
        ids = list_quizzes()
        assert len(ids) == 12
        assert ids[0] == "ch01-prompt-in-text-out"
        assert ids[7] == "ch08-serving-kv-cache"
        assert ids[-1] == "ch12-review"

    def test_lookup_keys(self):
        quiz = load_quiz(8)
        for key in (
            "08",
            "8",
            "ch08-serving-kv-cache",
            "08-serving-kv-cache",
            "08_serving_kv_cache",
        ):
            assert load_quiz(key) == quiz
        assert load_quiz(bank_dir() / "08-serving-kv-cache.yaml") == quiz
        assert load_quiz(str(bank_dir() / "08-serving-kv-cache.yaml")) == quiz


class TestAnswersMatchTheLibrary:
    """The numeric answers in the bank are the ones the library computes."""

    def test_kv_cache_per_token(self):
        from llmhistory.kv_cache import kv_cache_bytes

        per_token = dict(batch=1, layers=32, tokens=1, head_dim=128)
        quiz = load_quiz(8)
        llama2 = kv_cache_bytes(kv_heads=32, **per_token) // 1024
        llama3 = kv_cache_bytes(kv_heads=8, **per_token) // 1024
        assert correct_text(quiz, "ch08-llama2-per-token") == [f"{llama2} KiB"]
        assert correct_text(quiz, "ch08-llama3-gqa")[0].startswith(f"{llama3} KiB")
        sizes = [
            kv_cache_bytes(batch=8, layers=32, tokens=8192, kv_heads=h, head_dim=128) / 2**30
            for h in (32, 8, 1)
        ]
        assert sizes == [32, 8, 1]
        assert correct_text(quiz, "ch08-mha-gqa-mqa") == ["8 GiB and 1 GiB"]

    def test_router_weights(self):
        from llmhistory.moe import route_top_k

        experts, weights = route_top_k([2.4, 0.3, 0.5, -0.2], k=2)
        names = ["returns", "shipping", "catalog", "billing"]
        text = ", ".join(f"{names[e]} {w:.2f}" for e, w in zip(experts, weights, strict=True))
        assert correct_text(load_quiz(7), "ch07-router-weights") == [text]

    def test_bradley_terry(self):
        from llmhistory.preferences import bradley_terry_probability

        p = bradley_terry_probability(2.0, 0.0)
        assert correct_text(load_quiz(5), "ch05-bradley-terry") == [f"≈ {p:.2f}"]

    def test_rotate_half(self):
        from llmhistory.rope import rotate_half

        values = ", ".join(f"{v:g}".replace("-", "−") for v in rotate_half([1.0, 2.0, 3.0, 4.0]))
        assert correct_text(load_quiz(9), "ch09-rotate-half") == [f"[{values}]"]

    def test_training_flops(self):
        from llmhistory.scaling import training_flops

        flops = training_flops(parameters=175e9, tokens=300e9)
        mantissa, exponent = f"{flops:.1e}".split("e")
        assert correct_text(load_quiz(4), "ch04-six-nd") == [
            f"≈ {mantissa} × 10^{int(exponent)} FLOPs"
        ]

    def test_top_p(self):
        from llmhistory.decoding import top_p_filter

        kept = np.isfinite(top_p_filter(np.log([0.50, 0.30, 0.15, 0.05]), 0.75))
        assert kept.tolist() == [True, True, False, False]
        assert correct_text(load_quiz(1), "ch01-top-p-example")[0].startswith(
            "Shipping and Refund, renormalized to 0.625 and 0.375"
        )

    def test_kv_cache_count_and_causal_row(self):
        assert correct_text(load_quiz(3), "ch03-kv-cache-count") == [str(4 * 2 * 1 * 2 * 5 * 4)]
        row = np.tril(np.ones((4, 4), dtype=int))[2].tolist()
        assert correct_text(load_quiz(2), "ch02-causal-row") == [str(row)]

    def test_causal_pairs(self):
        from llmhistory.masks import bidirectional_mask, causal_mask

        allowed = int(causal_mask(6).sum())
        assert allowed == 6 * 7 // 2 == 21
        assert int(bidirectional_mask(6).sum()) == 36
        assert correct_text(load_quiz(2), "ch02-causal-pairs") == [str(allowed)]

    def test_attention_scores_shape(self):
        from llmhistory.decoder import load_tiny

        model, tokenizer = load_tiny()
        config = model.config
        assert (config.heads, config.kv_heads, config.head_dim) == (4, 2, 24)
        ids = tokenizer.encode("Where is my order?", add_bos=True)
        assert len(ids) == 7
        _, stages = model.logits(ids, return_trace=True)
        shapes = {stage.name: stage.shape for stage in stages}
        assert shapes["layers.0.q"] == (4, 7, 24) and shapes["layers.0.k"] == (2, 7, 24)
        assert correct_text(load_quiz(3), "ch03-scores-shape") == [str(shapes["layers.0.scores"])]
        # the weights chapter 3 draws are those scores after the softmax, for every layer
        weights = model.attention_weights(ids)
        assert weights.shape == (config.layers, *shapes["layers.0.scores"])

    def test_lora_count(self):
        from llmhistory.memory import lora_parameters
        from llmhistory.models import get_config

        config = get_config("llama-2-7b")
        assert (config.layers, config.d_model) == (32, 4096)
        trainable = lora_parameters(config, rank=8, targets=("q",))
        assert trainable == 32 * 8 * (4096 + 4096)
        assert correct_text(load_quiz(6), "ch06-lora-count") == [f"{trainable:,}"]

    def test_budget_batch(self):
        from llmhistory.kv_cache import GIB, max_batch_for_budget
        from llmhistory.models import get_config, kv_cache_bytes_per_token

        def batch(name: str) -> int:
            c = get_config(name)
            return max_batch_for_budget(
                16 * GIB, tokens=8192, layers=c.layers, kv_heads=c.kv_heads, head_dim=c.head_dim
            )

        assert kv_cache_bytes_per_token(get_config("llama-3-8b")) == 128 * 1024
        assert batch("llama-2-7b") == 4
        assert correct_text(load_quiz(8), "ch08-budget-batch") == [str(batch("llama-3-8b"))]

    def test_rope_wavelength(self):
        from llmhistory.rope import rope_frequencies

        theta = rope_frequencies(64)[16]
        assert math.isclose(theta, 0.01)
        assert correct_text(load_quiz(9), "ch09-wavelength") == [f"≈ {2 * math.pi / theta:,.0f}"]

    def test_reasoning_latency(self):
        from llmhistory.reasoning import latency_seconds

        seconds = latency_seconds(
            reasoning_tokens=1000, answer_tokens=150, tokens_per_second=100, time_to_first_token=0.5
        )
        assert correct_text(load_quiz(10), "ch10-latency") == [f"{seconds:.1f} s"]

    def test_below_closed_book(self):
        from llmhistory.long_context import lost_in_the_middle

        curve = lost_in_the_middle("GPT-3.5-Turbo")
        question = next(q for q in load_quiz(11).questions if q.id == "ch11-below-closed-book")
        for value in (*curve.accuracy, curve.closed_book):
            assert f"{value:.1f}%" in question.text
        assert curve.below_closed_book() == (10, 15)
        assert correct_text(load_quiz(11), "ch11-below-closed-book")[0].startswith(
            "With the answer at position 10 or 15"
        )


# ---------------------------------------------------------------------------------------------
# grading


class TestGrade:
    @pytest.mark.parametrize(
        ("n", "correct", "text", "passed"),
        [
            (10, 10, "10 / 10 (100%)", True),
            (10, 8, "8 / 10 (80%)", True),
            (10, 7, "7 / 10 (70%)", False),
            (4, 3, "3 / 4 (75%)", False),
            (4, 4, "4 / 4 (100%)", True),
            (3, 2, "2 / 3 (67%)", False),
            (8, 5, "5 / 8 (63%)", False),
        ],
    )
    def test_known_cases(self, n, correct, text, passed):
        quiz = validate_quiz(make_quiz(n))
        result = grade(quiz, answers_with(quiz, correct))
        assert isinstance(result, Grade)
        assert (result.correct, result.total, result.passed, result.text) == (
            correct,
            n,
            passed,
            text,
        )
        assert result.score == correct / n
        assert [r.correct for r in result.per_question] == [i < correct for i in range(n)]

    def test_review_quiz_8_of_10_passes_7_fails(self):
        review = load_quiz(12)
        assert grade(review, answers_with(review, 8)).passed
        assert not grade(review, answers_with(review, 7)).passed
        assert grade(review, answers_with(review, 10)).text == "10 / 10 (100%)"

    def test_multi_select_needs_the_exact_set(self):
        quiz = load_quiz(2)
        n = len(quiz.questions)
        base = answers_with(quiz, n)
        assert grade(quiz, base).correct == n == 5
        multi = next(q for q in quiz.questions if q.multi)
        for partial in ([0], [0, 1, 2], [2]):
            result = grade(quiz, {**base, multi.id: partial})
            assert result.correct == n - 1
        assert grade(quiz, {**base, multi.id: (2, 0)}).correct == n
        assert grade(quiz, {**base, multi.id: {0, 2}}).correct == n

    def test_per_question_records(self):
        quiz = load_quiz(2)
        result = grade(quiz, {**answers_with(quiz, 5), "ch02-causal-row": 0})
        record = next(r for r in result.per_question if r.id == "ch02-causal-row")
        assert (record.correct, record.chosen, record.answer) == (False, (0,), (1,))

    def test_custom_threshold(self):
        quiz = validate_quiz(make_quiz(4, threshold=0.5))
        assert not grade(quiz, answers_with(quiz, 2)).passed
        assert grade(quiz, answers_with(quiz, 3)).passed
        assert grade(quiz, answers_with(quiz, 3)).threshold == 0.5
        zero = validate_quiz(make_quiz(2, threshold=0.0))
        assert not grade(zero, answers_with(zero, 0)).passed
        assert grade(zero, answers_with(zero, 1)).passed

    def test_accepts_mapping_chapter_and_path(self, tmp_path):
        data = make_quiz(2)
        path = write_yaml(tmp_path, "mine.yaml", data)
        answers = {"demo-q0": 0, "demo-q1": 0}
        assert grade(data, answers).passed
        assert grade(path, answers).passed
        assert grade(12, answers_with(load_quiz(12), 9)).correct == 9

    @given(total=st.integers(1, 40), data=st.data())
    @settings(max_examples=80, deadline=None)
    def test_pass_is_strictly_above_threshold(self, total, data):
        threshold = data.draw(st.floats(0.0, 0.99, allow_nan=False))
        correct = data.draw(st.integers(0, total))
        quiz = validate_quiz(make_quiz(total, threshold=threshold))
        result = grade(quiz, answers_with(quiz, correct))
        assert result.passed == (correct / total > threshold)
        assert result.passed == (correct >= quiz.min_correct)
        assert 0 <= result.percent <= 100

    @given(st.permutations([0, 1, 2, 3]), st.integers(1, 4))
    def test_multi_answer_order_does_not_matter(self, order, size):
        data = make_quiz(1)
        data["questions"][0].update(choices=["a", "b", "c", "d"], answer=sorted(order[:size]))
        quiz = validate_quiz(data)
        assert grade(quiz, {"demo-q0": list(reversed(order[:size]))}).passed

    @pytest.mark.parametrize(
        ("answers", "error", "pattern"),
        [
            ([0, 0], TypeError, r"answers must be a mapping"),
            ({"demo-q0": 0}, ValueError, r"answers is missing question ids \['demo-q1'\]"),
            (
                {"demo-q0": 0, "demo-q1": 0, "zzz": 1},
                ValueError,
                r"answers has unknown question ids \['zzz'\]",
            ),
            ({"demo-q0": 0, "demo-q1": 2}, ValueError, r"answers\['demo-q1'\]=2 is out of range"),
            ({"demo-q0": 0, "demo-q1": -1}, ValueError, r"answers\['demo-q1'\] must be"),
            ({"demo-q0": 0, "demo-q1": True}, TypeError, r"answers\['demo-q1'\] must be"),
            ({"demo-q0": 0, "demo-q1": "0"}, TypeError, r"answers\['demo-q1'\] must be"),
            ({"demo-q0": 0, "demo-q1": [0]}, TypeError, r"answers\['demo-q1'\] must be one"),
        ],
    )
    def test_bad_answers_single(self, answers, error, pattern):
        with pytest.raises(error, match=pattern):
            grade(validate_quiz(make_quiz(2)), answers)

    @pytest.mark.parametrize(
        ("value", "error", "pattern"),
        [
            (0, TypeError, r"answers\['m'\] must be a list"),
            ([], ValueError, r"answers\['m'\] must select at least one"),
            ([0, 0], ValueError, r"answers\['m'\] must not repeat"),
            ([0, 3], ValueError, r"answers\['m'\]=3 is out of range"),
            ([0.0], TypeError, r"answers\['m'\] must be an integer"),
        ],
    )
    def test_bad_answers_multi(self, value, error, pattern):
        data = make_quiz(0)
        data["questions"] = [
            {
                "id": "m",
                "text": "t",
                "choices": ["a", "b", "c"],
                "answer": [0, 1],
                "explanation": "e",
            }
        ]
        with pytest.raises(error, match=pattern):
            grade(validate_quiz(data), {"m": value})

    def test_bad_quiz_argument(self):
        with pytest.raises(TypeError, match="quiz must be a Quiz"):
            grade(2.5, {})


# ---------------------------------------------------------------------------------------------
# validation


def _mutate(path: str, value: object):
    """Return a function that sets (or deletes, for ...) a field of a quiz mapping."""

    def apply(data: dict) -> dict:
        data = copy.deepcopy(data)
        *keys, last = path.split(".")
        target = data
        for key in keys:
            target = target[int(key)] if key.isdigit() else target[key]
        if value is ...:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value
        return data

    return apply


BAD_QUESTIONS = [
    # (mutation, text expected in the message)
    ("questions.1.text", ..., "question 'demo-q1' (#2): missing required field 'text'"),
    ("questions.1.choices", ..., "question 'demo-q1' (#2): missing required field 'choices'"),
    ("questions.1.answer", ..., "question 'demo-q1' (#2): missing required field 'answer'"),
    ("questions.1.explanation", ..., "(#2): missing required field 'explanation'"),
    ("questions.1.id", ..., "question #2: missing required field 'id'"),
    ("questions.1.id", "demo-q0", "question 'demo-q0' (#2): field 'id': duplicate question id"),
    ("questions.1.id", "bad id!", "question 'bad id!' (#2): field 'id': 'bad id!' must start"),
    ("questions.1.answer", 2, "question 'demo-q1' (#2): field 'answer': index 2 is out of range"),
    ("questions.1.answer", [0, 5], "(#2): field 'answer': index 5 is out of range"),
    ("questions.1.answer", -1, "(#2): field 'answer': answer must be an integer >= 0"),
    ("questions.1.answer", True, "(#2): field 'answer': must be a choice index"),
    ("questions.1.answer", "B", "(#2): field 'answer': must be a choice index"),
    ("questions.1.answer", [], "(#2): field 'answer': a list of indices must not be empty"),
    ("questions.1.answer", [1, 1], "(#2): field 'answer': indices must be unique"),
    ("questions.1.answer", [0, "1"], "(#2): field 'answer': answer must be an integer"),
    ("questions.1.choices", ["only"], "(#2): field 'choices': must hold 2-6 choices, got 1"),
    ("questions.1.choices", list("abcdefg"), "field 'choices': must hold 2-6 choices, got 7"),
    ("questions.1.choices", "a, b", "(#2): field 'choices': must be a list"),
    ("questions.1.choices", ["a", "a"], "field 'choices': choices[1] repeats choices[0]"),
    ("questions.1.choices", ["a", True], "choices[1] must be a non-empty string, got bool True"),
    ("questions.1.choices", ["a", " "], "field 'choices': choices[1] must be a non-empty string"),
    ("questions.1.text", "  ", "(#2): field 'text': text must be a non-empty string"),
    ("questions.1.explanation", 3, "field 'explanation': explanation must be a str"),
    ("questions.1.anwser", 1, "(#2): unknown field 'anwser'"),
    ("questions.1", "just text", "question #2: must be a mapping"),
]

BAD_QUIZZES = [
    ("id", ..., "quiz: missing required field 'id'"),
    ("title", ..., "quiz 'demo': missing required field 'title'"),
    ("questions", ..., "quiz 'demo': missing required field 'questions'"),
    ("questions", [], "quiz 'demo': field 'questions': must be a non-empty list"),
    ("pass_threshold", 1.0, "field 'pass_threshold': must be >= 0 and < 1"),
    ("pass_threshold", -0.1, "field 'pass_threshold': pass_threshold must be >= 0.0"),
    ("pass_threshold", "high", "field 'pass_threshold': pass_threshold must be a real number"),
    ("chapter", 0, "field 'chapter': chapter must be an integer >= 1"),
    ("chapter", "8", "field 'chapter': chapter must be an integer"),
    ("title", "", "field 'title': title must be a non-empty string"),
    ("colour", "red", "quiz 'demo': unknown field 'colour'"),
]


class TestValidation:
    @pytest.mark.parametrize(("path", "value", "expected"), BAD_QUESTIONS + BAD_QUIZZES)
    def test_bad_file_names_file_question_and_field(self, tmp_path, path, value, expected):
        bad = _mutate(path, value)(make_quiz(3))
        file = write_yaml(tmp_path, "broken.yaml", bad)
        with pytest.raises(QuizError) as info:
            load_quiz(file)
        message = str(info.value)
        assert message.startswith(str(file)), message
        assert expected in message, message
        assert all(p.startswith(str(file)) for p in info.value.problems)

    def test_all_problems_are_reported_at_once(self):
        data = make_quiz(3)
        data["questions"][0]["answer"] = 9
        del data["questions"][2]["text"]
        with pytest.raises(QuizError) as info:
            validate_quiz(data, source="two.yaml")
        assert len(info.value.problems) == 2
        assert "'demo-q0' (#1): field 'answer'" in info.value.problems[0]
        assert "'demo-q2' (#3): missing required field 'text'" in info.value.problems[1]

    def test_yaml_problems_name_the_file(self, tmp_path):
        syntax = tmp_path / "syntax.yaml"
        syntax.write_text("id: [unclosed\n", encoding="utf-8")
        dup = tmp_path / "dup.yaml"
        dup.write_text("id: a\nid: b\ntitle: t\nquestions: []\n", encoding="utf-8")
        top = write_yaml(tmp_path, "list.yaml", [1, 2])
        for path, text in (
            (syntax, "not valid YAML"),
            (dup, "found duplicate key 'id'"),
            (top, "must hold one mapping"),
        ):
            with pytest.raises(QuizError, match=re.escape(str(path))) as info:
                load_quiz(path)
            assert text in str(info.value)

    def test_unreadable_file(self, tmp_path):
        path = tmp_path / "latin1.yaml"
        path.write_bytes("title: caf\xe9\n".encode("latin-1"))
        with pytest.raises(QuizError, match="cannot read the file"):
            load_quiz(path)

    def test_defaults_and_types(self):
        quiz = validate_quiz(make_quiz(2))
        assert quiz.pass_threshold == DEFAULT_THRESHOLD
        assert quiz.chapter is None
        assert quiz.source == "<quiz>"
        data = make_quiz(1)
        data["questions"][0]["answer"] = [1, 0]
        multi = validate_quiz(data).questions[0]
        assert multi.multi and multi.answer == (0, 1) and multi.answer_set == (0, 1)

    def test_source_must_be_a_string(self):
        with pytest.raises(TypeError, match="source must be a str"):
            validate_quiz(make_quiz(1), source=3)

    def test_duplicate_ids_across_files(self, tmp_path):
        first = load_quiz(write_yaml(tmp_path, "a.yaml", make_quiz(2)))
        second_data = make_quiz(2)
        second_data["id"] = "other"
        second = load_quiz(write_yaml(tmp_path, "b.yaml", second_data))
        with pytest.raises(QuizError) as info:
            validate_bank([first, second, first])
        text = str(info.value)
        assert "b.yaml: question 'demo-q0' (#1): field 'id': duplicate question id" in text
        assert "a.yaml: quiz 'demo': field 'id': duplicate quiz id" in text

    def test_validate_bank_refuses_non_quizzes(self):
        with pytest.raises(TypeError, match=r"quizzes\[0\] must be a Quiz"):
            validate_bank([make_quiz(1)])

    def test_book_policy(self):
        bank = list(load_bank())
        short = validate_quiz(make_quiz(2, quiz_id="short") | {"chapter": 3}, source="s.yaml")
        review9 = validate_quiz(make_quiz(9, quiz_id="rev") | {"chapter": 12}, source="r.yaml")
        extra = validate_quiz(make_quiz(3, quiz_id="extra") | {"chapter": 13}, source="e.yaml")
        loose = validate_quiz(make_quiz(3, quiz_id="loose"), source="l.yaml")
        with pytest.raises(QuizError) as info:
            validate_bank([*bank[:2], short, *bank[3:11], review9, extra, loose], book_policy=True)
        text = str(info.value)
        assert "s.yaml: quiz 'short': field 'questions': a chapter quiz needs at least 3" in text
        assert "r.yaml: quiz 'rev': field 'questions': the review quiz needs exactly 10" in text
        assert "e.yaml: quiz 'extra': field 'chapter': the book has chapters 1-12" in text
        assert "l.yaml: quiz 'loose': missing required field 'chapter'" in text
        with pytest.raises(QuizError, match="chapter 5: needs exactly one quiz, found none"):
            validate_bank([q for q in bank if q.chapter != 5], book_policy=True)


class TestLoading:
    def test_load_bank_from_a_folder(self, tmp_path):
        write_yaml(tmp_path, "b.yml", make_quiz(2, quiz_id="bee"))
        write_yaml(tmp_path, "a.yaml", make_quiz(3, quiz_id="ay"))
        assert [q.id for q in load_bank(tmp_path)] == ["ay", "bee"]
        assert [q.id for q in load_bank(str(tmp_path))] == ["ay", "bee"]

    def test_load_bank_collects_every_file_problem(self, tmp_path):
        write_yaml(tmp_path, "a.yaml", _mutate("title", ...)(make_quiz(2)))
        write_yaml(tmp_path, "b.yaml", _mutate("questions.0.answer", 7)(make_quiz(2, quiz_id="b")))
        with pytest.raises(QuizError) as info:
            load_bank(tmp_path)
        assert len(info.value.problems) == 2

    @pytest.mark.parametrize(
        ("directory", "error", "pattern"),
        [
            (3, TypeError, "directory must be a str or path-like"),
            ("/no/such/folder", ValueError, "directory must be an existing folder"),
        ],
    )
    def test_load_bank_bad_directory(self, directory, error, pattern):
        with pytest.raises(error, match=pattern):
            load_bank(directory)

    def test_load_bank_empty_folder(self, tmp_path):
        with pytest.raises(ValueError, match="holds no"):
            load_bank(tmp_path)

    @pytest.mark.parametrize(
        ("key", "error", "pattern"),
        [
            (0, ValueError, "path_or_chapter must be an integer >= 1"),
            (13, ValueError, "path_or_chapter=13 has no quiz"),
            (True, TypeError, "path_or_chapter must be"),
            (2.0, TypeError, "path_or_chapter must be"),
            ("nope", ValueError, "path_or_chapter='nope' matches no quiz"),
            ("", ValueError, "path_or_chapter must be a non-empty string"),
            ("missing.yaml", FileNotFoundError, "path_or_chapter='missing.yaml'"),
            (Path("missing"), FileNotFoundError, "no such quiz file"),
        ],
    )
    def test_load_quiz_bad_keys(self, key, error, pattern):
        with pytest.raises(error, match=pattern):
            load_quiz(key)


# ---------------------------------------------------------------------------------------------
# rendering


class TestRender:
    def test_mimebundle_and_repr(self):
        display = render_quiz(8)
        assert isinstance(display, QuizDisplay)
        bundle = display._repr_mimebundle_()
        assert set(bundle) == {"text/html", "text/plain"}
        assert bundle["text/html"] == display._repr_html_() == display.html
        assert repr(display) == "QuizDisplay(quiz='ch08-serving-kv-cache', questions=5)"

    def test_plain_text_lists_questions_without_answers(self):
        quiz = load_quiz(2)
        text = render_quiz(quiz).text
        assert text.startswith("Quiz: Encoders, decoders and the causal mask")
        assert "1. What was the original 2017 Transformer" in text
        assert "   ( ) [1, 1, 1, 0]" in text
        assert "   [ ] Classifying a support ticket into a label" in text
        assert "(Select all that apply.)" in text
        assert all(q.explanation not in text for q in quiz.questions)

    def test_dom_contract(self):
        quiz = load_quiz(2)
        html = render_quiz(quiz).html
        assert html.startswith('<div class="llmhq" id="llmhq-ch02-encoders-decoders-masks"')
        for attribute in (
            'data-quiz="ch02-encoders-decoders-masks"',
            f'data-book="{BOOK_ID}"',
            'data-storage-key="llmhistory:quiz:ch02-encoders-decoders-masks"',
            'data-threshold="0.75"',
            'data-min-correct="4"',
            'data-total="5"',
        ):
            assert attribute in html
        for role in ("remaining", "check", "retry", "score", "status", "feedback", "verdict"):
            assert f'data-role="{role}"' in html
        assert html.count("<fieldset>") == html.count("<legend>") == 5
        assert '<p data-role="remaining" aria-live="polite" data-remaining="5">' in html
        assert "5 questions remaining." in html
        assert '<button type="button" data-role="check" disabled>Check my score</button>' in html
        assert '<button type="button" data-role="retry" hidden>Try again</button>' in html
        assert 'role="status"' in html
        for q in quiz.questions:
            kind = "multi" if q.multi else "single"
            assert f'data-question="{q.id}" data-kind="{kind}" data-state="unanswered"' in html
        assert html.count('type="radio"') == 16 and html.count('type="checkbox"') == 4
        assert re.search(r'<label class="llmhq-choice" data-choice="0"><input type="radio"', html)

    def test_labels_wrap_their_inputs(self):
        html = render_quiz(1).html
        labels = re.findall(r"<label[^>]*>(.*?)</label>", html)
        assert labels and all(part.startswith("<input ") for part in labels)

    def test_json_blob_matches_the_quiz(self):
        quiz = load_quiz(12)
        data = quiz_json(render_quiz(quiz).html)
        assert data["quiz"] == "ch12-review" and data["book"] == BOOK_ID
        assert data["threshold"] == quiz.pass_threshold == 0.75
        assert data["minCorrect"] == quiz.min_correct == 8
        assert [q["id"] for q in data["questions"]] == [q.id for q in quiz.questions]
        assert [q["answer"] for q in data["questions"]] == [
            list(q.answer_set) for q in quiz.questions
        ]
        assert [q["explanation"] for q in data["questions"]] == [
            q.explanation for q in quiz.questions
        ]

    def test_threshold_embedded_and_rule_is_strict(self):
        quiz = validate_quiz(make_quiz(4, threshold=0.5))
        html = render_quiz(quiz).html
        assert 'data-threshold="0.5"' in html
        assert quiz_json(html)["threshold"] == 0.5
        assert quiz_json(html)["minCorrect"] == 3
        assert "Score above 50% to mark this lesson complete." in html
        assert "return correct / total > threshold;" in html
        assert "var passed = passes(correct, total, threshold);" in html

    @pytest.mark.parametrize("field", ["title", "text", "choice", "explanation"])
    def test_script_in_any_text_is_escaped(self, field):
        data = make_quiz(2)
        if field == "title":
            data["title"] = XSS
        elif field == "text":
            data["questions"][0]["text"] = XSS
        elif field == "choice":
            data["questions"][0]["choices"] = [XSS, "</script><script>alert(2)</script>"]
        else:
            data["questions"][0]["explanation"] = "</script><script>alert(3)</script><!--"
        html = render_quiz(data).html
        assert html.count("<script") == 2  # the JSON blob and the behaviour, nothing else
        assert html.count("</script>") == 2
        blob = re.search(r'data-role="quiz-data">(.*?)</script>', html).group(1)
        assert "<" not in blob and ">" not in blob and "&" not in blob
        outside = html.replace(blob, "")
        assert outside.count("alert(") == outside.count("&gt;alert(")
        if field in ("title", "text", "choice"):
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        if field == "explanation":
            assert "\\u003c/script\\u003e" in blob
            assert quiz_json(html)["questions"][0]["explanation"].startswith("</script>")

    def test_plain_text_shows_markup_verbatim(self):
        data = make_quiz(1)
        data["questions"][0]["text"] = XSS
        assert f"1. {XSS}" in render_quiz(data).text

    def test_deterministic_and_derived_from_the_quiz_id(self):
        first = render_quiz(8).html
        assert first == render_quiz(load_quiz(8)).html
        assert render_quiz(7).html != first
        code = "from llmhistory.quiz import render_quiz; print(render_quiz(8).html, end='')"
        for seed in ("0", "123"):
            out = subprocess.run(
                [sys.executable, "-c", code],
                capture_output=True,
                text=True,
                check=True,
                env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
            ).stdout
            assert out == first
        ids = re.findall(r'\bid="([^"]+)"', first)
        assert ids == ["llmhq-ch08-serving-kv-cache", "llmhq-ch08-serving-kv-cache-title"]
        assert "Math.random" not in first

    def test_self_contained(self):
        html = render_quiz(12).html
        assert not re.search(r"\b(src|href)\s*=", html)
        assert "http://" not in html and "https://" not in html
        assert "@import" not in html and "url(" not in html
        page = quiz_page_html(12)
        assert re.findall(r"\b(?:src|href)=\"([^\"]*)\"", page) == ["data:,"]

    def test_assets_are_safe_inside_script_and_style(self):
        js = (ASSETS / "quiz.js").read_text(encoding="utf-8")
        css = (ASSETS / "quiz.css").read_text(encoding="utf-8")
        assert "</script" not in js.lower() and "<!--" not in js
        assert "</style" not in css.lower()
        assert "innerHTML" not in js and "eval(" not in js

    def test_own_yaml_in_one_call_and_book_id(self, tmp_path):
        path = write_yaml(tmp_path, "my_quiz.yaml", make_quiz(3, quiz_id="my-quiz"))
        html = render_quiz(str(path), book_id="course-2026").html
        assert 'data-storage-key="course-2026:quiz:my-quiz"' in html
        assert render_quiz(path).html == render_quiz(make_quiz(3, quiz_id="my-quiz")).html

    @pytest.mark.parametrize(
        ("kwargs", "error", "pattern"),
        [
            ({"quiz": 2.5}, TypeError, "quiz must be a Quiz"),
            ({"quiz": 8, "book_id": ""}, ValueError, "book_id must be a non-empty string"),
            ({"quiz": 8, "book_id": "a b"}, ValueError, "book_id must use only"),
            ({"quiz": 8, "book_id": 3}, TypeError, "book_id must be a str"),
        ],
    )
    def test_bad_render_arguments(self, kwargs, error, pattern):
        with pytest.raises(error, match=pattern):
            render_quiz(**kwargs)


class TestPage:
    def test_full_document_with_several_quizzes(self):
        page = quiz_page_html([1, 8, 8])
        assert page.startswith('<!DOCTYPE html>\n<html lang="en" data-theme="light">')
        assert page.rstrip().endswith("</html>")
        assert page.count('class="llmhq"') == 3
        assert "<title>Quizzes</title>" in page
        assert '<meta charset="utf-8">' in page

    def test_single_quiz_title_and_dark_theme(self):
        page = quiz_page_html(load_quiz(8), theme="dark")
        assert '<html lang="en" data-theme="dark">' in page
        assert "<title>Serving: KV cache, GQA and MQA</title>" in page

    @pytest.mark.parametrize(
        ("args", "kwargs", "error", "pattern"),
        [
            ((8,), {"theme": "blue"}, ValueError, "theme must be one of"),
            (([],), {}, ValueError, "quizzes must hold at least one quiz"),
            ((8,), {"book_id": "x y"}, ValueError, "book_id"),
        ],
    )
    def test_bad_page_arguments(self, args, kwargs, error, pattern):
        with pytest.raises(error, match=pattern):
            quiz_page_html(*args, **kwargs)


class TestJavaScriptParity:
    """The page's helper functions agree with Python on every number they print."""

    @staticmethod
    def _function(js: str, name: str) -> str:
        match = re.search(rf"\n  function {name}\(.*?\n  }}\n", js, re.S)
        assert match, name
        return match.group(0)

    @pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
    def test_score_text_pass_rule_and_threshold_text(self):
        js = (ASSETS / "quiz.js").read_text(encoding="utf-8")
        helpers = "".join(
            self._function(js, name)
            for name in ("percentOf", "scoreText", "passes", "thresholdText")
        )
        cases = [(c, t) for t in range(1, 41) for c in range(t + 1)]
        thresholds = [0.0, 0.1, 0.25, 0.5, 0.7, 0.75, 0.8, 0.333, 0.755, 0.9999999, 0.12345678]
        program = (
            helpers
            + f"const cases = {json.dumps(cases)}; const ts = {json.dumps(thresholds)};\n"
            + "console.log(JSON.stringify({"
            + "scores: cases.map(([c, t]) => scoreText(c, t)),"
            + "passes: ts.map(h => cases.map(([c, t]) => passes(c, t, h))),"
            + "texts: ts.map(thresholdText)}));"
        )
        out = json.loads(
            subprocess.run(
                ["node", "-e", program], capture_output=True, text=True, check=True
            ).stdout
        )
        assert out["scores"] == [_score_text(c, t) for c, t in cases]
        assert out["texts"] == [_threshold_text(h) for h in thresholds]
        for h, row in zip(thresholds, out["passes"], strict=True):
            assert row == [c / t > h for c, t in cases]

    def test_python_helpers(self):
        assert _percent(5, 8) == 63  # half up, as Math.round
        assert _percent(1, 8) == 13
        assert _threshold_text(0.75) == "75%"
        assert _threshold_text(0.333) == "33.3%"
        assert math.isclose(float(_threshold_text(0.12345678)[:-1]), 12.3457)


# ---------------------------------------------------------------------------------------------
# command line


class TestCommandLine:
    def test_validate_shipped_bank(self, capsys):
        assert main(["validate"]) == 0
        out = capsys.readouterr().out.strip()
        total = sum(len(q.questions) for q in load_bank())
        assert out == f"12 quizzes, {total} questions OK"

    def test_validate_paths_and_folders(self, tmp_path, capsys):
        one = write_yaml(tmp_path, "one.yaml", make_quiz(1, quiz_id="one"))
        assert main(["validate", str(one)]) == 0
        assert capsys.readouterr().out.strip() == "1 quiz, 1 question OK"
        write_yaml(tmp_path, "two.yaml", make_quiz(2, quiz_id="two"))
        assert main(["validate", str(tmp_path)]) == 0
        assert capsys.readouterr().out.strip() == "2 quizzes, 3 questions OK"

    def test_validate_failures_exit_1_with_messages(self, tmp_path, capsys):
        bad = write_yaml(tmp_path, "bad.yaml", _mutate("questions.0.answer", 4)(make_quiz(2)))
        assert main(["validate", str(bad)]) == 1
        err = capsys.readouterr().err
        assert f"{bad}: question 'demo-q0' (#1): field 'answer': index 4 is out of range" in err
        assert "1 problem(s) found" in err
        assert main(["validate", str(tmp_path / "nowhere.yaml")]) == 1
        assert "no such file or folder" in capsys.readouterr().err
        empty = tmp_path / "empty"
        empty.mkdir()
        assert main(["validate", str(empty)]) == 1
        assert "no *.yaml quiz file" in capsys.readouterr().err

    def test_duplicate_ids_across_files_fail(self, tmp_path, capsys):
        write_yaml(tmp_path, "a.yaml", make_quiz(2))
        write_yaml(tmp_path, "b.yaml", make_quiz(2))
        assert main(["validate", str(tmp_path)]) == 1
        assert "duplicate question id" in capsys.readouterr().err

    def test_page_command(self, tmp_path, capsys):
        out = tmp_path / "ch08.html"
        assert main(["page", "8", "-o", str(out)]) == 0
        assert out.read_text(encoding="utf-8") == quiz_page_html(8)
        assert main(["page", "ch12-review", "--theme", "dark"]) == 0
        assert capsys.readouterr().out == quiz_page_html(12, theme="dark")
        assert main(["page", "nope"]) == 1
        assert "path_or_chapter='nope'" in capsys.readouterr().err

    def test_usage_errors_exit_2(self, capsys):
        assert main([]) == 2
        assert main(["frobnicate"]) == 2
        assert main(["--help"]) == 0
        capsys.readouterr()

    def test_module_runs_as_a_script(self, tmp_path):
        ok = subprocess.run(
            [sys.executable, "-m", "llmhistory.quiz", "validate"], capture_output=True, text=True
        )
        assert ok.returncode == 0 and ok.stdout.endswith("questions OK\n")
        bad = write_yaml(tmp_path, "bad.yaml", {"id": "x"})
        failed = subprocess.run(
            [sys.executable, "-m", "llmhistory.quiz", "validate", str(bad)],
            capture_output=True,
            text=True,
        )
        assert failed.returncode == 1
        assert "missing required field 'title'" in failed.stderr
