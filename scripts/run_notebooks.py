"""Re-execute chapter notebooks in place so their stored outputs are fresh.

Usage: python scripts/run_notebooks.py [notebooks/ | path.ipynb ...]

Each notebook runs top to bottom in a fresh kernel (the current interpreter's ``python3``
kernel), in its own folder, with widget state stored in the notebook metadata so that
widgets can render from stored outputs. ``PYTHONHASHSEED=0`` is set so that outputs
are deterministic; nbval re-runs the notebooks in ``make test`` and compares.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
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


WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
MODEL_REF = re.compile(r"IPY_MODEL_([0-9a-f]{32})")


def stable_widget_ids(notebook: dict, stem: str) -> dict[str, str]:
    """Return a map from the kernel's random widget model ids to ids derived from ``stem``.

    Models are numbered in a fixed order (views in cell order, then the models each one
    references), so re-running an unchanged notebook rewrites it byte for byte.
    """
    state = notebook.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    order: list[str] = []

    def visit(model_id: str) -> None:
        if model_id in state and model_id not in order:
            order.append(model_id)
            for ref in MODEL_REF.findall(json.dumps(state[model_id], sort_keys=True)):
                visit(ref)

    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view:
                visit(view["model_id"])
    rest = sorted(set(state) - set(order), key=lambda m: json.dumps(state[m], sort_keys=True))
    for model_id in rest:
        visit(model_id)
    return {
        old: hashlib.sha256(f"{stem}:{index}".encode()).hexdigest()[:32]
        for index, old in enumerate(order)
    }


def coalesce_streams(notebook) -> None:
    """Merge consecutive stdout (or stderr) outputs of each cell into one, in place.

    How a kernel splits printed text into messages depends on timing (a busy machine flushes
    more often); merged, the stored outputs depend only on what was printed.
    """
    for cell in notebook.cells:
        merged: list = []
        for output in cell.get("outputs", []):
            last = merged[-1] if merged else None
            if (
                output.get("output_type") == "stream"
                and last is not None
                and last.get("output_type") == "stream"
                and last.get("name") == output.get("name")
            ):
                last["text"] += output["text"]
            else:
                merged.append(output)
        if "outputs" in cell:
            cell["outputs"] = merged


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
    coalesce_streams(notebook)
    text = nbformat.writes(notebook)
    ids = stable_widget_ids(json.loads(text), path.stem)
    for old, new in ids.items():
        text = text.replace(old, new)
    notebook = nbformat.reads(text, as_version=4)
    widgets = notebook.metadata.get("widgets", {}).get(WIDGET_STATE)
    if widgets:  # store the models in their stable order, not the kernel's
        rank = {new: index for index, new in enumerate(ids.values())}
        widgets["state"] = dict(sorted(widgets["state"].items(), key=lambda kv: rank[kv[0]]))
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
