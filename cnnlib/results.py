"""Measured results over seeds: the spread of each setting, and how far two settings stand apart.

A chapter that compares settings trains each one with several seeds and keeps one row per run in
a pandas ``DataFrame`` (a column naming the setting, one for the seed, one for the measured
value). :func:`summarize` gives each setting's mean and spread; :func:`separation` is the margin
by which one setting beats another in *every* pair of runs, the number a chapter asserts before
its prose says "A beats B" (CONTRIBUTING.md, "Exact facts and measured results").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnnlib._checks import check_choice

if TYPE_CHECKING:
    import pandas as pd


def _check_table(results: object, by: str, value: str) -> pd.DataFrame:
    import pandas as pd

    if not isinstance(results, pd.DataFrame):
        raise TypeError(f"results must be a pandas DataFrame, got {type(results).__name__}")
    for name, column in (("by", by), ("value", value)):
        if not isinstance(column, str):
            raise TypeError(f"{name} must be a column name (str), got {type(column).__name__}")
        if column not in results.columns:
            raise ValueError(f"{name} must name a column of results ({', '.join(map(str, results.columns))}), got {column!r}")
    if results.empty:
        raise ValueError("results must hold at least one row, got an empty table")
    return results


def summarize(results: pd.DataFrame, by: str, value: str = "accuracy") -> pd.DataFrame:
    """One row per setting: the number of runs, the mean, the lowest and highest value, and the spread.

    ``results`` holds one row per run; ``by`` names the column of settings and ``value`` the
    measured column. The spread is the highest value minus the lowest, the width of the band the
    runs fall in. Settings keep the order of their first appearance.
    Introduced in chapter "Why convolutions?".

    Raises:
        TypeError: if ``results`` is not a DataFrame or a column name is not a string.
        ValueError: for a column ``results`` does not have, or an empty table.

    Examples:
        >>> import pandas as pd
        >>> from cnnlib.results import summarize
        >>> runs = pd.DataFrame({"model": ["cnn", "cnn", "cnn", "mlp", "mlp", "mlp"],
        ...                      "accuracy": [0.90, 0.92, 0.91, 0.85, 0.86, 0.88]})
        >>> summarize(runs, by="model").round(3)  # doctest: +NORMALIZE_WHITESPACE
               runs   mean   min   max  spread
        model
        cnn       3  0.910  0.90  0.92    0.02
        mlp       3  0.863  0.85  0.88    0.03
    """
    results = _check_table(results, by, value)
    groups = results.groupby(by, sort=False)[value]
    table = groups.agg(runs="count", mean="mean", min="min", max="max")
    table["spread"] = table["max"] - table["min"]
    return table


def separation(results: pd.DataFrame, by: str, better: object, worse: object, value: str = "accuracy") -> float:
    """The worst run of setting ``better`` minus the best run of setting ``worse``.

    Positive: every run of ``better`` beats every run of ``worse``, and by at least this much;
    the claim "``better`` beats ``worse``" then holds for the seeds measured, with this margin.
    Negative: their runs overlap, and the claim must not be made. Introduced in chapter
    "Why convolutions?".

    Raises:
        TypeError, ValueError: as :func:`summarize`, and a ``ValueError`` for a setting that is
            not in the table.

    Examples:
        >>> import pandas as pd
        >>> from cnnlib.results import separation
        >>> runs = pd.DataFrame({"model": ["cnn", "cnn", "mlp", "mlp"], "accuracy": [0.90, 0.92, 0.85, 0.88]})
        >>> round(separation(runs, "model", better="cnn", worse="mlp"), 3)
        0.02
        >>> round(separation(runs, "model", better="mlp", worse="cnn"), 3)
        -0.07
    """
    results = _check_table(results, by, value)
    settings = [str(s) for s in results[by].unique()]
    for name, setting in (("better", better), ("worse", worse)):
        check_choice(name, str(setting), settings)
    return float(results.loc[results[by] == better, value].min() - results.loc[results[by] == worse, value].max())
