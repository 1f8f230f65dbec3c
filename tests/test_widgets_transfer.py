"""cnnlib.widgets.transfer: the explorer of precomputed transfer results."""

from __future__ import annotations

import pytest
from explorers import assert_every_change_redraws, shown_picture

from cnnlib.widgets import TransferExplorer, transfer_explorer
from cnnlib.widgets.transfer import _summary_text


def test_explorer_shows_the_chosen_number_of_labels(results) -> None:
    explorer = transfer_explorer(results)
    assert isinstance(explorer, TransferExplorer)
    assert list(explorer.labels_per_class.options) == [1, 3, 10] and explorer.labels_per_class.value == 1
    assert explorer.summary.value == _summary_text(results, 1)
    explorer.labels_per_class.value = 10
    chosen = results[results.labels_per_class == 10].groupby("strategy")["accuracy"].mean()
    best, worst = chosen.idxmax(), chosen.idxmin()
    assert explorer.summary.value == f"10 labels per class: {best} {chosen[best]:.1%}, {worst} {chosen[worst]:.1%}"
    assert shown_picture(explorer).ndim == 3
    explorer.labels_per_class.value = 1
    assert explorer.summary.value.startswith("1 label per class: ")


def test_the_picture_follows_the_choice(results) -> None:
    assert_every_change_redraws(transfer_explorer(results), [("labels_per_class", 3), ("labels_per_class", 10)])


def test_a_table_without_the_needed_columns_is_refused(results) -> None:
    with pytest.raises(ValueError, match="results"):
        transfer_explorer(results.drop(columns="seed"))
