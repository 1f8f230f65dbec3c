"""Explorer for batch normalisation: what a network predicts when it normalises with batch statistics."""

from __future__ import annotations

import ipywidgets as widgets
from matplotlib.figure import Figure
from torch import Tensor, nn

from cnnlib.activations import TrainModePass, batch_norm_layers, train_mode_pass
from cnnlib.plot.activations import batch_statistics
from cnnlib.widgets._explorer import Explorer

#: Batch sizes the explorer offers.
BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128)
#: How the explorer forms batches.
GROUPINGS = ("shuffled", "one class per batch")


class BatchNormExplorer(Explorer):
    """The explorer :func:`batch_norm_explorer` returns: a trained network run in training mode.

    Controls: ``batch_size``, ``grouping`` (shuffled batches, or one class per batch) and
    ``layer`` (the batch-norm layer to watch). The ``summary`` reports the accuracy of the
    train-mode predictions (every batch normalised with its own statistics, as when
    ``model.eval()`` is forgotten) against evaluation mode, and how far the batches' means lie
    from the running means; the ``picture`` is :func:`cnnlib.plot.batch_statistics` for that
    pass, kept in ``result``. A setting PyTorch refuses (one value per channel) is reported in
    the summary, not raised. The model itself is never changed (see
    :func:`cnnlib.activations.train_mode_pass`). Introduced in chapter "Batch normalisation".

    Raises:
        TypeError: if ``model`` is not an ``nn.Module``.
        ValueError: if the model holds no batch-norm layer, or ``images`` and ``labels`` do not
            form a batch (see :func:`cnnlib.activations.train_mode_pass`).

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.widgets import BatchNormExplorer
        >>> model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(18, 3))
        >>> explorer = BatchNormExplorer(model, torch.randn(8, 1, 5, 5), torch.arange(8) % 3)
        >>> explorer.batch_size.value = 4
        >>> explorer.summary.value[:37]
        'batch size 4, shuffled: train-mode ac'
    """

    def __init__(self, model: nn.Module, images: Tensor, labels: Tensor, channels: int = 8) -> None:
        layers = batch_norm_layers(model)
        if not layers:
            raise ValueError("model must hold at least one BatchNorm2d layer, found none")
        train_mode_pass(model, images, labels, len(images))  # checks the arguments once, up front
        self.model, self.images, self.labels, self.channels = model, images, labels, channels
        self.result: TrainModePass | None = None
        super().__init__([
            {"batch_size": widgets.Dropdown(options=list(BATCH_SIZES), value=64, description="batch size"),
             "layer": widgets.Dropdown(options=layers, value=layers[0], description="layer")},
            {"grouping": widgets.ToggleButtons(options=list(GROUPINGS), value="shuffled", description="batches")},
        ])

    def compute(self) -> tuple[str, Figure | None]:
        """Run the train-mode pass for the current settings; describe and draw it."""
        setting = f"batch size {self.batch_size.value}, {self.grouping.value}"
        try:
            self.result = train_mode_pass(self.model, self.images, self.labels, self.batch_size.value,
                                          self.layer.value, self.grouping.value == GROUPINGS[1])
        except ValueError as error:  # e.g. a single value per channel in training mode
            self.result = None
            return f"batch size {self.batch_size.value}: {error}", None
        summary = (
            f"{setting}: train-mode accuracy {self.result.train_mode_accuracy:.1%} "
            f"(eval mode {self.result.eval_mode_accuracy:.1%}); batch means off the running means by "
            f"{self.result.mean_deviation:.2f} running std on average"
        )
        return summary, batch_statistics({setting: self.result}, channels=self.channels)


def batch_norm_explorer(model: nn.Module, images: Tensor, labels: Tensor, channels: int = 8) -> BatchNormExplorer:
    """An explorer: run a trained network in training mode with batches of a chosen size and kind.

    Returns a :class:`BatchNormExplorer` (its controls, summary and picture are described there)
    for ``model`` on the batch ``(images, labels)``, drawing the first ``channels`` channels.
    Works with ipywidgets 7 and 8. Introduced in chapter "Batch normalisation".

    Raises:
        TypeError: if ``model`` is not an ``nn.Module``.
        ValueError: if the model holds no batch-norm layer, or ``images`` and ``labels`` do not
            form a batch (see :func:`cnnlib.activations.train_mode_pass`).

    Examples:
        >>> from torch import nn
        >>> from cnnlib.data import load_digits
        >>> from cnnlib.widgets import batch_norm_explorer
        >>> images, labels = load_digits(split="test")
        >>> model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.Flatten(), nn.Linear(512, 10))
        >>> explorer = batch_norm_explorer(model, images[:32], labels[:32])
        >>> explorer.layer.options, explorer.batch_size.value
        (('1',), 64)
    """
    return BatchNormExplorer(model, images, labels, channels)
