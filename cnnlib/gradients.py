"""Gradients inside a network: how large the loss's gradient is at each layer.

:func:`layer_gradient_norms` measures, for one batch, the norm of the gradient of the loss with
respect to each layer's weights, in the order the forward pass runs the layers. Plotted against
depth (:func:`cnnlib.plot.gradient_norms`) it shows gradients that vanish or explode on
their way back to the input. Introduced in chapter "ResNet".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import torch
from torch import Tensor, nn

from cnnlib._checks import check_bool, check_int, check_module
from cnnlib.train import _mode

if TYPE_CHECKING:
    import pandas as pd

#: Columns of the frame :func:`layer_gradient_norms` returns, in order.
GRADIENT_COLUMNS = ("layer", "type", "position", "weight_norm", "grad_norm")


def layer_gradient_norms(
    model: nn.Module,
    inputs: Tensor,
    labels: Tensor,
    loss_fn: Callable[[Tensor, Tensor], Tensor] | None = None,
    layer_types: tuple[type[nn.Module], ...] = (nn.Conv2d, nn.Linear),
    exclude: Sequence[str] = (),
    train_mode: bool = True,
) -> pd.DataFrame:
    """The Frobenius norm of ``d loss / d weight`` for every weighted layer, input side first.

    Runs one forward and backward pass of ``model`` on ``(inputs, labels)`` (cross-entropy by
    default) and returns one row per layer of ``layer_types`` that the forward pass ran, in the
    order it ran them, with the columns of :data:`GRADIENT_COLUMNS`: the layer's qualified name,
    its type, its position (1 = the first weighted layer, next to the input), the norm
    ``||W||_F`` of its weights and the norm ``||dL/dW||_F`` of their gradient. Layers whose name
    contains one of the strings in ``exclude`` are left out (``("downsample",)`` leaves out the
    projection shortcuts of a ResNet, so that the positions count the layers of its depth).

    The model runs in training mode by default (batch norm with the batch's statistics, as at
    the first step of training) and its mode is restored afterwards. The gradients come from
    ``torch.autograd.grad``, so the parameters' ``.grad`` are left untouched.
    Introduced in chapter "ResNet".

    Raises:
        TypeError: if ``model`` is not an ``nn.Module``, ``inputs`` or ``labels`` are not tensors,
            ``loss_fn`` is not callable, ``layer_types`` is not a tuple of module classes,
            ``exclude`` is not a sequence of strings or ``train_mode`` is not a bool.
        ValueError: if ``inputs`` and ``labels`` hold different numbers of examples, or none, or
            the forward pass ran no layer of ``layer_types`` that has a weight needing a gradient.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.gradients import layer_gradient_norms
        >>> model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 10))
        >>> frame = layer_gradient_norms(model, torch.randn(8, 1, 8, 8), torch.randint(0, 10, (8,)))
        >>> list(frame["layer"]), list(frame["position"])
        (['0', '3'], [1, 2])
        >>> bool((frame["grad_norm"] > 0).all())
        True
    """
    import pandas as pd

    model = check_module("model", model)
    if not isinstance(inputs, Tensor) or not isinstance(labels, Tensor):
        raise TypeError(
            f"inputs and labels must be tensors, got {type(inputs).__name__} and {type(labels).__name__}"
        )
    if inputs.ndim == 0 or labels.ndim == 0 or len(inputs) != len(labels) or len(inputs) == 0:
        raise ValueError(
            "inputs and labels must hold the same, non-zero number of examples, got shapes "
            f"{tuple(inputs.shape)} and {tuple(labels.shape)}"
        )
    if loss_fn is None:
        loss_fn = nn.functional.cross_entropy
    elif not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable as loss_fn(outputs, labels), got {loss_fn!r}")
    if not (
        isinstance(layer_types, tuple)
        and layer_types
        and all(isinstance(t, type) and issubclass(t, nn.Module) for t in layer_types)
    ):
        raise TypeError(f"layer_types must be a non-empty tuple of nn.Module classes, got {layer_types!r}")
    if isinstance(exclude, str) or not all(isinstance(e, str) for e in exclude):
        raise TypeError(f"exclude must be a sequence of strings (parts of layer names), got {exclude!r}")
    train_mode = check_bool("train_mode", train_mode)

    names = {module: name for name, module in model.named_modules()}
    order: list[nn.Module] = []

    def record(module: nn.Module, _inputs: tuple, _output: object) -> None:
        if module not in order:
            order.append(module)

    chosen = [
        m for m in model.modules()
        if isinstance(m, layer_types)
        and not any(part in names[m] for part in exclude)
        and isinstance(getattr(m, "weight", None), Tensor)
        and m.weight.requires_grad
    ]
    handles = [m.register_forward_hook(record) for m in chosen]
    try:
        with _mode(model, training=train_mode):
            loss = loss_fn(model(inputs), labels)
    finally:
        for handle in handles:
            handle.remove()
    if not order:
        raise ValueError(
            f"the forward pass ran no layer of types {[t.__name__ for t in layer_types]} with a "
            "trainable weight (check layer_types and exclude)"
        )
    grads = torch.autograd.grad(loss, [m.weight for m in order], allow_unused=True)
    rows = [
        {
            "layer": names[m],
            "type": type(m).__name__,
            "position": i,
            "weight_norm": m.weight.detach().norm().item(),
            "grad_norm": 0.0 if g is None else g.norm().item(),
        }
        for i, (m, g) in enumerate(zip(order, grads), start=1)
    ]
    return pd.DataFrame(rows, columns=list(GRADIENT_COLUMNS))


def resnet_gradient_norms(
    depth: int,
    inputs: Tensor,
    labels: Tensor,
    residual: bool = True,
    batch_norm: bool = True,
    widths: Sequence[int] = (8, 16, 32),
    seed: int = 0,
) -> pd.DataFrame:
    """:func:`layer_gradient_norms` of a freshly initialised :class:`~cnnlib.models.SmallResNet`.

    Builds ``SmallResNet(in_channels, num_classes=10, widths, blocks_per_stage, residual,
    batch_norm)`` with the weights drawn from ``torch.manual_seed(seed)`` (inside a forked random
    state, so torch's global random numbers are left as they were), on the device of ``inputs``,
    with ``blocks_per_stage = (depth - 2) / (2 * len(widths))``, and measures the gradient norm of
    each of its ``depth`` weighted layers on one batch (the projection shortcuts are left out).
    The same arguments give the same frame. Introduced in chapter "ResNet".

    Raises:
        ValueError: if ``depth - 2`` is not a positive multiple of ``2 * len(widths)`` (with three
            stages: 8, 14, 20, 26, 32 ...), or for the errors of :class:`~cnnlib.models.SmallResNet`
            and :func:`layer_gradient_norms`.
        TypeError: for a non-integer ``depth`` or ``seed``, and as those two.

    Examples:
        >>> import torch
        >>> from cnnlib.gradients import resnet_gradient_norms
        >>> images, labels = torch.randn(16, 1, 8, 8), torch.randint(0, 10, (16,))
        >>> frame = resnet_gradient_norms(20, images, labels, residual=False)
        >>> len(frame), frame["layer"].iloc[0], frame["layer"].iloc[-1]
        (20, 'stem.0', 'fc')
    """
    from cnnlib.models import SmallResNet

    depth = check_int("depth", depth, 1)
    seed = check_int("seed", seed, 0)
    widths = list(widths)
    per_block = 2 * len(widths)
    if not widths or depth - 2 < per_block or (depth - 2) % per_block:
        raise ValueError(
            f"depth must be 2 plus a positive multiple of {per_block} (2 layers per block, "
            f"{len(widths)} stages), got {depth}"
        )
    if not isinstance(inputs, Tensor) or inputs.ndim != 4:
        raise ValueError(f"inputs must be a batch of images (N, C, H, W), got {getattr(inputs, 'shape', inputs)!r}")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = SmallResNet(
            in_channels=inputs.shape[1], num_classes=10, widths=widths,
            blocks_per_stage=(depth - 2) // per_block, residual=residual, batch_norm=batch_norm,
        )
    model.to(inputs.device)
    return layer_gradient_norms(model, inputs, labels, exclude=("downsample",))
