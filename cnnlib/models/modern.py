"""The blocks of efficient and modern CNNs: depthwise-separable convolutions (MobileNet),
squeeze-and-excitation, the MBConv block of MobileNetV2 and EfficientNet, and the ConvNeXt block,
with a small EfficientNet and a small ConvNeXt for small greyscale images.

``SqueezeExcitation``, ``MBConv`` and ``ConvNeXtBlock`` name their layers as
torchvision's ``SqueezeExcitation``, ``MBConv`` and ``CNBlock`` do, so a state dict moves between
the two unchanged. Introduced in chapter "EfficientNet and ConvNeXt".
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from cnnlib._checks import check_choice, check_int, check_number, check_widths
from cnnlib.models.layers import LayerNorm2d, Permute

#: Activations that ``SqueezeExcitation`` accepts by name.
ACTIVATIONS = {"relu": nn.ReLU, "silu": nn.SiLU}


def _check_kernel(kernel_size: object) -> int:
    """An odd positive kernel size (so that padding ``k // 2`` keeps the size at stride 1)."""
    k = check_int("kernel_size", kernel_size, 1)
    if k % 2 == 0:
        raise ValueError(f"kernel_size must be odd (3, 5, 7...), got {k}")
    return k


class ConvNormActivation(nn.Sequential):
    """Convolution without bias, batch normalisation and an optional activation, in an
    ``nn.Sequential`` numbered ``0, 1, 2`` as torchvision's ``Conv2dNormActivation``.

    Padding ``kernel_size // 2`` keeps the size at stride 1.
    Introduced in chapter "EfficientNet and ConvNeXt".

    Examples:
        >>> import torch
        >>> from cnnlib.models.modern import ConvNormActivation
        >>> layer = ConvNormActivation(8, 16, 3, stride=2)
        >>> [type(m).__name__ for m in layer]
        ['Conv2d', 'BatchNorm2d', 'SiLU']
        >>> layer(torch.zeros(1, 8, 10, 10)).shape
        torch.Size([1, 16, 5, 5])
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int = 3,
        stride: int = 1,
        groups: int = 1,
        activation: type[nn.Module] | None = nn.SiLU,
    ) -> None:
        layers: list[nn.Module] = [
            nn.Conv2d(in_channels, out_channels, kernel_size, stride, kernel_size // 2, groups=groups, bias=False),
            nn.BatchNorm2d(out_channels),
        ]
        if activation is not None:
            layers.append(activation(inplace=True))
        super().__init__(*layers)


class DepthwiseSeparableConv(nn.Module):
    """The depthwise-separable convolution of MobileNet: a ``k x k`` depthwise convolution
    (one filter per input channel, ``groups=in_channels``), then a ``1 x 1`` pointwise
    convolution that mixes the channels, each followed by batch norm and ReLU
    (Howard et al., 2017, figure 3).

    Its convolutions have ``C_in k^2 + C_in C_out`` weights where a standard convolution has
    ``C_in C_out k^2``: a ratio of ``1 / C_out + 1 / k^2``, and the same ratio of MACs.

    Introduced in chapter "EfficientNet and ConvNeXt".

    Args:
        in_channels: channels of the input.
        out_channels: channels of the output.
        kernel_size: side of the depthwise kernel (odd; padding ``k // 2``).
        stride: stride of the depthwise convolution.

    Raises:
        ValueError: for non-positive sizes or an even kernel size. TypeError: for non-integers.

    Examples:
        >>> import torch
        >>> from cnnlib.models import DepthwiseSeparableConv
        >>> layer = DepthwiseSeparableConv(32, 64, kernel_size=3, stride=2)
        >>> layer(torch.zeros(1, 32, 16, 16)).shape
        torch.Size([1, 64, 8, 8])
        >>> layer.depthwise.weight.shape, layer.pointwise.weight.shape  # 32*9 + 32*64 weights
        (torch.Size([32, 1, 3, 3]), torch.Size([64, 32, 1, 1]))
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3, stride: int = 1) -> None:
        super().__init__()
        c_in = check_int("in_channels", in_channels, 1)
        c_out = check_int("out_channels", out_channels, 1)
        k = _check_kernel(kernel_size)
        s = check_int("stride", stride, 1)
        self.depthwise = nn.Conv2d(c_in, c_in, k, s, k // 2, groups=c_in, bias=False)
        self.bn1 = nn.BatchNorm2d(c_in)
        self.pointwise = nn.Conv2d(c_in, c_out, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: Tensor) -> Tensor:
        x = self.relu(self.bn1(self.depthwise(x)))
        return self.relu(self.bn2(self.pointwise(x)))


class SqueezeExcitation(nn.Module):
    """Squeeze-and-excitation (Hu et al., 2018): rescale every channel by a weight in (0, 1)
    computed from the whole image.

    ``s = sigmoid(fc2(act(fc1(mean over positions of x))))``, then ``x * s``: the *squeeze* is
    the global average of each channel, the *excitation* a two-layer bottleneck (``1 x 1``
    convolutions with bias, through ``squeeze_channels``). Layer names as in torchvision's
    ``torchvision.ops.SqueezeExcitation``.

    Introduced in chapter "EfficientNet and ConvNeXt".

    Args:
        channels: channels of the input (and output).
        squeeze_channels: width of the bottleneck.
        activation: ``"relu"`` (the paper's) or ``"silu"`` (EfficientNet's).

    Raises:
        ValueError: for non-positive sizes or an unknown activation.

    Examples:
        >>> import torch
        >>> from cnnlib.models import SqueezeExcitation
        >>> se = SqueezeExcitation(16, 4)
        >>> x = torch.randn(2, 16, 5, 5)
        >>> se.scale(x).shape  # one weight per image and channel
        torch.Size([2, 16, 1, 1])
        >>> se(x).shape
        torch.Size([2, 16, 5, 5])
    """

    def __init__(self, channels: int, squeeze_channels: int, activation: str = "relu") -> None:
        super().__init__()
        c = check_int("channels", channels, 1)
        squeeze = check_int("squeeze_channels", squeeze_channels, 1)
        activation = check_choice("activation", activation, tuple(ACTIVATIONS))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(c, squeeze, 1)
        self.fc2 = nn.Conv2d(squeeze, c, 1)
        self.activation = ACTIVATIONS[activation](inplace=True)
        self.scale_activation = nn.Sigmoid()

    def scale(self, x: Tensor) -> Tensor:
        """The per-channel weights ``(N, C, 1, 1)``, each in (0, 1)."""
        return self.scale_activation(self.fc2(self.activation(self.fc1(self.avgpool(x)))))

    def forward(self, x: Tensor) -> Tensor:
        return self.scale(x) * x


class MBConv(nn.Module):
    """The mobile inverted bottleneck of MobileNetV2 and EfficientNet (Sandler et al., 2018;
    Tan & Le, 2019), with squeeze-and-excitation:

    ``1 x 1 expand (C_in -> t C_in) -> k x k depthwise (stride) -> SE -> 1 x 1 project (-> C_out)``,

    each convolution followed by batch norm, SiLU after the first two and none after the
    projection (a "linear bottleneck"); the input is added back when the block keeps the shape
    (stride 1 and ``C_in == C_out``). With ``expand_ratio=1`` there is no expansion layer. The SE
    bottleneck has ``max(1, C_in // 4)`` channels, a quarter of the *input* channels.

    Equal to torchvision's ``torchvision.models.efficientnet.MBConv`` built from
    ``MBConvConfig(expand_ratio, kernel_size, stride, in_channels, out_channels, 1)`` given the
    same weights, in evaluation mode (torchvision rounds the expanded width to a multiple of 8;
    the two agree whenever ``expand_ratio * in_channels`` is one). Stochastic depth, which
    torchvision applies to the residual branch during training, is left out.

    Introduced in chapter "EfficientNet and ConvNeXt".

    Args:
        in_channels: channels of the input.
        out_channels: channels of the output.
        expand_ratio: the expansion factor ``t`` (1 for no expansion; EfficientNet uses 6).
        kernel_size: side of the depthwise kernel (odd).
        stride: stride of the depthwise convolution, 1 or 2.

    Raises:
        ValueError: for non-positive sizes, an even kernel or a stride other than 1 or 2.

    Examples:
        >>> import torch
        >>> from cnnlib.models import MBConv
        >>> block = MBConv(16, 24, expand_ratio=6, kernel_size=5, stride=2)
        >>> block(torch.zeros(1, 16, 32, 32)).shape
        torch.Size([1, 24, 16, 16])
        >>> block.use_res_connect, MBConv(24, 24).use_res_connect
        (False, True)
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        expand_ratio: int = 6,
        kernel_size: int = 3,
        stride: int = 1,
    ) -> None:
        super().__init__()
        c_in = check_int("in_channels", in_channels, 1)
        c_out = check_int("out_channels", out_channels, 1)
        t = check_int("expand_ratio", expand_ratio, 1)
        k = _check_kernel(kernel_size)
        s = check_int("stride", stride, 1)
        if s > 2:
            raise ValueError(f"stride must be 1 or 2, got {s}")
        expanded = c_in * t
        layers: list[nn.Module] = []
        if t != 1:
            layers.append(ConvNormActivation(c_in, expanded, 1))  # expand
        layers.append(ConvNormActivation(expanded, expanded, k, s, groups=expanded))  # depthwise
        layers.append(SqueezeExcitation(expanded, max(1, c_in // 4), activation="silu"))
        layers.append(ConvNormActivation(expanded, c_out, 1, activation=None))  # project, linear
        self.block = nn.Sequential(*layers)
        self.use_res_connect = s == 1 and c_in == c_out
        self.out_channels = c_out

    def forward(self, x: Tensor) -> Tensor:
        out = self.block(x)
        return out + x if self.use_res_connect else out

    def extra_repr(self) -> str:
        return f"residual={self.use_res_connect}"


class ConvNeXtBlock(nn.Module):
    """The ConvNeXt block (Liu et al., 2022):

    ``x + gamma * Linear(GELU(Linear(LayerNorm(DepthwiseConv7x7(x)))))``,

    a ``7 x 7`` depthwise convolution (with bias), layer normalisation over the channels, an
    inverted bottleneck of two dense layers applied at every position (``C -> 4C -> C``) with a
    single GELU between them, and a learned per-channel *layer scale* ``gamma`` (initialised to
    ``layer_scale``, 1e-6 in the paper) on the residual branch. Working channels-last
    (``(N, H, W, C)``) lets the ``1 x 1`` convolutions be ``nn.Linear`` layers.

    Equal to torchvision's ``torchvision.models.convnext.CNBlock(dim, layer_scale, 0.0)`` given
    the same weights, in evaluation mode (stochastic depth left out); the layers are named alike.

    Introduced in chapter "EfficientNet and ConvNeXt".

    Args:
        dim: channels of the input and output.
        layer_scale: initial value of every entry of ``gamma``.
        kernel_size: side of the depthwise kernel (odd; 7 in the paper).
        expansion: width of the hidden layer as a multiple of ``dim`` (4 in the paper).

    Raises:
        ValueError: for non-positive sizes, an even kernel or a negative ``layer_scale``.
        TypeError: for a ``layer_scale`` that is not a number.

    Examples:
        >>> import torch
        >>> from cnnlib.models import ConvNeXtBlock
        >>> block = ConvNeXtBlock(96)
        >>> block(torch.zeros(1, 96, 14, 14)).shape
        torch.Size([1, 96, 14, 14])
        >>> sum(p.numel() for p in block.parameters())  # 96*49+96, 2*96, 96*384+384, 384*96+96, 96
        79296
    """

    def __init__(self, dim: int, layer_scale: float = 1e-6, kernel_size: int = 7, expansion: int = 4) -> None:
        super().__init__()
        d = check_int("dim", dim, 1)
        k = _check_kernel(kernel_size)
        hidden = d * check_int("expansion", expansion, 1)
        check_number("layer_scale", layer_scale, 0.0)
        self.block = nn.Sequential(
            nn.Conv2d(d, d, k, padding=k // 2, groups=d),
            Permute((0, 2, 3, 1)),  # channels last: (N, H, W, C)
            nn.LayerNorm(d, eps=1e-6),
            nn.Linear(d, hidden),
            nn.GELU(),
            nn.Linear(hidden, d),
            Permute((0, 3, 1, 2)),  # back to (N, C, H, W)
        )
        self.layer_scale = nn.Parameter(torch.full((d, 1, 1), float(layer_scale)))

    def forward(self, x: Tensor) -> Tensor:
        return x + self.layer_scale * self.block(x)


class SmallConvNeXt(nn.Module):
    """A ConvNeXt for small images: a patchify stem (a ``p x p`` convolution with stride ``p``
    and layer norm), stages of ``ConvNeXtBlock``, a downsampling layer between stages
    (layer norm, then a ``2 x 2`` convolution with stride 2, as in ConvNeXt), global average
    pooling, layer norm and a linear classifier. The layout of torchvision's ``ConvNeXt``, with
    a stem patch of 2 instead of 4 to suit ``32 x 32`` digits instead of ``224 x 224`` photos.

    Introduced in chapter "EfficientNet and ConvNeXt".

    Args:
        in_channels: channels of the input image.
        num_classes: number of outputs (logits).
        widths: channels of each stage.
        blocks_per_stage: ConvNeXt blocks in each stage.
        patch_size: side (and stride) of the stem's patches.
        kernel_size: side of the blocks' depthwise kernels (odd).
        layer_scale: initial layer scale of the blocks (1e-6 in the paper).

    Raises:
        ValueError: for non-positive sizes, an empty ``widths`` or an even kernel.

    Examples:
        >>> import torch
        >>> from cnnlib.models import SmallConvNeXt
        >>> model = SmallConvNeXt(widths=(16, 32, 64))
        >>> model(torch.zeros(4, 1, 32, 32)).shape
        torch.Size([4, 10])
        >>> model.features(torch.zeros(4, 1, 32, 32)).shape
        torch.Size([4, 64])
    """

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 10,
        widths: Sequence[int] = (16, 32, 64),
        blocks_per_stage: int = 1,
        patch_size: int = 2,
        kernel_size: int = 7,
        layer_scale: float = 1e-6,
    ) -> None:
        super().__init__()
        c_in = check_int("in_channels", in_channels, 1)
        widths = check_widths("widths", widths)
        blocks = check_int("blocks_per_stage", blocks_per_stage, 1)
        p = check_int("patch_size", patch_size, 1)
        k = _check_kernel(kernel_size)
        self.stem = nn.Sequential(nn.Conv2d(c_in, widths[0], p, stride=p), LayerNorm2d(widths[0], eps=1e-6))
        stages = []
        for i, width in enumerate(widths):
            layers: list[nn.Module] = []
            if i > 0:  # downsampling layer
                layers.append(nn.Sequential(LayerNorm2d(widths[i - 1], eps=1e-6),
                                            nn.Conv2d(widths[i - 1], width, 2, stride=2)))
            layers += [ConvNeXtBlock(width, layer_scale, k) for _ in range(blocks)]
            stages.append(nn.Sequential(*layers))
        self.stages = nn.Sequential(*stages)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.norm = nn.LayerNorm(widths[-1], eps=1e-6)
        self.fc = nn.Linear(widths[-1], check_int("num_classes", num_classes, 1))
        for m in self.modules():  # ConvNeXt's initialisation: weights ~ N(0, 0.02^2), no biases
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                # torchvision calls trunc_normal_(std=0.02), whose default bounds (+-2, absolute)
                # lie 100 standard deviations out: the same distribution as normal_, which draws
                # the same numbers in every PyTorch version
                nn.init.normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)

    def features(self, x: Tensor) -> Tensor:
        """The pooled, normalised feature vector ``(N, widths[-1])`` that the classifier reads."""
        return self.norm(self.pool(self.stages(self.stem(x))).flatten(1))

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(self.features(x))


class SmallEfficientNet(nn.Module):
    """An EfficientNet for small images: a ``3 x 3`` stem convolution, stages of ``MBConv``
    blocks (with squeeze-and-excitation and SiLU), a ``1 x 1`` head convolution, global average
    pooling and a linear classifier, the layout of torchvision's ``EfficientNet``
    (Tan & Le, 2019) at the size of ``32 x 32`` greyscale images.

    As in EfficientNet-B0, the stem has stride 2, the first stage's blocks do not expand
    (``expand_ratio=1``) and keep the resolution, and every later stage starts with a block of
    stride 2. EfficientNet-B0 has seven stages, 32 to 320 channels and a head of 1,280; the
    defaults here are three stages of 16, 24 and 40 channels and a head of 128. Stochastic depth
    and the dropout before the classifier are left out.

    Introduced in chapter "EfficientNet and ConvNeXt".

    Args:
        in_channels: channels of the input image.
        num_classes: number of outputs (logits).
        widths: output channels of each stage.
        blocks_per_stage: MBConv blocks in each stage.
        expand_ratio: the expansion factor ``t`` of the blocks after the first stage.
        kernel_size: side of the blocks' depthwise kernels (odd).
        head_channels: channels of the ``1 x 1`` convolution before the pooling.

    Raises:
        ValueError: for non-positive sizes, an empty ``widths`` or an even kernel.
        TypeError: for sizes that are not integers.

    Examples:
        >>> import torch
        >>> from cnnlib.models import SmallEfficientNet
        >>> model = SmallEfficientNet(widths=(16, 24, 40))
        >>> model(torch.zeros(4, 1, 32, 32)).shape
        torch.Size([4, 10])
        >>> model.features(torch.zeros(4, 1, 32, 32)).shape  # the head's 128 channels, pooled
        torch.Size([4, 128])
        >>> [block.use_res_connect for stage in model.stages for block in stage]
        [True, False, False]
    """

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 10,
        widths: Sequence[int] = (16, 24, 40),
        blocks_per_stage: int = 1,
        expand_ratio: int = 6,
        kernel_size: int = 3,
        head_channels: int = 128,
    ) -> None:
        super().__init__()
        c_in = check_int("in_channels", in_channels, 1)
        widths = check_widths("widths", widths)
        blocks = check_int("blocks_per_stage", blocks_per_stage, 1)
        t = check_int("expand_ratio", expand_ratio, 1)
        k = _check_kernel(kernel_size)
        head = check_int("head_channels", head_channels, 1)
        self.stem = ConvNormActivation(c_in, widths[0], 3, stride=2)
        stages = []
        previous = widths[0]
        for i, width in enumerate(widths):
            stages.append(nn.Sequential(*[
                MBConv(previous if j == 0 else width, width, expand_ratio=1 if i == 0 else t,
                       kernel_size=k, stride=2 if (i > 0 and j == 0) else 1)
                for j in range(blocks)
            ]))
            previous = width
        self.stages = nn.Sequential(*stages)
        self.head = ConvNormActivation(widths[-1], head, 1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(head, check_int("num_classes", num_classes, 1))

    def features(self, x: Tensor) -> Tensor:
        """The pooled feature vector ``(N, head_channels)`` that the classifier reads."""
        return self.pool(self.head(self.stages(self.stem(x)))).flatten(1)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(self.features(x))
