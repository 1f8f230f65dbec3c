"""Figures of the transfer-learning chapter: accuracy against the number of labels per class."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

if TYPE_CHECKING:
    import pandas as pd

#: Columns :func:`label_curves` needs in its results table.
RESULT_COLUMNS = ("strategy", "labels_per_class", "seed", "accuracy")


def check_results(results: object) -> pd.DataFrame:
    """Return ``results`` if it is a non-empty DataFrame with ``RESULT_COLUMNS``, else raise.

    Introduced in chapter "Transfer learning".

    Examples:
        >>> import pandas as pd
        >>> check_results(pd.DataFrame({"strategy": ["a"]}))
        Traceback (most recent call last):
        ...
        ValueError: results must have the columns strategy, labels_per_class, seed, accuracy; missing labels_per_class, seed, accuracy
    """
    import pandas as pd

    if not isinstance(results, pd.DataFrame):
        raise TypeError(f"results must be a pandas DataFrame, got {type(results).__name__}")
    missing = [c for c in RESULT_COLUMNS if c not in results.columns]
    if missing:
        raise ValueError(f"results must have the columns {', '.join(RESULT_COLUMNS)}; missing {', '.join(missing)}")
    if results.empty:
        raise ValueError("results must hold at least one row, got an empty table")
    return results


def label_curves(results: pd.DataFrame, highlight: int | None = None, title: str | None = None) -> Figure:
    """Test accuracy against labelled examples per class, one line per training strategy.

    ``results`` has one row per run (columns ``strategy``, ``labels_per_class``, ``seed``,
    ``accuracy`` as a fraction); the line is the mean over seeds and the dots the single runs.
    The x axis is logarithmic. ``highlight`` draws a vertical line at that number of labels.
    Introduced in chapter "Transfer learning".

    Returns:
        The figure.

    Examples:
        >>> import pandas as pd
        >>> results = pd.DataFrame({"strategy": ["a", "a", "b", "b"], "labels_per_class": [1, 10, 1, 10],
        ...                         "seed": 0, "accuracy": [0.3, 0.9, 0.7, 0.95]})
        >>> fig = label_curves(results, highlight=10)
        >>> [line.get_label() for line in fig.axes[0].get_lines()[:2]]
        ['a', 'b']

    Raises:
        TypeError, ValueError: for a table without the needed columns, or a ``highlight`` that is
            not one of its numbers of labels.
    """
    results = check_results(results)
    ks = sorted(results["labels_per_class"].unique())
    if highlight is not None and highlight not in ks:
        raise ValueError(f"highlight must be one of the numbers of labels {ks}, got {highlight!r}")
    fig, ax = plt.subplots(figsize=(7, 4))
    for i, (strategy, runs) in enumerate(results.groupby("strategy", sort=False)):
        mean = runs.groupby("labels_per_class")["accuracy"].mean()
        ax.plot(mean.index, 100 * mean.values, marker="o", color=f"C{i}", label=strategy)
        ax.scatter(runs["labels_per_class"], 100 * runs["accuracy"], color=f"C{i}", alpha=0.3, s=12)
    if highlight is not None:
        ax.axvline(highlight, color="grey", linestyle="--", linewidth=1)
    ax.set_xscale("log")
    ax.set_xticks(ks)
    ax.set_xticklabels([str(k) for k in ks])
    ax.set(xlabel="labelled examples per class (log scale)", ylabel="test accuracy (%)",
           title=title or "Accuracy on the target task against the number of labels")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig
