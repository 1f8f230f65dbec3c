"""cnnlib.arithmetic.count_macs against torchvision's published figures and PyTorch's FLOP counter.

Models are built on the ``meta`` device: shapes only, no memory and no weights downloaded.
"""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.utils.flop_counter import FlopCounterMode
from torchvision import models as tv

from cnnlib import arithmetic, models

# builder and published weights; the required three first, then more families
TORCHVISION = {
    "alexnet": (tv.alexnet, tv.AlexNet_Weights.IMAGENET1K_V1),
    "vgg16": (tv.vgg16, tv.VGG16_Weights.IMAGENET1K_V1),
    "resnet50": (tv.resnet50, tv.ResNet50_Weights.IMAGENET1K_V1),
    "vgg11": (tv.vgg11, tv.VGG11_Weights.IMAGENET1K_V1),
    "resnet18": (tv.resnet18, tv.ResNet18_Weights.IMAGENET1K_V1),
    "mobilenet_v2": (tv.mobilenet_v2, tv.MobileNet_V2_Weights.IMAGENET1K_V1),
    "efficientnet_b0": (tv.efficientnet_b0, tv.EfficientNet_B0_Weights.IMAGENET1K_V1),
    "convnext_tiny": (tv.convnext_tiny, tv.ConvNeXt_Tiny_Weights.IMAGENET1K_V1),
    "vit_b_16": (tv.vit_b_16, tv.ViT_B_16_Weights.IMAGENET1K_V1),
}


def on_meta(builder, **kwargs) -> nn.Module:
    with torch.device("meta"):
        return builder(weights=None, **kwargs)


@pytest.mark.parametrize("name", list(TORCHVISION))
def test_totals_match_torchvision_published_gflops_and_params(name: str) -> None:
    builder, weights = TORCHVISION[name]
    model = on_meta(builder)
    result = arithmetic.count_macs(model, (3, 224, 224))
    published = weights.meta["_ops"] * 1e9  # torchvision's "GFLOPS" are multiply-adds, in G
    assert abs(result.total - published) <= 0.005 * published, (result.total, published)
    assert arithmetic.count_params(model) == weights.meta["num_params"]
    assert result.params == weights.meta["num_params"]  # every layer ran and is in the table


@pytest.mark.parametrize("name", ["alexnet", "vgg16", "resnet50"])
def test_totals_equal_pytorch_flop_counter_halved(name: str) -> None:
    model = on_meta(TORCHVISION[name][0]).eval()
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(torch.zeros(1, 3, 224, 224, device="meta"))
    assert 2 * arithmetic.count_macs(model, (3, 224, 224)).total == counter.get_total_flops()


@given(
    c_in=st.integers(1, 4), groups=st.integers(1, 3), c_out=st.integers(1, 4),
    kernel=st.integers(1, 4), stride=st.integers(1, 3), padding=st.integers(0, 2),
    dilation=st.integers(1, 2), side=st.integers(9, 16), transposed=st.booleans(),
    bias=st.booleans(), hidden=st.integers(1, 12),
)
@settings(max_examples=40, deadline=None)
def test_layer_counts_equal_pytorch_flop_counter_halved(
    c_in, groups, c_out, kernel, stride, padding, dilation, side, transposed, bias, hidden
) -> None:
    conv_type = nn.ConvTranspose2d if transposed else nn.Conv2d
    padding = min(padding, dilation * (kernel - 1)) if transposed else padding
    conv = conv_type(c_in * groups, c_out * groups, kernel, stride=stride, padding=padding,
                     dilation=dilation, groups=groups, bias=bias, device="meta")
    with torch.no_grad():
        shape = conv(torch.zeros(1, c_in * groups, side, side, device="meta")).shape
    model = nn.Sequential(conv, nn.ReLU(), nn.Flatten(), nn.Linear(shape.numel(), hidden, device="meta"))
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(torch.zeros(1, c_in * groups, side, side, device="meta"))
    result = arithmetic.count_macs(model, (c_in * groups, side, side))
    assert 2 * result.total == counter.get_total_flops()
    assert list(result.table["output shape"]) == [tuple(shape[1:])] * 2 + [(shape.numel(),), (hidden,)]


def test_attention_is_counted_as_a_whole_like_pytorch() -> None:
    attention = nn.MultiheadAttention(16, 4, batch_first=True, kdim=8, vdim=12, device="meta")

    class Cross(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.attention = attention

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            memory = torch.zeros(x.shape[0], 7, 8, device=x.device)
            values = torch.zeros(x.shape[0], 7, 12, device=x.device)
            return self.attention(x, key=memory, value=values, need_weights=False)[0]

    model = Cross()
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(torch.zeros(1, 5, 16, device="meta"))
    result = arithmetic.count_macs(model, (5, 16))
    assert 2 * result.total == counter.get_total_flops()
    assert result.params == arithmetic.count_params(model)
    assert list(result.table["layer"]) == ["attention"]  # its out_proj is inside, not a row


def test_table_lists_each_layer_once_with_its_shape_params_and_macs() -> None:
    model = models.LeNet5()
    result = arithmetic.count_macs(model, (1, 32, 32))
    assert tuple(result.table.columns) == arithmetic.MAC_COLUMNS
    named = dict(model.named_modules())
    leaves = [n for n, m in named.items() if n and next(m.children(), None) is None]
    assert list(result.table["layer"]) == leaves  # LeNet5 runs its layers in definition order
    c1 = result.table.set_index("layer").loc["features.c1"]
    side = arithmetic.conv_output_size(32, 5)
    assert c1["output shape"] == (6, side, side)
    assert c1["params"] == arithmetic.conv2d_params(1, 6, 5)
    assert c1["MACs"] == 6 * side * side * 5 * 5
    assert result.params == arithmetic.count_params(model)
    assert "MACs" in repr(result)


def test_a_layer_called_twice_is_one_row_with_both_calls_counted() -> None:
    shared = nn.Linear(4, 4)

    class Twice(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.shared = shared

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.shared(self.shared(x))

    result = arithmetic.count_macs(Twice(), (4,))
    assert len(result.table) == 1
    assert result.total == 2 * 4 * 4
    assert result.params == arithmetic.linear_params(4, 4)


def test_counting_leaves_the_model_as_it_was() -> None:
    model = models.SmallVGG()
    model.train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    arithmetic.count_macs(model, (1, 32, 32))
    assert model.training
    assert all(not m._forward_hooks for m in model.modules())
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: arithmetic.count_macs("model", (1, 8, 8)), TypeError, "model"),
        (lambda: arithmetic.count_macs(nn.Flatten(), "1x8x8"), TypeError, "input_size"),
        (lambda: arithmetic.count_macs(nn.Flatten(), 8), TypeError, "input_size"),
        (lambda: arithmetic.count_macs(nn.Flatten(), ()), ValueError, "input_size"),
        (lambda: arithmetic.count_macs(nn.Flatten(), (1, 0, 8)), ValueError, "input_size"),
        (lambda: arithmetic.count_macs(nn.Flatten(), (1, 8.0, 8)), TypeError, "input_size"),
    ],
)
def test_bad_arguments_raise_errors_naming_them(call, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        call()
