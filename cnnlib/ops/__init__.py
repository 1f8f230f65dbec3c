"""Operations built from scratch, mirroring the names and argument order of ``torch.nn.functional``.

Each operation is proven equal to PyTorch's own in the tests and in its chapter.
"""

from cnnlib.ops.batchnorm import BatchNorm2d, batch_norm, fuse_conv_bn
from cnnlib.ops.conv import KERNELS, conv2d, conv2d_naive, named_kernel, unfold
from cnnlib.ops.pooling import (
    adaptive_avg_pool2d,
    adaptive_max_pool2d,
    adaptive_windows,
    avg_pool2d,
    binomial_kernel,
    blur_pool2d,
    max_pool2d,
)

__all__ = [
    "conv2d",
    "conv2d_naive",
    "unfold",
    "named_kernel",
    "KERNELS",
    "max_pool2d",
    "avg_pool2d",
    "adaptive_windows",
    "adaptive_avg_pool2d",
    "adaptive_max_pool2d",
    "binomial_kernel",
    "blur_pool2d",
    "batch_norm",
    "BatchNorm2d",
    "fuse_conv_bn",
]
