// Self-grading quiz behaviour for llmhistory (see llmhistory/quiz.py for the DOM contract).
// Runs once per rendered quiz; finds its own root and any quiz root not yet wired up.
// No network, no external library. The grading rule equals llmhistory.quiz.grade:
// a question counts only when the chosen set equals the answer set, and the quiz passes
// only when correct / total is strictly greater than the threshold.
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
          "Lesson complete (passed with " +
          scoreText(savedRecord.correct, savedRecord.total) +
          ")."
        );
      }
      return (
        "Not complete yet: score above " +
        thresholdText(threshold) +
        " to mark this lesson complete."
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
        }
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
          "Passed. Lesson complete." +
            (root.getAttribute("data-stored") === "false"
              ? " (This browser did not let the page remember it.)"
              : "")
        );
      } else {
        setStatus(
          (savedRecord ? "Lesson complete from an earlier attempt. This attempt did not pass" : "Not passed") +
            ": you need more than " +
            thresholdText(threshold) +
            " (at least " +
            data.minCorrect +
            " of " +
            total +
            " correct). Read the explanations, then try again."
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
      }
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
