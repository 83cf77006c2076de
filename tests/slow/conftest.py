"""Slow end-to-end checks, outside `make test`'s time budget; each has its own make target.

- ``test_colab.py`` (``make colab-test``): a chapter runs top to bottom in a clean virtual
  environment holding only what Colab gives (a kernel, NumPy, Matplotlib, ipywidgets), its
  setup cell installing the package from the local checkout.
- ``test_lab.py`` (``make lab-test``): a real JupyterLab in headless Chromium shows a reader
  copy of a chapter as the book does.
- ``test_pdf.py`` (``make pdf-test``): the book's PDF.

They are collected only with ``LLMH_SLOW=1`` (the make targets set it), so ``make unit``,
which collects ``tests/``, skips them.
"""

import os

if os.environ.get("LLMH_SLOW") != "1":
    collect_ignore_glob = ["test_*.py"]
