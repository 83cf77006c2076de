# make timeline-test: nbval on the timeline appendix page (book/timeline.ipynb), which
# `make notebooks` does not collect (it runs notebooks/ and the instructor guide). Until the
# lead adds the page to CHAPTERS_AND_GUIDE in the Makefile, run this after changing
# llmhistory.concepts.timeline or its figure. ~15 s on a busy 2-core machine.
.PHONY: timeline-test

timeline-test: $(VENV)/.test-installed
	$(call timed,timeline-test,$(BIN)/pytest -q -p no:cacheprovider --nbval \
		--nbval-sanitize-with $(NBVAL_SANITIZE) -n 0 book/timeline.ipynb)
