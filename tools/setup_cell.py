"""The first cell of every chapter: install cnnlib where it is missing (Colab, Binder, a fresh
environment), from the repository named in _config.yml.

Usage: python tools/setup_cell.py [--write] chapters/*.ipynb

Without ``--write`` it prints the cell; with it, it makes the first code cell of each notebook
this cell (tagged ``remove-cell``, no outputs). tests/test_book.py checks every notebook
against :func:`setup_cell`.

The install runs pip in a subprocess and shows nothing unless it fails, so the cell's output is
the same with and without the install: `make check-oldest` runs the install path under nbval.
``CNNLIB_SOURCE`` (an environment variable) installs from elsewhere, such as a local checkout
(``file:///path/to/clone``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]

TEMPLATE = '''\
# Set-up for Colab and other fresh environments: install the book's support package, cnnlib,
# from the book's repository when it is missing. CNNLIB_SOURCE points elsewhere (a local checkout).
import importlib.util
import os
import subprocess
import sys

if importlib.util.find_spec("cnnlib") is None:
    CNNLIB_SOURCE = os.environ.get("CNNLIB_SOURCE", "git+{url}@{branch}")
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", f"cnnlib @ {{CNNLIB_SOURCE}}"],
        capture_output=True,
        text=True,
    )
    if pip.returncode != 0:
        raise RuntimeError(f"pip could not install cnnlib from {{CNNLIB_SOURCE}}:\\n{{pip.stderr}}")
    importlib.invalidate_caches()
import cnnlib'''


def setup_cell(config_path: Path = ROOT / "_config.yml") -> str:
    """The source of the set-up cell for the repository and branch in ``config_path``."""
    repository = yaml.safe_load(config_path.read_text())["repository"]
    return TEMPLATE.format(url=repository["url"], branch=repository["branch"])


def write(path: Path) -> None:
    """Make the first code cell of the notebook at ``path`` the set-up cell."""
    notebook = nbformat.read(path, as_version=4)
    first = next(c for c in notebook.cells if c.cell_type == "code")
    first.source = setup_cell()
    first.outputs = []
    tags = first.metadata.setdefault("tags", [])
    if "remove-cell" not in tags:
        tags.append("remove-cell")
    nbformat.write(notebook, path)


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--write"]:
        for name in args[1:]:
            write(Path(name))
    else:
        print(setup_cell())
