"""Explorer for batch normalisation: what a network predicts when it normalises with batch statistics."""

from __future__ import annotations

import ipywidgets as widgets
from torch import Tensor, nn

from cnnlib.activations import batch_norm_layers, train_mode_pass
from cnnlib.plot.activations import batch_statistics
from cnnlib.plot.images import figure_png

#: Batch sizes the explorer offers.
BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128)
#: How the explorer forms batches.
GROUPINGS = ("shuffled", "one class per batch")


def batch_norm_explorer(model: nn.Module, images: Tensor, labels: Tensor, channels: int = 8) -> widgets.VBox:
    """An explorer: run a trained network in training mode with batches of a chosen size and kind.

    Controls: the batch size, whether batches are shuffled or hold one class each, and which
    batch-norm layer to watch. The label reports the accuracy of the train-mode predictions
    (every batch normalised with its own statistics, as when ``model.eval()`` is forgotten)
    against evaluation mode, and how far the batches' means lie from the running means; the
    picture is ``cnnlib.plot.batch_statistics`` for that pass, rendered to PNG in
    an ``Image`` widget. The model itself is never changed (see
    ``cnnlib.activations.train_mode_pass``). Works with ipywidgets 7 and 8.
    Introduced in chapter "Batch normalisation".

    Raises:
        TypeError: if ``model`` is not an ``nn.Module``.
        ValueError: if the model holds no batch-norm layer, or ``images`` and ``labels`` do not
            form a batch (see ``cnnlib.activations.train_mode_pass``).

    Examples:
        >>> from torch import nn
        >>> from cnnlib.data import load_digits
        >>> from cnnlib.widgets import batch_norm_explorer
        >>> images, labels = load_digits(split="test")
        >>> model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.Flatten(), nn.Linear(512, 10))
        >>> explorer = batch_norm_explorer(model, images[:32], labels[:32])
        >>> type(explorer).__name__
        'VBox'
    """
    layers = batch_norm_layers(model)
    if not layers:
        raise ValueError("model must hold at least one BatchNorm2d layer, found none")
    train_mode_pass(model, images, labels, len(images))  # checks the arguments once, up front
    batch_size = widgets.Dropdown(options=list(BATCH_SIZES), value=64, description="batch size")
    grouping = widgets.ToggleButtons(options=list(GROUPINGS), value="shuffled", description="batches")
    layer = widgets.Dropdown(options=layers, value=layers[0], description="layer")
    summary = widgets.Label()
    picture = widgets.Image(format="png")

    def update(_: object = None) -> None:
        grouped = grouping.value == GROUPINGS[1]
        try:
            result = train_mode_pass(model, images, labels, batch_size.value, layer.value, grouped)
        except ValueError as error:  # e.g. a single value per channel in training mode
            summary.value = f"batch size {batch_size.value}: {error}"
            picture.value = b""
            return
        summary.value = (
            f"batch size {batch_size.value}, {grouping.value}: "
            f"train-mode accuracy {result.train_mode_accuracy:.1%} "
            f"(eval mode {result.eval_mode_accuracy:.1%}); "
            f"batch means off the running means by {result.mean_deviation:.2f} running std on average"
        )
        fig = batch_statistics({f"batch size {batch_size.value}, {grouping.value}": result}, channels=channels)
        picture.value = figure_png(fig, dpi=80)

    for control in (batch_size, grouping, layer):
        control.observe(update, names="value")
    update()
    return widgets.VBox([widgets.HBox([batch_size, layer]), grouping, summary, picture])
