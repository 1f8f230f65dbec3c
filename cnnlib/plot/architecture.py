"""Diagrams of networks and blocks, drawn from the modules themselves.

:func:`cnnlib.graph.layer_graph` reads the data flow of a module; :func:`show_architecture` draws it,
one box per layer down the main path, branches beside it, each box coloured by what the layer
does and labelled with its settings, the output shape on the left. Introduced in chapter
"LeNet-5, AlexNet and VGG".
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch
from torch import nn

from cnnlib.graph import LayerGraph, layer_graph

#: Face colour of a box, by the kind of layer (``cnnlib.graph.KINDS``).
COLOURS = {
    "input": "#eeeeee",
    "conv": "#9ecae1",
    "norm": "#fdd49e",
    "activation": "#c7e9c0",
    "pool": "#fdae6b",
    "linear": "#bcbddc",
    "merge": "#ffffff",
    "reshape": "#f0f0f0",
    "other": "#d9d9d9",
}

_WIDTH, _HEIGHT, _STEP, _GAP = 3.8, 0.62, 1.0, 0.8
_SCALE = 0.5  # inches per unit


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(map(str, shape))


def show_architecture(
    model: nn.Module | LayerGraph,
    input_shape: Sequence[int] | None = None,
    leaves: Sequence[type] = (),
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Draw a network or block: one box per layer, top to bottom, branches to the right.

    ``model`` is a module (traced with ``input_shape`` and ``leaves`` by
    :func:`cnnlib.graph.layer_graph`) or a graph it returned. Boxes are coloured by kind
    (``COLOURS`` in this module); merges (``+``, ``×``, ``concat``) are circles; the shape each
    layer outputs is written on the left. The default title names the module and its
    parameters. Draws into ``ax`` if given. Introduced in chapter "LeNet-5, AlexNet and VGG".

    Raises:
        TypeError, ValueError: see :func:`cnnlib.graph.layer_graph`.

    Examples:
        >>> from torch import nn
        >>> from cnnlib.plot import show_architecture
        >>> block = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU())
        >>> fig = show_architecture(block, (1, 28, 28))
        >>> fig.axes[0].get_title()
        'Sequential: 80 parameters'
        >>> sorted(t.get_text() for t in fig.axes[0].texts if t.get_text().startswith("conv"))
        ['conv 3×3, 8']
    """
    if isinstance(model, LayerGraph):
        graph, name = model, "network"
    else:
        if input_shape is None:
            raise ValueError("input_shape is needed to trace a module, for example (1, 28, 28)")
        graph, name = layer_graph(model, input_shape, leaves), type(model).__name__
    rows = max(n.row for n in graph.nodes) + 1
    lanes = max(n.lane for n in graph.nodes) + 1
    skips = sum(graph.node(a).lane == graph.node(b).lane == 0 and graph.node(b).row - graph.node(a).row > 1
                for a, b in graph.edges)
    left = -_WIDTH / 2 - 1.6
    right = (lanes - 1) * (_WIDTH + _GAP) + _WIDTH / 2 + (0.3 + 0.3 * skips if skips else 0.2)
    bottom, top = -(rows - 1) * _STEP - 0.5, 0.5
    if ax is None:
        fig, ax = plt.subplots(figsize=((right - left) * _SCALE, (top - bottom) * _SCALE + 0.45))
    else:
        fig = ax.figure
    centre = {n.name: (n.lane * (_WIDTH + _GAP), -n.row * _STEP) for n in graph.nodes}
    skip_x = _WIDTH / 2 + 0.4  # the corridor of shortcuts without layers
    for node in graph.nodes:
        x, y = centre[node.name]
        if node.kind == "merge":
            ax.add_patch(plt.Circle((x, y), 0.3, facecolor="white", edgecolor="black", lw=1))
            ax.text(x, y, node.label if node.label != "concat" else "‖", ha="center", va="center", fontsize=11)
        else:
            ax.add_patch(FancyBboxPatch((x - _WIDTH / 2, y - _HEIGHT / 2), _WIDTH, _HEIGHT,
                                        boxstyle="round,pad=0.02,rounding_size=0.12",
                                        facecolor=COLOURS.get(node.kind, COLOURS["other"]), edgecolor="black", lw=0.8))
            ax.text(x, y, node.label, ha="center", va="center", fontsize=7.5)
        if node.shape and node.lane == 0:
            ax.text(-_WIDTH / 2 - 0.15, y, _shape_text(node.shape), ha="right", va="center", fontsize=7,
                    color="dimgray")
    arrow = dict(arrowstyle="-|>", lw=0.9, color="black", shrinkA=0, shrinkB=0)
    shortcuts = sorted(((graph.node(b).row - graph.node(a).row, a, b) for a, b in graph.edges
                        if graph.node(a).lane == graph.node(b).lane == 0
                        and graph.node(b).row - graph.node(a).row > 1))
    corridor = {(a, b): skip_x + 0.3 * k for k, (_, a, b) in enumerate(shortcuts)}  # shorter inside
    for a, b in graph.edges:
        na, nb = graph.node(a), graph.node(b)
        (xa, ya), (xb, yb) = centre[a], centre[b]
        top_b = yb + (0.3 if nb.kind == "merge" else _HEIGHT / 2)
        bottom_a = ya - (0.3 if na.kind == "merge" else _HEIGHT / 2)
        right_b = xb + (0.3 if nb.kind == "merge" else _WIDTH / 2)
        right_a = xa + (0.3 if na.kind == "merge" else _WIDTH / 2)
        if na.lane == nb.lane and (nb.lane > 0 or nb.row - na.row == 1):
            path = [(xa, bottom_a), (xb, top_b)]
        elif na.lane == 0 and nb.lane == 0:  # a shortcut with no layer on it
            x_skip = corridor[(a, b)]
            path = [(right_a, ya), (x_skip, ya), (x_skip, yb), (right_b, yb)]
        elif na.lane == 0:  # into a branch
            path = [(right_a, ya), (xb, ya), (xb, top_b)]
        else:  # back from a branch
            path = [(xa, bottom_a), (xa, yb), (right_b, yb)]
        for p, q in zip(path[:-2], path[1:-1]):
            ax.plot([p[0], q[0]], [p[1], q[1]], color="black", lw=0.9)
        ax.annotate("", xy=path[-1], xytext=path[-2], arrowprops=arrow)
    params = sum(n.params for n in graph.nodes)
    ax.set_title(title if title is not None else f"{name}: {params:,} parameters", fontsize=10)
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig
