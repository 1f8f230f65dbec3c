"""Layers: ``nn.Module`` classes that apply one operation, as ``torch.nn``'s layers do.

Each holds the settings (and parameters or buffers) of its operation and calls the function that
computes it, from :mod:`cnnlib.ops` where the book builds it from scratch: :class:`BatchNorm2d`
calls :func:`cnnlib.ops.batch_norm`, :class:`BlurPool2d` calls :func:`cnnlib.ops.blur_pool2d`.
The blocks and networks of :mod:`cnnlib.models` are built from these and from ``torch.nn``'s.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from cnnlib._checks import check_bool, check_choice, check_int, check_number, check_tensor
from cnnlib.ops.batchnorm import batch_norm
from cnnlib.ops.pooling import BLUR_PADDINGS, blur_pool2d


class BatchNorm2d(nn.Module):
    """Batch normalisation of ``(N, C, H, W)`` feature maps, like ``torch.nn.BatchNorm2d``.

    Same constructor arguments, parameters (``weight`` gamma, ``bias`` beta), buffers
    (``running_mean``, ``running_var``, ``num_batches_tracked``) and state-dict keys as PyTorch's
    layer, so either can load the other's ``state_dict``. Each call in training mode normalises
    with the batch's statistics and, when ``track_running_stats``, counts the batch in
    ``num_batches_tracked`` and updates the running estimates with weight ``momentum``, or with
    weight ``1 / num_batches_tracked`` when ``momentum`` is None, which makes them the plain
    average over all batches seen. In evaluation mode it normalises with the running estimates;
    without them (``track_running_stats=False``) it always uses the batch's statistics. See
    :func:`cnnlib.ops.batch_norm` for the formulas. Introduced in chapter "Batch normalisation".

    Args:
        num_features: number of channels ``C``.
        eps: added to the variance before the square root.
        momentum: weight of a new batch in the running estimates, in [0, 1], or None for the
            cumulative average.
        affine: learn a per-channel scale gamma (and shift beta, see ``bias``).
        track_running_stats: keep running estimates for evaluation mode.
        device: device of the parameters and buffers.
        dtype: floating-point type of the parameters and buffers.
        bias: with ``affine``, also learn the shift beta. Keyword-only, as in
            ``torch.nn.BatchNorm2d`` of recent PyTorch versions: the constructors agree, so
            either layer can replace the other in a chapter's code.

    Raises:
        TypeError: for arguments of the wrong type; when called, for an input that is not a
            tensor.
        ValueError: for a non-positive ``num_features``, a negative ``eps`` or a ``momentum``
            outside [0, 1]; when called, for an input that is not 4-D or has the wrong number
            of channels, or a batch with one value per channel in training mode.

    Examples:
        >>> import torch
        >>> from torch import nn
        >>> from cnnlib.models import BatchNorm2d
        >>> ours, theirs = BatchNorm2d(3), nn.BatchNorm2d(3)
        >>> x = torch.randn(8, 3, 4, 4)
        >>> torch.testing.assert_close(ours(x), theirs(x))
        >>> torch.testing.assert_close(ours.running_mean, theirs.running_mean)
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.num_features = check_int("num_features", num_features, 1)
        self.eps = check_number("eps", eps, 0.0)
        self.momentum = None if momentum is None else check_number("momentum", momentum, 0.0, 1.0)
        for name, flag in (("affine", affine), ("track_running_stats", track_running_stats), ("bias", bias)):
            check_bool(name, flag)
        self.affine = affine
        self.track_running_stats = track_running_stats
        factory = {"device": device, "dtype": dtype}
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features, **factory))
            if bias:
                self.bias = nn.Parameter(torch.zeros(num_features, **factory))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, **factory))
            self.register_buffer("running_var", torch.ones(num_features, **factory))
            self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        """Forget the running estimates: mean 0, variance 1, no batch counted."""
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1.0)
            self.num_batches_tracked.zero_()

    def forward(self, input: Tensor) -> Tensor:
        input = check_tensor("input", input, 4, "(N, C, H, W)")
        if input.shape[1] != self.num_features:
            raise ValueError(
                f"input must have {self.num_features} channels (num_features), got shape {tuple(input.shape)}"
            )
        use_batch_stats = self.training or self.running_mean is None
        update = self.training and self.track_running_stats
        momentum = 0.0  # unused unless the running statistics are updated
        if update:
            self.num_batches_tracked.add_(1)
            # momentum=None: the k-th batch gets weight 1/k, so the estimate is the plain average
            momentum = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
        stats = (self.running_mean, self.running_var) if (update or not self.training) else (None, None)
        return batch_norm(input, *stats, self.weight, self.bias, use_batch_stats, momentum, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}"
        )


class BlurPool2d(nn.Module):
    """Anti-aliased subsampling: blur each channel with a binomial filter, then keep every
    ``stride``-th pixel (Zhang, 2019, "Making convolutional networks shift-invariant again").

    ``nn.Sequential(nn.MaxPool2d(2, stride=1), BlurPool2d())`` is Zhang's *MaxBlurPool*, a
    drop-in replacement for ``nn.MaxPool2d(2)``. Has no parameters; see
    :func:`cnnlib.ops.blur_pool2d`. Introduced in chapter "Pooling".

    Args:
        filter_size: side of the binomial filter (3 gives ``[1, 2, 1]``).
        stride: subsampling step.
        padding_mode: how the border is padded before blurring (``"reflect"``, as in the paper,
            ``"replicate"``, ``"circular"`` or ``"zeros"``).

    Examples:
        >>> import torch
        >>> from cnnlib.models import BlurPool2d
        >>> BlurPool2d(filter_size=3, stride=2)(torch.zeros(1, 4, 8, 8)).shape
        torch.Size([1, 4, 4, 4])
    """

    def __init__(self, filter_size: int = 3, stride: int = 2, padding_mode: str = "reflect") -> None:
        super().__init__()
        self.filter_size = check_int("filter_size", filter_size, 1)
        self.stride = check_int("stride", stride, 1)
        self.padding_mode = check_choice("padding_mode", padding_mode, BLUR_PADDINGS)

    def forward(self, x: Tensor) -> Tensor:
        return blur_pool2d(x, self.filter_size, self.stride, self.padding_mode)

    def extra_repr(self) -> str:
        return f"filter_size={self.filter_size}, stride={self.stride}, padding_mode={self.padding_mode!r}"


class Permute(nn.Module):
    """Reorder the dimensions of a tensor (``torch.permute``), as a layer of a ``Sequential``.

    ConvNeXt's blocks use it to apply ``nn.LayerNorm`` and ``nn.Linear`` over the channels
    (channels last). Introduced in chapter "EfficientNet and ConvNeXt".

    Examples:
        >>> import torch
        >>> from cnnlib.models import Permute
        >>> Permute((0, 2, 3, 1))(torch.zeros(1, 3, 4, 5)).shape
        torch.Size([1, 4, 5, 3])
    """

    def __init__(self, dims: Sequence[int]) -> None:
        super().__init__()
        self.dims = tuple(dims)

    def forward(self, x: Tensor) -> Tensor:
        return x.permute(self.dims)

    def extra_repr(self) -> str:
        return f"dims={self.dims}"


class LayerNorm2d(nn.LayerNorm):
    """Layer normalisation over the channels of ``(N, C, H, W)`` maps, at every position on its
    own: torchvision's ``LayerNorm2d`` of ConvNeXt. Build it as ``LayerNorm2d(C, eps=1e-6)``.
    Introduced in chapter "EfficientNet and ConvNeXt".

    Examples:
        >>> import torch
        >>> from cnnlib.models import LayerNorm2d
        >>> y = LayerNorm2d(8, eps=1e-6)(torch.randn(2, 8, 3, 3))
        >>> bool(y.mean(dim=1).abs().max() < 1e-5)  # every position: mean 0 over the channels
        True
    """

    def forward(self, x: Tensor) -> Tensor:
        x = x.permute(0, 2, 3, 1)
        x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)
