"""Explorer for pooling: choose the kind, the kernel and the stride; see the pooled image and its size."""

from __future__ import annotations

import ipywidgets as widgets
from torch import Tensor

from cnnlib.plot.images import figure_png
from cnnlib.ops.conv import edge_feature_map
from cnnlib.ops.pooling import POOLINGS, pool_image
from cnnlib.plot.pooling import show_pooling

SOURCES = ("photo", "edge feature map")


def pooling_explorer(image: Tensor | None = None) -> widgets.VBox:
    """An explorer: pool a photo or an edge feature map with a chosen kind, kernel and stride.

    ``image`` is a ``(C, H, W)`` tensor (default: Chelsea the cat, greyscale, 128 pixels high).
    The label under the controls reports the pooling and the output size; the picture under it
    shows the input and the pooled result over the same extent (the figure of
    :func:`cnnlib.plot.show_pooling`, rendered to PNG in an ``Image`` widget, so it needs no
    output capture from the front end). Works with ipywidgets 7 and 8.
    Introduced in chapter "Pooling".

    Raises:
        ValueError: if ``image`` is not a ``(C, H, W)`` tensor.

    Examples:
        >>> from cnnlib.widgets import pooling_explorer
        >>> explorer = pooling_explorer()
        >>> type(explorer).__name__
        'VBox'
    """
    if image is None:
        from cnnlib.data import sample_image

        image = sample_image("chelsea", size=128, grayscale=True)
    images = {"photo": image.detach().float(), "edge feature map": edge_feature_map(image)}
    source = widgets.Dropdown(options=list(SOURCES), value="photo", description="input")
    kind = widgets.ToggleButtons(options=list(POOLINGS), value="max", description="pooling")
    kernel = widgets.IntSlider(value=2, min=1, max=8, description="kernel")
    stride = widgets.IntSlider(value=2, min=1, max=8, description="stride")
    summary = widgets.Label()
    picture_widget = widgets.Image(format="png")

    def update(_: object = None) -> None:
        picture = images[source.value]
        pooled = pool_image(picture, kind.value, kernel.value, stride.value)
        (h, w), (ph, pw) = picture.shape[-2:], pooled.shape[-2:]
        summary.value = (
            f"{kind.value} pooling, kernel {kernel.value}, stride {stride.value}: "
            f"{h}×{w} → {ph}×{pw} ({h * w / (ph * pw):.1f} times fewer values)"
        )
        fig = show_pooling(picture, [(kind.value, kernel.value, stride.value)], size=3.6)
        picture_widget.value = figure_png(fig, dpi=80)

    for control in (source, kind, kernel, stride):
        control.observe(update, names="value")
    update()
    return widgets.VBox(
        [widgets.HBox([source, kind]), widgets.HBox([kernel, stride]), summary, picture_widget]
    )
