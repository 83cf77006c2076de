"""Stored notebook outputs must depend on the mathematics, not on the CPU that wrote them.

nbval re-executes every notebook and compares the outputs byte for byte. Float arithmetic
differs in its last bits between CPUs (NumPy and OpenBLAS choose SIMD kernels per machine),
so a stored number that shows those bits fails on the next reader's machine. These checks
read the committed notebooks (no kernel) and find such a number before it lands; `make
notebooks` then re-runs every notebook under NumPy's baseline kernels as a second CPU would.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "book").glob("*.ipynb"))
PROSE = sorted((ROOT / "book").glob("*.md"))
RECORD = "application/papermill.record/text/plain"
# A float printed with 7 or more decimals (matplotlib's SVG coordinates stop at 6).
LONG_FLOAT = re.compile(r"(?<![\w.])-?\d+\.\d{7,}(?:e[-+]?\d+)?")
GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`(?:[^`]*::)?(\w+)(?::([^`]*))?`")
BINARY = re.compile(r'"image/(?:png|jpeg)": "[^"]*"')


def stored_text(path: Path) -> str:
    """Return every stored output and the notebook metadata (widget state) as one JSON text."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    outputs = [cell.get("outputs", []) for cell in notebook["cells"]]
    return BINARY.sub("", json.dumps([outputs, notebook.get("metadata", {})]))


def records(path: Path) -> dict[str, str]:
    """Return ``{name: stored text}`` of every value the notebook glues."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    found = {}
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            if RECORD in output.get("data", {}):
                found[output["metadata"]["scrapbook"]["name"]] = output["data"][RECORD]
    return found


def prose_formats() -> dict[str, set[str]]:
    """Return ``{glued name: formats the prose uses}`` over notebook Markdown and book pages."""
    texts = [p.read_text(encoding="utf-8") for p in PROSE]
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "markdown":
                texts.append("".join(cell["source"]))
    formats: dict[str, set[str]] = {}
    for text in texts:
        for name, spec in GLUE_ROLE.findall(text):
            formats.setdefault(name, set()).add(spec)
    return formats


def decimals_shown(spec: str) -> int | None:
    """Return how many decimals of the stored float a format shows (None: not a float format).

    >>> decimals_shown(".1f"), decimals_shown(",.0f"), decimals_shown(".1%"), decimals_shown("d")
    (1, 0, 3, None)
    >>> decimals_shown("+.1f"), decimals_shown("+,.2f")  # a sign shown on positive values too
    (1, 2)
    """
    match = re.fullmatch(r"[+ -]?,?\.(\d+)([f%])", spec)
    if match is None:
        return None
    return int(match[1]) + (2 if match[2] == "%" else 0)


def significant_shown(spec: str) -> int | None:
    """Return how many significant digits an ``e`` or ``g`` format shows (None otherwise).

    >>> significant_shown(".2e"), significant_shown(".1g"), significant_shown(".1f")
    (3, 1, None)
    """
    match = re.fullmatch(r"\.(\d+)([eg])", spec)
    if match is None:
        return None
    return int(match[1]) + 1 if match[2] == "e" else max(1, int(match[1]))


def stored_decimals(text: str) -> int:
    """Return the decimals a stored float's text carries (``'122.0'`` has 0)."""
    mantissa = text.split("e")[0]
    return len(mantissa.split(".")[1].rstrip("0")) if "." in mantissa else 0


def stored_significant(text: str) -> int:
    digits = text.split("e")[0].lstrip("-").replace(".", "").lstrip("0")
    return len(digits.rstrip("0")) or 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_stored_number_shows_the_last_bits_of_its_arithmetic(path):
    long = LONG_FLOAT.findall(stored_text(path))
    assert not long, (
        f"{path.name} stores floats with 7+ decimals {long[:5]}: they differ between CPUs; "
        "round or format them to the precision the text means (glue(..., decimals=N))"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_glued_floats_store_exactly_the_precision_the_prose_shows(path):
    formats = prose_formats()
    for name, text in records(path).items():
        if not re.fullmatch(r"-?\d+\.\d+(e[-+]\d+)?|-?\d+e[-+]\d+", text):
            continue  # an integer or a string: exact on every machine
        specs = formats.get(name, set())
        assert specs, f"{path.name}: {name} is glued but no page shows it"
        for spec in specs:
            decimals, significant = decimals_shown(spec), significant_shown(spec)
            if decimals is not None:
                assert stored_decimals(text) <= decimals, (name, text, spec)
            elif significant is not None:
                assert stored_significant(text) <= significant, (name, text, spec)
            else:
                pytest.fail(f"{path.name}: float {name}={text} is shown with format {spec!r}")


def test_every_glued_name_in_the_prose_is_stored_once():
    stored: dict[str, str] = {}
    for path in NOTEBOOKS:
        for name in records(path):
            assert name not in stored, f"{name} glued in {stored.get(name)} and {path.name}"
            stored[name] = path.name
    missing = sorted(set(prose_formats()) - set(stored))
    assert not missing, f"the prose refers to names no notebook glues: {missing}"


def test_the_checks_catch_a_full_precision_float():
    assert LONG_FLOAT.findall('"text": "share 0.9369983368422385\\n"') == ["0.9369983368422385"]
    assert not LONG_FLOAT.findall('"svg": "M 12.345678 L 3.5 640x480 v1.2.3"')
    assert stored_decimals("99.9") == 1 and stored_decimals("122.0") == 0
    assert stored_decimals("0.9369983368422385") == 16
    assert stored_significant("3.15e+23") == 3 and stored_significant("0.0042") == 2
