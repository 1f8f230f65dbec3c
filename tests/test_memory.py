"""cnnlib.memory.peak_memory: tensor bytes alive at the peak, exact on small cases, forward and
backward, with checkpointing and torchvision's memory-efficient DenseNet."""

from __future__ import annotations

import pytest
import torch
import torchvision
from torch import nn
from torch.utils.checkpoint import checkpoint

from cnnlib.memory import peak_memory


def test_exact_bytes_of_small_computations() -> None:
    assert peak_memory(lambda: torch.empty(1000)) == 4000
    assert peak_memory(lambda: torch.zeros(10, 10, dtype=torch.float64)) == 800
    x = torch.ones(1000)
    assert peak_memory(lambda: x * 2) == 4000  # the input was made before: not counted
    # x * 2 is alive while * 3 writes its result; then it is freed
    assert peak_memory(lambda: (x * 2) * 3) == 8000
    assert peak_memory(lambda: ((x * 2) * 3) * 4) == 8000  # never more than two at a time

    def kept() -> list[torch.Tensor]:
        a = x * 2
        b = a * 3
        return [a, b, b * 4]

    assert peak_memory(kept) == 12000


def test_views_and_in_place_updates_allocate_nothing() -> None:
    x = torch.ones(100, 10)
    assert peak_memory(lambda: x.view(10, 100).t()[2:5]) == 0
    assert peak_memory(lambda: x.add_(1)) == 0
    assert peak_memory(lambda: x.t().contiguous()) == 4000

    def one_storage_many_views() -> list[torch.Tensor]:
        y = x * 2
        return [y, y.t(), y[3], y.view(-1)]

    assert peak_memory(one_storage_many_views) == 4000


def test_freed_memory_is_not_counted_twice() -> None:
    def loop() -> None:
        for _ in range(10):
            y = torch.empty(250)
            del y

    assert peak_memory(loop) == 1000


def test_backward_adds_to_the_forward_pass() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Conv2d(8, 8, 3))
    x = torch.randn(2, 3, 16, 16)
    with torch.no_grad():
        forward = peak_memory(lambda: model(x))
    assert forward == 2 * 8 * 14 * 14 * 4 * 2  # the first convolution's output and its ReLU
    step = peak_memory(lambda: model(x).sum().backward())
    assert step > forward


def test_checkpointing_lowers_the_peak_of_a_training_step() -> None:
    torch.manual_seed(0)
    layers = [nn.Sequential(nn.Linear(256, 256), nn.ReLU()) for _ in range(8)]
    net = nn.Sequential(*layers)
    x = torch.randn(64, 256)

    def checkpointed() -> None:
        h = x
        for layer in layers:
            h = checkpoint(layer, h, use_reentrant=False)
        h.sum().backward()

    plain = peak_memory(lambda: net(x).sum().backward())
    assert peak_memory(checkpointed) < 0.6 * plain


def test_memory_efficient_densenet_peaks_lower() -> None:
    """42.4 MB against 37.6 MB at the time of writing: about 32 MB of each are the weights'
    gradients, the rest activations, which recomputing the concatenations saves."""
    x = torch.randn(2, 3, 64, 64)
    peaks = {}
    for efficient in (False, True):
        torch.manual_seed(0)
        model = torchvision.models.densenet121(memory_efficient=efficient)
        peaks[efficient] = peak_memory(lambda: model(x).sum().backward())  # noqa: B023
    assert peaks[True] < 0.95 * peaks[False]


def test_the_result_counts_while_alive_and_fn_must_be_callable() -> None:
    assert peak_memory(lambda: [torch.empty(10) for _ in range(5)]) == 200
    with pytest.raises(TypeError, match="fn"):
        peak_memory(torch.empty(3))
