"""What the tests of cnnlib.activations and cnnlib.plot.activations share: a small network with
batch normalisation, a batch of images, and that network trained on it."""

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


def make_batch() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    images = torch.randn(40, 1, 6, 6, generator=generator)
    labels = torch.arange(40) % 3
    images += labels.view(-1, 1, 1, 1).float()  # classes that differ in brightness
    return images, labels


def make_trained(batch) -> nn.Sequential:
    """A small network with non-trivial running statistics and weights."""
    images, labels = batch
    model = small_net()
    optimiser = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(20):
        for index in torch.arange(40).split(8):
            optimiser.zero_grad()
            nn.functional.cross_entropy(model(images[index]), labels[index]).backward()
            optimiser.step()
    return model.eval()
