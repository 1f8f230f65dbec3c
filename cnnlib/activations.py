"""What the layers of a network compute: one layer's output, and activation and batch-norm statistics.

- :func:`layer_output` captures the output of one layer for an input; :func:`map_layers` lists the
  layers that output feature maps (chapter "LeNet-5, AlexNet and VGG").
- :class:`ActivationRecorder` records the mean and standard deviation of chosen layers' outputs
  at every training step; :func:`cnnlib.plot.activation_statistics` draws them.
- :func:`train_mode_pass` runs a network in training mode batch by batch (on a copy, so nothing
  changes) and collects each batch's statistics at one batch-norm layer;
  :func:`cnnlib.plot.batch_statistics` draws them against the layer's running statistics
  (chapter "Batch normalisation").
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import Tensor, nn

from cnnlib._checks import check_bool, check_int, check_module, check_tensor
from cnnlib.models.layers import BatchNorm2d
from cnnlib.train import eval_mode, model_device

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

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.activations import ActivationRecorder
        >>> model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Conv2d(4, 4, 3), nn.ReLU())
        >>> with ActivationRecorder(model) as recorder:
        ...     for _ in range(3):  # three training steps
        ...         _ = model(torch.randn(8, 1, 10, 10))
        >>> frame = recorder.frame()
        >>> len(frame), list(frame.columns), frame["label"].unique().tolist()
        (6, ['layer', 'label', 'step', 'mean', 'std'], ['ReLU 1', 'ReLU 2'])
    """

    def __init__(self, model: nn.Module, layer_type: type[nn.Module] = nn.ReLU) -> None:
        check_module("model", model)
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


def batch_norm_layers(model: nn.Module) -> list[str]:
    """Qualified names of the ``BatchNorm2d`` layers (PyTorch's or cnnlib's) of ``model``, in order.

    Introduced in chapter "Batch normalisation".

    Raises:
        TypeError: if ``model`` is not an ``nn.Module``.

    Examples:
        >>> from torch import nn
        >>> from cnnlib.activations import batch_norm_layers
        >>> from cnnlib.models import BatchNorm2d
        >>> batch_norm_layers(nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), BatchNorm2d(4)))
        ['1', '3']
    """
    check_module("model", model)
    return [name for name, m in model.named_modules() if isinstance(m, BATCH_NORMS)]


@dataclass
class TrainModePass:
    """Result of :func:`train_mode_pass`.

    ``batch_mean`` and ``batch_std`` have one row per batch and one column per channel (the
    standard deviation is the biased one the layer normalises with); ``running_mean`` and
    ``running_std`` (the square root of ``running_var``) are what evaluation mode uses instead.
    Accuracies are fractions in [0, 1]. Introduced in chapter "Batch normalisation".

    Examples:
        >>> from torch import nn
        >>> from cnnlib.activations import TrainModePass, train_mode_pass
        >>> from cnnlib.data import load_digits
        >>> images, labels = load_digits(split="test")
        >>> model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(144, 10))
        >>> result = train_mode_pass(model, images, labels, batch_size=60)
        >>> isinstance(result, TrainModePass), result.batch_mean.shape, result.running_mean.shape
        (True, (6, 4), (4,))
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

    Examples:
        >>> from torch import nn
        >>> from cnnlib.activations import train_mode_pass
        >>> from cnnlib.data import load_digits
        >>> images, labels = load_digits(split="test")
        >>> model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(144, 10))
        >>> small = train_mode_pass(model, images, labels, batch_size=4)
        >>> large = train_mode_pass(model, images, labels, batch_size=120)
        >>> small.mean_deviation > large.mean_deviation  # small batches: noisier statistics
        True
    """
    names = batch_norm_layers(model)
    if not names:
        raise ValueError("model must hold at least one BatchNorm2d layer, found none")
    layer = names[0] if layer is None else layer
    if layer not in names:
        raise ValueError(f"layer must be one of the model's batch-norm layers {names}, got {layer!r}")
    images = check_tensor("images", images, 4, "(N, C, H, W)")
    labels = check_tensor("labels", labels)
    if len(images) == 0:
        raise ValueError(f"images must be a non-empty (N, C, H, W) batch, got shape {tuple(images.shape)}")
    if labels.shape != (len(images),):
        raise ValueError(f"labels must have shape ({len(images)},), got {tuple(labels.shape)}")
    batch_size = check_int("batch_size", batch_size, 1)
    grouped = check_bool("grouped", grouped)

    device = model_device(model)
    images, labels = images.to(device), labels.to(device)
    with eval_mode(model):
        eval_accuracy = (model(images).argmax(dim=1) == labels).float().mean().item()

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


def find_layer(model: nn.Module, layer: str | nn.Module) -> tuple[str, nn.Module]:
    """The ``(qualified name, module)`` of ``layer`` in ``model``, given by name or as the module.

    Names are those of ``model.named_modules()`` (``"features.c1"``); the model itself is named
    after its class. Introduced in chapter "LeNet-5, AlexNet and VGG".

    Raises:
        TypeError: if ``model`` is not an ``nn.Module``.
        ValueError: if ``layer`` is not in the model (the message lists its layers).

    Examples:
        >>> from torch import nn
        >>> from cnnlib.activations import find_layer
        >>> model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU())
        >>> find_layer(model, "1")
        ('1', ReLU())
    """
    model = check_module("model", model)
    for name, module in model.named_modules():
        if (isinstance(layer, str) and name == layer) or module is layer:
            return name or type(model).__name__, module
    names = [name for name, _ in model.named_modules() if name]
    raise ValueError(f"layer must be one of the model's layers {names}, got {layer!r}")


@torch.no_grad()
def layer_output(model: nn.Module, inputs: Tensor, layer: str | nn.Module) -> Tensor:
    """The output of one layer of ``model`` for ``inputs``, captured with a forward hook.

    The model runs in evaluation mode on its own device (its mode is restored afterwards);
    ``layer`` is a qualified name from ``model.named_modules()`` (``"features.c1"``) or the
    module itself. Returns the layer's output, detached. Introduced in chapter
    "LeNet-5, AlexNet and VGG".

    Raises:
        TypeError: if ``model`` is not an ``nn.Module`` or ``inputs`` not a tensor.
        ValueError: if ``layer`` is not in the model, or the forward pass never calls it.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.activations import layer_output
        >>> model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten())
        >>> layer_output(model, torch.rand(2, 1, 8, 8), "1").shape
        torch.Size([2, 4, 6, 6])
    """
    inputs = check_tensor("inputs", inputs)
    name, module = find_layer(model, layer)
    captured: list[Tensor] = []
    handle = module.register_forward_hook(lambda m, args, output: captured.append(output))
    try:
        with eval_mode(model):
            model(inputs.to(model_device(model)))
    finally:
        handle.remove()
    if not captured:
        raise ValueError(f"layer {name!r} was not called by the model's forward pass")
    return captured[0].detach()


def map_layers(model: nn.Module, image: Tensor) -> list[str]:
    """Qualified names of the layers of ``model`` (no sub-layers) that output ``(N, C, H, W)`` maps
    for ``image``, in the order of ``model.named_modules()``.

    ``image`` is one ``(C, H, W)`` input; each layer's output is taken with :func:`layer_output`.
    Introduced in chapter "LeNet-5, AlexNet and VGG".

    Raises:
        TypeError: if ``model`` is not an ``nn.Module`` or ``image`` not a tensor.
        ValueError: if ``image`` is not 3-D.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.activations import map_layers
        >>> model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(144, 10))
        >>> map_layers(model, torch.rand(1, 8, 8))
        ['0', '1']
    """
    model = check_module("model", model)
    image = check_tensor("image", image, 3, "(C, H, W)")
    names = []
    for name, module in model.named_modules():
        if name and next(module.children(), None) is None:
            try:
                if layer_output(model, image.unsqueeze(0), name).ndim == 4:
                    names.append(name)
            except ValueError:  # a layer the forward pass does not call
                continue
    return names
