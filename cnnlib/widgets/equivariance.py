"""Explorer for translation equivariance: shift, then convolve, against convolve, then shift."""

from __future__ import annotations

import ipywidgets as widgets
from matplotlib.figure import Figure
from torch import Tensor

from cnnlib._checks import check_image
from cnnlib.ops.conv import equivariance_orders, named_kernel
from cnnlib.widgets._explorer import Explorer

#: Kernels offered by the explorer, by their names in ``cnnlib.ops.KERNELS``.
KERNEL_NAMES: tuple[str, ...] = ("sobel x", "sobel y", "box blur")
#: Padding modes offered by the explorer.
PADDINGS = ("zeros", "circular", "reflect")


class EquivarianceExplorer(Explorer):
    """The explorer :func:`equivariance_explorer` returns: both orders of shifting and convolving.

    Controls: ``rows`` and ``cols`` (the shift, up to half the image each way), ``kernel`` (one
    of ``KERNEL_NAMES``) and ``padding`` (one of ``PADDINGS``). The ``summary`` reports
    how many output pixels differ between "shift, then convolve" and "convolve, then shift", and
    by how much at most; the ``picture`` shows both and their absolute difference. Introduced in
    chapter "Why convolutions?".

    Raises:
        TypeError: if ``image`` is not a tensor.
        ValueError: if ``image`` is not ``(1, H, W)``.

    Examples:
        >>> import torch
        >>> from cnnlib.widgets import EquivarianceExplorer
        >>> explorer = EquivarianceExplorer(torch.rand(1, 16, 16))
        >>> explorer.padding.value = "circular"  # the shift wraps around: both orders agree
        >>> explorer.summary.value.split(" (")[0]
        '0 of 256 output pixels differ'
    """

    def __init__(self, image: Tensor) -> None:
        self.image = check_image("image", image, 1)
        height, width = self.image.shape[-2:]
        super().__init__([
            {"rows": widgets.IntSlider(value=5, min=-(height // 2), max=height // 2, description="shift rows"),
             "cols": widgets.IntSlider(value=12, min=-(width // 2), max=width // 2, description="shift cols")},
            {"kernel": widgets.Dropdown(options=list(KERNEL_NAMES), description="kernel"),
             "padding": widgets.ToggleButtons(options=list(PADDINGS), description="padding")},
        ], dpi=72)

    def compute(self) -> tuple[str, Figure | None]:
        """Both orders for the current settings, how many pixels differ, and the three panels."""
        a, b = equivariance_orders(
            self.image, named_kernel(self.kernel.value), (self.rows.value, self.cols.value), self.padding.value
        )
        difference = (a - b).abs()[0]
        changed = int((difference > 1e-5).sum())
        summary = (
            f"{changed} of {difference.numel()} output pixels differ "
            f"(largest difference {float(difference.max()):.3g})"
        )
        fig = Figure(figsize=(10, 3.2))  # not a pyplot figure: nothing global to show or to close
        panels = [(a[0], "shift, then convolve"), (b[0], "convolve, then shift"), (difference, "|difference|")]
        for ax, (panel, title) in zip(fig.subplots(1, 3), panels):
            ax.imshow(panel.numpy(), cmap="gray")
            ax.set_title(title)
            ax.axis("off")
        fig.tight_layout()
        return summary, fig


def equivariance_explorer(image: Tensor) -> EquivarianceExplorer:
    """An explorer: choose a shift, a kernel and a padding mode; see both orders and where they differ.

    Returns an :class:`EquivarianceExplorer` (its controls, summary and picture are described
    there) for ``image``, a greyscale ``(1, H, W)`` tensor, for example
    ``cnnlib.data.sample_image("chelsea", size=96, grayscale=True)``. Works with ipywidgets 7
    and 8. Introduced in chapter "Why convolutions?".

    Raises:
        TypeError: if ``image`` is not a tensor.
        ValueError: if ``image`` is not ``(1, H, W)``.

    Examples:
        >>> from cnnlib.data import sample_image
        >>> from cnnlib.widgets import equivariance_explorer
        >>> explorer = equivariance_explorer(sample_image("camera", size=32, grayscale=True))
        >>> explorer.rows.value, explorer.cols.value, explorer.kernel.value, explorer.padding.value
        (5, 12, 'sobel x', 'zeros')
    """
    return EquivarianceExplorer(image)
