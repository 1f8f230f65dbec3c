"""cnnlib.graph and cnnlib.plot.architecture: a diagram is read from the module it draws."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch
import torchvision
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from cnnlib import models
from cnnlib.graph import layer_graph, layer_label
from cnnlib.plot import show_architecture


def convs(module: nn.Module) -> int:
    return sum(isinstance(m, nn.Conv2d) for m in module.modules())


def test_a_projection_shortcut_is_a_branch_beside_the_main_path() -> None:
    graph = layer_graph(models.ResidualBlock(32, 64, stride=2), (32, 14, 14))
    main = [graph.node(n).label for n in graph.main]
    assert main == ["input", "conv 3×3, 64, stride 2", "batch norm", "ReLU", "conv 3×3, 64", "batch norm",
                    "+", "ReLU"]
    side = [n for n in graph.nodes if n.lane == 1]
    assert [n.label for n in side] == ["conv 1×1, 64, stride 2", "batch norm"]
    add = next(n for n in graph.nodes if n.label == "+")
    assert all(graph.node(main_row).row < n.row < add.row for n in side for main_row in graph.main[:1])
    assert (side[-1].name, add.name) in graph.edges and ("input", side[0].name) in graph.edges
    assert add.shape == (64, 7, 7)


def test_an_identity_shortcut_is_an_edge_from_the_input_to_the_addition() -> None:
    graph = layer_graph(models.ResidualBlock(16), (16, 8, 8))
    assert all(n.lane == 0 for n in graph.nodes)
    add = next(n for n in graph.nodes if n.label == "+")
    assert ("input", add.name) in graph.edges


def test_squeeze_and_excitation_multiplies_the_depthwise_output() -> None:
    block = models.MBConv(24, 24, expand_ratio=4)
    graph = layer_graph(block, (24, 14, 14))
    mul = next(n for n in graph.nodes if n.label == "×")
    sources = [graph.node(a) for a, b in graph.edges if b == mul.name]
    assert sorted(n.label for n in sources) == ["SiLU", "Sigmoid"]
    assert any(n.label == "depthwise conv 3×3, 96" for n in graph.nodes)
    assert [n.label for n in graph.nodes].count("+") == 1  # stride 1, same width: residual


@pytest.mark.parametrize(
    "model, shape, leaves",
    [
        (models.ResidualBlock(32, 64, stride=2), (32, 14, 14), ()),
        (models.BottleneckBlock(64, 16), (64, 8, 8), ()),
        (models.DepthwiseSeparableConv(16, 32), (16, 14, 14), ()),
        (models.MBConv(16, 24, expand_ratio=4, stride=2), (16, 14, 14), ()),
        (models.ConvNeXtBlock(32), (32, 7, 7), ()),
        (models.LeNet5(), (1, 32, 32), ()),
        (models.SmallVGG(), (1, 32, 32), ()),
        (models.SmallResNet(in_channels=1, num_classes=10, widths=[16, 32], blocks_per_stage=2), (1, 28, 28), ()),
        (torchvision.models.alexnet(), (3, 224, 224), ()),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, nn.Module) else None,
)
def test_every_layer_and_parameter_is_drawn_once(model: nn.Module, shape: tuple, leaves: tuple) -> None:
    graph = layer_graph(model, shape, leaves)
    assert sum(n.kind == "conv" for n in graph.nodes) == convs(model)
    assert sum(n.params for n in graph.nodes) == sum(p.numel() for p in model.parameters())
    with torch.no_grad():
        out = model.eval()(torch.zeros(1, *shape))
    assert graph.node(graph.main[-1]).shape == tuple(out.shape[1:])
    assert graph.main[0] == "input" and graph.main[-1] == graph.nodes[-1].name


def test_blocks_named_as_leaves_stay_whole() -> None:
    net = models.SmallResNet(in_channels=1, num_classes=10, widths=[16, 32], blocks_per_stage=2)
    graph = layer_graph(net, (1, 28, 28), leaves=(models.ResidualBlock,))
    blocks = [n for n in graph.nodes if n.label.startswith("ResidualBlock")]
    assert [n.label for n in blocks] == ["ResidualBlock, 16"] * 2 + ["ResidualBlock, 32"] * 2
    assert sum(n.params for n in graph.nodes) == sum(p.numel() for p in net.parameters())


@settings(max_examples=25, deadline=None)
@given(kernel=st.sampled_from([1, 3, 5, 7]), stride=st.integers(1, 3), channels=st.integers(1, 64))
def test_a_label_follows_the_layer_it_names(kernel: int, stride: int, channels: int) -> None:
    label, kind = layer_label(nn.Conv2d(3, channels, kernel, stride=stride))
    assert kind == "conv" and label.startswith(f"conv {kernel}×{kernel}, {channels}")
    assert ("stride" in label) == (stride > 1)


def test_bad_input_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match="model"):
        layer_graph("resnet", (1, 28, 28))
    with pytest.raises(TypeError, match="input_shape"):
        layer_graph(nn.ReLU(), "1, 28, 28")
    with pytest.raises(ValueError, match="input_shape"):
        layer_graph(nn.ReLU(), (1, 0, 28))
    with pytest.raises(ValueError, match="does not fit the model"):
        layer_graph(nn.Conv2d(3, 8, 3), (1, 28, 28))
    with pytest.raises(TypeError, match="leaves"):
        layer_graph(nn.ReLU(), (1, 4, 4), leaves=["ReLU"])
    with pytest.raises(ValueError, match="input_shape is needed"):
        show_architecture(nn.ReLU())


class Checked(nn.Module):
    """An input check (fx cannot trace it) and a branch: neither traced nor a chain."""

    def __init__(self) -> None:
        super().__init__()
        self.a, self.b = nn.Conv2d(1, 4, 3, padding=1), nn.Conv2d(1, 4, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[1] != 1:
            raise ValueError("one channel")
        return self.a(x) + self.b(x)


def test_an_untraceable_branching_model_is_refused_not_drawn_wrong() -> None:
    with pytest.raises(ValueError, match="one chain"):
        layer_graph(Checked(), (1, 8, 8))


def test_the_diagram_draws_every_node_with_its_label_and_shape() -> None:
    block = models.ResidualBlock(32, 64, stride=2)
    graph = layer_graph(block, (32, 14, 14))
    fig = show_architecture(block, (32, 14, 14))
    texts = [t.get_text() for t in fig.axes[0].texts]
    for node in graph.nodes:
        assert node.label in texts
    assert "64×7×7" in texts and "32×14×14" in texts
    assert fig.axes[0].get_title() == f"ResidualBlock: {sum(p.numel() for p in block.parameters()):,} parameters"
    arrows = [c for c in fig.axes[0].texts if getattr(c, "arrow_patch", None) is not None]
    assert len(arrows) == len(graph.edges)


def _concats(graph) -> list[tuple[str, int]]:
    """``(name, number of inputs)`` of every concatenation in ``graph``."""
    return [(n.name, sum(1 for _, to in graph.edges if to == n.name)) for n in graph.nodes if n.label == "concat"]


def test_an_inception_block_is_four_branches_joined_by_one_concatenation() -> None:
    graph = layer_graph(models.InceptionBlock(16, 8, 4, 8, 2, 4, 4), (16, 8, 8))
    ((name, inputs),) = _concats(graph)
    assert inputs == 4 and graph.node(name).shape == (24, 8, 8)
    assert sum(1 for source, _ in graph.edges if source == "input") == 4  # four branches leave the input


def test_parallel_branches_stand_in_lanes_of_their_own() -> None:
    graph = layer_graph(models.InceptionBlock(16, 8, 4, 8, 2, 4, 4), (16, 8, 8))
    side = [n for n in graph.nodes if n.lane > 0]
    assert sorted({n.lane for n in side}) == [1, 2, 3]  # three branches beside the main one
    for lane in (1, 2, 3):  # each lane holds one branch: a chain from the input to the concat
        nodes = [n.name for n in side if n.lane == lane]
        assert all((a, b) in graph.edges for a, b in zip(nodes, nodes[1:]))
        assert ("input", nodes[0]) in graph.edges and graph.edges.count((nodes[-1], graph.main[-1])) == 1


def test_a_dense_block_concatenates_after_every_layer() -> None:
    graph = layer_graph(models.DenseBlock(3, 8, 4), (8, 6, 6))
    concats = _concats(graph)
    assert [inputs for _, inputs in concats] == [2, 2, 2]
    assert [graph.node(name).shape[0] for name, _ in concats] == [12, 16, 20]


@pytest.mark.parametrize(("block", "shape"), [
    (models.NiNBlock(1, 8, 5, stride=2, padding=2), (1, 28, 28)),
    (models.InceptionBlock(16, 8, 4, 8, 2, 4, 4), (16, 8, 8)),
    (models.DenseLayer(8, 4), (8, 6, 6)),
    (models.DenseBlock(2, 8, 4), (8, 6, 6)),
    (models.Transition(16, 8), (16, 8, 8)),
    (models.ResNeXtBlock(16, 8, stride=2, cardinality=4, width_per_group=32), (16, 8, 8)),
    (models.InvertedResidual(8, 8), (8, 8, 8)),
    (models.SmallDenseNet(), (1, 32, 32)),
])
def test_the_branch_blocks_are_drawn(block, shape) -> None:
    fig = show_architecture(block, shape)
    assert fig.axes
    plt.close(fig)
