"""The sliding window of a convolution, drawn as a still figure or as an animation.

The pictures follow the convention of Dumoulin & Visin's guide to convolution arithmetic: the
input in blue (padding as dashed white cells), the window of the kernel in dark blue, the output
in green, one frame per output position.
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.animation import FuncAnimation
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from torch import Tensor

from cnnlib._checks import check_int, check_pair
from cnnlib.arithmetic import conv_output_size

IntOrPair = int | tuple[int, int]

#: The colours of the cells, in order: input, padding, window, output still to come, output
#: done, current output.
COLOURS = {
    "input": "#cfe2f3",
    "padding": "#ffffff",
    "window": "#3d85c6",
    "todo": "#f3f9ef",
    "done": "#b6d7a8",
    "current": "#38761d",
}


def _grid(
    ax: Axes,
    rows: int,
    cols: int,
    first: tuple[int, int] = (0, 0),
    values: np.ndarray | None = None,
    ticks: bool = True,
) -> np.ndarray:
    """Draw ``rows`` x ``cols`` square cells, indexed from ``first``; return the patches.

    Cells are drawn without antialiasing: they are aligned with the pixels anyway, and frames
    with few distinct colours compress several times better.
    """
    patches = np.empty((rows, cols), dtype=object)
    for r in range(rows):
        for c in range(cols):
            patch = Rectangle(
                (c - 0.5, r - 0.5), 1, 1, edgecolor="#555555", linewidth=0.8, antialiased=False
            )
            ax.add_patch(patch)
            patches[r, c] = patch
            if values is not None:
                ax.text(c, r, f"{values[r, c]:g}", ha="center", va="center", fontsize=8)
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    ax.set_aspect("equal")
    if ticks:
        ax.set_xticks(range(cols), [str(c + first[1]) for c in range(cols)])
        ax.set_yticks(range(rows), [str(r + first[0]) for r in range(rows)])
        ax.tick_params(length=0, labelsize=6)
    else:
        ax.set_xticks([])
        ax.set_yticks([])
    ax.set_xlabel("column", fontsize=7)
    ax.set_ylabel("row", fontsize=7)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return patches


class _SlidingWindow:
    """The input, (optionally) the kernel and the output of a convolution, with one window lit."""

    def __init__(
        self,
        size: tuple[int, int],
        kernel_size: tuple[int, int],
        stride: tuple[int, int],
        padding: tuple[int, int],
        dilation: tuple[int, int],
        cell: float,
        dpi: int,
        image: np.ndarray | None = None,
        kernel: np.ndarray | None = None,
        output: np.ndarray | None = None,
    ) -> None:
        self.kernel_size, self.stride, self.padding, self.dilation = kernel_size, stride, padding, dilation
        self.out_size = conv_output_size(size, kernel_size, stride, padding, dilation)
        padded = (size[0] + 2 * padding[0], size[1] + 2 * padding[1])
        panels = [padded] + ([kernel_size] if kernel is not None else []) + [self.out_size]
        widths = [p[1] for p in panels]
        height = max(p[0] for p in panels)
        self.fig, axes = plt.subplots(
            1, len(panels), figsize=(cell * (sum(widths) + 1.6 * len(panels)), cell * (height + 3.2)),
            gridspec_kw={"width_ratios": widths}, dpi=dpi,
        )
        ax_in, ax_out = axes[0], axes[-1]
        values_in = None
        if image is not None:
            values_in = np.pad(image, ((padding[0],) * 2, (padding[1],) * 2))
        ticks = image is not None  # numbered cells get numbered rows and columns
        self.inputs = _grid(
            ax_in, *padded, first=(-padding[0], -padding[1]), values=values_in, ticks=ticks
        )
        self.is_padding = np.ones(padded, dtype=bool)
        self.is_padding[padding[0] : padding[0] + size[0], padding[1] : padding[1] + size[1]] = False
        for patch in self.inputs[self.is_padding]:
            patch.set_linestyle("--")
        ax_in.set_title(f"input {size[0]}×{size[1]}" + (
            f", padding {padding[0]}" if padding[0] == padding[1] else f", padding {padding}"
        ) * any(padding), fontsize=8)
        if kernel is not None:
            k = _grid(axes[1], *kernel_size, values=kernel)
            for patch in k.flat:
                patch.set_facecolor(COLOURS["window"])
                patch.set_alpha(0.6)
            axes[1].set_title(f"kernel {kernel_size[0]}×{kernel_size[1]}", fontsize=8)
        self.outputs = _grid(ax_out, *self.out_size, values=output, ticks=ticks)
        ax_out.set_title(f"output {self.out_size[0]}×{self.out_size[1]}", fontsize=8)

    def window(self, index: int) -> list[tuple[int, int]]:
        """Cells of the padded input under the window that makes output number ``index``."""
        i, j = divmod(index, self.out_size[1])
        (kh, kw), (sh, sw), (dh, dw) = self.kernel_size, self.stride, self.dilation
        return [(sh * i + dh * u, sw * j + dw * v) for u in range(kh) for v in range(kw)]

    def show(self, index: int) -> list[Rectangle]:
        """Light the window of output ``index`` (row-major) and colour the outputs done so far."""
        for (r, c), patch in np.ndenumerate(self.inputs):
            patch.set_facecolor(COLOURS["padding"] if self.is_padding[r, c] else COLOURS["input"])
        for r, c in self.window(index):
            self.inputs[r, c].set_facecolor(COLOURS["window"])
        for k, patch in enumerate(self.outputs.flat):
            state = "done" if k < index else "current" if k == index else "todo"
            patch.set_facecolor(COLOURS[state])
        return list(self.inputs.flat) + list(self.outputs.flat)


def conv_animation(
    size: IntOrPair = 5,
    kernel_size: IntOrPair = 3,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    title: str | None = None,
    interval: int = 600,
    cell: float = 0.3,
    dpi: int = 60,
) -> FuncAnimation:
    """An animation of the window of a convolution sliding over its (zero-padded) input.

    One frame per output position, in row-major order: the window's cells are lit in the input,
    the output cell it produces in the output (Dumoulin & Visin, 2016, draw the cases of their
    guide this way). Show it in a notebook, without a running kernel on the web page, with
    ``IPython.display.HTML(animation_html(animation))`` (see :func:`animation_html`); the figure
    is closed so it is not shown twice. ``cell`` is the side of one pixel in inches; keep ``dpi`` low to keep frames small.
    Introduced in chapter "The convolution operation".

    Raises:
        ValueError: for settings :func:`cnnlib.arithmetic.conv_output_size` rejects, or a
            non-positive ``interval`` or ``dpi``.

    Examples:
        >>> from cnnlib.plot import animation_html, conv_animation
        >>> animation = conv_animation(size=5, kernel_size=3, stride=2)
        >>> html = animation_html(animation)  # what a chapter shows with IPython.display.HTML
        >>> "<script" in html
        True
    """
    check_int("interval", interval, 1)
    drawing = _SlidingWindow(
        check_pair("size", size, 1), check_pair("kernel_size", kernel_size, 1),
        check_pair("stride", stride, 1), check_pair("padding", padding, 0),
        check_pair("dilation", dilation, 1), cell, check_int("dpi", dpi, 1),
    )
    if title:
        drawing.fig.suptitle(title, fontsize=9)
    drawing.fig.tight_layout()
    frames = drawing.out_size[0] * drawing.out_size[1]
    animation = FuncAnimation(drawing.fig, drawing.show, frames=frames, interval=interval, blit=False)
    plt.close(drawing.fig)
    return animation


def sliding_window(
    image: Tensor,
    kernel: Tensor,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    position: tuple[int, int] = (0, 0),
    title: str | None = None,
    cell: float = 0.45,
) -> Figure:
    """A still figure of one step of a convolution, with every number written in its cell.

    ``image`` is a 2-D ``(H, W)`` tensor and ``kernel`` a 2-D ``(kH, kW)`` tensor. The figure shows
    the zero-padded input with the window of output ``position`` lit, the kernel, and the whole
    output (computed with ``torch.nn.functional.conv2d``, a cross-correlation) with that
    position highlighted. Introduced in chapter "The convolution operation".

    Raises:
        ValueError: for tensors that are not 2-D, settings that
            :func:`cnnlib.arithmetic.conv_output_size` rejects, or a position outside the output.

    Examples:
        >>> import torch
        >>> from cnnlib.plot import sliding_window
        >>> fig = sliding_window(torch.rand(5, 5), torch.ones(3, 3), padding=1, position=(1, 2))
        >>> fig.axes[0].get_title() != ""
        True
    """
    for name, value in (("image", image), ("kernel", kernel)):
        if not isinstance(value, Tensor) or value.ndim != 2:
            shape = tuple(value.shape) if isinstance(value, Tensor) else type(value).__name__
            raise ValueError(f"{name} must be a 2-D tensor, got {shape}")
    stride, padding, dilation = (
        check_pair("stride", stride, 1), check_pair("padding", padding, 0), check_pair("dilation", dilation, 1)
    )
    output = torch.nn.functional.conv2d(
        image[None, None].double(), kernel[None, None].double(),
        stride=stride, padding=padding, dilation=dilation,
    )[0, 0]
    i, j = check_pair("position", position, 0)
    if i >= output.shape[0] or j >= output.shape[1]:
        raise ValueError(f"position must lie in the output of shape {tuple(output.shape)}, got {position}")
    drawing = _SlidingWindow(
        tuple(image.shape), tuple(kernel.shape), stride, padding, dilation, cell, 100,
        image=image.detach().cpu().double().numpy(), kernel=kernel.detach().cpu().double().numpy(),
        output=output.numpy(),
    )
    drawing.show(i * output.shape[1] + j)
    for patch in drawing.outputs.flat:  # the whole output is known: colour it all as done
        if patch.get_facecolor() != drawing.outputs[i, j].get_facecolor():
            patch.set_facecolor(COLOURS["done"])
    drawing.outputs[i, j].set_facecolor(COLOURS["current"])
    drawing.outputs[i, j].set_alpha(0.8)
    if title:
        drawing.fig.suptitle(title, fontsize=10)
    drawing.fig.tight_layout()
    return drawing.fig


#: Matplotlib's player buttons draw Font Awesome 4 icons from a CDN; these characters need none.
_PLAYER_ICONS = {
    "fa fa-minus": "−", "fa fa-fast-backward": "⏮", "fa fa-step-backward": "⏴︎|",
    "fa fa-play fa-flip-horizontal": "◀", "fa fa-pause": "⏸", "fa fa-play": "▶",
    "fa fa-step-forward": "|⏵︎", "fa fa-fast-forward": "⏭", "fa fa-plus": "+",
}


def animation_html(animation: FuncAnimation) -> str:
    """The animation as self-contained HTML and JavaScript that plays without a kernel or internet.

    This is ``animation.to_jshtml()`` (frames embedded as images) without its link to a Font
    Awesome stylesheet on a CDN: the player's icons are replaced by Unicode characters, so the
    page needs nothing from the network. Show it with ``IPython.display.HTML``.
    Introduced in chapter "The convolution operation".

    Raises:
        TypeError: if ``animation`` is not a matplotlib ``FuncAnimation``.

    Examples:
        >>> from cnnlib.plot import animation_html, conv_animation
        >>> html = animation_html(conv_animation(size=4, kernel_size=3))
        >>> html.lstrip().startswith("<")
        True
    """
    if not isinstance(animation, FuncAnimation):
        raise TypeError(f"animation must be a matplotlib FuncAnimation, got {type(animation).__name__}")
    html = animation.to_jshtml()
    html = re.sub(r'<link rel="stylesheet"\s+href="https://[^"]*font-awesome[^"]*">', "", html)
    for icon, text in _PLAYER_ICONS.items():
        html = html.replace(f'<i class="{icon}"></i>', text)
    return html
