"""cnnlib.transfer: freezing, parameter counts and parameter groups."""

from __future__ import annotations

import pytest
import torch
import torchvision
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torchvision.ops import FrozenBatchNorm2d

from cnnlib import train, transfer
from cnnlib.models import SmallResNet


class WithSqueeze(nn.Module):
    """A network with names that a substring test confuses: ``fc`` and ``block.fc1``."""

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(1, 4, 3, bias=False), nn.BatchNorm2d(4), nn.ReLU())
        self.block = nn.Module()
        self.block.fc1 = nn.Linear(4, 4)
        self.norm = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.norm(self.body(x)).mean(dim=(2, 3))
        return self.fc(self.block.fc1(h))


def test_freeze_matches_whole_module_names() -> None:
    model = transfer.freeze(WithSqueeze(), trainable=["fc"])
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable == {"fc.weight", "fc.bias"}  # not block.fc1
    transfer.freeze(model, trainable=["block.fc1", "fc"])
    assert {n for n, p in model.named_parameters() if p.requires_grad} == {
        "block.fc1.weight", "block.fc1.bias", "fc.weight", "fc.bias"}


def test_freeze_replaces_batchnorm_outside_trainable_modules_only() -> None:
    model = transfer.freeze(WithSqueeze(), trainable=["norm", "fc"])
    assert isinstance(model.body[1], FrozenBatchNorm2d)
    assert isinstance(model.norm, nn.BatchNorm2d)
    kept = transfer.freeze(WithSqueeze(), trainable=["fc"], batchnorm=False)
    assert isinstance(kept.body[1], nn.BatchNorm2d) and isinstance(kept.norm, nn.BatchNorm2d)


def test_frozen_backbone_is_unchanged_by_training() -> None:
    torch.manual_seed(0)
    model = SmallResNet(in_channels=1, num_classes=3, widths=(4, 8), blocks_per_stage=1)
    x, y = torch.randn(40, 1, 8, 8), torch.randint(0, 3, (40,))
    train.fit(model, (x, y), epochs=2, device="cpu", progress=False)  # running statistics not trivial
    transfer.freeze(model, trainable=["fc"])
    before = {k: v.clone() for k, v in model.state_dict().items()}
    train.fit(model, (x, y), epochs=2, lr=0.1, batch_size=4, device="cpu", progress=False)
    after = model.state_dict()
    assert set(before) == set(after)
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed == {"fc.weight", "fc.bias"}

    loose = SmallResNet(in_channels=1, num_classes=3, widths=(4, 8), blocks_per_stage=1)
    transfer.freeze(loose, trainable=["fc"], batchnorm=False)
    before = {k: v.clone() for k, v in loose.state_dict().items()}
    train.fit(loose, (x, y), epochs=1, batch_size=4, device="cpu", progress=False)
    assert any("running_mean" in k and not torch.equal(before[k], v) for k, v in loose.state_dict().items())


@given(st.integers(1, 6), st.sampled_from([1e-5, 1e-3, 0.1]), st.booleans())
@settings(max_examples=15, deadline=None)
def test_freeze_batchnorm_equals_batchnorm_in_evaluation_mode(channels, eps, affine) -> None:
    torch.manual_seed(channels)
    layer = nn.BatchNorm2d(channels, eps=eps, affine=affine)
    layer.running_mean.normal_()
    layer.running_var.uniform_(0.5, 2.0)
    if affine:
        with torch.no_grad():
            layer.weight.normal_()
            layer.bias.normal_()
    holder = transfer.freeze_batchnorm(nn.Sequential(nn.Identity(), nn.Sequential(layer)))
    frozen = holder[1][0]
    assert isinstance(frozen, FrozenBatchNorm2d)
    x = torch.randn(5, channels, 3, 3)
    torch.testing.assert_close(frozen.train()(x), layer.eval()(x))
    assert not list(frozen.parameters())


def test_freeze_argument_errors() -> None:
    model = WithSqueeze()
    with pytest.raises(ValueError, match="trainable must name submodules.*'body', 'block', 'norm', 'fc'"):
        transfer.freeze(model, trainable=["layer4"])
    with pytest.raises(ValueError, match="trainable"):
        transfer.freeze(model, trainable=[""])
    with pytest.raises(TypeError, match="trainable"):
        transfer.freeze(model, trainable="fc")
    with pytest.raises(TypeError, match="batchnorm"):
        transfer.freeze(model, trainable=["fc"], batchnorm=1)
    with pytest.raises(TypeError, match="model"):
        transfer.freeze("model")
    with pytest.raises(TypeError, match="model"):
        transfer.freeze_batchnorm(None)


def test_parameter_counts_add_up_and_survive_freezing() -> None:
    model = WithSqueeze()
    total = sum(p.numel() for p in model.parameters())
    counts = transfer.parameter_counts(model)
    assert list(counts.index) == ["body", "block", "norm", "fc", "total"]
    assert counts.loc["total", "parameters"] == total == counts.loc["total", "trainable"]
    transfer.freeze(model, trainable=["fc"])
    counts = transfer.parameter_counts(model)
    assert counts.loc["total", "parameters"] == total  # frozen batch norms still count
    assert counts.loc["total", "trainable"] == sum(p.numel() for p in model.fc.parameters())
    assert counts.loc["norm", "frozen"] == 8 and counts.loc["norm", "trainable"] == 0
    assert (counts["parameters"] == counts["trainable"] + counts["frozen"]).all()
    with pytest.raises(TypeError, match="model"):
        transfer.parameter_counts(3)


def test_parameter_counts_of_resnet50_match_torchvision() -> None:
    model = torchvision.models.resnet50()
    counts = transfer.parameter_counts(transfer.freeze(model, trainable=["layer4", "fc"]))
    assert counts.loc["total", "parameters"] == torchvision.models.ResNet50_Weights.IMAGENET1K_V2.meta["num_params"]
    assert counts.loc["total", "trainable"] == sum(
        p.numel() for m in (model.layer4, model.fc) for p in m.parameters())


def test_parameter_groups_cover_every_trainable_parameter_once() -> None:
    model = SmallResNet(in_channels=1, num_classes=3, widths=(4, 8), blocks_per_stage=1)
    groups = transfer.parameter_groups(model, {"stem": 1e-4, "stages": 1e-4, "fc": 1e-2})
    assert [g["name"] for g in groups] == ["stem", "stages", "fc"] and groups[2]["lr"] == 1e-2
    assert sum(len(g["params"]) for g in groups) == len(list(model.parameters()))
    optimizer = torch.optim.Adam(groups)
    assert [g["lr"] for g in optimizer.param_groups] == [1e-4, 1e-4, 1e-2]
    x, y = torch.randn(8, 1, 8, 8), torch.randint(0, 3, (8,))
    train.fit(model, (x, y), epochs=1, optimizer=lambda params: torch.optim.SGD(
        transfer.parameter_groups(model, {"stem": 1e-4, "stages": 1e-4, "fc": 1e-2})), device="cpu", progress=False)
    transfer.freeze(model, trainable=["fc"])
    assert [len(g["params"]) for g in transfer.parameter_groups(model, {"fc": 0.1})] == [2]


def test_parameter_groups_errors() -> None:
    model = SmallResNet(in_channels=1, num_classes=3, widths=(4, 8), blocks_per_stage=1)
    with pytest.raises(ValueError, match="not covered: stem"):
        transfer.parameter_groups(model, {"stages": 1e-3, "fc": 1e-3})
    with pytest.raises(ValueError, match="overlapping"):
        transfer.parameter_groups(model, {"stem": 1e-3, "stages": 1e-3, "stages.0": 1e-3, "fc": 1e-3})
    for lr in (0, -1.0):  # a number, but not a learning rate: ValueError
        with pytest.raises(ValueError, match=r"lrs\['fc'\] must be a positive number"):
            transfer.parameter_groups(model, {"stem": 1e-3, "stages": 1e-3, "fc": lr})
    for lr in (True, "0.1"):  # not a number: TypeError
        with pytest.raises(TypeError, match=r"lrs\['fc'\] must be a number"):
            transfer.parameter_groups(model, {"stem": 1e-3, "stages": 1e-3, "fc": lr})
    with pytest.raises(ValueError, match="lrs must name submodules"):
        transfer.parameter_groups(model, {"head": 1e-3})
    with pytest.raises(ValueError, match="lrs must name at least one module"):
        transfer.parameter_groups(model, {})
    with pytest.raises(TypeError, match="lrs must be a mapping"):
        transfer.parameter_groups(model, [("fc", 1e-3)])
