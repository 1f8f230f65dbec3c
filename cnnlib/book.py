"""Helpers that tie a notebook to the book: numbers glued into the prose."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch


def _plain(value: Any) -> Any:
    """Turn NumPy and torch scalars into Python numbers, so their text is ``5``, not ``np.int64(5)``."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return value.item()
    if isinstance(value, np.generic):
        return value.item()
    return value


def glue(name: str, value: Any, display: bool = False) -> Any:
    """Record ``value`` under ``name`` so the page's prose can show it with ``{glue:text}`name```.

    Uses myst-nb's ``glue`` when it is installed (building the book); elsewhere, as on Colab, it
    only shows the value when ``display`` is true. Round floats before gluing them: the stored
    text is what nbval compares. Returns the (plain) value, so a cell can glue and use it.
    Introduced in chapter "Why convolutions?".

    Raises:
        ValueError: if ``name`` is empty or contains a colon (the role uses ``:`` for formats).
    """
    if not isinstance(name, str) or not name or ":" in name:
        raise ValueError(f"name must be a non-empty string without ':', got {name!r}")
    value = _plain(value)
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            from IPython.display import display as show

            show(value)
        return value
    myst_glue(name, value, display=display)
    return value
