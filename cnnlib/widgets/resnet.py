"""Explorer for residual networks: the gradient norm of every layer at initialisation, plain
against residual, for any depth, with or without batch normalisation."""

from __future__ import annotations

import ipywidgets as widgets
import pandas as pd
from matplotlib.figure import Figure
from torch import Tensor

from cnnlib._checks import check_int
from cnnlib.gradients import resnet_gradient_norms
from cnnlib.plot.gradients import gradient_norms
from cnnlib.widgets._explorer import Explorer

#: What the explorer can show: the plain network, the residual one, or both.
NETWORKS = ("plain", "residual", "both")
#: Normalisation choices of the explorer.
NORMALISATIONS = ("batch norm", "none")


def _describe(label: str, frame: pd.DataFrame) -> str:
    """One line about a frame of gradient norms: first and last layer, and their spread.

    Examples:
        >>> _describe("plain", pd.DataFrame({"grad_norm": [8.0, 2.0, 0.5]}))
        'plain: first layer 8, last layer 0.5, largest / smallest 16'
    """
    norms = frame["grad_norm"]
    spread = norms.max() / norms.min() if norms.min() > 0 else float("inf")
    return (
        f"{label}: first layer {norms.iloc[0]:.3g}, last layer {norms.iloc[-1]:.3g}, "
        f"largest / smallest {spread:.3g}"
    )


class GradientExplorer(Explorer):
    """The explorer :func:`gradient_explorer` returns: gradient norms per layer at initialisation.

    Controls: ``depth`` (8, 14, 20 ... ``max_depth`` weighted layers: a
    :class:`~cnnlib.models.SmallResNet` with widths 8, 16, 32), ``network`` (one of
    ``NETWORKS``) and ``normalisation`` (one of ``NORMALISATIONS``). For each network the
    ``summary`` gives the gradient norm of the first and the last layer and the ratio of the
    largest to the smallest, as measured by :func:`cnnlib.gradients.resnet_gradient_norms` on the
    batch ``(images, labels)`` with the weights of ``seed`` (kept in ``frames``, label -> frame);
    the ``picture`` draws them all (:func:`cnnlib.plot.gradient_norms`). Introduced in chapter
    "ResNet".

    Raises:
        ValueError: if ``max_depth`` is not 2 plus a multiple of 6 of at least 8, and for the
            errors of :func:`cnnlib.gradients.resnet_gradient_norms` (checked with depth 8).
        TypeError: for a non-integer ``max_depth`` or ``seed``.

    Examples:
        >>> import torch
        >>> from cnnlib.widgets import GradientExplorer
        >>> explorer = GradientExplorer(torch.randn(8, 1, 8, 8), torch.randint(0, 10, (8,)), max_depth=20)
        >>> explorer.depth.max, explorer.network.value, list(explorer.frames)
        (20, 'both', ['plain, depth 20', 'residual, depth 20'])
    """

    def __init__(self, images: Tensor, labels: Tensor, max_depth: int = 56, seed: int = 0) -> None:
        max_depth = check_int("max_depth", max_depth, 8)
        if (max_depth - 2) % 6:
            raise ValueError(f"max_depth must be 2 plus a multiple of 6 (8, 14, 20 ...), got {max_depth}")
        self.seed = check_int("seed", seed, 0)
        resnet_gradient_norms(8, images, labels, seed=self.seed)  # checks the data once, up front
        self.images, self.labels = images, labels
        self.frames: dict[str, pd.DataFrame] = {}
        super().__init__([
            {"depth": widgets.IntSlider(value=20, min=8, max=max_depth, step=6, description="depth")},
            {"network": widgets.ToggleButtons(options=list(NETWORKS), value="both", description="network")},
            {"normalisation": widgets.ToggleButtons(options=list(NORMALISATIONS), value="batch norm",
                                                    description="normalise")},
        ])

    def compute(self) -> tuple[str, Figure | None]:
        """Measure the chosen networks' gradient norms at initialisation; describe and draw them."""
        depth, batch_norm = self.depth.value, self.normalisation.value == "batch norm"
        shown = ["plain", "residual"] if self.network.value == "both" else [self.network.value]
        self.frames = {
            f"{name}, depth {depth}": resnet_gradient_norms(
                depth, self.images, self.labels, residual=name == "residual",
                batch_norm=batch_norm, seed=self.seed,
            )
            for name in shown
        }
        summary = "<br>".join(_describe(label, frame) for label, frame in self.frames.items())
        fig = Figure(figsize=(7, 3.6))  # not a pyplot figure: nothing global to close
        norm = "with batch norm" if batch_norm else "without normalisation"
        gradient_norms(self.frames, title=f"Gradient norms at initialisation, {norm}", ax=fig.subplots())
        fig.tight_layout()
        return summary, fig


def gradient_explorer(images: Tensor, labels: Tensor, max_depth: int = 56, seed: int = 0) -> GradientExplorer:
    """An explorer: the gradient norm of each layer of a freshly initialised small ResNet.

    Returns a :class:`GradientExplorer` (its controls, summary and picture are described there)
    that measures on the batch ``(images, labels)``, with depths up to ``max_depth`` and the
    weights of ``seed``. Works with ipywidgets 7 and 8. Introduced in chapter "ResNet".

    Raises:
        ValueError: if ``max_depth`` is not 2 plus a multiple of 6 of at least 8, and for the
            errors of :func:`cnnlib.gradients.resnet_gradient_norms` (checked with depth 8).
        TypeError: for a non-integer ``max_depth`` or ``seed``.

    Examples:
        >>> from cnnlib.data import load_digits
        >>> from cnnlib.widgets import gradient_explorer
        >>> images, labels = load_digits(split="test")
        >>> explorer = gradient_explorer(images[:64], labels[:64])
        >>> explorer.depth.value = 8
        >>> explorer.network.value = "plain"
        >>> list(explorer.frames), len(explorer.frames["plain, depth 8"])
        (['plain, depth 8'], 8)
    """
    return GradientExplorer(images, labels, max_depth, seed)
