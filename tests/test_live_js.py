"""The JavaScript tiny model (``llmhistory/book/assets/tinymodel``) equals the Python one.

Writes fixtures from the shipped files with ``scripts/js_fixtures.py`` into a temporary
directory, then runs ``node --test tests/js`` on them: token ids on >= 200 strings, logits of
24 prompts within 1e-4 of NumPy with and without the KV cache, greedy and seeded sampled
generations token for token, label scores, attention weights, a mixture-of-experts model.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="node is not installed (Debian: apt-get install nodejs)")
def test_javascript_model_equals_python(tmp_path: Path) -> None:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "js_fixtures.py"), "--out", str(tmp_path)],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    )
    summary = tmp_path / "summary.json"
    env.update(LLMH_JS_FIXTURES=str(tmp_path), LLMH_JS_SUMMARY=str(summary))
    run = subprocess.run(
        [NODE, "--test", "--test-concurrency=1", str(ROOT / "tests" / "js")],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    figures = json.loads(summary.read_text())
    assert (
        figures["tokenizer_agreement"].split("/")[0] == figures["tokenizer_agreement"].split("/")[1]
    )
    assert figures["max_abs_logit_diff_vs_float64"] < 1e-4
    assert figures["max_abs_logit_diff_cached"] < 1e-4
