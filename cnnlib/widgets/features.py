"""Explorer for a trained CNN: pick an image and a layer; see the prediction and the feature maps."""

from __future__ import annotations

import ipywidgets as widgets
import torch
from matplotlib.figure import Figure
from torch import Tensor, nn

from cnnlib._checks import check_batch, check_module
from cnnlib.activations import layer_output, map_layers
from cnnlib.plot.features import show_feature_maps
from cnnlib.train import eval_mode, model_device
from cnnlib.widgets._explorer import Explorer


class FeatureMapExplorer(Explorer):
    """The explorer :func:`feature_map_explorer` returns: a model's prediction and one layer's maps.

    Controls: ``index`` (the example of ``images``) and ``layer`` (a qualified layer name). The
    ``summary`` reports the true class (when ``labels`` are given), the prediction with its
    probability and the shape of the layer's maps; the ``picture`` is
    :func:`cnnlib.plot.show_feature_maps` for that example and layer. Introduced in chapter
    "LeNet-5, AlexNet and VGG".

    Raises:
        TypeError: if ``model`` is not an ``nn.Module`` or ``images`` not a tensor.
        ValueError: if ``images`` is not a non-empty 4-D batch, ``labels`` does not match it, or a
            name in ``layers`` is not a layer that outputs feature maps.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.widgets import FeatureMapExplorer
        >>> model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(72, 3))
        >>> explorer = FeatureMapExplorer(model, torch.rand(2, 1, 8, 8))
        >>> explorer.layer.options
        ('0', '1')
        >>> explorer.layer.value = "1"
        >>> explorer.summary.value.split("; ")[1]
        '1: 2 maps of 6×6'
    """

    def __init__(
        self, model: nn.Module, images: Tensor, labels: Tensor | None = None, layers: list[str] | None = None
    ) -> None:
        self.model = check_module("model", model)
        self.images = check_batch(images, labels)
        self.labels = labels
        available = map_layers(model, images[0])
        layers = available if layers is None else list(layers)
        unknown = [name for name in layers if name not in available]
        if unknown or not layers:
            raise ValueError(
                f"layers must be among the layers that output feature maps {available}, got {layers}"
            )
        super().__init__([
            {"index": widgets.IntSlider(value=0, min=0, max=len(images) - 1, description="example"),
             "layer": widgets.Dropdown(options=layers, value=layers[0], description="layer")},
        ], dpi=70)

    def compute(self) -> tuple[str, Figure | None]:
        """Predict the chosen example; describe the prediction and the layer's maps, and draw them."""
        image = self.images[self.index.value]
        with eval_mode(self.model), torch.no_grad():
            probabilities = self.model(image.unsqueeze(0).to(model_device(self.model))).softmax(dim=1)[0]
        predicted = int(probabilities.argmax())
        truth = f"true class {int(self.labels[self.index.value])}, " if self.labels is not None else ""
        channels, height, width = layer_output(self.model, image.unsqueeze(0), self.layer.value)[0].shape
        summary = (
            f"example {self.index.value}: {truth}predicted {predicted} "
            f"(probability {float(probabilities[predicted]):.2f}); "
            f"{self.layer.value}: {channels} maps of {height}×{width}"
        )
        return summary, show_feature_maps(self.model, image, self.layer.value)


def feature_map_explorer(
    model: nn.Module,
    images: Tensor,
    labels: Tensor | None = None,
    layers: list[str] | None = None,
) -> FeatureMapExplorer:
    """An explorer: choose an example and a layer, see the model's prediction and the layer's maps.

    Returns a :class:`FeatureMapExplorer` (its controls, summary and picture are described there)
    for ``model`` on the batch ``images`` ``(N, C, H, W)``, with ``labels`` its true classes
    (optional); ``layers`` are qualified layer names (default: every layer that outputs feature
    maps, see :func:`cnnlib.activations.map_layers`). Works with ipywidgets 7 and 8. Introduced
    in chapter "LeNet-5, AlexNet and VGG".

    Raises:
        TypeError: if ``model`` is not an ``nn.Module`` or ``images`` not a tensor.
        ValueError: if ``images`` is not a non-empty 4-D batch, ``labels`` does not match it, or a
            name in ``layers`` is not a layer that outputs feature maps.

    Examples:
        >>> from cnnlib.data import load_digits
        >>> from cnnlib.models import SmallCNN
        >>> from cnnlib.widgets import feature_map_explorer
        >>> images, labels = load_digits(split="test")
        >>> explorer = feature_map_explorer(SmallCNN(), images[:4], labels[:4])
        >>> explorer.index.max, explorer.summary.value.startswith(f"example 0: true class {int(labels[0])}")
        (3, True)
    """
    return FeatureMapExplorer(model, images, labels, layers)
