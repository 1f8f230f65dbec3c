"""cnnlib.arithmetic against PyTorch's own layers."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from cnnlib import arithmetic


@given(st.integers(1, 5000), st.integers(1, 500), st.booleans())
@settings(max_examples=50, deadline=None)
def test_linear_params_matches_nn_linear(n_in: int, n_out: int, bias: bool) -> None:
    layer = nn.Linear(n_in, n_out, bias=bias, device="meta")
    assert arithmetic.linear_params(n_in, n_out, bias) == arithmetic.count_params(layer)


@given(
    st.integers(1, 8), st.integers(1, 8), st.integers(1, 4), st.integers(1, 7),
    st.integers(1, 7), st.booleans(),
)
@settings(max_examples=80, deadline=None)
def test_conv2d_params_matches_nn_conv2d(
    gin: int, gout: int, groups: int, kh: int, kw: int, bias: bool
) -> None:
    c_in, c_out = gin * groups, gout * groups
    layer = nn.Conv2d(c_in, c_out, (kh, kw), groups=groups, bias=bias, device="meta")
    assert arithmetic.conv2d_params(c_in, c_out, (kh, kw), bias, groups) == arithmetic.count_params(layer)


def test_count_params_counts_only_trainable_when_asked() -> None:
    model = nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2))
    model[0].requires_grad_(False)
    assert arithmetic.count_params(model) == 15 + 8
    assert arithmetic.count_params(model, trainable_only=True) == 8


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: arithmetic.linear_params(0, 3), ValueError, "in_features"),
        (lambda: arithmetic.linear_params(3, -1), ValueError, "out_features"),
        (lambda: arithmetic.linear_params(2.5, 3), TypeError, "in_features"),
        (lambda: arithmetic.conv2d_params(3, 4, 3, groups=2), ValueError, "groups"),
        (lambda: arithmetic.conv2d_params(3, 4, 0), ValueError, "kernel_size"),
        (lambda: arithmetic.conv2d_params(3, 4, (3, 3, 3)), ValueError, "kernel_size"),
        (lambda: arithmetic.count_params("model"), TypeError, "model"),
    ],
)
def test_bad_arguments_raise_errors_naming_them(call, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        call()


def test_conv_output_size_handles_ints_and_pairs() -> None:
    assert arithmetic.conv_output_size(224, 7, stride=2, padding=3) == 112
    assert arithmetic.conv_output_size((5, 7), (3, 3), dilation=(1, 2)) == (3, 3)


def torch_conv_shape(size: tuple[int, int], kernel: tuple[int, int], stride, padding, dilation):
    """The (height, width) that F.conv2d produces, computed on the meta device (no memory)."""
    import torch.nn.functional as F

    x = torch.empty(1, 1, *size, device="meta")
    weight = torch.empty(1, 1, *kernel, device="meta")
    return tuple(F.conv2d(x, weight, stride=stride, padding=padding, dilation=dilation).shape[-2:])


@given(
    st.tuples(st.integers(1, 40), st.integers(1, 40)), st.tuples(st.integers(1, 7), st.integers(1, 7)),
    st.tuples(st.integers(1, 4), st.integers(1, 4)), st.tuples(st.integers(0, 3), st.integers(0, 3)),
    st.tuples(st.integers(1, 4), st.integers(1, 4)),
)
@settings(max_examples=300, deadline=None)
def test_conv_output_size_matches_the_shapes_pytorch_produces(size, kernel, stride, padding, dilation) -> None:
    try:
        expected = torch_conv_shape(size, kernel, stride, padding, dilation)
    except RuntimeError:  # PyTorch refuses a kernel larger than the padded input
        with pytest.raises(ValueError, match="empty"):
            arithmetic.conv_output_size(size, kernel, stride, padding, dilation)
        return
    assert arithmetic.conv_output_size(size, kernel, stride, padding, dilation) == expected
    # one dimension at a time, with ints
    for i in range(2):
        assert arithmetic.conv_output_size(size[i], kernel[i], stride[i], padding[i], dilation[i]) == expected[i]


@given(st.integers(1, 60), st.integers(1, 7), st.integers(1, 4), st.integers(0, 3))
@settings(max_examples=100, deadline=None)
def test_conv_output_size_without_dilation_is_the_familiar_formula(n, k, s, p) -> None:
    if n + 2 * p >= k:
        assert arithmetic.conv_output_size(n, k, s, p) == (n + 2 * p - k) // s + 1


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"size": 0, "kernel_size": 3}, ValueError, "size must be a positive integer"),
        ({"size": 8, "kernel_size": 0}, ValueError, "kernel_size must be a positive integer"),
        ({"size": 8, "kernel_size": 3, "stride": 0}, ValueError, "stride must be a positive integer"),
        ({"size": 8, "kernel_size": 3, "padding": -1}, ValueError, "padding must be a non-negative"),
        ({"size": 8, "kernel_size": 3, "dilation": 0}, ValueError, "dilation must be a positive"),
        ({"size": 8, "kernel_size": 3, "stride": 1.5}, TypeError, "stride must be an integer"),
        ({"size": (8, 8, 8), "kernel_size": 3}, ValueError, "size must be an int or a"),
        ({"size": 4, "kernel_size": 3, "dilation": 2}, ValueError, "the output would be empty"),
        ({"size": (8, 2), "kernel_size": 3, "padding": (0, 0)}, ValueError, "the output would be empty"),
    ],
)
def test_conv_output_size_bad_arguments_raise_errors_naming_them(kwargs, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        arithmetic.conv_output_size(**kwargs)
