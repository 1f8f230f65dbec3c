"""cnnlib.plot.gradients: the lines drawn are the measured gradient norms."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import torch

from cnnlib.gradients import resnet_gradient_norms
from cnnlib.plot.gradients import gradient_norms


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    x, y = torch.randn(4, 1, 8, 8), torch.randint(0, 10, (4,))
    return {name: resnet_gradient_norms(14, x, y, residual=name == "residual") for name in ("plain", "residual")}


def test_one_line_per_frame_with_the_norms_on_a_log_axis(frames) -> None:
    fig = gradient_norms(frames, title="t")
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and ax.get_title() == "t"
    assert ax.get_xlabel() and ax.get_ylabel()
    assert [line.get_label() for line in ax.get_lines()] == list(frames)
    for line, frame in zip(ax.get_lines(), frames.values()):
        np.testing.assert_array_equal(line.get_xdata(), frame["position"])
        np.testing.assert_array_equal(line.get_ydata(), frame["grad_norm"])
    plt.close(fig)


def test_draws_into_a_given_axes(frames) -> None:
    fig, (left, right) = plt.subplots(1, 2)
    assert gradient_norms(frames, ax=right) is fig
    assert len(right.get_lines()) == 2 and not left.get_lines()
    plt.close(fig)


def test_bad_frames_raise(frames) -> None:
    with pytest.raises(ValueError, match="frames"):
        gradient_norms({})
    with pytest.raises(ValueError, match="plain"):
        gradient_norms({"plain": frames["plain"].drop(columns="grad_norm")})
    with pytest.raises(ValueError, match="x"):
        gradient_norms({"x": "not a frame"})
    with pytest.raises(ValueError, match="empty"):
        gradient_norms({"y": frames["plain"].iloc[:0]})
