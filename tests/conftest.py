"""Shared fixtures: one strict build of the book per test session."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the book strictly (-W: any Sphinx warning is an error; -n: nitpicky references)."""
    out = tmp_path_factory.mktemp("site")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")  # the one in this environment
    command = [
        str(jupyter_book), "build", str(ROOT),
        "--path-output", str(out), "-W", "-n", "--keep-going",
    ]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, f"strict book build failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    return out / "_build" / "html"
