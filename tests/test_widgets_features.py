"""The feature-map explorer driven through its controls: what it reports and what it draws."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from explorers import assert_every_change_redraws, shown_picture

from cnnlib import models
from cnnlib.activations import layer_output, map_layers
from cnnlib.widgets import FeatureMapExplorer, feature_map_explorer


@pytest.fixture(scope="module")
def setting() -> tuple[torch.nn.Module, torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    return models.LeNet5(), torch.rand(4, 1, 32, 32), torch.tensor([3, 1, 4, 1])


def test_default_layers_are_those_that_output_maps(setting) -> None:
    model, images, _ = setting
    assert map_layers(model, images[0]) == [
        "features.c1", "features.act1", "features.s2", "features.c3", "features.act3",
        "features.s4", "features.c5", "features.act5",
    ]
    explorer = feature_map_explorer(model, images)
    assert isinstance(explorer, FeatureMapExplorer)
    assert list(explorer.layer.options) == map_layers(model, images[0])
    assert (explorer.index.min, explorer.index.max) == (0, len(images) - 1)


@pytest.mark.parametrize(("index", "layer"), [(0, "features.c1"), (2, "features.s4"), (3, "features.act3")])
def test_label_reports_prediction_and_map_shape(setting, index: int, layer: str) -> None:
    model, images, labels = setting
    explorer = feature_map_explorer(model, images, labels)
    explorer.index.value, explorer.layer.value = index, layer
    with torch.no_grad():
        probabilities = model.eval()(images[index:index + 1]).softmax(1)[0]
    predicted = int(probabilities.argmax())
    channels, height, width = layer_output(model, images[index:index + 1], layer)[0].shape
    assert explorer.summary.value == (
        f"example {index}: true class {int(labels[index])}, predicted {predicted} "
        f"(probability {float(probabilities[predicted]):.2f}); "
        f"{layer}: {channels} maps of {height}×{width}"
    )


def test_picture_changes_with_the_layer_and_is_a_png(setting) -> None:
    model, images, _ = setting
    explorer = feature_map_explorer(model, images, layers=["features.c1", "features.c3"])
    assert list(explorer.layer.options) == ["features.c1", "features.c3"]
    assert_every_change_redraws(explorer, [("layer", "features.c3"), ("index", 2)])
    assert shown_picture(explorer).ndim == 3
    assert "true class" not in explorer.summary.value  # no labels given


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda m, x, y: feature_map_explorer("model", x), TypeError, "model"),
        (lambda m, x, y: feature_map_explorer(m, np.zeros((2, 1, 32, 32))), TypeError, "images"),
        (lambda m, x, y: feature_map_explorer(m, x[0]), ValueError, "images"),
        (lambda m, x, y: feature_map_explorer(m, x, y[:2]), ValueError, "labels"),
        (lambda m, x, y: feature_map_explorer(m, x, layers=["classifier.f6"]), ValueError, "layers"),
        (lambda m, x, y: feature_map_explorer(m, x, layers=[]), ValueError, "layers"),
    ],
)
def test_bad_arguments_raise_errors_naming_them(setting, call, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        call(*setting)
