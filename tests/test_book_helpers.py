"""cnnlib.book.glue: plain values, the myst-nb record, and name checks."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cnnlib.book import glue


def test_glue_returns_plain_python_numbers() -> None:
    assert type(glue("a", np.int64(5))) is int
    assert type(glue("b", torch.tensor(2.5))) is float
    assert glue("c", "text") == "text"


def test_glue_records_text_that_myst_nb_can_format(capsys: pytest.CaptureFixture[str]) -> None:
    from myst_nb.core.variables import format_plain_text

    value = glue("params", np.int64(150529000))
    assert format_plain_text(repr(value), ",d") == "150,529,000"


@pytest.mark.parametrize("name", ["", "a:b", 3])
def test_glue_rejects_names_the_role_cannot_use(name: object) -> None:
    with pytest.raises(ValueError, match="name"):
        glue(name, 1)  # type: ignore[arg-type]


@pytest.mark.parametrize("display", [False, True])
def test_glue_emits_what_myst_nb_glue_emits(monkeypatch: pytest.MonkeyPatch, display: bool) -> None:
    """In a kernel, our glue and myst-nb's send the same display message, so the stored outputs
    do not depend on whether myst-nb is installed (it is not on Colab)."""
    import IPython.display
    import myst_nb.ext.glue
    from IPython.core.interactiveshell import InteractiveShell

    shown: list[tuple[tuple, dict]] = []
    record = lambda *args, **kwargs: shown.append((args, kwargs))  # noqa: E731
    monkeypatch.setattr(IPython.display, "display", record)
    monkeypatch.setattr(myst_nb.ext.glue, "ipy_display", record)
    InteractiveShell.instance()  # a kernel's shell, as get_ipython() finds in a notebook
    try:
        glue("ratio", np.float64(0.25), display=display)
        myst_nb.ext.glue.glue("ratio", 0.25, display=display)
    finally:
        InteractiveShell.clear_instance()
    ours, theirs = shown
    assert ours == theirs
    assert ("application/papermill.record/text/plain" in ours[0][0]) is not display


def test_glue_outside_a_kernel_records_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert glue("quiet", 3) == 3
    assert capsys.readouterr().out == ""
