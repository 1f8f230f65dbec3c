"""The values a normalisation pools, drawn on an ``(N, C, H, W)`` block.

The sets come from :func:`cnnlib.ops.statistics_groups`; the drawing follows Wu and He's (2018)
figure: channels across, positions (``H, W`` flattened) down, examples in depth. Introduced in
chapter "Batch normalisation".
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

from cnnlib.ops.batchnorm import statistics_groups

_DX, _DY = 0.5, 0.4  # the offset of one example in depth
_POOLED = {
    "batch": "one mean per channel, over N, H, W",
    "layer": "one mean per example, over C, H, W",
    "instance": "one mean per example and channel, over H, W",
    "group": "one mean per example and group of channels, over H, W",
}


def show_normalisation_axes(
    kind: str = "batch",
    shape: tuple[int, int, int, int] = (4, 6, 2, 2),
    groups: int = 2,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Draw an ``(N, C, H, W)`` block with the values that share one mean and variance shaded.

    One set of :func:`cnnlib.ops.statistics_groups` (that of the first example's second channel,
    or its first for layer normalisation) is coloured on the three visible faces: channels run
    across, the ``H × W`` positions down (flattened), the ``N`` examples into the page. Draws into
    ``ax`` if given. Introduced in chapter "Batch normalisation".

    Raises:
        ValueError: see :func:`cnnlib.ops.statistics_groups`.

    Examples:
        >>> from cnnlib.plot import show_normalisation_axes
        >>> fig = show_normalisation_axes("batch")
        >>> fig.axes[0].get_title().splitlines()
        ['batch norm:', 'one mean per channel, over N, H, W']
    """
    sets = statistics_groups(kind, shape, groups)
    n, c, h, w = shape
    sets = sets.reshape(n, c, h * w)
    chosen = int(sets[0, min(1, c - 1), 0]) if kind != "layer" else int(sets[0, 0, 0])
    rows = h * w
    if ax is None:
        fig, ax = plt.subplots(figsize=(0.45 * (c + n * _DX) + 1.2, 0.45 * (rows + n * _DY) + 0.9))
    else:
        fig = ax.figure

    def cell(corners: list[tuple[float, float]], shaded: bool) -> None:
        ax.add_patch(Polygon(corners, closed=True, facecolor="#fdae6b" if shaded else "white",
                             edgecolor="black", lw=0.7))

    for k in range(c):  # front face: the first example
        for r in range(rows):
            cell([(k, -r), (k + 1, -r), (k + 1, -r - 1), (k, -r - 1)], sets[0, k, r] == chosen)
    for e in range(n):  # top face: the first position of every example
        for k in range(c):
            x, y = k + e * _DX, e * _DY
            cell([(x, y), (x + 1, y), (x + 1 + _DX, y + _DY), (x + _DX, y + _DY)], sets[e, k, 0] == chosen)
    for e in range(n):  # right face: the last channel of every example
        for r in range(rows):
            x, y = c + e * _DX, -r + e * _DY
            cell([(x, y), (x + _DX, y + _DY), (x + _DX, y + _DY - 1), (x, y - 1)], sets[e, c - 1, r] == chosen)
    ax.annotate("", xy=(c, -rows - 0.5), xytext=(0, -rows - 0.5), arrowprops=dict(arrowstyle="->"))
    ax.text(c / 2, -rows - 0.65, "C (channels)", ha="center", va="top", fontsize=9)
    ax.annotate("", xy=(-0.4, -rows), xytext=(-0.4, 0), arrowprops=dict(arrowstyle="->"))
    ax.text(-0.55, -rows / 2, "H, W", ha="right", va="center", fontsize=9, rotation=90)
    ax.annotate("", xy=(c + 0.3 + n * _DX, -rows + n * _DY), xytext=(c + 0.3, -rows),
                arrowprops=dict(arrowstyle="->"))
    ax.text(c + 0.45 + n * _DX, -rows + n * _DY, "N (examples)", ha="left", va="center", fontsize=9)
    ax.set_title(title if title is not None else f"{kind} norm:\n{_POOLED[kind]}", fontsize=10)
    ax.set_xlim(-1.2, c + n * _DX + 2.6)
    ax.set_ylim(-rows - 1.4, n * _DY + 0.3)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig
