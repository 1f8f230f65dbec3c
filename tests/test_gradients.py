"""cnnlib.gradients: per-layer gradient norms against autograd's .grad after loss.backward()."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from cnnlib import models
from cnnlib.gradients import (
    GRADIENT_COLUMNS,
    layer_gradient_norms,
    resnet_gradient_norms,
)


def backward_norms(model: nn.Module, x: torch.Tensor, y: torch.Tensor, layers: list[nn.Module]) -> list[float]:
    """The reference: loss.backward() and the norms of the layers' .grad."""
    model.zero_grad()
    F.cross_entropy(model(x), y).backward()
    return [layer.weight.grad.norm().item() for layer in layers]


@given(st.lists(st.integers(1, 6), min_size=1, max_size=4), st.integers(2, 5), st.integers(0, 100))
@settings(max_examples=20, deadline=None)
def test_norms_equal_those_of_backward(widths, classes, seed) -> None:
    torch.manual_seed(seed)
    layers, previous = [], 2
    for width in widths:
        layers += [nn.Conv2d(previous, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU()]
        previous = width
    model = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(previous, classes))
    x, y = torch.randn(4, 2, 5, 5), torch.randint(0, classes, (4,))
    frame = layer_gradient_norms(model, x, y)
    weighted = [m for m in model if isinstance(m, (nn.Conv2d, nn.Linear))]
    assert list(frame.columns) == list(GRADIENT_COLUMNS)
    assert list(frame["position"]) == list(range(1, len(weighted) + 1))
    assert list(frame["type"]) == [type(m).__name__ for m in weighted]
    torch.testing.assert_close(torch.tensor(frame["grad_norm"].tolist()),
                               torch.tensor(backward_norms(model, x, y, weighted)))
    torch.testing.assert_close(torch.tensor(frame["weight_norm"].tolist()),
                               torch.tensor([m.weight.norm().item() for m in weighted]))


class Reversed(nn.Module):
    """Layers defined in the opposite order of the forward pass."""

    def __init__(self) -> None:
        super().__init__()
        self.last = nn.Linear(4, 3)
        self.first = nn.Linear(5, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.last(torch.relu(self.first(x)))


def test_rows_follow_the_forward_pass_and_grads_are_left_alone() -> None:
    torch.manual_seed(0)
    model = Reversed().eval()
    x, y = torch.randn(6, 5), torch.randint(0, 3, (6,))
    frame = layer_gradient_norms(model, x, y)
    assert list(frame["layer"]) == ["first", "last"]
    assert all(p.grad is None for p in model.parameters())
    assert not model.training  # mode restored
    expected = backward_norms(model, x, y, [model.first, model.last])
    torch.testing.assert_close(torch.tensor(frame["grad_norm"].tolist()), torch.tensor(expected))


def test_train_mode_uses_batch_statistics() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    with torch.no_grad():
        model[1].running_mean.fill_(5.0)  # evaluation mode would normalise very differently
    x, y = torch.randn(8, 3), torch.randint(0, 2, (8,))
    in_train = layer_gradient_norms(model, x, y)
    in_eval = layer_gradient_norms(model, x, y, train_mode=False)
    assert not in_train["grad_norm"].equals(in_eval["grad_norm"])
    model.train()
    torch.testing.assert_close(torch.tensor(in_train["grad_norm"].tolist()),
                               torch.tensor(backward_norms(model, x, y, [model[0], model[2]])))


def test_exclude_and_layer_types_choose_the_rows() -> None:
    model = models.SmallResNet(widths=(2, 3), blocks_per_stage=1)
    x, y = torch.randn(4, 1, 6, 6), torch.randint(0, 10, (4,))
    everything = layer_gradient_norms(model, x, y)
    without = layer_gradient_norms(model, x, y, exclude=("downsample",))
    assert len(everything) == model.depth + 1  # one projection shortcut
    assert len(without) == model.depth and not without["layer"].str.contains("downsample").any()
    only_linear = layer_gradient_norms(model, x, y, layer_types=(nn.Linear,))
    assert list(only_linear["layer"]) == ["fc"]


@pytest.mark.parametrize("residual", [True, False])
@pytest.mark.parametrize("batch_norm", [True, False])
def test_resnet_gradient_norms_measures_the_seeded_network(residual, batch_norm) -> None:
    x, y = torch.randn(6, 1, 8, 8), torch.randint(0, 10, (6,))
    state = torch.random.get_rng_state()
    frame = resnet_gradient_norms(14, x, y, residual=residual, batch_norm=batch_norm, seed=3)
    assert torch.equal(torch.random.get_rng_state(), state)  # global random numbers untouched
    torch.manual_seed(3)
    model = models.SmallResNet(widths=(8, 16, 32), blocks_per_stage=2, residual=residual, batch_norm=batch_norm)
    expected = layer_gradient_norms(model, x, y, exclude=("downsample",))
    assert len(frame) == model.depth == 14
    assert frame.equals(expected)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda x, y: layer_gradient_norms("model", x, y), TypeError, "model"),
        (lambda x, y: layer_gradient_norms(nn.Flatten(), x.numpy(), y), TypeError, "inputs"),
        (lambda x, y: layer_gradient_norms(nn.Flatten(), x, y[:2]), ValueError, "same"),
        (lambda x, y: layer_gradient_norms(nn.Flatten(), x[:0], y[:0]), ValueError, "non-zero"),
        (lambda x, y: layer_gradient_norms(nn.Flatten(), x, y, loss_fn=3), TypeError, "loss_fn"),
        (lambda x, y: layer_gradient_norms(nn.Flatten(), x, y, layer_types=nn.Linear), TypeError, "layer_types"),
        (lambda x, y: layer_gradient_norms(nn.Flatten(), x, y, layer_types=(int,)), TypeError, "layer_types"),
        (lambda x, y: layer_gradient_norms(nn.Flatten(), x, y, exclude="fc"), TypeError, "exclude"),
        (lambda x, y: layer_gradient_norms(nn.Flatten(), x, y, train_mode=1), TypeError, "train_mode"),
        (lambda x, y: layer_gradient_norms(nn.Flatten(), x, y), ValueError, "no layer"),
        (lambda x, y: resnet_gradient_norms(10, x, y), ValueError, "depth"),
        (lambda x, y: resnet_gradient_norms(2, x, y), ValueError, "depth"),
        (lambda x, y: resnet_gradient_norms(8.0, x, y), TypeError, "depth"),
        (lambda x, y: resnet_gradient_norms(8, x, y, seed=-1), ValueError, "seed"),
        (lambda x, y: resnet_gradient_norms(8, x[:, 0], y), ValueError, "inputs"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, error, match) -> None:
    x, y = torch.randn(4, 1, 8, 8), torch.randint(0, 10, (4,))
    with pytest.raises(error, match=match):
        call(x, y)
