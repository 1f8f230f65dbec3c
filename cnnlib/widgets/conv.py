"""Explorer for the convolution operation: kernel, stride, padding and dilation on a photograph."""

from __future__ import annotations

import base64

import ipywidgets as widgets
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from torch import Tensor

from cnnlib._checks import check_image
from cnnlib.ops.conv import KERNELS, PADDING_MODES, apply_kernel
from cnnlib.plot.images import figure_png

class ConvExplorer(widgets.VBox):
    """The widget :func:`conv_explorer` returns: controls, a summary line and the figure.

    Its controls are attributes (``kernel``, ``stride``, ``padding``, ``padding_mode``,
    ``dilation``); ``summary`` is the HTML line with the shapes, ``picture`` the HTML that shows
    the figure as an embedded PNG, ``figure`` the last figure drawn and ``result`` the last
    output tensor, so that tests can drive it. The figure travels as a PNG inside an ``HTML``
    widget rather than through an ``Output`` widget, whose captured displays some front ends
    (and notebook test runners) show outside the widget.
    """

    def __init__(self, image: Tensor) -> None:
        self.image = check_image("image", image, 1)
        self.kernel = widgets.Dropdown(options=list(KERNELS), value="sobel x", description="kernel")
        self.padding_mode = widgets.ToggleButtons(options=list(PADDING_MODES), description="padding")
        self.stride = widgets.IntSlider(value=1, min=1, max=4, description="stride")
        self.padding = widgets.IntSlider(value=0, min=0, max=8, description="padding (px)")
        self.dilation = widgets.IntSlider(value=1, min=1, max=8, description="dilation")
        self.summary = widgets.HTML()
        self.picture = widgets.HTML()
        self.figure: Figure | None = None
        self.result: Tensor | None = None
        super().__init__([
            widgets.HBox([self.kernel, self.padding_mode]),
            widgets.HBox([self.stride, self.padding, self.dilation]),
            self.summary,
            self.picture,
        ])
        for control in (self.kernel, self.padding_mode, self.stride, self.padding, self.dilation):
            control.observe(self.update, names="value")
        self.update()

    def update(self, _: object = None) -> None:
        """Recompute the output for the current settings and redraw."""
        height, width = self.image.shape[-2:]
        span = 2 * self.dilation.value + 1  # a 3x3 kernel dilated by d covers 2d + 1 pixels
        try:
            padded, result = apply_kernel(
                self.image, self.kernel.value, self.stride.value, self.padding.value,
                self.dilation.value, self.padding_mode.value,
            )
        except ValueError as error:
            self.summary.value = f"<b>no output:</b> {error}"
            self.picture.value, self.result, self.figure = "", None, None
            return
        self.result = result
        out_h, out_w = result.shape[-2:]
        self.summary.value = (
            f"input {height}×{width}, kernel 3×3 spanning {span}×{span} pixels, "
            f"stride {self.stride.value}, padding {self.padding.value} ({self.padding_mode.value})"
            f" → <b>output {out_h}×{out_w}</b>"
        )
        self.figure = _draw(padded, result, self.padding.value, self.kernel.value)
        png = figure_png(self.figure, dpi=80, close=False)
        encoded = base64.b64encode(png).decode("ascii")
        self.picture.value = f'<img src="data:image/png;base64,{encoded}" alt="input and output">'


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

    ``image`` is a greyscale ``(1, H, W)`` tensor (default: Chelsea the cat, 96 pixels high). The
    summary line gives the input and output shapes; the figure shows the padded input and the
    output at the same pixel scale, so the shrinking by stride and by the kernel's span is
    visible. Works with ipywidgets 7 and 8. Introduced in chapter "The convolution operation".

    Raises:
        TypeError: if ``image`` is not a tensor.
        ValueError: if ``image`` is not ``(1, H, W)``.

    Examples:
        >>> from cnnlib.widgets import conv_explorer
        >>> explorer = conv_explorer()
        >>> type(explorer).__name__
        'ConvExplorer'
    """
    if image is None:
        from cnnlib.data import sample_image

        image = sample_image("chelsea", size=96, grayscale=True)
    return ConvExplorer(image)

