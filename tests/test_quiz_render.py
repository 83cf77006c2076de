"""Tests of llmhistory.book.quiz.render: the HTML block, the page and the script's helpers."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest
from quiz_helpers import ASSETS, XSS, choices, make_quiz, quiz_json, write_yaml

from llmhistory.book.html import heading_id
from llmhistory.book.quiz import (
    BOOK_ID,
    QuizDisplay,
    chapter_page,
    load_quiz,
    quiz_page_html,
    render_quiz,
    validate_quiz,
)
from llmhistory.book.quiz.scoring import score_text, threshold_text


class TestRender:
    def test_mimebundle_and_repr(self):
        display = render_quiz(9)
        assert isinstance(display, QuizDisplay)
        bundle = display._repr_mimebundle_()
        assert set(bundle) == {"text/html", "text/plain"}
        assert bundle["text/html"] == display._repr_html_() == display.html
        assert repr(display) == "QuizDisplay(quiz='ch09-serving-kv-cache', questions=5)"

    def test_plain_text_lists_questions_without_answers(self):
        quiz = load_quiz(2)
        text = render_quiz(quiz).text
        assert text.startswith("Quiz: Encoders, decoders and the causal mask")
        assert "1. The 2017 Transformer translates English into German." in text
        assert "   ( ) [1, 1, 1, 0]" in text
        assert "   [ ] Classifying a support ticket into a label" in text
        assert "(Select all that apply.)" in text
        assert text.endswith(
            "5 questions. Open this page in Jupyter or the book to check your score."
        )
        for q in quiz.questions:
            assert q.explanation not in text
            assert not any(why in text for why in q.why)

    def test_intro_is_the_books_own(self):
        html = render_quiz(13).html
        intro = re.search(r'<p class="llmhq-intro">(.*?)</p>', html).group(1)
        assert "more than 75% right (at least 11 of 14)" in intro
        assert "Answer every question" not in html and "mark this lesson complete" not in html
        assert "(at least 4 of 5)" in render_quiz(9).html

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
        for role in (
            "remaining",
            "check",
            "retry",
            "score",
            "status",
            "feedback",
            "verdict",
            "why",
            "explanation",
            "see",
        ):
            assert f'data-role="{role}"' in html
        assert html.count("<fieldset>") == html.count("<legend>") == 5
        whys = re.findall(r'<p class="llmhq-why" data-role="why" data-why="(\d)" hidden></p>', html)
        assert whys == [str(i) for q in quiz.questions for i in range(len(q.choices))]
        assert re.search(r'</label><p class="llmhq-why" data-role="why" data-why="0" hidden>', html)
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
        quiz = load_quiz(13)
        data = quiz_json(render_quiz(quiz).html)
        assert data["quiz"] == "ch13-review" and data["book"] == BOOK_ID
        assert data["threshold"] == quiz.pass_threshold == 0.75
        assert data["minCorrect"] == quiz.min_correct == 11  # of 14
        assert [q["id"] for q in data["questions"]] == [q.id for q in quiz.questions]
        assert [q["answer"] for q in data["questions"]] == [
            list(q.answer_set) for q in quiz.questions
        ]
        assert [q["multi"] for q in data["questions"]] == [q.multi for q in quiz.questions]
        assert [q["choices"] for q in data["questions"]] == [len(q.choices) for q in quiz.questions]
        assert [q["why"] for q in data["questions"]] == [list(q.why) for q in quiz.questions]
        assert [q["explanation"] for q in data["questions"]] == [
            q.explanation for q in quiz.questions
        ]

    def test_why_and_explanation_are_not_in_the_visible_html(self):
        html = render_quiz(6).html
        blob = re.search(r'data-role="quiz-data">(.*?)</script>', html).group(1)
        outside = html.replace(blob, "")
        for q in load_quiz(6).questions:
            assert q.explanation not in outside
            assert not any(why in outside for why in q.why)

    def test_see_chapter_links_to_the_section(self):
        quiz = load_quiz(3)
        html = render_quiz(quiz).html
        links = re.findall(r'<p data-role="see"><a href="([^"]*)">([^<]*)</a></p>', html)
        assert len(links) == len(quiz.questions)
        for (href, text), q in zip(links, quiz.questions, strict=True):
            assert href == f"#{heading_id(q.section)}"
            assert text == f"See Chapter 3: “{q.section}”"
        assert ("#step-5-the-kv-cache", "See Chapter 3: “Step 5: the KV cache”") in links

    def test_review_links_to_other_chapter_pages(self):
        review = load_quiz(13)
        html = render_quiz(review).html
        hrefs = re.findall(r'<p data-role="see"><a href="([^"]*)">', html)
        assert len(hrefs) == len(review.questions) == 14
        for href, q in zip(hrefs, review.questions, strict=True):
            if q.chapter is None:
                assert href == f"#{heading_id(q.section)}"
            else:
                assert href == f"{chapter_page(q.chapter)}#{heading_id(q.section)}"
        assert "09_serving_kv_cache.html#mha-mqa-and-gqa" in hrefs
        assert "14_evaluating_models.html#is-a-1-point-margin-real" in hrefs

    def test_questions_without_a_section_or_a_known_page(self):
        data = make_quiz(3) | {"chapter": 40}
        data["questions"][1]["section"] = "Summary"
        data["questions"][2] |= {"section": "Sizing the cache", "chapter": 41}
        html = render_quiz(data).html
        assert html.count('<p data-role="see">') == 2
        assert '<p data-role="see"><a href="#summary">See Chapter 40: “Summary”</a></p>' in html
        assert '<p data-role="see">See Chapter 41: “Sizing the cache”</p>' in html

    def test_threshold_embedded_and_rule_is_strict(self):
        quiz = validate_quiz(make_quiz(4, threshold=0.5))
        html = render_quiz(quiz).html
        assert 'data-threshold="0.5"' in html
        assert quiz_json(html)["threshold"] == 0.5
        assert quiz_json(html)["minCorrect"] == 3
        assert "more than 50% right (at least 3 of 4) completes this quiz." in html
        assert "return correct / total > threshold;" in html
        assert "var passed = passes(correct, total, threshold);" in html

    @pytest.mark.parametrize("field", ["title", "text", "choice", "why", "explanation", "section"])
    def test_script_in_any_text_is_escaped(self, field):
        data = make_quiz(2) | {"chapter": 1}
        question = data["questions"][0]
        if field == "title":
            data["title"] = XSS
        elif field == "text":
            question["text"] = XSS
        elif field == "choice":
            question["choices"] = choices(XSS, "</script><script>alert(2)</script>")
        elif field == "why":
            question["choices"][1]["why"] = "</script><script>alert(4)</script>"
        elif field == "section":
            question["section"] = f'A "quoted" {XSS}'
        else:
            question["explanation"] = "</script><script>alert(3)</script><!--"
        html = render_quiz(data).html
        assert html.count("<script") == 2  # the JSON blob and the behaviour, nothing else
        assert html.count("</script>") == 2
        blob = re.search(r'data-role="quiz-data">(.*?)</script>', html).group(1)
        assert "<" not in blob and ">" not in blob and "&" not in blob
        outside = html.replace(blob, "")
        assert outside.count("alert(") == outside.count("&gt;alert(")
        if field in ("title", "text", "choice", "section"):
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        if field == "section":
            assert 'href="#a-quoted-script-alert-1-script"' in html
            assert "&quot;quoted&quot;" in html
        if field == "explanation":
            assert "\\u003c/script\\u003e" in blob
            assert quiz_json(html)["questions"][0]["explanation"].startswith("</script>")

    def test_plain_text_shows_markup_verbatim(self):
        data = make_quiz(1)
        data["questions"][0]["text"] = XSS
        assert f"1. {XSS}" in render_quiz(data).text

    def test_deterministic_and_derived_from_the_quiz_id(self):
        first = render_quiz(9).html
        assert first == render_quiz(load_quiz(9)).html
        assert render_quiz(8).html != first
        code = "from llmhistory.book.quiz import render_quiz; print(render_quiz(9).html, end='')"
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
        assert ids == ["llmhq-ch09-serving-kv-cache", "llmhq-ch09-serving-kv-cache-title"]
        assert "Math.random" not in first

    def test_self_contained(self):
        html = render_quiz(13).html
        assert not re.search(r"\bsrc\s*=", html)
        # the only links are "See Chapter N" links to the book's own sections
        hrefs = re.findall(r"\bhref\s*=\s*\"([^\"]*)\"", html)
        assert len(hrefs) == len(load_quiz(13).questions)
        assert all(re.fullmatch(r"(\d\d_[a-z_]+\.html)?#[a-z][a-z0-9-]*", h) for h in hrefs)
        assert "http://" not in html and "https://" not in html
        assert "@import" not in html and "url(" not in html
        page = quiz_page_html(12)
        assert re.findall(r"\bsrc=\"([^\"]*)\"", page) == []
        assert re.findall(r"<link [^>]*href=\"([^\"]*)\"", page) == ["data:,"]

    def test_assets_are_safe_inside_script_and_style(self):
        js = (ASSETS / "quiz.js").read_text(encoding="utf-8")
        css = (ASSETS / "quiz.css").read_text(encoding="utf-8")
        assert "</script" not in js.lower() and "<!--" not in js
        assert "</style" not in css.lower()
        assert "innerHTML" not in js and "eval(" not in js
        assert "DOM contract" in js  # documented where it is implemented

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
        page = quiz_page_html(load_quiz(9), theme="dark")
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


def _function(js: str, name: str) -> str:
    match = re.search(rf"\n  function {name}\(.*?\n  }}\n", js, re.S)
    assert match, name
    return match.group(0)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
class TestJavaScript:
    """The page's helper functions agree with Python on every number they print."""

    def test_score_text_pass_rule_and_threshold_text(self):
        js = (ASSETS / "quiz.js").read_text(encoding="utf-8")
        helpers = "".join(
            _function(js, name) for name in ("percentOf", "scoreText", "passes", "thresholdText")
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
        assert out["scores"] == [score_text(c, t) for c, t in cases]
        assert out["texts"] == [threshold_text(h) for h in thresholds]
        for h, row in zip(thresholds, out["passes"], strict=True):
            assert row == [c / t > h for c, t in cases]

    def test_the_script_parses(self):
        js = (ASSETS / "quiz.js").read_text(encoding="utf-8")
        subprocess.run(["node", "--check", "-"], input=js, text=True, check=True)
