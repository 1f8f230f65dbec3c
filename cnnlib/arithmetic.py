"""Shapes, sizes and counts: pure functions on numbers (no tensors needed to call most of them)."""

from __future__ import annotations

from torch import nn

from cnnlib._checks import check_int, check_pair

IntOrPair = int | tuple[int, int]


def linear_params(in_features: int, out_features: int, bias: bool = True) -> int:
    """Number of parameters of a dense (fully connected) layer.

    Implements ``in_features * out_features + out_features`` (the second term only with a bias).
    Introduced in chapter "Why convolutions?".

    Raises:
        ValueError: if a feature count is not positive.
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
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)
