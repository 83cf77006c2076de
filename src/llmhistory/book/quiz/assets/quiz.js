// Self-grading quiz behaviour for llmhistory (rendered by llmhistory.book.quiz.render).
// Runs once per rendered quiz; finds its own root and any quiz root not yet wired up.
// No network, no external library; every text is set with textContent, never parsed as HTML.
// The grading rule equals llmhistory.book.quiz.grade: a question counts only when the chosen
// set equals the answer set, and the quiz passes only when correct / total is strictly
// greater than the threshold (percentOf, scoreText, passes and thresholdText mirror
// llmhistory/book/quiz/scoring.py line by line; the tests run both).
//
// DOM contract (what this script, the browser tests and custom styling rely on)
// -----------------------------------------------------------------------------
// Several quizzes (even the same quiz twice) can share a page: radio groups are scoped to each
// quiz's <form>, and the script wires every root it finds exactly once.
//
// root  div.llmhq[data-quiz="<quiz id>"] with the id llmhq-<quiz id>, data-book,
//       data-storage-key ("<book>:quiz:<quiz id>"), data-threshold (e.g. "0.75"),
//       data-min-correct, data-total. Set here: data-quiz-ready="true" once wired,
//       data-complete="true|false" (a pass is stored), data-result="pass|fail" after a check,
//       data-stored="true|false" after a pass (whether localStorage accepted it).
// question  [data-question="<question id>"], data-kind="single|multi",
//       data-state="unanswered|answered|correct|incorrect"; a fieldset whose legend holds
//       the number and the question (plus "(Select all that apply.)" for multi); per choice a
//       label[data-choice="<i>"] wrapping input[type=radio|checkbox][data-choice="<i>"]
//       (name = question id, value = i) and span[data-choice-text="<i>"], followed by
//       p[data-role="why"][data-why="<i>"], hidden. After a check each label gets
//       data-answer="true|false" (is it a correct choice) and data-chosen="true|false", and
//       every input is disabled until "Try again". The why line of each misjudged choice is
//       shown under it, with data-kind="wrong-pick" ("✗ <why>", chosen but wrong) or
//       data-kind="missed" ("✓ <why>", correct but not chosen).
// [data-role="feedback"]  per question, hidden until checked, holding
//       [data-role="verdict"]      "✓ Correct." or "✗ Incorrect. Correct answer: <choice>"
//                                  ("Correct answers: a; b" for multi);
//       [data-role="explanation"]  the answer's explanation;
//       [data-role="see"]          "See Chapter N: “<section>”", a link to the section
//                                  (rendered by the server, present only with a section).
//       The why lines and the explanation are filled from the JSON on check, so an untrusted
//       notebook, which shows the HTML without running scripts, does not reveal them.
// [data-role="remaining"]  aria-live="polite": "N questions remaining." ("1 question
//       remaining."), with data-remaining="N".
// button[data-role="check"]  "Check my score": disabled until every question has a choice,
//       and again after a check.
// [data-role="score"]  "Score: 8 / 10 (80%)" with data-correct, data-total, data-percent,
//       data-passed="true|false"; hidden until checked, focused after it.
// button[data-role="retry"]  "Try again": hidden until a check; clears every answer, verdict,
//       why line and the score. It does not clear a stored pass: a quiz once passed stays complete.
// [data-role="status"]  role="status", data-complete="true|false": "Quiz complete (passed
//       with 9 / 10 (90%))." when a pass is stored (also after a reload); "Passed. Quiz
//       complete." right after a passing check; "Not passed: you need more than 75% (at least
//       8 of 10 correct). ..." after a failing one (prefixed "Quiz complete from an earlier
//       attempt. This attempt did not pass: ..." when a pass is stored); "Not complete yet:
//       you need more than 75% (at least 8 of 10 correct)." otherwise. Before this script
//       runs it says that checking needs JavaScript.
// script[type="application/json"][data-role="quiz-data"]  {"quiz", "book", "threshold",
//       "minCorrect", "questions": [{"id", "multi", "answer", "choices", "why",
//       "explanation"}]} where answer is the sorted list of correct indices and why holds one
//       line per choice; <, > and & are written as \u003c etc. so no text can close the script.
//
// A pass is stored in localStorage[data-storage-key] as JSON {"passed": true, "correct",
// "total", "percent"}; a later, lower pass does not overwrite a better one. To forget a pass,
// remove that key (browser dev tools) or render with another book_id.
//
// Why not jupyterquiz: it gives instant per-click feedback but has no quiz score, pass
// threshold or remembered completion; it generates random element ids per render (stored
// outputs differ every run, so nbval cannot compare them), hides the radio inputs and reacts to
// mouse clicks on labels (not keyboard-operable form controls in a fieldset/legend), inserts
// question and answer text as HTML, and shuffles answers by default.
(function () {
  "use strict";

  function pluralQuestions(n) {
    return n + (n === 1 ? " question" : " questions");
  }

  function percentOf(correct, total) {
    return Math.floor((100 * correct) / total + 0.5);
  }

  function scoreText(correct, total) {
    return correct + " / " + total + " (" + percentOf(correct, total) + "%)";
  }

  function passes(correct, total, threshold) {
    return correct / total > threshold;
  }

  function thresholdText(threshold) {
    return String(Math.round(threshold * 1e6) / 1e4) + "%";
  }

  function readRecord(key) {
    try {
      var raw = window.localStorage.getItem(key);
      if (!raw) {
        return null;
      }
      var record = JSON.parse(raw);
      return record && record.passed === true ? record : null;
    } catch (err) {
      return null;
    }
  }

  function writeRecord(key, record) {
    try {
      window.localStorage.setItem(key, JSON.stringify(record));
      return true;
    } catch (err) {
      return false;
    }
  }

  function sameSet(a, b) {
    if (a.length !== b.length) {
      return false;
    }
    for (var i = 0; i < a.length; i += 1) {
      if (a[i] !== b[i]) {
        return false;
      }
    }
    return true;
  }

  function init(root) {
    if (root.getAttribute("data-quiz-ready") === "true") {
      return;
    }
    var dataEl = root.querySelector('script[data-role="quiz-data"]');
    var form = root.querySelector("form");
    if (!dataEl || !form) {
      return;
    }
    var data = JSON.parse(dataEl.textContent);
    root.setAttribute("data-quiz-ready", "true");

    var key = root.getAttribute("data-storage-key");
    var threshold = data.threshold;
    var total = data.questions.length;
    var remainingEl = root.querySelector('[data-role="remaining"]');
    var checkBtn = root.querySelector('[data-role="check"]');
    var retryBtn = root.querySelector('[data-role="retry"]');
    var scoreEl = root.querySelector('[data-role="score"]');
    var statusEl = root.querySelector('[data-role="status"]');
    var checked = false;
    var savedRecord = readRecord(key);

    function questionEl(q) {
      var nodes = root.querySelectorAll("[data-question]");
      for (var i = 0; i < nodes.length; i += 1) {
        if (nodes[i].getAttribute("data-question") === q.id) {
          return nodes[i];
        }
      }
      return null;
    }

    function chosen(qEl) {
      var picks = [];
      var inputs = qEl.querySelectorAll("input[data-choice]");
      for (var i = 0; i < inputs.length; i += 1) {
        if (inputs[i].checked) {
          picks.push(parseInt(inputs[i].getAttribute("data-choice"), 10));
        }
      }
      return picks.sort(function (a, b) {
        return a - b;
      });
    }

    function setInputsDisabled(flag) {
      var inputs = root.querySelectorAll("input[data-choice]");
      for (var i = 0; i < inputs.length; i += 1) {
        inputs[i].disabled = flag;
      }
    }

    function baseStatus() {
      if (savedRecord) {
        return (
          "Quiz complete (passed with " +
          scoreText(savedRecord.correct, savedRecord.total) +
          ")."
        );
      }
      return "Not complete yet: you need " + needText() + ".";
    }

    function needText() {
      return (
        "more than " +
        thresholdText(threshold) +
        " (at least " +
        data.minCorrect +
        " of " +
        total +
        " correct)"
      );
    }

    function setStatus(text) {
      statusEl.textContent = text;
      var complete = savedRecord ? "true" : "false";
      statusEl.setAttribute("data-complete", complete);
      root.setAttribute("data-complete", complete);
    }

    function update() {
      var remaining = 0;
      for (var i = 0; i < data.questions.length; i += 1) {
        var q = data.questions[i];
        var qEl = questionEl(q);
        var answered = chosen(qEl).length > 0;
        if (!answered) {
          remaining += 1;
        }
        if (!checked) {
          qEl.setAttribute("data-state", answered ? "answered" : "unanswered");
        }
      }
      var text = pluralQuestions(remaining) + " remaining.";
      if (remaining === 0 && !checked) {
        text += " Check your score when ready.";
      }
      remainingEl.textContent = text;
      remainingEl.setAttribute("data-remaining", String(remaining));
      checkBtn.disabled = checked || remaining > 0;
    }

    function labelText(qEl, index) {
      var span = qEl.querySelector('[data-choice-text="' + index + '"]');
      return span ? span.textContent : String(index);
    }

    function clearWhys(scope) {
      var lines = scope.querySelectorAll('[data-role="why"]');
      for (var i = 0; i < lines.length; i += 1) {
        lines[i].textContent = "";
        lines[i].removeAttribute("data-kind");
        lines[i].hidden = true;
      }
    }

    function showWhys(qEl, q, picks) {
      // Under each misjudged choice (picked but wrong, or correct but not picked), its why.
      clearWhys(qEl);
      for (var i = 0; i < q.choices; i += 1) {
        var chosenHere = picks.indexOf(i) >= 0;
        if (chosenHere === (q.answer.indexOf(i) >= 0)) {
          continue;
        }
        var line = qEl.querySelector('[data-why="' + i + '"]');
        var mark = document.createElement("span");
        mark.className = "llmhq-mark";
        mark.textContent = chosenHere ? "\u2717 " : "\u2713 ";
        line.appendChild(mark);
        line.appendChild(document.createTextNode(q.why[i]));
        line.setAttribute("data-kind", chosenHere ? "wrong-pick" : "missed");
        line.hidden = false;
      }
    }

    function check() {
      if (checked) {
        return;
      }
      update();
      if (checkBtn.disabled) {
        return;
      }
      var correct = 0;
      for (var i = 0; i < data.questions.length; i += 1) {
        var q = data.questions[i];
        var qEl = questionEl(q);
        var picks = chosen(qEl);
        var ok = sameSet(picks, q.answer);
        if (ok) {
          correct += 1;
        }
        qEl.setAttribute("data-state", ok ? "correct" : "incorrect");
        var labels = qEl.querySelectorAll("label[data-choice]");
        for (var j = 0; j < labels.length; j += 1) {
          var idx = parseInt(labels[j].getAttribute("data-choice"), 10);
          labels[j].setAttribute("data-answer", q.answer.indexOf(idx) >= 0 ? "true" : "false");
          labels[j].setAttribute("data-chosen", picks.indexOf(idx) >= 0 ? "true" : "false");
        }
        showWhys(qEl, q, picks);
        var verdict = qEl.querySelector('[data-role="verdict"]');
        if (ok) {
          verdict.textContent = "\u2713 Correct.";
        } else {
          var names = [];
          for (var k = 0; k < q.answer.length; k += 1) {
            names.push(labelText(qEl, q.answer[k]));
          }
          verdict.textContent =
            "\u2717 Incorrect. " +
            (names.length === 1 ? "Correct answer: " : "Correct answers: ") +
            names.join("; ");
        }
        qEl.querySelector('[data-role="explanation"]').textContent = q.explanation;
        qEl.querySelector('[data-role="feedback"]').hidden = false;
      }
      checked = true;
      setInputsDisabled(true);
      var passed = passes(correct, total, threshold);
      scoreEl.textContent = "Score: " + scoreText(correct, total);
      scoreEl.setAttribute("data-correct", String(correct));
      scoreEl.setAttribute("data-total", String(total));
      scoreEl.setAttribute("data-percent", String(percentOf(correct, total)));
      scoreEl.setAttribute("data-passed", passed ? "true" : "false");
      scoreEl.hidden = false;
      root.setAttribute("data-result", passed ? "pass" : "fail");
      if (passed) {
        var record = {
          passed: true,
          correct: correct,
          total: total,
          percent: percentOf(correct, total)
        };
        if (!savedRecord || savedRecord.correct / savedRecord.total <= correct / total) {
          var stored = writeRecord(key, record);
          root.setAttribute("data-stored", stored ? "true" : "false");
          savedRecord = record;
        }
        setStatus(
          "Passed. Quiz complete." +
            (root.getAttribute("data-stored") === "false"
              ? " (This browser did not let the page remember it.)"
              : "")
        );
      } else {
        setStatus(
          (savedRecord
            ? "Quiz complete from an earlier attempt. This attempt did not pass"
            : "Not passed") +
            ": you need " +
            needText() +
            ". Read the explanations, then try again."
        );
      }
      update();
      retryBtn.hidden = false;
      scoreEl.focus();
    }

    function retry() {
      var inputs = root.querySelectorAll("input[data-choice]");
      for (var i = 0; i < inputs.length; i += 1) {
        inputs[i].checked = false;
        inputs[i].disabled = false;
      }
      var feedback = root.querySelectorAll('[data-role="feedback"]');
      for (var f = 0; f < feedback.length; f += 1) {
        feedback[f].hidden = true;
      }
      var verdicts = root.querySelectorAll('[data-role="verdict"]');
      for (var v = 0; v < verdicts.length; v += 1) {
        verdicts[v].textContent = "";
      }
      var labels = root.querySelectorAll("label[data-choice]");
      for (var j = 0; j < labels.length; j += 1) {
        labels[j].removeAttribute("data-answer");
        labels[j].removeAttribute("data-chosen");
      }
      clearWhys(root);
      checked = false;
      scoreEl.hidden = true;
      scoreEl.textContent = "";
      scoreEl.removeAttribute("data-correct");
      scoreEl.removeAttribute("data-total");
      scoreEl.removeAttribute("data-percent");
      scoreEl.removeAttribute("data-passed");
      root.removeAttribute("data-result");
      retryBtn.hidden = true;
      setStatus(baseStatus());
      update();
      if (inputs.length) {
        inputs[0].focus();
      }
    }

    form.addEventListener("change", update);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
    });
    checkBtn.addEventListener("click", check);
    retryBtn.addEventListener("click", retry);
    setStatus(baseStatus());
    update();
  }

  function initAll() {
    var script = document.currentScript;
    if (script && script.parentNode && script.parentNode.getAttribute) {
      var own = script.parentNode;
      if (own.hasAttribute("data-quiz")) {
        init(own);
      }
    }
    var roots = document.querySelectorAll("[data-quiz]");
    for (var i = 0; i < roots.length; i += 1) {
      init(roots[i]);
    }
  }

  initAll();
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initAll);
  }
})();
