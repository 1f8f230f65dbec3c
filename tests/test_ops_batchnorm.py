"""cnnlib.ops.batchnorm against PyTorch: outputs, gradients, running statistics, fusion, errors."""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

from batchnorm_reference import DOUBLE, generator, gradients, random_like_bn

from cnnlib.models import BatchNorm2d
from cnnlib import ops
from cnnlib.ops import batch_norm, fuse_conv_bn

# --- the function -------------------------------------------------------------------------------


@given(
    shape=st.lists(st.integers(1, 4), min_size=2, max_size=5),
    training=st.booleans(),
    momentum=st.floats(0.0, 1.0, allow_nan=False),
    eps=st.sampled_from([1e-5, 1e-3, 0.1]),
    affine=st.booleans(),
    running=st.booleans(),
    seed=st.integers(0, 2**16),
)
@settings(max_examples=150, deadline=None)
def test_batch_norm_matches_pytorch_values_gradients_and_running_stats(
    shape: list[int], training: bool, momentum: float, eps: float, affine: bool, running: bool, seed: int
) -> None:
    channels, n = shape[1], torch.Size(shape).numel() // shape[1]
    assume(not training or n > 1)
    assume(training or running)  # evaluation needs running statistics
    g = generator(seed)
    x = (torch.randn(shape, generator=g, dtype=DOUBLE) * 3 + 1).requires_grad_(True)
    weight = torch.randn(channels, generator=g, dtype=DOUBLE).requires_grad_(True) if affine else None
    bias = torch.randn(channels, generator=g, dtype=DOUBLE).requires_grad_(True) if affine else None
    mean = torch.randn(channels, generator=g, dtype=DOUBLE) if running else None
    var = torch.rand(channels, generator=g, dtype=DOUBLE) + 0.5 if running else None
    mine_stats = (mean.clone(), var.clone()) if running else (None, None)
    torch_stats = (mean.clone(), var.clone()) if running else (None, None)

    mine = batch_norm(x, *mine_stats, weight, bias, training, momentum, eps)
    reference = F.batch_norm(x, *torch_stats, weight, bias, training, momentum, eps)
    torch.testing.assert_close(mine, reference)
    leaves = [x] + ([weight, bias] if affine else [])
    w = torch.randn(reference.shape, generator=g, dtype=DOUBLE)
    for a, b in zip(gradients(mine, leaves, w), gradients(reference, leaves, w)):
        torch.testing.assert_close(a, b)
    if running:
        torch.testing.assert_close(mine_stats[0], torch_stats[0])
        torch.testing.assert_close(mine_stats[1], torch_stats[1])
        if not training:  # evaluation never touches the running statistics
            assert torch.equal(mine_stats[0], mean) and torch.equal(mine_stats[1], var)


def test_output_uses_the_biased_variance_and_running_var_the_unbiased_one() -> None:
    x = torch.randn(4, 3, 2, 5, dtype=DOUBLE, generator=generator(1))
    n = 4 * 2 * 5
    mean, var = torch.zeros(3, dtype=DOUBLE), torch.ones(3, dtype=DOUBLE)
    y = batch_norm(x, mean, var, training=True, momentum=1.0, eps=0.0)
    per_channel = x.transpose(0, 1).reshape(3, -1)
    biased, unbiased = per_channel.var(dim=1, correction=0), per_channel.var(dim=1, correction=1)
    torch.testing.assert_close(var, unbiased)  # momentum 1: the running value is the batch's
    torch.testing.assert_close(unbiased, biased * n / (n - 1))
    torch.testing.assert_close(mean, per_channel.mean(dim=1))
    # the output has exactly unit (biased) variance: it was normalised with the biased variance
    torch.testing.assert_close(y.transpose(0, 1).reshape(3, -1).var(dim=1, correction=0), torch.ones(3, dtype=DOUBLE))


def test_momentum_zero_keeps_and_momentum_one_replaces_the_running_statistics() -> None:
    x = torch.randn(6, 2, 3, 3, dtype=DOUBLE, generator=generator(2))
    mean, var = torch.full((2,), 5.0, dtype=DOUBLE), torch.full((2,), 7.0, dtype=DOUBLE)
    batch_norm(x, mean, var, training=True, momentum=0.0)
    assert mean.tolist() == [5.0, 5.0] and var.tolist() == [7.0, 7.0]
    batch_norm(x, mean, var, training=True, momentum=1.0)
    torch.testing.assert_close(mean, x.mean(dim=(0, 2, 3)))


def test_single_value_per_channel_fails_in_training_only() -> None:
    one = torch.randn(1, 3, 1, 1)
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        batch_norm(one, None, None, training=True)
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        F.batch_norm(one, None, None, training=True)  # PyTorch says the same
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        batch_norm(torch.randn(1, 3), torch.zeros(3), torch.ones(3), training=True)
    # one image is enough when its channels hold several positions, and always in evaluation mode
    batch_norm(torch.randn(1, 3, 2, 1), None, None, training=True)
    torch.testing.assert_close(
        batch_norm(one, torch.zeros(3), torch.ones(3)), F.batch_norm(one, torch.zeros(3), torch.ones(3))
    )


def test_batch_norm_argument_errors_name_the_argument() -> None:
    x, c = torch.randn(4, 3, 2, 2), torch.ones(3)
    with pytest.raises(TypeError, match="input"):
        batch_norm([[1.0, 2.0]], None, None, training=True)
    with pytest.raises(TypeError, match="input"):
        batch_norm(torch.ones(4, 3, dtype=torch.int64), None, None, training=True)
    with pytest.raises(ValueError, match="input"):
        batch_norm(torch.randn(5), None, None, training=True)
    for name, position in (("running_mean", 1), ("running_var", 2), ("weight", 3), ("bias", 4)):
        args = [x, c.clone(), c.clone(), c.clone(), c.clone()]
        args[position] = torch.ones(2)
        with pytest.raises(ValueError, match=f"{name} must have shape \\(3,\\)"):
            batch_norm(*args, training=True)
        args[position] = [1.0, 1.0, 1.0]
        with pytest.raises(TypeError, match=name):
            batch_norm(*args, training=True)
        args[position] = torch.ones(3, dtype=torch.int64)
        with pytest.raises(TypeError, match=name):
            batch_norm(*args, training=True)
    with pytest.raises(ValueError, match="running_mean and running_var must be given together"):
        batch_norm(x, c.clone(), None, training=True)
    with pytest.raises(ValueError, match="evaluation mode"):
        batch_norm(x, None, None, training=False)
    with pytest.raises(TypeError, match="training"):
        batch_norm(x, None, None, training=1)
    with pytest.raises(ValueError, match="momentum"):
        batch_norm(x, c.clone(), c.clone(), training=True, momentum=1.5)
    with pytest.raises(TypeError, match="momentum"):
        batch_norm(x, c.clone(), c.clone(), training=True, momentum=None)
    with pytest.raises(ValueError, match="eps"):
        batch_norm(x, None, None, training=True, eps=-1e-5)
    with pytest.raises(TypeError, match="eps"):
        batch_norm(x, None, None, training=True, eps="small")


# --- fusion -------------------------------------------------------------------------------------


@st.composite
def conv_settings(draw: st.DrawFn) -> dict:
    groups = draw(st.integers(1, 3))
    return dict(
        in_channels=groups * draw(st.integers(1, 3)),
        out_channels=groups * draw(st.integers(1, 3)),
        kernel_size=draw(st.integers(1, 3)),
        stride=draw(st.integers(1, 2)),
        padding=draw(st.integers(0, 1)),
        dilation=draw(st.integers(1, 2)),
        groups=groups,
        bias=draw(st.booleans()),
        padding_mode=draw(st.sampled_from(["zeros", "reflect", "circular"])),
    )


@given(conv_settings(), st.booleans(), st.booleans(), st.booleans(), st.integers(0, 2**16))
@settings(max_examples=80, deadline=None)
def test_fused_convolution_equals_convolution_then_batchnorm(
    conv_options: dict, affine: bool, ours: bool, bn_bias: bool, seed: int
) -> None:
    torch.manual_seed(seed)
    conv = nn.Conv2d(**conv_options).double()
    layer = (BatchNorm2d if ours else nn.BatchNorm2d)(conv.out_channels, affine=affine, bias=bn_bias, dtype=DOUBLE)
    if affine:
        random_like_bn(layer, seed)
    x = torch.randn(4, conv.in_channels, 7, 7, dtype=DOUBLE) * 3 + 2
    with torch.no_grad():  # a few training steps give non-trivial running statistics
        for _ in range(3):
            layer(conv(x + torch.randn_like(x)))
    layer.eval()
    conv_before, bn_before = copy.deepcopy(conv.state_dict()), copy.deepcopy(layer.state_dict())
    fused = fuse_conv_bn(conv, layer)
    assert isinstance(fused, nn.Conv2d) and fused.bias is not None
    torch.testing.assert_close(fused(x), layer(conv(x)))
    if not ours:
        reference = fuse_conv_bn_eval(copy.deepcopy(conv).eval(), layer)
        torch.testing.assert_close(fused.weight, reference.weight)
        torch.testing.assert_close(fused.bias, reference.bias)
    for key, value in conv.state_dict().items():  # the originals are untouched
        assert torch.equal(conv_before[key], value)
    for key, value in layer.state_dict().items():
        assert torch.equal(bn_before[key], value)


def test_fusion_keeps_the_dtype_and_counts_fewer_parameters() -> None:
    conv, layer = nn.Conv2d(3, 8, 3, bias=False), nn.BatchNorm2d(8).eval()
    fused = fuse_conv_bn(conv, layer)
    assert fused.weight.dtype == torch.float32
    pair = sum(p.numel() for p in conv.parameters()) + sum(p.numel() for p in layer.parameters())
    assert sum(p.numel() for p in fused.parameters()) == pair - 8  # 2 per channel become 1


def test_fusion_errors() -> None:
    conv = nn.Conv2d(3, 4, 3)
    with pytest.raises(ValueError, match="evaluation mode"):
        fuse_conv_bn(conv, nn.BatchNorm2d(4))  # a fresh layer is in training mode
    with pytest.raises(ValueError, match="evaluation mode"):
        fuse_conv_bn(conv, BatchNorm2d(4))
    with pytest.raises(ValueError, match="running statistics"):
        fuse_conv_bn(conv, nn.BatchNorm2d(4, track_running_stats=False).eval())
    with pytest.raises(ValueError, match="num_features must equal conv.out_channels"):
        fuse_conv_bn(conv, nn.BatchNorm2d(5).eval())
    with pytest.raises(TypeError, match="conv"):
        fuse_conv_bn(nn.Linear(3, 4), nn.BatchNorm2d(4).eval())
    with pytest.raises(TypeError, match="bn"):
        fuse_conv_bn(conv, nn.BatchNorm1d(4).eval())


# --- which values share one mean: statistics_groups, checked against PyTorch ----------------------


def _moved_by_one_value(kind: str, x: torch.Tensor, index: tuple[int, ...], groups: int) -> torch.Tensor:
    """The outputs of PyTorch's normalisation that change when one input value changes."""
    import torch.nn.functional as F

    def norm(t: torch.Tensor) -> torch.Tensor:
        if kind == "batch":
            return F.batch_norm(t, None, None, training=True)
        if kind == "layer":
            return F.layer_norm(t, t.shape[1:])
        if kind == "instance":
            return F.instance_norm(t)
        return F.group_norm(t, groups)

    bumped = x.clone()
    bumped[index] += 3.0
    moved = (norm(bumped) - norm(x)).abs() > 1e-9
    moved[index] = True
    return moved


@pytest.mark.parametrize("kind", ops.NORMALISATIONS)
@settings(max_examples=15, deadline=None)
@given(n=st.integers(2, 4), c=st.sampled_from([2, 4, 6]), h=st.integers(1, 3), w=st.integers(1, 3),
       data=st.data())
def test_statistics_groups_are_the_values_pytorch_pools(kind: str, n: int, c: int, h: int, w: int, data) -> None:
    assume(kind != "instance" or h * w > 1)  # PyTorch refuses one position per instance
    groups = 2
    x = torch.randn(n, c, h, w, dtype=torch.float64, generator=torch.Generator().manual_seed(n * c + h * w))
    index = tuple(data.draw(st.integers(0, s - 1)) for s in (n, c, h, w))
    sets = ops.statistics_groups(kind, (n, c, h, w), groups)
    assert torch.equal(_moved_by_one_value(kind, x, index, groups), sets == sets[index])


def test_statistics_groups_refuses_what_it_cannot_pool() -> None:
    with pytest.raises(ValueError, match="kind must be one of"):
        ops.statistics_groups("weight", (2, 2, 1, 1))
    with pytest.raises(ValueError, match="shape must be"):
        ops.statistics_groups("batch", (2, 2, 1))
    with pytest.raises(ValueError, match="groups must be a positive divisor"):
        ops.statistics_groups("group", (2, 6, 1, 1), groups=4)
    with pytest.raises((TypeError, ValueError), match="shape"):
        ops.statistics_groups("batch", (2, 0, 1, 1))


@pytest.mark.parametrize("kind", ops.NORMALISATIONS)
def test_the_axes_figure_shades_one_set_on_every_visible_face(kind: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from cnnlib.plot import show_normalisation_axes

    n, c, h, w = shape = (3, 4, 2, 1)
    fig = show_normalisation_axes(kind, shape, groups=2)
    shaded = sum(p.get_facecolor()[:3] != (1.0, 1.0, 1.0) for p in fig.axes[0].patches)
    sets = ops.statistics_groups(kind, shape, 2).reshape(n, c, h * w)
    chosen = sets[0, 0, 0] if kind == "layer" else sets[0, 1, 0]
    visible = (sets[0] == chosen).sum() + (sets[:, :, 0] == chosen).sum() + (sets[:, -1, :] == chosen).sum()
    assert shaded == int(visible) and len(fig.axes[0].patches) == c * h * w + n * c + n * h * w
