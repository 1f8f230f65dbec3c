"""Grids of images, kernels and feature maps."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from torch import Tensor

from cnnlib._checks import check_int


def _to_hwc(image: Tensor | np.ndarray) -> np.ndarray:
    """A ``(C, H, W)`` or ``(H, W)`` image as an array matplotlib can show."""
    array = image.detach().cpu().float().numpy() if isinstance(image, Tensor) else np.asarray(image)
    if array.ndim == 3 and array.shape[0] in (1, 3):
        array = array[0] if array.shape[0] == 1 else np.transpose(array, (1, 2, 0))
    if array.ndim not in (2, 3):
        raise ValueError(f"images must be (C, H, W) with C in (1, 3) or (H, W), got shape {array.shape}")
    return array


def show_images(
    images: Sequence[Tensor | np.ndarray] | Tensor,
    titles: Sequence[str] | None = None,
    ncols: int = 8,
    cmap: str = "gray",
    size: float = 1.6,
    suptitle: str | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    colorbar: bool = False,
) -> Figure:
    """Show images in a grid, one per axis, without ticks.

    ``images`` is a batch tensor ``(N, C, H, W)`` or a sequence of ``(C, H, W)`` / ``(H, W)``
    images; colour images are clipped to [0, 1]. Greyscale ones use ``cmap`` with the given
    ``vmin`` and ``vmax`` (default: each image's own range). Introduced in chapter "Why convolutions?".

    Raises:
        ValueError: if ``titles`` and ``images`` differ in length or an image has a bad shape.

    Examples:
        >>> from cnnlib.data import load_digits
        >>> from cnnlib.plot import show_images
        >>> images, labels = load_digits(split="test")
        >>> fig = show_images(images[:8], titles=[str(int(y)) for y in labels[:8]])
        >>> len(fig.axes)
        8
    """
    items = list(images)
    if not items:
        raise ValueError("images must hold at least one image")
    if titles is not None and len(titles) != len(items):
        raise ValueError(f"titles must have one entry per image ({len(items)}), got {len(titles)}")
    ncols = min(check_int("ncols", ncols, 1), len(items))
    nrows = -(-len(items) // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols, size * nrows + (0.4 if suptitle else 0)), squeeze=False
    )
    for ax in axes.flat:
        ax.axis("off")
    for i, item in enumerate(items):
        ax = axes.flat[i]
        array = _to_hwc(item)
        if array.ndim == 3:
            shown = ax.imshow(np.clip(array, 0.0, 1.0))
        else:
            shown = ax.imshow(array, cmap=cmap, vmin=vmin, vmax=vmax)
            if colorbar:
                fig.colorbar(shown, ax=ax, fraction=0.046, pad=0.04)
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def figure_png(fig: Figure, dpi: int = 80, close: bool = True) -> bytes:
    """The figure as PNG bytes (and closed, unless ``close`` is false), for an explorer to show.

    The explorers in :mod:`cnnlib.widgets` show figures as PNG images in ``Image`` or ``HTML``
    widgets rather than capturing them in an ``Output`` widget: the image is then saved with the
    notebook and shows the same in JupyterLab, Colab, on the static site and in tests.
    Introduced in chapter "Why convolutions?".

    Raises:
        ValueError: if ``dpi`` is not a positive integer.

    Examples:
        >>> import matplotlib.pyplot as plt
        >>> from cnnlib.plot import figure_png
        >>> fig, ax = plt.subplots()
        >>> _ = ax.plot([0, 1], [0, 1])
        >>> figure_png(fig)[1:4]
        b'PNG'
    """
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=check_int("dpi", dpi, 1))
    if close:
        plt.close(fig)
    return buffer.getvalue()
