"""The attribution explorer driven through its controls: what it reports and what it draws."""

from __future__ import annotations

import pytest
import torch
from explorers import assert_every_change_redraws, shown_picture
from torch import nn

from cnnlib import interpret
from cnnlib.activations import map_layers
from cnnlib.widgets import AttributionExplorer, attribution_explorer

CLASSES = ["a", "b", "c"]


@pytest.fixture(scope="module")
def setting() -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(4, 6, 3, padding=1), nn.ReLU(),
                          nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 3))
    return model, torch.rand(3, 1, 12, 12), torch.tensor([2, 0, 1])


def test_controls_and_defaults(setting) -> None:
    model, images, labels = setting
    explorer = attribution_explorer(model, images, labels, CLASSES)
    assert isinstance(explorer, AttributionExplorer)
    assert (explorer.index.min, explorer.index.max) == (0, 2)
    assert list(explorer.method.options) == ["saliency", "SmoothGrad", "occlusion", "Grad-CAM", "CAM"]
    assert list(explorer.layer.options) == map_layers(model, images[0])
    assert explorer.layer.value == explorer.layer.options[-1]
    assert list(explorer.target.options) == ["predicted", *CLASSES]


@pytest.mark.parametrize(("method", "size"), [("saliency", 12), ("occlusion", 12), ("Grad-CAM", 6), ("CAM", 6)])
def test_summary_reports_prediction_target_and_resolution(setting, method: str, size: int) -> None:
    model, images, labels = setting
    explorer = attribution_explorer(model, images, labels, CLASSES)
    explorer.layer.value = "4"
    explorer.index.value, explorer.method.value, explorer.target.value = 1, method, "c"
    with torch.no_grad():
        probabilities = model.eval()(images[1:2]).softmax(1)[0]
    predicted = int(probabilities.argmax())
    assert explorer.summary.value == (
        f"example 1: true a, predicted {CLASSES[predicted]} (probability {float(probabilities[predicted]):.2f}); "
        f"map of class c; {method} map of {size}×{size}")


def test_the_map_is_the_library_s(setting) -> None:
    model, images, _ = setting
    explorer = attribution_explorer(model, images, classes=CLASSES)
    explorer.method.value, explorer.layer.value, explorer.target.value = "Grad-CAM", "1", "b"
    torch.testing.assert_close(explorer.attribution(), interpret.grad_cam(model, "1", images[:1], 1))


def test_cam_on_a_layer_that_does_not_feed_the_head_says_so(setting) -> None:
    model, images, _ = setting
    explorer = attribution_explorer(model, images, classes=CLASSES)
    explorer.method.value, explorer.layer.value = "CAM", "1"
    assert explorer.summary.value.startswith("CAM does not apply here: linear must take the 4 channels")
    assert explorer.figure is None


def test_every_change_redraws(setting) -> None:
    model, images, labels = setting
    explorer = attribution_explorer(model, images, labels, CLASSES)
    assert shown_picture(explorer).ndim == 3
    with torch.no_grad():
        predicted = int(model.eval()(images[2:3]).argmax())
    other = CLASSES[(predicted + 1) % 3]  # a class other than the prediction: another map
    assert_every_change_redraws(explorer, [("method", "Grad-CAM"), ("layer", "1"), ("index", 2),
                                           ("target", other), ("method", "occlusion")])


def test_bad_arguments(setting) -> None:
    model, images, labels = setting
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        attribution_explorer("model", images)
    with pytest.raises(ValueError, match="labels must have one entry per image"):
        attribution_explorer(model, images, labels[:2])
    with pytest.raises(ValueError, match="classes must name the model's 3 outputs"):
        attribution_explorer(model, images, classes=["a"])
    with pytest.raises(ValueError, match="layers must be among"):
        attribution_explorer(model, images, layers=["7"])
