"""Measured results over seeds: every run as a dot, each setting's mean as a bar."""

from __future__ import annotations

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
