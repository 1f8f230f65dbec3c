"""Explorer for transfer learning: the accuracy of each strategy for a chosen number of labels."""

from __future__ import annotations

import ipywidgets as widgets
import pandas as pd

from cnnlib.plot.images import figure_png
from cnnlib.plot.transfer import check_results, label_curves


def summary_text(results: pd.DataFrame, labels_per_class: int) -> str:
    """One line: the mean test accuracy (over seeds) of every strategy at ``labels_per_class``,
    best first. Introduced in chapter "Transfer learning".

    Examples:
        >>> results = pd.DataFrame({"strategy": ["a", "a", "b"], "labels_per_class": [3, 3, 3],
        ...                         "seed": [0, 1, 0], "accuracy": [0.5, 0.7, 0.9]})
        >>> summary_text(results, 3)
        '3 labels per class: b 90.0%, a 60.0%'
    """
    chosen = results[results["labels_per_class"] == labels_per_class]
    mean = chosen.groupby("strategy", sort=False)["accuracy"].mean().sort_values(ascending=False)
    parts = ", ".join(f"{strategy} {accuracy:.1%}" for strategy, accuracy in mean.items())
    return f"{labels_per_class} label{'' if labels_per_class == 1 else 's'} per class: {parts}"


def transfer_explorer(results: pd.DataFrame) -> widgets.VBox:
    """An explorer of precomputed transfer results: pick the number of labels per class.

    ``results`` has one row per run (columns ``strategy``, ``labels_per_class``, ``seed``,
    ``accuracy``). A dropdown chooses the number of labels per class; the label lists each
    strategy's mean accuracy there (``summary_text``), and the picture is
    ``cnnlib.plot.label_curves`` with that number marked, rendered to PNG in an
    ``Image`` widget. Nothing is trained: the explorer only reads the table. Works with
    ipywidgets 7 and 8. Introduced in chapter "Transfer learning".

    Examples:
        >>> results = pd.DataFrame({"strategy": ["a", "b"], "labels_per_class": [1, 1],
        ...                         "seed": 0, "accuracy": [0.5, 0.9]})
        >>> explorer = transfer_explorer(results)
        >>> explorer.children[1].value
        '1 label per class: b 90.0%, a 50.0%'

    Raises:
        TypeError, ValueError: for a table without the needed columns (see
            ``cnnlib.plot.transfer.check_results``).
    """
    results = check_results(results)
    ks = [int(k) for k in sorted(results["labels_per_class"].unique())]
    choice = widgets.Dropdown(options=ks, value=ks[0], description="labels/class")
    summary = widgets.Label()
    picture = widgets.Image(format="png")

    def update(_: object = None) -> None:
        summary.value = summary_text(results, choice.value)
        picture.value = figure_png(label_curves(results, highlight=choice.value), dpi=80)

    choice.observe(update, names="value")
    update()
    return widgets.VBox([choice, summary, picture])
