"""Operations built from scratch, mirroring ``torch.nn.functional``.

An operation that PyTorch also has carries its name, argument order *and argument names*
(``conv2d(input, weight, bias, stride, padding, dilation, groups)``), so that what a learner
learns here transfers (``tests/test_ops_signatures.py`` compares them); each is proven equal to
PyTorch's own in the tests and in its chapter. Beside them sit the helpers the chapters compute
with (kernels by name, the windows of adaptive pooling, a named kernel applied to a photo). The
layers (``nn.Module`` classes) that call these functions are in :mod:`cnnlib.models`. The
normalisations are batch normalisation (``batch_norm``) and its siblings that never pool over
the batch: ``layer_norm``, ``group_norm`` and ``instance_norm``.
"""

from cnnlib.ops.batchnorm import NORMALISATIONS, batch_norm, fuse_conv_bn, statistics_groups
from cnnlib.ops.conv import (
    KERNELS,
    PADDING_MODES,
    apply_kernel,
    conv2d,
    conv2d_naive,
    conv_transpose2d,
    edge_feature_map,
    equivariance_orders,
    named_kernel,
    unfold,
)
from cnnlib.ops.normalisation import group_norm, instance_norm, layer_norm
from cnnlib.ops.pooling import (
    POOLINGS,
    adaptive_avg_pool2d,
    adaptive_max_pool2d,
    adaptive_windows,
    avg_pool2d,
    binomial_kernel,
    blur_pool2d,
    max_pool2d,
    pool_image,
)

__all__ = [
    "conv2d",
    "statistics_groups",
    "NORMALISATIONS",
    "conv2d_naive",
    "conv_transpose2d",
    "unfold",
    "named_kernel",
    "KERNELS",
    "PADDING_MODES",
    "apply_kernel",
    "equivariance_orders",
    "edge_feature_map",
    "max_pool2d",
    "avg_pool2d",
    "adaptive_windows",
    "adaptive_avg_pool2d",
    "adaptive_max_pool2d",
    "binomial_kernel",
    "blur_pool2d",
    "pool_image",
    "POOLINGS",
    "batch_norm",
    "fuse_conv_bn",
    "layer_norm",
    "group_norm",
    "instance_norm",
]
