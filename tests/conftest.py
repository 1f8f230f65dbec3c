"""Shared fixtures: one strict build of the book per test session; a greyscale photograph; the
small batch-norm network of the activation tests; a table of transfer results for the figure and
the explorer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from activation_nets import make_batch, make_trained
from torch import nn

from cnnlib.data import sample_image

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


@pytest.fixture(scope="module")
def cat() -> torch.Tensor:
    """Chelsea the cat, greyscale, 48 pixels high: the photograph of the explorer tests."""
    return sample_image("chelsea", size=48, grayscale=True)


@pytest.fixture(scope="module")
def batch() -> tuple[torch.Tensor, torch.Tensor]:
    """Images of three classes that differ in brightness, and their labels."""
    return make_batch()


@pytest.fixture(scope="module")
def trained(batch) -> nn.Sequential:
    """A small network with batch normalisation, trained on ``batch`` (in evaluation mode)."""
    return make_trained(batch)


@pytest.fixture
def results() -> pd.DataFrame:
    """Accuracies of two transfer strategies for 1, 3 and 10 labels per class, two seeds each."""
    rng = np.random.default_rng(0)
    rows = [dict(strategy=s, labels_per_class=k, seed=seed, accuracy=float(rng.uniform()))
            for s in ("from scratch", "linear head") for k in (1, 3, 10) for seed in (0, 1)]
    return pd.DataFrame(rows)
