"""The gradient explorer driven through its controls, against resnet_gradient_norms."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from explorers import assert_every_change_redraws, shown_picture

from cnnlib.gradients import resnet_gradient_norms
from cnnlib.widgets import GradientExplorer, gradient_explorer
from cnnlib.widgets.resnet import NETWORKS, NORMALISATIONS, _describe


@pytest.fixture(scope="module")
def batch() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    return torch.randn(8, 1, 8, 8, generator=generator), torch.randint(0, 10, (8,), generator=generator)


def expected_summary(batch, depth: int, network: str, normalisation: str, seed: int = 0) -> str:
    names = ["plain", "residual"] if network == "both" else [network]
    lines = []
    for name in names:
        frame = resnet_gradient_norms(depth, *batch, residual=name == "residual",
                                      batch_norm=normalisation == "batch norm", seed=seed)
        lines.append(_describe(f"{name}, depth {depth}", frame))
    return "<br>".join(lines)


def test_default_shows_both_networks_at_depth_20(batch) -> None:
    explorer = gradient_explorer(*batch)
    assert isinstance(explorer, GradientExplorer)
    assert (explorer.depth.value, explorer.depth.min, explorer.depth.max, explorer.depth.step) == (20, 8, 56, 6)
    assert list(explorer.network.options) == list(NETWORKS) and explorer.network.value == "both"
    assert list(explorer.normalisation.options) == list(NORMALISATIONS)
    assert explorer.summary.value == expected_summary(batch, 20, "both", "batch norm")
    shown_picture(explorer)


@pytest.mark.parametrize(("depth", "network", "normalisation"),
                         [(8, "plain", "batch norm"), (32, "residual", "none"), (44, "both", "none")])
def test_summary_and_figure_follow_the_controls(batch, depth, network, normalisation) -> None:
    explorer = gradient_explorer(*batch)
    explorer.depth.value, explorer.network.value, explorer.normalisation.value = depth, network, normalisation
    assert explorer.summary.value == expected_summary(batch, depth, network, normalisation)
    lines = explorer.figure.axes[0].get_lines()
    assert len(lines) == (2 if network == "both" else 1)
    for line, frame in zip(lines, explorer.frames.values()):
        assert len(frame) == depth
        np.testing.assert_array_equal(line.get_ydata(), frame["grad_norm"])
    assert explorer.figure.axes[0].get_yscale() == "log"


def test_the_picture_follows_every_control(batch) -> None:
    explorer = gradient_explorer(*batch)
    assert_every_change_redraws(explorer, [("depth", 26), ("network", "plain"), ("normalisation", "none")])


def test_the_seed_chooses_the_weights(batch) -> None:
    explorer = gradient_explorer(*batch, seed=1)
    assert explorer.summary.value == expected_summary(batch, 20, "both", "batch norm", seed=1)
    assert explorer.summary.value != gradient_explorer(*batch, seed=2).summary.value


def test_describe_reports_first_last_and_spread(batch) -> None:
    frame = resnet_gradient_norms(8, *batch)
    norms = frame["grad_norm"]
    assert _describe("n", frame) == (f"n: first layer {norms.iloc[0]:.3g}, last layer {norms.iloc[-1]:.3g}, "
                                    f"largest / smallest {norms.max() / norms.min():.3g}")


def test_bad_arguments_raise(batch) -> None:
    with pytest.raises(ValueError, match="max_depth"):
        gradient_explorer(*batch, max_depth=30)
    with pytest.raises(ValueError, match="max_depth"):
        gradient_explorer(*batch, max_depth=2)
    with pytest.raises(TypeError, match="seed"):
        gradient_explorer(*batch, seed="0")
    with pytest.raises(ValueError, match="same"):
        gradient_explorer(batch[0], batch[1][:3])
