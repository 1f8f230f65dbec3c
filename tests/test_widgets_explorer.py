"""The one pattern of every explorer (cnnlib/widgets/_explorer.py): named controls, a summary and a
picture, and one update wired to every control."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import ipywidgets as widgets
import pytest
import torch
from activation_nets import make_trained
from explorers import PNG_SIGNATURE
from torch import nn

from cnnlib import widgets as explorers
from cnnlib.widgets._explorer import Explorer

#: Each factory of cnnlib.widgets, the class it returns, and small arguments for it.
FACTORIES: dict[str, tuple[type[Explorer], Callable[[dict], tuple]]] = {
    "equivariance_explorer": (explorers.EquivarianceExplorer, lambda f: (torch.rand(1, 16, 16),)),
    "conv_explorer": (explorers.ConvExplorer, lambda f: (torch.rand(1, 12, 16),)),
    "pooling_explorer": (explorers.PoolingExplorer, lambda f: (torch.rand(1, 12, 16),)),
    "feature_map_explorer": (explorers.FeatureMapExplorer, lambda f: (
        nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(72, 3)), torch.rand(3, 1, 8, 8))),
    "receptive_field_explorer": (explorers.ReceptiveFieldExplorer, lambda f: ()),
    "batch_norm_explorer": (explorers.BatchNormExplorer, lambda f: (make_trained(f["batch"]), *f["batch"])),
    "gradient_explorer": (explorers.GradientExplorer, lambda f: (torch.randn(8, 1, 8, 8), torch.arange(8) % 3, 20)),
    "compound_scaling_explorer": (explorers.CompoundScalingExplorer, lambda f: ()),
    "transfer_explorer": (explorers.TransferExplorer, lambda f: (f["results"],)),
    "attribution_explorer": (explorers.AttributionExplorer, lambda f: (
        nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                      nn.Linear(4, 3)), torch.rand(3, 1, 8, 8))),
}


@pytest.fixture(params=list(FACTORIES))
def explorer(request, batch, results) -> Explorer:
    cls, arguments = FACTORIES[request.param]
    made = getattr(explorers, request.param)(*arguments({"batch": batch, "results": results}))
    assert type(made) is cls
    return made


def other_value(control: widgets.ValueWidget) -> object:
    """A value of the control other than its current one."""
    if isinstance(control, widgets.IntSlider):
        return control.min if control.value != control.min else control.max
    return next(option for option in control.options if option != control.value)


def test_every_factory_and_class_is_exported_and_listed() -> None:
    factories = {name for name in explorers.__all__ if name.endswith("_explorer")}
    assert factories == set(FACTORIES)
    assert {cls.__name__ for cls, _ in FACTORIES.values()} == set(explorers.__all__) - factories
    assert all(issubclass(cls, Explorer) and cls is not Explorer for cls, _ in FACTORIES.values())


@pytest.mark.parametrize("cls", [cls for cls, _ in FACTORIES.values()])
def test_a_class_shows_the_arguments_of_its_init(cls: type[Explorer]) -> None:
    """help() and the API page show the explorer's own arguments, not traitlets' (*args, **kwargs)."""
    init = list(inspect.signature(cls.__init__).parameters.values())[1:]
    assert list(inspect.signature(cls).parameters.values()) == init


def test_controls_are_named_attributes_laid_out_above_summary_and_picture(explorer: Explorer) -> None:
    assert explorer.controls, "an explorer has at least one control"
    laid_out = [w for child in explorer.children[:-2]
                for w in (child.children if isinstance(child, widgets.HBox) else (child,))]
    assert laid_out == list(explorer.controls.values())
    for name, control in explorer.controls.items():
        assert getattr(explorer, name) is control
    assert explorer.children[-2:] == (explorer.summary, explorer.picture)
    assert isinstance(explorer.summary, widgets.HTML) and explorer.summary.value
    assert isinstance(explorer.picture, widgets.Image) and explorer.picture.format == "png"
    assert bytes(explorer.picture.value)[:8] == PNG_SIGNATURE
    assert explorer.figure is not None


def test_every_control_triggers_exactly_one_update(explorer: Explorer) -> None:
    calls = []
    compute = explorer.compute

    def counting_compute():
        calls.append(1)
        return compute()

    explorer.compute = counting_compute
    for count, control in enumerate(explorer.controls.values(), start=1):
        control.value = other_value(control)
        assert len(calls) == count


def test_the_base_needs_a_compute() -> None:
    with pytest.raises(NotImplementedError):
        Explorer([{"x": widgets.IntSlider()}])
