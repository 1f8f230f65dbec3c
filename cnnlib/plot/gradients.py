"""Gradient norms per layer, plotted against depth (from :func:`cnnlib.gradients.layer_gradient_norms`)."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cnnlib.gradients import GRADIENT_COLUMNS


def gradient_norms(
    frames: Mapping[str, object],
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """The gradient norm of every weighted layer against its position, on a logarithmic axis.

    ``frames`` maps a label (a network) to the frame :func:`cnnlib.gradients.layer_gradient_norms`
    returned for it; each becomes one line with a marker per layer, position 1 (the input side)
    on the left. Draws into ``ax`` if given, else into a new figure, and returns the figure.
    Introduced in chapter "ResNet".

    Raises:
        ValueError: if ``frames`` is empty, or a frame is empty or lacks the columns of
            :data:`cnnlib.gradients.GRADIENT_COLUMNS`.

    Examples:
        >>> import torch
        >>> from cnnlib.gradients import resnet_gradient_norms
        >>> from cnnlib.plot import gradient_norms
        >>> images, labels = torch.randn(16, 1, 8, 8), torch.randint(0, 10, (16,))
        >>> frames = {name: resnet_gradient_norms(8, images, labels, residual=name == "residual")
        ...           for name in ("plain", "residual")}
        >>> fig = gradient_norms(frames)
        >>> fig.axes[0].get_yscale(), len(fig.axes[0].get_lines())
        ('log', 2)
    """
    if not frames:
        raise ValueError("frames must hold at least one frame of gradient norms")
    for label, frame in frames.items():
        columns = getattr(frame, "columns", None)
        if columns is None or not set(GRADIENT_COLUMNS) <= set(columns) or len(frame) == 0:
            raise ValueError(
                f"frames[{label!r}] must be a non-empty frame from layer_gradient_norms, "
                f"with columns {list(GRADIENT_COLUMNS)}"
            )
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 3.8))
    else:
        fig = ax.figure
    for i, (label, frame) in enumerate(frames.items()):
        ax.plot(frame["position"], frame["grad_norm"], "o-", markersize=3, color=f"C{i % 10}", label=label)
    ax.set_yscale("log")
    ax.set(xlabel="weighted layer (1 = next to the input)", ylabel="gradient norm ||dL/dW||",
           title=title or "Gradient norm per layer")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    return fig
