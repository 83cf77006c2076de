"""Print the wall time of each `make test` stage as a table (read from .cache/stages/).

Usage: python scripts/stage_times.py STAGES_DIR stage [stage ...]

Each stage's recipe writes ``<name> <milliseconds>`` to ``STAGES_DIR/<name>``; stages that did
not run in this invocation (the venv and installs when they were already up to date) are shown
as "up to date".
"""

from __future__ import annotations

import sys
from pathlib import Path


def read_times(folder: Path, stages: list[str]) -> list[tuple[str, float | None]]:
    """Return ``[(stage, seconds or None)]`` in the order given."""
    rows = []
    for stage in stages:
        path = folder / stage
        seconds = None
        if path.is_file():
            name, milliseconds = path.read_text(encoding="utf-8").split()
            seconds = int(milliseconds) / 1000
        rows.append((stage, seconds))
    return rows


def format_table(rows: list[tuple[str, float | None]]) -> str:
    """Return the rows as a Markdown table with each stage's share of the total."""
    total = sum(s for _, s in rows if s is not None)
    lines = ["| stage | seconds | share |", "|---|---:|---:|"]
    for stage, seconds in rows:
        if seconds is None:
            lines.append(f"| {stage} | up to date | |")
        else:
            share = seconds / total if total else 0.0
            lines.append(f"| {stage} | {seconds:.1f} | {share:.0%} |")
    lines.append(f"| **total** | **{total:.1f}** | |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    print(format_table(read_times(Path(argv[0]), argv[1:])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
