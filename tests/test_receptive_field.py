"""Receptive fields: the recurrence of Araujo et al. against fields measured with gradients.

The measurement is independent of the recurrence: with every weight positive, every input
positive and max pooling replaced by average pooling (same windows), no path through the network
is cut, so the input pixels whose gradient is non-zero for one output unit are exactly those the
unit can see. Its extent must be the field ``ReceptiveField.region`` predicts, clipped to the input.
Large torchvision networks are measured on a copy with one channel per layer: the channels do not
change which pixels are connected, only the cost.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
import torchvision
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from torch import nn

from cnnlib import arithmetic, models
from cnnlib._receptive_field import FIELD_COLUMNS


# --- measuring a field with gradients -----------------------------------------------------------

def measured_region(net: nn.Module, input_size: tuple[int, int, int], unit: tuple[int, int],
                    inputs: torch.Tensor | None = None) -> tuple[range, range]:
    """Rows and columns spanned by the input pixels whose gradient for output ``unit`` is non-zero
    (two empty ranges if there are none)."""
    dtype = next(net.parameters(), torch.empty(0, dtype=torch.float64)).dtype
    x = torch.ones((1, *input_size), dtype=dtype) if inputs is None else inputs.clone()
    x.requires_grad_(True)
    y = net(x)
    (grad,) = torch.autograd.grad(y[0, :, unit[0], unit[1]].sum(), x)
    reached = grad[0].abs().sum(0) > 0
    rows = torch.nonzero(reached.any(1))[:, 0]
    cols = torch.nonzero(reached.any(0))[:, 0]
    if not len(rows):  # the unit sees only padding
        return range(0), range(0)
    return range(int(rows.min()), int(rows.max()) + 1), range(int(cols.min()), int(cols.max()) + 1)


class SumChannels(nn.Module):
    """Sum an input's channels into one (``(N, C, H, W) -> (N, 1, H, W)``)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.sum(1, keepdim=True)


def thin_positive(model: nn.Module, sum_channels: bool = False) -> nn.Module:
    """A copy of ``model`` with one channel per convolution, weights 1/(kh·kw) and no bias, max
    pooling replaced by average pooling over the same windows and batch normalisation removed
    (float64, so that the faint paths at the edge of a deep field stay non-zero).

    With ``sum_channels``, for networks that concatenate (Inception, DenseNet): a concatenation of
    one-channel branches has several channels, so every convolution first sums its input's
    channels into one (which connects the same pixels), and ReLU6 is removed too, since it would
    clip the growing sums and cut paths. Grouped and depthwise convolutions connect, channel by
    channel, the same pixels as their one-channel copy."""
    model = copy.deepcopy(model)
    removed = (nn.BatchNorm2d, nn.Hardtanh) if sum_channels else (nn.BatchNorm2d,)  # Hardtanh: ReLU6
    for name, module in list(model.named_modules()):
        if isinstance(module, nn.Conv2d):
            new = nn.Conv2d(1, 1, module.kernel_size, module.stride, module.padding,
                            module.dilation, bias=False, padding_mode=module.padding_mode,
                            dtype=torch.float64)
            nn.init.constant_(new.weight, 1 / math.prod(module.kernel_size))
            if sum_channels:
                new = nn.Sequential(SumChannels(), new)
        elif isinstance(module, nn.MaxPool2d):
            assert module.dilation in (1, (1, 1)), "average pooling has no dilation"
            new = nn.AvgPool2d(module.kernel_size, module.stride, module.padding, module.ceil_mode)
        elif isinstance(module, removed):
            new = nn.Identity()
        else:
            continue
        parent, _, child = name.rpartition(".")
        setattr(model.get_submodule(parent), child, new)
    return model


def make_positive(model: nn.Module) -> nn.Module:
    """``model`` (real weights) with every parameter made positive and max pooling averaged."""
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.abs_().add_(1e-3)
    for name, module in list(model.named_modules()):
        if isinstance(module, nn.MaxPool2d):
            parent, _, child = name.rpartition(".")
            pool = nn.AvgPool2d(module.kernel_size, module.stride, module.padding, module.ceil_mode)
            setattr(model.get_submodule(parent), child, pool)
    return model


def units_to_check(rf: arithmetic.ReceptiveField) -> list[tuple[int, int]]:
    (h, w), centre = rf.output_size, rf.center
    return sorted({(0, 0), centre, (h - 1, w - 1), (0, w - 1)})


def assert_fields_agree(rf: arithmetic.ReceptiveField, net: nn.Module,
                        inputs: torch.Tensor | None = None, channels: int | None = None) -> None:
    """The measured extent equals the predicted field, clipped, for the corners and the centre
    (measured on ``channels`` input channels: 1 for a thin copy)."""
    size = (channels or rf.input_size[0], *rf.input_size[1:])
    for unit in units_to_check(rf):
        assert measured_region(net, size, unit, inputs) == rf.region(*unit), unit
    rows, cols = rf.region(*rf.center, clip=False)
    assert (len(rows), len(cols)) == rf.size


def meta_model(name: str) -> nn.Module:
    with torch.device("meta"):
        return getattr(torchvision.models, name)(weights=None)


# --- torchvision's architectures --------------------------------------------------------------

@pytest.mark.parametrize(("name", "side"), [("alexnet", 320), ("vgg16", 320)])
def test_alexnet_and_vgg16_fields_match_gradients(name: str, side: int) -> None:
    model = meta_model(name)
    rf = arithmetic.receptive_field(model, (3, side, side), until="avgpool")
    assert rf.region(*rf.center) == rf.region(*rf.center, clip=False)  # the centre is not clipped
    assert_fields_agree(rf, thin_positive(model).features, channels=1)
    features = arithmetic.receptive_field(model.features, (3, side, side))
    assert (features.size, features.stride, features.padding) == (rf.size, rf.stride, rf.padding)


@pytest.mark.parametrize("name", ["resnet18", "resnet50"])
def test_resnet_fields_match_gradients(name: str) -> None:
    model = meta_model(name)
    rf = arithmetic.receptive_field(model, (3, 512, 512), until="avgpool")
    assert rf.region(*rf.center) == rf.region(*rf.center, clip=False)
    thin = thin_positive(model)
    trunk = nn.Sequential(thin.conv1, thin.bn1, thin.relu, thin.maxpool,
                          thin.layer1, thin.layer2, thin.layer3, thin.layer4)
    assert_fields_agree(rf, trunk, channels=1)


def test_resnet50_at_224_is_clipped_and_still_agrees() -> None:
    model = meta_model("resnet50")
    rf = arithmetic.receptive_field(model, (3, 224, 224), until="avgpool")
    assert rf.size[0] > 224  # the theoretical field is larger than the image
    assert rf.region(*rf.center) == (range(224), range(224))
    thin = thin_positive(model)
    trunk = nn.Sequential(thin.conv1, thin.bn1, thin.relu, thin.maxpool,
                          thin.layer1, thin.layer2, thin.layer3, thin.layer4)
    assert_fields_agree(rf, trunk, channels=1)


#: Analytic fields and jumps of the trunks of torchvision's branching networks (at 224x224).
BRANCHING = {"googlenet": (379, 32), "resnext50_32x4d": (427, 32), "mobilenet_v2": (491, 32), "densenet121": (2071, 32)}
GOOGLENET_TRUNK = ["conv1", "maxpool1", "conv2", "conv3", "maxpool2", "inception3a", "inception3b", "maxpool3",
                   "inception4a", "inception4b", "inception4c", "inception4d", "inception4e", "maxpool4",
                   "inception5a", "inception5b"]


def branching_field(name: str, side: int) -> tuple[arithmetic.ReceptiveField, nn.Module]:
    """The analytic field of a branching network's trunk on ``side x side`` images, and the thin
    copy of that trunk to measure it on."""
    with torch.device("meta"):
        kwargs = {"aux_logits": False, "init_weights": False} if name == "googlenet" else {}
        model = getattr(torchvision.models, name)(weights=None, **kwargs)
    if name in ("googlenet", "resnext50_32x4d"):
        rf = arithmetic.receptive_field(model, (3, side, side), until="avgpool")
        thin = thin_positive(model, sum_channels=True)
        layers = GOOGLENET_TRUNK if name == "googlenet" else [
            "conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4"]
        return rf, nn.Sequential(*[getattr(thin, layer) for layer in layers])
    return arithmetic.receptive_field(model.features, (3, side, side)), thin_positive(model, sum_channels=True).features


@pytest.mark.parametrize("name", list(BRANCHING))
def test_branching_networks_at_224_have_their_known_fields(name: str) -> None:
    rf, _ = branching_field(name, 224)
    assert (rf.size, rf.stride) == ((BRANCHING[name][0],) * 2, (BRANCHING[name][1],) * 2)
    assert rf.region(*rf.center) == (range(224), range(224))  # larger than the image: clipped


@pytest.mark.parametrize(("name", "side"), [("googlenet", 512), ("resnext50_32x4d", 512),
                                            ("mobilenet_v2", 512), ("densenet121", 1088)])
def test_branching_networks_fields_match_gradients(name: str, side: int) -> None:
    """Branches, concatenations, grouped and depthwise convolutions: the recurrence agrees with
    the measurement. DenseNet-121's field (2071) is measured at 1088, where the corner units' fields
    are clipped on the outer side only (the whole field would take a 2112-pixel input, ten times
    the time)."""
    rf, trunk = branching_field(name, side)
    assert rf.size[0] == BRANCHING[name][0]
    if rf.size[0] < side:
        assert rf.region(*rf.center) == rf.region(*rf.center, clip=False)  # the centre is not clipped
    else:
        corner_rows, _ = rf.region(0, 0)
        assert corner_rows.start == 0 and corner_rows.stop < side  # clipped at the border, not inside
    assert_fields_agree(rf, trunk, channels=1)


def test_full_width_alexnet_with_positive_weights_agrees() -> None:
    torch.manual_seed(0)
    model = make_positive(torchvision.models.alexnet(weights=None))
    rf = arithmetic.receptive_field(model, (3, 256, 256), until="avgpool")
    assert rf.region(*rf.center) == rf.region(*rf.center, clip=False)
    assert_fields_agree(rf, model.features)


def test_lenet5_sees_its_whole_input_and_the_analysis_stops_at_flatten() -> None:
    torch.manual_seed(0)
    model = make_positive(models.LeNet5(style="modern"))  # tanh would saturate
    rf = arithmetic.receptive_field(model, (1, 32, 32))
    assert rf.output_size == (1, 1)
    assert list(rf.table["layer"]) == [f"features.{n}" for n, _ in model.features.named_children()]
    assert_fields_agree(rf, model.features)


def test_until_analyses_the_input_of_the_named_layer() -> None:
    model = meta_model("resnet18")
    upto3 = arithmetic.receptive_field(model, (3, 224, 224), until="layer4")
    whole = arithmetic.receptive_field(model, (3, 224, 224), until="avgpool")
    assert upto3.rows == whole.rows[: len(upto3.rows)]
    assert whole.rows[len(upto3.rows)]["layer"] == "layer4.0.conv1"
    thin = thin_positive(model)
    trunk = nn.Sequential(thin.conv1, thin.bn1, thin.relu, thin.maxpool,
                          thin.layer1, thin.layer2, thin.layer3)
    assert_fields_agree(upto3, trunk, channels=1)
    assert upto3.stride == (16, 16)
    early = arithmetic.receptive_field(model, (3, 224, 224), until="layer1.0.conv2")
    assert early.rows[-1]["layer"] == "layer1.0.relu" and early.size == early.rows[-1]["receptive field"]


def test_effective_field_of_a_positive_resnet_fills_exactly_the_field() -> None:
    model = meta_model("resnet18")
    rf = arithmetic.receptive_field(model, (3, 512, 512), until="avgpool")
    thin = thin_positive(model)
    ones = torch.ones(1, 1, 512, 512, dtype=torch.float64)
    erf = arithmetic.effective_receptive_field(thin, (1, 512, 512), inputs=ones, until="avgpool")
    rows, cols = rf.region(*rf.center)
    support = torch.zeros_like(erf, dtype=torch.bool)
    support[rows.start:rows.stop, cols.start:cols.stop] = True
    assert torch.equal(erf > 0, support)


# --- small networks: recurrence, branches, dilation, per-dimension settings ----------------------

@given(st.integers(1, 6), st.sampled_from([1, 3, 5, 7]))
@settings(max_examples=20, deadline=None)
def test_stride_one_stack_grows_by_k_minus_1_per_layer(layers: int, k: int) -> None:
    net = nn.Sequential(*[nn.Conv2d(1, 1, k, padding=k // 2) for _ in range(layers)])
    rf = arithmetic.receptive_field(net, (1, 40, 40))
    assert rf.size == (1 + layers * (k - 1),) * 2
    assert rf.stride == (1, 1) and rf.padding == (layers * (k // 2),) * 2
    assert len(rf.table) == layers


layer_settings = st.tuples(
    st.sampled_from(["conv", "max", "avg", "lp"]),
    st.tuples(st.integers(1, 5), st.integers(1, 5)),  # kernel
    st.tuples(st.integers(1, 3), st.integers(1, 3)),  # stride
    st.tuples(st.integers(0, 2), st.integers(0, 2)),  # padding
    st.tuples(st.integers(1, 3), st.integers(1, 3)),  # dilation
    st.booleans(),  # ceil mode
)


def build_layer(kind: str, k, s, p, d, ceil: bool) -> nn.Module:
    if kind == "conv":
        conv = nn.Conv2d(1, 1, k, s, p, d, bias=False, dtype=torch.float64)
        nn.init.constant_(conv.weight, 1.0 / (k[0] * k[1]))
        return conv
    if kind == "lp":  # power-average pooling: no padding, no dilation
        return nn.LPPool2d(2, k, s, ceil_mode=ceil)
    p = (min(p[0], k[0] // 2), min(p[1], k[1] // 2))  # PyTorch's limit for pooling
    if kind == "max":
        return nn.MaxPool2d(k, s, p, d, ceil_mode=ceil and d == (1, 1))
    return nn.AvgPool2d(k, s, p, ceil_mode=ceil)


@given(st.lists(layer_settings, min_size=1, max_size=4), st.integers(24, 48), st.integers(24, 48))
@settings(max_examples=30, deadline=None)
def test_random_stacks_match_gradients(specs: list, height: int, width: int) -> None:
    layers = [build_layer(*spec) for spec in specs]
    net = nn.Sequential(*layers)
    try:
        out = net(torch.zeros(1, 1, height, width, dtype=torch.float64))
    except RuntimeError:
        assume(False)  # the input is too small for these layers
    rf = arithmetic.receptive_field(net, (1, height, width))
    assert rf.output_size == tuple(out.shape[-2:])
    measured = nn.Sequential(*[same_windows(m) for m in layers])
    for unit in units_to_check(rf):
        got = measured_region(measured, rf.input_size, unit)
        clipped, whole = rf.region(*unit), rf.region(*unit, clip=False)
        if clipped == whole:  # the whole field lies inside the input: it is read to its ends
            assert got == whole, unit
        else:  # near the border, intermediate windows hang over padding and gaps may miss pixels
            assert all(set(r) <= set(c) for r, c in zip(got, clipped)), unit


def same_windows(layer: nn.Module) -> nn.Module:
    """For the measurement, max pooling becomes an operation over the same windows that passes
    gradient to every pixel: average pooling, or a positive convolution where it is dilated."""
    if not isinstance(layer, nn.MaxPool2d):
        return layer
    if layer.dilation in (1, (1, 1)):
        return nn.AvgPool2d(layer.kernel_size, layer.stride, layer.padding, layer.ceil_mode)
    conv = nn.Conv2d(1, 1, layer.kernel_size, layer.stride, layer.padding, layer.dilation,
                     bias=False, dtype=torch.float64)
    nn.init.constant_(conv.weight, 1.0)
    return conv  # (no ceil mode: build_layer gives dilated pooling none)


class UnalignedBranches(nn.Module):
    """Two branches whose fields overlap without one containing the other, concatenated."""

    def __init__(self) -> None:
        super().__init__()
        self.left = nn.Conv2d(1, 1, 3, bias=False, dtype=torch.float64)
        self.right = nn.Conv2d(1, 1, 3, bias=False, dtype=torch.float64)
        self.mix = nn.Conv2d(2, 1, 1, bias=False, dtype=torch.float64)
        for conv in (self.left, self.right, self.mix):
            nn.init.constant_(conv.weight, 0.1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shifted = F.pad(x, (2, -2, 2, -2))  # moves the image 2 pixels right and down
        both = torch.cat([self.left(x), self.right(shifted)], dim=1)
        return torch.relu(self.mix(both)) + 0.5 * self.left(x)


def test_merging_branches_covers_both_fields() -> None:
    net = UnalignedBranches()
    rf = arithmetic.receptive_field(net, (1, 20, 20))
    assert rf.size == (5, 5) and rf.padding == (2, 2)  # larger than either branch alone (3)
    assert_fields_agree(rf, net)
    assert "cat" in set(rf.table["type"]) and "pad" in set(rf.table["type"])


def test_per_dimension_kernels_strides_and_dilations() -> None:
    net = nn.Sequential(
        nn.Conv2d(1, 1, (3, 5), stride=(1, 2), dilation=(2, 1), padding=(2, 1), bias=False),
        nn.AvgPool2d((2, 3), stride=(2, 1)),
        nn.Conv2d(1, 1, (1, 3), padding="same", bias=False),
    ).double()
    for conv in (net[0], net[2]):
        nn.init.constant_(conv.weight, 0.2)
    rf = arithmetic.receptive_field(net, (1, 30, 40))
    assert rf.size[0] != rf.size[1]
    assert rf.table["kernel"].iloc[0] == (3, 5)
    assert_fields_agree(rf, net)


def test_convnext_blocks_with_permutes_and_layer_norm_match_gradients() -> None:
    from torchvision.models.convnext import CNBlock, LayerNorm2d

    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(2, 4, 4, stride=4), LayerNorm2d(4), CNBlock(4, 1.0, 0.0),
        nn.Conv2d(4, 8, 2, stride=2), CNBlock(8, 1.0, 0.0),
    ).double().eval()
    rf = arithmetic.receptive_field(net, (2, 64, 64))
    inputs = torch.randn(1, 2, 64, 64, dtype=torch.float64)  # generic weights and inputs
    assert_fields_agree(rf, net, inputs)
    # torchvision's ConvNeXt-Tiny: a 4x4 stem of stride 4, then 3, 3, 9 and 3 blocks of 7x7
    # depthwise convolutions (padding 3), with a 2x2 convolution of stride 2 between stages
    tiny = arithmetic.receptive_field(meta_model("convnext_tiny"), (3, 64, 64), until="avgpool")
    size, padding, jump = 4, 0, 4
    for stage, blocks in enumerate((3, 3, 9, 3)):
        if stage:
            size, jump = size + jump, 2 * jump
        size, padding = size + blocks * 6 * jump, padding + blocks * 3 * jump
    assert (tiny.size, tiny.stride, tiny.padding, tiny.output_size) == ((size,) * 2, (jump,) * 2, (padding,) * 2, (2, 2))
    assert size == 1688


def test_dilation_grows_the_field_without_shrinking_the_map() -> None:
    net = nn.Sequential(*[nn.Conv2d(1, 1, 3, padding=d, dilation=d) for d in (1, 2, 4, 8)])
    rf = arithmetic.receptive_field(net, (1, 64, 64))
    assert rf.output_size == (64, 64)
    assert list(rf.table["receptive field"]) == [3, 7, 15, 31]  # 2^(l+1) - 1


def test_table_and_html() -> None:
    rf = arithmetic.receptive_field(models.LeNet5(), (1, 32, 32))
    assert tuple(rf.table.columns) == FIELD_COLUMNS
    assert rf.table["receptive field"].iloc[-1] == rf.size[0]
    html = rf._repr_html_()
    assert "<table" in html and "features.c5" in html
    assert "size=32" in repr(rf)


# --- the effective receptive field ---------------------------------------------------------------

def test_effective_field_of_a_linear_ones_stack_counts_paths() -> None:
    layers, side = 3, 15
    net = nn.Sequential(*[nn.Conv2d(1, 1, 3, padding=1, bias=False) for _ in range(layers)])
    for conv in net:
        nn.init.ones_(conv.weight)
    erf = arithmetic.effective_receptive_field(net, (1, side, side))
    counts = np.array([1.0])
    for _ in range(layers):  # paths through L windows of 3: the L-fold convolution of a box
        counts = np.convolve(counts, np.ones(3))
    line = np.zeros(side)
    line[side // 2 - layers: side // 2 + layers + 1] = counts
    expected = torch.from_numpy(np.outer(line, line) / np.outer(line, line).sum()).float()
    torch.testing.assert_close(erf, expected)


def test_effective_field_equals_the_jacobian_of_the_centre_unit() -> None:
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(4, 3, 3, padding=1), nn.Tanh())
    inputs = torch.randn(5, 2, 12, 12)
    erf = arithmetic.effective_receptive_field(net, (2, 12, 12), inputs=inputs)
    maps = []
    for x in inputs:  # the rows of the Jacobian for the centre unit's three channels
        x = x[None].clone().requires_grad_(True)
        out = net(x)
        rows = [torch.autograd.grad(out[0, c, 3, 3], x, retain_graph=True)[0] for c in range(3)]
        maps.append(torch.stack(rows).sum(0)[0].abs().sum(0))
    expected = torch.stack(maps).mean(0)
    torch.testing.assert_close(erf, expected / expected.sum())
    default = arithmetic.effective_receptive_field(net, (2, 12, 12), samples=3, seed=1)
    again = arithmetic.effective_receptive_field(net, (2, 12, 12), samples=3, seed=1)
    torch.testing.assert_close(default, again)
    assert default.shape == (12, 12) and abs(float(default.sum()) - 1) < 1e-5


# --- errors ----------------------------------------------------------------------------------------

def test_adaptive_pooling_raises_naming_the_layer() -> None:
    with pytest.raises(ValueError, match=r"'avgpool' \(AdaptiveAvgPool2d.*until='avgpool'"):
        arithmetic.receptive_field(meta_model("resnet18"), (3, 224, 224))
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.AdaptiveMaxPool2d(1))
    with pytest.raises(ValueError, match=r"'1' \(AdaptiveMaxPool2d"):
        arithmetic.receptive_field(net, (1, 8, 8))


def test_unknown_layers_raise_naming_the_layer() -> None:
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Upsample(scale_factor=2), nn.Conv2d(2, 2, 3))
    with pytest.raises(ValueError, match=r"does not know how layer '1' \(Upsample"):
        arithmetic.receptive_field(net, (1, 8, 8))
    mixing = nn.Sequential(nn.Conv2d(1, 2, 3), nn.LayerNorm([6, 6]))
    with pytest.raises(ValueError, match=r"'1' \(LayerNorm.*mixes positions"):
        arithmetic.receptive_field(mixing, (1, 8, 8))
    with pytest.raises(ValueError, match="layer '1'"):
        arithmetic.effective_receptive_field(net, (1, 8, 8))
    over_channels = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Softmax(dim=1))
    assert arithmetic.receptive_field(over_channels, (1, 8, 8)).size == (3, 3)
    with pytest.raises(ValueError, match=r"'1' \(Softmax.*mixes positions"):
        arithmetic.receptive_field(nn.Sequential(nn.Conv2d(1, 2, 3), nn.Softmax(dim=-1)), (1, 8, 8))


class DifferentJumps(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.strided = nn.Conv2d(1, 1, 1, stride=2)
        self.wide = nn.Conv2d(1, 1, 5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.strided(x) + self.wide(x)  # 8x8 -> 4x4 both ways, on different grids


def test_merging_different_jumps_raises() -> None:
    with pytest.raises(ValueError, match="different jumps"):
        arithmetic.receptive_field(DifferentJumps(), (1, 8, 8))


def test_argument_errors() -> None:
    net = nn.Sequential(nn.Conv2d(1, 1, 3))
    with pytest.raises(TypeError, match="model"):
        arithmetic.receptive_field("resnet", (1, 8, 8))
    with pytest.raises(TypeError, match="input_size"):
        arithmetic.receptive_field(net, 8)
    with pytest.raises(ValueError, match="input_size"):
        arithmetic.receptive_field(net, (8, 8))
    with pytest.raises(ValueError, match="input_size"):
        arithmetic.receptive_field(net, (1, 0, 8))
    with pytest.raises(TypeError, match="input_size"):
        arithmetic.receptive_field(net, (1, 8.0, 8))
    with pytest.raises(ValueError, match="input_size"):  # too small for the kernel
        arithmetic.receptive_field(net, (1, 2, 2))
    with pytest.raises(ValueError, match="until"):
        arithmetic.receptive_field(net, (1, 8, 8), until="head")
    with pytest.raises(TypeError, match="until"):
        arithmetic.receptive_field(net, (1, 8, 8), until=0)
    rf = arithmetic.receptive_field(net, (1, 8, 8))
    with pytest.raises(ValueError, match="row"):
        rf.region(6, 0)
    with pytest.raises(ValueError, match="col"):
        rf.region(0, -1)
    with pytest.raises(TypeError, match="model"):
        arithmetic.effective_receptive_field(None, (1, 8, 8))
    with pytest.raises(ValueError, match="samples"):
        arithmetic.effective_receptive_field(net, (1, 8, 8), samples=0)
    with pytest.raises(ValueError, match="seed"):
        arithmetic.effective_receptive_field(net, (1, 8, 8), seed=-1)
    with pytest.raises(ValueError, match="inputs"):
        arithmetic.effective_receptive_field(net, (1, 8, 8), inputs=torch.zeros(2, 1, 9, 9))
    with pytest.raises(TypeError, match="inputs"):
        arithmetic.effective_receptive_field(net, (1, 8, 8), inputs=np.zeros((2, 1, 8, 8)))
    with pytest.raises(ValueError, match="meta"):
        arithmetic.effective_receptive_field(net.to("meta"), (1, 8, 8))
    dead = nn.Sequential(nn.Conv2d(1, 1, 3))
    nn.init.zeros_(dead[0].weight)
    with pytest.raises(ValueError, match="zero everywhere"):
        arithmetic.effective_receptive_field(dead, (1, 8, 8))
