"""The translation-equivariance explorer, driven through its controls."""

from __future__ import annotations

import ipywidgets as widgets
import pytest
import torch

from cnnlib import data, ops
from cnnlib.widgets import equivariance_explorer
from cnnlib.widgets.equivariance import KERNEL_NAMES


def controls(explorer: widgets.VBox) -> dict[str, widgets.Widget]:
    (rows, cols), (kernel, padding) = explorer.children[0].children, explorer.children[1].children
    return {"rows": rows, "cols": cols, "kernel": kernel, "padding": padding,
            "summary": explorer.children[2]}


@pytest.fixture(scope="module")
def cat() -> torch.Tensor:
    return data.sample_image("chelsea", size=48, grayscale=True)


def test_circular_padding_makes_both_orders_agree(cat: torch.Tensor) -> None:
    explorer = equivariance_explorer(cat)
    c = controls(explorer)
    c["padding"].value = "circular"
    assert c["summary"].value.startswith("0 of ")
    c["rows"].value, c["cols"].value = -7, 3
    assert c["summary"].value.startswith("0 of ")


def test_zero_padding_differs_only_near_border_and_seam(cat: torch.Tensor) -> None:
    explorer = equivariance_explorer(cat)
    c = controls(explorer)
    c["padding"].value = "zeros"
    c["rows"].value, c["cols"].value = 4, 9
    changed = int(c["summary"].value.split()[0])
    height, width = cat.shape[-2:]
    # at most 4 rows and 4 columns (border and seam, each side) can differ
    assert 0 < changed <= 4 * width + 4 * height
    a, b = ops.equivariance_orders(cat, ops.named_kernel(c["kernel"].value), (4, 9), "zeros")
    assert changed == int(((a - b).abs() > 1e-5).sum())


def test_no_shift_means_no_difference_for_every_kernel(cat: torch.Tensor) -> None:
    explorer = equivariance_explorer(cat)
    c = controls(explorer)
    c["rows"].value, c["cols"].value = 0, 0
    for name in KERNEL_NAMES:
        c["kernel"].value = name
        for mode in ("zeros", "reflect", "circular"):
            c["padding"].value = mode
            assert c["summary"].value.startswith("0 of "), (name, mode)


def test_bad_arguments_raise_errors_naming_them(cat: torch.Tensor) -> None:
    with pytest.raises(ValueError, match="image"):
        equivariance_explorer(cat[0])


def test_figure_is_redrawn_as_png_when_a_control_changes(cat: torch.Tensor) -> None:
    explorer = equivariance_explorer(cat)
    c = controls(explorer)
    image = explorer.children[3]
    first = bytes(image.value)  # ipywidgets 8 stores a memoryview, 7 bytes
    assert first.startswith(b"\x89PNG")
    c["padding"].value = "reflect"
    second = bytes(image.value)
    assert second.startswith(b"\x89PNG") and second != first
