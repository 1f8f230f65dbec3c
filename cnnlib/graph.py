"""A network's data flow as a small graph of layers, read from the module itself.

:func:`layer_graph` traces a module with ``torch.fx`` (every layer it calls, every addition,
multiplication and concatenation between them), runs one example input through it for the shapes,
and lays the nodes out: the longest path from input to output runs down the middle, a branch
beside it (a projection shortcut, say). :func:`cnnlib.plot.show_architecture` draws the result, so a
diagram in the book is the code it shows and cannot drift from it. Introduced in chapter
"LeNet-5, AlexNet and VGG".
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
import torch.fx as fx
from torch import nn
from torch.fx.passes.shape_prop import ShapeProp

from cnnlib._checks import check_int, check_module
from cnnlib.models.layers import BatchNorm2d, LayerNorm2d, Permute

__all__ = ["LayerNode", "LayerGraph", "layer_graph", "layer_label"]

#: Kinds of node, for colour: what each layer does.
KINDS = ("input", "conv", "norm", "activation", "pool", "linear", "merge", "reshape", "other")

_MERGES = {operator.add: "+", torch.add: "+", operator.mul: "×", torch.mul: "×", torch.cat: "concat"}


@dataclass
class LayerNode:
    """One step of the data flow: a layer called, or a merge of two tensors. Introduced in chapter
    "LeNet-5, AlexNet and VGG".

    Examples:
        >>> from torch import nn
        >>> node = layer_graph(nn.Conv2d(1, 8, 3), (1, 28, 28)).nodes[1]
        >>> node.label, node.kind, node.shape, node.params
        ('conv 3×3, 8', 'conv', (8, 26, 26), 80)
    """

    name: str  #: the fx node's name (unique)
    target: str  #: the module's qualified name, or the function's
    label: str  #: what the diagram prints, the layer and its settings
    kind: str  #: one of ``KINDS``
    shape: tuple[int, ...]  #: the output shape for one example, without the batch dimension
    params: int  #: parameters of the module (0 for functions)
    row: float = 0  #: position from the input (0) down; a branch sits between rows
    lane: int = 0  #: 0 on the main path, 1, 2, ... for the branches beside it


@dataclass
class LayerGraph:
    """Nodes in the order of the data flow, and edges ``(from, to)`` by node name. Introduced in
    chapter "LeNet-5, AlexNet and VGG".

    Examples:
        >>> from torch import nn
        >>> graph = layer_graph(nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU()), (1, 28, 28))
        >>> graph.labels(), graph.edges
        (['input', 'conv 3×3, 8', 'ReLU'], [('input', '_0'), ('_0', '_1')])
    """

    nodes: list[LayerNode]
    edges: list[tuple[str, str]]
    main: list[str] = field(default_factory=list)  #: names on the longest path, input to output

    def node(self, name: str) -> LayerNode:
        """The node called ``name``."""
        return next(n for n in self.nodes if n.name == name)

    def labels(self) -> list[str]:
        """The labels of all nodes, in order."""
        return [n.label for n in self.nodes]


def _size(value: int | tuple[int, ...]) -> str:
    values = value if isinstance(value, tuple) else (value, value)
    return "×".join(map(str, values)) if len(set(values)) > 1 else f"{values[0]}×{values[0]}"


def _first(value: int | tuple[int, ...]) -> int:
    return value[0] if isinstance(value, tuple) else value


def layer_label(module: nn.Module) -> tuple[str, str]:
    """``(label, kind)`` of a layer: its name and the settings that change what it computes.
    Introduced in chapter "LeNet-5, AlexNet and VGG".

    Examples:
        >>> from torch import nn
        >>> layer_label(nn.Conv2d(16, 32, 3, stride=2, padding=1))
        ('conv 3×3, 32, stride 2', 'conv')
        >>> layer_label(nn.Conv2d(32, 32, 3, padding=1, groups=32))
        ('depthwise conv 3×3, 32', 'conv')
        >>> layer_label(nn.AdaptiveAvgPool2d(1))
        ('global average pool', 'pool')
    """
    m = module
    if isinstance(m, nn.Conv2d):
        name = "conv"
        if m.groups > 1:
            name = "depthwise conv" if m.groups == m.in_channels == m.out_channels else f"conv, {m.groups} groups"
        label = f"{name} {_size(m.kernel_size)}, {m.out_channels}"
        if _first(m.stride) > 1:
            label += f", stride {_first(m.stride)}"
        if _first(m.dilation) > 1:
            label += f", dilation {_first(m.dilation)}"
        return label, "conv"
    if isinstance(m, nn.ConvTranspose2d):
        return f"transposed conv {_size(m.kernel_size)}, {m.out_channels}, stride {_first(m.stride)}", "conv"
    if isinstance(m, nn.Linear):
        return f"linear {m.in_features}→{m.out_features}", "linear"
    if isinstance(m, (nn.modules.batchnorm._BatchNorm, BatchNorm2d)):
        return "batch norm", "norm"
    if isinstance(m, (nn.LayerNorm, LayerNorm2d)):
        return "layer norm", "norm"
    if isinstance(m, nn.GroupNorm):
        return f"group norm, {m.num_groups} groups", "norm"
    if isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
        kind = "max" if isinstance(m, nn.MaxPool2d) else "average"
        label = f"{kind} pool {_size(m.kernel_size)}"
        stride = _first(m.stride) if m.stride is not None else _first(m.kernel_size)
        return (label + (f", stride {stride}" if stride != _first(m.kernel_size) else "")), "pool"
    if isinstance(m, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
        kind = "max" if isinstance(m, nn.AdaptiveMaxPool2d) else "average"
        if m.output_size in (1, (1, 1)):
            return f"global {kind} pool", "pool"
        return f"adaptive {kind} pool to {_size(m.output_size)}", "pool"
    if isinstance(m, nn.Dropout):
        return f"dropout {m.p:g}", "other"
    if isinstance(m, (nn.Flatten, nn.Unflatten, Permute)):
        return type(m).__name__.lower(), "reshape"
    activations = (nn.ReLU, nn.ReLU6, nn.SiLU, nn.GELU, nn.Sigmoid, nn.Tanh, nn.Hardswish, nn.Hardsigmoid,
                   nn.LeakyReLU, nn.ELU)
    if isinstance(m, activations):
        return type(m).__name__, "activation"
    return type(m).__name__, "other"


def _function_label(node: fx.Node) -> tuple[str, str]:
    target = node.target
    if target in _MERGES:
        return _MERGES[target], "merge"
    name = target if isinstance(target, str) else getattr(target, "__name__", str(target))
    if name in ("flatten", "view", "reshape", "permute", "transpose", "contiguous", "squeeze", "unsqueeze"):
        return name, "reshape"
    if name in ("relu", "sigmoid", "silu", "gelu", "tanh"):
        return name, "activation"
    return name, "other"


class _Tracer(fx.Tracer):
    def __init__(self, leaves: tuple[type, ...]) -> None:
        super().__init__()
        self.leaves = leaves

    def is_leaf_module(self, m: nn.Module, qualname: str) -> bool:
        return isinstance(m, self.leaves) or super().is_leaf_module(m, qualname)


def layer_graph(
    model: nn.Module,
    input_shape: Sequence[int],
    leaves: Sequence[type] = (),
) -> LayerGraph:
    """The data flow of ``model`` on one input of ``input_shape`` (channels, height, width).

    Every module the forward pass calls becomes a node (``torch.fx`` traces it; modules of the
    types in ``leaves`` stay whole, so a network can be drawn block by block), as does every
    addition (``+``), multiplication (``×``) and concatenation between tensors; reshapes such as
    ``flatten`` and ``permute`` are kept, attribute reads are not (a parameter read so, a layer
    scale, counts for the operation that uses it). Each node gets its output shape for that input
    and its parameters. The longest path from input to
    output is the main line (``lane`` 0); the other nodes are placed beside it, between the rows
    where their branch leaves and rejoins it, each branch in the first lane (1, 2, ...) that is
    free over those rows, so parallel branches stand side by side. Introduced in chapter "LeNet-5, AlexNet and
    VGG".

    Raises:
        TypeError: for a model that is not an ``nn.Module``.
        ValueError: for an input shape that is not positive integers, or a model ``torch.fx``
            cannot trace (its forward pass branches on the values of tensors).

    Examples:
        >>> from torch import nn
        >>> block = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        >>> graph = layer_graph(block, (1, 28, 28))
        >>> [(n.label, n.shape) for n in graph.nodes]
        [('input', (1, 28, 28)), ('conv 3×3, 8', (8, 28, 28)), ('ReLU', (8, 28, 28)), ('max pool 2×2', (8, 14, 14))]
    """
    model = check_module("model", model)
    if isinstance(input_shape, (str, bytes)) or not isinstance(input_shape, Sequence):
        raise TypeError(f"input_shape must be a sequence of sizes such as (1, 28, 28), got {input_shape!r}")
    shape = tuple(check_int("input_shape", s, 1) for s in input_shape)
    leaves = tuple(leaves)
    if not all(isinstance(t, type) for t in leaves):
        raise TypeError(f"leaves must be module classes, got {leaves!r}")
    if not list(model.children()) or isinstance(model, leaves):  # one layer: trace it as a call
        model = nn.Sequential(model)
    try:
        traced = fx.GraphModule(model, _Tracer(leaves).trace(model))
    except Exception as error:  # fx raises several kinds for untraceable code (an input check)
        graph = _chain(model, shape, leaves)
        if graph is None:
            raise ValueError(
                f"model cannot be traced by torch.fx ({type(error).__name__}: {error}), and its layers do "
                "not run as one chain") from error
        _lay_out(graph)
        return graph
    was_training = model.training
    traced.eval()
    try:
        with torch.no_grad():
            ShapeProp(traced).propagate(torch.zeros(1, *shape, device=_device(model)))
    except RuntimeError as error:
        raise ValueError(f"input_shape {shape} does not fit the model: {error}") from error
    finally:
        model.train(was_training)

    modules = dict(traced.named_modules())
    nodes: list[LayerNode] = []
    edges: list[tuple[str, str]] = []
    kept: set[str] = set()
    alias: dict[str, fx.Node] = {}  # dropped nodes (getitem) -> the node they pass on
    read: dict[str, int] = {}  # parameters read directly (get_attr) -> their size
    params_of = dict(traced.named_parameters())

    def source(arg: fx.Node) -> str | None:
        while arg.name not in kept:
            if arg.name not in alias:
                return None
            arg = alias[arg.name]
        return "input" if arg.op == "placeholder" else arg.name

    for node in traced.graph.nodes:
        if node.op == "output":
            continue
        meta = node.meta.get("tensor_meta")
        out_shape = tuple(meta.shape[1:]) if meta is not None and hasattr(meta, "shape") else ()
        if node.op == "placeholder":
            label, kind, params = "input", "input", 0
        elif node.op == "call_module":
            module = modules[node.target]
            label, kind = layer_label(module)
            if isinstance(module, leaves):
                label = _block_label(module, out_shape)
            params = sum(p.numel() for p in module.parameters())
        elif node.op in ("call_function", "call_method"):
            inputs = [a for a in node.all_input_nodes if source(a) is not None]
            label, kind = _function_label(node)
            if kind != "merge" and len(inputs) == 1 and node.op == "call_function" and label == "getitem":
                alias[node.name] = inputs[0]
                continue
            # a parameter it reads (a layer scale) counts for this operation
            params = sum(read.get(a.name, 0) for a in node.all_input_nodes)
        else:  # get_attr: a parameter read, drawn as part of the operation that uses it
            read[node.name] = params_of[node.target].numel() if node.target in params_of else 0
            continue
        kept.add(node.name)
        target = node.target if isinstance(node.target, str) else label
        name = "input" if node.op == "placeholder" else node.name
        nodes.append(LayerNode(name, target, label, kind, out_shape, params))
        for arg in node.all_input_nodes:
            src = source(arg)
            if src is not None and (src, name) not in edges:
                edges.append((src, name))
    graph = LayerGraph(nodes, edges)
    _lay_out(graph)
    return graph


def _chain(model: nn.Module, shape: tuple[int, ...], leaves: tuple[type, ...]) -> LayerGraph | None:
    """The layers in the order they run, when each one reads what the one before wrote.

    For networks whose forward pass checks its input (which ``torch.fx`` cannot trace) and then
    runs its layers in sequence; ``None`` when a layer reads anything else (a branch).
    """
    calls: list[tuple[str, nn.Module, torch.Tensor, torch.Tensor]] = []
    inside: list[nn.Module] = []

    def is_leaf(m: nn.Module) -> bool:
        return isinstance(m, leaves) or not list(m.children())

    def pre(m: nn.Module, args: tuple) -> None:
        inside.append(m)

    def post(name: str):
        def hook(m: nn.Module, args: tuple, out: torch.Tensor) -> None:
            inside.pop()
            if is_leaf(m) and not any(is_leaf(outer) for outer in inside) and args:
                calls.append((name, m, args[0], out))
        return hook

    handles = []
    for name, m in model.named_modules():
        if name:
            handles += [m.register_forward_pre_hook(pre), m.register_forward_hook(post(name))]
    was_training = model.training
    model.eval()
    x = torch.zeros(1, *shape, device=_device(model))
    try:
        with torch.no_grad():
            model(x)
    except RuntimeError as error:
        raise ValueError(f"input_shape {shape} does not fit the model: {error}") from error
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    nodes = [LayerNode("input", "input", "input", "input", shape, 0)]
    edges = []
    previous = x
    for i, (name, m, inp, out) in enumerate(calls):
        if inp.untyped_storage().data_ptr() != previous.untyped_storage().data_ptr():
            return None
        label, kind = layer_label(m)
        if isinstance(m, leaves):
            label = _block_label(m, tuple(out.shape[1:]))
        node = f"{name.replace('.', '_')}_{i}"
        nodes.append(LayerNode(node, name, label, kind, tuple(out.shape[1:]), sum(p.numel() for p in m.parameters())))
        edges.append((nodes[-2].name, node))
        previous = out
    return LayerGraph(nodes, edges)


def _device(model: nn.Module) -> torch.device:
    return next(model.parameters(), torch.empty(0)).device


def _block_label(module: nn.Module, shape: tuple[int, ...]) -> str:
    name = type(module).__name__
    return f"{name}, {shape[0]}" if shape else name


def _lay_out(graph: LayerGraph) -> None:
    """Longest path input to output in lane 0; each branch beside it, between its branch points, in
    the first lane free over those rows."""
    order = [n.name for n in graph.nodes]
    parents: dict[str, list[str]] = {name: [] for name in order}
    for a, b in graph.edges:
        parents[b].append(a)
    best: dict[str, tuple[int, str | None]] = {}
    for name in order:  # the nodes come in topological order
        options = [(best[p][0] + 1, p) for p in parents[name]]
        best[name] = max(options) if options else (0, None)
    main, name = [], order[-1]
    while name is not None:
        main.append(name)
        name = best[name][1]
    main.reverse()
    graph.main = main
    row = {name: i for i, name in enumerate(main)}
    children: dict[str, list[str]] = {name: [] for name in order}
    for a, b in graph.edges:
        children[a].append(b)
    side = [name for name in order if name not in row]
    # a branch: consecutive side nodes; place them evenly between where it leaves and rejoins, in
    # the first lane beside the main path that is free over those rows (Inception's four branches
    # side by side, a residual block's projection in lane 1)
    lane = {name: 0 for name in main}
    taken: list[list[tuple[int, int]]] = []  # per side lane, the (start, end) rows it spans
    i = 0
    while i < len(side):
        run = [side[i]]
        while i + len(run) < len(side) and run[-1] in parents[side[i + len(run)]]:
            run.append(side[i + len(run)])
        start = max((row[p] for p in parents[run[0]] if p in row), default=0)
        ends = [row[c] for c in children[run[-1]] if c in row]
        end = min(ends) if ends else start + len(run) + 1
        free = next((k for k, spans in enumerate(taken)
                     if all(end <= a or start >= b for a, b in spans)), len(taken))
        if free == len(taken):
            taken.append([])
        taken[free].append((start, end))
        for k, name in enumerate(run):
            row[name] = start + (end - start) * (k + 1) / (len(run) + 1)
            lane[name] = free + 1
        i += len(run)
    for node in graph.nodes:
        node.row = row[node.name]
        node.lane = lane[node.name]
