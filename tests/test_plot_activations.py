"""cnnlib.plot.activations: the figures drawn from the recorder's frames and the train-mode passes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from activation_nets import small_net
from torch import nn

from cnnlib.activations import ActivationRecorder, train_mode_pass
from cnnlib.plot import activation_statistics, batch_statistics


def test_activation_statistics_draws_every_layer_of_every_run(batch) -> None:
    frames = {}
    for label, norm in (("plain", nn.Identity), ("normalised", nn.BatchNorm2d)):
        model = small_net(norm)
        with ActivationRecorder(model) as recorder:
            for index in torch.arange(40).split(10):
                model(batch[0][index])
        frames[label] = recorder.frame()
    fig = activation_statistics(frames, title="test")
    assert len(fig.axes) == 4
    for row, frame in enumerate(frames.values()):
        ax_mean, ax_std = fig.axes[2 * row], fig.axes[2 * row + 1]
        assert ax_std.get_yscale() == "log"
        for line_mean, line_std, (layer, records) in zip(ax_mean.lines, ax_std.lines, frame.groupby("layer", sort=False)):
            np.testing.assert_allclose(line_mean.get_ydata(), records["mean"])
            np.testing.assert_allclose(line_std.get_ydata(), records["std"])
            assert line_mean.get_label() == f"{records['label'].iloc[0]} (layer {layer})"
    plt.close(fig)


def test_activation_statistics_errors() -> None:
    with pytest.raises(ValueError, match="frames"):
        activation_statistics({})
    with pytest.raises(ValueError, match="frames"):
        activation_statistics({"run": "not a frame"})
    model = small_net()
    with ActivationRecorder(model) as recorder:
        pass
    with pytest.raises(ValueError, match="no record"):
        activation_statistics({"run": recorder.frame()})


def test_batch_statistics_draws_every_batch_and_the_running_statistics(trained, batch) -> None:
    images, labels = batch
    passes = {"small": train_mode_pass(trained, images, labels, 4, layer="4"),
              "large": train_mode_pass(trained, images, labels, 20, layer="4")}
    fig = batch_statistics(passes, channels=3, title="test")
    assert len(fig.axes) == 4
    for row, result in enumerate(passes.values()):
        for ax, values, running in ((fig.axes[2 * row], result.batch_mean, result.running_mean),
                                    (fig.axes[2 * row + 1], result.batch_std, result.running_std)):
            assert len(ax.collections) == 3 and len(ax.lines) == 3  # three channels
            for c in range(3):
                np.testing.assert_allclose(ax.collections[c].get_offsets()[:, 1], values[:, c])
                np.testing.assert_allclose(ax.lines[c].get_ydata(), [running[c]] * 2)
    plt.close(fig)
    with pytest.raises(ValueError, match="passes"):
        batch_statistics({})
    with pytest.raises(ValueError, match="channels"):
        batch_statistics(passes, channels=0)
