"""Explorer for transfer learning: the accuracy of each strategy for a chosen number of labels."""

from __future__ import annotations

import ipywidgets as widgets
import pandas as pd
from matplotlib.figure import Figure

from cnnlib.plot.transfer import check_results, label_curves
from cnnlib.widgets._explorer import Explorer


def _summary_text(results: pd.DataFrame, labels_per_class: int) -> str:
    """One line: the mean test accuracy (over seeds) of every strategy at ``labels_per_class``,
    best first.

    Examples:
        >>> results = pd.DataFrame({"strategy": ["a", "a", "b"], "labels_per_class": [3, 3, 3],
        ...                         "seed": [0, 1, 0], "accuracy": [0.5, 0.7, 0.9]})
        >>> _summary_text(results, 3)
        '3 labels per class: b 90.0%, a 60.0%'
    """
    chosen = results[results["labels_per_class"] == labels_per_class]
    mean = chosen.groupby("strategy", sort=False)["accuracy"].mean().sort_values(ascending=False)
    parts = ", ".join(f"{strategy} {accuracy:.1%}" for strategy, accuracy in mean.items())
    return f"{labels_per_class} label{'' if labels_per_class == 1 else 's'} per class: {parts}"


class TransferExplorer(Explorer):
    """The explorer :func:`transfer_explorer` returns: precomputed transfer results, one budget at a time.

    ``results`` has one row per run (columns ``strategy``, ``labels_per_class``, ``seed``,
    ``accuracy``). The control ``labels_per_class`` chooses one of the table's numbers of labels
    per class; the ``summary`` lists each strategy's mean accuracy there, best first, and the
    ``picture`` is :func:`cnnlib.plot.label_curves` with that number marked. Nothing is trained:
    the explorer only reads the table. Introduced in chapter "Transfer learning".

    Raises:
        TypeError, ValueError: for a table without the needed columns (see
            ``cnnlib.plot.transfer.check_results``).

    Examples:
        >>> import pandas as pd
        >>> from cnnlib.widgets import TransferExplorer
        >>> results = pd.DataFrame({"strategy": ["a", "b", "a", "b"], "labels_per_class": [1, 1, 5, 5],
        ...                         "seed": 0, "accuracy": [0.5, 0.4, 0.7, 0.9]})
        >>> explorer = TransferExplorer(results)
        >>> explorer.labels_per_class.value = 5
        >>> explorer.summary.value
        '5 labels per class: b 90.0%, a 70.0%'
    """

    def __init__(self, results: pd.DataFrame) -> None:
        self.results = check_results(results)
        options = [int(k) for k in sorted(self.results["labels_per_class"].unique())]
        super().__init__([
            {"labels_per_class": widgets.Dropdown(options=options, value=options[0], description="labels/class")},
        ])

    def compute(self) -> tuple[str, Figure | None]:
        """The strategies' mean accuracies at the chosen number of labels, and the curves."""
        chosen = self.labels_per_class.value
        return _summary_text(self.results, chosen), label_curves(self.results, highlight=chosen)


def transfer_explorer(results: pd.DataFrame) -> TransferExplorer:
    """An explorer of precomputed transfer results: pick the number of labels per class.

    Returns a :class:`TransferExplorer` (its control, summary and picture are described there)
    for ``results``, a table with one row per run (columns ``strategy``, ``labels_per_class``,
    ``seed``, ``accuracy``). Works with ipywidgets 7 and 8. Introduced in chapter "Transfer
    learning".

    Raises:
        TypeError, ValueError: for a table without the needed columns (see
            ``cnnlib.plot.transfer.check_results``).

    Examples:
        >>> import pandas as pd
        >>> from cnnlib.widgets import transfer_explorer
        >>> results = pd.DataFrame({"strategy": ["a", "b"], "labels_per_class": [1, 1],
        ...                         "seed": 0, "accuracy": [0.5, 0.9]})
        >>> explorer = transfer_explorer(results)
        >>> explorer.summary.value
        '1 label per class: b 90.0%, a 50.0%'
    """
    return TransferExplorer(results)
