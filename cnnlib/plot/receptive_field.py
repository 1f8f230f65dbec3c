"""Receptive fields drawn: the cone of units one output sees, and fields on a photograph.

The fields are computed in :mod:`cnnlib.arithmetic`. For chapter "Receptive fields" and its explorer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from torch import Tensor

from cnnlib._checks import check_image
from cnnlib.arithmetic import ReceptiveField, field_cone

#: Above this many connections the diagram draws the units only.
MAX_EDGES = 3000


def _settings_text(values: tuple[int, ...]) -> str:
    return str(values[0]) if len(set(values)) == 1 else ", ".join(map(str, values))


def field_diagram(
    layers: int,
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int] = 1,
    dilation: int | Sequence[int] = 1,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Draw the units of a 1-D stack of layers and the cone one top unit depends on.

    One row per layer (the input at the bottom), one marker per unit at the centre of its field;
    the units the middle top unit depends on are coloured, with their connections when there are
    not too many, and the band over the input marks its receptive field. The right margin gives
    each layer's field ``r`` and jump ``j``. See :func:`cnnlib.arithmetic.field_cone` for the geometry. Draws into
    ``ax`` if given. Introduced in chapter "Receptive fields".

    Raises:
        ValueError: for the bad arguments of :func:`cnnlib.arithmetic.field_cone`.

    Examples:
        >>> from cnnlib.plot import field_diagram
        >>> fig = field_diagram(layers=3, kernel_size=3)
        >>> fig.axes[0].get_title()
        'kernel 3, stride 1, dilation 1: field 7, 7 pixels read'
    """
    cone = field_cone(layers, kernel_size, stride, dilation)
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 0.55 * cone.layers + 1.6))
    else:
        fig = ax.figure
    width = len(cone.centres[0])
    axes_points = 72 * fig.get_figwidth() * ax.get_position().width  # the axes' width in points
    points_per_pixel = 0.85 * axes_points / width
    start = cone.centres[-1][cone.inside[-1]][0] - (cone.field - 1) / 2
    ax.axvspan(start - 0.5, start + cone.field - 0.5, ymin=0, ymax=1, color="tab:orange", alpha=0.12,
               lw=0)
    colours = plt.get_cmap("viridis")(np.linspace(0.05, 0.85, cone.layers + 1))
    edges = sum(int(m.sum()) * k for m, k in zip(cone.inside[1:], cone.kernel_size))
    if edges <= MAX_EDGES:
        segments = []
        for layer in range(1, cone.layers + 1):
            k, s, d = (cone.kernel_size[layer - 1], cone.stride[layer - 1], cone.dilation[layer - 1])
            for u in np.flatnonzero(cone.inside[layer]):
                for i in range(k):
                    below = u * s + i * d
                    segments.append([(cone.centres[layer][u], layer),
                                     (cone.centres[layer - 1][below], layer - 1)])
        ax.add_collection(LineCollection(segments, colors="0.55", linewidths=0.6, alpha=0.6,
                                         zorder=1))
    for layer, (centres, inside) in enumerate(zip(cone.centres, cone.inside)):
        side = float(np.clip(0.8 * points_per_pixel * cone.jumps[layer], 1.5, 8))  # marker, points
        marker = side**2
        ax.scatter(centres[~inside], np.full((~inside).sum(), layer), s=marker, marker="s",
                   color="0.82", zorder=2, linewidths=0)
        ax.scatter(centres[inside], np.full(inside.sum(), layer), s=marker, marker="s",
                   color=colours[layer], zorder=3, linewidths=0)
        ax.annotate(f"r = {cone.sizes[layer]}, j = {cone.jumps[layer]}", (1.01, layer),
                    xycoords=("axes fraction", "data"), va="center", fontsize=8)
    ax.set_yticks(range(cone.layers + 1), ["input"] + [f"layer {i}" for i in range(1, cone.layers + 1)])
    ax.set_ylim(-0.6, cone.layers + 0.6)
    ax.set_xlim(-1, width)
    ax.set_xlabel("input position (pixels)")
    if title is None:
        title = (f"kernel {_settings_text(cone.kernel_size)}, stride {_settings_text(cone.stride)}, "
                 f"dilation {_settings_text(cone.dilation)}: field {cone.field}, "
                 f"{cone.pixels_read} pixels read")
    ax.set_title(title, fontsize=10)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig


def show_receptive_fields(
    image: Tensor,
    fields: Mapping[str, ReceptiveField],
    title: str | None = None,
    size: float = 5.5,
) -> Figure:
    """Outline, on ``image``, the receptive field of the centre output unit of each network.

    ``image`` is a ``(C, H, W)`` tensor with the height and width the fields were computed for;
    ``fields`` maps a label to a :class:`~cnnlib.arithmetic.ReceptiveField`. Each field is
    drawn whole, beyond the image where it is larger than the image (the image is all such a unit
    can actually see), with the centres of the last map's units of the first network as dots.
    Introduced in chapter "Receptive fields".

    Raises:
        TypeError: if ``image`` is not a tensor.
        ValueError: for an image that is not ``(C, H, W)``, no fields, or fields computed for
            another input size.

    Examples:
        >>> from torch import nn
        >>> from cnnlib.arithmetic import receptive_field
        >>> from cnnlib.data import sample_image
        >>> from cnnlib.plot import show_receptive_fields
        >>> image = sample_image("chelsea", size=(64, 64))
        >>> fields = {"two 3x3 convs": receptive_field(nn.Sequential(nn.Conv2d(3, 3, 3), nn.Conv2d(3, 3, 3)), (3, 64, 64))}
        >>> fig = show_receptive_fields(image, fields)
        >>> len(fig.axes)
        1
    """
    image = check_image("image", image)
    if not fields:
        raise ValueError("fields must hold at least one receptive field")
    height, width = image.shape[-2:]
    for label, rf in fields.items():
        if rf.input_size[1:] != (height, width):
            raise ValueError(
                f"fields[{label!r}] was computed for {rf.input_size[1]}×{rf.input_size[2]} inputs, "
                f"not for this {height}×{width} image"
            )
    array = image.detach().cpu().numpy()
    array = array[0] if array.shape[0] == 1 else np.clip(np.transpose(array, (1, 2, 0)), 0, 1)
    fig, ax = plt.subplots(figsize=(1.7 * size, size))  # room for the legend on the right
    ax.imshow(array, cmap="gray", extent=(-0.5, width - 0.5, height - 0.5, -0.5))
    colours = plt.get_cmap("tab10").colors
    low, high = [-0.5, -0.5], [height - 0.5, width - 0.5]
    for (label, rf), colour in zip(fields.items(), colours):
        rows, cols = rf.region(*rf.center, clip=False)
        ax.add_patch(Rectangle((cols.start - 0.5, rows.start - 0.5), len(cols), len(rows),
                               fill=False, edgecolor=colour, linewidth=2,
                               label=f"{label}: {len(rows)}×{len(cols)}"))
        low = [min(low[0], rows.start - 0.5), min(low[1], cols.start - 0.5)]
        high = [max(high[0], rows.stop - 0.5), max(high[1], cols.stop - 0.5)]
    first = next(iter(fields.values()))
    grid_r = np.arange(first.output_size[0]) * first.stride[0] - first.padding[0] + (first.size[0] - 1) / 2
    grid_c = np.arange(first.output_size[1]) * first.stride[1] - first.padding[1] + (first.size[1] - 1) / 2
    rr, cc = np.meshgrid(grid_r, grid_c, indexing="ij")
    ax.scatter(cc.ravel(), rr.ravel(), s=8, color=colours[0], zorder=3,
               label=f"{next(iter(fields))}: centres of the last map's units")
    margin = 8
    ax.set_xlim(low[1] - margin, high[1] + margin)
    ax.set_ylim(high[0] + margin, low[0] - margin)
    ax.set(xlabel="column (input pixels)", ylabel="row (input pixels)")
    ax.set_title(title or f"Receptive fields of the centre unit on a {height}×{width} input")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    fig.tight_layout()
    return fig
