"""The batch-norm explorer driven through its controls, against train_mode_pass."""

from __future__ import annotations

import pytest
import torch
from activation_nets import make_batch, pooled_norm_net, train
from explorers import assert_every_change_redraws, shown_picture
from torch import nn

from cnnlib.activations import train_mode_pass
from cnnlib.widgets import BatchNormExplorer, batch_norm_explorer
from cnnlib.widgets.batchnorm import BATCH_SIZES, GROUPINGS


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
    batch = make_batch(60, 5)
    return train(pooled_norm_net(), batch, epochs=10, batch_size=10), *batch


def test_default_reports_batches_of_64_at_the_first_layer(setting) -> None:
    model, images, labels = setting
    explorer = batch_norm_explorer(model, images, labels)
    assert isinstance(explorer, BatchNormExplorer)
    assert list(explorer.batch_size.options) == list(BATCH_SIZES) and explorer.batch_size.value == 64
    assert list(explorer.layer.options) == ["1", "4"] and explorer.layer.value == "1"
    assert explorer.grouping.value == "shuffled"
    assert explorer.summary.value == expected_summary(model, images, labels, 64, "1", "shuffled")
    assert explorer.result.batch_size == 64
    shown_picture(explorer)


@pytest.mark.parametrize(("batch_size", "layer", "grouping"), [(2, "1", "shuffled"), (8, "4", "one class per batch"),
                                                               (16, "4", "shuffled")])
def test_summary_follows_the_controls(setting, batch_size: int, layer: str, grouping: str) -> None:
    model, images, labels = setting
    explorer = batch_norm_explorer(model, images, labels)
    explorer.batch_size.value, explorer.layer.value, explorer.grouping.value = batch_size, layer, grouping
    assert explorer.summary.value == expected_summary(model, images, labels, batch_size, layer, grouping)


def test_the_picture_follows_every_control(setting) -> None:
    model, images, labels = setting
    explorer = batch_norm_explorer(model, images, labels)
    assert_every_change_redraws(explorer, [("batch_size", 4), ("grouping", "one class per batch"), ("layer", "4")])


def test_a_single_value_per_channel_is_reported_not_raised(setting) -> None:
    model, images, labels = setting
    explorer = batch_norm_explorer(model, images, labels)
    explorer.batch_size.value = 1  # the second batch norm sees one 1x1 map per batch
    assert "Expected more than 1 value per channel when training" in explorer.summary.value
    assert bytes(explorer.picture.value) == b"" and explorer.figure is None and explorer.result is None
    explorer.batch_size.value = 2
    assert explorer.summary.value == expected_summary(model, images, labels, 2, "1", "shuffled")
    shown_picture(explorer)


def test_the_model_is_left_unchanged(setting) -> None:
    model, images, labels = setting
    state = {k: v.clone() for k, v in model.state_dict().items()}
    explorer = batch_norm_explorer(model, images, labels)
    explorer.batch_size.value = 4
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
