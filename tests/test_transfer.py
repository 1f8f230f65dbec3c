"""cnnlib.transfer: torchvision weights offline and from a cache, the checked checkpoint, the two
digit tasks, freezing and parameter groups; and the chapter's figure and explorer."""

from __future__ import annotations

import hashlib
import io
import socket
from urllib.error import URLError

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import torch
import torchvision
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torchvision.ops import FrozenBatchNorm2d

from cnnlib import data, train, transfer
from cnnlib.models import SmallResNet
from cnnlib.plot.transfer import check_results, label_curves
from cnnlib.widgets.transfer import summary_text, transfer_explorer

# A small torchvision model with published weights keeps the cached-weights test fast.
NAME, WEIGHTS = "mobilenet_v3_small", "IMAGENET1K_V1"


@pytest.fixture
def hub_dir(tmp_path, monkeypatch):
    """An empty torch hub cache in a temporary folder, and no network: any download fails."""
    previous = torch.hub.get_dir()
    torch.hub.set_dir(str(tmp_path))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch_home"))

    def no_network(url, dst, hash_prefix=None, progress=True):
        raise URLError("no network in tests")

    monkeypatch.setattr(torch.hub, "download_url_to_file", no_network)
    yield tmp_path
    torch.hub.set_dir(previous)


def _weights():
    return torchvision.models.get_model_weights(NAME)[WEIGHTS]


# ---------------------------------------------------------------------------- torchvision weights


def test_weights_file_is_in_the_hub_cache(hub_dir) -> None:
    weights = _weights()
    assert transfer.weights_file(weights) == hub_dir / "checkpoints" / weights.url.rsplit("/", 1)[-1]
    with pytest.raises(TypeError, match="weights"):
        transfer.weights_file("IMAGENET1K_V1")


def test_offline_without_cache_gives_random_weights_and_says_so(hub_dir) -> None:
    result = transfer.torchvision_pretrained(NAME, WEIGHTS)
    assert not result.loaded
    assert result.weights is _weights()
    assert isinstance(result.model, torchvision.models.MobileNetV3)
    file_name = _weights().url.rsplit("/", 1)[-1]
    expected = (
        f"The {NAME} {WEIGHTS} weights are not in the torch hub cache ({file_name}) and download=False: "
        "the model has random weights. Call with download=True where there is internet access "
        f"(about {_weights().meta['_file_size']:.0f} MB)."
    )
    assert result.message == expected
    assert str(hub_dir) not in result.message  # deterministic: no machine-specific path
    assert transfer.torchvision_pretrained(NAME, WEIGHTS).message == result.message


def test_cached_weights_are_loaded_through_torchvision(hub_dir) -> None:
    torch.manual_seed(0)
    reference = torchvision.models.get_model(NAME, weights=None)
    path = transfer.weights_file(_weights())
    path.parent.mkdir(parents=True)
    torch.save(reference.state_dict(), path)
    result = transfer.torchvision_pretrained(NAME, WEIGHTS)  # download=False: the cache is enough
    assert result.loaded and path.name in result.message
    assert transfer.torchvision_pretrained(NAME, _weights()).loaded  # the enum member works too
    for key, value in reference.state_dict().items():
        torch.testing.assert_close(result.model.state_dict()[key], value)


def test_failed_download_is_reported_and_restores_the_socket_timeout(hub_dir, monkeypatch) -> None:
    seen = []

    def record_timeout(url, dst, hash_prefix=None, progress=True):
        seen.append(socket.getdefaulttimeout())
        raise URLError("no network in tests")

    monkeypatch.setattr(torch.hub, "download_url_to_file", record_timeout)
    before = socket.getdefaulttimeout()
    result = transfer.torchvision_pretrained(NAME, WEIGHTS, download=True, timeout=3)
    assert seen == [3.0]  # the download waited at most 3 s for the network
    assert socket.getdefaulttimeout() == before
    assert not result.loaded
    assert result.message == (
        f"The {NAME} {WEIGHTS} weights could not be downloaded (no network in tests): "
        "the model has random weights."
    )


def test_torchvision_pretrained_argument_errors(hub_dir) -> None:
    with pytest.raises(ValueError, match="name"):
        transfer.torchvision_pretrained("resnet5000")
    with pytest.raises(ValueError, match="weights must be one of 'IMAGENET1K_V1'"):
        transfer.torchvision_pretrained(NAME, "IMAGENET1K_V9")
    with pytest.raises(ValueError, match="weights must be one of 'IMAGENET1K_V1'"):
        transfer.torchvision_pretrained(NAME, torchvision.models.ResNet50_Weights.IMAGENET1K_V2)
    with pytest.raises(TypeError, match="download"):
        transfer.torchvision_pretrained(NAME, WEIGHTS, download="yes")
    for timeout in (0, -1, True, "10"):
        with pytest.raises(ValueError, match="timeout"):
            transfer.torchvision_pretrained(NAME, WEIGHTS, timeout=timeout)


def test_classify_returns_the_softmax_top_classes() -> None:
    torch.manual_seed(0)
    weights = _weights()
    model = torchvision.models.get_model(NAME, weights=None).train()
    image = data.sample_image("chelsea")
    table = transfer.classify(model, weights, image, top=3)
    assert model.training  # mode restored
    model.eval()
    with torch.no_grad():
        probabilities = model(weights.transforms()(image).unsqueeze(0)).softmax(dim=1)[0]
    values, indices = probabilities.topk(3)
    assert list(table["class"]) == [weights.meta["categories"][i] for i in indices.tolist()]
    np.testing.assert_allclose(table["probability"], values.numpy(), rtol=1e-5)
    with pytest.raises(TypeError, match="image"):
        transfer.classify(model, weights, image.numpy())
    with pytest.raises(ValueError, match="image"):
        transfer.classify(model, weights, image[:1])
    with pytest.raises(ValueError, match="top"):
        transfer.classify(model, weights, image, top=1001)
    with pytest.raises(ValueError, match="top"):
        transfer.classify(model, weights, image, top=0)


# ---------------------------------------------------------------------------- checkpoints


def test_sha256_of_matches_hashlib(tmp_path) -> None:
    path = tmp_path / "file.bin"
    content = bytes(range(256)) * 5000
    path.write_bytes(content)
    assert transfer.sha256_of(path) == hashlib.sha256(content).hexdigest()


def test_load_checkpoint_checks_the_hash_before_reading(tmp_path) -> None:
    path = tmp_path / "checkpoint.pt"
    torch.save({"x": torch.arange(3)}, path)
    good = transfer.sha256_of(path)
    assert torch.equal(transfer.load_checkpoint(path, good)["x"], torch.arange(3))
    assert torch.equal(transfer.load_checkpoint(path, good.upper())["x"], torch.arange(3))
    wrong = "0" * 64
    with pytest.raises(ValueError, match=f"has SHA-256 {good}, expected {wrong}"):
        transfer.load_checkpoint(path, wrong)
    for bad in ("abc", "g" * 64, 123):
        with pytest.raises(ValueError, match="sha256 must be 64 hexadecimal digits"):
            transfer.load_checkpoint(path, bad)
    with pytest.raises(FileNotFoundError):
        transfer.load_checkpoint(tmp_path / "missing.pt", good)
    torch.save([1, 2], path)
    with pytest.raises(ValueError, match="dictionary"):
        transfer.load_checkpoint(path, transfer.sha256_of(path))


def test_load_checkpoint_refuses_arbitrary_objects(tmp_path) -> None:
    path = tmp_path / "pickle.pt"
    torch.save({"module": nn.Linear(2, 2)}, path)  # a pickled class, not only tensors
    with pytest.raises(Exception, match="[Ww]eights only load failed"):
        transfer.load_checkpoint(path, transfer.sha256_of(path))


def test_shipped_backbone_matches_its_hash_and_record() -> None:
    assert transfer.sha256_of(transfer.DIGITS_BACKBONE) == transfer.DIGITS_BACKBONE_SHA256
    model, record = transfer.pretrained_digits_backbone()
    assert isinstance(model, SmallResNet) and not model.training
    assert model.fc.out_features == 20 and record["config"]["num_classes"] == 20
    assert "state_dict" not in record
    images, labels = transfer.source_task()
    accuracy = train.evaluate(model, (images, labels)).accuracy
    assert accuracy == pytest.approx(record["source_accuracy"], abs=0.005)


def test_backbone_with_a_changed_byte_is_refused(tmp_path) -> None:
    damaged = tmp_path / transfer.DIGITS_BACKBONE.name
    content = bytearray(transfer.DIGITS_BACKBONE.read_bytes())
    content[len(content) // 2] ^= 1
    damaged.write_bytes(bytes(content))
    with pytest.raises(ValueError, match="corrupted or not the one this version of cnnlib ships"):
        transfer.pretrained_digits_backbone(damaged)


# ---------------------------------------------------------------------------- the digit tasks


def test_source_task_is_digits_0_to_4_in_four_orientations() -> None:
    images, labels = transfer.source_task(size=8)
    digits, digit_labels = data.load_digits(size=8, split="all")
    upright = digits[digit_labels < 5]
    assert len(images) == 4 * len(upright) and images.shape[1:] == (1, 8, 8)
    assert labels.unique().tolist() == list(range(20))
    for turns in range(4):
        block = slice(turns * len(upright), (turns + 1) * len(upright))
        torch.testing.assert_close(images[block], torch.rot90(upright, turns, dims=(2, 3)))
        torch.testing.assert_close(labels[block], digit_labels[digit_labels < 5] + 5 * turns)


@given(st.integers(1, 20), st.integers(0, 1000))
@settings(max_examples=6, deadline=None)
def test_target_task_draws_k_per_class_from_the_train_split(k, seed) -> None:
    (x, y), (x_test, y_test) = transfer.target_task(k, seed=seed, size=8)
    assert y.bincount(minlength=5).tolist() == [k] * 5
    train_x, train_y = data.load_digits(size=8, split="train")
    test_x, test_y = data.load_digits(size=8, split="test")
    torch.testing.assert_close(x_test, test_x[test_y >= 5])
    torch.testing.assert_close(y_test, test_y[test_y >= 5] - 5)
    same = (x.flatten(1)[:, None, :] == train_x.flatten(1)[None]).all(dim=2)  # (drawn, train split)
    assert same.any(dim=1).all()  # every drawn image is in the train split...
    assert (same & (train_y[None] == y[:, None] + 5)).any(dim=1).all()  # ...with its digit
    (x_again, _), _ = transfer.target_task(k, seed=seed, size=8)
    torch.testing.assert_close(x, x_again)


def test_target_task_argument_errors() -> None:
    with pytest.raises(ValueError, match="labels_per_class"):
        transfer.target_task(0)
    with pytest.raises(ValueError, match="labels_per_class must be at most"):
        transfer.target_task(1000)
    with pytest.raises(TypeError, match="labels_per_class"):
        transfer.target_task(2.5)
    with pytest.raises(ValueError, match="seed"):
        transfer.target_task(3, seed=-1)


# ---------------------------------------------------------------------------- freezing


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
    for lr in (0, -1.0, True, "0.1"):
        with pytest.raises(ValueError, match=r"lrs\['fc'\] must be a positive number"):
            transfer.parameter_groups(model, {"stem": 1e-3, "stages": 1e-3, "fc": lr})
    with pytest.raises(ValueError, match="lrs must name submodules"):
        transfer.parameter_groups(model, {"head": 1e-3})
    for lrs in ({}, [("fc", 1e-3)]):
        with pytest.raises(TypeError, match="lrs"):
            transfer.parameter_groups(model, lrs)


# ---------------------------------------------------------------------------- figure and explorer


@pytest.fixture
def results() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = [dict(strategy=s, labels_per_class=k, seed=seed, accuracy=float(rng.uniform()))
            for s in ("from scratch", "linear head") for k in (1, 3, 10) for seed in (0, 1)]
    return pd.DataFrame(rows)


def test_label_curves_draw_the_mean_over_seeds(results) -> None:
    fig = label_curves(results, highlight=3)
    ax = fig.axes[0]
    lines = [line for line in ax.get_lines() if line.get_label() in ("from scratch", "linear head")]
    for line in lines:
        expected = results[results.strategy == line.get_label()].groupby("labels_per_class")["accuracy"].mean()
        np.testing.assert_allclose(line.get_xdata(), expected.index)
        np.testing.assert_allclose(line.get_ydata(), 100 * expected.values)
    assert len(lines) == 2 and ax.get_xscale() == "log" and ax.get_ylabel() and ax.get_title()
    plt.close(fig)
    with pytest.raises(ValueError, match="highlight"):
        label_curves(results, highlight=5)


def test_check_results_errors(results) -> None:
    with pytest.raises(TypeError, match="results"):
        check_results(results.to_dict())
    with pytest.raises(ValueError, match="missing accuracy"):
        check_results(results.drop(columns="accuracy"))
    with pytest.raises(ValueError, match="at least one row"):
        check_results(results.iloc[:0])


def test_explorer_shows_the_chosen_number_of_labels(results) -> None:
    explorer = transfer_explorer(results)
    choice, summary, picture = explorer.children
    assert isinstance(choice, widgets.Dropdown) and list(choice.options) == [1, 3, 10]
    assert summary.value == summary_text(results, 1)
    choice.value = 10
    chosen = results[results.labels_per_class == 10].groupby("strategy")["accuracy"].mean()
    best, worst = chosen.idxmax(), chosen.idxmin()
    assert summary.value == (f"10 labels per class: {best} {chosen[best]:.1%}, {worst} {chosen[worst]:.1%}")
    png = bytes(picture.value)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert plt.imread(io.BytesIO(png), format="png").ndim == 3
    choice.value = 1
    assert summary.value.startswith("1 label per class: ")
    with pytest.raises(ValueError, match="results"):
        transfer_explorer(results.drop(columns="seed"))
