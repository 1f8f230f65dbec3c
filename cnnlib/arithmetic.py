"""Shapes, sizes and counts: what a layer does to the size of its input, its parameters and MACs,
its receptive field, and how EfficientNet scales a network.

Most are pure functions on numbers (no tensors needed to call them); :func:`count_macs`,
:func:`receptive_field` and :func:`effective_receptive_field` read a model by running it once.
The receptive-field functions are implemented in the private module ``cnnlib._receptive_field``
(it is long) and imported from here: ``cnnlib.arithmetic`` is their one import path.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
from torch import Tensor, nn

from cnnlib._checks import check_int, check_module, check_number, check_pair
from cnnlib._receptive_field import (
    FieldCone,
    ReceptiveField,
    effective_receptive_field,
    field_cone,
    receptive_field,
    receptive_field_step,
)
from cnnlib.train import eval_mode, model_device

if TYPE_CHECKING:
    import pandas as pd

IntOrPair = int | tuple[int, int]


def linear_params(in_features: int, out_features: int, bias: bool = True) -> int:
    """Number of parameters of a dense (fully connected) layer.

    Implements ``in_features * out_features + out_features`` (the second term only with a bias).
    Introduced in chapter "Why convolutions?".

    Raises:
        ValueError: if a feature count is not positive.

    Examples:
        >>> from cnnlib.arithmetic import linear_params
        >>> linear_params(28 * 28, 10)
        7850
        >>> linear_params(28 * 28, 10, bias=False)
        7840
    """
    n_in = check_int("in_features", in_features, 1)
    n_out = check_int("out_features", out_features, 1)
    return n_in * n_out + (n_out if bias else 0)


def conv2d_params(
    in_channels: int,
    out_channels: int,
    kernel_size: IntOrPair,
    bias: bool = True,
    groups: int = 1,
) -> int:
    """Number of parameters of a 2-D convolution layer.

    Implements ``out_channels * (in_channels / groups) * kh * kw`` (+ ``out_channels`` with a
    bias): the weight tensor of ``nn.Conv2d`` has shape ``(out, in / groups, kh, kw)``.
    Introduced in chapter "Why convolutions?".

    Raises:
        ValueError: if a count is not positive or ``groups`` does not divide both channel counts.

    Examples:
        >>> from cnnlib.arithmetic import conv2d_params
        >>> conv2d_params(3, 64, 3)
        1792
        >>> conv2d_params(32, 32, 3, bias=False, groups=32)
        288
    """
    c_in = check_int("in_channels", in_channels, 1)
    c_out = check_int("out_channels", out_channels, 1)
    kh, kw = check_pair("kernel_size", kernel_size, 1)
    g = check_int("groups", groups, 1)
    if c_in % g or c_out % g:
        raise ValueError(
            f"groups must divide in_channels ({c_in}) and out_channels ({c_out}), got {g}"
        )
    return c_out * (c_in // g) * kh * kw + (c_out if bias else 0)


def conv_output_size(
    size: IntOrPair,
    kernel_size: IntOrPair,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
) -> IntOrPair:
    """Spatial output size of a convolution or pooling window sliding over ``size``.

    Implements ``floor((n + 2p - d(k - 1) - 1) / s) + 1`` (Dumoulin & Visin, 2016), which for
    ``d = 1`` is the familiar ``floor((n + 2p - k) / s) + 1``. Pass ints for one dimension or
    (height, width) pairs; the result has the same form as ``size``.
    Introduced in chapter "The convolution operation".

    Raises:
        ValueError: for a non-positive size, kernel, stride or dilation, a negative padding, or
            settings whose output would be empty.

    Examples:
        >>> from cnnlib.arithmetic import conv_output_size
        >>> conv_output_size(32, kernel_size=5)
        28
        >>> conv_output_size((224, 224), kernel_size=11, stride=4, padding=2)
        (55, 55)
    """
    pairs = [isinstance(a, (tuple, list)) for a in (size, kernel_size, stride, padding, dilation)]
    n = check_pair("size", size, 1)
    k = check_pair("kernel_size", kernel_size, 1)
    s = check_pair("stride", stride, 1)
    p = check_pair("padding", padding, 0)
    d = check_pair("dilation", dilation, 1)
    out = []
    for i in range(2):
        span = d[i] * (k[i] - 1) + 1
        if n[i] + 2 * p[i] < span:
            raise ValueError(
                f"kernel_size {k[i]} with dilation {d[i]} spans {span} pixels, more than the "
                f"padded input ({n[i]} + 2*{p[i]} = {n[i] + 2 * p[i]}): the output would be empty"
            )
        out.append((n[i] + 2 * p[i] - span) // s[i] + 1)
    return (out[0], out[1]) if any(pairs) else out[0]


def count_params(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters of ``model`` (only those with ``requires_grad`` if ``trainable_only``).

    Works on models built on the ``meta`` device, which hold shapes but no memory.
    Introduced in chapter "Why convolutions?".

    Raises:
        TypeError: if ``model`` is not an ``nn.Module``.

    Examples:
        >>> from torch import nn
        >>> from cnnlib.arithmetic import count_params
        >>> model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Conv2d(8, 8, 3))
        >>> count_params(model)
        808
        >>> model[0].requires_grad_(False)
        Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))
        >>> count_params(model, trainable_only=True)
        584
    """
    model = check_module("model", model)
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def pool_output_size(
    size: IntOrPair,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    ceil_mode: bool = False,
) -> IntOrPair:
    """Spatial output size of a pooling layer, by PyTorch's rules (``stride`` defaults to the kernel).

    Without ``ceil_mode`` this is :func:`conv_output_size`,
    ``floor((n + 2p - d(k - 1) - 1) / s) + 1``. With ``ceil_mode`` the floor becomes a ceiling,
    so a last, partial window is kept, but only if it starts inside the input or its left
    padding: a window that would start in the right padding is dropped. PyTorch also requires
    ``padding <= kernel_size // 2``. (As in PyTorch, ceil mode can even keep a single window
    that is longer than the padded input.)
    Introduced in chapter "Pooling".

    Raises:
        ValueError: for a non-positive size, kernel, stride or dilation, a negative padding, a
            padding above half the kernel, or settings whose output would be empty.

    Examples:
        >>> from cnnlib.arithmetic import pool_output_size
        >>> pool_output_size(28, kernel_size=2)
        14
        >>> pool_output_size(55, kernel_size=3, stride=2)
        27
        >>> pool_output_size(5, kernel_size=2, ceil_mode=True)
        3
    """
    if not isinstance(ceil_mode, bool):
        raise TypeError(f"ceil_mode must be True or False, got {ceil_mode!r}")
    pairs = [isinstance(a, (tuple, list)) for a in (size, kernel_size, stride, padding, dilation)]
    n = check_pair("size", size, 1)
    k = check_pair("kernel_size", kernel_size, 1)
    s = k if stride is None else check_pair("stride", stride, 1)
    p = check_pair("padding", padding, 0)
    d = check_pair("dilation", dilation, 1)
    out = []
    for i in range(2):
        if p[i] > k[i] // 2:
            raise ValueError(
                f"padding must be at most half of kernel_size, got padding {p[i]} for kernel_size {k[i]}"
            )
        span = d[i] * (k[i] - 1) + 1
        steps = n[i] + 2 * p[i] - span  # may be negative: then only ceil mode can fit a window
        count = (-(-steps // s[i]) if ceil_mode else steps // s[i]) + 1
        if ceil_mode and (count - 1) * s[i] >= n[i] + p[i]:
            count -= 1  # the last window would start in the right padding
        if count < 1:
            raise ValueError(
                f"kernel_size {k[i]} with dilation {d[i]} spans {span} pixels, more than the "
                f"padded input ({n[i]} + 2*{p[i]} = {n[i] + 2 * p[i]}): the output would be empty"
            )
        out.append(count)
    return (out[0], out[1]) if any(pairs) else out[0]


def _transpose_dims(
    size: IntOrPair,
    kernel_size: IntOrPair,
    stride: IntOrPair,
    padding: IntOrPair,
    output_padding: IntOrPair,
    dilation: IntOrPair,
) -> list[tuple[int, int, int, int, int, int]]:
    """Checked ``(n, k, s, p, op, d)`` of a transposed convolution, one tuple per dimension."""
    n = check_pair("size", size, 1)
    k = check_pair("kernel_size", kernel_size, 1)
    s = check_pair("stride", stride, 1)
    p = check_pair("padding", padding, 0)
    op = check_pair("output_padding", output_padding, 0)
    d = check_pair("dilation", dilation, 1)
    for i in range(2):  # checked in both dimensions first, as PyTorch does
        if op[i] >= s[i] and op[i] >= d[i]:
            raise ValueError(
                f"output_padding must be smaller than stride ({s[i]}) or dilation ({d[i]}), "
                f"as in PyTorch, got {op[i]}"
            )
    dims = []
    for i in range(2):
        full = (n[i] - 1) * s[i] + d[i] * (k[i] - 1) + 1  # every pixel a copy can paint
        if full + op[i] - 2 * p[i] < 1:
            raise ValueError(
                f"padding {p[i]} crops {2 * p[i]} pixels from an output of {full + op[i]} "
                f"(input {n[i]}, kernel_size {k[i]}, stride {s[i]}, dilation {d[i]}, "
                f"output_padding {op[i]}): the output would be empty"
            )
        dims.append((n[i], k[i], s[i], p[i], op[i], d[i]))
    return dims


def conv_transpose_output_size(
    size: IntOrPair,
    kernel_size: IntOrPair,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    output_padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
) -> IntOrPair:
    """Spatial output size of a transposed convolution over an input of ``size``.

    Implements ``(n - 1)s - 2p + d(k - 1) + output_padding + 1`` (Dumoulin & Visin, 2016,
    chapter 4), the size of ``torch.nn.functional.conv_transpose2d``'s output: each of the ``n``
    input pixels paints a copy of the dilated kernel (``d(k - 1) + 1`` pixels) ``s`` pixels
    further on, ``padding`` crops ``p`` pixels from each side of the result and
    ``output_padding`` adds rows and columns at the bottom and right. It inverts
    :func:`conv_output_size` where that drops no pixel; where the stride's floor drops some, several
    input sizes give the same convolution output and ``output_padding`` picks one of them. Pass
    ints for one dimension or (height, width) pairs; the result has the same form as ``size``.
    Introduced in chapter "The convolution operation".

    Raises:
        TypeError: for a non-integer argument.
        ValueError: for a non-positive size, kernel, stride or dilation, a negative padding or
            output padding, an ``output_padding`` not smaller than the stride or the dilation
            (PyTorch requires one of the two), or settings whose output would be empty.

    Examples:
        >>> from cnnlib.arithmetic import conv_output_size, conv_transpose_output_size
        >>> conv_transpose_output_size(28, kernel_size=4, stride=2, padding=1)
        56
        >>> conv_output_size(56, 3, stride=2, padding=1), conv_output_size(55, 3, stride=2, padding=1)
        (28, 28)
        >>> conv_transpose_output_size((28, 28), 3, stride=2, padding=1, output_padding=1)
        (56, 56)
    """
    pairs = [
        isinstance(a, (tuple, list))
        for a in (size, kernel_size, stride, padding, output_padding, dilation)
    ]
    dims = _transpose_dims(size, kernel_size, stride, padding, output_padding, dilation)
    out = [(n - 1) * s - 2 * p + d * (k - 1) + op + 1 for n, k, s, p, op, d in dims]
    return (out[0], out[1]) if any(pairs) else out[0]


def conv_transpose_overlap(
    size: IntOrPair,
    kernel_size: IntOrPair,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    output_padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
) -> Tensor:
    """How many kernel-weighted copies overlap on each output pixel of a transposed convolution.

    Returns an int64 tensor of shape :func:`conv_transpose_output_size` ``(H_out, W_out)``. Input
    pixel ``i`` paints kernel weight ``u`` onto output pixel ``s i + d u - p``, so along one
    dimension output pixel ``o`` receives one product for every pair ``(i, u)`` with
    ``s i + d u = o + p``; in 2-D the count is the product of the row's and the column's counts.
    When the stride does not divide the kernel size, neighbouring pixels receive different
    numbers of products: the uneven overlap behind the checkerboard artefacts of Odena et al.
    (2016). It equals ``conv_transpose2d`` of an all-ones input with an all-ones kernel.
    Introduced in chapter "The convolution operation".

    Raises:
        TypeError, ValueError: as :func:`conv_transpose_output_size`.

    Examples:
        >>> from cnnlib.arithmetic import conv_transpose_overlap
        >>> conv_transpose_overlap(4, kernel_size=3, stride=2)[1]
        tensor([1, 1, 2, 1, 2, 1, 2, 1, 1])
        >>> conv_transpose_overlap(4, kernel_size=4, stride=2, padding=1)[2]
        tensor([2, 4, 4, 4, 4, 4, 4, 2])
    """
    counts = []
    for n, k, s, p, op, d in _transpose_dims(size, kernel_size, stride, padding, output_padding, dilation):
        full = torch.zeros((n - 1) * s + d * (k - 1) + 1 + op, dtype=torch.int64)
        for u in range(k):  # weight u of every input pixel's copy lands s pixels apart
            full[d * u : d * u + s * (n - 1) + 1 : s] += 1
        counts.append(full[p : len(full) - p])
    return torch.outer(counts[0], counts[1])


# --- Multiply-accumulate operations (chapter "LeNet-5, AlexNet and VGG") ---------------------

#: Columns of the ``table`` of a :class:`MacCount`, in order.
MAC_COLUMNS = ("layer", "type", "output shape", "params", "MACs")


@dataclass(frozen=True)
class MacCount:
    """Result of :func:`count_macs`: one row per layer in the order the forward pass ran them.

    ``table`` is a pandas DataFrame with the columns of :data:`MAC_COLUMNS`: the layer's
    qualified name in the model, its type, its output shape for one example (no batch
    dimension), its own parameters and its multiply-accumulate operations (MACs).
    Introduced in chapter "LeNet-5, AlexNet and VGG".

    Examples:
        >>> from torch import nn
        >>> from cnnlib.arithmetic import count_macs
        >>> model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), nn.Linear(4 * 6 * 6, 10))
        >>> count = count_macs(model, (1, 8, 8))
        >>> count.total
        2736
        >>> count.params
        1490
        >>> count.table.set_index("layer").loc["2", "MACs"]
        np.int64(1440)
    """

    table: pd.DataFrame
    input_size: tuple[int, ...]

    @property
    def total(self) -> int:
        """MACs of the whole forward pass, for one example."""
        return int(self.table["MACs"].sum())

    @property
    def params(self) -> int:
        """Parameters of the layers that ran (all of them, unless some were skipped in forward)."""
        return int(self.table["params"].sum())

    def __repr__(self) -> str:
        return (
            f"MacCount(input_size={self.input_size}, total={self.total:,} MACs, "
            f"params={self.params:,}, layers={len(self.table)})"
        )


def layer_macs(
    module: nn.Module, inputs: tuple, output: object, kwargs: dict | None = None
) -> int:
    """MACs of one call of ``module``, for the whole batch in ``inputs``: torchvision's convention.

    - convolution (``nn.Conv1d/2d/3d``): ``output elements * (in_channels / groups) * prod(kernel)``,
      one multiply-accumulate per weight per output position;
    - transposed convolution: ``input elements * (out_channels / groups) * prod(kernel)``;
    - dense layer (``nn.Linear``): ``output elements * in_features``;
    - attention (``nn.MultiheadAttention``, counted as a whole): the four projections plus the
      two matrix products ``Q K^T`` and ``A V``, ``L E^2 + S E k + S E v + 2 L S E + L E^2`` per
      example for ``L`` queries, ``S`` keys, embedding ``E`` and key/value sizes ``k``, ``v``;
    - everything else counts 0: biases, batch normalisation, activations, pooling, dropout and
      element-wise additions (residual connections).

    ``inputs`` are the positional arguments of the call (for attention, ``query`` and ``key`` may
    also come from ``kwargs``). Introduced in chapter "LeNet-5, AlexNet and VGG".

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.arithmetic import layer_macs
        >>> conv = nn.Conv2d(3, 8, kernel_size=3)
        >>> x = torch.zeros(1, 3, 10, 10)
        >>> layer_macs(conv, (x,), conv(x))
        13824
        >>> 8 * 8 * 8 * (3 * 3 * 3)
        13824
    """
    if isinstance(module, nn.MultiheadAttention):
        kwargs = kwargs or {}
        query = inputs[0] if len(inputs) > 0 else kwargs["query"]
        key = inputs[1] if len(inputs) > 1 else kwargs["key"]
        e = module.embed_dim
        if query.dim() == 2:  # unbatched (L, E)
            n, length, source = 1, query.shape[0], key.shape[0]
        elif module.batch_first:
            n, length, source = query.shape[0], query.shape[1], key.shape[1]
        else:
            n, length, source = query.shape[1], query.shape[0], key.shape[0]
        projections = length * e * e + source * e * (module.kdim + module.vdim) + length * e * e
        return n * (projections + 2 * length * source * e)
    if isinstance(module, nn.modules.conv._ConvTransposeNd):
        per_input = module.out_channels // module.groups * math.prod(module.kernel_size)
        return inputs[0].numel() * per_input
    if isinstance(module, nn.modules.conv._ConvNd):
        per_output = module.in_channels // module.groups * math.prod(module.kernel_size)
        return output.numel() * per_output  # type: ignore[union-attr]
    if isinstance(module, nn.Linear):
        return output.numel() * module.in_features  # type: ignore[union-attr]
    return 0


def _output_shape(output: object) -> tuple[int, ...] | None:
    """Shape of a layer's output without its batch dimension (the first tensor of a tuple)."""
    if isinstance(output, (tuple, list)) and output:
        output = output[0]
    return tuple(output.shape[1:]) if isinstance(output, Tensor) else None


def count_macs(model: nn.Module, input_size: Sequence[int]) -> MacCount:
    """Multiply-accumulate operations (MACs) of one forward pass, per layer and in total.

    Runs ``model`` once, in evaluation mode and without gradients, on a batch of one zero input
    of shape ``input_size`` (one example, no batch dimension: ``(3, 224, 224)`` for ImageNet),
    created on the model's device. Build the model on the ``meta`` device
    (``with torch.device("meta"): model = torchvision.models.vgg16()``) and nothing is computed
    or allocated: only shapes flow through the layers. Forward hooks record every layer that
    holds parameters or no sub-layers.

    The count follows the convention of the GFLOPS that torchvision publishes for its models
    (``weights.meta["_ops"]``, in G, counted on one 224x224 image by a dispatch-level counter in
    the spirit of fvcore): a MAC is one multiplication and one addition, and only convolutions,
    dense layers and attention count (see :func:`layer_macs`); biases, normalisation,
    activations, pooling and residual additions are left out. The totals agree with
    torchvision's figures to 0.2% or better, within the rounding of the published values, for
    AlexNet, VGG-11/16, ResNet-18/50, GoogLeNet, Inception v3, DenseNet-121, SqueezeNet,
    MobileNet v2/v3, EfficientNet-B0, ShuffleNet v2, ConvNeXt-Tiny and ViT-B/16. Operations
    called as functions rather than as layers are not seen (Swin's attention, for example, is
    undercounted). A FLOP count is usually twice the MACs.
    Introduced in chapter "LeNet-5, AlexNet and VGG".

    Returns:
        A :class:`MacCount` with ``.total``, ``.params`` and ``.table``.

    Raises:
        TypeError: if ``model`` is not an ``nn.Module`` or ``input_size`` is not a sequence of
            integers.
        ValueError: if ``input_size`` is empty or holds a non-positive size.

    Examples:
        >>> from torchvision.models import resnet18
        >>> from cnnlib.arithmetic import count_macs
        >>> macs = count_macs(resnet18(), (3, 224, 224))
        >>> round(macs.total / 1e9, 2)
        1.81
        >>> macs.params
        11689512
    """
    import pandas as pd

    model = check_module("model", model)
    if not isinstance(input_size, Sequence) or isinstance(input_size, str):
        raise TypeError(
            f"input_size must be a sequence of ints such as (3, 224, 224), got {input_size!r}"
        )
    if not input_size:
        raise ValueError("input_size must hold at least one size, got an empty sequence")
    shape = tuple(check_int("input_size", s, 1) for s in input_size)

    device = model_device(model)
    parameter = next(model.parameters(), None)
    floating = parameter is not None and parameter.is_floating_point()
    dtype = parameter.dtype if floating else torch.float32
    names = {module: name for name, module in model.named_modules()}
    rows: dict[nn.Module, dict] = {}

    def whole(module: nn.Module) -> bool:  # a layer counted together with its sub-layers
        return isinstance(module, nn.MultiheadAttention)

    def record(module: nn.Module, inputs: tuple, kwargs: dict, output: object) -> None:
        macs = layer_macs(module, inputs, output, kwargs)
        if module in rows:  # a layer called twice (a shared ReLU): add up its MACs
            rows[module]["MACs"] += macs
            return
        rows[module] = {
            "layer": names[module] or type(module).__name__,
            "type": type(module).__name__,
            "output shape": _output_shape(output),
            "params": sum(p.numel() for p in module.parameters(recurse=whole(module))),
            "MACs": macs,
        }

    inside = {id(m) for w in model.modules() if whole(w) for m in w.modules() if m is not w}
    watched = [
        m for m in model.modules()
        if id(m) not in inside and (
            whole(m)
            or next(m.children(), None) is None
            or next(m.parameters(recurse=False), None) is not None
        )
    ]
    handles = [m.register_forward_hook(record, with_kwargs=True) for m in watched]
    try:
        with eval_mode(model), torch.no_grad():
            model(torch.zeros((1, *shape), device=device, dtype=dtype))
    finally:
        for handle in handles:
            handle.remove()
    table = pd.DataFrame(list(rows.values()), columns=list(MAC_COLUMNS))
    table = table.astype({"params": "int64", "MACs": "int64"})
    return MacCount(table=table, input_size=shape)


# --- Compound scaling (chapter "EfficientNet and ConvNeXt") ----------------------------------


@dataclass(frozen=True)
class CompoundScaling:
    """Result of ``compound_scaling``: the multipliers of depth, width and resolution, and
    the factor by which they multiply the MACs, ``depth * width**2 * resolution**2``.
    Introduced in chapter "EfficientNet and ConvNeXt".

    Examples:
        >>> from cnnlib.arithmetic import CompoundScaling
        >>> CompoundScaling(depth=2.0, width=1.0, resolution=2.0).macs  # twice the layers, four times the positions
        8.0
    """

    depth: float
    width: float
    resolution: float

    @property
    def macs(self) -> float:
        """The predicted growth of the MACs, linear in depth and quadratic in width and in resolution."""
        return self.depth * self.width**2 * self.resolution**2


def compound_scaling(
    phi: float, alpha: float = 1.2, beta: float = 1.1, gamma: float = 1.15
) -> CompoundScaling:
    """EfficientNet's compound scaling: depth ``alpha**phi``, width ``beta**phi`` and resolution
    ``gamma**phi`` (Tan & Le, 2019, equation 3; the defaults are the paper's grid-searched values).

    The MACs of a convolutional network grow linearly with its depth and quadratically with its
    width and its resolution, so they grow by ``(alpha * beta**2 * gamma**2) ** phi``: about
    ``2**phi`` under the paper's constraint ``alpha * beta**2 * gamma**2 ~ 2``.
    Introduced in chapter "EfficientNet and ConvNeXt".

    Raises:
        TypeError: if an argument is not a number.
        ValueError: for a negative ``phi`` or a coefficient below 1.

    Examples:
        >>> from cnnlib.arithmetic import compound_scaling
        >>> step = compound_scaling(1)  # alpha=1.2, beta=1.1, gamma=1.15
        >>> step.depth, step.width, step.resolution
        (1.2, 1.1, 1.15)
        >>> round(step.macs, 3)  # alpha * beta**2 * gamma**2, close to 2
        1.92
        >>> round(compound_scaling(3).macs, 2)
        7.08
    """
    check_number("phi", phi, 0.0)
    for name, value in (("alpha", alpha), ("beta", beta), ("gamma", gamma)):
        check_number(name, value, 1.0)  # at least 1: a network is scaled up
    return CompoundScaling(depth=alpha**phi, width=beta**phi, resolution=gamma**phi)


__all__ = [
    "linear_params",
    "conv2d_params",
    "conv_output_size",
    "pool_output_size",
    "conv_transpose_output_size",
    "conv_transpose_overlap",
    "count_params",
    "count_macs",
    "layer_macs",
    "MacCount",
    "MAC_COLUMNS",
    "receptive_field",
    "effective_receptive_field",
    "ReceptiveField",
    "receptive_field_step",
    "field_cone",
    "FieldCone",
    "compound_scaling",
    "CompoundScaling",
]
