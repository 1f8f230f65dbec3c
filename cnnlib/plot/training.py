"""Learning curves and confusion matrices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from torch import Tensor

from cnnlib._checks import check_choice
from cnnlib.train import History


def learning_curves(
    histories: Mapping[str, History] | History,
    title: str | None = None,
    val_label: str = "validation",
    loss_scale: str = "linear",
) -> Figure:
    """Loss and accuracy per epoch, training (dashed) and validation (solid), one colour per run.

    ``histories`` maps a run's label to the :class:`~cnnlib.train.History` that
    :func:`cnnlib.train.fit` returned (a single History is labelled "model"). ``val_label``
    names the data the validation curves were measured on in the legend (``"test"`` when
    ``fit`` was given the test set). ``loss_scale="log"`` draws the loss on a logarithmic axis,
    so that one diverging run does not flatten the others. Introduced in chapter "Why
    convolutions?".

    Raises:
        TypeError: if a value of ``histories`` is not a History.
        ValueError: if no history is given, a history has no epoch, or ``loss_scale`` is neither
            ``"linear"`` nor ``"log"``.

    Examples:
        >>> from cnnlib.plot import learning_curves
        >>> from cnnlib.train import History
        >>> history = History(train_loss=[1.0, 0.5], train_acc=[0.6, 0.8], val_loss=[1.1, 0.7], val_acc=[0.5, 0.7])
        >>> fig = learning_curves({"small CNN": history})
        >>> [ax.get_ylabel() for ax in fig.axes]
        ['cross-entropy loss', 'accuracy (%)']
        >>> learning_curves(history, loss_scale="log").axes[0].get_yscale()
        'log'
    """
    check_choice("loss_scale", loss_scale, ("linear", "log"))
    if isinstance(histories, History):
        histories = {"model": histories}
    if not histories:
        raise ValueError("histories must hold at least one History")
    for label, history in histories.items():
        if not isinstance(history, History):
            raise TypeError(f"histories must map labels to History objects, got {type(history).__name__} for {label!r}")
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.6))
    for i, (label, history) in enumerate(histories.items()):
        if history.epochs == 0:
            raise ValueError(f"history {label!r} has no epoch")
        colour = f"C{i % 10}"
        epochs = np.arange(1, history.epochs + 1)
        ax_loss.plot(epochs, history.train_loss, "--", color=colour, label=f"{label} (train)")
        ax_acc.plot(epochs, np.array(history.train_acc) * 100, "--", color=colour, label=f"{label} (train)")
        if history.val_loss:
            ax_loss.plot(epochs, history.val_loss, "-", color=colour, label=f"{label} ({val_label})")
            ax_acc.plot(epochs, np.array(history.val_acc) * 100, "-", color=colour, label=f"{label} ({val_label})")
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy loss", title="Loss", yscale=loss_scale)
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="Accuracy")
    ax_acc.legend(fontsize=8, loc="lower right")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def confusion_matrix(
    confusion: Tensor | np.ndarray, class_names: Sequence[str] | None = None, title: str | None = None
) -> Figure:
    """A confusion matrix as a heat map with the counts written in the cells (rows: true class).

    Introduced in chapter "Why convolutions?".

    Raises:
        ValueError: if ``confusion`` is not square or ``class_names`` has the wrong length.

    Examples:
        >>> import torch
        >>> from cnnlib.plot import confusion_matrix
        >>> fig = confusion_matrix(torch.tensor([[5, 1], [0, 4]]), class_names=["cat", "dog"])
        >>> fig.axes[0].get_xlabel()
        'predicted class'
    """
    matrix = confusion.cpu().numpy() if isinstance(confusion, Tensor) else np.asarray(confusion)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"confusion must be a square matrix, got shape {matrix.shape}")
    k = matrix.shape[0]
    names = list(class_names) if class_names is not None else [str(i) for i in range(k)]
    if len(names) != k:
        raise ValueError(f"class_names must have {k} entries, got {len(names)}")
    fig, ax = plt.subplots(figsize=(0.45 * k + 2, 0.45 * k + 1.5))
    ax.imshow(matrix, cmap="Blues")
    for i in range(k):
        for j in range(k):
            if matrix[i, j]:
                colour = "white" if matrix[i, j] > matrix.max() / 2 else "black"
                ax.text(j, i, str(int(matrix[i, j])), ha="center", va="center", fontsize=8, color=colour)
    ax.set(xticks=range(k), yticks=range(k), xticklabels=names, yticklabels=names)
    ax.set(xlabel="predicted class", ylabel="true class", title=title or "Confusion matrix")
    fig.tight_layout()
    return fig
