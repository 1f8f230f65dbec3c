# Two commands for readers (see README): `make book` builds the site, `make test` runs every test.
# Both create the virtual environment .venv on first use and reinstall when the requirements change.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Tools started by Jupyter (the notebook kernel among them) must come from the environment.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: book test execute clean

$(STAMP): pyproject.toml requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

## book: build the static site into _build/html (strict: any Sphinx warning is an error)
book: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going

## test: unit tests, nbval over every notebook, and a strict build of the book
test: $(STAMP)
	$(BIN)/python -m pytest

## execute: re-run every notebook top to bottom in a fresh kernel and store its outputs
execute: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py chapters/*.ipynb

clean:
	rm -rf _build
