"""Explorer for EfficientNet's compound scaling: choose phi, alpha, beta and gamma."""

from __future__ import annotations

import ipywidgets as widgets

from cnnlib._checks import check_int, check_number
from cnnlib.arithmetic import compound_scaling
from cnnlib.plot.images import figure_png
from cnnlib.plot.scaling import show_compound_scaling

#: The values the coefficient drop-downs offer: 1.00, 1.05, ..., 1.50.
COEFFICIENTS = tuple(round(1 + 0.05 * i, 2) for i in range(11))


def scaling_summary(phi: int, alpha: float, beta: float, gamma: float, base_gmacs: float,
                    base_resolution: int) -> str:
    """The explorer's one-line summary of the scaled network (see ``compound_scaling_explorer``).

    Examples:
        >>> from cnnlib.widgets.scaling import scaling_summary
        >>> scaling_summary(0, 1.2, 1.1, 1.15, 0.386, 224)[:38]
        'φ=0: depth ×1.00, width ×1.00, resolut'
    """
    s = compound_scaling(phi, alpha, beta, gamma)
    growth = alpha * beta**2 * gamma**2
    return (f"φ={phi}: depth ×{s.depth:.2f}, width ×{s.width:.2f}, resolution ×{s.resolution:.2f} "
            f"({base_resolution} → {round(base_resolution * s.resolution)} px); "
            f"MACs ×{s.macs:.2f} = {base_gmacs * s.macs:.3g} GMACs (α·β²·γ² = {growth:.3f})")


def compound_scaling_explorer(base_gmacs: float = 0.386, base_resolution: int = 224,
                              measured: dict[str, tuple[float, float]] | None = None) -> widgets.VBox:
    """An explorer: scale a baseline network by EfficientNet's compound rule and see the cost.

    Controls: the compound coefficient ``phi`` (0 to 8) and the coefficients ``alpha`` (depth),
    ``beta`` (width) and ``gamma`` (resolution), from 1.00 to 1.50 (defaults 1.2, 1.1, 1.15 as
    in the paper, rounded to the drop-down's steps where needed). The label gives the
    multipliers, the resolution in pixels and the predicted MACs of the scaled network (from
    ``base_gmacs`` at ``base_resolution``); the picture is
    ``cnnlib.plot.scaling.show_compound_scaling``, with ``measured`` networks
    ``{name: (phi, GMACs)}`` marked, rendered to PNG in an ``Image`` widget. Works with
    ipywidgets 7 and 8. Introduced in chapter "EfficientNet and ConvNeXt".

    Raises:
        ValueError: for a non-positive ``base_gmacs`` or ``base_resolution``.

    Examples:
        >>> from cnnlib.widgets import compound_scaling_explorer
        >>> explorer = compound_scaling_explorer(base_gmacs=0.386)
        >>> explorer.children[2].value[:47]
        'φ=1: depth ×1.20, width ×1.10, resolution ×1.15'
    """
    check_number("base_gmacs", base_gmacs, 0.0, low_open=True)
    base_resolution = check_int("base_resolution", base_resolution, 1)
    phi = widgets.IntSlider(value=1, min=0, max=8, description="φ")
    alpha = widgets.Dropdown(options=list(COEFFICIENTS), value=1.2, description="α (depth)")
    beta = widgets.Dropdown(options=list(COEFFICIENTS), value=1.1, description="β (width)")
    gamma = widgets.Dropdown(options=list(COEFFICIENTS), value=1.15, description="γ (resolution)")
    summary = widgets.Label()
    picture = widgets.Image(format="png")

    def update(_: object = None) -> None:
        summary.value = scaling_summary(phi.value, alpha.value, beta.value, gamma.value, base_gmacs,
                                        base_resolution)
        fig = show_compound_scaling(phi.value, alpha.value, beta.value, gamma.value, base_gmacs,
                                    base_resolution, measured)
        picture.value = figure_png(fig, dpi=70)

    for control in (phi, alpha, beta, gamma):
        control.observe(update, names="value")
    update()
    return widgets.VBox([widgets.HBox([phi, alpha]), widgets.HBox([beta, gamma]), summary, picture])
