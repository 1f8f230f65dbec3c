"""Batch normalisation from scratch, and folding it into the convolution before it.

In training mode every channel ``c`` is normalised with the mean and the *biased* variance of
its values in the batch (over the examples and, for images, all positions),

    x_hat = (x - mean_B) / sqrt(var_B + eps),        y = weight[c] * x_hat + bias[c],

(Ioffe and Szegedy, 2015), and the running estimates used in evaluation mode move towards the
batch's statistics, the variance in its *unbiased* form ``var_B * n / (n - 1)``:

    running_mean <- (1 - momentum) * running_mean + momentum * mean_B
    running_var  <- (1 - momentum) * running_var  + momentum * var_B * n / (n - 1).

In evaluation mode the running estimates replace the batch's statistics, so the layer becomes a
fixed per-channel affine map, which :func:`fuse_conv_bn` folds into the preceding convolution.
Everything here computes what ``torch.nn.functional.batch_norm`` and
``torch.nn.utils.fusion.fuse_conv_bn_eval`` compute (``tests/test_ops_batchnorm.py``); the layer
that calls :func:`batch_norm`, :class:`cnnlib.models.BatchNorm2d`, is in :mod:`cnnlib.models.layers`.
Introduced in chapter "Batch normalisation".
"""

from __future__ import annotations

import copy

import torch
from torch import Tensor, nn

from cnnlib._checks import check_bool, check_floating, check_int, check_number

__all__ = ["batch_norm", "fuse_conv_bn", "statistics_groups", "NORMALISATIONS"]


def _check_channel_vector(name: str, value: object, channels: int) -> Tensor | None:
    """``value`` must be None or a 1-D floating-point tensor with one entry per channel."""
    if value is None:
        return None
    if not isinstance(value, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor or None, got {type(value).__name__}")
    if value.shape != (channels,):
        raise ValueError(
            f"{name} must have shape ({channels},), one entry per channel of the input, "
            f"got {tuple(value.shape)}"
        )
    return check_floating(name, value)


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalisation of ``input``, like ``torch.nn.functional.batch_norm``.

    Returns ``weight[c] * (x - mean) / sqrt(var + eps) + bias[c]`` for every channel ``c`` (the
    second dimension), with ``weight`` 1 and ``bias`` 0 where they are None
    (Ioffe and Szegedy, 2015, "Batch normalization", Algorithm 1).

    - ``training=True``: ``mean`` and ``var`` are the mean and the biased variance (divided by
      ``n``) of the channel's ``n`` values in the batch, over the first dimension and every
      dimension after the second. If running statistics are given they are updated in place:
      ``running = (1 - momentum) * running + momentum * batch``, where the batch's variance
      enters in its unbiased form ``var * n / (n - 1)``. Gradients flow through ``mean`` and
      ``var`` (autograd differentiates the formula).
    - ``training=False``: ``mean`` and ``var`` are ``running_mean`` and ``running_var``; the
      output is a fixed affine function of the input.

    Introduced in chapter "Batch normalisation".

    Args:
        input: a floating-point tensor ``(N, C)`` or ``(N, C, *)``, e.g. ``(N, C, H, W)``.
        running_mean: per-channel estimate of the mean, shape ``(C,)``, or None.
        running_var: per-channel estimate of the variance, shape ``(C,)``, or None.
        weight: the scale gamma, shape ``(C,)``, or None.
        bias: the shift beta, shape ``(C,)``, or None.
        training: normalise with the batch's statistics (and update the running ones).
        momentum: weight of the new batch in the running estimates, in [0, 1].
        eps: added to the variance before the square root, for numerical stability.

    Raises:
        TypeError: for an input that is not a floating-point tensor, a statistic or parameter
            that is not a floating-point tensor or None, a non-boolean ``training``, or a
            ``momentum`` or ``eps`` that is not a number.
        ValueError: for an input with fewer than 2 dimensions, a statistic or parameter whose
            shape is not ``(C,)``, only one of the two running statistics, no running
            statistics in evaluation mode, a ``momentum`` outside [0, 1], a negative ``eps``, or
            (in training mode) a single value per channel, whose variance is undefined.

    Examples:
        >>> import torch
        >>> import torch.nn.functional as F
        >>> from cnnlib.ops import batch_norm
        >>> x = torch.randn(8, 3, 4, 4)
        >>> mean, var = torch.zeros(3), torch.ones(3)
        >>> y = batch_norm(x, mean, var, training=True)
        >>> round(y.mean().item(), 4) == 0.0
        True
        >>> torch.testing.assert_close(y, F.batch_norm(x, torch.zeros(3), torch.ones(3), training=True))
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"input must be a torch.Tensor, got {type(input).__name__}")
    if input.ndim < 2:
        raise ValueError(
            f"input must have at least 2 dimensions, (N, C) or (N, C, *), got shape {tuple(input.shape)}"
        )
    check_floating("input", input)
    channels = input.shape[1]
    running_mean = _check_channel_vector("running_mean", running_mean, channels)
    running_var = _check_channel_vector("running_var", running_var, channels)
    weight = _check_channel_vector("weight", weight, channels)
    bias = _check_channel_vector("bias", bias, channels)
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must be given together, or both be None")
    training = check_bool("training", training)
    momentum = check_number("momentum", momentum, 0.0, 1.0)
    eps = check_number("eps", eps, 0.0)

    dims = [0, *range(2, input.ndim)]  # every dimension but the channels
    shape = [1, channels] + [1] * (input.ndim - 2)  # broadcast a (C,) vector over the input
    if training:
        n = input.numel() // channels if channels else 0
        if n <= 1:
            raise ValueError(
                "Expected more than 1 value per channel when training, got input size "
                f"{input.shape}: the variance of a single value is undefined"
            )
        mean = input.mean(dim=dims)
        var = input.var(dim=dims, correction=0)  # biased: divides by n, as in the paper
        if running_mean is not None:
            with torch.no_grad():
                running_mean.mul_(1 - momentum).add_(momentum * mean.detach())
                running_var.mul_(1 - momentum).add_(momentum * var.detach() * (n / (n - 1)))
    else:
        if running_mean is None:
            raise ValueError(
                "running_mean and running_var must be given in evaluation mode (training=False): "
                "they replace the batch's statistics"
            )
        mean, var = running_mean, running_var
    output = (input - mean.view(shape)) * torch.rsqrt(var.view(shape) + eps)
    if weight is not None:
        output = output * weight.view(shape)
    if bias is not None:
        output = output + bias.view(shape)
    return output


def fuse_conv_bn(conv: nn.Conv2d, bn: nn.Module) -> nn.Conv2d:
    """A new convolution equal to ``bn(conv(x))`` for an evaluation-mode batch norm ``bn``.

    In evaluation mode batch normalisation is the fixed per-channel map ``y = s * z + t`` with
    ``s = gamma / sqrt(running_var + eps)`` and ``t = beta - s * running_mean``, and a
    convolution is linear in its weights, so the pair is one convolution with weights
    ``W'[o] = s[o] * W[o]`` and bias ``b'[o] = s[o] * b[o] + t[o]`` (``b = 0`` for a convolution
    without bias). Inference then runs one layer instead of two. The fused layer is a copy of
    ``conv`` (stride, padding, groups, dilation and padding mode kept) with a bias; the inputs
    are not changed. Computed in float64, returned in ``conv``'s dtype. Introduced in chapter
    "Batch normalisation".

    Raises:
        TypeError: if ``conv`` is not an ``nn.Conv2d`` or ``bn`` is neither a
            ``torch.nn.BatchNorm2d`` nor a :class:`cnnlib.models.BatchNorm2d`.
        ValueError: if ``bn`` is in training mode (it would normalise with each batch's own
            statistics, which no fixed convolution can reproduce), keeps no running statistics,
            or has a number of features different from ``conv``'s output channels.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.ops import fuse_conv_bn
        >>> conv, bn = nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4)
        >>> _ = bn(conv(torch.randn(8, 3, 6, 6)))  # gather running statistics
        >>> bn = bn.eval()
        >>> fused = fuse_conv_bn(conv, bn)
        >>> x = torch.randn(2, 3, 6, 6)
        >>> torch.testing.assert_close(fused(x), bn(conv(x)))
    """
    if not isinstance(conv, nn.Conv2d):
        raise TypeError(f"conv must be a torch.nn.Conv2d, got {type(conv).__name__}")
    from cnnlib.models.layers import BatchNorm2d  # the layer is built on this module: import it late

    if not isinstance(bn, (nn.BatchNorm2d, BatchNorm2d)):
        raise TypeError(f"bn must be a torch.nn.BatchNorm2d or cnnlib.models.BatchNorm2d, got {type(bn).__name__}")
    if bn.training:
        raise ValueError(
            "bn must be in evaluation mode (call model.eval() first): in training mode it normalises "
            "with each batch's statistics, which no fixed convolution can reproduce"
        )
    if bn.running_mean is None or bn.running_var is None:
        raise ValueError(
            "bn must keep running statistics (track_running_stats=True): without them it normalises "
            "with each batch's statistics even in evaluation mode"
        )
    if bn.num_features != conv.out_channels:
        raise ValueError(
            f"bn.num_features must equal conv.out_channels, got {bn.num_features} and {conv.out_channels}"
        )
    with torch.no_grad():
        dtype = conv.weight.dtype
        mean, var = bn.running_mean.double(), bn.running_var.double()
        gamma = bn.weight.double() if bn.weight is not None else torch.ones_like(mean)
        beta = bn.bias.double() if bn.bias is not None else torch.zeros_like(mean)
        scale = gamma * torch.rsqrt(var + bn.eps)
        conv_bias = conv.bias.double() if conv.bias is not None else torch.zeros_like(mean)
        weight = conv.weight.double() * scale.view(-1, 1, 1, 1)
        bias = (conv_bias - mean) * scale + beta
        fused = copy.deepcopy(conv)
        fused.weight = nn.Parameter(weight.to(dtype), requires_grad=conv.weight.requires_grad)
        fused.bias = nn.Parameter(bias.to(dtype), requires_grad=conv.weight.requires_grad)
    return fused


#: The normalisations of one ``(N, C, H, W)`` tensor, by what shares one mean and one variance.
NORMALISATIONS = ("batch", "layer", "instance", "group")


def statistics_groups(kind: str, shape: tuple[int, int, int, int], groups: int = 2) -> Tensor:
    """For each value of an ``(N, C, H, W)`` tensor, the index of the set it is normalised with.

    Values with the same index share one mean and one variance: ``"batch"`` normalisation pools a
    channel over the examples and positions (one set per channel), ``"layer"`` an example over its
    channels and positions (one per example), ``"instance"`` one channel of one example, and
    ``"group"`` a group of ``C / groups`` consecutive channels of one example (Wu and He, 2018).
    ``torch.nn.functional``'s ``batch_norm`` (training mode), ``layer_norm`` over ``(C, H, W)``,
    ``instance_norm`` and ``group_norm`` pool exactly these sets (``tests/test_ops_batchnorm.py``
    checks it by changing one value and seeing which outputs move). Introduced in chapter
    "Batch normalisation".

    Raises:
        ValueError: for another ``kind``, a shape that is not four positive sizes, or ``groups``
            that does not divide the channels.

    Examples:
        >>> statistics_groups("batch", (2, 3, 1, 1))[:, :, 0, 0]
        tensor([[0, 1, 2],
                [0, 1, 2]])
        >>> statistics_groups("group", (2, 4, 1, 1), groups=2)[:, :, 0, 0]
        tensor([[0, 0, 1, 1],
                [2, 2, 3, 3]])
    """
    if kind not in NORMALISATIONS:
        raise ValueError(f"kind must be one of {NORMALISATIONS}, got {kind!r}")
    if not (isinstance(shape, (tuple, list)) and len(shape) == 4):
        raise ValueError(f"shape must be (N, C, H, W), got {shape!r}")
    n, c, h, w = (check_int("shape", s, 1) for s in shape)
    example = torch.arange(n).view(n, 1, 1, 1).expand(n, c, h, w)
    channel = torch.arange(c).view(1, c, 1, 1).expand(n, c, h, w)
    if kind == "batch":
        return channel.clone()
    if kind == "layer":
        return example.clone()
    if kind == "instance":
        return example * c + channel
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1 or c % groups:
        raise ValueError(f"groups must be a positive divisor of the {c} channels, got {groups!r}")
    return example * groups + channel // (c // groups)
