"""Figures of what a network looks at: attribution maps beside their images, and the feature
maps of several layers for one image (the numbers come from :mod:`cnnlib.interpret`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure
from torch import Tensor, nn

from cnnlib._checks import check_int, check_tensor
from cnnlib.activations import layer_output
from cnnlib.interpret import upsample_map


def show_attributions(
    images: Tensor,
    maps: Mapping[str, Tensor],
    titles: Sequence[str] | None = None,
    size: float = 1.5,
    suptitle: str | None = None,
) -> Figure:
    """One row per image: the image, then each method's map laid over it.

    ``images`` is ``(N, C, H, W)``; ``maps`` maps a method's name to its maps ``(N, h, w)``, which
    are upsampled onto the image (:func:`cnnlib.interpret.upsample_map`) when coarser. Each map
    is scaled to its own largest absolute value (attribution methods differ in units), drawn in
    a warm colour map over the greyscale image. ``titles`` labels the rows.
    Introduced in chapter "What a trained network sees".

    Raises:
        TypeError: if ``images`` or a map is not a tensor.
        ValueError: if a map does not hold one map per image, or ``titles`` one title per image.

    Examples:
        >>> import torch
        >>> from cnnlib.plot import show_attributions
        >>> images = torch.rand(2, 1, 8, 8)
        >>> fig = show_attributions(images, {"a": torch.rand(2, 8, 8), "b": torch.rand(2, 4, 4)})
        >>> len([ax for ax in fig.axes if ax.images])
        6
    """
    images = check_tensor("images", images, 4, "(N, C, H, W)").detach().cpu()
    n, _, height, width = images.shape
    if titles is not None and len(titles) != n:
        raise ValueError(f"titles must have one entry per image ({n}), got {len(titles)}")
    shown = {}
    for name, value in maps.items():
        value = check_tensor(f"maps[{name!r}]", value, 3, "(N, h, w)").detach().float().cpu()
        if len(value) != n:
            raise ValueError(f"maps[{name!r}] must hold one map per image ({n}), got {len(value)}")
        shown[name] = value if value.shape[1:] == (height, width) else upsample_map(value, (height, width))
    cols = 1 + len(shown)
    fig, axes = plt.subplots(n, cols, figsize=(size * cols, size * n + 0.5), squeeze=False)
    for row in range(n):
        image = images[row].mean(dim=0).numpy()
        axes[row, 0].imshow(image, cmap="gray")
        axes[row, 0].set_title(titles[row] if titles is not None else "image", fontsize=8)
        for col, (name, value) in enumerate(shown.items(), start=1):
            scale = float(value[row].abs().max()) or 1.0
            axes[row, col].imshow(image, cmap="gray")
            axes[row, col].imshow((value[row] / scale).numpy(), cmap="inferno", alpha=0.7, vmin=0, vmax=1)
            if row == 0:
                axes[row, col].set_title(name, fontsize=9)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(suptitle or "Attribution maps (bright: the score depends on it)")
    fig.tight_layout()
    return fig


def show_layer_maps(
    model: nn.Module,
    image: Tensor,
    layers: Sequence[str],
    channels: int = 8,
    size: float = 1.2,
    title: str | None = None,
) -> Figure:
    """The feature maps of several layers for one image: one row per layer, the image first, then
    its first ``channels`` maps (each on its own colour scale, so faint maps stay visible).
    Introduced in chapter "What a trained network sees".

    Raises:
        TypeError: if ``model`` is not an ``nn.Module`` or ``image`` not a tensor.
        ValueError: if ``image`` is not ``(C, H, W)``, a layer is not in the model or outputs no
            maps.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.plot import show_layer_maps
        >>> model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2))
        >>> fig = show_layer_maps(model, torch.rand(1, 10, 10), ["1", "2"], channels=4)
        >>> len([ax for ax in fig.axes if ax.images])
        10
    """
    image = check_tensor("image", image, 3, "(C, H, W)")
    channels = check_int("channels", channels, 1)
    fig, axes = plt.subplots(len(layers), channels + 1, figsize=(size * (channels + 1), size * len(layers) + 0.5),
                             squeeze=False)
    for row, layer in enumerate(layers):
        maps = layer_output(model, image[None], layer)
        if maps.ndim != 4:
            raise ValueError(f"layer {layer!r} must output (N, C, H, W) maps, got shape {tuple(maps.shape)}")
        maps = maps[0].float().cpu()
        axes[row, 0].imshow(image.detach().cpu().float().mean(dim=0).numpy(), cmap="gray")
        axes[row, 0].set_title("image", fontsize=8)
        axes[row, 0].set_ylabel(f"{layer}\n{maps.shape[1]}×{maps.shape[2]}", fontsize=8)
        for col in range(min(channels, maps.shape[0])):
            axes[row, col + 1].imshow(maps[col].numpy(), cmap="viridis")
            axes[row, col + 1].set_title(f"{layer} · {col}", fontsize=7)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(title or "Feature maps layer by layer (each map on its own colour scale)")
    fig.tight_layout()
    return fig
