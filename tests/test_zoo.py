"""The catalogue of the book's networks, its stored runs and the script that measures them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import torch

from cnnlib import arithmetic
from cnnlib.models import zoo

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", list(zoo.book_models()))
def test_every_network_classifies_fashion_mnist_images(name: str) -> None:
    entry = zoo.book_models()[name]
    side = entry.image_size
    assert side in (28, 32)
    model = zoo.build(name).eval()
    assert model(torch.zeros(3, 1, side, side)).shape == (3, 10)


def test_build_gives_fresh_weights_each_time() -> None:
    torch.manual_seed(0)
    a, b = zoo.build("LeNet-5 (ReLU, max pooling)"), zoo.build("LeNet-5 (ReLU, max pooling)")
    assert not torch.equal(next(a.parameters()), next(b.parameters()))


def test_chapter_filter_keeps_reading_order() -> None:
    everything = list(zoo.book_models())
    for chapter in {entry.chapter for entry in zoo.book_models().values()}:
        names = list(zoo.book_models(chapter))
        assert names and names == [n for n in everything if n in names]


def test_chapters_are_named_by_their_titles() -> None:
    """Each entry's chapter is the title (the first heading) of a chapter of the book."""
    import nbformat

    titles = set()
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        headings = [line[2:].strip() for cell in notebook.cells if cell.cell_type == "markdown"
                    for line in cell.source.splitlines() if line.startswith("# ")]
        titles.add(headings[0])
    assert {entry.chapter for entry in zoo.book_models().values()} <= titles


def test_clear_errors() -> None:
    with pytest.raises(ValueError, match="name must be one of"):
        zoo.build("AlexNet")
    with pytest.raises(TypeError, match="name must be one of"):
        zoo.build(3)
    with pytest.raises(ValueError, match="chapter must be one of"):
        zoo.book_models("Transformers")


def trained_here() -> dict[str, zoo.ZooEntry]:
    """The networks the table trains (all but the shipped backbone)."""
    return {name: entry for name, entry in zoo.book_models().items() if not entry.shipped}


def test_the_shipped_network_is_the_transfer_chapters_backbone() -> None:
    from cnnlib.checkpoint import pretrained_fashion_backbone

    shipped = [entry for entry in zoo.book_models().values() if entry.shipped]
    assert [entry.chapter for entry in shipped] == ["Transfer learning"]
    backbone, _ = pretrained_fashion_backbone()
    fresh = shipped[0].build()
    assert [p.shape for p in fresh.parameters()] == [p.shape for p in backbone.parameters()]


def test_stored_runs_match_the_catalogue_and_the_code() -> None:
    """A network changed in the catalogue (or in cnnlib) fails here until the table is remeasured."""
    runs = zoo.measured()
    assert list(runs.columns) == ["model", "chapter", "seed", "accuracy", "epochs", "epoch_seconds",
                                  "timed_on", "params", "macs", "device", "threads", "torch"]
    assert list(dict.fromkeys(runs["model"])) == list(trained_here())
    assert all(sorted(seeds) == [0, 1, 2] for _, seeds in runs.groupby("model")["seed"])
    assert not runs.duplicated(["model", "seed"]).any()
    assert runs["accuracy"].between(0.5, 1.0).all() and (runs["epoch_seconds"] > 0).all()
    # one machine timed every network; each network was trained in one environment (the
    # networks added later may have been trained in another than the first ones)
    assert runs[["threads", "epochs", "timed_on"]].nunique().eq(1).all()
    assert runs.groupby("model")[["device", "torch"]].nunique().eq(1).all().all()
    for name, entry in trained_here().items():
        count = arithmetic.count_macs(entry.build(), (1, entry.image_size, entry.image_size))
        rows = runs[runs["model"] == name]
        assert (rows["params"] == count.params).all() and (rows["macs"] == count.total).all(), name
        assert (rows["chapter"] == entry.chapter).all() and rows["epoch_seconds"].nunique() == 1, name


def test_the_script_trains_times_and_replaces_rows(tmp_path: Path) -> None:
    """One cheap network: a run, a timing, and a second run that replaces the first one's row."""
    out = tmp_path / "runs.csv"
    command = [sys.executable, str(ROOT / "benchmarks" / "model_table.py"), "--model", "MLP",
               "--seed", "0", "--out", str(out), "--device", "cpu"]
    timing = subprocess.run(command + ["--timing"], capture_output=True, text=True, timeout=600)
    assert timing.returncode != 0 and "train the networks before timing" in timing.stderr
    for extra in ([], ["--timing"], []):
        subprocess.run(command + extra, check=True, capture_output=True, text=True, timeout=600)
    runs = pd.read_csv(out)
    assert list(runs["model"]) == ["MLP"] and list(runs["seed"]) == [0]
    assert runs["accuracy"].iloc[0] > 0.8  # an MLP learns Fashion-MNIST's classes
    assert runs["epoch_seconds"].iloc[0] > 0
