"""Execute notebooks top to bottom in a fresh kernel and store their outputs in place.

Usage: python tools/execute_notebooks.py chapters/*.ipynb

The site is built from these stored outputs, and nbval compares fresh runs against them, so run
this after every change to a notebook or to the cnnlib code it uses. Each notebook runs with its
own folder as the working directory, as it does in Jupyter and under nbval; cell timing metadata
is not recorded, so re-running an unchanged notebook leaves a small diff.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path: Path) -> float:
    """Run the notebook at ``path`` in place and return the seconds it took."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=600,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    nbformat.write(notebook, path)
    return seconds


def main(paths: list[str]) -> None:
    if not paths:
        raise SystemExit(__doc__)
    for name in paths:
        seconds = execute(Path(name))
        print(f"{name}: executed in {seconds:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
