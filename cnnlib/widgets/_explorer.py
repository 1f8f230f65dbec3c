"""The pattern every explorer of :mod:`cnnlib.widgets` follows (private: its subclasses are public)."""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence

import ipywidgets as widgets
from matplotlib.figure import Figure

from cnnlib.plot.images import figure_png


class Explorer(widgets.VBox):
    """Named controls, a summary line and a picture, redrawn by one ``update`` on every change.

    A subclass builds its controls and hands them to ``__init__`` by name, in the rows they are
    laid out in; each becomes an attribute (``explorer.stride``) and an entry of ``controls``, and
    every control's ``value`` is observed by ``update``. The subclass implements ``compute()``,
    which reads the controls and returns the summary (HTML) and the figure to show, or ``None``
    when there is nothing to draw. ``update`` puts them into ``summary`` (an ``HTML`` widget) and
    ``picture``, and keeps the figure in ``figure`` so that tests can read what was drawn.

    The picture is an ``Image`` widget holding the figure as PNG bytes (``cnnlib.plot.figure_png``,
    empty when there is no figure), never a figure captured in an ``Output`` widget: some front
    ends (and notebook test runners) show an ``Output`` widget's captured displays outside the
    widget, while an image is part of the widget's state, saved with the notebook, and shows the
    same in JupyterLab, Colab, on the static site and in tests. Works with ipywidgets 7 and 8.
    """

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        # help() and the API page show a class's call signature; without this they would show
        # the generic ``__new__(*args, **kwargs)`` of traitlets, not the explorer's arguments.
        init = inspect.signature(cls.__init__)
        cls.__signature__ = init.replace(
            parameters=list(init.parameters.values())[1:], return_annotation=inspect.Signature.empty
        )

    def __init__(self, rows: Sequence[Mapping[str, widgets.ValueWidget]], dpi: int = 80) -> None:
        self.controls: dict[str, widgets.ValueWidget] = {}
        for row in rows:
            self.controls.update(row)
        for name, control in self.controls.items():
            setattr(self, name, control)
        self.summary = widgets.HTML()
        self.picture = widgets.Image(format="png")
        self.figure: Figure | None = None
        self.dpi = dpi
        lines = [widgets.HBox(list(row.values())) if len(row) > 1 else next(iter(row.values())) for row in rows]
        super().__init__([*lines, self.summary, self.picture])
        for control in self.controls.values():
            control.observe(self.update, names="value")
        self.update()

    def compute(self) -> tuple[str, Figure | None]:
        """The summary and the figure for the controls' current values (a subclass defines it)."""
        raise NotImplementedError

    def update(self, _: object = None) -> None:
        """Recompute the summary and the figure for the current settings, and show them."""
        summary, self.figure = self.compute()
        self.summary.value = summary
        self.picture.value = b"" if self.figure is None else figure_png(self.figure, dpi=self.dpi)
