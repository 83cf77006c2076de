"""Tests of the command line: python -m llmhistory.book.quiz validate|page."""

from __future__ import annotations

import runpy
import subprocess
import sys

import pytest
from quiz_helpers import make_quiz, mutate, write_yaml

from llmhistory.book.quiz import load_bank, main, quiz_page_html


class TestCommandLine:
    def test_validate_shipped_bank(self, capsys):
        assert main(["validate"]) == 0
        out = capsys.readouterr().out.strip()
        total = sum(len(q.questions) for q in load_bank())
        assert out == f"{len(load_bank())} quizzes, {total} questions OK"

    def test_validate_paths_and_folders(self, tmp_path, capsys):
        one = write_yaml(tmp_path, "one.yaml", make_quiz(1, quiz_id="one"))
        assert main(["validate", str(one)]) == 0
        assert capsys.readouterr().out.strip() == "1 quiz, 1 question OK"
        write_yaml(tmp_path, "two.yaml", make_quiz(2, quiz_id="two"))
        assert main(["validate", str(tmp_path)]) == 0
        assert capsys.readouterr().out.strip() == "2 quizzes, 3 questions OK"

    def test_validate_failures_exit_1_with_messages(self, tmp_path, capsys):
        bad = write_yaml(tmp_path, "bad.yaml", mutate("questions.0.answer", 4)(make_quiz(2)))
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
        out = tmp_path / "ch09.html"
        assert main(["page", "9", "-o", str(out)]) == 0
        assert out.read_text(encoding="utf-8") == quiz_page_html(9)
        assert main(["page", "ch13-review", "--theme", "dark"]) == 0
        assert capsys.readouterr().out == quiz_page_html(13, theme="dark")
        assert main(["page", "nope"]) == 1
        assert "error: path_or_chapter='nope'" in capsys.readouterr().err

    def test_usage_errors_exit_2(self, capsys):
        assert main([]) == 2
        assert main(["frobnicate"]) == 2
        assert main(["--help"]) == 0
        assert "python -m llmhistory.book.quiz" in capsys.readouterr().out

    def test_module_runs_in_process(self, monkeypatch, capsys):
        monkeypatch.setattr(sys, "argv", ["llmhistory.book.quiz", "validate"])
        with pytest.raises(SystemExit) as exit_:
            runpy.run_module("llmhistory.book.quiz", run_name="__main__", alter_sys=True)
        assert exit_.value.code == 0
        assert capsys.readouterr().out.endswith("questions OK\n")

    def test_module_runs_as_a_script(self, tmp_path):
        ok = subprocess.run(
            [sys.executable, "-m", "llmhistory.book.quiz", "validate"],
            capture_output=True,
            text=True,
        )
        assert ok.returncode == 0 and ok.stdout.endswith("questions OK\n")
        bad = write_yaml(tmp_path, "bad.yaml", {"id": "x"})
        failed = subprocess.run(
            [sys.executable, "-m", "llmhistory.book.quiz", "validate", str(bad)],
            capture_output=True,
            text=True,
        )
        assert failed.returncode == 1
        assert "missing required field 'title'" in failed.stderr
