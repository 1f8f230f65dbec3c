"""The convolution explorer, driven through its controls."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from explorers import shown_picture

from cnnlib import arithmetic, data, ops
from cnnlib.ops import PADDING_MODES, apply_kernel
from cnnlib.widgets import ConvExplorer, conv_explorer


@pytest.fixture(scope="module")
def cat() -> torch.Tensor:
    return data.sample_image("chelsea", size=40, grayscale=True)  # (1, 40, 60)


def expected_output(image: torch.Tensor, kernel: str, stride: int, padding: int, dilation: int,
                    mode: str) -> torch.Tensor:
    """The same computation with PyTorch's own layer."""
    layer = torch.nn.Conv2d(1, 1, 3, stride=stride, padding=padding, dilation=dilation,
                            padding_mode=mode, bias=False)
    with torch.no_grad():
        layer.weight.copy_(ops.named_kernel(kernel).view(1, 1, 3, 3))
        return layer(image[None])[0]


def test_default_explorer_shows_chelsea_and_its_output_shape() -> None:
    explorer = conv_explorer()
    assert isinstance(explorer, ConvExplorer)
    height, width = explorer.image.shape[-2:]
    assert height == 96
    out = arithmetic.conv_output_size((height, width), 3)
    assert f"output {out[0]}×{out[1]}" in explorer.summary.value
    assert explorer.figure is not None


@pytest.mark.parametrize("mode", PADDING_MODES)
def test_setting_the_controls_updates_the_shape_and_the_image_shown(cat: torch.Tensor, mode: str) -> None:
    explorer = conv_explorer(cat)
    pictures = [shown_picture(explorer)]
    settings = [("sobel y", 1, 0, 1), ("box blur", 2, 3, 1), ("sharpen", 3, 1, 4), ("laplacian", 4, 8, 8)]
    for kernel, stride, padding, dilation in settings:
        explorer.kernel.value = kernel
        explorer.padding_mode.value = mode
        explorer.stride.value, explorer.padding.value = stride, padding
        explorer.dilation.value = dilation
        expected = expected_output(cat, kernel, stride, padding, dilation, mode)
        out_h, out_w = arithmetic.conv_output_size(tuple(cat.shape[-2:]), 3, stride, padding, dilation)
        assert expected.shape[-2:] == (out_h, out_w)
        assert f"output {out_h}×{out_w}" in explorer.summary.value
        assert f"stride {stride}, padding {padding} ({mode})" in explorer.summary.value
        torch.testing.assert_close(explorer.result, expected)
        # the figure shows the padded input and exactly this output
        shown_input, shown_output = (ax.images[0].get_array() for ax in explorer.figure.axes)
        np.testing.assert_allclose(shown_output, expected[0].numpy(), rtol=1e-5, atol=1e-6)
        assert shown_input.shape == (cat.shape[-2] + 2 * padding, cat.shape[-1] + 2 * padding)
        assert f"output {out_h}×{out_w}" in explorer.figure.axes[1].get_title()
        # ... and the page shows that figure, redrawn for every setting
        pictures.append(shown_picture(explorer))
        assert pictures[-2].shape != pictures[-1].shape or not np.array_equal(pictures[-2], pictures[-1])


def test_settings_without_an_output_are_reported_not_raised() -> None:
    tiny = torch.rand(1, 6, 6)
    explorer = conv_explorer(tiny)
    explorer.dilation.value = 5  # a 3x3 kernel spanning 11 pixels does not fit in 6
    assert "no output" in explorer.summary.value
    assert "empty" in explorer.summary.value
    assert bytes(explorer.picture.value) == b"" and explorer.result is None and explorer.figure is None
    explorer.padding.value = 3  # 6 + 2*3 = 12 pixels: it fits again
    assert explorer.result.shape == (1, 2, 2)
    shown_picture(explorer)


def test_apply_kernel_equals_conv2d_with_padding_mode(cat: torch.Tensor) -> None:
    padded, output = apply_kernel(cat, "gaussian blur", stride=2, padding=2, padding_mode="circular")
    assert padded.shape == (1, 44, 64)
    torch.testing.assert_close(output, expected_output(cat, "gaussian blur", 2, 2, 1, "circular"))
    torch.testing.assert_close(apply_kernel(cat, "identity", padding=1)[1], cat)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda img: conv_explorer(img[0]), ValueError, "image must be a greyscale"),
        (lambda img: conv_explorer(torch.rand(3, 8, 8)), ValueError, "image must be a greyscale"),
        (lambda img: apply_kernel(img, "emboss"), ValueError, "name must be one of"),
        (lambda img: apply_kernel(img, "sharpen", padding_mode="replicate"), ValueError, "padding_mode"),
        (lambda img: apply_kernel(img, "sharpen", padding=-1), ValueError, "padding"),
        (lambda img: apply_kernel(img, "sharpen", padding=40, padding_mode="reflect"), ValueError, "reflect"),
        (lambda img: apply_kernel(img, "sharpen", stride=0), ValueError, "stride"),
    ],
)
def test_bad_arguments_raise_errors_naming_them(cat: torch.Tensor, call, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        call(cat)
