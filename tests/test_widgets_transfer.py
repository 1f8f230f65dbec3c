"""cnnlib.widgets.transfer: the explorer of precomputed transfer results."""

from __future__ import annotations

import io

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pytest

from cnnlib.widgets.transfer import summary_text, transfer_explorer


def test_explorer_shows_the_chosen_number_of_labels(results) -> None:
    explorer = transfer_explorer(results)
    choice, summary, picture = explorer.children
    assert isinstance(choice, widgets.Dropdown) and list(choice.options) == [1, 3, 10]
    assert summary.value == summary_text(results, 1)
    choice.value = 10
    chosen = results[results.labels_per_class == 10].groupby("strategy")["accuracy"].mean()
    best, worst = chosen.idxmax(), chosen.idxmin()
    assert summary.value == (f"10 labels per class: {best} {chosen[best]:.1%}, {worst} {chosen[worst]:.1%}")
    png = bytes(picture.value)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert plt.imread(io.BytesIO(png), format="png").ndim == 3
    choice.value = 1
    assert summary.value.startswith("1 label per class: ")
    with pytest.raises(ValueError, match="results"):
        transfer_explorer(results.drop(columns="seed"))
