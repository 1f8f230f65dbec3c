"""The batch-norm explorer driven through its controls, against train_mode_pass."""

from __future__ import annotations

import io

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from torch import nn

from cnnlib.activations import train_mode_pass
from cnnlib.widgets.batchnorm import BATCH_SIZES, GROUPINGS, batch_norm_explorer


def controls(explorer: widgets.VBox) -> dict[str, widgets.Widget]:
    batch_size, layer = explorer.children[0].children
    grouping, summary, picture = explorer.children[1:]
    return {"batch_size": batch_size, "layer": layer, "grouping": grouping, "summary": summary, "picture": picture}


def shown_picture(picture: widgets.Image) -> np.ndarray:
    """The PNG the explorer shows, decoded (ipywidgets 8 stores a memoryview)."""
    png = bytes(picture.value)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return plt.imread(io.BytesIO(png), format="png")


def expected_summary(model, images, labels, batch_size: int, layer: str, grouping: str) -> str:
    result = train_mode_pass(model, images, labels, batch_size, layer, grouping == GROUPINGS[1])
    return (
        f"batch size {batch_size}, {grouping}: train-mode accuracy {result.train_mode_accuracy:.1%} "
        f"(eval mode {result.eval_mode_accuracy:.1%}); batch means off the running means by "
        f"{result.mean_deviation:.2f} running std on average"
    )


@pytest.fixture(scope="module")
def setting() -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    """A small trained network whose last batch norm sees 1x1 maps, and its data."""
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(4, 3),
    )
    generator = torch.Generator().manual_seed(0)
    labels = torch.arange(60) % 3
    images = torch.randn(60, 1, 5, 5, generator=generator) + labels.view(-1, 1, 1, 1)
    optimiser = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(10):
        for index in torch.arange(60).split(10):
            optimiser.zero_grad()
            nn.functional.cross_entropy(model(images[index]), labels[index]).backward()
            optimiser.step()
    return model.eval(), images, labels


def test_default_reports_batches_of_64_at_the_first_layer(setting) -> None:
    model, images, labels = setting
    c = controls(batch_norm_explorer(model, images, labels))
    assert list(c["batch_size"].options) == list(BATCH_SIZES) and c["batch_size"].value == 64
    assert list(c["layer"].options) == ["1", "4"] and c["layer"].value == "1"
    assert c["grouping"].value == "shuffled"
    assert c["summary"].value == expected_summary(model, images, labels, 64, "1", "shuffled")
    shown_picture(c["picture"])


@pytest.mark.parametrize(("batch_size", "layer", "grouping"), [(2, "1", "shuffled"), (8, "4", "one class per batch"),
                                                               (16, "4", "shuffled")])
def test_summary_follows_the_controls(setting, batch_size: int, layer: str, grouping: str) -> None:
    model, images, labels = setting
    c = controls(batch_norm_explorer(model, images, labels))
    c["batch_size"].value, c["layer"].value, c["grouping"].value = batch_size, layer, grouping
    assert c["summary"].value == expected_summary(model, images, labels, batch_size, layer, grouping)


def test_the_picture_follows_every_control(setting) -> None:
    model, images, labels = setting
    c = controls(batch_norm_explorer(model, images, labels))
    pictures = [shown_picture(c["picture"])]
    for name, value in [("batch_size", 4), ("grouping", "one class per batch"), ("layer", "4")]:
        c[name].value = value
        pictures.append(shown_picture(c["picture"]))
    for a, b in zip(pictures, pictures[1:]):
        assert a.shape != b.shape or not np.array_equal(a, b)


def test_a_single_value_per_channel_is_reported_not_raised(setting) -> None:
    model, images, labels = setting
    c = controls(batch_norm_explorer(model, images, labels))
    c["batch_size"].value = 1  # the second batch norm sees one 1x1 map per batch
    assert "Expected more than 1 value per channel when training" in c["summary"].value
    assert bytes(c["picture"].value) == b""
    c["batch_size"].value = 2
    assert c["summary"].value == expected_summary(model, images, labels, 2, "1", "shuffled")


def test_the_model_is_left_unchanged(setting) -> None:
    model, images, labels = setting
    state = {k: v.clone() for k, v in model.state_dict().items()}
    c = controls(batch_norm_explorer(model, images, labels))
    c["batch_size"].value = 4
    assert all(torch.equal(v, state[k]) for k, v in model.state_dict().items())
    assert not model.training


def test_bad_arguments_raise_errors(setting) -> None:
    model, images, labels = setting
    with pytest.raises(ValueError, match="BatchNorm2d"):
        batch_norm_explorer(nn.Sequential(nn.Conv2d(1, 2, 3)), images, labels)
    with pytest.raises(TypeError, match="model"):
        batch_norm_explorer("model", images, labels)
    with pytest.raises(ValueError, match="labels"):
        batch_norm_explorer(model, images, labels[:3])
    with pytest.raises(ValueError, match="images"):
        batch_norm_explorer(model, images[0], labels)
