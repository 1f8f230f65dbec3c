"""cnnlib.models: the book's networks, their shapes and parameter counts against the formulas."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torchvision import models as tv

from cnnlib import arithmetic, models


def lenet5_params(in_channels: int, num_classes: int) -> int:
    """LeNet-5's parameter count from the layer formulas (C1, C3, C5, F6, output)."""
    return (
        arithmetic.conv2d_params(in_channels, 6, 5)
        + arithmetic.conv2d_params(6, 16, 5)
        + arithmetic.conv2d_params(16, 120, 5)
        + arithmetic.linear_params(120, 84)
        + arithmetic.linear_params(84, num_classes)
    )


@given(st.integers(1, 4), st.integers(1, 50), st.sampled_from(models.LeNet5.STYLES))
@settings(max_examples=20, deadline=None)
def test_lenet5_parameter_count_follows_the_layer_formulas(in_channels, num_classes, style) -> None:
    model = models.LeNet5(num_classes=num_classes, in_channels=in_channels, style=style)
    assert arithmetic.count_params(model) == lenet5_params(in_channels, num_classes)


def test_lenet5_shapes_follow_the_paper() -> None:
    model = models.LeNet5()
    shapes = arithmetic.count_macs(model, (1, 32, 32)).table.set_index("layer")["output shape"]
    c1 = arithmetic.conv_output_size(32, 5)  # 28
    c3 = arithmetic.conv_output_size(c1 // 2, 5)  # 10
    assert shapes["features.c1"] == (6, c1, c1)
    assert shapes["features.s2"] == (6, c1 // 2, c1 // 2)
    assert shapes["features.c3"] == (16, c3, c3)
    assert shapes["features.s4"] == (16, c3 // 2, c3 // 2)
    assert shapes["features.c5"] == (120, 1, 1)
    assert shapes["classifier.f6"] == (84,)
    assert model(torch.zeros(3, 1, 32, 32)).shape == (3, 10)


@pytest.mark.parametrize(
    ("style", "activation", "pool"),
    [("original", nn.Tanh, nn.AvgPool2d), ("modern", nn.ReLU, nn.MaxPool2d)],
)
def test_lenet5_style_switches_activation_and_pooling(style, activation, pool) -> None:
    model = models.LeNet5(style=style)
    types = {type(m) for m in model.modules()}
    assert activation in types and pool in types
    other_activation = nn.ReLU if activation is nn.Tanh else nn.Tanh
    other_pool = nn.MaxPool2d if pool is nn.AvgPool2d else nn.AvgPool2d
    assert other_activation not in types and other_pool not in types
    assert style in repr(model)


def test_lenet5_styles_compute_what_their_layers_say() -> None:
    torch.manual_seed(0)
    model = models.LeNet5(style="original")
    x = torch.rand(2, 1, 32, 32)
    f = model.features
    expected = torch.tanh(f.c1(x))
    expected = torch.nn.functional.avg_pool2d(expected, 2)
    expected = torch.tanh(f.c5(torch.nn.functional.avg_pool2d(torch.tanh(f.c3(expected)), 2)))
    c = model.classifier
    expected = c.output(torch.tanh(c.f6(expected.flatten(1))))
    torch.testing.assert_close(model(x), expected)


def small_vgg_params(in_channels, num_classes, channels, convs, hidden, size) -> int:
    total, previous = 0, in_channels
    for width in channels:
        for i in range(convs):
            total += arithmetic.conv2d_params(previous if i == 0 else width, width, 3)
        previous = width
    flat = channels[-1] * (size // 2 ** len(channels)) ** 2
    total += arithmetic.linear_params(flat, hidden) + arithmetic.linear_params(hidden, hidden)
    return total + arithmetic.linear_params(hidden, num_classes)


@given(
    st.integers(1, 3), st.integers(2, 12), st.lists(st.integers(1, 16), min_size=1, max_size=3),
    st.integers(1, 3), st.integers(1, 32),
)
@settings(max_examples=25, deadline=None)
def test_small_vgg_parameter_count_and_output_shape(
    in_channels, num_classes, channels, convs, hidden
) -> None:
    size = 2 ** len(channels) * 3
    model = models.SmallVGG(in_channels, num_classes, channels, convs, hidden, image_size=size)
    assert arithmetic.count_params(model) == small_vgg_params(
        in_channels, num_classes, channels, convs, hidden, size
    )
    assert model(torch.zeros(2, in_channels, size, size)).shape == (2, num_classes)
    convolutions = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    assert len(convolutions) == convs * len(channels)
    assert all(m.kernel_size == (3, 3) and m.padding == (1, 1) for m in convolutions)


def test_small_vgg_stages_are_those_of_torchvision_vgg16() -> None:
    # VGG-16's first two stages: two 3x3 convolutions of 64, pooling, two of 128, pooling.
    with torch.device("meta"):
        ours = models.SmallVGG(in_channels=3, channels=(64, 128), convs_per_stage=2).features
        theirs = tv.vgg16(weights=None).features[:10]
    assert [type(m) for m in ours] == [type(m) for m in theirs]
    assert [tuple(p.shape) for p in ours.parameters()] == [tuple(p.shape) for p in theirs.parameters()]


def test_small_vgg_dropout_is_active_only_in_training() -> None:
    torch.manual_seed(0)
    model = models.SmallVGG(dropout=0.5)
    x = torch.rand(4, 1, 32, 32)
    model.eval()
    torch.testing.assert_close(model(x), model(x))
    model.train()
    assert not torch.equal(model(x), model(x))


def test_lenet5_dropout_adds_two_dropout_layers_and_no_parameter() -> None:
    plain, dropped = models.LeNet5(), models.LeNet5(dropout=0.5)
    assert not any(isinstance(m, nn.Dropout) for m in plain.modules())
    layers = [m for m in dropped.classifier if isinstance(m, nn.Dropout)]
    assert [m.p for m in layers] == [0.5, 0.5]
    assert list(plain.state_dict()) == list(dropped.state_dict())
    x = torch.rand(4, 1, 32, 32)
    torch.manual_seed(0)
    dropped.eval()
    torch.testing.assert_close(dropped(x), dropped(x))
    dropped.train()
    assert not torch.equal(dropped(x), dropped(x))


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: models.LeNet5(style="1998"), ValueError, "style"),
        (lambda: models.LeNet5(dropout=1.0), ValueError, "dropout"),
        (lambda: models.LeNet5(dropout="half"), TypeError, "dropout"),
        (lambda: models.LeNet5(num_classes=0), ValueError, "num_classes"),
        (lambda: models.LeNet5(in_channels=1.0), TypeError, "in_channels"),
        (lambda: models.LeNet5()(torch.zeros(1, 1, 28, 28)), ValueError, "32x32"),
        (lambda: models.SmallVGG(channels=()), ValueError, "channels"),
        (lambda: models.SmallVGG(channels=(8, 0)), ValueError, "channels"),
        (lambda: models.SmallVGG(convs_per_stage=0), ValueError, "convs_per_stage"),
        (lambda: models.SmallVGG(hidden=0), ValueError, "hidden"),
        (lambda: models.SmallVGG(dropout=1.0), ValueError, "dropout"),
        (lambda: models.SmallVGG(dropout="half"), TypeError, "dropout"),
        (lambda: models.SmallVGG(image_size=36), ValueError, "image_size"),
        (lambda: models.SmallVGG(num_classes=-1), ValueError, "num_classes"),
    ],
)
def test_bad_arguments_raise_errors_naming_them(call, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        call()
