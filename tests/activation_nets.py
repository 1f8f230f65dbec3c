"""What the tests of cnnlib.activations, cnnlib.plot.activations and the batch-norm explorer share:
small networks with batch normalisation, a batch of images, and a short training loop."""

from __future__ import annotations

import torch
from torch import nn


def small_net(norm: type[nn.Module] = nn.BatchNorm2d) -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, bias=False), norm(4), nn.ReLU(),
        nn.Conv2d(4, 6, 3, padding=1, bias=False), norm(6), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 3),
    )


def pooled_norm_net() -> nn.Sequential:
    """A network whose last batch norm (layer "4") sees 1x1 maps: one value per channel and image."""
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(4, 3),
    )


def make_batch(n: int = 40, size: int = 6) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` images ``(1, size, size)`` of three classes that differ in brightness, and their labels."""
    generator = torch.Generator().manual_seed(0)
    images = torch.randn(n, 1, size, size, generator=generator)
    labels = torch.arange(n) % 3
    images += labels.view(-1, 1, 1, 1).float()
    return images, labels


def train(model: nn.Module, batch, epochs: int = 20, batch_size: int = 8) -> nn.Module:
    """``model`` trained with SGD on ``batch`` (in order, no shuffling), returned in evaluation mode."""
    images, labels = batch
    optimiser = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(epochs):
        for index in torch.arange(len(images)).split(batch_size):
            optimiser.zero_grad()
            nn.functional.cross_entropy(model(images[index]), labels[index]).backward()
            optimiser.step()
    return model.eval()


def make_trained(batch) -> nn.Sequential:
    """A small network with non-trivial running statistics and weights."""
    return train(small_net(), batch)
