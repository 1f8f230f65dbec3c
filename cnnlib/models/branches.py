"""NiN, Inception, DenseNet and MobileNetV2 blocks, and small networks built from them.

The blocks of the designs between VGG and EfficientNet: the ``1 x 1`` convolution as a channel
mixer (NiN, Lin et al., 2013), parallel branches concatenated along the channels (Inception,
Szegedy et al., 2015), feature reuse by concatenation (DenseNet, Huang et al., 2017), the grouped
bottleneck of ResNeXt (Xie et al., 2017) and the inverted residual of MobileNetV2 (Sandler et al.,
2018). ``InceptionBlock``, ``DenseLayer``, ``DenseBlock``, ``Transition``, ``ResNeXtBlock`` and
``InvertedResidual`` name their layers as torchvision's ``Inception``, ``_DenseLayer``,
``_DenseBlock``, ``_Transition``, ``Bottleneck`` and ``InvertedResidual`` do, so a state dict moves
between the two unchanged. The small networks take greyscale images of side 28 or more (global
average pooling before the classifier). Introduced in chapter "Branches, bottlenecks and dense
connections".
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from cnnlib._checks import check_bool, check_int, check_number, check_widths
from cnnlib.models.modern import ConvNormActivation
from cnnlib.models.resnet import BottleneckBlock

__all__ = [
    "NiNBlock",
    "InceptionBlock",
    "DenseLayer",
    "DenseBlock",
    "Transition",
    "ResNeXtBlock",
    "InvertedResidual",
    "SmallNiN",
    "SmallGoogLeNet",
    "SmallDenseNet",
    "SmallResNeXt",
    "SmallMobileNetV2",
]


def _check_stride12(stride: object) -> int:
    s = check_int("stride", stride, 1)
    if s > 2:
        raise ValueError(f"stride must be 1 or 2, got {s}")
    return s


class NiNBlock(nn.Sequential):
    """The block of Network in Network (Lin et al., 2013), as d2l builds it:
    ``Conv2d(kernel_size, stride, padding) -> ReLU -> Conv2d 1x1 -> ReLU -> Conv2d 1x1 -> ReLU``.

    The two ``1 x 1`` convolutions are a small dense network applied at every position (the
    paper's "mlpconv"): they mix the channels without looking at the neighbours.

    Introduced in chapter "Branches, bottlenecks and dense connections".

    Args:
        in_channels: channels of the input.
        out_channels: channels of every convolution's output.
        kernel_size: side of the first convolution's kernel.
        stride: stride of the first convolution.
        padding: zero padding of the first convolution.
        batch_norm: batch normalisation after every convolution (before its ReLU; the
            convolutions then have no bias), which NiN predates: ``False`` (the default) builds
            the block of the paper.

    Raises:
        TypeError: for non-integers or a non-bool ``batch_norm``. ValueError: for non-positive
            sizes or a negative padding.

    Examples:
        >>> import torch
        >>> from cnnlib.models import NiNBlock
        >>> block = NiNBlock(1, 16, kernel_size=5, stride=2, padding=2)
        >>> [type(m).__name__ for m in block]
        ['Conv2d', 'ReLU', 'Conv2d', 'ReLU', 'Conv2d', 'ReLU']
        >>> block(torch.zeros(1, 1, 28, 28)).shape
        torch.Size([1, 16, 14, 14])
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
                 padding: int = 0, batch_norm: bool = False) -> None:
        c_in = check_int("in_channels", in_channels, 1)
        c_out = check_int("out_channels", out_channels, 1)
        k = check_int("kernel_size", kernel_size, 1)
        s = check_int("stride", stride, 1)
        p = check_int("padding", padding, 0)
        bn = check_bool("batch_norm", batch_norm)
        layers: list[nn.Module] = []
        for conv in (nn.Conv2d(c_in, c_out, k, s, p, bias=not bn), nn.Conv2d(c_out, c_out, 1, bias=not bn),
                     nn.Conv2d(c_out, c_out, 1, bias=not bn)):
            layers += [conv, nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)] if bn else [conv, nn.ReLU(inplace=True)]
        super().__init__(*layers)
        self.out_channels = c_out


class _BasicConv2d(nn.Module):
    """Convolution without bias, batch norm (eps 0.001) and ReLU: torchvision's ``BasicConv2d``."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, padding: int = 0) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, padding=padding, bias=False)
        self.bn = nn.BatchNorm2d(out_channels, eps=0.001)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: Tensor) -> Tensor:
        return self.relu(self.bn(self.conv(x)))


class InceptionBlock(nn.Module):
    """The Inception block of GoogLeNet (Szegedy et al., 2015): four branches side by side,
    concatenated along the channels.

    ``branch1``: ``1 x 1`` convolution; ``branch2``: ``1 x 1`` reduction then ``3 x 3``;
    ``branch3``: ``1 x 1`` reduction then ``5 x 5`` (``branch3_kernel``); ``branch4``: ``3 x 3``
    max pooling (stride 1) then a ``1 x 1`` projection. Every convolution is followed by batch
    norm and ReLU as in torchvision's ``BasicConv2d``. The output has
    ``ch1x1 + ch3x3 + ch5x5 + pool_proj`` channels and the input's size.

    torchvision's ``Inception`` uses a ``3 x 3`` kernel in its "5x5" branch (a slip it keeps
    because its pretrained weights depend on it): with ``branch3_kernel=3`` this block is equal to
    torchvision's given the same weights (same state-dict keys); the default 5 is the paper's.

    Introduced in chapter "Branches, bottlenecks and dense connections".

    Args:
        in_channels: channels of the input.
        ch1x1: output channels of the ``1 x 1`` branch.
        ch3x3red, ch3x3: reduction and output channels of the ``3 x 3`` branch.
        ch5x5red, ch5x5: reduction and output channels of the ``5 x 5`` branch.
        pool_proj: output channels of the pooling branch.
        branch3_kernel: kernel side of the third branch, 5 (the paper) or 3 (torchvision).

    Raises:
        TypeError: for non-integers. ValueError: for non-positive channels or a
            ``branch3_kernel`` other than 3 or 5.

    Examples:
        >>> import torch
        >>> from cnnlib.models import InceptionBlock
        >>> block = InceptionBlock(192, 64, 96, 128, 16, 32, 32)  # GoogLeNet's inception (3a)
        >>> block(torch.zeros(1, 192, 28, 28)).shape  # 64 + 128 + 32 + 32 channels
        torch.Size([1, 256, 28, 28])
        >>> block.branch3[1].conv.kernel_size, block.out_channels
        ((5, 5), 256)
    """

    def __init__(self, in_channels: int, ch1x1: int, ch3x3red: int, ch3x3: int, ch5x5red: int,
                 ch5x5: int, pool_proj: int, branch3_kernel: int = 5) -> None:
        super().__init__()
        c_in = check_int("in_channels", in_channels, 1)
        sizes = {name: check_int(name, value, 1) for name, value in [
            ("ch1x1", ch1x1), ("ch3x3red", ch3x3red), ("ch3x3", ch3x3), ("ch5x5red", ch5x5red),
            ("ch5x5", ch5x5), ("pool_proj", pool_proj)]}
        k = check_int("branch3_kernel", branch3_kernel)
        if k not in (3, 5):
            raise ValueError(f"branch3_kernel must be 3 (torchvision) or 5 (the paper), got {k}")
        self.branch1 = _BasicConv2d(c_in, sizes["ch1x1"], 1)
        self.branch2 = nn.Sequential(_BasicConv2d(c_in, sizes["ch3x3red"], 1),
                                     _BasicConv2d(sizes["ch3x3red"], sizes["ch3x3"], 3, padding=1))
        self.branch3 = nn.Sequential(_BasicConv2d(c_in, sizes["ch5x5red"], 1),
                                     _BasicConv2d(sizes["ch5x5red"], sizes["ch5x5"], k, padding=k // 2))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True),
                                     _BasicConv2d(c_in, sizes["pool_proj"], 1))
        self.out_channels = sizes["ch1x1"] + sizes["ch3x3"] + sizes["ch5x5"] + sizes["pool_proj"]

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class DenseLayer(nn.Module):
    """One layer of a dense block (Huang et al., 2017), the "DenseNet-B" bottleneck:
    ``BN -> ReLU -> 1x1 conv (to bn_size * growth_rate) -> BN -> ReLU -> 3x3 conv (to growth_rate)``,
    then dropout when ``drop_rate > 0`` (during training).

    Its input is the concatenation of all earlier features of the block; it returns only its
    ``growth_rate`` new channels (the block concatenates them). Equal to torchvision's
    ``torchvision.models.densenet._DenseLayer`` given the same weights (layers named alike).

    Introduced in chapter "Branches, bottlenecks and dense connections".

    Args:
        in_channels: channels of the input (all earlier features).
        growth_rate: new channels this layer adds (``k`` in the paper).
        bn_size: width of the bottleneck as a multiple of ``growth_rate`` (4 in the paper).
        drop_rate: dropout probability on the new channels, in [0, 1).

    Raises:
        TypeError: for non-integers or a non-number ``drop_rate``. ValueError: for non-positive
            sizes or a ``drop_rate`` outside [0, 1).

    Examples:
        >>> import torch
        >>> from cnnlib.models import DenseLayer
        >>> layer = DenseLayer(64, growth_rate=32)
        >>> layer(torch.zeros(1, 64, 8, 8)).shape  # only the new channels
        torch.Size([1, 32, 8, 8])
        >>> layer.conv1.out_channels  # bn_size * growth_rate
        128
    """

    def __init__(self, in_channels: int, growth_rate: int, bn_size: int = 4, drop_rate: float = 0.0) -> None:
        super().__init__()
        c_in = check_int("in_channels", in_channels, 1)
        g = check_int("growth_rate", growth_rate, 1)
        inner = check_int("bn_size", bn_size, 1) * g
        self.drop_rate = check_number("drop_rate", drop_rate, 0.0)
        if self.drop_rate >= 1.0:
            raise ValueError(f"drop_rate must be a number from 0 and below 1, got {self.drop_rate:g}")
        self.norm1 = nn.BatchNorm2d(c_in)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(c_in, inner, 1, bias=False)
        self.norm2 = nn.BatchNorm2d(inner)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(inner, g, 3, padding=1, bias=False)
        self.out_channels = g

    def forward(self, x: Tensor) -> Tensor:
        out = self.conv1(self.relu1(self.norm1(x)))
        out = self.conv2(self.relu2(self.norm2(out)))
        if self.drop_rate > 0:
            out = F.dropout(out, p=self.drop_rate, training=self.training)
        return out


class DenseBlock(nn.ModuleDict):
    """A dense block (Huang et al., 2017): ``num_layers`` dense layers, each reading the
    concatenation of the block's input and every earlier layer's new channels.

    Returns the input concatenated with every layer's ``growth_rate`` new channels:
    ``out_channels = in_channels + num_layers * growth_rate``. Equal to torchvision's
    ``torchvision.models.densenet._DenseBlock`` given the same weights (an ``nn.ModuleDict`` of
    ``denselayer1``, ``denselayer2``, ...; the same state-dict keys).

    Introduced in chapter "Branches, bottlenecks and dense connections".

    Args:
        num_layers: dense layers in the block.
        in_channels: channels of the input.
        growth_rate, bn_size, drop_rate: as :class:`DenseLayer`.

    Raises:
        TypeError, ValueError: as :class:`DenseLayer`, and for a non-positive ``num_layers``.

    Examples:
        >>> import torch
        >>> from cnnlib.models import DenseBlock
        >>> block = DenseBlock(6, 64, growth_rate=32)  # DenseNet-121's first block
        >>> block.out_channels
        256
        >>> block(torch.zeros(1, 64, 8, 8)).shape
        torch.Size([1, 256, 8, 8])
        >>> list(block)[:2]
        ['denselayer1', 'denselayer2']
    """

    def __init__(self, num_layers: int, in_channels: int, growth_rate: int, bn_size: int = 4,
                 drop_rate: float = 0.0) -> None:
        super().__init__()
        n = check_int("num_layers", num_layers, 1)
        c_in = check_int("in_channels", in_channels, 1)
        g = check_int("growth_rate", growth_rate, 1)
        for i in range(n):
            self.add_module(f"denselayer{i + 1}", DenseLayer(c_in + i * g, g, bn_size, drop_rate))
        self.out_channels = c_in + n * g

    def forward(self, x: Tensor) -> Tensor:
        for layer in self.values():
            x = torch.cat([x, layer(x)], 1)
        return x


class Transition(nn.Sequential):
    """The transition layer between DenseNet's dense blocks: ``BN -> ReLU -> 1x1 conv`` (no bias;
    it usually halves the channels, the paper's compression) and ``2 x 2`` average pooling with
    stride 2. Equal to torchvision's ``torchvision.models.densenet._Transition`` (layers ``norm``,
    ``relu``, ``conv``, ``pool``).

    Introduced in chapter "Branches, bottlenecks and dense connections".

    Args:
        in_channels: channels of the input.
        out_channels: channels of the output.

    Raises:
        TypeError: for non-integers. ValueError: for non-positive channels.

    Examples:
        >>> import torch
        >>> from cnnlib.models import Transition
        >>> Transition(256, 128)(torch.zeros(1, 256, 8, 8)).shape
        torch.Size([1, 128, 4, 4])
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        c_in = check_int("in_channels", in_channels, 1)
        c_out = check_int("out_channels", out_channels, 1)
        super().__init__()
        self.norm = nn.BatchNorm2d(c_in)
        self.relu = nn.ReLU(inplace=True)
        self.conv = nn.Conv2d(c_in, c_out, 1, bias=False)
        self.pool = nn.AvgPool2d(2, 2)
        self.out_channels = c_out


class ResNeXtBlock(BottleneckBlock):
    """The ResNeXt bottleneck (Xie et al., 2017): a :class:`BottleneckBlock` whose ``3 x 3``
    convolution is grouped into ``cardinality`` parallel paths (the paper's form (c), equivalent
    to ``cardinality`` branches of ``width_per_group``-wide bottlenecks whose outputs are summed).

    Widths as torchvision computes them: the inner width is
    ``int(planes * width_per_group / 64) * cardinality`` and the output has ``planes * 4``
    channels. Equal to torchvision's ``torchvision.models.resnet.Bottleneck(in_channels, planes,
    stride, downsample, groups=cardinality, base_width=width_per_group)`` given the same weights
    (with the projection shortcut torchvision's ResNet builds when the shape changes).

    Introduced in chapter "Branches, bottlenecks and dense connections".

    Args:
        in_channels: channels of the input.
        planes: the output has ``planes * 4`` channels (64 in ResNeXt-50's first stage).
        stride: stride of the ``3 x 3`` convolution.
        cardinality: groups of the ``3 x 3`` convolution (32 in ResNeXt-50 32x4d).
        width_per_group: channels per group at ``planes = 64`` (4 in ResNeXt-50 32x4d).

    Raises:
        TypeError: for non-integers. ValueError: for non-positive sizes, or sizes whose inner
            width rounds down to zero.

    Examples:
        >>> import torch
        >>> from cnnlib.models import ResNeXtBlock
        >>> block = ResNeXtBlock(256, 64)  # ResNeXt-50 32x4d's first stage
        >>> block.conv2.groups, block.conv2.in_channels, block.conv3.out_channels
        (32, 128, 256)
        >>> block(torch.zeros(1, 256, 8, 8)).shape
        torch.Size([1, 256, 8, 8])
    """

    def __init__(self, in_channels: int, planes: int, stride: int = 1, cardinality: int = 32,
                 width_per_group: int = 4) -> None:
        p = check_int("planes", planes, 1)
        groups = check_int("cardinality", cardinality, 1)
        per_group = check_int("width_per_group", width_per_group, 1)
        width = int(p * (per_group / 64.0)) * groups
        if width < 1:
            raise ValueError(f"planes * width_per_group must be at least 64, got {p} * {per_group}")
        super().__init__(in_channels, width, stride, groups=groups, out_channels=p * 4)
        self.cardinality = groups


class InvertedResidual(nn.Module):
    """The inverted residual block of MobileNetV2 (Sandler et al., 2018):

    ``1 x 1 expand (C_in -> t C_in) -> 3 x 3 depthwise (stride) -> 1 x 1 project (-> C_out)``,

    each convolution followed by batch norm, ReLU6 after the first two and none after the
    projection (the "linear bottleneck"); the input is added back when the block keeps the shape
    (stride 1 and ``C_in == C_out``). No expansion layer when ``expand_ratio == 1``. The hidden
    width is ``round(in_channels * expand_ratio)``. Equal to torchvision's
    ``torchvision.models.mobilenetv2.InvertedResidual`` given the same weights (a ``conv``
    sequence with the same indices). :class:`~cnnlib.models.MBConv` is this block with
    squeeze-and-excitation and SiLU.

    Introduced in chapter "Branches, bottlenecks and dense connections".

    Args:
        in_channels: channels of the input.
        out_channels: channels of the output.
        stride: stride of the depthwise convolution, 1 or 2.
        expand_ratio: the expansion factor ``t`` (6 in MobileNetV2, 1 in its first block).

    Raises:
        TypeError: for non-integer sizes or a non-number ``expand_ratio``. ValueError: for
            non-positive sizes, a stride other than 1 or 2, or a hidden width below 1.

    Examples:
        >>> import torch
        >>> from cnnlib.models import InvertedResidual
        >>> block = InvertedResidual(16, 24, stride=2)
        >>> block(torch.zeros(1, 16, 16, 16)).shape
        torch.Size([1, 24, 8, 8])
        >>> block.conv[0][0].out_channels, block.use_res_connect  # 16 * 6
        (96, False)
        >>> InvertedResidual(24, 24).use_res_connect
        True
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1, expand_ratio: float = 6) -> None:
        super().__init__()
        c_in = check_int("in_channels", in_channels, 1)
        c_out = check_int("out_channels", out_channels, 1)
        s = _check_stride12(stride)
        t = check_number("expand_ratio", expand_ratio, 0.0, low_open=True)
        hidden = int(round(c_in * t))
        if hidden < 1:
            raise ValueError(f"expand_ratio must give a hidden width of at least 1, got {c_in} * {t:g}")
        layers: list[nn.Module] = []
        if t != 1:
            layers.append(ConvNormActivation(c_in, hidden, 1, activation=nn.ReLU6))  # expand
        layers += [
            ConvNormActivation(hidden, hidden, 3, s, groups=hidden, activation=nn.ReLU6),  # depthwise
            nn.Conv2d(hidden, c_out, 1, bias=False),  # project, linear
            nn.BatchNorm2d(c_out),
        ]
        self.conv = nn.Sequential(*layers)
        self.stride = s
        self.use_res_connect = s == 1 and c_in == c_out
        self.out_channels = c_out

    def forward(self, x: Tensor) -> Tensor:
        out = self.conv(x)
        return x + out if self.use_res_connect else out

    def extra_repr(self) -> str:
        return f"residual={self.use_res_connect}"


# --- small networks for 28x28 and 32x32 greyscale images -------------------------------------------

class SmallNiN(nn.Module):
    """A Network in Network for small images: NiN blocks separated by ``3 x 3`` max pooling with
    stride 2; the last block outputs ``num_classes`` channels, whose global averages are the
    logits (no dense layer, as in Lin et al., 2013).

    The first block's ``5 x 5`` convolution has stride 2, so that ``32 x 32`` images enter the
    second block at ``8 x 8``. By default every convolution is followed by batch normalisation,
    as in the book's other small networks: without it (``batch_norm=False``, the paper's
    network) the stack of nine convolutions barely starts learning within the book's short
    training runs.

    Introduced in chapter "Branches, bottlenecks and dense connections".

    Args:
        in_channels: channels of the input image.
        num_classes: number of outputs (logits).
        widths: channels of the blocks before the last (the last has ``num_classes``).
        batch_norm: as :class:`NiNBlock`, for every block.

    Raises:
        TypeError, ValueError: for non-positive sizes, an empty ``widths`` or a non-bool
            ``batch_norm``.

    Examples:
        >>> import torch
        >>> from cnnlib.models import SmallNiN
        >>> model = SmallNiN()
        >>> model(torch.zeros(2, 1, 28, 28)).shape, model(torch.zeros(2, 1, 32, 32)).shape
        (torch.Size([2, 10]), torch.Size([2, 10]))
        >>> model.features[-1].out_channels  # the last block gives one map per class
        10
    """

    def __init__(self, in_channels: int = 1, num_classes: int = 10, widths: Sequence[int] = (16, 32),
                 batch_norm: bool = True) -> None:
        super().__init__()
        c_in = check_int("in_channels", in_channels, 1)
        classes = check_int("num_classes", num_classes, 1)
        widths = check_widths("widths", widths)
        bn = check_bool("batch_norm", batch_norm)
        layers: list[nn.Module] = [NiNBlock(c_in, widths[0], 5, stride=2, padding=2, batch_norm=bn)]
        for previous, width in zip(widths, [*widths[1:], classes]):
            layers += [nn.MaxPool2d(3, stride=2, padding=1), NiNBlock(previous, width, 3, padding=1, batch_norm=bn)]
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()

    def forward(self, x: Tensor) -> Tensor:
        return self.flatten(self.pool(self.features(x)))


class SmallGoogLeNet(nn.Module):
    """A GoogLeNet for small images: a ``3 x 3`` stem convolution with stride 2, stages of
    :class:`InceptionBlock` each entered through ``3 x 3`` max pooling with stride 2, global
    average pooling and a linear classifier (GoogLeNet's layout without its auxiliary
    classifiers: ``32 x 32`` images reach the first Inception block at ``8 x 8``, as GoogLeNet's
    ``224 x 224`` reach it at ``28 x 28``).

    Introduced in chapter "Branches, bottlenecks and dense connections".

    Args:
        in_channels: channels of the input image.
        num_classes: number of outputs (logits).
        stem_channels: channels of the stem convolution.
        stages: for each stage, the blocks' ``(ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5,
            pool_proj)`` (the arguments of :class:`InceptionBlock` after ``in_channels``).
        branch3_kernel: as :class:`InceptionBlock` (5, the paper's, by default).

    Raises:
        TypeError, ValueError: for non-positive sizes, an empty stage or a block that does not
            have six sizes.

    Examples:
        >>> import torch
        >>> from cnnlib.models import SmallGoogLeNet
        >>> model = SmallGoogLeNet()
        >>> model(torch.zeros(2, 1, 28, 28)).shape, model(torch.zeros(2, 1, 32, 32)).shape
        (torch.Size([2, 10]), torch.Size([2, 10]))
        >>> [type(m).__name__ for m in model.features][:4]
        ['ConvNormActivation', 'MaxPool2d', 'InceptionBlock', 'MaxPool2d']
    """

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 10,
        stem_channels: int = 16,
        stages: Sequence[Sequence[Sequence[int]]] = (
            ((8, 12, 16, 4, 8, 8),),
            ((16, 16, 24, 4, 8, 8), (24, 16, 32, 4, 12, 12)),
        ),
        branch3_kernel: int = 5,
    ) -> None:
        super().__init__()
        c_in = check_int("in_channels", in_channels, 1)
        classes = check_int("num_classes", num_classes, 1)
        channels = check_int("stem_channels", stem_channels, 1)
        layers: list[nn.Module] = [ConvNormActivation(c_in, channels, 3, stride=2, activation=nn.ReLU)]
        if not len(stages):
            raise ValueError("stages must name at least one stage, got an empty sequence")
        for i, stage in enumerate(stages):
            if not len(stage):
                raise ValueError(f"stages must not have an empty stage, got {stages!r}")
            layers.append(nn.MaxPool2d(3, stride=2, padding=1))
            for sizes in stage:
                if len(sizes) != 6:
                    raise ValueError(f"stages must give six sizes per Inception block, got {tuple(sizes)!r}")
                block = InceptionBlock(channels, *sizes, branch3_kernel=branch3_kernel)
                layers.append(block)
                channels = block.out_channels
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(channels, classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(self.flatten(self.pool(self.features(x))))


class SmallDenseNet(nn.Module):
    """A DenseNet-BC for small images, laid out as torchvision's ``DenseNet``: a ``3 x 3`` stem
    convolution with stride 2 and ``3 x 3`` max pooling with stride 2 (``conv0, norm0, relu0,
    pool0``: ``32 x 32`` images reach the first dense block at ``8 x 8``), dense blocks with a :class:`Transition`
    between them that halves the channels and the resolution (compression 0.5), a last batch
    norm (``norm5``), ReLU, global average pooling and a linear classifier.

    Introduced in chapter "Branches, bottlenecks and dense connections".

    Args:
        in_channels: channels of the input image.
        num_classes: number of outputs (logits).
        growth_rate: new channels per dense layer.
        block_layers: dense layers in each block.
        stem_channels: channels of the stem convolution.
        bn_size: bottleneck width as a multiple of ``growth_rate``.

    Raises:
        TypeError, ValueError: for non-positive sizes or an empty ``block_layers``.

    Examples:
        >>> import torch
        >>> from cnnlib.models import SmallDenseNet
        >>> model = SmallDenseNet()
        >>> model(torch.zeros(2, 1, 28, 28)).shape, model(torch.zeros(2, 1, 32, 32)).shape
        (torch.Size([2, 10]), torch.Size([2, 10]))
        >>> model.features.denseblock1.out_channels  # 16 + 3 * 8
        40
    """

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 10,
        growth_rate: int = 8,
        block_layers: Sequence[int] = (3, 3),
        stem_channels: int = 16,
        bn_size: int = 4,
    ) -> None:
        super().__init__()
        c_in = check_int("in_channels", in_channels, 1)
        classes = check_int("num_classes", num_classes, 1)
        g = check_int("growth_rate", growth_rate, 1)
        block_layers = check_widths("block_layers", block_layers)
        channels = check_int("stem_channels", stem_channels, 1)
        features = nn.Sequential()
        features.add_module("conv0", nn.Conv2d(c_in, channels, 3, stride=2, padding=1, bias=False))
        features.add_module("norm0", nn.BatchNorm2d(channels))
        features.add_module("relu0", nn.ReLU(inplace=True))
        features.add_module("pool0", nn.MaxPool2d(3, stride=2, padding=1))
        for i, n in enumerate(block_layers):
            block = DenseBlock(n, channels, g, bn_size)
            features.add_module(f"denseblock{i + 1}", block)
            channels = block.out_channels
            if i < len(block_layers) - 1:
                features.add_module(f"transition{i + 1}", Transition(channels, channels // 2))
                channels //= 2
        features.add_module("norm5", nn.BatchNorm2d(channels))
        self.features = features
        self.relu = nn.ReLU(inplace=True)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.classifier = nn.Linear(channels, classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.flatten(self.pool(self.relu(self.features(x)))))


class SmallResNeXt(nn.Module):
    """A ResNeXt for small images: a ``3 x 3`` stem convolution with stride 2, stages of
    :class:`ResNeXtBlock` (the first block of every stage after the first has stride 2), global
    average pooling and a linear classifier.

    Introduced in chapter "Branches, bottlenecks and dense connections".

    Args:
        in_channels: channels of the input image.
        num_classes: number of outputs (logits).
        planes: ``planes`` of each stage's blocks (outputs ``4 * planes`` channels).
        blocks_per_stage: blocks in each stage.
        cardinality: groups of every ``3 x 3`` convolution.
        width_per_group: as :class:`ResNeXtBlock`.
        stem_channels: channels of the stem convolution.

    Raises:
        TypeError, ValueError: for non-positive sizes or an empty ``planes``.

    Examples:
        >>> import torch
        >>> from cnnlib.models import SmallResNeXt
        >>> model = SmallResNeXt()
        >>> model(torch.zeros(2, 1, 28, 28)).shape, model(torch.zeros(2, 1, 32, 32)).shape
        (torch.Size([2, 10]), torch.Size([2, 10]))
        >>> model.features[1][0].conv2.groups
        4
    """

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 10,
        planes: Sequence[int] = (8, 16, 32),
        blocks_per_stage: int = 1,
        cardinality: int = 4,
        width_per_group: int = 16,
        stem_channels: int = 8,
    ) -> None:
        super().__init__()
        c_in = check_int("in_channels", in_channels, 1)
        classes = check_int("num_classes", num_classes, 1)
        planes = check_widths("planes", planes)
        blocks = check_int("blocks_per_stage", blocks_per_stage, 1)
        channels = check_int("stem_channels", stem_channels, 1)
        layers: list[nn.Module] = [ConvNormActivation(c_in, channels, 3, stride=2, activation=nn.ReLU)]
        for i, p in enumerate(planes):
            stage = []
            for j in range(blocks):
                stage.append(ResNeXtBlock(channels, p, stride=2 if (i > 0 and j == 0) else 1,
                                          cardinality=cardinality, width_per_group=width_per_group))
                channels = 4 * p
            layers.append(nn.Sequential(*stage))
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(channels, classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(self.flatten(self.pool(self.features(x))))


class SmallMobileNetV2(nn.Module):
    """A MobileNetV2 for small images, laid out as torchvision's ``MobileNetV2``: a ``3 x 3``
    stem convolution with stride 2 (batch norm, ReLU6), stages of :class:`InvertedResidual`
    given by ``(t, c, n, s)`` rows (expansion, output channels, blocks, stride of the first), a
    ``1 x 1`` convolution to ``last_channels``, global average pooling and a linear classifier.

    Introduced in chapter "Branches, bottlenecks and dense connections".

    Args:
        in_channels: channels of the input image.
        num_classes: number of outputs (logits).
        settings: the ``(expand_ratio, out_channels, blocks, stride)`` of each stage.
        stem_channels: channels of the stem convolution.
        last_channels: channels of the last ``1 x 1`` convolution.

    Raises:
        TypeError, ValueError: for non-positive sizes, an empty ``settings`` or a row that does
            not have four entries.

    Examples:
        >>> import torch
        >>> from cnnlib.models import SmallMobileNetV2
        >>> model = SmallMobileNetV2()
        >>> model(torch.zeros(2, 1, 28, 28)).shape, model(torch.zeros(2, 1, 32, 32)).shape
        (torch.Size([2, 10]), torch.Size([2, 10]))
        >>> type(model.features[1]).__name__
        'InvertedResidual'
    """

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 10,
        settings: Sequence[Sequence[int]] = ((1, 8, 1, 1), (6, 16, 1, 2), (6, 24, 2, 2)),
        stem_channels: int = 16,
        last_channels: int = 96,
    ) -> None:
        super().__init__()
        c_in = check_int("in_channels", in_channels, 1)
        classes = check_int("num_classes", num_classes, 1)
        channels = check_int("stem_channels", stem_channels, 1)
        last = check_int("last_channels", last_channels, 1)
        if not len(settings):
            raise ValueError("settings must name at least one stage, got an empty sequence")
        layers: list[nn.Module] = [ConvNormActivation(c_in, channels, 3, stride=2, activation=nn.ReLU6)]
        for row in settings:
            if len(row) != 4:
                raise ValueError(f"settings must give (expand_ratio, out_channels, blocks, stride) rows, got {tuple(row)!r}")
            t, c, n, s = row
            for j in range(check_int("settings", n, 1)):
                layers.append(InvertedResidual(channels, c, s if j == 0 else 1, expand_ratio=t))
                channels = c
        layers.append(ConvNormActivation(channels, last, 1, activation=nn.ReLU6))
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.classifier = nn.Linear(last, classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.flatten(self.pool(self.features(x))))
