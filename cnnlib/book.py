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


#: The prefix myst-nb (and scrapbook) give the MIME types of a glued value that is not displayed.
GLUE_PREFIX = "application/papermill.record/"


def glue(name: str, value: Any, display: bool = False) -> Any:
    """Record ``value`` under ``name`` so the page's prose can show it with ``{glue:text}`name```.

    In a Jupyter kernel it emits exactly the output of myst-nb's ``glue`` (the value's MIME
    bundle with :data:`GLUE_PREFIX` on its types, and the name in ``scrapbook`` metadata), without
    needing myst-nb: a notebook gives the same outputs on Colab as where the book is built, so
    nbval can check it on both. Outside a kernel (a script, a doctest) it records nothing. Round
    floats before gluing them: the stored text is what nbval compares. Returns the (plain) value,
    so a cell can glue and use it.
    Introduced in chapter "Why convolutions?".

    Args:
        name: the name the prose uses; no colon (the role uses ``:`` for formats).
        value: the value; NumPy and one-element torch values become Python numbers.
        display: also show the value in the notebook.

    Raises:
        ValueError: if ``name`` is empty or contains a colon.

    Examples:
        >>> from cnnlib.book import glue
        >>> glue("n_classes", 10)
        10
    """
    if not isinstance(name, str) or not name or ":" in name:
        raise ValueError(f"name must be a non-empty string without ':', got {name!r}")
    value = _plain(value)
    try:
        from IPython import get_ipython
        from IPython.display import display as show
    except ImportError:  # no IPython: nothing can record the value
        return value
    shell = get_ipython()
    if shell is None:
        return value
    bundle, metadata = shell.display_formatter.format(value)
    prefix = "" if display else GLUE_PREFIX
    metadata["scrapbook"] = {"name": name, "mime_prefix": prefix}
    show({prefix + key: data for key, data in bundle.items()}, raw=True, metadata=metadata)
    return value
