"""Serve MathJax and the Jupyter widget manager from the site itself, not from a CDN.

A reader who downloads the built site, or reads it on a network that blocks CDNs, still sees
typeset maths and the widgets saved in the notebooks. The files come at build time from the npm
packages that `make book` installs into node_modules/ (see package.json); they are never
committed. Without node_modules (no npm on the machine) the site falls back to the CDNs, as a
plain Jupyter Book does, and the build says so.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "node_modules"
MATHJAX = NODE_MODULES / "mathjax" / "es5"
HTML_MANAGER = NODE_MODULES / "@jupyter-widgets" / "html-manager" / "dist"
REQUIREJS = NODE_MODULES / "requirejs" / "require.js"

# Loaded between require.js and the widget manager. The manager finds its own files (icon fonts)
# through the require.js path of its module, which must point into this site's _static/widgets/
# from every page depth; and it typesets widget labels with MathJax 2's MathJax.Hub.Queue, which
# MathJax 3 (the version this site serves) replaced by MathJax.typesetPromise.
WIDGETS_CONFIG = """\
(function () {
  var root = document.documentElement.dataset.content_root || "./";
  var base = new URL(root + "_static/widgets", document.location).href;
  require.config({ paths: { "@jupyter-widgets/html-manager/dist": base } });
  document.addEventListener("DOMContentLoaded", function () {
    if (window.MathJax && !window.MathJax.Hub) {
      window.MathJax.Hub = { Queue: function () {
        if (window.MathJax.typesetPromise) { window.MathJax.typesetPromise(); }
      } };
    }
  }, true);
})();
"""


def stage_assets(app: Sphinx, config: Config) -> None:
    """Copy the assets into a staging folder that Sphinx copies into _static/."""
    if not (MATHJAX.is_dir() and HTML_MANAGER.is_dir() and REQUIREJS.is_file()):
        logger.info("offline_assets: node_modules/ not installed; MathJax and widgets load from CDNs")
        return
    staging = Path(app.doctreedir).parent / "offline_static"
    mathjax = staging / "mathjax"
    widgets = staging / "widgets"
    if not mathjax.is_dir():
        # the speech-rule engine (sre) loads only on a reader's request and is large: left out
        shutil.copytree(MATHJAX, mathjax, ignore=shutil.ignore_patterns("sre", "*.map"))
    if not widgets.is_dir():
        shutil.copytree(HTML_MANAGER, widgets, ignore=shutil.ignore_patterns("*.map"))
        shutil.copy(REQUIREJS, widgets / "require.js")
        (widgets / "site-config.js").write_text(WIDGETS_CONFIG)
    config.html_static_path = [*config.html_static_path, str(staging)]
    config.mathjax_path = "mathjax/tex-chtml.js"
    config.nb_ipywidgets_js = {
        "widgets/require.js": {},
        "widgets/site-config.js": {},
        "widgets/embed-amd.js": {},
    }


def setup(app: Sphinx) -> dict[str, object]:
    # After the book's own configuration has been read, before any extension uses it.
    app.connect("config-inited", stage_assets, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
