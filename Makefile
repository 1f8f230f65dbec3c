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

# MathJax and the widget manager, served by the site itself so it works offline
# (_ext/offline_assets.py). Optional: without npm the site loads them from CDNs.
node_modules/.installed: package.json
	@if command -v npm >/dev/null; then \
		npm install --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the site will load MathJax and widgets from CDNs"; fi

## book: build the static site into _build/html (strict: any Sphinx warning is an error)
book: $(STAMP) node_modules/.installed
	$(BIN)/jupyter-book build . -W -n --keep-going

## test: unit tests, nbval over every notebook, and a strict build of the book
test: $(STAMP) node_modules/.installed
	$(BIN)/python -m pytest

## execute: re-run every notebook top to bottom in a fresh kernel and store its outputs
execute: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py chapters/*.ipynb

clean:
	rm -rf _build
