"""Tests of llmhistory.tiny.evaluation: the hand-written support sets, the confusion matrix,
reports."""

from __future__ import annotations

import re
from collections import Counter
from itertools import combinations, groupby

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmhistory.tiny import load_tiny
from llmhistory.tiny.corpus import LABELS, Ticket, support_split, training_documents
from llmhistory.tiny.evaluation import (
    REPORT_SETS,
    SUPPORT_SETS,
    TRAINING_SETS,
    LabelReport,
    confusion_matrix,
    evaluate_labels,
    load_support_set,
    parse_support_lines,
    predict_labels,
    training_split,
)
from llmhistory.tiny.generation import label_accuracy
from llmhistory.tiny.model import TinyDecoder, tiny_config
from llmhistory.tiny.tokenizer import train_bpe

#: The training split of scripts/train_tiny.py (its held-out 100 do not depend on n_train).
TRAIN_SPLIT = {"n_train": 20_000, "n_held_out": 100, "seed": 0}


def normalise(message: str) -> str:
    """Lower case, words only: "Where's my parcel??" and "wheres my parcel" compare equal."""
    return " ".join(re.findall(r"[a-z0-9]+", message.lower().replace("'", "")))


@pytest.fixture(scope="module")
def shipped():
    return load_tiny()


@pytest.fixture(scope="module")
def generated():
    """The generated split train_tiny.py starts from (about a second to build, so built once)."""
    return support_split(**TRAIN_SPLIT)


@pytest.fixture(scope="module")
def split():
    """The tickets the shipped model was trained on."""
    return training_split()


class TestTrainingSplit:
    def test_generated_tickets_then_each_written_message_repeat_times(self, split, generated):
        written = [t for name in TRAINING_SETS for t in load_support_set(name)]
        assert len(split.train) == 20_000 + 4 * 1466 == len(generated.train) + 4 * len(written)
        assert split.train[:20_000] == generated.train and split.held_out == generated.held_out
        counts = Counter(split.train[20_000:])
        assert set(counts) == set(written) and set(counts.values()) == {4}

    def test_no_set_outside_training_is_in_it(self, split):
        trained = {normalise(t.message) for t in split.train}
        for name in set(SUPPORT_SETS) - set(TRAINING_SETS):
            assert not trained & {normalise(t.message) for t in load_support_set(name)}, name

    def test_bad_input_is_refused_before_any_ticket_is_generated(self):
        with pytest.raises(ValueError, match="names"):
            training_split(("dev", "nope"))
        with pytest.raises(ValueError, match="repeat"):
            training_split(repeat=0)
        with pytest.raises(ValueError, match="seed"):
            training_split(seed=-1)


class TestSupportSets:
    @pytest.mark.parametrize(("name", "per_label"), [("eval", 30), ("dev", 30), ("test", 40)])
    def test_shape(self, name, per_label):
        tickets = load_support_set(name)
        counts = Counter(t.label for t in tickets)
        assert set(counts) == set(LABELS)
        assert min(counts.values()) >= per_label
        assert max(counts.values()) - min(counts.values()) <= 1
        assert all(isinstance(t, Ticket) and "\n" not in t.message for t in tickets)

    def test_eval_size(self):
        assert len(load_support_set()) == len(load_support_set("eval")) == 97 >= 60
        assert len(load_support_set("dev")) == 90

    def test_sets_for_the_next_model(self):
        dev2 = Counter(t.label for t in load_support_set("dev2"))
        assert dev2 == {"Refund": 30, "Shipping": 30, "Account": 60}
        labels = [t.label for t in load_support_set("test2")]
        assert Counter(labels) == {label: 50 for label in LABELS}
        assert max(len(list(run)) for _, run in groupby(labels)) <= 3
        for name in ("dev2", "test2"):
            messages = [t.message for t in load_support_set(name)]
            lengths = [len(m.split()) for m in messages]
            assert min(lengths) <= 5 and max(lengths) >= 30, name
            assert sum(m == m.lower() for m in messages) >= 10, name
            assert any(re.search(r"[€£$]", m) for m in messages), name

    def test_third_test_set_is_balanced_and_shuffled(self):
        messages = [t.message for t in load_support_set("test3")]
        labels = [t.label for t in load_support_set("test3")]
        # 150 written, 50 per label; two the generator also writes word for word were removed
        assert Counter(labels) == {"Refund": 50, "Shipping": 49, "Account": 49}
        assert max(len(list(run)) for _, run in groupby(labels)) <= 4
        lengths = [len(m.split()) for m in messages]
        assert min(lengths) >= 3 and max(lengths) <= 60 and max(lengths) >= 30
        assert sum(m == m.lower() for m in messages) >= 10

    def test_training_and_report_sets(self):
        # 420 written each; from each, one message the training documents also hold was removed
        expected = {"train_a": (140, 140, 139), "train_b": (140, 139, 140)}
        for name, counts in expected.items():
            labels = [t.label for t in load_support_set(name)]
            assert Counter(labels) == dict(zip(LABELS, counts, strict=True)), name
            assert max(len(list(run)) for _, run in groupby(labels)) <= 4, name
        labels = [t.label for t in load_support_set("test4")]
        assert Counter(labels) == {label: 50 for label in LABELS}
        assert max(len(list(run)) for _, run in groupby(labels)) <= 4
        total = sum(len(load_support_set(name)) for name in TRAINING_SETS)
        assert total == 90 + 120 + 120 + 150 + 148 + 419 + 419 == 1466

    def test_report_sets_are_neither_trained_nor_chosen_on(self):
        assert set(TRAINING_SETS) | set(REPORT_SETS) | {"eval"} == set(SUPPORT_SETS)
        assert not set(TRAINING_SETS) & set(REPORT_SETS)
        assert "eval" not in TRAINING_SETS + REPORT_SETS  # the set candidates were chosen on

    def test_test_set_is_balanced_and_shuffled(self):
        labels = [t.label for t in load_support_set("test")]
        assert len(labels) == 120 and Counter(labels) == {label: 40 for label in LABELS}
        assert max(len(list(run)) for _, run in groupby(labels)) <= 3  # shuffled, not grouped

    @pytest.mark.parametrize("name", list(SUPPORT_SETS))
    def test_no_duplicates(self, name):
        messages = [normalise(t.message) for t in load_support_set(name)]
        assert len(set(messages)) == len(messages)

    @pytest.mark.parametrize(("first", "second"), list(combinations(SUPPORT_SETS, 2)))
    def test_sets_are_disjoint(self, first, second):
        one = {normalise(t.message) for t in load_support_set(first)}
        other = {normalise(t.message) for t in load_support_set(second)}
        assert not one & other

    @pytest.mark.parametrize("name", ["eval", "test"])
    def test_varied_like_people_write(self, name):
        messages = [t.message for t in load_support_set(name)]
        lengths = [len(m.split()) for m in messages]
        assert min(lengths) <= 4 and max(lengths) >= 20
        assert sum(m == m.lower() for m in messages) >= 10  # no capitals at all
        assert any(re.search(r"[€£]", m) for m in messages)
        assert any(re.search(r"\bORD-\d+", m) for m in messages)

    def test_no_overlap_with_the_training_corpus(self, generated):
        tickets = {normalise(t.message) for t in generated.train + generated.held_out}
        assert set(SUPPORT_SETS) == {
            "eval", "dev", "test", "dev2", "test2", "test3", "train_a", "train_b", "test4"
        }  # fmt: skip
        for name in SUPPORT_SETS:
            written = {normalise(t.message): t.message for t in load_support_set(name)}
            assert not set(written) & tickets, [written[m] for m in set(written) & tickets]

    def test_no_message_in_the_training_documents(self, generated):
        text = normalise("\n".join(training_documents(generated, 5000, seed=1)))
        for name in SUPPORT_SETS:
            found = [t.message for t in load_support_set(name) if normalise(t.message) in text]
            assert not found, (name, found)

    def test_unknown_set(self):
        with pytest.raises(ValueError, match="name"):
            load_support_set("holdout")


class TestParseSupportLines:
    def test_reads_lines_and_skips_blank_ones(self):
        lines = ['{"message": "Refund me.", "label": "Refund"}', "", "  "]
        assert parse_support_lines(lines) == (Ticket("Refund me.", "Refund"),)

    def test_empty(self):
        assert parse_support_lines([]) == ()

    @pytest.mark.parametrize(
        ("line", "match"),
        [
            ("{not json", r"x.jsonl:2 is not JSON"),
            ('["Refund me.", "Refund"]', r"x.jsonl:2 must be an object"),
            ('{"message": "Hi", "label": "Refund", "id": 3}', "keys label and message"),
            ('{"message": "Hi", "label": "Other"}', r"x.jsonl:2: label must be one of"),
            ('{"message": " ", "label": "Refund"}', r"x.jsonl:2: message must be a non-empty"),
            ('{"message": 5, "label": "Refund"}', r"x.jsonl:2: message must be a str"),
            ('{"message": "a\\nb", "label": "Refund"}', r"x.jsonl:2: message must be a single"),
        ],
    )
    def test_bad_lines_name_file_and_line(self, line, match):
        good = '{"message": "Refund me.", "label": "Refund"}'
        with pytest.raises(ValueError, match=match):
            parse_support_lines([good, line], "x.jsonl")


class TestConfusionMatrix:
    def test_known_value(self):
        true = ["Refund", "Refund", "Refund", "Shipping", "Account", "Account"]
        predicted = ["Refund", "Shipping", "Shipping", "Shipping", "Refund", "Account"]
        expected = [[1, 2, 0], [0, 1, 0], [1, 0, 1]]
        assert confusion_matrix(true, predicted).tolist() == expected
        assert confusion_matrix(true, predicted).dtype == np.int64

    def test_label_order_sets_rows_and_columns(self):
        matrix = confusion_matrix(["a", "b"], ["b", "b"], labels=["b", "a"])
        assert matrix.tolist() == [[1, 0], [1, 0]]

    def test_one_ticket(self):
        assert confusion_matrix(["Account"], ["Account"]).tolist() == [
            [0, 0, 0],
            [0, 0, 0],
            [0, 0, 1],
        ]

    @given(st.lists(st.tuples(st.sampled_from(LABELS), st.sampled_from(LABELS)), min_size=1))
    def test_counts_every_pair_once(self, pairs):
        true, predicted = zip(*pairs, strict=True)
        matrix = confusion_matrix(true, predicted)
        assert matrix.sum() == len(pairs)
        assert np.trace(matrix) == sum(t == p for t, p in pairs)
        assert matrix.sum(axis=1).tolist() == [true.count(label) for label in LABELS]
        assert matrix.sum(axis=0).tolist() == [predicted.count(label) for label in LABELS]

    @pytest.mark.parametrize(
        ("call", "error", "match"),
        [
            (lambda: confusion_matrix([], []), ValueError, "true"),
            (lambda: confusion_matrix("Refund", ["Refund"]), TypeError, "true"),
            (lambda: confusion_matrix(["Refund"], "Refund"), TypeError, "predicted"),
            (lambda: confusion_matrix(["Refund"], ["Refund", "Account"]), ValueError, "1 labels"),
            (lambda: confusion_matrix(["Other"], ["Refund"]), ValueError, r"true\[0\]"),
            (lambda: confusion_matrix(["Refund"], ["Other"]), ValueError, r"predicted\[0\]"),
            (lambda: confusion_matrix(["a"], ["a"], labels=["a", "a"]), ValueError, "distinct"),
        ],
    )
    def test_bad_input(self, call, error, match):
        with pytest.raises(error, match=match):
            call()


class TestLabelReport:
    TICKETS = (
        Ticket("Refund me.", "Refund"),
        Ticket("Where is it?", "Shipping"),
        Ticket("Locked out.", "Account"),
        Ticket("Money back!", "Refund"),
    )

    def test_values(self):
        report = LabelReport(self.TICKETS, ("Refund", "Refund", "Account", "Shipping"))
        assert report.correct == 2 and report.accuracy == 0.5
        assert report.hits.tolist() == [True, False, True, False]
        assert report.hits.sum() == report.correct  # agrees with the confusion matrix's trace
        assert report.confusion.tolist() == [[1, 1, 0], [1, 0, 0], [0, 0, 1]]
        assert report.mistakes() == (
            ("Where is it?", "Shipping", "Refund"),
            ("Money back!", "Refund", "Shipping"),
        )

    def test_table(self):
        report = LabelReport(self.TICKETS, ("Refund", "Refund", "Account", "Shipping"))
        assert report.table().splitlines() == [
            "| true \\ predicted | Refund | Shipping | Account |",
            "|---|---|---|---|",
            "| Refund | 1 | 1 | 0 |",
            "| Shipping | 1 | 0 | 0 |",
            "| Account | 0 | 0 | 1 |",
        ]

    def test_rows_per_label_and_most_confused(self):
        report = LabelReport(self.TICKETS, ("Refund", "Refund", "Account", "Shipping"))
        assert report.rows() == [
            ("Refund", 1, 1, 0),
            ("Shipping", 1, 0, 0),
            ("Account", 0, 0, 1),
        ]
        assert report.per_label() == {"Refund": 0.5, "Shipping": 0.0, "Account": 1.0}
        assert report.most_confused() == ("Refund", "Shipping", 1)  # tie: earlier row first
        perfect = LabelReport(self.TICKETS, tuple(t.label for t in self.TICKETS))
        assert perfect.most_confused() is None and set(perfect.per_label().values()) == {1.0}

    @given(st.lists(st.tuples(st.sampled_from(LABELS), st.sampled_from(LABELS)), min_size=1))
    def test_rows_agree_with_an_independent_count(self, pairs):
        tickets = tuple(Ticket(f"message {i}", t) for i, (t, _) in enumerate(pairs))
        report = LabelReport(tickets, tuple(p for _, p in pairs))
        counts = Counter(pairs)
        assert report.rows() == [(t, *(counts[(t, p)] for p in LABELS)) for t in LABELS]
        for label, recall in report.per_label().items():
            total = sum(n for (t, _), n in counts.items() if t == label)
            assert recall == counts[(label, label)] / total
        worst = report.most_confused()
        off = {k: n for k, n in counts.items() if k[0] != k[1]}
        assert (worst is None) == (not off)
        if worst:
            assert worst[2] == max(off.values()) == counts[worst[:2]]

    def test_bad_input(self):
        with pytest.raises(ValueError, match="predicted has 1 labels for 4 tickets"):
            LabelReport(self.TICKETS, ("Refund",))
        with pytest.raises(TypeError, match=r"tickets\[0\]"):
            LabelReport(("Refund me.",), ("Refund",))
        with pytest.raises(ValueError, match="tickets"):
            LabelReport((), ())


class TestEvaluateLabels:
    def test_known_tickets(self, shipped):
        tickets = [
            Ticket("I want my money back.", "Refund"),
            Ticket("Where is my order A12345?", "Shipping"),
            Ticket("I forgot my password.", "Account"),
            Ticket("I forgot my password.", "Refund"),  # deliberately mislabelled
        ]
        report = evaluate_labels(*shipped, tickets)
        assert report.predicted == ("Refund", "Shipping", "Account", "Account")
        assert report.confusion.tolist() == [[1, 0, 1], [0, 1, 0], [0, 0, 1]]
        assert report.mistakes() == (("I forgot my password.", "Refund", "Account"),)

    def test_agrees_with_label_accuracy(self, shipped):
        held_out = support_split(n_train=1, n_held_out=30, seed=0).held_out
        report = evaluate_labels(*shipped, held_out)
        assert report.accuracy == label_accuracy(*shipped, held_out)

    def test_random_model_with_two_labels(self):
        """A model that knows nothing still yields one prediction per ticket, from the labels."""
        tokenizer = train_bpe(["Refund Shipping Account Message Label"], vocab_size=270)
        config = tiny_config(
            vocab_size=tokenizer.vocab_size, d_model=16, layers=1, heads=2, kv_heads=1,
            d_ff=16, context=512,
        )  # fmt: skip
        model = TinyDecoder.random(config, dtype="float64", seed=3)
        tickets = [Ticket("Refund me.", "Refund"), Ticket("Where is it?", "Shipping")]
        labels = ("Refund", "Shipping")
        shots = [("Money back please.", "Refund"), ("Parcel is late.", "Shipping")]
        report = evaluate_labels(model, tokenizer, tickets, examples=shots, labels=labels)
        assert report.labels == labels and report.confusion.sum() == 2
        messages = [t.message for t in tickets]
        assert report.predicted == predict_labels(
            model, tokenizer, messages, examples=shots, labels=labels
        )
        assert set(report.predicted) <= set(labels)

    @pytest.mark.parametrize(
        ("call", "error", "match"),
        [
            (
                lambda m, t: evaluate_labels("model", t, [Ticket("Hi", "Refund")]),
                TypeError,
                "model",
            ),
            (lambda m, t: evaluate_labels(m, t, []), ValueError, "tickets"),
            (lambda m, t: evaluate_labels(m, t, ["Hi"]), TypeError, r"tickets\[0\]"),
            (
                lambda m, t: evaluate_labels(m, t, [Ticket("Hi", "Account")], labels=["Refund"]),
                ValueError,
                r"tickets\[0\].label",
            ),
            (lambda m, t: predict_labels(m, t, "Hi"), TypeError, "messages"),
            (lambda m, t: predict_labels(m, t, ["Hi", " "]), ValueError, r"messages\[1\]"),
        ],
    )
    def test_bad_input(self, shipped, call, error, match):
        with pytest.raises(error, match=match):
            call(*shipped)


class TestShortMistakes:
    def test_messages_are_cut_at_a_word_and_never_longer_than_asked(self):
        words = "order 4471 has not arrived and the tracking page says nothing at all " * 3
        tickets = (Ticket(words.strip(), "Shipping"), Ticket("Refund me.", "Refund"))
        report = LabelReport(tickets, ("Account", "Account"))
        full = report.mistakes()
        short = report.mistakes(max_chars=40)
        assert [row[1:] for row in short] == [row[1:] for row in full]
        assert short[1][0] == "Refund me."  # short messages are kept whole
        cut = short[0][0]
        assert len(cut) <= 40 and cut.endswith(" ...")
        assert words.startswith(cut.removesuffix(" ...") + " ")  # a prefix ending at a word

    @pytest.mark.parametrize("bad", [0, 19, 2.5, "80", True])
    def test_bad_max_chars(self, bad):
        report = LabelReport((Ticket("Refund me.", "Refund"),), ("Account",))
        with pytest.raises((TypeError, ValueError), match="max_chars"):
            report.mistakes(max_chars=bad)
