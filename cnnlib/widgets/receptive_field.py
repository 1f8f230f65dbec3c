"""Explorer for receptive fields: choose layers, kernel, stride and dilation; see the field grow."""

from __future__ import annotations

import base64

import ipywidgets as widgets
from matplotlib.figure import Figure
from torch import nn

from cnnlib.arithmetic import field_cone, receptive_field
from cnnlib.plot.images import figure_png
from cnnlib.plot.receptive_field import field_diagram


def conv_stack(layers: int, kernel_size: int, stride: int = 1, dilation: int = 1) -> nn.Sequential:
    """``layers`` identical ``nn.Conv2d(1, 1, kernel_size, stride, dilation=dilation)`` on the
    ``meta`` device (shapes only, no memory), with ReLU between them.
    Introduced in chapter "Receptive fields"."""
    modules: list[nn.Module] = []
    for i in range(layers):
        if i:
            modules.append(nn.ReLU())
        modules.append(nn.Conv2d(1, 1, kernel_size, stride, dilation=dilation, device="meta"))
    return nn.Sequential(*modules)


class ReceptiveFieldExplorer(widgets.VBox):
    """The widget :func:`receptive_field_explorer` returns: controls, a summary line and a figure.

    Its controls are attributes (``layers``, ``kernel``, ``stride``, ``dilation``); ``summary`` is
    the HTML line with the field, ``picture`` the HTML that shows the diagram as an embedded PNG,
    ``field`` the last :class:`~cnnlib.arithmetic.ReceptiveField` computed and ``figure`` the
    last figure drawn, so that tests can drive it. (A PNG inside an ``HTML`` widget, not an
    ``Output`` widget, whose captured figures some front ends show outside the widget.)
    """

    def __init__(self) -> None:
        self.layers = widgets.IntSlider(value=3, min=1, max=6, description="layers")
        self.kernel = widgets.IntSlider(value=3, min=1, max=7, description="kernel")
        self.stride = widgets.IntSlider(value=1, min=1, max=3, description="stride")
        self.dilation = widgets.IntSlider(value=1, min=1, max=3, description="dilation")
        self.summary = widgets.HTML()
        self.picture = widgets.HTML()
        self.field = None
        self.figure: Figure | None = None
        super().__init__([
            widgets.HBox([self.layers, self.kernel]),
            widgets.HBox([self.stride, self.dilation]),
            self.summary,
            self.picture,
        ])
        for control in (self.layers, self.kernel, self.stride, self.dilation):
            control.observe(self.update, names="value")
        self.update()

    def update(self, _: object = None) -> None:
        """Recompute the field for the current settings and redraw."""
        L, k, s, d = self.layers.value, self.kernel.value, self.stride.value, self.dilation.value
        cone = field_cone(L, k, s, d)
        side = len(cone.centres[0])  # an input just large enough for 3 units on top
        self.field = receptive_field(conv_stack(L, k, s, d), (1, side, side))
        r, j = self.field.size[0], self.field.stride[0]
        self.summary.value = (
            f"{L} layer{'s' if L > 1 else ''} of {k}×{k}, stride {s}, dilation {d}: "
            f"<b>receptive field {r}×{r}</b>, jump {j}; the centre unit reads "
            f"{cone.pixels_read} of the {r} pixels of each row of its field"
        )
        self.figure = Figure(figsize=(8, 0.5 * L + 1.6))  # not pyplot: nothing global to close
        field_diagram(L, k, s, d, ax=self.figure.subplots())
        self.figure.tight_layout()
        png = figure_png(self.figure, dpi=80, close=False)
        encoded = base64.b64encode(png).decode("ascii")
        self.picture.value = f'<img src="data:image/png;base64,{encoded}" alt="receptive field diagram">'


def receptive_field_explorer() -> ReceptiveFieldExplorer:
    """An explorer: stack identical convolutions and watch the receptive field of one unit grow.

    Sliders set the number of layers, the kernel size, the stride and the dilation; the summary
    gives the field and jump that :func:`cnnlib.arithmetic.receptive_field` computes for that
    stack, and how many input pixels of the field the centre unit actually reads; the diagram
    (:func:`cnnlib.plot.field_diagram`) shows which units of every layer it depends on.
    Works with ipywidgets 7 and 8. Introduced in chapter "Receptive fields".

    Examples:
        >>> from cnnlib.widgets import receptive_field_explorer
        >>> explorer = receptive_field_explorer()
        >>> type(explorer).__name__
        'ReceptiveFieldExplorer'
    """
    return ReceptiveFieldExplorer()
