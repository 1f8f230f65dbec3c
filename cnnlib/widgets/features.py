"""Explorer for a trained CNN: pick an image and a layer; see the prediction and the feature maps."""

from __future__ import annotations

import ipywidgets as widgets
import torch
from torch import Tensor, nn

from cnnlib._checks import check_module, check_tensor
from cnnlib.activations import layer_output, map_layers
from cnnlib.plot.features import show_feature_maps
from cnnlib.train import eval_mode, model_device
from cnnlib.plot.images import figure_png


def feature_map_explorer(
    model: nn.Module,
    images: Tensor,
    labels: Tensor | None = None,
    layers: list[str] | None = None,
) -> widgets.VBox:
    """An explorer: choose an example and a layer, see the model's prediction and the layer's maps.

    ``images`` is a batch ``(N, C, H, W)`` (``labels`` its true classes, optional); ``layers``
    are qualified layer names (default: every layer that outputs feature maps, see
    ``cnnlib.activations.map_layers``). The label under the controls reports the prediction and the shape of the
    maps; the picture under it is :func:`cnnlib.plot.show_feature_maps` rendered to PNG in an
    ``Image`` widget, so it needs no output capture from the front end. Works with ipywidgets 7
    and 8. Introduced in chapter "LeNet-5, AlexNet and VGG".

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
        >>> type(explorer).__name__
        'VBox'
    """
    model = check_module("model", model)
    images = check_tensor("images", images, 4, "(N, C, H, W)")
    if len(images) == 0:
        raise ValueError(f"images must be a non-empty (N, C, H, W) batch, got shape {tuple(images.shape)}")
    if labels is not None and len(labels) != len(images):
        raise ValueError(f"labels must have one entry per image ({len(images)}), got {len(labels)}")
    available = map_layers(model, images[0])
    layers = available if layers is None else list(layers)
    unknown = [name for name in layers if name not in available]
    if unknown or not layers:
        raise ValueError(
            f"layers must be among the layers that output feature maps {available}, got {layers}"
        )

    index = widgets.IntSlider(value=0, min=0, max=len(images) - 1, description="example")
    layer = widgets.Dropdown(options=layers, value=layers[0], description="layer")
    summary = widgets.Label()
    picture = widgets.Image(format="png")

    def update(_: object = None) -> None:
        image = images[index.value]
        with eval_mode(model), torch.no_grad():
            probabilities = model(image.unsqueeze(0).to(model_device(model))).softmax(dim=1)[0]
        predicted = int(probabilities.argmax())
        truth = f"true class {int(labels[index.value])}, " if labels is not None else ""
        maps = layer_output(model, image.unsqueeze(0), layer.value)[0]
        channels, height, width = maps.shape
        summary.value = (
            f"example {index.value}: {truth}predicted {predicted} "
            f"(probability {float(probabilities[predicted]):.2f}); "
            f"{layer.value}: {channels} maps of {height}×{width}"
        )
        fig = show_feature_maps(model, image, layer.value)
        picture.value = figure_png(fig, dpi=70)

    for control in (index, layer):
        control.observe(update, names="value")
    update()
    return widgets.VBox([widgets.HBox([index, layer]), summary, picture])
