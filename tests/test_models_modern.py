"""cnnlib.models.modern: depthwise-separable, SE, MBConv and ConvNeXt blocks equal to torchvision's."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torchvision.models import convnext as tv_convnext
from torchvision.models import efficientnet as tv_efficientnet
from torchvision.ops import SqueezeExcitation as TorchvisionSE

from cnnlib import arithmetic, models, ops
from cnnlib.models.modern import ConvNormActivation


def _randomise(module: nn.Module) -> None:
    """Give batch norms non-trivial running statistics, so evaluation mode is tested for real."""
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-1, 1)
            m.running_var.uniform_(0.5, 2)
            nn.init.uniform_(m.weight, 0.5, 1.5)
            nn.init.uniform_(m.bias, -0.5, 0.5)


def _same_outputs(ours: nn.Module, theirs: nn.Module, x: torch.Tensor) -> None:
    """Load ``theirs``' state dict into ``ours`` (strictly: same names and shapes), compare both modes."""
    _randomise(theirs)
    ours.load_state_dict(theirs.state_dict())
    for training in (False, True):
        ours.train(training)
        theirs.train(training)
        with torch.no_grad():
            torch.testing.assert_close(ours(x.clone()), theirs(x.clone()))


# --- Depthwise-separable convolution ---------------------------------------------------------

@given(st.integers(1, 8), st.integers(1, 8), st.sampled_from([1, 3, 5]), st.sampled_from([1, 2]))
@settings(max_examples=20, deadline=None)
def test_depthwise_separable_equals_its_two_pytorch_convolutions(cin, cout, k, stride) -> None:
    torch.manual_seed(0)
    block = models.DepthwiseSeparableConv(cin, cout, k, stride).eval()
    _randomise(block)
    x = torch.randn(2, cin, 9, 9)
    depthwise = F.conv2d(x, block.depthwise.weight, stride=stride, padding=k // 2, groups=cin)
    mid = F.relu(F.batch_norm(depthwise, block.bn1.running_mean, block.bn1.running_var, block.bn1.weight,
                              block.bn1.bias))
    pointwise = F.conv2d(mid, block.pointwise.weight)
    expected = F.relu(F.batch_norm(pointwise, block.bn2.running_mean, block.bn2.running_var, block.bn2.weight,
                                   block.bn2.bias))
    with torch.no_grad():
        torch.testing.assert_close(block(x), expected)
        # and cnnlib's from-scratch convolution computes the same depthwise and pointwise steps
        torch.testing.assert_close(ops.conv2d(x, block.depthwise.weight, stride=stride, padding=k // 2, groups=cin),
                                   depthwise)
        torch.testing.assert_close(ops.conv2d(mid, block.pointwise.weight), pointwise)
    size = arithmetic.conv_output_size(9, k, stride, k // 2)
    assert block(x).shape == (2, cout, size, size)


@given(st.integers(1, 64), st.integers(1, 64), st.sampled_from([1, 3, 5, 7]))
@settings(max_examples=30, deadline=None)
def test_depthwise_separable_params_and_macs_follow_the_formulas(cin, cout, k) -> None:
    with torch.device("meta"):
        block = models.DepthwiseSeparableConv(cin, cout, k)
    conv_weights = cin * k * k + cin * cout
    assert arithmetic.count_params(block) == conv_weights + 2 * cin + 2 * cout  # + BN's gamma, beta
    assert conv_weights == (arithmetic.conv2d_params(cin, cin, k, bias=False, groups=cin)
                            + arithmetic.conv2d_params(cin, cout, 1, bias=False))
    macs = arithmetic.count_macs(block, (cin, 10, 10)).total
    assert macs == 10 * 10 * conv_weights
    standard = 10 * 10 * cout * cin * k * k
    assert macs / standard == pytest.approx(1 / cout + 1 / k**2)


# --- Squeeze-and-excitation ------------------------------------------------------------------

@given(st.integers(1, 16), st.integers(1, 8), st.sampled_from(["relu", "silu"]))
@settings(max_examples=15, deadline=None)
def test_squeeze_excitation_equals_torchvision(channels, squeeze, activation) -> None:
    torch.manual_seed(0)
    theirs = TorchvisionSE(channels, squeeze, activation=models.modern.ACTIVATIONS[activation])
    ours = models.SqueezeExcitation(channels, squeeze, activation)
    _same_outputs(ours, theirs, torch.randn(3, channels, 5, 6))


def test_squeeze_excitation_scales_each_channel_by_a_weight_in_0_1() -> None:
    torch.manual_seed(0)
    se = models.SqueezeExcitation(6, 2)
    x = torch.randn(4, 6, 5, 5)
    scale = se.scale(x)
    assert scale.shape == (4, 6, 1, 1) and ((scale > 0) & (scale < 1)).all()
    torch.testing.assert_close(se(x), scale * x)
    assert arithmetic.count_params(se) == 6 * 2 + 2 + 2 * 6 + 6


# --- MBConv ----------------------------------------------------------------------------------

@given(st.sampled_from([8, 16, 24]), st.sampled_from([8, 16, 24]), st.sampled_from([1, 4, 6]),
       st.sampled_from([3, 5]), st.sampled_from([1, 2]))
@settings(max_examples=20, deadline=None)
def test_mbconv_equals_torchvision_mbconv(cin, cout, expand, k, stride) -> None:
    torch.manual_seed(0)
    config = tv_efficientnet.MBConvConfig(expand, k, stride, cin, cout, 1)
    theirs = tv_efficientnet.MBConv(config, 0.0, nn.BatchNorm2d)
    ours = models.MBConv(cin, cout, expand, k, stride)
    assert ours.use_res_connect == theirs.use_res_connect
    _same_outputs(ours, theirs, torch.randn(2, cin, 10, 10))


def test_efficientnet_b0_stage_is_made_of_our_mbconvs() -> None:
    """EfficientNet-B0's fourth stage (40 -> 80 channels, 3 blocks) loads into our blocks."""
    torch.manual_seed(0)
    theirs = tv_efficientnet.efficientnet_b0().features[4].eval()
    ours = nn.Sequential(models.MBConv(40, 80, 6, 3, 2), models.MBConv(80, 80, 6, 3), models.MBConv(80, 80, 6, 3))
    ours.eval().load_state_dict(theirs.state_dict())
    x = torch.randn(1, 40, 14, 14)
    with torch.no_grad():
        torch.testing.assert_close(ours(x), theirs(x))


@given(st.integers(1, 12), st.integers(1, 12), st.integers(1, 6), st.sampled_from([3, 5]))
@settings(max_examples=20, deadline=None)
def test_mbconv_parameters_follow_the_formula(cin, cout, expand, k) -> None:
    with torch.device("meta"):
        block = models.MBConv(cin, cout, expand, k)
    hidden, squeeze = cin * expand, max(1, cin // 4)
    expected = (
        (cin * hidden + 2 * hidden if expand != 1 else 0)  # expand 1x1 + BN
        + hidden * k * k + 2 * hidden                      # depthwise + BN
        + hidden * squeeze + squeeze + squeeze * hidden + hidden  # SE (with biases)
        + hidden * cout + 2 * cout                         # project + BN
    )
    assert arithmetic.count_params(block) == expected


def test_mbconv_adds_the_input_only_when_the_shape_is_kept() -> None:
    torch.manual_seed(0)
    x = torch.randn(2, 8, 8, 8)
    same = models.MBConv(8, 8).eval()
    with torch.no_grad():
        torch.testing.assert_close(same(x), same.block(x) + x)
        assert models.MBConv(8, 16)(x).shape == (2, 16, 8, 8)
        assert models.MBConv(8, 8, stride=2)(x).shape == (2, 8, 4, 4)
    assert not models.MBConv(8, 16).use_res_connect and not models.MBConv(8, 8, stride=2).use_res_connect


# --- ConvNeXt --------------------------------------------------------------------------------

@given(st.integers(1, 24), st.sampled_from([1e-6, 0.5, 1.0]))
@settings(max_examples=15, deadline=None)
def test_convnext_block_equals_torchvision_cnblock(dim, layer_scale) -> None:
    torch.manual_seed(0)
    theirs = tv_convnext.CNBlock(dim, layer_scale, 0.0)
    ours = models.ConvNeXtBlock(dim, layer_scale)
    for p in theirs.parameters():  # random weights everywhere, so every path matters
        nn.init.normal_(p, std=0.5)
    _same_outputs(ours, theirs, torch.randn(2, dim, 9, 9))


def test_convnext_tiny_stage_is_made_of_our_blocks() -> None:
    torch.manual_seed(0)
    theirs = tv_convnext.convnext_tiny().features[1].eval()  # three blocks of width 96
    ours = nn.Sequential(*[models.ConvNeXtBlock(96) for _ in range(3)]).eval()
    ours.load_state_dict(theirs.state_dict())
    x = torch.randn(1, 96, 8, 8)
    with torch.no_grad():
        torch.testing.assert_close(ours(x), theirs(x))


@given(st.integers(1, 64), st.sampled_from([3, 7]), st.integers(1, 4))
@settings(max_examples=20, deadline=None)
def test_convnext_block_parameters_and_macs_follow_the_formulas(dim, k, expansion) -> None:
    with torch.device("meta"):
        block = models.ConvNeXtBlock(dim, kernel_size=k, expansion=expansion)
    hidden = expansion * dim
    assert arithmetic.count_params(block) == (dim * k * k + dim) + 2 * dim + (dim * hidden + hidden) \
        + (hidden * dim + dim) + dim
    assert arithmetic.count_macs(block, (dim, 6, 6)).total == 36 * (dim * k * k + 2 * dim * hidden)


def test_small_convnext_shapes_and_layout() -> None:
    torch.manual_seed(0)
    model = models.SmallConvNeXt(1, 10, widths=(8, 16, 32), blocks_per_stage=2, patch_size=2)
    x = torch.randn(3, 1, 32, 32)
    assert model(x).shape == (3, 10) and model.features(x).shape == (3, 32)
    assert sum(isinstance(m, models.ConvNeXtBlock) for m in model.modules()) == 6
    count = arithmetic.count_macs(model, (1, 32, 32))
    assert count.table.set_index("layer").loc["stem.0", "output shape"] == (8, 16, 16)
    assert count.table.set_index("layer").loc["stages.2.0.1", "output shape"] == (32, 4, 4)
    assert count.params == arithmetic.count_params(model)
    # stem, two downsampling layers, blocks, final norm and classifier
    blocks = sum(arithmetic.count_params(models.ConvNeXtBlock(w)) for w in (8, 16, 32)) * 2
    expected = (arithmetic.conv2d_params(1, 8, 2) + 2 * 8 + blocks
                + 2 * 8 + arithmetic.conv2d_params(8, 16, 2) + 2 * 16 + arithmetic.conv2d_params(16, 32, 2)
                + 2 * 32 + arithmetic.linear_params(32, 10))
    assert arithmetic.count_params(model) == expected


@pytest.mark.parametrize("build", [
    lambda: models.SmallConvNeXt(widths=(8, 16)),
    lambda: models.SmallEfficientNet(widths=(8, 16), head_channels=32),
], ids=["SmallConvNeXt", "SmallEfficientNet"])
def test_small_networks_learn_a_batch(build) -> None:
    torch.manual_seed(0)
    model = build()
    x, y = torch.randn(16, 1, 16, 16), torch.arange(16) % 10
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-2)
    first = None
    for _ in range(30):
        optimiser.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimiser.step()
        first = loss.item() if first is None else first
    assert loss.item() < 0.5 * first


def test_small_efficientnet_shapes_and_layout() -> None:
    torch.manual_seed(0)
    model = models.SmallEfficientNet(1, 10, widths=(8, 16, 24), blocks_per_stage=2, expand_ratio=4,
                                     head_channels=32)
    x = torch.randn(3, 1, 32, 32)
    assert model(x).shape == (3, 10) and model.features(x).shape == (3, 32)
    blocks = [block for stage in model.stages for block in stage]
    assert all(isinstance(block, models.MBConv) for block in blocks) and len(blocks) == 6
    # the first stage does not expand; the first block of every later stage halves the resolution
    assert len(blocks[0].block) == 3 and all(len(block.block) == 4 for block in blocks[2:])
    assert [block.use_res_connect for block in blocks] == [True, True, False, True, False, True]
    table = arithmetic.count_macs(model, (1, 32, 32)).table.set_index("layer")
    assert table.loc["stem.0", "output shape"] == (8, 16, 16)
    assert table.loc["stages.2.0.block.1.0", "output shape"] == (64, 4, 4)
    assert table.loc["head.0", "output shape"] == (32, 4, 4)
    expected = (arithmetic.count_params(ConvNormActivation(1, 8, 3, stride=2))
                + sum(arithmetic.count_params(block) for block in blocks)
                + arithmetic.count_params(ConvNormActivation(24, 32, 1))
                + arithmetic.linear_params(32, 10))
    assert arithmetic.count_params(model) == expected


# --- Argument errors -------------------------------------------------------------------------

@pytest.mark.parametrize(("build", "error", "match"), [
    (lambda: models.DepthwiseSeparableConv(0, 4), ValueError, "in_channels"),
    (lambda: models.DepthwiseSeparableConv(4, 0), ValueError, "out_channels"),
    (lambda: models.DepthwiseSeparableConv(4, 4, 4), ValueError, "kernel_size must be odd"),
    (lambda: models.DepthwiseSeparableConv(4, 4, 3, 0), ValueError, "stride"),
    (lambda: models.DepthwiseSeparableConv(4.0, 4), TypeError, "in_channels"),
    (lambda: models.SqueezeExcitation(0, 2), ValueError, "channels"),
    (lambda: models.SqueezeExcitation(4, 0), ValueError, "squeeze_channels"),
    (lambda: models.SqueezeExcitation(4, 2, "gelu"), ValueError, "activation"),
    (lambda: models.MBConv(0, 4), ValueError, "in_channels"),
    (lambda: models.MBConv(4, 0), ValueError, "out_channels"),
    (lambda: models.MBConv(4, 4, 0), ValueError, "expand_ratio"),
    (lambda: models.MBConv(4, 4, 6, 2), ValueError, "kernel_size"),
    (lambda: models.MBConv(4, 4, 6, 3, 3), ValueError, "stride must be 1 or 2"),
    (lambda: models.MBConv(4, 4, 1.5), TypeError, "expand_ratio"),
    (lambda: models.ConvNeXtBlock(0), ValueError, "dim"),
    (lambda: models.ConvNeXtBlock(4, -1.0), ValueError, "layer_scale"),
    (lambda: models.ConvNeXtBlock(4, "1e-6"), TypeError, "layer_scale"),
    (lambda: models.ConvNeXtBlock(4, kernel_size=6), ValueError, "kernel_size"),
    (lambda: models.ConvNeXtBlock(4, expansion=0), ValueError, "expansion"),
    (lambda: models.SmallConvNeXt(in_channels=0), ValueError, "in_channels"),
    (lambda: models.SmallConvNeXt(num_classes=0), ValueError, "num_classes"),
    (lambda: models.SmallConvNeXt(widths=()), ValueError, "widths"),
    (lambda: models.SmallConvNeXt(widths=(8, 0)), ValueError, "widths"),
    (lambda: models.SmallConvNeXt(blocks_per_stage=0), ValueError, "blocks_per_stage"),
    (lambda: models.SmallConvNeXt(patch_size=0), ValueError, "patch_size"),
    (lambda: models.SmallConvNeXt(kernel_size=4), ValueError, "kernel_size"),
    (lambda: models.SmallEfficientNet(in_channels=0), ValueError, "in_channels"),
    (lambda: models.SmallEfficientNet(num_classes=0), ValueError, "num_classes"),
    (lambda: models.SmallEfficientNet(widths=()), ValueError, "widths"),
    (lambda: models.SmallEfficientNet(widths=(8, 0)), ValueError, "widths"),
    (lambda: models.SmallEfficientNet(blocks_per_stage=0), ValueError, "blocks_per_stage"),
    (lambda: models.SmallEfficientNet(expand_ratio=0), ValueError, "expand_ratio"),
    (lambda: models.SmallEfficientNet(kernel_size=4), ValueError, "kernel_size"),
    (lambda: models.SmallEfficientNet(head_channels=0), ValueError, "head_channels"),
    (lambda: models.SmallEfficientNet(widths=(8.0, 16)), TypeError, "widths"),
])
def test_bad_arguments_raise_errors(build, error, match) -> None:
    with pytest.raises(error, match=match):
        build()
