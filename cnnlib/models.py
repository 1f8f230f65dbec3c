"""The networks of the book as small ``nn.Module`` classes, one per idea."""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor, nn

from cnnlib._checks import check_int


class MLP(nn.Module):
    """A multilayer perceptron: flatten the image, then dense layers with ReLU in between.

    Introduced in chapter "Why convolutions?".

    Args:
        in_features: number of input values (``C * H * W`` for an image).
        hidden: widths of the hidden layers, in order.
        num_classes: number of outputs (logits).
    """

    def __init__(self, in_features: int, hidden: Sequence[int], num_classes: int) -> None:
        super().__init__()
        widths = [check_int("in_features", in_features, 1)]
        widths += [check_int("hidden", h, 1) for h in hidden]
        layers: list[nn.Module] = [nn.Flatten()]
        for a, b in zip(widths[:-1], widths[1:]):
            layers += [nn.Linear(a, b), nn.ReLU()]
        layers.append(nn.Linear(widths[-1], check_int("num_classes", num_classes, 1)))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.layers(x)


class SmallCNN(nn.Module):
    """A small CNN: stages of 3x3 convolution, ReLU and 2x2 max pooling, then global average
    pooling and one dense layer.

    Because the head averages over all positions, the network can only use *local* patterns
    and where they co-occur, which is the point of chapter "Why convolutions?".

    Args:
        in_channels: channels of the input image.
        num_classes: number of outputs (logits).
        channels: output channels of each convolutional stage.
    """

    def __init__(
        self, in_channels: int = 1, num_classes: int = 10, channels: Sequence[int] = (16, 32)
    ) -> None:
        super().__init__()
        widths = [check_int("in_channels", in_channels, 1)]
        widths += [check_int("channels", c, 1) for c in channels]
        if len(widths) < 2:
            raise ValueError("channels must name at least one stage, got an empty sequence")
        layers: list[nn.Module] = []
        for a, b in zip(widths[:-1], widths[1:]):
            layers += [nn.Conv2d(a, b, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(widths[-1], check_int("num_classes", num_classes, 1))

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.pool(self.features(x)).flatten(1))
