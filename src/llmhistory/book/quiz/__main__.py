"""``python -m llmhistory.book.quiz validate|page``: see :func:`llmhistory.book.quiz.cli.main`."""

import sys

from llmhistory.book.quiz.cli import main

sys.exit(main())
