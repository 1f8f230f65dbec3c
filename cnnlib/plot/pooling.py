"""Pooled images side by side with their input, for chapter "Pooling" and its explorer."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from torch import Tensor

from cnnlib._checks import check_image
from cnnlib.ops.pooling import pool_image

def _show(ax: plt.Axes, image: Tensor, height: int, width: int, vmax: float) -> None:
    """Draw ``image`` over the input's extent, so one output pixel covers the input it summarises."""
    array = image.detach().cpu().numpy()
    array = array[0] if array.shape[0] == 1 else np.clip(np.transpose(array, (1, 2, 0)), 0, 1)
    ax.imshow(array, cmap="gray", vmin=0.0, vmax=vmax, extent=(0, width, height, 0),
              interpolation="nearest")
    ax.set(xlabel="column (input pixels)", ylabel="row (input pixels)")


def show_pooling(
    image: Tensor,
    settings: Sequence[tuple[str, int, int]],
    suptitle: str | None = None,
    size: float = 2.8,
) -> Figure:
    """Show a ``(C, H, W)`` image and its pooled versions, one panel per ``(kind, kernel, stride)``.

    Every panel spans the input's extent, so a pooled pixel is drawn over the input pixels it
    summarises and its blockiness shows the stride; titles give each output's size. Greyscale
    panels share one grey scale, from 0 to the input's maximum. Introduced in chapter "Pooling".

    Raises:
        TypeError: if ``image`` is not a tensor.
        ValueError: for an image that is not ``(C, H, W)``, no settings, or a bad setting.

    Examples:
        >>> from cnnlib.data import sample_image
        >>> from cnnlib.plot import show_pooling
        >>> fig = show_pooling(sample_image("camera", size=32, grayscale=True), [("max", 2, 2), ("average", 2, 2)])
        >>> len(fig.axes)
        3
    """
    image = check_image("image", image)
    if not settings:
        raise ValueError("settings must hold at least one (kind, kernel_size, stride) triple")
    height, width = image.shape[-2:]
    vmax = float(image.max()) or 1.0
    pooled = [pool_image(image, kind, k, s) for kind, k, s in settings]
    fig, axes = plt.subplots(1, len(settings) + 1, figsize=(size * (len(settings) + 1), size * 0.9))
    _show(axes[0], image, height, width, vmax)
    axes[0].set_title(f"input, {height}×{width}", fontsize=9)
    for ax, (kind, k, s), out in zip(axes[1:], settings, pooled):
        _show(ax, out, height, width, vmax)
        ax.set_title(f"{kind}, kernel {k}, stride {s}\n→ {out.shape[-2]}×{out.shape[-1]}", fontsize=9)
        ax.set_ylabel("")
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig
