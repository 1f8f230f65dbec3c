"""Layer, group and instance normalisation from scratch: batch normalisation's siblings.

Every normalisation of the family computes the same thing,

    x_hat = (x - mean_S) / sqrt(var_S + eps),        y = weight * x_hat + bias,

with the mean and the *biased* variance of a set ``S`` of values; they differ only in the sets
(:func:`cnnlib.ops.statistics_groups` names them for an ``(N, C, H, W)`` tensor). Layer
normalisation pools each example over its trailing dimensions (Ba, Kiros and Hinton, 2016),
instance normalisation one channel of one example (Ulyanov, Vedaldi and Lempitsky, 2016), group
normalisation a group of consecutive channels of one example (Wu and He, 2018). None of them
pools over the batch, so none depends on the batch size, and none needs running statistics at
test time (``instance_norm`` can keep them, as PyTorch's does). Each function mirrors its
``torch.nn.functional`` namesake and computes what it computes, values and gradients alike
(``tests/test_ops_normalisation.py``). Introduced in chapter "Training a CNN well".
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral

import torch
from torch import Tensor

from cnnlib._checks import check_bool, check_floating, check_int, check_number

__all__ = ["layer_norm", "group_norm", "instance_norm"]


def _check_input(input: object, minimum_ndim: int, what: str) -> Tensor:
    """``input`` must be a floating-point tensor with at least ``minimum_ndim`` dimensions."""
    if not isinstance(input, Tensor):
        raise TypeError(f"input must be a torch.Tensor, got {type(input).__name__}")
    if input.ndim < minimum_ndim:
        raise ValueError(
            f"input must have at least {minimum_ndim} dimensions, {what}, got shape {tuple(input.shape)}"
        )
    return check_floating("input", input)


def _check_parameter(name: str, value: object, shape: tuple[int, ...], what: str) -> Tensor | None:
    """``value`` must be None or a floating-point tensor of shape ``shape``."""
    if value is None:
        return None
    if not isinstance(value, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor or None, got {type(value).__name__}")
    if tuple(value.shape) != shape:
        raise ValueError(f"{name} must have shape {shape}, {what}, got {tuple(value.shape)}")
    return check_floating(name, value)


def _normalise(input: Tensor, dims: list[int], eps: float) -> tuple[Tensor, Tensor, Tensor]:
    """``(input - mean) / sqrt(var + eps)`` over ``dims``, with the mean and biased variance."""
    mean = input.mean(dim=dims, keepdim=True)
    var = input.var(dim=dims, correction=0, keepdim=True)  # biased: divides by the set's size
    return (input - mean) * torch.rsqrt(var + eps), mean, var


def _affine(output: Tensor, weight: Tensor | None, bias: Tensor | None, shape: list[int]) -> Tensor:
    """``weight * output + bias``, each viewed as ``shape`` to broadcast; a None one is skipped."""
    if weight is not None:
        output = output * weight.view(shape)
    if bias is not None:
        output = output + bias.view(shape)
    return output


def layer_norm(
    input: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Layer normalisation of ``input`` over its trailing ``normalized_shape`` dimensions.

    Like ``torch.nn.functional.layer_norm``: every example (every index of the leading
    dimensions) is normalised with the mean and biased variance of its values in the last
    ``len(normalized_shape)`` dimensions, then scaled by ``weight`` and shifted by ``bias``,
    which have shape ``normalized_shape`` (one value per *position*, not per channel as in batch
    normalisation). For an ``(N, C, H, W)`` batch, ``normalized_shape=(C, H, W)`` pools each
    example on its own (Ba, Kiros and Hinton, 2016). Introduced in chapter "Training a CNN well".

    Raises:
        TypeError: for an input, weight or bias that is not a floating-point tensor (or None for
            the last two), a ``normalized_shape`` that is not an int or a sequence of ints, or an
            ``eps`` that is not a number.
        ValueError: for a ``normalized_shape`` that is empty, has non-positive sizes or is not the
            shape of the input's trailing dimensions, a weight or bias of another shape, or a
            negative ``eps``.

    Examples:
        >>> import torch
        >>> import torch.nn.functional as F
        >>> from cnnlib.ops import layer_norm
        >>> x = torch.randn(4, 3, 5, 5)
        >>> y = layer_norm(x, (3, 5, 5))
        >>> y[0].mean().abs().item() < 1e-5, y.shape
        (True, torch.Size([4, 3, 5, 5]))
        >>> torch.testing.assert_close(y, F.layer_norm(x, (3, 5, 5)))
    """
    if isinstance(normalized_shape, Integral) and not isinstance(normalized_shape, bool):
        normalized_shape = (normalized_shape,)
    if not isinstance(normalized_shape, (Sequence, torch.Size)) or isinstance(normalized_shape, str):
        raise TypeError(
            f"normalized_shape must be an int or a sequence of ints, got {type(normalized_shape).__name__}"
        )
    shape = tuple(check_int("normalized_shape", s, 1) for s in normalized_shape)
    if not shape:
        raise ValueError("normalized_shape must name at least one dimension, got an empty shape")
    input = _check_input(input, len(shape), f"ending in the normalized_shape {shape}")
    if tuple(input.shape[-len(shape):]) != shape:
        raise ValueError(
            f"normalized_shape must be the shape of the input's last {len(shape)} dimensions, "
            f"got {shape} for an input of shape {tuple(input.shape)}"
        )
    weight = _check_parameter("weight", weight, shape, "that is normalized_shape")
    bias = _check_parameter("bias", bias, shape, "that is normalized_shape")
    eps = check_number("eps", eps, 0.0)
    dims = list(range(input.ndim - len(shape), input.ndim))
    output, _, _ = _normalise(input, dims, eps)
    return _affine(output, weight, bias, list(shape))


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Group normalisation of an ``(N, C, *)`` input: ``num_groups`` groups of channels per example.

    Like ``torch.nn.functional.group_norm``: the ``C`` channels are split into ``num_groups``
    groups of ``C / num_groups`` consecutive channels, each group of each example is normalised
    with the mean and biased variance of its values (all its channels and positions), and channel
    ``c`` is then scaled by ``weight[c]`` and shifted by ``bias[c]`` (Wu and He, 2018). One group
    is layer normalisation over ``(C, *)`` with per-channel parameters; ``C`` groups are instance
    normalisation. The statistics never mix examples, so they do not depend on the batch size.
    Introduced in chapter "Training a CNN well".

    Raises:
        TypeError: for an input, weight or bias that is not a floating-point tensor (or None for
            the last two), a ``num_groups`` that is not an integer, or an ``eps`` that is not a number.
        ValueError: for an input with fewer than 2 dimensions, a ``num_groups`` that is not a
            positive divisor of the channels, a weight or bias whose shape is not ``(C,)``, or a
            negative ``eps``.

    Examples:
        >>> import torch
        >>> import torch.nn.functional as F
        >>> from cnnlib.ops import group_norm
        >>> x = torch.randn(2, 6, 4, 4)
        >>> y = group_norm(x, 3)
        >>> y[0, :2].mean().abs().item() < 1e-5  # channels 0 and 1 of example 0: one group
        True
        >>> torch.testing.assert_close(y, F.group_norm(x, 3))
    """
    input = _check_input(input, 2, "(N, C) or (N, C, *)")
    channels = input.shape[1]
    num_groups = check_int("num_groups", num_groups, 1)
    if channels % num_groups:
        raise ValueError(f"num_groups must be a positive divisor of the {channels} channels, got {num_groups}")
    weight = _check_parameter("weight", weight, (channels,), "one entry per channel of the input")
    bias = _check_parameter("bias", bias, (channels,), "one entry per channel of the input")
    eps = check_number("eps", eps, 0.0)
    n = input.shape[0]
    grouped = input.reshape(n, num_groups, -1)  # each row: one group of one example
    output, _, _ = _normalise(grouped, [2], eps)
    return _affine(output.reshape(input.shape), weight, bias, [1, channels] + [1] * (input.ndim - 2))


def instance_norm(
    input: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Instance normalisation of an ``(N, C, *)`` input: each channel of each example on its own.

    Like ``torch.nn.functional.instance_norm``: with ``use_input_stats`` (the default, and the
    usual use) every channel of every example is normalised with the mean and biased variance of
    its values over the positions, then channel ``c`` is scaled by ``weight[c]`` and shifted by
    ``bias[c]`` (Ulyanov, Vedaldi and Lempitsky, 2016). No running statistics are needed. If
    ``running_mean`` and ``running_var`` are given they are updated in place as batch
    normalisation updates them, with the batch's average of the instances' means and of their
    *unbiased* variances; with ``use_input_stats=False`` they replace the instances' statistics.
    Introduced in chapter "Training a CNN well".

    Raises:
        TypeError: for an input, statistic or parameter that is not a floating-point tensor (or
            None for the last four), a non-boolean ``use_input_stats``, or a ``momentum`` or
            ``eps`` that is not a number.
        ValueError: for an input with fewer than 3 dimensions, a single position per instance
            when ``use_input_stats`` (its variance is undefined), a statistic or parameter whose
            shape is not ``(C,)``, only one of the two running statistics, none of them when
            ``use_input_stats=False``, a ``momentum`` outside [0, 1] or a negative ``eps``.

    Examples:
        >>> import torch
        >>> import torch.nn.functional as F
        >>> from cnnlib.ops import instance_norm
        >>> x = torch.randn(2, 3, 4, 4)
        >>> y = instance_norm(x)
        >>> y.mean(dim=(2, 3)).abs().max().item() < 1e-5  # every channel of every example
        True
        >>> torch.testing.assert_close(y, F.instance_norm(x))
    """
    input = _check_input(input, 3, "(N, C, L), (N, C, H, W) or (N, C, D, H, W)")
    channels = input.shape[1]
    running_mean = _check_parameter("running_mean", running_mean, (channels,), "one entry per channel")
    running_var = _check_parameter("running_var", running_var, (channels,), "one entry per channel")
    weight = _check_parameter("weight", weight, (channels,), "one entry per channel of the input")
    bias = _check_parameter("bias", bias, (channels,), "one entry per channel of the input")
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must be given together, or both be None")
    use_input_stats = check_bool("use_input_stats", use_input_stats)
    momentum = check_number("momentum", momentum, 0.0, 1.0)
    eps = check_number("eps", eps, 0.0)
    shape = [1, channels] + [1] * (input.ndim - 2)
    dims = list(range(2, input.ndim))  # the positions
    if use_input_stats:
        positions = input[0, 0].numel() if input.numel() else 0
        if positions <= 1:
            raise ValueError(
                "Expected more than 1 spatial element when training, got input size "
                f"{tuple(input.shape)}: the variance of a single value is undefined"
            )
        output, mean, var = _normalise(input, dims, eps)
        if running_mean is not None:
            with torch.no_grad():
                batch_mean = mean.detach().flatten(1).mean(dim=0)
                batch_var = (var.detach() * (positions / (positions - 1))).flatten(1).mean(dim=0)
                running_mean.mul_(1 - momentum).add_(momentum * batch_mean)
                running_var.mul_(1 - momentum).add_(momentum * batch_var)
    else:
        if running_mean is None:
            raise ValueError(
                "running_mean and running_var must be given when use_input_stats=False: "
                "they replace the instances' statistics"
            )
        output = (input - running_mean.view(shape)) * torch.rsqrt(running_var.view(shape) + eps)
    return _affine(output, weight, bias, shape)
