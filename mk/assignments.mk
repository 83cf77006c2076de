# Autograded assignments in nbgrader's format (llmhistory.book.assessment; assignments/README.md).
#   make assignments [CHAPTERS="02 06"]   instructor sources (each answer key checked: its
#                                         solutions pass its hidden tests, a blank notebook
#                                         fails them) + student releases in $(COURSE)
#   make grade ASSIGNMENT=ch02 SUBMISSIONS=path/to/folder
#                                         grade a folder of submissions: CSV gradebook + feedback
#   make assessment-test                  the sample class (three synthetic students) end to
#                                         end, and every chapter's answer key in a kernel
COURSE      ?= dist/course
ASSIGNMENT  ?=
SUBMISSIONS ?=
ASSESS      := $(PY) -m llmhistory.book.assessment

.PHONY: assignments grade assessment-test

$(VENV)/.grade-installed: pyproject.toml $(wildcard $(LOCK)) | $(PY)
	$(PY) -m pip install --quiet $(CONSTRAINT) -e '.[grade]'
	@touch $@

assignments: $(VENV)/.book-installed $(VENV)/.grade-installed
	rm -rf $(COURSE)/source $(COURSE)/release
	$(ASSESS) build --course $(COURSE) $(if $(strip $(CHAPTERS)),--chapters $(CHAPTERS))
	@echo "answer keys: $(COURSE)/source/chNN/   student releases: $(COURSE)/release/chNN/"

grade: $(VENV)/.grade-installed
	@test -n "$(ASSIGNMENT)" -a -n "$(SUBMISSIONS)" || { echo "usage: make grade ASSIGNMENT=ch02 SUBMISSIONS=folder"; exit 1; }
	$(ASSESS) grade --course $(COURSE) --assignment $(ASSIGNMENT) $(SUBMISSIONS)

assessment-test: $(VENV)/.test-installed
	$(call timed,assessment,$(BIN)/pytest -q -rP -p no:cacheprovider tests/test_assessment_class.py)

# `make book SOLUTIONS=none` builds a course site without the exercises' solutions
# (book/_ext/solutions.py reads LLMHISTORY_SOLUTIONS); the default shows them collapsed.
SOLUTIONS ?= show
export LLMHISTORY_SOLUTIONS := $(SOLUTIONS)
