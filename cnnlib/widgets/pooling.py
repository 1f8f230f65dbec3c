"""Explorer for pooling: choose the kind, the kernel and the stride; see the pooled image and its size."""

from __future__ import annotations

import ipywidgets as widgets
from matplotlib.figure import Figure
from torch import Tensor

from cnnlib._checks import check_image
from cnnlib.ops.conv import edge_feature_map
from cnnlib.ops.pooling import POOLINGS, pool_image
from cnnlib.plot.pooling import show_pooling
from cnnlib.widgets._explorer import Explorer

#: What the explorer can pool: the image itself or its edge feature map.
SOURCES = ("photo", "edge feature map")


class PoolingExplorer(Explorer):
    """The explorer :func:`pooling_explorer` returns: an image or its edge map, pooled.

    Controls: ``source`` (the photo or its edge feature map, ``SOURCES``), ``kind`` (one of
    ``cnnlib.ops.POOLINGS``), ``kernel`` and ``stride``. The ``summary`` reports the pooling
    and the output size; the ``picture`` shows the input and the pooled result over the same
    extent (the figure of :func:`cnnlib.plot.show_pooling`). Introduced in chapter "Pooling".

    Raises:
        TypeError: if ``image`` is not a tensor.
        ValueError: if ``image`` is not a ``(C, H, W)`` tensor.

    Examples:
        >>> import torch
        >>> from cnnlib.widgets import PoolingExplorer
        >>> explorer = PoolingExplorer(torch.rand(1, 12, 16))
        >>> explorer.kernel.value = explorer.stride.value = 4
        >>> explorer.summary.value
        'max pooling, kernel 4, stride 4: 12×16 → 3×4 (16.0 times fewer values)'
    """

    def __init__(self, image: Tensor) -> None:
        image = check_image("image", image)
        self.images = {"photo": image.detach().float(), "edge feature map": edge_feature_map(image)}
        super().__init__([
            {"source": widgets.Dropdown(options=list(SOURCES), value="photo", description="input"),
             "kind": widgets.ToggleButtons(options=list(POOLINGS), value="max", description="pooling")},
            {"kernel": widgets.IntSlider(value=2, min=1, max=8, description="kernel"),
             "stride": widgets.IntSlider(value=2, min=1, max=8, description="stride")},
        ])

    def compute(self) -> tuple[str, Figure | None]:
        """Pool the chosen input with the current settings; describe the sizes and draw both."""
        image = self.images[self.source.value]
        pooled = pool_image(image, self.kind.value, self.kernel.value, self.stride.value)
        (h, w), (ph, pw) = image.shape[-2:], pooled.shape[-2:]
        summary = (
            f"{self.kind.value} pooling, kernel {self.kernel.value}, stride {self.stride.value}: "
            f"{h}×{w} → {ph}×{pw} ({h * w / (ph * pw):.1f} times fewer values)"
        )
        return summary, show_pooling(image, [(self.kind.value, self.kernel.value, self.stride.value)], size=3.6)


def pooling_explorer(image: Tensor | None = None) -> PoolingExplorer:
    """An explorer: pool a photo or an edge feature map with a chosen kind, kernel and stride.

    Returns a :class:`PoolingExplorer` (its controls, summary and picture are described there)
    for ``image``, a ``(C, H, W)`` tensor (default: Chelsea the cat, greyscale, 128 pixels high).
    Works with ipywidgets 7 and 8. Introduced in chapter "Pooling".

    Raises:
        TypeError: if ``image`` is not a tensor.
        ValueError: if ``image`` is not a ``(C, H, W)`` tensor.

    Examples:
        >>> from cnnlib.widgets import pooling_explorer
        >>> explorer = pooling_explorer()
        >>> explorer.summary.value
        'max pooling, kernel 2, stride 2: 128×192 → 64×96 (4.0 times fewer values)'
    """
    if image is None:
        from cnnlib.data import sample_image

        image = sample_image("chelsea", size=128, grayscale=True)
    return PoolingExplorer(image)
