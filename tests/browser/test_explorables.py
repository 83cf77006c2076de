"""Explorables on the built pages: moving a control shows the precomputed output for that point.

The DOM contract is documented in ``llmhistory.book.explore``: every root ``[data-explorable]``
embeds ``script[data-role=states]`` = ``{"params": [{"name", "labels"}], "index": {key: j},
"outputs": [html, ...]}`` where a key is the controls' value indices joined by ``","``; the
root's ``data-state`` mirrors the shown key and ``[data-role=output]`` shows ``outputs[j]``.

Two passes per explorable:

1. the controls are moved the way a reader moves them: a slider with the keyboard (End/Home,
   then one arrow step), a drop-down list with ``select_option``; after each move the shown
   output, ``data-state`` and the slider's ``aria-valuetext`` are checked;
2. a sweep inside the page visits EVERY grid point: it sets each control's value to the
   point's index and dispatches ``input`` (slider) or ``change`` (drop-down), then compares.

The controls are driven during the page's light-mode visit (``page_visit.py``, code in
``explorable_driver.py``), after axe-core and the screenshot have seen the page as loaded.

Expected and shown HTML are both serialised by the browser before they are compared, so
attribute quoting or ``<br/>`` vs ``<br>`` cannot make a false difference.
"""

from __future__ import annotations

import pytest


def test_moving_a_control_shows_the_precomputed_output(visit, explorable_page):
    if explorable_page == "(no build)":
        pytest.fail("build the book first: make build-strict", pytrace=False)
    v = visit(explorable_page, "light")
    assert v.explorables, f"{explorable_page}: no [data-explorable] found in the browser"
    errors = [e for e in v.interaction_errors]
    assert not errors, f"{explorable_page}: script errors while moving controls:\n" + "\n".join(
        errors
    )
    assert not v.explorable_problems, f"{explorable_page}:\n" + "\n".join(v.explorable_problems)
