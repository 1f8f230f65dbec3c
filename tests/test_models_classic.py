"""cnnlib.models.classic: SmallCNN's two heads, SubsamplingCNN's four ways to subsample, and the
named layers of gap_cnn."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from cnnlib import arithmetic, models


@pytest.mark.parametrize(("image_size", "side"), [(28, 7), (32, 8), (9, 2)])
def test_small_cnn_flatten_head_sees_every_value_of_the_last_maps(image_size: int, side: int) -> None:
    model = models.SmallCNN(channels=(4, 6), head="flatten", image_size=image_size)
    assert model.head.in_features == 6 * side * side
    assert model(torch.zeros(3, 1, image_size, image_size)).shape == (3, 10)
    expected = arithmetic.conv2d_params(1, 4, 3) + arithmetic.conv2d_params(4, 6, 3)
    assert arithmetic.count_params(model) == expected + arithmetic.linear_params(6 * side * side, 10)


def test_small_cnn_average_head_is_the_default_and_ignores_the_image_size() -> None:
    model = models.SmallCNN(channels=(4, 6))
    assert isinstance(model.pool, nn.AdaptiveAvgPool2d) and model.head.in_features == 6
    for side in (8, 13, 28):
        assert model(torch.zeros(2, 1, side, side)).shape == (2, 10)


def test_subsampling_cnns_differ_only_in_how_they_subsample() -> None:
    nets = {kind: models.SubsamplingCNN(kind) for kind in models.SubsamplingCNN.SUBSAMPLINGS}
    counts = {arithmetic.count_params(net) for net in nets.values()}
    assert counts == {6330}
    x = torch.rand(2, 1, 28, 36)
    for kind, net in nets.items():
        assert net.features(x).shape == (2, 32, 7, 9), kind
        assert net(x).shape == (2, 10)
    layers = {kind: [type(m) for m in net.features] for kind, net in nets.items()}
    assert layers["max"].count(nn.MaxPool2d) == 2 and layers["average"].count(nn.AvgPool2d) == 2
    assert layers["blur"].count(models.BlurPool2d) == 2 and layers["blur"].count(nn.MaxPool2d) == 2
    strides = [m.stride for m in nets["strided"].features if isinstance(m, nn.Conv2d)]
    assert strides == [(2, 2), (2, 2), (1, 1)]
    assert not any(isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)) for m in nets["strided"].features)


def test_subsampling_cnn_max_is_shift_invariant_for_shifts_by_the_total_stride() -> None:
    """Two halvings: a circular shift by 4 pixels shifts every map by whole positions."""
    torch.manual_seed(0)
    model = models.SubsamplingCNN("max").eval()
    for m in model.features:
        if isinstance(m, nn.Conv2d):
            m.padding_mode = "circular"
    x = torch.rand(2, 1, 16, 16)
    with torch.no_grad():
        torch.testing.assert_close(model(torch.roll(x, 4, dims=-1)), model(x))


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: models.SmallCNN(head="dense"), ValueError, "head"),
        (lambda: models.SmallCNN(head=1), TypeError, "head"),
        (lambda: models.SmallCNN(head="flatten"), ValueError, "image_size"),
        (lambda: models.SmallCNN(head="flatten", image_size=3), ValueError, "image_size"),
        (lambda: models.SmallCNN(head="flatten", image_size=28.0), TypeError, "image_size"),
        (lambda: models.SubsamplingCNN("median"), ValueError, "subsampling"),
        (lambda: models.SubsamplingCNN(2), TypeError, "subsampling"),
        (lambda: models.SubsamplingCNN(channels=(8,)), ValueError, "channels"),
        (lambda: models.SubsamplingCNN(channels=(8, 0)), ValueError, "channels"),
        (lambda: models.SubsamplingCNN(num_classes=0), ValueError, "num_classes"),
        (lambda: models.batch_norm_cnn(batch_norm=1), TypeError, "batch_norm"),
        (lambda: models.batch_norm_cnn(placement="inside"), ValueError, "placement"),
        (lambda: models.batch_norm_cnn(widths=(8,)), ValueError, "widths"),
        (lambda: models.batch_norm_cnn(widths=(8, 0)), ValueError, "channels"),
        (lambda: models.batch_norm_cnn(num_classes=0), ValueError, "num_classes"),
        (lambda: models.gap_cnn(widths=()), ValueError, "widths"),
        (lambda: models.gap_cnn(widths=(16, 0)), ValueError, "widths"),
        (lambda: models.gap_cnn(widths=16), TypeError, "widths"),
        (lambda: models.gap_cnn(widths=(16, 32.0)), TypeError, "widths"),
        (lambda: models.gap_cnn(in_channels=0), ValueError, "in_channels"),
        (lambda: models.gap_cnn(num_classes=1.5), TypeError, "num_classes"),
    ],
)
def test_bad_arguments_raise_errors_naming_them(call, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        call()


@pytest.mark.parametrize("placement", ["before", "after"])
@pytest.mark.parametrize("batch_norm", [True, False])
def test_batch_norm_cnn_places_the_normalisation_and_drops_cancelled_biases(
    batch_norm: bool, placement: str
) -> None:
    model = models.batch_norm_cnn(batch_norm=batch_norm, placement=placement, widths=(4, 8, 16))
    kinds = [type(m).__name__ for m in model]
    assert kinds.count("BatchNorm2d") == (3 if batch_norm else 0)
    assert kinds.count("MaxPool2d") == 1 and kinds[-1] == "Linear"
    convs = [m for m in model if isinstance(m, nn.Conv2d)]
    assert [c.stride for c in convs] == [(2, 2), (1, 1), (1, 1)]
    assert all((c.bias is None) == (batch_norm and placement == "before") for c in convs)
    if batch_norm:
        first_norm = kinds.index("BatchNorm2d")
        assert kinds[first_norm - 1] == ("Conv2d" if placement == "before" else "ReLU")
    assert model(torch.zeros(2, 1, 28, 28)).shape == (2, 10)


def _page_gap_cnn() -> nn.Sequential:
    """The definition chapter "What a trained network sees" had on its page, before cnnlib's."""
    from collections import OrderedDict

    def stage(i: int, c_in: int, c_out: int, k: int = 3, stride: int = 1) -> list:
        conv = nn.Conv2d(c_in, c_out, k, stride=stride, padding=k // 2, bias=False)
        return [(f"conv{i}", conv), (f"bn{i}", nn.BatchNorm2d(c_out)), (f"relu{i}", nn.ReLU())]

    return nn.Sequential(OrderedDict(
        stage(1, 1, 16, k=5, stride=2) + stage(2, 16, 32, stride=2) + stage(3, 32, 64)
        + [("gap", nn.AdaptiveAvgPool2d(1)), ("flatten", nn.Flatten()), ("fc", nn.Linear(64, 10))]))


def test_gap_cnn_is_the_chapters_network_with_the_same_weights_for_a_seed() -> None:
    torch.manual_seed(0)
    page = _page_gap_cnn()
    torch.manual_seed(0)
    model = models.gap_cnn()
    assert repr(model) == repr(page)
    ours, theirs = model.state_dict(), page.state_dict()
    assert list(ours) == list(theirs) and all(torch.equal(ours[k], theirs[k]) for k in ours)


def test_gap_cnn_halves_twice_then_averages_for_any_widths() -> None:
    model = models.gap_cnn(in_channels=3, num_classes=4, widths=(4, 6, 8, 10))
    names = [name for name, _ in model.named_children()]
    assert names == [f"{kind}{i}" for i in range(1, 5) for kind in ("conv", "bn", "relu")] + [
        "gap", "flatten", "fc"]
    assert [model.get_submodule(f"conv{i}").stride for i in range(1, 5)] == [(2, 2), (2, 2), (1, 1), (1, 1)]
    assert all(model.get_submodule(f"conv{i}").bias is None for i in range(1, 5))
    assert model[:12](torch.zeros(1, 3, 28, 28)).shape == (1, 10, 7, 7)
    assert model(torch.zeros(2, 3, 28, 28)).shape == (2, 4)
    assert models.gap_cnn(widths=(5,))(torch.zeros(1, 1, 9, 9)).shape == (1, 10)
