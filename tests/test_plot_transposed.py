"""cnnlib.plot.transposed: the painted copies of a transposed convolution and maps side by side."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cnnlib import arithmetic, plot


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def cell_numbers(ax) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_visible()]


def test_transposed_conv_steps_draws_each_copy_and_their_sum() -> None:
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    w = torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 1.0]])
    fig = plot.transposed_conv_steps(x, w, stride=2, title="steps")
    assert len(fig.axes) == 2 + 4 + 1
    assert fig._suptitle.get_text() == "steps"
    assert cell_numbers(fig.axes[0]) == ["1", "2", "3", "4"]
    # the copy of pixel (1, 1): 4 times the kernel, in rows and columns 2 to 4 of the 5x5 output
    assert cell_numbers(fig.axes[5]) == [f"{4 * v:g}" for v in w.flatten().tolist()]
    expected = F.conv_transpose2d(x[None, None], w[None, None], stride=2)[0, 0]
    assert cell_numbers(fig.axes[-1]) == [f"{v:g}" for v in expected.flatten().tolist()]
    assert all(ax.get_xlabel() == "column" for ax in fig.axes)


def test_transposed_conv_steps_shades_the_sum_by_the_number_of_copies() -> None:
    fig = plot.transposed_conv_steps(torch.ones(2, 2), torch.ones(3, 3), stride=2)
    counts = arithmetic.conv_transpose_overlap(2, 3, stride=2)
    alphas = np.array([p.get_facecolor()[3] for p in fig.axes[-1].patches]).reshape(5, 5)
    order = np.argsort(counts.flatten().numpy(), kind="stable")
    assert np.all(np.diff(alphas.flatten()[order]) >= 0)  # more copies, darker
    assert alphas[2, 2] == alphas.max() and alphas[0, 0] == alphas.min()


def test_transposed_conv_steps_crops_the_padding() -> None:
    fig = plot.transposed_conv_steps(torch.ones(2, 2), torch.ones(3, 3), stride=2, padding=1)
    assert fig.axes[-1].get_title().startswith("= output 3×3")


def test_show_maps_draws_each_map_with_its_title_and_values() -> None:
    maps = {"a": arithmetic.conv_transpose_overlap(3, 3, stride=2), "b": torch.eye(2)}
    fig = plot.show_maps(maps, annotate=True, suptitle="maps")
    panels = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in panels] == ["a", "b"]
    np.testing.assert_array_equal(panels[0].images[0].get_array(), maps["a"].numpy())
    assert cell_numbers(panels[1]) == ["1", "0", "0", "1"]
    assert panels[0].get_ylabel() == "row" and panels[0].get_xlabel() == "column"
    assert fig._suptitle.get_text() == "maps"


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: plot.transposed_conv_steps(torch.ones(3), torch.ones(3, 3)), ValueError, "image must be a 2-D"),
        (lambda: plot.transposed_conv_steps(torch.ones(2, 2), "k"), ValueError, "kernel must be a 2-D"),
        (lambda: plot.transposed_conv_steps(torch.ones(4, 4), torch.ones(3, 3)), ValueError, "at most 9 pixels"),
        (lambda: plot.transposed_conv_steps(torch.ones(2, 2), torch.ones(3, 3), stride=0), ValueError, "stride"),
        (lambda: plot.transposed_conv_steps(torch.ones(1, 1), torch.ones(1, 1), padding=1), ValueError, "empty"),
        (lambda: plot.show_maps({}), ValueError, "maps must hold"),
        (lambda: plot.show_maps({"a": torch.ones(3)}), ValueError, "maps\\['a'\\] must be a 2-D"),
    ],
)
def test_bad_arguments_raise_errors_naming_them(call, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        call()
