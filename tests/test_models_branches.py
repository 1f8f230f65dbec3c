"""cnnlib.models.branches: NiN, Inception, DenseNet, ResNeXt and MobileNetV2 blocks equal to
torchvision's, and the small networks built from them."""

from __future__ import annotations

import importlib

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from cnnlib import arithmetic, models

# torchvision.models re-exports functions with the modules' names (googlenet, densenet...)
tv_googlenet, tv_densenet, tv_resnet, tv_mobilenetv2 = (
    importlib.import_module(f"torchvision.models.{name}") for name in ("googlenet", "densenet", "resnet", "mobilenetv2")
)
BN = 2  # parameters of batch norm per channel (weight and bias)


def _same(ours: nn.Module, theirs: nn.Module, x: torch.Tensor, train: bool = True) -> None:
    """Same state-dict keys; weights loaded both ways; the same outputs in evaluation mode (and in
    training mode, when ``train``)."""
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for parameter in theirs.parameters():  # away from the initial values, so that a mix-up shows
        nn.init.normal_(parameter, 0.0, 0.5)
    for buffer_name, buffer in theirs.named_buffers():
        if buffer_name.endswith("running_var"):
            buffer.uniform_(0.5, 2.0)
        elif buffer_name.endswith("running_mean"):
            buffer.normal_()
    ours.load_state_dict(theirs.state_dict())
    for modes in ((False, True) if train else (False,)):
        ours.train(modes)
        theirs.train(modes)
        torch.testing.assert_close(ours(x), theirs(x))
    theirs.load_state_dict(ours.state_dict())  # and back
    ours.eval(), theirs.eval()
    torch.testing.assert_close(ours(x), theirs(x))


# --- equal to torchvision's blocks ----------------------------------------------------------------

@given(st.integers(1, 8), st.lists(st.integers(1, 6), min_size=6, max_size=6), st.integers(3, 9))
@settings(max_examples=10, deadline=None)
def test_inception_block_with_3x3_third_branch_equals_torchvision_inception(cin, sizes, side) -> None:
    torch.manual_seed(0)
    ours = models.InceptionBlock(cin, *sizes, branch3_kernel=3)
    theirs = tv_googlenet.Inception(cin, *sizes)
    _same(ours, theirs, torch.randn(2, cin, side, side))
    assert ours.out_channels == sizes[0] + sizes[2] + sizes[4] + sizes[5]


def test_inception_block_default_is_the_papers_5x5() -> None:
    block = models.InceptionBlock(192, 64, 96, 128, 16, 32, 32)
    assert block.branch3[1].conv.kernel_size == (5, 5) and block.branch3[1].conv.padding == (2, 2)
    assert block(torch.randn(1, 192, 9, 9)).shape == (1, 256, 9, 9)
    convs = [(192, 64, 1), (192, 96, 1), (96, 128, 3), (192, 16, 1), (16, 32, 5), (192, 32, 1)]
    expected = sum(arithmetic.conv2d_params(i, o, k, bias=False) + BN * o for i, o, k in convs)
    assert arithmetic.count_params(block) == expected
    assert all(m.eps == 0.001 for m in block.modules() if isinstance(m, nn.BatchNorm2d))
    pool = block.branch4[0]
    assert (pool.kernel_size, pool.stride, pool.padding, pool.ceil_mode) == (3, 1, 1, True)


def test_googlenet_inception_3a_loads_into_our_block() -> None:
    torch.manual_seed(0)
    theirs = tv_googlenet.GoogLeNet(aux_logits=False, init_weights=False).inception3a.eval()
    ours = models.InceptionBlock(192, 64, 96, 128, 16, 32, 32, branch3_kernel=3).eval()
    ours.load_state_dict(theirs.state_dict())
    x = torch.randn(1, 192, 7, 7)
    torch.testing.assert_close(ours(x), theirs(x))


@given(st.integers(1, 12), st.integers(1, 6), st.integers(1, 4), st.sampled_from([0.0, 0.3]))
@settings(max_examples=10, deadline=None)
def test_dense_layer_equals_torchvision_dense_layer(cin, growth, bn_size, drop) -> None:
    torch.manual_seed(0)
    ours = models.DenseLayer(cin, growth, bn_size, drop)
    theirs = tv_densenet._DenseLayer(cin, growth, bn_size, drop)
    _same(ours, theirs, torch.randn(2, cin, 6, 6), train=drop == 0)
    assert ours(torch.randn(2, cin, 6, 6)).shape == (2, growth, 6, 6)


@given(st.integers(1, 4), st.integers(1, 10), st.integers(1, 6), st.integers(1, 4))
@settings(max_examples=10, deadline=None)
def test_dense_block_equals_torchvision_dense_block(layers, cin, growth, bn_size) -> None:
    torch.manual_seed(0)
    ours = models.DenseBlock(layers, cin, growth, bn_size)
    theirs = tv_densenet._DenseBlock(layers, cin, bn_size, growth, 0.0)
    x = torch.randn(2, cin, 5, 5)
    _same(ours, theirs, x)
    assert ours.out_channels == cin + layers * growth
    assert ours(x).shape == (2, ours.out_channels, 5, 5)
    torch.testing.assert_close(ours(x)[:, :cin], x)  # the input is passed on unchanged


@given(st.integers(1, 12), st.integers(1, 12), st.sampled_from([4, 5, 8]))
@settings(max_examples=8, deadline=None)
def test_transition_equals_torchvision_transition(cin, cout, side) -> None:
    torch.manual_seed(0)
    ours = models.Transition(cin, cout)
    _same(ours, tv_densenet._Transition(cin, cout), torch.randn(2, cin, side, side))
    assert [name for name, _ in ours.named_children()] == ["norm", "relu", "conv", "pool"]
    assert ours(torch.randn(1, cin, side, side)).shape == (1, cout, side // 2, side // 2)


def test_densenet121_first_block_and_transition_load_into_ours() -> None:
    torch.manual_seed(0)
    features = tv_densenet.densenet121().features.eval()
    ours = nn.Sequential(models.DenseBlock(6, 64, 32), models.Transition(256, 128)).eval()
    ours.load_state_dict(nn.Sequential(features.denseblock1, features.transition1).state_dict())
    x = torch.randn(1, 64, 8, 8)
    torch.testing.assert_close(ours(x), features.transition1(features.denseblock1(x)))


def _torchvision_downsample(cin: int, cout: int, stride: int) -> nn.Sequential | None:
    if stride == 1 and cin == cout:
        return None
    return nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))


@given(st.integers(1, 40), st.sampled_from([4, 8, 16, 32]), st.sampled_from([1, 2]),
       st.sampled_from([1, 2, 4, 8]), st.sampled_from([4, 16, 32]))
@settings(max_examples=12, deadline=None)
def test_resnext_block_equals_torchvision_bottleneck_with_groups(cin, planes, stride, cardinality, per_group) -> None:
    width = int(planes * per_group / 64) * cardinality
    if width == 0:
        with pytest.raises(ValueError, match="planes"):
            models.ResNeXtBlock(cin, planes, stride, cardinality, per_group)
        return
    torch.manual_seed(0)
    cout = planes * 4
    theirs = tv_resnet.Bottleneck(cin, planes, stride, _torchvision_downsample(cin, cout, stride),
                                  groups=cardinality, base_width=per_group)
    ours = models.ResNeXtBlock(cin, planes, stride, cardinality, per_group)
    assert isinstance(ours, models.BottleneckBlock)
    assert ours.conv2.groups == cardinality and ours.conv2.in_channels == width
    _same(ours, theirs, torch.randn(2, cin, 6, 6))


def test_resnext50_stage_is_made_of_our_blocks() -> None:
    torch.manual_seed(0)
    theirs = tv_resnet.resnext50_32x4d().layer2.eval()
    ours = nn.Sequential(models.ResNeXtBlock(256, 128, stride=2),
                         *[models.ResNeXtBlock(512, 128) for _ in range(3)]).eval()
    ours.load_state_dict(theirs.state_dict())
    x = torch.randn(1, 256, 8, 8)
    torch.testing.assert_close(ours(x), theirs(x))


def test_resnext_block_parameters_follow_the_formula() -> None:
    block = models.ResNeXtBlock(256, 64)  # width 128 in 32 groups of 4
    expected = (arithmetic.conv2d_params(256, 128, 1, bias=False) + BN * 128
                + 128 * (128 // 32) * 9 + BN * 128
                + arithmetic.conv2d_params(128, 256, 1, bias=False) + BN * 256)
    assert block.downsample is None and arithmetic.count_params(block) == expected


def test_bottleneck_block_groups_and_out_channels() -> None:
    block = models.BottleneckBlock(16, 8, groups=4, out_channels=24)
    assert block.conv2.groups == 4 and block.conv3.out_channels == 24 and block.downsample is not None
    assert block(torch.randn(1, 16, 5, 5)).shape == (1, 24, 5, 5)
    default = models.BottleneckBlock(16, 8)
    assert default.conv2.groups == 1 and default.conv3.out_channels == 32
    with pytest.raises(ValueError, match="groups"):
        models.BottleneckBlock(16, 6, groups=4)
    with pytest.raises(ValueError, match="groups"):
        models.BottleneckBlock(16, 8, groups=0)
    with pytest.raises(TypeError, match="out_channels"):
        models.BottleneckBlock(16, 8, out_channels=2.5)


@given(st.integers(1, 12), st.integers(1, 12), st.sampled_from([1, 2]), st.sampled_from([1, 2, 6, 2.5]))
@settings(max_examples=12, deadline=None)
def test_inverted_residual_equals_torchvision(cin, cout, stride, ratio) -> None:
    torch.manual_seed(0)
    ours = models.InvertedResidual(cin, cout, stride, ratio)
    theirs = tv_mobilenetv2.InvertedResidual(cin, cout, stride, ratio)
    _same(ours, theirs, torch.randn(2, cin, 7, 7))
    assert ours.use_res_connect == theirs.use_res_connect == (stride == 1 and cin == cout)
    hidden = round(cin * ratio)
    assert ours.conv[-2].in_channels == hidden and (len(ours.conv) == 3) == (ratio == 1)


def test_mobilenet_v2_features_load_into_our_blocks() -> None:
    torch.manual_seed(0)
    theirs = nn.Sequential(*list(tv_mobilenetv2.mobilenet_v2().features)[1:4]).eval()
    ours = nn.Sequential(models.InvertedResidual(32, 16, 1, 1), models.InvertedResidual(16, 24, 2, 6),
                         models.InvertedResidual(24, 24, 1, 6)).eval()
    ours.load_state_dict(theirs.state_dict())
    x = torch.randn(1, 32, 8, 8)
    torch.testing.assert_close(ours(x), theirs(x))


def test_inverted_residual_parameters_follow_the_formula() -> None:
    block = models.InvertedResidual(16, 24, stride=2, expand_ratio=6)
    expected = (16 * 96 + BN * 96) + (96 * 9 + BN * 96) + (96 * 24 + BN * 24)
    assert arithmetic.count_params(block) == expected
    assert [type(m).__name__ for m in block.conv[1]] == ["Conv2d", "BatchNorm2d", "ReLU6"]


# --- NiN ----------------------------------------------------------------------------------------

@given(st.integers(1, 6), st.integers(1, 8), st.sampled_from([1, 3, 5]), st.sampled_from([1, 2]),
       st.integers(0, 2))
@settings(max_examples=10, deadline=None)
def test_nin_block_is_a_convolution_and_two_1x1_convolutions(cin, cout, k, stride, padding) -> None:
    torch.manual_seed(0)
    block = models.NiNBlock(cin, cout, k, stride, padding)
    x = torch.randn(2, cin, 9, 9)
    conv1, conv2, conv3 = (m for m in block if isinstance(m, nn.Conv2d))
    expected = torch.relu(conv3(torch.relu(conv2(torch.relu(conv1(x))))))
    torch.testing.assert_close(block(x), expected)
    assert conv1.kernel_size == (k, k) and conv2.kernel_size == conv3.kernel_size == (1, 1)
    params = arithmetic.conv2d_params(cin, cout, k) + 2 * arithmetic.conv2d_params(cout, cout, 1)
    assert arithmetic.count_params(block) == params


def test_nin_block_with_batch_norm() -> None:
    block = models.NiNBlock(3, 8, 3, padding=1, batch_norm=True)
    assert [type(m).__name__ for m in block] == ["Conv2d", "BatchNorm2d", "ReLU"] * 3
    assert all(m.bias is None for m in block if isinstance(m, nn.Conv2d))
    assert block(torch.randn(2, 3, 6, 6)).shape == (2, 8, 6, 6)


# --- bad arguments ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("build", "error", "name"), [
    (lambda: models.NiNBlock(0, 8, 3), ValueError, "in_channels"),
    (lambda: models.NiNBlock(1, 8, 3, padding=-1), ValueError, "padding"),
    (lambda: models.NiNBlock(1, 8, 3.0), TypeError, "kernel_size"),
    (lambda: models.NiNBlock(1, 8, 3, batch_norm=1), TypeError, "batch_norm"),
    (lambda: models.InceptionBlock(8, 4, 3, 5, 2, 3, 2, branch3_kernel=7), ValueError, "branch3_kernel"),
    (lambda: models.InceptionBlock(8, 4, 3, 5, 0, 3, 2), ValueError, "ch5x5red"),
    (lambda: models.InceptionBlock(8, 4, "3", 5, 2, 3, 2), TypeError, "ch3x3red"),
    (lambda: models.DenseLayer(8, 0), ValueError, "growth_rate"),
    (lambda: models.DenseLayer(8, 4, drop_rate=1.0), ValueError, "drop_rate"),
    (lambda: models.DenseLayer(8, 4, drop_rate="0.1"), TypeError, "drop_rate"),
    (lambda: models.DenseBlock(0, 8, 4), ValueError, "num_layers"),
    (lambda: models.Transition(8, 0), ValueError, "out_channels"),
    (lambda: models.ResNeXtBlock(8, 4, cardinality=0), ValueError, "cardinality"),
    (lambda: models.ResNeXtBlock(8, 4.0), TypeError, "planes"),
    (lambda: models.InvertedResidual(8, 8, stride=3), ValueError, "stride"),
    (lambda: models.InvertedResidual(8, 8, expand_ratio=0), ValueError, "expand_ratio"),
    (lambda: models.InvertedResidual(8, 8, expand_ratio="6"), TypeError, "expand_ratio"),
    (lambda: models.SmallNiN(widths=()), ValueError, "widths"),
    (lambda: models.SmallGoogLeNet(stages=(((1, 2, 3),),)), ValueError, "stages"),
    (lambda: models.SmallGoogLeNet(stages=()), ValueError, "stages"),
    (lambda: models.SmallDenseNet(growth_rate=0), ValueError, "growth_rate"),
    (lambda: models.SmallDenseNet(block_layers=()), ValueError, "block_layers"),
    (lambda: models.SmallResNeXt(planes=(8, 0)), ValueError, "planes"),
    (lambda: models.SmallMobileNetV2(settings=((6, 16, 2),)), ValueError, "settings"),
    (lambda: models.SmallMobileNetV2(num_classes=0), ValueError, "num_classes"),
])
def test_bad_arguments_are_named(build, error, name) -> None:
    with pytest.raises(error, match=name):
        build()


# --- the small networks -------------------------------------------------------------------------------

SMALL = [models.SmallNiN, models.SmallGoogLeNet, models.SmallDenseNet, models.SmallResNeXt, models.SmallMobileNetV2]
REFERENCE_MACS = 772_416  # SmallResNet(1, 10, widths=(8, 16, 32), blocks_per_stage=1, stem_stride=2), 1x32x32


@pytest.mark.parametrize("cls", SMALL)
def test_small_networks_take_28_and_32_pixel_images_at_a_cost_like_the_small_resnet(cls) -> None:
    torch.manual_seed(0)
    model = cls()
    for side in (28, 32, 36):
        assert model(torch.randn(3, 1, side, side)).shape == (3, 10)
    assert 10_000 <= arithmetic.count_params(model) <= 100_000
    macs = arithmetic.count_macs(model, (1, 32, 32)).total
    assert 0.5 * REFERENCE_MACS <= macs <= 3 * REFERENCE_MACS
    assert cls(in_channels=3, num_classes=7)(torch.randn(2, 3, 28, 28)).shape == (2, 7)
    rf = arithmetic.receptive_field(model.features, (1, 32, 32))
    assert rf.output_size == tuple(model.features(torch.zeros(1, 1, 32, 32)).shape[-2:])
    assert rf.size[0] > 7


def test_small_nin_has_no_dense_layer() -> None:
    model = models.SmallNiN()
    assert not any(isinstance(m, nn.Linear) for m in model.modules())
    assert model.features[-1].out_channels == 10
    assert not any(isinstance(m, nn.BatchNorm2d) for m in models.SmallNiN(batch_norm=False).modules())


def test_small_networks_are_built_from_the_blocks() -> None:
    assert sum(isinstance(m, models.InceptionBlock) for m in models.SmallGoogLeNet().modules()) == 3
    dense = models.SmallDenseNet(growth_rate=4, block_layers=(2, 3), stem_channels=8)
    assert [type(m).__name__ for m in dense.features.children()][3:] == [
        "MaxPool2d", "DenseBlock", "Transition", "DenseBlock", "BatchNorm2d"]
    assert dense.features.denseblock1.out_channels == 16 and dense.features.transition1.out_channels == 8
    assert dense.classifier.in_features == 8 + 3 * 4
    assert all(b.conv2.groups == 4 for b in models.SmallResNeXt().modules() if isinstance(b, models.ResNeXtBlock))
    mobile = models.SmallMobileNetV2(settings=((1, 8, 1, 1), (6, 12, 2, 2)))
    blocks = [m for m in mobile.features if isinstance(m, models.InvertedResidual)]
    assert [(b.stride, b.use_res_connect) for b in blocks] == [(1, False), (2, False), (1, True)]
