"""cnnlib.plot.transfer: accuracy against the number of labels, and the check of its table."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnnlib.plot.transfer import check_results, label_curves


def test_label_curves_draw_the_mean_over_seeds(results) -> None:
    fig = label_curves(results, highlight=3)
    ax = fig.axes[0]
    lines = [line for line in ax.get_lines() if line.get_label() in ("from scratch", "linear head")]
    for line in lines:
        expected = results[results.strategy == line.get_label()].groupby("labels_per_class")["accuracy"].mean()
        np.testing.assert_allclose(line.get_xdata(), expected.index)
        np.testing.assert_allclose(line.get_ydata(), 100 * expected.values)
    assert len(lines) == 2 and ax.get_xscale() == "log" and ax.get_ylabel() and ax.get_title()
    plt.close(fig)
    with pytest.raises(ValueError, match="highlight"):
        label_curves(results, highlight=5)


def test_check_results_errors(results) -> None:
    with pytest.raises(TypeError, match="results"):
        check_results(results.to_dict())
    with pytest.raises(ValueError, match="missing accuracy"):
        check_results(results.drop(columns="accuracy"))
    with pytest.raises(ValueError, match="at least one row"):
        check_results(results.iloc[:0])
