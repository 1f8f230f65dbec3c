"""What the layers of a network see while it trains: activation and batch-normalisation statistics.

- :class:`ActivationRecorder` records the mean and standard deviation of chosen layers' outputs
  at every training step; :func:`activation_statistics` draws them.
- :func:`train_mode_pass` runs a network in training mode batch by batch (on a copy, so nothing
  changes) and collects each batch's statistics at one batch-norm layer;
  :func:`batch_statistics` draws them against the layer's running statistics.

Introduced in chapter "Batch normalisation".
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from matplotlib.figure import Figure
from torch import Tensor, nn

from cnnlib._checks import check_int
from cnnlib.ops.batchnorm import BatchNorm2d

__all__ = [
    "ActivationRecorder",
    "TrainModePass",
    "activation_statistics",
    "batch_norm_layers",
    "batch_statistics",
    "train_mode_pass",
]

#: The batch-normalisation layers :func:`train_mode_pass` understands.
BATCH_NORMS = (nn.BatchNorm2d, BatchNorm2d)


class ActivationRecorder:
    """Record the mean and standard deviation of the outputs of some layers at every training step.

    Use it as a context manager around training: ``with ActivationRecorder(model) as recorder:
    train.fit(model, ...)``; then :meth:`frame` holds one row per layer and training step. The
    statistics are taken over the whole output (batch, channels and positions) of every layer of
    type ``layer_type`` (default: ``nn.ReLU``, so the activations the next layer receives), and
    only in training mode, so validation passes are left out. The hooks are removed on exit.
    Introduced in chapter "Batch normalisation".

    Raises:
        TypeError: if ``model`` is not an ``nn.Module`` or ``layer_type`` not a module class.
        ValueError: if ``model`` holds no layer of type ``layer_type``.
    """

    def __init__(self, model: nn.Module, layer_type: type[nn.Module] = nn.ReLU) -> None:
        if not isinstance(model, nn.Module):
            raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
        if not (isinstance(layer_type, type) and issubclass(layer_type, nn.Module)):
            raise TypeError(f"layer_type must be a subclass of nn.Module, got {layer_type!r}")
        self.layer_type = layer_type
        self.layers = {name: m for name, m in model.named_modules() if isinstance(m, layer_type)}
        if not self.layers:
            raise ValueError(f"model must hold at least one {layer_type.__name__} layer, found none")
        self._rows: list[tuple[str, int, Tensor, Tensor]] = []
        self._steps = dict.fromkeys(self.layers, 0)
        self._handles: list = []

    def _hook(self, name: str):
        def record(module: nn.Module, inputs: tuple, output: Tensor) -> None:
            if module.training:
                out = output.detach()
                self._rows.append((name, self._steps[name], out.mean(), out.std()))
                self._steps[name] += 1

        return record

    def __enter__(self) -> ActivationRecorder:
        self._handles = [m.register_forward_hook(self._hook(n)) for n, m in self.layers.items()]
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def frame(self) -> pd.DataFrame:
        """The records, one row per layer and step.

        Columns: ``layer`` (qualified name), ``label`` (the layer type and its position among
        the recorded layers, from 1, e.g. ``"ReLU 2"``), ``step`` (from 0), ``mean``, ``std``.
        """
        # the statistics stay tensors (on the model's device) until here: no wait per step
        means = torch.stack([r[2] for r in self._rows]).tolist() if self._rows else []
        stds = torch.stack([r[3] for r in self._rows]).tolist() if self._rows else []
        position = {name: i for i, name in enumerate(self.layers, start=1)}
        kind = self.layer_type.__name__
        return pd.DataFrame({
            "layer": [r[0] for r in self._rows],
            "label": [f"{kind} {position[r[0]]}" for r in self._rows],
            "step": [r[1] for r in self._rows],
            "mean": means,
            "std": stds,
        })


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


def batch_norm_layers(model: nn.Module) -> list[str]:
    """Qualified names of the ``BatchNorm2d`` layers (PyTorch's or cnnlib's) of ``model``, in order.

    Introduced in chapter "Batch normalisation".
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return [name for name, m in model.named_modules() if isinstance(m, BATCH_NORMS)]


@dataclass
class TrainModePass:
    """Result of :func:`train_mode_pass`.

    ``batch_mean`` and ``batch_std`` have one row per batch and one column per channel (the
    standard deviation is the biased one the layer normalises with); ``running_mean`` and
    ``running_std`` (the square root of ``running_var``) are what evaluation mode uses instead.
    Accuracies are fractions in [0, 1].
    """

    layer: str
    batch_size: int
    grouped: bool
    train_mode_accuracy: float
    eval_mode_accuracy: float
    batch_mean: np.ndarray
    batch_std: np.ndarray
    running_mean: np.ndarray
    running_std: np.ndarray

    @property
    def mean_deviation(self) -> float:
        """Average over batches and channels of ``|batch mean - running mean| / running std``."""
        return float(np.mean(np.abs(self.batch_mean - self.running_mean) / self.running_std))


def _batches(labels: Tensor, batch_size: int, grouped: bool, seed: int) -> list[Tensor]:
    generator = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(labels), generator=generator)
    if not grouped:
        return list(order.split(batch_size))
    batches = []
    for label in labels.unique().tolist():
        members = order[labels[order] == label]  # shuffled within the class
        batches += list(members.split(batch_size))
    return batches


@torch.no_grad()
def train_mode_pass(
    model: nn.Module,
    images: Tensor,
    labels: Tensor,
    batch_size: int,
    layer: str | None = None,
    grouped: bool = False,
    seed: int = 0,
) -> TrainModePass:
    """Run ``model`` in training mode over ``images`` batch by batch, as if ``model.eval()`` were forgotten.

    Every batch-norm layer then normalises with the statistics of the current batch instead of
    its running ones. The pass runs on a copy of the model, so the model's running statistics
    do not move (they would in a real forgotten ``eval()``). Returns the accuracy of these
    train-mode predictions, the accuracy of the model in evaluation mode, and the per-channel
    mean and standard deviation of every batch at the input of the batch-norm layer ``layer``
    (default: the first). Batches are a random order of the examples (fixed by ``seed``) cut into
    ``batch_size`` pieces; with ``grouped``, every batch holds examples of one class only (the
    examples sorted by class, then cut). Introduced in chapter "Batch normalisation".

    Raises:
        TypeError: if ``model`` is not an ``nn.Module`` or ``images``/``labels`` are not tensors.
        ValueError: for a model without batch-norm layers, an unknown ``layer``, images that are
            not a 4-D batch or labels of another length, or a non-positive ``batch_size``;
            PyTorch's error if a batch leaves a single value per channel somewhere.
    """
    names = batch_norm_layers(model)
    if not names:
        raise ValueError("model must hold at least one BatchNorm2d layer, found none")
    layer = names[0] if layer is None else layer
    if layer not in names:
        raise ValueError(f"layer must be one of the model's batch-norm layers {names}, got {layer!r}")
    if not isinstance(images, Tensor) or not isinstance(labels, Tensor):
        raise TypeError("images and labels must be torch tensors")
    if images.ndim != 4 or len(images) == 0:
        raise ValueError(f"images must be a non-empty (N, C, H, W) batch, got shape {tuple(images.shape)}")
    if labels.shape != (len(images),):
        raise ValueError(f"labels must have shape ({len(images)},), got {tuple(labels.shape)}")
    batch_size = check_int("batch_size", batch_size, 1)
    if not isinstance(grouped, bool):
        raise TypeError(f"grouped must be True or False, got {grouped!r}")

    parameter = next(model.parameters(), None)
    device = parameter.device if parameter is not None else torch.device("cpu")
    images, labels = images.to(device), labels.to(device)
    was_training = model.training
    model.eval()
    try:
        eval_accuracy = (model(images).argmax(dim=1) == labels).float().mean().item()
    finally:
        model.train(was_training)

    replica = copy.deepcopy(model).train()
    watched = dict(replica.named_modules())[layer]
    means, stds = [], []

    def record(module: nn.Module, inputs: tuple, output: Tensor) -> None:
        x = inputs[0]
        dims = [0, *range(2, x.ndim)]
        means.append(x.mean(dim=dims))
        stds.append(x.var(dim=dims, correction=0).add(module.eps).sqrt())

    handle = watched.register_forward_hook(record)
    correct = 0
    try:
        for index in _batches(labels.cpu(), batch_size, grouped, seed):
            index = index.to(device)
            correct += (replica(images[index]).argmax(dim=1) == labels[index]).sum().item()
    finally:
        handle.remove()
    original = dict(model.named_modules())[layer]
    return TrainModePass(
        layer=layer,
        batch_size=batch_size,
        grouped=grouped,
        train_mode_accuracy=correct / len(labels),
        eval_mode_accuracy=eval_accuracy,
        batch_mean=torch.stack(means).cpu().numpy(),
        batch_std=torch.stack(stds).cpu().numpy(),
        running_mean=original.running_mean.detach().cpu().numpy().copy(),
        running_std=original.running_var.detach().sqrt().cpu().numpy().copy(),
    )


def batch_statistics(passes: Mapping[str, TrainModePass], channels: int = 8, title: str | None = None) -> Figure:
    """Each batch's per-channel mean and standard deviation against the running ones, one row per pass.

    ``passes`` maps a label to a :func:`train_mode_pass`. For the first ``channels`` channels of
    the layer, every batch is a small dot (spread sideways so that the dots stay visible) and the
    running statistic, which evaluation mode uses, a black bar. In training mode each batch is
    normalised with its own dot. Rows share their vertical scales, so that spreads compare.
    Introduced in chapter "Batch normalisation".

    Raises:
        ValueError: if no pass is given or ``channels`` is not positive.
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
