"""cnnlib.ops.conv against torch.nn.functional: values, gradients and argument checks."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnlib import data, ops

CONVS = [ops.conv2d, ops.conv2d_naive]

# PyTorch warns that padding="same" with an even kernel copies the input; so does cnnlib.
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")


@st.composite
def conv_settings(draw: st.DrawFn, max_size: int = 9) -> dict:
    """Valid arguments of F.conv2d: shapes, stride, padding (int, pair or string), dilation, groups."""
    groups = draw(st.integers(1, 3))
    c_in, c_out = groups * draw(st.integers(1, 3)), groups * draw(st.integers(1, 3))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = draw(
        st.one_of(
            st.integers(0, 2),
            st.tuples(st.integers(0, 2), st.integers(0, 2)),
            st.sampled_from(["valid", "same"]),
        )
    )
    stride = (1, 1) if padding == "same" else (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    pads = {"valid": (0, 0), "same": (0, 0)}.get(padding, padding)  # type: ignore[arg-type]
    pads = (pads, pads) if isinstance(pads, int) else pads
    # the smallest input whose padded size holds one dilated window, plus some more
    size = [
        max(1, dilation[i] * (kernel[i] - 1) + 1 - 2 * pads[i]) + draw(st.integers(0, max_size - 4))
        for i in range(2)
    ]
    return dict(
        shape=(draw(st.integers(1, 2)), c_in, *size),
        weight_shape=(c_out, c_in // groups, *kernel),
        bias=draw(st.booleans()),
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
    )


def make_tensors(case: dict, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    generator = torch.Generator().manual_seed(seed)
    options = dict(dtype=torch.float64, generator=generator)
    x = torch.randn(case["shape"], **options).requires_grad_()
    weight = torch.randn(case["weight_shape"], **options).requires_grad_()
    out_channels = case.get("out_channels", case["weight_shape"][0])  # a transposed weight says otherwise
    bias = torch.randn(out_channels, **options).requires_grad_() if case["bias"] else None
    return x, weight, bias


CONV_KEYS = ("stride", "padding", "dilation", "groups")


def check_against_torch(
    conv: Callable, case: dict, reference: Callable = F.conv2d, keys: tuple[str, ...] = CONV_KEYS
) -> None:
    """Same values and the same gradients (for x, weight and bias) as ``reference``."""
    x, weight, bias = make_tensors(case)
    expected = reference(x, weight, bias, **{k: case[k] for k in keys})
    result = conv(x, weight, bias, **{k: case[k] for k in keys})
    torch.testing.assert_close(result, expected)
    upstream = torch.randn(expected.shape, dtype=torch.float64)
    leaves = [t for t in (x, weight, bias) if t is not None]
    for ours, theirs in zip(
        torch.autograd.grad(result, leaves, upstream), torch.autograd.grad(expected, leaves, upstream)
    ):
        torch.testing.assert_close(ours, theirs)


@given(conv_settings())
@settings(max_examples=150, deadline=None)
def test_conv2d_equals_torch_in_values_and_gradients(case: dict) -> None:
    check_against_torch(ops.conv2d, case)


@given(conv_settings(max_size=7))
@settings(max_examples=40, deadline=None)
def test_conv2d_naive_equals_torch_in_values_and_gradients(case: dict) -> None:
    check_against_torch(ops.conv2d_naive, case)


@pytest.mark.parametrize("conv", CONVS, ids=lambda f: f.__name__)
def test_unbatched_input_gives_unbatched_output(conv: Callable) -> None:
    x, weight = torch.randn(3, 6, 7), torch.randn(4, 3, 3, 3)
    torch.testing.assert_close(conv(x, weight, padding=1), F.conv2d(x, weight, padding=1))


@pytest.mark.parametrize("conv", CONVS, ids=lambda f: f.__name__)
def test_strided_and_offset_inputs_are_read_correctly(conv: Callable) -> None:
    base = torch.randn(3, 4, 9, 10)
    weight = torch.randn(2, 4, 3, 2)
    for x in (
        base[1:],  # a view that starts inside its storage
        base.to(memory_format=torch.channels_last),  # another order of the dimensions in memory
        base.transpose(2, 3),  # a non-contiguous view
        base[:, :, ::2, 1::3],  # every other row, every third column
    ):
        expected = F.conv2d(x, weight, stride=(2, 1), dilation=(1, 2))
        torch.testing.assert_close(conv(x, weight, stride=(2, 1), dilation=(1, 2)), expected)


@pytest.mark.parametrize("conv", CONVS, ids=lambda f: f.__name__)
def test_integer_tensors_are_convolved_exactly_as_torch_does(conv: Callable) -> None:
    generator = torch.Generator().manual_seed(0)
    x = torch.randint(0, 9, (2, 4, 7, 6), generator=generator)
    weight = torch.randint(-3, 4, (6, 2, 3, 3), generator=generator)
    assert torch.equal(conv(x, weight, groups=2, padding=1), F.conv2d(x, weight, groups=2, padding=1))


@pytest.mark.parametrize("budget", [1, 100, 1000])
def test_conv2d_in_chunks_of_images_equals_torch(monkeypatch: pytest.MonkeyPatch, budget: int) -> None:
    """A small im2col budget splits the batch into chunks; values and gradients are unchanged."""
    import cnnlib.ops.conv

    monkeypatch.setattr(cnnlib.ops.conv, "COLUMNS_BUDGET", budget)
    case = dict(shape=(5, 4, 7, 8), weight_shape=(6, 2, 3, 3), bias=True, stride=2, padding=1,
                dilation=1, groups=2)
    check_against_torch(ops.conv2d, case)


def test_conv2d_handles_an_empty_batch() -> None:
    x, weight = torch.randn(0, 2, 6, 6), torch.randn(3, 2, 3, 3)
    assert ops.conv2d(x, weight).shape == F.conv2d(x, weight).shape


@given(
    st.integers(1, 3), st.integers(1, 3), st.integers(3, 9), st.integers(3, 9),
    st.tuples(st.integers(1, 3), st.integers(1, 3)), st.integers(1, 2), st.integers(0, 1),
    st.integers(1, 3), st.booleans(),
)
@settings(max_examples=80, deadline=None)
def test_unfold_equals_torch_unfold(
    n: int, c: int, h: int, w: int, kernel: tuple[int, int], dilation: int, padding: int,
    stride: int, unbatched: bool,
) -> None:
    x = torch.randn(n, c, h, w, dtype=torch.float64)
    x = x[0] if unbatched else x
    span = [dilation * (k - 1) + 1 for k in kernel]
    if h + 2 * padding < span[0] or w + 2 * padding < span[1]:
        with pytest.raises(ValueError, match="empty"):
            ops.unfold(x, kernel, dilation, padding, stride)
        return
    torch.testing.assert_close(
        ops.unfold(x, kernel, dilation, padding, stride), F.unfold(x, kernel, dilation, padding, stride)
    )


def test_conv2d_is_a_matrix_product_of_unfold() -> None:
    """The identity behind im2col: weight matrix @ unfold(x) is the convolution."""
    x, weight = torch.randn(2, 3, 8, 8, dtype=torch.float64), torch.randn(5, 3, 3, 3, dtype=torch.float64)
    product = (weight.reshape(5, -1) @ ops.unfold(x, 3, padding=1)).reshape(2, 5, 8, 8)
    torch.testing.assert_close(product, F.conv2d(x, weight, padding=1))


def test_named_kernels_have_their_defining_properties() -> None:
    x = torch.rand(1, 1, 10, 12, dtype=torch.float64)
    identity = ops.named_kernel("identity", dtype=torch.float64).view(1, 1, 3, 3)
    torch.testing.assert_close(F.conv2d(x, identity, padding=1), x)
    for name in ("box blur", "gaussian blur", "sharpen"):  # flat regions keep their brightness
        assert ops.named_kernel(name).sum().item() == pytest.approx(1.0)
    for name in ("sobel x", "sobel y", "laplacian"):  # flat regions give zero
        assert ops.named_kernel(name).sum().item() == pytest.approx(0.0)
    torch.testing.assert_close(ops.named_kernel("sobel y"), ops.named_kernel("sobel x").T)
    assert ops.named_kernel("sobel x", dtype=torch.float64).dtype == torch.float64
    assert set(ops.KERNELS) >= {"box blur", "sharpen", "sobel x", "sobel y"}


X = torch.randn(1, 4, 6, 6)
W = torch.randn(2, 4, 3, 3)

# (arguments of conv2d, error, words in the message); PyTorch rejects each of these calls too.
BAD_CONV_CALLS = [
    (("image", W), {}, TypeError, "input must be a torch.Tensor"),
    ((torch.randn(6, 6), W), {}, ValueError, "input must be a 3-D"),
    ((X, W.double()), {}, TypeError, "weight must have the dtype"),
    ((X, "kernel"), {}, TypeError, "weight must be a torch.Tensor"),
    ((X, torch.randn(2, 4, 3)), {}, ValueError, "weight must be a 4-D"),
    ((X, torch.randn(2, 3, 3, 3)), {}, ValueError, "input has 4 channels"),
    ((X, W, torch.randn(3)), {}, ValueError, "bias must have 2 entries"),
    ((X, W, torch.randn(2, 1)), {}, ValueError, "bias must be a 1-D"),
    ((X, W, torch.randn(2).double()), {}, TypeError, "bias must have the dtype"),
    ((X, W), {"stride": 0}, ValueError, "stride must be a positive integer"),
    ((X, W), {"stride": (1, 2, 3)}, ValueError, "stride must be an int or a"),
    ((X, W), {"stride": 1.5}, TypeError, "stride must be an integer"),
    ((X, W), {"padding": -1}, ValueError, "padding must be a non-negative integer"),
    ((X, W), {"padding": "full"}, ValueError, "padding must be one of 'valid', 'same'"),
    ((X, W), {"padding": "same", "stride": 2}, ValueError, "padding='same' needs stride 1"),
    ((X, W), {"dilation": 0}, ValueError, "dilation must be a positive integer"),
    ((X, W), {"groups": 0}, ValueError, "groups must be a positive integer"),
    ((X, W), {"groups": 3}, ValueError, "groups must divide out_channels"),
    ((X, torch.randn(2, 4, 7, 3)), {}, ValueError, "the output would be empty"),
    ((X, W), {"dilation": 3}, ValueError, "the output would be empty"),
]


@pytest.mark.parametrize("conv", CONVS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(("args", "kwargs", "error", "words"), BAD_CONV_CALLS)
def test_bad_arguments_raise_errors_naming_them(
    conv: Callable, args: tuple, kwargs: dict, error: type, words: str
) -> None:
    with pytest.raises(error, match=words):
        conv(*args, **kwargs)
    with pytest.raises((RuntimeError, TypeError, ValueError)):
        F.conv2d(*args, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"input": "image", "kernel_size": 3}, TypeError, "input must be a torch.Tensor"),
        ({"input": torch.randn(6, 6), "kernel_size": 3}, ValueError, "input must be a 3-D"),
        ({"input": X, "kernel_size": 0}, ValueError, "kernel_size must be a positive integer"),
        ({"input": X, "kernel_size": 3, "dilation": 0}, ValueError, "dilation"),
        ({"input": X, "kernel_size": 3, "padding": -1}, ValueError, "padding"),
        ({"input": X, "kernel_size": 3, "padding": "same"}, TypeError, "padding"),
        ({"input": X, "kernel_size": 3, "stride": 0}, ValueError, "stride"),
        ({"input": X, "kernel_size": 7}, ValueError, "the output would be empty"),
    ],
)
def test_unfold_bad_arguments_raise_errors_naming_them(kwargs: dict, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        ops.unfold(**kwargs)
    with pytest.raises((RuntimeError, TypeError, ValueError, IndexError)):
        F.unfold(**kwargs)  # the same keyword names as cnnlib's


def test_named_kernel_rejects_an_unknown_name() -> None:
    with pytest.raises(ValueError, match="name must be one of"):
        ops.named_kernel("emboss")


# ---------------------------------------------------------------------------- named kernels on photos


def test_edge_feature_map_is_relu_of_a_sobel_convolution() -> None:
    cat = data.sample_image("chelsea", size=48, grayscale=True)
    conv = torch.nn.Conv2d(1, 1, 3, padding=1, padding_mode="replicate", bias=False)
    with torch.no_grad():
        conv.weight.copy_(torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]).view(1, 1, 3, 3))
        expected = torch.relu(conv(cat.unsqueeze(0)))[0]
    torch.testing.assert_close(ops.edge_feature_map(cat), expected / expected.max())
    rgb = data.sample_image("chelsea", size=32)
    torch.testing.assert_close(ops.edge_feature_map(rgb), ops.edge_feature_map(rgb.mean(0, keepdim=True)))




def test_equivariance_orders_checks_its_arguments() -> None:
    cat = data.sample_image("chelsea", size=48, grayscale=True)
    with pytest.raises(ValueError, match="padding_mode"):
        ops.equivariance_orders(cat, ops.named_kernel("box blur"), (1, 1), "replicate")
    with pytest.raises(ValueError, match="image"):
        ops.equivariance_orders(cat[0], ops.named_kernel("box blur"), (1, 1))
    with pytest.raises(TypeError, match="kernel"):
        ops.equivariance_orders(cat, [[1.0]], (1, 1))


# ---------------------------------------------------------------------------- transposed convolution


@st.composite
def conv_transpose_settings(draw: st.DrawFn) -> dict:
    """Valid arguments of F.conv_transpose2d: shapes, stride, padding, output_padding, dilation, groups."""
    groups = draw(st.integers(1, 3))
    c_in, c_out = groups * draw(st.integers(1, 3)), groups * draw(st.integers(1, 3))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    # PyTorch's rule: output_padding smaller than the stride or than the dilation
    output_padding = tuple(draw(st.integers(0, max(stride[i], dilation[i]) - 1)) for i in range(2))
    size = (draw(st.integers(1, 6)), draw(st.integers(1, 6)))
    # padding crops the output; keep at least one pixel
    padding = tuple(
        draw(st.integers(0, ((size[i] - 1) * stride[i] + dilation[i] * (kernel[i] - 1) + output_padding[i]) // 2))
        for i in range(2)
    )
    return dict(
        shape=(draw(st.integers(1, 2)), c_in, *size),
        weight_shape=(c_in, c_out // groups, *kernel),
        out_channels=c_out,
        bias=draw(st.booleans()),
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        groups=groups,
        dilation=dilation,
    )


@given(conv_transpose_settings())
@settings(max_examples=200, deadline=None)
def test_conv_transpose2d_equals_torch_in_values_and_gradients(case: dict) -> None:
    keys = ("stride", "padding", "output_padding", "groups", "dilation")
    check_against_torch(ops.conv_transpose2d, case, F.conv_transpose2d, keys)


@given(conv_settings())
@settings(max_examples=60, deadline=None)
def test_conv_transpose2d_is_the_gradient_of_conv2d_with_respect_to_its_input(case: dict) -> None:
    """The transposed convolution of the output gradient, with the same weight and settings (and the
    output_padding that restores the input size), is the gradient of conv2d for its input."""
    if isinstance(case["padding"], str):
        return  # conv_transpose2d has no string padding
    x, weight, _ = make_tensors(case)
    keys = ("stride", "padding", "dilation", "groups")
    y = F.conv2d(x, weight, **{k: case[k] for k in keys})
    upstream = torch.randn(y.shape, dtype=torch.float64)
    (expected,) = torch.autograd.grad(y, x, upstream)
    k, s, d = case["weight_shape"][2:], case["stride"], case["dilation"]
    p = (case["padding"],) * 2 if isinstance(case["padding"], int) else case["padding"]
    # the pixels the stride's floor dropped at the bottom and right: they get no gradient
    output_padding = tuple(
        case["shape"][2 + i] + 2 * p[i] - d[i] * (k[i] - 1) - 1 - (y.shape[2 + i] - 1) * s[i] for i in range(2)
    )
    if any(output_padding[i] >= max(s[i], d[i]) for i in range(2)):
        return  # PyTorch's own conv_transpose2d cannot express this case either
    result = ops.conv_transpose2d(upstream, weight, None, s, p, output_padding, case["groups"], d)
    torch.testing.assert_close(result, expected)


def test_conv_transpose2d_takes_unbatched_input() -> None:
    x, weight = torch.randn(3, 5, 4), torch.randn(3, 2, 3, 3)
    expected = F.conv_transpose2d(x, weight, stride=2, padding=1, output_padding=1)
    torch.testing.assert_close(ops.conv_transpose2d(x, weight, stride=2, padding=1, output_padding=1), expected)


def test_conv_transpose2d_equals_zero_insertion_then_convolution() -> None:
    """Dumoulin and Visin's picture: s - 1 zeros between the input pixels, a padding of
    d(k - 1) - p, and a convolution with the flipped kernel (input and output channels swapped)."""
    x, weight = torch.randn(2, 3, 5, 6, dtype=torch.float64), torch.randn(3, 4, 3, 3, dtype=torch.float64)
    stride, padding = 2, 1
    spread = torch.zeros(2, 3, (5 - 1) * stride + 1, (6 - 1) * stride + 1, dtype=torch.float64)
    spread[..., ::stride, ::stride] = x
    flipped = weight.flip(-2, -1).transpose(0, 1)
    expected = F.conv2d(spread, flipped, padding=3 - 1 - padding)
    torch.testing.assert_close(ops.conv_transpose2d(x, weight, stride=stride, padding=padding), expected)


def test_conv_transpose2d_handles_an_empty_batch() -> None:
    x, weight = torch.randn(0, 2, 4, 4), torch.randn(2, 3, 3, 3)
    assert ops.conv_transpose2d(x, weight, stride=2).shape == F.conv_transpose2d(x, weight, stride=2).shape


XT = torch.randn(1, 4, 5, 5)
WT = torch.randn(4, 2, 3, 3)

# (arguments of conv_transpose2d, error, words in the message); PyTorch rejects each of these too.
BAD_CONV_TRANSPOSE_CALLS = [
    (("image", WT), {}, TypeError, "input must be a torch.Tensor"),
    ((torch.randn(5, 5), WT), {}, ValueError, "input must be a 3-D"),
    ((XT, WT.double()), {}, TypeError, "weight must have the dtype"),
    ((XT, "kernel"), {}, TypeError, "weight must be a torch.Tensor"),
    ((XT, torch.randn(4, 2, 3)), {}, ValueError, "weight must be a 4-D"),
    ((XT, torch.randn(3, 2, 3, 3)), {}, ValueError, "input has 4 channels"),
    ((XT, WT, torch.randn(3)), {}, ValueError, "bias must have 2 entries"),
    ((XT, WT), {"stride": 0}, ValueError, "stride must be a positive integer"),
    ((XT, WT), {"stride": 1.5}, TypeError, "stride must be an integer"),
    ((XT, WT), {"padding": -1}, ValueError, "padding must be a non-negative integer"),
    ((XT, WT), {"padding": "same"}, TypeError, "padding must be an integer"),
    ((XT, WT), {"output_padding": -1}, ValueError, "output_padding must be a non-negative"),
    ((XT, WT), {"output_padding": 1}, ValueError, "output_padding must be smaller than stride"),
    ((XT, WT), {"stride": 2, "output_padding": 2}, ValueError, "output_padding must be smaller"),
    ((XT, WT), {"stride": (2, 1), "output_padding": (0, 1)}, ValueError, "output_padding must be smaller"),
    ((XT, WT), {"dilation": 0}, ValueError, "dilation must be a positive integer"),
    ((XT, WT), {"groups": 0}, ValueError, "groups must be a positive integer"),
    ((XT, WT), {"groups": 3}, ValueError, "groups must divide in_channels"),
    ((XT, WT), {"padding": 4}, ValueError, "the output would be empty"),
]


@pytest.mark.parametrize(("args", "kwargs", "error", "words"), BAD_CONV_TRANSPOSE_CALLS)
def test_conv_transpose2d_bad_arguments_raise_errors_naming_them(
    args: tuple, kwargs: dict, error: type, words: str
) -> None:
    with pytest.raises(error, match=words):
        ops.conv_transpose2d(*args, **kwargs)
    with pytest.raises((RuntimeError, TypeError, ValueError)):
        F.conv_transpose2d(*args, **kwargs)


def test_conv_transpose2d_rejects_a_bias_of_another_dtype_as_conv2d_does() -> None:
    """F.conv_transpose2d casts such a bias silently; cnnlib asks for one dtype, as F.conv2d does."""
    with pytest.raises(TypeError, match="bias must have the dtype"):
        ops.conv_transpose2d(XT, WT, torch.randn(2).double())
