"""Residual networks (He et al., 2016): the basic and bottleneck blocks, and a small ResNet whose
shortcuts can be switched off to give the "plain" network of the same depth.

The blocks name their layers as torchvision's ``BasicBlock`` and ``Bottleneck`` do (``conv1``,
``bn1``, ..., ``downsample``), so a state dict moves between the two unchanged.
Introduced in chapter "ResNet".
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor, nn

from cnnlib._checks import check_bool, check_int, check_widths


def _projection(in_channels: int, out_channels: int, stride: int, batch_norm: bool = True) -> nn.Sequential:
    """The projection shortcut: a strided 1x1 convolution and batch norm (option B of He et al.);
    without ``batch_norm``, the convolution (with a bias) alone."""
    if not batch_norm:
        return nn.Sequential(nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride))
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride, bias=False),
        nn.BatchNorm2d(out_channels),
    )


def _norm(channels: int, batch_norm: bool) -> nn.Module:
    """``BatchNorm2d(channels)``, or an identity that leaves the layer names in place."""
    return nn.BatchNorm2d(channels) if batch_norm else nn.Identity()


class ResidualBlock(nn.Module):
    """The basic residual block: ``relu(F(x) + shortcut(x))`` with
    ``F = conv3x3 -> BN -> ReLU -> conv3x3 -> BN``.

    The shortcut is the identity when the block keeps the shape, and a projection (strided 1x1
    convolution and batch norm) when it changes the channels or the resolution. With
    ``residual=False`` the shortcut is removed and the block is two plain convolution layers, the
    "plain" baseline of He et al. Equal to torchvision's ``BasicBlock`` given the same weights.

    Introduced in chapter "ResNet".

    Args:
        in_channels: channels of the input.
        out_channels: channels of the output; by default those of the input, so that
            ``ResidualBlock(64)`` is the block that keeps its input's shape.
        stride: stride of the first 3x3 convolution (2 halves the resolution).
        residual: keep the shortcut (``True``) or build the plain block (``False``).
        batch_norm: normalise after each convolution (``True``, as He et al. and torchvision), or
            build the block without normalisation (``False``: ``bn1`` and ``bn2`` become identities,
            the convolutions get biases), to study training without it.

    Raises:
        ValueError: for non-positive channels or stride. TypeError: for a non-bool ``residual``
            or ``batch_norm``.

    Examples:
        >>> import torch
        >>> from cnnlib.models import ResidualBlock
        >>> block = ResidualBlock(16, 32, stride=2)
        >>> block(torch.zeros(1, 16, 8, 8)).shape
        torch.Size([1, 32, 4, 4])
        >>> block.downsample is not None
        True
        >>> ResidualBlock(32, 32).downsample is None
        True
        >>> ResidualBlock(64).conv2.out_channels  # output channels default to the input's
        64
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int | None = None,
        stride: int = 1,
        residual: bool = True,
        batch_norm: bool = True,
    ) -> None:
        super().__init__()
        in_channels = check_int("in_channels", in_channels, 1)
        if out_channels is None:
            out_channels = in_channels
        out_channels = check_int("out_channels", out_channels, 1)
        stride = check_int("stride", stride, 1)
        self.residual = check_bool("residual", residual)
        self.batch_norm = check_bool("batch_norm", batch_norm)
        bias = not batch_norm  # a bias before batch norm would be cancelled by its mean
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=bias)
        self.bn1 = _norm(out_channels, batch_norm)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=bias)
        self.bn2 = _norm(out_channels, batch_norm)
        needs_projection = residual and (stride != 1 or in_channels != out_channels)
        self.downsample = (
            _projection(in_channels, out_channels, stride, batch_norm) if needs_projection else None
        )

    def forward(self, x: Tensor) -> Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.residual:
            out = out + (x if self.downsample is None else self.downsample(x))
        return self.relu(out)

    def extra_repr(self) -> str:
        return f"residual={self.residual}" + ("" if self.batch_norm else ", batch_norm=False")


class BottleneckBlock(nn.Module):
    """The bottleneck residual block of ResNet-50/101/152:
    ``conv1x1 (reduce to width) -> conv3x3 (stride) -> conv1x1 (expand to width * expansion)``,
    each followed by batch norm, ReLU after the first two and after the sum with the shortcut.

    The stride sits on the 3x3 convolution, as in torchvision ("ResNet v1.5"). Equal to
    torchvision's ``Bottleneck`` given the same weights.

    Introduced in chapter "ResNet".

    Args:
        in_channels: channels of the input.
        width: channels of the inner 3x3 convolution.
        stride: stride of the 3x3 convolution.
        expansion: output channels are ``width * expansion`` (4 in ResNet-50).
        residual: keep the shortcut (``True``) or build the plain block (``False``).
        groups: groups of the 3x3 convolution (ResNeXt's cardinality; ``width`` must be
            divisible by it).
        out_channels: channels of the output, ``width * expansion`` by default.

    Raises:
        ValueError: for non-positive channels, width, stride, expansion or groups, or a
            ``width`` not divisible by ``groups``. TypeError: for a non-bool ``residual``.

    Examples:
        >>> import torch
        >>> from cnnlib.models import BottleneckBlock
        >>> block = BottleneckBlock(256, width=64)
        >>> block(torch.zeros(1, 256, 14, 14)).shape
        torch.Size([1, 256, 14, 14])
    """

    def __init__(
        self,
        in_channels: int,
        width: int,
        stride: int = 1,
        expansion: int = 4,
        residual: bool = True,
        groups: int = 1,
        out_channels: int | None = None,
    ) -> None:
        super().__init__()
        in_channels = check_int("in_channels", in_channels, 1)
        width = check_int("width", width, 1)
        stride = check_int("stride", stride, 1)
        expansion = check_int("expansion", expansion, 1)
        groups = check_int("groups", groups, 1)
        if width % groups:
            raise ValueError(f"groups must divide width ({width}), got {groups}")
        out_channels = width * expansion if out_channels is None else check_int("out_channels", out_channels, 1)
        self.residual = check_bool("residual", residual)
        self.conv1 = nn.Conv2d(in_channels, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride=stride, padding=1, groups=groups, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, out_channels, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        needs_projection = residual and (stride != 1 or in_channels != out_channels)
        self.downsample = _projection(in_channels, out_channels, stride) if needs_projection else None

    def forward(self, x: Tensor) -> Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.residual:
            out = out + (x if self.downsample is None else self.downsample(x))
        return self.relu(out)

    def extra_repr(self) -> str:
        return f"residual={self.residual}"


class SmallResNet(nn.Module):
    """A ResNet for small images, after the CIFAR networks of He et al. (2016, section 4.2):
    a 3x3 stem convolution (stride 1 by default), stages of basic blocks (the first stage keeps the
    resolution, each later one halves it with a projection shortcut), global average pooling
    and a linear classifier.

    With ``widths=(16, 32, 64)`` and ``n`` blocks per stage it has ``6n + 2`` weighted layers
    (``depth``): 8, 20, 32, 44, 56... ``residual=False`` gives the plain network of the same
    depth and width, the baseline of the degradation experiment.

    Introduced in chapter "ResNet".

    Args:
        in_channels: channels of the input image.
        num_classes: number of outputs (logits).
        widths: output channels of each stage.
        blocks_per_stage: basic blocks in each stage.
        residual: keep the shortcuts (``True``) or build the plain network (``False``).
        batch_norm: batch normalisation after every convolution (``True``), or none at all
            (``False``, see :class:`ResidualBlock`).
        stem_stride: stride of the stem convolution; 2 halves the resolution before the first
            stage (28x28 images enter it at 14x14), which makes a deep network on larger
            images four times cheaper.

    Raises:
        ValueError: for non-positive sizes or an empty ``widths``. TypeError: for a non-bool
            ``residual`` or ``batch_norm``.

    Examples:
        >>> import torch
        >>> from cnnlib.models import SmallResNet
        >>> model = SmallResNet(blocks_per_stage=3)
        >>> model.depth
        20
        >>> model(torch.zeros(4, 1, 8, 8)).shape
        torch.Size([4, 10])
        >>> SmallResNet(blocks_per_stage=3, residual=False).depth
        20
        >>> SmallResNet(stem_stride=2).stem(torch.zeros(1, 1, 28, 28)).shape
        torch.Size([1, 16, 14, 14])
    """

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 10,
        widths: Sequence[int] = (16, 32, 64),
        blocks_per_stage: int = 1,
        residual: bool = True,
        batch_norm: bool = True,
        stem_stride: int = 1,
    ) -> None:
        super().__init__()
        in_channels = check_int("in_channels", in_channels, 1)
        stem_stride = check_int("stem_stride", stem_stride, 1)
        widths = check_widths("widths", widths)
        blocks = check_int("blocks_per_stage", blocks_per_stage, 1)
        self.residual = check_bool("residual", residual)
        self.batch_norm = check_bool("batch_norm", batch_norm)
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, widths[0], 3, stride=stem_stride, padding=1, bias=not batch_norm),
            _norm(widths[0], batch_norm),
            nn.ReLU(inplace=True),
        )
        stages = []
        previous = widths[0]
        for i, width in enumerate(widths):
            stage = [
                ResidualBlock(previous if j == 0 else width, width,
                              stride=2 if (i > 0 and j == 0) else 1, residual=residual,
                              batch_norm=batch_norm)
                for j in range(blocks)
            ]
            stages.append(nn.Sequential(*stage))
            previous = width
        self.stages = nn.Sequential(*stages)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(widths[-1], check_int("num_classes", num_classes, 1))
        self.depth = 2 + 2 * blocks * len(widths)

    def features(self, x: Tensor) -> Tensor:
        """The pooled feature vector ``(N, widths[-1])`` that the classifier reads."""
        return self.pool(self.stages(self.stem(x))).flatten(1)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(self.features(x))

    def extra_repr(self) -> str:
        return f"depth={self.depth}, residual={self.residual}" + (
            "" if self.batch_norm else ", batch_norm=False"
        )
