"""The sliding-window figure and animation of a convolution."""

from __future__ import annotations

import re

import matplotlib
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from matplotlib.animation import FuncAnimation
from matplotlib.colors import to_hex

from cnnlib import arithmetic, plot
from cnnlib.plot.animation import COLOURS

# The cases of Dumoulin & Visin's guide: (size, kernel, stride, padding, dilation).
GUIDE_CASES = [(4, 3, 1, 0, 1), (5, 3, 1, 1, 1), (5, 3, 1, 2, 1), (5, 3, 2, 1, 1), (7, 3, 1, 0, 2)]


def lit_cells(patches: np.ndarray, colour: str) -> set[tuple[int, int]]:
    return {(r, c) for (r, c), p in np.ndenumerate(patches) if to_hex(p.get_facecolor()) == colour}


@pytest.mark.parametrize(("size", "kernel", "stride", "padding", "dilation"), GUIDE_CASES)
def test_animation_has_one_embedded_frame_per_output_position(size, kernel, stride, padding, dilation) -> None:
    animation = plot.conv_animation(size, kernel, stride, padding, dilation, title="case")
    assert isinstance(animation, FuncAnimation)
    html = animation.to_jshtml()
    out = arithmetic.conv_output_size(size, kernel, stride, padding, dilation)
    assert html.count("data:image/png;base64,") == out * out
    frames = re.findall(r'data:image/png;base64,([^"]+)"', html)
    assert len(set(frames)) == len(frames)  # every frame shows another window


def test_animation_frames_are_identical_from_run_to_run() -> None:
    """The stored notebook is compared with a fresh run: only the element ids may differ."""
    def strip_ids(html: str) -> str:
        return re.sub(r"[0-9a-f]{32}", "ID", html)

    first = plot.conv_animation(5, 3, 2, 1).to_jshtml()
    second = plot.conv_animation(5, 3, 2, 1).to_jshtml()
    assert first != second  # the ids are random ...
    assert strip_ids(first) == strip_ids(second)  # ... and nothing else is


@pytest.mark.parametrize("position", [(0, 0), (1, 2), (2, 1)])
@pytest.mark.parametrize(("stride", "padding", "dilation"), [(1, 0, 1), (2, 1, 1), (1, 2, 2), (1, 1, 1)])
def test_sliding_window_lights_the_window_and_writes_the_output(position, stride, padding, dilation) -> None:
    image = torch.arange(36.0).reshape(6, 6) % 7
    kernel = torch.tensor([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
    out = arithmetic.conv_output_size(6, 3, stride, padding, dilation)
    if max(position) >= out:
        with pytest.raises(ValueError, match="position"):
            plot.sliding_window(image, kernel, stride, padding, dilation, position)
        return
    fig = plot.sliding_window(image, kernel, stride, padding, dilation, position, title="step")
    ax_in, ax_kernel, ax_out = fig.axes
    i, j = position
    inputs = np.array(ax_in.patches, dtype=object).reshape(6 + 2 * padding, 6 + 2 * padding)
    window = {(stride * i + dilation * u, stride * j + dilation * v) for u in range(3) for v in range(3)}
    assert lit_cells(inputs, COLOURS["window"]) == window
    expected = F.conv2d(image[None, None], kernel[None, None], stride=stride, padding=padding,
                        dilation=dilation)[0, 0]
    written = np.array([float(t.get_text()) for t in ax_out.texts]).reshape(out, out)
    np.testing.assert_allclose(written, expected.numpy())
    padded = F.pad(image, (padding,) * 4)
    np.testing.assert_allclose([float(t.get_text()) for t in ax_in.texts], padded.flatten().numpy())
    outputs = np.array(ax_out.patches, dtype=object).reshape(out, out)
    assert lit_cells(outputs, COLOURS["current"]) == {position}
    assert ax_in.get_title().startswith("input 6×6") and ax_out.get_title() == f"output {out}×{out}"
    matplotlib.pyplot.close(fig)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: plot.conv_animation(4, 5), ValueError, "the output would be empty"),
        (lambda: plot.conv_animation(5, 3, stride=0), ValueError, "stride"),
        (lambda: plot.conv_animation(5, 3, padding=-1), ValueError, "padding"),
        (lambda: plot.conv_animation(5, 3, dilation=0), ValueError, "dilation"),
        (lambda: plot.conv_animation(5, 3, interval=0), ValueError, "interval"),
        (lambda: plot.conv_animation(5, 3, dpi=0), ValueError, "dpi"),
        (lambda: plot.sliding_window(torch.ones(1, 5, 5), torch.ones(3, 3)), ValueError, "image must be a 2-D"),
        (lambda: plot.sliding_window(torch.ones(5, 5), "sobel"), ValueError, "kernel must be a 2-D"),
        (lambda: plot.sliding_window(torch.ones(5, 5), torch.ones(3, 3), position=(3, 0)), ValueError, "position"),
        (lambda: plot.sliding_window(torch.ones(5, 5), torch.ones(3, 3), position=(-1, 0)), ValueError, "position"),
    ],
)
def test_bad_arguments_raise_errors_naming_them(call, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        call()


def test_animation_html_plays_offline_with_every_player_button() -> None:
    from cnnlib.plot import animation_html, conv_animation

    html = animation_html(conv_animation(size=4, kernel_size=3))
    assert "https://" not in html and "http://" not in html
    assert 'class="fa' not in html  # no icon left that needs Font Awesome
    assert html.count("<button") == 9 and "data:image/png;base64," in html
    with pytest.raises(TypeError, match="animation"):
        animation_html("not an animation")
