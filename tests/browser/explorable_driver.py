"""Drive the explorables of a loaded page and compare what they show with their JSON.

Used by ``page_visit.visit_steps`` on each page's light-mode visit (after axe-core and the
screenshot, so both see the page as it loaded); ``test_explorables.py`` asserts on the result.
See that module's docstring for what is checked.
"""

from __future__ import annotations

import json
from typing import Any

READY_JS = """() => Array.from(document.querySelectorAll("[data-explorable]"))
  .every((root) => root.getAttribute("data-ready") === "true")"""

# Returns [shown, expected, data-state] for the root's output, both serialised by this
# document's parser. `tabindex` is dropped from both: the theme's script makes scrollable
# <pre> blocks focusable after load, which is not part of the explorable's output.
OUTPUT_JS = """(root, expected) => {
  const clean = (el) => {
    el.querySelectorAll("[tabindex]").forEach((e) => e.removeAttribute("tabindex"));
    return el.innerHTML;
  };
  const shown = root.querySelector('[data-role="output"]').cloneNode(true);
  const probe = document.createElement("div");
  probe.innerHTML = expected;
  return [clean(shown), clean(probe), root.getAttribute("data-state")];
}"""


# Visits every key of the JSON index by setting the controls and dispatching their events.
SWEEP_JS = """(root) => {
  const data = JSON.parse(root.querySelector('script[data-role="states"]').textContent);
  const out = root.querySelector('[data-role="output"]');
  const controls = data.params.map((p) => root.querySelector(`[data-param="${p.name}"]`));
  const norm = (html) => {
    const probe = document.createElement("div");
    probe.innerHTML = html;
    probe.querySelectorAll("[tabindex]").forEach((e) => e.removeAttribute("tabindex"));
    return probe.innerHTML;
  };
  const keys = Object.keys(data.index), bad = [];
  for (const key of keys) {
    key.split(",").forEach((value, k) => {
      const c = controls[k];
      if (c.value !== value) {
        c.value = value;
        const type = c.tagName === "SELECT" ? "change" : "input";
        c.dispatchEvent(new Event(type, { bubbles: true }));
      }
    });
    const state = root.getAttribute("data-state");
    const shown = norm(out.innerHTML), expected = norm(data.outputs[data.index[key]]);
    if (state !== key || shown !== expected) {
      bad.push(`${key}: data-state ${state}, shown ${shown.slice(0, 120)} ` +
               `expected ${expected.slice(0, 120)}`);
    }
  }
  return { keys: keys.length, bad };
}"""


def _sweep(root: Any) -> list[str]:
    """Check every grid point inside the page; return the mismatches."""
    data = json.loads(root.locator('script[data-role="states"]').text_content())
    points = 1
    for param in data["params"]:
        points *= len(param["labels"])
    result = root.evaluate(SWEEP_JS)
    problems = [f"sweep over all {points} grid points: {line}" for line in result["bad"][:10]]
    if len(result["bad"]) > 10:
        problems.append(f"... {len(result['bad']) - 10} more grid points differ")
    if result["keys"] != points:
        problems.append(f"the JSON index has {result['keys']} keys for {points} grid points")
    return problems


def _check_state(root: Any, data: dict, indices: list[int], action: str) -> list[str]:
    """Return the problems when the root does not show the precomputed output for ``indices``."""
    key = ",".join(map(str, indices))
    if key not in data["index"]:
        return [f"{action}: state key {key!r} is not in the embedded JSON index"]
    shown, expected, state = root.evaluate(OUTPUT_JS, data["outputs"][data["index"][key]])
    problems = []
    if state != key:
        problems.append(f"{action}: data-state is {state!r}, expected {key!r}")
    if shown != expected:
        problems.append(
            f"{action}: output differs from the JSON's output for {key!r}:\n"
            f"      shown:    {shown[:200]!r}\n      expected: {expected[:200]!r}"
        )
    return problems


def _move(page: Any, control: Any, kind: str, current: int, target: int) -> str:
    """Move one control from index ``current`` to ``target`` as a reader would; describe it."""
    if kind == "select":
        control.select_option(value=str(target))
        return f"select option {target}"
    control.focus()
    if abs(target - current) == 1:
        key = "ArrowRight" if target > current else "ArrowLeft"
    else:
        key = "End" if target > current else "Home"
    page.keyboard.press(key)
    return f"press {key}"


def _exercise(page: Any, root: Any) -> list[str]:
    """Move every control of one explorable and return what did not match the JSON."""
    uid = root.get_attribute("id")
    data = json.loads(root.locator('script[data-role="states"]').text_content())
    indices = [int(i) for i in root.get_attribute("data-state").split(",")]
    problems = _check_state(root, data, indices, "initial state (no control moved)")
    if len(data["outputs"]) < 2:
        problems.append("every grid point shows the same output: nothing to explore")
    for k, param in enumerate(data["params"]):
        name, labels = param["name"], param["labels"]
        control = root.locator(f'[data-param="{name}"]')
        if control.count() != 1:
            problems.append(f"{name}: expected one control [data-param={name}]")
            continue
        if not control.is_enabled():
            problems.append(f"{name}: control is still disabled after the script ran")
            continue
        if len(labels) < 2:
            continue
        kind = "select" if control.evaluate("e => e.tagName") == "SELECT" else "range"
        last = len(labels) - 1
        far = last if indices[k] != last else 0
        steps = [far] + ([far - 1 if far == last else 1] if len(labels) > 2 else [])
        for target in steps:
            action = _move(page, control, kind, indices[k], target)
            indices[k] = target
            where = f"{name} ({action} -> index {target}, {labels[target]!r})"
            if control.evaluate("e => e.value") != str(target):
                problems.append(f"{where}: control value is {control.input_value()!r}")
                continue
            problems.extend(_check_state(root, data, indices, where))
            if kind == "range":
                valuetext = control.get_attribute("aria-valuetext")
                shown = root.locator(f'output[data-value-of="{name}"]').text_content()
                if valuetext != labels[target] or shown != labels[target]:
                    problems.append(
                        f"{where}: aria-valuetext {valuetext!r} / shown {shown!r}, "
                        f"expected {labels[target]!r}"
                    )
    problems.extend(_sweep(root))
    return [f"[{uid}] {p}" for p in problems]


def exercise_page(page: Any) -> tuple[int, list[str]]:
    """Exercise every explorable on ``page``; return ``(how many, problems)``."""
    roots = page.locator("[data-explorable]")
    count = roots.count()
    if count == 0:
        return 0, []
    try:
        page.wait_for_function(READY_JS, timeout=10_000)
    except Exception:  # noqa: BLE001 - reported as a problem of the page
        waiting = page.evaluate(
            """() => Array.from(document.querySelectorAll("[data-explorable]"))
              .filter((r) => r.getAttribute("data-ready") !== "true").map((r) => r.id)"""
        )
        return count, [f"explorables never became ready (data-ready): {waiting}"]
    problems: list[str] = []
    for i in range(count):
        problems.extend(_exercise(page, roots.nth(i)))
    return count, problems
