"""cnnlib.activations: one layer's output, the layers that output maps, the activation recorder
and the train-mode pass."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from activation_nets import small_net
from torch import nn

from cnnlib import models
from cnnlib.activations import (
    ActivationRecorder,
    batch_norm_layers,
    find_layer,
    layer_output,
    map_layers,
    train_mode_pass,
)
from cnnlib.models import BatchNorm2d


# --- the recorder ---------------------------------------------------------------------------------


def test_recorder_records_every_training_step_and_nothing_in_evaluation(batch) -> None:
    images, _ = batch
    model = small_net()
    batches = [images[index] for index in torch.arange(40).split(10)]
    with torch.no_grad():  # training-mode outputs depend on the batch only, not on running statistics
        expected = [[model[:3](x), model[:6](x)] for x in batches]  # the two ReLU outputs, by hand
    with ActivationRecorder(model) as recorder:
        for x in batches:
            model(x)
        model.eval()
        model(images)  # not recorded
    frame = recorder.frame()
    assert list(frame.columns) == ["layer", "label", "step", "mean", "std"]
    assert len(frame) == 2 * 4
    assert frame.groupby("layer").step.apply(list).to_dict() == {"2": [0, 1, 2, 3], "5": [0, 1, 2, 3]}
    assert set(zip(frame.layer, frame.label)) == {("2", "ReLU 1"), ("5", "ReLU 2")}
    for step, outputs in enumerate(expected):
        for layer, out in zip(("2", "5"), outputs):
            row = frame[(frame.layer == layer) & (frame.step == step)].iloc[0]
            assert row["mean"] == pytest.approx(out.mean().item(), rel=1e-5)
            assert row["std"] == pytest.approx(out.std().item(), rel=1e-5)


def test_recorder_records_exactly_what_the_layer_outputs() -> None:
    model = nn.Sequential(nn.Linear(3, 5), nn.Tanh())
    x = torch.randn(7, 3)
    with ActivationRecorder(model, nn.Tanh) as recorder:
        out = model(x)
    row = recorder.frame().iloc[0]
    assert row["label"] == "Tanh 1"
    assert row["mean"] == pytest.approx(out.mean().item())
    assert row["std"] == pytest.approx(out.std().item())


def test_recorder_removes_its_hooks_on_exit(batch) -> None:
    model = small_net()
    with ActivationRecorder(model) as recorder:
        model(batch[0])
    model(batch[0])
    assert len(recorder.frame()) == 2
    assert all(not m._forward_hooks for m in model.modules())


def test_recorder_errors() -> None:
    with pytest.raises(TypeError, match="model"):
        ActivationRecorder("model")
    with pytest.raises(TypeError, match="layer_type"):
        ActivationRecorder(small_net(), layer_type="ReLU")
    with pytest.raises(ValueError, match="GELU"):
        ActivationRecorder(small_net(), layer_type=nn.GELU)


# --- the train-mode pass --------------------------------------------------------------------------


def test_batch_norm_layers_finds_pytorchs_and_cnnlibs() -> None:
    assert batch_norm_layers(small_net()) == ["1", "4"]
    assert batch_norm_layers(small_net(BatchNorm2d)) == ["1", "4"]
    assert batch_norm_layers(small_net(nn.Identity)) == []
    with pytest.raises(TypeError, match="model"):
        batch_norm_layers([nn.BatchNorm2d(3)])


@pytest.mark.parametrize("batch_size", [3, 8, 40])
def test_train_mode_pass_is_a_forgotten_eval_on_a_copy(trained, batch, batch_size: int) -> None:
    images, labels = batch
    state = copy.deepcopy(trained.state_dict())
    result = train_mode_pass(trained, images, labels, batch_size, layer="4", seed=3)
    for key, value in trained.state_dict().items():  # the model did not change
        assert torch.equal(value, state[key])
    assert not trained.training

    order = torch.randperm(40, generator=torch.Generator().manual_seed(3))
    replica = copy.deepcopy(trained).train()
    correct, means = 0, []
    with torch.no_grad():
        for index in order.split(batch_size):
            inputs = replica[:4](images[index])  # the input of layer "4"
            means.append(inputs.mean(dim=(0, 2, 3)))
            correct += (replica[4:](inputs).argmax(1) == labels[index]).sum().item()
    assert result.train_mode_accuracy == correct / 40
    with torch.no_grad():
        assert result.eval_mode_accuracy == (trained(images).argmax(1) == labels).float().mean().item()
    np.testing.assert_allclose(result.batch_mean, torch.stack(means).numpy(), rtol=1e-5, atol=1e-6)
    assert result.batch_std.shape == result.batch_mean.shape == (len(means), 6)
    np.testing.assert_allclose(result.running_mean, trained[4].running_mean.numpy())
    np.testing.assert_allclose(result.running_std, trained[4].running_var.sqrt().numpy())
    deviation = np.mean(np.abs(result.batch_mean - result.running_mean) / result.running_std)
    assert result.mean_deviation == pytest.approx(deviation)


def test_train_mode_pass_batch_std_is_what_the_layer_divides_by(trained, batch) -> None:
    images, labels = batch
    result = train_mode_pass(trained, images, labels, 40)  # one batch: the whole set
    replica = copy.deepcopy(trained).train()
    with torch.no_grad():
        inputs = replica[:1](images[torch.randperm(40, generator=torch.Generator().manual_seed(0))])
    expected = (inputs.var(dim=(0, 2, 3), correction=0) + trained[1].eps).sqrt()
    np.testing.assert_allclose(result.batch_std[0], expected.numpy(), rtol=1e-5)
    assert result.layer == "1" and result.batch_size == 40 and not result.grouped


def test_grouped_batches_hold_one_class_each(trained, batch) -> None:
    images, labels = batch
    grouped = train_mode_pass(trained, images, labels, 5, grouped=True)
    # classes of 14, 13 and 13 examples in batches of at most 5: 3 + 3 + 3 batches
    assert grouped.batch_mean.shape[0] == 9 and grouped.grouped
    # one whole class per batch: its statistics lie further from the running ones than those of
    # shuffled batches of a class's size, and the train-mode predictions suffer for it
    shuffled = train_mode_pass(trained, images, labels, 14)
    assert grouped.mean_deviation > 2 * shuffled.mean_deviation
    assert grouped.train_mode_accuracy < shuffled.train_mode_accuracy


def test_train_mode_pass_errors(trained, batch) -> None:
    images, labels = batch
    with pytest.raises(ValueError, match="BatchNorm2d"):
        train_mode_pass(small_net(nn.Identity), images, labels, 4)
    with pytest.raises(ValueError, match="layer must be one of"):
        train_mode_pass(trained, images, labels, 4, layer="2")
    with pytest.raises(TypeError, match="images must be a"):
        train_mode_pass(trained, images.numpy(), labels, 4)
    with pytest.raises(ValueError, match="images"):
        train_mode_pass(trained, images[0], labels, 4)
    with pytest.raises(ValueError, match="labels"):
        train_mode_pass(trained, images, labels[:5], 4)
    with pytest.raises(ValueError, match="batch_size"):
        train_mode_pass(trained, images, labels, 0)
    with pytest.raises(TypeError, match="grouped"):
        train_mode_pass(trained, images, labels, 4, grouped="yes")
    head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.BatchNorm2d(1), nn.Flatten(), nn.Linear(1, 3))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        train_mode_pass(head, images, labels, 1)


# --- one layer's output -----------------------------------------------------------------------------


def test_layer_output_is_what_the_layer_computes() -> None:
    torch.manual_seed(0)
    model = models.LeNet5()
    x = torch.rand(2, 1, 32, 32)
    expected = model.features.act1(model.features.c1(x))
    torch.testing.assert_close(layer_output(model, x, "features.act1"), expected)
    torch.testing.assert_close(layer_output(model, x, model.features.c1), model.features.c1(x))


def test_layer_output_reports_a_layer_the_forward_pass_skips() -> None:
    class Skips(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.used, self.unused = nn.Linear(2, 2), nn.Linear(2, 2)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.used(x)

    with pytest.raises(ValueError, match="not called"):
        layer_output(Skips(), torch.zeros(1, 2), "unused")


def test_find_layer_by_name_or_module_and_its_errors() -> None:
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU())
    assert find_layer(model, "0") == ("0", model[0])
    assert find_layer(model, model[1]) == ("1", model[1])
    assert find_layer(model, model) == ("Sequential", model)
    with pytest.raises(ValueError, match=r"layer must be one of the model's layers \['0', '1'\]"):
        find_layer(model, "2")
    with pytest.raises(TypeError, match="model"):
        find_layer("model", "0")


def test_map_layers_lists_the_leaf_layers_that_output_maps() -> None:
    torch.manual_seed(0)
    model = models.LeNet5()
    assert map_layers(model, torch.rand(1, 32, 32)) == [
        "features.c1", "features.act1", "features.s2", "features.c3", "features.act3",
        "features.s4", "features.c5", "features.act5",
    ]
    with pytest.raises(ValueError, match="image"):
        map_layers(model, torch.rand(1, 1, 32, 32))
