# llmhistory: two commands for readers and contributors.
#   make book   set up .venv, build the HTML book, print where index.html is
#   make test   set up .venv, run every check (lint, unit tests, nbval, book build)
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON   ?= python3
VENV     := .venv
BIN      := $(VENV)/bin
PY       := $(BIN)/python
BUILD    := _build
HTML     := $(BUILD)/html
# JavaScript the pages need, fetched from the npm registry at build time (pinned, not committed)
# and served from the site itself, so that readers' browsers make no third-party request.
MATHJAX_VERSION := 3.2.2
VENDOR   := .cache/vendor
MATHJAX  := $(VENDOR)/mathjax/tex-mml-chtml.js
export PYTHONHASHSEED := 0
# The book's arrays are tiny: BLAS threads only add contention on a 2-core machine
# (measured: a chapter-1 cell went from 0.7 s to 22 s under load with threads on).
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1
# Some machines set this; then every pytest process re-compiles (assert-rewrites) every test
# module and plugin again (measured ~6 s CPU per process).
unexport PYTHONDONTWRITEBYTECODE


# `make book CHAPTERS="01 03 09"` builds a course pack: the intro, those chapters, the back matter.
CHAPTERS ?=
ifneq ($(strip $(CHAPTERS)),)
TOC := $(BUILD)/course-pack/_toc.yml
else
TOC := book/_toc.yml
endif
JB_FLAGS := --config book/_config.yml --toc $(TOC)

.PHONY: help book test lint quizzes unit notebooks notebooks-baseline students \
	build-strict browser toc vendor \
	outputs train bench metrics lab serve linkcheck clean lock

help:
	@echo "make book      build the HTML book and print the path of index.html"
	@echo "               (CHAPTERS=\"01 03 09\" builds a course pack of those chapters)"
	@echo "make test      run every check: ruff, unit tests + doctests, nbval, strict book build"
	@echo "make outputs   re-execute every notebook in place (fresh kernel, widget state stored)"
	@echo "make students  write student notebooks (solutions removed) to dist/student and run them"
	@echo "make lab       open JupyterLab on notebooks/"
	@echo "make train     re-train the shipped tiny model (installs PyTorch, CPU build)"
	@echo "make bench     benchmark the tiny model with and without the KV cache"
	@echo "make serve     serve the built book on http://127.0.0.1:8000"
	@echo "make lock      re-resolve the pinned versions (constraints/py3.NN.txt) for each Python"
	@echo "make clean     remove the built book and caches"

# ---- environment -----------------------------------------------------------------------
# Installs come from a lock file per Python version (constraints/py3.NN.txt, written by
# `make lock`), so that every machine runs the versions that wrote the stored outputs.
# pyproject.toml keeps open ranges for people who `pip install llmhistory`.
PY_VERSION = $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
LOCK       = constraints/py$(PY_VERSION).txt
LOCK_PYTHONS ?= python3.10 python3.11 python3.12 python3.13
CONSTRAINT = $(if $(wildcard $(LOCK)),-c $(LOCK),)
# uv installs the ~150 locked packages in a fraction of pip's time (measured on a fresh clone:
# see README, "Where the time goes"); pip is the fallback when uv could not be installed.
# (`make train` keeps pip: it takes PyTorch's CPU wheel from a local wheel directory.)
INSTALL = $(if $(wildcard $(BIN)/uv),$(BIN)/uv pip install --quiet --python $(PY),$(PY) -m pip install --quiet)

# Every stage of `make test` records its wall time here; `make test` prints the table.
STAGES := .cache/stages
ifneq ($(filter test,$(MAKECMDGOALS)),)
$(shell rm -rf $(STAGES))
endif
# $(call timed,<stage>,<command>): run the command, record its seconds, keep its exit status.
timed = @mkdir -p $(STAGES); echo "==> $(1)"; t0=$$(date +%s%N); $(2) || exit $$?; \
	echo "$(1) $$(( ($$(date +%s%N) - t0) / 1000000 ))" > $(STAGES)/$(1)

$(PY):
	@mkdir -p $(STAGES); t0=$$(date +%s%N); \
	$(PYTHON) -m venv $(VENV) || { echo "python3 -m venv failed: install python3-venv (Debian: apt-get install python3-venv)"; exit 1; }; \
	$(PY) -m pip install --quiet uv || echo "note: could not install uv; installing with pip (slower)"; \
	echo "venv $$(( ($$(date +%s%N) - t0) / 1000000 ))" > $(STAGES)/venv
	@test -n "$(CONSTRAINT)" || echo "note: no $(LOCK) for Python $(PY_VERSION): installing the newest versions (make lock writes one)"

$(VENV)/.book-installed: pyproject.toml $(wildcard $(LOCK)) | $(PY)
	$(call timed,install-book,$(INSTALL) $(CONSTRAINT) -e '.[book]')
	@touch $@

$(VENV)/.test-installed: pyproject.toml $(wildcard $(LOCK)) | $(PY)
	$(call timed,install,$(INSTALL) $(CONSTRAINT) -e '.[test]')
	@touch $@ $(VENV)/.book-installed

# Write constraints/py3.NN.txt for each Python found: a fresh venv, `.[test]` installed, frozen.
# By default the current pins are kept and only packages new to the project are resolved (the
# stored outputs were written with the pinned versions); `make lock UPGRADE=1` re-resolves the
# newest versions the pyproject ranges allow; then run `make outputs` and `make test`, and
# commit both.
UPGRADE ?=
lock: | $(PY)
	@mkdir -p constraints
	@uv=$(BIN)/uv; test -x $$uv || { $(PY) -m pip install --quiet uv; }; \
	for py in $(LOCK_PYTHONS); do \
	  $$py -c 'import venv' >/dev/null 2>&1 || { echo "skip $$py: not found"; continue; }; \
	  ver=$$($$py -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
	  dir=.cache/lock-$$ver; rm -rf $$dir; \
	  keep=$$( [ -z "$(UPGRADE)" ] && [ -f constraints/py$$ver.txt ] && echo "-c constraints/py$$ver.txt" ); \
	  $$uv venv --quiet --python $$py $$dir \
	    && $$uv pip install --quiet --python $$dir/bin/python $$keep -e '.[test]' \
	    && { echo "# make lock: pip freeze of .[test] on Python $$ver, $$(date -u +%Y-%m-%d)"; \
	         $$uv pip freeze --python $$dir/bin/python --exclude-editable | sort -f; } > constraints/py$$ver.txt.new \
	    && mv constraints/py$$ver.txt.new constraints/py$$ver.txt \
	    && echo "wrote constraints/py$$ver.txt ($$(grep -vc '^#' constraints/py$$ver.txt) packages)" \
	    || exit 1; \
	  rm -rf $$dir; \
	done

$(MATHJAX):
	@command -v npm >/dev/null 2>&1 || { echo "npm not found: the book serves MathJax $(MATHJAX_VERSION) itself and fetches it from the npm registry at build time. Install Node.js and npm (Debian: apt-get install npm) and run make again."; exit 1; }
	rm -rf .cache/npm $(VENDOR)/mathjax
	npm install --silent --no-save --no-audit --no-fund --prefix .cache/npm mathjax@$(MATHJAX_VERSION) \
		|| { echo "could not fetch mathjax@$(MATHJAX_VERSION) from the npm registry"; exit 1; }
	mkdir -p $(VENDOR)/mathjax/input/tex $(VENDOR)/mathjax/output/chtml/fonts
	cp .cache/npm/node_modules/mathjax/es5/tex-mml-chtml.js $(VENDOR)/mathjax/
	cp -r .cache/npm/node_modules/mathjax/es5/input/tex/extensions $(VENDOR)/mathjax/input/tex/
	cp -r .cache/npm/node_modules/mathjax/es5/output/chtml/fonts/woff-v2 $(VENDOR)/mathjax/output/chtml/fonts/
	cp .cache/npm/node_modules/mathjax/LICENSE $(VENDOR)/mathjax/

vendor: $(MATHJAX)

# Feature targets (assignments, PDF, ...) live in mk/*.mk, one file each.
-include $(sort $(wildcard mk/*.mk))

# ---- the two commands ------------------------------------------------------------------
toc: $(VENV)/.book-installed
ifneq ($(strip $(CHAPTERS)),)
	rm -rf $(HTML) $(BUILD)/.doctrees
	$(PY) -m llmhistory.book.coursepack $(CHAPTERS) --out $(TOC)
endif

book: $(VENV)/.book-installed $(MATHJAX) toc
	$(BIN)/jupyter-book build . $(JB_FLAGS) --path-output . >$(BUILD).log 2>&1 || { cat $(BUILD).log; exit 1; }
	@tail -n 3 $(BUILD).log | grep -v '^$$' || true
	@echo "Book built: $(CURDIR)/$(HTML)/index.html"

# (The internal-link check runs inside the browser suite: tests/browser/test_links.py.)
# `make -j2 test` works: each stage names what it needs (the browser suite needs the build).
test: $(VENV)/.test-installed lint quizzes unit notebooks-baseline build-strict browser
	@$(PY) scripts/stage_times.py $(STAGES) venv install lint quizzes unit notebooks-baseline \
		build-strict browser
	@echo "All checks passed."

lint: $(VENV)/.test-installed
	$(call timed,lint,$(BIN)/ruff check . && $(BIN)/ruff format --check .)

quizzes: $(VENV)/.test-installed
	$(call timed,quizzes,$(PY) -m llmhistory.book.quiz validate)

# Unit tests and doctests. `make test COVERAGE=1` (what .ci/run does) measures line coverage
# too and fails under 90%: Python 3.11's line tracer doubles the stage (measured 71 s -> 122 s,
# 134 -> 234 s CPU, 3,100 tests on 2 cores), so a newcomer's `make test` leaves it to CI.
COVERAGE ?=
COV_FLAGS = $(if $(COVERAGE),--cov=llmhistory --cov-report=term --cov-fail-under=90,)
unit: $(VENV)/.test-installed $(MATHJAX)
	$(call timed,unit,$(BIN)/pytest -q -p no:cacheprovider $(COV_FLAGS) \
		--ignore=tests/browser --ignore=tests/test_assessment_class.py \
		-p no:nbval tests src/llmhistory -n 2)

# nbval on the chapters and the back matter's notebook pages as stored. `make test` runs them
# once, under NumPy's baseline SIMD kernels (notebooks-baseline), as on an older or different
# CPU than the one that wrote the outputs with `make outputs`: a stored number that shows the
# last bits of its arithmetic fails there instead of on a reader's machine, and a stale output
# fails on every CPU. `make notebooks` runs them with this CPU's own kernels; .ci/run runs both.
# (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are left alone: some machines set them to avoid old
# OpenBLAS bugs.) Solution cells run in both. The student copies (solutions removed) give the
# same outputs because every chapter's solutions come after all its other cells but the quiz
# (tests/test_student.py checks it); `make students` runs the copies themselves.
OUTPUTS_PYTHON := 3.11
mpl_pin = $(shell grep -i '^matplotlib==' $(1) 2>/dev/null)
ifeq ($(call mpl_pin,$(LOCK)),$(call mpl_pin,constraints/py$(OUTPUTS_PYTHON).txt))
NBVAL_SANITIZE := tests/nbval_sanitize.cfg
else
NBVAL_SANITIZE := tests/nbval_sanitize_other_matplotlib.cfg
endif
# (-p no:... : pytest plugins the notebooks do not use; each costs start-up time per worker.)
NBVAL = $(BIN)/pytest -q -p no:cacheprovider --nbval --nbval-sanitize-with $(NBVAL_SANITIZE) \
	-n 2 --dist loadfile
BASELINE_KERNELS := X86_V3 X86_V4 AVX512_ICL AVX512_SPR
# The chapters and the back matter's notebook pages (the instructor guide, the timeline).
BOOK_NOTEBOOKS := book/instructor_guide.ipynb book/timeline.ipynb
CHAPTERS_AND_GUIDE := notebooks $(BOOK_NOTEBOOKS)
notebooks: $(VENV)/.test-installed
	$(call timed,notebooks,$(NBVAL) $(CHAPTERS_AND_GUIDE))

notebooks-baseline: $(VENV)/.test-installed
	$(call timed,notebooks-baseline,NPY_DISABLE_CPU_FEATURES="$(BASELINE_KERNELS)" \
		$(NBVAL) $(CHAPTERS_AND_GUIDE))

# `make students`: the copies to hand out (dist/student, outputs cleared), run top to bottom.
students: $(VENV)/.test-installed
	rm -rf dist/student
	$(PY) -m llmhistory.book.student notebooks --out dist/student
	$(BIN)/pytest -q -p no:cacheprovider --nbval-lax dist/student/*.ipynb -n 2 --dist loadfile

build-strict: $(VENV)/.test-installed $(MATHJAX) toc
	$(call timed,build-strict,rm -rf $(HTML) $(BUILD)/.doctrees $(BUILD)/jupyter_execute \
		&& $(BIN)/jupyter-book build . $(JB_FLAGS) --path-output . -W -n --keep-going)
	@echo "Book built: $(CURDIR)/$(HTML)/index.html"

# Browser tests of the built book (headless system Chromium through Playwright).
browser: $(VENV)/.test-installed build-strict
	$(call timed,browser,$(BIN)/pytest -q -p no:cacheprovider -p no:nbval tests/browser)

# Every relative link and #fragment in the built HTML resolves (offline; external links are
# listed, not fetched).
linkcheck: $(VENV)/.test-installed
	@test -f $(HTML)/index.html || { echo "build the book first: make build-strict"; exit 1; }
	$(PY) scripts/linkcheck.py $(HTML)

# Build times and page weights (a benchmark that prints figures, not a test).
metrics: $(VENV)/.test-installed $(MATHJAX)
	$(PY) benchmarks/book_metrics.py

# ---- authoring -------------------------------------------------------------------------
outputs: $(VENV)/.test-installed
	$(PY) scripts/run_notebooks.py notebooks $(BOOK_NOTEBOOKS)

# Re-train the shipped tiny model and its draft model (PyTorch, CPU build); reproduces
# src/llmhistory/tiny/data byte for byte.
# Then the golden logits the unit tests compare against, and the live PyTorch equivalence tests.
train: $(VENV)/.test-installed
	$(PY) -m pip install --quiet 'torch==2.13.0' || $(PY) -m pip install --quiet -e '.[train]'
	$(PY) scripts/train_tiny.py
	$(PY) scripts/train_draft.py
	$(PY) scripts/golden_logits.py
	$(BIN)/pytest -q -p no:cacheprovider -m torch --ignore=tests/browser tests

bench: $(VENV)/.book-installed
	$(PY) -m llmhistory.tiny.bench

serve:
	@test -f $(HTML)/index.html || $(MAKE) book
	@echo "Serving $(HTML) on http://127.0.0.1:8000 (Ctrl-C to stop)"
	$(PYTHON) -m http.server 8000 --bind 127.0.0.1 --directory $(HTML)

clean:
	rm -rf $(BUILD) $(BUILD).log .cache .pytest_cache .ruff_cache .hypothesis .coverage
