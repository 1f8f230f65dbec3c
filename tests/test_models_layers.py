"""cnnlib.models.layers against PyTorch's layers: BatchNorm2d (values, gradients, running
statistics, state dicts, errors), BlurPool2d, LayerNorm2d and Permute."""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn.functional as F
from batchnorm_reference import DOUBLE, generator, gradients, momenta, random_like_bn
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from torch import nn

from torchvision.models import convnext as tv_convnext

from cnnlib.models import BatchNorm2d, BlurPool2d, LayerNorm2d, Permute
from cnnlib.ops import blur_pool2d


# --- BatchNorm2d ---------------------------------------------------------------------------------


@given(
    batch=st.integers(1, 4),
    channels=st.integers(1, 4),
    height=st.integers(1, 4),
    width=st.integers(1, 4),
    momentum=momenta,
    affine=st.booleans(),
    bias=st.booleans(),
    track=st.booleans(),
    steps=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
@settings(max_examples=120, deadline=None)
def test_module_matches_nn_batchnorm2d_in_training_and_evaluation(
    batch: int, channels: int, height: int, width: int, momentum: float | None, affine: bool,
    bias: bool, track: bool, steps: int, seed: int,
) -> None:
    assume(batch * height * width > 1)
    options = dict(momentum=momentum, affine=affine, track_running_stats=track, dtype=DOUBLE, bias=bias)
    reference = nn.BatchNorm2d(channels, **options)
    random_like_bn(reference, seed)
    mine = BatchNorm2d(channels, **options)
    mine.load_state_dict(reference.state_dict())
    assert repr(mine) == repr(reference)
    g = generator(seed)
    for _ in range(steps):  # training: batch statistics, running statistics updated
        x = (torch.randn(batch, channels, height, width, generator=g, dtype=DOUBLE) * 2 - 1).requires_grad_(True)
        out_mine, out_ref = mine(x), reference(x)
        torch.testing.assert_close(out_mine, out_ref)
        w = torch.randn(out_ref.shape, generator=g, dtype=DOUBLE)
        leaves_mine = [x] + [p for p in mine.parameters()]
        leaves_ref = [x] + [p for p in reference.parameters()]
        for a, b in zip(gradients(out_mine, leaves_mine, w), gradients(out_ref, leaves_ref, w)):
            torch.testing.assert_close(a, b)
    assert mine.state_dict().keys() == reference.state_dict().keys()
    for key, value in reference.state_dict().items():
        torch.testing.assert_close(mine.state_dict()[key], value)
    if track:
        assert int(mine.num_batches_tracked) == steps
    mine.eval()
    reference.eval()
    x = torch.randn(1, channels, height, width, generator=g, dtype=DOUBLE)  # one image is fine now
    if not track and height * width == 1:
        return  # without running statistics evaluation uses the batch's, undefined for one value
    torch.testing.assert_close(mine(x), reference(x))


def test_momentum_none_is_the_plain_average_of_the_batch_statistics() -> None:
    layer = BatchNorm2d(2, momentum=None, dtype=DOUBLE)
    batches = [torch.randn(3, 2, 4, 4, dtype=DOUBLE, generator=generator(s)) * (s + 1) for s in range(5)]
    for x in batches:
        layer(x)
    means = torch.stack([x.mean(dim=(0, 2, 3)) for x in batches])
    variances = torch.stack([x.var(dim=(0, 2, 3), correction=1) for x in batches])
    torch.testing.assert_close(layer.running_mean, means.mean(dim=0))
    torch.testing.assert_close(layer.running_var, variances.mean(dim=0))
    assert int(layer.num_batches_tracked) == len(batches)


def test_evaluation_mode_does_not_change_the_layer_and_training_mode_does() -> None:
    layer = BatchNorm2d(3)
    x = torch.randn(8, 3, 4, 4) + 2
    before = copy.deepcopy(layer.state_dict())
    layer.eval()
    with torch.no_grad():
        layer(x)
    assert all(torch.equal(before[k], v) for k, v in layer.state_dict().items())
    layer.train()
    with torch.no_grad():  # no gradients, but the running statistics still move
        layer(x)
    assert not torch.equal(before["running_mean"], layer.running_mean)


def test_without_running_statistics_evaluation_uses_the_batch() -> None:
    layer = BatchNorm2d(3, track_running_stats=False).eval()
    x = torch.randn(5, 3, 2, 2)
    torch.testing.assert_close(layer(x), F.batch_norm(x, None, None, training=True))
    assert layer.running_mean is None and layer.num_batches_tracked is None
    assert list(layer.state_dict()) == ["weight", "bias"]


def test_state_dicts_load_both_ways() -> None:
    reference = nn.BatchNorm2d(4)
    reference(torch.randn(6, 4, 3, 3))
    mine = BatchNorm2d(4)
    mine.load_state_dict(reference.state_dict())
    back = nn.BatchNorm2d(4)
    back.load_state_dict(mine.state_dict())
    for key, value in reference.state_dict().items():
        assert torch.equal(back.state_dict()[key], value)


def test_reset_running_stats() -> None:
    layer = BatchNorm2d(2)
    layer(torch.randn(4, 2, 3, 3) * 5 + 3)
    layer.reset_running_stats()
    assert layer.running_mean.tolist() == [0.0, 0.0] and layer.running_var.tolist() == [1.0, 1.0]
    assert int(layer.num_batches_tracked) == 0


def test_module_errors_match_pytorch_and_name_the_argument() -> None:
    layer = BatchNorm2d(3)
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        layer(torch.randn(1, 3, 1, 1))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        nn.BatchNorm2d(3)(torch.randn(1, 3, 1, 1))
    with pytest.raises(ValueError, match="4 dimensions"):
        layer(torch.randn(3, 4, 4))
    with pytest.raises(TypeError, match="input"):
        layer("image")
    with pytest.raises(ValueError, match="3 channels"):
        layer(torch.randn(2, 4, 3, 3))
    with pytest.raises(ValueError, match="num_features"):
        BatchNorm2d(0)
    with pytest.raises(TypeError, match="num_features"):
        BatchNorm2d(2.5)
    with pytest.raises(ValueError, match="momentum"):
        BatchNorm2d(3, momentum=-0.1)
    with pytest.raises(ValueError, match="eps"):
        BatchNorm2d(3, eps=-1.0)
    for flag in ("affine", "track_running_stats", "bias"):
        with pytest.raises(TypeError, match=flag):
            BatchNorm2d(3, **{flag: "yes"})


# --- BlurPool2d, LayerNorm2d, Permute ----------------------------------------------------------


def test_blur_pool_module_has_no_parameters_and_makes_maxblurpool() -> None:
    x = torch.rand(2, 3, 8, 8, generator=generator(6))
    module = BlurPool2d(filter_size=3, stride=2)
    assert sum(p.numel() for p in module.parameters()) == 0
    torch.testing.assert_close(module(x), blur_pool2d(x, 3, 2))
    max_blur = nn.Sequential(nn.MaxPool2d(2, stride=1), BlurPool2d())
    assert max_blur(x).shape == nn.MaxPool2d(2)(x).shape


def test_layer_norm_2d_normalises_each_position_over_the_channels() -> None:
    torch.manual_seed(0)
    norm = LayerNorm2d(5, eps=1e-6)
    x = torch.randn(2, 5, 3, 4)
    expected = F.layer_norm(x.permute(0, 2, 3, 1), (5,), eps=1e-6).permute(0, 3, 1, 2)
    torch.testing.assert_close(norm(x), expected)
    theirs = tv_convnext.LayerNorm2d(5, eps=1e-6)
    torch.testing.assert_close(norm(x), theirs(x))


def test_permute_is_tensor_permute_and_shows_its_order() -> None:
    x = torch.rand(2, 3, 4, 5, generator=generator(0))
    layer = Permute((0, 2, 3, 1))
    assert torch.equal(layer(x), x.permute(0, 2, 3, 1))
    assert repr(layer) == "Permute(dims=(0, 2, 3, 1))"
