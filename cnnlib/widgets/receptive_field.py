"""Explorer for receptive fields: choose layers, kernel, stride and dilation; see the field grow."""

from __future__ import annotations

import ipywidgets as widgets
from matplotlib.figure import Figure
from torch import nn

from cnnlib.arithmetic import ReceptiveField, field_cone, receptive_field
from cnnlib.plot.receptive_field import field_diagram
from cnnlib.widgets._explorer import Explorer


def _conv_stack(layers: int, kernel_size: int, stride: int = 1, dilation: int = 1) -> nn.Sequential:
    """``layers`` identical ``nn.Conv2d(1, 1, kernel_size, stride, dilation=dilation)`` on the
    ``meta`` device (shapes only, no memory), with ReLU between them."""
    modules: list[nn.Module] = []
    for i in range(layers):
        if i:
            modules.append(nn.ReLU())
        modules.append(nn.Conv2d(1, 1, kernel_size, stride, dilation=dilation, device="meta"))
    return nn.Sequential(*modules)


class ReceptiveFieldExplorer(Explorer):
    """The explorer :func:`receptive_field_explorer` returns: a stack of identical convolutions.

    Controls: ``layers``, ``kernel`` (size), ``stride`` and ``dilation``. The ``summary`` gives the
    field and jump that :func:`cnnlib.arithmetic.receptive_field` computes for the stack (kept in
    ``field``), and how many input pixels of the field the centre unit actually reads; the
    ``picture`` is :func:`cnnlib.plot.field_diagram`, which shows the units of every layer it
    depends on. Introduced in chapter "Receptive fields".

    Examples:
        >>> from cnnlib.widgets import ReceptiveFieldExplorer
        >>> explorer = ReceptiveFieldExplorer()
        >>> explorer.stride.value = 2  # three 3x3 layers of stride 2: 1 + 2 * (1 + 2 + 4)
        >>> explorer.field.size, explorer.field.stride
        ((15, 15), (8, 8))
    """

    def __init__(self) -> None:
        self.field: ReceptiveField | None = None
        super().__init__([
            {"layers": widgets.IntSlider(value=3, min=1, max=6, description="layers"),
             "kernel": widgets.IntSlider(value=3, min=1, max=7, description="kernel")},
            {"stride": widgets.IntSlider(value=1, min=1, max=3, description="stride"),
             "dilation": widgets.IntSlider(value=1, min=1, max=3, description="dilation")},
        ])

    def compute(self) -> tuple[str, Figure | None]:
        """The field of the current stack, described and drawn."""
        L, k, s, d = self.layers.value, self.kernel.value, self.stride.value, self.dilation.value
        cone = field_cone(L, k, s, d)
        side = len(cone.centres[0])  # an input just large enough for 3 units on top
        self.field = receptive_field(_conv_stack(L, k, s, d), (1, side, side))
        r, j = self.field.size[0], self.field.stride[0]
        summary = (
            f"{L} layer{'s' if L > 1 else ''} of {k}×{k}, stride {s}, dilation {d}: "
            f"<b>receptive field {r}×{r}</b>, jump {j}; the centre unit reads "
            f"{cone.pixels_read} of the {r} pixels of each row of its field"
        )
        fig = Figure(figsize=(8, 0.5 * L + 1.6))  # not a pyplot figure: nothing global to close
        field_diagram(L, k, s, d, ax=fig.subplots())
        fig.tight_layout()
        return summary, fig


def receptive_field_explorer() -> ReceptiveFieldExplorer:
    """An explorer: stack identical convolutions and watch the receptive field of one unit grow.

    Returns a :class:`ReceptiveFieldExplorer` (its controls, summary and picture are described
    there), starting from three 3×3 layers of stride 1. Works with ipywidgets 7 and 8.
    Introduced in chapter "Receptive fields".

    Examples:
        >>> from cnnlib.widgets import receptive_field_explorer
        >>> explorer = receptive_field_explorer()
        >>> explorer.field.size
        (7, 7)
    """
    return ReceptiveFieldExplorer()
