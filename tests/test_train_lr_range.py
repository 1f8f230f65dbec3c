"""train.lr_range_test: geometric learning rates, the model left unchanged, a sensible suggestion on
a small problem, the early stop, and argument errors."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import torch
from torch import nn

from cnnlib.data import load_digits
from cnnlib.train import LRRangeTest, lr_range_test


def _mlp(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Dropout(0.1), nn.Linear(32, 10))


@pytest.fixture(scope="module")
def digits() -> tuple[torch.Tensor, torch.Tensor]:
    return load_digits(split="train")


@pytest.fixture(scope="module")
def result(digits) -> LRRangeTest:
    return lr_range_test(_mlp(), digits, min_lr=1e-5, max_lr=10.0, steps=100, batch_size=32, device="cpu")


def test_learning_rates_grow_geometrically_between_the_bounds(result: LRRangeTest) -> None:
    lrs = result.lrs
    assert lrs[0] == 1e-5 and np.all(lrs <= 10.0) and np.all(np.diff(lrs) > 0)
    ratios = lrs[1:] / lrs[:-1]
    np.testing.assert_allclose(ratios, (10.0 / 1e-5) ** (1 / 99), rtol=1e-9)
    assert len(result.losses) == len(result.smoothed) == len(lrs) == result.steps


def test_the_loss_falls_then_rises_and_the_suggestion_is_sensible(result: LRRangeTest) -> None:
    smoothed = result.smoothed
    lowest = int(np.nanargmin(smoothed))
    assert 0 < lowest < len(smoothed) - 1
    assert smoothed[lowest] < 0.8 * smoothed[0]  # it falls ...
    assert not np.isfinite(smoothed[-1]) or smoothed[-1] > 1.5 * smoothed[lowest]  # ... then rises
    assert result.best_lr == result.lrs[lowest]
    assert result.suggestion == pytest.approx(result.best_lr / 10)
    assert 1e-4 < result.suggestion < 1.0


def test_the_smoothed_loss_is_the_bias_corrected_moving_average(result: LRRangeTest) -> None:
    average, smooth = 0.0, 0.98
    for i, loss in enumerate(result.losses):
        average = smooth * average + (1 - smooth) * loss
        assert result.smoothed[i] == pytest.approx(average / (1 - smooth ** (i + 1)))
    assert result.smoothed[0] == pytest.approx(result.losses[0])


def test_the_model_and_the_random_numbers_are_left_unchanged(digits) -> None:
    model = _mlp(1).train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    torch.manual_seed(123)
    state = torch.get_rng_state()
    lr_range_test(model, digits, steps=20, device="cpu")
    assert torch.equal(torch.get_rng_state(), state)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert model.training and all(p.grad is None for p in model.parameters())


def test_the_same_seed_gives_the_same_curve(digits) -> None:
    a = lr_range_test(_mlp(), digits, steps=30, seed=3, device="cpu")
    b = lr_range_test(_mlp(), digits, steps=30, seed=3, device="cpu")
    np.testing.assert_array_equal(a.losses, b.losses)


def test_stops_early_when_the_loss_explodes_and_cycles_through_small_data() -> None:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(40, 4, generator=g)
    y = (x[:, 0] > 0).long()
    torch.manual_seed(0)
    sgd = functools.partial(torch.optim.SGD, lr=0.1)
    full = lr_range_test(nn.Linear(4, 2), (x, y), min_lr=1e-3, max_lr=1e-2, steps=30, batch_size=16,
                         optimizer=sgd, stop_factor=1e9, device="cpu")
    assert full.steps == 30 and not full.stopped_early  # 30 batches from 3 batches of data
    exploding = lr_range_test(nn.Linear(4, 2), (x, y), min_lr=1e-2, max_lr=1e6, steps=200, batch_size=16,
                              optimizer=sgd, device="cpu")
    assert exploding.stopped_early and exploding.steps < 200
    finite = exploding.smoothed[np.isfinite(exploding.smoothed)]
    assert not np.isfinite(exploding.smoothed[-1]) or exploding.smoothed[-1] > 4.0 * finite[:-1].min()


def test_errors_name_the_argument(digits) -> None:
    model = _mlp()
    with pytest.raises(TypeError, match="model"):
        lr_range_test("model", digits)
    with pytest.raises(ValueError, match="min_lr"):
        lr_range_test(model, digits, min_lr=0.0)
    with pytest.raises(ValueError, match="max_lr must be larger than min_lr"):
        lr_range_test(model, digits, min_lr=1.0, max_lr=0.1)
    with pytest.raises(ValueError, match="steps"):
        lr_range_test(model, digits, steps=1)
    with pytest.raises(ValueError, match="smooth"):
        lr_range_test(model, digits, smooth=1.0)
    with pytest.raises(ValueError, match="stop_factor"):
        lr_range_test(model, digits, stop_factor=1.0)
    with pytest.raises(TypeError, match="optimizer must be a function"):
        lr_range_test(model, digits, optimizer=torch.optim.Adam(model.parameters()))
    with pytest.raises(TypeError, match="optimizer"):
        lr_range_test(model, digits, optimizer="adam")
    with pytest.raises(TypeError, match="data"):
        lr_range_test(model, [1, 2, 3])
    with pytest.raises(ValueError, match="batch_size"):
        lr_range_test(model, digits, batch_size=0)
