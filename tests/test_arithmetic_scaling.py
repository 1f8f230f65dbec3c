"""cnnlib.arithmetic.compound_scaling: EfficientNet's rule, checked against the MACs of real networks."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from cnnlib import arithmetic


@given(st.floats(0, 8), st.floats(1, 2), st.floats(1, 2), st.floats(1, 2))
@settings(max_examples=50, deadline=None)
def test_multipliers_are_powers_of_the_coefficients(phi, alpha, beta, gamma) -> None:
    s = arithmetic.compound_scaling(phi, alpha, beta, gamma)
    assert (s.depth, s.width, s.resolution) == (alpha**phi, beta**phi, gamma**phi)
    assert s.macs == pytest.approx((alpha * beta**2 * gamma**2) ** phi)


def test_the_papers_coefficients_roughly_double_the_macs_per_step() -> None:
    s = arithmetic.compound_scaling(1)
    assert (s.depth, s.width, s.resolution) == (1.2, 1.1, 1.15)
    assert s.macs == pytest.approx(1.2 * 1.1**2 * 1.15**2) and abs(s.macs - 2) < 0.1
    assert arithmetic.compound_scaling(0).macs == 1


@pytest.mark.parametrize(("depth", "width", "size"), [(2, 2, 1), (1, 1, 2), (3, 2, 2)])
def test_macs_grow_as_depth_times_width_and_resolution_squared(depth, width, size) -> None:
    """A plain stack of 3x3 convolutions follows depth * width^2 * resolution^2 exactly."""
    def stack(layers: int, channels: int) -> nn.Sequential:
        return nn.Sequential(*[nn.Conv2d(channels, channels, 3, padding=1, bias=False) for _ in range(layers)])

    with torch.device("meta"):
        base, scaled = stack(2, 8), stack(2 * depth, 8 * width)
    base_macs = arithmetic.count_macs(base, (8, 16, 16)).total
    scaled_macs = arithmetic.count_macs(scaled, (8 * width, 16 * size, 16 * size)).total
    s = arithmetic.CompoundScaling(depth=depth, width=width, resolution=size)
    assert scaled_macs == base_macs * s.macs


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"phi": -1}, ValueError, "phi"), ({"phi": "1"}, TypeError, "phi"), ({"phi": math.inf}, ValueError, "phi"),
    ({"phi": 1, "alpha": 0.5}, ValueError, "alpha"), ({"phi": 1, "beta": 0.99}, ValueError, "beta"),
    ({"phi": 1, "gamma": None}, TypeError, "gamma"), ({"phi": True}, TypeError, "phi"),
])
def test_bad_arguments_raise_errors(kwargs, error, match) -> None:
    with pytest.raises(error, match=match):
        arithmetic.compound_scaling(**kwargs)
