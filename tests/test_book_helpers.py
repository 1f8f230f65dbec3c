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
