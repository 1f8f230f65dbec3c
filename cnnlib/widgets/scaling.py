"""Explorer for EfficientNet's compound scaling: choose phi, alpha, beta and gamma."""

from __future__ import annotations

import ipywidgets as widgets
from matplotlib.figure import Figure

from cnnlib._checks import check_int, check_number
from cnnlib.arithmetic import compound_scaling
from cnnlib.plot.scaling import show_compound_scaling
from cnnlib.widgets._explorer import Explorer

#: The values the coefficient drop-downs offer: 1.00, 1.05, ..., 1.50.
COEFFICIENTS = tuple(round(1 + 0.05 * i, 2) for i in range(11))


def _scaling_summary(phi: int, alpha: float, beta: float, gamma: float, base_gmacs: float,
                     base_resolution: int) -> str:
    """The explorer's one-line summary of the scaled network.

    Examples:
        >>> _scaling_summary(0, 1.2, 1.1, 1.15, 0.386, 224)[:38]
        'φ=0: depth ×1.00, width ×1.00, resolut'
    """
    s = compound_scaling(phi, alpha, beta, gamma)
    growth = alpha * beta**2 * gamma**2
    return (f"φ={phi}: depth ×{s.depth:.2f}, width ×{s.width:.2f}, resolution ×{s.resolution:.2f} "
            f"({base_resolution} → {round(base_resolution * s.resolution)} px); "
            f"MACs ×{s.macs:.2f} = {base_gmacs * s.macs:.3g} GMACs (α·β²·γ² = {growth:.3f})")


class CompoundScalingExplorer(Explorer):
    """The explorer :func:`compound_scaling_explorer` returns: a baseline scaled by the compound rule.

    Controls: the compound coefficient ``phi`` (0 to 8) and the coefficients ``alpha`` (depth),
    ``beta`` (width) and ``gamma`` (resolution), from 1.00 to 1.50 (``COEFFICIENTS``; defaults
    1.2, 1.1, 1.15 as in the paper). The ``summary`` gives the multipliers, the resolution in
    pixels and the predicted MACs of the scaled network (from ``base_gmacs`` at
    ``base_resolution``); the ``picture`` is :func:`cnnlib.plot.show_compound_scaling`, with the
    ``measured`` networks ``{name: (phi, GMACs)}`` marked. Introduced in chapter "EfficientNet
    and ConvNeXt".

    Raises:
        TypeError: for a non-number ``base_gmacs`` or a non-integer ``base_resolution``.
        ValueError: for a non-positive ``base_gmacs`` or ``base_resolution``.

    Examples:
        >>> from cnnlib.widgets import CompoundScalingExplorer
        >>> explorer = CompoundScalingExplorer(base_gmacs=1.0, base_resolution=100)
        >>> explorer.phi.value = 2  # depth 1.2², width 1.1², resolution 1.15²
        >>> explorer.summary.value[:58]
        'φ=2: depth ×1.44, width ×1.21, resolution ×1.32 (100 → 132'
    """

    def __init__(self, base_gmacs: float = 0.386, base_resolution: int = 224,
                 measured: dict[str, tuple[float, float]] | None = None) -> None:
        self.base_gmacs = check_number("base_gmacs", base_gmacs, 0.0, low_open=True)
        self.base_resolution = check_int("base_resolution", base_resolution, 1)
        self.measured = measured
        super().__init__([
            {"phi": widgets.IntSlider(value=1, min=0, max=8, description="φ"),
             "alpha": widgets.Dropdown(options=list(COEFFICIENTS), value=1.2, description="α (depth)")},
            {"beta": widgets.Dropdown(options=list(COEFFICIENTS), value=1.1, description="β (width)"),
             "gamma": widgets.Dropdown(options=list(COEFFICIENTS), value=1.15, description="γ (resolution)")},
        ], dpi=70)

    def compute(self) -> tuple[str, Figure | None]:
        """Scale the baseline by the current coefficients; describe and draw the result."""
        coefficients = (self.phi.value, self.alpha.value, self.beta.value, self.gamma.value)
        summary = _scaling_summary(*coefficients, self.base_gmacs, self.base_resolution)
        return summary, show_compound_scaling(*coefficients, self.base_gmacs, self.base_resolution, self.measured)


def compound_scaling_explorer(base_gmacs: float = 0.386, base_resolution: int = 224,
                              measured: dict[str, tuple[float, float]] | None = None) -> CompoundScalingExplorer:
    """An explorer: scale a baseline network by EfficientNet's compound rule and see the cost.

    Returns a :class:`CompoundScalingExplorer` (its controls, summary and picture are described
    there) for a baseline of ``base_gmacs`` GMACs at ``base_resolution`` pixels, with the
    ``measured`` networks ``{name: (phi, GMACs)}`` marked. Works with ipywidgets 7 and 8.
    Introduced in chapter "EfficientNet and ConvNeXt".

    Raises:
        TypeError: for a non-number ``base_gmacs`` or a non-integer ``base_resolution``.
        ValueError: for a non-positive ``base_gmacs`` or ``base_resolution``.

    Examples:
        >>> from cnnlib.widgets import compound_scaling_explorer
        >>> explorer = compound_scaling_explorer(base_gmacs=0.386)
        >>> explorer.summary.value[:47]
        'φ=1: depth ×1.20, width ×1.10, resolution ×1.15'
    """
    return CompoundScalingExplorer(base_gmacs, base_resolution, measured)
