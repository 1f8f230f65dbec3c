"""Compound scaling (EfficientNet): how depth, width, resolution and the MACs grow with phi."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from cnnlib._checks import check_int, check_number
from cnnlib.arithmetic import compound_scaling


def show_compound_scaling(
    phi: float,
    alpha: float = 1.2,
    beta: float = 1.1,
    gamma: float = 1.15,
    base_gmacs: float = 0.386,
    base_resolution: int = 224,
    measured: Mapping[str, tuple[float, float]] | None = None,
    max_phi: int = 8,
) -> Figure:
    """Two panels for compound scaling with coefficients ``alpha``, ``beta``, ``gamma``.

    Left: the depth, width and resolution multipliers ``alpha**phi``, ``beta**phi``,
    ``gamma**phi`` for ``phi`` from 0 to ``max_phi``, the chosen ``phi`` marked (the resolution
    in pixels on the right axis, from ``base_resolution``). Right, on a log scale: the predicted
    GMACs ``base_gmacs * (alpha * beta**2 * gamma**2) ** phi``, the ``2**phi`` of the paper's
    constraint for reference, and optionally ``measured`` networks given as
    ``{name: (phi, GMACs)}``. See ``cnnlib.arithmetic.compound_scaling``.
    Introduced in chapter "EfficientNet and ConvNeXt".

    Raises:
        TypeError, ValueError: for invalid coefficients (as ``compound_scaling``), a
            non-positive ``base_gmacs`` or ``base_resolution``, or a ``max_phi`` below 1.

    Examples:
        >>> from cnnlib.plot import show_compound_scaling
        >>> fig = show_compound_scaling(2, measured={"B3": (2.09, 1.83)})
        >>> [ax.get_yscale() for ax in fig.axes[:2]]
        ['linear', 'log']
    """
    current = compound_scaling(phi, alpha, beta, gamma)
    base_resolution = check_int("base_resolution", base_resolution, 1)
    max_phi = check_int("max_phi", max_phi, 1)
    check_number("base_gmacs", base_gmacs, 0.0, low_open=True)
    phis = np.linspace(0, max(max_phi, phi), 200)
    curves = [compound_scaling(float(p), alpha, beta, gamma) for p in phis]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for attribute, symbol, colour in [("depth", "α", "C0"), ("width", "β", "C1"), ("resolution", "γ", "C2")]:
        values = [getattr(c, attribute) for c in curves]
        left.plot(phis, values, color=colour, label=f"{attribute} = {symbol}^φ")
        left.plot([phi], [getattr(current, attribute)], "o", color=colour)
    left.axvline(phi, color="grey", linestyle=":")
    left.set(title=f"Multipliers (α={alpha:g}, β={beta:g}, γ={gamma:g})", xlabel="compound coefficient φ",
             ylabel="multiplier of the baseline")
    pixels = left.secondary_yaxis("right", functions=(lambda m: m * base_resolution, lambda px: px / base_resolution))
    pixels.set_ylabel("resolution (pixels)")
    left.legend(loc="upper left")
    left.grid(alpha=0.3)

    growth = alpha * beta**2 * gamma**2
    right.plot(phis, [base_gmacs * c.macs for c in curves], color="C3",
               label=f"predicted: {base_gmacs:g} × ({growth:.3g})^φ")
    right.plot(phis, base_gmacs * 2.0**phis, color="grey", linestyle="--", label=f"{base_gmacs:g} × 2^φ")
    right.plot([phi], [base_gmacs * current.macs], "o", color="C3")
    for i, (name, (p, gmacs)) in enumerate((measured or {}).items()):
        right.plot([p], [gmacs], "s", color="k", markersize=5, label="measured" if i == 0 else None)
        right.annotate(name, (p, gmacs), textcoords="offset points", xytext=(4, -10), fontsize=8)
    right.set_yscale("log")
    right.set(title="Predicted computation", xlabel="compound coefficient φ", ylabel="GMACs per image (log scale)")
    right.legend(loc="upper left", fontsize=8)
    right.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig
