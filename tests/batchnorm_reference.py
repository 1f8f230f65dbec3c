"""What the batch-norm tests of the function (test_ops_batchnorm.py) and of the layer
(test_models_layers.py) share: double precision, seeded generators, random scale and shift."""

from __future__ import annotations

import torch
from hypothesis import strategies as st
from torch import nn

DOUBLE = torch.float64
momenta = st.one_of(st.none(), st.floats(0.0, 1.0, allow_nan=False))


def generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def random_like_bn(reference: nn.BatchNorm2d, seed: int) -> None:
    """Give PyTorch's layer random gamma and beta (the defaults 1 and 0 would hide mistakes)."""
    g = generator(seed)
    with torch.no_grad():
        if reference.weight is not None:
            reference.weight.copy_(torch.randn(reference.weight.shape, generator=g, dtype=DOUBLE))
        if reference.bias is not None:
            reference.bias.copy_(torch.randn(reference.bias.shape, generator=g, dtype=DOUBLE))


def gradients(output: torch.Tensor, inputs: list[torch.Tensor], weights: torch.Tensor) -> tuple:
    return torch.autograd.grad(output, inputs, weights)
