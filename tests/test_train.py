"""cnnlib.train: the training loop learns, records, repeats exactly and rejects bad arguments."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import confusion_matrix
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from cnnlib import train


def blobs(n: int = 200, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Two well-separated Gaussian blobs in 2-D, labelled 0 and 1 (linearly separable)."""
    generator = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 2
    centres = torch.tensor([[-3.0, -3.0], [3.0, 3.0]])[labels]
    return centres + 0.5 * torch.randn(n, 2, generator=generator), labels


def tiny(dropout: float = 0.0) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Dropout(dropout), nn.Linear(8, 2))


def test_fit_learns_a_separable_problem() -> None:
    model = tiny()
    before = train.evaluate(model, blobs(seed=1))
    history = train.fit(model, blobs(), epochs=5, lr=0.05, batch_size=16, progress=False, device="cpu")
    after = train.evaluate(model, blobs(seed=1))  # fresh points from the same blobs
    assert after.accuracy == 1.0
    assert after.loss < before.loss / 10
    assert history.train_loss[-1] < history.train_loss[0]


def test_history_records_every_epoch_and_validation_matches_evaluate() -> None:
    model = tiny()
    history = train.fit(model, blobs(), blobs(seed=1), epochs=4, lr=0.01, progress=False, device="cpu")
    assert history.epochs == 4
    for values in (history.train_loss, history.train_acc, history.val_loss, history.val_acc, history.seconds):
        assert len(values) == 4
    assert all(0.0 <= a <= 1.0 for a in history.train_acc + history.val_acc)
    assert all(s > 0 for s in history.seconds)
    final = train.evaluate(model, blobs(seed=1))
    assert history.val_acc[-1] == final.accuracy
    assert history.val_loss[-1] == pytest.approx(final.loss)
    frame = history.to_frame()
    assert list(frame.columns) == ["train_loss", "train_acc", "val_loss", "val_acc", "seconds"]
    assert list(frame.index) == [1, 2, 3, 4]


def test_history_without_validation_has_empty_validation_lists() -> None:
    history = train.fit(tiny(), blobs(), epochs=2, progress=False, device="cpu")
    assert history.val_loss == [] and history.val_acc == []
    assert "val_acc" not in history.to_frame().columns


def test_training_loss_and_accuracy_are_the_epoch_means_over_batches() -> None:
    # One batch per epoch and plain SGD: the recorded loss is the loss before the step.
    x, y = blobs(40)
    model = tiny()
    expected_loss = F.cross_entropy(model(x), y).item()
    expected_acc = (model(x).argmax(1) == y).float().mean().item()
    history = train.fit(model, (x, y), epochs=1, batch_size=40, progress=False, device="cpu",
                        optimizer=functools.partial(torch.optim.SGD, lr=0.1))
    assert history.train_loss[0] == pytest.approx(expected_loss, rel=1e-6)
    assert history.train_acc[0] == pytest.approx(expected_acc)


def test_seeded_runs_repeat_exactly_even_with_dropout_and_random_augmentation() -> None:
    def jitter(inputs: torch.Tensor) -> torch.Tensor:
        return inputs + 0.1 * torch.randn_like(inputs)  # draws from torch's global generator

    first, second, other = tiny(dropout=0.5), tiny(dropout=0.5), tiny(dropout=0.5)
    settings_ = dict(epochs=3, lr=0.01, batch_size=16, progress=False, device="cpu", augment=jitter)
    torch.manual_seed(123)
    state = torch.get_rng_state()
    h1 = train.fit(first, blobs(), seed=7, **settings_)
    assert torch.equal(torch.get_rng_state(), state)  # the caller's random numbers are untouched
    torch.manual_seed(999)  # a different global state must not matter
    h2 = train.fit(second, blobs(), seed=7, **settings_)
    h3 = train.fit(other, blobs(), seed=8, **settings_)
    assert h1.train_loss == h2.train_loss and h1.train_acc == h2.train_acc
    for a, b in zip(first.state_dict().values(), second.state_dict().values()):
        assert torch.equal(a, b)
    assert h3.train_loss != h1.train_loss


def test_progress_bar_shows_epochs_and_metrics_only_when_asked(capsys: pytest.CaptureFixture) -> None:
    train.fit(tiny(), blobs(), blobs(seed=1), epochs=3, progress=True, device="cpu")
    shown = capsys.readouterr().err
    assert "training Sequential (epochs)" in shown
    assert "3/3" in shown and "loss=" in shown and "val_acc=" in shown
    train.fit(tiny(), blobs(), epochs=3, progress=False, device="cpu")
    assert capsys.readouterr().err == ""


def test_augment_sees_every_training_batch_and_scheduler_steps_every_epoch() -> None:
    seen: list[int] = []

    def count(inputs: torch.Tensor) -> torch.Tensor:
        seen.append(len(inputs))
        return inputs

    schedulers = []

    def halve(optimizer: torch.optim.Optimizer):
        schedulers.append(torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5))
        return schedulers[-1]

    model = tiny()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    train.fit(model, blobs(50), blobs(seed=1), epochs=3, batch_size=20, optimizer=optimizer,
              augment=count, scheduler=halve, progress=False, device="cpu")
    assert seen == [20, 20, 10] * 3  # training batches only, never the validation data
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.1 * 0.5**3)


def test_fit_accepts_a_dataloader_and_an_optimizer_factory() -> None:
    x, y = blobs()
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
    model = tiny()
    train.fit(model, loader, epochs=5, progress=False, device="cpu",
              optimizer=functools.partial(torch.optim.SGD, lr=0.1, momentum=0.9))
    assert train.evaluate(model, blobs(seed=1)).accuracy == 1.0


@given(st.integers(1, 60), st.integers(1, 70), st.integers(0, 2**31), st.booleans())
@settings(max_examples=30, deadline=None)
def test_as_loader_gives_the_batches_of_a_plain_dataloader(
    n: int, batch_size: int, seed: int, shuffle: bool
) -> None:
    x, y = torch.arange(3.0 * n).reshape(n, 3), torch.arange(n)
    ours = train.as_loader((x, y), batch_size=batch_size, shuffle=shuffle, seed=seed)
    theirs = DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=shuffle,
                        generator=torch.Generator().manual_seed(seed))
    for _ in range(2):  # two epochs: the second shuffle must match too
        pairs = list(zip(ours, theirs, strict=True))
        for (xa, ya), (xb, yb) in pairs:
            assert torch.equal(xa, xb) and torch.equal(ya, yb)


def test_evaluate_matches_pytorch_and_scikit_learn() -> None:
    torch.manual_seed(0)
    model = nn.Linear(5, 4)
    x, y = torch.randn(100, 5), torch.randint(0, 4, (100,))
    model.train()
    result = train.evaluate(model, (x, y), batch_size=30)
    assert model.training  # the mode is restored
    logits = model(x).detach()
    predictions = logits.argmax(1)
    assert result.loss == pytest.approx(F.cross_entropy(logits, y).item(), rel=1e-5)
    assert result.accuracy == (predictions == y).sum().item() / len(y)
    assert np.array_equal(result.confusion.numpy(), confusion_matrix(y, predictions, labels=range(4)))
    assert torch.equal(result.predictions, predictions) and torch.equal(result.labels, y)
    assert torch.equal(result.wrong, (predictions != y).nonzero().flatten())


def test_evaluate_turns_dropout_off() -> None:
    model = tiny(dropout=0.9)
    x, y = blobs()
    first, second = train.evaluate(model, (x, y)), train.evaluate(model, (x, y))
    assert torch.equal(first.predictions, second.predictions) and first.loss == second.loss


def test_get_device_and_seed_everything() -> None:
    assert isinstance(train.get_device(), torch.device)
    train.seed_everything(3)
    a = torch.rand(3), np.random.rand()
    train.seed_everything(3)
    b = torch.rand(3), np.random.rand()
    assert torch.equal(a[0], b[0]) and a[1] == b[1]


def other_optimizer() -> torch.optim.Optimizer:
    return torch.optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        (dict(model="model"), TypeError, "model"),
        (dict(epochs=0), ValueError, "epochs"),
        (dict(epochs=2.5), TypeError, "epochs"),
        (dict(lr=0), ValueError, "lr"),
        (dict(lr=-1e-3), ValueError, "lr"),
        (dict(lr="fast"), TypeError, "lr"),
        (dict(batch_size=0), ValueError, "batch_size"),
        (dict(seed=-1), ValueError, "seed"),
        (dict(progress="yes"), TypeError, "progress"),
        (dict(train_data=[1, 2]), TypeError, "DataLoader"),
        (dict(train_data=(torch.zeros(3, 2), torch.zeros(4))), ValueError, "same number"),
        (dict(train_data=(torch.zeros(0, 2), torch.zeros(0))), ValueError, "at least one"),
        (dict(val_data="test"), TypeError, "DataLoader"),
        (dict(optimizer="adam"), TypeError, "optimizer"),
        (dict(optimizer=lambda params: "adam"), TypeError, "optimizer"),
        (dict(optimizer=other_optimizer()), ValueError, "holds none"),
        (dict(optimizer=other_optimizer(), lr=0.1), ValueError, "either optimizer or lr"),
        (dict(loss_fn="cross-entropy"), TypeError, "loss_fn"),
        (dict(augment=3), TypeError, "augment"),
        (dict(scheduler=3), TypeError, "scheduler"),
        (dict(on_epoch_end=3), TypeError, "on_epoch_end"),
        (dict(scheduler=lambda optimizer: None), TypeError, "scheduler"),
        (dict(device="gpu9"), ValueError, "device"),
    ],
)
def test_bad_arguments_raise_errors_naming_them(kwargs: dict, error: type, words: str) -> None:
    arguments = dict(model=tiny(), train_data=blobs(), epochs=1, progress=False)
    arguments.update(kwargs)
    model, data = arguments.pop("model"), arguments.pop("train_data")
    with pytest.raises(error, match=words):
        train.fit(model, data, **arguments)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: train.evaluate("model", blobs()), TypeError, "model"),
        (lambda: train.evaluate(tiny(), blobs(), loss_fn=1), TypeError, "loss_fn"),
        (lambda: train.evaluate(tiny(), (torch.zeros(0, 2), torch.zeros(0))), ValueError, "at least one"),
        (lambda: train.evaluate(tiny(), blobs(), batch_size=0), ValueError, "batch_size"),
        (lambda: train.as_loader(blobs(), shuffle="yes"), TypeError, "shuffle"),
        (lambda: train.seed_everything(-1), ValueError, "seed"),
    ],
)
def test_other_bad_arguments_raise_errors_naming_them(call, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        call()


def test_fit_moves_the_model_to_the_requested_device() -> None:
    model = tiny()
    train.fit(model, blobs(), epochs=1, progress=False, device=torch.device("cpu"))
    assert all(p.device.type == "cpu" for p in model.parameters())


def test_lenet5_recipe_is_the_cosine_recipe_with_the_books_settings() -> None:
    recipe = train.lenet5_recipe()
    reference = train.cosine_recipe(epochs=3, batch_size=96, lr=3e-3)
    assert {k: v for k, v in recipe.items() if k != "scheduler"} == {
        k: v for k, v in reference.items() if k != "scheduler"
    }
    optimizer = torch.optim.Adam(nn.Linear(2, 2).parameters(), lr=recipe["lr"])
    schedule = recipe["scheduler"](optimizer)
    assert isinstance(schedule, torch.optim.lr_scheduler.CosineAnnealingLR) and schedule.T_max == 3
    assert train.lenet5_recipe(epochs=7)["epochs"] == 7


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"epochs": 0}, ValueError, "epochs"),
        ({"lr": -1.0}, ValueError, "lr"),
        ({"batch_size": 1.5}, TypeError, "batch_size"),
    ],
)
def test_lenet5_recipe_rejects_bad_settings(kwargs, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        train.lenet5_recipe(**kwargs)


@pytest.mark.parametrize("layer", [nn.BatchNorm2d, "cnnlib"])
def test_recompute_batch_norm_sets_the_statistics_of_the_inputs(layer) -> None:
    from cnnlib.models import BatchNorm2d

    norm = BatchNorm2d(3) if layer == "cnnlib" else layer(3)
    model = nn.Sequential(nn.Conv2d(1, 3, 3), norm, nn.ReLU(), nn.Dropout(0.5))
    model[3].eval()  # a submodule's own mode survives
    images = 2.0 + 3.0 * torch.randn(60, 1, 6, 6, generator=torch.Generator().manual_seed(0))
    assert train.recompute_batch_norm(model, images, batch_size=20) is model
    features = model[0](images).detach()
    # equal batches: the mean is the mean of the batch means, the variance their unbiased average
    torch.testing.assert_close(norm.running_mean, features.mean(dim=(0, 2, 3)))
    batch_vars = torch.stack([features[i:i + 20].var(dim=(0, 2, 3)) for i in range(0, 60, 20)])
    torch.testing.assert_close(norm.running_var, batch_vars.mean(dim=0))
    assert norm.momentum == 0.1 and model.training and not model[3].training


def test_recompute_batch_norm_rejects_bad_arguments() -> None:
    images = torch.zeros(4, 1, 6, 6)
    with_norm = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2))
    with pytest.raises(TypeError, match="model"):
        train.recompute_batch_norm("net", images)
    with pytest.raises(TypeError, match="inputs"):
        train.recompute_batch_norm(with_norm, images.numpy())
    with pytest.raises(ValueError, match="batch-norm"):
        train.recompute_batch_norm(nn.Conv2d(1, 2, 3), images)
    with pytest.raises(ValueError, match="inputs"):
        train.recompute_batch_norm(with_norm, images[:0])
    with pytest.raises(ValueError, match="batch_size"):
        train.recompute_batch_norm(with_norm, images, batch_size=0)


class RecordingSGD(torch.optim.SGD):
    """SGD that records the learning rate each of its steps uses."""

    def __init__(self, params, lr: float = 0.1) -> None:
        super().__init__(params, lr=lr)
        self.seen: list[float] = []

    def step(self, closure=None):  # type: ignore[override]
        self.seen.append(self.param_groups[0]["lr"])
        return super().step(closure)


@pytest.mark.parametrize("interval", ["epoch", "step"])
def test_the_learning_rate_of_every_step_is_the_schedulers(interval: str) -> None:
    epochs, batches = 3, 3  # 50 examples in batches of 20

    def one_cycle(optimizer: torch.optim.Optimizer):
        total = epochs * batches if interval == "step" else epochs
        return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.5, total_steps=total)

    model = tiny()
    optimizer = RecordingSGD(model.parameters())
    train.fit(model, blobs(50), epochs=epochs, batch_size=20, optimizer=optimizer, scheduler=one_cycle,
              scheduler_interval=interval, progress=False, device="cpu")
    # The same scheduler on a bare optimizer: the rate before each of its steps.
    reference = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=0.1)
    schedule = one_cycle(reference)
    expected = []
    for _ in range(epochs * batches if interval == "step" else epochs):
        expected.append(reference.param_groups[0]["lr"])
        reference.step()
        schedule.step()
    if interval == "epoch":  # one rate for all the steps of an epoch
        expected = [lr for lr in expected for _ in range(batches)]
    assert optimizer.seen == pytest.approx(expected)


@pytest.mark.parametrize("interval, error", [("batch", ValueError), (1, TypeError)])
def test_an_unknown_scheduler_interval_is_an_error_naming_the_choices(interval, error: type) -> None:
    with pytest.raises(error, match="scheduler_interval.*'epoch', 'step'"):
        train.fit(tiny(), blobs(), epochs=1, scheduler_interval=interval, progress=False, device="cpu")


def test_on_epoch_end_sees_each_finished_epoch_and_the_model_being_trained() -> None:
    model = tiny()
    calls = []

    def record(seen_model: nn.Module, history: train.History) -> None:
        calls.append((seen_model is model, history.epochs, len(history.val_acc),
                      [p.detach().clone() for p in seen_model.parameters()]))

    history = train.fit(model, blobs(50), blobs(seed=1), epochs=3, batch_size=20, on_epoch_end=record,
                        progress=False, device="cpu")
    assert [c[:3] for c in calls] == [(True, 1, 1), (True, 2, 2), (True, 3, 3)]
    assert history.epochs == 3
    for kept, now in zip(calls[-1][3], model.parameters()):  # the last call saw the final weights
        torch.testing.assert_close(kept, now.detach())
    assert not all(torch.equal(a, b) for a, b in zip(calls[0][3], calls[-1][3]))  # it trained on
