"""Figures of what the layers of a network see while it trains: activation statistics per step,
and batch statistics against a batch-norm layer's running ones.

The statistics are computed in :mod:`cnnlib.activations`. Introduced in chapter "Batch normalisation".
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from cnnlib._checks import check_int
from cnnlib.activations import TrainModePass


def activation_statistics(frames: Mapping[str, pd.DataFrame], title: str | None = None) -> Figure:
    """Mean and standard deviation of each layer's activations per training step, one row per run.

    ``frames`` maps a run's label to the ``ActivationRecorder.frame`` of its training. The
    standard deviation is drawn on a logarithmic scale, shared by all rows, so that growth by a
    factor looks the same everywhere. Introduced in chapter "Batch normalisation".

    Raises:
        ValueError: if no frame is given, or a frame lacks the recorder's columns or rows.

    Examples:
        >>> import pandas as pd
        >>> from cnnlib.plot import activation_statistics
        >>> frame = pd.DataFrame({"layer": ["conv1"] * 2, "label": ["conv 1"] * 2, "step": [0, 1], "mean": [0.1, 0.0], "std": [1.0, 0.9]})
        >>> fig = activation_statistics({"without BN": frame})
        >>> fig.axes[0].get_xlabel()
        'training step (batch)'
    """
    if not frames:
        raise ValueError("frames must hold at least one run")
    for label, frame in frames.items():
        if not isinstance(frame, pd.DataFrame) or not {"layer", "label", "step", "mean", "std"} <= set(frame.columns):
            raise ValueError(
                f"frames[{label!r}] must be an ActivationRecorder.frame() with layer, label, step, mean, std"
            )
        if frame.empty:
            raise ValueError(f"frames[{label!r}] holds no record")
    fig, axes = plt.subplots(len(frames), 2, figsize=(10, 2.9 * len(frames)), squeeze=False, sharex="col", sharey="col")
    low = min(frame["std"][frame["std"] > 0].min() for frame in frames.values())
    high = max(frame["std"].max() for frame in frames.values())
    for row, (label, frame) in enumerate(frames.items()):
        ax_mean, ax_std = axes[row]
        for i, (layer, records) in enumerate(frame.groupby("layer", sort=False)):
            name = f"{records['label'].iloc[0]} (layer {layer})"
            ax_mean.plot(records["step"], records["mean"], color=f"C{i % 10}", label=name)
            ax_std.plot(records["step"], records["std"], color=f"C{i % 10}", label=name)
        ax_mean.set(ylabel="mean", title=f"{label}: mean of the activations")
        ax_std.set(ylabel="standard deviation", yscale="log", ylim=(low / 1.3, high * 1.3),
                   title=f"{label}: standard deviation")
        ax_std.legend(fontsize=8, loc="best")
        for ax in (ax_mean, ax_std):
            ax.grid(alpha=0.3)
    for ax in axes[-1]:
        ax.set_xlabel("training step (batch)")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig




def batch_statistics(passes: Mapping[str, TrainModePass], channels: int = 8, title: str | None = None) -> Figure:
    """Each batch's per-channel mean and standard deviation against the running ones, one row per pass.

    ``passes`` maps a label to a :func:`cnnlib.activations.train_mode_pass`. For the first ``channels`` channels of
    the layer, every batch is a small dot (spread sideways so that the dots stay visible) and the
    running statistic, which evaluation mode uses, a black bar. In training mode each batch is
    normalised with its own dot. Rows share their vertical scales, so that spreads compare.
    Introduced in chapter "Batch normalisation".

    Raises:
        ValueError: if no pass is given or ``channels`` is not positive.

    Examples:
        >>> from torch import nn
        >>> from cnnlib.activations import train_mode_pass
        >>> from cnnlib.data import load_digits
        >>> from cnnlib.plot import batch_statistics
        >>> images, labels = load_digits(split="test")
        >>> model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(144, 10))
        >>> fig = batch_statistics({"batches of 16": train_mode_pass(model, images, labels, 16)}, channels=4)
        >>> [ax.get_ylabel() for ax in fig.axes]
        ['mean', 'standard deviation']
    """
    if not passes:
        raise ValueError("passes must hold at least one TrainModePass")
    channels = check_int("channels", channels, 1)
    fig, axes = plt.subplots(len(passes), 2, figsize=(10, 2.8 * len(passes)), squeeze=False, sharey="col")
    rng = np.random.default_rng(0)
    for row, (label, result) in enumerate(passes.items()):
        shown = min(channels, result.batch_mean.shape[1])
        for ax, batch, running, what in (
            (axes[row, 0], result.batch_mean, result.running_mean, "mean"),
            (axes[row, 1], result.batch_std, result.running_std, "standard deviation"),
        ):
            for c in range(shown):
                jitter = rng.uniform(-0.25, 0.25, size=len(batch))
                ax.scatter(c + jitter, batch[:, c], s=6, alpha=0.35, color="C0",
                           label="one batch" if c == 0 else None)
                ax.plot([c - 0.35, c + 0.35], [running[c]] * 2, color="black", linewidth=2.5,
                        label="running (eval mode)" if c == 0 else None)
            ax.set(xticks=range(shown), xlabel=f"channel of layer {result.layer}", ylabel=what,
                   title=f"{label}: batch {what}s")
            ax.grid(alpha=0.3)
        axes[row, 0].legend(fontsize=8, loc="best")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
