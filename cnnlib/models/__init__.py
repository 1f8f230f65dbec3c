"""The networks of the book as small ``nn.Module`` classes, one per idea.

- ``cnnlib.models.classic`` -- the MLP and small CNNs of the first chapters, LeNet-5, VGG.
- ``cnnlib.models.resnet`` -- residual blocks and small residual (and plain) networks.
- ``cnnlib.models.modern`` -- depthwise-separable, MBConv and ConvNeXt blocks.
"""

from cnnlib.models.classic import MLP, BlurPool2d, LeNet5, SmallCNN, SmallVGG
from cnnlib.models.resnet import BottleneckBlock, ResidualBlock, SmallResNet
from cnnlib.models.modern import (
    ConvNeXtBlock,
    DepthwiseSeparableConv,
    LayerNorm2d,
    MBConv,
    SmallConvNeXt,
    SqueezeExcitation,
)

__all__ = [
    "MLP",
    "BlurPool2d",
    "LeNet5",
    "SmallCNN",
    "SmallVGG",
    "ResidualBlock",
    "BottleneckBlock",
    "SmallResNet",
    "DepthwiseSeparableConv",
    "SqueezeExcitation",
    "MBConv",
    "LayerNorm2d",
    "ConvNeXtBlock",
    "SmallConvNeXt",
]
