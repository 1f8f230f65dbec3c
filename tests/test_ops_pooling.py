"""cnnlib.ops.pooling (and arithmetic.pool_output_size) against PyTorch: values, gradients, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import ndimage
from torch import nn

from cnnlib import arithmetic, models, ops


@st.composite
def pool_settings(draw: st.DrawFn, dilation: bool = True) -> dict:
    """Random pooling settings that PyTorch accepts: padding <= kernel // 2, a window that fits."""
    kernel = (draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    stride = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
    dil = (draw(st.integers(1, 3)), draw(st.integers(1, 3))) if dilation else (1, 1)
    span = [dil[i] * (kernel[i] - 1) + 1 for i in range(2)]
    size = [draw(st.integers(max(1, span[i] - 2 * padding[i]), 13)) for i in range(2)]
    ceil_mode = draw(st.booleans())
    # A dilated window can fall entirely into the padding; PyTorch then returns -inf with an index
    # outside the input, and its backward writes there (heap corruption), so leave such cases out.
    for i in range(2):
        out = arithmetic.pool_output_size(size[i], kernel[i], stride[i], padding[i], dil[i], ceil_mode)
        for j in range(out):
            start = j * stride[i] - padding[i]
            assume(any(0 <= start + m * dil[i] < size[i] for m in range(kernel[i])))
    return dict(size=size, kernel_size=kernel, stride=stride, padding=padding, dilation=dil,
                ceil_mode=ceil_mode)


def random_input(size: list[int], seed: int, channels: int = 3) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(2, channels, *size, dtype=torch.float64, generator=generator)


def assert_same_values_and_gradients(mine, reference, x: torch.Tensor) -> None:
    """Compare two outputs of the same input, and the gradients of a random weighting of them."""
    torch.testing.assert_close(mine, reference)
    weights = torch.randn_like(reference)
    (grad_mine,) = torch.autograd.grad(mine, x, weights, retain_graph=True)
    (grad_reference,) = torch.autograd.grad(reference, x, weights, retain_graph=True)
    torch.testing.assert_close(grad_mine, grad_reference)


@given(pool_settings(), st.integers(0, 2**16))
@settings(max_examples=150, deadline=None)
def test_max_pool2d_matches_pytorch_values_gradients_and_indices(case: dict, seed: int) -> None:
    x = random_input(case.pop("size"), seed).requires_grad_(True)
    mine, mine_idx = ops.max_pool2d(x, **case, return_indices=True)
    reference, reference_idx = F.max_pool2d(x, **case, return_indices=True)
    assert_same_values_and_gradients(mine, reference, x)
    assert torch.equal(mine_idx, reference_idx)


@given(pool_settings(dilation=False), st.booleans(), st.one_of(st.none(), st.integers(1, 9)),
       st.integers(0, 2**16))
@settings(max_examples=150, deadline=None)
def test_avg_pool2d_matches_pytorch_values_and_gradients(
    case: dict, count_include_pad: bool, divisor_override: int | None, seed: int
) -> None:
    x = random_input(case.pop("size"), seed).requires_grad_(True)
    del case["dilation"]
    mine = ops.avg_pool2d(x, **case, count_include_pad=count_include_pad,
                          divisor_override=divisor_override)
    reference = F.avg_pool2d(x, **case, count_include_pad=count_include_pad,
                             divisor_override=divisor_override)
    assert_same_values_and_gradients(mine, reference, x)


@given(st.integers(1, 20), st.integers(1, 6), st.integers(1, 6), st.integers(0, 3),
       st.integers(1, 3), st.booleans())
@settings(max_examples=300, deadline=None)
def test_pool_output_size_matches_pytorch_or_both_refuse(
    n: int, k: int, s: int, p: int, d: int, ceil_mode: bool
) -> None:
    x = torch.zeros(1, 1, n, n)
    try:
        expected = F.max_pool2d(x, k, s, p, d, ceil_mode).shape[-1]
    except RuntimeError:
        with pytest.raises(ValueError):
            arithmetic.pool_output_size(n, k, s, p, d, ceil_mode)
        return
    assert arithmetic.pool_output_size(n, k, s, p, d, ceil_mode) == expected


@given(st.integers(1, 20), st.integers(1, 6), st.integers(1, 6), st.integers(0, 3), st.integers(1, 3))
@settings(max_examples=100, deadline=None)
def test_pool_output_size_without_ceil_mode_is_the_convolution_formula(
    n: int, k: int, s: int, p: int, d: int
) -> None:
    if p <= k // 2 and n + 2 * p >= d * (k - 1) + 1:
        expected = arithmetic.conv_output_size(n, k, s, p, d)
        assert arithmetic.pool_output_size(n, k, s, p, d) == expected


def test_ceil_mode_drops_a_window_that_would_start_in_the_right_padding() -> None:
    # 5 pixels, kernel 2, stride 2, padding 1: a ceiling alone gives ceil(5 / 2) + 1 windows, but
    # the last would start at 3 * 2 - 1 = 5, past the input, so PyTorch keeps one fewer.
    n, k, s, p = 5, 2, 2, 1
    ceiling_alone = math.ceil((n + 2 * p - k) / s) + 1
    expected = F.max_pool2d(torch.zeros(1, 1, n, n), k, s, p, ceil_mode=True).shape[-1]
    assert arithmetic.pool_output_size(n, k, s, p, ceil_mode=True) == expected == ceiling_alone - 1


def test_stride_defaults_to_the_kernel_size_and_pairs_stay_pairs() -> None:
    x = random_input([9, 7], 0)
    torch.testing.assert_close(ops.max_pool2d(x, 3), F.max_pool2d(x, 3, 3))
    torch.testing.assert_close(ops.avg_pool2d(x, (3, 2)), F.avg_pool2d(x, (3, 2), (3, 2)))
    assert arithmetic.pool_output_size((9, 7), (3, 2)) == tuple(F.max_pool2d(x, (3, 2)).shape[-2:])
    assert arithmetic.pool_output_size(9, 3) == F.max_pool2d(x, 3).shape[-2]


def test_unbatched_inputs_work_like_pytorch() -> None:
    x = random_input([8, 6], 1)[0]  # (C, H, W)
    torch.testing.assert_close(ops.max_pool2d(x, 2), F.max_pool2d(x, 2))
    torch.testing.assert_close(ops.avg_pool2d(x, 3, 1, 1), F.avg_pool2d(x, 3, 1, 1))
    torch.testing.assert_close(ops.adaptive_avg_pool2d(x, 3), F.adaptive_avg_pool2d(x, 3))
    torch.testing.assert_close(ops.adaptive_max_pool2d(x, 3), F.adaptive_max_pool2d(x, 3))


def test_max_pooling_sends_the_gradient_only_to_the_winner() -> None:
    x = random_input([4, 4], 2).requires_grad_(True)
    ops.max_pool2d(x, 2).sum().backward()
    winners = torch.zeros_like(x).flatten(-2)
    _, indices = F.max_pool2d(x.detach(), 2, return_indices=True)
    winners.scatter_(-1, indices.flatten(-2), 1.0)
    torch.testing.assert_close(x.grad, winners.view_as(x))


@given(st.integers(1, 15), st.integers(1, 15), st.integers(1, 7), st.integers(1, 7),
       st.integers(0, 2**16))
@settings(max_examples=60, deadline=None)
def test_adaptive_pooling_matches_pytorch_for_any_sizes(
    h: int, w: int, out_h: int, out_w: int, seed: int
) -> None:
    x = random_input([h, w], seed).requires_grad_(True)
    mine = ops.adaptive_avg_pool2d(x, (out_h, out_w))
    assert_same_values_and_gradients(mine, F.adaptive_avg_pool2d(x, (out_h, out_w)), x)
    mine, mine_idx = ops.adaptive_max_pool2d(x, (out_h, out_w), return_indices=True)
    reference, reference_idx = F.adaptive_max_pool2d(x, (out_h, out_w), return_indices=True)
    assert_same_values_and_gradients(mine, reference, x)
    assert torch.equal(mine_idx, reference_idx)


@given(st.integers(1, 40), st.integers(1, 40))
@settings(max_examples=100, deadline=None)
def test_adaptive_windows_cover_the_input_and_differ_in_size_by_at_most_one(n: int, m: int) -> None:
    windows = ops.adaptive_windows(n, m)
    assert len(windows) == m and windows[0][0] == 0 and windows[-1][1] == n
    for (start, end), (next_start, _) in zip(windows, windows[1:]):
        assert next_start <= end  # no gap (windows may overlap when m does not divide n)
    lengths = {end - start for start, end in windows}
    assert max(lengths) - min(lengths) <= 1 and min(lengths) >= 1
    # averaging with these windows is exactly what PyTorch does (a one-row check)
    x = torch.arange(float(n)).view(1, 1, 1, n)
    expected = F.adaptive_avg_pool2d(x, (1, m)).flatten()
    torch.testing.assert_close(torch.tensor([x[..., a:b].mean().item() for a, b in windows]), expected)


def test_adaptive_pooling_keeps_a_dimension_given_as_none() -> None:
    x = random_input([7, 5], 3)
    torch.testing.assert_close(ops.adaptive_avg_pool2d(x, (None, 2)), F.adaptive_avg_pool2d(x, (None, 2)))
    torch.testing.assert_close(ops.adaptive_max_pool2d(x, (3, None)), F.adaptive_max_pool2d(x, (3, None)))
    assert ops.adaptive_avg_pool2d(x, 1).shape == nn.AdaptiveAvgPool2d(1)(x).shape


@pytest.mark.parametrize("filter_size", [1, 2, 3, 4, 5, 7])
def test_binomial_kernel_is_the_normalised_outer_product_of_binomial_coefficients(filter_size: int) -> None:
    row = torch.tensor([math.comb(filter_size - 1, i) for i in range(filter_size)], dtype=torch.float32)
    kernel = ops.binomial_kernel(filter_size)
    torch.testing.assert_close(kernel, torch.outer(row, row) / row.sum() ** 2)
    torch.testing.assert_close(kernel.sum(), torch.tensor(1.0))


@pytest.mark.parametrize(("filter_size", "stride"), [(3, 2), (5, 2), (3, 3), (5, 1)])
def test_blur_pool2d_is_reflect_padded_blur_then_subsampling(filter_size: int, stride: int) -> None:
    x = random_input([11, 12], 4)
    kernel = ops.binomial_kernel(filter_size).double().numpy()
    expected = np.stack([
        np.stack([ndimage.correlate(channel, kernel, mode="mirror")[::stride, ::stride]
                  for channel in image])
        for image in x.numpy()
    ])
    torch.testing.assert_close(ops.blur_pool2d(x, filter_size, stride), torch.from_numpy(expected))


@pytest.mark.parametrize(("padding_mode", "scipy_mode"),
                         [("circular", "wrap"), ("replicate", "nearest"), ("zeros", "constant")])
def test_blur_pool2d_padding_modes_match_scipy_boundaries(padding_mode: str, scipy_mode: str) -> None:
    x = random_input([9, 10], 7)
    kernel = ops.binomial_kernel(3).double().numpy()
    expected = np.stack([
        np.stack([ndimage.correlate(channel, kernel, mode=scipy_mode)[::2, ::2] for channel in image])
        for image in x.numpy()
    ])
    torch.testing.assert_close(ops.blur_pool2d(x, 3, 2, padding_mode), torch.from_numpy(expected))
    module = models.BlurPool2d(3, 2, padding_mode=padding_mode)
    torch.testing.assert_close(module(x), ops.blur_pool2d(x, 3, 2, padding_mode))


def test_blur_pool2d_special_cases_are_subsampling_and_average_pooling() -> None:
    x = random_input([8, 10], 5)
    torch.testing.assert_close(ops.blur_pool2d(x, 1, 2), x[..., ::2, ::2])
    torch.testing.assert_close(ops.blur_pool2d(x, 2, 2), F.avg_pool2d(x, 2))  # [1, 1] / 2 each way
    torch.testing.assert_close(ops.blur_pool2d(x[0], 3, 2), ops.blur_pool2d(x, 3, 2)[0])


X = torch.zeros(1, 1, 6, 6)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: ops.max_pool2d(X, 0), ValueError, "kernel_size"),
        (lambda: ops.max_pool2d(X, (2, 2, 2)), ValueError, "kernel_size"),
        (lambda: ops.max_pool2d(X, 2.5), TypeError, "kernel_size"),
        (lambda: ops.max_pool2d(X, 2, stride=0), ValueError, "stride"),
        (lambda: ops.max_pool2d(X, 3, padding=2), ValueError, "padding"),
        (lambda: ops.max_pool2d(X, 3, padding=-1), ValueError, "padding"),
        (lambda: ops.max_pool2d(X, 2, dilation=0), ValueError, "dilation"),
        (lambda: ops.max_pool2d(X, 7), ValueError, "kernel_size"),
        (lambda: ops.max_pool2d(X, 3, dilation=3), ValueError, "kernel_size"),
        (lambda: ops.max_pool2d(X, 2, ceil_mode=1), TypeError, "ceil_mode"),
        (lambda: ops.max_pool2d(X, 2, return_indices="yes"), TypeError, "return_indices"),
        (lambda: ops.max_pool2d(X[0, 0], 2), ValueError, "input"),
        (lambda: ops.max_pool2d(X.long(), 2), TypeError, "input"),
        (lambda: ops.max_pool2d(X.numpy(), 2), TypeError, "input"),
        (lambda: ops.avg_pool2d(X, 0), ValueError, "kernel_size"),
        (lambda: ops.avg_pool2d(X, 2, stride=-1), ValueError, "stride"),
        (lambda: ops.avg_pool2d(X, 2, padding=2), ValueError, "padding"),
        (lambda: ops.avg_pool2d(X, 2, count_include_pad=0), TypeError, "count_include_pad"),
        (lambda: ops.avg_pool2d(X, 2, divisor_override=0), ValueError, "divisor_override"),
        (lambda: ops.avg_pool2d(X, 2, ceil_mode="no"), TypeError, "ceil_mode"),
        (lambda: ops.adaptive_avg_pool2d(X, 0), ValueError, "output_size"),
        (lambda: ops.adaptive_avg_pool2d(X, (2, 0)), ValueError, "output_size"),
        (lambda: ops.adaptive_max_pool2d(X, (1, 2, 3)), ValueError, "output_size"),
        (lambda: ops.adaptive_max_pool2d(X, 2, return_indices=1), TypeError, "return_indices"),
        (lambda: ops.adaptive_avg_pool2d(X[0, 0], 2), ValueError, "input"),
        (lambda: ops.adaptive_windows(0, 2), ValueError, "in_size"),
        (lambda: ops.adaptive_windows(4, 0), ValueError, "out_size"),
        (lambda: ops.binomial_kernel(0), ValueError, "filter_size"),
        (lambda: ops.blur_pool2d(X, 0), ValueError, "filter_size"),
        (lambda: ops.blur_pool2d(X, 3, stride=0), ValueError, "stride"),
        (lambda: ops.blur_pool2d(X[0, 0], 3), ValueError, "input"),
        (lambda: ops.blur_pool2d(X, 3, padding_mode="mirror"), ValueError, "padding_mode"),
        (lambda: models.BlurPool2d(padding_mode="same"), ValueError, "padding_mode"),
        (lambda: models.BlurPool2d(stride=0), ValueError, "stride"),
        (lambda: arithmetic.pool_output_size(0, 2), ValueError, "size"),
        (lambda: arithmetic.pool_output_size(6, 3, padding=2), ValueError, "padding"),
        (lambda: arithmetic.pool_output_size(6, 2, stride=0), ValueError, "stride"),
        (lambda: arithmetic.pool_output_size(6, 2, ceil_mode=None), TypeError, "ceil_mode"),
        (lambda: arithmetic.pool_output_size(3, 5, stride=1), ValueError, "kernel_size"),
    ],
)
def test_bad_arguments_raise_errors_naming_them(call, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        call()


@pytest.mark.parametrize(
    "kwargs",
    [dict(kernel_size=3, padding=2), dict(kernel_size=7), dict(kernel_size=2, stride=0),
     dict(kernel_size=3, dilation=3)],
)
def test_pytorch_refuses_the_same_pooling_settings(kwargs: dict) -> None:
    with pytest.raises(RuntimeError):
        F.max_pool2d(X, **kwargs)
    with pytest.raises(ValueError):
        ops.max_pool2d(X, **kwargs)
