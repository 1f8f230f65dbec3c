"""Explorer for attribution maps: pick an image, a method, a layer and a class; see the map."""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import torch
from matplotlib.figure import Figure
from torch import Tensor, nn

from cnnlib import interpret
from cnnlib._checks import check_batch, check_module
from cnnlib.activations import map_layers
from cnnlib.plot.interpret import show_attributions
from cnnlib.train import eval_mode, model_device
from cnnlib.widgets._explorer import Explorer

#: The methods the explorer offers; the layer control applies to Grad-CAM and CAM.
METHODS = ("saliency", "SmoothGrad", "occlusion", "Grad-CAM", "CAM")


class AttributionExplorer(Explorer):
    """The explorer :func:`attribution_explorer` returns: one image's attribution map.

    Controls: ``index`` (the example of ``images``), ``method`` (one of saliency, SmoothGrad,
    occlusion, Grad-CAM and CAM, from :mod:`cnnlib.interpret`), ``layer`` (the layer of Grad-CAM
    and CAM) and ``target`` (``"predicted"`` or a class name). The ``summary`` reports the
    prediction with its probability, the true class (when ``labels`` are given) and the map's
    resolution; the ``picture`` is :func:`cnnlib.plot.show_attributions` for that image.
    Introduced in chapter "What a trained network sees".

    Raises:
        TypeError: if ``model`` is not an ``nn.Module`` or ``images`` not a tensor.
        ValueError: if ``images`` is not a non-empty 4-D batch, ``labels`` or ``classes`` do not
            match, or a name in ``layers`` is not a layer that outputs feature maps.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.widgets import AttributionExplorer
        >>> model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
        ...                       nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3))
        >>> explorer = AttributionExplorer(model, torch.rand(2, 1, 8, 8), layers=["1"])
        >>> explorer.method.value = "Grad-CAM"
        >>> explorer.summary.value.split("; ")[-1]
        'Grad-CAM map of 8×8'
    """

    def __init__(
        self,
        model: nn.Module,
        images: Tensor,
        labels: Tensor | None = None,
        classes: Sequence[str] | None = None,
        layers: Sequence[str] | None = None,
    ) -> None:
        self.model = check_module("model", model)
        self.images = check_batch(images, labels)
        self.labels = labels
        with eval_mode(model), torch.no_grad():
            outputs = model(images[:1].to(model_device(model))).shape[1]
        self.classes = list(classes) if classes is not None else [str(c) for c in range(outputs)]
        if len(self.classes) != outputs:
            raise ValueError(f"classes must name the model's {outputs} outputs, got {len(self.classes)}")
        available = map_layers(model, images[0])
        layers = available if layers is None else list(layers)
        unknown = [name for name in layers if name not in available]
        if unknown or not layers:
            raise ValueError(f"layers must be among the layers that output feature maps {available}, got {layers}")
        super().__init__([
            {"index": widgets.IntSlider(value=0, min=0, max=len(images) - 1, description="example"),
             "method": widgets.Dropdown(options=list(METHODS), value=METHODS[0], description="method")},
            {"layer": widgets.Dropdown(options=layers, value=layers[-1], description="layer"),
             "target": widgets.Dropdown(options=["predicted", *self.classes], value="predicted",
                                        description="class")},
        ], dpi=70)

    def attribution(self) -> Tensor:
        """The map ``(1, h, w)`` for the controls' current values."""
        image = self.images[self.index.value:self.index.value + 1]
        target = self.target_class()
        method, layer = self.method.value, self.layer.value
        if method == "saliency":
            return interpret.saliency(self.model, image, target)
        if method == "SmoothGrad":
            return interpret.smooth_grad(self.model, image, target)
        if method == "occlusion":
            return interpret.occlusion(self.model, image, target)
        if method == "Grad-CAM":
            return interpret.grad_cam(self.model, layer, image, target)
        return interpret.class_activation_map(self.model, layer, image, target).clamp(min=0)

    def target_class(self) -> int:
        """The class the map explains: the chosen one, or the model's prediction."""
        if self.target.value != "predicted":
            return self.classes.index(self.target.value)
        return int(self.probabilities().argmax())

    def probabilities(self) -> Tensor:
        image = self.images[self.index.value:self.index.value + 1]
        with eval_mode(self.model), torch.no_grad():
            return self.model(image.to(model_device(self.model))).softmax(dim=1)[0].cpu()

    def compute(self) -> tuple[str, Figure | None]:
        """Describe the prediction and the map, and draw the map over the image."""
        probabilities = self.probabilities()
        predicted = int(probabilities.argmax())
        truth = f"true {self.classes[int(self.labels[self.index.value])]}, " if self.labels is not None else ""
        try:
            attribution = self.attribution()
        except ValueError as error:  # CAM on a layer that does not feed the linear head
            return f"{self.method.value} does not apply here: {error}", None
        target = self.target_class()
        summary = (f"example {self.index.value}: {truth}predicted {self.classes[predicted]} "
                   f"(probability {float(probabilities[predicted]):.2f}); map of class {self.classes[target]}; "
                   f"{self.method.value} map of {attribution.shape[1]}×{attribution.shape[2]}")
        image = self.images[self.index.value:self.index.value + 1]
        figure = show_attributions(image, {self.method.value: attribution}, titles=[self.classes[predicted]],
                                   size=2.4, suptitle=f"{self.method.value} for class {self.classes[target]}")
        return summary, figure


def attribution_explorer(
    model: nn.Module,
    images: Tensor,
    labels: Tensor | None = None,
    classes: Sequence[str] | None = None,
    layers: Sequence[str] | None = None,
) -> AttributionExplorer:
    """An explorer: choose an image, an attribution method, a layer and a class; see the map.

    Returns an :class:`AttributionExplorer` (its controls, summary and picture are described
    there) for ``model`` on the batch ``images``, with ``labels`` their true classes and
    ``classes`` the class names (optional); ``layers`` are the layers offered to Grad-CAM and CAM
    (default: every layer that outputs feature maps). Works with ipywidgets 7 and 8. Introduced
    in chapter "What a trained network sees".

    Raises:
        TypeError, ValueError: as :class:`AttributionExplorer`.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.widgets import attribution_explorer
        >>> model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
        ...                       nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3))
        >>> explorer = attribution_explorer(model, torch.rand(2, 1, 8, 8), classes=["a", "b", "c"])
        >>> explorer.target.options
        ('predicted', 'a', 'b', 'c')
    """
    return AttributionExplorer(model, images, labels, classes, layers)
