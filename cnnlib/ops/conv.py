"""2-D convolution from scratch: a loop version to read, and an im2col version that is fast.

What deep learning calls convolution is cross-correlation (the kernel is not flipped):

    y[n, o, i, j] = b[o] + sum_{c, u, v} x_pad[n, c, s*i + d*u, s*j + d*v] * w[o, c, u, v]

with stride ``s``, dilation ``d``, and ``c`` running over the input channels of the group that
output channel ``o`` belongs to. Both versions here compute exactly what
``torch.nn.functional.conv2d`` computes, take the same arguments and are differentiable through
autograd. Introduced in chapter "The convolution operation".
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from cnnlib._checks import check_choice, check_image, check_int, check_pair
from cnnlib.arithmetic import conv_output_size, conv_transpose_output_size

IntOrPair = int | tuple[int, int]
Padding = int | tuple[int, int] | str

#: How a border can be filled, as ``nn.Conv2d``'s ``padding_mode`` names it, and ``F.pad``'s mode.
PADDING_MODES = ("zeros", "reflect", "circular")
_PAD_MODES = {"zeros": "constant", "reflect": "reflect", "circular": "circular"}

#: Most numbers :func:`conv2d` puts in one im2col matrix (16 MB in float32); larger batches are
#: processed a few images at a time.
COLUMNS_BUDGET = 2**22

#: Hand-designed 3x3 kernels, by name (rows top to bottom). Sobel kernels respond to changes of
#: brightness along x (left to right) or y (top to bottom).
KERNELS: dict[str, list[list[float]]] = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "box blur": [[1 / 9] * 3] * 3,
    "gaussian blur": [[1 / 16, 2 / 16, 1 / 16], [2 / 16, 4 / 16, 2 / 16], [1 / 16, 2 / 16, 1 / 16]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "sobel x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "sobel y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "laplacian": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
}


def named_kernel(name: str, dtype: torch.dtype = torch.float32) -> Tensor:
    """A hand-designed 3x3 kernel from ``KERNELS`` as a ``(3, 3)`` tensor.

    Blurs average a neighbourhood (their weights sum to 1, so flat regions keep their
    brightness); "sharpen" adds the difference from the neighbours back to the centre; Sobel
    kernels weight a central difference by a small blur across it (weights sum to 0, so flat
    regions give 0). Introduced in chapter "The convolution operation".

    Raises:
        ValueError: for a name that is not a key of ``KERNELS``.

    Examples:
        >>> from cnnlib.ops import KERNELS, named_kernel
        >>> sorted(KERNELS)[:3]
        ['box blur', 'gaussian blur', 'identity']
        >>> named_kernel("sobel x")
        tensor([[-1.,  0.,  1.],
                [-2.,  0.,  2.],
                [-1.,  0.,  1.]])
    """
    check_choice("name", name, list(KERNELS))
    return torch.tensor(KERNELS[name], dtype=dtype)


def _check_tensor(name: str, value: object, ndims: tuple[int, ...], what: str) -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if value.ndim not in ndims:
        raise ValueError(f"{name} must be a {what} tensor, got shape {tuple(value.shape)}")
    return value


@dataclass
class _Conv:
    """A validated convolution: the padded 4-D input and the sizes every version needs."""

    x: Tensor  # (N, C_in, H + pads, W + pads), padded with zeros
    stride: tuple[int, int]
    dilation: tuple[int, int]
    out_size: tuple[int, int]
    unbatched: bool


def _check_input(x: object) -> Tensor:
    return _check_tensor("input", x, (3, 4), "3-D (C, H, W) or 4-D (N, C, H, W)")


def _check_kernels(x: Tensor, weight: object, what: str) -> Tensor:
    """Check that ``weight`` is a 4-D tensor (``what`` its shape) like ``x``, with no empty dimension."""
    weight = _check_tensor("weight", weight, (4,), f"4-D {what}")
    if weight.dtype != x.dtype:
        raise TypeError(f"weight must have the dtype of input ({x.dtype}), got {weight.dtype}")
    if weight.device != x.device:
        raise ValueError(f"weight must be on the device of input ({x.device}), got {weight.device}")
    if min(weight.shape) < 1:
        raise ValueError(f"weight must have no empty dimension, got shape {tuple(weight.shape)}")
    return weight


def _check_weight(x: Tensor, weight: object, bias: object, groups: object) -> int:
    """Check ``weight``, ``bias`` and ``groups`` against ``x`` as ``F.conv2d`` does; return groups."""
    weight = _check_kernels(x, weight, "(out_channels, in_channels / groups, kH, kW)")
    groups = check_int("groups", groups, 1)
    c_out, c_in_per_group, kh, kw = weight.shape
    if c_out % groups:
        raise ValueError(f"groups must divide out_channels ({c_out}), got {groups}")
    channels = x.shape[-3]
    if channels != c_in_per_group * groups:
        raise ValueError(
            f"input has {channels} channels, but weight of shape {tuple(weight.shape)} with "
            f"groups={groups} expects {c_in_per_group * groups} input channels"
        )
    _check_bias(x, bias, c_out)
    return groups


def _check_bias(x: Tensor, bias: object, c_out: int) -> None:
    """Check that ``bias`` is ``None`` or a 1-D tensor of ``c_out`` entries like ``x``."""
    if bias is not None:
        bias = _check_tensor("bias", bias, (1,), "1-D (out_channels,)")
        if bias.shape[0] != c_out:
            raise ValueError(f"bias must have {c_out} entries (out_channels), got {bias.shape[0]}")
        if bias.dtype != x.dtype or bias.device != x.device:
            raise TypeError(
                f"bias must have the dtype and device of input, got {bias.dtype} on {bias.device}"
            )


def _pad(
    x: Tensor,
    kernel_size: tuple[int, int],
    stride: object,
    padding: object,
    dilation: object,
) -> _Conv:
    """Check stride, padding and dilation, pad ``x`` with zeros and compute the output size."""
    (kh, kw) = kernel_size
    stride = check_pair("stride", stride, 1)
    dilation = check_pair("dilation", dilation, 1)
    unbatched = x.ndim == 3
    x4 = x.unsqueeze(0) if unbatched else x
    height, width = (int(n) for n in x4.shape[-2:])
    if isinstance(padding, str):
        check_choice("padding", padding, ("valid", "same"))
        if padding == "same" and stride != (1, 1):
            raise ValueError(f"padding='same' needs stride 1 (as in PyTorch), got stride {stride}")
        if padding == "valid":
            pads = (0, 0, 0, 0)
        else:
            # PyTorch's rule: the total padding d(k - 1) is split, the odd pixel going right/bottom.
            total_h, total_w = dilation[0] * (kh - 1), dilation[1] * (kw - 1)
            pads = (total_w // 2, total_w - total_w // 2, total_h // 2, total_h - total_h // 2)
    else:
        ph, pw = check_pair("padding", padding, 0)
        pads = (pw, pw, ph, ph)
    if padding == "same":
        check_pair("size", (height, width), 1)
        out_size = (height, width)
    else:
        symmetric = (pads[2], pads[0])
        out_size = conv_output_size((height, width), (kh, kw), stride, symmetric, dilation)
    if any(pads):
        x4 = F.pad(x4, pads)  # zero padding: a differentiable copy of the input with a border
    return _Conv(x4, stride, dilation, out_size, unbatched)  # type: ignore[arg-type]


def _windows(x: Tensor, kernel_size: tuple[int, int], conv: _Conv) -> Tensor:
    """Every window of ``x`` as a view of shape ``(N, C, kH, kW, H_out, W_out)`` (no copy).

    The view reuses the memory of ``x`` with new strides: stepping the kernel index by one moves
    ``dilation`` pixels, stepping the output index by one moves ``stride`` pixels.
    """
    (kh, kw), (sh, sw), (dh, dw) = kernel_size, conv.stride, conv.dilation
    n, c = x.shape[:2]
    step_n, step_c, step_h, step_w = x.stride()
    return x.as_strided(
        size=(n, c, kh, kw, *conv.out_size),
        stride=(step_n, step_c, dh * step_h, dw * step_w, sh * step_h, sw * step_w),
        storage_offset=x.storage_offset(),
    )


def unfold(
    input: Tensor,
    kernel_size: IntOrPair,
    dilation: IntOrPair = 1,
    padding: IntOrPair = 0,
    stride: IntOrPair = 1,
) -> Tensor:
    """The im2col matrix: every sliding window of ``input`` as one column.

    Returns a ``(N, C * kH * kW, L)`` tensor (``(C * kH * kW, L)`` for an unbatched ``(C, H, W)``
    input), where ``L = H_out * W_out`` is the number of window positions, exactly like
    ``torch.nn.functional.unfold``, with the same argument order. Column ``l`` holds the window
    under output position ``l`` (row-major), channel by channel. Built from a strided view of the
    zero-padded input; the reshape into a matrix is the one copy.
    Introduced in chapter "The convolution operation".

    Raises:
        TypeError: if ``input`` is not a tensor or an argument is not an integer.
        ValueError: for a bad shape, a non-positive kernel size, stride or dilation, a negative
            padding, or windows larger than the padded input.

    Examples:
        >>> import torch
        >>> from cnnlib.ops import unfold
        >>> x = torch.arange(16.0).reshape(1, 1, 4, 4)
        >>> cols = unfold(x, kernel_size=2, stride=2)
        >>> cols.shape
        torch.Size([1, 4, 4])
        >>> cols[0, :, 0]
        tensor([0., 1., 4., 5.])
    """
    x = _check_input(input)
    kernel_size = check_pair("kernel_size", kernel_size, 1)
    if isinstance(padding, str):
        raise TypeError(f"padding must be an integer or a (height, width) pair, got {padding!r}")
    conv = _pad(x, kernel_size, stride, padding, dilation)
    n, c = conv.x.shape[:2]
    windows = _windows(conv.x, kernel_size, conv)
    positions = conv.out_size[0] * conv.out_size[1]
    columns = windows.reshape(n, c * kernel_size[0] * kernel_size[1], positions)
    return columns[0] if conv.unbatched else columns


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrPair = 1,
    padding: Padding = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
) -> Tensor:
    """2-D convolution (cross-correlation) as one matrix product per group: im2col, then matmul.

    Same arguments, semantics and result as ``torch.nn.functional.conv2d``: ``input`` is
    ``(N, C_in, H, W)`` or unbatched ``(C_in, H, W)``, ``weight`` is
    ``(C_out, C_in / groups, kH, kW)``, ``padding`` is an int, a pair, ``"valid"`` (none) or
    ``"same"`` (output as large as the input; stride 1 only). The output has spatial size
    ``floor((H + 2p - d(k - 1) - 1) / s) + 1`` (Dumoulin & Visin, 2016). The windows of the
    padded input are gathered into the im2col matrix of shape
    ``(N, groups, C_in / groups * kH * kW, H_out * W_out)`` and multiplied by the weights seen as
    a ``(groups, C_out / groups, C_in / groups * kH * kW)`` matrix: the matrix product does all
    the arithmetic. A large batch is processed a few images at a time, so that the im2col matrix
    holds at most ``COLUMNS_BUDGET`` numbers. Differentiable through autograd.
    Introduced in chapter "The convolution operation".

    Raises:
        TypeError: for a non-tensor, mismatched dtypes, or a non-integer stride, padding,
            dilation or groups.
        ValueError: for a bad shape, channels that do not match ``weight`` and ``groups``, a
            non-positive stride, dilation or groups, a negative or unknown padding,
            ``padding="same"`` with a stride, or a kernel larger than the padded input.

    Examples:
        >>> import torch
        >>> import torch.nn.functional as F
        >>> from cnnlib.ops import conv2d
        >>> x, w = torch.randn(2, 3, 9, 9), torch.randn(4, 3, 3, 3)
        >>> conv2d(x, w, stride=2, padding=1).shape
        torch.Size([2, 4, 5, 5])
        >>> torch.testing.assert_close(conv2d(x, w, padding=1), F.conv2d(x, w, padding=1))
    """
    x = _check_input(input)
    groups = _check_weight(x, weight, bias, groups)
    c_out, c_in_per_group, kh, kw = weight.shape
    conv = _pad(x, (kh, kw), stride, padding, dilation)
    positions = conv.out_size[0] * conv.out_size[1]
    rows = c_in_per_group * kh * kw  # one row of the im2col matrix per weight of a kernel
    kernels = weight.reshape(groups, c_out // groups, rows)
    # The im2col matrix holds kH * kW copies of the input. Build it for a few images at a time,
    # at most COLUMNS_BUDGET numbers, so that it stays small: a huge temporary costs more time in
    # fresh memory than the matrix product costs in arithmetic.
    n = conv.x.shape[0]
    chunk = max(1, COLUMNS_BUDGET // max(1, groups * rows * positions))
    outs = []
    for start in range(0, max(n, 1), chunk):
        images = conv.x[start : start + chunk]
        windows = _windows(images, (kh, kw), conv)  # (n, C_in, kH, kW, H_out, W_out), a view
        columns = windows.reshape(len(images), groups, rows, positions)  # the im2col copy
        outs.append(torch.matmul(kernels, columns))  # (n, groups, C_out / groups, H_out * W_out)
    out = (outs[0] if len(outs) == 1 else torch.cat(outs)).reshape(n, c_out, *conv.out_size)
    if bias is not None:
        out.add_(bias.view(1, c_out, 1, 1))  # in place: no second output-sized tensor
    return out[0] if conv.unbatched else out


def conv2d_naive(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrPair = 1,
    padding: Padding = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
) -> Tensor:
    """2-D convolution (cross-correlation) written as explicit loops, to read rather than to run.

    Same arguments, semantics and result as :func:`conv2d` and ``torch.nn.functional.conv2d``:
    for every output position and every output channel, the sum of the products of the window
    under the kernel with the kernel. Thousands of small tensor operations: use it on small
    inputs only. Differentiable through autograd.
    Introduced in chapter "The convolution operation".

    Raises:
        TypeError, ValueError: as :func:`conv2d`.

    Examples:
        >>> import torch
        >>> from cnnlib.ops import conv2d, conv2d_naive
        >>> x, w = torch.randn(1, 2, 6, 6), torch.randn(3, 2, 3, 3)
        >>> conv2d_naive(x, w).shape
        torch.Size([1, 3, 4, 4])
        >>> torch.testing.assert_close(conv2d_naive(x, w), conv2d(x, w))
    """
    x = _check_input(input)
    groups = _check_weight(x, weight, bias, groups)
    c_out, c_in_per_group, kh, kw = weight.shape
    conv = _pad(x, (kh, kw), stride, padding, dilation)
    x = conv.x  # zero-padded, (N, C_in, H + 2p, W + 2p)
    (sh, sw), (dh, dw), (h_out, w_out) = conv.stride, conv.dilation, conv.out_size
    c_out_per_group = c_out // groups
    out = x.new_zeros((x.shape[0], c_out, h_out, w_out))
    for i in range(h_out):  # every output row ...
        for j in range(w_out):  # ... and column: the window's top-left corner is (s*i, s*j)
            top, left = sh * i, sw * j
            window = x[:, :, top : top + dh * (kh - 1) + 1 : dh, left : left + dw * (kw - 1) + 1 : dw]
            for o in range(c_out):  # every output channel sees only the inputs of its group
                g = o // c_out_per_group
                inputs = window[:, g * c_in_per_group : (g + 1) * c_in_per_group]  # (N, C/g, kH, kW)
                out[:, o, i, j] = (inputs * weight[o]).sum(dim=(1, 2, 3))
    if bias is not None:
        out = out + bias.view(1, c_out, 1, 1)
    return out[0] if conv.unbatched else out


# --------------------------------------------------------------------------------------------
# Transposed convolution: each input pixel paints a copy of the kernel
# --------------------------------------------------------------------------------------------


def _check_transposed_weight(x: Tensor, weight: object, bias: object, groups: object) -> int:
    """Check ``weight`` ``(C_in, C_out / groups, kH, kW)``, ``bias`` and ``groups`` against ``x``."""
    weight = _check_kernels(x, weight, "(in_channels, out_channels / groups, kH, kW)")
    groups = check_int("groups", groups, 1)
    c_in, c_out_per_group = weight.shape[:2]
    if x.shape[-3] != c_in:
        raise ValueError(
            f"input has {x.shape[-3]} channels, but weight of shape {tuple(weight.shape)} "
            f"expects {c_in} input channels (its first dimension)"
        )
    if c_in % groups:
        raise ValueError(f"groups must divide in_channels ({c_in}), got {groups}")
    _check_bias(x, bias, c_out_per_group * groups)
    return groups


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    output_padding: IntOrPair = 0,
    groups: int = 1,
    dilation: IntOrPair = 1,
) -> Tensor:
    """2-D transposed convolution: every input pixel paints a copy of the kernel, scaled by its value.

    Same arguments, semantics and result as ``torch.nn.functional.conv_transpose2d``: ``input``
    is ``(N, C_in, H, W)`` or unbatched ``(C_in, H, W)``, ``weight`` is
    ``(C_in, C_out / groups, kH, kW)`` (the shape of the :func:`conv2d` weight it transposes),
    and the output has spatial size ``(H - 1)s - 2p + d(k - 1) + output_padding + 1``
    (:func:`cnnlib.arithmetic.conv_transpose_output_size`; Dumoulin & Visin, 2016, chapter 4).
    Input pixel ``(i, j)`` adds its value times the kernel (dilated by ``d``) to the output at
    ``(s i, s j)``; where copies overlap they add up. Then ``padding`` crops ``p`` pixels from
    each side, and ``output_padding`` keeps that many more rows and columns at the bottom and
    right. Differentiable through autograd.

    Two constructions compute it. One inserts ``s - 1`` zeros between the input pixels, pads
    with ``d(k - 1) - p`` zeros and convolves with the flipped kernel (the picture of Dumoulin &
    Visin), which spends most of its multiplications on the inserted zeros and needs a negative
    padding when ``p > d(k - 1)``. This function builds the other, the definition drawn in the
    chapter, in two steps that mirror :func:`conv2d`'s im2col product: one matrix product per
    group, the transposed weights times the input, gives every input pixel's kernel-weighted
    copy; then each of the ``kH * kW`` kernel positions adds its products into a strided grid
    of the output, the transpose of :func:`unfold` (col2im). No multiplication involves an
    inserted zero, and the steps show where the name comes from: seen as a matrix acting on the
    flattened input, this operation is the transpose of the convolution's matrix, which is also
    why it computes the gradient of :func:`conv2d` with respect to its input.
    Introduced in chapter "The convolution operation".

    Raises:
        TypeError: for a non-tensor, mismatched dtypes, or a non-integer stride, padding,
            output padding, groups or dilation (a string padding too: PyTorch has no
            ``"same"`` here).
        ValueError: for a bad shape, channels that do not match ``weight``, groups that do not
            divide the input channels, a non-positive stride, dilation or groups, a negative
            padding or output padding, an ``output_padding`` not smaller than the stride or the
            dilation, or settings whose output would be empty.

    Examples:
        >>> import torch
        >>> import torch.nn.functional as F
        >>> from cnnlib.ops import conv_transpose2d
        >>> x, w = torch.randn(2, 4, 7, 7), torch.randn(4, 3, 4, 4)
        >>> conv_transpose2d(x, w, stride=2, padding=1).shape
        torch.Size([2, 3, 14, 14])
        >>> ours, theirs = conv_transpose2d(x, w, stride=2), F.conv_transpose2d(x, w, stride=2)
        >>> torch.testing.assert_close(ours, theirs)
    """
    x = _check_input(input)
    groups = _check_transposed_weight(x, weight, bias, groups)
    if isinstance(padding, str):  # PyTorch's conv_transpose2d has no "same"
        raise TypeError(
            f"padding must be an integer or a (height, width) pair, got {padding!r}"
        )
    x4 = x.unsqueeze(0) if x.ndim == 3 else x
    (n, c_in, h, w), (_, c_out_g, kh, kw) = x4.shape, weight.shape
    out_h, out_w = conv_transpose_output_size(
        (h, w), (kh, kw), stride, padding, output_padding, dilation
    )
    sh, sw = check_pair("stride", stride)
    dh, dw = check_pair("dilation", dilation)
    ph, pw = check_pair("padding", padding)
    # 1. Every input pixel's copies of the kernels: per group, the weights
    #    as a (C_in/g) x (C_out/g * kH * kW) matrix, transposed, times the
    #    (C_in/g) x (H * W) matrix of the input pixels.
    kernels = weight.reshape(groups, c_in // groups, -1).transpose(1, 2)
    pixels = x4.reshape(n, groups, c_in // groups, h * w)
    copies = torch.matmul(kernels, pixels)
    copies = copies.reshape(n, groups * c_out_g, kh, kw, h, w)
    # 2. Paint: weight (u, v) of pixel (i, j)'s copy lands on output pixel
    #    (s*i + d*u, s*j + d*v) of the uncropped output; overlaps add up.
    full = x4.new_zeros(n, groups * c_out_g, out_h + 2 * ph, out_w + 2 * pw)
    for u in range(kh):
        for v in range(kw):
            rows = slice(dh * u, dh * u + sh * (h - 1) + 1, sh)
            cols = slice(dw * v, dw * v + sw * (w - 1) + 1, sw)
            full[:, :, rows, cols] += copies[:, :, u, v]
    out = full[:, :, ph : ph + out_h, pw : pw + out_w]  # padding crops
    if bias is not None:
        out = out + bias.view(1, -1, 1, 1)
    out = out.contiguous()
    return out[0] if x.ndim == 3 else out


# --------------------------------------------------------------------------------------------
# What the chapters and explorers compute with named kernels
# --------------------------------------------------------------------------------------------


def apply_kernel(
    image: Tensor,
    kernel: str,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    padding_mode: str = "zeros",
) -> tuple[Tensor, Tensor]:
    """Pad a greyscale image and convolve it with a named kernel; return ``(padded, output)``.

    ``image`` is ``(1, H, W)``; ``kernel`` a name from ``cnnlib.ops.KERNELS``. The border of
    ``padding`` pixels is filled as ``padding_mode`` says (``"zeros"``, ``"reflect"`` or
    ``"circular"``, as in ``nn.Conv2d``), then :func:`cnnlib.ops.conv2d` slides the kernel with
    the given stride and dilation. Both results are ``(1, H', W')`` tensors. This is what
    :func:`cnnlib.widgets.conv_explorer` shows. Introduced in chapter "The convolution operation".

    Raises:
        TypeError: if ``image`` is not a tensor or a setting not an integer.
        ValueError: for an image that is not ``(1, H, W)``, an unknown kernel or padding mode,
            a reflect padding not smaller than the image, or settings with an empty output.

    Examples:
        >>> import torch
        >>> from cnnlib.ops import apply_kernel
        >>> padded, output = apply_kernel(torch.rand(1, 8, 8), "box blur", padding=1, padding_mode="reflect")
        >>> tuple(padded.shape), tuple(output.shape)
        ((1, 10, 10), (1, 8, 8))
    """
    image = check_image("image", image, 1)
    weight = named_kernel(kernel, dtype=image.dtype).to(image.device)[None, None]
    padding = check_int("padding", padding, 0)
    check_choice("padding_mode", padding_mode, PADDING_MODES)
    if padding_mode == "reflect" and padding >= min(image.shape[-2:]):
        raise ValueError(f"padding must be smaller than the image for reflect padding, got {padding}")
    padded = F.pad(image[None], (padding,) * 4, mode=_PAD_MODES[padding_mode])[0] if padding else image
    output = conv2d(padded, weight, stride=stride, dilation=dilation)
    return padded, output


def equivariance_orders(
    image: Tensor, kernel: Tensor, shift: tuple[int, int], padding_mode: str = "zeros"
) -> tuple[Tensor, Tensor]:
    """Return ``(conv(roll(image)), roll(conv(image)))`` for a ``(1, H, W)`` image and a 2-D kernel.

    The shift wraps around (``torch.roll``); the convolution keeps the size, padding the border
    by ``padding_mode``. With ``"circular"`` the two results are equal: convolution is translation
    equivariant. Introduced in chapter "Why convolutions?".

    Raises:
        TypeError: if ``image`` or ``kernel`` is not a tensor.
        ValueError: for an unknown ``padding_mode`` or an image that is not ``(1, H, W)``.

    Examples:
        >>> import torch
        >>> from cnnlib.ops import equivariance_orders, named_kernel
        >>> image = torch.rand(1, 16, 16)
        >>> a, b = equivariance_orders(image, named_kernel("sobel x"), (2, 3), "circular")
        >>> torch.allclose(a, b, atol=1e-6)
        True
    """
    image = check_image("image", image, 1)
    kernel = _check_tensor("kernel", kernel, (2, 3, 4), "2-D (kH, kW)")
    check_choice("padding_mode", padding_mode, PADDING_MODES)
    k = kernel.reshape(1, 1, *kernel.shape[-2:]).to(image)
    pad = (k.shape[-1] // 2, k.shape[-1] // 2, k.shape[-2] // 2, k.shape[-2] // 2)

    def conv(x: Tensor) -> Tensor:
        x = x.unsqueeze(0)
        x = F.pad(x, pad, mode=_PAD_MODES[padding_mode])
        return F.conv2d(x, k)[0]

    def roll(x: Tensor) -> Tensor:
        return torch.roll(x, shifts=shift, dims=(-2, -1))

    return conv(roll(image)), roll(conv(image))


def edge_feature_map(image: Tensor) -> Tensor:
    """The ``(1, H, W)`` feature map of a vertical-edge detector: ReLU of a Sobel convolution.

    A colour image is first averaged over its channels; the map keeps the input's size (the
    border pixels are replicated, so the border itself is no edge) and is scaled to a maximum
    of 1. Introduced in chapter "Pooling".

    Raises:
        TypeError: if ``image`` is not a tensor.
        ValueError: if ``image`` is not 3-D ``(C, H, W)``.

    Examples:
        >>> import torch
        >>> from cnnlib.ops import edge_feature_map
        >>> image = torch.zeros(1, 6, 6)
        >>> image[:, :, 3:] = 1.0  # a vertical edge between columns 2 and 3
        >>> edge_feature_map(image)[0, 2].tolist()
        [0.0, 0.0, 1.0, 1.0, 0.0, 0.0]
    """
    image = check_image("image", image)
    grey = image.detach().float().mean(dim=0, keepdim=True).unsqueeze(0)
    padded = F.pad(grey, (1, 1, 1, 1), mode="replicate")
    response = F.relu(F.conv2d(padded, named_kernel("sobel x").view(1, 1, 3, 3).to(grey)))[0]
    return response / response.max().clamp_min(1e-12)
