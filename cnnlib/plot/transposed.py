"""The transposed convolution drawn: each input pixel paints a copy of the kernel, and maps of
what comes out (overlap counts, upsampled images) side by side.

The still figure follows the colours of :mod:`cnnlib.plot.animation` (input in light blue, the
kernel in dark blue, the output in green); the numbers come from :func:`cnnlib.ops.conv_transpose2d`
and :func:`cnnlib.arithmetic.conv_transpose_overlap`.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from torch import Tensor

from cnnlib._checks import check_number, check_pair
from cnnlib.arithmetic import conv_transpose_overlap
from cnnlib.ops.conv import conv_transpose2d
from cnnlib.plot.animation import COLOURS, _grid

IntOrPair = int | tuple[int, int]

#: The most input pixels :func:`transposed_conv_steps` draws a copy for (one panel each).
MAX_STEP_PIXELS = 9


def _check_2d(name: str, value: object) -> Tensor:
    if not isinstance(value, Tensor) or value.ndim != 2:
        shape = tuple(value.shape) if isinstance(value, Tensor) else type(value).__name__
        raise ValueError(f"{name} must be a 2-D tensor, got {shape}")
    return value


def transposed_conv_steps(
    image: Tensor,
    kernel: Tensor,
    stride: IntOrPair = 2,
    padding: IntOrPair = 0,
    title: str | None = None,
    cell: float = 0.32,
) -> Figure:
    """A still figure of a transposed convolution: one panel per input pixel's painted copy, then their sum.

    ``image`` is a small 2-D ``(H, W)`` tensor (at most ``MAX_STEP_PIXELS`` pixels) and ``kernel``
    a 2-D ``(kH, kW)`` tensor. The first panels show both with their numbers; then, for every
    input pixel in row-major order, the output canvas with that pixel's copy of the kernel
    (pixel value times kernel) painted at ``stride`` times its position; the last panel is the
    output of :func:`cnnlib.ops.conv_transpose2d`, the sum of the copies, with each cell shaded
    by how many copies overlap on it (:func:`cnnlib.arithmetic.conv_transpose_overlap`).
    ``padding`` crops the result as in PyTorch (the copies are drawn uncropped, the cropped
    border dashed). Introduced in chapter "The convolution operation".

    Raises:
        ValueError: for tensors that are not 2-D, an image of more than ``MAX_STEP_PIXELS``
            pixels, or settings that :func:`cnnlib.arithmetic.conv_transpose_output_size` rejects.

    Examples:
        >>> import torch
        >>> from cnnlib.plot import transposed_conv_steps
        >>> fig = transposed_conv_steps(torch.tensor([[1.0, 2.0], [3.0, 4.0]]), torch.ones(3, 3))
        >>> len(fig.axes)  # input, kernel, four copies and their sum
        7
    """
    image, kernel = _check_2d("image", image), _check_2d("kernel", kernel)
    if image.numel() > MAX_STEP_PIXELS:
        raise ValueError(
            f"image must have at most {MAX_STEP_PIXELS} pixels (one panel each), got shape {tuple(image.shape)}"
        )
    stride, padding = check_pair("stride", stride, 1), check_pair("padding", padding, 0)
    check_number("cell", cell, 0.0, low_open=True)
    x = image.detach().cpu().double()
    w = kernel.detach().cpu().double()
    counts = conv_transpose_overlap(tuple(x.shape), tuple(w.shape), stride, padding).numpy()
    output = conv_transpose2d(x[None, None], w[None, None], stride=stride, padding=padding)[0, 0].numpy()
    (h, wd), (kh, kw), (sh, sw) = x.shape, w.shape, stride
    canvas = ((h - 1) * sh + kh, (wd - 1) * sw + kw)  # uncropped
    panels = [x.shape, w.shape] + [canvas] * (h * wd) + [output.shape]
    widths = [p[1] for p in panels]
    height = max(p[0] for p in panels)
    fig, axes = plt.subplots(
        1, len(panels), figsize=(cell * (sum(widths) + 1.2 * len(panels)), cell * (height + 4)),
        gridspec_kw={"width_ratios": widths},
    )
    patches = _grid(axes[0], h, wd, values=x.numpy())
    for patch in patches.flat:
        patch.set_facecolor(COLOURS["input"])
    axes[0].set_title(f"input {h}×{wd}", fontsize=8)
    patches = _grid(axes[1], kh, kw, values=w.numpy())
    for patch in patches.flat:
        patch.set_facecolor(to_rgba(COLOURS["window"], 0.6))
    axes[1].set_title(f"kernel {kh}×{kw}", fontsize=8)
    inside = np.zeros(canvas, dtype=bool)
    inside[padding[0] : canvas[0] - padding[0], padding[1] : canvas[1] - padding[1]] = True
    for ax, (i, j) in zip(axes[2:-1], np.ndindex(h, wd)):
        copy = np.zeros(canvas)
        copy[sh * i : sh * i + kh, sw * j : sw * j + kw] = x[i, j].item() * w.numpy()
        painted = np.zeros(canvas, dtype=bool)
        painted[sh * i : sh * i + kh, sw * j : sw * j + kw] = True
        patches = _grid(ax, *canvas, first=(-padding[0], -padding[1]), values=np.where(painted, copy, np.nan))
        for (r, c), patch in np.ndenumerate(patches):
            patch.set_facecolor(COLOURS["done"] if painted[r, c] else COLOURS["padding"])
            if not inside[r, c]:
                patch.set_linestyle("--")
        for text in ax.texts:
            if text.get_text() == "nan":
                text.set_visible(False)
        ax.set_title(f"+ copy of pixel ({i}, {j})\n× {x[i, j].item():g}", fontsize=8)
        ax.set_ylabel("")
    patches = _grid(axes[-1], *output.shape, values=output)
    green = np.array(to_rgba(COLOURS["current"]))
    for (r, c), patch in np.ndenumerate(patches):
        patch.set_facecolor((*green[:3], 0.15 + 0.7 * counts[r, c] / counts.max()))
    axes[-1].set_title(f"= output {output.shape[0]}×{output.shape[1]}\n(darker: more copies)", fontsize=8)
    axes[-1].set_ylabel("")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def show_maps(
    maps: Mapping[str, Tensor],
    suptitle: str | None = None,
    annotate: bool = False,
    cmap: str = "viridis",
    size: float = 2.8,
) -> Figure:
    """2-D maps side by side, one panel per ``{title: (H, W) tensor}``, with rows and columns labelled.

    Each panel has its own colour bar; with ``annotate`` every value is written in its cell
    (integers without decimals), which suits small maps of counts such as
    :func:`cnnlib.arithmetic.conv_transpose_overlap`. Introduced in chapter "The convolution operation".

    Raises:
        ValueError: for no maps or a map that is not a 2-D tensor.

    Examples:
        >>> from cnnlib.arithmetic import conv_transpose_overlap
        >>> from cnnlib.plot import show_maps
        >>> fig = show_maps({"3×3, stride 2": conv_transpose_overlap(3, 3, stride=2)}, annotate=True)
        >>> fig.axes[0].get_xlabel()
        'column'
    """
    if not maps:
        raise ValueError("maps must hold at least one (title, map) pair")
    arrays = {title: _check_2d(f"maps[{title!r}]", m).detach().cpu().double().numpy() for title, m in maps.items()}
    check_number("size", size, 0.0, low_open=True)
    fig, axes = plt.subplots(1, len(arrays), figsize=(size * 1.2 * len(arrays), size + (0.4 if suptitle else 0)),
                             squeeze=False)
    for ax, (title, array) in zip(axes[0], arrays.items()):
        shown = ax.imshow(array, cmap=cmap, interpolation="nearest")
        fig.colorbar(shown, ax=ax, fraction=0.046, pad=0.04)
        if annotate:
            middle = (np.nanmax(array) + np.nanmin(array)) / 2
            for (r, c), v in np.ndenumerate(array):
                ax.text(c, r, f"{v:g}", ha="center", va="center", fontsize=6,
                        color="white" if v < middle else "black")
        ax.set(title=title, xlabel="column", ylabel="row")
        ax.title.set_fontsize(9)
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_locator(MaxNLocator(integer=True))
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig

