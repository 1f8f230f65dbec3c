"""What a trained network has learned: its filters, and the feature maps of one image."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from torch import Tensor, nn

from cnnlib._checks import check_int, check_tensor
from cnnlib.activations import find_layer, layer_output


def _conv_weight(layer: nn.Module | Tensor) -> Tensor:
    """The ``(out, in, kh, kw)`` weight of a 2-D convolution layer, or the tensor itself."""
    weight = layer.weight if isinstance(layer, nn.Conv2d) else layer
    if not isinstance(weight, Tensor):
        raise TypeError(f"layer must be an nn.Conv2d or a weight tensor, got {type(layer).__name__}")
    if weight.ndim != 4:
        raise ValueError(f"a convolution weight must have shape (out, in, kh, kw), got {tuple(weight.shape)}")
    return weight.detach().float().cpu()


def _grid(count: int, ncols: int, size: float, title: str) -> tuple[Figure, np.ndarray]:
    ncols = min(ncols, count)
    nrows = -(-count // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols + 0.8, size * nrows + 0.6), squeeze=False)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_frame_on(False)
    fig.suptitle(title)
    return fig, axes


def show_filters(
    layer: nn.Module | Tensor,
    in_channel: int = 0,
    ncols: int = 8,
    size: float = 1.1,
    title: str | None = None,
) -> Figure:
    """The filters (kernels) of a 2-D convolution, one small image per output channel.

    ``layer`` is an ``nn.Conv2d`` or its weight tensor ``(out, in, kh, kw)``. Filters over three
    input channels are shown in colour, each scaled to [0, 1] on its own (as the first-layer
    filters of AlexNet are usually shown); otherwise the slice for input channel ``in_channel``
    is shown on one diverging colour scale shared by all filters, symmetric around zero (red
    positive, blue negative), with a colour bar, so that their magnitudes can be compared.
    Introduced in chapter "LeNet-5, AlexNet and VGG".

    Raises:
        TypeError: if ``layer`` is neither an ``nn.Conv2d`` nor a tensor.
        ValueError: for a weight that is not 4-D or an ``in_channel`` it does not have.

    Examples:
        >>> from torch import nn
        >>> from cnnlib.plot import show_filters
        >>> fig = show_filters(nn.Conv2d(1, 8, 5), ncols=4)
        >>> len([ax for ax in fig.axes if ax.images])
        8
    """
    weight = _conv_weight(layer)
    out_channels, in_channels, kh, kw = weight.shape
    ncols = check_int("ncols", ncols, 1)
    in_channel = check_int("in_channel", in_channel, 0)
    if in_channels != 3 and in_channel >= in_channels:
        raise ValueError(f"in_channel must be below the {in_channels} input channels, got {in_channel}")
    if title is None:
        title = f"{out_channels} filters of {kh}×{kw}"
        title += "" if in_channels in (1, 3) else f" (input channel {in_channel})"
    fig, axes = _grid(out_channels, ncols, size, title)
    limit = float(weight.abs().max()) or 1.0
    shown = None
    for i in range(out_channels):
        ax = axes.flat[i]
        if in_channels == 3:
            rgb = weight[i].permute(1, 2, 0)
            span = rgb.max() - rgb.min()
            ax.imshow(((rgb - rgb.min()) / span if span > 0 else torch.zeros_like(rgb)).numpy())
        else:
            shown = ax.imshow(weight[i, in_channel].numpy(), cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_title(f"filter {i}", fontsize=8)
    if shown is not None:
        fig.colorbar(shown, ax=list(axes.flat), fraction=0.03, pad=0.02, label="weight")
    return fig


def show_feature_maps(
    model: nn.Module,
    image: Tensor,
    layer: str | nn.Module,
    ncols: int = 8,
    size: float = 1.3,
    cmap: str = "viridis",
    title: str | None = None,
) -> Figure:
    """The feature maps that one layer of ``model`` computes for one image, one panel per channel.

    ``image`` is a ``(C, H, W)`` tensor; ``layer`` is named as in :func:`cnnlib.activations.layer_output`. All maps
    share one colour scale (from the smallest to the largest activation of the layer), so a
    channel that stays dark responds weakly to this image. Introduced in chapter
    "LeNet-5, AlexNet and VGG".

    Raises:
        TypeError: if ``model`` is not an ``nn.Module`` or ``image`` not a tensor.
        ValueError: if ``image`` is not 3-D, or ``layer`` is not in the model or does not return
            ``(N, C, H, W)`` maps.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.plot import show_feature_maps
        >>> model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU())
        >>> fig = show_feature_maps(model, torch.rand(1, 8, 8), layer="1")
        >>> len([ax for ax in fig.axes if ax.images]) >= 4
        True
    """
    image = check_tensor("image", image, 3, "(C, H, W)")
    ncols = check_int("ncols", ncols, 1)
    name, _ = find_layer(model, layer)
    maps = layer_output(model, image.unsqueeze(0), layer)
    if maps.ndim != 4:
        raise ValueError(f"layer {name!r} must output (N, C, H, W) maps, got shape {tuple(maps.shape)}")
    maps = maps[0].float().cpu()
    channels, height, width = maps.shape
    title = title or f"Feature maps of {name} ({channels}×{height}×{width})"
    fig, axes = _grid(channels, ncols, size, title)
    low, high = float(maps.min()), float(maps.max())
    shown = None
    for i in range(channels):
        top = high if high > low else low + 1  # a constant layer still gets a valid scale
        shown = axes.flat[i].imshow(maps[i].numpy(), cmap=cmap, vmin=low, vmax=top)
        axes.flat[i].set_title(f"channel {i}", fontsize=8)
    fig.colorbar(shown, ax=list(axes.flat), fraction=0.03, pad=0.02, label="activation")
    return fig
