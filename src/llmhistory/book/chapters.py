"""The book's chapter map: one record per chapter, read by both the notebooks and the guide.

Each chapter notebook opens with ``chapter_card(n)``, and the instructor guide renders
``chapter_table()``; both read ``CHAPTERS``, so the objectives, prerequisites and time
shown to a learner are the ones an instructor plans with.
"""

from __future__ import annotations

from dataclasses import dataclass

from llmhistory._validate import check_int, check_str


@dataclass(frozen=True)
class Chapter:
    """One chapter: its number, file slug, title, objectives, prerequisites and time.

    Attributes
    ----------
    number : int
        1-based chapter number; the notebook is ``notebooks/{number:02d}_{slug}.ipynb``.
    slug : str
        File-name stem after the number, e.g. ``"serving_kv_cache"``.
    title : str
        Title shown in the table of contents.
    objectives : tuple of str
        What a learner can do after the chapter ("Compute ...", "Explain ...").
    prerequisites : tuple of str
        What to know first (earlier chapters or outside knowledge).
    minutes : int
        Estimated time to read and run the chapter, exercises included.
    """

    number: int
    slug: str
    title: str
    objectives: tuple[str, ...]
    prerequisites: tuple[str, ...]
    minutes: int

    @property
    def stem(self) -> str:
        """Return the notebook's file stem, e.g. ``"09_serving_kv_cache"``."""
        return f"{self.number:02d}_{self.slug}"

    @property
    def notebook(self) -> str:
        """Return the notebook's path relative to the repository root."""
        return f"notebooks/{self.stem}.ipynb"


CHAPTERS: tuple[Chapter, ...] = (
    Chapter(
        1,
        "prompt_in_text_out",
        "Prompt in, text out",
        (
            "Frame classification, translation and a support reply as text continuation.",
            "Evaluate a few-shot label prompt on held-out messages instead of assuming it works.",
            "Run the next-token loop on a small trained decoder and read each step's probability.",
            "Compare greedy, temperature, top-k and top-p decoding on the same logits.",
        ),
        ("Python and NumPy basics", "Probability: what a distribution over outcomes is"),
        45,
    ),
    Chapter(
        2,
        "encoders_decoders_masks",
        "Encoders, decoders and the causal mask",
        (
            "Place the 2017 Transformer, BERT and GPT on one family tree.",
            "Build causal and bidirectional attention masks and read a row of each.",
            "Combine a padding mask with a causal mask for a batch of uneven messages.",
            "Choose an encoder or a decoder for a product task and justify it.",
        ),
        ("Chapter 1", "Matrix indexing in NumPy"),
        40,
    ),
    Chapter(
        3,
        "inside_a_decoder",
        'Inside a decoder: following "Where is my order?"',
        (
            "Trace a support question from text to token ids to next-token probabilities.",
            "State the shape of every tensor in a decoder block, including the KV cache.",
            "Explain what RMSNorm, RoPE, grouped-query attention and SwiGLU each do.",
            "Explain what the final norm, the output head and the softmax each do.",
        ),
        ("Chapters 1-2", "Matrix multiplication"),
        55,
    ),
    Chapter(
        4,
        "tokens",
        "Tokens: vocabularies, lengths and the token tax",
        (
            "Train a byte-level BPE and explain why a longer merge list never lengthens text.",
            "Measure tokens per word and a prompt's length against vocabulary size.",
            "Compute what a vocabulary costs in parameters, tied or untied, from a config.",
            "Measure the token premium of the same message in other languages.",
            "Explain how splitting digits changes what a model sees of an order number.",
        ),
        ("Chapter 1 (a prompt is text)", "Chapter 3 (text to token ids)"),
        45,
    ),
    Chapter(
        5,
        "scaling_laws",
        "Scaling: GPT-2, GPT-3 and Chinchilla",
        (
            "Compute tokens per parameter and a parameters x tokens compute proxy.",
            "Estimate training FLOPs with C = 6ND and split a budget compute-optimally.",
            "Place GPT-3, Chinchilla and the Llama models against the compute-optimal frontier.",
            "Read a model release with the four scaling questions.",
        ),
        ("Chapter 1", "Logarithms and power laws"),
        50,
    ),
    Chapter(
        6,
        "instruction_tuning",
        "From document completer to assistant",
        (
            "Tell base, instruct and chat models apart by their behaviour.",
            "Describe InstructGPT's three stages and what each one learns from.",
            "Check preference pairs for a required fact before they reach a reward model.",
            "Compute the Bradley-Terry probability and the pairwise loss from a reward margin.",
        ),
        ("Chapters 1 and 5", "The logistic sigmoid"),
        45,
    ),
    Chapter(
        7,
        "open_weights",
        "Open weights",
        (
            "Separate open weights, open code and open data, and say what to check for each.",
            "Walk a license checklist before building on a checkpoint.",
            "Compute the memory of a model's weights at fp32, bf16, int8 and int4.",
            "Compare the memory of full fine-tuning, LoRA and QLoRA.",
        ),
        ("Chapter 5 (Chinchilla's tokens per parameter)", "Bytes, GiB and powers of two"),
        35,
    ),
    Chapter(
        8,
        "mixture_of_experts",
        "Mixture of Experts",
        (
            "Route tokens with a top-k router and normalize the weights.",
            "Compute Mixtral 8x7B's total and active parameters from its configuration.",
            "Measure expert load across many tokens and explain why it matters.",
            "Explain why every expert must sit in memory although each token uses two.",
        ),
        ("Chapters 3 and 5", "Softmax"),
        45,
    ),
    Chapter(
        9,
        "serving_kv_cache",
        "Serving: KV cache, GQA and MQA",
        (
            "Size the KV cache for MHA, GQA and MQA at a given batch and context.",
            "Compare the cache per token of Llama 2 7B, Llama 3 8B and Mistral 7B.",
            "Find the largest batch x context that fits a memory budget.",
            "Measure the speedup the cache gives on the tiny model.",
            "Explain what FlashAttention and PagedAttention change about attention memory.",
        ),
        ("Chapter 3 (the KV-cache shape)", "Chapter 7 (weight memory)"),
        50,
    ),
    Chapter(
        10,
        "rope_positions",
        "Positions: RoPE",
        (
            "Explain why attention needs position information and what learned positions cost.",
            "Rotate a 2-D query and key and show the score depends only on the gap.",
            "Apply full RoPE over a head, in the adjacent or the rotate-half pairing.",
            "Extend a RoPE model's context with PI, NTK-aware, YaRN or Llama 3.1 scaling and "
            "measure each on the tiny model.",
            "Compute ALiBi's per-head biases and the reach of each head.",
        ),
        ("Chapter 3", "Sines, cosines and 2-D rotations"),
        55,
    ),
    Chapter(
        11,
        "reasoning_compute",
        "Reasoning models and inference-time compute",
        (
            "Describe what o1 and DeepSeek-R1 changed and what they did not.",
            "Estimate the latency and token cost of a reasoning-effort setting.",
            "Compute the break-even error cost of extra inference-time compute.",
            "Decide on an effort setting for a support task under a latency budget.",
        ),
        ("Chapters 1, 6 and 9",),
        35,
    ),
    Chapter(
        12,
        "long_context",
        "Long contexts: lost in the middle",
        (
            "Read the U-shaped accuracy curve of the lost-in-the-middle study.",
            "Assemble a long prompt with the policy first and the evidence next to the question.",
            "Choose which notes to include under a token budget, and report what was dropped.",
            "Explain how retrieval (RAG) keeps a prompt short and its evidence in view.",
        ),
        ("Chapters 1 and 9",),
        40,
    ),
    Chapter(
        13,
        "choosing_a_model",
        "Choosing a model",
        (
            "Turn release claims into questions you can check.",
            "Build an evaluation set and a weighted scorecard with a license gate.",
            "Find the latency penalty at which the winning model flips.",
            "Spot and correct the five common misconceptions.",
            "Pass the book's review quiz.",
        ),
        ("Chapters 1-12",),
        50,
    ),
    Chapter(
        14,
        "evaluating_models",
        "Evaluating models: benchmarks, error bars, contamination and judges",
        (
            "Describe what an MMLU, GSM8K and HumanEval item holds and how each is scored.",
            "Estimate pass@k without bias from n samples and explain why the plug-in is low.",
            "Put a bootstrap interval and an exact McNemar test on a paired score difference.",
            "Detect contaminated evaluation items by word n-gram overlap, and its blind spots.",
            "Measure an LLM judge's position bias by swapping the answers it compares.",
        ),
        ("Chapter 1 (the evaluation set)", "Chapter 13 (the scorecard)"),
        50,
    ),
    Chapter(
        15,
        "serving_measured",
        "Serving, measured: prefill, decode, quantization and speculation",
        (
            "Count the FLOPs and bytes of a prefill and a decode step and place them on a "
            "roofline.",
            "Explain why decoding is memory-bound and what batching does to it.",
            "Quantize weights to int8 and int4 and measure what each block size costs the "
            "tiny model.",
            "Run speculative decoding and explain why it keeps the target's distribution.",
        ),
        ("Chapter 9 (the KV cache)", "Chapter 3 (the decoder's matrices)"),
        60,
    ),
    Chapter(
        16,
        "preference_optimization",
        "Preference optimization: from RLHF to DPO and GRPO",
        (
            "Write the KL-regularised RLHF objective and compute its optimal policy.",
            "Explain what PPO's clipped objective stops a policy from doing.",
            "Derive the DPO loss from the Bradley-Terry model and compute its gradient.",
            "Compute GRPO's group-relative advantages from verifiable rewards.",
            "Choose between PPO, DPO and GRPO by the data and models each one needs.",
        ),
        ("Chapter 6 (the Bradley-Terry loss)", "Logarithms, softmax and the KL divergence"),
        60,
    ),
)


def get_chapter(key: int | str) -> Chapter:
    """Return the chapter with number ``key`` (int) or with slug / stem ``key`` (str).

    >>> get_chapter(9).title
    'Serving: KV cache, GQA and MQA'
    >>> get_chapter("09_serving_kv_cache").number
    9
    """
    if isinstance(key, str):
        check_str("key", key)
        for chapter in CHAPTERS:
            if key in (chapter.slug, chapter.stem, f"{chapter.number:02d}"):
                return chapter
        names = ", ".join(c.stem for c in CHAPTERS)
        raise ValueError(f"key must be a chapter number 1-{CHAPTERS[-1].number} or one of {names}")
    number = check_int("key", key, minimum=1)
    for chapter in CHAPTERS:
        if chapter.number == number:
            return chapter
    raise ValueError(f"key must be a chapter number 1-{CHAPTERS[-1].number}, got {number}")


@dataclass(frozen=True)
class ChapterCard:
    """The opening card of a chapter notebook: objectives, prerequisites and time."""

    chapter: Chapter

    def markdown(self) -> str:
        """Return the card as Markdown (a bold-labelled block with two bullet lists)."""
        c = self.chapter
        objectives = "\n".join(f"- {o}" for o in c.objectives)
        prerequisites = "\n".join(f"- {p}" for p in c.prerequisites)
        return (
            f"**Estimated time:** about {c.minutes} minutes\n\n"
            f"**After this chapter you can:**\n\n{objectives}\n\n"
            f"**Before you start:**\n\n{prerequisites}\n"
        )

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def __repr__(self) -> str:
        c = self.chapter
        return f"Chapter {c.number}: {c.title} (about {c.minutes} min)"


def chapter_card(key: int | str) -> ChapterCard:
    """Return the opening card of chapter ``key`` for display in its notebook.

    >>> chapter_card(9)
    Chapter 9: Serving: KV cache, GQA and MQA (about 50 min)
    """
    return ChapterCard(get_chapter(key))


def chapter_table(chapters: tuple[Chapter, ...] = CHAPTERS) -> str:
    """Return a Markdown table of chapters: number, title, time, objectives, prerequisites.

    >>> print(chapter_table()[:38])
    | Chapter | Title | Time | Objectives
    """
    lines = [
        "| Chapter | Title | Time | Objectives | Prerequisites |",
        "|---|---|---|---|---|",
    ]
    for c in chapters:
        lines.append(
            f"| {c.number} | {c.title} | {c.minutes} min | "
            f"{'<br>'.join(c.objectives)} | {'; '.join(c.prerequisites)} |"
        )
    return "\n".join(lines)


def total_minutes(chapters: tuple[Chapter, ...] = CHAPTERS) -> int:
    """Return the summed estimated time of ``chapters`` in minutes.

    >>> total_minutes() == sum(c.minutes for c in CHAPTERS)
    True
    """
    return sum(c.minutes for c in chapters)
