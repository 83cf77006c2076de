# make pdf: the whole book as one PDF (_build/pdf/llmhistory.pdf), printed by headless Chromium.
#
# Sphinx's singlehtml builder makes one page of the intro, every chapter, the instructor guide
# and the bibliography (the API reference stays on the web: llmhistory.book.pdf.pdf_toc); then
# Chromium prints it with page numbers, each chapter on a new page, solutions and
# interactive-only panels left out (llmhistory.book.pdf). Measured on the shared 2-core machine:
# 3 to 7 min in all (the single-page build; printing ~45 s); 194 A4 pages, 8.5 MB (16 chapters and the timeline; 2026-12-02).
#   make pdf-test   the PDF's checks (page count, chapter titles, fonts, no ?? references)
.PHONY: pdf pdf-test

PDF_DIR := $(BUILD)/pdf
PDF     := $(PDF_DIR)/llmhistory.pdf

pdf: $(VENV)/.test-installed $(MATHJAX) toc
	rm -rf $(PDF_DIR)/_build
	$(PY) -m llmhistory.book.pdf toc $(TOC) --out $(PDF_DIR)/_toc.yml
	$(BIN)/jupyter-book build . --config book/_config.yml --toc $(PDF_DIR)/_toc.yml \
		--path-output $(PDF_DIR) --builder custom --custom-builder singlehtml \
		>$(PDF_DIR)/build.log 2>&1 || { cat $(PDF_DIR)/build.log; exit 1; }
	$(PY) -m llmhistory.book.pdf print $(PDF_DIR)/_build/singlehtml/$(shell \
		$(PY) -c 'import yaml,sys; print(yaml.safe_load(open(sys.argv[1]))["root"])' $(TOC)).html \
		--out $(PDF)
	@if [ -d $(HTML) ]; then cp $(PDF) $(HTML)/llmhistory.pdf; fi
	@echo "PDF: $(CURDIR)/$(PDF)"

pdf-test: $(VENV)/.test-installed
	@test -f $(PDF) || { echo "build the PDF first: make pdf"; exit 1; }
	$(PY) -m pip install --quiet $(CONSTRAINT) pypdf
	LLMH_SLOW=1 LLMH_PDF=$(PDF) $(BIN)/pytest -q -p no:cacheprovider tests/slow/test_pdf.py
