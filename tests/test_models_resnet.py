"""cnnlib.models.resnet: residual blocks equal to torchvision's, and the small (plain) ResNet."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torchvision.models import resnet as tv

from cnnlib import arithmetic, models


def _same_outputs(ours: nn.Module, theirs: nn.Module, x: torch.Tensor) -> None:
    """Copy ``theirs``' weights into ``ours`` (same names) and compare in both modes."""
    ours.load_state_dict(theirs.state_dict())
    for train in (True, False):
        ours.train(train)
        theirs.train(train)
        torch.testing.assert_close(ours(x), theirs(x))


def _torchvision_downsample(cin: int, cout: int, stride: int) -> nn.Sequential | None:
    """The projection shortcut torchvision's ResNet builds when a block changes the shape, else None."""
    if stride == 1 and cin == cout:
        return None
    return nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))


@given(st.integers(1, 8), st.integers(1, 8), st.sampled_from([1, 2]))
@settings(max_examples=15, deadline=None)
def test_residual_block_equals_torchvision_basic_block(cin, cout, stride) -> None:
    torch.manual_seed(0)
    theirs = tv.BasicBlock(cin, cout, stride=stride, downsample=_torchvision_downsample(cin, cout, stride))
    ours = models.ResidualBlock(cin, cout, stride=stride)
    _same_outputs(ours, theirs, torch.randn(3, cin, 9, 9))


@given(st.integers(1, 16), st.integers(1, 8), st.sampled_from([1, 2]))
@settings(max_examples=15, deadline=None)
def test_bottleneck_block_equals_torchvision_bottleneck(cin, width, stride) -> None:
    torch.manual_seed(0)
    cout = width * tv.Bottleneck.expansion
    theirs = tv.Bottleneck(cin, width, stride=stride, downsample=_torchvision_downsample(cin, cout, stride))
    ours = models.BottleneckBlock(cin, width, stride=stride)
    _same_outputs(ours, theirs, torch.randn(2, cin, 8, 8))


def test_resnet50_stage_is_made_of_our_bottlenecks() -> None:
    """torchvision's ResNet-50 layer2 loads into a stack of our blocks and gives the same output."""
    torch.manual_seed(0)
    theirs = tv.resnet50().layer2.eval()
    ours = nn.Sequential(
        models.BottleneckBlock(256, 128, stride=2), *[models.BottleneckBlock(512, 128) for _ in range(3)]
    ).eval()
    ours.load_state_dict(theirs.state_dict())
    x = torch.randn(1, 256, 16, 16)
    torch.testing.assert_close(ours(x), theirs(x))


def test_block_parameter_counts_follow_the_formulas() -> None:
    bn = 2  # weight and bias per channel
    block = models.ResidualBlock(16, 32, stride=2)
    expected = (
        arithmetic.conv2d_params(16, 32, 3, bias=False) + bn * 32
        + arithmetic.conv2d_params(32, 32, 3, bias=False) + bn * 32
        + arithmetic.conv2d_params(16, 32, 1, bias=False) + bn * 32
    )
    assert arithmetic.count_params(block) == expected
    identity = models.ResidualBlock(32, 32)
    assert identity.downsample is None
    assert arithmetic.count_params(identity) == 2 * (arithmetic.conv2d_params(32, 32, 3, bias=False) + bn * 32)


def test_residual_block_with_one_argument_keeps_the_channels() -> None:
    """ResidualBlock(64) is ResidualBlock(64, 64): the call of the common minimal version."""
    torch.manual_seed(0)
    one = models.ResidualBlock(64)
    torch.manual_seed(0)
    two = models.ResidualBlock(64, 64)
    assert one.downsample is None and one.conv1.out_channels == one.conv2.out_channels == 64
    assert list(one.state_dict()) == list(two.state_dict())
    for a, b in zip(one.state_dict().values(), two.state_dict().values()):
        torch.testing.assert_close(a, b)
    x = torch.randn(2, 64, 5, 5)
    assert one(x).shape == x.shape
    assert models.ResidualBlock(8, stride=2).downsample is not None  # a stride still projects


@pytest.mark.parametrize("residual", [True, False])
def test_small_resnet_stem_stride_halves_the_resolution_and_keeps_the_depth(residual) -> None:
    strided = models.SmallResNet(widths=(4, 8), blocks_per_stage=2, residual=residual, stem_stride=2)
    default = models.SmallResNet(widths=(4, 8), blocks_per_stage=2, residual=residual)
    x = torch.randn(2, 1, 28, 28)
    assert strided.stem(x).shape == (2, 4, 14, 14) and default.stem(x).shape == (2, 4, 28, 28)
    assert strided.stages(strided.stem(x)).shape == (2, 8, 7, 7)
    assert strided.depth == default.depth == 10
    assert arithmetic.count_params(strided) == arithmetic.count_params(default)
    assert strided(x).shape == (2, 10)


def test_plain_block_has_no_shortcut_and_differs_from_residual() -> None:
    torch.manual_seed(0)
    residual = models.ResidualBlock(4, 8, stride=2)
    plain = models.ResidualBlock(4, 8, stride=2, residual=False)
    assert plain.downsample is None
    plain.load_state_dict(residual.state_dict(), strict=False)
    x = torch.randn(2, 4, 8, 8)
    assert residual(x).shape == plain(x).shape == (2, 8, 4, 4)
    assert not torch.allclose(residual(x), plain(x))
    # the plain block is exactly the two convolutions of the residual branch, then ReLU
    branch = plain.bn2(plain.conv2(plain.relu(plain.bn1(plain.conv1(x)))))
    torch.testing.assert_close(plain(x), torch.relu(branch))


@pytest.mark.parametrize("blocks", [1, 3, 5])
@pytest.mark.parametrize("residual", [True, False])
def test_small_resnet_depth_and_shapes(blocks, residual) -> None:
    model = models.SmallResNet(blocks_per_stage=blocks, residual=residual)
    assert model.depth == 6 * blocks + 2
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d) and m.kernel_size == (3, 3)]
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    assert len(convs) + len(linears) == model.depth  # weighted layers, shortcuts not counted
    x = torch.randn(5, 1, 8, 8)
    assert model(x).shape == (5, 10)
    assert model.features(x).shape == (5, 64)


def test_plain_and_residual_networks_differ_only_by_projections() -> None:
    residual = models.SmallResNet(blocks_per_stage=3)
    plain = models.SmallResNet(blocks_per_stage=3, residual=False)
    projections = arithmetic.conv2d_params(16, 32, 1, bias=False) + 2 * 32
    projections += arithmetic.conv2d_params(32, 64, 1, bias=False) + 2 * 64
    assert arithmetic.count_params(residual) - arithmetic.count_params(plain) == projections


def test_without_batch_norm_the_blocks_are_convolutions_with_biases() -> None:
    torch.manual_seed(0)
    block = models.ResidualBlock(3, 5, stride=2, batch_norm=False)
    assert isinstance(block.bn1, nn.Identity) and isinstance(block.bn2, nn.Identity)
    assert all(conv.bias is not None for conv in (block.conv1, block.conv2, block.downsample[0]))
    assert len(block.downsample) == 1
    x = torch.randn(2, 3, 8, 8)
    shortcut = F.conv2d(x, block.downsample[0].weight, block.downsample[0].bias, stride=2)
    branch = F.conv2d(F.relu(F.conv2d(x, block.conv1.weight, block.conv1.bias, stride=2, padding=1)),
                      block.conv2.weight, block.conv2.bias, padding=1)
    torch.testing.assert_close(block(x), F.relu(branch + shortcut))
    expected = (arithmetic.conv2d_params(3, 5, 3) + arithmetic.conv2d_params(5, 5, 3)
                + arithmetic.conv2d_params(3, 5, 1))
    assert arithmetic.count_params(block) == expected


@pytest.mark.parametrize("residual", [True, False])
def test_small_resnet_without_batch_norm_has_none(residual) -> None:
    model = models.SmallResNet(blocks_per_stage=2, residual=residual, batch_norm=False)
    assert model.depth == 14
    assert not any(isinstance(m, nn.BatchNorm2d) for m in model.modules())
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    assert all(conv.bias is not None for conv in convs)
    assert model(torch.randn(3, 1, 8, 8)).shape == (3, 10)
    assert "batch_norm=False" in repr(model)
    with_bn = models.SmallResNet(blocks_per_stage=2, residual=residual)
    assert "batch_norm" not in repr(with_bn)  # the default reads as before
    bn_params = sum(p.numel() for m in with_bn.modules() if isinstance(m, nn.BatchNorm2d) for p in m.parameters())
    biases = sum(conv.out_channels for conv in convs)
    assert arithmetic.count_params(model) == arithmetic.count_params(with_bn) - bn_params + biases


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: models.ResidualBlock(0, 4), ValueError, "in_channels"),
        (lambda: models.ResidualBlock(0), ValueError, "in_channels"),
        (lambda: models.ResidualBlock(4, 0), ValueError, "out_channels"),
        (lambda: models.ResidualBlock(4, 2.0), TypeError, "out_channels"),
        (lambda: models.ResidualBlock(4, 4, stride=0), ValueError, "stride"),
        (lambda: models.ResidualBlock(4, 4, residual=1), TypeError, "residual"),
        (lambda: models.BottleneckBlock(4, 0), ValueError, "width"),
        (lambda: models.BottleneckBlock(4, 4, expansion=0), ValueError, "expansion"),
        (lambda: models.SmallResNet(widths=()), ValueError, "widths"),
        (lambda: models.SmallResNet(blocks_per_stage=0), ValueError, "blocks_per_stage"),
        (lambda: models.SmallResNet(num_classes=0), ValueError, "num_classes"),
        (lambda: models.SmallResNet(stem_stride=0), ValueError, "stem_stride"),
        (lambda: models.SmallResNet(residual="yes"), TypeError, "residual"),
        (lambda: models.SmallResNet(batch_norm=0), TypeError, "batch_norm"),
        (lambda: models.ResidualBlock(4, 4, batch_norm="no"), TypeError, "batch_norm"),
    ],
)
def test_bad_arguments_raise_clear_errors(make, error, match) -> None:
    with pytest.raises(error, match=match):
        make()
