"""Transfer learning: choose what a fine-tuning run may change.

:func:`freeze` and :func:`freeze_batchnorm` fix the parameters and batch-norm statistics of a
pretrained network outside the named submodules; :func:`parameter_counts` shows what remains
trainable, module by module; :func:`parameter_groups` gives each part its own learning rate.
The pretrained weights come from :mod:`cnnlib.hub` (torchvision's) and :mod:`cnnlib.checkpoint`
(the book's own), the digit tasks from :mod:`cnnlib.data`.

Introduced in chapter "Transfer learning".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from cnnlib._checks import check_bool, check_module, check_number

if TYPE_CHECKING:
    import pandas as pd


def _check_names(model: nn.Module, names: object, argument: str) -> tuple[str, ...]:
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise TypeError(f"{argument} must be a sequence of module names such as ('fc',), got {names!r}")
    known = dict(model.named_modules())
    for name in names:
        if name not in known or name == "":
            children = ", ".join(repr(n) for n, _ in model.named_children())
            raise ValueError(f"{argument} must name submodules of the model (children: {children}), got {name!r}")
    return tuple(names)


def _inside(name: str, modules: tuple[str, ...]) -> bool:
    """Whether a parameter or module name lies in one of the named modules (by whole name parts)."""
    return any(name == m or name.startswith(m + ".") for m in modules)


def _frozen_copy(layer: nn.BatchNorm2d) -> nn.Module:
    """A ``FrozenBatchNorm2d`` with the statistics, scale and shift of ``layer`` (on its device)."""
    from torchvision.ops import FrozenBatchNorm2d

    frozen = FrozenBatchNorm2d(layer.num_features, eps=layer.eps)
    reference = next(iter(layer.buffers()), None)
    if reference is not None:
        frozen = frozen.to(reference.device)
    with torch.no_grad():
        if layer.affine:
            frozen.weight.copy_(layer.weight)
            frozen.bias.copy_(layer.bias)
        if layer.track_running_stats:
            frozen.running_mean.copy_(layer.running_mean)
            frozen.running_var.copy_(layer.running_var)
    return frozen


def freeze_batchnorm(model: nn.Module) -> nn.Module:
    """Replace every ``BatchNorm2d`` in ``model`` by torchvision's ``FrozenBatchNorm2d``, in place.

    The frozen layer keeps the running statistics, scale and shift as buffers and always
    normalises with them, as ``BatchNorm2d`` does in evaluation mode, whatever ``model.train()``
    says; nothing in it is learned or updated. This is how torchvision's detection models keep
    their backbones' statistics. (A module that *is* a ``BatchNorm2d`` cannot replace itself:
    pass the network that holds it.) Introduced in chapter "Transfer learning".

    Examples:
        >>> net = freeze_batchnorm(nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4)))
        >>> type(net[1]).__name__
        'FrozenBatchNorm2d'

    Returns:
        ``model``, changed in place.

    Raises:
        TypeError: if ``model`` is not an ``nn.Module``.
    """
    model = check_module("model", model)
    for name, child in list(model.named_children()):
        if isinstance(child, nn.BatchNorm2d):
            setattr(model, name, _frozen_copy(child))
        else:
            freeze_batchnorm(child)
    return model


def freeze(model: nn.Module, trainable: Sequence[str] = (), batchnorm: bool = True) -> nn.Module:
    """Freeze a network except the named submodules, in place.

    Every parameter outside the modules named in ``trainable`` gets ``requires_grad=False``; those
    inside get ``requires_grad=True``. Names are the qualified module names of
    ``model.named_modules()`` (``"fc"``, ``"layer4"``, ``"stages.2"``) and match whole parts, so
    ``"fc"`` does not match ``"fc1"`` (unlike a substring test on parameter names). With
    ``batchnorm`` (default), the batch-norm layers outside the trainable modules are also replaced
    by frozen ones (:func:`freeze_batchnorm`): ``requires_grad=False`` stops the gradient, but a
    ``BatchNorm2d`` in training mode would still update its running statistics.
    Introduced in chapter "Transfer learning".

    Examples:
        >>> from cnnlib.models import SmallResNet
        >>> net = freeze(SmallResNet(num_classes=5), trainable=["stages.2", "fc"])
        >>> sorted({name.split(".")[0] for name, p in net.named_parameters() if p.requires_grad})
        ['fc', 'stages']
        >>> type(net.stem[1]).__name__, type(net.stages[2][0].bn1).__name__
        ('FrozenBatchNorm2d', 'BatchNorm2d')

    Returns:
        ``model``, changed in place.

    Raises:
        TypeError: for a model that is not an ``nn.Module``, ``trainable`` that is not a sequence
            of names, or a non-bool ``batchnorm``.
        ValueError: for a name that is not a submodule of the model.
    """
    model = check_module("model", model)
    names = _check_names(model, trainable, "trainable")
    batchnorm = check_bool("batchnorm", batchnorm)
    for name, parameter in model.named_parameters():
        parameter.requires_grad_(_inside(name, names))
    if batchnorm:
        for name, module in list(model.named_modules()):
            if name and isinstance(module, nn.BatchNorm2d) and not _inside(name, names):
                parent, _, child = name.rpartition(".")
                setattr(model.get_submodule(parent) if parent else model, child, _frozen_copy(module))
    return model


def parameter_counts(model: nn.Module) -> pd.DataFrame:
    """Trainable and frozen parameters of each top-level submodule of ``model``.

    One row per child module (in order) with columns ``parameters``, ``trainable`` and
    ``frozen``, and a final row ``total``. The scale and shift of a ``FrozenBatchNorm2d``
    (:func:`freeze_batchnorm`), buffers rather than parameters, count as frozen parameters, so
    the total does not change when a network is frozen. Parameters of the model itself (outside any child)
    are in a row ``(own)``. Introduced in chapter "Transfer learning".

    Examples:
        >>> net = freeze(nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2)), trainable=["1"])
        >>> parameter_counts(net).to_dict("index")["total"]
        {'parameters': 23, 'trainable': 8, 'frozen': 15}

    Raises:
        TypeError: if ``model`` is not an ``nn.Module``.
    """
    import pandas as pd

    model = check_module("model", model)
    from torchvision.ops import FrozenBatchNorm2d

    rows = {}
    for name, child in model.named_children():
        parameters = list(child.parameters())
        trainable = sum(p.numel() for p in parameters if p.requires_grad)
        total = sum(p.numel() for p in parameters)
        # A frozen batch norm keeps its scale and shift as buffers: still frozen parameters.
        layers = [child] if isinstance(child, FrozenBatchNorm2d) else []
        layers += [m for m in child.modules() if isinstance(m, FrozenBatchNorm2d) and m is not child]
        total += sum(m.weight.numel() + m.bias.numel() for m in layers)
        if total:
            rows[name] = (total, trainable, total - trainable)
    own = list(model.parameters(recurse=False))
    if own:
        trainable = sum(p.numel() for p in own if p.requires_grad)
        total = sum(p.numel() for p in own)
        rows["(own)"] = (total, trainable, total - trainable)
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=["parameters", "trainable", "frozen"])
    frame.loc["total"] = frame.sum()
    return frame.rename_axis("module")


def parameter_groups(model: nn.Module, lrs: Mapping[str, float]) -> list[dict[str, Any]]:
    """Optimizer parameter groups: one learning rate per named submodule.

    Returns ``[{"params": [...], "lr": lr, "name": name}, ...]`` for the trainable parameters of
    each module named in ``lrs``, to pass to any ``torch.optim`` optimizer (through
    :func:`cnnlib.train.fit`'s optimizer factory). Every trainable parameter of the model must
    fall in exactly one named module, so that none is silently left untrained or trained twice.
    Smaller rates for the pretrained layers than for the new head is the "discriminative
    fine-tuning" of Howard and Ruder (2018). Introduced in chapter "Transfer learning".

    Examples:
        >>> from cnnlib.models import SmallResNet
        >>> net = SmallResNet(num_classes=5)
        >>> groups = parameter_groups(net, {"stem": 1e-4, "stages": 1e-4, "fc": 1e-3})
        >>> [(g["name"], g["lr"], len(g["params"])) for g in groups]
        [('stem', 0.0001, 3), ('stages', 0.0001, 24), ('fc', 0.001, 2)]
        >>> optimizer = torch.optim.Adam(groups)

    Raises:
        TypeError: for a model that is not an ``nn.Module`` or ``lrs`` that is not a mapping.
        ValueError: for an unknown module name, a non-positive rate, overlapping modules, or a
            trainable parameter outside every named module.
    """
    model = check_module("model", model)
    if not isinstance(lrs, Mapping):
        raise TypeError(f"lrs must be a mapping from module names to learning rates, got {lrs!r}")
    if not lrs:
        raise ValueError("lrs must name at least one module, got an empty mapping")
    names = _check_names(model, list(lrs), "lrs")
    groups, seen = [], {}
    for name in names:
        lr = lrs[name]
        lr = check_number(f"lrs[{name!r}]", lr, 0.0, low_open=True)
        params = []
        for pname, parameter in model.get_submodule(name).named_parameters():
            if not parameter.requires_grad:
                continue
            if id(parameter) in seen:
                raise ValueError(f"lrs names overlapping modules: {name!r} and {seen[id(parameter)]!r} share {pname!r}")
            seen[id(parameter)] = name
            params.append(parameter)
        groups.append({"params": params, "lr": float(lr), "name": name})
    missing = [n for n, p in model.named_parameters() if p.requires_grad and id(p) not in seen]
    if missing:
        raise ValueError(f"lrs must cover every trainable parameter; not covered: {', '.join(missing[:5])}")
    return groups
