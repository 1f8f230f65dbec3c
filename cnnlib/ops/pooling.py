"""Pooling from scratch: max, average, adaptive and blur pooling over windows of a feature map.

The functions mirror the names and argument order of ``torch.nn.functional`` (``stride``
defaults to ``kernel_size``) and are proven equal to PyTorch's, values and gradients, in
``tests/test_ops_pooling.py`` and in chapter "Pooling". Every window is cut out with
``Tensor.unfold``, a view of the input, so autograd routes gradients through the same windows.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from cnnlib._checks import check_bool, check_choice, check_floating, check_int, check_pair, check_tensor
from cnnlib.arithmetic import IntOrPair, pool_output_size

__all__ = [
    "adaptive_avg_pool2d",
    "adaptive_max_pool2d",
    "adaptive_windows",
    "avg_pool2d",
    "binomial_kernel",
    "blur_pool2d",
    "max_pool2d",
    "pool_image",
    "POOLINGS",
]


def _check_input(input: Tensor) -> Tensor:
    """``input`` must be a floating-point ``(N, C, H, W)`` or ``(C, H, W)`` tensor."""
    if not isinstance(input, Tensor):
        raise TypeError(f"input must be a torch.Tensor, got {type(input).__name__}")
    if input.ndim not in (3, 4):
        raise ValueError(
            f"input must be a 4-D (N, C, H, W) or 3-D (C, H, W) tensor, got shape {tuple(input.shape)}"
        )
    return check_floating("input", input)


def _windows(
    x: Tensor,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
    out: tuple[int, int],
    value: float,
) -> Tensor:
    """All pooling windows of ``x`` as a view of shape ``(..., H_out, W_out, kh, kw)``.

    ``x`` is padded with ``value``: ``padding`` on the top and left, and on the bottom and right
    as much as the ``out`` windows need (more than ``padding`` only in ceil mode).
    """
    extra = []
    for i, n in enumerate(x.shape[-2:]):
        span = dilation[i] * (kernel[i] - 1) + 1
        needed = (out[i] - 1) * stride[i] + span  # padded length the windows cover
        extra.append(max(padding[i], needed - n - padding[i]))
    padded = F.pad(x, (padding[1], extra[1], padding[0], extra[0]), value=value)
    spans = [dilation[i] * (kernel[i] - 1) + 1 for i in range(2)]
    windows = padded.unfold(-2, spans[0], stride[0]).unfold(-2, spans[1], stride[1])
    windows = windows[..., :: dilation[0], :: dilation[1]]  # keep every d-th pixel of a window
    return windows[..., : out[0], : out[1], :, :]


def _flat_index(
    position: Tensor,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
    width: int,
) -> Tensor:
    """Turn the position of a maximum inside its window into an index into the flattened input."""
    out_h, out_w = position.shape[-2:]
    i = torch.arange(out_h, device=position.device).view(-1, 1)
    j = torch.arange(out_w, device=position.device).view(1, -1)
    row = i * stride[0] - padding[0] + (position // kernel[1]) * dilation[0]
    col = j * stride[1] - padding[1] + (position % kernel[1]) * dilation[1]
    return row * width + col


def max_pool2d(
    input: Tensor,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """2-D max pooling: the largest value in each window, like ``torch.nn.functional.max_pool2d``.

    Implements ``y[i, j] = max over (m, n) of x[i*s + m*d - p, j*s + n*d - p]`` for
    ``0 <= m, n < k``, where the padding counts as minus infinity (it never wins). The output size
    is :func:`cnnlib.arithmetic.pool_output_size`. With ``return_indices`` it also returns, for
    each output, the index of the winner in the flattened ``H * W`` input, as PyTorch does; ties go
    to the first maximum in row-major order. (With dilation a window can hold padding only; its
    output is then minus infinity, as in PyTorch, and its index has no meaning.)
    Introduced in chapter "Pooling".

    Args:
        input: a floating-point ``(N, C, H, W)`` or ``(C, H, W)`` tensor.
        kernel_size: window size, an int or a ``(height, width)`` pair.
        stride: step between windows; ``None`` means ``kernel_size``.
        padding: implicit minus-infinity padding on each side, at most ``kernel_size // 2``.
        dilation: spacing between the pixels of a window.
        ceil_mode: keep a last, partial window (see :func:`cnnlib.arithmetic.pool_output_size`).
        return_indices: also return the positions of the maxima.

    Returns:
        The pooled tensor, and with ``return_indices`` an int64 tensor of the same shape.

    Raises:
        TypeError: for an input that is not a floating-point tensor or non-integer sizes.
        ValueError: for a bad input shape, non-positive kernel, stride or dilation, padding that is
            negative or above half the kernel, or settings whose output would be empty.

    Examples:
        >>> import torch
        >>> import torch.nn.functional as F
        >>> from cnnlib.ops import max_pool2d
        >>> x = torch.arange(16.0).reshape(1, 1, 4, 4)
        >>> max_pool2d(x, kernel_size=2)
        tensor([[[[ 5.,  7.],
                  [13., 15.]]]])
        >>> torch.testing.assert_close(max_pool2d(x, 3, stride=1), F.max_pool2d(x, 3, stride=1))
    """
    x = _check_input(input)
    k = check_pair("kernel_size", kernel_size, 1)
    s = k if stride is None else check_pair("stride", stride, 1)
    p = check_pair("padding", padding, 0)
    d = check_pair("dilation", dilation, 1)
    check_bool("ceil_mode", ceil_mode)
    check_bool("return_indices", return_indices)
    out = pool_output_size(tuple(x.shape[-2:]), k, s, p, d, ceil_mode)
    windows = _windows(x, k, s, p, d, out, value=-math.inf)
    values, position = windows.flatten(-2).max(dim=-1)  # first maximum of each window
    if not return_indices:
        return values
    return values, _flat_index(position, k, s, p, d, x.shape[-1])


def avg_pool2d(
    input: Tensor,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """2-D average pooling: the mean of each window, like ``torch.nn.functional.avg_pool2d``.

    Implements ``y[i, j] = (sum of x over the window at (i*s - p, j*s - p)) / divisor``. The padding
    holds zeros; the divisor is the number of window pixels inside the padded input
    (``count_include_pad=True``, PyTorch's default: zeros of the padding count) or inside the
    input itself (``False``), or ``divisor_override`` when given. A partial window of ``ceil_mode``
    never counts the pixels that hang past the right padding. The output size is
    :func:`cnnlib.arithmetic.pool_output_size`. Introduced in chapter "Pooling".

    Args:
        input: a floating-point ``(N, C, H, W)`` or ``(C, H, W)`` tensor.
        kernel_size: window size, an int or a ``(height, width)`` pair.
        stride: step between windows; ``None`` means ``kernel_size``.
        padding: implicit zero padding on each side, at most ``kernel_size // 2``.
        ceil_mode: keep a last, partial window.
        count_include_pad: whether padded zeros count in the divisor.
        divisor_override: a fixed positive divisor for every window.

    Returns:
        The pooled tensor.

    Raises:
        TypeError: for an input that is not a floating-point tensor or non-integer sizes.
        ValueError: for a bad input shape, non-positive kernel, stride or divisor, padding that is
            negative or above half the kernel, or settings whose output would be empty.

    Examples:
        >>> import torch
        >>> from cnnlib.ops import avg_pool2d
        >>> x = torch.arange(16.0).reshape(1, 1, 4, 4)
        >>> avg_pool2d(x, kernel_size=2)
        tensor([[[[ 2.5000,  4.5000],
                  [10.5000, 12.5000]]]])
    """
    x = _check_input(input)
    k = check_pair("kernel_size", kernel_size, 1)
    s = k if stride is None else check_pair("stride", stride, 1)
    p = check_pair("padding", padding, 0)
    check_bool("ceil_mode", ceil_mode)
    check_bool("count_include_pad", count_include_pad)
    if divisor_override is not None:
        divisor_override = check_int("divisor_override", divisor_override, 1)
    out = pool_output_size(tuple(x.shape[-2:]), k, s, p, 1, ceil_mode)
    one = (1, 1)
    sums = _windows(x, k, s, p, one, out, value=0.0).sum(dim=(-2, -1))
    if divisor_override is not None:
        return sums / divisor_override
    # The divisor of each window: count the ones of a mask that covers what should be counted.
    height, width = x.shape[-2:]
    if count_include_pad:  # the padding is part of the mask
        mask, mask_padding = x.new_ones(height + 2 * p[0], width + 2 * p[1]), (0, 0)
    else:  # the padding is padded around the mask, with zeros
        mask, mask_padding = x.new_ones(height, width), p
    counts = _windows(mask, k, s, mask_padding, one, out, value=0.0).sum(dim=(-2, -1))
    return sums / counts


def adaptive_windows(in_size: int, out_size: int) -> list[tuple[int, int]]:
    """The ``(start, end)`` rows (or columns) that adaptive pooling averages for each output.

    Implements PyTorch's rule: output ``i`` of ``out_size`` pools input positions
    ``floor(i * in_size / out_size)`` up to, not including, ``ceil((i + 1) * in_size / out_size)``.
    The windows cover the input, differ in size by at most one when ``out_size`` does not divide
    ``in_size``, and may overlap. Introduced in chapter "Pooling".

    Raises:
        ValueError: if a size is not positive.

    Examples:
        >>> from cnnlib.ops import adaptive_windows
        >>> adaptive_windows(10, 3)
        [(0, 4), (3, 7), (6, 10)]
    """
    n = check_int("in_size", in_size, 1)
    m = check_int("out_size", out_size, 1)
    return [((i * n) // m, -(-((i + 1) * n) // m)) for i in range(m)]


def _adaptive_size(input: Tensor, output_size: object) -> tuple[int, int]:
    """``output_size`` as a pair; ``None`` (alone or in the pair) keeps the input's size."""
    if output_size is None:
        return tuple(input.shape[-2:])  # type: ignore[return-value]
    if isinstance(output_size, (tuple, list)) and len(output_size) == 2:
        return tuple(  # type: ignore[return-value]
            n if m is None else check_int("output_size", m, 1)
            for n, m in zip(input.shape[-2:], output_size)
        )
    return check_pair("output_size", output_size, 1)


def adaptive_avg_pool2d(input: Tensor, output_size: IntOrPair | tuple[int | None, int | None]) -> Tensor:
    """Average pooling to a fixed output size, like ``torch.nn.functional.adaptive_avg_pool2d``.

    Output ``(i, j)`` is the mean of the input rows and columns given by :func:`adaptive_windows`,
    so any input size maps to ``output_size``; ``output_size=1`` is global average pooling
    (Lin et al., 2014, "Network in network"). ``None`` keeps that dimension's size.
    Introduced in chapter "Pooling".

    Raises:
        TypeError: for an input that is not a floating-point tensor.
        ValueError: for a bad input shape or a non-positive output size.

    Examples:
        >>> import torch
        >>> from cnnlib.ops import adaptive_avg_pool2d
        >>> x = torch.arange(25.0).reshape(1, 1, 5, 5)
        >>> adaptive_avg_pool2d(x, 2)
        tensor([[[[ 6.,  8.],
                  [16., 18.]]]])
        >>> adaptive_avg_pool2d(x, 1).flatten()
        tensor([12.])
    """
    x = _check_input(input)
    out_h, out_w = _adaptive_size(x, output_size)
    # The mean over a rectangle is the mean over its columns of the means over its rows, so
    # average the row windows first, then the column windows.
    rows = [x[..., a:b, :].mean(dim=-2) for a, b in adaptive_windows(x.shape[-2], out_h)]
    x = torch.stack(rows, dim=-2)  # (..., out_h, W)
    cols = [x[..., c:e].mean(dim=-1) for c, e in adaptive_windows(x.shape[-1], out_w)]
    return torch.stack(cols, dim=-1)


def adaptive_max_pool2d(
    input: Tensor,
    output_size: IntOrPair | tuple[int | None, int | None],
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """Max pooling to a fixed output size, like ``torch.nn.functional.adaptive_max_pool2d``.

    Output ``(i, j)`` is the maximum over the windows of :func:`adaptive_windows`; with
    ``return_indices`` also the index of the winner in the flattened ``H * W`` input (ties go to
    the first maximum in row-major order). Introduced in chapter "Pooling".

    Raises:
        TypeError: for an input that is not a floating-point tensor.
        ValueError: for a bad input shape or a non-positive output size.

    Examples:
        >>> import torch
        >>> from cnnlib.ops import adaptive_max_pool2d
        >>> x = torch.arange(25.0).reshape(1, 1, 5, 5)
        >>> adaptive_max_pool2d(x, (1, 2))
        tensor([[[[22., 24.]]]])
    """
    x = _check_input(input)
    check_bool("return_indices", return_indices)
    out_h, out_w = _adaptive_size(x, output_size)
    width = x.shape[-1]
    values, indices = [], []
    for a, b in adaptive_windows(x.shape[-2], out_h):
        row_values, row_indices = [], []
        for c, e in adaptive_windows(width, out_w):
            value, position = x[..., a:b, c:e].flatten(-2).max(dim=-1)
            row_values.append(value)
            row_indices.append((a + position // (e - c)) * width + c + position % (e - c))
        values.append(torch.stack(row_values, dim=-1))
        indices.append(torch.stack(row_indices, dim=-1))
    pooled = torch.stack(values, dim=-2)
    return (pooled, torch.stack(indices, dim=-2)) if return_indices else pooled


def binomial_kernel(filter_size: int) -> Tensor:
    """A ``(filter_size, filter_size)`` low-pass filter: the outer product of binomial coefficients.

    Row ``n`` of Pascal's triangle (``[1, 2, 1]`` for size 3), normalised to sum to one: the
    blur of Zhang (2019), "Making convolutional networks shift-invariant again".
    Introduced in chapter "Pooling".

    Raises:
        ValueError: if ``filter_size`` is not positive.

    Examples:
        >>> from cnnlib.ops import binomial_kernel
        >>> binomial_kernel(3)
        tensor([[0.0625, 0.1250, 0.0625],
                [0.1250, 0.2500, 0.1250],
                [0.0625, 0.1250, 0.0625]])
    """
    n = check_int("filter_size", filter_size, 1)
    row = torch.tensor([math.comb(n - 1, i) for i in range(n)], dtype=torch.float64)
    kernel = torch.outer(row, row)
    return (kernel / kernel.sum()).float()


#: Border modes of :func:`blur_pool2d` (those of ``torch.nn.functional.pad``, zeros named as in
#: ``nn.Conv2d``).
BLUR_PADDINGS = ("reflect", "replicate", "circular", "zeros")


def blur_pool2d(
    input: Tensor, filter_size: int = 3, stride: int = 2, padding_mode: str = "reflect"
) -> Tensor:
    """Blur, then subsample: the anti-aliased downsampling of Zhang (2019).

    Each channel is convolved with :func:`binomial_kernel`, padded by ``padding_mode`` to keep its
    size (Zhang's reflection by default; ``"circular"`` treats the map as periodic), then every
    ``stride``-th row and column is kept. Blurring first removes the high frequencies
    that subsampling would fold into false patterns (aliasing), so the result changes more smoothly
    when the input shifts. Zhang's *MaxBlurPool* is ``max_pool2d(x, 2, stride=1)`` followed by
    this. Introduced in chapter "Pooling".

    Raises:
        TypeError: for an input that is not a floating-point tensor.
        ValueError: for a bad input shape, a non-positive filter size or stride, or an unknown
            ``padding_mode``.

    Examples:
        >>> import torch
        >>> from cnnlib.ops import blur_pool2d
        >>> x = torch.zeros(1, 1, 8, 8)
        >>> x[..., ::2] = 1.0
        >>> blur_pool2d(x).shape
        torch.Size([1, 1, 4, 4])
        >>> blur_pool2d(x).std().item() < x.std().item()
        True
    """
    x = _check_input(input)
    stride = check_int("stride", stride, 1)
    check_choice("padding_mode", padding_mode, BLUR_PADDINGS)
    kernel = binomial_kernel(filter_size).to(x)
    n = kernel.shape[-1]
    before, after = (n - 1) // 2, n // 2  # Zhang's padding, asymmetric for even sizes
    batched = x if x.ndim == 4 else x.unsqueeze(0)
    channels = batched.shape[1]
    mode = "constant" if padding_mode == "zeros" else padding_mode
    padded = F.pad(batched, (before, after, before, after), mode=mode) if n > 1 else batched
    weight = kernel.expand(channels, 1, n, n)
    blurred = F.conv2d(padded, weight, stride=stride, groups=channels)
    return blurred if x.ndim == 4 else blurred[0]


#: The kinds of pooling :func:`pool_image` offers (and the figures and the explorer of chapter
#: "Pooling"), as functions of (x, kernel, stride).
POOLINGS: dict[str, Callable[[Tensor, int, int], Tensor]] = {
    "max": lambda x, k, s: max_pool2d(x, k, s),
    "average": lambda x, k, s: avg_pool2d(x, k, s),
    "blur": lambda x, k, s: blur_pool2d(x, k, s),
}


def pool_image(image: Tensor, kind: str, kernel_size: int, stride: int | None = None) -> Tensor:
    """Pool a ``(C, H, W)`` image with one of ``POOLINGS`` (``stride`` defaults to the kernel).

    ``"max"`` and ``"average"`` are :func:`cnnlib.ops.max_pool2d` and :func:`cnnlib.ops.avg_pool2d`;
    ``"blur"`` is :func:`cnnlib.ops.blur_pool2d` with a binomial filter of side ``kernel_size``.
    Introduced in chapter "Pooling".

    Raises:
        TypeError: if ``image`` is not a tensor or the kernel or stride not an integer.
        ValueError: for an unknown ``kind``, an image that is not 3-D, or a non-positive kernel
            or stride.

    Examples:
        >>> import torch
        >>> from cnnlib.ops import pool_image
        >>> pool_image(torch.rand(1, 8, 8), "max", 2).shape
        torch.Size([1, 4, 4])
    """
    check_tensor("image", image, 3, "(C, H, W)")
    check_choice("kind", kind, tuple(POOLINGS))
    k = check_int("kernel_size", kernel_size, 1)
    s = k if stride is None else check_int("stride", stride, 1)
    return POOLINGS[kind](image.detach().float(), k, s)
