# boligdata: the two commands are `make report` and `make test`.
# Needs only Python 3.11 and make; everything else installs into .venv from pyproject.toml.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help setup ingest report test lab clean browser

## help      list the targets (this text); `make` alone does the same
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed -e 's/^## /  make /'

# The environment is rebuilt whenever pyproject.toml or constraints.txt is newer than the last install.
# constraints.txt pins the versions CI tests: pyproject.toml's lower bounds.
# Quiet on success (pip's -qq still prints errors); a failed install shows pip's own message.
$(STAMP): pyproject.toml constraints.txt
	@echo "setting up $(VENV) from pyproject.toml (a minute or two the first time)"
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -qq --upgrade pip
	@$(BIN)/python -m pip install -qq -c constraints.txt -e '.[lab,pdf,test]'
	@# pip compiles what it installs but not an editable package's own modules; compile them once,
	@# so no process has to (Python would write them itself, unless PYTHONDONTWRITEBYTECODE is set).
	@$(BIN)/python -m compileall -q boligdata
	@touch $(STAMP)
	@echo "$(VENV) is ready"

## setup     create .venv from pyproject.toml (again when pyproject.toml changes)
setup: $(STAMP)

## ingest    read raw/ into processed/ (tidy parquet tables and a manifest)
ingest: $(STAMP)
	$(BIN)/boligdata ingest

## report    set up, ingest the bundled sample and build every committee report, HTML and PDF (lists the files)
report: $(STAMP) browser
	$(BIN)/boligdata ingest
	$(BIN)/boligdata report --all --quarter 2020Q3 --pdf
	$(BIN)/boligdata report --all --quarter 2024Q4 --templates helhedsplan --pdf

## test      set up and run the whole suite (unit tests, doctests, notebooks, browser)
test: $(STAMP) browser
	$(BIN)/python -m pytest

# The PDFs and the browser test use Debian's Chromium; install it where it is missing and we
# may (root with apt-get). Elsewhere the PDFs are left out and the browser test is skipped, saying why.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  echo "note: chromium is not installed; no PDFs, and the browser test will be skipped"

## lab       open JupyterLab on notebooks/ in the project environment
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks

## clean     remove generated files (processed/, reports/), keep raw/ and .venv
clean:
	find processed reports -mindepth 1 ! -name .gitkeep -delete
