"""cnnlib.plot: learning curves, confusion matrices, filters and feature maps show the right data."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from torch import nn

from cnnlib import models, plot, train
from cnnlib.activations import layer_output


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def image_axes(fig) -> list:
    """Axes of a figure that show an image (the colour bar's axes excluded)."""
    return [ax for ax in fig.axes if ax.images]


def test_learning_curves_draw_each_history_in_percent() -> None:
    a = train.History([1.0, 0.5], [0.5, 0.75], [1.2, 0.7], [0.4, 0.8], [0.1, 0.1])
    b = train.History([0.9, 0.3], [0.6, 0.9], seconds=[0.1, 0.1])
    fig = plot.learning_curves({"a": a, "b": b}, title="runs", val_label="test")
    loss_ax, acc_ax = fig.axes
    lines = {line.get_label(): line for line in acc_ax.get_lines()}
    assert set(lines) == {"a (train)", "a (test)", "b (train)"}
    np.testing.assert_allclose(lines["a (test)"].get_ydata(), [40.0, 80.0])
    np.testing.assert_allclose(lines["b (train)"].get_xdata(), [1, 2])
    np.testing.assert_allclose(loss_ax.get_lines()[0].get_ydata(), a.train_loss)
    assert acc_ax.get_ylabel() == "accuracy (%)" and loss_ax.get_xlabel() == "epoch"
    assert fig._suptitle.get_text() == "runs"


def test_confusion_matrix_shows_the_counts() -> None:
    matrix = torch.tensor([[5, 1], [0, 7]])
    fig = plot.confusion_matrix(matrix, class_names=["cat", "dog"])
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.images[0].get_array(), matrix.numpy())
    assert sorted(t.get_text() for t in ax.texts) == ["1", "5", "7"]  # zero cells stay blank
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog"]
    assert ax.get_ylabel() == "true class"


def test_show_filters_draws_every_filter_on_one_symmetric_scale() -> None:
    torch.manual_seed(0)
    conv = nn.Conv2d(2, 5, 3)
    fig = plot.show_filters(conv, in_channel=1, ncols=3)
    axes = image_axes(fig)
    assert len(axes) == 5
    limit = conv.weight.abs().max().item()
    for i, ax in enumerate(axes):
        np.testing.assert_allclose(ax.images[0].get_array(), conv.weight[i, 1].detach().numpy())
        assert ax.images[0].get_clim() == pytest.approx((-limit, limit))
        assert ax.get_title() == f"filter {i}"
    assert "5 filters of 3×3" in fig._suptitle.get_text()


def test_show_filters_shows_three_channel_filters_in_colour_scaled_to_unit_range() -> None:
    weight = torch.randn(4, 3, 5, 5)
    axes = image_axes(plot.show_filters(weight))
    assert len(axes) == 4
    shown = np.asarray(axes[2].images[0].get_array())
    assert shown.shape == (5, 5, 3)
    assert shown.min() == pytest.approx(0.0) and shown.max() == pytest.approx(1.0)
    expected = weight[2].permute(1, 2, 0)
    expected = (expected - expected.min()) / (expected.max() - expected.min())
    np.testing.assert_allclose(shown, expected.numpy(), atol=1e-6)


def test_show_feature_maps_draws_one_panel_per_channel_with_the_layer_output() -> None:
    torch.manual_seed(0)
    model = models.LeNet5()
    image = torch.rand(1, 32, 32)
    fig = plot.show_feature_maps(model, image, "features.c3", ncols=4)
    axes = image_axes(fig)
    maps = layer_output(model, image.unsqueeze(0), "features.c3")[0]
    assert len(axes) == 16
    for i, ax in enumerate(axes):
        np.testing.assert_allclose(ax.images[0].get_array(), maps[i].numpy())
        assert ax.images[0].get_clim() == pytest.approx((maps.min().item(), maps.max().item()))
    assert "features.c3 (16×10×10)" in fig._suptitle.get_text()


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: plot.learning_curves({}), ValueError, "at least one"),
        (lambda: plot.learning_curves({"a": [0.1]}), TypeError, "History"),
        (lambda: plot.learning_curves(train.History()), ValueError, "no epoch"),
        (lambda: plot.learning_curves(train.History(), loss_scale="symlog"), ValueError, "loss_scale"),
        (lambda: plot.confusion_matrix(np.zeros((2, 3))), ValueError, "square"),
        (lambda: plot.confusion_matrix(np.zeros((2, 2)), class_names=["a"]), ValueError, "class_names"),
        (lambda: plot.show_filters("conv"), TypeError, "layer"),
        (lambda: plot.show_filters(torch.zeros(3, 3)), ValueError, "weight"),
        (lambda: plot.show_filters(nn.Conv2d(2, 4, 3), in_channel=2), ValueError, "in_channel"),
        (lambda: plot.show_filters(nn.Conv2d(1, 4, 3), ncols=0), ValueError, "ncols"),
        (lambda: plot.show_feature_maps(models.LeNet5(), torch.zeros(1, 1, 32, 32), "features.c1"),
         ValueError, "image"),
        (lambda: plot.show_feature_maps(models.LeNet5(), np.zeros((1, 32, 32)), "features.c1"),
         TypeError, "image"),
        (lambda: plot.show_feature_maps(models.LeNet5(), torch.zeros(1, 32, 32), "features.c9"),
         ValueError, "features.c1"),
        (lambda: plot.show_feature_maps(models.LeNet5(), torch.zeros(1, 32, 32), "classifier.f6"),
         ValueError, "maps"),
        (lambda: layer_output("model", torch.zeros(1), "x"), TypeError, "model"),
        (lambda: layer_output(models.LeNet5(), [0.0], "features.c1"), TypeError, "inputs"),
        (lambda: layer_output(nn.Sequential(nn.ReLU(), nn.Linear(2, 2)), torch.zeros(1, 2), nn.Tanh()),
         ValueError, "layer"),
    ],
)
def test_bad_arguments_raise_errors_naming_them(call, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        call()


def test_seed_spread_draws_every_run_and_each_mean() -> None:
    import pandas as pd

    from cnnlib.plot import seed_spread

    runs = pd.DataFrame({"model": ["cnn"] * 3 + ["mlp"] * 2, "accuracy": [0.90, 0.92, 0.91, 0.85, 0.88]})
    fig = seed_spread(runs, by="model")
    ax = fig.axes[0]
    dots = sorted(x for collection in ax.collections for x, _ in collection.get_offsets())
    assert dots == pytest.approx(sorted(100 * runs["accuracy"]))
    assert [bar.get_width() for bar in ax.patches] == pytest.approx([91.0, 86.5])
    plt.close(fig)
