"""Devices, seeds, timing and a plain training loop (no framework: every step is visible).

:func:`fit` trains a classifier and returns a :class:`History` of per-epoch loss and accuracy,
which :func:`cnnlib.plot.learning_curves` draws; :func:`evaluate` measures a trained model and
returns an :class:`Evaluation` with its accuracy, confusion matrix and predictions.
:func:`cosine_recipe` holds the training settings the chapters share (:func:`lenet5_recipe`
those of LeNet-5), :func:`best_time` times a call, :func:`model_device` and :func:`eval_mode` are
the small helpers every function that runs a model needs. :func:`lr_range_test` runs the
learning-rate range test that picks a learning rate for :func:`fit`.
"""

from __future__ import annotations

import contextlib
import copy
import math
import os
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import Tensor, nn
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, SequentialSampler, TensorDataset

from cnnlib._checks import check_bool, check_choice, check_int, check_module, check_number

if TYPE_CHECKING:
    import pandas as pd

Data = DataLoader | tuple[Tensor, Tensor]
OptimizerFactory = Callable[[Iterable[nn.Parameter]], torch.optim.Optimizer]
SchedulerFactory = Callable[[torch.optim.Optimizer], torch.optim.lr_scheduler.LRScheduler]

#: Learning rate of the default optimizer (Adam) of :func:`fit`.
DEFAULT_LR = 1e-3

#: When :func:`fit` steps its learning-rate scheduler: after every epoch or after every step.
SCHEDULER_INTERVALS = ("epoch", "step")


def get_device() -> torch.device:
    """The best available device: CUDA, then Apple's MPS, then the CPU.

    Introduced in chapter "Why convolutions?".

    Examples:
        >>> from cnnlib.train import get_device
        >>> get_device().type in ("cpu", "cuda", "mps")
        True
    """
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch, and ask torch for deterministic algorithms where it has them.

    Algorithms with no deterministic version only warn instead of failing, so a notebook still runs
    on every device. Introduced in chapter "Why convolutions?".

    Raises:
        ValueError: if ``seed`` is negative.

    Examples:
        >>> import torch
        >>> from cnnlib.train import seed_everything
        >>> seed_everything(0)
        >>> a = torch.rand(3)
        >>> seed_everything(0)
        >>> torch.equal(a, torch.rand(3))
        True
    """
    seed = check_int("seed", seed, 0)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # seeds every CUDA device too
    # cuBLAS needs this workspace setting to be deterministic; it must be set before first use.
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False


def model_device(model: nn.Module) -> torch.device:
    """The device of a model's first parameter (or buffer); the CPU for a model with neither.

    Introduced in chapter "Why convolutions?".

    Raises:
        TypeError: if ``model`` is not an ``nn.Module``.

    Examples:
        >>> from torch import nn
        >>> from cnnlib.train import model_device
        >>> model_device(nn.Linear(2, 3)).type, model_device(nn.ReLU()).type
        ('cpu', 'cpu')
    """
    model = check_module("model", model)
    for tensor in model.parameters():
        return tensor.device
    for tensor in model.buffers():
        return tensor.device
    return torch.device("cpu")


@contextlib.contextmanager
def eval_mode(model: nn.Module) -> Iterator[nn.Module]:
    """Put ``model`` in evaluation mode for the ``with`` block, and restore its mode afterwards.

    The mode of every submodule is restored as it was (a frozen part may stay in evaluation mode
    while the rest trains), also when the block raises. Gradients are not switched off: combine
    it with ``torch.no_grad()`` where none are needed. Introduced in chapter "Batch
    normalisation".

    Raises:
        TypeError: if ``model`` is not an ``nn.Module``.

    Examples:
        >>> from torch import nn
        >>> from cnnlib.train import eval_mode
        >>> model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5)).train()
        >>> with eval_mode(model):
        ...     model.training, model[1].training
        (False, False)
        >>> model.training, model[1].training
        (True, True)
    """
    with _mode(check_module("model", model), training=False):
        yield model


@contextlib.contextmanager
def _mode(model: nn.Module, training: bool) -> Iterator[nn.Module]:
    """``model.train(training)`` for the ``with`` block; every submodule's mode restored after."""
    modes = [(module, module.training) for module in model.modules()]
    model.train(training)
    try:
        yield model
    finally:
        for module, was_training in modes:
            module.training = was_training


@torch.no_grad()
def recompute_batch_norm(model: nn.Module, inputs: Tensor, batch_size: int = 500) -> nn.Module:
    """Replace the running statistics of every batch-norm layer of ``model`` by those of ``inputs``.

    A batch-norm layer normalises with running averages of the batch statistics at test time;
    after a short training they lag behind the quickly changing weights, and the test accuracy
    suffers. The standard remedy: reset them and run ``inputs`` (the training images, say)
    through the model in training mode, batch by batch, averaging each layer's batch means and
    variances with equal weights (PyTorch's ``momentum=None``). Nothing else changes: no gradient
    is computed, and every layer's momentum and every submodule's training mode are restored
    afterwards. Returns ``model``. Introduced in chapter "Pooling".

    Raises:
        TypeError: for a model that is not an ``nn.Module``, ``inputs`` that are not a tensor,
            or a ``batch_size`` that is not an integer.
        ValueError: for a model without batch-norm layers, empty ``inputs`` or a non-positive
            ``batch_size``.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.train import recompute_batch_norm
        >>> model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2))
        >>> images = 3.0 + torch.randn(64, 1, 8, 8)
        >>> _ = recompute_batch_norm(model, images, batch_size=16)
        >>> outputs = model[0](images)
        >>> torch.allclose(model[1].running_mean, outputs.mean(dim=(0, 2, 3)), atol=1e-5)
        True
        >>> model.training, model[1].momentum
        (True, 0.1)
    """
    model = check_module("model", model)
    if not isinstance(inputs, Tensor):
        raise TypeError(f"inputs must be a tensor, got {type(inputs).__name__}")
    if len(inputs) == 0:
        raise ValueError("inputs must hold at least one example, got an empty tensor")
    batch_size = check_int("batch_size", batch_size, 1)
    layers = [  # PyTorch's batch-norm layers and cnnlib.models.BatchNorm2d alike
        m for m in model.modules()
        if getattr(m, "track_running_stats", False) and hasattr(m, "reset_running_stats")
    ]
    if not layers:
        raise ValueError("model must hold at least one batch-norm layer with running statistics, found none")
    momenta = [layer.momentum for layer in layers]
    device = model_device(model)
    try:
        for layer in layers:
            layer.reset_running_stats()
            layer.momentum = None  # a plain average over the batches from now on
        with _mode(model, training=True):
            for start in range(0, len(inputs), batch_size):
                model(inputs[start:start + batch_size].to(device))
    finally:
        for layer, momentum in zip(layers, momenta):
            layer.momentum = momentum
    return model


def best_time(function: Callable[[], object], repeats: int = 5, warmup: bool = False) -> float:
    """The shortest wall-clock time of ``repeats`` calls of ``function()``, in milliseconds.

    The shortest time is the one least disturbed by whatever else the machine is doing. With
    ``warmup``, one untimed call comes first (caches, lazy initialisation, memory allocation).
    Where CUDA is in use, every call is followed by ``torch.cuda.synchronize()``: a GPU call
    returns before the GPU has finished. A timing is a measurement: it differs between
    machines and runs, so a chapter asserts the claim it supports rather than the number.
    Introduced in chapter "The convolution operation".

    Raises:
        TypeError: if ``function`` is not callable or ``warmup`` not a bool.
        ValueError: if ``repeats`` is not a positive integer.

    Examples:
        >>> from cnnlib.train import best_time
        >>> best_time(lambda: sum(range(1000)), repeats=3) >= 0.0
        True
    """
    if not callable(function):
        raise TypeError(f"function must be callable without arguments, got {function!r}")
    repeats = check_int("repeats", repeats, 1)
    warmup = check_bool("warmup", warmup)
    if warmup:
        function()
        _synchronize()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        _synchronize()
        best = min(best, time.perf_counter() - start)
    return 1000 * best


def _synchronize() -> None:
    """Wait for the GPU, if CUDA has been used (nothing can be pending otherwise)."""
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()


def cosine_recipe(
    epochs: int,
    batch_size: int,
    lr: float | None = None,
    optimizer: OptimizerFactory | None = None,
) -> dict:
    """Keyword arguments of :func:`fit` for a run whose learning rate decays along a cosine.

    The learning rate starts at the optimizer's and falls to zero by the last epoch
    (``CosineAnnealingLR`` with ``T_max=epochs``, stepped once per epoch; Loshchilov and Hutter,
    2017). The optimizer is :func:`fit`'s default, Adam, at rate ``lr``, or ``optimizer`` (a
    function that builds one from the parameters, carrying its own rate). Use it as
    ``fit(model, data, **cosine_recipe(8, 32, lr=3e-3))``. Introduced in chapter
    "LeNet-5, AlexNet and VGG".

    Raises:
        TypeError: for arguments of the wrong type, or an ``optimizer`` that is not callable.
        ValueError: for a non-positive number of epochs, batch size or learning rate, or both
            ``lr`` and ``optimizer``.

    Examples:
        >>> import functools
        >>> import torch
        >>> from cnnlib.train import cosine_recipe
        >>> recipe = cosine_recipe(epochs=8, batch_size=32, lr=3e-3)
        >>> sorted(recipe)
        ['batch_size', 'epochs', 'lr', 'scheduler']
        >>> sgd = functools.partial(torch.optim.SGD, lr=0.1, momentum=0.9)
        >>> sorted(cosine_recipe(epochs=8, batch_size=64, optimizer=sgd))
        ['batch_size', 'epochs', 'optimizer', 'scheduler']
    """
    epochs = check_int("epochs", epochs, 1)
    recipe: dict = {"epochs": epochs, "batch_size": check_int("batch_size", batch_size, 1)}
    if lr is not None and optimizer is not None:
        raise ValueError("pass either optimizer or lr, not both: an optimizer carries its own learning rate")
    if lr is not None:
        recipe["lr"] = check_number("lr", lr, 0.0, low_open=True)
    if optimizer is not None:
        if not callable(optimizer):
            raise TypeError(f"optimizer must be a function that builds an optimizer from parameters, got {optimizer!r}")
        recipe["optimizer"] = optimizer
    recipe["scheduler"] = lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    return recipe


def lenet5_recipe(epochs: int = 3, batch_size: int = 96, lr: float = 3e-3) -> dict:
    """Keyword arguments of :func:`fit` with which the book trains LeNet-5 on 28x28 images.

    :func:`cosine_recipe` with these defaults: three passes over the training set, 96 images per
    step, Adam from learning rate 3e-3 decayed to zero along a cosine. On Fashion-MNIST's 60,000
    training images this is the run that ``benchmarks/fashion_mnist.py`` holds against the book's
    target, 89% test accuracy in under 15 s of training on two CPU cores. The chapter trains its
    other LeNet-5 runs (MNIST, the sweeps on a subset, the small VGG beside it) with the same
    settings, changing only ``epochs``. Introduced in chapter "LeNet-5, AlexNet and VGG".

    Raises:
        TypeError, ValueError: as :func:`cosine_recipe`.

    Examples:
        >>> from cnnlib.train import lenet5_recipe
        >>> recipe = lenet5_recipe()
        >>> recipe["epochs"], recipe["batch_size"], recipe["lr"]
        (3, 96, 0.003)
        >>> lenet5_recipe(epochs=10)["epochs"]
        10
    """
    return cosine_recipe(epochs, batch_size, lr)


def as_loader(data: Data, batch_size: int = 64, shuffle: bool = False, seed: int = 0) -> DataLoader:
    """Wrap ``(inputs, labels)`` tensors in a DataLoader (shuffled reproducibly by ``seed``).

    The loader indexes the tensors once per batch (a ``BatchSampler`` as its sampler) instead of
    once per example, so it costs little more than slicing the tensors by hand; the batches are
    the same as those of ``DataLoader(TensorDataset(inputs, labels), batch_size, shuffle)`` with
    the same generator. A DataLoader is returned unchanged (``batch_size``, ``shuffle`` and
    ``seed`` are then ignored). Introduced in chapter "Why convolutions?".

    Raises:
        TypeError: if ``data`` is neither a DataLoader nor an ``(inputs, labels)`` pair of tensors.
        ValueError: if the two tensors hold different numbers of examples, or none.

    Examples:
        >>> from cnnlib.data import load_digits
        >>> from cnnlib.train import as_loader
        >>> loader = as_loader(load_digits(split="test"), batch_size=100)
        >>> len(loader)
        4
        >>> next(iter(loader))[0].shape
        torch.Size([100, 1, 8, 8])
    """
    if isinstance(data, DataLoader):
        return data
    if not (
        isinstance(data, (tuple, list))
        and len(data) == 2
        and all(isinstance(t, Tensor) for t in data)
    ):
        raise TypeError(
            f"data must be a DataLoader or an (inputs, labels) pair of tensors, got {type(data).__name__}"
        )
    inputs, labels = data
    if inputs.ndim == 0 or labels.ndim == 0:
        raise ValueError("data tensors must have a first (example) dimension, got a 0-d tensor")
    if len(inputs) != len(labels):
        raise ValueError(
            f"inputs and labels must hold the same number of examples, got {len(inputs)} and {len(labels)}"
        )
    if len(inputs) == 0:
        raise ValueError("data must hold at least one example, got empty tensors")
    batch_size = check_int("batch_size", batch_size, 1)
    if not isinstance(shuffle, bool):
        raise TypeError(f"shuffle must be True or False, got {shuffle!r}")
    generator = torch.Generator().manual_seed(check_int("seed", seed, 0))
    dataset = TensorDataset(inputs, labels)
    order = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
    # batch_size=None: each "sample" the sampler yields is a whole list of indices, and
    # TensorDataset answers it with one indexing operation per tensor.
    return DataLoader(
        dataset,
        sampler=BatchSampler(order, batch_size=batch_size, drop_last=False),
        batch_size=None,
        generator=generator,
    )


@dataclass
class History:
    """Per-epoch record of a :func:`fit` run (validation lists stay empty without validation data).

    Accuracies are fractions in [0, 1]; ``seconds`` is the wall-clock time each epoch spent
    training (the validation pass excluded, so that runs with and without validation data
    compare). Introduced in chapter
    "Why convolutions?".

    Examples:
        >>> from cnnlib.train import History
        >>> history = History(train_loss=[1.0, 0.5], train_acc=[0.6, 0.8])
        >>> history.epochs
        2
        >>> list(history.to_frame().columns)
        ['train_loss', 'train_acc']
    """

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        """Number of epochs recorded."""
        return len(self.train_loss)

    def to_frame(self) -> pd.DataFrame:
        """The history as a pandas DataFrame, one row per epoch (numbered from 1).

        Introduced in chapter "LeNet-5, AlexNet and VGG".
        """
        import pandas as pd

        columns = {
            "train_loss": self.train_loss,
            "train_acc": self.train_acc,
            "val_loss": self.val_loss,
            "val_acc": self.val_acc,
            "seconds": self.seconds,
        }
        frame = pd.DataFrame({k: v for k, v in columns.items() if len(v) == self.epochs})
        frame.index = pd.RangeIndex(1, self.epochs + 1, name="epoch")
        return frame


def _empty_long() -> Tensor:
    return torch.empty(0, dtype=torch.int64)


@dataclass
class Evaluation:
    """Result of :func:`evaluate`: mean loss, accuracy and the confusion matrix (rows: true class).

    ``predictions`` and ``labels`` hold the predicted and the true class of every example, in
    the order of the data, on the CPU.

    Introduced in chapter "Why convolutions?".

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.train import evaluate
        >>> images, labels = torch.zeros(4, 1, 2, 2), torch.tensor([0, 1, 1, 1])
        >>> result = evaluate(nn.Sequential(nn.Flatten(), nn.Linear(4, 2)), (images, labels))
        >>> result.confusion.shape
        torch.Size([2, 2])
    """

    loss: float
    accuracy: float
    confusion: Tensor
    predictions: Tensor = field(default_factory=_empty_long)
    labels: Tensor = field(default_factory=_empty_long)

    @property
    def wrong(self) -> Tensor:
        """Indices (into the data) of the misclassified examples.

        Introduced in chapter "LeNet-5, AlexNet and VGG".
        """
        return (self.predictions != self.labels).nonzero().flatten()


def _check_loss_fn(loss_fn: object) -> Callable[[Tensor, Tensor], Tensor]:
    if loss_fn is None:
        return nn.CrossEntropyLoss()
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable as loss_fn(logits, labels), got {loss_fn!r}")
    return loss_fn


@torch.no_grad()
def evaluate(
    model: nn.Module,
    data: Data,
    loss_fn: Callable[[Tensor, Tensor], Tensor] | None = None,
    batch_size: int = 256,
) -> Evaluation:
    """Loss, accuracy, confusion matrix and predictions of a classifier on ``data``.

    The model runs in evaluation mode (dropout off) on its own device, without gradients, and
    its training/evaluation mode is restored afterwards. The prediction is the class of the
    largest logit; ``confusion[i, j]`` counts the examples of true class ``i`` predicted as
    ``j``. ``loss_fn`` defaults to cross-entropy. Introduced in chapter "Why convolutions?".

    Raises:
        TypeError: for a model that is not an ``nn.Module``, a ``loss_fn`` that is not callable,
            or data that is neither a DataLoader nor an ``(inputs, labels)`` pair.
        ValueError: if ``data`` holds no example.

    Examples:
        >>> from cnnlib.data import load_digits
        >>> from cnnlib.models import SmallCNN
        >>> from cnnlib.train import evaluate, seed_everything
        >>> seed_everything(0)
        >>> result = evaluate(SmallCNN(), load_digits(split="test"))
        >>> 0.0 <= result.accuracy <= 1.0, result.confusion.shape
        (True, torch.Size([10, 10]))
        >>> int(result.confusion.sum()) == len(result.labels)
        True
    """
    model = check_module("model", model)
    loss_fn = _check_loss_fn(loss_fn)
    loader = as_loader(data, batch_size=batch_size)
    device = model_device(model)
    total_loss, count = 0.0, 0
    all_predictions, all_labels = [], []
    with eval_mode(model):
        for inputs, labels in loader:
            inputs, labels = inputs.to(device), labels.to(device)
            logits = model(inputs)
            total_loss += loss_fn(logits, labels).item() * len(labels)
            count += len(labels)
            all_predictions.append(logits.argmax(dim=1).cpu())
            all_labels.append(labels.cpu())
            num_classes = logits.shape[1]
    if count == 0:
        raise ValueError("data must hold at least one example")
    predictions, labels = torch.cat(all_predictions), torch.cat(all_labels)
    k = num_classes
    confusion = (labels * k + predictions).bincount(minlength=k * k).view(k, k)
    accuracy = (predictions == labels).sum().item() / count
    return Evaluation(
        loss=total_loss / count,
        accuracy=accuracy,
        confusion=confusion,
        predictions=predictions,
        labels=labels,
    )


def _check_device(device: object) -> torch.device:
    if device is None:
        return get_device()
    try:
        return torch.device(device)  # type: ignore[arg-type]
    except (RuntimeError, TypeError) as error:
        raise ValueError(
            f"device must be a torch.device or a name such as 'cpu' or 'cuda', got {device!r}"
        ) from error


def _make_optimizer(
    model: nn.Module, optimizer: torch.optim.Optimizer | OptimizerFactory | None, lr: float | None
) -> torch.optim.Optimizer:
    """The optimizer :func:`fit` uses, checked against the model it must train."""
    if lr is not None:
        lr = check_number("lr", lr, 0.0, low_open=True)
    if optimizer is None:
        return torch.optim.Adam(model.parameters(), lr=DEFAULT_LR if lr is None else lr)
    if lr is not None:
        raise ValueError(
            "pass either optimizer or lr, not both: an optimizer carries its own learning rate"
        )
    if not isinstance(optimizer, torch.optim.Optimizer):
        if not callable(optimizer):
            raise TypeError(
                "optimizer must be a torch.optim.Optimizer or a function that builds one from the "
                f"model's parameters, got {type(optimizer).__name__}"
            )
        optimizer = optimizer(model.parameters())
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError(
                f"optimizer factory must return a torch.optim.Optimizer, got {type(optimizer).__name__}"
            )
    owned = {id(p) for p in model.parameters()}
    if not any(id(p) in owned for group in optimizer.param_groups for p in group["params"]):
        raise ValueError("optimizer must update the model's parameters, but holds none of them")
    return optimizer


def _make_scheduler(
    optimizer: torch.optim.Optimizer, scheduler: SchedulerFactory | None
) -> torch.optim.lr_scheduler.LRScheduler | None:
    """The learning-rate scheduler :func:`fit` steps after every epoch, if any."""
    if scheduler is None:
        return None
    if not callable(scheduler):
        raise TypeError(
            f"scheduler must be a function that builds a scheduler from the optimizer, got {scheduler!r}"
        )
    schedule = scheduler(optimizer)
    if not hasattr(schedule, "step"):
        raise TypeError(f"scheduler must return a learning-rate scheduler, got {type(schedule).__name__}")
    return schedule


def _fork_rng(device: torch.device):
    """A context in which torch's global random numbers (dropout) are forked for ``device``."""
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return torch.random.fork_rng(devices=[index], device_type="cuda")
    return torch.random.fork_rng(devices=[], device_type="cuda")  # the CPU generator only


def fit(
    model: nn.Module,
    train_data: Data,
    val_data: Data | None = None,
    epochs: int = 10,
    optimizer: torch.optim.Optimizer | OptimizerFactory | None = None,
    lr: float | None = None,
    batch_size: int = 64,
    loss_fn: Callable[[Tensor, Tensor], Tensor] | None = None,
    device: torch.device | str | None = None,
    seed: int = 0,
    progress: bool = True,
    augment: Callable[[Tensor], Tensor] | None = None,
    scheduler: SchedulerFactory | None = None,
    scheduler_interval: str = "epoch",
    on_epoch_end: Callable[[nn.Module, History], object] | None = None,
) -> History:
    """Train a classifier with mini-batch gradient descent and return its per-epoch history.

    Each epoch: shuffle the training data (reproducibly, from ``seed``), and for every batch
    move it to the device, ``augment`` the inputs (if given), compute the loss, back-propagate
    and step the optimizer; then record the mean training loss and accuracy over the epoch and,
    with ``val_data``, the validation loss and accuracy from :func:`evaluate`. The running sums
    stay on the device and are read once per epoch, so the loop does not wait for the GPU after
    every batch.

    ``optimizer`` is an optimizer over the model's parameters, or a function that builds one from
    them (``functools.partial(torch.optim.SGD, lr=0.01, momentum=0.9)``); by default Adam with
    learning rate ``lr`` (default :data:`DEFAULT_LR`). ``scheduler``, if given, builds a
    learning-rate scheduler from the optimizer
    (``lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)``), stepped
    once at the end of every epoch, or, with ``scheduler_interval="step"``, after every optimizer
    step (as ``OneCycleLR`` expects: its ``total_steps`` is then ``epochs`` times the number of
    batches). ``loss_fn`` defaults to cross-entropy. ``on_epoch_end``, if given, is called as
    ``on_epoch_end(model, history)`` at the end of every epoch, once the epoch's losses and
    accuracies are in ``history``: early stopping keeps a copy of the weights of the best
    validation epoch this way (its return value is ignored).
    The model moves to ``device`` (default: :func:`get_device`). A tqdm progress bar (a widget in
    Jupyter, text elsewhere) counts the epochs when ``progress`` is true.

    Training is repeatable: ``seed`` fixes the shuffling and, inside the loop, torch's global
    random numbers (dropout, random augmentations), which are restored afterwards. The same
    model state, data and seed give the same history and weights (on the CPU exactly; on a GPU
    up to its non-deterministic kernels, see :func:`seed_everything`).
    Introduced in chapter "Why convolutions?"; the options in chapter "LeNet-5, AlexNet and VGG".

    Raises:
        TypeError: for a model that is not an ``nn.Module``, data that is neither a DataLoader
            nor an ``(inputs, labels)`` pair, an optimizer that is neither an optimizer nor a
            function building one, a ``loss_fn``, ``augment``, ``scheduler`` or ``on_epoch_end`` that is not
            callable or a scheduler factory that returns no scheduler, or a non-boolean
            ``progress``.
        ValueError: for a non-positive number of epochs, batch size or learning rate, both
            ``optimizer`` and ``lr``, an optimizer that holds none of the model's parameters,
            empty data, an unknown device, or a ``scheduler_interval`` other than ``"epoch"``
            and ``"step"``.

    Examples:
        >>> from cnnlib.data import load_digits
        >>> from cnnlib.models import SmallCNN
        >>> from cnnlib.train import evaluate, fit, seed_everything
        >>> seed_everything(0)
        >>> model = SmallCNN()
        >>> history = fit(model, load_digits(split="train"), load_digits(split="test"), epochs=3, progress=False)
        >>> history.epochs
        3
        >>> len(history.val_acc), history.train_loss[-1] < history.train_loss[0]
        (3, True)

        A one-cycle schedule, stepped after every batch (the 1,437 training digits in batches of
        500 make 3 steps per epoch):

        >>> import torch
        >>> schedules = []
        >>> def one_cycle(opt):
        ...     schedules.append(torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.01, total_steps=2 * 3))
        ...     return schedules[-1]
        >>> _ = fit(model, load_digits(split="train"), epochs=2, batch_size=500,
        ...         scheduler=one_cycle, scheduler_interval="step", progress=False)
        >>> schedules[0].last_epoch  # stepped once per batch: 2 epochs of 3 batches
        6

        Early stopping: keep the weights of the epoch with the best validation accuracy.

        >>> import copy
        >>> best = {}
        >>> def keep_best(model, history):
        ...     if history.val_acc[-1] >= max(history.val_acc):
        ...         best.update(epoch=history.epochs, state=copy.deepcopy(model.state_dict()))
        >>> history = fit(SmallCNN(), load_digits(split="train"), load_digits(split="test"), epochs=3,
        ...               on_epoch_end=keep_best, progress=False)
        >>> best["epoch"] == 1 + history.val_acc.index(max(history.val_acc))
        True
    """
    from tqdm.auto import tqdm

    model = check_module("model", model)
    epochs = check_int("epochs", epochs, 1)
    seed = check_int("seed", seed, 0)
    progress = check_bool("progress", progress)
    per_step = check_choice("scheduler_interval", scheduler_interval, SCHEDULER_INTERVALS) == "step"
    if on_epoch_end is not None and not callable(on_epoch_end):
        raise TypeError(f"on_epoch_end must be callable as on_epoch_end(model, history), got {on_epoch_end!r}")
    if augment is not None and not callable(augment):
        raise TypeError(f"augment must be callable as augment(inputs) -> inputs, got {augment!r}")
    loss_fn = _check_loss_fn(loss_fn)
    device = _check_device(device)
    loader = as_loader(train_data, batch_size=batch_size, shuffle=True, seed=seed)
    if val_data is not None:
        val_data = as_loader(val_data, batch_size=max(batch_size, 256))
    model.to(device)
    optimizer = _make_optimizer(model, optimizer, lr)
    schedule = _make_scheduler(optimizer, scheduler)

    history = History()
    bar = tqdm(range(epochs), desc=f"training {type(model).__name__} (epochs)", disable=not progress)
    with _fork_rng(device):
        torch.manual_seed(seed)  # dropout and augmentations draw from here
        for _ in bar:
            start = time.perf_counter()
            model.train()
            loss_sum = torch.zeros((), device=device)
            correct = torch.zeros((), dtype=torch.int64, device=device)
            count = 0
            for inputs, labels in loader:
                inputs, labels = inputs.to(device), labels.to(device)
                if augment is not None:
                    inputs = augment(inputs)
                optimizer.zero_grad()
                logits = model(inputs)
                loss = loss_fn(logits, labels)
                loss.backward()
                optimizer.step()
                if schedule is not None and per_step:
                    schedule.step()
                loss_sum += loss.detach() * len(labels)
                correct += (logits.argmax(dim=1) == labels).sum()
                count += len(labels)
            if count == 0:
                raise ValueError("train_data must hold at least one example")
            history.train_loss.append(loss_sum.item() / count)  # .item() waits for the device
            history.train_acc.append(correct.item() / count)
            history.seconds.append(time.perf_counter() - start)
            if val_data is not None:
                result = evaluate(model, val_data, loss_fn=loss_fn)
                history.val_loss.append(result.loss)
                history.val_acc.append(result.accuracy)
            if schedule is not None and not per_step:
                schedule.step()
            if on_epoch_end is not None:
                on_epoch_end(model, history)
            shown = {"loss": f"{history.train_loss[-1]:.3f}", "acc": f"{history.train_acc[-1]:.3f}"}
            if history.val_acc:
                shown["val_acc"] = f"{history.val_acc[-1]:.3f}"
            bar.set_postfix(shown)
    bar.close()
    return history


@dataclass
class LRRangeTest:
    """Result of :func:`lr_range_test`: the learning rate, loss and smoothed loss of every step.

    ``lrs`` grow geometrically; ``losses`` are the mini-batch losses, ``smoothed`` their
    exponential moving average with bias correction; all three have one entry per step taken
    (fewer than asked for when the test stopped early, which ``stopped_early`` says).
    ``suggestion`` is a tenth of the learning rate at which the smoothed loss is lowest.
    Introduced in chapter "Training a CNN well".

    Examples:
        >>> import numpy as np
        >>> from cnnlib.train import LRRangeTest
        >>> result = LRRangeTest(np.array([0.01, 0.1, 1.0]), np.array([2.0, 1.0, 3.0]),
        ...                      np.array([2.0, 1.5, 2.1]), suggestion=0.01, stopped_early=False)
        >>> result.steps, result.best_lr
        (3, 0.1)
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggestion: float
    stopped_early: bool

    @property
    def steps(self) -> int:
        """Number of steps taken."""
        return len(self.lrs)

    @property
    def best_lr(self) -> float:
        """The learning rate at which the smoothed loss is lowest.

        Introduced in chapter "Training a CNN well".
        """
        return float(self.lrs[int(np.nanargmin(self.smoothed))])


def lr_range_test(
    model: nn.Module,
    train_data: Data,
    min_lr: float = 1e-7,
    max_lr: float = 10.0,
    steps: int = 100,
    batch_size: int = 64,
    optimizer: OptimizerFactory | None = None,
    seed: int = 0,
    smooth: float = 0.98,
    stop_factor: float = 4.0,
    device: torch.device | str | None = None,
) -> LRRangeTest:
    """The learning-rate range test: train briefly with a growing learning rate, record the loss.

    Smith (2017, "Cyclical learning rates for training neural networks", section 3.3), as fastai's
    ``lr_find``: a *copy* of ``model`` takes ``steps`` optimizer steps on shuffled mini-batches of
    ``train_data`` (cycling through it if it runs out), the learning rate growing geometrically
    from ``min_lr`` to ``max_lr``, ``lr_i = min_lr * (max_lr / min_lr) ** (i / (steps - 1))``. The
    loss first stays flat (too small a rate to learn), then falls, then rises as the rate becomes
    too large. Each step's loss is recorded raw and as an exponential moving average,
    ``avg = smooth * avg + (1 - smooth) * loss``, divided by ``1 - smooth ** (i + 1)`` to undo its
    start at zero. The test stops early once the smoothed loss exceeds ``stop_factor`` times its
    lowest value so far, or is no longer finite.

    The suggested learning rate is a tenth of the rate at which the smoothed loss is lowest: at
    the minimum the rate is already about to make training diverge, and a tenth of it lies on
    the falling part of the curve (fastai's ``lr_min``; the steepest descent, its other rule, is
    noisier on a short test).

    The model passed in is left unchanged, and so are torch's global random numbers.
    ``optimizer`` is a function that builds an optimizer from the parameters (as :func:`fit`
    accepts; its learning rate is overwritten at every step), by default Adam; ``seed`` fixes the
    shuffling and dropout. Introduced in chapter "Training a CNN well".

    Raises:
        TypeError: for a model that is not an ``nn.Module``, data that is neither a DataLoader
            nor an ``(inputs, labels)`` pair, an ``optimizer`` that is an optimizer already
            built (it would train the original model) or not callable, or arguments of the
            wrong type.
        ValueError: for a non-positive ``min_lr``, a ``max_lr`` not above it, fewer than 2
            steps, a non-positive batch size, a negative seed, a ``smooth`` outside [0, 1), a
            ``stop_factor`` not above 1, empty data or an unknown device.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.train import lr_range_test
        >>> g = torch.Generator().manual_seed(0)
        >>> x = torch.randn(256, 2, generator=g)
        >>> y = (x[:, 0] + x[:, 1] + torch.randn(256, generator=g) > 0).long()  # noisy labels
        >>> model = nn.Linear(2, 2)
        >>> result = lr_range_test(model, (x, y), min_lr=1e-4, max_lr=10.0, steps=50, device="cpu")
        >>> float(result.lrs[0]), float(result.lrs[-1]) <= 10.0, result.steps <= 50
        (0.0001, True, True)
        >>> 1e-4 < result.suggestion < 1.0
        True
    """
    model = check_module("model", model)
    min_lr = check_number("min_lr", min_lr, 0.0, low_open=True)
    max_lr = check_number("max_lr", max_lr, 0.0, low_open=True)
    if max_lr <= min_lr:
        raise ValueError(f"max_lr must be larger than min_lr ({min_lr:g}), got {max_lr:g}")
    steps = check_int("steps", steps, 2)
    seed = check_int("seed", seed, 0)
    smooth = check_number("smooth", smooth, 0.0, 1.0)
    if smooth == 1.0:
        raise ValueError("smooth must be a number from 0 to 1, 1 excluded (the average would never move), got 1")
    stop_factor = check_number("stop_factor", stop_factor, 1.0, low_open=True)
    if isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            "optimizer must be a function that builds an optimizer from parameters, not an optimizer: "
            "the test trains a copy of the model, which an optimizer already built would not update"
        )
    if optimizer is not None and not callable(optimizer):
        raise TypeError(
            f"optimizer must be a function that builds an optimizer from parameters, got {optimizer!r}"
        )
    device = _check_device(device)
    loader = as_loader(train_data, batch_size=batch_size, shuffle=True, seed=seed)

    trial = copy.deepcopy(model).to(device)
    opt = _make_optimizer(trial, optimizer, min_lr if optimizer is None else None)
    loss_fn = nn.CrossEntropyLoss()
    lrs = np.geomspace(min_lr, max_lr, steps)
    lrs[0], lrs[-1] = min_lr, max_lr  # exactly the bounds, whatever the rounding
    losses: list[float] = []
    smoothed: list[float] = []
    average, best, stopped = 0.0, math.inf, False
    batches = iter(loader)
    with _fork_rng(device):
        torch.manual_seed(seed)  # dropout draws from here
        trial.train()
        for i, lr in enumerate(lrs):
            try:
                inputs, labels = next(batches)
            except StopIteration:  # the data ran out: start another (reshuffled) pass
                batches = iter(loader)
                inputs, labels = next(batches)
            inputs, labels = inputs.to(device), labels.to(device)
            for group in opt.param_groups:
                group["lr"] = float(lr)
            opt.zero_grad()
            loss = loss_fn(trial(inputs), labels)
            loss.backward()
            opt.step()
            losses.append(loss.item())
            average = smooth * average + (1 - smooth) * losses[-1]
            smoothed.append(average / (1 - smooth ** (i + 1)))
            if not math.isfinite(smoothed[-1]) or smoothed[-1] > stop_factor * best:
                stopped = i < steps - 1
                break
            best = min(best, smoothed[-1])
    taken = len(losses)
    curve = np.array(smoothed)
    finite = np.where(np.isfinite(curve), curve, np.inf)
    suggestion = float(lrs[int(np.argmin(finite))]) / 10
    return LRRangeTest(
        lrs=lrs[:taken], losses=np.array(losses), smoothed=curve, suggestion=suggestion, stopped_early=stopped
    )
