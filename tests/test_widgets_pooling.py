"""The pooling explorer driven through its controls, and the static figure it draws."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from explorers import assert_every_change_redraws, shown_picture

from cnnlib import ops, plot
from cnnlib.widgets import PoolingExplorer, pooling_explorer
from cnnlib.widgets.pooling import SOURCES


def shown_size(summary: str) -> tuple[int, int]:
    """The output size the label reports, from '... : 48×72 → 24×36 (...)'."""
    size = summary.split("→")[1].split()[0]
    height, width = size.split("×")
    return int(height), int(width)


def test_default_is_2x2_max_pooling_halving_the_photo(cat: torch.Tensor) -> None:
    explorer = pooling_explorer(cat)
    assert isinstance(explorer, PoolingExplorer)
    assert list(explorer.source.options) == list(SOURCES) and explorer.source.value == "photo"
    assert explorer.summary.value.startswith("max pooling, kernel 2, stride 2")
    assert shown_size(explorer.summary.value) == tuple(F.max_pool2d(cat, 2).shape[-2:])


@pytest.mark.parametrize(("kind", "kernel", "stride"), [("max", 3, 2), ("average", 5, 1),
                                                        ("max", 2, 5), ("blur", 3, 2), ("blur", 1, 4)])
def test_label_reports_the_size_pytorch_gives(cat: torch.Tensor, kind: str, kernel: int, stride: int) -> None:
    explorer = pooling_explorer(cat)
    explorer.kind.value, explorer.kernel.value, explorer.stride.value = kind, kernel, stride
    summary = explorer.summary.value
    assert summary.startswith(f"{kind} pooling, kernel {kernel}, stride {stride}")
    if kind == "max":
        expected = F.max_pool2d(cat, kernel, stride).shape[-2:]
    elif kind == "average":
        expected = F.avg_pool2d(cat, kernel, stride).shape[-2:]
    else:  # blurring keeps the size, then every stride-th pixel is kept
        expected = cat[..., ::stride, ::stride].shape[-2:]
    assert shown_size(summary) == tuple(expected)
    ratio = cat.shape[-2] * cat.shape[-1] / (expected[0] * expected[1])
    assert f"({ratio:.1f} times fewer values)" in summary


def test_switching_to_the_feature_map_keeps_the_size_and_changes_the_picture(cat: torch.Tensor) -> None:
    explorer = pooling_explorer(cat)
    explorer.kernel.value = explorer.stride.value = 4
    before, picture_before = explorer.summary.value, shown_picture(explorer)
    explorer.source.value = "edge feature map"
    assert explorer.summary.value == before  # same size ...
    picture_after = shown_picture(explorer)
    assert picture_after.shape == picture_before.shape
    assert not np.array_equal(picture_after, picture_before)  # ... other picture


def test_the_picture_follows_every_control(cat: torch.Tensor) -> None:
    explorer = pooling_explorer(cat)
    assert_every_change_redraws(explorer, [("kind", "average"), ("kernel", 5), ("stride", 3), ("kind", "blur"),
                                           ("source", "edge feature map")])


def test_static_figure_shows_the_pooled_images(cat: torch.Tensor) -> None:
    settings = [("max", 2, 2), ("average", 4, 4), ("blur", 3, 2)]
    fig = plot.show_pooling(cat, settings, suptitle="test")
    panels = [ax.images[0].get_array() for ax in fig.axes]
    torch.testing.assert_close(torch.as_tensor(panels[0].data), cat[0])
    expected = [ops.max_pool2d(cat, 2), ops.avg_pool2d(cat, 4), ops.blur_pool2d(cat, 3, 2)]
    for panel, pooled, ax in zip(panels[1:], expected, fig.axes[1:]):
        torch.testing.assert_close(torch.as_tensor(panel.data), pooled[0])
        assert f"→ {pooled.shape[-2]}×{pooled.shape[-1]}" in ax.get_title()
    plt.close(fig)


def test_bad_arguments_raise_errors_naming_them(cat: torch.Tensor) -> None:
    with pytest.raises(ValueError, match="image"):
        pooling_explorer(cat[0])
    with pytest.raises(TypeError, match="image"):
        pooling_explorer(cat.numpy())
    with pytest.raises(ValueError, match="image"):
        plot.show_pooling(cat[0], [("max", 2, 2)])
    with pytest.raises(ValueError, match="settings"):
        plot.show_pooling(cat, [])
