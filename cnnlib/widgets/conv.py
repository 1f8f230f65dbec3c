"""Explorer for the convolution operation: kernel, stride, padding and dilation on a photograph."""

from __future__ import annotations

import ipywidgets as widgets
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from torch import Tensor

from cnnlib._checks import check_image
from cnnlib.ops.conv import KERNELS, PADDING_MODES, apply_kernel
from cnnlib.widgets._explorer import Explorer

# ``apply_kernel`` is imported here for the chapter that reaches it as ``widgets.conv.apply_kernel``;
# it is documented in, and belongs to, :mod:`cnnlib.ops`.


class ConvExplorer(Explorer):
    """The explorer :func:`conv_explorer` returns: a 3×3 kernel applied to a greyscale image.

    Controls: ``kernel`` (a name of ``cnnlib.ops.KERNELS``), ``padding_mode``, ``stride``,
    ``padding`` (pixels) and ``dilation``. The ``summary`` gives the input and output shapes, or
    why a setting has no output; the ``picture`` shows the padded input (the original outlined)
    and the output at the same pixel scale, so the shrinking by stride and by the kernel's span
    is visible; ``result`` is the last output tensor (``None`` when there is none). Introduced in
    chapter "The convolution operation".

    Raises:
        TypeError: if ``image`` is not a tensor.
        ValueError: if ``image`` is not ``(1, H, W)``.

    Examples:
        >>> import torch
        >>> from cnnlib.widgets import ConvExplorer
        >>> explorer = ConvExplorer(torch.rand(1, 12, 16))
        >>> explorer.stride.value = 2
        >>> tuple(explorer.result.shape)
        (1, 5, 7)
    """

    def __init__(self, image: Tensor) -> None:
        self.image = check_image("image", image, 1)
        self.result: Tensor | None = None
        super().__init__([
            {"kernel": widgets.Dropdown(options=list(KERNELS), value="sobel x", description="kernel"),
             "padding_mode": widgets.ToggleButtons(options=list(PADDING_MODES), description="padding")},
            {"stride": widgets.IntSlider(value=1, min=1, max=4, description="stride"),
             "padding": widgets.IntSlider(value=0, min=0, max=8, description="padding (px)"),
             "dilation": widgets.IntSlider(value=1, min=1, max=8, description="dilation")},
        ])

    def compute(self) -> tuple[str, Figure | None]:
        """Convolve with the current settings; describe the shapes and draw input and output."""
        height, width = self.image.shape[-2:]
        span = 2 * self.dilation.value + 1  # a 3x3 kernel dilated by d covers 2d + 1 pixels
        try:
            padded, self.result = apply_kernel(
                self.image, self.kernel.value, self.stride.value, self.padding.value,
                self.dilation.value, self.padding_mode.value,
            )
        except ValueError as error:
            self.result = None
            return f"<b>no output:</b> {error}", None
        out_h, out_w = self.result.shape[-2:]
        summary = (
            f"input {height}×{width}, kernel 3×3 spanning {span}×{span} pixels, "
            f"stride {self.stride.value}, padding {self.padding.value} ({self.padding_mode.value})"
            f" → <b>output {out_h}×{out_w}</b>"
        )
        return summary, _draw(padded, self.result, self.padding.value, self.kernel.value)


def _draw(padded: Tensor, result: Tensor, padding: int, kernel: str) -> Figure:
    """The padded input (the original image outlined) and the output, at the same pixel scale."""
    p_h, p_w = padded.shape[-2:]
    o_h, o_w = result.shape[-2:]
    fig = Figure(figsize=(8, 3.2))  # not a pyplot figure: nothing global to show or to close
    ax_in, ax_out = fig.subplots(1, 2, sharex=True, sharey=True)
    ax_in.imshow(padded[0].detach().cpu().numpy(), cmap="gray", vmin=0, vmax=1)
    ax_in.add_patch(Rectangle(
        (padding - 0.5, padding - 0.5), p_w - 2 * padding, p_h - 2 * padding,
        fill=False, edgecolor="tab:orange", linewidth=1.2,
    ))
    ax_in.set(title=f"padded input {p_h}×{p_w}", xlabel="column (pixels)", ylabel="row (pixels)")
    ax_out.imshow(result[0].detach().cpu().numpy(), cmap="gray")
    ax_out.set(xlim=(-0.5, p_w - 0.5), ylim=(p_h - 0.5, -0.5))
    ax_out.set(title=f"{kernel}: output {o_h}×{o_w}", xlabel="column (pixels)")
    fig.tight_layout()
    return fig


def conv_explorer(image: Tensor | None = None) -> ConvExplorer:
    """An explorer: pick a kernel, stride, padding (and its mode) and dilation; see the output.

    Returns a :class:`ConvExplorer` (its controls, summary and picture are described there) for
    ``image``, a greyscale ``(1, H, W)`` tensor (default: Chelsea the cat, 96 pixels high). Works
    with ipywidgets 7 and 8. Introduced in chapter "The convolution operation".

    Raises:
        TypeError: if ``image`` is not a tensor.
        ValueError: if ``image`` is not ``(1, H, W)``.

    Examples:
        >>> from cnnlib.widgets import conv_explorer
        >>> explorer = conv_explorer()
        >>> explorer.summary.value[:15]
        'input 96×144, k'
    """
    if image is None:
        from cnnlib.data import sample_image

        image = sample_image("chelsea", size=96, grayscale=True)
    return ConvExplorer(image)
