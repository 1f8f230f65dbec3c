"""cnnlib.results: summaries over seeds and the separation of two settings."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnlib.results import separation, summarize

values = st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=6)


def table(a: list[float], b: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"setting": ["a"] * len(a) + ["b"] * len(b), "seed": list(range(len(a) + len(b))),
                         "accuracy": a + b})


@given(values, values)
def test_summary_agrees_with_the_runs(a: list[float], b: list[float]) -> None:
    summary = summarize(table(a, b), by="setting")
    assert list(summary.index) == ["a", "b"]
    for name, runs in (("a", a), ("b", b)):
        row = summary.loc[name]
        assert row["runs"] == len(runs)
        assert row["min"] == min(runs) and row["max"] == max(runs)
        assert row["spread"] == pytest.approx(max(runs) - min(runs))
        assert row["mean"] == pytest.approx(sum(runs) / len(runs))


@given(values, values)
def test_separation_is_positive_exactly_when_every_run_beats_every_other(a: list[float], b: list[float]) -> None:
    margin = separation(table(a, b), "setting", better="a", worse="b")
    assert margin == pytest.approx(min(a) - max(b))
    assert (margin > 0) == all(x > y for x in a for y in b)


def test_settings_may_be_numbers() -> None:
    runs = pd.DataFrame({"kernel": [3, 3, 5, 5], "accuracy": [0.9, 0.91, 0.8, 0.82]})
    assert separation(runs, "kernel", better=3, worse=5) == pytest.approx(0.08)


def test_bad_input_is_named() -> None:
    runs = table([0.5], [0.6])
    with pytest.raises(TypeError, match="results must be a pandas DataFrame"):
        summarize([0.5], by="setting")
    with pytest.raises(ValueError, match="by must name a column"):
        summarize(runs, by="model")
    with pytest.raises(TypeError, match="value must be a column name"):
        summarize(runs, by="setting", value=3)
    with pytest.raises(ValueError, match="at least one row"):
        summarize(runs.iloc[:0], by="setting")
    with pytest.raises(ValueError, match="better must be one of"):
        separation(runs, "setting", better="c", worse="a")
