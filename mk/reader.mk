# make reader: the reader copies of the chapters that Colab opens, committed in reader/notebooks.
#
# Colab opens a notebook only from a repository (colab.research.google.com/github/<org>/<repo>/
# blob/<branch>/<path>); the chapters themselves are MyST ({glue:text} numbers, {cite:p}
# citations, dropdown solutions) that Colab shows as raw markup. So the book's Colab buttons open
# reader/notebooks/NN_x.ipynb (llmhistory.book.launch), rendered by python -m
# llmhistory.book.reader: numbers, author-year citations with a reference list, solutions
# collapsed. A copy is rendered again when its chapter, the bibliography or the renderer changes;
# tests/test_reader.py fails while one is out of date. Binder renders in place (binder/postBuild).
#   make reader         write the out-of-date copies (commit reader/ with the chapter)
#   make reader-check   exit 1 if a copy is missing or out of date (~1 s)
.PHONY: reader reader-check

READER_DIR    := reader/notebooks
READER_COPIES := $(patsubst notebooks/%,$(READER_DIR)/%,$(wildcard notebooks/[0-9][0-9]_*.ipynb))

$(READER_DIR)/%.ipynb: notebooks/%.ipynb book/references.bib src/llmhistory/book/reader.py \
		| $(VENV)/.book-installed
	$(PY) -m llmhistory.book.reader $< --out $(READER_DIR)

reader: $(READER_COPIES)

reader-check: | $(VENV)/.book-installed
	$(PY) -m llmhistory.book.reader notebooks --out $(READER_DIR) --check
