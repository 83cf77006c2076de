"""Re-execute chapter notebooks in place so their stored outputs are fresh.

Usage: python scripts/run_notebooks.py [notebooks/ | path.ipynb ...]

Each notebook runs top to bottom in a fresh kernel (the current interpreter's ``python3``
kernel), in its own folder, with widget state stored in the notebook metadata so that
widgets can render from stored outputs. ``PYTHONHASHSEED=0`` is set so that outputs
are deterministic; nbval re-runs the notebooks in ``make test`` and compares.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

os.environ.setdefault("PYTHONHASHSEED", "0")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")


def notebooks_in(args: list[str]) -> list[Path]:
    """Return the notebooks named by ``args`` (files, or folders searched for ``*.ipynb``)."""
    paths: list[Path] = []
    for arg in args or ["notebooks"]:
        path = Path(arg)
        if path.is_dir():
            paths.extend(sorted(p for p in path.glob("*.ipynb")))
        elif path.suffix == ".ipynb" and path.exists():
            paths.append(path)
        else:
            raise SystemExit(f"not a notebook or folder: {arg}")
    return paths


def execute(path: Path) -> float:
    """Execute one notebook in place and return the seconds it took."""
    notebook = nbformat.read(path, as_version=4)
    taken = {cell.get("id") for cell in notebook.cells}
    for index, cell in enumerate(notebook.cells):
        if not cell.get("id"):  # stable ids for cells added by hand or by a script
            ids = (f"cell-{index}-{n}" for n in range(len(taken) + 1))
            cell["id"] = next(i for i in ids if i not in taken)
            taken.add(cell["id"])
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    for cell in notebook.cells:
        cell.get("metadata", {}).pop("execution", None)
    nbformat.write(notebook, path)
    return seconds


def main(argv: list[str]) -> int:
    total = 0.0
    for path in notebooks_in(argv):
        seconds = execute(path)
        total += seconds
        print(f"{seconds:6.1f} s  {path}")
    print(f"{total:6.1f} s  total")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
