"""Measured results over seeds: every run as a dot, each setting's mean as a bar."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from cnnlib.results import summarize

if TYPE_CHECKING:
    import pandas as pd


def seed_spread(
    results: pd.DataFrame,
    by: str,
    value: str = "accuracy",
    percent: bool = True,
    title: str | None = None,
) -> Figure:
    """One row per setting: a dot for every run (seed) and a bar at their mean.

    The spread between seeds is what a reader needs to judge a difference between settings: two
    settings whose dots overlap are not told apart by these runs. ``results`` holds one row per
    run (see :mod:`cnnlib.results`); with ``percent`` the values (fractions) are drawn in per cent.
    Introduced in chapter "Why convolutions?".

    Raises:
        TypeError, ValueError: as :func:`cnnlib.results.summarize`.

    Examples:
        >>> import pandas as pd
        >>> from cnnlib.plot import seed_spread
        >>> runs = pd.DataFrame({"model": ["cnn", "cnn", "mlp", "mlp"], "accuracy": [0.90, 0.92, 0.85, 0.88]})
        >>> fig = seed_spread(runs, by="model")
        >>> [label.get_text() for label in fig.axes[0].get_yticklabels()]
        ['cnn', 'mlp']
    """
    table = summarize(results, by, value)
    scale = 100.0 if percent else 1.0
    settings = list(table.index)
    fig, ax = plt.subplots(figsize=(6.5, 0.45 * len(settings) + 1.2))
    for row, setting in enumerate(settings):
        runs = results.loc[results[by] == setting, value] * scale
        ax.barh(row, table.loc[setting, "mean"] * scale, height=0.6, color=f"C{row % 10}", alpha=0.25)
        ax.scatter(runs, [row] * len(runs), color=f"C{row % 10}", s=22, zorder=3)
    low = results[value].min() * scale
    high = results[value].max() * scale
    pad = max(0.5 * (high - low), 0.5 if percent else 0.005)
    ax.set_xlim(low - pad, high + pad)
    ax.set_yticks(range(len(settings)))
    ax.set_yticklabels([str(s) for s in settings])
    ax.invert_yaxis()
    ax.set(xlabel=f"{value} (%)" if percent else value,
           title=title or f"{value.capitalize()} of every run (dots) and their mean (bars)")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def accuracy_vs_cost(
    results: pd.DataFrame,
    by: str,
    cost: str,
    value: str = "accuracy",
    percent: bool = True,
    title: str | None = None,
    labels: Mapping[object, str] | None = None,
) -> Figure:
    """Every run's value against its setting's cost (a log axis): a dot per run, a bar from worst to best.

    ``results`` holds one row per run, with the setting's ``cost`` (parameters, MACs, seconds) in
    every row of that setting. Each setting gets one colour: a small dot for every run, a larger
    marker at the mean, a bar from the worst run to the best, and a label (the setting itself,
    or ``labels[setting]`` where given: short labels keep settings of equal cost readable). A
    point up and to the left is a better bargain. Introduced in appendix "Every model on
    Fashion-MNIST".

    Raises:
        TypeError, ValueError: as :func:`cnnlib.results.summarize`; ``ValueError`` if ``cost`` is
            not a column, or not positive.

    Examples:
        >>> import pandas as pd
        >>> from cnnlib.plot import accuracy_vs_cost
        >>> runs = pd.DataFrame({"model": ["a", "a", "b", "b"], "accuracy": [0.8, 0.82, 0.9, 0.91],
        ...                      "macs": [1e5, 1e5, 1e6, 1e6]})
        >>> fig = accuracy_vs_cost(runs, by="model", cost="macs", labels={"b": "B"})
        >>> fig.axes[0].get_xscale(), [t.get_text() for t in fig.axes[0].texts]
        ('log', ['a', 'B'])
        >>> from matplotlib.collections import PathCollection  # the dots: one per run
        >>> [len(c.get_offsets()) for c in fig.axes[0].collections if isinstance(c, PathCollection)]
        [2, 2]
    """
    table = summarize(results, by, value)
    if cost not in results.columns:
        raise ValueError(f"cost must be a column of results, one of {list(results.columns)}, got {cost!r}")
    costs = results.groupby(by, sort=False)[cost].first().reindex(table.index)
    if not (costs > 0).all():
        raise ValueError(f"cost must be positive for a log axis, got {costs.min()} in column {cost!r}")
    labels = {} if labels is None else labels
    scale = 100.0 if percent else 1.0
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    for i, setting in enumerate(table.index):
        colour = f"C{i % 10}"
        mean, low, high = (table.loc[setting, k] * scale for k in ("mean", "min", "max"))
        runs = results.loc[results[by] == setting, value] * scale
        ax.scatter([costs[setting]] * len(runs), runs, s=10, color=colour, alpha=0.7, zorder=3)
        ax.errorbar(costs[setting], mean, yerr=[[mean - low], [high - mean]], fmt="D",
                    markersize=4, color=colour, capsize=3, alpha=0.8)
        ax.annotate(str(labels.get(setting, setting)), (costs[setting], mean),
                    textcoords="offset points", xytext=(5, 4), fontsize=8)
    ax.set_xscale("log")
    ax.set(xlabel=cost, ylabel=f"{value} (%)" if percent else value,
           title=title or f"{value.capitalize()} against {cost}: every run, worst to best")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
