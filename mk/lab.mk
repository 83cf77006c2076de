# make lab: JupyterLab on the chapters as a learner should read them.
#
# The chapters are written in MyST for the book ({glue:text} numbers, {cite:p} citations,
# dropdown solutions), which JupyterLab shows as raw markup. `make lab` installs only the package
# and JupyterLab (not the book or test tools), renders reader copies of the chapters into
# dist/lab/notebooks (numbers, author-year citations with a reference list, solutions collapsed:
# python -m llmhistory.book.reader) and opens JupyterLab there. A copy is rendered again only
# when its chapter changes (e.g. after `git pull`); edit your copy freely until then.
#   make lab LAB_FLAGS=--no-browser     e.g. on a remote machine
#   make lab-test     a real JupyterLab and Notebook 7 in headless Chromium (~1 min; tests/slow)
#   make colab-test   Colab simulated: a clean venv, a chapter's setup cell installs the package
#                     from this checkout, the chapter runs top to bottom (~3 min, needs PyPI)
.PHONY: lab lab-notebooks lab-test colab-test

LAB_DIR   := dist/lab
LAB_FLAGS ?=
LAB_CHAPTERS := $(patsubst notebooks/%,$(LAB_DIR)/notebooks/%,$(wildcard notebooks/[0-9][0-9]_*.ipynb))

$(VENV)/.lab-installed: pyproject.toml $(wildcard $(LOCK)) | $(PY)
	$(PY) -m pip install --quiet $(CONSTRAINT) -e . jupyterlab ipykernel
	@touch $@

$(LAB_DIR)/notebooks/%.ipynb: notebooks/%.ipynb book/references.bib | $(VENV)/.lab-installed
	$(PY) -m llmhistory.book.reader $< --out $(LAB_DIR)/notebooks

lab-notebooks: $(LAB_CHAPTERS)

lab: lab-notebooks
	$(BIN)/jupyter lab $(LAB_FLAGS) $(LAB_DIR)

lab-test: $(VENV)/.test-installed $(VENV)/.lab-installed
	LLMH_SLOW=1 $(BIN)/pytest -q -p no:cacheprovider tests/slow/test_lab.py

colab-test: $(VENV)/.test-installed
	LLMH_SLOW=1 $(BIN)/pytest -q -p no:cacheprovider tests/slow/test_colab.py
