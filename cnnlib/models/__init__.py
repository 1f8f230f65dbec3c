"""The layers and networks of the book as small ``nn.Module`` classes, one per idea.

- ``cnnlib.models.layers`` -- layers that apply one operation (``BatchNorm2d``, ``BlurPool2d``,
  ``LayerNorm2d``, ``Permute``), calling :mod:`cnnlib.ops` where the book builds it.
- ``cnnlib.models.classic`` -- the MLP and small CNNs of the first chapters, LeNet-5, VGG, and
  the CNN with global average pooling of chapter "What a trained network sees".
- ``cnnlib.models.resnet`` -- residual blocks and small residual (and plain) networks.
- ``cnnlib.models.branches`` -- NiN, Inception, DenseNet, ResNeXt and MobileNetV2 blocks, and
  small networks built from them.
- ``cnnlib.models.modern`` -- depthwise-separable, MBConv and ConvNeXt blocks, and small
  EfficientNet and ConvNeXt networks.
- ``cnnlib.models.zoo`` -- every network the book trains on Fashion-MNIST, as its chapter
  configures it (:func:`~cnnlib.models.zoo.book_models`).
"""

from cnnlib.models.classic import (
    MLP,
    LeNet5,
    SmallCNN,
    SmallVGG,
    SubsamplingCNN,
    batch_norm_cnn,
    gap_cnn,
)
from cnnlib.models.layers import BatchNorm2d, BlurPool2d, LayerNorm2d, Permute
from cnnlib.models.modern import (
    ConvNeXtBlock,
    DepthwiseSeparableConv,
    MBConv,
    SmallConvNeXt,
    SmallEfficientNet,
    SqueezeExcitation,
)
from cnnlib.models.resnet import BottleneckBlock, ResidualBlock, SmallResNet
from cnnlib.models.branches import (
    DenseBlock,
    DenseLayer,
    InceptionBlock,
    InvertedResidual,
    NiNBlock,
    ResNeXtBlock,
    SmallDenseNet,
    SmallGoogLeNet,
    SmallMobileNetV2,
    SmallNiN,
    SmallResNeXt,
    Transition,
)
from cnnlib.models import zoo  # noqa: E402  (the catalogue, built from the classes above)

__all__ = [
    "BatchNorm2d",
    "BlurPool2d",
    "LayerNorm2d",
    "Permute",
    "MLP",
    "LeNet5",
    "SmallCNN",
    "SmallVGG",
    "SubsamplingCNN",
    "batch_norm_cnn",
    "gap_cnn",
    "ResidualBlock",
    "BottleneckBlock",
    "SmallResNet",
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
    "DepthwiseSeparableConv",
    "SqueezeExcitation",
    "MBConv",
    "ConvNeXtBlock",
    "SmallConvNeXt",
    "SmallEfficientNet",
]
