"""Networks of the foundations and classic-architecture chapters: MLP, SmallCNN, SubsamplingCNN,
LeNet5, SmallVGG, the small CNN of chapter "Batch normalisation" (batch_norm_cnn), and the CNN
with global average pooling that chapter "What a trained network sees" opens up (gap_cnn)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from torch import Tensor, nn

from cnnlib._checks import check_bool, check_choice, check_int, check_number
from cnnlib.models.layers import BlurPool2d


def _stage_widths(in_channels: int, channels: Sequence[int]) -> list[int]:
    """``[in_channels, *channels]``, checked: positive integers and at least one stage."""
    widths = [check_int("in_channels", in_channels, 1)] + [check_int("channels", c, 1) for c in channels]
    if len(widths) < 2:
        raise ValueError("channels must name at least one stage, got an empty sequence")
    return widths


class MLP(nn.Module):
    """A multilayer perceptron: flatten the image, then dense layers with ReLU in between.

    Introduced in chapter "Why convolutions?".

    Args:
        in_features: number of input values (``C * H * W`` for an image).
        hidden: widths of the hidden layers, in order.
        num_classes: number of outputs (logits).

    Examples:
        >>> import torch
        >>> from cnnlib.models import MLP
        >>> model = MLP(in_features=64, hidden=[32], num_classes=10)
        >>> model(torch.zeros(5, 1, 8, 8)).shape
        torch.Size([5, 10])
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
    """A small CNN: stages of 3x3 convolution, ReLU and 2x2 max pooling, then a dense output layer.

    ``head`` says what the output layer sees. ``"average"`` (the default): global average
    pooling, one number per channel, so the network can only use *local* patterns and which of
    them occur, not where. ``"flatten"``: every value of the last feature maps, as in LeNet-5, so
    the output layer also knows where each pattern is; it needs the ``image_size`` to count them
    (each stage halves the side, rounding down). Introduced in chapter "Why convolutions?".

    Args:
        in_channels: channels of the input image.
        num_classes: number of outputs (logits).
        channels: output channels of each convolutional stage.
        head: ``"average"`` or ``"flatten"``.
        image_size: side of the (square) input image; required with ``head="flatten"``, unused
            otherwise.

    Raises:
        TypeError: for sizes that are not integers or a ``head`` that is not a string.
        ValueError: for non-positive sizes, no stage, an unknown ``head``, a flatten head without
            ``image_size``, or an image too small for the stages.

    Examples:
        >>> import torch
        >>> from cnnlib.models import SmallCNN
        >>> model = SmallCNN(in_channels=1, num_classes=10, channels=(16, 32))
        >>> model(torch.zeros(5, 1, 8, 8)).shape
        torch.Size([5, 10])
        >>> flat = SmallCNN(channels=(16, 32), head="flatten", image_size=28)
        >>> flat.head  # 32 maps of 7x7 after two halvings of 28
        Linear(in_features=1568, out_features=10, bias=True)
    """

    HEADS = ("average", "flatten")

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 10,
        channels: Sequence[int] = (16, 32),
        head: str = "average",
        image_size: int | None = None,
    ) -> None:
        super().__init__()
        widths = _stage_widths(in_channels, channels)
        self.head_kind = check_choice("head", head, self.HEADS)
        layers: list[nn.Module] = []
        for a, b in zip(widths[:-1], widths[1:]):
            layers += [nn.Conv2d(a, b, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
        self.features = nn.Sequential(*layers)
        num_classes = check_int("num_classes", num_classes, 1)
        if head == "average":
            self.pool: nn.Module = nn.AdaptiveAvgPool2d(1)
            self.head = nn.Linear(widths[-1], num_classes)
        else:
            if image_size is None:
                raise ValueError("image_size must be given with head='flatten', got None")
            side = check_int("image_size", image_size, 1) // 2 ** (len(widths) - 1)
            if side < 1:
                raise ValueError(
                    f"image_size must be at least {2 ** (len(widths) - 1)} for "
                    f"{len(widths) - 1} halvings, got {image_size}"
                )
            self.pool = nn.Identity()
            self.head = nn.Linear(widths[-1] * side * side, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.pool(self.features(x)).flatten(1))


class SubsamplingCNN(nn.Module):
    """A small CNN whose two subsampling steps are made one of four ways: max pooling, average
    pooling, a strided convolution or MaxBlurPool (Zhang, 2019).

    Three stages of 3x3 convolution (padding 1), batch normalisation and ReLU, with 8, 16 and 32
    channels by default; every stage but the last reduces its map by 2, then global average
    pooling (``pool``) and one dense layer (``head``). The reduction is

    - ``"max"``: ``MaxPool2d(2)`` after the stage;
    - ``"average"``: ``AvgPool2d(2)`` after the stage;
    - ``"strided"``: no pooling, the stage's convolution takes stride 2;
    - ``"blur"``: Zhang's MaxBlurPool, ``MaxPool2d(2, stride=1)`` then :class:`BlurPool2d`
      (a 3x3 binomial blur, stride 2).

    The four networks have the same parameters (pooling has none), so they differ only in how
    they subsample: the comparison of chapter "Pooling". ``features`` holds the stages, so
    ``model.pool(model.features(x)).flatten(1)`` are the features the output layer sees.
    Introduced in chapter "Pooling".

    Args:
        subsampling: ``"max"``, ``"average"``, ``"strided"`` or ``"blur"``.
        in_channels: channels of the input image.
        num_classes: number of outputs (logits).
        channels: output channels of each stage (at least two stages).

    Raises:
        TypeError: for sizes that are not integers or a ``subsampling`` that is not a string.
        ValueError: for an unknown ``subsampling``, non-positive sizes or fewer than two stages.

    Examples:
        >>> import torch
        >>> from cnnlib.arithmetic import count_params
        >>> from cnnlib.models import SubsamplingCNN
        >>> nets = {kind: SubsamplingCNN(kind) for kind in SubsamplingCNN.SUBSAMPLINGS}
        >>> {kind: count_params(net) for kind, net in nets.items()}
        {'max': 6330, 'average': 6330, 'strided': 6330, 'blur': 6330}
        >>> x = torch.zeros(2, 1, 28, 36)
        >>> nets["blur"](x).shape, nets["strided"].features(x).shape
        (torch.Size([2, 10]), torch.Size([2, 32, 7, 9]))
    """

    SUBSAMPLINGS = ("max", "average", "strided", "blur")

    def __init__(
        self,
        subsampling: str = "max",
        in_channels: int = 1,
        num_classes: int = 10,
        channels: Sequence[int] = (8, 16, 32),
    ) -> None:
        super().__init__()
        self.subsampling = check_choice("subsampling", subsampling, self.SUBSAMPLINGS)
        widths = _stage_widths(in_channels, channels)
        if len(widths) < 3:
            raise ValueError(f"channels must name at least two stages, got {tuple(channels)}")
        after = {
            "max": lambda: [nn.MaxPool2d(2)],
            "average": lambda: [nn.AvgPool2d(2)],
            "strided": lambda: [],
            "blur": lambda: [nn.MaxPool2d(2, stride=1), BlurPool2d(3, stride=2)],
        }[subsampling]
        layers: list[nn.Module] = []
        stages = list(zip(widths[:-1], widths[1:]))
        for i, (a, b) in enumerate(stages):
            last = i == len(stages) - 1
            stride = 2 if subsampling == "strided" and not last else 1
            layers += [nn.Conv2d(a, b, 3, stride=stride, padding=1), nn.BatchNorm2d(b), nn.ReLU()]
            if not last:
                layers += after()
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(widths[-1], check_int("num_classes", num_classes, 1))

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.pool(self.features(x)).flatten(1))

    def extra_repr(self) -> str:
        return f"subsampling={self.subsampling!r}"


class LeNet5(nn.Module):
    """LeNet-5 (LeCun et al., 1998), for 32x32 images: two convolution/subsampling stages, the
    convolution C5, then two dense layers.

    ``features`` holds C1 (6 filters of 5x5), S2 (2x2 pooling), C3 (16 filters of 5x5), S4 and
    C5 (120 filters of 5x5, which on a 5x5 map is a dense layer); ``classifier`` holds F6 (84
    units) and the output layer. ``style="original"`` uses the 1998 choices, tanh and average
    pooling; ``style="modern"`` uses ReLU and max pooling. Three details of the paper are
    simplified, as in most re-implementations: C3 connects to all six maps of S2 (the paper used
    a sparse connection table), S2 and S4 have no trainable coefficient and bias, and the output
    layer is a dense layer instead of Euclidean radial basis functions. With 10 classes this gives
    61,706 parameters. ``dropout`` above zero adds dropout (Srivastava et al., 2014) before each
    of the two dense layers, F6 and the output, where AlexNet placed it; it adds no parameter.
    Introduced in chapter "LeNet-5, AlexNet and VGG".

    Args:
        num_classes: number of outputs (logits).
        in_channels: channels of the input image.
        style: ``"original"`` (tanh, average pooling) or ``"modern"`` (ReLU, max pooling).
        dropout: dropout probability before F6 and before the output layer, in [0, 1); 0 (the
            default) adds no dropout layer.

    Raises:
        ValueError: for an unknown style, non-positive sizes or a dropout outside [0, 1).

    Examples:
        >>> import torch
        >>> from cnnlib.arithmetic import count_params
        >>> from cnnlib.models import LeNet5
        >>> model = LeNet5(style="original")
        >>> model(torch.zeros(2, 1, 32, 32)).shape
        torch.Size([2, 10])
        >>> count_params(model)
        61706
        >>> [name for name, _ in LeNet5(dropout=0.5).classifier.named_children()]
        ['flatten', 'drop5', 'f6', 'act6', 'drop6', 'output']
    """

    STYLES = ("original", "modern")

    def __init__(
        self, num_classes: int = 10, in_channels: int = 1, style: str = "modern", dropout: float = 0.0
    ) -> None:
        super().__init__()
        self.style = check_choice("style", style, self.STYLES)
        if not check_number("dropout", dropout, 0.0) < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        activation = nn.Tanh if style == "original" else nn.ReLU
        pool = nn.AvgPool2d if style == "original" else nn.MaxPool2d
        self.features = nn.Sequential(OrderedDict([
            ("c1", nn.Conv2d(check_int("in_channels", in_channels, 1), 6, kernel_size=5)),
            ("act1", activation()),
            ("s2", pool(2)),
            ("c3", nn.Conv2d(6, 16, kernel_size=5)),
            ("act3", activation()),
            ("s4", pool(2)),
            ("c5", nn.Conv2d(16, 120, kernel_size=5)),
            ("act5", activation()),
        ]))
        drop = [nn.Dropout(dropout)] if dropout > 0 else []
        self.classifier = nn.Sequential(OrderedDict([
            ("flatten", nn.Flatten()),
            *[("drop5", layer) for layer in drop],
            ("f6", nn.Linear(120, 84)),
            ("act6", activation()),
            *[("drop6", nn.Dropout(dropout)) for _ in drop],
            ("output", nn.Linear(84, check_int("num_classes", num_classes, 1))),
        ]))

    def forward(self, x: Tensor) -> Tensor:
        if x.shape[-2:] != (32, 32):
            raise ValueError(f"LeNet5 expects 32x32 images, got {tuple(x.shape[-2:])}")
        return self.classifier(self.features(x))

    def extra_repr(self) -> str:
        return f"style={self.style!r}"


class SmallVGG(nn.Module):
    """VGG's design (Simonyan & Zisserman, 2014) at the size of small images: stages of 3x3
    convolutions (padding 1, ReLU) that each end in 2x2 max pooling, doubling the channels from
    stage to stage, then two hidden dense layers with ReLU and dropout and the output layer.

    torchvision's ``vgg16`` is this pattern with ``channels=(64, 128, 256, 512, 512)``, two or
    three convolutions per stage and 4,096 hidden units on 224x224 images.
    Introduced in chapter "LeNet-5, AlexNet and VGG".

    Args:
        in_channels: channels of the input image.
        num_classes: number of outputs (logits).
        channels: output channels of each stage.
        convs_per_stage: 3x3 convolutions in each stage.
        hidden: units of each of the two hidden dense layers.
        dropout: dropout probability before each of the last two dense layers, in [0, 1).
        image_size: side of the (square) input image; must be divisible by ``2 ** len(channels)``.

    Raises:
        ValueError: for non-positive sizes, a dropout outside [0, 1), no stage, or an image size
            that the stages cannot halve exactly.

    Examples:
        >>> import torch
        >>> from cnnlib.models import SmallVGG
        >>> model = SmallVGG(channels=(8, 16, 32), image_size=32)
        >>> model(torch.zeros(2, 1, 32, 32)).shape
        torch.Size([2, 10])
    """

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 10,
        channels: Sequence[int] = (8, 16, 32),
        convs_per_stage: int = 2,
        hidden: int = 64,
        dropout: float = 0.5,
        image_size: int = 32,
    ) -> None:
        super().__init__()
        widths = _stage_widths(in_channels, channels)
        convs = check_int("convs_per_stage", convs_per_stage, 1)
        hidden = check_int("hidden", hidden, 1)
        if not check_number("dropout", dropout, 0.0) < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        size = check_int("image_size", image_size, 1)
        stages = len(widths) - 1
        if size % 2**stages:
            raise ValueError(
                f"image_size must be divisible by 2 ** {stages} (one halving per stage), got {size}"
            )
        layers: list[nn.Module] = []
        for a, b in zip(widths[:-1], widths[1:]):
            for i in range(convs):
                layers += [nn.Conv2d(a if i == 0 else b, b, kernel_size=3, padding=1), nn.ReLU()]
            layers.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*layers)
        flat = widths[-1] * (size // 2**stages) ** 2
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(flat, hidden),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, check_int("num_classes", num_classes, 1)),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x))


def batch_norm_cnn(
    batch_norm: bool = True,
    placement: str = "before",
    widths: Sequence[int] = (8, 16, 32),
    in_channels: int = 1,
    num_classes: int = 10,
) -> nn.Sequential:
    """The small CNN of chapter "Batch normalisation", with or without batch normalisation.

    3x3 convolutions with ReLU, one per entry of ``widths``: the first with stride 2, a 2x2 max
    pooling after the second, then global average pooling and a linear classifier. With
    ``batch_norm``, a ``BatchNorm2d`` goes ``"before"`` or ``"after"`` each ReLU; a convolution
    that feeds one has no bias, which the normalisation's subtraction of the mean would cancel.
    A flat ``nn.Sequential``, so its layers can be sliced, fused and counted. Introduced in
    chapter "Batch normalisation".

    Raises:
        TypeError: for a non-bool ``batch_norm`` or non-integer sizes.
        ValueError: for an unknown ``placement``, non-positive sizes, or fewer than two widths.

    Examples:
        >>> import torch
        >>> from cnnlib.models import batch_norm_cnn
        >>> model = batch_norm_cnn(batch_norm=True)
        >>> model(torch.zeros(2, 1, 28, 28)).shape
        torch.Size([2, 10])
        >>> [type(m).__name__ for m in model[:4]]
        ['Conv2d', 'BatchNorm2d', 'ReLU', 'Conv2d']
        >>> model[0].bias is None, batch_norm_cnn(batch_norm=False)[0].bias is None
        (True, False)
    """
    batch_norm = check_bool("batch_norm", batch_norm)
    placement = check_choice("placement", placement, ("before", "after"))
    sizes = _stage_widths(in_channels, widths)
    if len(sizes) < 3:
        raise ValueError(f"widths must name at least two convolutions, got {tuple(widths)}")
    layers: list[nn.Module] = []
    for i, (c_in, c_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        feeds_norm = batch_norm and placement == "before"  # its bias would be cancelled
        layers.append(nn.Conv2d(c_in, c_out, 3, stride=2 if i == 0 else 1, padding=1,
                                bias=not feeds_norm))
        if not batch_norm:
            layers.append(nn.ReLU())
        elif placement == "before":
            layers += [nn.BatchNorm2d(c_out), nn.ReLU()]
        else:
            layers += [nn.ReLU(), nn.BatchNorm2d(c_out)]
        if i == 1:
            layers.append(nn.MaxPool2d(2))
    num_classes = check_int("num_classes", num_classes, 1)
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(sizes[-1], num_classes)]
    return nn.Sequential(*layers)


def gap_cnn(
    in_channels: int = 1, num_classes: int = 10, widths: Sequence[int] = (16, 32, 64)
) -> nn.Sequential:
    """The CNN that chapter "What a trained network sees" trains and opens up.

    One stage per entry of ``widths``: a convolution without bias, batch normalisation and ReLU,
    named ``conv1``, ``bn1``, ``relu1``, ``conv2``, ... so that the chapter's analyses can name a
    layer. The first convolution is 5x5 with stride 2, the second 3x3 with stride 2 (a 28x28
    image gives maps of 14x14, then 7x7), the others 3x3 with stride 1; then global average
    pooling (``gap``), ``flatten`` and one linear layer (``fc``), the ending that class activation
    maps need. The layers are created in that order, so one seed gives the same weights as the
    chapter's earlier definition on its page. Introduced in chapter "What a trained network sees".

    Raises:
        TypeError: for non-integer sizes.
        ValueError: for non-positive sizes or an empty ``widths``.

    Examples:
        >>> import torch
        >>> from cnnlib.models import gap_cnn
        >>> model = gap_cnn()
        >>> model(torch.zeros(2, 1, 28, 28)).shape
        torch.Size([2, 10])
        >>> [name for name, _ in model.named_children()][:4], model.conv1.kernel_size
        (['conv1', 'bn1', 'relu1', 'conv2'], (5, 5))
        >>> model[:6](torch.zeros(1, 1, 28, 28)).shape  # after the second stage
        torch.Size([1, 32, 7, 7])
    """
    if isinstance(widths, str) or not isinstance(widths, Sequence):
        raise TypeError(f"widths must be a sequence of integers, got {widths!r}")
    if not widths:
        raise ValueError("widths must name at least one stage, got an empty sequence")
    sizes = [check_int("in_channels", in_channels, 1)] + [check_int("widths", c, 1) for c in widths]
    num_classes = check_int("num_classes", num_classes, 1)
    layers: list[tuple[str, nn.Module]] = []
    for i, (c_in, c_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        kernel, stride = (5 if i == 1 else 3), (2 if i <= 2 else 1)
        layers += [
            (f"conv{i}", nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=kernel // 2, bias=False)),
            (f"bn{i}", nn.BatchNorm2d(c_out)),
            (f"relu{i}", nn.ReLU()),
        ]
    layers += [("gap", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten()),
               ("fc", nn.Linear(sizes[-1], num_classes))]
    return nn.Sequential(OrderedDict(layers))
