# The tiny model in JavaScript (llmhistory/book/assets/tinymodel), for the live panels.
#   make jsmodel-test    the JS model against the Python one (node --test on fixtures written
#                        from the shipped files), then the live panels in headless Chromium
#   make jsmodel-bench   JS bundle size, model download, load / first token / tokens per second
#                        in Chromium next to NumPy (also run by `make bench`)
.PHONY: jsmodel-test jsmodel-bench

jsmodel-test: $(VENV)/.test-installed
	$(BIN)/pytest -q -p no:cacheprovider tests/test_live.py tests/test_live_js.py
	$(BIN)/pytest -q -p no:cacheprovider tests/browser/test_live_panels.py

jsmodel-bench: $(VENV)/.test-installed
	$(PY) benchmarks/live_model.py

bench: jsmodel-bench
