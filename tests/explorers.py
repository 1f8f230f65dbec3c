"""What the tests of the explorers (cnnlib.widgets) share: reading the picture an explorer shows,
and checking that a sequence of control changes redraws it every time."""

from __future__ import annotations

import io
import itertools

import matplotlib.pyplot as plt
import numpy as np

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def shown_picture(explorer) -> np.ndarray:
    """The PNG the explorer shows, decoded to an (H, W, 4) array (ipywidgets 8 stores a memoryview)."""
    png = bytes(explorer.picture.value)
    assert png[:8] == PNG_SIGNATURE
    return plt.imread(io.BytesIO(png), format="png")


def assert_every_change_redraws(explorer, changes: list[tuple[str, object]]) -> None:
    """Set each named control in turn; after every change the picture shows something else."""
    pictures = [shown_picture(explorer)]
    for name, value in changes:
        explorer.controls[name].value = value
        pictures.append(shown_picture(explorer))
    for before, after in itertools.pairwise(pictures):
        assert before.shape != after.shape or not np.array_equal(before, after)
