"""The receptive-field explorer driven through its controls, and the figures it draws."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F
import torchvision
from hypothesis import given, settings
from hypothesis import strategies as st
from explorers import shown_picture
from matplotlib.patches import Rectangle

from cnnlib import arithmetic, data, plot
from cnnlib.arithmetic import field_cone
from cnnlib.widgets import ReceptiveFieldExplorer, receptive_field_explorer
from cnnlib.widgets.receptive_field import _conv_stack


def shown(summary: str) -> tuple[int, int, int]:
    """(field, jump, pixels read) from the explorer's summary line."""
    field = int(re.search(r"receptive field (\d+)×\1", summary).group(1))
    jump = int(re.search(r"jump (\d+)", summary).group(1))
    read = int(re.search(r"reads (\d+) of", summary).group(1))
    return field, jump, read


def formula(layers: int, k: int, s: int, d: int) -> tuple[int, int]:
    """Field and jump of identical layers: r = 1 + (k - 1) d (1 + s + ... + s^(L-1)), j = s^L."""
    return 1 + (k - 1) * d * sum(s**i for i in range(layers)), s**layers


def support_1d(kernels: list[int], strides: list[int], dilations: list[int], length: int) -> torch.Tensor:
    """Input positions with a non-zero gradient for the middle top unit of a 1-D stack of
    all-ones convolutions (PyTorch's conv1d, no padding)."""
    x = torch.ones(1, 1, length, dtype=torch.float64, requires_grad=True)
    y = x
    for k, s, d in zip(kernels, strides, dilations):
        y = F.conv1d(y, torch.ones(1, 1, k, dtype=torch.float64), stride=s, dilation=d)
    (grad,) = torch.autograd.grad(y[0, 0, y.shape[-1] // 2], x)
    return grad[0, 0] > 0


def test_default_is_three_3x3_layers_seeing_7_pixels() -> None:
    explorer = receptive_field_explorer()
    assert isinstance(explorer, ReceptiveFieldExplorer)
    assert shown(explorer.summary.value) == (7, 1, 7)
    assert explorer.field.size == (7, 7)


@pytest.mark.parametrize(("layers", "k", "s", "d"), [(1, 5, 1, 1), (4, 3, 2, 1), (3, 3, 1, 2),
                                                     (6, 7, 3, 3), (2, 1, 3, 1)])
def test_summary_and_picture_follow_the_controls(layers: int, k: int, s: int, d: int) -> None:
    explorer = receptive_field_explorer()
    before = shown_picture(explorer)
    explorer.layers.value, explorer.kernel.value = layers, k
    explorer.stride.value, explorer.dilation.value = s, d
    field, jump, read = shown(explorer.summary.value)
    assert (field, jump) == formula(layers, k, s, d)
    cone = field_cone(layers, k, s, d)
    assert read == cone.pixels_read <= field
    after = shown_picture(explorer)
    assert after.shape != before.shape or not np.array_equal(after, before)
    assert f"field {field}," in explorer.figure.axes[0].get_title()


@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 3), st.integers(1, 3)), min_size=1, max_size=4))
@settings(max_examples=40, deadline=None)
def test_the_cone_is_the_gradient_support_of_a_1d_stack(layer_settings: list) -> None:
    ks, ss, ds = (list(v) for v in zip(*layer_settings))
    cone = field_cone(len(ks), ks, ss, ds)
    support = support_1d(ks, ss, ds, len(cone.centres[0]))
    assert torch.equal(torch.from_numpy(cone.inside[0]), support)
    reached = cone.centres[0][cone.inside[0]]
    assert reached.max() - reached.min() + 1 == cone.field  # the ends of the field are read


def test_the_diagram_colours_the_cone() -> None:
    fig = plot.field_diagram(3, 3, dilation=[1, 2, 4])
    ax = fig.axes[0]
    inputs = ax.collections[2]  # after the connections, the input's grey units, then its cone
    assert len(inputs.get_offsets()) == field_cone(3, 3, 1, [1, 2, 4]).pixels_read == 15
    assert "field 15" in ax.get_title() and ax.get_xlabel()
    plt.close(fig)


def test_receptive_fields_are_drawn_where_region_says() -> None:
    with torch.device("meta"):
        alexnet, resnet = torchvision.models.alexnet(), torchvision.models.resnet50()
    fields = {"AlexNet": arithmetic.receptive_field(alexnet, (3, 64, 64), until="avgpool"),
              "ResNet-50": arithmetic.receptive_field(resnet, (3, 64, 64), until="avgpool")}
    fig = plot.show_receptive_fields(data.sample_image("chelsea", size=(64, 64)), fields)
    patches = [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]
    for patch, rf in zip(patches, fields.values()):
        rows, cols = rf.region(*rf.center, clip=False)
        assert patch.get_xy() == (cols.start - 0.5, rows.start - 0.5)
        assert (patch.get_height(), patch.get_width()) == (len(rows), len(cols))
    plt.close(fig)


def test_bad_arguments_raise_errors_naming_them() -> None:
    with pytest.raises(ValueError, match="layers"):
        field_cone(0, 3)
    with pytest.raises(ValueError, match="kernel_size"):
        field_cone(2, [3, 3, 3])
    with pytest.raises(ValueError, match="stride"):
        plot.field_diagram(2, 3, stride=0)
    rf = arithmetic.receptive_field(_conv_stack(2, 3), (1, 32, 32))
    cat = data.sample_image("chelsea", size=(32, 32))
    with pytest.raises(ValueError, match="image"):
        plot.show_receptive_fields(cat[0], {"a": rf})
    with pytest.raises(ValueError, match="fields"):
        plot.show_receptive_fields(cat, {})
    with pytest.raises(ValueError, match="computed for"):
        plot.show_receptive_fields(data.sample_image("chelsea", size=(48, 48)), {"a": rf})
