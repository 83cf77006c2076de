"""Colab, simulated: a clean kernel with only ipykernel, NumPy, Matplotlib and ipywidgets.

The chapter's setup cell must install ``llmhistory`` (here from this checkout, through
``LLMHISTORY_SOURCE``, as Colab would from the repository) and the chapter must then run top to
bottom without myst-nb or anything else the book's toolchain has. Needs PyPI for the clean
environment's packages (pip's cache makes reruns quick).
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = os.environ.get("LLMH_COLAB_CHAPTER", "notebooks/09_serving_kv_cache.ipynb")
COLAB_PACKAGES = ["ipykernel", "numpy", "matplotlib", "ipywidgets"]


@pytest.fixture(scope="module")
def colab_python(tmp_path_factory):
    venv = tmp_path_factory.mktemp("colab") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", *COLAB_PACKAGES], check=True)
    missing = subprocess.run(
        [
            python,
            "-c",
            "import importlib.util as u; print(u.find_spec('llmhistory'), "
            "u.find_spec('myst_nb'), u.find_spec('yaml'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert missing == ["None", "None", "None"], "the clean kernel must lack the package"
    return python


def test_chapter_runs_top_to_bottom_after_its_setup_cell(colab_python, tmp_path):
    nb = nbformat.read(ROOT / CHAPTER, as_version=4)
    for cell in nb.cells:  # start as Colab does: no outputs
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    kernels = tmp_path / "kernels" / "colab"
    kernels.mkdir(parents=True)
    spec = {
        "argv": [str(colab_python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "colab (simulated)",
        "language": "python",
    }
    (kernels / "kernel.json").write_text(json.dumps(spec))
    km = KernelManager(
        kernel_name="colab",
        kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels.parent)]),
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env["LLMHISTORY_SOURCE"] = str(ROOT)
    env["PATH"] = f"{colab_python.parent}:{env.get('PATH', '')}"
    km.start_kernel(env=env, cwd=str(tmp_path))
    assert Path(km.kernel_spec.argv[0]) == colab_python
    start = time.perf_counter()
    try:
        NotebookClient(nb, km=km, timeout=900, allow_errors=False).execute()
    finally:
        km.shutdown_kernel(now=True)
    seconds = time.perf_counter() - start
    print(f"\n{CHAPTER}: setup cell + every cell in {seconds:.0f} s in a clean kernel")
    installed = subprocess.run(
        [
            colab_python,
            "-c",
            "import llmhistory, importlib.util as u; "
            "print(llmhistory.__file__, u.find_spec('myst_nb'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "site-packages" in installed and installed.strip().endswith("None")
    setup = nb.cells[1]
    assert "llmhistory-setup" in setup.metadata.tags
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert errors == []
    json.dumps(nb)  # the executed notebook is still valid JSON
