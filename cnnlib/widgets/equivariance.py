"""Explorer for translation equivariance: shift, then convolve, against convolve, then shift."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
from torch import Tensor

from cnnlib._checks import check_image
from cnnlib.ops.conv import equivariance_orders, named_kernel
from cnnlib.plot.images import figure_png

#: Kernels offered by the explorer, by their names in :data:`cnnlib.ops.KERNELS`.
KERNEL_NAMES: tuple[str, ...] = ("sobel x", "sobel y", "box blur")
PADDINGS = ("zeros", "circular", "reflect")


def equivariance_explorer(image: Tensor) -> widgets.VBox:
    """An explorer: choose a shift, a kernel and a padding mode; see both orders and where they differ.

    ``image`` is a greyscale ``(1, H, W)`` tensor, for example
    ``cnnlib.data.sample_image("chelsea", size=96, grayscale=True)``. The label under the controls
    reports how many output pixels differ. Works with ipywidgets 7 and 8.
    Introduced in chapter "Why convolutions?".

    Raises:
        TypeError: if ``image`` is not a tensor.
        ValueError: if ``image`` is not ``(1, H, W)``.

    Examples:
        >>> from cnnlib.data import sample_image
        >>> from cnnlib.widgets import equivariance_explorer
        >>> explorer = equivariance_explorer(sample_image("camera", size=32, grayscale=True))
        >>> type(explorer).__name__
        'VBox'
    """
    image = check_image("image", image, 1)
    height, width = image.shape[-2:]
    rows = widgets.IntSlider(value=5, min=-(height // 2), max=height // 2, description="shift rows")
    cols = widgets.IntSlider(value=12, min=-(width // 2), max=width // 2, description="shift cols")
    kernel = widgets.Dropdown(options=list(KERNEL_NAMES), description="kernel")
    padding = widgets.ToggleButtons(options=list(PADDINGS), description="padding")
    summary = widgets.Label()
    # The figure is drawn to PNG bytes in an Image widget (not captured in an Output widget), so it
    # shows the same in JupyterLab, Colab, a saved notebook and a test without a front end.
    figure = widgets.Image(format="png")

    def update(_: object = None) -> None:
        a, b = equivariance_orders(
            image, named_kernel(kernel.value), (rows.value, cols.value), padding.value
        )
        difference = (a - b).abs()[0]
        changed = int((difference > 1e-5).sum())
        summary.value = (
            f"{changed} of {difference.numel()} output pixels differ "
            f"(largest difference {float(difference.max()):.3g})"
        )
        fig, axes = plt.subplots(1, 3, figsize=(10, 3.2))
        panels = [(a[0], "shift, then convolve"), (b[0], "convolve, then shift"),
                  (difference, "|difference|")]
        for ax, (panel, title) in zip(axes, panels):
            ax.imshow(panel.numpy(), cmap="gray")
            ax.set_title(title)
            ax.axis("off")
        fig.tight_layout()
        figure.value = figure_png(fig, dpi=72)

    for control in (rows, cols, kernel, padding):
        control.observe(update, names="value")
    update()
    return widgets.VBox([widgets.HBox([rows, cols]), widgets.HBox([kernel, padding]), summary, figure])
