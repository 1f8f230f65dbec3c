"""Two fixes for JavaScript errors that Jupyter Book 1's theme stack logs on every page.

- sphinx-thebe's configuration script is added twice, and the second copy fails with
  "Identifier 'THEBE_JS_URL' has already been declared": duplicates are dropped per page.
- pydata-sphinx-theme starts with an empty colour mode on a first visit and logs
  "Got invalid theme mode": the default mode is set to "auto" (follow the reader's system).

The browser test of the site (tests/test_site.py) fails on any such error.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config


def set_default_mode(app: Sphinx, config: Config) -> None:
    # pydata-sphinx-theme reads the mode from the template context, not from a theme option
    config.html_context = {"default_mode": "auto", **(config.html_context or {})}


def drop_duplicate_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    seen: set[tuple[str, str]] = set()
    unique = []
    for script in context.get("script_files", []):
        # the same script, whether its empty file name was given as None or ""
        attributes = getattr(script, "attributes", {}) or {}
        key = (str(getattr(script, "filename", script) or ""), repr(sorted(attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("config-inited", set_default_mode)
    app.connect("html-page-context", drop_duplicate_scripts, priority=1000)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
