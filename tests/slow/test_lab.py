"""A real JupyterLab (and Jupyter Notebook 7) in headless Chromium, on a chapter's reader copy.

What a learner sees after ``make lab``: numbers where the book has numbers, author-year
citations linked to a reference list, solutions closed until clicked, the cells the book hides
collapsed, and no MyST markup anywhere. A screenshot is written to ``$LLMH_SCREENSHOTS``
(default ``_build/screenshots``).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from llmhistory.book.reader import render_notebook

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from chromium import launch  # noqa: E402

CHAPTER = ROOT / "notebooks" / "09_serving_kv_cache.ipynb"
TOKEN = "llmhistory-lab-test"
SHOTS = Path(os.environ.get("LLMH_SCREENSHOTS", ROOT / "_build" / "screenshots"))
MARKUP = ("{glue:", "{cite:", ":::{", "```{", "{eq}`", "{term}`")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """Serve a reader copy of chapter 9 with JupyterLab; yield (base URL, reader notebook)."""
    root = tmp_path_factory.mktemp("lab")
    reader = render_notebook(json.loads(CHAPTER.read_text(encoding="utf-8")))
    (root / CHAPTER.name).write_text(json.dumps(reader, indent=1, ensure_ascii=False) + "\n")
    settings = root / ".settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # Lab renders only the cells in view by default; render all so every cell can be checked.
    (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    news = root / ".settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    port = free_port()
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(root / ".settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(root / ".workspaces"),
        "JUPYTER_RUNTIME_DIR": str(root / ".runtime"),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            f"--port={port}",
            "--ServerApp.ip=127.0.0.1",
            "--allow-root",  # containers and CI run as root
            f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(root / "server.log").open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and server.poll() is None:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        log = (root / "server.log").read_text()[-3000:]
        pytest.fail(f"JupyterLab did not start within 300 s:\n{log}")
    yield base, reader
    server.terminate()
    server.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.mark.parametrize("app", ["lab/tree", "notebooks"], ids=["jupyterlab", "notebook7"])
def test_chapter_reads_as_in_the_book(lab, browser, app):
    base, reader = lab
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    start = time.perf_counter()
    page.goto(f"{base}/{app}/{CHAPTER.name}?token={TOKEN}")
    page.wait_for_selector(".jp-MarkdownCell .jp-RenderedMarkdown h1", timeout=90_000)
    markdown_cells = sum(c["cell_type"] == "markdown" for c in reader["cells"])
    page.wait_for_function(
        f"document.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown').length >= "
        f"{markdown_cells}",
        timeout=60_000,
    )
    seconds = time.perf_counter() - start
    prose = page.eval_on_selector_all(
        ".jp-MarkdownCell .jp-RenderedMarkdown", "els => els.map(e => e.innerText)"
    )
    text = "\n".join(prose)
    assert [m for m in MARKUP if m in text] == []
    # numbers as numbers: the first glued value the chapter shows, as the book formats it
    assert "the cache alone takes 32\nGiB" in text or "the cache alone takes 32 GiB" in text
    # citations as author-year text, linked to the reference list at the end
    assert "Touvron et al., 2023b" in text and "Ainslie et al., 2023" in text
    links = page.eval_on_selector_all(
        ".jp-RenderedMarkdown a[href^='#ref-']", "els => els.map(e => e.getAttribute('href'))"
    )
    # JupyterLab keeps an id as data-jupyter-id (against DOM clobbering) and resolves #links by it
    target = "[id='{0}'], [data-jupyter-id='{0}']"
    assert links and all(page.locator(target.format(h[1:])).count() == 1 for h in set(links))
    page.locator(f".jp-RenderedMarkdown a[href='{links[0]}']").first.click()
    page.wait_for_timeout(500)
    assert page.locator(target.format(links[0][1:])).first.evaluate(
        "e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }"
    ), "a citation link scrolls to its reference"
    # solutions closed until asked for; code the book hides is collapsed
    details = page.locator(".jp-RenderedMarkdown details")
    assert details.count() >= 3
    assert (
        page.eval_on_selector_all(".jp-RenderedMarkdown details", "d => d.some(x => x.open)")
        is False
    )
    hidden = sum(
        c["cell_type"] == "code" and c["metadata"].get("jupyter", {}).get("source_hidden", False)
        for c in reader["cells"]
    )
    assert page.locator(".jp-InputPlaceholder").count() == hidden
    # maths typeset by JupyterLab's MathJax
    assert page.locator(".jp-RenderedMarkdown mjx-container").count() > 0
    details.first.locator("summary").click()
    assert details.first.evaluate("d => d.open") is True
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".jp-MarkdownCell").nth(2).scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"{app.split('/')[0]}-09_serving_kv_cache.png"))
    print(f"\n{app}: chapter 9 rendered in {seconds:.1f} s")
    page.close()
