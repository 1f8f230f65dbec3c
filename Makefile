# Two commands for readers (see README): `make book` builds the site, `make test` runs every test.
# Both create the virtual environment .venv on first use and reinstall when the requirements change.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Tools started by Jupyter (the notebook kernel among them) must come from the environment.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: book test test-arithmetic execute upgrade check-newest check-oldest clean

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

# Another CPU's arithmetic: ATen, oneDNN and MKL held to AVX2 kernels, and one thread. Training
# gives other numbers than a native run (sums are taken in another order), and every notebook must
# pass nbval all the same: measured results are checked by asserted claims, not stored bytes
# (CONTRIBUTING.md, "Exact facts and measured results").
OTHER_ARITHMETIC := ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2 OMP_NUM_THREADS=1

## test-arithmetic: nbval over every notebook under another CPU's arithmetic
test-arithmetic: $(STAMP)
	$(OTHER_ARITHMETIC) $(BIN)/python -m pytest chapters appendix

## execute: re-run every notebook top to bottom in a fresh kernel and store its outputs
execute: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py chapters/*.ipynb appendix/*.ipynb

## upgrade: bring .venv to the newest releases the registry serves (CI's fresh .venv already is)
upgrade: $(STAMP)
	$(BIN)/python -m pip install --quiet --upgrade --upgrade-strategy eager -r requirements.txt
	$(BIN)/python tools/stack_report.py

## check-newest: the whole suite on the newest releases
check-newest: upgrade test

# The oldest supported stack (stacks/oldest.txt) in its own environment, without cnnlib: the
# notebooks' first cell installs it from this checkout, as it installs it from GitHub on Colab.
OLDEST := .venv-oldest
$(OLDEST)/.installed: stacks/oldest.txt
	rm -rf $(OLDEST)
	$(PYTHON) -m venv $(OLDEST)
	$(OLDEST)/bin/python -m pip install --quiet --upgrade pip
	$(OLDEST)/bin/python -m pip install --quiet -c stacks/oldest.txt \
		$$(grep -Eo '^[A-Za-z0-9_.-]+==' stacks/oldest.txt | tr -d '=') pytest nbval ipykernel
	touch $@

## check-oldest: every notebook with nbval on the oldest supported stack, cnnlib installed by the
## notebooks, under another CPU's arithmetic (so CI runs the notebooks in two numeric environments)
check-oldest: $(OLDEST)/.installed
	$(OLDEST)/bin/python -m pip uninstall --quiet --yes cnnlib
	$(OLDEST)/bin/python tools/stack_report.py
	$(OTHER_ARITHMETIC) PATH="$(abspath $(OLDEST))/bin:$$PATH" CNNLIB_SOURCE="file://$(CURDIR)" \
		PIP_CONSTRAINT="$(CURDIR)/stacks/oldest.txt" \
		$(OLDEST)/bin/python -m pytest chapters appendix
	$(OLDEST)/bin/python tools/stack_report.py

clean:
	rm -rf _build
