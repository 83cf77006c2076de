"""Suite-wide configuration: one Hypothesis profile, and the tests that need PyTorch.

Hypothesis
    Every property test runs under one settings profile, registered and loaded here (before
    the test modules are imported, so a test's own ``@settings(max_examples=...)`` inherits
    everything else from it):

    ``repeatable`` (the default, used by ``make test``)
        100 examples per property, drawn from a seed derived from the test itself
        (``derandomize``): every run tries the same examples, so a failure reproduces
        exactly and a pass is not luck. No deadline and no too-slow health check: timing is
        not a property of the code, and a loaded 2-core machine once turned a 1 ms softmax
        into a ``DeadlineExceeded``. A failure prints its reproduction blob.
    ``thorough``
        1,000 random (not derandomized) examples per property, failures kept in the
        ``.hypothesis`` example database: for hunting new counterexamples, not for CI.

    Choose one with ``HYPOTHESIS_PROFILE=thorough make unit`` (or ``pytest
    --hypothesis-profile=thorough``). A test that caps ``max_examples`` itself does so
    because each example is expensive (it builds a model, a corpus split or a file); the
    cap holds in every profile.

Text
    ``st.text()`` draws from "every character UTF-8 can encode"; Hypothesis works that set out
    by encoding all 1.1M code points, once per fresh ``.hypothesis`` directory (5 s, 20 s
    under coverage, so on every fresh checkout and after ``make clean``). The suite draws text
    from ``st.text(UNICODE)`` with ``UNICODE = st.characters(exclude_categories=("Cs",))``:
    the same set (all code points but the surrogates, which UTF-8 cannot encode), the same
    examples, none of that cost.

PyTorch
    Tests marked ``@pytest.mark.torch`` run the PyTorch reference (``scripts/train_tiny.py``)
    live. PyTorch is only in the ``train`` extra, so when it is not installed those tests are
    deselected at collection time (with a one-line note), not reported as skipped: the same
    NumPy-against-PyTorch equivalence is checked on every run against the logits stored in
    ``tests/data/golden_logits.npz`` (``tests/test_golden_logits.py``).
"""

from __future__ import annotations

import importlib.util
import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "repeatable",
    max_examples=100,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    max_examples=1_000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

#: Whether PyTorch can be imported (checked without importing it, which takes seconds).
HAS_TORCH = importlib.util.find_spec("torch") is not None
_DESELECTED = pytest.StashKey[list]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "torch: runs the PyTorch reference live; deselected when torch is not installed "
        "(tests/data/golden_logits.npz checks the same equivalence without it)",
    )


def pytest_report_header(config: pytest.Config) -> str:
    now = settings()
    return (
        f"hypothesis profile {settings.get_current_profile_name()!r}: "
        f"max_examples={now.max_examples}, derandomize={now.derandomize}, deadline={now.deadline}"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if HAS_TORCH:
        return
    needs_torch = [item for item in items if item.get_closest_marker("torch")]
    if needs_torch:
        items[:] = [item for item in items if not item.get_closest_marker("torch")]
        config.hook.pytest_deselected(items=needs_torch)
        config.stash[_DESELECTED] = needs_torch


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    deselected = config.stash.get(_DESELECTED, [])
    if deselected:
        terminalreporter.write_line(
            f"note: {len(deselected)} test(s) marked torch deselected, PyTorch is not installed "
            "(the stored golden logits check the same equivalence; pip install torch==2.13.0 "
            "to also run them live)"
        )
