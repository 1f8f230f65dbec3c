"""cnnlib.init against torch.nn.init: the same draws after the same seed, the scale of the
formulas on large tensors, the fans and gains, and argument errors."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from cnnlib import init

#: Weight shapes of an nn.Linear, an nn.Conv2d (3x3 and 5x5), a 1-D and a 3-D convolution.
SHAPES = [(10, 784), (64, 32, 3, 3), (16, 6, 5, 5), (8, 4, 7), (4, 2, 3, 3, 3)]
NONLINEARITIES = ["relu", "leaky_relu", "tanh", "linear", "sigmoid", "selu", "conv2d"]


def _same_draws(mine, theirs, shape: tuple[int, ...], seed: int, **kwargs) -> None:
    torch.manual_seed(seed)
    a = mine(torch.empty(shape), **kwargs)
    torch.manual_seed(seed)
    b = theirs(torch.empty(shape), **kwargs)
    assert torch.equal(a, b), (mine.__name__, shape, kwargs)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("gain", [1.0, 5 / 3, math.sqrt(2)])
def test_xavier_draws_what_pytorch_draws(shape: tuple[int, ...], gain: float) -> None:
    _same_draws(init.xavier_uniform_, nn.init.xavier_uniform_, shape, 0, gain=gain)
    _same_draws(init.xavier_normal_, nn.init.xavier_normal_, shape, 1, gain=gain)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
def test_kaiming_draws_what_pytorch_draws(shape: tuple[int, ...], mode: str, nonlinearity: str) -> None:
    for seed, a in enumerate([0, 0.2, math.sqrt(5)]):
        kwargs = dict(a=a, mode=mode, nonlinearity=nonlinearity)
        _same_draws(init.kaiming_uniform_, nn.init.kaiming_uniform_, shape, seed, **kwargs)
        _same_draws(init.kaiming_normal_, nn.init.kaiming_normal_, shape, seed, **kwargs)


def test_the_defaults_are_pytorchs() -> None:
    for shape in SHAPES:
        _same_draws(init.kaiming_uniform_, nn.init.kaiming_uniform_, shape, 3)
        _same_draws(init.kaiming_normal_, nn.init.kaiming_normal_, shape, 4)
        _same_draws(init.xavier_uniform_, nn.init.xavier_uniform_, shape, 5)


def test_pytorchs_own_layer_initialisation_is_kaiming_uniform_with_a_sqrt5() -> None:
    torch.manual_seed(6)
    conv = nn.Conv2d(8, 16, 3)
    torch.manual_seed(6)
    weight = init.kaiming_uniform_(torch.empty(16, 8, 3, 3), a=math.sqrt(5))
    assert torch.equal(conv.weight.detach(), weight)


def test_fans_and_gains_match_pytorch() -> None:
    for shape in SHAPES:
        assert init.fans(torch.empty(shape)) == nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    for nonlinearity in init.NONLINEARITIES:
        assert init.calculate_gain(nonlinearity) == nn.init.calculate_gain(nonlinearity)
    for slope in (0, 0.01, 0.2, 1.0):
        assert init.calculate_gain("leaky_relu", slope) == nn.init.calculate_gain("leaky_relu", slope)


def test_initialisers_fill_in_place_without_recording_gradients() -> None:
    weight = nn.Parameter(torch.empty(32, 16, 3, 3))
    out = init.kaiming_normal_(weight, nonlinearity="relu")
    assert out is weight and out.grad_fn is None and weight.requires_grad
    assert init.xavier_uniform_(weight) is weight


# --- statistics: the scale of the formulas, on large tensors -------------------------------------


def test_large_tensors_have_the_standard_deviation_and_bound_of_the_formulas() -> None:
    torch.manual_seed(7)
    shape = (256, 128, 3, 3)  # fan_in 1152, fan_out 2304: about 300,000 values
    fan_in, fan_out = 128 * 9, 256 * 9
    he = math.sqrt(2) / math.sqrt(fan_in)
    glorot = math.sqrt(2 / (fan_in + fan_out))
    cases = [
        (init.kaiming_normal_(torch.empty(shape), nonlinearity="relu"), he, None),
        (init.kaiming_uniform_(torch.empty(shape), nonlinearity="relu"), he, math.sqrt(3) * he),
        (init.kaiming_normal_(torch.empty(shape), mode="fan_out", nonlinearity="relu"),
         math.sqrt(2) / math.sqrt(fan_out), None),
        (init.xavier_normal_(torch.empty(shape)), glorot, None),
        (init.xavier_uniform_(torch.empty(shape)), glorot, math.sqrt(6 / (fan_in + fan_out))),
        (init.xavier_normal_(torch.empty(shape), gain=init.calculate_gain("tanh")), 5 / 3 * glorot, None),
    ]
    for values, std, bound in cases:
        assert abs(values.std().item() / std - 1) < 0.02
        assert abs(values.mean().item()) < 0.02 * std
        if bound is not None:
            assert values.abs().max().item() <= bound * (1 + 1e-6)  # float32 rounding of the bound
            assert values.abs().max().item() > 0.99 * bound  # the whole interval is used


# --- errors --------------------------------------------------------------------------------------


def test_errors_name_the_argument() -> None:
    for function in (init.xavier_uniform_, init.xavier_normal_, init.kaiming_uniform_, init.kaiming_normal_):
        with pytest.raises(ValueError, match="tensor must have at least 2 dimensions"):
            function(torch.empty(5))
        with pytest.raises(TypeError, match="tensor must be a torch.Tensor"):
            function([[0.0, 0.0]])
        with pytest.raises(TypeError, match="tensor must hold floating-point numbers"):
            function(torch.zeros(3, 3, dtype=torch.int64))
    with pytest.raises(ValueError, match="tensor must have at least 2 dimensions"):
        init.fans(torch.empty(5))
    with pytest.raises(ValueError, match="mode must be one of"):
        init.kaiming_normal_(torch.empty(3, 3), mode="fan_avg")
    with pytest.raises(ValueError, match="nonlinearity must be one of"):
        init.kaiming_uniform_(torch.empty(3, 3), nonlinearity="gelu")
    with pytest.raises(ValueError, match="nonlinearity must be one of"):
        init.calculate_gain("swish")
    with pytest.raises(TypeError, match="nonlinearity"):
        init.calculate_gain(3)
    with pytest.raises(TypeError, match="param"):
        init.calculate_gain("leaky_relu", "0.2")
    with pytest.raises(ValueError, match="gain"):
        init.xavier_uniform_(torch.empty(3, 3), gain=-1.0)
    with pytest.raises(TypeError, match="a must be a number"):
        init.kaiming_uniform_(torch.empty(3, 3), a=None)
