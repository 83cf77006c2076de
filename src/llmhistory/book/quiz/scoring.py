"""The pass rule and the score as the page prints it.

``assets/quiz.js`` mirrors these functions line by line (``percentOf``, ``scoreText``,
``passes``, ``thresholdText``); the tests run both on the same cases.
"""

from __future__ import annotations

import math

#: A quiz passes only when ``correct / total`` is strictly greater than this.
DEFAULT_THRESHOLD = 0.75


def min_correct(total: int, threshold: float) -> int:
    """Return the fewest correct answers out of ``total`` that pass (``correct / total > t``).

    >>> min_correct(10, 0.75), min_correct(4, 0.75), min_correct(5, 0.75)
    (8, 4, 4)
    """
    return next(c for c in range(total + 1) if c / total > threshold)


def percent(correct: int, total: int) -> int:
    """Return ``correct / total`` in whole percent, rounded half up (as ``Math.round``).

    >>> percent(5, 8), percent(1, 8)
    (63, 13)
    """
    return math.floor(100 * correct / total + 0.5)


def score_text(correct: int, total: int) -> str:
    """Return the score as the page shows it.

    >>> score_text(8, 10)
    '8 / 10 (80%)'
    """
    return f"{correct} / {total} ({percent(correct, total)}%)"


def threshold_text(threshold: float) -> str:
    """Return the threshold in percent as JavaScript prints ``Math.round(t * 1e6) / 1e4``.

    >>> threshold_text(0.75), threshold_text(0.333)
    ('75%', '33.3%')
    """
    text = repr(math.floor(threshold * 1e6 + 0.5) / 1e4)
    return (text[:-2] if text.endswith(".0") else text) + "%"
