"""The chapter quizzes in a real browser: the renderer's script, driven through its DOM contract.

The header of ``llmhistory/book/quiz/assets/quiz.js`` documents the contract: a root
``div.llmhq[data-quiz]`` holding questions ``[data-question]`` whose native inputs carry
``data-choice``, the controls and outputs ``[data-role=check|retry|score|status|remaining]``, and
per choice its ``[data-role=why]`` line, per question the feedback
``[data-role=verdict|explanation|see]``. These tests click and
type the way a reader does and read only those attributes and texts.

Two kinds of page:

1. standalone pages made by :func:`llmhistory.book.quiz.quiz_page_html` (the chapter-13 review and a
   quiz of hostile text), written to a temporary folder and served from 127.0.0.1 by a server
   of this module;
2. the built book's chapter pages (the session's ``base_url`` server).

Every test opens a fresh browser context from the session's Chromium, so ``localStorage`` (where
a pass is remembered) starts empty and no test sees another's pass. Every test also asserts that
no request left 127.0.0.1, that the page logged no error and that no dialog opened.

The correct answers come from the loaded :class:`~llmhistory.book.quiz.Quiz`
(``Question.answer``), and each browser score is compared with :func:`llmhistory.book.quiz.grade`
on the same answers; each "why" line with ``Question.why``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from book_server import serve_directory
from chromium import new_context
from request_guard import block_external

from llmhistory.book.html import heading_id
from llmhistory.book.quiz import (
    Question,
    Quiz,
    grade,
    load_quiz,
    quiz_page_html,
    validate_quiz,
)
from llmhistory.book.quiz import chapter_page as page_of_chapter
from llmhistory.book.quiz.scoring import percent, score_text

# Imported here, not at the top, so that a unit-test run without Playwright still collects.
expect = pytest.importorskip("playwright.sync_api").expect

REVIEW = load_quiz(13)
CH09 = load_quiz(9)
#: The review's size and pass mark, from the bank: more than 75% right passes.
TOTAL, PASS = len(REVIEW.questions), REVIEW.min_correct
NEED = f"you need more than 75% (at least {PASS} of {TOTAL} correct)"
#: What a payload sets when it runs; it must stay undefined.
FLAG = "__llmhqPwned"
HOSTILE_TITLE = f"Hostile </title><script>window.{FLAG} = 'title'; alert('title')</script>"
HOSTILE_TEXT = f"<script>window.{FLAG} = 'question'; alert('question')</script> Which is right?"
HOSTILE_CHOICE = f"<img src=x onerror=\"window.{FLAG} = 'choice'; alert('choice')\">"
HOSTILE_EXPLANATION = f"</script><script>window.{FLAG} = 'explanation'; alert(1)</script> & more"
HOSTILE_MULTI_TEXT = "Select the <b>bold</b> & <i>italic</i> ones"
HOSTILE_MULTI_CHOICES = ("<b>bold</b>", "plain", f"<svg onload=\"window.{FLAG} = 'svg'\"></svg>")
HOSTILE_WHY = f"<img src=x onerror=\"window.{FLAG} = 'why'\"> & </script> why"
HOSTILE_SECTION = "<i>Section</i> & more"


def with_whys(texts: tuple[str, ...] | list[str]) -> list[dict[str, str]]:
    """Return choice mappings whose ``why`` is markup too (the hostile why, then its index)."""
    return [{"text": text, "why": f"{HOSTILE_WHY} {i}"} for i, text in enumerate(texts)]


def hostile_quiz() -> Quiz:
    """Return a valid quiz whose title, texts, choices and explanations are markup and scripts."""
    return validate_quiz(
        {
            "id": "hostile",
            "title": HOSTILE_TITLE,
            "chapter": 1,
            "questions": [
                {
                    "id": "inject-single",
                    "text": HOSTILE_TEXT,
                    "choices": with_whys([HOSTILE_CHOICE, "plain"]),
                    "answer": 0,
                    "explanation": HOSTILE_EXPLANATION,
                    "section": HOSTILE_SECTION,
                },
                {
                    "id": "inject-multi",
                    "text": HOSTILE_MULTI_TEXT,
                    "choices": with_whys(HOSTILE_MULTI_CHOICES),
                    "answer": [0, 2],
                    "explanation": "<b>not bold</b>",
                },
            ],
        }
    )


HOSTILE = hostile_quiz()
PAGES = {"review.html": REVIEW, "hostile.html": HOSTILE}


# ---- answers from the Quiz object ---------------------------------------------------------------
def wrong_picks(question: Question) -> tuple[int, ...]:
    """Return a choice set that grades as incorrect (another choice, or another set)."""
    if not question.multi:
        return ((question.answer + 1) % len(question.choices),)
    others = tuple(i for i in range(len(question.choices)) if i not in question.answer_set)
    return others or question.answer_set[:1]


def picks_with(quiz: Quiz, n_correct: int) -> dict[str, tuple[int, ...]]:
    """Return question id -> chosen indices: the first ``n_correct`` right, the rest wrong."""
    return {
        q.id: q.answer_set if i < n_correct else wrong_picks(q)
        for i, q in enumerate(quiz.questions)
    }


def as_grade_answers(quiz: Quiz, picks: dict[str, tuple[int, ...]]) -> dict[str, object]:
    """Return ``picks`` in the form :func:`grade` takes (an index, or a list for select-all)."""
    return {q.id: list(picks[q.id]) if q.multi else picks[q.id][0] for q in quiz.questions}


# ---- servers, contexts and pages ----------------------------------------------------------------
@pytest.fixture(scope="module")
def quiz_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``http://127.0.0.1:<port>/`` serving standalone quiz pages (``PAGES``) from a tmp dir."""
    folder: Path = tmp_path_factory.mktemp("quiz-site")
    for name, quiz in PAGES.items():
        (folder / name).write_text(quiz_page_html(quiz), encoding="utf-8")
    with serve_directory(folder, "quiz-server") as url:
        yield url


@dataclass
class Tab:
    """A page in a fresh browser context, with what it did that the tests forbid."""

    page: Any
    origin: str
    external: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        """No request left the local server, no console error or page error, no dialog."""
        assert not self.external, "requests that left 127.0.0.1:\n" + "\n".join(self.external)
        assert not self.errors, "console errors:\n" + "\n".join(self.errors)
        assert not self.dialogs, f"dialogs opened: {self.dialogs}"


@pytest.fixture
def open_tab(browser: Any) -> Iterator[Any]:
    """``open_tab(url)`` loads ``url`` in a NEW context (empty localStorage) and returns a Tab."""
    contexts: list[Any] = []

    def open_(url: str) -> Tab:
        context = new_context(browser, "light")
        contexts.append(context)
        parts = urlsplit(url)
        tab = Tab(page=context.new_page(), origin=f"{parts.scheme}://{parts.netloc}/")
        block_external(context, tab.origin, tab.external.append)
        page = tab.page
        page.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: tab.errors.append(f"pageerror: {error}"))
        page.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
        page.goto(url, wait_until="load")
        return tab

    yield open_
    for context in contexts:
        context.close()


def quiz_root(page: Any, quiz: Quiz) -> Any:
    """Return the quiz's root locator once its script has wired it."""
    root = page.locator(f'div.llmhq[data-quiz="{quiz.id}"]')
    expect(root).to_have_attribute("data-quiz-ready", "true")
    return root


def role(root: Any, name: str) -> Any:
    return root.locator(f'[data-role="{name}"]')


def choose(root: Any, question: Question, picks: tuple[int, ...]) -> None:
    """Click the inputs of ``picks`` in ``question`` (a radio, or each checkbox)."""
    block = root.locator(f'[data-question="{question.id}"]')
    for index in picks:
        block.locator(f'input[data-choice="{index}"]').check()


def answer_all(root: Any, quiz: Quiz, picks: dict[str, tuple[int, ...]]) -> None:
    for question in quiz.questions:
        choose(root, question, picks[question.id])


def checked_indices(root: Any, question: Question) -> list[int]:
    block = root.locator(f'[data-question="{question.id}"]')
    return block.locator("input[data-choice]").evaluate_all(
        "inputs => inputs.filter((i) => i.checked).map((i) => Number(i.value))"
    )


def stored_pass(page: Any, root: Any) -> dict | None:
    key = root.get_attribute("data-storage-key")
    raw = page.evaluate("(key) => window.localStorage.getItem(key)", key)
    return None if raw is None else json.loads(raw)


def why_lines(question: Question, picks: tuple[int, ...]) -> dict[int, str]:
    """Return choice index -> the why line shown under it after a check (misjudged only)."""
    lines = {}
    for i, why in enumerate(question.why):
        chosen, correct = i in picks, i in question.answer_set
        if chosen != correct:
            mark = "\u2717" if chosen else "\u2713"
            lines[i] = f"{mark} {why}"
    return lines


def expect_whys(root: Any, question: Question, picks: tuple[int, ...]) -> None:
    """The why lines of ``question`` are those of its misjudged choices, and only those."""
    block = root.locator(f'[data-question="{question.id}"]')
    expected = why_lines(question, picks)
    for i in range(len(question.choices)):
        line = block.locator(f'[data-why="{i}"]')
        if i in expected:
            expect(line).to_be_visible()
            expect(line).to_have_text(expected[i])
            kind = "wrong-pick" if i in picks else "missed"
            expect(line).to_have_attribute("data-kind", kind)
        else:
            expect(line).to_be_hidden()
            expect(line).to_have_text("")


def remaining_text(n: int) -> str:
    return f"{n} question{'' if n == 1 else 's'} remaining."


def expect_fresh(root: Any, quiz: Quiz) -> None:
    """Nothing chosen, no verdict, no score: how the quiz looks before any answer."""
    total = len(quiz.questions)
    expect(role(root, "remaining")).to_have_text(remaining_text(total))
    expect(role(root, "remaining")).to_have_attribute("data-remaining", str(total))
    expect(role(root, "check")).to_be_disabled()
    expect(role(root, "retry")).to_be_hidden()
    expect(role(root, "score")).to_be_hidden()
    expect(role(root, "score")).to_have_text("")
    assert root.get_attribute("data-result") is None
    assert root.locator("input[data-choice]:checked").count() == 0
    assert root.locator("input[data-choice]:disabled").count() == 0
    assert root.locator("label[data-answer]").count() == 0
    assert root.locator('[data-role="feedback"]:visible').count() == 0
    assert root.locator('[data-role="why"]:visible').count() == 0
    assert root.locator("[data-role=why][data-kind]").count() == 0
    assert root.locator("label[data-chosen]").count() == 0
    verdicts = role(root, "verdict").all_text_contents()
    assert verdicts == [""] * total
    states = root.locator("[data-question]").evaluate_all(
        "qs => qs.map((q) => q.getAttribute('data-state'))"
    )
    assert states == ["unanswered"] * total


def check_and_compare(root: Any, quiz: Quiz, picks: dict[str, tuple[int, ...]]) -> Any:
    """Click "Check my score"; assert the page's score equals :func:`grade`; return the grade."""
    expected = grade(quiz, as_grade_answers(quiz, picks))
    role(root, "check").click()
    score = role(root, "score")
    expect(score).to_be_visible()
    expect(score).to_have_text(f"Score: {expected.text}")
    expect(score).to_have_attribute("data-correct", str(expected.correct))
    expect(score).to_have_attribute("data-total", str(expected.total))
    expect(score).to_have_attribute("data-percent", str(expected.percent))
    expect(score).to_have_attribute("data-passed", "true" if expected.passed else "false")
    expect(score).to_be_focused()
    expect(root).to_have_attribute("data-result", "pass" if expected.passed else "fail")
    expect(role(root, "check")).to_be_disabled()
    expect(role(root, "retry")).to_be_visible()
    states = root.locator("[data-question]").evaluate_all(
        "qs => qs.map((q) => q.getAttribute('data-state'))"
    )
    assert states == ["correct" if r.correct else "incorrect" for r in expected.per_question]
    return expected


# ---- the standalone chapter-13 review -----------------------------------------------------------
def test_review_page_counts_down_and_enables_check_only_when_all_answered(open_tab, quiz_site):
    tab = open_tab(quiz_site + "review.html")
    root = quiz_root(tab.page, REVIEW)
    total = TOTAL
    expect(root).to_have_attribute("data-total", str(total))
    expect(root).to_have_attribute("data-min-correct", str(REVIEW.min_correct))
    expect(role(root, "status")).to_have_text(f"Not complete yet: {NEED}.")
    expect_fresh(root, REVIEW)
    for done, question in enumerate(REVIEW.questions, 1):
        choose(root, question, question.answer_set)
        left = total - done
        expect(role(root, "remaining")).to_have_attribute("data-remaining", str(left))
        expect(role(root, "remaining")).to_contain_text(remaining_text(left))
        block = root.locator(f'[data-question="{question.id}"]')
        expect(block).to_have_attribute("data-state", "answered")
        if left:
            expect(role(root, "check")).to_be_disabled()
    # Changing an answer to another choice keeps the count at zero.
    first = REVIEW.questions[0]
    choose(root, first, wrong_picks(first))
    assert checked_indices(root, first) == list(wrong_picks(first))
    expect(role(root, "remaining")).to_have_text(
        "0 questions remaining. Check your score when ready."
    )
    expect(role(root, "check")).to_be_enabled()
    tab.assert_clean()


def test_all_correct_passes_and_the_pass_survives_a_reload(open_tab, quiz_site):
    tab = open_tab(quiz_site + "review.html")
    root = quiz_root(tab.page, REVIEW)
    picks = picks_with(REVIEW, len(REVIEW.questions))
    answer_all(root, REVIEW, picks)
    result = check_and_compare(root, REVIEW, picks)
    assert (result.correct, result.passed) == (TOTAL, True)
    expect(role(root, "score")).to_have_text(f"Score: {score_text(TOTAL, TOTAL)}")
    expect(role(root, "status")).to_have_text("Passed. Quiz complete.")
    expect(role(root, "status")).to_have_attribute("data-complete", "true")
    expect(root).to_have_attribute("data-complete", "true")
    expect(root).to_have_attribute("data-stored", "true")
    assert role(root, "verdict").all_text_contents() == ["\u2713 Correct."] * TOTAL
    explanations = role(root, "explanation").all_text_contents()
    assert explanations == [q.explanation for q in REVIEW.questions]
    assert root.locator('[data-role="why"]:visible').count() == 0  # nothing was misjudged
    assert root.locator("input[data-choice]:enabled").count() == 0
    for question in REVIEW.questions:  # each label says whether it is a correct choice
        labels = root.locator(f'[data-question="{question.id}"] label[data-choice]')
        marks = labels.evaluate_all("ls => ls.map((l) => l.getAttribute('data-answer'))")
        assert marks == [
            "true" if i in question.answer_set else "false" for i in range(len(question.choices))
        ]
    assert stored_pass(tab.page, root) == {
        "passed": True,
        "correct": TOTAL,
        "total": TOTAL,
        "percent": 100,
    }

    tab.page.reload(wait_until="load")
    root = quiz_root(tab.page, REVIEW)
    expect(role(root, "status")).to_have_text(
        f"Quiz complete (passed with {score_text(TOTAL, TOTAL)})."
    )
    expect(role(root, "status")).to_have_attribute("data-complete", "true")
    expect(root).to_have_attribute("data-complete", "true")
    expect_fresh(root, REVIEW)
    tab.assert_clean()


@pytest.mark.parametrize(("n_correct", "passes"), [(PASS - 1, False), (PASS, True)])
def test_the_pass_mark_is_more_than_75_percent(open_tab, quiz_site, n_correct, passes):
    tab = open_tab(quiz_site + "review.html")
    root = quiz_root(tab.page, REVIEW)
    picks = picks_with(REVIEW, n_correct)
    answer_all(root, REVIEW, picks)
    result = check_and_compare(root, REVIEW, picks)
    assert (result.correct, result.passed) == (n_correct, passes)
    expect(role(root, "score")).to_have_text(f"Score: {score_text(n_correct, TOTAL)}")
    status = role(root, "status")
    if passes:
        expect(status).to_have_text("Passed. Quiz complete.")
    else:
        expect(status).to_have_text(re.compile(rf"^Not passed: {re.escape(NEED)}\."))
    expect(status).to_have_attribute("data-complete", str(passes).lower())
    # A wrong answer's verdict names the correct choice, as the page shows it.
    wrong = REVIEW.questions[-1]
    block = root.locator(f'[data-question="{wrong.id}"]')
    expect(block.locator('[data-role="verdict"]')).to_have_text(
        f"\u2717 Incorrect. Correct answer: {wrong.choices[wrong.answer]}"
    )
    expect(block.locator('[data-role="feedback"]')).to_be_visible()
    expect_whys(root, wrong, wrong_picks(wrong))

    tab.page.reload(wait_until="load")
    root = quiz_root(tab.page, REVIEW)
    expect(root).to_have_attribute("data-complete", str(passes).lower())
    if passes:
        expect(role(root, "status")).to_have_text(
            f"Quiz complete (passed with {score_text(PASS, TOTAL)})."
        )
    else:
        expect(role(root, "status")).to_have_text(re.compile(r"^Not complete yet"))
        assert stored_pass(tab.page, root) is None
    tab.assert_clean()


def test_try_again_resets_the_attempt_and_keeps_a_stored_pass(open_tab, quiz_site):
    tab = open_tab(quiz_site + "review.html")
    root = quiz_root(tab.page, REVIEW)
    best = picks_with(REVIEW, TOTAL - 1)
    best_text = f"Quiz complete (passed with {score_text(TOTAL - 1, TOTAL)})."
    answer_all(root, REVIEW, best)
    check_and_compare(root, REVIEW, best)
    role(root, "retry").click()
    expect_fresh(root, REVIEW)
    expect(root.locator("input[data-choice]").first).to_be_focused()
    expect(role(root, "status")).to_have_text(best_text)
    expect(root).to_have_attribute("data-complete", "true")

    # A failing attempt after the pass: the pass stays, and the status says both.
    worse = picks_with(REVIEW, PASS - 1)
    answer_all(root, REVIEW, worse)
    check_and_compare(root, REVIEW, worse)
    expect(role(root, "status")).to_have_text(
        re.compile(r"^Quiz complete from an earlier attempt\. This attempt did not pass: ")
    )
    expect(root).to_have_attribute("data-complete", "true")
    # A lower pass does not overwrite the better one.
    role(root, "retry").click()
    lower = picks_with(REVIEW, PASS)
    answer_all(root, REVIEW, lower)
    check_and_compare(root, REVIEW, lower)
    assert stored_pass(tab.page, root) == {
        "passed": True,
        "correct": TOTAL - 1,
        "total": TOTAL,
        "percent": percent(TOTAL - 1, TOTAL),
    }

    tab.page.reload(wait_until="load")
    root = quiz_root(tab.page, REVIEW)
    expect(role(root, "status")).to_have_text(best_text)
    tab.assert_clean()


def test_each_misjudged_choice_says_why_and_links_to_its_section(open_tab, quiz_site):
    tab = open_tab(quiz_site + "review.html")
    root = quiz_root(tab.page, REVIEW)
    picks = picks_with(REVIEW, len(REVIEW.questions))
    first = REVIEW.questions[0]
    picks[first.id] = wrong_picks(first)  # one wrong radio
    multi = next(q for q in REVIEW.questions if q.multi)
    wrong_tick = next(i for i in range(len(multi.choices)) if i not in multi.answer_set)
    picks[multi.id] = tuple(sorted({*multi.answer_set[1:], wrong_tick}))  # one wrong, one missed
    assert len(why_lines(multi, picks[multi.id])) == 2
    answer_all(root, REVIEW, picks)
    check_and_compare(root, REVIEW, picks)
    for question in REVIEW.questions:
        block = root.locator(f'[data-question="{question.id}"]')
        expect_whys(root, question, picks[question.id])
        chosen = block.locator("label[data-choice]").evaluate_all(
            "ls => ls.map((l) => l.getAttribute('data-chosen'))"
        )
        assert chosen == [
            "true" if i in picks[question.id] else "false" for i in range(len(question.choices))
        ]
        chapter = question.chapter or REVIEW.chapter
        page = "" if chapter == REVIEW.chapter else page_of_chapter(chapter)
        link = block.locator('[data-role="see"] a')
        expect(link).to_be_visible()
        expect(link).to_have_text(f"See Chapter {chapter}: \u201c{question.section}\u201d")
        expect(link).to_have_attribute("href", f"{page}#{heading_id(question.section)}")
    role(root, "retry").click()
    expect_fresh(root, REVIEW)
    tab.assert_clean()


def _keyboard_answer_all(page: Any, root: Any, quiz: Quiz) -> None:
    """Tab into each radio group, Space to select, arrow keys to move to the correct choice;
    in a select-all question, Tab from box to box and Space on each correct one."""
    for question in quiz.questions:
        page.keyboard.press("Tab")
        block = root.locator(f'[data-question="{question.id}"]')
        first = block.locator('input[data-choice="0"]')
        expect(first).to_be_focused()
        if question.multi:  # every checkbox is its own Tab stop
            for index in range(len(question.choices)):
                if index:
                    page.keyboard.press("Tab")
                expect(block.locator(f'input[data-choice="{index}"]')).to_be_focused()
                if index in question.answer_set:
                    page.keyboard.press("Space")
            assert checked_indices(root, question) == list(question.answer_set), question.id
            continue
        page.keyboard.press("Space")
        assert checked_indices(root, question) == [0]
        if question.answer == 0:  # down then up again: both arrows move and select
            page.keyboard.press("ArrowDown")
            assert checked_indices(root, question) == [1]
            page.keyboard.press("ArrowUp")
        for _ in range(question.answer):
            page.keyboard.press("ArrowDown")
        assert checked_indices(root, question) == [question.answer], question.id


def test_the_quiz_works_from_the_keyboard_alone(open_tab, quiz_site):
    assert any(q.multi for q in REVIEW.questions)  # radios and a group of checkboxes
    tab = open_tab(quiz_site + "review.html")
    page = tab.page
    root = quiz_root(page, REVIEW)
    _keyboard_answer_all(page, root, REVIEW)
    expect(role(root, "remaining")).to_have_attribute("data-remaining", "0")
    page.keyboard.press("Tab")
    expect(role(root, "check")).to_be_focused()
    page.keyboard.press("Enter")
    expect(role(root, "score")).to_have_text(f"Score: {score_text(TOTAL, TOTAL)}")
    expect(role(root, "score")).to_be_focused()
    expect(root).to_have_attribute("data-complete", "true")

    # The score holds the focus; "Try again" is the control just before it.
    page.keyboard.press("Shift+Tab")
    expect(role(root, "retry")).to_be_focused()
    page.keyboard.press("Space")
    expect_fresh(root, REVIEW)
    # Focus is back on the first choice: Space, then Tab on through the other questions.
    first = REVIEW.questions[0]
    expect(root.locator(f'[data-question="{first.id}"] input[data-choice="0"]')).to_be_focused()
    page.keyboard.press("Shift+Tab")  # step back out, so that the loop's Tab enters question 1
    _keyboard_answer_all(page, root, REVIEW)
    page.keyboard.press("Tab")
    expect(role(root, "check")).to_be_focused()
    page.keyboard.press("Space")
    expect(role(root, "score")).to_have_attribute("data-passed", "true")
    tab.assert_clean()


# ---- hostile text -------------------------------------------------------------------------------
def test_markup_in_quiz_text_is_shown_as_text_and_never_runs(open_tab, quiz_site):
    tab = open_tab(quiz_site + "hostile.html")
    page = tab.page
    root = quiz_root(page, HOSTILE)
    single, multi = HOSTILE.questions
    assert page.title() == HOSTILE_TITLE
    expect(root.locator(".llmhq-title")).to_have_text(f"Quiz: {HOSTILE_TITLE}")
    legend = root.locator(f'[data-question="{single.id}"] legend')
    expect(legend).to_have_text(f"1. {HOSTILE_TEXT}")
    expect(root.locator(f'[data-question="{multi.id}"] legend')).to_have_text(
        f"2. {HOSTILE_MULTI_TEXT} (Select all that apply.)"
    )
    texts = root.locator("[data-choice-text]").all_text_contents()
    assert texts == [*single.choices, *multi.choices]
    see = root.locator(f'[data-question="{single.id}"] [data-role="see"] a')
    expect(see).to_have_text(f"See Chapter 1: \u201c{HOSTILE_SECTION}\u201d")
    expect(see).to_have_attribute("href", f"#{heading_id(HOSTILE_SECTION)}")
    expect(see).to_be_hidden()  # inside the feedback, which shows only after a check
    # No element came from the text: only the quiz's own two scripts, no img, svg, b or i.
    assert root.locator("script").count() == 2
    assert root.locator("img, svg, b, i").count() == 0

    # Checkboxes count a question as answered while any box is ticked.
    expect(role(root, "remaining")).to_have_attribute("data-remaining", "2")
    box = root.locator(f'[data-question="{multi.id}"] input[data-choice="1"]')
    expect(box).to_have_attribute("type", "checkbox")
    box.check()
    expect(role(root, "remaining")).to_have_attribute("data-remaining", "1")
    box.uncheck()
    expect(role(root, "remaining")).to_have_attribute("data-remaining", "2")

    # A wrong single answer puts the hostile choice into the verdict; the explanations too.
    picks = {single.id: wrong_picks(single), multi.id: multi.answer_set}
    answer_all(root, HOSTILE, picks)
    check_and_compare(root, HOSTILE, picks)
    block = root.locator(f'[data-question="{single.id}"]')
    expect(block.locator('[data-role="verdict"]')).to_have_text(
        f"\u2717 Incorrect. Correct answer: {HOSTILE_CHOICE}"
    )
    expect(block.locator('[data-role="explanation"]')).to_have_text(HOSTILE_EXPLANATION)
    expect_whys(root, single, wrong_picks(single))
    expect_whys(root, multi, multi.answer_set)
    expect(see).to_be_visible()
    expect(root.locator(f'[data-question="{multi.id}"] [data-role="verdict"]')).to_have_text(
        "\u2713 Correct."
    )
    assert root.locator("script").count() == 2
    assert root.locator("img, svg, b, i").count() == 0
    assert page.evaluate(f"typeof window.{FLAG}") == "undefined"
    tab.assert_clean()


# ---- the built book -----------------------------------------------------------------------------
def chapter_page(book_dir: Path, chapter: int) -> str:
    """Return the build path of chapter ``chapter`` (``notebooks/08_<slug>.html``)."""
    found = sorted(book_dir.glob(f"notebooks/{chapter:02d}_*.html"))
    assert len(found) == 1, f"expected one page for chapter {chapter}, found {found}"
    return found[0].relative_to(book_dir).as_posix()


def test_chapter_9_quiz_in_the_book_passes_and_stays_complete(open_tab, base_url, book_dir):
    page_path = chapter_page(book_dir, 9)
    assert page_path == "notebooks/09_serving_kv_cache.html"
    tab = open_tab(base_url + page_path)
    root = quiz_root(tab.page, CH09)
    expect(root).to_have_count(1)
    expect(root).to_have_attribute("data-total", str(len(CH09.questions)))
    expect(root).to_have_attribute("data-complete", "false")
    ids = root.locator("[data-question]").evaluate_all(
        "qs => qs.map((q) => q.getAttribute('data-question'))"
    )
    assert ids == [q.id for q in CH09.questions]
    picks = picks_with(CH09, len(CH09.questions))
    answer_all(root, CH09, picks)
    result = check_and_compare(root, CH09, picks)
    assert result.passed
    expect(role(root, "status")).to_have_text("Passed. Quiz complete.")

    tab.page.reload(wait_until="load")
    root = quiz_root(tab.page, CH09)
    expect(root).to_have_attribute("data-complete", "true")
    expect(role(root, "status")).to_have_text(f"Quiz complete (passed with {result.text}).")
    tab.assert_clean()


def test_chapter_13_page_shows_the_review(open_tab, base_url, book_dir):
    total = len(REVIEW.questions)
    tab = open_tab(base_url + chapter_page(book_dir, 13))
    root = quiz_root(tab.page, REVIEW)
    expect(root).to_have_count(1)
    expect(root).to_have_attribute("data-total", str(total))
    questions = root.locator("[data-question]")
    expect(questions).to_have_count(total)
    legends = questions.locator("legend").all_text_contents()
    hint = {True: " (Select all that apply.)", False: ""}
    assert legends == [f"{i}. {q.text}{hint[q.multi]}" for i, q in enumerate(REVIEW.questions, 1)]
    texts = root.locator("[data-choice-text]").all_text_contents()
    assert texts == [c for q in REVIEW.questions for c in q.choices]
    expect(role(root, "remaining")).to_have_text(remaining_text(total))
    expect(role(root, "check")).to_be_disabled()
    expect(role(root, "status")).to_have_text(
        f"Not complete yet: you need more than 75% (at least {REVIEW.min_correct} of {total} "
        "correct)."
    )
    tab.assert_clean()
