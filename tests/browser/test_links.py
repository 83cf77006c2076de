"""Internal links of the built book (``scripts/linkcheck.py``), and that checker's own tests.

No browser is needed here; the module lives with the browser tests because it reads the build.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_linkcheck():
    """Import ``scripts/linkcheck.py`` (scripts/ is not a package) once per session."""
    name = "llmhistory_scripts_linkcheck"
    if name not in sys.modules:
        path = ROOT / "scripts" / "linkcheck.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while it executes
        spec.loader.exec_module(module)
    return sys.modules[name]


linkcheck = _load_linkcheck()


def test_every_internal_link_of_the_book_resolves(book_dir):
    broken, checked, _ = linkcheck.check_build(book_dir)
    assert checked > 0, f"no internal link found under {book_dir}"
    assert not broken, f"{len(broken)} broken internal link(s):\n" + "\n".join(map(str, broken))


@pytest.fixture
def fake_build(tmp_path: Path) -> Path:
    (tmp_path / "book").mkdir()
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "app.js").write_text("")
    (tmp_path / "_static" / "macros.html").write_text('<link href="{{ pathto(x) }}">')
    (tmp_path / "index.html").write_text('<a href="book/">book</a><a href="#">top</a>')
    (tmp_path / "book" / "index.html").write_text('<h1 id="start">x</h1>')
    (tmp_path / "book" / "a.html").write_text(
        '<h1 id="top">A</h1><a name="legacy"></a>'
        '<a href="#top">ok</a><a href="#legacy">ok</a><a href="b.html#sec%201">ok</a>'
        '<a href="index.html?highlight=x#start">ok</a><script src="../_static/app.js"></script>'
        '<a href="https://example.org/x">external</a><a href="mailto:a@b.c">mail</a>'
        '<a href="#nope">bad anchor</a><a href="c.html">missing</a>'
        '<a href="b.html#gone">bad anchor elsewhere</a><img src="../../etc/passwd">'
        '<svg><use xlink:href="#nowhere"></use></svg>'
    )
    (tmp_path / "book" / "b.html").write_text('<h2 id="sec 1">B</h2>')
    return tmp_path


def test_linkcheck_reports_exactly_the_broken_links(fake_build):
    broken, checked, external = linkcheck.check_build(fake_build)
    found = sorted((b.link.page.name, b.link.value, b.reason) for b in broken)
    assert found == [
        ("a.html", "#nope", "no id 'nope' in book/a.html"),
        ("a.html", "#nowhere", "no id 'nowhere' in book/a.html"),
        ("a.html", "../../etc/passwd", "points outside the build"),
        ("a.html", "b.html#gone", "no id 'gone' in book/b.html"),
        ("a.html", "c.html", "missing file book/c.html"),
    ]
    assert checked == 11  # `#` alone and the two external links are not checked
    assert external == {"https://example.org/x": 1, "mailto:a@b.c": 1}


def test_linkcheck_cli_exit_status(fake_build, capsys):
    assert linkcheck.main([str(fake_build)]) == 1
    out = capsys.readouterr().out
    assert "5 broken" in out and "c.html" in out
    (fake_build / "book" / "a.html").write_text('<a href="b.html#sec%201">ok</a>')
    assert linkcheck.main([str(fake_build)]) == 0
    assert linkcheck.main([str(fake_build / "missing")]) == 1
