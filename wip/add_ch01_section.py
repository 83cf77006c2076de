# ruff: noqa: E501  (the replaced notebook sentences must match exactly)
"""Insert chapter 1's section on the hand-written evaluation set (issue 11, part 3).

Run AFTER the retrained model is in src/llmhistory/tiny/data, then execute ch01 with
scripts/run_notebooks.py and read the three printed mistakes before committing.
Read-modify-write: locates cells by their text, so it survives other edits of the notebook.
"""

import json
import uuid

PATH = "notebooks/01_prompt_in_text_out.ipynb"


def md(text):
    return {
        "cell_type": "markdown",
        "id": uuid.uuid4().hex[:8],
        "metadata": {},
        "source": text.strip("\n").splitlines(keepends=True),
    }


def code(text, tags=None):
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": uuid.uuid4().hex[:8],
        "metadata": {"tags": tags} if tags else {},
        "outputs": [],
        "source": text.strip("\n").splitlines(keepends=True),
    }


SECTION = [
    md("""
### Messages written by people

The held-out tickets come from the same generator as the training corpus: new combinations of
the same phrase families, typed the same ways. A high score there shows that the model learned
the generator. Readers of this chapter type their own messages, so the fairer test is a set
written by hand, independently of the generator: `eval_support.jsonl` in
`llmhistory/tiny/data` holds 97 customer messages (33 Refund, 32 Shipping, 32 Account) with
typos, slang, anger, politeness, amounts and order numbers in many shapes, and hard cases such
as refunds that mention a delivery. Each is labelled by one rule: the label of what the
customer asks the shop to *do*. The corpus was widened while watching a separate development
set; this one was only scored.
"""),
    code("""
written = load_support_set("eval")
report = evaluate_labels(model, tokenizer, written)
print(f"hand-written messages: {report.correct} of {len(written)} labelled correctly")
print(format_table(report.rows(), ["true \\\\ predicted", *report.labels]))
"""),
    code(
        """
worst_true, worst_predicted, worst_count = report.most_confused()
glue("ch01_written_correct", report.correct)
glue("ch01_written_total", len(written))
glue("ch01_written_accuracy", 100 * report.accuracy, decimals=0)
glue("ch01_written_gap", 100 * (accuracy - report.accuracy), decimals=0)
glue("ch01_written_worst_true", worst_true)
glue("ch01_written_worst_predicted", worst_predicted)
glue("ch01_written_worst_count", worst_count)
""",
        tags=["remove-input"],
    ),
    md("""
The model labels {glue:text}`ch01_written_correct` of {glue:text}`ch01_written_total`
messages correctly ({glue:text}`ch01_written_accuracy:.0f`%), {glue:text}`ch01_written_gap:.0f`
points below its held-out score. In the table each row is the true label and each column the
model's answer, so the diagonal holds the right answers and every other count is a mistake.
The largest, {glue:text}`ch01_written_worst_count` messages, are
**{glue:text}`ch01_written_worst_true`** messages called
**{glue:text}`ch01_written_worst_predicted`**. Three of the mistakes:
"""),
    code("""
print(format_table(report.mistakes()[:3], ["message", "true", "predicted"]))
"""),
    md("""
Read each one and ask which words pulled the model towards the wrong team. The gap between
the two scores is the point of this section: a test drawn from the training distribution
measures how well the model learned that distribution, and only messages written
independently of it say what a customer will see.
"""),
]


def main():
    with open(PATH, encoding="utf-8") as f:
        nb = json.load(f)
    cells = nb["cells"]
    text = ["".join(c["source"]) for c in cells]
    if any("load_support_set" in t for t in text):
        raise SystemExit("section already present")
    (anchor,) = [i for i, t in enumerate(text) if "held-out examples of *your* tickets." in t]
    cells[anchor + 1 : anchor + 1] = SECTION
    (imports,) = [
        c for c in cells if "from llmhistory.tiny import load_tiny\n" in "".join(c["source"])
    ]
    src = "".join(imports["source"]).replace(
        "from llmhistory.tiny.corpus import support_split\n",
        "from llmhistory.tiny.corpus import support_split\n"
        "from llmhistory.tiny.evaluation import evaluate_labels, load_support_set\n",
    )
    imports["source"] = src.splitlines(keepends=True)
    for c in cells:
        s = "".join(c["source"])
        s2 = s.replace(
            "{glue:text}`ch01_heldout_accuracy:.0f`% for the tiny model on unseen tickets.",
            "{glue:text}`ch01_heldout_accuracy:.0f`% for the tiny model on unseen tickets from its\n"
            "  generator, {glue:text}`ch01_written_accuracy:.0f`% on messages written by hand.",
        ).replace(
            "and this exact sentence is one of the corpus's templates, so\nthe model has probably seen it during training.",
            "and sentences much like this one are in the training corpus,\nso the model has probably seen its kind.",
        )
        if s2 != s:
            c["source"] = s2.splitlines(keepends=True)
    with open(PATH, "w", encoding="utf-8") as f:
        json.dump(nb, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
