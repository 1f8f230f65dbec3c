"""Weight initialisation from the formulas: Glorot (Xavier) and He (Kaiming), as ``torch.nn.init``.

A layer's output variance is its fan-in times the weights' variance times the input's second
moment, so a network keeps its activations at one scale through depth when the weights' variance
is about ``gain**2 / fan``. Glorot and Bengio (2010) compromise between the forward pass (fan-in)
and the backward pass (fan-out), ``std = gain * sqrt(2 / (fan_in + fan_out))``; He et al. (2015)
take one of them, ``std = gain / sqrt(fan)``, with the gain ``sqrt(2)`` that makes up for the half
of its input a ReLU zeroes. A uniform distribution on ``[-bound, bound]`` has standard deviation
``bound / sqrt(3)``, so the uniform variants draw with ``bound = sqrt(3) * std``.

Every initialiser here fills its tensor in place, without recording gradients, and draws exactly
what its ``torch.nn.init`` namesake draws: after ``torch.manual_seed(s)`` both give the same
tensor (``tests/test_init.py``). Introduced in chapter "Training a CNN well".
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from cnnlib._checks import check_choice, check_number, check_tensor

__all__ = [
    "fans",
    "calculate_gain",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "NONLINEARITIES",
    "MODES",
]

#: The nonlinearities :func:`calculate_gain` knows, as ``torch.nn.init.calculate_gain`` names them.
NONLINEARITIES = (
    "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
    "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu",
)

#: The fans the He initialisers can keep the variance for, the forward pass's or the backward pass's.
MODES = ("fan_in", "fan_out")


def _check_weight(tensor: object) -> Tensor:
    """``tensor`` must be a floating-point tensor with at least 2 dimensions (out, in, *kernel)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"tensor must be a torch.Tensor, got {type(tensor).__name__}")
    if tensor.ndim < 2:
        raise ValueError(
            "tensor must have at least 2 dimensions, (out_features, in_features) or "
            f"(out_channels, in_channels, *kernel_size), to have a fan-in and a fan-out, got shape {tuple(tensor.shape)}"
        )
    if not tensor.is_floating_point():
        raise TypeError(f"tensor must hold floating-point numbers, got {tensor.dtype}")
    return tensor


def fans(tensor: Tensor) -> tuple[int, int]:
    """The ``(fan_in, fan_out)`` of a weight tensor: how many inputs feed one output, and back.

    For a weight of shape ``(out, in, *kernel)`` (``nn.Linear``'s ``(out_features,
    in_features)``, ``nn.Conv2d``'s ``(out_channels, in_channels / groups, kH, kW)``),
    ``fan_in = in * prod(kernel)`` and ``fan_out = out * prod(kernel)``, as PyTorch counts them.
    Introduced in chapter "Training a CNN well".

    Raises:
        TypeError: if ``tensor`` is not a tensor.
        ValueError: if it has fewer than 2 dimensions.

    Examples:
        >>> import torch
        >>> from cnnlib.init import fans
        >>> fans(torch.empty(10, 784)), fans(torch.empty(16, 6, 5, 5))
        ((784, 10), (150, 400))
    """
    tensor = check_tensor("tensor", tensor)
    if tensor.ndim < 2:
        raise ValueError(
            f"tensor must have at least 2 dimensions to have a fan-in and a fan-out, got shape {tuple(tensor.shape)}"
        )
    return _fans(tensor)


def _fans(tensor: Tensor) -> tuple[int, int]:
    """:func:`fans` of a tensor already checked to have at least 2 dimensions."""
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The gain that makes up for what ``nonlinearity`` does to the variance, as PyTorch's.

    1 for linear layers (and the sigmoid), ``5/3`` for tanh, ``sqrt(2)`` for ReLU (it zeroes
    half its input, halving the second moment), ``sqrt(2 / (1 + slope**2))`` for a leaky ReLU of
    negative slope ``param`` (default 0.01) and ``3/4`` for SELU. Introduced in chapter
    "Training a CNN well".

    Raises:
        TypeError: for a ``nonlinearity`` that is not a string, or a ``param`` that is not a number.
        ValueError: for an unknown ``nonlinearity``.

    Examples:
        >>> from cnnlib.init import calculate_gain
        >>> calculate_gain("relu") == 2 ** 0.5, calculate_gain("tanh")
        (True, 1.6666666666666667)
        >>> round(calculate_gain("leaky_relu", 0.2), 4)
        1.3868
    """
    nonlinearity = check_choice("nonlinearity", nonlinearity, NONLINEARITIES)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else check_number("param", param)
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "selu":
        return 3.0 / 4
    return 1.0  # linear layers and the sigmoid


def _glorot_std(tensor: Tensor, gain: float) -> float:
    fan_in, fan_out = _fans(tensor)
    return gain * math.sqrt(2.0 / float(fan_in + fan_out))


def _he_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float:
    mode = check_choice("mode", mode, MODES)
    gain = calculate_gain(nonlinearity, a)
    fan_in, fan_out = _fans(tensor)
    return gain / math.sqrt(fan_in if mode == "fan_in" else fan_out)


def _uniform(tensor: Tensor, std: float) -> Tensor:
    """Fill ``tensor`` from U(-bound, bound) with ``bound = sqrt(3) * std``: the variance ``std**2``."""
    bound = math.sqrt(3.0) * std
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)


def _normal(tensor: Tensor, std: float) -> Tensor:
    with torch.no_grad():
        return tensor.normal_(0.0, std)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Fill ``tensor`` in place from U(-a, a), ``a = gain * sqrt(6 / (fan_in + fan_out))``; return it.

    Glorot and Bengio (2010): the standard deviation ``gain * sqrt(2 / (fan_in + fan_out))``
    keeps the variance of the activations (fan-in) and of the gradients (fan-out) roughly
    constant through a linear or tanh network. Draws what ``torch.nn.init.xavier_uniform_`` draws.
    Introduced in chapter "Training a CNN well".

    Raises:
        TypeError: for a ``tensor`` that is not a floating-point tensor, or a ``gain`` that is
            not a number.
        ValueError: for a tensor with fewer than 2 dimensions, or a negative ``gain``.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.init import xavier_uniform_
        >>> w = torch.empty(200, 300)
        >>> _ = torch.manual_seed(0); mine = xavier_uniform_(w.clone())
        >>> _ = torch.manual_seed(0); theirs = nn.init.xavier_uniform_(w.clone())
        >>> torch.equal(mine, theirs), mine.abs().max().item() <= (6 / 500) ** 0.5 * (1 + 1e-6)
        (True, True)
    """
    tensor = _check_weight(tensor)
    gain = check_number("gain", gain, 0.0)
    return _uniform(tensor, _glorot_std(tensor, gain))


def xavier_normal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Fill ``tensor`` in place from N(0, std²), ``std = gain * sqrt(2 / (fan_in + fan_out))``; return it.

    Glorot and Bengio (2010), the normal variant; draws what ``torch.nn.init.xavier_normal_``
    draws. Introduced in chapter "Training a CNN well".

    Raises:
        TypeError, ValueError: as :func:`xavier_uniform_`.

    Examples:
        >>> import torch
        >>> from cnnlib.init import xavier_normal_
        >>> w = xavier_normal_(torch.empty(500, 500))
        >>> abs(w.std().item() / (2 / 1000) ** 0.5 - 1) < 0.02
        True
    """
    tensor = _check_weight(tensor)
    gain = check_number("gain", gain, 0.0)
    return _normal(tensor, _glorot_std(tensor, gain))


def kaiming_uniform_(
    tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """Fill ``tensor`` in place from U(-bound, bound), ``bound = gain * sqrt(3 / fan)``; return it.

    He et al. (2015): the standard deviation ``gain / sqrt(fan)`` keeps the variance of the
    activations (``mode="fan_in"``) or of the gradients (``mode="fan_out"``) constant through a
    ReLU network, with ``gain = calculate_gain(nonlinearity, a)`` (``a``: a leaky ReLU's negative
    slope). PyTorch's defaults are kept, a leaky ReLU of slope 0 (a ReLU's gain ``sqrt(2)``);
    ``nn.Linear`` and ``nn.Conv2d`` initialise their weights with ``a=sqrt(5)``, a third of this
    variance. Draws what ``torch.nn.init.kaiming_uniform_`` draws. Introduced in chapter
    "Training a CNN well".

    Raises:
        TypeError: for a ``tensor`` that is not a floating-point tensor, an ``a`` that is not a
            number, or a ``mode`` or ``nonlinearity`` that is not a string.
        ValueError: for a tensor with fewer than 2 dimensions, or an unknown ``mode`` or
            ``nonlinearity``.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.init import kaiming_uniform_
        >>> w = torch.empty(64, 32, 3, 3)
        >>> _ = torch.manual_seed(0); mine = kaiming_uniform_(w.clone(), mode="fan_out", nonlinearity="relu")
        >>> _ = torch.manual_seed(0); theirs = nn.init.kaiming_uniform_(w.clone(), mode="fan_out", nonlinearity="relu")
        >>> torch.equal(mine, theirs)
        True
    """
    tensor = _check_weight(tensor)
    a = check_number("a", a)
    if tensor.numel() == 0:  # nothing to fill (and a fan of 0); PyTorch warns and returns it too
        return tensor
    return _uniform(tensor, _he_std(tensor, a, mode, nonlinearity))


def kaiming_normal_(
    tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """Fill ``tensor`` in place from N(0, std²), ``std = gain / sqrt(fan)``; return it.

    He et al. (2015), the normal variant, with the arguments of :func:`kaiming_uniform_`; draws
    what ``torch.nn.init.kaiming_normal_`` draws. Introduced in chapter "Training a CNN well".

    Raises:
        TypeError, ValueError: as :func:`kaiming_uniform_`.

    Examples:
        >>> import torch
        >>> from cnnlib.init import kaiming_normal_
        >>> w = kaiming_normal_(torch.empty(256, 64, 3, 3), nonlinearity="relu")
        >>> abs(w.std().item() / (2 / (64 * 9)) ** 0.5 - 1) < 0.02
        True
    """
    tensor = _check_weight(tensor)
    a = check_number("a", a)
    if tensor.numel() == 0:
        return tensor
    return _normal(tensor, _he_std(tensor, a, mode, nonlinearity))
