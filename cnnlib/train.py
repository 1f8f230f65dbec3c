"""Devices, seeds and a plain training loop (no framework: every step is visible)."""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, TensorDataset

from cnnlib._checks import check_int

Data = DataLoader | tuple[Tensor, Tensor]


def get_device() -> torch.device:
    """The best available device: CUDA, then Apple's MPS, then the CPU.

    Introduced in chapter "Why convolutions?".
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


def as_loader(data: Data, batch_size: int = 64, shuffle: bool = False, seed: int = 0) -> DataLoader:
    """Wrap ``(inputs, labels)`` tensors in a DataLoader (shuffled reproducibly by ``seed``).

    A DataLoader is returned unchanged. Introduced in chapter "Why convolutions?".

    Raises:
        TypeError: if ``data`` is neither a DataLoader nor an ``(inputs, labels)`` pair of tensors.
        ValueError: if the two tensors hold different numbers of examples.
    """
    if isinstance(data, DataLoader):
        return data
    if not (
        isinstance(data, (tuple, list))
        and len(data) == 2
        and all(isinstance(t, Tensor) for t in data)
    ):
        raise TypeError("data must be a DataLoader or an (inputs, labels) pair of tensors")
    inputs, labels = data
    if len(inputs) != len(labels):
        raise ValueError(
            f"inputs and labels must hold the same number of examples, got {len(inputs)} and {len(labels)}"
        )
    batch_size = check_int("batch_size", batch_size, 1)
    generator = torch.Generator().manual_seed(check_int("seed", seed, 0))
    return DataLoader(
        TensorDataset(inputs, labels), batch_size=batch_size, shuffle=shuffle, generator=generator
    )


@dataclass
class History:
    """Per-epoch record of a :func:`fit` run (validation lists stay empty without validation data)."""

    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        """Number of epochs recorded."""
        return len(self.train_loss)


@dataclass
class Evaluation:
    """Result of :func:`evaluate`: mean loss, accuracy and the confusion matrix (rows: true class)."""

    loss: float
    accuracy: float
    confusion: Tensor


def _model_device(model: nn.Module) -> torch.device:
    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


@torch.no_grad()
def evaluate(
    model: nn.Module,
    data: Data,
    loss_fn: nn.Module | None = None,
    batch_size: int = 256,
) -> Evaluation:
    """Loss, accuracy and confusion matrix of a classifier on ``data``, in evaluation mode.

    The model stays on its device and its training/evaluation mode is restored afterwards.
    Introduced in chapter "Why convolutions?".

    Raises:
        TypeError: for data that is neither a DataLoader nor an ``(inputs, labels)`` pair.
        ValueError: if ``data`` holds no example.
    """
    loader = as_loader(data, batch_size=batch_size)
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    device = _model_device(model)
    was_training = model.training
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    confusion: Tensor | None = None
    for inputs, labels in loader:
        inputs, labels = inputs.to(device), labels.to(device)
        logits = model(inputs)
        total_loss += loss_fn(logits, labels).item() * len(labels)
        predictions = logits.argmax(dim=1)
        correct += (predictions == labels).sum().item()
        count += len(labels)
        k = logits.shape[1]
        if confusion is None:
            confusion = torch.zeros(k, k, dtype=torch.int64)
        flat = (labels.cpu() * k + predictions.cpu()).bincount(minlength=k * k)
        confusion += flat.view(k, k)
    model.train(was_training)
    if count == 0 or confusion is None:
        raise ValueError("data must hold at least one example")
    return Evaluation(loss=total_loss / count, accuracy=correct / count, confusion=confusion)


def fit(
    model: nn.Module,
    train_data: Data,
    val_data: Data | None = None,
    epochs: int = 10,
    optimizer: torch.optim.Optimizer | None = None,
    lr: float = 1e-3,
    batch_size: int = 64,
    loss_fn: nn.Module | None = None,
    device: torch.device | str | None = None,
    seed: int = 0,
    progress: bool = True,
) -> History:
    """Train a classifier with mini-batch gradient descent and return its per-epoch history.

    Each epoch: shuffle (reproducibly, from ``seed``), and for every batch compute the loss,
    back-propagate and step the optimizer; then record the training loss and accuracy and, with
    ``val_data``, the validation loss and accuracy. ``optimizer`` defaults to Adam with learning
    rate ``lr``. The model moves to ``device`` (default: :func:`get_device`). A tqdm progress bar
    (a widget in Jupyter, text elsewhere) shows the epochs when ``progress`` is true.
    Introduced in chapter "Why convolutions?".

    Raises:
        ValueError: for a non-positive number of epochs or a non-positive learning rate.
        TypeError: for data that is neither a DataLoader nor an ``(inputs, labels)`` pair.
    """
    from tqdm.auto import tqdm

    epochs = check_int("epochs", epochs, 1)
    if not (isinstance(lr, (int, float)) and lr > 0):
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    loader = as_loader(train_data, batch_size=batch_size, shuffle=True, seed=seed)
    device = torch.device(device) if device is not None else get_device()
    model.to(device)
    optimizer = optimizer or torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    history = History()
    bar = tqdm(range(epochs), desc="epochs", disable=not progress)
    for _ in bar:
        start = time.perf_counter()
        model.train()
        total_loss, correct, count = 0.0, 0, 0
        for inputs, labels in loader:
            inputs, labels = inputs.to(device), labels.to(device)
            optimizer.zero_grad()
            logits = model(inputs)
            loss = loss_fn(logits, labels)
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * len(labels)
            correct += (logits.argmax(dim=1) == labels).sum().item()
            count += len(labels)
        history.train_loss.append(total_loss / count)
        history.train_acc.append(correct / count)
        if val_data is not None:
            result = evaluate(model, val_data, loss_fn=loss_fn)
            history.val_loss.append(result.loss)
            history.val_acc.append(result.accuracy)
        history.seconds.append(time.perf_counter() - start)
        shown = {"loss": f"{history.train_loss[-1]:.3f}", "acc": f"{history.train_acc[-1]:.3f}"}
        if history.val_acc:
            shown["val_acc"] = f"{history.val_acc[-1]:.3f}"
        bar.set_postfix(shown)
    return history
