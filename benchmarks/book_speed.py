"""The book's speed: run every notebook and build the site, and print a table.

Usage: python benchmarks/book_speed.py [--markdown]

For each notebook in chapters/ and appendix/: wall time of a top-to-bottom run in a fresh kernel and the
kernel's peak memory (resident set size); then the total, and the time of a site build
(`jupyter-book build`, from the stored outputs). The notebooks are run on copies in memory: the
repository's notebooks are not changed. Targets on 2 CPU cores: every notebook under 90 s and
3 GB, the whole book under 10 minutes, the site build under 60 s.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Run in a child process so that the kernel is its child: RUSAGE_CHILDREN then holds the peak
# memory of that kernel alone.
RUNNER = r"""
import json, resource, sys, time
import nbformat
from nbclient import NotebookClient
path = sys.argv[1]
notebook = nbformat.read(path, as_version=4)
start = time.perf_counter()
NotebookClient(notebook, kernel_name="python3", timeout=600,
               resources={"metadata": {"path": str(__import__("pathlib").Path(path).parent)}}).execute()
seconds = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
print(json.dumps({"seconds": seconds, "peak_mb": peak_kib / 1024}))
"""


def run_notebook(path: Path) -> dict[str, float]:
    """Seconds and peak kernel memory (MB) of one top-to-bottom run."""
    result = subprocess.run(
        [sys.executable, "-c", RUNNER, str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def build_seconds() -> float:
    """Seconds of a fresh site build from the stored outputs."""
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run(
            [str(jupyter_book), "build", str(ROOT), "--path-output", out],
            capture_output=True, check=True,
        )
        return time.perf_counter() - start


def main() -> None:
    markdown = "--markdown" in sys.argv
    rows = []
    for path in sorted(ROOT.glob("chapters/*.ipynb")) + sorted(ROOT.glob("appendix/*.ipynb")):
        figures = run_notebook(path)
        rows.append((path.name, figures["seconds"], figures["peak_mb"]))
        print(f"ran {path.name}", file=sys.stderr)
    total = sum(seconds for _, seconds, _ in rows)
    build = build_seconds()
    cpu = platform.processor() or platform.machine()
    print(f"Machine: {os.cpu_count()} CPU cores ({cpu}), Python {platform.python_version()}")
    if markdown:
        print("\n| Notebook | Wall time (s) | Peak memory (MB) |\n| --- | ---: | ---: |")
        for name, seconds, peak in rows:
            print(f"| `{name}` | {seconds:.1f} | {peak:.0f} |")
        print(f"| **all notebooks** | **{total:.1f}** | |")
        print(f"| site build | {build:.1f} | |")
    else:
        print(f"{'notebook':40s} {'seconds':>8s} {'peak MB':>8s}")
        for name, seconds, peak in rows:
            print(f"{name:40s} {seconds:8.1f} {peak:8.0f}")
        print(f"{'all notebooks':40s} {total:8.1f}")
        print(f"{'site build':40s} {build:8.1f}")


if __name__ == "__main__":
    main()
