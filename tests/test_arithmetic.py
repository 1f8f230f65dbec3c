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


# ---------------------------------------------------------------------------- transposed convolution


def torch_conv_transpose_shape(size, kernel, stride, padding, output_padding, dilation):
    """The (height, width) that F.conv_transpose2d produces on a real (tiny) tensor: the meta
    device does not check PyTorch's rule on output_padding."""
    import torch.nn.functional as F

    x = torch.zeros(1, 1, *size)
    weight = torch.zeros(1, 1, *kernel)
    out = F.conv_transpose2d(
        x, weight, stride=stride, padding=padding, output_padding=output_padding, dilation=dilation
    )
    return tuple(out.shape[-2:])


@given(
    st.tuples(st.integers(1, 12), st.integers(1, 12)), st.tuples(st.integers(1, 6), st.integers(1, 6)),
    st.tuples(st.integers(1, 4), st.integers(1, 4)), st.tuples(st.integers(0, 5), st.integers(0, 5)),
    st.tuples(st.integers(0, 3), st.integers(0, 3)), st.tuples(st.integers(1, 3), st.integers(1, 3)),
)
@settings(max_examples=600, deadline=None)
def test_conv_transpose_output_size_matches_the_shapes_pytorch_produces(
    size, kernel, stride, padding, output_padding, dilation
) -> None:
    settings_ = (size, kernel, stride, padding, output_padding, dilation)
    try:
        expected = torch_conv_transpose_shape(*settings_)
    except RuntimeError as error:  # an output_padding too large, or an empty output
        words = "output_padding must be smaller" if "output padding" in str(error) else "empty"
        with pytest.raises(ValueError, match=words):
            arithmetic.conv_transpose_output_size(*settings_)
        return
    if 0 in expected:  # PyTorch returns an empty output for some kernels, refuses it for others
        with pytest.raises(ValueError, match="empty"):
            arithmetic.conv_transpose_output_size(*settings_)
        return
    assert arithmetic.conv_transpose_output_size(*settings_) == expected
    for i in range(2):  # one dimension at a time, with ints
        assert arithmetic.conv_transpose_output_size(*(a[i] for a in settings_)) == expected[i]


@given(st.integers(1, 30), st.integers(1, 5), st.integers(1, 3), st.integers(0, 2), st.integers(1, 2))
@settings(max_examples=100, deadline=None)
def test_conv_transpose_output_size_inverts_conv_output_size(n, k, s, p, d) -> None:
    """A transposed convolution with the same settings restores the size of the convolution's
    input, with the output_padding that gives back the pixels the stride's floor dropped."""
    if n + 2 * p < d * (k - 1) + 1:
        return
    out = arithmetic.conv_output_size(n, k, s, p, d)
    dropped = n + 2 * p - d * (k - 1) - 1 - (out - 1) * s
    assert 0 <= dropped < s
    if dropped < max(s, d):
        assert arithmetic.conv_transpose_output_size(out, k, s, p, dropped, d) == n


@given(
    st.tuples(st.integers(1, 6), st.integers(1, 6)), st.tuples(st.integers(1, 5), st.integers(1, 5)),
    st.tuples(st.integers(1, 3), st.integers(1, 3)), st.tuples(st.integers(0, 2), st.integers(0, 2)),
    st.tuples(st.integers(1, 2), st.integers(1, 2)),
)
@settings(max_examples=150, deadline=None)
def test_conv_transpose_overlap_counts_the_copies_conv_transpose2d_adds(size, kernel, stride, padding, dilation) -> None:
    """The overlap is the transposed convolution of ones with a kernel of ones."""
    import torch.nn.functional as F

    try:
        counts = arithmetic.conv_transpose_overlap(size, kernel, stride, padding, 0, dilation)
    except ValueError:
        return
    ones = F.conv_transpose2d(
        torch.ones(1, 1, *size, dtype=torch.float64), torch.ones(1, 1, *kernel, dtype=torch.float64),
        stride=stride, padding=padding, dilation=dilation,
    )[0, 0]
    assert counts.dtype == torch.int64
    assert torch.equal(counts, ones.to(torch.int64))


def test_conv_transpose_overlap_is_even_only_when_the_stride_divides_the_kernel() -> None:
    """Odena et al.'s condition, away from the border: stride 2 with kernel 3 alternates 1, 2, 4;
    kernel 4 gives every interior pixel the same four copies."""
    uneven = arithmetic.conv_transpose_overlap(8, 3, stride=2, padding=1, output_padding=1)[4:-4, 4:-4]
    even = arithmetic.conv_transpose_overlap(8, 4, stride=2, padding=1)[4:-4, 4:-4]
    assert sorted(uneven.unique().tolist()) == [1, 2, 4]
    assert even.unique().tolist() == [4]


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"size": 0, "kernel_size": 3}, ValueError, "size must be a positive integer"),
        ({"size": 4, "kernel_size": 0}, ValueError, "kernel_size must be a positive integer"),
        ({"size": 4, "kernel_size": 3, "stride": 0}, ValueError, "stride must be a positive integer"),
        ({"size": 4, "kernel_size": 3, "padding": -1}, ValueError, "padding must be a non-negative"),
        ({"size": 4, "kernel_size": 3, "output_padding": -1}, ValueError, "output_padding must be a non-negative"),
        ({"size": 4, "kernel_size": 3, "output_padding": 1}, ValueError, "output_padding must be smaller than stride"),
        ({"size": 4, "kernel_size": 3, "stride": 2, "output_padding": 2}, ValueError, "output_padding must be smaller"),
        ({"size": 4, "kernel_size": 3, "dilation": 0}, ValueError, "dilation must be a positive"),
        ({"size": 4, "kernel_size": 3, "stride": 1.5}, TypeError, "stride must be an integer"),
        ({"size": 4, "kernel_size": 3, "output_padding": "1"}, TypeError, "output_padding must be an integer"),
        ({"size": (4, 4, 4), "kernel_size": 3}, ValueError, "size must be an int or a"),
        ({"size": 1, "kernel_size": 1, "padding": 1}, ValueError, "the output would be empty"),
        ({"size": (4, 1), "kernel_size": 3, "padding": (0, 2)}, ValueError, "the output would be empty"),
    ],
)
def test_conv_transpose_output_size_bad_arguments_raise_errors_naming_them(kwargs, error: type, words: str) -> None:
    for function in (arithmetic.conv_transpose_output_size, arithmetic.conv_transpose_overlap):
        with pytest.raises(error, match=words):
            function(**kwargs)
