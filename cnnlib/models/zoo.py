"""Every network the book trains on Fashion-MNIST, as its chapter configures it, in one catalogue.

The appendix "Every model on Fashion-MNIST" trains each of them with one recipe
(``benchmarks/model_table.py``) and sets them side by side with published results.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from torch import nn

from cnnlib._checks import check_choice
from cnnlib.models.branches import (
    SmallDenseNet,
    SmallGoogLeNet,
    SmallMobileNetV2,
    SmallNiN,
    SmallResNeXt,
)
from cnnlib.models.classic import (
    MLP,
    LeNet5,
    SmallCNN,
    SmallVGG,
    SubsamplingCNN,
    batch_norm_cnn,
    gap_cnn,
)
from cnnlib.models.modern import SmallConvNeXt, SmallEfficientNet
from cnnlib.models.resnet import SmallResNet

__all__ = ["ZooEntry", "book_models", "build", "measured"]

#: The runs of ``benchmarks/model_table.py`` that ship with cnnlib (see :func:`measured`).
MEASURED = Path(__file__).with_name("zoo_fashion_mnist.csv")


@dataclass(frozen=True)
class ZooEntry:
    """One network of the catalogue: its name, its chapter, how to build it and its input side.

    ``image_size`` is 28 for Fashion-MNIST's own images, or 32 for the networks whose chapter
    reads them padded by two pixels of background on each side (the LeNet-5 family, as in 1998,
    and the small networks of chapters "Branches, bottlenecks and dense connections" and
    "EfficientNet and ConvNeXt"). ``shipped`` marks a network
    that the book does not train with the table's recipe but ships trained (chapter "Transfer
    learning"'s backbone, made by ``tools/pretrain_backbone.py``): the table reports the accuracy
    recorded in its checkpoint. Introduced in appendix "Every model on Fashion-MNIST".

    Examples:
        >>> import torch
        >>> from cnnlib.models.zoo import ZooEntry
        >>> entry = ZooEntry("tiny", "Why convolutions?", lambda: torch.nn.Linear(28 * 28, 10))
        >>> entry.image_size, entry.shipped, entry.build().out_features
        (28, False, 10)
    """

    name: str
    chapter: str
    build: Callable[[], nn.Module]
    image_size: int = 28
    shipped: bool = False


def _backbone() -> nn.Module:
    """A fresh network of the backbone's configuration (read from its checkpoint)."""
    from cnnlib.checkpoint import pretrained_fashion_backbone

    _, record = pretrained_fashion_backbone()
    return SmallResNet(**record["config"])


_LENET = "LeNet-5, AlexNet and VGG"
_BRANCHES = "Branches, bottlenecks and dense connections"
_ENTRIES = (
    ZooEntry("MLP", "Why convolutions?", lambda: MLP(28 * 28, [256], 10)),
    ZooEntry("small CNN", "Why convolutions?",
             lambda: SmallCNN(channels=(16, 32), head="flatten", image_size=28)),
    ZooEntry("CNN, max pooling", "Pooling", lambda: SubsamplingCNN("max")),
    ZooEntry("CNN, strided convolution", "Pooling", lambda: SubsamplingCNN("strided")),
    ZooEntry("CNN, max + blur pooling", "Pooling", lambda: SubsamplingCNN("blur")),
    ZooEntry("LeNet-5 (1998: tanh, average pooling)", _LENET,
             lambda: LeNet5(style="original"), 32),
    ZooEntry("LeNet-5 (ReLU, max pooling)", _LENET, lambda: LeNet5(style="modern"), 32),
    ZooEntry("LeNet-5 (ReLU, dropout)", _LENET, lambda: LeNet5(dropout=0.5), 32),
    ZooEntry("small VGG", _LENET,
             lambda: SmallVGG(1, 10, channels=(8, 16, 32), convs_per_stage=2, hidden=64,
                              dropout=0.5, image_size=32), 32),
    ZooEntry("CNN without batch norm", "Batch normalisation", lambda: batch_norm_cnn(False)),
    ZooEntry("CNN with batch norm", "Batch normalisation", lambda: batch_norm_cnn(True)),
    ZooEntry("CNN, batch norm after the ReLU", "Batch normalisation",
             lambda: batch_norm_cnn(True, placement="after")),
    ZooEntry("plain-8", "ResNet",
             lambda: SmallResNet(widths=(8, 16, 32), blocks_per_stage=1, residual=False,
                                 stem_stride=2)),
    ZooEntry("ResNet-8", "ResNet",
             lambda: SmallResNet(widths=(8, 16, 32), blocks_per_stage=1, stem_stride=2)),
    ZooEntry("plain-32", "ResNet",
             lambda: SmallResNet(widths=(8, 16, 32), blocks_per_stage=5, residual=False,
                                 stem_stride=2)),
    ZooEntry("ResNet-32", "ResNet",
             lambda: SmallResNet(widths=(8, 16, 32), blocks_per_stage=5, stem_stride=2)),
    # The small networks of chapter "Branches, bottlenecks and dense connections", as it builds
    # them (its own code builds them from here); its reference, the "small ResNet", is
    # ResNet-8 above on 32x32 images.
    ZooEntry("small NiN", _BRANCHES, lambda: SmallNiN(1, 10), 32),
    ZooEntry("small GoogLeNet", _BRANCHES,
             lambda: SmallGoogLeNet(  # one Inception block a stage
                 1, 10, stages=(((8, 12, 16, 4, 8, 8),), ((24, 16, 32, 4, 12, 12),))), 32),
    ZooEntry("small DenseNet", _BRANCHES, lambda: SmallDenseNet(1, 10), 32),
    ZooEntry("small ResNeXt", _BRANCHES,
             lambda: SmallResNeXt(  # narrower than the default
                 1, 10, planes=(4, 8, 16), width_per_group=32, stem_channels=16), 32),
    ZooEntry("small MobileNetV2", _BRANCHES,
             lambda: SmallMobileNetV2(  # one inverted residual a stage
                 1, 10, settings=((1, 8, 1, 1), (6, 16, 1, 2), (6, 24, 1, 2))), 32),
    ZooEntry("small EfficientNet", "EfficientNet and ConvNeXt",
             lambda: SmallEfficientNet(1, 10, widths=(16, 24, 40), expand_ratio=4,
                                       head_channels=128), 32),
    ZooEntry("small ConvNeXt", "EfficientNet and ConvNeXt",
             lambda: SmallConvNeXt(1, 10, widths=(16, 32, 64), patch_size=4), 32),
    ZooEntry("ResNet backbone (pretrained)", "Transfer learning", _backbone, shipped=True),
    ZooEntry("GAP CNN", "What a trained network sees", gap_cnn),
)


def book_models(chapter: str | None = None) -> dict[str, ZooEntry]:
    """The catalogue, by name, in reading order; only one chapter's networks if ``chapter`` is given.

    Introduced in appendix "Every model on Fashion-MNIST".

    Raises:
        TypeError: if ``chapter`` is not a string.
        ValueError: if no network of the catalogue comes from ``chapter``.

    Examples:
        >>> from cnnlib.models.zoo import book_models
        >>> list(book_models("ResNet"))
        ['plain-8', 'ResNet-8', 'plain-32', 'ResNet-32']
        >>> list(book_models("Branches, bottlenecks and dense connections"))
        ['small NiN', 'small GoogLeNet', 'small DenseNet', 'small ResNeXt', 'small MobileNetV2']
        >>> entry = book_models()["small VGG"]
        >>> entry.chapter, entry.image_size
        ('LeNet-5, AlexNet and VGG', 32)
    """
    entries = {entry.name: entry for entry in _ENTRIES}
    if chapter is None:
        return entries
    chapters = tuple(dict.fromkeys(entry.chapter for entry in _ENTRIES))
    chapter = check_choice("chapter", chapter, chapters)
    return {name: entry for name, entry in entries.items() if entry.chapter == chapter}


def build(name: str) -> nn.Module:
    """A freshly initialised network of the catalogue, by name (draws from torch's generator).

    Introduced in appendix "Every model on Fashion-MNIST".

    Raises:
        TypeError: if ``name`` is not a string.
        ValueError: if ``name`` is not in the catalogue.

    Examples:
        >>> import torch
        >>> from cnnlib.models import zoo
        >>> model = zoo.build("LeNet-5 (ReLU, max pooling)")
        >>> model(torch.zeros(2, 1, 32, 32)).shape
        torch.Size([2, 10])
    """
    entries = book_models()
    return entries[check_choice("name", name, tuple(entries))].build()


def measured() -> pd.DataFrame:
    """The runs behind the appendix's table: every network of the catalogue on Fashion-MNIST.

    One row per network and seed, as ``benchmarks/model_table.py`` wrote them: ``model``,
    ``chapter``, ``seed``, ``accuracy`` (on all 10,000 test images), ``epochs``,
    ``epoch_seconds`` (one epoch of training, timed alone on the machine), ``params``, ``macs``
    (per image), and the ``device``, ``threads`` and ``torch`` version of the runs. Every network
    of the catalogue is there but the ``shipped`` one, whose checkpoint records its own training.
    The file ships with cnnlib, so the table reads the same everywhere; rerun the script to
    measure on your machine. Introduced in appendix "Every model on Fashion-MNIST".

    Examples:
        >>> from cnnlib.models import zoo
        >>> runs = zoo.measured()
        >>> trained = [name for name, entry in zoo.book_models().items() if not entry.shipped]
        >>> list(dict.fromkeys(runs["model"])) == trained
        True
        >>> bool(runs["accuracy"].between(0, 1).all())
        True
    """
    return pd.read_csv(MEASURED)
