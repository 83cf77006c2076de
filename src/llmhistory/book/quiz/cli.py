"""The command line: ``python -m llmhistory.book.quiz validate|page``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from llmhistory.book.html import plural
from llmhistory.book.quiz.bank import bank_files, load_bank, load_files, validate_bank
from llmhistory.book.quiz.render import page_themes, quiz_page_html
from llmhistory.book.quiz.schema import Quiz, QuizError

__all__ = ["main"]

PROG = "python -m llmhistory.book.quiz"


def _validate_paths(paths: Sequence[str]) -> tuple[Quiz, ...]:
    files: list[Path] = []
    problems: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = bank_files(path)
            if not found:
                problems.append(f"{raw}: no *.yaml quiz file in this folder")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(f"{raw}: no such file or folder")
    try:
        quizzes = load_files(files)
    except QuizError as error:
        problems.extend(error.problems)
        quizzes = ()
    if problems:
        raise QuizError(problems)
    return validate_bank(quizzes)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 OK, 1 invalid quiz, 2 usage error).

    ``python -m llmhistory.book.quiz validate [paths...]`` validates the given files and
    folders, or with no path the shipped bank together with the book's rules, and prints
    ``"N quizzes, M questions OK"``. ``python -m llmhistory.book.quiz page QUIZ [-o FILE]``
    writes a standalone HTML page (``QUIZ`` as for :func:`~llmhistory.book.quiz.bank.load_quiz`).

    >>> main(["validate"])
    1... quizzes, ... questions OK
    0
    """
    parser = argparse.ArgumentParser(
        prog=PROG, description="Validate or render llmhistory quizzes."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("validate", help="validate quiz YAML files")
    check.add_argument("paths", nargs="*", help="files or folders (default: the shipped bank)")
    page = commands.add_parser("page", help="write a standalone HTML page for a quiz")
    page.add_argument("quiz", help="chapter number, quiz id or path to a .yaml file")
    page.add_argument("-o", "--output", help="file to write (default: standard output)")
    page.add_argument("--theme", choices=page_themes(), default="light")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        if args.command == "validate":
            if args.paths:
                quizzes = _validate_paths(args.paths)
            else:
                quizzes = validate_bank(load_bank(), book_policy=True)
            count = sum(len(q.questions) for q in quizzes)
            print(f"{plural(len(quizzes), 'quiz', 'quizzes')}, {plural(count, 'question')} OK")
            return 0
        quiz = int(args.quiz) if args.quiz.isdigit() else args.quiz
        text = quiz_page_html(quiz, theme=args.theme)
        if args.output:
            Path(args.output).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return 0
    except (QuizError, ValueError, TypeError, OSError) as error:
        print(f"error: {error}" if not isinstance(error, QuizError) else error, file=sys.stderr)
        if isinstance(error, QuizError):
            print(f"{len(error.problems)} problem(s) found", file=sys.stderr)
        return 1
