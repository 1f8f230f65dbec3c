"""The compound-scaling explorer driven through its controls, against arithmetic.compound_scaling."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from explorers import assert_every_change_redraws, shown_picture

from cnnlib.arithmetic import compound_scaling
from cnnlib.plot.scaling import show_compound_scaling
from cnnlib.widgets import CompoundScalingExplorer, compound_scaling_explorer
from cnnlib.widgets.scaling import COEFFICIENTS, _scaling_summary


def test_defaults_are_the_papers_coefficients() -> None:
    explorer = compound_scaling_explorer()
    assert isinstance(explorer, CompoundScalingExplorer)
    e = explorer
    assert (e.phi.value, e.alpha.value, e.beta.value, e.gamma.value) == (1, 1.2, 1.1, 1.15)
    assert set(COEFFICIENTS) >= {1.0, 1.2, 1.1, 1.15, 1.5}
    assert list(e.alpha.options) == list(e.beta.options) == list(e.gamma.options) == list(COEFFICIENTS)
    assert e.summary.value.startswith("φ=1: depth ×1.20, width ×1.10, resolution ×1.15 (224 → 258 px)")
    assert "(α·β²·γ² = 1.920)" in e.summary.value
    shown_picture(e)


@pytest.mark.parametrize(("phi", "alpha", "beta", "gamma"), [(0, 1.2, 1.1, 1.15), (3, 1.0, 1.5, 1.0),
                                                             (8, 1.05, 1.25, 1.3)])
def test_summary_reports_the_scaled_network(phi, alpha, beta, gamma) -> None:
    e = compound_scaling_explorer(base_gmacs=2.0, base_resolution=32)
    e.phi.value, e.alpha.value, e.beta.value, e.gamma.value = phi, alpha, beta, gamma
    expected = compound_scaling(phi, alpha, beta, gamma)
    text = e.summary.value
    assert text == _scaling_summary(phi, alpha, beta, gamma, 2.0, 32)
    assert f"depth ×{alpha ** phi:.2f}" in text and f"width ×{beta ** phi:.2f}" in text
    assert f"32 → {round(32 * gamma ** phi)} px" in text
    assert f"= {2.0 * expected.macs:.3g} GMACs" in text
    assert expected.macs == pytest.approx((alpha * beta**2 * gamma**2) ** phi)


def test_the_picture_follows_every_control() -> None:
    explorer = compound_scaling_explorer(measured={"B3": (2.0, 1.8)})
    assert_every_change_redraws(explorer, [("phi", 4), ("alpha", 1.3), ("beta", 1.0), ("gamma", 1.5)])
    assert [t.get_text() for t in explorer.figure.axes[1].texts] == ["B3"]


def test_the_figure_draws_the_predicted_curve() -> None:
    fig = show_compound_scaling(2, 1.2, 1.1, 1.15, base_gmacs=0.5, measured={"B2": (1.0, 1.1)})
    right = fig.axes[1]
    predicted = right.lines[0]
    phis, gmacs = predicted.get_data()
    np.testing.assert_allclose(gmacs, 0.5 * (1.2 * 1.1**2 * 1.15**2) ** phis)
    assert right.get_yscale() == "log"
    assert [t.get_text() for t in right.texts] == ["B2"]
    plt.close(fig)


def test_bad_arguments_raise_errors() -> None:
    with pytest.raises(ValueError, match="base_gmacs"):
        compound_scaling_explorer(base_gmacs=0)
    with pytest.raises(ValueError, match="base_resolution"):
        compound_scaling_explorer(base_resolution=0)
    with pytest.raises(TypeError, match="base_gmacs"):
        compound_scaling_explorer(base_gmacs="0.4")
    with pytest.raises(ValueError, match="base_gmacs"):
        show_compound_scaling(1, base_gmacs=-1.0)
    with pytest.raises(ValueError, match="max_phi"):
        show_compound_scaling(1, max_phi=0)
    with pytest.raises(ValueError, match="alpha"):
        show_compound_scaling(1, alpha=0.9)
