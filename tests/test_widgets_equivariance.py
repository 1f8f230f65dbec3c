"""The translation-equivariance explorer, driven through its controls."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from explorers import assert_every_change_redraws

from cnnlib import ops
from cnnlib.widgets import EquivarianceExplorer, equivariance_explorer
from cnnlib.widgets.equivariance import KERNEL_NAMES, PADDINGS


def test_circular_padding_makes_both_orders_agree(cat: torch.Tensor) -> None:
    explorer = equivariance_explorer(cat)
    assert isinstance(explorer, EquivarianceExplorer)
    explorer.padding.value = "circular"
    assert explorer.summary.value.startswith("0 of ")
    explorer.rows.value, explorer.cols.value = -7, 3
    assert explorer.summary.value.startswith("0 of ")


def test_zero_padding_differs_only_near_border_and_seam(cat: torch.Tensor) -> None:
    explorer = equivariance_explorer(cat)
    explorer.padding.value = "zeros"
    explorer.rows.value, explorer.cols.value = 4, 9
    changed = int(explorer.summary.value.split()[0])
    height, width = cat.shape[-2:]
    # at most 4 rows and 4 columns (border and seam, each side) can differ
    assert 0 < changed <= 4 * width + 4 * height
    a, b = ops.equivariance_orders(cat, ops.named_kernel(explorer.kernel.value), (4, 9), "zeros")
    assert changed == int(((a - b).abs() > 1e-5).sum())
    # the figure shows both orders and their difference
    shown = [ax.images[0].get_array() for ax in explorer.figure.axes]
    for panel, expected in zip(shown, [a[0], b[0], (a - b).abs()[0]]):
        np.testing.assert_array_equal(panel, expected.numpy())


def test_no_shift_means_no_difference_for_every_kernel(cat: torch.Tensor) -> None:
    explorer = equivariance_explorer(cat)
    assert list(explorer.kernel.options) == list(KERNEL_NAMES)
    assert list(explorer.padding.options) == list(PADDINGS)
    explorer.rows.value, explorer.cols.value = 0, 0
    for name in KERNEL_NAMES:
        explorer.kernel.value = name
        for mode in PADDINGS:
            explorer.padding.value = mode
            assert explorer.summary.value.startswith("0 of "), (name, mode)


def test_bad_arguments_raise_errors_naming_them(cat: torch.Tensor) -> None:
    with pytest.raises(ValueError, match="image"):
        equivariance_explorer(cat[0])
    with pytest.raises(TypeError, match="image"):
        equivariance_explorer(cat.numpy())


def test_figure_is_redrawn_as_png_when_a_control_changes(cat: torch.Tensor) -> None:
    explorer = equivariance_explorer(cat)
    assert_every_change_redraws(explorer, [("padding", "reflect"), ("rows", -3), ("cols", 0), ("kernel", "box blur")])
